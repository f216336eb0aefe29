"""The command line: ``openrouter-migrate migrate|check|rules``.

Exit codes (both commands): 0 nothing to report (``check``: no finding at
or above ``--fail-on``, or ``--exit-zero``), 1 findings (``check``), 2 the
tool could not do its job on at least one file, or the options or the
configuration were bad. The only module that prints; the reports themselves
are built by :mod:`codemods.report` (text) and :mod:`codemods.formats`.
"""

from __future__ import annotations

import logging
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
from codemods.config import (
    TITLE_HEADERS,
    ConfigError,
    FileConfig,
    base_url_credentials_message,
    check_codes,
    is_http_url,
)
from codemods.config import resolve as resolve_config
from codemods.findings import (
    DEFAULT_API_KEY_ENV,
    DEFAULT_BASE_URL,
    DEFAULT_TITLE_HEADER,
    FileError,
    Finding,
    Settings,
    Severity,
)
from codemods.formats import FORMATS
from codemods.secrets import env_name_problem, redact_text, url_credentials

if TYPE_CHECKING:
    from codemods.runner import Processed, RunInput

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
            help="Neither read nor write the result cache (.openrouter-migrate-cache/); "
            "also set by OPENROUTER_MIGRATE_NO_CACHE=1 (like ruff's RUFF_NO_CACHE).",
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
    click.echo(f"error: {redact_text(message)}", err=True)
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
    if kw["base_url"] is not None and not is_http_url(kw["base_url"]):
        _fail(f"--base-url {kw['base_url']!r}: not an http(s) URL")
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
    from codemods.engine import EngineConfig
    from codemods.mapping import MappingError
    from codemods.runner import RunInput

    config = EngineConfig(
        settings=_settings(kw, fc), mapping_files=fc.mappings + tuple(kw["mappings"])
    )
    try:
        config.table()  # fail early, once, on a broken mapping
    except MappingError as e:
        _fail(str(e))
    inp = RunInput(
        paths=paths,
        config=config,
        exclude=kw["exclude"] or (fc.exclude or ()),
        force_exclude=bool(_pick(kw["force_exclude"], fc.force_exclude, False)),
        # --verbose debugs: one process, so tracebacks reach this stderr in order
        jobs=1 if logging.getLogger("codemods").isEnabledFor(logging.DEBUG) else kw["jobs"],
        cache=not kw["no_cache"],
    )
    errors: list[FileError] = []
    if fc.include is not None:
        inp, errors = _apply_include(inp, fc.include)
    return _Group(inp, fc, errors)


def _run(groups: list[_Group]) -> tuple[Iterator[tuple[_Group, Processed]], list[FileError]]:
    """Run every group: discovery now (its errors are returned), the files
    lazily, group after group."""
    from codemods.runner import run

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

    from codemods.config import matches_include
    from codemods.runner import collect_jobs

    jobs, errors = collect_jobs(inp)
    explicit = {os.path.normpath(p) for p in inp.paths if os.path.isfile(p)}
    keep = [j.path for j in jobs if j.path in explicit or matches_include(j.path, j.real, include)]
    # the files are now named explicitly; excludes were applied already
    return dataclasses.replace(inp, paths=keep, exclude=(), force_exclude=False), errors


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


def _echo_error(e: FileError) -> None:
    from codemods.report import error_line

    click.echo(error_line(e), err=True)


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: the run stops between two files (a write
    in progress completes first, see ``writer.write_atomic``)."""

    signum = int(getattr(signal, "SIGTERM", 15))


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


_ARGV_KEY = "openrouter_migrate.argv"


class _RedactingFormatter(logging.Formatter):
    """Debug logs and tracebacks may quote a user's source: keys are redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))


class _GuardedGroup(click.Group):
    """The top-level guard: no Python traceback for anything a user can do.

    Ctrl-C and SIGTERM end the run with a one-line message (exit 130/143);
    an unexpected exception is an internal error (exit 2) whose traceback
    only ``--verbose`` shows.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_ARGV_KEY] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        old_term: Any = None
        installed = False
        if hasattr(signal, "SIGTERM") and threading.current_thread() is threading.main_thread():
            try:
                old_term = signal.signal(signal.SIGTERM, _raise_terminated)
                installed = True
            except (ValueError, OSError):  # pragma: no cover - not allowed here
                pass
        guard = _StdoutGuard.install()
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # written outside the guard: stop quietly (findings were shown)
            _silence_stdout()
            ctx.exit(1)
        except KeyboardInterrupt as e:
            signum = e.signum if isinstance(e, Terminated) else int(signal.SIGINT)
            click.echo(
                "\ninterrupted: stopped between two files; every file is either fully "
                "migrated or untouched",
                err=True,
            )
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
                click.echo(redact_text("".join(tb)), err=True)
            # str(e) is not shown: it may quote a user's source (and a key)
            click.echo(
                f"error: internal error ({type(e).__name__}): please report it "
                "(--verbose shows the traceback)",
                err=True,
            )
            ctx.exit(EXIT_ERROR)
        finally:
            if installed:
                signal.signal(signal.SIGTERM, old_term)
            if guard is not None:
                sys.stdout = guard.stream


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

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


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
    log = logging.getLogger("codemods")
    for h in [h for h in log.handlers if getattr(h, "_openrouter_migrate", False)]:
        log.removeHandler(h)
    log.setLevel(logging.NOTSET)
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_RedactingFormatter("%(name)s: %(message)s"))
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
    """Report unmigrated OpenAI usage. Never writes.

    Exit 0: nothing found (or only findings below --fail-on, or --exit-zero);
    1: findings; 2: a file could not be checked, or bad options/configuration.
    """
    from codemods.formats import (
        github_error_line,
        github_line,
        render_json,
        render_sarif,
        statistics_json,
    )
    from codemods.report import statistics, summary, text_line, use_color

    fmt = kw["output_format"]
    if kw["statistics"] and fmt not in ("text", "json"):
        _fail("--statistics works with --output-format text or json")
    groups = _prepare(kw)
    color = fmt == "text" and use_color(sys.stdout)
    streaming = fmt in ("text", "github") and not kw["statistics"]
    progress = _Progress("Checked", kw["quiet"])

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
        if findings and not failing:
            line = line[:-1] + f"; {fail_on.value}s and above fail the run (--fail-on)."
        click.echo(line, err=True)
    if errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if failing and not kw["exit_zero"] else EXIT_OK)


@main.command()
@_common
@click.option("--diff", is_flag=True, help="Print a unified diff; write nothing.")
@click.option(
    "--allow-dirty", is_flag=True, help="Write files that have uncommitted changes in git."
)
def migrate(**kw: Any) -> None:
    """Rewrite files in place to use OpenRouter (or show the diff).

    Exit 0: done (report-only findings are listed); 2: a file could not be
    processed or written.
    """
    from codemods.report import color_diff, text_line, unified_diff, use_color
    from codemods.writer import WriteError, git_dirty_files, write_atomic

    groups = _prepare(kw)
    color = use_color(sys.stdout)
    progress = _Progress("Processed", kw["quiet"] or kw["diff"])
    results, errors = _run(groups)
    for e in errors:
        _echo_error(e)
    dirty: set[Path] | None = None
    dirty_checked = False
    changed = fixes = 0
    needs_human: list[Finding] = []
    not_applied: list[Finding] = []  # unsafe fixes, without --unsafe-fixes
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
        needs_human += [f for f in r.findings if not f.fixable and not (hidden and f.hidden_fix)]
        not_applied += [f for f in r.findings if hidden and f.hidden_fix]
        n_fixes = sum(1 for f in r.findings if f.fixable)
        if r.new_source is None or p.original is None:
            continue
        if kw["diff"]:
            if r.path.endswith(".ipynb"):  # the changed cells' sources, not the JSON
                from codemods.notebook_engine import notebook_diff

                diff = notebook_diff(r.path, p.original, r.new_source)
            else:
                diff = unified_diff(r.path, p.original, r.new_source)
            diff, hidden = _redact_keys(diff, p.original, r.findings)
            click.echo(color_diff(diff) if color else diff, nl=False, color=color)
            if hidden:
                click.echo(f"note: {r.path}: {_hidden_note(p.original, r.new_source)}", err=True)
            changed += 1
            fixes += n_fixes
            continue
        if not kw["allow_dirty"]:
            if not dirty_checked:
                dirty = git_dirty_files([Path(x) for g in groups for x in g.inp.paths])
                dirty_checked = True
            if dirty is not None and p.real is not None and Path(p.real).resolve() in dirty:
                e = FileError(
                    r.path,
                    "has uncommitted changes: not written (commit or stash "
                    "first so the migration can be reviewed and undone, or pass --allow-dirty)",
                )
                errors.append(e)
                progress.clear()
                _echo_error(e)
                continue
        try:
            write_atomic(Path(p.real or r.path), r.new_source, expected_old=p.original)
        except WriteError as we:
            e = FileError(r.path, we.reason)
            errors.append(e)
            progress.clear()
            _echo_error(e)
            continue
        changed += 1
        fixes += n_fixes
        if not kw["quiet"]:
            progress.clear()
            click.echo(f"fixed {r.path} ({n_fixes} fix{'es' if n_fixes != 1 else ''})", err=True)
    progress.clear()
    for f in needs_human:
        click.echo(text_line(f, color), color=color)
    for f in not_applied:
        click.echo(text_line(f, color) + " (not applied)", color=color)
    if not kw["quiet"]:
        verb = "Would migrate" if kw["diff"] else "Migrated"
        line = f"{verb} {_n(changed, 'file')} ({_n(fixes, 'fix', 'fixes')})"
        if needs_human:
            line += f"; {_n(len(needs_human), 'finding')} need a human (listed above)"
        if not_applied:
            line += (
                f"; {_n(len(not_applied), 'unsafe fix', 'unsafe fixes')} not applied "
                "(listed above; the `--unsafe-fixes` option applies them)"
            )
        if errors:
            line += f"; {_n(len(errors), 'error')}"
        click.echo(line + ".", err=True)
    sys.exit(EXIT_ERROR if errors else EXIT_OK)


def _redact_keys(diff: str, original: bytes, findings: Sequence[Finding]) -> tuple[str, bool]:
    """A diff never shows an API key: the removed line of a hard-coded key
    (OR107) would print it. Every ``sk-...`` token and key-like string is
    replaced by its redacted form, and so is every string found as a key."""
    from codemods.report import decode_for_display
    from codemods.secrets import _QUOTED, looks_like_secret, redact, redact_text

    secrets: set[str] = set()
    lines = re.split(r"\r\n|\r|\n", decode_for_display(original))
    for f in findings:
        if f.code == "OR107":
            for line in lines[f.line - 1 : f.end_line]:
                secrets.update(m.group(2) for m in _QUOTED.finditer(line))
    out = diff
    for value in sorted((x for x in secrets if looks_like_secret(x)), key=len, reverse=True):
        out = out.replace(value, redact(value)[1:-1])
    out = redact_text(out)
    return out, out != diff


def _hidden_note(original: bytes, new: bytes) -> str:
    """What the ``--diff`` note says about the keys it hid: exactly what
    happens to them, checked on the migrated bytes, not assumed."""
    from codemods.secrets import source_holds_secret

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
    """List every rule, or show one rule's documentation."""
    from codemods.rules import RULES

    if code:
        info = RULES.get(code.upper())
        if info is None:
            click.echo(f"error: no rule {code!r}; see `openrouter-migrate rules`", err=True)
            sys.exit(EXIT_ERROR)
        click.echo(info.doc())
        return
    for info in RULES.values():
        fix = "fix " if info.fixable else "    "
        click.echo(f"{info.code}  {fix} {info.severity.value:<7}  {info.name}: {info.summary}")


@main.command("clean")
@click.argument("path", required=False, default=".", type=click.Path(file_okay=True))
def clean_cmd(path: str) -> None:
    """Remove the result cache (.openrouter-migrate-cache) of the project at
    PATH (default: the current directory's project)."""
    from codemods.cache import clean, find_project_root

    root = find_project_root(path)
    try:
        removed = clean(root)
    except OSError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_ERROR)
    if removed is None:
        click.echo(f"no cache under {root}", err=True)
    else:
        click.echo(f"removed {removed}", err=True)
