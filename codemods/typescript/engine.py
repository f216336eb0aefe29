"""The engine for TypeScript/JavaScript files: bytes in, :class:`FileResult` out.

    data -> size/NUL/UTF-8 checks -> tree-sitter (grammar by extension)
         -> facts -> rules -> noqa (``// noqa: OR201``) -> requirements
         -> edits spliced into the original bytes -> re-parse -> result

Pure: no I/O, no printing; runs unchanged in a worker process
(:mod:`codemods.core.runner` dispatches here by extension, through the
table of :mod:`codemods.core.frontends`).

Safety:

* a file tree-sitter cannot parse cleanly (ERROR or MISSING nodes; JSX text
  with a bare ``&`` is one) is reported as a file error and not rewritten:
  its findings are still shown, without fixes;
* the migrated bytes must parse with no ERROR or MISSING node, else nothing
  is written and the file is named;
* edits are byte ranges of the original, so everything else (comments,
  quotes, trailing commas, CRLF, a BOM) is kept byte for byte; a second run
  finds nothing left to fix.
"""

from __future__ import annotations

import re
from typing import Any

from codemods.core.engine import (
    EngineConfig,
    _with_requirements,
    oversize_error,
    wants_noqa_report,
    with_display_only,
)
from codemods.core.findings import (
    DISPLAY_ONLY,
    FAILS_ON_OPENROUTER,
    SAFE,
    UNSAFE,
    FileError,
    FileResult,
    Finding,
    Settings,
)
from codemods.core.mapping import MappingError
from codemods.core.prefilter import may_need_work
from codemods.core.project import ModuleSummary, ProjectInput
from codemods.core.secrets import redact_text
from codemods.core.suppress import Suppressions
from codemods.typescript import grammar_of
from codemods.typescript.parser import GrammarError, count_problems, first_problem, parse

__all__ = ["analyze_typescript", "process_typescript"]

_NOQA = re.compile(
    r"(?://|/\*)\s*(?:noqa|(?P<tool>openrouter-migrate):\s*ignore)"
    r"(?:(?::\s*|\[)(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)\]?)?",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)


def process_typescript(
    path: str,
    data: bytes,
    config: EngineConfig,
    *,
    prefilter: bool = True,
    project: ProjectInput | None = None,
) -> FileResult:
    """Analyse (and compute the migration of) one TypeScript/JavaScript file."""
    return analyze_typescript(path, data, config, prefilter=prefilter, project=project)[0]


def analyze_typescript(
    path: str,
    data: bytes,
    config: EngineConfig,
    *,
    prefilter: bool = True,
    project: ProjectInput | None = None,
) -> tuple[FileResult, ModuleSummary | None]:
    """:func:`process_typescript`, and what the file tells the project pass
    (the clients it exports, the names it imports from project files and
    how it uses them: :func:`codemods.typescript.rules.module_summary`)."""
    settings = config.settings
    if prefilter and not may_need_work(data) and not wants_noqa_report(data, settings):
        return FileResult(path, skipped=True), None
    too_large = oversize_error(path, data, settings)
    if too_large is not None:
        return FileResult(path, errors=[too_large]), None
    if b"\0" in data:
        before = data[: data.index(b"\0")]
        line = before.count(b"\n") + 1
        return FileResult(
            path, errors=[FileError(path, "source contains a NUL byte (not a text file?)", line)]
        ), None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return FileResult(
            path, errors=[FileError(path, f"cannot decode as utf-8: {e.reason}", line)]
        ), None
    try:
        return _process(path, data, config, project)
    except GrammarError as e:
        return FileResult(path, errors=[FileError(path, f"{e}; not analysed")]), None
    except MappingError as e:
        return FileResult(path, errors=[FileError(path, f"mapping error: {e}")]), None
    except RecursionError:
        return FileResult(path, errors=[FileError(path, "too deeply nested to analyse")]), None


class _Lines:
    """(line, column) of byte offsets: 1-based lines, 0-based character columns."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.starts = [0] + [m.end() for m in re.finditer(rb"\r\n|\r|\n", data)]

    def point(self, offset: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        col = len(self.data[start:offset].decode("utf-8", "replace"))
        if line == 0 and self.data.startswith(b"\xef\xbb\xbf"):
            col = max(0, col - 1)
        return line + 1, col


def analyze_candidate(
    path: str, data: bytes, config: EngineConfig
) -> tuple[FileResult, ModuleSummary | None]:
    """The runner's entry (``codemods/core/frontends.py``): a file its
    prefilter let through, and what it tells the cross-module pass."""
    return analyze_typescript(path, data, config, prefilter=False)


def analyze_with_project(
    path: str, data: bytes, config: EngineConfig, project: ProjectInput
) -> tuple[FileResult, ModuleSummary | None]:
    """The runner's second-round entry (codemods/typescript/project.py)."""
    return analyze_typescript(path, data, config, prefilter=False, project=project)


def _process(
    path: str, data: bytes, config: EngineConfig, project: ProjectInput | None
) -> tuple[FileResult, ModuleSummary | None]:
    from codemods.core.rules import all_rules

    RULES = all_rules()
    from codemods.typescript.analysis import collect
    from codemods.typescript.rules import Context, check, module_summary

    settings = config.settings
    grammar = grammar_of(path)
    tree = parse(data, grammar)
    root = tree.root_node
    lines = _Lines(data)
    result = FileResult(path)
    problem = first_problem(root)
    if problem is not None:
        line, col = lines.point(problem.start_byte)
        result.errors.append(FileError(path, _problem_message(problem, grammar), line, col + 1))
    table = config.table()
    facts = collect(root, data)
    ctx = Context(source=data, facts=facts, settings=settings, table=table, project=project)
    check(ctx)
    if problem is not None and not _uses_sdk(ctx, root):
        # nothing of openai's to migrate: not the tool's business to flag a
        # grammar limitation (a bare ``&`` in JSX text), as Python skips
        # notebook cells that do not mention OpenAI; what it imports from
        # the project still counts for the cross-module pass
        return FileResult(path), module_summary(ctx, set(), False)
    suppressions = _suppressions(facts.comments, lines)

    kept = []
    for r in ctx.reports:
        start = lines.point(r.node.start_byte)[0]
        end = lines.point(r.node.end_byte)[0]
        if suppressions.suppresses(r.rule.code, start, end):
            continue
        kept.append(r)
    kept = _with_requirements(kept, ctx.reports)
    # a model ID that cannot move (and is not accepted with noqa) keeps the
    # clients it is sent through from moving safely: they move together
    kept_ids = {id(r) for r in kept}
    for r in kept:
        for client in r.blocks:
            if client.fix is None or id(client) not in kept_ids:
                continue
            if (
                not client.display_only
                and not r.kept
                and not r.unproved
                and r.rule.code in FAILS_ON_OPENROUTER
            ):
                # a model ID known to fail on OpenRouter: the client's move
                # would break the code, so it is shown, never applied
                client.display_only = client.unsafe = True
                line = lines.point(r.node.start_byte)[0]
                note = (
                    f"; display-only fix: '{r.blocked_value}' ({r.rule.code}) at {path}:{line} "
                    "is sent through it and cannot move to OpenRouter, which would reject it: "
                    "fix that model first (or `// noqa` its finding to move the client anyway)"
                )
                client.notes.append(note)
                client.message += note
                continue
            if not client.notes:
                client.unsafe = True
                line = lines.point(r.node.start_byte)[0]
                note = (
                    f"; unsafe fix: '{r.blocked_value}' ({r.rule.code}) at {path}:{line} is "
                    "sent through it and cannot move to OpenRouter, which would reject it: "
                    "fix that model first (or `// noqa` its finding to move the client anyway)"
                )
                if r.kept:
                    # an imported constant its module keeps as it is
                    note = (
                        f"; unsafe fix: the model ID sent through it at {path}:{line} "
                        f"({r.rule.code}) comes from {r.kept}, which its module keeps as it "
                        "is: it is not rewritten with the client and may stay bare on "
                        "OpenRouter, which would reject it; make it an OpenRouter ID there "
                        "first (or `// noqa` its finding to move the client anyway)"
                    )
                elif r.unproved:
                    # a request the tool did not read: its model may be bare
                    note = (
                        f"; unsafe fix: the request sent through it at {path}:{line} "
                        f"({r.rule.code}) holds a model ID the tool did not read: it is not "
                        "rewritten with the client and may stay bare on OpenRouter, which would "
                        "reject it; pass the OpenRouter ID there first (or `// noqa` its finding "
                        "to move the client anyway)"
                    )
                client.notes.append(note)
                client.message += note
    # a fix that moves with a client whose fix is unsafe is unsafe too: the
    # client and what is sent through it move together or not at all
    for r in kept:
        if r.fix is not None and not r.unsafe and any(q.unsafe for q in r.requires):
            r.unsafe = True
            r.message += "; unsafe fix: it moves with its client, whose fix is unsafe"
    with_display_only(kept, lambda client: client)
    fixable = problem is None

    def applies(r: Any) -> bool:
        return (
            fixable
            and r.fix is not None
            and not r.display_only
            and (settings.unsafe_fixes or not r.unsafe)
        )

    edits: list[tuple[int, int, bytes]] = []
    applied_ids: set[int] = set()
    for r in kept:
        if applies(r):
            edits += r.fix
            applied_ids.add(id(r))
    new = None
    if edits:
        new = _splice(data, edits)
        if new is None:
            result.errors.append(
                FileError(path, "internal error: overlapping edits; not rewritten")
            )
        else:
            new_tree = parse(new, grammar)
            if count_problems(new_tree.root_node) > 0:
                result.errors.append(
                    FileError(
                        path,
                        "internal error: the migrated source does not parse "
                        f"(tree-sitter's {grammar} grammar); not rewritten",
                    )
                )
                new = None
            elif new != data:
                result.new_source = new

    for r in kept:
        fixed_by = r if r.fix is not None else r.fixed_by
        fixed = (
            result.new_source is not None and fixed_by is not None and id(fixed_by) in applied_ids
        )
        replacement = None
        if fixable and r.fix is not None and (fixed or not applies(r)):
            start, end = r.node.start_byte, r.node.end_byte
            inside = [e for e in r.fix if start <= e[0] and e[1] <= end]
            piece = _splice(data[start:end], [(s - start, e - start, t) for s, e, t in inside])
            if piece is not None:
                replacement = piece.decode("utf-8", "replace")
                if redact_text(replacement) != replacement:
                    replacement = None
        line, col = lines.point(r.node.start_byte)
        end_line, end_col = lines.point(r.node.end_byte)
        applicability = None
        if r.fix is not None and fixable:  # a file that does not parse has no fixes
            applicability = DISPLAY_ONLY if r.display_only else UNSAFE if r.unsafe else SAFE
        elif fixed:
            applicability = SAFE
        result.findings.append(
            Finding(
                path=path,
                line=line,
                col=col + 1,
                end_line=end_line,
                end_col=end_col + 1,
                code=r.rule.code,
                message=r.message,
                severity=r.rule.severity,
                fixable=fixed,
                replacement=replacement,
                applicability=applicability,
            )
        )
    _unused_noqa(result, suppressions, settings, RULES)
    result.findings.sort(key=Finding.sort_key)
    summary = module_summary(ctx, {id(r) for r in kept}, fixable)
    _external_blocks(ctx, summary, suppressions, lines)
    return result, summary


def _external_blocks(
    ctx: Any, summary: ModuleSummary | None, suppressions: Suppressions, lines: _Lines
) -> None:
    """Tell the modules that build the clients a model ID that cannot move
    (or a request the tool did not read) is sent through
    (``Context.external``), through the summary, unless a comment
    suppresses its finding: their move is then unsafe, as for a client of
    this file (Python's ``engine._external_blocks``;
    ``ModuleSummary.client_facts``, codemods/typescript/project.py)."""
    if summary is None:
        return
    from codemods.typescript.rules import param_block_names

    for node, code, detail, param in ctx.param_blocks:
        # through a parameter other modules pass clients to: their clients
        # move only with it (an escape there, ModuleSummary.param_escapes)
        line = lines.point(node.start_byte)[0]
        end = lines.point(node.end_byte)[0]
        if suppressions.suppresses(code, line, end) or not ctx.settings.rule_enabled(code):
            continue
        for fn, name in param_block_names(ctx, param):
            if name not in summary.client_params.get(fn, {}):
                continue
            escape = [line, f"sends {detail}, which cannot move to OpenRouter", ""]
            told = summary.param_escapes.setdefault(fn, {}).setdefault(name, [])
            if escape not in told:
                told.append(escape)
    for node, code, detail, keys, kind in ctx.external:
        line = lines.point(node.start_byte)[0]
        end = lines.point(node.end_byte)[0]
        if suppressions.suppresses(code, line, end) or not ctx.settings.rule_enabled(code):
            continue
        fact = (kind, line, detail)
        for key in keys:
            told = summary.client_facts.setdefault(key, [])
            if fact not in told:
                told.append(fact)


_JSX = frozenset({"jsx_element", "jsx_fragment", "jsx_self_closing_element"})


def _problem_message(problem: Any, grammar: str) -> str:
    """Why a file with an ERROR or MISSING node is not rewritten (the error
    names the line of the first one)."""
    what = f"missing `{problem.type}`" if problem.is_missing else "a syntax error"
    why = ""
    node = problem.parent
    while node is not None and node.type not in _JSX:
        node = node.parent
    if node is not None and not problem.is_missing and problem.text.lstrip().startswith(b"&"):
        why = (
            " (a bare `&` in JSX text, which TypeScript accepts and the grammar rejects: "
            "write `&amp;` or `{'&'}`)"
        )
    return (
        f"tree-sitter's {grammar} grammar finds {what} here{why}; this file uses the openai "
        "SDK, and a file the grammar cannot parse whole is not rewritten: its findings are "
        "shown without fixes"
    )


def _uses_sdk(ctx: Any, root: Any) -> bool:
    """Does a file that does not parse cleanly use the SDK: a client (or v3
    class) constructed from openai's import, an openai name the tool cannot
    pin down, any finding, or ``openai`` inside the unparsed text itself (the
    grammar may have swallowed a construction)?"""
    facts = ctx.facts
    if ctx.reports:
        return True
    for new in facts.new_expressions:
        ctor = new.child_by_field_name("constructor")
        if facts.meaning(ctor) is not None or facts.shadowed_openai_name(ctor) is not None:
            return True
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error and b"openai" in node.text.lower():
            return True
        if node.has_error:
            stack.extend(node.children)
    return False


def _splice(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes | None:
    """``data`` with the edits applied; None if two of them overlap."""
    ordered = sorted(set(edits), key=lambda e: (e[0], e[1]))
    out: list[bytes] = []
    at = 0
    for start, end, new in ordered:
        if start < at:
            return None
        out += [data[at:start], new]
        at = end
    out.append(data[at:])
    return b"".join(out)


def _suppressions(comments: list[Any], lines: _Lines) -> Suppressions:
    """``// noqa``, ``// noqa: OR201``, ``// openrouter-migrate: ignore[OR201]``
    (also in ``/* */`` comments): real comments only, never text in strings."""
    out = Suppressions()
    for comment in comments:
        body = comment.text.decode("utf-8", "replace")
        if "noqa" not in body and "openrouter-migrate" not in body:
            continue
        m = _NOQA.search(body)
        if m is None:
            continue
        line, col = lines.point(comment.start_byte)
        codes = m.group("codes")
        out.by_line[line] = (
            None if codes is None else frozenset(c.upper() for c in _CODE.findall(codes))
        )
        out.spans[line] = (col + m.start(), col + m.end())
        if m.group("tool"):
            out.tool_lines.add(line)
    return out


def _unused_noqa(
    result: FileResult, suppressions: Suppressions, settings: Settings, rules: Any
) -> None:
    if not settings.report_unused_noqa or not suppressions.by_line:
        return
    from codemods.core.noqa import UNUSED_NOQA

    if not settings.rule_enabled(UNUSED_NOQA.code):
        return
    for u in suppressions.unused(settings.rule_enabled, rules, None):
        parts = []
        if u.codes:
            parts.append(f"{', '.join(u.codes)} is not reported on this line")
        if u.unknown:
            parts.append(f"{', '.join(u.unknown)} is not an openrouter-migrate rule")
        if not parts:
            parts.append("nothing is reported on this line")
        result.findings.append(
            Finding(
                path=result.path,
                line=u.line,
                col=u.col + 1,
                end_line=u.line,
                end_col=u.end_col + 1,
                code=UNUSED_NOQA.code,
                message="unused suppression: " + "; ".join(parts) + "; remove it",
                severity=UNUSED_NOQA.severity,
            )
        )
