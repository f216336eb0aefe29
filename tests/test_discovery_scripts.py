"""Extensionless Python scripts (``bin/run-report`` starting with
``#!/usr/bin/env python3``) are found when walking directories, as
pre-commit's ``identify`` tags them ``python`` and passes them to the hooks
(issue 12, item 13); and the gitignore matcher (pathspec) agrees with git."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from codemods.cli import main
from codemods.core import discovery
from codemods.core.discovery import discover
from tests.helpers import cli_runner

SCRIPTS = {
    # name: (first lines, executable, python or javascript for identify: the
    # hooks take both, see .pre-commit-hooks.yaml)
    "env-python3": ("#!/usr/bin/env python3\n", True, True),
    "bare-python": ("#!/usr/bin/python\n", True, True),
    "minor": ("#!/usr/bin/env python3.11\n", True, True),
    "patch": ("#!/usr/local/bin/python3.12.1\n", True, True),
    "python2": ("#!/usr/bin/python2.7\n", True, True),
    "env-S": ("#!/usr/bin/env -S python3 -u\n", True, True),
    "spaced": ("#! /usr/bin/env python3\n", True, True),
    "quoted": ('#!"/opt/my env/bin/python3"\n', True, True),
    "nix": ("#!/usr/bin/env nix-shell\n#!nix-shell -i python3 -p python3\n", True, True),
    "not-executable": ("#!/usr/bin/env python3\n", False, False),
    "bash": ("#!/bin/bash\n", True, False),
    "node": ("#!/usr/bin/env node\n", True, True),  # the TypeScript/JavaScript front-end's
    "nodejs": ("#!/usr/bin/nodejs\n", True, True),
    "deno": ("#!/usr/bin/env deno\n", True, False),
    "pypy": ("#!/usr/bin/env pypy3\n", True, False),
    "pythonista": ("#!/usr/bin/env pythonista\n", True, False),
    "no-shebang": ("import openai\n", True, False),
    "latin1": ("#!/usr/bin/python3 \xe9\n", True, False),
    "run.sh": ("#!/usr/bin/env python3\n", True, False),  # identify: shell, by extension
}

BODY = "from openai import OpenAI\nclient = OpenAI()\n"


def make_scripts(root: Path) -> None:
    (root / "bin").mkdir(parents=True, exist_ok=True)
    for name, (head, executable, _) in SCRIPTS.items():
        p = root / "bin" / name
        p.write_bytes(head.encode("latin-1") + BODY.encode())
        p.chmod(0o755 if executable else 0o644)


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def found(paths: list[str], **kw) -> list[str]:
    files, errors = discover(paths, **kw)
    assert errors == []
    return [f.path.as_posix() for f in files]


@pytest.mark.skipif(os.name == "nt", reason="executable bits")
def test_walk_finds_python_scripts_by_shebang(tree: Path) -> None:
    make_scripts(tree)
    (tree / "app.py").write_text(BODY)
    expected = sorted(f"bin/{n}" for n, (_, _, py) in SCRIPTS.items() if py)
    assert found(["."]) == ["app.py", *expected]


@pytest.mark.skipif(os.name == "nt", reason="executable bits")
def test_walk_agrees_with_pre_commit_identify(tree: Path) -> None:
    identify = pytest.importorskip("identify.identify")
    make_scripts(tree)
    walked = {p for p in found(["bin"])}
    tagged = {
        f"bin/{n}"
        for n in SCRIPTS
        if {"python", "javascript"} & identify.tags_from_path(str(tree / "bin" / n))
    }
    assert walked == tagged


def test_python_shebang_parsing() -> None:
    python_shebang = discovery.python_shebang
    assert python_shebang(b"#!/usr/bin/env python3\n")
    assert python_shebang(b"#!/usr/bin/env -S python3.11 -X dev\n")
    assert not python_shebang(b"#!/usr/bin/env\n")
    assert not python_shebang(b"#!\n")
    assert not python_shebang(b"")
    assert not python_shebang(b"#!/usr/bin/env 'python3\n")  # shlex fails: split on spaces
    assert not python_shebang(b"\xef\xbb\xbf#!/usr/bin/env python3\n")  # identify: no BOM


@pytest.mark.skipif(os.name == "nt", reason="executable bits")
def test_gitignore_and_excludes_apply_to_scripts(tree: Path) -> None:
    make_scripts(tree)
    (tree / ".gitignore").write_text("bin/minor\n")
    listed = found(["."], exclude=["patch"])
    assert "bin/env-python3" in listed
    assert "bin/minor" not in listed and "bin/patch" not in listed


@pytest.mark.skipif(os.name == "nt", reason="executable bits")
def test_check_and_migrate_a_script_found_in_a_directory(tree: Path) -> None:
    (tree / "bin").mkdir()
    script = tree / "bin" / "run-report"
    script.write_text("#!/usr/bin/env python3\n" + BODY)
    script.chmod(0o755)
    runner = cli_runner()
    r = runner.invoke(main, ["check", "."], catch_exceptions=False)
    assert r.exit_code == 1 and "bin/run-report:3:10: OR101" in r.stdout, (r.stdout, r.stderr)
    r = runner.invoke(main, ["migrate", "."], catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    assert 'base_url="https://openrouter.ai/api/v1"' in script.read_text()
    assert script.read_text().startswith("#!/usr/bin/env python3\n")
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    # named on the command line (as pre-commit passes it): processed too
    script.write_text("#!/usr/bin/env python3\n" + BODY)
    r = runner.invoke(main, ["check", "bin/run-report"], catch_exceptions=False)
    assert r.exit_code == 1 and "OR101" in r.stdout


# --- the gitignore matcher agrees with git on what the hand-written one covered ----

EXTRA_BATTERY = """\
[[:digit:]]_num.py
foo/**
!foo/keep.py
[unclosed.py
space\\ .py
"""

EXTRA_FILES = [
    "7_num.py",
    "x_num.py",
    "foo/a.py",
    "foo/keep.py",
    "foo/deep/b.py",
    "[unclosed.py",
    "space .py",
    "plain.py",
]


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_more_gitignore_patterns_agree_with_git(tree: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True, env=env)
    (tree / ".gitignore").write_text(EXTRA_BATTERY)
    for name in EXTRA_FILES:
        p = tree / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x = 1\n")
    out = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard", "-z"],
        cwd=tree,
        check=True,
        capture_output=True,
        env=env,
    ).stdout.decode()
    expected = sorted(p for p in out.split("\0") if p.endswith(".py"))
    assert sorted(found(["."])) == expected
    assert "foo/keep.py" in expected and "x_num.py" in expected and "7_num.py" not in expected
