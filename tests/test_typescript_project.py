"""The TypeScript/JavaScript cross-module pass (codemods/typescript/project.py):
a client exported by one module and used in another, model constants
imported across modules, per-client decisions with every module's uses,
and how import specifiers are resolved."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from codemods.cli import main
from codemods.typescript.project import resolve
from tests.helpers import cli_runner


def _tree(root: Path, files: dict[str, str]) -> Path:
    (root / ".git").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def _check(root: Path, *args: str) -> str:
    old = os.getcwd()
    os.chdir(root)
    try:
        out = cli_runner().invoke(main, ["check", "--no-cache", *args])
    finally:
        os.chdir(old)
    return out.stdout


def _migrate(root: Path, *args: str) -> None:
    old = os.getcwd()
    os.chdir(root)
    try:
        out = cli_runner().invoke(main, ["migrate", "--no-cache", "--allow-dirty", *args])
    finally:
        os.chdir(old)
    assert out.exit_code == 0, out.output


LIB = """
import OpenAI from "openai";
export const openai = new OpenAI();
export const MODEL = "gpt-4o-mini";
"""


def test_an_exported_client_moves_with_the_calls_other_modules_make(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "lib/openai.ts": LIB,
            "app/route.ts": """
            import { openai, MODEL } from "../lib/openai";
            export async function POST() {
              await openai.chat.completions.create({ model: "gpt-4o", messages: [] });
              return openai.chat.completions.create({ model: MODEL, messages: [] });
            }
            """,
        },
    )
    out = _check(root, ".")
    assert "lib/openai.ts:2:23: OR101 [*]" in out, out
    assert "app/route.ts:3:50: OR201 [*] model 'gpt-4o'" in out, out
    # the constant is rewritten where it is defined, the read counted there
    assert (
        "lib/openai.ts:3:23: OR201 [*] model 'gpt-4o-mini' (through MODEL, also sent as "
        "model in ../app/route.ts)" in out
    ), out
    assert "OR205" not in out and "unsafe" not in out, out
    _migrate(root, ".")
    assert 'model: "openai/gpt-4o"' in (root / "app/route.ts").read_text()
    lib = (root / "lib/openai.ts").read_text()
    assert 'baseURL: "https://openrouter.ai/api/v1"' in lib
    assert 'MODEL = "openai/gpt-4o-mini"' in lib
    again = _check(root, ".")
    assert "[*]" not in again and "OR1" not in again and "OR2" not in again, again


def test_a_client_used_elsewhere_only_for_unserved_endpoints_stays_on_openai(
    tmp_path: Path,
) -> None:
    # openai-assistants-quickstart's shape: the client module has no call,
    # the routes use it for assistants and files only; they name no `openai`
    # (the prefilter skips them: the project pass reads them)
    root = _tree(
        tmp_path,
        {
            "app/llm.ts": 'import OpenAI from "openai";\nconst c = new OpenAI();\nexport default c;\n',
            "app/api/assistants/route.ts": """
            import client from "@/app/llm";
            export async function POST() {
              return client.beta.assistants.create({ model: "gpt-4o", tools: [] });
            }
            """,
            "app/api/files/route.ts": """
            import llm from "../../llm.js";
            export async function POST(file: File) {
              return llm.files.create({ file, purpose: "assistants" });
            }
            """,
            "tsconfig.json": '{ "compilerOptions": { "paths": { "@/*": ["./*"] } } }\n',
        },
    )
    out = _check(root, ".")
    assert "app/llm.ts:2:11: OR119" in out, out
    assert "also in api/assistants/route.ts:3, api/files/route.ts:3" in out, out
    assert "OR101" not in out and "OR201" not in out and "OR301" not in out, out


def test_a_use_the_tool_cannot_follow_makes_the_move_unsafe(tmp_path: Path) -> None:
    files = {
        "lib/openai.ts": LIB,
        "app/route.ts": """
        import { openai } from "../lib/openai";
        await openai.chat.completions.create({ model: "gpt-4o", messages: [] });
        """,
    }
    for extra in (
        'export { openai } from "../lib/openai";\n',  # a re-export
        'import { openai } from "../lib/openai";\nregister(openai);\n',  # passed on
        'import * as lib from "../lib/openai";\nregister(lib);\n',  # module passed on
        'const lib = await import("../lib/openai");\n',  # a dynamic import
    ):
        root = _tree(tmp_path / str(abs(hash(extra))), {**files, "app/other.ts": extra})
        out = _check(root, ".")
        assert "lib/openai.ts:2:23: OR101 `new OpenAI(...)`" in out, (extra, out)
        assert "not all of its uses are known" in out, (extra, out)
        assert (
            "app/route.ts:2:48: OR201 model 'gpt-4o' is not an OpenRouter ID: use "
            "'openai/gpt-4o'; unsafe fix: it moves with its client" in out
        ), (extra, out)


def test_namespace_and_commonjs_imports_are_followed(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "lib/index.js": """
            const OpenAI = require("openai");
            const client = new OpenAI();
            module.exports = { client };
            """,
            "main.cjs": """
            const { client } = require("./lib");
            const lib = require("./lib/index.js");
            async function main() {
              await client.chat.completions.create({ model: "gpt-4o", messages: [] });
              await lib.client.embeddings.create({ model: "text-embedding-3-small", input: "x" });
            }
            """,
            "esm.mts": """
            import * as lib from "./lib/index.js";
            await lib.client.chat.completions.create({ model: "gpt-4o-mini", messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "lib/index.js:2:16: OR101 [*]" in out, out
    assert out.count("OR201 [*]") == 3 and "unsafe" not in out, out


def test_an_unresolved_importer_keeps_the_export_unsafe(tmp_path: Path) -> None:
    # a bare package name, or an alias without a tsconfig: not a file of the run
    root = _tree(
        tmp_path,
        {
            "lib/openai.ts": LIB,
            "app/route.ts": """
            import { openai } from "@/lib/openai";
            await openai.chat.completions.create({ model: "gpt-4o", messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "no file of this run imports it by a path the tool follows" in out, out
    assert "the client of a call it reaches is not resolved" in out, out


def test_model_constants_read_for_something_else_elsewhere_are_shared(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "config.ts": 'export const CHAT_MODEL = "gpt-4o";\n',
            "lib/openai.ts": 'import OpenAI from "openai";\nexport const openai = new OpenAI();\n',
            "app.ts": """
            import { CHAT_MODEL } from "./config";
            import { openai } from "./lib/openai";
            console.log(`using ${CHAT_MODEL}`);
            await openai.chat.completions.create({ model: CHAT_MODEL, messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "config.ts:1:28: OR206 model constant CHAT_MODEL ('gpt-4o')" in out, out
    # kept bare there: the client it is sent through cannot move with it
    assert "'gpt-4o' (OR206) at config.ts:1" in _line(out, "app.ts:4:40: OR205"), out
    assert "`CHAT_MODEL` (OR205) at ../app.ts:4" in _line(out, "lib/openai.ts:2:23: OR101")
    assert "[*]" not in out, out


def test_a_file_named_alone_gets_what_the_tree_gives_it(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "lib/openai.ts": LIB,
            "app/route.ts": """
            import { openai } from "../lib/openai";
            await openai.chat.completions.create({ model: "gpt-4o", messages: [] });
            """,
        },
    )
    whole = [ln for ln in _check(root, ".").splitlines() if ln.startswith("app/route.ts")]
    alone = _check(root, "app/route.ts").splitlines()
    assert whole and alone[: len(whole)] == whole
    assert alone[0].startswith("app/route.ts:2:48: OR201 [*]"), alone


@pytest.mark.parametrize("marker", ["package.json", "tsconfig.json"])
def test_a_file_named_alone_finds_its_project_by_package_json(tmp_path: Path, marker: str) -> None:
    # no .git, no pyproject.toml (a fresh checkout, a tarball): before, the
    # file named alone had no context, and a model constant its module
    # keeps as it is let the client move
    root = _tree(
        tmp_path / "web",
        {
            marker: "{}\n",
            "src/config.ts": 'export const MODEL = "o1-mini";\n',
            "src/app.ts": """
            import OpenAI from "openai";
            import { MODEL } from "./config";
            const client = new OpenAI();
            export const ask = () => client.chat.completions.create({ model: MODEL, messages: [] });
            """,
        },
    )
    (root / ".git").rmdir()
    whole = [ln for ln in _check(root, ".").splitlines() if ln.startswith("src/app.ts")]
    alone = _check(root, "src/app.ts").splitlines()
    assert len(whole) == 2 and alone[:2] == whole, (whole, alone)
    assert "[*]" not in whole[0] and "OR205" in whole[1], whole


def test_workers_and_the_cache_give_the_same_results(tmp_path: Path, monkeypatch) -> None:
    root = _tree(
        tmp_path,
        {
            "lib/openai.ts": LIB,
            "app/a.ts": """
            import { openai, MODEL } from "../lib/openai";
            await openai.chat.completions.create({ model: MODEL, messages: [] });
            """,
            "app/b.ts": """
            import { openai } from "../lib/openai";
            await openai.files.create({ file, purpose: "batch" });
            """,
        },
    )
    monkeypatch.chdir(root)
    monkeypatch.delenv("OPENROUTER_MIGRATE_NO_CACHE", raising=False)
    runner = cli_runner()
    outs = [
        runner.invoke(main, ["check", *args, "."]).stdout
        for args in (["--no-cache", "-j", "1"], ["--no-cache", "-j", "2"], ["-j", "1"], ["-j", "2"])
    ]
    assert len(set(outs)) == 1, outs
    assert "OR101 [*]" in outs[0] and "OR301" in outs[0]


@pytest.mark.parametrize(
    ("specifier", "expected"),
    [
        ("./lib/openai", "lib/openai.ts"),
        ("./lib/openai.js", "lib/openai.ts"),  # TypeScript's ESM convention
        ("./lib", "lib/index.ts"),
        ("./esm.mjs", "esm.mts"),
        ("./cjs.cjs", "cjs.cts"),
        ("./plain.js", "plain.js"),
        ("./view", "view.tsx"),
        ("./view.jsx", "view.tsx"),
        ("@/lib/openai", "lib/openai.ts"),  # tsconfig paths
        ("~/exact", "lib/openai.ts"),
        ("openai", None),  # a package
        ("@scope/pkg", None),
        ("./missing", None),
    ],
)
def test_specifiers_resolve_to_files_of_the_run(
    tmp_path: Path, specifier: str, expected: str | None
) -> None:
    names = [
        "lib/openai.ts",
        "lib/index.ts",
        "esm.mts",
        "cjs.cts",
        "plain.js",
        "view.tsx",
    ]
    (tmp_path / "tsconfig.json").write_text(
        "{\n  // comments and trailing commas, as tsc allows\n"
        '  "compilerOptions": { "baseUrl": ".", "paths": {\n'
        '    "@/*": ["./*"], "~/exact": ["lib/openai.ts"],\n  }, },\n}\n'
    )
    files = {str(tmp_path / n): n for n in names}
    found = resolve(str(tmp_path / "app.ts"), specifier, files)
    assert (files[found] if found else None) == expected


def test_a_client_and_its_importers_are_written_together_or_not_at_all(tmp_path: Path) -> None:
    import subprocess

    root = _tree(
        tmp_path,
        {
            "lib/openai.ts": 'import OpenAI from "openai";\nexport const openai = new OpenAI();\n',
            "app.ts": """
            import { openai } from "./lib/openai";
            await openai.chat.completions.create({ model: "gpt-4o", messages: [] });
            """,
        },
    )
    (root / ".git").rmdir()
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=root, check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=root, check=True)
    with (root / "app.ts").open("a") as fh:
        fh.write("// a local edit\n")
    before = (root / "lib/openai.ts").read_bytes()
    old = os.getcwd()
    os.chdir(root)
    try:
        out = cli_runner().invoke(main, ["migrate", "--no-cache", "."])
    finally:
        os.chdir(old)
    assert out.exit_code == 2, out.output
    assert "its fixes were decided together with app.ts" in out.output
    assert (root / "lib/openai.ts").read_bytes() == before


def test_files_that_do_not_parse_keep_their_side_unknown(tmp_path: Path) -> None:
    # an importer with a syntax error: its uses of the client are not all
    # known; a definer with one is not rewritten: its client stays, and what
    # the importers send through it is left alone
    root = _tree(
        tmp_path / "importer",
        {
            "lib/openai.ts": LIB,
            "app/page.tsx": """
            import { openai } from "../lib/openai";
            export const P = () => <p>Tom & Jerry {openai.files.list()}</p>;
            """,
            "app/route.ts": """
            import { openai } from "../lib/openai";
            await openai.chat.completions.create({ model: "gpt-4o", messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "lib/openai.ts:2:23: OR101 `new OpenAI(...)`" in out, out
    assert "not all of its uses are known" in out, out
    root = _tree(
        tmp_path / "definer",
        {
            "lib/openai.ts": LIB + "export const broken = (;\n",
            "app/route.ts": """
            import { openai } from "../lib/openai";
            await openai.chat.completions.create({ model: "gpt-4o", messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "app/route.ts" not in out, out


# --- a client passed to a function of another module (#11) ---------------------

APP = """
import OpenAI from "openai";
import { ask } from "./helpers";
const client = new OpenAI();
export async function run() {
  await ask(client, "hi");
  return client.chat.completions.create({ model: "gpt-4o", messages: [] });
}
"""


def _line(out: str, prefix: str) -> str:
    found = [line for line in out.splitlines() if line.startswith(prefix)]
    assert len(found) == 1, out
    return found[0]


def test_a_function_of_another_module_that_only_calls_the_sdk_is_followed(
    tmp_path: Path,
) -> None:
    # before: `ask(client)` was an escape (unsafe move) and the model sent
    # in helpers.ts an unsafe fix (its receiver, a parameter, unresolved)
    root = _tree(
        tmp_path,
        {
            "app.ts": APP,
            "helpers.ts": """
            import type OpenAI from "openai";
            export async function ask(llm: OpenAI, q: string) {
              return llm.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: q }] });
            }
            """,
        },
    )
    out = _check(root)
    assert "[*]" in _line(out, "app.ts:3:16: OR101"), out
    assert "[*]" in _line(out, "helpers.ts:3:"), out
    _migrate(root)
    assert '"openai/gpt-4o-mini"' in (root / "helpers.ts").read_text()
    assert "openrouter.ai" in (root / "app.ts").read_text()


def test_a_function_of_another_module_that_hands_the_client_on_is_an_escape_named_there(
    tmp_path: Path,
) -> None:
    root = _tree(
        tmp_path,
        {
            "app.ts": APP,
            "helpers.ts": """
            export async function ask(llm, q) {
              const agent = new Agent(llm);
              return agent.run(q);
            }
            """,
        },
    )
    line = _line(_check(root), "app.ts:3:16: OR101")
    assert "[*]" not in line
    assert "is passed to `ask` (line 5), where it is passed to `Agent` (helpers.ts:2)" in line


def test_a_function_of_another_module_used_only_for_unserved_endpoints(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "app.ts": """
            import OpenAI from "openai";
            import { ask } from "./helpers";
            const client = new OpenAI();
            await ask(client);
            """,
            "helpers.ts": """
            export async function ask(llm) {
              return llm.files.create({ file, purpose: "batch" });
            }
            """,
        },
    )
    line = _line(_check(root), "app.ts:3:16:")
    assert "OR119" in line and "Files API" in line and "helpers.ts:2" in line, line


def test_a_function_the_tool_does_not_follow_there_is_named(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "app.ts": APP,
            "helpers.ts": """
            export const ask = retrying(async (llm, q) => llm.chat.completions.create({ model: "gpt-4o", messages: [] }));
            """,
        },
    )
    line = _line(_check(root), "app.ts:3:16: OR101")
    assert "[*]" not in line
    assert (
        "is passed to `ask` (line 5) (defined in helpers.ts), which the tool does not follow"
        in line
    )


@pytest.mark.parametrize(
    "other",
    [
        # another module passes something the tool cannot resolve
        'import { ask } from "./helpers";\nexport const go = (x) => ask(x, "q");\n',
        # ... or passes the function on: it is called where the tool does not see
        'import { ask } from "./helpers";\nregister(ask);\n',
    ],
)
def test_a_function_also_given_other_clients_holds_the_client(tmp_path: Path, other: str) -> None:
    root = _tree(
        tmp_path,
        {
            "app.ts": APP,
            "other.ts": other,
            "helpers.ts": """
            export async function ask(llm, q) {
              return llm.chat.completions.create({ model: "gpt-4o-mini", messages: [] });
            }
            """,
        },
    )
    out = _check(root)
    line = _line(out, "app.ts:3:16: OR101")
    assert "[*]" not in line
    assert "also gets clients that stay on OpenAI or that the tool cannot resolve" in line
    assert "[*]" not in _line(out, "helpers.ts:2:")


# --------------------------------------------------------------------------
# model IDs that cannot move, sent through a client another module builds:
# that client moves only with them (Python's _external_blocks)

HOLDER = """
import OpenAI from "openai";
export const openai = new OpenAI();
"""


@pytest.mark.parametrize(
    ("use", "expected"),
    [
        # a retired ID (OR204), reported in every round
        (
            'import { openai } from "../lib/openai";\n'
            'await openai.chat.completions.create({ model: "o1-mini", messages: [] });\n',
            "'o1-mini' (OR204) at ../app/route.ts:2",
        ),
        # an ID no equivalent is known for (OR202), through an alias
        (
            'import { openai } from "../lib/openai";\nconst c = openai;\n'
            'await c.chat.completions.create({ model: "my-private-model", messages: [] });\n',
            "'my-private-model' (OR202) at ../app/route.ts:3",
        ),
        # a fine-tune (OR203), through a namespace import
        (
            'import * as lib from "../lib/openai";\n'
            'await lib.openai.chat.completions.create({ model: "ft:gpt-4o-mini:acme::x1", '
            "messages: [] });\n",
            "'ft:gpt-4o-mini:acme::x1' (OR203) at ../app/route.ts:2",
        ),
    ],
)
def test_a_model_that_cannot_move_elsewhere_holds_the_client_where_it_is_built(
    tmp_path: Path, use: str, expected: str
) -> None:
    root = _tree(tmp_path, {"lib/openai.ts": HOLDER, "app/route.ts": use})
    for args in ((".",), ("lib/openai.ts",)):  # also checked alone, as pre-commit does
        line = _line(_check(root, *args), "lib/openai.ts:2:23: OR101")
        assert "[*]" not in line, line
        assert (
            f"; unsafe fix: {expected} is sent through it from another module and cannot move "
            "to OpenRouter, which would reject it: fix that model first (or `// noqa` its "
            "finding to move the client anyway)" in line
        ), line
    _migrate(root, ".")
    assert "openrouter" not in (root / "lib/openai.ts").read_text()
    _migrate(root, "--unsafe-fixes", ".")
    assert "openrouter.ai" in (root / "lib/openai.ts").read_text()


def test_the_other_models_sent_through_a_held_client_move_only_with_it(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "lib/openai.ts": HOLDER,
            "app/route.ts": """
            import { openai } from "../lib/openai";
            await openai.chat.completions.create({ model: "gpt-4o", messages: [] });
            """,
            "app/legacy.ts": """
            import { openai } from "../lib/openai";
            await openai.chat.completions.create({ model: "o1-mini", messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "[*]" not in out, out
    assert (
        "app/route.ts:2:48: OR201 model 'gpt-4o' is not an OpenRouter ID: use 'openai/gpt-4o'; "
        "unsafe fix: it moves with its client, which another module exports and whose own fix "
        "is unsafe" in out
    ), out
    _migrate(root, ".")
    assert '"gpt-4o"' in (root / "app/route.ts").read_text()
    assert "openrouter" not in (root / "lib/openai.ts").read_text()


def test_a_noqa_on_the_model_elsewhere_lets_the_client_move(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "lib/openai.ts": HOLDER,
            "app/route.ts": """
            import { openai } from "../lib/openai";
            await openai.chat.completions.create({ model: "my-private-model", messages: [] }); // noqa: OR202
            """,
        },
    )
    line = _line(_check(root, "."), "lib/openai.ts:2:23: OR101")
    assert "[*]" in line and "unsafe" not in line, line


def test_a_request_not_read_elsewhere_holds_the_client(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "lib/openai.ts": HOLDER,
            "app/route.ts": """
            import { openai } from "../lib/openai";
            let params = { model: "gpt-4o", messages: [] };
            let params = { model: "gpt-4o-mini", messages: [] };
            await openai.chat.completions.create(params);
            """,
        },
    )
    out = _check(root, ".")
    assert "app/route.ts:4:38: OR205" in out, out
    line = _line(out, "lib/openai.ts:2:23: OR101")
    assert "[*]" not in line, line
    assert (
        "; unsafe fix: the request sent through it from another module at ../app/route.ts:4 "
        "(OR205) holds a model ID the tool did not read" in line
    ), line


@pytest.mark.parametrize("sent", ["opts", "await build()"])
def test_a_whole_request_from_a_parameter_or_a_call_elsewhere_holds_the_client(
    tmp_path: Path, sent: str
) -> None:
    # as in the client's own module: the request's model is not read, so it
    # is not rewritten with the client where it is built
    root = _tree(
        tmp_path,
        {
            "lib/openai.ts": HOLDER,
            "app/route.ts": f"""
            import {{ openai }} from "../lib/openai";
            export async function ask(opts) {{
              await openai.chat.completions.create({sent});
            }}
            """,
        },
    )
    out = _check(root, ".")
    assert "app/route.ts:3:40: OR205" in out, out
    line = _line(out, "lib/openai.ts:2:23: OR101")
    assert "[*]" not in line, line
    assert (
        "; unsafe fix: the request sent through it from another module at ../app/route.ts:3 "
        "(OR205) holds a model ID the tool did not read" in line
    ), line
    _migrate(root, ".")
    assert "openrouter" not in (root / "lib/openai.ts").read_text()


# --------------------------------------------------------------------------
# default exports


def test_a_default_exported_function_a_client_is_passed_to_is_followed(tmp_path: Path) -> None:
    # before: the function was summarised under its own name, which no
    # importer asks for (``import ask from`` names "default"): an escape
    root = _tree(
        tmp_path,
        {
            "app.ts": APP.replace('import { ask } from "./helpers"', 'import ask from "./helpers"'),
            "helpers.ts": """
            import type OpenAI from "openai";
            export default async function ask(llm: OpenAI, q: string) {
              return llm.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: q }] });
            }
            """,
        },
    )
    out = _check(root)
    assert "[*]" in _line(out, "app.ts:3:16: OR101"), out
    assert "[*]" in _line(out, "helpers.ts:3:"), out
    _migrate(root)
    assert '"openai/gpt-4o-mini"' in (root / "helpers.ts").read_text()


def test_a_default_exported_function_used_for_unserved_endpoints_holds_nothing_back(
    tmp_path: Path,
) -> None:
    root = _tree(
        tmp_path,
        {
            "app.ts": """
            import OpenAI from "openai";
            import upload from "./upload";
            const client = new OpenAI();
            await upload(client);
            """,
            "upload.ts": """
            export default async function upload(llm) {
              return llm.files.create({ file, purpose: "batch" });
            }
            """,
        },
    )
    line = _line(_check(root), "app.ts:3:16:")
    assert "OR119" in line and "Files API" in line and "upload.ts:2" in line, line


# --------------------------------------------------------------------------
# a client built where it is returned: a factory, followed into its callers


@pytest.mark.parametrize(
    "factory",
    [
        "export function getClient() {\n  return new OpenAI();\n}\n",
        "export const getClient = () => new OpenAI();\n",
        "export default function getClient() {\n  return new OpenAI();\n}\n",
    ],
)
def test_a_client_returned_by_a_factory_is_used_where_the_factory_is_called(
    tmp_path: Path, factory: str
) -> None:
    # before: a move that was unsafe ("returned from a function"); first: a
    # safe move while the importer used it for files (404 on OpenRouter)
    root = _tree(
        tmp_path,
        {
            "factory.ts": 'import OpenAI from "openai";\n' + factory,
            "use.ts": """
            import { getClient } from "./factory";
            import make from "./factory";
            export const go = () => getClient().files.list();
            export const go2 = () => make().files.list();
            """,
        },
    )
    line = _line(_check(root, "."), "factory.ts:")
    assert "OR119" in line and "Files API, also in use.ts:" in line, line
    _migrate(root, ".")
    assert "openrouter" not in (root / "factory.ts").read_text()


# --------------------------------------------------------------------------
# re-exports: an imported client followed to the module that builds it


REEXPORTS = {
    "lib/client.ts": 'import OpenAI from "openai";\nexport const client = new OpenAI();\n',
    "lib/index.ts": 'export * from "./client";\n',
    "lib/named.ts": 'export { client as llm } from "./client";\n',
}


def test_a_client_re_exported_is_followed_to_where_it_is_built(tmp_path: Path) -> None:
    # before: the re-export made the client's move unsafe (its uses unknown)
    # and the importers' model IDs unsafe fixes (receiver not resolved)
    files = {k: v for k, v in REEXPORTS.items() if k != "lib/index.ts"}
    root = _tree(
        tmp_path,
        {
            **files,
            "app/chat.ts": """
            import { llm } from "../lib/named";
            export const chat = () => llm.chat.completions.create({ model: "gpt-4o", messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "[*]" in _line(out, "lib/client.ts:2:23: OR101"), out
    assert "[*]" in _line(out, "app/chat.ts:2:"), out
    _migrate(root, ".")
    assert "openrouter.ai" in (root / "lib/client.ts").read_text()
    assert '"openai/gpt-4o"' in (root / "app/chat.ts").read_text()
    assert (root / "lib/named.ts").read_text() == REEXPORTS["lib/named.ts"]


def test_uses_through_a_star_re_export_count_where_the_client_is_built(tmp_path: Path) -> None:
    # the importers name no openai: read because they import the re-exporter
    root = _tree(
        tmp_path,
        {
            **REEXPORTS,
            "app/files.ts": """
            import { client } from "../lib";
            export const list = () => client.files.list();
            """,
        },
    )
    for args in ((".",), ("lib/client.ts",)):
        line = _line(_check(root, *args), "lib/client.ts:2:23:")
        assert "OR119" in line and "Files API" in line and "../app/files.ts:2" in line, line


def test_a_model_that_cannot_move_through_a_re_export_holds_the_client(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            **REEXPORTS,
            "app/old.ts": """
            import { llm } from "../lib/named";
            export const old = () => llm.chat.completions.create({ model: "o1-mini", messages: [] });
            """,
        },
    )
    line = _line(_check(root, "."), "lib/client.ts:2:23: OR101")
    assert "[*]" not in line and "'o1-mini' (OR204) at ../app/old.ts:2" in line, line


@pytest.mark.parametrize(
    "reader",
    [
        # the re-exporting module imported whole and passed on
        'import * as named from "../lib/named";\nregister(named);\n',
        # a namespace re-export: not followed
        'export * as all from "../lib/client";\n',
        # a re-export no file of the run imports through (lib/index.ts's
        # ``export *`` alone: an entry point for code outside the run)
        "",
    ],
)
def test_a_re_export_read_in_a_way_the_tool_cannot_follow_keeps_the_move_unsafe(
    tmp_path: Path, reader: str
) -> None:
    root = _tree(
        tmp_path,
        {
            **{k: v for k, v in REEXPORTS.items() if k != "lib/index.ts" or not reader},
            "app/chat.ts": """
            import { llm } from "../lib/named";
            export const chat = () => llm.chat.completions.create({ model: "gpt-4o", messages: [] });
            """,
            "app/other.ts": reader,
        },
    )
    out = _check(root, ".")
    assert "[*]" not in _line(out, "lib/client.ts:2:23: OR101"), out
    assert "[*]" not in _line(out, "app/chat.ts:2:"), out


# --------------------------------------------------------------------------
# model constants kept as they are where they are defined (OR204, OR206...)
# hold the clients other modules send them through (Python's followed_kept)


KEPT_APP = """
import OpenAI from "openai";
import { CHAT_MODEL, OTHER_MODEL } from "./settings";
const client = new OpenAI();
export async function ask(q: string) {
  await client.chat.completions.create({ model: OTHER_MODEL, messages: [] });
  return client.chat.completions.create({ model: CHAT_MODEL, messages: [] });
}
"""


@pytest.mark.parametrize(
    ("settings", "code"),
    [
        # no OpenRouter equivalent (OR204), kept as it is where it is defined
        ('export const CHAT_MODEL = "o1-mini";\nexport const OTHER_MODEL = "gpt-4o";\n', "OR204"),
        # read there for something else as well (OR206): not rewritten there
        (
            'export const CHAT_MODEL = "gpt-4o-mini";\nexport const OTHER_MODEL = "gpt-4o";\n'
            "console.log(CHAT_MODEL);\n",
            "OR206",
        ),
        # a default export (``import CHAT_MODEL from``), and one under another name
        (
            'const MODEL = "o1-mini";\nexport const OTHER_MODEL = "gpt-4o";\n'
            "export { MODEL as CHAT_MODEL };\n",
            "OR204",
        ),
    ],
)
def test_an_imported_model_kept_where_it_is_defined_holds_the_importers_client(
    tmp_path: Path, settings: str, code: str
) -> None:
    # before: the client moved as a safe fix while the model it sends stayed
    # bare in settings.ts (the finding there was all): a half migration
    root = _tree(tmp_path, {"src/settings.ts": settings, "src/app.ts": KEPT_APP})
    for args in ((".",), ("src/app.ts",)):  # checked alone too, as pre-commit does
        out = _check(root, *args)
        kept = _line(out, "src/app.ts:6:")
        model = "o1-mini" if code == "OR204" else "gpt-4o-mini"
        assert "OR205" in kept and f"'{model}' ({code}) at settings.ts:1" in kept, kept
        client = _line(out, "src/app.ts:3:16: OR101")
        assert "[*]" not in client and "unsafe fix" in client and "src/app.ts:6" in client, client
    out = _check(root, ".")
    # the other model sent through the held client moves only with it
    other = _line(out, "src/settings.ts:2:")
    assert "OR201" in other and "[*]" not in other and "unsafe fix" in other, other
    before = {p: (root / p).read_bytes() for p in ("src/app.ts", "src/settings.ts")}
    _migrate(root, ".")
    assert {p: (root / p).read_bytes() for p in before} == before


def test_a_default_exported_model_kept_where_it_is_defined_holds_the_client(
    tmp_path: Path,
) -> None:
    root = _tree(
        tmp_path,
        {
            "src/config.ts": 'const MODEL = "o1-mini";\nexport default MODEL;\n',
            "src/app.ts": """
            import OpenAI from "openai";
            import MODEL from "./config";
            const client = new OpenAI();
            export const ask = () => client.chat.completions.create({ model: MODEL, messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "src/config.ts:1:16: OR204 model 'o1-mini' (through MODEL, also sent as model in " in out
    assert "'o1-mini' (OR204) at config.ts:1" in _line(out, "src/app.ts:4:")
    assert "[*]" not in _line(out, "src/app.ts:3:16: OR101")


def test_a_default_exported_model_is_followed_to_its_definition(tmp_path: Path) -> None:
    # before: OR205 "cannot follow" at the importer, the ID never rewritten
    root = _tree(
        tmp_path,
        {
            "src/config.ts": 'const MODEL = "gpt-4o";\nexport default MODEL;\n',
            "src/app.ts": """
            import OpenAI from "openai";
            import MODEL from "./config";
            const client = new OpenAI();
            export const ask = () => client.chat.completions.create({ model: MODEL, messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "OR205" not in out and "OR206" not in out, out
    assert "src/config.ts:1:16: OR201 [*] model 'gpt-4o' (through MODEL" in out, out
    _migrate(root, ".")
    assert (root / "src/config.ts").read_text().startswith('const MODEL = "openai/gpt-4o";')


def test_a_re_exported_model_kept_where_it_is_defined_holds_the_client(tmp_path: Path) -> None:
    # settings/index.ts re-exports the names and names no openai (the
    # prefilter skips it): the names are followed through it to settings/models.ts
    root = _tree(
        tmp_path,
        {
            "package.json": "{}\n",
            "src/settings/models.ts": (
                'export const CHAT_MODEL = "o1-mini";\nexport const OTHER_MODEL = "gpt-4o";\n'
            ),
            "src/settings/index.ts": 'export { CHAT_MODEL, OTHER_MODEL } from "./models";\n',
            "src/app.ts": KEPT_APP.replace('"./settings"', '"./settings/index"'),
        },
    )
    (root / ".git").rmdir()  # a package.json root: what pre-commit's check alone finds
    for args in ((".",), ("src/app.ts",)):
        out = _check(root, *args)
        kept = _line(out, "src/app.ts:6:")
        assert "OR205" in kept and "'o1-mini' (OR204) at settings/models.ts:1" in kept, kept
        assert "unsafe fix" in _line(out, "src/app.ts:3:16: OR101")
    out = _check(root, ".")
    assert "src/settings/models.ts:1:28: OR204" in out, out
    other = _line(out, "src/settings/models.ts:2:")
    assert "OR201" in other and "[*]" not in other, other


def test_a_re_exported_model_is_rewritten_where_it_is_defined(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "src/settings/models.ts": 'export const CHAT_MODEL = "gpt-4o-mini";\n',
            "src/settings/index.ts": 'export { CHAT_MODEL as MODEL } from "./models";\n',
            "src/app.ts": """
            import OpenAI from "openai";
            import { MODEL } from "./settings";
            const client = new OpenAI();
            export const ask = () => client.chat.completions.create({ model: MODEL, messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "OR205" not in out and "OR206" not in out, out
    assert "src/settings/models.ts:1:28: OR201 [*] model 'gpt-4o-mini'" in out, out
    _migrate(root, ".")
    assert '"openai/gpt-4o-mini"' in (root / "src/settings/models.ts").read_text()
    assert (root / "src/settings/index.ts").read_text().startswith("export { CHAT_MODEL as MODEL }")


def test_a_kept_model_accepted_with_noqa_lets_the_client_move(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "src/settings.ts": (
                'export const CHAT_MODEL = "o1-mini"; // noqa: OR204\n'
                'export const OTHER_MODEL = "gpt-4o";\n'
            ),
            "src/app.ts": KEPT_APP,
        },
    )
    out = _check(root, ".")
    assert "OR205" not in out, out
    assert "[*]" in _line(out, "src/app.ts:3:16: OR101")
    assert "[*]" in _line(out, "src/settings.ts:2:")
    _migrate(root, ".")
    assert "openrouter.ai" in (root / "src/app.ts").read_text()


def test_a_kept_model_holds_a_client_built_in_a_third_module(tmp_path: Path) -> None:
    # src/app.ts sends settings.ts's CHAT_MODEL (kept: OR204) through
    # clients.ts's client: that client's move is unsafe where it is built
    root = _tree(
        tmp_path,
        {
            "src/settings.ts": (
                'export const CHAT_MODEL = "o1-mini";\nexport const OTHER_MODEL = "gpt-4o";\n'
            ),
            "src/clients.ts": 'import OpenAI from "openai";\nexport const client = new OpenAI();\n',
            "src/app.ts": KEPT_APP.replace(
                'import OpenAI from "openai";\n', 'import { client } from "./clients";\n'
            ).replace("const client = new OpenAI();\n", ""),
        },
    )
    for args in ((".",), ("src/clients.ts",)):
        out = _check(root, *args)
        client = _line(out, "src/clients.ts:2:23: OR101")
        assert "[*]" not in client and "`CHAT_MODEL` (OR205) at app.ts:5" in client, client
    out = _check(root, ".")
    assert "'o1-mini' (OR204) at settings.ts:1" in _line(out, "src/app.ts:5:")
    other = _line(out, "src/settings.ts:2:")
    assert "OR201" in other and "[*]" not in other, other
    _migrate(root, ".")
    assert "openrouter" not in (root / "src/clients.ts").read_text()
    assert '"gpt-4o"' in (root / "src/settings.ts").read_text()


def test_a_shared_model_constant_holds_its_client_in_the_same_file(tmp_path: Path) -> None:
    # before: OR206 on the constant, and the client moved as a safe fix,
    # sending the bare 'gpt-4o' to OpenRouter
    root = _tree(
        tmp_path,
        {
            "a.ts": """
            import OpenAI from "openai";
            const MODEL = "gpt-4o";
            console.log(MODEL);
            const client = new OpenAI();
            await client.chat.completions.create({ model: MODEL, messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "a.ts:2:16: OR206" in out, out
    client = _line(out, "a.ts:4:16: OR101")
    assert "[*]" not in client and "'gpt-4o' (OR206) at a.ts:2" in client, client


def test_the_kept_constants_fixture_gives_each_file_alone_what_the_tree_gives_it(
    tmp_path: Path,
) -> None:
    import shutil

    root = tmp_path / "ts_kept"
    shutil.copytree(Path(__file__).parent.parent / "fixtures" / "ts_kept", root)
    whole = _check(root, ".").splitlines()
    for path in sorted(p.relative_to(root).as_posix() for p in root.rglob("*.ts")):
        mine = [ln for ln in whole if ln.startswith(path + ":")]
        alone = [ln for ln in _check(root, path).splitlines() if ln.startswith(path + ":")]
        assert alone == mine, (path, alone, mine)
    assert sum("unsafe fix" in ln and "OR101" in ln for ln in whole) == 3, whole


# --------------------------------------------------------------------------
# factories: ``export function getClient() { return new OpenAI(); }``, the
# uses of its calls in other modules are uses of the client it builds


FACTORY = """
import OpenAI from "openai";
export function getClient() {
  return new OpenAI();
}
"""

FACTORY_USE = """
import { getClient } from "./factory";
export const ask = () => getClient().chat.completions.create({ model: "gpt-4o", messages: [] });
export async function summarize(text: string) {
  const llm = getClient();
  return llm.chat.completions.create({ model: "gpt-4o-mini", messages: [] });
}
"""


@pytest.mark.parametrize(
    "factory",
    [
        FACTORY,
        # an arrow function
        'import OpenAI from "openai";\nexport const getClient = () => new OpenAI();\n',
        # memoised: one client, built on the first call
        'import OpenAI from "openai";\nlet cached: OpenAI | undefined;\n'
        "export function getClient() {\n  if (!cached) cached = new OpenAI();\n"
        "  return cached;\n}\n",
    ],
)
def test_a_factory_moves_with_the_calls_made_through_what_it_returns(
    tmp_path: Path, factory: str
) -> None:
    # before: the factory's client moved only as an unsafe fix ("returned
    # from a function"), and the importers' model IDs with it
    root = _tree(tmp_path, {"factory.ts": factory, "use.ts": FACTORY_USE})
    for args in ((".",), ("factory.ts",), ("use.ts",)):
        out = _check(root, *args)
        assert "unsafe" not in out and "OR205" not in out, out
    out = _check(root, ".")
    assert "OR101 [*]" in _line(out, "factory.ts:")
    assert "use.ts:2:72: OR201 [*] model 'gpt-4o'" in out, out
    assert "use.ts:5:48: OR201 [*] model 'gpt-4o-mini'" in out, out
    _migrate(root, ".")
    assert "openrouter.ai" in (root / "factory.ts").read_text()
    use = (root / "use.ts").read_text()
    assert '"openai/gpt-4o"' in use and '"openai/gpt-4o-mini"' in use
    again = _check(root, ".")
    assert "[*]" not in again and "OR1" not in again and "OR2" not in again, again


@pytest.mark.parametrize(
    "use",
    [
        # the factory passed on as a value: its calls are not all seen
        'import { getClient } from "./factory";\nregister(getClient);\n',
        # what it returns passed on
        'import { getClient } from "./factory";\nregister(getClient());\n',
        'import { getClient } from "./factory";\nconst c = getClient();\nregister(c);\n',
        # a namespace import passed on
        'import * as f from "./factory";\nregister(f);\n',
    ],
)
def test_a_factory_whose_client_goes_where_the_tool_cannot_follow_moves_unsafely(
    tmp_path: Path, use: str
) -> None:
    root = _tree(tmp_path, {"factory.ts": FACTORY, "use.ts": FACTORY_USE, "other.ts": use})
    out = _check(root, ".")
    client = _line(out, "factory.ts:")
    assert "OR101" in client and "[*]" not in client and "unsafe fix" in client, client
    assert "use.ts:2:72: OR201 model 'gpt-4o'" in out and "[*]" not in out, out


def test_a_model_that_cannot_move_through_a_factory_holds_its_client(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "factory.ts": FACTORY,
            "use.ts": FACTORY_USE,
            "legacy.ts": """
            import { getClient } from "./factory";
            export const old = () => getClient().chat.completions.create({ model: "o1-mini", messages: [] });
            """,
        },
    )
    for args in ((".",), ("factory.ts",)):
        client = _line(_check(root, *args), "factory.ts:")
        assert "[*]" not in client and "'o1-mini' (OR204) at legacy.ts:2" in client, client


def test_a_kept_constant_sent_through_a_factory_holds_its_client(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "factory.ts": FACTORY,
            "config.ts": 'export const MODEL = "o1-mini";\n',
            "use.ts": """
            import { getClient } from "./factory";
            import { MODEL } from "./config";
            export const ask = () => getClient().chat.completions.create({ model: MODEL, messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "'o1-mini' (OR204) at config.ts:1" in _line(out, "use.ts:3:")
    client = _line(out, "factory.ts:")
    assert "[*]" not in client and "`MODEL` (OR205) at use.ts:3" in client, client


def test_a_factory_of_the_file_is_followed_into_its_calls_there(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "app.ts": """
            import OpenAI from "openai";
            function client() {
              return new OpenAI();
            }
            export const ask = () => client().chat.completions.create({ model: "gpt-4o", messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "app.ts:3:10: OR101 [*]" in out and "app.ts:5:69: OR201 [*]" in out, out
    assert "unsafe" not in out, out


@pytest.mark.parametrize(
    ("use", "expected"),
    [
        # awaited into a name: its calls are the client's uses
        ("const c = await getClient();\nawait c.files.list();\n", "OR119"),
        ("await (await getClient()).files.list();\n", "OR119"),
        (
            "const c = await getClient();\n"
            'await c.chat.completions.create({ model: "gpt-4o", messages: [] });\n',
            "OR101 [*]",
        ),
    ],
)
def test_an_async_factory_is_followed_like_a_sync_one(
    tmp_path: Path, use: str, expected: str
) -> None:
    # before: its call gives a promise, which was not followed: the client's
    # move was unsafe ("returned from a function") and the model IDs sent
    # through it in other modules unresolved
    root = _tree(
        tmp_path,
        {
            "factory.ts": FACTORY.replace("export function", "export async function"),
            "use.ts": 'import { getClient } from "./factory";\n' + use,
        },
    )
    out = _check(root, ".")
    client = _line(out, "factory.ts:")
    assert expected in client and "unsafe" not in client, out
    assert "unsafe" not in out, out


def test_an_async_factory_whose_promise_is_handed_on_is_an_unsafe_move(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "factory.ts": FACTORY.replace("export function", "export async function"),
            "use.ts": """
            import { getClient } from "./factory";
            getClient().then((c) => c.chat.completions.create({ model: "gpt-4o", messages: [] }));
            """,
        },
    )
    client = _line(_check(root, "."), "factory.ts:")
    assert "OR101" in client and "[*]" not in client, client


# --------------------------------------------------------------------------
# a client of one module passed, in another, to a function of a third


HELPER = """
export async function summarize(llm, text: string) {
  return llm.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: text }] });
}
"""

SHARED = 'import OpenAI from "openai";\nexport const shared = new OpenAI();\n'

PASSES_SHARED = """
import { shared } from "./clients";
import { summarize } from "./helpers";
await summarize(shared, "x");
"""


def test_an_imported_client_passed_to_a_function_of_a_third_module_is_followed(
    tmp_path: Path,
) -> None:
    # before: passed on, the client's uses were unknown: an unsafe move
    root = _tree(tmp_path, {"clients.ts": SHARED, "helpers.ts": HELPER, "app.ts": PASSES_SHARED})
    for args in ((".",), ("clients.ts",)):
        out = _check(root, *args)
        assert "clients.ts:2:23: OR101 [*]" in out and "unsafe" not in out, out
    assert "helpers.ts:2:48: OR201 [*] model 'gpt-4o'" in _check(root, ".")
    _migrate(root, ".")
    assert "openrouter.ai" in (root / "clients.ts").read_text()
    assert '"openai/gpt-4o"' in (root / "helpers.ts").read_text()


@pytest.mark.parametrize(
    ("helper", "expected"),
    [
        # only an endpoint OpenRouter does not serve: left on OpenAI
        (
            "export async function summarize(llm, text: string) {\n  return llm.files.list();\n}\n",
            "OR119",
        ),
        # passed on there: not followed
        (
            "export async function summarize(llm, text: string) {\n  return register(llm);\n}\n",
            "unsafe fix",
        ),
    ],
)
def test_what_a_third_module_does_with_an_imported_client_decides_its_move(
    tmp_path: Path, helper: str, expected: str
) -> None:
    root = _tree(tmp_path, {"clients.ts": SHARED, "helpers.ts": helper, "app.ts": PASSES_SHARED})
    line = _line(_check(root, "."), "clients.ts:2:23:")
    assert expected in line and "[*]" not in line, line


@pytest.mark.parametrize(
    "caller",
    [
        # the client built where the function is called (before: a safe move,
        # and the bare o1-mini went to OpenRouter)
        'import OpenAI from "openai";\nimport { summarize } from "./helpers";\n'
        'const c = new OpenAI();\nawait summarize(c, "x");\n',
        PASSES_SHARED,
    ],
)
def test_a_model_that_cannot_move_in_the_function_a_client_is_passed_to_holds_it(
    tmp_path: Path, caller: str
) -> None:
    root = _tree(
        tmp_path,
        {
            "clients.ts": SHARED,
            "helpers.ts": HELPER.replace("gpt-4o", "o1-mini"),
            "app.ts": caller,
        },
    )
    out = _check(root, ".")
    assert "helpers.ts:2:48: OR204" in out, out
    assert "[*]" not in out, out
    _migrate(root, ".")
    assert all("openrouter" not in (root / p).read_text() for p in ("app.ts", "clients.ts"))


def test_a_noqa_on_the_model_in_the_function_lets_the_client_move(tmp_path: Path) -> None:
    helper = HELPER.replace('"gpt-4o"', '"o1-mini"').replace(
        "text }] });", "text }] }); // noqa: OR204"
    )
    caller = (
        'import OpenAI from "openai";\nimport { summarize } from "./helpers";\n'
        'const c = new OpenAI();\nawait summarize(c, "x");\n'
    )
    root = _tree(tmp_path, {"helpers.ts": helper, "app.ts": caller})
    assert "app.ts:3:11: OR101 [*]" in _check(root, ".")


def test_a_model_re_exported_through_a_chain_is_rewritten_where_it_is_defined(
    tmp_path: Path,
) -> None:
    # the re-exporting modules name openai (the prefilter lets them through):
    # before, each hop counted as a read of its own there (OR206, and the
    # importer's client held), unlike when the prefilter skipped them
    root = _tree(
        tmp_path,
        {
            "src/settings/models.ts": 'export const MODEL = "gpt-4o";\n',
            "src/settings/mid.ts": '// openai models\nexport { MODEL } from "./models";\n',
            "src/settings/index.ts": '// openai settings\nexport { MODEL } from "./mid";\n',
            "src/app.ts": """
            import OpenAI from "openai";
            import { MODEL } from "./settings";
            const client = new OpenAI();
            export const ask = () => client.chat.completions.create({ model: MODEL, messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "src/settings/models.ts:1:23: OR201 [*] model 'gpt-4o'" in out, out
    assert "OR206" not in out and "unsafe" not in out, out
