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
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable


@dataclass
class ModuleSummary:
    """What one file tells the project pass (computed by the engine)."""

    # local name -> (module as written, imported name), for ``from M import N``
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)
    sink_uses: dict[str, int] = field(default_factory=dict)  # reads reaching model=
    other_uses: dict[str, int] = field(default_factory=dict)  # every other read
    certain: set[str] = field(default_factory=set)  # reach an SDK call that is surely openai's
    # every read reaching model= reaches it on a receiver resolved to openai's
    # client: a fix of the definition is safe (see codemods/rules/dataflow.py)
    safe: set[str] = field(default_factory=set)
    module_imports: list[str] = field(default_factory=list)  # ``import M``; star imports
    handled: set[str] = field(default_factory=set)  # exports this file followed itself
    # module-level functions whose parameter reaches model= (and is read for
    # nothing else): function -> parameter -> positional index (None: keyword only)
    sink_params: dict[str, dict[str, int | None]] = field(default_factory=dict)
    sink_params_certain: set[str] = field(default_factory=set)
    # module-level names bound to a client, or functions returning one,
    # with the decision for them (codemods/clients.py: ClientIndex.exports)
    clients: dict[str, str] = field(default_factory=dict)
    # a receiver resolves through the calls of a public function of this
    # file: which of its names other modules import would settle it
    wants_importers: bool = False
    # public functions whose parameter is used as a client here: function ->
    # parameter -> positional index (codemods/clients.py)
    client_params: dict[str, dict[str, int | None]] = field(default_factory=dict)
    # calls of imported functions: local name -> per call, argument key
    # ("0", "1"..., a keyword, "*") -> the client state it passes
    client_args: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    # the module-level client (rules/module_client.py: module_client_summary)
    module_client: dict[str, Any] = field(default_factory=dict)
    # API keys (codemods/rules/keyflow.py): reads of an imported name that are
    # the api_key= of a client this file would migrate if the name were
    # followed; and the key names of this module whose definition it rewrote
    key_uses: dict[str, int] = field(default_factory=dict)
    key_handled: set[str] = field(default_factory=set)
    sink_params_safe: set[str] = field(default_factory=set)  # every such sink is safe


@dataclass(frozen=True)
class SinkFunction:
    """A function of another module whose parameter reaches ``model=``."""

    module: str
    name: str
    params: tuple[tuple[str, int | None], ...]
    path: str  # the file that defines it
    certain: bool
    safe: bool = False  # the fix of an argument passed to it is safe


@dataclass(frozen=True)
class Export:
    """A module-level name of this file that other files pass to ``model=``."""

    name: str
    used_in: tuple[str, ...]  # the files that pass it to model=
    other_uses: int  # reads elsewhere that are not model=
    other_files: tuple[str, ...]  # where those are
    certain: bool
    safe: bool = False  # every model= it reaches is on openai's client: its fix is safe


@dataclass(frozen=True)
class ProjectInput:
    """What the other files of the run say about one file (engine input)."""

    exports: tuple[Export, ...] = ()
    # imported local names whose definition is followed in its own module
    followed: frozenset[str] = frozenset()
    # this file's module name (and whether it is a package's __init__)
    module: tuple[str, bool] | None = None
    # functions of other modules whose parameter reaches model=
    sink_functions: tuple[SinkFunction, ...] = ()
    # imported local name -> the decision the defining module took for the
    # client it is bound to (codemods/clients.py: "migrate", "openrouter", "left")
    clients: tuple[tuple[str, str], ...] = ()
    # the module-level names of this file other modules import (with
    # ``module`` set: a name not listed here is imported nowhere in the run)
    imported_names: frozenset[str] = frozenset()
    imported_whole: bool = False  # ``import this`` somewhere: any name may be read
    # (public function, parameter) -> what every call in the other modules
    # of the run passes there (codemods/clients.py: _callers_elsewhere)
    param_clients: tuple[tuple[tuple[str, str], str], ...] = ()
    # the module-level client is one per process: the SDK generation the
    # run's other modules show, and what became of the configuration other
    # modules of the run set ("migrate", "openrouter", "left"; where)
    module_client_version: str | None = None
    module_client_state: str | None = None
    module_client_files: tuple[str, ...] = ()

    # module-level names of this file that other files pass to api_key= of
    # the clients they migrate, and read for nothing else anywhere
    key_exports: tuple[str, ...] = ()
    # imported names whose key definition was rewritten in its own module
    followed_keys: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(
            self.exports
            or self.followed
            or self.sink_functions
            or self.key_exports
            or self.followed_keys
            or self.clients
            or self.param_clients
            or self.module_client_version
            or self.module_client_state
        )

    def param_client_state(self, function: str, param: str) -> str | None:
        for (fn, p), state in self.param_clients:
            if fn == function and p == param:
                return state
        return None

    def client_state(self, name: str) -> str | None:
        for local, state in self.clients:
            if local == name:
                return state
        return None


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


@functools.lru_cache(maxsize=1 << 14)
def _package(d: str) -> tuple[str, ...]:
    """The dotted package a directory is (empty: not a package)."""
    parent, name = os.path.split(d)
    if parent == d or not os.path.isfile(os.path.join(d, "__init__.py")):
        return ()
    return (*_package(parent), name)


def resolve(written: str, importer: str, importer_is_package: bool) -> str | None:
    """The absolute module an import names (``..settings`` from ``a.b.c``)."""
    level = len(written) - len(written.lstrip("."))
    if level == 0:
        return written
    package = importer.split(".") if importer_is_package else importer.split(".")[:-1]
    if level - 1 > len(package):
        return None
    base = package[: len(package) - (level - 1)]
    rest = written[level:]
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


class _ModuleIndex:
    """Module names of the run's files, computed on demand: the planner asks
    about the modules the parsed files import, a handful, not about every
    file of a 10,000-file tree."""

    def __init__(self, files: Iterable[FileInfo]) -> None:
        self._real = {path: real for path, real, _, _ in files}
        self._names: dict[str, tuple[str, bool] | None] = {}
        self._paths: dict[str, str | None] = {}
        self._by_last: dict[str, list[str]] | None = None

    def name(self, path: str) -> tuple[str, bool] | None:
        """(module name, is package) of a file of the run, if it is a module."""
        if path not in self._names:
            real = self._real.get(path)
            self._names[path] = None if real is None else module_name(real)
        return self._names[path]

    def path(self, module: str) -> str | None:
        """The file that is ``module`` (None: none, or more than one)."""
        if module not in self._paths:
            if self._by_last is None:
                self._by_last = defaultdict(list)
                for p, real in self._real.items():
                    head, base = os.path.split(str(real))
                    last = os.path.basename(head) if base == "__init__.py" else base[:-3]
                    self._by_last[last].append(p)
            hits = [
                p
                for p in self._by_last.get(module.rsplit(".", 1)[-1], ())
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


Modules = tuple[_ByModule, _ByPath]


def modules_of(files: Iterable[FileInfo]) -> Modules:
    """module name -> path (unique names only), path -> (module name, is
    package), both computed on demand. Depends only on the paths: make
    once, pass to ``plan_calls`` and ``plan``."""
    index = _ModuleIndex(files)
    return _ByModule(index), _ByPath(index)


def _mentions(data: bytes | Callable[[], bytes], name: str) -> bool:
    """Does the file's text name ``name``? (``data`` may be a loader: the
    runner reads a file the first time the planner asks about it.)"""
    text = data() if callable(data) else data
    return re.search(rb"\b" + re.escape(name.encode()) + rb"\b", text) is not None


def summary_to_dict(s: ModuleSummary) -> dict[str, Any]:
    """A JSON-able form of a summary (for the result cache)."""
    return {
        "imports": {k: list(v) for k, v in s.imports.items()},
        "sink_uses": dict(s.sink_uses),
        "other_uses": dict(s.other_uses),
        "certain": sorted(s.certain),
        "safe": sorted(s.safe),
        "module_imports": list(s.module_imports),
        "handled": sorted(s.handled),
        "sink_params": {f: dict(p) for f, p in s.sink_params.items()},
        "sink_params_certain": sorted(s.sink_params_certain),
        "clients": dict(s.clients),
        "wants_importers": s.wants_importers,
        "client_params": {f: dict(p) for f, p in s.client_params.items()},
        "client_args": {f: [dict(c) for c in calls] for f, calls in s.client_args.items()},
        "module_client": dict(s.module_client),
        "key_uses": dict(s.key_uses),
        "key_handled": sorted(s.key_handled),
        "sink_params_safe": sorted(s.sink_params_safe),
    }


def summary_from_dict(d: dict[str, Any]) -> ModuleSummary:
    return ModuleSummary(
        imports={k: (str(v[0]), str(v[1])) for k, v in d["imports"].items()},
        sink_uses={str(k): int(v) for k, v in d["sink_uses"].items()},
        other_uses={str(k): int(v) for k, v in d["other_uses"].items()},
        certain=set(d["certain"]),
        safe=set(d.get("safe", ())),
        module_imports=[str(m) for m in d["module_imports"]],
        handled=set(d["handled"]),
        sink_params={
            str(f): {str(k): (None if v is None else int(v)) for k, v in p.items()}
            for f, p in d["sink_params"].items()
        },
        sink_params_certain=set(d["sink_params_certain"]),
        clients={str(k): str(v) for k, v in d.get("clients", {}).items()},
        wants_importers=bool(d.get("wants_importers", False)),
        client_params={
            str(f): {str(k): (None if v is None else int(v)) for k, v in p.items()}
            for f, p in d.get("client_params", {}).items()
        },
        client_args={
            str(f): [{str(k): str(v) for k, v in c.items()} for c in calls]
            for f, calls in d.get("client_args", {}).items()
        },
        module_client=dict(d.get("module_client", {})),
        key_uses={str(k): int(v) for k, v in d.get("key_uses", {}).items()},
        key_handled=set(d.get("key_handled", ())),
        sink_params_safe=set(d.get("sink_params_safe", ())),
    )


def plan_calls(
    files: Iterable[FileInfo], modules: Modules | None = None
) -> dict[str, ProjectInput]:
    """Files that may call a function of another module whose parameter
    reaches ``model=``: they are processed again with those functions, so
    the arguments they pass (a click default, a literal) are followed."""
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
    out: dict[str, ProjectInput] = {}
    for path, _, summary, data in files:
        if path not in names:
            continue
        me, is_pkg = names[path]
        if summary is not None:
            wanted: set[tuple[str | None, str]] = set()
            for w, n in summary.imports.values():
                if w != "?":
                    target = resolve(w, me, is_pkg)
                    wanted.add((target, n))
                    wanted.add((f"{target}.{n}", "*"))  # a module imported by name
            for w in summary.module_imports:
                wanted.add((resolve(w, me, is_pkg), "*"))
            mine = [
                sf
                for sf in functions
                if sf.path != path
                and ((sf.module, sf.name) in wanted or (sf.module, "*") in wanted)
            ]
        elif data:
            mine = [sf for sf in functions if sf.path != path and _mentions(data, sf.name)]
        else:
            mine = []
        if mine:
            out[path] = ProjectInput(module=names[path], sink_functions=tuple(mine))
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
    modules, names = modules if modules is not None else modules_of(files)
    exported = {path: summary.clients for path, _, summary, _ in files if summary is not None}
    out: dict[str, tuple[tuple[str, str], ...]] = {}
    for path, _, summary, _ in files:
        if summary is None or not summary.imports or path not in names:
            continue
        me, is_pkg = names[path]
        found: list[tuple[str, str]] = []
        for local, (written, name) in sorted(summary.imports.items()):
            target = resolve(written, me, is_pkg) if written != "?" else None
            if target is None or target not in modules:
                continue
            state = exported.get(modules[target], {}).get(name)
            if state is not None:
                found.append((local, state))
        if found:
            out[path] = tuple(found)
    return out


def plan_private(
    files: Iterable[FileInfo], modules: Modules | None = None
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
    for path, _, summary, data in files:
        if summary is None:
            if data:
                text = data() if callable(data) else data
                words = set(re.findall(rb"[A-Za-z_][A-Za-z0-9_]*", text))
                for module, p in wanted.items():
                    if p == path:
                        continue
                    if module.rsplit(".", 1)[-1].encode() in words:
                        whole.add(module)  # it may ``import`` it: count everything
            continue
        if path not in names:
            continue
        me, is_pkg = names[path]
        for written in summary.module_imports:
            target = resolve(written, me, is_pkg)
            if target in wanted:
                whole.add(target)
        for written, name in summary.imports.values():
            target = resolve(written, me, is_pkg) if written != "?" else None
            if target in wanted:
                imported[target].add(name)
            elif target is not None and f"{target}.{name}" in wanted:
                whole.add(f"{target}.{name}")  # ``from pkg import module``
    out = {}
    for module, path in wanted.items():
        out[path] = ProjectInput(
            module=names[path],
            imported_names=frozenset(imported.get(module, ())),
            imported_whole=module in whole,
        )
    return out


def plan_param_clients(
    files: Iterable[FileInfo], modules: Modules | None = None
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
    for path, _, summary, data in files:
        if summary is None:
            if data:
                text = data() if callable(data) else data
                words = set(re.findall(rb"[A-Za-z_][A-Za-z0-9_]*", text))
                for module, (p, s) in wanted.items():
                    if p != path and any(fn.encode() in words for fn in s.client_params):
                        opaque.add(module)
            continue
        if path not in names:
            continue
        me, is_pkg = names[path]
        for written in summary.module_imports:
            target = resolve(written, me, is_pkg)
            if target in wanted:
                opaque.add(target)
        for local, (written, name) in summary.imports.items():
            target = resolve(written, me, is_pkg) if written != "?" else None
            if target is None:
                continue
            if f"{target}.{name}" in wanted:
                opaque.add(f"{target}.{name}")
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
    modules, names = modules if modules is not None else modules_of(files)
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
            target = resolve(w, me, is_pkg)
            if target is not None and target in modules:
                found.add(modules[target])
        imports[path] = found

    def related(a: str, b: str) -> bool:
        if b in imports.get(a, ()) or a in imports.get(b, ()):
            return True
        return any(a in seen and b in seen for seen in imports.values())

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


def plan(files: Iterable[FileInfo], modules: Modules | None = None) -> Plan:
    """Decide the second round from the first round's summaries.

    Files without a summary (skipped by the prefilter, unparsable, notebooks)
    are scanned as text: one that mentions an exported name counts as a read
    that is not ``model=``, so the name stays untouched (OR206)."""
    files = list(files)
    both = modules if modules is not None else modules_of(files)
    modules = both[0]
    uses, opaque, unread = _reads(files, both)

    result = Plan()
    exports: dict[str, list[Export]] = defaultdict(list)
    for (target, name), readers in sorted(uses.items()):
        if target in opaque:
            continue
        sinks = [(p, loc, s) for p, loc, s in readers if s.sink_uses.get(loc, 0)]
        if not sinks:
            continue
        definer = modules[target]
        others = [(p, s.other_uses.get(loc, 0)) for p, loc, s in readers]
        others += [(p, 1) for p, data in unread if p != definer and _mentions(data, name)]
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


_Reads = dict[tuple[str, str], list[tuple[str, str, "ModuleSummary"]]]


def _reads(files: list[FileInfo], modules: Modules) -> tuple[_Reads, set[str], list[Any]]:
    """Who imports which name of which module of the run: (module, name) ->
    [(importer path, local name, its summary)]; the modules whose reads
    cannot be counted (imported whole); the files to scan as text."""
    by_module, names = modules
    unread = [(path, data) for path, _, summary, data in files if summary is None and data]
    opaque: set[str] = set()
    uses: _Reads = defaultdict(list)
    for path, _, summary, _ in files:
        if summary is None or path not in names:
            continue
        me, is_pkg = names[path]
        for written in summary.module_imports:
            target = resolve(written, me, is_pkg)
            if target is not None:
                opaque.add(target)
        for local, (written, name) in summary.imports.items():
            target = resolve(written, me, is_pkg) if written != "?" else None
            if target is None:
                continue
            if f"{target}.{name}" in by_module:
                opaque.add(f"{target}.{name}")  # ``from pkg import settings``
                continue
            if target in by_module:
                uses[(target, name)].append((path, local, summary))
    return uses, opaque, unread


def plan_keys(files: Iterable[FileInfo], modules: Modules | None = None) -> Plan:
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
    for (target, name), readers in sorted(uses.items()):
        if target in opaque or not any(s.key_uses.get(loc, 0) for _, loc, s in readers):
            continue
        definer = modules_by_name[target]
        exclusive = all(
            s.key_uses.get(loc, 0) == s.sink_uses.get(loc, 0) + s.other_uses.get(loc, 0)
            for _, loc, s in readers
        )
        if not exclusive or any(p != definer and _mentions(d, name) for p, d in unread):
            continue
        keys[definer].append(name)
        for p, loc, _ in readers:
            result.key_importers.setdefault(p, {})[loc] = (definer, name)
    result.key_definers = {d: tuple(names) for d, names in keys.items()}
    return result
