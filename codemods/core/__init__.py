"""The shared core: everything that is the same whatever the language.

Discovery, the prefilter, the runner (workers, the result cache, the
cross-module pass), findings and their formats, suppressions (noqa), the model
table, migration units and the writer. A front-end (``codemods/python/``,
``codemods/typescript/``) turns one file's bytes into a
:class:`~codemods.core.findings.FileResult`; the core never parses a language.
"""
