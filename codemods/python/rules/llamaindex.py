"""OR451-OR453: LlamaIndex's OpenAI classes.

``llama_index.llms.openai.OpenAI`` looks every model name up in its own
table (``openai_modelname_to_contextsize``, read by ``.metadata`` on every
chat): ``"openai/gpt-4o"`` raises ``ValueError: Unknown model``. So a
prefixed ID must never be left on that class. The class that takes
OpenRouter IDs is ``llama_index.llms.openrouter.OpenRouter``
(llama-index-llms-openrouter, checked at 0.6.0 with llama-index-llms-openai
0.7.10 and llama-index-core 0.14): an ``OpenAILike`` with
``api_base="https://openrouter.ai/api/v1"`` and ``api_key`` from the argument
or ``$OPENROUTER_API_KEY``. Its defaults differ from ``OpenAI``'s:
``max_tokens`` 256 (``OpenAI``: None, no limit), ``context_window`` 3900 and
``is_function_calling_model`` False (``OpenAI`` looks both up by model), and
with no ``model`` it uses ``gryphe/mythomax-l2-13b``. The rewrite states
them explicitly so the LLM behaves as before.

``llama_index.embeddings.openai.OpenAIEmbedding`` checks ``model`` against
an enum of OpenAI embedding models; there is no OpenRouter embedding class.
It is reported with the way to write it (``model_name=`` skips the check).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from codemods.core.findings import DEFAULT_BASE_URL, Severity
from codemods.core.mapping import LookupKind, load_catalog
from codemods.core.rules import rule
from codemods.python.analysis import dotted_name
from codemods.python.rules._edit import keyword_arg, replace_string, string_literal
from codemods.python.rules.base import Report, RuleContext, checker
from codemods.python.rules.client import (
    _headers_dict,
    _merge_headers,
    _os_environ,
    _os_usable,
    add_import_os,
    string_value,
)
from codemods.python.rules.dataflow import Resolver, Sink, blocked_holder, short_code

LLM_CLASSES = ("llama_index.llms.openai.OpenAI", "llama_index.llms.openai.base.OpenAI")
# LlamaIndex before 0.10 (one package: ``llama_index/llms/__init__.py``
# re-exported ``OpenAI``) and 0.10's copy of it, llama-index-legacy
# (``llama_index/legacy/llms/__init__.py``): the same model-name check, so
# reported, never rewritten (the OpenRouter class there is
# ``llama_index.legacy.llms.OpenRouter``, in 0.9.4x ``llama_index.llms.OpenRouter``)
LEGACY_LLM_CLASSES = (
    "llama_index.llms.OpenAI",
    "llama_index.legacy.llms.OpenAI",
    "llama_index.legacy.llms.openai.OpenAI",
)
EMBEDDING_CLASSES = (
    "llama_index.embeddings.openai.OpenAIEmbedding",
    "llama_index.embeddings.openai.base.OpenAIEmbedding",
    # LlamaIndex before 0.10 (``llama_index/embeddings/__init__.py`` and the
    # package's top level re-exported it; ``llama_index.embeddings.openai``
    # is the same path there) and llama-index-legacy: the same enum check on
    # ``model``, which ``model_name=`` overrides
    "llama_index.OpenAIEmbedding",
    "llama_index.embeddings.OpenAIEmbedding",
    "llama_index.legacy.OpenAIEmbedding",
    "llama_index.legacy.embeddings.OpenAIEmbedding",
    "llama_index.legacy.embeddings.openai.OpenAIEmbedding",
)
RESPONSES_CLASSES = (
    "llama_index.llms.openai.OpenAIResponses",
    "llama_index.llms.openai.responses.OpenAIResponses",
)
OPENROUTER_MODULE = "llama_index.llms.openrouter"
OPENROUTER_CLASS = "OpenRouter"
# arguments that point the LLM at another endpoint or client: not moved
ELSEWHERE = ("api_base", "api_version", "openai_client", "async_openai_client")

LLM = rule(
    code="OR451",
    name="llamaindex-openai-llm",
    summary="LlamaIndex OpenAI LLM: rewrite to llama_index.llms.openrouter.OpenRouter",
    severity=Severity.ERROR,
    fixable=True,
    sometimes_unsafe=True,
    what="""
        Rewrites `llama_index.llms.openai.OpenAI(model=...)` to
        `llama_index.llms.openrouter.OpenRouter(...)` with the OpenRouter
        model ID, `api_key=os.environ["OPENROUTER_API_KEY"]`, and the
        settings in which the two classes differ written out: `max_tokens=None`
        (OpenRouter's default is 256), `context_window` and
        `is_function_calling_model` from the catalog snapshot (OpenRouter's
        defaults are 3900 and False; `OpenAI` looks them up by model). The
        import `from llama_index.llms.openrouter import OpenRouter` is added;
        the old import stays (remove it if nothing else uses it). The model
        is followed like the SDK's `model=` (constants, parameters...).
        Reported instead, with the reason, when the model is missing or
        cannot be followed to one mapped ID, or the LLM has `api_base`,
        `api_version`, its own `openai_client`, `**kwargs` or positional
        arguments after the model. The OpenAI LLM of LlamaIndex before 0.10
        (`from llama_index.llms import OpenAI`, and llama-index-legacy's
        `llama_index.legacy.llms`) is reported, never rewritten. Checked against llama-index-llms-openai
        0.7 and llama-index-llms-openrouter 0.6 (the package must be
        installed: `pip install llama-index-llms-openrouter`).
    """,
    why="""
        The OpenAI class refuses model names it does not know, so
        `OpenAI(model="openai/gpt-4o")` raises `Unknown model` at the first
        call: the OpenRouter ID needs the OpenRouter class.
    """,
    before="""
        from llama_index.llms.openai import OpenAI

        llm = OpenAI(model="gpt-4o", temperature=0.2)
    """,
    after="""
        import os
        from llama_index.llms.openai import OpenAI
        from llama_index.llms.openrouter import OpenRouter

        llm = OpenRouter(model="openai/gpt-4o", temperature=0.2, api_key=os.environ["OPENROUTER_API_KEY"], max_tokens=None, context_window=128000, is_function_calling_model=True)
    """,
    fix_safety="""
        Always unsafe (applied with `--unsafe-fixes`): another class with
        other defaults (`max_retries` 5 instead of 3; no
        `OpenAI-Organization`), a new package to install, and
        `OPENROUTER_API_KEY` must be set.
    """,
)

EMBEDDING = rule(
    code="OR452",
    name="llamaindex-openai-embedding",
    summary="LlamaIndex OpenAIEmbedding: no OpenRouter class, move it by hand",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports `llama_index.embeddings.openai.OpenAIEmbedding(...)`, and
        legacy LlamaIndex's (before 0.10, and llama-index-legacy):
        `from llama_index.embeddings import OpenAIEmbedding`,
        `from llama_index import OpenAIEmbedding`,
        `llama_index.legacy.embeddings.OpenAIEmbedding`.
    """,
    why="""
        `OpenAIEmbedding` checks `model` against its enum of OpenAI models,
        so an OpenRouter ID there raises. Pass the ID as `model_name=` (which
        skips the check) with `api_base="https://openrouter.ai/api/v1"` and
        `api_key=os.environ["OPENROUTER_API_KEY"]`, and only for embedding
        models OpenRouter serves (`openai/text-embedding-3-small`...).
    """,
    before="""
        from llama_index.embeddings.openai import OpenAIEmbedding

        embed_model = OpenAIEmbedding(model="text-embedding-3-small")
    """,
)

RESPONSES = rule(
    code="OR453",
    name="llamaindex-openai-responses",
    summary="LlamaIndex OpenAIResponses: no OpenRouter class for the Responses API",
    severity=Severity.WARNING,
    fixable=False,
    what="Reports `llama_index.llms.openai.OpenAIResponses(...)`.",
    why="""
        It checks model names like `OpenAI` and keeps state on OpenAI's
        servers (`previous_response_id`). Use
        `llama_index.llms.openrouter.OpenRouter` (chat completions) instead.
    """,
    before="""
        from llama_index.llms.openai import OpenAIResponses

        llm = OpenAIResponses(model="gpt-4o")
    """,
)


def _keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for a in call.args:
        if a.keyword is not None and a.keyword.value == name:
            return a
    return None


def _openrouter_name_free(ctx: RuleContext) -> bool:
    """``OpenRouter`` is unbound in the file, or bound to the right class."""
    f = ctx.facts
    if OPENROUTER_CLASS in f.other_bindings:
        return False
    bound = f.imports.get(OPENROUTER_CLASS)
    return not bound or bound == {f"{OPENROUTER_MODULE}.{OPENROUTER_CLASS}"}


def _import_openrouter(ctx: RuleContext) -> cst.CSTNode | None:
    """Where the ``from llama_index.llms.openrouter import OpenRouter`` line goes:
    after the statement importing llama_index's OpenAI (the fix edits the module)."""
    for stmt in ctx.module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if isinstance(small, (cst.Import, cst.ImportFrom)) and _names_llms_openai(small):
                return stmt
    return None


def _names_llms_openai(node: cst.Import | cst.ImportFrom) -> bool:
    if isinstance(node, cst.ImportFrom):
        return node.module is not None and (dotted_name(node.module) or "").startswith(
            "llama_index.llms.openai"
        )
    return any(
        (dotted_name(a.name) or "").startswith("llama_index.llms.openai") for a in node.names
    )


def _add_import(ctx: RuleContext, after: cst.CSTNode) -> cst.CSTNode:
    """A fix of the module: the import line after ``after`` (once)."""
    line = cst.parse_statement(f"from {OPENROUTER_MODULE} import {OPENROUTER_CLASS}\n")

    def fix(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Module)
        body = list(node.body)
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine) and any(
                isinstance(s, cst.ImportFrom)
                and s.module is not None
                and dotted_name(s.module) == OPENROUTER_MODULE
                and not isinstance(s.names, cst.ImportStar)
                and any(
                    a.asname is None and dotted_name(a.name) == OPENROUTER_CLASS for a in s.names
                )
                for s in stmt.body
            ):
                return node
        index = next(
            (i for i, s in enumerate(body) if s.deep_equals(after)),
            None,
        )
        if index is None:
            return node
        body.insert(index + 1, line)
        return node.with_changes(body=body)

    return fix  # type: ignore[return-value]


@dataclass
class _Plan:
    call: cst.Call
    reasons: list[str] = field(default_factory=list)
    sink: Sink | None = None
    target: str | None = None
    # (literal, OpenRouter ID) the rewrite changes on the model's path
    literals: list[tuple[cst.SimpleString, str]] = field(default_factory=list)


def _plan_llms(ctx: RuleContext, calls: list[cst.Call]) -> list[_Plan]:
    """What each construction needs, with the models of all of them followed
    at once (a constant given to two of them is theirs alone)."""
    f = ctx.facts
    plans = [_Plan(call) for call in calls]
    resolver = Resolver(ctx)
    os_usable = _os_usable(ctx)
    name_free = _openrouter_name_free(ctx)
    for plan in plans:
        call = plan.call
        reasons = plan.reasons
        positional = [a for a in call.args if a.keyword is None]
        if any(a.star for a in call.args):
            reasons.append("`*`/`**` arguments (they may carry `api_base` or the model)")
        elif len(positional) > 1:
            reasons.append(
                "positional arguments after the model (OpenRouter orders them otherwise)"
            )
        for name in ELSEWHERE:
            if _keyword(call, name) is not None:
                reasons.append(f"`{name}=` points it at another endpoint or client")
        key_arg = _keyword(call, "api_key")
        if (
            key_arg is not None
            and type(key_arg.value) is cst.Name
            and len(f.name_uses.get(key_arg.value.value, ())) > 1
        ):
            # replacing this read would change what the variable's other
            # readers (an SDK client...) decide on the next run
            reasons.append(
                f"its key `{key_arg.value.value}` is also read elsewhere: make every "
                "reader use OPENROUTER_API_KEY (or a variable of its own) first"
            )
        if not name_free:
            reasons.append("the name `OpenRouter` is bound to something else in this file")
        if not os_usable:
            reasons.append("`import os` cannot be added here")
        model_arg = _keyword(call, "model") or (positional[0] if positional else None)
        if model_arg is None:
            reasons.append(
                "no `model=`: llama-index-llms-openai's default ('gpt-3.5-turbo' in 0.7) "
                "would become OpenRouter's default 'gryphe/mythomax-l2-13b'; write the model"
            )
            continue
        plan.sink = resolver.add(
            Sink(
                model_arg.value,
                model_arg.value,
                f.scope_of.get(id(call)),
                certain=True,
                safe=False,
                subject="the model",
            )
        )
    flow = resolver.run()
    by_sink = {id(p.sink): p for p in plans if p.sink is not None}
    sources_of: dict[int, list] = {}
    for src in flow.sources.values():
        for s in src.sinks:
            sources_of.setdefault(id(s), []).append(src)
    for plan in plans:
        if plan.sink is None:
            continue
        unknowns = list(dict.fromkeys(flow.unknowns.get(id(plan.sink), ())))
        if unknowns:
            plan.reasons.append(f"the model comes from {'; '.join(unknowns[:2])}")
        targets: set[str] = set()
        for src in sources_of.get(id(plan.sink), ()):
            literal = string_value(src.node) or ""
            lookup = ctx.table.lookup(literal)
            if lookup.kind is LookupKind.MAPPED and lookup.target:
                shared = blocked_holder(src, flow.reached)
                if shared is not None:
                    plan.reasons.append(f"{shared[0].label} is also read for something else")
                    continue
                targets.add(lookup.target)
                plan.literals.append((src.node, lookup.target))
            elif lookup.kind is LookupKind.ALREADY_OPENROUTER:
                targets.add(literal)  # an OpenRouter ID: this class cannot take it
            elif lookup.kind is LookupKind.NO_EQUIVALENT:
                plan.reasons.append(f"'{literal}' has no OpenRouter equivalent")
            else:
                plan.reasons.append(f"no OpenRouter ID known for '{literal}'")
        if len(targets) > 1:
            plan.reasons.append("the model can be one of several IDs")
        elif targets and not unknowns:
            (plan.target,) = targets
    # a literal rewritten for one construction must not reach one that stays
    # the OpenAI class: then neither moves
    changed = True
    while changed:
        changed = False
        for src in flow.sources.values():
            owners = [by_sink[id(s)] for s in src.sinks if id(s) in by_sink]
            if any(o.reasons or o.target is None for o in owners):
                for o in owners:
                    if not o.reasons and o.target is not None:
                        o.reasons.append(
                            "its model constant also reaches an OpenAI LLM that is not rewritten"
                        )
                        changed = True
    return plans


def _check_llm(ctx: RuleContext, plan: _Plan, where: cst.CSTNode | None) -> Report | None:
    call = plan.call
    reasons = plan.reasons
    if where is None and not reasons:
        reasons.append("the import of llama_index's OpenAI is not a top-level statement")
    target = plan.target
    if reasons or target is None:
        why = "; ".join(dict.fromkeys(reasons)) or "the model cannot be mapped"
        ctx.report(
            call,
            LLM,
            f"`{short_code(ctx, call.func)}` of llama_index refuses OpenRouter model IDs and is "
            f"not rewritten ({why}): use llama_index.llms.openrouter.OpenRouter(model="
            "'<provider>/<model>', api_key=os.environ['OPENROUTER_API_KEY'], max_tokens=None)",
        )
        return None
    extra: list[cst.Arg] = []
    if _keyword(call, "max_tokens") is None:
        extra.append(keyword_arg("max_tokens", cst.Name("None")))
    model = load_catalog().get(target)
    if model is not None:
        if _keyword(call, "context_window") is None and model.context_length:
            extra.append(keyword_arg("context_window", cst.Integer(str(model.context_length))))
        if _keyword(call, "is_function_calling_model") is None and (
            "tools" in model.supported_parameters
        ):
            extra.append(keyword_arg("is_function_calling_model", cst.Name("True")))
    # the run's OpenRouter settings, as for the SDK's clients (--base-url,
    # --app-url, --app-title)
    st = ctx.settings
    if st.base_url != DEFAULT_BASE_URL:
        extra.insert(0, keyword_arg("api_base", string_literal(st.base_url)))
    headers: list[tuple[str, str]] = []
    if st.app_url:
        headers.append(("HTTP-Referer", st.app_url))
    if st.app_title:
        headers.append((st.title_header, st.app_title))
    given_headers = _keyword(call, "default_headers")
    note = ""
    if headers and given_headers is None:
        extra.append(keyword_arg("default_headers", _headers_dict(headers)))
    elif headers and given_headers is not None and not isinstance(given_headers.value, cst.Dict):
        note = "; add the attribution headers to its default_headers by hand"
    key = _os_environ(ctx)
    had_key = _keyword(call, "api_key") is not None

    def fix(node: cst.CSTNode) -> cst.CSTNode:
        assert isinstance(node, cst.Call)
        args = []
        for a in node.args:
            name = a.keyword.value if a.keyword is not None else None
            if name == "api_key":
                a = a.with_changes(value=key)
            elif name == "default_headers" and headers and isinstance(a.value, cst.Dict):
                a = a.with_changes(value=_merge_headers(a.value, headers))
            args.append(a)
        new = [] if had_key else [keyword_arg("api_key", key)]
        new += extra
        return node.with_changes(func=cst.Name(OPENROUTER_CLASS), args=_append(node, args, new))

    report = ctx.report(
        call,
        LLM,
        f"`{short_code(ctx, call.func)}` of llama_index refuses OpenRouter model IDs: use "
        f"llama_index.llms.openrouter.OpenRouter(model='{target}') (needs the "
        f"llama-index-llms-openrouter package and OPENROUTER_API_KEY){note}",
        fix=fix,
        unsafe=True,
    )
    for node, new_id in plan.literals:
        ctx.needs(report, node, lambda n, t=new_id: replace_string(n, t))  # type: ignore[misc]
    add_import_os(ctx, report)
    assert where is not None
    ctx.needs(report, ctx.module, _add_import(ctx, where))  # type: ignore[arg-type]
    return report


def _append(call: cst.Call, args: list[cst.Arg], new: list[cst.Arg]) -> list[cst.Arg]:
    """``args`` followed by ``new``, laid out like the call: one per line
    (indented as the first argument) when the call starts its arguments on
    a new line, else inline."""
    if not new:
        return args
    sep = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        sep = cst.Comma(whitespace_after=call.whitespace_before_args)
    if not args:
        return [a.with_changes(comma=sep) for a in new[:-1]] + new[-1:]
    last = args[-1]
    out = [
        *args[:-1],
        last.with_changes(comma=sep, whitespace_after_arg=cst.SimpleWhitespace("")),
    ]
    out += [a.with_changes(comma=sep) for a in new[:-1]]
    out.append(
        new[-1].with_changes(comma=last.comma, whitespace_after_arg=last.whitespace_after_arg)
    )
    return out


@checker
def check_llamaindex(ctx: RuleContext) -> None:
    f = ctx.facts
    if not f.imports_module("llama_index"):
        return
    llms = [c for c in f.calls if f.qualified(c.func) in LLM_CLASSES]
    if llms:
        where = _import_openrouter(ctx)
        reports: list[tuple[_Plan, Report]] = []
        for plan in _plan_llms(ctx, llms):
            report = _check_llm(ctx, plan, where)
            if report is not None:
                reports.append((plan, report))
        # constructions sharing a rewritten literal stand or fall together
        for plan, report in reports:
            mine = {id(n) for n, _ in plan.literals}
            for other, other_report in reports:
                if other is not plan and mine & {id(n) for n, _ in other.literals}:
                    report.requires.append(other_report)
    for call in f.calls:
        q = f.qualified(call.func)
        if q in LLM_CLASSES:
            continue
        elif q in LEGACY_LLM_CLASSES:
            ctx.report(
                call,
                LLM,
                f"`{short_code(ctx, call.func)}` is legacy LlamaIndex's OpenAI LLM (`{q}`, "
                "llama-index before 0.10): it calls OpenAI and refuses OpenRouter model IDs; "
                "not rewritten: use the OpenRouter class (llama_index.llms.openrouter.OpenRouter "
                "from 0.10, llama_index.legacy.llms.OpenRouter in llama-index-legacy) with "
                "model='openai/<model>', api_key=os.environ['OPENROUTER_API_KEY'], max_tokens=None",
            )
        elif q in EMBEDDING_CLASSES:
            ctx.report(
                call,
                EMBEDDING,
                "llama_index's OpenAIEmbedding checks `model` against OpenAI's names: to use "
                "OpenRouter pass model_name='openai/<model>' (an embedding model OpenRouter "
                "serves), api_base='https://openrouter.ai/api/v1' and "
                "api_key=os.environ['OPENROUTER_API_KEY']",
            )
        elif q in RESPONSES_CLASSES:
            ctx.report(
                call,
                RESPONSES,
                "llama_index's OpenAIResponses refuses OpenRouter model IDs: use "
                "llama_index.llms.openrouter.OpenRouter (chat completions)",
            )
