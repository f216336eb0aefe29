"""End to end for the TypeScript/JavaScript front-end: migrated Node apps run
with the real ``openai`` npm package against the local OpenRouter-like
server (tests/e2e_server.py), and reach it correctly.

The package is installed once per session with ``npm install`` into a
temporary directory (its npm cache too). Where ``node``/``npm`` are absent
the tests are skipped with a message; under ``CI=true`` with node present, a
failed install fails them. Each app (``fixtures/e2e_apps_js/<name>/``) is

1. migrated by the real CLI (``--base-url`` the server, ``--app-url``,
   ``--app-title``), then run with only ``OPENROUTER_API_KEY`` set; every
   request must go to ``/api/v1/...`` with ``Bearer <the OpenRouter key>``, an
   ``openai/`` model ID, ``HTTP-Referer`` and ``X-Title``, and no
   ``OpenAI-Organization``/``OpenAI-Project``; the app exits 0;
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
#: the npm package the apps import (the newest; pin a major here if one breaks them)
OPENAI_NPM = "openai"

# name -> (command after `node`, endpoints it must call, needs TypeScript stripping)
APPS: dict[str, tuple[tuple[str, ...], frozenset[str], bool]] = {
    "node_esm": (("index.mjs",), frozenset({CHAT, EMBEDDINGS}), False),
    "commonjs": (("app.cjs",), frozenset({CHAT}), False),
    "node_stream": (("app.mjs",), frozenset({CHAT}), False),
    "typescript_class": (
        ("--experimental-strip-types", "--no-warnings", "app.mts"),
        frozenset({RESPONSES}),
        True,
    ),
}


def _node_can_strip_types(node: str) -> bool:
    p = subprocess.run(
        [node, "--experimental-strip-types", "-e", "0"], capture_output=True, check=False
    )
    return p.returncode == 0


@pytest.fixture(scope="session")
def node_sdk() -> Iterator[tuple[str, Path]]:
    """(node executable, a directory whose node_modules has the openai package)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
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
                OPENAI_NPM,
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if p.returncode != 0 or not (tmp / "node_modules" / "openai").is_dir():
            message = f"`npm install {OPENAI_NPM}` failed: {p.stderr[-2000:]}"
            if IN_CI:
                pytest.fail(message)
            pytest.skip(message)
        yield node, tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_node_app(name: str, node: str, sdk_dir: Path, migrated: bool) -> AppRun:
    argv, _, _ = APPS[name]
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
        run = _proc([node, *argv], work, env, timeout=60)
        requests = server.requests
    sources = {
        p.name: p.read_text(encoding="utf-8")
        for p in sorted(work.iterdir())
        if p.suffix in (".mjs", ".cjs", ".js", ".mts", ".ts")
    }
    return AppRun(migrate, run, requests, sources)


def violations(name: str, result: AppRun) -> list[str]:
    """Why ``result`` is not an app that works on OpenRouter (empty: it is)."""
    _, endpoints, _ = APPS[name]
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


def _skip_without_type_stripping(name: str, node: str) -> None:
    if APPS[name][2] and not _node_can_strip_types(node):
        pytest.skip("this node cannot run TypeScript (--experimental-strip-types: node >= 22.6)")


@pytest.mark.parametrize("name", sorted(APPS))
def test_migrated_node_app_works_on_openrouter(name: str, node_sdk) -> None:
    node, sdk_dir = node_sdk
    _skip_without_type_stripping(name, node)
    result = run_node_app(name, node, sdk_dir, migrated=True)
    problems = violations(name, result)
    assert not problems, "\n".join(problems) + "\n" + result.describe()


@pytest.mark.parametrize("name", sorted(APPS))
def test_unmigrated_node_app_fails_the_same_checks(name: str, node_sdk) -> None:
    node, sdk_dir = node_sdk
    _skip_without_type_stripping(name, node)
    result = run_node_app(name, node, sdk_dir, migrated=False)
    assert violations(name, result), result.describe()


def test_every_node_app_is_listed() -> None:
    assert sorted(p.name for p in APPS_DIR.iterdir() if p.is_dir()) == sorted(APPS)
