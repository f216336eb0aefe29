"""OR401-OR402: streams end with a chunk whose ``choices`` is empty.

OpenRouter ends every chat-completion stream with one usage chunk whose
``choices`` is an empty list (its usage-accounting documentation: "usage is
returned exactly once in the final chunk before the [DONE] message, with an
empty choices array"). OpenAI sends that chunk only when asked
(``stream_options={"include_usage": True}``), so the SDK README's own loop,
``for chunk in stream: print(chunk.choices[0].delta.content or "")``, works on
OpenAI and raises IndexError on OpenRouter.

What counts as a stream (the SDK calls :func:`codemods.python.rules.models.sdk_calls`
finds, on a client this run migrates or one already on OpenRouter, or on a
receiver the tool cannot resolve: then the fix is unsafe; a client left on
OpenAI gets nothing):

- ``chat.completions.create(..., stream=True)`` and ``completions.create(...,
  stream=True)`` (openai>=1, the ``openai`` module client), and openai<1's
  ``openai.ChatCompletion.create/acreate(..., stream=True)`` and
  ``openai.Completion.create/acreate`` (chunks are dicts there:
  ``chunk["choices"][0]``);
- ``chat.completions.stream(...)`` (and ``beta.``): its events are not
  chunks; only ``event.chunk`` of a ``"chunk"`` event is, and the SDK's own
  accumulator iterates ``chunk.choices`` (openai
  ``lib/streaming/chat/_completions.py``), so only user code indexing
  ``event.chunk.choices[0]`` breaks.

A stream is consumed by ``for``/``async for`` (directly, through a name bound
only to streams in that scope, through ``with ... as s``, or
``enumerate(stream)``), by a comprehension, or by ``next(s)`` in a loop.
A ``choices[N]`` on a chunk is guarded when it runs only for a non-empty
list: under ``if chunk.choices:`` / ``if len(chunk.choices) > 0`` (and their
``and``/``or``/``not`` forms, ``elif``/``else`` branches, ``x if c else y``),
on the right of ``chunk.choices and ...``, after ``if not chunk.choices:
continue`` (or ``break``/``return``/``raise``), inside ``try`` with an
``except`` catching IndexError, or in a helper function of the module the
chunk is passed to, under the same guards there.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import libcst as cst

from codemods.core.findings import Severity
from codemods.core.rules import rule
from codemods.python.analysis import FOREIGN_SDKS, attribute_chain, read_walk
from codemods.python.rules.base import REFS, Fix, RuleContext, checker
from codemods.python.rules.client import string_value
from codemods.python.rules.models import SdkCall, model_arg, sdk_calls

STREAM_EMPTY_CHOICES = rule(
    code="OR401",
    name="stream-empty-choices",
    summary="stream loop indexes `chunk.choices[0]`: OpenRouter's last chunk has no choices",
    severity=Severity.ERROR,
    fixable=True,
    what="""
        Finds loops (`for`, `async for`) over a stream of a client this run
        moves to OpenRouter (or one already there) whose body indexes
        `chunk.choices[0]` (`chunk["choices"][0]` for openai<1) without a
        guard, directly or in a helper function of the module the chunk is
        passed to, and inserts `if not chunk.choices: continue` at the top
        of the loop body (for `.stream(...)` events: `if event.type ==
        "chunk" and not event.chunk.choices: continue`). Guarded uses are
        left alone: `if chunk.choices:`, `if len(chunk.choices) > 0`,
        `chunk.choices and ...`, `if not chunk.choices: continue`,
        `try/except IndexError`.
    """,
    why="""
        OpenRouter ends every stream with one usage chunk whose `choices` is
        an empty list; OpenAI sends it only with `stream_options=
        {"include_usage": True}`. `chunk.choices[0]` raises IndexError on
        it, after the whole answer was streamed.
    """,
    before="""
        import os

        from openai import OpenAI

        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
        stream = client.chat.completions.create(model="openai/gpt-4o", messages=messages, stream=True)
        for chunk in stream:
            print(chunk.choices[0].delta.content or "", end="")
    """,
    after="""
        import os

        from openai import OpenAI

        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
        stream = client.chat.completions.create(model="openai/gpt-4o", messages=messages, stream=True)
        for chunk in stream:
            if not chunk.choices:
                continue
            print(chunk.choices[0].delta.content or "", end="")
    """,
    fix_safety="""
        The fix is safe when the loop reads nothing but the chunk's
        `choices`, `id`, `model`, `created`, `object` or
        `system_fingerprint`, and the stream's client is resolved. It is
        unsafe when the loop (or a helper it passes the chunk to) reads
        `chunk.usage` or passes the chunk on whole (`chunks.append(chunk)`,
        `yield chunk`, `chunk.model_dump()`): the skipped chunk is the one
        that carries the usage; move what reads it above the guard. It is
        also unsafe when the stream's receiver cannot be resolved to a
        client this run moves (a `client` parameter without callers in the
        run): that client may not go to OpenRouter; and when the client
        itself moves only as an unsafe fix (a model ID sent through it
        cannot move): the guard goes with it.
    """,
    sometimes_unsafe=True,
)

STREAM_EMPTY_CHOICES_NO_FIX = rule(
    code="OR402",
    name="stream-empty-choices-unfixable",
    summary="stream read by a comprehension or `next()` indexes `choices[0]`: no fix",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Reports `choices[0]` indexed without a guard on the chunks of a
        stream (as OR401) consumed where no statement can be inserted: a
        comprehension or generator expression over the stream
        (`"".join(c.choices[0].delta.content or "" for c in stream)`), or
        `next(stream)` / `anext(stream)` inside a loop.
    """,
    why="""
        OpenRouter's last chunk has an empty `choices`: the comprehension
        raises IndexError there, and so does a loop that calls `next()`
        until the stream ends. Add `if c.choices` to the comprehension, or
        skip chunks whose `choices` is empty.
    """,
    before="""
        import os

        from openai import OpenAI

        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
        stream = client.chat.completions.create(model="openai/gpt-4o", messages=messages, stream=True)
        text = "".join(c.choices[0].delta.content or "" for c in stream)
    """,
)

# resource methods whose ``stream=True`` call returns chunks
_CHUNK_METHODS = frozenset({("chat", "completions", "create"), ("completions", "create")})
# ``.stream(...)``: a context manager whose iteration yields events
_EVENT_METHODS = frozenset({("chat", "completions", "stream")})
_RAW = frozenset({"with_raw_response", "with_streaming_response"})
# what a chunk carries besides ``choices`` and ``usage`` (reading these on
# the skipped usage chunk loses nothing the loop needs)
_HARMLESS = frozenset({"id", "model", "created", "object", "system_fingerprint", "service_tier"})
_INDEX_ERRORS = frozenset({"IndexError", "LookupError", "Exception", "BaseException"})
_EXITS = (cst.Continue, cst.Break, cst.Return, cst.Raise)
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_COMPREHENSIONS = (cst.GeneratorExp, cst.ListComp, cst.SetComp, cst.DictComp)
_HELPER_DEPTH = 3


@dataclass
class _Chunk:
    """How a chunk is written in a loop: the loop variable, and whether it is
    a ``.stream()`` event (the chunk is ``event.chunk``)."""

    var: str
    events: bool

    def is_chunk(self, node: cst.CSTNode) -> bool:
        if self.events:
            return (
                type(node) is cst.Attribute
                and node.attr.value == "chunk"  # type: ignore[attr-defined]
                and _is_name(node.value, self.var)  # type: ignore[attr-defined]
            )
        return _is_name(node, self.var)

    def is_choices(self, node: cst.CSTNode) -> bool:
        """``chunk.choices`` / ``chunk["choices"]``."""
        if type(node) is cst.Attribute:
            return node.attr.value == "choices" and self.is_chunk(node.value)  # type: ignore[attr-defined]
        if type(node) is cst.Subscript:
            return _key(node) == "choices" and self.is_chunk(node.value)  # type: ignore[attr-defined]
        return False

    def is_indexed(self, node: cst.CSTNode) -> bool:
        """``chunk.choices[N]`` (an index, not a slice)."""
        return (
            type(node) is cst.Subscript
            and len(node.slice) == 1  # type: ignore[attr-defined]
            and isinstance(node.slice[0].slice, cst.Index)  # type: ignore[attr-defined]
            and self.is_choices(node.value)  # type: ignore[attr-defined]
        )

    # -- tests ---------------------------------------------------------------

    def nonempty_if_true(self, t: cst.BaseExpression) -> bool:
        """Is ``choices`` non-empty whenever ``t`` is true?"""
        kind = type(t)
        if self.is_choices(t) or self._len(t):
            return True
        if kind is cst.UnaryOperation and type(t.operator) is cst.Not:  # type: ignore[attr-defined]
            return self.true_if_empty(t.expression)  # type: ignore[attr-defined]
        if kind is cst.BooleanOperation:
            left, right = t.left, t.right  # type: ignore[attr-defined]
            if type(t.operator) is cst.And:  # type: ignore[attr-defined]
                return self.nonempty_if_true(left) or self.nonempty_if_true(right)
            return self.nonempty_if_true(left) and self.nonempty_if_true(right)
        if kind is cst.Comparison:
            return self._compare(t, nonempty=True)  # type: ignore[arg-type]
        return False

    def true_if_empty(self, t: cst.BaseExpression) -> bool:
        """Is ``t`` true whenever ``choices`` is empty?"""
        kind = type(t)
        if kind is cst.UnaryOperation and type(t.operator) is cst.Not:  # type: ignore[attr-defined]
            return self.nonempty_if_true(t.expression)  # type: ignore[attr-defined]
        if kind is cst.BooleanOperation:
            left, right = t.left, t.right  # type: ignore[attr-defined]
            if type(t.operator) is cst.Or:  # type: ignore[attr-defined]
                return self.true_if_empty(left) or self.true_if_empty(right)
            return self.true_if_empty(left) and self.true_if_empty(right)
        if kind is cst.Comparison:
            if self.events and self._is_chunk_event(t):  # type: ignore[arg-type]
                return True  # ``event.type == "chunk"``: true wherever ``event.chunk`` exists
            return self._compare(t, nonempty=False)  # type: ignore[arg-type]
        return False

    def _len(self, t: cst.CSTNode) -> bool:
        return (
            type(t) is cst.Call
            and _is_name(t.func, "len")  # type: ignore[attr-defined]
            and len(t.args) == 1  # type: ignore[attr-defined]
            and self.is_choices(t.args[0].value)  # type: ignore[attr-defined]
        )

    def _compare(self, t: cst.Comparison, *, nonempty: bool) -> bool:
        if len(t.comparisons) != 1:
            return False
        op = type(t.comparisons[0].operator)
        right = t.comparisons[0].comparator
        if self._len(t.left) and type(right) is cst.Integer:
            n = right.evaluated_value  # type: ignore[attr-defined]
            if nonempty:
                return (
                    (op is cst.GreaterThan and n >= 0)
                    or (op is cst.GreaterThanEqual and n >= 1)
                    or (op is cst.NotEqual and n == 0)
                )
            return (
                (op is cst.Equal and n == 0)
                or (op is cst.LessThan and n >= 1)
                or (op is cst.LessThanEqual and n >= 0)
            )
        if self.is_choices(t.left) and type(right) in (cst.List, cst.Tuple) and not right.elements:  # type: ignore[attr-defined]
            return op is (cst.NotEqual if nonempty else cst.Equal)
        return False

    def _is_chunk_event(self, t: cst.Comparison) -> bool:
        if len(t.comparisons) != 1 or type(t.comparisons[0].operator) is not cst.Equal:
            return False
        left = t.left
        return (
            type(left) is cst.Attribute
            and left.attr.value == "type"
            and _is_name(left.value, self.var)
            and string_value(t.comparisons[0].comparator) == "chunk"
        )


@dataclass
class _Scan:
    """What a loop body (and the helpers it passes the chunk to) does with
    the chunk."""

    unguarded: list[cst.Subscript] = field(default_factory=list)
    # why skipping the empty chunk may change what the loop does (None: nothing)
    reads: str | None = None


def _is_name(node: cst.CSTNode, name: str) -> bool:
    return type(node) is cst.Name and node.value == name  # type: ignore[attr-defined]


def _key(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return string_value(node.slice[0].slice.value)


def _kw(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for a in call.args:
        if a.keyword is not None and a.keyword.value == name:
            return a.value
    return None


def _catches_index_error(handler: cst.ExceptHandler) -> bool:
    t = handler.type
    if t is None:
        return True
    names = [e.value for e in t.elements] if isinstance(t, cst.Tuple) else [t]
    return any(type(n) is cst.Name and n.value in _INDEX_ERRORS for n in names)  # type: ignore[attr-defined]


def _exits(stmt: cst.BaseStatement) -> bool:
    """Does the block of this statement end in continue/break/return/raise?"""
    body = stmt.body  # type: ignore[attr-defined]
    if isinstance(body, cst.IndentedBlock):
        if not body.body:
            return False
        last = body.body[-1]
        return isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[-1], _EXITS)
    if isinstance(body, cst.SimpleStatementSuite):
        return isinstance(body.body[-1], _EXITS)
    return False


class _Collector(cst.CSTVisitor):
    """The subscripts and the uses of one name under a node, in source
    order, outside nested functions and classes (read with the fast
    :func:`codemods.python.analysis.read_walk`)."""

    def __init__(self, var: str) -> None:
        super().__init__()
        self.var = var
        self.nodes: list[cst.CSTNode] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self.nodes.append(node)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.var:
            self.nodes.append(node)


class _Streams:
    def __init__(self, ctx: RuleContext) -> None:
        self.ctx = ctx
        self.f = ctx.facts
        self.parents = ctx.facts.parents
        self.streams: dict[int, tuple[SdkCall, bool]] = {}
        # calls of a module function that returns a stream -> that stream
        self._carried: dict[int, tuple[SdkCall, bool]] = {}
        self._scope_keys: dict[int, int] = {}
        f = self.f
        openai_file = f.imports_openai
        foreign_file = any(f.imports_module(m) for m in FOREIGN_SDKS)
        for sc in sdk_calls(ctx):
            if sc.receiver == "foreign" or sc.held:
                continue
            parts, _ = attribute_chain(sc.call.func)
            if _RAW & set(parts):
                continue
            if sc.method in _EVENT_METHODS:
                events = True
            elif sc.method in _CHUNK_METHODS:
                flag = _kw(sc.call, "stream")
                if not (type(flag) is cst.Name and flag.value == "True"):  # type: ignore[attr-defined]
                    continue
                events = False
            else:
                continue
            if sc.receiver == "unknown" and not openai_file:
                # as the model rules: an SDK-shaped call in a file that does
                # not import openai counts only through its ``model=``
                if foreign_file or model_arg(sc.call) is None:
                    continue
            self.streams[id(sc.call)] = (sc, events)

    # -- where a stream goes ---------------------------------------------------

    def _stream_of(self, value: cst.BaseExpression | None) -> tuple[SdkCall, bool] | None:
        if type(value) is cst.Await:
            value = value.expression  # type: ignore[union-attr]
        if value is None:
            return None
        return self.streams.get(id(value)) or self._carried.get(id(value))

    def _scope_key(self, node: cst.CSTNode) -> int:
        known = self._scope_keys.get(id(node))
        if known is not None:
            return known
        key = 0
        n = self.parents.get(id(node))
        while n is not None:
            if isinstance(n, _SCOPES):
                key = id(n)
                break
            n = self.parents.get(id(n))
        self._scope_keys[id(node)] = key
        return key

    def consumers(self) -> dict[int, tuple[cst.CSTNode, str, list[SdkCall], bool, str | None]]:
        """id(consumer) -> (consumer node, kind, the stream calls, events,
        the variable ``next()``'s result is bound to)."""
        out: dict[int, tuple[cst.CSTNode, str, list[SdkCall], bool, str | None]] = {}

        def add(node: cst.CSTNode, kind: str, sc: SdkCall, events: bool, var: str | None) -> None:
            entry = out.setdefault(id(node), (node, kind, [], events, var))
            if all(c is not sc for c in entry[2]):
                entry[2].append(sc)

        named: dict[tuple[int, str], list[tuple[SdkCall, bool]]] = {}
        for sc, events in self.streams.values():
            node: cst.CSTNode = sc.call
            parent = self.parents.get(id(node))
            if type(parent) is cst.Await:
                node, parent = parent, self.parents.get(id(parent))
            # ``def gen(...): return client...create(stream=True)``: the
            # stream is read where the module's own calls of gen are
            carriers = [(node, parent), *self._returned_through(node, parent)]
            for carrier, _ in carriers[1:]:
                inner = carrier.expression if type(carrier) is cst.Await else carrier  # type: ignore[attr-defined]
                self._carried[id(inner)] = (sc, events)
            for node, parent in carriers:
                found = self._consumer(node, parent)
                if found is not None:
                    add(found[0], found[1], sc, events, found[2])
                    continue
                name = self._bound_name(node, parent)
                if name is not None:
                    named.setdefault((self._scope_key(node), name), []).append((sc, events))
        uses: dict[str, dict[int, list[cst.Name]]] = {}
        for (key, name), streams in named.items():
            values = self.f.bindings.get((key, name), [])
            if not values or any(self._stream_of(v) is None for v in values):
                continue  # the name is also bound to something else
            if name not in uses:
                by_scope: dict[int, list[cst.Name]] = {}
                for use in self.f.name_uses.get(name, ()):
                    by_scope.setdefault(self._scope_key(use), []).append(use)
                uses[name] = by_scope
            for use in uses[name].get(key, ()):
                found = self._consumer(use, self.parents.get(id(use)))
                if found is not None:
                    for sc, events in streams:
                        add(found[0], found[1], sc, events, found[2])
        return out

    def _returned_through(
        self, node: cst.CSTNode, parent: cst.CSTNode | None
    ) -> list[tuple[cst.CSTNode, cst.CSTNode | None]]:
        """The calls of the module-level function that returns the stream
        ``node`` (``return ...create(stream=True)``), made in this file, each
        with its parent (past an ``await``): they hand out the stream."""
        if type(parent) is not cst.Return:
            return []
        fn = self.parents.get(id(parent))
        while fn is not None and not isinstance(fn, _SCOPES):
            fn = self.parents.get(id(fn))
        if type(fn) is not cst.FunctionDef:
            return []
        name = fn.name.value  # type: ignore[attr-defined]
        f = self.f
        if f.module_functions.get(name) is not fn or f.assignment_counts.get(name, 0) != 1:
            return []
        out: list[tuple[cst.CSTNode, cst.CSTNode | None]] = []
        for call in f.calls:
            if type(call.func) is cst.Name and call.func.value == name:  # type: ignore[attr-defined]
                node2: cst.CSTNode = call
                parent2 = self.parents.get(id(call))
                if type(parent2) is cst.Await:
                    node2, parent2 = parent2, self.parents.get(id(parent2))
                out.append((node2, parent2))
        return out

    def _bound_name(self, node: cst.CSTNode, parent: cst.CSTNode | None) -> str | None:
        if type(parent) is cst.Assign and len(parent.targets) == 1 and parent.value is node:  # type: ignore[attr-defined]
            target = parent.targets[0].target  # type: ignore[attr-defined]
        elif type(parent) is cst.AnnAssign and parent.value is node:  # type: ignore[attr-defined]
            target = parent.target  # type: ignore[attr-defined]
        elif type(parent) is cst.WithItem and parent.asname is not None:  # type: ignore[attr-defined]
            target = parent.asname.name  # type: ignore[attr-defined]
        else:
            return None
        return target.value if type(target) is cst.Name else None  # type: ignore[attr-defined]

    def _consumer(
        self, node: cst.CSTNode, parent: cst.CSTNode | None
    ) -> tuple[cst.CSTNode, str, str | None] | None:
        """What reads the stream ``node`` (whose parent is ``parent``):
        (a for loop / a comprehension's for / a loop calling next(), kind,
        the chunk variable for ``next``)."""
        if type(parent) is cst.For and parent.iter is node:  # type: ignore[attr-defined]
            return parent, "for", None
        if type(parent) is cst.CompFor and parent.iter is node:  # type: ignore[attr-defined]
            return parent, "comp", None
        if type(parent) is not cst.Arg or parent.keyword is not None:  # type: ignore[attr-defined]
            return None
        call = self.parents.get(id(parent))
        if type(call) is not cst.Call or call.args[0] is not parent:  # type: ignore[attr-defined]
            return None
        func = call.func  # type: ignore[attr-defined]
        if type(func) is not cst.Name or self.f.is_bound(func.value):  # type: ignore[attr-defined]
            return None
        outer = self.parents.get(id(call))
        if func.value == "enumerate":  # type: ignore[attr-defined]
            if type(outer) is cst.For and outer.iter is call:  # type: ignore[attr-defined]
                return outer, "enumerate", None
            return None
        if func.value in ("next", "anext") and len(call.args) == 1:  # type: ignore[attr-defined]
            result: cst.CSTNode = call  # type: ignore[assignment]
            if type(outer) is cst.Await:
                result, outer = outer, self.parents.get(id(outer))
            loop = self._loop_around(result)
            if loop is None:
                return None  # one next(): the first chunk is never the usage chunk
            if type(outer) is cst.Assign and len(outer.targets) == 1:  # type: ignore[attr-defined]
                target = outer.targets[0].target  # type: ignore[attr-defined]
                if type(target) is cst.Name:
                    return loop, "next", target.value
            if type(outer) is cst.Attribute and outer.attr.value == "choices":  # type: ignore[attr-defined]
                sub = self.parents.get(id(outer))
                if type(sub) is cst.Subscript:
                    return sub, "next-direct", None
        return None

    def _loop_around(self, node: cst.CSTNode) -> cst.CSTNode | None:
        n = self.parents.get(id(node))
        while n is not None and not isinstance(n, _SCOPES):
            if type(n) in (cst.For, cst.While):
                return n
            n = self.parents.get(id(n))
        return None

    # -- what a loop body does with the chunk ------------------------------------

    def guarded(self, use: cst.CSTNode, stop: cst.CSTNode, chunk: _Chunk) -> bool:
        """Does ``use`` run only for a non-empty ``choices``? (Climbs to
        ``stop``; past it, a ``try`` catching IndexError still counts.)"""
        child = use
        node = self.parents.get(id(use))
        inside = True
        while node is not None:
            at_stop = node is stop
            kind = type(node)
            if kind in (cst.Try, cst.TryStar) and child is node.body:  # type: ignore[attr-defined]
                if any(_catches_index_error(h) for h in node.handlers):  # type: ignore[attr-defined]
                    return True
            if isinstance(node, _SCOPES):
                return False
            if inside:
                if kind is cst.If or kind is cst.IfExp:
                    test = node.test  # type: ignore[attr-defined]
                    if child is node.body and chunk.nonempty_if_true(test):  # type: ignore[attr-defined]
                        return True
                    if child is node.orelse and chunk.true_if_empty(test):  # type: ignore[attr-defined]
                        return True
                elif kind is cst.BooleanOperation and child is node.right:  # type: ignore[attr-defined]
                    left = node.left  # type: ignore[attr-defined]
                    if type(node.operator) is cst.And:  # type: ignore[attr-defined]
                        if chunk.nonempty_if_true(left):
                            return True
                    elif chunk.true_if_empty(left):
                        return True
                elif kind is cst.IndentedBlock or kind is cst.Module:
                    for stmt in node.body:  # type: ignore[attr-defined]
                        if stmt is child:
                            break
                        if type(stmt) is cst.If and chunk.true_if_empty(stmt.test) and _exits(stmt):  # type: ignore[attr-defined]
                            return True
                elif kind is cst.CompFor and self._comp_guarded(node, child, chunk):  # type: ignore[arg-type]
                    return True
                elif isinstance(node, _COMPREHENSIONS) and self._elt_guarded(node, child, chunk):
                    return True
            if at_stop:
                inside = False
            child = node
            node = self.parents.get(id(node))
        return False

    def _comp_guarded(self, comp: cst.CompFor, child: cst.CSTNode, chunk: _Chunk) -> bool:
        """A use in an ``if`` of ``comp`` after an ``if`` that guards it, or
        in a nested ``for`` after one."""
        for cond in comp.ifs:
            if cond is child:
                return False
            if chunk.nonempty_if_true(cond.test):
                return True
        return False

    def _elt_guarded(self, comp: cst.CSTNode, child: cst.CSTNode, chunk: _Chunk) -> bool:
        """A use in a comprehension's element, after an ``if`` that guards it."""
        if child is getattr(comp, "for_in", None):
            return False
        node: cst.CompFor | None = comp.for_in  # type: ignore[attr-defined]
        while node is not None:
            if any(chunk.nonempty_if_true(c.test) for c in node.ifs):
                return True
            node = node.inner_for_in
        return False

    def scan(
        self,
        body: cst.CSTNode,
        stop: cst.CSTNode,
        chunk: _Chunk,
        depth: int = 0,
        seen: frozenset[int] = frozenset(),
    ) -> _Scan:
        """The unguarded ``choices[N]`` under ``body`` (not in nested
        functions), and whether anything reads more of the chunk."""
        out = _Scan()
        found = _Collector(chunk.var)
        read_walk(found, body)
        for node in found.nodes:
            if type(node) is cst.Subscript:
                if chunk.is_indexed(node) and not self.guarded(node, stop, chunk):
                    out.unguarded.append(node)  # type: ignore[arg-type]
            else:
                why = self._read(node, stop, chunk, depth, seen, out)  # type: ignore[arg-type]
                if why is not None and out.reads is None:
                    out.reads = why
        return out

    def _read(
        self,
        name: cst.Name,
        stop: cst.CSTNode,
        chunk: _Chunk,
        depth: int,
        seen: frozenset[int],
        out: _Scan,
    ) -> str | None:
        """Why the empty chunk's skipping may change what this use of the
        chunk variable does (None: it does not)."""
        parent = self.parents.get(id(name))
        if type(parent) in (cst.For, cst.CompFor) and parent.target is name:  # type: ignore[attr-defined]
            return None
        if type(parent) is cst.Attribute and parent.attr is name:  # type: ignore[attr-defined]
            return None  # ``x.chunk``: an attribute name, not the variable
        if type(parent) is cst.Arg and parent.keyword is name:  # type: ignore[attr-defined]
            return None  # ``f(chunk=...)``: a keyword
        node: cst.CSTNode = name
        steps: list[str | None] = []
        while True:
            p = self.parents.get(id(node))
            if type(p) is cst.Attribute and p.value is node:  # type: ignore[attr-defined]
                steps.append(p.attr.value)  # type: ignore[attr-defined]
            elif type(p) is cst.Subscript and p.value is node:  # type: ignore[attr-defined]
                steps.append(_key(p))  # type: ignore[arg-type]
            else:
                break
            node = p  # type: ignore[assignment]
        if "usage" in steps:
            return f"reads `{self._shown(node)}`, which only the skipped chunk carries"
        if chunk.events:
            if not steps or steps[0] is None:
                return self._passed(name, node, stop, chunk, depth, seen, out)
            if steps[0] != "chunk":
                return None  # another attribute of the event
            steps = steps[1:]
        if not steps:
            return self._passed(name, node, stop, chunk, depth, seen, out)
        if steps[0] == "choices" or steps[0] in _HARMLESS:
            return None
        return f"uses `{self._shown(node)}`"

    def _shown(self, node: cst.CSTNode) -> str:
        shown = self.ctx.module.code_for_node(node)
        return shown if len(shown) <= 40 else shown[:37] + "..."

    def _passed(
        self,
        name: cst.Name,
        node: cst.CSTNode,
        stop: cst.CSTNode,
        chunk: _Chunk,
        depth: int,
        seen: frozenset[int],
        out: _Scan,
    ) -> str:
        """The chunk (or event) used whole: passed to a helper of this
        module, whose body is scanned too, or passed on."""
        helper = self._helper_param(node)
        if helper is not None and depth < _HELPER_DEPTH and id(helper[0]) not in seen:
            fn, param = helper
            inner = self.scan(
                fn.body,
                fn,
                _Chunk(param, chunk.events and node is name),
                depth + 1,
                seen | {id(fn)},
            )
            if not self.guarded(node, stop, chunk):
                out.unguarded.extend(inner.unguarded)
            return inner.reads  # type: ignore[return-value]
        return f"passes `{self._shown(node)}` on"

    def _helper_param(self, node: cst.CSTNode) -> tuple[cst.FunctionDef, str] | None:
        arg = self.parents.get(id(node))
        if type(arg) is not cst.Arg or arg.star:  # type: ignore[attr-defined]
            return None
        call = self.parents.get(id(arg))
        if type(call) is not cst.Call or type(call.func) is not cst.Name:  # type: ignore[attr-defined]
            return None
        name = call.func.value  # type: ignore[attr-defined]
        fn = self.f.module_functions.get(name)
        if fn is None or self.f.assignment_counts.get(name, 0) != 1:
            return None
        params = fn.params
        if arg.keyword is not None:  # type: ignore[attr-defined]
            wanted = arg.keyword.value  # type: ignore[attr-defined]
            for p in (*params.params, *params.kwonly_params):
                if p.name.value == wanted:
                    return fn, wanted
            return None
        positional = [a for a in call.args if a.keyword is None]  # type: ignore[attr-defined]
        if any(a.star for a in positional):
            return None
        index = next(i for i, a in enumerate(positional) if a is arg)
        names = [p.name.value for p in (*params.posonly_params, *params.params)]
        return (fn, names[index]) if index < len(names) else None


def _guard_test(chunk: _Chunk, uses: list[cst.Subscript], module: cst.Module) -> str:
    if chunk.events:
        return f'{chunk.var}.type == "chunk" and not {chunk.var}.chunk.choices'
    for use in uses:
        if chunk.is_choices(use.value):
            return f"not {module.code_for_node(use.value)}"
    # the uses are in helpers: write it the way they do
    if any(type(u.value) is cst.Subscript for u in uses):
        return f'not {chunk.var}["choices"]'
    return f"not {chunk.var}.choices"


@functools.lru_cache(maxsize=64)
def _parsed(test: str) -> cst.BaseExpression:
    return cst.parse_expression(test)


def _insert_guard(test: str) -> Fix:
    def fix(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.For)
        body = node.body
        # the guard's own block is indented by the module's unit (LibCST's
        # ``indent=None``); the guard itself sits at the body's indentation
        guard = cst.If(
            test=_parsed(test).deep_clone(),
            body=cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Continue()])]),
        )
        if isinstance(body, cst.IndentedBlock):
            return node.with_changes(body=body.with_changes(body=[guard, *body.body]))
        assert isinstance(body, cst.SimpleStatementSuite)
        # ``for c in s: print(...)``: the statement moves to its own line,
        # keeping its trailing comment
        line = cst.SimpleStatementLine(
            body=list(body.body), trailing_whitespace=body.trailing_whitespace
        )
        return node.with_changes(body=cst.IndentedBlock(body=[guard, line]))

    return fix


def _target_name(loop: cst.For, kind: str) -> str | None:
    target = loop.target
    if kind == "enumerate":
        if type(target) is not cst.Tuple or len(target.elements) != 2:
            return None
        target = target.elements[1].value
    return target.value if type(target) is cst.Name else None


BLOCKED_NOTE = "; unsafe fix: the stream's client moves to OpenRouter only as an unsafe fix"
UNRESOLVED_NOTE = (
    "; unsafe fix: the stream's client is not resolved to one this run moves to OpenRouter"
)


@checker
def check_streams(ctx: RuleContext) -> None:
    enabled = ctx.settings.rule_enabled
    if not ctx.facts.calls or not (enabled("OR401") or enabled("OR402")):
        return
    s = _Streams(ctx)
    if not s.streams:
        return
    module = ctx.module
    for node, kind, calls, events, var in s.consumers().values():
        requires = tuple({id(r): r for sc in calls for r in sc.requires}.values())
        if kind == "next-direct":
            assert isinstance(node, cst.Subscript)
            ctx.report(
                node,
                STREAM_EMPTY_CHOICES_NO_FIX,
                f"`{module.code_for_node(node)}` in a loop calling `next()` on the stream raises "
                "IndexError on OpenRouter's last chunk, whose `choices` is empty: check "
                "`choices` before indexing it",
            ).requires.extend(requires)
            continue
        if kind == "next":
            assert var is not None
            chunk = _Chunk(var, events)
            found = s.scan(node.body, node, chunk)  # type: ignore[attr-defined]
            if found.unguarded:
                first = found.unguarded[0]
                ctx.report(
                    first,
                    STREAM_EMPTY_CHOICES_NO_FIX,
                    f"`{module.code_for_node(first)}` on a chunk from `next()` in a loop raises "
                    "IndexError on OpenRouter's last chunk, whose `choices` is empty: skip "
                    f"chunks without choices (`if not {var}.choices: continue`)",
                ).requires.extend(requires)
            continue
        if kind == "comp":
            assert isinstance(node, cst.CompFor)
            comp = s.parents.get(id(node))
            if not isinstance(comp, _COMPREHENSIONS) or type(node.target) is not cst.Name:
                continue
            chunk = _Chunk(node.target.value, events)
            found = s.scan(comp, comp, chunk)
            if found.unguarded:
                first = found.unguarded[0]
                cond = (
                    f'{chunk.var}.type != "chunk" or {chunk.var}.chunk.choices'
                    if events
                    else module.code_for_node(first.value)
                )
                ctx.report(
                    first,
                    STREAM_EMPTY_CHOICES_NO_FIX,
                    f"`{module.code_for_node(first)}` in a comprehension over a stream raises "
                    "IndexError on OpenRouter's last chunk, whose `choices` is empty: add "
                    f"`if {cond}` to it (not rewritten)",
                ).requires.extend(requires)
            continue
        assert isinstance(node, cst.For)
        name = _target_name(node, kind)
        if name is None:
            continue
        chunk = _Chunk(name, events)
        found = s.scan(node.body, node, chunk)
        if not found.unguarded:
            continue
        first = found.unguarded[0]
        test = _guard_test(chunk, found.unguarded, module)
        notes = ""
        if any(sc.receiver != "openai" for sc in calls):
            notes += UNRESOLVED_NOTE
        elif any(r.unsafe for r in requires):
            # the client moves only with --unsafe-fixes: its stream with it
            notes += BLOCKED_NOTE
        if found.reads is not None:
            notes += f"; unsafe fix: the loop {found.reads}: move that above the guard to keep it"
        n = len(found.unguarded)
        more = f" (and {n - 1} more)" if n > 1 else ""
        ctx.report(
            node,
            STREAM_EMPTY_CHOICES,
            f"`{module.code_for_node(first)}` at {REFS}{more} raises IndexError on OpenRouter's "
            f"last stream chunk, whose `choices` is empty: insert `if {test}: continue` at the "
            f"top of the loop{notes}",
            fix=_insert_guard(test),
            unsafe=bool(notes),
            refs=(first,),
        ).requires.extend(requires)
