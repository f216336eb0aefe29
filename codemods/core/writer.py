"""The one place that reads and writes the user's files.

``write_atomic`` never leaves a half-written file or a stray temp file:
the new content goes to a temp file next to the target, is fsynced, gets the
original's mode bits (and owner, when allowed), and replaces the original
with ``os.replace`` (atomic on POSIX and Windows). It refuses to write when
the file changed on disk since it was read. A symlink is written through (the
link stays a link). Replacing gives the file a new inode, so hard links to
the old file keep the old content, and extended attributes/ACLs are not
copied: the same trade-off black, ruff and most editors make.

``git_dirty_files`` tells which files have changes git could not restore, so
the CLI can refuse (or warn) before editing them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Union

__all__ = [
    "FileIOError",
    "check_write",
    "ReadError",
    "WriteError",
    "git_dirty_files",
    "read_source",
    "write_atomic",
]

PathLike = Union[str, "os.PathLike[str]"]


class FileIOError(Exception):
    """Reading or writing a user file failed. ``str()`` names the file and why."""

    def __init__(self, path: PathLike, reason: str) -> None:
        self.path = os.fspath(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class ReadError(FileIOError):
    """A file could not be read."""


class WriteError(FileIOError):
    """A file could not be written (it is left as it was)."""


def _reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory"
    if isinstance(exc, NotADirectoryError):
        return "not a directory"
    return (exc.strerror or str(exc)).lower()


def read_source(path: PathLike) -> bytes:
    """The file's bytes, or :class:`ReadError` with a clear reason."""
    try:
        # opening a directory raises IsADirectoryError (PermissionError on
        # Windows): no stat of every file first
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise ReadError(path, f"cannot read: {_reason(exc)}") from exc


def _fsync_dir(directory: str) -> None:
    """Make the rename durable (best effort; not possible on Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_DEFERRED_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C / SIGTERM / SIGHUP until the block is done, then deliver
    them to the handler that was installed before. A signal between creating
    the temp file and replacing the target therefore cannot leave a temp file
    behind (Python runs handlers between any two bytecodes, ``finally`` blocks
    included). Only the main thread can install handlers; elsewhere the
    ``finally`` cleanup in :func:`write_atomic` is the guard."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous: dict[int, object] = {}

    def hold(signum: int, frame: object) -> None:
        pending.append(signum)

    try:
        for sig in _DEFERRED_SIGNALS:
            try:
                previous[sig] = signal.signal(sig, hold)
            except (ValueError, OSError):  # pragma: no cover
                pass
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        if pending:
            sig = pending[0]
            handler = previous.get(sig)
            if callable(handler):
                handler(sig, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(sig)


def check_write(path: PathLike, *, expected_old: bytes) -> os.stat_result:
    """What :func:`write_atomic` checks before it writes: raises
    :class:`WriteError` if ``path`` no longer holds ``expected_old``, is
    read-only or has other hard links; else its ``stat``. (The CLI checks
    every file of a migration unit before writing any of them.)"""
    display = os.fspath(path)
    target = os.path.realpath(display)  # write through symlinks
    try:
        with open(target, "rb") as fh:
            current = fh.read()
    except OSError as exc:
        raise WriteError(display, f"cannot read back before writing: {_reason(exc)}") from exc
    if current != expected_old:
        raise WriteError(display, "changed on disk since it was read; skipped")
    try:
        st = os.stat(target)
    except OSError as exc:  # pragma: no cover - it was just read
        raise WriteError(display, f"cannot stat: {_reason(exc)}") from exc
    if not os.access(target, os.W_OK):
        raise WriteError(display, "file is read-only; skipped")
    if st.st_nlink > 1:
        # An atomic replace gives the path a new inode: the other names would
        # keep the old content. Writing in place would keep the link but not
        # atomicity (a crash mid-write leaves a truncated file): refuse.
        raise WriteError(
            display,
            f"has {st.st_nlink} hard links; not written (replacing it atomically would "
            "leave the other links with the old content; break the link first, "
            "e.g. `cp FILE FILE.tmp && mv FILE.tmp FILE`)",
        )
    return st


def write_atomic(path: PathLike, new: bytes, *, expected_old: bytes) -> None:
    """Replace the content of ``path`` with ``new``, atomically.

    Raises :class:`WriteError` (and leaves the file untouched) if the file no
    longer holds ``expected_old``, is read-only, or cannot be replaced.
    """
    display = os.fspath(path)
    target = os.path.realpath(display)  # write through symlinks
    st = check_write(path, expected_old=expected_old)
    directory, name = os.path.split(target)
    import tempfile  # (not on the path of a run that writes nothing)

    with _signals_deferred():
        tmp: str | None = None
        replaced = False
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
            with os.fdopen(fd, "wb") as fh:
                fh.write(new)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
            if hasattr(os, "chown"):
                try:
                    tmp_st = os.stat(tmp)
                    if (tmp_st.st_uid, tmp_st.st_gid) != (st.st_uid, st.st_gid):
                        os.chown(tmp, st.st_uid, st.st_gid)
                        # chown may clear setuid/setgid bits: set the mode again.
                        os.chmod(tmp, stat.S_IMODE(st.st_mode))
                except OSError:
                    pass  # not allowed to give the file away: keep ours
            os.replace(tmp, target)
            replaced = True
        except OSError as exc:
            raise WriteError(display, f"cannot write: {_reason(exc)}") from exc
        finally:
            if tmp is not None and not replaced:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
    _fsync_dir(directory or ".")


# --------------------------------------------------------------------------
# git


# Variables that would point git at another repository than the one we ask
# about (they are set while git runs hooks).
_GIT_LOCATION_VARS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
)


def _repo_root(path: str) -> str | None:
    from codemods.core.discovery import find_repo_root

    return find_repo_root(path if os.path.isdir(path) else os.path.dirname(path))


def _run_git(git: str, root: str, args: list[str]) -> bytes | None:
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION_VARS}
    env["GIT_OPTIONAL_LOCKS"] = "0"  # a status must not write the index
    # Never let git look above ``root`` for a repository (it would if ``root``
    # held a broken ".git").
    env["GIT_CEILING_DIRECTORIES"] = os.path.dirname(root)
    try:
        proc = subprocess.run(
            [git, *args],
            cwd=root,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout


def _parse_status(out: bytes) -> list[str]:
    """Paths from ``git status --porcelain=v1 -z`` output (repo-relative)."""
    fields = out.split(b"\0")
    paths: list[str] = []
    i = 0
    while i < len(fields):
        entry = fields[i]
        i += 1
        if len(entry) < 4:
            continue
        xy, rel = entry[:2], entry[3:]
        paths.append(os.fsdecode(rel))
        if b"R" in xy or b"C" in xy:  # followed by the original path
            if i < len(fields) and fields[i]:
                paths.append(os.fsdecode(fields[i]))
            i += 1
    return paths


def git_dirty_files(paths: Sequence[PathLike]) -> set[Path] | None:
    """Resolved paths, in the git repositories holding ``paths``, that git
    could not restore: modified, staged, and untracked files (a file git does
    not track cannot be recovered by git, so it counts as dirty; this also
    covers a given file that is ignored). Paths outside any git repository
    are not dirty. Returns ``None`` when it cannot tell (git missing or
    failing on one of the repositories).
    """
    by_repo: dict[str, list[str]] = {}
    for p in paths:
        real = os.path.realpath(os.fspath(p))
        root = _repo_root(real)
        if root is not None:
            by_repo.setdefault(root, []).append(real)
    dirty: set[Path] = set()
    if not by_repo:
        return dirty
    import shutil

    git = shutil.which("git")
    if git is None:
        return None
    for root, members in by_repo.items():
        out = _run_git(git, root, ["status", "--porcelain=v1", "-z", "--untracked-files=all"])
        if out is None:
            return None
        for rel in _parse_status(out):
            dirty.add(Path(os.path.realpath(os.path.join(root, rel))))
        # Given files that are neither tracked nor listed: ignored files.
        files = [m for m in members if os.path.isfile(m) and Path(m) not in dirty]
        if files:
            tracked_out = _run_git(git, root, ["ls-files", "-z", "--full-name"])
            if tracked_out is None:
                return None
            tracked = {
                os.path.realpath(os.path.join(root, os.fsdecode(t)))
                for t in tracked_out.split(b"\0")
                if t
            }
            dirty.update(Path(m) for m in files if m not in tracked)
    return dirty
