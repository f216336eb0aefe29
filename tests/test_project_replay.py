"""An unchanged project replays its second round (issue 13, warm runs): when
every file of the run is the one the index recorded (same paths, same
content hashes, same configuration), the planner does not run and the
files it processed again get their results from the cache. Counted in
operations: planner calls, engine runs. Any change plans again."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

import codemods.core.runner as runner
import codemods.python.project as project
from codemods.core.engine import EngineConfig
from codemods.core.runner import RunInput, run

pytestmark = pytest.mark.uses_cache

FILES = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
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
    "demo/plain.py": "def f(x):\n    return x\n",
}


def _project(root: Path) -> None:
    for rel, text in FILES.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    for p in root.rglob("*.py"):
        os.utime(p, (1_600_000_000, 1_600_000_000))  # stats trusted


class _Counts:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.plans = 0
        self.analyses = 0
        real_plan = project.plan_calls

        def plan_calls(*args, **kwargs):
            self.plans += 1
            return real_plan(*args, **kwargs)

        monkeypatch.setattr(project, "plan_calls", plan_calls)
        for name in ("_process_bytes", "_process_project"):
            real = getattr(runner, name)

            def counted(*args, _real=real, **kwargs):
                self.analyses += 1
                return _real(*args, **kwargs)

            monkeypatch.setattr(runner, name, counted)


def _run(paths: list[str], monkeypatch: pytest.MonkeyPatch, cache: bool = True):
    with monkeypatch.context() as m:
        counts = _Counts(m)
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
    return out, counts


def test_an_unchanged_project_is_not_planned_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path)
    reference, _ = _run([str(tmp_path)], monkeypatch, cache=False)
    assert b"openai/gpt-4o" in (reference["cli.py"][1] or b"")  # a second-round result
    cold, counts = _run([str(tmp_path)], monkeypatch)
    assert cold == reference
    assert counts.plans == 1 and counts.analyses > 0
    warm, counts = _run([str(tmp_path)], monkeypatch)
    assert warm == reference  # also the bytes migrate diffs and writes against
    assert (counts.plans, counts.analyses) == (0, 0)


def test_a_changed_file_plans_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    _run([str(tmp_path)], monkeypatch)
    p = tmp_path / "demo/plain.py"
    p.write_text("from .service import ask\nask('x', 'o1')\n")
    os.utime(p, (1_600_000_100, 1_600_000_100))
    out, counts = _run([str(tmp_path)], monkeypatch)
    assert counts.plans == 1
    assert b"openai/o1" in (out["plain.py"][1] or b"")
    reference, _ = _run([str(tmp_path)], monkeypatch, cache=False)
    assert out == reference
    again, counts = _run([str(tmp_path)], monkeypatch)
    assert again == reference and counts.plans == 0


def test_a_single_file_run_and_the_tree_run_each_replay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pre-commit names files: its run (the named file first, then the rest
    of the project) is recorded apart from the run over the tree."""
    _project(tmp_path)
    one = [str(tmp_path / "demo/cli.py")]
    reference, _ = _run(one, monkeypatch, cache=False)
    assert list(reference) == ["cli.py"] and reference["cli.py"][1]
    for _ in range(2):
        _run([str(tmp_path)], monkeypatch)
        out, _ = _run(one, monkeypatch)
        assert out == reference
    tree, counts = _run([str(tmp_path)], monkeypatch)
    assert counts.plans == 0
    out, counts = _run(one, monkeypatch)
    assert out == reference and counts.plans == 0


def test_a_file_holding_a_key_is_never_replayed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Such a file is never cached nor indexed: the run plans every time."""
    _project(tmp_path)
    (tmp_path / "demo/keys.py").write_text('KEY = "sk-proj-' + "a1B2" * 12 + '"\n')
    _run([str(tmp_path)], monkeypatch)
    _, counts = _run([str(tmp_path)], monkeypatch)
    assert counts.plans == 1


def test_a_missing_entry_plans_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    reference, _ = _run([str(tmp_path)], monkeypatch)
    _run([str(tmp_path)], monkeypatch)
    cache = tmp_path / ".openrouter-migrate-cache"
    for entry in cache.rglob("*.json"):
        entry.unlink()
    out, counts = _run([str(tmp_path)], monkeypatch)
    assert out == reference and counts.plans == 1


def test_a_replayed_run_knows_its_migration_units(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """migrate writes a unit whole or not at all (codemods/core/units.py): a
    replayed second round must give every file the unit the planned one
    gave it, or a warm run would write one member without the others."""

    def units() -> tuple[dict[str, tuple[str, ...]], int]:
        with monkeypatch.context() as m:
            counts = _Counts(m)
            results, errors = run(
                RunInput(
                    paths=[str(tmp_path)], config=EngineConfig(), cache=True, project_context=True
                )
            )
            out = {Path(p.result.path).name: tuple(sorted(p.unit)) for p in results}
        assert not errors
        return out, counts.plans

    _project(tmp_path)
    planned, plans = units()
    assert plans == 1 and any(planned.values())
    replayed, plans = units()
    assert plans == 0
    assert replayed == planned
