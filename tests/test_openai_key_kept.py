"""OR123 (audit Q1/M5): a program whose clients move to OpenRouter and that
still sets ``OPENAI_API_KEY`` or stops without it (a start-up gate) is
reported with where and what to change; nothing is rewritten there."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import run

CLIENT = "client = OpenAI()\nclient.chat.completions.create(model='gpt-4o', messages=[])\n"
HEAD = "import os\nfrom openai import OpenAI\n"


def _or123(src: str) -> list[tuple[int, str]]:
    r = run(src, dedent=False)
    return [(f.line, f.message) for f in r.findings if f.code == "OR123"]


@pytest.mark.parametrize(
    ("code", "shown", "verb"),
    [
        (
            "if not os.getenv('OPENAI_API_KEY'):\n    raise SystemExit('set it')\n",
            "if not os.getenv('OPENAI_API_KEY')",
            "requires",
        ),
        (
            "if 'OPENAI_API_KEY' not in os.environ:\n    raise SystemExit('set it')\n",
            "if 'OPENAI_API_KEY' not in os.environ",
            "requires",
        ),
        (
            "assert os.environ.get('OPENAI_API_KEY'), 'no key'\n",
            "assert os.environ.get(",
            "requires",
        ),
        (
            "os.environ['OPENAI_API_KEY'] = load_secret()\n",
            "os.environ['OPENAI_API_KEY'] = ",
            "sets",
        ),
        ("os.environ.setdefault('OPENAI_API_KEY', cfg.key)\n", "os.environ.setdefault(", "sets"),
    ],
)
def test_the_openai_key_set_or_required_next_to_a_moving_client_is_reported(
    code: str, shown: str, verb: str
) -> None:
    src = HEAD + code + CLIENT
    r = run(src, dedent=False)
    found = [f for f in r.findings if f.code == "OR123"]
    assert len(found) == 1, r.findings
    (f,) = found
    assert f.line == 3 and f.replacement is None
    assert f.message.startswith("`" + shown), f.message
    assert f"still {verb} $OPENAI_API_KEY" in f.message
    assert "$OPENROUTER_API_KEY" in f.message
    # the client still moves; the gate line itself is never rewritten
    assert r.new_source is not None
    assert code.splitlines()[0] in r.new_source.decode()


@pytest.mark.parametrize(
    "rest",
    [
        # an Azure client: nothing moves
        "from openai import AzureOpenAI\nclient = AzureOpenAI()\n",
        # no client at all
        "",
        # the client is left (its key is read from a variable the gate also tests): OR103
        "key = os.getenv('OPENAI_API_KEY')\nif not key:\n    raise SystemExit(1)\n"
        "client = OpenAI(api_key=key)\n",
    ],
)
def test_nothing_moves_no_openai_key_finding(rest: str) -> None:
    src = HEAD + "if not os.getenv('OPENAI_API_KEY'):\n    raise SystemExit('set it')\n" + rest
    assert _or123(src) == []


def test_a_hard_coded_key_assigned_to_the_variable_stays_or107_only() -> None:
    src = HEAD + "os.environ['OPENAI_API_KEY'] = 'sk-live-0000000000000000abcd'\n" + CLIENT
    codes = [f.code for f in run(src, dedent=False).findings]
    assert "OR107" in codes and "OR123" not in codes


GATE = "if not os.getenv('OPENAI_API_KEY'):\n    raise SystemExit('set it')\n"


@pytest.mark.parametrize(
    "src",
    [
        HEAD + GATE + CLIENT,
        "import os\nimport openai\n" + GATE + "openai.api_key = os.environ['OPENAI_API_KEY']\n"
        "openai.chat.completions.create(model='gpt-4o', messages=[])\n",
    ],
)
def test_the_finding_stays_after_migrate(src: str) -> None:
    # the gate still stops a deployment configured for OpenRouter alone: the
    # finding must not vanish because the clients moved (CI would go green)
    out = run(src, dedent=False).new_source
    assert out is not None
    (found,) = _or123(out.decode())
    assert found[0] == 3 and "on OpenRouter and read" in found[1], found


@pytest.mark.parametrize(
    "client",
    [
        # on OpenRouter, reading its key from $OPENAI_API_KEY: the gate tests that key
        "client = OpenAI(base_url='https://openrouter.ai/api/v1')\n",
        "client = OpenAI(base_url='https://openrouter.ai/api/v1', api_key=os.environ['OPENAI_API_KEY'])\n",
    ],
)
def test_a_client_on_openrouter_reading_the_openai_variable_keeps_its_gate(client: str) -> None:
    assert _or123(HEAD + GATE + client) == []


def test_the_module_level_client_moving_counts() -> None:
    src = textwrap.dedent(
        """\
        import os
        import openai
        if "OPENAI_API_KEY" not in os.environ:
            raise RuntimeError("no key")
        openai.chat.completions.create(model="gpt-4o", messages=[])
        """
    )
    (found,) = _or123(src)
    assert "the module-level openai client moves to OpenRouter and reads" in found[1]


def test_a_start_up_gate_in_another_file_of_a_run_whose_clients_move(tmp_path, monkeypatch) -> None:
    import json

    from codemods.cli import main
    from tests.helpers import cli_runner

    files = {
        "pyproject.toml": '[project]\nname = "x"\n',
        "main.py": "import os\nimport llm\n"
        "if not os.environ.get('OPENAI_API_KEY'):\n    raise SystemExit('no key')\n"
        "print(llm.ask('hi'))\n",
        "llm.py": "from openai import OpenAI\nclient = OpenAI()\n"
        "def ask(q):\n"
        "    return client.chat.completions.create(model='gpt-4o', messages=[])\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    args = ["check", "--no-cache", "--jobs", "1", "--output-format", "json", "."]
    r = cli_runner().invoke(main, args)
    found = [
        (f["path"].removeprefix("./"), f["line"], f["code"], f["message"])
        for f in json.loads(r.stdout)["findings"]
    ]
    gates = [f for f in found if f[2] == "OR123"]
    assert [(p, line) for p, line, _, _ in gates] == [("main.py", 3)], found
    assert "the OpenAI clients this file imports move to OpenRouter" in gates[0][3]
    # a gate in a file that imports nothing of them (a settings check run first)
    (tmp_path / "main.py").write_text(files["main.py"].replace("import llm\n", ""))
    r = cli_runner().invoke(main, args)
    gates = [f for f in json.loads(r.stdout)["findings"] if f["code"] == "OR123"]
    assert [(f["path"].removeprefix("./"), f["line"]) for f in gates] == [("main.py", 2)]
    assert (
        "the OpenAI clients of this run (in other files) move to OpenRouter"
        in (gates[0]["message"])
    )
    # with the client left alone (its base URL is another server's), nothing moves
    (tmp_path / "llm.py").write_text(
        files["llm.py"].replace("OpenAI()", "OpenAI(base_url='http://localhost:8000/v1')")
    )
    r = cli_runner().invoke(main, args)
    assert [f for f in json.loads(r.stdout)["findings"] if f["code"] == "OR123"] == []


def test_a_gate_in_another_app_of_a_monorepo_is_not_reported(tmp_path, monkeypatch) -> None:
    # apps/a never shares a process with apps/b, whose client moves: its key
    # gate (for a framework that reads OPENAI_API_KEY itself) is not OR123's
    import json

    from codemods.cli import main
    from tests.helpers import cli_runner

    files = {
        "pyproject.toml": '[project]\nname = "x"\n',
        "apps/a/app.py": "import os\n"
        "if not os.environ.get('OPENAI_API_KEY'):\n    raise SystemExit('no key')\n",
        "apps/b/llm.py": "from openai import OpenAI\nclient = OpenAI()\n"
        "print(client.chat.completions.create(model='gpt-4o', messages=[]))\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    args = ["check", "--no-cache", "--jobs", "1", "--output-format", "json", "."]
    r = cli_runner().invoke(main, args)
    assert [f for f in json.loads(r.stdout)["findings"] if f["code"] == "OR123"] == []
    # the same gate above the moving code (a start-up check of the program) is
    (tmp_path / "apps/b/check.py").write_text(files["apps/a/app.py"])
    r = cli_runner().invoke(main, args)
    gates = [f for f in json.loads(r.stdout)["findings"] if f["code"] == "OR123"]
    assert [f["path"].removeprefix("./") for f in gates] == ["apps/b/check.py"]
    # and below it (the program's tests)
    (tmp_path / "apps/b/check.py").unlink()
    (tmp_path / "apps/b/tests").mkdir()
    (tmp_path / "apps/b/tests/test_key.py").write_text(files["apps/a/app.py"])
    r = cli_runner().invoke(main, args)
    gates = [f for f in json.loads(r.stdout)["findings"] if f["code"] == "OR123"]
    assert [f["path"].removeprefix("./") for f in gates] == ["apps/b/tests/test_key.py"]


def _run_or123(tmp_path, monkeypatch, files: dict[str, str], command: str = "check") -> list:
    import json

    from codemods.cli import main
    from tests.helpers import cli_runner

    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    if command == "migrate":
        cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", "."])
    args = ["check", "--no-cache", "--jobs", "1", "--output-format", "json", "."]
    r = cli_runner().invoke(main, args)
    return [
        (f["path"].removeprefix("./"), f["line"])
        for f in json.loads(r.stdout)["findings"]
        if f["code"] == "OR123"
    ]


def test_the_key_a_module_it_imports_still_needs_is_not_reported(tmp_path, monkeypatch) -> None:
    """audit 13 (RAG_Techniques): the script sets $OPENAI_API_KEY for
    helper_functions' OpenAIEmbeddings, which stays on OpenAI (OR413):
    "set $OPENROUTER_API_KEY instead" would break it. Without that module's
    client, the same script is reported (another file's client moves)."""
    files = {
        "pyproject.toml": '[project]\nname = "x"\n',
        "helper_functions.py": "from langchain_openai import OpenAIEmbeddings\n\n"
        "def encode(texts):\n    return OpenAIEmbeddings().embed_documents(texts)\n",
        "scripts/chat.py": "from langchain_openai import ChatOpenAI\n\n"
        "llm = ChatOpenAI(model='gpt-4o-mini')\nprint(llm.invoke('hi').content)\n",
        "scripts/simple_rag.py": "import os\n\nfrom helper_functions import encode\n\n"
        "os.environ['OPENAI_API_KEY'] = os.getenv('OPENAI_API_KEY')\n"
        "print(encode(['a', 'b']))\n",
    }
    assert _run_or123(tmp_path, monkeypatch, files) == []
    files["scripts/simple_rag.py"] = files["scripts/simple_rag.py"].replace(
        "from helper_functions import encode\n", "from helper_functions import *\n"
    )
    assert _run_or123(tmp_path, monkeypatch, files) == []
    files["helper_functions.py"] = "def encode(texts):\n    return texts\n"
    assert _run_or123(tmp_path, monkeypatch, files) == [("scripts/simple_rag.py", 5)]


def test_the_key_the_file_still_needs_is_not_reported_after_migrate(tmp_path, monkeypatch) -> None:
    """audit 13 (RAG_Techniques, 9 -> 19 OR123 after migrate): the file's
    ChatOpenAI moves, its OpenAIEmbeddings stays on OpenAI (OR413), another
    file moves only as an unsafe fix (OR451): neither before nor after
    ``migrate`` is the user told to drop the key the embeddings need."""
    files = {
        "pyproject.toml": '[project]\nname = "x"\n',
        "helper_functions.py": "from langchain_openai import OpenAIEmbeddings\n\n"
        "def encode(texts):\n    return OpenAIEmbeddings().embed_documents(texts)\n",
        "other.py": "from llama_index.llms.openai import OpenAI\n\nllm = OpenAI(model='gpt-4o')\n",
        "app.py": "import os\n\nfrom langchain_openai import ChatOpenAI, OpenAIEmbeddings\n\n"
        "from helper_functions import *\n\n"
        "os.environ['OPENAI_API_KEY'] = os.getenv('OPENAI_API_KEY')\n\n"
        "embeddings = OpenAIEmbeddings()\nllm = ChatOpenAI(model='gpt-4o-mini')\n"
        "print(embeddings.embed_query('a'), llm.invoke('hi').content)\n",
    }
    assert _run_or123(tmp_path, monkeypatch, files) == []
    assert _run_or123(tmp_path, monkeypatch, {}, "migrate") == []
    assert "base_url" in (tmp_path / "app.py").read_text()  # ChatOpenAI moved


def test_a_langchain_model_moving_counts_before_and_after_migrate(tmp_path, monkeypatch) -> None:
    """audit 13 (RAG_Techniques query_transformations.py): the file's
    ChatOpenAI moves; OR123 was absent before ``migrate`` (only the SDK's
    clients counted) and appeared after it (another file moves): the same
    finding both times, as for the SDK's clients."""
    files = {
        "pyproject.toml": '[project]\nname = "x"\n',
        "other.py": "from llama_index.llms.openai import OpenAI\n\nllm = OpenAI(model='gpt-4o')\n",
        "app.py": "import os\n\nfrom langchain_openai import ChatOpenAI\n\n"
        "os.environ['OPENAI_API_KEY'] = os.getenv('OPENAI_API_KEY')\n"
        "llm = ChatOpenAI(model='gpt-4o-mini')\nprint(llm.invoke('hi').content)\n",
    }
    assert _run_or123(tmp_path, monkeypatch, files) == [("app.py", 5)]
    assert _run_or123(tmp_path, monkeypatch, {}, "migrate") == [("app.py", 5)]
    assert "base_url" in (tmp_path / "app.py").read_text()


def test_a_moving_file_that_imports_a_module_keeping_openai_is_not_reported(
    tmp_path, monkeypatch
) -> None:
    """audit 13 (RAG_Techniques crag.py): the file's ChatOpenAI moves, and
    it imports helper_functions, whose OpenAIEmbeddings stays on OpenAI
    (OR413) and needs $OPENAI_API_KEY: no OR123, before or after migrate."""
    files = {
        "pyproject.toml": '[project]\nname = "x"\n',
        "helper_functions.py": "from langchain_openai import OpenAIEmbeddings\n\n"
        "def encode(texts):\n    return OpenAIEmbeddings().embed_documents(texts)\n",
        "crag.py": "import os\n\nfrom langchain_openai import ChatOpenAI\n"
        "from helper_functions import encode\n\n"
        "os.environ['OPENAI_API_KEY'] = os.getenv('OPENAI_API_KEY')\n"
        "llm = ChatOpenAI(model='gpt-4o-mini')\nprint(llm.invoke('hi').content, encode(['a']))\n",
    }
    assert _run_or123(tmp_path, monkeypatch, files) == []
    assert _run_or123(tmp_path, monkeypatch, {}, "migrate") == []
    assert "base_url" in (tmp_path / "crag.py").read_text()
