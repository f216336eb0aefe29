"""``include=["file_search_call.results"]`` asks for a hosted tool's output
(audit 13, openai-support-agent-demo): the request runs OpenAI's
file_search even when its ``tools`` come from a request body the tool does
not read. OpenRouter's Responses API does not run hosted tools, so the
request is stateful (OR302) and a client used only for such requests stays
on OpenAI (OR119), in Python and in TypeScript alike."""

from __future__ import annotations

import pytest

from codemods.core.sdk import hosted_include
from tests.helpers import run
from tests.test_typescript import run as run_ts


def test_include_entries_name_their_hosted_tool() -> None:
    assert hosted_include("file_search_call.results") == "file_search"
    assert hosted_include("web_search_call.action.sources") == "web_search"
    assert hosted_include("code_interpreter_call.outputs") == "code_interpreter"
    assert hosted_include("computer_call_output.output.image_url") == "computer_use_preview"
    assert hosted_include("reasoning.encrypted_content") is None
    assert hosted_include("message.output_text.logprobs") is None


def test_python_a_client_used_only_for_hosted_includes_stays() -> None:
    r = run(
        """\
        from openai import OpenAI

        client = OpenAI()
        r = client.responses.create(model="gpt-4o", input="hi", include=["file_search_call.results"])
        """,
        unsafe_fixes=True,
    )
    assert r.new_source is None
    (f,) = [f for f in r.findings if f.code == "OR119"]
    assert "file_search_call.results" in f.message


def test_python_a_mixed_client_moves_and_the_include_is_reported() -> None:
    r = run(
        """\
        from openai import OpenAI

        client = OpenAI()
        client.chat.completions.create(model="gpt-4o", messages=[])
        client.responses.create(model="gpt-4o", input="hi", include=("file_search_call.results",))
        client.responses.create(model="gpt-4o", input="hi", include=["reasoning.encrypted_content"])
        """
    )
    assert r.new_source is not None and b"openrouter.ai" in r.new_source
    (f,) = [f for f in r.findings if f.code == "OR302"]
    assert "hosted tool `file_search`" in f.message


ROUTE = """
import OpenAI from "openai";
export async function POST(request: Request) {
  const { messages, tools } = await request.json();
  const openai = new OpenAI();
  return openai.responses.create({
    model: "gpt-4o",
    input: messages,
    tools,
    include: [INCLUDE],
  });
}
"""


@pytest.mark.parametrize(
    "include, stays",
    [
        ('"file_search_call.results"', True),
        ("'web_search_call.action.sources'", True),
        ('"reasoning.encrypted_content"', False),
    ],
)
def test_typescript_a_route_asking_for_hosted_tool_output_stays(include: str, stays: bool) -> None:
    result = run_ts(ROUTE.replace("INCLUDE", include))
    found = [f.code for f in result.findings]
    if stays:
        assert "OR119" in found, found
        assert result.new_source is None or b"openrouter.ai" not in result.new_source
    else:
        assert "OR119" not in found, found
