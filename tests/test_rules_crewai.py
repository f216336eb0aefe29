"""OR446: crewAI's LLMs keep calling OpenAI (crewAI rebuilds every LLM it
is given as its own ``crewai.LLM``)."""

from __future__ import annotations

import pytest

from tests.helpers import migrated, run


def findings(src: str, **settings) -> list[tuple[str, int]]:
    r = run(src, **settings)
    assert not r.errors, r.errors
    return [(f.code, f.line) for f in r.findings]


@pytest.mark.parametrize(
    ("head", "cls"),
    [
        ("from crewai import LLM\n", "LLM"),
        ("import crewai\n", "crewai.LLM"),
        ("from crewai.llm import LLM as CrewLLM\n", "CrewLLM"),
    ],
)
def test_crewai_llm_with_an_openai_model_is_reported(head: str, cls: str) -> None:
    # audit: crewAI-examples write_a_book_with_flows outline_crew.py:14
    src = head + f'llm = {cls}(model="gpt-4o")\n'
    r = run(src)
    assert [(f.code, f.line) for f in r.findings] == [("OR446", 2)]
    assert "crewai.LLM(model='openrouter/openai/gpt-4o'" in r.findings[0].message
    assert r.new_source is None


def test_crewai_llm_model_followed_through_a_constant_and_positionally() -> None:
    src = (
        "from crewai import LLM\n"
        "MODEL = 'openai/gpt-4o-mini'\n"
        "a = LLM(MODEL)\n"
        "b = LLM(model=settings.model)\n"
    )
    r = run(src)
    assert [(f.code, f.line) for f in r.findings] == [("OR446", 2), ("OR446", 4)]
    assert "openrouter/openai/gpt-4o-mini" in r.findings[0].message
    assert "settings.model" in r.findings[1].message


@pytest.mark.parametrize(
    "model",
    ["openrouter/openai/gpt-4o", "anthropic/claude-3-5-sonnet-20240620", "ollama/llama3"],
)
def test_crewai_llm_not_on_openai_is_left_alone(model: str) -> None:
    assert findings(f"from crewai import LLM\nllm = LLM(model={model!r})\n") == []


def test_agent_llm_string_is_reported() -> None:
    src = "from crewai import Agent\na = Agent(role='r', goal='g', backstory='b', llm='gpt-4o')\n"
    assert findings(src) == [("OR446", 2)]


STARTER = """\
from crewai import Agent
from langchain_openai import ChatOpenAI


class CustomAgents:
    def __init__(self):
        self.OpenAIGPT35 = ChatOpenAI(model_name="gpt-3.5-turbo", temperature=0.7)

    def agent_1_name(self):
        return Agent(role="r", backstory="b", goal="g", llm=self.OpenAIGPT35)
"""

CLASS_ATTRIBUTE = """\
from crewai import Agent, Crew
from langchain_openai import ChatOpenAI


class EmailFilterCrew:
    llm = ChatOpenAI(model="gpt-4o")

    def email_filter_agent(self) -> Agent:
        return Agent(role="r", goal="g", backstory="b", llm=self.llm)
"""

LOCAL = """\
from crewai import Agent, Crew
from langchain_openai import ChatOpenAI

def build():
    llm = ChatOpenAI(model="gpt-4o")
    return Crew(agents=[], tasks=[], manager_llm=llm)
"""


@pytest.mark.parametrize(
    ("src", "line"),
    [(STARTER, 10), (CLASS_ATTRIBUTE, 9), (LOCAL, 6)],
)
def test_a_langchain_chatopenai_handed_to_crewai_is_reported(src: str, line: int) -> None:
    # audit Q1: crewAI-examples starter_template/agents.py:13-14,
    # email_filter_crew.py:17, meeting_assistant_crew.py:16
    r = run(src)
    crew = [f for f in r.findings if f.code == "OR446"]
    assert [f.line for f in crew] == [line]
    assert "OPENAI_API_KEY" in crew[0].message
    assert "crewai.LLM(model='openrouter/openai/<model>'" in crew[0].message
    # the ChatOpenAI itself still moves (OR411): right for its other uses,
    # and the report stays after the migration
    assert "OR411" in {f.code for f in r.findings}
    after = migrated(src)
    assert "import os\n" in after  # (one line more above)
    assert [f.line for f in run(after).findings if f.code == "OR446"] == [line + 1]


def test_other_langchain_llms_and_crewai_llms_handed_to_agents_are_not_reported() -> None:
    src = (
        "from crewai import Agent, LLM\n"
        "from langchain_community.llms import Ollama\n"
        "local = Ollama(model='openhermes')\n"
        "router = LLM(model='openrouter/openai/gpt-4o')\n"
        "a = Agent(role='r', goal='g', backstory='b', llm=local)\n"
        "b = Agent(role='r', goal='g', backstory='b', llm=router)\n"
    )
    assert findings(src) == []


def test_a_name_bound_to_a_chatopenai_and_to_something_else_is_not_followed() -> None:
    # not followed to the ChatOpenAI (the agent may get the other value), but
    # reported as a value that may reach it (audit M4)
    src = (
        "from crewai import Agent\n"
        "from langchain_openai import ChatOpenAI\n"
        "llm = ChatOpenAI(model='gpt-4o')\n"
        "if local:\n"
        "    llm = make_local()\n"
        "a = Agent(role='r', goal='g', backstory='b', llm=llm)\n"
    )
    r = run(src, dedent=False)
    (finding,) = [f for f in r.findings if f.code == "OR446"]
    assert finding.line == 6 and "bound 2 times" in finding.message
    assert "crewAI rebuilds" not in finding.message


def test_a_crewai_file_without_openai_in_it_is_read() -> None:
    from codemods.core.prefilter import may_need_work

    assert may_need_work(b'from crewai import LLM\nllm = LLM(model="gpt-4o")\n')


def test_a_parameter_is_not_taken_for_a_module_chatopenai_of_the_same_name() -> None:
    src = (
        "from crewai import Agent\n"
        "from langchain_openai import ChatOpenAI\n"
        "llm = ChatOpenAI(model='gpt-4o')\n"
        "def make(llm):\n"
        "    return Agent(role='r', goal='g', backstory='b', llm=llm)\n"
        "a = Agent(role='r', goal='g', backstory='b', llm=llm)\n"
    )
    assert [(c, n) for c, n in findings(src) if c == "OR446"] == [("OR446", 6)]


# ---------------------------------------------------------------- audit M4: rebound names

AGENT = 'agent = Agent(role="r", goal="g", backstory="b", llm={})\n'


def test_an_agent_llm_name_bound_once_to_a_model_string_is_followed() -> None:
    src = "from crewai import Agent\nmodel = 'gpt-4o'\n" + AGENT.format("model")
    r = run(src, dedent=False)
    assert [(f.code, f.line) for f in r.findings] == [("OR446", 2)]
    assert "model 'gpt-4o' (through `model`) of `llm=` of crewAI's `Agent`" in r.findings[0].message


@pytest.mark.parametrize(
    ("bindings", "shown"),
    [
        (
            "llm = ChatOpenAI(model='gpt-4o')\nllm = make_llm()\n",
            "`ChatOpenAI(model='gpt-4o')` at t.py:3",
        ),
        ("llm = 'gpt-4o'\nllm = get_model()\n", "`'gpt-4o'` at t.py:3"),
    ],
)
def test_an_agent_llm_name_bound_more_than_once_is_reported_not_followed(
    bindings: str, shown: str
) -> None:
    src = (
        "from crewai import Agent\nfrom langchain_openai import ChatOpenAI\n"
        + bindings
        + AGENT.format("llm")
    )
    r = run(src, dedent=False)
    (finding,) = [f for f in r.findings if f.code == "OR446"]
    assert finding.line == 5
    assert "is `llm`, bound 2 times (the tool cannot tell which value reaches the agent)" in (
        finding.message
    )
    assert shown + " goes to OpenAI" in finding.message


def test_a_rebound_agent_llm_name_whose_values_stay_off_openai_is_not_reported() -> None:
    src = (
        "from crewai import Agent, LLM\n"
        "llm = 'openrouter/openai/gpt-4o'\n"
        "llm = LLM(model='openrouter/openai/gpt-4o-mini')\n" + AGENT.format("llm")
    )
    assert [f.code for f in run(src, dedent=False).findings] == []


# ---- an Agent without an LLM gets crewAI's default one (llm_utils.py:
# _llm_via_environment_or_fallback: $MODEL, $MODEL_NAME, $OPENAI_MODEL_NAME,
# else gpt-4o-mini / gpt-4.1-mini, on OpenAI with OPENAI_API_KEY)


def test_an_agent_without_an_llm_is_reported_once_per_agent() -> None:
    src = """\
    from crewai import Agent, Crew

    researcher = Agent(role="r", goal="g", backstory="b")
    writer = Agent(role="w", goal="g", backstory="b", llm=None)
    crew = Crew(agents=[researcher, writer], tasks=[])
    """
    r = run(src)
    assert [(f.code, f.line) for f in r.findings] == [("OR446", 3), ("OR446", 4)]
    message = r.findings[0].message
    assert "OPENAI_MODEL_NAME" in message and "gpt-4o-mini" in message
    assert "openrouter/openai/<model>" in message and "OPENROUTER_API_KEY" in message
    assert r.new_source is None


@pytest.mark.parametrize(
    "src",
    [
        # an LLM given, or a config / kwargs that may hold one
        "from crewai import Agent\na = Agent(role='r', goal='g', backstory='b', llm=my_llm)\n",
        "from crewai import Agent\na = Agent(config=agents_config['researcher'])\n",
        "from crewai import Agent\na = Agent(**spec)\n",
        # the module points crewAI's default at OpenRouter (or where the tool cannot see)
        "import os\nfrom crewai import Agent\n"
        "os.environ['MODEL'] = 'openrouter/openai/gpt-4o'\na = Agent(role='r', goal='g', backstory='b')\n",
        "import os\nfrom crewai import Agent\n"
        "os.environ['OPENAI_API_BASE'] = 'https://openrouter.ai/api/v1'\n"
        "a = Agent(role='r', goal='g', backstory='b')\n",
        "import os\nfrom crewai import Agent\n"
        "os.environ.setdefault('OPENAI_MODEL_NAME', settings.model)\n"
        "a = Agent(role='r', goal='g', backstory='b')\n",
        # not crewAI's Agent
        "from agents import Agent\na = Agent(name='a', tools=[])\n",
    ],
)
def test_an_agent_with_an_llm_or_an_openrouter_default_is_not_reported(src: str) -> None:
    assert "OR446" not in [c for c, _ in findings(src)]


def test_a_default_set_to_an_openai_model_is_still_reported() -> None:
    src = (
        "import os\nfrom crewai import Agent\n"
        "os.environ['OPENAI_MODEL_NAME'] = 'gpt-4o'\n"
        "a = Agent(role='r', goal='g', backstory='b')\n"
    )
    assert ("OR446", 4) in findings(src)
