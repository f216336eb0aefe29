"""End to end for the TypeScript/JavaScript front-end: migrated Node apps run
with the real ``openai`` npm package against the local OpenRouter-like
server (tests/e2e_server.py), and reach it correctly.

The packages (``openai``, and ``typescript`` with ``@types/node`` to
compile the TypeScript apps with tsc, type-checked against the SDK's own
types, so that they run on any node) are installed once per session with
``npm install`` into a temporary directory (its npm cache too). Where
``node``/``npm`` are absent the tests are skipped with a message; under
``CI=true`` with node present, a failed install (no tsc) fails them. Each
app (``fixtures/e2e_apps_js/<name>/``) is

1. migrated by the real CLI (``--base-url`` the server, ``--app-url``,
   ``--app-title``), then run with only ``OPENROUTER_API_KEY`` set; every
   request must go to ``/api/v1/...`` with ``Bearer <the OpenRouter key>``, an
   ``openai/`` model ID, ``HTTP-Referer`` and ``X-Title``, and no
   ``OpenAI-Organization``/``OpenAI-Project``; the app (compiled first, for
   TypeScript: a compile error fails it) exits 0;
2. run unmigrated, as it runs today (``OPENAI_API_KEY``, ``OPENAI_ORG_ID``,
   ``OPENAI_BASE_URL`` at the same server), and must fail the same checks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e_server import FakeOpenRouter
from tests.test_e2e_apps import (
    APP_TITLE,
    APP_URL,
    CHAT,
    EMBEDDINGS,
    OPENAI_KEY,
    OPENROUTER_KEY,
    RESPONSES,
    AppRun,
    Proc,
    _base_env,
    _proc,
)

ROOT = Path(__file__).resolve().parent.parent
APPS_DIR = ROOT / "fixtures" / "e2e_apps_js"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
#: the npm packages installed for the apps: the SDK they import, and tsc with
#: node's types to compile (and type-check) the TypeScript apps, so they run
#: on any node (no --experimental-strip-types, node >= 22.6); the newest of
#: each: pin a major here if one breaks them
OPENAI_NPM = "openai"
NPM_PACKAGES = (OPENAI_NPM, "typescript", "@types/node")

#: Deno-style apps run under node: ``Deno.env`` and ``npm:`` specifiers
DENO_SHIM = """\
import { register } from "node:module";
globalThis.Deno = { env: { get: (name) => process.env[name] } };
register("data:text/javascript," + encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier.startsWith("npm:")) {
    specifier = specifier.slice(4).replace(/(?<=.)@[^/]*$/, "");
  }
  return next(specifier, context);
}`));
"""


@dataclass(frozen=True)
class NodeApp:
    argv: tuple[str, ...]  # after `node`, in the app's directory (after the build)
    endpoints: frozenset[str]
    # "tsc": `tsc -p .` (type-checked); "transpile": one file, not checked
    # (Deno's globals and npm: specifiers are not node's)
    build: str | None = None
    deno: bool = False


APPS: dict[str, NodeApp] = {
    "node_esm": NodeApp(("index.mjs",), frozenset({CHAT, EMBEDDINGS})),
    "commonjs": NodeApp(("app.cjs",), frozenset({CHAT})),
    "node_stream": NodeApp(("app.mjs",), frozenset({CHAT})),
    # a stream returned by a function, its chunk passed to a helper, and
    # `const [choice] = chunk.choices`: the guards the loops get
    "node_stream_helpers": NodeApp(("app.mjs",), frozenset({CHAT})),
    "typescript_class": NodeApp(("dist/app.mjs",), frozenset({RESPONSES}), build="tsc"),
    # a Next.js-shaped TSX app: the client exported by lib/openai.ts and used
    # by the routes (the cross-module pass), a model constant imported by one
    "nextjs_app": NodeApp(("dist/server.js",), frozenset({CHAT, EMBEDDINGS}), build="tsc"),
    "deno_app": NodeApp(("dist/main.js",), frozenset({CHAT}), build="transpile", deno=True),
    # a client reached through re-exports (`export *`, `export { a as b }`),
    # one of them in a default-exported function: every file moves together
    "reexports_app": NodeApp(("dist/main.js",), frozenset({CHAT, EMBEDDINGS}), build="tsc"),
    # clients built by factories (a memoised `getOpenAI()`, an arrow) and used
    # where they are called, in other modules: each moves with those calls
    "factory_app": NodeApp(("dist/main.js",), frozenset({CHAT, EMBEDDINGS}), build="tsc"),
    # clients from an async memoised factory awaited where it is called, and
    # from a factory returning another factory's call: each moves with them
    "async_factory_app": NodeApp(("dist/main.js",), frozenset({CHAT, EMBEDDINGS}), build="tsc"),
    # model constants read through `import * as config` and through an
    # `export * from` index: rewritten where they are defined
    "constants_app": NodeApp(("dist/main.js",), frozenset({CHAT, EMBEDDINGS}), build="tsc"),
    # openai's class loaded with `await import("openai")` where it is used
    "dynamic_import": NodeApp(("app.mjs",), frozenset({CHAT, EMBEDDINGS})),
}


@pytest.fixture(scope="session")
def node_sdk() -> Iterator[tuple[str, Path]]:
    """(node executable, a directory whose node_modules has the packages)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:  # .ci/run installs them where it can, and says so
        pytest.skip("node/npm are not installed: the Node end-to-end tests need them")
    tmp = Path(tempfile.mkdtemp(prefix="e2e-node-"))
    try:
        p = subprocess.run(
            [
                npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--no-save",
                "--loglevel=error",
                "--cache",
                str(tmp / ".npm-cache"),
                "--prefix",
                str(tmp),
                *NPM_PACKAGES,
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        missing = [name for name in NPM_PACKAGES if not (tmp / "node_modules" / name).is_dir()]
        if p.returncode != 0 or missing:
            message = f"`npm install {' '.join(NPM_PACKAGES)}` failed: {p.stderr[-2000:]}"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
        (tmp / "deno-shim.mjs").write_text(DENO_SHIM, encoding="utf-8")
        yield node, tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _build(app: NodeApp, node: str, sdk_dir: Path, work: Path, env: dict[str, str]) -> Proc | None:
    """Compile a TypeScript app with the installed tsc (None: nothing to build)."""
    if app.build is None:
        return None
    tsc = [node, str(sdk_dir / "node_modules" / "typescript" / "bin" / "tsc")]
    if app.build == "tsc":
        return _proc([*tsc, "-p", "."], work, env, timeout=180)
    (work / "dist").mkdir(exist_ok=True)
    (work / "dist" / "package.json").write_text('{ "type": "module" }\n', encoding="utf-8")
    sources = [str(p.relative_to(work)) for p in sorted(work.glob("*.ts"))]
    options = ["--noCheck", "--target", "es2022", "--module", "esnext", "--outDir", "dist"]
    return _proc([*tsc, *options, *sources], work, env, timeout=180)


def run_node_app(name: str, node: str, sdk_dir: Path, migrated: bool) -> AppRun:
    app = APPS[name]
    work = sdk_dir / "apps" / f"{name}-{'migrated' if migrated else 'original'}"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(APPS_DIR / name, work)  # node_modules is found in sdk_dir
    home = work.parent / "home"
    home.mkdir(exist_ok=True)
    with FakeOpenRouter() as server:
        migrate: Proc | None = None
        if migrated:
            cli_env = {**os.environ, "PYTHONPATH": str(ROOT)}
            for k in list(cli_env):
                if k.startswith("OPENROUTER_MIGRATE_"):
                    del cli_env[k]
            migrate = _proc(
                [
                    sys.executable,
                    "-m",
                    "codemods",
                    "migrate",
                    "--no-cache",
                    "--base-url",
                    server.base_url,
                    "--app-url",
                    APP_URL,
                    "--app-title",
                    APP_TITLE,
                    ".",
                ],
                work,
                cli_env,
                timeout=180,
            )
        env = _base_env(server, home)
        env["OPENROUTER_API_KEY"] = OPENROUTER_KEY
        if not migrated:  # how the app runs today, with "api.openai.com" at this server
            env["OPENAI_API_KEY"] = OPENAI_KEY
            env["OPENAI_ORG_ID"] = "org-e2e"
            env["OPENAI_BASE_URL"] = server.url + "/v1"
        build = _build(app, node, sdk_dir, work, env)
        if build is not None and build.returncode != 0:
            run = build  # the compiler's errors are the run's
        else:
            shim = ["--import", (sdk_dir / "deno-shim.mjs").as_uri()] if app.deno else []
            run = _proc([node, *shim, *app.argv], work, env, timeout=60)
        requests = server.requests
    sources = {
        str(p.relative_to(work)): p.read_text(encoding="utf-8")
        for p in sorted(work.rglob("*"))
        if p.suffix in (".mjs", ".cjs", ".js", ".mts", ".ts", ".tsx")
        and "dist" not in p.relative_to(work).parts
    }
    return AppRun(migrate, run, requests, sources)


def violations(name: str, result: AppRun) -> list[str]:
    """Why ``result`` is not an app that works on OpenRouter (empty: it is)."""
    endpoints = APPS[name].endpoints
    out: list[str] = []
    if result.migrate is not None and result.migrate.returncode != 0:
        out.append(f"migrate exited {result.migrate.returncode}")
    if result.run.returncode != 0:
        out.append(f"the app exited {result.run.returncode}")
    if not result.requests:
        out.append("no request reached the server")
    seen = set()
    for r in result.requests:
        where = f"{r.method} {r.path}"
        if r.proxied:
            out.append(f"{where}: sent to another host (through the proxy)")
            continue
        path = r.path.split("?")[0]
        seen.add(path)
        if not path.startswith("/api/v1/"):
            out.append(f"{where}: path is not under /api/v1/")
        if r.header("authorization") != f"Bearer {OPENROUTER_KEY}":
            out.append(f"{where}: Authorization is not `Bearer <the OpenRouter key>`")
        if r.method == "POST":
            model = r.body.get("model") if isinstance(r.body, dict) else None
            if not (isinstance(model, str) and model.startswith("openai/")):
                out.append(f"{where}: model {model!r} has no openai/ prefix")
        if r.header("http-referer") != APP_URL:
            out.append(f"{where}: HTTP-Referer is {r.header('http-referer')!r}")
        if r.header("x-title") != APP_TITLE:
            out.append(f"{where}: X-Title is {r.header('x-title')!r}")
        for h in ("openai-organization", "openai-project"):
            if r.header(h) is not None:
                out.append(f"{where}: sends {h}")
        if not 200 <= r.status < 300:
            out.append(f"{where}: answered {r.status}")
    for path in sorted(endpoints - seen):
        out.append(f"never called {path}")
    return out


@pytest.mark.parametrize("name", sorted(APPS))
def test_migrated_node_app_works_on_openrouter(name: str, node_sdk) -> None:
    node, sdk_dir = node_sdk
    result = run_node_app(name, node, sdk_dir, migrated=True)
    problems = violations(name, result)
    assert not problems, "\n".join(problems) + "\n" + result.describe()


@pytest.mark.parametrize("name", sorted(APPS))
def test_unmigrated_node_app_fails_the_same_checks(name: str, node_sdk) -> None:
    node, sdk_dir = node_sdk
    result = run_node_app(name, node, sdk_dir, migrated=False)
    # it runs as it does today (it compiles, and reaches the server) ...
    assert result.requests, result.describe()
    # ... but not on OpenRouter
    assert violations(name, result), result.describe()


def test_every_node_app_is_listed() -> None:
    assert sorted(p.name for p in APPS_DIR.iterdir() if p.is_dir()) == sorted(APPS)
