"""OR208: code that compares a model name with a bare OpenAI ID.

After the migration the IDs sent to the SDK carry the provider prefix
(``openai/gpt-4o``), and OpenRouter's responses report the prefixed ID in
``response.model``. A comparison written for the bare ID then silently takes
the other branch. These are reported, never rewritten: only a human knows
whether the code should compare with the new ID or strip the prefix.

To stay quiet on unrelated strings, a comparison is reported only in a file
that talks to the SDK's model-taking resources (an attribute ``completions``,
``responses``, ``embeddings``, ``ChatCompletion`` or ``Completion``: calls,
or mocks of them in tests), and only when one side *is a model name* and the
other a *bare ID the model table maps*:

- a model name is a variable named ``model``, ``*_model``, ``model_name``,
  ``model_id`` (any case: ``MODEL``, ``CHAT_MODEL``), the same attribute of
  ``self``/``cls``, an upper-case constant attribute
  (``config.CHAT_MODEL``), ``.model`` of an SDK response (a name assigned from an
  SDK call, or named ``response``/``resp``/``completion``/``chunk``), or a
  ``["model"]`` subscript (``kwargs["model"]``). ``settings.model`` and
  other attributes of arbitrary objects are not: their value is not
  migrated by the tool;
- the literal is an ID the table maps (for ``==``, ``!=``, ``in (...)``,
  dict keys, ``case``), or a prefix of one (for ``.startswith``).

Not reported, on purpose: ``"gpt" in model`` and ``model.endswith(...)``
keep working with the prefixed ID (``"gpt" in "openai/gpt-4o"`` is true).
"""

from __future__ import annotations

import re

import libcst as cst

from codemods.core.findings import Severity
from codemods.core.mapping import LookupKind
from codemods.core.rules import rule
from codemods.python.analysis import attribute_chain
from codemods.python.rules.base import RuleContext, checker
from codemods.python.rules.client import WANTS_KEPT_OPENAI, WANTS_RUN_MOVES, string_value
from codemods.python.rules.dataflow import short_code
from codemods.python.rules.models import SDK_METHODS

BARE_COMPARISON = rule(
    code="OR208",
    name="bare-model-comparison",
    summary="compares a model name with a bare OpenAI ID: breaks once IDs carry the prefix",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        Reports `model == "gpt-4o"`, `model != ...`, `model in ("gpt-4o", ...)`,
        `model.startswith("gpt-4")`, `PRICES[model]` / `PRICES.get(model)` /
        `model in PRICES` on a dict keyed by bare IDs, and `match model:
        case "gpt-4o":`, when the compared value is a model name (a variable
        named `model`, `*_model`, `model_name`, `model_id`, the same
        attribute of `self`/`cls`, an upper-case constant attribute such as
        `config.CHAT_MODEL`, `response.model` of an SDK response, or
        `x["model"]`) and the literal is a bare OpenAI ID of the model
        table (or, for `startswith`, a prefix of one). A module constant
        that `migrate` leaves bare (also used for something else: OR206)
        is not reported: the comparison keeps working. Nor is anything in a
        run where nothing moves to OpenRouter (only Azure clients, clients
        left alone: OR103, OR104...): a file that moves nothing itself is
        checked when another file of the run does.
    """,
    why="""
        After the migration the model IDs are `openai/gpt-4o`, and OpenRouter
        reports the prefixed ID in `response.model`: the comparison silently
        becomes false. Compare with the OpenRouter ID, or strip the provider
        (`model.split("/", 1)[-1]`). `"gpt" in model` and `endswith` are not
        reported: they still hold for the prefixed ID. Only files that call
        (or mock) the SDK's `completions`, `responses` or `embeddings` are
        checked: a price table or tokenizer module that never talks to the
        SDK keeps its OpenAI names on purpose.
    """,
    before="""
        resp = client.chat.completions.create(model="gpt-4o", messages=messages)
        if resp.model == "gpt-4o":
            log_cost(resp.usage)
    """,
)

_MODELISH = re.compile(r"(?i)^(?:\w*_)?model(?:_name|_id)?$")
_RESPONSE_NAMES = frozenset({"response", "resp", "completion", "chat_completion", "chunk"})


def _is_model_name(name: str) -> bool:
    return bool(_MODELISH.match(name))


def _is_sdk_call_func(func: cst.BaseExpression | None) -> bool:
    if func is None:
        return False
    parts, _ = attribute_chain(func)
    return any(tuple(parts[-len(p) :]) == p for p in SDK_METHODS if len(parts) >= len(p))


def _model_expr(ctx: RuleContext, node: cst.BaseExpression) -> str | None:
    """How to name ``node`` if it holds a model name; None otherwise."""
    f = ctx.facts
    if isinstance(node, cst.Name):
        return f"`{node.value}`" if _is_model_name(node.value) else None
    if isinstance(node, cst.Attribute):
        attr = node.attr.value
        base = node.value
        if isinstance(base, cst.Name) and base.value in ("self", "cls") and _is_model_name(attr):
            return f"`{base.value}.{attr}`"
        if attr.isupper() and _is_model_name(attr):
            # a constant of a module or class (``config.CHAT_MODEL``)
            return f"`{short_code(ctx, node)}`"
        if attr != "model":
            return None
        if isinstance(base, cst.Call) and _is_sdk_call_func(base.func):
            return "`.model` of the response"
        if isinstance(base, cst.Name):
            calls = f.assigned_from_call.get(base.value)
            if calls and all(c is not None and _is_sdk_call_func(c.func) for c in calls):
                return f"`{base.value}.model`"
            if base.value in _RESPONSE_NAMES:
                return f"`{base.value}.model`"
        return None
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        el = node.slice[0].slice
        if isinstance(el, cst.Index):
            key = string_value(el.value)
            if key is not None and _is_model_name(key):
                return f"`{short_code(ctx, node)}`"
    return None


def _mapped(ctx: RuleContext, node: cst.BaseExpression) -> tuple[str, str] | None:
    """(bare ID, OpenRouter ID) when ``node`` is a literal the table maps."""
    s = string_value(node)
    if s is None:
        return None
    lookup = ctx.table.lookup(s)
    if lookup.kind is LookupKind.MAPPED and lookup.target:
        return s, lookup.target
    return None


def _prefix_of_mapped(ctx: RuleContext, node: cst.BaseExpression) -> str | None:
    s = string_value(node)
    if s is None or len(s) < 2 or "/" in s:
        return None
    if any(k.startswith(s) for k in ctx.table.models):
        return s
    return None


def _collection_ids(ctx: RuleContext, node: cst.BaseExpression) -> list[tuple[str, str]]:
    """Mapped IDs among the literal elements (or dict keys) of ``node``, or of
    the module constant it names."""
    f = ctx.facts
    if isinstance(node, cst.Name):
        values = f.module_values.get(node.value)
        if not values or f.assignment_counts.get(node.value, 0) != 1:
            return []
        node = values[0]
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
            if node.func.value in ("frozenset", "set", "tuple", "list") and node.args:
                node = node.args[0].value
    out: list[tuple[str, str]] = []
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        for el in node.elements:
            m = _mapped(ctx, el.value)
            if m:
                out.append(m)
    elif isinstance(node, cst.Dict):
        for el in node.elements:
            if isinstance(el, cst.DictElement):
                m = _mapped(ctx, el.key)
                if m:
                    out.append(m)
    return out


def _rewritten(ctx: RuleContext, node: cst.BaseExpression) -> bool | None:
    """Whether ``migrate`` rewrites the value ``node`` holds: True or False for
    a module constant of this file assigned a literal once, None when the
    tool cannot tell (a parameter, an attribute, a response's ``.model``)."""
    f = ctx.facts
    if not isinstance(node, cst.Name):
        return None
    values = f.module_values.get(node.value)
    if not values or len(values) != 1 or f.assignment_counts.get(node.value, 0) != 1:
        return None
    if string_value(values[0]) is None:
        return None
    return any(r.node is values[0] and r.fix is not None for r in ctx.reports)


def _advice(ctx: RuleContext, node: cst.BaseExpression, bare: str, target: str) -> str:
    """Why a comparison of ``node`` with ``bare`` breaks (``_rewritten``
    is not False: a constant that keeps its bare ID still compares equal)."""
    if _rewritten(ctx, node):
        now = f"after the migration it is '{target}'"
    elif isinstance(node, cst.Attribute) and node.attr.value == "model":
        now = f"OpenRouter reports it as '{target}'"
    else:
        now = f"it holds '{target}' once the IDs sent to the SDK are migrated"
    return f"{now}: compare with '{target}' or strip the provider prefix"


# attribute names through which code reaches the SDK's model-taking resources
# (calls, or mocks of them such as ``mock.patch.object(client.chat.completions, ...)``)
_SDK_ATTRIBUTES = ("completions", "responses", "embeddings", "ChatCompletion", "Completion")


def talks_to_sdk(ctx: RuleContext) -> bool:
    """Does this file send or inspect model IDs of SDK requests? A file that
    only names models (price tables, tokenizers, UI labels) is never reported."""
    return any(ctx.facts.attribute_uses.get(a) for a in _SDK_ATTRIBUTES)


def moves_here(ctx: RuleContext) -> bool:
    """Does anything of this file move to OpenRouter or get rewritten for it
    (a client decided "migrate" or already on OpenRouter, the module-level
    client, a client imported from a module that moves it, a fix)?"""
    from codemods.python import clients

    on = (clients.DECISION_MIGRATE, clients.DECISION_OPENROUTER)
    if any(d in on for d in ctx.client_decisions.values()):
        return True
    if any(r.fix is not None for r in ctx.reports):
        return True
    project = ctx.project
    if project is not None and any(state in on for _, state in project.clients):
        return True
    if ctx.facts.imports_openai:
        from codemods.python.rules.module_client import plan_for

        plan = plan_for(ctx)
        if plan.state in on or any(p.edits for p in plan.pending):
            return True
    return False


@checker
def check_comparisons(ctx: RuleContext) -> None:
    moves = moves_here(ctx)
    if ctx.summary is not None:
        ctx.summary.moves = moves
        from codemods.python.rules.client import keeps_openai

        ctx.summary.keeps_openai = keeps_openai(ctx)
        ctx.summary.wants_kept_openai = bool(ctx.memo.get(WANTS_KEPT_OPENAI))
        if not moves and ctx.memo.get(WANTS_RUN_MOVES):
            ctx.summary.wants_run_moves = True  # OR123 (client.check_openai_key_kept)
    if not talks_to_sdk(ctx):
        return
    if not moves and not (ctx.project is not None and ctx.project.run_moves):
        # nothing of this file moves, and nothing else of the run is known
        # to: its model names keep their bare IDs (ask the project pass)
        if ctx.summary is not None and _candidates(ctx):
            ctx.summary.wants_run_moves = True
        return
    _check_comparisons(ctx)


def _candidates(ctx: RuleContext) -> bool:
    """Would :func:`_check_comparisons` report anything here?"""
    before = len(ctx.reports)
    _check_comparisons(ctx)
    found = len(ctx.reports) > before
    del ctx.reports[before:]
    return found


def _check_comparisons(ctx: RuleContext) -> None:
    f = ctx.facts
    for comp in f.comparisons:
        left = comp.left
        for target in comp.comparisons:
            op = target.operator
            right = target.comparator
            if isinstance(op, (cst.Equal, cst.NotEqual)):
                for a, b in ((left, right), (right, left)):
                    what = _model_expr(ctx, a)
                    m = _mapped(ctx, b) if what else None
                    if what and m and _rewritten(ctx, a) is not False:
                        ctx.report(
                            comp,
                            BARE_COMPARISON,
                            f"{what} is compared with the bare ID '{m[0]}': {_advice(ctx, a, *m)}",
                        )
                        break
            elif isinstance(op, (cst.In, cst.NotIn)):
                what = _model_expr(ctx, left)
                ids = _collection_ids(ctx, right) if what else []
                if what and ids and _rewritten(ctx, left) is not False:
                    bare, new = ids[0]
                    ctx.report(
                        comp,
                        BARE_COMPARISON,
                        f"{what} is looked up among bare IDs ('{bare}'"
                        f"{', ...' if len(ids) > 1 else ''}): {_advice(ctx, left, bare, new)}",
                    )
            left = right
    for call in f.calls:
        func = call.func
        if not isinstance(func, cst.Attribute) or not call.args:
            continue
        method = func.attr.value
        if method == "startswith":
            what = _model_expr(ctx, func.value)
            if not what or _rewritten(ctx, func.value) is False:
                continue
            arg = call.args[0].value
            options = (
                [el.value for el in arg.elements]
                if isinstance(arg, (cst.Tuple, cst.List))
                else [arg]
            )
            prefixes = [p for p in (_prefix_of_mapped(ctx, o) for o in options) if p]
            if prefixes:
                ctx.report(
                    call,
                    BARE_COMPARISON,
                    f"{what}.startswith('{prefixes[0]}') is false for the prefixed IDs "
                    f"after the migration ('openai/{prefixes[0]}...'): test the part after "
                    "the provider prefix, or the OpenRouter ID",
                )
        elif method == "get" and isinstance(func.value, cst.Name):
            what = _model_expr(ctx, call.args[0].value)
            ids = _collection_ids(ctx, func.value) if what else []
            if what and ids and _rewritten(ctx, call.args[0].value) is not False:
                _report_index(ctx, call, func.value.value, what, ids, call.args[0].value)
    for sub in f.subscripts:
        if not isinstance(sub.value, cst.Name) or len(sub.slice) != 1:
            continue
        el = sub.slice[0].slice
        if not isinstance(el, cst.Index):
            continue
        what = _model_expr(ctx, el.value)
        ids = _collection_ids(ctx, sub.value) if what else []
        if what and ids and _rewritten(ctx, el.value) is not False:
            _report_index(ctx, sub, sub.value.value, what, ids, el.value)
    for match in f.matches:
        subject = getattr(match, "subject", None)
        what = _model_expr(ctx, subject) if subject is not None else None
        if not what or _rewritten(ctx, subject) is False:
            continue
        for case in getattr(match, "cases", ()):
            for value in _case_values(case.pattern):
                m = _mapped(ctx, value)
                if m:
                    ctx.report(
                        case.pattern,
                        BARE_COMPARISON,
                        f"`case '{m[0]}'` on {what} no longer matches: {_advice(ctx, subject, *m)}",
                    )
                    break


def _report_index(
    ctx: RuleContext,
    node: cst.CSTNode,
    table: str,
    what: str,
    ids: list[tuple[str, str]],
    key: cst.BaseExpression,
) -> None:
    bare, new = ids[0]
    now = _advice(ctx, key, bare, new).split(":", 1)[0]
    ctx.report(
        node,
        BARE_COMPARISON,
        f"`{table}` is keyed by bare IDs ('{bare}'{', ...' if len(ids) > 1 else ''}) and "
        f"indexed with {what}: {now} (add the "
        "OpenRouter IDs as keys, or strip the provider prefix before the lookup)",
    )


def _case_values(pattern: cst.CSTNode) -> list[cst.BaseExpression]:
    if isinstance(pattern, cst.MatchValue):
        return [pattern.value]
    if isinstance(pattern, cst.MatchOr):
        out: list[cst.BaseExpression] = []
        for el in pattern.patterns:
            out.extend(_case_values(el.pattern))
        return out
    if isinstance(pattern, cst.MatchAs) and pattern.pattern is not None:
        return _case_values(pattern.pattern)
    return []
