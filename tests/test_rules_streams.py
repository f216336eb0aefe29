"""OR401/OR402: stream loops that index ``chunk.choices[0]`` without a guard
(OpenRouter ends every stream with a usage chunk whose ``choices`` is empty)."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import migrated, run

HEAD = "from openai import OpenAI\n\nclient = OpenAI()\n"
CREATE = 'client.chat.completions.create(model="gpt-4o", messages=[], stream=True)'


def src(body: str, head: str = HEAD) -> str:
    return head + textwrap.dedent(body).lstrip("\n")


def stream_findings(source: str, **settings) -> list[tuple[str, int, str | None]]:
    """(code, line, applicability) of the OR4xx findings."""
    result = run(source, dedent=False, **settings)
    assert not result.errors, result.errors
    return [(f.code, f.line, f.applicability) for f in result.findings if f.code.startswith("OR4")]


def test_readme_loop_gets_the_guard_safely() -> None:
    source = src(
        f"""
        stream = {CREATE}
        for chunk in stream:
            # the text so far
            print(chunk.choices[0].delta.content or "", end="")  # no newline
        """
    )
    assert stream_findings(source) == [("OR401", 5, "safe")]
    out = migrated(source)
    assert (
        "for chunk in stream:\n"
        "    if not chunk.choices:\n"
        "        continue\n"
        "    # the text so far\n"
        '    print(chunk.choices[0].delta.content or "", end="")  # no newline\n'
    ) in out
    assert stream_findings(out) == []


def test_loop_directly_over_the_call_and_a_one_line_body() -> None:
    source = src(f"for chunk in {CREATE}: print(chunk.choices[0].delta.content)  # one\n")
    out = migrated(source)
    assert out.endswith(
        ":\n    if not chunk.choices:\n        continue\n    print(chunk.choices[0].delta.content)  # one\n"
    )


def test_the_guard_takes_the_body_indentation() -> None:
    source = (
        "from openai import OpenAI\n\n"
        "def f():\n"
        "    client = OpenAI()\n"
        f"    for chunk in {CREATE}:\n"
        "      if chunk.id:\n"
        "          print(chunk.choices[0].delta)\n"
    )
    out = migrated(source)
    assert (
        "stream=True):\n      if not chunk.choices:\n          continue\n      if chunk.id:\n"
        in out
    ), out
    tabs = (
        "from openai import OpenAI\n\n"
        "def f():\n"
        "\tclient = OpenAI()\n"
        f"\tfor chunk in {CREATE}:\n"
        "\t\tprint(chunk.choices[0].delta)\n"
    )
    out = migrated(tabs)
    assert "\tfor chunk in" in out and "\t\tif not chunk.choices:\n\t\t\tcontinue\n" in out


@pytest.mark.parametrize(
    "body",
    [
        "if not chunk.choices:\n    continue\nprint(chunk.choices[0].delta)",
        "if not chunk.choices: break\nprint(chunk.choices[0].delta)",
        "if len(chunk.choices) == 0:\n    continue\nprint(chunk.choices[0].delta)",
        "if len(chunk.choices) < 1:\n    continue\nprint(chunk.choices[0].delta)",
        "if len(chunk.choices) <= 00:\n    continue\nprint(chunk.choices[0].delta)",
        "if chunk.choices == []:\n    continue\nprint(chunk.choices[0].delta)",
        "if not chunk.choices or not chunk.choices[0].delta.content:\n    continue\nprint(1)",
        "if chunk.choices:\n    print(chunk.choices[0].delta)",
        "if chunk.choices and chunk.choices[0].delta.content:\n    print(chunk.choices[0].delta.content)",
        "if len(chunk.choices) > 0:\n    print(chunk.choices[0].delta)",
        "if len(chunk.choices) >= 1:\n    print(chunk.choices[0].delta)",
        "if chunk.choices != []:\n    print(chunk.choices[0].delta)",
        "if not chunk.choices:\n    pass\nelse:\n    print(chunk.choices[0].delta)",
        "if not chunk.choices:\n    pass\nelif chunk.choices[0].delta.content:\n    print(1)",
        "text = chunk.choices[0].delta.content if chunk.choices else ''",
        "text = chunk.choices and chunk.choices[0].delta.content",
        "text = (not chunk.choices) or chunk.choices[0].delta.content",
        "try:\n    print(chunk.choices[0].delta)\nexcept IndexError:\n    pass",
        "try:\n    print(chunk.choices[0].delta)\nexcept (KeyError, IndexError):\n    pass",
        "for choice in chunk.choices:\n    print(choice.delta)",
        "print(chunk.choices[:1])",
        "with lock:\n    if not chunk.choices:\n        continue\n    print(chunk.choices[0].delta)",
    ],
)
def test_guarded_loops_are_left_alone(body: str) -> None:
    source = src(
        f"stream = {CREATE}\nfor chunk in stream:\n" + textwrap.indent(body, "    ") + "\n"
    )
    assert stream_findings(source) == []


def test_a_try_around_the_whole_loop_guards_it() -> None:
    source = src(
        f"""
        try:
            for chunk in {CREATE}:
                print(chunk.choices[0].delta)
        except IndexError:
            pass
        """
    )
    assert stream_findings(source) == []


def test_a_broad_except_around_the_loop_is_not_a_guard() -> None:
    # audit S1 (Chainlit openai-functions-codeinterpreter/app.py:110-130): the
    # usage chunk's IndexError is caught around the loop and the request retried
    head = "from openai import AsyncOpenAI\n\nclient = AsyncOpenAI()\n"
    source = src(
        """
        async def on_message(msgs):
            while True:
                try:
                    stream = await client.chat.completions.create(model="gpt-4", messages=msgs, stream=True)
                    async for part in stream:
                        print(part.choices[0].delta)
                except Exception as e:
                    print(e)
                    continue
                break
        """,
        head,
    )
    assert stream_findings(source) == [("OR401", 8, "safe")]
    out = migrated(source)
    assert "async for part in stream:\n                if not part.choices:\n" in out
    assert stream_findings(out) == []


@pytest.mark.parametrize(
    "handler",
    [
        "except:\n    pass",
        "except BaseException:\n    pass",
        "except (IndexError, Exception):\n    pass",
        "except IndexError:\n    print('stream failed')",
        "except IndexError:\n    return None",
        "except IndexError:\n    pass\nelse:\n    print('done')",
    ],
)
def test_an_except_around_the_loop_that_does_more_than_end_it_is_not_a_guard(
    handler: str,
) -> None:
    source = src(
        "def f():\n    try:\n"
        f"        for chunk in {CREATE}:\n"
        "            print(chunk.choices[0].delta)\n" + textwrap.indent(handler, "    ") + "\n"
    )
    assert stream_findings(source) == [("OR401", 6, "safe")]


def test_a_one_line_except_indexerror_pass_around_the_loop_guards_it() -> None:
    source = src(
        f"""
        try:
            for chunk in {CREATE}:
                print(chunk.choices[0].delta)
        except IndexError: pass
        """
    )
    assert stream_findings(source) == []


def test_an_except_indexerror_around_the_loop_with_code_after_it_is_not_a_guard() -> None:
    # the IndexError skips what follows the loop in the try
    source = src(
        f"""
        text = []
        try:
            for chunk in {CREATE}:
                text.append(chunk.choices[0].delta.content)
            print("".join(text))
        except (IndexError, KeyError):
            ...
        """
    )
    assert stream_findings(source) == [("OR401", 6, "safe")]


@pytest.mark.parametrize(
    ("handler", "guarded"),
    [
        ("except Exception:\n    continue", True),
        ("except Exception as e:\n    print(e)", True),
        ("except IndexError:\n    break", True),
        ("except IndexError:\n    raise", False),
        ("except IndexError: raise", False),
        ("except IndexError: continue", True),
        ("except Exception as e:\n    raise RuntimeError('bad chunk') from e", False),
        ("except IndexError:\n    return None", False),
    ],
)
def test_an_except_in_the_loop_guards_when_it_goes_on(handler: str, guarded: bool) -> None:
    source = src(
        "def f():\n"
        f"    for chunk in {CREATE}:\n"
        "        try:\n"
        "            print(chunk.choices[0].delta)\n" + textwrap.indent(handler, "        ") + "\n"
    )
    assert stream_findings(source) == ([] if guarded else [("OR401", 5, "safe")])


def test_a_return_in_the_except_of_a_helper_goes_on_with_the_loop() -> None:
    source = src(
        f"""
        def text(chunk):
            try:
                return chunk.choices[0].delta.content
            except IndexError:
                return ""

        for chunk in {CREATE}:
            print(text(chunk))
        """
    )
    assert stream_findings(source) == []


@pytest.mark.parametrize(
    "body",
    [
        "try:\n    print(chunk.choices[0].delta)\nexcept KeyError:\n    pass",
        "if chunk.id:\n    print(chunk.choices[0].delta)",
        "if not chunk.choices:\n    print('empty')\nprint(chunk.choices[0].delta)",
        "print(chunk.choices[-1].delta)",
        "if len(chunk.choices) > 1:\n    pass\nelse:\n    print(chunk.choices[0].delta)",
        "if len(chunk.choices) < 0:\n    continue\nprint(chunk.choices[0].delta)",
        "if chunk.usage:\n    continue\nprint(chunk.choices[0].delta)",
        "delta = chunk.choices[0].delta\nprint(delta)",
    ],
)
def test_unguarded_uses_are_found(body: str) -> None:
    source = src(
        f"stream = {CREATE}\nfor chunk in stream:\n" + textwrap.indent(body, "    ") + "\n"
    )
    assert [c for c, _, _ in stream_findings(source)] == ["OR401"]


def test_a_loop_reading_usage_gets_an_unsafe_fix() -> None:
    source = src(
        f"""
        for chunk in {CREATE}:
            if chunk.usage:
                print(chunk.usage.total_tokens)
            print(chunk.choices[0].delta.content)
        """
    )
    result = run(source, dedent=False)
    (f,) = [f for f in result.findings if f.code == "OR401"]
    assert f.applicability == "unsafe"
    assert "reads `chunk.usage`" in f.message
    assert "if not chunk.choices" not in migrated(source)
    assert "if not chunk.choices:\n        continue" in migrated(source, unsafe_fixes=True)


@pytest.mark.parametrize(
    "use",
    ["chunks.append(chunk)", "yield chunk", "print(chunk.model_dump())", 'print(chunk["usage"])'],
)
def test_a_loop_passing_the_chunk_on_gets_an_unsafe_fix(use: str) -> None:
    source = src(
        f"def f(chunks):\n    for chunk in {CREATE}:\n        {use}\n"
        "        print(chunk.choices[0].delta)\n"
    )
    assert stream_findings(source) == [("OR401", 5, "unsafe")]


def test_harmless_attributes_keep_the_fix_safe() -> None:
    source = src(
        f"for chunk in {CREATE}:\n    print(chunk.id, chunk.model, chunk.created)\n"
        "    print(chunk.choices[0].delta)\n"
    )
    assert stream_findings(source) == [("OR401", 4, "safe")]


def test_clients_left_on_openai_get_nothing_and_unresolved_ones_an_unsafe_fix() -> None:
    source = textwrap.dedent(
        """
        from openai import AzureOpenAI, OpenAI

        az = AzureOpenAI(azure_endpoint="https://x.example", api_version="2024-06-01")
        local = OpenAI(base_url="http://localhost:8000/v1")
        for chunk in az.chat.completions.create(model="gpt-4o", messages=[], stream=True):
            print(chunk.choices[0].delta)
        for chunk in local.chat.completions.create(model="gpt-4o", messages=[], stream=True):
            print(chunk.choices[0].delta)

        def answer(client):
            for chunk in client.chat.completions.create(model="gpt-4o", messages=[], stream=True):
                print(chunk.choices[0].delta)
        """
    )
    assert stream_findings(source) == [("OR401", 12, "unsafe")]
    (f,) = [f for f in run(source, dedent=False).findings if f.code == "OR401"]
    assert "not resolved" in f.message


def test_already_on_openrouter_is_flagged() -> None:
    head = (
        "import os\nfrom openai import OpenAI\n\n"
        'client = OpenAI(base_url="https://openrouter.ai/api/v1", '
        'api_key=os.environ["OPENROUTER_API_KEY"])\n'
    )
    source = src(f"for chunk in {CREATE}:\n    print(chunk.choices[0].delta)\n", head)
    assert stream_findings(source) == [("OR401", 5, "safe")]


def test_the_finding_moves_with_its_client() -> None:
    source = HEAD.replace("OpenAI()", "OpenAI()  # noqa: OR101") + (
        f"for chunk in {CREATE}:\n    print(chunk.choices[0].delta)\n"
    )
    assert stream_findings(source) == []
    # --ignore OR101: reported, not rewritten
    source = src(f"for chunk in {CREATE}:\n    print(chunk.choices[0].delta)\n")
    result = run(source, dedent=False, ignore=("OR101",))
    (f,) = [f for f in result.findings if f.code == "OR401"]
    assert f.applicability is None and "not rewritten" in f.message


def test_noqa_on_the_loop_line() -> None:
    source = src(f"for chunk in {CREATE}:  # noqa: OR401\n    print(chunk.choices[0].delta)\n")
    assert stream_findings(source) == []


def test_streams_that_are_not_streams() -> None:
    source = src(
        """
        reply = client.chat.completions.create(model="gpt-4o", messages=[])
        for choice in reply.choices:
            print(choice.message)
        stream = client.chat.completions.create(model="gpt-4o", messages=[], stream=False)
        for chunk in stream:
            print(chunk.choices[0])
        other = client.chat.completions.create(model="gpt-4o", messages=[], stream=True)
        other = ["not", "a", "stream"]
        for chunk in other:
            print(chunk.choices[0])
        """
    )
    assert stream_findings(source) == []


def test_async_streams() -> None:
    source = textwrap.dedent(
        """
        from openai import AsyncOpenAI

        async def main():
            client = AsyncOpenAI()
            stream = await client.chat.completions.create(model="gpt-4o", messages=[], stream=True)
            async for chunk in stream:
                print(chunk.choices[0].delta.content)
            async for chunk in await client.chat.completions.create(
                model="gpt-4o", messages=[], stream=True
            ):
                print(chunk.choices[0].delta.content)
        """
    )
    assert [(c, a) for c, _, a in stream_findings(source)] == [
        ("OR401", "safe"),
        ("OR401", "safe"),
    ]
    out = migrated(source)
    assert out.count("        if not chunk.choices:\n            continue\n") == 2


def test_with_stream_as_and_enumerate() -> None:
    source = src(
        f"""
        with {CREATE} as stream:
            for i, chunk in enumerate(stream):
                print(i, chunk.choices[0].delta)
        """
    )
    out = migrated(source)
    assert "enumerate(stream):\n        if not chunk.choices:\n            continue\n" in out


def test_stream_helper_events() -> None:
    """``.stream()`` yields events; the SDK's own accumulator copes with the
    empty chunk, only ``event.chunk.choices[0]`` breaks."""
    source = src(
        """
        with client.chat.completions.stream(model="gpt-4o", messages=[]) as s:
            for event in s:
                if event.type == "content.delta":
                    print(event.delta)
            for event in s:
                if event.type == "chunk":
                    print(event.chunk.choices[0].delta)
        """
    )
    assert stream_findings(source) == [("OR401", 8, "safe")]
    out = migrated(source)
    assert (
        '        if event.type == "chunk" and not event.chunk.choices:\n            continue\n'
        '        if event.type == "chunk":\n'
    ) in out
    assert stream_findings(out) == []


def test_events_reading_the_chunk_usage_get_an_unsafe_fix() -> None:
    source = src(
        """
        with client.beta.chat.completions.stream(model="gpt-4o", messages=[]) as s:
            for event in s:
                if event.type == "chunk":
                    print(event.chunk.choices[0].delta, event.chunk.usage)
        """
    )
    assert stream_findings(source) == [("OR401", 5, "unsafe")]


def test_legacy_dict_chunks_get_a_guard_in_their_style() -> None:
    source = textwrap.dedent(
        """
        import os
        import openai

        openai.api_key = os.environ["OPENAI_API_KEY"]
        for chunk in openai.ChatCompletion.create(model="gpt-4", messages=[], stream=True):
            print(chunk["choices"][0]["delta"].get("content", ""))
        """
    )
    out = migrated(source)
    assert '    if not chunk["choices"]:\n        continue\n    print(chunk["choices"][0]' in out


def test_module_client_streams() -> None:
    source = textwrap.dedent(
        """
        import openai

        for chunk in openai.chat.completions.create(model="gpt-4o", messages=[], stream=True):
            print(chunk.choices[0].delta.content)
        """
    )
    assert stream_findings(source) == [("OR401", 4, "safe")]
    assert "    if not chunk.choices:\n        continue\n" in migrated(source)


def test_completions_streams() -> None:
    source = src(
        """
        for chunk in client.completions.create(model="gpt-3.5-turbo-instruct", prompt="x", stream=True):
            print(chunk.choices[0].text)
        """
    )
    assert [c for c, _, _ in stream_findings(source)] == ["OR401"]


def test_a_helper_the_chunk_is_passed_to() -> None:
    source = src(
        f"""
        def text_of(c):
            return c.choices[0].delta.content or ""

        def guarded(c):
            return c.choices[0].delta.content if c.choices else ""

        def counts(c):
            return c.usage

        for chunk in {CREATE}:
            print(text_of(chunk))
        for chunk in {CREATE}:
            print(guarded(chunk))
        for chunk in {CREATE}:
            print(text_of(c=chunk), counts(chunk))
        """
    )
    found = run(source, dedent=False).findings
    ours = [(f.code, f.line, f.applicability) for f in found if f.code.startswith("OR4")]
    assert ours == [("OR401", 13, "safe"), ("OR401", 17, "unsafe")]
    assert "at t.py:5" in next(f.message for f in found if f.line == 13)


def test_comprehensions_are_reported_not_fixed() -> None:
    source = src(
        f"""
        stream = {CREATE}
        text = "".join(c.choices[0].delta.content or "" for c in stream)
        ok = "".join(c.choices[0].delta.content or "" for c in stream if c.choices)
        parts = [c.choices[0].delta.content for c in {CREATE}]
        """
    )
    assert stream_findings(source) == [("OR402", 5, None), ("OR402", 7, None)]
    assert migrated(source).count("c.choices[0]") == 3


def test_next_in_a_loop_is_reported_a_single_next_is_not() -> None:
    source = src(
        f"""
        stream = {CREATE}
        first = next(stream).choices[0].delta
        while True:
            try:
                chunk = next(stream)
            except StopIteration:
                break
            print(chunk.choices[0].delta)
        other = {CREATE}
        while True:
            print(next(other).choices[0].delta)
        """
    )
    assert stream_findings(source) == [("OR402", 11, None), ("OR402", 14, None)]


def test_a_second_run_changes_nothing_and_check_after_migrate_is_clean() -> None:
    source = src(
        f"""
        def f():
            for chunk in {CREATE}:
                if chunk.id:  # a comment
                    print(chunk.choices[0].delta)
        """
    )
    out = migrated(source)  # asserts idempotence
    assert stream_findings(out) == []


def test_sdk_facts_the_stream_rule_relies_on() -> None:
    """The installed openai SDK, fed a stream that ends as OpenRouter's does:
    a chunk's ``choices`` may be empty (``choices[0]`` raises), and the
    ``.stream()`` helper turns that chunk into one ``"chunk"`` event and no
    other, with its own accumulator intact (so only user code indexing
    ``event.chunk.choices[0]`` breaks, which is what OR401 flags)."""
    pytest.importorskip("openai")
    from openai.lib.streaming.chat import ChatCompletionStreamState
    from openai.types.chat import ChatCompletionChunk

    base = {
        "id": "gen-1",
        "created": 1,
        "model": "openai/gpt-4o",
        "object": "chat.completion.chunk",
    }
    raw = [
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}}]},
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {
            **base,
            "choices": [],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        },
    ]
    chunks = [ChatCompletionChunk.model_validate(c) for c in raw]
    with pytest.raises(IndexError):
        chunks[-1].choices[0]  # noqa: B018
    state = ChatCompletionStreamState()
    events = [list(state.handle_chunk(c)) for c in chunks]
    assert [e.type for e in events[-1]] == ["chunk"]
    assert events[-1][0].chunk.choices == []
    final = state.get_final_completion()
    assert final.choices[0].message.content == "Hi"
    assert final.usage is not None and final.usage.total_tokens == 2


def test_a_client_that_moves_only_unsafely_takes_its_stream_guard_with_it() -> None:
    """A client through which an unmovable model ID is sent moves only as an
    unsafe fix (OR101): the guard on its stream is unsafe too, and both are
    applied together with ``--unsafe-fixes``."""
    source = src(
        f"""
        client.chat.completions.create(model="gpt-foo-9", messages=[])
        for chunk in {CREATE}:
            print(chunk.choices[0].delta)
        """
    )
    found = {f.code: f for f in run(source, dedent=False).findings}
    assert found["OR101"].applicability == "unsafe"
    assert found["OR401"].applicability == "unsafe"
    assert "if not chunk.choices" not in migrated(source)
    out = migrated(source, unsafe_fixes=True)
    assert "openrouter.ai" in out and "if not chunk.choices:\n        continue" in out


# ---- a stream handed out by a function of the module (review: silent miss)


def test_a_stream_returned_by_a_module_function_is_guarded_where_it_is_read() -> None:
    source = src(
        f"""
        def gen(msgs):
            return {CREATE.replace("messages=[]", "messages=msgs")}

        for chunk in gen([]):
            print(chunk.choices[0].delta.content)

        s = gen([])
        for c in s:
            print(c.choices[0].delta.content or "")
        """
    )
    assert stream_findings(source) == [("OR401", 7, "safe"), ("OR401", 11, "safe")]
    out = migrated(source)
    assert "for chunk in gen([]):\n    if not chunk.choices:\n        continue\n" in out
    assert "for c in s:\n    if not c.choices:\n        continue\n" in out


def test_an_awaited_stream_returned_by_an_async_function_is_guarded() -> None:
    head = "from openai import AsyncOpenAI\n\nclient = AsyncOpenAI()\n"
    source = src(
        f"""
        async def gen():
            return await {CREATE}

        async def main():
            async for chunk in await gen():
                print(chunk.choices[0].delta.content)
        """,
        head=head,
    )
    assert stream_findings(source) == [("OR401", 8, "safe")]


def test_a_stream_bound_to_a_name_then_returned_is_guarded_where_it_is_read() -> None:
    # ``s = ...create(stream=True); return s``, and a function relaying it
    source = src(
        f"""
        def gen():
            s = {CREATE}
            return s

        def relay():
            r = gen()
            return r

        for chunk in gen():
            print(chunk.choices[0].delta.content)

        for chunk in relay():
            print(chunk.choices[0].delta.content, chunk.usage)
        """
    )
    assert stream_findings(source) == [("OR401", 12, "safe"), ("OR401", 15, "unsafe")]
    out = migrated(source)
    assert "for chunk in gen():\n    if not chunk.choices:\n        continue\n" in out
    assert "for chunk in relay():\n    print(" in out  # reads usage: unsafe, not applied
    out = migrated(source, unsafe_fixes=True)
    assert "for chunk in relay():\n    if not chunk.choices:\n        continue\n" in out


def test_an_awaited_stream_bound_then_returned_by_an_async_function_is_guarded() -> None:
    head = "from openai import AsyncOpenAI\n\nclient = AsyncOpenAI()\n"
    source = src(
        f"""
        async def gen():
            s = await {CREATE}
            return s

        async def main():
            async for chunk in await gen():
                print(chunk.choices[0].delta.content)
        """,
        head=head,
    )
    assert stream_findings(source) == [("OR401", 9, "safe")]


def test_a_returned_name_also_bound_to_something_else_is_not_followed() -> None:
    source = src(
        f"""
        def gen(cached):
            s = {CREATE}
            if cached:
                s = [cached]
            return s

        for chunk in gen(None):
            print(chunk.choices[0].delta.content)
        """
    )
    assert stream_findings(source) == []


def test_a_function_that_is_rebound_is_not_followed() -> None:
    source = src(
        f"""
        def gen():
            return {CREATE}

        gen = something_else
        for chunk in gen():
            print(chunk.choices[0].delta.content)
        """
    )
    assert stream_findings(source) == []


# ---- issue 14's silent misses: methods, flags, **params, zip, unpacking, iter()


def test_a_stream_returned_by_a_method_is_guarded_where_it_is_read() -> None:
    source = (
        "from openai import OpenAI\n\n"
        "class Bot:\n"
        "    def __init__(self):\n"
        "        self.client = OpenAI()\n\n"
        "    def stream(self, msgs):\n"
        f"        return self.{CREATE.replace('messages=[]', 'messages=msgs')}\n\n"
        "    def reply(self, msgs):\n"
        "        for chunk in self.stream(msgs):\n"
        "            print(chunk.choices[0].delta.content)\n\n"
        "class Holder:\n"
        "    def __init__(self):\n"
        "        self.bot = Bot()\n\n"
        "    def run(self):\n"
        "        s = self.bot.stream([])\n"
        "        for c in s:\n"
        "            print(c.choices[0].delta.content)\n\n"
        "bot = Bot()\n"
        "for chunk in bot.stream([]):\n"
        "    print(chunk.choices[0].delta.content)\n"
        "for chunk in Bot().stream([]):\n"
        "    print(chunk.choices[0].delta.content)\n"
        "for chunk in other.stream([]):\n"
        "    print(chunk.choices[0].delta.content)\n"
    )
    assert stream_findings(source) == [
        ("OR401", 11, "safe"),
        ("OR401", 20, "safe"),
        ("OR401", 24, "safe"),
        ("OR401", 26, "safe"),
    ]
    out = migrated(source)
    assert out.count("if not chunk.choices:") == 3 and out.count("if not c.choices:") == 1


def test_an_awaited_stream_returned_by_an_async_method() -> None:
    head = "from openai import AsyncOpenAI\n\n"
    source = src(
        f"""
        class Bot:
            client = AsyncOpenAI()

            async def stream(self):
                return await self.{CREATE}

            async def reply(self):
                async for chunk in await self.stream():
                    print(chunk.choices[0].delta.content)
        """,
        head=head,
    )
    assert stream_findings(source) == [("OR401", 10, "safe")]


def test_a_stream_flag_that_may_be_true_gets_an_unsafe_guard() -> None:
    flagged = CREATE.replace("stream=True", "stream=stream")
    source = src(
        f"""
        def ask(stream=False):
            r = {flagged}
            if stream:
                for chunk in r:
                    print(chunk.choices[0].delta.content)

        ON = True
        OFF = False

        def on():
            for chunk in {CREATE.replace("stream=True", "stream=ON")}:
                print(chunk.choices[0].delta.content)

        def off():
            for chunk in {CREATE.replace("stream=True", "stream=OFF")}:
                print(chunk.choices[0].delta.content)
        """
    )
    assert stream_findings(source) == [("OR401", 7, "unsafe"), ("OR401", 14, "safe")]
    found = next(f for f in run(source, dedent=False).findings if f.code == "OR401")
    assert "`stream=stream` is not always true" in found.message
    assert "if not chunk.choices" not in migrated(source).split("def on")[0]
    assert migrated(source, unsafe_fixes=True).count("if not chunk.choices") == 2


def test_stream_set_through_double_star_params() -> None:
    bare = 'client.chat.completions.create(model="gpt-4o", messages=[]'
    source = src(
        f"""
        params = {{"model": "gpt-4o", "messages": [], "stream": True}}
        for chunk in client.chat.completions.create(**params):
            print(chunk.choices[0].delta.content)
        for chunk in {bare}, **{{"stream": True}}):
            print(chunk.choices[0].delta.content)
        for chunk in {bare}, **dict(stream=True)):
            print(chunk.choices[0].delta.content)
        for chunk in {bare}, **{{"stream": False}}):
            print(chunk.choices[0].delta.content)

        def wrapped(**kwargs):
            for chunk in {bare}, **kwargs):
                print(chunk.choices[0].delta.content)

        extra = {{"temperature": 0}}
        extra["stream"] = True
        for chunk in {bare}, **extra):
            print(chunk.choices[0].delta.content)
        """
    )
    assert stream_findings(source) == [
        ("OR401", 5, "safe"),
        ("OR401", 7, "safe"),
        ("OR401", 9, "safe"),
        ("OR401", 15, "unsafe"),
        ("OR401", 20, "unsafe"),
    ]
    found = {f.line: f.message for f in run(source, dedent=False).findings if f.code == "OR401"}
    assert "`**kwargs` may set `stream=True`" in found[15]


def test_zip_enumerate_and_iter_over_a_stream() -> None:
    source = src(
        f"""
        s = {CREATE}
        for i, chunk in zip(range(9), s):
            print(chunk.choices[0].delta.content)
        for chunk, i in zip(s, range(9)):
            print(chunk.choices[0].delta.content)
        for i, chunk in enumerate(iter(s)):
            print(chunk.choices[0].delta.content)
        for chunk in iter(s):
            print(chunk.choices[0].delta.content)
        text = [c.choices[0].delta.content for i, c in enumerate(s)]
        while True:
            chunk = next(iter(s))
            print(chunk.choices[0].delta.content)
        """
    )
    assert stream_findings(source) == [
        ("OR401", 5, "safe"),
        ("OR401", 7, "safe"),
        ("OR401", 9, "safe"),
        ("OR401", 11, "safe"),
        ("OR402", 13, None),
        ("OR402", 16, None),
    ]
    out = migrated(source)
    assert out.count("if not chunk.choices:\n        continue") == 4


def test_unpacking_the_choices_is_an_unguarded_use() -> None:
    source = src(
        f"""
        s = {CREATE}
        for chunk in s:
            choice, = chunk.choices
            print(choice.delta.content)
        for chunk in s:
            [choice] = chunk.choices
        for chunk in s:
            first, *rest = chunk.choices
        for chunk in s:
            *everything, = chunk.choices
        for chunk in s:
            try:
                (choice,) = chunk.choices
            except ValueError:
                continue
        for chunk in s:
            try:
                (choice,) = chunk.choices
            except IndexError:
                continue
        """
    )
    assert stream_findings(source) == [
        ("OR401", 5, "safe"),
        ("OR401", 8, "safe"),
        ("OR401", 10, "safe"),
        ("OR401", 19, "safe"),
    ]
    found = next(f for f in run(source, dedent=False).findings if f.code == "OR401")
    assert "raises ValueError" in found.message
    out = migrated(source)
    assert out.count("if not chunk.choices:") == 4


# ---- a stream another module of the run hands out (project pass)


def _tree(root, files: dict[str, str]):
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n')
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return root


def _check(root, monkeypatch, *extra: str) -> list[tuple[str, int, str, str | None]]:
    import json

    from codemods.cli import main
    from tests.helpers import cli_runner

    monkeypatch.chdir(root)
    args = ["check", "--no-cache", "--jobs", "1", "--output-format", "json", *extra, "."]
    r = cli_runner().invoke(main, args)
    assert r.exit_code in (0, 1), r.output + r.stderr
    return [
        (f["path"].replace("\\", "/").removeprefix("./"), f["line"], f["code"], f["applicability"])
        for f in json.loads(r.stdout)["findings"]
        if f["code"].startswith("OR40")
    ]


LLM = """
from openai import OpenAI

client = OpenAI()

def stream_chat(msgs):
    return client.chat.completions.create(model="gpt-4o", messages=msgs, stream=True)

class Bot:
    def __init__(self):
        self.client = OpenAI()

    def stream(self, msgs):
        return self.client.chat.completions.create(model="gpt-4o", messages=msgs, stream=True)

def maybe(msgs, stream=False):
    return client.chat.completions.create(model="gpt-4o", messages=msgs, stream=stream)
"""

# never names openai: skipped by the prefilter in the first round
READER = """
from pkg.llm import Bot, maybe, stream_chat
from pkg import llm

def run():
    for chunk in stream_chat([]):
        print(chunk.choices[0].delta.content)
    bot = Bot()
    for chunk in bot.stream([]):
        print(chunk.choices[0].delta.content)
    for chunk in llm.stream_chat([]):
        print(chunk.choices[0].delta.content)
    for chunk in maybe([], stream=True):
        print(chunk.choices[0].delta.content)
"""


def test_a_stream_from_another_module_is_guarded_where_it_is_read(tmp_path, monkeypatch) -> None:
    root = _tree(
        tmp_path / "app",
        {"pkg/__init__.py": "", "pkg/llm.py": LLM, "pkg/reader.py": READER},
    )
    found = _check(root, monkeypatch)
    assert found == [
        ("pkg/reader.py", 5, "OR401", "safe"),
        ("pkg/reader.py", 8, "OR401", "safe"),
        ("pkg/reader.py", 10, "OR401", "safe"),
        ("pkg/reader.py", 12, "OR401", "unsafe"),
    ]
    from codemods.cli import main
    from tests.helpers import cli_runner

    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", "."])
    assert r.exit_code in (0, 1), r.output + r.stderr
    text = (root / "pkg/reader.py").read_text()
    assert text.count("if not chunk.choices:\n            continue") == 3
    assert "openrouter.ai" in (root / "pkg/llm.py").read_text()
    assert _check(root, monkeypatch) == [("pkg/reader.py", 18, "OR401", "unsafe")]  # after 3 guards


def test_a_stream_bound_then_returned_in_another_module_is_guarded(tmp_path, monkeypatch) -> None:
    llm = (
        "from openai import AsyncOpenAI, OpenAI\n\nclient = OpenAI()\naclient = AsyncOpenAI()\n\n"
        "def ask(q):\n"
        '    s = client.chat.completions.create(model="gpt-4o", messages=[], stream=True)\n'
        "    return s\n\n"
        "async def aask(q):\n"
        '    s = await aclient.chat.completions.create(model="gpt-4o", messages=[], stream=True)\n'
        "    return s\n"
    )
    reader = (
        "from pkg.llm import aask, ask\n\n"
        "def show():\n"
        "    for chunk in ask('x'):\n"
        "        print(chunk.choices[0].delta.content)\n\n"
        "async def ashow():\n"
        "    async for chunk in await aask('x'):\n"
        "        print(chunk.choices[0].delta.content, chunk.usage)\n"
    )
    root = _tree(
        tmp_path / "app", {"pkg/__init__.py": "", "pkg/llm.py": llm, "pkg/reader.py": reader}
    )
    assert _check(root, monkeypatch) == [
        ("pkg/reader.py", 4, "OR401", "safe"),
        ("pkg/reader.py", 8, "OR401", "unsafe"),
    ]


def test_a_stream_of_a_client_left_on_openai_in_another_module_gets_nothing(
    tmp_path, monkeypatch
) -> None:
    # the module client stays on OpenAI (its OR101 suppressed); Bot's moves
    llm = LLM.replace("client = OpenAI()", "client = OpenAI()  # noqa: OR101", 1)
    files = {"pkg/__init__.py": "", "pkg/llm.py": llm, "pkg/reader.py": READER}
    root = _tree(tmp_path / "app", files)
    assert _check(root, monkeypatch) == [("pkg/reader.py", 8, "OR401", "safe")]
    # --ignore OR101: no client moves in this run
    assert _check(root, monkeypatch, "--ignore", "OR101") == []
