"""Follow model IDs from where they are written to the SDK's ``model=``.

A *sink* is an expression whose value reaches ``model=`` of an SDK call: the
``model=`` argument itself, the ``"model"`` entry of a dict splatted with
``**params``, and (followed from there) the arguments of in-file calls to a
module-level function whose parameter flows into ``model=``.

Resolving a sink walks *down* the expression to the string literals that can
end up in it, through *holders*: module variables assigned once, class
attributes (``self.DEFAULT_MODEL``, ``cls.X``, ``Class.X``, including
overrides in subclasses of this file), function parameters (their default,
a ``click.option`` default, and the arguments of in-file callers), local
variables assigned once, ``os.getenv``/``os.environ.get`` defaults,
conditional expressions (both branches), ``a or b`` (both operands) and dict
literals (``"model"`` key). Anything else is *unknown* and reported (OR205);
nothing is guessed.

Whether a rewrite is *safe* (ruff's applicability) is a separate question
from whether it is *certain* (which gates what is reported): a sink is safe
when the SDK call it reaches is on a receiver that resolves to openai's
client (``Sink.safe``); a sink that continues another one (a caller's
argument for a parameter that reaches ``model=``) is safe only if every sink
it feeds is (``Sink.feeds``, see :func:`sink_safe`); a literal's fix is safe
only if every sink it reaches is. Anything else is an unsafe fix, applied
only with ``--unsafe-fixes``.

A literal is rewritten only when every holder on its path is *exclusive*:
every read of the holder anywhere in the file was itself reached from a
sink. A constant also given to ``tiktoken.encoding_for_model``, compared, or
logged is therefore reported (OR206) instead of rewritten. Reads are counted
scope-insensitively where that errs on the side of "also used elsewhere".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from codemods.core.mapping import LookupKind
from codemods.core.sdk import RESOURCES
from codemods.python.analysis import ModuleFacts, dotted_name, read_walk, unpacked_values
from codemods.python.project import Export, ModuleSummary, SinkFunction, resolve
from codemods.python.rules.base import REFS, Report, RuleContext
from codemods.python.rules.client import string_value

_MAX_DEPTH = 24
_MAX_STEPS = 1000  # per sink: a guard against pathological (generated) code


@dataclass(frozen=True)
class Holder:
    """A place a model ID is stored on its way to ``model=``."""

    key: tuple[str, ...]
    label: str  # "`MODEL`", "parameter `model` of `ask`"
    uses: tuple[cst.CSTNode, ...]  # every read of it (in this file)
    scope_word: str = "file"  # where the reads were counted
    # reads in other files that are not model= (project pass), and where
    extra_uses: int = 0
    extra_files: tuple[str, ...] = ()


# annotations that name no class with fields of its own
_NOT_CLASSES = frozenset(
    {"str", "dict", "Dict", "Any", "object", "Mapping", "MutableMapping", "SimpleNamespace"}
)


@dataclass(eq=False)  # compared by identity: ``feeds`` may form cycles
class Sink:
    """An expression whose value reaches ``model=`` of an SDK call."""

    node: cst.CSTNode  # where OR205/OR206 are reported
    value: cst.BaseExpression
    scope: cst.CSTNode | None  # innermost def/lambda/class (None: module)
    certain: bool  # the SDK call is certainly openai's
    chain: tuple[Holder, ...] = ()
    # The fix of a literal reaching this sink is safe (applied without
    # --unsafe-fixes) only if the SDK call's receiver resolves to openai's
    # client. Root sinks (``model=`` itself) get it from the receiver's
    # classification: whatever resolves more receivers (a whole-program
    # receiver resolver) only has to set it True. False by default: a sink
    # nobody vouched for is unsafe.
    safe: bool = False
    # the sinks this one's value flows on into (a caller's argument -> the
    # parameter's sinks): safe only if they all are (:func:`sink_safe`)
    feeds: list[Sink] = field(default_factory=list)
    dict_mode: bool = False  # ``**value``: the "model" entry of a mapping
    subject: str = "model"  # how OR205/OR206 messages name the value
    via: str | None = None  # how OR201 messages name the path
    opaque: str | None = None  # set: nothing to follow, report this
    # the client reports (OR101) of the clients the SDK call goes through: a
    # rewrite of this value stands or falls with them (engine: Report.requires)
    requires: tuple[Report, ...] = ()
    # the constructor sites (``id()``) of those clients, reports or not: a
    # model ID that cannot move blocks their fix (``Report.blocks``)
    sites: tuple[int, ...] = ()
    # the SDK call's receiver is this parameter of the function around it
    # (id() of the def, name): a call of the function that passes a client
    # left where it points there sends its model to that server, not to
    # OpenRouter (:meth:`Resolver.call_args` skips its model argument)
    receiver_param: tuple[int, str] | None = None


@dataclass
class Source:
    """A string literal that reaches one or more sinks."""

    node: cst.SimpleString
    via: str | None
    chains: list[tuple[Holder, ...]] = field(default_factory=list)
    sinks: list[Sink] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Flow:
    sources: dict[int, Source] = field(default_factory=dict)
    # sink id -> descriptions of what could not be followed
    unknowns: dict[int, list[str]] = field(default_factory=dict)
    sinks: list[Sink] = field(default_factory=list)
    reached: set[int] = field(default_factory=set)
    # sink id -> the field of an object the value is read from, whose class
    # (and its default: ``model: str = "gpt-4o"``) the tool does not follow
    # (``agent.model``, ``agent: Agent``): a bare default may be sent through
    # the client, whose move therefore cannot be proved (models.report_flow)
    # A class of this file whose field of the same name has a model-ID
    # default (``class Agent: model = "gpt-4o"``, read as ``agent.model``
    # through an untyped name) is named with the definition (its line:
    # ``Report.refs``), the default and the class field
    object_fields: dict[int, tuple[str, cst.CSTNode | None]] = field(default_factory=dict)
    # sink id -> why a value that may reach it bare cannot be proved to move
    # (an argparse option the tool cannot follow: ``choices=``,
    # ``set_defaults``, subparsers...): the client it is sent through moves
    # only as an unsafe fix (models.report_flow)
    held: dict[int, list[str]] = field(default_factory=dict)
    # sink id -> the nodes its ``held`` reasons name (``REFS``: their lines)
    held_refs: dict[int, list[cst.CSTNode]] = field(default_factory=dict)
    # sink id -> imported names followed to their module, which keeps the ID
    # as it is there (ProjectInput.followed_kept): "`MODEL` ('o1-mini' at
    # settings.py:1 (OR204))"
    kept_imports: dict[int, list[str]] = field(default_factory=dict)
    # reads of names imported with ``from M import N``: (local name, read,
    # holders between the read and model=, the SDK call is surely openai's,
    # the sink the read was reached from: its safety is known once all ran)
    imported_reads: list[tuple[str, cst.Name, tuple[Holder, ...], bool, Sink]] = field(
        default_factory=list
    )
    # (function, parameter) of module-level functions whose parameter reaches
    # model=: (holders from the parameter to model=, positional index,
    # certain, the sink reached)
    param_chains: dict[tuple[str, str], list[tuple[tuple[Holder, ...], int | None, bool, Sink]]] = (
        field(default_factory=dict)
    )


def sink_safe(sink: Sink, _seen: set[int] | None = None) -> bool:
    """Is a fix reaching ``sink`` safe? Its own ``safe``, and every sink it
    feeds (a recursive function's parameter feeding itself adds nothing)."""
    if not sink.safe:
        return False
    seen = set() if _seen is None else _seen
    if id(sink) in seen:
        return True
    seen.add(id(sink))
    return all(sink_safe(s, seen) for s in sink.feeds)


# ---------------------------------------------------------------------------
# per-function facts (computed lazily, only for functions on a model's path)


@dataclass
class _FuncScope:
    node: cst.FunctionDef | cst.Lambda
    params: dict[str, cst.Param]
    positional: list[str]
    # name -> values of simple single assignments; None marks any other binding
    assigns: dict[str, list[cst.BaseExpression | None]]
    loads: dict[str, list[cst.Name]]
    declared: set[str]  # global / nonlocal


class _ScopeWalker(cst.CSTVisitor):
    """Binding and load facts for one function body (nested defs included:
    their reads count as reads, their bindings as "not simple")."""

    def __init__(self, scope: _FuncScope) -> None:
        self.s = scope
        self.stores: set[int] = set()
        self.nested = 0

    def _bind(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        if isinstance(target, cst.Name):
            self.stores.add(id(target))
            simple = value if self.nested == 0 else None
            self.s.assigns.setdefault(target.value, []).append(simple)
        elif isinstance(target, (cst.Tuple, cst.List)):
            # ``a, b = x, y``: element by element; anything else unpacked is
            # not a simple binding (never another element)
            values = unpacked_values(value, target.elements)
            for i, el in enumerate(target.elements):
                self._bind(el.value, None if values is None else values[i])
        elif isinstance(target, cst.StarredElement):
            self._bind(target.value, None)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stores.add(id(node.name))
        self.s.assigns.setdefault(node.name.value, []).append(None)
        self.nested += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.nested -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.stores.add(id(node.name))
        self.s.assigns.setdefault(node.name.value, []).append(None)
        self.nested += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.nested -= 1

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.nested += 1

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.nested -= 1

    def visit_Param(self, node: cst.Param) -> None:
        self.stores.add(id(node.name))

    def visit_Assign(self, node: cst.Assign) -> None:
        single = len(node.targets) == 1
        for t in node.targets:
            self._bind(t.target, node.value if single else None)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target, None)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, None)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target, None)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind(node.target, None)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, None)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind(node.name.name, None)

    def visit_Del(self, node: cst.Del) -> None:
        self._bind(node.target, None)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.stores.add(id(item.name))
            self.s.declared.add(item.name.value)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        for item in node.names:
            self.stores.add(id(item.name))
            self.s.declared.add(item.name.value)

    def visit_ImportAlias(self, node: cst.ImportAlias) -> bool:
        local = node.asname.name if node.asname is not None else node.name
        if isinstance(local, cst.Name):
            self.stores.add(id(local))
            self.s.assigns.setdefault(local.value, []).append(None)
        elif isinstance(node.name, cst.Attribute):
            root = node.name
            while isinstance(root, cst.Attribute):
                root = root.value  # type: ignore[assignment]
            if isinstance(root, cst.Name):
                self.s.assigns.setdefault(root.value, []).append(None)
        return False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.stores.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self.stores.add(id(node.keyword))

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self.stores:
            self.s.loads.setdefault(node.value, []).append(node)


def _func_scope(node: cst.FunctionDef | cst.Lambda) -> _FuncScope:
    params: dict[str, cst.Param] = {}
    positional: list[str] = []
    ps = node.params
    for p in [*ps.posonly_params, *ps.params]:
        params[p.name.value] = p
        positional.append(p.name.value)
    for p in ps.kwonly_params:
        params[p.name.value] = p
    for star in (ps.star_arg, ps.star_kwarg):
        if isinstance(star, cst.Param):
            params[star.name.value] = star
    scope = _FuncScope(node, params, positional, {}, {}, set())
    read_walk(_ScopeWalker(scope), node.body)
    return scope


# ---------------------------------------------------------------------------


def short_code(ctx: RuleContext, node: cst.CSTNode, limit: int = 60) -> str:
    shown = ctx.module.code_for_node(node).strip()
    shown = " ".join(shown.split())
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _is_os_call(facts: ModuleFacts, func: cst.BaseExpression) -> bool:
    q = facts.qualified(func)
    return q in ("os.getenv", "os.environ.get")


#: :attr:`Flow.held` reason of a ``**`` request the tool cannot read
UNREAD_REQUEST = (
    "the request is a mapping the tool cannot read whole (no `model=` of its own, and a `**` "
    "value it does not follow to a dict written in this file)"
)


class Resolver:
    """Resolves every sink of one file (see the module docstring)."""

    def __init__(self, ctx: RuleContext) -> None:
        self.ctx = ctx
        self.f = ctx.facts
        self.flow = Flow()
        self._scopes: dict[int, _FuncScope] = {}
        self._seen_sinks: dict[int, Sink] = {}
        self._followed_params: set[tuple[int, str]] = set()
        # (function, parameter) -> the caller arguments queued for it
        self._param_args: dict[tuple[int, str], list[Sink]] = {}
        self._queue: list[Sink] = []
        self._steps = 0
        # attributes unpacked from a value the tool cannot split
        # (``self.client, self.model = make()``): why it is not followed
        self._unsplit: set[str] = set()
        # reading a ``**`` mapping for its "model" entry (not a model value):
        # what cannot be read there holds the client (:meth:`_unknown`)
        self._in_mapping = False

    # -- entry --------------------------------------------------------------

    def add(self, sink: Sink) -> Sink:
        """Queue ``sink``; the one already queued for the same value (then
        safe only if both are) when there is one."""
        seen = self._seen_sinks.get(id(sink.value))
        if seen is not None:
            seen.safe = seen.safe and sink.safe
            for fed in sink.feeds:
                if not any(fed is known for known in seen.feeds):
                    seen.feeds.append(fed)
            return seen
        self._seen_sinks[id(sink.value)] = sink
        self._queue.append(sink)
        return sink

    def run(self) -> Flow:
        while self._queue:
            sink = self._queue.pop(0)
            self.flow.sinks.append(sink)
            self.flow.unknowns[id(sink)] = []
            self._sink = sink
            self._steps = 0
            if sink.opaque is not None:
                self._in_mapping = sink.dict_mode
                self._unknown(sink.opaque)
                self._in_mapping = False
            elif sink.dict_mode:
                self._mapping(sink.value, sink.scope, sink.chain, None, 0)
            else:
                self._value(sink.value, sink.scope, sink.chain, sink.via, 0, top=True)
        return self.flow

    # -- helpers --------------------------------------------------------------

    def _unknown(self, text: str) -> None:
        self.flow.unknowns[id(self._sink)].append(text)
        if self._in_mapping:
            # ``create(**body)`` with no ``model=`` of its own, ``body`` not
            # read to a dict literal or ``dict(...)``: the model it carries
            # is not seen at all, and a bare ID there would reach OpenRouter
            # with the client (as TypeScript's unread request spread)
            self._hold(UNREAD_REQUEST)

    def _source(
        self, node: cst.SimpleString, chain: tuple[Holder, ...], via: str | None, note: str = ""
    ) -> None:
        src = self.flow.sources.get(id(node))
        if src is None:
            src = self.flow.sources[id(node)] = Source(node, via)
        src.chains.append(chain)
        if not any(s is self._sink for s in src.sinks):
            src.sinks.append(self._sink)
        if note and note not in src.notes:
            src.notes.append(note)

    def _scope(self, node: cst.FunctionDef | cst.Lambda) -> _FuncScope:
        s = self._scopes.get(id(node))
        if s is None:
            s = self._scopes[id(node)] = _func_scope(node)
        return s

    def _reach(self, node: cst.CSTNode) -> None:
        self.flow.reached.add(id(node))

    # -- values ---------------------------------------------------------------

    def _value(
        self,
        expr: cst.BaseExpression,
        scope: cst.CSTNode | None,
        chain: tuple[Holder, ...],
        via: str | None,
        depth: int,
        top: bool = False,
        note: str = "",
    ) -> None:
        """A model value (:meth:`_read_value`), also the "model" entry of a
        mapping: what cannot be followed there is a value, not the request."""
        was, self._in_mapping = self._in_mapping, False
        try:
            self._read_value(expr, scope, chain, via, depth, top, note)
        finally:
            self._in_mapping = was

    def _read_value(
        self,
        expr: cst.BaseExpression,
        scope: cst.CSTNode | None,
        chain: tuple[Holder, ...],
        via: str | None,
        depth: int,
        top: bool = False,
        note: str = "",
    ) -> None:
        self._steps += 1
        if depth > _MAX_DEPTH or self._steps > _MAX_STEPS:
            self._unknown(f"`{short_code(self.ctx, expr)}` (too many steps to follow)")
            return
        if isinstance(expr, cst.SimpleString):
            if string_value(expr) is not None:
                self._source(expr, chain, via, note)
            else:
                self._unknown(f"`{short_code(self.ctx, expr)}`")
            return
        if isinstance(expr, cst.Name) and expr.value == "None":
            return  # "not given": the SDK's own default or another branch decides
        if isinstance(expr, cst.IfExp):
            self._value(expr.body, scope, chain, via, depth + 1, note=note)
            self._value(expr.orelse, scope, chain, via, depth + 1, note=note)
            return
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            self._value(expr.left, scope, chain, via, depth + 1, note=note)
            self._value(expr.right, scope, chain, via, depth + 1, note=note)
            return
        if isinstance(expr, cst.Call) and _is_os_call(self.f, expr.func):
            self._env(expr, scope, chain, via, depth, note)
            return
        if isinstance(expr, (cst.Name, cst.Attribute)):
            if self._holder(expr, scope, chain, depth, dict_mode=False, note=note):
                return
        field_of = self._object_field(expr, scope)
        if field_of is not None:
            self.flow.object_fields.setdefault(id(self._sink), (field_of, None))
        else:
            defined = self._class_default_field(expr)
            if defined is not None:
                self.flow.object_fields.setdefault(id(self._sink), defined)
        if top:
            self._unknown(f"`{short_code(self.ctx, expr)}`")
        else:
            self._unknown(f"`{short_code(self.ctx, expr)}`{_in(via)}")

    def _object_field(self, expr: cst.BaseExpression, scope: cst.CSTNode | None) -> str | None:
        """``agent.model`` where ``agent`` is a parameter annotated with a
        class (not a builtin type): the class's field, which may hold a bare
        default (a pydantic/dataclass field in another module)."""
        if not isinstance(expr, cst.Attribute) or not isinstance(scope, cst.FunctionDef):
            return None
        if isinstance(expr.value, cst.Attribute):
            ann = self._self_attribute_type(expr.value, scope)
            if ann is None:
                return None
        elif isinstance(expr.value, cst.Name):
            param = self._scope(scope).params.get(expr.value.value)
            if param is None or param.annotation is None:
                return None
            ann = param.annotation.annotation
        else:
            return None
        if isinstance(ann, cst.SimpleString):
            name = string_value(ann)
        else:
            name = dotted_name(ann)
        if not name or name.rsplit(".", 1)[-1] in _NOT_CLASSES:
            return None
        return f"`{name}.{expr.attr.value}`"

    def _self_attribute_type(
        self, expr: cst.Attribute, scope: cst.FunctionDef
    ) -> cst.BaseExpression | None:
        """The class annotation of ``self.config`` in a method: written on it
        (``self.config: Config = ...``, ``config: Config`` in the class
        body), or on the parameter of a method of the class it is bound to
        (``def __init__(self, config: Config): self.config = config``)."""
        f = self.f
        if not (isinstance(expr.value, cst.Name) and expr.value.value == "self"):
            return None
        cls = f.scope_of.get(id(scope))
        if not isinstance(cls, cst.ClassDef):
            return None
        name = expr.attr.value
        for key in ((id(cls), "self." + name), (id(cls), name)):
            for ann in f.annotations.get(key, ()):
                return ann
        for value in f.bindings.get((id(cls), "self." + name), ()):
            if not isinstance(value, cst.Name):
                continue
            body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
            for method in body:
                if not isinstance(method, cst.FunctionDef):
                    continue
                param = self._scope(method).params.get(value.value)
                if param is not None and param.annotation is not None:
                    return param.annotation.annotation
        return None

    def _class_default_field(
        self, expr: cst.BaseExpression
    ) -> tuple[str, cst.CSTNode | None] | None:
        """``agent.model`` (not followed to a class: ``agent`` is an untyped
        parameter, a local, a module variable...) where a class of this file
        defines ``model`` with a model-ID default (``model: str = "gpt-4o"``,
        pydantic's ``Field("gpt-4o")``): the value read may be that default,
        which the tool does not follow here. (The class field and its
        definition; None when no class of the file has one.)"""
        if not isinstance(expr, cst.Attribute):
            return None
        attr = expr.attr.value
        for cls in self.f.classes:
            body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
            for stmt in body:
                if not isinstance(stmt, cst.SimpleStatementLine):
                    continue
                for small in stmt.body:
                    for target, value in _assign_pairs(small):
                        if not (isinstance(target, cst.Name) and target.value == attr):
                            continue
                        literal = _field_default(self.f, value)
                        if literal is None:
                            continue
                        kind = self.ctx.table.lookup(string_value(literal) or "").kind
                        if kind in _MODEL_KINDS:
                            return (
                                f"`{cls.name.value}.{attr}` (= {literal.value})",
                                small,
                            )
        return None

    def _env(
        self,
        call: cst.Call,
        scope: cst.CSTNode | None,
        chain: tuple[Holder, ...],
        via: str | None,
        depth: int,
        note: str,
    ) -> None:
        args = [a for a in call.args if a.keyword is None and not a.star]
        kw = {a.keyword.value: a for a in call.args if a.keyword is not None}
        name = string_value(args[0].value) if args else None
        var = f"${name}" if name else f"the environment ({short_code(self.ctx, call)})"
        default = (
            args[1].value if len(args) > 1 else kw["default"].value if "default" in kw else None
        )
        self._unknown(f"the environment variable {var}")
        if default is not None:
            self._value(default, scope, chain, f"the default of {var}", depth + 1, note=note)

    def _mapping(
        self,
        expr: cst.BaseExpression,
        scope: cst.CSTNode | None,
        chain: tuple[Holder, ...],
        via: str | None,
        depth: int,
    ) -> None:
        """A ``**`` mapping (:meth:`_read_mapping`): what cannot be read of
        it holds the client (:meth:`_unknown`)."""
        was, self._in_mapping = self._in_mapping, True
        try:
            self._read_mapping(expr, scope, chain, via, depth)
        finally:
            self._in_mapping = was

    def _read_mapping(
        self,
        expr: cst.BaseExpression,
        scope: cst.CSTNode | None,
        chain: tuple[Holder, ...],
        via: str | None,
        depth: int,
    ) -> None:
        """``**expr``: follow its "model" entry."""
        self._steps += 1
        if depth > _MAX_DEPTH or self._steps > _MAX_STEPS:
            self._unknown(f"`**{short_code(self.ctx, expr)}` (too many steps to follow)")
            return
        if isinstance(expr, cst.Dict):
            # a ``**`` entry before the last "model" key cannot bring the
            # model that is sent: not followed
            last = max(
                (
                    i
                    for i, el in enumerate(expr.elements)
                    if isinstance(el, cst.DictElement) and string_value(el.key) == "model"
                ),
                default=-1,
            )
            for i, el in enumerate(expr.elements):
                if isinstance(el, cst.StarredDictElement):
                    if i > last:
                        self._mapping(el.value, scope, chain, via, depth + 1)
                elif string_value(el.key) == "model":
                    where = f"'model' in {via}" if via else None
                    self._value(el.value, scope, chain, where, depth + 1)
            return
        if (
            isinstance(expr, cst.Call)
            and isinstance(expr.func, cst.Name)
            and expr.func.value == "dict"
            and not self.f.is_bound("dict")
            and all(a.keyword is not None for a in expr.args)
        ):
            for a in expr.args:
                if a.keyword is not None and a.keyword.value == "model":
                    where = f"'model' in {via}" if via else None
                    self._value(a.value, scope, chain, where, depth + 1)
            return
        if isinstance(expr, (cst.Name, cst.Attribute)):
            if self._holder(expr, scope, chain, depth, dict_mode=True, note=""):
                return
        self._unknown(f"`**{short_code(self.ctx, expr)}` (may hold the model)")

    # -- holders --------------------------------------------------------------

    def _holder(
        self,
        expr: cst.Name | cst.Attribute,
        scope: cst.CSTNode | None,
        chain: tuple[Holder, ...],
        depth: int,
        dict_mode: bool,
        note: str,
    ) -> bool:
        """Follow a name or attribute. False: not followable (caller reports)."""
        if isinstance(expr, cst.Attribute):
            return self._attribute(expr, scope, chain, depth, dict_mode, note)
        name = expr.value
        if isinstance(scope, (cst.FunctionDef, cst.Lambda)):
            fs = self._scope(scope)
            if name in fs.declared:
                if isinstance(scope, cst.FunctionDef) and self.f.scope_of.get(id(scope)) is None:
                    return self._module_name(expr, chain, depth, dict_mode, note)
                return False
            if name in fs.params:
                if name in fs.assigns:
                    self._unknown(f"`{name}` (a parameter assigned again in its function)")
                    return True
                if isinstance(scope, cst.Lambda):
                    return False
                return self._param(expr, scope, fs, chain, depth, dict_mode)
            if name in fs.assigns:
                values = fs.assigns[name]
                if len(values) != 1 or values[0] is None:
                    self._unknown(f"`{name}` (assigned more than once, or not simply)")
                    return True
                holder = Holder(
                    ("local", str(id(scope)), name),
                    f"`{name}`",
                    tuple(fs.loads.get(name, ())),
                    "function",
                )
                self._reach(expr)
                self._follow(
                    values[0], scope, (*chain, holder), f"`{name}`", depth, dict_mode, note
                )
                return True
            outer = self.f.scope_of.get(id(scope))
            if outer is not None and not isinstance(outer, cst.ClassDef):
                return False  # a closure variable: not followed
            return self._module_name(expr, chain, depth, dict_mode, note)
        if scope is None:
            return self._module_name(expr, chain, depth, dict_mode, note)
        return False

    def _follow(
        self,
        value: cst.BaseExpression,
        scope: cst.CSTNode | None,
        chain: tuple[Holder, ...],
        via: str,
        depth: int,
        dict_mode: bool,
        note: str = "",
    ) -> None:
        if dict_mode:
            self._mapping(value, scope, chain, via, depth + 1)
        else:
            self._value(value, scope, chain, via, depth + 1, note=note)

    def _module_name(
        self,
        expr: cst.Name,
        chain: tuple[Holder, ...],
        depth: int,
        dict_mode: bool,
        note: str = "",
    ) -> bool:
        f = self.f
        name = expr.value
        imported = f.from_imports.get(name)
        if imported is not None and imported[0] != "?" and f.assignment_counts.get(name, 0) == 0:
            self._reach(expr)
            self.flow.imported_reads.append((name, expr, chain, self._sink.certain, self._sink))
            project = self.ctx.project
            if project is not None and name in project.followed:
                # followed to its own module, which reports it there; one
                # that keeps the ID as it is holds the client it goes through
                for local, what in project.followed_kept:
                    if local == name:
                        kept = self.flow.kept_imports.setdefault(id(self._sink), [])
                        if f"`{name}` ({what})" not in kept:
                            kept.append(f"`{name}` ({what})")
                return True
            self._unknown(f"`{name}`, defined in another module (`{imported[0]}`, not followed)")
            return True
        if name in f.imports and name not in f.other_bindings:
            module = next(iter(f.imports[name])).rsplit(".", 1)[0]
            self._unknown(f"`{name}`, defined in another module (`{module}`, not followed)")
            return True
        values = f.module_values.get(name)
        if not values or f.assignment_counts.get(name, 0) != 1 or name in f.imports:
            return False
        holder = Holder(("module", name), f"`{name}`", tuple(f.name_uses.get(name, ())))
        self._reach(expr)
        self._follow(values[0], None, (*chain, holder), f"`{name}`", depth, dict_mode, note)
        return True

    def _param(
        self,
        expr: cst.Name,
        func: cst.FunctionDef,
        fs: _FuncScope,
        chain: tuple[Holder, ...],
        depth: int,
        dict_mode: bool,
    ) -> bool:
        name = expr.value
        param = fs.params[name]
        if param.star == "**" and dict_mode:
            return self._kwargs_param(expr, func, fs, chain)
        if param.star in ("*", "**"):
            return False
        fname = func.name.value
        holder = Holder(
            ("param", str(id(func)), name),
            f"parameter `{name}` of `{fname}`",
            tuple(fs.loads.get(name, ())),
            "function",
        )
        self._reach(expr)
        chain2 = (*chain, holder)
        outer = self.f.scope_of.get(id(func))
        def_scope = None if outer is None or isinstance(outer, cst.ClassDef) else outer
        has_source = False
        callers_note = f"; callers of `{fname}` that pass `{name}` must pass OpenRouter IDs"
        typer_opt = _typer_default(self.f, param.default, name)
        if typer_opt is not None:
            flag, default = typer_opt
            param_default = None
            has_source = True
            if default is None:
                self._unknown(f"the command-line {flag} of `{fname}` (no default)")
            else:
                has_source = True
                self._follow(
                    default,
                    def_scope,
                    chain2,
                    f"the default of the command-line {flag}",
                    depth,
                    dict_mode,
                    note=f"; values given on the command line for {flag} must be OpenRouter IDs too",
                )
        else:
            param_default = param.default
        if param_default is not None and not (
            isinstance(param_default, cst.Name) and param_default.value == "None"
        ):
            has_source = True
            self._follow(
                param_default,
                def_scope,
                chain2,
                f"the default of parameter `{name}` of `{fname}`",
                depth,
                dict_mode,
                note=callers_note,
            )
        option = _click_option(self.f, func, name)
        if option is not None:
            flag, default = option
            has_source = True
            if default is None:
                self._unknown(f"the command-line option {flag} of `{fname}`")
            else:
                has_source = True
                self._follow(
                    default,
                    def_scope,
                    chain2,
                    f"the default of {flag}",
                    depth,
                    dict_mode,
                    note=f"; values given with {flag} must be OpenRouter IDs too",
                )
        said = len(self.flow.unknowns[id(self._sink)])
        followed = self._callers(func, fs, name, chain2, dict_mode)
        if init_class(self.f, func) is not None and len(self.flow.unknowns[id(self._sink)]) > said:
            followed = True  # the class's calls said why they cannot be followed
        if not has_source and not followed:
            self._unknown(f"parameter `{name}` of `{fname}` (its callers' values)")
        return True

    def _kwargs_param(
        self,
        expr: cst.Name,
        func: cst.FunctionDef,
        fs: _FuncScope,
        chain: tuple[Holder, ...],
    ) -> bool:
        """``**kwargs`` of a forwarder splatted into the SDK call (``def
        chat_create(*args, **kwargs): return client.chat.completions.create(
        *args, **kwargs)``): its "model" entry is what the calls of the
        function pass as ``model=`` (:meth:`_callers`, here and in every
        module of the run through the summary), each mapped where it is
        written. Not followed (False: OR205, as before) when the function
        also names a ``model`` parameter (which takes that keyword) or reads
        the mapping other than in this splat (``kwargs.setdefault("model",
        "gpt-4")``, ``kwargs.pop("model")``, ``log(kwargs)``)."""
        name = expr.value
        if (
            "model" in fs.params
            or init_class(self.f, func) is not None
            or [id(n) for n in fs.loads.get(name, ())] != [id(expr)]
        ):
            return False
        holder = Holder(
            ("param", str(id(func)), name),
            f"`**{name}` of `{func.name.value}`",
            tuple(fs.loads.get(name, ())),
            "function",
        )
        self._reach(expr)
        if not self._callers(func, fs, "model", (*chain, holder)):
            # (other modules' calls are followed through the summary)
            self._unknown(f"`**{name}` (may hold the model)")
        return True

    def _callers(
        self,
        func: cst.FunctionDef,
        fs: _FuncScope,
        name: str,
        chain: tuple[Holder, ...],
        dict_mode: bool = False,
    ) -> bool:
        """Queue the in-file call arguments for parameter ``name`` of a
        module-level, undecorated function (or the ``__init__`` of a
        module-level class: the class's calls, :func:`init_class`) as
        sinks (read as mappings when the parameter is sent as ``**name``:
        ``dict_mode``). True if any."""
        f = self.f
        cls = init_class(f, func)
        fname = func.name.value if cls is None else cls.name.value
        defs = f.function_defs.get(fname, ())
        if cls is None and (
            not any(d is func for d in defs)
            or func.decorators
            or f.assignment_counts.get(fname, 0) != len(defs)
            or fname in f.imports
        ):
            return False
        index = fs.positional.index(name) if name in fs.positional else None
        if cls is not None:
            if index == 0:
                return False  # ``self``
            index = None if index is None else index - 1
        self.flow.param_chains.setdefault((fname, name), []).append(
            (chain, index, self._sink.certain, self._sink)
        )
        key = (id(func), f"**{name}" if dict_mode else name)
        if key in self._followed_params:
            # followed already, for another sink: the callers' arguments
            # feed this one too (and are safe only if it is)
            for arg in self._param_args.get(key, ()):
                if not any(self._sink is known for known in arg.feeds):
                    arg.feeds.append(self._sink)
            return True
        self._followed_params.add(key)
        args = self._param_args[key] = []
        client_param = None
        rp = self._sink.receiver_param
        if rp is not None and rp[0] == id(func):
            at = fs.positional.index(rp[1]) if rp[1] in fs.positional else None
            if cls is not None and at is not None:
                at -= 1  # ``self`` is not passed
            client_param = (rp[1], at)
        direct = self.call_args(
            fname,
            name,
            index,
            chain,
            self._sink.certain,
            "",
            feeds=[self._sink],
            out=args,
            client_param=client_param,
            target=func,
            dict_mode=dict_mode,
        )
        indirect = self._indirect_calls(fname, name, index, chain, args, dict_mode)
        if cls is not None:
            # ``cls(...)`` in a classmethod, ``type(self)(...)``,
            # ``self.__class__(...)``: calls of the class from inside it
            own = _calls_from_inside(f, cls)
            if own and self.call_args(
                fname,
                name,
                index,
                chain,
                self._sink.certain,
                "",
                feeds=[self._sink],
                out=args,
                client_param=client_param,
                calls=own,
                dict_mode=dict_mode,
            ):
                direct = True
        return direct or indirect

    def _indirect_calls(
        self,
        fname: str,
        name: str,
        index: int | None,
        chain: tuple[Holder, ...],
        out: list[Sink],
        dict_mode: bool = False,
    ) -> bool:
        """The uses of function ``fname`` as a value: the calls made of it
        by ``executor.submit(fn, *a, **kw)``, ``loop.run_in_executor(ex, fn,
        *a)``, ``asyncio.to_thread(fn, *a, **kw)``, ``threading.Thread(
        target=fn, args=..., kwargs=...)``, ``functools.partial(fn, ...)`` and
        ``pool.map(fn, ...)`` queue their argument for parameter ``name`` as
        a sink (as :meth:`call_args` does); any other use means its callers
        are unknown: the parameter's values are not known, which holds the
        client (:attr:`Flow.held`, the use's line). True if any argument."""
        f = self.f
        any_arg = False
        for use in f.name_uses.get(fname, ()):
            if _shadowed_use(f, use, fname):
                continue  # a parameter or local of that name (smol-developer's `plan: str`)
            if fname in f.local_classes and _not_a_call_of_class(f, use):
                continue  # ``x: Sampler``, ``isinstance(x, Sampler)``
            parent = f.parents.get(id(use))
            if isinstance(parent, cst.Call) and parent.func is use:
                continue  # a direct call: call_args
            if isinstance(parent, cst.Attribute) and parent.value is use:
                continue  # ``fn.__name__``, ``fn.cache_clear()``: not a call of it
            call = f.parents.get(id(parent)) if isinstance(parent, cst.Arg) else None
            how = (
                _indirect_args(f, call, parent, name, index)
                if isinstance(call, cst.Call) and isinstance(parent, cst.Arg)
                else None
            )
            if isinstance(call, cst.ClassDef) and fname in f.local_classes:
                sub = call.name.value
                self._unknown(
                    f"parameter `{name}` of `{fname}` (subclassed by `{sub}`, whose calls are "
                    "not followed)"
                )
                self._hold_at(
                    f"`{fname}` is subclassed by `{sub}` at {REFS}, whose calls are not "
                    f"followed, so what they pass as `{name}` is not known",
                    use,
                )
                continue
            if how is None:
                shown = short_code(self.ctx, call if isinstance(call, cst.Call) else use, 40)
                self._unknown(
                    f"parameter `{name}` of `{fname}` (`{fname}` is used as a value, "
                    f"`{shown}`: its callers are not known)"
                )
                self._hold_at(
                    f"`{fname}` is used as a value at {REFS}, so what its callers pass "
                    f"as `{name}` is not known",
                    use,
                )
                continue
            assert isinstance(call, cst.Call)
            args, what = how
            if args is None:
                self._unknown(f"parameter `{name}` of `{fname}` (through `{what}`)")
                self._hold_at(
                    f"`{fname}` is called through `{what}` at {REFS}, whose `{name}` the "
                    "tool cannot read",
                    call,
                )
                continue
            arg = _matching_arg(args, name, index)
            if arg is None:
                if any(a.star for a in args):
                    self._unknown(f"parameter `{name}` of `{fname}` (`{what}` with *args/**kwargs)")
                    self._hold_at(
                        f"`{fname}` is called through `{what}` at {REFS} with *args/**kwargs",
                        call,
                    )
                continue  # not passed: the default (followed by _param)
            any_arg = True
            added = self.add(
                Sink(
                    node=arg.value,
                    value=arg.value,
                    scope=f.scope_of.get(id(call)),
                    certain=self._sink.certain,
                    safe=True,
                    feeds=[self._sink],
                    chain=chain,
                    dict_mode=dict_mode,
                    subject=f"the `{name}` passed to `{fname}` through `{what}` "
                    "(it reaches model=)",
                )
            )
            out.append(added)
        return any_arg

    def _passes_left_client(self, call: cst.Call, client_param: tuple[str, int | None]) -> bool:
        """Does ``call`` pass, for the receiver parameter ``client_param``,
        a client that stays away from OpenRouter (clients.FOREIGN: left by
        this run, Azure, another SDK)?"""
        from codemods.python import clients

        arg = _matching_arg(list(call.args), *client_param)
        if arg is None:
            return False
        q = self.f.qualified(arg.value)
        if q is not None and (q == "openai" or q.startswith("openai.")):
            return False
        kind = clients.index(self.ctx).kind(arg.value, self.f.scope_of.get(id(call)))
        return kind == clients.FOREIGN

    def _hold_at(self, why: str, node: cst.CSTNode) -> None:
        self._hold(why)
        refs = self.flow.held_refs.setdefault(id(self._sink), [])
        if not any(n is node for n in refs):
            refs.append(node)

    def call_args(
        self,
        fname: str,
        name: str,
        index: int | None,
        chain: tuple[Holder, ...],
        certain: bool,
        where: str,
        *,
        safe: bool = True,
        feeds: list[Sink] | None = None,
        out: list[Sink] | None = None,
        client_param: tuple[str, int | None] | None = None,
        calls: list[cst.Call] | None = None,
        target: cst.FunctionDef | None = None,
        dict_mode: bool = False,
    ) -> bool:
        """Queue, as sinks, the arguments for parameter ``name`` of every
        call ``fname(...)`` in this file (or of ``calls``). True if any. They are safe when
        ``safe`` and every sink of ``feeds`` are; ``out`` collects them.
        With ``client_param`` (the parameter the SDK call's receiver is): a
        call that passes a client left where it points there (Fireworks,
        Azure...) sends its model to that server: not a sink (issue 11
        item 3: no model finding), but followed. With ``target`` (the
        ``def fname`` whose parameter this is) and a module that defines
        ``fname`` more than once: only the calls that run ``target``
        (:meth:`ModuleFacts.called_def`); a call that may run it or
        another makes the parameter's values unknown and holds the client."""
        f = self.f
        any_arg = False
        redefined = target is not None and len(f.function_defs.get(fname, ())) > 1
        for call in f.calls if calls is None else calls:
            if calls is None and dotted_name(call.func) != fname:
                continue
            if redefined:
                runs, sure = f.called_def(fname, call)
                if not sure:
                    self._unknown(
                        f"parameter `{name}` of `{fname}` (`{fname}` is defined more than "
                        "once: which one a call runs is not known)"
                    )
                    self._hold_at(
                        f"`{fname}` is defined more than once and the call at {REFS} may run "
                        f"any of them, so what it passes as `{name}` is not known",
                        call,
                    )
                    continue
                if runs is not target:
                    continue
            if client_param is not None and self._passes_left_client(call, client_param):
                any_arg = True
                continue
            arg: cst.Arg | None = None
            starred = False
            positional = 0
            for a in call.args:
                if a.star:
                    starred = True
                elif a.keyword is not None:
                    if a.keyword.value == name:
                        arg = a
                else:
                    if index is not None and positional == index:
                        arg = a
                    positional += 1
            if arg is None:
                if starred:
                    added = self.add(
                        Sink(
                            node=call,
                            value=call,
                            scope=None,
                            certain=certain,
                            safe=safe,
                            feeds=list(feeds or ()),
                            dict_mode=dict_mode,
                            subject=f"the `{name}` passed to `{fname}` (it reaches model={where})",
                            opaque=f"a call of `{fname}` with *args/**kwargs",
                        )
                    )
                    if out is not None:
                        out.append(added)
                continue
            any_arg = True
            added = self.add(
                Sink(
                    node=arg.value,
                    value=arg.value,
                    scope=f.scope_of.get(id(call)),
                    certain=certain,
                    safe=safe,
                    feeds=list(feeds or ()),
                    chain=chain,
                    dict_mode=dict_mode,
                    subject=f"the `{name}` passed to `{fname}` (it reaches model={where})",
                )
            )
            if out is not None:
                out.append(added)
        return any_arg

    # -- attributes -----------------------------------------------------------

    def _attribute(
        self,
        expr: cst.Attribute,
        scope: cst.CSTNode | None,
        chain: tuple[Holder, ...],
        depth: int,
        dict_mode: bool,
        note: str = "",
    ) -> bool:
        f = self.f
        base = expr.value
        attr = expr.attr.value
        cls: cst.ClassDef | None = None
        if isinstance(base, cst.Name):
            if isinstance(scope, cst.FunctionDef):
                owner = f.scope_of.get(id(scope))
                fs = self._scope(scope)
                if (
                    isinstance(owner, cst.ClassDef)
                    and fs.positional
                    and fs.positional[0] == base.value
                    and base.value not in fs.assigns
                    and not _is_staticmethod(scope)
                ):
                    cls = owner
            if cls is None and base.value in f.local_classes:
                found = [c for c in f.classes if c.name.value == base.value]
                if (
                    len(found) == 1
                    and f.assignment_counts.get(base.value, 0) == 1
                    and f.scope_of.get(id(found[0])) is None
                ):
                    cls = found[0]
        if cls is None and isinstance(base, cst.Name) and self._imported_field(expr, base, chain):
            return True
        if cls is None:
            return self._argparse(expr, scope, chain, depth, dict_mode, note)
        defs = self._class_attr_defs(cls, attr)
        if defs is None:
            why = (
                "unpacked from a value the tool cannot split"
                if attr in self._unsplit
                else "set outside this file's classes"
            )
            self._unknown(f"`{short_code(self.ctx, expr)}` ({why})")
            return True
        targets = {id(t) for t, _, _ in defs}
        uses = tuple(
            [a for a in f.attribute_uses.get(attr, ()) if id(a) not in targets]
            + [n for n in self._class_body_reads(attr) if id(n) not in targets]
        )
        holder = Holder(("attr", attr), f"`{short_code(self.ctx, expr)}`", uses)
        self._reach(expr)
        for _, value, vscope in defs:
            self._follow(
                value,
                vscope,
                (*chain, holder),
                f"`{short_code(self.ctx, expr)}`",
                depth,
                dict_mode,
                note,
            )
        return True

    def _imported_field(
        self, expr: cst.Attribute, base: cst.Name, chain: tuple[Holder, ...]
    ) -> bool:
        """``Config.MODEL`` where ``Config`` is imported with ``from M import
        Config``: a field of a class of another module, followed there by
        the project pass as a name of its own (``"Config.MODEL"``: the
        defining module maps its default when every read is a ``model=`` of
        a client that moves, else keeps it and holds the clients it is sent
        through, as an imported constant). False: not such a read."""
        f = self.f
        imported = f.from_imports.get(base.value)
        if (
            imported is None
            or imported[0] == "?"
            or f.assignment_counts.get(base.value, 0)
            or not base.value[:1].isupper()  # a class (``settings.MODEL``: an instance)
            or not expr.attr.value.isupper()  # a constant (``Config.model``: not followed)
        ):
            return False
        key = f"{base.value}.{expr.attr.value}"
        self._reach(expr)
        self.flow.imported_reads.append((key, expr, chain, self._sink.certain, self._sink))
        project = self.ctx.project
        if project is not None and key in project.followed:
            for local, what in project.followed_kept:
                if local == key:
                    kept = self.flow.kept_imports.setdefault(id(self._sink), [])
                    if f"`{key}` ({what})" not in kept:
                        kept.append(f"`{key}` ({what})")
            return True
        self._unknown(f"`{key}`, defined in another module (`{imported[0]}`, not followed)")
        return True

    def _hold(self, why: str) -> None:
        held = self.flow.held.setdefault(id(self._sink), [])
        if why not in held:
            held.append(why)

    def _argparse(
        self,
        expr: cst.Attribute,
        scope: cst.CSTNode | None,
        chain: tuple[Holder, ...],
        depth: int,
        dict_mode: bool,
        note: str,
    ) -> bool:
        """``args.model`` where ``args = parser.parse_args()`` and
        ``parser = argparse.ArgumentParser(...)`` defines the option with
        ``parser.add_argument("--model", default="gpt-4o")``: the default is
        followed (values given on the command line must be OpenRouter IDs
        too). An option of the file's parsers the tool cannot prove this way
        (``choices=``, a non-literal default, ``set_defaults``, subparsers,
        ``parse_known_args``, ``args`` passed in as a parameter...) holds
        the client (:attr:`Flow.held`). False: no argparse option of the
        file is named like the attribute."""
        f = self.f
        attr = expr.attr.value
        if not f.imports_module("argparse"):
            return False
        options = [c for c in f.calls if _add_argument_dest(c) == attr]
        if not options:
            return False
        shown = short_code(self.ctx, expr)
        option = options[0]
        flag = _option_flag(option)
        why = self._argparse_unproven(expr, scope, options)
        if why is not None:
            self._unknown(f"`{shown}` (the command-line {flag})")
            self._hold(f"the command-line {flag} ({why}) is not followed")
            return True
        self._reach(expr)
        base = expr.value
        assert isinstance(base, cst.Name)
        uses = tuple(
            a
            for a in f.attribute_uses.get(attr, ())
            if isinstance(a.value, cst.Name) and a.value.value == base.value
        )
        holder = Holder(("argparse", base.value, attr), f"`{shown}`", uses)
        default = _kwarg(option, "default")
        if default is None:
            self._unknown(f"the command-line {flag} (no default)")
            return True
        self._follow(
            default,
            None,
            (*chain, holder),
            f"the default of the command-line {flag}",
            depth,
            dict_mode,
            note=f"; callers/users that pass {flag.split(' ', 1)[-1]} must pass OpenRouter IDs too",
        )
        return True

    def _argparse_unproven(
        self, expr: cst.Attribute, scope: cst.CSTNode | None, options: list[cst.Call]
    ) -> str | None:
        """Why ``expr`` cannot be proved to read the one ``options`` call's
        value through ``parser.parse_args()`` (None: it can)."""
        f = self.f
        if len(options) != 1:
            return f"defined {len(options)} times"
        option = options[0]
        for key in ("choices", "action", "nargs", "const"):
            arg = _kwarg(option, key)
            if arg is None:
                continue
            if key == "action" and string_value(arg) == "store":
                continue
            return f"{key}={short_code(self.ctx, arg, 30)}"
        default = _kwarg(option, "default")
        if default is not None and not (
            isinstance(default, cst.SimpleString) and string_value(default) is not None
        ):
            return "its default is not a string literal"
        func = option.func
        assert isinstance(func, cst.Attribute)
        if not isinstance(func.value, cst.Name):
            return f"added to `{short_code(self.ctx, func.value, 30)}`"
        parser = func.value.value
        parser_values = self._binding(parser, f.scope_of.get(id(option)))
        if (
            parser_values is None
            or not isinstance(parser_values, cst.Call)
            or f.qualified(parser_values.func) != "argparse.ArgumentParser"
        ):
            return f"`{parser}` is not one `argparse.ArgumentParser(...)`"
        for use in f.name_uses.get(parser, ()):
            parent = f.parents.get(id(use))
            call = f.parents.get(id(parent)) if parent is not None else None
            if (
                not isinstance(parent, cst.Attribute)
                or parent.value is not use
                or parent.attr.value not in _PARSER_READS
                or not isinstance(call, cst.Call)
                or call.func is not parent
            ):
                what = (
                    f"`{parser}.{parent.attr.value}`"
                    if isinstance(parent, cst.Attribute) and parent.value is use
                    else f"`{parser}` used otherwise"
                )
                return what
        base = expr.value
        if not isinstance(base, cst.Name):
            return f"read from `{short_code(self.ctx, base, 30)}`"
        if (
            isinstance(scope, (cst.FunctionDef, cst.Lambda))
            and base.value in self._scope(scope).params
        ):
            return f"`{base.value}` is a parameter, not followed to `{parser}.parse_args()`"
        value = self._binding(base.value, scope)
        if not (
            isinstance(value, cst.Call)
            and isinstance(value.func, cst.Attribute)
            and isinstance(value.func.value, cst.Name)
            and value.func.value.value == parser
            and value.func.attr.value == "parse_args"
            and not value.args
        ):
            return f"`{base.value}` is not only `{parser}.parse_args()`"
        for _, target in f.attribute_assignments:
            if (
                target.attr.value == expr.attr.value
                and isinstance(target.value, cst.Name)
                and target.value.value == base.value
            ):
                return f"`{base.value}.{expr.attr.value}` is assigned"
        return None

    def _binding(self, name: str, scope: cst.CSTNode | None) -> cst.BaseExpression | None:
        """The one value ``name`` is bound to, seen from ``scope`` (its
        function's, else the module's); None when not exactly one."""
        f = self.f
        node = scope
        while node is not None and not isinstance(node, (cst.FunctionDef, cst.Lambda)):
            node = f.scope_of.get(id(node))
        for key in ((id(node), name), (0, name)) if node is not None else ((0, name),):
            values = f.bindings.get(key)
            if values:
                if len(values) != 1 or (key[0], name) in f.import_bindings:
                    return None
                return values[0]
        return None

    def _class_body_reads(self, attr: str) -> list[cst.Name]:
        """Bare ``attr`` names in class bodies (``OTHER = DEFAULT_MODEL``):
        the only places a class attribute is read without an attribute."""
        out: list[cst.Name] = []
        for c in self.f.classes:
            body = c.body.body if isinstance(c.body, cst.IndentedBlock) else ()
            for stmt in body:
                if isinstance(stmt, cst.SimpleStatementLine):
                    out.extend(n for n in _names(stmt) if n.value == attr)
        return out

    def _class_attr_defs(
        self, cls: cst.ClassDef, attr: str
    ) -> list[tuple[cst.CSTNode, cst.BaseExpression, cst.CSTNode | None]] | None:
        """Every simple definition of ``attr`` on ``cls`` (or the local base
        it inherits it from) and on its subclasses in this file; None when
        it may come from somewhere the tool cannot see."""
        by_name = {c.name.value: c for c in self.f.classes}
        own = self._defs_in(cls, attr)
        seen = {id(cls)}
        current = cls
        while own is not None and not own:
            bases = [a.value for a in current.bases if a.keyword is None]
            local = [by_name.get(b.value) for b in bases if isinstance(b, cst.Name)]
            if len(bases) != 1 or not local or local[0] is None or id(local[0]) in seen:
                return None
            current = local[0]
            seen.add(id(current))
            own = self._defs_in(current, attr)
        if own is None:
            return None
        out = list(own)
        # subclasses (transitively) may override it
        family = {cls.name.value}
        changed = True
        while changed:
            changed = False
            for c in self.f.classes:
                if c.name.value in family:
                    continue
                names = {a.value.value for a in c.bases if isinstance(a.value, cst.Name)}
                if names & family:
                    family.add(c.name.value)
                    theirs = self._defs_in(c, attr)
                    if theirs is None:
                        return None
                    out.extend(theirs)
                    changed = True
        return out

    def _defs_in(
        self, cls: cst.ClassDef, attr: str
    ) -> list[tuple[cst.CSTNode, cst.BaseExpression, cst.CSTNode | None]] | None:
        """The simple definitions of ``attr`` in ``cls`` (None: one the tool
        cannot read, ``self.client, self.model = make()``)."""
        out: list[tuple[cst.CSTNode, cst.BaseExpression, cst.CSTNode | None]] = []
        body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    for target, value in _assign_pairs(small):
                        if isinstance(target, cst.Name) and target.value == attr:
                            if value is None:  # unpacked from a value the tool cannot split
                                self._unsplit.add(attr)
                                return None
                            out.append((target, value, None))
            elif isinstance(stmt, cst.FunctionDef) and not _is_staticmethod(stmt):
                fs = self._scope(stmt)
                if not fs.positional:
                    continue
                me = fs.positional[0]
                for small in _simple_statements(stmt):
                    for target, value in _assign_pairs(small):
                        if (
                            isinstance(target, cst.Attribute)
                            and target.attr.value == attr
                            and isinstance(target.value, cst.Name)
                            and target.value.value == me
                        ):
                            if value is None:
                                self._unsplit.add(attr)
                                return None
                            out.append((target, value, stmt))
        return out


# functions that call their first argument with the rest (``executor.submit(fn,
# *a, **kw)``) and the positional index of the function among their arguments
_CALLS_FIRST = {"submit": 0, "run_in_executor": 1}
_CALLS_QUALIFIED = {"asyncio.to_thread": 0, "functools.partial": 0}
# what builds an executor (``x.submit(fn, ...)`` calls ``fn`` only on one)
_EXECUTORS = frozenset(
    {
        "concurrent.futures.ThreadPoolExecutor",
        "concurrent.futures.ProcessPoolExecutor",
        "concurrent.futures.InterpreterPoolExecutor",
        "concurrent.futures.Executor",
        "concurrent.futures.thread.ThreadPoolExecutor",
        "concurrent.futures.process.ProcessPoolExecutor",
    }
)
_EXECUTOR_CLASSES = frozenset(q.rsplit(".", 1)[1] for q in _EXECUTORS)
# map-like calls: positional parameters from the iterables that follow
_MAPS = frozenset({"map", "imap", "imap_unordered", "map_async"})
_THREADS = frozenset(
    {"threading.Thread", "threading.Timer", "multiprocessing.Process", "multiprocessing.Pool"}
)


def init_class(f: ModuleFacts, func: cst.FunctionDef) -> cst.ClassDef | None:
    """The class whose ``__init__`` ``func`` is, when its calls are the
    class's calls in this file (a module-level class defined once and never
    rebound or imported, neither it nor its ``__init__`` decorated: a
    dataclass-like decorator writes its own ``__init__``); None otherwise."""
    if func.name.value != "__init__" or func.decorators:
        return None
    cls = f.scope_of.get(id(func))
    if not isinstance(cls, cst.ClassDef) or cls.decorators or f.scope_of.get(id(cls)) is not None:
        return None
    name = cls.name.value
    if (
        f.assignment_counts.get(name, 0) != 1
        or name in f.imports
        or name in f.from_imports
        or sum(1 for c in f.classes if c.name.value == name) != 1
    ):
        return None
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
    inits = [s for s in body if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"]
    if inits != [func] or any(
        isinstance(s, cst.FunctionDef) and s.name.value == "__new__" for s in body
    ):
        return None  # another __init__ replaces it, or __new__ decides the arguments
    return cls


def _calls_from_inside(f: ModuleFacts, cls: cst.ClassDef) -> list[cst.Call]:
    """The calls of ``cls`` made from its own methods: ``cls(...)`` in a
    classmethod, ``type(self)(...)`` and ``self.__class__(...)`` (a
    subclass's instance calls the same ``__init__`` unless it has its own:
    a subclass holds the client anyway, :meth:`Resolver._indirect_calls`)."""
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
    methods = {id(m): m for m in body if isinstance(m, cst.FunctionDef)}
    out: list[cst.Call] = []
    for call in f.calls:
        scope = f.scope_of.get(id(call))
        while scope is not None and id(scope) not in methods:
            scope = f.scope_of.get(id(scope))
        if scope is None:
            continue
        method = methods[id(scope)]
        ps = [*method.params.posonly_params, *method.params.params]
        if not ps:
            continue
        first = ps[0].name.value
        func = call.func
        if (
            (isinstance(func, cst.Name) and func.value == first)
            or (
                isinstance(func, cst.Call)
                and isinstance(func.func, cst.Name)
                and func.func.value == "type"
                and len(func.args) == 1
                and isinstance(func.args[0].value, cst.Name)
                and func.args[0].value.value == first
            )
            or (
                isinstance(func, cst.Attribute)
                and func.attr.value == "__class__"
                and isinstance(func.value, cst.Name)
                and func.value.value == first
            )
        ):
            out.append(call)
    return out


def _not_a_call_of_class(f: ModuleFacts, use: cst.Name) -> bool:
    """A use of a class's name that does not build an instance: in an
    annotation, or the class of ``isinstance``/``issubclass``."""
    node: cst.CSTNode | None = use
    while node is not None:
        parent = f.parents.get(id(node))
        if isinstance(parent, cst.Annotation):
            return True
        if isinstance(parent, cst.Arg):
            call = f.parents.get(id(parent))
            return (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Name)
                and call.func.value in ("isinstance", "issubclass")
                and not f.is_bound(call.func.value)
                and len(call.args) == 2
                and call.args[1] is parent
            )
        if not isinstance(
            parent,
            (
                cst.Subscript,
                cst.SubscriptElement,
                cst.Index,
                cst.Tuple,
                cst.Element,
                cst.BinaryOperation,
            ),
        ):
            return False
        node = parent
    return False


def _indirect_args(
    facts: ModuleFacts, call: cst.Call, arg: cst.Arg, param: str, index: int | None
) -> tuple[list[cst.Arg] | None, str] | None:
    """``call`` calls the function passed as ``arg``: (the arguments it is
    called with, None when they cannot be read; how, as written); None
    when ``call`` is not one of the known ways to call a function."""
    func = call.func
    qual = facts.qualified(func)
    attr = func.attr.value if isinstance(func, cst.Attribute) else None
    name = func.value if isinstance(func, cst.Name) else None
    positional = [a for a in call.args if a.keyword is None]
    pos = next((i for i, a in enumerate(positional) if a is arg), None)
    what = dotted_name(func) or (attr or "?")
    if qual in _THREADS and arg.keyword is not None and arg.keyword.value == "target":
        out: list[cst.Arg] = []
        for a in call.args:
            if a.keyword is None or a.keyword.value not in ("args", "kwargs"):
                continue
            if a.keyword.value == "args":
                if not isinstance(a.value, (cst.Tuple, cst.List)) or any(
                    isinstance(el, cst.StarredElement) for el in a.value.elements
                ):
                    return None, what
                out += [cst.Arg(value=el.value) for el in a.value.elements]
            else:
                if not isinstance(a.value, cst.Dict):
                    return None, what
                for el in a.value.elements:
                    key = string_value(el.key) if isinstance(el, cst.DictElement) else None
                    if key is None or not key.isidentifier():
                        return None, what
                    out.append(cst.Arg(value=el.value, keyword=cst.Name(key)))
        return out, what
    if arg.keyword is not None or pos is None:
        return None
    first = _CALLS_QUALIFIED.get(qual or "") if qual else None
    if first is None and attr is not None:
        first = _CALLS_FIRST.get(attr)
        if attr == "submit" and not _may_be_executor(facts, func.value, call):  # type: ignore[union-attr]
            # ``form.submit(fn, ...)`` of another class: not a call of ``fn``
            # the tool knows (``fn`` is used as a value: its callers unknown)
            first = None
    if first is not None and pos == first:
        rest = list(call.args[call.args.index(arg) + 1 :])
        if attr == "run_in_executor" and any(a.keyword is not None for a in rest):
            return None, what
        if qual == "functools.partial" and _matching_arg(rest, param, index) is None:
            # the partial is called later, elsewhere: only what it binds
            # here is known
            return None, what
        return rest, what
    if (attr in _MAPS or (name == "map" and not facts.is_bound("map"))) and pos == 0:
        iterables = len(positional) - 1
        if index is not None and index < iterables:
            return None, what  # from the iterables' items
        return [], what
    return None


def _may_be_executor(facts: ModuleFacts, receiver: cst.BaseExpression, call: cst.Call) -> bool:
    """Is (or may be) ``receiver`` of ``receiver.submit(...)`` an executor
    (``concurrent.futures``)? Built by one (``ThreadPoolExecutor()``,
    ``with ProcessPoolExecutor() as ex``, ``self.pool = ...`` in the class),
    an untyped parameter or one annotated with an executor class, a name
    bound where the tool cannot see its value (a for target, an unpacking)
    or not bound in the file at all. Not: a name or ``self`` attribute bound
    to anything else (``form = Form()``), a parameter annotated with another
    class, a name imported from a module that is not ``concurrent.futures``:
    ``fn`` passed there is a value the tool does not follow (its callers are
    unknown, which holds the client)."""

    def built(value: cst.BaseExpression | None) -> bool:
        if value is None:
            return True  # bound to something the tool cannot see: may be one
        if isinstance(value, cst.Call):
            return facts.qualified(value.func) in _EXECUTORS
        return False

    def annotated(ann: cst.Annotation | None) -> bool:
        if ann is None:
            return True  # an untyped parameter: may be one
        text = (
            string_value(ann.annotation)
            if isinstance(ann.annotation, cst.SimpleString)
            else dotted_name(ann.annotation)
        )
        if text is None:
            return True  # ``Optional[Executor]``, ``Executor | None``: not read, may be one
        return text.rsplit(".", 1)[-1] in (*_EXECUTOR_CLASSES, "Any")

    if isinstance(receiver, cst.Call):
        return built(receiver)
    key = dotted_name(receiver)
    if key is None:
        return False
    scope = facts.scope_of.get(id(call))
    if key.startswith("self.") and key.count(".") == 1:
        cls = scope
        while cls is not None and type(cls) is not cst.ClassDef:
            cls = facts.scope_of.get(id(cls))
        values = facts.bindings.get((id(cls), key)) if cls is not None else None
        return not values or all(built(v) for v in values)  # (not bound here: may be one)
    head = key.split(".", 1)[0]
    if "." in key:
        if head in facts.imports:  # ``pools.executor``: only concurrent.futures' own
            q = facts.qualified(receiver)
            return q is None or q.startswith("concurrent.futures.")
        return True
    # a name: its innermost binding around the call
    while True:
        if isinstance(scope, (cst.FunctionDef, cst.Lambda)):
            ps = scope.params
            for p in [*ps.posonly_params, *ps.params, *ps.kwonly_params]:
                if p.name.value == key:
                    return annotated(p.annotation)
        if type(scope) is not cst.ClassDef:
            values = facts.bindings.get((id(scope) if scope is not None else 0, key))
            if values:
                return all(built(v) for v in values)
        if scope is None:
            break
        scope = facts.scope_of.get(id(scope))
    if key in facts.imports:  # a name imported from another module
        q = facts.qualified(receiver)
        return q is None or q.startswith("concurrent.futures.")
    return True  # bound nowhere the tool sees (a star import...): may be one


def _matching_arg(args: list[cst.Arg], name: str, index: int | None) -> cst.Arg | None:
    """The argument of ``args`` (a call's) that fills parameter ``name``
    (positional ``index``)."""
    positional = 0
    found: cst.Arg | None = None
    for a in args:
        if a.star:
            continue
        if a.keyword is not None:
            if a.keyword.value == name:
                found = a
        else:
            if index is not None and positional == index:
                found = a
            positional += 1
    return found


# what a parser is used for besides defining options, that the tool follows
_PARSER_READS = frozenset(
    {"add_argument", "parse_args", "print_help", "print_usage", "format_help", "error"}
)


def _kwarg(call: cst.Call, key: str) -> cst.BaseExpression | None:
    for a in call.args:
        if a.keyword is not None and a.keyword.value == key:
            return a.value
    return None


def _add_argument_dest(call: cst.Call) -> str | None:
    """The attribute ``X.add_argument(...)`` stores its value in (argparse:
    ``dest=``, else the first long option, else the first short one, else a
    positional's name; ``-`` becomes ``_``); None for other calls."""
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value != "add_argument":
        return None
    dest = _kwarg(call, "dest")
    if dest is not None:
        return string_value(dest)
    names = [string_value(a.value) for a in call.args if a.keyword is None and not a.star]
    if not names or any(n is None for n in names):
        return None
    flags = [n for n in names if n]
    longs = [n for n in flags if n.startswith("--")]
    shorts = [n for n in flags if n.startswith("-") and not n.startswith("--")]
    if longs:
        return longs[0][2:].replace("-", "_")
    if shorts:
        return shorts[0][1:].replace("-", "_")
    return flags[0] if flags else None


def _option_flag(call: cst.Call) -> str:
    names = [string_value(a.value) or "" for a in call.args if a.keyword is None and not a.star]
    longs = [n for n in names if n.startswith("--")]
    if longs:
        return f"option {longs[0]}"
    if names and names[0].startswith("-"):
        return f"option {names[0]}"
    return f"argument {names[0] if names else '?'}"


# lookups of a string that is a model ID (bare, or one that cannot move)
_MODEL_KINDS = frozenset(
    {LookupKind.MAPPED, LookupKind.NO_EQUIVALENT, LookupKind.FINE_TUNE, LookupKind.BAD_PREFIX}
)
_FIELD_CALLS = frozenset({"pydantic.Field", "pydantic.fields.Field", "dataclasses.field"})


def _field_default(facts: ModuleFacts, value: cst.BaseExpression | None) -> cst.SimpleString | None:
    """The string literal a class field defaults to: ``= "gpt-4o"``,
    ``= Field("gpt-4o")`` / ``Field(default="gpt-4o")`` (pydantic),
    ``= field(default="gpt-4o")`` (dataclasses); None otherwise."""
    if isinstance(value, cst.Call) and facts.qualified(value.func) in _FIELD_CALLS:
        found: cst.BaseExpression | None = None
        for a in value.args:
            if a.keyword is None and not a.star and found is None:
                found = a.value
            elif a.keyword is not None and a.keyword.value == "default":
                found = a.value
        value = found
    if isinstance(value, cst.SimpleString) and string_value(value) is not None:
        return value
    return None


def _in(via: str | None) -> str:
    return f" (in {via})" if via else ""


def _assign_pairs(
    small: cst.BaseSmallStatement,
) -> list[tuple[cst.BaseExpression, cst.BaseExpression | None]]:
    """(target, value) for each target ``small`` assigns: ``a, b = x, y``
    element by element; a value the tool cannot split (``a, b = f()``) or
    a chained ``a = b = x`` target: None."""
    if isinstance(small, cst.Assign):
        single = len(small.targets) == 1
        out: list[tuple[cst.BaseExpression, cst.BaseExpression | None]] = []
        for t in small.targets:
            _pairs(t.target, small.value if single else None, out)
        return out
    if isinstance(small, cst.AnnAssign) and small.value is not None:
        return [(small.target, small.value)]
    return []


def _pairs(
    target: cst.BaseExpression,
    value: cst.BaseExpression | None,
    out: list[tuple[cst.BaseExpression, cst.BaseExpression | None]],
) -> None:
    if isinstance(target, (cst.Tuple, cst.List)):
        values = unpacked_values(value, target.elements)
        for i, el in enumerate(target.elements):
            _pairs(el.value, None if values is None else values[i], out)
    else:
        out.append((target, value))


def _simple_statements(func: cst.FunctionDef) -> Iterator[cst.BaseSmallStatement]:
    """Small statements of a function body, nested blocks included, nested
    defs, classes and lambdas excluded."""
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            yield from node.body
            continue
        stack.extend(node.children)


def _names(node: cst.CSTNode) -> Iterator[cst.Name]:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name):
            yield n
        elif isinstance(n, cst.Attribute):
            stack.append(n.value)  # ``x.attr``: attr is not a read of a name
        else:
            stack.extend(n.children)


def _is_staticmethod(func: cst.FunctionDef) -> bool:
    return any(
        isinstance(d.decorator, cst.Name) and d.decorator.value == "staticmethod"
        for d in func.decorators
    )


def _typer_default(
    facts: ModuleFacts, default: cst.BaseExpression | None, param: str
) -> tuple[str, cst.BaseExpression | None] | None:
    """A parameter default ``typer.Option(...)`` / ``typer.Argument(...)``:
    (what it is, its default value or None). Its value is the first positional
    argument or ``default=``; ``...`` (required) or ``default_factory=`` give
    None: the value comes from the command line only."""
    if not isinstance(default, cst.Call):
        return None
    qual = facts.qualified(default.func)
    if qual not in (
        "typer.Option",
        "typer.Argument",
        "typer.params.Option",
        "typer.params.Argument",
    ):
        return None
    kind = "option" if qual.endswith("Option") else "argument"
    positional = [a for a in default.args if a.keyword is None and not a.star]
    flags = [v for a in positional[1:] if (v := string_value(a.value))]
    if flags:
        what = f"{kind} {flags[0]}"
    elif kind == "option":
        what = f"option --{param.replace('_', '-')}"
    else:
        what = f"argument {param.upper()}"
    value: cst.BaseExpression | None = None
    if positional:
        value = positional[0].value
    for a in default.args:
        if a.keyword is not None and a.keyword.value == "default":
            value = a.value
        if a.keyword is not None and a.keyword.value == "default_factory":
            return what, None
    if value is None or isinstance(value, cst.Ellipsis):
        return what, None
    return what, value


def _click_option(
    facts: ModuleFacts, func: cst.FunctionDef, param: str
) -> tuple[str, cst.BaseExpression | None] | None:
    """``@click.option("--model", default=...)`` binding ``param``:
    (flag, default expression or None)."""
    for dec in func.decorators:
        call = dec.decorator
        if not isinstance(call, cst.Call) or facts.qualified(call.func) != "click.option":
            continue
        decls = [string_value(a.value) for a in call.args if a.keyword is None and not a.star]
        names = [d for d in decls if d]
        explicit = [d for d in names if d.isidentifier()]
        longs = [d for d in names if d.startswith("--")]
        shorts = [d for d in names if d.startswith("-") and not d.startswith("--")]
        if explicit:
            bound = explicit[0]
        elif longs:
            bound = longs[0][2:].replace("-", "_").lower()
        elif shorts:
            bound = shorts[0][1:].replace("-", "_").lower()
        else:
            continue
        if bound != param:
            continue
        flag = (longs or shorts or names)[0]
        for a in call.args:
            if a.keyword is not None and a.keyword.value == "default":
                return flag, a.value
        return flag, None
    return None


# ---------------------------------------------------------------------------


def chain_blocked(chain: tuple[Holder, ...], reached: set[int]) -> tuple[Holder, int] | None:
    """The first holder of ``chain`` that is also read for something else."""
    for holder in chain:
        others = sum(1 for u in holder.uses if id(u) not in reached) + holder.extra_uses
        if others:
            return holder, others
    return None


def blocked_holder(src: Source, reached: set[int]) -> tuple[Holder, int] | None:
    """The first holder on a path of ``src`` with reads not reached from a sink."""
    for chain in src.chains:
        blocked = chain_blocked(chain, reached)
        if blocked is not None:
            return blocked
    return None


#: ``Sink.sites`` key of a name other modules import and pass to ``model=``
#: (:func:`export_sink`): a finding that keeps its ID as it is (OR204,
#: OR206...) blocks it, and the engine tells the importers through the
#: summary (``ModuleSummary.client_facts``, ``engine._external_blocks``):
#: the clients they send it through cannot move with it
EXPORT_KEY = "export:"


def export_sink(ctx: RuleContext, export: Export) -> Sink | None:
    """A module-level name of this file that other files pass to ``model=``
    (project pass), as a sink at its definition; None if it is not a plain
    module-level assignment (the importers keep their OR205)."""
    f = ctx.facts
    name = export.name
    values = f.module_values.get(name)
    if (
        not values
        or len(values) != 1
        or f.assignment_counts.get(name, 0) != 1
        or name in f.imports
        or name in f.from_imports
    ):
        return None
    where = ", ".join(export.used_in[:2]) + (
        f" and {len(export.used_in) - 2} more" if len(export.used_in) > 2 else ""
    )
    holder = Holder(
        ("module", name),
        f"`{name}`",
        tuple(f.name_uses.get(name, ())),
        extra_uses=export.other_uses,
        extra_files=export.other_files,
    )
    return Sink(
        node=values[0],
        value=values[0],
        scope=None,
        certain=export.certain,
        safe=export.safe,
        chain=(holder,),
        subject=f"`{name}` (passed to model= in {where})",
        via=f"`{name}`, passed to model= in {where}",
        sites=(EXPORT_KEY + name,),
    )


def field_export_sinks(ctx: RuleContext, resolver: Resolver, export: Export) -> list[Sink]:
    """``Config.MODEL`` that other files pass to ``model=`` (project pass:
    ``from .config import Config``), as sinks at the field's definitions
    in a module-level class of this file (its body, ``self.MODEL = ...`` in
    its methods, a subclass of this file overriding it), as for a read of
    ``Config.MODEL`` here; [] when the class is not a plain class of this
    file (the importers keep their OR205)."""
    f = ctx.facts
    cname, _, attr = export.name.partition(".")
    found = [c for c in f.classes if c.name.value == cname and f.scope_of.get(id(c)) is None]
    if len(found) != 1 or f.assignment_counts.get(cname, 0) != 1 or cname in f.imports:
        return []
    defs = resolver._class_attr_defs(found[0], attr)
    if not defs:
        return []
    targets = {id(t) for t, _, _ in defs}
    uses = tuple(
        [a for a in f.attribute_uses.get(attr, ()) if id(a) not in targets]
        + [n for n in resolver._class_body_reads(attr) if id(n) not in targets]
    )
    where = ", ".join(export.used_in[:2]) + (
        f" and {len(export.used_in) - 2} more" if len(export.used_in) > 2 else ""
    )
    holder = Holder(
        ("attr", attr),
        f"`{export.name}`",
        uses,
        extra_uses=export.other_uses,
        extra_files=export.other_files,
    )
    return [
        Sink(
            node=value,
            value=value,
            scope=vscope,
            certain=export.certain,
            safe=export.safe,
            chain=(holder,),
            subject=f"`{export.name}` (passed to model= in {where})",
            via=f"`{export.name}`, passed to model= in {where}",
            sites=(EXPORT_KEY + export.name,),
        )
        for _, value, vscope in defs
    ]


def follow_imported_functions(ctx: RuleContext, resolver: Resolver) -> None:
    """Calls of functions imported from other modules of the run whose
    parameter reaches ``model=`` there (project pass): their arguments are
    sinks of this file."""
    project = ctx.project
    if project is None or not project.sink_functions or project.module is None:
        return
    f = ctx.facts
    me, is_pkg = project.module
    by_key = {(sf.module, sf.name): sf for sf in project.sink_functions}
    # what a call looks like in this file -> the function it calls
    callees: list[tuple[str, SinkFunction]] = []
    for local, (written, name) in sorted(f.from_imports.items()):
        if written == "?" or f.assignment_counts.get(local, 0) != 0:
            continue
        target = resolve(written, me, is_pkg)
        sf = by_key.get((target, name))
        if sf is not None:
            callees.append((local, sf))  # from .service import ask; ask(...)
        for sf in project.sink_functions:
            if f"{target}.{name}" == sf.module:
                callees.append((f"{local}.{sf.name}", sf))  # from app import service
    for local, targets in sorted(f.imports.items()):
        if local in f.other_bindings or len(targets) != 1:
            continue
        (target,) = targets
        for sf in project.sink_functions:
            if sf.module == target:
                callees.append((f"{local}.{sf.name}", sf))  # import app.service as service
            elif sf.module.startswith(target + ".") and local == target.split(".")[0]:
                callees.append((f"{sf.module}.{sf.name}", sf))  # import app.service
    for callee, sf in callees:
        for param, index in sf.params:
            holder = Holder(
                ("xparam", sf.module, sf.name, param),
                f"parameter `{param}` of `{sf.name}` ({sf.path})",
                (),
            )
            resolver.call_args(
                callee, param, index, (holder,), sf.certain, f" in {sf.path}", safe=sf.safe
            )


def summarize(ctx: RuleContext, flow: Flow, handled: set[str]) -> ModuleSummary:
    """This file's part of the project pass (see :mod:`codemods.python.project`)."""
    f = ctx.facts
    out = ModuleSummary(module_imports=[*f.module_imports, *f.star_imports], handled=handled)
    # API keys (codemods/python/rules/client.py, settle_keys and check_key_exports)
    out.key_uses = dict(ctx.memo.get("keys.uses", {}))
    out.key_handled = set(ctx.memo.get("keys.handled", ()))
    good: dict[str, int] = {}
    unsafe: set[str] = set()  # names and functions with a read reaching an unsafe sink
    for name, _, chain, certain, sink in flow.imported_reads:
        if chain_blocked(chain, flow.reached) is None:
            good[name] = good.get(name, 0) + 1
            if certain:
                out.certain.add(name)
            if not sink_safe(sink):
                unsafe.add(name)
    out.safe = {name for name in good if name not in unsafe}
    unsafe.clear()
    for (fname, pname), entries in flow.param_chains.items():
        if all(chain_blocked(chain, flow.reached) is None for chain, _, _, _ in entries):
            out.sink_params.setdefault(fname, {})[pname] = entries[0][1]
            if any(certain for _, _, certain, _ in entries):
                out.sink_params_certain.add(fname)
            if not all(sink_safe(sink) for _, _, _, sink in entries):
                unsafe.add(fname)
    out.sink_params_safe = {fname for fname in out.sink_params if fname not in unsafe}
    for local, (written, name) in f.from_imports.items():
        if written == "?" or f.assignment_counts.get(local, 0) != 0:
            continue
        out.imports[local] = (written, name)
        reads = len(f.name_uses.get(local, ()))
        out.sink_uses[local] = good.get(local, 0)
        out.other_uses[local] = reads - good.get(local, 0)
    # fields of imported classes read here (``Config.MODEL``: Resolver._imported_field):
    # every read of an attribute of that name counts (an instance's too)
    out.constant_attributes = sorted(a for a in f.attribute_uses if a.isupper())
    out.sdk_attribute_reads = sorted(
        {
            attr
            for resource in RESOURCES
            for node in f.attribute_uses.get(resource, ())
            if isinstance(node.value, cst.Attribute)
            for attr in (node.value.attr.value,)
        }
    )
    for attr, nodes in f.attribute_uses.items():
        if not attr.isupper():
            continue
        for node in nodes:
            base = node.value
            if not isinstance(base, cst.Name) or not base.value[:1].isupper():
                continue
            imported = f.from_imports.get(base.value)
            if imported is None or imported[0] == "?" or f.assignment_counts.get(base.value, 0):
                continue
            key = f"{base.value}.{attr}"
            if key in out.field_imports:
                continue
            out.field_imports[key] = (imported[0], f"{imported[1]}.{attr}")
            out.sink_uses[key] = good.get(key, 0)
            out.other_uses[key] = len(nodes) - good.get(key, 0)
    out.star_names = star_names(f)
    return out


def star_names(f: ModuleFacts) -> dict[str, str]:
    """What ``from this_module import *`` binds in the importer that this
    module binds by an import, once, at module level and nothing else:
    name -> fully qualified name. Only names of OpenAI classes and the
    like (``OpenAI``, ``ChatOpenAI``, ``OpenAIEmbeddings``: the qualified
    name mentions openai), which the rules recognise where they are
    called. ``__all__`` decides the names when it is a literal list (any
    other ``__all__``: none, they are not known)."""
    listed: set[str] | None = None
    if "__all__" in f.assignment_counts or "__all__" in f.other_bindings:
        values = f.module_values.get("__all__", [])
        if f.assignment_counts.get("__all__", 0) != 1 or len(values) != 1:
            return {}
        value = values[0]
        if not isinstance(value, (cst.List, cst.Tuple)):
            return {}
        listed = set()
        for element in value.elements:
            if not isinstance(element.value, cst.SimpleString) or isinstance(
                element, cst.StarredElement
            ):
                return {}
            name = element.value.evaluated_value
            if not isinstance(name, str):
                return {}
            listed.add(name)
    out: dict[str, str] = {}
    for local, targets in f.imports.items():
        if listed is not None:
            if local not in listed:
                continue
        elif local.startswith("_"):
            continue
        if (
            len(targets) != 1
            or local in f.other_bindings
            or f.assignment_counts.get(local, 0) != 0
            or (0, local) not in f.import_bindings
        ):
            continue
        (target,) = targets
        if "openai" in target.lower() and "." in target:
            out[local] = target
    return out


def is_rewritable(kind: LookupKind) -> bool:
    return kind in (LookupKind.MAPPED, LookupKind.BAD_PREFIX)


def _shadowed_use(f: ModuleFacts, use: cst.Name, name: str) -> bool:
    """Is ``use`` a parameter or local of a function around it that has
    the name of the module-level function, not the function?"""
    from codemods.python.clients import bound_around

    node = f.parents.get(id(use))
    while (
        node is not None
        and type(node) not in (cst.FunctionDef, cst.Lambda)
        and id(node) not in f.scope_of
    ):
        node = f.parents.get(id(node))
    if node is None:
        return False
    scope = node if type(node) in (cst.FunctionDef, cst.Lambda) else f.scope_of.get(id(node))
    return bound_around(f, scope, name)
