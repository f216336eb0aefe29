"""tree-sitter parsers for TypeScript, TSX and JavaScript (with JSX).

The grammars are the PyPI wheels ``tree-sitter-typescript`` and
``tree-sitter-javascript``; ``tree-sitter`` is the binding. A grammar built
for a newer language ABI than the binding supports refuses to load
(``ValueError: Incompatible Language version``): pyproject pins versions
that load together, and tests/test_typescript.py loads all three.
"""

from __future__ import annotations

import functools
from typing import Any


class GrammarError(Exception):
    """tree-sitter or a grammar is missing or cannot be loaded."""


@functools.cache
def language(grammar: str) -> Any:
    try:
        import tree_sitter as ts

        if grammar == "javascript":
            import tree_sitter_javascript as lang_pkg

            capsule = lang_pkg.language()
        else:
            import tree_sitter_typescript as lang_pkg

            capsule = (
                lang_pkg.language_tsx() if grammar == "tsx" else lang_pkg.language_typescript()
            )
        return ts.Language(capsule)
    except ImportError as e:
        raise GrammarError(
            f"the {grammar} grammar is not installed ({e.name}): "
            "pip install tree-sitter tree-sitter-typescript tree-sitter-javascript"
        ) from e
    except ValueError as e:  # Incompatible Language version
        raise GrammarError(f"the {grammar} grammar cannot be loaded: {e}") from e


@functools.cache
def _parser(grammar: str) -> Any:
    import tree_sitter as ts

    return ts.Parser(language(grammar))


def parse(data: bytes, grammar: str) -> Any:
    """The tree of ``data`` (a tree-sitter ``Tree``)."""
    return _parser(grammar).parse(data)


def first_problem(node: Any) -> Any | None:
    """The first ERROR or MISSING node under ``node`` (None: a clean tree)."""
    if not node.has_error:
        return None
    stack = [node]
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            return n
        if n.has_error:
            stack.extend(reversed(n.children))
    return node


def count_problems(node: Any) -> int:
    """How many ERROR and MISSING nodes ``node`` holds."""
    if not node.has_error:
        return 0
    count = 0
    stack = [node]
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            count += 1
        if n.has_error:
            stack.extend(n.children)
    return count


def versions() -> str:
    """The installed binding and grammar versions (part of the cache key)."""
    from importlib import metadata

    out = []
    for name in ("tree-sitter", "tree-sitter-typescript", "tree-sitter-javascript"):
        try:
            out.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name}=none")
    return ",".join(out)
