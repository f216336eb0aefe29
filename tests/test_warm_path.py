"""A warm run (issue 13: at most 3x the I/O floor) does only what it must.

When every file of the project has the stat the index recorded and the
second round's outcome is known, ``check`` costs a stat per file and one
cache entry per result it reports: it imports no parser (LibCST,
tree-sitter), no rules, no YAML and no model table, and decodes no
project-pass summary. A single named file (pre-commit) reads only its own
entry. These promises are what keep the warm run near the floor; the tests
count imports and operations, not time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import codemods.core.cache as cache_mod
import codemods.core.project as core_project
from codemods.core.engine import EngineConfig
from codemods.core.runner import RunInput, run

pytestmark = pytest.mark.uses_cache

ROOT = Path(__file__).resolve().parent.parent

FILES = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
    ".git/HEAD": "ref: refs/heads/main\n",
    ".gitignore": "# plain lines (see discovery._plain_rule)\n.venv/\n*.pyc\n/build\n",
    "demo/__init__.py": "",
    "demo/settings.py": 'CHAT_MODEL = "gpt-4o-mini"\n',
    "demo/service.py": """
        from openai import OpenAI
        from .settings import CHAT_MODEL

        client = OpenAI()

        def ask(prompt, model=CHAT_MODEL):
            return client.chat.completions.create(model=model, messages=[])
    """,
    "demo/cli.py": "from .service import ask\nask('hi', 'gpt-4o')\n",
    "demo/other.py": "from openai import OpenAI\nOpenAI().embeddings.create(model='o1', input='x')\n",
    "demo/plain.py": "def f(x):\n    return x\n",
    "web/app.ts": "import OpenAI from 'openai';\nconst c = new OpenAI();\n",
}

#: what a warm run must not import (a parser, the rules, YAML, the model
#: table, the package metadata machinery, what only writing, debugging or
#: planning need)
NOT_ON_THE_WARM_PATH = (
    "libcst",
    "tree_sitter",
    "yaml",
    "importlib.metadata",
    "importlib.resources",
    "pathspec",  # (with a .gitignore of plain lines)
    "logging",
    "subprocess",
    "tempfile",
    "codemods.core.project",
    "codemods.python.project",
    "codemods.core.mapping",
    "codemods.python.engine",
    "codemods.python.rules",
    "codemods.typescript.engine",
)

_PROBE = """
import gc, json, runpy, sys
out = sys.argv.pop(1)
try:
    runpy.run_module("codemods", run_name="__main__", alter_sys=True)
finally:
    with open(out, "w") as fh:
        json.dump({"modules": sorted(sys.modules), "frozen": gc.get_freeze_count()}, fh)
"""


def _project(root: Path) -> None:
    for rel, text in FILES.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    for p in root.rglob("*"):
        if p.is_file():
            os.utime(p, (1_600_000_000, 1_600_000_000))  # stats trusted


def _cli(root: Path, tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set]:
    """``python -m codemods check ARGS`` in ``root``; also the modules it imported."""
    modules = tmp_path / "modules.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, str(modules), "check", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr
    seen = json.loads(modules.read_text())
    # the objects left at exit are frozen: the interpreter's last collection
    # does not scan them (see _GuardedGroup.main)
    assert seen["frozen"] > 0
    return proc, set(seen["modules"])


@pytest.mark.parametrize("args", [(".",), ("demo/cli.py",)])
def test_a_warm_run_imports_no_parser_rules_or_table(tmp_path: Path, args: tuple[str]) -> None:
    root = tmp_path / "proj"
    _project(root)
    cold, cold_modules = _cli(root, tmp_path, *args)
    assert "libcst" in cold_modules and "OR" in cold.stdout  # it did analyse
    warm, modules = _cli(root, tmp_path, *args)
    assert (warm.stdout, warm.stderr, warm.returncode) == (
        cold.stdout,
        cold.stderr,
        cold.returncode,
    )
    imported = sorted(
        m for m in modules if any(m == n or m.startswith(n + ".") for n in NOT_ON_THE_WARM_PATH)
    )
    assert imported == []
    # a changed file is analysed again (the warm path is not taken blindly)
    cli = root / "demo/cli.py"
    cli.write_text("from .service import ask\nask('hi', 'gpt-4.1')\n")
    os.utime(cli, (1_600_000_100, 1_600_000_100))
    changed, modules = _cli(root, tmp_path, *args)
    assert "libcst" in modules and "openai/gpt-4.1" in changed.stdout


class _Reads:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.entries: list[str] = []
        self.summaries = 0
        real_get = cache_mod.Cache.get_entry
        real_decode = core_project.summary_from_dict

        def get_entry(cache, key, path, *args, **kwargs):
            self.entries.append(path)
            return real_get(cache, key, path, *args, **kwargs)

        def summary_from_dict(d):
            self.summaries += 1
            return real_decode(d)

        monkeypatch.setattr(cache_mod.Cache, "get_entry", get_entry)
        monkeypatch.setattr(core_project, "summary_from_dict", summary_from_dict)


def _run(paths: list[str], monkeypatch: pytest.MonkeyPatch, cache: bool = True):
    with monkeypatch.context() as m:
        reads = _Reads(m)
        results, errors = run(
            RunInput(paths=paths, config=EngineConfig(), cache=cache, project_context=True)
        )
        out = {
            Path(p.result.path).name: (
                [(f.line, f.code, f.message) for f in p.result.findings],
                p.result.new_source,
                p.original if p.result.new_source is not None else None,
            )
            for p in results
        }
    assert not errors
    return out, reads


def test_a_warm_run_reads_each_reported_result_once_and_no_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path)
    reference, _ = _run([str(tmp_path)], monkeypatch, cache=False)
    assert b"openai/gpt-4o" in (reference["cli.py"][1] or b"")  # a second-round result
    _run([str(tmp_path)], monkeypatch)  # fills the cache and the index
    warm, reads = _run([str(tmp_path)], monkeypatch)
    assert warm == reference
    assert reads.summaries == 0
    # every file with a result to report, once (round 1's result of a file
    # the second round processed again is not read)
    assert len(reads.entries) == len(set(reads.entries))


def test_a_named_file_reads_only_its_own_result_when_warm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path)
    one = [str(tmp_path / "demo/other.py")]
    reference, _ = _run(one, monkeypatch, cache=False)
    assert list(reference) == ["other.py"] and reference["other.py"][0]
    _run(one, monkeypatch)
    warm, reads = _run(one, monkeypatch)
    assert warm == reference
    assert [Path(p).name for p in reads.entries] == ["other.py"]
    assert reads.summaries == 0
