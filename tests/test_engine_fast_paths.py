"""The engine's fast paths compute exactly what LibCST's slow ones do:
facts from the direct walk == facts from ``module.visit``; positions from
the offset-counting codegen == ``PositionProvider``; fixes spliced per
edited subtree == the whole module transformed."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from libcst.metadata import MetadataWrapper, PositionProvider

from codemods import analysis, engine
from codemods.engine import EngineConfig, process_source
from tests.conftest import FIXTURES

FILES = sorted(p for p in FIXTURES.rglob("*.py"))


def _facts_summary(f: analysis.ModuleFacts) -> tuple:
    return (
        {k: sorted(v) for k, v in f.imports.items()},
        sorted(f.other_bindings),
        [id(c) for c in f.calls],
        [id(c) for c in f.classes],
        [id(x) for x in f.top_level_import_lines],
        {k: (id(v.assign), id(v.value)) for k, v in f.string_constants.items()},
        dict(f.assignment_counts),
        {k: [id(n) for n in v] for k, v in f.name_uses.items()},
        {k: [None if x is None else id(x) for x in v] for k, v in f.assigned_from_call.items()},
        sorted(f.local_classes),
        [(id(a), id(b)) for a, b in f.attribute_assignments],
        f.has_star_import_from_openai,
    )


def _slow_facts(module: cst.Module) -> analysis.ModuleFacts:
    facts = analysis.ModuleFacts()
    module.visit(analysis._Collector(facts))
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine) and any(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
        ):
            facts.top_level_import_lines.append(stmt)
    for name in list(facts.string_constants):
        if facts.assignment_counts.get(name, 0) != 1 or name in facts.imports:
            del facts.string_constants[name]
    return facts


def _parse(path: Path) -> cst.Module | None:
    try:
        return cst.parse_module(path.read_bytes())
    except Exception:  # noqa: BLE001 - the broken fixtures
        return None


def _check_module(module: cst.Module, data: bytes) -> None:
    assert _facts_summary(analysis.collect(module)) == _facts_summary(_slow_facts(module))
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    expected = wrapper.resolve(PositionProvider)
    nodes = [n for n in expected if not isinstance(n, cst.Module)]
    # whole generation (no early stop): every node
    positions = engine._Positions(module, b"\r", nodes, [])
    for node in nodes:
        rng = expected[node]
        assert positions.range(node) == (
            (rng.start.line, rng.start.column),
            (rng.end.line, rng.end.column),
        ), node
    # early stop after the last node asked about
    some = nodes[: len(nodes) // 3]
    if some:
        early = engine._Positions(module, data, some, [])
        for node in some:
            rng = expected[node]
            assert early.range(node) == (
                (rng.start.line, rng.start.column),
                (rng.end.line, rng.end.column),
            )


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fast_paths_match_libcst_on_fixtures(path: Path) -> None:
    module = _parse(path)
    if module is None:
        pytest.skip("does not parse")
    _check_module(module, path.read_bytes())


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_spliced_fixes_equal_the_whole_module_transform(path: Path, monkeypatch) -> None:
    data = path.read_bytes()
    config = EngineConfig()
    fast = process_source(str(path), data, config)
    monkeypatch.setattr(engine._Positions, "splice", lambda self, applier: None)
    slow = process_source(str(path), data, config)
    assert fast == slow


def test_edit_inside_an_indented_block_keeps_its_indentation() -> None:
    source = (
        b"from openai import OpenAI\n\n"
        b"class A:\n"
        b"    def f(self):\n"
        b"        if True:\n"
        b"            c = OpenAI(\n"
        b"                timeout=3,\n"
        b"            )\n"
        b"            return c.chat.completions.create(model='gpt-4o', messages=[])\n"
    )
    result = process_source("x.py", source, EngineConfig())
    assert result.new_source is not None
    compile(result.new_source, "x.py", "exec")
    assert b"model='openai/gpt-4o'" in result.new_source


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=__import__("hypothesmith").from_grammar())
def test_fast_paths_match_libcst_on_generated_code(source: str) -> None:
    try:
        module = cst.parse_module(source)
    except Exception:  # noqa: BLE001 - hypothesmith can produce what LibCST refuses
        return
    _check_module(module, source.encode("utf-8"))
