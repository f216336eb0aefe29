"""``migrate --diff``: a unified diff of a file's bytes that ``git apply`` and
``patch -p1`` take.

The diff is computed on the bytes on disk, not on decoded text, so that it
applies to the file as it is:

* lines end at LF only, as git and patch split them: a CR (of a CRLF file, or
  a lone CR in a mixed file) is part of the line it ends;
* the file's own encoding is kept (a latin-1 file's diff holds latin-1 bytes),
  and so is a UTF-8 BOM (part of the first line);
* a last line without a newline gets ``\\ No newline at end of file``;
* a notebook is diffed as the ``.ipynb`` JSON text it is on disk (the writer
  changes only the changed cells' ``source`` values, so the diff shows only
  those lines).

Pure: bytes in, bytes out. The CLI decides where it goes (see
``cli.migrate``): a diff that would show a secret is never printed as a patch.
"""

from __future__ import annotations

import difflib
import io
import re
import tokenize

__all__ = ["file_patch", "patch_encoding", "quote_path"]

_LINE = re.compile(rb"[^\n]*\n|[^\n]+\Z")
_NO_NEWLINE = b"\\ No newline at end of file\n"
# characters git quotes in a path ("a/x\ty.py" -> "\"a/x\\ty.py\"")
_SPECIAL = re.compile(r'[\x00-\x1f"\\\x7f]')
_ESCAPES = {"\a": "a", "\b": "b", "\t": "t", "\n": "n", "\v": "v", "\f": "f", "\r": "r"}


def _lines(data: bytes) -> list[bytes]:
    return _LINE.findall(data)


def quote_path(name: str) -> bytes:
    """A diff header path, C-quoted as git does when it holds a control
    character, a double quote or a backslash."""
    if not _SPECIAL.search(name):
        return name.encode("utf-8", "surrogateescape")
    out = []
    for ch in name:
        if ch in _ESCAPES:
            out.append("\\" + _ESCAPES[ch])
        elif ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):03o}")
        else:
            out.append(ch)
    return b'"' + "".join(out).encode("utf-8", "surrogateescape") + b'"'


def file_patch(path: str, old: bytes, new: bytes, context: int = 3) -> bytes:
    """The unified diff from ``old`` to ``new`` headed ``a/<path>`` / ``b/<path>``;
    empty when they are equal."""
    if old == new:
        return b""
    a, b = _lines(old), _lines(new)
    out: list[bytes] = []
    for line in difflib.diff_bytes(
        difflib.unified_diff,
        a,
        b,
        fromfile=quote_path("a/" + path),
        tofile=quote_path("b/" + path),
        n=context,
        lineterm=b"\n",
    ):
        if line.endswith(b"\n"):
            out.append(line)
        else:  # the file's last line, without a newline
            out.append(line + b"\n" + _NO_NEWLINE)
    return b"".join(out)


def patch_encoding(path: str, data: bytes) -> str:
    """The encoding a person reads the file's diff in: UTF-8 for notebooks
    (JSON), the PEP 263 cookie's or UTF-8 for Python."""
    if path.endswith(".ipynb"):
        return "utf-8"
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        return "utf-8"
    return "utf-8" if encoding == "utf-8-sig" else encoding
