"""The language front-ends: the core's one table of them.

A front-end turns one file's bytes into a
:class:`~codemods.core.findings.FileResult` and registers its rules. The
core knows each one only by this table (module names, imported when first
needed), so neither front-end imports the other and the core imports none
of them up front:

========== ================================ ==================================
front-end  files                            rules
========== ================================ ==================================
python     .py .pyi (and extensionless      ``codemods/python/rules/``
           Python scripts), .ipynb cells
typescript .ts .mts .cts .tsx .js .mjs .cjs ``codemods/typescript/rules.py``
           .jsx, node scripts (shebang)
========== ================================ ==================================

Rules shared by every front-end (OR900, unused suppressions) are the core's
(``codemods/core/noqa.py``); a code means the same in every language.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class FrontEnd:
    name: str  # "python", "typescript": the language of a rule's examples
    # the files it handles, by extension (discovery's defaults, in this order)
    extensions: tuple[str, ...]
    # "module:function" processing a file the runner's prefilter let through:
    # (path, data, EngineConfig) -> (FileResult, what the file tells the
    # cross-module pass, or None)
    engine: str
    # the module whose import registers the front-end's rules
    rules: str
    # "module:function" the project pass's first round runs instead of
    # ``engine``: (path, data, EngineConfig, resolved path) -> as ``engine``,
    # and the file's result with a ProjectInput the second round is likely
    # to give it (or None), computed on the same tree
    # (codemods/python/engine.py: Ahead)
    ahead: str | None = None
    # "module:function" analysing a file again with what the other files of
    # the run said: (path, data, EngineConfig, ProjectInput) -> as ``engine``
    with_project: str = ""
    # its files take part in the Python cross-module pass (codemods/python/project.py)
    cross_module: bool = False
    # "module:function" running its own cross-module pass after round 1:
    # (pipeline, jobs, final results, units) (codemods/typescript/project.py)
    second_round: str | None = None
    # a file without one of ``extensions`` that is still its own:
    # "module:function" (path, data) -> bool
    claims: str | None = None
    # extensions match as written (else in any case)
    case_sensitive: bool = False
    # "module:function" (path, data) -> a function rewriting another file's
    # message that names a line of this one (``nb.ipynb:12``) as its own
    # findings name it (``nb.ipynb:cell 3:2``), or None
    refs: str | None = None
    # imported (and, for "module:function", called) by a worker before its
    # first file, or by a forking parent: pays a slow import once
    preload: str | None = None
    # "module:function" -> str: the versions of what parses its files (part
    # of the result cache's key)
    versions: str | None = None

    def matches(self, path: str) -> bool:
        return (path if self.case_sensitive else path.lower()).endswith(self.extensions)


def resolve(spec: str) -> Callable[..., Any]:
    """The function a "module:function" spec names (looked up at each call,
    so that a test may replace it)."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


PYTHON = FrontEnd(
    name="python",
    extensions=(".py", ".pyi"),
    engine="codemods.python.engine:analyze_candidate",
    with_project="codemods.python.engine:analyze_with_project",
    rules="codemods.python.rules",
    ahead="codemods.python.engine:analyze_ahead",
    cross_module=True,
    preload="codemods.python.engine:preload",  # LibCST and the rules: about 0.3 s
)
NOTEBOOK = FrontEnd(
    name="python",  # a notebook's cells are Python, checked by the Python rules
    extensions=(".ipynb",),
    engine="codemods.python.notebook_engine:analyze_candidate",
    with_project="codemods.python.notebook_engine:analyze_with_project",
    rules="codemods.python.rules",
    cross_module=True,
    case_sensitive=True,
    refs="codemods.python.notebook_engine:cell_refs",
)
TYPESCRIPT = FrontEnd(
    name="typescript",
    extensions=(".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"),
    engine="codemods.typescript.engine:analyze_candidate",
    with_project="codemods.typescript.engine:analyze_with_project",
    rules="codemods.typescript.rules",
    second_round="codemods.typescript.project:second_round",
    claims="codemods.typescript:is_node_script",
    versions="codemods.typescript.parser:versions",
)
#: every front-end (no two share an extension); Python takes what none claims
FRONTENDS: tuple[FrontEnd, ...] = (PYTHON, NOTEBOOK, TYPESCRIPT)


def front_end_for(path: str, data: bytes | None = None) -> FrontEnd:
    """The front-end of a file: by its extension, then (with its bytes) one
    that claims it (a node script without an extension); else Python."""
    for front_end in FRONTENDS:
        if front_end.matches(path):
            return front_end
    if data is not None:
        for front_end in FRONTENDS:
            if front_end.claims is not None and resolve(front_end.claims)(path, data):
                return front_end
    return PYTHON


def extensions() -> tuple[str, ...]:
    """Every front-end's extensions (discovery's default)."""
    return tuple(ext for front_end in FRONTENDS for ext in front_end.extensions)


def preload() -> None:
    """Import what each front-end's first file would (a worker, before its first chunk)."""
    for front_end in FRONTENDS:
        if front_end.preload is not None:
            module, _, function = front_end.preload.partition(":")
            loaded = importlib.import_module(module)
            if function:
                getattr(loaded, function)()


def versions() -> str:
    """The versions of every front-end's parsers (for the result cache's key)."""
    return "".join(resolve(f.versions)() for f in FRONTENDS if f.versions is not None)
