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

import json
from dataclasses import dataclass, field
from typing import Any

from codemods.core.findings import Settings, Severity
from codemods.core.mapping import LookupKind, ModelTable
from codemods.core.rules import RULES, UNSAFE_NOTE, RuleInfo, add_example, rule
from codemods.typescript.analysis import (
    Facts,
    Node,
    member_parts,
    string_fragment,
    string_value,
    text,
    unwrap,
)

Edit = tuple[int, int, bytes]

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

#: method paths (after the client) whose first argument's ``model`` is a model ID
MODEL_METHODS: frozenset[tuple[str, ...]] = frozenset(
    {
        ("chat", "completions", "create"),
        ("chat", "completions", "parse"),
        ("chat", "completions", "stream"),
        ("chat", "completions", "runTools"),
        ("beta", "chat", "completions", "parse"),
        ("beta", "chat", "completions", "stream"),
        ("beta", "chat", "completions", "runTools"),
        ("completions", "create"),
        ("responses", "create"),
        ("responses", "parse"),
        ("responses", "stream"),
        ("embeddings", "create"),
    }
)
#: resources (first name after the client) OpenRouter does not serve
UNSUPPORTED: dict[tuple[str, ...], str] = {
    ("files",): "files",
    ("batches",): "batches",
    ("fineTuning",): "fine-tuning",
    ("uploads",): "uploads",
    ("vectorStores",): "vector stores",
    ("moderations",): "moderations",
    ("audio",): "audio",
    ("realtime",): "realtime",
    ("evals",): "evals",
    ("containers",): "containers",
    ("videos",): "videos",
    ("conversations",): "conversations",
    ("beta", "assistants"): "assistants",
    ("beta", "threads"): "threads",
    ("beta", "vectorStores"): "vector stores",
    ("beta", "realtime"): "realtime",
    ("images",): "images",
}
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


@dataclass
class Context:
    source: bytes
    facts: Facts
    settings: Settings
    table: ModelTable
    reports: list[TsReport] = field(default_factory=list)
    # new_expression id -> "migrate" | "openrouter" | "left"
    decisions: dict[int, str] = field(default_factory=dict)
    client_reports: dict[int, TsReport] = field(default_factory=dict)

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
    for new in facts.new_expressions:
        ctor = new.child_by_field_name("constructor")
        shadowed = facts.shadowed_openai_name(ctor)
        if shadowed is not None:
            ctx.report(
                new,
                RULES["OR120"],
                f"`{shadowed}` is declared more than once in this file: the tool cannot tell "
                f"whether `new {text(ctor)}(...)` builds openai's client; not rewritten",
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
    uses = _client_uses(ctx)
    for key, (new, plan) in plans.items():
        kinds = uses.get(key, [])
        if kinds and all(k is not None for k in kinds):
            what = ", ".join(sorted(set(kinds)))  # type: ignore[arg-type]
            ctx.decisions[key] = "left"
            ctx.report(
                new,
                RULES["OR119"],
                f"`new {text(new.child_by_field_name('constructor'))}(...)` is used only for "
                f"endpoints OpenRouter does not serve ({what}): left on OpenAI",
            )
            continue
        ctx.decisions[key] = "migrate"
        name = text(new.child_by_field_name("constructor"))
        exported = _exported(ctx, new)
        note = (
            f"; unsafe fix: the client is exported ({exported}) and this front-end does not "
            "follow its uses in other modules, which may be endpoints OpenRouter does not "
            "serve (assistants, files, vector stores...): check them, then apply it with "
            "--unsafe-fixes"
            if exported
            else ""
        )
        r = ctx.report(
            new,
            RULES["OR101"],
            f"`new {name}(...)` talks to OpenAI directly: " + "; ".join(plan.summary) + note,
            fix=plan.edits,
            unsafe=bool(exported),
        )
        ctx.client_reports[key] = r
        for node, info, message in plan.extra:
            extra = ctx.report(node, info, message)
            extra.fixed_by = r
            extra.requires.append(r)
    _check_calls(ctx)
    _check_ai_sdk(ctx)


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
    method path; None when the call is not an SDK method call."""
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
    names = tuple(n for n, _ in chain)
    for k in range(len(chain)):
        path = names[k:]
        if path in MODEL_METHODS:
            return chain[k][1], path
        for prefix in UNSUPPORTED:
            if path[: len(prefix)] == prefix and len(path) > len(prefix):
                return chain[k][1], path
    return None


def _unsupported(path: tuple[str, ...]) -> str | None:
    for prefix, what in UNSUPPORTED.items():
        if path[: len(prefix)] == prefix and len(path) > len(prefix):
            return what
    return None


def _resolve(ctx: Context, receiver: Node | None) -> list[Node] | None:
    """The constructors a receiver can be (None: unknown; []: not openai's)."""
    facts = ctx.facts
    node = unwrap(receiver)
    if node is None:
        return None
    if node.type == "await_expression":
        return None
    if node.type == "new_expression":
        return [node] if node.id in ctx.decisions or _is_client_new(ctx, node) else []
    values: list[Node] | None = None
    if node.type == "identifier":
        name = text(node)
        if (
            facts.declared_once(name)
            and name in facts.declared_values
            and name not in facts.reassigned
        ):
            values = [facts.declared_values[name]]
    else:
        parts = member_parts(node)
        if parts is not None and len(parts) == 2 and parts[0] == "this":
            values = facts.members.get(parts[1])
    if not values:
        return None
    out: list[Node] = []
    for v in values:
        v = unwrap(v)
        if v is None or v.type != "new_expression":
            return None
        if v.id in ctx.decisions or _is_client_new(ctx, v):
            out.append(v)
        elif ctx.facts.meaning(v.child_by_field_name("constructor")) is None:
            continue  # another package's client
        else:
            return None
    if not out and len(values) > 0:
        return []
    return out


def _is_client_new(ctx: Context, new: Node) -> bool:
    return ctx.facts.meaning(new.child_by_field_name("constructor")) in ("client", "azure")


def _client_uses(ctx: Context) -> dict[int, list[str | None]]:
    """constructor id -> for each call through it: the unsupported endpoint
    it calls, or None (a supported one)."""
    uses: dict[int, list[str | None]] = {}
    for call in ctx.facts.calls:
        split = _split_call(call)
        if split is None:
            continue
        receiver, path = split
        clients = _resolve(ctx, receiver)
        for c in clients or ():
            uses.setdefault(c.id, []).append(_unsupported(path))
    return uses


def _model_value(ctx: Context, call: Node) -> tuple[Node | None, Node | None]:
    """The ``model`` value of a call's first argument (following one const
    object), and the node to report when it cannot be followed."""
    args = call.child_by_field_name("arguments")
    named = [c for c in args.named_children if c.type != "comment"] if args else []
    if not named:
        return None, None
    first = unwrap(named[0])
    if first is not None and first.type == "identifier":
        name = text(first)
        if ctx.facts.declared_once(name) and name in ctx.facts.declared_values:
            first = unwrap(ctx.facts.declared_values[name])
    if first is None or first.type != "object":
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


def _check_calls(ctx: Context) -> None:
    sites: dict[int, _ModelSite] = {}
    order: list[int] = []
    facts = ctx.facts
    for call in facts.calls:
        split = _split_call(call)
        if split is None:
            continue
        receiver, path = split
        clients = _resolve(ctx, receiver)
        if clients == []:
            continue  # another package's client
        decisions = [ctx.decisions.get(c.id) for c in clients] if clients else [None]
        if "left" in decisions:
            continue  # the client stays on OpenAI, and what it sends
        resolved = clients is not None
        what = _unsupported(path)
        if what is not None:
            if resolved:
                info = RULES["OR303"] if path[0] == "images" else RULES["OR301"]
                ctx.report(
                    call,
                    info,
                    f"`{'.'.join(path)}` ({what}) has no OpenRouter equivalent: this call "
                    "fails once the client points at OpenRouter",
                )
            continue
        value, where = _model_value(ctx, call)
        if value is None:
            continue
        node = unwrap(value)
        via = None
        shared = exported = False
        if node is not None and node.type in ("identifier", "shorthand_property_identifier"):
            name = text(node)
            if not (
                facts.declared_once(name)
                and name in facts.declared_values
                and name not in facts.reassigned
            ):
                if resolved:
                    ctx.report(
                        where,
                        RULES["OR205"],
                        f"model comes from `{name}`, which the tool cannot follow: check that "
                        "it holds an OpenRouter ID (provider/model)",
                    )
                continue
            via = name
            exported = name in facts.exported
            node = unwrap(facts.declared_values[name])
            # reads of the constant besides its declaration and model positions
            shared = _read_elsewhere(ctx, name)
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
            r = ctx.client_reports.get(c.id)
            if r is not None:
                site.requires.append(r)
    for key in order:
        _check_model(ctx, sites[key])


def _read_elsewhere(ctx: Context, name: str) -> bool:
    """Is the constant ``name`` read anywhere but ``model: name`` values?"""
    for ident in ctx.facts.reads.get(name, []):
        parent = ident.parent
        if parent is None:
            continue
        if parent.type == "variable_declarator":
            declared = parent.child_by_field_name("name")
            if declared is not None and declared.id == ident.id:
                continue
        if ident.type == "shorthand_property_identifier" and name == "model":
            continue
        if parent.type == "pair" and _key_name(parent) == "model":
            value = parent.child_by_field_name("value")
            if value is not None and value.id == ident.id:
                continue
        return True
    return False


def _check_model(ctx: Context, site: _ModelSite) -> None:
    lookup = ctx.table.lookup(site.value)
    certain = all(d is not None for d in site.decisions)
    safe = certain and not site.exported
    through = f" (through {site.via})" if site.via else ""
    frag = site.fragment
    if site.shared and lookup.kind in (LookupKind.MAPPED, LookupKind.BAD_PREFIX):
        ctx.report(
            frag,
            RULES["OR206"],
            f"model constant {site.via} ('{site.value}') is also used for something else: "
            "not rewritten; write the OpenRouter ID where the model is sent",
        )
        return
    note = (
        ""
        if safe
        else (
            UNSAFE_NOTE
            if not certain
            else "; unsafe fix: the constant is exported, other modules may read it"
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
    elif lookup.kind is LookupKind.FINE_TUNE and certain:
        ctx.report(
            frag,
            RULES["OR203"],
            f"fine-tuned model '{site.value}'{through} has no OpenRouter equivalent: "
            "OpenAI fine-tunes are served by OpenAI only",
        ).requires.extend(site.requires)
    elif lookup.kind is LookupKind.NO_EQUIVALENT:
        successor = (
            f"; its successor on OpenRouter is '{lookup.successor}' (not rewritten: "
            "a different model, check prompts and parameters)"
            if lookup.successor
            else ""
        )
        ctx.report(
            frag,
            RULES["OR204"],
            f"model '{site.value}'{through} has no OpenRouter equivalent in the catalog "
            f"snapshot of {ctx.table.catalog_date}: {lookup.reason}{successor}",
        ).requires.extend(site.requires)
    elif lookup.kind in (LookupKind.UNKNOWN, LookupKind.BAD_PREFIX) and certain:
        ctx.report(
            frag,
            RULES["OR202"],
            f"no OpenRouter ID known for '{site.value}'{through}: add it to your mapping file "
            "or write the OpenRouter ID",
        ).requires.extend(site.requires)


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
            if facts.declared_once(text(fn)):
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
        if name is not None and facts.declared_once(name):
            ctx.report(
                call,
                AI_SDK,
                f"`{text(fn)}(...)` is the AI SDK's OpenAI provider, which calls OpenAI "
                f"(the Responses API since AI SDK 5): {suggestion}",
            )
