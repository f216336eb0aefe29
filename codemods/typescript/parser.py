"""tree-sitter parsers for TypeScript, TSX and JavaScript (with JSX).

The grammars are the PyPI wheels ``tree-sitter-typescript`` and
``tree-sitter-javascript``; ``tree-sitter`` is the binding. A grammar built
for a newer language ABI than the binding supports refuses to load
(``ValueError: Incompatible Language version``): pyproject pins versions
that load together, and tests/test_typescript.py loads all three.
"""

from __future__ import annotations

import functools
import os
import re
import sys
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


#: the distributions whose versions key the result cache
_DISTRIBUTIONS = ("tree-sitter", "tree-sitter-typescript", "tree-sitter-javascript")


def versions() -> str:
    """The installed binding and grammar versions (part of the cache key).

    Every run computes this (the result cache's key), so it reads the
    versions from the names of the ``<name>-<version>.dist-info`` directories
    on ``sys.path`` (:func:`_dist_info_versions`: one directory listing per
    path entry), not through :mod:`importlib.metadata`, whose import and
    lookups cost about 20 ms; a distribution not found that way (an egg, a
    zip, a custom finder) is asked of :mod:`importlib.metadata`."""
    found = _dist_info_versions(_DISTRIBUTIONS)
    out = []
    for name in _DISTRIBUTIONS:
        version = found.get(name)
        if version is None:
            from importlib import metadata

            try:
                version = metadata.version(name)
            except metadata.PackageNotFoundError:
                version = "none"
        out.append(f"{name}={version}")
    return ",".join(out)


def _normal(name: str) -> str:
    """A distribution name as importlib.metadata compares them (PEP 503,
    with ``_`` for ``-``, as in dist-info directory names)."""
    return re.sub(r"[-_.]+", "_", name).lower()


def _dist_info_versions(names: tuple[str, ...]) -> dict[str, str]:
    """name -> version of each of ``names`` whose first distribution on
    ``sys.path`` (the one :func:`importlib.metadata.version` finds) is a
    ``<name>-<version>.dist-info`` directory; a name whose first one there
    is an ``.egg-info`` is left out (its directory name need not carry the
    version)."""
    wanted = {_normal(n): n for n in names}
    found: dict[str, str] = {}
    settled: set[str] = set()
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:  # a zip, a missing directory: not a directory of dists
            continue
        for file_name in listing:
            stem, dot, suffix = file_name.rpartition(".")
            if not dot or suffix not in ("dist-info", "egg-info"):
                continue
            dist, _, version = stem.partition("-")
            key = _normal(dist)
            if key not in wanted or key in settled:
                continue
            settled.add(key)
            if suffix == "dist-info" and version:
                found[wanted[key]] = version
        if len(settled) == len(wanted):
            break
    return found
