"""OR3xx: what OpenRouter does not support, or does differently.

Every rule here is report-only: the code may be right for OpenAI and a human
must decide what it becomes on OpenRouter. The facts come from data, not from
code: ``mappings/unsupported.yaml`` (endpoints with no equivalent, the
embedding models served, the SDK-keyword -> catalog-parameter vocabulary) and
the bundled catalog snapshot (``codemods.core.mapping.load_catalog``: which
parameters each model lists). Messages name the snapshot date where a fact
depends on it.

Which calls count is decided as in the OR2xx rules: the receiver is an
OpenAI client, or unknown in a file that imports openai
(:func:`codemods.python.rules.models.classify_receiver`).
"""

from __future__ import annotations

import functools

import libcst as cst

from codemods.core.findings import Severity
from codemods.core.mapping import (
    Catalog,
    LookupKind,
    load_catalog,
)
from codemods.core.rules import rule
from codemods.core.sdk import HOSTED_TOOLS, RESPONSES_METHODS, hosted_include
from codemods.core.unsupported import (  # noqa: F401 - the table, shared with TypeScript
    UNSUPPORTED_FILE,
    Endpoint,
    UnsupportedTable,
    load_unsupported,
    parse_unsupported,
)
from codemods.python.analysis import attribute_chain
from codemods.python.rules.base import RuleContext, checker
from codemods.python.rules.client import CLIENT_CLASSES, env_lookup_name, string_value
from codemods.python.rules.models import (
    _TRANSPARENT,
    SDK_METHODS,
    SdkCall,
    _receiver,
    classify_receiver,
    resolved_model,
    sdk_calls,
    sdk_method,
)

ENDPOINT = rule(
    code="OR301",
    name="unsupported-endpoint",
    summary="SDK endpoint with no OpenRouter equivalent",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Reports calls of SDK resources OpenRouter does not have: Assistants
        and threads, vector stores, fine-tuning, files and uploads,
        OpenAI-style batches, moderations, realtime, evals, containers,
        conversations and stored responses / chat completions. The list is
        `mappings/unsupported.yaml`. Model IDs in these calls are not
        rewritten.
    """,
    why="""
        After the migration the client sends these requests to OpenRouter,
        which answers 404: the code must keep an OpenAI client for them or
        be rebuilt on what OpenRouter offers (the message says how).
    """,
    before="""
        from openai import OpenAI
        client = OpenAI()
        reply = client.chat.completions.create(model="openai/gpt-4o", messages=messages)
        job = client.fine_tuning.jobs.create(training_file="file-abc", model="gpt-4o-mini-2024-07-18")
    """,
)

STATEFUL_RESPONSES = rule(
    code="OR302",
    name="stateful-responses",
    summary="Responses API state or hosted tools (store=True, previous_response_id, background, file_search): not on OpenRouter",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Reports `responses.create(...)` (and `parse`, `stream`) called with
        `store=True`, `previous_response_id=`, `conversation=` or
        `background=True`, and OpenAI's hosted tools in `tools=`
        (`file_search`, `web_search(_preview)`, `image_generation`,
        `code_interpreter`, `computer_use_preview`, `mcp`, `local_shell`),
        also asked for through `include=` (`"file_search_call.results"`,
        `"web_search_call.action.sources"`, ...: the request runs the tool
        even when its `tools` come from elsewhere).
    """,
    why="""
        OpenRouter's Responses API is stateless: nothing is stored, so a
        request that asks to store a response or to continue a stored one is
        answered with 400. Keep the conversation yourself and send all of it
        in `input`.
    """,
    before="""
        from openai import OpenAI
        client = OpenAI()
        first = client.responses.create(model="gpt-4o", input="Hi")
        r = client.responses.create(model="gpt-4o", input="Hi", previous_response_id=last_id)
    """,
)

IMAGES = rule(
    code="OR303",
    name="images-endpoint",
    summary="OpenRouter's images endpoint differs from OpenAI's",
    severity=Severity.ERROR,
    fixable=False,
    what="Reports `images.generate`, `images.edit` and `images.create_variation` calls.",
    why="""
        These SDK methods call `/images/generations`, `/images/edits` and
        `/images/variations`; OpenRouter serves images through `/images` and
        through image-output chat models, so the call fails as written.
    """,
    before="""
        from openai import OpenAI
        client = OpenAI()
        reply = client.chat.completions.create(model="openai/gpt-4o", messages=messages)
        img = client.images.generate(model="gpt-image-1", prompt="a lighthouse")
    """,
)

EMBEDDING_MODEL = rule(
    code="OR304",
    name="embedding-model-not-served",
    summary="embedding model that OpenRouter's /embeddings does not serve",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Reports `embeddings.create(model=...)` whose model (after mapping) is
        not in the `embedding_models` list of `mappings/unsupported.yaml`.
        Models with no equivalent at all are OR204's.
    """,
    why="""
        OpenRouter's `/embeddings` serves a few embedding models
        (`openai/text-embedding-3-small` and `-large`); a chat model or
        another ID is answered with an error.
    """,
    before="""
        from openai import OpenAI
        client = OpenAI()
        vec = client.embeddings.create(model="openai/gpt-4o", input="hello")
    """,
)

N_CHOICES = rule(
    code="OR305",
    name="multiple-choices",
    summary="n > 1: the model does not list `n`, you may get one choice",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports a literal `n=` greater than 1 on chat or text completions
        when the target model does not list `n` in the catalog's
        `supported_parameters`.
    """,
    why="""
        OpenRouter drops parameters a model does not support, so code that
        reads `choices[1]` may fail or see fewer candidates. Make `n`
        requests (concurrently) instead.
    """,
    before="""
        from openai import OpenAI
        client = OpenAI()
        r = client.chat.completions.create(model="gpt-4o-mini", messages=messages, n=3)
    """,
)

UNSUPPORTED_PARAM = rule(
    code="OR306",
    name="unsupported-parameter",
    summary="parameter the target model does not support: OpenRouter drops it silently",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports a keyword argument (`temperature`, `logprobs`, `top_logprobs`,
        `seed`, `tools`, `response_format`...) that the target model does not
        list in the catalog's `supported_parameters`. The model is the one
        the OR2xx rules see (a literal or a module constant), after mapping.
    """,
    why="""
        OpenRouter ignores a parameter the model does not support instead of
        failing, so the behaviour changes without an error (no logprobs, no
        tool calls, a different temperature). Remove it, choose a model that
        supports it, or pass `extra_body={"provider": {"require_parameters": True}}`
        to be routed only to providers that support every parameter.
    """,
    before="""
        from openai import OpenAI
        client = OpenAI()
        r = client.chat.completions.create(model="o1", messages=messages, logprobs=True)
    """,
)

RETIRED_MODEL = rule(
    code="OR307",
    name="model-not-in-catalog",
    summary="mapped model is not in the OpenRouter catalog snapshot (retired?)",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Reports an OpenRouter model ID (written as such, or mapped by a user
        mapping file) that the bundled catalog snapshot does not list. The
        shipped table never maps to such an ID: a bare ID whose target is not
        in the catalog (`o1-mini`) is OR204 instead.
    """,
    why="""
        A model missing from OpenRouter's catalog is not served: requests
        fail. Models retire over time; check https://openrouter.ai/models
        and choose its successor, or refresh the catalog if yours is newer.
        The client it is sent through keeps a display-only fix (shown, never
        applied, not even with `--unsafe-fixes`) until the model changes or
        this finding is suppressed.
    """,
    before="""
        from openai import OpenAI
        client = OpenAI()
        r = client.chat.completions.create(model="openai/o1-mini", messages=messages)
    """,
)

ORG_FROM_ENV = rule(
    code="OR308",
    name="organization-from-environment",
    summary="reads OPENAI_ORG_ID / OPENAI_PROJECT_ID: OpenRouter ignores them",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        In a file that uses the OpenAI SDK, reports reads of the
        `OPENAI_ORG_ID` and `OPENAI_PROJECT_ID` environment variables outside
        the `organization=` / `project=` arguments that the migration
        removes from client constructors. Not in a file whose clients all
        stay on OpenAI or Azure (their organization is still needed).
    """,
    why="""
        OpenRouter ignores organization-level auth. After the migration the
        value is unused, and a deployment configured for OpenRouter may not
        set the variable at all (`os.environ[...]` then raises KeyError).
        The SDK also reads these variables by itself and sends them as
        headers: remove them from the environment too.
    """,
    before="""
        import os
        from openai import OpenAI
        ORG = os.environ["OPENAI_ORG_ID"]
        client = OpenAI()
    """,
)

STORED_CHAT = rule(
    code="OR309",
    name="stored-chat-completion",
    summary="chat completion with store=True: OpenRouter does not store it",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports `store=True` on `chat.completions.create` / `parse` /
        `stream` (and the `metadata=` sent with it, which only labels stored
        completions). The request itself is served: the client still moves.
    """,
    why="""
        OpenAI keeps a chat completion sent with `store=True` (for its
        dashboard, distillation and evals, and for
        `chat.completions.retrieve/list`). OpenRouter does not store chat
        completions, so nothing is kept after the migration: save what you
        need from the response yourself.
    """,
    before="""
        from openai import OpenAI
        client = OpenAI()
        r = client.chat.completions.create(model="gpt-4o", messages=messages, store=True)
    """,
)

_ORG_VARS = {"OPENAI_ORG_ID": "organization", "OPENAI_PROJECT_ID": "project"}
# the methods whose keyword arguments are model parameters (catalog's
# supported_parameters): the text-generation subset of the SDK methods
_PARAM_METHODS = frozenset(m for m in SDK_METHODS if m[0] in ("chat", "completions", "responses"))
_N_METHODS = frozenset(
    {
        ("chat", "completions", "create"),
        ("chat", "completions", "parse"),
        ("completions", "create"),
    }
)
_RESPONSES_METHODS = RESPONSES_METHODS
_REQUIRE_PARAMS = 'extra_body={"provider": {"require_parameters": True}}'
# chat completion methods that send ``store=`` (openai-python: ``parse`` and
# ``stream`` take create()'s arguments)
_CHAT_STORE_METHODS = frozenset(
    {
        ("chat", "completions", "create"),
        ("chat", "completions", "parse"),
        ("chat", "completions", "stream"),
    }
)


# ---------------------------------------------------------------- matching


def match_endpoint(
    call: cst.Call, endpoints: tuple[Endpoint, ...]
) -> tuple[Endpoint, cst.BaseExpression] | None:
    """The table entry a call hits and the receiver (the expression before
    the resource), or None."""
    if type(call.func) is not cst.Attribute:
        return None  # ``f(...)``: no resource chain
    parts, _ = attribute_chain(call.func)
    core = [p for p in parts if p not in _TRANSPARENT]
    by_first = _by_first(endpoints)
    for i in range(len(core)):
        # only the entries whose resource starts with this name (the table
        # has dozens; a file has hundreds of calls)
        for ep in by_first.get(core[i], ()):
            n = len(ep.resource)
            after = i + n
            if after >= len(core) or tuple(core[i:after]) != ep.resource:
                continue
            if ep.methods is not None and core[after] not in ep.methods:
                continue
            # a resource nested in another (``client.beta.assistants.files``,
            # the openai 1.x assistant files): the client is before the outer one
            start = i
            while start > 0 and core[start - 1] in by_first:
                start -= 1
            return ep, _receiver(call.func, len(core) - start)
    if core[-2:] == ["responses", "stream"] and any(
        a.keyword is not None and a.keyword.value == "response_id" for a in call.args
    ):
        # ``responses.stream(response_id=...)`` streams a stored response
        # again, as ``retrieve`` reads it: the same endpoint
        stored = next(
            (
                ep
                for ep in by_first.get("responses", ())
                if ep.resource == ("responses",) and ep.methods and "retrieve" in ep.methods
            ),
            None,
        )
        if stored is not None:
            return stored, _receiver(call.func, 2)
    return None


def _by_first(endpoints: tuple[Endpoint, ...]) -> dict[str, tuple[Endpoint, ...]]:
    """The endpoints by the first name of their resource, in table order
    (remembered by identity: hashing the table costs more than the lookup)."""
    known = _BY_FIRST.get(id(endpoints))
    if known is not None and known[0] is endpoints:
        return known[1]
    out: dict[str, list[Endpoint]] = {}
    for ep in endpoints:
        out.setdefault(ep.resource[0], []).append(ep)
    index = {k: tuple(v) for k, v in out.items()}
    if len(_BY_FIRST) > 8:
        _BY_FIRST.clear()
    _BY_FIRST[id(endpoints)] = (endpoints, index)
    return index


_BY_FIRST: dict[int, tuple[tuple[Endpoint, ...], dict[str, tuple[Endpoint, ...]]]] = {}


def _openai_receiver(ctx: RuleContext, kind: str) -> bool:
    return kind == "openai" or (kind == "unknown" and ctx.facts.imports_openai)


# openai>=1 resources of SDK_METHODS that OpenRouter serves as the SDK calls them
_SERVED = frozenset({"chat", "completions", "responses", "embeddings"})


def classify_use(ctx: RuleContext, call: cst.Call) -> tuple[cst.BaseExpression, bool] | None:
    """For a call made through a client (``client.files.create(...)``): the
    receiver and whether OpenRouter serves the call; None for other calls."""
    if type(call.func) is not cst.Attribute:
        return None
    memo = ctx.facts.node_memo
    key = ("classify_use", id(call))
    if key in memo:
        return memo[key]  # type: ignore[no-any-return]
    found = memo[key] = _classify_use(call)
    return found


def _classify_use(call: cst.Call) -> tuple[cst.BaseExpression, bool] | None:
    hit = match_endpoint(call, load_unsupported().endpoints)
    if hit is not None:
        return hit[1], False
    m = sdk_method(call)
    if m is None:
        return None
    method, receiver = m
    if method in _RESPONSES_METHODS and _needs_openai_state(call):
        return receiver, False  # store=True, hosted tools...: OpenRouter cannot serve it
    return receiver, method[0] in _SERVED


def _needs_openai_state(call: cst.Call) -> bool:
    return openai_state_reason(call) is not None


def openai_state_reason(call: cst.Call) -> str | None:
    """Why a Responses call is one only OpenAI can serve: stored state
    (``store=True``, ``previous_response_id``, ``background=True``) or a
    tool that runs on OpenAI's servers (``file_search``...); None when it
    is not (what the argument shows: "store=True", "tool 'file_search'")."""
    kwargs = _kwargs(call)
    for key in ("store", "background"):
        if key in kwargs and _is_literal(kwargs[key].value, "True"):
            return f"{key}=True"
    for key in ("previous_response_id", "conversation"):
        if key in kwargs and not _is_literal(kwargs[key].value, "None"):
            return key
    tools = kwargs.get("tools")
    if tools is not None and isinstance(tools.value, cst.List):
        for el in tools.value.elements:
            hosted = _hosted_tool(el.value)
            if hosted is not None:
                return f"tool '{hosted}'"
    for _, entry, hosted in _hosted_includes(kwargs):
        return f"include '{entry}' (tool '{hosted}')"
    return None


def _hosted_includes(
    kwargs: dict[str, cst.Arg],
) -> list[tuple[cst.BaseExpression, str, str]]:
    """``include=["file_search_call.results"]``: (node, entry, hosted tool)
    for each entry that asks for a hosted tool's output. The tool runs even
    when ``tools`` is not visible (forwarded from a request body)."""
    include = kwargs.get("include")
    if include is None or not isinstance(include.value, (cst.List, cst.Tuple)):
        return []
    out = []
    for el in include.value.elements:
        entry = string_value(el.value)
        hosted = hosted_include(entry) if entry is not None else None
        if entry is not None and hosted is not None:
            out.append((el.value, entry, hosted))
    return out


# OpenAI's hosted Responses tools: they run on OpenAI's side
_HOSTED_TOOLS = HOSTED_TOOLS


def _hosted_tool(node: cst.BaseExpression) -> str | None:
    """``{"type": "file_search", ...}`` -> "file_search" for a hosted tool."""
    if not isinstance(node, cst.Dict):
        return None
    for el in node.elements:
        if isinstance(el, cst.DictElement) and string_value(el.key) == "type":
            kind = string_value(el.value)
            return kind if kind in _HOSTED_TOOLS else None
    return None


def _is_literal(node: cst.BaseExpression, *values: str) -> bool:
    return isinstance(node, cst.Name) and node.value in values


def _kwargs(call: cst.Call) -> dict[str, cst.Arg]:
    return {a.keyword.value: a for a in call.args if a.keyword is not None}


def _openrouter_id(ctx: RuleContext, model: str) -> tuple[str, bool] | None:
    """(OpenRouter ID, mapped by the tool) for a model string, if known."""
    lookup = ctx.table.lookup(model)
    if lookup.kind is LookupKind.MAPPED and lookup.target:
        return lookup.target, True
    if lookup.kind is LookupKind.BAD_PREFIX and lookup.target:
        return lookup.target, True
    if lookup.kind is LookupKind.ALREADY_OPENROUTER:
        # an ID the table maps to counts as mapped: the finding survives the
        # migration (check after migrate still says the model is not served);
        # so does openai/<an ID without equivalent> (openai/o1-mini, as older
        # versions of this tool wrote it)
        bare = model[len("openai/") :] if model.startswith("openai/") else None
        known = model in _mapped_targets(ctx) or (
            bare is not None and bare in ctx.table.no_equivalent
        )
        return model, known
    return None


def _mapped_targets(ctx: RuleContext) -> frozenset[str]:
    return _targets(ctx.table.fingerprint, tuple(ctx.table.models.values()))


@functools.lru_cache(maxsize=8)
def _targets(fingerprint: str, values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(values)


def _call_name(sc: SdkCall) -> str:
    return ".".join(sc.method)


@checker
def check_unsupported(ctx: RuleContext) -> None:
    table = load_unsupported()
    _check_endpoints(ctx, table)
    calls = [sc for sc in sdk_calls(ctx) if _openai_receiver(ctx, sc.receiver)]
    if calls:
        catalog = load_catalog()
        for sc in calls:
            _check_call(ctx, sc, table, catalog)
    if ctx.facts.imports_openai:
        _check_org_env(ctx)


def _check_endpoints(ctx: RuleContext, table: UnsupportedTable) -> None:
    if not ctx.facts.imports_openai and ctx.project is None:
        # (in the project pass, a client of another module migrated by this
        # run, imported or passed to a function here: its calls count; only
        # a receiver resolved to such a client is reported)
        return
    for call in ctx.facts.calls:
        hit = match_endpoint(call, table.endpoints)
        if hit is None:
            continue
        ep, receiver = hit
        scope = ctx.facts.scope_of.get(id(call))
        if not _openai_receiver(ctx, classify_receiver(ctx, receiver, scope)):
            continue
        parts, _ = attribute_chain(call.func)
        shown = ".".join(
            p for p in parts if p not in ("with_raw_response", "with_streaming_response")
        )
        if ep.kind == "different":
            ctx.report(call, IMAGES, f"`{shown}(...)`: {ep.message}")
        else:
            ctx.report(call, ENDPOINT, f"`{shown}(...)` ({ep.title}): {ep.message}")


def _check_call(ctx: RuleContext, sc: SdkCall, table: UnsupportedTable, catalog: Catalog) -> None:
    call = sc.call
    kwargs = _kwargs(call)
    date = catalog.snapshot_date

    if sc.method in _RESPONSES_METHODS:
        store = kwargs.get("store")
        if store is not None and _is_literal(store.value, "True"):
            ctx.report(
                store,
                STATEFUL_RESPONSES,
                "store=True: OpenRouter's Responses API is stateless and answers 400; "
                "remove it and keep the response (its output) yourself",
            )
        background = kwargs.get("background")
        if background is not None and _is_literal(background.value, "True"):
            ctx.report(
                background,
                STATEFUL_RESPONSES,
                "background=True: OpenRouter's Responses API is stateless: there is no "
                "stored response to poll; remove it and wait for the result (or stream it)",
            )
        tools = kwargs.get("tools")
        if tools is not None and isinstance(tools.value, cst.List):
            for el in tools.value.elements:
                hosted = _hosted_tool(el.value)
                if hosted is not None:
                    ctx.report(
                        el.value,
                        STATEFUL_RESPONSES,
                        f"hosted tool `{hosted}` runs on OpenAI's servers: OpenRouter's "
                        "Responses API does not run it (file_search needs OpenAI vector "
                        "stores); use OpenRouter's web plugin or your own tool",
                    )
        for node, entry, hosted in _hosted_includes(kwargs):
            ctx.report(
                node,
                STATEFUL_RESPONSES,
                f"include {entry!r} asks for the output of the hosted tool `{hosted}`, "
                "which runs on OpenAI's servers: OpenRouter's Responses API does not run "
                "it (file_search needs OpenAI vector stores); use your own tool",
            )
        for key in ("previous_response_id", "conversation"):
            arg = kwargs.get(key)
            if arg is not None and not _is_literal(arg.value, "None"):
                ctx.report(
                    arg,
                    STATEFUL_RESPONSES,
                    f"{key}=: OpenRouter's Responses API is stateless and answers 400; "
                    "send the whole conversation in `input` instead",
                )

    if sc.method in _CHAT_STORE_METHODS:
        store = kwargs.get("store")
        if store is not None and _is_literal(store.value, "True"):
            metadata = kwargs.get("metadata")
            labels = (
                " (its metadata= only labels stored completions: it is not kept either)"
                if metadata is not None and not _is_literal(metadata.value, "None")
                else ""
            )
            # report-only: the request is served, the client moves with it
            ctx.report(
                store,
                STORED_CHAT,
                "store=True: OpenRouter does not store chat completions, so this one is "
                f"not kept for OpenAI's dashboard, distillation, evals or "
                f"chat.completions.retrieve/list{labels}; save what you need from the response",
            )

    resolved = resolved_model(ctx, call)
    target: str | None = None
    if resolved is not None:
        model, model_node = resolved
        known = _openrouter_id(ctx, model)
        if known is not None:
            target, mapped = known
            if mapped and catalog.get(target) is None and target not in table.embedding_models:
                source = "" if model == target else f" (for '{model}')"
                ctx.report(
                    model_node,
                    RETIRED_MODEL,
                    f"'{target}'{source} is not in the OpenRouter catalog snapshot of "
                    f"{date}: it is retired or was never served; choose another model "
                    "(https://openrouter.ai/models)",
                ).blocks.extend(sc.sites)
            if sc.method == ("embeddings", "create") and target not in table.embedding_models:
                served = ", ".join(f"'{m}'" for m in sorted(table.embedding_models))
                ctx.report(
                    model_node,
                    EMBEDDING_MODEL,
                    f"'{target}' is not an embedding model OpenRouter serves on /embeddings "
                    f"(as of {table.catalog_date}: {served}); switch to one of them "
                    "(new vectors are not comparable with stored ones: re-embed)",
                )

    entry = catalog.get(target) if target is not None else None

    if sc.method in _N_METHODS and "n" in kwargs:
        value = kwargs["n"].value
        if isinstance(value, cst.Integer) and int(value.value, 0) > 1:
            if entry is None or "n" not in entry.supported_parameters:
                anyone = any("n" in m.supported_parameters for m in catalog.models.values())
                who = (
                    f"'{target}' does not list `n`"
                    if entry is not None and anyone
                    else "no model lists `n`"
                )
                count = int(value.value, 0)
                ctx.report(
                    kwargs["n"],
                    N_CHOICES,
                    f"n={count}: in the OpenRouter catalog snapshot of {date} {who} in "
                    f"supported_parameters, so you may get 1 choice instead of {count}; "
                    f"make {count} requests (concurrently) instead",
                )

    if entry is None or sc.method not in _PARAM_METHODS:
        return
    extra = kwargs.get("extra_body")
    if extra is not None and "require_parameters" in ctx.module.code_for_node(extra.value):
        return
    for key, arg in kwargs.items():
        names = table.parameters.get(key)
        if names is None or _is_literal(arg.value, "None", "False", "NOT_GIVEN"):
            continue
        if any(n in entry.supported_parameters for n in names):
            continue
        ctx.report(
            arg,
            UNSUPPORTED_PARAM,
            f"'{target}' does not list `{key}` in supported_parameters (OpenRouter catalog "
            f"snapshot of {date}): OpenRouter drops it silently; remove it, choose a model "
            f"that supports it, or pass {_REQUIRE_PARAMS} to fail instead",
        )


def _subtree_ids(nodes: list[cst.CSTNode]) -> set[int]:
    out: set[int] = set()
    stack = list(nodes)
    while stack:
        n = stack.pop()
        out.add(id(n))
        stack.extend(n.children)
    return out


def _clients_all_left(ctx: RuleContext) -> bool:
    """Does this file build clients, none of which moves to OpenRouter (left
    on OpenAI: OR103, OR104...)? Then what it reads for them stays needed."""
    from codemods.python.clients import DECISION_LEFT

    decisions = [
        ctx.client_decisions.get(id(call))
        for call in ctx.facts.calls
        if ctx.facts.qualified(call.func) in CLIENT_CLASSES
    ]
    return bool(decisions) and all(d == DECISION_LEFT for d in decisions)


_ENV_READS = ("unsupported.env_reads", 0)  # ModuleFacts.node_memo: _check_org_env


def _check_org_env(ctx: RuleContext) -> None:
    """Environment reads of OPENAI_ORG_ID / OPENAI_PROJECT_ID, except inside
    what the migration removes (``organization=``/``project=`` of a client
    constructor, ``openai.organization = ...``)."""
    f = ctx.facts
    # every environment read of the file, once per file: only the facts
    # decide them, and the rules run on the same facts more than once
    env_reads = f.node_memo.get(_ENV_READS)
    if env_reads is None:
        env_reads = f.node_memo[_ENV_READS] = [
            (node, string_value(name_node))
            for node in [*f.calls, *f.subscripts]
            if (name_node := env_lookup_name(ctx, node)) is not None
        ]
    reads: list[tuple[cst.BaseExpression, str]] = []
    for node, var in env_reads:
        if var == "OPENAI_ORG_ID" or (var == "OPENAI_PROJECT_ID" and ctx.settings.strip_project):
            reads.append((node, var))
    if not reads:
        return
    if _clients_all_left(ctx):
        return  # the value still serves the clients left on OpenAI (or Azure)
    removed_keys = {"organization", "project"} if ctx.settings.strip_project else {"organization"}
    removed: list[cst.CSTNode] = []
    for call in f.calls:
        if f.qualified(call.func) in CLIENT_CLASSES:
            removed += [
                a for a in call.args if a.keyword is not None and a.keyword.value in removed_keys
            ]
    for assign, target in f.attribute_assignments:
        if f.qualified(target) in ("openai.organization", "openai.project"):
            removed.append(assign.value)
    skip = _subtree_ids(removed)
    for node, var in reads:
        if id(node) in skip:
            continue
        ctx.report(
            node,
            ORG_FROM_ENV,
            f"reads ${var}: OpenRouter ignores {_ORG_VARS[var]}, so after the migration this "
            "value is unused and the variable may be unset; remove the read, and remove the "
            "variable from the environment (the OpenAI SDK also sends it by itself)",
        )
