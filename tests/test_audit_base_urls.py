"""base_url from the hand audit of real projects: an environment lookup
whose fallback is OpenRouter's URL is OpenRouter's (FP4: no OR104); one
whose fallback is OpenAI's URL stays OR104."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import migrated, run

KEY = 'api_key=os.environ["OPENROUTER_API_KEY"]'


@pytest.mark.parametrize(
    "base",
    [
        'os.getenv("OPENAI_BASE_URL") or "https://openrouter.ai/api/v1"',
        'os.environ.get("LLM_BASE_URL") or OPENROUTER_URL',
        'os.getenv("OPENAI_BASE_URL", "https://openrouter.ai/api/v1")',
        'os.getenv("A") or os.getenv("B") or "https://openrouter.ai/api/v1"',
    ],
)
def test_an_environment_base_url_falling_back_to_openrouter_is_already_migrated(
    base: str,
) -> None:
    src = (
        "import os\nfrom openai import OpenAI\n"
        'OPENROUTER_URL = "https://openrouter.ai/api/v1"\n'
        f"client = OpenAI(base_url={base}, {KEY})\n"
        'client.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    r = run(src, dedent=False)
    assert [f.code for f in r.findings] == ["OR201"], r.findings
    out = migrated(src)
    assert f"client = OpenAI(base_url={base}, {KEY})\n" in out
    assert 'model="openai/gpt-4o"' in out


def test_an_environment_base_url_falling_back_to_openai_is_still_reported() -> None:
    src = textwrap.dedent(
        """\
        import os
        from openai import OpenAI
        client = OpenAI(base_url=os.getenv("X") or "https://api.openai.com/v1")
        client.chat.completions.create(model="gpt-4o", messages=[])
        """
    )
    r = run(src, dedent=False)
    assert [f.code for f in r.findings] == ["OR104"]
    assert r.new_source is None


def test_the_module_client_with_an_openrouter_fallback_is_already_migrated() -> None:
    src = textwrap.dedent(
        """\
        import os
        import openai
        openai.base_url = os.getenv("OPENAI_BASE_URL") or "https://openrouter.ai/api/v1/"
        openai.api_key = os.environ["OPENROUTER_API_KEY"]
        openai.chat.completions.create(model="gpt-4o", messages=[])
        """
    )
    assert [f.code for f in run(src, dedent=False).findings] == ["OR201"]


@pytest.mark.parametrize(
    ("url", "provider"),
    [
        ("https://dashscope.aliyuncs.com/compatible-mode/v1", "Alibaba Cloud DashScope"),
        ("https://api.deepseek.com", "DeepSeek"),
        ("https://api.moonshot.cn/v1", "Moonshot AI"),
        ("https://generativelanguage.googleapis.com/v1beta/openai/", "Google Gemini"),
        ("https://api.groq.com/openai/v1", "Groq"),
        ("https://api.together.xyz/v1", "Together AI"),
        ("https://api.mistral.ai/v1", "Mistral AI"),
        ("https://api.x.ai/v1", "xAI"),
        ("http://localhost:11434/v1", "a local Ollama server"),
        ("http://127.0.0.1:11434/v1", "a local Ollama server"),
    ],
)
def test_another_providers_base_url_is_named_and_left_alone(url: str, provider: str) -> None:
    # a base URL, like every other one that is not OpenAI's: OR104 (OR118 is
    # for constructor options), with the provider named
    src = (
        "from openai import OpenAI\n"
        f'client = OpenAI(base_url="{url}")\n'
        'client.chat.completions.create(model="qwen-plus", messages=[])\n'
    )
    r = run(src, dedent=False)
    (finding,) = r.findings
    assert finding.code == "OR104"
    assert (
        f"sets base_url to `{url}` ({provider}, with model IDs of its own), not OpenAI: left alone"
    ) in finding.message
    assert r.new_source is None


def test_an_unknown_server_is_not_named() -> None:
    src = 'from openai import OpenAI\nclient = OpenAI(base_url="http://localhost:8000/v1")\n'
    (finding,) = run(src, dedent=False).findings
    assert "sets base_url to `http://localhost:8000/v1`, not OpenAI:" in finding.message
