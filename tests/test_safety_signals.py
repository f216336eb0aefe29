"""Interrupting ``migrate`` (Ctrl-C, SIGTERM) leaves every file fully old or
fully new, and no temporary file behind.

The end-to-end test runs the real CLI in a subprocess on a tree of many files
and signals it at random moments: no test-only code path in the tool.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codemods import writer
from codemods.writer import write_atomic
from tests.conftest import ROOT, tree_bytes

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")

TEMPLATE = '''"""Module {i}."""
from openai import OpenAI

client = OpenAI(
    organization="org-{i}",  # dropped by the migration
    timeout={i},
)


def ask_{i}(question: str) -> str:
    response = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{{"role": "user", "content": question}}],
    )
    return response.choices[0].message.content or ""
{padding}'''


def _make_tree(root: Path, n: int) -> None:
    for i in range(n):
        d = root / f"pkg{i % 10}"
        d.mkdir(parents=True, exist_ok=True)
        padding = "".join(f"\nCONSTANT_{j} = {j!r}\n" for j in range(i % 40))
        (d / f"mod{i}.py").write_text(TEMPLATE.format(i=i, padding=padding))


def _cli(cwd: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "codemods", "migrate", "-q", "."],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict, float]:
    base = tmp_path_factory.mktemp("signals")
    original = base / "original"
    _make_tree(original, 300)
    migrated = base / "migrated"
    shutil.copytree(original, migrated)
    start = time.monotonic()
    proc = _cli(migrated)
    _, err = proc.communicate(timeout=600)
    elapsed = time.monotonic() - start
    assert proc.returncode == 0, err.decode()
    old, new = tree_bytes(original), tree_bytes(migrated)
    assert all(old[k] != new[k] for k in old)
    return original, old, new, elapsed


@pytest.mark.parametrize(
    "signum, code",
    [(signal.SIGINT, 130)] * 4 + [(signal.SIGTERM, 143)] * 3,
    ids=[f"SIGINT-{i}" for i in range(4)] + [f"SIGTERM-{i}" for i in range(3)],
)
def test_signal_at_a_random_moment_leaves_every_file_old_or_new(
    trees: tuple[Path, dict, dict, float], tmp_path: Path, signum: int, code: int
) -> None:
    original, old, new, elapsed = trees
    work = tmp_path / "work"
    shutil.copytree(original, work)
    rng = random.Random()
    proc = _cli(work)
    # not during the first moments: a Ctrl-C while Python imports the tool
    # ends it with Python's own KeyboardInterrupt (nothing is written yet)
    delay = rng.uniform(max(0.5, elapsed * 0.1), elapsed * 0.9)
    time.sleep(delay)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=600)
    stderr = err.decode()
    if proc.returncode != -signum:
        assert "Traceback" not in stderr
    now = tree_bytes(work)
    assert set(now) == set(old), "files appeared or vanished (temp files?)"
    done = [k for k in now if now[k] == new[k]]
    for k, data in now.items():
        assert data in (old[k], new[k]), f"{k} is neither the original nor the migrated file"
    if proc.returncode == 0:  # the run finished before the signal arrived
        assert len(done) == len(old)
    elif proc.returncode == -signum:
        # the signal came while Python was still starting, before the CLI
        # installed its handlers: nothing can have been written yet
        assert done == []
    else:
        assert proc.returncode == code, stderr
        assert "interrupted" in stderr
    print(f"signal {signum} after {delay:.2f}s of ~{elapsed:.2f}s: {len(done)}/{len(old)} migrated")


# -- in-process: a signal in the middle of a write is held until it completes -----


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_a_write_is_delivered_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:
    from codemods.cli import Terminated, _raise_terminated

    p = tmp_path / "a.py"
    p.write_bytes(b"old\n")
    real_fsync = os.fsync
    sent: list[int] = []

    def fsync_and_get_signalled(fd: int) -> None:
        real_fsync(fd)
        if not sent:
            sent.append(signum)
            os.kill(os.getpid(), signum)  # between temp write and replace

    monkeypatch.setattr(writer.os, "fsync", fsync_and_get_signalled)
    old_term = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        with pytest.raises(KeyboardInterrupt) as exc:
            write_atomic(p, b"new\n", expected_old=b"old\n")
    finally:
        signal.signal(signal.SIGTERM, old_term)
    assert sent == [signum]
    assert isinstance(exc.value, Terminated) == (signum == signal.SIGTERM)
    assert p.read_bytes() == b"new\n"  # the write completed
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.py"]  # no temp file
    # the handlers are restored
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_interrupt_raised_inside_the_write_still_removes_the_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Off the main thread no handler can be installed: the ``finally`` cleans up."""
    p = tmp_path / "a.py"
    p.write_bytes(b"old\n")

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(writer.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(p, b"new\n", expected_old=b"old\n")
    assert p.read_bytes() == b"old\n"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["a.py"]
