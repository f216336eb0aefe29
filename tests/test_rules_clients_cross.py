"""A client decided from the whole program (issue 11 items 2, 3, 9): its uses
in other modules (imports, factories, pytest fixtures in conftest.py) count
for OR119; a parameter annotated ``OpenAI`` with no caller in the run; OR301
only on a receiver that certainly is the OpenAI client."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.helpers import cli_runner, codes, migrated


def _tree(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n')
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def _findings(root: Path, monkeypatch, *paths: str) -> list[dict]:
    """check's JSON findings (file, line, code, message, fix applicability)."""
    from codemods.cli import main

    monkeypatch.chdir(root)
    args = ["check", "--no-cache", "--jobs", "1", "--output-format", "json"]
    r = cli_runner().invoke(main, [*args, *(paths or ["."])])
    assert r.exit_code in (0, 1, 2), r.output + r.stderr  # 2: a file with a syntax error
    return [
        {
            "file": f["path"].replace("\\", "/").removeprefix("./"),
            "line": f["line"],
            "code": f["code"],
            "message": f["message"],
            "fix": f["applicability"],
        }
        for f in json.loads(r.stdout)["findings"]
    ]


def _migrate(root: Path, monkeypatch, *extra: str, broken: bool = False) -> None:
    from codemods.cli import main

    monkeypatch.chdir(root)
    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", *extra, "."])
    assert r.exit_code in ((0, 1, 2) if broken else (0, 1)), r.output + r.stderr


# ---------------------------------------------------------------- uses in other modules

CLIENTS = """\
    from openai import OpenAI
    client = OpenAI()
    def get_client():
        return OpenAI()
"""


@pytest.mark.parametrize(
    "use",
    [
        'client.files.create(file=fh, purpose="batch")',
        'get_client().batches.create(input_file_id="f", endpoint="/v1/chat/completions", '
        'completion_window="24h")',
        'c = get_client()\ndef run():\n    return c.vector_stores.create(name="kb")',
    ],
)
def test_a_client_used_only_in_another_module_for_unserved_endpoints_stays(
    tmp_path, monkeypatch, use: str
) -> None:
    # b.py never names openai (nor "model"): the run still reads it
    root = _tree(
        tmp_path, {"a.py": CLIENTS, "b.py": "from a import client, get_client\n" + use + "\n"}
    )
    found = [f for f in _findings(root, monkeypatch) if f["file"] == "a.py"]
    left = [f for f in found if f["code"] == "OR119"]
    assert len(left) == 1, found
    assert "in b.py:" in left[0]["message"]
    assert [f["code"] for f in found].count("OR101") == 1  # the other, unused, client
    _migrate(root, monkeypatch)
    assert (root / "a.py").read_text().count("openrouter.ai") == 1


def test_a_client_used_elsewhere_for_something_served_is_migrated_and_each_unserved_call_reported(
    tmp_path, monkeypatch
) -> None:
    root = _tree(
        tmp_path,
        {
            "a.py": CLIENTS,
            "b.py": """\
                from a import client
                def upload(fh):
                    return client.files.create(file=fh, purpose="batch")
            """,
            "c.py": """\
                from a import client
                def ask():
                    return client.chat.completions.create(model="gpt-4o", messages=[])
            """,
        },
    )
    found = _findings(root, monkeypatch)
    assert {(f["file"], f["code"]) for f in found} >= {
        ("a.py", "OR101"),
        ("b.py", "OR301"),
        ("c.py", "OR201"),
    }
    assert not [f for f in found if f["code"] == "OR119"]
    assert next(f for f in found if f["file"] == "c.py")["fix"] == "safe"


def test_findings_are_the_same_checked_alone_or_with_the_tree(tmp_path, monkeypatch) -> None:
    root = _tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/clients.py": CLIENTS,
            "pkg/jobs.py": "from pkg.clients import client\nclient.batches.list()\n",
            "pkg/chat.py": """\
                from pkg.clients import get_client
                get_client().chat.completions.create(model="gpt-4o-mini", messages=[])
                get_client().files.list()
            """,
            "tests/conftest.py": """\
                import pytest
                from openai import OpenAI
                @pytest.fixture
                def client():
                    yield OpenAI()
            """,
            "tests/test_x.py": "def test_x(client):\n    client.files.list()\n",
        },
    )
    whole = _findings(root, monkeypatch)
    for name in ("pkg/clients.py", "pkg/jobs.py", "pkg/chat.py", "tests/conftest.py"):
        alone = _findings(root, monkeypatch, name)
        assert alone == [f for f in whole if f["file"] == name], name
    codes_of = {(f["file"], f["code"]) for f in whole}
    assert ("pkg/clients.py", "OR119") in codes_of and ("tests/conftest.py", "OR119") in codes_of
    assert ("pkg/chat.py", "OR301") in codes_of


def test_a_module_imported_whole_keeps_deciding_on_its_own_uses(tmp_path, monkeypatch) -> None:
    # `import a` elsewhere: the run cannot count every use of a.client, so
    # a.py decides on its own uses (none here: migrated), as before
    root = _tree(
        tmp_path,
        {
            "a.py": CLIENTS,
            "b.py": "from a import client\nclient.files.list()\n",
            "c.py": "import a\nprint(a.client)\n",
        },
    )
    found = [f["code"] for f in _findings(root, monkeypatch) if f["file"] == "a.py"]
    assert found == ["OR101", "OR101"]


def test_a_file_the_tool_cannot_read_that_names_the_client_keeps_the_old_decision(
    tmp_path, monkeypatch
) -> None:
    root = _tree(
        tmp_path,
        {
            "a.py": CLIENTS,
            "b.py": "from a import client\nclient.files.list()\n",
            "c.py": "from a import client\nclient.chat.completions.create(\n",  # syntax error
        },
    )
    found = [f["code"] for f in _findings(root, monkeypatch) if f["file"] == "a.py"]
    assert found == ["OR101", "OR101"]


@pytest.mark.parametrize(
    "files",
    [
        # passed to a function: its uses there are not counted
        {"c.py": "from a import client\nfrom helpers import ask\nask(client)\n"},
        # re-exported by a package and used through it
        {
            "pkg/__init__.py": "from a import client\n",
            "d.py": "from pkg import client\nclient.chat.completions.create(model=M, messages=[])\n",
        },
        # bound to another module-level name that another module imports
        {
            "c.py": "from a import client\nshared = client\n",
            "d.py": "from c import shared\nshared.chat.completions.create(model=M, messages=[])\n",
        },
        # returned by a function of the importing module
        {"c.py": "from a import client\ndef get():\n    return client\n"},
    ],
)
def test_a_client_passed_on_by_another_module_keeps_deciding_on_its_own_uses(
    tmp_path, monkeypatch, files: dict[str, str]
) -> None:
    files = {"a.py": CLIENTS, "b.py": "from a import client\nclient.files.list()\n", **files}
    root = _tree(tmp_path, files)
    found = [f["code"] for f in _findings(root, monkeypatch) if f["file"] == "a.py"]
    assert found == ["OR101", "OR101"]


# ---------------------------------------------------------------- a module imported whole

WHOLE_CLIENTS = "from openai import OpenAI\nclient = OpenAI()\n"
UPLOAD = """\
    from pkg.clients import client
    def up(p):
        return client.files.create(file=open(p, "rb"), purpose="batch")
"""
BATCH_CALL = (
    '.batches.create(input_file_id="f", endpoint="/v1/chat/completions", completion_window="24h")'
)
# (the import, how the client is read through it)
WHOLE_IMPORTS = [
    ("from pkg import clients", "clients.client"),
    ("from . import clients", "clients.client"),
    ("import pkg.clients as c", "c.client"),
    ("import pkg.clients", "pkg.clients.client"),
]


@pytest.mark.parametrize(("imports", "client"), WHOLE_IMPORTS)
def test_uses_through_a_module_imported_whole_count_where_the_client_is_built(
    tmp_path, monkeypatch, imports: str, client: str
) -> None:
    # review (x4): batch.py made pkg/clients.py decide on its own uses (none):
    # migrated with a safe fix, breaking both calls
    root = _tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/clients.py": WHOLE_CLIENTS,
            "pkg/upload.py": UPLOAD,
            "pkg/batch.py": f"{imports}\ndef go():\n    return {client}{BATCH_CALL}\n",
        },
    )
    found = _findings(root, monkeypatch)
    mine = [f for f in found if f["file"] == "pkg/clients.py"]
    assert [f["code"] for f in mine] == ["OR119"], found
    assert "`batches.create` in batch.py:3" in mine[0]["message"]
    assert "`files.create` in upload.py:3" in mine[0]["message"]
    assert not [f for f in found if f["code"] in ("OR101", "OR301")]
    for name in ("pkg/clients.py", "pkg/batch.py", "pkg/upload.py"):
        assert _findings(root, monkeypatch, name) == [f for f in found if f["file"] == name]


@pytest.mark.parametrize(("imports", "client"), WHOLE_IMPORTS)
def test_a_model_sent_through_a_module_imported_whole_moves_with_its_client(
    tmp_path, monkeypatch, imports: str, client: str
) -> None:
    # review (x2): the client moved (safe) while the model's fix was unsafe
    # ("client not resolved"): plain migrate sent OpenRouter a bare gpt-4o
    chat = f'{imports}\ndef ask():\n    return {client}.chat.completions.create(model="gpt-4o", messages=[])\n'
    root = _tree(
        tmp_path,
        {"pkg/__init__.py": "", "pkg/clients.py": WHOLE_CLIENTS, "pkg/chat.py": chat},
    )
    found = _findings(root, monkeypatch)
    assert {(f["file"], f["code"], f["fix"]) for f in found} == {
        ("pkg/clients.py", "OR101", "safe"),
        ("pkg/chat.py", "OR201", "safe"),
    }
    assert _findings(root, monkeypatch, "pkg/chat.py") == [
        f for f in found if f["file"] == "pkg/chat.py"
    ]
    _migrate(root, monkeypatch)
    assert "openrouter.ai" in (root / "pkg/clients.py").read_text()
    assert 'model="openai/gpt-4o"' in (root / "pkg/chat.py").read_text()


# a submodule of a package imported whole: (the import, how the client is read)
PACKAGE_IMPORTS = [
    ("from pkg import sub", "sub.clients.client"),
    ("from . import sub", "sub.clients.client"),
    ("import pkg.sub", "pkg.sub.clients.client"),
    ("import pkg.sub as s", "s.clients.client"),
    ("import pkg", "pkg.sub.clients.client"),
]


def _package(root: Path, user: str) -> Path:
    return _tree(
        root,
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "",
            "pkg/sub/clients.py": WHOLE_CLIENTS,
            "pkg/user.py": user,
        },
    )


@pytest.mark.parametrize(("imports", "client"), PACKAGE_IMPORTS)
def test_a_model_sent_through_a_submodule_of_a_package_imported_whole_moves_with_its_client(
    tmp_path, monkeypatch, imports: str, client: str
) -> None:
    # the model fix was unsafe ("client not resolved") while the client moved
    chat = f'{imports}\ndef ask():\n    return {client}.chat.completions.create(model="gpt-4o", messages=[])\n'
    root = _package(tmp_path, chat)
    found = _findings(root, monkeypatch)
    assert {(f["file"], f["code"], f["fix"]) for f in found} == {
        ("pkg/sub/clients.py", "OR101", "safe"),
        ("pkg/user.py", "OR201", "safe"),
    }
    assert _findings(root, monkeypatch, "pkg/user.py") == [
        f for f in found if f["file"] == "pkg/user.py"
    ]
    _migrate(root, monkeypatch)
    assert "openrouter.ai" in (root / "pkg/sub/clients.py").read_text()
    assert 'model="openai/gpt-4o"' in (root / "pkg/user.py").read_text()


@pytest.mark.parametrize(("imports", "client"), PACKAGE_IMPORTS)
def test_uses_through_a_submodule_of_a_package_imported_whole_count_where_the_client_is_built(
    tmp_path, monkeypatch, imports: str, client: str
) -> None:
    root = _package(tmp_path, f"{imports}\ndef go():\n    return {client}{BATCH_CALL}\n")
    found = _findings(root, monkeypatch)
    assert [(f["file"], f["code"]) for f in found] == [("pkg/sub/clients.py", "OR119")], found
    assert "`batches.create` in ../user.py:3" in found[0]["message"]


def test_an_unserved_call_through_a_module_imported_whole_is_reported_alone_or_with_the_tree(
    tmp_path, monkeypatch
) -> None:
    # the client is migrated (chat.py sends it a served call): batch.py's
    # call gets its OR301 whether batch.py is checked alone (pre-commit) or not
    root = _tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/clients.py": WHOLE_CLIENTS,
            "pkg/chat.py": "from pkg import clients\n"
            'clients.client.chat.completions.create(model="openai/gpt-4o", messages=[])\n',
            "pkg/batch.py": f"from pkg import clients\ndef go():\n    return clients.client{BATCH_CALL}\n",
        },
    )
    found = _findings(root, monkeypatch)
    assert ("pkg/batch.py", "OR301") in {(f["file"], f["code"]) for f in found}
    assert ("pkg/clients.py", "OR101") in {(f["file"], f["code"]) for f in found}
    for name in ("pkg/batch.py", "pkg/clients.py", "pkg/chat.py"):
        assert _findings(root, monkeypatch, name) == [f for f in found if f["file"] == name]


def test_a_parameter_named_like_a_module_imported_whole_is_not_that_module(
    tmp_path, monkeypatch
) -> None:
    root = _tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/clients.py": WHOLE_CLIENTS,
            "pkg/chat.py": "from pkg import clients\n"
            "def ask(clients):\n"
            '    return clients.client.chat.completions.create(model="gpt-4o", messages=[])\n',
        },
    )
    found = _findings(root, monkeypatch)
    assert ("pkg/chat.py", "OR201", "unsafe") in {(f["file"], f["code"], f["fix"]) for f in found}


@pytest.mark.parametrize(
    "other",
    [
        'from pkg import clients\nc = getattr(clients, "client")\n',
        "from pkg import clients\nfrom helpers import run\nrun(clients)\n",
        "import pkg.clients\nmod = pkg.clients\n",
        "from pkg.clients import client\nclient.chat.completions.create(\n",  # syntax error
    ],
)
def test_a_client_whose_uses_are_not_all_known_moves_only_as_an_unsafe_fix(
    tmp_path, monkeypatch, other: str
) -> None:
    # upload.py uses it for an endpoint OpenRouter does not serve; other.py
    # may use it for anything: neither OR119 nor a safe move is right
    root = _tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/clients.py": WHOLE_CLIENTS,
            "pkg/upload.py": UPLOAD,
            "pkg/other.py": other,
        },
    )
    found = _findings(root, monkeypatch)
    mine = [f for f in found if f["file"] == "pkg/clients.py"]
    assert [(f["code"], f["fix"]) for f in mine] == [("OR101", "unsafe")], found
    assert "other.py reads its module in a way the tool cannot follow" in mine[0]["message"]
    assert _findings(root, monkeypatch, "pkg/upload.py") == [
        f for f in found if f["file"] == "pkg/upload.py"
    ]
    _migrate(root, monkeypatch, broken=True)  # a file with a syntax error: 2
    assert "openrouter.ai" not in (root / "pkg/clients.py").read_text()


def test_a_client_whose_unknown_uses_hide_no_unserved_one_is_still_a_safe_move(
    tmp_path, monkeypatch
) -> None:
    root = _tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/clients.py": WHOLE_CLIENTS,
            "pkg/chat.py": "from pkg.clients import client\n"
            'client.chat.completions.create(model="openai/gpt-4o", messages=[])\n',
            "pkg/other.py": 'from pkg import clients\nc = getattr(clients, "client")\n',
        },
    )
    mine = [f for f in _findings(root, monkeypatch) if f["file"] == "pkg/clients.py"]
    assert [(f["code"], f["fix"]) for f in mine] == [("OR101", "safe")]


# ---------------------------------------------------------------- pytest fixtures

CONFTEST = """\
    import pytest
    import pytest_asyncio
    from openai import AsyncOpenAI, OpenAI

    @pytest.fixture
    def client():
        return OpenAI()

    @pytest.fixture(name="files_client")
    def _files_client():
        yield OpenAI()

    @pytest_asyncio.fixture
    async def aclient():
        async with AsyncOpenAI() as c:
            yield c
"""


def test_a_conftest_fixture_resolves_its_test_parameters(tmp_path, monkeypatch) -> None:
    root = _tree(
        tmp_path,
        {
            "tests/conftest.py": CONFTEST,
            "tests/test_chat.py": """\
                import pytest
                def test_chat(client):
                    client.chat.completions.create(model="gpt-4o", messages=[])
                async def test_async(aclient):
                    await aclient.chat.completions.create(model="gpt-4o-mini", messages=[])
                def test_upload(files_client):
                    files_client.files.create(file=b"x", purpose="batch")
                @pytest.mark.parametrize("client", [object()])
                def test_param(client):
                    client.chat.completions.create(model="gpt-4.1", messages=[])
            """,
        },
    )
    found = _findings(root, monkeypatch)
    models = {f["line"]: f["fix"] for f in found if f["file"] == "tests/test_chat.py"}
    assert models == {3: "safe", 5: "safe", 10: "unsafe"}
    conftest = [(f["line"], f["code"]) for f in found if f["file"] == "tests/conftest.py"]
    assert conftest == [(7, "OR101"), (11, "OR119"), (15, "OR101")]
    left = next(f for f in found if f["code"] == "OR119")
    assert "`files.create` in test_chat.py:7" in left["message"]


def test_the_nearest_conftest_fixture_wins(tmp_path, monkeypatch) -> None:
    root = _tree(
        tmp_path,
        {
            "tests/conftest.py": CONFTEST,
            "tests/local/conftest.py": """\
                import pytest
                from openai import OpenAI
                @pytest.fixture
                def client():
                    return OpenAI(base_url="http://localhost:8000/v1", api_key="x")
            """,
            "tests/local/test_local.py": """\
                def test_local(client):
                    client.chat.completions.create(model="gpt-4o", messages=[])
            """,
            "tests/test_top.py": """\
                def test_top(client):
                    client.chat.completions.create(model="gpt-4o", messages=[])
            """,
        },
    )
    found = _findings(root, monkeypatch)
    assert not [f for f in found if f["file"] == "tests/local/test_local.py"]
    assert [f["fix"] for f in found if f["file"] == "tests/test_top.py"] == ["safe"]


def test_a_fixture_of_the_same_module_resolves_its_tests() -> None:
    src = """\
    import pytest
    from openai import OpenAI

    @pytest.fixture
    def client():
        yield OpenAI()

    @pytest.fixture
    def uploader():
        return OpenAI()

    def test_chat(client):
        client.chat.completions.create(model="gpt-4o", messages=[])

    class TestUpload:
        def test_upload(self, uploader):
            uploader.files.create(file=b"x", purpose="batch")
    """
    found = codes(src)
    assert found.count("OR119") == 1 and found.count("OR101") == 1
    out = migrated(src)
    assert 'model="openai/gpt-4o"' in out
    assert out.count("openrouter.ai") == 1


# ---------------------------------------------------------------- annotated parameters

HELPERS = """\
    from typing import Optional
    import openai
    from openai import AsyncOpenAI, OpenAI

    def summarize(client: OpenAI, text):
        return client.chat.completions.create(model="gpt-4o", messages=[])

    def classify(client: "Optional[openai.OpenAI]", text):
        return client.chat.completions.create(model="gpt-4o-mini", messages=[])

    async def embed(client: AsyncOpenAI | None, text):
        return await client.embeddings.create(model="text-embedding-3-small", input=text)

    def tag(client, text):
        return client.chat.completions.create(model="gpt-4.1", messages=[])
"""


def test_an_annotated_parameter_is_safe_when_every_client_of_the_run_is_migrated(
    tmp_path, monkeypatch
) -> None:
    root = _tree(
        tmp_path,
        {"helpers.py": HELPERS, "main.py": "from openai import OpenAI\nclient = OpenAI()\n"},
    )
    found = _findings(root, monkeypatch)
    fixes = {f["line"]: f["fix"] for f in found if f["file"] == "helpers.py"}
    assert fixes == {6: "safe", 9: "safe", 12: "safe", 15: "unsafe"}
    assert _findings(root, monkeypatch, "helpers.py") == [
        f for f in found if f["file"] == "helpers.py"
    ]


@pytest.mark.parametrize(
    "other",
    [
        'OpenAI(base_url="http://localhost:8000/v1")',  # OR104
        "OpenAI(provider=bedrock())",  # OR118
        "AzureOpenAI(azure_endpoint='https://x.openai.azure.com', api_version='2024-06-01')",
        "OpenAI(api_key=settings.key)",  # OR103
    ],
)
def test_an_annotated_parameter_stays_unsafe_when_a_client_of_the_run_is_left(
    tmp_path, monkeypatch, other: str
) -> None:
    main = f"from openai import AzureOpenAI, OpenAI\nclient = OpenAI()\nother = {other}\n"
    root = _tree(tmp_path, {"helpers.py": HELPERS, "main.py": main})
    fixes = {f["line"]: f["fix"] for f in _findings(root, monkeypatch) if f["file"] == "helpers.py"}
    assert fixes == {6: "unsafe", 9: "unsafe", 12: "unsafe", 15: "unsafe"}


def test_an_annotated_parameter_with_no_client_in_the_run_is_unsafe(tmp_path, monkeypatch) -> None:
    root = _tree(tmp_path, {"helpers.py": HELPERS, "other.py": "import os\n"})
    fixes = {f["fix"] for f in _findings(root, monkeypatch) if f["file"] == "helpers.py"}
    assert fixes == {"unsafe"}


def test_an_annotated_parameter_checked_without_a_project_is_unsafe() -> None:
    # one file, no project around it: the run's clients are unknown
    src = "from openai import OpenAI\ndef f(client: OpenAI):\n"
    src += '    return client.chat.completions.create(model="gpt-4o", messages=[])\n'
    assert migrated(src) == src


# ---------------------------------------------------------------- OR301 on a rebound receiver


def test_unsupported_calls_on_a_name_that_may_be_another_sdks_client_are_not_reported() -> None:
    src = """\
    import os
    import anthropic
    from openai import OpenAI
    if os.environ.get("P") == "anthropic":
        client = anthropic.Anthropic()
    else:
        client = OpenAI()
    client.files.create(file=b"x", purpose="batch")
    oa = OpenAI()
    oa.chat.completions.create(model="gpt-4o", messages=[])
    oa.batches.create(input_file_id="f", endpoint="/v1/chat/completions", completion_window="24h")
    """
    from tests.helpers import run

    found = [(f.line, f.code) for f in run(src).findings]
    assert (8, "OR301") not in found and (11, "OR301") in found
    assert (7, "OR119") in found and (9, "OR101") in found


# ---------------------------------------------------------------- a client that stays, imported


@pytest.mark.parametrize("how", ["noqa", "ignore"])
@pytest.mark.parametrize("paths", [(), ("b.py",)])
def test_models_sent_through_an_imported_suppressed_client_stay(
    tmp_path: Path, monkeypatch, how: str, paths: tuple[str, ...]
) -> None:
    # a.py's client stays on OpenAI (noqa'd, or OR101 not selected): b.py's
    # model stays with it, in the whole run and with b.py checked alone
    # (issue 11 item 4: a client and its models move together or not at all)
    noqa = "  # noqa: OR101" if how == "noqa" else ""
    root = _tree(
        tmp_path,
        {
            "a.py": f"from openai import OpenAI\nclient = OpenAI(){noqa}\n",
            "b.py": (
                "from a import client\n"
                'client.chat.completions.create(model="gpt-4o", messages=[])\n'
            ),
        },
    )
    extra = ("--ignore", "OR101") if how == "ignore" else ()
    found = _findings(root, monkeypatch, *extra, *(paths or ["."]))
    assert [f for f in found if f["file"] == "b.py"] == []
    _migrate(root, monkeypatch, *extra)
    assert "gpt-4o" in (root / "b.py").read_text()
    assert "openai/" not in (root / "b.py").read_text()
    assert "openrouter" not in (root / "a.py").read_text()


def test_models_sent_through_an_imported_client_still_move_without_noqa(
    tmp_path: Path, monkeypatch
) -> None:
    root = _tree(
        tmp_path,
        {
            "a.py": "from openai import OpenAI\nclient = OpenAI()\n",
            "b.py": (
                "from a import client\n"
                'client.chat.completions.create(model="gpt-4o", messages=[])\n'
            ),
        },
    )
    for paths in ((), ("b.py",)):
        found = _findings(root, monkeypatch, *paths)
        assert [(f["file"], f["code"]) for f in found if f["file"] == "b.py"] == [("b.py", "OR201")]


# ------------------------------------------ per-client facts found in another module

# (the import, how the client is read through it)
CLIENT_READS = [
    ("from clients import client", "client"),
    ("import clients", "clients.client"),
]
CLIENT_MODULE = "from openai import OpenAI\n\nclient = OpenAI()\n"


@pytest.mark.parametrize(("imports", "client"), CLIENT_READS)
@pytest.mark.parametrize(
    "mode", ["MD_JSON", "PARALLEL_TOOLS", "JSON_SCHEMA", "RESPONSES_TOOLS", "TOOLS_STRICT"]
)
def test_an_instructor_mode_refused_in_another_module_keeps_the_client_on_openai(
    tmp_path, monkeypatch, imports: str, client: str, mode: str
) -> None:
    # review: the same-file wrap kept the client (OR121); wrapped in app.py,
    # clients.py moved and instructor raised AssertionError at import time
    app = (
        f"import instructor\n{imports}\n"
        f"structured = instructor.from_openai({client}, mode=instructor.Mode.{mode})\n"
        "def ask():\n"
        '    return structured.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    root = _tree(tmp_path, {"clients.py": CLIENT_MODULE, "app.py": app})
    found = _findings(root, monkeypatch)
    assert [(f["file"], f["line"], f["code"]) for f in found] == [("clients.py", 3, "OR121")]
    assert f"(in app.py:3) with mode `instructor.Mode.{mode}`" in found[0]["message"]
    for name in ("clients.py", "app.py"):
        assert _findings(root, monkeypatch, name) == [f for f in found if f["file"] == name]
    _migrate(root, monkeypatch)
    assert (root / "clients.py").read_text() == CLIENT_MODULE
    assert (root / "app.py").read_text() == app


def test_an_instructor_mode_openrouter_accepts_in_another_module_moves_the_client(
    tmp_path, monkeypatch
) -> None:
    app = (
        "import instructor\nfrom clients import client\n"
        "structured = instructor.from_openai(client, mode=instructor.Mode.JSON)\n"
        'structured.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    root = _tree(tmp_path, {"clients.py": CLIENT_MODULE, "app.py": app})
    found = _findings(root, monkeypatch)
    assert {(f["file"], f["code"], f["fix"]) for f in found} == {
        ("clients.py", "OR101", "safe"),
        ("app.py", "OR201", "safe"),
    }


@pytest.mark.parametrize(("imports", "client"), CLIENT_READS)
@pytest.mark.parametrize(
    ("model", "code"),
    [
        ('"o1-mini"', "OR204"),
        ('"my-own-model"', "OR202"),
        ('"ft:gpt-4o-mini:acme::abc123"', "OR203"),
    ],
)
def test_a_model_that_cannot_move_sent_from_another_module_makes_the_client_move_unsafe(
    tmp_path, monkeypatch, imports: str, client: str, model: str, code: str
) -> None:
    # review: the same-file case made the client's fix unsafe; sent from
    # app.py, the client moved (safe) and the ID that cannot move went to
    # OpenRouter, while gpt-4o moved with it
    app = (
        f"{imports}\n"
        f"{client}.chat.completions.create(model={model}, messages=[])\n"
        f'{client}.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    root = _tree(tmp_path, {"clients.py": CLIENT_MODULE, "app.py": app})
    found = _findings(root, monkeypatch)
    assert {(f["file"], f["line"], f["code"], f["fix"]) for f in found} == {
        ("clients.py", 3, "OR101", "unsafe"),
        ("app.py", 2, code, None),
        ("app.py", 3, "OR201", "unsafe"),
    }
    mine = next(f for f in found if f["code"] == "OR101")
    assert f"({code}) at app.py:2 is sent through it from another module" in mine["message"]
    for name in ("clients.py", "app.py"):
        assert _findings(root, monkeypatch, name) == [f for f in found if f["file"] == name]
    _migrate(root, monkeypatch)
    assert (root / "clients.py").read_text() == CLIENT_MODULE
    assert (root / "app.py").read_text() == app
    # --unsafe-fixes moves the client and what else goes through it, together
    _migrate(root, monkeypatch, "--unsafe-fixes")
    assert "openrouter.ai" in (root / "clients.py").read_text()
    text = (root / "app.py").read_text()
    assert 'model="openai/gpt-4o"' in text and f"model={model}," in text


def test_suppressing_a_model_that_cannot_move_in_another_module_keeps_the_client_move_safe(
    tmp_path, monkeypatch
) -> None:
    app = (
        "from clients import client\n"
        'client.chat.completions.create(model="o1-mini", messages=[])  # noqa: OR204\n'
        'client.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    root = _tree(tmp_path, {"clients.py": CLIENT_MODULE, "app.py": app})
    found = _findings(root, monkeypatch)
    assert {(f["file"], f["code"], f["fix"]) for f in found} == {
        ("clients.py", "OR101", "safe"),
        ("app.py", "OR201", "safe"),
    }


def test_a_model_that_cannot_move_through_a_fixture_makes_the_fixture_client_move_unsafe(
    tmp_path, monkeypatch
) -> None:
    conftest = (
        "import pytest\nfrom openai import OpenAI\n\n\n"
        "@pytest.fixture\ndef client():\n    return OpenAI()\n"
    )
    test = (
        'def test_chat(client):\n    client.chat.completions.create(model="o1-mini", messages=[])\n'
    )
    root = _tree(tmp_path, {"tests/conftest.py": conftest, "tests/test_chat.py": test})
    found = _findings(root, monkeypatch)
    mine = next(f for f in found if f["code"] == "OR101")
    assert mine["fix"] == "unsafe"
    assert "'o1-mini' (OR204) at test_chat.py:2" in mine["message"]


@pytest.mark.parametrize(("imports", "client"), CLIENT_READS)
def test_a_client_configured_after_it_is_built_in_another_module_is_left(
    tmp_path, monkeypatch, imports: str, client: str
) -> None:
    # the same-file assignment leaves the client (OR118); done in app.py, the
    # client moved and app.py's own base_url then sent the migrated IDs away
    app = (
        f"import os\n{imports}\n"
        f'{client}.base_url = os.environ["LLM_GATEWAY"]\n'
        f'{client}.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    root = _tree(tmp_path, {"clients.py": CLIENT_MODULE, "app.py": app})
    found = _findings(root, monkeypatch)
    assert [(f["file"], f["code"]) for f in found] == [("clients.py", "OR118")], found
    assert "gets `base_url` set after it is built (in app.py:3)" in found[0]["message"]
    _migrate(root, monkeypatch)
    assert (root / "clients.py").read_text() == CLIENT_MODULE
    assert (root / "app.py").read_text() == app


@pytest.mark.parametrize(
    "other",
    [
        'OpenAI(base_url="http://localhost:8000/v1")',  # another server (OR104)
        'AzureOpenAI(api_version="2024-02-01", azure_endpoint="https://x.openai.azure.com")',
    ],
)
def test_a_client_read_in_another_module_through_one_variable_with_a_client_that_stays_stays(
    tmp_path, monkeypatch, other: str
) -> None:
    # the same-file case leaves both (OR122); read in app.py, clients.py
    # moved and app.py's bare gpt-4o went to OpenRouter whenever llm was it
    app = (
        "import os\n\nfrom openai import AzureOpenAI, OpenAI\n\nfrom clients import client\n\n"
        f"local = {other}\n"
        'llm = local if os.environ.get("LOCAL") else client\n'
        'llm.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    root = _tree(tmp_path, {"clients.py": CLIENT_MODULE, "app.py": app})
    found = _findings(root, monkeypatch)
    mine = [f for f in found if f["file"] == "clients.py"]
    assert [f["code"] for f in mine] == ["OR122"], found
    assert "(in app.py:9), which is left alone" in mine[0]["message"]
    assert not [f for f in found if f["code"] == "OR201"]
    for name in ("clients.py", "app.py"):
        assert _findings(root, monkeypatch, name) == [f for f in found if f["file"] == name]
    _migrate(root, monkeypatch)
    assert (root / "clients.py").read_text() == CLIENT_MODULE
    assert (root / "app.py").read_text() == app


def test_a_client_read_in_another_module_through_its_own_variable_still_moves(
    tmp_path, monkeypatch
) -> None:
    app = (
        "from openai import OpenAI\n\nfrom clients import client\n\n"
        'local = OpenAI(base_url="http://localhost:8000/v1")\n'
        'client.chat.completions.create(model="gpt-4o", messages=[])\n'
        'local.chat.completions.create(model="llama3", messages=[])\n'
    )
    root = _tree(tmp_path, {"clients.py": CLIENT_MODULE, "app.py": app})
    found = _findings(root, monkeypatch)
    assert {(f["file"], f["code"], f["fix"]) for f in found} == {
        ("clients.py", "OR101", "safe"),
        ("app.py", "OR104", None),
        ("app.py", "OR201", "safe"),
    }


# ---------------------------------------------------------------- clients re-exported (issue #11)

ONE_CLIENT = "from openai import OpenAI\nclient = OpenAI()\n"

# how pkg hands out pkg/clients.py's client: the files of pkg besides clients.py
REEXPORTS = {
    "init": {"pkg/__init__.py": "from .clients import client\n"},
    "as": {"pkg/__init__.py": "from pkg.clients import client as client\n"},
    "all": {"pkg/__init__.py": 'from .clients import client\n__all__ = ["client"]\n'},
    "star": {"pkg/__init__.py": "from .clients import *\n"},
    "chain": {
        "pkg/__init__.py": "from .api import client\n",
        "pkg/api/__init__.py": "from ..clients import client\n",
    },
}


def _reexported(root: Path, how: str, app: str, clients: str = "pkg/clients.py") -> Path:
    files = {**REEXPORTS[how], clients: ONE_CLIENT, "app.py": app}
    if how == "chain" and clients != "pkg/clients.py":
        files["pkg/api/__init__.py"] = "from .clients import client\n"
    return _tree(root, files)


@pytest.mark.parametrize("how", sorted(REEXPORTS))
def test_a_model_sent_through_a_reexported_client_moves_with_it(tmp_path, monkeypatch, how) -> None:
    # the case: the client moved safely, the model only unsafely:
    # plain migrate sent "gpt-4o" bare to OpenRouter
    app = 'from pkg import client\nclient.chat.completions.create(model="gpt-4o", messages=[])\n'
    root = _reexported(tmp_path, how, app)
    found = _findings(root, monkeypatch)
    by_file = {(f["file"], f["code"]): f["fix"] for f in found}
    assert by_file == {("app.py", "OR201"): "safe", ("pkg/clients.py", "OR101"): "safe"}, found
    for name in ("app.py", "pkg/clients.py"):
        assert _findings(root, monkeypatch, name) == [f for f in found if f["file"] == name]
    _migrate(root, monkeypatch)
    assert '"openai/gpt-4o"' in (root / "app.py").read_text()
    assert "openrouter.ai" in (root / "pkg/clients.py").read_text()
    assert _findings(root, monkeypatch) == []


def test_a_model_sent_through_a_package_imported_whole_that_reexports_the_client_moves(
    tmp_path, monkeypatch
) -> None:
    app = 'import pkg\npkg.client.chat.completions.create(model="gpt-4o", messages=[])\n'
    root = _reexported(tmp_path, "init", app)
    found = _findings(root, monkeypatch)
    assert {(f["file"], f["code"]): f["fix"] for f in found} == {
        ("app.py", "OR201"): "safe",
        ("pkg/clients.py", "OR101"): "safe",
    }, found


UNSERVED = 'from pkg import client\nclient.files.create(file=open("x", "rb"), purpose="batch")\n'


@pytest.mark.parametrize("how", ["init", "chain", "as"])
def test_unserved_uses_through_a_reexported_client_count_where_it_is_built(
    tmp_path, monkeypatch, how
) -> None:
    # app.py names neither openai nor pkg.clients: it is read all the same
    root = _reexported(tmp_path, how, UNSERVED)
    found = _findings(root, monkeypatch)
    (f,) = [f for f in found if f["file"] == "pkg/clients.py"]
    assert f["code"] == "OR119" and "in ../app.py:2" in f["message"], found
    assert _findings(root, monkeypatch, "pkg/clients.py") == [f]


def test_a_client_star_reexported_moves_only_unsafely_with_an_unserved_use(
    tmp_path, monkeypatch
) -> None:
    # the uses of the star-importing module itself are not counted: the
    # client's uses are not all known, and one known use is not served
    root = _reexported(tmp_path, "star", UNSERVED)
    (f,) = [f for f in _findings(root, monkeypatch) if f["file"] == "pkg/clients.py"]
    assert f["code"] == "OR101" and f["fix"] == "unsafe", f
    assert "__init__.py" in f["message"], f


def test_a_reexport_cycle_resolves_nothing_and_ends(tmp_path, monkeypatch) -> None:
    root = _tree(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import client\n",
            "pkg/b.py": "from pkg.a import client\n",
            "pkg/clients.py": ONE_CLIENT,
            "app.py": "from pkg.a import client\n"
            'client.chat.completions.create(model="gpt-4o", messages=[])\n',
        },
    )
    found = _findings(root, monkeypatch)
    assert [f["fix"] for f in found if f["file"] == "app.py"] == ["unsafe"], found


@pytest.mark.parametrize(
    "other",
    [
        "import pkg\nimport runner\nrunner.go(pkg)\n",  # the package read as a value
        "from pkg import *\nclient.batches.list()\n",  # its uses are not counted
    ],
)
def test_a_reexporting_package_read_in_a_way_the_tool_cannot_follow_hides_uses(
    tmp_path, monkeypatch, other: str
) -> None:
    # app.py's known use is not served; other.py may use the client for
    # anything through pkg: neither OR119 nor a safe move is right
    root = _reexported(tmp_path, "init", UNSERVED)
    (root / "other.py").write_text(other)
    (root / "runner.py").write_text("def go(m):\n    return m\n")
    found = _findings(root, monkeypatch)
    mine = [f for f in found if f["file"] == "pkg/clients.py"]
    assert [(f["code"], f["fix"]) for f in mine] == [("OR101", "unsafe")], found
    assert "../other.py reads its module in a way the tool cannot follow" in mine[0]["message"]
    assert _findings(root, monkeypatch, "pkg/clients.py") == mine


@pytest.mark.parametrize(
    "init",
    [
        "from .clients import client as _c\nclient = _c\n",
        "from . import clients as _clients\nclient = _clients.client\n",
    ],
)
def test_a_client_reexported_through_a_module_level_name_moves_with_its_models(
    tmp_path, monkeypatch, init: str
) -> None:
    app = 'from pkg import client\nclient.chat.completions.create(model="gpt-4o", messages=[])\n'
    root = _tree(tmp_path, {"pkg/__init__.py": init, "pkg/clients.py": ONE_CLIENT, "app.py": app})
    found = _findings(root, monkeypatch)
    assert {(f["file"], f["code"]): f["fix"] for f in found} == {
        ("app.py", "OR201"): "safe",
        ("pkg/clients.py", "OR101"): "safe",
    }, found
    root2 = _tree(
        tmp_path / "u", {"pkg/__init__.py": init, "pkg/clients.py": ONE_CLIENT, "app.py": UNSERVED}
    )
    (f,) = _findings(root2, monkeypatch)
    assert f["code"] == "OR119" and "in ../app.py:2" in f["message"], f


def test_a_client_reexported_in_a_way_the_tool_cannot_follow_moves_only_unsafely(
    tmp_path, monkeypatch
) -> None:
    # pkg.client is one of two clients: app.py's model cannot follow it,
    # so neither client may move safely without it (issue #11)
    root = _tree(
        tmp_path,
        {
            "pkg/__init__.py": "import os\nfrom .clients import client as _a, other as _b\n"
            'client = _a if os.environ.get("X") else _b\n',
            "pkg/clients.py": ONE_CLIENT + "other = OpenAI()\n",
            "app.py": "from pkg import client\n"
            'client.chat.completions.create(model="gpt-4o", messages=[])\n',
        },
    )
    found = _findings(root, monkeypatch)
    assert {(f["file"], f["line"], f["code"], f["fix"]) for f in found} == {
        ("app.py", 2, "OR201", "unsafe"),
        ("pkg/clients.py", 2, "OR101", "unsafe"),
        ("pkg/clients.py", 3, "OR101", "unsafe"),
    }, found
    for f in found:
        if f["file"] == "pkg/clients.py":
            assert "../app.py:2 reads it through __init__.py, which re-exports it" in f["message"]
    assert _findings(root, monkeypatch, "pkg/clients.py") == found[1:]
    _migrate(root, monkeypatch)
    assert "openrouter.ai" not in (root / "pkg/clients.py").read_text()
    assert '"gpt-4o"' in (root / "app.py").read_text()


# ---------------------------------------------------------------- subclasses of the client (OR109)

GUARDRAILS = """\
    from openai import AsyncAzureOpenAI, AsyncOpenAI

    class GuardedOpenAI(AsyncOpenAI):
        def __init__(self, config, **kwargs):
            super().__init__(**kwargs)
            self.config = config

    class GuardedAzureOpenAI(AsyncAzureOpenAI):
        pass
"""


def test_instances_of_an_imported_client_subclass_are_left(tmp_path: Path, monkeypatch) -> None:
    """audit 13 (openai-guardrails-python): the run leaves instances of an
    OR109 class where they point, so the model IDs sent through them (a
    local, a parameter its callers fill, an annotated parameter with no
    caller) get no finding; they got OR201 [unsafe] / OR202 / OR205, whose
    fixes prefixed models the client would still send to OpenAI."""
    root = _tree(
        tmp_path,
        {
            "guardrails.py": GUARDRAILS,
            "app.py": """\
                from guardrails import GuardedAzureOpenAI, GuardedOpenAI

                async def ask(client: GuardedOpenAI, text):
                    return await client.responses.create(model="gpt-4.1-mini", input=text)

                async def main():
                    client = GuardedOpenAI(config="pipeline.json")
                    await ask(client, "hi")
                    local = GuardedOpenAI(config="p.json", base_url="http://127.0.0.1:11434/v1/")
                    await local.chat.completions.create(model="gemma3", messages=[])
                    az = GuardedAzureOpenAI(api_version="2024-06-01")
                    await az.chat.completions.create(model="my-deployment", messages=[])
            """,
            "annotated.py": """\
                from guardrails import GuardedOpenAI

                async def judge(client: GuardedOpenAI, text):
                    return await client.responses.create(model="gpt-4o", input=text)
            """,
        },
    )
    found = _findings(root, monkeypatch)
    assert [(f["file"], f["code"]) for f in found] == [("guardrails.py", "OR109")], found


def test_instance_of_a_client_subclass_of_the_file_is_left() -> None:
    src = textwrap.dedent(
        """\
        from openai import OpenAI

        class Base(OpenAI):
            pass

        class Traced(Base):
            pass

        def ask(client: Traced):
            return client.chat.completions.create(model="gpt-4o", messages=[])

        client = Traced()
        client.chat.completions.create(model="gpt-4o-mini", messages=[])
        """
    )
    assert codes(src) == ["OR109"]


# ---------------------------------------------------------------- star imports of modules of the run


def test_names_a_star_import_of_a_run_module_binds_are_its_imports(
    tmp_path: Path, monkeypatch
) -> None:
    """audit 13 (RAG_Techniques): ``from helpers import *`` where helpers.py
    imports ChatOpenAI, OpenAIEmbeddings and OpenAI: their constructions in
    app.py were neither migrated nor reported, and the model sent through
    the SDK client got OR201 [unsafe] (--unsafe-fixes: model prefixed,
    client on OpenAI). They are the library's classes: migrated together."""
    root = _tree(
        tmp_path,
        {
            "helpers.py": """\
                from langchain_openai import ChatOpenAI, OpenAIEmbeddings
                from openai import OpenAI

                def load():
                    return OpenAIEmbeddings(model="text-embedding-3-small")
            """,
            "app.py": """\
                from helpers import *

                llm = ChatOpenAI(model="gpt-4o", temperature=0)
                emb = OpenAIEmbeddings(model="text-embedding-3-small")
                client = OpenAI()
                r = client.chat.completions.create(model="gpt-4o", messages=[])
            """,
        },
    )
    found = [
        (f["line"], f["code"], f["fix"])
        for f in _findings(root, monkeypatch)
        if f["file"] == "app.py"
    ]
    assert found == [
        (3, "OR411", "safe"),
        (4, "OR412", "safe"),
        (5, "OR101", "safe"),
        (6, "OR201", "safe"),
    ], found
    _migrate(root, monkeypatch)
    app = (root / "app.py").read_text()
    assert 'client = OpenAI(base_url="https://openrouter.ai/api/v1"' in app
    assert 'model="openai/gpt-4o", messages' in app
    assert _findings(root, monkeypatch) == []


def test_star_import_binds_only_what_all_lists_and_the_file_does_not_rebind(
    tmp_path: Path, monkeypatch
) -> None:
    """``__all__`` decides what a star import binds; a name the importer
    binds itself is its own."""
    root = _tree(
        tmp_path,
        {
            "helpers.py": """\
                from langchain_openai import ChatOpenAI
                from openai import OpenAI

                __all__ = ["OpenAI"]
            """,
            "app.py": """\
                from helpers import *

                class ChatOpenAI:
                    def __init__(self, **kw):
                        pass

                llm = ChatOpenAI(model="gpt-4o")
                client = OpenAI()
            """,
        },
    )
    found = [(f["line"], f["code"]) for f in _findings(root, monkeypatch) if f["file"] == "app.py"]
    assert found == [(8, "OR101")], found
