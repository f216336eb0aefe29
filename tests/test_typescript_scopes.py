"""The lexical scope resolver of the TypeScript front-end
(codemods/typescript/scopes.py): which declaration each read refers to."""

from __future__ import annotations

import re
import textwrap

import pytest

from codemods.typescript.parser import parse
from codemods.typescript.scopes import Binding, build


def _reads(source: str, grammar: str = "typescript") -> tuple[list[tuple[int, str, object]], str]:
    """(line, name, the resolved binding) of every identifier marked
    ``/*?*/`` right after it."""
    src = textwrap.dedent(source)
    root = parse(src.encode(), grammar).root_node
    scopes = build(root)
    marks = {m.start() for m in re.finditer(r"/\*\?\*/", src)}
    out = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in ("identifier", "shorthand_property_identifier") and node.end_byte in marks:
            out.append((node.start_point[0] + 1, node.text.decode(), scopes.lookup(node)))
        stack.extend(node.children)
    out.sort(key=lambda r: (r[0], r[1]))
    return out, src


def _where(b: object) -> tuple[str, int] | None:
    """(kind, line of its declaration) of a binding; None: none or ambiguous."""
    if b is None:
        return None
    assert isinstance(b, Binding)
    return b.kind, b.ident.start_point[0] + 1


def test_a_name_declared_in_two_functions_is_two_variables() -> None:
    reads, _ = _reads(
        """
        async function main() {
          const params = { model: "gpt-4" };
          await client.chat.completions.create(params/*?*/);
        }
        function other() {
          const params = { model: "gpt-3.5-turbo" };
          return params/*?*/;
        }
        """
    )
    assert [(line, _where(b)) for line, _, b in reads] == [
        (4, ("const", 3)),
        (8, ("const", 7)),
    ]


def test_let_and_const_are_scoped_to_their_block_and_var_to_its_function() -> None:
    reads, _ = _reads(
        """
        const x = 1;
        function f(flag) {
          if (flag) {
            const x = 2;
            var v = 3;
            x/*?*/;
          }
          x/*?*/;
          v/*?*/;
          flag/*?*/;
        }
        x/*?*/;
        v/*?*/;
        """
    )
    assert [(line, name, _where(b)) for line, name, b in reads] == [
        (7, "x", ("const", 5)),
        (9, "x", ("const", 2)),
        (10, "v", ("var", 6)),  # hoisted to the function
        (11, "flag", ("param", 3)),
        (13, "x", ("const", 2)),
        (14, "v", None),  # a global here
    ]


def test_parameters_patterns_arrows_methods_catch_and_loops() -> None:
    reads, _ = _reads(
        """
        const g = ({ a, b: c }, [d], ...rest) => a/*?*/ + c/*?*/ + d/*?*/ + rest/*?*/;
        const h = q => q/*?*/;
        class K {
          m(z = 1) { return z/*?*/; }
        }
        for (const item of items) { item/*?*/; }
        try {} catch ({ message }) { message/*?*/; }
        const { model, ...others } = config;
        model/*?*/;
        others/*?*/;
        """
    )
    assert [(name, _where(b)) for _, name, b in reads] == [
        ("a", ("param", 2)),
        ("c", ("param", 2)),
        ("d", ("param", 2)),
        ("rest", ("param", 2)),
        ("q", ("param", 3)),
        ("z", ("param", 5)),
        ("item", ("const", 7)),
        ("message", ("catch", 8)),
        ("model", ("const", 9)),
        ("others", ("const", 9)),
    ]


def test_imports_functions_and_classes_are_declarations() -> None:
    reads, _ = _reads(
        """
        import OpenAI, { toFile as tf } from "openai";
        import * as lib from "./lib";
        import legacy = require("./legacy");
        OpenAI/*?*/; tf/*?*/; lib/*?*/; legacy/*?*/;
        run/*?*/();
        function run() {}
        new Bot/*?*/();
        class Bot {}
        const f = function inner() { return inner/*?*/; };
        inner/*?*/;
        """
    )
    assert [(name, _where(b)) for _, name, b in reads] == [
        ("OpenAI", ("import", 2)),
        ("legacy", ("import", 4)),
        ("lib", ("import", 3)),
        ("tf", ("import", 2)),
        ("run", ("function", 7)),
        ("Bot", ("class", 9)),
        ("inner", ("function", 10)),  # a named function expression sees itself
        ("inner", None),  # ... and only itself does
    ]


def test_javascript_parameters() -> None:
    reads, _ = _reads(
        """
        function f(a, { b }, [c], d = 1) { return a/*?*/ + b/*?*/ + c/*?*/ + d/*?*/; }
        """,
        grammar="javascript",
    )
    assert [_where(b) for _, _, b in reads] == [("param", 2)] * 4


def test_two_declarations_in_one_scope_are_ambiguous() -> None:
    reads, src = _reads(
        """
        function f(llm) {
          var llm = pick();
          return llm/*?*/;
        }
        var twice = 1;
        var twice = 2;
        twice/*?*/;
        """
    )
    assert [(name, b) for _, name, b in reads] == [("llm", None), ("twice", None)]
    root = parse(src.encode(), "typescript").root_node
    scopes = build(root)
    assert len(scopes.table[root.id]["twice"]) == 2


@pytest.mark.parametrize(
    ("write", "assigned", "reassigned"),
    [
        ("x = other;", 1, False),
        ("x += 1;", 0, True),
        ("x++;", 0, True),
        ("[x] = pair;", 0, True),
        ("({ x } = o);", 0, True),
        ("for (x of xs) {}", 0, True),
        # another variable of the same name is written: not this one
        ("function g() { let x; x = other; x++; }", 0, False),
    ],
)
def test_writes_are_attributed_to_the_binding_they_write(
    write: str, assigned: int, reassigned: bool
) -> None:
    reads, _ = _reads(
        f"""
        let x = 1;
        {write}
        x/*?*/;
        """
    )
    (_, _, b), *_ = reads
    assert isinstance(b, Binding)
    assert (len(b.assigned), b.reassigned) == (assigned, reassigned)
    assert (b.values() is None) == reassigned
