"""Do two versions of the tool give the same output? (A speed change must not
change a finding or a fix.)

Runs ``check --output-format json`` and ``migrate --diff`` (each with and
without ``--unsafe-fixes``, ``--no-cache``) of a base checkout and of this
one on each tree, and compares stdout, stderr and the exit code byte for
byte::

    python benchmarks/parity.py --base /tmp/main-export [--jobs 1] TREE...

``--base`` is a directory holding a ``codemods/`` package (``git archive
main | tar -x -C DIR``). Trees: any directories (the fixtures, the
benchmark trees under ``benchmarks/.work/``); ``--fixtures`` adds every
directory of ``fixtures/``. Each command runs with the tree as its working
directory and ``.`` as its path. Exit 1 when any output differs (the first
differing lines are printed).
"""

from __future__ import annotations

import argparse
import difflib
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

COMMANDS = (
    ("check", "--output-format", "json"),
    ("check", "--output-format", "json", "--unsafe-fixes"),
    ("migrate", "--diff"),
    ("migrate", "--diff", "--unsafe-fixes"),
)


def run(code: Path, tree: Path, args: tuple[str, ...], jobs: int) -> tuple[int, bytes, bytes]:
    env = dict(os.environ, PYTHONPATH=str(code), OPENROUTER_MIGRATE_NO_CACHE="1")
    cmd = [sys.executable, "-m", "codemods", *args, "--no-cache", "--jobs", str(jobs), "."]
    p = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, check=False)
    return p.returncode, p.stdout, p.stderr


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", type=Path, required=True, help="a checkout holding codemods/")
    p.add_argument("--new", type=Path, default=ROOT, help="the other (default: this checkout)")
    p.add_argument("--jobs", type=int, default=1)
    p.add_argument("--fixtures", action="store_true", help="every directory of fixtures/")
    p.add_argument("trees", nargs="*", type=Path)
    args = p.parse_args(argv)
    trees = list(args.trees)
    if args.fixtures:
        trees += sorted(d for d in (ROOT / "fixtures").iterdir() if d.is_dir())
    if not trees:
        p.error("no tree given")
    differ = 0
    for tree in trees:
        for cmd in COMMANDS:
            base = run(args.base.resolve(), tree.resolve(), cmd, args.jobs)
            new = run(args.new.resolve(), tree.resolve(), cmd, args.jobs)
            same = base == new
            label = f"{tree}: {' '.join(cmd)}"
            print(f"{'same' if same else 'DIFFERENT'}  {label}  (exit {base[0]}, "
                  f"{len(base[1])} bytes out)", flush=True)  # fmt: skip
            if same:
                continue
            differ += 1
            if base[0] != new[0]:
                print(f"  exit {base[0]} -> {new[0]}")
            for name, a, b in (("stdout", base[1], new[1]), ("stderr", base[2], new[2])):
                if a == b:
                    continue
                lines = difflib.unified_diff(
                    a.decode("utf-8", "replace").splitlines(),
                    b.decode("utf-8", "replace").splitlines(),
                    f"base {name}",
                    f"new {name}",
                    lineterm="",
                    n=1,
                )
                for i, line in enumerate(lines):
                    if i >= 40:
                        print("  ...")
                        break
                    print("  " + line)
    print(f"{differ} of {len(trees) * len(COMMANDS)} outputs differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
