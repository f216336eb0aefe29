"""What a rule is, for every front-end: the registry of rule codes.

A rule has a stable code, a one-line summary, a severity, whether it fixes,
and documentation in ruff's shape (what it does, why, an example before and
after). The examples are executed by the test suite, so the documentation
cannot drift from the behaviour. A code means the same in every language:
the first front-end to define it registers it with :func:`rule`, the others
add their examples with :func:`add_example`.

How a rule reports is the front-end's (``codemods/python/rules/base.py``:
``ctx.report``; ``codemods/typescript/rules.py``). :func:`all_rules` loads
every front-end's rules (``codemods/core/frontends.py``).
"""

from __future__ import annotations

import importlib
import textwrap
from dataclasses import dataclass

from codemods.core.findings import Severity


@dataclass(frozen=True)
class RuleInfo:
    code: str
    name: str
    summary: str
    severity: Severity
    fixable: bool
    what: str
    why: str
    before: str
    after: str | None = None  # None for report-only rules
    fix_safety: str = ""
    # some of its fixes are unsafe (``ctx.report(..., unsafe=True)``): applied
    # only with ``--unsafe-fixes``
    sometimes_unsafe: bool = False
    # the front-ends whose examples ``before``/``after`` are: "python" or
    # "typescript" (TypeScript and JavaScript); other languages' examples of
    # the same code are added with :func:`add_example`
    languages: tuple[str, ...] = ("python",)

    @property
    def examples(self) -> list[tuple[str, str, str | None]]:
        """(language, before, after) of every front-end that reports the rule."""
        return [(self.languages[0], self.before, self.after), *EXAMPLES.get(self.code, [])]

    @property
    def fix_availability(self) -> str:
        """One of "Fix is always safe", "Fix is sometimes unsafe", "Report only"."""
        if not self.fixable:
            return "Report only"
        return "Fix is sometimes unsafe" if self.sometimes_unsafe else "Fix is always safe"

    def doc(self) -> str:
        """The rule's documentation as Markdown (ruff's page layout)."""
        languages = ", ".join(LANGUAGE_NAMES[lang] for lang, _, _ in self.examples)
        parts = [
            f"## {self.code} {self.name}",
            "",
            f"{self.summary} ({self.severity.value})",
            "",
            f"{self.fix_availability}.",
            "",
            f"Applies to: {languages}.",
            "",
            "**What it does.** " + textwrap.dedent(self.what).strip(),
            "",
            "**Why.** " + textwrap.dedent(self.why).strip(),
        ]
        several = len(self.examples) > 1
        for lang, before, after in self.examples:
            fence = FENCES[lang]
            title = f"**Example ({LANGUAGE_NAMES[lang]}).**" if several else "**Example.**"
            parts += ["", title, "", f"```{fence}", textwrap.dedent(before).strip("\n"), "```"]
            if after is not None:
                parts += [
                    "",
                    "After `openrouter-migrate migrate`:",
                    "",
                    f"```{fence}",
                    textwrap.dedent(after).strip("\n"),
                    "```",
                ]
        if self.fix_safety:
            parts += ["", "**Fix safety.** " + textwrap.dedent(self.fix_safety).strip()]
        return "\n".join(parts) + "\n"


RULES: dict[str, RuleInfo] = {}
#: code -> (language, before, after) examples of front-ends other than the
#: rule's own (``languages[0]``); the tests run each through its front-end
EXAMPLES: dict[str, list[tuple[str, str, str | None]]] = {}
LANGUAGE_NAMES = {"python": "Python", "typescript": "TypeScript/JavaScript"}
#: the same, in a table's column (``rules``, docs/rules.md)
LANGUAGE_SHORT = {"python": "Python", "typescript": "TS/JS"}
FENCES = {"python": "python", "typescript": "ts"}


def add_example(code: str, language: str, before: str, after: str | None = None) -> None:
    """Document (and have the tests execute) rule ``code`` in another language."""
    EXAMPLES.setdefault(code, []).append((language, before, after))


def rule(**kwargs: object) -> RuleInfo:
    info = RuleInfo(**kwargs)  # type: ignore[arg-type]
    if info.code in RULES:
        raise ValueError(f"duplicate rule code {info.code}")
    RULES[info.code] = info
    return info


#: the end of a model finding whose fix is unsafe because a call it reaches
#: goes through a client not resolved to openai's (OR2xx, every front-end)
UNSAFE_NOTE = "; unsafe fix: the client of a call it reaches is not resolved to openai's"


def all_rules() -> dict[str, RuleInfo]:
    """Every rule of every front-end (importing their rules registers them)."""
    from codemods.core import noqa  # noqa: F401 - OR900, reported by every front-end
    from codemods.core.frontends import FRONTENDS

    for front_end in FRONTENDS:
        importlib.import_module(front_end.rules)
    return RULES
