"""A/B of the warm rows: two versions of the tool, interleaved in each round.

For each size of the project-shaped series (``gen_repo.project_spec``), each
round runs the I/O floor (a), then ``check .`` (warm) and ``check FILE``
(one file named, warm) of the base version and of this one, so that both
sides see the same machine load; prints the median wall and CPU seconds and
the ratios to (a)::

    git -C /work/main archive main | tar -x -C /tmp/base
    python benchmarks/warm_ab.py --base /tmp/base --scale 1000,4000,16000 --repeat 5

``run.py --tool-cmd`` cannot alternate two versions on one tree: each
version's cache lives in a directory per entry format, and the first run
of a version that writes removes the others'. So the base version runs on
its own copy of each tree, ``<work-dir>/ab-base-<N>`` (made once, reused,
inside the work directory so that discovery sees the same ``.gitignore``
files; remove it afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_repo  # noqa: E402
import run as bench  # noqa: E402


def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system of the child and what it reaped) seconds."""
    t = time.perf_counter()
    p = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{cmd} in {cwd}: exit {code}")
    return wall, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", type=Path, required=True, help="a checkout holding codemods/")
    p.add_argument("--new", type=Path, default=HERE.parent, help="default: this checkout")
    p.add_argument("--scale", default="1000,4000,16000")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--seed", type=int, default=gen_repo.DEFAULT_SEED)
    p.add_argument("--work-dir", type=Path, default=gen_repo.DEFAULT_WORK_DIR)
    p.add_argument("--json", type=Path, help="write every run as JSON")
    a = p.parse_args(argv)
    python = sys.executable
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as run.py: compiled bytecode
    env["PYTHONPYCACHEPREFIX"] = str(a.work_dir.resolve() / "pycache")
    code = {"base": str(a.base.resolve()), "new": str(a.new.resolve())}
    out: dict[str, object] = {}
    for n in (int(x) for x in a.scale.split(",")):
        spec = gen_repo.project_spec(n, a.seed)
        root, manifest = gen_repo.ensure_tree(spec, a.work_dir)
        copy = a.work_dir / f"ab-base-{n}"
        if not copy.is_dir():
            shutil.copytree(root, copy, symlinks=True)
        trees = {"base": copy, "new": root}
        for tree in trees.values():
            shutil.rmtree(tree / ".openrouter-migrate-cache", ignore_errors=True)
        single = gen_repo.relative_path(spec, spec.files // 2)
        commands = {"warm": ["check", "."], "single": ["check", single]}
        floor = [python, "-c", bench.IO_FLOOR_ALL, "."]
        runs: dict[str, list[tuple[float, float]]] = {"floor": []}
        for v in ("base", "new"):
            venv = dict(env, PYTHONPATH=code[v])
            for name, args in commands.items():
                runs[f"{v}-{name}"] = []
                for _ in range(2):  # fills the cache and the index
                    measure([python, "-m", "codemods", *args], trees[v], venv)
        measure(floor, root, env)  # the page cache
        loads = []
        for _ in range(a.repeat):
            loads.append(os.getloadavg()[0])
            runs["floor"].append(measure(floor, root, env))
            for name, args in commands.items():
                for v in ("base", "new"):
                    venv = dict(env, PYTHONPATH=code[v])
                    runs[f"{v}-{name}"].append(
                        measure([python, "-m", "codemods", *args], trees[v], venv)
                    )
        med = {
            k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
            for k, v in runs.items()
        }
        fw, fc = med["floor"]
        files = manifest["files"]
        print(f"project-{n}: {files} files, load average {min(loads):.1f}-{max(loads):.1f}")
        print("| row | median wall s | min wall s | median cpu s | wall / (a) | cpu / (a) |")
        print("|---|---:|---:|---:|---:|---:|")
        for k, (w, c) in med.items():
            low = min(x for x, _ in runs[k])
            print(f"| {k} | {w:.3f} | {low:.3f} | {c:.3f} | {w / fw:.2f} | {c / fc:.2f} |")
        sys.stdout.flush()
        out[str(n)] = {"loads": loads, "runs": runs, "single": single}
    if a.json:
        a.json.write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
