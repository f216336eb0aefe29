"""The OpenAI Agents SDK (``openai-agents``, import ``agents``).

``set_default_openai_client(client)`` makes ``client`` the client of every
agent whose model is a string (``Agent(model="gpt-4o")``) or absent: when
this run moves ``client`` to OpenRouter, those agents move with it. What
the SDK does with them, from its source (openai-agents 0.0.3 to 0.24.0):

- the model provider is a ``MultiProvider`` (the default since 0.0.12; before, a plain ``OpenAIProvider`` sent names unchanged): a model name
  ``"openai/gpt-4o"`` is split at its first ``/`` and ``openai`` is taken
  for the provider, so ``gpt-4o`` is what is sent. Keeping the prefix needs
  a model object, ``OpenAIChatCompletionsModel(model="openai/gpt-4o",
  openai_client=client)`` (it sends ``model`` unchanged, every version), or
  ``RunConfig(model_provider=MultiProvider(openai_prefix_mode="model_id"))``
  on every run (openai-agents 0.11.0 and later);
- string models use the Responses API unless
  ``set_default_openai_api("chat_completions")`` was called; OpenRouter's
  Responses API is stateless, and the SDK's Responses path relies on
  OpenAI's server-side state (``previous_response_id``, conversations,
  hosted tools);
- ``set_default_openai_client(client, use_for_tracing=True)`` (the default)
  exports traces to api.openai.com with ``client.api_key``: the OpenRouter
  key, once migrated. ``set_tracing_disabled(True)`` stops the export.
- an agent without a model gets the SDK's default model
  (``OPENAI_DEFAULT_MODEL``, else a built-in name that changes between
  releases), sent without a prefix.

The tool follows the client given to ``set_default_openai_client``
(through the per-client engine) and the ``Agent(...)`` calls of the same
module, and, the default client being one per process, those of the other
modules of the run that share its process (codemods/python/project.py:
plan_agents): one imports the other, or a third imports both. Their models
are mapped the same way when they import that client by name, else
reported with where it is set; a module of the same package that may or
may not share the process (no import links them) is reported only, and a
top-level script (a directory of independent examples) is a program of
its own. An agent on LiteLLM or any-llm (a ``litellm/`` or ``any-llm/``
model, ``LitellmModel(...)``) never uses the default client: left alone.
The SDK's settings
(``set_default_openai_api("chat_completions")``, ``set_tracing_disabled``)
made in another module of the process count too. A client moved while its
agents are not would send bare IDs to OpenRouter, so the client's own fix
(OR101) becomes unsafe when an agent of it needs a fix or a human.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from codemods.core.findings import Severity
from codemods.core.mapping import LookupKind
from codemods.core.rules import rule
from codemods.python import clients
from codemods.python.analysis import dotted_name
from codemods.python.project import resolve
from codemods.python.rules._edit import keyword_arg, string_literal
from codemods.python.rules.base import Report, RuleContext, checker
from codemods.python.rules.client import string_value

AGENT_MODEL = rule(
    code="OR431",
    name="agents-model-id",
    summary="Agents SDK agent whose model is a string, sent through a client on OpenRouter",
    severity=Severity.WARNING,
    fixable=True,
    what="""
        Reports an `Agent(...)` of the OpenAI Agents SDK whose model is a
        string (or absent) in a module that gives the SDK a client on
        OpenRouter, or one this run moves there
        (`set_default_openai_client(client)`). The fix
        passes a model object that keeps the OpenRouter ID and the client:
        `Agent(model=OpenAIChatCompletionsModel(model="openai/gpt-4o",
        openai_client=client))`, importing `OpenAIChatCompletionsModel`. An
        agent without a model, a model the tool cannot read or map, or a
        client that is not a module-level name bound once before the agent
        is built, is reported without a fix. A copy made with another model,
        `agent.clone(model="gpt-4o-mini")` (`Agent.clone` is
        `dataclasses.replace`), is fixed the same way when the tool can see
        that `agent` is an `Agent(...)` (or a clone of one); a `.clone(model=...)`
        of anything else is reported without a fix. Agents built in other modules
        of the same process (one imports the other, or a third imports
        both) are followed: fixed the same way when they import that client
        by name, else reported with where it is set; a module of the same
        package that may not share the process (no import links them) is
        reported only; a top-level script elsewhere is a program of its
        own. The finding on `set_default_openai_client` lists them when this
        module builds none. An agent whose model is a `litellm/` or
        `any-llm/` string or a `LitellmModel(...)` / `AnyLLMModel(...)`
        (directly or through a name) is not reported: the SDK's
        `MultiProvider` sends it through LiteLLM or any-llm, never through
        the OpenAI client.
    """,
    why="""
        The SDK's model provider (`MultiProvider`, the default since
        openai-agents 0.0.12) reads a leading `openai/` as its own provider
        prefix and strips it: `Agent(model="openai/gpt-4o")` sends
        `gpt-4o`, which OpenRouter refuses. A model
        object sends its name unchanged (every openai-agents release), and
        uses chat completions, which OpenRouter serves fully. On
        openai-agents 0.11.0 and later,
        `RunConfig(model_provider=MultiProvider(openai_prefix_mode="model_id"))`
        on every run keeps the prefix too.
    """,
    before="""
        from agents import Agent, set_default_openai_api, set_default_openai_client
        from openai import AsyncOpenAI

        client = AsyncOpenAI()
        set_default_openai_client(client, use_for_tracing=False)
        set_default_openai_api("chat_completions")
        agent = Agent(name="helper", instructions="Be brief.", model="gpt-4o")
    """,
    after="""
        import os
        from agents import Agent, set_default_openai_api, set_default_openai_client, OpenAIChatCompletionsModel
        from openai import AsyncOpenAI

        client = AsyncOpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
        set_default_openai_client(client, use_for_tracing=False)
        set_default_openai_api("chat_completions")
        agent = Agent(name="helper", instructions="Be brief.", model=OpenAIChatCompletionsModel(model="openai/gpt-4o", openai_client=client))
    """,
    fix_safety="""
        Always unsafe: the agent moves from the Responses API to chat
        completions (hosted tools such as web or file search stop working),
        and the tool cannot see agents other modules build. The client's own
        fix (OR101) is unsafe too while this finding stands.
    """,
    sometimes_unsafe=True,
)

RESPONSES_API = rule(
    code="OR432",
    name="agents-responses-api",
    summary="Agents SDK default client on OpenRouter while agents use the Responses API",
    severity=Severity.WARNING,
    fixable=True,
    what="""
        Reports `set_default_openai_client(client)` with a client on OpenRouter (or
        one this run moves there) when neither its module nor another module
        of its process calls `set_default_openai_api("chat_completions")`, and
        `OpenAIResponsesModel(...)` on such a client. The fix adds
        `set_default_openai_api("chat_completions")` after the call.
    """,
    why="""
        Agents with a string model use the Responses API by default, and the
        SDK's Responses path relies on OpenAI's server-side state
        (`previous_response_id`, conversations, hosted tools); OpenRouter's
        Responses API is stateless. Chat completions work the same on
        OpenRouter.
    """,
    before="""
        from agents import set_default_openai_client, set_tracing_disabled
        from openai import AsyncOpenAI

        client = AsyncOpenAI()
        set_default_openai_client(client)
        set_tracing_disabled(True)
    """,
    after="""
        import os
        from agents import set_default_openai_client, set_tracing_disabled, set_default_openai_api
        from openai import AsyncOpenAI

        client = AsyncOpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
        set_default_openai_client(client)
        set_default_openai_api("chat_completions")
        set_tracing_disabled(True)
    """,
    fix_safety="""
        Always unsafe: agents that use hosted tools or server-side
        conversations stop working on chat completions.
    """,
    sometimes_unsafe=True,
)

TRACING = rule(
    code="OR433",
    name="agents-tracing-key",
    summary="Agents SDK would export traces to OpenAI with the OpenRouter key",
    severity=Severity.WARNING,
    fixable=True,
    what="""
        Reports `set_default_openai_client(client)` (with `use_for_tracing`
        left true) with a client on OpenRouter (or one this run moves
        there), when neither its module nor another module of its process
        calls `set_tracing_disabled(True)`. The fix adds
        `set_tracing_disabled(True)` after the call.
    """,
    why="""
        The SDK exports traces to api.openai.com with the default client's
        key: after the migration that is the OpenRouter key, which OpenAI
        refuses and should not receive. Tracing needs a real OpenAI key:
        disable it, or pass `use_for_tracing=False` and give the tracer an
        OpenAI key (`set_tracing_export_api_key`).
    """,
    before="""
        from agents import set_default_openai_api, set_default_openai_client
        from openai import AsyncOpenAI

        client = AsyncOpenAI()
        set_default_openai_client(client)
        set_default_openai_api("chat_completions")
    """,
    after="""
        import os
        from agents import set_default_openai_api, set_default_openai_client, set_tracing_disabled
        from openai import AsyncOpenAI

        client = AsyncOpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
        set_default_openai_client(client)
        set_tracing_disabled(True)
        set_default_openai_api("chat_completions")
    """,
    fix_safety="""
        Always unsafe: the traces the program sent to OpenAI stop.
    """,
    sometimes_unsafe=True,
)

DEFAULT_CLIENT = rule(
    code="OR434",
    name="agents-default-client",
    summary="Agents SDK agents run through the SDK's own default client, which calls OpenAI",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports, once per module, a module that runs agents of the OpenAI
        Agents SDK (`Runner.run`, `Runner.run_sync`, `Runner.run_streamed`)
        or builds an `Agent(...)` whose model is a string (bare or
        `openai/...`) or absent, when neither it nor another module of its
        process (one imports the other, or a third imports both) gives the
        SDK a client: no `set_default_openai_client(...)`, no model object
        with a client (`OpenAIChatCompletionsModel(openai_client=...)`), no
        `OpenAIProvider(openai_client=...)` / `OpenAIProvider(base_url=...)`
        (or `MultiProvider`'s `openai_client=` / `openai_base_url=`), no
        `RunConfig(model_provider=...)`. A module whose agents all carry a
        model object, or a `litellm/` or `any-llm/` model (the SDK's other
        providers), only running them, is not reported. Each agent is judged
        on its own: such a model serves only the agent given it, so a string
        model agent next to it is reported, and a model object with a
        client (here or in a module of its process) stands only for agents
        whose model the tool cannot read. Also reports
        `OpenAIProvider(...)` / `MultiProvider(...)` given neither a client
        nor a base URL: with no other option it uses the default client, so
        it is reported only when the process sets none; with `api_key=`,
        `organization=` or `project=` it builds its own client on OpenAI's
        URL whatever the default client is (openai-agents 0.21.0 and later;
        before, it used the default client when one was set). A module of
        the same package that sets a client but is not seen to share the
        process (no import links them) is named in the message; other
        top-level scripts (a folder of independent examples) are not: each
        is a program of its own. A run with a module of its own named `agents` (a
        project's `agents/` package) gets none: `from agents import Agent`
        may be that.
        Nothing is rewritten: the client, its key, the API and the models
        are the program's to choose.
    """,
    why="""
        Without a configured client the SDK builds `AsyncOpenAI()` itself,
        which calls api.openai.com with OPENAI_API_KEY: the code is not on
        OpenRouter, however the rest of the program is migrated, and the
        tool sees no client to move. To move it, give the SDK a client on
        OpenRouter once per process:
        `set_default_openai_client(AsyncOpenAI(base_url="https://openrouter.ai/api/v1",
        api_key=os.environ["OPENROUTER_API_KEY"]))`, then
        `set_default_openai_api("chat_completions")` (OpenRouter's Responses
        API is stateless), `set_tracing_disabled(True)` (traces go to OpenAI
        with the default client's key), and model objects
        `OpenAIChatCompletionsModel(model="openai/gpt-4o", openai_client=client)`
        (the SDK strips an `openai/` prefix from string models; OR431 then
        checks them). Checked against openai-agents 0.0.3 to 0.24.0: an
        agent without a model gets `OPENAI_DEFAULT_MODEL` or a built-in
        name; since 0.21.0 `OpenAIProvider` uses the default client only when
        given no `api_key`, `base_url`, `organization` or `project`. The
        tool cannot see `OPENAI_BASE_URL` set in the environment.
    """,
    before="""
        from agents import Agent, Runner

        agent = Agent(name="helper", instructions="Be brief.")
        print(Runner.run_sync(agent, "Hello").final_output)
    """,
)

# memo: what this module tells the project pass (copied into ModuleSummary)
AGENTS_FACTS = "agents_facts"
_AGENTS = "agents."
_SET_CLIENT = frozenset({"agents.set_default_openai_client"})
_AGENT_CLASSES = frozenset({"agents.Agent", "agents.agent.Agent"})
_RESPONSES_MODEL = frozenset(
    {"agents.OpenAIResponsesModel", "agents.models.openai_responses.OpenAIResponsesModel"}
)
_CHAT_MODEL = frozenset(
    {
        "agents.OpenAIChatCompletionsModel",
        "agents.models.openai_chatcompletions.OpenAIChatCompletionsModel",
    }
)
_RUNS = frozenset(
    f"{runner}.{method}"
    for runner in ("agents.Runner", "agents.run.Runner")
    for method in ("run", "run_sync", "run_streamed")
)
_RUN_CONFIG = frozenset({"agents.RunConfig", "agents.run.RunConfig"})
# provider -> (its client keyword, its base URL keyword, its other client options)
_PROVIDERS = {
    "agents.OpenAIProvider": ("openai_client", "base_url", ("api_key", "organization", "project")),
    "agents.MultiProvider": (
        "openai_client",
        "openai_base_url",
        ("openai_api_key", "openai_organization", "openai_project"),
    ),
}
_PROVIDERS["agents.models.openai_provider.OpenAIProvider"] = _PROVIDERS["agents.OpenAIProvider"]
_PROVIDERS["agents.models.multi_provider.MultiProvider"] = _PROVIDERS["agents.MultiProvider"]
# model prefixes the SDK's MultiProvider routes to providers of their own
# (LiteLLM since openai-agents 0.0.12, any-llm since 0.13), never to the
# OpenAI client: ``"litellm/anthropic/claude-3-5-sonnet"``
_OTHER_PROVIDERS = ("litellm/", "any-llm/")
# the model objects of those providers (their own client, never the default one)
_OTHER_MODELS = frozenset(
    {
        "agents.extensions.models.litellm_model.LitellmModel",
        "agents.extensions.models.any_llm_model.AnyLLMModel",
    }
)
_TO_OPENROUTER = (
    '`set_default_openai_client(AsyncOpenAI(base_url="https://openrouter.ai/api/v1", '
    'api_key=os.environ["OPENROUTER_API_KEY"]))`, `set_default_openai_api("chat_completions")`, '
    "`set_tracing_disabled(True)` (traces go to OpenAI with the default client's key), and "
    '`model=OpenAIChatCompletionsModel(model="openai/...", openai_client=client)` on the agents '
    "(the SDK strips `openai/` from a string model)"
)


@dataclass
class _Default:
    call: cst.Call  # set_default_openai_client(...)
    client: cst.BaseExpression
    scope: cst.CSTNode | None
    tracing: bool  # use_for_tracing not given as False


@checker
def check_agents(ctx: RuleContext) -> None:
    f = ctx.facts
    if not f.imports_module("agents"):
        return
    index = clients.index(ctx)
    defaults: list[_Default] = []
    chat_api = responses_api = tracing_off = own_default = False
    agents: list[cst.Call] = []
    responses_models: list[cst.Call] = []
    for call in f.calls:
        q = f.qualified(call.func)
        if q is None or not q.startswith(_AGENTS):
            continue
        if q in _SET_CLIENT:
            own_default = True  # this module sets the default client (moved or not)
            client = _arg(call, "client", 0)
            if client is None:
                continue
            tracing = _arg(call, "use_for_tracing", 1)
            scope = f.scope_of.get(id(call))
            if index.kind(client, scope) != "openai":
                continue  # left where it points, or not known: its agents too
            off = tracing is not None and dotted_name(tracing) == "False"
            defaults.append(_Default(call, client, scope, not off))
        elif q == "agents.set_default_openai_api":
            api = _arg(call, "api", 0)
            value = string_value(api) if api is not None else None
            chat_api |= value == "chat_completions"
            responses_api |= value != "chat_completions"
        elif q == "agents.set_tracing_disabled":
            disabled = _arg(call, "disabled", 0)
            tracing_off |= disabled is not None and dotted_name(disabled) == "True"
        elif q in _AGENT_CLASSES:
            if _cloned_with_model(ctx, call) is None:  # ``Agent(...).clone(model=...)``
                agents.append(call)
        elif q in _RESPONSES_MODEL:
            responses_models.append(call)
    # ``agent.clone(model="gpt-4o")``: a copy of an agent with another model
    clones = [
        call
        for call in f.calls
        if isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "clone"
        and _arg(call, "model", None) is not None
    ]
    for call in responses_models:
        client = _arg(call, "openai_client", 1)
        scope = f.scope_of.get(id(call))
        if client is not None and index.kind(client, scope) == "openai":
            report = ctx.report(
                call,
                RESPONSES_API,
                "`OpenAIResponsesModel(...)` on a client on OpenRouter: OpenRouter's "
                "Responses API is stateless and the SDK's Responses path relies on OpenAI's "
                "server-side state; use `OpenAIChatCompletionsModel(...)`",
            )
            _hold_client(ctx, client, scope, report)
    project = ctx.project
    configured, unconfigured = _default_client(ctx, agents)
    # agents on LiteLLM or any-llm never use the default client: not OR431's
    builds = bool(agents)
    agents = [a for a in agents if not _other_provider_agent(ctx, a)]
    # what the other modules of the process tell (codemods/python/project.py: plan_agents)
    elsewhere = dict(project.agents_settings) if project is not None else {}
    chat_api |= "chat_completions" in elsewhere
    tracing_off |= "tracing_off" in elsewhere
    facts: dict[str, object] = {
        "settings": {"chat_completions"}
        if chat_api and "chat_completions" not in elsewhere
        else set(),
        "built": bool(agents) and not own_default,
        "configured": configured,
        "unconfigured": unconfigured,
    }
    if tracing_off and "tracing_off" not in elsewhere:
        facts["settings"].add("tracing_off")  # type: ignore[attr-defined]
    ctx.memo[AGENTS_FACTS] = facts
    if not defaults:
        if agents and not own_default and project is not None and project.agents_default:
            _agents_of_another_default(ctx, agents, project.agents_default)
        return
    first = defaults[0]
    name = first.client.value if type(first.client) is cst.Name else ""  # type: ignore[attr-defined]
    module_level = first.scope is None and name and len(f.bindings.get((0, name), ())) == 1
    facts["default"] = [
        name if module_level else "",
        clients._lines(ctx, [first.call])[id(first.call)],
    ]
    needs: list[Report] = []
    if not chat_api:
        needs.append(_responses_api(ctx, first, responses_api))
    for d in defaults:
        if d.tracing and not tracing_off:
            needs.append(_tracing(ctx, d))
    for call in agents:
        needs += _agent(ctx, call, first)
    for call in clones:
        needs += _clone(ctx, call, first)
    if not builds:
        built = project.agents_built if project is not None else ()
        where = (
            f" ({', '.join(built[:3])}{', ...' if len(built) > 3 else ''}: reported there)"
            if built
            else ""
        )
        needs.append(
            ctx.report(
                first.call,
                AGENT_MODEL,
                "the Agents SDK's default client is on OpenRouter (or moves there), and this module builds no "
                f"`Agent`: agents built elsewhere{where} with a string model send it without the "
                "`openai/` prefix (the SDK strips it); give them "
                '`model=OpenAIChatCompletionsModel(model="openai/...", openai_client=client)`',
            )
        )
    for d in defaults:
        for r in needs:
            _hold_client(ctx, d.client, d.scope, r)


def _default_client(ctx: RuleContext, agents: list[cst.Call]) -> tuple[str, bool]:
    """OR434: agents run through the SDK's own default client (``AsyncOpenAI()``
    on OPENAI_API_KEY) when no module of the process gives it one. Returns
    how this module gives the SDK a client ("default": it sets the default
    client; "provider": a provider with a client or base URL,
    ``RunConfig(model_provider=...)``; "model": a model object with a
    client; "") and whether it has code that needs one (what the project
    pass matches with the other modules).

    Each agent is judged on its own: a model object or a LiteLLM / any-llm
    model serves only the agent given it, never the agents next to it. An
    agent whose model is surely a string goes through the provider, so only
    the default client or a provider handed to the run serves it; a model
    object with a client (here or in a module of its process) may be what
    an agent's model name holds, so it serves the agents whose model the
    tool cannot read."""
    f = ctx.facts
    configured = ""
    own_models = False  # an agent with a model object (or an unread model)
    # (call, how it is shown, whether its model is surely a string)
    needs: list[tuple[cst.Call, str, bool]] = []
    runs: list[cst.Call] = []
    providers: list[tuple[cst.Call, str, list[str]]] = []  # (call, shown, options given)
    for call in f.calls:
        q = f.qualified(call.func)
        if q is None or not q.startswith(_AGENTS):
            continue
        if q in _SET_CLIENT:
            configured = _stronger(configured, "default")
        elif q in _CHAT_MODEL or q in _RESPONSES_MODEL:
            if _arg(call, "openai_client", 1) is not None or any(a.star for a in call.args):
                configured = _stronger(configured, "model")
        elif q in _RUN_CONFIG:
            if _arg(call, "model_provider", None) is not None or any(a.star for a in call.args):
                configured = _stronger(configured, "provider")
        elif q in _PROVIDERS:
            client_kw, url_kw, options = _PROVIDERS[q]
            if any(a.star for a in call.args) or any(
                _arg(call, kw, None) is not None for kw in (client_kw, url_kw)
            ):
                configured = _stronger(configured, "provider")
            else:
                given = [o for o in options if _arg(call, o, None) is not None]
                providers.append((call, q.rsplit(".", 1)[-1], given))
        elif q in _RUNS:
            runs.append(call)
    for call in agents:
        model = _arg(call, "model", None)
        if model is None:
            if any(a.star for a in call.args):
                own_models = True
            else:
                # the SDK's default model, unless the run gives one
                needs.append((call, "Agent(...)", False))
            continue
        if isinstance(model, cst.Call):
            # a model object: its own client (a chat completions model without
            # one is reported by the model rules), LiteLLM, any-llm... for
            # this agent only
            own_models = True
            continue
        if _other_provider_agent(ctx, call):
            own_models = True  # the SDK's LiteLLM or any-llm provider, for this agent only
        else:
            # a string, or a name, parameter or attribute holding one (a model
            # object built in this module with a client may be what it holds;
            # one built in another module of its process too)
            scope = f.scope_of.get(id(call))
            plain = _surely(ctx, model, scope, lambda e, _check: string_value(e) is not None)
            needs.append((call, "Agent(...)", plain))
    if not own_models:
        needs += [(call, ctx.module.code_for_node(call.func) + "(...)", False) for call in runs]
    project = ctx.project
    others = project.agents_configured if project is not None else ()
    sure = [(where, kind) for where, kind, close in others if close]

    def hint(kinds: tuple[str, ...]) -> str:
        # modules of the run that may share its process and configure the SDK
        unsure = [where for where, kind, close in others if not close and kind in kinds]
        if not unsure:
            return ""
        verb = "sets" if len(unsure) == 1 else "set"
        return (
            f" ({', '.join(unsure[:3])}{', ...' if len(unsure) > 3 else ''} {verb} up the "
            "SDK's client or models: if this module runs in the same process, this does not apply)"
        )

    # agents of a default client set in a module that may share the process
    # are reported by OR431 already, saying so (_agents_of_another_default)
    told = bool(agents) and project is not None and bool(project.agents_default)

    def served(plain: bool, kinds: list[str]) -> bool:
        # a string model goes through the provider: a model object serves it not
        return any(kind != "model" or not plain for kind in kinds if kind)

    here_unserved = [n for n in needs if not served(n[2], [configured])]
    unserved = [n for n in here_unserved if not served(n[2], [kind for _, kind in sure])]
    if unserved and not told:
        order = {id(c): i for i, c in enumerate(f.calls)}  # source order
        first = min(unserved, key=lambda n: order.get(id(n[0]), 0))
        ctx.report(
            first[0],
            DEFAULT_CLIENT,
            f"`{first[1]}` runs through the Agents SDK's default client, and no module of its "
            "process gives the SDK one (`set_default_openai_client`, a model object with a "
            "client, `OpenAIProvider(openai_client=...)`, `RunConfig(model_provider=...)`): "
            "the SDK builds `AsyncOpenAI()`, which calls api.openai.com with OPENAI_API_KEY. "
            f"To use OpenRouter, add once per process {_TO_OPENROUTER}"
            + hint(("default", "provider") if first[2] else ("default", "provider", "model")),
        )
    default_set = configured == "default" or any(kind == "default" for _, kind in sure)
    for call, shown, given in providers:
        if given:
            ctx.report(
                call,
                DEFAULT_CLIENT,
                f"`{shown}({', '.join(o + '=...' for o in given)})` without a client or a base "
                "URL builds its own `AsyncOpenAI` on api.openai.com (openai-agents 0.21.0 and "
                "later, even when a default client is set): pass "
                '`openai_client=AsyncOpenAI(base_url="https://openrouter.ai/api/v1", '
                'api_key=os.environ["OPENROUTER_API_KEY"])`',
            )
        elif not default_set:
            ctx.report(
                call,
                DEFAULT_CLIENT,
                f"`{shown}()` without a client uses the Agents SDK's default client, and no "
                "module of its process sets one: the SDK builds `AsyncOpenAI()`, which calls "
                "api.openai.com with OPENAI_API_KEY. Pass "
                '`openai_client=AsyncOpenAI(base_url="https://openrouter.ai/api/v1", '
                'api_key=os.environ["OPENROUTER_API_KEY"])`' + hint(("default",)),
            )
    unconfigured = bool(here_unserved) or any(not g for _, _, g in providers)
    return configured, unconfigured


_CONFIGURED_RANK = {"": 0, "model": 1, "provider": 2, "default": 3}


def _stronger(configured: str, kind: str) -> str:
    """The broader of two ways a module gives the SDK a client
    (:func:`_default_client`): the default client serves every agent, a
    provider the runs given it, a model object only the agents holding it."""
    return kind if _CONFIGURED_RANK[kind] > _CONFIGURED_RANK[configured] else configured


def _agents_of_another_default(
    ctx: RuleContext, agents: list[cst.Call], defaults: tuple[tuple[str, str, str, bool], ...]
) -> None:
    """Agents of a module whose process gives the SDK its default client in
    another module (``set_default_openai_client(client)`` there, a client
    this run moves): they go to OpenRouter with it. Their model is mapped
    as in the client's module when this module imports that client (``from
    config import client``); otherwise reported, with where the client is
    set. When the tool cannot tell that the two modules run in one process
    (neither imports the other, nor does a third import both), reported
    only, saying so."""
    f = ctx.facts
    project = ctx.project
    sure = [d for d in defaults if d[3]]
    if not sure:
        where = ", ".join(d[0] for d in defaults[:3])
        for call in agents:
            model = _arg(call, "model", None)
            if isinstance(model, cst.Call) or (model is None and any(a.star for a in call.args)):
                continue  # a model object: its own client and name (the model rules)
            ctx.report(
                call,
                AGENT_MODEL,
                "`Agent(...)` goes to OpenRouter if this module runs in the process that sets "
                f"the Agents SDK's default client to a client on OpenRouter ({where}), and "
                "its string model then loses its `openai/` prefix (the SDK strips it): pass "
                '`model=OpenAIChatCompletionsModel(model="openai/...", openai_client=client)` '
                "there (not rewritten: the tool cannot see that they share a process)",
            )
        return
    where, module, name, _ = sure[0]
    local = None
    if project is not None and project.module is not None and name:
        me, is_pkg = project.module
        for alias, (written, imported) in sorted(f.from_imports.items()):
            if written == "?" or imported != name or f.assignment_counts.get(alias, 0) != 0:
                continue
            if resolve(written, me, is_pkg) == module and alias not in f.other_bindings:
                local = alias
                break
    for call in agents:
        # (without the imported client the fix is not offered: the name is a placeholder)
        d = _Default(call, cst.Name(local or "client"), None, False)
        _agent(ctx, call, d, elsewhere=where, imported=local is not None)


def _hold_client(
    ctx: RuleContext, client: cst.BaseExpression, scope: cst.CSTNode | None, by: Report
) -> None:
    """The client's OR101 fix moves only with ``by``'s: unsafe, and dropped
    when ``by`` is suppressed (its agents would then keep bare IDs)."""
    index = clients.index(ctx)
    for site in index.sites_of(client, scope):
        report = ctx.client_reports.get(site)
        if report is None or report is by:
            continue
        index.unsafe_sites.add(site)
        if not report.unsafe:
            report.unsafe = True
            report.message += (
                "; unsafe fix: the Agents SDK uses this client for agents that need a fix "
                "or a human (OR431-OR433)"
            )
        by.requires.append(report)


def _arg(call: cst.Call, name: str, position: int | None) -> cst.BaseExpression | None:
    seen = 0
    for a in call.args:
        if a.star:
            return None
        if a.keyword is None:
            if position is not None and seen == position:
                return a.value
            seen += 1
        elif a.keyword.value == name:
            return a.value
    return None


# ---- fixes ----------------------------------------------------------------


def _callee(ctx: RuleContext, anchor: cst.Call, name: str) -> tuple[cst.BaseExpression, object]:
    """How this module can call ``agents.<name>``: the expression, and the
    import edit it needs (None: none; False: the name is taken)."""
    f = ctx.facts
    func = anchor.func
    if isinstance(func, cst.Attribute):  # ``agents.set_default_openai_client``
        return cst.Attribute(value=func.value, attr=cst.Name(name)), None
    targets = f.imports.get(name)
    if targets == {_AGENTS + name} and name not in f.other_bindings:
        return cst.Name(name), None
    if targets or name in f.other_bindings or name in f.name_uses:
        return cst.Name(name), False
    for line in f.top_level_import_lines:
        for stmt in line.body:
            if (
                isinstance(stmt, cst.ImportFrom)
                and stmt.relative == ()
                and stmt.module is not None
                and dotted_name(stmt.module) == "agents"
                and not isinstance(stmt.names, cst.ImportStar)
            ):
                return cst.Name(name), stmt
    return cst.Name(name), False


def _add_name(name: str):
    def fix(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar)
        names = list(node.names)
        if any(a.asname is None and dotted_name(a.name) == name for a in names):
            return node
        last = names[-1]
        if last.comma is cst.MaybeSentinel.DEFAULT or isinstance(last.comma, cst.MaybeSentinel):
            names[-1] = last.with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
            names.append(cst.ImportAlias(name=cst.Name(name)))
        else:  # a trailing comma (a parenthesized list): keep its layout
            names.append(cst.ImportAlias(name=cst.Name(name), comma=last.comma))
        return node.with_changes(names=names)

    return fix


def _statement(ctx: RuleContext, call: cst.Call) -> tuple[cst.CSTNode, int] | None:
    """The block around ``call``'s statement (module or indented block) and
    the statement's index in it, when the call is a statement of its own."""
    parents = ctx.facts.parents
    expr = parents.get(id(call))
    line = parents.get(id(expr)) if expr is not None else None
    if not (
        isinstance(expr, cst.Expr)
        and isinstance(line, cst.SimpleStatementLine)
        and len(line.body) == 1
    ):
        return None
    block = parents.get(id(line))
    if not isinstance(block, (cst.Module, cst.IndentedBlock)):
        return None
    for i, stmt in enumerate(block.body):
        if stmt is line:
            return block, i
    return None


def _insert_after(ctx: RuleContext, anchor: cst.Call, name: str, arg: cst.BaseExpression):
    """A fix adding ``<agents>.name(arg)`` after ``anchor``'s statement, with
    its import edit (None when the tool cannot write it)."""
    where = _statement(ctx, anchor)
    callee, import_edit = _callee(ctx, anchor, name)
    if where is None or import_edit is False:
        return None
    block, index = where
    func = anchor.func
    # which of the block's statements calling the same function it is (its
    # position may move: another fix inserts ``import os`` at the top)
    nth = sum(1 for s in block.body[:index] if _calls(s, func))

    def fix(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, (cst.Module, cst.IndentedBlock))
        body = list(node.body)
        seen = 0
        for i, stmt in enumerate(body):
            if _calls(stmt, func):
                if seen == nth:
                    new = cst.SimpleStatementLine(
                        body=[cst.Expr(cst.Call(func=callee, args=[cst.Arg(arg)]))]
                    )
                    body.insert(i + 1, new)
                    return node.with_changes(body=body)
                seen += 1
        return node

    return fix, block, import_edit


def _calls(stmt: cst.CSTNode, func: cst.BaseExpression) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, cst.Call)
        and stmt.body[0].value.func.deep_equals(func)
    )


def _responses_api(ctx: RuleContext, d: _Default, explicit: bool) -> Report:
    message = (
        "the Agents SDK's default client is on OpenRouter (or moves there), but agents with a string model "
        "use the Responses API, which relies on OpenAI's server-side state (OpenRouter's is "
        'stateless): call `set_default_openai_api("chat_completions")`'
    )
    planned = (
        None
        if explicit
        else _insert_after(
            ctx, d.call, "set_default_openai_api", string_literal("chat_completions")
        )
    )
    if planned is None:
        return ctx.report(d.call, RESPONSES_API, message)
    fix, block, import_edit = planned
    report = ctx.report(d.call, RESPONSES_API, message, fix=lambda n: n, unsafe=True)
    ctx.needs(report, block, fix)
    if import_edit is not None:
        ctx.needs(report, import_edit, _add_name("set_default_openai_api"))
    return report


def _tracing(ctx: RuleContext, d: _Default) -> Report:
    message = (
        "the Agents SDK exports traces to api.openai.com with this client's key, the "
        "OpenRouter key once migrated: call `set_tracing_disabled(True)`, or pass "
        "`use_for_tracing=False` and give the tracer an OpenAI key"
    )
    planned = _insert_after(ctx, d.call, "set_tracing_disabled", cst.Name("True"))
    if planned is None:
        return ctx.report(d.call, TRACING, message)
    fix, block, import_edit = planned
    report = ctx.report(d.call, TRACING, message, fix=lambda n: n, unsafe=True)
    ctx.needs(report, block, fix)
    if import_edit is not None:
        ctx.needs(report, import_edit, _add_name("set_tracing_disabled"))
    return report


def _cloned_with_model(ctx: RuleContext, call: cst.Call) -> cst.Call | None:
    """The ``.clone(model=...)`` call made directly on ``call``'s result."""
    parents = ctx.facts.parents
    attr = parents.get(id(call))
    outer = parents.get(id(attr)) if isinstance(attr, cst.Attribute) else None
    if (
        isinstance(attr, cst.Attribute)
        and attr.value is call
        and attr.attr.value == "clone"
        and isinstance(outer, cst.Call)
        and outer.func is attr
        and _arg(outer, "model", None) is not None
    ):
        return outer
    return None


def _is_agent(ctx: RuleContext, expr: cst.BaseExpression, scope: cst.CSTNode | None) -> bool:
    """Is ``expr`` surely an ``Agent``: ``Agent(...)``, ``x.clone(...)`` of
    one, or a name every binding of which (in the nearest scope that binds
    it) is one?"""
    f = ctx.facts

    def agent(e: cst.BaseExpression, check) -> bool:
        if not isinstance(e, cst.Call):
            return False
        if f.qualified(e.func) in _AGENT_CLASSES:
            return True
        func = e.func
        return isinstance(func, cst.Attribute) and func.attr.value == "clone" and check(func.value)

    return _surely(ctx, expr, scope, agent)


def _other_provider(ctx: RuleContext, model: cst.BaseExpression, scope: cst.CSTNode | None) -> bool:
    """Is ``model`` (an agent's ``model=``) surely one the SDK sends through a
    provider of its own, never the OpenAI client: a ``litellm/...`` or
    ``any-llm/...`` string (``MultiProvider`` hands those to LiteLLM or
    any-llm), a ``LitellmModel(...)`` / ``AnyLLMModel(...)``, or a name every
    binding of which is one? Such an agent gets no OpenRouter advice."""
    f = ctx.facts

    def other(e: cst.BaseExpression, _check) -> bool:
        if isinstance(e, cst.Call):
            return f.qualified(e.func) in _OTHER_MODELS
        value = string_value(e)
        return value is not None and value.startswith(_OTHER_PROVIDERS)

    return _surely(ctx, model, scope, other)


def _other_provider_agent(ctx: RuleContext, call: cst.Call) -> bool:
    """Is ``call`` (``Agent(...)``, ``x.clone(model=...)``) given a model of
    another provider (:func:`_other_provider`)?"""
    model = _arg(call, "model", None)
    return model is not None and _other_provider(ctx, model, ctx.facts.scope_of.get(id(call)))


def _surely(ctx: RuleContext, expr: cst.BaseExpression, scope: cst.CSTNode | None, test) -> bool:
    """``test(e, check)`` holds for ``expr``, or ``expr`` is a name every
    binding of which (in the nearest scope that binds it, not a parameter)
    passes it; ``check(e)`` asks the same of another expression (in
    ``expr``'s scope)."""
    f = ctx.facts
    seen: set[int] = set()

    def check(e: cst.BaseExpression, scope: cst.CSTNode | None) -> bool:
        if id(e) in seen:
            return False
        seen.add(id(e))
        if not isinstance(e, cst.Name):
            return test(e, lambda inner: check(inner, scope))
        node = scope
        while node is not None:
            if isinstance(node, (cst.FunctionDef, cst.Lambda)) and _has_param(node, e.value):
                return False
            values = f.bindings.get((id(node), e.value))
            if values:
                return all(v is not None and check(v, node) for v in values)
            node = f.scope_of.get(id(node))
        values = f.bindings.get((0, e.value))
        if not values or e.value in f.imports:
            return False
        return all(v is not None and check(v, None) for v in values)

    return check(expr, scope)


def _clone(ctx: RuleContext, call: cst.Call, d: _Default) -> list[Report]:
    """``agent.clone(model=...)`` (``Agent.clone`` is ``dataclasses.replace``:
    the copy sends its model through the default client like an ``Agent``
    built with it). An agent the tool can prove is fixed like
    ``Agent(model=...)``; another receiver named ``clone`` is reported."""
    assert isinstance(call.func, cst.Attribute)
    if _other_provider_agent(ctx, call):
        return []  # a copy on LiteLLM or any-llm: not the default client's
    receiver = call.func.value
    shown = ctx.module.code_for_node(receiver)
    if isinstance(receiver, cst.Call):
        shown = ctx.module.code_for_node(receiver.func) + "(...)"
    label = f"{shown if len(shown) <= 30 else '<agent>'}.clone"
    if _is_agent(ctx, receiver, ctx.facts.scope_of.get(id(call))):
        return _agent(ctx, call, d, label=label)
    model = _arg(call, "model", None)
    assert model is not None
    return [
        ctx.report(
            model,
            AGENT_MODEL,
            f"`{label}(model={ctx.module.code_for_node(model)})` may copy an agent, whose "
            "model then goes through the client on OpenRouter without its `openai/` prefix "
            "(the SDK strips it); the tool cannot tell what it clones: if it is an agent, pass "
            '`OpenAIChatCompletionsModel(model="openai/...", openai_client=client)`',
        )
    ]


def _agent(
    ctx: RuleContext,
    call: cst.Call,
    d: _Default,
    elsewhere: str = "",
    imported: bool = False,
    label: str = "Agent",
) -> list[Report]:
    """The finding on one agent of the default client ``d`` (``elsewhere``:
    set at this "path:line" of another module; ``imported``: this module
    imports that client by the name ``d.client``)."""
    reports = _agent_reports(ctx, call, d, elsewhere, imported, label)
    if elsewhere:
        for r in reports:
            r.message += (
                f" (the SDK's default client is set to a client on OpenRouter at {elsewhere})"
            )
    return reports


def _agent_reports(
    ctx: RuleContext, call: cst.Call, d: _Default, elsewhere: str, imported: bool, label: str
) -> list[Report]:
    model = _arg(call, "model", None)
    if model is None:
        if any(a.star for a in call.args):
            return []
        return [
            ctx.report(
                call,
                AGENT_MODEL,
                "`Agent(...)` without a model uses the SDK's default model "
                "(OPENAI_DEFAULT_MODEL or a built-in name), sent without the `openai/` prefix "
                "through the client on OpenRouter: pass "
                '`model=OpenAIChatCompletionsModel(model="openai/...", openai_client=client)`',
            )
        ]
    if isinstance(model, cst.Call):
        return []  # a model object: its own client and name (the model rules)
    value = string_value(model)
    if value is None:
        return [
            ctx.report(
                model,
                AGENT_MODEL,
                f"`{label}(model={ctx.module.code_for_node(model)})` goes through the client on "
                "OpenRouter; the tool rewrites only a literal model here, and a string model "
                "loses its `openai/` prefix (the SDK strips it): pass "
                '`OpenAIChatCompletionsModel(model="openai/...", openai_client=client)`',
            )
        ]
    bare = value[len("openai/") :] if value.startswith("openai/") else value
    lookup = ctx.table.lookup(bare)
    if lookup.kind is not LookupKind.MAPPED or lookup.target is None:
        return [
            ctx.report(
                model,
                AGENT_MODEL,
                f'`{label}(model="{value}")` goes through the client on OpenRouter, and '
                f"the tool has no OpenRouter ID for '{bare}': pass "
                '`OpenAIChatCompletionsModel(model="<OpenRouter ID>", openai_client=client)`',
            )
        ]
    target = lookup.target
    message = (
        f'`{label}(model="{value}")` goes through the client on OpenRouter, and the SDK '
        f'strips an `openai/` prefix: pass `OpenAIChatCompletionsModel(model="{target}", '
        "openai_client=client)`"
    )
    client = d.client
    callee, import_edit = _callee(ctx, d.call, "OpenAIChatCompletionsModel")
    if elsewhere and not imported:
        message += ", importing the client set there"
    visible = imported or (not elsewhere and _client_visible(ctx, client, call))
    if not visible or import_edit is False or not isinstance(model, cst.SimpleString):
        return [ctx.report(model, AGENT_MODEL, message)]
    literal = model

    def fix(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.SimpleString)
        return cst.Call(
            func=callee,
            args=[
                keyword_arg("model", string_literal(target, literal)).with_changes(
                    comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                ),
                keyword_arg("openai_client", cst.Name(client.value)),  # type: ignore[attr-defined]
            ],
        )

    report = ctx.report(model, AGENT_MODEL, message, fix=fix, unsafe=True)
    if import_edit is not None:
        ctx.needs(report, import_edit, _add_name("OpenAIChatCompletionsModel"))
    return [report]


def _client_visible(ctx: RuleContext, client: cst.BaseExpression, at: cst.Call) -> bool:
    """Is ``client`` a module-level name bound once, before the statement of
    ``at`` (or ``at`` is in a function, run later), and not rebound in the
    scopes around ``at``?"""
    f = ctx.facts
    if not isinstance(client, cst.Name):
        return False
    name = client.value
    if len(f.bindings.get((0, name), ())) != 1 or f.assignment_counts.get(name, 0) != 1:
        return False
    if name in f.imports:
        return False
    scope = f.scope_of.get(id(at))
    node = scope
    while node is not None:
        if f.bindings.get((id(node), name)):
            return False
        if isinstance(node, (cst.FunctionDef, cst.Lambda)) and _has_param(node, name):
            return False
        node = f.scope_of.get(id(node))
    if scope is not None:
        return True
    value = f.bindings[(0, name)][0]
    return value is not None and _top(ctx, value) < _top(ctx, at)


def _has_param(fn: cst.FunctionDef | cst.Lambda, name: str) -> bool:
    p = fn.params
    every = [*p.posonly_params, *p.params, *p.kwonly_params]
    every += [s for s in (p.star_arg, p.star_kwarg) if isinstance(s, cst.Param)]
    return any(x.name.value == name for x in every)


def _top(ctx: RuleContext, node: cst.CSTNode) -> int:
    """The index of the module statement ``node`` is in (large: not found)."""
    parents = ctx.facts.parents
    child: cst.CSTNode | None = node
    while child is not None:
        parent = parents.get(id(child))
        if isinstance(parent, cst.Module):
            for i, stmt in enumerate(parent.body):
                if stmt is child:
                    return i
            break
        child = parent
    return 1 << 30
