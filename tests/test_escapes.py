"""A client and everything sent through it move together, or not at all.

The corpus audit of main found clients moved to OpenRouter as *safe* fixes
while something sent through them could not move (audit-report W1, W4-W7):
a model kept bare for its other uses (OR206), a default held in a class
field in another module, a client handed to code whose requests the tool
cannot see. Each such move is now an unsafe fix that says why; what the tool
can follow (a function of the file, a function of another module of the
run) stays safe. Also the audit's false positives: OR205 through a
``@property`` client left on Azure, OR308 in a file whose clients all stay.
"""

from __future__ import annotations

import textwrap

import pytest

from codemods.core.findings import FileResult, Finding
from tests.helpers import cli_runner, run


def _by_code(r: FileResult, code: str) -> list[Finding]:
    return [f for f in r.findings if f.code == code]


def _tree(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def _check(root, monkeypatch) -> str:
    from codemods.cli import main

    monkeypatch.chdir(root)
    r = cli_runner().invoke(main, ["check", "--no-cache", "--jobs", "1", "."])
    return r.output


def _migrate(root, monkeypatch) -> None:
    from codemods.cli import main

    monkeypatch.chdir(root)
    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", "--allow-dirty", "."])
    assert r.exit_code == 0, r.output


# ---- W1: a model kept bare (OR206) ------------------------------------------


def test_a_model_kept_bare_for_another_use_makes_its_client_move_unsafe() -> None:
    r = run(
        """\
        import tiktoken
        from openai import OpenAI
        client = OpenAI()
        class AI:
            def __init__(self, model="gpt-4"):
                self.model = model
                self.tokenizer = tiktoken.encoding_for_model(model)
            def next(self, messages):
                return client.chat.completions.create(model=self.model, messages=messages)
        """
    )
    assert _by_code(r, "OR206")
    (client,) = _by_code(r, "OR101")
    assert client.applicability == "unsafe" and client.hidden_fix
    assert "(OR206) is not rewritten with it" in client.message
    assert "t.py:9" in client.message
    assert r.new_source is None


def test_the_module_level_client_is_held_by_a_model_kept_bare() -> None:
    src = """\
        import openai
        import tiktoken
        class AI:
            def __init__(self, model="gpt-4"):
                self.model = model
                self.tokenizer = tiktoken.encoding_for_model(model)
            def next(self, messages):
                return openai.ChatCompletion.create(model=self.model, messages=messages)
        """
    r = run(src)
    (config,) = _by_code(r, "OR111")
    assert config.applicability == "unsafe" and "(OR206)" in config.message
    assert r.new_source is None
    moved = run(src, unsafe_fixes=True)
    assert moved.new_source is not None and b"api_base" in moved.new_source


def test_a_stream_guard_of_a_held_module_level_client_moves_with_it() -> None:
    r = run(
        """\
        import openai
        import tiktoken
        MODEL = "gpt-4"
        enc = tiktoken.encoding_for_model(MODEL)
        def ask(messages):
            response = openai.ChatCompletion.create(model=MODEL, messages=messages, stream=True)
            for chunk in response:
                print(chunk["choices"][0]["delta"].get("content", ""))
        """
    )
    assert _by_code(r, "OR206")
    (guard,) = _by_code(r, "OR401")
    assert guard.applicability == "unsafe"
    assert r.new_source is None


def test_the_module_level_client_moves_with_its_models_or_not_at_all() -> None:
    r = run(
        """\
        import openai
        def ask(messages):
            openai.chat.completions.create(model="gpt-4o", messages=messages)
            return openai.chat.completions.create(model="ft:gpt-4o-mini:acme::abc", messages=messages)
        """
    )
    (config,) = _by_code(r, "OR111")
    # a fine-tune fails on OpenRouter: the configuration's fix is shown only
    assert config.applicability == "display-only"
    assert "'ft:gpt-4o-mini:acme::abc' (OR203) at t.py:4" in config.message
    # the model that could move moves only with the configuration
    (gpt4o,) = _by_code(r, "OR201")
    assert gpt4o.applicability == "display-only"
    assert r.new_source is None


def test_a_module_level_client_with_movable_models_still_moves() -> None:
    r = run(
        """\
        import openai
        def ask(messages):
            return openai.ChatCompletion.create(model="gpt-4o", messages=messages)
        """
    )
    assert [f.applicability for f in _by_code(r, "OR111")] == ["safe"]
    assert r.new_source is not None and b'"openai/gpt-4o"' in r.new_source


# ---- W4: a default in a class field -------------------------------------------


def test_a_model_read_from_a_class_field_makes_the_client_move_unsafe(
    tmp_path, monkeypatch
) -> None:
    root = _tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/types.py": """\
                from pydantic import BaseModel
                class Agent(BaseModel):
                    model: str = "gpt-4o"
            """,
            "pkg/core.py": """\
                from openai import OpenAI
                from pkg.types import Agent
                class Swarm:
                    def __init__(self, client=None):
                        if not client:
                            client = OpenAI()
                        self.client = client
                    def run(self, agent: Agent, messages):
                        params = {"model": agent.model, "messages": messages}
                        return self.client.chat.completions.create(**params)
            """,
        },
    )
    out = _check(root, monkeypatch)
    assert "OR101 [*]" not in out, out
    assert "`Agent.model` may hold a default in its class" in out
    assert "pkg/core.py:10 (OR205)" in out
    _migrate(root, monkeypatch)
    assert "OpenAI()" in (root / "pkg/core.py").read_text()


# ---- W5-W7: a client escaping to code the tool cannot check -------------------


def test_a_client_passed_to_a_class_of_another_module_moves_only_unsafely(
    tmp_path, monkeypatch
) -> None:
    root = _tree(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/utils.py": """\
                def get_completion(client, messages, model="gpt-4o", stream=False):
                    request_params = {"model": model, "messages": messages, "stream": stream}
                    return client.chat.completions.create(**request_params).choices[0].message
            """,
            "src/engine.py": """\
                from src.utils import get_completion
                class LocalEngine:
                    def __init__(self, client):
                        self.client = client
                    def run(self, msgs):
                        return get_completion(self.client, msgs)
            """,
            "src/app.py": """\
                from openai import OpenAI
                from src.engine import LocalEngine
                def deploy():
                    client = OpenAI()
                    LocalEngine(client).run([{"role": "user", "content": "hi"}])
            """,
        },
    )
    out = _check(root, monkeypatch)
    assert "src/app.py:4:14: OR101 `OpenAI(...)`" in out, out
    assert "the client is passed to `LocalEngine` (line 5), whose requests the tool" in out
    _migrate(root, monkeypatch)
    assert "OpenAI()" in (root / "src/app.py").read_text()
    assert 'model="gpt-4o"' in (root / "src/utils.py").read_text()


@pytest.mark.parametrize(
    ("use", "callee"),
    [
        # instructor's Instructions dispatching a fine-tune through the client
        (
            'instructions = Instructions(name="mul", finetune_format="messages", '
            "openai_client=client)\n"
            '@instructions.distil(mode="dispatch", model="ft:gpt-3.5-turbo-0125:p::9i1J")\n'
            "def fn(a: int, b: int) -> int: ...\n",
            "`Instructions`",
        ),
        # llm_validator sends its default model through the client
        (
            'v = llm_validator("no objectionable content", client=client)\n',
            "`llm_validator` (line 5), which sends its default model 'gpt-3.5-turbo'",
        ),
        # instructor<1's keyword, with a model: which client it goes through
        # is not what the model rules read (``client=``)
        (
            'v = llm_validator("no", openai_client=client, model="gpt-4o")\n',
            "`llm_validator` (line 5), which sends its `model=` through it",
        ),
        # a method of a class: its parameter is not followed
        (
            "class Judge:\n"
            "    def score(self, c):\n"
            '        return c.chat.completions.create(model="gpt-4o", messages=[])\n'
            "Judge().score(client)\n",
            "`Judge().score`",
        ),
        # a class of this file: its __init__'s parameters are not followed
        (
            "class _Judge:\n"
            "    def __init__(self, c, model='gpt-4o'):\n"
            "        self.c, self.model = c, model\n"
            "    def score(self):\n"
            "        return self.c.chat.completions.create(model=self.model, messages=[])\n"
            "_Judge(client, model='o1-mini').score()\n",
            "`_Judge`",
        ),
        # stored on an object, in a container
        ("registry = {}\nregistry.main = client\n", "is stored in `registry.main`"),
        ('clients = {"openai": client}\n', "is put in a container (`clients`)"),
    ],
)
def test_a_client_escaping_to_code_the_tool_cannot_check_moves_only_unsafely(
    use: str, callee: str
) -> None:
    src = (
        "import instructor\n"
        "from instructor import Instructions, llm_validator\n"
        "from openai import OpenAI\n"
        "client = instructor.from_openai(OpenAI())\n" + use
    )
    r = run(src, dedent=False)
    (client,) = _by_code(r, "OR101")
    assert client.applicability == "unsafe", client.message
    assert callee in client.message
    assert r.new_source is None


@pytest.mark.parametrize(
    "use",
    [
        # a function of this file: its parameter is followed to this client
        "def _ask(c, q):\n"
        '    return c.chat.completions.create(model="gpt-4o", messages=q)\n'
        "_ask(client, [])\n",
        # llm_validator given its model: the model is checked like from_openai's
        'v = llm_validator("no", client=client, model="gpt-4o-mini")\n',
        # Instructions that never dispatch (distil mode logs only)
        'instructions = Instructions(name="x", openai_client=client)\n'
        "@instructions.distil\n"
        "def fn(a: int) -> int: ...\n",
        # calls that send nothing through it
        "import logfire\nlogfire.instrument_openai(client)\nprint(client)\n",
    ],
)
def test_what_the_tool_follows_is_not_an_escape(use: str) -> None:
    src = (
        "import instructor\n"
        "from instructor import Instructions, llm_validator\n"
        "from openai import OpenAI\n"
        "client = instructor.from_openai(OpenAI())\n" + use
    )
    r = run(src, dedent=False)
    (client,) = _by_code(r, "OR101")
    assert client.applicability == "safe", client.message
    assert r.new_source is not None
    assert all(f.applicability == "safe" for f in _by_code(r, "OR201"))
    if "model=" in use:
        assert b'"openai/gpt-4o' in r.new_source


# ---- false positives ------------------------------------------------------------


def test_a_property_client_left_on_azure_gets_no_model_finding() -> None:
    r = run(
        """\
        from openai import AzureOpenAI, OpenAI
        class Service:
            def __init__(self, config):
                self.config = config
                self._client = None
            @property
            def client(self):
                if self._client is not None:
                    return self._client
                if self.config.api_type == "openai":
                    client = OpenAI(base_url=self.config.api_base, api_key=self.config.api_key)
                else:
                    client = AzureOpenAI(api_version="2024-02-01", azure_endpoint="x", api_key="y")
                self._client = client
                return client
            def chat(self, messages):
                return self.client.chat.completions.create(model=self.config.model, messages=messages)
        """
    )
    assert not _by_code(r, "OR205"), r.findings


def test_org_id_is_not_reported_when_every_client_stays() -> None:
    src = """\
        import os
        from openai import AsyncOpenAI
        openai_api_key = os.getenv("OPENAI_API_KEY", "")
        openai_organization = os.getenv("OPENAI_ORG_ID", "")
        headers = {"Authorization": f"Bearer {openai_api_key}", "OpenAI-Organization": openai_organization}
        client = AsyncOpenAI(api_key=openai_api_key, organization=openai_organization)
        """
    r = run(src)
    assert _by_code(r, "OR103")
    assert not _by_code(r, "OR308"), r.findings
    # the same read with a client that moves is still reported
    moving = run(
        'import os\nfrom openai import OpenAI\nORG = os.environ["OPENAI_ORG_ID"]\nclient = OpenAI()\n'
    )
    assert _by_code(moving, "OR308")


def test_a_public_function_of_the_file_is_followed_across_the_project_pass(
    tmp_path, monkeypatch
) -> None:
    # the first round does not know yet whether other modules call `ask`:
    # what it tells importers of `client` must not make their fixes unsafe
    root = _tree(
        tmp_path,
        {
            "a.py": """\
                from openai import OpenAI
                client = OpenAI()
                def ask(c, q):
                    return c.chat.completions.create(model="gpt-4o", messages=q)
                ask(client, [])
            """,
            "b.py": """\
                from a import client
                client.chat.completions.create(model="gpt-4o-mini", messages=[])
            """,
        },
    )
    out = _check(root, monkeypatch)
    assert "unsafe" not in out, out
    _migrate(root, monkeypatch)
    assert '"openai/gpt-4o"' in (root / "a.py").read_text()
    assert '"openai/gpt-4o-mini"' in (root / "b.py").read_text()


# ---- N1 (final audit): an SDK method of the client used as a value -----------


@pytest.mark.parametrize(
    ("use", "shown"),
    [
        (
            "create = client.chat.completions.create\n"
            'def ask(m):\n    return create(model="gpt-4o", messages=m)\n',
            "bound to `create`",
        ),
        (
            "import functools\n"
            'ask = functools.partial(client.chat.completions.create, model="gpt-4o")\n',
            "passed to `functools.partial`",
        ),
        (
            "import asyncio\n"
            "async def ask(m):\n"
            "    return await asyncio.to_thread(\n"
            '        client.chat.completions.create, model="gpt-4o", messages=m\n'
            "    )\n",
            "passed to `asyncio.to_thread`",
        ),
        (
            'chat = client.chat\nchat.completions.create(model="gpt-4o", messages=[])\n',
            "bound to `chat`",
        ),
        (
            "class Bot:\n"
            "    def __init__(self):\n"
            "        self.create = client.chat.completions.create\n"
            "    def go(self):\n"
            '        return self.create(model="gpt-4o", messages=[])\n',
            "bound to `self.create`",
        ),
    ],
)
def test_a_client_whose_sdk_method_is_used_as_a_value_moves_only_unsafely(
    use: str, shown: str
) -> None:
    # the model goes through an alias of the method the tool does not follow:
    # moving the client alone would send 'gpt-4o' bare to OpenRouter (400)
    r = run("from openai import OpenAI\nclient = OpenAI()\n" + use, dedent=False)
    (client,) = _by_code(r, "OR101")
    assert client.applicability == "unsafe", client.message
    assert shown in client.message
    assert r.new_source is None


def test_reading_a_setting_or_calling_the_method_is_not_an_sdk_method_escape() -> None:
    r = run(
        """\
        from openai import OpenAI
        client = OpenAI()
        url = client.base_url
        r = client.chat.completions.create(model="gpt-4o", messages=[])
        """
    )
    (client,) = _by_code(r, "OR101")
    assert client.applicability == "safe", client.message
    assert r.new_source is not None and b'"openai/gpt-4o"' in r.new_source


# ---- issue 11: a client stored in a container, or returned in one ------------


@pytest.mark.parametrize(
    ("use", "shown"),
    [
        ('d = {}\nd["k"] = client\n', "is stored in `d[...]` (line 4)"),
        (
            "registry = {}\ndef register(name):\n    registry[name] = client\n",
            "is stored in `registry[...]` (line 5)",
        ),
        ("clients = []\nclients.append(client)\n", "is passed to `clients.append` (line 4)"),
        ("items = []\nitems.extend([client])\n", "is passed to `items.extend` (line 4)"),
        ("class O: ...\nobj = O()\nsetattr(obj, 'c', client)\n", "is passed to `setattr` (line 5)"),
        (
            'from helpers import go\ngo({"client": client})\n',
            "is passed to `go` (line 4)",
        ),
        ("def get():\n    return [client]\n", "is returned in a container by `get` (line 4)"),
        ("def get():\n    return (client,)\n", "is returned in a container by `get` (line 4)"),
        (
            'def get():\n    return {"client": client, "model": "gpt-4o"}\n',
            "is returned in a container by `get` (line 4)",
        ),
        ("def get():\n    yield client, 1\n", "is returned in a container by `get` (line 4)"),
        # a container literal used in place: once a safe move of the client
        # while the model sent through the loop variable stayed bare
        (
            "for c in (client,):\n    c.chat.completions.create(model='gpt-4o', messages=[])\n",
            "is iterated over in a container (line 3)",
        ),
        (
            "replies = [c.chat.completions.create(model='gpt-4o', messages=[]) for c in [client]]\n",
            "is iterated over in a container (line 3)",
        ),
        (
            "c = [client][0]\nc.chat.completions.create(model='gpt-4o', messages=[])\n",
            "is taken out of a container by an index (line 3)",
        ),
    ],
)
def test_a_client_stored_in_a_container_moves_only_unsafely(use: str, shown: str) -> None:
    # taken out of the container later, its uses cannot be followed: the
    # model IDs sent through it there would stay bare while it moves
    r = run("from openai import OpenAI\nclient = OpenAI()\n" + use, dedent=False)
    (client,) = _by_code(r, "OR101")
    assert client.applicability == "unsafe", client.message
    assert shown in client.message, client.message
    assert r.new_source is None


def test_a_client_compared_with_a_container_literal_does_not_escape() -> None:
    src = (
        "from openai import OpenAI\nclient = OpenAI()\nother = None\n"
        "if client in (other, None):\n    pass\n"
        "client.chat.completions.create(model='gpt-4o', messages=[])\n"
    )
    (client,) = _by_code(run(src, dedent=False), "OR101")
    assert client.applicability == "safe", client.message


def test_a_client_kept_on_self_is_followed_not_a_container() -> None:
    r = run(
        """\
        from openai import OpenAI
        client = OpenAI()
        class Bot:
            def __init__(self):
                self.client = client
            def go(self):
                return self.client.chat.completions.create(model="gpt-4o", messages=[])
        """
    )
    (client,) = _by_code(r, "OR101")
    assert client.applicability == "safe", client.message
    assert r.new_source is not None and b'"openai/gpt-4o"' in r.new_source


# ---- issue 11: escapes through functions of other modules -------------------


def _project(root, files: dict[str, str]):
    return _tree(root, {"pyproject.toml": "[project]\nname = 'demo'\n", **files})


TRANSITIVE = {
    "app.py": """\
        from openai import OpenAI
        from helpers import run
        from lib import deep

        client = OpenAI()
        run(client)
        deep(1, client=client)
        r = client.chat.completions.create(model="gpt-4o", messages=[])
    """,
    # never names openai: the prefilter skips it, the project pass reads it
    "helpers.py": """\
        import somelib


        def run(c):
            return somelib.wrap(c)
    """,
    "lib/__init__.py": "from .impl import deep\n",
    "lib/impl.py": """\
        from thirdparty import wrap


        def deep(n, client):
            return _inner(n, client)


        def _inner(n, c):
            registry = {}
            registry[n] = c
            return wrap(c)
    """,
}


def test_a_client_escaping_in_a_function_of_another_module_moves_only_unsafely(
    tmp_path, monkeypatch
) -> None:
    root = _project(tmp_path, TRANSITIVE)
    out = _check(root, monkeypatch)
    (line,) = [x for x in out.splitlines() if x.startswith("app.py:5:10: OR101")]
    assert "unsafe fix: the client is passed to `run` (line 6), where it is passed to " in line
    assert "`somelib.wrap` (helpers.py:5)" in line, line
    # two hops (a re-export, then a function of that module), named where it escapes
    assert "is passed to `deep` (line 7), where it" in line, line
    assert "where it is stored in `registry[...]` (lib/impl.py:10)" in line, line
    assert "and 1 more" in line, line  # wrap(c) (lib/impl.py:11)
    assert "app.py:8:42: OR201 model 'gpt-4o' is not an OpenRouter ID" in out
    assert "app.py:8:42: OR201 [*]" not in out
    before = (root / "app.py").read_text()
    _migrate(root, monkeypatch)
    assert (root / "app.py").read_text() == before  # the client and its model stay together


def test_a_function_of_another_module_that_only_calls_the_sdk_keeps_the_move_safe(
    tmp_path, monkeypatch
) -> None:
    root = _project(
        tmp_path,
        {
            "app.py": """\
                from openai import OpenAI
                from helpers import run

                client = OpenAI()
                run(client, "hi")
            """,
            "helpers.py": """\
                from lib import ask


                def run(c, text):
                    print(c)
                    return ask(c, [{"role": "user", "content": text}])
            """,
            "lib.py": """\
                def ask(client, messages):
                    return client.chat.completions.create(model="gpt-4o", messages=messages)
            """,
        },
    )
    out = _check(root, monkeypatch)
    assert "unsafe" not in out, out
    assert "app.py:4:10: OR101 [*]" in out, out
    _migrate(root, monkeypatch)
    assert "base_url" in (root / "app.py").read_text()
    assert '"openai/gpt-4o"' in (root / "lib.py").read_text()


def test_a_function_imported_from_outside_the_run_is_an_escape(tmp_path, monkeypatch) -> None:
    # ``from somelib import wrap`` in a project: no module of the run defines it
    root = _project(
        tmp_path,
        {
            "app.py": """\
                from openai import OpenAI
                from somelib import wrap

                client = OpenAI()
                wrap(client)
            """,
            "util.py": "def ping(c):\n    return c\n",
        },
    )
    out = _check(root, monkeypatch)
    assert "app.py:4:10: OR101 `OpenAI(...)`" in out, out
    assert "the client is passed to `wrap` (line 5), whose requests the tool cannot" in out


def _json_findings(root, *args: str) -> dict[str, list[tuple]]:
    import json

    from tests.conftest import run_cli

    code, out, err = run_cli(["check", "--no-cache", "--output-format", "json", *args], cwd=root)
    assert code in (0, 1), err
    found: dict[str, list[tuple]] = {}
    for f in json.loads(out)["findings"]:
        found.setdefault(f["path"], []).append((f["line"], f["code"], f["message"], f.get("fix")))
    return found


HANDED_ON = {
    "b.py": """\
        from openai import OpenAI

        client = OpenAI()
    """,
    # never names openai; its own public function hands the client on: that
    # it is one only this file calls is known late in the project pass
    "a.py": """\
        import somelib
        from b import client


        def helper(c):
            return somelib.wrap(c)


        helper(client)
    """,
    "c.py": """\
        from b import client

        client.chat.completions.create(model="gpt-4o", messages=[])
    """,
}


def test_a_client_handed_on_by_another_module_moves_only_unsafely_everywhere(
    tmp_path, monkeypatch
) -> None:
    root = _project(tmp_path, HANDED_ON)
    (root / ".git").mkdir()  # the project root, for the single-file runs
    whole = _json_findings(root, ".")
    ((line, code, message, _),) = whole["b.py"]
    assert (line, code) == (3, "OR101"), whole
    assert "another module hands it on: the client is passed to `somelib.wrap` (a.py:6)" in (
        message
    )
    # the importer's model follows the final decision for the client
    ((line, code, message, _),) = whole["c.py"]
    assert (line, code) == (3, "OR201") and "unsafe fix" in message, whole
    for rel in ("a.py", "b.py", "c.py"):  # pre-commit: a file named alone
        assert _json_findings(root, rel).get(rel, []) == whole.get(rel, []), rel
    before = {rel: (root / rel).read_text() for rel in HANDED_ON}
    _migrate(root, monkeypatch)
    assert {rel: (root / rel).read_text() for rel in HANDED_ON} == before


# ---- a function read off a module imported whole: ``a.ask(client)`` --------

WHOLE_MODULE = {
    "pkg/__init__.py": "",
    # never names openai: hands the client to a library
    "pkg/a.py": """\
        import somelib


        def ask(c, text):
            return somelib.wrap(c, text)
    """,
    # only calls the SDK with the client it is given
    "pkg/sdk.py": """\
        def ask(client, text):
            return client.chat.completions.create(
                model="gpt-4o-mini", messages=[{"role": "user", "content": text}]
            )
    """,
}


@pytest.mark.parametrize(
    ("imports", "callee"),
    [
        ("import pkg.{m} as m", "m.ask"),
        ("from pkg import {m}", "{m}.ask"),
        ("import pkg.{m}", "pkg.{m}.ask"),
    ],
)
def test_a_function_of_a_module_imported_whole_is_followed_for_escapes(
    tmp_path, monkeypatch, imports: str, callee: str
) -> None:
    for m, safe in (("a", False), ("sdk", True)):
        # (only the module called: another one defining ``ask`` too is read
        # as text and may call it with something else)
        module = {k: v for k, v in WHOLE_MODULE.items() if k in ("pkg/__init__.py", f"pkg/{m}.py")}
        root = _project(
            tmp_path / m,
            {
                **module,
                "app.py": f"""\
                    from openai import OpenAI
                    {imports.format(m=m)}

                    client = OpenAI()
                    {callee.format(m=m)}(client, "hi")
                """,
            },
        )
        (root / ".git").mkdir()  # the project root, for the single-file run
        out = _check(root, monkeypatch)
        if safe:
            # followed into pkg/sdk.py: its model moves with the client
            assert "unsafe" not in out, out
            assert "app.py:4:10: OR101 [*]" in out, out
            assert "pkg/sdk.py:3:15: OR201 [*]" in out, out
        else:
            (line,) = [x for x in out.splitlines() if x.startswith("app.py:4:10: OR101")]
            assert (
                f"unsafe fix: the client is passed to `{callee.format(m=m)}` (line 5), where "
                "it is passed to `somelib.wrap` (pkg/a.py:5), whose requests" in line
            ), line
        whole = _json_findings(root, ".")
        assert _json_findings(root, "app.py").get("app.py") == whole["app.py"]
        before = (root / "app.py").read_text()
        _migrate(root, monkeypatch)
        assert ("base_url" in (root / "app.py").read_text()) is safe
        if safe:
            assert '"openai/gpt-4o-mini"' in (root / "pkg/sdk.py").read_text()
        else:
            assert (root / "app.py").read_text() == before


def test_a_parameter_passed_on_to_a_module_imported_whole_is_followed(
    tmp_path, monkeypatch
) -> None:
    # two hops: pkg/relay.py hands its parameter to ``store.keep`` (``from pkg
    # import store``), which puts it in a list
    root = _project(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/relay.py": """\
                from pkg import store


                def pass_on(c):
                    return store.keep(c)
            """,
            "pkg/store.py": """\
                KEPT = {}


                def keep(c):
                    KEPT["c"] = c
            """,
            "app.py": """\
                from openai import OpenAI
                from pkg.relay import pass_on

                client = OpenAI()
                pass_on(client)
            """,
        },
    )
    out = _check(root, monkeypatch)
    (line,) = [x for x in out.splitlines() if x.startswith("app.py:4:10: OR101")]
    assert (
        "is passed to `pass_on` (line 5), where it is stored in `KEPT[...]` (pkg/store.py:5)"
        in (line)
    ), line


def test_a_module_name_shadowed_by_a_parameter_is_not_followed(tmp_path, monkeypatch) -> None:
    # ``m`` in ``go`` is whatever the caller passes, not ``pkg.sdk``: what
    # ``m.ask`` does with the client is not known (a guard: main took every
    # ``m.f(client)`` for an escape)
    root = _project(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/sdk.py": WHOLE_MODULE["pkg/sdk.py"],
            "app.py": """\
                from openai import OpenAI
                import pkg.sdk as m

                client = OpenAI()


                def go(m):
                    return m.ask(client, "hi")
            """,
        },
    )
    out = _check(root, monkeypatch)
    (line,) = [x for x in out.splitlines() if x.startswith("app.py:4:10: OR101")]
    assert "the client is passed to `m.ask` (line 8), whose requests the tool" in line, line


@pytest.mark.parametrize(
    ("imports", "call", "shown"),
    [
        # a library imported by name: known only once a.py knows its
        # ``helper`` is called from nowhere else (the clients phase)
        ("from somelib import wrap", "wrap(c)", "passed to `wrap` (a.py:6)"),
        # a function of a module of the run that stores it (where is said
        # in a.py's terms: a.py's own finding names d.py:5)
        ("from d import keep", "keep(c)", "passed to `keep` (a.py:6), which hands it on"),
        ("import d", "d.keep(c)", "passed to `d.keep` (a.py:6), which hands it on"),
    ],
)
def test_a_client_handed_on_inside_a_public_function_of_another_module_is_told(
    tmp_path, monkeypatch, imports: str, call: str, shown: str
) -> None:
    files = dict(HANDED_ON)
    files["a.py"] = f"""\
        {imports}
        from b import client


        def helper(c):
            return {call}


        helper(client)
    """
    files["d.py"] = """\
        KEPT = {}


        def keep(c):
            KEPT["c"] = c
    """
    root = _project(tmp_path, files)
    (root / ".git").mkdir()
    whole = _json_findings(root, ".")
    ((line, code, message, _),) = whole["b.py"]
    assert (line, code) == (3, "OR101"), whole
    assert "another module hands it on: the client is " + shown in message, message
    ((line, code, message, _),) = whole["c.py"]
    assert (line, code) == (3, "OR201") and "unsafe fix" in message, whole
    for rel in ("a.py", "b.py", "c.py"):
        assert _json_findings(root, rel).get(rel, []) == whole.get(rel, []), rel
    before = (root / "b.py").read_text()
    _migrate(root, monkeypatch)
    assert (root / "b.py").read_text() == before


# ---- a client of another module kept in a container -------------------------


@pytest.mark.parametrize(
    ("use", "shown"),
    [
        (
            "import a\n\nREGISTRY = {}\n\n\ndef register(k):\n    REGISTRY[k] = a.client\n",
            "stored in `REGISTRY[...]` (b.py:7)",
        ),
        ("from a import client\n\nPOOL = [client]\n", "put in a container (`POOL`) (b.py:3)"),
        (
            'from a import client\n\nOPTIONS = {"client": client, "retries": 2}\n',
            "put in a container (`OPTIONS`) (b.py:3)",
        ),
        ("import a\n\nPAIR = (a.client, 1)\n", "put in a container (`PAIR`) (b.py:3)"),
        (
            "from a import client\nfrom settings import holder\n\nholder.llm = client\n",
            "stored in `holder.llm` (b.py:4)",
        ),
        (
            'import a\n\n\ndef setup(fn):\n    fn({"c": [a.client]})\n',
            "passed to `fn` (b.py:5)",
        ),
    ],
)
def test_a_client_kept_in_a_container_of_another_module_moves_only_unsafely(
    tmp_path, monkeypatch, use: str, shown: str
) -> None:
    root = _project(
        tmp_path,
        {
            "a.py": """\
                from openai import OpenAI

                client = OpenAI()
                client.chat.completions.create(model="gpt-4o", messages=[])
            """,
            "b.py": use,  # never names openai
        },
    )
    (root / ".git").mkdir()
    whole = _json_findings(root, ".")
    assert set(whole) == {"a.py"}, whole
    (client,) = [f for f in whole["a.py"] if f[1] == "OR101"]
    assert client[0] == 3 and "another module hands it on: the client is " + shown in client[2], (
        client
    )
    (model,) = [f for f in whole["a.py"] if f[1] == "OR201"]
    assert "unsafe fix" in model[2], model
    for rel in ("a.py", "b.py"):
        assert _json_findings(root, rel).get(rel, []) == whole.get(rel, []), rel
    before = (root / "a.py").read_text()
    _migrate(root, monkeypatch)
    assert (root / "a.py").read_text() == before


def test_a_client_of_another_module_kept_on_self_or_aliased_stays_safe(
    tmp_path, monkeypatch
) -> None:
    # (a guard: followed by the resolver, not containers)
    root = _project(
        tmp_path,
        {
            "a.py": "from openai import OpenAI\n\nclient = OpenAI()\n",
            "b.py": """\
                import a
                from a import client

                llm = a.client


                class Chat:
                    def __init__(self):
                        self.client = client

                    def ask(self):
                        return self.client.chat.completions.create(model="gpt-4o", messages=[])


                def again():
                    return llm.chat.completions.create(model="gpt-4o-mini", messages=[])
            """,
        },
    )
    out = _check(root, monkeypatch)
    assert "unsafe" not in out, out
    assert "a.py:3:10: OR101 [*]" in out, out
