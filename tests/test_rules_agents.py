"""The OpenAI Agents SDK (issue 14 item 3): agents follow the client the
program gives the SDK (``set_default_openai_client``), and move with it or
not at all (OR431-OR433).

Facts from openai-agents' source (0.0.3 to 0.24.0 wheels): ``MultiProvider``
splits ``openai/gpt-4o`` into its ``openai`` provider and ``gpt-4o``
(``openai_prefix_mode="model_id"``, 0.11.0+, keeps it); a model object
(``OpenAIChatCompletionsModel(model=..., openai_client=...)``) sends
``model=self.model``; string models use the Responses API unless
``set_default_openai_api("chat_completions")``; ``set_default_openai_client``
with ``use_for_tracing=True`` (the default) gives the tracer the client's key.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import codes, migrated, run

HEAD = """\
from agents import Agent, set_default_openai_api, set_default_openai_client, set_tracing_disabled
from openai import AsyncOpenAI

client = AsyncOpenAI()
set_default_openai_client(client)
set_default_openai_api("chat_completions")
set_tracing_disabled(True)
"""


def test_a_string_model_becomes_a_model_object_that_keeps_the_prefix() -> None:
    src = HEAD + 'agent = Agent(name="a", model="gpt-4o")\n'
    r = run(src, dedent=False)
    assert [(f.code, f.applicability) for f in r.findings] == [
        ("OR101", "unsafe"),
        ("OR431", "unsafe"),
    ]
    # without --unsafe-fixes the client and its agents stay together
    assert migrated(src) == src
    out = migrated(src, unsafe_fixes=True)
    assert (
        'agent = Agent(name="a", model=OpenAIChatCompletionsModel(model="openai/gpt-4o", '
        "openai_client=client))" in out
    )
    assert "set_tracing_disabled, OpenAIChatCompletionsModel\n" in out
    assert 'AsyncOpenAI(base_url="https://openrouter.ai/api/v1"' in out


def test_an_already_prefixed_string_model_is_fixed_the_same_way() -> None:
    src = HEAD + 'agent = Agent(name="a", model="openai/gpt-4o-mini")\n'
    out = migrated(src, unsafe_fixes=True)
    assert 'OpenAIChatCompletionsModel(model="openai/gpt-4o-mini", openai_client=client)' in out


def test_agents_in_functions_and_module_imports() -> None:
    src = """\
    import agents
    from openai import AsyncOpenAI

    client = AsyncOpenAI()
    agents.set_default_openai_client(client, use_for_tracing=False)

    def build():
        return agents.Agent(name="a", model="gpt-4o")
    """
    out = migrated(src, unsafe_fixes=True)
    assert 'agents.set_default_openai_api("chat_completions")' in out
    assert "set_tracing_disabled" not in out  # use_for_tracing=False
    assert (
        'agents.Agent(name="a", model=agents.OpenAIChatCompletionsModel(model="openai/gpt-4o", '
        "openai_client=client))" in out
    )


def test_responses_api_and_tracing_fixes_are_inserted_after_the_call() -> None:
    src = """\
    from agents import set_default_openai_client
    from openai import AsyncOpenAI

    async def main():
        client = AsyncOpenAI()
        set_default_openai_client(client)
        print("configured")
    """
    assert codes(src) == ["OR101", "OR431", "OR432", "OR433"]
    out = migrated(src, unsafe_fixes=True)
    assert out.endswith(
        "    set_default_openai_client(client)\n"
        "    set_tracing_disabled(True)\n"
        '    set_default_openai_api("chat_completions")\n'
        '    print("configured")\n'
    )
    assert (
        "from agents import set_default_openai_client, set_default_openai_api, "
        "set_tracing_disabled\n" in out
    )


@pytest.mark.parametrize(
    ("agent", "why"),
    [
        ('Agent(name="a")', "without a model"),
        ('Agent(name="a", model=MODEL)', "only a literal model"),
        ('Agent(name="a", model="my-finetune")', "no OpenRouter ID"),
    ],
)
def test_agents_the_tool_cannot_fix_are_reported(agent: str, why: str) -> None:
    src = HEAD + f'MODEL = "gpt-4o"\nagent = {agent}\n'
    found = [f for f in run(src, dedent=False, unsafe_fixes=True).findings if f.code == "OR431"]
    assert len(found) == 1 and found[0].applicability is None
    assert why in found[0].message


@pytest.mark.parametrize(
    ("clone", "fixed"),
    [
        ('agent = Agent(name="a", model="gpt-4o")\nfast = agent.clone(model="gpt-4o-mini")\n',
         "fast = agent.clone(model=OpenAIChatCompletionsModel("),
        ('fast = Agent(name="a", instructions="x").clone(model="gpt-4o-mini")\n',
         'fast = Agent(name="a", instructions="x").clone(model=OpenAIChatCompletionsModel('),
        ('agent = Agent(name="a", model="gpt-4o")\nfirst = agent.clone(name="b")\n'
         'def make():\n    return first.clone(model="gpt-4o-mini")\n',
         "return first.clone(model=OpenAIChatCompletionsModel("),
    ],
)  # fmt: skip
def test_a_cloned_agent_with_another_model_is_fixed_like_an_agent(clone: str, fixed: str) -> None:
    # review: ``agent.clone(model="gpt-4o-mini")`` sent the bare ID to
    # OpenRouter (the SDK strips a prefix), unreported, once the client moved
    src = HEAD + clone
    found = [f for f in run(src, dedent=False).findings if f.code == "OR431"]
    mini = [f for f in found if "gpt-4o-mini" in f.message]
    assert len(mini) == 1 and mini[0].applicability == "unsafe", found
    assert '.clone(model="gpt-4o-mini")` goes through the client' in mini[0].message
    assert migrated(src) == src  # the client moves only with its agents
    out = migrated(src, unsafe_fixes=True)
    assert fixed + 'model="openai/gpt-4o-mini", openai_client=client))' in out


def test_a_clone_of_what_the_tool_cannot_prove_an_agent_is_reported_and_holds_the_client() -> None:
    src = HEAD + 'def make(a):\n    return a.clone(model="gpt-4o")\n'
    found = run(src, dedent=False).findings
    assert [(f.code, f.line, f.applicability) for f in found] == [
        ("OR101", 4, "unsafe"),
        ("OR431", 5, None),  # this module builds no Agent
        ("OR431", 9, None),
    ]
    assert "the tool cannot tell what it clones" in found[2].message
    assert migrated(src) == src
    # a clone without a new model keeps the agent's: nothing to say
    src = HEAD + 'def make(a):\n    return a.clone(name="b")\n'
    assert not [f for f in run(src, dedent=False).findings if "clone" in f.message]


LITELLM = "from agents.extensions.models.litellm_model import LitellmModel\n"


@pytest.mark.parametrize(
    "agents",
    [
        'a = Agent(name="a", model="litellm/anthropic/claude-3-5-sonnet")\n',
        'a = Agent(name="a", model="any-llm/openrouter/openai/gpt-4.1")\n',
        'MODEL = "litellm/openai/gpt-4o"\na = Agent(name="a", model=MODEL)\n',
        LITELLM + 'm = LitellmModel(model="anthropic/claude-3-5-sonnet")\n'
        'a = Agent(name="a", model=m)\n',
        'def build():\n    m = "litellm/gemini/gemini-2.0-flash"\n'
        '    return Agent(name="a", model=m)\n',
        'a = Agent(name="a", model="litellm/x")\nb = a.clone(model="litellm/anthropic/claude-3-haiku")\n',
    ],
)
def test_agents_on_litellm_or_any_llm_get_no_openrouter_advice(agents: str) -> None:
    # the SDK's MultiProvider hands ``litellm/`` and ``any-llm/`` models to
    # LiteLLM / any-llm, never to the default OpenAI client: the client moves
    # alone, safely, and the agents are left as they are
    src = HEAD + agents
    r = run(src, dedent=False)
    assert [(f.code, f.applicability) for f in r.findings] == [("OR101", "safe")], r.findings
    out = migrated(src)
    assert out.split("set_tracing_disabled(True)\n", 1)[1] == agents
    assert 'AsyncOpenAI(base_url="https://openrouter.ai/api/v1"' in out


def test_a_litellm_agent_next_to_an_openai_one_leaves_only_the_openai_one_reported() -> None:
    src = HEAD + (
        'a = Agent(name="a", model="litellm/anthropic/claude-3-5-sonnet")\n'
        'b = Agent(name="b", model="gpt-4o")\n'
        'c = b.clone(model="gpt-4o-mini")\n'
    )
    found = [(f.code, f.line) for f in run(src, dedent=False).findings if f.code == "OR431"]
    assert found == [("OR431", 9), ("OR431", 10)], found


def test_a_client_bound_after_the_agent_is_not_written_into_it() -> None:
    src = """\
    from agents import Agent, set_default_openai_api, set_default_openai_client, set_tracing_disabled
    from openai import AsyncOpenAI

    agent = Agent(name="a", model="gpt-4o")
    client = AsyncOpenAI()
    set_default_openai_client(client)
    set_default_openai_api("chat_completions")
    set_tracing_disabled(True)
    """
    (f,) = [f for f in run(src, unsafe_fixes=True).findings if f.code == "OR431"]
    assert f.applicability is None  # `client` would not exist yet


def test_no_client_of_this_app_means_only_the_default_client_finding() -> None:
    # no client to move and nothing rewritten: OR434 says the SDK's own
    # client calls OpenAI (the once silent miss of the audit)
    src = """\
    from agents import Agent
    agent = Agent(name="a", model="gpt-4o")
    """
    assert codes(src) == ["OR434"]
    assert migrated(src, unsafe_fixes=True) == textwrap.dedent(src)


def test_a_default_client_left_where_it_points_keeps_its_agents() -> None:
    src = """\
    from agents import Agent, set_default_openai_client
    from openai import AsyncOpenAI
    local = AsyncOpenAI(base_url="http://localhost:11434/v1", api_key="ollama")
    set_default_openai_client(local)
    agent = Agent(name="a", model="llama3.1")
    """
    assert codes(src) == ["OR104"]
    assert migrated(src, unsafe_fixes=True) == textwrap.dedent(src)


def test_a_module_without_agents_says_agents_elsewhere_are_not_followed() -> None:
    src = """\
    from agents import set_default_openai_api, set_default_openai_client
    from openai import AsyncOpenAI
    shared = AsyncOpenAI()
    set_default_openai_client(shared, use_for_tracing=False)
    set_default_openai_api("chat_completions")
    """
    found = run(src).findings
    assert [(f.code, f.applicability) for f in found] == [("OR101", "unsafe"), ("OR431", None)]
    assert "agents built elsewhere" in found[1].message


def test_model_objects_map_their_model_with_their_client() -> None:
    src = """\
    from agents import Agent, OpenAIChatCompletionsModel
    from openai import AsyncOpenAI
    client = AsyncOpenAI()
    agent = Agent(name="a", model=OpenAIChatCompletionsModel(model="gpt-4o", openai_client=client))
    """
    r = run(src)
    assert [(f.code, f.applicability) for f in r.findings] == [
        ("OR101", "safe"),
        ("OR201", "safe"),
    ]
    assert 'OpenAIChatCompletionsModel(model="openai/gpt-4o", openai_client=client)' in migrated(
        src
    )


def test_a_responses_model_on_a_migrated_client_is_reported() -> None:
    src = """\
    from agents import Agent, OpenAIResponsesModel
    from openai import AsyncOpenAI
    agent = Agent(name="a", model=OpenAIResponsesModel(model="gpt-4o", openai_client=AsyncOpenAI()))
    """
    found = run(src).findings
    assert sorted((f.code, f.applicability) for f in found) == [
        ("OR101", "unsafe"),
        ("OR201", "unsafe"),
        ("OR432", None),
    ]
    assert migrated(src) == textwrap.dedent(src)


def test_a_suppressed_agent_finding_keeps_the_client_and_a_suppressed_client_its_agents() -> None:
    src = (
        HEAD.replace("client = AsyncOpenAI()", "client = AsyncOpenAI()  # noqa: OR101")
        + 'agent = Agent(name="a", model="gpt-4o")\n'
    )
    # the client stays on OpenAI: its agent keeps its bare model, no finding
    assert migrated(src, unsafe_fixes=True) == src
    assert "OR431" not in codes(src, dedent=False)


def test_check_after_an_unsafe_migration_is_stable() -> None:
    src = """\
    from agents import Agent, set_default_openai_client
    from openai import AsyncOpenAI
    client = AsyncOpenAI()
    set_default_openai_client(client)
    agent = Agent(name="a", model="gpt-4o")
    plain = Agent(name="p")
    """
    out = migrated(src, unsafe_fixes=True)
    after = run(out, dedent=False, unsafe_fixes=True).findings
    # only what needs a human is left, on the client now on OpenRouter
    assert [(f.code, f.line, f.applicability) for f in after] == [("OR431", 9, None)]


def test_another_module_sending_through_the_held_client_gets_an_unsafe_fix(tmp_path) -> None:
    from codemods.cli import main
    from tests.helpers import cli_runner

    (tmp_path / "pyproject.toml").write_text("")
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "setup.py").write_text(
        "from agents import Agent, set_default_openai_client\n"
        "from openai import AsyncOpenAI\n"
        "client = AsyncOpenAI()\n"
        "set_default_openai_client(client)\n"
        'agent = Agent(name="a", model="gpt-4o")\n'
    )
    (pkg / "use.py").write_text(
        "from pkg.setup import client\n"
        "async def ask():\n"
        '    return await client.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    result = cli_runner().invoke(main, ["check", "--no-cache", str(tmp_path)])
    (line,) = [x for x in result.stdout.splitlines() if "use.py" in x]
    # the client moves only with --unsafe-fixes: so does what is sent through it
    assert "OR201" in line and "[*]" not in line and "unsafe fix" in line


# ---- the default client set in one module, agents built in another (issue 14)


def _agents_tree(tmp_path, files: dict[str, str]):
    (tmp_path / "pyproject.toml").write_text("")
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path


def _agent_findings(root, *extra: str) -> list[tuple[str, int, str, str | None]]:
    import json

    from codemods.cli import main
    from tests.helpers import cli_runner

    args = ["check", "--no-cache", "--jobs", "1", "--output-format", "json", *extra, str(root)]
    r = cli_runner().invoke(main, args)
    assert r.exit_code in (0, 1), r.output + r.stderr
    return [
        (
            f["path"].replace("\\\\", "/").rsplit("/", 1)[-1],
            f["line"],
            f["code"],
            f["applicability"],
        )
        for f in json.loads(r.stdout)["findings"]
    ]


SETUP = """\
from agents import set_default_openai_api, set_default_openai_client, set_tracing_disabled
from openai import AsyncOpenAI

client = AsyncOpenAI()
set_default_openai_client(client)
"""

BOTS = """\
from agents import Agent

from app.setup import client

helper = Agent(name="helper", model="gpt-4o")
"""

BOTS_NO_CLIENT = """\
from agents import Agent

researcher = Agent(name="researcher", model="gpt-4o-mini")
"""

# the entry point: makes the SDK's settings, imports the rest
MAIN = """\
from agents import set_default_openai_api, set_tracing_disabled

import app.setup
from app.bots import helper
from app.others import researcher

set_default_openai_api("chat_completions")
set_tracing_disabled(True)
"""


def test_agents_of_a_default_client_set_in_another_module_are_mapped(tmp_path) -> None:
    root = _agents_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/setup.py": SETUP,
            "app/bots.py": BOTS,
            "app/others.py": BOTS_NO_CLIENT,
            "app/main.py": MAIN,
            # imported by nothing: may or may not run in that process
            "app/lonely.py": BOTS_NO_CLIENT,
        },
    )
    found = _agent_findings(root)
    assert found == [
        ("bots.py", 5, "OR431", "unsafe"),
        ("lonely.py", 3, "OR431", None),
        ("others.py", 3, "OR431", None),
        ("setup.py", 4, "OR101", "unsafe"),
        ("setup.py", 5, "OR431", None),
    ], found
    from codemods.cli import main
    from tests.helpers import cli_runner

    r = cli_runner().invoke(main, ["check", "--no-cache", "--jobs", "1", str(root)])
    others = next(x for x in r.stdout.splitlines() if "/others.py:" in x)
    assert "setup.py:5" in others and "importing the client set there" in others
    setup = next(x for x in r.stdout.splitlines() if "/setup.py:5:" in x and "OR431" in x)
    assert "bots.py" in setup and "others.py" in setup
    lonely = next(x for x in r.stdout.splitlines() if "/lonely.py:" in x)
    assert "cannot see that they share a process" in lonely
    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--unsafe-fixes", str(root)])
    assert r.exit_code in (0, 1), r.output
    bots = (root / "app/bots.py").read_text()
    assert (
        'Agent(name="helper", model=OpenAIChatCompletionsModel(model="openai/gpt-4o", '
        "openai_client=client))" in bots
    )
    assert "from agents import Agent, OpenAIChatCompletionsModel" in bots
    assert "openrouter.ai" in (root / "app/setup.py").read_text()
    # the settings made in settings.py: no OR432/OR433 on setup.py
    assert "set_default_openai_api" not in (root / "app/setup.py").read_text().split("client)")[-1]


def test_litellm_agents_of_other_modules_are_neither_followed_nor_listed(tmp_path) -> None:
    litellm = (
        "from agents import Agent\n"
        "from agents.extensions.models.litellm_model import LitellmModel\n\n"
        'helper = Agent(name="helper", model="litellm/anthropic/claude-3-5-sonnet")\n'
        'other = Agent(name="other", model=LitellmModel(model="gemini/gemini-2.0-flash"))\n'
    )
    root = _agents_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/setup.py": SETUP,
            "app/bots.py": "from app.setup import client\n" + litellm,
            "app/main.py": "import app.setup\nimport app.bots\n",
            "app/lonely.py": litellm,  # imported by nothing
        },
    )
    found = [x for x in _agent_findings(root) if x[2] == "OR431"]
    # only the module without agents of its own: it builds none
    assert found == [("setup.py", 5, "OR431", None)], found
    from codemods.cli import main
    from tests.helpers import cli_runner

    r = cli_runner().invoke(main, ["check", "--no-cache", "--jobs", "1", str(root)])
    setup = next(x for x in r.stdout.splitlines() if "/setup.py:5:" in x and "OR431" in x)
    assert "bots.py" not in setup and "lonely.py" not in setup, setup


def test_a_script_outside_the_package_of_the_default_client_is_not_followed(tmp_path) -> None:
    # ``scripts/`` is no package and imports nothing of ``app``: its agents
    # are not those of app's default client (no OR431 "if it runs in the
    # same process"); they run through the SDK's own client (OR434)
    root = _agents_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/setup.py": SETUP,
            "app/bots.py": BOTS,
            "app/main.py": MAIN,
            "scripts/oneoff.py": BOTS_NO_CLIENT,
        },
    )
    found = [x for x in _agent_findings(root) if x[0] == "oneoff.py"]
    assert found == [("oneoff.py", 3, "OR434", None)], found


def test_the_sdk_settings_of_a_lone_module_are_still_asked_for(tmp_path) -> None:
    main = "\n".join(MAIN.splitlines()[2:5]) + "\n"  # no settings
    root = _agents_tree(
        tmp_path,
        {"app/__init__.py": "", "app/setup.py": SETUP, "app/bots.py": BOTS, "app/main.py": main},
    )
    codes_ = [(n, c) for n, _, c, _ in _agent_findings(root) if n == "setup.py"]
    assert ("setup.py", "OR432") in codes_ and ("setup.py", "OR433") in codes_


def test_modules_with_their_own_default_or_model_objects_are_not_reported(tmp_path) -> None:
    own = (
        "from agents import Agent, set_default_openai_client\n"
        "from openai import AsyncOpenAI\n"
        'ollama = AsyncOpenAI(base_url="http://localhost:11434/v1", api_key="ollama")\n'
        "set_default_openai_client(ollama)\n"
        'local = Agent(name="local", model="llama3.1")\n'
    )
    objects = (
        "from agents import Agent, OpenAIChatCompletionsModel\n"
        "from app.setup import client\n"
        'a = Agent(name="a", model=OpenAIChatCompletionsModel(model="gpt-4o", openai_client=client))\n'
    )
    lone_objects = (
        "from agents import Agent, OpenAIChatCompletionsModel\n"
        "from openai import AsyncOpenAI\n"
        'a = Agent(name="a", model=OpenAIChatCompletionsModel(model="x/y", openai_client=AsyncOpenAI()))\n'
    )
    root = _agents_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/setup.py": SETUP,
            "app/main.py": "import app.own\nimport app.objects\nimport app.setup\n",
            "app/own.py": own,
            "app/objects.py": objects,
            "app/lone_objects.py": lone_objects,
        },
    )
    found = [f for f in _agent_findings(root) if f[2] == "OR431"]
    assert [f[0] for f in found] == ["setup.py"], found


# ---- OR434: agents run through the SDK's own default client (issue 14)


@pytest.mark.parametrize(
    ("src", "line", "shown"),
    [
        # the SDK's quickstart shape: no client anywhere
        (
            'from agents import Agent, Runner\n\nagent = Agent(name="a", instructions="x")\n'
            'print(Runner.run_sync(agent, "hi").final_output)\n',
            3,
            "`Agent(...)`",
        ),
        # an agent of another module, run here
        (
            "import asyncio\nfrom agents import Runner\n\n\nasync def main(agent):\n"
            '    r = await Runner.run(agent, "hi")\n    s = Runner.run_streamed(agent, "x")\n',
            6,
            "`Runner.run(...)`",
        ),
        # module import, a model in a variable, an openai/ prefixed model
        (
            'import agents\nMODEL = "gpt-4o"\nm = pick()\na = agents.Agent(name="a", model=m)\n'
            'b = agents.Agent(name="b", model="openai/gpt-4o")\n',
            4,
            "`Agent(...)`",
        ),
        (
            'from agents.run import Runner\nRunner.run_sync(build(), "hi")\n',
            2,
            "`Runner.run_sync(...)`",
        ),
    ],
)
def test_agents_without_any_client_are_reported_once_per_module(
    src: str, line: int, shown: str
) -> None:
    r = run(src, dedent=False)
    found = [f for f in r.findings if f.code == "OR434"]
    assert [(f.line, f.applicability) for f in found] == [(line, None)], r.findings
    assert shown in found[0].message
    for needed in (
        'set_default_openai_client(AsyncOpenAI(base_url="https://openrouter.ai/api/v1"',
        'os.environ["OPENROUTER_API_KEY"]',
        'set_default_openai_api("chat_completions")',
        "set_tracing_disabled(True)",
        "OpenAIChatCompletionsModel(",
        "OPENAI_API_KEY",
    ):
        assert needed in found[0].message
    assert r.new_source is None


@pytest.mark.parametrize(
    "src",
    [
        # a default client (moved by this run, on OpenRouter, or elsewhere)
        HEAD + 'agent = Agent(name="a", model="gpt-4o")\n',
        "from agents import Agent, Runner, set_default_openai_client\n"
        "from openai import AsyncOpenAI\n"
        'set_default_openai_client(AsyncOpenAI(base_url="http://localhost:11434/v1"))\n'
        'Runner.run_sync(Agent(name="a", model="llama3.1"), "hi")\n',
        # model objects with their client
        "from agents import Agent, OpenAIChatCompletionsModel, Runner\n"
        "from openai import AsyncOpenAI\n"
        "c = AsyncOpenAI()\n"
        'm = OpenAIChatCompletionsModel(model="gpt-4o", openai_client=c)\n'
        'Runner.run_sync(Agent(name="a", model=m), "hi")\n',
        # a provider with a client or base URL given to the run
        "from agents import Agent, OpenAIProvider, RunConfig, Runner\n"
        "import os\n"
        'p = OpenAIProvider(base_url="https://openrouter.ai/api/v1", api_key=os.environ["K"])\n'
        'Runner.run_sync(Agent(name="a"), "hi", run_config=RunConfig(model_provider=p))\n',
        "from agents import Agent, MultiProvider, RunConfig, Runner\n"
        "from openai import AsyncOpenAI\n"
        "p = MultiProvider(openai_client=AsyncOpenAI())\n"
        'Runner.run_sync(Agent(name="a"), "hi", run_config=RunConfig(model_provider=p))\n',
        # agents on the SDK's other providers, only run here
        "from agents import Agent, Runner\n"
        "from agents.extensions.models.litellm_model import LitellmModel\n"
        'a = Agent(name="a", model="litellm/anthropic/claude-3-5-sonnet")\n'
        'b = Agent(name="b", model=LitellmModel(model="x"))\n'
        'Runner.run_sync(a, "hi")\n',
        # ... through names
        "from agents import Agent, Runner\n"
        "from agents.extensions.models.litellm_model import LitellmModel\n"
        'm = LitellmModel(model="anthropic/claude-3-5-sonnet")\n'
        'a = Agent(name="a", model=m)\n'
        'Runner.run_sync(a, "hi")\n',
        # not the Agents SDK
        'from crew import Agent, Runner\nRunner.run(Agent(name="a", model="gpt-4o"))\n',
    ],
)
def test_agents_with_a_client_or_their_own_models_get_no_default_client_finding(
    src: str,
) -> None:
    assert "OR434" not in [f.code for f in run(src, dedent=False).findings]


@pytest.mark.parametrize(
    "other",
    [
        'helper = Agent(name="helper", model="litellm/anthropic/claude-3-5-sonnet")\n',
        'helper = Agent(name="helper", model="any-llm/mistral/mistral-large")\n',
        'helper = Agent(name="helper", model=LitellmModel(model="anthropic/claude-3-5-sonnet"))\n',
        # a model object with its own client serves the agent given it, not the others
        "helper = Agent(\n"
        '    name="helper", model=OpenAIChatCompletionsModel(model="m", openai_client=AsyncOpenAI())\n'
        ")\n",
    ],
)
def test_an_agent_with_its_own_model_does_not_silence_a_string_model_agent(other: str) -> None:
    # each agent is judged on its own: ``main`` goes through the SDK's
    # default client (api.openai.com) whatever ``helper`` runs on
    src = (
        "from agents import Agent, OpenAIChatCompletionsModel, Runner\n"
        "from agents.extensions.models.litellm_model import LitellmModel\n"
        "from openai import AsyncOpenAI\n"
        + other
        + 'main = Agent(name="main", model="gpt-4o")\n'
        + 'Runner.run_sync(main, "hi")\n'
    )
    found = [f for f in run(src, dedent=False).findings if f.code == "OR434"]
    line = src.splitlines().index('main = Agent(name="main", model="gpt-4o")') + 1
    assert [(f.line, f.applicability) for f in found] == [(line, None)], found


def test_a_model_object_with_a_client_still_serves_an_agent_whose_model_is_not_read() -> None:
    # ``model=pick()`` may be the model object: reported would be a guess
    src = """\
    from agents import Agent, OpenAIChatCompletionsModel
    from openai import AsyncOpenAI

    m = OpenAIChatCompletionsModel(model="gpt-4o", openai_client=AsyncOpenAI())
    a = Agent(name="a", model=pick(m))
    """
    assert "OR434" not in codes(src)
    # a string model beside it is not the model object's
    src = textwrap.dedent(src) + 'b = Agent(name="b", model="gpt-4o")\n'
    assert [f.line for f in run(src, dedent=False).findings if f.code == "OR434"] == [6]


def test_a_module_of_litellm_agents_does_not_silence_the_string_agents_of_its_process(
    tmp_path,
) -> None:
    root = _agents_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/helpers.py": "from agents import Agent\n"
            'helper = Agent(name="helper", model="litellm/anthropic/claude-3-5-sonnet")\n',
            "app/main.py": "from agents import Agent, Runner\n"
            "from app.helpers import helper\n"
            'main = Agent(name="main", model="gpt-4o", handoffs=[helper])\n'
            'Runner.run_sync(main, "hi")\n',
        },
    )
    found = [f for f in _agent_findings(root) if f[2] == "OR434"]
    assert found == [("main.py", 3, "OR434", None)], found


def test_a_provider_without_a_client_is_reported() -> None:
    src = """\
    from agents import MultiProvider, OpenAIProvider, RunConfig, Runner

    bare = OpenAIProvider()
    keyed = OpenAIProvider(api_key="sk-x", project="p")
    multi = MultiProvider()
    Runner.run_sync(build(), "hi", run_config=RunConfig(model_provider=bare))
    """
    found = [(f.line, f.message) for f in run(src).findings if f.code == "OR434"]
    assert [line for line, _ in found] == [3, 4, 5], found
    assert "`OpenAIProvider()` without a client uses the Agents SDK's default client" in found[0][1]
    assert "`OpenAIProvider(api_key=..., project=...)`" in found[1][1]
    assert "0.21.0" in found[1][1]
    assert "`MultiProvider()`" in found[2][1]
    # with a default client set, only the provider that builds its own client is reported
    src = textwrap.dedent(src).replace(
        "bare = ",
        "from openai import AsyncOpenAI\nfrom agents import set_default_openai_client\n"
        'set_default_openai_client(AsyncOpenAI(base_url="http://localhost:8000/v1"))\nbare = ',
    )
    found = [f.line for f in run(src).findings if f.code == "OR434"]
    assert found == [7], found


def test_the_default_client_set_in_another_module_of_the_process_counts(tmp_path) -> None:
    configured = (
        "import os\n"
        "from agents import set_default_openai_client\n"
        "from openai import AsyncOpenAI\n"
        "set_default_openai_client(\n"
        '    AsyncOpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])\n'
        ")\n"
    )
    runs = (
        'from agents import Runner\n\n\ndef go(agent):\n    return Runner.run_sync(agent, "hi")\n'
    )
    provider = "from agents import OpenAIProvider\nPROVIDER = OpenAIProvider()\n"
    models = (
        "from agents import Agent, OpenAIChatCompletionsModel\n"
        "from openai import AsyncOpenAI\n"
        'a = Agent(name="a", model=OpenAIChatCompletionsModel(model="m", openai_client=AsyncOpenAI()))\n'
    )
    root = _agents_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/setup.py": configured,
            "app/runs.py": runs,
            "app/provider.py": provider,
            "app/main.py": "import app.setup\nimport app.runs\nimport app.provider\n",
            # its agents carry model objects: running them needs no default
            "svc/__init__.py": "",
            "svc/models.py": models,
            "svc/cli.py": "from svc.models import a\nfrom app.runs import go\ngo(a)\n",
            # imported by nothing: a module of the package may run in that
            # process (loaded by a framework, ``python -m``)
            "app/lonely.py": runs,
            # a script outside the package (``tools/`` has no __init__.py):
            # a program of its own, whose process nothing of the run shares
            "tools/script.py": runs,
        },
    )
    found = [f for f in _agent_findings(root) if f[2] == "OR434"]
    assert found == [("lonely.py", 5, "OR434", None), ("script.py", 5, "OR434", None)], found
    from codemods.cli import main
    from tests.helpers import cli_runner

    r = cli_runner().invoke(main, ["check", "--no-cache", "--jobs", "1", str(root)])
    lonely = next(x for x in r.stdout.splitlines() if "lonely.py:" in x)
    assert "(setup.py" in lonely and "if this module runs in the same process" in lonely
    assert "svc/" not in lonely  # another package
    script = next(x for x in r.stdout.splitlines() if "script.py:" in x)
    assert "setup.py" not in script and "same process" not in script, script


def test_independent_scripts_of_one_directory_are_not_named_as_sharing_a_process(
    tmp_path,
) -> None:
    # an examples folder: each file is a program (no __init__.py, nothing
    # imports another); one configures the SDK, the others do not
    runs = 'from agents import Agent, Runner\nRunner.run_sync(Agent(name="a"), "hi")\n'
    configured = (
        "from agents import Agent, Runner, set_default_openai_client\n"
        "from openai import AsyncOpenAI\n"
        'set_default_openai_client(AsyncOpenAI(base_url="http://localhost:11434/v1"))\n'
        'Runner.run_sync(Agent(name="a", model="llama3.1"), "hi")\n'
    )
    litellm = (
        "from agents import Agent, Runner\n"
        'Runner.run_sync(Agent(name="a", model="litellm/anthropic/claude-3-5-sonnet"), "hi")\n'
    )
    root = _agents_tree(
        tmp_path,
        {
            "examples/basic/hello.py": runs,
            "examples/basic/local_model.py": configured,
            "examples/basic/on_litellm.py": litellm,
            "examples/tools/search.py": runs,
        },
    )
    from codemods.cli import main
    from tests.helpers import cli_runner

    r = cli_runner().invoke(main, ["check", "--no-cache", "--jobs", "1", str(root)])
    found = [x for x in r.stdout.splitlines() if " OR434 " in x]
    assert [x.split(":", 1)[0].rsplit("/", 1)[-1] for x in found] == ["hello.py", "search.py"]
    for x in found:
        assert "local_model.py" not in x and "on_litellm.py" not in x, x
        assert "same process" not in x, x


def test_a_project_with_its_own_agents_package_gets_no_default_client_finding(tmp_path) -> None:
    # ``from agents import Agent`` names the project's package, not the SDK
    root = _agents_tree(
        tmp_path,
        {
            "agents/__init__.py": "class Agent:\n    def __init__(self, **kw):\n        pass\n",
            "crew.py": 'from agents import Agent\n\nwriter = Agent(name="w", model="gpt-4o")\n',
        },
    )
    assert [f for f in _agent_findings(root) if f[2] == "OR434"] == []
    (root / "agents/__init__.py").unlink()
    (root / "agents").rmdir()
    assert [f[:3] for f in _agent_findings(root)] == [("crew.py", 3, "OR434")]
