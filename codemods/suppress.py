"""Line-level suppressions: ``# noqa``, ``# noqa: OR201,OR205`` and
``# openrouter-migrate: ignore`` / ``# openrouter-migrate: ignore[OR201]``.

A suppression on the first or the last line of a finding's span silences it
(a multi-line call can carry it where the formatter leaves room).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NOQA = re.compile(
    r"#\s*(?:noqa|openrouter-migrate:\s*ignore)"
    r"(?:(?::\s*|\[)(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)\]?)?",
    re.IGNORECASE,
)
_CODE = re.compile(r"[A-Z]+[0-9]+", re.IGNORECASE)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class Suppressions:
    # line -> None (all codes) or the set of codes
    by_line: dict[int, frozenset[str] | None] = field(default_factory=dict)

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
        return out

    def suppresses(self, code: str, start_line: int, end_line: int) -> bool:
        for line in {start_line, end_line}:
            if line in self.by_line:
                codes = self.by_line[line]
                if codes is None or code in codes:
                    return True
        return False
