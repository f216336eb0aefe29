"""Follow the API key from where it is written to ``api_key=`` of a client
constructor, the way :mod:`codemods.python.rules.dataflow` follows model IDs.

A client migrated to OpenRouter must send an OpenRouter key. When its
``api_key=`` is a name, an attribute, a parameter or a conditional, the
:class:`KeyResolver` walks down to where the value is made, through the same
*holders* (module variables and constants assigned once, local variables,
class attributes set in this file, parameters of private functions and their
in-file callers). What it can end in (a *key source*):

- an environment lookup (``os.environ["X"]``, ``os.getenv("X"[, default])``,
  ``os.environ.get(...)``) of ``OPENAI_API_KEY``: renamed to the OpenRouter
  variable where it is written; of the OpenRouter variable: nothing to do;
  a key-shaped default is removed with it (OR107);
- a hard-coded key (a string literal, implicitly concatenated or not): replaced
  by the OpenRouter lookup where it is written (OR107).

Anything else (another variable, an attribute of a settings object, a call,
an import from another module, a public function's parameter whose callers
may live in other modules) is *unknown*. A constructor is migrated only when
every value that can reach its ``api_key`` is a key source and every holder
on the way is read by nothing but the ``api_key=`` of constructors that are
migrated too (as OR206 decides for model constants). Otherwise it is left
whole and reported whole (OR103 / OR107): never half-migrated, and the report
stays after ``migrate`` because nothing was changed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst

from codemods.python.rules.base import RuleContext
from codemods.python.rules.dataflow import (
    _MAX_DEPTH,
    _MAX_STEPS,
    Holder,
    Resolver,
    Sink,
    _in,
    chain_blocked,
    short_code,
)


def literal_value(node: cst.BaseExpression) -> str | None:
    """The text of a string literal, implicitly concatenated or not, and of an
    f-string without replacement fields; None for anything else."""
    if isinstance(node, cst.SimpleString):
        if "b" in node.prefix.lower():
            return None
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left = literal_value(node.left)
        right = literal_value(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, cst.FormattedString):
        if any(not isinstance(p, cst.FormattedStringText) for p in node.parts):
            return None
        if "b" in node.prefix.lower():
            return None
        return "".join(p.value for p in node.parts)  # type: ignore[union-attr]
    return None


def env_default(node: cst.BaseExpression) -> cst.BaseExpression | None:
    """The default of ``os.getenv("X", default)`` / ``os.environ.get("X", default)``."""
    if not isinstance(node, cst.Call):
        return None
    positional = [a for a in node.args if a.keyword is None and not a.star]
    if len(positional) > 1:
        return positional[1].value
    for a in node.args:
        if a.keyword is not None and a.keyword.value == "default":
            return a.value
    return None


@dataclass
class KeySource:
    """A place a key is made that reaches ``api_key=``."""

    node: cst.BaseExpression  # the lookup, or the literal
    env: str | None  # the variable looked up (None: a literal)
    name_node: cst.SimpleString | None  # the string naming the variable
    literal: str | None  # the literal's text (None: a lookup)
    chains: list[tuple[Holder, ...]] = field(default_factory=list)
    sinks: list[Sink] = field(default_factory=list)
    via: str | None = None
    # an imported name whose definition was rewritten in its own module
    # (project pass): nothing to change here
    followed: str | None = None


class KeyResolver(Resolver):
    """Resolves the ``api_key=`` values of a set of constructors."""

    def __init__(self, ctx: RuleContext, env_lookup: Callable) -> None:
        super().__init__(ctx)
        self.env_lookup = env_lookup
        self.keys: dict[int, KeySource] = {}
        # sink -> the constructors' api_key sinks it was reached from
        self.origins: dict[int, set[int]] = {}
        self._by_value: dict[int, Sink] = {}
        # reads of names imported from other modules (not followed), by sink
        self.imported: dict[int, list[tuple[str, cst.Name]]] = {}
        self.import_unknowns: set[str] = set()

    def add(self, sink: Sink) -> None:
        current = getattr(self, "_sink", None)
        origins = {id(sink)} if current is None else self.origins.get(id(current), set())
        known = self._by_value.get(id(sink.value))
        if known is not None:
            self.origins.setdefault(id(known), set()).update(origins)
            return
        self._by_value[id(sink.value)] = sink
        self.origins[id(sink)] = set(origins)
        super().add(sink)

    def _key(
        self,
        node: cst.BaseExpression,
        chain: tuple[Holder, ...],
        via: str | None,
        env: str | None = None,
        name_node: cst.SimpleString | None = None,
        literal: str | None = None,
        followed: str | None = None,
    ) -> None:
        src = self.keys.get(id(node))
        if src is None:
            src = self.keys[id(node)] = KeySource(
                node, env, name_node, literal, via=via, followed=followed
            )
        src.chains.append(chain)
        if not any(s is self._sink for s in src.sinks):
            src.sinks.append(self._sink)

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
        self._steps += 1
        if depth > _MAX_DEPTH or self._steps > _MAX_STEPS:
            self._unknown(f"`{short_code(self.ctx, expr)}` (too many steps to follow)")
            return
        name_node = self.env_lookup(self.ctx, expr)
        if name_node is not None:
            from codemods.python.rules.client import string_value

            env = string_value(name_node)
            if env is None:
                self._unknown(f"`{short_code(self.ctx, expr)}`{_in(via)}")
                return
            self._key(expr, chain, via, env=env, name_node=name_node)
            return
        literal = literal_value(expr)
        if literal is not None:
            self._key(expr, chain, via, literal=literal)
            return
        if isinstance(expr, cst.IfExp):
            self._value(expr.body, scope, chain, via, depth + 1)
            self._value(expr.orelse, scope, chain, via, depth + 1)
            return
        if isinstance(expr, cst.BooleanOperation) and isinstance(expr.operator, cst.Or):
            self._value(expr.left, scope, chain, via, depth + 1)
            self._value(expr.right, scope, chain, via, depth + 1)
            return
        if isinstance(expr, cst.Name) and expr.value == "None":
            self._unknown("`None` (the SDK then reads $OPENAI_API_KEY)")
            return
        if isinstance(expr, (cst.Name, cst.Attribute)):
            if self._holder(expr, scope, chain, depth, dict_mode=False, note=note):
                return
        self._unknown(f"`{short_code(self.ctx, expr)}`{_in(via)}")

    def _module_name(  # type: ignore[override]
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
        if imported is None or imported[0] == "?" or f.assignment_counts.get(name, 0) != 0:
            return super()._module_name(expr, chain, depth, dict_mode, note)
        self._reach(expr)
        project = self.ctx.project
        if project is not None and name in project.followed_keys:
            self._key(expr, chain, f"`{name}`", followed=name)
            return True
        text = f"`{name}`, defined in another module (`{imported[0]}`, not followed)"
        self.import_unknowns.add(text)
        self.imported.setdefault(id(self._sink), []).append((name, expr))
        self._unknown(text)
        return True

    def _param(self, expr, func, fs, chain, depth, dict_mode):  # type: ignore[no-untyped-def]
        # a public function may be called from other modules with another key
        outer = self.f.scope_of.get(id(func))
        if not func.name.value.startswith("_") and outer is None:
            self._unknown(
                f"parameter `{expr.value}` of `{func.name.value}` (callers in other "
                "modules may pass another key)"
            )
            self._reach(expr)
            return True
        if isinstance(outer, cst.ClassDef):
            self._unknown(f"parameter `{expr.value}` of method `{func.name.value}`")
            self._reach(expr)
            return True
        return super()._param(expr, func, fs, chain, depth, dict_mode)


@dataclass
class KeyOutcome:
    """What the key flow decided for one constructor's ``api_key``."""

    ok: bool
    sources: list[KeySource]
    unknowns: list[str]
    blocked: list[tuple[Holder, str]]  # holders also read for something else, and where
    # reads of imported names that alone stop the migration: it would go
    # through if their module rewrote them (project pass)
    imported: list[tuple[str, cst.Name]] = field(default_factory=list)


def resolve_keys(
    ctx: RuleContext,
    values: Sequence[tuple[cst.Call, cst.BaseExpression]],
    env_lookup: Callable,
    source_ok: Callable[[KeySource], bool],
) -> dict[int, KeyOutcome]:
    """Decide every constructor of ``values`` (call, api_key value) together,
    keyed by id(call). A holder read by a constructor that is left alone
    blocks the others, so the set of migrated constructors shrinks until it
    is stable."""
    pending = list(values)
    decided: dict[int, KeyOutcome] = {}
    while pending:
        outcomes = _round(ctx, pending, env_lookup, source_ok)
        failed = [c for c, _ in pending if not outcomes[id(c)].ok]
        for c, _ in pending:
            decided[id(c)] = outcomes[id(c)]
        if not failed:
            break
        pending = [(c, v) for c, v in pending if outcomes[id(c)].ok]
    return decided


def _round(
    ctx: RuleContext,
    pending: Sequence[tuple[cst.Call, cst.BaseExpression]],
    env_lookup: Callable,
    source_ok: Callable[[KeySource], bool],
) -> dict[int, KeyOutcome]:
    resolver = KeyResolver(ctx, env_lookup)
    roots: dict[int, Sink] = {}
    for call, value in pending:
        sink = Sink(
            node=value,
            value=value,
            scope=ctx.facts.scope_of.get(id(call)),
            certain=True,
            subject="api_key",
        )
        roots[id(call)] = sink
        resolver.add(sink)
    flow = resolver.run()
    outcomes: dict[int, KeyOutcome] = {}
    for call, _ in pending:
        root = id(roots[id(call)])
        mine = {id(s) for s in flow.sinks if root in resolver.origins.get(id(s), ())}
        unknowns: list[str] = []
        for s in flow.sinks:
            if id(s) in mine:
                unknowns += flow.unknowns.get(id(s), [])
        sources = [k for k in resolver.keys.values() if any(id(s) in mine for s in k.sinks)]
        blocked: list[tuple[Holder, str]] = []
        for k in sources:
            for chain in k.chains:
                b = chain_blocked(chain, flow.reached)
                if b is not None and all(b[0].key != x[0].key for x in blocked):
                    blocked.append((b[0], _other_read(ctx, b[0], flow.reached)))
        sources_ok = not blocked and all(map(source_ok, sources))
        ok = not unknowns and bool(sources) and sources_ok
        imported: list[tuple[str, cst.Name]] = []
        if not ok and sources_ok and all(u in resolver.import_unknowns for u in unknowns):
            for s in flow.sinks:
                if id(s) in mine:
                    imported += resolver.imported.get(id(s), [])
        outcomes[id(call)] = KeyOutcome(
            ok, sources, list(dict.fromkeys(unknowns)), blocked, imported
        )
    return outcomes


def _other_read(ctx: RuleContext, holder: Holder, reached: set[int]) -> str:
    """Where ``holder`` is read for something else, as the code that reads it."""
    others = [u for u in holder.uses if id(u) not in reached]
    if not others:
        return "in other files"
    node: cst.CSTNode = others[0]
    parents = ctx.facts.parents
    while True:
        parent = parents.get(id(node))
        if parent is None or isinstance(node, cst.BaseSmallStatement):
            break
        if isinstance(parent, (cst.BaseCompoundStatement, cst.IndentedBlock, cst.Module)):
            break
        node = parent
    more = f" and {len(others) - 1} more" if len(others) > 1 else ""
    shown = short_code(ctx, node, 50)
    parent = parents.get(id(node))
    if isinstance(parent, (cst.If, cst.While)) and parent.test is node:
        # the condition of an ``if``: "also read by `if not key`", not "by `not key`"
        shown = short_code(ctx, node, 44)
        return (
            f"also tested by `{'while' if isinstance(parent, cst.While) else 'if'} {shown}`{more}"
        )
    return f"also read by `{shown}`{more}"
