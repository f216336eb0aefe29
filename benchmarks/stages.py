"""What each stage of the engine costs per file (issue 13 item 4).

Runs the engine in this process over a tree (default: the dense benchmark
tree, every file uses the SDK), the way the first round of ``check
--no-cache --jobs 1`` does (``engine.analyze_ahead``: a file whose public
functions take a client is also analysed, on the same tree, with what the
second round tells it when no other module calls them; the second round
then has nothing left to do on this tree), and times each stage by
wrapping it::

    python benchmarks/stages.py [--tree DIR] [--files N]

Stages: parse (``libcst.parse_module``), facts (``analysis.collect``), rules
(every checker), positions (``engine._Positions``: building it and each
``range``/``splice``), verify (the check that fixed code compiles),
suppressions, and the rest (fix application, findings, the project
summary). Prints milliseconds per file, and the parse-only time of the same
files for the ratio. Timings include the wrappers' own overhead (a few
microseconds per call). The clock is the process's CPU time
(``time.process_time``): on a shared machine, other processes' load does
not change it much (``--wall`` for wall time).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def main(argv: list[str] | None = None) -> int:
    import gen_repo

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tree", type=Path, help="a tree of .py files (default: the dense tree)")
    p.add_argument("--files", type=int, default=300, help="files to run (default 300)")
    p.add_argument("--wall", action="store_true", help="wall time instead of CPU time")
    args = p.parse_args(argv)
    clock = time.perf_counter if args.wall else time.process_time
    root = args.tree
    if root is None:
        root, _ = gen_repo.ensure_tree(gen_repo.dense_spec())
    paths = sorted(str(x) for x in Path(root).rglob("*.py"))[: args.files]
    datas = [Path(x).read_bytes() for x in paths]

    import libcst

    import codemods.core.suppress as suppress
    import codemods.python.analysis as analysis
    import codemods.python.engine as engine
    import codemods.python.rules as rules
    from codemods.core.runner import _restore_gc, _tune_gc

    spent: dict[str, float] = defaultdict(float)

    def timed(name, fn):
        def wrapper(*a, **k):
            t = clock()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += clock() - t

        return wrapper

    real_parse = libcst.parse_module
    libcst.parse_module = timed("parse", real_parse)
    analysis.collect = timed("facts", analysis.collect)
    rules.CHECKERS[:] = [timed("rules", c) for c in rules.CHECKERS]
    for attr in ("__init__", "range", "splice"):
        setattr(engine._Positions, attr, timed("positions", getattr(engine._Positions, attr)))
    engine._verify_statements = timed("verify", engine._verify_statements)
    engine._verify = timed("verify", engine._verify)
    suppress.Suppressions.from_source = classmethod(
        timed("suppressions", suppress.Suppressions.from_source.__func__)
    )

    config = engine.EngineConfig()
    config.table()
    old = _tune_gc()
    t0 = clock()
    ahead = 0
    for path, data in zip(paths, datas):
        ahead += engine.analyze_ahead(path, data, config, os.path.realpath(path))[2] is not None
    total = clock() - t0
    _restore_gc(old)

    gc.collect()
    old = _tune_gc()
    t0 = clock()
    for data in datas:
        real_parse(data)
    parse_only = clock() - t0
    _restore_gc(old)

    n = len(paths)
    known = sum(spent.values())
    print(f"{n} files of {root} ({statistics.mean(len(d) for d in datas) / 1000:.1f} KB avg); "
          f"{ahead} also analysed ahead for the second round (no parse)")  # fmt: skip
    print(f"{'stage':<14} {'ms/file':>8} {'share':>6}")
    for name in ("parse", "facts", "rules", "positions", "verify", "suppressions"):
        print(f"{name:<14} {spent[name] / n * 1000:8.2f} {spent[name] / total:6.0%}")
    rest = total - known
    print(f"{'rest':<14} {rest / n * 1000:8.2f} {rest / total:6.0%}")
    print(f"{'total':<14} {total / n * 1000:8.2f}")
    print(f"parse-only of the same files: {parse_only / n * 1000:.2f} ms/file; "
          f"engine throughput / parse-only: {parse_only / total:.2f}")  # fmt: skip
    print(f"clock: {'wall' if args.wall else 'process CPU time'}; load: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
