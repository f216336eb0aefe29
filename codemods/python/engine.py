"""Per-file work: bytes in, :class:`FileResult` out. Pure: no I/O, no printing.

    data -> prefilter -> parse (LibCST) -> facts -> rules -> reports
         -> positions + suppressions -> fixes applied -> re-parse -> result

``check`` and ``migrate`` run exactly this; they differ only in what the
caller does with the result. Everything the function needs arrives in an
:class:`EngineConfig`, which is small and picklable so that the function
runs unchanged in a worker process.
"""

from __future__ import annotations

import ast
import functools
import logging
import os
import re
import sys
import threading
import warnings
from collections.abc import Container, Iterable
from typing import TYPE_CHECKING, Any, Callable, NamedTuple, TypeVar

from codemods.core.engine import (
    EngineConfig,
    _with_requirements,
    oversize_error,
    wants_noqa_report,
    with_display_only,
)
from codemods.core.findings import (
    DISPLAY_ONLY,
    SAFE,
    UNSAFE,
    FileError,
    FileResult,
    Finding,
    Settings,
)
from codemods.core.mapping import MappingError
from codemods.core.prefilter import may_need_work
from codemods.core.secrets import redact_text

if TYPE_CHECKING:
    import libcst as cst

    from codemods.core.suppress import Suppressions
    from codemods.python.analysis import ModuleFacts
    from codemods.python.project import ModuleSummary, ProjectInput
    from codemods.python.rules import RuleContext
    from codemods.python.rules.base import Fix, Report

# LibCST, the analysis and the rules are imported by the first file that has
# to be parsed (``_process``), never by a run the prefilter settles alone:
# importing them costs about 0.3 s of start-up.

# Python itself refuses more than 200 nested brackets; LibCST's native parser
# overflows the C stack long before it refuses. Files deeper than this are
# reported, never parsed.
MAX_BRACKET_DEPTH = 200
# LibCST's parser takes time that grows with the cube of an expression's
# nesting (a 4,000-term ``a + a + ...`` chain: 12 s; 20,000 terms: minutes).
# Python's own parser measures the nesting first, in milliseconds; deeper
# files are reported, never parsed by LibCST.
MAX_EXPRESSION_DEPTH = 1000
# LibCST analyses about 40 KB of source a second (a 4 MB file: minutes). A
# Python file over this size that mentions openai is generated code; it is
# reported, not analysed. (Files that never mention openai are skipped by the
# prefilter whatever their size.) The default of ``Settings.max_file_bytes``;
# ``max-file-kib`` in the configuration changes it.
MAX_FILE_BYTES = 1024 * 1024

_log = logging.getLogger("codemods.python.engine")


@functools.cache
def _apply_fixes_class() -> Any:
    import libcst as cst

    class _ApplyFixes(cst.CSTTransformer):
        def __init__(self, edits: dict[int, list[Fix]]) -> None:
            super().__init__()
            self.edits = edits
            self.results: dict[int, cst.CSTNode] = {}

        def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode):  # type: ignore[override]
            fixes = self.edits.get(id(original_node))
            if fixes:
                for fix in fixes:
                    updated_node = fix(updated_node)
                self.results[id(original_node)] = updated_node
            return updated_node

    return _ApplyFixes


def _ApplyFixes(edits: dict[int, list[Fix]]) -> Any:  # noqa: N802 - kept for callers
    return _apply_fixes_class()(edits)


class _Trees:
    """Parsed modules kept for the project pass's second round.

    The second round (``codemods.core.runner._second_round``) analyses again the
    files whose cross-module facts changed: about a third of the analysed
    files of a project-shaped tree, some twice. The parse is ~75% of an
    analysis and depends only on the bytes, so the process that analysed a
    file keeps its tree (a LibCST tree is immutable: a fix makes a new one;
    the facts are collected again, ~2% of an analysis) and the next analysis
    of the same path and bytes starts from it. Only trees of files likely
    to run again (:func:`_may_run_again`), bounded by the source bytes kept,
    the oldest dropped first: a tree costs about 32 bytes per byte of
    source (``TREE_BUDGET_BYTES``: at most about 50 MB per process)."""

    def __init__(self, budget: int) -> None:
        from collections import Counter, OrderedDict

        self.budget = budget
        self.used = 0
        self.items: dict[tuple[str, bytes], cst.Module] = {}
        # the keys in the order they go when the budget is spent, oldest
        # first in each: trees of files analysed ahead (below), then by how
        # many analyses of the path this process kept a tree of (3 or more,
        # 2, 1): the more often a file was analysed already, the less likely
        # it comes back (16k-file project tree: of the trees kept after a
        # file's first analysis, 72% were used again; second, 52%; third or
        # later, 27%)
        self.order: tuple[OrderedDict[tuple[str, bytes], None], ...] = tuple(
            OrderedDict() for _ in range(4)
        )
        self.analyses: Counter[str] = Counter()
        # a file round 1 also analysed ahead (``analyze_ahead``) comes back
        # only when another module imports from it (on the project tree, 48
        # of 52), never on the dense tree: its trees get a quarter of the
        # budget at most, so that they do not fill it where none is used
        self.ahead_used = 0
        self.hits = 0

    def take(self, path: str, data: bytes) -> cst.Module | None:
        key = (path, data)
        module = self.items.pop(key, None)
        if module is not None:
            self._forget(key)
            self.hits += 1
        return module

    def _forget(self, key: tuple[str, bytes]) -> None:
        if key in self.order[0]:
            del self.order[0][key]
            self.ahead_used -= len(key[1])
        else:
            for order in self.order[1:]:
                order.pop(key, None)
        self.used -= len(key[1])

    def keep(self, path: str, data: bytes, module: cst.Module, ahead: bool = False) -> None:
        if len(data) > self.budget // 4:
            return
        key = (path, data)
        if self.items.pop(key, None) is not None:
            self._forget(key)
        self.analyses[path] += 1
        self.items[key] = module
        if ahead:
            self.order[0][key] = None
            self.ahead_used += len(data)
        else:
            self.order[-min(self.analyses[path], 3)][key] = None
        self.used += len(data)
        # out of the cyclic collector's sight: it would otherwise traverse
        # every kept tree at each full collection (dense tree, in one
        # process: 84 collections, 2.0 s, against 16 and 0.2 s). Trees hold
        # no reference cycles and die by reference count, as does whatever
        # else this freezes; a cycle frozen with them waits for the unfreeze
        # at the end of the pass (``runner._restore_gc``), or the worker's exit.
        import gc

        gc.freeze()
        while self.ahead_used > self.budget // 4:
            self._drop(self.order[0])
        for order in self.order:
            while self.used > self.budget and order:
                self._drop(order)

    def _drop(self, order: dict[tuple[str, bytes], None]) -> None:
        key = next(iter(order))
        del self.items[key]
        self._forget(key)


#: source bytes whose trees a process keeps for the second round (see _Trees)
#: (16k-file project tree, 2 workers, parses in all: 1,102 before the trees
#: of factories and client functions were kept; with them, 915 with 2 MB at
#: 10 MB more per worker, 982 with 1.5 MB at the same peak as before)
TREE_BUDGET_BYTES = 1536 * 1024
#: imports that never make a file one the second round analyses again
_NOT_PROJECT = frozenset(sys.stdlib_module_names) | {"openai"}


def _may_run_again(
    summary: ModuleSummary | None,
    project: ProjectInput | None = None,
    functions: Container[str] = (),
) -> bool:
    """Whether the second round is likely to analyse this file (again),
    from what its analysis found (``project``: the input it was given).

    * it imports from a module that may be the project's (relative, or
      neither the standard library nor the SDK): an importer of a client
      factory, a helper, a model constant, told what they decide;
    * a module-level function of it returns a client (``clients``, of
      ``functions``: a factory): the client phases tell it the calls other
      modules make through it, and what they do to it (a module-level
      client variable is not enough: on the dense tree every file has one,
      and no other module imports it);
    * a public function of it takes a client, or a receiver resolves
      through its public functions (``client_params``, ``wants_importers``):
      the client phases tell it who calls them (unless no other module
      imports from it and round 1's analysis ahead had it right);
    * it was told which of its names other modules pass to ``model=``
      (``exports``): asked again when an importer keeps one.

    A tree not kept is parsed again (on the 16k-file project tree, 279 of
    the second round's 1,000 analyses when only importers were kept)."""
    if summary is None:
        return False
    if summary.client_params or summary.wants_importers:
        return True
    if any(name in functions for name in summary.clients):
        return True
    if project is not None and project.exports:
        return True
    for module in (*(m for m, _ in summary.imports.values()), *summary.module_imports):
        if module.startswith(".") or module.partition(".")[0] not in _NOT_PROJECT:
            return True
    return False


_trees: _Trees | None = None


def preload() -> None:
    """Import what the first parse would (LibCST, the analysis, the rules):
    a worker's start-up, or the parent's before it forks its workers, who
    then inherit them (~0.25 s of CPU each, once instead of per worker)."""
    import libcst  # noqa: F401

    import codemods.core.suppress  # noqa: F401
    import codemods.python.analysis  # noqa: F401
    import codemods.python.rules  # noqa: F401


def keep_trees(on: bool) -> None:
    """Keep parsed trees in this process for the next analysis of the same
    bytes (the project pass: :class:`_Trees`), or drop them all."""
    global _trees
    _trees = _Trees(TREE_BUDGET_BYTES) if on else None


def process_source(
    path: str, data: bytes, config: EngineConfig, *, prefilter: bool = True
) -> FileResult:
    """Analyse (and compute the migration of) one Python file's bytes."""
    return analyze_source(path, data, config, prefilter=prefilter)[0]


def analyze_source(
    path: str,
    data: bytes,
    config: EngineConfig,
    *,
    prefilter: bool = True,
    project: ProjectInput | None = None,
    ahead: tuple[str, list[Ahead]] | None = None,
) -> tuple[FileResult, ModuleSummary | None]:
    """:func:`process_source`, with the cross-module input and output of the
    project pass (:mod:`codemods.python.project`). Still pure. ``ahead``
    (round 1, no ``project``): the file's resolved path, and a list that
    gets its :class:`Ahead` analysis, if it has one (:func:`analyze_ahead`)."""
    if prefilter and not may_need_work(data) and not wants_noqa_report(data, config.settings):
        return FileResult(path, skipped=True), None
    too_large = oversize_error(path, data, config.settings)
    if too_large is not None:
        return FileResult(path, errors=[too_large]), None
    if b"\0" in data:
        # LibCST accepts a NUL inside a string literal; Python refuses the
        # whole file. Never rewrite what Python cannot run.
        before = data[: data.index(b"\0")]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return FileResult(
            path,
            errors=[FileError(path, "source contains a NUL byte (not a text file?)", line, col)],
        ), None
    too_deep = _bracket_depth_error(data)
    if too_deep is not None:
        return FileResult(path, errors=[FileError(path, too_deep)]), None
    contexts: list[RuleContext] = []
    trees = _trees
    parsed = trees.take(path, data) if trees is not None else None
    result = _run_deep(lambda: _guarded(path, data, config, project, contexts, parsed))
    summary = contexts[0].summary if contexts else None
    given = alone(summary, ahead[0]) if ahead is not None and summary is not None else None
    if given is not None and project is None:
        assert ahead is not None
        # the same tree (a fix builds a new one) and its facts (the rules
        # only read them: the engine's second pass over a file reuses them too)
        module, facts = contexts[0].module, contexts[0].facts
        again: list[RuleContext] = []
        other = _run_deep(lambda: _guarded(path, data, config, given, again, module, facts))
        if again:  # (else an internal error: the second round decides)
            ahead[1].append(Ahead(given, other, again[0].summary))
    if (
        trees is not None
        and contexts
        and _may_run_again(summary, project, contexts[0].facts.module_functions)
    ):
        trees.keep(path, data, contexts[0].module, ahead=given is not None and project is None)
    return result, summary


def analyze_candidate(
    path: str, data: bytes, config: EngineConfig
) -> tuple[FileResult, ModuleSummary | None]:
    """The runner's entry (``codemods/core/frontends.py``): a file its
    prefilter let through."""
    return analyze_source(path, data, config, prefilter=False)


def analyze_ahead(
    path: str, data: bytes, config: EngineConfig, real: str
) -> tuple[FileResult, ModuleSummary | None, Ahead | None]:
    """The project pass's first round (``codemods/core/frontends.py``):
    :func:`analyze_candidate`, and, for a file that resolves clients through
    its own public functions, also its analysis with what the second round
    says when no other module of the run imports from it (:func:`alone`),
    on the same tree (``real``: where it is, for its module name).

    Round 1 cannot know the other modules, so such a file's first result
    treats the callers elsewhere as unknown, and the second round analysed
    it again with the planner's answer: on the dense benchmark tree (every
    file uses the SDK) 763 of 1,000 files, each parsed a second time. The
    answer is nearly always "nobody", and an analysis after the parse costs
    a fraction of a parse: the runner takes this result instead of
    analysing again when the second round asks for exactly this input
    (:class:`Ahead`), and drops it otherwise."""
    ahead: list[Ahead] = []
    result, summary = analyze_source(path, data, config, prefilter=False, ahead=(real, ahead))
    return result, summary, (ahead[0] if ahead else None)


def alone(summary: ModuleSummary, real: str) -> ProjectInput | None:
    """What the second round tells a file no other module of the run imports
    from, when that is not what round 1 assumed (None: the same): its
    module name (``plan_private``: nothing of it imported) and each public
    function's client parameter called from nowhere else
    (``plan_param_clients``: "none"), as the planner writes them."""
    from codemods.python.project import ProjectInput, module_name

    if not summary.client_params and not summary.wants_importers:
        return None
    module = module_name(real)  # type: ignore[arg-type]
    if module is None:
        return None  # not a module: the planner has nothing to say
    return ProjectInput(
        module=module if summary.wants_importers else None,
        param_clients=none_called(summary.client_params),
    )


def none_called(
    client_params: dict[str, dict[str, int | None]],
) -> tuple[tuple[tuple[str, str], str], ...]:
    """``ProjectInput.param_clients`` when no other module of the run calls
    any of these functions, in :func:`codemods.python.project.plan_param_clients`'s
    order."""
    return tuple(
        ((fn, param), "none")
        for fn, params in sorted(client_params.items())
        for param in sorted(params)
    )


class Ahead(NamedTuple):
    """A file's result and summary with ``project``, computed in round 1 on
    its tree (:func:`analyze_ahead`)."""

    project: ProjectInput
    result: FileResult
    summary: ModuleSummary | None


def analyze_with_project(
    path: str, data: bytes, config: EngineConfig, project: ProjectInput
) -> tuple[FileResult, ModuleSummary | None]:
    """The runner's second-round entry (``codemods/core/frontends.py``): a
    file analysed again with what the other files of the run said."""
    return analyze_source(path, data, config, prefilter=False, project=project)


def _bind_star_names(facts: ModuleFacts, star_names: tuple[tuple[str, str], ...]) -> None:
    """The names the file's ``from M import *`` of modules of the run bind
    (the project pass: :func:`codemods.python.project.plan_star_names`), as
    if imported from where M imports them, unless the file binds them
    itself (then which one a use reads is not known here: left as is)."""
    for name, qualified in star_names:
        if name in facts.imports or name in facts.other_bindings:
            continue
        if facts.assignment_counts.get(name, 0):
            continue
        facts.imports[name].add(qualified)
    facts._import_prefixes = None


def _guarded(
    path: str,
    data: bytes,
    config: EngineConfig,
    project: ProjectInput | None,
    contexts: list[RuleContext],
    parsed: cst.Module | None = None,
    facts: ModuleFacts | None = None,
) -> FileResult:
    """One file's failure is that file's error, never the end of the run."""
    try:
        if parsed is None and _may_nest_deeply(data):
            too_deep = _expression_depth_error(path, data)
            if too_deep is not None:
                return FileResult(path, errors=[too_deep])
        return _process(path, data, config, project, contexts, parsed, facts)
    except RecursionError:
        return FileResult(path, errors=[FileError(path, "too deeply nested to analyse")])
    except MemoryError:
        return FileResult(path, errors=[FileError(path, "out of memory while analysing")])
    except Exception as e:  # noqa: BLE001 - a bug in a rule must not stop the run
        # The exception text is not shown: it may quote the source (and a key).
        _log.debug("internal error on %s", path, exc_info=True)
        return FileResult(
            path,
            errors=[
                FileError(
                    path,
                    f"internal error ({type(e).__name__}) while analysing this file; "
                    "please report it (--verbose shows the traceback)",
                )
            ],
        )


def _expression_depth_error(path: str, data: bytes) -> FileError | None:
    try:
        tree = _quiet_compile(data, "<source>", ast.PyCF_ONLY_AST)
    except (SyntaxError, ValueError):
        return None  # LibCST decides (newer syntax) and reports the error
    except (MemoryError, RecursionError):
        return FileError(path, "expressions nested too deeply for Python's parser: not analysed")
    limit = MAX_EXPRESSION_DEPTH
    stack: list[tuple[ast.AST, int, int | None]] = [(tree, 0, None)]
    while stack:
        node, depth, line = stack.pop()
        line = getattr(node, "lineno", line)
        if depth > limit:
            return FileError(
                path, f"expression nested more than {limit} levels deep: not analysed", line
            )
        stack.extend((child, depth + 1, line) for child in ast.iter_child_nodes(node))
    return None


def _process(
    path: str,
    data: bytes,
    config: EngineConfig,
    project: ProjectInput | None = None,
    contexts: list[RuleContext] | None = None,
    parsed: cst.Module | None = None,
    facts: ModuleFacts | None = None,
) -> FileResult:
    import libcst as cst

    from codemods.core.suppress import Suppressions
    from codemods.python.analysis import collect
    from codemods.python.rules import CHECKERS, RuleContext

    try:
        # a tree kept from an analysis of the same bytes (_Trees): the parse
        # depends on nothing else
        module = cst.parse_module(data) if parsed is None else parsed
    except cst.ParserSyntaxError as e:
        return FileResult(path, errors=[_syntax_error(path, data, e)])
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        return FileResult(
            path,
            errors=[FileError(path, f"cannot decode as {e.encoding}: {e.reason}", line)],
        )
    except (SyntaxError, LookupError) as e:  # unknown coding cookie
        return FileResult(path, errors=[FileError(path, f"cannot read source: {e}")])
    except RecursionError:
        return FileResult(path, errors=[FileError(path, "too deeply nested to analyse")])

    try:
        table = config.table()
    except MappingError as e:
        return FileResult(path, errors=[FileError(path, f"mapping error: {e}")])

    if facts is None or parsed is None or (project is not None and project.star_names):
        facts = collect(module)  # (``facts``: collected from ``parsed``)
        if project is not None and project.star_names:
            _bind_star_names(facts, project.star_names)
    suppressions = Suppressions.from_source(data, module.encoding)
    # Safe fixes are always applied, unsafe ones only with --unsafe-fixes,
    # display-only ones never (a fix's support edits go with it). A fix not
    # applied still leaves its finding, which says the fix exists and why.
    allow_unsafe = config.settings.unsafe_fixes

    def applies(r: Report) -> bool:
        return r.fix is not None and not r.display_only and (allow_unsafe or not r.unsafe)

    # the rules run once; again (on the same tree) when a client's fix turns
    # out unsafe because a model ID sent through it cannot move and its
    # finding is not suppressed (only known once positions are): the
    # second pass knows it from the start (``RuleContext.blocked_clients``)
    blocked: dict[int, list[Report]] = {}
    # likewise a client whose finding a noqa comment suppresses: it stays on
    # OpenAI, with its key variable (``RuleContext.held_clients``)
    held: set[int] = set()
    rerun = False
    while True:
        ctx = RuleContext(
            module=module,
            facts=facts,
            settings=config.settings,
            table=table,
            project=project,
            blocked_clients=blocked,
            held_clients=held,
            source=data,
        )
        for check in CHECKERS:
            check(ctx)
        if not ctx.reports:
            _external_blocks(ctx, _unselected_models(ctx), suppressions)
            if contexts is not None:
                contexts.append(ctx)
            result = FileResult(path)
            _report_unused_noqa(result, suppressions, config.settings, data, module.encoding)
            return result

        # a fix that cannot stand without another report's unsafe fix (a model ID
        # sent through a client whose move is unsafe: codemods/python/rules/agents.py)
        # is unsafe too
        for r in ctx.reports:
            if r.fix is not None and not r.unsafe and any(q.unsafe for q in r.requires):
                r.unsafe = True
                if not any(q.display_only for q in r.requires):  # (said below)
                    r.message += "; unsafe fix: the fix of the client it goes through is unsafe"
        # a fix that cannot stand without a display-only one (never applied)
        # is display-only too
        with_display_only(ctx.reports, functools.partial(_client_report, ctx))

        # Positions only now that there are findings, and only as cheap as one
        # code generation: see ``_Positions``.
        edit_nodes: list[cst.CSTNode] = []
        for r in ctx.reports:
            if applies(r):
                edit_nodes.append(r.node)
                edit_nodes += [node for node, _ in ctx.support_edits.get(id(r), [])]
        report_nodes = [r.node for r in ctx.reports]
        report_nodes += [n for r in ctx.reports for n in r.refs]
        positions = _Positions(
            module, data, report_nodes, edit_nodes, facts.parents, facts.node_memo
        )

        kept: list[Report] = []
        suppressed: set[int] = set()
        for r in ctx.reports:
            (line, _), (end_line, _) = positions.range(r.node)
            if suppressions.suppresses(r.rule.code, line, end_line):
                if r.rule.code in _CLIENT_CODES:
                    suppressed.add(id(r.node))
                continue
            kept.append(r)
        kept = _with_requirements(kept, ctx.reports)
        if rerun:
            break
        more = _blocked_clients(ctx, kept + _unselected_models(ctx))
        if not more and not suppressed:
            break
        blocked, held, rerun = more, suppressed, True
    if contexts is not None:
        contexts.append(ctx)
    _count_kept_clients(ctx, kept, allow_unsafe)
    _external_blocks(ctx, kept + _unselected_models(ctx), suppressions)
    _kept_stream_exports(ctx, kept)

    edits: dict[int, list[Fix]] = {}
    unsafe_edited: set[int] = set()  # nodes an applied unsafe fix edits
    for r in kept:
        if applies(r):
            _add_edits(edits, r, ctx)
            if r.unsafe:
                unsafe_edited.add(id(r.node))
                unsafe_edited.update(id(node) for node, _ in ctx.support_edits.get(id(r), []))

    result = FileResult(path)
    applier = _ApplyFixes(edits)
    if edits:
        if not positions.exact:
            result.errors.append(
                FileError(
                    path,
                    "LibCST cannot reproduce this file byte for byte (for example a lone CR "
                    "line ending): reported, not rewritten",
                )
            )
            edits = {}
        else:
            new_code = positions.splice(applier)
            spliced = new_code is not None
            if new_code is None:  # an edit that cannot be spliced: rewrite the module
                applier = _ApplyFixes(edits)
                if module.bytes == data:
                    new_code = module.visit(applier).code
                else:
                    new_code = positions.code  # nothing rewritten (see above)
                    edits = {}
                    result.errors.append(
                        FileError(
                            path,
                            "LibCST cannot reproduce this file byte for byte: reported, "
                            "not rewritten",
                        )
                    )
            new_bytes = new_code.encode(module.encoding)
            error = (
                None
                if spliced and _verify_statements(positions, facts.parents, data)
                else _verify(new_bytes, data)
            )
            if error is not None:
                result.errors.append(FileError(path, error))
            elif new_bytes != data:
                result.new_source = new_bytes

    preview: Any = None  # every fix of the file, unsafe ones too (see below)
    for r in kept:
        (line, col), (end_line, end_col) = positions.range(r.node)
        target = id(r.fix_node or r.node)
        # a finding without a fix of its own is fixed by the fix that edits its node
        fixed = (
            (r.fix is None or applies(r))
            and result.new_source is not None
            and target in applier.results
        )
        replacement: str | None = None
        if fixed and r.fix_node is None:
            replacement = module.code_for_node(applier.results[target])
        elif r.fix is not None and not applies(r) and r.fix_node is None:
            # an unsafe fix this run does not apply: its replacement text as
            # ``--unsafe-fixes`` would write it (the node's subtree only,
            # with every fix inside it), for the reports to show
            if preview is None:
                all_edits: dict[int, list[Fix]] = {}
                for other in kept:
                    if other.fix is not None:
                        _add_edits(all_edits, other, ctx)
                preview = _ApplyFixes(all_edits)
            new_node = r.node.visit(preview)
            if isinstance(new_node, cst.CSTNode):
                replacement = module.code_for_node(new_node)
        if replacement is not None and redact_text(replacement) != replacement:
            # it would carry a key kept in an expression into reports
            # (JSON, SARIF): better no replacement text than a leak
            replacement = None
        result.findings.append(
            Finding(
                path=path,
                line=line,
                col=col + 1,
                end_line=end_line,
                end_col=end_col + 1,
                code=r.rule.code,
                message=_with_refs(path, r, positions),
                severity=r.rule.severity,
                fixable=r.rule.fixable and fixed,
                replacement=replacement,
                applicability=_applicability(r, fixed, target in unsafe_edited),
            )
        )
    _report_unused_noqa(result, suppressions, config.settings, data, module.encoding)
    result.findings.sort(key=Finding.sort_key)
    return result


#: the findings that move a client (SDK, LangChain, the module-level client's
#: configuration): suppressed, the client stays
_CLIENT_CODES = frozenset({"OR101", "OR110", "OR411", "OR412"})


def _count_kept_clients(ctx: RuleContext, kept: list[Report], allow_unsafe: bool) -> None:
    """The project pass counts the run's clients that stay on OpenAI (a
    parameter annotated ``OpenAI`` is safe only when none does): a client
    whose OR101 is suppressed (``# noqa``, not selected) or whose fix is
    unsafe and not applied stays too, though the rules counted it as moving."""
    summary = ctx.summary
    if summary is None or not ctx.client_reports:
        return
    ids = {id(r) for r in kept}
    staying = sum(
        1
        for q in ctx.client_reports.values()
        if id(q) not in ids
        or (q.fix is not None and (q.display_only or (q.unsafe and not allow_unsafe)))
    )
    if staying:
        moving, stay = summary.client_sites
        summary.client_sites = (max(0, moving - staying), stay + staying)


def _kept_stream_exports(ctx: RuleContext, kept: list[Report]) -> None:
    """A function handing out the stream of a client that stays on OpenAI
    (its OR101 suppressed, or not selected) hands out no OpenRouter stream:
    other modules get no guard for it (codemods/python/rules/streams.py)."""
    from codemods.python.rules.streams import STREAM_EXPORT_REQUIRES

    summary = ctx.summary
    needs = ctx.memo.get(STREAM_EXPORT_REQUIRES)
    if summary is None or not needs or not summary.stream_returns:
        return
    ids = {id(r) for r in kept}
    for name, requires in needs.items():
        if any(id(q) not in ids or q.display_only for q in requires):
            summary.stream_returns.pop(name, None)


def _blocked_clients(ctx: RuleContext, kept: list[Report]) -> dict[int, list[Report]]:
    """Constructor sites whose (safe) fix a kept finding blocks: a model ID
    sent through the client that cannot move to OpenRouter (OR202, OR203,
    OR204, OR307; ``Report.blocks``). Suppressing that finding (``# noqa:
    OR204``) accepts the ID as it is: the client's fix stays safe."""
    from codemods.python.rules.client import KEY_FOLLOWED_SITES

    ids = {id(r) for r in kept}
    ids.update(id(r) for r in _unselected_models(ctx))
    # a client whose key is rewritten in another module moves with its key
    keyed = ctx.memo.get(KEY_FOLLOWED_SITES, set())
    out: dict[int, list[Report]] = {}
    for r in kept:
        for site in r.blocks:
            q = ctx.client_reports.get(site) or _module_client_report(ctx, site)
            if q is not None and id(q) in ids and q.fix is not None and not q.unsafe:
                if site not in keyed:
                    out.setdefault(site, []).append(r)
    return out


def _unselected_models(ctx: RuleContext) -> list[Report]:
    """The model ID findings this run does not emit (their rule not
    selected): they block their clients like a model that cannot move."""
    from codemods.python.rules.models import UNSELECTED_MODELS

    return list(ctx.memo.get(UNSELECTED_MODELS, ()))


def _external_blocks(ctx: RuleContext, kept: list[Report], suppressions: Suppressions) -> None:
    """Tell the modules that build the clients a model ID that cannot move
    is sent through (``Report.blocks``' keys; and those this round does not
    report: ``models.EXTERNAL_BLOCKS``) through the summary, unless a
    comment suppresses its finding: their move is then unsafe, as for a
    client of this file (``_blocked_clients``)."""
    import libcst as cst

    from codemods.python.clients import FACT_BLOCK
    from codemods.python.rules.client import string_value
    from codemods.python.rules.models import EXTERNAL_BLOCKS

    summary = ctx.summary
    pending = ctx.memo.get(EXTERNAL_BLOCKS, ())
    found = [
        (key, r.node, r.rule.code + (" not selected" if r.unselected else ""))
        for r in kept
        if r.fix is None  # a fix, even unsafe, moves the ID with its client
        for key in r.blocks
        if isinstance(key, str)
    ]
    if summary is None or not (found or pending):
        return
    nodes = [node for _, node, _ in found] + [node for node, _, _ in pending]
    positions = _Positions(
        ctx.module, ctx.data(), nodes, [], ctx.facts.parents, ctx.facts.node_memo
    )
    for node, info, keys in pending:
        (line, _), (end_line, _) = positions.range(node)
        if not suppressions.suppresses(info.code, line, end_line):
            found += [(key, node, info.code) for key in keys]
    for key, node, code in found:
        value = string_value(node) if isinstance(node, cst.SimpleString) else None
        if value is None:
            value = ctx.module.code_for_node(node)
            text = f"`{value}`" if len(value) <= 60 else f"`{value[:57]}...`"
        else:
            text = f"'{value}'"
        fact = (FACT_BLOCK, positions.range(node)[0][0], f"{text} ({code})")
        told = summary.client_facts.setdefault(key, [])
        if fact not in told:
            told.append(fact)


def _client_report(ctx: RuleContext, site: int | str) -> Report | None:
    """The finding that moves the client of this file built at ``site``
    (``Report.blocks``: a str names another module's client)."""
    if not isinstance(site, int):
        return None
    return ctx.client_reports.get(site) or _module_client_report(ctx, site)


def _module_client_report(ctx: RuleContext, site: int) -> Report | None:
    """The module-level client's finding for its ``sites`` key (``models.MODULE_SITE``)."""
    from codemods.python.rules.models import MODULE_SITE
    from codemods.python.rules.module_client import MODULE_CLIENT_REPORT

    return ctx.memo.get(MODULE_CLIENT_REPORT) if site == MODULE_SITE else None


def _applicability(r: Report, fixed: bool, unsafe_edit: bool) -> str | None:
    if r.fix is not None:
        return DISPLAY_ONLY if r.display_only else UNSAFE if r.unsafe else SAFE
    if fixed:  # fixed by the fix of another finding on its node
        return UNSAFE if unsafe_edit else SAFE
    return None


def _add_edits(edits: dict[int, list[Fix]], r: Report, ctx: RuleContext) -> None:
    """``r``'s fix and the support edits it needs, keyed by the node each edits."""
    assert r.fix is not None
    edits.setdefault(id(r.node), []).append(r.fix)
    for node, fix in ctx.support_edits.get(id(r), []):
        edits.setdefault(id(node), []).append(fix)


def _with_refs(path: str, r: Report, positions: _Positions, shown: int = 3) -> str:
    """``r.message`` with :data:`REFS` replaced by where its ``refs`` are:
    ``t.py:5, t.py:9, t.py:12 and 2 more``."""
    from codemods.python.rules.base import REFS

    if REFS not in r.message:
        return r.message
    lines = sorted({positions.range(n)[0][0] for n in r.refs})
    where = ", ".join(f"{path}:{line}" for line in lines[:shown])
    if len(lines) > shown:
        where += f" and {len(lines) - shown} more"
    return r.message.replace(REFS, where)


def _report_unused_noqa(
    result: FileResult, suppressions: Suppressions, settings: Settings, data: bytes, encoding: str
) -> None:
    """OR900 (on request): suppressions that silenced none of this file's findings."""
    if not settings.report_unused_noqa or not suppressions.by_line:
        return
    from codemods.core.noqa import UNUSED_NOQA
    from codemods.core.rules import all_rules
    from codemods.core.suppress import comment_lines

    RULES = all_rules()

    if not settings.rule_enabled(UNUSED_NOQA.code):
        return
    try:
        lines = comment_lines(data.decode(encoding))
    except (UnicodeDecodeError, LookupError):
        lines = None
    for u in suppressions.unused(settings.rule_enabled, RULES, lines):
        parts = []
        if u.codes:
            parts.append(f"{', '.join(u.codes)} is not reported on this line")
        if u.unknown:
            parts.append(f"{', '.join(u.unknown)} is not an openrouter-migrate rule")
        if not parts:
            parts.append("nothing is reported on this line")
        message = "unused suppression: " + "; ".join(parts) + "; remove it"
        result.findings.append(
            Finding(
                path=result.path,
                line=u.line,
                col=u.col + 1,
                end_line=u.line,
                end_col=u.end_col + 1,
                code=UNUSED_NOQA.code,
                message=message,
                severity=UNUSED_NOQA.severity,
            )
        )


def _quiet_compile(data: bytes, name: str, flags: int = 0) -> Any:
    """``compile`` without its SyntaxWarnings/DeprecationWarnings (``x is 1``,
    ``"\\d"``) on stderr: they are about the user's code, not our job."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compile(data, name, "exec", flags=flags, dont_inherit=True)


class _Positions:
    """Positions of nodes, computed the way LibCST's ``PositionProvider``
    computes them (syntactic ranges, hoisted from children where LibCST
    hoists them), without generating the whole module.

    Each node asked about is located through the innermost statement around
    it (``parents`` comes from the facts walk): only that statement's code is
    generated, at the indentation of its block, and its text is looked up in
    the source. The text of a statement starts a line; if it starts exactly
    one line of the source, that is where the statement is (LibCST
    reproduces a statement's text exactly; a second match anywhere, even
    inside a string, sends the search one statement outwards). Statements
    hold a few hundred bytes: this costs a small fraction of one
    ``module.code``, against 6x ``module.code`` through ``MetadataWrapper``.
    When no statement is unique up to the module (or the file has a lone CR,
    or a node sits outside every statement), one code generation of the
    module is the fallback, stopped after the last node asked about.

    Offsets are character offsets into ``code``, the module's text; they
    become (line, column) only for the nodes asked about.

    For the nodes that fixes edit it also keeps the span of text each one
    generated and the indentation it was generated at, so that a fix is
    applied by generating only the edited subtree and splicing its text in
    (``splice``), instead of transforming and regenerating the whole module.
    """

    def __init__(
        self,
        module: cst.Module,
        data: bytes,
        report_nodes: list[cst.CSTNode],
        edit_nodes: list[cst.CSTNode],
        parents: dict[int, cst.CSTNode] | None = None,
        memo: dict[Any, Any] | None = None,
    ) -> None:
        self.module = module
        self.computed: dict[int, tuple[int, int]] = {}
        self.spans: list[tuple[int, int, tuple[str, ...], cst.CSTNode]] = []
        # the statements generated alone (start, end, statement), and the
        # spans ``splice`` replaced (start, end, new text): see
        # ``_verify_statements``. None: the module was generated whole.
        self.units: list[tuple[int, int, cst.CSTNode]] | None = None
        self.replaced: list[tuple[int, int, str]] = []
        self._line_ends: list[int] | None = None
        nodes = [*report_nodes, *edit_nodes]
        edit_ids = {id(n) for n in edit_nodes}
        # Without a final newline the last statement's text in the file is
        # not the text it generates alone (and would match another line).
        if parents is not None and module.has_trailing_newline and _LONE_CR.search(data) is None:
            try:
                text: str | None = data.decode(module.encoding)
            except (UnicodeDecodeError, LookupError):
                text = None
            self.units = []
            if text is not None and self._by_statement(
                text, nodes, edit_ids, parents, _statement_memo(memo, text, edit_nodes, parents)
            ):
                self.code = self._text_for_lines = text
                self.exact = True
                return
            self.computed = {}
            self.spans = []
            self.units = None
        self._whole(data, nodes, edit_ids)

    # -- one statement at a time --------------------------------------------

    def _by_statement(
        self,
        text: str,
        nodes: list[cst.CSTNode],
        edit_ids: set[int],
        parents: dict[int, cst.CSTNode],
        memo: _StatementMemo | None = None,
    ) -> bool:
        import libcst as cst

        state_class = _offset_state_class()
        module = self.module
        generated: set[int] = set()  # statements already generated and found
        span_ids: set[int] = set()
        for node in nodes:
            if id(node) in self.computed:
                continue
            stmt: cst.CSTNode | None = node
            while True:
                # the innermost statement around (or at) ``stmt`` that
                # generates the same text wherever it sits
                while stmt is not None and not _statement_alone(stmt, parents):
                    stmt = parents.get(id(stmt))
                if stmt is None:
                    return False  # outside every statement, or not walked
                if id(stmt) in generated:
                    return False  # generated, yet the node is not in it
                indent: list[str] = []
                up = parents.get(id(stmt))
                while up is not None and not isinstance(up, cst.Module):
                    if isinstance(up, cst.IndentedBlock):
                        indent.append(module.default_indent if up.indent is None else up.indent)
                    up = parents.get(id(up))
                if up is None:
                    return False  # the parents do not reach the module
                mkey = memo.key(stmt) if memo is not None else None
                known = memo.get(mkey) if memo is not None else None
                if known is None:
                    indent.reverse()
                    state = state_class(module, edit_ids, set(), False)
                    state.indent_tokens = indent
                    stmt._codegen(state)
                    snippet = "".join(state.tokens)
                    start = _unique_line_start(text, snippet)
                    offsets = [start]
                    if start >= 0:
                        total = start
                        for token in state.tokens:
                            total += len(token)
                            offsets.append(total)
                    known = (start, len(snippet), offsets, state.computed, state.spans)
                    if memo is not None:
                        memo[mkey] = known
                base, size, offsets, computed, spans = known
                if base >= 0:
                    break
                stmt = parents.get(id(stmt))  # ambiguous: one statement out
            generated.add(id(stmt))
            assert self.units is not None
            self.units.append((base, base + size, stmt))
            for n in nodes:
                key = id(n)
                if key not in self.computed and key in computed:
                    start, end = computed[key]
                    self.computed[key] = (offsets[start], offsets[end])
            for start, end, tokens, edited in spans:
                if id(edited) not in span_ids:
                    span_ids.add(id(edited))
                    self.spans.append((offsets[start], offsets[end], tokens, edited))
            if id(node) not in self.computed:
                return False
        return True

    # -- the whole module -----------------------------------------------------

    def _whole(self, data: bytes, nodes: list[cst.CSTNode], edit_ids: set[int]) -> None:
        import itertools

        module = self.module
        targets = {id(n) for n in nodes}
        # Generation stops after the last node asked about; the rest of the
        # text is the original's. Only a file LibCST may not reproduce (a
        # lone CR) is generated whole, to be checked whole.
        stop = _LONE_CR.search(data) is None
        state = _offset_state_class()(module, edit_ids, targets, stop)
        try:
            module._codegen(state)
            stopped = False
        except _Stop:
            stopped = True
        tokens = state.tokens
        generated = "".join(tokens)
        self.code = generated
        self.exact = False
        if stopped:
            try:
                text = data.decode(module.encoding)
            except (UnicodeDecodeError, LookupError):
                text = None
            if text is not None and text.startswith(generated):
                self.code = text
                self.exact = True
            else:  # LibCST did not reproduce the start: generate all, report
                state = _offset_state_class()(module, edit_ids, targets, False)
                module._codegen(state)
                tokens = state.tokens
                self.code = "".join(tokens)
        else:
            self.exact = self.code.encode(module.encoding) == data
        self._text_for_lines = self.code
        if state.popped is not None:  # LibCST counts the popped newline in the module's end
            tokens = [*tokens, state.popped]
            self._text_for_lines = self.code + state.popped
        offsets = [0, *itertools.accumulate(map(len, tokens))]
        for key in targets:
            if key in state.computed:
                start, end = state.computed[key]
                self.computed[key] = (offsets[start], offsets[end])
        self.spans = [(offsets[s], offsets[e], i, n) for s, e, i, n in state.spans]

    def _point(self, offset: int) -> tuple[int, int]:
        import bisect

        if self._line_ends is None:
            self._line_ends = [m.end() for m in _NEWLINE.finditer(self._text_for_lines)]
        line = bisect.bisect_right(self._line_ends, offset)
        start = self._line_ends[line - 1] if line else 0
        return line + 1, offset - start

    def range(self, node: cst.CSTNode) -> tuple[tuple[int, int], tuple[int, int]]:
        start, end = self.computed[id(node)]
        return self._point(start), self._point(end)

    def splice(self, applier: Any) -> str | None:
        """The module's code with every edit applied, or None when an edit
        sits where its text cannot be generated on its own."""
        from libcst._nodes.internal import CodegenState

        spans = sorted(self.spans, key=lambda span: (span[0], -span[1]))
        tops: list[tuple[int, int, tuple[str, ...], cst.CSTNode]] = []
        nested: set[int] = set()  # tops with other edited nodes inside
        for span in spans:
            if tops and span[0] >= tops[-1][0] and span[1] <= tops[-1][1]:
                nested.add(len(tops) - 1)
                continue  # inside an edited node: applied with it
            tops.append(span)
        pieces: list[str] = []
        replaced: list[tuple[int, int, str]] = []
        at = 0
        for k, (start, end, indent, node) in enumerate(tops):
            if not _standalone(type(node)):
                return None
            if k in nested:
                new = node.visit(applier)
            else:
                # nothing else to edit inside: the fixes apply to the node
                # itself, without a transformer walking its subtree
                new = node
                for fix in applier.edits.get(id(node), ()):
                    new = fix(new)
                applier.results[id(node)] = new
            if not _standalone(type(new)):
                return None
            state = CodegenState(
                default_indent=self.module.default_indent,
                default_newline=self.module.default_newline,
                indent_tokens=list(indent),
            )
            new._codegen(state)
            text = "".join(state.tokens)
            pieces += [self.code[at:start], text]
            replaced.append((start, end, text))
            at = end
        if set(applier.edits) - set(applier.results):
            return None  # an edit was not reached from its span (nested spans tie)
        pieces.append(self.code[at:])
        self.replaced = replaced
        return "".join(pieces)


class _StatementMemo(dict):  # type: ignore[type-arg]
    """What :meth:`_Positions._by_statement` found generating statements of
    one tree's text, by statement and the nodes inside it that fixes edit
    (:meth:`key`): where its text starts (-1: ambiguous), its length, the
    offset after each token, id(node) -> (first token, end token) for every
    node in it, and the spans of the edited nodes (``splice``). The rules run
    on the same tree up to four times (the engine's second pass, the
    analysis ahead) and ask for the positions of mostly the same nodes, with
    mostly the same fixes; what generating a statement finds depends on the
    tree, the text and the edited nodes inside it alone."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self._inside: dict[int, frozenset[int]] = {}

    def edit(self, edit_nodes: list[cst.CSTNode], parents: dict[int, cst.CSTNode]) -> bool:
        """Note the nodes this analysis edits, by each node around them
        (False: one of them does not reach the module through ``parents``:
        which statements hold it is not known, so no memo)."""
        import libcst as cst

        inside: dict[int, set[int]] = {}
        for node in edit_nodes:
            up: cst.CSTNode | None = node
            while up is not None and not isinstance(up, cst.Module):
                inside.setdefault(id(up), set()).add(id(node))
                up = parents.get(id(up))
            if up is None:
                return False
        self._inside = {k: frozenset(v) for k, v in inside.items()}
        return True

    def key(self, stmt: cst.CSTNode) -> tuple[int, frozenset[int]]:
        return id(stmt), self._inside.get(id(stmt), frozenset())


def _statement_memo(
    memo: dict[Any, Any] | None,
    text: str,
    edit_nodes: list[cst.CSTNode],
    parents: dict[int, cst.CSTNode],
) -> _StatementMemo | None:
    """The statement memo of the tree whose facts hold ``memo``
    (``ModuleFacts.node_memo``), for ``text`` and these edits (None: none)."""
    if memo is None:
        return None
    found = memo.get(_POSITIONS)
    if found is None or (found.text is not text and found.text != text):
        found = memo[_POSITIONS] = _StatementMemo(text)
    return found if found.edit(edit_nodes, parents) else None


_POSITIONS = ("engine.statements", 0)  # ModuleFacts.node_memo: _StatementMemo


def _statement_alone(node: cst.CSTNode, parents: dict[int, cst.CSTNode]) -> bool:
    """Is ``node`` a statement whose text is the same generated on its own?
    (An ``if`` is, unless it is an ``elif``.)"""
    import libcst as cst

    if isinstance(node, cst.If):
        return not isinstance(parents.get(id(node)), cst.If)
    return isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)) and _standalone(
        type(node)
    )


def _unique_line_start(text: str, snippet: str) -> int:
    """Where ``snippet`` starts a line of ``text``, if it starts exactly one
    (else -1). A line starts after LF, after a CR not followed by LF, or at 0."""
    if not snippet:
        return -1
    found = -1
    at = text.find(snippet)
    while at != -1:
        if at == 0 or text[at - 1] == "\n" or (text[at - 1] == "\r" and text[at] != "\n"):
            if found != -1:
                return -1
            found = at
        at = text.find(snippet, at + 1)
    return found


_NEWLINE = re.compile(r"\r\n?|\n")
_LONE_CR = re.compile(rb"\r(?!\n)")


class _Stop(Exception):
    """Every node asked about has its position: the rest need not be generated."""


@functools.cache
def _standalone(node_type: type) -> bool:
    """Does this node generate the same text wherever it sits? (No parent
    passes it a default comma, semicolon...; not the module itself.)"""
    import inspect

    import libcst as cst

    # a fix may return FlattenSentinel/RemovalSentinel (statements added or
    # removed): only the whole-module transform can place those
    if not issubclass(node_type, cst.CSTNode) or issubclass(node_type, cst.Module):
        return False
    params = inspect.signature(node_type._codegen_impl).parameters  # type: ignore[attr-defined]
    return len(params) <= 2


@functools.cache
def _offset_state_class() -> Any:
    from libcst._nodes.internal import CodegenState

    class _Syntactic:
        __slots__ = ("state", "node", "start_node", "end_node", "start")

        def __init__(self, state: Any, node: Any, start_node: Any, end_node: Any) -> None:
            self.state = state
            self.node = node
            self.start_node = start_node
            self.end_node = end_node

        def __enter__(self) -> None:
            self.start = len(self.state.tokens)

        def __exit__(self, exc_type: object, *exc: object) -> bool:
            if exc_type is not None:
                return False  # stopping early: nothing more to record
            computed = self.state.computed
            start = self.start
            end = len(self.state.tokens)
            if self.start_node is not None:
                start = computed[id(self.start_node)][0]
            if self.end_node is not None:
                end = computed[id(self.end_node)][1]
            computed[id(self.node)] = (start, end)
            return False

    class _OffsetState(CodegenState):
        """LibCST's ``PositionProvidingCodegenState``, counting tokens."""

        def __init__(self, module: Any, edit_ids: set[int], targets: set[int], stop: bool) -> None:
            super().__init__(
                default_indent=module.default_indent, default_newline=module.default_newline
            )
            self.targets = set(targets) if stop else None
            self.stack: list[int] = []
            self.computed: dict[int, tuple[int, int]] = {}
            self.edit_ids = edit_ids
            self.spans: list[tuple[int, int, tuple[str, ...], Any]] = []
            self.popped: str | None = None

        def before_codegen(self, node: Any) -> None:
            self.stack.append(len(self.tokens))

        def after_codegen(self, node: Any) -> None:
            # a syntactic position recorded inside wins (as in LibCST)
            start = self.stack.pop()
            key = id(node)
            self.computed.setdefault(key, (start, len(self.tokens)))
            if key in self.edit_ids:
                self.spans.append((start, len(self.tokens), tuple(self.indent_tokens), node))
            targets = self.targets
            if targets is not None and key in targets:
                targets.discard(key)
                if not targets:
                    raise _Stop

        def pop_trailing_newline(self) -> None:
            if self.tokens:
                self.popped = self.tokens.pop()

        def record_syntactic_position(  # type: ignore[override]
            self, node: Any, *, start_node: Any = None, end_node: Any = None
        ) -> Any:
            return _Syntactic(self, node, start_node, end_node)

    return _OffsetState


# Statements that can make another statement of the module invalid: a
# ``global``/``nonlocal`` declaration (a name used before it, a binding it
# needs). (Future imports are repeated above each statement compiled.)
_CROSS_STATEMENT = re.compile(rb"\b(?:global|nonlocal)\b")
# New text with these can make other statements invalid (a ``yield`` turns
# the function into a generator, where ``return value`` may not be) or
# depends on blocks the header does not stand for (loops, ``except*``).
# Fixes never write them; a text that does is compiled whole.
_CONTEXT_KEYWORDS = re.compile(r"\b(?:yield|await|return|break|continue)\b")


def _future_imports(module: cst.Module) -> tuple[str, int] | None:
    """The module's ``from __future__ import ...`` lines, as one line, and
    how many statements of the module's body go up to the last of them
    (None: one that cannot be repeated, such as a star)."""
    import libcst as cst

    names: list[str] = []
    upto = 0
    for index, stmt in enumerate(module.body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            break
        for small in stmt.body:
            if (
                isinstance(small, cst.ImportFrom)
                and isinstance(small.module, cst.Name)
                and small.module.value == "__future__"
                and not small.relative
            ):
                if isinstance(small.names, cst.ImportStar):
                    return None
                for alias in small.names:
                    if not isinstance(alias.name, cst.Name):
                        return None
                    names.append(alias.name.value)
                upto = index + 1
    if not names:
        return "", 0
    return f"from __future__ import {', '.join(names)}\n", upto


def _verify_statements(positions: _Positions, parents: dict[int, Any], data: bytes) -> bool:
    """Do the spliced fixes compile, shown statement by statement? (False:
    not shown this way; ``_verify`` compiles the whole module.)

    Each statement that holds a fix is compiled alone, after a header that
    stands for its context: nothing at the top level, ``if 1:`` for an
    indented statement outside functions and classes, ``def _():`` (``async
    def``) or ``class _:`` inside the innermost one. The statement is a
    whole number of lines that starts and ends where the tokenizer is
    between statements at its indentation, so swapping it for new text that
    compiles there leaves the rest of the module as valid as it was. What
    the compiler checks across statements is future imports (repeated
    before the header, and a fix in the docstring or the imports themselves
    is compiled whole) and scope (files with a global or nonlocal
    declaration are compiled whole; new text with ``yield``, ``await``,
    ``return``, ``break`` or ``continue`` too). Anything else the header
    does not stand for exactly fails here and is compiled whole: never a
    false pass, only a slower one. (Property-tested against the whole
    compile in tests/test_engine_fast_paths.py.)
    """
    import libcst as cst

    if positions.units is None or _CROSS_STATEMENT.search(data):
        return False
    if any(_CONTEXT_KEYWORDS.search(text) for _, _, text in positions.replaced):
        return False
    module = positions.module
    futures = _future_imports(module) if b"__future__" in data else ("", 0)
    if futures is None:
        return False
    future, upto = futures
    # a fix in the docstring or the future imports themselves (future
    # imports must come first): compiled whole
    if any(unit is stmt for stmt in module.body[:upto] for _, _, unit in positions.units):
        return False
    code = positions.code
    checked: set[int] = set()
    for start, end, stmt in positions.units:
        inside = [r for r in positions.replaced if start <= r[0] and r[1] <= end]
        if not inside:
            continue
        pieces: list[str] = []
        at = start
        for s, e, text in inside:
            pieces += [code[at:s], text]
            at = e
            checked.add(s)
        pieces.append(code[at:end])
        header = ""
        up = parents.get(id(stmt))
        while up is not None:
            if isinstance(up, cst.FunctionDef):
                header = "async def _():\n" if up.asynchronous is not None else "def _():\n"
                break
            if isinstance(up, cst.ClassDef):
                header = "class _:\n"
                break
            if isinstance(up, cst.IndentedBlock):
                header = "if 1:\n"
            up = parents.get(id(up))
        try:
            _quiet_compile(future + header + "".join(pieces), "<statement>")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
    return all(r[0] in checked for r in positions.replaced)


def _verify(new: bytes, old: bytes) -> str | None:
    """The migrated source must compile with this Python where the original
    does (the common case, and cheaper than LibCST's parser; a full compile,
    not only the AST: the compiler finds errors the parser lets through, such
    as a repeated keyword argument), else parse with LibCST (newer syntax
    than this Python knows)."""
    try:
        _quiet_compile(new, "<migrated>")
        return None
    except (SyntaxError, ValueError) as e:
        failure: BaseException = e
    except (RecursionError, MemoryError) as e:
        failure = e
    try:
        _quiet_compile(old, "<original>")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # newer syntax than this Python knows: LibCST's word stands
        import libcst as cst

        try:
            cst.parse_module(new)
        except Exception as e:  # noqa: BLE001 - any failure means: do not write
            return (
                "internal error: the migrated source does not parse "
                f"({type(e).__name__}); not rewritten"
            )
        return None
    if isinstance(failure, SyntaxError):
        try:
            _quiet_compile(new, "<migrated>", ast.PyCF_ONLY_AST)
        except (SyntaxError, ValueError):
            return (
                f"internal error: the migrated source does not parse ({failure.msg}); not rewritten"
            )
        why = failure.msg  # parses, but the compiler refuses it (a repeated keyword)
    else:
        why = type(failure).__name__
    return f"internal error: the migrated source does not compile ({why}); not rewritten"


def _syntax_error(path: str, data: bytes, e: Any) -> FileError:
    """Python's own parser names the place and the reason better than LibCST's
    (which points at the token after); use it when it agrees the file is bad.
    Neither exception's str() is shown: both quote the source line, which may
    hold a secret."""
    if b"\0" in data:
        before = data[: data.index(b"\0")]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return FileError(path, "source contains a NUL byte (not a text file?)", line, col)
    try:
        _quiet_compile(data, path, ast.PyCF_ONLY_AST)
    except SyntaxError as se:
        if se.lineno is not None:
            return FileError(
                path,
                # Python's message can quote the source ("Did you mean
                # print("sk-...")?"): keys in it are redacted
                f"syntax error: {redact_text(se.msg)} (not valid Python 3; not analysed)",
                se.lineno,
                se.offset,
            )
    except (ValueError, RecursionError, MemoryError):
        pass
    message = e.message.strip().splitlines()[0] if e.message.strip() else "invalid syntax"
    return FileError(
        path,
        f"syntax error: {message} (not valid Python 3; not analysed)",
        e.raw_line,
        e.raw_column + 1,
    )


_BRACKETS = re.compile(rb"[\[\](){}]")


# An expression nested N levels deep needs at least about N bytes in one
# statement (``-`` unary chains: one byte a level; ``a+a``, ``.b``, ``()``:
# two). A statement is one physical line unless brackets or backslashes
# continue it. Below this many bytes in every line and every bracket group,
# no expression can reach MAX_EXPRESSION_DEPTH (indentation adds at most 100
# levels), and the AST walk that measures depth is skipped.
_SHORT_STATEMENT = 800


def _may_nest_deeply(data: bytes) -> bool:
    """Cheap and exact in the safe direction: False only when no expression
    of the file can be nested deeper than MAX_EXPRESSION_DEPTH."""
    if len(data) < _SHORT_STATEMENT:
        return False
    if data.count(b"\\\n") + data.count(b"\\\r") > 20:
        return True  # backslash-continued statements: measure
    if max(map(len, data.splitlines())) >= _SHORT_STATEMENT:
        return True
    import itertools
    import operator

    # The running bracket depth, in C. When it never goes below zero (no
    # stray closer in a string or comment: the common case), the top-level
    # groups end where it is zero, and only their spans need positions.
    steps = memoryview(data.translate(_BRACKET_STEPS, _NOT_BRACKETS)).cast("b")
    if not steps:
        return False
    depths = list(itertools.accumulate(steps))
    if min(depths) >= 0:
        if depths[-1] != 0:
            return True  # unbalanced (brackets in strings): measure
        positions = [m.start() for m in _BRACKETS.finditer(data)]
        start = 0
        for end in itertools.compress(range(len(depths)), map(operator.not_, depths)):
            if positions[end] + 1 - positions[start] >= _SHORT_STATEMENT:
                return True
            start = end + 1
        return False
    # a stray closer: the loop below ignores it, as it always has
    depth = 0
    start = 0
    for m in _BRACKETS.finditer(data):
        if m.group() in b"([{":
            if depth == 0:
                start = m.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0 and m.end() - start >= _SHORT_STATEMENT:
                return True
    return depth > 0  # unbalanced (brackets in strings): measure


# every byte but brackets deleted; openers -> +1, closers -> -1 (as int8)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"()[]{}")
_BRACKET_STEPS = bytes.maketrans(b"([{)]}", b"\x01\x01\x01\xff\xff\xff")


def _bracket_depth_error(data: bytes) -> str | None:
    # cheap upper bound first: brackets inside strings and comments count
    # too (the running sum of +1/-1 steps, in C: no Python loop per bracket)
    import itertools

    steps = memoryview(data.translate(_BRACKET_STEPS, _NOT_BRACKETS)).cast("b")
    peak = max(itertools.accumulate(steps), default=0)
    if peak <= MAX_BRACKET_DEPTH:
        return None
    exact = _exact_bracket_depth(data)
    if exact is None or exact > MAX_BRACKET_DEPTH:
        return f"brackets nested more than {MAX_BRACKET_DEPTH} deep: not analysed"
    return None


def _exact_bracket_depth(data: bytes) -> int | None:
    import io
    import tokenize

    depth = peak = 0
    try:
        for tok in tokenize.tokenize(io.BytesIO(data).readline):
            if tok.type == tokenize.OP:
                if tok.string in "([{":
                    depth += 1
                    peak = max(peak, depth)
                elif tok.string in ")]}":
                    depth -= 1
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError):
        return None
    return peak


# --- running with a deep stack ---------------------------------------------
#
# LibCST's parser and visitors recurse once per nesting level. On the main
# thread's 8 MiB stack a long ``a + b + ...`` chain or a 3,000-deep attribute
# chain crashes the interpreter (SIGSEGV) instead of raising. All per-file
# work therefore runs on one long-lived thread with a 512 MiB stack (only the
# pages touched are committed), with a recursion limit to match.

T = TypeVar("T")
_STACK = 512 * 1024 * 1024
_RECURSION_LIMIT = 60_000
_worker_lock = threading.Lock()
_worker: _DeepWorker | None = None


class _DeepWorker:
    def __init__(self) -> None:
        import queue

        self.jobs: queue.Queue = queue.Queue()
        self.running = 0  # jobs queued or running, not finished
        self.count_lock = threading.Lock()
        old = threading.stack_size()
        threading.stack_size(_STACK)
        try:
            self.thread = threading.Thread(
                target=self._loop, name="openrouter-migrate-deep", daemon=True
            )
            # Ctrl-C/SIGTERM must wake the main thread, not this one (which
            # would leave the main thread waiting for the parse to finish)
            from codemods.core.runner import _run_signals_blocked

            with _run_signals_blocked():
                self.thread.start()
        finally:
            threading.stack_size(old)

    def _loop(self) -> None:
        if sys.getrecursionlimit() < _RECURSION_LIMIT:
            sys.setrecursionlimit(_RECURSION_LIMIT)
        while True:
            fn, box, done = self.jobs.get()
            try:
                box.append((True, fn()))
            except BaseException as e:  # noqa: BLE001 - re-raised in the caller
                box.append((False, e))
            with self.count_lock:
                self.running -= 1
            done.set()

    def run(self, fn: Callable[[], T]) -> T:
        box: list = []
        done = threading.Event()
        with self.count_lock:
            self.running += 1
        self.jobs.put((fn, box, done))
        # An interrupt leaves the job running here: the caller stops at once.
        # A daemon thread still inside LibCST's native (Rust) parser when the
        # interpreter exits aborts it (SIGABRT): the CLI waits for
        # :func:`deep_work_running` to end, or leaves with ``os._exit``.
        done.wait()
        ok, value = box[0]
        if ok:
            return value
        raise value


def _forget_worker_after_fork() -> None:
    # a forked child has no copy of the parent's deep thread: start its own
    global _worker, _worker_lock
    _worker = None
    _worker_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_worker_after_fork)


def deep_work_running() -> bool:
    """Whether the deep-stack thread has unfinished work (an interrupted parse)."""
    worker = _worker
    return worker is not None and worker.running > 0


def _run_deep(fn: Callable[[], T]) -> T:
    global _worker
    if threading.current_thread().name == "openrouter-migrate-deep":
        return fn()
    with _worker_lock:
        if _worker is None:
            _worker = _DeepWorker()
    return _worker.run(fn)


def process_many(items: Iterable[tuple[str, bytes]], config: EngineConfig) -> Iterable[FileResult]:
    for path, data in items:
        yield process_source(path, data, config)
