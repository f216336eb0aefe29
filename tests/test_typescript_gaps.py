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
