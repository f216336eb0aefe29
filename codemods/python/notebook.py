"""Jupyter notebooks: analyse the code cells as one program, write back only what changed.

The engine analyses one Python source text. A notebook is many cells that run in
order in one namespace (a client made in cell 2 is used in cell 5), so this
module glues the code cells into one *virtual module*, in order, and takes the
engine's output apart again:

``load_cells(data)``
    the code cells of a ``.ipynb`` file (nbformat 4), each marked parsable or
    not (a syntax error, or a ``%%bash``-like cell that is not Python).
``build_virtual_module(cells)``
    the parsable cells joined, each introduced by a marker comment line
    ``# %% openrouter-migrate cell N``. IPython syntax (``%magic``, ``!shell``,
    ``x = !cmd``, ``obj?``, the ``%%time`` line of a cell magic) is masked:
    each such line becomes ``<its indentation>pass  # openrouter-migrate magic K``,
    one line for one line, so line and column numbers stay aligned.
``map_position(vm, line, col)``
    a virtual-module position -> (cell number, line in cell, col).
``split_virtual_module(vm, new_text)``
    the engine's rewritten virtual module -> new source per changed cell,
    masked lines restored and each cell's final-newline state kept.
``replace_cell_sources(data, new_sources)``
    the notebook bytes with only those cells' ``"source"`` values rewritten,
    in the file's own JSON style; every other byte is kept.

Only the code cells' sources are ever touched: outputs, execution counts,
metadata, key order and the file's JSON layout stay as they were.

Typical use by the engine::

    cells = load_cells(data)                    # NotebookError -> FileError
    for c in cells:
        if c.error:                             # report, leave the cell as is
            FileError(path, f"cell {c.number}: {c.error}", c.error_line, c.error_col)
    vm = build_virtual_module(cells)
    findings, new_text = analyse(vm.text)       # one module: names flow across cells
    cell, line, col = map_position(vm, f.line, f.col)      # per finding (and end)
    if new_text is not None:
        new_sources = split_virtual_module(vm, new_text)   # None: cannot apply, report
        new_bytes = replace_cell_sources(data, new_sources)
"""

from __future__ import annotations

import ast
import bisect
import json
import re
import warnings
from dataclasses import dataclass, field
from json.decoder import scanstring
from typing import Any

import libcst as cst

__all__ = [
    "Cell",
    "NotebookError",
    "SourceLocator",
    "VirtualModule",
    "build_virtual_module",
    "load_cells",
    "map_position",
    "replace_cell_sources",
    "split_virtual_module",
]

MARKER_PREFIX = "# %% openrouter-migrate cell"
MAGIC_TAG = "openrouter-migrate magic"

# Cell magics whose body is Python run in the user namespace: only their first
# line is masked. Any other ``%%`` cell (bash, html, writefile, sql...) is not
# analysed at all.
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun"})

_BOM = b"\xef\xbb\xbf"


class NotebookError(Exception):
    """The file is not a notebook this tool can read or write (the message says why)."""


@dataclass
class Cell:
    """One code cell.

    ``index`` is the 0-based position in ``notebook["cells"]``; ``number`` is the
    1-based position among *all* cells (markdown included), as a reader counts
    them from the top of the notebook. ``parsable`` is False for a cell that is
    not analysed: a syntax error (``error`` says where, 1-based in the cell) or
    a cell that is not Python at all (``skip_reason``: ``%%bash`` cell, or a
    notebook whose kernel language is not Python).
    """

    index: int
    number: int
    source: str
    parsable: bool = True
    cell_magic: str | None = None
    error: str | None = None
    error_line: int | None = None
    error_col: int | None = None
    skip_reason: str | None = None


@dataclass
class _Segment:
    cell: Cell
    marker_line: int  # 1-based line of the marker comment in the virtual module
    start_line: int  # 1-based virtual line of the cell's first line
    line_count: int  # lines of the cell in the virtual module
    masked: dict[int, str]  # magic id -> original line text (without line ending)
    final_newline: bool  # the original source ends with a newline
    magic_head: int  # lines at the top that must stay first (blank lines + %%magic line)


@dataclass
class VirtualModule:
    """The parsable code cells as one module, and what is needed to map back."""

    text: str
    cells: list[Cell]  # the cells in ``text``, in order
    excluded: list[Cell]  # code cells left out (not parsable), untouched
    marker_prefix: str = MARKER_PREFIX
    magic_tag: str = MAGIC_TAG
    _segments: list[_Segment] = field(default_factory=list, repr=False)

    def marker(self, cell: Cell) -> str:
        return f"{self.marker_prefix} {cell.number}"


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[bytes, str]:
    bom = _BOM if data.startswith(_BOM) else b""
    try:
        text = data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as e:
        raise NotebookError(f"not UTF-8: byte {e.start}: {e.reason}") from None
    return bom, text


def _load_json(text: str) -> Any:
    try:
        # NaN/Infinity become comparable tokens so that equality checks work.
        return json.loads(text, parse_constant=lambda c: ("<json-constant>", c))
    except json.JSONDecodeError as e:
        raise NotebookError(f"not valid JSON: line {e.lineno} col {e.colno}: {e.msg}") from None
    except RecursionError:
        raise NotebookError("not valid JSON: nested too deeply") from None


def _parse_notebook(data: bytes) -> tuple[bytes, str, dict[str, Any]]:
    bom, text = _decode(data)
    nb = _load_json(text)
    if not isinstance(nb, dict):
        raise NotebookError("not a notebook: the top level is not a JSON object")
    fmt = nb.get("nbformat")
    if isinstance(fmt, int) and not isinstance(fmt, bool) and fmt < 4:
        raise NotebookError(f"nbformat {fmt} is not supported (only nbformat 4)")
    if "cells" not in nb:
        if "worksheets" in nb:
            raise NotebookError("nbformat 3 is not supported (only nbformat 4)")
        raise NotebookError("not a notebook: missing 'cells'")
    if isinstance(fmt, int) and not isinstance(fmt, bool) and fmt > 4:
        raise NotebookError(f"nbformat {fmt} is not supported (only nbformat 4)")
    cells = nb["cells"]
    if not isinstance(cells, list):
        raise NotebookError("not a notebook: 'cells' is not a list")
    for number, c in enumerate(cells, 1):
        if not isinstance(c, dict):
            raise NotebookError(f"cell {number}: not a JSON object")
        src = c.get("source", "")
        if not (
            isinstance(src, str) or (isinstance(src, list) and all(isinstance(x, str) for x in src))
        ):
            raise NotebookError(
                f"cell {number}: 'source' is neither a string nor a list of strings"
            )
    return bom, text, nb


def _source_text(src: Any) -> str:
    return src if isinstance(src, str) else "".join(src)


def _language(nb: dict[str, Any]) -> str | None:
    meta = nb.get("metadata")
    if not isinstance(meta, dict):
        return None
    for key, sub in (("kernelspec", "language"), ("language_info", "name")):
        d = meta.get(key)
        if isinstance(d, dict) and isinstance(d.get(sub), str) and d[sub]:
            return str(d[sub])
    return None


def load_cells(data: bytes) -> list[Cell]:
    """The code cells of a notebook, in order, each checked for parsability.

    Raises NotebookError when ``data`` is not an nbformat-4 notebook.
    """
    _, _, nb = _parse_notebook(data)
    lang = _language(nb)
    foreign = lang is not None and lang.lower() not in ("python", "python3", "ipython")
    out: list[Cell] = []
    for index, c in enumerate(nb["cells"]):
        if c.get("cell_type") != "code":
            continue
        cell = Cell(index=index, number=index + 1, source=_source_text(c.get("source", "")))
        if foreign:
            cell.parsable = False
            cell.skip_reason = f"the notebook's language is {lang}, not Python"
            out.append(cell)
            continue
        masked = _mask_cell(cell.source, 0)
        cell.cell_magic = masked.cell_magic
        if masked.foreign:
            cell.parsable = False
            cell.skip_reason = f"%%{masked.cell_magic} cell is not Python"
        else:
            try:
                cst.parse_module(masked.text)
            except cst.ParserSyntaxError as e:
                cell.parsable = False
                cell.error, cell.error_line, cell.error_col = _describe_syntax_error(masked.text, e)
            except RecursionError:
                cell.parsable = False
                cell.error = "syntax error: nested too deeply to parse"
        out.append(cell)
    return out


def _describe_syntax_error(
    text: str, e: cst.ParserSyntaxError
) -> tuple[str, int | None, int | None]:
    """Message and 1-based (line, col) in the cell; Python's own words when it agrees."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings are not ours to show
            compile(text, "<cell>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as py:
        if py.lineno is not None:
            from codemods.core.secrets import redact_text

            # the message may quote the source (and a key in it)
            return f"syntax error: {redact_text(py.msg)}", py.lineno, py.offset or 1
    except (ValueError, RecursionError, MemoryError):
        pass
    lines = str(e.message).splitlines() or ["invalid syntax"]
    reason = re.sub(r"^parser error: (error at \d+:\d+: )?", "", lines[0])
    return f"syntax error: {reason}", e.editor_line, e.editor_column


# --------------------------------------------------------------------------
# Masking IPython syntax
# --------------------------------------------------------------------------

_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_NEWLINE_RE = re.compile(r"(?:\r\n|\r|\n)$")
# `files = !ls`, `a, b = %sx ls`, `self.x = !cmd`
_ASSIGN_MAGIC_RE = re.compile(r"^[\w.,\s\[\]()*]+?=\s*[!%]")
# `obj?`, `obj.attr??`, `np.*load*?`, `a[0]?`
_HELP_END_RE = re.compile(r"^[\w.*\[\]()'\"]+\?{1,2}$")
_ESCAPES = ("%", "!", "?", "/", ",", ";")


def _lines(text: str) -> list[str]:
    """Physical lines with their endings, split the way Python's tokenizer does."""
    return _LINE_RE.findall(text)


def _ending(line: str) -> str:
    m = _NEWLINE_RE.search(line)
    return m.group(0) if m else ""


def _is_magic(stripped: str) -> bool:
    if not stripped or stripped.startswith("#"):
        return False
    if stripped.startswith(_ESCAPES):
        return True
    if _ASSIGN_MAGIC_RE.match(stripped):
        return True
    if _HELP_END_RE.match(stripped):
        return True
    return _is_automagic(stripped)


# line magics IPython runs without their ``%`` (automagic, on by default),
# when the line is not Python: ``pip install openai``, ``cd data``
_AUTOMAGIC_RE = re.compile(
    r"(?:pip|conda|mamba|cd|ls|pwd|env|load_ext|reload_ext|unload_ext|matplotlib|time|timeit"
    r"|run|who|whos|history|mkdir|rmdir|rm|cp|mv|cat|less|more|clear|reset|autoreload|aimport"
    r"|config|store|alias|unalias|bookmark|pinfo|pinfo2|psearch|sx|system|lsmagic|pdb|debug"
    r"|prun|precision|xmode|doctest_mode|tb|edit|save|load|notebook|dhist|dirs|popd|pushd"
    r"|rehashx|colors|logstart|logstop|magic|page|pycat|recall|rerun|sc|killbgscripts)"
    r"[ \t]+\S"
)


def _is_automagic(stripped: str) -> bool:
    if not _AUTOMAGIC_RE.match(stripped):
        return False
    try:
        compile(stripped, "<cell>", "exec")
    except SyntaxError:
        return True  # ``pip install x``: not Python, IPython's automagic
    except ValueError:
        return False
    return False  # ``ls -la`` is also Python (a subtraction): analysed as such


class _PyState:
    """Just enough of Python's lexer to know where logical lines start."""

    def __init__(self) -> None:
        self.depth = 0
        self.quote: str | None = None  # ', ", ''' or """ while inside a string
        self.continued = False  # previous line ended with a backslash

    @property
    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.quote is None and not self.continued

    def feed(self, line: str) -> None:
        body = line.rstrip("\r\n")
        i, n = 0, len(body)
        self.continued = False
        while i < n:
            c = body[i]
            if self.quote is not None:
                if c == "\\":
                    i += 2
                    continue
                if body.startswith(self.quote, i):
                    i += len(self.quote)
                    self.quote = None
                    continue
                i += 1
                continue
            if c == "#":
                break
            if c in "'\"":
                triple = body[i : i + 3]
                self.quote = triple if triple in ("'''", '"""') else c
                i += len(self.quote)
                continue
            if c in "([{":
                self.depth += 1
            elif c in ")]}":
                self.depth = max(0, self.depth - 1)
            elif c == "\\" and i == n - 1:
                self.continued = True
            i += 1
        if self.quote is not None:
            if len(self.quote) == 1:
                # A one-quote string ends at the end of the line (or it is an error)
                # unless the line ends with a backslash.
                if body.endswith("\\") and not body.endswith("\\\\"):
                    return
                self.quote = None


@dataclass
class _Masked:
    text: str
    masked: dict[int, str]  # magic id -> original line body
    next_id: int
    cell_magic: str | None = None
    foreign: bool = False
    magic_head: int = 0


def _placeholder(indent: str, magic_id: int, tag: str) -> str:
    return f"{indent}pass  # {tag} {magic_id}"


def _mask_cell(source: str, first_id: int, tag: str = MAGIC_TAG) -> _Masked:
    """Replace IPython-only lines by ``pass`` placeholders, one line for one line."""
    lines = _lines(source)
    out: list[str] = []
    masked: dict[int, str] = {}
    next_id = first_id
    result = _Masked("", masked, next_id)

    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    start = 0
    if first < len(lines) and lines[first].startswith("%%"):
        name = lines[first][2:].split(None, 1)[0] if lines[first][2:].strip() else ""
        result.cell_magic = name
        if name not in PYTHON_BODY_CELL_MAGICS:
            result.foreign = True
            result.text = source
            return result
        out.extend(lines[:first])
        body = lines[first]
        masked[next_id] = body[: len(body) - len(_ending(body))]
        out.append(_placeholder("", next_id, tag) + _ending(body))
        next_id += 1
        start = first + 1
        result.magic_head = start

    state = _PyState()
    i = start
    while i < len(lines):
        line = lines[i]
        body = line[: len(line) - len(_ending(line))]
        stripped = body.strip()
        if state.at_statement_start and _is_magic(stripped):
            indent = body[: len(body) - len(body.lstrip())]
            # A magic line ending with a backslash goes on to the next line.
            while True:
                body = lines[i][: len(lines[i]) - len(_ending(lines[i]))]
                masked[next_id] = body
                out.append(_placeholder(indent, next_id, tag) + _ending(lines[i]))
                next_id += 1
                i += 1
                if not body.endswith("\\") or i >= len(lines):
                    break
            continue
        state.feed(line)
        out.append(line)
        i += 1
    result.text = "".join(out)
    result.next_id = next_id
    return result


# --------------------------------------------------------------------------
# The virtual module
# --------------------------------------------------------------------------


def _unused(base: str, cells: list[Cell]) -> str:
    """``base``, or ``base-N`` if a cell's own text already contains it."""
    name, n = base, 1
    while any(name in c.source for c in cells):
        n += 1
        name = f"{base}-{n}"
    return name


def _marker_prefix_for(cells: list[Cell]) -> str:
    return _unused(MARKER_PREFIX, cells)


def _magic_tag_for(cells: list[Cell]) -> str:
    return _unused(MAGIC_TAG, cells)


def build_virtual_module(cells: list[Cell]) -> VirtualModule:
    """Join the parsable cells, in order, into one module the engine can analyse."""
    included = [c for c in cells if c.parsable]
    excluded = [c for c in cells if not c.parsable]
    prefix = _marker_prefix_for(cells)
    tag = _magic_tag_for(cells)
    parts: list[str] = []
    segments: list[_Segment] = []
    line = 1
    next_id = 1
    for cell in included:
        m = _mask_cell(cell.source, next_id, tag)
        next_id = m.next_id
        text = m.text
        final_newline = bool(_ending(cell.source)) if cell.source else False
        # The cell's own line ending for the lines added around it: LibCST takes
        # the module's from its first line (the first marker), and uses it for
        # the lines a fix inserts (``import os``, a new argument line).
        newline = next((e for e in map(_ending, _lines(text)) if e), "\n")
        if text and not _ending(text):
            text += newline
        n_lines = len(_lines(text))
        parts.append(f"{prefix} {cell.number}{newline}")
        parts.append(text)
        segments.append(
            _Segment(
                cell=cell,
                marker_line=line,
                start_line=line + 1,
                line_count=n_lines,
                masked=m.masked,
                final_newline=final_newline,
                magic_head=m.magic_head,
            )
        )
        line += 1 + n_lines
    return VirtualModule(
        text="".join(parts),
        cells=included,
        excluded=excluded,
        marker_prefix=prefix,
        magic_tag=tag,
        _segments=segments,
    )


def map_position(vm: VirtualModule, line: int, col: int) -> tuple[int, int, int]:
    """A 1-based (line, col) in ``vm.text`` -> (cell number, line in cell, col).

    A position on a marker line (only an end position one past a cell's last
    line can land there) maps to one line past the end of the cell before it;
    the first marker maps to the start of the first cell.
    """
    segs = vm._segments
    if not segs:
        raise ValueError("the virtual module has no cells")
    starts = [s.marker_line for s in segs]
    k = bisect.bisect_right(starts, line) - 1
    if k < 0:
        return segs[0].cell.number, 1, 1
    seg = segs[k]
    if line == seg.marker_line:
        if k == 0:
            return seg.cell.number, 1, 1
        prev = segs[k - 1]
        return prev.cell.number, prev.line_count + 1, col
    return seg.cell.number, line - seg.start_line + 1, col


def split_virtual_module(vm: VirtualModule, new_text: str) -> dict[int, str] | None:
    """The engine's rewrite of ``vm.text`` -> {cell index: new source} for changed cells.

    Lines the engine put before the first marker go to the first cell (after
    its ``%%time``-like line, if any). Returns None when the cell boundaries
    or the masked lines cannot be found again.
    """
    segs = vm._segments
    lines = _lines(new_text)
    marker_re = re.compile(rf"^[ \t]*{re.escape(vm.marker_prefix)} (\d+)[ \t]*$")
    found: list[tuple[int, int]] = []  # (line index, cell number)
    for i, ln in enumerate(lines):
        m = marker_re.match(ln.rstrip("\r\n"))
        if m:
            found.append((i, int(m.group(1))))
    if [n for _, n in found] != [s.cell.number for s in segs]:
        return None
    if not segs:
        return {} if not new_text.strip() else None

    magic_re = re.compile(rf"^[ \t]*pass  # {re.escape(vm.magic_tag)} (\d+)[ \t]*$")
    result: dict[int, str] = {}
    preamble = lines[: found[0][0]]
    for k, seg in enumerate(segs):
        begin = found[k][0] + 1
        end = found[k + 1][0] if k + 1 < len(found) else len(lines)
        body = lines[begin:end]
        if k == 0 and preamble:
            head = seg.magic_head
            body = body[:head] + preamble + body[head:]
        restored: list[str] = []
        seen: set[int] = set()
        for ln in body:
            ending = _ending(ln)
            m = magic_re.match(ln[: len(ln) - len(ending)])
            if m:
                magic_id = int(m.group(1))
                if magic_id not in seg.masked or magic_id in seen:
                    return None
                seen.add(magic_id)
                restored.append(seg.masked[magic_id] + ending)
            else:
                restored.append(ln)
        if seen != set(seg.masked):
            return None
        text = "".join(restored)
        if not seg.final_newline:
            text = _NEWLINE_RE.sub("", text, count=1)
        if text != seg.cell.source:
            result[seg.cell.index] = text
    return result


# --------------------------------------------------------------------------
# Writing: rewrite only the "source" values, in the file's own style
# --------------------------------------------------------------------------

_WS_RE = re.compile(r"[ \t\n\r]*")
_STRUCT_RE = re.compile(r'["{}\[\]]')
_SCALAR_RE = re.compile(r"-?(?:\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|Infinity)|true|false|null|NaN")
# a \uXXXX escape when the run of backslashes before the u is odd
_U_ESCAPE_RE = re.compile(r"(\\+)u([0-9a-fA-F]{4})")


def _ws(s: str, i: int) -> int:
    m = _WS_RE.match(s, i)
    return m.end() if m else i


def _skip_value(s: str, i: int) -> int:
    c = s[i]
    if c == '"':
        return scanstring(s, i + 1)[1]
    if c in "{[":
        depth = 0
        while True:
            m = _STRUCT_RE.search(s, i)
            if m is None:
                raise NotebookError("not valid JSON: unterminated value")
            i = m.start()
            c = s[i]
            if c == '"':
                i = scanstring(s, i + 1)[1]
                continue
            depth += 1 if c in "{[" else -1
            i += 1
            if depth == 0:
                return i
    m = _SCALAR_RE.match(s, i)
    if m is None:
        raise NotebookError(f"not valid JSON at offset {i}")
    return m.end()


def _members(s: str, i: int) -> list[tuple[str, int, int, int]]:
    """(key, key start, value start, value end) of the object at ``s[i] == '{'``."""
    out: list[tuple[str, int, int, int]] = []
    i = _ws(s, i + 1)
    if s[i] == "}":
        return out
    while True:
        key_start = i
        key, i = scanstring(s, i + 1)
        i = _ws(s, i)
        i = _ws(s, i + 1)  # past ':'
        end = _skip_value(s, i)
        out.append((key, key_start, i, end))
        i = _ws(s, end)
        if s[i] == "}":
            return out
        i = _ws(s, i + 1)  # past ','


def _elements(s: str, i: int) -> list[tuple[int, int]]:
    """(start, end) of each element of the array at ``s[i] == '['``."""
    out: list[tuple[int, int]] = []
    i = _ws(s, i + 1)
    if s[i] == "]":
        return out
    while True:
        end = _skip_value(s, i)
        out.append((i, end))
        i = _ws(s, end)
        if s[i] == "]":
            return out
        i = _ws(s, i + 1)


def _member(members: list[tuple[str, int, int, int]], key: str) -> tuple[int, int, int] | None:
    """(key start, value start, value end) of ``key``; the last one wins, as with json.loads."""
    for k, ks, a, b in reversed(members):
        if k == key:
            return ks, a, b
    return None


def _line_indent(s: str, i: int) -> str:
    start = s.rfind("\n", 0, i) + 1
    m = re.match(r"[ \t]*", s[start:i])
    return m.group(0) if m else ""


def _split_source_lines(text: str) -> list[str]:
    # nbformat stores a multi-line source as text.splitlines(True).
    return text.splitlines(True)


def _render_list(
    s: str, cell_start: int, key_start: int, span: tuple[int, int], new: str, ascii_only: bool
) -> str:
    a, b = span
    elems = _elements(s, a)
    raw_of: dict[str, str] = {}
    for ea, eb in elems:
        raw_of.setdefault(scanstring(s, ea + 1)[0], s[ea:eb])
    items = [
        raw_of.get(x) or json.dumps(x, ensure_ascii=ascii_only) for x in _split_source_lines(new)
    ]
    if not items:
        return "[]"
    if elems:
        opening = s[a + 1 : elems[0][0]]
        closing = s[elems[-1][1] : b - 1]
        sep = s[elems[0][1] : elems[1][0]] if len(elems) > 1 else "," + opening
    else:
        # An empty list before: lay the new one out like Jupyter does, one
        # element per line, one indentation step deeper than the "source" key.
        j = key_start
        while j > 0 and s[j - 1] in " \t\r\n":
            j -= 1
        before_key = s[j:key_start]
        if "\n" in before_key:
            newline = "\r\n" if "\r\n" in before_key else "\n"
            key_indent = _line_indent(s, key_start)
            cell_indent = _line_indent(s, cell_start)
            step = key_indent[len(cell_indent) :] if key_indent.startswith(cell_indent) else ""
            step = step or " "
            opening = newline + key_indent + step
            closing = newline + key_indent
        else:
            # Compact JSON: separate like the key from its value (", " or ",").
            colon = s.rfind(":", key_start, a)
            return "[" + ("," + s[colon + 1 : a]).join(items) + "]"
        sep = "," + opening
    return "[" + opening + sep.join(items) + closing + "]"


def replace_cell_sources(data: bytes, new_sources: dict[int, str]) -> bytes:
    """``data`` with ``cells[i]["source"]`` set to ``new_sources[i]``; nothing else changes.

    The new value keeps the original's form (one string, or a list of lines
    laid out like the original list) and escaping style. Raises NotebookError
    if the result would not be the same notebook with just those sources changed.
    """
    if not new_sources:
        return data
    bom, s, nb = _parse_notebook(data)
    cells = nb["cells"]
    for i in new_sources:
        if not (0 <= i < len(cells)):
            raise NotebookError(f"no cell at index {i} (the notebook has {len(cells)} cells)")

    top = _ws(s, 0)
    cells_member = _member(_members(s, top), "cells")
    if cells_member is None:
        raise NotebookError("not a notebook: missing 'cells'")
    cell_spans = _elements(s, cells_member[1])
    # Jupyter writes non-ASCII text as is; keep \uXXXX escapes if the file uses them.
    ascii_only = s.isascii() and any(
        len(m.group(1)) % 2 == 1 and int(m.group(2), 16) > 0x7F for m in _U_ESCAPE_RE.finditer(s)
    )

    edits: list[tuple[int, int, str]] = []
    for i, new in new_sources.items():
        cell_start = cell_spans[i][0]
        members = _members(s, cell_start)
        found = _member(members, "source")
        if found is None:
            raise NotebookError(f"cell {i + 1}: no 'source' to rewrite")
        key_start, span = found[0], (found[1], found[2])
        if s[span[0]] == "[":
            value = _render_list(s, cell_start, key_start, span, new, ascii_only)
        else:
            value = json.dumps(new, ensure_ascii=ascii_only)
        edits.append((span[0], span[1], value))

    pieces: list[str] = []
    pos = 0
    for a, b, value in sorted(edits):
        pieces += [s[pos:a], value]
        pos = b
    pieces.append(s[pos:])
    out = "".join(pieces)

    # The result must be the same notebook with just those sources changed.
    got = _load_json(out)
    expected = _load_json(s)
    try:
        for i, new in new_sources.items():
            if _source_text(got["cells"][i]["source"]) != new:
                raise NotebookError(f"cell {i + 1}: the source did not round-trip")
            got["cells"][i]["source"] = expected["cells"][i]["source"]
    except (KeyError, TypeError, IndexError):
        raise NotebookError("rewriting the sources broke the notebook structure") from None
    if got != expected:
        raise NotebookError("rewriting the sources changed more than the sources")
    return bom + out.encode("utf-8")


# --------------------------------------------------------------------------
# Where a cell's text is in the .ipynb file (SARIF and GitHub annotations)
# --------------------------------------------------------------------------


def _string_offsets(s: str, a: int, b: int) -> list[int]:
    """For the JSON string ``s[a:b]`` (quotes included): the index in ``s`` of
    each character of its decoded value, and of the closing quote last."""
    out: list[int] = []
    i, stop = a + 1, b - 1
    while i < stop:
        out.append(i)
        if s[i] != "\\":
            i += 1
        elif s[i + 1] != "u":
            i += 2
        else:
            i += 6
            try:  # a surrogate pair is one character
                if 0xD800 <= int(s[i - 4 : i], 16) <= 0xDBFF and s.startswith("\\u", i):
                    if 0xDC00 <= int(s[i + 2 : i + 6], 16) <= 0xDFFF:
                        i += 6
            except ValueError:
                pass
    out.append(stop)
    return out


class SourceLocator:
    """Positions in a cell (1-based line and column, as findings give them)
    -> positions in the notebook's text: the 1-based line and column (in code
    points) of that character inside the cell's ``"source"`` JSON string(s).

    The escapes in between (``\"``, ``\n``, ``\u00e9``) are counted, so a region
    covers exactly the JSON text that encodes the span. A BOM is not counted
    in columns. Built from the bytes that were analysed.
    """

    def __init__(self, data: bytes) -> None:
        _, self._s, _ = _parse_notebook(data)
        s = self._s
        cells = _member(_members(s, _ws(s, 0)), "cells")
        self._cells = _elements(s, cells[1]) if cells is not None else []
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", s)]
        self._sources: dict[int, _SourceStrings | None] = {}

    def _strings(self, index: int) -> _SourceStrings | None:
        if index not in self._sources:
            self._sources[index] = self._find_strings(index)
        return self._sources[index]

    def _find_strings(self, index: int) -> _SourceStrings | None:
        s = self._s
        if not (0 <= index < len(self._cells)) or s[self._cells[index][0]] != "{":
            return None
        found = _member(_members(s, self._cells[index][0]), "source")
        if found is None:
            return None
        a, b = found[1], found[2]
        spans = [(a, b)] if s[a] == '"' else _elements(s, a) if s[a] == "[" else []
        pieces: list[tuple[int, list[int]]] = []
        text: list[str] = []
        pos = 0
        for ea, eb in spans:
            if s[ea] != '"':
                return None
            offsets = _string_offsets(s, ea, eb)
            value = scanstring(s, ea + 1)[0]
            if len(offsets) - 1 != len(value):
                return None  # not the string it seemed: no position rather than a wrong one
            pieces.append((pos, offsets))
            text.append(value)
            pos += len(value)
        if not pieces:
            return None
        line_starts = [0]
        for ln in _lines("".join(text))[:-1]:  # the cell's lines, as the engine splits them
            line_starts.append(line_starts[-1] + len(ln))
        return _SourceStrings(pieces, line_starts, pos)

    def _file_position(self, i: int) -> tuple[int, int]:
        k = bisect.bisect_right(self._line_starts, i) - 1
        return k + 1, i - self._line_starts[k] + 1

    def position(self, cell: int, line: int, col: int, end: bool = False) -> tuple[int, int] | None:
        """The file's (line, col) for cell ``cell``'s (line, col); with ``end``
        (an exclusive end), a position between two strings of a source list
        stays at the end of the first."""
        src = self._strings(cell - 1)
        if src is None:
            return None
        if 1 <= line <= len(src.line_starts):
            offset = min(src.line_starts[line - 1] + max(col, 1) - 1, src.length)
        else:
            offset = src.length if line > len(src.line_starts) else 0
        for k, (first, offsets) in enumerate(src.pieces):
            size = len(offsets) - 1
            if end:
                inside = first < offset <= first + size or offset == first == 0
            else:
                inside = first <= offset < first + size
            if inside or k == len(src.pieces) - 1:
                return self._file_position(offsets[min(offset - first, size)])
        return None  # pragma: no cover - the last string always answers

    def region(
        self, cell: int, line: int, col: int, end_line: int, end_col: int
    ) -> tuple[int, int, int, int] | None:
        """(line, col, end_line, end_col) in the file of a span in cell ``cell``."""
        start = self.position(cell, line, col)
        stop = self.position(cell, end_line, end_col, end=True)
        if start is None or stop is None:
            return None
        return (*start, *max(start, stop))


@dataclass
class _SourceStrings:
    pieces: list[tuple[int, list[int]]]  # (offset in the source, file index of each char)
    line_starts: list[int]  # offset in the source of each cell line
    length: int
