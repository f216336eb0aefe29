"""Property-based tests of the TypeScript/JavaScript front-end: generated
``new OpenAI(...)`` constructors (random options, orders, layouts, comments,
quotes, trailing commas, import forms, CRLF) and model calls. On every one:
the output parses with no ERROR/MISSING node, a second run changes nothing,
nothing fixable is left, and every comment not on a removed option survives.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codemods.core.engine import EngineConfig
from codemods.core.findings import Settings
from codemods.typescript import grammar_of
from codemods.typescript.engine import process_typescript
from codemods.typescript.parser import count_problems, parse

IMPORTS = [
    ('import OpenAI from "openai";', "OpenAI"),
    ('import { OpenAI as Client } from "openai";', "Client"),
    ('import * as oa from "openai";', "oa.OpenAI"),
    ('const OpenAI = require("openai");', "OpenAI"),
    ('const { OpenAI: C } = require("openai");', "C"),
]
KEYS = [
    "process.env.OPENAI_API_KEY",
    'process.env["OPENAI_API_KEY"]',
    "process.env.OPENAI_API_KEY!",
    'process.env.OPENAI_API_KEY ?? ""',
    "import.meta.env.VITE_OPENAI_API_KEY",
    'Deno.env.get("OPENAI_API_KEY")',
    "process.env.OPENROUTER_API_KEY",
]
OTHER = [
    ("organization", ["{q}org-1{q}", "process.env.OPENAI_ORG_ID"]),
    ("project", ["{q}proj_1{q}"]),
    ("baseURL", ["{q}https://api.openai.com/v1{q}", "{q}https://api.openai.com/v1/{q}"]),
    ("timeout", ["20 * 1000", "600"]),
    ("maxRetries", ["0"]),
    ("defaultHeaders", ["{{ {q}X-Trace{q}: {q}1{q} }}", "{{}}"]),
    ("dangerouslyAllowBrowser", ["true"]),
]
MODELS = ["gpt-4o", "gpt-4o-mini", "text-embedding-3-small", "openai/gpt-4o", "o3-mini"]
METHODS = ["chat.completions.create", "responses.create", "embeddings.create"]
SPACE = st.sampled_from([" ", "", "\n  ", "\n", "  ", "\n\n    "])
COMMENT = st.sampled_from(["", " /* c1 */", " // c2\n", "\n  // c3\n  "])


@st.composite
def programs(draw) -> tuple[str, str]:
    header, ctor = draw(st.sampled_from(IMPORTS))
    path = draw(st.sampled_from(["a.ts", "a.tsx", "a.mjs", "a.js"]))
    if "require" in header and path.endswith("ts"):
        path = "a.cts"
    q = draw(st.sampled_from(['"', "'"]))
    props: list[str] = []
    names = draw(
        st.lists(st.sampled_from([n for n, _ in OTHER] + ["apiKey"]), unique=True, max_size=5)
    )
    for name in names:
        if name == "apiKey":
            # `x!` (non-null assertion) is TypeScript only: a syntax error in .js/.mjs
            typed = path.endswith(("ts", "tsx"))
            keys = KEYS if typed else [k for k in KEYS if not k.endswith("!")]
            value = draw(st.sampled_from(keys)).replace('"', q)
        else:
            value = draw(st.sampled_from(dict(OTHER)[name])).format(q=q)
        props.append(f"{name}:{draw(st.sampled_from([' ', '']))}{value}")
    shape = draw(st.sampled_from(["object", "empty", "none", "bare"]))
    if shape == "object" and props:
        pieces = []
        for p in props:
            pieces.append(draw(SPACE) + p + draw(COMMENT))
        body = ",".join(pieces) + draw(st.sampled_from(["", ","])) + draw(SPACE)
        args = "({" + body + "})"
    elif shape == "empty":
        args = "({" + draw(SPACE) + "})"
    elif shape == "bare":
        args = ""
    else:
        args = "()"
    lines = [
        header,
        draw(COMMENT).strip(),
        f"const client = new {ctor}{args};{draw(COMMENT)}",
    ]
    for _ in range(draw(st.integers(0, 3))):
        model = draw(st.sampled_from(MODELS))
        method = draw(st.sampled_from(METHODS))
        use_const = draw(st.booleans())
        if use_const:
            name = f"M{len(lines)}"
            typed = path.endswith(("ts", "tsx"))
            suffix = draw(st.sampled_from(["", " as const"])) if typed else ""
            lines.append(f"const {name} = {q}{model}{q}{suffix};")
            value = name
        else:
            value = f"{q}{model}{q}"
        lines.append(f"await client.{method}({{{draw(SPACE)}model: {value}, input: {q}x{q} }});")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join(lines) + newline, path


def _run(data: bytes, path: str):
    return process_typescript(path, data, EngineConfig(settings=Settings(app_url="https://x.dev")))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_generated_constructors_migrate_safely_and_idempotently(program) -> None:
    source, path = program
    data = source.encode()
    grammar = grammar_of(path)
    assert count_problems(parse(data, grammar).root_node) == 0, source
    first = _run(data, path)
    assert not first.errors, (source, first.errors)
    out = first.new_source if first.new_source is not None else data
    assert count_problems(parse(out, grammar).root_node) == 0, out.decode()
    second = _run(out, path)
    assert second.new_source is None, (source, out.decode())
    assert not any(f.fixable for f in second.findings), out.decode()
    # comments survive (those next to a removed option go with it)
    removed = "organization" in source or "project" in source
    for comment in () if removed else ("/* c1 */", "// c2", "// c3"):
        assert source.count(comment) == out.decode().count(comment), out.decode()
    # new lines end as the object's own lines do: no LF added to a CRLF file
    # and no CRLF to an LF file
    bare = data.count(b"\n") - data.count(b"\r\n")
    if bare == 0:
        assert out.count(b"\n") == out.count(b"\r\n"), out
    if b"\r\n" not in data:
        assert b"\r\n" not in out
    # a migrated client has OpenRouter's URL and key
    if first.new_source is not None and any(f.code == "OR101" for f in first.findings):
        assert b"openrouter.ai/api/v1" in out
        assert b"OPENAI_API_KEY" not in out
        assert b"organization" not in out


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="abc (){}[];,.:=\"'`/*\n!?<>&+-_$", max_size=120))
def test_any_text_around_a_constructor_never_breaks_the_file(noise: str) -> None:
    source = f'import OpenAI from "openai";\n{noise}\nconst c = new OpenAI();\n{noise}\n'
    data = source.encode()
    for path in ("a.ts", "a.tsx", "a.js"):
        result = _run(data, path)
        if result.new_source is None:
            continue
        before = count_problems(parse(data, grammar_of(path)).root_node)
        assert before == 0  # a file with errors is never rewritten
        assert count_problems(parse(result.new_source, grammar_of(path)).root_node) == 0
        assert _run(result.new_source, path).new_source is None
