"""The language front-ends: the core's one table of them.

A front-end turns one file's bytes into a
:class:`~codemods.core.findings.FileResult` and registers its rules. The
core knows each one only by this table (module names, imported when first
needed), so neither front-end imports the other and the core imports none
of them up front:

========== ================================== ==================================
front-end  files                              rules
========== ================================== ==================================
python     .py .pyi, .ipynb (notebook cells)  ``codemods/python/rules/``
typescript .ts .mts .cts .tsx .js .mjs .cjs    ``codemods/typescript/rules.py``
           .jsx, node scripts (shebang)
========== ================================== ==================================

Rules shared by every front-end (OR900, unused suppressions) are the core's
(``codemods/core/noqa.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FrontEnd:
    name: str  # "python", "typescript": the language of a rule's examples
    label: str  # for people (the docs' "Applies to")
    # the module whose import registers the front-end's rules
    rules: str


FRONTENDS: tuple[FrontEnd, ...] = (
    FrontEnd(name="python", label="Python", rules="codemods.python.rules"),
    FrontEnd(name="typescript", label="TypeScript/JavaScript", rules="codemods.typescript.rules"),
)
