"""OR11x: the module-level client (``openai.api_key = ...``) and openai<1 code.

openai>=1 still has a module-level default client: ``openai.api_key``,
``openai.base_url``... configure it and ``openai.chat.completions.create``
uses it. openai<1 had only that: ``openai.api_key`` / ``openai.api_base``
and class-based resources (``openai.ChatCompletion.create``). Both talk to
OpenRouter once the base URL and the key point there.

The configuration of a file is migrated as one unit or not at all: one
OR110 (or OR111) finding carries every edit (key variable renamed, base
URL set or inserted, organization/project removed, headers merged), so a
suppression cannot leave half of it behind. When any part cannot be
migrated safely (an assignment inside a function or an ``if``, two
assignments of the same setting, Azure settings, a file that mixes the two
SDK generations, a base URL that points at a proxy), the whole
configuration is reported and nothing changes; the model IDs on the calls
that use that client are then held back too (OR117): an ``openai/...`` ID
sent to api.openai.com fails.

:func:`held_calls` is how the model-ID rule learns which calls to leave.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Union

import libcst as cst

from codemods.core.findings import Severity
from codemods.core.mapping import LookupKind
from codemods.core.rules import RuleInfo, rule
from codemods.core.secrets import looks_like_secret, redact, redact_text
from codemods.python.analysis import attribute_chain, dotted_name, drop_in_target
from codemods.python.rules._edit import keyword_arg, rebuild, replace_string, string_literal
from codemods.python.rules.base import Fix, Report, RuleContext, checker
from codemods.python.rules.client import (
    API_KEY_EXPR,
    HEADERS_EXPR,
    OPENAI_KEY_ENV,
    SECRET,
    _headers_dict,
    _is_masked_magic,
    _merge_headers,
    _os_environ,
    _os_usable,
    add_import_os,
    env_lookup_name,
    is_openai_url,
    is_openrouter_url,
    openrouter_fallback,
    string_value,
)

# ---- what the two SDK generations look like ---------------------------------

# ``openai.<resource>`` of the openai>=1 module-level client
V1_RESOURCES = frozenset(
    {
        "audio",
        "batches",
        "beta",
        "chat",
        "completions",
        "containers",
        "conversations",
        "embeddings",
        "evals",
        "files",
        "fine_tuning",
        "images",
        "models",
        "moderations",
        "realtime",
        "responses",
        "uploads",
        "vector_stores",
        "webhooks",
    }
)
# other names that exist only in openai>=1
V1_NAMES = frozenset(
    {
        "OpenAI",
        "AsyncOpenAI",
        "Client",
        "AsyncClient",
        "AzureOpenAI",
        "AsyncAzureOpenAI",
        "DefaultHttpxClient",
        "DefaultAsyncHttpxClient",
        "Stream",
        "AsyncStream",
        "NOT_GIVEN",
        "NotGiven",
        "RateLimitError",
        "APIConnectionError",
        "APIStatusError",
        "APITimeoutError",
        "AuthenticationError",
        "BadRequestError",
        "ConflictError",
        "InternalServerError",
        "NotFoundError",
        "PermissionDeniedError",
        "UnprocessableEntityError",
        "types",
        "resources",
        "pagination",
        "lib",
        # module-client settings that openai<1 did not have
        "base_url",
        "project",
        "default_headers",
        "default_query",
        "max_retries",
        "timeout",
        "http_client",
        "webhook_secret",
    }
)
# openai<1 API resource classes
LEGACY_RESOURCES = frozenset(
    {
        "Audio",
        "ChatCompletion",
        "Completion",
        "Customer",
        "Deployment",
        "Edit",
        "Embedding",
        "Engine",
        "ErrorObject",
        "File",
        "FineTune",
        "FineTuningJob",
        "Image",
        "Model",
        "Moderation",
    }
)
# openai<1 resource classes for endpoints OpenRouter does not serve
LEGACY_UNSERVED = {
    "Audio": "audio",
    "Image": "images",
    "Moderation": "moderations",
    "File": "files",
    "FineTune": "fine-tuning",
    "FineTuningJob": "fine-tuning",
}


def _legacy_unserved(ctx: RuleContext, call: cst.Call) -> str | None:
    q = ctx.facts.qualified(call.func)
    parts = q.split(".") if q else []
    if len(parts) >= 2 and parts[0] == "openai":
        return LEGACY_UNSERVED.get(parts[1])
    return None


# other names that exist only in openai<1
LEGACY_NAMES = frozenset(
    {
        "error",
        "api_resources",
        "api_requestor",
        "openai_object",
        "api_base",
        "api_key_path",
        "requestssession",
        "aiosession",
        "proxy",
        "app_info",
        "verify_ssl_certs",
        "ca_bundle_path",
        "enable_telemetry",
    }
)
# settings that make the module-level client an Azure client (both generations)
AZURE_SETTINGS = frozenset(
    {"api_type", "api_version", "azure_endpoint", "azure_ad_token", "azure_ad_token_provider"}
)
AZURE_CALL_KWARGS = frozenset({"deployment_id"})
# settings this rule migrates; assigning them where the tool cannot follow
# (a function, an ``if``) makes the whole configuration unsafe to rewrite
RELEVANT = frozenset(
    {
        "api_key",
        "api_key_path",
        "base_url",
        "api_base",
        "organization",
        "project",
        "default_headers",
    }
)

# ---- rules ------------------------------------------------------------------

MODULE_CLIENT = rule(
    code="OR110",
    name="module-client-config",
    summary="module-level openai client is configured for OpenAI; point it at OpenRouter",
    severity=Severity.ERROR,
    fixable=True,
    what="""
        Migrates the module-level configuration of the openai package
        (`openai.api_key = ...` and friends, openai>=1 and openai<1) the way
        client constructors are migrated: the key is read from the
        OpenRouter variable (same lookup form), the base URL is set to
        OpenRouter (`openai.base_url` for openai>=1, `openai.api_base` for
        openai<1: replaced when it is OpenAI's, inserted right after the
        `api_key` assignment when missing), `openai.organization` and
        `openai.project` assignments are removed, and attribution headers are
        merged into `openai.default_headers` when an app URL or title is
        configured (openai<1 has no default headers: each
        `ChatCompletion`/`Completion`/`Embedding` `create`/`acreate` call gets
        `headers={...}`). All of it is one fix: it is applied whole or not at
        all. `openai.base_url` is written with a trailing slash
        (`"https://openrouter.ai/api/v1/"`): the openai>=1 module-level client
        joins endpoint paths onto it as written, so without the slash it
        requests `.../api/v1chat/completions`. `openai.api_base` (openai<1) is
        written without one: that SDK adds it. A base URL already on
        OpenRouter that misses (or, for openai<1, has) the slash is fixed too.
    """,
    why="""
        `openai.chat.completions.create(...)` (openai>=1) and
        `openai.ChatCompletion.create(...)` (openai<1) use this
        configuration; until the base URL points at OpenRouter they call
        api.openai.com, and model IDs with the `openai/` prefix fail there.
    """,
    before="""
        import os
        import openai
        openai.api_key = os.environ["OPENAI_API_KEY"]
        openai.organization = "org-123"
        reply = openai.chat.completions.create(model="gpt-4o", messages=messages)
    """,
    after="""
        import os
        import openai
        openai.api_key = os.environ["OPENROUTER_API_KEY"]
        openai.base_url = "https://openrouter.ai/api/v1/"
        reply = openai.chat.completions.create(model="openai/gpt-4o", messages=messages)
    """,
    fix_safety="""
        Only assignments at module level, each alone on its line, are
        rewritten. Comments are kept (a removed statement's own end-of-line
        comment goes with it; the comment lines above it stay). A file whose
        base URL already points at OpenRouter is left alone, so a second run
        changes nothing.
    """,
)

UNCONFIGURED = rule(
    code="OR111",
    name="module-client-unconfigured",
    summary="module-level openai client used without configuration: it calls OpenAI",
    severity=Severity.ERROR,
    fixable=True,
    what="""
        A file that calls the module-level client (`openai.chat.completions.create`,
        `openai.embeddings.create`, `openai.ChatCompletion.create`...) and
        configures nothing gets the configuration inserted after its imports
        (after a module-level `load_dotenv()` if there is one): the base URL
        and `api_key = os.environ["OPENROUTER_API_KEY"]`, plus `import os`.
    """,
    why="""
        Unconfigured, the module-level client reads `OPENAI_API_KEY` and calls
        api.openai.com. If another module of your project configures it, add
        `# noqa: OR111` on the reported line: the calls are then migrated as if
        configured.
    """,
    before="""
        import openai
        reply = openai.chat.completions.create(model="gpt-4o", messages=messages)
    """,
    after="""
        import os
        import openai

        openai.base_url = "https://openrouter.ai/api/v1/"
        openai.api_key = os.environ["OPENROUTER_API_KEY"]
        reply = openai.chat.completions.create(model="openai/gpt-4o", messages=messages)
    """,
    fix_safety="""
        Needs a module-level `import openai` (any alias); without one the calls
        are reported (OR117) instead.
    """,
)

NOT_MIGRATED = rule(
    code="OR112",
    name="module-client-not-migrated",
    summary="module-level openai configuration cannot be migrated safely: nothing changed",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Reports every statement of a module-level configuration that the
        tool does not rewrite because some part of it cannot be rewritten
        safely: a setting assigned inside a function, an `if` or a `try`,
        the same setting assigned twice, several statements on one line, a
        file that uses both the openai<1 and the openai>=1 API, a file that
        only configures (no calls) so the SDK generation is unknown, or `os`
        bound to something else.
    """,
    why="""
        A half-migrated configuration (key renamed but base URL not set, or the
        other way round) fails with 401 on every request. Move the base URL
        and key to OpenRouter by hand (`openai.base_url` for openai>=1,
        `openai.api_base` for openai<1).
    """,
    before="""
        import os
        import openai

        def setup():
            openai.api_key = os.environ["OPENAI_API_KEY"]
    """,
)

BASE_ELSEWHERE = rule(
    code="OR113",
    name="module-client-custom-base-url",
    summary="module-level openai client points somewhere else: left alone",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports `openai.base_url` / `openai.api_base` set to a proxy, a local
        server or an expression. Nothing in the file's configuration changes,
        and model IDs on the module-level client's calls are not rewritten.
    """,
    why="""
        The client does not talk to OpenAI directly; pointing it at
        OpenRouter could bypass a gateway the code relies on.
    """,
    before="""
        import openai
        openai.base_url = "http://localhost:4000/v1"
        openai.chat.completions.create(model="gpt-4o", messages=messages)
    """,
)

LEGACY_API = rule(
    code="OR114",
    name="openai-v0-api",
    summary="openai<1 API: works with OpenRouter, but the SDK is unmaintained",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports each call of an openai<1 resource class
        (`openai.ChatCompletion.create/acreate`, `openai.Completion`,
        `openai.Embedding`...). The call itself is not rewritten: its model ID
        is mapped, and the module configuration (`api_base`) is migrated by
        OR110/OR111.
    """,
    why="""
        `openai.ChatCompletion` and friends were removed in openai 1.0.
        OpenRouter accepts both, but the 0.x SDK gets no fixes. Upgrade to
        openai>=1 by hand (the SDK's `openai migrate` command was removed),
        then run openrouter-migrate again. The tool never translates 0.x
        calls itself. Resource classes OpenRouter does not serve
        (`Image`, `Audio`, `Moderation`, `File`, `FineTune`,
        `FineTuningJob`) are reported as unsupported endpoints (OR301).
    """,
    before="""
        import openai
        openai.api_base = "https://openrouter.ai/api/v1"
        openai.ChatCompletion.create(model="openai/gpt-4o", messages=messages)
    """,
)

LEGACY_AZURE = rule(
    code="OR115",
    name="azure-module-client",
    summary="module-level openai client configured for Azure: file not migrated",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports a file that configures the module-level client for Azure
        OpenAI (`openai.api_type = "azure"`, `openai.api_version`,
        `openai.azure_endpoint`, or `deployment_id=` on openai<1 calls).
        Nothing in the file is rewritten: not the settings, not the model
        (deployment) names of its calls.
    """,
    why="""
        Azure deployments have their own names, endpoints and API versions;
        moving them to OpenRouter is a decision (and a model choice) for a
        human. `engine=` / `deployment_id=` name deployments, not models.
    """,
    before="""
        import openai
        openai.api_type = "azure"
        openai.api_version = "2023-05-15"
        openai.ChatCompletion.create(engine="gpt-35-turbo", messages=messages)
    """,
)

LEGACY_ENGINE = rule(
    code="OR116",
    name="openai-v0-engine",
    summary="`engine=` selects an OpenAI engine: OpenRouter needs `model=`",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Reports `engine=` on openai<1 calls. It is not renamed or mapped: the
        0.x SDK turns it into an `/engines/<name>/...` URL, which OpenRouter
        does not serve.
    """,
    why="""
        Replace `engine="..."` by `model="provider/model"` (the message names
        the OpenRouter ID when one is known).
    """,
    before="""
        import openai
        openai.api_base = "https://openrouter.ai/api/v1"
        openai.Completion.create(engine="text-davinci-003", prompt=prompt)
    """,
)

HELD_MODEL = rule(
    code="OR117",
    name="module-client-call-not-migrated",
    summary="call on a module-level client that is not migrated: model ID left alone",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Reports each call on the module-level client (openai>=1) or an
        openai<1 resource class when the file's client configuration is not
        migrated (see OR112), or cannot be inserted (no module-level
        `import openai`). Its model ID is not rewritten.
    """,
    why="""
        The call still goes to api.openai.com; a prefixed model ID
        (`openai/gpt-4o`) would fail there. Migrate the configuration by hand
        (or where it lives), then run the tool again.
    """,
    before="""
        def ask(question):
            import openai
            return openai.chat.completions.create(model="gpt-4o", messages=[])
    """,
)


# ---- analysis ---------------------------------------------------------------


@dataclass
class Setting:
    """``<openai>.<attr> = value`` anywhere in the file."""

    assign: cst.Assign
    target: cst.Attribute
    attr: str
    alias: str
    line: cst.SimpleStatementLine | None  # module-level line holding only this statement
    index: int  # position of ``line`` in the module body, -1 if nested
    where: str = ""  # why ``line`` is None

    @property
    def value(self) -> cst.BaseExpression:
        return self.assign.value


@dataclass
class _Pending:
    node: cst.CSTNode
    rule: RuleInfo
    message: str
    # fixes: (node, fix) pairs applied together, all or nothing
    edits: list[tuple[cst.CSTNode, Fix]] = field(default_factory=list)
    fix_node: cst.CSTNode | None = None
    needs_os: bool = False
    # OR107 for a hard-coded key the configuration's fix replaces: the key as
    # shown (redacted) and the module alias, for the message that says it is
    # not replaced when that fix is suppressed or not selected
    key_shown: tuple[str, str] | None = None


@dataclass
class Plan:
    held: set[int] = field(default_factory=set)  # id() of calls whose model IDs stay
    # calls on a name that is not certainly the openai module: held whatever happens
    ambiguous: set[int] = field(default_factory=set)
    pending: list[_Pending] = field(default_factory=list)
    # what the project pass needs (the module client is one per process):
    # the SDK generation this file's own code shows ("v1", "legacy", "both")
    version: str | None = None
    configures: bool = False  # sets openai.api_key / base_url / api_base...
    calls: bool = False  # calls the module-level client
    # for a file that configures it: "migrate", "openrouter" or "left"
    state: str | None = None
    # "openrouter": the environment variable its ``api_key`` is read from (None: another value)
    key_env: str | None = None


Statement = Union[cst.BaseStatement, cst.FlattenSentinel, cst.RemovalSentinel]


def _openai_aliases(ctx: RuleContext) -> set[str]:
    f = ctx.facts
    return {n for n, t in f.imports.items() if t == {"openai"} and n not in f.other_bindings}


class _Markers(cst.CSTVisitor):
    """Second components of ``<openai>.X...`` chains (``ChatCompletion``, ``chat``)."""

    def __init__(self, aliases: set[str]) -> None:
        self.aliases = aliases
        self.found: dict[str, cst.CSTNode] = {}
        # writes of a setting the tool does not rewrite: ``openai.api_key: str = ...``,
        # ``openai.api_key += ...``, ``setattr(openai, "api_key", ...)``
        self.other_writes: list[tuple[cst.CSTNode, str]] = []

    def _setting(self, target: cst.BaseExpression) -> str | None:
        name = dotted_name(target)
        if name is None:
            return None
        parts = name.split(".")
        if len(parts) == 2 and parts[0] in self.aliases and parts[1] in RELEVANT:
            return parts[1]
        return None

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        attr = self._setting(node.target)
        if attr is not None:
            self.other_writes.append((node, attr))

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        attr = self._setting(node.target)
        if attr is not None:
            self.other_writes.append((node, attr))

    def visit_Call(self, node: cst.Call) -> None:
        if (
            isinstance(node.func, cst.Name)
            and node.func.value == "setattr"
            and len(node.args) >= 2
            and isinstance(node.args[0].value, cst.Name)
            and node.args[0].value.value in self.aliases
        ):
            attr = string_value(node.args[1].value)
            if attr is None or attr in RELEVANT:
                self.other_writes.append((node, attr or "?"))

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        name = dotted_name(node)
        if name is not None:
            parts = name.split(".")
            if parts[0] in self.aliases and len(parts) >= 2:
                self.found.setdefault(parts[1], node)
            return False  # the inner chain says nothing new
        return True


def _call_kind(ctx: RuleContext, call: cst.Call) -> str | None:
    f = ctx.facts
    q = f.qualified(call.func)
    if q is None:
        # ``try: import openai`` / ``except ImportError: openai = None``
        parts, root = attribute_chain(call.func)
        if (
            isinstance(root, cst.Name)
            and "openai" in f.imports.get(root.value, ())
            and f.is_ambiguous(call.func)
            and len(parts) >= 2
            and (parts[0] in V1_RESOURCES or parts[0] in LEGACY_RESOURCES)
        ):
            return "ambiguous"
        return None
    parts = q.split(".")
    if parts[0] != "openai" or len(parts) < 3:
        return None
    if parts[1] in V1_RESOURCES:
        return "v1"
    if parts[1] in LEGACY_RESOURCES:
        return "legacy"
    return None


_cache = threading.local()


def plan_for(ctx: RuleContext) -> Plan:
    """The module-client plan of ``ctx``'s file (computed once per analysis:
    the rules may run twice on a tree). Keyed by the project input too: the
    project pass analyses a kept tree again with another input
    (``codemods.python.engine._Trees``), and the plan depends on it."""
    last = getattr(_cache, "last", None)
    if (
        last is not None
        and last[0] is ctx.module
        and last[1] is ctx.settings
        and last[3] is ctx.project
    ):
        return last[2]
    plan = _analyse(ctx)
    if plan.configures and plan.state is None:
        migrated = any(p.rule is MODULE_CLIENT and p.edits for p in plan.pending)
        plan.state = "migrate" if migrated else "left"
    _cache.last = (ctx.module, ctx.settings, plan, ctx.project)
    return plan


def module_client_summary(ctx: RuleContext) -> dict[str, object]:
    """This file's part of the module-client analysis of the whole run
    (codemods/python/project.py: plan_module_client)."""
    plan = plan_for(ctx)
    if not (plan.configures or plan.calls):
        return {}
    return {
        "version": plan.version,
        "configures": plan.configures,
        "calls": plan.calls,
        "state": plan.state,
    }


def held_calls(ctx: RuleContext) -> set[int]:
    """``id()`` of the calls whose model IDs must not be rewritten, because
    they use a module-level client whose configuration stays on OpenAI."""
    return plan_for(ctx).held


def _analyse(ctx: RuleContext) -> Plan:
    plan = Plan()
    f = ctx.facts
    if not f.imports_openai:
        return plan
    aliases = _openai_aliases(ctx)

    # module-level statements, by the small statement they hold
    lines: dict[int, tuple[cst.SimpleStatementLine, int]] = {}
    shared_lines: set[int] = set()
    for i, stmt in enumerate(ctx.module.body):
        if isinstance(stmt, cst.SimpleStatementLine):
            if len(stmt.body) == 1:
                lines[id(stmt.body[0])] = (stmt, i)
            else:
                shared_lines.update(id(small) for small in stmt.body)

    settings: list[Setting] = []
    for assign, target in f.attribute_assignments:
        q = f.qualified(target)
        if q is None or not isinstance(target.value, cst.Name):
            continue
        if q.count(".") != 1 or not q.startswith("openai."):
            continue
        line, index = lines.get(id(assign), (None, -1))
        where = ""
        if len(assign.targets) != 1:
            line, index, where = None, -1, "in a chained assignment"
        elif id(assign) in shared_lines:
            where = "on one line with other statements"
        elif line is None:
            where = "inside a block (a function, `if`, `try`, `with`...)"
        attr = q.split(".")[1]
        settings.append(Setting(assign, target, attr, target.value.value, line, index, where))

    v1_calls: list[cst.Call] = []
    legacy_calls: list[cst.Call] = []
    for call in f.calls:
        kind = _call_kind(ctx, call)
        if kind == "v1":
            v1_calls.append(call)
        elif kind == "legacy":
            legacy_calls.append(call)
        elif kind == "ambiguous":
            # the tool cannot configure a module it cannot name for certain
            plan.ambiguous.add(id(call))
            root = attribute_chain(call.func)[1]
            assert isinstance(root, cst.Name)
            plan.pending.append(
                _held_report(
                    ctx,
                    call,
                    f"`{root.value}` is also bound to something else in this file (for "
                    f"example `{root.value} = None` after a failed import), so the tool does "
                    "not configure it",
                )
            )
    calls = v1_calls + legacy_calls
    plan.held = set(plan.ambiguous)
    if not settings and not calls:
        return plan

    # which SDK generation
    markers = _Markers(aliases)
    ctx.module.visit(markers)
    found = dict(markers.found)
    for local, targets in f.imports.items():
        for t in targets:
            parts = t.split(".")
            if parts[0] == "openai" and len(parts) >= 2 and local not in f.other_bindings:
                found.setdefault(parts[1], cst.Name(local))
    v1 = sorted(k for k in found if k in V1_RESOURCES or k in V1_NAMES)
    legacy = sorted(k for k in found if k in LEGACY_RESOURCES or k in LEGACY_NAMES)
    plan.version = "both" if v1 and legacy else "v1" if v1 else "legacy" if legacy else None
    plan.configures = any(s.attr in RELEVANT for s in settings)
    plan.calls = bool(calls)
    project = ctx.project

    # every call of the module-level client is held unless the plan says otherwise
    plan.held = plan.ambiguous | {id(c) for c in calls}

    # Azure: nothing in the file changes
    azure = _azure_marker(settings, legacy_calls)
    if azure is not None:
        node, what = azure
        plan.pending.append(
            _Pending(
                node,
                LEGACY_AZURE,
                f"{what}: this file configures the module-level client for Azure OpenAI; "
                "nothing in it is migrated (settings, engine/deployment names); move it to "
                "OpenRouter by hand if you mean to",
            )
        )
        return plan

    for call in legacy_calls:
        shown = ctx.module.code_for_node(call.func)
        unserved = _legacy_unserved(ctx, call)
        if unserved is not None:
            from codemods.python.rules.unsupported import ENDPOINT

            plan.pending.append(
                _Pending(
                    call.func,
                    ENDPOINT,
                    f"`{shown}(...)` ({unserved}, openai<1): OpenRouter does not serve it; "
                    "keep it on OpenAI (a separate configuration) or drop it",
                )
            )
            continue
        plan.pending.append(
            _Pending(
                call.func,
                LEGACY_API,
                f"`{shown}` is the openai<1 API (removed in openai 1.0, unmaintained): "
                "OpenRouter accepts it once api_base points there, but consider upgrading to "
                "openai>=1 (by hand: the SDK's `openai migrate` command was removed) and "
                "running this tool again",
            )
        )
        for a in call.args:
            if a.keyword is not None and a.keyword.value == "engine":
                plan.pending.append(_engine_report(ctx, a))

    relevant = [s for s in settings if s.attr in RELEVANT]
    if not relevant and not calls:
        return plan  # only neutral settings (``openai.max_retries = 3``)
    if v1 and legacy:
        plan.pending += _block(
            ctx,
            relevant,
            calls,
            f"the file uses both the openai>=1 API (`{v1[0]}`) and the openai<1 API "
            f"(`{legacy[0]}`)",
        )
        return plan
    version = "v1" if v1 else "legacy" if legacy else None
    if version is None and project is not None and project.module_client_version:
        # the modules of the run that call the module client say which SDK
        version = project.module_client_version
    base_attr = "base_url" if version == "v1" else "api_base"

    # the base URL decides whether the client is migrated already
    bases = [s for s in settings if s.attr in ("base_url", "api_base")]
    urls = [
        # ``os.getenv("OPENAI_BASE_URL") or "https://openrouter.ai/api/v1"``: OpenRouter's
        "https://openrouter.ai/" if openrouter_fallback(ctx, s.value) else string_value(s.value)
        for s in bases
    ]
    if bases and all(u is not None and is_openrouter_url(u) for u in urls):
        plan.held = set(plan.ambiguous)
        plan.state = "openrouter"
        keys = [s for s in settings if s.attr == "api_key"]
        if len(keys) == 1:
            name = env_lookup_name(ctx, keys[0].value)
            plan.key_env = string_value(name) if name is not None else None
        if version is not None:
            plan.pending += _slash_fixes(version, bases)
        return plan
    elsewhere = [
        (s, u)
        for s, u in zip(bases, urls)
        if u is None or not (is_openai_url(u) or is_openrouter_url(u))
    ]
    if elsewhere:
        s, u = elsewhere[0]
        where = (
            f"is `{u}`" if u is not None else f"comes from `{ctx.module.code_for_node(s.value)}`"
        )
        plan.pending.append(
            _Pending(
                s.assign,
                BASE_ELSEWHERE,
                f"`{s.alias}.{s.attr}` {where}, not OpenAI: the module-level client is left "
                "alone and model IDs on its calls are not rewritten; point it at OpenRouter by "
                "hand if it should be",
            )
        )
        return plan

    if version is None:
        plan.pending += _block(
            ctx,
            relevant,
            calls,
            "the file does not show whether it uses openai>=1 (set `openai.base_url`) or "
            "openai<1 (set `openai.api_base`)",
        )
        return plan

    if markers.other_writes:
        node, attr = markers.other_writes[0]
        plan.pending += _block(
            ctx,
            relevant,
            calls,
            f"`openai.{attr}` is also set by `{ctx.module.code_for_node(node).strip()[:40]}`, "
            "which the tool does not rewrite",
            markers.other_writes,
        )
        return plan
    nested = [s for s in relevant if s.line is None]
    if nested:
        s = nested[0]
        plan.pending += _block(
            ctx,
            relevant,
            calls,
            f"`{s.alias}.{s.attr}` is assigned {s.where}, where the tool cannot tell "
            "which value wins",
        )
        return plan
    by_attr: dict[str, list[Setting]] = {}
    for s in relevant:
        by_attr.setdefault(s.attr, []).append(s)
    twice = [a for a, ss in by_attr.items() if len(ss) > 1]
    if twice:
        plan.pending += _block(
            ctx, relevant, calls, f"`openai.{twice[0]}` is assigned more than once"
        )
        return plan
    if "api_key_path" in by_attr and "api_key" in by_attr:
        plan.pending += _block(
            ctx, relevant, calls, "both `api_key` and `api_key_path` are assigned"
        )
        return plan

    elsewhere_state = project.module_client_state if project is not None else None
    if not relevant and elsewhere_state is not None:
        # another module of the run configures the process-wide client
        where = ", ".join(project.module_client_files[:2])  # type: ignore[union-attr]
        if elsewhere_state in ("migrate", "openrouter"):
            plan.held = set(plan.ambiguous)  # these calls move with it
            return plan
        plan.held = plan.ambiguous | {id(c) for c in calls}
        plan.pending += [
            _held_report(
                ctx, c, f"its configuration in {where} is not migrated (see the finding there)"
            )
            for c in calls
        ]
        return plan
    return _migrate(ctx, plan, version, base_attr, by_attr, relevant, calls, aliases)


def _azure_marker(
    settings: list[Setting], legacy_calls: list[cst.Call]
) -> tuple[cst.CSTNode, str] | None:
    for s in settings:
        if s.attr not in AZURE_SETTINGS:
            continue
        if s.attr == "api_type":
            v = string_value(s.value)
            if v is not None and v.lower() in ("open_ai", "openai"):
                continue
        return s.assign, f"`{s.alias}.{s.attr}` is set"
    for call in legacy_calls:
        for a in call.args:
            if a.keyword is not None and a.keyword.value in AZURE_CALL_KWARGS:
                return a, f"`{a.keyword.value}=` names an Azure deployment"
    return None


def _engine_report(ctx: RuleContext, arg: cst.Arg) -> _Pending:
    value = string_value(arg.value)
    if value is None:
        hint = "replace it by `model=` with an OpenRouter ID (provider/model)"
    else:
        lookup = ctx.table.lookup(value)
        if lookup.kind is LookupKind.MAPPED and lookup.target:
            hint = f"replace it by `model='{lookup.target}'`"
        elif lookup.kind is LookupKind.NO_EQUIVALENT:
            reason = f" ({lookup.reason})" if lookup.reason else ""
            choose = (
                f"its successor is '{lookup.successor}'" if lookup.successor else "choose a model"
            )
            hint = (
                f"'{value}' has no OpenRouter equivalent in the catalog snapshot of "
                f"{ctx.table.catalog_date}{reason}: {choose}; pass it as `model=`"
            )
        else:
            hint = f"no OpenRouter ID is known for '{value}': pass one as `model=`"
    return _Pending(
        arg,
        LEGACY_ENGINE,
        f"`engine=` selects an OpenAI engine URL that OpenRouter does not serve: {hint}",
    )


def _block(
    ctx: RuleContext,
    relevant: list[Setting],
    calls: list[cst.Call],
    reason: str,
    writes: Sequence[tuple[cst.CSTNode, str]] = (),
) -> list[_Pending]:
    out = [
        _Pending(
            s.assign,
            NOT_MIGRATED,
            f"`{s.alias}.{s.attr} = ...` is not migrated: {reason}; move the module-level "
            "client to OpenRouter by hand",
        )
        for s in relevant
    ]
    out += [
        _Pending(
            node,
            NOT_MIGRATED,
            f"`openai.{attr}` is set here and not migrated: {reason}; move the module-level "
            "client to OpenRouter by hand",
        )
        for node, attr in writes
    ]
    if not relevant and not writes:
        out += [_held_report(ctx, c, reason) for c in calls]
    else:
        out += [_held_report(ctx, c, "its configuration is not migrated (OR112)") for c in calls]
    return out


def _held_report(ctx: RuleContext, call: cst.Call, reason: str) -> _Pending:
    node: cst.CSTNode = call.func
    model = ""
    for a in call.args:
        if a.keyword is not None and a.keyword.value == "model":
            node = a.value
            literal = string_value(a.value)
            if literal is not None:
                lookup = ctx.table.lookup(literal)
                if lookup.kind is LookupKind.MAPPED and lookup.target:
                    model = f": model '{literal}' kept (it becomes '{lookup.target}' on OpenRouter)"
                else:
                    model = f": model '{literal}' kept"
            else:
                model = ": model not checked"
    return _Pending(
        node,
        HELD_MODEL,
        f"`{ctx.module.code_for_node(call.func)}(...)` uses the module-level client, which "
        f"still calls OpenAI because {reason}{model}",
    )


# ---- the migration ----------------------------------------------------------


def _assign_line(alias: str, attr: str, value: cst.BaseExpression) -> cst.SimpleStatementLine:
    return cst.SimpleStatementLine(
        body=[
            cst.Assign(
                targets=[
                    cst.AssignTarget(cst.Attribute(value=cst.Name(alias), attr=cst.Name(attr)))
                ],
                value=value,
            )
        ]
    )


def _top_level_openai_import(ctx: RuleContext, aliases: set[str]) -> str | None:
    for line in ctx.facts.top_level_import_lines:
        for stmt in line.body:
            local = _drop_in_module(stmt)
            if local is not None and local in aliases:
                return local
            if isinstance(stmt, cst.Import):
                for a in stmt.names:
                    if dotted_name(a.name) != "openai":
                        continue
                    local = "openai"
                    if a.asname is not None and isinstance(a.asname.name, cst.Name):
                        local = a.asname.name.value
                    if local in aliases:
                        return local
    return None


def _anchor(ctx: RuleContext) -> int | None:
    """Index of the module statement the configuration goes after: the end
    of the top import block (never after later imports, which may use the
    module client as they are imported), or the statement that imports
    openai when that comes later, or a later module-level ``load_dotenv()``
    (the key may come from the .env file)."""
    body = ctx.module.body
    imports = {id(line) for line in ctx.facts.top_level_import_lines}
    first = next((i for i, stmt in enumerate(body) if id(stmt) in imports), None)
    if first is None:
        return None
    last = first
    while last + 1 < len(body) and (
        id(body[last + 1]) in imports or _is_masked_magic(body[last + 1])
    ):
        last += 1
    for i in range(last + 1, len(body)):
        if id(body[i]) in imports and _imports_openai(body[i]):
            last = i  # ``import openai`` itself comes after the block
    for i in range(last + 1, len(body)):
        stmt = body[i]
        if (
            isinstance(stmt, cst.SimpleStatementLine)
            and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, cst.Call)
        ):
            name = dotted_name(stmt.body[0].value.func) or ""
            if name.rsplit(".", 1)[-1] == "load_dotenv":
                last = i
    return last


def _drop_in_module(small: cst.BaseSmallStatement) -> str | None:
    """The local name of openai's module imported from a drop-in
    (``from langfuse.openai import openai as oa`` -> ``oa``), or None."""
    if not isinstance(small, cst.ImportFrom) or small.relative or small.module is None:
        return None
    if isinstance(small.names, cst.ImportStar):
        return None
    module = dotted_name(small.module) or ""
    for a in small.names:
        if drop_in_target(f"{module}.{dotted_name(a.name)}") == "openai" and module != "openai":
            if a.asname is not None and isinstance(a.asname.name, cst.Name):
                return a.asname.name.value
            return dotted_name(a.name)
    return None


def _imports_openai(stmt: cst.BaseStatement) -> bool:
    if not isinstance(stmt, cst.SimpleStatementLine):
        return False
    if any(_drop_in_module(small) is not None for small in stmt.body):
        return True
    for small in stmt.body:
        if isinstance(small, cst.Import) and any(
            (dotted_name(a.name) or "").split(".")[0] == "openai" for a in small.names
        ):
            return True
    return False


def _migrate(
    ctx: RuleContext,
    plan: Plan,
    version: str,
    base_attr: str,
    by_attr: dict[str, list[Setting]],
    relevant: list[Setting],
    calls: list[cst.Call],
    aliases: set[str],
) -> Plan:
    s = ctx.settings
    body = ctx.module.body
    changes: list[str] = []
    notes: list[_Pending] = []
    # per module statement index: inserted lines after it, removed, extra leading lines
    after: dict[int, list[cst.SimpleStatementLine]] = {}
    removed: set[int] = set()
    value_edits: list[tuple[cst.CSTNode, Fix]] = []
    needs_os = False
    secret: tuple[cst.CSTNode, str, cst.CSTNode] | None = None

    def new_value(setting: Setting, value: cst.BaseExpression) -> None:
        def fix(node: cst.CSTNode, value: cst.BaseExpression = value) -> cst.CSTNode:
            assert isinstance(node, cst.Assign)
            return node.with_changes(value=value)

        value_edits.append((setting.assign, fix))

    base = by_attr.get(base_attr, [None])[0]
    key = by_attr.get("api_key", [None])[0] or by_attr.get("api_key_path", [None])[0]
    # an inserted URL copies the quotes of the key's variable name, if any
    like = env_lookup_name(ctx, key.value) if key is not None else None
    base_url = module_base_url(s.base_url, version)
    url = string_literal(base_url, like)

    # base URL (an existing one is OpenAI's: the others were handled)
    if base is not None:
        new_value(
            base,
            string_literal(
                base_url, base.value if isinstance(base.value, cst.SimpleString) else None
            ),
        )
        changes.append(f"set {base_attr} to OpenRouter")

    # api key
    if key is not None and key.attr == "api_key":
        value = key.value
        name_node = env_lookup_name(ctx, value)
        literal = _literal_text(value)  # also "sk-..." "..." (implicitly concatenated)
        default_key = _default_key(value) if name_node is not None else None
        if default_key is not None and string_value(name_node) in (  # type: ignore[arg-type]
            OPENAI_KEY_ENV,
            s.api_key_env,
        ):
            # os.getenv("OPENAI_API_KEY", "sk-..."): the key goes with the lookup
            new_value(key, _os_environ(ctx))
            needs_os = True
            secret = (value, default_key, key.assign)
            changes.append(f"read the key from {s.api_key_env}")
        elif name_node is not None and string_value(name_node) == OPENAI_KEY_ENV:
            new_value(key, value.deep_replace(name_node, string_literal(s.api_key_env, name_node)))  # type: ignore[arg-type]
            changes.append(f"read the key from {s.api_key_env}")
        elif name_node is not None and string_value(name_node) == s.api_key_env:
            pass
        elif literal is not None and looks_like_secret(literal):
            new_value(key, _os_environ(ctx))
            needs_os = True
            secret = (value, literal, key.assign)
            changes.append(f"read the key from {s.api_key_env}")
        else:
            # pointing the client at OpenRouter while it keeps this key fails
            # every call with 401: left whole, and reported until a human decides
            shown = redact(literal) if literal is not None else ctx.module.code_for_node(value)
            shown = redact_text(" ".join(shown.split()))
            plan.pending.append(
                _Pending(
                    value,
                    API_KEY_EXPR,
                    f"`{key.alias}.api_key` comes from `{shown}`, which the tool cannot follow: "
                    "the module-level client is left alone, or it would send this key to "
                    f"OpenRouter; make it read ${s.api_key_env} and point the client at "
                    "OpenRouter by hand",
                )
            )
            plan.pending += _block(ctx, relevant, calls, "its api_key cannot be followed (OR103)")
            return plan
    elif key is not None:  # api_key_path: a file holding the key
        plan.pending.append(
            _Pending(
                key.value,
                API_KEY_EXPR,
                f"`{key.alias}.api_key_path` reads the key from a file: the module-level client "
                "is left alone, or it would send that key to OpenRouter; point it at OpenRouter "
                "with an OpenRouter key by hand",
            )
        )
        plan.pending += _block(ctx, relevant, calls, "its key is read from a file (OR103)")
        return plan

    # what must be inserted, and where
    inserts: list[tuple[str, cst.BaseExpression]] = []
    if base is None:
        inserts.append((base_attr, url))
        changes.append(f"set {base_attr} to OpenRouter")
    key_insert = key is None
    headers: list[tuple[str, str]] = []
    if version == "v1":
        if s.app_url:
            headers.append(("HTTP-Referer", s.app_url))
        if s.app_title:
            headers.append((s.title_header, s.app_title))
    header_setting = by_attr.get("default_headers", [None])[0]
    if headers and header_setting is not None:
        if isinstance(header_setting.value, cst.Dict):
            merged = _merge_headers(header_setting.value, headers)
            if merged is not header_setting.value:
                new_value(header_setting, merged)
                changes.append("add attribution headers")
        else:
            notes.append(
                _Pending(
                    header_setting.value,
                    HEADERS_EXPR,
                    "default_headers is not a dict literal: add "
                    + ", ".join(f'"{k}"' for k, _ in headers)
                    + " to it by hand",
                )
            )

    call_edits: list[tuple[cst.CSTNode, Fix]] = []
    if version == "legacy" and (s.app_url or s.app_title):
        legacy_headers = []
        if s.app_url:
            legacy_headers.append(("HTTP-Referer", s.app_url))
        if s.app_title:
            legacy_headers.append((s.title_header, s.app_title))
        added, call_notes = _legacy_call_headers(ctx, calls, legacy_headers, call_edits)
        notes += call_notes
        if added:
            changes.append(
                f"add attribution headers to {added} openai<1 call{'s' if added > 1 else ''}"
            )

    alias: str | None
    if key is not None and base is None:
        where = key.index
        alias = key.alias
    elif base is not None:
        where = base.index
        alias = base.alias
    else:
        anchor = _anchor(ctx)
        alias = _top_level_openai_import(ctx, aliases)
        where = -1 if anchor is None else anchor
    if key_insert:
        inserts.append(("api_key", _os_environ(ctx)))
        needs_os = True
        changes.append(f"read the key from {s.api_key_env}")
    if headers and header_setting is None:
        inserts.append(("default_headers", _headers_dict(headers)))
        changes.append("add attribution headers")

    if inserts and (alias is None or where < 0):
        plan.pending += (
            _block(
                ctx,
                relevant,
                calls,
                "the file has no module-level `import openai` to configure the client after",
            )
            if relevant
            else [
                _held_report(
                    ctx,
                    c,
                    "this file does not configure it and has no module-level "
                    "`import openai` to configure it after (configure it where the "
                    "client is set up)",
                )
                for c in calls
            ]
        )
        return plan
    if needs_os and not _os_usable(ctx):
        plan.pending += (
            _block(ctx, relevant, calls, "`os` is bound to something else in this file")
            if relevant
            else [
                _held_report(ctx, c, "`os` is bound to something else in this file") for c in calls
            ]
        )
        return plan

    if inserts:
        assert alias is not None
        new_lines = [_assign_line(alias, attr, value) for attr, value in inserts]
        if not relevant or (key is None and base is None):
            # after the imports: set the block apart
            new_lines[0] = new_lines[0].with_changes(leading_lines=[cst.EmptyLine()])
        after[where] = new_lines

    for attr in ("organization", "project"):
        if attr in by_attr and (attr == "organization" or s.strip_project):
            removed.add(by_attr[attr][0].index)
            changes.append(f"drop {attr}")

    if not changes and not value_edits:
        plan.held = set(plan.ambiguous)
        plan.pending += notes
        return plan

    edits: list[tuple[cst.CSTNode, Fix]] = list(value_edits)
    edits += _statement_edits(ctx, body, after, removed)
    edits += call_edits

    if relevant:
        first = min(relevant, key=lambda x: x.index)
        node: cst.CSTNode = first.assign
        rule_info = MODULE_CLIENT
        message = f"module-level client `{first.alias}` talks to OpenAI directly: " + ", ".join(
            dict.fromkeys(changes)
        )
    else:
        node = calls[0].func
        rule_info = UNCONFIGURED
        message = (
            f"`{ctx.module.code_for_node(calls[0].func)}(...)` uses the module-level client, "
            "which nothing in this file configures, so it calls OpenAI: "
            + ", ".join(dict.fromkeys(changes))
            + " after the imports (add `# noqa: OR111` if another module configures it)"
        )
    plan.pending.append(_Pending(node, rule_info, message, edits, edits[0][0], needs_os))
    if secret is not None:
        value, literal, stmt = secret
        plan.pending.append(
            _Pending(
                value,
                SECRET,
                f"hard-coded API key {redact(literal)}: replaced by "
                f'os.environ["{s.api_key_env}"]; rotate this key, it is in your history',
                fix_node=stmt,
                key_shown=(redact(literal), key.alias if key is not None else "openai"),
            )
        )
    plan.pending += notes
    plan.held = set(plan.ambiguous)
    return plan


def _literal_text(node: cst.BaseExpression) -> str | None:
    from codemods.python.rules.keyflow import literal_value

    return literal_value(node)


def _default_key(lookup: cst.BaseExpression) -> str | None:
    """The hard-coded key given as the default of an environment lookup."""
    from codemods.python.rules.keyflow import env_default, literal_value

    default = env_default(lookup)
    text = None if default is None else literal_value(default)
    return text if text is not None and looks_like_secret(text) else None


def module_base_url(url: str, version: str) -> str:
    """``url`` as the module-level client of SDK generation ``version`` needs it.

    openai>=1's module client joins endpoint paths onto ``openai.base_url``
    as written (``_base_client._prepare_url``; unlike ``OpenAI(base_url=...)``,
    the module client does not add the slash): without a trailing slash it
    requests ``.../api/v1chat/completions``. openai<1 requests
    ``api_base + "/chat/completions"``: a trailing slash gives ``//``.
    """
    bare = url.rstrip("/")
    if "?" in url or "#" in url:
        return url
    return bare + "/" if version == "v1" else bare


def _slash_fixes(version: str, bases: list[Setting]) -> list[_Pending]:
    """A base URL already on OpenRouter that the SDK would join wrongly."""
    out = []
    attr = "base_url" if version == "v1" else "api_base"
    for b in bases:
        value = b.value
        literal = string_value(value)
        if b.attr != attr or literal is None or not isinstance(value, cst.SimpleString):
            continue
        fixed = module_base_url(literal, version)
        if fixed == literal:
            continue
        if version == "v1":
            why = (
                "the module-level client joins endpoint paths onto it as written "
                f"('{literal.rstrip('/')}chat/completions'): add the trailing slash"
            )
        else:
            why = "openai<1 adds its own '/' before the endpoint path: remove the trailing slash"

        def fix(node: cst.CSTNode, fixed: str = fixed) -> cst.CSTNode:
            assert isinstance(node, cst.SimpleString)
            return replace_string(node, fixed)

        out.append(
            _Pending(
                b.assign,
                MODULE_CLIENT,
                f"`{b.alias}.{b.attr}` is '{literal}': {why}",
                [(value, fix)],
                value,
            )
        )
    return out


# openai<1 resource methods that take a per-call ``headers=`` (0.28.1:
# ``EngineAPIResource.create/acreate`` pop it and send it with the request)
_LEGACY_HEADER_METHODS = frozenset(
    f"openai.{res}.{m}"
    for res in ("ChatCompletion", "Completion", "Embedding")
    for m in ("create", "acreate")
)


def _legacy_call_headers(
    ctx: RuleContext,
    calls: list[cst.Call],
    headers: list[tuple[str, str]],
    edits: list[tuple[cst.CSTNode, Fix]],
) -> tuple[int, list[_Pending]]:
    """Add ``headers={...}`` (attribution) to each openai<1 call that takes it.

    openai<1 has no ``default_headers``: the headers go on every call.
    Returns how many calls get them, and reports for those that cannot.
    """
    added = 0
    notes: list[_Pending] = []
    wanted = ", ".join(f'"{k}"' for k, _ in headers)
    for call in calls:
        if ctx.facts.qualified(call.func) not in _LEGACY_HEADER_METHODS:
            continue
        name = ctx.module.code_for_node(call.func)
        if any(a.star == "**" for a in call.args):
            notes.append(
                _Pending(
                    call.func,
                    HEADERS_EXPR,
                    f"`{name}(...)` passes `**kwargs`, which may hold `headers=`: attribution "
                    f"headers not added; pass headers={{{wanted}: ...}} by hand",
                )
            )
            continue
        given = [a for a in call.args if a.keyword is not None and a.keyword.value == "headers"]
        if given:
            value = given[0].value
            if not isinstance(value, cst.Dict):
                notes.append(
                    _Pending(
                        value,
                        HEADERS_EXPR,
                        f"`headers=` of `{name}(...)` is not a dict literal: add {wanted} "
                        "to it by hand",
                    )
                )
                continue
            if _merge_headers(value, headers) is value:
                continue

            def merge(node: cst.CSTNode) -> cst.CSTNode:
                assert isinstance(node, cst.Dict)
                return _merge_headers(node, headers)

            edits.append((value, merge))
            added += 1
            continue

        def add(node: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(node, cst.Call)
            args = list(node.args)
            new = [*enumerate(args), keyword_arg("headers", _headers_dict(headers))]
            return node.with_changes(args=rebuild(args, new, node.whitespace_before_args))

        edits.append((call, add))
        added += 1
    return added, notes


def _statement_edits(
    ctx: RuleContext,
    body: Sequence[cst.BaseStatement],
    after: dict[int, list[cst.SimpleStatementLine]],
    removed: set[int],
) -> list[tuple[cst.CSTNode, Fix]]:
    """One fix per touched module statement: removal (its comment lines above
    move to the next statement that stays), or lines inserted after it."""
    carry: dict[int, list[cst.EmptyLine]] = {}
    footer: list[cst.EmptyLine] = []
    pending: list[cst.EmptyLine] = []
    for i, stmt in enumerate(body):
        if i in removed:
            pending += list(stmt.leading_lines)
            continue
        if pending:
            carry[i] = pending
            pending = []
    footer = pending

    out: list[tuple[cst.CSTNode, Fix]] = []
    for i in sorted(set(after) | removed | set(carry)):
        stmt = body[i]

        def fix(
            node: cst.CSTNode,
            i: int = i,
        ) -> Statement:
            if i in removed:
                return cst.RemovalSentinel.REMOVE
            assert isinstance(node, cst.BaseStatement)
            if i in carry:
                node = node.with_changes(leading_lines=[*carry[i], *node.leading_lines])
            if i in after:
                return cst.FlattenSentinel([node, *after[i]])
            return node

        out.append((stmt, fix))  # type: ignore[arg-type]
    if footer:

        def fix_footer(node: cst.CSTNode) -> cst.CSTNode:
            assert isinstance(node, cst.Module)
            return node.with_changes(footer=[*footer, *node.footer])

        out.append((ctx.module, fix_footer))
    return out


# the first fixable finding that moves the module-level client (engine
# ``_blocked_clients``: a model that cannot move makes it unsafe)
MODULE_CLIENT_REPORT = "module-client-report"
# the finding that migrates the configuration this file gives the
# module-level client (OR110), emitted or not (its rule not selected)
MODULE_CLIENT_CONFIG = "module-client-config"


@checker
def check_module_client(ctx: RuleContext) -> None:
    from codemods.python.rules.client import blocked_note, fails_on_openrouter
    from codemods.python.rules.models import MODULE_MODELS, MODULE_SITE

    plan = plan_for(ctx)
    # a model ID sent through the module-level client that cannot move
    # (engine ``_blocked_clients``, second pass): its configuration moves
    # only as an unsafe fix, and the model IDs sent through it with it
    blockers = ctx.blocked_clients.get(MODULE_SITE, [])
    first: Report | None = None
    config: Report | None = None  # the same, also when its rule is not selected
    # the configuration stays on OpenAI when its finding is suppressed (the
    # engine's second pass knows it: ``RuleContext.held_clients``) or not
    # selected: a hard-coded key it would replace is not replaced either
    held = None
    for p in plan.pending:
        if p.rule is MODULE_CLIENT and p.edits:
            if id(p.node) in ctx.held_clients:
                held = f"its {MODULE_CLIENT.code} finding is suppressed"
            elif not ctx.settings.rule_enabled(MODULE_CLIENT.code):
                held = f"{MODULE_CLIENT.code} is not selected"
    for p in plan.pending:
        if not p.edits:
            if p.key_shown is not None and held is not None:
                shown, alias = p.key_shown
                ctx.report(
                    p.node,
                    p.rule,
                    f"hard-coded API key {shown} is the key of the module-level client "
                    f"`{alias}`, which stays where it points ({held}): not replaced; move the "
                    "key to an environment variable and rotate it, it is in your history",
                )
                continue
            r = ctx.report(p.node, p.rule, p.message)
            if p.fix_node is not None:
                r.fix_node = p.fix_node
            continue
        message = p.message + blocked_note(blockers)
        r = ctx.report(
            p.node,
            p.rule,
            message,
            fix=_identity,
            fix_node=p.fix_node,
            unsafe=bool(blockers),
            refs=tuple(b.node for b in blockers),
            display_only=fails_on_openrouter(blockers),
        )
        for node, fix in p.edits:
            ctx.needs(r, node, fix)
        if p.needs_os:
            add_import_os(ctx, r)
        if first is None and r.fix is not None:
            first = r
        if config is None:
            config = r
    if first is not None:
        ctx.memo[MODULE_CLIENT_REPORT] = first
        if blockers:
            for m in ctx.memo.get(MODULE_MODELS, ()):
                m.requires.append(first)  # moves with the configuration, or not
    if config is not None and (
        config.rule.code != UNCONFIGURED.code
        # ``--ignore OR111`` / ``--select OR2``: this run does not configure
        # it, so the model IDs sent through it stay too (a noqa comment for
        # OR111 is different: it says another module configures it)
        or not ctx.settings.rule_enabled(UNCONFIGURED.code)
    ):
        # the model IDs (and stream guards) sent through the module-level
        # client move with the configuration this file has (OR110), or not:
        # a noqa comment for OR110 or ``--ignore OR110`` keeps them on OpenAI too;
        # not with the configuration it lacks (OR111: a noqa comment for it says
        # another module configures it)
        ctx.memo[MODULE_CLIENT_CONFIG] = config
        if not blockers:
            for m in ctx.memo.get(MODULE_MODELS, ()):
                m.requires.append(config)


def _identity(node: cst.CSTNode) -> cst.CSTNode:
    return node
