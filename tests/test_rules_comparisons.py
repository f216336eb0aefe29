"""OR208: comparisons with bare OpenAI IDs are reported (never rewritten),
and only where the compared value is a model name."""

from __future__ import annotations

import textwrap

import pytest

from codemods.core.engine import EngineConfig
from codemods.core.findings import Finding
from codemods.python.engine import process_source

HEADER = (
    "from openai import OpenAI\n\nclient = OpenAI(base_url='https://openrouter.ai/api/v1', api_key='k')\n"
    "reply = client.chat.completions.create(model='openai/gpt-4o', messages=[])\n"
)


def or208(body: str) -> list[Finding]:
    src = HEADER + textwrap.dedent(body)
    result = process_source("t.py", src.encode(), EngineConfig())
    assert not result.errors
    found = [f for f in result.findings if f.code == "OR208"]
    assert all(not f.fixable for f in found)
    if result.new_source is not None:
        # never rewritten: the comparison text survives migration
        new = result.new_source.decode()
        for f in found:
            line = src.splitlines()[f.line - 1]
            assert line in new.splitlines()
    return found


@pytest.mark.parametrize(
    "code",
    [
        'if model == "gpt-4o": pass',
        'if "gpt-4o" != model: pass',
        'if MODEL == "gpt-4o-mini": pass',
        'if chat_model == "o1": pass',
        'if self.model == "gpt-4o": pass',
        'if model in ("gpt-4o", "gpt-4o-mini"): pass',
        'if model not in ["o1"]: pass',
        'if model.startswith("gpt-4"): pass',
        'if model.startswith(("o1", "o3")): pass',
        'if response.model == "gpt-4o": pass',
        'if kwargs["model"] == "gpt-4o": pass',
        'if model_name == "gpt-4o": pass',
    ],
)
def test_reported(code: str) -> None:
    found = or208(code + "\n")
    assert len(found) == 1, code
    assert "openai/" in found[0].message


@pytest.mark.parametrize(
    "code",
    [
        'if "gpt" in model: pass',  # substring: still true for openai/gpt-4o
        'if "gpt-4o" in model: pass',
        'if model.endswith("-mini"): pass',  # suffix unchanged by the prefix
        'if settings.model == "gpt-4o": pass',  # not migrated by the tool
        'if role == "gpt-4o": pass',  # not a model name
        'if model == "openai/gpt-4o": pass',  # already an OpenRouter ID
        'if model == "my-local-model": pass',  # not an ID the table maps
        'if model.startswith("x"): pass',
        'if model_config == "gpt-4o": pass',
        "if model == other: pass",
    ],
)
def test_not_reported(code: str) -> None:
    assert or208(code + "\n") == []


def test_response_of_an_sdk_call_by_assignment() -> None:
    found = or208(
        """
        out = client.chat.completions.create(model="openai/gpt-4o", messages=[])
        if out.model == "gpt-4o":
            pass
        """
    )
    assert len(found) == 1
    assert "`out.model`" in found[0].message


def test_price_table_indexed_with_a_model() -> None:
    found = or208(
        """
        PRICES = {"gpt-4o": 2.5, "gpt-4o-mini": 0.15}
        SUPPORTED = frozenset({"gpt-4o", "o1"})

        def cost(model, tokens):
            if model not in SUPPORTED:
                return 0
            return PRICES[model] * tokens + PRICES.get(model, 0)
        """
    )
    assert len(found) == 3
    assert any("`PRICES` is keyed by bare IDs" in f.message for f in found)


def test_dict_not_keyed_by_ids_is_quiet() -> None:
    assert (
        or208(
            """
            LIMITS = {"small": 1, "large": 2}

            def limit(model):
                return LIMITS[model]
            """
        )
        == []
    )


def test_match_statement() -> None:
    found = or208(
        """
        def budget(model):
            match model:
                case "gpt-4o" | "gpt-4o-mini":
                    return 10
                case "o1":
                    return 100
                case "openai/gpt-4.1":
                    return 5
                case _:
                    return 1
        """
    )
    assert len(found) == 2
    assert [f.line for f in found] == [8, 10]


def test_chained_comparison() -> None:
    found = or208('ok = "gpt-4o" == model != "x"\n')
    assert len(found) == 1


def test_comparison_can_be_suppressed() -> None:
    assert or208('if model == "gpt-4o":  # noqa: OR208\n    pass\n') == []


def test_files_that_do_not_talk_to_the_sdk_are_quiet() -> None:
    # a tokenizer / price module: OpenAI names on purpose, no SDK request here
    src = textwrap.dedent(
        """
        from openai.types.chat import ChatCompletion
        PRICES = {"gpt-4o": 2.5}

        def cost_of(completion: ChatCompletion, model="gpt-4o"):
            if model == "gpt-4o" or model.startswith("gpt-4o"):
                return PRICES[model]
        """
    )
    result = process_source("t.py", src.encode(), EngineConfig())
    assert [f for f in result.findings if f.code == "OR208"] == []


MOCKING_TEST = """\
from unittest import mock
from app import service

def test_model():
    with mock.patch.object(service.client.chat.completions, "create") as create:
        service.ask("hi")
    assert create.call_args.kwargs["model"] == "gpt-4o-mini"
"""


def _check_tree(tmp_path, monkeypatch, files: dict[str, str]) -> list[tuple[str, int, str]]:
    import json

    from codemods.cli import main
    from tests.helpers import cli_runner

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path)
    r = cli_runner().invoke(
        main, ["check", "--no-cache", "--jobs", "1", "--output-format", "json", "."]
    )
    assert r.exit_code in (0, 1), r.output + r.stderr
    return [
        (f["path"].replace("\\", "/").removeprefix("./"), f["line"], f["code"])
        for f in json.loads(r.stdout)["findings"]
    ]


def test_a_mock_of_the_sdk_counts_as_talking_to_it(tmp_path, monkeypatch) -> None:
    # the test file moves nothing itself: the app's client does (project pass)
    service = (
        "from openai import OpenAI\nclient = OpenAI()\n"
        "def ask(q):\n"
        '    return client.chat.completions.create(model="gpt-4o-mini", messages=[])\n'
    )
    found = _check_tree(
        tmp_path,
        monkeypatch,
        {"app/__init__.py": "", "app/service.py": service, "tests/test_s.py": MOCKING_TEST},
    )
    assert ("tests/test_s.py", 7, "OR208") in found, found


def test_no_bare_comparison_in_a_run_where_nothing_moves(tmp_path, monkeypatch) -> None:
    # audit FP5: the app's only client is Azure's (deployment names): the
    # model names keep their bare IDs, the comparisons keep working
    service = (
        "from openai import AzureOpenAI\nclient = AzureOpenAI()\n"
        "def ask(q, model='gpt-4o-mini'):\n"
        "    resp = client.chat.completions.create(model=model, messages=[])\n"
        '    if resp.model == "gpt-4o-mini":\n'
        "        return resp\n"
    )
    found = _check_tree(
        tmp_path,
        monkeypatch,
        {"app/__init__.py": "", "app/service.py": service, "tests/test_s.py": MOCKING_TEST},
    )
    assert [f for f in found if f[2] == "OR208"] == [], found


def test_no_bare_comparison_where_the_only_client_is_left_alone() -> None:
    src = textwrap.dedent(
        """\
        from openai import OpenAI
        client = OpenAI(base_url="http://localhost:8000/v1")
        def ask(model="gpt-4o"):
            resp = client.chat.completions.create(model=model, messages=[])
            if resp.model == "gpt-4o":
                return resp
        """
    )
    result = process_source("t.py", src.encode(), EngineConfig())
    assert [f.code for f in result.findings] == ["OR104"]


def test_documented_example_is_reported() -> None:
    from codemods.core.rules import all_rules

    before = textwrap.dedent(all_rules()["OR208"].before)
    result = process_source("doc.py", before.encode(), EngineConfig())
    assert "OR208" in [f.code for f in result.findings]
