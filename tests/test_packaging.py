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
    assert "codemods/python/rules/client.py" in names
    assert not any(n.startswith(("tests/", "fixtures/")) for n in names)


def test_wheel_contains_the_core_and_every_front_end(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "codemods"
    modules = {
        f"codemods/{p.relative_to(package).as_posix()}"
        for p in package.rglob("*.py")
        if "__pycache__" not in p.parts
    }
    assert {"codemods/core/runner.py", "codemods/python/engine.py"} <= modules
    assert "codemods/typescript/engine.py" in modules
    assert sorted(modules - names) == []


def test_installed_wheel_finds_its_table_without_a_checkout(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import codemods.core.mapping as m, pathlib;"
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


# -- the README's install instructions, on a fresh machine -------------------------

NETWORK_TROUBLE = (
    "Could not find a version that satisfies",
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "No matching distribution found",
)


def _readme_commands() -> tuple[str, str]:
    """The README's first command, and its install-from-a-clone command."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```sh\n(.*?)\n", text, re.S)
    assert first
    install = text.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    clone = re.search(r'^(python -m pip install "git\+<clone-url>@\S+")', install, re.M)
    assert clone, "the README's Install section lost its git URL command"
    return first.group(1), clone.group(1)


def _sh(cmd: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        ["bash", "-c", cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
    )
    out = proc.stdout + proc.stderr
    if proc.returncode != 0 and any(s in out for s in NETWORK_TROUBLE):
        pytest.skip("pip could not reach the package index")
    return proc


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_readme_install_commands_work_on_a_fresh_machine(tmp_path: Path) -> None:
    """In a fresh virtual environment: the README's first command, run in a clone
    of this checkout, installs the tool and prints the quickstart's diff; the
    Install section's ``pip install "git+<clone-url>@v..."``,
    with only ``<clone-url>`` replaced (by the clone's file:// URL), installs the
    tagged version."""
    first, from_url = _readme_commands()
    genv = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    genv.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
    )
    clone = tmp_path / "openrouter-migrate"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".*cache*")
    for name in ("codemods", "mappings"):
        shutil.copytree(ROOT / name, clone / name, ignore=ignore)
    shutil.copytree(FIXTURES / "quickstart", clone / "fixtures" / "quickstart")
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, clone / name)
    tag = from_url.rsplit("@", 1)[1].rstrip('"')
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "c"], ["tag", tag]):
        subprocess.run(["git", *args], cwd=clone, env=genv, check=True, capture_output=True)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    env = {k: v for k, v in genv.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", NO_COLOR="1")

    proc = _sh(first, clone, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (
        "+client = OpenAI(" in proc.stdout
        and 'base_url="https://openrouter.ai/api/v1"' in proc.stdout
    )

    _sh("python -m pip uninstall -y -q openrouter-migrate", tmp_path, env)
    proc = _sh(from_url.replace("<clone-url>", clone.as_uri()), tmp_path, env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    version = _sh("openrouter-migrate --version", tmp_path, env)
    assert version.returncode == 0 and tag.lstrip("v") in version.stdout, version.stdout
