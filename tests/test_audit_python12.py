"""Wrong safe rewrites found by the real-code audit of issue 11 (Python):
a model read from a field a class of the file defaults to a model ID
through an untyped name; argparse defaults; functions called through
executors, threads and ``functools.partial``; OR205 on clients the run
leaves alone."""

from __future__ import annotations

from tests.helpers import migrated, run


def _findings(src: str) -> dict[str, list[tuple[int, str | None, str]]]:
    out: dict[str, list[tuple[int, str | None, str]]] = {}
    for f in run(src).findings:
        out.setdefault(f.code, []).append((f.line, f.applicability, f.message))
    return out


# ---------------------------------------------------------------- a class field's default


AGENT_UNTYPED = """\
    from openai import OpenAI
    from pydantic import BaseModel, Field


    class Agent(BaseModel):
        name: str = "Agent"
        model: str = "gpt-4o"


    client = OpenAI()


    def run_full_turn(agent, messages):
        return client.chat.completions.create(model=agent.model, messages=messages)
"""


def test_an_untyped_read_of_a_field_a_class_defaults_to_a_model_id_holds_the_client() -> None:
    found = _findings(AGENT_UNTYPED)
    assert [a for _, a, _ in found["OR101"]] == ["unsafe"]
    ((line, _, message),) = found["OR205"]
    assert line == 14
    assert '`Agent.model` (= "gpt-4o"), defined at t.py:7' in message
    assert "OpenAI()" in migrated(AGENT_UNTYPED)  # nothing moves without --unsafe-fixes


def test_a_pydantic_field_default_and_a_module_level_read_hold_the_client() -> None:
    src = """\
        from openai import OpenAI
        from pydantic import Field, BaseModel
        class Settings(BaseModel):
            chat_model: str = Field(default="gpt-4o-mini", description="x")
        client = OpenAI()
        settings = load()
        client.chat.completions.create(model=settings.chat_model, messages=[])
    """
    found = _findings(src)
    assert [a for _, a, _ in found["OR101"]] == ["unsafe"]
    assert '`Settings.chat_model` (= "gpt-4o-mini"), defined at t.py:4' in found["OR205"][0][2]


def test_a_field_whose_default_is_no_model_id_or_an_openrouter_one_holds_nothing() -> None:
    src = """\
        from openai import OpenAI
        class Agent:
            name = "Agent"
            model = "openai/gpt-4o"
        client = OpenAI()
        def turn(agent, other):
            client.chat.completions.create(model=agent.model, messages=[])
            client.chat.completions.create(model=other.name, messages=[])
    """
    found = _findings(src)
    assert [a for _, a, _ in found["OR101"]] == ["safe"]
    assert all("defined at" not in m for _, _, m in found["OR205"])
