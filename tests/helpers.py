"""Small helpers for rule tests: run the engine on a snippet."""

from __future__ import annotations

import textwrap
from typing import Any

from click.testing import CliRunner

from codemods.core.engine import EngineConfig
from codemods.core.findings import FileResult, Settings
from codemods.python.engine import process_source


def run(src: str, *, dedent: bool = True, **settings: Any) -> FileResult:
    if dedent:
        src = textwrap.dedent(src)
    return process_source("t.py", src.encode(), EngineConfig(settings=Settings(**settings)))


def migrated(src: str, **settings: Any) -> str:
    """The migrated source (the input itself when nothing changes)."""
    src = textwrap.dedent(src)
    r = run(src, dedent=False, **settings)
    assert not r.errors, r.errors
    out = src if r.new_source is None else r.new_source.decode()
    # idempotence is part of every rewrite's contract
    again = run(out, dedent=False, **settings)
    assert again.new_source is None, "second run changed the file"
    return out


def codes(src: str, **settings: Any) -> list[str]:
    return [f.code for f in run(src, **settings).findings]


def cli_runner() -> CliRunner:
    """stdout and stderr apart, on click 8.1 (``mix_stderr``) and 8.2+ (always)."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()
