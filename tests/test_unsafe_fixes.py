"""Safe and unsafe fixes (ruff's applicability model), end to end.

A fix is *safe* (``migrate`` always applies it) or *unsafe* (only
``migrate --unsafe-fixes`` does). A finding whose fix is not applied is still
reported, with its applicability, in every output format; ``check`` after
``migrate`` shows it again. The first unsafe fixes are model IDs sent through
a receiver the tool cannot resolve to openai's client (OR201/OR207).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import jsonschema
import libcst as cst
import pytest

import codemods.python.rules as rules_pkg
from codemods.cli import main
from codemods.core.cache import config_fingerprint
from codemods.core.config import ConfigError, load_config
from codemods.core.engine import EngineConfig
from codemods.core.findings import FileResult, Finding, Settings, Severity
from codemods.core.formats import github_line, render_json, render_sarif, statistics_rows
from codemods.core.report import statistics, summary, text_line
from codemods.core.rules import RuleInfo, all_rules
from codemods.python.engine import process_source
from codemods.python.notebook_engine import process_notebook
from codemods.python.rules.base import RuleContext
from tests.conftest import tree_bytes
from tests.helpers import cli_runner, migrated, run
from tests.test_formats import json_validator, sarif_validator

RULES = all_rules()

# a helper whose ``client`` parameter nobody in the file passes: unresolvable
HELPER = """\
def summarize(client, text):
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}])
"""

RESOLVED = """\
from openai import OpenAI

client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=key)
client.chat.completions.create(model="gpt-4o-mini", messages=[])
"""


def _model_findings(r: FileResult) -> list[Finding]:
    return [f for f in r.findings if f.code.startswith("OR2")]


# --- the engine ---------------------------------------------------------------------


def test_unsafe_fix_is_reported_not_applied_by_default() -> None:
    r = run(HELPER)
    assert r.new_source is None
    (f,) = r.findings
    assert f.code == "OR201" and f.applicability == "unsafe"
    assert not f.fixable and f.hidden_fix
    # the replacement --unsafe-fixes would write, for the reports
    assert f.replacement == '"openai/gpt-4o"'
    assert "unsafe fix" in f.message


def test_unsafe_fix_is_applied_with_the_option() -> None:
    r = run(HELPER, unsafe_fixes=True)
    assert r.new_source is not None and b'model="openai/gpt-4o"' in r.new_source
    (f,) = r.findings
    assert f.applicability == "unsafe" and f.fixable and not f.hidden_fix
    assert f.replacement == '"openai/gpt-4o"'


def test_safe_fix_is_applied_either_way() -> None:
    for unsafe in (False, True):
        r = run(RESOLVED, unsafe_fixes=unsafe)
        (f,) = _model_findings(r)
        assert (f.applicability, f.fixable) == ("safe", True)
        assert r.new_source is not None and b'model="openai/gpt-4o-mini"' in r.new_source


def test_report_only_findings_have_no_applicability() -> None:
    r = run(RESOLVED.replace('"gpt-4o-mini"', '"gpt-foo-9"'))
    (f,) = _model_findings(r)
    assert f.code == "OR202" and f.applicability is None and not f.fixable


def test_idempotent_with_and_without_unsafe_fixes() -> None:
    src = RESOLVED + "\n\n" + HELPER
    for unsafe in (False, True):
        out = migrated(src, unsafe_fixes=unsafe)  # asserts a second run changes nothing
        again = run(out, dedent=False, unsafe_fixes=unsafe)
        assert not [f for f in again.findings if f.fixable]
        assert ('model="gpt-4o"' in out) is (not unsafe)
        assert 'model="openai/gpt-4o-mini"' in out


def test_check_after_a_safe_migrate_shows_the_unsafe_fix_again() -> None:
    src = RESOLVED + "\n\n" + HELPER
    out = migrated(src)
    after = run(out, dedent=False)
    (f,) = _model_findings(after)
    assert f.applicability == "unsafe" and not f.fixable and "gpt-4o" in f.message
    assert not run(migrated(src, unsafe_fixes=True), dedent=False).findings


def test_settings_default_off_and_part_of_the_cache_key() -> None:
    assert Settings().unsafe_fixes is False
    on = EngineConfig(settings=Settings(unsafe_fixes=True))
    assert config_fingerprint(on) != config_fingerprint(EngineConfig())


# a rule of this test only (not registered: the docs list every registered rule)
_TEST_RULE = RuleInfo(
    code="OR998",
    name="test-unsafe",
    summary="test",
    severity=Severity.ERROR,
    fixable=True,
    what="x",
    why="x",
    before="x",
    after="x",
    sometimes_unsafe=True,
)


def _unsafe_with_support(ctx: RuleContext) -> None:
    """``'marker'`` -> ``'done'`` (unsafe), and, as its support edit, the
    name ``target`` -> ``changed``."""

    class Collect(cst.CSTVisitor):
        def __init__(self) -> None:
            self.strings: list[cst.SimpleString] = []
            self.names: list[cst.Name] = []

        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            self.strings.append(node)

        def visit_Name(self, node: cst.Name) -> None:
            self.names.append(node)

    seen = Collect()
    ctx.module.visit(seen)
    for s in seen.strings:
        if s.value == "'marker'":
            r = ctx.report(
                s, _TEST_RULE, "marker", fix=lambda n: n.with_changes(value="'done'"), unsafe=True
            )
            for n in seen.names:
                if n.value == "target":
                    ctx.needs(r, n, lambda n: n.with_changes(value="changed"))


def test_support_edits_follow_their_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules_pkg, "CHECKERS", [*rules_pkg.CHECKERS, _unsafe_with_support])
    src = b"import openai\ntarget = 1\nx = ('marker', target)\n"
    config = EngineConfig()
    r = process_source("t.py", src, config, prefilter=False)
    assert r.new_source is None, "neither the unsafe fix nor its support edit"
    (f,) = [f for f in r.findings if f.code == "OR998"]
    assert f.applicability == "unsafe" and not f.fixable
    r = process_source(
        "t.py", src, EngineConfig(settings=Settings(unsafe_fixes=True)), prefilter=False
    )
    assert r.new_source == b"import openai\nchanged = 1\nx = ('done', changed)\n"
    (f,) = [f for f in r.findings if f.code == "OR998"]
    assert f.applicability == "unsafe" and f.fixable


# --- which model fixes are safe ---------------------------------------------------------


@pytest.mark.parametrize(
    "src",
    [
        # no openai import at all: a service layer handed its client
        HELPER,
        # the file imports openai, but the receiver is a parameter
        "import openai\n\n" + HELPER,
        # a parameter named like the module's client is still the caller's value
        'from openai import OpenAI\nclient = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=k)\n\n'
        + HELPER,
        # a client imported from another module
        "from app.clients import client\nclient.chat.completions.create(model='gpt-4o')\n",
        # self.client given by the caller
        "class S:\n    def __init__(self, client):\n        self.client = client\n\n"
        "    def ask(self):\n        return self.client.chat.completions.create(model='gpt-4o')\n",
        # LiteLLM prefix on an unresolved receiver (OR207)
        HELPER.replace('"gpt-4o"', '"openrouter/openai/gpt-4o"'),
        # a loop variable named like the module's client
        'from openai import OpenAI\nclient = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=k)\n\n'
        "def fan_out(clients):\n    for client in clients:\n"
        "        client.chat.completions.create(model='gpt-4o')\n",
        # a with target named like the module's client
        'from openai import OpenAI\nclient = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=k)\n\n'
        "def scoped(factory):\n    with factory() as client:\n"
        "        client.chat.completions.create(model='gpt-4o')\n",
        # an import in a function rebinds the module's client name there
        'from openai import OpenAI\nclient = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=k)\n\n'
        "def other():\n    from mylib import client\n"
        "    return client.chat.completions.create(model='gpt-4o')\n",
        # ... and at module level, later in the file (``from``, or ``import ... as``)
        'from openai import OpenAI\nclient = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=k)\n'
        "from mylib import client\nclient.chat.completions.create(model='gpt-4o')\n",
        'from openai import OpenAI\nclient = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=k)\n'
        "import mylib as client\nclient.chat.completions.create(model='gpt-4o')\n",
    ],
)
def test_unresolved_receivers_make_model_fixes_unsafe(src: str) -> None:
    r = run(src)
    fs = _model_findings(r)
    assert fs and all(f.applicability == "unsafe" and not f.fixable for f in fs), fs
    assert r.new_source is None or b"openai/gpt-4o" not in r.new_source
    assert b"openai/gpt-4o" in (run(src, unsafe_fixes=True).new_source or b"")


@pytest.mark.parametrize(
    "src",
    [
        RESOLVED,
        # a client built in the function itself
        "from openai import OpenAI\n\ndef ask():\n"
        '    client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=k)\n'
        "    return client.chat.completions.create(model='gpt-4o-mini')\n",
        # the module's client, though a function elsewhere rebinds the name locally
        RESOLVED + "\n\ndef fan_out(clients):\n    for client in clients:\n        print(client)\n",
        # a client built by a module-level lambda
        "from openai import OpenAI\n"
        'make = lambda: OpenAI(base_url="https://openrouter.ai/api/v1", api_key=k)\n'
        "make().chat.completions.create(model='gpt-4o-mini')\n",
        # ... or imports another ``client`` in its own scope
        RESOLVED + "\n\ndef other():\n    from mylib import client\n    print(client)\n",
        # the module-level client
        'import openai\nopenai.base_url = "https://openrouter.ai/api/v1/"\n'
        'openai.api_key = os.environ["OPENROUTER_API_KEY"]\n'
        "openai.chat.completions.create(model='gpt-4o-mini')\n",
        # self.client built in __init__
        "from openai import OpenAI\n\nclass S:\n    def __init__(self):\n"
        '        self.client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=k)\n\n'
        "    def ask(self):\n        return self.client.chat.completions.create(model='gpt-4o-mini')\n",
    ],
)
def test_resolved_receivers_keep_model_fixes_safe(src: str) -> None:
    fs = _model_findings(run(src))
    assert fs and all(f.applicability == "safe" and f.fixable for f in fs), fs


def test_a_client_built_by_a_lambda_moves_with_the_models_sent_through_it() -> None:
    # once the client moved (safe) while the model sent through ``make()``
    # stayed bare (unsafe, not applied): a half migration
    src = "from openai import OpenAI\n\nmake = lambda: OpenAI()\nmake().chat.completions.create(model='gpt-4o')\n"
    out = migrated(src)
    assert 'OpenAI(base_url="https://openrouter.ai/api/v1"' in out and "'openai/gpt-4o'" in out


def test_a_constant_is_safe_only_if_every_call_it_reaches_is() -> None:
    src = (
        'from openai import OpenAI\nclient = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=k)\n'
        'MODEL = "gpt-4o"\nONLY_SAFE = "gpt-4o-mini"\n\n'
        "def direct():\n    client.chat.completions.create(model=MODEL)\n"
        "    client.chat.completions.create(model=ONLY_SAFE)\n\n"
        "def helper(client):\n    client.chat.completions.create(model=MODEL)\n"
    )
    by_line = {f.line: f for f in _model_findings(run(src))}
    assert by_line[3].applicability == "unsafe"  # MODEL: one of its calls is unresolved
    assert by_line[4].applicability == "safe"


def test_a_parameter_reached_from_a_safe_and_an_unsafe_call_is_unsafe() -> None:
    # ``model`` of ``ask`` reaches two calls: the first on the resolved
    # client, the second on a parameter. The caller's literal must follow
    # both, whichever the resolver meets first.
    for order in ("safe first", "unsafe first"):
        calls = [
            "    client.chat.completions.create(model=model)\n",
            "    other.chat.completions.create(model=model)\n",
        ]
        if order == "unsafe first":
            calls.reverse()
        src = (
            'from openai import OpenAI\nclient = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=k)\n\n'
            "def ask(other, model):\n" + "".join(calls) + "\n"
            "ask(None, 'gpt-4o')\n"
        )
        (f,) = _model_findings(run(src))
        assert f.applicability == "unsafe", order


def test_cross_module_constant_and_function(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkg = tmp_path / "app"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "settings.py").write_text('SAFE_MODEL = "gpt-4o"\nUNSAFE_MODEL = "gpt-4o-mini"\n')
    (pkg / "clients.py").write_text(
        "from openai import OpenAI\nfrom .settings import SAFE_MODEL\n"
        'client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=k)\n'
        "client.chat.completions.create(model=SAFE_MODEL)\n"
    )
    (pkg / "helpers.py").write_text(
        "from .settings import UNSAFE_MODEL\n\n"
        "def summarize(client):\n    client.chat.completions.create(model=UNSAFE_MODEL)\n\n"
        "def embed(client, model):\n    client.embeddings.create(model=model)\n"
    )
    (pkg / "jobs.py").write_text(
        "from .clients import client\nfrom .helpers import embed\n\n"
        "embed(client, 'text-embedding-3-small')\n"
    )
    monkeypatch.chdir(tmp_path)
    r = cli_runner().invoke(main, ["check", "--no-cache", "--format", "json", "."])
    found = {(f["path"], f["line"]): f["applicability"] for f in json.loads(r.stdout)["findings"]}
    assert found[("app/settings.py", 1)] == "safe"
    assert found[("app/settings.py", 2)] == "unsafe"
    # embed()'s client parameter: its only caller (jobs.py) passes a client
    # already on OpenRouter, so what it passes to model= moves safely (issue
    # #11 item 3: call sites in other modules that pass a migrated client)
    assert found[("app/jobs.py", 4)] == "safe"
    (pkg / "batch.py").write_text(
        "import os\nfrom .helpers import embed\n\nembed(os.environ['C'], 'text-embedding-3-large')\n"
    )
    r = cli_runner().invoke(main, ["check", "--no-cache", "--format", "json", "."])
    found = {(f["path"], f["line"]): f["applicability"] for f in json.loads(r.stdout)["findings"]}
    assert found[("app/jobs.py", 4)] == "unsafe"  # another caller passes what the tool cannot tell
    # the same when that caller is a function of the same module (`c` unresolved)
    (pkg / "batch.py").unlink()
    (pkg / "jobs.py").write_text(
        (pkg / "jobs.py").read_text() + "\ndef again(c):\n    embed(c, 'text-embedding-3-large')\n"
    )
    r = cli_runner().invoke(main, ["check", "--no-cache", "--format", "json", "."])
    found = {(f["path"], f["line"]): f["applicability"] for f in json.loads(r.stdout)["findings"]}
    assert found[("app/jobs.py", 4)] == "unsafe"


# --- CLI and configuration --------------------------------------------------------------


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "helpers.py").write_text(HELPER)
    (tmp_path / "app.py").write_text(RESOLVED)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


def invoke(*args: str):
    return cli_runner().invoke(main, [args[0], "--no-cache", *args[1:]], catch_exceptions=False)


def test_cli_flag_on_migrate_and_check(proj: Path) -> None:
    r = invoke("check", ".")
    assert r.exit_code == 1
    line = next(x for x in r.stdout.splitlines() if x.startswith("helpers.py"))
    assert "[*]" not in line
    assert (
        "1 fixable with `openrouter-migrate migrate`; 1 hidden fix can be enabled with the "
        "`--unsafe-fixes` option." in r.stderr
    )
    r = invoke("check", "--unsafe-fixes", ".")
    line = next(x for x in r.stdout.splitlines() if x.startswith("helpers.py"))
    assert "OR201 [*]" in line
    assert "hidden" not in r.stderr and "2 fixable" in r.stderr

    r = invoke("migrate", ".")
    assert r.exit_code == 0
    assert 'model="gpt-4o"' in (proj / "helpers.py").read_text()
    assert "helpers.py:2:49: OR201" in r.stdout and r.stdout.rstrip().endswith("(not applied)")
    assert "1 unsafe fix not applied" in r.stderr and "--unsafe-fixes" in r.stderr
    # check after migrate: the unsafe fix again, not fixable
    r = invoke("check", ".")
    assert r.exit_code == 1 and "helpers.py:2:49: OR201 model" in r.stdout
    assert "[*]" not in r.stdout and "1 hidden fix" in r.stderr
    # --no-unsafe-fixes is the default
    before = tree_bytes(proj)
    r = invoke("migrate", "--no-unsafe-fixes", ".")
    assert "Migrated 0 files" in r.stderr and tree_bytes(proj) == before
    r = invoke("migrate", "--unsafe-fixes", ".")
    assert 'model="openai/gpt-4o"' in (proj / "helpers.py").read_text()
    assert "not applied" not in r.stderr + r.stdout
    r = invoke("check", "--unsafe-fixes", ".")
    assert r.exit_code == 0


def test_config_key_and_cli_precedence(proj: Path) -> None:
    (proj / "pyproject.toml").write_text("[tool.openrouter-migrate]\nunsafe-fixes = true\n")
    r = invoke("migrate", "--diff", ".")
    assert '+    return client.chat.completions.create(model="openai/gpt-4o"' in r.stdout
    r = invoke("migrate", "--diff", "--no-unsafe-fixes", ".")
    assert 'model="openai/gpt-4o",' not in r.stdout and "b/helpers.py" not in r.stdout
    (proj / "pyproject.toml").write_text("[tool.openrouter-migrate]\nunsafe-fixes = false\n")
    r = invoke("migrate", "--diff", ".")
    assert "b/helpers.py" not in r.stdout
    r = invoke("migrate", "--diff", "--unsafe-fixes", ".")
    assert "b/helpers.py" in r.stdout


def test_config_key_is_validated(tmp_path: Path) -> None:
    cfg = tmp_path / "pyproject.toml"
    cfg.write_text("[tool.openrouter-migrate]\nunsafe-fixes = true\n")
    assert load_config(cfg).unsafe_fixes is True
    cfg.write_text('[tool.openrouter-migrate]\nunsafe-fixes = "yes"\n')
    with pytest.raises(ConfigError) as e:
        load_config(cfg)
    assert "'tool.openrouter-migrate.unsafe-fixes'" in str(e.value)
    assert "true or false" in str(e.value)


# --- output formats ---------------------------------------------------------------------


def _findings() -> list[Finding]:
    src = RESOLVED + "\n\n" + HELPER.replace('"gpt-4o"', '"gpt-4o", temperature=0')
    return run(src).findings


def test_json_carries_the_applicability() -> None:
    doc = json.loads(render_json(_findings(), []))
    json_validator().validate(doc)
    by_code_line = {(f["code"], f["line"]): f for f in doc["findings"]}
    safe = by_code_line[("OR201", 4)]
    assert safe["applicability"] == "safe" and safe["fixable"] is True
    assert safe["fix"]["applicability"] == "safe"
    unsafe = by_code_line[("OR201", 8)]
    assert unsafe["applicability"] == "unsafe" and unsafe["fixable"] is False
    assert unsafe["fix"] == {
        "applicability": "unsafe",
        "replacement": '"openai/gpt-4o"',
        "location": {
            "line": unsafe["line"],
            "column": unsafe["column"],
            "end_line": unsafe["end_line"],
            "end_column": unsafe["end_column"],
        },
    }
    assert doc["summary"]["hidden_fixes"] == 1
    assert doc["summary"]["fixable"] == 1  # OR201 on line 4; the constructor is already migrated


def test_json_schema_refuses_an_unknown_applicability() -> None:
    doc = json.loads(render_json(_findings(), []))
    doc["findings"][0]["fix"]["applicability"] = "maybe"
    with pytest.raises(jsonschema.ValidationError):
        json_validator().validate(doc)


def test_sarif_fixes_carry_the_applicability() -> None:
    doc = json.loads(render_sarif(_findings(), []))
    sarif_validator().validate(doc)
    results = doc["runs"][0]["results"]
    unsafe = next(
        r for r in results if r["locations"][0]["physicalLocation"]["region"]["startLine"] == 8
    )
    assert unsafe["properties"]["applicability"] == "unsafe"
    assert unsafe["properties"]["fixable"] is False
    (fix,) = unsafe["fixes"]
    assert fix["properties"] == {"applicability": "unsafe"}
    assert "--unsafe-fixes" in fix["description"]["text"]
    safe = next(
        r for r in results if r["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
    )
    assert safe["fixes"][0]["properties"] == {"applicability": "safe"}
    # no fix, no applicability
    report_only = json.loads(
        render_sarif(run(RESOLVED.replace("gpt-4o-mini", "gpt-foo")).findings, [])
    )
    (r,) = report_only["runs"][0]["results"]
    assert "applicability" not in r["properties"] and "fixes" not in r
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["OR201"]["properties"]["fixAvailability"] == "Fix is sometimes unsafe"
    # a client's fix is unsafe when a model ID sent through it cannot move
    assert rules["OR101"]["properties"]["fixAvailability"] == "Fix is sometimes unsafe"
    assert rules["OR202"]["properties"]["fixAvailability"] == "Report only"


def test_github_says_when_the_fix_is_unsafe() -> None:
    by_line = {f.line: f for f in _findings() if f.code == "OR201"}
    assert "unsafe" not in github_line(by_line[4])
    line = github_line(by_line[8])
    assert line.endswith("(unsafe fix, applied by `migrate --unsafe-fixes`)")
    assert " [*] " not in line
    applied = {f.line: f for f in run(HELPER, unsafe_fixes=True).findings}
    assert github_line(applied[2]).endswith("(unsafe fix)") and " [*] " in github_line(applied[2])


def test_text_marks_only_what_migrate_applies_and_counts_hidden_fixes() -> None:
    fs = _findings()
    by_line = {f.line: f for f in fs if f.code == "OR201"}
    assert " OR201 [*] " in text_line(by_line[4])
    assert " OR201 [*] " not in text_line(by_line[8])
    assert summary(fs, [], 1) == (
        "Found 2 findings in 1 file; 1 fixable with `openrouter-migrate migrate`; "
        "1 hidden fix can be enabled with the `--unsafe-fixes` option."
    )
    on = run(HELPER, unsafe_fixes=True).findings
    assert summary(on, [], 1, unsafe_fixes=True) == (
        "Found 1 finding in 1 file; 1 fixable with `openrouter-migrate migrate --unsafe-fixes`."
    )


def test_statistics_count_hidden_fixes_apart() -> None:
    fs = _findings() + run(HELPER).findings
    rows = {r["code"]: r for r in statistics_rows(fs)}
    assert rows["OR201"]["count"] == 3
    assert rows["OR201"]["fixable"] == 1 and rows["OR201"]["hidden_fixes"] == 2
    (line,) = statistics(fs)
    assert line.split()[:3] == ["3", "OR201", "[*]"]
    assert line.endswith("(2 hidden unsafe fixes)")
    (only_hidden,) = statistics(run(HELPER).findings)
    assert "[-]" in only_hidden and only_hidden.endswith("(1 hidden unsafe fix)")


def test_statistics_from_the_cli(proj: Path) -> None:
    r = invoke("check", "--statistics", "--format", "json", ".")
    rows = {row["code"]: row for row in json.loads(r.stdout)}
    assert rows["OR201"] == {
        "code": "OR201",
        "name": "bare-model-id",
        "severity": "error",
        "count": 2,
        "fixable": 1,
        "hidden_fixes": 1,
        "display_only_fixes": 0,
    }


def test_rule_docs_say_how_safe_the_fix_is() -> None:
    assert "\nFix is sometimes unsafe.\n" in RULES["OR201"].doc()
    assert "\nFix is sometimes unsafe.\n" in RULES["OR207"].doc()
    assert "\nFix is sometimes unsafe.\n" in RULES["OR101"].doc()
    assert "\nFix is always safe.\n" in RULES["OR110"].doc()
    assert "\nReport only.\n" in RULES["OR202"].doc()
    r = cli_runner().invoke(main, ["rules", "OR201"])
    assert "Fix is sometimes unsafe." in r.stdout and "--unsafe-fixes" in r.stdout


# --- notebooks ------------------------------------------------------------------------


def _notebook(*cells: str) -> bytes:
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "metadata": {},
                    "source": c,
                    "outputs": [],
                    "execution_count": None,
                }
                for c in cells
            ],
            "metadata": {"kernelspec": {"name": "python3", "language": "python"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    ).encode()


def test_notebook_findings_keep_the_applicability() -> None:
    data = _notebook("import openai\n", textwrap.dedent(HELPER))
    r = process_notebook("nb.ipynb", data, EngineConfig())
    (f,) = r.findings
    assert (f.cell, f.applicability, f.fixable) == (2, "unsafe", False)
    assert r.new_source is None
    r = process_notebook("nb.ipynb", data, EngineConfig(settings=Settings(unsafe_fixes=True)))
    (f,) = r.findings
    assert (f.applicability, f.fixable) == ("unsafe", True)
    assert r.new_source is not None and b"openai/gpt-4o" in r.new_source


@pytest.mark.uses_cache
def test_cached_results_of_one_applicability_are_not_reused_for_the_other(proj: Path) -> None:
    (proj / "pyproject.toml").write_text("[tool.openrouter-migrate]\n")  # the cache's root
    runner = cli_runner()
    r = runner.invoke(main, ["check", "."], catch_exceptions=False)
    assert "1 hidden fix" in r.stderr
    assert (proj / ".openrouter-migrate-cache").is_dir()
    r = runner.invoke(main, ["check", "--unsafe-fixes", "."], catch_exceptions=False)
    assert "hidden" not in r.stderr and "2 fixable" in r.stderr
    r = runner.invoke(main, ["migrate", "--unsafe-fixes", "."], catch_exceptions=False)
    assert 'model="openai/gpt-4o"' in (proj / "helpers.py").read_text()
