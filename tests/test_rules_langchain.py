"""OR411-OR414: LangChain's OpenAI classes, one behaviour per test."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import codes, migrated, run

URL = 'base_url="https://openrouter.ai/api/v1"'
KEY = 'api_key=os.environ["OPENROUTER_API_KEY"]'
LEGACY_URL = 'openai_api_base="https://openrouter.ai/api/v1"'
LEGACY_KEY = 'openai_api_key=os.environ["OPENROUTER_API_KEY"]'


def d(s: str) -> str:
    return textwrap.dedent(s)


@pytest.mark.parametrize(
    "imports, call",
    [
        ("from langchain_openai import ChatOpenAI", "ChatOpenAI"),
        ("from langchain_openai import ChatOpenAI as Chat", "Chat"),
        ("import langchain_openai as lo", "lo.ChatOpenAI"),
        ("import langchain_openai", "langchain_openai.ChatOpenAI"),
        ("from langchain_openai.chat_models import ChatOpenAI", "ChatOpenAI"),
        ("from langchain_openai.chat_models.base import ChatOpenAI", "ChatOpenAI"),
    ],
)
def test_every_import_form_of_chat_openai_is_resolved(imports: str, call: str) -> None:
    out = migrated(f'import os\n{imports}\nllm = {call}(model="gpt-4o")\n')
    assert out == f'import os\n{imports}\nllm = {call}({URL}, {KEY}, model="openai/gpt-4o")\n'


@pytest.mark.parametrize(
    "imports, call",
    [
        ("from langchain.chat_models import ChatOpenAI", "ChatOpenAI"),
        ("from langchain.chat_models.openai import ChatOpenAI", "ChatOpenAI"),
        ("from langchain_community.chat_models import ChatOpenAI", "ChatOpenAI"),
        ("import langchain.chat_models as cm", "cm.ChatOpenAI"),
    ],
)
def test_legacy_chat_openai_gets_the_field_names_every_version_has(imports: str, call: str) -> None:
    out = migrated(f'import os\n{imports}\nllm = {call}(model_name="gpt-4o")\n')
    assert out == (
        f'import os\n{imports}\nllm = {call}({LEGACY_URL}, {LEGACY_KEY}, model_name="openai/gpt-4o")\n'
    )


def test_no_model_gets_the_default_mapped_and_import_os() -> None:
    src = "from langchain_openai import ChatOpenAI\nllm = ChatOpenAI(temperature=0)\n"
    assert migrated(src) == (
        "import os\nfrom langchain_openai import ChatOpenAI\n"
        f'llm = ChatOpenAI({URL}, {KEY}, model="openai/gpt-3.5-turbo", temperature=0)\n'
    )


@pytest.mark.parametrize("org", ["organization", "openai_organization"])
@pytest.mark.parametrize("key", ["api_key", "openai_api_key"])
def test_aliases_key_renamed_and_organization_dropped(org: str, key: str) -> None:
    src = f"""\
    import os
    from langchain_openai import ChatOpenAI
    llm = ChatOpenAI(model_name="gpt-4o-mini", {key}=os.getenv("OPENAI_API_KEY"), {org}="org-1")
    """
    assert migrated(src) == d(
        f"""\
    import os
    from langchain_openai import ChatOpenAI
    llm = ChatOpenAI({URL}, model_name="openai/gpt-4o-mini", {key}=os.getenv("OPENROUTER_API_KEY"))
    """
    )


@pytest.mark.parametrize("kw", ["base_url", "openai_api_base"])
def test_openai_base_url_is_replaced(kw: str) -> None:
    src = f'import os\nfrom langchain_openai import ChatOpenAI\nllm = ChatOpenAI({kw}="https://api.openai.com/v1", model="gpt-4o")\n'
    out = migrated(src)
    assert f'{kw}="https://openrouter.ai/api/v1"' in out
    assert KEY in out and "openai/gpt-4o" in out


def test_key_variable_is_followed_and_renamed_where_it_is_written() -> None:
    src = """\
    import os
    from langchain_openai import ChatOpenAI
    KEY = os.environ["OPENAI_API_KEY"]
    llm = ChatOpenAI(model="gpt-4o", api_key=KEY)
    """
    assert migrated(src) == d(
        f"""\
    import os
    from langchain_openai import ChatOpenAI
    KEY = os.environ["OPENROUTER_API_KEY"]
    llm = ChatOpenAI({URL}, model="openai/gpt-4o", api_key=KEY)
    """
    )


def test_key_that_cannot_be_followed_leaves_the_construction_whole() -> None:
    src = 'from langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model="gpt-4o", api_key=settings.openai_key)\n'
    r = run(src)
    assert [f.code for f in r.findings] == ["OR103"]
    assert r.new_source is None


def test_hard_coded_key_is_replaced_and_reported() -> None:
    src = 'import os\nfrom langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model="gpt-4o", api_key="sk-live-0000000000000000abcd")\n'
    r = run(src)
    assert sorted(f.code for f in r.findings) == ["OR107", "OR411"]
    out = r.new_source.decode()
    assert "sk-live" not in out and KEY in out


def test_model_constant_is_mapped_where_it_is_written() -> None:
    src = """\
    import os
    from langchain_openai import ChatOpenAI
    MODEL = "gpt-4o"
    llm = ChatOpenAI(model=MODEL)
    """
    out = migrated(src)
    assert 'MODEL = "openai/gpt-4o"' in out and "model=MODEL" in out


def test_model_constant_read_elsewhere_leaves_it_whole() -> None:
    src = """\
    import os
    import tiktoken
    from langchain_openai import ChatOpenAI
    MODEL = "gpt-4o"
    enc = tiktoken.encoding_for_model(MODEL)
    llm = ChatOpenAI(model=MODEL)
    """
    r = run(src)
    assert [f.code for f in r.findings] == ["OR413"]
    assert "also read" in r.findings[0].message
    assert r.new_source is None


def test_model_from_settings_is_reported_not_guessed() -> None:
    src = "import os\nfrom langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model=settings.model)\n"
    r = run(src)
    assert [f.code for f in r.findings] == ["OR413"]
    assert r.new_source is None


@pytest.mark.parametrize(
    "model, expected",
    [("ft:gpt-4o-mini:acme::abc", "no OpenRouter ID"), ("gpt-foo-9", "no OpenRouter ID")],
)
def test_model_without_an_openrouter_id_is_reported(model: str, expected: str) -> None:
    r = run(
        f'import os\nfrom langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model="{model}")\n'
    )
    assert [f.code for f in r.findings] == ["OR413"]
    assert expected in r.findings[0].message


def test_model_already_on_openrouter_is_kept() -> None:
    src = 'import os\nfrom langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model="anthropic/claude-3.5-sonnet")\n'
    out = migrated(src)
    assert f'ChatOpenAI({URL}, {KEY}, model="anthropic/claude-3.5-sonnet")' in out


def test_stream_usage_is_added_only_where_usage_is_read() -> None:
    src = """\
    import os
    from langchain_openai import ChatOpenAI
    llm = ChatOpenAI(model="gpt-4o")
    for chunk in llm.stream("hi"):
        print(chunk.content)
    """
    assert "stream_usage" not in migrated(src)
    reads = src + "    total = chunk.usage_metadata\n"
    assert "stream_usage=True)" in migrated(reads)
    callback = (
        "from langchain_community.callbacks import get_openai_callback\n"
        + d(src)
        + "with get_openai_callback() as cb:\n    llm.invoke('x')\n"
    )
    assert "stream_usage=True)" in migrated(callback)


def test_stream_usage_is_not_added_to_the_legacy_class_that_has_no_such_field() -> None:
    src = """\
    import os
    from langchain.chat_models import ChatOpenAI
    llm = ChatOpenAI(model_name="gpt-4o")
    print(llm.invoke("hi").usage_metadata)
    """
    assert "stream_usage" not in migrated(src)


def test_tiktoken_model_name_is_added_where_the_file_counts_tokens() -> None:
    src = """\
    import os
    from langchain_openai import ChatOpenAI
    llm = ChatOpenAI(model="gpt-4o")
    n = llm.get_num_tokens_from_messages(messages)
    """
    assert 'model="openai/gpt-4o", tiktoken_model_name="gpt-4o")' in migrated(src)
    plain = src.replace("n = llm.get_num_tokens_from_messages(messages)\n", "")
    assert "tiktoken_model_name" not in migrated(plain)


def test_attribution_headers_go_into_default_headers() -> None:
    src = """\
    import os
    from langchain_openai import ChatOpenAI
    a = ChatOpenAI(model="gpt-4o")
    b = ChatOpenAI(model="gpt-4o", default_headers={"X-Trace": "1"})
    """
    out = migrated(src, app_url="https://example.test", app_title="App")
    assert 'default_headers={"HTTP-Referer": "https://example.test", "X-Title": "App"})' in out
    assert (
        'default_headers={"X-Trace": "1", "HTTP-Referer": "https://example.test", "X-Title": "App"})'
        in out
    )


def test_default_headers_expression_is_migrated_with_a_note() -> None:
    src = 'import os\nfrom langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model="gpt-4o", default_headers=make_headers())\n'
    r = run(src, app_url="https://example.test")
    assert sorted(f.code for f in r.findings) == ["OR106", "OR411"]


def test_authorization_header_leaves_it_whole() -> None:
    src = 'import os\nfrom langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model="gpt-4o", default_headers={"Authorization": tok})\n'
    r = run(src)
    assert [f.code for f in r.findings] == ["OR103"]
    assert r.new_source is None


@pytest.mark.parametrize(
    "args",
    [
        'base_url="http://localhost:8000/v1"',
        "openai_api_base=os.environ['PROXY']",
        'openai_proxy="http://proxy:3128"',
        "http_client=httpx.Client()",
        "client=my_client",
    ],
)
def test_constructions_that_are_not_openai_direct_are_left(args: str) -> None:
    r = run(
        f'import os\nfrom langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model="gpt-4o", {args})\n'
    )
    assert [f.code for f in r.findings] == ["OR414"]
    assert r.new_source is None


@pytest.mark.parametrize("cls", ["AzureChatOpenAI", "AzureOpenAIEmbeddings", "AzureOpenAI"])
def test_azure_classes_are_reported(cls: str) -> None:
    r = run(f'from langchain_openai import {cls}\nm = {cls}(azure_deployment="x")\n')
    assert [f.code for f in r.findings] == ["OR414"]
    assert r.new_source is None


@pytest.mark.parametrize("args", ["**opts", "'gpt-4o'", "*a"])
def test_unpacked_or_positional_arguments_are_reported(args: str) -> None:
    r = run(f"import os\nfrom langchain_openai import ChatOpenAI\nllm = ChatOpenAI({args})\n")
    assert [f.code for f in r.findings] == ["OR413"]
    assert r.new_source is None


def test_a_keyword_and_its_alias_together_are_reported() -> None:
    r = run(
        'import os\nfrom langchain_openai import ChatOpenAI\nllm = ChatOpenAI(model="gpt-4o", model_name="gpt-4o")\n'
    )
    assert [f.code for f in r.findings] == ["OR413"]


def test_already_on_openrouter_is_left_alone() -> None:
    src = f'import os\nfrom langchain_openai import ChatOpenAI\nllm = ChatOpenAI({URL}, {KEY}, model="openai/gpt-4o")\n'
    assert codes(src) == []


def test_a_local_class_named_chat_openai_is_never_touched() -> None:
    src = """\
    import langchain_openai
    class ChatOpenAI:
        def __init__(self, **kw): ...
    llm = ChatOpenAI(model="gpt-4o")
    """
    assert codes(src) == []


def test_os_shadowed_is_reported() -> None:
    src = (
        'from langchain_openai import ChatOpenAI\nos = "linux"\nllm = ChatOpenAI(model="gpt-4o")\n'
    )
    r = run(src)
    assert [f.code for f in r.findings] == ["OR108"]
    assert r.new_source is None


# -- embeddings ------------------------------------------------------------------


def test_embeddings_move_and_send_text() -> None:
    src = """\
    import os
    from langchain_openai import OpenAIEmbeddings
    emb = OpenAIEmbeddings(model="text-embedding-3-small", organization="org-1")
    """
    assert migrated(src) == d(
        f"""\
    import os
    from langchain_openai import OpenAIEmbeddings
    emb = OpenAIEmbeddings({URL}, {KEY}, model="openai/text-embedding-3-small", check_embedding_ctx_length=False)
    """
    )


def test_embeddings_check_embedding_ctx_length_true_is_turned_off() -> None:
    src = 'import os\nfrom langchain_openai import OpenAIEmbeddings\ne = OpenAIEmbeddings(model="text-embedding-3-large", check_embedding_ctx_length=True)\n'
    out = migrated(src)
    assert "check_embedding_ctx_length=False)" in out and "True" not in out


@pytest.mark.parametrize(
    "args, expected",
    [
        ("", "text-embedding-ada-002"),
        ('model="text-embedding-ada-002"', "no OpenRouter ID"),
        ('model="gpt-4o"', "not an embedding model OpenRouter serves"),
    ],
)
def test_embedding_models_openrouter_does_not_serve_are_reported(args: str, expected: str) -> None:
    src = (
        f"import os\nfrom langchain_openai import OpenAIEmbeddings\ne = OpenAIEmbeddings({args})\n"
    )
    r = run(src)
    assert [f.code for f in r.findings] == ["OR413"]
    assert expected in r.findings[0].message
    assert r.new_source is None


@pytest.mark.parametrize(
    "imports",
    [
        "from langchain.embeddings import OpenAIEmbeddings",
        "from langchain_community.embeddings.openai import OpenAIEmbeddings",
    ],
)
def test_legacy_embeddings_always_send_token_arrays_and_are_reported(imports: str) -> None:
    r = run(f'import os\n{imports}\ne = OpenAIEmbeddings(model="text-embedding-3-small")\n')
    assert [f.code for f in r.findings] == ["OR413"]
    assert "token arrays" in r.findings[0].message
    assert r.new_source is None


# -- the completions model ---------------------------------------------------------


def test_langchain_openai_completions_model_moves_whole() -> None:
    src = "import os\nfrom langchain_openai import OpenAI\nllm = OpenAI()\n"
    assert f'llm = OpenAI({URL}, {KEY}, model="openai/gpt-3.5-turbo-instruct")\n' in migrated(src)


def test_legacy_llms_openai_moves_whole_with_a_model() -> None:
    src = 'import os\nfrom langchain.llms import OpenAI\nllm = OpenAI(model_name="gpt-3.5-turbo-instruct", temperature=0)\n'
    out = migrated(src)
    assert f'OpenAI({LEGACY_URL}, {LEGACY_KEY}, model_name="openai/gpt-3.5-turbo-instruct"' in out


@pytest.mark.parametrize(
    "args, expected",
    [
        ("temperature=0", "default of the legacy class changed"),
        ('model_name="text-davinci-003"', "no OpenRouter ID"),
        ('model_name="gpt-3.5-turbo-instruct", max_tokens=-1', "max_tokens=-1"),
    ],
)
def test_legacy_llms_openai_that_cannot_move_whole_is_reported(args: str, expected: str) -> None:
    r = run(f"import os\nfrom langchain.llms import OpenAI\nllm = OpenAI({args})\n")
    assert [f.code for f in r.findings] == ["OR413"]
    assert expected in r.findings[0].message
    assert r.new_source is None


def test_openai_sdk_client_in_the_same_file_is_unaffected() -> None:
    src = """\
    import os
    from openai import OpenAI
    from langchain_openai import ChatOpenAI
    client = OpenAI()
    llm = ChatOpenAI(model="gpt-4o")
    """
    out = migrated(src)
    assert f"client = OpenAI({URL}, {KEY})" in out
    assert f'llm = ChatOpenAI({URL}, {KEY}, model="openai/gpt-4o")' in out


def test_file_without_openai_in_its_bytes_is_not_skipped() -> None:
    from codemods.core.prefilter import may_need_work

    assert may_need_work(b"from langchain.chat_models import ChatOpenAI\nllm = ChatOpenAI()\n")


def test_a_key_variable_shared_with_an_sdk_client_moves_both_together() -> None:
    src = """\
    import os
    from openai import OpenAI
    from langchain_openai import ChatOpenAI
    KEY = os.environ["OPENAI_API_KEY"]
    client = OpenAI(api_key=KEY)
    llm = ChatOpenAI(model="gpt-4o", api_key=KEY)
    """
    out = migrated(src)
    assert 'KEY = os.environ["OPENROUTER_API_KEY"]' in out
    assert f"client = OpenAI({URL}, api_key=KEY)" in out
    assert f'llm = ChatOpenAI({URL}, model="openai/gpt-4o", api_key=KEY)' in out


def test_a_key_variable_shared_with_a_client_that_stays_leaves_both() -> None:
    src = """\
    import os
    from openai import OpenAI
    from langchain_openai import ChatOpenAI
    KEY = os.environ["OPENAI_API_KEY"]
    client = OpenAI(api_key=KEY, base_url="http://localhost:8000/v1")
    llm = ChatOpenAI(model="gpt-4o", api_key=KEY)
    """
    r = run(src)
    assert sorted(f.code for f in r.findings) == ["OR103", "OR104"]
    assert r.new_source is None


@pytest.mark.parametrize("held", ["client", "llm"])
def test_a_key_variable_shared_with_a_suppressed_construction_is_not_renamed(held: str) -> None:
    # the noqa'd one stays on OpenAI with the key as it is; the other one is
    # left whole (OR103), as for any key variable also read elsewhere
    noqa = {"client": "OR101", "llm": "OR411"}
    lines = {
        "client": "client = OpenAI(api_key=KEY)",
        "llm": 'llm = ChatOpenAI(model="gpt-4o", api_key=KEY)',
    }
    lines[held] += f"  # noqa: {noqa[held]}"
    src = (
        "import os\nfrom openai import OpenAI\nfrom langchain_openai import ChatOpenAI\n"
        'KEY = os.environ["OPENAI_API_KEY"]\n' + lines["client"] + "\n" + lines["llm"] + "\n"
    )
    r = run(src, dedent=False)
    assert r.new_source is None, r.new_source.decode()
    assert [f.code for f in r.findings] == ["OR103"]
    assert r.findings[0].line == (6 if held == "client" else 5)


# -- init_chat_model ------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        'init_chat_model("openai:gpt-4o", temperature=0)',
        'init_chat_model("gpt-4o")',
        'init_chat_model(model="gpt-4o-mini", model_provider="openai")',
        'init_chat_model("o3-mini", base_url="https://api.openai.com/v1")',
    ],
)
def test_init_chat_model_for_openai_is_reported_with_the_way_to_write_it(call: str) -> None:
    r = run(f"from langchain.chat_models import init_chat_model\nllm = {call}\n")
    assert [f.code for f in r.findings] == ["OR415"]
    assert 'model_provider="openai"' in r.findings[0].message
    assert r.new_source is None


@pytest.mark.parametrize(
    "call",
    [
        'init_chat_model("anthropic:claude-3-5-sonnet-latest")',
        'init_chat_model("claude-3-5-sonnet-latest")',
        'init_chat_model("gpt-4o", base_url="http://localhost:8000/v1")',
        'init_chat_model("openai/gpt-4o", model_provider="openai", base_url="https://openrouter.ai/api/v1")',
        "init_chat_model(configurable_fields=('model',))",
        'init_chat_model("gpt-4o", model_provider=provider)',
    ],
)
def test_init_chat_model_for_another_provider_or_server_is_not_reported(call: str) -> None:
    assert codes(f"from langchain.chat_models import init_chat_model\nllm = {call}\n") == []


def test_openai_url_from_a_constant_is_reported_not_rewritten() -> None:
    src = 'import os\nfrom langchain_openai import ChatOpenAI\nOPENAI_URL = "https://api.openai.com/v1"\nllm = ChatOpenAI(base_url=OPENAI_URL, model="gpt-4o")\n'
    r = run(src)
    assert [f.code for f in r.findings] == ["OR413"]
    assert "constant" in r.findings[0].message
    assert r.new_source is None


def test_a_bound_model_moves_with_its_construction() -> None:
    # `.bind(model=...)` replaces the model at call time: left bare, the
    # moved ChatOpenAI would send it to OpenRouter (review: silent)
    from tests.helpers import migrated as _migrated

    out = _migrated(
        """
        from langchain_openai import ChatOpenAI

        llm = ChatOpenAI(model="gpt-4o", temperature=0)
        fast = llm.bind(model="gpt-4o-mini")
        """
    )
    assert 'fast = llm.bind(model="openai/gpt-4o-mini")' in out
    assert 'model="openai/gpt-4o"' in out


def test_a_bound_model_that_cannot_map_makes_the_move_unsafe() -> None:
    from tests.helpers import migrated as _migrated
    from tests.helpers import run as _run

    src = """
        from langchain_openai import ChatOpenAI

        other = ChatOpenAI(model="gpt-4o").bind(model_name="gpt-foo-9")
        """
    result = _run(src)
    (f,) = [x for x in result.findings if x.code == "OR411"]
    assert f.applicability == "unsafe" and "`.bind(model_name=...)`" in f.message
    assert "openrouter" not in _migrated(src)


# ---------------------------------------------------------------- across modules (issue #11)

LLMS = """\
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(model="gpt-4o")
    """


def _project(tmp_path, monkeypatch, files: dict[str, str]) -> list[dict]:
    from tests.test_rules_clients_cross import _findings, _tree

    return _findings(_tree(tmp_path, files), monkeypatch)


def test_a_model_bound_in_another_module_moves_with_its_construction(tmp_path, monkeypatch) -> None:
    # the case: app.py names neither openai nor langchain; the bound
    # bare ID would be sent to OpenRouter once the ChatOpenAI moved (issue #11)
    from tests.test_rules_clients_cross import _migrate, _tree

    app = 'from llms import llm\n\nfast = llm.bind(model="gpt-4o-mini")\nfast.invoke("hi")\n'
    root = _tree(tmp_path, {"llms.py": LLMS, "app.py": app})
    found = _project(tmp_path, monkeypatch, {})
    by_file = {f["file"]: f for f in found if f["code"] == "OR411"}
    assert by_file["llms.py"]["fix"] == "safe", by_file
    assert "moves `.bind(model=...)` at app.py:3 with it" in by_file["llms.py"]["message"]
    assert by_file["app.py"]["fix"] == "safe" and by_file["app.py"]["line"] == 3
    _migrate(root, monkeypatch)
    assert 'fast = llm.bind(model="openai/gpt-4o-mini")' in (root / "app.py").read_text()
    assert 'model="openai/gpt-4o"' in (root / "llms.py").read_text()
    assert [f for f in _project(tmp_path, monkeypatch, {}) if f["code"] == "OR411"] == []


def test_a_model_bound_elsewhere_moves_unsafely_with_an_unsafe_construction(
    tmp_path, monkeypatch
) -> None:
    # its ChatOpenAI moves only with --unsafe-fixes (a bound model here it
    # cannot map): so does the model bound to it in app.py
    llms = LLMS + 'other = llm.bind(model="gpt-foo-9")\n'
    app = 'from llms import llm\n\nfast = llm.bind(model="gpt-4o-mini")\n'
    found = _project(tmp_path, monkeypatch, {"llms.py": llms, "app.py": app})
    by_file = {f["file"]: f["fix"] for f in found if f["code"] == "OR411"}
    assert by_file == {"llms.py": "unsafe", "app.py": "unsafe"}


@pytest.mark.parametrize(
    "app, where",
    [
        ('from llms import llm\n\nfast = llm.bind(model="gpt-foo-9")\n', "app.py:3"),
        ("import llms\n\n\ndef run(m):\n    return llms.llm.bind(model_name=m)\n", "app.py:5"),
    ],
)
def test_a_model_bound_in_another_module_that_cannot_map_makes_the_move_unsafe(
    tmp_path, monkeypatch, app: str, where: str
) -> None:
    found = _project(tmp_path, monkeypatch, {"llms.py": LLMS, "app.py": app})
    (f,) = [x for x in found if x["code"] == "OR411"]
    assert f["file"] == "llms.py" and f["fix"] == "unsafe", f
    assert f"at {where} (write an OpenRouter ID there)" in f["message"]


@pytest.mark.parametrize(
    "app",
    [
        'from llms import llm\n\nllm.invoke("hi")\n',
        'from llms import llm\n\nfast = llm.bind(model="openai/gpt-4o-mini")\n',
        # a name of its own, not the imported model
        'from llms import llm\n\n\ndef f(llm):\n    return llm.bind(model="gpt-4o-mini")\n',
    ],
)
def test_a_model_used_in_another_module_without_a_bare_bound_model_moves_safely(
    tmp_path, monkeypatch, app: str
) -> None:
    found = _project(tmp_path, monkeypatch, {"llms.py": LLMS, "app.py": app})
    (f,) = [x for x in found if x["code"] == "OR411"]
    assert f["fix"] == "safe", f


@pytest.mark.parametrize(
    "init",
    ["from .llms import llm\n", "from .llms import *\n", "from pkg.llms import llm as llm\n"],
)
def test_a_model_bound_through_a_reexport_moves_with_its_construction(
    tmp_path, monkeypatch, init: str
) -> None:
    # pkg/__init__.py hands out pkg/llms.py's ChatOpenAI (issue #11)
    from tests.test_rules_clients_cross import _findings, _migrate, _tree

    app = 'from pkg import llm\n\nfast = llm.bind(model="gpt-4o-mini")\nfast.invoke("hi")\n'
    root = _tree(tmp_path, {"pkg/__init__.py": init, "pkg/llms.py": LLMS, "app.py": app})
    found = _findings(root, monkeypatch)
    by_file = {f["file"]: f for f in found if f["code"] == "OR411"}
    assert by_file["pkg/llms.py"]["fix"] == "safe", by_file
    assert by_file["app.py"]["fix"] == "safe" and by_file["app.py"]["line"] == 3, by_file
    assert _findings(root, monkeypatch, "app.py") == [f for f in found if f["file"] == "app.py"]
    _migrate(root, monkeypatch)
    assert 'fast = llm.bind(model="openai/gpt-4o-mini")' in (root / "app.py").read_text()
    assert 'model="openai/gpt-4o"' in (root / "pkg/llms.py").read_text()


CRAG = """\
    import argparse

    from langchain_openai import ChatOpenAI


    class CRAG:
        def __init__(self, path, model="gpt-4o-mini", temperature=0):
            self.path = path
            self.llm = ChatOpenAI(model=model, temperature=temperature)

        def run(self, q):
            return self.llm.invoke(q).content


    def parse_args():
        parser = argparse.ArgumentParser()
        parser.add_argument("--model", type=str, default="gpt-4o-mini")
        return parser.parse_args()


    def main(args):
        crag = CRAG(path="doc.pdf", model=args.model)
        print(crag.run("hi"))


    if __name__ == "__main__":
        main(parse_args())
    """


@pytest.mark.parametrize(
    "caller",
    [
        "model=args.model",  # RAG_Techniques' crag.py: `args` is a parameter
        'model="gpt-4o"',  # followed here, but another module builds CRAG too
    ],
)
def test_a_class_whose_init_parameter_is_the_model_holds_the_construction(
    tmp_path, caller: str
) -> None:
    """RAG_Techniques crag.py (audit 13, W3): ``ChatOpenAI(model=model)`` in
    ``__init__``; on main the ChatOpenAI and the default moved while the
    value ``CRAG(model=args.model)`` passes (argparse's bare default) or
    another module's ``CRAG(model=...)`` reached OpenRouter bare. The calls
    of the class are followed like the SDK path follows them; what cannot be
    followed leaves the construction (OR413)."""
    from tests.test_project_dataflow import changed, check, write

    files = {"crag.py": CRAG.replace("model=args.model", caller), "util.py": "X = 1\n"}
    if caller != "model=args.model":
        files["eval.py"] = 'from crag import CRAG\n\nCRAG("x", model="gpt-4o")\n'
    write(tmp_path, files)
    out = check(tmp_path)
    assert [c for _, c, _ in out["crag.py"]] == ["OR413"]
    assert changed(out, "crag.py") is None


def test_a_class_built_only_in_its_module_moves_with_its_callers_models(tmp_path) -> None:
    """No other module of the run imports the class: its calls are all in
    its file, and the literal each passes moves with the default."""
    from tests.test_project_dataflow import changed, check, write

    files = {"crag.py": CRAG.replace("model=args.model", 'model="gpt-4o"'), "util.py": "X = 1\n"}
    write(tmp_path, files)
    out = check(tmp_path)
    assert [c for _, c, _ in out["crag.py"]] == ["OR411"]
    new = changed(out, "crag.py") or ""
    assert 'model="openai/gpt-4o-mini", temperature=0' in new
    assert 'CRAG(path="doc.pdf", model="openai/gpt-4o")' in new
