"""Machine-readable reports: JSON, SARIF 2.1.0 and GitHub workflow commands.

Pure functions from findings and errors to text; the CLI prints them. The
JSON schema is documented in the README ("Output formats") and versioned by
:data:`JSON_VERSION`: fields are only ever added within a version.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from codemods import __version__
from codemods.core.findings import DISPLAY_ONLY, UNSAFE, FileError, Finding

FORMATS = ("text", "json", "sarif", "github")
JSON_VERSION = 1
TOOL_NAME = "openrouter-migrate"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


# --- JSON --------------------------------------------------------------------


def finding_json(f: Finding) -> dict[str, Any]:
    fix = None
    if f.applicability is not None and f.replacement is not None:
        # as in ruff's JSON, an unsafe fix the run did not apply is given too
        # (with "applicability": "unsafe"; "fixable" is then false), and so
        # is a display-only one ("display-only": never applied)
        fix = {
            "applicability": f.applicability,
            "replacement": f.replacement,
            "location": {
                "line": f.line,
                "column": f.col,
                "end_line": f.end_line,
                "end_column": f.end_col,
            },
        }
    return {
        "path": f.path,
        "cell": f.cell,
        "line": f.line,
        "column": f.col,
        "end_line": f.end_line,
        "end_column": f.end_col,
        "code": f.code,
        "name": _rule_name(f.code),
        "severity": f.severity.value,
        "message": f.message,
        "fixable": f.fixable,
        "applicability": f.applicability,
        "fix": fix,
    }


def error_json(e: FileError) -> dict[str, Any]:
    return {"path": e.path, "line": e.line, "column": e.col, "message": e.message}


def render_json(
    findings: Sequence[Finding], errors: Sequence[FileError], files_checked: int | None = None
) -> str:
    doc = {
        "version": JSON_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "findings": [finding_json(f) for f in findings],
        "errors": [error_json(e) for e in errors],
        "summary": {
            "findings": len(findings),
            "errors": len(errors),
            "fixable": sum(1 for f in findings if f.fixable),
            "hidden_fixes": sum(1 for f in findings if f.hidden_fix),
            "display_only_fixes": sum(1 for f in findings if f.display_only),
            "files_with_findings": len({f.path for f in findings}),
            "by_severity": dict(sorted(Counter(f.severity.value for f in findings).items())),
        },
    }
    return _dumps(doc)


def _dumps(doc: Any) -> str:
    """A JSON document that is valid UTF-8 whatever the paths hold: a file
    name that is not UTF-8 (``bad\\xff.py``) reaches here with its bytes as
    lone surrogates (``surrogateescape``), which no UTF-8 stream can write;
    they can only be inside strings, where ``\\udcff`` is their JSON escape.
    So are the control characters ``json`` leaves as they are (DEL, the C1
    controls, the bidirectional ones such as U+202E): a report printed on a
    terminal never carries one (C0 controls are escaped by ``json``)."""
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return _ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_ESCAPED = re.compile("[\ud800-\udfff\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def statistics_json(findings: Sequence[Finding]) -> str:
    return json.dumps(statistics_rows(findings), indent=2) + "\n"


def statistics_rows(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    counts = Counter(f.code for f in findings)
    fixable = Counter(f.code for f in findings if f.fixable)
    hidden = Counter(f.code for f in findings if f.hidden_fix)
    display = Counter(f.code for f in findings if f.display_only)
    severity = {f.code: f.severity.value for f in findings}
    return [
        {
            "code": code,
            "name": _rule_name(code),
            "severity": severity[code],
            "count": n,
            "fixable": fixable[code],
            "hidden_fixes": hidden[code],
            "display_only_fixes": display[code],
        }
        for code, n in sorted(counts.items())
    ]


def _rule_name(code: str) -> str | None:
    from codemods.core.rules import all_rules

    RULES = all_rules()

    info = RULES.get(code)
    return None if info is None else info.name


# --- SARIF 2.1.0 --------------------------------------------------------------


def _uri(path: str) -> tuple[str, str | None]:
    """(uri, uriBaseId) for a display path: relative paths are relative to
    ``%SRCROOT%`` (the current directory), which is what code scanning wants
    when the tool runs at the repository root."""
    p = path.replace(os.sep, "/")
    if os.path.isabs(path):
        return Path(path).as_uri(), None
    while p.startswith("./"):
        p = p[2:]
    # a name that is not UTF-8 keeps its bytes (``bad%FF.py``), as ``as_uri`` does
    return quote(p, safe="/-._~!$&'()*+,;=:@", errors="surrogateescape"), "%SRCROOT%"


def _artifact(path: str) -> dict[str, Any]:
    uri, base = _uri(path)
    loc: dict[str, Any] = {"uri": uri}
    if base is not None:
        loc["uriBaseId"] = base
    return loc


def _region(f: Finding) -> dict[str, Any] | None:
    """The finding's region in the file. A notebook's positions are inside a
    cell: its region is where that text is in the .ipynb JSON (the cell's
    source strings), or none when that is not known."""
    line, col, end_line, end_col = f.line, f.col, f.end_line, f.end_col
    if f.cell is not None:
        if f.file_region is None:
            return None
        line, col, end_line, end_col = f.file_region
    region: dict[str, Any] = {
        "startLine": line,
        "startColumn": col,
        "endLine": end_line,
        "endColumn": end_col,
    }
    if f.cell is not None:
        region["message"] = {"text": f"cell {f.cell}, line {f.line}"}
    return region


def _physical(f: Finding) -> dict[str, Any]:
    loc: dict[str, Any] = {"artifactLocation": _artifact(f.path)}
    region = _region(f)
    if region is not None:
        loc["region"] = region
    return loc


def _level(severity: str) -> str:
    return "error" if severity == "error" else "warning"


def sarif_rules() -> list[dict[str, Any]]:
    from codemods.core.rules import all_rules

    RULES = all_rules()

    rules = []
    for code in sorted(RULES):
        info = RULES[code]
        doc = info.doc()
        rules.append(
            {
                "id": info.code,
                "name": info.name,
                "shortDescription": {"text": info.summary},
                "fullDescription": {"text": doc, "markdown": doc},
                "help": {"text": doc, "markdown": doc},
                "defaultConfiguration": {"level": _level(info.severity.value)},
                "properties": {
                    "fixable": info.fixable,
                    "fixAvailability": info.fix_availability,
                    "tags": [info.severity.value],
                },
            }
        )
    return rules


def render_sarif(findings: Sequence[Finding], errors: Sequence[FileError]) -> str:
    rules = sarif_rules()
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.code,
            "level": _level(f.severity.value),
            "message": {"text": f.message if f.cell is None else f"cell {f.cell}: {f.message}"},
            "locations": [{"physicalLocation": _physical(f)}],
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        props: dict[str, Any] = {"fixable": f.fixable}
        if f.applicability is not None:
            props["applicability"] = f.applicability
        if f.cell is not None:
            props["cell"] = f.cell
        result["properties"] = props
        # A notebook's positions are inside a cell, not in the .ipynb file's
        # text: a replacement there would point at the wrong bytes.
        if f.applicability is not None and f.replacement is not None and f.cell is None:
            if f.applicability == DISPLAY_ONLY:
                what = (
                    "Shown only: `openrouter-migrate` never applies this fix "
                    "(it would break the code)"
                )
            else:
                command = "migrate --unsafe-fixes" if f.applicability == UNSAFE else "migrate"
                what = f"Apply `openrouter-migrate {command}`"
            result["fixes"] = [
                {
                    "description": {"text": what},
                    "properties": {"applicability": f.applicability},
                    "artifactChanges": [
                        {
                            "artifactLocation": _artifact(f.path),
                            "replacements": [
                                {
                                    "deletedRegion": _region(f),
                                    "insertedContent": {"text": f.replacement},
                                }
                            ],
                        }
                    ],
                }
            ]
        results.append(result)
    notifications = []
    for e in errors:
        n: dict[str, Any] = {"level": "error", "message": {"text": e.message}}
        phys: dict[str, Any] = {"artifactLocation": _artifact(e.path)}
        if e.line is not None:
            region: dict[str, Any] = {"startLine": e.line}
            if e.col is not None:
                region["startColumn"] = e.col
            phys["region"] = region
        n["locations"] = [{"physicalLocation": phys}]
        notifications.append(n)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "invocations": [
            {
                "executionSuccessful": not errors,
                "toolExecutionNotifications": notifications,
            }
        ],
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return _dumps(doc)


# --- GitHub Actions workflow commands ----------------------------------------


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, props: dict[str, Any], message: str) -> str:
    """A workflow command. Its text comes from the repository (a path, a
    message quoting a ``base_url``): control characters are escaped as the
    text format shows them (``\\x1b``), so the log never carries an escape
    sequence and a CR or LF cannot start another command."""
    from codemods.core.report import printable

    rendered = ",".join(f"{k}={escape_property(printable(str(v)))}" for k, v in props.items())
    return f"::{kind} {rendered}::{escape_data(printable(message))}"


def github_line(f: Finding) -> str:
    from codemods.core.report import text_line

    props: dict[str, Any] = {"file": f.path}
    if f.cell is None:
        props.update(line=f.line, col=f.col, endLine=f.end_line, endColumn=f.end_col)
    elif f.file_region is not None:
        # a notebook's lines are inside a cell: the annotation goes where the
        # cell's source is in the .ipynb text; the message names the cell
        line, col, end_line, end_col = f.file_region
        props.update(line=line, col=col, endLine=end_line, endColumn=end_col)
    props["title"] = f.code
    message = text_line(f)
    if f.applicability == DISPLAY_ONLY:
        message += " (never applied: it would break the code)"
    elif f.applicability == UNSAFE:
        message += (
            " (unsafe fix, applied by `migrate --unsafe-fixes`)"
            if not f.fixable
            else " (unsafe fix)"
        )
    return _command(_level(f.severity.value), props, message)


def github_error_line(e: FileError) -> str:
    props: dict[str, Any] = {"file": e.path}
    if e.line is not None:
        props["line"] = e.line
        if e.col is not None:
            props["col"] = e.col
    props["title"] = f"{TOOL_NAME} error"
    return _command("error", props, str(e))


def github_lines(findings: Iterable[Finding]) -> Iterable[str]:
    return (github_line(f) for f in findings)
