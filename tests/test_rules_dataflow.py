"""Model IDs followed from where they are written to ``model=`` (OR201 through
data flow), what is reported instead (OR205, OR206), and what must stay
untouched."""

from __future__ import annotations

import textwrap

import pytest

from codemods.core.engine import EngineConfig
from codemods.core.findings import Finding
from codemods.python.engine import process_source

HEADER = "import os\nfrom openai import OpenAI\n\nclient = OpenAI(base_url='https://openrouter.ai/api/v1', api_key='k')\n"


def run(body: str) -> tuple[list[Finding], str]:
    src = HEADER + textwrap.dedent(body)
    result = process_source("t.py", src.encode(), EngineConfig())
    assert not result.errors, result.errors
    new = result.new_source.decode() if result.new_source is not None else src
    return [f for f in result.findings if f.code.startswith("OR2")], new


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def only(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def assert_idempotent(new: str) -> None:
    again = process_source("t.py", new.encode(), EngineConfig())
    assert again.new_source is None
    assert not [f for f in again.findings if f.fixable]


# ---- module constants ------------------------------------------------------


def test_module_constant_used_only_at_model_is_mapped() -> None:
    findings, new = run(
        """
        MODEL = "gpt-4o"
        client.chat.completions.create(model=MODEL, messages=[])
        """
    )
    assert codes(findings) == ["OR201"]
    assert 'MODEL = "openai/gpt-4o"' in new
    assert_idempotent(new)


def test_constant_also_used_by_tiktoken_is_reported_not_rewritten() -> None:
    findings, new = run(
        """
        import tiktoken
        MODEL = "gpt-4o"
        enc = tiktoken.encoding_for_model(MODEL)
        client.chat.completions.create(model=MODEL, messages=[])
        """
    )
    assert codes(findings) == ["OR206"]
    assert 'MODEL = "gpt-4o"' in new
    assert "`MODEL`" in findings[0].message


def test_constant_through_a_parameter_default_still_protects_tiktoken() -> None:
    findings, new = run(
        """
        import tiktoken
        MODEL = "gpt-4o"
        enc = tiktoken.encoding_for_model(MODEL)

        def ask(prompt, model=MODEL):
            return client.chat.completions.create(model=model, messages=[])
        """
    )
    assert codes(findings) == ["OR206"]
    assert 'MODEL = "gpt-4o"' in new


def test_imported_constant_is_reported_as_defined_elsewhere() -> None:
    findings, new = run(
        """
        from .settings import CHAT_MODEL
        client.chat.completions.create(model=CHAT_MODEL, messages=[])
        """
    )
    assert codes(findings) == ["OR205"]
    assert "defined in another module (`.settings`" in findings[0].message
    findings, _ = run(
        """
        from app.settings import CHAT_MODEL
        client.chat.completions.create(model=CHAT_MODEL, messages=[])
        """
    )
    assert "defined in another module (`app.settings`" in findings[0].message


def test_module_variable_assigned_twice_is_not_followed() -> None:
    findings, new = run(
        """
        MODEL = "gpt-4o"

        def switch():
            global MODEL
            MODEL = "o1"

        client.chat.completions.create(model=MODEL, messages=[])
        """
    )
    assert codes(findings) == ["OR205"]
    assert 'MODEL = "gpt-4o"' in new and '"o1"' in new


# ---- class constants -------------------------------------------------------


def test_class_constant_through_self_and_subclass_override() -> None:
    findings, new = run(
        """
        class Agent:
            DEFAULT_MODEL = "gpt-4.1"

            def run(self):
                return client.chat.completions.create(model=self.DEFAULT_MODEL, messages=[])

        class Cheap(Agent):
            DEFAULT_MODEL = "gpt-4.1-mini"
        """
    )
    assert codes(findings) == ["OR201", "OR201"]
    assert 'DEFAULT_MODEL = "openai/gpt-4.1"' in new
    assert 'DEFAULT_MODEL = "openai/gpt-4.1-mini"' in new
    assert_idempotent(new)


@pytest.mark.parametrize(
    "use",
    [
        "cls.MODEL",
        "Agent.MODEL",
    ],
)
def test_class_constant_through_cls_and_class_name(use: str) -> None:
    findings, new = run(
        f"""
        class Agent:
            MODEL = "gpt-4o"

            @classmethod
            def run(cls):
                return client.chat.completions.create(model={use}, messages=[])
        """
    )
    assert codes(findings) == ["OR201"]
    assert 'MODEL = "openai/gpt-4o"' in new


def test_instance_attribute_with_fallback_to_class_constant() -> None:
    # `model or self.DEFAULT_MODEL`: the constant is mapped, the caller's
    # value cannot be known and is reported
    findings, new = run(
        """
        class Agent:
            DEFAULT_MODEL = "gpt-4.1"

            def __init__(self, model=None):
                self.model = model or self.DEFAULT_MODEL

            def run(self):
                return client.chat.completions.create(model=self.model, messages=[])
        """
    )
    assert sorted(codes(findings)) == ["OR201", "OR205"]
    assert 'DEFAULT_MODEL = "openai/gpt-4.1"' in new
    assert "parameter `model` of `__init__`" in only(findings, "OR205")[0].message


def test_class_constant_read_elsewhere_is_reported() -> None:
    findings, new = run(
        """
        class Agent:
            MODEL = "gpt-4o"

            def run(self):
                print(self.MODEL)
                return client.chat.completions.create(model=self.MODEL, messages=[])
        """
    )
    assert codes(findings) == ["OR206"]
    assert 'MODEL = "gpt-4o"' in new


def test_class_attribute_from_unknown_base_is_reported() -> None:
    findings, new = run(
        """
        class Agent(Base):
            def run(self):
                return client.chat.completions.create(model=self.MODEL, messages=[])
        """
    )
    assert codes(findings) == ["OR205"]


# ---- parameters ------------------------------------------------------------


def test_parameter_default_is_mapped() -> None:
    findings, new = run(
        """
        def ask(prompt, model="gpt-4o"):
            return client.chat.completions.create(model=model, messages=[])
        """
    )
    assert codes(findings) == ["OR201"]
    assert 'model="openai/gpt-4o"' in new
    assert "callers of `ask`" in findings[0].message
    assert_idempotent(new)


def test_reassigned_parameter_is_untouched_and_reported() -> None:
    findings, new = run(
        """
        def ask(prompt, model="gpt-4o"):
            if prompt.startswith("!"):
                model = "o1"
            return client.chat.completions.create(model=model, messages=[])
        """
    )
    assert codes(findings) == ["OR205"]
    assert 'model="gpt-4o"' in new and 'model = "o1"' in new


def test_parameter_default_used_elsewhere_is_untouched() -> None:
    findings, new = run(
        """
        import tiktoken

        def ask(prompt, model="gpt-4o"):
            enc = tiktoken.encoding_for_model(model)
            return client.chat.completions.create(model=model, messages=[])
        """
    )
    assert codes(findings) == ["OR206"]
    assert 'model="gpt-4o"' in new
    assert "parameter `model` of `ask`" in findings[0].message


def test_parameter_without_default_is_reported() -> None:
    findings, _ = run(
        """
        def ask(prompt, model):
            return client.chat.completions.create(model=model, messages=[])
        """
    )
    assert codes(findings) == ["OR205"]


def test_in_file_callers_of_a_model_parameter_are_followed() -> None:
    findings, new = run(
        """
        REASONING = "o1"

        def ask(prompt, model="gpt-4o-mini"):
            return client.chat.completions.create(model=model, messages=[])

        def deep(prompt):
            return ask(prompt, model=REASONING)

        def quick(prompt):
            return ask(prompt, "gpt-4o")

        def other(prompt, m):
            return ask(prompt, model=m)
        """
    )
    assert codes(findings).count("OR201") == 3
    assert 'REASONING = "openai/o1"' in new
    assert 'ask(prompt, "openai/gpt-4o")' in new
    assert 'model="openai/gpt-4o-mini"' in new
    (dyn,) = only(findings, "OR205")
    assert "passed to `ask`" in dyn.message and "parameter `m` of `other`" in dyn.message


def test_decorated_function_callers_are_not_followed() -> None:
    findings, new = run(
        """
        @wrap
        def ask(prompt, model="gpt-4o"):
            return client.chat.completions.create(model=model, messages=[])

        ask("x", model="gpt-4o-mini")
        """
    )
    assert codes(findings) == ["OR201"]
    assert 'ask("x", model="gpt-4o-mini")' in new


# ---- locals, conditionals, environment -------------------------------------


def test_local_assigned_once_and_conditional_branches() -> None:
    findings, new = run(
        """
        def answer(body, fast=True):
            model = "gpt-4o" if fast else "o1"
            return client.chat.completions.create(model=model, messages=[])
        """
    )
    assert codes(findings) == ["OR201", "OR201"]
    assert 'model = "openai/gpt-4o" if fast else "openai/o1"' in new


def test_local_assigned_twice_is_reported() -> None:
    findings, new = run(
        """
        def answer(body, fast):
            model = "gpt-4o"
            if not fast:
                model = "o1"
            return client.chat.completions.create(model=model, messages=[])
        """
    )
    assert codes(findings) == ["OR205"]
    assert 'model = "gpt-4o"' in new


def test_local_in_a_comparison_is_protected() -> None:
    findings, new = run(
        """
        def answer(body):
            model = "gpt-4o"
            if model == "gpt-4o":
                pass
            return client.chat.completions.create(model=model, messages=[])
        """
    )
    assert "OR206" in codes(findings)
    assert 'model = "gpt-4o"' in new


@pytest.mark.parametrize(
    "expr",
    ['os.getenv("OPENAI_MODEL", "gpt-4o")', 'os.environ.get("OPENAI_MODEL", "gpt-4o")'],
)
def test_environment_default_is_mapped_and_the_variable_reported(expr: str) -> None:
    findings, new = run(
        f"""
        MODEL = {expr}
        client.chat.completions.create(model=MODEL, messages=[])
        """
    )
    assert codes(findings) == ["OR201", "OR205"]
    assert '"OPENAI_MODEL", "openai/gpt-4o")' in new
    assert "$OPENAI_MODEL" in only(findings, "OR205")[0].message
    assert_idempotent(new)


def test_environment_without_default_is_reported() -> None:
    findings, new = run(
        """
        client.chat.completions.create(model=os.environ["OPENAI_MODEL"], messages=[])
        """
    )
    assert codes(findings) == ["OR205"]


def test_inline_conditional_and_or() -> None:
    findings, new = run(
        """
        def f(fast, override=None):
            client.chat.completions.create(model="gpt-4o-mini" if fast else "gpt-4o", messages=[])
            client.chat.completions.create(model=override or "gpt-4o", messages=[])
        """
    )
    assert codes(findings).count("OR201") == 3
    assert '"openai/gpt-4o-mini" if fast else "openai/gpt-4o"' in new
    assert 'override or "openai/gpt-4o"' in new
    # `override` has no default: its callers' values are unknown
    assert codes(findings).count("OR205") == 1


# ---- dicts -------------------------------------------------------------------


def test_dict_splatted_into_create_is_mapped() -> None:
    findings, new = run(
        """
        params = {"model": "gpt-4o", "temperature": 0}

        def classify(body):
            return client.chat.completions.create(**params, messages=[])
        """
    )
    assert codes(findings) == ["OR201"]
    assert '{"model": "openai/gpt-4o", "temperature": 0}' in new


def test_local_request_dict_and_dict_call() -> None:
    findings, new = run(
        """
        def classify(body):
            req = {"model": "gpt-4o", "messages": []}
            kw = dict(model="o1")
            client.chat.completions.create(**req)
            client.chat.completions.create(**kw, messages=[])
            client.chat.completions.create(**{"model": "gpt-4o-mini"}, messages=[])
        """
    )
    assert codes(findings) == ["OR201", "OR201", "OR201"]
    assert '"model": "openai/gpt-4o"' in new
    assert 'dict(model="openai/o1")' in new
    assert '**{"model": "openai/gpt-4o-mini"}' in new


def test_dict_also_used_elsewhere_is_reported() -> None:
    findings, new = run(
        """
        params = {"model": "gpt-4o"}
        print(params["model"])
        client.chat.completions.create(**params, messages=[])
        """
    )
    assert codes(findings) == ["OR206"]
    assert '{"model": "gpt-4o"}' in new


def test_unknown_kwargs_without_model_are_reported() -> None:
    findings, _ = run(
        """
        def ask(**kwargs):
            return client.chat.completions.create(**kwargs)
        """
    )
    assert codes(findings) == ["OR205"]
    assert "**kwargs" in findings[0].message


def test_kwargs_next_to_explicit_model_are_ignored() -> None:
    findings, _ = run(
        """
        def ask(**kwargs):
            return client.chat.completions.create(model="openai/gpt-4o", **kwargs)
        """
    )
    assert findings == []


# ---- command-line options ------------------------------------------------------


def test_click_option_default_flowing_into_model_is_mapped() -> None:
    findings, new = run(
        """
        import click

        @click.command()
        @click.option("--model", default="gpt-4o", help="OpenAI model id.")
        def main(model):
            client.chat.completions.create(model=model, messages=[])
        """
    )
    assert codes(findings) == ["OR201"]
    assert 'default="openai/gpt-4o"' in new
    assert "--model" in findings[0].message


def test_click_option_without_default_is_reported() -> None:
    findings, _ = run(
        """
        import click

        @click.command()
        @click.option("--chat-model")
        def main(chat_model):
            client.chat.completions.create(model=chat_model, messages=[])
        """
    )
    assert codes(findings) == ["OR205"]
    assert "--chat-model" in findings[0].message


def test_argparse_default_is_followed_not_guessed() -> None:
    # followed as click/typer defaults are (tests/test_audit_python12.py);
    # choices=, set_defaults... are reported there
    findings, new = run(
        """
        import argparse
        parser = argparse.ArgumentParser()
        parser.add_argument("--model", default="gpt-4o")
        args = parser.parse_args()
        client.chat.completions.create(model=args.model, messages=[])
        """
    )
    assert codes(findings) == ["OR201"]
    assert 'default="openai/gpt-4o"' in new


# ---- scopes that are not followed ----------------------------------------------


def test_lambda_and_closure_are_reported() -> None:
    findings, _ = run(
        """
        f = lambda model="gpt-4o": client.chat.completions.create(model=model, messages=[])

        def outer():
            m = "gpt-4o"
            def inner():
                return client.chat.completions.create(model=m, messages=[])
            return inner
        """
    )
    assert codes(findings) == ["OR205", "OR205"]


def test_foreign_sdk_calls_are_not_followed() -> None:
    src = textwrap.dedent(
        """
        import anthropic
        client = anthropic.Anthropic()
        MODEL = "gpt-4o"
        client.completions.create(model=MODEL, prompt="x")
        """
    )
    result = process_source("t.py", src.encode(), EngineConfig())
    assert result.new_source is None
    assert not [f for f in result.findings if f.code.startswith("OR2")]


def test_same_literal_reached_from_two_calls_is_reported_once() -> None:
    findings, new = run(
        """
        MODEL = "gpt-4o"
        client.chat.completions.create(model=MODEL, messages=[])
        client.responses.create(model=MODEL, input="x")
        """
    )
    assert codes(findings) == ["OR201"]
    assert new.count("openai/gpt-4o") == 1


def test_cyclic_and_branching_attributes_terminate() -> None:
    branches = " if c else ".join(f"self.a{i}" for i in range(8))
    body = "\n".join(f"        self.a{i} = {branches}" for i in range(8))
    findings, new = run(
        f"""
class Agent:
    def __init__(self, c):
{body}

    def run(self):
        return client.chat.completions.create(model=self.a0, messages=[])
"""
    )
    assert "OR205" in codes(findings)
    assert "OR201" not in codes(findings)


def test_typer_option_default_flowing_into_model_is_mapped() -> None:
    findings, new = run(
        """
        import typer

        def main(
            model: str = typer.Option("gpt-4o", "--model", "-m", help="Model id."),
        ):
            client.chat.completions.create(model=model, messages=[])
        """
    )
    assert codes(findings) == ["OR201"]
    assert 'typer.Option("openai/gpt-4o", "--model"' in new
    assert "--model" in findings[0].message


def test_typer_argument_default_keyword_is_mapped() -> None:
    findings, new = run(
        """
        from typer import Argument

        def main(model_name: str = Argument(default="gpt-4o-mini")):
            client.chat.completions.create(model=model_name, messages=[])
        """
    )
    assert codes(findings) == ["OR201"]
    assert 'Argument(default="openai/gpt-4o-mini")' in new
    assert "MODEL_NAME" in findings[0].message


def test_typer_required_option_is_reported() -> None:
    findings, new = run(
        """
        import typer

        def main(model: str = typer.Option(..., "--model")):
            client.chat.completions.create(model=model, messages=[])
        """
    )
    assert codes(findings) == ["OR205"]
    assert "--model" in findings[0].message
    assert "typer.Option(...," in new


def test_typer_like_call_from_another_package_is_not_followed() -> None:
    findings, new = run(
        """
        from mylib import Option

        def main(model: str = Option("gpt-4o")):
            client.chat.completions.create(model=model, messages=[])
        """
    )
    assert codes(findings) == ["OR205"]
    assert 'Option("gpt-4o")' in new


# ---- a function defined more than once (notebook cells re-run, redefinitions) ----


def test_call_inside_a_function_runs_the_last_def() -> None:
    """audit 13 (llm-zoomcamp): ``llm`` is defined twice; ``rag``'s call
    runs the second one (``rag`` is called below both), whose ``model``
    reaches the SDK call: ``rag``'s default is sent there too."""
    findings, new = run(
        """
        def llm(prompt):
            return client.chat.completions.create(model="gpt-4o", messages=[])

        def llm(prompt, model="gpt-4o-mini"):
            return client.chat.completions.create(model=model, messages=[])

        def rag(query, model="gpt-4o-mini"):
            return llm("context: " + query, model=model)

        rag("hi")
        """
    )
    assert codes(findings) == ["OR201", "OR201", "OR201"]
    assert all(f.applicability == "safe" for f in findings)
    assert 'def rag(query, model="openai/gpt-4o-mini")' in new
    assert_idempotent(new)


def test_module_level_call_runs_the_def_above_it() -> None:
    """A module-level call between two defs runs the first: its argument
    reaches the first def's ``model``; one below both runs the second."""
    findings, new = run(
        """
        def ask(model):
            return client.chat.completions.create(model=model, messages=[])

        ask(model="gpt-4o")

        def ask(prompt, model="gpt-4o-mini"):
            return client.embeddings.create(model="text-embedding-3-small", input=prompt)

        ask("x", model="gpt-4.1")
        """
    )
    assert 'ask(model="openai/gpt-4o")' in new
    assert 'ask("x", model="gpt-4.1")' in new  # the second def never sends it
    assert 'model="gpt-4o-mini"):' in new
    assert_idempotent(new)


def test_redefined_function_whose_caller_runs_between_the_defs_is_held() -> None:
    """``rag`` is called between the two defs of ``llm`` (and below them):
    which ``llm`` its call runs cannot be pinned: reported, not rewritten
    as safe."""
    findings, new = run(
        """
        def rag(query, model="gpt-4o-mini"):
            return llm(query, model=model)

        def llm(prompt, model=None):
            return client.chat.completions.create(model=model, messages=[])

        rag("first")

        def llm(prompt, model=None):
            return client.chat.completions.create(model=model or "gpt-4o", messages=[])

        rag("second")
        """
    )
    held = only(findings, "OR205")
    assert held and all("defined more than once" in f.message for f in held)
    assert 'def rag(query, model="gpt-4o-mini")' in new
    assert "model=model, messages" in new


# ---- a whole request the tool cannot read (issue 11, pytrust item 1) ---------


def _direct(body: str):  # an OpenAI-direct client, whose move is decided here
    src = "from openai import OpenAI\n\nclient = OpenAI()\n" + textwrap.dedent(body)
    result = process_source("t.py", src.encode(), EngineConfig())
    assert not result.errors, result.errors
    return result, src


def _fixes(result) -> dict[str, str | None]:
    return {f.code: f.applicability for f in result.findings if f.applicability}


@pytest.mark.parametrize(
    "sent",
    [
        "def ask(body):\n    return client.chat.completions.create(**body)\n",
        "def ask():\n    return client.chat.completions.create(**build())\n",
        "def ask(**kwargs):\n    return client.chat.completions.create(**kwargs)\n",
        # a dict of the file, but what it spreads after its model is not read
        "def ask(extra):\n"
        '    params = {"model": "gpt-4o", **extra}\n'
        "    return client.chat.completions.create(**params)\n",
        # the caller's value is not read either
        "def _ask(body):\n    return client.chat.completions.create(**body)\n\n"
        "def go(req):\n    return _ask(req)\n",
    ],
)
def test_a_request_the_tool_cannot_read_holds_its_client(sent: str) -> None:
    # as TypeScript's unread request spread: the model is not seen at all,
    # a bare ID there would reach OpenRouter with the client
    result, src = _direct(sent)
    fixes = _fixes(result)
    assert fixes["OR101"] == "unsafe", [f.message for f in result.findings]
    assert "OR201" not in fixes or fixes["OR201"] == "unsafe"
    held = [f for f in result.findings if f.code == "OR205"]
    assert held and "moves only as an unsafe fix" in held[0].message
    assert result.new_source is None
    # a noqa comment for OR205 where it is reported (the call; the caller's argument)
    # accepts the request as it is
    lines = src.splitlines()
    lines[held[0].line - 1] += "  # noqa: OR205"
    accepted = process_source("t.py", "\n".join(lines).encode(), EngineConfig())
    assert _fixes(accepted)["OR101"] == "safe", [f.message for f in accepted.findings]


def test_a_request_with_its_own_model_or_a_dict_of_the_file_keeps_the_client_safe() -> None:
    result, _ = _direct(
        """
        def ask(**kwargs):
            return client.chat.completions.create(model="gpt-4o", **kwargs)

        def ask2(extra):
            # what is spread before the model cannot bring it
            return client.chat.completions.create(**{**extra, "model": "gpt-4o-mini"})

        def _send(body):
            return client.chat.completions.create(**body)

        def go():
            _send({"model": "gpt-4.1", "messages": []})
        """
    )
    assert [(f.code, f.applicability) for f in result.findings] == [
        ("OR101", "safe"),
        ("OR201", "safe"),
        ("OR201", "safe"),
        ("OR201", "safe"),
    ], [f.message for f in result.findings]
    out = result.new_source.decode()
    assert '_send({"model": "openai/gpt-4.1", "messages": []})' in out
    assert '"model": "openai/gpt-4o-mini"})' in out
