"""Report formats: every format is parsed back from what the tool prints.

JSON is validated against the schema the README documents, SARIF against
the official 2.1.0 schema (tests/data/sarif-schema-2.1.0.json, Draft 4),
GitHub workflow commands by un-escaping them.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from codemods.cli import main
from codemods.core.findings import FileError, Finding, Severity
from codemods.core.formats import (
    escape_data,
    escape_property,
    github_error_line,
    github_line,
    render_json,
    render_sarif,
    sarif_rules,
)
from codemods.core.report import text_line
from codemods.core.rules import all_rules
from tests.conftest import ROOT
from tests.helpers import cli_runner

RULES = all_rules()

DATA = Path(__file__).parent / "data"

UNMIGRATED = """\
import os
from openai import OpenAI, AzureOpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
azure = AzureOpenAI(azure_endpoint="https://x.openai.azure.com", api_version="2024-06-01")
r = client.chat.completions.create(model="gpt-4o", messages=[])
"""


def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def readme_json_schema() -> dict[str, Any]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- json-report-schema -->\s*```json\n(.*?)```", text, re.S)
    assert m, "README lost its JSON schema block"
    return json.loads(m.group(1))


def json_validator() -> jsonschema.Draft7Validator:
    schema = readme_json_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def F(**kw: Any) -> Finding:
    base: dict[str, Any] = dict(
        path="app.py",
        line=4,
        col=10,
        end_line=4,
        end_col=54,
        code="OR101",
        message="client talks to OpenAI",
        severity=Severity.ERROR,
        fixable=True,
        replacement='OpenAI(base_url="https://openrouter.ai/api/v1")',
        applicability="safe",
    )
    base.update(kw)
    return Finding(**base)


FINDINGS = [
    F(),
    F(
        path="weird, dir:x/100% ü.py",
        line=2,
        col=1,
        end_line=3,
        end_col=5,
        code="OR102",
        message="multi\nline\r message with 100% and a: colon, comma",
        severity=Severity.WARNING,
        fixable=False,
        replacement=None,
        applicability=None,
    ),
    F(
        path="nb.ipynb",
        cell=3,
        line=1,
        col=7,
        end_line=1,
        end_col=15,
        code="OR201",
        file_region=(40, 12, 40, 21),  # where the cell's source is in the JSON
    ),
    F(code="OR201", fixable=True, replacement=None),  # fixed, but elsewhere
]
ERRORS = [
    FileError("broken.py", "syntax error: invalid syntax (not valid Python 3)", 3, 7),
    FileError("gone.py", "no such file or directory"),
]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "app.py").write_text(UNMIGRATED)
    (tmp_path / "clean.py").write_text("print('hello')\n")
    (tmp_path / "broken.py").write_text("from openai import OpenAI\ndef f(:\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


def invoke(*args: str, env: dict[str, str] | None = None):
    return cli_runner().invoke(main, list(args), catch_exceptions=False, env=env)


# --- JSON ---------------------------------------------------------------------


def test_json_unit_matches_documented_schema() -> None:
    doc = json.loads(render_json(FINDINGS, ERRORS))
    json_validator().validate(doc)
    assert doc["version"] == 1
    first, weird, cell, elsewhere = doc["findings"]
    assert first["fix"] == {
        "applicability": "safe",
        "replacement": 'OpenAI(base_url="https://openrouter.ai/api/v1")',
        "location": {"line": 4, "column": 10, "end_line": 4, "end_column": 54},
    }
    assert first["name"] == "openai-client" and first["cell"] is None
    assert first["applicability"] == "safe"
    assert weird["fix"] is None and weird["severity"] == "warning"
    assert weird["applicability"] is None
    assert weird["message"] == FINDINGS[1].message
    assert cell["cell"] == 3
    assert elsewhere["fixable"] is True and elsewhere["fix"] is None
    assert doc["errors"][0] == {
        "path": "broken.py",
        "line": 3,
        "column": 7,
        "message": "syntax error: invalid syntax (not valid Python 3)",
    }
    assert doc["errors"][1]["line"] is None
    assert doc["summary"] == {
        "findings": 4,
        "errors": 2,
        "fixable": 3,
        "hidden_fixes": 0,
        "display_only_fixes": 0,
        "files_with_findings": 3,
        "by_severity": {"error": 3, "warning": 1},
    }


def test_json_schema_rejects_a_wrong_document() -> None:
    doc = json.loads(render_json(FINDINGS, ERRORS))
    doc["findings"][0]["severity"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        json_validator().validate(doc)


def test_json_from_the_cli(project: Path) -> None:
    r = invoke("check", "--output-format", "json", ".")
    assert r.exit_code == 2  # broken.py could not be checked
    doc = json.loads(r.stdout)  # stdout holds the document and nothing else
    json_validator().validate(doc)
    codes = [(f["path"], f["code"], f["severity"]) for f in doc["findings"]]
    assert ("app.py", "OR101", "error") in codes
    assert ("app.py", "OR102", "warning") in codes
    assert ("app.py", "OR201", "error") in codes
    model = next(f for f in doc["findings"] if f["code"] == "OR201")
    assert model["line"] == 6 and model["fix"]["replacement"] == '"openai/gpt-4o"'
    # the replacement really is what migrate writes into that span
    line = UNMIGRATED.splitlines()[5]
    fixed = (
        line[: model["column"] - 1] + model["fix"]["replacement"] + line[model["end_column"] - 1 :]
    )
    assert fixed == 'r = client.chat.completions.create(model="openai/gpt-4o", messages=[])'
    assert [e["path"] for e in doc["errors"]] == ["broken.py"]
    assert "broken.py:2" in r.stderr  # errors are on stderr too
    assert "Found 3 findings in 1 file" in r.stderr


def test_json_alias_and_clean_run(project: Path) -> None:
    r = invoke("check", "--format", "json", "clean.py")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert doc["findings"] == [] and doc["errors"] == []
    json_validator().validate(doc)


# --- SARIF --------------------------------------------------------------------


def test_sarif_unit_is_valid_and_complete() -> None:
    doc = json.loads(render_sarif(FINDINGS, ERRORS))
    sarif_validator().validate(doc)
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(RULES)
    for r in rules:
        info = RULES[r["id"]]
        assert r["name"] == info.name
        assert r["shortDescription"]["text"] == info.summary
        assert r["fullDescription"]["text"] == info.doc() == r["help"]["markdown"]
        assert r["defaultConfiguration"]["level"] == info.severity.value
    results = run["results"]
    assert len(results) == 4
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    first = results[0]
    assert first["level"] == "error"
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "app.py", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 4, "startColumn": 10, "endLine": 4, "endColumn": 54}
    (fix,) = first["fixes"]
    assert fix["properties"] == {"applicability": "safe"}
    assert first["properties"]["applicability"] == "safe"
    (change,) = fix["artifactChanges"]
    (rep,) = change["replacements"]
    assert rep["insertedContent"]["text"] == FINDINGS[0].replacement
    assert rep["deletedRegion"] == loc["region"]
    weird = results[1]
    assert weird["level"] == "warning" and "fixes" not in weird
    assert "applicability" not in weird["properties"]  # no fix, no applicability
    # the path is a valid URI reference: spaces, % and non-ASCII are escaped
    uri = weird["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "weird,%20dir:x/100%25%20%C3%BC.py"
    cell = results[2]
    assert cell["properties"]["cell"] == 3
    assert cell["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 40,
        "startColumn": 12,
        "endLine": 40,
        "endColumn": 21,
        "message": {"text": "cell 3, line 1"},
    }
    assert "fixes" not in cell  # no replacement: it would be JSON-escaped text
    assert "fixes" not in results[3]
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is False
    notes = inv["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == [e.message for e in ERRORS]
    assert notes[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 7,
    }
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_schema_catches_mistakes() -> None:
    doc = json.loads(render_sarif(FINDINGS, []))
    doc["runs"][0]["results"][0]["level"] = "fatal"
    assert not sarif_validator().is_valid(doc)


def test_sarif_from_the_cli(project: Path) -> None:
    r = invoke("check", "--output-format", "sarif", ".")
    assert r.exit_code == 2
    doc = json.loads(r.stdout)
    sarif_validator().validate(doc)
    run = doc["runs"][0]
    assert {res["ruleId"] for res in run["results"]} == {"OR101", "OR102", "OR201"}
    assert run["invocations"][0]["executionSuccessful"] is False
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.py"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"

    ok = invoke("check", "--format", "sarif", "app.py")
    assert ok.exit_code == 1
    doc = json.loads(ok.stdout)
    sarif_validator().validate(doc)
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is True
    with_fix = [res for res in doc["runs"][0]["results"] if "fixes" in res]
    assert {res["ruleId"] for res in with_fix} == {"OR101", "OR201"}


def test_sarif_rules_cover_every_registered_rule() -> None:
    assert {r["id"] for r in sarif_rules()} == set(RULES)


# --- GitHub ---------------------------------------------------------------------

COMMAND = re.compile(r"^::(error|warning|notice) (?P<props>[^:]*)::(?P<msg>.*)$")


def unescape(s: str) -> str:
    return (
        s.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    assert "\n" not in line and "\r" not in line
    m = COMMAND.match(line)
    assert m, line
    props = {}
    for part in m.group("props").split(","):
        k, _, v = part.partition("=")
        props[k] = unescape(v)
    return m.group(1), props, unescape(m.group("msg"))


def test_github_escaping_round_trips() -> None:
    kind, props, msg = parse_command(github_line(FINDINGS[1]))
    assert kind == "warning"
    assert props == {
        "file": "weird, dir:x/100% ü.py",
        "line": "2",
        "col": "1",
        "endLine": "3",
        "endColumn": "5",
        "title": "OR102",
    }
    assert msg == text_line(FINDINGS[1])
    assert escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"


def test_github_line_exact_and_cells() -> None:
    assert github_line(FINDINGS[0]) == (
        "::error file=app.py,line=4,col=10,endLine=4,endColumn=54,title=OR101::"
        "app.py:4:10: OR101 [*] client talks to OpenAI"
    )
    kind, props, msg = parse_command(github_line(FINDINGS[2]))
    # the line in the .ipynb text where the cell's source is; the message names the cell
    assert props == {
        "file": "nb.ipynb",
        "line": "40",
        "col": "12",
        "endLine": "40",
        "endColumn": "21",
        "title": "OR201",
    }
    assert msg.startswith("nb.ipynb:cell 3:1:7: OR201")
    # a notebook finding whose place in the JSON is not known: on the file, never
    # at the cell's line numbers taken as the file's
    unknown = F(path="nb.ipynb", cell=3, line=1, col=7, end_line=1, end_col=15, code="OR201")
    assert parse_command(github_line(unknown))[1] == {"file": "nb.ipynb", "title": "OR201"}
    doc = json.loads(render_sarif([unknown], []))
    sarif_validator().validate(doc)
    assert "region" not in doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    kind, props, msg = parse_command(github_error_line(ERRORS[0]))
    assert kind == "error"
    assert props == {
        "file": "broken.py",
        "line": "3",
        "col": "7",
        "title": "openrouter-migrate error",
    }
    assert msg == str(ERRORS[0])


def test_github_from_the_cli(project: Path) -> None:
    r = invoke("check", "--output-format", "github", ".")
    assert r.exit_code == 2
    parsed = [parse_command(line) for line in r.stdout.splitlines()]
    by_title = {p["title"]: (kind, p) for kind, p, _ in parsed}
    assert by_title["OR101"][0] == "error" and by_title["OR101"][1]["line"] == "4"
    assert by_title["OR102"][0] == "warning"
    assert by_title["openrouter-migrate error"][1]["file"] == "broken.py"
    assert "Found 3 findings" in r.stderr


# --- text ------------------------------------------------------------------------


def test_text_plain_and_colored() -> None:
    plain = text_line(FINDINGS[2])
    assert plain == "nb.ipynb:cell 3:1:7: OR201 [*] client talks to OpenAI"
    colored = text_line(FINDINGS[2], color=True)
    assert "\x1b[" in colored
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == plain


def test_text_from_the_cli_parses(project: Path) -> None:
    r = invoke("check", "app.py")
    assert r.exit_code == 1
    pattern = re.compile(
        r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>OR\d{3})( \[\*\])? "
    )
    rows = [pattern.match(line) for line in r.stdout.splitlines()]
    assert all(rows), r.stdout
    assert [(m["line"], m["code"]) for m in rows if m] == [
        ("4", "OR101"),
        ("5", "OR102"),
        ("6", "OR201"),
    ]
    assert "\x1b[" not in r.stdout  # not a terminal: no color


def test_statistics_text_and_json(project: Path) -> None:
    r = invoke("check", "--statistics", "app.py")
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [["1", "OR101"], ["1", "OR102"], ["1", "OR201"]]
    assert "[*]" in lines[0] and "[*]" not in lines[1]
    assert lines[1].endswith("azure-client")
    r = invoke("check", "--statistics", "--format", "json", "app.py")
    rows = json.loads(r.stdout)
    assert rows[0] == {
        "code": "OR101",
        "name": "openai-client",
        "severity": "error",
        "count": 1,
        "fixable": 1,
        "hidden_fixes": 0,
        "display_only_fixes": 0,
    }
    r = invoke("check", "--statistics", "--format", "sarif", "app.py")
    assert r.exit_code == 2 and "--statistics" in r.stderr


def test_sarif_path_outside_cwd_is_a_file_uri(tmp_path: Path) -> None:
    f = F(path=os.path.join(str(tmp_path), "a b.py"))
    doc = json.loads(render_sarif([f], []))
    sarif_validator().validate(doc)
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": (tmp_path / "a b.py").as_uri()}


def test_every_format_on_a_notebook(fixture_copy, monkeypatch: pytest.MonkeyPatch) -> None:
    """Findings in notebook cells: the cell is in every format."""
    repo = fixture_copy("notebooks")
    monkeypatch.chdir(repo)
    text = invoke("check", "ticket_summariser.ipynb").stdout.splitlines()
    assert text and all(line.startswith("ticket_summariser.ipynb:cell ") for line in text)
    doc = json.loads(invoke("check", "--format", "json", "ticket_summariser.ipynb").stdout)
    json_validator().validate(doc)
    cells = [f["cell"] for f in doc["findings"]]
    assert cells and all(isinstance(c, int) for c in cells)
    sarif = json.loads(invoke("check", "--format", "sarif", "ticket_summariser.ipynb").stdout)
    sarif_validator().validate(sarif)
    results = sarif["runs"][0]["results"]
    assert [r["properties"]["cell"] for r in results] == cells
    assert not any("fixes" in r for r in results)
    gh = invoke("check", "--format", "github", "ticket_summariser.ipynb").stdout.splitlines()
    for line, cell in zip(gh, cells):
        _, props, msg = parse_command(line)
        assert int(props["line"]) > 2 and f":cell {cell}:" in msg


def _json_string_at(line: str) -> str:
    """The source element a Jupyter-style JSON line holds (``    "text\\n",``)."""
    return json.loads(line.strip().rstrip(","))


@pytest.mark.parametrize("name", ["ticket_summariser.ipynb", "legacy_chat.ipynb"])
def test_sarif_and_github_point_at_the_cell_source_inside_the_notebook_json(
    fixture_copy, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A notebook finding's region is where the cell's source line is in the
    .ipynb text (not lines 1-2 of the JSON): the text at the region, JSON
    decoded, is the finding's span of the cell."""
    repo = fixture_copy("notebooks")
    monkeypatch.chdir(repo)
    text = (repo / name).read_text(encoding="utf-8")
    lines = text.split("\n")
    nb = json.loads(text)
    findings = json.loads(invoke("check", "--format", "json", name).stdout)["findings"]
    sarif = json.loads(invoke("check", "--format", "sarif", name).stdout)
    sarif_validator().validate(sarif)
    results = sarif["runs"][0]["results"]
    gh = invoke("check", "--format", "github", name).stdout.splitlines()
    assert findings and len(results) == len(findings) == len(gh)
    for f, r, g in zip(findings, results, gh):
        cell_lines = "".join(nb["cells"][f["cell"] - 1]["source"]).splitlines(True)
        region = r["locations"][0]["physicalLocation"]["region"]
        start, end = region["startLine"], region["endLine"]
        assert start > 2
        # the JSON lines hold the cell's lines
        assert _json_string_at(lines[start - 1]) == cell_lines[f["line"] - 1]
        assert _json_string_at(lines[end - 1]) == cell_lines[f["end_line"] - 1]
        # the columns: the raw JSON text between them decodes to the span
        head = json.loads(
            '"' + lines[start - 1][region["startColumn"] - 1 :].rstrip(",")[:-1] + '"'
        )
        assert head == cell_lines[f["line"] - 1][f["column"] - 1 :]
        upto = lines[end - 1][: region["endColumn"] - 1]
        tail = json.loads(upto[upto.index('"') :] + '"')
        assert tail == cell_lines[f["end_line"] - 1][: f["end_column"] - 1]
        assert r["properties"]["cell"] == f["cell"]
        # github: the same place
        _, props, msg = parse_command(g)
        assert (props["line"], props["col"], props["endLine"], props["endColumn"]) == (
            str(start),
            str(region["startColumn"]),
            str(end),
            str(region["endColumn"]),
        )
        assert f":cell {f['cell']}:" in msg


# ---- a file name that is not UTF-8 (attack 3) --------------------------------


@pytest.mark.skipif(os.name == "nt", reason="POSIX file names are bytes")
@pytest.mark.parametrize("stdio", ["utf-8:strict", "utf-8:surrogateescape", "latin-1:strict"])
def test_every_format_survives_a_file_name_that_is_not_utf8(tmp_path: Path, stdio: str) -> None:
    """A name that is not UTF-8 (``bad\\xff.py``, from an archive or another
    system) comes back from the file system as lone surrogates. A stream
    with ``errors="strict"`` (a UTF-8 locale, PYTHONIOENCODING) refused
    them: the whole report was an internal error (exit 2, nothing on
    stdout); JSON and SARIF held the raw byte (not UTF-8, not JSON) or
    crashed on the SARIF URI."""
    import subprocess
    import sys

    src = b"from openai import OpenAI\nclient = OpenAI()\n"
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "ok.py").write_bytes(src)
    bad = os.fsencode(tmp_path) + b"/bad\xff.py"
    with open(bad, "wb") as fh:
        fh.write(src)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": stdio}
    for fmt in ("text", "json", "sarif", "github"):
        p = subprocess.run(
            [sys.executable, "-m", "codemods", "check", "--no-cache", "--format", fmt, "."],
            cwd=tmp_path,
            env=env,
            capture_output=True,
        )
        assert p.returncode == 1, (fmt, p.stderr)
        assert b"internal error" not in p.stderr
        if fmt == "json":
            doc = json.loads(p.stdout.decode("utf-8"))
            json_validator().validate(doc)
            assert sorted({f["path"] for f in doc["findings"]}) == ["bad\udcff.py", "ok.py"]
        elif fmt == "sarif":
            doc = json.loads(p.stdout.decode("utf-8"))
            sarif_validator().validate(doc)
            uris = {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in doc["runs"][0]["results"]
            }
            assert uris == {"bad%FF.py", "ok.py"}
        else:
            lines = p.stdout.splitlines()
            assert len(lines) == 2 and all(b"OR101" in line for line in lines), p.stdout


def test_text_output_never_hands_the_terminal_a_control_character(tmp_path: Path) -> None:
    """A repository's file names and the code a message quotes (a
    ``base_url``, a model ID) reached the terminal raw: ``\\x1b]0;...\\x07``
    retitled it, ``\\x1b[2J`` cleared it (click strips only CSI sequences, and
    only when stdout is not a terminal), and a newline in a file name split a
    finding over two lines. They are written as escapes; JSON keeps them."""
    (tmp_path / "pyproject.toml").write_text("")
    src = (
        "from openai import OpenAI\n"
        'c = OpenAI(base_url="http://x\x1b]0;pwn\x07y/v1")\n'
        "c2 = OpenAI()\n"
        'c2.chat.completions.create(model="gpt-9\x1b[2J", messages=[])\n'
    )
    (tmp_path / "e\x1b[31m\nx.py").write_text(src)
    from codemods.cli import main as cli_main

    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        r = cli_runner().invoke(cli_main, ["check", "--no-cache", "--jobs", "1", "."], color=True)
        j = cli_runner().invoke(cli_main, ["check", "--no-cache", "--format", "json", "."])
    finally:
        os.chdir(old)
    assert r.exit_code == 1, r.output
    lines = r.stdout.splitlines()
    assert len(lines) == 3, lines  # one line per finding
    for line in lines:
        assert line.startswith("e\\x1b[31m\\x0ax.py:"), line
        assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in line), line
    assert "`http://x\\x1b]0;pwn\\x07y/v1`" in r.stdout
    assert "'gpt-9\\x1b[2J'" in r.stdout
    doc = json.loads(j.stdout)
    assert {f["path"] for f in doc["findings"]} == {"e\x1b[31m\nx.py"}
