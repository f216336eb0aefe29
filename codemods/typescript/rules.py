"""The TypeScript/JavaScript rules.

Codes are the Python front-end's where the meaning is the same (OR101 is
"an OpenAI client calling api.openai.com" in both languages); the codes only
this front-end reports are OR501-OR519. Each report's fix is a list of
byte-range edits on the original bytes: everything outside them is kept
byte for byte (comments, quotes, trailing commas, CRLF, a BOM).

Per client, as in Python: every ``new OpenAI(...)`` gets a decision
("migrate", "openrouter": already there, "left"), and the model IDs sent
through a receiver move with the client the receiver resolves to. A receiver
the tool cannot resolve makes the model fix unsafe (``--unsafe-fixes``).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from codemods.core import sdk
from codemods.core.findings import Settings, Severity
from codemods.core.mapping import LookupKind, ModelTable
from codemods.core.project import ModuleSummary, ProjectInput
from codemods.core.rules import RULES, UNSAFE_NOTE, RuleInfo, add_example, rule
from codemods.typescript.analysis import (
    FUNCTION_NODES,
    Facts,
    Node,
    member_parts,
    string_fragment,
    string_value,
    text,
    unwrap,
)
from codemods.typescript.scopes import Binding

Edit = tuple[int, int, bytes]
#: a client: the id of this file's ``new OpenAI(...)`` node, or
#: ``import:<local>`` for one another module of the run builds
ClientKey = int | str

OPENAI_BASE = "https://api.openai.com/v1"

AI_SDK = rule(
    code="OR501",
    name="vercel-ai-sdk-openai-provider",
    summary="Vercel AI SDK OpenAI provider calls OpenAI: use @openrouter/ai-sdk-provider",
    severity=Severity.ERROR,
    fixable=False,
    languages=("typescript",),
    what="""
        Reports `createOpenAI(...)` and calls of the `openai` provider
        (`openai("gpt-4o")`, `openai.chat(...)`, `openai.responses(...)`,
        `openai.embedding(...)`) imported from `@ai-sdk/openai`.
    """,
    why="""
        The AI SDK's OpenAI provider calls api.openai.com, and since AI SDK 5
        `openai("gpt-4o")` uses OpenAI's Responses API, which OpenRouter
        serves only in part. OpenRouter's own provider,
        `@openrouter/ai-sdk-provider` (`createOpenRouter({ apiKey })`,
        `openrouter.chat("openai/gpt-4o")`), speaks Chat Completions to
        OpenRouter; switching packages is a decision for a human.
    """,
    before="""
        import { openai } from "@ai-sdk/openai";
        import { generateText } from "ai";
        const { text } = await generateText({ model: openai("gpt-4o"), prompt: "Hi" });
    """,
)

LEGACY_V3 = rule(
    code="OR502",
    name="openai-v3-api",
    summary="openai v3 API (Configuration / OpenAIApi): not migrated",
    severity=Severity.ERROR,
    fixable=False,
    languages=("typescript",),
    what="""
        Reports `new Configuration(...)` and `new OpenAIApi(...)` from the
        `openai` package's v3 API (`openai.createChatCompletion(...)`).
    """,
    why="""
        openai v3 for Node is unmaintained and its calls
        (`createChatCompletion`, axios responses in `.data`) differ from v4's.
        The tool migrates v4+ clients (`new OpenAI(...)`); upgrade to v4 first
        (openai's own migration guide, `npx @openai/openai-migrate`), then run
        the tool again.
    """,
    before="""
        import { Configuration, OpenAIApi } from "openai";
        const configuration = new Configuration({ apiKey: process.env.OPENAI_API_KEY });
        const openai = new OpenAIApi(configuration);
    """,
)

# TypeScript/JavaScript examples of the codes shared with Python (executed
# by tests/test_typescript.py, shown in docs/rules.md)
add_example(
    "OR101",
    "typescript",
    """
    import OpenAI from "openai";
    const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY, organization: "org-123" });
    """,
    """
    import OpenAI from "openai";
    const client = new OpenAI({ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env.OPENROUTER_API_KEY });
    """,
)
add_example(
    "OR102",
    "typescript",
    """
    import { AzureOpenAI } from "openai";
    const client = new AzureOpenAI({ endpoint: "https://x.openai.azure.com", apiVersion: "2024-06-01" });
    """,
)
add_example(
    "OR103",
    "typescript",
    """
    import OpenAI from "openai";
    const client = new OpenAI({ apiKey: settings.openaiKey });
    """,
)
add_example(
    "OR104",
    "typescript",
    """
    import OpenAI from "openai";
    const client = new OpenAI({ baseURL: "http://localhost:11434/v1" });
    """,
)
add_example(
    "OR105",
    "typescript",
    """
    import OpenAI from "openai";
    const client = new OpenAI({ ...options });
    """,
)
add_example(
    "OR107",
    "typescript",
    """
    import OpenAI from "openai";
    const client = new OpenAI({ apiKey: "sk-proj-abc123def456ghi789jkl012mno345" });
    """,
)
add_example(
    "OR201",
    "typescript",
    """
    import OpenAI from "openai";
    const client = new OpenAI({ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env.OPENROUTER_API_KEY });
    const MODEL = "gpt-4o" as const;
    await client.chat.completions.create({ model: MODEL, messages: [] });
    """,
    """
    import OpenAI from "openai";
    const client = new OpenAI({ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env.OPENROUTER_API_KEY });
    const MODEL = "openai/gpt-4o" as const;
    await client.chat.completions.create({ model: MODEL, messages: [] });
    """,
)
add_example(
    "OR301",
    "typescript",
    """
    import OpenAI from "openai";
    const client = new OpenAI();
    await client.chat.completions.create({ model: "openai/gpt-4o", messages: [] });
    await client.files.create({ file, purpose: "batch" });
    """,
)

_OPENROUTER_CLIENT = """
    import OpenAI from "openai";
    const client = new OpenAI({ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env.OPENROUTER_API_KEY });
"""
add_example(
    "OR106",
    "typescript",
    """
    import OpenAI from "openai";
    const client = new OpenAI({ defaultHeaders: headers });
    """,
)
add_example(
    "OR118",
    "typescript",
    """
    import OpenAI from "openai";
    const client = new OpenAI({ provider: workloadProvider });
    """,
)
add_example(
    "OR119",
    "typescript",
    """
    import OpenAI from "openai";
    const client = new OpenAI();
    await client.files.create({ file, purpose: "batch" });
    """,
)
add_example(
    "OR120",
    "typescript",
    """
    import OpenAI from "openai";
    function make(OpenAI) {
      return new OpenAI();
    }
    """,
)
add_example(
    "OR202",
    "typescript",
    _OPENROUTER_CLIENT
    + """
    await client.chat.completions.create({ model: "my-own-model", messages: [] });
    """,
)
add_example(
    "OR203",
    "typescript",
    _OPENROUTER_CLIENT
    + """
    await client.chat.completions.create({ model: "ft:gpt-4o-mini:acme::abc123", messages: [] });
    """,
)
add_example(
    "OR204",
    "typescript",
    _OPENROUTER_CLIENT
    + """
    await client.chat.completions.create({ model: "o1-mini", messages: [] });
    """,
)
add_example(
    "OR205",
    "typescript",
    _OPENROUTER_CLIENT
    + """
    await client.chat.completions.create({ model: pickModel(), messages: [] });
    """,
)
add_example(
    "OR206",
    "typescript",
    _OPENROUTER_CLIENT
    + """
    const MODEL = "gpt-4o";
    console.log(`using ${MODEL}`);
    await client.chat.completions.create({ model: MODEL, messages: [] });
    """,
)
add_example(
    "OR207",
    "typescript",
    _OPENROUTER_CLIENT
    + """
    await client.chat.completions.create({ model: "openrouter/openai/gpt-4o", messages: [] });
    """,
    _OPENROUTER_CLIENT
    + """
    await client.chat.completions.create({ model: "openai/gpt-4o", messages: [] });
    """,
)
add_example(
    "OR401",
    "typescript",
    _OPENROUTER_CLIENT
    + """
    const stream = await client.chat.completions.create({ model: "openai/gpt-4o", messages, stream: true });
    for await (const chunk of stream) {
      process.stdout.write(chunk.choices[0].delta.content ?? "");
    }
    """,
    _OPENROUTER_CLIENT
    + """
    const stream = await client.chat.completions.create({ model: "openai/gpt-4o", messages, stream: true });
    for await (const chunk of stream) {
      if (!chunk.choices.length) continue;
      process.stdout.write(chunk.choices[0].delta.content ?? "");
    }
    """,
)
add_example(
    "OR402",
    "typescript",
    _OPENROUTER_CLIENT
    + """
    const stream = client.chat.completions.stream({ model: "openai/gpt-4o", messages });
    stream.on("chunk", (chunk) => process.stdout.write(chunk.choices[0].delta.content ?? ""));
    await stream.finalChatCompletion();
    """,
)
add_example(
    "OR122",
    "typescript",
    """
    import OpenAI from "openai";
    let client;
    if (process.env.LOCAL) {
      client = new OpenAI({ baseURL: "http://localhost:11434/v1" });
    } else {
      client = new OpenAI();
    }
    await client.chat.completions.create({ model: "gpt-4o", messages: [] });
    """,
)
add_example(
    "OR302",
    "typescript",
    """
    import OpenAI from "openai";
    const client = new OpenAI();
    const first = await client.responses.create({ model: "gpt-4o", input: "Hi" });
    const r = await client.responses.create({ model: "gpt-4o", input: "Hi", previous_response_id: lastId });
    """,
)
add_example(
    "OR303",
    "typescript",
    """
    import OpenAI from "openai";
    const client = new OpenAI();
    await client.chat.completions.create({ model: "openai/gpt-4o", messages: [] });
    await client.images.generate({ prompt: "a cat" });
    """,
)
add_example(
    "OR308",
    "typescript",
    """
    import OpenAI from "openai";
    const org = process.env.OPENAI_ORG_ID;
    const client = new OpenAI({ organization: process.env.OPENAI_ORG_ID });
    """,
)
add_example(
    "OR900",
    "typescript",
    """
    import OpenAI from "openai";
    const x = 1; // noqa: OR201
    """,
)

#: options of the Node SDK's ``ClientOptions`` whose meaning is known
KNOWN_OPTIONS = frozenset(
    {
        "apiKey",
        "organization",
        "project",
        "baseURL",
        "defaultHeaders",
        "defaultQuery",
        "timeout",
        "maxRetries",
        "dangerouslyAllowBrowser",
        "fetch",
        "fetchOptions",
        "httpAgent",
        "logLevel",
        "logger",
        "webhookSecret",
    }
)

#: method paths (after the client, ``beta`` left out) whose first argument's
#: ``model`` is a model ID: Python's text and embedding methods (the same
#: names in both SDKs), and Node's ``runTools``
MODEL_METHODS: frozenset[tuple[str, ...]] = frozenset(
    {*sdk.TEXT_METHODS, ("chat", "completions", "runTools")}
)
#: names in a method path that do not change which endpoint it calls, as
#: Python's (``models._TRANSPARENT``): ``client.beta.chat.completions.parse``
#: is ``client.chat.completions.parse`` for the model and the decision whether
#: OpenRouter serves it, ``client.beta.realtime`` is ``client.realtime``
TRANSPARENT = frozenset({"beta"})


@dataclass(frozen=True)
class Endpoint:
    """An entry of ``mappings/unsupported.yaml`` (the endpoints OpenRouter
    does not serve, :mod:`codemods.core.unsupported`, the Python front-end's
    too), its names in the Node SDK's camelCase (``fine_tuning`` ->
    ``fineTuning``, ``input_items`` -> ``inputItems``)."""

    resource: tuple[str, ...]
    methods: frozenset[str] | None
    title: str
    kind: str  # "missing" (OR301) | "different" (OR303)
    message: str


#: the stored-responses entry, for ``responses.stream({ response_id })``
#: (streams a stored response again, like ``retrieve``)
_STORED_RESPONSES = ("responses", "retrieve")


@functools.lru_cache(maxsize=1)
def endpoints() -> tuple[Endpoint, ...]:
    """The endpoints OpenRouter does not serve (``mappings/unsupported.yaml``),
    in the Node SDK's names."""
    from codemods.core.unsupported import load_unsupported

    return tuple(
        Endpoint(
            tuple(sdk.camel(p) for p in ep.resource),
            None if ep.methods is None else frozenset(sdk.camel(m) for m in ep.methods),
            ep.title,
            ep.kind,
            ep.message,
        )
        for ep in load_unsupported().endpoints
    )


AI_SDK_METHODS = frozenset(
    {
        "chat",
        "responses",
        "completion",
        "embedding",
        "textEmbeddingModel",
        "languageModel",
        "image",
        "imageModel",
        "transcription",
        "speech",
    }
)


@dataclass
class TsReport:
    """One finding (the attributes ``engine._with_requirements`` reads are
    named as in :class:`codemods.python.rules.base.Report`)."""

    node: Node
    rule: RuleInfo
    message: str
    fix: list[Edit] | None = None
    requires: list[TsReport] = field(default_factory=list)
    unsafe: bool = False
    # a report-only finding whose place another report's fix edits
    fixed_by: TsReport | None = None
    # a model ID that cannot move to OpenRouter (OR202-OR204): the clients
    # it is sent through, whose move it makes unsafe (engine.py, after noqa:
    # ``// noqa`` on this finding accepts the ID and lets them move)
    blocks: list[TsReport] = field(default_factory=list)
    blocked_value: str = ""
    # a request the tool did not read (OR205): the model in it is not known
    # to move with the clients it blocks
    unproved: bool = False
    # an imported model constant its module keeps as it is (OR205 at the
    # sending call): "`MODEL` ('o1-mini' (OR204) at config.ts:1)"
    kept: str = ""
    notes: list[str] = field(default_factory=list)  # unsafe notes added by the engine
    # the fix is known to break the program (a client a model ID is sent
    # through that fails on OpenRouter, and what moves only with it): shown,
    # never applied, not even with ``--unsafe-fixes`` (engine.py)
    display_only: bool = False


@dataclass
class Context:
    source: bytes
    facts: Facts
    settings: Settings
    table: ModelTable
    reports: list[TsReport] = field(default_factory=list)
    # new_expression id -> "migrate" | "openrouter" | "left"
    # client key -> "migrate" | "openrouter" | "left"; "unsafe": a client of
    # another module whose move is unsafe (what is sent through it too)
    decisions: dict[ClientKey, str | None] = field(default_factory=dict)
    client_reports: dict[ClientKey, TsReport] = field(default_factory=dict)
    # what the other files of the run said (codemods/typescript/project.py)
    project: ProjectInput | None = None
    # constructor id -> the names other modules import it by
    export_names: dict[int, list[str]] = field(default_factory=dict)
    # exported model constants this file followed for other modules
    handled: set[str] = field(default_factory=set)
    # imported names sent as ``model``: per read, is it sent only through
    # clients that move (or are on OpenRouter), and the reports of this
    # file's clients it goes through: it is safe when none of them is unsafe
    # once the engine has applied what holds them (module_summary)
    sinks: dict[str, list[tuple[bool, list[TsReport]]]] = field(default_factory=dict)
    # model IDs that cannot move (and requests the tool did not read) sent
    # through clients other modules of the run build: (the node reported,
    # rule code, detail, the summary keys of those clients, kind: "block" or
    # "unread"); the engine tells the modules that build them, unless a
    # comment suppresses the finding (``external_blocks``)
    external: list[tuple[Node, str, str, tuple[str, ...], str]] = field(default_factory=list)
    # factories: module-level functions every return of which is one client
    # of this file about to move (``return new OpenAI()``, a memoised
    # ``return client``): function node id -> the client's key; a call of
    # one is that client (``_resolve``), and its exported names are the
    # client's, as ``name()`` (Python's ClientIndex.exports)
    factories: dict[int, ClientKey] = field(default_factory=dict)
    # model IDs that cannot move sent through a parameter of an exported
    # function other modules pass clients to (``llm.chat.completions.create``
    # in ``summarize(llm)``): (node reported, rule code, detail, the
    # parameter); the engine adds them to ``param_escapes`` unless a comment
    # suppresses the finding, so the callers' clients move only with them
    param_blocks: list[tuple[Node, str, str, Binding]] = field(default_factory=list)

    def report(
        self,
        node: Node,
        rule: RuleInfo,
        message: str,
        fix: list[Edit] | None = None,
        unsafe: bool = False,
    ) -> TsReport:
        r = TsReport(node, rule, message, fix if rule.fixable else None, unsafe=unsafe)
        if self.settings.rule_enabled(rule.code):
            self.reports.append(r)
        else:
            r.fix = None
        return r


def js_string(value: str, quote: str) -> str:
    body = json.dumps(value, ensure_ascii=False)[1:-1]
    if quote == "'":
        body = body.replace('\\"', '"').replace("'", "\\'")
    return f"{quote}{body}{quote}"


# --------------------------------------------------------------------------
# clients


@dataclass
class _Plan:
    """What migrating one constructor takes."""

    edits: list[Edit]
    summary: list[str]
    extra: list[tuple[Node, RuleInfo, str]] = field(default_factory=list)  # fixed by OR101


def check(ctx: Context) -> None:
    facts = ctx.facts
    plans: dict[int, tuple[Node, _Plan]] = {}
    for load in facts.openai_loads:
        if load.id in facts.followed_loads:
            continue
        ctx.report(
            load,
            RULES["OR120"],
            f"`{_shown(load)}` loads openai's module in a way the tool does not follow: the "
            "clients built from it are not migrated and the model IDs sent through them are "
            "not resolved; bind the class where it is loaded (`const { default: OpenAI } = "
            'await import("openai")`, `const OpenAI = require("openai")`) or import it, and '
            "run the tool again",
        )
    for new in facts.new_expressions:
        ctor = new.child_by_field_name("constructor")
        shadowed = facts.shadowed_openai_name(ctor)
        if shadowed is not None:
            ctx.report(
                new,
                RULES["OR120"],
                f"`{shadowed}` here may not be the name imported from openai (declared again "
                "where it is used, or assigned): the tool cannot tell whether "
                f"`new {text(ctor)}(...)` builds openai's client; not rewritten",
            )
            ctx.decisions[new.id] = "left"
            continue
        meaning = facts.meaning(ctor)
        if meaning is None:
            continue
        name = text(ctor)
        if meaning == "azure":
            ctx.decisions[new.id] = "left"
            ctx.report(
                new,
                RULES["OR102"],
                f"`{name}` is an Azure OpenAI client: not migrated; Azure deployments, "
                "endpoints and API versions are a decision for a human",
            )
            continue
        if meaning in ("Configuration", "OpenAIApi"):
            ctx.report(
                new,
                LEGACY_V3,
                f"`new {name}(...)` is openai v3's API: not migrated; upgrade to openai v4+ "
                "(`new OpenAI(...)`) and run the tool again",
            )
            continue
        plan = _plan_client(ctx, new, name)
        if plan is None:
            continue  # decided (left or openrouter) and reported
        plans[new.id] = (new, plan)
    project = ctx.project
    for local, state in project.clients if project is not None else ():
        ctx.decisions["import:" + local] = state
    ctx.factories = _factories(ctx, plans)
    _leave_sharing(ctx, plans)
    uses = _client_uses(ctx)
    escaped, sockets, callees = _escapes(ctx, plans)
    for key, (new, plan) in plans.items():
        name = text(new.child_by_field_name("constructor"))
        names = _export_names(ctx, new)
        made_by = _factory_exports(ctx, key)
        names += [f"{n}()" for n in made_by if f"{n}()" not in names]
        ctx.export_names[key] = names
        kinds = list(uses.get(key, []))
        kinds += [ep.title for _, ep in sockets.get(key, [])]
        elsewhere: list[str] = []  # "path:line" of the other modules' calls
        for passed in callees.get(key, []):
            # given to a function of another module: what it does with it
            # is told by the project pass (codemods/typescript/project.py)
            found_uses, found_escapes = _callee_uses(ctx, passed)
            for served, where, resource in found_uses:
                kinds.append(
                    None if served else (_unsupported(tuple(resource.split("."))) or STATEFUL)
                )
                elsewhere.append(where)
            escaped.setdefault(key, []).extend(found_escapes)
        seen = unknown = False
        if names and project is not None:
            for exported_name, served, where, resource in project.client_uses:
                if exported_name in names:
                    kinds.append(
                        None if served else (_unsupported(tuple(resource.split("."))) or STATEFUL)
                    )
                    elsewhere.append(where)
            seen = any(n in project.imported_names for n in names) or bool(elsewhere)
            unknown_at = [w for n, w in project.client_uses_unknown if n in names]
            if project.imported_whole:
                unknown_at.append("a file that imports this module whole")
            unknown = bool(unknown_at)
        if kinds and all(k is not None for k in kinds):
            what = ", ".join(sorted(set(kinds)))  # type: ignore[arg-type]
            where = f", also in {_some(sorted(set(elsewhere)))}" if elsewhere else ""
            ctx.decisions[key] = "left"
            ctx.report(
                new,
                RULES["OR119"],
                f"`new {name}(...)` is used only for endpoints OpenRouter does not serve "
                f"({what}{where}): left on OpenAI",
            )
            continue
        ctx.decisions[key] = "migrate"
        note = _external_blocked_note(ctx, names)
        how = _exported(ctx, new) or ", ".join(f"{n}() returns it" for n in made_by)
        if names and not seen:
            note += (
                f"; unsafe fix: the client is exported ({how}) and no file "
                "of this run imports it by a path the tool follows, so its uses in other "
                "modules are not known; they may be endpoints OpenRouter does not serve "
                "(assistants, files, vector stores...): check them, then apply it with "
                "--unsafe-fixes"
            )
        elif names and unknown:
            note += (
                f"; unsafe fix: the client is exported ({how}) and "
                f"{_some(sorted(set(unknown_at)))} reads it in a way the tool cannot "
                "follow (a module imported whole and passed on, a re-export, a dynamic "
                "import, the client passed to something else), so not all of its uses are "
                "known: check them, then apply it with --unsafe-fixes"
            )
        if escaped.get(key):
            note += _escape_note(escaped[key])
        r = ctx.report(
            new,
            RULES["OR101"],
            f"`new {name}(...)` talks to OpenAI directly: " + "; ".join(plan.summary) + note,
            fix=plan.edits,
            unsafe=bool(note),
        )
        ctx.client_reports[key] = r
        for call, ep in sockets.get(key, []):
            shown = _shown(call.child_by_field_name(_CALLEE[call.type]))
            ctx.report(
                call,
                RULES["OR301"],
                f"`{shown}` is given the client, which moves to OpenRouter ({ep.title}): "
                f"{ep.message}",
            )
        for node, info, message in plan.extra:
            extra = ctx.report(node, info, message)
            extra.fixed_by = r
            extra.requires.append(r)
    for new in facts.new_expressions:
        if new.id in ctx.decisions and new.id not in ctx.export_names:
            ctx.export_names[new.id] = _export_names(ctx, new)
    _check_calls(ctx)
    _check_imported_sockets(ctx)
    from codemods.typescript.streams import check_streams

    check_streams(ctx)
    _check_ai_sdk(ctx)
    _check_org_env(ctx)


def _factories(ctx: Context, plans: dict[int, tuple[Node, _Plan]]) -> dict[int, ClientKey]:
    """The module-level functions of this file that return one client about
    to move and nothing else (``function getClient() { return new OpenAI();
    }``, ``const client = () => new OpenAI()``, a memoised ``if (!c) c = new
    OpenAI(); return c;``, another factory's call: ``return makeClient()``):
    function node id -> the client's key. An ``async`` one is a factory too:
    its call gives a promise of the client, which the tool tracks as the
    client (``await getClient()`` is the client; :func:`_bare`). Not
    followed: generators (a call gives an iterator), a function written
    again, one with a bare ``return``, or returning anything the tool cannot
    resolve to that one client."""
    facts = ctx.facts
    out: dict[int, ClientKey] = {}
    if not plans or facts.root is None:
        return out
    candidates = []
    for fn in _function_nodes(ctx):
        binding = _function_binding(ctx, fn)
        declared = facts.function_of(binding.ident) if binding is not None else None
        if (
            binding is None
            or binding.scope.type != "program"
            or declared is None
            or declared.id != fn.id
            or any(c.type == "*" for c in fn.children)
            or fn.type == "generator_function_declaration"
        ):
            continue
        candidates.append(fn)
    # a factory may return another's call: followed until nothing changes
    ctx.factories = out
    changed = True
    while changed:
        changed = False
        for fn in candidates:
            if fn.id in out:
                continue
            keys: set[ClientKey] = set()
            for value in _returned(fn):
                found = _resolve(ctx, value) if value is not None else None
                if found is None or len(found) != 1 or found[0] not in plans:
                    keys = set()
                    break
                keys.add(found[0])
            if len(keys) == 1:
                out[fn.id] = keys.pop()
                changed = True
    return out


def _returned(fn: Node) -> list[Node | None]:
    """What a function returns: its expression body, or the value of each
    ``return`` of its own (None: a bare ``return``, or none at all)."""
    body = fn.child_by_field_name("body")
    if body is None:
        return [None]
    if body.type != "statement_block":
        return [body]
    out: list[Node | None] = []
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type in _FUNCTION_NODES or node.type in ("class_declaration", "class"):
            continue
        if node.type == "return_statement":
            value = [c for c in node.named_children if c.type != "comment"]
            out.append(value[0] if value else None)
            continue
        stack.extend(node.children)
    return out or [None]


def _bare(node: Node | None) -> Node | None:
    """``node`` without wrappers and awaits: ``await getClient()`` is what
    ``getClient()`` gives, a client or (an async factory's) a promise of it,
    which the tool tracks as the client; awaiting a client gives the client
    (it is no thenable)."""
    node = unwrap(node)
    while node is not None and node.type == "await_expression":
        inner = [c for c in node.named_children if c.type != "comment"]
        node = unwrap(inner[0]) if inner else None
    return node


def _factory_of_call(ctx: Context, call: Node) -> ClientKey | None:
    """The client a call of a factory of this file gives (``getClient()``,
    an async one's promise of it)."""
    if call.type != "call_expression" or not ctx.factories:
        return None
    fn = ctx.facts.function_of(unwrap(call.child_by_field_name("function")))
    return ctx.factories.get(fn.id) if fn is not None else None


def _imported_factory(ctx: Context, call: Node) -> str | None:
    """``import:getClient()`` for a call of a name imported from a module of
    the run (``getClient()``, ``lib.getClient()``): the decision for the
    client the factory there returns, once the project pass has told it."""
    facts = ctx.facts
    fn = unwrap(call.child_by_field_name("function"))
    if fn is None:
        return None
    if fn.type == "identifier":
        name = text(fn)
        b = facts.binding(fn)
        if b is not None and b.scope.type == "program" and name in facts.local_imports:
            return f"import:{name}()"
        return None
    parts = member_parts(fn)
    if parts is not None and len(parts) == 2 and parts[0] in facts.whole_imports:
        ns = facts.module_binding(parts[0])
        if ns is not None and facts.binding(_root_ident(fn)) is ns:
            return f"import:{'.'.join(parts)}()"
    return None


def _factory_exports(ctx: Context, key: ClientKey) -> list[str]:
    """The names other modules import the factories of the client ``key``
    by (``export function getClient``, ``export default``...)."""
    out: list[str] = []
    for fn_id, k in sorted(ctx.factories.items()):
        if k != key:
            continue
        fn = next((f for f in _function_nodes(ctx) if f.id == fn_id), None)
        binding = _function_binding(ctx, fn) if fn is not None else None
        if binding is None or binding.name not in ctx.facts.exported:
            continue
        out += [n for n in _names_exported_as(ctx, binding.name) if n not in out]
    return out


def _function_nodes(ctx: Context) -> list[Node]:
    """The module-level functions of this file (declared, or bound to a name)."""
    out: list[Node] = []
    for st in ctx.facts.root.named_children if ctx.facts.root is not None else ():
        node = st
        if node.type == "export_statement":
            node = node.child_by_field_name("declaration") or node.child_by_field_name("value")
        if node is None:
            continue
        if node.type == "function_declaration":
            out.append(node)
        elif node.type in ("lexical_declaration", "variable_declaration"):
            for d in node.named_children:
                v = (
                    unwrap(d.child_by_field_name("value"))
                    if d.type == "variable_declarator"
                    else None
                )
                if v is not None and v.type in (
                    "arrow_function",
                    "function_expression",
                    "function",
                ):
                    out.append(v)
    return out


def _external_blocked_note(ctx: Context, names: list[str]) -> str:
    """What the OR101 message adds when other modules send model IDs that
    cannot move through the client (exported as ``names``), or requests the
    tool did not read (``ProjectInput.client_facts``; Python's
    ``external_blocked_note``): its move is then an unsafe fix."""
    project = ctx.project
    if not names or project is None:
        return ""
    blocks = [(d, w) for n, k, w, d in project.client_facts if n in names and k == "block"]
    unread = [w for n, k, w, _ in project.client_facts if n in names and k == "unread"]
    out = ""
    if blocks:
        shown = [f"{what} at {where}" for what, where in blocks[:3]]
        if len(blocks) > 3:
            shown.append(f"{len(blocks) - 3} more")
        one = len(blocks) == 1
        out += (
            f"; unsafe fix: {', '.join(shown)} {'is' if one else 'are'} sent through it from "
            f"another module and cannot move to OpenRouter, which would reject "
            f"{'it' if one else 'them'}: fix {'that model' if one else 'those models'} first "
            f"(or `// noqa` {'its finding' if one else 'their findings'} to move the client "
            "anyway)"
        )
    if unread:
        one = len(unread) == 1
        out += (
            f"; {'and' if blocks else 'unsafe fix:'} the "
            f"{'request' if one else 'requests'} sent through it from another module at "
            f"{_some(unread)} (OR205) {'holds' if one else 'hold'} a model ID the tool did not "
            "read: not rewritten with the client, it may stay bare on OpenRouter, which would "
            "reject it; pass the OpenRouter ID there first (or `// noqa` "
            f"{'its finding' if one else 'their findings'} to move the client anyway)"
        )
    return out


# --------------------------------------------------------------------------
# escapes: where a client goes that the tool does not follow
# (codemods/python/escapes.py's decisions)

#: the function a call or ``new`` calls
_CALLEE = {"call_expression": "function", "new_expression": "constructor"}
#: callees that cannot send a request through what they are given
_HARMLESS_CALLEES = frozenset({"String", "Boolean", "isInstance"})
_HARMLESS_OBJECTS = frozenset({"console"})
#: the SDK's resources, in the Node SDK's names: ``client.chat.completions.create``
#: taken as a value sends requests the tool does not see
_RESOURCES = frozenset(sdk.camel(name) for name in sdk.RESOURCES)
#: the sockets of openai's modules (``facts.socket_names``): the endpoint
#: they open with the client they are given
_SOCKET_ENDPOINTS = {"realtime": ("realtime", "connect"), "responses": ("responses", "connect")}
_WRAPPERS = frozenset(
    {
        "parenthesized_expression",
        "non_null_expression",
        "as_expression",
        "satisfies_expression",
        "type_assertion",
        "await_expression",
    }
)


@dataclass
class _Escape:
    node: Node  # where the client escapes
    what: str  # "is passed to `someLib`"
    why: str = ", whose requests the tool cannot check"


@dataclass
class _Callee:
    """A client passed as it is to a function imported from a module of the
    project (``ask(client)``, ``import { ask } from "./helpers"``)."""

    local: str  # the function's local name
    key: str  # the argument's position ("0", "1"...)
    call: Node


def _callee_uses(
    ctx: Context, passed: _Callee
) -> tuple[list[tuple[bool, str, str]], list[_Escape]]:
    """What the function of another module a client is passed to does with
    it, as the project pass told: its SDK calls through the parameter
    (served, "path:line", resource path) and where the client escapes from
    there. Not told (the first round, no project pass, a module outside the
    run) or not a function the tool follows: an escape at the call."""
    project = ctx.project
    what = f"is passed to `{passed.local}`"
    if project is None or not project.callees_told:
        return [], [_Escape(passed.call, what)]
    if passed.local not in project.callees_known:
        defined = [w for n, k, w, _, _ in project.callee_escapes if n == passed.local and k == "*"]
        why = (
            f" (defined in {defined[0]}), which the tool does not follow there"
            if defined
            else ", whose requests the tool cannot check"
        )
        return [], [_Escape(passed.call, what, why)]
    uses = [
        (served, where, resource)
        for n, k, served, where, resource in project.callee_uses
        if n == passed.local and k == passed.key
    ]
    escapes = [
        _Escape(passed.call, what, f", where it {w} ({where}){y}")
        for n, k, where, w, y in project.callee_escapes
        if n == passed.local and k == passed.key
    ]
    return uses, escapes


def _shown(node: Node | None, limit: int = 50) -> str:
    shown = "".join(text(node).split()) if node is not None else "?"
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _escapes(
    ctx: Context, plans: dict[int, tuple[Node, _Plan]]
) -> tuple[
    dict[ClientKey, list[_Escape]],
    dict[ClientKey, list[tuple[Node, Endpoint]]],
    dict[ClientKey, list[_Callee]],
]:
    """For each client about to move (``plans``): the places it escapes to
    code the tool does not follow, as Python's escapes: passed to a function
    or class (``someLib(client)``, ``new ResponsesWS(client)``, also in an
    object or array argument), an SDK method of it taken as a value
    (``const create = client.chat.completions.create``), stored on an object
    other than ``this`` or in a container, returned from a function; and
    the sockets of openai's realtime / WebSocket modules it is given
    (``new OpenAIRealtimeWebSocket({ model }, client)``): uses of endpoints
    OpenRouter does not serve. Reads the resolver follows (calls through
    it, ``const c = client``, ``this.client = client``, exports, which the
    project pass follows) are not escapes."""
    escaped: dict[ClientKey, list[_Escape]] = {}
    sockets: dict[ClientKey, list[tuple[Node, Endpoint]]] = {}
    callees: dict[ClientKey, list[_Callee]] = {}
    facts = ctx.facts
    if not plans or facts.root is None:
        return escaped, sockets, callees
    # the names and ``this`` members that may hold one of them (aliases too)
    holders: set[int] = set(plans)
    names: set[str] = set()
    members: set[str] = set()

    def holds(values: list[Node]) -> bool:
        for v in values:
            v = _bare(v)
            if v is None:
                continue
            if v.id in holders:
                return True
            if v.type == "call_expression" and _factory_of_call(ctx, v) in holders:
                return True
            if v.type == "identifier" and text(v) in names:
                return True
            parts = member_parts(v)
            if parts is not None and len(parts) == 2 and parts[0] == "this" and parts[1] in members:
                return True
        return False

    def close() -> None:
        changed = True
        while changed:
            changed = False
            for name, value in facts.declared_values.items():
                if name not in names and holds([value]):
                    names.add(name)
                    changed = True
            for name, values in facts.assigned.items():
                if name not in names and holds(values):
                    names.add(name)
                    changed = True
            for member, values in facts.members.items():
                if member not in members and holds(values):
                    members.add(member)
                    changed = True

    # the constructor itself, not bound to a name first: ``return new
    # OpenAI()`` (a factory, whose callers the tool does not follow),
    # ``someLib(new OpenAI())``, ``[new OpenAI()]``
    for key, (new, _) in plans.items():
        found = _escape_of(ctx, new)
        if isinstance(found, str):  # a parameter of a function the tool follows
            names.add(found)
        elif isinstance(found, tuple):
            sockets.setdefault(key, []).append(found)
        elif isinstance(found, _Callee):
            callees.setdefault(key, []).append(found)
        elif found is not None:
            escaped.setdefault(key, []).append(found)
    # the calls of the factories (``getClient()``): reads of their client; a
    # factory read another way (passed on as a value) hands it on
    calls: list[Node] = []
    for fn in _function_nodes(ctx):
        key = ctx.factories.get(fn.id)
        binding = _function_binding(ctx, fn) if key is not None else None
        for r in facts.reads_of(binding) if binding is not None else ():
            if r.id == binding.ident.id or _declares(r) or _export_read(r):
                continue
            parent = r.parent
            if parent is not None and parent.type == "call_expression":
                if parent.child_by_field_name("function") == r:
                    calls.append(parent)
                    continue
            escaped.setdefault(key, []).append(
                _Escape(r, f"is returned by `{binding.name}`, which is passed on", _NOT_FOLLOWED)
            )
    done_names: set[str] = set()
    done_members: set[str] = set()
    seen: set[int] = set()
    close()
    while True:
        todo_names = sorted(names - done_names)
        todo_members = members - done_members
        if not todo_names and not todo_members and not calls:
            break
        done_names |= names
        done_members |= members
        reads: list[Node] = [
            r for name in todo_names for r in facts.reads.get(name, []) if not _declares(r)
        ]
        reads += calls
        calls = []
        if todo_members:
            stack = [facts.root]
            while stack:
                node = stack.pop()
                if node.type == "member_expression":
                    parts = member_parts(node)
                    if (
                        parts is not None
                        and len(parts) == 2
                        and parts[0] == "this"
                        and parts[1] in todo_members
                    ):
                        reads.append(node)
                        continue
                stack.extend(node.children)
        for read in reads:
            if read.id in seen:
                continue
            seen.add(read.id)
            keys = [k for k in _resolve(ctx, read) or () if k in plans]
            if not keys:
                continue
            found = _escape_of(ctx, read)
            if found is None:
                continue
            if isinstance(found, str):  # a parameter of a function the tool follows
                names.add(found)
                continue
            for key in keys:
                if isinstance(found, tuple):
                    sockets.setdefault(key, []).append(found)
                elif isinstance(found, _Callee):
                    callees.setdefault(key, []).append(found)
                else:
                    escaped.setdefault(key, []).append(found)
        close()
    return escaped, sockets, callees


def _escape_of(ctx: Context, read: Node) -> _Escape | tuple[Node, Endpoint] | _Callee | str | None:
    """What a read of a client does with it: escapes (an :class:`_Escape`),
    is given to a socket of openai's (the call and its endpoint), is passed
    to a function of this file whose parameter the tool follows (the
    parameter's name: its reads are checked in turn), is passed to a
    function imported from a module of the project (a :class:`_Callee`: the
    project pass says what it does), or none of these (None)."""
    node = read
    parent = node.parent
    while parent is not None and parent.type in _WRAPPERS:
        node, parent = parent, parent.parent
    if parent is None:
        return None
    if parent.type == "member_expression" and parent.child_by_field_name("object") == node:
        # a use through the client: a call (an SDK call, ``client.models.list()``),
        # or an SDK method taken as a value
        prop = parent.child_by_field_name("property")
        if prop is not None and text(prop) in ("then", "catch", "finally"):
            # an async factory's promise: the callback gets the client
            return _Escape(
                parent, f"is handed to a callback (`{_shown(parent)}(...)`)", _NOT_FOLLOWED
            )
        top = parent
        while top.parent is not None and top.parent.type == "member_expression":
            if top.parent.child_by_field_name("object") != top:
                break
            top = top.parent
        outer = top.parent
        if outer is not None and outer.type == "call_expression":
            if outer.child_by_field_name("function") == top:
                return None
        parts = member_parts(top)
        if parts is not None and any(p in _RESOURCES for p in parts[1:]):
            return _Escape(
                top, f"has an SDK method taken as a value (`{_shown(top)}`)", _NOT_FOLLOWED
            )
        return None
    # in an object or array literal: where that goes decides
    container = None
    while parent is not None and parent.type in (
        "pair",
        "object",
        "array",
        "spread_element",
        *_WRAPPERS,
    ):
        if parent.type == "pair" and parent.child_by_field_name("value") != node:
            return None  # a key
        if parent.type in ("object", "array"):
            container = parent
        node, parent = parent, parent.parent
    if read.type == "shorthand_property_identifier":
        container = read.parent
    if parent is None:
        return None
    if parent.type == "arguments":
        call = parent.parent
        if call is None or call.type not in _CALLEE:
            return None
        callee = unwrap(call.child_by_field_name(_CALLEE[call.type]))
        parts = member_parts(callee)
        root = parts[0] if parts else None
        if (
            container is None
            and root is not None
            and root in ctx.facts.socket_names
            and _module_level(ctx, _root_ident(callee))
        ):
            kind = ctx.facts.socket_names[root]
            ep = _endpoint(_SOCKET_ENDPOINTS[kind])
            if ep is not None:
                return call, ep
        if parts is not None and (
            (len(parts) == 1 and parts[0] in _HARMLESS_CALLEES)
            or (len(parts) == 2 and parts[0] in _HARMLESS_OBJECTS)
        ):
            return None
        if _split_call(call) is not None:
            return None  # request data of an SDK call
        if container is None and callee is not None and callee.type == "identifier":
            # a function of this file whose calls are all known: the
            # parameter is followed (its reads are checked in turn)
            args = [c for c in parent.named_children if c.type != "comment"]
            position = next((i for i, a in enumerate(args) if a.id == node.id), None)
            fn = _local_function(ctx, callee)
            params = _params(fn) if fn is not None else []
            if (
                fn is not None
                and position is not None
                and position < len(params)
                and params[position] is not None
                and _resolve(ctx, params[position]) is not None  # the name is bound once
            ):
                return text(params[position])  # type: ignore[arg-type]
            name = text(callee)
            if (
                fn is None
                and position is not None
                and not any(a.type == "spread_element" for a in args[:position])
                and name in ctx.facts.local_imports
                and _module_level(ctx, callee)
            ):
                return _Callee(name, str(position), call)
        return _Escape(call, f"is passed to `{_shown(callee)}`")
    if container is not None:
        if parent.type == "assignment_expression":
            left = parent.child_by_field_name("left")
            parts = member_parts(left)
            if parts is not None and (parts[:2] == ["module", "exports"] or parts[0] == "exports"):
                return None  # an export: the project pass follows it
        if parent.type in ("export_statement",):
            return None
        return _Escape(container, "is put in an object or array", _NOT_FOLLOWED)
    if parent.type == "assignment_expression" and parent.child_by_field_name("right") == node:
        left = parent.child_by_field_name("left")
        parts = member_parts(left)
        if left is not None and left.type == "identifier":
            return None  # an alias: followed
        if parts is not None and (
            (len(parts) == 2 and parts[0] == "this")
            or parts[:2] == ["module", "exports"]
            or parts[0] == "exports"
        ):
            return None  # a member of ``this`` (followed), an export
        return _Escape(parent, f"is stored in `{_shown(left)}`", _NOT_FOLLOWED)
    if parent.type == "jsx_expression":  # <Chat client={client} />: a component's prop
        return _Escape(parent, "is passed to a JSX element")
    if parent.type == "return_statement" or (
        parent.type == "arrow_function" and parent.child_by_field_name("body") == node
    ):
        fn = parent
        while fn is not None and fn.type not in _FUNCTION_NODES:
            fn = fn.parent
        if fn is not None and fn.id in ctx.factories:
            return None  # a factory: its calls are followed (here, and by the project pass)
        return _Escape(parent, "is returned from a function", _NOT_FOLLOWED)
    return None


_NOT_FOLLOWED = ", where the tool does not follow it"


def _socket_use(ctx: Context, read: Node) -> tuple[Node, tuple[str, ...]] | None:
    """A read given to a socket of openai's realtime / WebSocket modules:
    the call and the method path of the endpoint it opens
    (``realtime.connect``); None: not such a read."""
    found = _escape_of(ctx, read)
    if not isinstance(found, tuple):
        return None
    call, ep = found
    path = next(p for p in _SOCKET_ENDPOINTS.values() if _endpoint(p) is ep)
    return call, path


def _check_imported_sockets(ctx: Context) -> None:
    """OR301 where a client another module of the run exports, moving to
    OpenRouter, is given to openai's realtime / WebSocket helpers."""
    facts = ctx.facts
    if not facts.socket_names:
        return
    for local in facts.local_imports:
        b = facts.module_binding(local)
        if b is None or ctx.decisions.get("import:" + local) not in ("migrate", "unsafe"):
            continue
        for read in facts.reads_of(b):
            socket = _socket_use(ctx, read)
            if socket is None:
                continue
            call, path = socket
            ep = _endpoint(path)
            assert ep is not None
            shown = _shown(call.child_by_field_name(_CALLEE[call.type]))
            ctx.report(
                call,
                RULES["OR301"],
                f"`{shown}` is given the client, which moves to OpenRouter ({ep.title}): "
                f"{ep.message}",
            )


def _escape_note(found: list[_Escape]) -> str:
    """What the client finding adds when the client escapes (Python's
    ``escapes.escape_note``): where, and that the move is unsafe."""
    grouped: dict[tuple[str, str], list[int]] = {}
    for e in found:
        at = grouped.setdefault((e.what, e.why), [])
        line = e.node.start_point[0] + 1
        if line not in at:
            at.append(line)
    shown = []
    for (what, why), at in grouped.items():
        where = f"line {at[0]}" if len(at) == 1 else f"lines {', '.join(map(str, at))}"
        shown.append(f"{what} ({where}){why}")
    more = f" and {len(shown) - 2} more" if len(shown) > 2 else ""
    return (
        f"; unsafe fix: the client {', '.join(shown[:2])}{more}: the model IDs sent there "
        "may stay bare while the client moves (move them with it, then apply with "
        "--unsafe-fixes)"
    )


_ORG_VARS = {"OPENAI_ORG_ID": "organization", "OPENAI_PROJECT_ID": "project"}


def _check_org_env(ctx: Context) -> None:
    """OR308, as in Python: reads of ``OPENAI_ORG_ID`` / ``OPENAI_PROJECT_ID``
    (``process.env.X``, ``process.env["X"]``, ``Deno.env.get("X")``,
    ``import.meta.env.X``) in a file that uses the SDK, except inside the
    ``organization`` / ``project`` options the migration removes. The Node
    SDK reads both variables by itself too (``readEnv("OPENAI_ORG_ID")``, sent
    as ``OpenAI-Organization``), whatever the file says."""
    facts = ctx.facts
    source = ctx.source
    if not facts.imports_openai or (
        b"OPENAI_ORG_ID" not in source and b"OPENAI_PROJECT_ID" not in source
    ):
        return
    wanted = {"OPENAI_ORG_ID"}
    if ctx.settings.strip_project:
        wanted.add("OPENAI_PROJECT_ID")
    removed_keys = {"organization", "project"} if ctx.settings.strip_project else {"organization"}
    skip: list[tuple[int, int]] = []
    for new in facts.new_expressions:
        if facts.meaning(new.child_by_field_name("constructor")) != "client":
            continue
        args = new.child_by_field_name("arguments")
        named = [c for c in args.named_children if c.type != "comment"] if args else []
        obj = unwrap(named[0]) if len(named) == 1 else None
        if obj is None or obj.type != "object":
            continue
        for m in _members(obj):
            if _key_name(m) in removed_keys:
                skip.append((m.start_byte, m.end_byte))
    stack = [ctx.facts.root] if ctx.facts.root is not None else []
    while stack:
        node = stack.pop()
        if node.type in ("member_expression", "subscript_expression", "call_expression"):
            read = _env_read(node)
            if read is not None and read[0] in wanted:
                if not any(s <= node.start_byte and node.end_byte <= e for s, e in skip):
                    var = read[0]
                    ctx.report(
                        node,
                        RULES["OR308"],
                        f"reads ${var}: OpenRouter ignores {_ORG_VARS[var]}, so after the "
                        "migration this value is unused and the variable may be unset; remove "
                        "the read, and remove the variable from the environment (the OpenAI "
                        "SDK also reads it by itself and sends it as a header)",
                    )
                continue
        stack.extend(reversed(node.children))


def _some(items: list[str] | tuple[str, ...], shown: int = 3) -> str:
    """``a, b, c`` or ``a, b, c and 4 more``: places named in a message."""
    if len(items) <= shown + 1:
        return ", ".join(items)
    return f"{', '.join(items[:shown])} and {len(items) - shown} more"


def _export_names(ctx: Context, new: Node) -> list[str]:
    """The names other modules import the client ``new`` builds by:
    ``export const x``, ``export { x as y }``, ``export default``
    ("default"), ``exports.x = ...``, ``module.exports = { x }``,
    ``module.exports = x`` ("default": what ``import x from`` and the
    interop give). Empty: it stays in the file."""
    node = new.parent
    while node is not None and node.type in (
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
    ):
        node = node.parent
    if node is None:
        return []
    if node.type == "export_statement":
        return ["default"]
    local = None
    if node.type == "variable_declarator":
        decl = node.child_by_field_name("name")
        if decl is None or decl.type != "identifier":
            return []
        local = text(decl)
        statement = node.parent.parent if node.parent is not None else None
        if statement is not None and statement.type == "export_statement":
            return [local]
    elif node.type == "assignment_expression":
        parts = member_parts(node.child_by_field_name("left"))
        if parts == ["module", "exports"]:
            return ["default"]
        if parts is not None and len(parts) == 3 and parts[:2] == ["module", "exports"]:
            return [parts[2]]
        if parts is not None and len(parts) == 2 and parts[0] == "exports":
            return [parts[1]]
        return []
    if local is None or local not in ctx.facts.exported:
        return []
    return _names_exported_as(ctx, local)


def _names_exported_as(ctx: Context, local: str) -> list[str]:
    """The names the module-level ``local`` is exported by, later in the file."""
    out: list[str] = []
    root = ctx.facts.root
    for st in root.named_children if root is not None else ():
        if st.type == "export_statement":
            if st.child_by_field_name("source") is not None:
                continue
            value = st.child_by_field_name("value")
            if value is not None and value.type == "identifier" and text(value) == local:
                out.append("default")
            decl = st.child_by_field_name("declaration")
            named = decl.child_by_field_name("name") if decl is not None else None
            if (
                named is not None
                and text(named) == local
                and any(c.type == "default" for c in st.children)
            ):
                out.append("default")  # ``export default function ask(client) {...}``
            for c in st.named_children:
                if c.type != "export_clause":
                    continue
                for spec in c.named_children:
                    nm = spec.child_by_field_name("name")
                    alias = spec.child_by_field_name("alias") or nm
                    if nm is not None and alias is not None and text(nm) == local:
                        out.append(text(alias))
        elif st.type == "expression_statement":
            e = st.named_children[0] if st.named_children else None
            if e is None or e.type != "assignment_expression":
                continue
            parts = member_parts(e.child_by_field_name("left"))
            right = unwrap(e.child_by_field_name("right"))
            if parts is None or right is None:
                continue
            if parts == ["module", "exports"]:
                if right.type == "identifier" and text(right) == local:
                    out.append("default")
                elif right.type == "object":
                    for m in right.named_children:
                        if m.type == "shorthand_property_identifier" and text(m) == local:
                            out.append(local)
                        elif m.type == "pair":
                            v = unwrap(m.child_by_field_name("value"))
                            k = _key_name(m)
                            if v is not None and k and v.type == "identifier" and text(v) == local:
                                out.append(k)
            elif right.type == "identifier" and text(right) == local:
                if len(parts) == 3 and parts[:2] == ["module", "exports"]:
                    out.append(parts[2])
                elif len(parts) == 2 and parts[0] == "exports":
                    out.append(parts[1])
    # exported in a way not listed above: still exported, under its own name
    return out or [local]


def _exported(ctx: Context, new: Node) -> str | None:
    """How the client ``new`` builds leaves this module, if it does:
    ``export const x = new OpenAI()``, ``export default new OpenAI()``, a
    const exported later (``export { x }``), ``module.exports = ...`` or
    ``exports.x = ...``; None when it stays in the file."""
    node = new.parent
    while node is not None and node.type in (
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
    ):
        node = node.parent
    if node is None:
        return None
    if node.type == "export_statement":
        return "export default"
    if node.type == "variable_declarator":
        decl = node.child_by_field_name("name")
        statement = node.parent.parent if node.parent is not None else None
        if statement is not None and statement.type == "export_statement":
            return f"export {text(decl)}" if decl is not None else "export"
        if decl is not None and text(decl) in ctx.facts.exported:
            return f"export {{ {text(decl)} }}"
        return None
    if node.type in ("assignment_expression", "augmented_assignment_expression"):
        left = node.child_by_field_name("left")
        shown = text(left) if left is not None else ""
        if shown == "module.exports" or shown.startswith(("module.exports.", "exports.")):
            return shown
    return None


def _members(obj: Node) -> list[Node]:
    return [c for c in obj.named_children if c.type != "comment"]


def _key_name(member: Node) -> str | None:
    if member.type == "shorthand_property_identifier":
        return text(member)
    if member.type != "pair":
        return None
    key = member.child_by_field_name("key")
    if key is None:
        return None
    if key.type == "property_identifier":
        return text(key)
    if key.type == "string":
        return string_value(key)
    return None


def _plan_client(ctx: Context, new: Node, name: str) -> _Plan | None:
    """The edits that move one ``new OpenAI(...)``; None when it is left
    (reported here) or already points at OpenRouter."""
    settings = ctx.settings
    args = new.child_by_field_name("arguments")
    arg_nodes = [c for c in args.named_children if c.type != "comment"] if args else []
    shown = f"new {name}(...)"

    def leave(info: RuleInfo, message: str) -> None:
        ctx.decisions[new.id] = "left"
        ctx.report(new, info, message)

    obj = unwrap(arg_nodes[0]) if arg_nodes else None
    if len(arg_nodes) > 1 or (obj is not None and obj.type != "object"):
        leave(
            RULES["OR105"],
            f"`{shown}` is built from `{text(arg_nodes[0])}`: the tool cannot see its "
            "options; not rewritten",
        )
        return None
    props: dict[str, Node] = {}
    members = _members(obj) if obj is not None else []
    for m in members:
        if m.type == "spread_element":
            leave(
                RULES["OR105"],
                f"`{shown}` spreads `{text(m)}` into its options: the tool cannot see what "
                "it sets; not rewritten",
            )
            return None
        key = _key_name(m)
        if key is None or key in props:
            leave(
                RULES["OR105"],
                f"`{shown}` has an option the tool cannot read (`{text(m)[:40]}`): not rewritten",
            )
            return None
        props[key] = m
    unknown = sorted(k for k in props if k not in KNOWN_OPTIONS)
    if unknown:
        leave(
            RULES["OR118"],
            f"`{shown}` passes {', '.join(unknown)}, which OpenAI-direct clients do not: "
            "left alone",
        )
        return None
    quote = ctx.facts.quote
    edits: list[Edit] = []
    summary: list[str] = []
    extra: list[tuple[Node, RuleInfo, str]] = []
    additions: list[str] = []

    # baseURL
    base = props.get("baseURL")
    if base is not None:
        value = base.child_by_field_name("value") if base.type == "pair" else None
        url = string_value(value)
        frag = string_fragment(value) if value is not None else None
        if url is None or frag is None:
            leave(
                RULES["OR104"],
                f"`{shown}` gets baseURL from `{text(value or base)}`, which the tool cannot "
                "check: left alone, with the model IDs sent through it",
            )
            return None
        bare = url.rstrip("/")
        if bare == settings.base_url.rstrip("/") or bare.startswith("https://openrouter.ai/"):
            ctx.decisions[new.id] = "openrouter"
            return None
        if bare != OPENAI_BASE:
            leave(
                RULES["OR104"],
                f"`{shown}` points baseURL at {url}: left alone, with the model IDs sent "
                "through it",
            )
            return None
        edits.append((frag.start_byte, frag.end_byte, settings.base_url.encode()))
        summary.append("baseURL points at OpenRouter")
    else:
        additions.append(f"baseURL: {js_string(settings.base_url, quote)}")
        summary.append("adds baseURL")

    # apiKey
    env = settings.api_key_env
    key = props.get("apiKey")
    env_expr = (
        f"Deno.env.get({js_string(env, quote)})" if ctx.facts.uses_deno else f"process.env.{env}"
    )
    if key is None:
        additions.append(f"apiKey: {env_expr}")
        summary.append(f"reads the key from {env}")
    else:
        value = key.child_by_field_name("value") if key.type == "pair" else None
        outcome = _key_edit(value, env, env_expr)
        if outcome[0] == "left":
            leave(
                RULES["OR103"],
                f"`{shown}` gets apiKey from `{text(value or key)}`{outcome[1]}: left alone, "
                "so it is never sent to OpenRouter with an OpenAI key",
            )
            return None
        if outcome[0] == "edit":
            _, message, edit = outcome
            edits.append(edit)
            summary.append(message)
        elif outcome[0] == "secret":
            _, message, edit = outcome
            edits.append(edit)
            summary.append(f"reads the key from {env}")
            extra.append(
                (
                    value,
                    RULES["OR107"],
                    f"hard-coded API key: replaced by {env_expr}; rotate it: it stays in "
                    "your history",
                )
            )

    # organization / project
    removed = [
        k
        for k in ("organization", "project")
        if k in props and (k == "organization" or settings.strip_project)
    ]
    for k in removed:
        summary.append(f"removes {k}")

    # defaultHeaders (attribution), only when asked for
    headers: dict[str, str] = {}
    if settings.app_url:
        headers["HTTP-Referer"] = settings.app_url
    if settings.app_title:
        headers[settings.title_header] = settings.app_title
    if headers:
        existing = props.get("defaultHeaders")
        entries = {k: f"{js_string(k, quote)}: {js_string(v, quote)}" for k, v in headers.items()}
        if existing is None:
            additions.append("defaultHeaders: { " + ", ".join(entries.values()) + " }")
            summary.append("adds the attribution headers")
        else:
            value = existing.child_by_field_name("value") if existing.type == "pair" else None
            hobj = unwrap(value)
            if (
                hobj is None
                or hobj.type != "object"
                or any(m.type == "spread_element" for m in _members(hobj))
            ):
                extra_report = (
                    existing,
                    RULES["OR106"],
                    f"defaultHeaders of `{shown}` is not an object literal: attribution headers "
                    "not added",
                )
                ctx.report(*extra_report)
            else:
                have = {(_key_name(m) or "").lower() for m in _members(hobj)}
                missing = [e for k, e in entries.items() if k.lower() not in have]
                if missing:
                    edits += _append_members(ctx.source, hobj, missing)
                    summary.append("adds the attribution headers")

    edits += _object_edits(ctx.source, new, args, obj, additions, [props[k] for k in removed])
    if not edits:
        ctx.decisions[new.id] = "openrouter"
        return None
    return _Plan(edits, summary, extra)


_KEY_SUFFIX = "OPENAI_API_KEY"


def _env_read(node: Node | None) -> tuple[str, Node] | None:
    """An environment read -> (variable name, the node holding the name):
    ``process.env.X``, ``process.env["X"]``, ``Deno.env.get("X")``,
    ``import.meta.env.X``."""
    node = unwrap(node)
    if node is None:
        return None
    if node.type == "member_expression":
        obj = node.child_by_field_name("object")
        prop = node.child_by_field_name("property")
        if prop is not None and obj is not None and text(obj) in ("process.env", "import.meta.env"):
            return text(prop), prop
    if node.type == "subscript_expression":
        obj = node.child_by_field_name("object")
        index = node.child_by_field_name("index")
        frag = string_fragment(index) if index is not None else None
        if obj is not None and text(obj) == "process.env" and frag is not None:
            return text(frag), frag
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if fn is not None and text(fn) == "Deno.env.get" and args is not None:
            named = [c for c in args.named_children if c.type != "comment"]
            frag = string_fragment(named[0]) if len(named) == 1 else None
            if frag is not None:
                return text(frag), frag
    return None


def _key_edit(value: Node | None, env: str, env_expr: str) -> tuple[Any, ...]:
    """("edit", summary, edit) | ("secret", summary, edit) | ("keep",) |
    ("left", why)."""
    if value is None:  # ``{ apiKey }``: a variable
        return ("left", "")
    inner = unwrap(value)
    if inner is not None and inner.type == "binary_expression":
        op = inner.child_by_field_name("operator")
        right = inner.child_by_field_name("right")
        if op is not None and text(op) in ("??", "||"):
            fallback = string_value(right)
            if fallback:  # a default key in the source: not followed
                return ("left", f" with the default {fallback!r}")
            inner = inner.child_by_field_name("left")
    read = _env_read(inner)
    if read is not None:
        name, holder = read
        if name == env or name.endswith(env):
            return ("keep",)
        if name.endswith(_KEY_SUFFIX):
            new_name = name[: -len(_KEY_SUFFIX)] + env
            return (
                "edit",
                f"reads the key from {new_name}",
                (holder.start_byte, holder.end_byte, new_name.encode()),
            )
        return ("left", f", which may not hold an OpenRouter key (rename it to {env})")
    literal = string_value(value)
    if literal is not None and literal:
        return ("secret", "", (value.start_byte, value.end_byte, env_expr.encode()))
    return ("left", "")


def _sep_before(source: bytes, node: Node) -> bytes:
    """The whitespace just before ``node`` (to lay out a new sibling alike)."""
    start = node.start_byte
    at = start
    while at > 0 and source[at - 1 : at] in (b" ", b"\t", b"\r", b"\n"):
        at -= 1
    ws = source[at:start]
    if b"\n" in ws:
        return ws[
            ws.rfind(b"\n") - (1 if ws[ws.rfind(b"\n") - 1 : ws.rfind(b"\n")] == b"\r" else 0) :
        ]
    return b" "


def _object_edits(
    source: bytes,
    new: Node,
    args: Node | None,
    obj: Node | None,
    additions: list[str],
    removed: list[Node],
) -> list[Edit]:
    """Add ``additions`` first in the options object and remove ``removed``."""
    if obj is None:
        if not additions:
            return []
        body = "({ " + ", ".join(additions) + " })"
        if args is None:  # ``new OpenAI``
            ctor = new.child_by_field_name("constructor")
            end = ctor.end_byte
            type_args = new.child_by_field_name("type_arguments")
            if type_args is not None:
                end = max(end, type_args.end_byte)
            return [(end, end, body.encode())]
        # ``new OpenAI()`` (comments inside the parentheses are kept)
        at = args.end_byte - 1
        return [(at, at, body[1:-1].encode())]
    members = _members(obj)
    open_brace = obj.children[0]
    if not members:  # ``{}`` (comments inside are kept)
        if not additions:
            return []
        at = open_brace.end_byte
        return [(at, at, (" " + ", ".join(additions) + " ").encode())]
    edits: list[Edit] = []
    if additions:
        sep = _sep_before(source, members[0])
        text_ = b"".join(sep + a.encode() + b"," for a in additions)
        if len(removed) == len(members) and not _has_comma_after(obj, members[-1]):
            text_ = text_[:-1]  # nothing follows: no comma after the last addition
        edits.append((open_brace.end_byte, open_brace.end_byte, text_))
    edits += _removals(obj, removed)
    return edits


def _has_comma_after(obj: Node, member: Node) -> bool:
    children = obj.children
    i = next(k for k, c in enumerate(children) if c.id == member.id)
    return i + 1 < len(children) and children[i + 1].type == ","


def _removals(obj: Node, removed: list[Node]) -> list[Edit]:
    """Remove ``removed`` members with their commas, the whitespace before
    them and the comments between a member and its comma or after the comma
    on its line (as Python's fix drops the comments of a removed argument).
    Neighbouring removed members are removed as one run."""
    children = obj.children
    gone = {m.id for m in removed}
    members = [k for k, c in enumerate(children) if c.type not in ("comment", ",", "{", "}")]
    edits: list[Edit] = []
    run: list[int] = []
    for k in [*members, None]:
        if k is not None and children[k].id in gone:
            run.append(k)
            continue
        if not run:
            continue
        first, last = run[0], run[-1]
        run = []
        j = last + 1
        while j < len(children) and children[j].type == "comment":
            j += 1
        if j < len(children) and children[j].type == ",":
            comma = children[j]
            end = comma.end_byte
            nxt = children[j + 1] if j + 1 < len(children) else None
            if (
                nxt is not None
                and nxt.type == "comment"
                and nxt.start_point[0] == comma.end_point[0]
                and nxt.text.startswith(b"//")
            ):
                end = nxt.end_byte
            edits.append((children[first - 1].end_byte, end, b""))
            continue
        # the run ends the object without a comma: take the comma before it
        b = first - 1
        while b > 0 and children[b].type == "comment":
            b -= 1
        if children[b].type == ",":
            edits.append((children[b].start_byte, children[last].end_byte, b""))
        else:
            edits.append((children[first - 1].end_byte, children[last].end_byte, b""))
    return edits


def _append_members(source: bytes, obj: Node, entries: list[str]) -> list[Edit]:
    members = _members(obj)
    if not members:
        open_brace, close_brace = obj.children[0], obj.children[-1]
        return [
            (open_brace.end_byte, close_brace.start_byte, (" " + ", ".join(entries) + " ").encode())
        ]
    last = members[-1]
    children = obj.children
    i = next(k for k, c in enumerate(children) if c.id == last.id)
    comma = children[i + 1] if i + 1 < len(children) and children[i + 1].type == "," else None
    sep = _sep_before(source, last)
    if comma is not None:
        return [
            (comma.end_byte, comma.end_byte, b"".join(sep + e.encode() + b"," for e in entries))
        ]
    return [(last.end_byte, last.end_byte, b"".join(b"," + sep + e.encode() for e in entries))]


# --------------------------------------------------------------------------
# calls through clients


def _split_call(call: Node) -> tuple[Node, tuple[str, ...]] | None:
    """``recv.a.b.c(...)`` -> (recv, ("a", "b", "c")) for the longest known
    method path (``beta`` left out: ``recv.beta.a.b(...)`` is the same call);
    None when the call is not an SDK method call."""
    fn = call.child_by_field_name("function")
    chain: list[tuple[str, Node]] = []
    node = unwrap(fn)
    while node is not None and node.type == "member_expression":
        prop = node.child_by_field_name("property")
        if prop is None:
            return None
        chain.append((text(prop), node.child_by_field_name("object")))
        node = unwrap(node.child_by_field_name("object"))
    chain.reverse()  # [(name, object-before-it)]
    names = [n for n, _ in chain]
    for k in range(len(chain)):
        if names[k] in TRANSPARENT:
            continue
        path = tuple(n for n in names[k:] if n not in TRANSPARENT)
        if path in MODEL_METHODS or _endpoint(path) is not None:
            while k > 0 and names[k - 1] in TRANSPARENT:
                k -= 1  # the client is before ``beta``
            return chain[k][1], path
    return None


def _shown_path(call: Node, receiver: Node) -> str:
    """The method path of a call as written after its client
    (``beta.threads.create``), for messages."""
    fn = call.child_by_field_name("function")
    parts = member_parts(fn)
    before = member_parts(receiver)
    if parts is not None and before is not None and parts[: len(before)] == before:
        return ".".join(parts[len(before) :])
    written = "".join(text(fn).split())
    at = written.rfind(").")
    return written[at + 2 :] if at >= 0 else written


def _endpoint(path: tuple[str, ...]) -> Endpoint | None:
    """The entry of the table of endpoints OpenRouter does not serve that a
    method path (``beta`` left out) calls; None: not in it."""
    for ep in endpoints():
        n = len(ep.resource)
        if len(path) > n and path[:n] == ep.resource:
            if ep.methods is None or path[n] in ep.methods:
                return ep
    return None


def _unsupported(path: tuple[str, ...]) -> str | None:
    """What a method path calls that OpenRouter does not serve (the title
    of its endpoint), None: a served one."""
    ep = _endpoint(path)
    return None if ep is None else ep.title


_RESPONSES_METHODS = sdk.RESPONSES_METHODS
# OpenAI's hosted Responses tools: they run on OpenAI's side (as Python's)
_HOSTED_TOOLS = sdk.HOSTED_TOOLS
#: what a client used for Responses requests that need OpenAI's state is
#: used for (OR119's message)
STATEFUL = "stateful Responses requests"


def _call_endpoint(ctx: Context, call: Node, path: tuple[str, ...]) -> Endpoint | None:
    """The unserved endpoint a call makes: the table's, or stored responses
    for ``responses.stream({ response_id })`` (streams a stored response
    again, as ``retrieve`` reads it)."""
    ep = _endpoint(path)
    if ep is None and path == ("responses", "stream") and "response_id" in _request_keys(ctx, call):
        ep = _endpoint(_STORED_RESPONSES)
    return ep


def _unserved(ctx: Context, call: Node, path: tuple[str, ...]) -> str | None:
    """What a call through a client asks that OpenRouter does not serve (for
    the client's decision, as Python's ``classify_use``): the title of its
    endpoint, or :data:`STATEFUL` for a Responses request that needs OpenAI's
    state or hosted tools; None: OpenRouter serves it."""
    ep = _call_endpoint(ctx, call, path)
    if ep is not None:
        return ep.title
    if path in _RESPONSES_METHODS and _stateful(ctx, call):
        return STATEFUL
    return None


def _request(ctx: Context, call: Node) -> Node | None:
    """The request object literal of a call (its first argument, or the
    value of the certain binding it names); None: not one."""
    args = call.child_by_field_name("arguments")
    named = [c for c in args.named_children if c.type != "comment"] if args else []
    first = unwrap(named[0]) if named else None
    if first is not None and first.type == "identifier":
        first = unwrap(ctx.facts.value_of(first))
    return first if first is not None and first.type == "object" else None


def _request_keys(ctx: Context, call: Node) -> dict[str, tuple[Node, Node | None]]:
    """The fields of a call's request the tool reads: key -> (the node to
    report, its value), from the object literal and from the writes to it
    after it is built (:func:`_request_writes`)."""
    obj = _request(ctx, call)
    out: dict[str, tuple[Node, Node | None]] = {}
    for m in _members(obj) if obj is not None else ():
        key = _key_name(m)
        if key is not None:
            value = m.child_by_field_name("value") if m.type == "pair" else m
            out.setdefault(key, (m, value))
    for m in _members(obj) if obj is not None else ():
        if m.type == "spread_element":
            for key, node, value in _spread_fields(m) or ():
                out.setdefault(key, (node, value))
    for key, node, value in _request_writes(ctx, call)[0]:
        out.setdefault(key, (node, value))
    return out


def _spread_fields(node: Node | None) -> list[tuple[str, Node, Node | None]] | None:
    """The fields a spread brings into a request when the tool reads it
    (key, the node to report, the value): an object literal (``...{ tools
    }``), a choice between such (``...(on ? { tools } : {})``, ``...(on &&
    { tools })``), nothing (``...undefined``); None: anything else (a
    variable, a call's result, a computed key), which the tool does not read."""
    node = unwrap(node)
    if node is not None and node.type == "spread_element":
        inner = [c for c in node.named_children if c.type != "comment"]
        node = unwrap(inner[0]) if inner else None
    if node is None:
        return None
    if node.type in ("null", "undefined") or (
        node.type == "identifier" and text(node) == "undefined"
    ):
        return []
    if node.type == "object":
        out: list[tuple[str, Node, Node | None]] = []
        for m in _members(node):
            if m.type == "spread_element":
                inner_fields = _spread_fields(m)
                if inner_fields is None:
                    return None
                out += inner_fields
                continue
            key = _key_name(m)
            if key is None:
                return None
            out.append((key, m, m.child_by_field_name("value") if m.type == "pair" else m))
        return out
    if node.type == "ternary_expression":
        sides = [
            _spread_fields(node.child_by_field_name(f)) for f in ("consequence", "alternative")
        ]
        if any(side is None for side in sides):
            return None
        return [f for side in sides for f in side or ()]
    if node.type == "binary_expression":
        op = node.child_by_field_name("operator")
        right = _spread_fields(node.child_by_field_name("right"))
        if op is None or right is None:
            return None
        if text(op) == "&&":  # ``...(on && { tools })``: nothing, or the object
            return right
        if text(op) in ("||", "??"):
            left = _spread_fields(node.child_by_field_name("left"))
            return None if left is None else left + right
    return None


#: wrappers that leave the value they wrap as it is (``(params as any)``):
#: the escape wrappers but ``await``
_AS_IS = _WRAPPERS - {"await_expression"}
#: the request fields whose nested writes (``params.tools.push(...)``) the
#: tool must read: the model and what needs OpenAI's state
_WATCHED = frozenset(
    {"model", "store", "background", "previous_response_id", "conversation", "tools", "include"}
)


#: where a read of a request hands the object on (``const p2 = params``,
#: ``{ params }``, ``[params]``, ``return params``): it may be written there
_HANDED_ON = frozenset(
    {"variable_declarator", "assignment_expression", "pair", "array", "return_statement"}
)


def _request_holder(ctx: Context, call: Node) -> Binding | None:
    """The variable a call's request object comes from (``create(params)``,
    ``create(params as any)``), when :func:`_request` follows it."""
    args = call.child_by_field_name("arguments")
    named = [c for c in args.named_children if c.type != "comment"] if args else []
    first = unwrap(named[0]) if named else None
    if first is None or first.type != "identifier" or _request(ctx, call) is None:
        return None
    return ctx.facts.binding(first)


def _request_writes(
    ctx: Context, call: Node
) -> tuple[list[tuple[str, Node, Node | None]], Node | None]:
    """How the request object a call sends (a variable holding an object
    literal) is written after it is built: the fields the tool reads
    (``params.previous_response_id = id``, ``(params as any).store = true``,
    ``params["store"] = true``, ``Object.assign(params, { store: true })``:
    key, the node to report, the value), and the first write or use it
    cannot follow (None: none), after which the request is not read: a
    computed key, ``model`` written, the object passed to a function (it may
    write it), stored elsewhere or given another name, a nested write under
    the model or a field that needs OpenAI's state (``params.tools.push``)."""
    b = _request_holder(ctx, call)
    fields: list[tuple[str, Node, Node | None]] = []
    if b is None:
        return fields, None
    unsure: list[Node] = []
    for ident in ctx.facts.reads_of(b):
        if ident.id == b.ident.id:
            continue
        node = ident
        while node.parent is not None and node.parent.type in _AS_IS:
            node = node.parent
        parent = node.parent
        if parent is None:
            continue
        ptype = parent.type
        if ptype == "arguments":
            use = parent.parent
            args = [c for c in parent.named_children if c.type != "comment"]
            first = bool(args) and args[0].id == node.id
            fn = use.child_by_field_name("function") if use is not None else None
            shown = text(unwrap(fn)) if fn is not None else ""
            if first and use is not None and _split_call(use) is not None:
                continue  # sent (here or by another SDK call)
            if shown.startswith("console.") or shown == "JSON.stringify":
                continue
            if first and shown == "Object.assign":
                for source in args[1:]:
                    obj = unwrap(source)
                    if obj is None or obj.type != "object":
                        unsure.append(use)
                        break
                    for m in _members(obj):
                        key = _key_name(m)
                        if key is None or key == "model":
                            unsure.append(m)
                            break
                        value = m.child_by_field_name("value") if m.type == "pair" else m
                        fields.append((key, m, value))
                continue
            unsure.append(use if use is not None else node)
            continue
        if ptype in ("member_expression", "subscript_expression"):
            if parent.child_by_field_name("object") is None or (
                parent.child_by_field_name("object").id != node.id
            ):
                continue
            if ptype == "member_expression":
                prop = parent.child_by_field_name("property")
                key = text(prop) if prop is not None else None
            else:
                key = string_value(parent.child_by_field_name("index"))
            outer = parent
            while outer.parent is not None and outer.parent.type in _AS_IS:
                outer = outer.parent
            above = outer.parent
            if above is None:
                continue
            if above.type == "assignment_expression" and (
                above.child_by_field_name("left").id == outer.id
            ):
                if key is None or key == "model":
                    unsure.append(above)
                else:
                    fields.append((key, above, above.child_by_field_name("right")))
            elif above.type in ("augmented_assignment_expression", "update_expression") or (
                above.type == "unary_expression" and text(above).startswith("delete")
            ):
                if key is None or key in _WATCHED:
                    unsure.append(above)
            elif above.type in ("member_expression", "subscript_expression") and (
                key is None or key in _WATCHED - {"model"}
            ):
                # ``params.tools.push(...)``, ``params.tools[0] = ...``: the
                # call or the write (a string such as the model is not written)
                upper = above.parent
                if upper is not None and (
                    (
                        upper.type == "call_expression"
                        and upper.child_by_field_name("function").id == above.id
                    )
                    or (
                        upper.type == "assignment_expression"
                        and upper.child_by_field_name("left").id == above.id
                    )
                ):
                    unsure.append(upper)
            continue
        if ptype in _HANDED_ON or ident.type == "shorthand_property_identifier":
            unsure.append(parent)  # given another name, stored, returned
    unsure.sort(key=lambda n: n.start_byte)
    return fields, (unsure[0] if unsure else None)


def _stateful_members(ctx: Context, call: Node) -> list[tuple[Node, str]]:
    """The members of a Responses request that need OpenAI's state or its
    hosted tools, with what to say: ``store: true``, ``background: true``,
    ``previous_response_id``, ``conversation`` (not null/undefined), a hosted
    tool in ``tools: [...]``."""
    out: list[tuple[Node, str]] = []
    for key, (m, held) in _request_keys(ctx, call).items():
        value = unwrap(held)
        if value is None:
            continue
        if key == "store" and value.type == "true":
            out.append(
                (
                    m,
                    "store: true: OpenRouter's Responses API is stateless and answers 400; "
                    "remove it and keep the response (its output) yourself",
                )
            )
        elif key == "background" and value.type == "true":
            out.append(
                (
                    m,
                    "background: true: OpenRouter's Responses API is stateless: there is no "
                    "stored response to poll; remove it and wait for the result (or stream it)",
                )
            )
        elif key in ("previous_response_id", "conversation") and not (
            value.type in ("null", "undefined")
            or (value.type == "identifier" and text(value) == "undefined")
        ):
            out.append(
                (
                    m,
                    f"{key}: OpenRouter's Responses API is stateless and answers 400; send the "
                    "whole conversation in `input` instead",
                )
            )
        elif key == "tools" and value.type == "array":
            for el in value.named_children:
                hosted = _hosted_tool(el)
                if hosted is not None:
                    out.append(
                        (
                            el,
                            f"hosted tool `{hosted}` runs on OpenAI's servers: OpenRouter's "
                            "Responses API does not run it (file_search needs OpenAI vector "
                            "stores); use OpenRouter's web plugin or your own tool",
                        )
                    )
        elif key == "include" and value.type == "array":
            # ``include: ["file_search_call.results"]`` asks for a hosted
            # tool's output: the request runs it, even when its ``tools``
            # come from elsewhere (a request body)
            for el in value.named_children:
                entry = string_value(el)
                hosted = sdk.hosted_include(entry) if entry is not None else None
                if entry is not None and hosted is not None:
                    out.append(
                        (
                            el,
                            f"include {entry!r} asks for the output of the hosted tool "
                            f"`{hosted}`, which runs on OpenAI's servers: OpenRouter's "
                            "Responses API does not run it (file_search needs OpenAI vector "
                            "stores); use your own tool",
                        )
                    )
    return out


def _stateful(ctx: Context, call: Node) -> bool:
    return bool(_stateful_members(ctx, call))


def _hosted_tool(node: Node) -> str | None:
    """``{ type: "file_search", ... }`` -> "file_search" for a hosted tool."""
    node = unwrap(node)
    if node is None or node.type != "object":
        return None
    for m in _members(node):
        if _key_name(m) == "type" and m.type == "pair":
            kind = string_value(m.child_by_field_name("value"))
            return kind if kind in _HOSTED_TOOLS else None
    return None


def _resolve(ctx: Context, receiver: Node | None, depth: int = 0) -> list[ClientKey] | None:
    """The clients a receiver can be (None: unknown; []: not openai's): the
    ids of this file's constructors, or ``import:<local>`` for a client
    another module of the run exports (its decision came with the project
    input). An alias is followed (``const c = client``, ``this.client =
    client``), a few steps deep."""
    facts = ctx.facts
    node = _bare(receiver)
    if node is None:
        return None
    if node.type == "new_expression":
        return [node.id] if node.id in ctx.decisions or _is_client_new(ctx, node) else []
    if node.type == "call_expression":
        # a factory's call: of this file, or imported (``import:getClient()``)
        made = _factory_of_call(ctx, node)
        if made is not None:
            return [made]
        key = _imported_factory(ctx, node)
        return [key] if key is not None and key in ctx.decisions else None
    values: list[Node] | None = None
    if node.type in ("identifier", "shorthand_property_identifier"):
        name = text(node)
        b = facts.binding(node)
        if b is None:
            return None  # a global, or declared more than once where it is read
        key = "import:" + name
        if key in ctx.decisions and b.scope.type == "program" and name in facts.local_imports:
            return [key]
        if b.kind == "param":
            return _param_clients(ctx, b, depth)
        values = _held_values(b)
    else:
        parts = member_parts(node)
        if parts is not None and len(parts) == 2 and parts[0] == "this":
            values = facts.members.get(parts[1])
        elif parts is not None and len(parts) == 2 and parts[0] in facts.whole_imports:
            key = "import:" + ".".join(parts)
            ns = facts.module_binding(parts[0])
            certain = ns is not None and facts.binding(_root_ident(node)) is ns
            return [key] if key in ctx.decisions and certain else None
    if not values:
        return None
    out: list[ClientKey] = []
    for v in values:
        v = _bare(v)
        if (
            v is not None
            and v.type in ("identifier", "member_expression", "call_expression")
            and depth < 4
        ):
            inner = _resolve(ctx, v, depth + 1)  # an alias, a factory's call
            if inner is None:
                return None
            out += [k for k in inner if k not in out]
            continue
        if v is None or v.type != "new_expression":
            return None
        if v.id in ctx.decisions or _is_client_new(ctx, v):
            out.append(v.id)
        elif ctx.facts.meaning(v.child_by_field_name("constructor")) is None:
            continue  # another package's client
        else:
            return None
    if not out and len(values) > 0:
        return []
    return out


_FUNCTION_NODES = FUNCTION_NODES


def _params(fn: Node) -> list[Node | None]:
    """A function's parameters by position: the identifier each one binds
    (None: a pattern or a rest parameter, not followed)."""
    single = fn.child_by_field_name("parameter")  # ``c => ...``
    if single is not None:
        return [single if single.type == "identifier" else None]
    params = fn.child_by_field_name("parameters")
    out: list[Node | None] = []
    for c in params.named_children if params is not None else ():
        if c.type == "comment":
            continue
        if c.type in ("required_parameter", "optional_parameter"):
            pattern = c.child_by_field_name("pattern")
            out.append(pattern if pattern is not None and pattern.type == "identifier" else None)
        else:
            out.append(c if c.type == "identifier" else None)
    return out


def _root_ident(node: Node | None) -> Node | None:
    """The identifier a member chain starts from (``lib`` of ``lib.a.b``)."""
    node = unwrap(node)
    while node is not None and node.type == "member_expression":
        node = unwrap(node.child_by_field_name("object"))
    return node if node is not None and node.type == "identifier" else None


def _function_binding(ctx: Context, fn: Node) -> Binding | None:
    """The declaration that names a function (``function ask``, ``const ask
    = (...) => ...``); None: anonymous."""
    if fn.type in ("function_declaration", "generator_function_declaration"):
        name = fn.child_by_field_name("name")
    else:
        parent = fn.parent
        while parent is not None and parent.type in _WRAPPERS:
            parent = parent.parent
        name = parent.child_by_field_name("name") if parent is not None else None
        if parent is None or parent.type != "variable_declarator":
            return None
    return ctx.facts.scopes.by_ident.get(name.id) if name is not None else None


def _local_function(ctx: Context, callee: Node) -> Node | None:
    """The function of this file a callee refers to (:meth:`Facts.function_of`)."""
    return ctx.facts.function_of(callee)


def _call_site_clients(ctx: Context, fn: Node, position: int, depth: int) -> list[ClientKey] | None:
    """The clients a parameter of a function of this file can be, as Python
    follows a parameter to every call of its function: the union over its
    calls of what they pass at ``position``. None: not followed (exported,
    used as a value, a call the tool cannot read, or nothing known)."""
    facts = ctx.facts
    binding = _function_binding(ctx, fn) if depth < 4 else None
    local = _local_function(ctx, binding.ident) if binding is not None else None
    if binding is None or local is None or local.id != fn.id:
        return None
    if binding.scope.type == "program" and binding.name in facts.exported:
        return None  # other modules call it with what the tool does not see
    calls: list[Node] = []
    for r in facts.reads_of(binding):
        parent = r.parent
        if parent is None or parent.id == fn.id or _declares(r):
            continue
        if parent.type == "call_expression" and parent.child_by_field_name("function") == r:
            calls.append(parent)
            continue
        return None  # used as a value: called where the tool does not see
    if not calls:
        return None
    out: list[ClientKey] = []
    for call in calls:
        args = call.child_by_field_name("arguments")
        named = [c for c in args.named_children if c.type != "comment"] if args else []
        if position >= len(named) or any(a.type == "spread_element" for a in named[: position + 1]):
            return None
        found = _resolve(ctx, named[position], depth + 1)
        if found is None:
            return None
        out += [k for k in found if k not in out]
    return out


def _param_clients(ctx: Context, param: Binding, depth: int) -> list[ClientKey] | None:
    """What a read of a parameter can be (:func:`_call_site_clients` of the
    function that declares it); None: not a parameter the tool follows
    (a pattern, a rest parameter)."""
    fn = param.scope
    told = _told_param(ctx, fn, param)
    if told is not None:
        return told
    for i, p in enumerate(_params(fn)):
        if p is not None and p.id == param.ident.id:
            return _call_site_clients(ctx, fn, i, depth)
    return None


def _told_param(ctx: Context, fn: Node, param: Binding) -> list[ClientKey] | None:
    """A parameter of an exported function that every call in the other
    modules of the run fills with clients of one state (the project pass:
    ``ProjectInput.param_clients``): the key ``param:<function>:<name>``,
    decided as they are. None: not told, or not one state."""
    project = ctx.project
    binding = _function_binding(ctx, fn)
    if project is None or not project.param_clients or binding is None:
        return None
    if binding.scope.type != "program" or binding.name not in ctx.facts.exported:
        return None
    states = {
        project.param_client_state(name, param.name)
        for name in _names_exported_as(ctx, binding.name)
    }
    if len(states) != 1:
        return None
    state = states.pop()
    if state not in ("migrate", "unsafe", "openrouter", "left"):
        return None
    key = f"param:{binding.name}:{param.name}"
    ctx.decisions[key] = state
    return [key]


def _held_values(b: Binding) -> list[Node] | None:
    """Every value a variable holds: its initialiser and each plain
    assignment (``let openai; if (azure) openai = new OpenAI({...}) else
    openai = new OpenAI()``), as Python unions a name's bindings in its
    scope. ``null``/``undefined`` hold no client. None: not a variable,
    written another way (``x += 1``, destructuring), or never given a value."""
    values = b.values()
    out = []
    for v in values or ():
        inner = unwrap(v)
        if inner is not None and (
            inner.type in ("null", "undefined")
            or (inner.type == "identifier" and text(inner) == "undefined")
        ):
            continue
        out.append(v)
    return out or None


def _leave_sharing(ctx: Context, plans: dict[int, tuple[Node, _Plan]]) -> None:
    """OR122, as in Python: a client used through the same variable as a
    client that is left alone is left too (removed from ``plans``), with the
    model IDs sent through them: one ID goes to whichever client the variable
    holds at run time, and would be wrong for one of them."""
    changed = True
    while changed:
        changed = False
        for call in ctx.facts.calls:
            split = _split_call(call)
            if split is None:
                continue
            receiver = split[0]
            clients = _resolve(ctx, receiver) or []
            # a client is a constructor node (its key: ``.id``) or a key
            keys = [getattr(c, "id", c) for c in clients]
            left = [k for k in keys if ctx.decisions.get(k) == "left"]
            if not left or not any(k in plans for k in keys):
                continue
            other = next(c for c in clients if getattr(c, "id", c) in left)
            if isinstance(other, int):  # a constructor's id: find its node
                other = next((n for n in ctx.facts.new_expressions if n.id == other), other)
            where = (
                f"`new {text(other.child_by_field_name('constructor'))}(...)` at line "
                f"{other.start_point[0] + 1}"
                if not isinstance(other, (int, str))
                else "a client of another module"
            )
            for k in keys:
                if k not in plans:
                    continue
                new, _ = plans.pop(k)
                ctx.decisions[k] = "left"
                changed = True
                ctx.report(
                    new,
                    RULES["OR122"],
                    f"`new {text(new.child_by_field_name('constructor'))}(...)` is used "
                    f"through the same variable (`{text(receiver)}`) as {where}, which is "
                    "left alone: left too, with the model IDs sent through them (they would "
                    "move half way); point both at OpenRouter by hand, or give them separate "
                    "variables",
                )


def _unseen_request(
    ctx: Context,
    call: Node,
    resolved: bool,
    clients: list[ClientKey],
    imported: list[str],
    report: bool,
) -> None:
    """OR205 for a request whose model the tool cannot see, as Python reports
    ``create(**body)``: an object spreading something (``{ ...body, stream:
    true }``) with no ``model`` of its own (the model comes with the spread
    value, often a browser's request body); and, through a client the tool
    resolves, a request that is not an object it can read: a call's result
    (``create(buildParams())``, ``create(await build())``), a parameter, a
    name it cannot bind with certainty. Nothing is rewritten from a guess.

    When that name is a variable of this file that holds a request object
    the tool did not read (declared twice in the scope the call sees,
    written again: ``let params = {...}; ({ params } = o)``), a model ID
    written there may go to OpenRouter bare: the finding holds the clients
    the call goes through (their move becomes unsafe, as Python holds a
    client when a model comes from a class field's default). Sent through a
    client another module builds (``imported``: its summary keys), the
    module that builds it is told (``Context.external``), also in a round
    that does not know yet that the receiver is a client (``report``
    False: nothing is reported here then)."""
    args = call.child_by_field_name("arguments")
    named = [c for c in args.named_children if c.type != "comment"] if args else []
    if not named:
        return
    first = _request(ctx, call)
    if first is None:
        # a whole request the tool cannot read (a call's result, a
        # parameter, a name it cannot follow to an object literal in
        # scope) holds its clients, as an unread spread does: its model
        # is not rewritten with them and may reach OpenRouter bare
        if named[0].type != "spread_element" and imported:
            _tell_unread(ctx, named[0], imported)
        if report and resolved and named[0].type != "spread_element":
            shown = text(named[0])
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            held = _unread_request(ctx, named[0])
            r = ctx.report(
                named[0],
                RULES["OR205"],
                f"the request comes from `{shown}`, which the tool cannot follow"
                + (_HELD if held else _UNREAD)
                + ": check that its model is an OpenRouter ID (provider/model, e.g. "
                "'openai/gpt-4o'), then `// noqa: OR205` it to move the client",
            )
            _hold(ctx, r, clients)
        return
    members = _members(first)
    spreads = [m for m in members if m.type == "spread_element"]
    models = [i for i, m in enumerate(members) if _key_name(m) == "model"]
    _, written = _request_writes(ctx, call)
    if written is not None:
        # written after it is built in a way the tool does not follow
        if imported:
            _tell_unread(ctx, written, imported)
        if report:
            shown = text(written)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            r = ctx.report(
                written,
                RULES["OR205"],
                f"the request `{text(_request_holder(ctx, call).ident)}` sent at line "
                f"{call.start_point[0] + 1} is written or passed on after it is built "
                f"(`{shown}`), which the tool does not follow: its model and fields are not "
                "read; check that its model is an OpenRouter ID (provider/model, e.g. "
                "'openai/gpt-4o') and that it asks nothing OpenRouter does not serve",
            )
            if resolved:
                _hold(ctx, r, clients)
    # a spread the tool does not read (``...(body as any)``, often the
    # browser's request body): the model and fields it brings are unknown;
    # one it reads (``...(on ? { tools } : {})``) is read as the literal,
    # unless it brings a model (not rewritten there)
    spreads = [
        m
        for m in spreads
        if (fields := _spread_fields(m)) is None or any(k == "model" for k, _, _ in fields)
    ]
    if not spreads:
        return
    shown = " ".join(text(spreads[0]).split())
    if imported:
        _tell_unread(ctx, spreads[0], imported)
    if not report:
        return
    spread = next((c for c in spreads[0].named_children if c.type != "comment"), None)
    held = resolved and _unread_request(ctx, spread)
    if models and models[-1] > [m.id for m in members].index(spreads[-1].id):
        message = (
            f"the request spreads `{shown[:60]}`, which the tool cannot follow: the fields it "
            "brings are not read (`store`, `previous_response_id`, a hosted tool: what "
            "OpenRouter does not serve); check them"
        )
    else:
        message = (
            f"the request's model comes from `{shown[:60]}`, which the tool cannot follow"
            + (_HELD if held else "")
            + ": check that it holds an OpenRouter ID (provider/model, e.g. 'openai/gpt-4o')"
        )
    r = ctx.report(spreads[0], RULES["OR205"], message)
    if resolved:
        _hold(ctx, r, clients)


_UNREAD = (
    " (its model is not read, so it is not rewritten with the client: the client it is "
    "sent through moves only as an unsafe fix)"
)
_HELD = (
    " (a variable of this file that holds a request object, declared more than once where "
    "it is read or written again: its model is not rewritten, so the client it is sent "
    "through moves only as an unsafe fix)"
)


def _tell_unread(ctx: Context, node: Node, imported: list[str]) -> None:
    """A request the tool did not read, sent through clients other modules
    build: they move only with it (the engine tells their modules)."""
    ctx.external.append((node, "OR205", "", tuple(imported), "unread"))


def _import_keys(ctx: Context, receiver: Node | None, depth: int = 0) -> list[str]:
    """The clients of other modules of the run a receiver may be, by their
    summary keys (an imported name, ``ns.NAME``), whether or not the project
    pass has said yet what became of them: the first round does not know
    them as clients, and a model ID that cannot move sent through one keeps
    it in place all the same (Python's ``ClientIndex.tag_keys``). Followed:
    aliases (``const c = client``, ``this.client = client``), a few deep."""
    facts = ctx.facts
    node = _bare(receiver)
    if node is None or depth > 4:
        return []
    if node.type == "call_expression":
        key = _imported_factory(ctx, node)  # a factory of another module
        return [key[len("import:") :]] if key is not None else []
    values: list[Node] | None = None
    if node.type in ("identifier", "shorthand_property_identifier"):
        name = text(node)
        b = facts.binding(node)
        if b is None:
            return []
        if b.scope.type == "program" and name in facts.local_imports:
            return [name]
        if b.kind == "param":
            return []
        values = _held_values(b)
    else:
        parts = member_parts(node)
        if parts is not None and len(parts) == 2 and parts[0] in facts.whole_imports:
            ns = facts.module_binding(parts[0])
            if ns is not None and facts.binding(_root_ident(node)) is ns:
                return [".".join(parts)]
            return []
        if parts is not None and len(parts) == 2 and parts[0] == "this":
            values = facts.members.get(parts[1])
    out: list[str] = []
    for v in values or ():
        for k in _import_keys(ctx, v, depth + 1):
            if k not in out:
                out.append(k)
    return out


def _unread_request(ctx: Context, node: Node | None) -> bool:
    """Is ``node`` a name whose declarations, in the scope it is read in,
    give it an object literal the tool did not read (see
    :func:`_unseen_request`)?"""
    node = unwrap(node)
    if node is None or node.type not in ("identifier", "shorthand_property_identifier"):
        return False
    for b in ctx.facts.scopes.candidates(node):
        if not b.variable:
            continue
        for v in ([b.value] if b.value is not None else []) + b.assigned:
            inner = unwrap(v)
            if inner is not None and inner.type == "object":
                return True
    return False


def _hold(ctx: Context, r: TsReport, clients: list[ClientKey]) -> None:
    """The clients a request the tool did not read is sent through move only
    with it, as an unsafe fix (engine.py notes why on each)."""
    for c in clients:
        q = ctx.client_reports.get(c)
        if q is not None and all(q is not b for b in r.blocks):
            r.blocks.append(q)
    r.unproved = True


def _is_client_new(ctx: Context, new: Node) -> bool:
    return ctx.facts.meaning(new.child_by_field_name("constructor")) in ("client", "azure")


def _client_uses(ctx: Context) -> dict[ClientKey, list[str | None]]:
    """client key -> for each call through it: the unsupported endpoint
    it calls, or None (a supported one)."""
    uses: dict[ClientKey, list[str | None]] = {}
    for call in ctx.facts.calls:
        split = _split_call(call)
        if split is None:
            continue
        receiver, path = split
        clients = _resolve(ctx, receiver)
        for c in clients or ():
            uses.setdefault(c, []).append(_unserved(ctx, call, path))
    return uses


def _model_value(ctx: Context, call: Node) -> tuple[Node | None, Node | None]:
    """The ``model`` value of a call's first argument (following one const
    object), and the node to report when it cannot be followed."""
    args = call.child_by_field_name("arguments")
    named = [c for c in args.named_children if c.type != "comment"] if args else []
    if not named:
        return None, None
    first = _request(ctx, call)
    if first is None:
        return None, None
    for m in _members(first):
        if _key_name(m) == "model":
            if m.type == "shorthand_property_identifier":
                return m, m
            return m.child_by_field_name("value"), m
    return None, None


@dataclass
class _ModelSite:
    fragment: Node
    value: str
    via: str | None
    exported: bool
    shared: bool
    decisions: list[str | None] = field(default_factory=list)
    requires: list[TsReport] = field(default_factory=list)
    elsewhere: tuple[str, ...] = ()  # the other modules sending it as ``model``
    # the clients of other modules it is sent through (their summary keys)
    imported: list[str] = field(default_factory=list)
    # the names other modules import it by and send as ``model`` (Export)
    exported_as: list[str] = field(default_factory=list)
    # parameters of exported functions it is sent through (ModuleSummary.param_uses)
    params: list[Binding] = field(default_factory=list)


def _check_calls(ctx: Context) -> None:
    sites: dict[int, _ModelSite] = {}
    order: list[int] = []
    facts = ctx.facts
    exports = {e.name: e for e in ctx.project.exports} if ctx.project is not None else {}
    for call in facts.calls:
        split = _split_call(call)
        if split is None:
            continue
        receiver, path = split
        clients = _resolve(ctx, receiver)
        if clients == []:
            continue  # another package's client
        decisions = [ctx.decisions.get(c) for c in clients] if clients else [None]
        if "left" in decisions:
            continue  # the client stays on OpenAI, and what it sends
        resolved = clients is not None
        # as Python's: through a client of openai's, or one the tool cannot
        # resolve in a file that imports openai
        openai_receiver = resolved or facts.imports_openai
        ep = _call_endpoint(ctx, call, path)
        if ep is not None:
            if openai_receiver:
                shown = _shown_path(call, receiver)
                if ep.kind == "different":
                    ctx.report(call, RULES["OR303"], f"`{shown}(...)`: {ep.message}")
                else:
                    ctx.report(call, RULES["OR301"], f"`{shown}(...)` ({ep.title}): {ep.message}")
            continue
        if path in _RESPONSES_METHODS and openai_receiver:
            for member, message in _stateful_members(ctx, call):
                ctx.report(member, RULES["OR302"], message)
        value, where = _model_value(ctx, call)
        imported = _import_keys(ctx, receiver)
        if resolved or facts.imports_openai or imported:  # unresolved: maybe openai's
            _unseen_request(
                ctx, call, resolved, clients or [], imported, resolved or facts.imports_openai
            )
        if value is None:
            continue
        node = unwrap(value)
        via = None
        shared = exported = False
        ns_read = _namespace_read(ctx, node)
        if ns_read is not None or (
            node is not None and node.type in ("identifier", "shorthand_property_identifier")
        ):
            # a name imported from another module (``MODEL``), or read through
            # a namespace import (``cfg.MODEL`` of ``import * as cfg``): keyed
            # as the summary keys its reads
            name = ns_read or text(node)
            declared = None if ns_read is not None else facts.value_of(node)
            if declared is None:
                if ns_read is not None or (
                    name in facts.local_imports and _module_level(ctx, node)
                ):
                    # a constant of another module: its definition is
                    # rewritten there (or reported) with this read counted
                    reports = [r for r in (ctx.client_reports.get(c) for c in clients or ()) if r]
                    safe = resolved and all(d in ("migrate", "openrouter") for d in decisions)
                    ctx.sinks.setdefault(name, []).append((safe, reports))
                    if ctx.project is not None and name in ctx.project.followed:
                        kept = [what for local, what in ctx.project.followed_kept if local == name]
                        if kept:
                            _kept_import(ctx, where, name, kept, reports, receiver)
                        continue
                if resolved:
                    ctx.report(
                        where,
                        RULES["OR205"],
                        f"model comes from `{name}`, which the tool cannot follow: check that "
                        "it holds an OpenRouter ID (provider/model)",
                    )
                continue
            via = name
            binding = facts.binding(node)
            exported = (
                binding is not None
                and binding.scope.type == "program"
                and name in facts.exported
                and name not in exports
            )
            node = unwrap(declared)
            # reads of the constant besides its declaration and model positions
            shared = _read_elsewhere(ctx, binding)
        frag = string_fragment(node) if node is not None else None
        model = string_value(node)
        if frag is None or model is None:
            if resolved and model is None and node is not None:
                ctx.report(
                    where,
                    RULES["OR205"],
                    f"model comes from `{text(node)[:60]}`, which the tool cannot follow: "
                    "check that it holds an OpenRouter ID (provider/model)",
                )
            continue
        site = sites.get(frag.id)
        if site is None:
            site = sites[frag.id] = _ModelSite(frag, model, via, exported, shared)
            order.append(frag.id)
        site.decisions += decisions
        for c in clients or ():
            r = ctx.client_reports.get(c)
            if r is not None:
                site.requires.append(r)
        site.imported += [k for k in _import_keys(ctx, receiver) if k not in site.imported]
        pb = _param_receiver(ctx, receiver)
        if pb is not None and all(pb is not q for q in site.params):
            site.params.append(pb)
    # exported constants other modules of the run send as ``model``: their
    # reads there count (codemods/typescript/project.py)
    for name, export in exports.items():
        b = _export_binding(ctx, name)
        certain = b is not None and b.declarator is not None and not (b.reassigned or b.assigned)
        node = unwrap(b.value) if b is not None and certain else None
        frag = string_fragment(node) if node is not None else None
        model = string_value(node)
        if frag is None or model is None:
            continue
        ctx.handled.add(name)
        site = sites.get(frag.id)
        if site is None:
            site = sites[frag.id] = _ModelSite(frag, model, b.name, False, _read_elsewhere(ctx, b))
            order.append(frag.id)
        site.shared = site.shared or export.other_uses > 0
        site.decisions += ["migrate" if export.safe else None]
        site.elsewhere = export.used_in
        site.exported_as.append(name)
    for key in order:
        _check_model(ctx, sites[key])


def _namespace_read(ctx: Context, node: Node | None) -> str | None:
    """``cfg.MODEL`` for a read of ``MODEL`` through a namespace import of a
    module (``import * as cfg from "./config"``, ``const cfg =
    require("./config")``) bound once where it is read: the key the summary
    gives that read (``ModuleSummary.imports``); None: not one."""
    facts = ctx.facts
    if node is None or node.type != "member_expression":
        return None
    parts = member_parts(node)
    prop = node.child_by_field_name("property")
    if (
        parts is None
        or len(parts) != 2
        or parts[0] not in facts.whole_imports
        or prop is None
        or prop.type != "property_identifier"
    ):
        return None
    ns = facts.module_binding(parts[0])
    if ns is None or ns.reassigned or ns.assigned or facts.binding(_root_ident(node)) is not ns:
        return None
    return ".".join(parts)


def _export_binding(ctx: Context, name: str) -> Binding | None:
    """The module-level variable other modules import as ``name``: its own
    name, or one exported under another (``export default MODEL``,
    ``export { MODEL as CHAT_MODEL }``, ``module.exports = { CHAT_MODEL:
    MODEL }``); None: none, or more than one."""
    facts = ctx.facts
    b = facts.module_binding(name)
    if b is not None:
        return b
    found = [
        local
        for local in sorted(facts.exported)
        if local != name and name in _names_exported_as(ctx, local)
    ]
    return facts.module_binding(found[0]) if len(found) == 1 else None


def _kept_import(
    ctx: Context,
    where: Node,
    name: str,
    kept: list[str],
    reports: list[TsReport],
    receiver: Node | None,
) -> None:
    """OR205 where an imported constant is sent that its module keeps as it
    is (ProjectInput.followed_kept: its OR204, OR206... there): the clients
    the call goes through cannot move with it (Python's ``kept_imports``):
    this file's move only as an unsafe fix (engine.py), and the modules that
    build an imported one are told (``Context.external``)."""
    imported = _import_keys(ctx, receiver)
    param = _param_receiver(ctx, receiver)
    if not reports and not imported and param is None:
        return  # not sent through a client the run moves
    what = f"`{name}` ({'; '.join(kept[:3])})"
    r = ctx.report(
        where,
        RULES["OR205"],
        f"model comes from {what}, which its module keeps as it is: the client it is sent "
        "through moves only as an unsafe fix (make it an OpenRouter ID there, or `// noqa` "
        "its finding there to accept it)",
    )
    r.kept = what
    for q in reports:
        if all(q is not b for b in r.blocks):
            r.blocks.append(q)
    if imported:
        ctx.external.append((where, "OR205", f"`{name}` (OR205)", tuple(imported), "block"))
    if param is not None:
        ctx.param_blocks.append((where, "OR205", f"`{name}` (OR205)", param))


def _module_level(ctx: Context, ident: Node | None) -> bool:
    """Does a read refer to the one declaration of its name at the top of
    the file (an import, a module constant)?"""
    b = ctx.facts.binding(ident)
    return b is not None and b.scope.type == "program"


def _read_elsewhere(ctx: Context, binding: Binding | None) -> bool:
    """Is the constant ``binding`` read anywhere but ``model: name`` values?"""
    if binding is None:
        return True
    name = binding.name
    for ident in ctx.facts.reads_of(binding):
        parent = ident.parent
        if parent is None:
            continue
        if parent.type == "variable_declarator":
            declared = parent.child_by_field_name("name")
            if declared is not None and declared.id == ident.id:
                continue
        if ident.type == "shorthand_property_identifier" and name == "model":
            continue
        if _export_read(ident):
            continue  # handed to other modules: their reads count there (exports)
        if parent.type == "pair" and _key_name(parent) == "model":
            value = parent.child_by_field_name("value")
            if value is not None and value.id == ident.id:
                continue
        return True
    return False


def _export_read(ident: Node) -> bool:
    """Is ``ident`` read only to export it (``export default MODEL``,
    ``export { MODEL as CHAT_MODEL }``)? The reads of the modules of the run
    that import it are counted by the project pass (``Export.other_uses``);
    an exported constant's fix is unsafe (``_ModelSite.exported``)."""
    parent = ident.parent
    if parent is None:
        return False
    if parent.type == "export_statement":
        return parent.child_by_field_name("value") == ident
    if parent.type == "export_specifier":
        statement = parent.parent.parent if parent.parent is not None else None
        return (
            parent.child_by_field_name("name") == ident
            and statement is not None
            and statement.child_by_field_name("source") is None
        )
    return False


def _check_model(ctx: Context, site: _ModelSite) -> None:
    lookup = ctx.table.lookup(site.value)
    certain = all(d is not None for d in site.decisions)
    unsafe_client = "unsafe" in site.decisions  # another module's, moved as unsafe
    safe = certain and not site.exported and not unsafe_client
    through = f" (through {site.via})" if site.via else ""
    if site.elsewhere:
        through = f" (through {site.via}, also sent as model in {_some(site.elsewhere)})"
    frag = site.fragment
    if site.shared and lookup.kind in (LookupKind.MAPPED, LookupKind.BAD_PREFIX):
        # kept bare: the clients it is sent through cannot move with it
        _block_elsewhere(ctx, site, "OR206")
        _blocks(
            ctx.report(
                frag,
                RULES["OR206"],
                f"model constant {site.via} ('{site.value}') is also used for something else: "
                "not rewritten; write the OpenRouter ID where the model is sent",
            ),
            site,
        )
        return
    note = (
        ""
        if safe
        else (
            UNSAFE_NOTE
            if not certain
            else (
                "; unsafe fix: it moves with its client, which another module exports and "
                "whose own fix is unsafe"
                if unsafe_client
                else "; unsafe fix: the constant is exported, other modules may read it"
            )
        )
    )
    if lookup.kind in (LookupKind.MAPPED, LookupKind.BAD_PREFIX) and lookup.target:
        info = RULES["OR201"] if lookup.kind is LookupKind.MAPPED else RULES["OR207"]
        what = (
            "is not an OpenRouter ID"
            if lookup.kind is LookupKind.MAPPED
            else "uses LiteLLM's openrouter/ prefix, which OpenRouter rejects"
        )
        r = ctx.report(
            frag,
            info,
            f"model '{site.value}'{through} {what}: use '{lookup.target}'{note}",
            fix=[(frag.start_byte, frag.end_byte, lookup.target.encode())],
            unsafe=not safe,
        )
        r.requires.extend(site.requires)
    elif lookup.kind is LookupKind.FINE_TUNE and not certain:
        _block_elsewhere(ctx, site, "OR203")
    elif lookup.kind in (LookupKind.UNKNOWN, LookupKind.BAD_PREFIX) and not certain:
        _block_elsewhere(ctx, site, "OR202")
    elif lookup.kind is LookupKind.FINE_TUNE and certain:
        _block_elsewhere(ctx, site, "OR203")
        _blocks(
            ctx.report(
                frag,
                RULES["OR203"],
                f"fine-tuned model '{site.value}'{through} has no OpenRouter equivalent: "
                "OpenAI fine-tunes are served by OpenAI only",
            ),
            site,
        )
    elif lookup.kind is LookupKind.NO_EQUIVALENT:
        _block_elsewhere(ctx, site, "OR204")
        successor = (
            f"; its successor on OpenRouter is '{lookup.successor}' (not rewritten: "
            "a different model, check prompts and parameters)"
            if lookup.successor
            else ""
        )
        _blocks(
            ctx.report(
                frag,
                RULES["OR204"],
                f"model '{site.value}'{through} has no OpenRouter equivalent in the catalog "
                f"snapshot of {ctx.table.catalog_date}: {lookup.reason}{successor}",
            ),
            site,
        )
    elif lookup.kind in (LookupKind.UNKNOWN, LookupKind.BAD_PREFIX) and certain:
        _block_elsewhere(ctx, site, "OR202")
        _blocks(
            ctx.report(
                frag,
                RULES["OR202"],
                f"no OpenRouter ID known for '{site.value}'{through}: add it to your mapping "
                "file or write the OpenRouter ID",
            ),
            site,
        )


def _blocks(r: TsReport, site: _ModelSite) -> None:
    """A model ID that cannot move: the clients it is sent through move only
    with it (as Python's: moved alone, they would send an ID OpenRouter
    rejects, and a call that works today would fail)."""
    r.requires.extend(site.requires)
    r.blocks.extend(site.requires)
    r.blocked_value = site.value


def _block_elsewhere(ctx: Context, site: _ModelSite, code: str) -> None:
    """A model ID that cannot move (``code``: the finding it gets, or would
    get once the receiver is known), sent through clients other modules
    build: the engine tells those modules, whose move becomes unsafe, as
    for a client of this file (:func:`_blocks`)."""
    keys = [*site.imported, *(EXPORT_KEY + name for name in site.exported_as)]
    detail = f"'{site.value}' ({code})"
    if keys:
        ctx.external.append((site.fragment, code, detail, tuple(keys), "block"))
    for pb in site.params:
        ctx.param_blocks.append((site.fragment, code, detail, pb))


def _param_receiver(ctx: Context, receiver: Node | None) -> Binding | None:
    """The parameter a receiver reads directly (``llm`` of
    ``llm.chat.completions.create`` in ``function summarize(llm)``): the
    calls the project pass follows into (``param_uses``)."""
    node = unwrap(receiver)
    if node is None or node.type != "identifier":
        return None
    b = ctx.facts.binding(node)
    return b if b is not None and b.kind == "param" else None


def param_block_names(ctx: Context, pb: Binding) -> list[tuple[str, str]]:
    """(exported function name, parameter name) the summary keys a
    parameter by (``param_uses``, ``param_escapes``)."""
    binding = _function_binding(ctx, pb.scope)
    if binding is None or binding.scope.type != "program":
        return []
    if binding.name not in ctx.facts.exported:
        return []
    return [(name, pb.name) for name in _names_exported_as(ctx, binding.name)]


#: ``ModuleSummary.client_facts`` key of a constant other modules import and
#: send as ``model`` that this file keeps as it is (a finding that keeps its
#: ID: OR202, OR203, OR204, OR206): the project pass tells its importers
#: (``ProjectInput.followed_kept``), whose clients cannot move with it
#: (Python's ``dataflow.EXPORT_KEY``)
EXPORT_KEY = "export:"


# --------------------------------------------------------------------------
# the Vercel AI SDK


def _check_ai_sdk(ctx: Context) -> None:
    facts = ctx.facts
    if not (facts.ai_sdk_create or facts.ai_sdk_provider):
        return
    suggestion = (
        "use @openrouter/ai-sdk-provider (`createOpenRouter({ apiKey: "
        f'process.env.{ctx.settings.api_key_env} }})`, `openrouter.chat("openai/gpt-4o")`)'
    )
    for call in facts.calls:
        fn = unwrap(call.child_by_field_name("function"))
        if fn is None:
            continue
        if fn.type == "identifier" and text(fn) in facts.ai_sdk_create:
            if _module_level(ctx, fn):
                ctx.report(
                    call,
                    AI_SDK,
                    f"`{text(fn)}(...)` makes the AI SDK's OpenAI provider, which calls OpenAI "
                    f"(the Responses API since AI SDK 5): {suggestion}",
                )
            continue
        name = None
        if fn.type == "identifier" and text(fn) in facts.ai_sdk_provider:
            name = text(fn)
        else:
            parts = member_parts(fn)
            if (
                parts is not None
                and len(parts) == 2
                and parts[0] in facts.ai_sdk_provider
                and parts[1] in AI_SDK_METHODS
            ):
                name = parts[0]
        if name is not None and _module_level(ctx, _root_ident(fn)):
            ctx.report(
                call,
                AI_SDK,
                f"`{text(fn)}(...)` is the AI SDK's OpenAI provider, which calls OpenAI "
                f"(the Responses API since AI SDK 5): {suggestion}",
            )


# --------------------------------------------------------------------------
# what this file tells the project pass (codemods/typescript/project.py)


def module_summary(ctx: Context, kept: set[int], fixable: bool) -> ModuleSummary | None:
    """The facts other modules of the run need: the clients this file exports
    and their state after noqa and applicability (``kept``: the ids of the
    reports that survived noqa), the names it imports from project files
    (relative specifiers), the calls it makes through them and how it reads
    them, and the model constants it followed for others. None: nothing."""
    facts = ctx.facts
    s = ModuleSummary()
    for key, names in ctx.export_names.items():
        for name in names:
            s.clients[name] = _state(ctx, key, kept, fixable)
    s.handled = set(ctx.handled)
    s.declared_exports = _own_exports(ctx)
    _param_summary(ctx, s)
    if not (facts.local_imports or facts.whole_imports or facts.reexports or facts.dynamic_imports):
        if s.clients or s.handled or s.client_params or s.declared_exports:
            return s
        return None
    whole_specs: set[str] = set(facts.dynamic_imports)
    if fixable:  # followed by the project pass (not in a file that does not parse)
        s.reexports = {n: [module, there] for n, (module, there) in facts.reexport_names.items()}
        s.star_reexports = list(facts.star_reexports)
    for module, name in facts.reexports:
        if name is None:
            if module not in s.star_reexports:
                whole_specs.add(module)  # ``export * as ns from``: not followed
        else:
            key = f"export:{module}:{name}"
            s.imports[key] = (module, name)
            s.other_uses[key] = s.other_uses.get(key, 0) + 1
    reads: dict[str, list[Node]] = {}
    for local, (module, name) in facts.local_imports.items():
        s.imports[local] = (module, name)
        b = facts.module_binding(local)
        if b is not None and not (b.reassigned or b.assigned):
            # the reads of another variable of the same name (a parameter,
            # a local of a function) are not reads of the import
            reads[local] = [r for r in facts.reads_of(b) if not _declares(r)]
        else:  # declared twice at the top, or reassigned: its reads are not followed
            s.other_uses[local] = s.other_uses.get(local, 0) + 1
    for ns, module in facts.whole_imports.items():
        b = facts.module_binding(ns)
        if b is None or b.reassigned or b.assigned:
            whole_specs.add(module)
            continue
        for ident in facts.reads_of(b):
            if _declares(ident):
                continue
            parent = ident.parent
            prop = parent.child_by_field_name("property") if parent is not None else None
            if (
                parent is not None
                and parent.type == "member_expression"
                and prop is not None
                and prop.type == "property_identifier"
                and parent.child_by_field_name("object") == ident
            ):
                key = f"{ns}.{text(prop)}"
                s.imports[key] = (module, text(prop))
                reads.setdefault(key, []).append(parent)
            else:
                whole_specs.add(module)  # passed on, ``ns[k]``: not followed
    calls = _calls_by_receiver(facts)
    lines = ctx.source
    for key, nodes in reads.items():
        other = 0
        for node in nodes:
            parent = node.parent
            if (
                parent is not None
                and parent.type == "call_expression"
                and parent.child_by_field_name("function") == node
            ):
                # ``getClient()``: if the module it comes from says it is a
                # factory, these are the uses of the client it returns
                made = f"{key}()"
                found, unknown = _result_uses(ctx, parent, calls, 0)
                for served, receiver in found:
                    call, path = calls[receiver.id]
                    line = lines.count(b"\n", 0, call.start_byte) + 1
                    s.client_uses.setdefault(made, []).append((served, line, ".".join(path)))
                if unknown:
                    s.other_uses[made] = s.other_uses.get(made, 0) + unknown
            elif not (
                parent is not None
                and parent.type == "member_expression"
                and parent.child_by_field_name("object") == node
            ):
                # read as a value (``register(getClient)``): the calls of a
                # factory are not all here
                made = f"{key}()"
                s.other_uses[made] = s.other_uses.get(made, 0) + 1
            hit = calls.get(node.id)
            if hit is not None:
                call, path = hit
                line = lines.count(b"\n", 0, call.start_byte) + 1
                s.client_uses.setdefault(key, []).append(
                    (_unserved(ctx, call, path) is None, line, ".".join(path))
                )
            elif (socket := _socket_use(ctx, node)) is not None:
                # given to openai's realtime / WebSocket helpers: a use of an
                # endpoint OpenRouter does not serve, as a call would be
                call, path = socket
                line = lines.count(b"\n", 0, call.start_byte) + 1
                s.client_uses.setdefault(key, []).append((False, line, ".".join(path)))
            elif (passed := _passed_to_callee(ctx, node)) is not None:
                # passed to a function of another module the project pass
                # follows (``summarize(shared)``): the SDK calls made there
                # through the parameter are uses of the client (at this call)
                uses, escapes = _callee_uses(ctx, passed)
                line = lines.count(b"\n", 0, passed.call.start_byte) + 1
                for served, _, resource in uses:
                    s.client_uses.setdefault(key, []).append((served, line, resource))
                if escapes:
                    other += 1
            else:
                other += 1
        other -= len(ctx.sinks.get(key, []))
        if other > 0:
            s.other_uses[key] = s.other_uses.get(key, 0) + other
    _callee_args(ctx, s, kept, fixable)
    for key, flags in ctx.sinks.items():
        s.sink_uses[key] = len(flags)
        # safe: through clients that move, none of whose move is unsafe once
        # the engine has applied what holds them (a kept constant, a model
        # that cannot move)
        if all(safe and not any(r.unsafe for r in reports) for safe, reports in flags):
            s.safe.add(key)
            s.certain.add(key)
    if not fixable:
        # a file tree-sitter cannot parse cleanly: what it does with the
        # names it imports is not all known
        whole_specs.update(module for module, _ in facts.local_imports.values())
        whole_specs.update(facts.whole_imports.values())
    s.module_imports = sorted(whole_specs)
    return s


def _own_exports(ctx: Context) -> set[str]:
    """The names the module exports of its own, not re-exported from another
    (``export const MODEL``, ``export { m as MODEL }``, ``export default``,
    ``exports.MODEL = ...``); "*" when it exports some the tool does not
    name (a destructuring, ``module.exports = value``, ``export =``): an
    ``export * from`` of it may then bring any name."""
    out: set[str] = set()
    root = ctx.facts.root
    for st in root.named_children if root is not None else ():
        if st.type == "export_statement":
            if st.child_by_field_name("source") is not None:
                continue  # a re-export (ModuleSummary.reexports, star_reexports)
            if any(c.type == "default" for c in st.children):
                out.add("default")
                continue
            if any(c.type == "=" for c in st.children):
                out.add("*")  # ``export = value``
                continue
            decl = st.child_by_field_name("declaration")
            if decl is not None:
                named = decl.child_by_field_name("name")
                if named is not None:
                    out.add(text(named))
                    continue
                declarators = [d for d in decl.named_children if d.type == "variable_declarator"]
                for d in declarators:
                    name = d.child_by_field_name("name")
                    out.add(text(name) if name is not None and name.type == "identifier" else "*")
                if not declarators:
                    out.add("*")
                continue
            for c in st.named_children:
                if c.type == "export_clause":
                    for spec in c.named_children:
                        nm = spec.child_by_field_name("name")
                        alias = spec.child_by_field_name("alias") or nm
                        if alias is not None:
                            out.add(text(alias))
                elif c.type != "comment":
                    out.add("*")
        elif st.type == "expression_statement":
            e = st.named_children[0] if st.named_children else None
            if e is None or e.type != "assignment_expression":
                continue
            parts = member_parts(e.child_by_field_name("left"))
            if parts is None:
                continue
            if len(parts) == 3 and parts[:2] == ["module", "exports"]:
                out.add(parts[2])
            elif len(parts) == 2 and parts[0] == "exports":
                out.add(parts[1])
            elif parts[:2] == ["module", "exports"] or parts[0] == "exports":
                out.add("*")
    return out


def _passed_to_callee(ctx: Context, read: Node) -> _Callee | None:
    """A read passed as it is to a function of another module of the run
    that the project pass has said it follows (``ProjectInput.callees_known``)."""
    project = ctx.project
    if project is None or not project.callees_told:
        return None
    found = _escape_of(ctx, read)
    if isinstance(found, _Callee) and found.local in project.callees_known:
        return found
    return None


def _result_uses(
    ctx: Context, node: Node, calls: dict[int, tuple[Node, tuple[str, ...]]], depth: int
) -> tuple[list[tuple[bool, Node]], int]:
    """The SDK calls made through what ``node`` gives (a factory's call):
    directly (``getClient().chat.completions.create(...)``) or through a
    variable it is stored in and never written again (``const c =
    getClient()``): (served by OpenRouter, the receiver) per call, and how
    many reads go elsewhere (passed on, returned...: not followed); awaited,
    it is the same client (an async factory's promise of it)."""
    hit = calls.get(node.id)
    if hit is not None:
        call, path = hit
        return [(_unserved(ctx, call, path) is None, node)], 0
    outer, parent = node, node.parent
    while parent is not None and parent.type in _WRAPPERS:
        # ``(await getClient()).chat...``: an async factory's promise,
        # awaited, is its client (``_bare``)
        outer, parent = parent, parent.parent
        hit = calls.get(outer.id)
        if hit is not None:
            call, path = hit
            return [(_unserved(ctx, call, path) is None, outer)], 0
    if (
        depth < 3
        and parent is not None
        and parent.type == "variable_declarator"
        and parent.child_by_field_name("value") == outer
    ):
        name = parent.child_by_field_name("name")
        b = ctx.facts.scopes.by_ident.get(name.id) if name is not None else None
        if b is not None and name.type == "identifier" and not (b.reassigned or b.assigned):
            found: list[tuple[bool, Node]] = []
            unknown = 0
            for r in ctx.facts.reads_of(b):
                if _declares(r):
                    continue
                more, other = _result_uses(ctx, r, calls, depth + 1)
                found += more
                unknown += other
            return found, unknown
    return [], 1


def _declares(ident: Node) -> bool:
    parent = ident.parent
    if parent is None or parent.type != "variable_declarator":
        return False
    name = parent.child_by_field_name("name")
    return name is not None and name.id == ident.id


def _state(ctx: Context, key: ClientKey, kept: set[int], fixable: bool) -> str:
    """A client's state after noqa and applicability, as other modules see
    it: "migrate", "unsafe" (its move is an unsafe fix), "openrouter",
    "left"."""
    decision = ctx.decisions.get(key)
    r = ctx.client_reports.get(key)
    if decision == "migrate" and r is not None:
        if not fixable or id(r) not in kept:
            return "left"  # not rewritten: a file with errors, # noqa: OR101
        if r.display_only:
            return "left"  # its move would break the code: it stays, never moves
        # an unsafe move: what other modules send moves with it, as unsafe
        return "unsafe" if r.unsafe else "migrate"
    return decision or "left"


def _callee_args(ctx: Context, s: ModuleSummary, kept: set[int], fixable: bool) -> None:
    """``client_args``: for each call of a function imported from a module of
    the project, the state of each client it passes ("0", "1"... -> state;
    "unknown": something else; "*": arguments spread); a read of such a
    function other than a call (passed on) counts as a call with "*"."""
    facts = ctx.facts
    for local in facts.local_imports:
        b = facts.module_binding(local)
        if b is None:
            continue
        passed_on = 0
        for read in facts.reads_of(b):
            parent = read.parent
            if parent is None or _declares(read):
                continue
            if parent.type != "call_expression" or parent.child_by_field_name("function") != read:
                if parent.type not in ("export_specifier", "export_clause"):
                    passed_on += 1
                continue
            args = parent.child_by_field_name("arguments")
            named = [c for c in args.named_children if c.type != "comment"] if args else []
            given: dict[str, str] = {}
            for i, arg in enumerate(named):
                if arg.type == "spread_element":
                    given["*"] = "unknown"
                    break
                found = _resolve(ctx, arg)
                states = {_state(ctx, k, kept, fixable) for k in found or ()}
                if not found:
                    given[str(i)] = "unknown"
                elif len(states) == 1:
                    given[str(i)] = states.pop()
                else:
                    given[str(i)] = "left" if "left" in states else "unknown"
            s.client_args.setdefault(local, []).append(given)
        if passed_on:
            # read as a value too: called where the tool does not see
            s.client_args.setdefault(local, []).append({"*": "unknown"})


def _param_summary(ctx: Context, s: ModuleSummary) -> None:
    """The exported functions of this file other modules may pass a client
    to: per identifier parameter, the SDK calls made through it
    (``param_uses``) and the places it goes that the tool does not follow
    (``param_escapes``). A function this file also reads (calls itself,
    passes on) is left out: what reaches its parameters is not all told."""
    facts = ctx.facts
    root = facts.root
    if root is None or not facts.exported:
        return
    calls = _calls_by_receiver(facts)
    lines = ctx.source
    for binding in [b for bs in ctx.facts.scopes.table.get(root.id, {}).values() for b in bs]:
        if binding.name not in facts.exported:
            continue
        fn = facts.function_of(binding.ident)
        if fn is None or len(facts.scopes.table[root.id][binding.name]) != 1:
            continue
        own = [
            r
            for r in facts.reads_of(binding)
            if r.id != binding.ident.id
            and not _declares(r)
            and (r.parent is None or r.parent.type not in ("export_specifier", "export_clause"))
            and not (r.parent is not None and r.parent.type == "export_statement")
        ]
        if own:
            continue
        params = _params(fn)
        for name in _names_exported_as(ctx, binding.name):
            for index, param in enumerate(params):
                if param is None:
                    continue
                p = text(param)
                pb = facts.scopes.by_ident.get(param.id)
                if pb is None:
                    continue
                uses: list[tuple[bool, int, str]] = []
                escapes: list[list[Any]] = []
                for read in facts.reads_of(pb):
                    if read.id == param.id:
                        continue
                    line = lines.count(b"\n", 0, read.start_byte) + 1
                    hit = calls.get(read.id)
                    if hit is not None:
                        call, path = hit
                        line = lines.count(b"\n", 0, call.start_byte) + 1
                        uses.append((_unserved(ctx, call, path) is None, line, ".".join(path)))
                        continue
                    found = _escape_of(ctx, read)
                    if isinstance(found, tuple):
                        call, ep = found
                        path = next(q for q in _SOCKET_ENDPOINTS.values() if _endpoint(q) is ep)
                        uses.append((False, line, ".".join(path)))
                    elif isinstance(found, _Escape):
                        at = lines.count(b"\n", 0, found.node.start_byte) + 1
                        escapes.append([at, found.what, found.why])
                    elif isinstance(found, _Callee):
                        escapes.append([line, f"is passed to `{found.local}`", _NOT_FOLLOWED])
                    elif isinstance(found, str):
                        escapes.append(
                            [line, "is passed to a function of its module", _NOT_FOLLOWED]
                        )
                    elif _copied(read):
                        escapes.append([line, "is copied to another variable", _NOT_FOLLOWED])
                s.client_params.setdefault(name, {})[p] = index
                s.param_uses.setdefault(name, {})[p] = uses
                if escapes:
                    s.param_escapes.setdefault(name, {})[p] = escapes


def _copied(read: Node) -> bool:
    """``const other = client``, ``other = client``: an alias the summary of
    a parameter does not follow."""
    node, parent = read, read.parent
    while parent is not None and parent.type in _WRAPPERS:
        node, parent = parent, parent.parent
    if parent is None:
        return False
    if parent.type == "variable_declarator":
        return parent.child_by_field_name("value") == node
    if parent.type == "assignment_expression":
        return parent.child_by_field_name("right") == node
    return False


def _calls_by_receiver(facts: Any) -> dict[int, tuple[Node, tuple[str, ...]]]:
    """The file's method calls by their receiver's node id: (the call, the
    member path after the receiver)."""
    calls: dict[int, tuple[Node, tuple[str, ...]]] = {}
    for call in facts.calls:
        split = _split_call(call)
        if split is not None:
            receiver = unwrap(split[0])
            if receiver is not None:
                calls[receiver.id] = (call, split[1])
    return calls
