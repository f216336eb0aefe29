"""The command line: ``openrouter-migrate migrate|check|rules``.

Exit codes (both commands): 0 nothing to report, 1 findings (``check``), 2
the tool could not do its job on at least one file or the options were bad.
The only module that prints.
"""

from __future__ import annotations

import sys
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
            help="Neither read nor write the result cache (.openrouter-migrate-cache/).",
        ),
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
        jobs=kw["jobs"],
        cache=not kw["no_cache"],
    )


def _echo_error(e: FileError) -> None:
    from codemods.report import error_line

    click.echo(error_line(e), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="openrouter-migrate")
def main() -> None:
    """Move OpenAI SDK code from OpenAI to OpenRouter.

    \b
      openrouter-migrate migrate --diff .   show what would change
      openrouter-migrate migrate .          rewrite files in place
      openrouter-migrate check .            lint: report what is not migrated
      openrouter-migrate rules              list the rules
    """


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
            sys.stdout.write(unified_diff(r.path, p.original, r.new_source))
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
