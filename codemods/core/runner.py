"""From paths to a stream of per-file results (the pipeline before the sink).

    paths -> discover -> read -> prefilter -> cache -> engine (workers) -> FileResult ...

Reading and processing are separate from writing: the CLI decides, per
command, whether a result becomes a report, a diff or a write.

How the work is split, and why:

* The parent process reads every file and runs the prefilter (a substring
  search: as cheap as reading). Most files of a large tree stop there, so a
  tree without OpenAI usage never imports LibCST and never starts a worker.
* A candidate is looked up in the cache (``codemods.core.cache``); a hit is
  reused as is.
* The rest is parsed: in-process with ``jobs=1``, else by a pool of worker
  processes (started at the first file that needs parsing), which get the
  bytes in chunks of a few files (one message per chunk, not per file).
  Workers are importable top-level functions and the configuration is
  picklable, so fork and spawn both work; each worker loads the model table
  once and runs the engine on its own deep-stack thread.
* The project pass (:func:`_run_project`) analyses some files again in
  its second round, with what other modules said. Its workers are one
  single-process pool each (:class:`_Members`) and keep the parsed trees of
  the files likely to come back (``codemods.python.engine.keep_trees``); a file
  goes back to the worker that parsed it, which skips the parse (~75% of
  an analysis). A forking parent imports LibCST once for all workers.
* Interruption (Ctrl-C, SIGTERM): the parent decides. Workers ignore both
  signals (a terminal's Ctrl-C reaches the whole process group), and are
  started with them blocked so that none can arrive before that is set up;
  the pool's threads in the parent keep them blocked, so a signal always
  wakes the main thread. An interrupted run kills its workers (they hold
  nothing worth saving: they only read) and reaps them, in bounded time
  (:func:`stop_all_pools`).
* Results come back in input order, as soon as the file and all before it
  are done. At most ``2 * jobs`` chunks are in flight and a bounded number
  of finished results wait for an earlier one, so memory does not grow with
  the number of files; the original bytes are kept only for files whose
  migration changed them (``migrate`` needs them to diff and to write).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from codemods.core.discovery import discover
from codemods.core.engine import EngineConfig
from codemods.core.findings import FileError, FileResult
from codemods.core.frontends import FRONTENDS, front_end_for, preload, resolve
from codemods.core.prefilter import may_need_work
from codemods.core.secrets import source_holds_secret
from codemods.core.writer import FileIOError, read_source

if TYPE_CHECKING:
    from concurrent.futures import Future

    from codemods.core.cache import Cache, Caches, IndexEntry, ProjectIndex
    from codemods.core.project import ModuleSummary, ProjectInput
    from codemods.core.units import Units
    from codemods.python.project import FileInfo

#: files and bytes per message to a worker (amortises IPC; small enough
#: that results stream and the last chunks balance across workers)
CHUNK_FILES = 4
CHUNK_BYTES = 256 * 1024
#: finished results allowed to wait behind an unfinished earlier file
MAX_WAITING = 4096
#: multiprocessing start method for workers (None: the platform's default)
MP_START_METHOD: str | None = None
#: a Python file this big is announced (``RunInput.on_large_file``) before
#: it is analysed: LibCST takes about a second per 100 KiB (see README)
LARGE_FILE_BYTES = 256 * 1024


@dataclass
class Job:
    """A file to process: its display path and where to read it."""

    path: str
    real: str  # the resolved path (discovery's), to read and write


@dataclass
class RunInput:
    paths: Sequence[str]
    config: EngineConfig = field(default_factory=EngineConfig)
    exclude: Sequence[str] = ()
    force_exclude: bool = False
    include_notebooks: bool = True
    #: worker processes; 1 = in-process; None or 0 = one per CPU
    jobs: int | None = 1
    #: read and write the result cache (``.openrouter-migrate-cache`` at each
    #: file's project root, see :mod:`codemods.core.cache`)
    cache: bool = False
    #: files named in ``paths`` are analysed with the whole project around
    #: them (the nearest directory holding ``pyproject.toml`` or ``.git``):
    #: every file of it goes through the project pass (cached), only the
    #: named files are reported (see :func:`project_context`)
    project_context: bool = False
    #: the paths as the user gave them (None: ``paths``); ``paths`` may be
    #: the files an ``include`` setting kept
    given: Sequence[str] | None = None
    #: the ``include`` globs of the configuration (for the project's files)
    include: Sequence[str] | None = None
    #: the excludes for the project's files (None: ``exclude``)
    context_exclude: Sequence[str] | None = None
    #: called with (path, size) when a Python file of LARGE_FILE_BYTES or
    #: more (and within the size limit) is about to be analysed
    on_large_file: Callable[[str, int], None] | None = None


@dataclass
class Processed:
    result: FileResult
    original: bytes | None  # the bytes read, kept only when the result changed them
    real: str | None
    # what the file tells the project pass (None: not parsed, or a notebook)
    summary: ModuleSummary | None = None
    # what the project index knew of its text scan: (names asked, found)
    mentions: tuple[frozenset[str], frozenset[str]] | None = None
    # the other files of its migration unit (codemods/core/units.py): written
    # together with it or not at all
    unit: tuple[str, ...] = ()
    # the members of that unit this run changes or fails on but does not
    # report (outside the files named): (path, real path, failed)
    unit_outside: tuple[tuple[str, str | None, bool], ...] = ()
    # round 1 of the project pass: the file's result with the input the
    # second round is likely to give it, and the bytes it was computed on
    # (see _first_round); the second round takes it for exactly that input
    ahead: tuple[Any, bytes] | None = None


def resolve_jobs(jobs: int | None) -> int:
    if not jobs or jobs < 1:
        return os.cpu_count() or 1
    return jobs


def collect_jobs(inp: RunInput) -> tuple[list[Job], list[FileError]]:
    found, problems = discover(
        list(inp.paths),
        include_notebooks=inp.include_notebooks,
        exclude=list(inp.exclude),
        force_exclude=inp.force_exclude,
    )
    jobs = [Job(d.display, d.real_path) for d in found]
    errors = [FileError(p.path, p.message) for p in problems]
    return jobs, errors


def candidate(path: str, data: bytes, config: EngineConfig | None = None) -> bool:
    """Can this file need work? (The prefilter; every notebook; suppression
    comments when unused ones are to be reported.)"""
    if may_need_work(data) or path.endswith(".ipynb"):
        # a notebook is always read: a broken one is an error to report, and
        # its JSON may spell letters as \\u escapes the prefilter cannot see
        return True
    if (
        config is not None
        and config.settings.report_unused_noqa
        and (b"noqa" in data or b"openrouter-migrate" in data)
    ):
        return True
    return False


# --- the per-file work (runs in the parent with jobs=1, else in workers) ----

_worker_config: EngineConfig | None = None


def _process_bytes(
    path: str, data: bytes, config: EngineConfig
) -> tuple[FileResult, ModuleSummary | None]:
    """Parse and check one candidate (the prefilter already let it through);
    also what the file tells the project pass."""
    try:
        front_end = front_end_for(path, data)
        request = _ahead_request
        if request is not None and front_end.ahead is not None:
            result, summary, ahead = resolve(front_end.ahead)(path, data, config, request[0])
            if ahead is not None:
                request[1].append(ahead)
            return result, summary
        return resolve(front_end.engine)(path, data, config)
    except Exception as e:  # noqa: BLE001 - one file's bug must not end the run
        return FileResult(
            path, errors=[FileError(path, f"internal error: {type(e).__name__}: {e}")]
        ), None


#: _first_round asks _process_bytes for what the front-end computes ahead
#: for the second round: the file's resolved path, and where to put it
_ahead_request: tuple[str, list[Any]] | None = None


def _first_round(
    path: str, data: bytes, config: EngineConfig, real: str
) -> tuple[FileResult, ModuleSummary | None, Any]:
    """The project pass's first round of one candidate: :func:`_process_bytes`,
    and what the front-end computed ahead for the second round (its
    ``ahead`` entry: codemods/python/engine.py ``Ahead``; None: nothing)."""
    global _ahead_request
    box: list[Any] = []
    _ahead_request = (real, box)
    try:
        result, summary = _process_bytes(path, data, config)
    finally:
        _ahead_request = None
    return result, summary, (box[0] if box else None)


#: signals the parent handles for the whole run (see the module docstring)
_RUN_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name)
)


@contextlib.contextmanager
def _run_signals_blocked() -> Iterator[None]:
    """Block SIGINT/SIGTERM in this thread for the block: processes forked and
    threads started in it inherit the mask. A signal that arrives meanwhile
    is delivered when the block ends."""
    if not hasattr(signal, "pthread_sigmask"):
        yield  # Windows: no signal masks (and no process groups to signal)
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _RUN_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _worker_ignores_run_signals() -> None:
    for sig in _RUN_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _RUN_SIGNALS)


def _init_worker(config: EngineConfig, keep_trees: bool = False) -> None:
    global _worker_config
    # first: the parent handles Ctrl-C/SIGTERM and stops the workers itself
    _worker_ignores_run_signals()
    _worker_config = config
    config.table()  # load (and validate) the model table once per worker
    preload()  # before the first chunk (inherited when forked)
    # the project pass: the second round analyses again, on the worker that
    # parsed it (_Members), a file whose tree this worker keeps
    import codemods.python.engine

    codemods.python.engine.keep_trees(keep_trees)

    _tune_gc()


def _tune_gc() -> tuple[int, int, int]:
    """Make the cyclic garbage collector rare while parsing.

    A LibCST tree is tens of thousands of objects without reference cycles
    (nodes do not point at their parents), and the engine makes none that
    hold one (``analysis.read_walk`` breaks its closure's): reference
    counting frees each tree when its file is done. The collector,
    triggered every 700 net allocations, mostly re-scans the tree being
    built. Freezing what is loaded so far and collecting the young
    generation every 20,000 net allocations measured on the dense benchmark
    tree (1,000 files, ``--jobs 1``): GC time 1.3 s -> 0.15 s. (Before the
    closure cycle was broken, dead trees piled up between collections and
    a large threshold made each collection slower instead.) Returns the
    old thresholds.
    """
    import gc

    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(20_000, 20, 100)
    return old


def _restore_gc(old: tuple[int, int, int]) -> None:
    import gc

    gc.set_threshold(*old)
    gc.unfreeze()


def _work_chunk(
    items: list[tuple[str, bytes, str]], ahead: bool = False
) -> list[tuple[FileResult, ModuleSummary | None, Any]]:
    """Process a chunk of candidates (path, bytes, resolved path) in a worker
    (``ahead``: the project pass's first round, :func:`_first_round`)."""
    config = _worker_config
    assert config is not None, "worker not initialised"
    if ahead:
        return [_first_round(path, data, config, real) for path, data, real in items]
    return [(*_process_bytes(path, data, config), None) for path, data, _ in items]


def _process_project(
    path: str, data: bytes, config: EngineConfig, project: ProjectInput
) -> tuple[FileResult, ModuleSummary | None]:
    """A second-round file: analysed with what the other files said."""
    try:
        return resolve(front_end_for(path, data).with_project)(path, data, config, project)
    except Exception as e:  # noqa: BLE001 - one file's bug must not end the run
        return FileResult(
            path, errors=[FileError(path, f"internal error: {type(e).__name__}: {e}")]
        ), None


def _work_project(
    items: list[tuple[str, bytes, ProjectInput]],
) -> list[tuple[FileResult, ModuleSummary | None]]:
    config = _worker_config
    assert config is not None, "worker not initialised"
    return [_process_project(path, data, config, project) for path, data, project in items]


def _scan_files(
    reals: list[str], names: tuple[str, ...], again: bool = False
) -> list[tuple[str, ...]]:
    """The text scan of a share of the files, in a worker (see
    :class:`codemods.python.project.Mentions`): the names each file mentions
    (``again``: files scanned before for other names)."""
    from codemods.python.project import mentioned

    encoded = {n.encode("utf-8", "surrogateescape"): n for n in names}
    keys = frozenset(encoded)
    out = []
    for real in reals:
        try:
            data = read_source(real)
        except FileIOError:
            data = b""
        hits = mentioned(data, keys, again)
        out.append(tuple(encoded[h] for h in hits))
    return out


def process_job(job: Job, config: EngineConfig) -> Processed:
    """Read and process one file in this process (no cache)."""
    try:
        data = read_source(job.real)
    except FileIOError as e:
        return Processed(
            FileResult(job.path, errors=[FileError(job.path, e.reason)]), None, job.real
        )
    if not candidate(job.path, data, config):
        return Processed(FileResult(job.path, skipped=True), None, job.real)
    result, summary = _process_bytes(job.path, data, config)
    return Processed(result, data if result.changed else None, job.real, summary)


# --- the pipeline ------------------------------------------------------------


@dataclass
class _Pending:
    """A candidate sent to a worker: what is needed once its result is back."""

    job: Job
    data: bytes
    key: str | None
    cache: Cache | None
    chunk: _Chunk


@dataclass
class _Chunk:
    items: list[_Pending] = field(default_factory=list)
    size: int = 0
    future: Future[list[tuple[FileResult, ModuleSummary | None, Any]]] | None = None
    results: list[tuple[FileResult, ModuleSummary | None, Any]] | None = None
    #: the workers it was sent to (a chunk that fails with a pool already
    #: replaced must not stop the new one)
    pool: Any = None


# a key of a remembered second round that is not a path (paths hold no NUL):
# one migration unit (codemods/core/units.py), its paths joined by NUL
_UNIT_KEY = "\0unit:"


class _Pipeline:
    def __init__(self, inp: RunInput, jobs: list[Job], project: bool = False) -> None:
        self.inp = inp
        # the project pass keeps the workers for its second round: close()
        self.keep_open = project
        self.project = project
        self.jobs = jobs
        self.workers = resolve_jobs(inp.jobs)
        self.caches: Caches | None = None
        # the project index of each cache (the project pass: an unchanged
        # file costs a stat), found through the file's own project cache
        self.indexes: dict[int, ProjectIndex] = {}
        if inp.cache and jobs:
            from codemods.core.cache import Caches

            self.caches = Caches(list(inp.paths), inp.config)
        self.executor: Any = None
        self.old_gc: tuple[int, int, int] | None = None
        self.queue: deque[Processed | _Pending] = deque()
        self.open: _Chunk | None = None
        self.in_flight = 0
        # the replay of an unchanged project (see :meth:`replay`): each file's
        # content hash as read or as the index knew it, and the cache key of
        # each second-round result (None: not cached)
        self.digests: dict[str, bytes] = {}
        self.final_keys: dict[str, str | None] = {}
        # the project pass: the worker (index in _Members) that last analysed
        # each file, and so keeps its tree
        self.homes: dict[str, int] = {}

    # results in input order
    def __iter__(self) -> Iterator[Processed]:
        finished = False
        try:
            for job in self.jobs:
                ready = self._admit(job)
                if ready is not None and not self.queue:
                    yield ready  # nothing earlier is pending: stream it at once
                    continue
                if ready is not None:
                    self.queue.append(ready)
                yield from self._drain(block=False)
                while self.in_flight >= 2 * self.workers or len(self.queue) > MAX_WAITING:
                    yield from self._drain(block=True, one=True)
            self._submit_open()
            yield from self._drain(block=True)
            finished = True
        finally:
            # interrupted, or the consumer stopped early: stop the workers now,
            # also those the project pass would keep for its second round
            if not self.keep_open or not finished:
                self.close(finished)

    def close(self, finished: bool = True) -> None:
        """Stop the workers and give the garbage collector back: a finished
        run lets them end; an interrupted one kills and reaps them
        (:func:`_stop_pool`)."""
        if self.executor is not None:
            if finished:
                _forget_pool(self.executor)
                self.executor.shutdown(wait=True, cancel_futures=True)
            else:
                _stop_pool(self.executor)
            self.executor = None
        if self.old_gc is not None:
            _restore_gc(self.old_gc)
            self.old_gc = None
        if self.project:
            from codemods.python.engine import keep_trees

            keep_trees(False)

    def cache_of(self, path: str) -> Cache | None:
        """The cache of the file at ``path`` (its project's)."""
        return None if self.caches is None else self.caches.for_file(path)

    def index_of(self, cache: Cache | None) -> ProjectIndex | None:
        """The project index kept in ``cache`` (project pass only)."""
        if cache is None or not self.project:
            return None
        index = self.indexes.get(id(cache))
        if index is None:
            from codemods.core.cache import ProjectIndex

            index = self.indexes[id(cache)] = ProjectIndex(cache)
        return index

    def save_indexes(self) -> None:
        for index in self.indexes.values():
            index.save()

    # -- the replay of an unchanged project ----------------------------------

    def _run_key(self, jobs: list[Job]) -> tuple[ProjectIndex, bytes] | None:
        """The project index all ``jobs`` share and the hash of what the
        project pass's outcome depends on besides the configuration (which
        the index is keyed by): every file's path, resolved path and content
        hash, in order. None: a file was not read, holds a key (never
        indexed), or the files use several caches."""
        index = None
        for job in jobs:
            digest = self.digests.get(job.path)
            if digest is None:
                return None
            mine = self.index_of(self.cache_of(job.path))
            if mine is None or (index is not None and mine is not index):
                return None
            index = mine
        return None if index is None else (index, self._hash_run(jobs))

    def _hash_run(self, jobs: list[Job]) -> bytes:
        """The hash of every job's path, resolved path and content hash (in
        ``digests``), in order (see :meth:`_run_key`)."""
        h = hashlib.sha256()
        digests = self.digests
        for job in jobs:
            h.update(f"{job.path}\0{job.real}\0".encode("utf-8", "surrogateescape"))
            h.update(digests[job.path])
        return h.digest()

    def replay(self, jobs: list[Job], final: dict[str, Processed], units: Units) -> bool:
        """The second round of a project whose files are all as they were
        when the index recorded its outcome (:meth:`remember`): the results
        of the files it processed again, from the cache, without planning.
        False (``final`` untouched): not known, or an entry is missing."""
        found = self._run_key(jobs)
        if found is None:
            return False
        index, key = found
        memo = index.memo(key)
        if memo is None:
            return False
        by_path = {job.path: job for job in jobs}
        out: dict[str, Processed] = {}
        groups: list[list[str]] = []
        for path, entry_key in memo.items():
            if path.startswith(_UNIT_KEY):  # a migration unit the round found
                groups.append(entry_key.split("\0"))
                continue
            job = by_path.get(path)
            cache = self.cache_of(path)
            entry = None if job is None or cache is None else cache.get_entry(entry_key, path)
            if entry is None:
                return False
            assert job is not None
            result, summary = entry
            ok, data = _bytes_of_changed(result, job.real, self.digests[path])
            if not ok:
                return False
            out[path] = Processed(result, data, job.real, summary)
        final.update(out)
        for group in groups:
            for other in group[1:]:
                units.link(group[0], other)
        self.save_indexes()
        return True

    def replay_unchanged(
        self, jobs: list[Job], units: Units, report: set[str] | None = None
    ) -> dict[str, Processed] | None:
        """The whole project pass of a project whose files all have the stat
        the index recorded, with the outcome of its second round known
        (:meth:`replay`), from the index and the cache alone: a ``stat`` per
        file, and one cache entry per file whose result is needed, without
        the summaries (the planner does not run) and without importing an
        engine. The result of a file the second round processed again is
        read once (the final one, not round 1's too). ``report``: only
        those files and the other members of their migration units are
        needed (a named file, pre-commit: the rest of the project costs a
        stat). None (nothing changed): run the pass."""
        if self.caches is None:
            return None
        # one cache (so one index) for every file, as the run key needs; a
        # cache is found by the file's directory (one lookup per directory)
        cache = None
        directory = None
        for job in jobs:
            d = os.path.dirname(job.path)
            if d != directory:
                directory = d
                c = self.caches.for_file(job.path)
                if c is None or (cache is not None and c is not cache):
                    return None
                cache = c
        index = self.index_of(cache)
        if index is None:
            return None
        assert cache is not None
        entries = index.fresh_all([job.real for job in jobs])
        if entries is None:
            return None
        for job, e in zip(jobs, entries):
            self.digests[job.path] = e.digest
        memo = index.memo(self._hash_run(jobs))
        if memo is None:
            return None
        groups = [k.split("\0") for p, k in memo.items() if p.startswith(_UNIT_KEY)]
        needed = None
        if report is not None:
            needed = set(report)
            for group in groups:
                if needed.intersection(group):
                    needed.update(group)
        out: dict[str, Processed] = {}
        for job, e in zip(jobs, entries):
            key = memo.get(job.path)
            if needed is not None and job.path not in needed:
                continue
            if key is None and not e.candidate:
                out[job.path] = Processed(FileResult(job.path, skipped=True), None, job.real)
                continue
            if key is None:
                key = cache.key_of_digest(job.path, e.digest)
            entry = cache.get_entry(key, job.path, summary=False)
            if entry is None:
                return None
            result = entry[0]
            ok, data = _bytes_of_changed(result, job.real, e.digest)
            if not ok:
                return None
            out[job.path] = Processed(result, data, job.real)
        for group in groups:
            for other in group[1:]:
                units.link(group[0], other)
        return out

    def remember(self, jobs: list[Job], final: dict[str, Processed], units: Units) -> None:
        """Record the outcome of the second round for :meth:`replay`: the
        cache keys of the results it changed (only when every one of them
        is cached, and no file failed)."""
        if any(_internal_error(p.result) for p in final.values()):
            return
        keys = {}
        for path, key in self.final_keys.items():
            if key is None:
                return
            keys[path] = key
        # the migration units go with it: a replayed run writes them whole too
        for i, group in enumerate(units.groups()):
            keys[f"{_UNIT_KEY}{i}"] = "\0".join(group)
        found = self._run_key(jobs)
        if found is None:
            return
        index, run_key = found
        index.remember(run_key, keys)
        index.save()

    # -- the project pass's second round, and its text scan -------------------

    def _in_process(self) -> None:
        if self.old_gc is None:
            # (frozen by _tune_gc with the rest; not LibCST: a tree without
            # OpenAI usage never imports it)
            import codemods.python.engine

            self.old_gc = _tune_gc()
            if self.project and self.workers == 1:
                # the second round runs here too: keep the trees (see _Members)
                codemods.python.engine.keep_trees(True)

    def rerun(
        self,
        items: list[tuple[Job, ProjectInput, bytes | None]],
        ahead: dict[str, tuple[Any, bytes]] | None = None,
    ) -> dict[str, Processed]:
        """Process files again with what the other files said: from the cache
        (the file's project cache, keyed by the bytes and that input), else
        from what round 1 computed ahead for exactly that input and those
        bytes (``ahead``: path -> ``Processed.ahead``), else on the workers
        (several files) or in this process."""
        from codemods.core.project import fingerprint

        out: dict[str, Processed] = {}
        todo: list[tuple[Job, ProjectInput, bytes, Cache | None, str | None]] = []
        for job, project, data in items:
            known = None if ahead is None else ahead.get(job.path)
            if known is not None and known[0].project != project:
                known = None
            if known is not None:
                data = known[1]  # what it was computed on (the file may change meanwhile)
            if data is None:
                try:
                    data = read_source(job.real)
                except FileIOError as e:
                    result = FileResult(job.path, errors=[FileError(job.path, e.reason)])
                    out[job.path] = Processed(result, None, job.real)
                    continue
            key = None
            cache = self.cache_of(job.path)
            if cache is not None:
                key = cache.key(job.path, data, extra=fingerprint(project))
                entry = cache.get_entry(key, job.path)
                if entry is not None:
                    out[job.path] = Processed(
                        entry[0], _if_changed(entry[0], data), job.real, entry[1]
                    )
                    self.final_keys[job.path] = key
                    continue
            self.final_keys[job.path] = None
            if known is not None:
                result, summary = known[0].result, known[0].summary
                if self._store(cache, key, result, summary, data):
                    self.final_keys[job.path] = key
                out[job.path] = Processed(result, _if_changed(result, data), job.real, summary)
                continue
            todo.append((job, project, data, cache, key))
        if self.workers > 1 and (len(todo) > 1 or self.executor is not None):
            executor = self._pool()
            # a batch ends when its last file does: one file per message,
            # the largest first, so that no worker is left with a chunk of
            # several files (or a large one) while the other waits
            by_size = sorted(range(len(todo)), key=lambda i: -len(todo[i][2]))
            chunks = [[todo[i]] for i in by_size]
            with _run_signals_blocked():  # a submit may start the workers
                if isinstance(executor, _Members):
                    futures = self._submit_homed(executor, chunks)
                else:
                    futures = [
                        _submit(executor, _work_project, [(j.path, d, p) for j, p, d, _, _ in c])
                        for c in chunks
                    ]
            done = [self._project_results(c, f) for c, f in zip(chunks, futures)]
            got = {i: chunk[0] for i, chunk in zip(by_size, done)}
            pairs = [got[i] for i in range(len(todo))]
        else:
            self._in_process()
            pairs = [_process_project(j.path, d, self.inp.config, p) for j, p, d, _, _ in todo]
        for (job, _, data, cache, key), (result, summary) in zip(todo, pairs):
            if self._store(cache, key, result, summary, data):
                self.final_keys[job.path] = key
            out[job.path] = Processed(result, _if_changed(result, data), job.real, summary)
        return out

    def _submit_homed(
        self,
        executor: _Members,
        chunks: list[list[tuple[Job, ProjectInput, bytes, Cache | None, str | None]]],
    ) -> list[Any]:
        """Submit one second-round batch (one file per chunk, the largest
        first): each file to the worker that keeps its tree (its "home":
        an analysis there costs about a quarter of a parse and analysis),
        unless the other worker would finish it sooner with a parse (greedy
        on the estimated work of the batch, in bytes)."""
        load = [0.0] * len(executor.pools)
        futures = []
        for chunk in chunks:
            job, _, data, _, _ = chunk[0]
            home = self.homes.get(job.path)
            costs = [
                load[m] + len(data) * (TREE_KEPT_COST if m == home else 1.0)
                for m in range(len(load))
            ]
            member = min(range(len(load)), key=costs.__getitem__)
            load[member] = costs[member]
            self.homes[job.path] = member  # the tree stays where it is analysed
            payload = [(j.path, d, p) for j, p, d, _, _ in chunk]
            futures.append(executor.submit_to(member, len(data), _work_project, payload))
        return futures

    def _project_results(
        self,
        chunk: list[tuple[Job, ProjectInput, bytes, Cache | None, str | None]],
        future: Any,
    ) -> list[tuple[FileResult, ModuleSummary | None]]:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return future.result()  # type: ignore[no-any-return]
        except BrokenProcessPool:
            if self.executor is not None:
                _stop_pool(self.executor)
                self.executor = None
            out = []
            for job, project, data, _, _ in chunk:  # alone, each in a fresh worker
                executor = _start_pool(1, self.inp.config)
                try:
                    with _run_signals_blocked():
                        alone = executor.submit(_work_project, [(job.path, data, project)])
                    out += alone.result()
                except Exception:  # noqa: BLE001 - the worker died on this file
                    message = "internal error: the worker process died while processing this file"
                    out.append((FileResult(job.path, errors=[FileError(job.path, message)]), None))
                finally:
                    _stop_pool(executor)
            return out
        except Exception as e:  # noqa: BLE001
            message = f"internal error: {type(e).__name__}: {e}"
            return [
                (FileResult(j.path, errors=[FileError(j.path, message)]), None)
                for j, _, _, _, _ in chunk
            ]

    def scan_many(
        self, reals: dict[str, str]
    ) -> Callable[[list[str], frozenset[str], bool], dict[str, frozenset[str]]] | None:
        """A parallel text scan for :meth:`Mentions.prepare` (and the later
        questions about new names), when workers are running (a cold run):
        each worker reads and splits its share."""
        if self.executor is None or self.workers < 2:
            return None

        def scan(
            paths: list[str], names: frozenset[str], again: bool = False
        ) -> dict[str, frozenset[str]]:
            wanted = tuple(sorted(names))
            step = max(64, -(-len(paths) // (4 * self.workers)))
            parts = [paths[i : i + step] for i in range(0, len(paths), step)]
            executor = self._pool()  # (a broken pool is replaced by then)
            with _run_signals_blocked():  # a submit may start the workers
                futures = [
                    _submit(executor, _scan_files, [reals[p] for p in part], wanted, again)
                    for part in parts
                ]
            out: dict[str, frozenset[str]] = {}
            for part, future in zip(parts, futures):
                try:
                    hits = future.result()
                except Exception:  # noqa: BLE001 - a worker died: scan here
                    hits = _scan_files([reals[p] for p in part], wanted, again)
                for path, found in zip(part, hits):
                    out[path] = frozenset(found)
            return out

        return scan

    def _known(self, job: Job, e: IndexEntry, cache: Cache) -> Processed | None:
        """The result of a file the project index says is unchanged (no read,
        unless migrate needs the bytes of a file the result changes)."""
        known = (e.asked, e.found)
        self.digests[job.path] = e.digest
        if not e.candidate:
            return Processed(FileResult(job.path, skipped=True), None, job.real, None, known)
        entry = cache.get_entry(cache.key_of_digest(job.path, e.digest), job.path)
        if entry is None:
            return None
        hit, summary = entry
        data = None
        if hit.changed:
            try:
                data = read_source(job.real)
            except FileIOError:
                return None
            if hashlib.sha256(data).digest() != e.digest:
                return None
        return Processed(hit, data, job.real, summary, known)

    def _admit(self, job: Job) -> Processed | None:
        """Read one file: its result if known now, else queue it for a worker."""
        cache = self.cache_of(job.path)
        index = self.index_of(cache)
        st = None
        if index is not None:
            assert cache is not None
            try:
                st = os.stat(job.real)
            except OSError:
                st = None
            e = index.fresh(job.real, st) if st is not None else None
            if e is not None:
                done = self._known(job, e, cache)
                if done is not None:
                    return done
        try:
            data = read_source(job.real)
        except FileIOError as e:
            self.digests.pop(job.path, None)
            return Processed(
                FileResult(job.path, errors=[FileError(job.path, e.reason)]), None, job.real
            )
        is_candidate = candidate(job.path, data, self.inp.config)
        digest = None
        known = None
        if index is not None:
            digest = hashlib.sha256(data).digest()
            prior = index.same_content(job.real, digest)
            known = (prior.asked, prior.found) if prior is not None else None
            # the index keeps what the code's strings say (summaries), never
            # the comments: the cheaper scan, without keys outside quotes
            if source_holds_secret(data, free=False):
                index.record(job.real, None, digest, is_candidate)  # never indexed
            else:
                index.record(job.real, st, digest, is_candidate, *(known or ()))
                self.digests[job.path] = digest
        if not is_candidate:
            return Processed(FileResult(job.path, skipped=True), None, job.real, None, known)
        key = None
        if cache is not None:
            key = (
                cache.key(job.path, data)
                if digest is None
                else cache.key_of_digest(job.path, digest)
            )
            entry = cache.get_entry(key, job.path)
            if entry is not None:
                hit, summary = entry
                return Processed(hit, data if hit.changed else None, job.real, summary, known)
        self._announce(job.path, data)
        if self.workers == 1:
            if self.old_gc is None:
                preload()  # frozen by _tune_gc with the rest

                self.old_gc = _tune_gc()
            if self.project:
                result, summary, ahead = _first_round(job.path, data, self.inp.config, job.real)
            else:
                result, summary = _process_bytes(job.path, data, self.inp.config)
                ahead = None
            self._store(cache, key, result, summary, data)
            return Processed(
                result,
                data if result.changed else None,
                job.real,
                summary,
                ahead=None if ahead is None else (ahead, data),
            )
        if self.open is None:
            self.open = _Chunk()
        chunk = self.open
        pending = _Pending(job, data, key, cache, chunk)
        chunk.items.append(pending)
        chunk.size += len(data)
        self.queue.append(pending)
        if len(chunk.items) >= CHUNK_FILES or chunk.size >= CHUNK_BYTES:
            self._submit_open()
        return None

    def _announce(self, path: str, data: bytes) -> None:
        hook = self.inp.on_large_file
        if (
            hook is not None
            and LARGE_FILE_BYTES <= len(data) <= self.inp.config.settings.max_file_bytes
            and not path.endswith(".ipynb")  # its JSON is mostly not code
        ):
            hook(path, len(data))

    def _store(
        self,
        cache: Cache | None,
        key: str | None,
        result: FileResult,
        summary: ModuleSummary | None,
        data: bytes,
    ) -> bool:
        # a file holding a key is never cached (so a lookup of one always
        # misses: only the files that are analysed anyway pay for the scan)
        if (
            cache is not None
            and key is not None
            and not _internal_error(result)
            and not source_holds_secret(data)
        ):
            cache.put(key, result, summary)
            return True
        return False

    def _submit_open(self) -> None:
        chunk, self.open = self.open, None
        if chunk is None:
            return
        executor = self._pool()
        chunk.pool = executor
        payload = [(p.job.path, p.data, p.job.real) for p in chunk.items]
        with _run_signals_blocked():  # a submit may start the workers
            if isinstance(executor, _Members):
                member = executor.pick()
                for p in chunk.items:
                    self.homes[p.job.path] = member
                chunk.future = executor.submit_to(
                    member, chunk.size, _work_chunk, payload, self.project
                )
            else:
                chunk.future = _submit(executor, _work_chunk, payload, self.project)
        self.in_flight += 1

    def _pool(self) -> Any:
        """The workers, started at the first file that needs them: for the
        project pass one single-process pool per worker (:class:`_Members`),
        so that the second round can send a file back to the worker that
        keeps its tree."""
        if self.executor is None:
            _preload_before_fork(self.inp.config)
            if self.project:
                self.executor = _Members(self.workers, self.inp.config)
            else:
                self.executor = _start_pool(self.workers, self.inp.config)
        return self.executor

    def _drain(self, block: bool, one: bool = False) -> Iterator[Processed]:
        while self.queue:
            head = self.queue[0]
            if isinstance(head, Processed):
                self.queue.popleft()
                yield head
                continue
            chunk = head.chunk
            if chunk.results is None:
                if chunk.future is None:
                    if not block:
                        return
                    self._submit_open()
                assert chunk.future is not None
                if not block and not chunk.future.done():
                    return
                chunk.results = self._collect(chunk)
                self.in_flight -= 1
                if one:
                    block = False
            self.queue.popleft()
            result, summary, ahead = chunk.results[chunk.items.index(head)]
            self._store(head.cache, head.key, result, summary, head.data)
            yield Processed(
                result,
                head.data if result.changed else None,
                head.job.real,
                summary,
                ahead=None if ahead is None else (ahead, head.data),
            )
            head.data = b""  # drop the bytes early (the chunk still references this)

    def _collect(self, chunk: _Chunk) -> list[tuple[FileResult, ModuleSummary | None, Any]]:
        from concurrent.futures.process import BrokenProcessPool

        assert chunk.future is not None
        try:
            return chunk.future.result()
        except BrokenProcessPool:
            # A worker died (crash, OOM kill): every chunk in flight fails with
            # it. The pool is unusable: later chunks get a fresh one, and each
            # file of the failed chunks is retried alone to find the culprit.
            if self.executor is not None and self.executor is chunk.pool:
                _stop_pool(self.executor)
                self.executor = None
            return [self._isolated(p) for p in chunk.items]
        except Exception as e:  # noqa: BLE001 - e.g. a result that does not unpickle
            message = f"internal error: {type(e).__name__}: {e}"
            return [
                (FileResult(p.job.path, errors=[FileError(p.job.path, message)]), None, None)
                for p in chunk.items
            ]

    def _isolated(self, pending: _Pending) -> tuple[FileResult, ModuleSummary | None, Any]:
        from concurrent.futures.process import BrokenProcessPool

        executor = _start_pool(1, self.inp.config)
        try:
            with _run_signals_blocked():
                future = executor.submit(
                    _work_chunk, [(pending.job.path, pending.data, pending.job.real)], self.project
                )
            return future.result()[0]
        except BrokenProcessPool:
            message = "internal error: the worker process died while processing this file"
        except Exception as e:  # noqa: BLE001
            message = f"internal error: {type(e).__name__}: {e}"
        finally:
            _stop_pool(executor)
        return (
            FileResult(pending.job.path, errors=[FileError(pending.job.path, message)]),
            None,
            None,
        )


def _if_changed(result: FileResult, data: bytes) -> bytes | None:
    """The bytes a result keeps (``Processed.original``): only a result that
    changes the file needs them (``migrate`` diffs and writes against them),
    as in round 1. The second round's other files are read again when a
    later phase asks them again (on the 16k-file project tree the parent
    held 2.5 MB of them at its peak)."""
    return data if result.changed else None


def _submit(pool: Any, fn: Callable[..., Any], *args: Any) -> Any:
    """``pool.submit(fn, *args)``, except that a pool a worker has already
    broken gives a future that fails with BrokenProcessPool rather than
    raising here: a worker may die between two submits (a crash, an OOM
    kill), and the caller's result handling then retries each file alone,
    as for a chunk that was in flight when it died."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    try:
        return pool.submit(fn, *args)
    except BrokenProcessPool as e:
        failed: Future[Any] = Future()
        failed.set_exception(e)
        return failed


def _internal_error(result: FileResult) -> bool:
    return any(e.message.startswith("internal error:") for e in result.errors)


def _start_pool(workers: int, config: EngineConfig, keep_trees: bool = False) -> Any:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with _run_signals_blocked():
        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context(MP_START_METHOD),
            initializer=_init_worker,
            initargs=(config, keep_trees),
        )
    _POOLS.add(executor)
    return executor


def _preload_before_fork(config: EngineConfig) -> None:
    """Workers made by fork inherit what this process imported and loaded:
    import the engine's LibCST and rules and load the model table here,
    once, rather than in every worker."""
    import multiprocessing

    if multiprocessing.get_context(MP_START_METHOD).get_start_method() == "fork":
        from codemods.python.engine import preload

        preload()
        config.table()


#: the cost of analysing again a file whose tree the worker keeps, against
#: a parse and analysis (the parse is ~75% of it: benchmarks/stages.py)
TREE_KEPT_COST = 0.3


class _Members:
    """The project pass's workers: one single-process pool each, so that a
    file can be sent to a chosen worker. Round 1 sends each chunk to the
    worker with the fewest bytes outstanding; the second round sends a
    file back to the worker that parsed it and keeps its tree
    (``codemods.python.engine.keep_trees``). Each member is a pool of its own
    (in ``_POOLS``: stopped and killed like any other)."""

    def __init__(self, workers: int, config: EngineConfig) -> None:
        self.pools = [_start_pool(1, config, keep_trees=True) for _ in range(workers)]
        self.outstanding = [0] * workers
        self.lock = threading.Lock()

    def pick(self) -> int:
        with self.lock:
            return min(range(len(self.pools)), key=self.outstanding.__getitem__)

    def submit_to(self, member: int, weight: int, fn: Callable[..., Any], *args: Any) -> Any:
        with self.lock:
            self.outstanding[member] += weight
        future = _submit(self.pools[member], fn, *args)
        future.add_done_callback(lambda _: self._done(member, weight))
        return future

    def _done(self, member: int, weight: int) -> None:
        with self.lock:
            self.outstanding[member] -= weight

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.submit_to(self.pick(), 1, fn, *args)

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        for pool in self.pools:
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)


#: the pools of this process that may have workers running
_POOLS: weakref.WeakSet[Any] = weakref.WeakSet()
#: how long stopping a pool may wait for its workers to be reaped
STOP_TIMEOUT = 5.0


def _forget_pool(executor: Any) -> None:
    for pool in executor.pools if isinstance(executor, _Members) else [executor]:
        _POOLS.discard(pool)


def _stop_pool(executor: Any, timeout: float = STOP_TIMEOUT) -> bool:
    """Stop a pool now: kill its workers (they only read files: nothing is
    lost) and reap them, waiting at most ``timeout`` seconds in all; False
    when a worker or the pool's thread is still there after it. (Of
    :class:`_Members`: every member.)

    Not ``shutdown(wait=True)``, which waits for the chunks in flight: once
    the workers are dead, the pool's manager thread notices, fails the
    pending futures and ends."""
    deadline = time.monotonic() + timeout
    if isinstance(executor, _Members):
        # every worker killed first, as one pool's are, then each reaped
        for pool in executor.pools:
            for p in list((getattr(pool, "_processes", None) or {}).values()):
                with contextlib.suppress(Exception):
                    p.kill()
        ok = True
        for pool in executor.pools:
            ok = _stop_pool(pool, max(0.0, deadline - time.monotonic())) and ok
        return ok
    # read before shutdown() forgets them (private, but stable since 3.9)
    processes = list((getattr(executor, "_processes", None) or {}).values())
    manager = getattr(executor, "_executor_manager_thread", None)
    for p in processes:
        with contextlib.suppress(Exception):
            p.kill()
    with contextlib.suppress(Exception):
        executor.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        with contextlib.suppress(Exception):
            p.join(max(0.0, deadline - time.monotonic()))
    if isinstance(manager, threading.Thread) and manager is not threading.current_thread():
        manager.join(max(0.0, deadline - time.monotonic()))
        if manager.is_alive():
            return False
    if any(_alive(p) for p in processes):
        return False  # kept in _POOLS: kill_all_workers() tries again
    _POOLS.discard(executor)
    return True


def _alive(process: Any) -> bool:
    try:
        return bool(process.is_alive())
    except Exception:  # noqa: BLE001 - reaped by another thread meanwhile
        return False


def stop_all_pools(timeout: float = STOP_TIMEOUT) -> bool:
    """Kill and reap the workers of every pool this process started (an
    interrupted run: see the CLI), then multiprocessing's helper processes
    (the forkserver and resource tracker of the non-fork start methods).
    False when a worker outlived ``timeout``."""
    deadline = time.monotonic() + timeout
    ok = True
    for executor in list(_POOLS):
        ok = _stop_pool(executor, max(0.0, deadline - time.monotonic())) and ok
    if ok:
        _stop_mp_helpers(deadline)
    return ok


def _stop_mp_helpers(deadline: float) -> None:
    """Ask the forkserver and the resource tracker, if this process started
    them, to exit (closing the descriptor they watch, as their own ``_stop``
    does), and reap them until ``deadline``. Best effort: private
    attributes, checked at each step."""
    import sys

    helpers = [
        (
            sys.modules.get("multiprocessing.forkserver"),
            "_forkserver",
            "_forkserver_alive_fd",
            "_forkserver_pid",
        ),
        (sys.modules.get("multiprocessing.resource_tracker"), "_resource_tracker", "_fd", "_pid"),
    ]
    for module, name, fd_attr, pid_attr in helpers:
        helper = getattr(module, name, None)
        fd, pid = getattr(helper, fd_attr, None), getattr(helper, pid_attr, None)
        if not isinstance(fd, int) or not isinstance(pid, int):
            continue
        with contextlib.suppress(OSError):
            os.close(fd)
        setattr(helper, fd_attr, None)
        while True:
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done or time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        if done:
            setattr(helper, pid_attr, None)


def kill_all_workers() -> None:
    """Last resort, without waiting: SIGKILL every worker still alive."""
    for executor in list(_POOLS):
        for p in list((getattr(executor, "_processes", None) or {}).values()):
            with contextlib.suppress(Exception):
                p.kill()


def run(inp: RunInput) -> tuple[Iterator[Processed], list[FileError]]:
    """Discover the files, then process them (results in input order).

    With one Python file, results stream as they are ready. With more,
    model IDs that cross modules are followed (:mod:`codemods.python.project`):
    every file is processed once (in parallel, through the cache), then the
    few files that define or import such a name are processed again with
    what the others said; results are yielded once all are known.

    Files named on the command line (pre-commit passes the staged files)
    are seen with their whole project (:func:`project_context`): the
    project's other files go through the same pass, from the cache when
    unchanged, and only the named files are reported."""
    jobs, errors = collect_jobs(inp)
    context = project_context(inp, jobs)
    everything = jobs + context
    if (
        # (a notebook calls and imports the run's modules as a .py file does)
        sum(1 for j in everything if j.path.endswith((".py", ".ipynb"))) < 2
        and sum(1 for j in everything if front_end_for(j.path).second_round is not None) < 2
    ):
        return iter(_Pipeline(inp, jobs)), errors
    report = {j.path for j in jobs} if context else None
    return _run_project(inp, everything, report), errors


#: what marks the root of a TypeScript/JavaScript project with no ``.git``
#: or ``pyproject.toml`` above it (:func:`project_root`)
_TS_ROOT_MARKERS = ("package.json", "tsconfig.json", "jsconfig.json")


def project_root(path: str) -> str | None:
    """The nearest directory at or above ``path`` holding ``pyproject.toml``
    or ``.git``; for a TypeScript/JavaScript file outside both, the
    nearest one holding ``package.json``, ``tsconfig.json`` or
    ``jsconfig.json`` (where path aliases are read: typescript/project.py)
    (None: none; unlike the cache's root, no fallback)."""
    d = os.path.dirname(os.path.abspath(path))
    ts_root = None
    ts = front_end_for(path).name == "typescript"
    while True:
        if os.path.isfile(os.path.join(d, "pyproject.toml")) or os.path.lexists(
            os.path.join(d, ".git")
        ):
            return d
        if (
            ts
            and ts_root is None
            and any(os.path.isfile(os.path.join(d, m)) for m in _TS_ROOT_MARKERS)
        ):
            ts_root = d
        parent = os.path.dirname(d)
        if parent == d:
            return ts_root
        d = parent


def project_context(inp: RunInput, jobs: list[Job]) -> list[Job]:
    """The other files of the projects of the files named in ``inp``.

    Cross-module facts (a model constant in ``settings.py`` passed to
    ``model=`` in ``app.py``) come from the whole project, so a file gets
    the same findings and fixes whether it is checked alone or with its
    tree. For each named file (not a directory) the project root is found
    (:func:`project_root`) and walked with the rules of any directory walk
    (excludes, ``.gitignore``, ``include``); files outside every project
    have no context. Returns the jobs not already in ``jobs``."""
    if not inp.project_context or not jobs:
        return []  # (nothing named survived the excludes: nothing to report)
    roots: list[str] = []
    for arg in inp.given if inp.given is not None else inp.paths:
        if os.path.isfile(arg):
            root = project_root(arg)
            if root is not None and root not in roots:
                roots.append(root)
    if not roots:
        return []
    shown = []
    for root in roots:
        try:
            shown.append(os.path.relpath(root))
        except ValueError:  # another drive (Windows)
            shown.append(root)
    found, _ = discover(
        shown,
        include_notebooks=inp.include_notebooks,
        exclude=list(inp.exclude if inp.context_exclude is None else inp.context_exclude),
        force_exclude=False,
    )
    have = {j.real for j in jobs}
    out = []
    for d in found:
        if d.real_path in have:
            continue
        if inp.include is not None:
            from codemods.core.config import matches_include

            if not matches_include(d.display, d.real_path, inp.include):
                continue
        have.add(d.real_path)
        out.append(Job(d.display, d.real_path))
    return out


def _run_project(
    inp: RunInput, jobs: list[Job], report: set[str] | None = None
) -> Iterator[Processed]:
    """The project pass (see :mod:`codemods.python.project`): round 1 processes every
    file; then, each phase planned from the current summaries and its files
    processed again in one batch (:func:`_second_round`): API keys, the
    module-level client, clients across modules, functions whose parameter
    reaches ``model=``, the modules that define constants other files pass
    to ``model=``, then their importers.

    Round 1 keeps only each file's result and small summary (the bytes only
    of files that changed); a file the planner must read as text, or run
    again, is read again from disk."""
    from codemods.core.units import Units

    pipeline = _Pipeline(inp, jobs, project=True)
    units = Units()
    old_gc = _tune_gc()  # (the index is thousands of small objects, no cycles)
    try:
        unchanged = pipeline.replay_unchanged(jobs, units, report)
    finally:
        _restore_gc(old_gc)
    if unchanged is not None:
        _notebook_refs(unchanged, jobs)
        _mark_units(unchanged, units, report)
        for job in jobs:
            if report is None or job.path in report:
                yield unchanged[job.path]
        return
    pipeline.digests.clear()
    finished = False
    # the parent keeps a summary and an index entry per file, and makes no
    # reference cycles worth collecting: rare collections (warm 4k-file run:
    # 132 collections, 50 ms of 420 before)
    pipeline._in_process()
    try:
        final: dict[str, Processed] = {p.result.path: p for p in pipeline}
        # an unchanged project: the second round's outcome from the index
        if not pipeline.replay(jobs, final, units):
            # one cross-module pass per language: TypeScript/JavaScript files
            # neither import Python modules nor are imported by them
            python_jobs = [j for j in jobs if front_end_for(j.path).cross_module]
            if python_jobs:
                _second_round(pipeline, python_jobs, final, units)
            for front_end in FRONTENDS:
                if front_end.second_round is not None:
                    resolve(front_end.second_round)(pipeline, jobs, final, units)
            pipeline.remember(jobs, final, units)
        finished = True
    finally:
        pipeline.close(finished)
    _notebook_refs(final, jobs)
    _mark_units(final, units, report)
    for job in jobs:
        if report is None or job.path in report:
            yield final[job.path]


def _notebook_refs(final: dict[str, Processed], jobs: list[Job]) -> None:
    """Another file's message that names a line of a notebook of the run
    (``unsafe fix: 'o1-mini' (OR204) at nb.ipynb:7 is sent through it``)
    names it by cell, as the notebook's own findings do: the project pass
    knows a notebook (a front-end with ``refs``) as the module its cells
    make, in that module's lines."""
    notebooks = {j.path: j for j in jobs if front_end_for(j.path).refs is not None}
    if not notebooks:
        return
    naming = [
        p for p in final.values()
        if any(".ipynb:" in f.message for f in p.result.findings)
    ]  # fmt: skip
    mappers: dict[str, Callable[[str], str] | None] = {}

    def mapper(path: str) -> Callable[[str], str] | None:
        if path not in mappers:
            job = notebooks[path]
            spec = front_end_for(path).refs
            assert spec is not None
            try:
                data = final[path].original
                if data is None:
                    with open(job.real, "rb") as fh:
                        data = fh.read()
            except OSError:
                data = None
            mappers[path] = None if data is None else resolve(spec)(path, data)
        return mappers[path]

    for processed in naming:
        result = processed.result
        findings = []
        for f in result.findings:
            message = f.message
            for path in notebooks:
                if path != result.path and f"{path}:" in message:
                    m = mapper(path)
                    if m is not None:
                        message = m(message)
            findings.append(f if message == f.message else replace(f, message=message))
        result.findings = findings


def _mark_units(final: dict[str, Processed], units: Units, report: set[str] | None) -> None:
    """Tell each file of a unit (:mod:`codemods.core.units`) its other members,
    and those this run changes or fails on but does not report (not named):
    the CLI treats them as the whole-tree run would (a failed one, or a
    dirty one, blocks the unit), so a file named alone gets what the run of
    the tree gives it."""
    for group in units.groups():
        outside: list[tuple[str, str | None, bool]] = []
        for path in group:
            if report is None or path in report or path not in final:
                continue
            p = final[path]
            failed = bool(p.result.errors) and not p.result.changed
            if failed or p.result.changed:
                outside.append((path, p.real, failed))
        for path in group:
            if path in final:
                final[path] = replace(
                    final[path],
                    unit=tuple(p for p in group if p != path),
                    unit_outside=tuple(outside),
                )


# the most times the client phases of :func:`_second_round` are planned again (a
# chain of functions passing a client on across modules settles one step a round)
_CLIENT_ROUNDS = 6


def _second_round(
    pipeline: _Pipeline, jobs: list[Job], final: dict[str, Processed], units: Units | None = None
) -> None:
    """Plan from the current summaries and process again what each phase's
    plan says (updates ``final``); one batch per phase, each on the workers.
    Inputs accumulate: a file processed again gets what every earlier phase
    said about it. ``units`` gets the files whose fixes each phase decided
    with another file's facts (:mod:`codemods.core.units`)."""
    from codemods.core.units import Units

    units = Units() if units is None else units
    from codemods.python.project import (
        Mentions,
        ProjectInput,
        agent_readers,
        client_readers,
        escape_keys,
        kept_exports,
        modules_of,
        plan,
        plan_agents,
        plan_all_clients_migrated,
        plan_calls,
        plan_client_uses,
        plan_clients,
        plan_escapes,
        plan_kept_openai,
        plan_keys,
        plan_langchain_models,
        plan_litellm_constants,
        plan_litellm_globals,
        plan_module_client_state,
        plan_module_client_version,
        plan_param_clients,
        plan_private,
        plan_run_moves,
        plan_star_names,
        plan_streams,
        relays,
        watched_names,
    )

    by_path = {job.path: job for job in jobs}
    order = {job.path: i for i, job in enumerate(jobs)}
    inputs: dict[str, ProjectInput] = {}

    def files() -> list[FileInfo]:
        return [
            (j.path, j.real, final[j.path].summary, final[j.path].original or _Lazy(j.real))
            for j in jobs
        ]

    def rerun(todo: dict[str, ProjectInput]) -> bool:
        if not todo:
            return False
        inputs.update(todo)
        items = [(by_path[p], project, final[p].original) for p, project in todo.items()]
        ahead = {p: known for p in todo if (known := final[p].ahead) is not None}
        final.update(pipeline.rerun(items, ahead))
        return True

    def given(path: str) -> ProjectInput:
        return inputs.get(path, ProjectInput())

    if all(p.summary is None for p in final.values()):
        pipeline.save_indexes()
        return  # nothing parsed: nothing to plan
    modules = modules_of([(j.path, j.real, None, None) for j in jobs])
    current = files()
    # the text scan of the files without a summary: each is read (again)
    # and split into words once, for every name the planner may ask about
    mentions = Mentions()
    for path, _, summary, data in current:
        if summary is None:
            mentions.add(path, data, known=final[path].mentions)
    reals = {j.path: j.real for j in jobs}
    mentions.prepare(watched_names(current, modules), pipeline.scan_many(reals))

    # the names a star import of a module of the run binds (``from helpers
    # import *`` of ``ChatOpenAI``, ``OpenAI``): known before anything is
    # planned on what the files build
    stars = plan_star_names(current, modules)
    if rerun({path: replace(given(path), star_names=names)
              for path, names in stars.items()}):  # fmt: skip
        current = files()
    # API keys first: a client migrated once its key is followed also
    # migrates the model IDs sent through it (planned next, on what the
    # files say after that)
    key_plan = plan_keys(current, modules, mentions)
    rerun({path: replace(given(path), key_exports=names)
           for path, names in key_plan.key_definers.items()})  # fmt: skip
    key_handled: dict[str, set[str]] = {}
    for path in key_plan.key_definers:
        summary = final[path].summary
        key_handled[path] = summary.key_handled if summary is not None else set()
    units.link_importers(key_plan, keys=True)
    todo: dict[str, ProjectInput] = {}
    for path in key_plan.key_importers:
        keys = key_plan.followed_keys(path, key_handled)
        if keys:
            todo[path] = replace(given(path), followed_keys=keys)
    if rerun(todo) or key_plan.key_definers:
        current = files()
    # the module-level client is one per process: a file that only sets
    # its key learns the SDK generation from the modules that call it, then
    # the modules that only call it move (or stay) with that configuration
    versions = plan_module_client_version(current)
    if rerun({path: replace(given(path), module_client_version=version)
              for path, version in versions.items()}):  # fmt: skip
        current = files()
    states = plan_module_client_state(current, modules)
    units.link_module_client(states)
    todo = {
        path: replace(given(path), module_client_state=state, module_client_files=where)
        for path, (state, where) in states.items()
    }
    if rerun(todo):
        current = files()
    # the calls other modules make through a client count where it is built
    # (OR119): the files that may make them are read first (the prefilter
    # skips a file that never names openai), then the builders decide again
    # (again while a file read names a module that re-exports a client)
    read: set[str] = set()
    while True:
        readers = [p for p in client_readers(current, modules, mentions) if p not in read]
        read.update(readers)
        if not rerun({path: given(path) for path in readers}):
            break
        current = files()
    # a client passed to a function of another module moves with what that
    # function does with it: the functions called with one are asked where
    # their parameters escape (again for those they pass them on to), then
    # the callers are told, before any module is told how a client moves
    asked: dict[str, set[str]] = {}

    def plan_and_tell_escapes(current: list[FileInfo]) -> bool:
        """Ask and tell (only the files whose input changes); True when a
        file was processed again."""
        again = False
        handing = {
            path: keys
            for path, keys in escape_keys(current, modules).items()  # (clients passed on)
            if given(path).escape_keys != keys
        }
        if rerun({path: replace(given(path), escape_keys=keys) for path, keys in handing.items()}):
            current, again = files(), True
        while True:
            ask, escaping = plan_escapes(current, modules, asked)
            if not ask:
                break
            for path, names_ in ask.items():
                asked.setdefault(path, set()).update(names_)
            rerun({p: replace(given(p), escape_params=frozenset(asked[p])) for p in ask})
            current, again = files(), True
        todo = {}
        for path, (known, rows) in escaping.items():
            project = replace(given(path), callees_told=True, callees_known=known,
                              callee_escapes=rows)  # fmt: skip
            if project != given(path):
                todo[path] = project
        return rerun(todo) or again

    if plan_and_tell_escapes(current):
        current = files()
    unknown: dict[str, tuple[tuple[str, str], ...]] = {}
    told: dict[str, tuple[tuple[str, str, str, str], ...]] = {}
    uses = plan_client_uses(current, modules, mentions, unknown, told)
    todo = {path: replace(given(path), client_uses=found) for path, found in uses.items()}
    for path, names in unknown.items():
        todo[path] = replace(todo.get(path, given(path)), client_uses_unknown=names)
    # what other modules do to a client (an instructor mode, a setting, a
    # model that cannot move) decides its move where it is built
    for path, facts in told.items():
        todo[path] = replace(todo.get(path, given(path)), client_facts=facts)
    if rerun(todo):
        current = files()
    # then clients imported from other modules: what a call through them
    # sends moves with them (codemods/python/clients.py); and files that call their
    # own public functions with a client, once they know whether another
    # module imports those functions: one batch for the three
    client_plan = plan_clients(current, modules)
    langchain_plan = plan_langchain_models(current, modules)
    private_plan = plan_private(current, modules, mentions)
    param_plan = plan_param_clients(current, modules, mentions)
    units.link_clients(current, modules)
    todo = {}
    for path in sorted(
        set(client_plan) | set(private_plan) | set(param_plan) | set(langchain_plan),
        key=order.__getitem__,
    ):
        project = given(path)
        if path in client_plan:
            project = replace(project, clients=client_plan[path])
        if path in langchain_plan:
            project = replace(project, langchain_models=langchain_plan[path])
        if path in param_plan:
            project = replace(project, param_clients=param_plan[path])
        if path in private_plan:
            known = private_plan[path]
            project = replace(
                project,
                module=known.module,
                imported_names=known.imported_names,
                imported_whole=known.imported_whole,
                imported_attributes=known.imported_attributes,
            )
        todo[path] = project
    if rerun(todo):
        current = files()

    # the decisions just taken change what the others read: a variable or a
    # client parameter of another module that holds a client that stays and
    # one that moves is only known once the importers know both (OR122).
    # Plan the two phases again on what the files say now, and process again
    # the files whose input changed, until none does (each round can only
    # leave more clients where they are; bounded all the same)
    def client_rounds() -> None:
        nonlocal current
        for _ in range(_CLIENT_ROUNDS):
            # a client passed on to a function of another module inside a public
            # function of a file, once that file knows its function's callers
            # (the clients phase just said): asked and told now
            if plan_and_tell_escapes(current):
                current = files()
            todo = {}
            unknown, told = {}, {}
            uses = plan_client_uses(current, modules, mentions, unknown, told)
            client_plan = plan_clients(current, modules)
            param_plan = plan_param_clients(current, modules, mentions)
            for path in sorted(
                set(uses) | set(unknown) | set(told) | set(client_plan) | set(param_plan)
                | {p for p, i in inputs.items() if i.client_uses or i.client_uses_unknown
                   or i.client_facts or i.clients or i.param_clients},
                key=order.__getitem__,
            ):  # fmt: skip
                before = given(path)
                project = replace(
                    before,
                    client_uses=uses.get(path, ()),
                    client_uses_unknown=unknown.get(path, ()),
                    client_facts=told.get(path, ()),
                    # a file the planners no longer list keeps what they said
                    # (its summary changed with their answer: a client parameter
                    # called from nowhere else is no longer one): analysing it
                    # again for nothing would undo the ahead analysis
                    clients=client_plan.get(path, before.clients),
                    param_clients=param_plan.get(path, before.param_clients),
                )
                if project != given(path):
                    todo[path] = project
            if not rerun(todo):
                break
            current = files()

    client_rounds()
    units.link_clients(current, modules)
    # a parameter annotated OpenAI is one of the run's clients: migrated if all are
    wanting = plan_all_clients_migrated(current, mentions)
    if rerun({path: replace(given(path), all_clients_migrated=True) for path in wanting}):
        current = files()
    # a comparison with a bare ID matters once anything of the run moves (OR208)
    wanting = plan_run_moves(current, modules)
    # OR123 where the file's own clients move, or another file's: not where
    # a module it imports keeps a client on OpenAI
    asking = [p for p, _, s, _ in current if s is not None and s.wants_kept_openai]
    kept = plan_kept_openai(current, [*wanting, *asking], modules)
    todo = {path: replace(given(path), run_moves=True) for path in wanting}
    for path, where in kept.items():
        todo[path] = replace(todo.get(path, given(path)), openai_kept_in=where)
    if rerun(todo):
        current = files()
    # LiteLLM's process-wide settings set in another module hold its calls
    litellm_plan = plan_litellm_globals(current, modules)
    if rerun({path: replace(given(path), litellm_configured=where)
              for path, where in litellm_plan.items()}):  # fmt: skip
        current = files()
    # functions of other modules whose parameter reaches model=
    calls = plan_calls(current, modules, mentions)
    units.link_calls(calls)
    if rerun({path: replace(given(path), module=project.module,
                            sink_functions=project.sink_functions)
              for path, project in calls.items()}):  # fmt: skip
        current = files()
    # model constants: their definers, then their importers. A definer may
    # only re-export the name (``from .config import MODEL`` in a package's
    # ``__init__.py``): once analysed, its summary says so, and the plan
    # follows it to the module that defines it (a chain, a step a time)
    the_plan = plan(current, modules, mentions)
    for _ in range(8):
        rerun({path: replace(given(path), exports=exports.exports)
               for path, exports in the_plan.definers.items()
               if given(path).exports != exports.exports})  # fmt: skip
        if not relays(the_plan, {p: final[p].summary for p in the_plan.definers}):
            break
        current = files()
        again_plan = plan(current, modules, mentions)
        if again_plan.definers == the_plan.definers:
            break
        the_plan = again_plan
    # (again, once, when an importer learns that a definer keeps a name as
    # it is: the client it sends it through is held, which makes the other
    # names it sends through it unsafe where they are defined)
    for again in range(2):
        handled: dict[str, set[str]] = {}
        for path in the_plan.definers:
            summary = final[path].summary
            handled[path] = summary.handled if summary is not None else set()
        units.link_importers(the_plan, keys=False)
        todo = {}
        for path in the_plan.importers:
            followed = the_plan.followed_input(path, handled, None)
            if followed is not None:
                project = replace(
                    given(path),
                    followed=followed.followed,
                    followed_kept=kept_exports(
                        the_plan,
                        path,
                        followed.followed,
                        {d: final[d].summary for d in the_plan.definers},
                        reals,
                    ),
                )
                if not again or project != given(path):
                    todo[path] = project
        kept = any(project.followed_kept for project in todo.values())
        if not rerun(todo):
            break
        current = files()
        if again or not kept:
            break
        # a client built in a third module is held too: its module learns
        # it from the importer's summary (client_facts), in clients rounds
        client_rounds()
        units.link_clients(current, modules)
        the_plan = plan(current, modules, mentions)
        changed = {
            path: replace(given(path), exports=exports.exports)
            for path, exports in the_plan.definers.items()
            if given(path).exports != exports.exports
        }
        if not rerun(changed):
            break
        current = files()
    # model constants other modules pass only to LiteLLM/DSPy calls: their
    # definers, then their importers (and those whose constant an SDK call
    # shares, told why it stays)
    lite_links: dict[str, set[str]] = {}
    lite_definers, lite_followed, lite_shared = plan_litellm_constants(
        current, modules, mentions, lite_links
    )
    units.link_readers(lite_links)
    if rerun({path: replace(given(path), litellm_exports=project.litellm_exports)
              for path, project in lite_definers.items()}):  # fmt: skip
        current = files()
    todo = {}
    for path in sorted(set(lite_followed) | set(lite_shared), key=order.__getitem__):
        names = frozenset(
            local
            for local, (definer, name) in lite_followed.get(path, {}).items()
            if final[definer].summary is not None and name in final[definer].summary.litellm_handled  # type: ignore[union-attr]
        )
        if names or path in lite_shared:
            todo[path] = replace(
                given(path), litellm_followed=names, litellm_shared=lite_shared.get(path, ())
            )
    if rerun(todo):
        current = files()
    # the Agents SDK's default client is one per process: the modules that
    # set it and those that build agents, once every client is decided
    if rerun({path: given(path) for path in agent_readers(current, mentions, modules)}):
        current = files()
    agent_links: dict[str, set[str]] = {}
    agents_plan = plan_agents(current, modules, agent_links)
    units.link_readers(agent_links)
    if rerun({path: replace(given(path), module=project.module,
                            agents_default=project.agents_default,
                            agents_settings=project.agents_settings,
                            agents_built=project.agents_built,
                            agents_configured=project.agents_configured)
              for path, project in agents_plan.items()}):  # fmt: skip
        current = files()
    # streams returned by a function or a method of another module: read
    # (and guarded) where they are called, once every client is decided
    readers: dict[str, set[str]] = {}
    streams = plan_streams(current, modules, mentions, readers)
    units.link_readers(readers)
    rerun({path: replace(given(path), module=project.module,
                         stream_functions=project.stream_functions)
           for path, project in streams.items()})  # fmt: skip
    # what the text scan learnt, for the next run (files holding a key are
    # not in their index: see _Pipeline._admit)
    for path in mentions.paths():
        index = pipeline.index_of(pipeline.cache_of(path))
        if index is not None:
            index.scanned(by_path[path].real, *mentions.state(path))
    pipeline.save_indexes()


def _bytes_of_changed(result: FileResult, real: str, digest: bytes) -> tuple[bool, bytes | None]:
    """The bytes a replayed result that changes its file needs (``migrate``
    diffs and writes against them): (False, None) when they cannot be read
    or are no longer the ones the result was computed from; (True, None)
    for a result that changes nothing."""
    if not result.changed:
        return True, None
    try:
        data = read_source(real)
    except FileIOError:
        return False, None
    return hashlib.sha256(data).digest() == digest, data


class _Lazy:
    """A file's bytes, read when (and if) the planner scans it as text."""

    __slots__ = ("real",)

    def __init__(self, real: str) -> None:
        self.real = real

    def __bool__(self) -> bool:
        return True

    def __call__(self) -> bytes:
        # not kept: the planner scans a file once (keeping every file's
        # bytes would hold the whole tree in memory)
        try:
            return read_source(self.real)
        except FileIOError:
            return b""
