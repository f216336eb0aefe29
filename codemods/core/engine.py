"""What every front-end's engine shares: its configuration and the checks
made before a file is parsed, and the rule that a report moves with the
reports it requires.

A front-end's engine (``codemods/python/engine.py``,
``codemods/python/notebook_engine.py``, ``codemods/typescript/engine.py``)
is a pure function of (path, bytes, :class:`EngineConfig`): no I/O, no
printing, so that it runs unchanged in a worker process.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from codemods.core.findings import FileError, Settings

if TYPE_CHECKING:
    from codemods.core.mapping import ModelTable


@dataclass(frozen=True)
class EngineConfig:
    """Everything that changes what the engine produces (part of the cache key)."""

    settings: Settings = Settings()
    mapping_files: tuple[str, ...] = ()

    def table(self) -> ModelTable:
        return _table(self.mapping_files)

    def table_key(self) -> str:
        """The model table's part of the result cache's key. With no mapping
        files of the user's it is the shipped table, whose files the key's
        code fingerprint covers (``cache.code_fingerprint``: the package's
        files and ``mappings/``): not loaded, so that a run whose results
        are all cached never imports YAML or builds the table. Else the
        effective table's fingerprint (its content)."""
        if not self.mapping_files:
            return "shipped"
        return self.table().fingerprint


@functools.lru_cache(maxsize=8)
def _table(mapping_files: tuple[str, ...]) -> ModelTable:
    from codemods.core.mapping import load_model_table

    return load_model_table(mapping_files)


def wants_noqa_report(data: bytes, settings: Settings) -> bool:
    """A file the prefilter would skip is still read for OR900 (unused
    suppressions) when asked for and it has a suppression comment."""
    return settings.report_unused_noqa and (b"noqa" in data or b"openrouter-migrate" in data)


def oversize_error(path: str, data: bytes, settings: Settings) -> FileError | None:
    """The error for a file over ``max-file-kib`` (every front-end)."""
    limit_bytes = settings.max_file_bytes
    if len(data) <= limit_bytes:
        return None
    size = f"{len(data) / (1024 * 1024):.1f} MiB"
    mib, rest = divmod(limit_bytes, 1024 * 1024)
    limit = f"{mib} MiB" if mib and not rest else f"{limit_bytes // 1024} KiB"
    return FileError(
        path,
        f"file is {size}, over the {limit} limit: not analysed "
        "(exclude it, or raise max-file-kib in the configuration)",
    )


def _with_requirements(kept: list[Any], reported: list[Any]) -> list[Any]:
    """A report (any front-end's: ``requires``, ``fix``, ``rule``, ``message``)
    whose required reports do not all stand moves with them:

    - one of them is suppressed by a comment (``client = OpenAI()  # noqa:
      OR101``): the client stays on OpenAI, where the bare model ID is right:
      the dependent report is dropped;
    - one of them belongs to a rule that is not selected (``--ignore
      OR101``): this run does not move the client, so the dependent report
      stays, without its fix, and says why."""
    made = {id(r) for r in reported}
    while True:
        ids = {id(r) for r in kept}
        out: list[Any] = []
        for r in kept:
            missing = [q for q in r.requires if id(q) not in ids]
            if not missing:
                out.append(r)
            elif all(id(q) not in made for q in missing):
                if r.fix is not None:
                    codes = ", ".join(sorted({q.rule.code for q in missing}))
                    r.fix = None
                    r.message += (
                        f" (not rewritten: the client it goes through is not migrated in this "
                        f"run, because {codes} is not selected)"
                    )
                r.requires = []
                out.append(r)
        if len(out) == len(kept):
            return out
        kept = out


#: what a model ID fix (or stream guard) says when it moves only with a
#: client whose move is unsafe (both front-ends' wording begins so)
_MOVES_WITH = "; unsafe fix: it moves with its client, whose fix is unsafe"


def with_display_only(kept: list[Any], client_of: Callable[[Any], Any] | None = None) -> None:
    """Spread display-only fixes (a client that would send OpenRouter a
    model ID it does not serve: shown, never applied) to the fixes that
    cannot stand without them, any number of steps away, so that a client
    and what is sent through it stay together:

    - a fix that moves only with such a report (``requires``);
    - a fix whose model ID reaches a call made through such a client
      (``blocks``: the clients its calls may go through; ``client_of`` maps
      one to its report, or None): that client stays on OpenAI, where the
      prefixed ID would fail.

    Reports of either front-end (``display_only``, ``unsafe``, ``fix``,
    ``requires``, ``blocks``, ``message``)."""
    changed = True
    while changed:
        changed = False
        for r in kept:
            if r.fix is None or r.display_only:
                continue
            if any(q.display_only for q in r.requires):
                note = (
                    "; display-only fix: it moves with its client, whose move would break the code"
                )
                if _MOVES_WITH in r.message:
                    r.message = r.message.replace(_MOVES_WITH, note, 1)
                else:
                    r.message += note + " (the client's finding says why)"
            elif client_of is not None and any(
                (q := client_of(site)) is not None and q.display_only for site in r.blocks
            ):
                r.message += (
                    "; display-only fix: a call it reaches goes through a client whose move "
                    "would break the code, which stays on OpenAI (the client's finding says why)"
                )
            else:
                continue
            r.display_only = r.unsafe = changed = True
