"""What ``migrate`` promises about the bytes it writes, and about when it writes.

Each test names the guarantee it enforces (README: "What the tool promises").
"""

from __future__ import annotations

import difflib
import io
import os
import shutil
import stat
import subprocess
import tokenize
from pathlib import Path

import libcst as cst
import pytest

from tests.conftest import FIXTURES, run_cli, tree_bytes, tree_state

CLIENT_SRC = (
    "from openai import OpenAI\n"
    "\n"
    "client = OpenAI(\n"
    '    organization="org-1",  # to be removed\n'
    "    timeout=30,\n"
    ")\n"
    'r = client.chat.completions.create(model="gpt-4o", messages=[])\n'
    "print(r)\n"
)


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _ending(line: bytes) -> bytes:
    if line.endswith(b"\r\n"):
        return b"\r\n"
    if line.endswith((b"\n", b"\r")):
        return line[-1:]
    return b""


def _encoding(data: bytes) -> str:
    return tokenize.detect_encoding(io.BytesIO(data).readline)[0]


def assert_bytes_kept(old: bytes, new: bytes) -> None:
    """The properties of a file that migration must never change."""
    assert new != old
    # encoding: same codec, BOM iff BOM, cookie line untouched
    assert _encoding(new) == _encoding(old)
    assert new.startswith(b"\xef\xbb\xbf") == old.startswith(b"\xef\xbb\xbf")
    assert new.count(b"\xef\xbb\xbf") == old.count(b"\xef\xbb\xbf")
    new.decode(_encoding(old))  # still valid in its declared encoding
    old_lines, new_lines = _lines(old), _lines(new)
    for i in (0, 1):  # PEP 263: a cookie lives on line 1 or 2
        if i < len(old_lines) and b"coding" in old_lines[i]:
            assert new_lines[i] == old_lines[i]
    # final newline: present iff it was
    assert bool(_ending(new_lines[-1])) == bool(_ending(old_lines[-1]))
    # newline style: unchanged lines keep their own ending; in a file with one
    # style, every line (new ones too) uses it
    sm = difflib.SequenceMatcher(
        a=[x.rstrip(b"\r\n") for x in old_lines],
        b=[x.rstrip(b"\r\n") for x in new_lines],
        autojunk=False,
    )
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            for a, b in zip(old_lines[i1:i2], new_lines[j1:j2]):
                if a is not old_lines[-1]:
                    assert _ending(a) == _ending(b), (a, b)
    styles = {_ending(x) for x in old_lines[:-1]} | ({_ending(old_lines[-1])} - {b""})
    if len(styles) == 1:
        (style,) = styles
        for line in new_lines[:-1]:
            assert _ending(line) == style, line
    # it is still Python
    cst.parse_module(new)
    compile(new, "<migrated>", "exec", dont_inherit=True)


# -- encodings, newlines, final newline, mode -----------------------------------

NEWLINES = {"lf": "\n", "crlf": "\r\n"}
ENCODINGS = ["utf-8", "utf-8-bom", "latin-1-cookie", "cp1252-cookie-line2"]


def _make(encoding: str, newline: str, final: bool) -> bytes:
    text = CLIENT_SRC.replace('"org-1"', '"org-é"').replace("print(r)", 'print(r, "naïve «»")')
    if encoding in ("latin-1-cookie", "cp1252-cookie-line2"):
        cookie = "# -*- coding: latin-1 -*-\n"
        if encoding == "cp1252-cookie-line2":
            cookie = "#!/usr/bin/env python\n# vim: set fileencoding=cp1252 :\n"
        text = cookie + text
    if newline == "mixed":
        lines = text.splitlines()
        text = "".join(line + ("\r\n" if i % 2 else "\n") for i, line in enumerate(lines))
    else:
        text = text.replace("\n", NEWLINES[newline])
    if not final:
        text = text.rstrip("\r\n")
    codec = {"utf-8": "utf-8", "utf-8-bom": "utf-8-sig"}.get(encoding, "latin-1")
    return text.encode(codec)


@pytest.mark.parametrize("final", [True, False], ids=["final-newline", "no-final-newline"])
@pytest.mark.parametrize("newline", ["lf", "crlf", "mixed"])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_migrate_keeps_encoding_newlines_final_newline_and_mode(
    tmp_path: Path, encoding: str, newline: str, final: bool
) -> None:
    old = _make(encoding, newline, final)
    p = tmp_path / "app.py"
    p.write_bytes(old)
    p.chmod(0o751)
    code, out, err = run_cli(["migrate", "-q", str(p)])
    assert code == 0, err
    new = p.read_bytes()
    assert_bytes_kept(old, new)
    assert b"openrouter.ai" in new and b"org-" not in new
    assert "naïve «»".encode(_encoding(old) if _encoding(old) != "utf-8-sig" else "utf-8") in new
    assert stat.S_IMODE(p.stat().st_mode) == 0o751
    assert sorted(x.name for x in tmp_path.iterdir()) == ["app.py"]  # no temp files
    # idempotent: a second run changes nothing
    before = p.read_bytes()
    assert run_cli(["migrate", "-q", str(p)])[0] == 0
    assert p.read_bytes() == before


def test_encodings_fixture_keeps_every_byte_property(fixture_copy) -> None:
    repo = fixture_copy("encodings")
    before = tree_bytes(repo)
    modes = {n: stat.S_IMODE((repo / n).stat().st_mode) for n in before}
    code, _, err = run_cli(["migrate", "-q", "."], cwd=repo)
    assert code == 0, err
    after = tree_bytes(repo)
    changed = [n for n in before if after[n] != before[n]]
    assert len(changed) >= 6, changed
    for name in changed:
        assert_bytes_kept(before[name], after[name])
        assert stat.S_IMODE((repo / name).stat().st_mode) == modes[name]
    assert modes["run_bot.py"] == 0o755


# -- written only if it parses; only if unchanged since read --------------------


def test_not_written_when_the_new_source_would_not_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codemods.python.rules import client

    p = tmp_path / "app.py"
    p.write_text(CLIENT_SRC)
    other = tmp_path / "other.py"
    other.write_text(
        "import os\nimport openai\n"
        'c = openai.OpenAI(base_url="https://api.openai.com/v1",\n'
        '    api_key=os.environ["OPENAI_API_KEY"])\n'
    )

    def broken_kwarg(name: str, value: cst.BaseExpression) -> cst.Arg:
        keyword = cst.Name(name)
        object.__setattr__(keyword, "value", name + " oops")  # past LibCST's validation
        return cst.Arg(keyword=keyword, value=value)

    monkeypatch.setattr(client, "keyword_arg", broken_kwarg)
    code, _, err = run_cli(["migrate", str(tmp_path)])
    assert code == 2
    assert f"{p}: internal error: the migrated source does not parse" in err
    assert p.read_text() == CLIENT_SRC
    assert "openrouter.ai" in other.read_text()  # the other file is still processed


def test_not_written_when_libcst_accepts_but_python_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """LibCST parses ``f(a=1, a=2)``; Python refuses it. The compile check catches it."""
    from codemods.python.rules import client

    p = tmp_path / "app.py"
    p.write_text(CLIENT_SRC)
    from codemods.python.rules._edit import keyword_arg

    monkeypatch.setattr(client, "keyword_arg", lambda name, value: keyword_arg("timeout", value))
    code, _, err = run_cli(["migrate", str(p)])
    assert code == 2
    assert "does not compile (keyword argument repeated" in err
    assert p.read_text() == CLIENT_SRC


def test_not_written_when_the_file_changed_after_it_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text(CLIENT_SRC)
    b.write_text(CLIENT_SRC)
    from codemods.python import engine

    real = engine.analyze_source
    edited = CLIENT_SRC + "# the user typed this meanwhile\n"

    def process_then_someone_edits(path, data, config, **kw):  # type: ignore[no-untyped-def]
        result = real(path, data, config, **kw)
        if path.endswith("a.py"):
            a.write_text(edited)
        return result

    monkeypatch.setattr(engine, "analyze_source", process_then_someone_edits)
    code, _, err = run_cli(["migrate", "--jobs", "1", str(tmp_path)])
    assert code == 2
    assert f"{a}: changed on disk since it was read; skipped" in err
    assert a.read_text() == edited  # the user's edit wins
    assert "openrouter.ai" in b.read_text()
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.py", "b.py"]


# -- git: dirty files are refused unless --allow-dirty ---------------------------


def _git(repo: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(repo),
    )
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_migrate_refuses_dirty_files_in_git_unless_allow_dirty(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    for name in ("clean.py", "modified.py", "staged.py"):
        (repo / name).write_text(CLIENT_SRC)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "init")
    (repo / "modified.py").write_text(CLIENT_SRC + "x = 1\n")
    (repo / "staged.py").write_text(CLIENT_SRC + "y = 2\n")
    _git(repo, "add", "staged.py")
    (repo / "untracked.py").write_text(CLIENT_SRC)
    dirty = {n: (repo / n).read_bytes() for n in ("modified.py", "staged.py", "untracked.py")}

    code, _, err = run_cli(["migrate", "."], cwd=repo)
    assert code == 2
    for name in dirty:
        assert f"{name}: has uncommitted changes: not written" in err
        assert (repo / name).read_bytes() == dirty[name]
    assert "openrouter.ai" in (repo / "clean.py").read_text()

    code, _, err = run_cli(["migrate", "--allow-dirty", "."], cwd=repo)
    assert code == 0, err
    for name in dirty:
        assert "openrouter.ai" in (repo / name).read_text()


def test_migrate_writes_outside_git(tmp_path: Path) -> None:
    p = tmp_path / "app.py"
    p.write_text(CLIENT_SRC)
    assert not any((d / ".git").exists() for d in [tmp_path, *tmp_path.parents])
    code, _, err = run_cli(["migrate", str(p)])
    assert code == 0, err
    assert "openrouter.ai" in p.read_text()


# -- --diff and check never write -------------------------------------------------

ALL_FIXTURES = sorted(d.name for d in FIXTURES.iterdir() if d.is_dir())


@pytest.mark.parametrize("command", [["migrate", "--diff"], ["check"]], ids=["diff", "check"])
@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_diff_and_check_never_write(fixture_copy, name: str, command: list[str]) -> None:
    repo = fixture_copy(name)
    before = tree_state(repo)
    code, out, err = run_cli([*command, "."], cwd=repo)
    assert code in (0, 1, 2), err
    assert "Traceback" not in err
    assert tree_state(repo) == before  # bytes, mtimes and modes, directories too


# -- symlinks ---------------------------------------------------------------------


def test_symlinks_out_of_the_tree_are_not_followed_and_files_are_processed_once(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "lib.py").write_text(CLIENT_SRC)
    tree = tmp_path / "tree"
    (tree / "pkg").mkdir(parents=True)
    (tree / "pkg" / "app.py").write_text(CLIENT_SRC)
    (tree / "alias.py").symlink_to(tree / "pkg" / "app.py")  # same file, twice
    (tree / "pkg2").symlink_to(tree / "pkg")  # same directory, twice
    (tree / "ext.py").symlink_to(outside / "lib.py")  # out of the tree
    (tree / "extdir").symlink_to(outside)
    code, out, err = run_cli(["migrate", "."], cwd=tree)
    assert code == 0, err
    assert (outside / "lib.py").read_text() == CLIENT_SRC
    assert err.count("fixed ") == 1, err
    assert "Migrated 1 file" in err
    assert "openrouter.ai" in (tree / "pkg" / "app.py").read_text()
    assert (tree / "alias.py").is_symlink() and (tree / "pkg2").is_symlink()
    # check reports the file once, too
    code, out, err = run_cli(["check", "."], cwd=tree)
    assert code == 0 and out == ""


# -- hard links -------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "link"), reason="hard links")
def test_hard_linked_file_is_refused_and_both_links_keep_one_content(tmp_path: Path) -> None:
    """An atomic replace gives the path a new inode: the file's other names
    would keep the old content. ``migrate`` refuses such a file with an
    error naming it (exit 2), writes the other files, and the links stay one
    file with one content."""
    tree = tmp_path / "tree"
    tree.mkdir()
    linked = tree / "linked.py"
    linked.write_text(CLIENT_SRC)
    other = tmp_path / "elsewhere.py"  # the second name, outside the tree
    os.link(linked, other)
    plain = tree / "plain.py"
    plain.write_text(CLIENT_SRC)
    code, out, err = run_cli(["migrate", "."], cwd=tree)
    assert code == 2, err
    assert "linked.py" in err and "hard link" in err, err
    assert "Traceback" not in err
    assert linked.read_text() == CLIENT_SRC and other.read_text() == CLIENT_SRC
    assert os.stat(linked).st_ino == os.stat(other).st_ino  # still one file
    assert os.stat(linked).st_nlink == 2
    assert "openrouter.ai" in plain.read_text()  # the others are still written
    assert sorted(p.name for p in tree.iterdir()) == ["linked.py", "plain.py"]  # no temp file
    # once the link is broken on purpose, the file migrates
    other.unlink()
    code, out, err = run_cli(["migrate", "."], cwd=tree)
    assert code == 0, err
    assert "openrouter.ai" in linked.read_text()
