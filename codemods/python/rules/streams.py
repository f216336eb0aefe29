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

A call streams when ``stream=`` is true: ``True``, a name bound only to
``True``, or an entry of a ``**params`` dict the tool can read; a flag that
may be true (a parameter, ``**kwargs``) makes the guard an unsafe fix.
A stream is consumed by ``for``/``async for`` (directly, through a name bound
only to streams in that scope, through ``with ... as s``, ``iter(stream)``,
``enumerate(stream)`` or ``zip(..., stream)``), by a comprehension, or by
``next(s)`` in a loop. It may be handed out by a function or a method
(``return ...create(stream=True)``): it is read where this module calls it
(``gen()``, ``self.gen()``, ``Bot().gen()``, ``bot.gen()`` with ``bot =
Bot()``), and where other modules of the run do (codemods/python/project.py:
plan_streams). ``choice, = chunk.choices`` (an unpacking: ValueError on an
empty list) counts as an index.
A ``choices[N]`` on a chunk is guarded when it runs only for a non-empty
list: under ``if chunk.choices:`` / ``if len(chunk.choices) > 0`` (and their
``and``/``or``/``not`` forms, ``elif``/``else`` branches, ``x if c else y``),
on the right of ``chunk.choices and ...``, after ``if not chunk.choices:
continue`` (or ``break``/``return``/``raise``), inside ``try`` with an
``except`` catching IndexError that goes on (no ``raise``), or in a helper
function of the module the chunk is passed to, under the same guards there.
A ``try`` around the whole loop guards it only with ``except IndexError:
pass`` and nothing after the loop: a broad ``except Exception`` there runs
its handler (a retry, an error) on every stream (:func:`_try_guards`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import libcst as cst

from codemods.core.findings import Severity
from codemods.core.rules import rule
from codemods.python.analysis import FOREIGN_SDKS, attribute_chain, dotted_name, read_walk
from codemods.python.project import ProjectInput, resolve
from codemods.python.rules.base import REFS, Fix, Report, RuleContext, checker
from codemods.python.rules.client import string_value
from codemods.python.rules.models import MODULE_SITE, SdkCall, model_arg, sdk_calls

STREAM_EMPTY_CHOICES = rule(
    code="OR401",
    name="stream-empty-choices",
    summary="stream loop indexes `chunk.choices[0]`: OpenRouter's last chunk has no choices",
    severity=Severity.ERROR,
    fixable=True,
    what="""
        Finds loops (`for`, `async for`, over the stream, `iter(stream)`,
        `enumerate(stream)` or `zip(..., stream)`) over a stream of a client
        this run moves to OpenRouter (or one already there) whose body
        indexes `chunk.choices[0]` (`chunk["choices"][0]` for openai<1) or
        unpacks it (`choice, = chunk.choices`) without a guard, directly or
        in a helper function of the module the chunk is passed to. The
        stream may come from a function or a method that returns it, in
        this module or another module of the run. It inserts `if not chunk.choices: continue` at the top
        of the loop body (for `.stream(...)` events: `if event.type ==
        "chunk" and not event.chunk.choices: continue`). Guarded uses are
        left alone: `if chunk.choices:`, `if len(chunk.choices) > 0`,
        `chunk.choices and ...`, `if not chunk.choices: continue`,
        `try/except IndexError` in the loop (an `except` that does not
        raise), and `except IndexError: pass` around a loop with nothing
        after it; a broad `except Exception` (or a bare `except`) around
        the whole loop is no guard: OpenRouter's last chunk would run it.
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
        cannot move): the guard goes with it. And it is unsafe when the call
        streams only when a flag is true (`stream=stream`, a `**kwargs` the
        tool cannot read): the guard is right wherever it streams.
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
        `next(stream)` / `anext(stream)` inside a loop. In TypeScript and
        JavaScript: a `stream.on("chunk", (chunk) => ...)` handler (the
        Node SDK's `ChatCompletionStream`), and chunks read by hand with
        `it.next()` from `stream[Symbol.asyncIterator]()`.
    """,
    why="""
        OpenRouter's last chunk has an empty `choices`: the comprehension
        raises IndexError there, and so does a loop that calls `next()`
        until the stream ends (in JavaScript, `choices[0]` is `undefined`
        and reading it throws a TypeError). Add `if c.choices` to the
        comprehension, or skip chunks whose `choices` is empty.
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
_VALUE_ERRORS = frozenset({"ValueError", "Exception", "BaseException"})
_EXITS = (cst.Continue, cst.Break, cst.Return, cst.Raise)
_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)
_COMPREHENSIONS = (cst.GeneratorExp, cst.ListComp, cst.SetComp, cst.DictComp)
_HELPER_DEPTH = 3


@dataclass(eq=False)
class _Source:
    """Where a stream comes from: an SDK call of this module (``sc``), or a
    function or method of another module of the run that returns one (then
    ``where`` names it and ``receiver``/``note`` carry what that module
    decided). ``note``: why a guard on it is unsafe besides its client (the
    call may not stream; the other module's client is not resolved)."""

    sc: SdkCall | None
    note: str = ""
    where: str = ""

    @property
    def receiver(self) -> str:
        return self.sc.receiver if self.sc is not None else "openai"

    @property
    def requires(self) -> tuple:
        return self.sc.requires if self.sc is not None else ()

    @property
    def sites(self) -> tuple[int | str, ...]:
        """The client sites of this module the call may use (none for a
        stream another module hands out)."""
        return self.sc.sites if self.sc is not None else ()


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

    # ``chunk.choices[N]``, and unpackings ``choice, = chunk.choices``
    unguarded: list[cst.Subscript | cst.Assign] = field(default_factory=list)
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


def _catches(handler: cst.ExceptHandler, errors: frozenset[str]) -> bool:
    t = handler.type
    if t is None:
        return True
    names = [e.value for e in t.elements] if isinstance(t, cst.Tuple) else [t]
    return any(type(n) is cst.Name and n.value in errors for n in names)  # type: ignore[attr-defined]


def _unpacks(node: cst.Assign) -> bool:
    """``a, = ...`` / ``[a] = ...`` / ``a, *rest = ...``: fails on an empty list."""
    target = node.targets[0].target
    return any(type(e) is not cst.StarredElement for e in target.elements)  # type: ignore[attr-defined]


def _error(use: cst.CSTNode) -> str:
    return "ValueError" if type(use) is cst.Assign else "IndexError"


def _try_guards(
    node: cst.Try | cst.TryStar, child: cst.CSTNode, stop: cst.CSTNode, inside: bool
) -> bool:
    """May this ``try``, around a ``choices[N]``, count as its guard? Only
    when the handler that catches the IndexError lets the stream go on
    (False: it does not; True: the handlers decide). In the loop body, a
    handler that raises (or returns from the loop's function) does not.
    Around the whole loop, the IndexError on the usage chunk ends the loop
    and runs the handler instead of what follows it: only ``except
    IndexError: pass`` (or ``LookupError``) with nothing after the loop in
    the ``try`` and no ``else`` is harmless (the usage chunk is the last
    one), while ``except Exception`` there retries the request, logs a
    failure or returns a fallback on every stream (audit S1)."""
    if child is not node.body:
        return True
    handler = None
    for h in node.handlers:
        names = _handled(h)
        if names is None or _INDEX_ERRORS & set(names):
            handler = h
            break
    if handler is None:
        return True
    block = handler.body
    # its statements, each line's small statements (None: a compound one)
    lines = (
        [list(block.body)]
        if isinstance(block, cst.SimpleStatementSuite)
        else [list(s.body) if isinstance(s, cst.SimpleStatementLine) else None for s in block.body]
    )
    if inside:
        ends = (cst.Raise,) if type(stop) is cst.FunctionDef else (cst.Raise, cst.Return)
        return not any(line and any(isinstance(x, ends) for x in line) for line in lines)
    names = _handled(handler)
    return (
        bool(names)
        and not {"Exception", "BaseException"} & set(names)  # type: ignore[arg-type]
        and all(
            line is not None
            and all(
                isinstance(x, cst.Pass)
                or (isinstance(x, cst.Expr) and isinstance(x.value, cst.Ellipsis))
                for x in line
            )
            for line in lines
        )
        and node.orelse is None
        and node.body.body[-1] is stop
        and getattr(stop, "orelse", None) is None
    )


def _handled(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> list[str] | None:
    """The exception names an ``except`` names (None: a bare ``except``)."""
    t = handler.type
    if t is None:
        return None
    items = [e.value for e in t.elements] if isinstance(t, cst.Tuple) else [t]
    return [n.value if type(n) is cst.Name else "?" for n in items]  # type: ignore[attr-defined]


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

    def visit_Assign(self, node: cst.Assign) -> None:
        # ``choice, = chunk.choices``: an unpacking
        if len(node.targets) == 1 and type(node.targets[0].target) in (cst.Tuple, cst.List):
            self.nodes.append(node)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.var:
            self.nodes.append(node)


class _Streams:
    def __init__(self, ctx: RuleContext) -> None:
        self.ctx = ctx
        self.f = ctx.facts
        self.parents = ctx.facts.parents
        self.streams: dict[int, tuple[_Source, bool]] = {}
        # calls of a function or method that returns a stream -> that stream
        self._carried: dict[int, tuple[_Source, bool]] = {}
        self._scope_keys: dict[int, int] = {}
        # where streams enter: (node, its parent, source, events)
        self.origins: list[tuple[cst.CSTNode, cst.CSTNode | None, _Source, bool]] = []
        # what this module's public functions and methods hand out:
        # "f" / "Class.method" -> (events, note) (ModuleSummary.stream_returns)
        self.exports: dict[str, tuple[bool, str]] = {}
        f = self.f
        openai_file = f.imports_openai
        foreign_file = any(f.imports_module(m) for m in FOREIGN_SDKS)
        for sc in sdk_calls(ctx):
            if sc.receiver == "foreign" or sc.held:
                continue
            parts, _ = attribute_chain(sc.call.func)
            if _RAW & set(parts):
                continue
            note = ""
            if sc.method in _EVENT_METHODS:
                events = True
            elif sc.method in _CHUNK_METHODS:
                maybe = self._streams_when(sc.call)
                if maybe is None:
                    continue
                note = maybe
                events = False
            else:
                continue
            if sc.receiver == "unknown" and not openai_file:
                # as the model rules: an SDK-shaped call in a file that does
                # not import openai counts only through its ``model=``
                if foreign_file or model_arg(sc.call) is None:
                    continue
            source = _Source(sc, note)
            self.streams[id(sc.call)] = (source, events)
            node: cst.CSTNode = sc.call
            parent = self.parents.get(id(node))
            if type(parent) is cst.Await:
                node, parent = parent, self.parents.get(id(parent))
            self.origins.append((node, parent, source, events))
        if ctx.project is not None:
            self._imported(ctx.project)

    # -- does a call stream? ---------------------------------------------------

    def _streams_when(self, call: cst.Call) -> str | None:
        """None: the call does not return a stream; "": it does; else why
        it may (``stream=flag``, ``**params`` the tool cannot read): a guard
        on it is then an unsafe fix."""
        flag = _kw(call, "stream")
        if flag is not None:
            return self._flag(flag, f"`stream={self._shown(flag)}`")
        for a in call.args:
            if a.star != "**":
                continue
            shown = f"`**{self._shown(a.value)}`"
            found = self._dict_key(a.value, call)
            if found is False:
                continue
            if found is None:
                return f"; unsafe fix: {shown} may set `stream=True`, which the tool cannot read"
            return self._flag(found, shown)
        return None

    def _flag(self, flag: cst.BaseExpression, shown: str) -> str | None:
        truth = self._truth(flag)
        if truth is False:
            return None
        if truth is True:
            return ""
        return (
            f"; unsafe fix: {shown} is not always true (the guard is right wherever "
            "the call streams)"
        )

    def _truth(self, value: cst.BaseExpression, depth: int = 0) -> bool | None:
        """The truth of a constant (``True``, ``False``, ``None``, or a name
        bound only to one of them in its scope); None: not known."""
        if type(value) is cst.Name:
            if value.value in ("True", "False", "None"):  # type: ignore[attr-defined]
                return value.value == "True"  # type: ignore[attr-defined]
            if depth > 2:
                return None
            values = self._values(value)
            if not values or any(v is None for v in values):
                return None
            found = {self._truth(v, depth + 1) for v in values}  # type: ignore[arg-type]
            return found.pop() if len(found) == 1 else None
        if type(value) is cst.Integer:
            return value.evaluated_value != 0  # type: ignore[attr-defined]
        return None

    def _values(self, name: cst.Name) -> list[cst.BaseExpression | None]:
        """What ``name`` is bound to in its scope (empty: a parameter, or not
        bound there: nothing is known)."""
        key = self._scope_key(name)
        values = self.f.bindings.get((key, name.value), [])
        if not values and key != 0 and self.f.assignment_counts.get(name.value, 0) <= 1:
            # a module-level name read in a function
            if not self._is_param(name, key):
                values = self.f.bindings.get((0, name.value), [])
        return values

    def _is_param(self, name: cst.Name, key: int) -> bool:
        n = self.parents.get(id(name))
        while n is not None and id(n) != key:
            n = self.parents.get(id(n))
        if type(n) not in (cst.FunctionDef, cst.Lambda):
            return False
        params = n.params  # type: ignore[attr-defined]
        every = [*params.posonly_params, *params.params, *params.kwonly_params]
        for p in (params.star_arg, params.star_kwarg):
            if isinstance(p, cst.Param):
                every.append(p)
        return any(p.name.value == name.value for p in every)

    def _dict_key(
        self, value: cst.BaseExpression, call: cst.Call
    ) -> cst.BaseExpression | bool | None:
        """``**value``'s ``stream`` entry: the expression, False when it
        surely has none, None when the tool cannot tell."""
        if type(value) is cst.Name:
            values = self._values(value)
            if len(values) != 1 or values[0] is None:
                return None
            # read (or changed: ``params["stream"] = True``) anywhere but here
            uses = [
                u
                for u in self.f.name_uses.get(value.value, ())  # type: ignore[attr-defined]
                if self._scope_key(u) == self._scope_key(value)
            ]
            if any(u is not value for u in uses):
                return None
            value = values[0]
        if type(value) is cst.Dict:
            for el in value.elements:  # type: ignore[attr-defined]
                if type(el) is not cst.DictElement:
                    return None  # ``{**other}``
                key = string_value(el.key)
                if key is None:
                    return None
                if key == "stream":
                    return el.value
            return False
        if type(value) is cst.Call and _is_name(value.func, "dict") and not self.f.is_bound("dict"):  # type: ignore[attr-defined]
            for a in value.args:  # type: ignore[attr-defined]
                if a.keyword is None:
                    return None
                if a.keyword.value == "stream":
                    return a.value
            return False
        return None

    def _shown(self, node: cst.CSTNode) -> str:
        shown = self.ctx.module.code_for_node(node)
        return shown if len(shown) <= 40 else shown[:37] + "..."

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

    def consumers(self) -> dict[int, tuple[cst.CSTNode, str, list[_Source], bool, str | None]]:
        """id(consumer) -> (consumer node, kind, the stream sources, events,
        the variable ``next()``'s result is bound to)."""
        out: dict[int, tuple[cst.CSTNode, str, list[_Source], bool, str | None]] = {}

        def add(node: cst.CSTNode, kind: str, src: _Source, events: bool, var: str | None) -> None:
            entry = out.setdefault(id(node), (node, kind, [], events, var))
            if all(c is not src for c in entry[2]):
                entry[2].append(src)

        named: dict[tuple[int, str], list[tuple[_Source, bool]]] = {}

        def route(
            node: cst.CSTNode, parent: cst.CSTNode | None, src: _Source, events: bool
        ) -> None:
            # ``def gen(...): return client...create(stream=True)``: the
            # stream is read where the module's own calls of gen are (and
            # those of a method: ``self.gen()``, ``Bot().gen()``)
            carriers = [(node, parent), *self._returned_through(node, parent, src, events)]
            for carrier, _ in carriers[1:]:
                inner = carrier.expression if type(carrier) is cst.Await else carrier  # type: ignore[attr-defined]
                self._carried[id(inner)] = (src, events)
            for node, parent in carriers:
                found = self._consumer(node, parent)
                if found is not None:
                    add(found[0], found[1], src, events, found[2])
                    continue
                name = self._bound_name(node, parent)
                if name is not None:
                    streams = named.setdefault((self._scope_key(node), name), [])
                    if all(s is not src or e != events for s, e in streams):
                        streams.append((src, events))

        for node, parent, src, events in self.origins:
            route(node, parent, src, events)
        uses: dict[str, dict[int, list[cst.Name]]] = {}
        done: set[tuple[int, str, int, bool]] = set()
        # a name bound to a stream and returned (``s = ...create(stream=True);
        # return s``) hands it to the function's callers, whose own names may
        # hold it in turn: until nothing new is bound
        changed = True
        while changed:
            changed = False
            for (key, name), streams in list(named.items()):
                values = self.f.bindings.get((key, name), [])
                if not values or any(self._stream_of(v) is None for v in values):
                    continue  # the name is also bound to something else
                if name not in uses:
                    by_scope: dict[int, list[cst.Name]] = {}
                    for use in self.f.name_uses.get(name, ()):
                        by_scope.setdefault(self._scope_key(use), []).append(use)
                    uses[name] = by_scope
                for src, events in list(streams):
                    if (key, name, id(src), events) in done:
                        continue
                    done.add((key, name, id(src), events))
                    changed = True
                    for use in uses[name].get(key, ()):
                        parent = self.parents.get(id(use))
                        found = self._consumer(use, parent)
                        if found is not None:
                            add(found[0], found[1], src, events, found[2])
                        elif type(parent) is cst.Return:
                            route(use, parent, src, events)
        return out

    def _returned_through(
        self, node: cst.CSTNode, parent: cst.CSTNode | None, src: _Source, events: bool
    ) -> list[tuple[cst.CSTNode, cst.CSTNode | None]]:
        """The calls of the module-level function (or of the method of a
        module-level class) that returns the stream ``node`` (``return
        ...create(stream=True)``), made in this file, each with its parent
        (past an ``await``): they hand out the stream. A public one is
        exported to the other modules of the run (``self.exports``)."""
        if type(parent) is not cst.Return:
            return []
        fn = self.parents.get(id(parent))
        while fn is not None and not isinstance(fn, _SCOPES):
            fn = self.parents.get(id(fn))
        if type(fn) is not cst.FunctionDef:
            return []
        name = fn.name.value  # type: ignore[attr-defined]
        f = self.f
        owner = f.scope_of.get(id(fn))
        if owner is None:
            if f.module_functions.get(name) is not fn or f.assignment_counts.get(name, 0) != 1:
                return []
            calls = [
                c
                for c in f.calls
                if type(c.func) is cst.Name and c.func.value == name  # type: ignore[attr-defined]
            ]
            if not name.startswith("_"):
                self._export(name, src, events)
        elif type(owner) is cst.ClassDef and id(owner) not in f.scope_of:
            # a method of a module-level class
            cls = owner.name.value  # type: ignore[attr-defined]
            if f.assignment_counts.get(cls, 0) > 1 or f.is_bound(cls) and cls in f.imports:
                return []
            calls = self._method_calls(cls, name, owner)  # type: ignore[arg-type]
            if not cls.startswith("_") and not name.startswith("_"):
                self._export(f"{cls}.{name}", src, events)
        else:
            return []
        out: list[tuple[cst.CSTNode, cst.CSTNode | None]] = []
        for call in calls:
            node2: cst.CSTNode = call
            parent2 = self.parents.get(id(call))
            if type(parent2) is cst.Await:
                node2, parent2 = parent2, self.parents.get(id(parent2))
            out.append((node2, parent2))
        return out

    def _export(self, name: str, src: _Source, events: bool) -> None:
        note = src.note
        if src.receiver != "openai":
            note += UNRESOLVED_NOTE
        elif any(r.unsafe for r in src.requires):
            note += BLOCKED_NOTE
        needs = self.ctx.memo.setdefault(STREAM_EXPORT_REQUIRES, {})
        needs[name] = (*needs.get(name, ()), *src.requires)
        known = self.exports.get(name)
        if known is not None and len(known[1]) >= len(note):
            return
        self.exports[name] = (events, note)

    def _method_calls(self, cls: str, method: str, owner: cst.ClassDef | None) -> list[cst.Call]:
        """The calls of ``method`` on an instance of the class ``cls`` in
        this file: ``self.method()`` in the class's own methods (``owner``:
        defined here), ``x.method()`` where ``x`` (or ``self.x``) is bound
        only to ``cls(...)``, ``cls(...).method()``."""
        out = []
        for use in self.f.attribute_uses.get(method, ()):
            call = self.parents.get(id(use))
            if type(call) is not cst.Call or call.func is not use:  # type: ignore[attr-defined]
                continue
            if self._instance_of(use.value, cls, owner):
                out.append(call)
        return out  # type: ignore[return-value]

    def _instance_of(self, value: cst.BaseExpression, cls: str, owner: cst.ClassDef | None) -> bool:
        if self._constructs(value, cls):
            return True
        if type(value) is cst.Name:
            if value.value in ("self", "cls") and owner is not None:  # type: ignore[attr-defined]
                fn = self._function_of(value)
                return fn is not None and self.f.scope_of.get(id(fn)) is owner
            values = self._values(value)  # type: ignore[arg-type]
        elif (
            type(value) is cst.Attribute
            and type(value.value) is cst.Name
            and value.value.value == "self"  # type: ignore[attr-defined]
        ):
            fn = self._function_of(value)
            klass = self.f.scope_of.get(id(fn)) if fn is not None else None
            if type(klass) is not cst.ClassDef:
                return False
            values = self.f.bindings.get((id(klass), f"self.{value.attr.value}"), [])
        else:
            return False
        return bool(values) and all(v is not None and self._constructs(v, cls) for v in values)

    def _constructs(self, value: cst.BaseExpression | None, cls: str) -> bool:
        """``cls(...)`` (``cls`` dotted: ``llm.Bot``)."""
        return type(value) is cst.Call and dotted_name(value.func) == cls  # type: ignore[attr-defined]

    def _function_of(self, node: cst.CSTNode) -> cst.CSTNode | None:
        n = self.parents.get(id(node))
        while n is not None and not isinstance(n, _SCOPES):
            n = self.parents.get(id(n))
        return n if type(n) is cst.FunctionDef else None

    def _imported(self, project: ProjectInput) -> None:
        """Streams handed out by functions and methods of other modules of
        the run (:func:`codemods.python.project.plan_streams`): their calls here,
        through ``from M import f``, ``from pkg import M`` / ``import M``
        (``M.f()``), and for a method, on an instance of the imported class."""
        if not project.stream_functions or project.module is None:
            return
        f = self.f
        me, is_pkg = project.module
        wanted: dict[tuple[str, str], list[tuple[str, bool, str]]] = {}
        for module, name, method, events, note in project.stream_functions:
            wanted.setdefault((module, name), []).append((method, events, note))
        callees: list[tuple[str, str, bool, _Source]] = []

        def add(callee: str, module: str, name: str) -> None:
            for method, events, note in wanted.get((module, name), ()):
                where = f"`{module}.{name}{'.' + method if method else ''}`"
                callees.append((callee, method, events, _Source(None, note, where)))

        for local, (written, name) in sorted(f.from_imports.items()):
            if written == "?" or f.assignment_counts.get(local, 0) != 0:
                continue
            target = resolve(written, me, is_pkg)
            if target is None:
                continue
            add(local, target, name)  # from .llm import stream_chat
            for module, fname in wanted:
                if module == f"{target}.{name}":
                    add(f"{local}.{fname}", module, fname)  # from app import llm
        for local, targets in sorted(f.imports.items()):
            if local in f.other_bindings or len(targets) != 1 or local in f.from_imports:
                continue
            (target,) = targets
            for module, fname in wanted:
                if module == target:
                    add(f"{local}.{fname}", module, fname)  # import app.llm as llm
                elif module.startswith(target + ".") and local == target.split(".")[0]:
                    add(f"{module}.{fname}", module, fname)  # import app.llm
        for callee, method, events, src in callees:
            if method:
                calls = self._method_calls(callee, method, None)
            else:
                calls = [c for c in f.calls if dotted_name(c.func) == callee]
            for call in calls:
                node: cst.CSTNode = call
                parent = self.parents.get(id(call))
                if type(parent) is cst.Await:
                    node, parent = parent, self.parents.get(id(parent))
                self._carried[id(call)] = (src, events)
                self.origins.append((node, parent, src, events))

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
        if type(parent) is not cst.Arg or parent.keyword is not None or parent.star:  # type: ignore[attr-defined]
            return None
        call = self.parents.get(id(parent))
        if type(call) is not cst.Call:
            return None
        func = call.func  # type: ignore[attr-defined]
        if type(func) is not cst.Name or self.f.is_bound(func.value):  # type: ignore[attr-defined]
            return None
        outer = self.parents.get(id(call))
        if func.value == "zip":  # type: ignore[attr-defined]
            # ``for a, chunk in zip(x, stream)``: the chunk is the stream's place
            args = call.args  # type: ignore[attr-defined]
            if any(a.star or a.keyword is not None for a in args):
                return None
            at = next(i for i, a in enumerate(args) if a is parent)
            if type(outer) is cst.For and outer.iter is call:  # type: ignore[attr-defined]
                return outer, f"for@{at}", None
            if type(outer) is cst.CompFor and outer.iter is call:  # type: ignore[attr-defined]
                return outer, f"comp@{at}", None
            return None
        if call.args[0] is not parent:  # type: ignore[attr-defined]
            return None
        if func.value in ("iter", "aiter") and len(call.args) == 1:  # type: ignore[attr-defined]
            # ``iter(stream)`` is the stream's own iterator
            return self._consumer(call, outer)
        if func.value == "enumerate":  # type: ignore[attr-defined]
            if type(outer) is cst.For and outer.iter is call:  # type: ignore[attr-defined]
                return outer, "for@1", None
            if type(outer) is cst.CompFor and outer.iter is call:  # type: ignore[attr-defined]
                return outer, "comp@1", None
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
        errors = _VALUE_ERRORS if type(use) is cst.Assign else _INDEX_ERRORS
        child = use
        node = self.parents.get(id(use))
        inside = True
        while node is not None:
            at_stop = node is stop
            kind = type(node)
            if kind in (cst.Try, cst.TryStar) and not _try_guards(node, child, stop, inside):  # type: ignore[arg-type]
                child, node = node, self.parents.get(id(node))  # its handler ends the stream
                continue
            if kind in (cst.Try, cst.TryStar) and child is node.body:  # type: ignore[attr-defined]
                if any(_catches(h, errors) for h in node.handlers):  # type: ignore[attr-defined]
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
            elif type(node) is cst.Assign:
                if (
                    chunk.is_choices(node.value)  # type: ignore[attr-defined]
                    and _unpacks(node)  # type: ignore[arg-type]
                    and not self.guarded(node, stop, chunk)
                ):
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


def _guard_test(chunk: _Chunk, uses: list[cst.Subscript | cst.Assign], module: cst.Module) -> str:
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


def _target_name(target: cst.BaseExpression, kind: str) -> str | None:
    """The chunk variable of a loop's target: the whole target, or (kind
    ``for@N``: ``enumerate``, ``zip``) its N-th element."""
    if "@" in kind:
        at = int(kind.split("@", 1)[1])
        if type(target) not in (cst.Tuple, cst.List):
            return None
        elements = target.elements  # type: ignore[attr-defined]
        if len(elements) <= at or any(type(e) is cst.StarredElement for e in elements):
            return None
        target = elements[at].value
    return target.value if type(target) is cst.Name else None  # type: ignore[attr-defined]


# memo: exported function -> the reports its stream's client moves with
STREAM_EXPORT_REQUIRES = "stream_export_requires"
BLOCKED_NOTE = "; unsafe fix: the stream's client moves to OpenRouter only as an unsafe fix"
UNRESOLVED_NOTE = (
    "; unsafe fix: the stream's client is not resolved to one this run moves to OpenRouter"
)


def _origin(calls: list[_Source]) -> str:
    """Where the streams of another module come from, for the message."""
    where = sorted({c.where for c in calls if c.where})
    return f" (the stream {', '.join(where)} returns)" if where else ""


def _held_module_client(ctx: RuleContext) -> Report | None:
    """The module-level client's finding when a model that cannot move makes
    its move unsafe (module_client.check_module_client ran before)."""
    from codemods.python.rules.module_client import MODULE_CLIENT_CONFIG, MODULE_CLIENT_REPORT

    report = ctx.memo.get(MODULE_CLIENT_REPORT)
    if report is not None and report.unsafe:
        return report
    # the configuration this file gives it (OR110): the guard moves with it
    return ctx.memo.get(MODULE_CLIENT_CONFIG)


@checker
def check_streams(ctx: RuleContext) -> None:
    enabled = ctx.settings.rule_enabled
    if not ctx.facts.calls or not (enabled("OR401") or enabled("OR402")):
        return
    s = _Streams(ctx)
    if not s.origins:
        return
    module = ctx.module
    consumers = s.consumers()
    if ctx.summary is not None:
        # the functions and methods other modules may read a stream from
        ctx.summary.stream_returns = {k: list(v) for k, v in sorted(s.exports.items())}
    held = _held_module_client(ctx)
    for node, kind, calls, events, var in consumers.values():
        requires = tuple({id(r): r for sc in calls for r in sc.requires}.values())
        if held is not None and any(MODULE_SITE in sc.sites for sc in calls):
            requires += (held,)  # the module-level client moves only unsafely
        origin = _origin(calls)
        if kind == "next-direct":
            assert isinstance(node, cst.Subscript)
            ctx.report(
                node,
                STREAM_EMPTY_CHOICES_NO_FIX,
                f"`{module.code_for_node(node)}` in a loop calling `next()` on the stream{origin} "
                "raises IndexError on OpenRouter's last chunk, whose `choices` is empty: check "
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
                    f"`{module.code_for_node(first)}` on a chunk from `next()` in a loop{origin} "
                    f"raises {_error(first)} on OpenRouter's last chunk, whose `choices` is "
                    f"empty: skip chunks without choices (`if not {var}.choices: continue`)",
                ).requires.extend(requires)
            continue
        if kind.startswith("comp"):
            assert isinstance(node, cst.CompFor)
            comp = s.parents.get(id(node))
            name = _target_name(node.target, kind)
            if not isinstance(comp, _COMPREHENSIONS) or name is None:
                continue
            chunk = _Chunk(name, events)
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
                    f"`{module.code_for_node(first)}` in a comprehension over a stream{origin} "
                    f"raises {_error(first)} on OpenRouter's last chunk, whose `choices` is "
                    f"empty: add `if {cond}` to it (not rewritten)",
                ).requires.extend(requires)
            continue
        assert isinstance(node, cst.For)
        name = _target_name(node.target, kind)
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
        for sc in calls:
            if sc.note and sc.note not in notes:
                notes += sc.note
        if found.reads is not None:
            notes += f"; unsafe fix: the loop {found.reads}: move that above the guard to keep it"
        n = len(found.unguarded)
        more = f" (and {n - 1} more)" if n > 1 else ""
        ctx.report(
            node,
            STREAM_EMPTY_CHOICES,
            f"`{module.code_for_node(first)}` at {REFS}{more} raises {_error(first)} on "
            f"OpenRouter's last stream chunk{origin}, whose `choices` is empty: insert "
            f"`if {test}: continue` at the top of the loop{notes}",
            fix=_insert_guard(test),
            unsafe=bool(notes),
            refs=(first,),
        ).requires.extend(requires)
