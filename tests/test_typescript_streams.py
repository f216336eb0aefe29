"""TypeScript OR401/OR402: the ways real code reads a stream's chunks
besides ``chunk.choices[0]`` in a ``for await`` body (audit 6, issue 14)."""

from __future__ import annotations

import textwrap

import pytest

from codemods.typescript.parser import count_problems, parse
from tests.test_typescript import codes, migrated, run

HEAD = """
import OpenAI from "openai";
const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
const stream = await openai.chat.completions.create({ model: "gpt-4o", messages, stream: true });
"""


def _src(body: str, head: str = HEAD) -> str:
    return textwrap.dedent(head).lstrip("\n") + textwrap.dedent(body).lstrip("\n")


def _guard(result):
    return next((f for f in result.findings if f.code == "OR401"), None)


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("const [choice] = chunk.choices;\nout(choice.delta.content);", "choice"),
        ("const [{ delta }] = chunk.choices;\nout(delta.content);", "{ delta }"),
        ("const { choices: [c] } = chunk;\nout(c.delta);", "c"),
        ("const { choices } = chunk;\nout(choices[0].delta);", "choices[0]"),
        ("const { choices: list, id } = chunk;\nout(id, list[0].delta);", "list[0]"),
    ],
)
def test_choices_taken_apart_in_the_loop_get_the_guard(body: str, shown: str) -> None:
    source = _src("for await (const chunk of stream) {\n" + textwrap.indent(body, "  ") + "\n}\n")
    guard = _guard(run(source))
    assert guard is not None and guard.applicability == "safe", codes(run(source))
    assert f"`{shown}` at line" in guard.message
    out = migrated(source)
    assert "for await (const chunk of stream) {\n  if (!chunk.choices.length) continue;\n" in out
    assert count_problems(parse(out.encode(), "typescript").root_node) == 0
    assert run(out).new_source is None


@pytest.mark.parametrize(
    "body",
    [
        "const [choice] = chunk.choices;\nout(choice?.delta.content);",
        "const [choice] = chunk.choices;\nif (!choice) continue;\nout(choice.delta.content);",
        "const [choice] = chunk.choices;\nif (choice) out(choice.delta.content);",
        "const [choice = fallback] = chunk.choices;\nout(choice.delta);",
        "const { choices } = chunk;\nif (!choices.length) continue;\nout(choices[0].delta);",
        "const { choices } = chunk;\nout(choices[0]?.delta);",
        "const { id, model } = chunk;\nout(id, model);",
    ],
)
def test_guarded_or_harmless_unpacking_is_left_alone(body: str) -> None:
    source = _src("for await (const chunk of stream) {\n" + textwrap.indent(body, "  ") + "\n}\n")
    assert "OR401" not in codes(run(source))


def test_unpacking_the_usage_too_makes_the_guard_unsafe() -> None:
    source = _src(
        "for await (const chunk of stream) {\n"
        "  const { choices, usage } = chunk;\n"
        "  out(choices[0].delta, usage);\n}\n"
    )
    guard = _guard(run(source))
    assert guard is not None and guard.applicability == "unsafe"
    assert "continue" not in migrated(source)


def test_a_helper_the_chunk_is_passed_to_is_read_like_the_loop() -> None:
    # the helper dereferences choices[0]: the loop gets the (safe) guard
    helper = _src(
        """
        function show(c: OpenAI.ChatCompletionChunk) {
          process.stdout.write(c.choices[0].delta.content ?? "");
        }
        for await (const chunk of stream) {
          show(chunk);
        }
        """
    )
    guard = _guard(run(helper))
    assert guard is not None and guard.applicability == "safe"
    assert "`c.choices[0]` at line 5" in guard.message
    out = migrated(helper)
    assert "  if (!chunk.choices.length) continue;\n  show(chunk);" in out
    assert run(out).new_source is None  # the guard covers the helper: a second run adds none
    assert "OR401" not in codes(run(out))
    # an arrow helper that reads the usage: unsafe, saying why
    usage = _src(
        """
        const show = (c) => { out(c.choices[0].delta, c.usage); };
        for await (const chunk of stream) show(chunk);
        """
    )
    guard = _guard(run(usage))
    assert guard is not None and guard.applicability == "unsafe" and "c.usage" in guard.message
    # a helper that guards itself: nothing, and passing the chunk to it no
    # longer makes the loop's own guard unsafe
    careful = _src(
        """
        function show(c) { out(c.choices[0]?.delta); }
        for await (const chunk of stream) {
          show(chunk);
          out(chunk.choices[0].delta);
        }
        """
    )
    guard = _guard(run(careful))
    assert guard is not None and guard.applicability == "safe"
    assert "`chunk.choices[0]` at line 7" in guard.message
    # a function the tool cannot see: still unsafe (passes the chunk on whole)
    unseen = _src(
        """
        import { show } from "./ui";
        for await (const chunk of stream) { show(chunk); out(chunk.choices[0].delta); }
        """
    )
    guard = _guard(run(unseen))
    assert guard is not None and guard.applicability == "unsafe"
    assert "passes `chunk` on whole" in guard.message


def test_a_stream_returned_by_a_function_of_the_module_is_followed() -> None:
    source = """
        import OpenAI from "openai";
        const openai = new OpenAI();
        async function ask(q: string) {
          return openai.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: q }], stream: true });
        }
        const again = async (q) => await ask(q);
        for await (const c of await ask("hi")) { out(c.choices[0].delta); }
        for await (const c of await again("hi")) { out(c.choices[0].delta); }
    """
    result = run(source)
    assert [(f.code, f.applicability) for f in result.findings if f.code == "OR401"] == [
        ("OR401", "safe"),
        ("OR401", "safe"),
    ]
    out = migrated(source)
    assert out.count("{ if (!c.choices.length) continue; out(c.choices[0].delta); }") == 2
    # a function that returns something else on one path is not a stream source
    mixed = source.replace(
        "async function ask(q: string) {\n",
        "async function ask(q: string) {\n          if (!q) return cached;\n",
    )
    assert "OR401" not in codes(run(mixed))
    # nor is a client left on OpenAI
    left = source.replace("new OpenAI()", 'new OpenAI({ baseURL: "http://localhost:1/v1" })')
    assert "OR401" not in codes(run(left))


H2 = 'import OpenAI from "openai";\nconst openai = new OpenAI();\n'


@pytest.mark.parametrize(
    ("body", "line"),
    [
        (
            'const s = openai.chat.completions.stream({ model: "gpt-4o", messages });\n'
            's.on("chunk", (chunk) => out(chunk.choices[0].delta.content));\n',
            4,
        ),
        (
            'const s = openai.beta.chat.completions.stream({ model: "gpt-4o", messages });\n'
            "function onChunk(chunk, snapshot) { out(chunk.choices[0].delta); }\n"
            's.on("chunk", onChunk);\n',
            5,
        ),
        (
            'const s = await openai.chat.completions.create({ model: "gpt-4o", messages, stream: true });\n'
            "const it = s[Symbol.asyncIterator]();\n"
            "while (true) {\n  const { value, done } = await it.next();\n  if (done) break;\n"
            "  out(value.choices[0].delta);\n}\n",
            6,
        ),
        (
            'const s = await openai.chat.completions.create({ model: "gpt-4o", messages, stream: true });\n'
            "const it = s[Symbol.asyncIterator]();\nconst r = await it.next();\n"
            "out(r.value.choices[0].delta);\n",
            5,
        ),
    ],
)
def test_chunks_read_without_a_loop_get_or402(body: str, line: int) -> None:
    result = run(H2 + body)
    found = [f for f in result.findings if f.code == "OR402"]
    assert len(found) == 1 and found[0].line == line, [(f.code, f.line) for f in result.findings]
    assert found[0].applicability is None and "TypeError" in found[0].message
    # report only: the migration changes the client and the model, nothing else
    assert "choices.length" not in migrated(H2 + body)


@pytest.mark.parametrize(
    "body",
    [
        'const s = openai.chat.completions.stream({ model: "gpt-4o", messages });\n'
        's.on("chunk", (chunk) => out(chunk.choices[0]?.delta.content));\n'
        's.on("content", (delta) => out(delta));\n',
        'const s = await openai.chat.completions.create({ model: "gpt-4o", messages, stream: true });\n'
        "const it = s[Symbol.asyncIterator]();\nconst r = await it.next();\n"
        "if (r.value.choices.length) out(r.value.choices[0].delta);\n",
        'const s = await openai.chat.completions.create({ model: "gpt-4o", messages, stream: true });\n'
        "const it = s[Symbol.asyncIterator]();\n"
        "while (true) {\n  const { value, done } = await it.next();\n"
        "  if (done || !value.choices.length) continue;\n  out(value.choices[0].delta);\n}\n",
    ],
)
def test_guarded_manual_reads_get_nothing(body: str) -> None:
    assert "OR402" not in codes(run(H2 + body))


def test_manual_reads_of_a_client_left_on_openai_get_nothing() -> None:
    head = 'import OpenAI from "openai";\nconst openai = new OpenAI({ baseURL: "http://localhost:1/v1" });\n'
    body = (
        'const s = openai.chat.completions.stream({ model: "llama", messages });\n'
        's.on("chunk", (chunk) => out(chunk.choices[0].delta.content));\n'
    )
    assert codes(run(head + body)) == ["OR104"]
