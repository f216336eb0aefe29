"""The rule documentation is generated and executed: it cannot drift.

- ``docs/rules.md`` equals ``python -m codemods.docs`` output;
- every rule's ``before`` example, run through the engine with default
  settings, reports the rule's code; a fixable rule's migrated output is its
  ``after`` example, and the ``after`` example no longer reports the code.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from codemods.cli import main
from codemods.core.engine import EngineConfig
from codemods.core.findings import Settings
from codemods.core.rules import all_rules
from codemods.docs import rules_markdown
from codemods.python.engine import process_source
from tests.helpers import cli_runner

RULES = all_rules()

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "rules.md"
# OR900 speaks only on request; turning it on changes nothing for the others
CONFIG = EngineConfig(settings=Settings(report_unused_noqa=True))
# rules that only speak when an option is given (their `what` says which)
OPTION_SETTINGS = {
    "OR106": Settings(app_url="https://example.com"),  # --app-url
    "OR451": Settings(unsafe_fixes=True),  # its fix is always unsafe
    # rules whose fix is always unsafe: their example shows --unsafe-fixes
    **{
        code: Settings(unsafe_fixes=True, report_unused_noqa=True)
        for code in ("OR421", "OR431", "OR432", "OR433")
    },
}


def _run(source: str, code: str = "", language: str = "python"):
    config = CONFIG
    if code in OPTION_SETTINGS:
        config = EngineConfig(settings=OPTION_SETTINGS[code])
    if language == "typescript":
        from codemods.typescript.engine import process_typescript

        return process_typescript("example.ts", source.encode(), config, prefilter=False)
    return process_source("example.py", source.encode(), config, prefilter=False)


# every rule's examples, in every language it applies to: (code, language, before, after)
EXAMPLES = [
    pytest.param(code, lang, before, after, id=f"{code}-{lang}")
    for code in sorted(RULES)
    for lang, before, after in RULES[code].examples
]


def test_committed_docs_match_the_registry() -> None:
    assert DOCS.read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is stale: run `python -m codemods.docs > docs/rules.md`"
    )


def test_docs_module_runs_as_a_script() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "codemods.docs"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    ).stdout.decode()
    assert out == rules_markdown()


def test_every_rule_is_documented() -> None:
    text = rules_markdown()
    for code, info in RULES.items():
        assert f"## {code} {info.name}" in text
        assert info.what.strip() and info.why.strip() and info.before.strip()
        assert (info.after is not None) == info.fixable, code


@pytest.mark.parametrize(("code", "language", "before", "after"), EXAMPLES)
def test_before_example_reports_the_rule(
    code: str, language: str, before: str, after: str | None
) -> None:
    before = textwrap.dedent(before).lstrip("\n")
    result = _run(before, code, language)
    assert not result.errors, result.errors
    codes = [f.code for f in result.findings]
    assert code in codes, f"{code}'s {language} example reports {codes}"


@pytest.mark.parametrize(
    ("code", "language", "before", "after"), [p for p in EXAMPLES if p.values[3] is not None]
)
def test_fixable_example_migrates_to_after(
    code: str, language: str, before: str, after: str | None
) -> None:
    assert RULES[code].fixable
    before = textwrap.dedent(before).lstrip("\n")
    after = textwrap.dedent(after or "").lstrip("\n")
    result = _run(before, code, language)
    assert result.new_source is not None, f"{code}: nothing migrated"
    assert result.new_source.decode() == after
    again = _run(after, code, language)
    assert code not in [f.code for f in again.findings]


def test_every_code_a_front_end_reports_has_an_example_in_its_language() -> None:
    # the TypeScript front-end names the shared codes as RULES["ORxxx"]
    import re

    ts = (ROOT / "codemods" / "typescript" / "rules.py").read_text(encoding="utf-8")
    reported = set(re.findall(r'RULES\["(OR\d+)"\]', ts)) | {"OR501", "OR502", "OR900"}
    for code in sorted(reported):
        assert "typescript" in [lang for lang, _, _ in RULES[code].examples], code


def test_every_fixable_rule_has_an_after_example() -> None:
    for code, info in RULES.items():
        assert (info.after is not None) == info.fixable, code


def test_rules_command_shows_every_rule() -> None:
    result = cli_runner().invoke(main, ["rules"])
    assert result.exit_code == 0
    for code in RULES:
        assert code in result.output
    one = cli_runner().invoke(main, ["rules", "OR306"])
    assert one.output.strip() == RULES["OR306"].doc().strip()
