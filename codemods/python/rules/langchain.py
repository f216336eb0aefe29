"""OR41x: LangChain's OpenAI classes.

``langchain_openai.ChatOpenAI`` / ``OpenAI`` (the completions model) /
``OpenAIEmbeddings``, and the legacy classes of ``langchain`` (<1.0) and
``langchain_community`` that do the same, build an ``openai.OpenAI`` client
inside the constructor (checked in langchain-openai 1.8.1,
langchain-community 0.4.2): its ``base_url``, key, organization, headers,
timeout, retries and ``http_client`` come from the constructor's fields
(``base_url``/``openai_api_base``, ``api_key``/``openai_api_key``,
``organization``/``openai_organization``, ``default_headers``...), or, when
a field is not given, from the environment (``OPENAI_API_BASE``,
``OPENAI_API_KEY``, ``OPENAI_ORG_ID``/``OPENAI_ORGANIZATION``,
``OPENAI_PROXY``). Nothing else decides where the requests go, so a
construction that passes none of the fields that send them elsewhere
(``openai_proxy``, ``http_client``, ``client``, Azure settings) talks to
OpenAI directly and moves to OpenRouter whole: the OpenRouter URL and key are
written in (the environment is never read for them again), the model is
mapped, the organization dropped, the attribution headers added, or the
construction is left as it is and reported. The key is followed with the
engine of the SDK clients (:mod:`codemods.python.rules.keyflow`).

What differs from the SDK client, from the package source:

- with a ``base_url`` of its own, ``ChatOpenAI`` no longer asks for usage in
  streams (``stream_usage`` defaults on only for OpenAI's URL):
  ``stream_usage=True`` is added where the file reads usage;
- ``ChatOpenAI`` / ``OpenAI`` count tokens with tiktoken by model name, and
  ``get_num_tokens_from_messages`` raises for a name it does not know
  (``openai/gpt-4o``): ``tiktoken_model_name="<bare ID>"`` is added where the
  file counts tokens;
- ``OpenAIEmbeddings`` tokenizes its input with tiktoken and sends token
  arrays, which OpenRouter's ``/embeddings`` does not take (langchain-openai's
  own documentation says so for OpenRouter): ``check_embedding_ctx_length=False``
  is added, so it sends the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from codemods.core.findings import Severity
from codemods.core.mapping import LookupKind
from codemods.core.rules import rule
from codemods.python import clients as _clients
from codemods.python.analysis import dotted_name
from codemods.python.rules import client as _client
from codemods.python.rules._edit import (
    first_lines,
    keyword_arg,
    rebuild,
    replace_string,
    string_literal,
    with_lines_after_open,
)
from codemods.python.rules.base import CHECKERS, Fix, Report, RuleContext
from codemods.python.rules.client import (
    HEADERS_EXPR,
    OS_SHADOWED,
    constant_string,
    is_openai_url,
    is_openrouter_url,
    string_value,
)

LC_MODEL = rule(
    code="OR411",
    name="langchain-openai-chat",
    summary="LangChain ChatOpenAI / OpenAI calls api.openai.com: point it at OpenRouter",
    severity=Severity.ERROR,
    fixable=True,
    what="""
        Finds `ChatOpenAI(...)` and the completions model `OpenAI(...)` of
        `langchain_openai`, and the legacy `langchain.chat_models.ChatOpenAI`,
        `langchain.llms.OpenAI` and their `langchain_community` twins, however
        imported (`from langchain_openai import ChatOpenAI as Chat`, `import
        langchain_openai as lo`), and moves each construction to OpenRouter
        whole: `base_url` (`openai_api_base` for the legacy classes), the key
        from the OpenRouter variable (`api_key` / `openai_api_key`, followed
        like an `OpenAI()` client's key), the model mapped (`model` /
        `model_name`; added when it is not given, since the class's default
        `gpt-3.5-turbo` is not an OpenRouter ID), `organization` /
        `openai_organization` removed, and `default_headers` with
        `--app-url` / `--app-title`. `ChatOpenAI` of `langchain_openai` also
        gets `stream_usage=True` when the file reads usage (`usage_metadata`,
        `get_openai_callback`, `get_usage_metadata_callback`,
        `UsageMetadataCallbackHandler`), and both classes get
        `tiktoken_model_name="<bare ID>"` when the file counts tokens
        (`get_num_tokens`, `get_num_tokens_from_messages`, `get_token_ids`,
        `trim_messages`, the token-buffer memories). A local class of the
        same name is never touched. Versions (checked in their source):
        langchain-openai 0.1.9 and later, checked against 1.8.1
        (`stream_usage` is a field from 0.1.9); the legacy classes of
        langchain 0.0.332 to 0.3 (the first with the `base_url` alias and
        `default_headers`; older ones take `openai_api_base` and
        `openai_api_key` too, but not `default_headers`) and of
        langchain-community up to 0.4.
    """,
    why="""
        The class builds an `openai.OpenAI` client from these fields (and,
        for those not given, from `OPENAI_API_BASE`, `OPENAI_API_KEY` and
        `OPENAI_ORG_ID`), so it talks to OpenRouter once they are
        OpenRouter's. With a `base_url` of its own ChatOpenAI stops asking
        for usage in streams, and it counts tokens by model name, which
        fails for `openai/gpt-4o` in `get_num_tokens_from_messages`.
    """,
    before="""
        from langchain_openai import ChatOpenAI
        llm = ChatOpenAI(model="gpt-4o", organization="org-123", temperature=0)
    """,
    after="""
        import os
        from langchain_openai import ChatOpenAI
        llm = ChatOpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"], model="openai/gpt-4o", temperature=0)
    """,
    fix_safety="""
        Safe: only the named keyword arguments change, the call keeps its
        layout and comments, and a construction whose `base_url` already
        points at OpenRouter is left alone (a second run changes nothing).
        A construction that cannot move whole is not changed at all (OR413,
        OR414, OR103).
    """,
)

LC_EMBEDDINGS = rule(
    code="OR412",
    name="langchain-openai-embeddings",
    summary="LangChain OpenAIEmbeddings calls api.openai.com: point it at OpenRouter",
    severity=Severity.ERROR,
    fixable=True,
    what="""
        Moves `OpenAIEmbeddings(...)` of `langchain_openai` (0.1.6 and
        later: `check_embedding_ctx_length` is a field from then) to
        OpenRouter the way OR411 moves `ChatOpenAI`, when its model is one
        OpenRouter serves on `/embeddings` (the `embedding_models` of
        `mappings/unsupported.yaml`, as for OR304), and adds
        `check_embedding_ctx_length=False`. The class's default model,
        `text-embedding-ada-002`, is not served: a construction without a
        model is reported (OR413), and so is the legacy class of
        `langchain.embeddings` / `langchain_community.embeddings`, which
        always sends token arrays.
    """,
    why="""
        OpenAIEmbeddings tokenizes its input with tiktoken and sends token
        arrays, which OpenRouter's `/embeddings` does not accept (the class's
        own documentation says to turn this off for OpenRouter). With
        `check_embedding_ctx_length=False` it sends the text; an input longer
        than the model's context is then no longer split and averaged.
    """,
    before="""
        from langchain_openai import OpenAIEmbeddings
        emb = OpenAIEmbeddings(model="text-embedding-3-small")
    """,
    after="""
        import os
        from langchain_openai import OpenAIEmbeddings
        emb = OpenAIEmbeddings(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"], model="openai/text-embedding-3-small", check_embedding_ctx_length=False)
    """,
    fix_safety="""
        Safe, as OR411. Vectors from the same model are the same; a model
        OpenRouter does not serve is never swapped for another (new vectors
        would not match stored ones).
    """,
)

LC_LEFT = rule(
    code="OR413",
    name="langchain-openai-not-migrated",
    summary="LangChain OpenAI class that cannot move to OpenRouter whole: left alone",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Reports a `ChatOpenAI` / `OpenAI` / `OpenAIEmbeddings` construction
        the tool leaves as it is, and why: `**kwargs` or positional arguments,
        a keyword given twice through its alias, a model it cannot follow to
        a literal (or held in a constant also read elsewhere), a model
        without an OpenRouter ID, an embedding model OpenRouter does not
        serve (the default `text-embedding-ada-002` included), the legacy
        `OpenAIEmbeddings` (it always sends token arrays), a legacy
        `langchain.llms.OpenAI` without a model (its default was
        `text-davinci-003` until langchain moved it to langchain-community), `max_tokens=-1` (the class looks up the context size by
        model name), or `os` bound to something else. Nothing is changed,
        so the finding stays until a human decides. A key the tool cannot
        follow is OR103, as for `OpenAI()`.
    """,
    why="""
        A construction moves whole or not at all: an OpenRouter URL with an
        OpenAI key, or a bare model ID, fails every request.
    """,
    before="""
        from langchain_openai import OpenAIEmbeddings
        emb = OpenAIEmbeddings()
    """,
)

LC_ELSEWHERE = rule(
    code="OR414",
    name="langchain-openai-not-direct",
    summary="LangChain OpenAI class for Azure, a proxy or another server: left alone",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports `AzureChatOpenAI`, `AzureOpenAI` and `AzureOpenAIEmbeddings`,
        and a `ChatOpenAI` / `OpenAI` / `OpenAIEmbeddings` whose `base_url`
        points at another server or cannot be read, or that passes
        `openai_proxy`, `http_client`, `http_async_client`, a prebuilt
        `client` or Azure settings. Nothing is changed.
    """,
    why="""
        These do not talk to OpenAI directly: pointing them at OpenRouter
        could bypass a gateway the code relies on, and their model names
        (Azure deployments) are not OpenAI IDs.
    """,
    before="""
        from langchain_openai import ChatOpenAI
        llm = ChatOpenAI(base_url="http://localhost:8000/v1", model="llama3")
    """,
)


LC_INIT = rule(
    code="OR415",
    name="langchain-init-chat-model",
    summary="init_chat_model builds a ChatOpenAI for api.openai.com: not rewritten",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Reports `init_chat_model(...)` of `langchain.chat_models` (langchain
        0.2 and later, checked against 1.5.2) that builds an OpenAI model: a
        literal `"openai:gpt-4o"`, `model_provider="openai"`, or a bare model
        name langchain infers as OpenAI's (`gpt-...`, `o1...`, `o3...`,
        `chatgpt...`). Nothing is changed.
    """,
    why="""
        `init_chat_model` passes its other keywords to `ChatOpenAI`, which
        then talks to api.openai.com with `$OPENAI_API_KEY`. An OpenRouter ID
        (`openai/gpt-4o`) is not a provider langchain can infer, so the
        rewrite needs `model_provider="openai"` as well as `base_url` and
        `api_key`: write `init_chat_model("openai/gpt-4o",
        model_provider="openai", base_url="https://openrouter.ai/api/v1",
        api_key=os.environ["OPENROUTER_API_KEY"])`, or build a `ChatOpenAI`
        (OR411 migrates it).
    """,
    before="""
        from langchain.chat_models import init_chat_model
        llm = init_chat_model("openai:gpt-4o", temperature=0)
    """,
)


@dataclass(frozen=True)
class _Spec:
    kind: str  # "chat" | "llm" | "embeddings"
    legacy: bool  # langchain / langchain_community: field names, not aliases


def _classes() -> dict[str, _Spec]:
    out: dict[str, _Spec] = {}
    modern = {
        "chat": ("ChatOpenAI", ("", ".chat_models", ".chat_models.base")),
        "llm": ("OpenAI", ("", ".llms", ".llms.base")),
        "embeddings": ("OpenAIEmbeddings", ("", ".embeddings", ".embeddings.base")),
    }
    for kind, (name, subs) in modern.items():
        for sub in subs:
            out[f"langchain_openai{sub}.{name}"] = _Spec(kind, False)
    legacy = {
        "chat": ("ChatOpenAI", ".chat_models"),
        "llm": ("OpenAI", ".llms"),
        "embeddings": ("OpenAIEmbeddings", ".embeddings"),
    }
    for kind, (name, sub) in legacy.items():
        for pkg in ("langchain", "langchain_community"):
            for path in (sub, f"{sub}.openai"):
                out[f"{pkg}{path}.{name}"] = _Spec(kind, True)
    return out


CLASSES = _classes()
_AZURE_NAMES = ("AzureChatOpenAI", "AzureOpenAI", "AzureOpenAIEmbeddings")
AZURE = frozenset(
    f"{pkg}{sub}.{name}"
    for name in _AZURE_NAMES
    for pkg, subs in (
        ("langchain_openai", ("", ".chat_models", ".llms", ".embeddings")),
        ("langchain", (".chat_models", ".llms", ".embeddings")),
        ("langchain_community", (".chat_models", ".llms", ".embeddings")),
    )
    for sub in subs
)
PACKAGES = ("langchain_openai", "langchain", "langchain_community")

# keyword (alias or field name) -> the field it sets
_FIELDS = {
    "model": "model",
    "model_name": "model",
    "api_key": "key",
    "openai_api_key": "key",
    "base_url": "base",
    "openai_api_base": "base",
    "organization": "org",
    "openai_organization": "org",
}
# fields that send the requests somewhere else than the base URL says, or
# through a client the class did not build (read in validate_environment)
_ELSEWHERE = frozenset(
    {
        "openai_proxy",
        "http_client",
        "http_async_client",
        "client",
        "async_client",
        "root_client",
        "root_async_client",
        "openai_api_type",
        "openai_api_version",
        "api_version",
        "deployment",
        "deployment_name",
        "azure_endpoint",
        "azure_deployment",
        "azure_ad_token",
        "azure_ad_token_provider",
    }
)
_USAGE_NAMES = (
    "get_openai_callback",
    "get_usage_metadata_callback",
    "UsageMetadataCallbackHandler",
)
_TOKEN_METHODS = ("get_num_tokens", "get_num_tokens_from_messages", "get_token_ids")
_TOKEN_NAMES = ("trim_messages", "ConversationTokenBufferMemory", "ConversationSummaryBufferMemory")
_DEFAULT_MODEL = {"chat": "gpt-3.5-turbo", "llm": "gpt-3.5-turbo-instruct"}


def _uses_any(ctx: RuleContext, names: tuple[str, ...]) -> bool:
    f = ctx.facts
    return any(n in f.imports or f.name_uses.get(n) for n in names)


def _reads_usage(ctx: RuleContext) -> bool:
    return bool(ctx.facts.attribute_uses.get("usage_metadata")) or _uses_any(ctx, _USAGE_NAMES)


def _counts_tokens(ctx: RuleContext) -> bool:
    f = ctx.facts
    return any(f.attribute_uses.get(m) for m in _TOKEN_METHODS) or _uses_any(ctx, _TOKEN_NAMES)


@dataclass
class _Plan:
    """What the fix of one construction does, once its key is settled."""

    call: cst.Call
    cls_name: str
    spec: _Spec
    prepend: list[cst.Arg] = field(default_factory=list)
    append: list[cst.Arg] = field(default_factory=list)
    new_values: dict[int, cst.BaseExpression] = field(default_factory=dict)
    removed: set[int] = field(default_factory=set)
    edits: list[tuple[cst.CSTNode, Fix]] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    notes: list[tuple[cst.CSTNode, str]] = field(default_factory=list)
    needs_os: bool = False
    model: cst.Arg | None = None  # added after base_url and the key


def check_langchain(ctx: RuleContext) -> None:
    f = ctx.facts
    check_imported_binds(ctx)
    if not any(f.imports_module(p) for p in PACKAGES):
        return
    pending: list[tuple[_Plan, cst.BaseExpression]] = []
    for call in f.calls:
        q = f.qualified(call.func)
        if q is None:
            continue
        if q in AZURE:
            ctx.report(
                call,
                LC_ELSEWHERE,
                f"`{q.rsplit('.', 1)[1]}` is an Azure OpenAI model: not migrated; move it to "
                "OpenRouter by hand (a ChatOpenAI with OpenRouter's base_url) if you mean to",
            )
            continue
        if q in _INIT:
            _check_init_chat_model(ctx, call)
            continue
        spec = CLASSES.get(q)
        if spec is not None:
            _decide(ctx, call, spec, pending)
    if pending:
        _queue_keys(ctx, pending)


_INIT = frozenset(
    {"langchain.chat_models.init_chat_model", "langchain.chat_models.base.init_chat_model"}
)
_OPENAI_PREFIXES = ("gpt-", "o1", "o3", "chatgpt", "text-davinci")


def _check_init_chat_model(ctx: RuleContext, call: cst.Call) -> None:
    """OR415: an ``init_chat_model`` that builds an OpenAI ChatOpenAI."""
    args = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    model_node = positional[0] if positional else args.get("model")
    model = string_value(model_node) if model_node is not None else None
    provider_node = args.get("model_provider")
    provider = string_value(provider_node) if provider_node is not None else None
    if provider is None and provider_node is not None:
        return  # a provider the tool cannot read
    base = args.get("base_url") or args.get("openai_api_base")
    if base is not None:
        url = string_value(base) or constant_string(ctx, base)
        if url is None or not is_openai_url(url):
            return  # another server, or OpenRouter already
    if provider is None and model is not None and ":" in model:
        provider, model = model.split(":", 1)
    if provider is None and model is not None:
        provider = "openai" if model.lower().startswith(_OPENAI_PREFIXES) else None
    if provider != "openai":
        return
    shown = model if model is not None else "..."
    target = ctx.table.lookup(model).target if model is not None else None
    target = target or "openai/<model>"
    ctx.report(
        call,
        LC_INIT,
        f"`init_chat_model(...)` builds a ChatOpenAI for api.openai.com (model '{shown}'): "
        f'not rewritten; write init_chat_model("{target}", model_provider="openai", '
        f'base_url="{ctx.settings.base_url}", '
        f'api_key=os.environ["{ctx.settings.api_key_env}"]) or a ChatOpenAI',
    )


# before the SDK clients' checker: the keys of both are followed together
# (``settle_keys`` at the end of ``check_clients``)
CHECKERS.insert(CHECKERS.index(_client.check_clients), check_langchain)


_DECISIONS = "langchain.decisions"  # id(construction) -> "migrate" / "unknown" (unsafe)


def _leave(ctx: RuleContext, call: cst.Call, cls_name: str, why: str) -> None:
    ctx.report(
        call,
        LC_LEFT,
        f"`{cls_name}(...)` {why}: left alone, so it does not move half way; "
        "point it at OpenRouter by hand or fix this and run the tool again",
    )


def _decide(
    ctx: RuleContext,
    call: cst.Call,
    spec: _Spec,
    pending: list[tuple[_Plan, cst.BaseExpression]],
) -> None:
    s = ctx.settings
    cls_name = ctx.module.code_for_node(call.func)
    args = list(call.args)
    for a in args:
        if a.star or a.keyword is None:
            what = "`**` unpacking" if a.star == "**" else "`*` unpacking" if a.star else None
            _leave(
                ctx,
                call,
                cls_name,
                f"is called with {what or 'a positional argument'}, which may set the "
                "URL, key or model already",
            )
            return
    by_name = {a.keyword.value: i for i, a in enumerate(args) if a.keyword is not None}
    fields: dict[str, int] = {}
    for name, i in by_name.items():
        canon = _FIELDS.get(name)
        if canon is None:
            continue
        if canon in fields:
            _leave(ctx, call, cls_name, f"sets its {canon} twice (a keyword and its alias)")
            return
        fields[canon] = i
    elsewhere = sorted(n for n in by_name if n in _ELSEWHERE)
    if elsewhere:
        ctx.report(
            call,
            LC_ELSEWHERE,
            f"`{cls_name}(...)` passes `{elsewhere[0]}=`, so it may not talk to OpenAI "
            "directly: left alone, with its model; move it to OpenRouter by hand if it should be",
        )
        return

    if spec.kind == "embeddings" and spec.legacy:
        # langchain / langchain_community's OpenAIEmbeddings always tokenize
        # with tiktoken and send token arrays (no check_embedding_ctx_length)
        _leave(
            ctx,
            call,
            cls_name,
            "is the legacy class, which always sends token arrays (OpenRouter's /embeddings "
            "takes text); use langchain_openai.OpenAIEmbeddings(..., "
            "check_embedding_ctx_length=False)",
        )
        return

    plan = _Plan(call, cls_name, spec)
    # base URL
    if "base" in fields:
        i = fields["base"]
        value = args[i].value
        url = string_value(value) or constant_string(ctx, value)
        if url is not None and is_openrouter_url(url):
            return  # migrated already
        if url is not None and is_openai_url(url) and string_value(value) is None:
            _leave(
                ctx,
                call,
                cls_name,
                "takes OpenAI's URL from a constant, which other code may read too: "
                "pass OpenRouter's URL here",
            )
            return
        if url is None or not is_openai_url(url):
            where = f"`{url}`" if url is not None else "an expression the tool cannot evaluate"
            ctx.report(
                call,
                LC_ELSEWHERE,
                f"`{cls_name}(...)` sets its base URL to {where}, not OpenAI's: left alone; "
                "point it at OpenRouter by hand if it should be",
            )
            return
        plan.new_values[i] = replace_string(value, s.base_url)  # type: ignore[arg-type]
        plan.changes.append("base_url")
    else:
        kw = "openai_api_base" if spec.legacy else "base_url"
        plan.prepend.append(keyword_arg(kw, string_literal(s.base_url)))
        plan.changes.append("base_url")

    if _client._authorization_header(ctx, call, cls_name, args, by_name):
        return

    if (
        spec.kind == "llm"
        and "max_tokens" in by_name
        and ctx.module.code_for_node(args[by_name["max_tokens"]].value).replace(" ", "") == "-1"
    ):
        _leave(
            ctx,
            call,
            cls_name,
            "passes max_tokens=-1, which makes it look up the context size by model "
            "name (it raises for an OpenRouter ID)",
        )
        return

    # model
    model_arg = args[fields["model"]] if "model" in fields else None
    bare = _plan_model(ctx, plan, model_arg)
    if bare is None:
        return

    # key
    key_value: cst.BaseExpression | None = None
    if "key" in fields:
        key_value = args[fields["key"]].value
    else:
        kw = "openai_api_key" if spec.legacy else "api_key"
        plan.prepend.append(keyword_arg(kw, _client._os_environ(ctx)))
        plan.changes.append(s.api_key_env)
        plan.needs_os = True
    if plan.needs_os and not _client._os_usable(ctx):
        ctx.report(
            call,
            OS_SHADOWED,
            f'`{cls_name}(...)` needs `os.environ["{s.api_key_env}"]` but `os` is bound to '
            "something else in this file: not rewritten; set its base URL and key by hand",
        )
        return

    # organization
    if "org" in fields:
        plan.removed.add(fields["org"])
        plan.changes.append("drop organization")

    # attribution headers
    headers: list[tuple[str, str]] = []
    if s.app_url:
        headers.append(("HTTP-Referer", s.app_url))
    if s.app_title:
        headers.append((s.title_header, s.app_title))
    if headers:
        if "default_headers" in by_name:
            i = by_name["default_headers"]
            value = args[i].value
            if isinstance(value, cst.Dict):
                merged = _client._merge_headers(value, headers)
                if merged is not value:
                    plan.new_values[i] = merged
                    plan.changes.append("headers")
            else:
                plan.notes.append(
                    (
                        value,
                        "default_headers is not a dict literal: add "
                        + ", ".join(f'"{k}"' for k, _ in headers)
                        + " to it by hand",
                    )
                )
        else:
            plan.append.append(keyword_arg("default_headers", _client._headers_dict(headers)))
            plan.changes.append("headers")

    # what the class does differently with OpenRouter's URL and IDs
    true = cst.Name("True")
    if spec.kind == "chat" and not spec.legacy and "stream_usage" not in by_name:
        if _reads_usage(ctx):
            plan.append.append(keyword_arg("stream_usage", true))
            plan.changes.append("stream_usage=True (the file reads usage)")
    if spec.kind != "embeddings" and "tiktoken_model_name" not in by_name and _counts_tokens(ctx):
        if len(bare) != 1:
            _leave(
                ctx,
                call,
                cls_name,
                "counts tokens by model name in this file, and its model may be one of "
                "several IDs: set tiktoken_model_name to the bare ID by hand",
            )
            return
        if bare[0]:
            plan.append.append(keyword_arg("tiktoken_model_name", string_literal(bare[0])))
            plan.changes.append("tiktoken_model_name (the file counts tokens)")
    if spec.kind == "embeddings":
        i = by_name.get("check_embedding_ctx_length")
        if i is None:
            plan.append.append(keyword_arg("check_embedding_ctx_length", cst.Name("False")))
            plan.changes.append("check_embedding_ctx_length=False (send text, not token arrays)")
        elif not (isinstance(args[i].value, cst.Name) and args[i].value.value == "False"):
            plan.new_values[i] = cst.Name("False")
            plan.changes.append("check_embedding_ctx_length=False (send text, not token arrays)")

    if key_value is not None:
        pending.append((plan, key_value))
    else:
        _finish(ctx, plan)


def _plan_model(ctx: RuleContext, plan: _Plan, arg: cst.Arg | None) -> list[str] | None:
    """Map the model where it is written; the bare IDs it can be (an empty
    string for one already on OpenRouter), or None when the construction is
    left (reported)."""
    spec = plan.spec
    table = ctx.table
    name = plan.cls_name
    if arg is None:
        default = (
            _DEFAULT_MODEL.get(spec.kind) if not (spec.legacy and spec.kind == "llm") else None
        )
        if default is None:
            what = (
                "has no model: the default (`text-embedding-ada-002`) is not served by "
                "OpenRouter's /embeddings; pass model='text-embedding-3-small' (new vectors: "
                "re-embed what you stored)"
                if spec.kind == "embeddings"
                else "has no model, and the default of the legacy class changed between "
                "langchain versions: pass the model you use"
            )
            _leave(ctx, plan.call, name, what)
            return None
        lookup = table.lookup(default)
        if lookup.kind is not LookupKind.MAPPED or not lookup.target:
            _leave(
                ctx, plan.call, name, f"uses the default model '{default}', unknown to the table"
            )
            return None
        plan.model = keyword_arg("model", string_literal(lookup.target))
        plan.changes.append(f"model '{lookup.target}' (the class's default is '{default}')")
        return [default]
    value = arg.value
    sources: list[cst.SimpleString] = []
    if isinstance(value, cst.SimpleString):
        sources = [value]
    else:
        from codemods.python.rules.dataflow import Resolver, Sink, blocked_holder

        resolver = Resolver(ctx)
        resolver.add(
            Sink(
                value,
                value,
                ctx.facts.scope_of.get(id(plan.call)),
                certain=True,
                safe=True,
                subject=f"the model of `{name}(...)`",
            )
        )
        flow = resolver.run()
        unknowns = [u for s in flow.sinks for u in flow.unknowns.get(id(s), [])]
        if flow.imported_reads and not unknowns:
            unknowns = [f"`{flow.imported_reads[0][0]}`, imported from another module"]
        if flow.param_chains and not unknowns:
            for fname, pname in flow.param_chains:
                if fname not in ctx.facts.local_classes:
                    unknowns = [
                        "a parameter of a module-level function (other modules may call it)"
                    ]
                    break
                if not _built_only_here(ctx, fname):
                    unknowns = [f"parameter `{pname}` of `{fname}`, a class other modules build"]
                    break
        if unknowns or not flow.sources:
            what = "; ".join(dict.fromkeys(unknowns[:2])) or "an expression"
            _leave(
                ctx, plan.call, name, f"gets its model from {what}, which the tool cannot follow"
            )
            return None
        for src in flow.sources.values():
            blocked = blocked_holder(src, flow.reached)
            if blocked is not None:
                holder, n = blocked
                _leave(
                    ctx,
                    plan.call,
                    name,
                    f"gets its model from {holder.label}, which is also read {n} other "
                    f"time{'s' if n != 1 else ''}: split it, so the OpenRouter ID goes only here",
                )
                return None
            sources.append(src.node)
    bare: list[str] = []
    for node in sources:
        model = string_value(node)
        if model is None:
            _leave(ctx, plan.call, name, "gets its model from a string the tool cannot read")
            return None
        lookup = table.lookup(model)
        if lookup.kind is LookupKind.ALREADY_OPENROUTER:
            target = model
            bare.append("")
        elif lookup.kind is LookupKind.MAPPED and lookup.target:
            target = lookup.target
            bare.append(model)
            plan.edits.append((node, lambda n, t=target: replace_string(n, t)))  # type: ignore[misc]
        else:
            reason = f": {lookup.reason}" if lookup.reason else ""
            _leave(
                ctx, plan.call, name, f"uses model '{model}', which has no OpenRouter ID{reason}"
            )
            return None
        if spec.kind == "embeddings":
            served = _embedding_models()
            if target not in served:
                listed = ", ".join(f"'{m}'" for m in sorted(served))
                _leave(
                    ctx,
                    plan.call,
                    name,
                    f"uses '{target}', not an embedding model OpenRouter serves on /embeddings "
                    f"({listed}); switch to one of them (new vectors: re-embed what you stored)",
                )
                return None
    if any(bare):
        mapped = ", ".join(sorted({b for b in bare if b}))
        plan.changes.append(f"map model {mapped}")
    return list(dict.fromkeys(bare))


def _built_only_here(ctx: RuleContext, cls: str) -> bool:
    """Are the calls of class ``cls`` in this file (the sinks the resolver
    followed its ``__init__``'s parameter to) all the calls there are? Yes
    for a ``_private`` class; for a public one only when the project pass
    says no other module of the run imports it (until it has said, the file
    asks: ``ModuleSummary.wants_importers``, :func:`codemods.python.project.plan_private`).
    Another module's ``Sampler(model="gpt-4o")`` is not followed here: the
    model would reach OpenRouter bare."""
    if cls.startswith("_"):
        return True
    project = ctx.project
    if project is None or project.module is None:
        ctx.memo["langchain.wants_importers"] = True
        return False
    return cls not in project.imported_names and not project.imported_whole


def _embedding_models() -> frozenset[str]:
    from codemods.python.rules.unsupported import load_unsupported

    return load_unsupported().embedding_models


def _queue_keys(ctx: RuleContext, pending: list[tuple[_Plan, cst.BaseExpression]]) -> None:
    """Hand the keys to the SDK clients' key flow, so that a variable read by
    an ``OpenAI()`` client and a ``ChatOpenAI`` of the same file (or a name
    imported from another module of the run) is settled for all of them at
    once (:func:`codemods.python.rules.client.settle_keys`): each construction is
    migrated with its key, or left whole and reported (OR103 / OR107)."""
    queue = ctx.memo.setdefault(_client._PENDING, [])
    for plan, value in pending:

        def finish(key: _client._KeyEdits | None = None, plan: _Plan = plan) -> None:
            _finish(ctx, plan, key)

        info = LC_EMBEDDINGS if plan.spec.kind == "embeddings" else LC_MODEL
        queue.append((plan.call, plan.cls_name, value, finish, info.code))
    if not ctx.facts.imports_openai:
        # check_clients (which settles them otherwise) has nothing to do here
        _client.settle_keys(ctx)


def _finish(ctx: RuleContext, plan: _Plan, key: _client._KeyEdits | None = None) -> None:
    s = ctx.settings
    key = key or _client._KeyEdits()
    prepend = plan.prepend + ([plan.model] if plan.model is not None else [])
    append, new_values, removed = plan.append, plan.new_values, plan.removed

    def fix(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        cur = list(node.args)
        seq: list[cst.Arg | tuple[int, cst.Arg]] = list(prepend)
        for i, a in enumerate(cur):
            if i in removed:
                continue
            if i in new_values:
                a = a.with_changes(value=new_values[i])
            seq.append((i, a))
        seq.extend(append)
        return node.with_changes(
            args=rebuild(cur, seq, node.whitespace_before_args),
            whitespace_before_args=with_lines_after_open(
                node.whitespace_before_args, first_lines(cur, seq)
            ),
        )

    summary = ", ".join(
        _client._describe(c, s.api_key_env)
        for c in plan.changes[:1] + key.changes + plan.changes[1:]
    )
    info = LC_EMBEDDINGS if plan.spec.kind == "embeddings" else LC_MODEL
    report = ctx.report(
        plan.call,
        info,
        f"`{plan.cls_name}(...)` talks to OpenAI directly: {summary}",
        fix=fix,
    )
    if plan.needs_os or key.needs_os:
        _client.add_import_os(ctx, report)
    for node, edit in plan.edits + key.edits:
        ctx.needs(report, node, edit)
    _report_secrets(ctx, report, key)
    for node, message in plan.notes:
        ctx.report(node, HEADERS_EXPR, message)
    _bound_models(ctx, plan.call, report)
    # what another module binding it learns (exported_models)
    decisions = ctx.memo.setdefault(_DECISIONS, {})
    decisions[id(plan.call)] = _clients.UNKNOWN if report.unsafe else _clients.DECISION_MIGRATE


def _bound_models(ctx: RuleContext, call: cst.Call, report: Report) -> None:
    """``llm.bind(model="gpt-4o-mini")`` (on the construction itself, or on
    a name bound only to it): the bound model replaces the construction's at
    call time, so it moves with the construction (a support edit of its
    fix) when it maps; otherwise the construction's fix is unsafe. A module-
    level name another module of the run binds (``from llms import llm``,
    ``llm.bind(model=...)`` there: ProjectInput.client_facts) makes the fix
    unsafe too unless the bound model is already an OpenRouter ID: that
    module is not rewritten with this one."""
    f = ctx.facts
    parent = f.parents.get(id(call))
    holders: set[int] = set()
    exported: str | None = None
    if type(parent) is cst.Assign and len(parent.targets) == 1 and parent.value is call:
        target = parent.targets[0].target
        if type(target) is cst.Name:
            scope = f.scope_of.get(id(parent))
            values = f.bindings.get((id(scope) if scope is not None else 0, target.value), [])
            if len(values) == 1:
                holders = {id(u) for u in f.name_uses.get(target.value, ())}
                if scope is None and f.assignment_counts.get(target.value, 0) == 1:
                    exported = target.value
    for bind in f.calls:
        func = bind.func
        if type(func) is not cst.Attribute or func.attr.value != "bind":
            continue
        if not (func.value is call or id(func.value) in holders):
            continue
        for arg in bind.args:
            if arg.keyword is None or arg.keyword.value not in ("model", "model_name"):
                continue
            value = string_value(arg.value) if type(arg.value) is cst.SimpleString else None
            lookup = ctx.table.lookup(value) if value is not None else None
            if lookup is not None and lookup.kind is LookupKind.ALREADY_OPENROUTER:
                continue
            if lookup is not None and lookup.kind is LookupKind.MAPPED and lookup.target:

                def edit(n: cst.CSTNode, target: str = lookup.target) -> cst.CSTNode:
                    assert isinstance(n, cst.SimpleString)
                    return replace_string(n, target)

                ctx.needs(report, arg.value, edit)
                report.message += f"; moves `.bind({arg.keyword.value}=...)` with it"
                continue
            if not report.unsafe:
                report.unsafe = True
                report.message += (
                    f"; unsafe fix: `.bind({arg.keyword.value}=...)` replaces its model at "
                    "call time with one the tool cannot map to an OpenRouter ID: write one there"
                )
    if exported is not None:
        _bound_elsewhere(ctx, exported, report)


def _bound_elsewhere(ctx: RuleContext, name: str, report: Report) -> None:
    """Another module of the run binds the model exported as ``name`` with
    another model (``llm.bind(model="gpt-4o-mini")`` after ``from llms
    import llm``): unless that model is an OpenRouter ID already, the move
    of this construction is unsafe, naming the place."""
    project = ctx.project
    if project is None:
        return
    places: list[str] = []
    for exported, kind, where, detail in project.client_facts:
        if exported != name or kind != _clients.FACT_BIND:
            continue
        keyword, _, written = detail.partition("=")
        try:
            expr = cst.parse_expression(written)
        except cst.ParserSyntaxError:
            expr = None
        value = string_value(expr) if type(expr) is cst.SimpleString else None
        lookup = ctx.table.lookup(value) if value is not None else None
        if lookup is not None and lookup.kind is LookupKind.ALREADY_OPENROUTER:
            continue
        if lookup is not None and lookup.kind is LookupKind.MAPPED and lookup.target:
            # rewritten there with this move (bound_imported; one unit)
            report.message += f"; moves `.bind({keyword}=...)` at {where} with it"
        else:
            places.append(f"`.bind({keyword}=...)` at {where} (write an OpenRouter ID there)")
    if not places:
        return
    report.unsafe = True
    report.message += (
        "; unsafe fix: another module binds it with a model that replaces its own at call "
        "time and is not rewritten with it: " + ", ".join(places)
    )


def exported_models(ctx: RuleContext) -> dict[str, str]:
    """The module-level names bound (once) to a LangChain OpenAI model this
    file builds, which other modules may import, with its decision:
    "migrate", "unknown" (an unsafe fix), "left" (ModuleSummary.langchain_exports)."""
    f = ctx.facts
    decisions = ctx.memo.get(_DECISIONS, {})
    out: dict[str, str] = {}
    for (scope, name), values in f.bindings.items():
        if scope != 0 or "." in name or len(values) != 1 or values[0] is None:
            continue
        value = values[0]
        if f.assignment_counts.get(name, 0) != 1 or type(value) is not cst.Call:
            continue
        if f.qualified(value.func) in CLASSES:
            out[name] = decisions.get(id(value), _clients.DECISION_LEFT)
    return out


def _imported_binds(ctx: RuleContext) -> list[tuple[str, cst.Call, cst.Arg]]:
    """``llm.bind(model=...)`` / ``.bind(model_name=...)`` on a name imported
    from another module (``llm``, ``llms.llm`` after ``import llms``):
    (the name as read here, the call, the argument)."""
    f = ctx.facts
    found: list[tuple[str, cst.Call, cst.Arg]] = []
    for call in f.calls:
        func = call.func
        if type(func) is not cst.Attribute or func.attr.value != "bind":
            continue
        key = dotted_name(func.value)
        if key is None:
            continue
        head = key.split(".", 1)[0]
        if f.assignment_counts.get(head, 0) != 0:
            continue
        # ``from .llms import llm`` is in from_imports only (not in imports)
        if head not in f.from_imports and ("." not in key or head not in f.imports):
            continue
        if _clients.index(ctx)._shadowed(key, f.scope_of.get(id(call))):
            continue
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value in ("model", "model_name"):
                found.append((key, call, arg))
    return found


def check_imported_binds(ctx: RuleContext) -> None:
    """A model of another module of the run that moves to OpenRouter
    (ProjectInput.langchain_models), bound here with a model that maps
    (``llm.bind(model="gpt-4o-mini")``): the model moves with it, in one
    migration unit (codemods/core/units.py); unsafe when its move is. (One that
    does not map made that move unsafe there: _bound_elsewhere.)"""
    project = ctx.project
    if project is None or not project.langchain_models:
        return
    states = dict(project.langchain_models)
    for key, _, arg in _imported_binds(ctx):
        state = states.get(key)
        if state not in (_clients.DECISION_MIGRATE, _clients.UNKNOWN):
            continue
        assert arg.keyword is not None
        value = string_value(arg.value) if type(arg.value) is cst.SimpleString else None
        lookup = ctx.table.lookup(value) if value is not None else None
        if lookup is None or lookup.kind is not LookupKind.MAPPED or not lookup.target:
            continue

        def edit(n: cst.CSTNode, target: str = lookup.target) -> cst.CSTNode:
            assert isinstance(n, cst.SimpleString)
            return replace_string(n, target)

        ctx.report(
            arg.value,
            LC_MODEL,
            f"`{key}.bind({arg.keyword.value}=...)` replaces the model of a LangChain model "
            f"another module moves to OpenRouter: map {value} with it",
            fix=edit,
            unsafe=state == _clients.UNKNOWN,
        )


def bind_facts(ctx: RuleContext) -> dict[str, list[tuple[str, int, str]]]:
    """``llm.bind(model=...)`` / ``.bind(model_name=...)`` on a name imported
    from another module (``llm``, ``llms.llm`` after ``import llms``): the
    key of client_facts (imported name) -> (FACT_BIND, line, the argument
    as written) per place. The project pass keeps those whose name is a
    LangChain model another module of the run exports (_bound_elsewhere)."""
    found = [
        (key, call, f"{arg.keyword.value}={ctx.module.code_for_node(arg.value)}")
        for key, call, arg in _imported_binds(ctx)
        if arg.keyword is not None
    ]
    if not found:
        return {}
    lines = _clients._lines(ctx, [call for _, call, _ in found])
    out: dict[str, list[tuple[str, int, str]]] = {}
    for key, call, detail in found:
        fact = (_clients.FACT_BIND, lines[id(call)], detail)
        if fact not in out.setdefault(key, []):
            out[key].append(fact)
    return out


def _report_secrets(ctx: RuleContext, report: Report, key: _client._KeyEdits) -> None:
    s = ctx.settings
    from codemods.core.secrets import redact
    from codemods.python.rules.client import SECRET

    for node, text in key.secrets:
        if not _client._first_report_of(ctx, node):
            continue
        sec = ctx.report(
            node,
            SECRET,
            f"hard-coded API key {redact(text)}: replaced by "
            f'os.environ["{s.api_key_env}"]; rotate this key, it is in your history',
        )
        sec.fix_node = node  # one of the construction's edits
