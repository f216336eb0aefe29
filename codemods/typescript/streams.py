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
unsafe fix. A function of the module the chunk is passed to
(``handle(chunk)``) is read like the loop body (two calls deep); a function
the tool cannot see makes the fix unsafe. ``const [choice] = chunk.choices``
and ``const { choices: [c] } = chunk`` count as reading ``choices[0]`` when
the element is then dereferenced without ``?.``. The stream may come from a
function of the module that returns it (``for await (const c of await
ask(q))``). A loop that takes the chunk apart (``for await (const
{ choices } of stream)``) is reported without a fix, unless its body tests
``choices.length`` or reads ``choices?.``.

OR402 (no fix): chunks read where no loop can take the guard: a
``stream.on("chunk", (chunk) => ...)`` handler (``ChatCompletionStream``),
and ``it.next()`` on ``stream[Symbol.asyncIterator]()``.
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
    if b"choices" not in ctx.source:
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
        elif node.type == "call_expression":
            _check_manual_read(ctx, node, streams)
        stack.extend(reversed(node.children))


def _moves(ctx: Context, call: Node) -> bool:
    """Does the stream's client go to OpenRouter, or may it (not resolved)?"""
    from codemods.typescript.rules import _resolve, _split_call

    split = _split_call(call)
    clients = _resolve(ctx, split[0]) if split is not None else None
    if clients == []:
        return False  # another package's client
    keys = [getattr(c, "id", c) for c in clients or ()]
    return "left" not in [ctx.decisions.get(k) for k in keys]


def _check_manual_read(ctx: Context, call: Node, streams: dict[int, Node]) -> None:
    """OR402: chunks read where no guard can be put at the top of a loop:
    ``stream.on("chunk", (chunk) => ...)`` (the Node SDK's
    ``ChatCompletionStream``) and ``it.next()`` on
    ``stream[Symbol.asyncIterator]()``."""
    callee = unwrap(call.child_by_field_name("function"))
    if callee is None or callee.type != "member_expression":
        return
    prop = callee.child_by_field_name("property")
    method = text(prop) if prop is not None else ""
    if method == "on":
        _check_chunk_handler(ctx, call, callee, streams)
    elif method == "next":
        _check_next(ctx, call, callee, streams)


def _check_chunk_handler(ctx: Context, call: Node, callee: Node, streams: dict[int, Node]) -> None:
    args = call.child_by_field_name("arguments")
    named = [c for c in args.named_children if c.type != "comment"] if args else []
    if len(named) < 2 or named[0].type != "string" or text(named[0])[1:-1] != "chunk":
        return
    stream = _stream_call(ctx, callee.child_by_field_name("object"), streams)
    handler = unwrap(named[1])
    if handler is not None and handler.type == "identifier":
        handler = ctx.facts.function_of(handler)
    if stream is None or handler is None or not _moves(ctx, stream):
        return
    if handler.type not in (
        "arrow_function",
        "function_expression",
        "function",
        "function_declaration",
    ):
        return
    param = _param_name(handler, 0)
    body = handler.child_by_field_name("body")
    if param is None or body is None:
        return
    unguarded, _ = _scan(ctx, body, param, 0)
    if unguarded:
        _report_unfixable(
            ctx,
            call,
            unguarded[0],
            f"the `chunk` event handler's `{param}`",
            f"start the handler with `if (!{param}.choices.length) return`",
        )


def _check_next(ctx: Context, call: Node, callee: Node, streams: dict[int, Node]) -> None:
    """``const { value } = await it.next()`` (``it`` bound to
    ``stream[Symbol.asyncIterator]()``), then ``value.choices[0].x``."""
    facts = ctx.facts
    target = unwrap(callee.child_by_field_name("object"))
    if target is None or target.type != "identifier":
        return
    iterator = unwrap(facts.value_of(target))
    if iterator is None or iterator.type != "call_expression":
        return
    getter = unwrap(iterator.child_by_field_name("function"))
    if (
        getter is None
        or getter.type != "subscript_expression"
        or "Symbol.asyncIterator" not in text(getter.child_by_field_name("index") or getter)
    ):
        return
    stream = _stream_call(ctx, getter.child_by_field_name("object"), streams)
    if stream is None or not _moves(ctx, stream):
        return
    node = call.parent
    if node is not None and node.type == "await_expression":
        node = node.parent
    while node is not None and node.type == "parenthesized_expression":
        node = node.parent
    scope = _enclosing_block(call)
    if node is None or scope is None:
        return
    value: str | None = None
    if node.type == "variable_declarator":
        pattern = node.child_by_field_name("name")
        if pattern is not None and pattern.type == "object_pattern":
            for member in pattern.named_children:
                if (
                    member.type == "shorthand_property_identifier_pattern"
                    and text(member) == "value"
                ):
                    value = "value"
                elif (
                    member.type == "pair_pattern"
                    and text(member.child_by_field_name("key") or member) == "value"
                ):
                    v = member.child_by_field_name("value")
                    value = text(v) if v is not None and v.type == "identifier" else None
        elif pattern is not None and pattern.type == "identifier":
            result = text(pattern)
            for ref in _references(scope, result):
                steps, top = _steps(ref)
                if steps[:2] == ["value", "choices"]:
                    index = _dereferenced_index_at(top)
                    if index is not None and not _guarded(index, scope, result + ".value"):
                        _report_unfixable(
                            ctx,
                            call,
                            index,
                            f"`{result}.value`",
                            f"skip it when `!{result}.value.choices.length`",
                        )
                        return
            return
    elif (
        node.type == "member_expression"
        and text(node.child_by_field_name("property") or node) == "value"
    ):
        value = None  # ``(await it.next()).value.choices[0]``: read in place
        steps_node = node.parent
        if (
            steps_node is not None
            and steps_node.type == "member_expression"
            and text(steps_node.child_by_field_name("property") or steps_node) == "choices"
        ):
            index = _dereferenced_index_at(steps_node)
            if index is not None:
                _report_unfixable(
                    ctx,
                    call,
                    index,
                    "the chunk `next()` returns",
                    "skip it when its `choices` is empty",
                )
        return
    if value is None:
        return
    unguarded, _ = _scan(ctx, scope, value, 0)
    unguarded = [u for u in unguarded if u.start_byte > call.end_byte]
    if unguarded:
        _report_unfixable(
            ctx, call, unguarded[0], f"`{value}`", f"skip it when `!{value}.choices.length`"
        )


def _enclosing_block(node: Node) -> Node | None:
    while node.parent is not None:
        node = node.parent
        if node.type in ("statement_block", "program"):
            return node
    return None


def _dereferenced_index_at(choices: Node) -> Node | None:
    """``choices[N]`` then read in a way that throws (``choices``: the
    ``X.choices`` member node, or a name bound to it): the ``[N]`` node."""
    index = choices.parent
    if (
        index is None
        or index.type != "subscript_expression"
        or index.child_by_field_name("object") != choices
    ):
        return None
    parent = index.parent
    if (
        parent is not None
        and parent.type in ("member_expression", "subscript_expression")
        and parent.child_by_field_name("object") == index
        and not any(c.type == "optional_chain" for c in parent.children)
    ):
        return index
    return None


def _report_unfixable(ctx: Context, at: Node, first: Node, what: str, advice: str) -> None:
    line = first.start_point[0] + 1
    ctx.report(
        at,
        RULES["OR402"],
        f"`{text(first)}` at line {line} is undefined on OpenRouter's last stream chunk, whose "
        f"`choices` is empty ({what}), and reading it throws a TypeError; no loop to put a "
        f"guard in: {advice}",
    )


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


def _stream_call(
    ctx: Context, node: Node | None, streams: dict[int, Node], depth: int = 0
) -> Node | None:
    """The stream call an iterated expression is: the call (awaited or not),
    a name declared once, never reassigned, bound to it, or a call of a
    function of this module every ``return`` of which returns one."""
    facts = ctx.facts
    for _ in range(2):
        node = unwrap(node)
        if node is not None and node.type == "await_expression":
            node = unwrap(node.named_children[0] if node.named_children else None)
        if node is None:
            return None
        if node.type == "call_expression":
            found = streams.get(node.id)
            if found is None and depth < 3:
                found = _returned_stream(ctx, node, streams, depth + 1)
            return found
        if node.type != "identifier":
            return None
        node = facts.value_of(node)
    return None


def _function_of_call(ctx: Context, call: Node) -> Node | None:
    callee = unwrap(call.child_by_field_name("function"))
    if callee is None or callee.type != "identifier":
        return None
    return ctx.facts.function_of(callee)


def _returns(function: Node) -> list[Node | None]:
    """The values the function returns (an arrow's expression body; None for
    a bare ``return;``); nested functions are not entered."""
    body = function.child_by_field_name("body")
    if body is None:
        return []
    if body.type != "statement_block":
        return [body]
    out: list[Node | None] = []
    stack = list(body.children)
    while stack:
        node = stack.pop()
        if node.type in _FUNCTIONS:
            continue
        if node.type == "return_statement":
            named = [c for c in node.named_children if c.type != "comment"]
            out.append(named[0] if named else None)
            continue
        stack.extend(node.children)
    return out


def _returned_stream(ctx: Context, call: Node, streams: dict[int, Node], depth: int) -> Node | None:
    """The stream call that ``f(...)`` returns, when ``f`` is a function of
    this module whose every ``return`` returns the same kind of stream."""
    function = _function_of_call(ctx, call)
    if function is None:
        return None
    found: Node | None = None
    for value in _returns(function):
        stream = _stream_call(ctx, value, streams, depth)
        if stream is None:
            return None
        found = found or stream
    return found


def _param_name(function: Node, position: int) -> str | None:
    """The name of the function's parameter at ``position`` (a plain name)."""
    params = function.child_by_field_name("parameters")
    if params is None:
        single = function.child_by_field_name("parameter")  # ``c => ...``
        return text(single) if position == 0 and single is not None else None
    named = [c for c in params.named_children if c.type != "comment"]
    if position >= len(named):
        return None
    param = named[position]
    if param.type in ("required_parameter", "optional_parameter"):
        param = param.child_by_field_name("pattern")
    if param is None or param.type != "identifier":
        return None
    return text(param)


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
    unguarded, other = _scan(ctx, body, chunk, 0)
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


def _scan(ctx: Context, body: Node, chunk: str, depth: int) -> tuple[list[Node], str | None]:
    """The unguarded reads of ``chunk.choices[N]`` in ``body`` (a loop body,
    or a helper function of the module the chunk is passed to), and the
    first other use of the chunk that makes the guard unsafe (None: none)."""
    unguarded: list[Node] = []
    other: str | None = None

    def note(top: Node, steps: list[str]) -> None:
        nonlocal other
        if other is not None:
            return
        shown = text(top)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        if "usage" in steps[:1]:
            other = f"the loop reads `{shown}`, which only the skipped chunk carries"
        elif not steps:
            other = f"the loop passes `{shown}` on whole (the skipped chunk carries the usage)"
        else:
            other = f"the loop uses `{shown}`"

    for ref in _references(body, chunk):
        steps, top = _steps(ref)
        if steps[:1] == ["choices"]:
            index = _dereferenced_index(ref, top)
            if index is None:
                index = _unpacked_choices(top, body)
            if index is not None and not _guarded(index, body, chunk):
                unguarded.append(index)
            continue
        if steps and steps[0] in _HARMLESS:
            continue
        if not steps:
            unpacked = _unpacked_chunk(ref, body)
            if unpacked is not None:
                index, reads_other = unpacked
                if index is not None and not _guarded(index, body, chunk):
                    unguarded.append(index)
                if reads_other:
                    note(ref.parent or ref, ["usage"])
                continue
            helper = _helper_reads(ctx, ref, depth)
            if helper is not None:
                found, helper_other = helper
                if not _guarded(ref, body, chunk):  # (a guard before the call covers it)
                    unguarded.extend(found)
                if helper_other is not None and other is None:
                    other = helper_other
                continue
        note(top, steps)
    return unguarded, other


def _uses_throw(name: str, body: Node, after: int) -> Node | None:
    """A read of ``name`` in ``body`` after byte ``after`` that throws when it
    is ``undefined``: ``name.x`` / ``name[i]`` without ``?.``, or a
    destructuring ``const { x } = name``."""
    for ref in _references(body, name):
        if ref.start_byte < after or _guarded(ref, body, name, alias=True):
            continue
        parent = ref.parent
        if parent is None:
            continue
        if (
            parent.type in ("member_expression", "subscript_expression")
            and parent.child_by_field_name("object") == ref
            and not any(c.type == "optional_chain" for c in parent.children)
        ):
            return ref
        if (
            parent.type == "variable_declarator"
            and parent.child_by_field_name("value") == ref
            and (parent.child_by_field_name("name") or parent).type
            in ("object_pattern", "array_pattern")
        ):
            return ref
    return None


def _first_element(pattern: Node) -> Node | None:
    named = [c for c in pattern.named_children if c.type != "comment"]
    return named[0] if named else None


def _element_throws(element: Node | None, body: Node, after: int) -> Node | None:
    """The element, when taking it out of an empty array throws, now or when
    the name it binds is read (None: it does not)."""
    if element is None:
        return None
    if element.type in ("object_pattern", "array_pattern"):
        return element  # ``const [{ delta }] = chunk.choices``
    if element.type == "identifier" and _uses_throw(text(element), body, after) is not None:
        return element
    return None  # ``[c = fallback]``, ``[...rest]``


def _destructured(value: Node, pattern: str) -> tuple[Node, Node] | None:
    """(the declarator, its pattern) of ``const <pattern> = value`` when the
    pattern is of type ``pattern`` ("array_pattern", "object_pattern")."""
    parent = value.parent
    if (
        parent is None
        or parent.type != "variable_declarator"
        or parent.child_by_field_name("value") != value
    ):
        return None
    name = parent.child_by_field_name("name")
    return (parent, name) if name is not None and name.type == pattern else None


def _unpacked_choices(top: Node, body: Node) -> Node | None:
    """``const [choice] = chunk.choices`` (then ``choice.delta``): the
    element (``choice``) when taking it out of an empty list throws."""
    found = _destructured(top, "array_pattern")
    if found is None:
        return None
    declarator, name = found
    return _element_throws(_first_element(name), body, declarator.end_byte)


def _unpacked_chunk(ref: Node, body: Node) -> tuple[Node | None, bool] | None:
    """``const { choices: [c], usage } = chunk``: (the node to report when
    ``choices`` is taken apart in a way that throws on an empty list, does
    it take out anything but ``choices`` and harmless fields); None: the
    chunk is not destructured here."""
    found = _destructured(ref, "object_pattern")
    if found is None:
        return None
    parent, name = found
    index: Node | None = None
    reads_other = False
    for member in name.named_children:
        if member.type == "comment":
            continue
        key: str | None = None
        value: Node | None = None
        if member.type == "shorthand_property_identifier_pattern":
            key = text(member)
        elif member.type == "pair_pattern":
            k = member.child_by_field_name("key")
            key = text(k) if k is not None else None
            value = member.child_by_field_name("value")
        else:  # ``...rest``, defaults
            reads_other = True
            continue
        if key == "choices":
            if value is not None and value.type == "array_pattern":
                index = _element_throws(_first_element(value), body, parent.end_byte) or index
            elif value is None or value.type == "identifier":
                alias = text(value) if value is not None else "choices"
                for r in _references(body, alias):
                    if r.start_byte < parent.end_byte:
                        continue
                    read = _dereferenced_index_at(r)  # ``choices[0].delta``
                    if read is not None and not _guarded(read, body, alias, alias=True):
                        index = read
                        break
        elif key not in _HARMLESS:
            reads_other = True
    return index, reads_other


def _helper_reads(ctx: Context, ref: Node, depth: int) -> tuple[list[Node], str | None] | None:
    """The chunk passed to a function of this module (``handle(chunk)``):
    what that function reads of its parameter (None: not such a call)."""
    args = ref.parent
    if args is None or args.type != "arguments" or depth >= 2:
        return None
    call = args.parent
    if call is None or call.type != "call_expression":
        return None
    function = _function_of_call(ctx, call)
    if function is None:
        return None
    named = [c for c in args.named_children if c.type != "comment"]
    position = next((i for i, c in enumerate(named) if c.id == ref.id), None)
    if position is None:
        return None
    param = _param_name(function, position)
    body = function.child_by_field_name("body")
    if param is None or body is None:
        return None
    return _scan(ctx, body, param, depth + 1)


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


def _mentions_choices(node: Node | None, chunk: str, alias: bool = False) -> bool:
    """Does ``node`` read ``chunk.choices`` (``alias``: read ``chunk``, a
    name bound to the chunk's ``choices``)?"""
    if node is None:
        return False
    stack = [node]
    while stack:
        n = stack.pop()
        if alias and n.type == "identifier" and text(n) == chunk:
            return True
        if n.type == "member_expression":
            parts = member_parts(n)
            head = chunk.split(".")
            if parts is not None and parts[: len(head) + 1] == [*head, "choices"]:
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


def _guarded(index: Node, body: Node, chunk: str, alias: bool = False) -> bool:
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
            if _mentions_choices(parent.child_by_field_name("condition"), chunk, alias):
                return True
        if parent.type == "binary_expression" and node == parent.child_by_field_name("right"):
            op = parent.child_by_field_name("operator")
            if (
                op is not None
                and text(op) in ("&&", "||", "??")
                and _mentions_choices(parent.child_by_field_name("left"), chunk, alias)
            ):
                return True
        if parent.type == "ternary_expression" and node != parent.child_by_field_name("condition"):
            if _mentions_choices(parent.child_by_field_name("condition"), chunk, alias):
                return True
        if parent.type in ("statement_block", "program", "switch_case"):
            for sibling in parent.named_children:
                if sibling.id == node.id:
                    break
                if (
                    sibling.type == "if_statement"
                    and _mentions_choices(sibling.child_by_field_name("condition"), chunk, alias)
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
