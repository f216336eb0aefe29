"""OR1xx: OpenAI client constructors."""

from __future__ import annotations

import libcst as cst

from codemods.analysis import dotted_name
from codemods.findings import Severity
from codemods.rules._edit import (
    first_lines,
    keyword_arg,
    rebuild,
    replace_string,
    string_literal,
    with_lines_after_open,
)
from codemods.rules.base import Report, RuleContext, checker, rule
from codemods.secrets import looks_like_secret, redact, redact_text

CLIENT_CLASSES = frozenset(
    {
        "openai.OpenAI",
        "openai.AsyncOpenAI",
        "openai.Client",
        "openai.AsyncClient",
        "openai._client.OpenAI",
        "openai._client.AsyncOpenAI",
    }
)
AZURE_CLASSES = frozenset(
    {
        "openai.AzureOpenAI",
        "openai.AsyncAzureOpenAI",
        "openai.lib.azure.AzureOpenAI",
        "openai.lib.azure.AsyncAzureOpenAI",
    }
)
OPENAI_KEY_ENV = "OPENAI_API_KEY"

CLIENT = rule(
    code="OR101",
    name="openai-client",
    summary="OpenAI client calls api.openai.com; point it at OpenRouter",
    severity=Severity.ERROR,
    fixable=True,
    what="""
        Finds every constructor of openai's `OpenAI` / `AsyncOpenAI` (and the
        aliases `Client` / `AsyncClient`), however it was imported, and
        configures it for OpenRouter: adds `base_url`, reads the key from the
        OpenRouter variable, adds the attribution headers when an app URL or
        title is configured, and removes `organization` and `project`.
    """,
    why="""
        OpenRouter speaks the same API, so the SDK works unchanged once
        `base_url` and `api_key` point at it. OpenRouter ignores
        organization-level auth, so `organization` and `project` only mislead.
    """,
    before="""
        from openai import OpenAI
        client = OpenAI(organization="org-123")
    """,
    after="""
        import os
        from openai import OpenAI
        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
    """,
    fix_safety="""
        Safe: the call keeps its layout and comments; only the named keyword
        arguments change. A call that already sets `base_url` to OpenRouter is
        left alone, so a second run changes nothing.
    """,
)

AZURE = rule(
    code="OR102",
    name="azure-client",
    summary="Azure OpenAI client: not migrated",
    severity=Severity.WARNING,
    fixable=False,
    what="Reports `AzureOpenAI` / `AsyncAzureOpenAI` clients.",
    why="""
        Azure deployments use their own endpoints, deployment names and API
        versions; moving them to OpenRouter is a decision (and a model
        choice) for a human, so the tool never rewrites them.
    """,
    before="""
        from openai import AzureOpenAI
        client = AzureOpenAI(azure_endpoint="https://x.openai.azure.com", api_version="2024-06-01")
    """,
)

API_KEY_EXPR = rule(
    code="OR103",
    name="api-key-expression",
    summary="api_key comes from an expression the tool cannot follow",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports a client whose `api_key` is neither absent, nor an
        environment lookup of `OPENAI_API_KEY`, nor a hard-coded key. The
        client is still migrated; the expression is kept.
    """,
    why="""
        After migration the client sends this key to OpenRouter. If it
        still holds an OpenAI key, every request fails with 401.
    """,
    before="""
        from openai import OpenAI
        client = OpenAI(api_key=settings.openai_api_key)
    """,
)

BASE_URL_ELSEWHERE = rule(
    code="OR104",
    name="custom-base-url",
    summary="base_url points somewhere else: client left alone",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports a client whose `base_url` is a proxy, a local server, or an
        expression the tool cannot evaluate. Nothing is changed.
    """,
    why="""
        The client does not talk to OpenAI directly; pointing it at
        OpenRouter could bypass a gateway the code relies on.
    """,
    before="""
        from openai import OpenAI
        client = OpenAI(base_url="http://localhost:8000/v1")
    """,
)

UNSEEN_ARGS = rule(
    code="OR105",
    name="unpacked-arguments",
    summary="client built from **kwargs or positional arguments: not rewritten",
    severity=Severity.ERROR,
    fixable=False,
    what="Reports a client constructor called with `*args`, `**kwargs` or positional arguments.",
    why="""
        Adding `base_url` or `api_key` next to `**kwargs` that may already
        hold them raises `TypeError: got multiple values` at run time. Set
        the OpenRouter values where the dictionary is built.
    """,
    before="""
        from openai import OpenAI
        client = OpenAI(**client_kwargs)
    """,
)

HEADERS_EXPR = rule(
    code="OR106",
    name="default-headers-expression",
    summary="default_headers is not a dict literal: attribution headers not added",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        With `--app-url` / `--app-title`, reports a client whose
        `default_headers` is an expression the tool cannot merge into, and an
        openai<1 call whose `headers=` is not a dict literal or that passes
        `**kwargs` (which may hold `headers=`).
    """,
    why="Without `HTTP-Referer` OpenRouter cannot attribute requests to your app.",
    before="""
        from openai import OpenAI
        client = OpenAI(default_headers=build_headers())
    """,
)

SECRET = rule(
    code="OR107",
    name="hard-coded-api-key",
    summary="hard-coded API key: replaced by an environment lookup; rotate it",
    severity=Severity.ERROR,
    fixable=True,
    what="""
        Replaces a string literal that looks like an API key (`sk-...`) in
        `api_key=` with a lookup of the OpenRouter key variable. The key is
        never printed: messages show it redacted.
    """,
    why="""
        A key in source control is leaked: rotate it at OpenAI. An OpenAI key
        does not work on OpenRouter anyway.
    """,
    before="""
        import os
        from openai import OpenAI
        client = OpenAI(api_key="sk-live-0000000000000000abcd")
    """,
    after="""
        import os
        from openai import OpenAI
        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
    """,
)

OS_SHADOWED = rule(
    code="OR108",
    name="os-shadowed",
    summary="`os` is bound to something else: cannot add the environment lookup",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Reports a client that needs `os.environ[...]` added when the name
        `os` is bound to something other than the `os` module in this file.
    """,
    why="Adding `import os` would change what the existing name means.",
    before="""
        from openai import OpenAI
        os = "linux"
        client = OpenAI()
    """,
)

SUBCLASS = rule(
    code="OR109",
    name="client-subclass",
    summary="class derives from the OpenAI client: its instances are not migrated",
    severity=Severity.WARNING,
    fixable=False,
    what="Reports classes that derive from `OpenAI` / `AsyncOpenAI`.",
    why="""
        Instances are built through the subclass, which the tool does not
        follow; make sure its `__init__` passes OpenRouter's base URL and key.
    """,
    before="""
        from openai import OpenAI
        class Client(OpenAI):
            pass
    """,
)


def is_openrouter_url(url: str) -> bool:
    u = url.strip().lower()
    return u.startswith(("https://openrouter.ai", "http://openrouter.ai"))


def is_openai_url(url: str) -> bool:
    u = url.strip().lower().rstrip("/")
    return u.startswith(("https://api.openai.com", "http://api.openai.com"))


def string_value(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def env_lookup_name(ctx: RuleContext, node: cst.BaseExpression) -> cst.SimpleString | None:
    """The string node naming the variable in ``os.environ["X"]``,
    ``os.getenv("X"...)`` or ``os.environ.get("X"...)``; None otherwise."""
    f = ctx.facts
    if isinstance(node, cst.Subscript) and f.qualified(node.value) == "os.environ":
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            s = node.slice[0].slice.value
            if isinstance(s, cst.SimpleString):
                return s
    if isinstance(node, cst.Call) and f.qualified(node.func) in ("os.getenv", "os.environ.get"):
        if node.args and node.args[0].keyword is None and node.args[0].star == "":
            s = node.args[0].value
            if isinstance(s, cst.SimpleString):
                return s
    return None


def _os_environ(ctx: RuleContext) -> cst.BaseExpression:
    return cst.Subscript(
        value=cst.Attribute(value=cst.Name("os"), attr=cst.Name("environ")),
        slice=[
            cst.SubscriptElement(slice=cst.Index(value=string_literal(ctx.settings.api_key_env)))
        ],
    )


def _os_usable(ctx: RuleContext) -> bool:
    f = ctx.facts
    return "os" not in f.other_bindings and f.imports.get("os", {"os"}) == {"os"}


def _has_top_level_import_os(ctx: RuleContext) -> bool:
    for line in ctx.facts.top_level_import_lines:
        for stmt in line.body:
            if isinstance(stmt, cst.Import):
                for alias in stmt.names:
                    if alias.asname is None and dotted_name(alias.name) == "os":
                        return True
    return False


def add_import_os(ctx: RuleContext, report: Report) -> None:
    """Attach ``import os`` (at the top of the import block) to ``report``'s fix."""
    if _has_top_level_import_os(ctx):
        return
    body = ctx.module.body
    # after the docstring and ``from __future__`` imports
    index = 0
    if body and _is_docstring(body[0]):
        index = 1
    while index < len(body) and _is_future_import(body[index]):
        index += 1
    # before the first import if the block starts here, else right here
    for i in range(index, len(body)):
        if _is_import_line(body[i]):
            index = i
            break
        break

    def fix(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Module)
        # a second client in the file asked for it too
        if any(
            isinstance(s, cst.SimpleStatementLine)
            and len(s.body) == 1
            and isinstance(s.body[0], cst.Import)
            and dotted_name(s.body[0].names[0].name) == "os"
            and s.body[0].names[0].asname is None
            for s in node.body
        ):
            return node
        new_body = list(node.body)
        stmt = cst.SimpleStatementLine(body=[cst.Import(names=[cst.ImportAlias(cst.Name("os"))])])
        if index < len(new_body):
            following = new_body[index]
            stmt = stmt.with_changes(leading_lines=following.leading_lines)
            new_body[index] = following.with_changes(leading_lines=[])
        new_body.insert(index, stmt)
        return node.with_changes(body=new_body)

    ctx.needs(report, ctx.module, fix)


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_future_import(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(s, cst.ImportFrom)
        and s.module is not None
        and dotted_name(s.module) == "__future__"
        for s in stmt.body
    )


def _is_import_line(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


@checker
def check_clients(ctx: RuleContext) -> None:
    f = ctx.facts
    if not f.imports_openai:
        return
    for call in f.calls:
        q = f.qualified(call.func)
        if q is None:
            continue
        if q in AZURE_CLASSES:
            ctx.report(
                call,
                AZURE,
                f"`{q.rsplit('.', 1)[1]}` is an Azure OpenAI client: not migrated; "
                "move it to OpenRouter by hand if you mean to",
            )
        elif q in CLIENT_CLASSES:
            migrate_constructor(ctx, call, q.rsplit(".", 1)[1])
    for cls in f.classes:
        for base in cls.bases:
            bq = f.qualified(base.value)
            if bq in CLIENT_CLASSES:
                ctx.report(
                    cls,
                    SUBCLASS,
                    f"class `{cls.name.value}` derives from `{bq}`: instances are not "
                    "migrated; pass OpenRouter's base_url and api_key in its __init__",
                )


def migrate_constructor(ctx: RuleContext, call: cst.Call, cls_name: str) -> None:
    s = ctx.settings
    args = list(call.args)
    for a in args:
        if a.star or a.keyword is None:
            what = (
                "`**` unpacking"
                if a.star == "**"
                else ("`*` unpacking" if a.star else "a positional argument")
            )
            ctx.unmigrated_clients.add(id(call))
            ctx.report(
                call,
                UNSEEN_ARGS,
                f"`{cls_name}(...)` is called with {what}: not rewritten, because an added "
                "base_url/api_key could collide at run time; set OpenRouter's base_url and key "
                "where the arguments are built",
            )
            return
    by_name = {a.keyword.value: i for i, a in enumerate(args) if a.keyword is not None}

    changes: list[str] = []
    new_values: dict[int, cst.Arg] = {}
    removed: set[int] = set()
    prepend: list[cst.Arg] = []
    append: list[cst.Arg] = []
    needs_os = False
    notes: list[tuple[cst.CSTNode, object, str]] = []

    # base_url
    if "base_url" in by_name:
        i = by_name["base_url"]
        url = string_value(args[i].value)
        if url is not None and is_openrouter_url(url):
            _secret_in_migrated_client(ctx, args, by_name)
            return  # migrated already
        if url is not None and is_openai_url(url):
            new_values[i] = args[i].with_changes(
                value=replace_string(args[i].value, s.base_url)  # type: ignore[arg-type]
            )
            changes.append("base_url")
        else:
            where = f"`{url}`" if url is not None else "an expression"
            ctx.unmigrated_clients.add(id(call))
            ctx.report(
                call,
                BASE_URL_ELSEWHERE,
                f"`{cls_name}(...)` sets base_url to {where}, not OpenAI: left alone; "
                "point it at OpenRouter by hand if it should be",
            )
            return
    else:
        prepend.append(keyword_arg("base_url", string_literal(s.base_url)))
        changes.append("base_url")

    # api_key
    secret_node: cst.CSTNode | None = None
    secret_value = ""
    if "api_key" in by_name:
        i = by_name["api_key"]
        value = args[i].value
        name_node = env_lookup_name(ctx, value)
        literal = string_value(value)
        if name_node is not None and string_value(name_node) == OPENAI_KEY_ENV:
            new_name = replace_string(name_node, s.api_key_env)
            new_values[i] = args[i].with_changes(value=_replace_in(value, name_node, new_name))
            changes.append(s.api_key_env)
        elif name_node is not None and string_value(name_node) == s.api_key_env:
            pass
        elif literal is not None and looks_like_secret(literal):
            secret_node, secret_value = value, literal
            new_values[i] = args[i].with_changes(value=_os_environ(ctx))
            needs_os = True
        else:
            # the expression may hold (part of) a key: never show one
            shown = redact_text(ctx.module.code_for_node(value))
            if literal is not None:
                shown = redact(literal)
            notes.append(
                (
                    value,
                    API_KEY_EXPR,
                    f"api_key comes from `{shown}`: kept; make sure it holds an OpenRouter key "
                    f"(for example from ${s.api_key_env})",
                )
            )
    else:
        prepend.append(keyword_arg("api_key", _os_environ(ctx)))
        changes.append(s.api_key_env)
        needs_os = True

    if needs_os and not _os_usable(ctx):
        ctx.unmigrated_clients.add(id(call))
        ctx.report(
            call,
            OS_SHADOWED,
            f'`{cls_name}(...)` needs `os.environ["{s.api_key_env}"]` but `os` is bound to '
            "something else in this file: not rewritten; set base_url and api_key by hand",
        )
        return

    # organization / project
    for key in ("organization", "project"):
        if key in by_name and (key == "organization" or s.strip_project):
            removed.add(by_name[key])
            changes.append(f"drop {key}")

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
                merged = _merge_headers(value, headers)
                if merged is not value:
                    new_values[i] = args[i].with_changes(value=merged)
                    changes.append("headers")
            else:
                notes.append(
                    (
                        value,
                        HEADERS_EXPR,
                        "default_headers is not a dict literal: add "
                        + ", ".join(f'"{k}"' for k, _ in headers)
                        + " to it by hand",
                    )
                )
        else:
            append.append(keyword_arg("default_headers", _headers_dict(headers)))
            changes.append("headers")

    def fix(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        cur = list(node.args)
        seq: list[cst.Arg | tuple[int, cst.Arg]] = list(prepend)
        for i, a in enumerate(cur):
            if i in removed:
                continue
            if i in new_values:
                # keep what inner fixes did to other args; replace this value
                a = a.with_changes(value=new_values[i].value)
            seq.append((i, a))
        seq.extend(append)
        return node.with_changes(
            args=rebuild(cur, seq, node.whitespace_before_args),
            whitespace_before_args=with_lines_after_open(
                node.whitespace_before_args, first_lines(cur, seq)
            ),
        )

    summary = ", ".join(_describe(c, s.api_key_env) for c in changes)
    report = ctx.report(
        call,
        CLIENT,
        f"`{cls_name}(...)` talks to OpenAI directly: {summary}",
        fix=fix,
    )
    if needs_os:
        add_import_os(ctx, report)
    if secret_node is not None:
        sec = ctx.report(
            secret_node,
            SECRET,
            f"hard-coded API key {redact(secret_value)}: replaced by "
            f'os.environ["{s.api_key_env}"]; rotate this key, it is in your history',
        )
        # the replacement itself is part of OR101's fix; OR107 shows it
        sec.fix_node = call
    for node, info, message in notes:
        ctx.report(node, info, message)  # type: ignore[arg-type]


def _secret_in_migrated_client(
    ctx: RuleContext, args: list[cst.Arg], by_name: dict[str, int]
) -> None:
    """A client already on OpenRouter can still carry a hard-coded key."""
    if "api_key" not in by_name:
        return
    value = args[by_name["api_key"]].value
    literal = string_value(value)
    if literal is None or not looks_like_secret(literal) or not _os_usable(ctx):
        return
    replacement = _os_environ(ctx)
    report = ctx.report(
        value,
        SECRET,
        f"hard-coded API key {redact(literal)}: replaced by "
        f'os.environ["{ctx.settings.api_key_env}"]; rotate this key, it is in your history',
        fix=lambda _node: replacement,
    )
    add_import_os(ctx, report)


def _describe(change: str, env: str) -> str:
    if change == "base_url":
        return "set base_url to OpenRouter"
    if change == env:
        return f"read the key from {env}"
    if change == "headers":
        return "add attribution headers"
    return change


def _replace_in(tree: cst.BaseExpression, old: cst.CSTNode, new: cst.CSTNode) -> cst.BaseExpression:
    return tree.deep_replace(old, new)  # type: ignore[return-value]


def _headers_dict(headers: list[tuple[str, str]]) -> cst.Dict:
    elements = [
        cst.DictElement(
            key=string_literal(k),
            value=string_literal(v),
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            if i < len(headers) - 1
            else cst.MaybeSentinel.DEFAULT,
        )
        for i, (k, v) in enumerate(headers)
    ]
    return cst.Dict(elements=elements)


def _merge_headers(d: cst.Dict, headers: list[tuple[str, str]]) -> cst.Dict:
    present = set()
    for el in d.elements:
        if isinstance(el, cst.DictElement):
            k = string_value(el.key)
            if k is not None:
                present.add(k.lower())
    missing = [(k, v) for k, v in headers if k.lower() not in present]
    if not missing:
        return d
    original = list(d.elements)
    seq: list = [(i, e) for i, e in enumerate(original)]
    seq += [cst.DictElement(key=string_literal(k), value=string_literal(v)) for k, v in missing]
    return d.with_changes(elements=rebuild(original, seq, d.lbrace.whitespace_after))
