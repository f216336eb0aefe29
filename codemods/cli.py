"""The command line: ``openrouter-migrate migrate|check|rules``.

Exit codes (both commands): 0 nothing to report, 1 findings (``check``), 2
the tool could not do its job on at least one file or the options were bad.
The only module that prints.
"""

from __future__ import annotations

import logging
import re
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Callable

import click

from codemods import __version__
from codemods.findings import (
    DEFAULT_API_KEY_ENV,
    DEFAULT_BASE_URL,
    DEFAULT_TITLE_HEADER,
    FileError,
    Finding,
    Settings,
)
from codemods.secrets import redact_text

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _common(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=str)),
        click.option(
            "--base-url",
            default=DEFAULT_BASE_URL,
            show_default=True,
            help="OpenRouter API base URL the clients get.",
        ),
        click.option(
            "--api-key-env",
            default=DEFAULT_API_KEY_ENV,
            show_default=True,
            help="Environment variable that holds the OpenRouter key.",
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
            default=DEFAULT_TITLE_HEADER,
            show_default=True,
            type=click.Choice(["X-Title", "X-OpenRouter-Title"]),
            help="Name of the title header (X-OpenRouter-Title is its newer name).",
        ),
        click.option(
            "--mapping",
            "mappings",
            multiple=True,
            type=click.Path(path_type=str),
            help="A YAML model mapping merged over the shipped table (repeatable).",
        ),
        click.option(
            "--keep-project",
            is_flag=True,
            help="Keep project= in constructors (removed by default).",
        ),
        click.option("--select", multiple=True, help="Only these rule codes (prefixes allowed)."),
        click.option("--ignore", multiple=True, help="Skip these rule codes (prefixes allowed)."),
        click.option("--exclude", multiple=True, help="Glob of paths to skip (repeatable)."),
        click.option(
            "--force-exclude",
            is_flag=True,
            help="Apply excludes to files named on the command line too.",
        ),
        click.option("-q", "--quiet", is_flag=True, help="Print findings and errors only."),
    ]
    for opt in reversed(options):
        fn = opt(fn)
    return fn


def _settings(kw: dict[str, Any]) -> Settings:
    def codes(values: Sequence[str]) -> tuple[str, ...]:
        out: list[str] = []
        for v in values:
            out += [c.strip().upper() for c in v.split(",") if c.strip()]
        return tuple(out)

    return Settings(
        base_url=kw["base_url"],
        api_key_env=kw["api_key_env"],
        app_url=kw["app_url"],
        app_title=kw["app_title"],
        title_header=kw["title_header"],
        strip_project=not kw["keep_project"],
        select=codes(kw["select"]),
        ignore=codes(kw["ignore"]),
    )


def _prepare(kw: dict[str, Any]):
    from codemods.engine import EngineConfig
    from codemods.mapping import MappingError
    from codemods.runner import RunInput

    config = EngineConfig(settings=_settings(kw), mapping_files=tuple(kw["mappings"]))
    try:
        config.table()  # fail early, once, on a broken mapping
    except MappingError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(EXIT_ERROR)
    return RunInput(
        paths=list(kw["paths"]) or ["."],
        config=config,
        exclude=kw["exclude"],
        force_exclude=kw["force_exclude"],
    )


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
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as e:
            signum = e.signum if isinstance(e, Terminated) else int(signal.SIGINT)
            click.echo(
                "\ninterrupted: stopped between two files; every file is either fully "
                "migrated or untouched",
                err=True,
            )
            ctx.exit(128 + signum)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
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


@click.group(cls=_GuardedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="openrouter-migrate")
@click.option(
    "-v", "--verbose", is_flag=True, help="Show internal errors' tracebacks and debug logs."
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
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_RedactingFormatter("%(name)s: %(message)s"))
        handler._openrouter_migrate = True  # type: ignore[attr-defined]
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)


@main.command()
@_common
def check(**kw: Any) -> None:
    """Report unmigrated OpenAI usage. Never writes.

    Exit 0: nothing found; 1: findings; 2: a file could not be checked.
    """
    from codemods.report import summary, text_line
    from codemods.runner import run

    inp = _prepare(kw)
    results, errors = run(inp)
    for e in errors:
        _echo_error(e)
    findings: list[Finding] = []
    files_with = 0
    for p in results:
        for e in p.result.errors:
            errors.append(e)
            _echo_error(e)
        if p.result.findings:
            files_with += 1
        for f in p.result.findings:
            findings.append(f)
            click.echo(text_line(f))
    if not kw["quiet"]:
        click.echo(summary(findings, errors, files_with), err=True)
    if errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_FINDINGS if findings else EXIT_OK)


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
    from codemods.report import text_line, unified_diff
    from codemods.runner import run
    from codemods.writer import WriteError, git_dirty_files, write_atomic

    inp = _prepare(kw)
    results, errors = run(inp)
    for e in errors:
        _echo_error(e)
    dirty: set[Path] | None = None
    dirty_checked = False
    changed = fixes = 0
    needs_human: list[Finding] = []
    for p in results:
        r = p.result
        for e in r.errors:
            errors.append(e)
            _echo_error(e)
        needs_human += [f for f in r.findings if not f.fixable]
        n_fixes = sum(1 for f in r.findings if f.fixable)
        if r.new_source is None or p.original is None:
            continue
        if kw["diff"]:
            diff, hidden = _redact_keys(
                unified_diff(r.path, p.original, r.new_source), p.original, r.findings
            )
            sys.stdout.write(diff)
            if hidden:
                click.echo(
                    f"note: {r.path}: the diff shows the hard-coded key redacted "
                    "(as `sk-...abcd`); it is removed from the file",
                    err=True,
                )
            changed += 1
            fixes += n_fixes
            continue
        if not kw["allow_dirty"]:
            if not dirty_checked:
                dirty = git_dirty_files([Path(x) for x in inp.paths])
                dirty_checked = True
            if dirty is not None and p.real is not None and p.real.resolve() in dirty:
                e = FileError(
                    r.path,
                    "has uncommitted changes: not written (commit or stash "
                    "first so the migration can be reviewed and undone, or pass --allow-dirty)",
                )
                errors.append(e)
                _echo_error(e)
                continue
        try:
            write_atomic(p.real or Path(r.path), r.new_source, expected_old=p.original)
        except WriteError as we:
            e = FileError(r.path, we.reason)
            errors.append(e)
            _echo_error(e)
            continue
        changed += 1
        fixes += n_fixes
        if not kw["quiet"]:
            click.echo(f"fixed {r.path} ({n_fixes} fix{'es' if n_fixes != 1 else ''})", err=True)
    for f in needs_human:
        click.echo(text_line(f))
    if not kw["quiet"]:
        verb = "Would migrate" if kw["diff"] else "Migrated"
        line = f"{verb} {_n(changed, 'file')} ({_n(fixes, 'fix', 'fixes')})"
        if needs_human:
            line += f"; {_n(len(needs_human), 'finding')} need a human (listed above)"
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
