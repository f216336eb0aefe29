"""OR2xx: model IDs passed to the SDK."""

from __future__ import annotations

from dataclasses import dataclass, replace

import libcst as cst

from codemods.core.findings import Severity
from codemods.core.mapping import LookupKind
from codemods.core.rules import UNSAFE_NOTE, RuleInfo, rule
from codemods.core.sdk import TEXT_METHODS
from codemods.core.unsupported import TRANSPARENT
from codemods.python import clients, escapes
from codemods.python.analysis import FOREIGN_SDKS, attribute_chain
from codemods.python.rules import langchain as _langchain
from codemods.python.rules._edit import replace_string
from codemods.python.rules.base import REFS, Report, RuleContext, checker
from codemods.python.rules.client import string_value
from codemods.python.rules.dataflow import (
    Flow,
    Resolver,
    Sink,
    blocked_holder,
    export_sink,
    field_export_sinks,
    follow_imported_functions,
    is_rewritable,
    short_code,
    sink_safe,
    summarize,
)

# Resource-method chains of the openai>=1 SDK that take ``model=``.
# Matched against the end of the attribute chain of the call.
SDK_METHODS: tuple[tuple[str, ...], ...] = (
    *TEXT_METHODS,
    ("images", "generate"),
    ("images", "edit"),
    ("images", "create_variation"),
    ("audio", "speech", "create"),
    ("audio", "transcriptions", "create"),
    ("audio", "translations", "create"),
    ("moderations", "create"),
)
_TRANSPARENT = TRANSPARENT
# openai<1 resource classes (``openai.ChatCompletion.create(model=...)``):
# the same request as the openai>=1 method they map to.
LEGACY_METHODS: dict[str, tuple[str, ...]] = {
    "openai.ChatCompletion.create": ("chat", "completions", "create"),
    "openai.ChatCompletion.acreate": ("chat", "completions", "create"),
    "openai.Completion.create": ("completions", "create"),
    "openai.Completion.acreate": ("completions", "create"),
    "openai.Embedding.create": ("embeddings", "create"),
    "openai.Embedding.acreate": ("embeddings", "create"),
}

MODEL_ID = rule(
    code="OR201",
    name="bare-model-id",
    summary="model ID without the provider prefix: OpenRouter answers 400",
    severity=Severity.ERROR,
    fixable=True,
    what="""
        Maps a model ID that reaches `model=` of an SDK call to its
        OpenRouter ID using `mappings/models.yaml`, where the ID is written:
        at `model=` itself, or on a path the tool follows with certainty:
        module constants, class attributes (`self.DEFAULT_MODEL`,
        `cls.X`, `Class.X`, overrides in subclasses of the same file),
        parameter defaults (and arguments of in-file calls of that
        function), local variables assigned once, both branches of
        `a if c else b` and `a or b`, `os.getenv("X", default)` defaults,
        the `"model"` entry of a dict splatted with `**params`,
        `@click.option(default=...)`, and constants imported from another
        module of the files being migrated (`from .settings import
        CHAT_MODEL`: mapped in `settings.py`).
    """,
    why="OpenRouter IDs carry the provider: `gpt-4o` is rejected, `openai/gpt-4o` works.",
    before="""
        import os

        from openai import OpenAI

        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
        response = client.chat.completions.create(model="gpt-4o", messages=messages)
    """,
    after="""
        import os

        from openai import OpenAI

        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
        response = client.chat.completions.create(model="openai/gpt-4o", messages=messages)
    """,
    fix_safety="""
        Only IDs the table knows are mapped; a string that is not passed to
        the SDK (a price table, `tiktoken.encoding_for_model`) is never
        touched. Every place on the path (constant, attribute, parameter,
        variable, dict) must be read only on its way to `model=`: one that
        is also read for something else is reported instead (OR206), and a
        path that cannot be followed (a reassigned parameter, argparse, a
        closure) is reported (OR205), never guessed.

        The fix is safe when every SDK call the ID reaches is made on a
        client the tool resolves to openai's (`client = OpenAI(...)` in the
        file, the `openai` module, an openai<1 class). It is unsafe when one
        of them is made on a receiver it cannot resolve: a `client`
        parameter without a caller in the run, an object from another
        module or library. That client may not be an OpenAI client, or may
        not be moved to OpenRouter, and the prefixed ID would break it.
        `migrate` applies unsafe fixes only with `--unsafe-fixes`.
    """,
    sometimes_unsafe=True,
)

UNKNOWN_MODEL = rule(
    code="OR202",
    name="unknown-model-id",
    summary="no OpenRouter ID known for this model",
    severity=Severity.ERROR,
    fixable=False,
    what="Reports a model ID that the mapping table does not know.",
    why="""
        The tool never guesses an ID. Find the model on
        https://openrouter.ai/models and add it to your mapping file
        (`--mapping`), or write the OpenRouter ID in the code.
    """,
    before="""
        import openai
        client.chat.completions.create(model="gpt-foo-9", messages=messages)
    """,
)

FINE_TUNE = rule(
    code="OR203",
    name="fine-tuned-model",
    summary="fine-tuned OpenAI model: no OpenRouter equivalent",
    severity=Severity.ERROR,
    fixable=False,
    what="Reports `ft:...` model IDs.",
    why="""
        OpenAI fine-tunes are only served by OpenAI; OpenRouter cannot route to them.
        The client it is sent through keeps a display-only fix (shown, never
        applied, not even with `--unsafe-fixes`) until the model changes or
        this finding is suppressed.
    """,
    before="""
        import openai
        client.chat.completions.create(model="ft:gpt-4o-mini:acme::abc123", messages=messages)
    """,
)

NO_EQUIVALENT = rule(
    code="OR204",
    name="model-without-equivalent",
    summary="model has no OpenRouter equivalent",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Reports model IDs the table lists as having no OpenRouter equivalent,
        including IDs that OpenAI's tables still list but the bundled catalog
        snapshot does not (`o1-mini`): they are never rewritten into an
        `openai/...` ID OpenRouter does not serve. When the ID has a known
        successor (`mappings/successors.yaml`, or a `successors:` section of
        your mapping file), the finding names it.
    """,
    why="""
        The request would fail on OpenRouter; choose a replacement model (the
        successor is a suggestion: a different model may need other prompts or
        parameters). The client it is sent through keeps a display-only fix
        (shown, never applied, not even with `--unsafe-fixes`) until the model
        changes or this finding is suppressed.
    """,
    before="""
        client.chat.completions.create(model="o1-mini", messages=messages)
    """,
)

DYNAMIC_MODEL = rule(
    code="OR205",
    name="dynamic-model",
    summary="model comes from an expression the tool cannot follow",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports an SDK call whose `model=` (or `**params`) gets a value the
        tool cannot follow to a literal with certainty: an attribute of a
        settings object, a parameter without a default or reassigned in its
        function, argparse, a closure, `**kwargs`, a name imported from a
        module that is not part of the run. Also reported where a default
        is mapped but the value can come from outside: an environment
        variable (`os.getenv("OPENAI_MODEL", "gpt-4o")`). A value read from
        a field of a parameter annotated with a class (`agent.model`,
        `agent: Agent`) may be that class's default, a bare ID the tool does
        not follow: the client it is sent through then moves only as an
        unsafe fix. So does a request whose model the tool cannot see at
        all: no `model=` and a `**` mapping it does not follow to a dict
        written in the file (`create(**body)`, `create(**kwargs)`).
    """,
    why="""
        Wherever the value comes from (settings, environment, a parameter),
        it must be an OpenRouter ID (`openai/gpt-4o`) after the migration.
    """,
    before="""
        import openai
        client.chat.completions.create(model=settings.model, messages=messages)
    """,
)

SHARED_CONSTANT = rule(
    code="OR206",
    name="shared-model-constant",
    summary="model constant is also used for something else: not rewritten",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Reports a model ID on its way to `model=` whose holder (module
        constant, class attribute, parameter, variable, dict) is also read
        for something else: in the same file, or, for a constant imported
        by other modules of the run, in those files. The client it is sent
        through then moves only as an unsafe fix: it would send the bare ID.
    """,
    why="""
        Prefixing it could break the other use (`tiktoken.encoding_for_model`,
        a comparison, a price lookup). Split it into two constants.
    """,
    before="""
        MODEL = "gpt-4o"
        enc = tiktoken.encoding_for_model(MODEL)
        client.chat.completions.create(model=MODEL, messages=messages)
    """,
)

BAD_PREFIX = rule(
    code="OR207",
    name="litellm-prefix",
    summary="`openrouter/` prefix (LiteLLM style) is rejected by OpenRouter",
    severity=Severity.ERROR,
    fixable=True,
    what="Rewrites `openrouter/openai/gpt-4o` to `openai/gpt-4o` when the rest is a known ID.",
    why="The `openrouter/` prefix is LiteLLM's routing syntax; OpenRouter itself answers 400.",
    before="""
        import os

        from openai import OpenAI

        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
        client.chat.completions.create(model="openrouter/openai/gpt-4o", messages=messages)
    """,
    after="""
        import os

        from openai import OpenAI

        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
        client.chat.completions.create(model="openai/gpt-4o", messages=messages)
    """,
    fix_safety="""
        Safe or unsafe as OR201's fix: unsafe when a call the ID reaches is
        made on a receiver the tool cannot resolve to openai's client.
    """,
    sometimes_unsafe=True,
)


@dataclass
class SdkCall:
    call: cst.Call
    method: tuple[str, ...]
    receiver: str  # "openai" | "foreign" | "unknown"
    # a call on the module-level client (or an openai<1 class) whose
    # configuration stays on OpenAI: its model ID must not be rewritten
    held: bool = False
    requires: tuple[Report, ...] = ()  # see client_requirements
    # the constructor sites it may go through, and (str) the keys of the
    # clients of other modules it may go through (``clients.external_uses``)
    sites: tuple[int | str, ...] = ()


def fix_is_safe(ctx: RuleContext, sc: SdkCall) -> bool:
    """May a model ID sent through this call be rewritten without
    ``--unsafe-fixes``? Only when every client its receiver can be is one
    this run moves to OpenRouter, or one already there
    (``classify_receiver``, scope-aware: codemods/python/clients.py), and the call
    is not held on OpenAI. An "unknown" receiver (a ``client`` parameter of
    a public function, an object of a module outside the run) makes the fix
    unsafe, whatever the file imports."""
    return sc.receiver == "openai" and not sc.held and not any(r.unsafe for r in sc.requires)


def sdk_method(call: cst.Call) -> tuple[tuple[str, ...], cst.BaseExpression] | None:
    """The resource method a call invokes (("chat", "completions", "create"), receiver)."""
    parts, _ = attribute_chain(call.func)
    if len(parts) < 2:
        return None
    core = [p for p in parts if p not in _TRANSPARENT]
    for pattern in SDK_METHODS:
        n = len(pattern)
        if tuple(core[-n:]) == pattern:
            return pattern, _receiver(call.func, n)
    return None


def _instructor_method(
    ctx: RuleContext, call: cst.Call
) -> tuple[tuple[str, ...], cst.BaseExpression] | None:
    """``wrapped.create_iterable(model=...)`` and instructor's other methods
    on a client wrapped with ``instructor.from_openai``: a chat completion."""
    if type(call.func) is not cst.Attribute or not ctx.facts.imports_module("instructor"):
        return None
    parts, _ = attribute_chain(call.func)
    for pattern in clients.INSTRUCTOR_METHODS:
        n = len(pattern)
        if tuple(parts[-n:]) != pattern or len(parts) < n:
            continue
        receiver = _receiver(call.func, n)
        scope = ctx.facts.scope_of.get(id(call))
        if clients.index(ctx).through_instructor(receiver, scope):
            return ("chat", "completions", "create"), receiver
        return None
    return None


def _instructor_pattern(call: cst.Call) -> bool:
    """Does ``call``'s method end as one of instructor's
    (:func:`_instructor_method` without asking whether its receiver is an
    instructor wrapper)?"""
    parts, _ = attribute_chain(call.func)
    for pattern in clients.INSTRUCTOR_METHODS:
        n = len(pattern)
        if tuple(parts[-n:]) == pattern and len(parts) >= n:
            return True
    return False


def _receiver(func: cst.BaseExpression, n: int) -> cst.BaseExpression:
    # walk down the attribute chain past the matched method segments
    # (and the transparent ones interleaved with them)
    node = func
    matched = 0
    while isinstance(node, cst.Attribute) and matched < n:
        if node.attr.value not in _TRANSPARENT:
            matched += 1
        node = node.value
    while isinstance(node, cst.Attribute) and node.attr.value in _TRANSPARENT:
        node = node.value
    return node


def classify_receiver(
    ctx: RuleContext, receiver: cst.BaseExpression, scope: cst.CSTNode | None = None
) -> str:
    """ "openai", "foreign" or "unknown": which client a call made through
    ``receiver`` (in ``scope``) goes through (see codemods/python/clients.py)."""
    f = ctx.facts
    q = f.qualified(receiver)
    if q is not None:
        if q == "openai" or q.startswith("openai."):
            return "openai"
        if q.split(".", 1)[0] in FOREIGN_SDKS:
            return "foreign"
    return clients.index(ctx).kind(receiver, scope)


def client_requirements(
    ctx: RuleContext, receiver: cst.BaseExpression, scope: cst.CSTNode | None
) -> tuple[Report, ...]:
    """The OR101 reports of the clients of this file a call through
    ``receiver`` may use: its model ID is rewritten only with them."""
    found = []
    for site in clients.index(ctx).sites_of(receiver, scope):
        report = ctx.client_reports.get(site)
        if report is not None:
            found.append(report)
    return tuple(found)


# the ``sites`` key of the module-level client (``openai.api_key = ...``,
# ``openai.ChatCompletion.create``): a model sent through it that cannot move
# blocks its configuration like a constructor's (module_client, engine
# ``_blocked_clients``); the model fixes through it are listed under
# MODULE_MODELS, to move only with it
MODULE_SITE = 0
MODULE_MODELS = "module-client-models"
# the model ID findings this run does not emit (``--ignore OR201``,
# ``--select OR101``): the IDs stay bare, so the clients they are sent
# through stay too (engine ``_blocked_clients``), or they would reach
# OpenRouter without the prefix it needs
UNSELECTED_MODELS = "models.unselected"


def _blockable_sites(
    ctx: RuleContext, call: cst.Call, receiver: cst.BaseExpression, scope: cst.CSTNode | None
) -> tuple[int, ...]:
    """The constructor sites a model ID that cannot move keeps in place when
    sent through ``call``: none for a call of an endpoint OpenRouter does not
    serve (OR301 reports the call itself; its model is moot)."""
    from codemods.python.rules.unsupported import load_unsupported, match_endpoint

    if match_endpoint(call, load_unsupported().endpoints) is not None:
        return ()
    index = clients.index(ctx)
    # also the clients of other modules it goes through (their keys): the
    # module that builds one learns it (engine: _external_blocks)
    return (*index.sites_of(receiver, scope), *sorted(set(index.tag_keys(receiver, scope))))


def _module_site(ctx: RuleContext, call: cst.Call, receiver: cst.BaseExpression) -> tuple[int, ...]:
    """(MODULE_SITE,) for a call on the module-level client
    (``openai.chat.completions.create``) of an endpoint OpenRouter serves."""
    from codemods.python.rules.unsupported import load_unsupported, match_endpoint

    if ctx.facts.qualified(receiver) != "openai":
        return ()
    if match_endpoint(call, load_unsupported().endpoints) is not None:
        return ()
    return (MODULE_SITE,)


def sdk_calls(ctx: RuleContext) -> list[SdkCall]:
    # asked by the model rules and the unsupported-feature rules: computed
    # once (again only if the client rules marked more clients since)
    known = ctx.memo.get("sdk_calls")
    if known is not None and known[0] == len(ctx.unmigrated_clients):
        return list(known[1])
    out = _sdk_calls(ctx)
    ctx.memo["sdk_calls"] = (len(ctx.unmigrated_clients), tuple(out))
    return out


# calls that take a client and a ``model=`` the client is later sent with, as
# the SDK method they call -> (method, the client's keyword, its position):
# instructor's ``from_openai(client, mode, model)`` (the default model of
# every request, instructor 1.15.3+; earlier versions pass it on the same
# way through ``**kwargs``), and the Agents SDK's model classes, which send
# ``model`` unchanged through ``openai_client`` (openai-agents
# models/openai_chatcompletions.py, models/openai_responses.py: ``model=self.model``)
MODEL_HOLDERS: dict[str, tuple[tuple[str, ...], str, int]] = {
    "instructor.from_openai": (("chat", "completions", "create"), "client", 0),
    "agents.OpenAIChatCompletionsModel": (("chat", "completions", "create"), "openai_client", 1),
    "agents.models.openai_chatcompletions.OpenAIChatCompletionsModel": (
        ("chat", "completions", "create"),
        "openai_client",
        1,
    ),
    "agents.OpenAIResponsesModel": (("responses", "create"), "openai_client", 1),
    # instructor's ``llm_validator(statement, client, allow_override, model)``
    # sends ``model`` through ``client`` (instructor/dsl/validators.py); without
    # ``model=`` it sends its default: codemods/python/escapes.py
    "instructor.llm_validator": (("chat", "completions", "create"), "client", 1),
    "instructor.dsl.validators.llm_validator": (("chat", "completions", "create"), "client", 1),
    "instructor.dsl.llm_validator": (("chat", "completions", "create"), "client", 1),
    "agents.models.openai_responses.OpenAIResponsesModel": (
        ("responses", "create"),
        "openai_client",
        1,
    ),
}


def model_holder(
    ctx: RuleContext, call: cst.Call
) -> tuple[tuple[str, ...], cst.BaseExpression] | None:
    """``instructor.from_openai(client, model="gpt-4o")``,
    ``OpenAIChatCompletionsModel(model="gpt-4o", openai_client=client)``:
    the SDK method the model is sent with, and the client expression."""
    q = ctx.facts.qualified(call.func)
    held = MODEL_HOLDERS.get(q) if q is not None else None
    if held is None or model_arg(call) is None:
        return None
    method, keyword, position = held
    seen = 0
    for a in call.args:
        if a.star:
            return None
        if a.keyword is None:
            if seen == position:
                return method, a.value
            seen += 1
        elif a.keyword.value == keyword:
            return method, a.value
    return None


def _method_calls(
    ctx: RuleContext,
) -> list[tuple[cst.Call, str | None, _Method | None, bool, _Method | None]]:
    """The calls of the file that :func:`_sdk_calls` looks at, in order,
    with what only the facts decide about each: the legacy method it is
    (``LEGACY_METHODS``' key), else its SDK method (:func:`sdk_method`),
    whether it may be instructor's (:func:`_instructor_method`, which asks
    the client index, is left to each analysis) and its model holder
    (:func:`model_holder`). Computed once per file (``ModuleFacts.node_memo``),
    not once per analysis."""
    f = ctx.facts
    known = f.node_memo.get(_METHOD_CALLS)
    if known is not None:
        return known  # type: ignore[no-any-return]
    out = []
    instructor = f.imports_module("instructor")
    for call in f.calls:
        q = f.qualified(call.func) if isinstance(call.func, cst.Attribute) else None
        if q in LEGACY_METHODS:
            out.append((call, q, None, False, None))
            continue
        m = sdk_method(call)
        if m is not None:
            out.append((call, None, m, False, None))
            continue
        maybe = instructor and type(call.func) is cst.Attribute and _instructor_pattern(call)
        holder = model_holder(ctx, call)
        if maybe or holder is not None:
            out.append((call, None, None, maybe, holder))
    f.node_memo[_METHOD_CALLS] = out
    return out


_METHOD_CALLS = ("models.method_calls", 0)  # ModuleFacts.node_memo: _method_calls
_Method = tuple[tuple[str, ...], cst.BaseExpression]  # (SDK method, receiver)


def _sdk_calls(ctx: RuleContext) -> list[SdkCall]:
    out = []
    for call, legacy, m, maybe, holder in _method_calls(ctx):
        if legacy is not None:
            out.append(SdkCall(call, LEGACY_METHODS[legacy], "openai", sites=(MODULE_SITE,)))
            continue
        if m is None:
            m = (_instructor_method(ctx, call) if maybe else None) or holder
        if m is None:
            continue
        method, receiver = m
        scope = ctx.facts.scope_of.get(id(call))
        out.append(
            SdkCall(
                call,
                method,
                classify_receiver(ctx, receiver, scope),
                requires=client_requirements(ctx, receiver, scope),
                sites=_blockable_sites(ctx, call, receiver, scope)
                + _module_site(ctx, call, receiver),
            )
        )
    if out and ctx.facts.imports_openai:
        # calls on the module-level client stay as they are while its
        # configuration does (import here: module_client builds on this module)
        from codemods.python.rules.module_client import held_calls

        held = held_calls(ctx)
        out = [replace(sc, held=True) if id(sc.call) in held else sc for sc in out]
    return out


def _exported_client(ctx: RuleContext, sites: tuple[int | str, ...]) -> bool:
    """Does the call go through a client another module of the run exports
    (the project pass told this file its decision)?"""
    project = ctx.project
    if project is None or not project.clients:
        return False
    return any(isinstance(s, str) and project.client_state(s) is not None for s in sites)


def model_arg(call: cst.Call) -> cst.Arg | None:
    for a in call.args:
        if a.keyword is not None and a.keyword.value == "model":
            return a
    return None


def resolved_model(ctx: RuleContext, call: cst.Call) -> tuple[str, cst.BaseExpression] | None:
    """The model ID string the OR2xx rules see for ``call`` (a literal
    ``model=`` or a module string constant passed as ``model=``) and the
    argument's value node; None when it cannot be known."""
    arg = model_arg(call)
    if arg is None:
        return None
    value: cst.BaseExpression = arg.value
    if isinstance(value, cst.Name) and value.value in ctx.facts.string_constants:
        value = ctx.facts.string_constants[value.value].value
    model = string_value(value)
    return None if model is None else (model, arg.value)


def _receiver_of(ctx: RuleContext, call: cst.Call) -> cst.BaseExpression | None:
    """The receiver of an SDK call of :func:`_method_calls` (its scan,
    remembered per file: the SDK method is not matched again)."""
    memo = ctx.facts.node_memo
    known = memo.get(_RECEIVERS)
    if known is None:
        known = memo[_RECEIVERS] = {
            id(c): m[1] for c, _, m, _, _ in _method_calls(ctx) if m is not None
        }
    return known.get(id(call))  # type: ignore[no-any-return]


_RECEIVERS = ("models.receivers", 0)  # ModuleFacts.node_memo: _receiver_of


def _receiver_param(
    ctx: RuleContext, sc: SdkCall, scope: cst.CSTNode | None
) -> tuple[int, str] | None:
    """(id() of the def, name) when the receiver of ``sc`` is a parameter
    of the function it is made in (``def run_eval(client, model_id):
    client.chat.completions.create(model=model_id)``)."""
    if not isinstance(scope, cst.FunctionDef):
        return None
    receiver = _receiver_of(ctx, sc.call)
    if not isinstance(receiver, cst.Name):
        return None
    name = receiver.value
    ps = scope.params
    if any(p.name.value == name for p in [*ps.posonly_params, *ps.params, *ps.kwonly_params]):
        return id(scope), name
    return None


def _annotated_left(ctx: RuleContext, sc: SdkCall) -> bool:
    """Is ``sc`` made through a parameter annotated with openai's client
    class whose callers are not all known (an OpenAI client of the run,
    :data:`clients.ANNOTATED`), with nothing else it may be but clients
    left where they point, while nothing of this file moves to OpenRouter
    and the project pass does not say that something of the program does?
    Then it holds one of the run's clients, all left: its model IDs are
    that server's business (issue 11 item 3)."""
    receiver = _receiver_of(ctx, sc.call)
    if receiver is None:
        return False
    index = clients.index(ctx)
    atoms = index.resolve(receiver, ctx.facts.scope_of.get(id(sc.call)))
    if clients.ANNOTATED not in atoms:
        return False
    for a in atoms:
        if a in (clients.ANNOTATED, clients.UNKNOWN, clients.DECISION_LEFT) or type(a) is tuple:
            continue
        if isinstance(a, int) and ctx.client_decisions.get(a) == clients.DECISION_LEFT:
            continue
        return False
    if ctx.project is not None and ctx.project.run_moves:
        return False
    from codemods.python.rules.comparisons import moves_here

    return not moves_here(ctx)


@checker
def check_models(ctx: RuleContext) -> None:
    f = ctx.facts
    openai_file = f.imports_openai
    foreign_file = any(f.imports_module(m) for m in FOREIGN_SDKS)
    calls = [c for c in sdk_calls(ctx) if c.receiver != "foreign" and not c.held]
    resolver = Resolver(ctx)
    ask_run_moves = False
    # SDK calls whose receiver is a parameter of the function around them:
    # (def, parameter), and the literal sent or the sink (param_bare)
    param_sends: list[tuple[tuple[int, str], cst.SimpleString | None, Sink | None]] = []
    for sc in calls:
        if sc.receiver == "unknown" and _annotated_left(ctx, sc):
            # a client parameter annotated ``OpenAI`` in a program where
            # nothing moves to OpenRouter: whichever client of the run it
            # holds is left where it points (OR102-OR104...): no model
            # finding; the project pass says whether something else of the
            # program moves (run_moves: then it is reported as before)
            ask_run_moves = True
            continue
        # ``certain`` decides what is reported (OR202/OR203/OR205); ``safe``
        # whether a model fix is applied without --unsafe-fixes. A client
        # another module of the run builds and exports is an OpenAI client,
        # also when its move is unsafe there ("unknown")
        certain = (
            sc.receiver == "openai"
            or (openai_file and sc.receiver == "unknown")
            or (sc.receiver == "unknown" and _exported_client(ctx, sc.sites))
        )
        safe = fix_is_safe(ctx, sc)
        if sc.receiver == "unknown" and not openai_file and foreign_file:
            continue
        scope = f.scope_of.get(id(sc.call))
        arg = model_arg(sc.call)
        if arg is None:
            # ``create(**params)``: the model may be an entry of the mapping
            for a in sc.call.args:
                if a.star == "**":
                    resolver.add(
                        Sink(
                            a.value,
                            a.value,
                            scope,
                            certain,
                            safe=safe,
                            dict_mode=True,
                            requires=sc.requires,
                            sites=sc.sites,
                        )
                    )
            continue
        value = arg.value
        through = _receiver_param(ctx, sc, scope)
        if isinstance(value, cst.SimpleString) and string_value(value) is not None:
            check_literal(
                ctx, value, certain, via=None, safe=safe, requires=sc.requires, sites=sc.sites
            )
            if through is not None:
                param_sends.append((through, value, None))
        else:
            sink = resolver.add(
                Sink(
                    value,
                    value,
                    scope,
                    certain,
                    safe=safe,
                    requires=sc.requires,
                    sites=sc.sites,
                    receiver_param=through,
                )
            )
            if through is not None:
                param_sends.append((through, None, sink))
    follow_imported_functions(ctx, resolver)
    handled: set[str] = set()
    if ctx.project is not None:
        for export in ctx.project.exports:
            if "." in export.name:  # ``Config.MODEL``: a class field (dataflow)
                sinks = field_export_sinks(ctx, resolver, export)
                for field_sink in sinks:
                    resolver.add(field_sink)
                if sinks:
                    handled.add(export.name)
                continue
            sink = export_sink(ctx, export)
            if sink is not None:
                resolver.add(sink)
                handled.add(export.name)
    flow = resolver.run()
    report_flow(ctx, flow)
    ctx.memo[PARAM_BARE] = param_bare(ctx, flow, param_sends)
    ctx.summary = summarize(ctx, flow, handled)
    if ask_run_moves:
        ctx.summary.wants_run_moves = True
    # LiteLLM's process-wide settings (codemods/python/rules/litellm_dspy.py)
    ctx.summary.litellm_globals = bool(ctx.memo.get("litellm_global_lines"))
    ctx.summary.litellm_calls = bool(ctx.memo.get("litellm_calls"))
    # LiteLLM/DSPy model constants of other modules (codemods/python/rules/litellm_dspy.py)
    lite = ctx.memo.get("litellm_uses")
    if lite:
        ctx.summary.litellm_uses = {
            name: len(ids) for name, ids in lite.items() if name in ctx.summary.imports
        }
    ctx.summary.litellm_handled = set(ctx.memo.get("litellm_handled", ()))
    # the Agents SDK's default client (codemods/python/rules/agents.py)
    agents_facts = ctx.memo.get("agents_facts")
    if agents_facts:
        ctx.summary.agents_default = list(agents_facts.get("default", ()))
        ctx.summary.agents_settings = set(agents_facts["settings"])
        ctx.summary.agents_built = bool(agents_facts["built"])
        ctx.summary.agents_configured = str(agents_facts["configured"])
        ctx.summary.agents_unconfigured = bool(agents_facts["unconfigured"])
    if f.imports_openai or ctx.project is not None:
        index = clients.index(ctx)
        ctx.summary.clients = index.exports()
        ctx.summary.wants_importers = index.wants_importers
        ctx.summary.client_args = index.call_args()
        ctx.summary.client_arg_keys = dict(index.arg_keys)
        ctx.summary.client_sites = index.site_counts()
    if ctx.memo.get("langchain.wants_importers"):
        ctx.summary.wants_importers = True  # a LangChain model's class is built elsewhere?
    if any(f.imports_module(p) for p in _langchain.PACKAGES):
        # LangChain models other modules may import and rebind
        ctx.summary.langchain_exports = _langchain.exported_models(ctx)
    if clients.may_use_external(f):
        # calls through a client of another module (whatever this file imports)
        index = clients.index(ctx)
        ctx.summary.client_uses = index.external_uses()
        # what this file does to them that decides their move (OR121, OR118;
        # model IDs that cannot move: the engine adds them)
        ctx.summary.client_facts = index.external_facts()
        # a LangChain model of another module bound with another model
        # (``llm.bind(model=...)``: codemods/python/rules/langchain.py)
        for key, told in _langchain.bind_facts(ctx).items():
            ctx.summary.client_facts.setdefault(key, []).extend(told)
        ctx.summary.client_escapes = set(index.escapes)
        ctx.summary.client_aliases = {k: sorted(v) for k, v in index.aliases.items()}
        # modules imported whole (``clients.client``: project.whole_modules)
        ctx.summary.whole_imports = list(f.module_imports)
        ctx.summary.module_aliases = {
            local: next(iter(targets))
            for local, targets in f.imports.items()
            if len(targets) == 1
            and local not in f.from_imports
            and next(iter(targets)) in f.module_imports
            and next(iter(targets)) != local
        }
        ctx.summary.bare_module_reads = index.bare_module_reads()
    # clients passed to functions of other modules, and where the parameters
    # of the functions they ask about escape (codemods/python/escapes.py)
    crossing = escapes.project_summary(ctx)
    if crossing is not None:
        (
            ctx.summary.client_callees,
            ctx.summary.param_escapes,
            ctx.summary.param_forwards,
            ctx.summary.escape_functions,
            facts,
        ) = crossing
        for key, told in facts.items():
            ctx.summary.client_facts.setdefault(key, []).extend(told)
        if clients.index(ctx).wants_importers:
            ctx.summary.wants_importers = True  # (escapes: a public function's callers)
    if ctx.memo.get("clients") is not None:
        ctx.summary.client_params = clients.index(ctx).client_params
        ctx.summary.wants_all_migrated = clients.index(ctx).wants_all_migrated
    if f.imports_openai:
        from codemods.python.rules.module_client import module_client_summary

        ctx.summary.module_client = module_client_summary(ctx)


def report_flow(ctx: RuleContext, flow: Flow) -> None:
    """Turn the resolved data flow into findings: OR205 for what could not be
    followed, OR206 for shared holders, and the literal checks (OR201...)."""
    for sink in flow.sinks:
        kept = flow.kept_imports.get(id(sink), [])
        kept_sites = _sites([sink]) if kept else ()
        unknowns = list(dict.fromkeys(flow.unknowns.get(id(sink), ())))
        if kept_sites and not (unknowns and sink.certain):
            # an imported name its module keeps as it is (its OR204, OR206...
            # there): the clients this call goes through cannot move with it
            ctx.report(
                sink.node,
                DYNAMIC_MODEL,
                f"{sink.subject} comes from {'; '.join(kept[:3])}, which its module keeps "
                "as it is: the client it is sent through moves only as an unsafe fix (make "
                "it an OpenRouter ID there, or `# noqa` its finding there to accept it)",
            ).blocks.extend(kept_sites)
        if not unknowns or not sink.certain:
            continue
        shown = ctx.module.code_for_node(sink.value)
        if unknowns == [f"`{short_code(ctx, sink.value)}`"] and not sink.dict_mode:
            # the value itself could not be followed: name it as written
            what = f"`{shown}`" if len(shown) <= 60 else f"`{shown[:57]}...`"
        else:
            what = "; ".join(unknowns[:3])
            if len(unknowns) > 3:
                what += f" and {len(unknowns) - 3} more"
        field_of, defined = flow.object_fields.get(id(sink), (None, None))
        if field_of is None:
            held = ""
        elif defined is None:
            held = (
                f"; {field_of} may hold a default in its class, which the tool does not "
                "follow: the client it is sent through moves only as an unsafe fix"
            )
        else:
            # an untyped read of a field a class of this file defaults to
            # a model ID: the default may be what is sent (REFS: its line)
            held = (
                f"; it may be {field_of}, defined at {REFS}, whose default the tool does "
                "not follow to this read: the client it is sent through moves only as an "
                "unsafe fix"
            )
        report = ctx.report(
            sink.node,
            DYNAMIC_MODEL,
            f"{sink.subject} comes from {what}: make sure it holds an OpenRouter ID "
            "(provider/model, e.g. 'openai/gpt-4o') after the migration" + held,
            refs=(() if defined is None else (defined,)) + tuple(flow.held_refs.get(id(sink), ())),
        )
        held_why = flow.held.get(id(sink))
        if held_why:
            report.message += (
                f"; {'; '.join(held_why[:2])}: a bare ID given there would reach OpenRouter, "
                "so the client it is sent through moves only as an unsafe fix"
            )
        if field_of is not None or held_why:
            # a bare default in a class field would go to OpenRouter with
            # the client: its move cannot be proved (engine _blocked_clients)
            report.blocks.extend(_sites([sink]))
        if kept_sites:
            report.message += (
                f"; {'; '.join(kept[:3])} is kept as it is in its module: the client it is "
                "sent through moves only as an unsafe fix"
            )
            report.blocks.extend(kept_sites)
    for src in flow.sources.values():
        certain = any(s.certain for s in src.sinks)
        literal = string_value(src.node) or ""
        lookup = ctx.table.lookup(literal)
        blocked = blocked_holder(src, flow.reached)
        if blocked is not None and is_rewritable(lookup.kind):
            holder, n = blocked
            # where: this file's other reads as path:line (REFS), then the
            # other files' count (the project pass knows files, not lines)
            refs = tuple(u for u in holder.uses if id(u) not in flow.reached)
            where = [REFS] if refs else []
            if holder.extra_uses:
                files = holder.extra_files
                where.append(
                    f"{holder.extra_uses} in "
                    + (", ".join(files[:2]) if files else "other files")
                    + (f" and {len(files) - 2} more files" if len(files) > 2 else "")
                )
            done: set[int] = set()
            for sink in src.sinks:
                if id(sink.node) in done:
                    continue
                done.add(id(sink.node))
                # the bare ID stays while the client the call goes through
                # moves: that client's move is unsafe (engine _blocked_clients)
                ctx.report(
                    sink.node,
                    SHARED_CONSTANT,
                    f"{holder.label} = {src.node.value} is also used {n} other "
                    f"time{'s' if n != 1 else ''} ({'; '.join(where)}): not rewritten; "
                    f"pass '{lookup.target}' to the SDK and keep the bare ID where it is needed",
                    refs=refs,
                ).blocks.extend(_sites([sink]))
            continue
        # safe only if every SDK call the literal reaches is on openai's client
        safe = all(sink_safe(s) for s in src.sinks)
        requires = tuple({id(r): r for s in src.sinks for r in s.requires}.values())
        check_literal(
            ctx,
            src.node,
            certain,
            via=src.via,
            note="".join(src.notes),
            safe=safe,
            requires=requires,
            sites=_sites(src.sinks),
        )


#: ctx.memo: (id() of a def, client parameter) -> the model IDs sent through
#: that parameter that cannot move (:func:`param_bare`); the project pass tells the modules that pass a
#: client there (escapes.project_summary), whose move is unsafe with them
PARAM_BARE = "models.param_bare"


def param_bare(
    ctx: RuleContext,
    flow: Flow,
    sends: list[tuple[tuple[int, str], cst.SimpleString | None, Sink | None]],
) -> dict[tuple[int, str], list[tuple[cst.CSTNode, str]]]:
    """The model IDs (node, finding code) sent through a client parameter
    whose finding keeps them as they are (OR202-OR204, OR206, OR307: no
    fix): a caller in another module whose client moves would send them
    to OpenRouter, which rejects them (README: a model ID that cannot move
    blocks the client it is sent through; in its own module the sites do
    that). OR205 does not count (README: it does not block). An unsafe
    OR201 would belong here too, but its receiver is unresolved because of
    what the callers pass, which a held caller's client would keep so:
    not done (a fixed point the rounds could not leave)."""
    if not sends:
        return {}
    kept: dict[int, str] = {}
    for r in ctx.reports:
        code = r.rule.code
        if code.startswith("OR2") and code != "OR205" and r.fix is None:
            kept.setdefault(id(r.node), code)
    if not kept:
        return {}
    out: dict[tuple[int, str], list[tuple[cst.CSTNode, str]]] = {}

    def add(key: tuple[int, str], node: cst.CSTNode) -> None:
        code = kept.get(id(node))
        if code is not None and not any(n is node for n, _ in out.get(key, ())):
            out.setdefault(key, []).append((node, code))

    for key, literal, root in sends:
        if literal is not None:
            add(key, literal)
            continue
        for src in flow.sources.values():
            seen: set[int] = set()
            todo = list(src.sinks)
            while todo:
                s = todo.pop()
                if id(s) in seen:
                    continue
                seen.add(id(s))
                todo.extend(s.feeds)
            if id(root) in seen:
                add(key, src.node)
                for s in src.sinks:
                    add(key, s.node)
        add(key, root.node)  # type: ignore[union-attr]
    return out


def _sites(sinks: list[Sink]) -> tuple[int, ...]:
    """The constructor sites of the clients the calls ``sinks`` reach go
    through (also through the sinks they feed: an argument passed to a
    function whose parameter reaches ``model=``)."""
    out: dict[int, None] = {}
    seen: set[int] = set()
    todo = list(sinks)
    while todo:
        s = todo.pop()
        if id(s) in seen:
            continue
        seen.add(id(s))
        out.update(dict.fromkeys(s.sites))
        todo.extend(s.feeds)
    return tuple(out)


BLOCKED_NOTE = (
    "; unsafe fix: it moves with its client, whose fix is unsafe (the client's finding says why)"
)


HELD_ELSEWHERE_NOTE = (
    "; unsafe fix: it goes through a client of another module whose move is an unsafe fix "
    "or not certain (the client's finding there says why): it moves only with that client"
)


def _held_elsewhere(ctx: RuleContext, sites: tuple[int | str, ...]) -> bool:
    """Is a call it reaches made through a client of another module whose
    module says "unknown" (its move is unsafe, or it may be several things)?"""
    project = ctx.project
    if project is None or not project.clients:
        return False
    return any(isinstance(s, str) and project.client_state(s) == clients.UNKNOWN for s in sites)


def check_literal(
    ctx: RuleContext,
    node: cst.SimpleString,
    certain: bool,
    via: str | None,
    note: str = "",
    *,
    safe: bool = False,
    requires: tuple[Report, ...] = (),
    sites: tuple[int, ...] = (),
) -> None:
    """Report (and fix) a model ID literal reaching ``model=``; the fix is
    unsafe unless ``safe``. A model that cannot move blocks the clients of
    ``sites`` (``Report.blocks``)."""
    model = string_value(node)
    if model is None:
        return
    lookup = ctx.table.lookup(model)
    through = f" (through {via})" if via else ""
    unsafe_note = ""
    if not safe:
        unsafe_note = BLOCKED_NOTE if any(r.unsafe for r in requires) else UNSAFE_NOTE
        if unsafe_note is UNSAFE_NOTE and _held_elsewhere(ctx, sites):
            unsafe_note = HELD_ELSEWHERE_NOTE
    if lookup.kind is LookupKind.MAPPED:
        target = lookup.target or model

        def fix(n: cst.CSTNode, target: str = target) -> cst.CSTNode:
            assert isinstance(n, cst.SimpleString)
            return replace_string(n, target)

        report = ctx.report(
            node,
            MODEL_ID,
            f"model '{model}'{through} is not an OpenRouter ID: use '{target}'{note}{unsafe_note}",
            fix=fix,
            unsafe=not safe,
        )
        report.requires.extend(requires)
        if MODULE_SITE in sites:
            ctx.memo.setdefault(MODULE_MODELS, []).append(report)
        if not ctx.settings.rule_enabled(MODEL_ID.code):
            report.blocks.extend(sites)
            ctx.memo.setdefault(UNSELECTED_MODELS, []).append(report)
        elif not safe:
            # a client of this file the call may go through moves only with
            # this ID: its fix is unsafe too (engine ``_blocked_clients``)
            report.blocks.extend(sites)
    elif lookup.kind is LookupKind.BAD_PREFIX:
        if lookup.target:
            target = lookup.target

            def fix2(n: cst.CSTNode, target: str = target) -> cst.CSTNode:
                assert isinstance(n, cst.SimpleString)
                return replace_string(n, target)

            ctx.report(
                node,
                BAD_PREFIX,
                f"model '{model}'{through} uses LiteLLM's openrouter/ prefix, which "
                f"OpenRouter rejects: use '{target}'{unsafe_note}",
                fix=fix2,
                unsafe=not safe,
            ).requires.extend(requires)
        else:
            ctx.report(
                node,
                UNKNOWN_MODEL,
                f"model '{model}'{through} uses LiteLLM's openrouter/ prefix and no "
                "OpenRouter ID is known for the rest",
            ).blocks.extend(sites)
    elif lookup.kind is LookupKind.FINE_TUNE and certain:
        ctx.report(
            node,
            FINE_TUNE,
            f"fine-tuned model '{model}'{through} has no OpenRouter equivalent: "
            "OpenAI fine-tunes are served by OpenAI only",
        ).blocks.extend(sites)
    elif lookup.kind is LookupKind.NO_EQUIVALENT:
        reason = f": {lookup.reason}" if lookup.reason else ""
        successor = (
            f"; its successor on OpenRouter is '{lookup.successor}' (not rewritten: "
            "a different model, check prompts and parameters)"
            if lookup.successor
            else ""
        )
        ctx.report(
            node,
            NO_EQUIVALENT,
            f"model '{model}'{through} has no OpenRouter equivalent in the catalog "
            f"snapshot of {ctx.table.catalog_date}{reason}{successor}",
        ).blocks.extend(sites)
    elif lookup.kind is LookupKind.UNKNOWN and certain:
        ctx.report(
            node,
            UNKNOWN_MODEL,
            f"no OpenRouter ID known for '{model}'{through}: add it to your mapping file "
            "or write the OpenRouter ID",
        ).blocks.extend(sites)
    elif lookup.kind in (LookupKind.FINE_TUNE, LookupKind.UNKNOWN):
        # not reported here (the receiver may be another SDK's), but a
        # client of another module it may go through cannot move with it
        info = FINE_TUNE if lookup.kind is LookupKind.FINE_TUNE else UNKNOWN_MODEL
        external_block(ctx, node, info, sites)


#: ``ctx.memo`` key: model IDs that cannot move, not reported in this round,
#: sent through clients of other modules: (node, rule, their keys)
EXTERNAL_BLOCKS = "models.external_blocks"


def external_block(
    ctx: RuleContext, node: cst.CSTNode, info: RuleInfo, sites: tuple[int | str, ...]
) -> None:
    """A model ID that cannot move, sent through a client another module
    builds, that this round does not report (the receiver is not known to
    be openai's yet): the engine still tells that module
    (``engine._external_blocks``), unless a comment suppresses the rule."""
    keys = tuple(s for s in sites if isinstance(s, str))
    if keys:
        ctx.memo.setdefault(EXTERNAL_BLOCKS, []).append((node, info, keys))


# OR208 (comparisons with bare IDs) lives in its own module; importing it here
# registers it with the other OR2xx rules.
from codemods.python.rules import comparisons as _comparisons  # noqa: E402,F401
