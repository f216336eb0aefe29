"""From paths to a stream of per-file results (the pipeline before the sink).

    paths -> discover -> read -> engine.process_source -> FileResult ...

Reading and processing are separate from writing: the CLI decides, per
command, whether a result becomes a report, a diff or a write.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from codemods.discovery import discover
from codemods.engine import EngineConfig, process_source
from codemods.findings import FileError, FileResult
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
    """Discover the files, then lazily process them one by one (in order)."""
    jobs, errors = collect_jobs(inp)

    def results() -> Iterator[Processed]:
        for job in jobs:
            yield process_job(job, inp.config)

    return results(), errors
