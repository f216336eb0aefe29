"""A client decided from the whole program (issue 11), the gaps of the audit:
one receiver shared across modules by a client that stays and one that
moves (OR122), clients re-exported by plain modules, a file that receives a
client it never imports, and OR107 for a key whose client stays."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from tests.helpers import cli_runner, run

KEY = "sk-live-0000000000000000abcd"


def _tree(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n')
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def _findings(root: Path, monkeypatch, *paths: str) -> list[dict]:
    from codemods.cli import main

    monkeypatch.chdir(root)
    args = ["check", "--no-cache", "--jobs", "1", "--output-format", "json"]
    r = cli_runner().invoke(main, [*args, *(paths or ["."])])
    assert r.exit_code in (0, 1), r.output + r.stderr
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


def _migrate(root: Path, monkeypatch, *extra: str) -> None:
    from codemods.cli import main

    monkeypatch.chdir(root)
    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", *extra, "."])
    assert r.exit_code in (0, 1), r.output + r.stderr


def _alone_agrees(root: Path, monkeypatch, found: list[dict]) -> None:
    """Each file checked alone inside the project gets what the tree gives it."""
    for name in sorted({f["file"] for f in found} | {p.name for p in root.glob("*.py")}):
        assert _findings(root, monkeypatch, name) == [f for f in found if f["file"] == name], name


# ---------------------------------------------------------------- OR107 when the client stays


@pytest.mark.parametrize(
    ("src", "extra"),
    [
        (f'client = OpenAI(api_key="{KEY}")  # noqa: OR101\n', {}),
        (f'client = OpenAI(api_key=os.getenv("OPENAI_API_KEY", "{KEY}"))  # noqa: OR101\n', {}),
        (f'client = OpenAI(api_key="{KEY}")\n', {"ignore": ("OR101",)}),
    ],
)
def test_a_hard_coded_key_of_a_client_that_stays_is_not_said_to_be_replaced(src, extra) -> None:
    # the client stays on OpenAI with its key: OR107 said "replaced by
    # os.environ[...]" while nothing was replaced
    r = run("import os\nfrom openai import OpenAI\n" + src, dedent=False, **extra)
    (sec,) = [f for f in r.findings if f.code == "OR107"]
    assert "replaced by" not in sec.message, sec.message
    assert "stays where it points" in sec.message and "rotate" in sec.message
    assert not sec.fixable
    assert r.new_source is None
    assert KEY not in sec.message


def test_a_hard_coded_key_of_a_client_left_for_a_shared_variable_is_still_reported() -> None:
    # the move was taken back (OR122) and OR107 went with it: a leaked key
    # no longer reported at all
    src = (
        "import os\nfrom openai import OpenAI\n"
        'if os.environ.get("LOCAL"):\n'
        '    c = OpenAI(base_url="http://localhost:8000/v1")\n'
        "else:\n"
        f'    c = OpenAI(api_key="{KEY}")\n'
        'c.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    r = run(src, dedent=False)
    assert sorted((f.line, f.code) for f in r.findings) == [
        (4, "OR104"),
        (6, "OR107"),
        (6, "OR122"),
    ]
    (sec,) = [f for f in r.findings if f.code == "OR107"]
    assert "replaced by" not in sec.message and "stays where it points" in sec.message
    assert r.new_source is None


def test_a_hard_coded_key_of_a_migrated_client_is_still_replaced() -> None:
    r = run(f'from openai import OpenAI\nclient = OpenAI(api_key="{KEY}")\n', dedent=False)
    (sec,) = [f for f in r.findings if f.code == "OR107"]
    assert 'replaced by os.environ["OPENROUTER_API_KEY"]' in sec.message
    assert r.new_source is not None and KEY.encode() not in r.new_source


# ---------------------------------------------------------------- one receiver, two modules' clients

HELD = {
    "base_url": 'from openai import OpenAI\nclient = OpenAI(base_url="http://localhost:8000/v1")\n',
    "unserved": "from openai import OpenAI\nclient = OpenAI()\n"
    'client.files.create(file=open("x.jsonl", "rb"), purpose="batch")\n',
}
HELD_CODE = {"base_url": "OR104", "unserved": "OR119"}
MOVES = "from openai import OpenAI\nclient = OpenAI()\n"
ASK = (
    "def ask(client, q):\n"
    '    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", '
    '"content": q}])\n'
)
# a.py's receiver holds b.py's client (which stays) or c.py's (which would move)
SHARED = {
    "from": {
        "a.py": ASK,
        "main.py": "from a import ask\nfrom b import client as held\nfrom c import client\n"
        'ask(held, "x")\nask(client, "y")\n',
    },
    "whole": {
        "a.py": ASK,
        "main.py": 'import a, b, c\na.ask(b.client, "x")\na.ask(c.client, "y")\n',
    },
    "attribute": {
        "a.py": "import os\n\nimport b\nimport c\n\n\nclass Chat:\n"
        "    def __init__(self):\n"
        '        self.client = b.client if os.environ.get("OLD") else c.client\n\n'
        "    def ask(self, q):\n"
        '        return self.client.chat.completions.create(model="gpt-4o", messages=[])\n'
    },
}


@pytest.mark.parametrize(
    ("how", "held"),
    # (read through the attribute, b.py's client is also used for a chat
    # completion there: a client with a served use moves, and so do both)
    [
        (how, held)
        for how in sorted(SHARED)
        for held in sorted(HELD)
        if (how, held) != ("attribute", "unserved")
    ],
)
def test_a_receiver_of_another_module_shared_with_a_client_that_stays_keeps_both(
    tmp_path, monkeypatch, how: str, held: str
) -> None:
    # c.py moved and a.py's "gpt-4o" stayed bare (or was an unsafe fix that
    # would break b.py's client): the model sent through the shared
    # receiver goes to both, so c.py's client stays with b.py's (OR122)
    files = {"b.py": HELD[held], "c.py": MOVES, **SHARED[how]}
    root = _tree(tmp_path, files)
    found = _findings(root, monkeypatch)
    assert {(f["file"], f["code"], f["fix"]) for f in found} == {
        ("b.py", HELD_CODE[held], None),
        ("c.py", "OR122", None),
    }, found
    (shared,) = [f for f in found if f["code"] == "OR122"]
    assert "which is left alone" in shared["message"]
    assert ("a.py:" if how == "attribute" else "`ask()` in a.py") in shared["message"]
    _alone_agrees(root, monkeypatch, found)
    _migrate(root, monkeypatch, "--unsafe-fixes")
    for name, text in files.items():
        assert (root / name).read_text() == text, name


@pytest.mark.parametrize("how", sorted(SHARED))
def test_a_receiver_of_another_module_holding_two_clients_that_move_moves_its_model(
    tmp_path, monkeypatch, how: str
) -> None:
    root = _tree(tmp_path, {"b.py": MOVES, "c.py": MOVES, **SHARED[how]})
    found = _findings(root, monkeypatch)
    # (a client passed to a function called through its module, `a.ask(c)`,
    # is followed there like `from a import ask`: codemods/python/escapes.py)
    assert {(f["file"], f["code"], f["fix"]) for f in found} == {
        ("a.py", "OR201", "safe"),
        ("b.py", "OR101", "safe"),
        ("c.py", "OR101", "safe"),
    }, found
    _alone_agrees(root, monkeypatch, found)


def test_a_client_with_a_served_use_through_a_shared_attribute_moves_with_the_other(
    tmp_path, monkeypatch
) -> None:
    files = {"b.py": HELD["unserved"], "c.py": MOVES, **SHARED["attribute"]}
    root = _tree(tmp_path, files)
    found = _findings(root, monkeypatch)
    assert {(f["file"], f["code"], f["fix"]) for f in found} == {
        ("a.py", "OR201", "safe"),
        ("b.py", "OR101", "safe"),
        ("b.py", "OR301", None),
        ("c.py", "OR101", "safe"),
    }, found


# ---------------------------------------------------------------- clients re-exported by plain modules

# how ``clients`` hands out factory.py's client: the files besides factory.py
PLAIN = {
    "from": {"clients.py": "from factory import client\n"},
    "import-as": {"clients.py": "import factory as f\nclient = f.client\n"},
    "chain": {"clients.py": "from mid import client\n", "mid.py": "from factory import client\n"},
    "package-import-as": {
        "clients/__init__.py": "import clients.factory as f\nclient = f.client\n",
    },
}
USES_FILES = (
    'from clients import client\nclient.files.create(file=open("x", "rb"), purpose="batch")\n'
)
SENDS_MODEL = (
    'from clients import client\nclient.chat.completions.create(model="gpt-4o", messages=[])\n'
)


def _factory(how: str) -> str:
    return "clients/factory.py" if how.startswith("package") else "factory.py"


@pytest.mark.parametrize("how", sorted(PLAIN))
def test_a_client_used_only_for_unserved_endpoints_through_a_plain_reexport_stays(
    tmp_path, monkeypatch, how: str
) -> None:
    # uses.py names neither openai nor factory: it was never read, and
    # factory.py's client moved although its only use gets a 404 there
    root = _tree(tmp_path, {**PLAIN[how], _factory(how): MOVES, "uses.py": USES_FILES})
    found = _findings(root, monkeypatch)
    assert [(f["file"], f["code"]) for f in found] == [(_factory(how), "OR119")], found
    assert "uses.py:2" in found[0]["message"]
    _alone_agrees(root, monkeypatch, found)


@pytest.mark.parametrize("how", sorted(PLAIN))
@pytest.mark.parametrize("held", [False, True])
def test_a_model_sent_through_a_plain_reexport_follows_the_client(
    tmp_path, monkeypatch, how: str, held: bool
) -> None:
    factory = HELD["base_url"] if held else MOVES
    root = _tree(tmp_path, {**PLAIN[how], _factory(how): factory, "app.py": SENDS_MODEL})
    found = _findings(root, monkeypatch)
    expected = (
        {(_factory(how), "OR104", None)}
        if held
        else {
            (_factory(how), "OR101", "safe"),
            ("app.py", "OR201", "safe"),
        }
    )
    assert {(f["file"], f["code"], f["fix"]) for f in found} == expected, found
    _alone_agrees(root, monkeypatch, found)


@pytest.mark.parametrize("how", sorted(PLAIN))
def test_a_client_with_a_served_and_an_unserved_use_through_a_plain_reexport_reports_the_unserved(
    tmp_path, monkeypatch, how: str
) -> None:
    root = _tree(
        tmp_path,
        {**PLAIN[how], _factory(how): MOVES, "app.py": SENDS_MODEL, "uses.py": USES_FILES},
    )
    found = _findings(root, monkeypatch)
    assert {(f["file"], f["code"], f["fix"]) for f in found} == {
        (_factory(how), "OR101", "safe"),
        ("app.py", "OR201", "safe"),
        ("uses.py", "OR301", None),
    }, found


# ---------------------------------------------------------------- a file that receives a client

RELAY = (
    "def relay(client, **options):\n"
    "    for chunk in client.chat.completions.create(stream=True, **options):\n"
    '        print(chunk.choices[0].delta.content or "", end="")\n'
)
UPLOAD = 'def upload(client, path):\n    return client.files.create(file=open(path, "rb"), purpose="batch")\n'


def _caller(client: str, call: str) -> str:
    return f"from openai import OpenAI\n\nfrom relay import relay\nfrom upload import upload\n\nclient = {client}\n{call}\n"


def test_a_file_that_never_names_openai_nor_model_gets_the_stream_guard_of_a_migrated_client(
    tmp_path, monkeypatch
) -> None:
    # relay.py has neither "openai" nor "model": the prefilter skipped it,
    # and the migrated client's stream raised IndexError there
    main = _caller("OpenAI()", 'relay(client, model="openai/gpt-4o", messages=[])')
    root = _tree(tmp_path, {"relay.py": RELAY, "upload.py": UPLOAD, "main.py": main})
    found = _findings(root, monkeypatch)
    assert ("relay.py", 2, "OR401", "safe") in {
        (f["file"], f["line"], f["code"], f["fix"]) for f in found
    }, found
    _alone_agrees(root, monkeypatch, found)
    _migrate(root, monkeypatch)
    assert "if not chunk.choices:" in (root / "relay.py").read_text()


def test_a_file_that_receives_a_client_that_stays_gets_no_stream_guard(
    tmp_path, monkeypatch
) -> None:
    main = _caller(
        'OpenAI(base_url="http://localhost:8000/v1")', 'relay(client, model="llama3", messages=[])'
    )
    root = _tree(tmp_path, {"relay.py": RELAY, "upload.py": UPLOAD, "main.py": main})
    found = _findings(root, monkeypatch)
    assert not [f for f in found if f["file"] == "relay.py"], found
    _migrate(root, monkeypatch, "--unsafe-fixes")
    assert (root / "relay.py").read_text() == RELAY


def test_a_file_that_never_names_openai_reports_an_unserved_call_of_a_migrated_client(
    tmp_path, monkeypatch
) -> None:
    main = _caller(
        "OpenAI()",
        'upload(client, "batch.jsonl")\n'
        'client.chat.completions.create(model="gpt-4o", messages=[])',
    )
    root = _tree(tmp_path, {"relay.py": RELAY, "upload.py": UPLOAD, "main.py": main})
    found = _findings(root, monkeypatch)
    assert ("upload.py", 2, "OR301") in {(f["file"], f["line"], f["code"]) for f in found}, found
    _alone_agrees(root, monkeypatch, found)


def test_a_file_with_a_model_that_receives_a_migrated_client_gets_safe_fixes(
    tmp_path, monkeypatch
) -> None:
    summarize = (
        "def summarize(client, text):\n"
        '    s = client.chat.completions.create(model="gpt-4o", messages=[], stream=True)\n'
        "    for chunk in s:\n"
        "        print(chunk.choices[0].delta.content)\n"
    )
    main = "from openai import OpenAI\nfrom summ import summarize\nsummarize(OpenAI(), 'x')\n"
    root = _tree(tmp_path, {"summ.py": summarize, "main.py": main})
    found = _findings(root, monkeypatch)
    assert {(f["file"], f["code"], f["fix"]) for f in found if f["file"] == "summ.py"} == {
        ("summ.py", "OR201", "safe"),
        ("summ.py", "OR401", "safe"),
    }, found
    _alone_agrees(root, monkeypatch, found)
    (root / "main.py").write_text("")  # no caller: an unresolved receiver
    found = _findings(root, monkeypatch)
    assert {(f["code"], f["fix"]) for f in found} == {("OR201", "unsafe"), ("OR401", "unsafe")}


def test_a_client_passed_where_another_call_passes_an_unresolved_client_moves_only_unsafely(
    tmp_path, monkeypatch
) -> None:
    # ask()'s model is an unsafe fix (one caller passes something the tool
    # cannot resolve): c.py's client moved safely and its requests through
    # ask() kept the bare "gpt-4o" after a plain migrate
    main = (
        "import os\nfrom a import ask\nfrom c import client\n"
        'ask(client, "y")\nask(os.environ["CLIENT"], "z")\n'
    )
    root = _tree(tmp_path, {"a.py": ASK, "c.py": MOVES, "main.py": main})
    found = _findings(root, monkeypatch)
    assert {(f["file"], f["code"], f["fix"]) for f in found} == {
        ("a.py", "OR201", "unsafe"),
        ("c.py", "OR101", "unsafe"),
    }, found
    (mine,) = [f for f in found if f["file"] == "c.py"]
    assert "`ask()` in a.py" in mine["message"] and "main.py:5" in mine["message"]
    _alone_agrees(root, monkeypatch, found)
    _migrate(root, monkeypatch)
    assert (root / "c.py").read_text() == MOVES
    _migrate(root, monkeypatch, "--unsafe-fixes")
    assert "openrouter.ai" in (root / "c.py").read_text()
    assert '"openai/gpt-4o"' in (root / "a.py").read_text()
