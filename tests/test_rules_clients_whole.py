"""Per-client decisions (issue 11 items 1-4, 9): a client and the model IDs
sent through it move to OpenRouter together, or not at all."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from codemods.core.engine import EngineConfig
from codemods.core.findings import Settings
from codemods.python.analysis import collect
from codemods.python.rules import CHECKERS, RuleContext
from tests.helpers import codes, migrated, run

CHAT = 'client.chat.completions.create(model="gpt-4o", messages=[])'


def kinds(src: str) -> dict[str, str]:
    """Model string -> how the receiver of the SDK call that sends it
    classifies ("openai", "foreign", "unknown")."""
    from codemods.python.rules.models import model_arg, sdk_calls

    module = cst.parse_module(textwrap.dedent(src))
    ctx = RuleContext(
        module=module,
        facts=collect(module),
        settings=Settings(),
        table=EngineConfig(settings=Settings()).table(),
    )
    for check in CHECKERS:
        check(ctx)
    out = {}
    for sc in sdk_calls(ctx):
        arg = model_arg(sc.call)
        assert arg is not None and isinstance(arg.value, cst.SimpleString)
        out[arg.value.evaluated_value] = sc.receiver
    return out


# ---------------------------------------------------------------- item 1


@pytest.mark.parametrize(
    "args",
    [
        "provider=bedrock(region='us-east-1')",
        "websocket_base_url='wss://x.openai.azure.com', api_key=token",
        "azure_ad_token_provider=get_token",
        "http_client=httpx.Client(base_url='https://gw.internal/v1')",
        "http_client=httpx.Client(cert=('c.pem', 'k.pem'))",
        "http_client=httpx.Client(transport=transport)",
        "http_client=my_client",
        "workload_identity=wi",
    ],
)
def test_a_client_with_an_option_direct_clients_do_not_pass_is_left_with_its_models(
    args: str,
) -> None:
    src = f"""\
    import httpx
    from openai import OpenAI
    client = OpenAI({args})
    {CHAT}
    """
    assert codes(src) == ["OR118"]
    assert migrated(src) == textwrap.dedent(src)


@pytest.mark.parametrize(
    "args",
    [
        "timeout=30, max_retries=5",
        "http_client=httpx.Client(timeout=10, proxy='http://proxy:3128')",
        "http_client=DefaultHttpxClient(proxies=p)",
        "default_query={'x': '1'}, webhook_secret=s",
    ],
)
def test_known_options_keep_a_client_direct(args: str) -> None:
    src = f"""\
    import httpx
    from openai import OpenAI, DefaultHttpxClient
    client = OpenAI({args})
    {CHAT}
    """
    out = migrated(src)
    assert 'base_url="https://openrouter.ai/api/v1"' in out
    assert 'model="openai/gpt-4o"' in out


def test_a_client_configured_after_it_is_built_is_left() -> None:
    src = """\
    from openai import OpenAI
    class Embedder:
        def __init__(self, config):
            self.client = OpenAI()
            self.client.api_base = config["api_base"]
        def embed(self, text):
            return self.client.embeddings.create(model="text-embedding-3-small", input=text)
    """
    assert codes(src) == ["OR118"]
    assert migrated(src) == textwrap.dedent(src)


# ---------------------------------------------------------------- item 2


@pytest.mark.parametrize(
    "uses",
    [
        'client.beta.assistants.create(model="gpt-4o", name="x")\nclient.beta.threads.create()',
        'client.videos.create(model="sora-2", prompt="a cat")',
        'client.files.create(file=fh, purpose="batch")\nclient.batches.create(input_file_id="f")',
        'client.audio.transcriptions.create(model="whisper-1", file=fh)',
        'client.moderations.create(input="x")',
        'client.fine_tuning.jobs.create(training_file="f", model="gpt-4o-mini")',
    ],
)
def test_a_client_used_only_for_unsupported_endpoints_stays_on_openai(uses: str) -> None:
    src = "from openai import OpenAI\nclient = OpenAI()\n" + uses + "\n"
    found = codes(src)
    assert found[0] == "OR119" and "OR101" not in found and "OR301" not in found
    assert migrated(src) == src


def test_a_mixed_client_is_migrated_and_each_unsupported_call_reported() -> None:
    src = f"""\
    from openai import OpenAI
    client = OpenAI()
    {CHAT}
    client.videos.create(model="sora-2", prompt="a cat")
    client.audio.speech.create(model="tts-1", voice="alloy", input="hi")
    client.responses.connect(model="gpt-realtime")
    """
    found = codes(src)
    assert found.count("OR101") == 1 and found.count("OR301") == 3
    assert 'model="openai/gpt-4o"' in migrated(src)


def test_responses_background_and_hosted_tools_are_reported() -> None:
    src = """\
    from openai import OpenAI
    client = OpenAI()
    client.responses.create(model="gpt-4o", input="plain")
    client.responses.create(model="gpt-4o", input="x", background=True)
    client.responses.create(model="gpt-4o", input="x", tools=[{"type": "file_search", "vector_store_ids": ["vs"]}, {"type": "function", "name": "f"}])
    """
    r = run(src)
    messages = [f.message for f in r.findings if f.code == "OR302"]
    assert len(messages) == 2
    assert "background=True" in messages[0] and "file_search" in messages[1]


def test_legacy_unserved_resources_are_unsupported_endpoints() -> None:
    src = """\
    import openai
    openai.api_key = os.environ["OPENAI_API_KEY"]
    openai.Image.create(prompt="a cat")
    openai.Moderation.create(input="x")
    openai.ChatCompletion.create(model="gpt-4o", messages=[])
    """
    found = codes(src)
    assert found.count("OR301") == 2 and found.count("OR114") == 1
    assert "openai migrate`, built" not in " ".join(f.message for f in run(src).findings)


# ---------------------------------------------------------------- item 3


def test_receivers_resolve_through_locals_attributes_factories_and_private_calls() -> None:
    src = """\
    from openai import OpenAI, AsyncOpenAI

    def make_client():
        return OpenAI()

    class Bot:
        def __init__(self):
            self.client = make_client()
        def ask(self):
            return self.client.chat.completions.create(model="attribute", messages=[])

    def _summarize(client, text):
        return client.chat.completions.create(model="private-param", messages=[])

    def public(client, text):
        return client.chat.completions.create(model="public-param", messages=[])

    def main():
        c = OpenAI()
        _summarize(c, "x")
        with AsyncOpenAI() as a:
            a.chat.completions.create(model="with", messages=[])
        helper = lambda cl: cl.chat.completions.create(model="lambda", messages=[])
    """
    assert kinds(src) == {
        "attribute": "openai",
        "private-param": "openai",
        "public-param": "unknown",
        "with": "openai",
        "lambda": "unknown",
    }


def test_receivers_resolve_through_base_classes_and_class_attributes() -> None:
    # once the client moved (safe) and the model sent through it stayed bare
    # (unsafe: "not resolved"): a half migration
    src = """\
    from openai import OpenAI

    class Base:
        shared = OpenAI()

        def __init__(self):
            self.client = OpenAI()

    class Child(Base):
        def ask(self):
            return self.client.chat.completions.create(model="gpt-4o", messages=[])

    Base.shared.chat.completions.create(model="gpt-4o-mini", messages=[])
    """
    out = migrated(src)
    assert out.count('OpenAI(base_url="https://openrouter.ai/api/v1"') == 2, out
    assert '"openai/gpt-4o"' in out and '"openai/gpt-4o-mini"' in out, out


def test_a_subclass_rebinding_the_client_is_seen_from_the_base_class_methods() -> None:
    # ``Az().ask()`` runs Base.ask with Az's Azure client: its model ID is a
    # deployment name there, never to be prefixed
    src = """\
    from openai import AzureOpenAI, OpenAI

    class Base:
        def __init__(self):
            self.client = OpenAI()

        def ask(self):
            return self.client.chat.completions.create(model="gpt-4o", messages=[])

    class Az(Base):
        def __init__(self):
            self.client = AzureOpenAI()
    """
    assert codes(src) == ["OR122", "OR102"]
    assert migrated(src) == textwrap.dedent(src)


def test_a_base_class_of_another_module_leaves_an_inherited_client_unresolved() -> None:
    src = """\
    from openai import OpenAI
    from lib import Mixin

    class Base:
        def __init__(self):
            self.client = OpenAI()

    class Child(Base, Mixin):
        def ask(self):
            return self.client.chat.completions.create(model="gpt-4o", messages=[])
    """
    r = run(src)
    assert [(f.code, f.applicability) for f in r.findings] == [
        ("OR101", "unsafe"),
        ("OR201", "unsafe"),
    ], r.findings


def test_receivers_known_not_to_be_openai_direct_get_no_model_findings() -> None:
    src = """\
    from openai import OpenAI
    local = OpenAI(base_url="http://localhost:11434/v1", api_key="ollama")
    local.chat.completions.create(model="llama2", messages=[])
    bedrock = OpenAI(provider=bedrock(region="us-east-1"))
    bedrock.chat.completions.create(model="gpt-4o", messages=[])
    """
    assert codes(src) == ["OR104", "OR118"]


def test_a_parameter_annotated_with_another_sdk_is_foreign() -> None:
    src = """\
    from openai import OpenAI
    from groq import Groq
    def ask(client: Groq):
        return client.chat.completions.create(model="gpt-4o", messages=[])
    """
    assert kinds(src) == {"gpt-4o": "foreign"}


def test_base_url_in_a_constant_that_is_openrouter_counts_as_migrated() -> None:
    src = f"""\
    import os
    from openai import OpenAI
    OPENROUTER_URL = "https://openrouter.ai/api/v1"
    client = OpenAI(base_url=OPENROUTER_URL, api_key=os.environ["OPENROUTER_API_KEY"])
    {CHAT}
    """
    assert codes(src) == ["OR201"]
    assert 'model="openai/gpt-4o"' in migrated(src)


# ---------------------------------------------------------------- item 4


@pytest.mark.parametrize(
    "head",
    [
        "from openai import *\n",
        "try:\n    from openai import OpenAI\nexcept ImportError:\n    OpenAI = None\n",
        # imported from several places: once no finding for the client at all
        "import os\nif os.getenv('AZURE'):\n    from openai import AzureOpenAI as OpenAI\n"
        "else:\n    from openai import OpenAI\n",
        "try:\n    from openai import OpenAI\nexcept ImportError:\n    from shim import OpenAI\n",
        "from openai import OpenAI\nfrom openai import AsyncOpenAI as OpenAI\n",
    ],
)
def test_an_unrecognised_construction_is_reported_and_its_models_kept(head: str) -> None:
    src = head + "client = OpenAI()\n" + CHAT + "\n"
    assert codes(src) == ["OR120"]
    assert migrated(src) == src


@pytest.mark.parametrize(
    ("src", "shown"),
    [
        (
            "from dataclasses import dataclass, field\nfrom openai import OpenAI\n\n"
            "@dataclass\nclass Cfg:\n    client: OpenAI = field(default_factory=OpenAI)\n",
            "`default_factory=OpenAI`",
        ),
        (
            "import openai\nfrom pydantic import BaseModel, Field\n\n"
            "class Cfg(BaseModel):\n    client: openai.AsyncOpenAI = Field(default_factory=openai.AsyncOpenAI)\n",
            "`default_factory=openai.AsyncOpenAI`",
        ),
        (
            "from functools import partial\nfrom openai import OpenAI\nmake = partial(OpenAI, timeout=5)\n"
            "make().chat.completions.create(model='gpt-4o', messages=[])\n",
            "`partial(OpenAI, ...)`",
        ),
        (
            "from openai import OpenAI\nFactory = OpenAI\nc = Factory()\n",
            "`Factory = OpenAI`, called as `Factory(...)`",
        ),
        (
            "from openai import OpenAI\nPROVIDERS = {'openai': OpenAI}\nc = PROVIDERS[name]()\n",
            "`{'openai': OpenAI}`",
        ),
    ],
)
def test_the_client_class_handed_out_as_a_factory_is_reported(src: str, shown: str) -> None:
    # the clients it builds call OpenAI, and no constructor call shows them:
    # once a silent miss (no finding for the client at all)
    r = run(src)
    found = [f for f in r.findings if f.code == "OR120"]
    assert len(found) == 1 and shown in found[0].message, r.findings
    assert found[0].applicability is None
    assert r.new_source is None


@pytest.mark.parametrize(
    "src",
    [
        "from openai import OpenAI\ndef f(c: OpenAI) -> OpenAI:\n    assert isinstance(c, OpenAI)\n    return c\n",
        "from typing import Union, cast\nfrom openai import AsyncOpenAI, OpenAI\n"
        "AnyClient = Union[OpenAI, AsyncOpenAI]\nc = cast(OpenAI, get())\n",
        "from unittest.mock import MagicMock\nfrom openai import OpenAI\nm = MagicMock(spec=OpenAI)\n",
        # a name bound to the class but never called: a type alias
        "from openai import OpenAI\nClientType = OpenAI\n",
    ],
)
def test_type_uses_of_the_client_class_are_not_factories(src: str) -> None:
    assert "OR120" not in codes(src)


def test_a_suppressed_client_keeps_its_model_ids_without_a_finding() -> None:
    src = "from openai import OpenAI\nclient = OpenAI()  # noqa: OR101\n" + CHAT + "\n"
    assert codes(src) == []
    assert migrated(src) == src


def test_a_deselected_client_rule_leaves_models_reported_but_not_fixed() -> None:
    src = "from openai import OpenAI\nclient = OpenAI()\n" + CHAT + "\n"
    r = run(src, ignore=("OR101",))
    assert [(f.code, f.fixable) for f in r.findings] == [("OR201", False)]
    assert "OR101 is not selected" in r.findings[0].message
    assert r.new_source is None


@pytest.mark.parametrize("ignore", [("OR201",), ("OR2",)])
def test_a_deselected_model_rule_keeps_the_client_with_its_models(ignore) -> None:
    # the reverse of ``--ignore OR101``: a client moved without its model IDs
    # would send them to OpenRouter bare, which it rejects
    src = "from openai import OpenAI\nclient = OpenAI()\n" + CHAT + "\n"
    r = run(src, ignore=ignore)
    assert [(f.code, f.applicability) for f in r.findings] == [("OR101", "unsafe")], r.findings
    assert "'gpt-4o' at " in r.findings[0].message
    assert "(OR201 not selected)" in r.findings[0].message
    assert r.new_source is None
    # the module-level client: its configuration stays with its model IDs too
    src = "import openai\n" + CHAT.replace("client.", "openai.") + "\n"
    r = run(src, ignore=ignore)
    assert [(f.code, f.applicability) for f in r.findings] == [("OR111", "unsafe")], r.findings
    assert r.new_source is None


@pytest.mark.parametrize("ignore", [("OR111",), ("OR1",)])
def test_a_deselected_module_client_rule_leaves_its_models_reported_but_not_fixed(
    ignore,
) -> None:
    # like ``--ignore OR101`` for a constructor: the module-level client is
    # not configured in this run, so its model IDs are not prefixed either
    src = "import openai\n" + CHAT.replace("client.", "openai.") + "\n"
    r = run(src, ignore=ignore)
    assert [(f.code, f.fixable) for f in r.findings] == [("OR201", False)], r.findings
    assert "OR111 is not selected" in r.findings[0].message
    assert r.new_source is None


def test_a_deselected_model_rule_keeps_a_client_of_another_module(tmp_path) -> None:
    from codemods.cli import main
    from tests.helpers import cli_runner

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "clients.py").write_text("from openai import OpenAI\n\nclient = OpenAI()\n")
    (tmp_path / "app.py").write_text("from clients import client\n\n" + CHAT + "\n")
    args = ["check", "--no-cache", "--jobs", "1", "--ignore", "OR201", str(tmp_path)]
    r = cli_runner().invoke(main, args)
    (line,) = r.stdout.splitlines()
    assert "clients.py:3:10: OR101 " in line and "'gpt-4o' (OR201 not selected)" in line, line
    assert "OR101 [*]" not in line


def test_models_through_a_suppressed_and_a_migrated_client_in_one_file() -> None:
    src = """\
    from openai import OpenAI
    kept = OpenAI()  # noqa: OR101
    moved = OpenAI()
    kept.chat.completions.create(model="gpt-4o", messages=[])
    moved.chat.completions.create(model="gpt-4o-mini", messages=[])
    """
    out = migrated(src)
    assert 'kept.chat.completions.create(model="gpt-4o"' in out
    assert 'moved.chat.completions.create(model="openai/gpt-4o-mini"' in out


# ---------------------------------------------------------------- instructor


def test_instructor_wrappers_map_models_of_their_own_methods() -> None:
    src = """\
    import instructor
    from openai import OpenAI
    client = instructor.from_openai(OpenAI())
    users = client.chat.completions.create_iterable(model="gpt-4o", response_model=U, messages=[])
    parts = client.chat.completions.create_partial(model="gpt-4o", response_model=U, messages=[])
    one, raw = client.create_with_completion(model="gpt-4o", response_model=U, messages=[])
    x = client.chat.create(model="gpt-4o", response_model=U, messages=[])
    y = client.messages.create(model="gpt-4o", response_model=U, messages=[])
    """
    out = migrated(src)
    assert out.count('model="openai/gpt-4o"') == 5


def test_instructor_modes_refused_on_openrouter_leave_the_client() -> None:
    src = """\
    import instructor
    from openai import OpenAI
    raw = OpenAI()
    client = instructor.from_openai(raw, mode=instructor.Mode.MD_JSON)
    client.chat.completions.create(model="gpt-4o", response_model=U, messages=[])
    ok = instructor.from_openai(OpenAI(), mode=instructor.Mode.JSON)
    ok.chat.completions.create(model="gpt-4o-mini", response_model=U, messages=[])
    """
    assert codes(src) == ["OR121", "OR101", "OR201"]
    out = migrated(src)
    assert "raw = OpenAI()" in out and 'model="gpt-4o",' in out
    assert 'model="openai/gpt-4o-mini"' in out


# ---------------------------------------------------------------- across modules


def _tree(tmp_path, files: dict[str, str]):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path


def test_clients_from_factories_of_other_modules_decide_their_models(tmp_path, monkeypatch) -> None:
    from codemods.cli import main
    from tests.helpers import cli_runner

    root = _tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/factory.py": """\
                from openai import OpenAI
                def chat_client():
                    return OpenAI()
                def bedrock_client():
                    return OpenAI(provider=bedrock(region="us-east-1"))
                shared = OpenAI(base_url="http://localhost:8000/v1")
            """,
            "pkg/use.py": """\
                import openai
                from pkg.factory import chat_client, bedrock_client, shared
                a = chat_client().chat.completions.create(model="gpt-4o", messages=[])
                b = bedrock_client().chat.completions.create(model="gpt-4o-mini", messages=[])
                c = shared.chat.completions.create(model="gpt-4.1", messages=[])
            """,
        },
    )
    monkeypatch.chdir(root)
    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", "."])
    assert r.exit_code == 0, r.output
    use = (root / "pkg/use.py").read_text()
    assert 'model="openai/gpt-4o"' in use
    assert 'model="gpt-4o-mini"' in use and 'model="gpt-4.1"' in use


def test_with_options_copies_keep_their_client_unless_redirected() -> None:
    src = """\
    from openai import OpenAI
    client = OpenAI(max_retries=3)
    client.with_options(timeout=15.0).chat.completions.create(model="copy", messages=[])
    client.with_options(base_url="http://localhost:1/v1").chat.completions.create(model="moved", messages=[])
    """
    assert kinds(src) == {"copy": "openai", "moved": "unknown"}


def test_public_function_call_sites_count_once_no_other_module_imports_it(
    tmp_path, monkeypatch
) -> None:
    from codemods.cli import main
    from tests.helpers import cli_runner

    root = _tree(
        tmp_path,
        {
            "settings.py": 'CHAT_MODEL = "gpt-4o-mini"\n',
            "main.py": """\
                from openai import OpenAI
                from settings import CHAT_MODEL
                def ask(client: OpenAI, question: str) -> str:
                    return client.chat.completions.create(model=CHAT_MODEL, messages=[])
                if __name__ == "__main__":
                    ask(OpenAI(), "hi")
            """,
        },
    )
    monkeypatch.chdir(root)
    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", "."])
    assert r.exit_code == 0, r.output
    assert (root / "settings.py").read_text() == 'CHAT_MODEL = "openai/gpt-4o-mini"\n'
    # another module importing `ask` could pass any client: unsafe again
    (root / "settings.py").write_text('CHAT_MODEL = "gpt-4o-mini"\n')
    (root / "other.py").write_text("from main import ask\nask(make(), 'x')\n")
    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", "--allow-dirty", "."])
    assert (root / "settings.py").read_text() == 'CHAT_MODEL = "gpt-4o-mini"\n'


def test_a_client_passed_to_a_function_of_another_module_decides_its_models(
    tmp_path, monkeypatch
) -> None:
    from codemods.cli import main
    from tests.helpers import cli_runner

    files = {
        "helpers.py": """\
            def summarize(client, text):
                return client.chat.completions.create(model="gpt-4o-mini", messages=[])
        """,
        "main.py": """\
            from openai import OpenAI
            from helpers import summarize
            summarize(OpenAI(), "x")
        """,
    }
    root = _tree(tmp_path / "a", files)
    monkeypatch.chdir(root)
    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", "."])
    assert r.exit_code == 0, r.output
    assert 'model="openai/gpt-4o-mini"' in (root / "helpers.py").read_text()

    # one caller passes a local server's client: the model stays, with no finding
    files["other.py"] = """\
        from openai import OpenAI
        from helpers import summarize
        summarize(OpenAI(base_url="http://localhost:8000/v1"), "y")
    """
    root = _tree(tmp_path / "b", files)
    monkeypatch.chdir(root)
    r = cli_runner().invoke(main, ["check", "--no-cache", "--jobs", "1", "."])
    assert "helpers.py" not in r.output

    # a caller passes something the tool cannot follow: unsafe, not applied
    files["other.py"] = "from helpers import summarize\nsummarize(make(), 'y')\n"
    root = _tree(tmp_path / "c", files)
    monkeypatch.chdir(root)
    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", "."])
    assert 'model="gpt-4o-mini"' in (root / "helpers.py").read_text()
    assert "unsafe fix" in r.output


# ---------------------------------------------------------------- the module-level client


def _migrate_tree(tmp_path, monkeypatch, files: dict[str, str]):
    from codemods.cli import main
    from tests.helpers import cli_runner

    root = _tree(tmp_path, files)
    monkeypatch.chdir(root)
    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", "."])
    return root, r


def test_module_client_configured_in_one_module_and_called_in_another(
    tmp_path, monkeypatch
) -> None:
    root, r = _migrate_tree(
        tmp_path,
        monkeypatch,
        {
            "config.py": 'import os\nimport openai\nopenai.api_key = os.environ["OPENAI_API_KEY"]\n',
            "main.py": """\
                import openai
                import config
                openai.chat.completions.create(model="gpt-4o-mini", messages=[])
            """,
        },
    )
    assert r.exit_code == 0, r.output
    config = (root / "config.py").read_text()
    assert 'os.environ["OPENROUTER_API_KEY"]' in config
    assert 'openai.base_url = "https://openrouter.ai/api/v1/"' in config
    main = (root / "main.py").read_text()
    assert 'model="openai/gpt-4o-mini"' in main and "base_url" not in main


def test_module_client_left_in_its_configuring_module_holds_its_callers(
    tmp_path, monkeypatch
) -> None:
    root, r = _migrate_tree(
        tmp_path,
        monkeypatch,
        {
            "config.py": 'import openai\nopenai.base_url = "http://localhost:4000/v1/"\n',
            "main.py": """\
                import openai
                import config
                openai.chat.completions.create(model="gpt-4o-mini", messages=[])
            """,
        },
    )
    main = (root / "main.py").read_text()
    assert 'model="gpt-4o-mini"' in main and "base_url" not in main
    assert "OR117" in r.output and "config.py" in r.output


def test_independent_scripts_do_not_share_a_module_client(tmp_path, monkeypatch) -> None:
    root, r = _migrate_tree(
        tmp_path,
        monkeypatch,
        {
            "proxy_script.py": 'import openai\nopenai.base_url = "http://localhost:4000/v1/"\n'
            'openai.chat.completions.create(model="gpt-4o", messages=[])\n',
            "direct_script.py": 'import openai\nopenai.chat.completions.create(model="gpt-4o-mini", messages=[])\n',
        },
    )
    direct = (root / "direct_script.py").read_text()
    assert 'openai.base_url = "https://openrouter.ai/api/v1/"' in direct
    assert 'model="openai/gpt-4o-mini"' in direct


# ---------------------------------------------------------------- found by the real-code audit


def test_a_client_sharing_a_receiver_with_a_client_left_alone_is_left_too() -> None:
    src = """\
    from openai import OpenAI
    class Chat:
        def __init__(self, key=None):
            if key is None:
                self.client = OpenAI()
            else:
                self.client = OpenAI(api_key=key)
        def ask(self, prompt):
            return self.client.chat.completions.create(model="gpt-3.5-turbo", messages=prompt)
    """
    assert codes(src) == ["OR122", "OR103"]
    assert "`OpenAI(...)` at t.py:7, which is left alone" in run(src).findings[0].message
    assert migrated(src) == textwrap.dedent(src)


def test_instructor_moderation_validator_is_an_unsupported_use() -> None:
    src = """\
    import instructor
    from instructor import openai_moderation
    from openai import OpenAI
    client = instructor.from_openai(OpenAI())
    check = openai_moderation(client=client)
    """
    r = run(src)
    assert [f.code for f in r.findings] == ["OR119"]
    assert "`openai_moderation`" in r.findings[0].message


def test_responses_calls_that_need_openai_state_are_unsupported_uses() -> None:
    src = """\
    from openai import OpenAI
    client = OpenAI()
    vs = client.vector_stores.create(name="kb")
    r = client.responses.create(model="gpt-4o", input="q", tools=[{"type": "file_search", "vector_store_ids": [vs.id]}])
    """
    assert codes(src)[0] == "OR119"
    assert migrated(src) == textwrap.dedent(src)


def test_an_instructor_mode_on_another_server_is_that_servers_business() -> None:
    src = """\
    import instructor
    from openai import OpenAI
    client = instructor.from_openai(
        OpenAI(base_url="https://api.endpoints.anyscale.com/v1", api_key=key),
        mode=instructor.Mode.JSON_SCHEMA,
    )
    """
    assert codes(src) == ["OR104"]
