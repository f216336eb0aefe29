"""The engine for Jupyter notebooks: ``.ipynb`` bytes in, :class:`FileResult` out.

    data -> load_cells -> virtual module (all parsable code cells, in order)
         -> engine.process_source -> findings mapped back to (cell, line, col)
         -> split per cell -> replace_cell_sources -> new notebook bytes

The code cells run top to bottom in one namespace, so they are analysed as
one module (see :mod:`codemods.python.notebook`): a client built in cell 2 and used
in cell 5 is the same client, ``import openai`` in cell 1 counts everywhere.
Only changed cells' ``source`` values are rewritten; every other byte of the
file is kept. Pure: no I/O, no printing.

Cells that are not analysed:

* ``%%bash``-like cells and notebooks whose kernel is not Python: not Python,
  nothing to say.
* A cell with a syntax error is left exactly as it is and the other cells are
  still migrated. It is reported (as a :class:`FileError`, which makes the
  run exit 2) only when the cell itself may hold OpenAI code, by the same
  test the prefilter applies to whole files: a scratch cell that cannot need
  work is skipped silently, as a ``.py`` file without ``openai`` in it is.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from typing import TYPE_CHECKING, Callable

from codemods.core.engine import EngineConfig
from codemods.core.findings import FileError, FileResult, Finding
from codemods.core.prefilter import may_need_work
from codemods.python.engine import analyze_source
from codemods.python.notebook import (
    Cell,
    NotebookError,
    SourceLocator,
    VirtualModule,
    build_virtual_module,
    load_cells,
    map_position,
    replace_cell_sources,
    split_virtual_module,
)

if TYPE_CHECKING:
    from codemods.python.project import ModuleSummary, ProjectInput

__all__ = ["analyze_notebook", "notebook_diff", "process_notebook"]

CANNOT_SPLIT = "cannot apply fixes to this notebook safely: its findings are report-only"


def analyze_candidate(
    path: str, data: bytes, config: EngineConfig
) -> tuple[FileResult, ModuleSummary | None]:
    """The runner's entry (``codemods/core/frontends.py``): every notebook is
    read (a broken one is an error to report). Its summary (what its cells,
    as one module, tell the project pass) makes it a caller and importer of
    the run's modules like a ``.py`` file; nothing imports a notebook."""
    return analyze_notebook(path, data, config)


def analyze_with_project(
    path: str, data: bytes, config: EngineConfig, project: ProjectInput
) -> tuple[FileResult, ModuleSummary | None]:
    """The runner's second-round entry: the notebook analysed again with
    what the other files of the run said."""
    return analyze_notebook(path, data, config, project)


def process_notebook(path: str, data: bytes, config: EngineConfig) -> FileResult:
    """Analyse (and compute the migration of) one notebook's bytes."""
    return analyze_notebook(path, data, config)[0]


def analyze_notebook(
    path: str, data: bytes, config: EngineConfig, project: ProjectInput | None = None
) -> tuple[FileResult, ModuleSummary | None]:
    """:func:`process_notebook`, with the cross-module input and output of
    the project pass (:func:`codemods.python.engine.analyze_source`)."""
    try:
        cells = load_cells(data)
    except NotebookError as e:
        return FileResult(path, errors=[FileError(path, f"{e}; not analysed")]), None

    errors = [_cell_error(path, c) for c in cells if _report_unparsable(c)]
    vm = build_virtual_module(cells)
    if not vm.cells:
        return FileResult(path, errors=errors, skipped=not errors), None

    res, summary = analyze_source(
        path, vm.text.encode("utf-8"), config, prefilter=True, project=project
    )
    if res.skipped:
        return FileResult(path, errors=errors, skipped=not errors), None

    result = FileResult(path, errors=errors)
    result.errors += [_map_error(vm, e) for e in res.errors]
    masked = _masked_lines(vm)
    locator = _locator(data) if res.findings else None
    findings = [_map_finding(vm, f, locator) for f in res.findings if f.line not in masked]

    if res.new_source is not None:
        new_bytes, problem = _rebuild(data, vm, res.new_source)
        if problem is not None:
            result.errors.append(FileError(path, problem))
            findings = [_report_only(f) for f in findings]
        elif new_bytes != data:
            result.new_source = new_bytes
    result.findings = sorted(findings, key=Finding.sort_key)
    return result, summary


def _report_unparsable(cell: Cell) -> bool:
    return cell.error is not None and may_need_work(cell.source.encode("utf-8", "replace"))


def _cell_error(path: str, cell: Cell) -> FileError:
    where = f"cell {cell.number}"
    if cell.error_line is not None:
        where += f":{cell.error_line}"
        if cell.error_col is not None:
            where += f":{cell.error_col}"
    return FileError(
        path, f"{where}: {cell.error} (this cell is not analysed; the other cells are)"
    )


def _map_error(vm: VirtualModule, e: FileError) -> FileError:
    if e.line is None:
        return e
    cell, line, col = map_position(vm, e.line, e.col or 1)
    where = f"cell {cell}:{line}" + (f":{col}" if e.col is not None else "")
    return FileError(e.path, f"{where}: {e.message}")


def _masked_lines(vm: VirtualModule) -> set[int]:
    """Virtual-module lines (1-based) that stand for IPython syntax."""
    tag = re.compile(rf"^[ \t]*pass  # {re.escape(vm.magic_tag)} \d+[ \t]*$")
    return {n for n, ln in enumerate(vm.text.splitlines(), 1) if tag.match(ln)}


def _locator(data: bytes) -> SourceLocator | None:
    """Where the cells' text is in the JSON; None if the layout defeats it (the
    findings then have no ``file_region``, and the reports say only the cell)."""
    try:
        return SourceLocator(data)
    except (NotebookError, IndexError, ValueError):
        return None


def _map_finding(vm: VirtualModule, f: Finding, locator: SourceLocator | None) -> Finding:
    cell, line, col = map_position(vm, f.line, f.col)
    end_cell, end_line, end_col = map_position(vm, f.end_line, f.end_col)
    if end_cell != cell:  # a span never crosses cells; keep the start if it seems to
        end_line, end_col = line, col
    region = None
    if locator is not None:
        try:
            region = locator.region(cell, line, col, end_line, end_col)
        except (NotebookError, IndexError, ValueError):
            region = None
    return dataclasses.replace(
        f,
        line=line,
        col=col,
        end_line=end_line,
        end_col=end_col,
        message=_map_refs(vm, f.path, f.message),
        cell=cell,
        file_region=region,
    )


def _map_refs(vm: VirtualModule, path: str, message: str) -> str:
    """``nb.ipynb:12`` in a message (other places it names, see
    ``engine._with_refs``) becomes ``nb.ipynb:cell 3:2``; ``(line 12)`` and
    ``(lines 12, 14)`` (where a client escapes: ``escapes.escape_note``)
    become ``(cell 3:2)`` and ``(cell 3:2, cell 3:4)``."""
    import re

    def place(line: int) -> str:
        cell, in_cell, _ = map_position(vm, line, 1)
        return f"cell {cell}:{in_cell}"

    def lines(m: re.Match[str]) -> str:
        return "(" + ", ".join(place(int(n)) for n in m.group(1).split(", ")) + ")"

    message = re.sub(r"\(lines? (\d+(?:, \d+)*)\)", lines, message)
    if f"{path}:" not in message:
        return message

    def cell_line(m: re.Match[str]) -> str:
        return f"{path}:{place(int(m.group(1)))}"

    return re.sub(re.escape(path) + r":(\d+)(?![\d:])", cell_line, message)


def cell_refs(path: str, data: bytes) -> Callable[[str], str] | None:
    """What turns ``nb.ipynb:12`` (a line of the notebook's cells as one
    module) in another file's message into ``nb.ipynb:cell 3:2``: the
    project pass tells other files where in a notebook a model or a call
    is, in the lines of the module its cells make. None: not a notebook
    the tool analyses."""
    try:
        vm = build_virtual_module(load_cells(data))
    except NotebookError:
        return None
    if not vm.cells:
        return None
    pattern = re.compile(r"(?<![\w./\\-])" + re.escape(path) + r":(\d+)(?![\d:])")

    def cell_line(m: re.Match[str]) -> str:
        cell, in_cell, _ = map_position(vm, int(m.group(1)), 1)
        return f"{path}:cell {cell}:{in_cell}"

    return lambda message: pattern.sub(cell_line, message)


def _report_only(f: Finding) -> Finding:
    d = f.to_dict()
    d["fixable"], d["replacement"] = False, None
    return Finding.from_dict(d)


def _rebuild(data: bytes, vm: VirtualModule, new_vm: bytes) -> tuple[bytes, str | None]:
    """The new notebook bytes, or the reason the fixes cannot be applied."""
    try:
        new_text = new_vm.decode("utf-8")
    except UnicodeDecodeError:
        return data, CANNOT_SPLIT
    new_sources = split_virtual_module(vm, new_text)
    if new_sources is None:
        return data, CANNOT_SPLIT
    try:
        return replace_cell_sources(data, new_sources), None
    except NotebookError as e:
        return data, f"{CANNOT_SPLIT} ({e})"


# --------------------------------------------------------------------------
# migrate --diff --cell-diff: the changed cells' sources, not the JSON (for reading)
# --------------------------------------------------------------------------


def notebook_diff(path: str, old: bytes, new: bytes) -> str:
    """A unified diff of each changed code cell's source, headed ``a/<path>:cell N``.

    Hunk line numbers are lines within the cell, as findings show them.
    """
    try:
        before = {c.index: c for c in load_cells(old)}
        after = {c.index: c for c in load_cells(new)}
    except NotebookError:
        from codemods.core.report import unified_diff

        return unified_diff(path, old, new)
    out: list[str] = []
    for index in sorted(before):
        a_cell, b_cell = before[index], after.get(index)
        if b_cell is None or a_cell.source == b_cell.source:
            continue
        a, b = a_cell.source, b_cell.source
        if not a.endswith("\n") and not b.endswith("\n"):
            # Jupyter stores cells without a final newline: not worth a marker.
            a, b = a + "\n", b + "\n"
        label = f"{path}:cell {a_cell.number}"
        for line in difflib.unified_diff(
            a.splitlines(True), b.splitlines(True), f"a/{label}", f"b/{label}"
        ):
            out.append(
                line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of cell\n"
            )
    return "".join(out)
