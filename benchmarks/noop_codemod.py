"""A LibCST codemod that changes nothing but pays for name resolution.

This is the "plain LibCST codemod" baseline of ``benchmarks/run.py``: what a
user would get by writing the migration as an ordinary
``python -m libcst.tool codemod`` command. It requests
``QualifiedNameProvider`` (as any codemod that must know which ``OpenAI`` is
openai's does) and looks up the qualified name of every call, then returns the
tree unchanged, so no file is ever written.

Run (from a directory holding a ``.libcst.codemod.yaml``, with this folder on
``PYTHONPATH``)::

    python -m libcst.tool codemod -x --no-format noop_codemod.NoopCodemod PATH
"""

from __future__ import annotations

import libcst as cst
from libcst.codemod import VisitorBasedCodemodCommand
from libcst.metadata import QualifiedNameProvider


class NoopCodemod(VisitorBasedCodemodCommand):
    DESCRIPTION = "Resolve qualified names of every call; change nothing."
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def visit_Call(self, node: cst.Call) -> None:
        self.get_metadata(QualifiedNameProvider, node.func, set())
