"""The Python front-end (LibCST): ``.py``, ``.pyi`` and notebooks (``.ipynb``).

    bytes -> LibCST -> facts (analysis, clients) -> rules (``rules/``)
          -> fixes applied to the tree -> re-parse check

``engine`` processes one file, ``notebook_engine`` a notebook's cells, and
``project`` is the cross-module pass (model IDs, keys and clients that cross
Python modules). Discovery, the runner, findings, formats, the model table and
the writer are the shared core's (``codemods/core/``).
"""
