"""The project pass for TypeScript/JavaScript: clients and model constants
that cross modules (``export const openai = new OpenAI()`` in
``lib/openai.ts``, ``import { openai } from "./lib/openai"`` elsewhere).

The same two rounds as Python's (:mod:`codemods.python.project`), on the summaries
the TypeScript engine returns (:func:`codemods.typescript.rules.module_summary`,
the fields of :class:`~codemods.core.project.ModuleSummary` it fills):

* ``imports``: local name -> (specifier, imported name) for every import of
  a project file (a relative specifier: ``./x``, ``../lib/x.js``); a
  namespace's ``ns.NAME`` reads are keyed ``ns.NAME``;
* ``client_uses``: the SDK calls made through such a name (served by
  OpenRouter?, line, resource path); ``other_uses``: its other reads (passed
  on, aliased, re-exported); ``module_imports``: specifiers imported in a
  way whose reads are not followed (``export * from``, ``import()``, a
  namespace passed on);
* ``clients``: the names this file exports a client by, with its state
  after noqa and applicability ("migrate", "unsafe", "openrouter", "left");
* ``sink_uses`` / ``safe``: imported names sent as ``model`` and whether
  every such call goes through a client that moves safely; ``handled``:
  the exported constants this file followed for others.

Phases (each file processed again gets what every earlier phase said):

1. files the prefilter skipped that import a module exporting a client are
   processed (their calls through it count: ``client.files.create`` names
   no ``openai``), and so, in turn, are the files importing a module that
   re-exports one (``export { openai } from "./openai"``, ``export * from
   "./client"``): an imported client is followed through re-exports to
   the module that builds it, where its importers' uses count; a re-export
   no file of the run imports the client through (an entry point for code
   outside the run), a namespace re-export (``export * as ns``) and a
   re-exporting module imported whole keep its uses unknown;
2. each module exporting a client learns the calls other modules make
   through it (``client_uses``), which names are imported at all
   (``imported_names``), where its uses cannot be followed
   (``client_uses_unknown``, ``imported_whole``) and the model IDs sent
   through it there that cannot move (``client_facts``: "block", a request
   the tool did not read: "unread"), then decides: OR119 when every use in
   the run is an endpoint OpenRouter does not serve, an unsafe move when
   some use is not known or a model sent through it cannot move, and a
   move that is safe when no file imports it by a path the tool resolves
   is not possible: unsafe as before;
3. the importers learn each imported client's state (``clients``): the model
   IDs they send through it move with it;
4. the modules defining constants other modules send as ``model`` learn
   those reads (``exports``), then the importers learn which of them are
   followed there (``followed``: no OR205 for them). A constant is followed
   through named re-exports and through ``export * from`` to the one module
   that brings it (``ModuleSummary.declared_exports`` says what a module
   declares itself); a read through a namespace import (``cfg.MODEL``) is
   keyed ``cfg.MODEL`` as its summary keys it; the files the prefilter
   skipped that import such a module are analysed first (their other reads
   count).

Specifiers are resolved as TypeScript and node do for files: ``./x`` ->
``x.ts``, ``x.tsx``, ``x.mts``, ``x.cts``, ``x.js``... or ``x/index.*``;
``./x.js`` also names ``x.ts`` (TypeScript's ESM convention), ``./x.mjs``
``x.mts``, ``./x.cjs`` ``x.cts``. Bare package names and path aliases
(``@/lib/openai``) are not resolved: a client imported by one stays an
unknown receiver, and a client exported only to such importers stays an
unsafe move.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from codemods.core.project import Export, ModuleSummary, ProjectInput
from codemods.typescript import is_typescript_path

if TYPE_CHECKING:
    from codemods.core.runner import Job, Processed, _Pipeline
    from codemods.core.units import Units

_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
#: a JavaScript extension in a specifier also names the TypeScript source
_SOURCE_OF = {
    ".js": (".js", ".ts", ".tsx", ".jsx"),
    ".jsx": (".jsx", ".tsx"),
    ".mjs": (".mjs", ".mts"),
    ".cjs": (".cjs", ".cts"),
}
#: relative specifiers in a file the prefilter skipped (phase 1)
_SPECIFIER = re.compile(rb"""(?:from|import|require)\s*\(?\s*["']([.@~$#][^"'\n]*)["']""")


def resolve(importer: str, specifier: str, files: dict[str, str]) -> str | None:
    """The file of the run (a key of ``files``: normalised real path -> job
    path) that ``specifier``, written in ``importer`` (a real path), names:
    a relative specifier, or a path alias of the nearest ``tsconfig.json`` /
    ``jsconfig.json`` (``compilerOptions.paths``, ``"@/*": ["./src/*"]``)."""
    if specifier.startswith(("./", "../")) or specifier in (".", ".."):
        return _file_of(os.path.join(os.path.dirname(importer), specifier), files)
    config = _config_of(os.path.dirname(importer))
    if config is None:
        return None
    base, paths = config
    for pattern, targets in paths:
        prefix, star, suffix = pattern.partition("*")
        if star:
            if not (
                specifier.startswith(prefix)
                and specifier.endswith(suffix)
                and len(specifier) >= len(prefix) + len(suffix)
            ):
                continue
            middle = specifier[len(prefix) : len(specifier) - len(suffix)]
        elif specifier != pattern:
            continue
        else:
            middle = ""
        for t in targets:
            found = _file_of(os.path.join(base, t.replace("*", middle, 1)), files)
            if found is not None:
                return found
        return None  # the first matching pattern decides, as in TypeScript
    return None


def _file_of(path: str, files: dict[str, str]) -> str | None:
    base = os.path.normpath(path)
    root, ext = os.path.splitext(base)
    candidates: list[str] = []
    if ext in _SOURCE_OF:
        candidates += [root + e for e in _SOURCE_OF[ext]]
    elif ext in _EXTENSIONS:
        candidates.append(base)
    candidates += [base + e for e in _EXTENSIONS]
    candidates += [os.path.join(base, "index" + e) for e in _EXTENSIONS]
    for c in candidates:
        if c in files:
            return c
    return None


@functools.lru_cache(maxsize=1024)
def _config_of(directory: str) -> tuple[str, tuple[tuple[str, tuple[str, ...]], ...]] | None:
    """(the directory ``paths`` targets are relative to, the patterns, longest
    prefix first) of the nearest tsconfig.json/jsconfig.json at or above
    ``directory`` that has ``compilerOptions.paths``; None: none. ``extends``
    is not followed. The walk stops at a ``.git`` or ``package.json`` (the
    project's root)."""
    d = directory
    while True:
        for name in ("tsconfig.json", "jsconfig.json"):
            found = _read_paths(os.path.join(d, name))
            if found is not None:
                return found
        if os.path.lexists(os.path.join(d, ".git")) or os.path.isfile(
            os.path.join(d, "package.json")
        ):
            return None
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


_JSONC = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.DOTALL)
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


def _read_paths(path: str) -> tuple[str, tuple[tuple[str, tuple[str, ...]], ...]] | None:
    try:
        with open(path, encoding="utf-8-sig") as fh:
            raw = fh.read(1 << 20)
    except (OSError, UnicodeDecodeError):
        return None
    # JSON with comments and trailing commas, as tsc reads it
    cleaned = _JSONC.sub(lambda m: m.group(0) if m.group(0).startswith('"') else "", raw)
    cleaned = _TRAILING_COMMA.sub(r"\1", cleaned)
    try:
        options = json.loads(cleaned).get("compilerOptions") or {}
    except (ValueError, AttributeError):
        return None
    paths = options.get("paths") if isinstance(options, dict) else None
    if not isinstance(paths, dict) or not paths:
        return None
    base_url = options.get("baseUrl")
    base = os.path.dirname(path)
    if isinstance(base_url, str):
        base = os.path.join(base, base_url)
    patterns = [
        (k, tuple(t for t in v if isinstance(t, str)))
        for k, v in paths.items()
        if isinstance(k, str) and isinstance(v, list) and k.count("*") <= 1
    ]
    patterns.sort(key=lambda kv: -len(kv[0].partition("*")[0]))
    return base, tuple(patterns)


def _rel(path: str, frm: str) -> str:
    """``path`` relative to the directory of ``frm`` (for messages)."""
    try:
        return os.path.relpath(path, os.path.dirname(frm) or ".")
    except ValueError:
        return path


def second_round(
    pipeline: _Pipeline, jobs: list[Job], final: dict[str, Processed], units: Units
) -> None:
    """Plan from the TypeScript summaries and process again what each phase
    says (updates ``final``; see the module docstring)."""
    jobs = [j for j in jobs if is_typescript_path(j.path)]
    if not jobs:
        return
    _config_of.cache_clear()  # tsconfig.json files are read once per run
    by_path = {j.path: j for j in jobs}
    real_of = {j.path: os.path.normpath(os.path.abspath(str(j.real))) for j in jobs}
    files = {real: path for path, real in real_of.items()}
    inputs: dict[str, ProjectInput] = {}

    def given(path: str) -> ProjectInput:
        return inputs.get(path, ProjectInput())

    def rerun(todo: dict[str, ProjectInput]) -> None:
        if not todo:
            return
        inputs.update(todo)
        items = [(by_path[p], project, final[p].original) for p, project in todo.items()]
        final.update(pipeline.rerun(items))

    def summary(path: str) -> ModuleSummary | None:
        p = final.get(path)
        return None if p is None else p.summary

    def target(path: str, specifier: str) -> str | None:
        found = resolve(real_of[path], specifier, files)
        return None if found is None else files[found]

    exporting = {j.path for j in jobs if (s := summary(j.path)) is not None and s.clients}

    # 0. the modules of functions a client is passed to (``ask(client)``,
    # imported from "./helpers"): processed even when the prefilter skipped
    # them (a helper that names no ``openai``), their parameters summarised
    def process_callees() -> bool:
        """True: some module passes a client to a function of another."""
        todo: dict[str, ProjectInput] = {}
        passing = False
        for j in jobs:
            s = summary(j.path)
            # a client another module exports may be what it passes (its
            # state is told later: step 3)
            imports_client = s is not None and any(
                target(j.path, spec) in exporting for spec, _ in s.imports.values()
            )
            for local, calls in (s.client_args if s is not None else {}).items():
                if local not in s.imports or (
                    not imports_client
                    and all(v == "unknown" for args in calls for v in args.values())
                ):
                    continue
                passing = True
                t = target(j.path, s.imports[local][0])
                if t is not None and t != j.path and summary(t) is None and final[t].result.skipped:
                    todo[t] = given(t)
        rerun(todo)
        return passing

    passing = process_callees()
    if (
        not exporting
        and not passing
        and not any(
            (s := summary(j.path)) is not None and (s.sink_uses or s.client_params) for j in jobs
        )
    ):
        return

    # 1. files the prefilter skipped that import a module exporting a client,
    # or exporting a function a client can be passed to (its calls there count)
    wanted = exporting | {
        j.path for j in jobs if (s := summary(j.path)) is not None and s.client_params
    }
    # (again for the files that import a module re-exporting such a client:
    # ``export { openai } from "./openai"``, ``export * from "./client"``)
    while True:
        todo = {}
        for j in jobs:
            p = final[j.path]
            if p.summary is not None or not p.result.skipped or not wanted:
                continue
            data = p.original
            if data is None:
                try:
                    with open(j.real, "rb") as fh:
                        data = fh.read()
                except OSError:
                    continue
            for m in _SPECIFIER.finditer(data):
                spec = m.group(1).decode("utf-8", "replace")
                if target(j.path, spec) in wanted:
                    todo[j.path] = given(j.path)
                    break
        rerun(todo)
        more = {
            j.path
            for j in jobs
            if j.path not in wanted
            and (s := summary(j.path)) is not None
            and any(
                target(j.path, spec) in wanted
                for spec in [*s.star_reexports, *(m for m, _ in s.reexports.values())]
            )
        }
        if not more:
            break
        wanted |= more
    # (again: the files just processed may pass a client they import to a
    # function of a module the prefilter skipped)
    process_callees()

    def chain(definer: str, name: str, depth: int = 0) -> list[tuple[str, str]]:
        """The modules the client ``name`` of ``definer`` is re-exported
        through (``export { openai } from "./openai"``, ``export * from
        "./client"``), with its name in each, down to the one that builds
        it; [(definer, name)] when it is not a client re-exported (a
        cycle, or too deep)."""
        s = summary(definer)
        if s is None or depth > 8 or _client_named(s, name):
            return [(definer, name)]
        found = s.reexports.get(name)
        sources = [found] if found is not None else []
        if found is None and name != "default":  # ``export *`` skips the default
            sources = [[spec, name] for spec in s.star_reexports]
        for spec, there in sources:
            t = target(definer, spec)
            if t is None or t == definer:
                continue
            rest = chain(t, there, depth + 1)
            if _client_named(summary(rest[-1][0]) or _EMPTY, rest[-1][1]):
                return [(definer, name), *rest]
        return [(definer, name)]

    def origin(definer: str, name: str) -> tuple[str, str]:
        return chain(definer, name)[-1]

    # the re-exports some file of the run imports a client through: (the
    # re-exporting module, the name it exports it by)
    reexport_used: set[tuple[str, str]] = set()

    # who imports what: (definer, exported name) -> [(importer, local key)]
    importers: dict[tuple[str, str], list[tuple[str, str]]] = {}
    whole: dict[str, list[str]] = {}  # definer -> importers reading it whole
    stars: dict[str, list[str]] = {}  # definer -> modules ``export * from`` it

    def index_imports() -> None:
        """(Re)build ``importers``, ``whole`` and ``stars`` from the summaries."""
        importers.clear()
        whole.clear()
        stars.clear()
        for j in jobs:
            s = summary(j.path)
            if s is None:
                continue
            for local, (spec, name) in s.imports.items():
                t = target(j.path, spec)
                if t is not None and t != j.path:
                    if not local.startswith("export:"):
                        hops = chain(t, name)  # a client re-exported: where it is built
                        reexport_used.update(hops[:-1])
                        t, name = hops[-1]
                    importers.setdefault((t, name), []).append((j.path, local))
            for spec in s.module_imports:
                t = target(j.path, spec)
                if t is not None and t != j.path:
                    whole.setdefault(t, []).append(j.path)
            for spec in s.star_reexports:
                t = target(j.path, spec)
                if t is not None and t != j.path:
                    stars.setdefault(t, []).append(j.path)
        # a module imported whole re-exports what it re-exports whole too
        changed = True
        while changed:
            changed = False
            for path in sorted(whole):
                s = summary(path)
                for spec in [*s.star_reexports, *(m for m, _ in s.reexports.values())] if s else ():
                    t = target(path, spec)
                    if t is not None and t != path and path not in whole.get(t, []):
                        whole.setdefault(t, []).append(path)
                        changed = True

    index_imports()

    def tell_callers(only_changed: bool) -> bool:
        """1b. the modules passing a client to a function of another module
        learn what that function does with it (its SDK calls, where it goes
        on); once the importers know their imported clients (step 3), also
        those passing one (``summarize(shared)``, ``shared`` built in a third
        module), whose module then counts those calls (their summary's
        ``client_uses``). True: something changed."""
        todo: dict[str, ProjectInput] = {}
        for (definer, name), users in sorted(importers.items()):
            ds = summary(definer)
            for importer, local in users:
                other = summary(importer)
                if local.startswith("export:") or other is None:
                    continue
                if not any(
                    state != "unknown"
                    for args in other.client_args.get(local, ())
                    for state in args.values()
                ):
                    continue  # no client of the run is passed to it
                project = todo.get(importer) or replace(
                    given(importer),
                    callees_told=False,
                    callees_known=frozenset(),
                    callee_uses=(),
                    callee_escapes=(),
                )
                where = _rel(definer, importer)
                uses = list(project.callee_uses)
                escapes = list(project.callee_escapes)
                known = set(project.callees_known)
                if ds is not None and name in ds.client_params:
                    known.add(local)
                    for param, index in ds.client_params[name].items():
                        key = str(index)
                        calls = ds.param_uses.get(name, {}).get(param, ())
                        for served, line, resource in calls:
                            uses.append((local, key, served, f"{where}:{line}", resource))
                        for line, what, why in ds.param_escapes.get(name, {}).get(param, ()):
                            escapes.append((local, key, f"{where}:{line}", what, why))
                        state = _callers_state(importers, whole, summary, definer, name, index)
                        if calls and state in ("left", "unknown"):
                            # the requests made there go with other clients too:
                            # their model IDs do not move with this one
                            escapes.append(
                                (
                                    local,
                                    key,
                                    f"{where}:{calls[0][1]}",
                                    "also gets clients that stay on OpenAI or that the tool "
                                    "cannot resolve",
                                    "",
                                )
                            )
                else:  # a function of the run the tool does not follow
                    escapes.append((local, "*", where, "", ""))
                todo[importer] = replace(
                    project,
                    callees_told=True,
                    callees_known=frozenset(known),
                    callee_uses=tuple(uses),
                    callee_escapes=tuple(escapes),
                )
        if only_changed:
            todo = _changed(todo, given)
        rerun(todo)
        return bool(todo)

    tell_callers(False)

    def provides(path: str, name: str, depth: int = 0) -> str:
        """Does the module at ``path`` export ``name`` ("yes", "no"), of its
        own or re-exported, or can the tool not tell ("maybe": not
        analysed, an export it does not name, two ``export *`` bringing
        it, which TypeScript leaves out)?"""
        s = summary(path)
        if s is None or depth > 8:
            return "maybe"
        if name in s.declared_exports or name in s.reexports:
            return "yes"
        if "*" in s.declared_exports:
            return "maybe"
        if name == "default":
            return "no"  # ``export *`` does not bring the default
        found = [
            provides(t, name, depth + 1)
            for spec in s.star_reexports
            if (t := target(path, spec)) is not None and t != path
        ]
        if "maybe" in found or found.count("yes") > 1:
            return "maybe"
        return "yes" if "yes" in found else "no"

    def star_source(here: str, name: str) -> str | None:
        """The one module an ``export * from`` of ``here`` brings ``name``
        from, when ``here`` does not export it of its own; None: none, or
        the tool cannot tell which."""
        s = summary(here)
        if s is None or name == "default" or name in s.declared_exports:
            return None
        if "*" in s.declared_exports:
            return None
        sources = [
            t for spec in s.star_reexports if (t := target(here, spec)) is not None and t != here
        ]
        found = [(t, provides(t, name)) for t in sources]
        if any(state == "maybe" for _, state in found):
            return None
        yes = [t for t, state in found if state == "yes"]
        return yes[0] if len(yes) == 1 else None

    def constant_chain(definer: str, name: str) -> list[tuple[str, str]]:
        """The modules a name ``definer`` exports is re-exported through
        (``export { MODEL } from "./config"``, ``export { default as MODEL }
        from "./config"``, ``export * from "./models"`` when that is the one
        module a star brings it from and the module does not declare it
        itself), with its name in each, down to the module that declares it."""
        hops = [(definer, name)]
        while len(hops) <= 8:
            here, there = hops[-1]
            found = (summary(here) or _EMPTY).reexports.get(there)
            if found is None:
                t = star_source(here, there)
                if t is None or (t, there) in hops:
                    break
                hops.append((t, there))
                continue
            t = target(here, found[0])
            if t is None or (t, found[1]) in hops:
                break
            hops.append((t, found[1]))
        return hops

    def star_unknowns(path: str, depth: int = 0) -> list[str]:
        """The modules ``export * from`` chains of ``path`` reach that the
        prefilter skipped (not analysed yet: whether they bring a name is
        not known)."""
        s = summary(path)
        if s is None or depth > 8:
            return []
        out: list[str] = []
        for spec in s.star_reexports:
            t = target(path, spec)
            if t is None or t == path:
                continue
            if summary(t) is None:
                if final[t].result.skipped:
                    out.append(t)
            else:
                out += star_unknowns(t, depth + 1)
        return out

    def constant_importers() -> dict[tuple[str, str], list[tuple[str, str]]]:
        """``importers`` with the names other modules send as ``model``
        followed through re-exports to the module that declares them; a
        re-export some file of the run imports the name through is not a
        read of its own there (its importers' reads count)."""
        out: dict[tuple[str, str], list[tuple[str, str]]] = {}
        relayed: set[tuple[str, str]] = set()  # (re-exporting module, exported name)
        chains = {key: constant_chain(*key) for key in sorted(importers)}
        for key, users in sorted(importers.items()):
            hops = chains[key]
            if len(hops) > 1 and any(
                (summary(imp) or _EMPTY).sink_uses.get(local) for imp, local in users
            ):
                relayed.update(hops[:-1])
        for (definer, name), users in sorted(importers.items()):
            found = out.setdefault(chains[(definer, name)][-1], [])
            for imp, local in users:
                if local.startswith("export:") and any(
                    (imp, exported) in relayed
                    for exported, (spec, there) in (summary(imp) or _EMPTY).reexports.items()
                    if there == name and target(imp, spec) == definer
                ):
                    continue  # a hop of a chain some file imports it through
                found.append((imp, local))
        return out

    def tell_exporters(only_changed: bool) -> None:
        """2. the modules exporting a client learn the calls made through it
        elsewhere (and what holds it there: ``client_facts``)."""
        todo = {}
        for definer in sorted(exporting):
            s = summary(definer)
            assert s is not None
            uses: list[tuple[str, bool, str, str]] = []
            unknown: list[tuple[str, str]] = []
            facts: set[tuple[str, str, str, str]] = set()
            imported: set[str] = set()
            for name in s.clients:
                # ``getClient()``: the client a factory returns, used through
                # the calls of the function (rules.py: Context.factories)
                base, made = (name[:-2], "()") if name.endswith("()") else (name, "")
                for importer, local in importers.get((definer, base), ()):
                    if local.startswith("export:") and _reexport_read(
                        summary(importer), local, definer, base, reexport_used, importer, target
                    ):
                        continue  # re-exported there: its importers count here (chain)
                    imported.add(name)
                    other = summary(importer)
                    assert other is not None
                    where = _rel(importer, definer)
                    key = local + made if not local.startswith("export:") else local
                    for served, line, resource in other.client_uses.get(key, ()):
                        uses.append((name, served, f"{where}:{line}", resource))
                    if other.other_uses.get(key, 0) > 0:
                        unknown.append((name, where))
                    # model IDs that cannot move sent through it there, requests
                    # the tool did not read (rules.py: Context.external)
                    for kind, line, detail in other.client_facts.get(key, ()):
                        facts.add((name, kind, f"{where}:{line}", detail))
                for path in stars.get(definer, ()):
                    if base != "default" and (path, base) not in reexport_used:
                        # ``export * from`` it, and imported through there by no
                        # file of the run: handed to code the run does not see
                        imported.add(name)
                        unknown.append((name, _rel(path, definer)))
            whole_here = sorted({_rel(p, definer) for p in whole.get(definer, ())})
            if not (uses or unknown or imported or whole_here):
                continue
            todo[definer] = replace(
                given(definer),
                client_uses=tuple(sorted(uses)),
                client_uses_unknown=tuple(sorted(set(unknown))),
                client_facts=tuple(sorted(facts, key=_fact_order)),
                imported_names=frozenset(imported),
                imported_whole=bool(whole_here),
            )
        rerun(_changed(todo, given) if only_changed else todo)

    def tell_importers(only_changed: bool) -> None:
        """3. the importers learn the state of each client they import."""
        states: dict[str, list[tuple[str, str]]] = {}
        for (definer, name), users in sorted(importers.items()):
            s = summary(definer) or _EMPTY
            for made in ("", "()"):  # the client, or a factory's
                state = s.clients.get(name + made)
                if state is None:
                    continue
                for importer, local in users:
                    if local.startswith("export:"):
                        continue
                    states.setdefault(importer, []).append((local + made, state))
                    if state in ("migrate", "unsafe"):
                        units.link(definer, importer)
        todo = {path: replace(given(path), clients=tuple(found)) for path, found in states.items()}
        rerun(_changed(todo, given) if only_changed else todo)

    def tell_constants(only_changed: bool) -> bool:
        """4. model constants: their definers, then their importers (which
        learn the ones their definer keeps as it is: ``followed_kept``).
        True: some importer sends one its definer keeps."""
        from codemods.typescript.rules import EXPORT_KEY

        definers: dict[str, dict[str, dict[str, Any]]] = {}
        users_of = constant_importers()
        for (definer, name), users in users_of.items():
            if definer in whole:
                continue  # its names' reads cannot all be counted
            if not any((summary(imp) or _EMPTY).sink_uses.get(local) for imp, local in users):
                continue
            e = definers.setdefault(definer, {}).setdefault(
                name, {"used_in": set(), "other": 0, "other_files": set(), "safe": True}
            )
            for importer, local in users:
                other = summary(importer) or _EMPTY
                if other.sink_uses.get(local):
                    e["used_in"].add(_rel(importer, definer))
                    e["safe"] = e["safe"] and local in other.safe
                n = other.other_uses.get(local, 0) + len(other.client_uses.get(local, ()))
                if n:
                    e["other"] += n
                    e["other_files"].add(_rel(importer, definer))
        todo = {}
        for definer, names in sorted(definers.items()):
            exports = tuple(
                Export(
                    name=name,
                    used_in=tuple(sorted(e["used_in"])),
                    other_uses=e["other"],
                    other_files=tuple(sorted(e["other_files"])),
                    certain=e["safe"],
                    safe=e["safe"],
                )
                for name, e in sorted(names.items())
            )
            todo[definer] = replace(given(definer), exports=exports)
        rerun(_changed(todo, given) if only_changed else todo)
        followed: dict[str, set[str]] = {}
        kept: dict[str, list[tuple[str, str]]] = {}
        for definer in sorted(definers):
            ds = summary(definer) or _EMPTY
            for name in sorted(ds.handled):
                # a finding there that keeps the ID as it is (rules.py: EXPORT_KEY)
                facts = ds.client_facts.get(EXPORT_KEY + name, ())
                for importer, local in users_of.get((definer, name), ()):
                    if (summary(importer) or _EMPTY).sink_uses.get(local):
                        followed.setdefault(importer, set()).add(local)
                        units.link(definer, importer)
                        where = _rel(definer, importer)
                        for _, line, detail in facts:
                            found = (local, f"{detail} at {where}:{line}")
                            if found not in kept.setdefault(importer, []):
                                kept[importer].append(found)
        todo = {
            path: replace(
                given(path),
                followed=frozenset(names),
                followed_kept=tuple(sorted(kept.get(path, ()))),
            )
            for path, names in followed.items()
        }
        rerun(_changed(todo, given) if only_changed else todo)
        return any(kept.values())

    # the modules the prefilter skipped that re-export a name other modules
    # send as ``model`` (``export { MODEL } from "./config"``, which names no
    # openai): analysed, their summaries say where the name comes from
    star_tried: set[str] = set()
    for _ in range(8):
        todo = {}
        for (definer, name), users in sorted(importers.items()):
            if not any((summary(imp) or _EMPTY).sink_uses.get(local) for imp, local in users):
                continue
            hops = constant_chain(definer, name)
            for here, _there in hops:
                if summary(here) is None and final[here].result.skipped:
                    todo[here] = given(here)
            # ``export * from``: the modules it reaches say what they export
            for t in star_unknowns(hops[-1][0]):
                if t not in star_tried:
                    star_tried.add(t)
                    todo[t] = given(t)
        if not todo:
            break
        rerun(todo)

    # the files the prefilter skipped that import a module defining (or
    # re-exporting) a constant other modules send as ``model``: their reads
    # of it count there (``console.log(MODEL)`` keeps it as it is: OR206)
    sources: set[str] = set()
    for (definer, name), users in sorted(importers.items()):
        if any((summary(imp) or _EMPTY).sink_uses.get(local) for imp, local in users):
            sources.update(here for here, _ in constant_chain(definer, name))
    todo = {}
    for j in jobs if sources else ():
        p = final[j.path]
        if p.summary is not None or not p.result.skipped:
            continue
        data = p.original
        if data is None:
            try:
                with open(j.real, "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
        for m in _SPECIFIER.finditer(data):
            if target(j.path, m.group(1).decode("utf-8", "replace")) in sources:
                todo[j.path] = given(j.path)
                break
    if todo:
        rerun(todo)
        index_imports()

    tell_exporters(False)
    tell_importers(False)
    if tell_callers(True):
        # clients of other modules passed on to a function of the run: the
        # modules that build them learn the calls made there, then their
        # importers what became of them
        tell_exporters(True)
        tell_importers(True)
    if tell_constants(False):
        # an importer sends a constant its definer keeps as it is: the client
        # it goes through is held. Built in a third module, that module learns
        # it from the importer's summary (client_facts), then its importers
        # its state; the other constants sent through a held client move
        # only as unsafe fixes where they are defined (once more: Python's
        # ``client_rounds`` after the constants plan)
        tell_exporters(True)
        tell_importers(True)
        tell_constants(True)

    # 5. exported functions a client is passed to learn the state of what
    # every call in the run passes: the model IDs sent through the
    # parameter move with those clients (and the files move together)
    todo = {}
    for j in jobs:
        ds = summary(j.path)
        if ds is None or not ds.client_params:
            continue
        found: list[tuple[tuple[str, str], str]] = []
        for fn, params in sorted(ds.client_params.items()):
            users = importers.get((j.path, fn), [])
            for param, index in sorted(params.items()):
                state = _callers_state(importers, whole, summary, j.path, fn, index)
                found.append(((fn, param), state))
                if state in ("migrate", "unsafe"):
                    for importer, _ in users:
                        units.link(j.path, importer)
        if any(state != "none" for _, state in found):
            todo[j.path] = replace(given(j.path), param_clients=tuple(found))
    rerun(todo)


def _client_named(s: ModuleSummary, name: str) -> bool:
    """Does ``name`` of the module (summary ``s``) export a client, or a
    factory of one (``getClient()``)?"""
    return name in s.clients or f"{name}()" in s.clients


def _changed(todo: dict[str, ProjectInput], given: Any) -> dict[str, ProjectInput]:
    """The entries of ``todo`` that change what their file was told."""
    return {path: project for path, project in todo.items() if project != given(path)}


def _reexport_read(
    s: ModuleSummary | None,
    local: str,
    definer: str,
    name: str,
    used: set[tuple[str, str]],
    path: str,
    target: Any,
) -> bool:
    """Does some file of the run import the client ``name`` of ``definer``
    through the re-export ``local`` (``export:<specifier>:<name>``) of the
    module at ``path`` (its summary ``s``)? Then its importers count where
    it is built; else the re-export hands it to code the run does not see."""
    if s is None or local not in s.imports:
        return False
    spec = s.imports[local][0]
    if target(path, spec) != definer:
        return False
    return any(
        (path, exported) in used
        for exported, (other, there) in s.reexports.items()
        if other == spec and there == name
    )


def _fact_order(fact: tuple[str, str, str, str]) -> tuple[Any, ...]:
    """client_facts in the order of their places (file, then line)."""
    name, kind, where, detail = fact
    path, _, line = where.rpartition(":")
    return (name, path, int(line) if line.isdigit() else 0, kind, detail)


def _given(args: dict[str, str], index: int) -> str:
    """The state one call passes at ``index`` (ModuleSummary.client_args)."""
    return "unknown" if "*" in args else args.get(str(index), "unknown")


def _callers_state(
    importers: dict[tuple[str, str], list[tuple[str, str]]],
    whole: dict[str, list[str]],
    summary: Any,
    definer: str,
    fn: str,
    index: int,
) -> str:
    """What every call of ``fn`` of ``definer`` in the run passes at
    ``index``, folded (:func:`_fold`); "unknown" when the module is imported
    whole or the function re-exported (its calls are not all seen)."""
    users = importers.get((definer, fn), [])
    if definer in whole or any(local.startswith("export:") for _, local in users):
        return "unknown"
    return _fold(
        {
            _given(args, index)
            for importer, local in users
            for args in (summary(importer) or _EMPTY).client_args.get(local, ())
        }
    )


def _fold(states: set[str]) -> str:
    """What every call passes as one state (Python's ``_fold_states``, with
    "unsafe": a client whose move is an unsafe fix); "none": no call."""
    if not states:
        return "none"
    for state in ("left", "unknown", "unsafe"):
        if state in states:
            return state
    return "openrouter" if states == {"openrouter"} else "migrate"


_EMPTY = ModuleSummary()
