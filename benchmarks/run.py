"""Speed benchmark: the tool against what the hardware and LibCST allow.

One command (from the repository root)::

    python benchmarks/run.py [--quick] [--with-libcst-codemod] [--json FILE]

Every measurement is a separate subprocess (so interpreter start-up and
imports count the same for everyone), run ``--repeat`` times; the table shows
the median wall time (and the minimum), files per second, and peak memory.
Baselines, each a fresh ``python -c`` process:

(a) io-floor:   read every .py file, search its bytes for b"openai";
(b) necessary:  (a) plus ``libcst.parse_module`` of the files that matched;
(c) parse-only: ``libcst.parse_module`` of every file (dense tree);
(d) libcst-codemod: ``python -m libcst.tool codemod`` running
    ``benchmarks/noop_codemod.py`` (requests QualifiedNameProvider). On the
    whole trees it is opt-in (``--with-libcst-codemod``): it takes minutes on
    the sparse tree. Always measured on a sample of the sparse tree
    (``--libcst-sample`` files, every k-th file, copied with their paths):
    its cost is per file (it parses every file), so its files/s on the
    sample stands for the whole tree, and the (d) target compares files/s.

The tool (``--tool-cmd``, default ``python -m codemods``) is run as
``check --no-cache`` (cold), ``check`` twice (warm: the second run is timed),
and ``check --no-cache --jobs 1`` / ``--jobs 2`` on the dense tree. Exit codes
0 and 1 (no findings / findings) are success; anything else makes that row an
error and the run goes on.

Peak memory: ``peak MB`` is the child's ``ru_maxrss`` from ``wait4`` (the
largest single process among the child and the descendants it waited for);
``tree MB`` is the largest sum of PSS (proportional set size, shared pages
split fairly) over the child's whole process tree, sampled every 50 ms from
/proc (Linux only; short spikes can be missed). The memory target is checked
against the larger of the two.

The page cache is warmed (one untimed io-floor pass per tree) before timing,
so all numbers are warm-cache numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import gen_repo  # noqa: E402

# --------------------------------------------------------------------------
# Baseline programs (each runs as ``python -c PROGRAM ROOT``)

_WALK = """
import os, sys
def py_files(root):
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith('.')]
        for f in files:
            if f.endswith('.py'):
                yield os.path.join(d, f)
"""

IO_FLOOR = (
    _WALK
    + """
n = hits = 0
for p in py_files(sys.argv[1]):
    with open(p, 'rb') as fh:
        data = fh.read()
    n += 1
    if b'openai' in data:
        hits += 1
print(n, hits)
"""
)

NECESSARY = (
    _WALK
    + """
import libcst
n = hits = 0
for p in py_files(sys.argv[1]):
    with open(p, 'rb') as fh:
        data = fh.read()
    n += 1
    if b'openai' in data:
        hits += 1
        libcst.parse_module(data)
print(n, hits)
"""
)

PARSE_ONLY = (
    _WALK
    + """
import libcst
n = 0
for p in py_files(sys.argv[1]):
    with open(p, 'rb') as fh:
        libcst.parse_module(fh.read())
    n += 1
print(n, n)
"""
)

_WALK_ALL = """
import os, sys, json
def all_files(root):
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith('.')]
        for f in files:
            if f.endswith(('.py', '.ipynb')):
                yield os.path.join(d, f)
"""

#: (a) for the project trees: every file the tool reads (.py and .ipynb)
IO_FLOOR_ALL = (
    _WALK_ALL
    + """
n = hits = 0
for p in all_files(sys.argv[1]):
    with open(p, 'rb') as fh:
        data = fh.read()
    n += 1
    if b'openai' in data:
        hits += 1
print(n, hits)
"""
)

#: (b) for the project trees: read everything; parse every file that uses
#: the SDK (names openai, or calls .completions/.embeddings on a client from
#: elsewhere), the notebooks' code, and the files the manifest lists as
#: crossing modules without naming the SDK (callers of helpers, settings)
NECESSARY_ALL = (
    _WALK_ALL
    + """
import libcst
root = sys.argv[1]
extra = set(json.loads(open(sys.argv[2]).read())) if len(sys.argv) > 2 else set()
n = hits = 0
for p in all_files(root):
    with open(p, 'rb') as fh:
        data = fh.read()
    n += 1
    rel = os.path.relpath(p, root).replace(os.sep, '/')
    if p.endswith('.ipynb'):
        cells = json.loads(data)['cells']
        code = '\\n'.join(''.join(c['source']) for c in cells if c['cell_type'] == 'code')
        code = '\\n'.join(l for l in code.splitlines() if not l.startswith(('%', '!')))
        libcst.parse_module(code)
        hits += 1
    elif b'openai' in data or b'.completions.' in data or b'.embeddings.' in data or rel in extra:
        libcst.parse_module(data)
        hits += 1
print(n, hits)
"""
)

LIBCST_CONFIG = """\
generated_code_marker: '@generated'
formatter: []
blacklist_patterns: []
modules: []
repo_root: '{root}'
"""

# --------------------------------------------------------------------------
# Measuring one process


@dataclass
class Run:
    wall_s: float
    exit_code: int
    peak_mb: float  # ru_maxrss of the child (largest single process)
    tree_mb: float  # largest sampled PSS sum over the process tree (0 if unknown)
    stdout_tail: str = ""
    stderr_tail: str = ""
    traceback: bool = False  # stderr ends with an uncaught exception's traceback
    # user + system CPU seconds of the child and the descendants it reaped
    # (``wait4``): what a run costs whatever else the machine runs
    cpu_s: float = 0.0


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name may contain spaces: fields after the last ')'
        ppid = int(stat[stat.rfind(b")") + 2 :].split()[1])
        kids.setdefault(ppid, []).append(int(name))
    return kids


def _proc_mem_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, ValueError, IndexError):
        return 0


class TreeMemorySampler(threading.Thread):
    """Largest total memory of a process and its descendants, sampled."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        if not os.path.isdir("/proc"):
            return
        while not self._stop_event.is_set():
            kids = _children_map()
            todo, total = [self.pid], 0
            while todo:
                pid = todo.pop()
                total += _proc_mem_kb(pid)
                todo.extend(kids.get(pid, ()))
            self.peak_kb = max(self.peak_kb, total)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _tail(path: Path, limit: int = 2000) -> str:
    data = path.read_bytes()
    return data[-limit:].decode("utf-8", "replace")


_EXCEPTION_LINE = re.compile(rb"^[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b")


def _ends_with_traceback(path: Path) -> bool:
    data = path.read_bytes()
    if b"Traceback (most recent call last)" not in data:
        return False
    lines = data.strip().splitlines()
    return bool(lines) and bool(_EXCEPTION_LINE.match(lines[-1]))


def measure(cmd: Sequence[str], cwd: Path, env: dict[str, str], sample_memory: bool = True) -> Run:
    """Run ``cmd`` to completion; wall time, exit code, memory."""
    with tempfile.TemporaryDirectory(prefix="bench-out-") as tmp:
        out, err = Path(tmp) / "out", Path(tmp) / "err"
        with out.open("wb") as fo, err.open("wb") as fe:
            start = time.perf_counter()
            try:
                proc = subprocess.Popen(list(cmd), cwd=str(cwd), env=env, stdout=fo, stderr=fe)
            except OSError as exc:
                return Run(0.0, 127, 0.0, 0.0, "", f"cannot start {cmd[0]!r}: {exc}")
            sampler = TreeMemorySampler(proc.pid) if sample_memory else None
            if sampler:
                sampler.start()
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            if sampler:
                sampler.stop()
            code = os.waitstatus_to_exitcode(status)
            proc.returncode = code  # we reaped it; keep Popen from waiting again
        return Run(
            wall_s=wall,
            exit_code=code,
            peak_mb=usage.ru_maxrss / 1024.0,  # KiB on Linux
            tree_mb=(sampler.peak_kb / 1024.0) if sampler else 0.0,
            stdout_tail=_tail(out),
            stderr_tail=_tail(err),
            traceback=_ends_with_traceback(err),
            cpu_s=usage.ru_utime + usage.ru_stime,
        )


def _uptime() -> str:
    """The machine's load averages (the benchmark shares the machine)."""
    try:
        with open("/proc/loadavg", encoding="ascii") as fh:
            return "load average " + " ".join(fh.read().split()[:3])
    except OSError:
        return "load average unknown"


def _crashed(run: Run) -> bool:
    """Exit 1 means "findings", but an uncaught exception also exits 1."""
    return run.exit_code == 1 and run.traceback


# --------------------------------------------------------------------------
# Rows and targets


@dataclass
class Row:
    key: str  # e.g. "sparse/io-floor"
    tree: str
    label: str
    files: int
    cmd: list[str] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)
    status: str = "ok"  # ok | error | skipped
    note: str = ""

    @property
    def median_s(self) -> float | None:
        return statistics.median(r.wall_s for r in self.runs) if self.ok else None

    @property
    def median_cpu_s(self) -> float | None:
        return statistics.median(r.cpu_s for r in self.runs) if self.ok else None

    @property
    def min_s(self) -> float | None:
        return min(r.wall_s for r in self.runs) if self.ok else None

    @property
    def files_per_s(self) -> float | None:
        m = self.median_s
        return self.files / m if m else None

    @property
    def peak_mb(self) -> float | None:
        return max(r.peak_mb for r in self.runs) if self.runs else None

    @property
    def tree_mb(self) -> float | None:
        return max(r.tree_mb for r in self.runs) if self.runs else None

    @property
    def ok(self) -> bool:
        return self.status == "ok" and bool(self.runs)

    def to_dict(self) -> dict[str, object]:
        return {
            "key": self.key, "tree": self.tree, "label": self.label, "files": self.files,
            "cmd": self.cmd, "status": self.status, "note": self.note,
            "median_s": self.median_s, "min_s": self.min_s, "files_per_s": self.files_per_s,
            "median_cpu_s": self.median_cpu_s, "peak_mb": self.peak_mb, "tree_mb": self.tree_mb,
            "runs": [asdict(r) for r in self.runs],
        }  # fmt: skip


@dataclass
class Target:
    name: str
    value: float | None
    op: str  # "<=" | ">=" | "<"
    limit: float
    status: str  # PASS | FAIL | SKIP | ERROR
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _target(
    name: str, op: str, limit: float, rows: dict[str, Row], keys: Sequence[str],
    compute: Callable[..., float],
) -> Target:  # fmt: skip
    missing = [k for k in keys if k not in rows]
    bad = [rows[k] for k in keys if k in rows and not rows[k].ok]
    if missing or bad:
        errored = [r for r in bad if r.status == "error"]
        why = ", ".join(missing + [f"{r.key} {r.status}" for r in bad])
        return Target(name, None, op, limit, "ERROR" if errored or missing else "SKIP", why)
    value = compute(*(rows[k] for k in keys))
    passed = {"<=": value <= limit, ">=": value >= limit, "<": value < limit}[op]
    return Target(name, value, op, limit, "PASS" if passed else "FAIL")


def _libcst_target(
    rows: dict[str, Row], wall: Callable[..., float], fps: Callable[..., float]
) -> Target:
    """Against the whole sparse tree when (d) ran on it, else its sample."""
    full = rows.get("sparse/libcst-codemod")
    if full is not None and full.ok:
        return _target("(d) libcst codemod / sparse cold check  [wall]", ">=", 50.0, rows,
                       ("sparse/libcst-codemod", "sparse/tool-cold"), wall)  # fmt: skip
    return _target("sparse cold check / (d) on a sample  [files/s]", ">=", 50.0, rows,
                   ("sparse/tool-cold", "sparse/libcst-sample"), fps)  # fmt: skip


def _sizes(rows: dict[str, Row]) -> list[int]:
    """The sizes of the scaling series (``project-<files>/...`` rows)."""
    found = {int(k.split("/")[0].split("-")[1]) for k in rows if k.startswith("project-")}
    return sorted(found)


def _scale_targets(
    rows: dict[str, Row], wall: Callable[..., float], fps: Callable[..., float]
) -> list[Target]:
    """Issue 13's targets on the project-shaped scaling series."""
    sizes = _sizes(rows)
    if not sizes:
        return []
    out: list[Target] = []
    for kind in ("cold", "warm"):
        for small, large in zip(sizes, sizes[1:]):
            factor = large / small
            out.append(_target(
                f"{kind}: {large // 1000}k / {small // 1000}k files, wall (x{factor:g} files)",
                "<=", 5.0 * factor / 4, rows,
                (f"project-{large}/tool-{kind}", f"project-{small}/tool-{kind}"), wall,
            ))  # fmt: skip
    n = sizes[-1]
    p = f"project-{n}"
    out += [
        _target(f"{n // 1000}k cold check / (b) necessary  [wall]", "<=", 1.25, rows,
                (f"{p}/tool-cold", f"{p}/necessary"), wall),
        _target(f"{n // 1000}k warm check / (a) io floor  [wall]", "<=", 3.0, rows,
                (f"{p}/tool-warm", f"{p}/io-floor"), wall),
        _target(f"{n // 1000}k warm check of 1 file / (a) io floor  [wall]", "<=", 3.0, rows,
                (f"{p}/tool-single", f"{p}/io-floor"), wall),
    ]  # fmt: skip
    if f"{p}/libcst-sample" in rows:
        out.append(_target(f"{n // 1000}k cold check / (d) on a sample  [files/s]", ">=", 50.0,
                           rows, (f"{p}/tool-cold", f"{p}/libcst-sample"), fps))  # fmt: skip
    return out


def compute_targets(rows: dict[str, Row]) -> list[Target]:
    def wall(a: Row, b: Row) -> float:
        return float(a.median_s) / float(b.median_s)  # type: ignore[arg-type]

    def fps(a: Row, b: Row) -> float:
        return float(a.files_per_s) / float(b.files_per_s)  # type: ignore[arg-type]

    def cpu(a: Row, b: Row) -> float:  # b's CPU time per file / a's: a throughput ratio
        return float(b.median_cpu_s) / float(a.median_cpu_s)  # type: ignore[arg-type]

    scaled = any(k.startswith("project-") for k in rows)
    has_dense = any(k.startswith("dense/") for k in rows)
    # (a dense-only run, ``--no-sparse --scale none``, has no sparse targets)
    sparse = any(k.startswith("sparse/") for k in rows) or not (scaled or has_dense)
    dense = has_dense or not scaled
    targets = [] if not sparse else [
        _target("sparse cold check / (b) necessary  [wall]", "<=", 1.25, rows,
                ("sparse/tool-cold", "sparse/necessary"), wall),
        _libcst_target(rows, wall, fps),
        _target("sparse warm check / (a) io floor  [wall]", "<=", 3.0, rows,
                ("sparse/tool-warm", "sparse/io-floor"), wall),
    ]  # fmt: skip
    if dense:
        targets += [
            _target("dense --jobs 1 / (c) parse-only  [files/s]", ">=", 0.75, rows,
                    ("dense/tool-jobs1", "dense/parse-only"), fps),
            _target("dense --jobs 2 / --jobs 1  [files/s]", ">=", 1.6, rows,
                    ("dense/tool-jobs2", "dense/tool-jobs1"), fps),
        ]  # fmt: skip
        keys = ("dense/tool-jobs1", "dense/parse-only")
        if all(k in rows and rows[k].ok and rows[k].median_cpu_s for k in keys):
            # the same in CPU time (both are one process): what the load of
            # a shared machine does not move much
            targets.append(_target("dense --jobs 1 / (c) parse-only  [files per CPU s]",
                                   ">=", 0.75, rows, keys, cpu))  # fmt: skip
    targets += _scale_targets(rows, wall, fps)
    tool_rows = [r for k, r in rows.items() if "/tool-" in k]
    measured = [r for r in tool_rows if r.ok]
    if measured:
        worst = max(max(r.peak_mb or 0.0, r.tree_mb or 0.0) for r in measured)
        t = Target("tool peak memory  [MB]", worst, "<", 300.0, "PASS" if worst < 300 else "FAIL")
        if any(not r.ok for r in tool_rows):
            t.note = "only the tool rows that succeeded"
        targets.append(t)
    else:
        targets.append(Target("tool peak memory  [MB]", None, "<", 300.0, "ERROR", "no tool run"))
    return targets


# --------------------------------------------------------------------------
# The benchmark


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.python = sys.executable
        self.tool_cmd = self._parse_tool_cmd(args.tool_cmd)
        self.rows: dict[str, Row] = {}
        self.env = dict(os.environ)
        self.env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
        )
        self.env.setdefault("PYTHONHASHSEED", "0")
        # an installed tool has its bytecode compiled: so do the runs here
        # (kept out of the checkout, under the work directory)
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.env["PYTHONPYCACHEPREFIX"] = str(Path(args.work_dir).resolve() / "pycache")
        self.trees: dict[str, dict] = {}
        self.targets: list[Target] = []

    def _parse_tool_cmd(self, text: str) -> list[str]:
        parts = shlex.split(text)
        if parts and parts[0] in ("python", "python3"):
            parts[0] = self.python
        return parts

    def log(self, msg: str) -> None:
        if not self.args.quiet:
            print(msg, file=sys.stderr, flush=True)

    def _run_row(self, row: Row, cwd: Path, repeat: int, env: dict[str, str] | None = None,
                 prime: bool = False, check_count: bool = False) -> Row:  # fmt: skip
        env = env or self.env
        self.rows[row.key] = row
        shown = [f"<{row.key.split('/')[1]} program>" if "\n" in c else c for c in row.cmd]
        self.log(f"  {row.key}: {shlex.join(shown)}")
        if prime:  # untimed run that fills the cache
            first = measure(row.cmd, cwd, env, sample_memory=False)
            if first.exit_code not in (0, 1) or _crashed(first):
                return self._fail(row, first, "priming run")
        for i in range(repeat):
            run = measure(row.cmd, cwd, env)
            row.runs.append(run)
            if run.exit_code not in (0, 1) or _crashed(run):
                return self._fail(row, run, f"run {i + 1}")
            if check_count:
                got = run.stdout_tail.split()
                if not got or int(got[0]) != row.files:
                    row.status = "error"
                    row.note = f"baseline saw {got[:1]} files, expected {row.files}"
                    return row
            self.log(f"    {run.wall_s:8.3f} s  exit {run.exit_code}  "
                     f"peak {run.peak_mb:6.1f} MB  tree {run.tree_mb:6.1f} MB")  # fmt: skip
        return row

    def _fail(self, row: Row, run: Run, when: str) -> Row:
        row.status = "error"
        msg = (run.stderr_tail.strip().splitlines() or ["(no stderr)"])[-1]
        row.note = f"{when}: exit {run.exit_code}: {msg[:200]}"
        self.log(f"    ERROR {row.note}")
        return row

    def baseline(self, tree: str, root: Path, files: int, name: str, program: str,
                 label: str) -> Row:  # fmt: skip
        row = Row(f"{tree}/{name}", tree, label, files, [self.python, "-c", program, str(root)])
        self._run_row(row, root, self.args.repeat, check_count=True)
        row.cmd = [self.python, "-c", f"<{name} program>", str(root)]  # keep JSON readable
        out = row.runs[-1].stdout_tail.split() if row.runs else []
        if row.ok and len(out) == 2 and name != "parse-only":
            row.note = f"{out[1]} files match"
        return row

    def tool(self, tree: str, root: Path, files: int, name: str, extra: list[str], label: str,
             prime: bool = False) -> Row:  # fmt: skip
        row = Row(f"{tree}/{name}", tree, label, files, [*self.tool_cmd, "check", *extra, "."])
        if not self.tool_cmd:
            row.status, row.note = "error", "empty --tool-cmd"
            self.rows[row.key] = row
            return row
        return self._run_row(row, root, self.args.repeat, prime=prime)

    def libcst_codemod(self, tree: str, root: Path, files: int) -> Row:
        key = f"{tree}/libcst-codemod"
        jobs = str(os.cpu_count() or 1)
        # "--jobs=N" in one token: libcst.tool pre-parses the command name with a
        # parser that does not know -j, and would take a separate "N" for it.
        cmd = [self.python, "-m", "libcst.tool", "codemod", "-x", "--no-format", f"--jobs={jobs}",
               "--hide-progress", "--hide-generated-warnings", "--hide-blacklisted-warnings",
               "noop_codemod.NoopCodemod", str(root)]  # fmt: skip
        row = Row(key, tree, f"(d) libcst.tool codemod, noop + QualifiedNameProvider, -j {jobs}",
                  files, cmd)  # fmt: skip
        if not self.args.with_libcst_codemod:
            row.status = "skipped"
            row.note = "opt-in: pass --with-libcst-codemod (minutes on the sparse tree)"
            self.rows[key] = row
            return row
        env = dict(self.env)
        env["PYTHONPATH"] = os.pathsep.join((str(HERE), env["PYTHONPATH"]))
        with tempfile.TemporaryDirectory(prefix="bench-libcst-") as tmp:
            cfg = LIBCST_CONFIG.format(root=str(root).replace("'", "''"))
            Path(tmp, ".libcst.codemod.yaml").write_text(cfg, encoding="utf-8")
            return self._run_row(row, Path(tmp), self.args.libcst_repeat, env=env)

    def libcst_sample(self, root: Path, files: int, key: str = "sparse") -> Row:
        """(d) on every k-th file of the sparse tree (copied, same paths)."""
        key = f"{key}/libcst-sample"
        want = self.args.libcst_sample
        if want <= 0:
            row = Row(key, "sparse", "(d) on a sample", 0)
            row.status, row.note = "skipped", "--libcst-sample 0"
            self.rows[key] = row
            return row
        paths = sorted(p.relative_to(root) for p in root.rglob("*.py"))
        step = max(1, -(-len(paths) // want))
        chosen = paths[::step]
        jobs = str(os.cpu_count() or 1)
        with tempfile.TemporaryDirectory(prefix="bench-libcst-sample-") as tmp:
            tree = Path(tmp, "tree")
            for rel in chosen:
                (tree / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(root / rel, tree / rel)
            sdk = sum(1 for rel in chosen if b"openai" in (tree / rel).read_bytes())
            cmd = [self.python, "-m", "libcst.tool", "codemod", "-x", "--no-format",
                   f"--jobs={jobs}", "--hide-progress", "--hide-generated-warnings",
                   "--hide-blacklisted-warnings", "noop_codemod.NoopCodemod",
                   str(tree)]  # fmt: skip
            row = Row(key, "sparse", f"(d) on every {step}th sparse file, -j {jobs}",
                      len(chosen), cmd)  # fmt: skip
            env = dict(self.env)
            env["PYTHONPATH"] = os.pathsep.join((str(HERE), env["PYTHONPATH"]))
            cfg = LIBCST_CONFIG.format(root=str(tree).replace("'", "''"))
            Path(tmp, ".libcst.codemod.yaml").write_text(cfg, encoding="utf-8")
            self._run_row(row, Path(tmp), self.args.libcst_repeat, env=env)
            row.cmd = [*cmd[:-1], f"<sample of {len(chosen)} files>"]
            if row.ok:
                row.note = f"{sdk} files use openai"
            return row

    def rounds(self, tree: str, root: Path, rows: list[Row], prime: list[Row]) -> None:
        """Measure ``rows`` in rounds: each round runs every row once, so a
        change of the machine's load hits all of them alike. ``prime``: rows
        run once, untimed, first (they fill the cache)."""
        for row in rows:
            self.rows[row.key] = row
        for row in prime:
            first = measure(row.cmd, root, self.env, sample_memory=False)
            if first.exit_code not in (0, 1) or _crashed(first):
                self._fail(row, first, "priming run")
        for i in range(self.args.repeat):
            self.log(f"  {tree} round {i + 1}/{self.args.repeat} ({_uptime()})")
            for row in rows:
                if row.status != "ok":
                    continue
                run = measure(row.cmd, root, self.env)
                row.runs.append(run)
                if run.exit_code not in (0, 1) or _crashed(run):
                    self._fail(row, run, f"run {i + 1}")
                    continue
                self.log(f"    {row.key.split('/')[1]:<12} {run.wall_s:8.3f} s  "
                         f"peak {run.peak_mb:6.1f} MB  tree {run.tree_mb:6.1f} MB")  # fmt: skip

    def dense_rounds(self, root: Path, files: int) -> None:
        """The dense tree's rows, in rounds (see :meth:`rounds`)."""
        c = self.tool_cmd
        rows = [
            Row("dense/io-floor", "dense", "(a) I/O floor: read + find b'openai'", files,
                [self.python, "-c", IO_FLOOR, str(root)]),
            Row("dense/parse-only", "dense", "(c) parse every file, 1 process", files,
                [self.python, "-c", PARSE_ONLY, str(root)]),
            Row("dense/tool-cold", "dense", "check --no-cache (cold)", files,
                [*c, "check", "--no-cache", "."]),
            Row("dense/tool-warm", "dense", "check (warm)", files, [*c, "check", "."]),
            Row("dense/tool-jobs1", "dense", "check --no-cache --jobs 1", files,
                [*c, "check", "--no-cache", "--jobs", "1", "."]),
            Row("dense/tool-jobs2", "dense", "check --no-cache --jobs 2", files,
                [*c, "check", "--no-cache", "--jobs", "2", "."]),
        ]  # fmt: skip
        self.rounds("dense", root, rows, prime=[rows[3]])
        for row in rows[:2]:
            row.cmd = [x if "\n" not in x else f"<{row.key.split('/')[1]} program>"
                       for x in row.cmd]  # fmt: skip

    def scale(self) -> None:
        """The project-shaped scaling series: baselines and the tool on each
        size. The rows of one size are measured in rounds (each round runs
        every row once), so a change of the machine's load hits them alike:
        the ratios are within a round's conditions."""
        a = self.args
        for n in a.scale:
            spec = gen_repo.project_spec(n, a.seed)
            t0 = time.perf_counter()
            root, manifest = gen_repo.ensure_tree(spec, a.work_dir)
            files = int(manifest["files"])
            tree = f"project-{n}"
            self.log(f"tree {tree}: {files} files, {manifest['kinds']}, "
                     f"({time.perf_counter() - t0:.1f} s to ensure)")  # fmt: skip
            self.trees[tree] = {k: v for k, v in manifest.items() if k != "parse_too"}
            measure([self.python, "-c", IO_FLOOR_ALL, str(root)], root, self.env, False)
            extra = Path(a.work_dir) / f"{tree}.parse.json"
            extra.write_text(json.dumps(manifest.get("parse_too", [])), encoding="utf-8")
            single = gen_repo.relative_path(spec, spec.files // 2)
            rows = [
                Row(f"{tree}/io-floor", tree, "(a) I/O floor: read + find b'openai'", files,
                    [self.python, "-c", IO_FLOOR_ALL, str(root)]),
                Row(f"{tree}/necessary", tree, "(b) (a) + parse the files that need it", files,
                    [self.python, "-c", NECESSARY_ALL, str(root), str(extra)]),
                Row(f"{tree}/tool-cold", tree, "check --no-cache (cold)", files,
                    [*self.tool_cmd, "check", "--no-cache", "."]),
                Row(f"{tree}/tool-warm", tree, "check (warm)", files,
                    [*self.tool_cmd, "check", "."]),
                Row(f"{tree}/tool-single", tree, f"check {single} (warm)", files,
                    [*self.tool_cmd, "check", single]),
            ]  # fmt: skip
            shutil.rmtree(root / ".openrouter-migrate-cache", ignore_errors=True)
            self.rounds(tree, root, rows, prime=rows[3:])
            for row in rows[:2]:
                got = row.runs[-1].stdout_tail.split() if row.runs else []
                if row.ok and (not got or int(got[0]) != files):
                    row.status = "error"
                    row.note = f"baseline saw {got[:1]} files, expected {files}"
                elif row.ok and len(got) == 2:
                    row.note = f"{got[1]} files " + ("match" if row is rows[0] else "parsed")
                row.cmd = [c if "\n" not in c else f"<{row.key.split('/')[1]} program>"
                           for c in row.cmd]  # fmt: skip

    def run(self) -> None:
        a = self.args
        if a.scale:
            self.scale()
        if (a.no_classic or a.no_sparse) and a.scale:
            self.log("libcst codemod")
            n = a.scale[-1]
            root = gen_repo.tree_dir(gen_repo.project_spec(n, a.seed), a.work_dir)
            self.libcst_sample(root, n, key=f"project-{n}")
        if a.no_classic:
            return
        specs = [gen_repo.sparse_spec(a.sparse_files, a.seed),
                 gen_repo.dense_spec(a.dense_files, a.seed)]  # fmt: skip
        if a.no_sparse:
            specs = specs[1:]
            root, manifest = gen_repo.ensure_tree(specs[0], a.work_dir)
            self.trees["dense"] = manifest
            measure([self.python, "-c", IO_FLOOR, str(root)], root, self.env, False)
            self.dense_rounds(root, int(manifest["files"]))
            self.libcst_codemod("dense", root, int(manifest["files"]))
            return
        roots: dict[str, Path] = {}
        for spec in specs:
            t0 = time.perf_counter()
            root, manifest = gen_repo.ensure_tree(spec, a.work_dir)
            self.log(f"tree {spec.name}: {manifest['files']} files, {manifest['sdk_files']} use "
                     f"openai, {root} ({time.perf_counter() - t0:.1f} s to ensure)")  # fmt: skip
            self.trees[spec.name] = manifest
            roots[spec.name] = root
            measure([self.python, "-c", IO_FLOOR, str(root)], root, self.env, False)  # warm cache

        d = roots["dense"]
        nd = int(self.trees["dense"]["files"])
        both = [("dense", d, nd)]
        if not a.no_sparse:
            s = roots["sparse"]
            ns = int(self.trees["sparse"]["files"])
            both.insert(0, ("sparse", s, ns))
        self.log(f"baselines ({_uptime()})")
        for tree, root, n in both:
            self.baseline(tree, root, n, "io-floor", IO_FLOOR,
                          "(a) I/O floor: read + find b'openai'")  # fmt: skip
            self.baseline(tree, root, n, "necessary", NECESSARY, "(b) (a) + parse matching files")
        self.baseline("dense", d, nd, "parse-only", PARSE_ONLY, "(c) parse every file, 1 process")
        self.log("tool")
        for tree, root, n in both:
            self.tool(tree, root, n, "tool-cold", ["--no-cache"], "check --no-cache (cold)")
            self.tool(tree, root, n, "tool-warm", [], "check (warm: 2nd run)", prime=True)
        for jobs in ("1", "2"):
            self.tool("dense", d, nd, f"tool-jobs{jobs}", ["--no-cache", "--jobs", jobs],
                      f"check --no-cache --jobs {jobs}")  # fmt: skip
        self.log("libcst codemod")
        if not a.no_sparse:
            self.libcst_sample(s, ns)
            self.libcst_codemod("sparse", s, ns)
        self.libcst_codemod("dense", d, nd)

    # ----------------------------------------------------------------------

    def table(self) -> str:
        def num(v: float | None, fmt: str) -> str:
            width = int(fmt.split(".")[0])
            return format(v, fmt) if v is not None else "-".rjust(width)

        head = (f"{'measurement':<22} {'what':<48} {'files':>6} {'median s':>9} {'min s':>8} "
                f"{'files/s':>9} {'cpu s':>8} {'peak MB':>8} {'tree MB':>8}  status")  # fmt: skip
        lines = [head, "-" * len(head)]
        for r in self.rows.values():
            lines.append(
                f"{r.key:<22} {r.label[:48]:<48} {r.files:>6} {num(r.median_s, '9.3f')} "
                f"{num(r.min_s, '8.3f')} {num(r.files_per_s, '9.0f')} "
                f"{num(r.median_cpu_s, '8.2f')} {num(r.peak_mb, '8.1f')} "
                f"{num(r.tree_mb, '8.1f')}  {r.status}{(': ' + r.note) if r.note else ''}"
            )
        lines += ["", f"{'target':<50} {'value':>8}  {'goal':<9} result"]
        for t in self.targets:
            goal = f"{t.op} {t.limit:g}"
            lines.append(f"{t.name:<50} {num(t.value, '8.2f')}  {goal:<9} {t.status}"
                         f"{('  (' + t.note + ')') if t.note else ''}")  # fmt: skip
        return "\n".join(lines)

    def scale_table(self) -> str:
        """The scaling series: seconds, ratios to the baselines of the same
        run, and the growth factor per step."""
        sizes = _sizes(self.rows)
        if not sizes:
            return ""

        def med(key: str) -> float | None:
            r = self.rows.get(key)
            return r.median_s if r is not None and r.ok else None

        def ratio(a: float | None, b: float | None) -> str:
            return f"{a / b:7.2f}" if a and b else "      -"

        head = (f"{'files':>7} {'floor s':>8} {'nec. s':>8} {'cold s':>8} {'warm s':>8} "
                f"{'1 file s':>8} {'cold/nec':>8} {'warm/flr':>8} {'1f/flr':>7} "
                f"{'cold x':>7} {'warm x':>7}")  # fmt: skip
        lines = [head, "-" * len(head)]
        prev: tuple[float | None, float | None] = (None, None)
        for n in sizes:
            p = f"project-{n}"
            floor, nec = med(f"{p}/io-floor"), med(f"{p}/necessary")
            cold, warm, one = med(f"{p}/tool-cold"), med(f"{p}/tool-warm"), med(f"{p}/tool-single")
            files = self.rows[f"{p}/io-floor"].files if f"{p}/io-floor" in self.rows else n

            def f(v: float | None) -> str:
                return f"{v:8.3f}" if v is not None else "       -"

            lines.append(f"{files:>7} {f(floor)} {f(nec)} {f(cold)} {f(warm)} {f(one)} "
                         f"{ratio(cold, nec):>8} {ratio(warm, floor):>8} {ratio(one, floor):>7} "
                         f"{ratio(cold, prev[0]):>7} {ratio(warm, prev[1]):>7}")  # fmt: skip
            prev = (cold, warm)
        return "\n".join(lines)

    def results(self) -> dict[str, object]:
        try:
            import libcst

            libcst_version = getattr(libcst, "__version__", "?")
        except ImportError:  # pragma: no cover
            libcst_version = None
        try:
            commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, text=True,
                                    capture_output=True, check=False).stdout.strip()  # fmt: skip
        except OSError:
            commit = ""
        return {
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "commit": commit,
            "environment": {
                "python": sys.version.split()[0],
                "libcst": libcst_version,
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "machine": platform.machine(),
                "load": _uptime(),
            },  # fmt: skip
            "settings": {
                "repeat": self.args.repeat,
                "libcst_repeat": self.args.libcst_repeat,
                "quick": self.args.quick,
                "tool_cmd": self.tool_cmd,
            },  # fmt: skip
            "trees": self.trees,
            "rows": [r.to_dict() for r in self.rows.values()],
            "targets": [t.to_dict() for t in self.targets],
        }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Speed benchmark of the check command.")
    p.add_argument(
        "--quick",
        action="store_true",
        help="small trees (1,000 sparse / 100 dense files), 3 repeats: a smoke run",
    )
    p.add_argument("--sparse-files", type=int, help=f"default {gen_repo.SPARSE_FILES}")
    p.add_argument("--dense-files", type=int, help=f"default {gen_repo.DENSE_FILES}")
    p.add_argument("--seed", type=int, default=gen_repo.DEFAULT_SEED)
    p.add_argument("--repeat", type=int, help="runs per measurement (default 5, --quick 3)")
    p.add_argument(
        "--with-libcst-codemod",
        action="store_true",
        help="also measure (d), python -m libcst.tool codemod (slow)",
    )
    p.add_argument("--libcst-repeat", type=int, default=1, help="runs of (d) (default 1)")
    p.add_argument(
        "--libcst-sample",
        type=int,
        default=400,
        metavar="N",
        help="files of the sparse tree (d) always runs on (default 400; 0: not)",
    )
    p.add_argument(
        "--scale",
        default=None,
        metavar="N,N,...",
        help="project-shaped scaling series sizes (default 1000,4000,16000; "
        "--quick 1000,4000; 'none': skip)",
    )
    p.add_argument(
        "--no-classic", action="store_true", help="only the scaling series (no sparse/dense trees)"
    )
    p.add_argument(
        "--no-sparse",
        action="store_true",
        help="no 10,000-file sparse tree (the scaling series replaces it); "
        "the (d) sample is taken from the largest project tree",
    )
    p.add_argument(
        "--tool-cmd",
        default="python -m codemods",
        help="how to start the tool; 'python' means this interpreter",
    )
    p.add_argument("--work-dir", type=Path, default=gen_repo.DEFAULT_WORK_DIR)
    p.add_argument("--json", type=Path, metavar="FILE", help="write all results as JSON")
    p.add_argument(
        "--check", action="store_true", help="exit 1 unless every target that was measured passes"
    )
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = p.parse_args(argv)  # fmt: skip
    if args.sparse_files is None:
        args.sparse_files = 1_000 if args.quick else gen_repo.SPARSE_FILES
    if args.dense_files is None:
        args.dense_files = 100 if args.quick else gen_repo.DENSE_FILES
    if args.repeat is None:
        args.repeat = 3 if args.quick else 5
    if args.scale is None:
        args.scale = "1000,4000" if args.quick else "1000,4000,16000"
    args.scale = [] if args.scale == "none" else [int(x) for x in args.scale.split(",") if x]
    if args.repeat < 1 or args.libcst_repeat < 1:
        p.error("--repeat and --libcst-repeat must be >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if not shutil.which(args.tool_cmd.split()[0]) and not args.tool_cmd.startswith("python"):
        print(f"warning: {args.tool_cmd.split()[0]!r} not found on PATH", file=sys.stderr)
    bench = Bench(args)
    bench.run()
    bench.targets = compute_targets(bench.rows)
    print(bench.table())
    scale = bench.scale_table()
    if scale:
        print("\nscaling series (median s; ratios within this run; x: growth per step)")
        print(scale)
    print(f"\n{_uptime()} at the end (the machine is shared: compare within one run)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(bench.results(), indent=2) + "\n", encoding="utf-8")
        print(f"\nresults written to {args.json}")
    if args.check and any(t.status in ("FAIL", "ERROR") for t in bench.targets):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
