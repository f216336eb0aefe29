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
ID>``. Here the ``openrouter/`` prefix is right: OR207, which rejects it for
the OpenAI SDK, never looks at these calls (they are not SDK calls).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods.core.findings import Severity
from codemods.core.mapping import LookupKind
from codemods.core.rules import rule
from codemods.python.rules._edit import replace_string
from codemods.python.rules.base import REFS, RuleContext, checker
from codemods.python.rules.client import string_value
from codemods.python.rules.dataflow import Flow, Holder, Resolver, Sink, blocked_holder, short_code

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
        local variables, `os.getenv` defaults. The ID is mapped with the
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
        (settings, a parameter without callers, another module), or a
        constant that is also read for something else (an SDK call, which
        needs `openai/gpt-4o` rather than `openrouter/openai/gpt-4o`).
    """,
    why="""
        Write the OpenRouter form (`openrouter/<provider>/<model>`) where the
        value comes from, and set `OPENROUTER_API_KEY`.
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
    what="Reports `dspy.OpenAI(...)`, `dspy.AzureOpenAI(...)` and `dspy.OpenAIModel(...)`.",
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
        q = f.qualified(call.func)
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
        elif q in ("dspy.OpenAI", "dspy.AzureOpenAI", "dspy.OpenAIModel"):
            legacy.append(call)
    return out, legacy


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
        imported = f.from_imports.get(expr.value)
        if imported is not None and f.assignment_counts.get(expr.value, 0) == 0:
            self._unknown(f"`{expr.value}`, defined in another module (`{imported[0]}`)")
            return True
        return super()._module_name(expr, chain, depth, dict_mode, note)


@checker
def check_litellm(ctx: RuleContext) -> None:
    f = ctx.facts
    if not (f.imports_module("litellm") or f.imports_module("dspy")):
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
    calls, legacy = _calls(ctx)
    for call in legacy:
        ctx.report(
            call,
            DSPY_LEGACY,
            f"`{short_code(ctx, call.func)}` calls OpenAI directly and is gone from current "
            "DSPy: use dspy.LM('openrouter/openai/<model>') and set OPENROUTER_API_KEY",
        )
    if not calls:
        return
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
