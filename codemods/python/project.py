"""Model IDs that cross modules: ``from .settings import CHAT_MODEL`` used as
``model=CHAT_MODEL``.

The per-file engine stays a pure function of (path, bytes, config, project
input). The project pass is two rounds in the runner:

1. every file is processed as usual; the engine also returns a
   :class:`ModuleSummary`: the names it imports with ``from M import N``,
   how many reads of each reach ``model=`` of an SDK call and how many do
   not, and the plain ``import M`` / star imports (through which reads
   cannot be counted);
2. :func:`plan` maps file paths to module names (walking up ``__init__.py``
   packages), resolves the imports, and decides for each module defining a
   name that other files pass to ``model=``: the defining file is processed
   again with :class:`ProjectInput.exports` (it follows its own definition,
   with the other files' reads counted: a read that is not a ``model=``
   there makes the constant shared, OR206), and the importing files again
   with :class:`ProjectInput.followed` (no OR205 for a name whose
   definition is followed where it is written).

A module imported as a whole anywhere (``import pkg.settings``, ``from pkg
import settings``, ``from .settings import *``) has reads the tool cannot
count: its names are never exported, and the importers keep their OR205.
Files outside the run (not given on the command line, excluded) are not
seen; their reads are not counted.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from codemods.core.project import (  # noqa: F401 - the shared summary data, re-exported
    Export,
    ModuleSummary,
    ProjectInput,
    SinkFunction,
    canonical,
    fingerprint,
    summary_from_dict,
    summary_to_dict,
)
from codemods.core.sdk import RESOURCES


def module_name(path: Path) -> tuple[str, bool] | None:
    """``pkg/sub/mod.py`` -> ("pkg.sub.mod", False); ``pkg/__init__.py`` ->
    ("pkg", True). Packages are directories with an ``__init__.py``."""
    text = str(path)
    if not text.endswith(".py"):
        return None
    if not os.path.isabs(text):
        text = os.path.realpath(text)  # the runner passes discovery's resolved paths
    directory, name = os.path.split(text)
    is_package = name == "__init__.py"
    parts = [*_package(directory)] + ([] if is_package else [name[:-3]])
    if not parts or not all(p.isidentifier() for p in parts):
        return None
    return ".".join(parts), is_package


#: what ends the id of a notebook (``judge.ipynb`` -> ``judge!ipynb``): no
#: import can name it (not an identifier), and it has no dot, so its root is
#: its directory, as Jupyter runs it (``sys.path[0]`` is the notebook's)
NOTEBOOK_MARK = "!ipynb"


def notebook_name(path: Path | str) -> tuple[str, bool] | None:
    """A notebook's id in the project pass: it imports and calls the run's
    modules as a script of its directory does, and nothing imports it."""
    text = str(path)
    if not text.endswith(".ipynb"):
        return None
    stem = os.path.basename(text)[: -len(".ipynb")].replace(".", "_")
    return stem + NOTEBOOK_MARK, False


@functools.lru_cache(maxsize=1 << 14)
def _package(d: str) -> tuple[str, ...]:
    """The dotted package a directory is (empty: not a package)."""
    parent, name = os.path.split(d)
    if parent == d or not os.path.isfile(os.path.join(d, "__init__.py")):
        return ()
    return (*_package(parent), name)


#: the first part of a module's id when its top-level name is not unique in
#: the run: ``~<root key>.config`` (two apps of a monorepo, each with its own
#: ``config.py`` next to the scripts importing it)
ROOT_MARK = "~"


def resolve(
    written: str, importer: str, importer_is_package: bool, local: Local | None = None
) -> str | None:
    """The absolute module an import names (``..settings`` from ``a.b.c``);
    ``local``: the importer's root, for a top-level name more than one root
    of the run defines (:class:`Local`)."""
    level = len(written) - len(written.lstrip("."))
    if level == 0:
        return written if local is None else local.qualify(written)
    package = importer.split(".") if importer_is_package else importer.split(".")[:-1]
    mark = 1 if importer.startswith(ROOT_MARK) else 0
    if level - 1 > len(package) - mark:
        return None
    base = package[: len(package) - (level - 1)]
    rest = written[level:]
    if mark and len(base) == 1:
        # ``from . import x`` in a top-level module: x as seen from its root
        if not rest:
            return None
        return local.qualify(rest) if local is not None else f"{base[0]}.{rest}"
    parts = base + ([rest] if rest else [])
    return ".".join(parts) if parts else None


@dataclass
class Plan:
    """Second-round inputs, by file path."""

    definers: dict[str, ProjectInput] = field(default_factory=dict)
    # importer path -> local name -> (defining path, exported name)
    importers: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    # API keys: defining path -> names; importer path -> local -> (definer, name)
    key_definers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    key_importers: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)

    def followed_keys(self, path: str, handled: dict[str, set[str]]) -> frozenset[str]:
        """An importer's key names whose definition was rewritten where it is."""
        return frozenset(
            local
            for local, (definer, name) in self.key_importers.get(path, {}).items()
            if name in handled.get(definer, set())
        )

    def followed_input(
        self, path: str, handled: dict[str, set[str]], exports: ProjectInput | None
    ) -> ProjectInput | None:
        """An importer's input once the definers reported what they handled."""
        names = frozenset(
            local
            for local, (definer, name) in self.importers.get(path, {}).items()
            if name in handled.get(definer, set())
        )
        if not names:
            return None
        return ProjectInput(exports=exports.exports if exports else (), followed=names)


FileInfo = tuple[str, Path, "ModuleSummary | None", "bytes | None"]


class Local:
    """Absolute imports as one file's root resolves them: a top-level name
    that more than one root of the run defines (``app_a/config.py`` and
    ``app_b/config.py``, each app run from its own directory, so
    ``sys.path[0]`` is that directory) is the one of the importer's root;
    its module id carries the root (``~<key>.config``). A name its root
    does not define stays as written: another root's, when only one
    defines it (a ``src/`` layout read from ``tests/``), else none."""

    __slots__ = ("_index", "_root")

    def __init__(self, index: _ModuleIndex, root: str) -> None:
        self._index = index
        self._root = root

    def qualify(self, dotted: str) -> str:
        roots = self._index.roots(dotted.split(".", 1)[0])
        if not roots and "." in dotted:
            # no file of the run is ``pkg``: ``pkg.utils.clients`` may be
            # ``utils/clients.py`` under a directory ``pkg`` without an
            # ``__init__.py`` (a namespace package, PEP 420)
            found = self._index.namespace(dotted)
            if found is not None:
                return found
        if len(roots) > 1 and self._root in roots:
            return f"{_root_mark(self._root)}.{dotted}"
        return dotted


def _root_mark(root: str) -> str:
    """The first part of the ids of a root's modules whose top-level name
    is not unique: stable across runs (a cache key may hold it), no dot."""
    return (
        ROOT_MARK
        + hashlib.blake2s(root.encode("utf-8", "surrogateescape"), digest_size=5).hexdigest()
    )


def display_module(module: str) -> str:
    """A module id as written in code (its root mark left out)."""
    return module.split(".", 1)[1] if module.startswith(ROOT_MARK) else module


class _ModuleIndex:
    """Module names of the run's files, computed on demand: the planner asks
    about the modules the parsed files import, a handful, not about every
    file of a 10,000-file tree.

    A module's id is its dotted name, qualified by its root (:class:`Local`)
    when another root of the run defines the same top-level name."""

    def __init__(self, files: Iterable[FileInfo]) -> None:
        self._real = {path: real for path, real, _, _ in files}
        self._raw: dict[str, tuple[str, bool] | None] = {}
        self._names: dict[str, tuple[str, bool] | None] = {}
        self._paths: dict[str, str | None] = {}
        self._by_last: dict[str, list[str]] | None = None
        self._roots: dict[str, frozenset[str]] = {}
        self._locals: dict[str, Local | None] = {}

    def raw(self, path: str) -> tuple[str, bool] | None:
        """(dotted module name, is package) of a file of the run, if it is a module."""
        if path not in self._raw:
            real = self._real.get(path)
            self._raw[path] = None if real is None else (module_name(real) or notebook_name(real))
        return self._raw[path]

    def root(self, path: str) -> str | None:
        """The directory a module's top-level name is found in (the one
        above its top package; a script's own)."""
        raw = self.raw(path)
        if raw is None:
            return None
        real = str(self._real[path])
        if not os.path.isabs(real):
            real = os.path.realpath(real)
        d = os.path.dirname(real)
        for _ in range(raw[0].count(".") + (1 if raw[1] else 0)):
            d = os.path.dirname(d)
        return d

    def roots(self, top: str) -> frozenset[str]:
        """The roots that define the top-level module or package ``top``."""
        if top not in self._roots:
            self._roots[top] = frozenset(
                r
                for p in self._last(top)
                if (n := self.raw(p)) is not None and n[0] == top and (r := self.root(p))
            )
        return self._roots[top]

    def local(self, path: str) -> Local | None:
        """How ``path``'s absolute imports resolve (None: not a module)."""
        if path not in self._locals:
            root = self.root(path)
            self._locals[path] = None if root is None else Local(self, root)
        return self._locals[path]

    def name(self, path: str) -> tuple[str, bool] | None:
        """(module id, is package) of a file of the run, if it is a module."""
        if path not in self._names:
            raw = self.raw(path)
            if raw is not None:
                local = self.local(path)
                assert local is not None
                raw = (local.qualify(raw[0]), raw[1])
            self._names[path] = raw
        return self._names[path]

    def _last(self, last: str) -> list[str]:
        if self._by_last is None:
            self._by_last = defaultdict(list)
            for p, real in self._real.items():
                head, base = os.path.split(str(real))
                name = os.path.basename(head) if base == "__init__.py" else base[:-3]
                self._by_last[name].append(p)
        return self._by_last.get(last, [])

    def namespace(self, dotted: str) -> str | None:
        """The id of the one module of the run that ``dotted`` names through
        namespace packages (PEP 420: a directory without ``__init__.py`` is
        importable, its parent on ``sys.path``): ``pkg.utils.clients`` is
        ``pkg/utils/clients.py`` (id ``utils.clients``, root ``pkg/``) when
        ``pkg/`` has no ``__init__.py``. None: no such module, or more than one."""
        parts = dotted.split(".")
        hits: list[str] = []
        for p in self._last(parts[-1]):
            raw = self.raw(p)
            if raw is None:
                continue
            name = raw[0].split(".")
            k = len(parts) - len(name)
            if k <= 0 or parts[k:] != name:
                continue
            d = self.root(p)
            for part in reversed(parts[:k]):
                if (
                    d is None
                    or os.path.basename(d) != part
                    or os.path.isfile(os.path.join(d, "__init__.py"))
                ):
                    break
                d = os.path.dirname(d)
            else:
                hits.append(p)
        if len(hits) != 1:
            return None
        found = self.name(hits[0])
        return None if found is None else found[0]

    def path(self, module: str) -> str | None:
        """The file that is ``module`` (None: none, or more than one)."""
        if module not in self._paths:
            hits = [
                p
                for p in self._last(module.rsplit(".", 1)[-1])
                if (n := self.name(p)) is not None and n[0] == module
            ]
            self._paths[module] = hits[0] if len(hits) == 1 else None
        return self._paths[module]


class _ByModule:
    """module name -> path (unique names only), as a read-only mapping."""

    def __init__(self, index: _ModuleIndex) -> None:
        self._index = index

    def __contains__(self, module: object) -> bool:
        return isinstance(module, str) and self._index.path(module) is not None

    def __getitem__(self, module: str) -> str:
        path = self._index.path(module)
        if path is None:
            raise KeyError(module)
        return path


class _ByPath:
    """path -> (module name, is package), as a read-only mapping."""

    def __init__(self, index: _ModuleIndex) -> None:
        self._index = index

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self._index.name(path) is not None

    def __getitem__(self, path: str) -> tuple[str, bool]:
        name = self._index.name(path)
        if name is None:
            raise KeyError(path)
        return name

    def raw(self, path: str) -> tuple[str, bool]:
        """The module name as code writes it (no root mark): what a
        :class:`ProjectInput` carries, since the engine resolves the file's
        imports with it and the plan gave it only the modules they name."""
        name = self._index.raw(path)
        if name is None:
            raise KeyError(path)
        return name

    def local(self, path: str) -> Local | None:
        """How the file's absolute imports resolve (:func:`resolve`)."""
        return self._index.local(path)


Modules = tuple[_ByModule, _ByPath]
#: a parallel text scan (the runner's): (paths, names, whether the files were
#: scanned before for other names) -> path -> the names it mentions
ScanMany = Callable[[list[str], frozenset[str], bool], dict[str, frozenset[str]]]


def modules_of(files: Iterable[FileInfo]) -> Modules:
    """module name -> path (unique names only), path -> (module name, is
    package), both computed on demand. Depends only on the paths: make
    once, pass to ``plan_calls`` and ``plan``."""
    index = _ModuleIndex(files)
    return _ByModule(index), _ByPath(index)


#: every byte that cannot be part of a word (ASCII letters, digits, ``_``, and
#: any non-ASCII byte: a UTF-8 identifier is one word) becomes a space
_WORD_BYTES = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
) | frozenset(range(0x80, 0x100))
_TO_SPACES = bytes(c if c in _WORD_BYTES else 0x20 for c in range(256))


def words(data: bytes) -> set[bytes]:
    """Every word of a file's text: the maximal runs of word bytes, so
    ``\\bNAME\\b`` matches exactly when NAME is one of them. One pass over
    the bytes in C (a translation and a split: twice as fast as a regular
    expression's findall)."""
    return set(data.translate(_TO_SPACES).split())


#: a file scanned again for at most this many names more is first searched
#: for each as a substring (a C search of the bytes, several times cheaper
#: than the word split): a file that holds none of them cannot mention one
FEW_NAMES = 16


def mentioned(data: bytes, encoded: frozenset[bytes], again: bool = False) -> set[bytes]:
    """The names of ``encoded`` that ``data`` mentions as a whole word.
    ``again``: the file was scanned before, for other names (the planner
    asks about names found late, one or a few at a time): with few names,
    the split is skipped when none of them is even a substring."""
    if again and len(encoded) <= FEW_NAMES and not any(n in data for n in encoded):
        return set()
    return words(data).intersection(encoded)


class Mentions:
    """Which of a set of names the files without a summary mention as a
    whole word (the planner's text scan).

    Linear in the size of the tree: a file is read and split into words once
    (:func:`words`), and the set of names asked about is intersected with its
    words (a hash lookup per name, never a scan per name). What a file is
    known to mention is kept as ``(names asked, names found)``; a later
    question about names already asked costs a set intersection. A file can
    start out known (``known``: from the project index of the cache, so an
    unchanged file is not read at all); it is scanned only when asked about
    a name it was not scanned for.

    A file scanned again (asked about names it was not scanned for) is
    searched for the new names only; with a parallel scan (``scan_many`` of
    :meth:`prepare`), every file a question needs scanned again goes to it
    in one batch, as in :meth:`prepare`.

    ``scans`` counts the files scanned (read and searched); ``questions``
    the intersections (tests assert both grow linearly with the tree)."""

    def __init__(self) -> None:
        self._load: dict[str, bytes | Callable[[], bytes]] = {}
        self._asked: dict[str, frozenset[str]] = {}
        self._found: dict[str, frozenset[str]] = {}
        # few distinct name sets are ever asked: set operations between two
        # of them are done once, not once per file (ids of the sets kept alive)
        self._sets: dict[int, frozenset[str]] = {}
        self._covers: dict[tuple[int, int], bool] = {}
        self._unions: dict[tuple[int, int], frozenset[str]] = {}
        self._encoded: dict[int, frozenset[bytes]] = {}
        self._decoded: dict[bytes, str] = {}
        self._news: dict[tuple[int, int], frozenset[str]] = {}
        self._scan_many: ScanMany | None = None
        self.scans = 0
        self.questions = 0

    def add(
        self,
        path: str,
        data: bytes | Callable[[], bytes],
        known: tuple[frozenset[str], frozenset[str]] | None = None,
    ) -> None:
        """A file the planner may ask about; ``data``: its bytes or a loader;
        ``known``: (names it was scanned for, those it mentions)."""
        self._load[path] = data
        if known is not None:
            self._asked[path] = self._shared(known[0])
            self._found[path] = known[1]

    def __contains__(self, path: object) -> bool:
        return path in self._load

    def paths(self) -> list[str]:
        return list(self._load)

    def state(self, path: str) -> tuple[frozenset[str], frozenset[str]]:
        """(names this file was scanned for, those it mentions)."""
        return self._asked.get(path, _EMPTY), self._found.get(path, _EMPTY)

    def find(
        self, names: Iterable[str], only: Iterable[str] | None = None
    ) -> dict[str, frozenset[str]]:
        """File -> the names of ``names`` it mentions (files mentioning none
        are left out); ``only``: ask only about these files."""
        wanted = self._shared(frozenset(names))
        if not wanted:
            return {}
        paths = list(self._load) if only is None else [p for p in only if p in self._load]
        if self._scan_many is not None:
            self._scan_all(paths, wanted)  # (those read from disk: in one batch)
        out: dict[str, frozenset[str]] = {}
        for path in paths:
            self._ensure(path, wanted)
            self.questions += 1
            found = self._found[path]
            if found:
                hits = found & wanted
                if hits:
                    out[path] = hits
        return out

    def prepare(
        self,
        names: Iterable[str],
        scan_many: ScanMany | None = None,
    ) -> None:
        """Scan now, once, every file not yet scanned for ``names`` (so that
        later questions about any of them cost no read). ``scan_many(paths,
        names)``, if given, scans files read from disk (the runner's is
        parallel): path -> the names it mentions."""
        if scan_many is not None:
            self._scan_many = scan_many  # (later questions about new names too)
        wanted = self._shared(frozenset(names))
        if not wanted:
            return
        self._scan_all(self._load, wanted)

    def _scan_all(self, paths: Iterable[str], wanted: frozenset[str]) -> None:
        """Scan every file of ``paths`` that cannot yet answer about
        ``wanted``: in this process, or, for files read from disk with a
        parallel scan, in one call per set of names to search for."""
        scan_many = self._scan_many
        groups: dict[tuple[int, int], list[str]] = defaultdict(list)
        for path in paths:
            union = self._needs(path, wanted)
            if union is None:
                continue
            if scan_many is None or not callable(self._load[path]):
                self._scan(path, union)  # bytes in memory: here
            else:
                groups[(id(self._asked.get(path, _EMPTY)), id(union))].append(path)
        for (_, union_id), group in groups.items():
            assert scan_many is not None
            union = self._sets[union_id]
            asked = self._asked.get(group[0], _EMPTY)
            found = scan_many(group, self._new(asked, union), asked is not _EMPTY)
            self.scans += len(group)
            for path in group:
                self._asked[path] = union
                self._found[path] = self._merged(path, found.get(path, _EMPTY))

    def _shared(self, names: frozenset[str]) -> frozenset[str]:
        if self._sets.get(id(names)) is names:
            return names
        for known in self._sets.values():
            if known == names:
                return known
        self._sets[id(names)] = names
        return names

    def _needs(self, path: str, wanted: frozenset[str]) -> frozenset[str] | None:
        """The names to scan ``path`` for before it can answer about
        ``wanted`` (None: it can already)."""
        asked = self._asked.get(path, _EMPTY)
        if asked is wanted:
            return None
        pair = (id(asked), id(wanted))
        covered = self._covers.get(pair)
        if covered is None:
            covered = self._covers[pair] = wanted <= asked
        if covered:
            return None
        return self._asked_union(path, wanted)

    def _asked_union(self, path: str, wanted: frozenset[str]) -> frozenset[str]:
        asked = self._asked.get(path, _EMPTY)
        pair = (id(asked), id(wanted))
        union = self._unions.get(pair)
        if union is None:
            union = self._unions[pair] = self._shared(asked | wanted)
        return union

    def _ensure(self, path: str, wanted: frozenset[str]) -> None:
        union = self._needs(path, wanted)
        if union is not None:
            self._scan(path, union)

    def _new(self, asked: frozenset[str], union: frozenset[str]) -> frozenset[str]:
        """The names of ``union`` a file scanned for ``asked`` was not
        scanned for (shared, like the sets it is made of)."""
        pair = (id(asked), id(union))
        new = self._news.get(pair)
        if new is None:
            new = self._news[pair] = self._shared(union - asked)
        return new

    def _merged(self, path: str, hits: frozenset[str]) -> frozenset[str]:
        """What ``path`` mentions, with ``hits`` of a scan for new names."""
        old = self._found.get(path, _EMPTY)
        return old | hits if hits else old

    def _scan(self, path: str, names: frozenset[str]) -> None:
        data = self._load[path]
        text = data() if callable(data) else data
        self.scans += 1
        asked = self._asked.get(path, _EMPTY)
        new = self._new(asked, names)
        encoded = self._encoded.get(id(new))
        if encoded is None:
            encoded = frozenset(n.encode("utf-8", "surrogateescape") for n in new)
            self._encoded[id(new)] = encoded
            for n in new:
                self._decoded[n.encode("utf-8", "surrogateescape")] = n
        # one pass over the bytes; the intersection walks the smaller set
        hits = mentioned(text, encoded, asked is not _EMPTY)
        self._found[path] = self._merged(
            path, frozenset(self._decoded[b] for b in hits) if hits else _EMPTY
        )
        self._asked[path] = names


_EMPTY: frozenset[str] = frozenset()


def mentions_of(files: Iterable[FileInfo]) -> Mentions:
    """The text scan of the files that have no summary but have bytes."""
    m = Mentions()
    for path, _, summary, data in files:
        if summary is None and data:
            m.add(path, data)
    return m


def watched_names(files: Iterable[FileInfo], modules: Modules | None = None) -> set[str]:
    """Every name the planner may ask the text scan about, from the
    summaries alone: the functions whose parameter reaches ``model=``, and
    every name a summarised file imports from another module of the run
    (a superset of the exported names and key names), the functions whose
    parameter is used as a client (:func:`plan_param_clients`) and the last
    part of the modules that want their importers (:func:`plan_private`).
    Scanning once for all of them
    (:meth:`Mentions.prepare`) reads each file once."""
    files = list(files)
    by_module, names = modules if modules is not None else modules_of(files)
    out: set[str] = set()
    for path, _, summary, _ in files:
        if summary is None:
            continue
        out.update(summary.sink_params)
        out.update(summary.client_params)  # plan_param_clients
        out.update(k.split(".", 1)[0] for k in summary.stream_returns)  # plan_streams
        if summary.agents_default:
            out.add("agents")  # agent_readers
        # client_readers, plan_client_uses (and plan_all_clients_migrated)
        out.update(k.split(":", 1)[-1] for k in summary.clients)
        out.update(summary.langchain_exports)
        if summary.wants_all_migrated:
            out.update(("openai", "OpenAI", "AsyncOpenAI"))
        if summary.wants_importers:
            out.update(RESOURCES)  # plan_private: an importer reading a resource
        if path not in names:
            continue
        me, is_pkg = names[path]
        if (
            summary.wants_importers
            or summary.clients
            or summary.langchain_exports
            or summary.agents_configured
            or summary.agents_unconfigured
        ):
            out.add(me.rsplit(".", 1)[-1])  # plan_private, client_readers, agent_readers
        for written, name in summary.imports.values():
            target = resolve(written, me, is_pkg, names.local(path)) if written != "?" else None
            if target is not None and (target in by_module or f"{target}.{name}" in by_module):
                out.add(name)
    return out


def plan_calls(
    files: Iterable[FileInfo], modules: Modules | None = None, mentions: Mentions | None = None
) -> dict[str, ProjectInput]:
    """Files that may call a function of another module whose parameter
    reaches ``model=``: they are processed again with those functions, so
    the arguments they pass (a click default, a literal) are followed.

    Files with a summary are matched through their imports; files without
    one (skipped by the prefilter) through the text scan: one that names a
    function is processed again. Linear: functions are looked up by key,
    never compared with every file."""
    files = list(files)
    if not any(summary is not None and summary.sink_params for _, _, summary, _ in files):
        return {}
    modules, names = modules if modules is not None else modules_of(files)
    functions: list[SinkFunction] = []
    for path, _, summary, _ in files:
        if summary is None or path not in names or names[path][0] not in modules:
            continue
        for fname, params in sorted(summary.sink_params.items()):
            functions.append(
                SinkFunction(
                    module=names[path][0],
                    name=fname,
                    params=tuple(sorted(params.items())),
                    path=path,
                    certain=fname in summary.sink_params_certain,
                    safe=fname in summary.sink_params_safe,
                )
            )
    if not functions:
        return {}
    order = {sf: i for i, sf in enumerate(functions)}
    by_key: dict[tuple[str, str], list[SinkFunction]] = defaultdict(list)
    by_module: dict[str, list[SinkFunction]] = defaultdict(list)
    by_name: dict[str, list[SinkFunction]] = defaultdict(list)
    for sf in functions:
        by_key[(sf.module, sf.name)].append(sf)
        by_module[sf.module].append(sf)
        by_name[sf.name].append(sf)
    if mentions is None:
        mentions = mentions_of(files)
    unread = [path for path, _, summary, data in files if summary is None and data is not None]
    named = mentions.find(by_name, only=unread)
    out: dict[str, ProjectInput] = {}
    for path, _, summary, _ in files:
        if summary is None and path not in named:
            continue  # (most files: no module name needed)
        if path not in names:
            continue
        me, is_pkg = names[path]
        found: set[SinkFunction] = set()
        if summary is not None:
            for w, n in summary.imports.values():
                if w != "?":
                    target = resolve(w, me, is_pkg, names.local(path))
                    found.update(by_key.get((target, n), ()))  # type: ignore[arg-type]
                    found.update(by_module.get(f"{target}.{n}", ()))  # a module imported by name
            for w in summary.module_imports:
                found.update(by_module.get(resolve(w, me, is_pkg, names.local(path)), ()))  # type: ignore[arg-type]
        elif path in named:
            for n in named[path]:
                found.update(by_name[n])
        if not found:
            continue
        mine = sorted((sf for sf in found if sf.path != path), key=order.__getitem__)
        if mine:
            out[path] = ProjectInput(
                module=names.raw(path),
                sink_functions=tuple(replace(sf, module=display_module(sf.module)) for sf in mine),
            )
    return out


def imported_clients(
    files: Iterable[FileInfo], modules: Modules | None = None, langchain: bool = False
) -> dict[str, list[tuple[str, str, str]]]:
    """The clients (and client factories) each file takes from another
    module of the run: path -> (name as read here, the defining file, its
    decision), through ``from M import client``, a module imported whole
    (``clients.client``) or a submodule of a package imported whole
    (``sub.clients.client`` after ``from pkg import sub``). With
    ``langchain``: the LangChain models instead (ModuleSummary.langchain_exports)."""
    files = list(files)
    modules, names = modules if modules is not None else modules_of(files)
    exported = {
        path: summary.langchain_exports if langchain else summary.clients
        for path, _, summary, _ in files
        if summary is not None
    }
    # ``from pkg import client`` where pkg/__init__.py re-exports it
    reexported = client_reexports(files, (modules, names), langchain)

    def through(module: str, name: str) -> tuple[str, str] | None:
        hit = reexported.get(module, {}).get(name)
        if hit is None:
            return None
        state = exported.get(hit[0], {}).get(hit[1])
        return None if state is None else (hit[0], state)

    out: dict[str, list[tuple[str, str, str]]] = {}
    for path, _, summary, _ in files:
        if summary is None or path not in names:
            continue
        if not (summary.imports or summary.whole_imports or summary.module_aliases):
            continue
        me, is_pkg = names[path]
        found: list[tuple[str, str, str]] = []
        for local, (written, name) in sorted(summary.imports.items()):
            target = resolve(written, me, is_pkg, names.local(path)) if written != "?" else None
            if target is None or target not in modules:
                continue
            state = exported.get(modules[target], {}).get(name)
            if state is not None:
                found.append((local, modules[target], state))
            elif (hit := through(target, name)) is not None:
                found.append((local, *hit))
        # ``clients.client`` off a module imported whole
        for expr, module in whole_modules(summary, me, is_pkg, names.local(path)):
            if module not in modules:
                continue
            definer = modules[module]
            for name, state in sorted(exported.get(definer, {}).items()):
                if not name.startswith(FIXTURE_PREFIX):
                    found.append((f"{expr}.{name}", definer, state))
            for name in sorted(reexported.get(module, {})):
                if (hit := through(module, name)) is not None:
                    found.append((f"{expr}.{name}", *hit))
        # ``sub.clients.client`` off a package imported whole (``from pkg
        # import sub``, ``import pkg.sub``): only the keys this file uses
        known = {key for key, _, _ in found}
        for key in sorted({*summary.client_uses, *summary.client_escapes} - known):
            whole = _whole_key(summary, key, me, is_pkg, names.local(path))
            if whole is None or whole[1] not in modules:
                continue
            definer = modules[whole[1]]
            state = exported.get(definer, {}).get(whole[2])
            if state is not None:
                found.append((key, definer, state))
            elif (hit := through(whole[1], whole[2])) is not None:
                found.append((key, *hit))
        if found:
            out[path] = found
    return out


def plan_streams(
    files: Iterable[FileInfo],
    modules: Modules | None = None,
    mentions: Mentions | None = None,
    links: dict[str, set[str]] | None = None,
) -> dict[str, ProjectInput]:
    """Files that may read a stream a function or a method of another
    module returns (``ModuleSummary.stream_returns``): they are processed
    again with those functions, so the loops over their streams get the
    guard (codemods/python/rules/streams.py). Matched as :func:`plan_calls` does:
    through the imports of a summarised file, by the text scan for the
    others (a file that reads a stream and never names openai is skipped
    by the prefilter). ``links`` (when given) gets, per such file, the
    files defining them (codemods/core/units.py)."""
    files = list(files)
    if not any(summary is not None and summary.stream_returns for _, _, summary, _ in files):
        return {}
    by_module, names = modules if modules is not None else modules_of(files)
    # (module, function or class) -> (module, name, method, events, note)
    entries: dict[tuple[str, str], list[tuple[str, str, str, bool, str]]] = defaultdict(list)
    definers: dict[tuple[str, str], str] = {}
    for path, _, summary, _ in files:
        if summary is None or not summary.stream_returns or path not in names:
            continue
        module = names[path][0]
        for key, (events, note) in sorted(summary.stream_returns.items()):
            name, _, method = key.partition(".")
            shown = display_module(module)  # as the engine resolves the importer's imports
            entries[(module, name)].append((shown, name, method, bool(events), str(note)))
            definers[(module, name)] = path
    if not entries:
        return {}
    by_name: dict[str, list[tuple[str, str]]] = defaultdict(list)
    in_module: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key in entries:
        by_name[key[1]].append(key)
        in_module[key[0]].append(key)
    if mentions is None:
        mentions = mentions_of(files)
    unread = [path for path, _, summary, data in files if summary is None and data is not None]
    named = mentions.find(by_name, only=unread)
    out: dict[str, ProjectInput] = {}
    for path, _, summary, _ in files:
        if (summary is None and path not in named) or path not in names:
            continue
        me, is_pkg = names[path]
        found: set[tuple[str, str]] = set()
        if summary is not None:
            for w, n in summary.imports.values():
                if w != "?":
                    target = resolve(w, me, is_pkg, names.local(path))
                    if (target, n) in entries:
                        found.add((target, n))  # type: ignore[arg-type]
                    found.update(in_module.get(f"{target}.{n}", ()))  # a module imported by name
            for w in summary.module_imports:
                found.update(in_module.get(resolve(w, me, is_pkg, names.local(path)), ()))  # type: ignore[arg-type]
        else:
            for n in named[path]:
                found.update(by_name[n])
        mine = sorted(entry for key in found if definers[key] != path for entry in entries[key])
        if mine:
            out[path] = ProjectInput(module=names.raw(path), stream_functions=tuple(mine))
            if links is not None:
                links[path] = {definers[key] for key in found if definers[key] != path}
    return out


def plan_clients(
    files: Iterable[FileInfo], modules: Modules | None = None
) -> dict[str, tuple[tuple[str, str], ...]]:
    """Files that import a client (or a client factory) from another module
    of the run: path -> (local name, the defining module's decision). They
    are processed again with it, so a model ID sent through such a client
    is rewritten only when that client moves to OpenRouter."""
    files = list(files)
    if not any(summary is not None and summary.clients for _, _, summary, _ in files):
        return {}
    out: dict[str, tuple[tuple[str, str], ...]] = {
        path: tuple((key, state) for key, _, state in found)
        for path, found in imported_clients(files, modules).items()
    }
    for path, found in fixture_clients(files).items():
        out[path] = tuple(sorted({*out.get(path, ()), *((k, s) for k, _, s in found)}))
    return out


def plan_langchain_models(
    files: Iterable[FileInfo], modules: Modules | None = None
) -> dict[str, tuple[tuple[str, str], ...]]:
    """Files that import a LangChain model from another module of the run:
    path -> (name as read there, the defining module's decision). They are
    processed again with it, so a model they bind to it
    (``llm.bind(model=...)``) moves with it (codemods/python/rules/langchain.py)."""
    files = list(files)
    if not any(summary is not None and summary.langchain_exports for _, _, summary, _ in files):
        return {}
    return {
        path: tuple((key, state) for key, _, state in found)
        for path, found in imported_clients(files, modules, langchain=True).items()
    }


def fixture_clients(files: Iterable[FileInfo]) -> dict[str, list[tuple[str, str, str]]]:
    """The pytest fixtures test modules take from a conftest.py up their
    tree that are clients: path -> ("fixture:<name>", the conftest, its
    decision)."""
    files = list(files)
    conftests = _conftests(files)
    out: dict[str, list[tuple[str, str, str]]] = {}
    for path, real, summary, _ in files if conftests else ():
        if summary is None:
            continue
        found = []
        for key in sorted(summary.client_uses):
            if key.startswith(FIXTURE_PREFIX):
                hit = _fixture_definer(real, key, conftests)
                if hit is not None:
                    found.append((key, hit[0], hit[2].clients[key]))
        if found:
            out[path] = found
    return out


def whole_modules(
    summary: ModuleSummary, me: str, is_pkg: bool, local: Local | None = None
) -> list[tuple[str, str]]:
    """(module expression as written, absolute module) of the modules a file
    imports whole: ``from pkg import clients`` (``clients``), ``import
    pkg.clients as c`` (``c``), ``import pkg.clients`` (``pkg.clients``).
    Whether each is a module of the run is the caller's question."""
    out = []
    for alias, (written, name) in summary.imports.items():
        base = resolve(written, me, is_pkg, local) if written != "?" else None
        if base is not None:
            out.append((alias, f"{base}.{name}"))
    if local is None:
        out.extend(sorted(summary.module_aliases.items()))
        out.extend((m, m) for m in summary.whole_imports)
    else:
        out.extend((a, local.qualify(m)) for a, m in sorted(summary.module_aliases.items()))
        out.extend((m, local.qualify(m)) for m in summary.whole_imports)
    return out


def _whole_key(
    summary: ModuleSummary, key: str, me: str, is_pkg: bool, local: Local | None = None
) -> tuple[str, str, str] | None:
    """(module expression, absolute module, name) of a client_uses key
    ``clients.client`` read off a module imported whole, also a submodule
    of a package imported whole: ``sub.clients.client`` after ``from pkg
    import sub`` (module ``pkg.sub.clients``), ``pkg.sub.clients.client``
    after ``import pkg.sub``."""
    if "." not in key or key.startswith(FIXTURE_PREFIX):
        return None
    expr, name = key.rsplit(".", 1)
    deeper: tuple[str, str] | None = None  # the longest package expression
    for written, module in whole_modules(summary, me, is_pkg, local):
        if written == expr:
            return expr, module, name
        if expr.startswith(written + ".") and (deeper is None or len(written) > len(deeper[0])):
            deeper = (written, module)
    if deeper is None:
        return None
    written, module = deeper
    return expr, module + expr[len(written) :], name


def _star_imports(summary: ModuleSummary) -> list[str]:
    """The star imports among summary.module_imports (``from M import *``)."""
    rest = list(summary.module_imports)
    for m in summary.whole_imports:
        if m in rest:
            rest.remove(m)
    return rest


def plan_star_names(
    files: Iterable[FileInfo], modules: Modules | None = None
) -> dict[str, tuple[tuple[str, str], ...]]:
    """The names each file's ``from M import *`` of a module of the run
    binds that M imports (``from helpers import *`` where ``helpers.py``
    has ``from langchain_openai import ChatOpenAI``): path -> (name, fully
    qualified name), as M's summary lists them (``star_names``); a later
    star import's name replaces an earlier one's. Files told them are
    analysed again: the constructions and calls of those names are then
    the library's own (migrated or reported like a direct import)."""
    files = list(files)
    if not any(summary is not None and _star_imports(summary) for _, _, summary, _ in files):
        return {}
    modules, names = modules if modules is not None else modules_of(files)
    summaries = {path: summary for path, _, summary, _ in files}
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for path, _, summary, _ in files:
        if summary is None or path not in names:
            continue
        stars = _star_imports(summary)
        if not stars:
            continue
        me, is_pkg = names[path]
        bound: dict[str, str] = {}
        for written in stars:
            target = resolve(written, me, is_pkg, names.local(path))
            if target is None or target not in modules:
                continue
            other = summaries.get(modules[target])
            if other is not None:
                bound.update(other.star_names)
        if bound:
            out[path] = tuple(sorted(bound.items()))
    return out


def plan_all_clients_migrated(
    files: Iterable[FileInfo], mentions: Mentions | None = None
) -> list[str]:
    """The files with a parameter annotated ``OpenAI`` that some unknown
    caller fills, when every OpenAI client of the run is migrated (or on
    OpenRouter already) and there is at least one: such a parameter holds
    one of them. Empty when one is left (OR102, OR103, OR118-OR122...), or
    a file the tool could not read names ``OpenAI``."""
    files = list(files)
    wanting = [p for p, _, s, _ in files if s is not None and s.wants_all_migrated]
    if not wanting:
        return []
    moving = staying = 0
    for _, _, summary, _ in files:
        if summary is not None:
            moving += summary.client_sites[0]
            staying += summary.client_sites[1]
    if staying or not moving:
        return []
    if mentions is None:
        mentions = mentions_of(files)
    unread = [path for path, _, summary, data in files if summary is None and data is not None]
    if mentions.find({"openai", "OpenAI", "AsyncOpenAI"}, only=unread):
        return []
    return wanting


def plan_run_moves(files: Iterable[FileInfo], modules: Modules | None = None) -> list[str]:
    """The files that compare model names with bare IDs, or set or require
    OPENAI_API_KEY, while nothing of their own moves
    (``ModuleSummary.wants_run_moves``), when something in another file of
    the same program does (a file of their directory, above or below it, or
    a module they import): their comparisons break
    once the IDs the program sends carry the prefix (OR208), and the key
    they require is no longer the one it uses (OR123)."""
    files = list(files)
    wanting = [p for p, _, s, _ in files if s is not None and s.wants_run_moves]
    if not wanting:
        return []
    # a file of the same program: one in the wanting file's directory, above
    # it or below it (``main.py`` next to ``llm.py``, a settings check above
    # ``pkg/``, ``tests/`` below the code they test), not one of another app
    # of a monorepo (``apps/a/`` vs ``apps/b/``), which the run reads along
    # but which never shares a process with it
    movers = [p for p, _, s, _ in files if s is not None and s.moves]
    if not movers:
        return []
    moving = [os.path.dirname(p) for p in movers]
    out = [path for path in wanting if any(_related(os.path.dirname(path), d) for d in moving)]
    # or one that imports a module that moves (``tests/`` next to the package)
    rest = set(wanting) - set(out)
    if rest:
        by_module, names = modules if modules is not None else modules_of(files)
        moving_modules = {names[p][0] for p in movers if p in names}
        for path, _, summary, _ in files:
            if path not in rest or summary is None or path not in names:
                continue
            me, is_pkg = names[path]
            for written, name in summary.imports.values():
                target = resolve(written, me, is_pkg, names.local(path)) if written != "?" else None
                if target is not None and (
                    target in moving_modules or f"{target}.{name}" in moving_modules
                ):
                    out.append(path)
                    break
    return sorted(out, key=wanting.index)


def plan_kept_openai(
    files: Iterable[FileInfo], paths: Iterable[str], modules: Modules | None = None
) -> dict[str, tuple[str, ...]]:
    """Of ``paths``, the files that import a module of the run keeping a
    client on OpenAI (``ModuleSummary.keeps_openai``: ``from helpers import
    encode``, ``import helpers``, ``from helpers import *``): path -> the
    paths of those modules. Such a file still needs $OPENAI_API_KEY in the
    process (OR123 must not say otherwise)."""
    files = list(files)
    keeping = {p for p, _, s, _ in files if s is not None and s.keeps_openai}
    wanted = set(paths)
    if not keeping or not wanted:
        return {}
    by_module, names = modules if modules is not None else modules_of(files)
    out: dict[str, tuple[str, ...]] = {}
    for path, _, summary, _ in files:
        if path not in wanted or summary is None or path not in names:
            continue
        me, is_pkg = names[path]
        targets = [
            resolve(written, me, is_pkg, names.local(path))
            for written, _ in summary.imports.values()
            if written != "?"
        ]
        targets += [
            f"{resolve(written, me, is_pkg, names.local(path))}.{name}"
            for written, name in summary.imports.values()
            if written != "?"
        ]
        targets += [resolve(m, me, is_pkg, names.local(path)) for m in summary.module_imports]
        found = sorted(
            {
                by_module[t]
                for t in targets
                if t is not None and t in by_module and by_module[t] in keeping
            }
            - {path}
        )
        if found:
            out[path] = tuple(found)
    return out


def _related(a: str, b: str) -> bool:
    """Is one of the two directories (run-relative, "/"-separated) the
    other or inside it?"""
    a, b = a.replace(os.sep, "/"), b.replace(os.sep, "/")
    return not a or not b or a == b or a.startswith(b + "/") or b.startswith(a + "/")


def plan_private(
    files: Iterable[FileInfo], modules: Modules | None = None, mentions: Mentions | None = None
) -> dict[str, ProjectInput]:
    """Files whose receivers resolve through the calls of their own public
    functions: path -> (module, the names of it other files of the run
    import, imported whole?). With it the file knows whether its calls of a
    function are all the calls there are. A file the planner has no summary
    for (skipped by the prefilter, a notebook) counts as importing every
    name it mentions."""
    files = list(files)
    wanting = [p for p, _, s, _ in files if s is not None and s.wants_importers]
    if not wanting:
        return {}
    modules, names = modules if modules is not None else modules_of(files)
    wanted = {names[p][0]: p for p in wanting if p in names}
    if not wanted:
        return {}
    imported: dict[str, set[str]] = defaultdict(set)
    whole: set[str] = set()
    # attribute names the importers read an SDK resource off ("*": unknown)
    attributes: dict[str, set[str]] = defaultdict(set)
    # files read as text: one that names a module's last part may ``import``
    # it: count everything (one scan for every module, then a lookup)
    by_last: dict[str, list[str]] = defaultdict(list)
    for module in wanted:
        by_last[module.rsplit(".", 1)[-1]].append(module)
    if mentions is None:
        mentions = mentions_of(files)
    unread = [path for path, _, summary, data in files if summary is None and data is not None]
    # (and whether it names an SDK resource: it may read one off an
    # attribute of an instance of a class of the module: "*")
    for path, hits in mentions.find(set(by_last) | RESOURCES, only=unread).items():
        sdk = bool(hits & RESOURCES)
        for last in hits:
            for module in by_last.get(last, ()):
                if wanted[module] != path:
                    whole.add(module)
                    if sdk:
                        attributes[module].add("*")
    for path, _, summary, _ in files:
        if summary is None:
            continue
        if path not in names:
            continue
        me, is_pkg = names[path]
        reads = summary.sdk_attribute_reads
        for written in summary.module_imports:
            target = resolve(written, me, is_pkg, names.local(path))
            if target in wanted:
                whole.add(target)
                attributes[target].update(reads)
        for written, name in summary.imports.values():
            target = resolve(written, me, is_pkg, names.local(path)) if written != "?" else None
            if target in wanted:
                imported[target].add(name)
                attributes[target].update(reads)
            elif target is not None and f"{target}.{name}" in wanted:
                whole.add(f"{target}.{name}")  # ``from pkg import module``
                attributes[f"{target}.{name}"].update(reads)
    out = {}
    for module, path in wanted.items():
        out[path] = ProjectInput(
            module=names.raw(path),
            imported_names=frozenset(imported.get(module, ())),
            imported_whole=module in whole,
            imported_attributes=frozenset(attributes.get(module, ())),
        )
    return out


def plan_param_clients(
    files: Iterable[FileInfo], modules: Modules | None = None, mentions: Mentions | None = None
) -> dict[str, tuple[tuple[tuple[str, str], str], ...]]:
    """Public functions whose parameter is used as a client in their module:
    path -> ((function, parameter), state) from every call of the function
    in the other modules of the run ("migrate" when each passes a client
    that moves, "left" when one passes a client that stays, "unknown" when
    one passes something else, unpacks arguments, or the module is
    imported whole, or named by a file the planner has no summary for)."""
    files = list(files)
    definers = [(p, s) for p, _, s, _ in files if s is not None and s.client_params]
    if not definers:
        return {}
    modules, names = modules if modules is not None else modules_of(files)
    wanted = {names[p][0]: (p, s) for p, s in definers if p in names}
    calls: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    opaque: set[str] = set()
    # files read as text that name one of a module's functions: one scan for
    # every function name, then a lookup per name
    by_function: dict[str, list[str]] = defaultdict(list)
    for module, (_, s) in wanted.items():
        for fn in s.client_params:
            by_function[fn].append(module)
    if mentions is None:
        mentions = mentions_of(files)
    unread = [path for path, _, summary, data in files if summary is None and data is not None]
    for path, hits in mentions.find(by_function, only=unread).items():
        for fn in hits:
            opaque.update(module for module in by_function[fn] if wanted[module][0] != path)
    for path, _, summary, _ in files:
        if summary is None:
            continue
        if path not in names:
            continue
        me, is_pkg = names[path]
        for written in _star_imports(summary):
            target = resolve(written, me, is_pkg, names.local(path))
            if target in wanted:
                opaque.add(target)
        # ``a.ask(client)`` off a module imported whole: its calls count like
        # those of ``from a import ask`` (ClientIndex.call_args); read as a
        # value (``run(a)``), any function of it may be called anywhere
        for expr, module in whole_modules(summary, me, is_pkg, names.local(path)):
            if module not in wanted:
                continue
            if expr in summary.bare_module_reads:
                opaque.add(module)
                continue
            for fn in wanted[module][1].client_params:
                calls[(module, fn)].extend(summary.client_args.get(f"{expr}.{fn}", ()))
        for local, (written, name) in summary.imports.items():
            target = resolve(written, me, is_pkg, names.local(path)) if written != "?" else None
            if target is None:
                continue
            if target in wanted and name in wanted[target][1].client_params:
                found = summary.client_args.get(local)
                if found is None and summary.other_uses.get(local, 0) + summary.sink_uses.get(
                    local, 0
                ):
                    opaque.add(target)  # read but not called: passed around
                calls[(target, name)].extend(found or ())
    out: dict[str, tuple[tuple[tuple[str, str], str], ...]] = {}
    for module, (path, summary) in wanted.items():
        found: list[tuple[tuple[str, str], str]] = []
        for fn, params in sorted(summary.client_params.items()):
            sites = calls.get((module, fn), [])
            for param, index in sorted(params.items()):
                if module in opaque:
                    state = "unknown"
                else:
                    states = set()
                    for args in sites:
                        if "*" in args:
                            states.add("unknown")
                            continue
                        key = str(index) if index is not None and str(index) in args else param
                        states.add(args.get(key, "unknown"))
                    state = _fold_states(states)
                found.append(((fn, param), state))
        out[path] = tuple(found)
    return out


def plan_module_client_version(files: Iterable[FileInfo]) -> dict[str, str]:
    """Files that configure the module-level client without showing which
    SDK generation they use (``openai.api_key = ...`` alone): path -> the
    generation the other modules of the run that use it show, when they
    agree."""
    files = list(files)
    used = [(p, s.module_client) for p, _, s, _ in files if s is not None and s.module_client]
    versions = {mc.get("version") for _, mc in used} - {None}
    if len(versions) != 1 or "both" in versions:
        return {}
    (version,) = versions
    return {p: version for p, mc in used if mc.get("configures") and mc.get("version") is None}


def _shares_process(
    files: list[FileInfo], modules: Modules | None = None
) -> Callable[[str, str], bool]:
    """Do two files of the run share a process? Yes when one imports the
    other, or a third file imports both; independent scripts in one
    directory do not."""
    by_module, names = modules if modules is not None else modules_of(files)
    imports: dict[str, set[str]] = {}
    for path, _, summary, _ in files:
        if summary is None or path not in names:
            continue
        me, is_pkg = names[path]
        found: set[str] = set()
        written = [*summary.module_imports]
        written += [w for w, _ in summary.imports.values() if w != "?"]
        written += [f"{w}.{n}" for w, n in summary.imports.values() if w != "?"]
        for w in written:
            target = resolve(w, me, is_pkg, names.local(path))
            if target is not None and target in by_module:
                found.add(by_module[target])
        imports[path] = found

    def related(a: str, b: str) -> bool:
        if b in imports.get(a, ()) or a in imports.get(b, ()):
            return True
        return any(a in seen and b in seen for seen in imports.values())

    return related


def plan_module_client_state(
    files: Iterable[FileInfo], modules: Modules | None = None
) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Files that call the module-level client without configuring it, and
    share a process with modules of the run that configure it: path -> (what
    became of that configuration, the files that set it). The client is one
    per process: they move with it, or stay with it. Two files share a
    process when one imports the other, or a third file imports both;
    independent scripts in one directory do not."""
    files = list(files)
    configurers = [
        (p, s.module_client)
        for p, _, s, _ in files
        if s is not None and s.module_client.get("configures")
    ]
    callers = [
        p
        for p, _, s, _ in files
        if s is not None and s.module_client.get("calls") and not s.module_client.get("configures")
    ]
    if not configurers or not callers:
        return {}
    related = _shares_process(files, modules)
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for caller in callers:
        mine = [(p, mc) for p, mc in configurers if related(caller, p)]
        if not mine:
            continue
        states = {mc.get("state") or "left" for _, mc in mine}
        state = (
            "left" if "left" in states else "openrouter" if states == {"openrouter"} else "migrate"
        )
        out[caller] = (state, tuple(sorted(p for p, _ in mine)))
    return out


def _fold_states(states: set[str]) -> str:
    """All the calls' states as one ("migrate" only when every call passes a
    client on OpenRouter; no call at all: nothing is passed from elsewhere)."""
    if not states:
        return "none"
    if "left" in states:
        return "left"
    if "unknown" in states:
        return "unknown"
    return "openrouter" if states == {"openrouter"} else "migrate"


def plan(
    files: Iterable[FileInfo], modules: Modules | None = None, mentions: Mentions | None = None
) -> Plan:
    """Decide the second round from the first round's summaries.

    Files without a summary (skipped by the prefilter, unparsable, notebooks)
    are scanned as text: one that mentions an exported name counts as a read
    that is not ``model=``, so the name stays untouched (OR206)."""
    files = list(files)
    both = modules if modules is not None else modules_of(files)
    modules = both[0]
    if mentions is None:
        mentions = mentions_of(files)
    uses, opaque, unread = _reads(files, both)

    exported: list[tuple[str, str, list[tuple[str, str, ModuleSummary]]]] = []
    for (target, name), readers in sorted(uses.items()):
        if target in opaque:
            continue
        sinks = [(p, loc, s) for p, loc, s in readers if s.sink_uses.get(loc, 0)]
        if sinks:
            exported.append((target, name, readers))
    # one text scan for every exported name, then a lookup per name
    text_reads: dict[str, list[str]] = defaultdict(list)
    # (a class field, ``Config.MODEL``: its attribute's name, read on the
    # class or on an instance)
    for p, hits in mentions.find(
        {name.rsplit(".", 1)[-1] for _, name, _ in exported}, only=unread
    ).items():
        for name in hits:
            text_reads[name].append(p)

    result = Plan()
    exports: dict[str, list[Export]] = defaultdict(list)
    for target, name, readers in exported:
        sinks = [(p, loc, s) for p, loc, s in readers if s.sink_uses.get(loc, 0)]
        definer = modules[target]
        others = [(p, s.other_uses.get(loc, 0)) for p, loc, s in readers]
        others += [(p, 1) for p in text_reads.get(name.rsplit(".", 1)[-1], ()) if p != definer]
        if "." in name:
            # a class field: read through an instance in any other file
            attr = name.rsplit(".", 1)[-1]
            seen = {p for p, _, _ in readers} | {definer}
            others += [
                (p, 1)
                for p, _, s, _ in files
                if s is not None and p not in seen and attr in s.constant_attributes
            ]
        exports[definer].append(
            Export(
                name=name,
                used_in=tuple(sorted({p for p, _, _ in sinks})),
                other_uses=sum(n for _, n in others),
                other_files=tuple(sorted({p for p, n in others if n})),
                certain=any(loc in s.certain for _, loc, s in sinks),
                safe=all(loc in s.safe for _, loc, s in sinks),
            )
        )
        for p, loc, _ in sinks:
            result.importers.setdefault(p, {})[loc] = (definer, name)
    for definer, exp in exports.items():
        result.definers[definer] = ProjectInput(exports=tuple(exp))
    return result


def plan_litellm_constants(
    files: Iterable[FileInfo],
    modules: Modules | None = None,
    mentions: Mentions | None = None,
    links: dict[str, set[str]] | None = None,
) -> tuple[
    dict[str, ProjectInput],
    dict[str, dict[str, tuple[str, str]]],
    dict[str, tuple[tuple[str, tuple[str, ...]], ...]],
]:
    """Model constants imported by LiteLLM/DSPy calls (``from settings
    import MODEL; litellm.completion(model=MODEL)``): (definers, importers).

    A name every read of which, in every file of the run, is the model of
    a LiteLLM/DSPy call that moves (``ModuleSummary.litellm_uses``) is
    rewritten where it is defined, to LiteLLM's OpenRouter form (the
    definers, by path); its importers are told it is followed once the
    definer says it rewrote it (importer path -> local name -> (definer,
    name); ``litellm_handled``). A name also sent to ``model=`` of an
    SDK call needs another string there (``openai/gpt-4o``, not
    ``openrouter/openai/gpt-4o``): the LiteLLM importers are told where, to
    say so (importer path -> (local name, those files)). Names read
    anywhere else (the text scan of unread files too) stay, reported as
    today."""
    files = list(files)
    if not any(summary is not None and summary.litellm_uses for _, _, summary, _ in files):
        return {}, {}, {}
    both = modules if modules is not None else modules_of(files)
    by_module = both[0]
    if mentions is None:
        mentions = mentions_of(files)
    uses, opaque, unread = _reads(files, both)
    wanted = [
        (key, readers)
        for key, readers in sorted(uses.items())
        if any(s.litellm_uses.get(loc, 0) for _, loc, s in readers)
    ]
    text_reads: dict[str, list[str]] = defaultdict(list)
    for p, hits in mentions.find({name for (_, name), _ in wanted}, only=unread).items():
        for name in hits:
            text_reads[name].append(p)
    reals = {path: str(real) for path, real, _, _ in files}

    def rel(target: str, here: str) -> str:
        where = os.path.relpath(reals[target], os.path.dirname(reals[here]))
        return where.replace(os.sep, "/")

    definers: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    followed: dict[str, dict[str, tuple[str, str]]] = defaultdict(dict)
    shared: dict[str, list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    for (target, name), readers in wanted:
        definer = by_module[target]
        lite = [(p, loc) for p, loc, s in readers if s.litellm_uses.get(loc, 0)]
        sdk = sorted({p for p, loc, s in readers if s.sink_uses.get(loc, 0)})
        if sdk:
            for p, loc in lite:
                shared[p].append((loc, tuple(rel(q, p) for q in sdk)))
            continue
        others = any(
            s.other_uses.get(loc, 0) - s.litellm_uses.get(loc, 0) > 0 for _, loc, s in readers
        )
        if target in opaque or others or any(p != definer for p in text_reads.get(name, ())):
            continue
        definers[definer].append((name, tuple(sorted({rel(p, definer) for p, _ in lite}))))
        for p, loc in lite:
            followed[p][loc] = (definer, name)
            if links is not None:
                links.setdefault(p, set()).add(definer)
    return (
        {d: ProjectInput(litellm_exports=tuple(sorted(e))) for d, e in definers.items()},
        dict(followed),
        {p: tuple(sorted(v)) for p, v in shared.items()},
    )


_Reads = dict[tuple[str, str], list[tuple[str, str, "ModuleSummary"]]]


def _reads(files: list[FileInfo], modules: Modules) -> tuple[_Reads, set[str], list[str]]:
    """Who imports which name of which module of the run: (module, name) ->
    [(importer path, local name, its summary)]; the modules whose reads
    cannot be counted (imported whole); the files to scan as text (asked
    through :class:`Mentions`)."""
    by_module, names = modules
    unread = [path for path, _, summary, data in files if summary is None and data is not None]
    opaque: set[str] = set()
    uses: _Reads = defaultdict(list)
    for path, _, summary, _ in files:
        if summary is None or path not in names:
            continue
        me, is_pkg = names[path]
        for written in summary.module_imports:
            target = resolve(written, me, is_pkg, names.local(path))
            if target is not None:
                opaque.add(target)
        for local, (written, name) in summary.imports.items():
            target = resolve(written, me, is_pkg, names.local(path)) if written != "?" else None
            if target is None:
                continue
            if f"{target}.{name}" in by_module:
                opaque.add(f"{target}.{name}")  # ``from pkg import settings``
                continue
            if target in by_module:
                uses[(target, name)].append((path, local, summary))
        for local, (written, name) in summary.field_imports.items():
            # ``Config.MODEL`` of ``from .config import Config``: a name of
            # its own, followed to the class field where it is defined
            target = resolve(written, me, is_pkg, names.local(path))
            if target in by_module:
                uses[(target, name)].append((path, local, summary))
    return _through_reexports(files, modules, uses, opaque), opaque, unread


def kept_exports(
    plan: Plan,
    path: str,
    followed: frozenset[str],
    summaries: dict[str, ModuleSummary | None],
    reals: dict[str, Any],
) -> tuple[tuple[str, str], ...]:
    """The names ``path`` imports whose definers followed them but keep them
    as they are (a finding there that keeps the ID blocks
    ``dataflow.EXPORT_KEY``: a fact in their summary): (local name,
    "'o1-mini' (OR204) at settings.py:1", the definer relative to this file's
    directory) (ProjectInput.followed_kept)."""
    from codemods.python.rules.dataflow import EXPORT_KEY

    out = []
    here = os.path.dirname(str(reals[path]))
    for local, (definer, name) in sorted(plan.importers.get(path, {}).items()):
        summary = summaries.get(definer)
        if local not in followed or summary is None:
            continue
        where = os.path.relpath(str(reals[definer]), here).replace(os.sep, "/")
        for _, line, text in summary.client_facts.get(EXPORT_KEY + name, ()):
            out.append((local, f"{text} at {where}:{line}"))
    return tuple(out)


def relays(plan: Plan, summaries: dict[str, ModuleSummary | None]) -> bool:
    """Does a definer ``plan`` named, now analysed, only re-export one of its
    names (``from .config import MODEL``: ModuleSummary.imports)? Then the
    plan, made again, follows it (:func:`_through_reexports`)."""
    return any(
        (summary := summaries.get(path)) is not None
        and any(export.name in summary.imports for export in project.exports)
        for path, project in plan.definers.items()
    )


def _through_reexports(
    files: list[FileInfo], modules: Modules, uses: _Reads, opaque: set[str]
) -> _Reads:
    """``uses`` with the reads of a name a module re-exports (``from
    .clients import MODEL`` in ``pkg/__init__.py``, read as ``from pkg
    import MODEL``) counted where the name is defined (``pkg.clients``), so
    its definer rewrites it for every reader, through chains of re-exports.
    A module of the chain imported whole (its reads cannot be counted)
    makes the definer opaque (``opaque`` is updated). Star imports are not
    followed (the module may define the name itself)."""
    by_module, names = modules
    summaries = {path: summary for path, _, summary, _ in files if summary is not None}

    def follow(module: str, name: str) -> tuple[str, str, list[str]] | None:
        chain: list[str] = []
        while True:
            path = by_module[module] if module in by_module else None
            summary = summaries.get(path) if path is not None else None
            if summary is None or path not in names or name not in summary.imports:
                return (module, name, chain) if chain else None
            if module in chain:
                return None  # a cycle: nothing defines it
            written, theirs = summary.imports[name]
            me, is_pkg = names[path]
            target = resolve(written, me, is_pkg, names.local(path)) if written != "?" else None
            if target is None or target not in by_module or f"{target}.{theirs}" in by_module:
                return None  # defined outside the run, or a module
            chain.append(module)
            module, name = target, theirs

    out: _Reads = defaultdict(list)
    for (target, name), readers in uses.items():
        hit = follow(target, name)
        if hit is None:
            out[(target, name)].extend(readers)
            continue
        definer, theirs, chain = hit
        out[(definer, theirs)].extend(readers)
        if any(m in opaque for m in chain):
            opaque.add(definer)
    return out


def plan_keys(
    files: Iterable[FileInfo], modules: Modules | None = None, mentions: Mentions | None = None
) -> Plan:
    """API keys: a name other files pass to ``api_key=`` of clients they would
    migrate is rewritten where it is defined only when every read of it in the
    run is such an ``api_key=`` (any other read, a whole-module import, or a
    file read as text that mentions it: nothing is planned, the importers keep
    their OR103). Planned before the model IDs: a client migrated here also
    migrates the model IDs sent through it."""
    files = list(files)
    both = modules if modules is not None else modules_of(files)
    uses, opaque, unread = _reads(files, both)
    modules_by_name = both[0]
    result = Plan()
    keys: dict[str, list[str]] = defaultdict(list)
    candidates = [
        (target, name, readers)
        for (target, name), readers in sorted(uses.items())
        if target not in opaque and any(s.key_uses.get(loc, 0) for _, loc, s in readers)
    ]
    if not candidates:
        return result
    if mentions is None:
        mentions = mentions_of(files)
    # one text scan for every candidate name, then a lookup per name
    text_reads: dict[str, set[str]] = defaultdict(set)
    for p, hits in mentions.find({name for _, name, _ in candidates}, only=unread).items():
        for hit in hits:
            text_reads[hit].add(p)
    for target, name, readers in candidates:
        definer = modules_by_name[target]
        exclusive = all(
            s.key_uses.get(loc, 0) == s.sink_uses.get(loc, 0) + s.other_uses.get(loc, 0)
            for _, loc, s in readers
        )
        if not exclusive or any(p != definer for p in text_reads.get(name, ())):
            continue
        keys[definer].append(name)
        for p, loc, _ in readers:
            result.key_importers.setdefault(p, {})[loc] = (definer, name)
    result.key_definers = {d: tuple(names) for d, names in keys.items()}
    return result


FIXTURE_PREFIX = "fixture:"  # codemods/python/clients.py: a conftest fixture, by name
FACT_PATH = "\x00path\x00"  # codemods/python/clients.py: in a fact, the path of its module
FACT_REEXPORT = "reexport"  # codemods/python/clients.py: read through an unfollowed re-export
FACT_PARAM = "param"  # codemods/python/clients.py: passed where an unresolved client goes
FACT_SHARED = (
    "shared"  # codemods/python/clients.py: read through one variable with a client that stays
)


def _conftests(files: list[FileInfo]) -> dict[str, tuple[str, Path, ModuleSummary | None]]:
    """directory (real) -> its conftest.py of the run (path, real, summary)."""
    out = {}
    for path, real, summary, _ in files:
        if os.path.basename(str(real)) == "conftest.py":
            out[os.path.dirname(str(real))] = (path, real, summary)
    return out


def _fixture_definer(
    real: Path, key: str, conftests: dict[str, tuple[str, Path, ModuleSummary | None]]
) -> tuple[str, Path, ModuleSummary] | None:
    """The conftest.py pytest takes fixture ``key`` from for a test module:
    the nearest one up the directory tree that defines it (None: none of
    the run, or the nearest one may define it but has no summary)."""
    d = os.path.dirname(str(real))
    while True:
        found = conftests.get(d)
        if found is not None and found[1] != real:
            path, creal, summary = found
            if summary is None:
                return None  # unreadable: it may define it
            if key in summary.clients:
                return path, creal, summary
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _exported_clients(summary: ModuleSummary) -> set[str]:
    """The names of a module that are clients other modules may import: SDK
    clients and factories (codemods/python/clients.py), LangChain models
    (ModuleSummary.langchain_exports)."""
    return _own_clients(summary) | set(summary.langchain_exports)


def _own_clients(summary: ModuleSummary) -> set[str]:
    """The SDK clients (and factories) of a module other modules may import,
    but a module-level name bound to a client another module builds (``c =
    client``, ModuleSummary.client_aliases): once the module knows what
    that client is, it lists the name in ModuleSummary.clients too, but the
    client is the other module's (client_reexports follows the name there)."""
    return {
        k
        for k in summary.clients
        if not k.startswith(FIXTURE_PREFIX) and k not in summary.client_aliases
    }


def _client_definers(
    files: list[FileInfo], modules: Modules
) -> dict[str, tuple[str, ModuleSummary]]:
    """module name -> (path, summary) of the modules that export a client
    (a variable bound to one, a factory; codemods/python/clients.py) or a LangChain
    model (ModuleSummary.langchain_exports)."""
    _, names = modules
    out = {}
    for path, _, summary, _ in files:
        if summary is not None and path in names and _exported_clients(summary):
            out[names[path][0]] = (path, summary)
    return out


def client_reexports(
    files: Iterable[FileInfo], modules: Modules | None = None, langchain: bool | None = False
) -> dict[str, dict[str, tuple[str, str]]]:
    """The clients (``langchain``: LangChain models; None: both) modules of
    the run re-export: module -> {name read off it: (defining file, name
    there)}. ``from .clients import client`` in ``pkg/__init__.py`` makes
    ``from pkg import client`` read ``pkg/clients.py``'s client; chains
    (``pkg`` from ``pkg.api`` from ``pkg.api.clients``) and star imports
    (``from .clients import *``) are followed, a cycle ends the search. A
    name assigned at module level is not a re-export (ModuleSummary.imports
    leaves it out)."""
    files = list(files)
    by_module, names = modules if modules is not None else modules_of(files)
    summaries = {path: summary for path, _, summary, _ in files if summary is not None}

    def exported(summary: ModuleSummary) -> set[str]:
        if langchain is None:
            return _exported_clients(summary)
        if langchain:
            return set(summary.langchain_exports)
        return _own_clients(summary)

    if not any(exported(s) for s in summaries.values()):
        return {}

    def follow(module: str, name: str, seen: set[tuple[str, str]]) -> tuple[str, str] | None:
        path = by_module[module] if module in by_module else None
        summary = summaries.get(path) if path is not None else None
        if summary is None or path not in names or (module, name) in seen:
            return None
        seen.add((module, name))
        if name in exported(summary):
            return path, name
        me, is_pkg = names[path]
        if name in summary.imports:
            written, theirs = summary.imports[name]
            target = resolve(written, me, is_pkg, names.local(path)) if written != "?" else None
            return None if target is None else follow(target, theirs, seen)
        keys = summary.client_aliases.get(name, ())
        if len(keys) == 1:  # ``client = c`` after ``from .clients import client as c``
            (key,) = keys
            if key in summary.imports:
                written, theirs = summary.imports[key]
                target = resolve(written, me, is_pkg, names.local(path)) if written != "?" else None
                return None if target is None else follow(target, theirs, seen)
            whole = _whole_key(
                summary, key, me, is_pkg, names.local(path)
            )  # ``client = clients.client``
            return None if whole is None else follow(whole[1], whole[2], seen)
        for written in _star_imports(summary):
            target = resolve(written, me, is_pkg, names.local(path))
            hit = None if target is None else follow(target, name, seen)
            if hit is not None:
                return hit
        return None

    def star_names(module: str, seen: set[str]) -> set[str]:
        """The exported names a module may hand out through star imports."""
        path = by_module[module] if module in by_module else None
        summary = summaries.get(path) if path is not None else None
        if summary is None or path not in names or module in seen:
            return set()
        seen.add(module)
        me, is_pkg = names[path]
        out = set(exported(summary)) | set(summary.imports) | set(summary.client_aliases)
        for written in _star_imports(summary):
            target = resolve(written, me, is_pkg, names.local(path))
            if target is not None:
                out |= star_names(target, seen)
        return out

    out: dict[str, dict[str, tuple[str, str]]] = {}
    for path, summary in summaries.items():
        if path not in names or not (
            summary.imports or summary.module_imports or summary.client_aliases
        ):
            continue
        me, is_pkg = names[path]
        candidates = (set(summary.imports) | set(summary.client_aliases)) - exported(summary)
        for written in _star_imports(summary):
            target = resolve(written, me, is_pkg, names.local(path))
            if target is not None:
                candidates |= star_names(target, set())
        for name in sorted(candidates - exported(summary)):
            hit = follow(me, name, set())
            if hit is not None and hit[0] != path:
                out.setdefault(me, {})[name] = hit
    return out


def _client_receivers(files: list[FileInfo], modules: Modules) -> list[str]:
    """Python files the prefilter skipped whose functions other modules of
    the run call with a client as an argument (ModuleSummary.client_args):
    ``def relay(client, **kw)`` in a file that names neither openai nor
    ``model`` still makes SDK calls through the client it is given."""
    by_module, names = modules
    skipped = {
        path
        for path, _, summary, data in files
        if summary is None and data is not None and path.endswith(".py")
    }
    if not skipped:
        return []
    out: set[str] = set()
    for path, _, summary, _ in files:
        if summary is None or not summary.client_args or path not in names:
            continue
        me, is_pkg = names[path]
        for local, calls in summary.client_args.items():
            if not any(v for args in calls for k, v in args.items() if k != "*"):
                continue  # no argument is a client
            if local in summary.imports:
                written, _ = summary.imports[local]
                module = resolve(written, me, is_pkg, names.local(path)) if written != "?" else None
            else:
                whole = _whole_key(summary, local, me, is_pkg, names.local(path))
                module = whole[1] if whole is not None else None
            target = by_module[module] if module is not None and module in by_module else None
            if target in skipped:
                out.add(target)  # type: ignore[arg-type]
    return sorted(out)


def _hands_on(summary: ModuleSummary | None, names: Iterable[str]) -> bool:
    """Does a module that re-exports the clients ``names`` only hand them
    on (it reads none of them: no SDK call, no other read)?"""
    if summary is None:
        return False
    for name in names:
        if name in summary.imports:
            if summary.other_uses.get(name, 0) or summary.sink_uses.get(name, 0):
                return False
        if name in summary.client_uses or name in summary.client_escapes:
            return False
    return True


def client_readers(
    files: Iterable[FileInfo], modules: Modules | None = None, mentions: Mentions | None = None
) -> list[str]:
    """Python files the prefilter skipped that may use a client another
    module of the run exports (they name its module, or a conftest fixture's
    name below its directory): they are processed, so that their uses count
    where the client is built (``client.files.create(...)`` in a file that
    never names openai), and a module imported whole and read as a value
    there is seen (plan_client_uses). A module that re-exports such a client
    (client_reexports: ``from .clients import client`` in a package's
    ``__init__.py``) counts as one: a file naming it is read too (call
    again after reading them, for a chain of re-exports); of the other
    modules that import such a client, only the readers the run parses
    anyway are followed."""
    files = list(files)
    both = modules if modules is not None else modules_of(files)
    definers = _client_definers(files, both)
    # (a package's __init__.py, or a plain module that hands the client on
    # without reading it itself (``from factory import client`` in
    # clients.py, read nowhere there): any module that imports a client to
    # use it could be read from, but naming every such module would read
    # most of a tree)
    summaries = {path: summary for path, _, summary, _ in files if summary is not None}
    for module, names_ in client_reexports(files, both, None).items():
        path = both[0][module] if module in both[0] else None
        if module in definers or path is None:
            continue
        if both[1][path][1] or _hands_on(summaries.get(path), names_):
            definers[module] = (path, ModuleSummary(clients=dict.fromkeys(names_, "")))
    # a module that receives a client as an argument (``relay(client)``
    # after ``from relay import relay``) and never names openai: what it
    # sends through it (a stream, an endpoint OpenRouter does not serve)
    # moves with that client
    receivers = _client_receivers(files, both)
    fixtures: dict[str, list[str]] = defaultdict(list)  # fixture name -> conftest dirs
    for d, (_, _, summary) in _conftests(files).items():
        for key in summary.clients if summary is not None else ():
            if key.startswith(FIXTURE_PREFIX):
                fixtures[key[len(FIXTURE_PREFIX) :]].append(d)
    if not definers and not fixtures:
        return receivers
    wanted: dict[str, set[str]] = defaultdict(set)  # word -> modules needing it
    for module, (_, summary) in definers.items():
        for name in _exported_clients(summary):
            wanted[name].add(module)
        wanted[module.rsplit(".", 1)[-1]].add(module)
    if mentions is None:
        mentions = mentions_of(files)
    reals = {path: str(real) for path, real, _, _ in files}
    unread = [
        path
        for path, _, summary, data in files
        if summary is None and data is not None and path.endswith(".py")
    ]
    out = list(receivers)
    for path, hits in mentions.find(set(wanted) | set(fixtures), only=unread).items():
        if path in receivers:
            continue
        here = reals[path]
        for module, (definer, _) in definers.items():
            last = module.rsplit(".", 1)[-1]
            # naming the module alone: it may import it whole and read it
            # as a value (``run(clients)``), which hides the client's uses
            if definer != path and last in hits:
                out.append(path)
                break
        else:
            if any(here.startswith(d + os.sep) for name in hits for d in fixtures.get(name, ())):
                out.append(path)
    return out


def plan_client_uses(
    files: Iterable[FileInfo],
    modules: Modules | None = None,
    mentions: Mentions | None = None,
    unknown: dict[str, tuple[tuple[str, str], ...]] | None = None,
    facts: dict[str, tuple[tuple[str, str, str, str], ...]] | None = None,
) -> dict[str, tuple[tuple[str, bool, str, str], ...]]:
    """The calls made through a client in other modules than the one that
    builds it: definer path -> (exported name or "fixture:<name>", served by
    OpenRouter, "path:line" from the definer's directory, resource path).
    The definer counts them with its own (OR119: used only for endpoints
    OpenRouter does not serve). A use through a module imported whole
    (``clients.client``) counts like one through ``from clients import
    client``. A module whose uses cannot all be counted (imported whole and
    read as a value, ``getattr(clients, ...)``; named by a file the tool
    could not read) is told nothing: it decides on its own uses, as a
    module outside a project does; then ``unknown`` (when given) gets, per
    such definer, its exported names with a known use OpenRouter does not
    serve and the file that hides the others: its move is unsafe.

    ``facts`` (when given) gets, per definer, what other modules do to its
    clients that decides their move (ModuleSummary.client_facts: an
    instructor mode refused on OpenRouter, a setting assigned after it is
    built, a model ID that cannot move): (exported name, kind, "path:line",
    detail). Those are told whatever else is unknown: each only keeps a
    client where it is, or makes its move unsafe."""
    files = list(files)
    both = modules if modules is not None else modules_of(files)
    by_module, names = both
    definers = _client_definers(files, both)
    conftests = _conftests(files)
    if not definers and not conftests:
        return {}
    reals = {path: real for path, real, _, _ in files}
    reexported = client_reexports(files, both, None)
    handed_out: dict[str, set[str]] = defaultdict(set)  # re-exporting module -> definers
    # (re-exporting file, name) not followed -> a reader (real path, its key)
    through: dict[tuple[str, str], tuple[Path, str]] = {}
    lines: dict[tuple[Path, str], int] = {}  # (reader, key) -> first line of a use
    for module, hits in reexported.items():
        handed_out[module].update(definer for definer, _ in hits.values())
    opaque: dict[str, str] = {}  # definers none of whose uses elsewhere count -> why (a file)
    escaped: set[tuple[str, str]] = set()  # (definer, exported name) passed on
    found: dict[str, list[tuple[str, bool, str, str]]] = defaultdict(list)
    found_facts: dict[str, set[tuple[str, str, str, str]]] = defaultdict(set)

    def definer_of(
        path: str, real: Path, summary: ModuleSummary, key: str
    ) -> tuple[str, Path, str] | None:
        """(definer path, its real path, exported name) of a client_uses key."""
        if key.startswith(FIXTURE_PREFIX):
            hit = _fixture_definer(real, key, conftests)
            return None if hit is None else (hit[0], hit[1], key)
        me = names[path] if path in names else None
        if me is None:
            return None
        whole = (
            _whole_key(summary, key, me[0], me[1], names.local(path))
            if key not in summary.imports
            else None
        )
        if whole is not None:
            _, module, name = whole
            if name in reexported.get(module, {}):  # ``pkg.client``, pkg re-exports it
                definer, name = reexported[module][name]
                return definer, reals[definer], name
            if module not in definers or name not in _exported_clients(definers[module][1]):
                return None
            definer = definers[module][0]
            return definer, reals[definer], name
        if key not in summary.imports:
            return None
        written, name = summary.imports[key]
        target = resolve(written, me[0], me[1], names.local(path)) if written != "?" else None
        if target is None:
            return None
        if name in reexported.get(target, {}):  # ``from pkg import client``, followed
            definer, name = reexported[target][name]
            return definer, reals[definer], name
        if target not in definers:
            # ``from pkg import client`` where pkg re-exports a definer's client
            reexport = by_module[target] if target in by_module else None
            if reexport is not None:
                escaped.add((reexport, name))
                if reexport != path:
                    through.setdefault((reexport, name), (real, key))
            return None
        if name not in _exported_clients(definers[target][1]):
            return None
        definer = definers[target][0]
        return definer, reals[definer], name

    for path, real, summary, _ in files:
        if summary is None:
            continue
        me = names[path] if path in names else None
        if me is not None:
            for written in _star_imports(summary):  # ``from .clients import *``
                target = resolve(written, me[0], me[1], names.local(path))
                if target in definers:
                    opaque.setdefault(definers[target][0], path)
                for definer in sorted(handed_out.get(target, ())):  # type: ignore[arg-type]
                    opaque.setdefault(definer, path)  # ``from pkg import *``, pkg re-exports
            for expr, module in whole_modules(summary, me[0], me[1], names.local(path)):
                if module in definers and expr in summary.bare_module_reads:
                    opaque.setdefault(definers[module][0], path)  # read as a value
                if expr in summary.bare_module_reads:
                    for definer in sorted(handed_out.get(module, ())):
                        opaque.setdefault(definer, path)
        for key in summary.client_escapes:
            hit = definer_of(path, real, summary, key)
            if hit is not None:
                escaped.add((hit[0], hit[2]))
        for key, uses in sorted(summary.client_uses.items()):
            if uses:
                lines[(real, key)] = min(line for _, line, _ in uses)
            hit = definer_of(path, real, summary, key)
            if hit is None or hit[0] == path:
                continue
            definer, dreal, exported = hit
            where = os.path.relpath(str(real), os.path.dirname(str(dreal))).replace(os.sep, "/")
            for supported, line, resource in uses:
                found[definer].append((exported, supported, f"{where}:{line}", resource))
        for key, told in sorted(summary.client_facts.items()) if facts is not None else ():
            hit = definer_of(path, real, summary, key)
            if hit is None or hit[0] == path:
                continue
            definer, dreal, exported = hit
            where = os.path.relpath(str(real), os.path.dirname(str(dreal))).replace(os.sep, "/")
            for kind, line, detail in told:
                detail = detail.replace(FACT_PATH, where)
                found_facts[definer].add((exported, kind, f"{where}:{line}", detail))
    if facts is not None:
        # a public function whose client parameter receives, from calls in
        # other modules, a client that stays and another one: what it sends
        # goes to both, so the other one stays too (OR122)
        for definer, fact in _shared_params(files, both, reals, definer_of):
            found_facts[definer].add(fact)
    # a module that re-exports a definer's client (``from .clients import
    # client`` in a package's __init__.py, ``c = client``) that another
    # module imports: the uses through it are not counted, so that client's
    # are not all known
    summaries = {path: (real, summary) for path, real, summary, _ in files if summary}

    def unfollowed(reexport: str, name: str, hit: tuple[str, Path, str]) -> None:
        """A reader of ``reexport``'s ``name``, a re-export of ``hit``'s client
        the tool does not follow: what it sends through it may stay bare
        while the client moves, so its move is unsafe (FACT_REEXPORT)."""
        reader = through.get((reexport, name))
        if reader is None or facts is None or hit[0] == reexport:
            return
        base = os.path.dirname(str(hit[1]))
        where = os.path.relpath(str(reader[0]), base).replace(os.sep, "/")
        line = lines.get(reader)
        via = os.path.relpath(str(reals[reexport]), base).replace(os.sep, "/")
        at = f"{where}:{line}" if line is not None else where
        found_facts[hit[0]].add((hit[2], FACT_REEXPORT, at, via))

    for path, (real, summary) in summaries.items():
        if path not in names:
            continue
        for local in summary.imports:
            if (path, local) in escaped:
                hit = definer_of(path, real, summary, local)
                if hit is not None:
                    escaped.add((hit[0], hit[2]))
                    unfollowed(path, local, hit)
        for alias, keys in summary.client_aliases.items():
            if (path, alias) in escaped:
                for key in keys:
                    hit = definer_of(path, real, summary, key)
                    if hit is not None:
                        escaped.add((hit[0], hit[2]))
                        unfollowed(path, alias, hit)
    # files still without a summary (unparsable, notebooks) that may use a
    # definer's client: its uses are not all counted, so it is told none
    if mentions is None:
        mentions = mentions_of(files)
    unread = [path for path, _, summary, data in files if summary is None and data is not None]
    if unread and found:
        asked: set[str] = set()
        for uses in found.values():
            asked.update(k.split(":", 1)[-1] for k, *_ in uses)
        asked = {k.rsplit(".", 1)[-1] for k in asked}  # ``clients.client``: client
        asked.update(m.rsplit(".", 1)[-1] for m in definers)
        hits = mentions.find(asked, only=unread)
        lasts = {p: m.rsplit(".", 1)[-1] for m, (p, _) in definers.items()}
        for definer, uses in found.items():
            d = os.path.dirname(str(reals[definer]))
            for key in {k for k, *_ in uses}:
                fixture = key.startswith(FIXTURE_PREFIX)
                word = key.split(":", 1)[-1]
                for p, h in hits.items():
                    if word not in h or p == definer:
                        continue
                    if fixture and str(reals[p]).startswith(d + os.sep):
                        opaque.setdefault(definer, p)
                    elif not fixture and lasts.get(definer) in h:
                        opaque.setdefault(definer, p)
    if facts is not None:
        for definer, told in found_facts.items():
            facts[definer] = tuple(sorted(told))
    out = {}
    for definer, uses in found.items():
        if definer in opaque:
            if unknown is not None:
                where = os.path.relpath(
                    str(reals[opaque[definer]]), os.path.dirname(str(reals[definer]))
                ).replace(os.sep, "/")
                names_ = sorted({u[0] for u in uses if not u[1]})
                if names_:
                    unknown[definer] = tuple((n, where) for n in names_)
            continue
        kept = tuple(sorted({u for u in uses if (definer, u[0]) not in escaped}))
        if kept:
            out[definer] = kept
    return out


def _shared_params(
    files: list[FileInfo],
    modules: Modules,
    reals: dict[str, Path],
    definer_of: Callable[[str, Path, ModuleSummary, str], tuple[str, Path, str] | None],
) -> list[tuple[str, tuple[str, str, str, str]]]:
    """The clients of other modules passed to a public function's client
    parameter (ModuleSummary.client_params) that some other call fills with
    a client that stays ("left"): (definer path, (exported name,
    FACT_SHARED, where, detail)) per such client. Checked on the states
    every caller reports (ModuleSummary.client_args), so it holds once the
    moving client is left too."""
    by_module, names = modules
    wanted = {
        names[p][0]: (p, s)
        for p, _, s, _ in files
        if s is not None and s.client_params and p in names
    }
    if not wanted:
        return []
    # (module, function, parameter) -> per call: (caller, real, summary,
    # state, line, keys of the clients it may be)
    sites: dict[tuple[str, str, str], list[tuple[str, Path, ModuleSummary, str, int, list[str]]]]
    sites = defaultdict(list)
    for path, real, summary, _ in files:
        if summary is None or not summary.client_args or path not in names:
            continue
        me, is_pkg = names[path]
        for local, calls in summary.client_args.items():
            if local in summary.imports:
                written, fn = summary.imports[local]
                module = resolve(written, me, is_pkg, names.local(path)) if written != "?" else None
            else:
                whole = _whole_key(summary, local, me, is_pkg, names.local(path))
                module, fn = (whole[1], whole[2]) if whole is not None else (None, "")
            if module not in wanted or fn not in wanted[module][1].client_params:
                continue
            keyed = summary.client_arg_keys.get(local, [])
            for i, args in enumerate(calls):
                line, keys = keyed[i] if i < len(keyed) else (0, {})
                for param, index in wanted[module][1].client_params[fn].items():
                    positional = index is not None and (str(index) in args or str(index) in keys)
                    key = str(index) if positional else param
                    state = args.get(key, "unknown")
                    sites[(module, fn, param)].append(
                        (path, Path(str(real)), summary, state, line, keys.get(key, []))
                    )
    out: list[tuple[str, tuple[str, str, str, str]]] = []
    for (module, fn, param), calls in sorted(sites.items(), key=lambda kv: kv[0]):
        left = [c for c in calls if c[3] == "left"]
        unknown = [c for c in calls if c[3] == "unknown"]
        if not left and not unknown:
            continue
        fn_real = str(reals[wanted[module][0]])
        for call in calls:
            if not call[5]:
                continue
            # (the other calls that pass another client than this one)
            others = [c for c in left if set(c[5]) != set(call[5])]
            kind = FACT_SHARED
            if not others:
                # (a client of another module of the run passed there may be
                # "unknown" only because this very fact made its move unsafe)
                others = [
                    c
                    for c in unknown
                    if set(c[5]) != set(call[5])
                    and not any(definer_of(c[0], c[1], c[2], k) for k in c[5])
                ]
                kind = FACT_PARAM
            if not others:
                continue
            path, real, summary, _, line, keys = call
            for key in keys:
                hit = definer_of(path, real, summary, key)
                if hit is None:
                    continue
                definer, dreal, exported = hit
                base = os.path.dirname(str(dreal))

                def rel(target: str, base: str = base) -> str:
                    return os.path.relpath(target, base).replace(os.sep, "/")

                o = others[0]
                at = f"{rel(str(o[1]))}:{o[4]}" if o[4] else rel(str(o[1]))
                here = f"{rel(str(real))}:{line}" if line else rel(str(real))
                where = f"parameter `{param}` of `{fn}()` in {rel(fn_real)}, called at {here}"
                if kind == FACT_SHARED:
                    out.append((definer, (exported, kind, where, f"the client passed at {at}")))
                else:
                    out.append((definer, (exported, kind, where, f"the call at {at}")))
    return out


def agent_readers(
    files: Iterable[FileInfo], mentions: Mentions | None = None, modules: Modules | None = None
) -> list[str]:
    """Python files the prefilter skipped that name ``agents`` while a
    module of the run gives the Agents SDK a client this run moves: they
    may build agents of it (``from agents import Agent`` never names
    openai), or import the modules that do; and, while some modules of the
    run run agents without giving the SDK a client and others give it one
    (OR434), those that name one of them (an entry point importing both:
    ``import app.setup``). They are processed, so that :func:`plan_agents`
    sees them and their imports."""
    files = list(files)
    wanted: set[str] = set()
    if any(summary is not None and summary.agents_default for _, _, summary, _ in files):
        wanted.add("agents")
    summaries = [summary for _, _, summary, _ in files if summary is not None]
    if any(s.agents_unconfigured for s in summaries) and any(
        s.agents_configured for s in summaries
    ):
        names = (modules if modules is not None else modules_of(files))[1]
        for path, _, summary, _ in files:
            if (
                summary is not None
                and (summary.agents_configured or summary.agents_unconfigured)
                and path in names
            ):
                wanted.add(names[path][0].rsplit(".", 1)[-1])
    if not wanted:
        return []
    if mentions is None:
        mentions = mentions_of(files)
    unread = [
        path
        for path, _, summary, data in files
        if summary is None and data is not None and path.endswith(".py")
    ]
    return sorted(mentions.find(wanted, only=unread))


def plan_agents(
    files: Iterable[FileInfo],
    modules: Modules | None = None,
    links: dict[str, set[str]] | None = None,
) -> dict[str, ProjectInput]:
    """The Agents SDK's default client is one per process
    (``set_default_openai_client``): the modules that set it to a client
    this run moves learn which other modules of their process build agents
    and make the SDK's settings (``set_default_openai_api``,
    ``set_tracing_disabled``); the modules that build agents without
    setting it learn where it is set, and to which client; the modules
    that run agents without giving the SDK any client (OR434) learn which
    modules give it one (their process's first). ``links`` (when given)
    gets, per module building agents, the modules setting it."""
    files = list(files)
    if not any(
        summary is not None
        and (summary.agents_default or summary.agents_built or summary.agents_unconfigured)
        for _, _, summary, _ in files
    ):
        return {}
    modules = modules if modules is not None else modules_of(files)
    names = modules[1]
    # only the modules that take part (a few): each is compared with the others
    part = [
        (path, real, summary)
        for path, real, summary, _ in files
        if summary is not None
        and (
            summary.agents_default
            or summary.agents_built
            or summary.agents_settings
            or summary.agents_configured
            or summary.agents_unconfigured
        )
    ]
    setters = [(path, real, summary) for path, real, summary in part if summary.agents_default]
    # OR434: modules whose agents need a client, and those that give one
    configurers = [(path, summary) for path, _, summary in part if summary.agents_configured]
    needy = [path for path, _, summary in part if summary.agents_unconfigured]
    # ``agents`` is a module of the run (a project's own ``agents/`` package):
    # ``from agents import Agent`` may not be the SDK, so OR434 says nothing
    local = bool(needy) and "agents" in modules[0]
    if not setters and not (configurers and needy) and not local:
        return {}
    related = _shares_process(files, modules)
    reals = {path: real for path, real, _ in part}

    def rel(target: str, here: str) -> str:
        return os.path.relpath(str(reals[target]), os.path.dirname(str(reals[here]))).replace(
            os.sep, "/"
        )

    def may_share(a: str, b: str) -> bool:
        # not seen to share a process (no import between them, nor a third
        # importing both), but modules of one package: loaded by whatever
        # runs the package (a framework, ``python -m``), they may. Two
        # top-level modules (a directory of scripts without ``__init__.py``,
        # such as an examples folder) are programs of their own.
        top = _top_package(reals[a], names.raw(a) if a in names else None)
        return top is not None and top == _top_package(
            reals[b], names.raw(b) if b in names else None
        )

    out: dict[str, ProjectInput] = {}
    for path, _, summary in part:
        defaults: list[tuple[str, str, str, bool]] = []
        settings: list[tuple[str, str]] = []
        built: list[str] = []
        if summary.agents_built and not summary.agents_default:
            # a module of the same process (one imports the other, or a third
            # imports both) first; else one that may be (the tool cannot see
            # how the program is started: it is reported, not rewritten)
            close = [s for s in setters if s[0] != path and related(path, s[0])]
            maybe = [s for s in setters if s[0] != path and may_share(path, s[0])]
            for other, _, theirs in close or maybe:
                name, line = theirs.agents_default
                module = names.raw(other)[0] if other in names else ""
                defaults.append((f"{rel(other, path)}:{line}", module, str(name), bool(close)))
                if links is not None and close:
                    links.setdefault(path, set()).add(other)
        if summary.agents_default:
            for other, _, theirs in part:
                if other == path or not related(path, other):
                    continue
                settings += [(k, rel(other, path)) for k in sorted(theirs.agents_settings)]
                if theirs.agents_built and not theirs.agents_default:
                    built.append(rel(other, path))
        configured: list[tuple[str, str, bool]] = []
        if summary.agents_unconfigured:
            # the modules of its process that give the SDK a client; else
            # those that may (named in the finding, which stays)
            close = [
                (other, theirs)
                for other, theirs in configurers
                if other != path and related(path, other)
            ]
            maybe = [c for c in configurers if c[0] != path and may_share(path, c[0])]
            for other, theirs in close or maybe:
                configured.append((rel(other, path), theirs.agents_configured, bool(close)))
                if links is not None:
                    links.setdefault(path, set()).add(other)
            if local:
                configured.append(("agents", "local", True))
        if defaults or settings or built or configured:
            out[path] = ProjectInput(
                module=names.raw(path) if path in names else None,
                agents_default=tuple(sorted(defaults)),
                agents_settings=tuple(sorted(set(settings))),
                agents_built=tuple(sorted(built)),
                agents_configured=tuple(sorted(configured)),
            )
    return out


def _top_package(real: object, name: tuple[str, bool] | None) -> str | None:
    """The directory of the top-level package a file is a module of
    (``app/jobs/run.py`` as ``app.jobs.run`` -> ``app``); None for a
    top-level module (a script) or a file that is no module."""
    if name is None:
        return None
    module, is_package = name
    levels = module.count(".") + (1 if is_package else 0)
    if levels == 0:
        return None
    directory = os.path.dirname(str(real))
    for _ in range(levels - 1):
        directory = os.path.dirname(directory)
    return directory


def plan_litellm_globals(
    files: Iterable[FileInfo], modules: Modules | None = None
) -> dict[str, tuple[str, ...]]:
    """LiteLLM's settings (``litellm.api_key``, ``api_base``...) are one per
    process: the files with LiteLLM calls to move -> the other files of the
    run that set them and share a process with them (one imports the other,
    or a third imports both), as paths from the file's directory."""
    files = list(files)
    setters = [
        (path, real)
        for path, real, summary, _ in files
        if summary is not None and summary.litellm_globals
    ]
    if not setters:
        return {}
    related = _shares_process(files, modules)
    out: dict[str, tuple[str, ...]] = {}
    for path, real, summary, _ in files:
        if summary is None or not summary.litellm_calls:
            continue
        where = []
        for other, other_real in setters:
            if other == path or not related(path, other):
                continue
            rel = os.path.relpath(str(other_real), os.path.dirname(str(real)))
            where.append(rel.replace(os.sep, "/"))
        if where:
            out[path] = tuple(where)
    return out


# what a client passed to a function of another module escapes to
# (codemods/python/escapes.py): caller path -> (local names that are
# functions of the run, ((local, key, where, what, why), ...))
Told = dict[str, tuple[frozenset[str], tuple[tuple[str, str, str, str, str], ...]]]
_WHY_OPAQUE = ", whose requests the tool cannot check"
_ASKED = "asked"


def plan_escapes(
    files: Iterable[FileInfo], modules: Modules | None, asked: dict[str, set[str]]
) -> tuple[dict[str, set[str]], Told]:
    """A client passed to a function of another module of the run moves
    with what that function does with it: its parameter may escape there
    (handed to a library, stored in a container), or be passed on to a
    function of a third module, and so on. From the summaries: the
    functions to ask about first (path -> function names not yet in
    ``asked``: those files are processed again with
    ``ProjectInput.escape_params``), and, once nothing is left to ask, for
    each file that passes a client to an imported function, which of those
    the run follows and where what it passes escapes ("path:line" from the
    caller's directory). A name the run does not define as a function (a
    library's, a module outside the run, a file that does not parse) is an
    escape itself."""
    files = list(files)
    callers = [(p, r, s) for p, r, s, _ in files if s is not None and s.client_callees]
    if not callers:
        return {}, {}
    by_module, names = modules if modules is not None else modules_of(files)
    summaries = {p: s for p, _, s, _ in files if s is not None}
    reals = {p: r for p, r, _, _ in files}
    ask: dict[str, set[str]] = defaultdict(set)

    def function(path: str, local: str, depth: int = 0) -> tuple[str, str] | str | None:
        """(defining path, function name) of ``local`` imported in ``path``,
        or read off a module imported whole (``a.ask``, as call_args names
        it) (None: not a function of the run; "asked": not known yet)."""
        summary = summaries.get(path)
        if summary is None or path not in names or depth > 8:
            return None
        me, is_pkg = names[path]
        if local in summary.imports:
            written, name = summary.imports[local]
            target = resolve(written, me, is_pkg, names.local(path)) if written != "?" else None
        else:
            whole = _whole_key(summary, local, me, is_pkg, names.local(path))
            if whole is None:
                return None
            target, name = whole[1], whole[2]
        if target is None or target not in by_module:
            return None
        tpath = by_module[target]
        return own(tpath, name, depth)

    def own(tpath: str, name: str, depth: int = 0) -> tuple[str, str] | str | None:
        if name not in asked.get(tpath, ()):
            ask[tpath].add(name)
            return _ASKED
        ts = summaries.get(tpath)
        if ts is None:
            return None
        if name in ts.escape_functions:
            return tpath, name
        if name in ts.imports:  # re-exported: ``from .impl import run``
            return function(tpath, name, depth + 1)
        return None

    def param_of(tpath: str, fn: str, key: str) -> str | None:
        """The parameter of ``fn`` an argument ``key`` binds ("*": taken by
        ``*args``/``**kwargs``; None: none, the call fails)."""
        positional, keyword, variadic = summaries[tpath].escape_functions[fn]
        if key.isdigit():
            if int(key) < len(positional):
                return positional[int(key)]
        elif key in positional or key in keyword:
            return key
        return "*" if variadic else None

    # (path, function, parameter) -> {(path, line, what, why)}; a cycle adds nothing
    memo: dict[tuple[str, str, str], frozenset[tuple[str, int, str, str]]] = {}
    active: set[tuple[str, str, str]] = set()

    def escapes_of(tpath: str, fn: str, param: str) -> frozenset[tuple[str, int, str, str]]:
        k = (tpath, fn, param)
        if k in memo:
            return memo[k]
        if k in active or tpath not in summaries:
            return frozenset()
        active.add(k)
        ts = summaries[tpath]
        found = {
            (tpath, line, what, why)
            for line, what, why in ts.param_escapes.get(fn, {}).get(param, ())
        }
        for callee, key, is_own, line in ts.param_forwards.get(fn, {}).get(param, ()):
            target = own(tpath, callee) if is_own else function(tpath, callee)
            if target is None:
                found.add((tpath, line, f"is passed to `{callee}`", _WHY_OPAQUE))
            elif target != _ASKED:
                found |= taken(target, key, tpath, line)  # type: ignore[arg-type]
        active.discard(k)
        memo[k] = frozenset(found)
        return memo[k]

    def taken(
        target: tuple[str, str], key: str, at: str, line: int | None
    ) -> set[tuple[str, int, str, str]]:
        tpath, fn = target
        param = param_of(tpath, fn, key)
        if param == "*":
            where_line = line if line is not None else 0
            return {(at, where_line, f"is taken by `*args`/`**kwargs` of `{fn}`", _WHY_OPAQUE)}
        if param is None:
            return set()
        return set(escapes_of(tpath, fn, param))

    told: Told = {}
    for path, real, summary in callers:
        known: set[str] = set()
        rows: set[tuple[str, str, str, str, str]] = set()
        for local, keys in sorted(summary.client_callees.items()):
            target = function(path, local)
            if target is None or target == _ASKED:
                continue
            known.add(local)
            base = os.path.dirname(str(real))
            for key in keys:
                for epath, line, what, why in taken(target, key, target[0], None):  # type: ignore[arg-type]
                    rel = os.path.relpath(str(reals[epath]), base).replace(os.sep, "/")
                    where = f"{rel}:{line}" if line else rel
                    rows.add((local, key, where, what, why))
        told[path] = (frozenset(known), tuple(sorted(rows)))
    return {p: set(fns) for p, fns in ask.items() if fns - asked.get(p, set())}, told


def escape_keys(
    files: Iterable[FileInfo], modules: Modules | None = None
) -> dict[str, frozenset[str]]:
    """Files that pass on a client another module of the run exports
    (ModuleSummary.client_escapes: an argument, a return value): path ->
    those keys. They are processed again with ``ProjectInput.escape_keys``
    and say where each escapes (a FACT_ESCAPE for the module that builds
    it); the names of everything else they pass on are not looked at."""
    files = list(files)
    if not any(s is not None and s.client_escapes for _, _, s, _ in files):
        return {}
    both = modules if modules is not None else modules_of(files)
    names = both[1]
    definers = _client_definers(files, both)
    conftests = _conftests(files)
    reexported = client_reexports(files, both, None)

    def exported(module: str, name: str) -> bool:
        if name in reexported.get(module, {}):
            return True
        return module in definers and name in _exported_clients(definers[module][1])

    out: dict[str, frozenset[str]] = {}
    for path, real, summary, _ in files:
        if summary is None or not summary.client_escapes or path not in names:
            continue
        me, is_pkg = names[path]
        found = set()
        for key in summary.client_escapes:
            if key.startswith(FIXTURE_PREFIX):
                if _fixture_definer(real, key, conftests) is not None:
                    found.add(key)
                continue
            if key in summary.imports:
                written, name = summary.imports[key]
                target = resolve(written, me, is_pkg, names.local(path)) if written != "?" else None
                if target is not None and exported(target, name):
                    found.add(key)
                continue
            whole = _whole_key(summary, key, me, is_pkg, names.local(path))
            if whole is not None and exported(whole[1], whole[2]):
                found.add(key)
        if found:
            out[path] = frozenset(found)
    return out
