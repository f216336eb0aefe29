"""Speed of the TypeScript/JavaScript front-end on a generated 2,000-file tree.

    python benchmarks/typescript_tree.py [--files 2000] [--repeat 3]

The tree (``benchmarks/.work/ts-<files>/``, deterministic, reused): a
Next.js-like layout of ``.ts``, ``.tsx``, ``.js`` and ``.mjs`` files of
2-6 KB (components, utilities, API routes); 10% build an OpenAI client and
call it, 2% only mention "openai" in a comment, and a ``node_modules``
directory with 500 more files that must never be read. Measured: ``check``
with the cache off (``--jobs 1`` and one job per CPU), ``check`` with a
cold cache, then a warm one, and ``migrate --diff`` with the cache off.
Each row prints the median and minimum wall time of ``--repeat`` runs and
the median CPU time (user + system, the tool and its workers): on a shared
machine the CPU time is the steadier number.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / ".work"

COMPONENT = """import {{ useState }} from "react";

export interface {name}Props {{
  title: string;
  items: Array<{{ id: number; label: string }}>;
}}

export function {name}({{ title, items }}: {name}Props) {{
  const [open, setOpen] = useState(false);
  return (
    <section className="{cls}">
      <h2 onClick={{() => setOpen(!open)}}>{{title}}</h2>
      {{open && (
        <ul>
          {{items.map((item) => (
            <li key={{item.id}}>{{item.label}}</li>
          ))}}
        </ul>
      )}}
    </section>
  );
}}
"""
UTIL = """// {name}: helpers
export function {name}Sum(values: number[]): number {{
  return values.reduce((a, b) => a + b, 0);
}}

export const {name}Config = {{
  retries: {n},
  timeoutMs: {n}000,
  tags: ["a", "b", "c"],
}} as const;

export async function {name}Fetch(url: string): Promise<unknown> {{
  const res = await fetch(url, {{ headers: {{ accept: "application/json" }} }});
  if (!res.ok) throw new Error(`HTTP ${{res.status}}`);
  return res.json();
}}
"""
OPENAI = """import OpenAI from "openai";

const client = new OpenAI({{
  apiKey: process.env.OPENAI_API_KEY,
  organization: "org-{n}",
}});

const MODEL = "gpt-4o-mini" as const;

export async function {name}Ask(question: string): Promise<string> {{
  const completion = await client.chat.completions.create({{
    model: MODEL,
    messages: [{{ role: "user", content: question }}],
  }});
  return completion.choices[0].message.content ?? "";
}}

export async function {name}Embed(text: string) {{
  return client.embeddings.create({{ model: "text-embedding-3-small", input: text }});
}}
"""
JS = """"use strict";
// {name}: a CommonJS module
const path = require("path");

function {name}Join(...parts) {{
  return path.join(...parts);
}}

module.exports = {{ {name}Join, version: "{n}.0.0" }};
"""


def generate(files: int, seed: int = 7) -> Path:
    tree = WORK / f"ts-{files}"
    marker = tree / ".complete"
    if marker.exists():
        return tree
    # the tree is its own project: its result cache goes into it
    shutil.rmtree(tree, ignore_errors=True)
    for i in range(files):
        rng = random.Random(seed * 100_003 + i)
        name = f"Mod{i}"
        kind = rng.random()
        d = tree / ("app" if i % 3 == 0 else "lib") / f"group{i % 40}"
        d.mkdir(parents=True, exist_ok=True)
        if kind < 0.10:
            path, body = d / f"ai{i}.ts", OPENAI.format(name=name, n=i)
        elif kind < 0.12:
            path = d / f"note{i}.ts"
            body = "// TODO: maybe use openai here\n" + UTIL.format(name=name, n=i)
        elif kind < 0.45:
            path = d / f"{name}.tsx"
            body = COMPONENT.format(name=name, cls=f"c{i}")
        elif kind < 0.75:
            path, body = d / f"util{i}.ts", UTIL.format(name=name, n=i)
        else:
            path = d / f"mod{i}.{'mjs' if kind < 0.85 else 'js'}"
            body = JS.format(name=name, n=i)
        # pad to 2-6 KB with more of the same shape
        while len(body) < rng.randint(2000, 6000):
            body += "\n" + UTIL.format(name=f"{name}x{len(body)}", n=i)
        path.write_text(body)
    nm = tree / "node_modules" / "openai"
    nm.mkdir(parents=True, exist_ok=True)
    for i in range(500):
        (nm / f"f{i}.js").write_text('const OpenAI = require("openai"); new OpenAI();\n')
    (tree / "package.json").write_text('{ "name": "bench", "private": true }\n')
    (tree / "pyproject.toml").write_text('[project]\nname = "bench"\n')
    marker.write_text("ok\n")
    return tree


def timed(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the tool and its workers)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    p = subprocess.run(args, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode not in (0, 1):
        sys.exit(f"{' '.join(args)} exited {p.returncode}: {p.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tree = generate(args.files)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("OPENROUTER_MIGRATE_NO_CACHE", None)
    tool = [sys.executable, "-m", "codemods"]
    cache = tree / ".openrouter-migrate-cache"
    rows: list[tuple[str, list[tuple[float, float]]]] = []

    def row(label: str, argv: list[str], before=None) -> None:
        times = []
        for _ in range(args.repeat):
            if before is not None:
                before()
            times.append(timed(tool + argv, tree, env))
        rows.append((label, times))

    cpus = os.cpu_count() or 1
    row("check --no-cache -j 1", ["check", "--no-cache", "-j", "1", "."])
    row(f"check --no-cache -j {cpus}", ["check", "--no-cache", "-j", str(cpus), "."])
    row("check, cold cache -j 1", ["check", "-j", "1", "."], lambda: shutil.rmtree(cache, True))
    row("check, warm cache -j 1", ["check", "-j", "1", "."])
    row("migrate --diff --no-cache -j 1", ["migrate", "--diff", "--no-cache", "-j", "1", "."])
    shutil.rmtree(cache, ignore_errors=True)
    candidates = sum(1 for p in tree.rglob("*") if p.is_file() and "node_modules" not in p.parts)
    print(f"tree: {tree} ({candidates} files outside node_modules, 500 inside)")
    print(f"load average: {os.getloadavg()}")
    print("| run | wall median s | wall min s | CPU median s |")
    print("| --- | --- | --- | --- |")
    for label, times in rows:
        walls = [w for w, _ in times]
        cpus_ = [c for _, c in times]
        print(
            f"| {label} | {statistics.median(walls):.2f} | {min(walls):.2f} "
            f"| {statistics.median(cpus_):.2f} |"
        )


if __name__ == "__main__":
    main()
