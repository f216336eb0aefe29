from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from codemods.core import writer
from codemods.core.writer import ReadError, WriteError, git_dirty_files, read_source, write_atomic


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


# -- read_source ---------------------------------------------------------------


def test_read_source_returns_exact_bytes(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfimport openai\r\nx = 1\r\n"
    (tmp_path / "a.py").write_bytes(data)
    assert read_source(tmp_path / "a.py") == data


def test_read_source_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(ReadError) as exc:
        read_source(tmp_path / "missing.py")
    assert str(exc.value) == f"{tmp_path / 'missing.py'}: cannot read: no such file or directory"
    (tmp_path / "d.py").mkdir()
    with pytest.raises(ReadError, match="is a directory"):
        read_source(tmp_path / "d.py")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read anything"
)
def test_read_source_permission_denied(tmp_path: Path) -> None:
    p = tmp_path / "secret.py"
    p.write_text("x = 1\n")
    p.chmod(0)
    with pytest.raises(ReadError, match="permission denied"):
        read_source(p)


def test_read_source_permission_denied_simulated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def deny(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("builtins.open", deny)
    with pytest.raises(ReadError, match="secret.py: cannot read: permission denied"):
        read_source(tmp_path / "secret.py")


# -- write_atomic ----------------------------------------------------------------


def test_write_replaces_content_keeps_mode_and_crlf(tmp_path: Path) -> None:
    p = tmp_path / "tool.py"
    old = b"#!/usr/bin/env python\r\nclient = OpenAI()\r\nx = 1\r\n"
    p.write_bytes(old)
    p.chmod(0o755)
    new = old.replace(b"OpenAI()", b"OpenAI(base_url='https://openrouter.ai/api/v1')")
    write_atomic(p, new, expected_old=old)
    assert p.read_bytes() == new
    assert p.read_bytes().count(b"\r\n") == 3
    assert stat.S_IMODE(p.stat().st_mode) == 0o755
    assert leftovers(tmp_path) == []


def test_write_keeps_unusual_mode(tmp_path: Path) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"a")
    p.chmod(0o640)
    write_atomic(p, b"b", expected_old=b"a")
    assert stat.S_IMODE(p.stat().st_mode) == 0o640


def test_write_refuses_when_changed_on_disk(tmp_path: Path) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"edited by someone else\n")
    with pytest.raises(WriteError) as exc:
        write_atomic(p, b"new\n", expected_old=b"what we read\n")
    assert str(exc.value) == f"{p}: changed on disk since it was read; skipped"
    assert p.read_bytes() == b"edited by someone else\n"
    assert leftovers(tmp_path) == []


def test_write_refuses_when_file_vanished(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="gone.py"):
        write_atomic(tmp_path / "gone.py", b"new", expected_old=b"old")
    assert list(tmp_path.iterdir()) == []


def test_failed_replace_leaves_original_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"old\n")

    def boom(src, dst):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer.os, "replace", boom)
    with pytest.raises(WriteError) as exc:
        write_atomic(p, b"new\n", expected_old=b"old\n")
    assert str(exc.value) == f"{p}: cannot write: no space left on device"
    assert p.read_bytes() == b"old\n"
    assert leftovers(tmp_path) == []
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.py"]


def test_keyboard_interrupt_before_replace_removes_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"old\n")

    def interrupted(fd):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(writer.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(p, b"new\n", expected_old=b"old\n")
    assert p.read_bytes() == b"old\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.py"]


def test_temp_file_is_created_next_to_target_with_dot_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"old")
    seen: list[tuple[str, str]] = []
    real_replace = os.replace

    def spy(src, dst):  # type: ignore[no-untyped-def]
        seen.append((os.fspath(src), os.fspath(dst)))
        assert Path(src).read_bytes() == b"new"
        real_replace(src, dst)

    monkeypatch.setattr(writer.os, "replace", spy)
    write_atomic(p, b"new", expected_old=b"old")
    (src, dst) = seen[0]
    assert Path(src).parent == tmp_path.resolve()
    assert Path(src).name.startswith(".a.py.") and src.endswith(".tmp")
    assert dst == str(p.resolve())


def test_write_through_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real" / "a.py"
    real.parent.mkdir()
    real.write_bytes(b"old\n")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    write_atomic(link, b"new\n", expected_old=b"old\n")
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert real.read_bytes() == b"new\n"
    assert leftovers(tmp_path) == [] and leftovers(real.parent) == []


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write anything"
)
def test_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"old")
    p.chmod(0o444)
    with pytest.raises(WriteError, match="read-only"):
        write_atomic(p, b"new", expected_old=b"old")
    assert p.read_bytes() == b"old"


def test_read_only_file_is_not_replaced_simulated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"old")
    monkeypatch.setattr(writer.os, "access", lambda path, mode: False)
    with pytest.raises(WriteError, match="a.py: file is read-only; skipped"):
        write_atomic(p, b"new", expected_old=b"old")
    assert p.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_write_error_is_an_exception_with_path_and_reason(tmp_path: Path) -> None:
    err = WriteError(tmp_path / "x.py", "why")
    assert err.path == str(tmp_path / "x.py") and err.reason == "why"
    assert isinstance(err, Exception)


# -- git_dirty_files ---------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def git(repo: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        env=env,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q")
    for name in ("clean.py", "modified.py", "staged.py", "renamed.py", "sub/deep.py"):
        (r / name).parent.mkdir(parents=True, exist_ok=True)
        (r / name).write_text(f"# {name}\n")
    (r / ".gitignore").write_text("ignored.py\n")
    git(r, "add", ".")
    git(r, "commit", "-q", "-m", "init")
    (r / "modified.py").write_text("changed\n")
    (r / "staged.py").write_text("changed\n")
    git(r, "add", "staged.py")
    git(r, "mv", "renamed.py", "new name.py")
    (r / "untracked.py").write_text("new\n")
    (r / "newdir").mkdir()
    (r / "newdir" / "u.py").write_text("new\n")
    (r / "ignored.py").write_text("ignored\n")
    return r


@needs_git
def test_git_dirty_files(repo: Path) -> None:
    dirty = git_dirty_files([repo / "clean.py", repo / "ignored.py"])
    assert dirty is not None
    r = repo.resolve()
    assert r / "modified.py" in dirty
    assert r / "staged.py" in dirty
    assert r / "new name.py" in dirty  # a staged rename, path with a space
    assert r / "untracked.py" in dirty
    assert r / "newdir" / "u.py" in dirty  # inside an untracked directory
    assert r / "ignored.py" in dirty  # given, and git could not restore it
    assert r / "clean.py" not in dirty
    assert r / "sub" / "deep.py" not in dirty
    assert all(p.is_absolute() for p in dirty)


@needs_git
def test_git_dirty_files_ignores_hook_environment(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q")
    # as set while git runs a hook in another repository
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    dirty = git_dirty_files([repo / "clean.py"])
    assert dirty is not None and repo.resolve() / "modified.py" in dirty


@needs_git
def test_git_dirty_files_through_symlink_and_subdir(repo: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(repo, target_is_directory=True)
    dirty = git_dirty_files([link / "sub"])
    assert dirty is not None and repo.resolve() / "modified.py" in dirty


def test_git_dirty_files_outside_repo_is_clean(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x\n")
    assert git_dirty_files([tmp_path / "a.py"]) == set()


def test_git_dirty_files_without_git_cannot_tell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "a.py").write_text("x\n")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert git_dirty_files([tmp_path / "a.py"]) is None


@needs_git
def test_git_dirty_files_broken_repo_cannot_tell(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # not a real repository: git status fails
    (tmp_path / "a.py").write_text("x\n")
    assert git_dirty_files([tmp_path / "a.py"]) is None


def test_parse_status_handles_renames_and_nul_separated_paths() -> None:
    out = b" M a.py\0R  new.py\0old.py\0?? dir/with space.py\0A  b\nc.py\0"
    assert writer._parse_status(out) == ["a.py", "new.py", "old.py", "dir/with space.py", "b\nc.py"]


@pytest.mark.skipif(not hasattr(os, "link"), reason="hard links")
def test_write_refuses_a_file_with_several_hard_links(tmp_path: Path) -> None:
    p = tmp_path / "a.py"
    p.write_bytes(b"old\n")
    os.link(p, tmp_path / "b.py")
    with pytest.raises(WriteError) as exc:
        write_atomic(p, b"new\n", expected_old=b"old\n")
    assert exc.value.path == str(p)
    assert "2 hard links" in exc.value.reason
    assert p.read_bytes() == b"old\n" and (tmp_path / "b.py").read_bytes() == b"old\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.py", "b.py"]
