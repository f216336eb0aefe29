"""Turning findings into text for people (machine formats: codemods/core/formats.py).

Color is decided by the caller (:func:`use_color`) and applied with
``click.style``; with ``color=False`` every function returns plain text.
"""

from __future__ import annotations

import io
import os
import tokenize
from collections.abc import Mapping, Sequence
from typing import IO

import click

from codemods.core.findings import UNSAFE, FileError, Finding, Severity


def use_color(stream: IO[str] | None, environ: Mapping[str, str] | None = None) -> bool:
    """Color on a terminal only. ``NO_COLOR`` (non-empty) turns it off and wins;
    ``FORCE_COLOR`` (non-empty) turns it on anywhere; ``TERM=dumb`` turns it off."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # closed stream
        return False


# C0 controls (tab too), DEL and C1 controls: a terminal acts on them
# (and the 8-bit ones of a file name that is not UTF-8, as its surrogates)
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_CONTROLS.update({0xDC00 + c: f"\\x{c:02x}" for c in range(0x80, 0xA0)})
# bidirectional controls (Trojan Source): they reorder what a terminal or a
# browser shows around them (U+202E turns ``evil.py\u202eyp.txt`` around)
_CONTROLS.update(
    {
        c: f"\\u{c:04x}"
        for c in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
    }
)


def printable(text: str) -> str:
    """``text`` with its control characters written as ``\\x1b``: a path or
    a message (which quotes the code: a ``base_url``, a model ID) from a
    repository is shown, never run by the terminal (``\\x1b]0;...\\x07``
    retitles it, ``\\x1b[2J`` clears it), and a newline in a file name does
    not split a finding over two lines."""
    return text.translate(_CONTROLS)


def printable_lines(text: str) -> str:
    """:func:`printable` for text of several lines (a diff shown for
    review, a traceback): the line ends (LF, CRLF) and tabs stay, every
    other control character is escaped."""
    out = []
    for line in text.split("\n"):
        end = "\r" if line.endswith("\r") else ""
        out.append(line[: len(line) - len(end)].translate(_CONTROLS_IN_LINES) + end)
    return "\n".join(out)


_CONTROLS_IN_LINES = {c: e for c, e in _CONTROLS.items() if c != 0x09}


def location(f: Finding, color: bool = False) -> str:
    if f.cell is not None:
        where = f"{printable(f.path)}:cell {f.cell}:{f.line}:{f.col}"
    else:
        where = f"{printable(f.path)}:{f.line}:{f.col}"
    if not color:
        return where
    path, _, rest = where.partition(":")
    return click.style(path, bold=True) + click.style(":" + rest, fg="cyan")


#: the text format's mark of a display-only fix (where ``[*]`` marks a
#: fixable finding): a fix shown, never applied, as it would break the code
DISPLAY_ONLY_MARK = "[display-only]"


def _fix_mark(f: Finding) -> str | None:
    if f.fixable:
        return "[*]"
    return DISPLAY_ONLY_MARK if f.display_only else None


def text_line(f: Finding, color: bool = False) -> str:
    mark = _fix_mark(f)
    if not color:
        fix = f" {mark}" if mark else ""
        return f"{location(f)}: {f.code}{fix} {printable(f.message)}"
    code = click.style(f.code, fg="red" if f.severity is Severity.ERROR else "yellow", bold=True)
    fix = " " + click.style(mark, fg="cyan" if f.fixable else "magenta") if mark else ""
    return f"{location(f, True)}: {code}{fix} {printable(f.message)}"


def error_line(e: FileError) -> str:
    return f"error: {printable(str(e))}"


def shown_only(count: int) -> str:
    """The summary's words for ``count`` display-only fixes."""
    return (
        f"{count} fix{'es' if count != 1 else ''} shown only: "
        f"{'they' if count != 1 else 'it'} would break the code, see the findings marked "
        f"{DISPLAY_ONLY_MARK}"
    )


def summary(
    findings: Sequence[Finding],
    errors: Sequence[FileError],
    files: int,
    unsafe_fixes: bool = False,
) -> str:
    """``Found N findings in M files; K fixable with ...; H hidden fixes can
    be enabled with the `--unsafe-fixes` option; D fixes shown only: they
    would break the code, see ...; E errors.`` (ruff's words for unsafe
    fixes the run did not enable; ``unsafe_fixes``: they were. Display-only
    fixes are never applied, whatever the options.)"""
    n = len(findings)
    fixable = sum(1 for f in findings if f.fixable)
    hidden = 0 if unsafe_fixes else sum(1 for f in findings if f.hidden_fix)
    display = sum(1 for f in findings if f.display_only)
    parts = []
    if n:
        parts.append(
            f"Found {n} finding{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}"
        )
        if fixable:
            with_option = " --unsafe-fixes" if unsafe_fixes and _any_unsafe(findings) else ""
            parts.append(f"{fixable} fixable with `openrouter-migrate migrate{with_option}`")
        if hidden:
            parts.append(
                f"{hidden} hidden fix{'es' if hidden != 1 else ''} can be enabled with the "
                "`--unsafe-fixes` option"
            )
        if display:
            parts.append(shown_only(display))
    else:
        parts.append("No unmigrated OpenAI usage found")
    if errors:
        parts.append(f"{len(errors)} error{'s' if len(errors) != 1 else ''}")
    return "; ".join(parts) + "."


def _any_unsafe(findings: Sequence[Finding]) -> bool:
    return any(f.fixable and f.applicability == UNSAFE for f in findings)


def statistics(findings: Sequence[Finding]) -> list[str]:
    """One line per rule with findings: count, code, ``[*]`` when some are
    fixable (``[-]``: only hidden unsafe fixes or display-only ones),
    severity, name, how many unsafe fixes are hidden and how many fixes are
    shown only (display-only)."""
    from codemods.core.formats import statistics_rows

    rows = statistics_rows(findings)
    width = max((len(str(r["count"])) for r in rows), default=1)
    out = []
    for r in rows:
        hidden, display = r["hidden_fixes"], r["display_only_fixes"]
        mark = "[*]" if r["fixable"] else "[-]" if hidden or display else "   "
        notes = []
        if hidden:
            notes.append(f"{hidden} hidden unsafe fix{'es' if hidden != 1 else ''}")
        if display:
            notes.append(f"{display} display-only fix{'es' if display != 1 else ''}")
        note = f" ({', '.join(notes)})" if notes else ""
        out.append(
            f"{r['count']:>{width}}  {r['code']}  {mark} "
            f"{r['severity']:<7}  {r['name'] or ''}{note}".rstrip()
        )
    return out


def decode_for_display(data: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    text = data.decode(encoding, errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def color_diff(diff: str) -> str:
    """Color a unified diff the way git does (headers bold, hunks cyan)."""
    out = []
    for line in diff.splitlines(keepends=True):
        body, nl = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        if line.startswith(("--- ", "+++ ")):
            out.append(click.style(body, bold=True) + nl)
        elif line.startswith("@@"):
            out.append(click.style(body, fg="cyan") + nl)
        elif line.startswith("+"):
            out.append(click.style(body, fg="green") + nl)
        elif line.startswith("-"):
            out.append(click.style(body, fg="red") + nl)
        else:
            out.append(line)
    return "".join(out)


def unified_diff(path: str, old: bytes, new: bytes) -> str:
    a = decode_for_display(old).splitlines(keepends=True)
    b = decode_for_display(new).splitlines(keepends=True)
    out = []
    import difflib

    for line in difflib.unified_diff(a, b, f"a/{path}", f"b/{path}"):
        out.append(
            line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
        )
    return "".join(out)
