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
from typing import TYPE_CHECKING

import libcst as cst

from codemods.python import clients
from codemods.python.analysis import dotted_name

if TYPE_CHECKING:
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
# calls that take a client and send no request through it (instrumentation)
_NO_REQUESTS = frozenset({"logfire.instrument_openai"})
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
# sends requests the tool does not see
_RESOURCES = frozenset(
    {
        "chat",
        "completions",
        "responses",
        "embeddings",
        "images",
        "audio",
        "moderations",
        "beta",
        "files",
        "batches",
        "models",
        "fine_tuning",
        "uploads",
        "vector_stores",
        "assistants",
        "threads",
        "realtime",
        "containers",
        "conversations",
        "evals",
        "videos",
        "with_raw_response",
        "with_streaming_response",
    }
)


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
        known = ctx.memo["escapes"] = _escapes(ctx)
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
    out: dict[int, list[Escape]] = {}
    if not mine:
        return out

    def resolved(item: cst.BaseExpression, scope: cst.CSTNode | None) -> set[int]:
        atoms = index.resolve(item, scope)
        return {a for a in atoms if isinstance(a, int) and a in mine}

    def hits(value: cst.BaseExpression, scope: cst.CSTNode | None) -> set[int]:
        found: set[int] = set()
        for item in _items(value):
            if type(item) in clients._CARRIERS:
                found.update(resolved(item, scope))
        return found

    def methods(value: cst.BaseExpression, scope: cst.CSTNode | None) -> set[int]:
        """The clients whose SDK resource or method ``value`` is, taken as a
        value (``client.chat.completions.create``, ``self.client.chat``)."""
        found: set[int] = set()
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
    from codemods.python.rules.unsupported import classify_use

    for call in f.calls:
        if id(call) in mine or not call.args:
            continue  # (a class of this file or of another SDK is a site too: not skipped)
        q = f.qualified(call.func)
        if q in clients.WRAPPERS or q in MODELLED or q in _NO_REQUESTS:
            continue
        if q in _INSTRUCTIONS and not _dispatches(ctx):
            continue
        func = call.func
        if type(func) is cst.Name and func.value in _HARMLESS:  # type: ignore[attr-defined]
            if func.value not in f.other_bindings and func.value not in f.imports:  # type: ignore[attr-defined]
                continue
        if classify_use(ctx, call) is not None:
            continue  # an SDK call: its arguments are request data
        scope = f.scope_of.get(id(call))
        for position, arg in _positions(call):
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
            else:
                if _followed(index, call, arg, position, scope, found):
                    continue
                what = f"is passed to `{_callee(ctx, call)}`"
                why = Escape.why
            pending = _pending(index, call, scope)
            for site in found:
                out.setdefault(site, []).append(Escape(call, what, why, pending))
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
    # returned in a container (``return OpenAI(), "gpt-4o"``): whoever takes
    # it apart (``client, model = make()``) is not followed to this client
    functions = index._functions_by_id()
    for fn_id, values in f.returns.items():
        fn = functions.get(fn_id)
        for v in values:
            if v is None or type(v) not in _CONTAINERS:
                continue
            found = hits(v, fn)
            name = fn.name.value if fn is not None else "a function"
            for site in found:
                out.setdefault(site, []).append(
                    Escape(
                        v,
                        f"is returned in a container by `{name}`",
                        ", where the tool does not follow it",
                    )
                )
    return out


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
    sites: set[int],
) -> bool:
    """Does the resolver follow ``arg`` into the function ``call`` calls,
    to these sites (a function of this module whose parameter resolves to
    them: the SDK calls made through it are checked with this client)?"""
    if arg.star:
        return False
    func = call.func
    if type(func) is not cst.Name:
        return False
    name = func.value  # type: ignore[attr-defined]
    fn = index._function_named(name, scope)
    if fn is None:
        return _project_function(index, name)
    param = _bound_param(fn, arg, position)
    if param is None:
        return False
    resolved = index._resolve_param(fn, param)
    return sites <= {a for a in resolved if isinstance(a, int)}


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

    module = ctx.module
    positions = _Positions(module, module.bytes, list(nodes), [], ctx.facts.parents)
    return {id(n): positions.range(n)[0][0] for n in nodes}
