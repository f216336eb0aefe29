"""Interrupting ``migrate`` (Ctrl-C, SIGTERM) leaves every file fully old or
fully new, and no temporary file behind.

The end-to-end test runs the real CLI in a subprocess on a tree of many files
and signals it at random moments: no test-only code path in the tool.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from codemods.core import writer
from codemods.core.writer import write_atomic
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


# -- any number of signals, to the process or its whole group, with workers --------
#
# A terminal's Ctrl-C goes to the whole foreground process group: the CLI and
# its worker processes. Each case runs the real CLI in its own session (so the
# test can signal the group as a terminal does, and kill whatever is left if
# the CLI hangs), waits until the CLI handles signals, then sends one or more
# signals, a few ms apart, at a random moment. Whatever happens, the run must
# end within seconds, with 130/143, no traceback, every worker reaped, no temp
# file, and every file old or new.

HAS_PROC = Path("/proc/self/status").exists()
#: a run must end this soon after the first signal (a loaded 2-core machine)
MUST_END_WITHIN = 15.0


def _handles(pid: int, signum: int) -> bool:
    """Whether the process has a handler for ``signum`` (Linux: SigCgt)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    return False


def _live_in_group(pgid: int) -> list[str]:
    """Processes of the process group that are still alive (not zombies)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            out.append(f"{entry} {stat.split(' ', 1)[1][:60]}")
    return out


def _start(
    args: list[str],
    cwd: Path,
    out: Path,
    start_method: str | None = None,
    cache_home: Path | None = None,
) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENROUTER_MIGRATE_NO_CACHE="1")
    env.pop("CI", None)
    if cache_home is not None:  # the tree has no project root: the user cache dir
        del env["OPENROUTER_MIGRATE_NO_CACHE"]
        env["XDG_CACHE_HOME"] = str(cache_home)
    if start_method is None:  # the platform's default
        launch = ["-m", "codemods"]
    else:  # the CLI, its workers started another way (macOS, Python 3.14's default...)
        launch = [
            "-c",
            "import codemods.core.runner as r; "
            f"r.MP_START_METHOD = {start_method!r}; "
            "from codemods.cli import main; main()",
        ]
    return subprocess.Popen(
        [sys.executable, *launch, *args, "."],
        cwd=cwd,
        env=env,
        stdout=(out / "stdout").open("wb"),
        stderr=(out / "stderr").open("wb"),
        start_new_session=True,  # its own process group, as a terminal's job
    )


CASES = [
    # command, jobs, signal, how many, to the whole group?, when
    ("migrate", 2, signal.SIGINT, 1, True, "random"),
    ("migrate", 2, signal.SIGINT, 2, True, "random"),
    ("migrate", 2, signal.SIGINT, 3, False, "random"),
    ("migrate", 2, signal.SIGINT, 2, True, "writing"),
    ("migrate", 2, signal.SIGTERM, 2, True, "random"),
    ("migrate", 2, signal.SIGTERM, 1, False, "writing"),
    ("migrate --diff", 2, signal.SIGINT, 2, True, "random"),
    ("migrate --diff", 2, signal.SIGTERM, 3, True, "random"),
    ("check", 2, signal.SIGINT, 2, True, "random"),
    ("check", 2, signal.SIGINT, 4, True, "random"),
    ("check", 2, signal.SIGTERM, 1, True, "random"),
    ("migrate", 1, signal.SIGINT, 1, True, "random"),
    ("migrate", 1, signal.SIGINT, 3, True, "random"),
    ("migrate", 1, signal.SIGTERM, 2, False, "writing"),
    ("check", 1, signal.SIGINT, 2, True, "random"),
    ("migrate --diff", 1, signal.SIGTERM, 2, True, "random"),
]


@pytest.mark.skipif(not HAS_PROC, reason="reads processes from /proc (Linux)")
@pytest.mark.parametrize(
    "command, jobs, signum, count, group, when",
    CASES,
    ids=[
        f"{c.replace(' --', '-')}-j{j}-{signal.Signals(s).name}x{n}-{'group' if g else 'pid'}-{w}"
        for c, j, s, n, g, w in CASES
    ],
)
def test_any_number_of_signals_end_the_run_cleanly(
    trees: tuple[Path, dict, dict, float],
    tmp_path: Path,
    command: str,
    jobs: int,
    signum: int,
    count: int,
    group: bool,
    when: str,
) -> None:
    _interrupt_a_run(trees, tmp_path, command, jobs, signum, count, group, when)


@pytest.mark.skipif(not HAS_PROC, reason="reads processes from /proc (Linux)")
@pytest.mark.parametrize("start_method", ["spawn", "forkserver"])
def test_signals_with_workers_started_by_spawn_or_forkserver(
    trees: tuple[Path, dict, dict, float], tmp_path: Path, start_method: str
) -> None:
    """Their helper processes (forkserver, resource tracker) are stopped too."""
    _interrupt_a_run(trees, tmp_path, "check", 2, signal.SIGINT, 2, True, "random", start_method)


@pytest.mark.skipif(not HAS_PROC, reason="reads processes from /proc (Linux)")
@pytest.mark.uses_cache
@pytest.mark.parametrize("jobs", [2, 1])
def test_signals_while_the_cache_is_written_leave_no_temp_file(
    trees: tuple[Path, dict, dict, float], tmp_path: Path, jobs: int
) -> None:
    cache_home = tmp_path / "cache-home"
    _interrupt_a_run(
        trees, tmp_path, "check", jobs, signal.SIGINT, 2, True, "random", cache_home=cache_home
    )
    written = [p for p in cache_home.rglob("*") if p.is_file()]
    assert not [p for p in written if p.name.startswith(".tmp-")], "cache temp file left"
    for p in written:
        if p.suffix == ".json":
            json.loads(p.read_bytes())  # every entry whole


def _interrupt_a_run(
    trees: tuple[Path, dict, dict, float],
    tmp_path: Path,
    command: str,
    jobs: int,
    signum: int,
    count: int,
    group: bool,
    when: str,
    start_method: str | None = None,
    cache_home: Path | None = None,
) -> None:
    original, old, new, elapsed = trees
    work = tmp_path / "work"
    shutil.copytree(original, work)
    rng = random.Random()
    proc = _start([*command.split(), "--jobs", str(jobs)], work, tmp_path, start_method, cache_home)
    first_written = work / "pkg0" / "mod0.py"
    sent: list[float] = []
    try:
        deadline = time.monotonic() + 60
        while not _handles(proc.pid, signal.SIGTERM):  # the CLI is running
            assert proc.poll() is None and time.monotonic() < deadline, "CLI did not start"
            time.sleep(0.005)
        if when == "writing":  # as soon as the first file is written
            while first_written.read_bytes() == old["pkg0/mod0.py"]:
                assert proc.poll() is None and time.monotonic() < deadline, "nothing written"
                time.sleep(0.002)
        else:
            time.sleep(rng.uniform(0, min(elapsed * 0.8, 4.0)))
        for i in range(count):
            if i:
                time.sleep(rng.uniform(0.001, 0.03))  # a burst, a few ms apart
            try:
                if group:
                    os.killpg(proc.pid, signum)
                else:
                    proc.send_signal(signum)
            except ProcessLookupError:
                break
            sent.append(time.monotonic())
        try:
            proc.wait(timeout=MUST_END_WITHIN * 2)
        except subprocess.TimeoutExpired:
            pytest.fail(f"hung after {len(sent)} signal(s): {_live_in_group(proc.pid)}")
        took = time.monotonic() - sent[0] if sent else 0.0
        leftover = _live_in_group(proc.pid)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # whatever a failure left behind
        except (ProcessLookupError, PermissionError):
            pass
        proc.wait()
    stderr = (tmp_path / "stderr").read_text(errors="replace")
    stdout = (tmp_path / "stdout").read_text(errors="replace")
    natural = 1 if command == "check" else 0  # the run ended before the signal
    assert proc.returncode in (128 + signum, natural), (proc.returncode, stderr[-2000:])
    assert "Traceback" not in stderr and "Traceback" not in stdout, stderr[-3000:]
    assert "Exception ignored" not in stderr, stderr[-3000:]
    assert leftover == [], "worker processes outlived the CLI"
    assert took < MUST_END_WITHIN, f"took {took:.1f}s to stop"
    now = tree_bytes(work)
    assert set(now) == set(old), "files appeared or vanished (temp files?)"
    for k, data in now.items():
        if command == "migrate":
            assert data in (old[k], new[k]), f"{k} is neither the original nor the migrated file"
        else:
            assert data == old[k], f"{command} changed {k}"
    if proc.returncode == 128 + signum:
        assert "interrupted" in stderr
        # the message says what may have changed: nothing, unless migrate writes
        assert ("fully migrated or untouched" in stderr) == (command == "migrate"), stderr
    print(f"{len(sent)} signal(s), stopped in {took:.2f}s, rc {proc.returncode}")


def test_signals_after_the_command_returned_are_ignored_until_the_process_exits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run as the process's own command (no ``args``: the console script and
    ``python -m codemods``), the CLI is on its way out once the command
    returned: a Ctrl-C or SIGTERM then must not end the process by the
    signal (exit -2/-15 after "Migrated N files") while the interpreter
    shuts down; the command's exit code stands. (Called with ``args``, as a
    library or CliRunner does, the caller's handlers come back.)"""
    from codemods.cli import main

    (tmp_path / "plain.py").write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENROUTER_MIGRATE_NO_CACHE", "1")
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        monkeypatch.setattr(sys, "argv", ["openrouter-migrate", "check", "plain.py"])
        with pytest.raises(SystemExit) as done:
            main()
        assert done.value.code == 0
        for sig in before:
            assert signal.getsignal(sig) == signal.SIG_IGN, signal.Signals(sig).name
        for sig, handler in before.items():
            signal.signal(sig, handler)
        with pytest.raises(SystemExit):
            main(args=["check", "plain.py"])
        assert {sig: signal.getsignal(sig) for sig in before} == before
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
