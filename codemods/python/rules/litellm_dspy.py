"""OR441-OR449: LiteLLM and DSPy model strings.

LiteLLM picks the provider from the model string: ``"gpt-4o"`` and
``"openai/gpt-4o"`` go to OpenAI, ``"openrouter/openai/gpt-4o"`` to
OpenRouter (``litellm/main.py``: base URL ``api_base`` or ``litellm.api_base``
or ``$OPENROUTER_API_BASE`` or ``https://openrouter.ai/api/v1``; key
``api_key`` or ``litellm.api_key`` or ``litellm.openrouter_key`` or
``$OPENROUTER_API_KEY``; attribution headers from ``$OR_SITE_URL`` and
``$OR_APP_NAME``, else ``https://litellm.ai`` and ``liteLLM``). DSPy's
``dspy.LM(model)`` takes a LiteLLM model string (DSPy 3.4 routes it through
its own lm15 engine, which maps ``openrouter/<id>`` to its OpenRouter
provider, ``openrouter:<id>``, with ``$OPENROUTER_API_KEY``; or, with
``engine="litellm"``, through LiteLLM).

There is no client object: each call is the unit that moves. A model string
that reaches ``model=`` of such a call (literal, or followed through
constants, class attributes, parameters... with the SDK's data flow,
:mod:`codemods.python.rules.dataflow`) is rewritten to ``openrouter/<OpenRouter
ID>``. A constant imported from another module of the run is rewritten
there when every read of it in the run is such a call's model
(codemods/python/project.py: plan_litellm_constants); one also sent to an SDK
call needs two strings and is reported. Here the ``openrouter/`` prefix is right: OR207, which rejects it for
the OpenAI SDK, never looks at these calls (they are not SDK calls).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import libcst as cst

from codemods.core.findings import Severity
from codemods.core.mapping import LookupKind
from codemods.core.rules import rule
from codemods.python.analysis import attribute_chain
from codemods.python.project import Export
from codemods.python.rules._edit import replace_string
from codemods.python.rules.base import REFS, RuleContext, checker
from codemods.python.rules.client import string_value
from codemods.python.rules.dataflow import (
    Flow,
    Holder,
    Resolver,
    Sink,
    blocked_holder,
    export_sink,
    short_code,
)

# the LiteLLM functions that take a model string, and the position of
# ``model`` when it is passed positionally (None: keyword only)
LITELLM_FUNCTIONS: dict[str, int | None] = {
    "litellm.completion": 0,
    "litellm.acompletion": 0,
    "litellm.embedding": 0,
    "litellm.aembedding": None,  # (*args, **kwargs)
    "litellm.text_completion": 1,
    "litellm.atext_completion": None,
    "litellm.responses": 1,
    "litellm.aresponses": 1,
}
DSPY_LM = "dspy.LM"
ROUTER = "litellm.Router"
# keyword arguments (and ``litellm_params`` keys) that give the call its own
# key, endpoint or provider: the call is not moved by its model string alone
OWN_ENDPOINT = ("api_key", "api_base", "base_url", "custom_llm_provider")
# module attributes of litellm that every call reads before the environment
# (``litellm.api_key`` comes before $OPENROUTER_API_KEY)
LITELLM_GLOBALS = ("api_key", "api_base", "openrouter_key", "headers")
# ctx.memo keys: the file sets ``litellm.<setting> = ...``, and
# whether it has LiteLLM/DSPy calls (what the project pass is told)
LITELLM_GLOBAL_LINES = "litellm_global_lines"
LITELLM_CALLS = "litellm_calls"
# imported name -> ids of its reads as a moving call's model; the exported
# names whose definition this file follows (ModuleSummary.litellm_uses,
# litellm_handled)
LITELLM_USES = "litellm_uses"
LITELLM_HANDLED = "litellm_handled"
# LiteLLM providers that are OpenAI's API: ``openai/gpt-4o``
OPENAI_PROVIDERS = ("openai/", "text-completion-openai/")
PREFIX = "openrouter/"

MODEL = rule(
    code="OR441",
    name="litellm-model-to-openrouter",
    summary="LiteLLM/DSPy model string sent to OpenAI: route it through OpenRouter",
    severity=Severity.ERROR,
    fixable=True,
    what="""
        Rewrites a model string that LiteLLM sends to OpenAI (`"gpt-4o"`,
        `"openai/gpt-4o"`) into LiteLLM's OpenRouter form
        `"openrouter/openai/gpt-4o"`, where it reaches `model` of
        `litellm.completion`, `acompletion`, `embedding`, `aembedding`,
        `text_completion`, `atext_completion`, `responses`, `aresponses`,
        the `litellm_params` `"model"` of a `litellm.Router(model_list=[...])`
        entry, or `dspy.LM(...)`. The string is followed like the SDK's
        `model=` (OR201): module constants, class attributes, parameters,
        local variables, `os.getenv` defaults, and a constant imported from
        another module of the run (`from settings import MODEL`), rewritten
        where it is defined when every read of it in the run is the model
        of such a call. The ID is mapped with the
        model table (`mappings/models.yaml`, `--mapping`). Strings on
        another provider (`anthropic/...`, `azure/...`), already on
        OpenRouter (`openrouter/...`), and bare IDs the table does not know
        (LiteLLM may route them to any provider) are left alone. Checked
        against litellm 1.110 and dspy 3.4, whose own lm15 engine (the
        default, `engine="auto"`) also reads `openrouter/<id>` as its
        OpenRouter provider with `OPENROUTER_API_KEY`.
    """,
    why="""
        The call then goes to OpenRouter with the key in `OPENROUTER_API_KEY`,
        which must be set (the migrated code no longer reads
        `OPENAI_API_KEY`). `OPENROUTER_API_BASE` overrides the base URL.
        LiteLLM sends `HTTP-Referer: https://litellm.ai` and `X-Title:
        liteLLM` unless `OR_SITE_URL` and `OR_APP_NAME` are set: set them for
        your app's attribution. DSPy's lm15 engine sends no attribution
        headers and always uses `https://openrouter.ai/api/v1`.
    """,
    before="""
        import litellm

        CHAT_MODEL = "gpt-4o"
        response = litellm.completion(model=CHAT_MODEL, messages=messages)
    """,
    after="""
        import litellm

        CHAT_MODEL = "openrouter/openai/gpt-4o"
        response = litellm.completion(model=CHAT_MODEL, messages=messages)
    """,
    fix_safety="""
        Safe: the call sends nothing of its own (no `api_key`, `api_base`,
        `base_url`, `custom_llm_provider`, `**kwargs`; otherwise OR443) and
        the file sets no `litellm.api_key`/`api_base` (OR444), so only the
        model string decides where it goes. Every holder on the path must be
        read only on its way to such calls (else OR442).
    """,
)

NOT_MOVED = rule(
    code="OR442",
    name="litellm-model-not-moved",
    summary="LiteLLM/DSPy model string sent to OpenAI that the tool cannot move",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Reports a model string for LiteLLM or DSPy that goes to OpenAI and is
        not rewritten: an ID with no OpenRouter equivalent, a fine-tune, an
        `openai/<id>` the table does not know, a value the tool cannot follow
        (settings, a parameter without callers, a module outside the run),
        or a constant that is also read for something else (an SDK call,
        which needs `openai/gpt-4o` rather than `openrouter/openai/gpt-4o`,
        in this module or another one of the run: the message says where).
    """,
    why="""
        Write the OpenRouter form (`openrouter/<provider>/<model>`) where the
        value comes from, and set `OPENROUTER_API_KEY`. Also reported: a
        call whose model is not visible at all (`litellm.completion(**kwargs)`,
        `dspy.LM(**config)`), and a call through `litellm` (or `dspy`, or a
        name imported from them) when, where the call reads it, that name is
        not the import: a parameter or a local variable of the function,
        unbound there (imported only inside another function), or also bound
        to something else at module level (a placeholder bound only in
        `except ImportError:` is not: those calls are read as LiteLLM's).
        The name is looked up the way Python does: an import inside the
        calling function is LiteLLM's whatever the module binds.
    """,
    before="""
        import litellm

        response = litellm.completion(model=settings.model, messages=messages)
    """,
)

OWN_ENDPOINT_CALL = rule(
    code="OR443",
    name="litellm-call-with-own-endpoint",
    summary="LiteLLM/DSPy call with its own key, endpoint or provider: not moved",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports a LiteLLM call, `Router` deployment or `dspy.LM(...)` whose
        model goes to OpenAI but which also passes `api_key`, `api_base`,
        `base_url`, `custom_llm_provider` or `**kwargs`.
    """,
    why="""
        An OpenAI key or a custom endpoint would go along to OpenRouter (an
        explicit `api_key` beats `OPENROUTER_API_KEY`). Move the call by hand:
        model `openrouter/openai/<model>`, `api_key` from `OPENROUTER_API_KEY`,
        no OpenAI `api_base`.
    """,
    before="""
        import os

        import litellm

        litellm.completion(model="gpt-4o", messages=messages, api_key=os.environ["OPENAI_API_KEY"])
    """,
)

GLOBAL_CONFIG = rule(
    code="OR444",
    name="litellm-global-credentials",
    summary="litellm.api_key / api_base set: it beats OPENROUTER_API_KEY after the migration",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports assignments to `litellm.api_key`, `litellm.api_base`,
        `litellm.openrouter_key` and `litellm.headers`. In a file that sets
        one, LiteLLM model strings are reported (OR442) rather than moved.
    """,
    why="""
        LiteLLM's OpenRouter provider reads `litellm.api_key` and
        `litellm.api_base` before `OPENROUTER_API_KEY` and
        `OPENROUTER_API_BASE`: an OpenAI key or URL set there would be sent
        to OpenRouter. Remove them, or set them to the OpenRouter values.
    """,
    before="""
        import os

        import litellm

        litellm.api_key = os.environ["OPENAI_API_KEY"]
    """,
)

DSPY_LEGACY = rule(
    code="OR445",
    name="dspy-legacy-openai-client",
    summary="dspy.OpenAI (DSPy < 2.6): use dspy.LM with an OpenRouter model string",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports `dspy.OpenAI(...)`, `dspy.AzureOpenAI(...)`,
        `dspy.MultiOpenAI(...)` and `dspy.OpenAIModel(...)`, and a class
        deriving from one of them (unless its `super().__init__` passes an
        `api_base` other than OpenAI's).
    """,
    why="""
        These clients call OpenAI directly and are gone from current DSPy
        (3.4 has only `dspy.LM`). Write
        `dspy.LM("openrouter/openai/gpt-4o")` and set `OPENROUTER_API_KEY`.
    """,
    before="""
        import dspy

        lm = dspy.OpenAI(model="gpt-3.5-turbo")
    """,
)


@dataclass
class _Call:
    node: cst.CSTNode  # where reports go (the call, or the Router entry)
    value: cst.BaseExpression  # the model expression
    what: str  # "`litellm.completion`"
    blocked: str | None  # why it may not move (OR443), None: it may


def litellm_target(ctx: RuleContext, model: str) -> tuple[str, str | None]:
    """What to do with a LiteLLM model string: ("move", new string),
    ("report", why), or ("leave", None)."""
    if model.startswith(PREFIX):
        return "leave", None
    bare = model
    explicit = False
    for p in OPENAI_PROVIDERS:
        if model.startswith(p):
            bare, explicit = model[len(p) :], True
            break
    else:
        if "/" in model:
            return "leave", None  # another LiteLLM provider
    lookup = ctx.table.lookup(bare)
    if lookup.kind is LookupKind.MAPPED and lookup.target:
        if not lookup.target.startswith("openai/") and not explicit:
            return "leave", None  # a bare ID LiteLLM sends elsewhere
        return "move", PREFIX + lookup.target
    if lookup.kind is LookupKind.NO_EQUIVALENT:
        why = f"'{bare}' has no OpenRouter equivalent in the catalog snapshot"
        if lookup.successor:
            why += f" (its successor is '{lookup.successor}')"
        return "report", why
    if lookup.kind is LookupKind.FINE_TUNE:
        return "report", "OpenAI fine-tunes are served by OpenAI only"
    if lookup.kind is LookupKind.ALREADY_OPENROUTER and explicit:
        return "leave", None  # openai/<x>/<y>: not an OpenAI ID
    if explicit:
        return "report", f"no OpenRouter ID known for '{bare}': add it to your mapping file"
    return "leave", None


def _keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for a in call.args:
        if a.keyword is not None and a.keyword.value == name:
            return a
    return None


def _model_value(call: cst.Call, index: int | None) -> cst.BaseExpression | None:
    arg = _keyword(call, "model")
    if arg is not None:
        return arg.value
    if index is None:
        return None
    positional = [a for a in call.args if a.keyword is None]
    if len(positional) > index and all(not a.star for a in positional[: index + 1]):
        return positional[index].value
    return None


def _blocked(call: cst.Call, keys: tuple[str, ...]) -> str | None:
    for a in call.args:
        if a.star == "**":
            return "`**` arguments (they may carry a key or an endpoint)"
        if a.keyword is not None and a.keyword.value in keys:
            return f"`{a.keyword.value}=`"
    return None


def _dict_get(d: cst.Dict, key: str) -> cst.BaseExpression | None:
    for el in d.elements:
        if isinstance(el, cst.DictElement) and string_value(el.key) == key:
            return el.value
    return None


def _router_entries(ctx: RuleContext, call: cst.Call) -> list[_Call]:
    arg = _keyword(call, "model_list")
    if arg is None:
        return []
    value = arg.value
    if isinstance(value, cst.Name):
        f = ctx.facts
        values = f.module_values.get(value.value)
        if (
            values
            and len(values) == 1
            and f.assignment_counts.get(value.value, 0) == 1
            and value.value not in f.imports
        ):
            value = values[0]
    out: list[_Call] = []
    if not isinstance(value, cst.List):
        return out
    for el in value.elements:
        if not isinstance(el.value, cst.Dict):
            continue
        params = _dict_get(el.value, "litellm_params")
        if not isinstance(params, cst.Dict):
            continue
        model = _dict_get(params, "model")
        if model is None:
            continue
        blocked = None
        for e in params.elements:
            if isinstance(e, cst.StarredDictElement):
                blocked = "`**` entries in `litellm_params`"
            elif isinstance(e, cst.DictElement) and string_value(e.key) in OWN_ENDPOINT:
                blocked = f"`{string_value(e.key)}` in `litellm_params`"
        out.append(_Call(model, model, "a `litellm.Router` deployment", blocked))
    return out


def _calls(ctx: RuleContext) -> tuple[list[_Call], list[cst.Call]]:
    f = ctx.facts
    out: list[_Call] = []
    legacy: list[cst.Call] = []
    for call in f.calls:
        q = library_call(ctx, call)
        if q is None:
            continue
        if q in LITELLM_FUNCTIONS:
            value = _model_value(call, LITELLM_FUNCTIONS[q])
            if value is not None:
                out.append(_Call(call, value, f"`{q}`", _blocked(call, OWN_ENDPOINT)))
        elif q == DSPY_LM or q == "dspy.clients.LM" or q == "dspy.clients.lm.LM":
            value = _model_value(call, 0)
            if value is not None:
                out.append(_Call(call, value, "`dspy.LM`", _blocked(call, OWN_ENDPOINT)))
        elif q == ROUTER:
            out.extend(_router_entries(ctx, call))
        elif q in DSPY_LEGACY_CLASSES:
            legacy.append(call)
    return out, legacy


# DSPy's clients before 2.6 (``dspy/__init__.py``: ``OpenAI = dsp.GPT3``,
# ``AzureOpenAI``, ``MultiOpenAI``): they call OpenAI themselves (OR445)
DSPY_LEGACY_CLASSES = ("dspy.OpenAI", "dspy.AzureOpenAI", "dspy.MultiOpenAI", "dspy.OpenAIModel")
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})
_LIBRARY_NAMES = "litellm_library_names"  # ctx.memo key


class _Fallbacks(cst.CSTVisitor):
    """How often each of ``names`` is bound (``x = ...``, ``x: T = ...``,
    ``def x``, ``class x``) inside an ``except ImportError:`` handler."""

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names
        self.depth = 0
        self.count: dict[str, int] = dict.fromkeys(names, 0)

    @staticmethod
    def _import_error(node: cst.ExceptHandler) -> bool:
        t = node.type
        items = [e.value for e in t.elements] if isinstance(t, cst.Tuple) else [t]
        return any(type(n) is cst.Name and n.value in _IMPORT_ERRORS for n in items)  # type: ignore[attr-defined]

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self.depth += self._import_error(node)

    def leave_ExceptHandler(self, original_node: cst.ExceptHandler) -> None:
        self.depth -= self._import_error(original_node)

    def _bound(self, target: cst.CSTNode) -> None:
        if self.depth and type(target) is cst.Name and target.value in self.names:  # type: ignore[attr-defined]
            self.count[target.value] += 1  # type: ignore[attr-defined]

    def visit_Assign(self, node: cst.Assign) -> None:
        for t in node.targets:
            self._bound(t.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bound(node.target)

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bound(node.name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bound(node.name)


def _library_names(ctx: RuleContext) -> dict[str, bool]:
    """Names imported from litellm or dspy that are also bound otherwise in
    the file: True when every other binding is an ``except ImportError:``
    placeholder (``litellm = None``, ``litellm = Placeholder()``): where such
    a name is not the library, the call fails anyway, so its calls are read
    as the library's (the SDK's ``OpenAI = None`` is OR120; here there is no
    client to leave). False: rebound for real, its calls are reported."""
    known = ctx.memo.get(_LIBRARY_NAMES)
    if known is not None:
        return known
    f = ctx.facts
    names = {
        name
        for name, targets in f.imports.items()
        if name in f.other_bindings
        and len(targets) == 1
        and next(iter(targets)).split(".", 1)[0] in ("litellm", "dspy")
    }
    known = {}
    if names:
        found = _Fallbacks(names)
        ctx.module.visit(found)
        for name in names:
            relative = f.from_imports.get(name, ("",))[0].startswith(".")
            n = found.count[name]
            known[name] = not relative and n > 0 and n == f.assignment_counts.get(name, 0)
    ctx.memo[_LIBRARY_NAMES] = known
    return known


def _library_name(ctx: RuleContext, func: cst.BaseExpression) -> str | None:
    """The qualified name of ``func`` when its root is a litellm/dspy import
    rebound only by ``except ImportError:`` placeholders (audit S7)."""
    root = func
    while type(root) is cst.Attribute:
        root = root.value  # type: ignore[attr-defined]
    if type(root) is not cst.Name or not _library_names(ctx).get(root.value):
        return None
    (base,) = ctx.facts.imports[root.value]
    if func is root:
        return base
    parts, _ = attribute_chain(func)
    return ".".join([base, *parts])


_IMPORT_SCOPES = "litellm_import_scopes"  # ctx.memo key
IMPORTED = "import"  # _scoped: the call reads the litellm/dspy import


class _ImportScopes(cst.CSTVisitor):
    """Where each of ``names`` is imported (0: module level, else id() of
    the def or lambda), and which are declared ``global`` somewhere."""

    def __init__(self, names: set[str]) -> None:
        super().__init__()
        self.names = names
        self.stack: list[int] = [0]
        self.scopes: dict[str, set[int]] = {n: set() for n in names}
        self.globals: set[str] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.stack.append(id(node))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.stack.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.stack.append(id(node))

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.stack.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.stack.append(id(node))  # a class body's import is not its methods'

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.stack.pop()

    def _bind(self, local: str) -> None:
        if local in self.names:
            self.scopes[local].add(self.stack[-1])

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind(alias.asname.name.value)
            else:
                self._bind(_import_head(alias.name))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self._bind(alias.asname.name.value)
            elif isinstance(alias.name, cst.Name):
                self._bind(alias.name.value)

    def visit_Global(self, node: cst.Global) -> None:
        self.globals.update(n.name.value for n in node.names if n.name.value in self.names)


def _import_head(name: cst.Attribute | cst.Name) -> str:
    """``import litellm.utils`` binds ``litellm``."""
    while isinstance(name, cst.Attribute):
        name = name.value  # type: ignore[assignment]
    return name.value if isinstance(name, cst.Name) else ""


def _import_scopes(ctx: RuleContext) -> _ImportScopes:
    known = ctx.memo.get(_IMPORT_SCOPES)
    if known is None:
        f = ctx.facts
        names = {
            name
            for name, targets in f.imports.items()
            if any(t.split(".", 1)[0] in ("litellm", "dspy") for t in targets)
        }
        known = _ImportScopes(names)
        if names:
            ctx.module.visit(known)
        ctx.memo[_IMPORT_SCOPES] = known
    return known


def _scoped(ctx: RuleContext, call: cst.Call) -> str | None:
    """What the name a call is made through (``litellm`` of
    ``litellm.completion(...)``, ``completion`` of ``from litellm import
    completion``), imported from litellm or dspy, is where the call reads it,
    looked up the way Python does: :data:`IMPORTED` (the import, certainly),
    None (a module-level name also bound otherwise: the file-wide rules
    decide), or what else it is there, in words ("a parameter of `ask`")."""
    f = ctx.facts
    root = call.func
    while type(root) is cst.Attribute:
        root = root.value  # type: ignore[attr-defined]
    if type(root) is not cst.Name:
        return None
    name = root.value  # type: ignore[attr-defined]
    found = _import_scopes(ctx)
    if name not in found.names or len(f.imports.get(name, ())) != 1:
        return None
    node = f.scope_of.get(id(call))
    while node is not None:
        if type(node) in (cst.FunctionDef, cst.Lambda):
            label = f"`{node.name.value}`" if type(node) is cst.FunctionDef else "a lambda"  # type: ignore[attr-defined]
            params = node.params  # type: ignore[attr-defined]
            every = (*params.posonly_params, *params.params, *params.kwonly_params)
            star = [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
            if any(p.name.value == name for p in (*every, *star)):
                return f"a parameter of {label}"
            if f.bindings.get((id(node), name)):
                return f"a local variable of {label}"
            if id(node) in found.scopes[name]:
                return IMPORTED  # ``import litellm`` in this function
        node = f.scope_of.get(id(node))
    if 0 in found.scopes[name] or name in found.globals:
        if not f.bindings.get((0, name)):
            return IMPORTED  # rebound only inside other functions: not here
        return None
    where = sorted(fn.name.value for fn in _functions(ctx) if id(fn) in found.scopes[name])
    inside = f"`{where[0]}`" if len(where) == 1 else "functions"
    return f"not bound here (it is imported only inside {inside})"


def _functions(ctx: RuleContext) -> list[cst.FunctionDef]:
    f = ctx.facts
    out = {id(n): n for n in f.scope_of.values() if type(n) is cst.FunctionDef}
    out.update({id(fn): fn for fn in f.module_functions.values()})
    return list(out.values())  # type: ignore[arg-type]


def _import_name(ctx: RuleContext, func: cst.BaseExpression) -> str | None:
    """The qualified name ``func`` spells through its root import."""
    root = func
    while type(root) is cst.Attribute:
        root = root.value  # type: ignore[attr-defined]
    if type(root) is not cst.Name:
        return None
    targets = ctx.facts.imports.get(root.value)  # type: ignore[attr-defined]
    if not targets or len(targets) != 1:
        return None
    (base,) = targets
    if func is root:
        return base
    parts, _ = attribute_chain(func)
    return ".".join([base, *parts])


def library_call(ctx: RuleContext, call: cst.Call) -> str | None:
    """The qualified name of the litellm/dspy function ``call`` calls, when
    the tool knows it is one (None: not, or not known)."""
    scoped = _scoped(ctx, call)
    if scoped == IMPORTED:
        return _import_name(ctx, call.func)
    if scoped is not None:
        return None  # a parameter, a local variable: reported (_report_unseen)
    return ctx.facts.qualified(call.func) or _library_name(ctx, call.func)


def _own_api_base(ctx: RuleContext, cls: cst.ClassDef) -> bool:
    """Does a method of ``cls`` call ``super().__init__(..., api_base=...)``
    with anything but OpenAI's URL (storm's ``GroqModel(dspy.OpenAI)``)?"""
    f = ctx.facts
    for call in f.calls:
        fn = f.scope_of.get(id(call))
        if fn is None or f.scope_of.get(id(fn)) is not cls:
            continue
        func = call.func
        if type(func) is not cst.Attribute or func.attr.value != "__init__":  # type: ignore[attr-defined]
            continue
        arg = _keyword(call, "api_base")
        if arg is not None and "api.openai.com" not in (string_value(arg.value) or ""):
            return True
    return False


def _report_subclasses(ctx: RuleContext) -> None:
    """Classes deriving from DSPy's old OpenAI clients (audit S6: storm's
    ``class OpenAIModel(dspy.OpenAI)``)."""
    f = ctx.facts
    for cls in f.classes:
        base = next(
            (b for b in cls.bases if f.qualified(b.value) in DSPY_LEGACY_CLASSES),
            None,
        )
        if base is not None and not _own_api_base(ctx, cls):
            ctx.report(
                cls,
                DSPY_LEGACY,
                f"class `{cls.name.value}` derives from `{short_code(ctx, base.value)}` "
                "(DSPy < 2.6), which calls OpenAI directly: its instances are not migrated; "
                "use dspy.LM('openrouter/openai/<model>') and set OPENROUTER_API_KEY",
            )


def _report_unseen(ctx: RuleContext) -> None:
    """Calls whose model the tool cannot see: the model comes only from
    ``**kwargs``/``*args`` (audit S5), or the call is made through a name
    that is litellm/dspy and also something else (audit S7)."""
    f = ctx.facts
    rebound = {name for name, ok in _library_names(ctx).items() if not ok}
    for call in f.calls:
        scoped = _scoped(ctx, call)
        q = library_call(ctx, call)
        shown = short_code(ctx, call.func)
        if q is None:
            root = call.func
            while type(root) is cst.Attribute:
                root = root.value  # type: ignore[attr-defined]
            if type(root) is not cst.Name:
                continue
            if scoped is None and root.value not in rebound:
                continue
            if scoped is None:
                # bound otherwise at module level (or ``global``): the tool
                # cannot tell which binding this call reads
                scoped = "also bound to something else at module level"
            name = _import_name(ctx, call.func)
            if name is None:
                continue
            if name in LITELLM_FUNCTIONS or name == DSPY_LM:
                package = name.split(".", 1)[0]
                ctx.report(
                    call,
                    NOT_MOVED,
                    f"`{root.value}` is imported from {package}, but where `{shown}(...)` "
                    f"reads it, it is {scoped}: the tool cannot tell that this call is "
                    f"`{name}`, its model is not moved; if it is, and its model names an OpenAI "
                    "model, make it 'openrouter/openai/<model>' and set OPENROUTER_API_KEY",
                )
            continue
        if q in LITELLM_FUNCTIONS:
            index = LITELLM_FUNCTIONS[q]
        elif q in (DSPY_LM, "dspy.clients.LM", "dspy.clients.lm.LM"):
            index = 0
        else:
            continue
        if _model_value(call, index) is not None or not any(a.star for a in call.args):
            continue
        star = next(a for a in call.args if a.star)
        ctx.report(
            call,
            NOT_MOVED,
            f"the model of `{q}` is not visible here (it comes from "
            f"`{star.star}{short_code(ctx, star.value)}`): LiteLLM sends 'gpt-4o' and "
            "'openai/gpt-4o' to OpenAI; where the model is set, make it "
            "'openrouter/openai/<model>' (an OpenRouter ID with LiteLLM's 'openrouter/' prefix) "
            "and set OPENROUTER_API_KEY",
        )


def _global_assignments(ctx: RuleContext) -> list[tuple[cst.Assign, str]]:
    return [
        (assign, target.attr.value)
        for assign, target in ctx.facts.attribute_assignments
        if target.attr.value in LITELLM_GLOBALS and ctx.facts.qualified(target.value) == "litellm"
    ]


class _LiteLLMResolver(Resolver):
    """The SDK's resolver, but a name imported from another module is never
    taken as followed: the project pass follows constants to SDK calls
    only, so the other module rewrites them for the SDK, never for LiteLLM."""

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
        if imported is not None and f.assignment_counts.get(name, 0) == 0:
            project = self.ctx.project
            if not chain and self._sink.safe and imported[0] != "?":
                # read directly as the model of a call that moves by its
                # model string alone: its module may rewrite it (project pass)
                reads = self.ctx.memo.setdefault(LITELLM_USES, {})
                reads.setdefault(name, set()).add(id(expr))
                if project is not None and name in project.litellm_followed:
                    self._reach(expr)
                    return True  # rewritten where it is defined, and reported there
            shared = dict(project.litellm_shared) if project is not None else {}
            if name in shared:
                where = ", ".join(shared[name][:3])
                self._unknown(
                    f"`{name}`, defined in another module (`{imported[0]}`) and also sent "
                    f"to the OpenAI SDK ({where}), which needs 'openai/<model>' where LiteLLM "
                    "needs 'openrouter/openai/<model>': give each its own constant"
                )
                return True
            self._unknown(f"`{name}`, defined in another module (`{imported[0]}`)")
            return True
        return super()._module_name(expr, chain, depth, dict_mode, note)


def _export_sinks(ctx: RuleContext, resolver: Resolver) -> None:
    """The module-level names of this file other files pass only to
    LiteLLM/DSPy calls (project pass: ``litellm_exports``), as sinks at
    their definition: rewritten here, or reported here when this file reads
    them for something else."""
    project = ctx.project
    if project is None or not project.litellm_exports:
        return
    handled: set[str] = set()
    for name, used_in in project.litellm_exports:
        sink = export_sink(
            ctx, Export(name=name, used_in=used_in, other_uses=0, other_files=(), certain=True)
        )
        if sink is None:
            continue
        where = ", ".join(used_in[:2]) + (
            f" and {len(used_in) - 2} more" if len(used_in) > 2 else ""
        )
        resolver.add(
            replace(
                sink,
                safe=True,
                subject=f"`{name}` (the model of LiteLLM/DSPy calls in {where})",
                via=f"`{name}`, the model of LiteLLM/DSPy calls in {where}",
            )
        )
        handled.add(name)
    ctx.memo[LITELLM_HANDLED] = handled


@checker
def check_litellm(ctx: RuleContext) -> None:
    f = ctx.facts
    exports = ctx.project is not None and bool(ctx.project.litellm_exports)
    if not (f.imports_module("litellm") or f.imports_module("dspy") or exports):
        return
    globals_set = _global_assignments(ctx)
    if globals_set:
        ctx.memo[LITELLM_GLOBAL_LINES] = True
    for assign, attr in globals_set:
        ctx.report(
            assign,
            GLOBAL_CONFIG,
            f"`litellm.{attr}` is read before the OPENROUTER_* variables by LiteLLM's "
            "OpenRouter provider: an OpenAI value here goes to OpenRouter after the "
            "migration; remove it or set the OpenRouter value",
        )
    _report_subclasses(ctx)
    _report_unseen(ctx)
    calls, legacy = _calls(ctx)
    for call in legacy:
        ctx.report(
            call,
            DSPY_LEGACY,
            f"`{short_code(ctx, call.func)}` calls OpenAI directly and is gone from current "
            "DSPy: use dspy.LM('openrouter/openai/<model>') and set OPENROUTER_API_KEY",
        )
    if not calls and not exports:
        return
    if calls:
        ctx.memo[LITELLM_CALLS] = True
    held = None
    if globals_set:
        names = ", ".join(dict.fromkeys(f"`litellm.{attr}`" for _, attr in globals_set))
        held = f"this file sets {names}, which LiteLLM sends to OpenRouter first"
    elif ctx.project is not None and ctx.project.litellm_configured:
        where = ", ".join(ctx.project.litellm_configured[:3])
        held = (
            f"another module of the run sets LiteLLM's process-wide key or endpoint "
            f"({where}), which LiteLLM sends to OpenRouter first"
        )
    resolver = _LiteLLMResolver(ctx)
    # sink id -> the call and why it may not move (OR443)
    blocked: dict[int, tuple[_Call, str]] = {}
    for c in calls:
        sink = resolver.add(
            Sink(
                c.value,
                c.value,
                f.scope_of.get(id(c.node)),
                certain=True,
                safe=c.blocked is None and held is None,
                subject=f"the model of {c.what}",
            )
        )
        if c.blocked is not None:
            blocked[id(sink)] = (c, c.blocked)
    _export_sinks(ctx, resolver)
    _report(ctx, resolver.run(), held, blocked)


def _report(
    ctx: RuleContext, flow: Flow, held: str | None, blocked: dict[int, tuple[_Call, str]]
) -> None:
    for sink in flow.sinks:
        unknowns = list(dict.fromkeys(flow.unknowns.get(id(sink), ())))
        if unknowns:
            what = "; ".join(unknowns[:3]) + (
                f" and {len(unknowns) - 3} more" if len(unknowns) > 3 else ""
            )
            own = blocked.get(id(sink))
            if own is not None:
                # the call brings its own key or endpoint (``api_key=``,
                # ``**kwargs``): setting OPENROUTER_API_KEY would not be
                # enough, and the endpoint may not be OpenAI's at all
                ctx.report(
                    own[0].node,
                    OWN_ENDPOINT_CALL,
                    f"{sink.subject} comes from {what} and the call passes {own[1]}: not "
                    "moved; if it names an OpenAI model, use 'openrouter/openai/<model>' "
                    "with the key from OPENROUTER_API_KEY and no OpenAI endpoint",
                )
                continue
            ctx.report(
                sink.node,
                NOT_MOVED,
                f"{sink.subject} comes from {what}: if it names an OpenAI model, make it "
                "'openrouter/openai/<model>' and set OPENROUTER_API_KEY",
            )
    for src in flow.sources.values():
        literal = string_value(src.node) or ""
        action, detail = litellm_target(ctx, literal)
        if action == "leave":
            continue
        through = f" (through {src.via})" if src.via else ""
        if action == "report":
            ctx.report(src.node, NOT_MOVED, f"model '{literal}'{through}: {detail}")
            continue
        assert detail is not None
        blocked_calls = [blocked[id(s)] for s in src.sinks if id(s) in blocked]
        if blocked_calls:
            call, why = blocked_calls[0]
            ctx.report(
                call.node,
                OWN_ENDPOINT_CALL,
                f"{call.what} sends model '{literal}'{through} to OpenAI and passes {why}: "
                f"not moved; use model '{detail}' with the key from OPENROUTER_API_KEY and "
                "no OpenAI endpoint",
            )
            continue
        if held is not None:
            ctx.report(
                src.node,
                NOT_MOVED,
                f"model '{literal}'{through} is not moved to '{detail}': {held}",
            )
            continue
        shared = blocked_holder(src, flow.reached)
        if shared is not None:
            holder, n = shared
            refs = tuple(u for u in holder.uses if id(u) not in flow.reached)
            where = REFS if refs else f"{holder.extra_uses} in other files"
            ctx.report(
                src.node,
                NOT_MOVED,
                f"{holder.label} = {src.node.value} is also used {n} other "
                f"time{'s' if n != 1 else ''} ({where}): not rewritten; pass '{detail}' to "
                "LiteLLM and keep the original where it is needed",
                refs=refs,
            )
            continue

        def fix(n: cst.CSTNode, target: str = detail) -> cst.CSTNode:
            assert isinstance(n, cst.SimpleString)
            return replace_string(n, target)

        ctx.report(
            src.node,
            MODEL,
            f"model '{literal}'{through} goes to OpenAI through LiteLLM: use '{detail}' "
            "(needs OPENROUTER_API_KEY; set OR_SITE_URL and OR_APP_NAME for attribution)",
            fix=fix,
        )
