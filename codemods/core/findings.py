"""The data every part of the tool speaks: findings, per-file results, settings.

Everything here is plain data (frozen dataclasses) so that results can cross a
process boundary (worker pool) and be cached as JSON.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any

from codemods.core.secrets import redact_text


def _redact_field(obj: object, name: str) -> None:
    value = getattr(obj, name)
    if isinstance(value, str):
        shown = redact_text(value)
        if shown != value:
            object.__setattr__(obj, name, shown)


class Severity(str, enum.Enum):
    """How bad a finding is.

    ERROR: the code is not migrated, or cannot work on OpenRouter.
    WARNING: it works, but behaves differently or needs a human to confirm.
    """

    ERROR = "error"
    WARNING = "warning"

    @property
    def rank(self) -> int:
        return {"warning": 1, "error": 2}[self.value]


# A fix's applicability (ruff's model): a safe fix keeps the program's
# meaning and ``migrate`` applies it; an unsafe one may not (the tool could
# not prove it right) and is applied only with ``--unsafe-fixes``; a
# display-only one is known to break the program (a client that would send
# OpenRouter a model ID it does not serve): shown, never applied.
SAFE = "safe"
UNSAFE = "unsafe"
DISPLAY_ONLY = "display-only"

#: model findings whose ID is known to fail on OpenRouter (not merely
#: unknown to the tool): a fine-tune (OR203), an ID without equivalent or
#: retired (OR204), an ID the catalog snapshot does not list (OR307). A
#: client such an ID is sent through cannot move: its fix is display-only.
FAILS_ON_OPENROUTER = frozenset({"OR203", "OR204", "OR307"})


@dataclass(frozen=True)
class Finding:
    """One thing the tool has to say about one place in one file.

    ``fixable`` findings are applied by ``migrate`` with the options of the
    run that produced them; the others are not: report-only findings (a
    human must decide) and unsafe fixes the run did not enable.
    ``applicability`` is the fix's, in ruff's terms: ``"safe"`` (applied by
    every ``migrate``), ``"unsafe"`` (applied only with ``--unsafe-fixes``),
    ``"display-only"`` (never applied: it would break the program), None
    when the finding has no fix. ``replacement`` is the source text
    that replaces the span (line, col)-(end_line, end_col) when the fix is
    applied (also given for an unsafe fix the run did not apply).
    Lines are 1-based, columns 1-based (as editors and ruff show them).
    """

    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    code: str
    message: str
    severity: Severity
    fixable: bool = False
    replacement: str | None = None
    cell: int | None = None  # notebooks: 1-based cell number
    # notebooks: (line, col, end_line, end_col) of the span in the .ipynb text,
    # inside the cell's "source" JSON string(s) (SARIF and GitHub annotations)
    file_region: tuple[int, int, int, int] | None = None
    applicability: str | None = None  # SAFE, UNSAFE, DISPLAY_ONLY, or None (no fix)

    @property
    def hidden_fix(self) -> bool:
        """An unsafe fix that was not applied (``--unsafe-fixes`` applies it)."""
        return self.applicability == UNSAFE and not self.fixable

    @property
    def display_only(self) -> bool:
        """A fix shown, never applied: it would break the program."""
        return self.applicability == DISPLAY_ONLY

    def __post_init__(self) -> None:
        # every message goes through here, whoever builds it and from wherever
        # it quotes the source (a base_url with a key in it): no output format,
        # log or cache entry ever carries a key
        _redact_field(self, "message")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["severity"] = self.severity.value
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        d = dict(d)
        d["severity"] = Severity(d["severity"])
        if d.get("file_region") is not None:
            d["file_region"] = tuple(d["file_region"])
        return cls(**d)

    def sort_key(self) -> tuple[Any, ...]:
        return (self.path, self.cell or 0, self.line, self.col, self.code)


@dataclass(frozen=True)
class FileError:
    """The tool could not do its job on a file (syntax error, bad encoding...)."""

    path: str
    message: str
    line: int | None = None
    col: int | None = None

    def __post_init__(self) -> None:
        _redact_field(self, "message")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FileError:
        return cls(**d)

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.message}"


@dataclass
class FileResult:
    """What processing one file produced.

    ``new_source`` is the migrated file content (bytes) when migration changed
    something, else None. ``findings`` are computed on the *original* source.
    """

    path: str
    findings: list[Finding] = field(default_factory=list)
    new_source: bytes | None = None
    errors: list[FileError] = field(default_factory=list)
    skipped: bool = False  # the prefilter proved there is nothing to do

    @property
    def changed(self) -> bool:
        return self.new_source is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "findings": [f.to_dict() for f in self.findings],
            "new_source": None if self.new_source is None else self.new_source.hex(),
            "errors": [e.to_dict() for e in self.errors],
            "skipped": self.skipped,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> FileResult:
        return cls(
            path=d["path"],
            findings=[Finding.from_dict(f) for f in d["findings"]],
            new_source=None if d["new_source"] is None else bytes.fromhex(d["new_source"]),
            errors=[FileError.from_dict(e) for e in d["errors"]],
            skipped=d.get("skipped", False),
        )


DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
DEFAULT_API_KEY_ENV = "OPENROUTER_API_KEY"
DEFAULT_TITLE_HEADER = "X-Title"


@dataclass(frozen=True)
class Settings:
    """Everything that changes what the rules do. Hashable: part of the cache key."""

    base_url: str = DEFAULT_BASE_URL
    api_key_env: str = DEFAULT_API_KEY_ENV
    app_url: str | None = None
    app_title: str | None = None
    title_header: str = DEFAULT_TITLE_HEADER
    strip_project: bool = True
    select: tuple[str, ...] = ()  # empty = all rules
    ignore: tuple[str, ...] = ()
    report_unused_noqa: bool = False  # OR900: suppressions that silence nothing
    # a file that mentions openai and is larger is reported, not analysed
    max_file_bytes: int = 1024 * 1024
    # apply unsafe fixes too (``--unsafe-fixes``); safe ones are always applied
    unsafe_fixes: bool = False

    def rule_enabled(self, code: str) -> bool:
        if self.select and not any(code.startswith(s) for s in self.select):
            return False
        return not any(code.startswith(i) for i in self.ignore)
