"""A/B of the cold row: two versions of the tool, interleaved in each round.

For each size of the project-shaped series (``gen_repo.project_spec``), each
round runs (b) ``necessary`` (read every file, parse the files that need
it, one process), then ``check --no-cache .`` of the base version and of
this one, so that all three see the same machine load; prints the median
wall and CPU seconds, the ratios to (b) in wall and in CPU, the largest
memory of the tool's process tree (PSS, as ``run.py``'s ``tree MB``), and
the load average::

    git -C /work/main archive main | tar -x -C /tmp/base
    python benchmarks/cold_ab.py --base /tmp/base --scale 4000,16000 --repeat 3

``--no-cache`` writes nothing, so both versions run on the same tree (the
one ``run.py`` generates under ``benchmarks/.work/``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_repo  # noqa: E402
from run import NECESSARY_ALL, _uptime, measure  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", type=Path, required=True, help="a checkout holding codemods/")
    p.add_argument("--new", type=Path, default=HERE.parent, help="default: this checkout")
    p.add_argument("--scale", default="4000,16000")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--jobs", default="", help="pass --jobs N to both versions")
    p.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="another checkout to measure in the same rounds (repeatable)",
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--work-dir", type=Path, default=HERE / ".work")
    args = p.parse_args(argv)
    python = sys.executable
    base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    base_env["PYTHONPYCACHEPREFIX"] = str(args.work_dir / "pycache")
    extra = ["--jobs", args.jobs] if args.jobs else []
    for n in (int(s) for s in args.scale.split(",")):
        spec = gen_repo.project_spec(n, args.seed)
        root, manifest = gen_repo.ensure_tree(spec, args.work_dir)
        parse_too = args.work_dir / f"project-{n}.parse.json"
        parse_too.write_text(json.dumps(manifest.get("parse_too", [])), encoding="utf-8")
        rows = {
            "(b) necessary": ([python, "-c", NECESSARY_ALL, str(root), str(parse_too)], None),
            "base cold": (
                [python, "-m", "codemods", "check", "--no-cache", *extra, "."],
                args.base,
            ),
            "new cold": ([python, "-m", "codemods", "check", "--no-cache", *extra, "."], args.new),
        }
        for also in args.also:
            name, _, where = also.partition("=")
            rows[f"{name} cold"] = (
                [python, "-m", "codemods", "check", "--no-cache", *extra, "."],
                Path(where),
            )
        runs: dict[str, list] = {k: [] for k in rows}
        loads = [_uptime()]
        measure([python, "-c", NECESSARY_ALL, str(root), str(parse_too)], root, base_env, False)
        for _ in range(args.repeat):
            for name, (cmd, code) in rows.items():
                env = dict(base_env)
                if code is not None:
                    env["PYTHONPATH"] = str(code)
                run = measure(cmd, root, env, code is not None)
                if run.exit_code not in (0, 1) or run.traceback:
                    print(
                        f"{name}: exit {run.exit_code}: {run.stderr_tail[-300:]}", file=sys.stderr
                    )
                    return 2
                runs[name].append(run)
            loads.append(_uptime())
        print(f"project-{n}: {manifest['files']} files; load averages: {'; '.join(loads)}")
        b_wall = statistics.median(r.wall_s for r in runs["(b) necessary"])
        b_cpu = statistics.median(r.cpu_s for r in runs["(b) necessary"])
        print(
            f"{'row':16} {'wall s':>8} {'cpu s':>8} {'wall/(b)':>9} {'cpu/(b)':>8} {'tree MB':>8}"
        )
        for name, rs in runs.items():
            wall = statistics.median(r.wall_s for r in rs)
            cpu = statistics.median(r.cpu_s for r in rs)
            mem = max(r.tree_mb for r in rs)
            print(
                f"{name:16} {wall:8.3f} {cpu:8.3f} {wall / b_wall:9.2f} {cpu / b_cpu:8.2f} "
                f"{mem if mem else float('nan'):8.1f}"
            )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
