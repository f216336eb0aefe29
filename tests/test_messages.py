"""Messages say exactly what is true (issue 12, item 12): grammar, `check`
messages that do not talk about changes it never makes, OR206 naming where
the other uses are, OR104 on an environment lookup, OR208 only promising a
prefixed ID when the value is really rewritten, the `rules` command, and the
README agreeing with the code."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from codemods.cli import main
from codemods.core.engine import EngineConfig
from codemods.core.findings import Finding
from codemods.python.engine import process_source
from tests.conftest import ROOT
from tests.helpers import cli_runner


def invoke(*args: str):
    return cli_runner().invoke(main, list(args), catch_exceptions=False)


def findings(src: str, path: str = "t.py") -> list[Finding]:
    r = process_source(path, textwrap.dedent(src).encode(), EngineConfig())
    assert not r.errors, r.errors
    return r.findings


def messages(src: str, code: str) -> list[str]:
    return [f.message for f in findings(src) if f.code == code]


# --- summaries ----------------------------------------------------------------------


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_needs_a_human_agrees_with_the_count(cwd: Path) -> None:
    (cwd / "one.py").write_text(
        'from openai import OpenAI\nclient = OpenAI(base_url="http://localhost:1/v1")\n'
    )
    r = invoke("migrate", "--diff", "one.py")
    assert "1 finding needs a human" in r.stderr, r.stderr
    (cwd / "two.py").write_text(
        'from openai import OpenAI\nclient = OpenAI(base_url="http://localhost:1/v1")\n'
        'other = OpenAI(base_url="http://localhost:2/v1")\n'
    )
    r = invoke("migrate", "--diff", "two.py")
    assert "2 findings need a human" in r.stderr, r.stderr


def test_fail_on_error_summary_is_plain(cwd: Path) -> None:
    (cwd / "w.py").write_text(
        'from openai import OpenAI\nclient = OpenAI(base_url="http://localhost:1/v1")\n'
    )
    r = invoke("check", "--fail-on", "error", "w.py")
    assert r.exit_code == 0
    assert "and above" not in r.stderr, r.stderr
    assert "only errors fail the run (--fail-on error)" in r.stderr, r.stderr


def test_check_errors_do_not_talk_about_changes(cwd: Path) -> None:
    (cwd / "bad.py").write_text("import openai\ndef f(:\n")
    (cwd / "bad.ipynb").write_text("{not json")
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    nb = {
        "cells": [
            dict(cell, source="import openai\nx = (\n"),
            dict(cell, source="client = openai.OpenAI()\n"),
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (cwd / "cells.ipynb").write_text(json.dumps(nb))
    r = invoke("check", ".")
    assert r.exit_code == 2
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 3, r.stderr
    for line in errors:
        for words in ("nothing changed", "unchanged", "rewritten", "migrat"):
            assert words not in line, line


# --- OR206 says where -------------------------------------------------------------


def test_or206_names_the_other_uses() -> None:
    src = """\
        import tiktoken
        from openai import OpenAI
        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key="k")
        MODEL = "gpt-4o"
        enc = tiktoken.encoding_for_model(MODEL)
        print(MODEL)
        log(MODEL)
        save(MODEL)
        client.chat.completions.create(model=MODEL, messages=[])
    """
    (msg,) = messages(src, "OR206")
    assert "4 other times" in msg and "time(s)" not in msg, msg
    assert "t.py:5, t.py:6, t.py:7 and 1 more" in msg, msg
    single = "\n".join(
        line
        for line in textwrap.dedent(src).splitlines()
        if not line.startswith(("print", "log", "save"))
    )
    (msg,) = messages(single, "OR206")
    assert "1 other time (t.py:5)" in msg, msg


def test_or206_in_a_notebook_names_the_cell() -> None:
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    nb = {
        "cells": [
            dict(cell, source='import tiktoken\nfrom openai import OpenAI\nMODEL = "gpt-4o"\n'),
            {"cell_type": "markdown", "metadata": {}, "source": "text"},
            dict(cell, source="enc = tiktoken.encoding_for_model(MODEL)\n"),
            dict(
                cell,
                source='client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key="k")\n'
                "client.chat.completions.create(model=MODEL, messages=[])\n",
            ),
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    from codemods.python.notebook_engine import process_notebook

    r = process_notebook("n.ipynb", json.dumps(nb).encode(), EngineConfig())
    (msg,) = [f.message for f in r.findings if f.code == "OR206"]
    assert "(n.ipynb:cell 3:1)" in msg, msg


# --- OR104 and a getenv default ----------------------------------------------------


@pytest.mark.parametrize(
    "expr",
    [
        'os.getenv("OPENAI_BASE_URL", "https://api.openai.com/v1")',
        'os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1/")',
    ],
)
def test_or104_on_an_env_lookup_with_openai_default(expr: str) -> None:
    (msg,) = messages(
        f"import os\nfrom openai import OpenAI\nclient = OpenAI(base_url={expr})\n", "OR104"
    )
    assert "not OpenAI" not in msg, msg
    assert "OPENAI_BASE_URL" in msg and "defaults to OpenAI" in msg, msg
    assert "run time" in msg, msg


def test_or104_on_an_expression_does_not_claim_not_openai() -> None:
    (msg,) = messages(
        "from openai import OpenAI\nclient = OpenAI(base_url=settings.url)\n", "OR104"
    )
    assert "not OpenAI" not in msg, msg
    (msg,) = messages(
        'from openai import OpenAI\nclient = OpenAI(base_url="http://localhost:8000/v1")\n',
        "OR104",
    )
    assert "`http://localhost:8000/v1`, not OpenAI" in msg, msg


# --- OR208 promises a prefixed ID only when there is one ----------------------------

OR208_HEAD = """\
import tiktoken
from openai import OpenAI
client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key="k")
"""


def test_or208_not_claimed_for_a_constant_migrate_leaves_alone() -> None:
    """The comparison is itself a use of `MODEL` other than model=, so the
    constant is not rewritten (OR206, naming the comparison's line) and the
    comparison keeps working: no OR208 promising 'openai/gpt-4o'."""
    src = (
        OR208_HEAD
        + 'MODEL = "gpt-4o"\n'
        + "r = client.chat.completions.create(model=MODEL, messages=[])\n"
        + 'if MODEL == "gpt-4o":\n    pass\n'
    )
    found = [f for f in findings(src) if f.code.startswith("OR2")]
    assert [f.code for f in found] == ["OR206"], found
    assert "(t.py:6)" in found[0].message
    with_tiktoken = src.replace("r = ", "enc = tiktoken.encoding_for_model(MODEL)\nr = ")
    assert [f.code for f in findings(with_tiktoken) if f.code.startswith("OR2")] == ["OR206"]


def test_or208_on_a_value_it_cannot_follow_is_conditional() -> None:
    (msg,) = messages(
        OR208_HEAD
        + "def ask(model):\n"
        + "    r = client.chat.completions.create(model=model, messages=[])\n"
        + '    if model == "gpt-4o":\n        pass\n',
        "OR208",
    )
    assert "after the migration it is" not in msg, msg
    assert "'openai/gpt-4o'" in msg, msg


def test_or208_on_the_response_model_says_what_openrouter_reports() -> None:
    (msg,) = messages(
        OR208_HEAD
        + 'r = client.chat.completions.create(model="gpt-4o", messages=[])\n'
        + 'if r.model == "gpt-4o":\n    pass\n',
        "OR208",
    )
    assert "'openai/gpt-4o'" in msg and "OpenRouter" in msg, msg


# --- the rules command ------------------------------------------------------------


def test_rules_are_listed_in_code_order() -> None:
    r = invoke("rules")
    listed = [line.split()[0] for line in r.stdout.splitlines() if line.strip()]
    assert listed == sorted(listed) and len(listed) > 20


def test_rules_says_which_languages_report_each_rule() -> None:
    lines = {line.split()[0]: line for line in invoke("rules").stdout.splitlines() if line}
    assert "Python, TS/JS" in lines["OR101"]  # both front-ends
    assert "TS/JS" in lines["OR501"] and "Python" not in lines["OR501"]  # TypeScript only
    assert "Python" in lines["OR411"] and "TS/JS" not in lines["OR411"]  # LangChain: Python


@pytest.mark.parametrize("arg", ["or2", "OR2", "Or20"])
def test_rules_accepts_prefixes_in_any_case(arg: str) -> None:
    r = invoke("rules", arg)
    assert r.exit_code == 0, r.stderr
    listed = [line.split()[0] for line in r.stdout.splitlines() if line.strip()]
    assert listed and all(c.startswith(arg.upper()) for c in listed), r.stdout


def test_rules_with_one_code_in_lower_case_shows_its_doc() -> None:
    r = invoke("rules", "or201")
    assert r.exit_code == 0 and "OR201" in r.stdout and "**What it does.**" in r.stdout
    r = invoke("rules", "or99")
    assert r.exit_code == 2 and "or99" in r.stderr


# --- README -----------------------------------------------------------------------


def test_readme_options_table_lists_each_option_once() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    options = [re.findall(r"--[a-z-]+", row.split("|")[1]) for row in rows]
    verbose = [o for o in options if "--verbose" in o]
    assert len(verbose) == 1, verbose


def test_readme_and_rule_docs_agree_on_where_noqa_goes() -> None:
    readme = (ROOT / "README.md").read_text()
    docs = (ROOT / "docs" / "rules.md").read_text()
    suppress = (ROOT / "codemods" / "core" / "suppress.py").read_text()
    assert "first or the last line of a finding's span" in suppress  # what the code does
    assert "first or last line of its span" in docs
    assert "first or last line of its span" in readme


# --- item 9: a large file says so before the long analysis ---------------------------


@pytest.mark.parametrize("ci", ["", "true"])
def test_large_file_note_on_stderr_when_piped(
    cwd: Path, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    from codemods.core import runner

    monkeypatch.setattr(runner, "LARGE_FILE_BYTES", 2048)
    monkeypatch.setenv("CI", ci)
    body = "from openai import OpenAI\nclient = OpenAI()\n" + "x = 1\n" * 600
    (cwd / "big.py").write_text(body)
    (cwd / "small.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    r = invoke("check", "-j", "1", "--format", "json", ".")
    assert r.exit_code == 1, r.stderr
    json.loads(r.stdout)  # the report stays clean
    notes = [line for line in r.stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1, r.stderr
    assert "big.py" in notes[0] and "KiB" in notes[0] and "a while" in notes[0], notes
    r = invoke("check", "-j", "1", "--quiet", ".")
    assert "note:" not in r.stderr
    r = invoke("migrate", "--diff", "-j", "2", ".")
    assert sum(line.startswith("note: big.py") for line in r.stderr.splitlines()) == 1
