"""The TypeScript front-end's wrong rewrites and misses found by the hand
audit of real repositories (openai-node's examples, opencommit, mem0's TS
code), each pinned by a test that failed before its fix. The Python
front-end already handled the analogous cases; the TypeScript decisions and
rule codes mirror its:

* W1: ``client.beta.X`` is classified as ``client.X`` (supported or not, model
  mapping);
* W2: a client handed to code the tool does not follow moves only as an
  unsafe fix naming where (OR119/OR301 when that code is openai's realtime
  or WebSocket helpers);
* W3: bindings are followed only where the declaration is visible;
* W4: a request object the tool cannot see gets OR205;
* M2/Q3: OR301 for stored responses / chat completions, OR302 for stateful
  Responses requests;
* M3: ``"openai/index"`` is the openai package.
"""

from __future__ import annotations

import pytest

from tests.test_typescript import codes, migrated, run


def fixes(result) -> dict[str, str | None]:
    return {f.code: f.applicability for f in result.findings}


# --- M3: the package's entry point by path -------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        'import OpenAI from "openai/index";',
        'import OpenAI from "openai/index.js";',
        'import { OpenAI } from "openai/index.mjs";',
        'const OpenAI = require("openai/index.js");',
        'import OpenAI = require("openai/index");',
    ],
)
def test_openai_imported_by_its_entry_point_is_openai(header: str) -> None:
    out = migrated(f"{header}\nconst client = new OpenAI();\n")
    assert 'new OpenAI({ baseURL: "https://openrouter.ai/api/v1"' in out


# --- W1: client.beta.X is client.X ------------------------------------------------


def test_beta_paths_count_as_uses_of_the_client_for_the_model() -> None:
    # before: `client.beta` was an unknown receiver: the model fix was unsafe
    # while the client moved safely
    source = """
        import OpenAI from "openai";
        const client = new OpenAI();
        await client.beta.chat.completions.parse({ model: "gpt-4o", messages: [] });
        await client.beta.responses.create({ model: "gpt-4o-mini", input: "hi" });
    """
    result = run(source)
    assert fixes(result) == {"OR101": "safe", "OR201": "safe"}
    out = migrated(source)
    assert '"openai/gpt-4o"' in out and '"openai/gpt-4o-mini"' in out


def test_a_client_used_only_under_beta_for_unserved_endpoints_stays() -> None:
    result = run(
        """
        import OpenAI from "openai";
        const client = new OpenAI();
        await client.beta.realtime.sessions.create({ model: "gpt-4o-realtime-preview" });
        await client.beta.threads.runs.create(threadId, { assistant_id: "asst_1" });
        """
    )
    assert codes(result) == ["OR119"]
    assert "Realtime API" in result.findings[0].message
    assert result.new_source is None


def test_an_unserved_beta_call_of_a_mixed_client_is_reported() -> None:
    result = run(
        """
        import OpenAI from "openai";
        const client = new OpenAI();
        await client.chat.completions.create({ model: "gpt-4o", messages: [] });
        await client.beta.assistants.create({ model: "gpt-4o" });
        """
    )
    assert codes(result) == ["OR101", "OR201", "OR301"]
    assert result.findings[2].message.startswith("`beta.assistants.create(...)` (Assistants API)")


# --- M2/Q3: OR301 for stored responses, OR302 ---------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        'client.responses.retrieve("resp_1")',
        'client.responses.cancel("resp_1")',
        'client.responses.delete("resp_1")',
        'client.responses.inputItems.list("resp_1")',
        'client.responses.stream({ response_id: "resp_1", starting_after: 3 })',
        'client.chat.completions.retrieve("chatcmpl_1")',
        "client.chat.completions.list()",
    ],
)
def test_stored_responses_and_completions_are_unserved_endpoints(call: str) -> None:
    mixed = run(
        f"""
        import OpenAI from "openai";
        const client = new OpenAI();
        await client.responses.create({{ model: "gpt-4o", input: "hi" }});
        await {call};
        """
    )
    assert codes(mixed) == ["OR101", "OR201", "OR301"]
    assert "stored" in mixed.findings[2].message
    alone = run(
        f"""
        import OpenAI from "openai";
        const client = new OpenAI();
        await {call};
        """
    )
    assert codes(alone) == ["OR119"] and alone.new_source is None


@pytest.mark.parametrize(
    ("member", "said"),
    [
        ("store: true", "store: true"),
        ("background: true", "background: true"),
        ("previous_response_id: last.id", "previous_response_id"),
        ('conversation: "conv_1"', "conversation"),
        ('tools: [{ type: "file_search", vector_store_ids: ["vs_1"] }]', "file_search"),
    ],
)
def test_stateful_responses_requests_are_reported(member: str, said: str) -> None:
    result = run(
        f"""
        import OpenAI from "openai";
        const client = new OpenAI();
        const first = await client.responses.create({{ model: "gpt-4o", input: "hi" }});
        const next = await client.responses.create({{ model: "gpt-4o", input: "hi", {member} }});
        """
    )
    assert "OR302" in codes(result)
    assert said in next(f for f in result.findings if f.code == "OR302").message


def test_stateless_members_are_not_stateful() -> None:
    result = run(
        """
        import OpenAI from "openai";
        const client = new OpenAI();
        await client.responses.create({ model: "gpt-4o", input: "hi", store: false, previous_response_id: null });
        """
    )
    assert "OR302" not in codes(result) and "OR119" not in codes(result)


def test_a_client_used_only_for_stateful_responses_stays() -> None:
    result = run(
        """
        import OpenAI from "openai";
        const client = new OpenAI();
        await client.responses.create({ model: "gpt-4o", input: "hi", store: true });
        """
    )
    assert codes(result)[0] == "OR119" and result.new_source is None


# --- W3: a binding is followed only where it is visible ---------------------------


def test_a_request_declared_in_another_function_is_not_followed() -> None:
    # before: `params` of build() was taken for the request of send(), and
    # its model rewritten
    source = """
        import OpenAI from "openai";
        const client = new OpenAI();
        function build() {
          const params = { model: "gpt-4o", messages: [] };
          return params;
        }
        async function send() {
          return client.chat.completions.create(params);
        }
    """
    result = run(source)
    assert codes(result) == ["OR101", "OR205"]
    assert "`params`" in result.findings[1].message
    # the unread request holds the client (an unsafe fix); moved anyway, the
    # model of build() stays as it is
    assert result.new_source is None
    assert b'"gpt-4o"' in run(source, unsafe_fixes=True).new_source


def test_a_loop_variable_shadows_a_request_of_the_same_name() -> None:
    result = run(
        """
        import OpenAI from "openai";
        const client = new OpenAI();
        function example() {
          const params = { model: "gpt-4o", messages: [] };
          return params;
        }
        async function all(list: any[]) {
          for (const params of list) {
            await client.chat.completions.create(params);
          }
        }
        """
    )
    assert codes(result) == ["OR101", "OR205"]


def test_a_model_name_shadowed_by_a_loop_variable_is_dynamic() -> None:
    result = run(
        """
        import OpenAI from "openai";
        const client = new OpenAI();
        const model = "gpt-4o";
        export async function all(models: string[]) {
          for (const model of models) {
            await client.chat.completions.create({ model, messages: [] });
          }
        }
        """
    )
    assert codes(result) == ["OR101", "OR205"]
    assert b'"gpt-4o"' in (result.new_source or b"")


def test_a_model_declared_in_a_block_is_not_seen_outside_it() -> None:
    result = run(
        """
        import OpenAI from "openai";
        const client = new OpenAI();
        if (process.env.FAST) {
          const MODEL = "gpt-4o-mini";
          console.log(MODEL.length);
        }
        await client.chat.completions.create({ model: MODEL, messages: [] });
        """
    )
    assert codes(result) == ["OR101", "OR205"]


def test_a_request_assigned_again_is_not_followed() -> None:
    result = run(
        """
        import OpenAI from "openai";
        const client = new OpenAI();
        let params = { model: "gpt-4o", messages: [] };
        ({ params } = overrides);
        await client.chat.completions.create(params);
        """
    )
    assert codes(result) == ["OR101", "OR205"]
    # the literal's model is not read: the client moves only with it (#11)
    assert fixes(result)["OR101"] == "unsafe"
    assert "holds a model ID the tool did not read" in result.findings[0].message


def test_a_request_named_like_one_of_another_function_is_its_own() -> None:
    # openai-node's examples/chat-completions/chat-params-types.ts: `params`
    # in main() and in createCompletionParams(); before: OR205 at the call
    # while the client moved safely, and 'gpt-4' went to OpenRouter bare
    source = """
        import OpenAI from "openai";
        const openai = new OpenAI();
        async function main() {
          const params: OpenAI.Chat.ChatCompletionCreateParams = { model: "gpt-4", messages: [] };
          return openai.chat.completions.create(params);
        }
        function other() {
          const params = { model: "gpt-3.5-turbo", messages: [] };
          return params;
        }
    """
    result = run(source)
    assert fixes(result) == {"OR101": "safe", "OR201": "safe"}, [f.message for f in result.findings]
    out = migrated(source)
    assert 'model: "openai/gpt-4"' in out and 'model: "gpt-3.5-turbo"' in out


@pytest.mark.parametrize(
    "sent",
    [
        # written again
        'let params = { model: "gpt-4o", messages: [] };\n'
        "if (more) params = { ...params, ...more };\n"
        "await client.chat.completions.create(params);",
        # declared twice in the scope the call sees
        'var params = { model: "gpt-4o", messages: [] };\n'
        'var params = { model: "gpt-4o-mini", messages: [] };\n'
        "await client.chat.completions.create(params);",
        # assigned only, in branches
        "let params;\n"
        'if (fast) params = { model: "gpt-4o-mini", messages: [] };\n'
        'else params = { model: "gpt-4o", messages: [] };\n'
        "await client.chat.completions.create(params);",
        # spread into a request without a model of its own
        'let base = { model: "gpt-4o", messages: [] };\n'
        "base = { ...base, temperature: 0 };\n"
        "await client.chat.completions.create({ ...base, stream: false });",
    ],
)
def test_a_request_object_the_tool_did_not_read_holds_its_client(sent: str) -> None:
    # a client and everything sent through it move together or not at all
    source = f"""
        import OpenAI from "openai";
        const client = new OpenAI();
        export async function ask(more, fast) {{
        {sent}
        }}
    """
    result = run(source)
    assert codes(result) == ["OR101", "OR205"], [f.message for f in result.findings]
    assert fixes(result)["OR101"] == "unsafe"
    assert "moves only as an unsafe fix" in result.findings[1].message
    assert result.new_source is None
    # `// noqa: OR205` accepts the request as it is: the client moves
    lines = source.splitlines()
    at = next(i for i, line in enumerate(lines) if "create(" in line)
    lines[at] += "  // noqa: OR205"
    accepted = run("\n".join(lines))
    assert fixes(accepted) == {"OR101": "safe"}, [f.message for f in accepted.findings]


@pytest.mark.parametrize("sent", ["built", "opts", "await build()", "buildParams()"])
def test_a_request_from_a_call_or_a_parameter_holds_its_client(sent: str) -> None:
    # a whole request the tool cannot read (a call's result, a parameter)
    # holds its client as an unread spread does (`create({ ...body })`): its
    # model is not rewritten with the client and would reach OpenRouter bare
    # (as Python's OR205 for ``create(**build())``); `// noqa: OR205` on the
    # call accepts it and the client moves
    source = f"""
        import OpenAI from "openai";
        const client = new OpenAI();
        export async function ask(opts) {{
          const built = await build();
          await client.chat.completions.create({sent});
        }}
    """
    result = run(source)
    assert codes(result) == ["OR101", "OR205"], [f.message for f in result.findings]
    assert fixes(result)["OR101"] == "unsafe"
    assert "moves only as an unsafe fix" in result.findings[1].message
    assert "unsafe fix: the request sent through it" in result.findings[0].message
    assert result.new_source is None
    assert run(source, unsafe_fixes=True).new_source is not None
    accepted = run(source.replace(f"create({sent});", f"create({sent});  // noqa: OR205"))
    assert fixes(accepted) == {"OR101": "safe"}, [f.message for f in accepted.findings]


def test_a_request_in_scope_is_still_followed() -> None:
    out = migrated(
        """
        import OpenAI from "openai";
        const client = new OpenAI();
        async function send() {
          const params = { model: "gpt-4o", messages: [] };
          if (params) {
            return client.chat.completions.create(params);
          }
        }
        """
    )
    assert '"openai/gpt-4o"' in out


# --- W4: a request built by a call -------------------------------------------------


@pytest.mark.parametrize("arg", ["await build()", "buildParams()", "this.params", "opts"])
def test_a_request_the_tool_cannot_see_is_dynamic(arg: str) -> None:
    result = run(
        f"""
        import OpenAI from "openai";
        const client = new OpenAI();
        export async function send(opts: any) {{
          return client.chat.completions.create({arg});
        }}
        """
    )
    assert codes(result) == ["OR101", "OR205"]
    assert f"`{arg}`" in result.findings[1].message


# --- W2: a client handed to code the tool does not follow ------------------------

CHAT = 'await client.chat.completions.create({ model: "gpt-4o", messages: [] });'


@pytest.mark.parametrize(
    ("use", "said"),
    [
        ("someLib(client);", "is passed to `someLib` (line 4)"),
        ('import("./agent").then((m) => m.run(client));', "is passed to `m.run` (line 4)"),
        ("const agent = new Agent({ llm: client, name: 'a' });", "is passed to `Agent` (line 4)"),
        # ``await`` hands on the client it is given (a second definition of
        # the wrappers once left it out, and this moved as a safe fix)
        ("const agent = new Agent({ llm: await client });", "is passed to `Agent` (line 4)"),
        ("someLib(await (client as any));", "is passed to `someLib` (line 4)"),
        ("tools.register([client]);", "is passed to `tools.register` (line 4)"),
        (
            "const create = client.chat.completions.create;",
            "has an SDK method taken as a value (`client.chat.completions.create`) (line 4)",
        ),
        ("globalThis.llm = client;", "is stored in `globalThis.llm` (line 4)"),
        # a factory: followed into the modules that call it, none in this run
        ("export const getClient = () => client;", "is exported (getClient() returns it)"),
        ("const get = () => client;\nsomeLib(get);", "is returned by `get`, which is passed on"),
        ("const deps = { client };", "is put in an object or array (line 4)"),
        ("const page = <Chat llm={client} />;", "is passed to a JSX element (line 4)"),
    ],
)
def test_a_client_that_escapes_moves_only_as_an_unsafe_fix(use: str, said: str) -> None:
    # before: the client moved as a safe fix; the requests made where it
    # escapes kept their bare model IDs
    result = run(
        f"""
        import OpenAI from "openai";
        import {{ someLib, Agent, tools }} from "some-lib";
        const client = new OpenAI();
        {use}
        {CHAT}
        """,
        "app.tsx",
    )
    assert fixes(result) == {"OR101": "unsafe", "OR201": "unsafe"}
    message = result.findings[0].message
    assert "; unsafe fix: the client " + said in message, message
    assert result.new_source is None
    out = migrated(
        f"""
        import OpenAI from "openai";
        const client = new OpenAI();
        {use}
        {CHAT}
        """,
        "app.tsx",
        unsafe_fixes=True,
    )
    assert "https://openrouter.ai/api/v1" in out and '"openai/gpt-4o"' in out


@pytest.mark.parametrize(
    "use",
    [
        "console.log(client);",
        "const c = client;\nawait c.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });",
        "if (!client) throw new Error('no client');",
        "const ok = client instanceof OpenAI;",
        "await client.models.list();",
    ],
)
def test_reads_the_tool_follows_are_not_escapes(use: str) -> None:
    result = run(
        f"""
        import OpenAI from "openai";
        const client = new OpenAI();
        {use}
        {CHAT}
        """
    )
    assert {f.applicability for f in result.findings if f.code in ("OR101", "OR201")} == {"safe"}, [
        f.message for f in result.findings
    ]


def test_a_client_stored_on_this_is_followed() -> None:
    source = """
        import OpenAI from "openai";
        const client = new OpenAI();
        class Bot {
          constructor() { this.llm = client; }
          ask() { return this.llm.chat.completions.create({ model: "gpt-4o", messages: [] }); }
        }
    """
    result = run(source)
    assert fixes(result) == {"OR101": "safe", "OR201": "safe"}


@pytest.mark.parametrize(
    ("header", "use"),
    [
        (
            'import { OpenAIRealtimeWebSocket } from "openai/beta/realtime/websocket";',
            'const rt = new OpenAIRealtimeWebSocket({ model: "gpt-4o-realtime-preview" }, client);',
        ),
        (
            'import { OpenAIRealtimeWS } from "openai/realtime/ws";',
            'const rt = await OpenAIRealtimeWS.create(client, { model: "gpt-realtime" });',
        ),
        (
            'const { OpenAIRealtimeWS } = require("openai/beta/realtime/ws");',
            'const rt = new OpenAIRealtimeWS({ model: "gpt-4o-realtime-preview" }, client);',
        ),
        (
            'import * as rtws from "openai/realtime/ws.js";',
            "const rt = new rtws.OpenAIRealtimeWS({ model: 'gpt-realtime' }, client);",
        ),
        (
            'import { ResponsesWS } from "openai/resources/responses/ws";',
            "const ws = new ResponsesWS(client);",
        ),
    ],
)
def test_a_client_given_to_openais_sockets_is_used_for_an_unserved_endpoint(
    header: str, use: str
) -> None:
    alone = run(
        f"""
        import OpenAI from "openai";
        {header}
        const client = new OpenAI();
        {use}
        """
    )
    assert codes(alone) == ["OR119"], [f.message for f in alone.findings]
    assert alone.new_source is None
    mixed = run(
        f"""
        import OpenAI from "openai";
        {header}
        const client = new OpenAI();
        {use}
        {CHAT}
        """
    )
    assert codes(mixed) == ["OR101", "OR301", "OR201"], [f.message for f in mixed.findings]
    assert "is given the client, which moves to OpenRouter" in mixed.findings[1].message


def test_a_client_passed_to_a_function_of_the_file_is_followed_into_it() -> None:
    # as Python follows a parameter to every call of its function: the
    # requests made through it are checked with the client
    source = """
        import OpenAI from "openai";
        const client = new OpenAI();
        async function ask(llm: OpenAI, q: string) {
          return llm.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: q }] });
        }
        const upload = async (c: OpenAI) => c.files.create({ file, purpose: "batch" });
        await ask(client, "hi");
        await upload(client);
    """
    result = run(source)
    assert codes(result) == ["OR101", "OR201", "OR301"]
    assert fixes(result) == {"OR101": "safe", "OR201": "safe", "OR301": None}
    assert "openai/gpt-4o" in migrated(source)


@pytest.mark.parametrize(
    ("function", "said"),
    [
        # the parameter goes on to code the tool does not follow
        ("function ask(llm) { return someLib(llm); }", "is passed to `someLib` (line 3)"),
        # exported: other modules call it with what the tool does not see
        ("export function ask(llm) { return llm.models.list(); }", "is passed to `ask` (line 4)"),
        # its parameter's name is declared twice in the function: not followed
        (
            "function ask(llm) { var llm = pick(); return llm.models.list(); }",
            "is passed to `ask` (line 4)",
        ),
        # used as a value: called where the tool does not see
        (
            "function ask(llm) { return llm.models.list(); }\nregister(ask);",
            "is passed to `ask` (line 5)",
        ),
    ],
)
def test_a_function_the_tool_cannot_follow_is_an_escape(function: str, said: str) -> None:
    result = run(
        f"""
        import OpenAI from "openai";
        const client = new OpenAI();
        {function}
        ask(client);
        {CHAT}
        """
    )
    assert result.findings[0].code == "OR101" and result.findings[0].applicability == "unsafe"
    assert said in result.findings[0].message, result.findings[0].message


def test_a_parameter_named_like_a_variable_of_another_function_is_followed() -> None:
    # scopes, not name counts: the ``llm`` of ``f`` is another variable
    result = run(
        f"""
        import OpenAI from "openai";
        const client = new OpenAI();
        function ask(llm) {{ return llm.models.list(); }}
        const f = (llm) => llm;
        ask(client);
        {CHAT}
        """
    )
    assert fixes(result) == {"OR101": "safe", "OR201": "safe"}, [f.message for f in result.findings]


def test_a_client_used_through_a_parameter_only_for_unserved_endpoints_stays() -> None:
    result = run(
        """
        import OpenAI from "openai";
        const client = new OpenAI();
        function upload(llm) { return llm.files.create({ file, purpose: "batch" }); }
        upload(client);
        """
    )
    assert codes(result) == ["OR119"] and result.new_source is None


# --- W2 across modules: a client another module gives to openai's sockets ----------


def test_an_exported_client_given_to_a_socket_elsewhere_is_an_unserved_use(tmp_path) -> None:
    from tests.test_typescript_project import _check, _tree

    lib = 'import OpenAI from "openai";\nexport const openai = new OpenAI();\n'
    voice = """
        import { OpenAIRealtimeWS } from "openai/realtime/ws";
        import { openai } from "./lib";
        const rt = new OpenAIRealtimeWS({ model: "gpt-realtime" }, openai);
    """
    chat = """
        import { openai } from "./lib";
        await openai.chat.completions.create({ model: "gpt-4o", messages: [] });
    """
    alone = _check(_tree(tmp_path / "alone", {"lib.ts": lib, "voice.ts": voice}), ".")
    assert "lib.ts:2:23: OR119" in alone and "Realtime API, also in voice.ts:3" in alone, alone
    mixed = _check(
        _tree(tmp_path / "mixed", {"lib.ts": lib, "voice.ts": voice, "chat.ts": chat}), "."
    )
    assert "lib.ts:2:23: OR101 [*]" in mixed, mixed
    assert "voice.ts:3:12: OR301 `OpenAIRealtimeWS` is given the client" in mixed, mixed
