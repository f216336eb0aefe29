"""OR900: suppression comments that silence nothing (on request).

The engine produces these findings itself (they are about comments, not
code), after every other rule has run; this module only documents the rule.
"""

from __future__ import annotations

from codemods.core.findings import Severity
from codemods.core.rules import rule

UNUSED_NOQA = rule(
    code="OR900",
    name="unused-noqa",
    summary="suppression comment that silences nothing (with --show-unused-noqa)",
    severity=Severity.WARNING,
    fixable=False,
    what="""
        With `check --show-unused-noqa`, reports `# noqa: OR...` codes and
        bare `# openrouter-migrate: ignore` comments that silence no
        finding on their line, and codes that name no rule. A bare
        `# noqa` and other tools' codes (`E501`) are never reported: they
        may be meant for another linter.
    """,
    why="""
        A stale suppression hides the next real finding on that line.
        Remove it (or the code from it) once the line is migrated.
    """,
    before="""
        import openai
        reply = client.chat.completions.create(model="openai/gpt-4o", messages=messages)  # noqa: OR201
    """,
)
