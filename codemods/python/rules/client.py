"""OR1xx: OpenAI client constructors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from codemods.core.findings import FAILS_ON_OPENROUTER, Severity
from codemods.core.rules import rule
from codemods.core.secrets import looks_like_secret, looks_random, redact, redact_text
from codemods.python import clients
from codemods.python.analysis import ModuleFacts, dotted_name
from codemods.python.clients import AZURE_CLASSES, CLIENT_CLASSES
from codemods.python.escapes import escape_note
from codemods.python.rules._edit import (
    first_lines,
    keyword_arg,
    rebuild,
    replace_string,
    string_literal,
    with_lines_after_open,
)
from codemods.python.rules.base import REFS, Fix, Report, RuleContext, checker

if TYPE_CHECKING:
    from codemods.python.rules.keyflow import KeyOutcome, KeySource

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
        left alone, so a second run changes nothing. Unsafe when a model ID
        sent through the client cannot move to OpenRouter (OR202 unknown,
        OR203 fine-tune, OR204 no equivalent, OR307 not in the catalog):
        the moved client would send an ID OpenRouter rejects. The message
        names the model and its line; the model IDs sent through the client
        then move only with it (`--unsafe-fixes`). Suppressing that model's
        finding (`# noqa: OR204`) accepts the ID as it is: the fix is safe
        again. Unsafe too when a model sent through it is kept bare (OR206)
        or read from a class field the tool does not follow (OR205 on
        `agent.model`; in TypeScript, OR205 on a request object the tool did
        not read: a variable declared twice where it is read, or written
        again; a request spreading a value, `{ ...(body as any) }`; a request
        object written or handed on after it is built in a way the tool does
        not follow, `params.model = pick()`, `customize(params)`; a whole
        request built by a call or received as a parameter, `create(await
        build())`, `create(opts)`), and when
        the client escapes into code whose requests the tool cannot check
        (passed to a class, a method, a library call
        such as instructor's `Instructions` or `llm_validator`; stored in a
        container or on another object): the message names where. Unsafe
        too when the model IDs sent through it are not rewritten in this
        run (`--ignore OR201`, `--select OR101`): moved alone, it would send
        them to OpenRouter bare.
    """,
    sometimes_unsafe=True,
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
    summary="api_key may not hold an OpenRouter key after the migration: client left alone",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Follows `api_key=` the way model IDs are followed: through variables,
        constants, class attributes set in this file, parameters of private
        functions and their callers, conditionals and `or`. The client is
        migrated when every value that can reach it is a lookup of
        `OPENAI_API_KEY` (renamed where it is written) or of the OpenRouter
        variable, or a hard-coded key (OR107), and every variable on the way
        is read by nothing but client constructors that are migrated too. A
        name imported from another module of the run is followed there when
        every read of it in the run is such an `api_key=` (the definition is
        renamed in its module). Anything else (another variable's value, a
        settings object's attribute, a call, an import the tool cannot follow
        or that is read elsewhere, a variable also read elsewhere, an
        `Authorization` header in `default_headers`) is
        reported here, and the constructor is left whole: neither `base_url`
        nor the key nor the models sent through it change, so the finding
        stays until a human decides.
    """,
    why="""
        A client pointed at OpenRouter that still sends an OpenAI key fails
        every request with 401. Rewriting only the constructor would make the
        report disappear while the program breaks; rewriting a settings
        object the tool cannot see could break other code that reads it.
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
        expression the tool cannot evaluate. Nothing is changed. An
        environment lookup whose fallback is OpenRouter's URL
        (`os.getenv("OPENAI_BASE_URL") or "https://openrouter.ai/api/v1"`,
        or its default argument) counts as OpenRouter's: the client is
        already migrated. One whose fallback is OpenAI's URL is reported
        (the variable may point anywhere at run time). The message names
        the provider of a known OpenAI-compatible endpoint (DashScope,
        DeepSeek, Moonshot, Gemini, Groq, Together, Mistral, xAI, Fireworks,
        Perplexity, Zhipu, a local Ollama or LM Studio server).
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
        Replaces a string literal that looks like an API key (`sk-...`, also
        implicitly concatenated) with a lookup of the OpenRouter key
        variable: in `api_key=`, as the default of
        `os.getenv("OPENAI_API_KEY", "sk-...")` (the whole lookup becomes
        `os.environ[...]`), and in a constant or variable that reaches
        `api_key=` and is read for nothing else. Reports, without changing
        anything, a key in an `Authorization` header of `default_headers`
        (the client is left alone: the header would override the key), a key
        constant also read elsewhere, and a key assigned to an OpenAI or
        OpenRouter environment variable (`os.environ["OPENAI_API_KEY"] = "sk-..."`,
        `os.environ.setdefault`), in scripts and notebooks: an `sk-...` key,
        or a random-looking token in a variable named for a key
        (`..._API_KEY`, `..._TOKEN`); never a model name, a URL or a
        placeholder (`OPENAI_MODEL_NAME`, `OPENAI_API_BASE`,
        `"your_openai_api_key_here"`). A key of a client that stays where it points
        (its OR101 suppressed by `# noqa` or not selected, or left because it
        shares a variable with a client that stays, OR122), or of the
        module-level client whose configuration stays (its OR110 suppressed
        or not selected), is reported as not replaced. The key is never printed: messages show it redacted.
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

OPENAI_KEY_KEPT = rule(
    code="OR123",
    name="openai-key-still-required",
    summary="sets or requires OPENAI_API_KEY while the clients move to OpenRouter",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        In a file whose OpenAI clients move to OpenRouter (built here, or
        imported from a module of the run that moves them) or are on it
        already reading the OpenRouter key variable (so the finding stays
        after `migrate`), or in a run
        where another file moves them (a start-up script, a settings
        module), reports code that
        still sets `OPENAI_API_KEY` (`os.environ["OPENAI_API_KEY"] = ...`,
        `os.environ.setdefault(...)`, `os.putenv(...)`) or requires it (a
        lookup or an `in os.environ` test in the condition of an `if`,
        `while` or `assert`: a start-up gate). Nothing is changed: other
        code (a library, a client left on OpenAI) may still need the
        variable. A hard-coded key assigned to it is OR107; a key read into
        a variable that then reaches `api_key=` is followed by OR103. Not
        reported where a client of the file, or of a module it imports,
        stays where it points and may read the variable (an OpenAI client
        left alone, OR103/OR104..., a LangChain model left, OR413): that
        one still needs it.
    """,
    why="""
        The migrated clients read the OpenRouter key variable. A program that
        still stops when `OPENAI_API_KEY` is unset refuses to start on a
        deployment configured for OpenRouter alone; one that sets it passes a
        value nothing reads any more (or an OpenAI key where the OpenRouter
        key was meant).
    """,
    before="""
        import os
        from openai import OpenAI
        if not os.getenv("OPENAI_API_KEY"):
            raise SystemExit("set OPENAI_API_KEY")
        client = OpenAI()
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
        `os` is bound to something other than the `os` module in this file,
        or read without being imported.
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
    what="""
        Reports classes that derive from `OpenAI` / `AsyncOpenAI`. Their
        instances (built in the file or in a module of the run that imports
        the class, or a parameter annotated with it) are clients the run
        leaves where they point: the model IDs sent through them get no
        finding.
    """,
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


NOT_DIRECT = rule(
    code="OR118",
    name="client-not-openai-direct",
    summary="client passes an option OpenAI-direct clients do not: left alone",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports an `OpenAI(...)` / `AsyncOpenAI(...)` constructor that passes
        an argument the tool does not know to mean "talk to OpenAI
        directly": `provider=` (another cloud), `websocket_base_url=`
        (Azure realtime), `azure_ad_token_provider=`, an `http_client=` the
        tool cannot see into (its own base URL, transport, client
        certificate), or any other keyword. Nothing is changed, and the
        model IDs sent through this client are left alone too. In Python,
        also a client whose `base_url`, `api_key` or another connection
        setting is assigned after it is built, in its module or in another
        module of the run that imports it (the message names where).
    """,
    why="""
        A client is migrated only when every argument is one whose meaning
        is known (`api_key`, `organization`, `project`, `base_url` pointing
        at OpenAI, `default_headers`, `default_query`, `timeout`,
        `max_retries`, `webhook_secret`, a plain `http_client`). Anything
        else may send the requests somewhere that is not OpenAI, where
        OpenRouter's URL, key and model IDs would break the code.
    """,
    before="""
        from openai import OpenAI
        client = OpenAI(provider=bedrock(region="us-east-1"))
    """,
)

UNSUPPORTED_ONLY = rule(
    code="OR119",
    name="client-for-unsupported-endpoints",
    summary="client is used only for endpoints OpenRouter does not serve: left on OpenAI",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports a client whose every use in the run is an endpoint
        OpenRouter does not serve (files, batches, fine-tuning, uploads,
        vector stores, assistants and threads, audio, images, moderations,
        evals, realtime, videos, `responses.connect`...). The uses are
        collected in its module and in the other modules of the run that
        use it (through an import of the client or of its factory, or a
        pytest fixture of a `conftest.py`); the message names where those
        are. The client is left pointing at OpenAI, with its key. A client
        used for something OpenRouter serves is migrated, and each call
        that OpenRouter does not serve is reported where it is made (OR301).
    """,
    why="""
        Pointing it at OpenRouter would turn every one of its calls into a
        404. Keep it on OpenAI (it still needs an OpenAI key), or rebuild
        those features on what OpenRouter serves.
    """,
    before="""
        from openai import OpenAI
        client = OpenAI()
        batch = client.batches.create(input_file_id=file_id, endpoint="/v1/chat/completions", completion_window="24h")
    """,
)

UNRECOGNISED = rule(
    code="OR120",
    name="unrecognised-client",
    summary="a call that may build an OpenAI client, through a name the tool cannot pin down",
    severity=Severity.ERROR,
    fixable=False,
    what="""
        Reports a call of `OpenAI(...)` / `AsyncOpenAI(...)` whose name the
        tool cannot resolve with certainty: imported with `from openai
        import *`, imported from openai *and* rebound in the file
        (`try: from openai import OpenAI` / `except ImportError: OpenAI =
        None`), or imported from several places (`if AZURE: from openai
        import AzureOpenAI as OpenAI` / `else: from openai import OpenAI`,
        a fallback shim), or read off openai imported at run time
        (`importlib.import_module("openai").OpenAI()`, `__import__("openai")`,
        `sys.modules["openai"]`, also its module-level client:
        `oa.chat.completions.create(...)`). Neither the client nor the model
        IDs sent through it are rewritten. Also reports the class handed out as a factory, which
        builds clients no call of the file shows: `field(default_factory=
        OpenAI)`, `functools.partial(OpenAI, ...)`, a value of a dict
        literal (`{"openai": OpenAI}`), or a name bound to it and called
        (`Factory = OpenAI` ... `Factory()`). The model IDs sent through
        the clients it builds are unresolved (their fixes are unsafe). In
        TypeScript/JavaScript, also `require("openai")` / `import("openai")`
        loaded in a way the tool does not follow (`import("openai").then(...)`,
        assigned after its declaration); `const OpenAI = (await
        import("openai")).default`, `const { default: OpenAI } = await
        import("openai")`, `const mod = await import("openai")` (`new
        mod.default()`) and `require("openai")` are followed like the import.
    """,
    why="""
        A client and its model IDs move together or not at all: prefixing
        the IDs of a client that stays on OpenAI breaks every call. Import
        the class by name (`from openai import OpenAI`) and run the tool
        again, or migrate it by hand.
    """,
    before="""
        from openai import *
        client = OpenAI()
    """,
)

INSTRUCTOR_MODE = rule(
    code="OR121",
    name="instructor-mode",
    summary="client wrapped by instructor in a mode it refuses on OpenRouter: left on OpenAI",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports a client passed to `instructor.from_openai(client, mode)`
        with a mode (keyword or positional) other than `Mode.TOOLS` (the
        default), `Mode.JSON` or `Mode.OPENROUTER_STRUCTURED_OUTPUTS`, or a
        mode it cannot read (a variable, `**options`). The wrap may be in
        the client's module or in another module of the run that imports
        the client (the message names where). The client is left on
        OpenAI, with the model IDs sent through it. `instructor.patch` and
        `apatch` do not check the mode and are not reported.
    """,
    why="""
        instructor 1.7.4 to 1.15.1 read the client's base URL in
        `from_openai`: for one containing "openrouter" they accept only
        those three modes and fail an assertion on any other (`MD_JSON`,
        `PARALLEL_TOOLS`, `JSON_SCHEMA`, `TOOLS_STRICT`, `RESPONSES_*`...),
        so moving the client would break the program at start-up.
        instructor 1.15.3 and later no longer check; the tool does not know
        which version runs. Choose one of the three modes (or migrate by
        hand on instructor 1.15.3+), then run the tool again.
    """,
    before="""
        import instructor
        from openai import OpenAI
        client = instructor.from_openai(OpenAI(), mode=instructor.Mode.MD_JSON)
    """,
)

SHARED_RECEIVER = rule(
    code="OR122",
    name="client-shares-receiver",
    summary="client used through the same variable as a client that is left alone: left too",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports an OpenAI-direct client that is used through the same
        variable or attribute as a client the tool leaves where it points
        (`self.client = OpenAI()` in one branch, `OpenAI(base_url=proxy)`
        or a key the tool cannot follow in the other), also when that
        variable is in another module of the run that imports the client,
        or is the client parameter of a function that calls in other modules
        fill with either (the message names where). Neither is migrated,
        and the model IDs sent through them stay as they are.
    """,
    why="""
        A call through that variable sends the same model ID to whichever
        client it holds at run time: prefixed, it breaks the client that
        stays; bare, it breaks the client that moves. Point both at
        OpenRouter by hand, or give them separate variables.
    """,
    before="""
        from openai import OpenAI
        class Chat:
            def __init__(self, key=None):
                if key is None:
                    self.client = OpenAI()
                else:
                    self.client = OpenAI(base_url="http://localhost:8000/v1", api_key=key)
            def ask(self, messages):
                return self.client.chat.completions.create(model="gpt-4o", messages=messages)
    """,
)

# constructor keywords whose meaning is known: a client that passes only
# these (and a base_url pointing at OpenAI) talks to OpenAI directly
DIRECT_OPTIONS = frozenset(
    {
        "api_key",
        "organization",
        "project",
        "base_url",
        "timeout",
        "max_retries",
        "default_headers",
        "default_query",
        "webhook_secret",
        "http_client",
        "_strict_response_validation",
    }
)
# an ``http_client=`` built by one of these with only these keywords does
# not change where requests go
_PLAIN_HTTP_CLIENTS = frozenset(
    {
        "httpx.Client",
        "httpx.AsyncClient",
        "openai.DefaultHttpxClient",
        "openai.DefaultAsyncHttpxClient",
        "openai.DefaultAioHttpClient",
    }
)
_PLAIN_HTTP_OPTIONS = frozenset(
    {"timeout", "proxy", "proxies", "limits", "follow_redirects", "http2", "trust_env", "verify"}
)


def not_direct_reason(ctx: RuleContext, call: cst.Call) -> str | None:
    """Why a constructor is not an OpenAI-direct client (None: it is, as far
    as its arguments tell)."""
    for a in call.args:
        if a.keyword is None:
            continue  # positional / ** arguments: OR105's business
        name = a.keyword.value
        if name not in DIRECT_OPTIONS:
            return f"`{name}=`"
        if name == "http_client" and not _plain_http_client(ctx, a.value):
            return "an `http_client=` whose destination the tool cannot see"
    return None


def _plain_http_client(ctx: RuleContext, value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.Name) and value.value == "None":
        return True
    if not isinstance(value, cst.Call):
        return False
    if ctx.facts.qualified(value.func) not in _PLAIN_HTTP_CLIENTS:
        return False
    return all(
        a.keyword is not None and a.keyword.value in _PLAIN_HTTP_OPTIONS and not a.star
        for a in value.args
    )


def is_openrouter_url(url: str) -> bool:
    u = url.strip().lower()
    return u.startswith(("https://openrouter.ai", "http://openrouter.ai"))


def is_openai_url(url: str) -> bool:
    u = url.strip().lower().rstrip("/")
    return u.startswith(("https://api.openai.com", "http://api.openai.com"))


def constant_string(ctx: RuleContext, node: cst.BaseExpression) -> str | None:
    """The string a name holds when it is a module constant assigned once
    (``OPENROUTER_URL = "https://openrouter.ai/api/v1"``)."""
    if isinstance(node, cst.Name) and node.value in ctx.facts.string_constants:
        return string_value(ctx.facts.string_constants[node.value].value)
    return None


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


def openrouter_fallback(ctx: RuleContext, value: cst.BaseExpression) -> bool:
    """``os.getenv("OPENAI_BASE_URL") or "https://openrouter.ai/api/v1"`` /
    ``os.getenv("X", "https://openrouter.ai/api/v1")``: an environment
    lookup whose fallback is OpenRouter's URL, written for OpenRouter (a
    deployment may point it at a gateway of its own). A fallback to OpenAI's
    URL says nothing of the kind: OR104."""
    if isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or):
        url = string_value(value.right) or constant_string(ctx, value.right)
        if url is None or not is_openrouter_url(url):
            return False
        lookups: list[cst.BaseExpression] = []
        left = value.left
        while isinstance(left, cst.BooleanOperation) and isinstance(left.operator, cst.Or):
            lookups.append(left.right)  # ``a or b or URL`` is ``(a or b) or URL``
            left = left.left
        lookups.append(left)
        return all(env_lookup_name(ctx, x) is not None for x in lookups)
    return _env_default_openrouter(ctx, value)


def _env_default_openrouter(ctx: RuleContext, value: cst.BaseExpression) -> bool:
    if not isinstance(value, cst.Call) or env_lookup_name(ctx, value) is None:
        return False
    default = _env_default(value)
    url = None if default is None else string_value(default) or constant_string(ctx, default)
    return url is not None and is_openrouter_url(url)


# OpenAI-compatible endpoints of other providers and local servers (host,
# or host:port for a local one): OR104 names them, so that the message says
# "another provider", not "a proxy"
KNOWN_PROVIDERS = {
    "dashscope.aliyuncs.com": "Alibaba Cloud DashScope",
    "dashscope-intl.aliyuncs.com": "Alibaba Cloud DashScope",
    "api.deepseek.com": "DeepSeek",
    "api.moonshot.cn": "Moonshot AI",
    "api.moonshot.ai": "Moonshot AI",
    "generativelanguage.googleapis.com": "Google Gemini",
    "api.groq.com": "Groq",
    "api.together.xyz": "Together AI",
    "api.mistral.ai": "Mistral AI",
    "api.x.ai": "xAI",
    "api.fireworks.ai": "Fireworks AI",
    "api.perplexity.ai": "Perplexity",
    "open.bigmodel.cn": "Zhipu AI",
    "api.anthropic.com": "Anthropic",
    "localhost:11434": "a local Ollama server",
    "127.0.0.1:11434": "a local Ollama server",
    "localhost:1234": "a local LM Studio server",
    "127.0.0.1:1234": "a local LM Studio server",
}


def known_provider(url: str) -> str | None:
    """The provider an OpenAI-compatible ``url`` belongs to, when known."""
    rest = url.strip().lower().split("://", 1)[-1]
    netloc = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    host = netloc.split(":", 1)[0]
    return KNOWN_PROVIDERS.get(netloc) or KNOWN_PROVIDERS.get(host)


def _base_url_elsewhere(ctx: RuleContext, value: cst.BaseExpression, url: str | None) -> str:
    """What OR104 says about a ``base_url`` it leaves alone."""
    if url is not None:
        provider = known_provider(url)
        if provider is not None:
            return f"sets base_url to `{url}` ({provider}, with model IDs of its own), not OpenAI"
        return f"sets base_url to `{url}`, not OpenAI"
    name = env_lookup_name(ctx, value)
    if name is not None and isinstance(value, cst.Call):
        default = [a for a in value.args[1:] if a.keyword is None or a.keyword.value == "default"]
        fallback = string_value(default[0].value) if len(default) == 1 else None
        var = string_value(name)
        if fallback is not None and is_openai_url(fallback):
            return (
                f"reads base_url from ${var}, which defaults to OpenAI's URL but may point "
                "elsewhere at run time (a proxy or gateway)"
            )
        if var is not None:
            return f"reads base_url from ${var}, which the tool cannot see"
    return "sets base_url to an expression the tool cannot evaluate"


def _os_environ(ctx: RuleContext) -> cst.BaseExpression:
    return cst.Subscript(
        value=cst.Attribute(value=cst.Name("os"), attr=cst.Name("environ")),
        slice=[
            cst.SubscriptElement(slice=cst.Index(value=string_literal(ctx.settings.api_key_env)))
        ],
    )


def _os_usable(ctx: RuleContext) -> bool:
    f = ctx.facts
    if "os" in f.name_uses and "os" not in f.imports:
        # read but never imported here: an added `import os` would change
        # what those reads mean (and what a second run sees)
        return False
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
    # a notebook's leading magics (``%pip install openai``, masked as
    # ``pass  # openrouter-migrate magic N``) stay first: they install what
    # the imports below need
    while index < len(body) and _is_masked_magic(body[index]):
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


def _is_masked_magic(stmt: cst.BaseStatement) -> bool:
    from codemods.python.notebook import MAGIC_TAG

    if not (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Pass)
    ):
        return False
    comment = stmt.trailing_whitespace.comment
    return comment is not None and MAGIC_TAG in comment.value


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
    dynamic = _dynamic_constructors(ctx)
    if not f.imports_openai and not dynamic:
        if _may_import_openai_at_run_time(f):
            _report_dynamic_module_calls(ctx)
        return
    index = clients.index(ctx)
    for call in f.calls:
        site = index.sites.get(id(call))
        if site is not None and site.kind == "unresolved" and id(call) in dynamic:
            _leave(ctx, call)
            where = dynamic[id(call)]
            ctx.report(
                call,
                UNRECOGNISED,
                f"`{ctx.module.code_for_node(call.func)}(...)` builds an OpenAI client from the "
                f"openai module imported at run time (`{where}`), which the tool does not follow: "
                "neither it nor its model IDs are rewritten; import the class by name "
                "(`from openai import OpenAI`) and run the tool again, or migrate it by hand",
            )
            continue
        if site is not None and site.kind == "unresolved":
            _leave(ctx, call)
            ctx.report(
                call,
                UNRECOGNISED,
                f"`{ctx.module.code_for_node(call.func)}(...)` may build an OpenAI client, but "
                "the name is not certainly openai's (a star import, imported from several places, "
                "or rebound in this file): "
                "neither it nor its model IDs are rewritten; import the class by name",
            )
            continue
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
            decide_constructor(ctx, call, q.rsplit(".", 1)[1])
    _report_factories(ctx)
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
    if _may_import_openai_at_run_time(f):
        _report_dynamic_module_calls(ctx)
    settle_keys(ctx)
    _record_decisions(ctx, index)
    _move_together(ctx, index)


def _report_dynamic_module_calls(ctx: RuleContext) -> None:
    """OR120: an SDK call through the openai module imported at run time
    (``oa = importlib.import_module("openai")`` ... ``oa.chat.completions.
    create(...)``): its module-level client is not configured by the tool,
    so neither it nor the model IDs sent through it move."""
    f = ctx.facts
    for call, _, hit, _ in clients.sdk_uses(ctx):
        if hit is None:
            continue
        where = clients.dynamic_openai_module(f, hit[0])
        if where is None:
            continue
        text = redact_text(" ".join(ctx.module.code_for_node(where).split()))
        text = text if len(text) <= 60 else text[:57] + "..."
        ctx.report(
            call,
            UNRECOGNISED,
            f"`{ctx.module.code_for_node(hit[0])}` is the openai module imported at run time "
            f"(`{text}`), which the tool does not follow: its module-level client is not "
            "configured and the model IDs sent through it are not rewritten; import openai "
            "by name (`import openai`) and run the tool again, or migrate it by hand",
        )


def _may_import_openai_at_run_time(f: ModuleFacts) -> bool:
    return any(name in f.name_uses for name in ("importlib", "import_module", "__import__", "sys"))


def _dynamic_constructors(ctx: RuleContext) -> dict[int, str]:
    """The client constructions of the file through openai imported at run
    time (``importlib.import_module("openai").OpenAI()``): call -> how the
    module was imported, as written (shortened)."""
    f = ctx.facts
    if (
        not any(f.attribute_uses.get(name) for name in _CLASS_NAMES)
        and "getattr" not in f.name_uses
    ):
        return {}
    out = {}
    for call in f.calls:
        where = clients.dynamic_openai_class(f, call.func)
        if where is not None:
            text = redact_text(" ".join(ctx.module.code_for_node(where).split()))
            out[id(call)] = text if len(text) <= 60 else text[:57] + "..."
    return out


_FACTORY_KEYWORDS = ("default_factory", "factory")
_CLASS_NAMES = sorted({q.rsplit(".", 1)[1] for q in CLIENT_CLASSES})
_PARTIALS = ("functools.partial", "functools.partialmethod")


def _report_factories(ctx: RuleContext) -> None:
    """OR120: openai's client class handed out uncalled, as a factory
    (``field(default_factory=OpenAI)``, ``partial(OpenAI, timeout=5)``,
    ``{"openai": OpenAI}``, ``Factory = OpenAI`` then ``Factory()``): the
    clients it builds call OpenAI, and no constructor call shows them.
    Type uses (annotations, ``isinstance``, ``cast``, ``spec=``) are not
    factories and are not reported."""
    f = ctx.facts
    local = [name for name, targets in f.imports.items() if targets & CLIENT_CLASSES]
    candidates: list[cst.BaseExpression] = [n for name in local for n in f.name_uses.get(name, ())]
    candidates += [a for name in _CLASS_NAMES for a in f.attribute_uses.get(name, ())]
    called: set[str] | None = None
    for node in candidates:
        q = f.qualified(node)
        if q not in CLIENT_CLASSES:
            continue
        parent = f.parents.get(id(node))
        shown = ctx.module.code_for_node(node)
        how = None
        if isinstance(parent, cst.Arg) and parent.value is node:
            call = f.parents.get(id(parent))
            if not isinstance(call, cst.Call):
                continue
            keyword = parent.keyword.value if parent.keyword is not None else None
            if keyword in _FACTORY_KEYWORDS:
                how = f"`{keyword}={shown}`"
            elif (
                keyword is None
                and call.args
                and call.args[0] is parent
                and f.qualified(call.func) in _PARTIALS
            ):
                how = f"`{ctx.module.code_for_node(call.func)}({shown}, ...)`"
        elif isinstance(parent, cst.DictElement) and parent.value is node:
            how = f"`{{{ctx.module.code_for_node(parent.key)}: {shown}}}`"
        elif isinstance(parent, (cst.Assign, cst.AnnAssign)) and parent.value is node:
            targets = (
                [t.target for t in parent.targets]
                if isinstance(parent, cst.Assign)
                else [parent.target]
            )
            if called is None:
                called = {c.func.value for c in f.calls if isinstance(c.func, cst.Name)}
            names = [t.value for t in targets if isinstance(t, cst.Name) and t.value in called]
            if names:
                how = f"`{names[0]} = {shown}`, called as `{names[0]}(...)`"
        if how is None:
            continue
        ctx.report(
            node,
            UNRECOGNISED,
            f"`{shown}` is handed out as a factory ({how}): the clients it builds call "
            "OpenAI, and the tool sees no constructor call to migrate; build them with "
            'OpenRouter\'s base_url and key (`base_url="https://openrouter.ai/api/v1", '
            f'api_key=os.environ["{ctx.settings.api_key_env}"]`, e.g. in a lambda) by hand',
        )


def _move_together(ctx: RuleContext, index: clients.ClientIndex) -> None:
    """A call through a receiver that may be a migrated client or one that
    stays (``self.client`` built in two branches, one of them for another
    server) would send the same model ID to both: the migrated ones are
    left too, so that nothing goes half way."""
    uses = []
    for _, scope, hit, _ in clients.sdk_uses(ctx):
        if hit is not None:
            uses.append(index.resolve(hit[0], scope))
    # other modules read it through one variable with a client that stays
    for site, other, where in index._external_facts(clients.FACT_SHARED):
        if ctx.client_decisions.get(site) == clients.DECISION_MIGRATE:
            _demote(ctx, index.sites[site].call, None, (other, where))
    # in source order (the atoms are a set of ``id()``s: the client a
    # finding names must not depend on where the objects were allocated)
    order = {site: i for i, site in enumerate(index.sites)}
    changed = True
    while changed:
        changed = False
        for atoms in uses:
            sites = sorted((a for a in atoms if isinstance(a, int)), key=lambda a: order.get(a, -1))
            moving = [a for a in sites if ctx.client_decisions.get(a) == clients.DECISION_MIGRATE]
            staying = [a for a in sites if ctx.client_decisions.get(a) == clients.DECISION_LEFT]
            if not moving or not (staying or atoms & {clients.FOREIGN, clients.DECISION_LEFT}):
                continue
            other = index.sites[staying[0]].call if staying else None
            for site in moving:
                _demote(ctx, index.sites[site].call, other)
            changed = True


def _demote(
    ctx: RuleContext,
    call: cst.Call,
    other: cst.Call | None,
    elsewhere: tuple[str, str] | None = None,
) -> None:
    """Take back the migration of ``call`` (its OR101 report, the edits it
    carries and the findings that say they were made) and report why
    (``elsewhere``: the client that stays and the read, in another module)."""
    report = ctx.client_reports.pop(id(call), None)
    cls_name = ctx.module.code_for_node(call.func)
    secrets: list[cst.CSTNode] = []
    if report is not None:
        edited = {id(node) for node, _ in ctx.support_edits.pop(id(report), [])}
        edited.add(id(call))
        gone = [
            r
            for r in ctx.reports
            if r is report or (r.fix_node is not None and id(r.fix_node) in edited)
        ]
        ctx.reports = [r for r in ctx.reports if not any(r is g for g in gone)]
        # a hard-coded key the move replaced stays with the client: still a
        # leaked key, no longer "replaced" (OR107)
        secrets = [r.node for r in gone if r.rule is SECRET]
    _leave(ctx, call)
    for node in secrets:
        text = _literal(node) if isinstance(node, cst.BaseExpression) else None
        if text is not None:
            _held_secret(
                ctx,
                node,
                text,
                cls_name,
                f"{SHARED_RECEIVER.code}: it shares a variable with a client left alone",
            )
    # where the other client is: the engine writes its position in (REFS)
    with_what = (
        f"`{ctx.module.code_for_node(other.func)}(...)` at {REFS}"
        if other is not None
        else "a client of another server"
    )
    if elsewhere is not None:
        with_what = f"{elsewhere[0]} (in {elsewhere[1]})"
    ctx.report(
        call,
        SHARED_RECEIVER,
        f"`{cls_name}(...)` is used through the same variable as {with_what}, which is left "
        "alone: left too, with the model IDs sent through them (they would move half way); "
        "point both at OpenRouter by hand, or give them separate variables",
        refs=(other,) if other is not None else (),
    )


#: ``ctx.memo`` key: constructor sites whose key is followed into another module
KEY_FOLLOWED_SITES = "clients.key_followed"


def _literal(node: cst.CSTNode) -> str | None:
    return string_value(node) if isinstance(node, cst.SimpleString) else None


# model findings that block a client without proving the ID cannot move
_UNPROVED = frozenset({"OR205", "OR206"})


def blocked_note(blockers: list[Report]) -> str:
    """What the OR101 message adds when model IDs sent through the client
    cannot move (``RuleContext.blocked_clients``)."""
    if not blockers:
        return ""
    unsafe = [b for b in blockers if b.fix is not None]
    if len(unsafe) == len(blockers):
        # model IDs whose own fix is unsafe: the call may also go through a
        # client the tool cannot resolve; the client moves with them or not
        shown = sorted(
            {f"'{v}'" for b in unsafe if (v := _literal(b.node)) is not None} or {"a model ID"}
        )
        one = len(unsafe) == 1
        return (
            f"; unsafe fix: {', '.join(shown)} at {REFS} {'is' if one else 'are'} sent through "
            f"it by a call that may also go through a client the tool cannot resolve, so "
            f"{'that model' if one else 'those models'} move{'s' if one else ''} only as an "
            f"unsafe fix, and this client with {'it' if one else 'them'}"
        )
    blockers = [b for b in blockers if b.fix is None]
    if all(b.unselected for b in blockers):
        unselected = sorted({b.rule.code for b in blockers})
        # model IDs this run does not rewrite (``--ignore OR201``): the client stays with them
        shown = sorted(
            {f"'{v}'" for b in blockers if (v := _literal(b.node)) is not None} or {"a model ID"}
        )
        one = len(shown) == 1
        return (
            f"; unsafe fix: {', '.join(shown)} at {REFS} {'is' if one else 'are'} sent through "
            f"it and not rewritten in this run ({', '.join(unselected)} not selected): moved "
            f"alone, the client would send {'it' if one else 'them'} to OpenRouter without the "
            "provider prefix"
        )
    if all(b.rule.code in _UNPROVED for b in blockers):
        # a model the tool could not follow, or one kept bare for its other
        # uses (OR205, OR206): it is not known to move with the client
        one = len(blockers) == 1
        codes = ", ".join(sorted({b.rule.code for b in blockers}))
        return (
            f"; unsafe fix: the model ID{'' if one else 's'} sent through it at {REFS} "
            f"({codes}) {'is' if one else 'are'} not rewritten with it and may stay bare "
            f"on OpenRouter, which would reject {'it' if one else 'them'}: pass the "
            f"OpenRouter ID there first (or `# noqa` {'its finding' if one else 'their findings'} "
            "to move the client anyway)"
        )
    models = []
    for b in blockers:
        value = string_value(b.node) if isinstance(b.node, cst.SimpleString) else None
        shown = f"'{value}'" if value is not None else "a model ID"
        if f"{shown} ({b.rule.code})" not in models:
            models.append(f"{shown} ({b.rule.code})")
    one = len(models) == 1
    kind = "display-only fix" if fails_on_openrouter(blockers) else "unsafe fix"
    return (
        f"; {kind}: {', '.join(models)} at {REFS} {'is' if one else 'are'} sent through "
        f"it and cannot move to OpenRouter, which would reject {'it' if one else 'them'}: "
        f"fix {'that model' if one else 'those models'} first (or `# noqa` "
        f"{'its finding' if one else 'their findings'} to move the client anyway)"
    )


def fails_on_openrouter(blockers: list[Report]) -> bool:
    """Is a model ID among ``blockers`` (``RuleContext.blocked_clients``)
    known to fail on OpenRouter (OR203, OR204, OR307: not merely unknown to
    the tool)? The client's fix is then display-only: shown, never applied,
    not even with ``--unsafe-fixes`` (README: "Safe and unsafe fixes")."""
    return any(
        b.fix is None and not b.unselected and b.rule.code in FAILS_ON_OPENROUTER for b in blockers
    )


def external_blocked_note(blockers: list[tuple[str, str]], more: bool) -> str:
    """What the OR101 message adds when other modules send model IDs that
    cannot move through the client: (model and rule, where) per place
    (``clients.external_blocks``); ``more``: :func:`blocked_note` spoke first."""
    if not blockers:
        return ""
    shown = [f"{what} at {where}" for what, where in blockers[:3]]
    if len(blockers) > 3:
        shown.append(f"{len(blockers) - 3} more")
    one = len(blockers) == 1
    return (
        f"; {'and' if more else 'unsafe fix:'} {', '.join(shown)} "
        f"{'is' if one else 'are'} sent through it from another module and cannot move to "
        f"OpenRouter, which would reject {'it' if one else 'them'}: fix "
        f"{'that model' if one else 'those models'} first (or `# noqa` "
        f"{'its finding' if one else 'their findings'} to move the client anyway)"
    )


def _record_decisions(ctx: RuleContext, index: clients.ClientIndex) -> None:
    """What happened to each openai client of the file, once its api_key is
    settled: left where it points, migrated (its OR101 report made), or
    already on OpenRouter (nothing to do)."""
    for site_id, site in index.sites.items():
        if site_id in ctx.client_decisions or site.kind != "openai":
            continue
        if site_id in ctx.unmigrated_clients or site_id in ctx.held_clients:
            ctx.client_decisions[site_id] = clients.DECISION_LEFT
        elif site_id in ctx.client_reports:
            ctx.client_decisions[site_id] = clients.DECISION_MIGRATE
        else:
            ctx.client_decisions[site_id] = clients.DECISION_OPENROUTER


def _leave(ctx: RuleContext, call: cst.Call) -> None:
    """The client built by ``call`` stays where it points (and so do the
    model IDs sent through it)."""
    ctx.unmigrated_clients.add(id(call))
    ctx.client_decisions[id(call)] = clients.DECISION_LEFT


def decide_constructor(ctx: RuleContext, call: cst.Call, cls_name: str) -> None:
    """Migrate an OpenAI-direct client, or leave it and say why."""
    reason = not_direct_reason(ctx, call)
    after = clients.index(ctx).configured_after().get(id(call))
    message = None
    if reason is not None:
        message = (
            f"`{cls_name}(...)` passes {reason}, which an OpenAI-direct client does not: "
            "left alone, with the model IDs sent through it; move it to OpenRouter by hand "
            "if it talks to OpenAI"
        )
    elif after is not None:
        attr, where = after
        message = (
            f"`{cls_name}(...)` gets `{attr}` set after it is built"
            + (f" (in {where})" if where else "")
            + ", so the tool cannot tell where it sends requests: left alone, with the model "
            "IDs sent through it; set OpenRouter's base_url and key where it is configured"
        )
    if message is not None:
        _leave(ctx, call)
        ctx.report(call, NOT_DIRECT, message)
        return
    on_openrouter = _on_openrouter(ctx, call)
    if _points_elsewhere(ctx, call):
        migrate_constructor(ctx, call, cls_name)  # OR104: its uses are that server's
        return
    modes = [] if on_openrouter else clients.index(ctx).wrapper_modes().get(id(call), [])
    if modes:
        _leave(ctx, call)
        mode, where = modes[0]
        ctx.report(
            call,
            INSTRUCTOR_MODE,
            f"`{cls_name}(...)` is wrapped by instructor"
            + (f" (in {where})" if where else "")
            + f" with mode `{mode}`, which "
            "instructor 1.7.4 to 1.15.1 refuse for an OpenRouter base URL (only TOOLS, JSON "
            "and OPENROUTER_STRUCTURED_OUTPUTS): left on OpenAI; switch the mode, then run "
            "the tool again",
        )
        return
    uses = [] if on_openrouter else clients.index(ctx).uses().get(id(call), [])
    if uses and not any(u.supported for u in uses):
        _leave(ctx, call)
        shown = sorted({_use_shown(u.call) for u in uses if u.call is not None})
        elsewhere = sorted({(u.resource or "", u.where or "") for u in uses if u.call is None})
        listed = shown + [f"`{r}` in {w}" for r, w in elsewhere]
        listed_text = ", ".join(listed[:3]) + (" ..." if len(listed) > 3 else "")
        ctx.report(
            call,
            UNSUPPORTED_ONLY,
            f"`{cls_name}(...)` is used only for endpoints OpenRouter does not serve "
            f"({listed_text}): left on OpenAI (it still needs an OpenAI key)",
        )
        return
    migrate_constructor(ctx, call, cls_name)  # decided in _record_decisions


def _use_shown(call: cst.Call) -> str:
    """How OR119 shows a call: its resource path, and for a Responses call
    (which OpenRouter serves) what makes this one OpenAI's alone:
    "`responses.create` with store=True"."""
    from codemods.python.rules.unsupported import openai_state_reason

    path = clients.resource_path(call)
    reason = openai_state_reason(call) if path.startswith("responses.") else None
    return f"`{path}`" + (f" with {reason}" if reason is not None else "")


def _points_elsewhere(ctx: RuleContext, call: cst.Call) -> bool:
    """``base_url=`` is given and is neither OpenAI's nor OpenRouter's (or
    cannot be read): the client talks to another server."""
    for a in call.args:
        if a.keyword is not None and a.keyword.value == "base_url":
            if openrouter_fallback(ctx, a.value):
                return False
            url = string_value(a.value) or constant_string(ctx, a.value)
            return url is None or not (is_openai_url(url) or is_openrouter_url(url))
    return False


def _on_openrouter(ctx: RuleContext, call: cst.Call) -> bool:
    for a in call.args:
        if a.keyword is not None and a.keyword.value == "base_url":
            if openrouter_fallback(ctx, a.value):
                return True
            url = string_value(a.value) or constant_string(ctx, a.value)
            return url is not None and is_openrouter_url(url)
    return False


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
        held = constant_string(ctx, args[i].value)
        if url is None and held is not None and is_openrouter_url(held):
            _secret_in_migrated_client(ctx, args, by_name)
            return  # ``base_url=OPENROUTER_URL``: migrated already
        if openrouter_fallback(ctx, args[i].value):
            _secret_in_migrated_client(ctx, args, by_name)
            return  # ``os.getenv("OPENAI_BASE_URL") or OPENROUTER_URL``: written for OpenRouter
        if url is not None and is_openrouter_url(url):
            _secret_in_migrated_client(ctx, args, by_name)
            return  # migrated already
        if url is not None and is_openai_url(url):
            new_values[i] = args[i].with_changes(
                value=replace_string(args[i].value, s.base_url)  # type: ignore[arg-type]
            )
            changes.append("base_url")
        else:
            ctx.unmigrated_clients.add(id(call))
            ctx.report(
                call,
                BASE_URL_ELSEWHERE,
                f"`{cls_name}(...)` {_base_url_elsewhere(ctx, args[i].value, url)}: left alone; "
                "point it at OpenRouter by hand if it should be",
            )
            return
    else:
        prepend.append(keyword_arg("base_url", string_literal(s.base_url)))
        changes.append("base_url")

    # api_key
    secret_node: cst.CSTNode | None = None
    secret_value = ""
    deferred: cst.BaseExpression | None = None  # followed by the key flow (see below)
    if _authorization_header(ctx, call, cls_name, args, by_name):
        return
    if "api_key" in by_name:
        i = by_name["api_key"]
        value = args[i].value
        name_node = env_lookup_name(ctx, value)
        literal = _literal(value)
        env = string_value(name_node) if name_node is not None else None
        default = _env_default(value) if name_node is not None else None
        default_text = None if default is None else _literal(default)
        if env in (OPENAI_KEY_ENV, s.api_key_env) and _key_shaped(default_text):
            # os.getenv("OPENAI_API_KEY", "sk-..."): the key goes with the lookup
            assert default is not None and default_text is not None
            secret_node, secret_value = default, default_text
            new_values[i] = args[i].with_changes(value=_os_environ(ctx))
            changes.append(s.api_key_env)
            needs_os = True
        elif env == OPENAI_KEY_ENV and _harmless_default(default):
            assert name_node is not None
            new_name = replace_string(name_node, s.api_key_env)
            new_values[i] = args[i].with_changes(value=_replace_in(value, name_node, new_name))
            changes.append(s.api_key_env)
        elif env == s.api_key_env and _harmless_default(default):
            pass
        elif _key_shaped(literal):
            secret_node, secret_value = value, literal or ""
            new_values[i] = args[i].with_changes(value=_os_environ(ctx))
            needs_os = True
        else:
            # a name, an attribute, a call...: decided with every other
            # constructor of the file once they are all known
            deferred = value
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

    def finish(key: _KeyEdits | None = None) -> None:
        key = key or _KeyEdits()
        summary = ", ".join(_describe(c, s.api_key_env) for c in changes + key.changes)
        blockers = ctx.blocked_clients.get(id(call), [])
        if key.followed:
            # its key's definition moves in another module: leaving the
            # client would send it OpenRouter's key (engine: _blocked_clients)
            ctx.memo.setdefault(KEY_FOLLOWED_SITES, set()).add(id(call))
            blockers = []
        unknown = clients.unknown_uses_note(ctx, id(call))  # README: "Per client..."
        reexport = clients.reexport_note(ctx, id(call))  # read through an unfollowed re-export
        if reexport is not None:
            unknown = (unknown or "") + reexport
        shared = clients.param_note(ctx, id(call))  # a parameter also filled unresolved
        if shared is not None:
            unknown = (unknown or "") + shared
        handed = clients.escaped_elsewhere_note(ctx, id(call))  # escapes in another module
        if handed is not None:
            unknown = (unknown or "") + handed
        # model IDs that cannot move, sent through it by other modules
        elsewhere = [] if key.followed else clients.external_blocks(ctx, id(call))
        escaped = escape_note(ctx, id(call))  # passed to code the tool cannot check
        if unknown is not None or elsewhere or (escaped is not None and escaped[1]):
            clients.index(ctx).unsafe_sites.add(id(call))  # importers: moves only with it
        if escaped is not None:
            unknown = (unknown or "") + escaped[0]
        report = ctx.report(
            call,
            CLIENT,
            f"`{cls_name}(...)` talks to OpenAI directly: {summary}"
            + blocked_note(blockers)
            + external_blocked_note(elsewhere, bool(blockers))
            + (unknown or ""),
            fix=fix,
            unsafe=bool(blockers) or bool(elsewhere) or unknown is not None,
            refs=tuple(b.node for b in blockers),
            display_only=fails_on_openrouter(blockers),
        )
        ctx.client_reports[id(call)] = report
        if needs_os or key.needs_os:
            add_import_os(ctx, report)
        for node, edit in key.edits:
            ctx.needs(report, node, edit)
        # a client whose OR101 a noqa comment suppresses, or that is not
        # selected, stays on OpenAI: its key is not replaced either
        held = None
        if id(call) in ctx.held_clients:
            held = f"its {CLIENT.code} finding is suppressed"
        elif not s.rule_enabled(CLIENT.code):
            held = f"{CLIENT.code} is not selected"
        if secret_node is not None:
            if held is not None:
                _held_secret(ctx, secret_node, secret_value, cls_name, held)
            else:
                sec = ctx.report(
                    secret_node,
                    SECRET,
                    f"hard-coded API key {redact(secret_value)}: replaced by "
                    f'os.environ["{s.api_key_env}"]; rotate this key, it is in your history',
                )
                # the replacement itself is part of OR101's fix; OR107 shows it
                sec.fix_node = call
        for node, text in key.secrets:
            if not _first_report_of(ctx, node):
                continue  # a key shared by several clients is one finding
            if held is not None:
                _held_secret(ctx, node, text, cls_name, held)
                continue
            sec = ctx.report(
                node,
                SECRET,
                f"hard-coded API key {redact(text)}: replaced by "
                f'os.environ["{s.api_key_env}"]; rotate this key, it is in your history',
            )
            sec.fix_node = node  # one of OR101's edits
        for node, info, message in notes:
            ctx.report(node, info, message)  # type: ignore[arg-type]

    if deferred is not None:
        ctx.memo.setdefault(_PENDING, []).append((call, cls_name, deferred, finish, CLIENT.code))
        return
    finish()


# ---------------------------------------------------------------------------
# api_key: the key a migrated client sends must be OpenRouter's

_PENDING = "client.pending_keys"
# ctx.memo entries that codemods.python.rules.dataflow.summarize passes to the project pass
KEY_USES = "keys.uses"
KEY_HANDLED = "keys.handled"


@dataclass
class _KeyEdits:
    """What following the key adds to a constructor's OR101 fix."""

    changes: list[str] = field(default_factory=list)
    edits: list[tuple[cst.CSTNode, Fix]] = field(default_factory=list)
    secrets: list[tuple[cst.CSTNode, str]] = field(default_factory=list)
    needs_os: bool = False
    # the key's definition is rewritten in another module (the project pass):
    # the client must move with it, whatever its model IDs
    followed: bool = False


def _literal(node: cst.BaseExpression) -> str | None:
    from codemods.python.rules.keyflow import literal_value

    return literal_value(node)


def _env_default(node: cst.BaseExpression) -> cst.BaseExpression | None:
    from codemods.python.rules.keyflow import env_default

    return env_default(node)


def _key_shaped(text: str | None) -> bool:
    return text is not None and looks_like_secret(text)


def _harmless_default(default: cst.BaseExpression | None) -> bool:
    """No default, ``None``, or a string that is not a key (``""``)."""
    if default is None or (isinstance(default, cst.Name) and default.value == "None"):
        return True
    text = _literal(default)
    return text is not None and not _key_shaped(text)


def _authorization_header(
    ctx: RuleContext, call: cst.Call, cls_name: str, args: list[cst.Arg], by_name: dict[str, int]
) -> bool:
    """``default_headers={"Authorization": ...}`` overrides api_key: whatever
    it holds would reach OpenRouter. The client is left alone and reported
    (True), with OR107 when the header is a hard-coded key."""
    if "default_headers" not in by_name:
        return False
    headers = args[by_name["default_headers"]].value
    if not isinstance(headers, cst.Dict):
        return False
    for el in headers.elements:
        if not isinstance(el, cst.DictElement) or (string_value(el.key) or "").lower() != (
            "authorization"
        ):
            continue
        ctx.unmigrated_clients.add(id(call))
        text = _literal(el.value)
        if text is not None and any(looks_like_secret(w) for w in text.split()):
            key = next(w for w in text.split() if looks_like_secret(w))
            ctx.report(
                el.value,
                SECRET,
                f"hard-coded API key {redact(key)} in the Authorization header, which "
                f"overrides api_key: `{cls_name}(...)` left alone; remove the header, "
                "rotate this key, it is in your history",
            )
        else:
            ctx.report(
                call,
                API_KEY_EXPR,
                f"`{cls_name}(...)` sets an Authorization header in default_headers, which "
                "overrides api_key: left alone; remove the header and point the client at "
                "OpenRouter by hand",
            )
        return True
    return False


def settle_keys(ctx: RuleContext) -> None:
    """Decide the constructors whose api_key is a name, an attribute or an
    expression, all together (see :mod:`codemods.python.rules.keyflow`): migrate
    each with its key's definition rewritten, or leave it whole and report."""
    pending = ctx.memo.pop(_PENDING, [])
    if not pending:
        return
    # a construction that stays (its finding suppressed by a noqa comment, or
    # its rule not selected) keeps its key as it is: not followed, so that a
    # variable it also reads blocks the others (keyflow: read elsewhere)
    staying = [
        p for p in pending if id(p[0]) in ctx.held_clients or not ctx.settings.rule_enabled(p[4])
    ]
    if staying:
        gone = {id(p[0]) for p in staying}
        pending = [p for p in pending if id(p[0]) not in gone]
        for p in staying:
            p[3]()  # its report (suppressed or not emitted): no key edits
    from codemods.python.rules.keyflow import resolve_keys

    s = ctx.settings
    os_ok = _os_usable(ctx)

    def source_ok(src: KeySource) -> bool:
        if src.followed is not None:
            return True
        if src.env is not None:
            default = _env_default(src.node)
            if _key_shaped(None if default is None else _literal(default)):
                return os_ok and src.env in (OPENAI_KEY_ENV, s.api_key_env)
            return src.env in (OPENAI_KEY_ENV, s.api_key_env) and _harmless_default(default)
        return os_ok and _key_shaped(src.literal)

    outcomes = resolve_keys(
        ctx, [(call, value) for call, _, value, _, _ in pending], env_lookup_name, source_ok
    )
    # imported names read only as the key of clients that would migrate:
    # what the project pass needs to rewrite them where they are defined
    counted: set[int] = set()
    key_uses: dict[str, int] = ctx.memo.setdefault(KEY_USES, {})
    for call, cls_name, value, finish, _ in pending:
        outcome = outcomes[id(call)]
        if outcome.ok:
            finish(_key_edits(ctx, outcome.sources))
        else:
            _refuse(ctx, call, cls_name, value, outcome)
            for name, read in outcome.imported:
                if id(read) not in counted:
                    counted.add(id(read))
                    key_uses[name] = key_uses.get(name, 0) + 1
    if staying:
        _secrets_of_staying(ctx, staying)


def _secrets_of_staying(ctx: RuleContext, staying: list) -> None:
    """A hard-coded key that reaches a construction that stays is still a
    secret in the history (OR107), though nothing is rewritten."""
    from codemods.python.rules.keyflow import resolve_keys

    outcomes = resolve_keys(
        ctx, [(p[0], p[2]) for p in staying], env_lookup_name, lambda _src: True
    )
    for call, cls_name, *_ in staying:
        for src in outcomes[id(call)].sources:
            if src.literal is None or not _key_shaped(src.literal):
                continue
            if _first_report_of(ctx, src.node):
                ctx.report(
                    src.node,
                    SECRET,
                    f"hard-coded API key {redact(src.literal)} reaches `{cls_name}(...)`, "
                    "which stays where it points: move the key to an environment variable "
                    "and rotate it, it is in your history",
                )


def _key_edits(ctx: RuleContext, sources: list[KeySource]) -> _KeyEdits:
    s = ctx.settings
    out = _KeyEdits()
    for src in sources:
        where = src.via.strip("`") if src.via else None
        if src.followed is not None:
            out.changes.append(f"key:{src.followed}")
            out.followed = True
            continue
        default = _env_default(src.node) if src.env is not None else None
        default_text = None if default is None else _literal(default)
        if src.env is not None and _key_shaped(default_text):
            replacement = _os_environ(ctx)
            out.edits.append((src.node, lambda _n, r=replacement: r))
            out.secrets.append((src.node, default_text or ""))
            out.needs_os = True
        elif src.env is not None and src.env != s.api_key_env:
            assert src.name_node is not None
            out.edits.append(
                (src.name_node, lambda n: replace_string(n, s.api_key_env))  # type: ignore[arg-type]
            )
        elif src.literal is not None:
            replacement = _os_environ(ctx)
            out.edits.append((src.node, lambda _n, r=replacement: r))
            out.secrets.append((src.node, src.literal))
            out.needs_os = True
        else:
            continue
        out.changes.append(f"key:{where}" if where else s.api_key_env)
    return out


def _held_secret(ctx: RuleContext, node: cst.CSTNode, text: str, cls_name: str, why: str) -> None:
    """OR107 for a hard-coded key of a client that stays where it points
    (``why``): reported, never changed."""
    ctx.report(
        node,
        SECRET,
        f"hard-coded API key {redact(text)} reaches `{cls_name}(...)`, which stays where it "
        f"points ({why}): not replaced; move the key to an environment variable and rotate "
        "it, it is in your history",
    )


def _first_report_of(ctx: RuleContext, node: cst.CSTNode) -> bool:
    """True the first time a key at ``node`` is reported (OR107)."""
    seen: set[int] = ctx.memo.setdefault("client.reported_keys", set())
    if id(node) in seen:
        return False
    seen.add(id(node))
    return True


def _short(ctx: RuleContext, node: cst.CSTNode, limit: int = 60) -> str:
    shown = " ".join(ctx.module.code_for_node(node).strip().split())
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


def _refuse(
    ctx: RuleContext, call: cst.Call, cls_name: str, value: cst.BaseExpression, outcome: KeyOutcome
) -> None:
    """Leave the constructor whole and say where its key comes from."""
    s = ctx.settings
    ctx.unmigrated_clients.add(id(call))
    shown = redact_text(_short(ctx, value))
    origins: list[str] = []
    reasons: list[str] = []
    for src in outcome.sources:
        if src.followed is not None:
            origins.append(f"`{src.followed}`, rewritten in its module")
            continue
        if src.literal is not None:
            origins.append(
                redact(src.literal) if _key_shaped(src.literal) else "a string that is not a key"
            )
            if _key_shaped(src.literal) and _first_report_of(ctx, src.node):
                ctx.report(
                    src.node,
                    SECRET,
                    f"hard-coded API key {redact(src.literal)} reaches `{cls_name}(...)`, "
                    "which is left alone (see OR103): move the key to an environment "
                    "variable and rotate it, it is in your history",
                )
            else:
                reasons.append("a string is not an OpenRouter key")
            continue
        origins.append(f"${src.env}")
        if src.env not in (OPENAI_KEY_ENV, s.api_key_env):
            reasons.append(f"the tool cannot tell that ${src.env} holds an OpenRouter key")
        elif not _harmless_default(_env_default(src.node)):
            reasons.append(f"the default of ${src.env} cannot be followed")
    for holder, where in outcome.blocked:
        # ``key`` itself: "it is also read by ...", not "`key` is also read by ..."
        label = "it" if holder.label == f"`{shown}`" else holder.label
        reasons.append(f"{label} is {where}")
    unknowns = outcome.unknowns
    named = isinstance(value, cst.Name) and value.value != "None"
    origin = f"variable `{shown}`" if named else f"`{shown}`"
    if unknowns == [f"`{_short(ctx, value)}`"]:
        reasons.append("the tool cannot follow it")
    elif (
        len(unknowns) == 1
        and not origins
        and unknowns[0].startswith(f"parameter `{shown}` ")
        and isinstance(value, cst.Name)
    ):
        # ``api_key=api_key``: name the parameter once, then why it is not followed
        origin, _, why_not = unknowns[0].partition(" (")
        reasons.append(why_not.rstrip(")") if why_not else "the tool does not follow its callers")
    elif unknowns:
        reasons.append("it comes from " + "; ".join(unknowns[:3]))
    source = f" (set from {', '.join(dict.fromkeys(origins))})" if origins else ""
    why = "; ".join(dict.fromkeys(reasons)) or "the tool cannot follow it"
    ctx.report(
        call,
        API_KEY_EXPR,
        f"`{cls_name}(...)` takes its API key from {origin}{source}: {why}; left alone, so it "
        f"does not send this key to OpenRouter: make it read ${s.api_key_env} and point "
        "base_url at OpenRouter by hand",
    )


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
    if change.startswith("key:"):
        return f"read the key from {env} (where `{change[4:]}` is set)"
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


# the name of an environment variable that holds a credential: OPENAI_API_KEY,
# OPENROUTER_KEY, AZURE_OPENAI_API_KEY, OPENAI_TOKEN; not OPENAI_MODEL_NAME,
# OPENAI_API_BASE, OPENAI_ORGANIZATION
_CREDENTIAL_ENV = re.compile(r"(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET)(?:_|$)")


def _env_key_literal(ctx: RuleContext, name: str, text: str | None) -> bool:
    """Is ``text``, a string assigned to the environment variable ``name``, an
    API key of OpenAI or OpenRouter (OR107)? The variable must be one of
    theirs, and either hold a credential by its name with a value shaped
    like a random token (not a placeholder), or be given an ``sk-...`` key
    whatever its name. A model name
    (``os.environ["OPENAI_MODEL_NAME"] = "openrouter/openai/gpt-4o"``) or a
    URL (``OPENAI_API_BASE``) is long and token-shaped, but no key."""
    if text is None or not _key_shaped(text):
        return False
    upper = name.upper()
    if not ("OPENAI" in upper or "OPENROUTER" in upper or name == ctx.settings.api_key_env):
        return False
    value = text.strip()
    if value.startswith("sk-"):
        return True
    if "://" in value or value.lower().startswith("openrouter/"):
        return False  # a URL, or a model already on OpenRouter
    # a placeholder (``your_openai_api_key_here``) is long and token-shaped too
    key_named = name == ctx.settings.api_key_env or bool(_CREDENTIAL_ENV.search(upper))
    return key_named and looks_random(value)


@checker
def check_keys_in_environment(ctx: RuleContext) -> None:
    """``os.environ["OPENAI_API_KEY"] = "sk-..."`` (scripts, notebooks): a
    leaked key the clients read. Reported (OR107), never changed: other code
    (a library reading $OPENAI_API_KEY) may depend on the assignment."""
    f = ctx.facts
    found: list[tuple[cst.CSTNode, str, str]] = []  # (literal, variable, key)
    for sub in f.subscripts:
        if f.qualified(sub.value) != "os.environ" or len(sub.slice) != 1:
            continue
        target = f.parents.get(id(sub))
        assign = f.parents.get(id(target)) if isinstance(target, cst.AssignTarget) else None
        index = sub.slice[0].slice
        if isinstance(assign, cst.Assign) and isinstance(index, cst.Index):
            name = string_value(index.value)
            if name is not None:
                found.append((assign.value, name, ""))
    for call in f.calls:
        if f.qualified(call.func) not in ("os.environ.setdefault", "os.putenv"):
            continue
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if len(positional) == 2:
            name = string_value(positional[0])
            if name is not None:
                found.append((positional[1], name, ""))
    s = ctx.settings
    for node, name, _ in found:
        text = _literal(node)  # type: ignore[arg-type]
        if not _env_key_literal(ctx, name, text):
            continue
        assert text is not None
        if name == s.api_key_env:
            after = "the migrated clients read this variable, so they send this key"
        else:
            after = f"the migrated clients read ${s.api_key_env}, not this variable"
        ctx.report(
            node,
            SECRET,
            f"hard-coded API key {redact(text)} assigned to ${name}: not changed ({after}); "
            "set the variable outside the code, remove this line by hand and rotate the key, "
            "it is in your history",
        )


@checker
def check_key_exports(ctx: RuleContext) -> None:
    """Project pass: module-level names of this file that other files pass to
    ``api_key=`` of the clients they migrate, and read for nothing else (see
    :func:`codemods.python.project.plan_keys`). The definition is rewritten here,
    as a constructor's own key variable would be; the importers then migrate
    their clients (``ProjectInput.followed_keys``)."""
    project = ctx.project
    if project is None or not project.key_exports:
        return
    from codemods.python.rules.keyflow import resolve_keys

    f = ctx.facts
    s = ctx.settings
    handled: set[str] = ctx.memo.setdefault(KEY_HANDLED, set())
    for name in project.key_exports:
        values = f.module_values.get(name)
        if (
            not values
            or len(values) != 1
            or f.assignment_counts.get(name, 0) != 1
            or name in f.imports
            or name in f.from_imports
            or f.name_uses.get(name)  # read here too: not this pass's business
        ):
            continue
        value = values[0]

        def source_ok(src: KeySource) -> bool:
            if src.env is not None:
                return src.env in (OPENAI_KEY_ENV, s.api_key_env) and _harmless_default(
                    _env_default(src.node)
                )
            return False  # a hard-coded key shared across modules: OR107 by hand

        outcome = resolve_keys(ctx, [(value, value)], env_lookup_name, source_ok)[id(value)]
        if not outcome.ok:
            continue
        renames = [
            src for src in outcome.sources if src.env is not None and src.env != s.api_key_env
        ]
        if renames and not s.rule_enabled(CLIENT.code):
            continue
        for src in renames:
            assert src.name_node is not None
            ctx.report(
                src.name_node,
                CLIENT,
                f"`{name}` is the api_key of OpenAI clients that other modules migrate, and "
                f"read for nothing else: read the key from {s.api_key_env}",
                fix=lambda n: replace_string(n, s.api_key_env),  # type: ignore[arg-type]
            )
        handled.add(name)


_GATES = (cst.If, cst.While, cst.Assert)
# ctx.memo key: OR123 has findings in a file that moves nothing itself
WANTS_RUN_MOVES = "openai_key_wants_run_moves"
# ctx.memo key: OR123 has findings here, unless a module this file imports
# keeps a client on OpenAI (ProjectInput.openai_kept_in: ask the project pass)
WANTS_KEPT_OPENAI = "openai_key_wants_kept"


@checker
def check_openai_key_kept(ctx: RuleContext) -> None:
    """OR123: ``OPENAI_API_KEY`` set or required (a start-up gate) in a file
    whose clients move to OpenRouter. Reported, never changed."""
    f = ctx.facts
    if not ctx.mentions(OPENAI_KEY_ENV) or not ctx.settings.rule_enabled(OPENAI_KEY_KEPT.code):
        return
    found: list[tuple[cst.CSTNode, str]] = []  # (node, "set" | "gate")
    for sub in f.subscripts:
        name_node = env_lookup_name(ctx, sub)
        if name_node is None or string_value(name_node) != OPENAI_KEY_ENV:
            continue
        target = f.parents.get(id(sub))
        assign = f.parents.get(id(target)) if isinstance(target, cst.AssignTarget) else None
        if isinstance(assign, cst.Assign):
            if not _env_key_literal(ctx, OPENAI_KEY_ENV, _literal(assign.value)):  # OR107
                found.append((assign, "set"))
        elif _in_gate(ctx, sub):
            found.append((sub, "gate"))
    for call in f.calls:
        q = f.qualified(call.func)
        if q in ("os.environ.setdefault", "os.putenv"):
            positional = [a.value for a in call.args if a.keyword is None and not a.star]
            if positional and string_value(positional[0]) == OPENAI_KEY_ENV:
                if len(positional) < 2 or not _env_key_literal(
                    ctx, OPENAI_KEY_ENV, _literal(positional[1])
                ):
                    found.append((call, "set"))
            continue
        name_node = env_lookup_name(ctx, call)
        if name_node is not None and string_value(name_node) == OPENAI_KEY_ENV:
            if _in_gate(ctx, call):
                found.append((call, "gate"))
    for comparison in f.comparisons:  # "OPENAI_API_KEY" in os.environ
        if (
            len(comparison.comparisons) == 1
            and isinstance(comparison.comparisons[0].operator, (cst.In, cst.NotIn))
            and string_value(comparison.left) == OPENAI_KEY_ENV
            and f.qualified(comparison.comparisons[0].comparator) == "os.environ"
            and _in_gate(ctx, comparison)
        ):
            found.append((comparison, "gate"))
    if not found:
        return
    ctx.memo[WANTS_KEPT_OPENAI] = True
    if keeps_openai(ctx) or (ctx.project is not None and ctx.project.openai_kept_in):
        # a client of this file, or of a module it imports, stays on OpenAI
        # and may read the key: dropping it would break that one (audit 13,
        # RAG_Techniques: a helper module's OpenAIEmbeddings, OR413)
        return
    where = _clients_moving(ctx)
    if where is None:
        if ctx.project is None or not ctx.project.run_moves:
            # nothing of this file moves: ask whether another file of the run
            # does (comparisons.check_comparisons hands this to the project pass)
            ctx.memo[WANTS_RUN_MOVES] = True
            return
        where = "the OpenAI clients of this run (in other files) move to OpenRouter and read"
    env = ctx.settings.api_key_env
    seen: set[int] = set()
    for node, kind in found:
        if kind == "gate":
            stmt = _gate_of(ctx, node)
            if stmt is None or id(stmt) in seen:
                continue
            seen.add(id(stmt))
            ctx.report(
                stmt,
                OPENAI_KEY_KEPT,
                f"`{_gate_text(ctx, stmt)}` still requires ${OPENAI_KEY_ENV}, while {where} "
                f"${env}: test ${env} here instead (the program "
                "would not start without an OpenAI key it no longer uses)",
            )
        else:
            ctx.report(
                node,
                OPENAI_KEY_KEPT,
                f"`{redact_text(_short(ctx, node))}` still sets ${OPENAI_KEY_ENV}, while {where} "
                f"${env}: set ${env} instead (keep this line only for "
                "code that still calls OpenAI)",
            )


def keeps_openai(ctx: RuleContext) -> bool:
    """Does a client of this file stay where it points, reading
    $OPENAI_API_KEY unless told otherwise: an OpenAI client the run leaves
    (a key from a variable, a custom base_url, ``**kwargs``, a noqa...), one
    the tool cannot pin down (OR120), a LangChain model left alone (OR413)?"""
    index = clients.index(ctx)
    for site_id, site in index.sites.items():
        if site.kind in ("openai", "unresolved") and (
            site.kind == "unresolved" or ctx.client_decisions.get(site_id) == clients.DECISION_LEFT
        ):
            return True
    return any(r.rule.code == "OR413" for r in ctx.reports)


def _clients_moving(ctx: RuleContext) -> str | None:
    """What moves to OpenRouter in this file, in words ("this file's OpenAI
    clients move to OpenRouter and read"); None: nothing does."""
    index = clients.index(ctx)
    for site_id in index.sites:
        if ctx.client_decisions.get(site_id) == clients.DECISION_MIGRATE:
            return "this file's OpenAI clients move to OpenRouter and read"
    # migrated already (by an earlier run, or by hand): the gate still stops
    # a deployment configured for OpenRouter alone, so the finding stays
    # after ``migrate`` (a client on OpenRouter that reads $OPENAI_API_KEY,
    # or a key the tool cannot read, may hold the OpenRouter key there: not this)
    env = ctx.settings.api_key_env
    for site_id, site in index.sites.items():
        if ctx.client_decisions.get(site_id) != clients.DECISION_OPENROUTER:
            continue
        key = next(
            (a.value for a in site.call.args if a.keyword and a.keyword.value == "api_key"), None
        )
        name = env_lookup_name(ctx, key) if key is not None else None
        if name is not None and string_value(name) == env:
            return "this file's OpenAI clients are on OpenRouter and read"
    # LangChain's OpenAI models, as the SDK's clients: one that moves, or
    # one on OpenRouter reading its key variable (the same finding before
    # and after ``migrate``)
    from codemods.python.rules.langchain import _DECISIONS, CLASSES

    if any(d == clients.DECISION_MIGRATE for d in ctx.memo.get(_DECISIONS, {}).values()):
        return "this file's OpenAI clients move to OpenRouter and read"
    for call in ctx.facts.calls:
        if ctx.facts.qualified(call.func) not in CLASSES:
            continue
        args = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        base = args.get("base_url", args.get("openai_api_base"))
        url = string_value(base) if base is not None else None
        key = args.get("api_key", args.get("openai_api_key"))
        name = env_lookup_name(ctx, key) if key is not None else None
        if (
            url is not None
            and is_openrouter_url(url)
            and name is not None
            and string_value(name) == env
        ):
            return "this file's OpenAI clients are on OpenRouter and read"
    from codemods.python.rules.module_client import plan_for

    plan = plan_for(ctx)
    if plan.state == "migrate" or any(
        p.edits and p.rule.code in ("OR110", "OR111") for p in plan.pending
    ):
        return "the module-level openai client moves to OpenRouter and reads"
    if plan.state == "openrouter" and plan.key_env == env:
        return "the module-level openai client is on OpenRouter and reads"
    project = ctx.project
    if project is not None and any(
        state == clients.DECISION_MIGRATE for _, state in project.clients
    ):
        return "the OpenAI clients this file imports move to OpenRouter and read"
    return None


def _gate_of(ctx: RuleContext, node: cst.CSTNode) -> cst.CSTNode | None:
    """The ``if`` / ``while`` / ``assert`` whose condition holds ``node``."""
    parents = ctx.facts.parents
    child: cst.CSTNode = node
    parent = parents.get(id(node))
    while parent is not None:
        if isinstance(parent, _GATES):
            return parent if parent.test is child else None
        if isinstance(parent, (cst.BaseStatement, cst.BaseSmallStatement, cst.Lambda)):
            return None
        child, parent = parent, parents.get(id(parent))
    return None


def _in_gate(ctx: RuleContext, node: cst.CSTNode) -> bool:
    return _gate_of(ctx, node) is not None


def _gate_text(ctx: RuleContext, stmt: cst.CSTNode) -> str:
    test = _short(ctx, stmt.test)  # type: ignore[attr-defined]
    if isinstance(stmt, cst.Assert):
        return f"assert {test}"
    keyword = "while" if isinstance(stmt, cst.While) else "if"
    return f"{keyword} {test}"
