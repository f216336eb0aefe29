"""The engine's fast paths compute exactly what LibCST's slow ones do:
facts (and data-flow scopes) from the direct walk == from ``module.visit``; positions from
the offset-counting codegen == ``PositionProvider``; fixes spliced per
edited subtree == the whole module transformed."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from libcst.metadata import MetadataWrapper, PositionProvider

from codemods.core.engine import EngineConfig
from codemods.python import analysis, engine
from codemods.python.engine import process_source
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
    analysis.finish(facts, module)
    return facts


def _parse(path: Path) -> cst.Module | None:
    try:
        return cst.parse_module(path.read_bytes())
    except Exception:  # noqa: BLE001 - the broken fixtures
        return None


def _scope_summary(scope) -> tuple:
    return (
        {k: [None if v is None else id(v) for v in vs] for k, vs in scope.assigns.items()},
        {k: [id(n) for n in ns] for k, ns in scope.loads.items()},
        sorted(scope.declared),
    )


def _check_scopes(module: cst.Module) -> None:
    """The data-flow scope walk (``read_walk``) == LibCST's ``visit``."""
    from codemods.python.rules import dataflow

    functions: list[cst.CSTNode] = []

    class Defs(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            functions.append(node)

        def visit_Lambda(self, node: cst.Lambda) -> None:
            functions.append(node)

    module.visit(Defs())
    for node in functions:
        fast = dataflow._func_scope(node)
        slow = dataflow._FuncScope(node, fast.params, fast.positional, {}, {}, set())
        node.body.visit(dataflow._ScopeWalker(slow))
        assert _scope_summary(fast) == _scope_summary(slow)


def _check_module(module: cst.Module, data: bytes) -> None:
    assert _facts_summary(analysis.collect(module)) == _facts_summary(_slow_facts(module))
    _check_scopes(module)
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
    # one statement at a time, through the parents from the facts walk
    # (nodes the walk does not visit fall back to the whole module)
    parents = analysis.collect(module).parents
    by_statement = engine._Positions(module, data, nodes, [], parents)
    for node in nodes:
        rng = expected[node]
        assert by_statement.range(node) == (
            (rng.start.line, rng.start.column),
            (rng.end.line, rng.end.column),
        ), node
    for node in nodes[::7]:
        one = engine._Positions(module, data, [node], [], parents)
        rng = expected[node]
        assert one.range(node) == (
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


def _statement_positions(source: bytes, needle: str, occurrence: int = 0):
    """Positions of the ``occurrence``-th ``Name(needle)`` through the
    statement path, the expected ones, and whether the path had to fall back."""
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    names = [n for n in expected if isinstance(n, cst.Name) and n.value == needle]
    node = names[occurrence]
    rng = expected[node]
    whole = []
    original = engine._Positions._whole

    def spy(self, *args):
        whole.append(True)
        return original(self, *args)

    engine._Positions._whole = spy
    try:
        positions = engine._Positions(module, source, [node], [], analysis.collect(module).parents)
    finally:
        engine._Positions._whole = original
    want = ((rng.start.line, rng.start.column), (rng.end.line, rng.end.column))
    return positions.range(node), want, bool(whole)


def test_statement_path_generates_only_the_statement() -> None:
    source = b"import os\n\nclass A:\n    def f(self):\n        x = target(1)\n        return x\n"
    got, want, fell_back = _statement_positions(source, "target")
    assert got == want == ((5, 12), (5, 18))
    assert not fell_back


@pytest.mark.parametrize(
    "source",
    [
        # the same statement text twice, at the same indentation
        b"def f():\n    x = target\n\ndef g():\n    x = target\n",
        # the statement's text also starts a line inside a string
        b'DOC = """\nx = target\n"""\nx = target\n',
        # a top-level statement whose text ends an indented line
        b"if a:\n    x = target\nx = target\n",
        # CRLF line endings, the twin separated by a lone LF
        b"def f():\r\n    x = target\r\n\r\ndef g():\r\n    x = target\r\n",
    ],
)
def test_statement_path_never_takes_a_twin(source: bytes) -> None:
    for occurrence in range(source.count(b"x = target") - source.count(b'"\nx = target')):
        got, want, _ = _statement_positions(source, "target", occurrence)
        assert got == want


def test_statement_path_without_a_final_newline() -> None:
    source = b"x = target\ny = 1\nx = target"
    for occurrence in (0, 1):
        got, want, _ = _statement_positions(source, "target", occurrence)
        assert got == want


def test_statement_path_elif_and_custom_indentation() -> None:
    source = b"if a:\n  pass\nelif b:\n\ttarget()\nelse:\n      if c:\n          target()\n"
    for occurrence in (0, 1):
        got, want, _ = _statement_positions(source, "target", occurrence)
        assert got == want


# Text swapped in for a node by the never-a-false-pass property below: some
# compile anywhere, some only in some contexts, some nowhere.
_SWAPS = [
    "x",
    "await x",
    "(yield)",
    "(yield from x)",
    "f(a=1, a=2)",
    "(x",
    "x)",
    "'''",
    "(x := 1)",
    "[(w := y) for y in z]",
    "lambda: (yield)",
    "f'{x!r:>{y}}'",
    "__class__",
    "*x",
    "x\nbreak",
    "x != y",
]


def _swap(text: str):
    def fix(node: cst.CSTNode) -> cst.CSTNode:
        new = cst.Name("x")
        object.__setattr__(new, "value", text)  # past Name's own validation
        return new

    return fix


def _statement_verdicts(module: cst.Module, data: bytes, limit: int = 60) -> list[bool]:
    """For expressions of ``module``, each replaced by each text of _SWAPS:
    the statement-by-statement check never passes what the whole-module
    compile refuses. Returns its verdicts (to see it does pass some)."""
    try:
        engine._quiet_compile(data, "<original>")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # the claim is about modules that compile
    parents = analysis.collect(module).parents
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    candidates = [
        n
        for n in wrapper.resolve(PositionProvider)
        if isinstance(n, (cst.Name, cst.Call, cst.SimpleString, cst.Attribute)) and id(n) in parents
    ]
    verdicts = []
    for i, node in enumerate(candidates[:limit]):
        for text in _SWAPS[i % 3 :: 3]:
            positions = engine._Positions(module, data, [node], [node], parents)
            applier = engine._ApplyFixes({id(node): [_swap(text)]})
            new = positions.splice(applier)
            if new is None:
                continue
            passed = engine._verify_statements(positions, parents, data)
            try:
                engine._quiet_compile(new.encode(module.encoding), "<new>")
                compiles = True
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                compiles = False
            assert compiles or not passed, (text, new)
            verdicts.append(passed)
    return verdicts


def test_statement_verify_never_passes_what_python_refuses_on_fixtures() -> None:
    verdicts = []
    for path in FILES:
        module = _parse(path)
        if module is not None:
            verdicts += _statement_verdicts(module, path.read_bytes())
    # it does its job: most swaps are settled statement by statement
    assert verdicts.count(True) > 200, verdicts.count(True)
    assert verdicts.count(False) > 200, verdicts.count(False)


@pytest.mark.parametrize(
    "source",
    [
        # context the header stands for: async, generator, class, loops
        "async def f():\n    for i in y:\n        g(i)\n",
        "def f():\n    while True:\n        g(1)\n        break\n",
        "class A:\n    def m(self):\n        return g(1)\n    k = g(2)\n",
        "def outer():\n    v = 1\n    def inner():\n        nonlocal v\n        v = g(v)\n",
        # a swap to ``x`` uses x before the function's global declaration
        "def f():\n    g(y)\n    global x\n    x = 2\n",
        "from __future__ import annotations\nfrom __future__ import barry_as_FLUFL\nx = g(1)\n",
        "for i in y:\n    with g(i) as c:\n        continue\n",
        "try:\n    pass\nexcept* E:\n    g(1)\n",
    ],
)
def test_statement_verify_never_passes_what_python_refuses(source: str) -> None:
    import sys

    if "except*" in source and sys.version_info < (3, 11):
        pytest.skip("except* is Python 3.11+")
    module = cst.parse_module(source)
    assert _statement_verdicts(module, source.encode())  # the original compiles: swaps ran


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(source=__import__("hypothesmith").from_grammar())
def test_statement_verify_never_passes_what_python_refuses_on_generated_code(
    source: str,
) -> None:
    try:
        module = cst.parse_module(source)
    except Exception:  # noqa: BLE001 - hypothesmith can produce what LibCST refuses
        return
    _statement_verdicts(module, source.encode("utf-8"), limit=15)


def test_scope_walk_matches_libcst_on_every_binding_form() -> None:
    source = (
        "def f(a, /, b=1, *c, d, **e):\n"
        "    import os.path as p, json\n"
        "    from x import y as z\n"
        "    g = h = 1\n"
        "    i: int = 2\n"
        "    j += 1\n"
        "    (k := 3)\n"
        "    for l, *m in n: pass\n"
        "    [o for o in q]\n"
        "    with r as s: pass\n"
        "    try: pass\n"
        "    except E as t: pass\n"
        "    del u\n"
        "    global v\n"
        "    def w(x=lambda aa: aa): return x.attr\n"
        "    class K: kk = 1\n"
        "    return y(key=p)\n"
    )
    _check_scopes(cst.parse_module(source))


def test_a_processed_file_leaves_no_tree_for_the_cyclic_gc() -> None:
    """Each file's tree is freed by reference counting when it is done (the
    runner makes the cyclic GC rare on that basis): no reference cycle of
    the engine holds a node."""
    import gc

    data = (FIXTURES / "quickstart" / "app.py").read_bytes()
    config = EngineConfig()
    process_source("app.py", data, config)  # warm: caches, lazy imports
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        result = process_source("app.py", data, config)
        assert result.findings  # the whole engine ran
        # another file: the rules' one-file cache lets go of the first tree
        process_source("other.py", b"import openai\n", config)
        gc.collect()
        held = [o for o in gc.garbage if isinstance(o, cst.CSTNode)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    assert held == []
