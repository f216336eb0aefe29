"""The project pass analyses a file twice only when the other files change
what it is told (issue 13, dense trees): counted, not timed.

A module whose public function takes a client (``def ask(c, q)``, called
here with a client built here) cannot know in round 1 whether other
modules call it: its first result treats the parameter as unknown (the
model's fix is unsafe), and the second round tells it "no other module
calls it" (``plan_param_clients``: "none"; ``plan_private``: nothing of it
imported). On the dense benchmark tree that second analysis, with a second
parse, was three quarters of the files. Round 1 now also analyses such a
file with that answer, on the same tree (``engine.analyze_ahead``), and the
second round takes it when the planner's input is exactly that one: each
file is parsed once and none is analysed again, with the same output as
analysing again. A file another module does call is analysed again."""

from __future__ import annotations

import collections
import multiprocessing
from pathlib import Path

import libcst
import pytest

import codemods.core.runner as runner
import codemods.python.engine as engine
from codemods.core.engine import EngineConfig
from codemods.core.runner import RunInput, run

SERVICES = 5

SERVICE = """\
from openai import OpenAI

client = OpenAI()


def ask(c, question):
    return c.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": question}]
    )


def main():
    return ask(client, "hi")
"""

# calls svc_0's function with something that is not a client of the run
CALLER = """\
from pkg.svc_0 import ask

print(ask(object(), "x"))
"""


def _tree(root: Path, caller: bool) -> dict[bytes, str]:
    files = {"pyproject.toml": "", "pkg/__init__.py": ""}
    for i in range(SERVICES):
        # distinct bytes per file (the parse count is by bytes)
        files[f"pkg/svc_{i}.py"] = SERVICE + f"\nINDEX = {i}\n"
    if caller:
        files["pkg/caller.py"] = CALLER
    by_bytes = {}
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
        by_bytes[text.encode()] = rel
    return by_bytes


def _run(
    root: Path, monkeypatch: pytest.MonkeyPatch, jobs: int, ahead: bool = True
) -> tuple[collections.Counter[str], collections.Counter[str], list]:
    """Run the project pass over ``root``; count per file the parses of its
    bytes as read and the second-round analyses (a log file: forked workers
    count too). ``ahead=False``: round 1 computes nothing ahead (as before)."""
    by_bytes = {p.read_bytes(): p.relative_to(root).as_posix() for p in root.rglob("*.py")}
    log = root.parent / f"{root.name}.log"
    real_parse = libcst.parse_module
    real_again = engine.analyze_with_project
    real_ahead = engine.analyze_ahead

    def parse(source, *a, **k):
        name = by_bytes.get(source) if isinstance(source, bytes) else None
        if name is not None:
            with open(log, "a") as f:
                f.write(f"parse {name}\n")
        return real_parse(source, *a, **k)

    def again(path, *a, **k):
        with open(log, "a") as f:
            f.write(f"again {Path(path).as_posix()}\n")
        return real_again(path, *a, **k)

    def nothing_ahead(*a, **k):
        result, summary, _ = real_ahead(*a, **k)
        return result, summary, None

    with monkeypatch.context() as m:
        m.setattr(libcst, "parse_module", parse)
        m.setattr(engine, "analyze_with_project", again)
        if not ahead:
            m.setattr(engine, "analyze_ahead", nothing_ahead)
        m.setattr(runner, "MP_START_METHOD", "fork")
        m.chdir(root)
        results, errors = run(RunInput(["."], EngineConfig(), jobs=jobs))
        out = sorted(
            (
                r.result.path,
                [(f.line, f.code, f.applicability, f.message) for f in r.result.findings],
                r.result.new_source,
            )
            for r in results
        )
    assert not errors
    parses: collections.Counter[str] = collections.Counter()
    analysed_again: collections.Counter[str] = collections.Counter()
    for line in log.read_text().splitlines() if log.exists() else ():
        what, name = line.split(" ", 1)
        (parses if what == "parse" else analysed_again)[name.removeprefix("./")] += 1
    return parses, analysed_again, out


def _project(tmp_path: Path, name: str, caller: bool) -> Path:
    root = tmp_path / name
    root.mkdir()
    _tree(root, caller)
    return root


def test_no_file_is_analysed_again_when_nothing_calls_its_functions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, "ahead", caller=False)
    parses, again, out = _run(root, monkeypatch, jobs=1)
    services = [f"pkg/svc_{i}.py" for i in range(SERVICES)]
    assert again == collections.Counter(), again  # (before: every service)
    assert parses == collections.Counter(dict.fromkeys(services, 1)), parses
    # the answer round 1 computed is the second round's: the client moves
    # with a safe fix (its only caller passes a client built here)
    for path, findings, new_source in out:
        if "svc_" in path:
            assert {(code, applicability) for _, code, applicability, _ in findings} == {
                ("OR101", "safe"),
                ("OR201", "safe"),
            }, findings
            assert new_source is not None and b"openai/gpt-4o" in new_source
    # ... and the same output as analysing each file again
    root_before = _project(tmp_path, "before", caller=False)
    parses_before, again_before, out_before = _run(root_before, monkeypatch, jobs=1, ahead=False)
    assert again_before == collections.Counter(dict.fromkeys(services, 1))
    # (analysed again on the tree its first analysis kept: engine._may_run_again)
    assert parses_before == collections.Counter(dict.fromkeys(services, 1)), parses_before
    assert [o[1:] for o in out] == [o[1:] for o in out_before]


def test_a_file_whose_function_another_module_calls_is_analysed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path, "ahead", caller=True)
    _, again, out = _run(root, monkeypatch, jobs=1)
    # (the caller is analysed again for what svc_0 says of its function)
    assert set(again) - {"pkg/caller.py"} == {"pkg/svc_0.py"}, again
    by_path = {Path(path).as_posix().removeprefix("./"): findings for path, findings, _ in out}
    # svc_0's parameter may be anything: its model's fix stays unsafe
    assert ("OR201", "unsafe") in {(c, a) for _, c, a, _ in by_path["pkg/svc_0.py"]}
    assert ("OR201", "safe") in {(c, a) for _, c, a, _ in by_path["pkg/svc_1.py"]}
    root_before = _project(tmp_path, "before", caller=True)
    _, _, out_before = _run(root_before, monkeypatch, jobs=1, ahead=False)
    assert [o[1:] for o in out] == [o[1:] for o in out_before]


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="counts in forked workers"
)
def test_on_workers_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path, "two", caller=True)
    parses, again, out = _run(root, monkeypatch, jobs=2)
    assert set(again) - {"pkg/caller.py"} == {"pkg/svc_0.py"}, again
    # svc_0 is analysed again on the worker that kept its tree (its function
    # takes a client: engine._may_run_again), the caller may be parsed again
    # (a worker it was not parsed on may take it); every other file once
    assert all(parses[f"pkg/svc_{i}.py"] == 1 for i in range(SERVICES)), parses
    root_one = _project(tmp_path, "one", caller=True)
    assert out == _run(root_one, monkeypatch, jobs=1)[2]
