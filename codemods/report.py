"""Turning findings into text for people (other formats live beside it)."""

from __future__ import annotations

import difflib
import io
import tokenize
from collections import Counter
from collections.abc import Sequence

from codemods.findings import FileError, Finding


def location(f: Finding) -> str:
    if f.cell is not None:
        return f"{f.path}:cell {f.cell}:{f.line}:{f.col}"
    return f"{f.path}:{f.line}:{f.col}"


def text_line(f: Finding) -> str:
    fix = " [*]" if f.fixable else ""
    return f"{location(f)}: {f.code}{fix} {f.message}"


def error_line(e: FileError) -> str:
    return f"error: {e}"


def summary(findings: Sequence[Finding], errors: Sequence[FileError], files: int) -> str:
    n = len(findings)
    fixable = sum(1 for f in findings if f.fixable)
    parts = []
    if n:
        parts.append(
            f"Found {n} finding{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}"
        )
        if fixable:
            parts.append(f"{fixable} fixable with `openrouter-migrate migrate`")
    else:
        parts.append("No unmigrated OpenAI usage found")
    if errors:
        parts.append(f"{len(errors)} error{'s' if len(errors) != 1 else ''}")
    return "; ".join(parts) + "."


def statistics(findings: Sequence[Finding]) -> list[str]:
    counts = Counter(f.code for f in findings)
    fixable = Counter(f.code for f in findings if f.fixable)
    return [
        f"{n:5d}  {code}  {'[*] ' if fixable[code] else '    '}"
        for code, n in sorted(counts.items())
    ]


def decode_for_display(data: bytes) -> str:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        encoding = "utf-8"
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    text = data.decode(encoding, errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def unified_diff(path: str, old: bytes, new: bytes) -> str:
    a = decode_for_display(old).splitlines(keepends=True)
    b = decode_for_display(new).splitlines(keepends=True)
    out = []
    for line in difflib.unified_diff(a, b, f"a/{path}", f"b/{path}"):
        out.append(
            line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
        )
    return "".join(out)
