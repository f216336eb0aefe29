"""The TypeScript/JavaScript front-end: the second language on the shared engine.

    bytes -> parser (tree-sitter: TS, TSX or JS by extension) -> analysis
          -> rules (OR1xx/OR2xx/OR3xx codes shared with Python, OR5xx of its own)
          -> byte-range edits spliced into the original bytes -> re-parse check

Discovery, the prefilter, the runner's workers, the cache, findings and their
formats, noqa handling, the model table and the writer are the shared core's
(``codemods/core/``, whose ``frontends.py`` sends this package its files);
this package only turns one file's bytes into a
:class:`~codemods.core.findings.FileResult`, as ``codemods/python/`` does for
Python and notebooks.

Importing this package is cheap: tree-sitter is imported by the first file
that has to be parsed.
"""

from __future__ import annotations

__all__ = ["EXTENSIONS", "is_node_script", "is_typescript_path"]

#: file extensions this front-end handles, and the grammar each one uses
GRAMMARS: dict[str, str] = {
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
}
EXTENSIONS: tuple[str, ...] = tuple(GRAMMARS)


def is_typescript_path(path: str) -> bool:
    """Is ``path`` a TypeScript/JavaScript file (by its extension)?"""
    return path.lower().endswith(EXTENSIONS)


def is_node_script(path: str, data: bytes) -> bool:
    """A file without an extension whose shebang runs node (``bin/cli`` with
    ``#!/usr/bin/env node``): pre-commit tags it ``javascript``."""
    import os

    from codemods.core.discovery import may_be_script, node_shebang

    return may_be_script(os.path.basename(path)) and node_shebang(data[:8192])


def grammar_of(path: str) -> str:
    lower = path.lower()
    for ext, grammar in GRAMMARS.items():
        if lower.endswith(ext):
            return grammar
    return "javascript"  # a node script without an extension
