"""The TypeScript/JavaScript front-end (codemods/typescript/): grammars,
imports, the client and model rules, layout kept byte for byte, noqa, broken
files, and the shared engine around it (discovery, runner, formats, cache)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from codemods.cli import main
from codemods.core.engine import EngineConfig
from codemods.core.findings import Settings
from codemods.typescript import grammar_of, is_typescript_path
from codemods.typescript.engine import process_typescript
from codemods.typescript.parser import count_problems, language, parse
from tests.helpers import cli_runner


def run(source: str | bytes, path: str = "app.ts", **settings):
    data = source if isinstance(source, bytes) else textwrap.dedent(source).lstrip("\n").encode()
    return process_typescript(path, data, EngineConfig(settings=Settings(**settings)))


def migrated(source: str | bytes, path: str = "app.ts", **settings) -> str:
    result = run(source, path, **settings)
    assert not result.errors, result.errors
    assert result.new_source is not None, [f.message for f in result.findings]
    return result.new_source.decode()


def codes(result) -> list[str]:
    return [f.code for f in result.findings]


# --- the grammars ------------------------------------------------------------


def test_the_three_grammars_load_with_this_binding_and_parse() -> None:
    # a grammar built for a newer language ABI than the binding refuses to
    # load: pyproject pins versions that load together
    import tree_sitter

    for grammar, snippet in [
        ("typescript", b"const x: number = 1; new OpenAI({ apiKey: k! });"),
        ("tsx", b"const e = <div className='a'>{x as string}</div>;"),
        ("javascript", b"const e = <div>{x}</div>; const { OpenAI } = require('openai');"),
    ]:
        lang = language(grammar)
        abi = getattr(lang, "abi_version", None) or lang.version
        assert tree_sitter.MIN_COMPATIBLE_LANGUAGE_VERSION <= abi <= tree_sitter.LANGUAGE_VERSION
        assert count_problems(parse(snippet, grammar).root_node) == 0, grammar


@pytest.mark.parametrize(
    ("path", "grammar"),
    [
        ("a.ts", "typescript"),
        ("a.mts", "typescript"),
        ("a.cts", "typescript"),
        ("A.TSX", "tsx"),
        ("a.js", "javascript"),
        ("a.mjs", "javascript"),
        ("a.cjs", "javascript"),
        ("a.jsx", "javascript"),
    ],
)
def test_grammar_by_extension(path: str, grammar: str) -> None:
    assert is_typescript_path(path)
    assert grammar_of(path) == grammar


def test_python_paths_are_not_typescript() -> None:
    for path in ("a.py", "a.pyi", "a.ipynb", "bin/run", "a.json", "a.tsv"):
        assert not is_typescript_path(path)


# --- imports -----------------------------------------------------------------


@pytest.mark.parametrize(
    "header, ctor",
    [
        ('import OpenAI from "openai";', "OpenAI"),
        ('import { OpenAI } from "openai";', "OpenAI"),
        ('import { OpenAI as Client } from "openai";', "Client"),
        ('import * as oa from "openai";', "oa.OpenAI"),
        ('import * as oa from "openai";', "oa.default"),
        ('const OpenAI = require("openai");', "OpenAI"),
        ('const OpenAI = require("openai");', "OpenAI.OpenAI"),
        ('const { OpenAI } = require("openai");', "OpenAI"),
        ('const { OpenAI: C } = require("openai");', "C"),
        ('const C = require("openai").OpenAI;', "C"),
        ('import OpenAI = require("openai");', "OpenAI"),
        ('import OpenAI from "npm:openai@4";', "OpenAI"),
    ],
)
def test_every_import_form_is_resolved(header: str, ctor: str) -> None:
    out = migrated(f"{header}\nconst client = new {ctor}();\n")
    assert (
        f'new {ctor}({{ baseURL: "https://openrouter.ai/api/v1", '
        f"apiKey: process.env.OPENROUTER_API_KEY }})" in out
    )


def test_other_packages_and_local_classes_are_not_touched() -> None:
    for source in [
        'import OpenAI from "@langchain/openai";\nconst c = new OpenAI();\n',
        'import { OpenAI } from "llamaindex";\nconst c = new OpenAI({ model: "gpt-4o" });\n',
        "class OpenAI {}\nconst c = new OpenAI(); // openai\n",
    ]:
        result = run(source)
        assert result.new_source is None and codes(result) == [], source


def test_a_name_declared_twice_is_reported_not_rewritten() -> None:
    result = run(
        """
        import OpenAI from "openai";
        function make(OpenAI) { return new OpenAI(); }
        """
    )
    assert codes(result) == ["OR120"]
    assert result.new_source is None


def test_the_openai_name_is_resolved_by_scope() -> None:
    # a parameter named like the import shadows it in its function only:
    # the client built at the top is openai's (before: both were OR120)
    result = run(
        """
        import OpenAI from "openai";
        const client = new OpenAI();
        function make(OpenAI) { return new OpenAI(); }
        """
    )
    assert codes(result) == ["OR101", "OR120"]
    assert result.findings[0].line == 2 and result.findings[1].line == 3
    assert "may not be the name imported from openai" in result.findings[1].message
    assert b"new OpenAI();" in (result.new_source or b"")


def test_an_openai_name_assigned_again_is_not_pinned_down() -> None:
    # as Python's ``except ImportError: OpenAI = None``
    result = run(
        """
        let OpenAI = require("openai");
        if (process.env.MOCK) OpenAI = FakeOpenAI;
        const client = new OpenAI();
        """
    )
    assert codes(result) == ["OR120"]
    assert result.new_source is None


# --- OR101 -------------------------------------------------------------------


def test_multiline_options_keep_layout_comments_and_trailing_commas() -> None:
    source = """
    import OpenAI from "openai";

    const client = new OpenAI({
      // the key comes from the environment
      apiKey: process.env.OPENAI_API_KEY, // trailing comment
      organization: "org-123", // goes with it
      timeout: 10_000,
    });
    """
    assert migrated(source) == textwrap.dedent(
        """\
        import OpenAI from "openai";

        const client = new OpenAI({
          baseURL: "https://openrouter.ai/api/v1",
          // the key comes from the environment
          apiKey: process.env.OPENROUTER_API_KEY, // trailing comment
          timeout: 10_000,
        });
        """
    )


@pytest.mark.parametrize(
    "options, expected",
    [
        ("", '{ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env.OPENROUTER_API_KEY }'),
        (
            "{}",
            '{ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env.OPENROUTER_API_KEY }',
        ),
        (
            '{ organization: "o" }',
            '{ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env.OPENROUTER_API_KEY }',
        ),
        (
            '{ maxRetries: 0, project: "p" }',
            '{ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env.OPENROUTER_API_KEY, maxRetries: 0 }',
        ),
        (
            '{ organization: "o", project: "p" }',
            '{ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env.OPENROUTER_API_KEY }',
        ),
        (
            '{ maxRetries: 0, organization: "o", project: "p" }',
            '{ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env.OPENROUTER_API_KEY, maxRetries: 0 }',
        ),
        (
            '{ organization: "o", /* why */ project: "p", maxRetries: 0, }',
            '{ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env.OPENROUTER_API_KEY, maxRetries: 0, }',
        ),
        (
            '{ project: "p", maxRetries: 0 }',
            '{ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env.OPENROUTER_API_KEY, maxRetries: 0 }',
        ),
        (
            '{ apiKey: process.env["OPENAI_API_KEY"]! }',
            '{ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env["OPENROUTER_API_KEY"]! }',
        ),
        (
            '{ apiKey: process.env.OPENAI_API_KEY ?? "" }',
            '{ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env.OPENROUTER_API_KEY ?? "" }',
        ),
        (
            "{ apiKey: import.meta.env.VITE_OPENAI_API_KEY }",
            '{ baseURL: "https://openrouter.ai/api/v1", apiKey: import.meta.env.VITE_OPENROUTER_API_KEY }',
        ),
        (
            '{ baseURL: "https://api.openai.com/v1", apiKey: process.env.OPENAI_API_KEY }',
            '{ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env.OPENROUTER_API_KEY }',
        ),
    ],
)
def test_constructor_options(options: str, expected: str) -> None:
    out = migrated(f'import OpenAI from "openai";\nconst c = new OpenAI({options});\n')
    assert out == f'import OpenAI from "openai";\nconst c = new OpenAI({expected});\n'


def test_new_without_parentheses() -> None:
    out = migrated('import OpenAI from "openai";\nconst c = new OpenAI;\n')
    assert "new OpenAI({ baseURL:" in out


def test_deno_keeps_its_form_and_single_quotes_are_used_when_the_file_uses_them() -> None:
    out = migrated("import OpenAI from 'npm:openai';\nconst c = new OpenAI();\nDeno.exit(0);\n")
    assert (
        "new OpenAI({ baseURL: 'https://openrouter.ai/api/v1', apiKey: Deno.env.get('OPENROUTER_API_KEY') })"
        in out
    )
    out = migrated(
        'import OpenAI from "openai";\nconst c = new OpenAI({ apiKey: Deno.env.get("OPENAI_API_KEY") });\n'
    )
    assert 'apiKey: Deno.env.get("OPENROUTER_API_KEY")' in out


def test_project_is_kept_with_keep_project() -> None:
    out = migrated(
        'import OpenAI from "openai";\nconst c = new OpenAI({ project: "p" });\n',
        strip_project=False,
    )
    assert 'project: "p"' in out


def test_attribution_headers_only_when_asked_and_merged_into_a_literal() -> None:
    plain = migrated('import OpenAI from "openai";\nconst c = new OpenAI();\n')
    assert "defaultHeaders" not in plain
    out = migrated(
        'import OpenAI from "openai";\nconst c = new OpenAI({ defaultHeaders: { "X-Trace": "1" } });\n',
        app_url="https://example.com",
        app_title="My App",
    )
    assert (
        'defaultHeaders: { "X-Trace": "1", "HTTP-Referer": "https://example.com", "X-Title": "My App" }'
        in out
    )
    added = migrated(
        'import OpenAI from "openai";\nconst c = new OpenAI();\n',
        app_url="https://example.com",
        title_header="X-OpenRouter-Title",
        app_title="A",
    )
    assert (
        'defaultHeaders: { "HTTP-Referer": "https://example.com", "X-OpenRouter-Title": "A" }'
        in added
    )
    result = run(
        'import OpenAI from "openai";\nconst c = new OpenAI({ defaultHeaders: headers });\n',
        app_url="https://example.com",
    )
    assert sorted(codes(result)) == ["OR101", "OR106"]


def test_a_hard_coded_key_is_replaced_and_reported() -> None:
    key = "sk-proj-" + "a1B2c3D4" * 5
    result = run(f'import OpenAI from "openai";\nconst c = new OpenAI({{ apiKey: "{key}" }});\n')
    assert sorted(codes(result)) == ["OR101", "OR107"]
    assert key.encode() not in result.new_source
    assert b"apiKey: process.env.OPENROUTER_API_KEY" in result.new_source
    assert all(key not in f.message and key not in (f.replacement or "") for f in result.findings)
    assert [f.fixable for f in result.findings] == [True, True]


@pytest.mark.parametrize(
    "options, code",
    [
        ("{ ...opts }", "OR105"),
        ("opts", "OR105"),
        ('{ baseURL: "http://localhost:8080/v1" }', "OR104"),
        ("{ baseURL: process.env.OPENAI_BASE_URL }", "OR104"),
        ("{ apiKey: config.key }", "OR103"),
        ("{ apiKey }", "OR103"),
        ("{ apiKey: process.env.MY_KEY }", "OR103"),
        ('{ apiKey: process.env.OPENAI_API_KEY ?? "sk-x" }', "OR103"),
        ("{ provider: 'x' }", "OR118"),
    ],
)
def test_clients_left_alone_are_reported_with_their_models(options: str, code: str) -> None:
    source = (
        'import OpenAI from "openai";\n'
        f"const c = new OpenAI({options});\n"
        'await c.chat.completions.create({ model: "gpt-4o", messages: [] });\n'
    )
    result = run(source)
    assert codes(result) == [code]  # no OR201: the models stay with the client
    assert result.new_source is None


def test_azure_is_reported() -> None:
    result = run('import { AzureOpenAI } from "openai";\nconst c = new AzureOpenAI();\n')
    assert codes(result) == ["OR102"]
    assert result.new_source is None


def test_a_client_used_only_for_unsupported_endpoints_stays_on_openai() -> None:
    result = run(
        """
        import OpenAI from "openai";
        const c = new OpenAI();
        await c.files.create({ file, purpose: "batch" });
        await c.beta.assistants.create({ model: "gpt-4o" });
        """
    )
    assert codes(result) == ["OR119"]
    assert result.new_source is None


def test_already_openrouter_is_left_and_its_models_are_fixed() -> None:
    source = """
    import OpenAI from "openai";
    const c = new OpenAI({ baseURL: "https://openrouter.ai/api/v1", apiKey: process.env.OPENROUTER_API_KEY });
    await c.chat.completions.create({ model: "gpt-4o", messages: [] });
    """
    result = run(source)
    assert codes(result) == ["OR201"]
    assert result.findings[0].applicability == "safe"


# --- models ------------------------------------------------------------------


def test_models_through_consts_params_objects_and_this_members() -> None:
    source = """
    import OpenAI from "openai";
    const MODEL = "gpt-4o" as const;
    const params = { model: "gpt-4o-mini", messages: [] };
    class Bot {
      private client = new OpenAI();
      async ask() {
        await this.client.chat.completions.create({ model: MODEL, messages: [] });
        await this.client.chat.completions.create(params);
        await this.client.responses.create({ model: "o3-mini", input: "x" });
        await this.client.embeddings.create({ model: "text-embedding-3-small", input: "x" });
        await this.client.beta.chat.completions.parse({ model: "gpt-4o-2024-08-06", messages: [] });
      }
    }
    """
    out = migrated(source)
    for expected in [
        '"openai/gpt-4o" as const',
        'model: "openai/gpt-4o-mini"',
        'model: "openai/o3-mini"',
        'model: "openai/text-embedding-3-small"',
        'model: "openai/gpt-4o-2024-08-06"',
    ]:
        assert expected in out, expected


def test_unresolved_receivers_make_the_model_fix_unsafe() -> None:
    source = """
    import { openai } from "./lib/openai";
    await openai.chat.completions.create({ model: "gpt-4o", messages: [] });
    """
    result = run(source)
    assert codes(result) == ["OR201"]
    assert result.findings[0].applicability == "unsafe"
    assert result.new_source is None
    assert b'"openai/gpt-4o"' in run(source, unsafe_fixes=True).new_source


def test_a_constant_used_elsewhere_or_exported_is_not_rewritten_safely() -> None:
    shared = run(
        """
        import OpenAI from "openai";
        const c = new OpenAI();
        const MODEL = "gpt-4o";
        console.log(MODEL);
        await c.chat.completions.create({ model: MODEL, messages: [] });
        """
    )
    assert sorted(codes(shared)) == ["OR101", "OR206"]
    exported = run(
        """
        import OpenAI from "openai";
        const c = new OpenAI();
        export const MODEL = "gpt-4o";
        await c.chat.completions.create({ model: MODEL, messages: [] });
        """
    )
    model = [f for f in exported.findings if f.code == "OR201"][0]
    assert model.applicability == "unsafe" and not model.fixable


def test_a_reassigned_receiver_or_model_is_not_followed() -> None:
    result = run(
        """
        import OpenAI from "openai";
        let c = new OpenAI({ baseURL: "http://localhost:1234/v1" });
        c = other;
        await c.chat.completions.create({ model: "gpt-4o", messages: [] });
        """
    )
    assert codes(result) == ["OR104", "OR201"]
    assert result.findings[1].applicability == "unsafe"
    model = run(
        """
        import OpenAI from "openai";
        const c = new OpenAI();
        let m = "gpt-4o";
        m = pick();
        await c.chat.completions.create({ model: m, messages: [] });
        """
    )
    assert sorted(codes(model)) == ["OR101", "OR205"]


def test_other_clients_models_and_unknown_models() -> None:
    result = run(
        """
        import OpenAI from "openai";
        import Groq from "groq-sdk";
        const groq = new Groq();
        await groq.chat.completions.create({ model: "llama3-70b", messages: [] });
        const c = new OpenAI();
        await c.chat.completions.create({ model: "my-own-model", messages: [] });
        await c.chat.completions.create({ model: "ft:gpt-4o:acme::abc", messages: [] });
        await c.chat.completions.create({ model: "anthropic/claude-3.5-sonnet", messages: [] });
        await c.chat.completions.create({ model: pick(), messages: [] });
        """
    )
    assert sorted(codes(result)) == ["OR101", "OR202", "OR203", "OR205"]


def test_unsupported_endpoints_on_a_migrated_client() -> None:
    result = run(
        """
        import OpenAI from "openai";
        const c = new OpenAI();
        await c.chat.completions.create({ model: "gpt-4o", messages: [] });
        await c.moderations.create({ input: "x" });
        await c.images.generate({ prompt: "x" });
        """
    )
    assert sorted(codes(result)) == ["OR101", "OR201", "OR301", "OR303"]


# --- reported only: AI SDK, v3 -----------------------------------------------


def test_ai_sdk_and_openai_v3_are_reported() -> None:
    result = run(
        """
        import { openai, createOpenAI as make } from "@ai-sdk/openai";
        const p = make({ apiKey: "x" });
        const m = openai("gpt-4o");
        const e = openai.embedding("text-embedding-3-small");
        """
    )
    assert codes(result) == ["OR501", "OR501", "OR501"]
    assert "@openrouter/ai-sdk-provider" in result.findings[0].message
    v3 = run(
        """
        const { Configuration, OpenAIApi } = require("openai");
        const api = new OpenAIApi(new Configuration({ apiKey: process.env.OPENAI_API_KEY }));
        """,
        "bot.js",
    )
    assert codes(v3) == ["OR502", "OR502"]
    assert v3.new_source is None


# --- suppressions ------------------------------------------------------------


def test_noqa_comments() -> None:
    source = """
    import OpenAI from "openai";
    const c = new OpenAI(); // noqa: OR101
    const d = new OpenAI(); /* openrouter-migrate: ignore[OR101] */
    const e = new OpenAI();
    await c.chat.completions.create({ model: "gpt-4o", messages: [] });
    await e.chat.completions.create({ model: "gpt-4o", messages: [] }); // noqa: OR201
    const s = "// noqa: OR101"; const f = new OpenAI();
    """
    result = run(source)
    assert [(f.line, f.code) for f in result.findings] == [(4, "OR101"), (7, "OR101")]
    unused = run(
        'import OpenAI from "openai";\nconst x = 1; // noqa: OR201\n', report_unused_noqa=True
    )
    assert codes(unused) == ["OR900"]


def test_noqa_on_the_client_keeps_its_models() -> None:
    result = run(
        """
        import OpenAI from "openai";
        const c = new OpenAI(); // noqa: OR101
        await c.chat.completions.create({ model: "gpt-4o", messages: [] });
        """
    )
    assert codes(result) == []
    ignored = process_typescript(
        "a.ts",
        b'import OpenAI from "openai";\nconst c = new OpenAI();\n'
        b'await c.chat.completions.create({ model: "gpt-4o", messages: [] });\n',
        EngineConfig(settings=Settings(ignore=("OR101",))),
    )
    assert codes(ignored) == ["OR201"]
    assert ignored.new_source is None
    assert "OR101 is not selected" in ignored.findings[0].message


# --- safety ------------------------------------------------------------------


def test_crlf_bom_and_no_final_newline_are_kept() -> None:
    data = (
        b'\xef\xbb\xbfimport OpenAI from "openai";\r\n'
        b"const c = new OpenAI({\r\n  organization: 'o',\r\n  apiKey: process.env.OPENAI_API_KEY,\r\n});"
    )
    out = run(data).new_source
    assert out == (
        b'\xef\xbb\xbfimport OpenAI from "openai";\r\n'
        b'const c = new OpenAI({\r\n  baseURL: "https://openrouter.ai/api/v1",\r\n'
        b"  apiKey: process.env.OPENROUTER_API_KEY,\r\n});"
    )
    finding = run(data).findings[0]
    assert (finding.line, finding.col) == (2, 11)


def test_a_file_with_parse_errors_is_reported_not_rewritten() -> None:
    result = run(
        'import OpenAI from "openai";\nconst c = new OpenAI();\nconst x = <p>Tom & Jerry</p>;\n',
        "page.tsx",
    )
    assert result.new_source is None
    assert len(result.errors) == 1 and "not rewritten" in result.errors[0].message
    assert result.errors[0].line == 3
    assert codes(result) == ["OR101"] and not result.findings[0].fixable
    assert result.findings[0].applicability is None  # no fix to enable either


def test_not_utf8_and_nul_are_errors() -> None:
    assert "cannot decode" in run(b'import OpenAI from "openai"; // \xff\n').errors[0].message
    assert "NUL" in run(b'import OpenAI from "openai";\0\n').errors[0].message


def test_files_without_openai_are_skipped_by_the_prefilter() -> None:
    assert run("const x = 1;\n").skipped


def test_a_second_run_changes_nothing() -> None:
    fixtures = Path(__file__).resolve().parent.parent / "fixtures" / "typescript"
    for path in sorted(fixtures.rglob("*")):
        if not is_typescript_path(str(path)) or "node_modules" in path.parts:
            continue
        once = run(path.read_bytes(), path.name, unsafe_fixes=True)
        if once.new_source is None:
            continue
        twice = run(once.new_source, path.name, unsafe_fixes=True)
        assert twice.new_source is None, path
        assert not any(f.fixable for f in twice.findings), path


# --- the shared engine around it ----------------------------------------------


def _project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.ts").write_text(
        'import OpenAI from "openai";\nconst c = new OpenAI();\n'
        'await c.chat.completions.create({ model: "gpt-4o", messages: [] });\n'
    )
    (tmp_path / "node_modules" / "openai").mkdir(parents=True)
    (tmp_path / "node_modules" / "openai" / "index.js").write_text("new OpenAI(); // openai\n")
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "app.js").write_text('const OpenAI = require("openai");\nnew OpenAI();\n')
    (tmp_path / ".gitignore").write_text("dist/\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    (tmp_path / "util.py").write_text("x = 1\n")
    return tmp_path


def test_cli_check_migrate_and_formats(tmp_path: Path, monkeypatch) -> None:
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    runner = cli_runner()
    check = runner.invoke(main, ["check", "--no-cache", "."])
    assert check.exit_code == 1
    lines = [ln for ln in check.stdout.splitlines() if ": OR" in ln]
    assert [ln.split(":")[0] for ln in lines] == ["main.py", "src/app.ts", "src/app.ts"]
    js = runner.invoke(main, ["check", "--no-cache", "--output-format", "json", "."])
    data = json.loads(js.stdout)
    paths = {f["path"] for f in (data if isinstance(data, list) else data["findings"])}
    assert paths == {"main.py", "src/app.ts"}
    sarif = runner.invoke(main, ["check", "--no-cache", "--output-format", "sarif", "."])
    assert "src/app.ts" in sarif.stdout
    gh = runner.invoke(main, ["check", "--no-cache", "--output-format", "github", "."])
    assert "file=src/app.ts,line=2" in gh.stdout
    diff = runner.invoke(main, ["migrate", "--no-cache", "--diff", "."])
    assert "+++ b/src/app.ts" in diff.stdout and "node_modules" not in diff.stdout
    assert "dist/app.js" not in diff.stdout
    mig = runner.invoke(main, ["migrate", "--no-cache", "--allow-dirty", "."])
    assert mig.exit_code == 0, mig.output
    assert b'model: "openai/gpt-4o"' in (root / "src" / "app.ts").read_bytes()
    again = runner.invoke(main, ["check", "--no-cache", "--select", "OR1,OR2", "."])
    assert again.exit_code == 0, again.output


def test_jobs_and_the_cache_give_the_same_results(tmp_path: Path, monkeypatch) -> None:
    root = _project(tmp_path)
    monkeypatch.chdir(root)
    monkeypatch.delenv("OPENROUTER_MIGRATE_NO_CACHE", raising=False)
    runner = cli_runner()
    one = runner.invoke(main, ["check", "--no-cache", "-j", "1", "."]).stdout
    two = runner.invoke(main, ["check", "--no-cache", "-j", "2", "."]).stdout
    cold = runner.invoke(main, ["check", "-j", "1", "."]).stdout
    warm = runner.invoke(main, ["check", "-j", "1", "."]).stdout
    assert one == two == cold == warm
    assert (root / ".openrouter-migrate-cache").is_dir()


def test_config_select_and_ignore_apply(tmp_path: Path, monkeypatch) -> None:
    root = _project(tmp_path)
    (root / "pyproject.toml").write_text('[tool.openrouter-migrate]\nignore = ["OR201"]\n')
    monkeypatch.chdir(root)
    out = cli_runner().invoke(main, ["check", "--no-cache", "src"]).stdout
    assert "OR101" in out and "OR201" not in out


def test_an_extensionless_node_script_goes_to_the_javascript_front_end(
    tmp_path: Path, monkeypatch
) -> None:
    # pre-commit tags `#!/usr/bin/env node` scripts `javascript` and passes them
    (tmp_path / "bin").mkdir()
    script = tmp_path / "bin" / "ask"
    script.write_text('#!/usr/bin/env node\nconst OpenAI = require("openai");\nnew OpenAI();\n')
    script.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    runner = cli_runner()
    out = runner.invoke(main, ["check", "--no-cache", "."])
    assert "bin/ask:3:1: OR101" in out.stdout, out.output
    named = runner.invoke(main, ["migrate", "--no-cache", "--allow-dirty", "bin/ask"])
    assert named.exit_code == 0, named.output
    assert "new OpenAI({ baseURL:" in script.read_text()


@pytest.mark.parametrize(
    "source",
    [
        'import OpenAI from "openai";\nexport const openai = new OpenAI();\n',
        'import OpenAI from "openai";\nconst openai = new OpenAI();\nexport default openai;\n',
        'import OpenAI from "openai";\nconst c = new OpenAI();\nexport { c };\n',
        'const OpenAI = require("openai");\nconst client = new OpenAI();\nmodule.exports = { client };\n',
        'const OpenAI = require("openai");\nexports.client = new OpenAI();\n',
    ],
)
def test_an_exported_client_moves_only_as_an_unsafe_fix(source: str) -> None:
    # checked alone, no module importing it is seen, so its uses elsewhere
    # are unknown (seen: openai-assistants-quickstart's `export const openai
    # = new OpenAI()`, used only for assistants, files and vector stores
    # elsewhere; with those modules in the run: tests/test_typescript_project.py)
    from codemods.core.engine import EngineConfig
    from codemods.core.findings import Settings
    from codemods.typescript.engine import process_typescript

    result = process_typescript("lib.js", source.encode(), EngineConfig(settings=Settings()))
    (finding,) = [f for f in result.findings if f.code == "OR101"]
    assert "unsafe fix: the client is exported" in finding.message
    assert result.new_source is None
    result = process_typescript(
        "lib.js", source.encode(), EngineConfig(settings=Settings(unsafe_fixes=True))
    )
    assert b"openrouter.ai" in (result.new_source or b"")


def test_org_and_project_env_reads_are_reported_outside_the_removed_options() -> None:
    # OR308 as in Python: the Node SDK reads both variables by itself too
    # (readEnv("OPENAI_ORG_ID") -> OpenAI-Organization), so the report says so
    source = """
    import OpenAI from "openai";
    const org = process.env.OPENAI_ORG_ID;
    const proj = process.env["OPENAI_PROJECT_ID"];
    const d = Deno.env.get("OPENAI_ORG_ID");
    const v = import.meta.env.OPENAI_ORG_ID;
    const client = new OpenAI({
      organization: process.env.OPENAI_ORG_ID,
      project: process.env.OPENAI_PROJECT_ID,
    });
    """
    result = run(source)
    assert [(f.code, f.line) for f in result.findings] == [
        ("OR308", 2),
        ("OR308", 3),
        ("OR308", 4),
        ("OR308", 5),
        ("OR101", 6),
    ]
    assert "also reads it by itself" in result.findings[0].message
    kept = run(source, strip_project=False)
    assert [(f.code, f.line) for f in kept.findings] == [
        ("OR308", 2),
        ("OR308", 4),
        ("OR308", 5),
        ("OR101", 6),
    ]
    # a file that does not use the SDK is not this rule's business
    assert codes(run("const org = process.env.OPENAI_ORG_ID; // openai\n")) == []


def test_a_model_that_cannot_move_keeps_its_client_and_the_clients_models() -> None:
    # as in Python: moved alone, the client would send 'o1-mini' to OpenRouter,
    # which rejects it; `// noqa: OR204` accepts the ID and lets the client move
    source = """
    import OpenAI from "openai";
    const client = new OpenAI();
    await client.chat.completions.create({ model: "o1-mini", messages: [] });
    await client.chat.completions.create({ model: "gpt-4o", messages: [] });
    """
    result = run(source)
    client, unmovable, model = result.findings
    assert (client.code, unmovable.code, model.code) == ("OR101", "OR204", "OR201")
    # 'o1-mini' is known to fail on OpenRouter: the move is shown, never applied
    assert client.applicability == "display-only" and model.applicability == "display-only"
    assert "display-only fix: 'o1-mini' (OR204) at app.ts:3 is sent through it" in client.message
    assert result.new_source is None
    assert run(source, unsafe_fixes=True).new_source is None
    # an ID the tool does not know (OR202) keeps it unsafe: both move with --unsafe-fixes
    unknown = source.replace("o1-mini", "house-model")
    assert [f.applicability for f in run(unknown).findings] == ["unsafe", None, "unsafe"]
    both = run(unknown, unsafe_fixes=True).new_source.decode()
    assert "openrouter.ai" in both and '"openai/gpt-4o"' in both
    accepted = run(source.replace("[] });\n    await", "[] }); // noqa: OR204\n    await", 1))
    assert [f.applicability for f in accepted.findings] == ["safe", "safe"]
    assert accepted.new_source is not None


def test_parser_versions_match_importlib_metadata() -> None:
    """The cache key's parser versions come from the dist-info directory
    names (no importlib.metadata on a warm run); they are what
    importlib.metadata reports."""
    from importlib import metadata

    from codemods.typescript import parser

    expected = []
    for name in parser._DISTRIBUTIONS:
        try:
            expected.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            expected.append(f"{name}=none")
    assert parser.versions() == ",".join(expected)
    assert set(parser._dist_info_versions(parser._DISTRIBUTIONS)) == set(parser._DISTRIBUTIONS)
