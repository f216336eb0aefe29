"""Per-file work: bytes in, :class:`FileResult` out. Pure: no I/O, no printing.

    data -> prefilter -> parse (LibCST) -> facts -> rules -> reports
         -> positions + suppressions -> fixes applied -> re-parse -> result

``check`` and ``migrate`` run exactly this; they differ only in what the
caller does with the result. Everything the function needs arrives in an
:class:`EngineConfig`, which is small and picklable so that the function
runs unchanged in a worker process.
"""

from __future__ import annotations

import functools
import os
import re
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, TypeVar

from codemods.findings import FileError, FileResult, Finding, Settings
from codemods.mapping import MappingError, ModelTable, load_model_table
from codemods.prefilter import may_need_work

if TYPE_CHECKING:
    import libcst as cst

    from codemods.rules.base import Fix, Report

# LibCST, the analysis and the rules are imported by the first file that has
# to be parsed (``_process``), never by a run the prefilter settles alone:
# importing them costs about 0.3 s of start-up.

# Python itself refuses more than 200 nested brackets; LibCST's native parser
# overflows the C stack long before it refuses. Files deeper than this are
# reported, never parsed.
MAX_BRACKET_DEPTH = 200


@dataclass(frozen=True)
class EngineConfig:
    """Everything that changes what the engine produces (part of the cache key)."""

    settings: Settings = Settings()
    mapping_files: tuple[str, ...] = ()

    def table(self) -> ModelTable:
        return _table(self.mapping_files)


@functools.lru_cache(maxsize=8)
def _table(mapping_files: tuple[str, ...]) -> ModelTable:
    return load_model_table(mapping_files)


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


def process_source(
    path: str, data: bytes, config: EngineConfig, *, prefilter: bool = True
) -> FileResult:
    """Analyse (and compute the migration of) one Python file's bytes."""
    if prefilter and not may_need_work(data):
        return FileResult(path, skipped=True)
    too_deep = _bracket_depth_error(data)
    if too_deep is not None:
        return FileResult(path, errors=[FileError(path, too_deep)])
    return _run_deep(lambda: _process(path, data, config))


def _process(path: str, data: bytes, config: EngineConfig) -> FileResult:
    import libcst as cst

    from codemods.analysis import collect
    from codemods.rules import CHECKERS, RuleContext
    from codemods.suppress import Suppressions

    try:
        module = cst.parse_module(data)
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

    facts = collect(module)
    ctx = RuleContext(module=module, facts=facts, settings=config.settings, table=table)
    for check in CHECKERS:
        check(ctx)
    if not ctx.reports:
        return FileResult(path)

    # Positions only now that there are findings, and only as cheap as one
    # code generation: see ``_Positions``.
    edit_nodes: list[cst.CSTNode] = []
    for r in ctx.reports:
        if r.fix is not None:
            edit_nodes.append(r.node)
            edit_nodes += [node for node, _ in ctx.support_edits.get(id(r), [])]
    positions = _Positions(module, data, [r.node for r in ctx.reports], edit_nodes)
    suppressions = Suppressions.from_source(data, module.encoding)

    kept: list[Report] = []
    for r in ctx.reports:
        (line, _), (end_line, _) = positions.range(r.node)
        if suppressions.suppresses(r.rule.code, line, end_line):
            continue
        kept.append(r)

    edits: dict[int, list[Fix]] = {}
    for r in kept:
        if r.fix is not None:
            edits.setdefault(id(r.node), []).append(r.fix)
            for node, fix in ctx.support_edits.get(id(r), []):
                edits.setdefault(id(node), []).append(fix)

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
            error = _verify(new_bytes, data)
            if error is not None:
                result.errors.append(FileError(path, error))
            elif new_bytes != data:
                result.new_source = new_bytes

    for r in kept:
        (line, col), (end_line, end_col) = positions.range(r.node)
        target = id(r.fix_node or r.node)
        fixed = result.new_source is not None and target in applier.results
        replacement: str | None = None
        if fixed and r.fix_node is None:
            replacement = module.code_for_node(applier.results[target])
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
                fixable=r.rule.fixable and fixed,
                replacement=replacement,
            )
        )
    result.findings.sort(key=Finding.sort_key)
    return result


class _Positions:
    """Positions of nodes, from one code generation of the module.

    The same positions as LibCST's ``PositionProvider`` (syntactic ranges,
    hoisted from children where LibCST hoists them), computed the way LibCST
    computes them, but as token indexes turned into character offsets once
    at the end: about the cost of ``module.code``, against 6x that through
    ``MetadataWrapper``. Offsets become (line, column) only for the nodes
    asked about.

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
    ) -> None:
        import itertools

        targets = {id(n) for n in report_nodes} | {id(n) for n in edit_nodes}
        # Generation stops after the last node asked about; the rest of the
        # text is the original's. Only a file LibCST may not reproduce (a
        # lone CR) is generated whole, to be checked whole.
        stop = _LONE_CR.search(data) is None
        state = _offset_state_class()(module, {id(n) for n in edit_nodes}, targets, stop)
        try:
            module._codegen(state)
            stopped = False
        except _Stop:
            stopped = True
        tokens = state.tokens
        generated = "".join(tokens)
        self.module = module
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
                state = _offset_state_class()(module, {id(n) for n in edit_nodes}, targets, False)
                module._codegen(state)
                tokens = state.tokens
                self.code = "".join(tokens)
        else:
            self.exact = self.code.encode(module.encoding) == data
        self._text_for_lines = self.code
        if state.popped is not None:  # LibCST counts the popped newline in the module's end
            tokens = [*tokens, state.popped]
            self._text_for_lines = self.code + state.popped
        self.offsets = [0, *itertools.accumulate(map(len, tokens))]
        self.computed: dict[int, tuple[int, int]] = state.computed
        self.spans = state.spans
        self._line_ends: list[int] | None = None

    def _point(self, offset: int) -> tuple[int, int]:
        import bisect

        if self._line_ends is None:
            self._line_ends = [m.end() for m in _NEWLINE.finditer(self._text_for_lines)]
        line = bisect.bisect_right(self._line_ends, offset)
        start = self._line_ends[line - 1] if line else 0
        return line + 1, offset - start

    def range(self, node: cst.CSTNode) -> tuple[tuple[int, int], tuple[int, int]]:
        start, end = self.computed[id(node)]
        return self._point(self.offsets[start]), self._point(self.offsets[end])

    def splice(self, applier: Any) -> str | None:
        """The module's code with every edit applied, or None when an edit
        sits where its text cannot be generated on its own."""
        from libcst._nodes.internal import CodegenState

        spans = sorted(
            ((self.offsets[s], self.offsets[e], indent, node) for s, e, indent, node in self.spans),
            key=lambda span: (span[0], -span[1]),
        )
        tops: list[tuple[int, int, tuple[str, ...], cst.CSTNode]] = []
        for span in spans:
            if tops and span[0] >= tops[-1][0] and span[1] <= tops[-1][1]:
                continue  # inside an edited node: applied with it
            tops.append(span)
        pieces: list[str] = []
        at = 0
        for start, end, indent, node in tops:
            if not _standalone(type(node)):
                return None
            new = node.visit(applier)
            if not _standalone(type(new)):
                return None
            state = CodegenState(
                default_indent=self.module.default_indent,
                default_newline=self.module.default_newline,
                indent_tokens=list(indent),
            )
            new._codegen(state)
            pieces += [self.code[at:start], "".join(state.tokens)]
            at = end
        if set(applier.edits) - set(applier.results):
            return None  # an edit was not reached from its span (nested spans tie)
        pieces.append(self.code[at:])
        return "".join(pieces)


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

    if issubclass(node_type, cst.Module):
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


def _verify(new: bytes, old: bytes) -> str | None:
    """The migrated source must parse: with this Python's own parser where
    the original compiles (the common case, and 10x cheaper than LibCST's
    parser), else with LibCST (newer syntax than this Python knows)."""
    try:
        compile(new, "<migrated>", "exec", flags=0x400, dont_inherit=True)  # PyCF_ONLY_AST
        return None
    except (SyntaxError, ValueError) as e:
        failure: BaseException = e
    except (RecursionError, MemoryError) as e:
        failure = e
    try:
        compile(old, "<original>", "exec", flags=0x400, dont_inherit=True)
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
    why = failure.msg if isinstance(failure, SyntaxError) else type(failure).__name__
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
        compile(data, path, "exec", flags=0x400, dont_inherit=True)  # PyCF_ONLY_AST
    except SyntaxError as se:
        if se.lineno is not None:
            return FileError(
                path,
                f"syntax error: {se.msg} (not valid Python 3; nothing changed)",
                se.lineno,
                se.offset,
            )
    except (ValueError, RecursionError, MemoryError):
        pass
    message = e.message.strip().splitlines()[0] if e.message.strip() else "invalid syntax"
    return FileError(
        path,
        f"syntax error: {message} (not valid Python 3; nothing changed)",
        e.raw_line,
        e.raw_column + 1,
    )


_BRACKETS = re.compile(rb"[\[\](){}]")


def _bracket_depth_error(data: bytes) -> str | None:
    # cheap upper bound first: brackets inside strings and comments count too
    depth = peak = 0
    for m in _BRACKETS.finditer(data):
        if m.group() in b"([{":
            depth += 1
            if depth > peak:
                peak = depth
        else:
            depth -= 1
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
        old = threading.stack_size()
        threading.stack_size(_STACK)
        try:
            self.thread = threading.Thread(
                target=self._loop, name="openrouter-migrate-deep", daemon=True
            )
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
            done.set()

    def run(self, fn: Callable[[], T]) -> T:
        box: list = []
        done = threading.Event()
        self.jobs.put((fn, box, done))
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
