"""Escape analysis: where a client of this file goes that the tool cannot follow.

A client and every model ID sent through it move together, or not at all.
The model rules see the requests made through a client only where the client
is the receiver of an SDK call the resolver follows (:mod:`codemods.python.clients`).
A client handed to code the tool does not analyse (a third-party class such
as instructor's ``Instructions(openai_client=client)``, a function that sends
its own default model such as ``llm_validator(..., client=client)``, a class
of the project whose ``__init__`` stores it, a method, anything stored in a
container or on another object) makes requests the tool cannot check: their
model IDs stay bare while the client moves. Such a client's move is an
*unsafe* fix, and its finding names the place it escapes.

What the tool follows is not an escape:

- an argument of a function of this module whose parameter the resolver
  follows back to this client (every call of it is known: a private
  function, or a public one the project pass says no other module calls
  with something else); the SDK calls in that function are checked with
  this client, and what the function passes on is checked in turn;
- the wrappers the resolver sees through (``instructor.from_openai``,
  ``instructor.patch``, LangSmith's ``wrap_openai``...) and the calls the
  rules model (:data:`MODELLED`): the Agents SDK's
  ``set_default_openai_client`` and model classes, instructor's
  ``openai_moderation``, and ``llm_validator`` given its ``model=``;
- calls that cannot send a request (``print``, ``isinstance``, ``id``...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

import libcst as cst

from codemods.core.sdk import RESOURCES
from codemods.core.secrets import redact_text
from codemods.core.unsupported import TRANSPARENT
from codemods.python import clients
from codemods.python.analysis import ModuleFacts, dotted_name

if TYPE_CHECKING:
    from codemods.core.project import ProjectInput
    from codemods.python.rules.base import RuleContext

# calls the rules model: what they send through the client is checked there
MODELLED = frozenset(
    {
        "agents.set_default_openai_client",
        "agents.OpenAIChatCompletionsModel",
        "agents.models.openai_chatcompletions.OpenAIChatCompletionsModel",
        "agents.OpenAIResponsesModel",
        "agents.models.openai_responses.OpenAIResponsesModel",
        "instructor.openai_moderation",
        "instructor.dsl.validators.openai_moderation",
    }
)
# calls that take a client and send no request through it (instrumentation;
# test doubles replacing one of its methods)
_NO_REQUESTS = frozenset(
    {
        "logfire.instrument_openai",
        "unittest.mock.patch.object",
        "unittest.mock.patch.multiple",
        "mock.patch.object",
        "mock.patch.multiple",
    }
)
# instructor's ``Instructions(openai_client=client)`` sends requests through
# the client only for ``@instructions.distil(mode="dispatch", model=...)``
# (instructor/distil.py); its default mode ("distil") calls the function
# and logs
_INSTRUCTIONS = frozenset({"instructor.Instructions", "instructor.distil.Instructions"})
# calls that send a model of their own through the client they are given
# unless ``model=`` is passed (then the model rules check it: models.MODEL_HOLDERS)
DEFAULT_MODEL_SENDERS = {
    # instructor/dsl/validators.py: llm_validator(statement, client,
    # allow_override=False, model="gpt-3.5-turbo", temperature=0)
    "instructor.llm_validator": "gpt-3.5-turbo",
    "instructor.dsl.validators.llm_validator": "gpt-3.5-turbo",
    "instructor.dsl.llm_validator": "gpt-3.5-turbo",
}
# libraries whose functions take a client and send requests through it with
# models of their own: a client passed to one escapes
_LIBRARIES = frozenset(
    {
        "instructor",
        "langchain",
        "langchain_openai",
        "langchain_community",
        "langchain_core",
        "langgraph",
        "llama_index",
        "litellm",
        "dspy",
        "agents",
        "crewai",
        "autogen",
        "autogen_ext",
        "guidance",
        "marvin",
        "mirascope",
        "outlines",
        "openai",
        "semantic_kernel",
        "haystack",
        "pydantic_ai",
        "smolagents",
    }
)
# builtins that cannot send a request through what they are given
_HARMLESS = frozenset(
    {"print", "isinstance", "issubclass", "id", "type", "repr", "str", "hasattr", "callable"}
)
_CONTAINERS = (cst.List, cst.Tuple, cst.Set, cst.Dict)
# the SDK's resources: ``client.chat.completions.create`` used as a value
# (bound to a name, handed to ``functools.partial`` or ``asyncio.to_thread``)
# sends requests the tool does not see; so does one through
# ``client.with_raw_response``
_RESOURCES = RESOURCES | TRANSPARENT


@dataclass
class Escape:
    node: cst.CSTNode  # the call (or assignment) where the client escapes
    what: str  # "is passed to `LocalEngine`"
    why: str = ", whose requests the tool cannot check"
    # only because the project pass has not said yet who else calls the
    # function it is passed to (its first round): not told to other modules
    pending: bool = False


def escapes(ctx: RuleContext) -> dict[int, list[Escape]]:
    """Constructor site (``id()``) of an OpenAI client of this file -> the
    places it escapes to code the tool does not follow (computed once)."""
    known = ctx.memo.get("escapes")
    if known is None:
        index = clients.index(ctx)
        if any(s.kind in ("openai", "unresolved") for s in index.sites.values()):
            known = ctx.memo["escapes"] = _escapes(ctx)
        else:
            # no client of this file: what resolution asks the project pass
            # on the way would have it process files again for nothing
            # (as ClientIndex.external_uses)
            saved = (index.wants_importers, index.wants_all_migrated)
            params = {k: dict(v) for k, v in index.client_params.items()}
            try:
                known = ctx.memo["escapes"] = _escapes(ctx)
            finally:
                index.wants_importers, index.wants_all_migrated = saved
                index.client_params.clear()
                index.client_params.update(params)
            out = ctx.memo[_PARAMS][0]
            if any(type(t) is tuple and any(e.pending for e in out[t]) for t in out):
                # a client of another module passed to a public function of
                # this one: which of its names other modules import settles it
                index.wants_importers = True
    return known


def escape_note(ctx: RuleContext, site: int) -> tuple[str, bool] | None:
    """What the client finding of ``site`` adds when the client escapes, and
    whether other modules are to be told its move is unsafe (None: it does
    not escape)."""
    found = escapes(ctx).get(site)
    if not found:
        return None
    lines = _lines(ctx, [e.node for e in found])
    grouped: dict[tuple[str, str], list[int]] = {}
    for e in found:
        at = grouped.setdefault((e.what, e.why), [])
        if lines[id(e.node)] not in at:
            at.append(lines[id(e.node)])
    shown = []
    for (what, why), at in grouped.items():
        where = f"line {at[0]}" if len(at) == 1 else f"lines {', '.join(map(str, at))}"
        shown.append(f"{what} ({where}){why}")
    more = f" and {len(shown) - 2} more" if len(shown) > 2 else ""
    note = (
        f"; unsafe fix: the client {', '.join(shown[:2])}{more}: the model IDs sent there "
        "may stay bare while the client moves (move them with it, then apply with "
        "--unsafe-fixes)"
    )
    return note, not all(e.pending for e in found)


def _escapes(ctx: RuleContext) -> dict[int, list[Escape]]:
    f = ctx.facts
    index = clients.index(ctx)
    mine = {sid for sid, s in index.sites.items() if s.kind in ("openai", "unresolved")}
    # module-level functions of this file whose parameters other modules pass
    # a client to (the project pass asks: ProjectInput.escape_params)
    project = ctx.project
    asked = project.escape_params if project is not None else frozenset()
    # a target: a constructor site of this file (int), "function:parameter"
    # of an asked function (str), or a client another module builds, as
    # ("ext", key of ClientIndex.external_uses): told to that module
    out: dict[Target, list[Escape]] = {}
    callees: dict[str, set[str]] = {}  # imported function -> argument keys given a site
    # "fn:param" -> (callee, key, whether the callee is of this module, call)
    forwards: dict[str, set[tuple[str, str, bool, cst.Call]]] = {}
    ctx.memo[_PARAMS] = (out, callees, forwards)
    # the clients of other modules this file passes on, once the project
    # pass has said which of the names it passes on are such clients
    external = project.escape_keys if project is not None else frozenset()
    if not mine and not asked and not external:
        return {}

    def resolved(item: cst.BaseExpression, scope: cst.CSTNode | None) -> set[Target]:
        found: set[Target] = set()
        atoms = index.resolve(item, scope)
        for a in atoms:
            if isinstance(a, int):
                if a in mine:
                    found.add(a)
            elif type(a) is tuple and a[0] == clients.PARAM:  # type: ignore[index]
                if a[1].split(":", 1)[0] in asked:  # type: ignore[index]
                    found.add(a[1])  # type: ignore[index]
        if external:
            found.update((_EXT, k) for k in clients._tag_keys(atoms) if k in external)
        return found

    def hits(value: cst.BaseExpression, scope: cst.CSTNode | None) -> set[Target]:
        found: set[Target] = set()
        for item in _items(value):
            if type(item) in clients._CARRIERS:
                found.update(resolved(item, scope))
        return found

    def methods(value: cst.BaseExpression, scope: cst.CSTNode | None) -> set[Target]:
        """The clients whose SDK resource or method ``value`` is, taken as a
        value (``client.chat.completions.create``, ``self.client.chat``)."""
        found: set[Target] = set()
        for item in _items(value):
            node = item
            while type(node) is cst.Attribute:
                inner = node.value  # type: ignore[attr-defined]
                above = node
                node = inner
                if above.attr.value in _RESOURCES and type(inner) in (cst.Name, cst.Attribute):  # type: ignore[attr-defined]
                    found.update(resolved(inner, scope))
        return found

    from codemods.python.rules.models import model_holder

    for call, q, scope, args in _handing_calls(ctx):
        if id(call) in mine:
            continue  # (a class of this file or of another SDK is a site too: not skipped)
        for position, arg in args:
            handed = methods(arg.value, scope)
            if handed:  # functools.partial(client.chat.completions.create, ...)
                what = f"has an SDK method passed to `{_callee(ctx, call)}`"
                for site in handed:
                    out.setdefault(site, []).append(Escape(call, what))
            found = hits(arg.value, scope)
            if not found:
                continue
            if q in DEFAULT_MODEL_SENDERS:
                if model_holder(ctx, call) is not None:
                    continue  # its model is checked (models.MODEL_HOLDERS)
                what = f"is passed to `{_callee(ctx, call)}`"
                why = (
                    f", which sends its default model '{DEFAULT_MODEL_SENDERS[q]}' through it "
                    "(pass it the OpenRouter ID as `model=`)"
                )
                if any(a.keyword is not None and a.keyword.value == "model" for a in call.args):
                    why = ", which sends its `model=` through it (pass the client as `client=`)"
                pending = _pending(index, call, scope)
                for target in found:
                    out.setdefault(target, []).append(Escape(call, what, why, pending))
                continue
            key = arg.keyword.value if arg.keyword is not None else str(position)
            sites = {t for t in found if not isinstance(t, str)}
            params = {t for t in found if isinstance(t, str)}
            what = f"is passed to `{_callee(ctx, call)}`"
            pending = _pending(index, call, scope)
            imported = _imported_function(index, call, arg, scope)
            if imported is not None:
                # a function of another module: what it does with the
                # parameter is told by the project pass (plan_param_escapes)
                if sites:
                    callees.setdefault(imported, set()).add(key)
                for target in params:
                    forwards.setdefault(target, set()).add((imported, key, False, call))
                for said, why in _told(project, imported, key, what):
                    for site in sites:
                        if type(site) is tuple and why != Escape.why:
                            # told to the module that builds it: a place
                            # named from here would be named from the wrong
                            # directory there (this file's finding names it)
                            why = ", which hands it on to code the tool cannot check"
                        out.setdefault(site, []).append(Escape(call, said, why))
                continue
            own = _own_function(index, call, arg, scope)
            for target in params:
                if own is not None:  # followed by the project pass, like another module's
                    forwards.setdefault(target, set()).add((own, key, True, call))
                else:
                    out.setdefault(target, []).append(Escape(call, what))
            if not sites or _followed(index, call, arg, position, scope, sites):
                continue
            for site in sites:
                out.setdefault(site, []).append(Escape(call, what, Escape.why, pending))
    # stored where the resolver does not look: in a container, on an object
    # other than ``self``
    for (_, key), values in f.bindings.items():
        foreign = "." in key and not key.startswith(("self.", "cls."))
        for v in values:
            if v is None:
                continue
            aliased = methods(v, index._scope_of_value(v, None)) if type(v) is cst.Attribute else ()
            for site in aliased:  # create = client.chat.completions.create
                what = f"has an SDK method bound to `{key}`"
                out.setdefault(site, []).append(
                    Escape(v, what, ", whose calls the tool does not follow")
                )
            if not foreign and type(v) not in _CONTAINERS:
                continue
            found = hits(v, index._scope_of_value(v, None))
            if not found:
                continue
            what = f"is stored in `{key}`" if foreign else f"is put in a container (`{key}`)"
            why = ", where the tool does not follow it"
            for site in found:
                out.setdefault(site, []).append(Escape(v, what, why))
    # stored under a key or an index: ``registry[name] = client``
    for sub in f.subscripts:
        target = f.parents.get(id(sub))
        assign = f.parents.get(id(target)) if type(target) is cst.AssignTarget else None
        if type(assign) is not cst.Assign:
            continue
        value = assign.value  # type: ignore[union-attr]
        found = hits(value, index._scope_of_value(value, None))
        if not found:
            continue
        what = f"is stored in `{_shown(ctx, sub.value)}[...]`"
        for site in found:
            out.setdefault(site, []).append(
                Escape(assign, what, ", where the tool does not follow it")  # type: ignore[arg-type]
            )
    # iterated over or indexed inside a container literal, in place: ``for c
    # in (primary, backup)``, ``[client][0]``; the resolver does not take a
    # client out of a container (one bound, passed or returned is above)
    for uses in f.name_uses.values():
        for use in uses:
            element = f.parents.get(id(use))
            if type(element) not in (cst.Element, cst.DictElement) or element.value is not use:  # type: ignore[union-attr]
                continue
            container = f.parents.get(id(element))
            holder = f.parents.get(id(container))
            while type(container) in _CONTAINERS and type(holder) in (cst.Element, cst.DictElement):
                container = f.parents.get(id(holder))
                holder = f.parents.get(id(container))
            if type(container) not in _CONTAINERS:
                continue
            if type(holder) in (cst.For, cst.CompFor):
                if holder.iter is not container:  # type: ignore[union-attr]
                    continue
                what = "is iterated over in a container"
            elif type(holder) is cst.Subscript and holder.value is container:  # type: ignore[union-attr]
                what = "is taken out of a container by an index"
            else:
                continue
            found = hits(use, index._scope_of_value(use, None))
            for site in found:
                out.setdefault(site, []).append(
                    Escape(container, what, ", where the tool does not follow it")  # type: ignore[arg-type]
                )
    # returned (or yielded) inside a container: ``return [client]``,
    # ``return {"client": client}``; the resolver follows a returned client,
    # not one taken out of a container
    functions = index._functions_by_id()
    for fn_id, values in f.returns.items():
        fn = functions.get(fn_id)
        if fn is None:
            continue
        for v in values:
            if v is None or type(v) not in _CONTAINERS:
                continue
            found = hits(v, fn)
            if not found:
                continue
            what = f"is returned in a container by `{fn.name.value}`"
            for site in found:
                out.setdefault(site, []).append(
                    Escape(v, what, ", where the tool does not follow it")
                )
    # the attribute holding a client reached by reflection: read, written or
    # deleted by name (``getattr(h, "client")``, ``vars(h)["client"]``,
    # ``self.__dict__["client"] = ...``, ``setattr(self, name, value)``):
    # the resolver does not follow such an access, so what is sent through
    # it, or what replaces the client, is not seen
    for node, sites, shown in _reflective(ctx, mine, hits):
        what = f"is reached by reflection (`{shown}`)"
        for site in sites:
            out.setdefault(site, []).append(Escape(node, what, ", which the tool does not follow"))
    # held by a module-level instance of a class of this file that another
    # module imports (``bot = Holder()``, then ``from holder import bot``):
    # what it reads of the instance there (``bot.client.chat...``) is not
    # followed back to the client
    for name, value, attr, sites in _instances_holding(ctx, mine, hits):
        project = ctx.project
        if project is None or project.module is None:
            index.wants_importers = True  # which names other modules import settles it
            continue
        if name not in project.imported_names and not project.imported_whole:
            continue
        what = f"is held by `{name}.{attr}`, and another module of the run imports `{name}`"
        for site in sites:
            out.setdefault(site, []).append(
                Escape(value, what, ", where the tool does not follow what it reads of it")
            )
    # held by ``self.client`` of a class of this file that another module
    # imports and reads ``.client`` off (``from holder import Holder``, then
    # ``Holder().client.chat...`` or ``h = Holder(); h.client.files...``):
    # what it sends there is not followed back to the client
    for cls, attr, sites in _classes_holding(ctx, mine):
        project = ctx.project
        if project is None or project.module is None:
            index.wants_importers = True  # which names other modules import settles it
            continue
        name = cls.name.value
        if name not in project.imported_names and not project.imported_whole:
            continue
        if attr not in project.imported_attributes and "*" not in project.imported_attributes:
            continue
        what = (
            f"is held by `{name}.{attr}`, and another module of the run imports `{name}` "
            f"and reads `.{attr}` off an instance"
        )
        for site in sites:
            out.setdefault(site, []).append(
                Escape(cls.name, what, ", where the tool does not follow what it sends through it")
            )
    # returned by a function a decorator the tool does not read replaces
    # (``@cache_client def get_client(): return OpenAI()``): the wrapper
    # gets the client and hands back what it likes; the resolver does not
    # take the client out of such a call (ClientIndex._returns)
    for fn_id, values in f.returns.items():
        fn = functions.get(fn_id)
        if fn is None:
            continue
        opaque = clients.opaque_decorators(f, fn)
        if not opaque:
            continue
        found = set()
        for v in values:
            if v is not None:
                found |= hits(v, fn)
        shown = redact_text(" ".join(ctx.module.code_for_node(opaque[0].decorator).split()))
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        what = f"is returned by `{fn.name.value}`, which the decorator `@{shown}` wraps"
        for site in found:
            out.setdefault(site, []).append(
                Escape(opaque[0], what, ", whose code the tool does not follow")  # type: ignore[arg-type]
            )
    return {t: e for t, e in out.items() if isinstance(t, int)}


def _instances_holding(
    ctx: RuleContext, mine: set[int], hits: Any
) -> list[tuple[str, cst.BaseExpression, str, set[int]]]:
    """Module-level names bound to an instance of a class of this file whose
    attribute holds a client of this file: (name, the value, the attribute,
    the clients)."""
    f = ctx.facts
    if not mine or not f.local_classes:
        return []
    index = clients.index(ctx)
    attrs = sorted(
        {
            key.split(".", 1)[1]
            for (scope, key) in f.bindings
            if scope != 0 and key.startswith("self.") and key.count(".") == 1
        }
    )
    out = []
    for (scope, name), values in f.bindings.items():
        if scope != 0 or "." in name:
            continue
        for v in values:
            if type(v) is not cst.Call:
                continue
            cls = index._class_named(v.func)  # type: ignore[attr-defined]
            if cls is None:
                continue
            for attr in attrs:
                atoms = index._resolve_class_attribute(cls, "self." + attr)
                sites = {a for a in atoms if isinstance(a, int) and a in mine}
                if sites:
                    out.append((name, v, attr, sites))
    return out


def _classes_holding(ctx: RuleContext, mine: set[int]) -> list[tuple[cst.ClassDef, str, set[int]]]:
    """Module-level classes of this file whose ``self.<attr>`` holds a
    client of this file: (the class, the attribute, the clients)."""
    f = ctx.facts
    if not mine or not f.local_classes:
        return []
    index = clients.index(ctx)
    out = []
    for cls in f.classes:
        if f.scope_of.get(id(cls)) is not None or cls.name.value.startswith("_"):
            continue
        attrs = sorted(
            {
                key.split(".", 1)[1]
                for (scope, key) in f.bindings
                if scope == id(cls) and key.startswith("self.") and key.count(".") == 1
            }
        )
        for attr in attrs:
            atoms = index._resolve_class_attribute(cls, "self." + attr)
            sites = {a for a in atoms if isinstance(a, int) and a in mine}
            if sites:
                out.append((cls, attr, sites))
    return out


_REFLECTION = frozenset({"getattr", "setattr", "delattr"})
_MAPPING_READS = frozenset({"get", "pop", "setdefault", "__getitem__", "__setitem__"})


def _reflective(
    ctx: RuleContext, mine: set[int], hits: Any
) -> list[tuple[cst.CSTNode, set[int], str]]:
    """The reflective accesses of the file to an attribute (or module-level
    name) that holds a client of this file: (node, the clients, the access
    as shown in a finding)."""
    f = ctx.facts
    index = clients.index(ctx)
    if not mine or not (
        any(n in f.name_uses for n in ("getattr", "setattr", "delattr", "vars", "globals"))
        or f.attribute_uses.get("__dict__")
        or f.attribute_uses.get("attrgetter")
        or "attrgetter" in f.name_uses
    ):
        return []
    # attribute or name -> the clients it holds; class -> its attributes' clients
    held: dict[str, set[int]] = {}
    by_class: dict[int, set[int]] = {}
    for (scope, key), values in f.bindings.items():
        if key.startswith(("self.", "cls.")):
            name = key.split(".", 1)[1]
            if "." in name:
                continue
        elif scope == 0 and "." not in key:
            name = key
        else:
            continue
        found: set[int] = set()
        for v in values:
            if v is not None:
                found |= {t for t in hits(v, index._scope_of_value(v, None)) if isinstance(t, int)}
        if found:
            held.setdefault(name, set()).update(found)
            if scope != 0:
                by_class.setdefault(scope, set()).update(found)
    if not held:
        return []

    def builtin(node: cst.BaseExpression, names: frozenset[str] | set[str]) -> str | None:
        if type(node) is cst.Name and node.value in names and not f.is_bound(node.value):  # type: ignore[attr-defined]
            return node.value  # type: ignore[attr-defined,no-any-return]
        return None

    def of_self(obj: cst.BaseExpression, node: cst.CSTNode) -> set[int]:
        """The clients of the class whose ``self``/``cls`` ``obj`` is."""
        if type(obj) is not cst.Name or obj.value not in ("self", "cls"):  # type: ignore[attr-defined]
            return set()
        cls = index._class_of(index._scope_of_value(node, None))  # type: ignore[arg-type]
        return set(by_class.get(id(cls), ())) if cls is not None else set()

    def namespace(expr: cst.BaseExpression) -> cst.BaseExpression | None:
        """``vars(x)`` / ``x.__dict__`` -> x; ``globals()`` -> itself."""
        if type(expr) is cst.Attribute and expr.attr.value == "__dict__":  # type: ignore[attr-defined]
            return expr.value  # type: ignore[attr-defined,no-any-return]
        if type(expr) is cst.Call and builtin(expr.func, {"vars", "globals"}):  # type: ignore[attr-defined]
            args = expr.args  # type: ignore[attr-defined]
            return args[0].value if args else expr
        return None

    def shown(node: cst.CSTNode) -> str:
        """The access as written, without the value it stores (which may
        be a client built with a key): ``setattr(h, "client", ...)``."""
        if type(node) is cst.Call and len(node.args) > 2:  # type: ignore[attr-defined]
            code = ctx.module.code_for_node
            first, second = node.args[0].value, node.args[1].value  # type: ignore[attr-defined]
            text = f"{code(node.func)}({code(first)}, {code(second)}, ...)"  # type: ignore[attr-defined]
        else:
            text = ctx.module.code_for_node(node)
        text = redact_text(" ".join(text.split()))
        return text if len(text) <= 50 else text[:47] + "..."

    out: list[tuple[cst.CSTNode, set[int], str]] = []
    for call in f.calls:
        func = call.func
        args = call.args
        if builtin(func, _REFLECTION) and len(args) >= 2 and not args[0].star:
            cls = index._class_of(index._scope_of_value(call, None))
            if clients.own_getattr(f, call, cls) is not None:
                continue  # ``getattr(self, "client", None)`` in its own class: ``self.client``
            name = clients._string(args[1].value)
            sites = held.get(name, set()) if name is not None else set()
            if name is None and func.value != "getattr":  # type: ignore[attr-defined]
                sites = of_self(args[0].value, call)  # ``setattr(self, key, value)``
            if sites:
                out.append((call, sites, shown(call)))
            continue
        if (
            (f.qualified(func) == "operator.attrgetter")
            and args
            and clients._string(args[0].value) in held
        ):
            out.append((call, held[clients._string(args[0].value)], shown(call)))  # type: ignore[index]
            continue
        if type(func) is cst.Attribute:
            owner = namespace(func.value)  # type: ignore[attr-defined]
            if owner is None:
                continue
            method = func.attr.value  # type: ignore[attr-defined]
            name = clients._string(args[0].value) if args else None
            if method in _MAPPING_READS and name is not None:
                sites = held.get(name, set())
            elif method in ("update", "clear", "popitem", "__setitem__", "__delitem__"):
                sites = of_self(owner, call) or (
                    set().union(*held.values()) if owner is not func.value else set()  # type: ignore[attr-defined]
                )
            else:
                continue
            if sites:
                out.append((call, sites, shown(call)))
    for sub in f.subscripts:
        owner = namespace(sub.value)
        if owner is None or len(sub.slice) != 1 or not isinstance(sub.slice[0].slice, cst.Index):
            continue
        name = clients._string(sub.slice[0].slice.value)
        if name is not None:
            sites = held.get(name, set())
        else:
            # ``self.__dict__[key] = value``: any attribute of the class
            target = f.parents.get(id(sub))
            written = type(target) is cst.AssignTarget
            sites = of_self(owner, sub) if written else set()
        if sites:
            out.append((sub, sites, shown(sub)))
    return out


def _handing_calls(
    ctx: RuleContext,
) -> list[tuple[cst.Call, str | None, cst.CSTNode | None, list[tuple[int | None, cst.Arg]]]]:
    """The calls of the file that may hand a client to code the tool does not
    follow (:func:`_escapes`), with their qualified name, scope and arguments
    (:func:`_positions`). Only the facts decide it, so it is computed once
    per file (``ModuleFacts.node_memo``), not once per analysis: the rules
    run on the same facts up to four times (the engine's second pass, the
    analysis ahead)."""
    from codemods.python.rules.unsupported import classify_use

    f = ctx.facts
    known = f.node_memo.get(_HANDING)
    if known is not None:
        return known  # type: ignore[no-any-return]
    out = []
    for call in f.calls:
        if not call.args:
            continue
        q = f.qualified(call.func)
        if q in clients.WRAPPERS or q in MODELLED or q in _NO_REQUESTS:
            continue
        if q is None and dotted_name(call.func) == "monkeypatch.setattr":
            continue  # pytest's fixture replacing a method in a test
        if type(call.func) is cst.Name and clients.own_getattr(f, call, _class_around(f, call)):
            continue  # ``getattr(self, "client", default)``: the resolver follows the default
        if q in _INSTRUCTIONS and not _dispatches(ctx):
            continue
        func = call.func
        if type(func) is cst.Name and func.value in _HARMLESS:  # type: ignore[attr-defined]
            if func.value not in f.other_bindings and func.value not in f.imports:  # type: ignore[attr-defined]
                continue
        if classify_use(ctx, call) is not None:
            continue  # an SDK call: its arguments are request data
        out.append((call, q, f.scope_of.get(id(call)), _positions(call)))
    f.node_memo[_HANDING] = out
    return out


def _class_around(f: ModuleFacts, node: cst.CSTNode) -> cst.ClassDef | None:
    """The class whose method (or body) ``node`` is in, from the facts."""
    scope = f.scope_of.get(id(node))
    while scope is not None and type(scope) is not cst.ClassDef:
        scope = f.scope_of.get(id(scope))
    return scope  # type: ignore[return-value]


_HANDING = ("escapes.handing_calls", 0)  # ModuleFacts.node_memo: _handing_calls


def _shown(ctx: RuleContext, node: cst.BaseExpression) -> str:
    text = dotted_name(node) or ctx.module.code_for_node(node)
    return text if len(text) <= 40 else text[:37] + "..."


_PARAMS = "escapes.params"  # ctx.memo: what _escapes found for the project pass
_EXT = "ext"
_SPLIT = "\x00"  # in a FACT_ESCAPE's detail: between what and why
Target = Union[int, str, tuple[str, str]]


def project_summary(
    ctx: RuleContext,
) -> (
    tuple[
        dict[str, list[str]],
        dict[str, Any],
        dict[str, Any],
        dict[str, list[Any]],
        dict[str, list[tuple[str, int, str]]],
    ]
    | None
):
    """This file's part of the project pass's escape analysis (None: none):

    - the functions of other modules a client of this file is passed to:
      imported name -> argument keys ("0", "1"..., a keyword);
    - where the parameters of the functions other modules ask about
      (``ProjectInput.escape_params``) escape: function -> parameter ->
      [line, what, why] per place, and the functions they are passed on to:
      function -> parameter -> [callee, key, whether it is of this module,
      line];
    - those functions' parameters: function -> [positional names, keyword-only
      names, whether it takes ``*args``/``**kwargs``] (a function not listed
      is not a module-level function here);
    - the clients of other modules that escape here (``FACT_ESCAPE``, as
      :meth:`ClientIndex.external_facts`)."""
    project = ctx.project
    asked = project.escape_params if project is not None else frozenset()
    if _PARAMS not in ctx.memo and not asked and not (project and project.escape_keys):
        if ctx.memo.get("clients") is None:
            return None  # no client resolved here
        sites = clients.index(ctx).sites.values()
        if not any(s.kind in ("openai", "unresolved") for s in sites):
            return None
    escapes(ctx)
    out, callees, forwards = ctx.memo[_PARAMS]
    external = [t for t in out if type(t) is tuple]
    targets = [t for t in out if isinstance(t, str)]
    nodes: list[cst.CSTNode] = [e.node for t in targets + external for e in out[t]]
    nodes += [row[3] for rows in forwards.values() for row in rows]
    bare = _bare_params(ctx, asked)
    nodes += [node for _, _, node, _ in bare]
    lines = _lines(ctx, nodes)
    found: dict[str, dict[str, list[list[Any]]]] = {}
    for t in sorted(targets):
        fn, param = t.split(":", 1)
        rows = {(lines[id(e.node)], e.what, e.why) for e in out[t]}
        found.setdefault(fn, {})[param] = [list(r) for r in sorted(rows)]
    if bare:
        from codemods.core.suppress import Suppressions

        comments = Suppressions.from_source(ctx.data(), ctx.module.encoding)
    for fn, param, node, code in bare:
        if comments.suppresses(code, lines[id(node)], lines[id(node)]):
            continue  # a noqa comment on the ID's line accepts it as it is
        shown = ctx.module.code_for_node(node)
        row = [
            lines[id(node)],
            f"is sent {shown if len(shown) <= 40 else shown[:37] + '...'}",
            f", a model ID that cannot move ({code}): moved, the client would send it to "
            "OpenRouter, which rejects it",
        ]
        rows = found.setdefault(fn, {}).setdefault(param, [])
        if row not in rows:
            rows.append(row)
            rows.sort()
    passed: dict[str, dict[str, list[list[Any]]]] = {}
    for t, rows in sorted(forwards.items()):
        fn, param = t.split(":", 1)
        shown = {(callee, key, own, lines[id(call)]) for callee, key, own, call in rows}
        passed.setdefault(fn, {})[param] = [list(r) for r in sorted(shown)]
    f = ctx.facts
    functions: dict[str, list[Any]] = {}
    for name in sorted(asked):
        fn = f.module_functions.get(name)
        if fn is None or f.assignment_counts.get(name, 0) != 1:
            continue
        p = fn.params
        positional = [x.name.value for x in (*p.posonly_params, *p.params)]
        keyword = [x.name.value for x in p.kwonly_params]
        variadic = isinstance(p.star_arg, cst.Param) or p.star_kwarg is not None
        functions[name] = [positional, keyword, variadic]
    # a client of another module escaping here: decides its move there
    facts: dict[str, list[tuple[str, int, str]]] = {}
    for t in external:
        for e in out[t]:
            if e.pending:
                continue  # not known yet: the project pass has not said
            fact = (clients.FACT_ESCAPE, lines[id(e.node)], f"{e.what}{_SPLIT}{e.why}")
            if fact not in facts.setdefault(t[1], []):  # type: ignore[index]
                facts[t[1]].append(fact)  # type: ignore[index]
    return {k: sorted(v) for k, v in callees.items()}, found, passed, functions, facts


def _bare_params(
    ctx: RuleContext, asked: frozenset[str]
) -> list[tuple[str, str, cst.CSTNode, str]]:
    """For the functions other modules pass a client to (``asked``): the
    model IDs sent through that parameter that cannot move (models.PARAM_BARE):
    (function, parameter, the ID's node, its finding's code). The caller's
    client cannot move while they are sent through it."""
    from codemods.python.rules.models import PARAM_BARE

    bare = ctx.memo.get(PARAM_BARE)
    if not bare or not asked:
        return []
    f = ctx.facts
    out = []
    for name in sorted(asked):
        fn = f.module_functions.get(name)
        if fn is None or f.assignment_counts.get(name, 0) != 1:
            continue
        for (def_id, param), sent in bare.items():
            if def_id == id(fn):
                out += [(name, param, node, code) for node, code in sent]
    return out


def _told(project: ProjectInput | None, local: str, key: str, what: str) -> list[tuple[str, str]]:
    """The escapes the project pass found for a client passed as ``key`` to
    ``local``, a function imported from another module: (what, why) per
    place. Until it has said (and with no project pass), none: the function
    is taken to be one the tool follows."""
    if project is None or not project.callees_told:
        return []
    if local not in project.callees_known:
        return [(what, Escape.why)]  # not a function of a module of the run
    return [
        (what, f", where it {w} ({where}){y}")
        for name, k, where, w, y in project.callee_escapes
        if name == local and k == key
    ]


def _imported_function(
    index: clients.ClientIndex, call: cst.Call, arg: cst.Arg, scope: cst.CSTNode | None
) -> str | None:
    """The name as written here of the function of another module ``call``
    calls, when ``arg`` reaches one of its parameters as it is: an imported
    name (``ask`` after ``from a import ask``), or a function read off a
    module imported whole (``a.ask`` after ``import a``, ``from pkg import
    a``, ``import pkg.a as a``; ``pkg.a.ask`` after ``import pkg.a``), as
    :meth:`ClientIndex.call_args` names it. See _project_function."""
    func = call.func
    if arg.star or type(arg.value) in _CONTAINERS:
        return None
    if type(func) is cst.Attribute:
        name = dotted_name(func)
        return name if name is not None and _whole_module_function(index, name, scope) else None
    if type(func) is not cst.Name:
        return None
    name = func.value  # type: ignore[attr-defined]
    if index._function_named(name, None) is not None:
        return None
    return name if _project_function(index, name) else None


def _own_function(
    index: clients.ClientIndex, call: cst.Call, arg: cst.Arg, scope: cst.CSTNode | None
) -> str | None:
    """The module-level function of this file ``call`` calls, when ``arg``
    reaches one of its parameters as it is."""
    func = call.func
    if arg.star or type(arg.value) in _CONTAINERS or type(func) is not cst.Name:
        return None
    fn = index._function_named(func.value, scope)  # type: ignore[attr-defined]
    return fn.name.value if fn is not None else None


def _dispatches(ctx: RuleContext) -> bool:
    """Does a ``.distil(...)`` call of this file dispatch (``mode="dispatch"``,
    or a mode the tool cannot read)?"""
    for call in ctx.facts.calls:
        func = call.func
        if type(func) is not cst.Attribute or func.attr.value != "distil":  # type: ignore[attr-defined]
            continue
        for a in call.args:
            if a.star:
                return True
            if a.keyword is not None and a.keyword.value == "mode":
                value = a.value
                if type(value) is not cst.SimpleString or "dispatch" in value.value:  # type: ignore[attr-defined]
                    return True
    return False


def _items(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    """``value``, or the elements (and dict values) of a container, nested."""
    if type(value) in (cst.List, cst.Tuple, cst.Set):
        out: list[cst.BaseExpression] = []
        for e in value.elements:  # type: ignore[attr-defined]
            out += _items(e.value)
        return out
    if type(value) is cst.Dict:
        out = []
        for e in value.elements:  # type: ignore[attr-defined]
            out += _items(e.value)
        return out
    return [value]


def _positions(call: cst.Call) -> list[tuple[int | None, cst.Arg]]:
    """Each argument with its positional index (None: keyword or star)."""
    out: list[tuple[int | None, cst.Arg]] = []
    n = 0
    for a in call.args:
        if a.keyword is None and not a.star:
            out.append((n, a))
            n += 1
        else:
            out.append((None, a))
    return out


def _followed(
    index: clients.ClientIndex,
    call: cst.Call,
    arg: cst.Arg,
    position: int | None,
    scope: cst.CSTNode | None,
    sites: set[Target],
) -> bool:
    """Does the resolver follow ``arg`` into the function ``call`` calls,
    to these sites (a function of this module whose parameter resolves to
    them: the SDK calls made through it are checked with this client)?"""
    if arg.star or type(arg.value) in _CONTAINERS:
        return False  # a container: the function takes the client out of it
    func = call.func
    if type(func) is not cst.Name:
        return False
    name = func.value  # type: ignore[attr-defined]
    fn = index._function_named(name, scope)
    if fn is None:
        return False  # (another module's function: _imported_function)
    param = _bound_param(fn, arg, position)
    if param is None:
        return False
    resolved = frozenset(index._resolve_param(fn, param))
    known: set[Target] = {a for a in resolved if isinstance(a, int)}
    known.update((_EXT, key) for key in clients._tag_keys(resolved))
    return sites <= known


def _pending(index: clients.ClientIndex, call: cst.Call, scope: cst.CSTNode | None) -> bool:
    """Is ``call`` one of a public function of this module whose other
    callers the project pass has not reported yet (its first round)?"""
    func = call.func
    if type(func) is not cst.Name or func.value.startswith("_"):  # type: ignore[attr-defined]
        return False
    if index._function_named(func.value, scope) is None:  # type: ignore[attr-defined]
        return False
    project = index.ctx.project
    return project is None or project.module is None


def _project_function(index: clients.ClientIndex, name: str) -> bool:
    """A function imported from another module (``from helpers import
    summarize``): the project pass tells that module what each call passes
    (``ClientIndex.call_args``), and it checks the SDK calls made through
    the parameter with this client. Not so for a class (a capitalised name:
    its ``__init__``'s parameters are not resolved) nor for a function of a
    library the tool knows sends requests of its own (:data:`_LIBRARIES`)."""
    f = index.ctx.facts
    if name not in f.from_imports or f.assignment_counts.get(name, 0) != 0:
        return False
    if name[:1].isupper():
        return False
    targets = f.imports.get(name, set())
    return not any(t.lstrip(".").split(".", 1)[0] in _LIBRARIES for t in targets)


def _whole_module_function(
    index: clients.ClientIndex, name: str, scope: cst.CSTNode | None
) -> bool:
    """``name`` (``a.ask``) is a function read off a module imported whole
    that may be a module of the run (the project pass says whether it is,
    and where the parameter escapes there), not a class nor a function of a
    library the tool knows sends requests of its own, and not shadowed by a
    local of the same name."""
    if index._heads is None:
        index._heads = clients._import_heads(index.ctx.facts)
    module = clients.whole_module_of(index._heads, name)
    if module is None or index._shadowed(name, scope):
        return False
    if name.rsplit(".", 1)[1][:1].isupper():
        return False
    targets = index.ctx.facts.imports.get(name.split(".", 1)[0], set())
    roots = {module.split(".", 1)[0], *(t.lstrip(".").split(".", 1)[0] for t in targets)}
    return not roots & _LIBRARIES


def _bound_param(fn: cst.FunctionDef, arg: cst.Arg, position: int | None) -> cst.Param | None:
    p = fn.params
    if arg.keyword is not None:
        name = arg.keyword.value
        for param in (*p.params, *p.kwonly_params):
            if param.name.value == name:
                return param
        return None
    positional = [*p.posonly_params, *p.params]
    if position is not None and position < len(positional):
        return positional[position]
    return None


def _callee(ctx: RuleContext, call: cst.Call) -> str:
    name = dotted_name(call.func)
    if name is None:
        name = ctx.module.code_for_node(call.func)
    return name if len(name) <= 50 else name[:47] + "..."


def _lines(ctx: RuleContext, nodes: list[cst.CSTNode]) -> dict[int, int]:
    from codemods.python.engine import _Positions

    if not nodes:
        return {}  # (the positions of a module are not free)

    module = ctx.module
    positions = _Positions(
        module, ctx.data(), list(nodes), [], ctx.facts.parents, ctx.facts.node_memo
    )
    return {id(n): positions.range(n)[0][0] for n in nodes}
