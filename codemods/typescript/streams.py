"""OR401 for TypeScript/JavaScript: stream loops and OpenRouter's last chunk.

OpenRouter ends every chat-completion stream with one usage chunk whose
``choices`` is an empty array (see :mod:`codemods.python.rules.streams`, the Python
rule this ports). In JavaScript ``chunk.choices[0]`` is then ``undefined``
and ``chunk.choices[0].delta`` throws a TypeError, after the whole answer
was streamed.

What counts as a stream: ``chat.completions.create({..., stream: true})``
and ``completions.create({..., stream: true})``, and
``chat.completions.stream(...)`` (also ``beta.``: the Node SDK's
``ChatCompletionStream`` yields the chunks themselves), on a client this run
moves or one already on OpenRouter, or on a receiver the tool cannot resolve
(then the fix is unsafe); a client left on OpenAI gets nothing. It is read by
``for await (const chunk of X)``, X being the call (awaited or not) or a
``const`` bound to it.

A ``chunk.choices[0]`` (or ``chunk.choices?.[0]``) is unguarded when it is
dereferenced without ``?.`` (``chunk.choices[0].delta``) or destructured
(``const { delta } = chunk.choices[0]``). It is guarded under an ``if``,
``&&`` or ``?:`` whose condition reads ``chunk.choices``, after an ``if
(...chunk.choices...) continue;`` (or ``break``/``return``/``throw``) earlier
in the loop body, or inside a ``try`` within the loop. The fix inserts ``if
(!chunk.choices.length) continue;`` first in the loop body, in the file's
style (semicolons, indentation); it is unsafe when the loop reads
``chunk.usage`` or uses the chunk otherwise than through its ``choices``,
``id``, ``model``, ``created``, ``object``, ``system_fingerprint`` or
``service_tier`` (the skipped chunk is the one carrying the usage), when the
stream's receiver is not resolved, or when its client moves only as an
unsafe fix. Helper functions the chunk is passed to are not followed (the
fix is then unsafe). A loop that takes the chunk apart (``for await (const
{ choices } of stream)``) is reported without a fix, unless its body tests
``choices.length`` or reads ``choices?.``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from codemods.core.rules import RULES
from codemods.typescript.analysis import Node, member_parts, text, unwrap

if TYPE_CHECKING:
    from codemods.typescript.rules import Context, TsReport

STREAM_CALLS: frozenset[tuple[str, ...]] = frozenset(
    {
        ("chat", "completions", "create"),
        ("completions", "create"),
    }
)
STREAM_METHODS: frozenset[tuple[str, ...]] = frozenset(
    {
        ("chat", "completions", "stream"),
    }
)
#: what a chunk carries besides ``choices`` and ``usage``
_HARMLESS = frozenset({"id", "model", "created", "object", "system_fingerprint", "service_tier"})
_EXITS = frozenset({"continue_statement", "break_statement", "return_statement", "throw_statement"})
_FUNCTIONS = frozenset(
    {
        "function_declaration",
        "function_expression",
        "arrow_function",
        "method_definition",
        "generator_function_declaration",
        "generator_function",
        "class_declaration",
        "class",
    }
)


def check_streams(ctx: Context) -> None:
    """Report (and guard) the ``for await`` loops over streams of clients that
    go to OpenRouter whose body dereferences ``chunk.choices[0]``."""
    from codemods.typescript.rules import _split_call

    facts = ctx.facts
    if b"for" not in ctx.source or b"choices" not in ctx.source:
        return
    streams: dict[int, Node] = {}  # call id -> the stream call
    for call in facts.calls:
        split = _split_call(call)
        if split is None:
            continue
        _, path = split
        if path in STREAM_METHODS or (path in STREAM_CALLS and _streams(call)):
            streams[call.id] = call
    if not streams:
        return
    stack = [facts.root] if getattr(facts, "root", None) is not None else []
    if not stack:
        stack = [_root(next(iter(streams.values())))]
    while stack:
        node = stack.pop()
        if node.type == "for_in_statement":
            _check_loop(ctx, node, streams)
        stack.extend(reversed(node.children))


def _root(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node


def _streams(call: Node) -> bool:
    """``create({..., stream: true})``."""
    from codemods.typescript.rules import _key_name, _members

    args = call.child_by_field_name("arguments")
    named = [c for c in args.named_children if c.type != "comment"] if args else []
    first = unwrap(named[0]) if named else None
    if first is None or first.type != "object":
        return False
    for m in _members(first):
        if _key_name(m) == "stream" and m.type == "pair":
            value = unwrap(m.child_by_field_name("value"))
            return value is not None and value.type == "true"
    return False


def _stream_call(ctx: Context, node: Node | None, streams: dict[int, Node]) -> Node | None:
    """The stream call an iterated expression is: the call (awaited or not),
    or a name declared once, never reassigned, bound to it."""
    facts = ctx.facts
    for _ in range(2):
        node = unwrap(node)
        if node is not None and node.type == "await_expression":
            node = unwrap(node.named_children[0] if node.named_children else None)
        if node is None:
            return None
        if node.type == "call_expression":
            return streams.get(node.id)
        if node.type != "identifier":
            return None
        node = facts.value_of(node)
    return None


def _check_loop(ctx: Context, loop: Node, streams: dict[int, Node]) -> None:
    from codemods.typescript.rules import _resolve, _split_call

    if not any(c.type == "await" for c in loop.children):
        return  # ``for (const c of s)`` cannot read an async stream
    call = _stream_call(ctx, loop.child_by_field_name("right"), streams)
    left = loop.child_by_field_name("left")
    body = loop.child_by_field_name("body")
    if call is None or left is None or body is None:
        return
    if left.type != "identifier" and not (
        left.type in ("object_pattern", "array_pattern") and "choices" in text(left)
    ):
        return
    split = _split_call(call)
    clients = _resolve(ctx, split[0]) if split is not None else None
    if clients == []:
        return  # another package's client
    keys = [getattr(c, "id", c) for c in clients or ()]
    decisions = [ctx.decisions.get(k) for k in keys]
    if "left" in decisions:
        return  # stays on OpenAI, which sends no empty chunk unasked
    if left.type != "identifier":
        # ``for await (const { choices } of stream)``: reported, not fixed
        # (the guard needs the chunk's name); a body that tests the length
        # or reads it optionally is taken as guarded
        if any(g in text(body) for g in ("choices.length", "choices?.", "choices[0]?.")):
            return
        shown = text(left)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        ctx.report(
            loop,
            RULES["OR401"],
            f"the loop takes `{shown}` apart from each stream chunk; on OpenRouter's last "
            "chunk `choices` is empty, so reading `choices[0]` throws a TypeError: name the "
            "chunk and skip it when `!chunk.choices.length`",
        )
        return
    chunk = text(left)
    unguarded: list[Node] = []
    other: str | None = None
    for ref in _references(body, chunk):
        steps, top = _steps(ref)
        if steps[:1] == ["choices"]:
            index = _dereferenced_index(ref, top)
            if index is not None and not _guarded(index, body, chunk):
                unguarded.append(index)
            continue
        if steps and steps[0] in _HARMLESS:
            continue
        if other is None:
            shown = text(top)
            shown = shown if len(shown) <= 40 else shown[:37] + "..."
            if "usage" in steps[:1]:
                other = f"the loop reads `{shown}`, which only the skipped chunk carries"
            elif not steps:
                other = f"the loop passes `{shown}` on whole (the skipped chunk carries the usage)"
            else:
                other = f"the loop uses `{shown}`"
    if not unguarded:
        return
    requires: list[TsReport] = []
    for k in keys:
        r = ctx.client_reports.get(k)
        if r is not None:
            requires.append(r)
    notes = []
    if other is not None:
        notes.append(other + ": move that above the guard to keep it")
    if clients is None:
        notes.append(
            "the stream's client is not resolved, and may not go to OpenRouter (the guard "
            "is harmless there)"
        )
    if "unsafe" in decisions:
        notes.append("its client moves only as an unsafe fix")
    guard, fix = _guard_edit(ctx, body, chunk)
    first = unguarded[0]
    line = first.start_point[0] + 1
    r = ctx.report(
        loop,
        RULES["OR401"],
        f"`{text(first)}` at line {line} is undefined on OpenRouter's last stream chunk, whose "
        f"`choices` is empty, and reading it throws a TypeError: insert `{guard}` at the top "
        "of the loop" + "".join(f"; unsafe fix: {n}" for n in notes),
        fix=fix,
        unsafe=bool(notes),
    )
    r.requires.extend(requires)


def _references(body: Node, name: str) -> list[Node]:
    """The identifiers reading ``name`` in ``body`` (a function that declares
    its own ``name`` parameter is not entered: good enough for a loop)."""
    out = []
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type == "identifier" and text(node) == name:
            out.append(node)
            continue
        if node.type == "shorthand_property_identifier" and text(node) == name:
            out.append(node)  # ``{ chunk }``: passed on whole
            continue
        stack.extend(reversed(node.children))
    return out


def _steps(ref: Node) -> tuple[list[str], Node]:
    """``chunk.a.b`` -> (["a", "b"], the outermost member node); indexing
    stops the walk (``chunk.choices[0]`` -> (["choices"], ``chunk.choices``))."""
    node = ref
    steps: list[str] = []
    while True:
        parent = node.parent
        if (
            parent is not None
            and parent.type == "member_expression"
            and parent.child_by_field_name("object") == node
        ):
            prop = parent.child_by_field_name("property")
            steps.append(text(prop) if prop is not None else "")
            node = parent
            continue
        break
    return steps, node


def _dereferenced_index(ref: Node, top: Node) -> Node | None:
    """The ``chunk.choices[N]`` above ``ref`` whose value is then read in a
    way that throws on ``undefined`` (None: not indexed, or read safely)."""
    parts = member_parts(top)
    if parts is None or len(parts) != 2:
        return None  # ``chunk.choices.length``, ``chunk.choices.map(...)``
    index = top.parent
    if (
        index is None
        or index.type != "subscript_expression"
        or index.child_by_field_name("object") != top
    ):
        return None
    parent = index.parent
    while parent is not None and parent.type in ("parenthesized_expression", "non_null_expression"):
        index, parent = parent, parent.parent
    if parent is None:
        return None
    if parent.type in ("member_expression", "subscript_expression"):
        if parent.child_by_field_name("object") != index:
            return None
        if any(c.type == "optional_chain" for c in parent.children):
            return None  # ``chunk.choices[0]?.delta``
        return index
    if parent.type == "variable_declarator" and parent.child_by_field_name("value") == index:
        name = parent.child_by_field_name("name")
        if name is not None and name.type in ("object_pattern", "array_pattern"):
            return index  # ``const { delta } = chunk.choices[0]``
    return None


def _mentions_choices(node: Node | None, chunk: str) -> bool:
    if node is None:
        return False
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "member_expression":
            parts = member_parts(n)
            if parts is not None and parts[:2] == [chunk, "choices"]:
                return True
        stack.extend(n.children)
    return False


def _exits(node: Node | None) -> bool:
    """A statement that leaves the iteration (``continue;``, ``{ continue; }``)."""
    if node is None:
        return False
    if node.type in _EXITS:
        return True
    if node.type == "statement_block":
        named = [c for c in node.named_children if c.type != "comment"]
        return bool(named) and _exits(named[-1])
    return False


def _guarded(index: Node, body: Node, chunk: str) -> bool:
    node = index
    while node is not None and node.id != body.id:
        parent = node.parent
        if parent is None:
            return False
        if parent.type in _FUNCTIONS:
            return False  # a callback: runs who knows when
        if parent.type == "try_statement" and node.type == "statement_block":
            return True  # ``try { ... } catch``: inside the loop, skips the chunk
        if parent.type == "if_statement" and node.id != (
            (parent.child_by_field_name("condition") or parent).id
        ):
            if _mentions_choices(parent.child_by_field_name("condition"), chunk):
                return True
        if parent.type == "binary_expression" and node == parent.child_by_field_name("right"):
            op = parent.child_by_field_name("operator")
            if (
                op is not None
                and text(op) in ("&&", "||", "??")
                and _mentions_choices(parent.child_by_field_name("left"), chunk)
            ):
                return True
        if parent.type == "ternary_expression" and node != parent.child_by_field_name("condition"):
            if _mentions_choices(parent.child_by_field_name("condition"), chunk):
                return True
        if parent.type in ("statement_block", "program", "switch_case"):
            for sibling in parent.named_children:
                if sibling.id == node.id:
                    break
                if (
                    sibling.type == "if_statement"
                    and _mentions_choices(sibling.child_by_field_name("condition"), chunk)
                    and _exits(sibling.child_by_field_name("consequence"))
                ):
                    return True
        node = parent
    return False


def _guard_edit(ctx: Context, body: Node, chunk: str) -> tuple[str, list[tuple[int, int, bytes]]]:
    """The guard statement and the edit that puts it first in the loop body,
    in the file's style: a semicolon if the file's statements end with one,
    ``?.`` if the file reads ``choices?.``, the indentation of the body."""
    source = ctx.source
    semi = _uses_semicolons(body) if body.type == "statement_block" else None
    if semi is None:
        semi = _uses_semicolons(_root(body))
    optional = b"choices?." in source
    guard = f"if (!{chunk}.choices{'?.' if optional else '.'}length) continue{';' if semi else ''}"
    if body.type != "statement_block":  # ``for await (...) stmt;``: braces it
        sep = _line_break(source)
        indent = _indent_of(source, body.start_byte)
        loop_indent = _indent_of(source, body.parent.start_byte) if body.parent else b""
        if source[: body.start_byte].rstrip(b" \t").endswith((b"\n", b"\r")):
            return guard, [
                (
                    body.start_byte,
                    body.end_byte,
                    b"{"
                    + sep
                    + indent
                    + guard.encode()
                    + sep
                    + indent
                    + body.text
                    + sep
                    + loop_indent
                    + b"}",
                )
            ]
        return guard, [
            (body.start_byte, body.end_byte, b"{ " + guard.encode() + b" " + body.text + b" }")
        ]
    named = [c for c in body.named_children]
    brace = body.children[0]
    first = named[0] if named else None
    if first is not None and first.start_point[0] != brace.end_point[0]:
        # multi-line: a line of its own, at the first statement's indentation
        indent = _indent_of(source, first.start_byte)
        sep = _line_break(source)
        at = _line_start(source, first.start_byte)
        return guard, [(at, at, indent + guard.encode() + sep)]
    if first is None and body.start_point[0] != body.end_point[0]:
        sep = _line_break(source)
        indent = _indent_of(source, body.start_byte) + b"  "
        return guard, [(brace.end_byte, brace.end_byte, sep + indent + guard.encode())]
    return guard, [(brace.end_byte, brace.end_byte, b" " + guard.encode())]


def _uses_semicolons(node: Node) -> bool | None:
    """Do the statements under ``node`` end with ``;`` (None: no statement
    that could tell)?"""
    yes = no = 0
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type in (
            "expression_statement",
            "lexical_declaration",
            "variable_declaration",
            "return_statement",
            "continue_statement",
            "break_statement",
            "import_statement",
        ):
            if (
                n.children
                and n.children[-1].type == ";"
                and n.children[-1].end_byte > n.children[-1].start_byte
            ):
                yes += 1
            else:
                no += 1
            continue
        stack.extend(n.children)
    if yes == no == 0:
        return None
    return yes >= no


def _line_start(source: bytes, offset: int) -> int:
    return max(source.rfind(b"\n", 0, offset), source.rfind(b"\r", 0, offset)) + 1


def _indent_of(source: bytes, offset: int) -> bytes:
    start = _line_start(source, offset)
    line = source[start:offset]
    return line[: len(line) - len(line.lstrip(b" \t"))]


def _line_break(source: bytes) -> bytes:
    return b"\r\n" if b"\r\n" in source else b"\n"
