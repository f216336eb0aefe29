"""Receivers from the hand audit of real projects (FP6, FP7): a client
annotated with a union that includes Azure may be Azure (its "model" is a
deployment name: no OR201/OR205 advice, no fix); a client unpacked from a
tuple is resolved element by element, or not at all, never to another
element."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import migrated, run


def _codes(src: str) -> list[tuple[str, str | None]]:
    return [(f.code, f.applicability) for f in run(src).findings]


# ---------------------------------------------------------------- FP6: unions with Azure

UNION_RECEIVERS = {
    "param_pipe": """\
        from openai import AsyncAzureOpenAI, AsyncOpenAI
        async def ask(client: AsyncOpenAI | AsyncAzureOpenAI):
            return await client.chat.completions.create(model="gpt-4o", messages=[])
    """,
    "param_union_optional": """\
        from typing import Optional, Union
        import openai
        def ask(client: Optional[Union[openai.OpenAI, openai.AzureOpenAI]] = None):
            return client.chat.completions.create(model="gpt-4o", messages=[])
    """,
    "param_quoted": """\
        from openai import AzureOpenAI, OpenAI
        def ask(client: "OpenAI | AzureOpenAI", model: str = "gpt-4o"):
            return client.chat.completions.create(model=model, messages=[])
    """,
    "self_from_param": """\
        from openai import AsyncAzureOpenAI, AsyncOpenAI
        class Llm:
            def __init__(self, client: AsyncAzureOpenAI | AsyncOpenAI):
                self.client: AsyncAzureOpenAI | AsyncOpenAI = client
            async def ask(self):
                return await self.client.chat.completions.create(model="gpt-4o", messages=[])
    """,
    "self_annotated_unknown_value": """\
        from openai import AsyncAzureOpenAI, AsyncOpenAI
        from elsewhere import make_client
        class Llm:
            def __init__(self):
                self.client: AsyncAzureOpenAI | AsyncOpenAI = make_client()
            async def ask(self, model: str = "gpt-4o-mini"):
                return await self.client.chat.completions.create(model=model, messages=[])
    """,
    "class_field": """\
        from typing import Union
        from openai import AzureOpenAI, OpenAI
        class Llm:
            client: Union[OpenAI, AzureOpenAI, None] = None
            def ask(self):
                return self.client.chat.completions.create(model="gpt-4o", messages=[])
    """,
}


@pytest.mark.parametrize("name", sorted(UNION_RECEIVERS))
def test_a_receiver_annotated_with_a_union_including_azure_gets_no_model_advice(
    name: str,
) -> None:
    src = UNION_RECEIVERS[name]
    got = _codes(src)
    assert not [c for c in got if c[0] in ("OR201", "OR205")], got
    assert migrated(src) == textwrap.dedent(src)


def test_a_union_of_openai_classes_only_is_still_advised() -> None:
    src = """\
        from openai import AsyncOpenAI, OpenAI
        def ask(client: OpenAI | AsyncOpenAI):
            return client.chat.completions.create(model="gpt-4o", messages=[])
    """
    assert ("OR201", "unsafe") in _codes(src)


def test_a_client_built_where_an_azure_union_is_accepted_is_left_with_it() -> None:
    # the default client shares the attribute with an Azure one the caller
    # may pass: moving it would leave that one's model IDs half moved
    src = """\
        from openai import AsyncAzureOpenAI, AsyncOpenAI
        class Llm:
            def __init__(self, client: AsyncAzureOpenAI | AsyncOpenAI | None = None):
                if client is None:
                    client = AsyncOpenAI()
                self.client = client
            async def ask(self):
                return await self.client.chat.completions.create(model="gpt-4o", messages=[])
    """
    got = _codes(src)
    assert "OR101" not in [c for c, _ in got] and ("OR122", None) in got, got
    assert not [c for c in got if c[0] in ("OR201", "OR205")], got


def test_an_annotated_union_with_a_value_the_tool_follows_is_that_value() -> None:
    src = """\
        from typing import Union
        from openai import AzureOpenAI, OpenAI
        client: Union[OpenAI, AzureOpenAI] = OpenAI()
        client.chat.completions.create(model="gpt-4o", messages=[])
    """
    assert 'model="openai/gpt-4o"' in migrated(src)


# ---------------------------------------------------------------- FP7: tuple unpacking


def test_clients_unpacked_from_a_tuple_display_resolve_element_by_element() -> None:
    out = migrated(
        """\
        from openai import AzureOpenAI, OpenAI
        azure, direct = AzureOpenAI(), OpenAI()
        azure.chat.completions.create(model="gpt-4o", messages=[])
        direct.chat.completions.create(model="gpt-4o", messages=[])
        """
    )
    lines = out.splitlines()
    assert lines[-2] == 'azure.chat.completions.create(model="gpt-4o", messages=[])'
    assert lines[-1] == 'direct.chat.completions.create(model="openai/gpt-4o", messages=[])'


def test_an_attribute_pair_moves_its_model_with_its_client() -> None:
    out = migrated(
        """\
        from openai import OpenAI
        class Llm:
            def __init__(self):
                self.client, self.model = OpenAI(), "gpt-4o"
            def ask(self):
                return self.client.chat.completions.create(model=self.model, messages=[])
        """
    )
    assert '"openai/gpt-4o"' in out and "openrouter.ai" in out


def test_an_attribute_also_unpacked_from_a_call_is_not_one_of_its_simple_values() -> None:
    # self.model may be what make() returns: fixing "gpt-4o" alone is not the move
    src = """\
        from openai import OpenAI
        class Llm:
            def __init__(self):
                self.client = OpenAI()
                self.model = "gpt-4o"
            def reset(self, make):
                self.other, self.model = make()
            def ask(self):
                return self.client.chat.completions.create(model=self.model, messages=[])
    """
    got = _codes(src)
    assert ("OR205", None) in got and "OR201" not in [c for c, _ in got], got
    (advice,) = [f for f in run(src).findings if f.code == "OR205"]
    assert "`self.model` (unpacked from a value the tool cannot split)" in advice.message


@pytest.mark.parametrize(
    "factory",
    [
        "def _make():\n    return OpenAI(), 'gpt-4o'\n",
        "def _make():\n    return [OpenAI(), 'gpt-4o']\n",
    ],
)
def test_a_client_returned_in_a_tuple_and_unpacked_moves_only_as_an_unsafe_fix(
    factory: str,
) -> None:
    src = (
        "from openai import OpenAI\n" + factory + "def ask():\n"
        "    client, model = _make()\n"
        "    return client.chat.completions.create(model=model, messages=[])\n"
    )
    r = run(src, dedent=False)
    (client,) = [f for f in r.findings if f.code == "OR101"]
    assert client.applicability == "unsafe"
    assert "returned in a container by `_make`" in client.message
    assert r.new_source is None


def test_a_tuple_unpacked_from_a_call_never_binds_an_element() -> None:
    src = """\
        from openai import AzureOpenAI
        def make_client():
            return AzureOpenAI(), "gpt-4o"
        client, model = make_client()
        client.chat.completions.create(model="gpt-4o", messages=[])
    """
    got = _codes(src)
    assert ("OR201", "safe") not in got, got
