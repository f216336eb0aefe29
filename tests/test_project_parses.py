"""The project pass parses each file once (issue 13): counted, not timed.

The second round analyses again the files whose cross-module facts changed
(here: helpers that take their client from a factory and their model from
a settings module, three analyses each). The parse depends only on the
bytes, and is most of an analysis: each analysis after the first of a
file that imports from the project starts from the tree the first one
parsed (``engine._Trees``), in this process or on the worker that parsed it
(``runner._Members``)."""

from __future__ import annotations

import collections
import multiprocessing
import os
from pathlib import Path

import libcst
import pytest

import codemods.core.runner as runner
import codemods.python.engine as engine
from codemods.core.engine import EngineConfig
from codemods.core.runner import RunInput, run

HELPERS = 6


def _tree(root: Path) -> dict[bytes, str]:
    """The project; its files by their bytes."""
    files = {
        "pyproject.toml": "",
        "pkg/__init__.py": "",
        "pkg/factory.py": "from openai import OpenAI\n\n\ndef get_client():\n    return OpenAI()\n",
        "pkg/settings.py": 'CHAT_MODEL = "gpt-4o-mini"\n',
    }
    for i in range(HELPERS):
        files[f"pkg/helper_{i}.py"] = (
            "from pkg.factory import get_client\n"
            "from pkg.settings import CHAT_MODEL\n\n\n"
            f"def summarize_{i}(text, model=CHAT_MODEL):\n"
            "    client = get_client()\n"
            "    return client.chat.completions.create(\n"
            '        model=model, messages=[{"role": "user", "content": text}]\n'
            "    )\n"
        )
        files[f"pkg/caller_{i}.py"] = (
            f"from pkg.helper_{i} import summarize_{i}\n\n"
            f'print(summarize_{i}("t", model="gpt-4o"))\n'
        )
    by_bytes = {}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
        by_bytes[text.encode()] = rel
    return by_bytes


def _analyses_and_parses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> tuple[collections.Counter[str], collections.Counter[str], list]:
    """Run the project pass; count, per file, the analyses and the parses of
    its bytes as read (a fix's output parsed to verify it is not counted).
    Workers (forked) count in a file."""
    root = tmp_path / "project"
    root.mkdir()
    by_bytes = _tree(root)
    log = tmp_path / "log"
    real_parse = libcst.parse_module
    real_analyze = engine.analyze_source

    def parse(source, *a, **k):
        name = by_bytes.get(source) if isinstance(source, bytes) else None
        if name is not None:
            with open(log, "a") as f:
                f.write(f"parse {name}\n")
        return real_parse(source, *a, **k)

    def analyze(path, *a, **k):
        with open(log, "a") as f:
            f.write(f"analysis {Path(os.path.relpath(path, root)).as_posix()}\n")
        return real_analyze(path, *a, **k)

    monkeypatch.setattr(libcst, "parse_module", parse)
    monkeypatch.setattr(engine, "analyze_source", analyze)
    monkeypatch.setattr(runner, "MP_START_METHOD", "fork")
    monkeypatch.chdir(root)
    results, errors = run(RunInput(["."], EngineConfig(), jobs=jobs))
    out = [(r.result.path, [f.code for f in r.result.findings]) for r in results]
    assert not errors
    analyses: collections.Counter[str] = collections.Counter()
    parses: collections.Counter[str] = collections.Counter()
    for line in log.read_text().splitlines():
        what, name = line.split(" ", 1)
        (analyses if what == "analysis" else parses)[name] += 1
    return analyses, parses, sorted(out)


def test_in_process_each_file_is_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyses, parses, _ = _analyses_and_parses(tmp_path, monkeypatch, jobs=1)
    helpers = [f"pkg/helper_{i}.py" for i in range(HELPERS)]
    # the second round does analyse the helpers again (client, then model)
    assert all(analyses[h] >= 3 for h in helpers), analyses
    assert sum(analyses.values()) > len(analyses)
    # ... but parses each file once, the factory too (it imports only the
    # SDK, but builds a client: the second round tells it how other
    # modules use it, engine._may_run_again)
    once = collections.Counter(dict.fromkeys(analyses, 1))
    assert parses == once, parses


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="counts in forked workers"
)
def test_on_workers_a_file_goes_back_to_the_worker_that_parsed_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "two").mkdir()
    analyses, parses, out = _analyses_and_parses(tmp_path / "two", monkeypatch, jobs=2)
    assert sum(analyses.values()) > len(analyses)
    # the greedy balance may send a file to the other worker, which parses
    # it again: at most one file of each rerun batch here (same sizes)
    assert sum(parses.values()) <= len(analyses) + 4, parses
    (tmp_path / "one").mkdir()
    assert out == _analyses_and_parses(tmp_path / "one", monkeypatch, jobs=1)[2]


def test_the_trees_are_bounded() -> None:
    trees = engine._Trees(budget=50)
    for i in range(10):
        trees.keep(f"m{i}.py", b"x = %02d\n" % i, libcst.parse_module(b"x = 1\n"))
    assert trees.used <= 50 and len(trees.items) == 50 // len(b"x = 00\n")
    assert trees.take("m0.py", b"x = 00\n") is None  # the oldest went first
    assert trees.take("m9.py", b"x = 09\n") is not None
    assert trees.take("m9.py", b"x = 09\n") is None  # taken: kept again after use
    assert trees.take("m8.py", b"changed\n") is None  # other bytes: parsed again


def test_trees_of_files_analysed_ahead_or_often_go_first() -> None:
    tree = libcst.parse_module(b"x = 1\n")
    trees = engine._Trees(budget=80)  # ten 8-byte sources
    # analysed ahead: a quarter of the budget at most (two), the oldest goes
    for i in range(3):
        trees.keep(f"a{i}.py", b"a = %03d\n" % i, tree, ahead=True)
    assert trees.take("a0.py", b"a = 000\n") is None
    assert trees.ahead_used == 16
    trees.keep("again.py", b"g = 000\n", tree)
    trees.keep("again.py", b"g = 000\n", tree)  # its second analysis
    for i in range(8):
        trees.keep(f"m{i}.py", b"m = %03d\n" % i, tree)
    # over the budget: the trees kept ahead go before the others
    assert trees.ahead_used == 8 and trees.take("a1.py", b"a = 001\n") is None
    trees.keep("m8.py", b"m = 008\n", tree)
    trees.keep("m9.py", b"m = 009\n", tree)
    # then the tree of a file analysed twice, before any analysed once
    assert trees.take("again.py", b"g = 000\n") is None
    assert all(trees.take(f"m{i}.py", b"m = %03d\n" % i) is not None for i in range(10))
    assert trees.used == 0
