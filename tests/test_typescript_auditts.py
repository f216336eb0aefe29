"""TypeScript: wrong safe rewrites and misses found by a real-code audit
(#11): a request spreading a value the tool does not read, a request object
written after it is built, and openai's class loaded with ``import()``."""

from __future__ import annotations

import pytest

from tests.test_typescript import codes, run


def fixes(result) -> dict[str, str | None]:
    return {f.code: f.applicability for f in result.findings}


# --- 1. a request spreading what the tool does not read -------------------------

PROXY = """
import OpenAI from 'openai';
export async function POST(req: Request) {
  const body = await req.json();
  const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
  const response = await openai.responses.create({
    ...SPREAD,
    stream: false,
  });
  return Response.json(response);
}
"""


@pytest.mark.parametrize(
    "spread",
    ["(body as any)", "body", "body!", "(body satisfies object)", "(<any>body)", "(await body)"],
)
def test_a_proxy_route_spreading_the_browser_body_moves_its_client_only_unsafely(
    spread: str,
) -> None:
    # the model (and every field) comes from the browser: a bare 'gpt-4o'
    # sent there would reach OpenRouter, so the client cannot move safely
    result = run(PROXY.replace("SPREAD", spread))
    assert codes(result) == ["OR101", "OR205"]
    assert fixes(result)["OR101"] == "unsafe"
    client = result.findings[0].message
    assert "unsafe fix: the request sent through it at app.ts:6 (OR205)" in client
    assert result.new_source is None
    assert run(PROXY.replace("SPREAD", spread), unsafe_fixes=True).new_source is not None


def test_a_spread_before_an_own_model_still_holds_the_client() -> None:
    # the own model is read, but the fields the spread brings (store,
    # previous_response_id...) are not; a model before the spread may be
    # overridden by it
    result = run(
        """
        import OpenAI from "openai";
        const client = new OpenAI();
        export async function ask(extra: any) {
          await client.responses.create({ ...extra, model: "gpt-4o" });
          return client.responses.create({ model: "gpt-4o", ...extra });
        }
        """
    )
    assert codes(result) == ["OR101", "OR205", "OR201", "OR201", "OR205"]
    assert "the fields it brings are not read" in result.findings[1].message
    assert "the request's model comes from `...extra`" in result.findings[4].message
    assert set(fixes(result).values()) == {"unsafe", None}
    assert fixes(result)["OR101"] == "unsafe"


def test_a_request_without_spreads_keeps_a_safe_client() -> None:
    result = run(
        """
        import OpenAI from "openai";
        const client = new OpenAI();
        export const ask = (input: string) =>
          client.responses.create({ model: "gpt-4o", input, stream: false });
        """
    )
    assert codes(result) == ["OR101", "OR201"]
    assert fixes(result) == {"OR101": "safe", "OR201": "safe"}


@pytest.mark.parametrize(
    "spread",
    [
        "...(tools.length > 0 ? { tools, tool_choice: 'auto' } : {})",
        "...(tools.length > 0 && { tools })",
        "...{ temperature: 0, ...(stream ? { stream_options: { include_usage: true } } : {}) }",
        "...(stream ? undefined : { store: false })",
    ],
)
def test_a_spread_of_object_literals_is_read_as_the_literal(spread: str) -> None:
    # anything-llm's providers: a conditional spread of literals brings
    # fields the tool reads; they are checked as if written in the request
    source = f"""
        import OpenAI from "openai";
        const client = new OpenAI();
        export function ask(tools: any[], stream: boolean) {{
          return client.responses.create({{ model: "gpt-4o", input: "hi", {spread} }});
        }}
        """
    result = run(source)
    assert codes(result) == ["OR101", "OR201"]
    assert fixes(result) == {"OR101": "safe", "OR201": "safe"}


def test_a_stateful_field_or_a_model_in_a_spread_of_literals_is_read() -> None:
    result = run(
        """
        import OpenAI from "openai";
        const client = new OpenAI();
        export async function ask(last?: string) {
          await client.chat.completions.create({ model: "gpt-4o", messages: [] });
          await client.responses.create({ model: "gpt-4o", input: "hi", ...(last ? { previous_response_id: last } : {}) });
          return client.responses.create({ input: "hi", ...(last ? { model: "gpt-4o" } : { model: "o3" }) });
        }
        """
    )
    assert codes(result) == ["OR101", "OR201", "OR201", "OR302", "OR205"]
    assert "previous_response_id" in result.findings[3].message
    assert "the request's model comes from `...(last ? { model:" in result.findings[4].message
    assert fixes(result)["OR101"] == "unsafe"


# --- 2. a request object written after it is built ------------------------------

TURN = """
import OpenAI from "openai";
const openai = new OpenAI();
export async function POST(request: Request) {
  const { messages, previous_response_id } = await request.json();
  await openai.chat.completions.create({ model: "gpt-4o", messages });
  const params = { model: "gpt-4.1", input: messages, stream: true };
  if (previous_response_id) {
    WRITE;
  }
  return openai.responses.create(params as any);
}
"""


@pytest.mark.parametrize(
    ("write", "field"),
    [
        ("(params as any).previous_response_id = previous_response_id", "previous_response_id"),
        ("params.previous_response_id = previous_response_id", "previous_response_id"),
        ('params["store"] = true', "store"),
        ("(params as any).background = true", "background"),
        ("Object.assign(params, { previous_response_id })", "previous_response_id"),
        ("(params as any).tools = [{ type: 'file_search' }]", "file_search"),
    ],
)
def test_a_field_written_on_the_request_is_read_as_in_the_literal(write: str, field: str) -> None:
    result = run(TURN.replace("WRITE", write))
    assert codes(result) == ["OR101", "OR201", "OR201", "OR302"]
    assert result.findings[3].line == 8
    assert field in result.findings[3].message


def test_a_request_used_only_for_a_stateful_write_leaves_its_client() -> None:
    # the audit's repro: the client's one use asks for OpenAI's state, as
    # with ``previous_response_id`` written in the literal
    source = """
        import OpenAI from "openai";
        export async function POST(request: Request) {
          const { messages, previous_response_id } = await request.json();
          const openai = new OpenAI();
          const params = { model: "openai/gpt-4.1", input: messages, stream: true };
          if (previous_response_id) {
            (params as any).previous_response_id = previous_response_id;
          }
          return openai.responses.create(params as any);
        }
    """
    result = run(source)
    assert codes(result) == ["OR119"]
    assert "stateful Responses requests" in result.findings[0].message
    assert result.new_source is None


@pytest.mark.parametrize(
    ("write", "shown"),
    [
        ("params.model = pickModel()", "`params.model = pickModel()`"),
        ("params[key] = value", "`params[key] = value`"),
        ("(params as any).tools.push({ type: 'web_search' })", "tools.push("),
        ("(params as any).tools[0] = { type: 'web_search' }", "tools[0] = {"),
        ("Object.assign(params, overrides)", "`Object.assign(params, overrides)`"),
        ("Object.assign(params, { ...overrides })", "`...overrides`"),
        ("customize(params)", "`customize(params)`"),
        ("delete (params as any).store", "`delete (params as any).store`"),
        ("holder.request = params", "`holder.request = params`"),
    ],
)
def test_a_write_the_tool_does_not_follow_makes_the_request_unread(write: str, shown: str) -> None:
    result = run(TURN.replace("WRITE", write))
    assert codes(result) == ["OR101", "OR201", "OR201", "OR205"]
    unread = result.findings[3]
    assert unread.line == 8 and shown in unread.message
    assert "the request `params` sent at line 10" in unread.message
    assert fixes(result)["OR101"] == "unsafe"
    assert "app.ts:8 (OR205)" in result.findings[0].message


def test_reads_of_the_request_do_not_make_it_unread() -> None:
    result = run(
        TURN.replace(
            "WRITE",
            "console.log(params, params.model); const size = JSON.stringify(params).length; "
            "const copy = { ...params }; params.input.push(size); "
            "if (params.model.startsWith('o')) params.stream = false",
        )
    )
    assert codes(result) == ["OR101", "OR201", "OR201"]
    assert fixes(result) == {"OR101": "safe", "OR201": "safe"}


# --- 3. openai's class loaded with import() or require() -----------------------


@pytest.mark.parametrize(
    ("load", "ctor"),
    [
        ("const OpenAI = (await import('openai')).default;", "OpenAI"),
        ("const OpenAI = (await import('openai')).OpenAI;", "OpenAI"),
        ('const { default: OpenAI } = await import("openai");', "OpenAI"),
        ('const { OpenAI: Client } = await import("openai");', "Client"),
        ('const mod = await import("openai");', "mod.default"),
        ('const mod = await import("openai");', "mod.OpenAI"),
        ('const OpenAI = require("openai");', "OpenAI"),
        ("", '(require("openai"))'),
        ("", '(require("openai").OpenAI)'),
    ],
)
def test_openai_loaded_at_run_time_builds_clients_that_move(load: str, ctor: str) -> None:
    result = run(
        f"""
        export async function extract(text: string) {{
          {load}
          const client = new {ctor}({{ apiKey: process.env.OPENAI_API_KEY }});
          return client.chat.completions.create({{ model: "gpt-4.1", messages: [] }});
        }}
        """
    )
    assert codes(result) == ["OR101", "OR201"]
    assert fixes(result) == {"OR101": "safe", "OR201": "safe"}
    assert b'"openai/gpt-4.1"' in result.new_source
    assert b"OPENROUTER_API_KEY" in result.new_source


def test_the_audit_repro_with_a_key_of_its_own_is_reported() -> None:
    result = run(
        """
        export async function extract(apiKeys: { openai?: string }, text: string) {
          const OpenAI = (await import('openai')).default;
          const client = new OpenAI({ apiKey: apiKeys.openai });
          return client.chat.completions.create({ model: 'gpt-4.1', messages: [] });
        }
        """
    )
    assert codes(result) == ["OR103"]


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("import('openai').then(({ default: OpenAI }) => new OpenAI());", 1),
        ("let OpenAI;\nOpenAI = require('openai');\nexport const c = new OpenAI();", 2),
        ("export const load = () => import('openai');", 1),
        ("const p = import('openai');\nexport default p;", 1),
    ],
)
def test_openai_loaded_in_a_way_the_tool_does_not_follow_gets_or120(source: str, line: int) -> None:
    result = run(source)
    assert "OR120" in codes(result)
    found = next(f for f in result.findings if f.code == "OR120")
    assert found.line == line
    assert "loads openai's module in a way the tool does not follow" in found.message
    assert result.new_source is None


def test_a_model_sent_through_a_client_of_an_unfollowed_load_is_not_rewritten_safely() -> None:
    result = run(
        """
        export async function ask() {
          const client = await import("openai").then((m) => new m.default());
          return client.chat.completions.create({ model: "gpt-4o", messages: [] });
        }
        """
    )
    assert codes(result) == ["OR120", "OR201"]
    assert fixes(result)["OR201"] == "unsafe"


def test_openai_named_in_a_type_is_not_a_load() -> None:
    result = run(
        """
        type Client = InstanceType<typeof import("openai").default>;
        export function ask(client: Client) {
          return client;
        }
        """
    )
    assert codes(result) == []
