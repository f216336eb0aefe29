"""The wheel is self-contained: the model table and catalog ship inside it and
are found with importlib.resources, and the console script and ``python -m
codemods`` both run as real processes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    src = tmp_path_factory.mktemp("src") / "project"
    # build from a clean copy so a stray build/ or egg-info cannot leak in
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "*.egg-info", "build", "__pycache__", ".*cache*"
        ),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        pytest.fail(f"pip wheel failed:\n{proc.stdout}\n{proc.stderr}")
    (whl,) = out.glob("openrouter_migrate-*.whl")
    return whl


def test_wheel_contains_the_mappings(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "codemods/mappings/models.yaml" in names
    assert "codemods/mappings/successors.yaml" in names
    assert "codemods/mappings/catalog-2026-05-22.json" in names
    assert "codemods/rules/client.py" in names
    assert not any(n.startswith(("tests/", "fixtures/")) for n in names)


def test_installed_wheel_finds_its_table_without_a_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import codemods.mapping as m, pathlib;"
        "t = m.load_model_table();"
        "assert 'site' in str(pathlib.Path(m.__file__)), m.__file__;"
        "assert t.lookup('gpt-4o').target == 'openai/gpt-4o';"
        "print(t.sources[0])"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert str(site) in proc.stdout  # the table came from inside the installed package


def _script() -> str:
    exe = Path(sys.executable).parent / "openrouter-migrate"
    if not exe.exists():
        pytest.skip("console script not installed in this environment")
    return str(exe)


def test_console_script_runs_as_a_real_process(tmp_path: Path) -> None:
    repo = tmp_path / "quickstart"
    shutil.copytree(FIXTURES / "quickstart", repo)
    check = subprocess.run([_script(), "check", str(repo)], capture_output=True, text=True)
    assert check.returncode == 1, check.stderr
    assert "OR101" in check.stdout and "OR201" in check.stdout
    mig = subprocess.run([_script(), "migrate", str(repo)], capture_output=True, text=True)
    assert mig.returncode == 0, mig.stderr
    again = subprocess.run([_script(), "check", str(repo)], capture_output=True, text=True)
    assert again.returncode == 0, again.stdout + again.stderr


def test_python_dash_m_codemods(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "codemods", "check", str(FIXTURES / "untouchable")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 1  # Azure clients are reported (warnings still count)
    assert "OR102" in proc.stdout
    assert "Traceback" not in proc.stderr
