"""TypeScript front-end gaps of issue 11: clients from async factories and
from factories returning another factory's call, constants read through a
namespace import or a star re-export. Each test failed before its change."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_typescript import codes, migrated, run
from tests.test_typescript_project import _check, _line, _migrate, _tree


def fixes(result) -> dict[str, list[str | None]]:
    out: dict[str, list[str | None]] = {}
    for f in result.findings:
        out.setdefault(f.code, []).append(f.applicability)
    return out


# --- awaited factories ----------------------------------------------------------


@pytest.mark.parametrize(
    "factory",
    [
        "async function getClient() {\n  return new OpenAI();\n}",
        "const getClient = async () => new OpenAI();",
        # memoised
        "let cached: OpenAI | null = null;\n"
        "async function getClient() {\n"
        "  if (!cached) cached = new OpenAI();\n"
        "  return cached;\n"
        "}",
        # awaiting a sync factory gives its client too
        "function getClient() {\n  return new OpenAI();\n}",
    ],
)
def test_an_awaited_factory_is_followed(factory: str) -> None:
    source = (
        'import OpenAI from "openai";\n'
        f"{factory}\n"
        "export async function ask() {\n"
        "  const client = await getClient();\n"
        '  await (await getClient()).chat.completions.create({ model: "gpt-4o-mini", messages: [] });\n'
        '  return client.chat.completions.create({ model: "gpt-4o", messages: [] });\n'
        "}\n"
    )
    result = run(source)
    assert fixes(result) == {"OR101": ["safe"], "OR201": ["safe", "safe"]}, [
        f.message for f in result.findings
    ]
    out = migrated(source)
    assert '"openai/gpt-4o"' in out and '"openai/gpt-4o-mini"' in out
    assert run(out).new_source is None  # a second run changes nothing


@pytest.mark.parametrize(
    ("use", "said"),
    [
        # the promise handed on: its callee gets the client
        ("someLib(getClient());", "is passed to `someLib`"),
        ("const p = getClient();\n  someLib(p);", "is passed to `someLib`"),
        # the callback gets the client, the tool does not follow it
        (
            'getClient().then((c) => c.chat.completions.create({ model: "gpt-4o", messages: [] }));',
            "is handed to a callback (`getClient().then(...)`)",
        ),
    ],
)
def test_an_async_factory_whose_promise_escapes_moves_only_as_an_unsafe_fix(
    use: str, said: str
) -> None:
    result = run(
        'import OpenAI from "openai";\n'
        "async function getClient() {\n  return new OpenAI();\n}\n"
        "export async function ask() {\n"
        f"  {use}\n"
        "  const client = await getClient();\n"
        '  return client.chat.completions.create({ model: "gpt-4o", messages: [] });\n'
        "}\n"
    )
    assert codes(result)[0] == "OR101"
    assert result.findings[0].applicability == "unsafe"
    assert said in result.findings[0].message, result.findings[0].message
    assert result.new_source is None


def test_an_async_generator_is_not_a_factory() -> None:
    result = run(
        """
        import OpenAI from "openai";
        async function* clients() {
          yield new OpenAI();
        }
        export async function ask() {
          for await (const c of clients()) {
            await c.chat.completions.create({ model: "gpt-4o", messages: [] });
          }
        }
        """
    )
    assert fixes(result)["OR201"] == ["unsafe"]


# --- a factory returning another factory's call -----------------------------------


def test_a_factory_returning_another_factorys_call_is_followed() -> None:
    source = """
        import OpenAI from "openai";
        function makeClient() {
          return new OpenAI();
        }
        function client() {
          return makeClient();
        }
        const shared = () => client();
        export async function ask() {
          await shared().chat.completions.create({ model: "gpt-4o-mini", messages: [] });
          return client().chat.completions.create({ model: "gpt-4o", messages: [] });
        }
    """
    result = run(source)
    assert fixes(result) == {"OR101": ["safe"], "OR201": ["safe", "safe"]}, [
        f.message for f in result.findings
    ]


def test_a_factory_returning_another_factorys_call_or_something_else_is_not() -> None:
    result = run(
        """
        import OpenAI from "openai";
        function makeClient() {
          return new OpenAI();
        }
        function client(other) {
          if (other) return other;
          return makeClient();
        }
        export async function ask() {
          return client().chat.completions.create({ model: "gpt-4o", messages: [] });
        }
        """
    )
    assert fixes(result) == {"OR101": ["unsafe"], "OR201": ["unsafe"]}


CHAINED = """
import OpenAI from "openai";
function makeClient() {
  return new OpenAI();
}
export function client() {
  return makeClient();
}
"""


def test_an_exported_factory_returning_another_factorys_call_moves_with_its_importers(
    tmp_path: Path,
) -> None:
    root = _tree(
        tmp_path,
        {
            "lib/openai.ts": CHAINED,
            "app/route.ts": """
            import { client } from "../lib/openai";
            export const ask = () =>
              client().chat.completions.create({ model: "gpt-4o", messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "lib/openai.ts:3:10: OR101 [*]" in out, out
    assert "app/route.ts:3:46: OR201 [*]" in out, out
    assert "unsafe" not in out, out
    _migrate(root, ".")
    assert "openrouter.ai" in (root / "lib/openai.ts").read_text()
    assert '"openai/gpt-4o"' in (root / "app/route.ts").read_text()


def test_an_exported_async_factory_is_awaited_elsewhere(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "lib/openai.ts": """
            import OpenAI from "openai";
            let cached: OpenAI | undefined;
            export async function getClient() {
              if (!cached) cached = new OpenAI();
              return cached;
            }
            """,
            "app/route.ts": """
            import { getClient } from "../lib/openai";
            export async function ask() {
              const c = await getClient();
              return c.chat.completions.create({ model: "gpt-4o", messages: [] });
            }
            """,
            "app/files.ts": """
            import { getClient } from "../lib/openai";
            export async function up(file: File) {
              return (await getClient()).files.create({ file, purpose: "assistants" });
            }
            """,
        },
    )
    out = _check(root, ".")
    client = _line(out, "lib/openai.ts:4:25: OR101 [*]")
    assert "unsafe" not in client, out
    assert "app/route.ts:4:46: OR201 [*]" in out, out
    assert "app/files.ts:3:10: OR301" in out, out


# --- constants read through a namespace import ------------------------------------

CLIENT_APP = """
import OpenAI from "openai";
import * as cfg from "./config";
const client = new OpenAI();
export const ask = () => client.chat.completions.create({ model: cfg.MODEL, messages: [] });
"""


def test_a_constant_read_through_a_namespace_import_is_mapped_where_it_is_defined(
    tmp_path: Path,
) -> None:
    root = _tree(
        tmp_path,
        {"config.ts": 'export const MODEL = "gpt-4o";\n', "app.ts": CLIENT_APP},
    )
    out = _check(root, ".")
    assert "config.ts:1:23: OR201 [*] model 'gpt-4o' (through MODEL, also sent as model" in out
    assert "OR205" not in out and "unsafe" not in out, out
    _migrate(root, ".")
    assert (root / "config.ts").read_text() == 'export const MODEL = "openai/gpt-4o";\n'
    assert "openrouter.ai" in (root / "app.ts").read_text()


def test_a_constant_read_through_a_namespace_import_by_a_client_that_stays_is_kept(
    tmp_path: Path,
) -> None:
    root = _tree(
        tmp_path,
        {
            "config.ts": 'export const MODEL = "gpt-4o";\n',
            "app.ts": CLIENT_APP,
            "azure.ts": """
            import { AzureOpenAI } from "openai";
            import * as cfg from "./config";
            const az = new AzureOpenAI({ endpoint: "https://x.openai.azure.com", apiVersion: "v" });
            export const go = () => az.chat.completions.create({ model: cfg.MODEL, messages: [] });
            """,
        },
    )
    out = _check(root, ".")
    assert "config.ts:1:23: OR206" in out, out
    # the migrated client is held by the constant its module keeps
    assert "app.ts:4:59: OR205 model comes from `cfg.MODEL` ('gpt-4o' (OR206)" in out, out
    assert "app.ts:3:16: OR101 [*]" not in out, out
    _migrate(root, ".")
    assert (root / "config.ts").read_text() == 'export const MODEL = "gpt-4o";\n'
    assert "openrouter" not in (root / "app.ts").read_text()


def test_a_constant_its_module_keeps_holds_the_client_reading_it_through_a_namespace(
    tmp_path: Path,
) -> None:
    # before: OR205 "cannot follow" and the client moved as a safe fix: the
    # retired ID went to OpenRouter bare
    root = _tree(
        tmp_path,
        {"config.ts": 'export const MODEL = "o1-mini";\n', "app.ts": CLIENT_APP},
    )
    out = _check(root, ".")
    assert "config.ts:1:23: OR204" in out, out
    assert "app.ts:4:59: OR205 model comes from `cfg.MODEL` ('o1-mini' (OR204)" in out, out
    assert "app.ts:3:16: OR101 [*]" not in out, out


def test_a_namespace_passed_on_keeps_its_constants_unfollowed(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "config.ts": 'export const MODEL = "gpt-4o";\n',
            "app.ts": CLIENT_APP + "register(cfg);\n",
        },
    )
    out = _check(root, ".")
    assert "config.ts" not in out, out
    assert "app.ts:4:59: OR205 model comes from `cfg.MODEL`, which the tool cannot follow" in out


# --- constants re-exported by ``export * from`` -------------------------------------

STAR_APP = """
import OpenAI from "openai";
import { MODEL } from "./lib";
const client = new OpenAI();
export const ask = () => client.chat.completions.create({ model: MODEL, messages: [] });
"""


@pytest.mark.parametrize(
    "index",
    [
        'export * from "./models";\nexport * from "./other";\n',
        # in a chain of stars
        'export * from "./all";\n',
    ],
)
def test_a_constant_re_exported_by_a_star_is_mapped_where_it_is_defined(
    tmp_path: Path, index: str
) -> None:
    root = _tree(
        tmp_path,
        {
            "lib/models.ts": 'export const MODEL = "gpt-4o";\n',
            "lib/other.ts": "export const TEMPERATURE = 0;\n",
            "lib/all.ts": 'export * from "./other";\nexport * from "./models";\n',
            "lib/index.ts": index,
            "app.ts": STAR_APP,
        },
    )
    out = _check(root, ".")
    assert "lib/models.ts:1:23: OR201 [*] model 'gpt-4o' (through MODEL" in out, out
    assert "OR205" not in out and "unsafe" not in out, out
    _migrate(root, ".")
    assert (root / "lib/models.ts").read_text() == 'export const MODEL = "openai/gpt-4o";\n'


@pytest.mark.parametrize(
    ("index", "other"),
    [
        # the index declares it itself: its own wins over the star's
        ('export const MODEL = "gpt-4o-mini";\nexport * from "./models";\n', ""),
        # two stars bring it: TypeScript leaves it out, the tool does not guess
        ('export * from "./models";\nexport * from "./other";\n', 'export const MODEL = "x";\n'),
        # a star of a module exporting names the tool does not see
        (
            'export * from "./models";\nexport * from "./other";\n',
            "export const { MODEL } = settings;\n",
        ),
    ],
)
def test_a_star_that_may_not_bring_the_constant_is_not_followed(
    tmp_path: Path, index: str, other: str
) -> None:
    root = _tree(
        tmp_path,
        {
            "lib/models.ts": 'export const MODEL = "gpt-4o";\n',
            "lib/other.ts": other or "export const TEMPERATURE = 0;\n",
            "lib/index.ts": index,
            "app.ts": STAR_APP,
        },
    )
    out = _check(root, ".")
    assert "lib/models.ts" not in out, out
    _migrate(root, ".")
    assert (root / "lib/models.ts").read_text() == 'export const MODEL = "gpt-4o";\n'


def test_a_constant_re_exported_by_a_star_and_read_for_something_else_is_kept(
    tmp_path: Path,
) -> None:
    root = _tree(
        tmp_path,
        {
            "lib/models.ts": 'export const MODEL = "gpt-4o";\n',
            "lib/index.ts": 'export * from "./models";\n',
            "app.ts": STAR_APP,
            "log.ts": 'import { MODEL } from "./lib/index";\nconsole.log(MODEL);\n',
        },
    )
    out = _check(root, ".")
    assert "lib/models.ts:1:23: OR206" in out, out
    assert "app.ts:3:16: OR101 [*]" not in out, out


def test_a_reader_the_prefilter_skips_counts_for_an_imported_constant(tmp_path: Path) -> None:
    # before: log.ts names no openai, was never analysed, and MODEL was
    # rewritten under it (`if (MODEL === "gpt-4o")` would change meaning)
    root = _tree(
        tmp_path,
        {
            "lib/models.ts": 'export const MODEL = "gpt-4o";\n',
            "app.ts": STAR_APP.replace('"./lib"', '"./lib/models"'),
            "log.ts": 'import { MODEL } from "./lib/models";\nconsole.log(MODEL);\n',
        },
    )
    out = _check(root, ".")
    assert "lib/models.ts:1:23: OR206" in out, out
    assert "app.ts:3:16: OR101 [*]" not in out, out
    _migrate(root, ".")
    assert (root / "lib/models.ts").read_text() == 'export const MODEL = "gpt-4o";\n'
