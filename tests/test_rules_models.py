"""OR2xx: model IDs passed to the SDK."""

from __future__ import annotations

import pytest

from tests.helpers import codes, migrated, run

HEAD = "from openai import OpenAI\nclient = OpenAI(base_url='https://openrouter.ai/api/v1', api_key=k)\n"


@pytest.mark.parametrize(
    "chain",
    [
        "chat.completions.create",
        "chat.completions.parse",
        "chat.completions.stream",
        "beta.chat.completions.parse",
        "chat.completions.with_raw_response.create",
        "completions.create",
        "responses.create",
        "responses.stream",
        "embeddings.create",
        "audio.transcriptions.create",
    ],
)
def test_sdk_methods_map_literals(chain: str) -> None:
    out = migrated(HEAD + f"r = client.{chain}(model='gpt-4o-mini')\n")
    assert f"client.{chain}(model='openai/gpt-4o-mini')" in out


def test_quote_style_and_prefix_kept() -> None:
    out = migrated(HEAD + 'client.chat.completions.create(model="""gpt-4o""")\n')
    assert 'model="""openai/gpt-4o"""' in out


def test_dated_id_and_catalog_slug() -> None:
    out = migrated(HEAD + "client.chat.completions.create(model='gpt-4.1-2025-04-14')\n")
    assert "model='openai/gpt-4.1'" in out


def test_prefixed_ids_left_alone() -> None:
    src = HEAD + "client.chat.completions.create(model='anthropic/claude-3.5-sonnet')\n"
    r = run(src)
    assert r.findings == [] and r.new_source is None


def test_unknown_fine_tune_no_equivalent_reported() -> None:
    src = HEAD + (
        "client.chat.completions.create(model='gpt-foo-9')\n"
        "client.chat.completions.create(model='ft:gpt-4o-mini:acme::abc')\n"
        "client.chat.completions.create(model='gpt-4-32k')\n"
    )
    r = run(src)
    assert [f.code for f in r.findings] == ["OR202", "OR203", "OR204"]
    assert r.new_source is None
    assert "2026-05-22" in r.findings[2].message


def test_id_the_catalog_does_not_list_is_reported_with_its_successor_not_rewritten() -> None:
    """issue 11 item 8: the reference table lists o1-mini -> openai/o1-mini, but
    the catalog snapshot does not: OpenRouter would answer 400/404."""
    src = HEAD + (
        "client.chat.completions.create(model='o1-mini')\n"
        "client.chat.completions.create(model='o1-preview')\n"
    )
    r = run(src)
    assert [f.code for f in r.findings] == ["OR204", "OR204"]
    assert not any(f.fixable for f in r.findings)
    assert migrated(src) == src  # nothing rewritten: not into openai/o1-mini, not silently
    assert "successor on OpenRouter is 'openai/o4-mini'" in r.findings[0].message
    assert "successor on OpenRouter is 'openai/o3'" in r.findings[1].message


def test_litellm_prefix_fixed() -> None:
    out = migrated(HEAD + "client.chat.completions.create(model='openrouter/openai/gpt-4o')\n")
    assert "model='openai/gpt-4o'" in out


def test_module_constant_used_only_by_sdk_is_mapped_once() -> None:
    src = HEAD + (
        'MODEL = "gpt-4o"\n'
        "client.chat.completions.create(model=MODEL)\n"
        "client.chat.completions.create(model=MODEL)\n"
    )
    r = run(src)
    assert [f.code for f in r.findings] == ["OR201"]
    assert b'MODEL = "openai/gpt-4o"' in (r.new_source or b"")


def test_annotated_constant() -> None:
    out = migrated(HEAD + 'MODEL: str = "gpt-4o"\nclient.chat.completions.create(model=MODEL)\n')
    assert 'MODEL: str = "openai/gpt-4o"' in out


def test_constant_also_used_elsewhere_is_reported_not_rewritten() -> None:
    src = HEAD + (
        "import tiktoken\n"
        'MODEL = "gpt-4o"\n'
        "enc = tiktoken.encoding_for_model(MODEL)\n"
        "client.chat.completions.create(model=MODEL)\n"
    )
    r = run(src)
    assert [f.code for f in r.findings] == ["OR206"]
    assert r.new_source is None


def test_reassigned_constant_is_not_a_constant() -> None:
    src = (
        HEAD
        + 'MODEL = "gpt-4o"\nif x:\n    MODEL = "o1"\nclient.chat.completions.create(model=MODEL)\n'
    )
    assert codes(src) == ["OR205"]


def test_dynamic_model_reported() -> None:
    assert codes(HEAD + "client.chat.completions.create(model=settings.model)\n") == ["OR205"]


def test_strings_elsewhere_are_never_rewritten() -> None:
    src = HEAD + (
        "import tiktoken\n"
        "PRICES = {'gpt-4o': 2.5}\n"
        "enc = tiktoken.encoding_for_model('gpt-4o')\n"
        "log.info('using gpt-4o')\n"
        "other(model='gpt-4o')\n"
    )
    r = run(src)
    assert r.findings == [] and r.new_source is None


def test_foreign_sdk_receivers_untouched() -> None:
    src = (
        "from groq import Groq\n"
        "client = Groq()\n"
        "client.chat.completions.create(model='llama3-70b-8192')\n"
        "client.chat.completions.create(model='gpt-4o')\n"
    )
    r = run(src)
    assert r.findings == [] and r.new_source is None


def test_azure_receiver_untouched() -> None:
    src = (
        "from openai import AzureOpenAI\n"
        "client = AzureOpenAI(api_version='2024-06-01')\n"
        "client.chat.completions.create(model='gpt-4o')\n"
    )
    assert codes(src) == ["OR102"]


def test_receiver_from_another_module_in_openai_free_file() -> None:
    # a service layer: the client is imported, the file never names openai
    # the receiver is not resolved to openai's client: the fix is unsafe,
    # applied only with --unsafe-fixes
    src = "from app.clients import client\nclient.chat.completions.create(model='gpt-4o')\n"
    r = run(src)
    assert r.new_source is None
    (f,) = r.findings
    assert (f.code, f.applicability, f.fixable) == ("OR201", "unsafe", False)
    assert f.replacement == "'openai/gpt-4o'"
    out = migrated(src, unsafe_fixes=True)
    assert "model='openai/gpt-4o'" in out
    # an unknown id there is not reported: it may not be OpenAI at all
    assert (
        codes("from app.clients import client\nclient.chat.completions.create(model='x')\n") == []
    )


def test_local_class_receiver_untouched() -> None:
    src = "class OpenAI:\n    pass\nclient = OpenAI()\nclient.chat.completions.create(model='gpt-4o')\n"
    assert run(src).new_source is None


def test_noqa_on_model_line() -> None:
    src = HEAD + "client.chat.completions.create(\n    model='gpt-4o',  # noqa: OR201\n)\n"
    r = run(src)
    assert r.findings == [] and r.new_source is None


def test_multiline_call_keeps_layout_and_comments() -> None:
    src = HEAD + (
        "resp = client.chat.completions.create(\n"
        "    # the cheap one\n"
        "    model='gpt-4o-mini',  # pinned\n"
        "    messages=msgs,\n"
        ")\n"
    )
    assert migrated(src) == src.replace("'gpt-4o-mini'", "'openai/gpt-4o-mini'")


def test_parenthesized_string_keeps_parentheses() -> None:
    out = migrated(HEAD + "client.chat.completions.create(model=('gpt-4o'))\n")
    assert "model=('openai/gpt-4o')" in out


@pytest.mark.parametrize(
    "ctor",
    [
        "OpenAI(base_url='http://localhost:8000/v1')",
        "OpenAI(base_url=settings.proxy_url)",
        "OpenAI(**client_kwargs)",
    ],
)
def test_clients_left_pointing_elsewhere_keep_their_model_ids(ctor: str) -> None:
    """An `openai/` ID sent to a proxy or a local server breaks it: calls on a
    client the migration leaves alone keep their IDs."""
    src = (
        "from openai import OpenAI\n"
        f"client = {ctor}\n"
        "client.chat.completions.create(model='gpt-4o')\n"
        f"{ctor}.chat.completions.create(model='gpt-4o')\n"
    )
    r = run(src)
    assert r.new_source is None
    assert not any(f.code.startswith("OR2") for f in r.findings)
