"""The project index of the cache (issue 13 item 1): in a project pass an
unchanged file costs a stat, not a read; a changed file is read; a file
whose stat cannot be trusted (modified just before the run that read it)
is read and its content hash compared."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

import codemods.core.runner as runner
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
}


def _project(root: Path, plain: int = 10) -> None:
    files = dict(FILES)
    for i in range(plain):
        files[f"demo/plain_{i}.py"] = f"def f{i}(x):\n    return x\n"
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    _age(root)


def _age(root: Path) -> None:
    """Make every file's stat trusted (modified well before the next run)."""
    old = 1_600_000_000
    for p in root.rglob("*.py"):
        os.utime(p, (old, old))


def _run(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[dict, list[str]]:
    reads: list[str] = []
    real = runner.read_source

    def counting(path):
        reads.append(os.path.basename(str(path)))
        return real(path)

    monkeypatch.setattr(runner, "read_source", counting)
    results, errors = run(RunInput(paths=[str(root)], config=EngineConfig(), cache=True))
    out = {
        Path(p.result.path).name: (
            [(f.line, f.code) for f in p.result.findings],
            p.result.new_source,
        )
        for p in results
    }
    monkeypatch.undo()
    assert not errors
    return out, reads


def test_unchanged_files_are_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    cold, cold_reads = _run(tmp_path, monkeypatch)
    assert "plain_3.py" in cold_reads
    assert b"openai/gpt-4o" in (cold["cli.py"][1] or b"")  # found by the text scan
    warm, warm_reads = _run(tmp_path, monkeypatch)
    assert warm == cold
    # only the files whose result changes them are read (their bytes are kept
    # for migrate); every other file costs a stat
    changed = sorted(name for name, (_, new) in cold.items() if new is not None)
    assert sorted(set(warm_reads)) == changed
    assert "plain_3.py" not in warm_reads


def test_a_changed_file_is_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    _run(tmp_path, monkeypatch)
    (tmp_path / "demo/plain_3.py").write_text("from .service import ask\nask('x', 'o1')\n")
    os.utime(tmp_path / "demo/plain_3.py", (1_600_000_100, 1_600_000_100))
    out, reads = _run(tmp_path, monkeypatch)
    assert "plain_3.py" in reads and "plain_4.py" not in reads
    assert b"openai/o1" in (out["plain_3.py"][1] or b"")


def test_a_racy_file_is_checked_by_its_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Modified just before the run: its stat may not change with its next
    change, so the next run reads it and compares the content hash (and
    reuses what it knew when the bytes are the same)."""
    _project(tmp_path)
    (tmp_path / "demo/plain_5.py").write_text("def g(x):\n    return x\n")  # mtime: now
    first, _ = _run(tmp_path, monkeypatch)
    second, reads = _run(tmp_path, monkeypatch)
    assert second == first
    assert "plain_5.py" in reads  # read and hashed, not trusted by its stat
    assert "plain_4.py" not in reads
    # same size, mtime put back: the change time and the hash still catch it
    p = tmp_path / "demo/plain_5.py"
    st = p.stat()
    p.write_text("def g(y):\n    return y\n")
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    _, reads = _run(tmp_path, monkeypatch)
    assert "plain_5.py" in reads


def test_a_corrupt_index_is_an_empty_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    first, _ = _run(tmp_path, monkeypatch)
    (index,) = tmp_path.rglob("index-*.marshal")
    index.write_bytes(b"\x00garbage")
    again, reads = _run(tmp_path, monkeypatch)
    assert again == first
    assert "plain_3.py" in reads  # everything read again


def test_summaries_are_cached_whole_whatever_they_hold() -> None:
    """Every field of a summary survives the cache (the form is generic:
    fields added later are kept without touching the cache code)."""
    import dataclasses
    import json

    from codemods.python.project import ModuleSummary, summary_from_dict, summary_to_dict

    s = ModuleSummary(
        imports={"M": (".settings", "M"), "N": ("?", "N")},
        field_imports={"Config.MODEL": (".settings", "Config.MODEL")},
        constant_attributes=["MODEL"],
        sdk_attribute_reads=["client"],
        sink_uses={"M": 2},
        other_uses={"M": 0},
        certain={"M"},
        module_imports=["pkg.settings"],
        handled={"X"},
        sink_params={"ask": {"model": 1, "alt": None}},
        sink_params_certain={"ask"},
        safe={"M"},
        sink_params_safe={"ask"},
        clients={"client": "migrate", "make_client": "left"},
        wants_importers=True,
        client_params={"run": {"client": 0, "backup": None}},
        client_args={"run": [{"0": "migrate", "backup": "left"}, {"*": "unknown"}]},
        client_arg_keys={"run": [(3, {"0": ["client"]}), (4, {})]},
        module_client={"version": "v1", "configures": True, "calls": False, "state": None},
        key_uses={"KEY": 1},
        key_handled={"OPENAI_KEY"},
        declared_exports={"MODEL", "*"},
        client_uses={"client": [(False, 3, "files.create")], "fixture:c": [(True, 9, "chat")]},
        client_facts={"client": [("mode", 4, "instructor.Mode.MD_JSON"), ("block", 7, "'o1'")]},
        client_escapes={"client"},
        client_aliases={"shared": ["client"]},
        whole_imports=["pkg.settings"],
        module_aliases={"c": "pkg.clients"},
        bare_module_reads={"c"},
        client_sites=(2, 1),
        wants_all_migrated=True,
        litellm_globals=True,
        litellm_calls=True,
        stream_returns={"stream_chat": [False, ""], "Bot.stream": [True, "; unsafe fix: x"]},
        agents_default=["client", 4],
        agents_settings={"chat_completions"},
        agents_built=True,
        agents_configured="default",
        agents_unconfigured=True,
        litellm_uses={"MODEL": 1},
        litellm_handled={"MODEL"},
        langchain_exports={"llm": "migrate"},
        client_callees={"run": ["0", "client"]},
        param_escapes={"run": {"c": [[5, "is passed to `x`", ", whose requests ..."]]}},
        param_forwards={"run": {"c": [["ask", "0", False, 6]]}},
        escape_functions={"run": [["c"], ["k"], False]},
        param_uses={"ask": {"llm": [(True, 3, "chat.completions.create")]}},
        reexports={"llm": ["./client", "client"]},
        star_reexports=["./clients"],
        star_names={"ChatOpenAI": "langchain_openai.ChatOpenAI"},
        moves=True,
        wants_run_moves=True,
        keeps_openai=True,
        wants_kept_openai=True,
    )
    for f in dataclasses.fields(ModuleSummary):
        assert getattr(s, f.name), f"set every field in this test: {f.name}"
    back = summary_from_dict(json.loads(json.dumps(summary_to_dict(s))))
    assert back == s
    with pytest.raises(ValueError):
        summary_from_dict({**summary_to_dict(s), "unknown_field": 1})
