"""The command line: ``openrouter-migrate migrate|check|rules``.

Exit codes (both commands): 0 nothing to report (``check``: no finding at
or above ``--fail-on``, or ``--exit-zero``), 1 findings (``check``), 2 the
tool could not do its job on at least one file, or the options or the
configuration were bad. The only module that prints; the reports themselves
are built by :mod:`codemods.core.report` (text) and :mod:`codemods.core.formats`.
"""

from __future__ import annotations

import gc
import json
import os
import re
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NoReturn

import click

from codemods import __version__
from codemods.core.config import (
    TITLE_HEADERS,
    ConfigError,
    FileConfig,
    base_url_credentials_message,
    check_codes,
    setting_problem,
)
from codemods.core.config import resolve as resolve_config
from codemods.core.findings import (
    DEFAULT_API_KEY_ENV,
    DEFAULT_BASE_URL,
    DEFAULT_TITLE_HEADER,
    FileError,
    Finding,
    Settings,
    Severity,
)
from codemods.core.formats import FORMATS
from codemods.core.report import printable, printable_lines
from codemods.core.secrets import env_name_problem, redact_text, url_credentials

if TYPE_CHECKING:
    from codemods.core.runner import Processed, RunInput

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _common(fn: Callable[..., Any]) -> Callable[..., Any]:
    # Options a config file can also set default to None ("not given"): the
    # precedence is command line > config file > built-in default.
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=str)),
        click.option(
            "--base-url",
            default=None,
            help=f"OpenRouter API base URL the clients get.  [default: {DEFAULT_BASE_URL}]",
        ),
        click.option(
            "--api-key-env",
            default=None,
            help="Environment variable that holds the OpenRouter key.  "
            f"[default: {DEFAULT_API_KEY_ENV}]",
        ),
        click.option(
            "--app-url",
            default=None,
            help="Your app's URL: added as the HTTP-Referer attribution header.",
        ),
        click.option(
            "--app-title",
            default=None,
            help="Your app's name: added as the title attribution header.",
        ),
        click.option(
            "--title-header",
            default=None,
            type=click.Choice(list(TITLE_HEADERS)),
            help="Name of the title header (X-OpenRouter-Title is its newer name).  "
            f"[default: {DEFAULT_TITLE_HEADER}]",
        ),
        click.option(
            "--mapping",
            "mappings",
            multiple=True,
            type=click.Path(path_type=str),
            help="A YAML model mapping merged over the shipped table and the config's "
            "mappings (repeatable).",
        ),
        click.option(
            "--keep-project/--strip-project",
            "keep_project",
            default=None,
            help="Keep project= in constructors (removed by default).",
        ),
        click.option(
            "--unsafe-fixes/--no-unsafe-fixes",
            "unsafe_fixes",
            default=None,
            help="Also apply (migrate) and show as fixable (check) the fixes that are unsafe: "
            "model IDs sent through a client the tool cannot resolve.  [default: off]",
        ),
        click.option("--select", multiple=True, help="Only these rule codes (prefixes allowed)."),
        click.option("--ignore", multiple=True, help="Skip these rule codes (prefixes allowed)."),
        click.option(
            "--exclude",
            multiple=True,
            help="Glob of paths to skip (repeatable; replaces the config's exclude).",
        ),
        click.option(
            "--force-exclude/--no-force-exclude",
            "force_exclude",
            default=None,
            help="Apply excludes to files named on the command line too (pre-commit needs it).",
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(path_type=str, dir_okay=False),
            default=None,
            help="Read settings from this file instead of the nearest pyproject.toml "
            "with [tool.openrouter-migrate].",
        ),
        click.option("--isolated", is_flag=True, help="Ignore every configuration file."),
        click.option("-q", "--quiet", is_flag=True, help="Print findings and errors only."),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(min=1),
            default=None,
            help="Worker processes (default: one per CPU; 1: no workers).",
        ),
        click.option(
            "--no-cache",
            is_flag=True,
            envvar="OPENROUTER_MIGRATE_NO_CACHE",
            help="Neither read nor write the result cache (.openrouter-migrate-cache/ at the "
            "project root, else in the user cache directory); also set by "
            "OPENROUTER_MIGRATE_NO_CACHE=1 (like ruff's RUFF_NO_CACHE).",
        ),
    ]
    for opt in reversed(options):
        fn = opt(fn)
    return fn


def _codes(values: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        out += [c.strip().upper() for c in v.split(",") if c.strip()]
    return tuple(out)


def _pick(cli: Any, config: Any, default: Any) -> Any:
    if cli is not None:
        return cli
    return default if config is None else config


def _settings(kw: dict[str, Any], fc: FileConfig | None = None) -> Settings:
    """Command line > config file > built-in default, option by option."""
    fc = fc or FileConfig()
    keep = kw["keep_project"]
    return Settings(
        base_url=_pick(kw["base_url"], fc.base_url, DEFAULT_BASE_URL),
        api_key_env=_pick(kw["api_key_env"], fc.api_key_env, DEFAULT_API_KEY_ENV),
        app_url=_pick(kw["app_url"], fc.app_url, None),
        app_title=_pick(kw["app_title"], fc.app_title, None),
        title_header=_pick(kw["title_header"], fc.title_header, DEFAULT_TITLE_HEADER),
        strip_project=_pick(None if keep is None else not keep, fc.strip_project, True),
        select=_codes(kw["select"]) or (fc.select or ()),
        ignore=_codes(kw["ignore"]) or (fc.ignore or ()),
        report_unused_noqa=kw.get("show_unused_noqa", False),
        max_file_bytes=(fc.max_file_kib or 1024) * 1024,
        unsafe_fixes=bool(_pick(kw["unsafe_fixes"], fc.unsafe_fixes, False)),
    )


def _fail(message: str) -> NoReturn:
    # options and config values are quoted: never a key among them
    click.echo(f"error: {printable(redact_text(message))}", err=True)
    sys.exit(EXIT_ERROR)


@dataclass
class _Group:
    """Paths that share one configuration, ready to run."""

    inp: RunInput
    fc: FileConfig
    errors: list[FileError]  # found while preparing (include filtering)


def _prepare(kw: dict[str, Any]) -> list[_Group]:
    """Options + config -> what to run, one group per configuration file met.
    Bad options or config: exit 2 before any file is read (so nothing is
    written)."""
    try:
        configs = resolve_config(list(kw["paths"]), kw["config_file"], kw["isolated"])
    except ConfigError as e:
        _fail(str(e))
    for option in ("base-url", "app-url", "app-title"):
        value = kw[option.replace("-", "_")]
        problem = None if value is None else setting_problem(option, value)
        if problem is not None:
            _fail(f"--{option} {value!r}: {problem}")
    if kw["base_url"] is not None and url_credentials(kw["base_url"]):
        _fail(f"--base-url: {base_url_credentials_message(kw['base_url'])}")
    if kw["api_key_env"] is not None:
        problem = env_name_problem(kw["api_key_env"])
        if problem is not None:
            _fail(f"--api-key-env: {problem}")
    for option in ("select", "ignore"):
        bad = check_codes(_codes(kw[option]))
        if bad is not None:
            _fail(f"--{option} {bad}: not a rule code or prefix (see `openrouter-migrate rules`)")
    return [_group(kw, fc, paths) for fc, paths in configs]


def _group(kw: dict[str, Any], fc: FileConfig, paths: list[str]) -> _Group:
    from codemods.core.engine import EngineConfig
    from codemods.core.runner import RunInput

    config = EngineConfig(
        settings=_settings(kw, fc), mapping_files=fc.mappings + tuple(kw["mappings"])
    )
    if config.mapping_files:
        from codemods.core.mapping import MappingError

        try:
            config.table()  # fail early, once, on a broken mapping file
        except MappingError as e:
            _fail(str(e))
    # (the shipped table alone loads when a file is analysed: a run whose
    # results are all cached never reads it; see EngineConfig.table_key)
    inp = RunInput(
        paths=paths,
        config=config,
        exclude=kw["exclude"] or (fc.exclude or ()),
        force_exclude=bool(_pick(kw["force_exclude"], fc.force_exclude, False)),
        # --verbose debugs: one process, so tracebacks reach this stderr in order
        jobs=1 if _debugging() else kw["jobs"],
        cache=not kw["no_cache"],
        project_context=True,
        include=fc.include,
    )
    errors: list[FileError] = []
    if fc.include is not None:
        inp, errors = _apply_include(inp, fc.include)
    return _Group(inp, fc, errors)


def _run(groups: list[_Group]) -> tuple[Iterator[tuple[_Group, Processed]], list[FileError]]:
    """Run every group: discovery now (its errors are returned), the files
    lazily, group after group."""
    from codemods.core.runner import run

    errors: list[FileError] = []
    started = []
    for g in groups:
        results, discovery_errors = run(g.inp)
        errors += g.errors + discovery_errors
        started.append((g, results))

    def chained() -> Iterator[tuple[_Group, Processed]]:
        for g, results in started:
            for p in results:
                yield g, p

    return chained(), errors


def _apply_include(inp: RunInput, include: Sequence[str]) -> tuple[RunInput, list[FileError]]:
    """Keep the files found in directories that match an ``include`` glob;
    files named on the command line are always taken (as in ruff)."""
    import dataclasses
    import os

    from codemods.core.config import matches_include
    from codemods.core.runner import collect_jobs

    jobs, errors = collect_jobs(inp)
    explicit = {os.path.normpath(p) for p in inp.paths if os.path.isfile(p)}
    keep = [j.path for j in jobs if j.path in explicit or matches_include(j.path, j.real, include)]
    # the files are now named explicitly; excludes were applied already
    return dataclasses.replace(
        inp,
        paths=keep,
        exclude=(),
        force_exclude=False,
        given=list(inp.paths),
        context_exclude=list(inp.exclude),
    ), errors


class _Progress:
    """``Checked 120 files`` on stderr, rewritten in place: only when stderr is
    a terminal, never in CI (``CI`` set), never with ``--quiet``; shown once a
    run takes longer than ``delay`` seconds."""

    def __init__(self, verb: str, quiet: bool, delay: float = 0.3) -> None:
        import os
        import time

        stderr = sys.stderr
        self.enabled = (
            not quiet
            and not os.environ.get("CI")
            and bool(getattr(stderr, "isatty", lambda: False)())
        )
        self.verb = verb
        self.count = 0
        self.start = time.monotonic()
        self.last = float("-inf")
        self.delay = delay
        self.shown = False

    def tick(self) -> None:
        if not self.enabled:
            return
        import time

        self.count += 1
        now = time.monotonic()
        if now - self.start < self.delay or now - self.last < 0.1:
            return
        self.last = now
        click.echo(f"\r\x1b[K{self.verb} {_n(self.count, 'file')}...", err=True, nl=False)
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            click.echo("\r\x1b[K", err=True, nl=False)
            self.shown = False


def _announce_large_files(groups: list[_Group], progress: _Progress, quiet: bool) -> None:
    """A file that takes long to analyse says so on stderr first, so that a
    run whose output is piped (pre-commit, CI logs) does not look hung. Not
    with ``--quiet``; in CI too: one line per large file, not a counter."""
    if quiet:
        return

    def note(path: str, size: int) -> None:
        progress.clear()
        click.echo(
            f"note: {printable(path)} is {size // 1024} KiB: analysing it takes a while "
            "(about 10 s per MiB, longer on a busy machine); exclude it if it is generated",
            err=True,
        )

    for g in groups:
        g.inp.on_large_file = note


def _echo_error(e: FileError) -> None:
    from codemods.core.report import error_line

    click.echo(error_line(e), err=True)


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: the run stops between two files (a write
    in progress completes first, see ``writer.write_atomic``)."""

    signum = int(getattr(signal, "SIGTERM", 15))


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


_ARGV_KEY = "openrouter_migrate.argv"
#: a signal this long after the first ends the process at once (a clean-up
#: that should take well under a second is stuck)
_HARD_EXIT_AFTER = 5.0
#: how long an interrupted run waits for the parse in progress in this process
_DEEP_WAIT = 3.0


class _Interrupts:
    """Ctrl-C (SIGINT) and SIGTERM for one run of the CLI, in three phases.

    * Starting (options, configuration): nothing is done yet; a signal ends
      the process at once (exit 130/143).
    * Running: the first signal raises ``KeyboardInterrupt`` (``Terminated``
      for SIGTERM) at a safe point (a write in progress completes first, see
      ``writer.write_atomic``); the guard kills and reaps the workers, then
      ends the process with 130/143 (``os._exit``: nothing is left for the
      interpreter's clean-up to do, and a signal tripped during it could
      still end the process by the signal). Every later signal is ignored,
      so that it cannot interrupt that clean-up (a second Ctrl-C used to
      leave a worker blocked and the run hung); one that comes more than
      ``_HARD_EXIT_AFTER`` seconds later kills the workers and ends the
      process at once.
    * Finishing (the command returned): signals are ignored; the run's own
      exit code stands.

    A terminal's Ctrl-C also reaches the workers: they ignore it (see
    ``codemods.core.runner``).
    """

    def __init__(self) -> None:
        self.phase = "starting"
        self.first: int | None = None
        self.first_at = 0.0
        self.previous: dict[int, Any] = {}

    @classmethod
    def install(cls) -> _Interrupts | None:
        if threading.current_thread() is not threading.main_thread():
            return None
        self = cls()
        for sig in _RUN_SIGNALS:
            try:
                self.previous[sig] = signal.signal(sig, self.handle)
            except (ValueError, OSError):  # pragma: no cover - not allowed here
                pass
        return self

    def handle(self, signum: int, frame: object) -> None:
        import time

        if self.first is None:
            self.first, self.first_at = signum, time.monotonic()
            if self.phase == "starting":
                click.echo("\ninterrupted", err=True)
                _hard_exit(128 + signum)  # nothing started, nothing to clean up
            if self.phase == "running":
                raise Terminated() if signum == _SIGTERM else KeyboardInterrupt()
            return
        if time.monotonic() - self.first_at > _HARD_EXIT_AFTER:
            _hard_exit(128 + self.first)

    def uninstall(self, exiting: bool = False) -> None:
        """Restore the previous handlers, unless a signal came or the process
        exits now (``exiting``: the CLI ran as the process's own command):
        the process is then on its way out (its workers are reaped), and a
        later signal must not interrupt the interpreter's own clean-up. That
        clean-up resets Python-level handlers to the default action, which
        would end the process by the signal instead of 130/143 or the
        command's own exit code: ignore them instead."""
        for sig, handler in self.previous.items():
            keep = self.first is None and not exiting
            signal.signal(sig, handler if keep else signal.SIG_IGN)


_SIGTERM = int(getattr(signal, "SIGTERM", 15))
_RUN_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name)
)


def _flush_std() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - leaving anyway
            pass


def _hard_exit(code: int) -> NoReturn:
    """End the process now: workers killed, output flushed, no interpreter
    clean-up (which could wait for a stuck thread)."""
    runner = sys.modules.get("codemods.core.runner")
    if runner is not None:
        runner.kill_all_workers()
    _flush_std()
    os._exit(code)


#: what the running command does (the interrupt message says what may have changed)
_RUN: dict[str, bool] = {}


def _stop_after_interrupt(code: int, signalled: bool) -> None:
    """The run was interrupted: kill and reap the workers. After a real
    signal the process then ends with ``os._exit`` (see :class:`_Interrupts`),
    which also stops a parse still running on the deep-stack thread.
    Otherwise (a ``KeyboardInterrupt`` raised in-process, by a caller that
    goes on running) wait a little for such a parse: that thread must not be
    inside LibCST's native parser when the interpreter exits (SIGABRT)."""
    import time

    runner = sys.modules.get("codemods.core.runner")
    if runner is not None and not runner.stop_all_pools():
        _hard_exit(code)  # a worker would not die: do not wait for it at exit
    if signalled:
        return
    engine = sys.modules.get("codemods.python.engine")
    if engine is not None and engine.deep_work_running():
        deadline = time.monotonic() + _DEEP_WAIT
        while engine.deep_work_running() and time.monotonic() < deadline:
            time.sleep(0.01)


def _debugging() -> bool:
    """Are the tool's debug logs on (``--verbose``, or a caller's logging
    configuration)? Without :mod:`logging` imported nothing configured it
    (it is imported only when needed: ~7 ms of every run)."""
    logging = sys.modules.get("logging")
    return logging is not None and logging.getLogger("codemods").isEnabledFor(logging.DEBUG)


def _redacting_formatter(fmt: str) -> Any:
    """A log formatter whose output has keys redacted: debug logs and
    tracebacks may quote a user's source."""
    import logging

    class _RedactingFormatter(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            # and paths or values from the user's files: shown, never run
            return printable_lines(redact_text(super().format(record)))

    return _RedactingFormatter(fmt)


class _GuardedGroup(click.Group):
    """The top-level guard: no Python traceback for anything a user can do.

    Ctrl-C and SIGTERM end the run with a one-line message (exit 130/143);
    an unexpected exception is an internal error (exit 2) whose traceback
    only ``--verbose`` shows.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_ARGV_KEY] = list(args)
        return super().parse_args(ctx, args)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        interrupts = _Interrupts.install()
        self._interrupts = interrupts
        # the process's own command line (the console script, python -m):
        # click exits the process when the command returns
        exiting = not args and kwargs.get("args") is None and kwargs.get("standalone_mode", True)
        try:
            return super().main(*args, **kwargs)
        finally:
            self._interrupts = None
            if interrupts is not None:
                interrupts.uninstall(exiting=bool(exiting))
            if exiting:
                # the process ends now: spare the interpreter's last garbage
                # collection a scan of every object left (the index, the
                # results: ~20 ms at the end of a warm 4k-file run)
                gc.freeze()

    def invoke(self, ctx: click.Context) -> Any:
        interrupts: _Interrupts | None = getattr(self, "_interrupts", None)
        if interrupts is not None:
            interrupts.phase = "running"
        _tolerant_streams()
        guard = _StdoutGuard.install()
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # written outside the guard: stop quietly (findings were shown)
            _silence_stdout()
            ctx.exit(1)
        except KeyboardInterrupt as e:
            if interrupts is not None:
                interrupts.phase = "finishing"  # later signals: ignored
            signum = e.signum if isinstance(e, Terminated) else int(signal.SIGINT)
            signalled = interrupts is not None and interrupts.first is not None
            _stop_after_interrupt(128 + signum, signalled)
            writes = _RUN.get("writes", False)
            click.echo(
                "\ninterrupted: stopped between two files; every file is either fully "
                "migrated or untouched"
                if writes
                else "\ninterrupted: nothing was changed",
                err=True,
            )
            if signalled:
                # A real signal: the workers are reaped and no write is in
                # progress; the interpreter's own clean-up has nothing left
                # to do but could still end by the signal (a burst tripped
                # during it measured exit -2 about once in ten runs).
                _hard_exit(128 + signum)
            ctx.exit(128 + signum)
        except click.ClickException as e:
            # click quotes the bad value ("'sk-...' is not one of ..."): never a key
            e.message = redact_text(e.message)
            raise
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as e:  # noqa: BLE001 - the last line of defence
            argv = ctx.meta.get(_ARGV_KEY, [])
            cut = argv.index("--") if "--" in argv else len(argv)
            if "--verbose" in argv[:cut] or "-v" in argv[:cut]:
                tb = traceback.format_exception(type(e), e, e.__traceback__)
                click.echo(printable_lines(redact_text("".join(tb))), err=True)
            # str(e) is not shown: it may quote a user's source (and a key)
            click.echo(
                f"error: internal error ({type(e).__name__}): please report it "
                "(--verbose shows the traceback)",
                err=True,
            )
            ctx.exit(EXIT_ERROR)
        finally:
            if interrupts is not None:
                interrupts.phase = "finishing"
            if guard is not None:
                sys.stdout = guard.stream


def _tolerant_streams() -> None:
    """Never fail on writing a path: a file name that is not valid in the
    file system's encoding (``bad\\xff.py``) is a str with lone surrogates,
    which a stream with ``errors="strict"`` (a UTF-8 locale such as
    ``en_US.UTF-8``, ``PYTHONIOENCODING=utf-8``) refuses: the whole report
    was lost as an internal error. Its bytes are written back as they are
    on disk (``surrogateescape``, as in the C locale) on a UTF-8 stream, and
    anything a stream cannot encode is written as an escape otherwise."""
    for stream in (sys.stdout, sys.stderr):
        if getattr(stream, "errors", None) != "strict" or not hasattr(stream, "reconfigure"):
            continue
        utf8 = str(getattr(stream, "encoding", "")).lower().replace("-", "") == "utf8"
        try:
            stream.reconfigure(errors="surrogateescape" if utf8 else "backslashreplace")
        except (ValueError, OSError, AttributeError):
            pass  # not a real text stream


def _silence_stdout() -> None:
    """Point file descriptor 1 at /dev/null: the reader is gone, and the
    interpreter's last flush must not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


class _StdoutGuard:
    """``sys.stdout`` for a run whose reader may go away (``check | head``).

    The first write to a closed pipe turns later output into nothing and
    the run goes on: ``migrate`` still migrates every file, ``check`` still
    ends with its exit code. (Without it, the first lost line ended the run
    as an internal error.)"""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.broken = False

    @classmethod
    def install(cls) -> _StdoutGuard | None:
        stream = sys.stdout
        if stream is None or isinstance(stream, cls):
            return None
        try:
            stream.fileno()
        except (OSError, ValueError, AttributeError):
            return None  # not a real file (a test's capture): nothing to guard
        guard = cls(stream)
        sys.stdout = guard  # type: ignore[assignment]
        return guard

    def _broke(self) -> None:
        self.broken = True
        _silence_stdout()

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                return self.stream.write(text)
            except BrokenPipeError:
                self._broke()
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self.stream.flush()
            except BrokenPipeError:
                self._broke()

    @property
    def buffer(self) -> _GuardedBuffer:
        """The binary layer (``migrate --diff`` writes a file's bytes), guarded too."""
        return _GuardedBuffer(self)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


class _GuardedBuffer:
    """``sys.stdout.buffer`` behind a :class:`_StdoutGuard`."""

    def __init__(self, guard: _StdoutGuard) -> None:
        self.guard = guard

    def write(self, data: bytes) -> int:
        if not self.guard.broken:
            try:
                return self.guard.stream.buffer.write(data)
            except BrokenPipeError:
                self.guard._broke()
        return len(data)

    def flush(self) -> None:
        if not self.guard.broken:
            try:
                self.guard.stream.buffer.flush()
            except BrokenPipeError:
                self.guard._broke()


@click.group(cls=_GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="openrouter-migrate")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Show internal errors' tracebacks and debug logs (runs in one process).",
)
def main(verbose: bool = False) -> None:
    """Move OpenAI SDK code from OpenAI to OpenRouter.

    \b
      openrouter-migrate migrate --diff .   show what would change
      openrouter-migrate migrate .          rewrite files in place
      openrouter-migrate check .            lint: report what is not migrated
      openrouter-migrate rules              list the rules
    """
    if not verbose and "logging" not in sys.modules:
        return  # nothing to undo: a handler of ours would have imported it
    import logging

    log = logging.getLogger("codemods")
    for h in [h for h in log.handlers if getattr(h, "_openrouter_migrate", False)]:
        log.removeHandler(h)
    log.setLevel(logging.NOTSET)
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_redacting_formatter("%(name)s: %(message)s"))
        handler._openrouter_migrate = True  # type: ignore[attr-defined]
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)


@main.command()
@_common
@click.option(
    "--output-format",
    "--format",
    "output_format",
    type=click.Choice(list(FORMATS)),
    default="text",
    show_default=True,
    help="text for people, json (documented schema), sarif (code scanning), "
    "github (workflow annotations).",
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default=None,
    help="Lowest severity that fails the run (exit 1).  [default: warning: any finding]",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead.")
@click.option(
    "--show-unused-noqa",
    is_flag=True,
    help="Report `# noqa: OR...` comments that silence nothing (OR900).",
)
def check(**kw: Any) -> None:
    """Report unmigrated OpenAI usage. Never changes a file (it writes only
    its result cache; --no-cache: nothing).

    Exit 0: nothing found (or only findings below --fail-on, or --exit-zero);
    1: findings; 2: a file could not be checked, or bad options/configuration.
    """
    from codemods.core.formats import (
        github_error_line,
        github_line,
        render_json,
        render_sarif,
        statistics_json,
    )
    from codemods.core.report import statistics, summary, text_line, use_color

    fmt = kw["output_format"]
    if kw["statistics"] and fmt not in ("text", "json"):
        _fail("--statistics works with --output-format text or json")
    groups = _prepare(kw)
    color = fmt == "text" and use_color(sys.stdout)
    streaming = fmt in ("text", "github") and not kw["statistics"]
    progress = _Progress("Checked", kw["quiet"])
    _announce_large_files(groups, progress, kw["quiet"])

    def error(e: FileError) -> None:
        progress.clear()
        if fmt == "github":
            click.echo(github_error_line(e))
        else:
            _echo_error(e)

    results, errors = _run(groups)
    for e in errors:
        error(e)
    findings: list[Finding] = []
    failing: list[Finding] = []
    fail_on = Severity.WARNING
    for g, p in results:
        fail_on = Severity(_pick(kw["fail_on"], g.fc.fail_on, "warning"))
        failing += [f for f in p.result.findings if f.severity.rank >= fail_on.rank]
        progress.tick()
        for e in p.result.errors:
            errors.append(e)
            error(e)
        for f in p.result.findings:
            findings.append(f)
            if streaming:
                progress.clear()
                if fmt == "github":
                    click.echo(github_line(f))
                else:
                    click.echo(text_line(f, color), color=color)
    progress.clear()
    if kw["statistics"]:
        if fmt == "json":
            click.echo(statistics_json(findings), nl=False)
        else:
            for line in statistics(findings):
                click.echo(line)
    elif fmt == "json":
        click.echo(render_json(findings, errors), nl=False)
    elif fmt == "sarif":
        click.echo(render_sarif(findings, errors), nl=False)
    if not kw["quiet"]:
        unsafe_on = all(g.inp.config.settings.unsafe_fixes for g in groups)
        line = summary(findings, errors, len({f.path for f in findings}), unsafe_on)
        if findings and not failing and fail_on is Severity.ERROR:
            line = line[:-1] + "; only errors fail the run (--fail-on error)."
        click.echo(line, err=True)
    if errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if failing and not kw["exit_zero"] else EXIT_OK)


@main.command()
@_common
@click.option(
    "--diff",
    is_flag=True,
    help="Print a unified diff (a patch `git apply` takes) on stdout; write nothing.",
)
@click.option(
    "--cell-diff",
    is_flag=True,
    help="With --diff: show notebooks as a diff of each changed cell's source "
    "(easier to read; not a patch that applies).",
)
@click.option(
    "--allow-dirty", is_flag=True, help="Write files that have uncommitted changes in git."
)
def migrate(**kw: Any) -> None:
    """Rewrite files in place to use OpenRouter (or show the diff).

    Exit 0: done (report-only findings are listed); 2: a file could not be
    processed or written.
    """
    _RUN["writes"] = not kw["diff"]
    from codemods.core.report import shown_only, text_line, use_color
    from codemods.core.writer import git_dirty_files

    if kw["cell_diff"] and not kw["diff"]:
        _fail("--cell-diff works with --diff only")
    groups = _prepare(kw)
    color = use_color(sys.stdout)
    # with --diff, stdout is the patch: findings go to stderr with the summary
    findings_out = sys.stderr if kw["diff"] else sys.stdout
    findings_color = use_color(findings_out)
    progress = _Progress("Processed", kw["quiet"] or kw["diff"])
    _announce_large_files(groups, progress, kw["quiet"])
    results, errors = _run(groups)
    for e in errors:
        _echo_error(e)
    changed = fixes = 0
    needs_human: list[Finding] = []
    not_applied: list[Finding] = []  # unsafe fixes, without --unsafe-fixes
    display_only: list[Finding] = []  # fixes that would break the code: shown only
    # every result first: a migration unit (files whose fixes were decided
    # with each other's facts, codemods/core/units.py) is written whole or not at
    # all, so every member's fate is known before any write
    done: list[tuple[_Group, Processed]] = []
    for g, p in results:
        r = p.result
        progress.tick()
        for e in r.errors:
            progress.clear()
            errors.append(e)
            _echo_error(e)
        # an unsafe fix that --unsafe-fixes could not apply (the file failed)
        # is not listed as one the option would apply
        hidden = not g.inp.config.settings.unsafe_fixes
        needs_human += [
            f
            for f in r.findings
            if not f.fixable and not (hidden and f.hidden_fix) and not f.display_only
        ]
        not_applied += [f for f in r.findings if hidden and f.hidden_fix]
        # display-only fixes: never applied, whatever the options
        display_only += [f for f in r.findings if f.display_only]
        done.append((g, p))
    # files that refuse (or fail) before any write: path -> why
    refused: dict[str, str] = {}
    for _, p in done:
        if p.result.errors and p.result.new_source is None:
            refused[p.result.path] = "could not be processed"
    outside: dict[str, tuple[str | None, bool]] = {}  # unit members not named
    for _, p in done:
        for member, real, failed in p.unit_outside:
            outside[member] = (real, failed)
            if failed:
                refused[member] = "could not be processed"
    if not kw["diff"] and not kw["allow_dirty"]:
        if any(p.result.new_source is not None and p.original is not None for _, p in done):
            dirty = git_dirty_files(
                [Path(x) for g in groups for x in g.inp.paths]
                + [Path(real) for real, _ in outside.values() if real is not None]
            )
        else:
            dirty = None
        for member, (real, failed) in outside.items():
            if not failed and dirty is not None and real is not None:
                if Path(real).resolve() in dirty:
                    refused[member] = "has uncommitted changes"
        for _, p in done:
            r = p.result
            if r.new_source is None or p.original is None or dirty is None or p.real is None:
                continue
            if Path(p.real).resolve() in dirty:
                e = FileError(
                    r.path,
                    "has uncommitted changes: not written (commit or stash "
                    "first so the migration can be reviewed and undone, or pass --allow-dirty)",
                )
                errors.append(e)
                progress.clear()
                _echo_error(e)
                refused[r.path] = "has uncommitted changes"
    if kw["diff"]:
        # what `migrate` refuses to write whatever the options (a file with
        # several hard links: _write_unit) is not in the patch either: `git
        # apply` would write it, breaking the link, where `migrate` does not
        from codemods.core.writer import WriteError, check_write

        for _, p in done:
            r = p.result
            if r.new_source is None or p.original is None or r.path in refused:
                continue
            try:
                st = os.stat(p.real or r.path)
            except OSError:
                continue
            if st.st_nlink <= 1:
                continue
            try:
                check_write(Path(p.real or r.path), expected_old=p.original)
            except WriteError as we:
                e = FileError(r.path, we.reason)
                errors.append(e)
                progress.clear()
                _echo_error(e)
                refused[r.path] = "could not be written"
    by_path = {p.result.path: p for _, p in done}
    order_of = {path: i for i, path in enumerate(by_path)}
    handled: set[str] = set()
    for _, p in done:
        r = p.result
        if r.new_source is None or p.original is None or r.path in handled:
            continue
        if r.path in refused:
            continue
        blocker = _unit_blocker(p, refused)
        if blocker is not None:
            handled.add(r.path)
            progress.clear()
            if kw["diff"]:
                click.echo(
                    f"note: {printable(r.path)}: not in the patch: "
                    f"{printable(_unit_reason(*blocker))}; "
                    "`migrate` would not write it either",
                    err=True,
                )
                continue
            e = FileError(r.path, "not written: " + _unit_reason(*blocker))
            errors.append(e)
            _echo_error(e)
            continue
        if kw["diff"]:
            handled.add(r.path)
            _show_diff(r.path, p.original, r.new_source, r.findings, color, kw["cell_diff"])
            changed += 1
            fixes += sum(1 for f in r.findings if f.fixable)
            continue
        # the unit's members this run writes, in input order
        members = [p] + [
            by_path[m]
            for m in p.unit
            if m in by_path
            and m not in handled
            and by_path[m].result.new_source is not None
            and by_path[m].original is not None
        ]
        members.sort(key=lambda q: order_of[q.result.path])
        handled.update(q.result.path for q in members)
        unit_errors = _write_unit(members)
        for e in unit_errors:
            errors.append(e)
            progress.clear()
            _echo_error(e)
        if unit_errors:
            continue
        left = sorted({m for q in members for m, _, _ in q.unit_outside})
        if left and not kw["quiet"]:
            progress.clear()
            click.echo(
                f"note: {printable(r.path)}: its fixes were decided together with "
                f"{printable(', '.join(left))}, "
                "which this run does not write: migrate them too, or the program is half "
                "migrated",
                err=True,
            )
        for q in members:
            n_fixes = sum(1 for f in q.result.findings if f.fixable)
            changed += 1
            fixes += n_fixes
            if not kw["quiet"]:
                progress.clear()
                click.echo(
                    f"fixed {printable(q.result.path)} "
                    f"({n_fixes} fix{'es' if n_fixes != 1 else ''})",
                    err=True,
                )
    progress.clear()
    for f in needs_human:
        click.echo(text_line(f, findings_color), color=findings_color, file=findings_out)
    for f in not_applied:
        click.echo(
            text_line(f, findings_color) + " (not applied)",
            color=findings_color,
            file=findings_out,
        )
    for f in display_only:
        click.echo(text_line(f, findings_color), color=findings_color, file=findings_out)
    if not kw["quiet"]:
        verb = "Would migrate" if kw["diff"] else "Migrated"
        line = f"{verb} {_n(changed, 'file')} ({_n(fixes, 'fix', 'fixes')})"
        if needs_human:
            verb_n = "needs" if len(needs_human) == 1 else "need"
            line += f"; {_n(len(needs_human), 'finding')} {verb_n} a human (listed above)"
        if not_applied:
            line += (
                f"; {_n(len(not_applied), 'unsafe fix', 'unsafe fixes')} not applied "
                "(listed above; the `--unsafe-fixes` option applies them)"
            )
        if display_only:
            line += f"; {shown_only(len(display_only))}"
        if errors:
            line += f"; {_n(len(errors), 'error')}"
        click.echo(line + ".", err=True)
    sys.exit(EXIT_ERROR if errors else EXIT_OK)


def _unit_blocker(p: Processed, refused: dict[str, str]) -> tuple[str, str] | None:
    """The first member of ``p``'s migration unit that keeps it from being
    written: (path, why), or None."""
    for member in p.unit:
        if member in refused:
            return member, refused[member]
    return None


def _unit_reason(member: str, why: str) -> str:
    return (
        f"its fixes were decided together with {member}, which {why}; a client and "
        "the model IDs sent through it move together or not at all (fix that file, "
        "then run again)"
    )


def _write_unit(members: list[Processed]) -> list[FileError]:
    """Write the changed files of one migration unit, all or none: each is
    checked first (changed on disk, read-only, hard links); a write that
    still fails puts back the members already written. Returns the errors
    (empty: every member was written)."""
    from codemods.core.writer import WriteError, check_write, write_atomic

    def target(q: Processed) -> Path:
        return Path(q.real or q.result.path)

    failed: tuple[str, str] | None = None
    out: list[FileError] = []
    for q in members:
        assert q.original is not None
        try:
            check_write(target(q), expected_old=q.original)
        except WriteError as we:
            out.append(FileError(q.result.path, we.reason))
            if failed is None:
                failed = q.result.path, "could not be written"
    if failed is None:
        written: list[Processed] = []
        for q in members:
            assert q.original is not None and q.result.new_source is not None
            try:
                write_atomic(target(q), q.result.new_source, expected_old=q.original)
            except WriteError as we:
                out.append(FileError(q.result.path, we.reason))
                failed = q.result.path, "could not be written"
                for w in reversed(written):  # put the unit back as it was
                    assert w.original is not None and w.result.new_source is not None
                    try:
                        write_atomic(target(w), w.original, expected_old=w.result.new_source)
                    except WriteError as back:
                        out.append(
                            FileError(
                                w.result.path,
                                f"was written, but putting it back failed ({back.reason}): "
                                f"it is migrated while {q.result.path} is not",
                            )
                        )
                break
            written.append(q)
        else:
            return []
    assert failed is not None
    named = {e.path for e in out}
    for q in members:
        if q.result.path not in named:
            out.append(FileError(q.result.path, "not written: " + _unit_reason(*failed)))
    return out


def _show_diff(
    path: str,
    old: bytes,
    new: bytes,
    findings: Sequence[Finding],
    color: bool,
    cell_diff: bool,
) -> None:
    """One file's part of ``migrate --diff``.

    stdout gets a patch that applies (``git apply``, ``patch -p1``): the diff
    of the file's bytes, a notebook's as the JSON text it is on disk, headed
    with the path relative to the current directory. A diff that cannot be
    applied faithfully, because it would show a secret (a redacted line does
    not apply) or because the file is outside the current directory (patches
    cannot name ``..`` or absolute paths), is left out of stdout and shown on
    stderr, marked as not in the patch. ``--cell-diff`` shows notebooks cell
    by cell instead (for reading).
    """
    from codemods.core.patch import file_patch, patch_encoding
    from codemods.core.report import color_diff, use_color

    if cell_diff and path.endswith(".ipynb"):
        from codemods.python.notebook_engine import notebook_diff

        diff, hidden = _redact_keys(notebook_diff(path, old, new), old, findings)
        diff = printable_lines(diff)  # for reading, not a patch: nothing to keep exact
        click.echo(color_diff(diff) if color else diff, nl=False, color=color)
        if hidden:
            click.echo(f"note: {printable(path)}: {_hidden_note(old, new)}", err=True)
        return
    where = _patch_path(path)
    named = where is not None and printable(where) == where
    patch = file_patch(where or path, old, new)
    text = patch.decode(patch_encoding(path, old), "replace")
    redacted, hidden = _redact_keys(text, old, findings)
    if named and not hidden:
        if color:
            # for a terminal, not a patch: what the file holds is shown, not run
            click.echo(color_diff(printable_lines(text)), nl=False, color=True)
        else:
            click.echo(patch, nl=False)  # the bytes: the file's encoding and line ends
        return
    if hidden:
        why = (
            "its diff would show a string that looks like a secret (an API key or "
            "token), and a diff with it redacted (as `sk-...abcd`) does not apply; "
            + _hidden_note(old, new)
        )
    elif where is not None:
        why = (
            "its name holds control characters (shown escaped), which a patch on a "
            "terminal would send as they are"
        )
    else:
        why = (
            "it is outside the current directory, and a patch cannot name it (git apply "
            "and patch refuse `..` and absolute paths); run `--diff` from a directory "
            "that contains it"
        )
    click.echo(
        f"note: {printable(path)}: not in the patch on stdout: {why}; `openrouter-migrate "
        f"migrate {printable(path)}` makes this change. The diff, for review:",
        err=True,
    )
    err_color = use_color(sys.stderr)
    redacted = printable_lines(redacted)
    click.echo(color_diff(redacted) if err_color else redacted, nl=False, err=True, color=err_color)


def _patch_path(path: str) -> str | None:
    """``path`` as a patch names it: relative to the current directory, ``/``
    separated; None when it is outside (a patch cannot name that)."""
    try:
        rel = os.path.normpath(os.path.relpath(path) if os.path.isabs(path) else path)
    except ValueError:  # another drive (Windows)
        return None
    if os.path.isabs(rel) or rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return None
    return rel.replace(os.sep, "/")


def _redact_keys(diff: str, original: bytes, findings: Sequence[Finding]) -> tuple[str, bool]:
    """A diff never shows an API key: the removed line of a hard-coded key
    (OR107) would print it. Every ``sk-...`` token and key-like string is
    replaced by its redacted form, and so is every string found as a key."""
    from codemods.core.report import decode_for_display
    from codemods.core.secrets import _QUOTED, looks_like_secret, redact, redact_text

    secrets: set[str] = set()
    lines = re.split(r"\r\n|\r|\n", decode_for_display(original))
    cells: dict[int, list[str]] | None = None
    for f in findings:
        if f.code == "OR107":
            where = lines
            if f.cell is not None:  # a notebook: the lines are the cell's, not the JSON's
                if cells is None:
                    cells = _cell_lines(original)
                where = cells.get(f.cell, [])
            for line in where[f.line - 1 : f.end_line]:
                secrets.update(m.group(2) for m in _QUOTED.finditer(line))
    out = diff
    for value in sorted((x for x in secrets if looks_like_secret(x)), key=len, reverse=True):
        # as written in a .py file, and as a notebook's JSON text writes it
        for form in (value, json.dumps(value, ensure_ascii=False)[1:-1]):
            out = out.replace(form, redact(value)[1:-1])
    out = redact_text(out)
    return out, out != diff


def _cell_lines(data: bytes) -> dict[int, list[str]]:
    from codemods.python.notebook import NotebookError, load_cells

    try:
        return {c.number: re.split(r"\r\n|\r|\n", c.source) for c in load_cells(data)}
    except NotebookError:
        return {}


def _hidden_note(original: bytes, new: bytes) -> str:
    """What the ``--diff`` note says about the keys it hid: exactly what
    happens to them, checked on the migrated bytes, not assumed."""
    from codemods.core.secrets import source_holds_secret

    shown = "the diff shows keys and URL credentials redacted (as `sk-...abcd`, `***`)"
    if source_holds_secret(new):
        return (
            f"{shown}; the migrated file still holds them (see the OR107/OR103/OR104 "
            "findings): remove them by hand and rotate the keys"
        )
    if source_holds_secret(original):
        return f"{shown}; migrating removes them from the file: rotate the keys"
    return shown


def _n(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


@main.command("rules")
@click.argument("code", required=False)
def rules_cmd(code: str | None) -> None:
    """List every rule, show one rule's documentation (a code: or201), or list
    the rules of a prefix (or2); each with the languages that report it."""
    from codemods.core.rules import LANGUAGE_SHORT, all_rules

    RULES = all_rules()

    infos = [RULES[c] for c in sorted(RULES)]
    if code:
        wanted = code.strip().upper()
        if wanted in RULES:
            click.echo(RULES[wanted].doc())
            return
        infos = [i for i in infos if i.code.startswith(wanted)]
        if not wanted or not infos:
            click.echo(
                f"error: no rule {printable(repr(code))} (a code or a prefix such as OR2); "
                "see `openrouter-migrate rules`",
                err=True,
            )
            sys.exit(EXIT_ERROR)
    for info in infos:
        fix = "fix " if info.fixable else "    "
        languages = ", ".join(LANGUAGE_SHORT[lang] for lang, _, _ in info.examples)
        click.echo(
            f"{info.code}  {fix} {info.severity.value:<7}  {languages:<13}  "
            f"{info.name}: {info.summary}"
        )


@main.command("clean")
@click.argument("path", required=False, default=".", type=click.Path(file_okay=True))
def clean_cmd(path: str) -> None:
    """Remove the result cache of the files at PATH (default: the current
    directory): .openrouter-migrate-cache at their project root, or, with no
    project root, PATH's cache in the user cache directory; and the caches of
    the projects below PATH."""
    from codemods.core.cache import caches_to_clean, clean_dir

    failed = False
    removed_any = False
    targets = caches_to_clean(path)
    for target in targets:
        try:
            removed = clean_dir(target)
        except OSError as e:
            click.echo(f"error: {printable(str(e))}", err=True)
            failed = True
            continue
        if removed is not None:
            removed_any = True
            click.echo(f"removed {printable(str(removed))}", err=True)
    if not removed_any and not failed:
        where = f" at {targets[0]}" if targets else f" for {path}"
        click.echo(f"no cache{printable(where)}", err=True)
    if failed:
        sys.exit(EXIT_ERROR)
