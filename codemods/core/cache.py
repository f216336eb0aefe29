"""Per-file result cache, like ruff's ``.ruff_cache``.

An entry holds one :class:`FileResult` and is found by a key that hashes
everything the result depends on: the file's bytes, the path (findings carry
it), the tool's version and code, and the engine configuration (settings and
the model table's fingerprint). A changed input is a different key, so
entries are never invalidated in place, only left behind. Each tool version
(and entry format) has its own directory; the first entry a run writes
removes the directories of other versions. ``openrouter-migrate clean``
removes the whole cache.

Where: ``.openrouter-migrate-cache/`` at the project root of each file (the
nearest directory with a ``pyproject.toml`` or ``.git`` at or above it, as
ruff does), holding a ``.gitignore`` with ``*``; files of several projects
in one run each use their own project's cache. A file with no project root
uses a directory of the user's cache directory (``$XDG_CACHE_HOME`` or
``~/.cache`` on Linux, ``~/Library/Caches`` on macOS, ``%LOCALAPPDATA%`` on
Windows) keyed by the tree it was found in: the directory named on the
command line (a named file: its directory). Never the working directory,
never beside the source files.

Safety: an entry is written to a temporary file in the same directory and
renamed into place, so a reader sees a whole entry or none, and concurrent
runs writing the same key write the same content. An entry is trusted only
if it parses, carries the format number and the key it is stored under, and
rebuilds a FileResult for the same path; anything else is a miss (and is
overwritten). Failures to create, read or write the cache are silent: the
cache only ever saves time, it never changes a result.

Secrets: a file whose bytes hold a key or URL credentials (see
:func:`codemods.core.secrets.source_holds_secret`) is never cached, so no entry
holds a key, neither in the migrated source nor in a message.

Only files the prefilter lets through get entries: the prefilter (a
substring search) is as cheap as hashing the bytes, so skipped files are
never looked up.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

from codemods import __version__
from codemods.core.findings import FileResult
from codemods.core.writer import _signals_deferred

if TYPE_CHECKING:
    # (imported when a summary is read or written: a warm run decodes none)
    from codemods.core.project import ModuleSummary

CACHE_DIR_NAME = ".openrouter-migrate-cache"
# first line of the cache's .gitignore: how ``clean`` knows the directory is ours
_MARKER = "# Automatically created by openrouter-migrate."
# 2: entries carry the project-pass summary; 3: files holding a key are never
# cached (the first write of a run removes older entries, which may hold one);
# 4: generic summary form (every ModuleSummary field), second-round entries;
# 5: the summary is JSON text inside the entry (a warm run, which never
# decodes it, parses a string instead of its ~40 nested values: about half
# of reading an entry)
FORMAT = 5
_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # codemods/, every front-end


def find_project_root(path: str | os.PathLike[str]) -> Path | None:
    """The nearest directory at or above ``path`` holding a
    ``pyproject.toml`` or ``.git``; None when there is none."""
    start = Path(os.path.abspath(path))
    if not start.is_dir():
        start = start.parent
    for d in (start, *start.parents):
        if (d / "pyproject.toml").is_file() or (d / ".git").exists():
            return d
    return None


def user_cache_dir() -> Path | None:
    """This tool's directory in the user's cache directory (the platform's
    convention); None when there is no home to put it in."""
    try:
        if sys.platform == "win32":
            base = os.environ.get("LOCALAPPDATA") or os.environ.get("APPDATA")
            return Path(base) / "openrouter-migrate" / "Cache" if base else None
        if sys.platform == "darwin":
            return Path.home() / "Library" / "Caches" / "openrouter-migrate"
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        # the XDG spec: a relative value is invalid and must be ignored
        base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
        return base / "openrouter-migrate"
    except (RuntimeError, KeyError, OSError):  # no home directory
        return None


def tree_cache_dir(tree: str | os.PathLike[str]) -> Path | None:
    """The cache directory of a tree without a project root, in the user's
    cache directory: one per tree (its resolved path's hash, after its name
    for people), so trees never share or drop each other's entries."""
    base = user_cache_dir()
    if base is None:
        return None
    real = os.path.realpath(tree)
    digest = hashlib.sha256(os.fsencode(real)).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9._]+", "_", os.path.basename(real))[:40] or "root"
    return base / f"{name}-{digest}"


def cache_dir_for(path: str | os.PathLike[str]) -> Path | None:
    """Where the cache of the files at ``path`` lives (what ``clean PATH``
    removes): ``.openrouter-migrate-cache`` at the project root, else the
    tree's directory in the user cache directory (``path`` is the tree; a
    file: its directory)."""
    root = find_project_root(path)
    if root is not None:
        return root / CACHE_DIR_NAME
    tree = os.path.abspath(path)
    if not os.path.isdir(tree):
        tree = os.path.dirname(tree)
    return tree_cache_dir(tree)


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Changes whenever the tool's code or shipped data change (also between
    releases with the same version number, e.g. an editable install)."""
    h = hashlib.sha256(f"{__version__}\0{FORMAT}".encode())
    # a front-end's parse depends on its parser's version (the TypeScript/
    # JavaScript grammars: codemods/core/frontends.py)
    from codemods.core.frontends import versions

    h.update(versions().encode())
    # every run computes this: os.walk and string paths (pathlib's rglob
    # took ~10 ms for the package's ~100 files)
    for root in (str(_PACKAGE_DIR), str(_PACKAGE_DIR.parent / "mappings")):
        found = []
        for directory, subdirs, names in os.walk(root):
            subdirs[:] = [d for d in subdirs if d != "__pycache__"]
            found += [os.path.join(directory, name) for name in names]
        for p in sorted(found):
            try:
                st = os.stat(p)
            except OSError:
                continue
            if not S_ISREG(st.st_mode):
                continue
            rel = os.path.relpath(p, root)
            h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def config_fingerprint(config: Any) -> str:
    """The engine configuration's part of the key: settings and the model
    table's content (not its file names; the shipped table: the code
    fingerprint, see ``EngineConfig.table_key``)."""
    blob = f"{config.settings!r}\0{config.table_key()}\0{code_fingerprint()}"
    return hashlib.sha256(blob.encode()).hexdigest()


class Cache:
    """The result cache of one run (one configuration)."""

    def __init__(self, root: Path, config_key: str, *, directory: Path | None = None) -> None:
        self.dir = directory if directory is not None else root / CACHE_DIR_NAME
        self.entries = self.dir / f"v{__version__}-f{FORMAT}"
        self.config_key = config_key
        self._ready = False
        self.hits = 0
        self.misses = 0

    def key(self, path: str, data: bytes, extra: str = "") -> str:
        """The key of a file's result: ``extra`` is what else the result
        depends on (the project pass's input for a second round)."""
        return self.key_of_digest(path, hashlib.sha256(data).digest(), extra)

    def key_of_digest(self, path: str, digest: bytes, extra: str = "") -> str:
        h = hashlib.sha256(self.config_key.encode())
        h.update(b"\0")
        h.update(path.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
        h.update(digest)
        if extra:
            h.update(b"\0project\0")
            h.update(extra.encode("utf-8", "surrogateescape"))
        return h.hexdigest()

    def _entry(self, key: str) -> Path:
        return self.entries / key[:2] / f"{key[2:]}.json"

    def get(self, key: str, path: str) -> FileResult | None:
        entry = self.get_entry(key, path)
        return None if entry is None else entry[0]

    def get_entry(
        self, key: str, path: str, summary: bool = True
    ) -> tuple[FileResult, ModuleSummary | None] | None:
        """The cached result and project-pass summary of one file, or None.
        ``summary=False``: the summary is not decoded (None; a replayed
        project pass never plans, and decoding is most of a lookup)."""
        try:
            with open(self._entry(key), "rb") as fh:
                d = json.loads(fh.read())
            if d.get("format") != FORMAT or d.get("key") != key:
                raise ValueError("not this entry")
            result = FileResult.from_dict(d["result"])
            if result.path != path:
                raise ValueError("other path")
            raw = d.get("summary")
            decoded = None
            if raw is not None and summary:
                from codemods.core.project import summary_from_dict

                if not isinstance(raw, str):
                    raise ValueError("not a summary")
                decoded = summary_from_dict(json.loads(raw))
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            # corrupt, truncated by hand, or from another format: never trusted
            self.misses += 1
            return None
        self.hits += 1
        return result, decoded

    def put(self, key: str, result: FileResult, summary: ModuleSummary | None = None) -> None:
        from codemods.core.project import summary_to_dict

        entry = self._entry(key)
        try:
            self._prepare(entry.parent)
            blob = json.dumps(
                {
                    "format": FORMAT,
                    "key": key,
                    "result": result.to_dict(),
                    "summary": None
                    if summary is None
                    else json.dumps(summary_to_dict(summary), separators=(",", ":")),
                },
                separators=(",", ":"),
            ).encode()
            # Ctrl-C is held until the entry is in place or its temp file gone
            import tempfile

            with _signals_deferred():
                fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".json")
                try:
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(blob)
                    os.replace(tmp, entry)
                except BaseException:
                    try:
                        os.unlink(tmp)
                    except OSError:
                        pass
                    raise
        except (OSError, TypeError, ValueError):
            pass  # read-only tree, full disk, a value with no cached form: not cached

    def _prepare(self, directory: Path) -> None:
        if not self._ready:
            self.dir.mkdir(parents=True, exist_ok=True)  # the user cache dir may be new
            ignore = self.dir / ".gitignore"
            if not ignore.exists():
                import tempfile

                fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-")
                with os.fdopen(fd, "w") as fh:
                    fh.write(f"{_MARKER}\n*\n")
                os.replace(tmp, ignore)
            self._drop_other_versions()
            self._ready = True
        directory.mkdir(parents=True, exist_ok=True)

    def _drop_other_versions(self) -> None:
        """Entries of other versions are never read again (see the key):
        remove them, once per run that writes. Best effort."""
        try:
            siblings = list(os.scandir(self.dir))
        except OSError:
            return
        for entry in siblings:
            if (
                entry.is_dir(follow_symlinks=False)
                and _VERSION_DIR.fullmatch(entry.name)
                and entry.path != str(self.entries)
            ):
                _remove_tree(entry.path)


_VERSION_DIR = re.compile(r"v[^/\\]+-f\d+")

#: a file modified less than this before the run read it may change again
#: within the file system's timestamp granularity without its stat changing:
#: its stat is not trusted next time (its content hash is checked instead)
RACY_NS = 2_000_000_000


class IndexEntry:
    """What the project index knows about one file, as of one stat."""

    __slots__ = ("stat", "digest", "candidate", "asked", "found", "trusted")

    def __init__(
        self,
        stat: tuple[int, int, int, int],
        digest: bytes,
        candidate: bool,
        asked: frozenset[str] = frozenset(),
        found: frozenset[str] = frozenset(),
        trusted: bool = True,
    ) -> None:
        self.stat = stat  # (size, mtime_ns, ctime_ns, inode)
        self.digest = digest  # sha256 of the bytes
        self.candidate = candidate  # the prefilter let it through
        self.asked = asked  # names the text scan looked for (files without a summary)
        self.found = found  # those it mentions
        self.trusted = trusted  # False: racy, check the content hash before use


def stat_key(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


class ProjectIndex:
    """Per-file facts of the project pass, found by a file's stat: an
    unchanged file costs a ``stat``, not a read (like ruff's cache: size and
    modification time, plus change time and inode, under the configuration's
    key). A file whose stat is not trusted (modified within
    :data:`RACY_NS` of the run that read it: a later change may keep the same
    stat) is read and its content hash compared: same bytes, same facts.

    One file per configuration, ``index-<key>.marshal`` in the version
    directory: a marshal dump (the format Python's own ``.pyc`` cache uses:
    same trust as ``__pycache__``), written atomically; anything unreadable
    is an empty index. Candidates' results stay in the per-file entries,
    found by their content hash (:meth:`Cache.key_of_digest`)."""

    MAGIC = "openrouter-migrate-index"

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.path = cache.entries / f"index-{cache.config_key[:32]}.marshal"
        self.entries: dict[str, IndexEntry] = {}
        # the outcomes of the project pass's second round (see remember())
        self.memos: dict[bytes, dict[str, str]] = {}
        self.dirty = False
        self.started_ns = time.time_ns()
        self.stats = {"fresh": 0, "rehashed": 0, "read": 0}
        self._load()

    def _load(self) -> None:
        import marshal
        import sys

        try:
            with open(self.path, "rb") as fh:
                raw = marshal.loads(fh.read())
            magic, fmt, version, key, wsets, files, memos = raw
            if (magic, fmt, version, key) != (
                self.MAGIC,
                FORMAT,
                sys.version_info[:2],
                self.cache.config_key,
            ):
                return
            sets = [frozenset(w) for w in wsets]
            empty: frozenset[str] = frozenset()
            entries = {}
            for real, (st, digest, cand, wid, found, trusted) in files.items():
                entries[real] = IndexEntry(
                    tuple(st),  # type: ignore[arg-type]
                    digest,
                    cand,
                    sets[wid] if wid >= 0 else empty,
                    frozenset(found) if found else empty,
                    trusted,
                )
            self.entries = entries
            self.memos = {
                k: v
                for k, v in memos
                if isinstance(k, bytes)
                and isinstance(v, dict)
                and all(isinstance(p, str) and isinstance(e, str) for p, e in v.items())
            }
        except Exception:  # noqa: BLE001 - missing, corrupt, other Python: start empty
            self.entries = {}
            self.memos = {}

    def fresh(self, real: str, st: os.stat_result) -> IndexEntry | None:
        """The entry of an unchanged file (its stat is the one recorded and
        is trusted), else None."""
        e = self.entries.get(real)
        if e is not None and e.trusted and e.stat == stat_key(st):
            self.stats["fresh"] += 1
            return e
        return None

    def fresh_all(self, reals: list[str]) -> list[IndexEntry] | None:
        """The entries of files that are all unchanged (:meth:`fresh`), in
        order; None at the first that is not (unknown, untrusted, or another
        stat), without a ``stat`` of the rest."""
        get = self.entries.get
        stat = os.stat
        out: list[IndexEntry] = []
        for real in reals:
            e = get(real)
            if e is None or not e.trusted:
                return None
            try:
                st = stat(real)
            except OSError:
                return None
            if e.stat != (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino):
                return None
            out.append(e)
        self.stats["fresh"] += len(out)
        return out

    def same_content(self, real: str, digest: bytes) -> IndexEntry | None:
        """The entry of a file read again whose bytes are the recorded ones."""
        e = self.entries.get(real)
        if e is not None and e.digest == digest:
            self.stats["rehashed"] += 1
            return e
        return None

    def record(
        self,
        real: str,
        st: os.stat_result | None,
        digest: bytes,
        candidate: bool,
        asked: frozenset[str] = frozenset(),
        found: frozenset[str] = frozenset(),
    ) -> None:
        """What a read of the file found (``st``: its stat before the read)."""
        if st is None:
            self.entries.pop(real, None)
            return
        self.stats["read"] += 1
        trusted = st.st_mtime_ns < self.started_ns - RACY_NS
        self.entries[real] = IndexEntry(stat_key(st), digest, candidate, asked, found, trusted)
        self.dirty = True

    def scanned(self, real: str, asked: frozenset[str], found: frozenset[str]) -> None:
        """What the text scan knows about a file after the run."""
        e = self.entries.get(real)
        if e is None or (e.asked is asked and e.found == found):
            return
        if e.asked == asked and e.found == found:
            return
        e.asked, e.found = asked, found
        self.dirty = True

    #: outcomes kept (a run over the tree, single-file runs: each its own)
    MEMOS = 4

    def memo(self, run_key: bytes) -> dict[str, str] | None:
        """What the second round of the run with this key (its files, in
        order, and their content hashes) processed again: path -> the cache
        key of its final result; None: not known."""
        return self.memos.get(run_key)

    def remember(self, run_key: bytes, finals: dict[str, str]) -> None:
        if self.memos.get(run_key) == finals:
            return
        self.memos.pop(run_key, None)
        self.memos[run_key] = dict(finals)
        while len(self.memos) > self.MEMOS:
            del self.memos[next(iter(self.memos))]  # the oldest
        self.dirty = True

    def save(self) -> None:
        import marshal
        import sys

        if not self.dirty:
            return
        ids: dict[int, int] = {}
        wsets: list[tuple[str, ...]] = []
        by_value: dict[frozenset[str], int] = {}
        files = {}
        for real, e in self.entries.items():
            wid = -1
            if e.asked:
                wid = ids.get(id(e.asked), -1)
                if wid < 0:
                    wid = by_value.get(e.asked, -1)
                    if wid < 0:
                        wid = by_value[e.asked] = len(wsets)
                        wsets.append(tuple(sorted(e.asked)))
                    ids[id(e.asked)] = wid
            found = tuple(sorted(e.found)) if e.found else ()
            files[real] = (e.stat, e.digest, e.candidate, wid, found, e.trusted)
        blob = marshal.dumps(
            (
                self.MAGIC,
                FORMAT,
                sys.version_info[:2],
                self.cache.config_key,
                wsets,
                files,
                list(self.memos.items()),
            )
        )
        try:
            self.cache._prepare(self.path.parent)
            import tempfile

            with _signals_deferred():
                fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-", suffix=".index")
                try:
                    with os.fdopen(fd, "wb") as fh:
                        fh.write(blob)
                    os.replace(tmp, self.path)
                except BaseException:
                    try:
                        os.unlink(tmp)
                    except OSError:
                        pass
                    raise
        except OSError:
            pass  # the index only saves time
        self.dirty = False


def _remove_tree(path: str) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


class Caches:
    """The caches of one run (one configuration): each file's entries go to
    its project's cache (:func:`cache_dir_for`), or, with no project root,
    to the cache of the command-line path it was found under."""

    def __init__(self, paths: list[str], config: Any) -> None:
        self.config_key = config_fingerprint(config)
        trees = []
        for p in paths or ["."]:
            a = os.path.abspath(p)
            trees.append(a if os.path.isdir(a) else os.path.dirname(a))
        # deepest first: a file belongs to the innermost path it was found under
        self.trees = sorted(set(trees), key=len, reverse=True)
        self._by_dir: dict[str, Cache | None] = {}
        self._by_written: dict[str, Cache | None] = {}
        self._by_cache_dir: dict[Path, Cache] = {}
        self._roots: dict[str, Path | None] = {}

    def for_file(self, path: str) -> Cache | None:
        """The cache for the file at ``path`` (None: nowhere to put one)."""
        # by the directory as written first: one dict lookup per file (the
        # working directory does not change during a run)
        written = os.path.dirname(path)
        if written in self._by_written:
            return self._by_written[written]
        directory = os.path.dirname(os.path.abspath(path))
        if directory in self._by_dir:
            self._by_written[written] = self._by_dir[directory]
            return self._by_dir[directory]
        root = self._root_of(directory)
        if root is not None:
            where: Path | None = root / CACHE_DIR_NAME
        else:
            tree = next(
                (t for t in self.trees if directory == t or directory.startswith(t + os.sep)),
                directory,
            )
            where = tree_cache_dir(tree)
        cache = None
        if where is not None:
            cache = self._by_cache_dir.get(where)
            if cache is None:
                cache = Cache(where.parent, self.config_key, directory=where)
                self._by_cache_dir[where] = cache
        self._by_dir[directory] = cache
        self._by_written[written] = cache
        return cache

    def _root_of(self, directory: str) -> Path | None:
        """:func:`find_project_root` of an absolute directory, remembering
        every directory on the way up (a tree's directories share them)."""
        chain: list[str] = []
        d = directory
        while d not in self._roots:
            chain.append(d)
            p = Path(d)
            if (p / "pyproject.toml").is_file() or (p / ".git").exists():
                self._roots[d] = p
                break
            parent = os.path.dirname(d)
            if parent == d:
                self._roots[d] = None
                break
            d = parent
        root = self._roots[d]
        for c in chain:
            self._roots[c] = root
        return root


def caches_to_clean(path: str | os.PathLike[str]) -> list[Path]:
    """What ``clean PATH`` removes: the cache the files at ``path`` use
    (:func:`cache_dir_for`), and, for a directory, the caches of the
    projects below it (a run over the directory put their files there).
    Symbolic links are not followed; ``.git`` is not entered."""
    found: list[Path] = []
    first = cache_dir_for(path)
    if first is not None:
        found.append(first)
    if os.path.isdir(path):
        for dirpath, dirnames, _ in os.walk(path):
            if CACHE_DIR_NAME in dirnames:
                nested = Path(dirpath) / CACHE_DIR_NAME
                if first is None or os.path.abspath(nested) != os.path.abspath(first):
                    found.append(nested)
            dirnames[:] = [d for d in dirnames if d not in (".git", CACHE_DIR_NAME)]
    return found


def clean(root: Path) -> Path | None:
    """Remove the cache directory under ``root`` (the project root); the
    removed path, or None when there was none. Refuses anything that does
    not look like this tool's cache (no ``.gitignore`` we wrote)."""
    return clean_dir(root / CACHE_DIR_NAME)


def clean_dir(target: Path) -> Path | None:
    """Remove the cache directory ``target`` (see :func:`clean`)."""
    if target.is_symlink() or not target.is_dir():
        return None
    ignore = target / ".gitignore"
    try:
        ours = ignore.read_text(encoding="utf-8").startswith(_MARKER)
    except OSError:
        ours = False
    if not ours:
        raise OSError(f"{target} does not look like an openrouter-migrate cache; not removed")
    _remove_tree(str(target))
    if target.exists():
        raise OSError(f"could not remove all of {target}")
    return target
