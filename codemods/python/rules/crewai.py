"""OR446: crewAI's LLMs that keep calling OpenAI.

crewAI builds its own LLM from whatever an agent is given
(``crewai/utilities/llm_utils.py``: ``create_llm``, called by
``Agent``'s validator, ``agent/core.py``, and by ``Crew`` for
``manager_llm``/``function_calling_llm``; checked at crewAI 0.152.0 and on
main at f4731f50, 1.15.x):

- a string becomes ``LLM(model=<string>)``;
- any other object (a LangChain ``ChatOpenAI``) is rebuilt as ``LLM(model=
  getattr(llm, "model") or getattr(llm, "model_name"), api_key=getattr(llm,
  "api_key"), base_url=getattr(llm, "base_url"), ...)``. On langchain-openai
  1.x ``api_key`` and ``base_url`` are only field aliases: ``getattr``
  returns None (checked with langchain-openai 1.8.1), so a migrated
  ``ChatOpenAI(model="openai/gpt-4o", base_url=OpenRouter...)`` becomes
  ``LLM(model="openai/gpt-4o")`` with no key and no URL.

``LLM.__new__`` (``crewai/llm.py``) routes ``"openai/gpt-4o"`` and a bare
``"gpt-4o"`` (its provider is inferred as ``openai``) to its native OpenAI
provider: api.openai.com with ``OPENAI_API_KEY``. ``"openrouter/<id>"`` goes
to its native OpenAI-compatible provider for OpenRouter
(``crewai/llms/providers/openai_compatible/completion.py``: base URL
``https://openrouter.ai/api/v1``, key ``OPENROUTER_API_KEY``; crewAI
releases before that provider send it through LiteLLM, which reads the
same form and the same variable). So ``crewai.LLM(model=
"openrouter/openai/gpt-4o")`` is the way, and nothing else the migration
writes moves a crewAI agent. Reported, never rewritten: crewAI is not among
the packages the end-to-end suite installs.

An ``Agent`` given no ``llm`` (or ``llm=None``) gets
``_llm_via_environment_or_fallback()`` (``llm_utils.py``): the model in
``MODEL``, ``MODEL_NAME`` or ``OPENAI_MODEL_NAME``, else ``DEFAULT_LLM_MODEL``
(``"gpt-4o-mini"`` in 0.x, ``"gpt-4.1-mini"`` on 1.x), with a base URL from
``BASE_URL``, ``OPENAI_API_BASE`` or ``OPENAI_BASE_URL``: OpenAI with
``OPENAI_API_KEY`` unless the environment says otherwise.
"""

from __future__ import annotations

import libcst as cst

from codemods.core.findings import Severity
from codemods.core.rules import rule
from codemods.python.rules.base import REFS, RuleContext, checker
from codemods.python.rules.client import string_value
from codemods.python.rules.dataflow import Resolver, Sink, short_code
from codemods.python.rules.langchain import AZURE, CLASSES
from codemods.python.rules.litellm_dspy import litellm_target

LLM_CLASSES = ("crewai.LLM", "crewai.llm.LLM")
AGENT_CLASSES = ("crewai.Agent", "crewai.agent.Agent", "crewai.agent.core.Agent")
CREW_CLASSES = ("crewai.Crew", "crewai.crew.Crew")
# the keyword arguments crewAI hands to ``create_llm``
LLM_ARGS = ("llm", "function_calling_llm", "manager_llm", "planning_llm")
WAY = "crewai.LLM(model='openrouter/openai/<model>', api_key=os.environ['OPENROUTER_API_KEY'])"

CREWAI_LLM = rule(
    code="OR446",
    name="crewai-llm-to-openai",
    summary="crewAI LLM that calls OpenAI: use crewai.LLM(model='openrouter/<id>')",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports `crewai.LLM(model=...)` whose model crewAI sends to OpenAI
        (`"gpt-4o"`, `"openai/gpt-4o"`: followed like the SDK's `model=`),
        an `Agent(llm="gpt-4o")` string, and a LangChain `ChatOpenAI` /
        `OpenAI` (migrated or not) handed to a crewAI `Agent` or `Crew` as
        `llm`, `function_calling_llm`, `manager_llm` or `planning_llm`
        (directly, or through a name or `self.` attribute bound only to
        it; a model string too). A name bound more than once is not
        followed to one value: when one of its values goes to OpenAI it is
        reported as a value that may reach the agent, with where it is
        bound. Also an `Agent(...)` given no `llm` (or `llm=None`, and no
        `config=` that may hold one), once per agent, unless its module
        sets crewAI's default model or base URL (`os.environ["MODEL"]`,
        `MODEL_NAME`, `OPENAI_MODEL_NAME`, `BASE_URL`, `OPENAI_API_BASE`,
        `OPENAI_BASE_URL`) to an OpenRouter value or one the tool cannot
        read. Checked against crewAI 0.152 and 1.15.
    """,
    why="""
        crewAI rebuilds every LLM it is given as its own `crewai.LLM`: a
        LangChain object from its model name only (its `api_key` and
        `base_url` read as None on langchain-openai 1.x), so a migrated
        `ChatOpenAI` still calls api.openai.com with `OPENAI_API_KEY`, and
        so does `LLM(model="gpt-4o")`. An agent without an LLM gets
        crewAI's default: `$MODEL`, `$MODEL_NAME` or `$OPENAI_MODEL_NAME`,
        else `gpt-4o-mini` (0.x) or `gpt-4.1-mini` (1.x), on OpenAI with
        `OPENAI_API_KEY`. Write
        `crewai.LLM(model="openrouter/openai/gpt-4o",
        api_key=os.environ["OPENROUTER_API_KEY"])` (crewAI's OpenRouter
        provider, or LiteLLM's in older releases; `base_url` defaults to
        OpenRouter's) and hand that to the agent.
    """,
    before="""
        from crewai import LLM, Agent

        llm = LLM(model="gpt-4o")
        agent = Agent(role="writer", goal="write", backstory="...", llm=llm)
    """,
)


def _scope_class(ctx: RuleContext, call: cst.Call) -> cst.ClassDef | None:
    fn = ctx.facts.scope_of.get(id(call))
    if type(fn) is not cst.FunctionDef:
        return None
    cls = ctx.facts.scope_of.get(id(fn))
    return cls if type(cls) is cst.ClassDef else None


def _is_langchain_llm(ctx: RuleContext, value: cst.BaseExpression | None) -> bool:
    if type(value) is not cst.Call:
        return False
    q = ctx.facts.qualified(value.func)  # type: ignore[union-attr]
    return q in CLASSES and q not in AZURE and CLASSES[q].kind in ("chat", "llm")


def _langchain_llm(ctx: RuleContext, value: cst.BaseExpression, at: cst.Call) -> cst.Call | None:
    """The LangChain ChatOpenAI/OpenAI construction ``value`` is, directly or
    through a name or ``self.x`` bound only to it (None: not one)."""
    if type(value) is cst.Call:
        return value if _is_langchain_llm(ctx, value) else None  # type: ignore[return-value]
    values = _bound_values(ctx, value, at)
    if not values:
        return None
    found = [_langchain_llm(ctx, v, at) if type(v) is cst.Call else None for v in values]
    if any(c is None for c in found):
        return None
    return found[0]


def _bound_values(
    ctx: RuleContext, value: cst.BaseExpression, at: cst.Call
) -> list[cst.BaseExpression | None]:
    """What a name or ``self.x`` handed to ``at`` is bound to in this file
    (every binding; None for one the tool cannot see, an unpacking...).
    Empty: not such a name, or a parameter (its callers decide)."""
    f = ctx.facts
    values: list[cst.BaseExpression | None] = []
    if type(value) is cst.Name:
        scope = f.scope_of.get(id(at))
        if scope is not None and _is_param(scope, value.value):
            return []  # a parameter: the callers decide
        values = f.bindings.get((id(scope), value.value), []) if scope is not None else []
        if not values:
            values = f.bindings.get((0, value.value), [])
    elif (
        type(value) is cst.Attribute
        and type(value.value) is cst.Name
        and value.value.value in ("self", "cls")
    ):
        cls = _scope_class(ctx, at)
        if cls is not None:
            attr = value.attr.value
            values = [
                *f.bindings.get((id(cls), f"self.{attr}"), []),
                *f.bindings.get((id(cls), attr), []),
            ]
    return values


@checker
def check_crewai(ctx: RuleContext) -> None:
    f = ctx.facts
    if not f.imports_module("crewai"):
        return
    resolver = Resolver(ctx)
    sinks: list[tuple[Sink, cst.Call]] = []
    defaults: list[cst.Call] = []  # agents given no LLM: crewAI's default one
    for call in f.calls:
        q = f.qualified(call.func)
        if q in LLM_CLASSES:
            model = next((a.value for a in call.args if _is_kw(a, "model")), None)
            if model is None and call.args and call.args[0].keyword is None:
                if not call.args[0].star:
                    model = call.args[0].value
            if model is not None:
                sink = Sink(model, model, f.scope_of.get(id(call)), certain=True)
                sinks.append((resolver.add(sink), call))
        if q in AGENT_CLASSES and _default_llm(call):
            defaults.append(call)
        if q in AGENT_CLASSES or q in CREW_CLASSES:
            for arg in call.args:
                if arg.keyword is None or arg.keyword.value not in LLM_ARGS:
                    continue
                literal = string_value(arg.value)
                if literal is not None:
                    what = f"`{arg.keyword.value}=` of crewAI's `{short_code(ctx, call.func)}`"
                    _report_model(ctx, arg.value, literal, what)
                    continue
                built = _langchain_llm(ctx, arg.value, call)
                if built is not None:
                    ctx.report(
                        arg.value,
                        CREWAI_LLM,
                        f"crewAI rebuilds the LangChain `{short_code(ctx, built.func)}` given as "
                        f"`{arg.keyword.value}=` from its model name alone (its api_key and "
                        "base_url read as None): it calls OpenAI with OPENAI_API_KEY whatever "
                        f"that object is pointed at; pass {WAY} instead",
                    )
                    continue
                _bound_llm(ctx, call, arg)
    if defaults and not _default_set(ctx):
        for call in defaults:
            ctx.report(
                call,
                CREWAI_LLM,
                f"crewAI's `{short_code(ctx, call.func)}(...)` without `llm=` uses crewAI's default "
                "LLM: the model in $MODEL, $MODEL_NAME or $OPENAI_MODEL_NAME, else 'gpt-4o-mini' "
                "(crewAI 0.x) or 'gpt-4.1-mini' (1.x), sent to OpenAI with OPENAI_API_KEY unless "
                "that model is 'openrouter/...' or $OPENAI_BASE_URL points elsewhere: pass "
                f"llm={WAY}",
            )
    if not sinks:
        return
    flow = resolver.run()
    for sink, call in sinks:
        unknowns = list(dict.fromkeys(flow.unknowns.get(id(sink), ())))
        if unknowns:
            ctx.report(
                sink.node,
                CREWAI_LLM,
                f"the model of `{short_code(ctx, call.func)}` comes from {'; '.join(unknowns[:2])}: "
                "crewAI sends 'gpt-4o' and 'openai/gpt-4o' to OpenAI; if it names an OpenAI "
                f"model, use {WAY}",
            )
    for src in flow.sources.values():
        literal = string_value(src.node)
        if literal is not None:
            via = f" (through {src.via})" if src.via else ""
            _report_model(ctx, src.node, literal, "crewai.LLM", via)


def _bound_llm(ctx: RuleContext, call: cst.Call, arg: cst.Arg) -> None:
    """``Agent(llm=name)``: a name (or ``self.x``) bound to a model string
    is followed when that is its only binding; bound more than once, with
    one value that goes to OpenAI (a bare or ``openai/`` model string, a
    LangChain OpenAI model), it is reported as such: which value reaches
    the agent the tool cannot tell. Values that are ``crewai.LLM(...)`` are
    checked where they are built."""
    assert arg.keyword is not None
    values = _bound_values(ctx, arg.value, call)
    if not values:
        return
    what = f"`{arg.keyword.value}=` of crewAI's `{short_code(ctx, call.func)}`"
    name = short_code(ctx, arg.value)
    if len(values) == 1:
        literal = string_value(values[0]) if values[0] is not None else None
        if literal is not None:
            _report_model(ctx, values[0], literal, what, f" (through `{name}`)")  # type: ignore[arg-type]
        return
    openai_values: list[cst.BaseExpression] = []
    for v in values:
        literal = string_value(v) if v is not None else None
        if literal is not None and litellm_target(ctx, literal)[0] != "leave":
            openai_values.append(v)  # type: ignore[arg-type]
        elif _is_langchain_llm(ctx, v):
            openai_values.append(v)  # type: ignore[arg-type]
    if not openai_values:
        return
    shown = short_code(ctx, openai_values[0], 40)
    ctx.report(
        arg.value,
        CREWAI_LLM,
        f"{what} is `{name}`, bound {len(values)} times (the tool cannot tell which value "
        f"reaches the agent): `{shown}` at {REFS} goes to OpenAI (crewAI's OpenAI provider, "
        f"OPENAI_API_KEY); make every value {WAY}",
        refs=tuple(openai_values),
    )


def _default_llm(call: cst.Call) -> bool:
    """Does this crewAI ``Agent(...)`` get crewAI's default LLM: no ``llm``
    (or ``llm=None``), and nothing that may carry one (``config=``, ``**``)?"""
    for a in call.args:
        if a.star or a.keyword is None:
            return False
        if a.keyword.value == "config":
            return False
        if a.keyword.value == "llm":
            return type(a.value) is cst.Name and a.value.value == "None"
    return True


# the environment variables crewAI's default LLM reads (llm_utils.py)
_DEFAULT_ENV = frozenset(
    {"MODEL", "MODEL_NAME", "OPENAI_MODEL_NAME", "BASE_URL", "OPENAI_API_BASE", "OPENAI_BASE_URL"}
)


def _default_set(ctx: RuleContext) -> bool:
    """Does this module set crewAI's default model or base URL (``os.environ
    ["OPENAI_MODEL_NAME"] = ...``, ``os.environ.setdefault(...)``) to an
    OpenRouter value, or one the tool cannot read?"""
    f = ctx.facts

    def points_away(value: cst.BaseExpression) -> bool:
        text = string_value(value)
        return text is None or "openrouter" in text.lower()

    for sub in f.subscripts:
        if f.qualified(sub.value) != "os.environ" or len(sub.slice) != 1:
            continue
        index = sub.slice[0].slice
        name = string_value(index.value) if isinstance(index, cst.Index) else None
        if name not in _DEFAULT_ENV:
            continue
        target = f.parents.get(id(sub))
        assign = f.parents.get(id(target)) if isinstance(target, cst.AssignTarget) else None
        if isinstance(assign, cst.Assign) and points_away(assign.value):
            return True
    for call in f.calls:
        if f.qualified(call.func) in ("os.environ.setdefault", "os.putenv"):
            if len(call.args) == 2 and not any(a.star for a in call.args):
                if string_value(call.args[0].value) in _DEFAULT_ENV:
                    if points_away(call.args[1].value):
                        return True
        elif f.qualified(call.func) == "os.environ.update":
            return True  # what it sets is not read here
    return False


def _is_param(scope: cst.CSTNode, name: str) -> bool:
    params = getattr(scope, "params", None)
    if not isinstance(params, cst.Parameters):
        return False
    every = (*params.posonly_params, *params.params, *params.kwonly_params)
    star = [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    return any(p.name.value == name for p in (*every, *star))


def _is_kw(arg: cst.Arg, name: str) -> bool:
    return arg.keyword is not None and arg.keyword.value == name


def _report_model(
    ctx: RuleContext, node: cst.CSTNode, literal: str, what: str, via: str = ""
) -> None:
    action, detail = litellm_target(ctx, literal)
    if action == "leave":
        return
    if action == "report":
        ctx.report(
            node,
            CREWAI_LLM,
            f"model '{literal}'{via} of {what} goes to OpenAI and cannot move: {detail}",
        )
        return
    ctx.report(
        node,
        CREWAI_LLM,
        f"model '{literal}'{via} of {what} goes to OpenAI (crewAI's OpenAI provider, "
        f"OPENAI_API_KEY): use crewai.LLM(model='{detail}', "
        "api_key=os.environ['OPENROUTER_API_KEY']) (not rewritten)",
    )
