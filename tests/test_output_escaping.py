"""No output of the CLI carries a raw control character from the user's
files or options (a path, a quoted value): a terminal would act on it
(``\\x1b]0;...\\x07`` retitles it, ``\\x1b[2J`` clears it, CR overwrites
the line, U+202E turns the rest of the line around), a CI log would too,
and a CR or LF in a GitHub workflow command could start another command.

Planted here: ESC, BEL, CR and a bidi override (U+202E) in a file name, a
directory name, a string value (``base_url``, a model ID) and an option;
every command and format is run. The one exception is the patch of
``migrate --diff`` on stdout, which must stay byte-exact (it is applied
with ``git apply``): it may carry what the files hold, but a file whose
name needs escaping cannot be named by a patch, so it is left out of
stdout with a note (its diff is shown on stderr, escaped), like a file
whose diff would show a secret.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import run_cli

# what a terminal acts on: C0 controls but LF, DEL, C1, bidirectional controls
_RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

EVIL = "\x1b]0;pwned\x07\u202e"
DIR = "pkg\x1b[31m\u202e"
NAME = "app\x1b[2J\x07\r\u202eyp.py"

PY = (
    "from openai import OpenAI\n\n"
    f'proxy = OpenAI(base_url="https://example.com/{EVIL}")\n'
    f'proxy.chat.completions.create(model="gpt-4o", messages=[])\n'
    "other = OpenAI()\n"
    f'other.chat.completions.create(model="my-model-{EVIL}", messages=[])\n'
    "client = OpenAI()\n"
    'client.chat.completions.create(model="gpt-4o", messages=[])\n'
)
TS = (
    'import OpenAI from "openai";\n\n'
    f'const proxy = new OpenAI({{ baseURL: "https://example.com/{EVIL}" }});\n'
    "const other = new OpenAI();\n"
    f'await other.chat.completions.create({{ model: "my-model-{EVIL}", messages: [] }});\n'
    "const client = new OpenAI();\n"
    'await client.chat.completions.create({ model: "gpt-4o", messages: [] });\n'
)


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / DIR).mkdir(parents=True)
    (root / NAME).write_text(PY)  # a file name to escape
    (root / DIR / "main.py").write_text(PY)  # a directory name to escape
    (root / DIR / f"web{EVIL}.ts").write_text(TS)
    (root / "plain.py").write_text(PY)  # a clean name, control characters inside
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    notebook = {
        "cells": [{**cell, "source": PY.splitlines(keepends=True)}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / "note.ipynb").write_text(json.dumps(notebook))
    # TOML refuses them raw; its escapes decode to them
    toml = EVIL.encode("unicode_escape").decode().replace("\\x", "\\u00")
    (root / "bad.toml").write_text(f'"select{toml}" = ["OR1"]\n')
    (root / "worse.toml").write_text(f'select = ["OR1{toml}"]\n')
    return root


def _raw(text: str) -> list[str]:
    return sorted({repr(m.group()) for m in _RAW.finditer(text)})


COMMANDS = [
    ["check", "."],
    ["check", "--unsafe-fixes", "."],
    ["check", "--output-format", "json", "."],
    ["check", "--output-format", "sarif", "."],
    ["check", "--output-format", "github", "."],
    ["check", "--statistics", "."],
    ["check", "--statistics", "--output-format", "json", "."],
    ["--verbose", "check", "."],
    ["check", NAME, DIR],
    ["check", f"missing{EVIL}.py"],
    ["check", "--select", f"OR1{EVIL}", "."],
    ["check", "--base-url", f"https://example.com/{EVIL}", "."],
    ["check", "--config", f"cfg{EVIL}.toml", "."],
    ["check", "--output-format", f"x{EVIL}", "."],
    ["check", f"--bogus{EVIL}", "."],
    [f"bogus{EVIL}"],
    # a configuration whose key and value quote control characters
    ["check", "--config", "bad.toml", "."],
    ["check", "--config", "worse.toml", "."],
    ["rules", f"OR{EVIL}"],
    ["clean", f"nowhere{EVIL}"],
    # a notebook's cells, for reading (not a patch): escaped
    ["migrate", "--diff", "--cell-diff", "note.ipynb"],
]


@pytest.mark.parametrize(
    "args", COMMANDS, ids=lambda a: " ".join(a).encode("unicode_escape").decode()
)
def test_no_raw_control_character_reaches_the_terminal(tmp_path: Path, args: list[str]) -> None:
    root = _tree(tmp_path)
    code, out, err = run_cli(args, cwd=root)
    assert "Traceback" not in err, err
    assert not _raw(out), (out, _raw(out))
    assert not _raw(err), (err, _raw(err))


@pytest.mark.parametrize("unsafe", [[], ["--unsafe-fixes"]])
def test_the_patch_names_no_file_that_needs_escaping(tmp_path: Path, unsafe: list[str]) -> None:
    root = _tree(tmp_path)
    code, out, err = run_cli(["migrate", "--diff", "--no-cache", *unsafe, "."], cwd=root)
    assert code == 0, err
    assert not _raw(err), _raw(err)
    # stdout: the patch, byte-exact: the clean file only, with what it holds
    headers = [line for line in out.splitlines() if line.startswith(("--- ", "+++ ", "diff "))]
    assert headers == ["--- a/note.ipynb", "+++ b/note.ipynb", "--- a/plain.py", "+++ b/plain.py"]
    assert EVIL in out  # the file's own bytes, unchanged in its context lines
    # each of the others: a note with its name escaped, its diff on stderr
    shown = NAME.encode("unicode_escape").decode().replace("\\r", "\\x0d")
    assert f"note: {printable(NAME)}: not in the patch on stdout: its name holds control " in err
    assert shown.replace("\\u202e", "") in err.replace("\\u202e", "")
    assert err.count("not in the patch on stdout") == 3


def test_migrate_writes_and_says_so_escaped(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    code, out, err = run_cli(["migrate", "--no-cache", "--unsafe-fixes", "."], cwd=root)
    assert code == 0, err
    assert not _raw(out) and not _raw(err), (_raw(out), _raw(err))
    assert f"fixed {printable(NAME)} " in err
    assert "openrouter.ai" in (root / NAME).read_text()


def test_github_annotations_escape_paths_and_messages(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    code, out, err = run_cli(["check", "--no-cache", "--output-format", "github", "."], cwd=root)
    lines = out.splitlines()
    assert all(line.startswith("::") for line in lines), lines  # no CR/LF split a command
    assert any(f"file={printable(NAME)}," in line for line in lines)
    assert any("\\x1b]0;pwned\\x07\\u202e" in line for line in lines)


def printable(text: str) -> str:
    from codemods.core.report import printable as shown

    return shown(text)
