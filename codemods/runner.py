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
import os
import signal
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from codemods.discovery import discover
from codemods.engine import EngineConfig
from codemods.findings import FileError, FileResult
from codemods.prefilter import may_need_work
from codemods.secrets import source_holds_secret
from codemods.writer import FileIOError, read_source

if TYPE_CHECKING:
    from concurrent.futures import Future

    from codemods.cache import Cache, Caches
    from codemods.project import FileInfo, ModuleSummary, ProjectInput

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
    #: file's project root, see :mod:`codemods.cache`)
    cache: bool = False
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


def _init_worker(config: EngineConfig) -> None:
    global _worker_config
    # first: the parent handles Ctrl-C/SIGTERM and stops the workers itself
    _worker_ignores_run_signals()
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
    future: Future[list[tuple[FileResult, ModuleSummary | None]]] | None = None
    results: list[tuple[FileResult, ModuleSummary | None]] | None = None


class _Pipeline:
    def __init__(self, inp: RunInput, jobs: list[Job]) -> None:
        self.inp = inp
        self.jobs = jobs
        self.workers = resolve_jobs(inp.jobs)
        self.caches: Caches | None = None
        if inp.cache and jobs:
            from codemods.cache import Caches

            self.caches = Caches(list(inp.paths), inp.config)
        self.executor: Any = None
        self.old_gc: tuple[int, int, int] | None = None
        self.queue: deque[Processed | _Pending] = deque()
        self.open: _Chunk | None = None
        self.in_flight = 0

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
            if self.executor is not None:
                if finished:
                    _forget_pool(self.executor)
                    self.executor.shutdown(wait=True, cancel_futures=True)
                else:  # interrupted, or the consumer stopped early
                    _stop_pool(self.executor)
                self.executor = None
            if self.old_gc is not None:
                _restore_gc(self.old_gc)

    def _admit(self, job: Job) -> Processed | None:
        """Read one file: its result if known now, else queue it for a worker."""
        try:
            data = read_source(job.real)
        except FileIOError as e:
            return Processed(
                FileResult(job.path, errors=[FileError(job.path, e.reason)]), None, job.real
            )
        if not candidate(job.path, data, self.inp.config):
            return Processed(FileResult(job.path, skipped=True), None, job.real)
        key = None
        cache = None if self.caches is None else self.caches.for_file(job.path)
        if cache is not None:
            key = cache.key(job.path, data)
            entry = cache.get_entry(key, job.path)
            if entry is not None:
                hit, summary = entry
                return Processed(hit, data if hit.changed else None, job.real, summary)
        self._announce(job.path, data)
        if self.workers == 1:
            if self.old_gc is None:
                import codemods.engine  # noqa: F401 - frozen by _tune_gc with the rest

                self.old_gc = _tune_gc()
            result, summary = _process_bytes(job.path, data, self.inp.config)
            self._store(cache, key, result, summary, data)
            return Processed(result, data if result.changed else None, job.real, summary)
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
    ) -> None:
        # a file holding a key is never cached (so a lookup of one always
        # misses: only the files that are analysed anyway pay for the scan)
        if (
            cache is not None
            and key is not None
            and not _internal_error(result)
            and not source_holds_secret(data)
        ):
            cache.put(key, result, summary)

    def _submit_open(self) -> None:
        chunk, self.open = self.open, None
        if chunk is None:
            return
        if self.executor is None:
            self.executor = _start_pool(self.workers, self.inp.config)
        payload = [(p.job.path, p.data) for p in chunk.items]
        with _run_signals_blocked():  # a submit may start the workers
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
            self._store(head.cache, head.key, result, summary, head.data)
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
                _stop_pool(self.executor)
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
            with _run_signals_blocked():
                future = executor.submit(_work_chunk, [(pending.job.path, pending.data)])
            return future.result()[0]
        except BrokenProcessPool:
            message = "internal error: the worker process died while processing this file"
        except Exception as e:  # noqa: BLE001
            message = f"internal error: {type(e).__name__}: {e}"
        finally:
            _stop_pool(executor)
        return FileResult(pending.job.path, errors=[FileError(pending.job.path, message)]), None


def _internal_error(result: FileResult) -> bool:
    return any(e.message.startswith("internal error:") for e in result.errors)


def _start_pool(workers: int, config: EngineConfig) -> Any:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with _run_signals_blocked():
        executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context(MP_START_METHOD),
            initializer=_init_worker,
            initargs=(config,),
        )
    _POOLS.add(executor)
    return executor


#: the pools of this process that may have workers running
_POOLS: weakref.WeakSet[Any] = weakref.WeakSet()
#: how long stopping a pool may wait for its workers to be reaped
STOP_TIMEOUT = 5.0


def _forget_pool(executor: Any) -> None:
    _POOLS.discard(executor)


def _stop_pool(executor: Any, timeout: float = STOP_TIMEOUT) -> bool:
    """Stop a pool now: kill its workers (they only read files: nothing is
    lost) and reap them, waiting at most ``timeout`` seconds in all; False
    when a worker or the pool's thread is still there after it.

    Not ``shutdown(wait=True)``, which waits for the chunks in flight: once
    the workers are dead, the pool's manager thread notices, fails the
    pending futures and ends."""
    deadline = time.monotonic() + timeout
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
    model IDs that cross modules are followed (:mod:`codemods.project`):
    every file is processed once (in parallel, through the cache), then the
    few files that define or import such a name are processed again with
    what the others said; results are yielded once all are known."""
    jobs, errors = collect_jobs(inp)
    if sum(1 for j in jobs if j.path.endswith(".py")) < 2:
        return iter(_Pipeline(inp, jobs)), errors
    return _run_project(inp, jobs), errors


def _run_project(inp: RunInput, jobs: list[Job]) -> Iterator[Processed]:
    """The project pass (see :mod:`codemods.project`): round 1 processes every
    file; files that call a function of another module whose parameter
    reaches ``model=`` are processed again with it; then the modules that
    define constants other files pass to ``model=``, then their importers.

    Round 1 keeps only each file's result and small summary (the bytes only
    of files that changed); a file the planner must read as text, or run
    again, is read again from disk."""
    from codemods.project import (
        ProjectInput,
        modules_of,
        plan,
        plan_calls,
        plan_clients,
        plan_keys,
        plan_module_client_state,
        plan_module_client_version,
        plan_param_clients,
        plan_private,
    )

    config = inp.config
    by_path = {job.path: job for job in jobs}
    order = {job.path: i for i, job in enumerate(jobs)}
    final: dict[str, Processed] = {p.result.path: p for p in _Pipeline(inp, jobs)}
    inputs: dict[str, ProjectInput] = {}

    def files() -> list[FileInfo]:
        return [
            (j.path, j.real, final[j.path].summary, final[j.path].original or _Lazy(j.real))
            for j in jobs
        ]

    def rerun(path: str, project: ProjectInput) -> ModuleSummary | None:
        inputs[path] = project
        final[path] = _process_py(by_path[path], config, project, final[path].original)
        return final[path].summary

    if all(p.summary is None for p in final.values()):
        yield from (final[job.path] for job in jobs)  # nothing parsed: nothing to plan
        return
    modules = modules_of([(j.path, j.real, None, None) for j in jobs])
    current = files()
    # API keys first: a client migrated once its key is followed also
    # migrates the model IDs sent through it (planned next, on what the
    # files say after that)
    key_plan = plan_keys(current, modules)
    key_handled: dict[str, set[str]] = {}
    for path, names in key_plan.key_definers.items():
        summary = rerun(path, ProjectInput(key_exports=names))
        key_handled[path] = summary.key_handled if summary is not None else set()
    for path in key_plan.key_importers:
        keys = key_plan.followed_keys(path, key_handled)
        if keys:
            rerun(path, replace(inputs.get(path, ProjectInput()), followed_keys=keys))
    if key_plan.key_definers:
        current = files()
    # the module-level client is one per process: a file that only sets
    # its key learns the SDK generation from the modules that call it, then
    # the modules that only call it move (or stay) with that configuration
    versions = plan_module_client_version(current)
    for path, version in versions.items():
        rerun(path, replace(inputs.get(path, ProjectInput()), module_client_version=version))
    if versions:
        current = files()
    states = plan_module_client_state(current, modules)
    for path, (state, where) in states.items():
        rerun(
            path,
            replace(
                inputs.get(path, ProjectInput()),
                module_client_state=state,
                module_client_files=where,
            ),
        )
    if states:
        current = files()
    # then clients imported from other modules: what a call through them
    # sends moves with them (codemods/clients.py)
    # and files that call their own public functions with a client, once
    # they know whether another module imports those functions
    client_plan = plan_clients(current, modules)
    private_plan = plan_private(current, modules)
    param_plan = plan_param_clients(current, modules)
    for path in sorted(
        set(client_plan) | set(private_plan) | set(param_plan), key=order.__getitem__
    ):
        project = inputs.get(path, ProjectInput())
        if path in client_plan:
            project = replace(project, clients=client_plan[path])
        if path in param_plan:
            project = replace(project, param_clients=param_plan[path])
        if path in private_plan:
            known = private_plan[path]
            project = replace(
                project,
                module=known.module,
                imported_names=known.imported_names,
                imported_whole=known.imported_whole,
            )
        rerun(path, project)
    if client_plan or private_plan or param_plan:
        current = files()
    calls = plan_calls(current, modules)
    for path, project in calls.items():
        keys_in = inputs.get(path, ProjectInput())
        rerun(
            path,
            replace(project, key_exports=keys_in.key_exports, followed_keys=keys_in.followed_keys),
        )
    the_plan = plan(files() if calls else current, modules)
    handled: dict[str, set[str]] = {}
    for path, exports in the_plan.definers.items():
        summary = rerun(path, replace(inputs.get(path, ProjectInput()), exports=exports.exports))
        handled[path] = summary.handled if summary is not None else set()
    for path in the_plan.importers:
        followed = the_plan.followed_input(path, handled, None)
        if followed is not None:
            rerun(path, replace(inputs.get(path, ProjectInput()), followed=followed.followed))
    for job in jobs:
        yield final[job.path]


class _Lazy:
    """A file's bytes, read when (and if) the planner scans it as text."""

    __slots__ = ("real", "_data")

    def __init__(self, real: str) -> None:
        self.real = real
        self._data: bytes | None = None

    def __bool__(self) -> bool:
        return True

    def __call__(self) -> bytes:
        if self._data is None:
            try:
                self._data = read_source(self.real)
            except FileIOError:
                self._data = b""
        return self._data


def _process_py(
    job: Job,
    config: EngineConfig,
    project: ProjectInput | None,
    data: bytes | None,
) -> Processed:
    from codemods.engine import analyze_source

    if data is None:
        try:
            data = read_source(job.real)
        except FileIOError as e:
            result = FileResult(job.path, errors=[FileError(job.path, e.reason)])
            return Processed(result, None, job.real)
    result, summary = analyze_source(
        job.path, data, config, prefilter=project is None, project=project
    )
    return Processed(result, data, job.real, summary)
