"""Migration units: files whose fixes were decided with each other's facts.

A client and the model IDs sent through it move together or not at all,
also across files. ``b.py`` doing ``from a import client`` gets its model
IDs rewritten only because ``a.py``'s ``client = OpenAI()`` moves; a model
constant of ``settings.py`` is rewritten only because ``app.py``'s client
moves. If ``migrate`` writes one of them and refuses the other (uncommitted
changes, a write error, a file that changed since it was read, an internal
error), the program is half migrated: a client on OpenAI sent an
``openai/...`` ID, or a client on OpenRouter sent a bare one.

The project pass (:func:`codemods.core.runner._second_round`) records, phase by
phase, which file's fixes were decided with which other file's facts
(:class:`Units`); a unit is a connected component of that relation. The
CLI writes a unit whole or not at all.

The links, from the plans of :mod:`codemods.python.project`:

* API keys: an importer whose ``api_key=`` is followed into the module that
  defines it;
* the module-level client: a module that calls it and moves with the
  configuration other modules set (state ``migrate``);
* clients (and LangChain models, rebound with ``.bind(model=...)``)
  imported from another module that moves them (``migrate``, or
  ``unknown``: what the importer sends through them moves only with
  ``--unsafe-fixes``, and so may they);
* public functions whose parameter is a client, and the modules whose calls
  pass them a client that moves (``migrate``);
* functions of another module whose parameter reaches ``model=``, and the
  modules that call them;
* model constants: an importer and the module planned to rewrite them;
* streams a function or a method of another module returns, and the
  modules that read them (the guard moves with that module's client);
* the module setting the Agents SDK's default client, and the modules of
  its process that build agents.

Facts that do not make one file's rewrite depend on another file's rewrite
are not links: the SDK generation of the module client (how a configuration
is spelt), and which of a module's names other modules import (it only
makes a receiver unresolved, so nothing is rewritten).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codemods.python.project import FileInfo, Modules, Plan, ProjectInput

MIGRATE = "migrate"
UNKNOWN = "unknown"


class Units:
    """A union-find over file paths: :meth:`link` two files whose fixes
    depend on each other; :meth:`members` is a file's unit (itself alone
    when it was never linked)."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    def _find(self, path: str) -> str:
        parent = self._parent.setdefault(path, path)
        while parent != path:
            grand = self._parent.setdefault(parent, parent)
            self._parent[path] = grand
            path, parent = parent, grand
        return path

    def link(self, a: str, b: str) -> None:
        if a == b:
            return
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def __bool__(self) -> bool:
        return bool(self._parent)

    def groups(self) -> list[list[str]]:
        """Every unit of two files or more (paths sorted)."""
        by_root: dict[str, list[str]] = {}
        for path in list(self._parent):
            by_root.setdefault(self._find(path), []).append(path)
        return [sorted(g) for g in by_root.values() if len(g) > 1]

    # -- the links of each phase of the project pass --------------------------

    def link_importers(self, plan: Plan, keys: bool) -> None:
        """Model constants (``keys``: API keys): each importer with the
        module planned to rewrite the definition of the name it imports
        (planned, not only done: a definer whose analysis then failed still
        blocks the importer, whose client would move without its model)."""
        importers = plan.key_importers if keys else plan.importers
        for path, names in importers.items():
            for definer, _ in names.values():
                self.link(path, definer)

    def link_module_client(self, states: dict[str, tuple[str, tuple[str, ...]]]) -> None:
        for path, (state, where) in states.items():
            if state == MIGRATE:
                for other in where:
                    self.link(path, other)

    def link_calls(self, calls: dict[str, ProjectInput]) -> None:
        for path, project in calls.items():
            for sf in project.sink_functions:
                self.link(path, sf.path)

    def link_readers(self, readers: dict[str, set[str]]) -> None:
        """A file whose fixes are decided with other modules' clients -> those
        modules: it reads a stream their function returns (the guard), or
        builds agents of the Agents SDK's default client they set."""
        for path, definers in readers.items():
            for definer in definers:
                self.link(path, definer)

    def link_clients(self, files: Iterable[FileInfo], modules: Modules) -> None:
        """Clients (and client factories) imported from a module of the run
        that moves them; public functions whose client parameter every call
        elsewhere fills with a client that moves, and those callers."""
        from codemods.python.project import fixture_clients, imported_clients, resolve

        files = list(files)
        by_module, names = modules
        # a client read as ``client``, ``clients.client``, ``sub.clients.client``
        # or a conftest fixture; "unknown": also a client whose fix is unsafe
        # (a model ID sent through it cannot move): it moves with --unsafe-fixes
        # a LangChain model likewise: a model bound to it (``llm.bind(model=...)``)
        for found in (
            imported_clients(files, modules),
            fixture_clients(files),
            imported_clients(files, modules, langchain=True),
        ):
            for path, hits in found.items():
                for _, definer, state in hits:
                    if state in (MIGRATE, UNKNOWN):
                        self.link(path, definer)
        summaries = {path: s for path, _, s, _ in files if s is not None}
        for path, summary in summaries.items():
            if not summary.imports or path not in names:
                continue
            me, is_pkg = names[path]
            for local, (written, name) in summary.imports.items():
                target = resolve(written, me, is_pkg) if written != "?" else None
                if target is None or target not in by_module:
                    continue
                definer = by_module[target]
                theirs = summaries.get(definer)
                if theirs is None or definer == path:
                    continue
                if name in theirs.client_params and any(
                    MIGRATE in args.values() for args in summary.client_args.get(local, ())
                ):
                    self.link(path, definer)
