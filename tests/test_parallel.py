"""Worker processes: same results, same order, bounded memory, no pool
when nothing needs parsing, and LibCST not even imported then."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from codemods.core import runner
from codemods.core.engine import EngineConfig
from codemods.core.findings import Settings
from codemods.core.runner import RunInput, run
from tests.conftest import FIXTURES
from tests.helpers import cli_runner

ROOT = Path(__file__).resolve().parent.parent
USES = (
    "from openai import OpenAI\nclient = OpenAI()\n"
    'client.chat.completions.create(model="{model}", messages=[])\n'
)


def _tree(tmp_path: Path, n: int = 40) -> Path:
    root = tmp_path / "tree"
    for i in range(n):
        d = root / f"pkg{i % 3}"
        d.mkdir(parents=True, exist_ok=True)
        if i % 4 == 0:
            text = USES.format(model=["gpt-4o", "gpt-4o-mini", "gpt-9-nope"][i % 3])
        elif i % 7 == 0:
            text = "def f(:\n    openai\n"  # a candidate with a syntax error
        else:
            text = f"import os\nVALUE = {i}\n"
        (d / f"m{i:03d}.py").write_text(text)
    return root


def _collect(paths: list[str], jobs: int, **kw) -> list[tuple[dict, bytes | None]]:
    results, errors = run(RunInput(paths=paths, jobs=jobs, **kw))
    assert not errors
    return [(p.result.to_dict(), p.original) for p in results]


def test_workers_give_the_same_results_in_the_same_order(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(runner, "CHUNK_FILES", 2)  # several chunks in flight
    root = _tree(tmp_path)
    one = _collect([str(root)], jobs=1)
    two = _collect([str(root)], jobs=2)
    assert one == two
    paths = [r["path"] for r, _ in one]
    assert paths == sorted(paths)  # discovery order, kept
    assert any(r["findings"] for r, _ in one) and any(r["errors"] for r, _ in one)


@pytest.mark.parametrize("name", ["quickstart", "aliased_app", "realworld", "legacy", "broken"])
def test_fixture_repos_through_workers(name: str) -> None:
    path = str(FIXTURES / name)
    assert _collect([path], jobs=1) == _collect([path], jobs=2)


def test_spawn_start_method(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(runner, "MP_START_METHOD", "spawn")
    root = _tree(tmp_path, 12)
    assert _collect([str(root)], jobs=2) == _collect([str(root)], jobs=1)


def test_no_pool_when_nothing_needs_parsing(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    for i in range(10):
        (root / f"m{i}.py").write_text(f"x = {i}\n")

    def no_pool(*a: object) -> None:
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr(runner, "_start_pool", no_pool)
    out = _collect([str(root)], jobs=4)
    assert len(out) == 10 and all(r["skipped"] for r, _ in out)


def test_original_bytes_kept_only_for_changed_files(tmp_path: Path) -> None:
    root = _tree(tmp_path, 20)
    for jobs in (1, 2):
        for result, original in _collect([str(root)], jobs=jobs):
            assert (original is not None) == (result["new_source"] is not None)


def test_worker_crash_is_reported_and_the_run_goes_on(tmp_path: Path, monkeypatch) -> None:
    if "fork" not in __import__("multiprocessing").get_all_start_methods():
        pytest.skip("needs fork to patch the worker")
    monkeypatch.setattr(runner, "MP_START_METHOD", "fork")
    monkeypatch.setattr(runner, "CHUNK_FILES", 1)
    root = _tree(tmp_path, 12)
    real = runner._process_bytes

    def crashing(path: str, data: bytes, config: EngineConfig):
        if path.endswith("m004.py"):
            os._exit(3)
        return real(path, data, config)

    monkeypatch.setattr(runner, "_process_bytes", crashing)
    out = _collect([str(root)], jobs=2)
    assert len(out) == 12
    crashed = [r for r, _ in out if r["path"].endswith("m004.py")][0]
    assert "worker process died" in crashed["errors"][0]["message"]
    # files after it were processed (by a fresh pool)
    assert [r for r, _ in out if r["path"].endswith("m008.py")][0]["findings"]


def test_a_pool_broken_between_two_submits_is_not_a_crash(tmp_path: Path, monkeypatch) -> None:
    """A worker may die after one chunk is sent and before the next: the
    submit then raises BrokenProcessPool (CI saw it once). Every file is
    still processed, the ones of the refused chunk alone in a fresh pool."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    monkeypatch.setattr(runner, "CHUNK_FILES", 1)
    root = _tree(tmp_path, 12)
    real_submit = ProcessPoolExecutor.submit
    calls = {"n": 0}

    def flaky_submit(self, fn, /, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:  # the third submit of the run finds the pool broken
            raise BrokenProcessPool("a child process terminated abruptly")
        return real_submit(self, fn, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", flaky_submit)
    out = _collect([str(root)], jobs=2)
    monkeypatch.setattr(ProcessPoolExecutor, "submit", real_submit)
    assert calls["n"] > 3
    assert out == _collect([str(root)], jobs=1)


def test_engine_config_is_picklable() -> None:
    config = EngineConfig(settings=Settings(select=("OR2",)), mapping_files=("x.yaml",))
    assert pickle.loads(pickle.dumps(config)) == config


def test_cli_on_a_tree_without_openai_never_imports_libcst(tmp_path: Path) -> None:
    root = _tree(tmp_path, 10)
    for p in root.rglob("*.py"):
        p.write_text("import os\n")
    code = (
        "import sys, json\n"
        "from codemods.cli import main\n"
        "try:\n"
        "    main(['check', '--jobs', '2', sys.argv[1]])\n"
        "except SystemExit as e:\n"
        "    mods = sorted(m for m in sys.modules if m.startswith('libcst'))\n"
        "    print(json.dumps([e.code, mods]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", code, str(root)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    exit_code, libcst_modules = json.loads(proc.stdout.strip().splitlines()[-1])
    assert exit_code == 0, proc.stderr
    assert libcst_modules == []


def test_cli_jobs_and_no_cache_options(tmp_path: Path) -> None:

    from codemods.cli import main

    root = _tree(tmp_path, 12)
    outputs = []
    for args in (["--jobs", "1", "--no-cache"], ["--jobs", "2", "--no-cache"], ["-j", "2"], []):
        res = cli_runner().invoke(main, ["check", *args, str(root)], catch_exceptions=False)
        outputs.append((res.exit_code, res.stdout))
    assert all(o == outputs[0] for o in outputs)
    assert outputs[0][0] == 2  # the syntax errors
    res = cli_runner().invoke(main, ["check", "--jobs", "0", str(root)])
    assert res.exit_code == 2 and "--jobs" in res.stderr


def test_second_round_on_workers_keeps_each_result_with_its_file(
    tmp_path: Path, monkeypatch
) -> None:
    """The second round sends its files one per message, the largest first:
    each result still lands on its own file, in the run's order."""
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "settings.py").write_text('CHAT_MODEL = "gpt-4o-mini"\n')
    models = ["gpt-4o", "o3-mini", "gpt-4.1", "gpt-4o-2024-08-06", "gpt-4-turbo", "o1"]
    for i, model in enumerate(models):
        padding = "# padding\n" * (300 * ((i * 5) % 6))  # sizes out of order
        (root / "app" / f"use_{i}.py").write_text(
            "from openai import OpenAI\nfrom .settings import CHAT_MODEL\n"
            + padding
            + "client = OpenAI()\n"
            + "client.chat.completions.create(model=CHAT_MODEL, messages=[])\n"
            + f'client.chat.completions.create(model="{model}", messages=[])\n'
        )
    sizes: list[int] = []
    real = runner._Pipeline._project_results

    def counted(self, chunk, future):
        sizes.append(len(chunk))
        return real(self, chunk, future)

    monkeypatch.setattr(runner._Pipeline, "_project_results", counted)
    one = _collect([str(root)], jobs=1)
    two = _collect([str(root)], jobs=2)
    assert one == two
    assert sizes and set(sizes) == {1} and len(sizes) >= len(models)
    for r, _ in one:
        name = Path(r["path"]).name
        if name.startswith("use_"):
            model = models[int(name[4:-3])]
            assert any(f"'{model}'" in f["message"] for f in r["findings"]), name
            # the second round's result (round 1 reported OR205 for CHAT_MODEL)
            assert not any("CHAT_MODEL" in f["message"] for f in r["findings"]), name
