"""The TypeScript front-end's defects found by the corpus audit
(/work/notes/audit-report.md W2, S2, S8, E1), each pinned by a test that
failed before its fix:

* W2: a client assigned after its declaration (``let openai; openai = new
  OpenAI()``, in branches) is resolved over all its assignments;
* S2: a request built from a spread with no visible ``model`` gets OR205;
* S8: OR401 for ``for await`` loops over streams;
* E1: a file tree-sitter cannot parse whole is skipped silently when it does
  not use the SDK, and otherwise reported with the line and the reason.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from codemods.cli import main
from codemods.typescript.parser import count_problems, parse
from tests.helpers import cli_runner
from tests.test_e2e_node import node_sdk  # noqa: F401 (the fixture)
from tests.test_typescript import codes, migrated, run


def fixes(result) -> dict[str, str | None]:
    return {f.code: f.applicability for f in result.findings}


# --- W2: a client assigned later, in branches ----------------------------------

CHATBOT_UI = """
import OpenAI from "openai"
export async function POST(profile: any) {
  let openai
  if (profile.use_azure_openai) {
    openai = new OpenAI({ apiKey: profile.azure_key || "", baseURL: `${profile.endpoint}/openai/deployments/x` })
  } else {
    openai = new OpenAI({ apiKey: profile.openai_api_key || "" })
  }
  return openai.embeddings.create({ model: "text-embedding-3-small", input: "hi" })
}
"""


def test_models_of_clients_assigned_in_branches_and_left_get_no_finding() -> None:
    # chatbot-ui's retrieval routes: both clients stay, so the model stays too
    # (before: an unsafe OR201 that would send openai/... to OpenAI or Azure)
    result = run(CHATBOT_UI)
    assert codes(result) == ["OR104", "OR103"]
    assert result.new_source is None


def test_a_client_assigned_after_its_declaration_moves_with_its_model() -> None:
    # before: OR101 safe and OR201 unsafe, so `migrate` moved the client alone
    source = """
        import OpenAI from "openai";
        let openai;
        openai = new OpenAI();
        await openai.chat.completions.create({model: "gpt-4o", messages: []});
    """
    result = run(source)
    assert fixes(result) == {"OR101": "safe", "OR201": "safe"}
    out = migrated(source)
    assert 'baseURL: "https://openrouter.ai/api/v1"' in out and '"openai/gpt-4o"' in out


def test_clients_assigned_in_branches_that_all_move_move_together() -> None:
    source = """
        import OpenAI from "openai";
        let openai = null;
        if (process.env.X) {
          openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
        } else {
          openai = new OpenAI();
        }
        await openai.chat.completions.create({ model: "gpt-4o", messages: [] });
    """
    result = run(source)
    assert codes(result) == ["OR101", "OR101", "OR201"]
    assert set(fixes(result).values()) == {"safe"}
    out = migrated(source)
    assert out.count("https://openrouter.ai/api/v1") == 2 and '"openai/gpt-4o"' in out


@pytest.mark.parametrize(
    "other",
    [
        'new AzureOpenAI({ endpoint: "https://x.openai.azure.com", apiVersion: "2024-06-01" })',
        'new OpenAI({ baseURL: "http://localhost:11434/v1" })',
    ],
)
def test_a_client_sharing_its_variable_with_a_left_client_is_left_too(other: str) -> None:
    source = f"""
        import OpenAI, {{ AzureOpenAI }} from "openai";
        let openai: OpenAI | AzureOpenAI;
        if (process.env.AZURE) {{
          openai = {other};
        }} else {{
          openai = new OpenAI();
        }}
        await openai.chat.completions.create({{ model: "gpt-4o", messages: [] }});
    """
    result = run(source)
    assert codes(result)[1] == "OR122" and len(codes(result)) == 2
    assert "line 4" in result.findings[1].message
    assert result.new_source is None


def test_a_client_assigned_from_something_else_too_makes_the_model_unsafe() -> None:
    result = run(
        """
        import OpenAI from "openai";
        let openai = new OpenAI();
        openai = wrap(openai);
        await openai.chat.completions.create({ model: "gpt-4o", messages: [] });
        """
    )
    assert fixes(result) == {"OR101": "safe", "OR201": "unsafe"}


# --- S2: a request built from a spread -----------------------------------------


def test_a_request_spreading_a_body_without_a_model_gets_or205() -> None:
    result = run(
        """
        import OpenAI from 'openai';
        export async function POST(req: Request) {
          const body = await req.json();
          const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
          await openai.responses.parse({...(body as any), stream: false});
          const request = { ...body };
          await openai.chat.completions.create(request);
          await openai.chat.completions.create({ ...body, model: "gpt-4o" });
          return Response.json(await openai.responses.create({ ...body, stream: false }));
        }
        """
    )
    # the spread before an own model still brings fields the tool does not
    # read; each unread request holds the client (an unsafe move, #11)
    assert codes(result) == ["OR101", "OR205", "OR205", "OR205", "OR201", "OR205"]
    assert "`...(body as any)`" in result.findings[1].message
    assert "fields it brings are not read" in result.findings[3].message
    assert (result.findings[2].line, result.findings[5].line) == (6, 9)
    assert fixes(result)["OR101"] == "unsafe"


def test_a_spread_request_through_a_parameter_gets_or205() -> None:
    # realtime-agents' route.ts: the client reaches the call as a parameter
    result = run(
        """
        import OpenAI from 'openai';
        export async function POST(req: Request) {
          const body = await req.json();
          const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
          return await textResponse(openai, body);
        }
        async function textResponse(openai: OpenAI, body: any) {
          return await openai.responses.create({
            ...(body as any),
            stream: false,
          });
        }
        """
    )
    assert codes(result) == ["OR101", "OR205"]
    assert result.findings[1].line == 9


def test_a_spread_request_of_a_client_left_alone_gets_nothing() -> None:
    result = run(
        """
        import OpenAI from "openai";
        const openai = new OpenAI({ baseURL: "http://localhost:8000/v1" });
        await openai.chat.completions.create({ ...body });
        """
    )
    assert codes(result) == ["OR104"]


# --- S8: OR401 for stream loops -------------------------------------------------

HEAD = """
import OpenAI from "openai";
const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
const stream = await openai.chat.completions.create({ model: "gpt-4o", messages, stream: true });
"""


def _loop(body: str, head: str = HEAD) -> str:
    return textwrap.dedent(head).lstrip("\n") + textwrap.dedent(body).lstrip("\n")


def test_the_audit_probe_gets_the_guard() -> None:
    source = _loop(
        """
        let text = "";
        for await (const chunk of stream) { text += chunk.choices[0].delta.content ?? ""; }
        """
    )
    result = run(source)
    assert fixes(result) == {"OR101": "safe", "OR201": "safe", "OR401": "safe"}
    assert "TypeError" in result.findings[-1].message
    out = migrated(source)
    assert (
        "for await (const chunk of stream) { if (!chunk.choices.length) continue; text += "
        'chunk.choices[0].delta.content ?? ""; }'
    ) in out
    assert count_problems(parse(out.encode(), "typescript").root_node) == 0
    assert run(out).new_source is None  # a second run changes nothing


def test_the_guard_takes_the_layout_and_style_of_the_file() -> None:
    # a multi-line body: its own line at the body's indentation, CRLF kept
    source = _loop(
        """
        export async function main() {
          for await (const part of stream) {
            // print it
            process.stdout.write(part.choices[0].delta.content || "");
          }
        }
        """
    ).replace("\n", "\r\n")
    out = migrated(source)
    assert (
        "for await (const part of stream) {\r\n    if (!part.choices.length) continue;\r\n"
        "    // print it\r\n" in out
    )
    # no semicolons in the file: none in the guard; single quotes untouched
    source = """
        import OpenAI from 'openai'
        const client = new OpenAI()
        const stream = await client.chat.completions.create({ model: 'gpt-4o', messages: [], stream: true })
        for await (const part of stream) {
          process.stdout.write(part.choices[0].delta.content || '')
        }
    """
    out = migrated(source, "app.mjs")
    assert "{\n  if (!part.choices.length) continue\n  process.stdout" in out
    # a body without braces gets them
    out = migrated(
        _loop("for await (const c of stream) process.stdout.write(c.choices[0].delta.content);\n")
    )
    assert (
        "for await (const c of stream) { if (!c.choices.length) continue; "
        "process.stdout.write(c.choices[0].delta.content); }" in out
    )
    # a file that reads choices?. gets the optional form
    out = migrated(
        _loop(
            """
            for await (const c of stream) {
              if (c.choices?.[0]) console.log(c.choices[0].index);
              console.log(c.choices[0].delta);
            }
            """
        )
    )
    assert "  if (!c.choices?.length) continue;\n" in out


@pytest.mark.parametrize(
    "call",
    [
        'await openai.chat.completions.create({ model: "gpt-4o", messages, stream: true })',
        'openai.chat.completions.create({ model: "gpt-4o", messages, stream: true })',
        'openai.chat.completions.stream({ model: "gpt-4o", messages })',
        'openai.beta.chat.completions.stream({ model: "gpt-4o", messages })',
        'await openai.completions.create({ model: "gpt-3.5-turbo-instruct", prompt, stream: true })',
    ],
)
def test_every_stream_source_is_seen(call: str) -> None:
    head = 'import OpenAI from "openai";\nconst openai = new OpenAI();\n'
    direct = run(_loop(f"for await (const c of {call}) {{ out(c.choices[0].delta); }}\n", head))
    named = run(
        _loop(f"const s = {call};\nfor await (const c of s) {{ out(c.choices[0].delta); }}\n", head)
    )
    for result in (direct, named):
        assert "OR401" in codes(result)


@pytest.mark.parametrize(
    "body",
    [
        "out(chunk.choices[0]?.delta.content);",
        "out(chunk.choices[0]?.delta?.content ?? '');",
        "if (!chunk.choices.length) continue;\nout(chunk.choices[0].delta);",
        "if (chunk.choices.length === 0) { continue; }\nout(chunk.choices[0].delta);",
        "if (!chunk.choices?.length) return;\nout(chunk.choices[0].delta);",
        "if (chunk.choices.length > 0) {\n  out(chunk.choices[0].delta);\n}",
        "chunk.choices.length && out(chunk.choices[0].delta);",
        "out(chunk.choices.length ? chunk.choices[0].delta : null);",
        "try {\n  out(chunk.choices[0].delta);\n} catch (e) {}",
        "out(chunk.choices.map((c) => c.delta));",
        "for (const choice of chunk.choices) out(choice.delta);",
        "out(chunk.id, chunk.model);",
    ],
)
def test_guarded_loops_are_left_alone(body: str) -> None:
    source = _loop("for await (const chunk of stream) {\n" + textwrap.indent(body, "  ") + "\n}\n")
    result = run(source)
    assert "OR401" not in codes(result)


def test_usage_or_the_chunk_passed_on_make_the_guard_unsafe() -> None:
    for body, why in [
        ("out(chunk.choices[0].delta); total = chunk.usage;", "`chunk.usage`"),
        ("chunks.push(chunk); out(chunk.choices[0].delta);", "passes `chunk` on whole"),
    ]:
        source = _loop("for await (const chunk of stream) {\n  " + body + "\n}\n")
        result = run(source)
        guard = next(f for f in result.findings if f.code == "OR401")
        assert guard.applicability == "unsafe" and why in guard.message
        assert "continue" not in migrated(source)
        assert "  if (!chunk.choices.length) continue;\n" in migrated(source, unsafe_fixes=True)


def test_streams_of_clients_left_alone_or_other_packages_get_no_guard() -> None:
    loop = "for await (const c of stream) { out(c.choices[0].delta); }\n"
    left = _loop(
        loop,
        """
        import OpenAI from "openai";
        const openai = new OpenAI({ baseURL: "http://localhost:8000/v1" });
        const stream = await openai.chat.completions.create({ model: "llama", messages, stream: true });
        """,
    )
    assert codes(run(left)) == ["OR104"]
    other = _loop(
        loop,
        """
        import Groq from "groq-sdk";
        import OpenAI from "openai";
        const groq = new Groq();
        const stream = await groq.chat.completions.create({ model: "llama", messages, stream: true });
        """,
    )
    assert "OR401" not in codes(run(other))
    not_a_stream = _loop(
        loop,
        """
        import OpenAI from "openai";
        const openai = new OpenAI();
        const stream = await openai.chat.completions.create({ model: "gpt-4o", messages });
        """,
    )
    assert "OR401" not in codes(run(not_a_stream))


def test_a_stream_of_an_unresolved_client_gets_an_unsafe_guard_and_noqa_works() -> None:
    head = 'import OpenAI from "openai";\nexport async function go(client: OpenAI) {\n'
    source = (
        head
        + '  const s = await client.chat.completions.create({ model: "openai/gpt-4o", messages, stream: true });\n'
        + "  for await (const c of s) { out(c.choices[0].delta); }\n}\n"
    )
    guard = next(f for f in run(source).findings if f.code == "OR401")
    assert guard.applicability == "unsafe" and "not resolved" in guard.message
    quiet = source.replace(
        "for await (const c of s) {", "for await (const c of s) { // noqa: OR401"
    )
    assert "OR401" not in codes(run(quiet))


def test_the_guard_moves_with_its_client() -> None:
    # `// noqa: OR101` keeps the client on OpenAI: the guard stays out too
    source = _loop("for await (const c of stream) { out(c.choices[0].delta); }\n").replace(
        "OPENAI_API_KEY });", "OPENAI_API_KEY }); // noqa: OR101"
    )
    assert "OR401" in codes(run(source.replace(" // noqa: OR101", "")))
    result = run(source)
    assert codes(result) == [] and result.new_source is None  # with the model


# --- E1: a file tree-sitter cannot parse whole ----------------------------------


def test_a_tsx_file_that_does_not_use_the_sdk_is_skipped_silently() -> None:
    # the repro: imports openai (so it passes the prefilter), builds no client
    result = run('import OpenAI from "openai";\nconst x = <div>a & b</div>;\n', "page.tsx")
    assert result.errors == [] and result.findings == [] and result.new_source is None
    # chat-langchain's sidebar: no openai at all, in past the prefilter by
    # its `model` and `chat` identifiers
    result = run(
        "const model = chat.completions;\nexport const S = () => <div>Monitoring & Tracing</div>;\n",
        "sidebar.tsx",
    )
    assert result.errors == [] and result.findings == []


def test_a_file_that_uses_the_sdk_is_reported_with_the_line_and_why() -> None:
    result = run(
        'import OpenAI from "openai";\nconst c = new OpenAI();\nconst x = <p>Tom & Jerry</p>;\n',
        "page.tsx",
    )
    [error] = result.errors
    assert error.line == 3 and "bare `&` in JSX text" in error.message
    assert "not rewritten" in error.message and "&amp;" in error.message
    assert codes(result) == ["OR101"] and result.new_source is None
    # openai swallowed by the unparsed text: not silent
    result = run('import OpenAI from "openai";\nconst c = new OpenAI(;\n', "app.ts")
    assert len(result.errors) == 1 and "syntax error" in result.errors[0].message


def test_exit_codes_of_files_the_grammar_rejects(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("page.tsx").write_text('import OpenAI from "openai";\nconst x = <div>a & b</div>;\n')
    runner = cli_runner()
    assert runner.invoke(main, ["check", "--no-cache", "."]).exit_code == 0
    assert runner.invoke(main, ["migrate", "--no-cache", "."]).exit_code == 0
    Path("page.tsx").write_text(
        'import OpenAI from "openai";\nconst c = new OpenAI();\nconst x = <div>a & b</div>;\n'
    )
    check = runner.invoke(main, ["check", "--no-cache", "."])
    assert check.exit_code == 2 and "page.tsx:3:" in check.output
    assert runner.invoke(main, ["migrate", "--no-cache", "."]).exit_code == 2
    assert "new OpenAI()" in Path("page.tsx").read_text()


# --- S8 end to end: the guard is what makes the migrated stream app run -------


@pytest.mark.parametrize(
    ("app_name", "expected_models", "guards"),
    [
        ("node_stream", ["openai/gpt-4o"], 1),
        # the stream returned by a function, the chunk passed to a helper,
        # `const [choice] = chunk.choices` (issue 14 / audit 6 M1)
        ("node_stream_helpers", ["openai/gpt-4o-mini"], 2),
    ],
)
def test_the_node_stream_app_runs_on_openrouter_only_because_of_the_guard(
    node_sdk,  # noqa: F811 (the fixture of tests/test_e2e_node.py)
    app_name: str,
    expected_models: list[str],
    guards: int,
) -> None:
    """``fixtures/e2e_apps_js/node_stream`` migrated as usual passes
    tests/test_e2e_node.py; migrated with OR401 ignored it sends correct
    requests and dies with a TypeError on the server's last chunk (empty
    ``choices``, as OpenRouter's usage chunk)."""
    import os
    import shutil
    import sys

    from tests.e2e_server import FakeOpenRouter
    from tests.test_e2e_apps import OPENROUTER_KEY, _base_env, _proc
    from tests.test_e2e_node import APPS_DIR, ROOT

    node, sdk_dir = node_sdk
    outcomes = {}
    for ignore in ((), ("--ignore", "OR401")):
        work = sdk_dir / "apps" / f"{app_name}-audit{len(ignore)}"
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(APPS_DIR / app_name, work)
        home = work.parent / "home"
        home.mkdir(exist_ok=True)
        cli_env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_MIGRATE_")}
        cli_env["PYTHONPATH"] = str(ROOT)
        with FakeOpenRouter() as server:
            migrate = _proc(
                [sys.executable, "-m", "codemods", "migrate", "--no-cache", "--base-url"]
                + [server.base_url, *ignore, "."],
                work,
                cli_env,
                timeout=180,
            )
            env = _base_env(server, home)
            env["OPENROUTER_API_KEY"] = OPENROUTER_KEY
            app = _proc([node, "app.mjs"], work, env, timeout=60)
            models = [r.body.get("model") for r in server.requests if isinstance(r.body, dict)]
        assert migrate.returncode == 0 and models[:1] == expected_models, (migrate, models)
        outcomes[bool(ignore)] = (app, (work / "app.mjs").read_text())
    guarded, source = outcomes[False]
    assert guarded.returncode == 0, guarded
    assert source.count("if (!chunk.choices.length) continue;") == guards
    assert guarded.stdout.strip(), guarded
    crashed, source = outcomes[True]
    assert "continue" not in source
    assert crashed.returncode != 0 and "TypeError" in crashed.stderr, crashed


# --- N3 (final audit): a destructured loop variable --------------------------

_DESTRUCTURED_HEADER = """\
import OpenAI from "openai";
const openai = new OpenAI();
const stream = await openai.chat.completions.create({ model: "gpt-4o", messages, stream: true });
"""


@pytest.mark.parametrize(
    "loop",
    [
        "for await (const { choices } of stream) { out(choices[0].delta); }\n",
        "for await (const { choices: [first] } of stream) { out(first.delta); }\n",
    ],
)
def test_a_loop_taking_the_chunk_apart_is_reported(loop: str) -> None:
    result = run(_DESTRUCTURED_HEADER + loop, path="app.mjs")
    (finding,) = [f for f in result.findings if f.code == "OR401"]
    assert not finding.fixable
    assert "choices" in finding.message and "TypeError" in finding.message


@pytest.mark.parametrize(
    "loop",
    [
        "for await (const { choices } of stream) { if (!choices.length) continue; out(choices[0]); }\n",
        "for await (const { choices } of stream) { out(choices[0]?.delta); }\n",
        "for await (const { id } of stream) { out(id); }\n",
    ],
)
def test_a_destructured_loop_that_checks_or_does_not_read_choices_is_left_alone(
    loop: str,
) -> None:
    assert "OR401" not in codes(run(_DESTRUCTURED_HEADER + loop, path="app.mjs"))
