"""``migrate --diff`` prints a patch: only the diff goes to stdout, and it applies.

The patch is generated from every fixture repository (the ones the snapshot
tests use: notebooks, encodings with latin-1/BOM/CRLF/mixed newlines/no final
newline, a hard-coded key...), applied to a pristine copy with ``git apply``
and with ``patch -p1``, and compared with what ``migrate`` writes. A file
whose diff would show a secret cannot be applied faithfully: it is left out
of stdout and named on stderr.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from codemods.cli import main
from tests.conftest import FIXTURES, ROOT, tree_bytes
from tests.helpers import cli_runner
from tests.test_fixture_snapshots import REPOS

DIFF_LINE = re.compile(rb"^(--- a/|\+\+\+ b/|@@ -\d+(,\d+)? \+\d+(,\d+)? @@|[ +\-]|\\ No newline)")
NOT_APPLICABLE = re.compile(r"^note: (.+?): not in the patch on stdout", re.M)


def _invoke(args: list[str], cwd: Path) -> tuple[int, bytes, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        r = cli_runner().invoke(main, [args[0], "--no-cache", *args[1:]], catch_exceptions=False)
    finally:
        os.chdir(old)
    return r.exit_code, r.stdout_bytes, r.stderr


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    return env


def _apply(tool: str, patch: bytes, target: Path) -> None:
    if tool == "git":
        for extra in (["--check"], []):
            proc = subprocess.run(
                ["git", "apply", *extra, "-"],
                input=patch,
                cwd=target,
                capture_output=True,
                env=_env(),
                timeout=120,
                check=False,
            )
            assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    else:
        proc = subprocess.run(
            ["patch", "-p1", "--quiet", "--batch", "--no-backup-if-mismatch"],
            input=patch,
            cwd=target,
            capture_output=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, (proc.stdout + proc.stderr).decode(errors="replace")


def _patch_and_expected(name: str, tmp_path: Path) -> tuple[bytes, str, dict, dict]:
    pristine = tmp_path / "pristine"
    shutil.copytree(FIXTURES / name, pristine, symlinks=True)
    code, patch, err = _invoke(["migrate", "--diff", "."], pristine)
    assert code in (0, 2), err
    migrated = tmp_path / "migrated"
    shutil.copytree(FIXTURES / name, migrated, symlinks=True)
    _invoke(["migrate", "."], migrated)
    return patch, err, tree_bytes(pristine), tree_bytes(migrated)


def test_diff_stdout_is_only_the_diff(tmp_path: Path) -> None:
    """Findings that need a human, notes and the summary go to stderr."""
    patch, err, _, _ = _patch_and_expected("legacy", tmp_path)
    assert patch, err
    for line in patch.splitlines():
        assert DIFF_LINE.match(line), line
    assert "OR114" in err and "Would migrate" in err  # still shown, on stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("tool", ["git", "patch"])
@pytest.mark.parametrize("name", REPOS)
def test_diff_applies_to_a_pristine_copy_like_migrate(name: str, tool: str, tmp_path: Path) -> None:
    if tool == "patch" and shutil.which("patch") is None:
        pytest.skip("needs patch")
    patch, err, before, expected = _patch_and_expected(name, tmp_path)
    left_out = set(NOT_APPLICABLE.findall(err))
    target = tmp_path / "target"
    shutil.copytree(FIXTURES / name, target, symlinks=True)
    if patch:
        _apply(tool, patch, target)
    got = tree_bytes(target)
    for path in expected:
        if path in left_out:
            assert got[path] == before[path], f"{path} is not in the patch"
            assert expected[path] != before[path]
        else:
            assert got[path] == expected[path], f"{path}: the patch does not do what migrate does"
    assert set(got) == set(expected)


def test_a_file_whose_diff_would_show_a_key_is_left_out_of_the_patch(tmp_path: Path) -> None:
    patch, err, _, _ = _patch_and_expected("legacy", tmp_path)
    assert b"hardcoded_key.py" not in patch
    assert b"sk-" not in patch
    assert b"--- a/async_worker.py" in patch  # the other files are there
    # chat_script.py's module-level client stays (it sends 'text-embedding-ada-002',
    # OR204, which OpenRouter rejects): its move, which would remove
    # `organization="org-..."` (an ID that looks like a token), is display-only,
    # never applied, so it is in no patch, not even with --unsafe-fixes
    assert set(NOT_APPLICABLE.findall(err)) == {"hardcoded_key.py"}
    pristine = tmp_path / "unsafe"
    shutil.copytree(FIXTURES / "legacy", pristine, symlinks=True)
    _, unsafe_patch, unsafe_err = _invoke(["migrate", "--diff", "--unsafe-fixes", "."], pristine)
    assert set(NOT_APPLICABLE.findall(unsafe_err)) == {"hardcoded_key.py"}
    assert b"chat_script.py" not in unsafe_patch
    assert b"org-" not in unsafe_patch
    assert "would show a string that looks like a secret" in err
    # the redacted diff is still shown for review, on stderr
    assert '-openai.api_key = "sk-...wxyz"  # TODO move to env' in err
    assert "sk-FAKE0000" not in err


def test_notebook_diff_is_a_diff_of_the_json(tmp_path: Path) -> None:
    patch, _, _, _ = _patch_and_expected("notebooks", tmp_path)
    text = patch.decode()
    assert "--- a/ticket_summariser.ipynb\n+++ b/ticket_summariser.ipynb\n" in text
    assert ":cell " not in text
    assert '-    "MODEL = \\"gpt-4o-mini\\"\\n",\n' in text
    assert '+    "MODEL = \\"openai/gpt-4o-mini\\"\\n",\n' in text


def test_cell_diff_shows_each_changed_cell(tmp_path: Path) -> None:
    """The readable per-cell view of notebooks, on request (not a patch)."""
    repo = tmp_path / "nb"
    shutil.copytree(FIXTURES / "notebooks", repo)
    code, out, err = _invoke(["migrate", "--diff", "--cell-diff", "."], repo)
    assert code == 0, err
    text = out.decode()
    assert "--- a/ticket_summariser.ipynb:cell 5\n+++ b/ticket_summariser.ipynb:cell 5\n" in text
    assert '-MODEL = "gpt-4o-mini"\n+MODEL = "openai/gpt-4o-mini"\n' in text
    code, _, err = _invoke(["migrate", "--cell-diff", "."], repo)
    assert code == 2 and "--cell-diff" in err and "--diff" in err
    assert tree_bytes(repo) == tree_bytes(FIXTURES / "notebooks")


def test_redirected_to_a_file_by_a_real_process(tmp_path: Path) -> None:
    """``migrate --diff > x.patch`` from a shell: the bytes of the files (latin-1,
    BOM, CRLF) reach the file as they are, and ``git apply`` takes it."""
    for name in ("encodings", "notebooks"):
        src = tmp_path / name
        shutil.copytree(FIXTURES / name, src)
        out = tmp_path / f"{name}.patch"
        env = dict(os.environ, PYTHONPATH=str(ROOT), OPENROUTER_MIGRATE_NO_CACHE="1")
        env.pop("FORCE_COLOR", None)
        with out.open("wb") as fh:
            proc = subprocess.run(
                [sys.executable, "-m", "codemods", "migrate", "--diff", "."],
                cwd=src,
                stdout=fh,
                stderr=subprocess.PIPE,
                env=env,
                timeout=300,
                check=False,
            )
        assert proc.returncode == 0, proc.stderr.decode()
        _apply("git", out.read_bytes(), src)
        migrated = tmp_path / f"{name}-migrated"
        shutil.copytree(FIXTURES / name, migrated)
        _invoke(["migrate", "."], migrated)
        assert tree_bytes(src) == tree_bytes(migrated)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_paths_with_spaces_quotes_and_non_ascii_apply(tmp_path: Path) -> None:
    """git's C-quoting of header paths, which both git apply and patch read."""
    src = tmp_path / "src"
    (src / "dir x").mkdir(parents=True)
    name = 'dir x/a"b \u00fc.py'
    (src / name).write_text("from openai import OpenAI\nc = OpenAI()\n", encoding="utf-8")
    code, patch, err = _invoke(["migrate", "--diff", "."], src)
    assert code == 0, err
    assert patch.startswith('--- "a/dir x/a\\"b \u00fc.py"\n'.encode())
    for tool in ("git", "patch"):
        if shutil.which(tool) is None:
            continue
        target = tmp_path / tool
        shutil.copytree(src, target)
        _apply(tool, patch, target)
        assert "openrouter.ai" in (target / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("extra", [[], ["--cell-diff"]], ids=["patch", "cell-diff"])
def test_a_key_in_a_notebook_never_reaches_the_diff(tmp_path: Path, extra: list[str]) -> None:
    """A key that is only known as one because OR107 says so (letters only, no
    ``sk-``): the notebook's cell line numbers find it, not the JSON's."""
    import json

    key = "abcdefghijklmnopqrstuvwxyzABCD"
    source = ["from openai import OpenAI\n", f'client = OpenAI(api_key="{key}")\n']
    nb = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# keys\n"]},
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": source,
            },
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "k.ipynb").write_text(json.dumps(nb, indent=1) + "\n")
    code, out, err = _invoke(["migrate", "--diff", *extra, "."], tmp_path)
    assert code == 0, err
    shown = out.decode() + err
    assert key not in shown
    assert "abc...ABCD" in shown
    if not extra:
        assert out == b"" and NOT_APPLICABLE.findall(err) == ["k.ipynb"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_paths_given_absolute_or_outside_the_current_directory(tmp_path: Path) -> None:
    """git apply and patch refuse absolute paths and `..`: a file named by its
    absolute path below the current directory gets a relative header; a file
    outside it cannot be named by a patch, so it is left out and named on stderr."""
    src = tmp_path / "proj"
    (src / "sub").mkdir(parents=True)
    body = "from openai import OpenAI\nc = OpenAI()\n"
    (src / "app.py").write_text(body)
    (src / "sub" / "b.py").write_text(body)
    code, patch, err = _invoke(["migrate", "--diff", str(src / "app.py")], src)
    assert code == 0, err
    assert patch.startswith(b"--- a/app.py\n+++ b/app.py\n")
    target = tmp_path / "target"
    shutil.copytree(src, target)
    _apply("git", patch, target)
    assert "openrouter.ai" in (target / "app.py").read_text()

    code, patch, err = _invoke(["migrate", "--diff", "../app.py", "b.py"], src / "sub")
    assert code == 0, err
    assert patch.startswith(b"--- a/b.py\n") and b"app.py" not in patch
    assert NOT_APPLICABLE.findall(err) == ["../app.py"]
    assert "outside the current directory" in err
    assert "+c = OpenAI(base_url=" in err  # shown for review


@pytest.mark.parametrize("tool", ["git", "patch"])
def test_a_hard_linked_file_is_left_out_of_the_patch_as_migrate_leaves_it(
    tool: str, tmp_path: Path
) -> None:
    """``migrate`` refuses a file with several hard links (an atomic replace
    would leave the other names with the old content). ``--diff`` put it in
    the patch, exit 0, and `git apply`/`patch` then rewrote it, breaking the
    link: the patch did not do what ``migrate`` does. It is now named as
    ``migrate`` names it (exit 2), and the files whose fixes were decided
    with it stay out of the patch too."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "pyproject.toml").write_text("")
    (tree / "clients.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    os.link(tree / "clients.py", tmp_path / "other-name.py")
    (tree / "app.py").write_text(
        'from clients import client\nclient.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    (tree / "plain.py").write_text(
        "from openai import OpenAI\nc = OpenAI()\n"
        'c.chat.completions.create(model="gpt-4o-mini", messages=[])\n'
    )
    code, patch, err = _invoke(["migrate", "--diff", "."], tree)
    assert code == 2, err
    assert re.search(r"^error: clients\.py: has 2 hard links", err, re.M), err
    assert re.search(r"^note: app\.py: not in the patch: .*clients\.py", err, re.M), err
    assert b"clients.py" not in patch and b"app.py" not in patch
    assert b"+++ b/plain.py" in patch
    _apply(tool, patch, tree)
    # what the patch did is what `migrate` does on a copy: the linked file
    # and its unit untouched, one file under both names
    assert (tree / "clients.py").read_text() == "from openai import OpenAI\nclient = OpenAI()\n"
    assert os.stat(tree / "clients.py").st_ino == os.stat(tmp_path / "other-name.py").st_ino
    assert 'model="gpt-4o"' in (tree / "app.py").read_text()
    assert "openrouter.ai" in (tree / "plain.py").read_text()
