"""Line-level suppressions: ``# noqa``, ``# noqa: OR201,OR205`` and
``# openrouter-migrate: ignore`` / ``# openrouter-migrate: ignore[OR201]``.

A suppression on the first or the last line of a finding's span silences it
(a multi-line call can carry it where the formatter leaves room).

Suppressions remember which of their codes silenced something, so that
``check --show-unused-noqa`` can report the ones that silence nothing (OR900,
ruff's RUF100). Only this tool's codes (``OR...``) and the tool-specific bare
``# openrouter-migrate: ignore`` are ever reported: a bare ``# noqa`` and
other tools' codes may be meant for another linter.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Callable

_NOQA = re.compile(
    r"#\s*(?:noqa|(?P<tool>openrouter-migrate):\s*ignore)"
    r"(?:(?::\s*|\[)(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)\]?)?",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
OUR_PREFIX = "OR"


@dataclass(frozen=True)
class Unused:
    """A suppression comment, or some of its codes, that silenced nothing."""

    line: int
    col: int  # 0-based character offset of the comment's ``#``
    end_col: int
    codes: tuple[str, ...]  # empty: a bare ``# openrouter-migrate: ignore``
    unknown: tuple[str, ...] = ()  # codes that name no rule


@dataclass
class Suppressions:
    # line -> None (all codes) or the set of codes
    by_line: dict[int, frozenset[str] | None] = field(default_factory=dict)
    # line -> (start, end) character offsets of the comment match
    spans: dict[int, tuple[int, int]] = field(default_factory=dict)
    # lines whose suppression is this tool's own (``openrouter-migrate: ignore``)
    tool_lines: set[int] = field(default_factory=set)
    # what silenced something: (line, code) and lines whose bare form did
    used: set[tuple[int, str]] = field(default_factory=set)
    used_bare: set[int] = field(default_factory=set)

    @classmethod
    def from_source(cls, data: bytes, encoding: str = "utf-8") -> Suppressions:
        out = cls()
        if b"noqa" not in data and b"openrouter-migrate" not in data:
            return out
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            return out
        for lineno, line in enumerate(_LINE_BREAK.split(text), start=1):
            if "#" not in line:
                continue
            m = _NOQA.search(line)
            if m is None:
                continue
            codes = m.group("codes")
            out.by_line[lineno] = (
                None if codes is None else frozenset(c.upper() for c in _CODE.findall(codes))
            )
            out.spans[lineno] = (m.start(), m.end())
            if m.group("tool"):
                out.tool_lines.add(lineno)
        return out

    def suppresses(self, code: str, start_line: int, end_line: int) -> bool:
        hit = False
        for line in sorted({start_line, end_line}):
            if line in self.by_line:
                codes = self.by_line[line]
                if codes is None:
                    self.used_bare.add(line)
                    hit = True
                elif code in codes:
                    self.used.add((line, code))
                    hit = True
        return hit

    def unused(
        self,
        enabled: Callable[[str], bool],
        known: Collection[str],
        comment_lines: Collection[int] | None = None,
    ) -> list[Unused]:
        """Suppressions that silenced nothing, after every ``suppresses`` call.

        ``enabled`` says whether a rule ran (a suppression for a rule that
        did not run cannot be judged); ``known`` are the rule codes;
        ``comment_lines``, when given, are the lines where the match is a
        real comment (not text inside a string).
        """
        out: list[Unused] = []
        for line, codes in sorted(self.by_line.items()):
            if comment_lines is not None and line not in comment_lines:
                continue
            start, end = self.spans[line]
            if codes is None:
                # a bare ignore can only be judged when every rule ran
                every_rule_ran = all(enabled(c) for c in known if c != "OR900")
                if line in self.tool_lines and line not in self.used_bare and every_rule_ran:
                    out.append(Unused(line, start, end, ()))
                continue
            ours = sorted(c for c in codes if c.startswith(OUR_PREFIX) and c != "OR900")
            unknown = tuple(c for c in ours if c not in known)
            stale = tuple(
                c for c in ours if c in known and enabled(c) and (line, c) not in self.used
            )
            if stale or unknown:
                out.append(Unused(line, start, end, stale, unknown))
        return out


def comment_lines(text: str) -> set[int] | None:
    """Lines holding a ``#`` comment token; None when the text does not tokenize."""
    lines: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(
            io.StringIO(text.lstrip("\ufeff"), newline=None).readline
        ):
            if tok.type == tokenize.COMMENT:
                lines.add(tok.start[0])
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return lines
