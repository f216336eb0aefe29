"""From paths to a stream of per-file results (the pipeline before the sink).

    paths -> discover -> read -> engine.process_source -> FileResult ...

Reading and processing are separate from writing: the CLI decides, per
command, whether a result becomes a report, a diff or a write.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from codemods.discovery import discover
from codemods.engine import EngineConfig, analyze_source, process_source
from codemods.findings import FileError, FileResult
from codemods.project import FileInfo, ModuleSummary, ProjectInput, plan, plan_calls
from codemods.writer import FileIOError, read_source


@dataclass
class Job:
    """A file to process: its display path, and the bytes read (None: unreadable)."""

    path: str
    real: Path


@dataclass
class RunInput:
    paths: Sequence[str]
    config: EngineConfig = field(default_factory=EngineConfig)
    exclude: Sequence[str] = ()
    force_exclude: bool = False
    include_notebooks: bool = True
    jobs: int = 1


@dataclass
class Processed:
    result: FileResult
    original: bytes | None  # the bytes the result was computed from
    real: Path | None


def collect_jobs(inp: RunInput) -> tuple[list[Job], list[FileError]]:
    found, problems = discover(
        list(inp.paths),
        include_notebooks=inp.include_notebooks,
        exclude=list(inp.exclude),
        force_exclude=inp.force_exclude,
    )
    jobs = [Job(str(d.path), d.real) for d in found]
    errors = [FileError(p.path, p.message) for p in problems]
    return jobs, errors


def process_job(job: Job, config: EngineConfig) -> Processed:
    try:
        data = read_source(job.real)
    except FileIOError as e:
        return Processed(
            FileResult(job.path, errors=[FileError(job.path, e.reason)]), None, job.real
        )
    if job.path.endswith(".ipynb"):
        from codemods.notebook_engine import process_notebook

        return Processed(process_notebook(job.path, data, config), data, job.real)
    return Processed(process_source(job.path, data, config), data, job.real)


def run(inp: RunInput) -> tuple[Iterator[Processed], list[FileError]]:
    """Discover the files, then process them (in order).

    With more than one Python file, model IDs that cross modules are
    followed (:mod:`codemods.project`): every file is processed once, then
    the few files that define or import such a name are processed again
    with what the others said; results are yielded once all are known."""
    jobs, errors = collect_jobs(inp)

    def results() -> Iterator[Processed]:
        if sum(1 for j in jobs if j.path.endswith(".py")) < 2:
            for job in jobs:
                yield process_job(job, inp.config)
            return
        yield from _run_project(jobs, inp.config)

    return results(), errors


def _run_project(jobs: list[Job], config: EngineConfig) -> Iterator[Processed]:
    """The project pass (see :mod:`codemods.project`): round 1 processes every
    file; files that call a function of another module whose parameter
    reaches ``model=`` are processed again with it; then the modules that
    define constants other files pass to ``model=``, then their importers."""
    by_path = {job.path: job for job in jobs}
    final: dict[str, Processed] = {}
    summaries: dict[str, ModuleSummary | None] = {}
    inputs: dict[str, ProjectInput] = {}
    for job in jobs:
        if job.path.endswith(".py"):
            final[job.path], summaries[job.path] = _process_py(job, config)
        else:
            final[job.path], summaries[job.path] = process_job(job, config), None

    def files() -> list[FileInfo]:
        return [(j.path, j.real, summaries[j.path], final[j.path].original) for j in jobs]

    def rerun(path: str, project: ProjectInput) -> ModuleSummary | None:
        inputs[path] = project
        final[path], summaries[path] = _process_py(
            by_path[path], config, project, final[path].original
        )
        return summaries[path]

    for path, project in plan_calls(files()).items():
        rerun(path, project)
    the_plan = plan(files())
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


def _process_py(
    job: Job,
    config: EngineConfig,
    project: ProjectInput | None = None,
    data: bytes | None = None,
) -> tuple[Processed, ModuleSummary | None]:
    if data is None:
        try:
            data = read_source(job.real)
        except FileIOError as e:
            result = FileResult(job.path, errors=[FileError(job.path, e.reason)])
            return Processed(result, None, job.real), None
    result, summary = analyze_source(
        job.path, data, config, prefilter=project is None, project=project
    )
    return Processed(result, data, job.real), summary
