"""Which client does a call go through? Per-client decisions for one module.

The model-ID rules, the unsupported-endpoint rules and the constructor rule
all ask the same question about an SDK call such as
``x.chat.completions.create(model="gpt-4o")``: which client constructions can
``x`` be at run time? This module answers it once per file, from what
:mod:`codemods.python.analysis` collected, by following the receiver:

- a constructor call (``OpenAI(...)``, ``AzureOpenAI(...)``, another SDK's
  client, a class of this file);
- a name, looked up the way Python does (the function's parameters and
  assignments, then the enclosing functions', then the module's; a class
  body is not visible from its methods);
- ``self.x`` / ``cls.x``: every assignment to it in the methods of the class
  and in the class body;
- a call of a function of this module (a factory): what it returns;
- ``instructor.from_openai(client)`` / ``instructor.patch(client)``: ``client``;
- a parameter: its default, and the arguments of every call of the function
  in this file, when those are all the calls there are (a private function,
  or the project pass says no other module imports it);
- a name imported from another module of the run: what that module says
  about it (:class:`codemods.python.project.ProjectInput`).

The answer is a set of *atoms*: constructor sites of this file, or one of
``FOREIGN`` (certainly not an OpenAI-direct client: Azure, another SDK, a
client the migration leaves where it points), ``MIGRATED`` (a client the run
moves to OpenRouter, known from another module) or ``UNKNOWN`` (the tool
cannot tell). :meth:`ClientIndex.kind` folds them into what the rules act on:

- "openai": every possible client is one this run migrates, or one already on
  OpenRouter: a model ID sent through it can be rewritten safely;
- "foreign": some possible client stays away from OpenRouter: its model IDs
  are that server's business and are not reported;
- "unknown": the tool cannot tell: a fix is at most *unsafe*.

Whether a constructor site is migrated is the constructor rule's decision
(:attr:`codemods.python.rules.base.RuleContext.client_decisions`), taken with the
uses of the client this index also collects (:meth:`ClientIndex.uses`).
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

import libcst as cst

from codemods.python.analysis import FOREIGN_SDKS, ModuleFacts, attribute_chain, dotted_name

if TYPE_CHECKING:
    from codemods.python.rules.base import RuleContext

CLIENT_CLASSES = frozenset(
    {
        "openai.OpenAI",
        "openai.AsyncOpenAI",
        "openai.Client",
        "openai.AsyncClient",
        "openai._client.OpenAI",
        "openai._client.AsyncOpenAI",
    }
)
AZURE_CLASSES = frozenset(
    {
        "openai.AzureOpenAI",
        "openai.AsyncAzureOpenAI",
        "openai.lib.azure.AzureOpenAI",
        "openai.lib.azure.AsyncAzureOpenAI",
    }
)
# wrappers that return (a patched view of) the client they are given
WRAPPERS = frozenset(
    {
        "instructor.from_openai",
        "instructor.patch",
        "instructor.apatch",
        "langsmith.wrappers.wrap_openai",
        "braintrust.wrap_openai",
        "weave.integrations.openai.wrap_openai",
        "agentops.wrap_openai",
    }
)
# the instructor modes ``from_openai`` accepts for a client whose base URL is
# OpenRouter's: instructor 1.7.4 to 1.15.1 assert it in ``from_openai``
# (instructor/client.py, later instructor/core/client.py: ``provider in
# {Provider.OPENROUTER}``, the provider read from "openrouter" in the base
# URL); any other mode raises AssertionError. ``patch``/``apatch`` never
# check, and instructor 1.15.3+ (the v2 registry) no longer reads the base URL
INSTRUCTOR_OPENROUTER_MODES = frozenset({"TOOLS", "JSON", "OPENROUTER_STRUCTURED_OUTPUTS"})
# instructor's client classes: a parameter annotated with one of them holds a
# wrapper made by ``from_openai`` (its methods send chat completions)
INSTRUCTOR_CLASSES = frozenset(
    {
        "instructor.Instructor",
        "instructor.AsyncInstructor",
        "instructor.client.Instructor",
        "instructor.client.AsyncInstructor",
        "instructor.core.client.Instructor",
        "instructor.core.client.AsyncInstructor",
        "instructor.core.Instructor",
        "instructor.core.AsyncInstructor",
    }
)
# instructor's own methods on a wrapped client (the request is a chat completion)
INSTRUCTOR_METHODS: tuple[tuple[str, ...], ...] = (
    ("chat", "completions", "create_partial"),
    ("chat", "completions", "create_iterable"),
    ("chat", "completions", "create_with_completion"),
    ("chat", "create"),
    ("messages", "create"),
    ("create",),
    ("create_partial",),
    ("create_iterable",),
    ("create_with_completion",),
)
# client methods that return a copy of the client with other options
# (openai-python: ``with_options`` is ``copy``; neither can change base_url
# without saying so, and a ``base_url=`` argument makes it unknown below)
_COPIES = frozenset({"with_options", "copy"})
_REDIRECTS = frozenset({"base_url", "api_key", "http_client", "websocket_base_url"})
# client attributes that change where requests go, or with which key
_CONNECTION_ATTRIBUTES = frozenset(
    {"base_url", "_base_url", "api_base", "api_key", "organization", "project", "default_headers"}
)

FOREIGN = "foreign"
UNKNOWN = "unknown"
# what one module finds about a client another module builds, that decides
# its move there (ModuleSummary.client_facts, ProjectInput.client_facts)
FACT_MODE = "mode"  # wrapped by instructor in a mode refused on OpenRouter (OR121)
FACT_SETTING = "setting"  # a connection setting assigned after it is built (OR118)
FACT_BLOCK = "block"  # sent a model ID that cannot move (OR202-OR204, OR307)
FACT_SHARED = "shared"  # read through one variable with a client that stays (OR122)
# a LangChain model rebound with another model: ``llm.bind(model="gpt-4o-mini")``
# (OR411; detail: the argument as written)
FACT_BIND = "bind"
# read through a module that re-exports it in a way the tool does not follow
# (``client = a if x else b`` in a package's ``__init__.py``): what is sent
# through it there may stay bare (detail: the re-exporting file)
FACT_REEXPORT = "reexport"
# passed to a public function's client parameter that other calls fill with
# a client the tool cannot resolve: what it sends there moves only as an
# unsafe fix (detail: where such a call is)
FACT_PARAM = "param"
# passed to (or stored in) code the tool does not follow: what is sent
# through it there may stay bare (detail: what, NUL, why; codemods/python/escapes.py)
FACT_ESCAPE = "escape"
FACT_PATH = "\x00path\x00"  # in a fact's detail: the path of the module that found it
# markers, atoms that stand for no client: the value went through
# instructor.from_openai; no call in another module passes anything
INSTRUCTOR = "instructor"
FOREIGN_NONE = "none"
MIGRATED = "migrated"  # a client another module of the run moves to OpenRouter
# tags, atoms that say where a value came from, next to what it is (never a
# client): ``(IMPORTED, local)`` a name imported from another module,
# ``(FIXTURE, name)`` a pytest fixture defined in a conftest.py; the uses
# made through them are counted for the module that builds the client
IMPORTED = "import"
FIXTURE = "fixture"
# ``(PARAM, "function:parameter")``: the value is (also) a parameter of a
# module-level function of this file, whatever its callers pass there: where
# it escapes is told to the modules that call the function
# (codemods/python/escapes.py: param_summary)
PARAM = "param"
# a parameter annotated with openai's client class whose callers are not all
# known: which client is unknown, but it is an OpenAI client of the run
# (a migrated one when the project pass says every one is migrated)
ANNOTATED = "annotated"
_MARKERS = frozenset({INSTRUCTOR, FOREIGN_NONE, ANNOTATED})
_HIDDEN = "hidden"  # (inside _resolve_param only) callers the tool cannot see
_NO_CLIENT = "no client"  # (inside _resolve_param only) every known caller passes None
Atom = Union[int, str, tuple[str, str]]  # id() of a constructor call of this file, or the above

# decisions the constructor rule takes for a site
DECISION_MIGRATE = "migrate"  # rewritten to OpenRouter by this run
DECISION_OPENROUTER = "openrouter"  # already points at OpenRouter
DECISION_LEFT = "left"  # left pointing where it points (reported)
_ON_OPENROUTER = frozenset({DECISION_MIGRATE, DECISION_OPENROUTER})
# what another module's exported client state means here
_STATE_ATOMS: dict[str, Atom] = {
    DECISION_MIGRATE: MIGRATED,
    DECISION_OPENROUTER: DECISION_OPENROUTER,
    DECISION_LEFT: DECISION_LEFT,
}


@dataclass
class Site:
    """A call that builds a client."""

    call: cst.Call
    # "openai" (openai's client class), "unresolved" (may be: a star import,
    # a rebound name), "azure", "foreign" (another SDK, a class of this file)
    kind: str


@dataclass
class Use:
    """A call made through a client: ``client.files.create(...)``."""

    call: cst.Call | None  # None: in another module (``where``)
    supported: bool  # OpenRouter serves it
    where: str | None = None  # "path:line" of a call in another module
    resource: str | None = None  # its resource path ("files.create")


def real_atoms(atoms: frozenset[Atom] | set[Atom]) -> frozenset[Atom]:
    """``atoms`` without the markers and tags (what clients they are)."""
    return frozenset(a for a in atoms if a not in _MARKERS and type(a) is not tuple)


@dataclass
class ClientIndex:
    ctx: RuleContext
    sites: dict[int, Site] = field(default_factory=dict)
    _memo: dict[tuple[int, int], frozenset[Atom]] = field(default_factory=dict)
    _active: set[tuple[int, int]] = field(default_factory=set)
    _inheriting: set[int] = field(default_factory=set)  # classes whose bases are being read
    _derived: dict[int, list[cst.ClassDef]] | None = None
    _classes: dict[str, list[cst.ClassDef]] | None = None
    _functions: dict[int, cst.FunctionDef] = field(default_factory=dict)
    _calls_of: dict[str, list[cst.Call]] | None = None
    _uses: dict[int, list[Use]] | None = None
    # a public function's callers decided a receiver: knowing which names
    # other modules import would settle it (codemods/python/project.py: plan_private)
    wants_importers: bool = False
    # public function -> its parameters a receiver resolves through, with
    # their positional index: the calls in other modules decide them
    client_params: dict[str, dict[str, int | None]] = field(default_factory=dict)
    # constructor sites whose move is an unsafe fix (a default client of the
    # Agents SDK whose agents need one: codemods/python/rules/agents.py): other
    # modules are told "unknown", so what they send through it is unsafe too
    unsafe_sites: set[int] = field(default_factory=set)
    # a parameter annotated ``OpenAI`` decided a receiver: the project fact
    # "every OpenAI client of the run is migrated" would settle it
    wants_all_migrated: bool = False
    # keys of external_uses whose client this file passes on (an argument, a
    # return value, another module-level name): its uses are not all here
    escapes: set[str] = field(default_factory=set)
    # module-level names bound to such a client: name -> keys (another
    # module importing the name uses the client where it is not counted)
    aliases: dict[str, set[str]] = field(default_factory=dict)
    _fixtures: dict[str, cst.FunctionDef] | None = None
    _heads: dict[str, list[str]] | None = None  # _import_heads
    # (call_args) per function of another module called here: per call, its
    # line and the keys of external_uses (the clients of other modules) each
    # argument may be, when one may be such a client
    arg_keys: dict[str, list[tuple[int, dict[str, list[str]]]]] = field(default_factory=dict)

    def bare_module_reads(self) -> set[str]:
        """See :func:`bare_module_reads`."""
        if self._heads is None:
            self._heads = _import_heads(self.ctx.facts)
        return bare_module_reads(self.ctx.facts, self._heads)

    def __post_init__(self) -> None:
        f = self.ctx.facts
        for call in f.calls:
            kind = _constructor_kind(self.ctx, call.func)
            if kind is not None:
                self.sites[id(call)] = Site(call, kind)

    # ---- resolution --------------------------------------------------------

    def resolve(self, expr: cst.BaseExpression, scope: cst.CSTNode | None) -> frozenset[Atom]:
        """The client constructions ``expr`` (evaluated in ``scope``) can be."""
        key = (id(expr), id(scope))
        known = self._memo.get(key)
        if known is not None:
            return known
        if key in self._active:
            return frozenset()  # a cycle adds nothing the other paths do not
        self._active.add(key)
        try:
            out = frozenset(self._resolve(expr, scope))
        finally:
            self._active.discard(key)
        self._memo[key] = out
        return out

    def _resolve(self, expr: cst.BaseExpression, scope: cst.CSTNode | None) -> set[Atom]:
        f = self.ctx.facts
        kind = type(expr)
        if kind is cst.Await:
            return self._resolve(expr.expression, scope)  # type: ignore[attr-defined]
        if kind is cst.IfExp:
            return set(self.resolve(expr.body, scope)) | self.resolve(expr.orelse, scope)  # type: ignore[attr-defined]
        if kind is cst.BooleanOperation:
            return set(self.resolve(expr.left, scope)) | self.resolve(expr.right, scope)  # type: ignore[attr-defined]
        if kind is cst.Call:
            return self._resolve_call(expr, scope)  # type: ignore[arg-type]
        if kind is cst.Name:
            return self._resolve_name(expr.value, scope)  # type: ignore[attr-defined]
        if kind is cst.Attribute:
            q = f.qualified(expr)
            if q is not None and q.split(".", 1)[0] in FOREIGN_SDKS:
                return {FOREIGN}
            key = dotted_name(expr)
            if key is not None and key.startswith(("self.", "cls.")):
                cls = self._class_of(scope)
                if cls is not None:
                    return self._resolve_attribute(cls, "self." + key.split(".", 1)[1])
            if key is not None and key.count(".") == 1 and not f.bindings.get((0, key)):
                # ``Bot.client``: the class attribute of a class of this file
                head, attr = key.split(".")
                owner = None if self._shadowed(head, scope) else self._class_named(expr.value)  # type: ignore[attr-defined]
                if owner is not None:
                    values = f.bindings.get((id(owner), attr))
                    if values:
                        return self._annotated((id(owner), attr), self._union(values, owner))
            if key is not None:
                values = f.bindings.get((0, key))
                if values:
                    return self._annotated((0, key), self._union(values, None))
                whole = None if self._shadowed(key, scope) else self._imported_attribute(key)
                if whole is not None:
                    return whole
            return {UNKNOWN}
        if kind is cst.Subscript and _imports_openai_at_run_time(f, expr):
            return {DECISION_LEFT}  # ``sys.modules["openai"]``, as above
        return {UNKNOWN}

    def _resolve_call(self, call: cst.Call, scope: cst.CSTNode | None) -> set[Atom]:
        f = self.ctx.facts
        site = self.sites.get(id(call))
        if site is not None:
            return {id(call)} if site.kind in ("openai", "unresolved") else {FOREIGN}
        if _imports_openai_at_run_time(f, call):
            # ``importlib.import_module("openai")``: its module-level client,
            # which the tool does not configure (OR120): left where it points
            return {DECISION_LEFT}
        own = own_getattr(f, call, self._class_of(scope))
        if own is not None:
            # ``getattr(self, "client", None)`` in the client's own class:
            # ``self.client`` (or the default)
            name, default = own
            cls = self._class_of(scope)
            assert cls is not None
            out = self._resolve_attribute(cls, "self." + name)
            if default is not None:
                out = out | self.resolve(default, scope)
            return out
        q = f.qualified(call.func)
        if q in WRAPPERS:
            target = _first_arg(call, "client")
            out = set(self.resolve(target, scope)) if target is not None else {UNKNOWN}
            if q is not None and q.startswith("instructor."):
                out.add(INSTRUCTOR)
            return out
        func = call.func
        if type(func) is cst.Name:
            fn = self._function_named(func.value, scope)  # type: ignore[attr-defined]
            if fn is not None:
                return self._returns(fn)
            if not self._shadowed(func.value, scope):  # type: ignore[attr-defined]
                cls = self._class_named(func)
                if cls is not None and self.left_subclass(cls):
                    # an instance of a subclass of the client (OR109): the
                    # run leaves it where it points
                    return {DECISION_LEFT}
            lam = self._lambda_named(func.value, scope)  # type: ignore[attr-defined]
            if lam is not None:  # ``make = lambda: OpenAI()`` ... ``make()``
                return set(self.resolve(lam.body, lam))
            imported = self._imported(func.value)  # type: ignore[attr-defined]
            if imported is not None:
                return imported  # a factory of another module of the run
        if type(func) is cst.Attribute:
            key = dotted_name(func)
            imported = (
                self._imported_attribute(key)
                if key is not None and not self._shadowed(key, scope)
                else None
            )
            if imported is not None:
                return imported  # ``clients.make_client()``: a module imported whole
        if type(func) is cst.Attribute and func.attr.value in _COPIES:  # type: ignore[attr-defined]
            # ``client.with_options(timeout=...)``: the same client, copied
            if any(a.star or (a.keyword and a.keyword.value in _REDIRECTS) for a in call.args):
                return {UNKNOWN}  # a copy that may point elsewhere
            return set(self.resolve(func.value, scope))  # type: ignore[attr-defined]
        if type(func) is cst.Attribute:
            key = dotted_name(func)
            if key is not None and key.startswith(("self.", "cls.")) and key.count(".") == 1:
                cls = self._class_of(scope)
                method = _method(cls, key.split(".", 1)[1]) if cls is not None else None
                if method is not None:
                    return self._returns(method)
        return {UNKNOWN}

    def _returns(self, fn: cst.FunctionDef) -> set[Atom]:
        values = self.ctx.facts.returns.get(id(fn))
        if not values:
            return {UNKNOWN}
        if opaque_decorators(self.ctx.facts, fn):
            # ``@cache_client def get_client(): return OpenAI()``: calling the
            # name calls the decorator's wrapper, which may return anything
            return {UNKNOWN}
        return self._union(values, fn)

    def _union(
        self, values: list[cst.BaseExpression | None], scope: cst.CSTNode | None
    ) -> set[Atom]:
        out: set[Atom] = set()
        for v in values:
            if v is None:
                out.add(UNKNOWN)
            elif type(v) is cst.Name and v.value == "None":  # type: ignore[attr-defined]
                continue  # ``client = None`` then set later: not a client
            else:
                out |= self.resolve(v, self._scope_of_value(v, scope))
        return out or {UNKNOWN}

    def _scope_of_value(
        self, value: cst.BaseExpression, fallback: cst.CSTNode | None
    ) -> cst.CSTNode | None:
        """The scope an expression is evaluated in (from the nearest call or
        def around it that the facts know; else ``fallback``)."""
        parents = self.ctx.facts.parents
        scope_of = self.ctx.facts.scope_of
        node: cst.CSTNode | None = value
        while node is not None:
            if id(node) in scope_of and type(node) is cst.Call:
                return scope_of[id(node)]
            if type(node) in (cst.FunctionDef, cst.Lambda, cst.ClassDef):
                return node
            node = parents.get(id(node))
        return None

    def _resolve_name(self, name: str, scope: cst.CSTNode | None) -> set[Atom]:
        f = self.ctx.facts
        if name == "None":
            return set()
        node = scope
        while node is not None:
            if type(node) is cst.ClassDef:
                node = f.scope_of.get(id(node))  # a class body is not visible inside
                continue
            if type(node) is cst.FunctionDef:
                param = _param(node, name)  # type: ignore[arg-type]
                if param is not None:
                    atoms = self._resolve_param(node, param)  # type: ignore[arg-type]
                    rebound = f.bindings.get((id(node), name))
                    if rebound:  # ``client = client or default``: either one
                        atoms = set(atoms) | self._union(rebound, node)
                    return self._annotated((id(node), name), set(atoms))
            elif type(node) is cst.Lambda and _param(node, name) is not None:  # type: ignore[arg-type]
                return {UNKNOWN}  # a lambda's parameter: its callers are not followed
            values = f.bindings.get((id(node), name))
            if values:
                return self._annotated(
                    (id(node), name), self._union(values, node) | self._import_of(node, name)
                )
            if (id(node), name) in f.import_bindings:
                return self._imported(name) or {UNKNOWN}  # ``from mylib import client`` here
            node = f.scope_of.get(id(node))
        values = f.bindings.get((0, name))
        if values:
            return self._annotated(
                (0, name), self._union(values, None) | self._import_of(None, name)
            )
        return self._imported(name) or {UNKNOWN}

    def _import_of(self, scope: cst.CSTNode | None, name: str) -> set[Atom]:
        """What an import binding ``name`` in ``scope`` as well as an
        assignment may give (``client = OpenAI()`` and later ``from mylib
        import client``): whatever the imported name is, unknown here."""
        if (id(scope) if scope is not None else 0, name) in self.ctx.facts.import_bindings:
            return self._imported(name) or {UNKNOWN}
        return set()

    def _annotated(self, key: tuple[int, str], atoms: set[Atom]) -> set[Atom]:
        """``atoms`` of a target whose annotation may be an Azure client or
        another SDK's (``self.client: AsyncAzureOpenAI | AsyncOpenAI``): one
        the tool cannot follow to its constructions may be that one (its
        model IDs are deployment names), so it counts as foreign. Values
        the tool follows to the end (``client: OpenAI | AzureOpenAI =
        OpenAI()``) say what it is."""
        if (UNKNOWN in atoms or not real_atoms(atoms)) and self._annotated_foreign(key):
            return atoms | {FOREIGN}
        return atoms

    def _may_be_foreign(self, annotation: cst.BaseExpression) -> bool:
        """Does ``annotation`` name an Azure client or another SDK's class
        among the members of a union (``AsyncAzureOpenAI | AsyncOpenAI``,
        ``Union[OpenAI, AzureOpenAI]``, ``Optional[...]``, quoted or not)?"""
        f = self.ctx.facts
        members = _union_members(annotation)
        return any(_foreign_class(f.qualified(m)) or self._left_class(m) for m in members)

    def _left_class(self, annotation: cst.BaseExpression) -> bool:
        """Does ``annotation`` name a subclass of the client (OR109) that
        this file defines, or that another module of the run exports as
        one whose instances stay where they point?"""
        if type(annotation) is not cst.Name:
            return False
        name = annotation.value  # type: ignore[attr-defined]
        cls = self._class_named(annotation)
        if cls is not None:
            return self.left_subclass(cls)
        project = self.ctx.project
        if name not in self.ctx.facts.from_imports or project is None:
            return False
        return project.client_state(name) == DECISION_LEFT

    def _annotated_foreign(self, key: tuple[int, str]) -> bool:
        """Is the target of ``key`` (a key of ``ModuleFacts.bindings``)
        annotated with a type that may be an Azure or another SDK's client
        (``self.client: AsyncAzureOpenAI | AsyncOpenAI = client``)?"""
        return any(self._may_be_foreign(a) for a in self.ctx.facts.annotations.get(key, ()))

    def _imported(self, name: str) -> set[Atom] | None:
        """What another module of the run says about a client it exports
        under the name this file imports as ``name`` (None: nothing)."""
        f = self.ctx.facts
        if name not in f.from_imports:
            return None
        if f.assignment_counts.get(name, 0) != 0:
            return None  # rebound here too
        tag = (IMPORTED, name)  # its uses here count for the module that builds it
        state = self.ctx.project.client_state(name) if self.ctx.project is not None else None
        if state is None:
            return {UNKNOWN, tag}
        return {_STATE_ATOMS.get(state, UNKNOWN), tag}

    def _shadowed(self, key: str, scope: cst.CSTNode | None) -> bool:
        """Is the first name of ``key`` bound in a function around ``scope``
        (a parameter, a local), so not the module-level import?"""
        return bound_around(self.ctx.facts, scope, key.split(".", 1)[0])

    def _imported_attribute(self, key: str) -> set[Atom] | None:
        """``clients.client`` where ``clients`` is a module imported whole
        (``from pkg import clients``, ``import pkg.clients [as c]``): what
        the project pass says about the client that module exports, keyed
        by the dotted name as written here (None: not such a name)."""
        if self._heads is None:
            self._heads = _import_heads(self.ctx.facts)
        if whole_module_of(self._heads, key) is None:
            return None
        tag = (IMPORTED, key)  # its uses here count for the module that builds it
        state = self.ctx.project.client_state(key) if self.ctx.project is not None else None
        if state is None:
            return {UNKNOWN, tag}
        return {_STATE_ATOMS.get(state, UNKNOWN), tag}

    def _resolve_attribute(self, cls: cst.ClassDef, key: str) -> set[Atom]:
        f = self.ctx.facts
        attr = key.split(".", 1)[1]
        values = list(f.bindings.get((id(cls), key), ()))
        values += f.bindings.get((id(cls), attr), ())  # class body
        if not values:
            prop = _property(cls, attr)
            if prop is not None:  # ``@property def client(self)``: what it returns
                out = self._returns(prop)
            else:
                out = self._inherited(cls, key)
        else:
            out = self._union(values, cls)
        for sub in self._subclasses(cls):
            # ``class Az(Base)`` rebinding ``self.client``: Base's methods
            # run on its instances too, with its client
            again = list(f.bindings.get((id(sub), key), ()))
            again += f.bindings.get((id(sub), attr), ())
            if again:
                out = out | self._union(again, sub)
        out = self._annotated((id(cls), key), out)
        return self._annotated((id(cls), attr), out)  # ``client: AzureOpenAI | None`` in the body

    def _inherited(self, cls: cst.ClassDef, key: str) -> set[Atom]:
        """``self.client`` a class does not bind: what its base classes of
        this file bind (``class Child(Base)``, ``Base.__init__`` sets it),
        and unknown as well when a base is not a class of this file (it may
        set it too)."""
        out: set[Atom] = set()
        for base in cls.bases:
            parent = self._class_named(base.value)
            if parent is None:
                if not (type(base.value) is cst.Name and base.value.value == "object"):  # type: ignore[attr-defined]
                    out.add(UNKNOWN)
                continue
            out |= self._resolve_class_attribute(parent, key)
        return out or {UNKNOWN}

    def _resolve_class_attribute(self, cls: cst.ClassDef, key: str) -> set[Atom]:
        # a cycle of bases (which Python refuses) adds nothing
        if id(cls) in self._inheriting:
            return {UNKNOWN}
        self._inheriting.add(id(cls))
        try:
            return self._resolve_attribute(cls, key)
        finally:
            self._inheriting.discard(id(cls))

    def _subclasses(self, cls: cst.ClassDef) -> list[cst.ClassDef]:
        """The classes of this file derived from ``cls``, directly or not."""
        if self._derived is None:
            self._derived = defaultdict(list)  # id(class) -> its direct subclasses here
            for c in self.ctx.facts.classes:
                for b in c.bases:
                    parent = self._class_named(b.value)
                    if parent is not None:
                        self._derived[id(parent)].append(c)
        out: list[cst.ClassDef] = []
        todo = [cls]
        while todo:
            for c in self._derived.get(id(todo.pop()), ()):
                if c is not cls and c not in out:
                    out.append(c)
                    todo.append(c)
        return out

    def left_subclass(self, cls: cst.ClassDef, _seen: frozenset[int] = frozenset()) -> bool:
        """Does ``cls`` derive from openai's client class or Azure's (directly,
        or through classes of this file)? The run does not rewrite its
        instances (OR109): they stay where they point, and so do the model
        IDs sent through them. Not when its body names OpenRouter (it may
        already point there: not known)."""
        f = self.ctx.facts
        found = False
        for base in cls.bases:
            q = f.qualified(base.value)
            if q in CLIENT_CLASSES or q in AZURE_CLASSES:
                found = True
                break
            parent = self._class_named(base.value)
            if parent is not None and id(parent) not in _seen and id(parent) != id(cls):
                if self.left_subclass(parent, _seen | {id(cls)}):
                    found = True
                    break
        return found and "openrouter" not in self.ctx.module.code_for_node(cls).lower()

    def _class_named(self, expr: cst.BaseExpression) -> cst.ClassDef | None:
        """The module-level class of this file ``expr`` names (bound once)."""
        f = self.ctx.facts
        if type(expr) is not cst.Name:
            return None
        name = expr.value  # type: ignore[attr-defined]
        if (
            name not in f.local_classes
            or f.assignment_counts.get(name, 0) != 1
            or name in f.imports
        ):
            return None
        if self._classes is None:
            self._classes = defaultdict(list)  # module-level classes by name
            for c in f.classes:
                if id(c) not in f.scope_of:
                    self._classes[c.name.value].append(c)
        found = self._classes.get(name, ())
        return found[0] if len(found) == 1 else None

    def _resolve_param(self, fn: cst.FunctionDef, param: cst.Param) -> set[Atom]:
        out = self._resolve_param_atoms(fn, param)
        f = self.ctx.facts
        name = fn.name.value
        if f.module_functions.get(name) is fn and f.assignment_counts.get(name, 0) == 1:
            out = out | {(PARAM, f"{name}:{param.name.value}")}
        return out

    def _resolve_param_atoms(self, fn: cst.FunctionDef, param: cst.Param) -> set[Atom]:
        out = self._resolve_param_values(fn, param)
        if _NO_CLIENT in out:
            return out - {_NO_CLIENT}
        hidden = _HIDDEN in out or not real_atoms(out)  # callers the tool cannot see
        out = out - {_HIDDEN}
        if not hidden:
            return out
        if param.annotation is not None and UNKNOWN not in out:
            q = self.ctx.facts.qualified(_unquote(param.annotation.annotation))
            if q in CLIENT_CLASSES:
                # ``def f(client: OpenAI)`` whose unseen callers pass an
                # OpenAI client of the run (the seen ones pass known ones):
                # which one is unknown; if the project pass says every one of
                # them is migrated, so is this (README: "Safe and unsafe fixes")
                self.wants_all_migrated = True
                project = self.ctx.project
                known = project is not None and project.all_clients_migrated
                return out | {MIGRATED if known else UNKNOWN, ANNOTATED}
        return out | {UNKNOWN}

    def _resolve_param_values(self, fn: cst.FunctionDef, param: cst.Param) -> set[Atom]:
        f = self.ctx.facts
        out: set[Atom] = set()
        if param.annotation is not None:
            q = f.qualified(_unquote(param.annotation.annotation))
            if _foreign_class(q):
                return {FOREIGN}
            if q in INSTRUCTOR_CLASSES:
                out.add(INSTRUCTOR)  # ``client: instructor.Instructor``: a wrapper
            if self._may_be_foreign(param.annotation.annotation):
                # ``client: AsyncOpenAI | AsyncAzureOpenAI``: may be Azure (its
                # "model" is a deployment name), whatever else it may be
                out.add(FOREIGN)
        fixture = self._fixture_value(fn, param)
        if fixture is not None:
            return fixture
        if param.default is not None:
            out |= self.resolve(param.default, f.scope_of.get(id(fn)))
        calls = self._call_sites(fn)
        if calls is None:
            # a public function: other modules of the run may call it too
            elsewhere = self._callers_elsewhere(fn, param)
            if elsewhere is None:
                return out | {_HIDDEN}
            out.add(elsewhere)
            calls = self._local_calls(fn)
            if calls is None:
                return out | {_HIDDEN}
        index = _positional_index(fn, param)
        none_only = bool(calls) and param.default is not None and _is_none(param.default)
        for call in calls:
            arg = _argument(call, param.name.value, index)
            if arg is _STAR:
                return out | {UNKNOWN}
            if arg is None:
                if param.default is None:
                    out.add(UNKNOWN)  # a call the tool does not understand
                continue
            none_only = none_only and _is_none(arg)  # type: ignore[arg-type]
            out |= self.resolve(arg, f.scope_of.get(id(call)))  # type: ignore[arg-type]
        if none_only and not real_atoms(out):
            # ``def evaluate(q, client=None)`` that every call (all of them
            # known) leaves at None: no client comes in, whatever ``if client
            # is None: client = OpenAI()`` binds it to is all it holds
            return out | {_NO_CLIENT}
        return out or {_HIDDEN}

    def _fixture_value(self, fn: cst.FunctionDef, param: cst.Param) -> set[Atom] | None:
        """A parameter pytest fills with a fixture: of a test function or of
        a fixture, with no default and not parametrized. Resolved the way
        pytest looks fixtures up: a fixture of this module, else one of the
        conftest.py files up the directory tree (the project pass:
        ``ProjectInput.clients`` under ``fixture:<name>``). None: not a
        fixture parameter."""
        f = self.ctx.facts
        name = param.name.value
        if param.default is not None or name in ("self", "cls", "request"):
            return None
        consumer = _fixture_name(f, fn) is not None
        if not consumer:
            cls = f.scope_of.get(id(fn))
            if fn.name.value.startswith("test") and (
                f.module_functions.get(fn.name.value) is fn
                or (type(cls) is cst.ClassDef and cls.name.value.startswith("Test"))  # type: ignore[attr-defined]
            ):
                consumer = True
        if not consumer or name in _parametrized(f, fn):
            return None
        if f.module_functions.get(fn.name.value) is fn and self._local_calls(fn):
            return None  # called by this module's code: not (only) by pytest
        cls = f.scope_of.get(id(fn))
        if type(cls) is cst.ClassDef and any(
            _fixture_name(f, m) == name
            for m in cls.body.body  # type: ignore[attr-defined]
            if isinstance(m, cst.FunctionDef)
        ):
            return {UNKNOWN}  # a fixture of the class: not followed
        local = self.fixtures().get(name)
        if local is not None:
            if local is fn:
                return {UNKNOWN}  # overrides a fixture of a conftest by its own name
            return self._returns(local)
        tag = (FIXTURE, name)
        state = (
            self.ctx.project.client_state(FIXTURE_PREFIX + name)
            if self.ctx.project is not None
            else None
        )
        return {UNKNOWN if state is None else _STATE_ATOMS.get(state, UNKNOWN), tag}

    def fixtures(self) -> dict[str, cst.FunctionDef]:
        """The pytest fixtures this module defines: fixture name -> function."""
        if self._fixtures is None:
            f = self.ctx.facts
            self._fixtures = {}
            for fn in f.module_functions.values():
                name = _fixture_name(f, fn)
                if name is not None and f.assignment_counts.get(fn.name.value, 0) == 1:
                    self._fixtures[name] = fn
        return self._fixtures

    def _callers_elsewhere(self, fn: cst.FunctionDef, param: cst.Param) -> Atom | None:
        """What the calls of public function ``fn`` in the other modules of
        the run pass as ``param`` (the project pass: plan_param_clients), or
        None when not known; asks for it in the summary meanwhile."""
        f = self.ctx.facts
        name = fn.name.value
        if f.module_functions.get(name) is not fn or f.assignment_counts.get(name, 0) != 1:
            return None
        self.client_params.setdefault(name, {})[param.name.value] = _positional_index(fn, param)
        project = self.ctx.project
        state = project.param_client_state(name, param.name.value) if project else None
        if state is None:
            return None
        if state == "none":
            return FOREIGN_NONE  # nothing comes from elsewhere
        return _STATE_ATOMS.get(state, UNKNOWN)

    def _local_calls(self, fn: cst.FunctionDef) -> list[cst.Call] | None:
        """The calls of ``fn`` in this file (None: it is also used as a value)."""
        f = self.ctx.facts
        name = fn.name.value
        if self._calls_of is None:
            self._calls_of = defaultdict(list)
            for call in f.calls:
                if type(call.func) is cst.Name:
                    self._calls_of[call.func.value].append(call)  # type: ignore[attr-defined]
        calls = self._calls_of.get(name, [])
        if len(f.name_uses.get(name, ())) != len(calls):
            return None
        return calls

    def call_args(self) -> dict[str, list[dict[str, str]]]:
        """For each function imported from another module (``from m import
        f``, or ``m.f`` off a module imported whole) and called here: per
        call, the client each argument is ("0", "1"... positional, or the
        keyword -> "migrate", "openrouter", "left", "unknown"; "*" when the
        call unpacks arguments, or, for ``m.f``, when it is also read other
        than called). Also fills :attr:`arg_keys`."""
        f = self.ctx.facts
        out: dict[str, list[dict[str, str]]] = defaultdict(list)
        keys_out: dict[str, list[tuple[cst.Call, dict[str, list[str]]]]] = defaultdict(list)
        if self._heads is None:
            self._heads = _import_heads(f)
        for call in f.calls:
            func = call.func
            scope = f.scope_of.get(id(call))
            if type(func) is cst.Name:
                name = func.value  # type: ignore[attr-defined]
                if name not in f.from_imports or f.assignment_counts.get(name, 0) != 0:
                    continue
            elif type(func) is cst.Attribute:
                name = dotted_name(func)  # type: ignore[assignment]
                if name is None or whole_module_of(self._heads, name) is None:
                    continue
                if self._shadowed(name, scope):
                    continue
            else:
                continue
            args: dict[str, str] = {}
            keys: dict[str, list[str]] = {}
            position = 0
            for a in call.args:
                if a.star:
                    args["*"] = UNKNOWN
                    continue
                key = a.keyword.value if a.keyword is not None else str(position)
                if a.keyword is None:
                    position += 1
                atoms = self.resolve(a.value, scope)
                if real_atoms(atoms) - {UNKNOWN}:
                    args[key] = self.state(atoms)
                tags = _tag_keys(atoms)  # (also a client whose move is unsafe)
                if tags:
                    keys[key] = tags
            out[name].append(args)
            keys_out[name].append((call, keys))
        for name in [n for n in out if "." in n]:
            if self._read_as_value(name):
                out[name].append({"*": UNKNOWN})  # ``cb = m.f``: calls the tool cannot see
        self.arg_keys = {}
        wanted = [
            call
            for found in keys_out.values()
            if any(keys for _, keys in found)
            for call, _ in found
        ]
        lines = _lines(self.ctx, wanted) if wanted else {}  # type: ignore[arg-type]
        for name, found in keys_out.items():
            if any(keys for _, keys in found):
                self.arg_keys[name] = [(lines.get(id(call), 0), keys) for call, keys in found]
        return dict(out)

    def _read_as_value(self, key: str) -> bool:
        """Is ``m.f`` (off a module imported whole) read here other than as
        the function of a call?"""
        f = self.ctx.facts
        parts = key.split(".")
        for node in f.name_uses.get(parts[0], ()):
            cur: cst.CSTNode = node
            depth = 1
            parent = f.parents.get(id(cur))
            while (
                depth < len(parts)
                and type(parent) is cst.Attribute
                and parent.value is cur  # type: ignore[union-attr]
                and parent.attr.value == parts[depth]  # type: ignore[union-attr]
            ):
                cur = parent  # type: ignore[assignment]
                depth += 1
                parent = f.parents.get(id(cur))
            if depth == len(parts) and not (type(parent) is cst.Call and parent.func is cur):  # type: ignore[union-attr]
                return True
        return False

    def state(self, atoms: frozenset[Atom]) -> str:
        """A decision for the clients ``atoms`` stand for (what other
        modules of the run are told)."""
        kind = self.fold(atoms)
        sites = [a for a in atoms if isinstance(a, int)]
        if any(a in self.ctx.blocked_clients for a in sites):
            from codemods.python.rules.client import fails_on_openrouter

            blocked = self.ctx.blocked_clients
            if (
                kind == "openai"
                and sites
                and real_atoms(atoms) <= set(sites)
                and all(fails_on_openrouter(blocked.get(a, [])) for a in sites)
            ):
                # its fix is display-only (a model sent through it fails on
                # OpenRouter): it stays where it points, and so does what
                # other modules send through it
                return DECISION_LEFT
            return UNKNOWN  # its fix is unsafe: what goes through it moves only with it
        if kind == "openai" and any(a in self.unsafe_sites for a in atoms if isinstance(a, int)):
            return UNKNOWN
        if kind == "openai":
            decisions = {
                self.ctx.client_decisions.get(a, DECISION_MIGRATE) if isinstance(a, int) else a
                for a in real_atoms(atoms)
            }
            if DECISION_MIGRATE in decisions and not self._moves(atoms):
                # its OR101 is not selected (``--ignore OR101``): this run does
                # not move it (a noqa'd one is already decided "left")
                return DECISION_LEFT
            return DECISION_OPENROUTER if decisions <= {DECISION_OPENROUTER} else DECISION_MIGRATE
        return DECISION_LEFT if kind == FOREIGN else UNKNOWN

    def _moves(self, atoms: frozenset[Atom]) -> bool:
        """Does this run move the clients of ``atoms`` it decided to migrate?"""
        for a in atoms:
            if isinstance(a, int) and self.ctx.client_decisions.get(a) == DECISION_MIGRATE:
                report = self.ctx.client_reports.get(a)
                if report is not None and not self.ctx.settings.rule_enabled(report.rule.code):
                    return False
        return True

    def _call_sites(self, fn: cst.FunctionDef) -> list[cst.Call] | None:
        """Every call of ``fn`` there is, or None when there may be others
        the tool cannot see (a method, a public function other modules may
        import, a function passed around as a value)."""
        f = self.ctx.facts
        name = fn.name.value
        if f.module_functions.get(name) is not fn or f.assignment_counts.get(name, 0) != 1:
            return None
        if not self._private(name):
            return None
        if self._calls_of is None:
            self._calls_of = defaultdict(list)
            for call in f.calls:
                if type(call.func) is cst.Name:
                    self._calls_of[call.func.value].append(call)  # type: ignore[attr-defined]
        calls = self._calls_of.get(name, [])
        if len(f.name_uses.get(name, ())) != len(calls):
            return None  # also used as a value (a callback): calls elsewhere
        return calls

    def _private(self, name: str) -> bool:
        """Are the calls of this file all the calls of function ``name``
        there are? Yes for a ``_private`` one; for a public one only when the
        project pass says no other module of the run imports it (until it
        has said, the file asks: :attr:`wants_importers`)."""
        if name.startswith("_"):
            return True
        project = self.ctx.project
        if project is None or project.module is None:
            self.wants_importers = True
            return False
        return name not in project.imported_names and not project.imported_whole

    def _function_named(self, name: str, scope: cst.CSTNode | None) -> cst.FunctionDef | None:
        f = self.ctx.facts
        fn = f.module_functions.get(name)
        if fn is None or f.assignment_counts.get(name, 0) != 1:
            return None
        return fn

    def _lambda_named(self, name: str, scope: cst.CSTNode | None) -> cst.Lambda | None:
        """The lambda a module-level name is bound to, once and to nothing
        else (``make = lambda: OpenAI()``), unless ``scope`` binds the name."""
        f = self.ctx.facts
        values = f.bindings.get((0, name))
        if (
            not values
            or len(values) != 1
            or type(values[0]) is not cst.Lambda
            or f.assignment_counts.get(name, 0) != 1
            or name in f.imports
            or self._shadowed(name, scope)
        ):
            return None
        return values[0]  # type: ignore[return-value]

    def _class_of(self, scope: cst.CSTNode | None) -> cst.ClassDef | None:
        node = scope
        while node is not None and type(node) is not cst.ClassDef:
            node = self.ctx.facts.scope_of.get(id(node))
        return node  # type: ignore[return-value]

    # ---- what rules ask ----------------------------------------------------

    def kind(self, expr: cst.BaseExpression, scope: cst.CSTNode | None) -> str:
        """ "openai", "foreign" or "unknown" (see the module documentation)."""
        return self.fold(self.resolve(expr, scope))

    def fold(self, atoms: frozenset[Atom]) -> str:
        decisions = self.ctx.client_decisions
        if not real_atoms(atoms):
            return UNKNOWN
        out = "openai"
        for a in atoms:
            if a in _MARKERS or type(a) is tuple:
                continue
            if a == FOREIGN or a == DECISION_LEFT:
                return FOREIGN
            if a == UNKNOWN:
                out = UNKNOWN
            elif a in (MIGRATED, DECISION_OPENROUTER):
                continue
            elif isinstance(a, int):
                decision = decisions.get(a, DECISION_MIGRATE)
                if decision not in _ON_OPENROUTER:
                    return FOREIGN
        return out

    def sites_of(self, expr: cst.BaseExpression, scope: cst.CSTNode | None) -> list[int]:
        """The constructor calls of this file ``expr`` can be (``id()``s)."""
        return [a for a in self.resolve(expr, scope) if isinstance(a, int)]

    def tag_keys(self, expr: cst.BaseExpression, scope: cst.CSTNode | None) -> list[str]:
        """The clients of other modules ``expr`` can be, as the keys of
        :meth:`external_uses` (``client``, ``clients.client``,
        ``fixture:client``)."""
        return _tag_keys(self.resolve(expr, scope))

    def exports(self) -> dict[str, str]:
        """This module's names other modules may import that are clients:
        module-level variables bound to a client and functions that return
        one (factories), with the decision for them ("migrate",
        "openrouter", "left" or "unknown" when they may be several things)."""
        out: dict[str, str] = {}
        for name, atoms in self._exported().items():
            if real_atoms(atoms) - {UNKNOWN}:  # a client, as far as this file knows
                out[name] = self.state(frozenset(atoms))
        return out

    def _exported(self) -> dict[str, set[Atom]]:
        """Names other modules may import (and the pytest fixtures of this
        module, as ``fixture:<name>``) -> what they can be."""
        f = self.ctx.facts
        out: dict[str, set[Atom]] = {}
        for name, fn in f.module_functions.items():
            if f.assignment_counts.get(name, 0) == 1 and f.returns.get(id(fn)):
                out[name] = self._returns(fn)
        for (scope, name), values in f.bindings.items():
            if scope == 0 and "." not in name and name not in f.module_functions:
                out[name] = self._union(values, None)
        for cls in f.classes:
            # a subclass of the client (OR109): what its instances are
            if id(cls) not in f.scope_of and self._class_named(cls.name) is cls:
                if self.left_subclass(cls):
                    out[cls.name.value] = {DECISION_LEFT}
        for name, fn in self.fixtures().items():
            if f.returns.get(id(fn)):
                out[FIXTURE_PREFIX + name] = self._returns(fn)
        return out

    def external_uses(self) -> dict[str, list[tuple[bool, int, str]]]:
        """The SDK calls of this file made through a client another module
        builds: imported name (or ``fixture:<name>``) -> (whether OpenRouter
        serves the call, its line, its resource path) per call. Also fills
        :attr:`escapes` and :attr:`aliases`.

        What this scan resolves asks the project pass for nothing: the
        requests resolution makes on the way (``wants_importers``,
        ``client_params``, ``wants_all_migrated``) would have the planner
        process again files whose receivers no rule needed."""
        params = {k: dict(v) for k, v in self.client_params.items()}
        saved = (self.wants_importers, self.wants_all_migrated, params)
        try:
            return self._external_uses()
        finally:
            self.wants_importers, self.wants_all_migrated = saved[0], saved[1]
            self.client_params.clear()
            self.client_params.update(saved[2])

    def _external_uses(self) -> dict[str, list[tuple[bool, int, str]]]:

        f = self.ctx.facts
        if not may_use_external(f):
            return {}  # nothing comes from another module
        found: list[tuple[str, cst.Call, bool, cst.BaseExpression]] = []
        for call, scope, hit, passed in _used_or_passed(self.ctx):
            if hit is None:
                # a client of another module passed to a call (not a wrapper
                # nor a copy: those are followed): its uses there are not counted
                for item in passed:
                    self.escapes.update(_tag_keys(self.resolve(item, scope)))
                continue
            receiver, supported = hit
            for key in _tag_keys(self.resolve(receiver, scope)):
                found.append((key, call, supported, receiver))
        for fn_id, values in f.returns.items():
            fn = self._functions_by_id().get(fn_id)
            for v in values:
                if v is not None and fn is not None:
                    self.escapes.update(_tag_keys(self.resolve(v, fn)))
        # stored where the resolver does not follow it (as
        # codemods/python/escapes.py): in a container, under a key or an
        # index, on an object other than ``self``
        for value in stored_away(f):
            scope = self._scope_of_value(value, None)
            for item in _stored_items(value):
                if type(item) in _CARRIERS:
                    self.escapes.update(_tag_keys(self.resolve(item, scope)))
        for (scope_id, name), values in f.bindings.items():
            if scope_id == 0 and "." not in name:  # ``c = client``: importable as ``c``
                for v in values:
                    keys = _tag_keys(self.resolve(v, None)) if v is not None else []
                    if keys:
                        self.aliases.setdefault(name, set()).update(keys)
        if not found:
            return {}
        lines = _lines(self.ctx, [call for _, call, _, _ in found])
        out: dict[str, list[tuple[bool, int, str]]] = defaultdict(list)
        for key, call, supported, receiver in found:
            out[key].append((supported, lines[id(call)], resource_path(call, receiver)))
        return dict(out)

    def _functions_by_id(self) -> dict[int, cst.FunctionDef]:
        if not self._functions:
            for node in self.ctx.facts.scope_of.values():
                if type(node) is cst.FunctionDef:
                    self._functions[id(node)] = node  # type: ignore[assignment]
            for fn in self.ctx.facts.module_functions.values():
                self._functions[id(fn)] = fn
            for cls in self.ctx.facts.classes:
                for m in cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ():
                    if isinstance(m, cst.FunctionDef):
                        self._functions[id(m)] = m
        return self._functions

    def site_counts(self) -> tuple[int, int]:
        """(OpenAI clients of this file on OpenRouter after the run, those
        that are not): Azure clients, subclasses of the client and copies
        redirected with ``with_options(base_url=...)`` count as not."""
        f = self.ctx.facts
        moving = staying = 0
        for site_id, site in self.sites.items():
            if site.kind in ("openai", "unresolved"):
                if self.ctx.client_decisions.get(site_id, DECISION_MIGRATE) in _ON_OPENROUTER:
                    moving += 1
                else:
                    staying += 1
            elif site.kind == "azure":
                staying += 1
        for cls in f.classes:
            if any(f.qualified(b.value) in CLIENT_CLASSES for b in cls.bases):
                staying += 1
        for call in f.calls:
            func = call.func
            if (
                type(func) is cst.Attribute
                and func.attr.value in _COPIES  # type: ignore[attr-defined]
                and any(a.star or (a.keyword and a.keyword.value in _REDIRECTS) for a in call.args)
            ):
                staying += 1
        return moving, staying

    def through_instructor(self, expr: cst.BaseExpression, scope: cst.CSTNode | None) -> bool:
        """Is ``expr`` (also) an instructor wrapper of a client?"""
        return INSTRUCTOR in self.resolve(expr, scope)

    def wrapper_modes(self) -> dict[int, list[tuple[str, str | None]]]:
        """Constructor site -> the instructor wrappers made of it with a
        mode instructor refuses once the client's base URL is OpenRouter:
        (the mode as written, None or where another module wraps it)."""
        out: dict[int, list[tuple[str, str | None]]] = defaultdict(list)
        f = self.ctx.facts
        for call, target, shown in self._refused_modes():
            for site in self.sites_of(target, f.scope_of.get(id(call))):
                out[site].append((shown, None))
        for site, detail, where in self._external_facts(FACT_MODE):
            out[site].append((detail, where))
        return out

    def _refused_modes(self) -> list[tuple[cst.Call, cst.BaseExpression, str]]:
        """The ``instructor.from_openai(client, mode=...)`` calls of this
        file with a mode instructor refuses on OpenRouter: (the call, the
        client expression, the mode as written)."""
        f = self.ctx.facts
        out: list[tuple[cst.Call, cst.BaseExpression, str]] = []
        for call in f.calls:
            # only ``from_openai`` checks the base URL; ``patch``/``apatch`` do not
            if f.qualified(call.func) != "instructor.from_openai":
                continue
            target = _first_arg(call, "client")
            mode = _argument(call, "mode", 1)
            if mode is _STAR:  # ``from_openai(client, **options)``: any mode
                mode = next(a for a in call.args if a.star)
            if target is None or mode is None:
                continue  # the default mode (TOOLS) works on OpenRouter
            if isinstance(mode, cst.Arg):
                out.append((call, target, self.ctx.module.code_for_node(mode).rstrip(", ")))
                continue
            assert isinstance(mode, cst.BaseExpression)
            if type(mode) is cst.Name:
                # ``MODE = instructor.Mode.JSON`` at module level, bound once
                values = f.bindings.get((0, mode.value), ())  # type: ignore[attr-defined]
                if len(values) == 1 and values[0] is not None:
                    if f.assignment_counts.get(mode.value, 0) == 1:  # type: ignore[attr-defined]
                        mode = values[0]
            name = dotted_name(mode)
            if name is not None and name.rsplit(".", 1)[-1] in INSTRUCTOR_OPENROUTER_MODES:
                continue
            out.append((call, target, name or self.ctx.module.code_for_node(mode)))
        return out

    def configured_after(self) -> dict[int, tuple[str, str | None]]:
        """Constructor site -> the connection setting assigned to the client
        after it was built (``self.client.api_base = config["api_base"]``),
        and None or where another module assigns it."""
        out: dict[int, tuple[str, str | None]] = {}
        for target in self._settings_after():
            for site in self.sites_of(target.value, self._scope_of_value(target, None)):
                out.setdefault(site, (target.attr.value, None))
        for site, detail, where in self._external_facts(FACT_SETTING):
            out.setdefault(site, (detail, where))
        return out

    def _settings_after(self) -> list[cst.Attribute]:
        """The assignments of a connection setting to a client attribute
        (not the module-level client's: codemods/python/rules/module_client.py)."""
        f = self.ctx.facts
        out = []
        for _, target in f.attribute_assignments:
            if target.attr.value not in _CONNECTION_ATTRIBUTES:
                continue
            q = f.qualified(target.value)
            if q is not None and q.split(".", 1)[0] == "openai":
                continue
            out.append(target)
        return out

    def _external_facts(self, kind: str) -> list[tuple[int, str, str]]:
        """The facts of ``kind`` other modules of the run found about the
        clients this one exports (project.plan_client_uses): (site, detail,
        "path:line" of the place in the other module)."""
        project = self.ctx.project
        if project is None or not project.client_facts:
            return []
        exported = self._exported()
        out = []
        for name, fact, where, detail in project.client_facts:
            if fact != kind:
                continue
            for site in exported.get(name, ()):
                if isinstance(site, int):
                    out.append((site, detail, where))
        return out

    def external_facts(self) -> dict[str, list[tuple[str, int, str]]]:
        """What this file does to clients other modules build that decides
        their move there: key (as in :meth:`external_uses`) -> (kind, line,
        detail) per place: an instructor mode refused on OpenRouter
        (``FACT_MODE``), a connection setting assigned after it was built
        (``FACT_SETTING``). (Model IDs that cannot move, ``FACT_BLOCK``, are
        added by the engine, which knows what a comment suppresses.)"""
        if not may_use_external(self.ctx.facts):
            return {}
        params = {k: dict(v) for k, v in self.client_params.items()}
        saved = (self.wants_importers, self.wants_all_migrated, params)
        f = self.ctx.facts
        found: list[tuple[str, cst.CSTNode, str, str]] = []
        try:
            for call, target, shown in self._refused_modes():
                for key in self.tag_keys(target, f.scope_of.get(id(call))):
                    found.append((key, call, FACT_MODE, shown))
            for target in self._settings_after():
                scope = self._scope_of_value(target, None)
                for key in self.tag_keys(target.value, scope):
                    found.append((key, target, FACT_SETTING, target.attr.value))
            found += self._shared_receivers()
        finally:
            self.wants_importers, self.wants_all_migrated = saved[0], saved[1]
            self.client_params.clear()
            self.client_params.update(saved[2])
        if not found:
            return {}
        others = [self.sites[int(d)].call for _, _, k, d in found if k == FACT_SHARED and d]
        lines = _lines(self.ctx, [node for _, node, _, _ in found] + others)
        out: dict[str, list[tuple[str, int, str]]] = defaultdict(list)
        for key, node, kind, detail in found:
            if kind == FACT_SHARED:
                # the client that stays, as the definer's message names it
                other = self.sites[int(detail)].call if detail else None
                detail = (
                    f"`{self.ctx.module.code_for_node(other.func)}(...)` at "
                    f"{FACT_PATH}:{lines[id(other)]}"
                    if other is not None
                    else "a client that stays where it points"
                )
            fact = (kind, lines[id(node)], detail)
            if fact not in out[key]:
                out[key].append(fact)
        return dict(out)

    def _shared_receivers(self) -> list[tuple[str, cst.CSTNode, str, str]]:
        """SDK calls through a receiver that may be a client of another
        module or a client that stays where it points (a site of this file
        left alone, another server's, another SDK's): (key, the call,
        FACT_SHARED, the staying site's id as text or ""). Moving the other
        module's client would send its model IDs half way (OR122)."""
        out: list[tuple[str, cst.CSTNode, str, str]] = []
        for call, scope, hit, _ in sdk_uses(self.ctx):
            if hit is None:
                continue
            atoms = self.resolve(hit[0], scope)
            keys = _tag_keys(atoms)
            if not keys:
                continue
            staying = [
                a
                for a in atoms
                if isinstance(a, int)
                and self.ctx.client_decisions.get(a, DECISION_MIGRATE) not in _ON_OPENROUTER
            ]
            # (one key and DECISION_LEFT: that client itself stays)
            left = DECISION_LEFT in atoms and len(keys) > 1
            if not staying and not left and FOREIGN not in atoms:
                continue
            other = str(staying[0]) if staying else ""
            out += [(key, call, FACT_SHARED, other) for key in keys]
        return out

    def uses(self) -> dict[int, list[Use]]:
        """Constructor site -> the SDK calls made through it in this file."""
        if self._uses is not None:
            return self._uses
        self._uses = defaultdict(list)
        for call, scope, hit, moderation in sdk_uses(self.ctx):
            if moderation:
                # instructor's moderation validator calls client.moderations
                target = _first_arg(call, "client")
                for site in self.sites_of(target, scope) if target else ():
                    self._uses[site].append(Use(call, False))
                continue
            assert hit is not None
            receiver, supported = hit
            for site in self.sites_of(receiver, scope):
                self._uses[site].append(Use(call, supported))
        # the calls other modules make through a client this one exports
        # (``from a import client``; a conftest fixture): the project pass
        project = self.ctx.project
        if project is not None and project.client_uses:
            exported = self._exported()
            for key, supported, where, resource in project.client_uses:
                for site in exported.get(key, ()):
                    if isinstance(site, int):
                        self._uses[site].append(Use(None, supported, where, resource))
        return self._uses


def _import_heads(f: ModuleFacts) -> dict[str, list[str]]:
    """Local name -> the module expressions written here that start with it
    and may be a module of the run imported whole: ``clients`` (``from pkg
    import clients``, ``import pkg.clients as clients``), ``pkg.clients``
    (``import pkg.clients``)."""
    out: dict[str, list[str]] = defaultdict(list)
    for local in f.from_imports:
        if f.assignment_counts.get(local, 0) == 0:
            out[local].append(local)
    for local, targets in f.imports.items():
        if local in f.from_imports or f.assignment_counts.get(local, 0) != 0:
            continue
        for target in targets:
            if target.split(".", 1)[0] in ("openai", *FOREIGN_SDKS):
                continue
            if target == local:  # ``import pkg.clients`` binds ``pkg``
                out[local].extend(m for m in f.module_imports if m.split(".", 1)[0] == local)
            elif target in f.module_imports:  # ``import pkg.clients as c``
                out[local].append(local)
    return out


def whole_module_of(heads: dict[str, list[str]], key: str) -> str | None:
    """The module expression ``key`` (``clients.client``) reads a name of,
    when it is one of :func:`_import_heads` (or a submodule of one) and
    ``key`` has one more part."""
    if key.count(".") == 0:
        return None
    module = key.rsplit(".", 1)[0]
    for written in heads.get(key.split(".", 1)[0], ()):
        # ``sub.clients.client`` after ``from pkg import sub``: a submodule
        if module == written or module.startswith(written + "."):
            return module
    return None


def bare_module_reads(f: ModuleFacts, heads: dict[str, list[str]]) -> set[str]:
    """The module expressions of :func:`_import_heads` read here other than
    as ``module.name`` (passed around, ``getattr(module, ...)``): the uses
    of the clients such a module exports are not all known. A read that is
    called (``name()``) is not a module's."""
    out: set[str] = set()
    for local, modules in heads.items():
        for node in f.name_uses.get(local, ()):
            chain = [local]
            cur: cst.CSTNode = node
            parent = f.parents.get(id(cur))
            while type(parent) is cst.Attribute and parent.value is cur:  # type: ignore[union-attr]
                chain.append(parent.attr.value)  # type: ignore[union-attr]
                cur = parent  # type: ignore[assignment]
                parent = f.parents.get(id(cur))
            if type(parent) is cst.Call and parent.func is cur and len(chain) == 1:  # type: ignore[union-attr]
                continue
            read = ".".join(chain)
            for module in modules:
                if read == module or module.startswith(read + "."):
                    out.add(module)
    return out


def unknown_uses_note(ctx: RuleContext, site: int) -> str | None:
    """Why the move of the client built at ``site`` is unsafe: another module
    uses it for an endpoint OpenRouter does not serve, and a file reads its
    module in a way the tool cannot follow, so its other uses are not known
    (project.plan_client_uses; None: not so)."""
    project = ctx.project
    if project is None or not project.client_uses_unknown:
        return None
    exported = index(ctx)._exported()
    for name, where in project.client_uses_unknown:
        if site in exported.get(name, ()):
            return (
                f"; unsafe fix: another module uses it for an endpoint OpenRouter does not "
                f"serve, and {where} reads its module in a way the tool cannot follow "
                "(imported whole and read as a value, or a file it cannot read), so not "
                "all of its uses are known"
            )
    return None


def reexport_note(ctx: RuleContext, site: int) -> str | None:
    """Why the move of the client built at ``site`` is unsafe: another
    module reads it through a module that re-exports it in a way the tool
    does not follow (project.plan_client_uses; None: not so)."""
    found = sorted({(d, w) for s, d, w in index(ctx)._external_facts(FACT_REEXPORT) if s == site})
    if not found:
        return None
    via, where = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return (
        f"; unsafe fix: {where} reads it through {via}, which re-exports it in a way the "
        f"tool cannot follow{more}: the model IDs sent through it there may stay bare "
        "while it moves"
    )


def param_note(ctx: RuleContext, site: int) -> str | None:
    """Why the move of the client built at ``site`` is unsafe: another
    module passes it to a function's client parameter that other calls fill
    with a client the tool cannot resolve, so the model IDs sent there move
    only as unsafe fixes (project.plan_client_uses; None: not so)."""
    found = sorted({(w, d) for s, d, w in index(ctx)._external_facts(FACT_PARAM) if s == site})
    if not found:
        return None
    where, other = found[0]
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return (
        f"; unsafe fix: it is passed to {where}{more}, which {other} fills with a client the "
        "tool cannot resolve: the model IDs sent through it there move only as unsafe "
        "fixes, and this client with them"
    )


def escaped_elsewhere_note(ctx: RuleContext, site: int) -> str | None:
    """Why the move of the client built at ``site`` is unsafe: another
    module passes it to code the tool does not follow, or stores it where
    its uses are not followed (project.plan_client_uses; None: not so)."""
    found = sorted(
        {(w, d) for s, d, w in index(ctx)._external_facts(FACT_ESCAPE) if s == site},
        key=lambda x: (x[0].rsplit(":", 1)[0], int(x[0].rsplit(":", 1)[-1] or 0), x[1]),
    )
    if not found:
        return None
    shown = []
    for where, detail in found[:2]:
        what, _, why = detail.partition("\x00")
        shown.append(f"{what} ({where}){why}")
    more = f" and {len(found) - 2} more" if len(found) > 2 else ""
    return (
        f"; unsafe fix: another module hands it on: the client {', '.join(shown)}{more}: "
        "the model IDs sent there may stay bare while the client moves (move them with it, "
        "then apply with --unsafe-fixes)"
    )


def external_blocks(ctx: RuleContext, site: int) -> list[tuple[str, str]]:
    """The model IDs that cannot move which other modules of the run send
    through the client built at ``site`` (project.plan_client_uses):
    ("'o1-mini' (OR204)", "path:line") per place."""
    found = index(ctx)._external_facts(FACT_BLOCK)
    return [(detail, where) for s, detail, where in found if s == site]


_STORES = (cst.List, cst.Tuple, cst.Set, cst.Dict)


def stored_away(f: ModuleFacts) -> list[cst.BaseExpression]:
    """The values this module stores where the resolver does not follow
    them: bound as a container (``clients = [client]``, ``{"c": client}``),
    on an object other than ``self``/``cls`` (``registry.main = client``),
    under a key or an index (``registry[name] = client``)."""
    out: list[cst.BaseExpression] = []
    for (_, key), values in f.bindings.items():
        foreign = "." in key and not key.startswith(("self.", "cls."))
        for v in values:
            if v is not None and (foreign or type(v) in _STORES):
                out.append(v)
    for sub in f.subscripts:
        target = f.parents.get(id(sub))
        assign = f.parents.get(id(target)) if type(target) is cst.AssignTarget else None
        if type(assign) is cst.Assign:
            out.append(assign.value)  # type: ignore[union-attr]
    return out


def _used_or_passed(
    ctx: RuleContext,
) -> list[
    tuple[
        cst.Call,
        cst.CSTNode | None,
        tuple[cst.BaseExpression, bool] | None,
        list[cst.BaseExpression],
    ]
]:
    """Per call of the file, in order (:meth:`ClientIndex._external_uses`):
    its scope, its SDK use (``unsupported.classify_use``), and for a call
    that is neither an SDK call nor a wrapper, what it is passed that may be
    a client (each argument, also inside a container, nested). Only the
    facts decide it, so it is computed once per file
    (``ModuleFacts.node_memo``), not once per analysis."""
    from codemods.python.rules.unsupported import classify_use

    f = ctx.facts
    known = f.node_memo.get(_USED_OR_PASSED)
    if known is not None:
        return known  # type: ignore[no-any-return]
    out = []
    for call in f.calls:
        hit = classify_use(ctx, call)
        passed: list[cst.BaseExpression] = []
        if hit is None and f.qualified(call.func) not in WRAPPERS:
            passed = [
                item
                for a in call.args
                for item in _stored_items(a.value)  # (also in a container, nested)
                if type(item) in _CARRIERS
            ]
            if not passed:
                continue
        out.append((call, f.scope_of.get(id(call)), hit, passed))
    f.node_memo[_USED_OR_PASSED] = out
    return out


_USED_OR_PASSED = ("clients.used_or_passed", 0)  # ModuleFacts.node_memo


def sdk_uses(
    ctx: RuleContext,
) -> list[tuple[cst.Call, cst.CSTNode | None, tuple[cst.BaseExpression, bool] | None, bool]]:
    """The calls of the file that use a client, in order: each with its
    scope, its SDK use (``unsupported.classify_use``: receiver, whether
    OpenRouter serves it; None for a call that is only the next) and
    whether it is instructor's moderation validator (which calls the
    ``client=`` it is given). Only the facts decide it, so it is computed
    once per file (``ModuleFacts.node_memo``), not once per analysis."""
    from codemods.python.rules.unsupported import classify_use

    f = ctx.facts
    known = f.node_memo.get(_SDK_USES)
    if known is not None:
        return known  # type: ignore[no-any-return]
    out = []
    for call in f.calls:
        moderation = f.qualified(call.func) == "instructor.openai_moderation"
        hit = classify_use(ctx, call)
        if moderation or hit is not None:
            out.append((call, f.scope_of.get(id(call)), hit, moderation))
    f.node_memo[_SDK_USES] = out
    return out


_SDK_USES = ("clients.sdk_uses", 0)  # ModuleFacts.node_memo: sdk_uses


def _stored_items(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    """``value``, or the elements (and dict values) of a container, nested."""
    if type(value) in (cst.List, cst.Tuple, cst.Set, cst.Dict):
        out: list[cst.BaseExpression] = []
        for e in value.elements:  # type: ignore[attr-defined]
            out += _stored_items(e.value)
        return out
    return [value]


def may_use_external(f: ModuleFacts) -> bool:
    """Can this module use a client another module builds (it imports a
    name from a module, or has tests that may take a conftest fixture)?"""
    return bool(
        f.from_imports
        or f.module_imports
        or any(n.startswith("test") for n in f.module_functions)
        or any(c.name.value.startswith("Test") for c in f.classes)
    )


def index(ctx: RuleContext) -> ClientIndex:
    found = ctx.memo.get("clients")
    if found is None:
        # a proxy: the context holds the index, which must not hold the
        # context back (a cycle would keep the tree alive for the cyclic GC)
        found = ctx.memo["clients"] = ClientIndex(weakref.proxy(ctx))
    return found


_CLASS_NAMES = frozenset(q.rsplit(".", 1)[1] for q in CLIENT_CLASSES)


def _constructor_kind(ctx: RuleContext, func: cst.BaseExpression) -> str | None:
    f = ctx.facts
    if dynamic_openai_class(f, func) is not None:
        return "unresolved"  # ``importlib.import_module("openai").OpenAI()``
    if type(func) is cst.Name:
        name = func.value  # type: ignore[attr-defined]
        targets = f.imports.get(name)
        if targets and targets & CLIENT_CLASSES and f.is_ambiguous(func):
            # ``try: from openai import OpenAI`` / ``except ImportError: OpenAI
            # = None``; a name rebound to anything else is that thing
            rebound = f.bindings.get((0, name), [])
            if (
                name not in f.local_classes
                and name not in f.module_functions
                and rebound
                and all(type(v) is cst.Name and v.value == "None" for v in rebound)  # type: ignore[union-attr]
            ):
                return "unresolved"
            if len(targets) > 1 and name not in f.other_bindings:
                # imported from several places (``if AZURE: from openai import
                # AzureOpenAI as OpenAI / else: from openai import OpenAI``, a
                # fallback shim): which one runs is not known, but one may be
                # openai's client
                return "unresolved"
            return None
        if (
            not targets
            and name in _CLASS_NAMES
            and f.has_star_import_from_openai
            and name not in f.other_bindings
        ):
            return "unresolved"  # ``from openai import *``
    q = f.qualified(func)
    if q is not None:
        if q in CLIENT_CLASSES:
            return "openai"
        if q in AZURE_CLASSES:
            return "azure"
        root = q.split(".", 1)[0]
        if root in FOREIGN_SDKS or root == "openai":
            return "foreign" if root != "openai" else None
        return None
    if type(func) is cst.Name and func.value in f.local_classes:  # type: ignore[attr-defined]
        return "foreign"
    return None


_DYNAMIC_IMPORTS = frozenset({"importlib.import_module", "importlib.__import__"})


def dynamic_openai_class(f: ModuleFacts, func: cst.BaseExpression) -> cst.CSTNode | None:
    """Where openai was imported at run time, when ``func`` (the callee of a
    call) is its client class read off that module: ``importlib.import_module(
    "openai").OpenAI``, ``mod.AsyncOpenAI`` with ``mod = __import__("openai")``
    (or ``sys.modules["openai"]``), ``getattr(mod, "OpenAI")``. The tool does
    not follow such imports (OR120): None otherwise."""
    owner: cst.BaseExpression | None = None
    if type(func) is cst.Attribute and func.attr.value in _CLASS_NAMES:  # type: ignore[attr-defined]
        owner = func.value  # type: ignore[attr-defined]
    elif (
        type(func) is cst.Call
        and type(func.func) is cst.Name  # type: ignore[attr-defined]
        and func.func.value == "getattr"  # type: ignore[attr-defined]
        and not f.is_bound("getattr")
        and len(func.args) >= 2  # type: ignore[attr-defined]
        and _string(func.args[1].value) in _CLASS_NAMES  # type: ignore[attr-defined]
    ):
        owner = func.args[0].value  # type: ignore[attr-defined]
    if owner is None:
        return None
    return dynamic_openai_module(f, owner)


def dynamic_openai_module(f: ModuleFacts, expr: cst.BaseExpression) -> cst.CSTNode | None:
    """Where openai was imported at run time when ``expr`` is that module
    (the import itself, or a name bound to it anywhere in the file)."""
    if type(expr) is cst.Name:
        for (_, key), values in f.bindings.items():
            if key == expr.value:  # type: ignore[attr-defined]
                for v in values:
                    if v is not None and _imports_openai_at_run_time(f, v):
                        return v
        return None
    return expr if _imports_openai_at_run_time(f, expr) else None


def _imports_openai_at_run_time(f: ModuleFacts, expr: cst.BaseExpression) -> bool:
    if type(expr) is cst.Subscript:  # ``sys.modules["openai"]``
        sub = expr.slice  # type: ignore[attr-defined]
        return (
            f.qualified(expr.value) == "sys.modules"  # type: ignore[attr-defined]
            and len(sub) == 1
            and isinstance(sub[0].slice, cst.Index)
            and _string(sub[0].slice.value) == "openai"
        )
    if type(expr) is not cst.Call or not expr.args:  # type: ignore[attr-defined]
        return False
    func = expr.func  # type: ignore[attr-defined]
    if not (
        f.qualified(func) in _DYNAMIC_IMPORTS
        or (type(func) is cst.Name and func.value == "__import__" and not f.is_bound("__import__"))  # type: ignore[attr-defined]
    ):
        return False
    return _string(expr.args[0].value) == "openai"  # type: ignore[attr-defined]


def _string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


_STAR = object()
# expressions through which a value can carry a client (others cannot)
_CARRIERS = (cst.Name, cst.Attribute, cst.Call, cst.Await, cst.IfExp, cst.BooleanOperation)


def _tag_keys(atoms: frozenset[Atom]) -> list[str]:
    """The external_uses keys of the tags among ``atoms``."""
    return [
        a[1] if a[0] == IMPORTED else FIXTURE_PREFIX + a[1]  # type: ignore[index]
        for a in atoms
        if type(a) is tuple and a[0] != PARAM  # type: ignore[index]
    ]


#: how a pytest fixture is named where clients are exchanged between modules
FIXTURE_PREFIX = "fixture:"
_FIXTURE_DECORATORS = frozenset({"pytest.fixture", "pytest_asyncio.fixture"})


# decorators known to hand back what the function returns (a cache of it, a
# descriptor reading it, a context manager over what it yields, a pytest
# fixture); any other decorator replaces the function with code the tool
# does not read (``@cache_client``, ``@retry(...)``, a wrapper without
# ``functools.wraps``), which may return another client or none
_TRANSPARENT_DECORATORS = frozenset(
    {
        "functools.cache",
        "functools.lru_cache",
        "functools.cached_property",
        "contextlib.contextmanager",
        "contextlib.asynccontextmanager",
        "abc.abstractmethod",
        "typing.overload",
        "typing.final",
        "typing_extensions.final",
        "typing.override",
        "typing_extensions.override",
        *_FIXTURE_DECORATORS,
    }
)
_TRANSPARENT_BUILTINS = frozenset({"property", "staticmethod", "classmethod"})


def opaque_decorators(f: ModuleFacts, fn: cst.FunctionDef) -> list[cst.Decorator]:
    """The decorators of ``fn`` the tool does not see through (see
    :data:`_TRANSPARENT_DECORATORS`): a call of the function's name runs
    their code, not only the function's."""
    if not fn.decorators:
        return []
    out = []
    for d in fn.decorators:
        node = d.decorator
        if type(node) is cst.Call:
            node = node.func  # type: ignore[attr-defined]  # ``@lru_cache(maxsize=None)``
        if f.qualified(node) in _TRANSPARENT_DECORATORS:
            continue
        if (
            type(node) is cst.Name
            and node.value in _TRANSPARENT_BUILTINS  # type: ignore[attr-defined]
            and not f.is_bound(node.value)  # type: ignore[attr-defined]
        ):
            continue
        if (
            type(node) is cst.Attribute
            and node.attr.value in ("setter", "getter", "deleter")  # type: ignore[attr-defined]
            and type(node.value) is cst.Name  # type: ignore[attr-defined]
        ):
            continue  # ``@client.setter``: the property's own accessors
        out.append(d)
    return out


def _fixture_name(f: ModuleFacts, fn: cst.FunctionDef) -> str | None:
    """The name pytest knows ``fn`` by, if it is a fixture
    (``@pytest.fixture``, ``@pytest.fixture(name="x")``, pytest-asyncio's)."""
    for d in fn.decorators:
        node = d.decorator
        call = node if type(node) is cst.Call else None
        if call is not None:
            node = call.func  # type: ignore[union-attr]
        if f.qualified(node) not in _FIXTURE_DECORATORS:
            continue
        for a in call.args if call is not None else ():
            if a.keyword is not None and a.keyword.value == "name":
                value = a.value
                if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
                    return value.evaluated_value
                return None  # a name the tool cannot read
        return fn.name.value
    return None


def _parametrized(f: ModuleFacts, fn: cst.FunctionDef) -> set[str]:
    """The argument names ``@pytest.mark.parametrize`` gives ``fn`` (they
    are not fixtures); every parameter when the names cannot be read."""
    out: set[str] = set()
    for d in fn.decorators:
        node = d.decorator
        if type(node) is not cst.Call or f.qualified(node.func) != "pytest.mark.parametrize":  # type: ignore[attr-defined]
            continue
        args = node.args  # type: ignore[attr-defined]
        first = args[0].value if args and args[0].keyword is None else None
        names: object = None
        if isinstance(first, cst.SimpleString):
            names = first.evaluated_value
            names = names.replace(" ", "").split(",") if isinstance(names, str) else None
        elif isinstance(first, (cst.List, cst.Tuple)):
            names = [
                e.value.evaluated_value
                for e in first.elements
                if isinstance(e.value, cst.SimpleString)
            ]
        if not names:
            return {p.name.value for p in (*fn.params.posonly_params, *fn.params.params)}
        out.update(n for n in names if isinstance(n, str))  # type: ignore[union-attr]
    return out


def _lines(ctx: RuleContext, calls: list[cst.CSTNode]) -> dict[int, int]:
    """The line each call starts on (rare: a file that uses a client of
    another module; the engine's position finder, once for all of them)."""
    from codemods.python.engine import _Positions

    module = ctx.module
    positions = _Positions(
        module, ctx.data(), list(calls), [], ctx.facts.parents, ctx.facts.node_memo
    )
    return {id(c): positions.range(c)[0][0] for c in calls}


def own_getattr(
    f: ModuleFacts, call: cst.Call, cls: cst.ClassDef | None
) -> tuple[str, cst.BaseExpression | None] | None:
    """``getattr(self, "client")`` / ``getattr(self, "client", None)`` in
    a method of ``cls``, the class that binds ``self.client`` (in a method
    or its body): a plain read of the attribute, not reflection. (The
    attribute and the default; None for anything else: a name the tool
    cannot read, another receiver, ``setattr``, a class that does not bind
    it.)"""
    func = call.func
    args = call.args
    if (
        cls is None
        or type(func) is not cst.Name
        or func.value != "getattr"  # type: ignore[attr-defined]
        or f.is_bound("getattr")
        or len(args) not in (2, 3)
        or any(a.star or a.keyword is not None for a in args)
    ):
        return None
    owner = args[0].value
    if type(owner) is not cst.Name or owner.value not in ("self", "cls"):  # type: ignore[attr-defined]
        return None
    name = _string(args[1].value)
    if name is None or not name.isidentifier():
        return None
    if not (f.bindings.get((id(cls), "self." + name)) or f.bindings.get((id(cls), name))):
        return None
    return name, (args[2].value if len(args) == 3 else None)


def _first_arg(call: cst.Call, keyword: str) -> cst.BaseExpression | None:
    for a in call.args:
        if a.star:
            return None
        if a.keyword is None or a.keyword.value == keyword:
            return a.value
    return None


def _argument(call: cst.Call, name: str, index: int | None) -> object:
    positional = 0
    for a in call.args:
        if a.star:
            return _STAR
        if a.keyword is None:
            if index is not None and positional == index:
                return a.value
            positional += 1
        elif a.keyword.value == name:
            return a.value
    return None


def bound_around(f: ModuleFacts, scope: cst.CSTNode | None, name: str) -> bool:
    """Is ``name`` a parameter or a local of ``scope`` or of a function
    around it (so not the module-level name)?"""
    node = scope
    while node is not None:
        if type(node) in (cst.FunctionDef, cst.Lambda) and _param(node, name) is not None:  # type: ignore[arg-type]
            return True
        if f.bindings.get((id(node), name)):
            return True
        node = f.scope_of.get(id(node))
    return False


def _param(fn: cst.FunctionDef | cst.Lambda, name: str) -> cst.Param | None:
    p = fn.params
    for param in (*p.posonly_params, *p.params, *p.kwonly_params):
        if param.name.value == name:
            return param
    for star in (p.star_arg, p.star_kwarg):
        if isinstance(star, cst.Param) and star.name.value == name:
            return star
    return None


def _positional_index(fn: cst.FunctionDef, param: cst.Param) -> int | None:
    positional = [*fn.params.posonly_params, *fn.params.params]
    for i, p in enumerate(positional):
        if p is param:
            return i
    return None


def _property(cls: cst.ClassDef, name: str) -> cst.FunctionDef | None:
    """The method ``name`` of ``cls`` when it is a ``@property`` (or
    ``functools.cached_property``) with no setter: reading ``self.name``
    calls it."""
    method = _method(cls, name)
    if method is None:
        return None
    names = {dotted_name(d.decorator) for d in method.decorators}
    if not names & {"property", "cached_property", "functools.cached_property"}:
        return None
    return method


def _method(cls: cst.ClassDef, name: str) -> cst.FunctionDef | None:
    body = cls.body
    if not isinstance(body, cst.IndentedBlock):
        return None
    found = [s for s in body.body if isinstance(s, cst.FunctionDef) and s.name.value == name]
    return found[0] if len(found) == 1 else None


def _unquote(node: cst.BaseExpression) -> cst.BaseExpression:
    """``"OpenAI"`` (a string annotation) -> the name it spells, when simple."""
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        if isinstance(value, str) and value.replace(".", "").isidentifier():
            parts = value.split(".")
            out: cst.BaseExpression = cst.Name(parts[0])
            for p in parts[1:]:
                out = cst.Attribute(value=out, attr=cst.Name(p))
            return out
        if isinstance(value, str) and len(value) < 200:  # "Optional[OpenAI]"
            try:
                return _unquote(cst.parse_expression(value))
            except cst.ParserSyntaxError:
                return node
    if isinstance(node, cst.Subscript):  # Optional[OpenAI], Union[OpenAI, None]
        q = dotted_name(node.value)
        inner = [
            e.slice.value
            for e in node.slice
            if isinstance(e.slice, cst.Index) and not _is_none(e.slice.value)
        ]
        if q in ("Optional", "typing.Optional", "Union", "typing.Union") and len(inner) == 1:
            return _unquote(inner[0])
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        if _is_none(node.right):  # OpenAI | None
            return _unquote(node.left)
        if _is_none(node.left):
            return _unquote(node.right)
    return node


def _foreign_class(q: str | None) -> bool:
    """Is ``q`` (a qualified name) an Azure client or another SDK's?"""
    return q is not None and (q in AZURE_CLASSES or q.split(".", 1)[0] in FOREIGN_SDKS)


def _union_members(node: cst.BaseExpression, depth: int = 0) -> list[cst.BaseExpression]:
    """The types a (possibly quoted) annotation may be: the members of
    ``A | B``, ``Union[A, B]``, ``Optional[A]``, nested; else itself."""
    if depth > 20:
        return [node]
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        if isinstance(value, str) and len(value) < 200:
            try:
                return _union_members(cst.parse_expression(value), depth + 1)
            except cst.ParserSyntaxError:
                return [node]
        return [node]
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return _union_members(node.left, depth + 1) + _union_members(node.right, depth + 1)
    if isinstance(node, cst.Subscript) and dotted_name(node.value) in _UNIONS:
        out: list[cst.BaseExpression] = []
        for e in node.slice:
            if isinstance(e.slice, cst.Index):
                out += _union_members(e.slice.value, depth + 1)
        return out
    return [node]


_UNIONS = frozenset(
    {"Optional", "typing.Optional", "Union", "typing.Union", "t.Optional", "t.Union"}
)


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


_NOT_SHOWN = frozenset({"with_raw_response", "with_streaming_response", "beta"})


def resource_path(call: cst.Call, receiver: cst.BaseExpression | None = None) -> str:
    """``client.beta.threads.runs.create(...)`` -> "threads.runs.create"
    (without the parts of ``receiver``: ``clients.client.files.create``)."""
    parts, root = attribute_chain(call.func)
    if type(receiver) is cst.Attribute:
        own, own_root = attribute_chain(receiver)
        if own_root is root and parts[: len(own)] == own:
            parts = parts[len(own) :]
    shown = ".".join(p for p in parts if p not in _NOT_SHOWN)
    return shown or (dotted_name(root) or "")
