"""From paths to a stream of per-file results (the pipeline before the sink).

    paths -> discover -> read -> prefilter -> cache -> engine (workers) -> FileResult ...

Reading and processing are separate from writing: the CLI decides, per
command, whether a result becomes a report, a diff or a write.

How the work is split, and why:

* The parent process reads every file and runs the prefilter (a substring
  search: as cheap as reading). Most files of a large tree stop there, so a
  tree without OpenAI usage never imports LibCST and never starts a worker.
* A candidate is looked up in the cache (``codemods.cache``); a hit is
  reused as is.
* The rest is parsed: in-process with ``jobs=1``, else by a pool of worker
  processes (started at the first file that needs parsing), which get the
  bytes in chunks of a few files (one message per chunk, not per file).
  Workers are importable top-level functions and the configuration is
  picklable, so fork and spawn both work; each worker loads the model table
  once and runs the engine on its own deep-stack thread.
* Results come back in input order, as soon as the file and all before it
  are done. At most ``2 * jobs`` chunks are in flight and a bounded number
  of finished results wait for an earlier one, so memory does not grow with
  the number of files; the original bytes are kept only for files whose
  migration changed them (``migrate`` needs them to diff and to write).
"""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable

from codemods.discovery import discover
from codemods.engine import EngineConfig
from codemods.findings import FileError, FileResult
from codemods.prefilter import may_need_work
from codemods.writer import FileIOError, read_source

if TYPE_CHECKING:
    from concurrent.futures import Future

    from codemods.cache import Cache, IndexEntry, ProjectIndex
    from codemods.project import FileInfo, ModuleSummary, ProjectInput

#: files and bytes per message to a worker (amortises IPC; small enough
#: that results stream and the last chunks balance across workers)
CHUNK_FILES = 4
CHUNK_BYTES = 256 * 1024
#: finished results allowed to wait behind an unfinished earlier file
MAX_WAITING = 4096
#: multiprocessing start method for workers (None: the platform's default)
MP_START_METHOD: str | None = None


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
    #: read and write the result cache (``.openrouter-migrate-cache``)
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


@dataclass
class Processed:
    result: FileResult
    original: bytes | None  # the bytes read, kept only when the result changed them
    real: str | None
    # what the file tells the project pass (None: not parsed, or a notebook)
    summary: ModuleSummary | None = None
    # what the project index knew of its text scan: (names asked, found)
    mentions: tuple[frozenset[str], frozenset[str]] | None = None


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
        if path.endswith(".ipynb"):
            from codemods.notebook_engine import process_notebook

            return process_notebook(path, data, config), None
        from codemods.engine import analyze_source

        return analyze_source(path, data, config, prefilter=False)
    except Exception as e:  # noqa: BLE001 - one file's bug must not end the run
        return FileResult(
            path, errors=[FileError(path, f"internal error: {type(e).__name__}: {e}")]
        ), None


def _init_worker(config: EngineConfig) -> None:
    global _worker_config
    _worker_config = config
    config.table()  # load (and validate) the model table once per worker
    import codemods.engine  # noqa: F401 - pay the LibCST import before the first chunk

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
    items: list[tuple[str, bytes]],
) -> list[tuple[FileResult, ModuleSummary | None]]:
    config = _worker_config
    assert config is not None, "worker not initialised"
    return [_process_bytes(path, data, config) for path, data in items]


def _process_project(
    path: str, data: bytes, config: EngineConfig, project: ProjectInput
) -> tuple[FileResult, ModuleSummary | None]:
    """A second-round file: analysed with what the other files said."""
    try:
        from codemods.engine import analyze_source

        return analyze_source(path, data, config, prefilter=False, project=project)
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


def _scan_files(reals: list[str], names: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The text scan of a share of the files, in a worker (see
    :class:`codemods.project.Mentions`): the names each file mentions."""
    from codemods.project import words

    encoded = {n.encode("utf-8", "surrogateescape"): n for n in names}
    out = []
    for real in reals:
        try:
            data = read_source(real)
        except FileIOError:
            data = b""
        hits = words(data).intersection(encoded)
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
    chunk: _Chunk


@dataclass
class _Chunk:
    items: list[_Pending] = field(default_factory=list)
    size: int = 0
    future: Future[list[tuple[FileResult, ModuleSummary | None]]] | None = None
    results: list[tuple[FileResult, ModuleSummary | None]] | None = None


class _Pipeline:
    def __init__(self, inp: RunInput, jobs: list[Job], project: bool = False) -> None:
        self.inp = inp
        # the project pass keeps the workers for its second round: close()
        self.keep_open = project
        self.jobs = jobs
        self.workers = resolve_jobs(inp.jobs)
        self.cache: Cache | None = None
        self.index: ProjectIndex | None = None
        if inp.cache and jobs:
            from codemods.cache import Cache, ProjectIndex

            self.cache = Cache.for_run(inp.paths[0] if inp.paths else ".", inp.config)
            if project:  # the project pass: unchanged files cost a stat
                self.index = ProjectIndex(self.cache)
        self.executor: Any = None
        self.old_gc: tuple[int, int, int] | None = None
        self.queue: deque[Processed | _Pending] = deque()
        self.open: _Chunk | None = None
        self.in_flight = 0

    # results in input order
    def __iter__(self) -> Iterator[Processed]:
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
        finally:
            if not self.keep_open:
                self.close()

    def close(self) -> None:
        """Stop the workers and give the garbage collector back."""
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
        if self.old_gc is not None:
            _restore_gc(self.old_gc)
            self.old_gc = None

    # -- the project pass's second round, and its text scan -------------------

    def _in_process(self) -> None:
        if self.old_gc is None:
            import codemods.engine  # noqa: F401 - frozen by _tune_gc with the rest

            self.old_gc = _tune_gc()

    def rerun(self, items: list[tuple[Job, ProjectInput, bytes | None]]) -> dict[str, Processed]:
        """Process files again with what the other files said: from the cache
        (keyed by the bytes and that input), else on the workers (several
        files) or in this process."""
        from codemods.project import fingerprint

        out: dict[str, Processed] = {}
        todo: list[tuple[Job, ProjectInput, bytes, str | None]] = []
        for job, project, data in items:
            if data is None:
                try:
                    data = read_source(job.real)
                except FileIOError as e:
                    result = FileResult(job.path, errors=[FileError(job.path, e.reason)])
                    out[job.path] = Processed(result, None, job.real)
                    continue
            key = None
            if self.cache is not None:
                key = self.cache.key(job.path, data, extra=fingerprint(project))
                entry = self.cache.get_entry(key, job.path)
                if entry is not None:
                    out[job.path] = Processed(entry[0], data, job.real, entry[1])
                    continue
            todo.append((job, project, data, key))
        if self.workers > 1 and len(todo) > 1:
            if self.executor is None:
                self.executor = _start_pool(self.workers, self.inp.config)
            chunks = [todo[i : i + CHUNK_FILES] for i in range(0, len(todo), CHUNK_FILES)]
            futures = [
                self.executor.submit(_work_project, [(j.path, d, p) for j, p, d, _ in c])
                for c in chunks
            ]
            done = [self._project_results(c, f) for c, f in zip(chunks, futures)]
            pairs = [r for chunk in done for r in chunk]
        else:
            self._in_process()
            pairs = [_process_project(j.path, d, self.inp.config, p) for j, p, d, _ in todo]
        for (job, _, data, key), (result, summary) in zip(todo, pairs):
            self._store(key, result, summary)
            out[job.path] = Processed(result, data, job.real, summary)
        return out

    def _project_results(
        self, chunk: list[tuple[Job, ProjectInput, bytes, str | None]], future: Any
    ) -> list[tuple[FileResult, ModuleSummary | None]]:
        from concurrent.futures.process import BrokenProcessPool

        try:
            return future.result()  # type: ignore[no-any-return]
        except BrokenProcessPool:
            if self.executor is not None:
                self.executor.shutdown(wait=False, cancel_futures=True)
                self.executor = None
            out = []
            for job, project, data, _ in chunk:  # alone, each in a fresh worker
                executor = _start_pool(1, self.inp.config)
                try:
                    out += executor.submit(_work_project, [(job.path, data, project)]).result()
                except Exception:  # noqa: BLE001 - the worker died on this file
                    message = "internal error: the worker process died while processing this file"
                    out.append((FileResult(job.path, errors=[FileError(job.path, message)]), None))
                finally:
                    executor.shutdown(wait=False, cancel_futures=True)
            return out
        except Exception as e:  # noqa: BLE001
            message = f"internal error: {type(e).__name__}: {e}"
            return [
                (FileResult(j.path, errors=[FileError(j.path, message)]), None)
                for j, _, _, _ in chunk
            ]

    def scan_many(
        self, reals: dict[str, str]
    ) -> Callable[[list[str], frozenset[str]], dict[str, frozenset[str]]] | None:
        """A parallel text scan for :meth:`Mentions.prepare`, when workers
        are running (a cold run): each worker reads and splits its share."""
        if self.executor is None or self.workers < 2:
            return None
        executor = self.executor

        def scan(paths: list[str], names: frozenset[str]) -> dict[str, frozenset[str]]:
            wanted = tuple(sorted(names))
            step = max(64, -(-len(paths) // (4 * self.workers)))
            parts = [paths[i : i + step] for i in range(0, len(paths), step)]
            futures = [
                executor.submit(_scan_files, [reals[p] for p in part], wanted) for part in parts
            ]
            out: dict[str, frozenset[str]] = {}
            for part, future in zip(parts, futures):
                try:
                    hits = future.result()
                except Exception:  # noqa: BLE001 - a worker died: scan here
                    hits = _scan_files([reals[p] for p in part], wanted)
                for path, found in zip(part, hits):
                    out[path] = frozenset(found)
            return out

        return scan

    def _known(self, job: Job, e: IndexEntry) -> Processed | None:
        """The result of a file the project index says is unchanged (no read,
        unless migrate needs the bytes of a file the result changes)."""
        known = (e.asked, e.found)
        if not e.candidate:
            return Processed(FileResult(job.path, skipped=True), None, job.real, None, known)
        assert self.cache is not None
        entry = self.cache.get_entry(self.cache.key_of_digest(job.path, e.digest), job.path)
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
        st = None
        if self.index is not None:
            try:
                st = os.stat(job.real)
            except OSError:
                st = None
            e = self.index.fresh(job.real, st) if st is not None else None
            if e is not None:
                done = self._known(job, e)
                if done is not None:
                    return done
        try:
            data = read_source(job.real)
        except FileIOError as e:
            return Processed(
                FileResult(job.path, errors=[FileError(job.path, e.reason)]), None, job.real
            )
        is_candidate = candidate(job.path, data, self.inp.config)
        digest = None
        known = None
        if self.index is not None:
            digest = hashlib.sha256(data).digest()
            prior = self.index.same_content(job.real, digest)
            known = (prior.asked, prior.found) if prior is not None else None
            self.index.record(job.real, st, digest, is_candidate, *(known or ()))
        if not is_candidate:
            return Processed(FileResult(job.path, skipped=True), None, job.real, None, known)
        key = None
        if self.cache is not None:
            key = (
                self.cache.key(job.path, data)
                if digest is None
                else self.cache.key_of_digest(job.path, digest)
            )
            entry = self.cache.get_entry(key, job.path)
            if entry is not None:
                hit, summary = entry
                return Processed(hit, data if hit.changed else None, job.real, summary, known)
        if self.workers == 1:
            if self.old_gc is None:
                import codemods.engine  # noqa: F401 - frozen by _tune_gc with the rest

                self.old_gc = _tune_gc()
            result, summary = _process_bytes(job.path, data, self.inp.config)
            self._store(key, result, summary)
            return Processed(result, data if result.changed else None, job.real, summary)
        if self.open is None:
            self.open = _Chunk()
        chunk = self.open
        pending = _Pending(job, data, key, chunk)
        chunk.items.append(pending)
        chunk.size += len(data)
        self.queue.append(pending)
        if len(chunk.items) >= CHUNK_FILES or chunk.size >= CHUNK_BYTES:
            self._submit_open()
        return None

    def _store(self, key: str | None, result: FileResult, summary: ModuleSummary | None) -> None:
        if self.cache is not None and key is not None and not _internal_error(result):
            self.cache.put(key, result, summary)

    def _submit_open(self) -> None:
        chunk, self.open = self.open, None
        if chunk is None:
            return
        if self.executor is None:
            self.executor = _start_pool(self.workers, self.inp.config)
        payload = [(p.job.path, p.data) for p in chunk.items]
        chunk.future = self.executor.submit(_work_chunk, payload)
        self.in_flight += 1

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
            result, summary = chunk.results[chunk.items.index(head)]
            self._store(head.key, result, summary)
            yield Processed(result, head.data if result.changed else None, head.job.real, summary)
            head.data = b""  # drop the bytes early (the chunk still references this)

    def _collect(self, chunk: _Chunk) -> list[tuple[FileResult, ModuleSummary | None]]:
        from concurrent.futures.process import BrokenProcessPool

        assert chunk.future is not None
        try:
            return chunk.future.result()
        except BrokenProcessPool:
            # A worker died (crash, OOM kill): every chunk in flight fails with
            # it. The pool is unusable: later chunks get a fresh one, and each
            # file of the failed chunks is retried alone to find the culprit.
            if self.executor is not None:
                self.executor.shutdown(wait=False, cancel_futures=True)
                self.executor = None
            return [self._isolated(p) for p in chunk.items]
        except Exception as e:  # noqa: BLE001 - e.g. a result that does not unpickle
            message = f"internal error: {type(e).__name__}: {e}"
            return [
                (FileResult(p.job.path, errors=[FileError(p.job.path, message)]), None)
                for p in chunk.items
            ]

    def _isolated(self, pending: _Pending) -> tuple[FileResult, ModuleSummary | None]:
        from concurrent.futures.process import BrokenProcessPool

        executor = _start_pool(1, self.inp.config)
        try:
            return executor.submit(_work_chunk, [(pending.job.path, pending.data)]).result()[0]
        except BrokenProcessPool:
            message = "internal error: the worker process died while processing this file"
        except Exception as e:  # noqa: BLE001
            message = f"internal error: {type(e).__name__}: {e}"
        finally:
            executor.shutdown(wait=False, cancel_futures=True)
        return FileResult(pending.job.path, errors=[FileError(pending.job.path, message)]), None


def _internal_error(result: FileResult) -> bool:
    return any(e.message.startswith("internal error:") for e in result.errors)


def _start_pool(workers: int, config: EngineConfig) -> Any:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(MP_START_METHOD),
        initializer=_init_worker,
        initargs=(config,),
    )


def run(inp: RunInput) -> tuple[Iterator[Processed], list[FileError]]:
    """Discover the files, then process them (results in input order).

    With one Python file, results stream as they are ready. With more,
    model IDs that cross modules are followed (:mod:`codemods.project`):
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
    if sum(1 for j in everything if j.path.endswith(".py")) < 2:
        return iter(_Pipeline(inp, jobs)), errors
    report = {j.path for j in jobs} if context else None
    return _run_project(inp, everything, report), errors


def project_root(path: str) -> str | None:
    """The nearest directory at or above ``path`` holding ``pyproject.toml``
    or ``.git`` (None: none; unlike the cache's root, no fallback)."""
    d = os.path.dirname(os.path.abspath(path))
    while True:
        if os.path.isfile(os.path.join(d, "pyproject.toml")) or os.path.lexists(
            os.path.join(d, ".git")
        ):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
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
            from codemods.config import matches_include

            if not matches_include(d.display, d.real_path, inp.include):
                continue
        have.add(d.real_path)
        out.append(Job(d.display, d.real_path))
    return out


def _run_project(
    inp: RunInput, jobs: list[Job], report: set[str] | None = None
) -> Iterator[Processed]:
    """The project pass (see :mod:`codemods.project`): round 1 processes every
    file; files that call a function of another module whose parameter
    reaches ``model=`` are processed again with it; then the modules that
    define constants other files pass to ``model=``, then their importers.

    Round 1 keeps only each file's result and small summary (the bytes only
    of files that changed); a file the planner must read as text, or run
    again, is read again from disk."""
    pipeline = _Pipeline(inp, jobs, project=True)
    try:
        final: dict[str, Processed] = {p.result.path: p for p in pipeline}
        _second_round(pipeline, jobs, final)
    finally:
        pipeline.close()
    for job in jobs:
        if report is None or job.path in report:
            yield final[job.path]


def _second_round(pipeline: _Pipeline, jobs: list[Job], final: dict[str, Processed]) -> None:
    """Plan from the first round's summaries and process again what the plan
    says (updates ``final``); three batches, each on the workers."""
    from codemods.project import (
        Mentions,
        ProjectInput,
        modules_of,
        plan,
        plan_calls,
        watched_names,
    )

    by_path = {job.path: job for job in jobs}
    inputs: dict[str, ProjectInput] = {}
    index = pipeline.index

    def files() -> list[FileInfo]:
        return [
            (j.path, j.real, final[j.path].summary, final[j.path].original or _Lazy(j.real))
            for j in jobs
        ]

    def rerun(todo: dict[str, ProjectInput]) -> None:
        inputs.update(todo)
        items = [(by_path[p], project, final[p].original) for p, project in todo.items()]
        final.update(pipeline.rerun(items))

    if all(p.summary is None for p in final.values()):
        if index is not None:
            index.save()
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
    calls = plan_calls(current, modules, mentions)
    rerun(calls)
    the_plan = plan(files() if calls else current, modules, mentions)
    rerun(
        {
            path: replace(inputs.get(path, ProjectInput()), exports=exports.exports)
            for path, exports in the_plan.definers.items()
        }
    )
    handled: dict[str, set[str]] = {}
    for path in the_plan.definers:
        summary = final[path].summary
        handled[path] = summary.handled if summary is not None else set()
    todo: dict[str, ProjectInput] = {}
    for path in the_plan.importers:
        followed = the_plan.followed_input(path, handled, None)
        if followed is not None:
            todo[path] = replace(inputs.get(path, ProjectInput()), followed=followed.followed)
    rerun(todo)
    if index is not None:  # what the text scan learnt, for the next run
        for path in mentions.paths():
            index.scanned(by_path[path].real, *mentions.state(path))
        index.save()


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
