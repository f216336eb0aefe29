"""Drop-in replacements of the ``openai`` package (audit 13, camel's
``openai_model.py``): ``from langfuse.openai import OpenAI`` is openai's own
class with tracing wrapped around its methods, and
``from langfuse.openai import openai`` is the ``openai`` module itself
(langfuse/openai.py imports both from openai and re-exports them).

Left unrecognised, the client was neither migrated nor reported, and its
model IDs got an unsafe OR201: ``--unsafe-fixes`` prefixed them while the
client stayed on OpenAI, a half migration. Read as openai's, the client and
its models move together.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import run


def _migrated(src: str, unsafe: bool = False) -> str:
    r = run(src, unsafe_fixes=unsafe)
    return textwrap.dedent(src) if r.new_source is None else r.new_source.decode()


@pytest.mark.parametrize("unsafe", [False, True])
def test_a_drop_in_client_and_its_models_move_together(unsafe: bool) -> None:
    src = """\
        from langfuse.openai import OpenAI, AsyncOpenAI

        client = OpenAI(organization="org-1")
        aclient = AsyncOpenAI()

        def ask(q):
            r = client.chat.completions.create(model="gpt-4o", messages=[], name="trace-1")
            return r.choices[0].message.content

        async def aask(q):
            return await aclient.chat.completions.create(model="gpt-4o-mini", messages=[])
        """
    out = _migrated(src, unsafe)
    assert out.count('base_url="https://openrouter.ai/api/v1"') == 2, out
    assert 'model="openai/gpt-4o"' in out and 'model="openai/gpt-4o-mini"' in out
    assert "organization" not in out
    assert "from langfuse.openai import OpenAI, AsyncOpenAI" in out  # tracing is kept


def test_the_drop_in_module_client_is_configured_like_openais() -> None:
    src = """\
        from langfuse.openai import openai as oa

        r = oa.chat.completions.create(model="gpt-4o", messages=[])
        """
    out = _migrated(src)
    assert 'oa.base_url = "https://openrouter.ai/api/v1/"' in out, out
    assert 'model="openai/gpt-4o"' in out
    assert out.index("from langfuse.openai import openai as oa") < out.index("oa.base_url")


def test_the_drop_in_azure_client_is_left_like_openais() -> None:
    r = run(
        """\
        from langfuse.openai import AzureOpenAI

        client = AzureOpenAI(azure_endpoint="https://x.openai.azure.com", api_version="2024-02-01")
        client.chat.completions.create(model="gpt-4o", messages=[])
        """,
        unsafe_fixes=True,
    )
    assert r.new_source is None
    assert "OR102" in [f.code for f in r.findings]


def test_another_module_named_openai_is_not_a_drop_in() -> None:
    # only the known drop-ins: a project's own ``tracing.openai`` is not openai
    r = run(
        """\
        from tracing.openai import OpenAI

        client = OpenAI()
        client.chat.completions.create(model="gpt-4o", messages=[])
        """,
        unsafe_fixes=True,
    )
    assert r.new_source is None or b"openrouter.ai" not in r.new_source
