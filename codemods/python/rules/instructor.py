"""instructor's own client factory: ``instructor.from_provider("openai/...")``.

Clients wrapped with ``instructor.from_openai(client)`` / ``patch`` /
``apatch`` are followed by the per-client engine (codemods/python/clients.py: their
methods, a ``model=`` given to ``from_openai``, ``Instructor``-typed
parameters) and a mode instructor refuses on OpenRouter leaves the client
on OpenAI (OR121, codemods/python/rules/client.py). ``from_provider`` builds its
own OpenAI client inside instructor, from ``OPENAI_API_KEY``: nothing in the
program says where it points, so it is handled here, on its own.

Facts (instructor's source): ``from_provider("openrouter/<model>")`` exists
since instructor 1.11.0 (``auto_client.py``, in 1.15.3+
``v2/auto_client.py``): it reads ``api_key=`` or ``OPENROUTER_API_KEY``,
takes ``base_url=`` (default ``https://openrouter.ai/api/v1``), defaults to
``Mode.TOOLS`` as the openai provider does, and passes every other keyword
to the ``Instructor`` it returns, which merges them into every request
(``Instructor.handle_kwargs``): ``extra_headers=`` reaches each request, but
an OpenAI client option (``organization=``, ``timeout=``, ``max_retries=``)
would change meaning. In 1.11.0 to 1.15.1 it wraps the client with
``from_openai``, which accepts only TOOLS, JSON and
OPENROUTER_STRUCTURED_OUTPUTS for an OpenRouter base URL.
"""

from __future__ import annotations

import libcst as cst

from codemods.core.findings import DEFAULT_API_KEY_ENV, DEFAULT_BASE_URL, Severity
from codemods.core.mapping import LookupKind
from codemods.core.rules import rule
from codemods.python.analysis import dotted_name
from codemods.python.clients import INSTRUCTOR_OPENROUTER_MODES
from codemods.python.rules._edit import keyword_arg, replace_string, string_literal
from codemods.python.rules.base import RuleContext, checker
from codemods.python.rules.client import _headers_dict, _os_usable, add_import_os, string_value

FROM_PROVIDER = rule(
    code="OR421",
    name="instructor-from-provider",
    summary='`instructor.from_provider("openai/...")` builds a client that talks to OpenAI',
    severity=Severity.WARNING,
    fixable=True,
    what="""
        Reports `instructor.from_provider("openai/<model>")`: instructor
        builds an OpenAI client from `OPENAI_API_KEY` inside the call. The
        fix writes the OpenRouter provider instead,
        `instructor.from_provider("openrouter/openai/<model>")`, with the
        model ID mapped through the model table (and `base_url=`,
        `api_key=` and `extra_headers=` when `--base-url`, `--api-key-env`,
        `--app-url`/`--app-title` ask for them). A call that passes
        something the OpenRouter provider reads differently (`api_key=`,
        `organization=`, `timeout=`, `max_retries=`, `**options`, a mode
        other than TOOLS, JSON or OPENROUTER_STRUCTURED_OUTPUTS), or whose
        model is not a literal the table maps, is reported without a fix.
    """,
    why="""
        instructor's `openrouter/` provider (instructor 1.11.0 and later)
        builds the client with OpenRouter's base URL and the
        `OPENROUTER_API_KEY` key, and sends the model that follows the
        prefix: `openai/gpt-4o`. Its other keywords become defaults of every
        request, so an OpenAI client option would be sent as a request
        parameter. The default mode is TOOLS for both providers; instructor
        1.11.0 to 1.15.1 refuse other modes than TOOLS, JSON and
        OPENROUTER_STRUCTURED_OUTPUTS for OpenRouter.
    """,
    before="""
        import instructor
        client = instructor.from_provider("openai/gpt-4o")
    """,
    after="""
        import instructor
        client = instructor.from_provider("openrouter/openai/gpt-4o")
    """,
    fix_safety="""
        Always unsafe: the program then needs `OPENROUTER_API_KEY` in place
        of `OPENAI_API_KEY`, and instructor 1.11.0 or later; the tool cannot
        check either.
    """,
    sometimes_unsafe=True,
)

_FROM_PROVIDER = frozenset({"instructor.from_provider", "instructor.auto_client.from_provider"})
# keywords the openrouter provider reads as the openai provider does
_SAME = frozenset({"async_client", "cache"})


@checker
def check_from_provider(ctx: RuleContext) -> None:
    f = ctx.facts
    if not f.imports_module("instructor"):
        return
    for call in f.calls:
        if f.qualified(call.func) not in _FROM_PROVIDER:
            continue
        _check(ctx, call)


def _check(ctx: RuleContext, call: cst.Call) -> None:
    model_node: cst.BaseExpression | None = None
    model_index = -1
    blockers: list[str] = []
    for i, a in enumerate(call.args):
        if a.star:
            blockers.append(f"`{a.star}{ctx.module.code_for_node(a.value)}`")
            continue
        name = a.keyword.value if a.keyword is not None else None
        if (name is None and i == 0) or name == "model":
            model_node = a.value
            model_index = i
        elif name == "mode":
            mode = dotted_name(a.value)
            if mode is None or mode.rsplit(".", 1)[-1] not in INSTRUCTOR_OPENROUTER_MODES:
                blockers.append(f"`mode={ctx.module.code_for_node(a.value)}`")
        elif name not in _SAME:
            blockers.append(f"`{name}=`" if name else "a positional argument")
    if model_node is None:
        return
    value = string_value(model_node)
    if value is None and isinstance(model_node, cst.Name):
        # a module string constant: reported (its other readers are not checked)
        constant = ctx.facts.string_constants.get(model_node.value)
        value = None if constant is None else string_value(constant.value)
    if value is None:
        return  # an expression the tool does not read
    provider, _, model = value.partition("/")
    if provider != "openai" or not model:
        return
    lookup = ctx.table.lookup(model)
    shown = f'`instructor.from_provider("{value}")`'
    if lookup.kind is not LookupKind.MAPPED or lookup.target is None:
        why = {
            LookupKind.NO_EQUIVALENT: "has no OpenRouter equivalent",
            LookupKind.FINE_TUNE: "is a fine-tune, which OpenRouter does not serve",
        }.get(lookup.kind, "is not in the model table")
        ctx.report(
            call,
            FROM_PROVIDER,
            f"{shown} builds a client that talks to OpenAI; the model '{model}' {why}: "
            'choose an OpenRouter model and write `from_provider("openrouter/<model>")`',
        )
        return
    target = "openrouter/" + lookup.target
    s = ctx.settings
    os_needed = s.api_key_env != DEFAULT_API_KEY_ENV
    if os_needed:
        if not _os_usable(ctx):
            blockers.append("`os` (needed for the key) means something else in this file")
    message = (
        f'{shown} builds a client that talks to OpenAI: use `from_provider("{target}")` '
        f"(instructor>=1.11.0; the key comes from {s.api_key_env})"
    )
    if blockers or not isinstance(model_node, cst.SimpleString):
        why = (
            f"it passes {', '.join(blockers)}, which the OpenRouter provider reads differently"
            if blockers
            else f"the model comes from `{ctx.module.code_for_node(model_node)}`: change it there"
        )
        ctx.report(call, FROM_PROVIDER, f"{message}; not rewritten: {why}")
        return
    extra: list[cst.Arg] = []
    if s.base_url != DEFAULT_BASE_URL:
        extra.append(keyword_arg("base_url", string_literal(s.base_url)))
    if os_needed:
        env = cst.Subscript(
            value=cst.Attribute(value=cst.Name("os"), attr=cst.Name("environ")),
            slice=[cst.SubscriptElement(slice=cst.Index(value=string_literal(s.api_key_env)))],
        )
        extra.append(keyword_arg("api_key", env))
    headers: list[tuple[str, str]] = []
    if s.app_url:
        headers.append(("HTTP-Referer", s.app_url))
    if s.app_title:
        headers.append((s.title_header, s.app_title))
    if headers:
        extra.append(keyword_arg("extra_headers", _headers_dict(headers)))

    def fix(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        args = list(node.args)
        old = args[model_index].value
        assert isinstance(old, cst.SimpleString)
        args[model_index] = args[model_index].with_changes(value=replace_string(old, target))
        if extra:
            last = args[-1]
            if last.comma is cst.MaybeSentinel.DEFAULT:
                args[-1] = last.with_changes(
                    comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
                )
            for j, a in enumerate(extra):
                if j < len(extra) - 1:
                    a = a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                args.append(a)
        return node.with_changes(args=args)

    report = ctx.report(call, FROM_PROVIDER, message, fix=fix, unsafe=True)
    if os_needed:
        add_import_os(ctx, report)
