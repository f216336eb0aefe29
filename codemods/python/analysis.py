"""One pass over a module that collects what every rule needs.

Name resolution is computed once per file here and shared by the rules:
which local names are bound to what imported thing (``from openai import
OpenAI as Client`` makes ``Client`` mean ``openai.OpenAI``), which names are
also bound to something else (a local ``class OpenAI``: never touched), the
calls in the file, and simple module-level string constants.

This is deliberately cheaper than LibCST's ``QualifiedNameProvider``: it is
scope-insensitive, and it resolves in the safe direction: a name bound both
by an openai import and by anything else in the file resolves to nothing.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import re
import typing
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

# Module prefixes of other LLM SDKs whose clients mimic OpenAI's method
# chains (``client.chat.completions.create``) but are not OpenAI's.
FOREIGN_SDKS = (
    "anthropic",
    "cerebras",
    "cohere",
    "fireworks",
    "google",
    "groq",
    "huggingface_hub",
    "langchain",
    "langchain_community",
    "langchain_openai",
    "litellm",
    "llama_index",
    "mistralai",
    "ollama",
    "together",
    "vertexai",
    "zhipuai",
)


# (``type(x) is`` rather than ``isinstance``: LibCST's node classes are
# ABCs, and an isinstance that fails goes through ABCMeta; neither class
# has subclasses. These run for every call of every file.)
_ATTRIBUTE = cst.Attribute
_NAME = cst.Name


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` -> "a.b.c"; None for anything that is not a plain dotted name."""
    parts: list[str] = []
    while type(node) is _ATTRIBUTE:
        parts.append(node.attr.value)  # type: ignore[attr-defined]
        node = node.value  # type: ignore[attr-defined]
    if type(node) is _NAME:
        parts.append(node.value)  # type: ignore[attr-defined]
        return ".".join(reversed(parts))
    return None


def attribute_chain(node: cst.BaseExpression) -> tuple[list[str], cst.BaseExpression]:
    """``get().chat.completions.create`` -> (["chat", "completions", "create"], get())."""
    parts: list[str] = []
    while type(node) is _ATTRIBUTE:
        parts.append(node.attr.value)  # type: ignore[attr-defined]
        node = node.value  # type: ignore[attr-defined]
    parts.reverse()
    return parts, node


def _module_name(node: cst.Attribute | cst.Name) -> str:
    name = dotted_name(node)
    assert name is not None
    return name


# Drop-in replacements of the ``openai`` package: the same classes and module
# client, wrapped for tracing (``from langfuse.openai import OpenAI`` /
# ``import openai``'s twin ``from langfuse.openai import openai``). What they
# import is read as openai's, so their clients and models move together with
# the rest; left unrecognised, the client stayed on OpenAI while its models
# got the ``openai/`` prefix with ``--unsafe-fixes``.
_DROP_INS = ("langfuse.openai",)


def drop_in_target(target: str) -> str:
    """``langfuse.openai.OpenAI`` -> ``openai.OpenAI``; ``langfuse.openai.openai``
    (the package itself, re-exported) -> ``openai``; anything else as it is."""
    for prefix in _DROP_INS:
        if target == prefix or target.startswith(prefix + "."):
            rest = target[len(prefix) :]
            return "openai" if rest in ("", ".openai") else "openai" + rest
    return target


@dataclass
class StringConstant:
    """``NAME = "literal"`` at module level."""

    name: str
    assign: cst.Assign | cst.AnnAssign
    value: cst.SimpleString


@dataclass
class ModuleFacts:
    """Everything the rules read about one module."""

    # local name -> set of fully qualified names it is bound to by imports
    imports: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    # local names also bound by something that is not an import
    # (def, class, assignment, for target, with ... as, except ... as)
    other_bindings: set[str] = field(default_factory=set)
    calls: list[cst.Call] = field(default_factory=list)
    classes: list[cst.ClassDef] = field(default_factory=list)
    # top-level import statements (for adding ``import os``)
    top_level_import_lines: list[cst.SimpleStatementLine] = field(default_factory=list)
    # module-level single assignments of simple strings, by name
    string_constants: dict[str, StringConstant] = field(default_factory=dict)
    # how many times each name is assigned anywhere (module, class, function)
    assignment_counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    # every Name node used as a value (not attribute attrs, not keywords)
    name_uses: dict[str, list[cst.Name]] = field(default_factory=lambda: defaultdict(list))
    # dotted assignment target ("client", "self.client") -> the callee of
    # each call whose result was assigned to it (None: not a call)
    assigned_from_call: dict[str, list[cst.Call | None]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # names of classes defined in this file
    local_classes: set[str] = field(default_factory=set)
    # attribute assignments like ``openai.api_key = ...`` (module-level client)
    attribute_assignments: list[tuple[cst.Assign, cst.Attribute]] = field(default_factory=list)
    has_star_import_from_openai: bool = False
    # ---- for the data-flow and comparison rules (codemods/python/rules/dataflow.py) ----
    # innermost def/lambda/class around a call or a def (absent: module level)
    scope_of: dict[int, cst.CSTNode] = field(default_factory=dict)
    # module-level ``NAME = value`` / ``NAME: T = value`` (single Name target)
    module_values: dict[str, list[cst.BaseExpression]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # module-level ``def NAME`` (the last one, when there are several)
    module_functions: dict[str, cst.FunctionDef] = field(default_factory=dict)
    # every module-level ``def NAME``, in source order (a notebook whose
    # cells redefine a function, a module that redefines one)
    function_defs: dict[str, list[cst.FunctionDef]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # id(statement of the module's body) -> its index there
    top_index: dict[int, int] = field(default_factory=dict)
    # every ``x.NAME`` attribute node, by NAME (reads and writes)
    attribute_uses: dict[str, list[cst.Attribute]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # ``from M import N [as L]``: L -> (M as written, with leading dots if relative, N)
    from_imports: dict[str, tuple[str, str]] = field(default_factory=dict)
    # ``import M [as L]``: every M; ``from M import *``: every M
    module_imports: list[str] = field(default_factory=list)
    star_imports: list[str] = field(default_factory=list)
    comparisons: list[cst.Comparison] = field(default_factory=list)
    matches: list[cst.CSTNode] = field(default_factory=list)  # cst.Match
    # every subscript expression (``os.environ["X"]`` reads, ``PRICES[model]``)
    subscripts: list[cst.Subscript] = field(default_factory=list)
    # id(node) -> its parent, for every node the walk visits (the engine
    # finds the statement around a finding with it: see engine._Positions)
    parents: dict[int, cst.CSTNode] = field(default_factory=dict)
    # ---- for the client resolver (codemods/python/clients.py) ----
    # (scope key, target) -> every value bound to it there (None: bound to
    # something the resolver cannot see: a for target, an unpacking...).
    # The scope key is id() of the innermost def/lambda (0: module level,
    # or a name declared ``global``) or, for a class body and for
    # ``self.x`` / ``cls.x`` targets in its methods, id() of the class.
    bindings: dict[tuple[int, str], list[cst.BaseExpression | None]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # (scope key, name) as in ``bindings`` of every name an import binds
    # (``from mylib import client`` in a function rebinds its ``client``)
    import_bindings: set[tuple[int, str]] = field(default_factory=set)
    # (scope key, target) as in ``bindings`` -> the annotations written on
    # it (``self.client: AzureOpenAI | OpenAI = client``, a class body's
    # ``client: AzureOpenAI``)
    annotations: dict[tuple[int, str], list[cst.BaseExpression]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # id(def) -> what it returns or yields (None: a bare ``return``)
    returns: dict[int, list[cst.BaseExpression | None]] = field(
        default_factory=lambda: defaultdict(list)
    )
    _import_prefixes: set[str] | None = field(default=None, repr=False, compare=False)
    # what pure functions of one node computed, by (function, id(node)):
    # several rules ask the same of every call (``unsupported.classify_use``),
    # and the rules run more than once on the same facts
    node_memo: dict[tuple[str, int], Any] = field(default_factory=dict, repr=False, compare=False)

    # ---- resolution -------------------------------------------------------

    def top_statement(self, node: cst.CSTNode) -> int | None:
        """The index, in the module's body, of the statement holding ``node``."""
        n: cst.CSTNode | None = node
        while n is not None:
            i = self.top_index.get(id(n))
            if i is not None:
                return i
            n = self.parents.get(id(n))
        return None

    def called_def(self, name: str, call: cst.CSTNode) -> tuple[cst.FunctionDef | None, bool]:
        """Which module-level ``def name`` a call of ``name`` at ``call``
        runs, when the module defines it more than once (a notebook whose
        cells redefine it, run top to bottom), and whether that is certain.
        A call at module level runs the last def above it; a call inside a
        function runs the one bound when the function is called: the last
        def, unless the function is called at module level above it (then
        not certain). Two defs in one statement (``if``/``else`` branches):
        not certain. ``name`` bound by anything else than these defs: the
        caller checks ``assignment_counts``."""
        defs = self.function_defs.get(name, [])
        if len(defs) <= 1:
            return (defs[0] if defs else None), True
        at = [self.top_statement(d) for d in defs]
        where = self.top_statement(call)
        if where is None or None in at or len(set(at)) != len(at):
            return None, False
        outer: cst.CSTNode | None = None
        scope = self.scope_of.get(id(call))
        while scope is not None:
            if isinstance(scope, (cst.FunctionDef, cst.Lambda)):
                outer = scope
            scope = self.scope_of.get(id(scope))
        if outer is None:
            before = [d for d, i in zip(defs, at) if i is not None and i < where]
            return (before[-1] if before else None), True
        last = at[-1]
        assert last is not None
        if isinstance(outer, cst.FunctionDef):
            caller = outer.name.value
            for c in self.calls:
                if dotted_name(c.func) != caller or self.scope_of.get(id(c)) is not None:
                    continue
                i = self.top_statement(c)
                if i is None or i < last:
                    return None, False
        return defs[-1], True

    def qualified(self, node: cst.BaseExpression) -> str | None:
        """The fully qualified name an expression refers to, if it is certain."""
        root = node
        while type(root) is _ATTRIBUTE:
            root = root.value  # type: ignore[attr-defined]
        if type(root) is not _NAME:
            return None
        name = root.value  # type: ignore[attr-defined]
        targets = self.imports.get(name)
        if not targets or len(targets) != 1 or name in self.other_bindings:
            return None
        (base,) = targets
        if node is root:
            return base
        parts, _ = attribute_chain(node)
        return ".".join([base, *parts])

    def is_ambiguous(self, node: cst.BaseExpression) -> bool:
        """True when the root name is imported *and* bound otherwise in the file."""
        _, root = attribute_chain(node)
        if not isinstance(root, cst.Name):
            return False
        name = root.value
        targets = self.imports.get(name)
        return bool(targets) and (name in self.other_bindings or len(targets) > 1)

    def imports_module(self, prefix: str) -> bool:
        # asked by every rule for every call: remembered (the imports are
        # complete once the walk is done)
        if self._import_prefixes is None:
            # every import target and each of its dotted prefixes
            self._import_prefixes = {
                t[:i]
                for targets in self.imports.values()
                for t in targets
                for i in [*(k for k, c in enumerate(t) if c == "."), len(t)]
            }
        return prefix in self._import_prefixes

    @property
    def imports_openai(self) -> bool:
        return self.imports_module("openai") or self.has_star_import_from_openai

    def bound_module(self, local: str, module: str) -> bool:
        """Is ``local`` bound (only) to the module ``module`` (``import os``)?"""
        return self.imports.get(local) == {module} and local not in self.other_bindings

    def is_bound(self, local: str) -> bool:
        return local in self.imports or local in self.other_bindings


class _Collector(cst.CSTVisitor):
    def __init__(self, facts: ModuleFacts) -> None:
        self.f = facts
        self.depth = 0  # nesting in def/class
        self._skip_names: set[int] = set()
        self._scopes: list[cst.CSTNode] = []
        self._globals: dict[int, set[str]] = {}

    # -- imports --
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = _module_name(alias.name)
            self.f.module_imports.append(full)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.f.imports[alias.asname.name.value].add(drop_in_target(full))
                self._bind_import(alias.asname.name.value)
            else:
                # ``import a.b`` binds ``a`` to the package ``a``
                top = full.split(".", 1)[0]
                self.f.imports[top].add(top)
                self._bind_import(top)
            self._skip_alias(alias)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        written = "." * len(node.relative) + (
            _module_name(node.module) if node.module is not None else ""
        )
        if isinstance(node.names, cst.ImportStar):
            self.f.star_imports.append(written)
        else:
            for alias in node.names:
                local = self._alias_local(alias)
                self._bind_import(local)
                origin = (written, _module_name(alias.name))
                if self.f.from_imports.get(local, origin) != origin:
                    origin = ("?", origin[1])  # imported from two places: unknown
                self.f.from_imports[local] = origin
        if node.relative or node.module is None:
            # relative import: a module of this project, never openai's
            if not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    self.f.other_bindings.add(self._alias_local(alias))
                    self._skip_alias(alias)
            return
        module = _module_name(node.module)
        if isinstance(node.names, cst.ImportStar):
            module = drop_in_target(module)
            if module == "openai" or module.startswith("openai."):
                self.f.has_star_import_from_openai = True
            return
        for alias in node.names:
            imported = _module_name(alias.name)
            self.f.imports[self._alias_local(alias)].add(drop_in_target(f"{module}.{imported}"))
            self._skip_alias(alias)

    def _bind_import(self, local: str) -> None:
        where = self._binding_key(cst.Name(local))
        if where is not None:
            self.f.import_bindings.add(where)

    @staticmethod
    def _alias_local(alias: cst.ImportAlias) -> str:
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            return alias.asname.name.value
        return _module_name(alias.name).split(".", 1)[0]

    def _skip_alias(self, alias: cst.ImportAlias) -> None:
        for n in _names_in(alias.name):
            self._skip_names.add(id(n))
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            self._skip_names.add(id(alias.asname.name))

    # -- definitions --
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.f.other_bindings.add(node.name.value)
        self.f.assignment_counts[node.name.value] += 1
        self._skip_names.add(id(node.name))
        self.f.classes.append(node)
        self.f.local_classes.add(node.name.value)
        self._enter(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._leave()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.f.other_bindings.add(node.name.value)
        self.f.assignment_counts[node.name.value] += 1
        self._skip_names.add(id(node.name))
        if self.depth == 0:
            self.f.module_functions[node.name.value] = node
            self.f.function_defs[node.name.value].append(node)
        self._enter(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._leave()

    def visit_Param(self, node: cst.Param) -> None:
        self._skip_names.add(id(node.name))

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._enter(node)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._leave()

    def _enter(self, node: cst.CSTNode) -> None:
        if self._scopes:
            self.f.scope_of[id(node)] = self._scopes[-1]
        self._scopes.append(node)
        self.depth += 1

    def _leave(self) -> None:
        self._scopes.pop()
        self.depth -= 1

    # -- assignments --
    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._bind_value(t.target, node.value)
            self._bind_target(t.target)
            if isinstance(t.target, cst.Attribute):
                self.f.attribute_assignments.append((node, t.target))
        if len(node.targets) == 1:
            self._record_call_assignment(node.targets[0].target, node.value)
            self._record_constant(node.targets[0].target, node, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind_target(node.target)
        where = self._binding_key(node.target)
        if where is not None:
            self.f.annotations[where].append(node.annotation.annotation)
        if node.value is not None:
            self._bind_value(node.target, node.value)
            self._record_call_assignment(node.target, node.value)
            self._record_constant(node.target, node, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind_value(node.target, None)
        self._bind_target(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_value(node.target, node.value)
        self._bind_target(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind_value(node.target, None)
        self._bind_target(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_target(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            # ``with OpenAI() as client``: the SDK's ``__enter__`` returns self
            self._bind_value(node.asname.name, node.item)
            self._bind_target(node.asname.name)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind_value(node.name.name, None)
            self._bind_target(node.name.name)

    def visit_Return(self, node: cst.Return) -> None:
        fn = self._function()
        if fn is not None:
            self.f.returns[id(fn)].append(node.value)

    def visit_Yield(self, node: cst.Yield) -> None:
        # a generator (a pytest fixture that yields its client)
        fn = self._function()
        if fn is not None and isinstance(node.value, cst.BaseExpression):
            self.f.returns[id(fn)].append(node.value)

    def _function(self) -> cst.FunctionDef | None:
        if self._scopes and type(self._scopes[-1]) is cst.FunctionDef:
            return self._scopes[-1]  # type: ignore[return-value]
        return None

    def _bind_value(self, target: cst.BaseExpression, value: cst.BaseExpression | None) -> None:
        """Record ``target = value`` under the scope that owns the target."""
        kind = type(target)
        if kind is cst.Tuple or kind is cst.List:
            targets = target.elements  # type: ignore[attr-defined]
            values = unpacked_values(value, targets)
            for i, el in enumerate(targets):
                # ``a, b = OpenAI(), AzureOpenAI()``: element by element;
                # anything else unpacked is unknown (never another element)
                self._bind_value(el.value, None if values is None else values[i])
            return
        if kind is cst.StarredElement:
            self._bind_value(target.value, None)  # type: ignore[attr-defined]
            return
        where = self._binding_key(target)
        if where is not None:
            self.f.bindings[where].append(value)

    def _binding_key(self, target: cst.BaseExpression) -> tuple[int, str] | None:
        """The (scope key, dotted target) ``target`` is bound under (see
        ``ModuleFacts.bindings``; None: not a name nor a dotted attribute)."""
        kind = type(target)
        key = dotted_name(target)
        if key is None:
            return None
        scope = 0
        if self._scopes:
            inner = self._scopes[-1]
            if kind is cst.Name:
                if key not in self._globals.get(id(inner), ()):
                    scope = id(inner)
            elif key.startswith(("self.", "cls.")):
                # an attribute of the instance: owned by the class of the method
                cls = self.f.scope_of.get(id(inner))
                if type(inner) is cst.FunctionDef and type(cls) is cst.ClassDef:
                    scope = id(cls)
                    key = "self." + key.split(".", 1)[1]
                else:
                    scope = id(inner)
            else:
                scope = id(inner)
        return scope, key

    def visit_Global(self, node: cst.Global) -> None:
        if self._scopes:
            self._globals.setdefault(id(self._scopes[-1]), set()).update(
                item.name.value for item in node.names
            )
        for item in node.names:
            # a function may rebind it: count it as assigned again
            self.f.assignment_counts[item.name.value] += 1
            self._skip_names.add(id(item.name))

    def visit_Del(self, node: cst.Del) -> None:
        for n in _names_in(node.target):
            self.f.assignment_counts[n.value] += 1

    def _bind_target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.f.other_bindings.add(target.value)
            self.f.assignment_counts[target.value] += 1
            self._skip_names.add(id(target))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for el in target.elements:
                self._bind_target(el.value)
        elif isinstance(target, cst.StarredElement):
            self._bind_target(target.value)

    def _record_call_assignment(
        self, target: cst.BaseExpression, value: cst.BaseExpression
    ) -> None:
        key = dotted_name(target)
        if key is None:
            return
        if isinstance(value, cst.Await):
            value = value.expression
        if isinstance(value, cst.Call):
            self.f.assigned_from_call[key].append(value)
        else:
            self.f.assigned_from_call[key].append(None)

    def _record_constant(
        self,
        target: cst.BaseExpression,
        node: cst.Assign | cst.AnnAssign,
        value: cst.BaseExpression,
    ) -> None:
        if self.depth == 0 and isinstance(target, cst.Name):
            self.f.module_values[target.value].append(value)
            if isinstance(value, cst.SimpleString):
                self.f.string_constants[target.value] = StringConstant(target.value, node, value)

    # -- uses --
    def visit_Call(self, node: cst.Call) -> None:
        self.f.calls.append(node)
        if self._scopes:
            self.f.scope_of[id(node)] = self._scopes[-1]

    def visit_Subscript(self, node: cst.Subscript) -> None:
        self.f.subscripts.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip_names.add(id(node.attr))
        self.f.attribute_uses[node.attr.value].append(node)

    def visit_Comparison(self, node: cst.Comparison) -> None:
        self.f.comparisons.append(node)

    def visit_Match(self, node: cst.CSTNode) -> None:
        self.f.matches.append(node)

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._skip_names.add(id(node.keyword))

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self._skip_names:
            self.f.name_uses[node.value].append(node)


def unpacked_values(
    value: cst.BaseExpression | None, targets: Sequence[cst.BaseElement]
) -> list[cst.BaseExpression] | None:
    """The elements ``value`` gives the unpacking ``targets`` one by one: a
    tuple or list display of exactly as many elements, none starred on
    either side (None: which element lands where is not written out)."""
    if type(value) not in (cst.Tuple, cst.List):
        return None
    elements = value.elements  # type: ignore[union-attr]
    if len(elements) != len(targets):
        return None
    if any(type(e) is not cst.Element for e in (*elements, *targets)):
        return None
    return [e.value for e in elements]


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    out: list[cst.Name] = []
    stack: list[cst.CSTNode] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name):
            out.append(n)
        else:
            stack.extend(n.children)
    return out


# --- a fast walk ---------------------------------------------------------------
#
# ``module.visit(visitor)`` costs more than parsing: LibCST rebuilds every
# node it visits. The collector only reads, so ``read_walk`` calls the same
# ``visit_*`` / ``leave_*`` methods in the same order (LibCST's child order,
# taken once per node type from its ``_visit_and_replace_children``) by
# reading the node fields directly, and never enters whitespace, comments or
# punctuation, which hold nothing the collector looks at.

_WHITESPACE_FIELDS = (
    "whitespace",
    "leading_lines",
    "lines_after_decorators",
    "trailing_whitespace",
    "header",
    "footer",
)


@functools.cache
def _leaf_types() -> frozenset[type]:
    bases = (
        cst.BaseParenthesizableWhitespace,
        cst.EmptyLine,
        cst.TrailingWhitespace,
        cst.Comment,
        cst.Newline,
        cst.Comma,
        cst.Dot,
        cst.Colon,
        cst.Semicolon,
        cst.AssignEqual,
        cst.LeftParen,
        cst.RightParen,
        cst.LeftSquareBracket,
        cst.RightSquareBracket,
        cst.LeftCurlyBrace,
        cst.RightCurlyBrace,
        cst.ImportStar,
        cst.Asynchronous,
        cst.BaseBinaryOp,
        cst.BaseBooleanOp,
        cst.BaseCompOp,
        cst.BaseUnaryOp,
        cst.BaseAugOp,
    )
    found = set()
    for name in dir(cst):
        t = getattr(cst, name)
        if isinstance(t, type) and issubclass(t, bases):
            found.add(t)
    return frozenset(found)


def _child_fields(node_type: type) -> tuple[str, ...]:
    names = [f.name for f in dataclasses.fields(node_type)]
    order: list[str] = []
    try:
        source = inspect.getsource(node_type._visit_and_replace_children)  # type: ignore[attr-defined]
        order = re.findall(r'visit_\w+\(\s*self,\s*"(\w+)"', source)
    except (OSError, TypeError):
        pass  # no source (frozen install): dataclass order, still every field
    try:
        hints = typing.get_type_hints(node_type)
    except Exception:  # noqa: BLE001 - unresolvable annotations: walk every field
        hints = {}
    seen: dict[str, None] = {}
    for name in [*order, *names]:
        if (
            name in names
            and not name.startswith(_WHITESPACE_FIELDS)
            and (name not in hints or _may_hold_node(hints[name]))
        ):
            seen.setdefault(name, None)
    return tuple(seen)


def _may_hold_node(hint: Any) -> bool:
    """Can a field annotated ``hint`` hold a node the walk enters? (False
    only when provably not: ``str``, ``Sequence[LeftParen]``...; fewer
    fields read per node is most of the walk's speed.)"""
    origin = typing.get_origin(hint)
    if origin is None:
        if hint in (type(None), str, bool, int, float, bytes):
            return False
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return False  # MaybeSentinel
        if isinstance(hint, type) and issubclass(hint, cst.CSTNode):
            return hint not in _leaf_types()
        return True  # Any, a TypeVar, something unexpected
    if origin in (typing.ClassVar, typing.Literal):
        return False
    args = typing.get_args(hint)
    return not args or any(_may_hold_node(arg) for arg in args)


# visitor type -> node type -> (visit_X or None, leave_X or None, child fields)
_DISPATCH: dict[type, dict[type, tuple[Any, Any, tuple[str, ...]]]] = {}


def _dispatch(visitor_type: type, node_type: type) -> tuple[Any, Any, tuple[str, ...]]:
    name = node_type.__name__
    visit = getattr(visitor_type, f"visit_{name}", None)
    leave = getattr(visitor_type, f"leave_{name}", None)
    if getattr(cst.CSTVisitor, f"visit_{name}", None) is visit:
        visit = None  # LibCST's own no-op
    if getattr(cst.CSTVisitor, f"leave_{name}", None) is leave:
        leave = None
    entry = (visit, leave, _child_fields(node_type))
    _DISPATCH.setdefault(visitor_type, {})[node_type] = entry
    return entry


def read_walk(
    visitor: cst.CSTVisitor, node: cst.CSTNode, parents: dict[int, cst.CSTNode] | None = None
) -> None:
    """``node.visit(visitor)`` for a visitor that only reads: the same
    ``visit_*`` (False: children skipped) and ``leave_*`` calls in the same
    order, without LibCST's machinery, and never into whitespace, comments
    or punctuation (which hold nothing our visitors look at). With
    ``parents``, records id(child) -> parent for every node entered."""
    vtype = type(visitor)
    dispatch = _DISPATCH.setdefault(vtype, {})
    walkable = _WALKABLE
    parent_of = parents if parents is not None else {}

    def walk(node: cst.CSTNode) -> None:
        entry = dispatch.get(type(node))
        if entry is None:
            entry = _dispatch(vtype, type(node))
        visit, leave, fields = entry
        if visit is None or visit(visitor, node) is not False:
            for name in fields:
                value = getattr(node, name)
                kind = type(value)
                if kind is tuple or kind is list:
                    for item in value:
                        kind = type(item)
                        walk_it = walkable.get(kind)
                        if walk_it is None:
                            walk_it = _walkable(kind)
                        if walk_it:
                            parent_of[id(item)] = node
                            walk(item)
                else:
                    walk_it = walkable.get(kind)
                    if walk_it is None:
                        walk_it = _walkable(kind)
                    if walk_it:
                        parent_of[id(value)] = node
                        walk(value)
        if leave is not None:
            leave(visitor, node)

    try:
        walk(node)
    finally:
        # ``walk`` refers to itself through its closure: a reference cycle
        # that would keep the visitor, the facts and the whole tree alive
        # until the cyclic GC finds them. Break it: reference counting
        # frees the tree as soon as the file is done.
        walk = None  # type: ignore[assignment]


# type -> is a value of this type a node the walk enters? (A dict lookup:
# ``isinstance(x, cst.CSTNode)`` goes through ABCMeta, several times slower.)
_WALKABLE: dict[type, bool] = {}


def _walkable(kind: type) -> bool:
    answer = issubclass(kind, cst.CSTNode) and kind not in _leaf_types()
    _WALKABLE[kind] = answer
    return answer


def collect(module: cst.Module) -> ModuleFacts:
    facts = ModuleFacts()
    read_walk(_Collector(facts), module, facts.parents)
    finish(facts, module)
    return facts


def finish(facts: ModuleFacts, module: cst.Module) -> None:
    """What the facts need after the walk, whichever walk collected them."""
    for i, stmt in enumerate(module.body):
        facts.top_index[id(stmt)] = i
        if isinstance(stmt, cst.SimpleStatementLine) and any(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
        ):
            facts.top_level_import_lines.append(stmt)
    # a module constant assigned more than once anywhere is not a constant
    for name in list(facts.string_constants):
        if facts.assignment_counts.get(name, 0) != 1 or name in facts.imports:
            del facts.string_constants[name]
