"""OR11x: the module-level client (openai>=1) and openai<1 configuration."""

from __future__ import annotations

import textwrap

import pytest

from codemods.core.engine import EngineConfig
from codemods.core.findings import FileResult, Settings
from codemods.core.rules import all_rules
from codemods.python.engine import process_source
from codemods.python.rules.base import RuleContext
from codemods.python.rules.models import sdk_calls

RULES = all_rules()

URL = "https://openrouter.ai/api/v1"
# the module-level client of openai>=1 needs the trailing slash (issue 11 item 7)
V1_URL = URL + "/"


def run(src: str, settings: Settings | None = None) -> FileResult:
    data = textwrap.dedent(src).lstrip("\n").encode()
    return process_source("m.py", data, EngineConfig(settings=settings or Settings()))


def out(src: str, settings: Settings | None = None) -> str:
    """The migrated source (the input when nothing changes)."""
    res = run(src, settings)
    assert not res.errors, res.errors
    if res.new_source is None:
        return textwrap.dedent(src).lstrip("\n")
    return res.new_source.decode()


def codes(src: str, settings: Settings | None = None) -> list[str]:
    return [f.code for f in run(src, settings).findings]


def assert_idempotent(src: str, settings: Settings | None = None) -> None:
    once = out(src, settings)
    res = process_source("m.py", once.encode(), EngineConfig(settings=settings or Settings()))
    assert res.new_source is None, res.new_source
    assert not any(f.fixable for f in res.findings)


def dedent(s: str) -> str:
    return textwrap.dedent(s).lstrip("\n")


# ---- the rules' own documentation --------------------------------------------

MODULE_RULES = [f"OR11{i}" for i in range(8)]


@pytest.mark.parametrize("code", MODULE_RULES)
def test_rule_examples_are_true(code: str) -> None:
    info = RULES[code]
    before = textwrap.dedent(info.before).strip("\n") + "\n"
    res = process_source("example.py", before.encode(), EngineConfig())
    assert code in {f.code for f in res.findings}, res.findings
    if info.after is None:
        assert not info.fixable
        # report-only examples change nothing of their own
        return
    after = textwrap.dedent(info.after).strip("\n") + "\n"
    assert res.new_source is not None
    assert res.new_source.decode() == after


@pytest.mark.parametrize("code", MODULE_RULES)
def test_rule_docs_are_complete(code: str) -> None:
    info = RULES[code]
    assert info.summary and info.what.strip() and info.why.strip() and info.before.strip()
    assert (info.after is not None) == info.fixable
    assert f"## {code} " in info.doc()


# ---- openai>=1 module-level client ---------------------------------------------

REALWORLD = """
    import os

    import openai

    openai.api_key = os.environ["OPENAI_API_KEY"]
    openai.organization = "org-x"
    openai.max_retries = 3


    def quick(prompt):
        return openai.chat.completions.create(model="gpt-3.5-turbo", messages=[])
"""


def test_v1_assignments_are_migrated_together_with_the_model_ids() -> None:
    assert out(REALWORLD) == dedent(
        f"""
        import os

        import openai

        openai.api_key = os.environ["OPENROUTER_API_KEY"]
        openai.base_url = "{V1_URL}"
        openai.max_retries = 3


        def quick(prompt):
            return openai.chat.completions.create(model="openai/gpt-3.5-turbo", messages=[])
        """
    )
    res = run(REALWORLD)
    (config,) = [f for f in res.findings if f.code == "OR110"]
    assert config.line == 5 and config.fixable
    assert "drop organization" in config.message
    assert_idempotent(REALWORLD)


def test_alias_of_the_openai_module() -> None:
    src = """
        import os
        import openai as oa

        oa.api_key = os.getenv("OPENAI_API_KEY")
        oa.embeddings.create(model="text-embedding-3-small", input="hi")
    """
    assert out(src) == dedent(
        f"""
        import os
        import openai as oa

        oa.api_key = os.getenv("OPENROUTER_API_KEY")
        oa.base_url = "{V1_URL}"
        oa.embeddings.create(model="openai/text-embedding-3-small", input="hi")
        """
    )
    assert_idempotent(src)


@pytest.mark.parametrize(
    "lookup, expected",
    [
        ('os.getenv("OPENAI_API_KEY")', 'os.getenv("OPENROUTER_API_KEY")'),
        ('os.getenv("OPENAI_API_KEY", "")', 'os.getenv("OPENROUTER_API_KEY", "")'),
        ("os.environ.get('OPENAI_API_KEY')", "os.environ.get('OPENROUTER_API_KEY')"),
        ('os.environ["OPENAI_API_KEY"]', 'os.environ["OPENROUTER_API_KEY"]'),
        ('os.environ["OPENROUTER_API_KEY"]', 'os.environ["OPENROUTER_API_KEY"]'),
    ],
)
def test_key_lookup_keeps_its_form(lookup: str, expected: str) -> None:
    src = f"import os\nimport openai\nopenai.api_key = {lookup}\nopenai.models.list()\n"
    q = "'" if "'" in lookup else '"'
    assert out(src) == (
        f"import os\nimport openai\nopenai.api_key = {expected}\nopenai.base_url = {q}{V1_URL}{q}\n"
        "openai.models.list()\n"
    )


def test_key_from_settings_leaves_the_module_client_whole() -> None:
    # issue 11 item 5: setting base_url alone would send this key to OpenRouter
    # (401 on every call) and make OR103 vanish after migrate
    src = """
        import openai
        from app.config import settings

        openai.api_key = settings.openai_api_key
        openai.chat.completions.create(model="gpt-4o", messages=[])
    """
    res = run(src)
    assert res.new_source is None
    found = [f.code for f in res.findings]
    assert "OR103" in found and "OR110" not in found and "OR201" not in found
    note = next(f for f in res.findings if f.code == "OR103")
    assert not note.fixable and "settings.openai_api_key" in note.message
    assert "left alone" in note.message


def test_hard_coded_key_is_replaced_and_reported_redacted() -> None:
    key = "sk-proj-" + "A1b2C3d4" * 5
    src = f'"""Doc."""\nimport openai\n\nopenai.api_key = "{key}"\nopenai.models.list()\n'
    res = run(src)
    assert res.new_source is not None
    assert res.new_source.decode() == (
        f'"""Doc."""\nimport os\nimport openai\n\n'
        f'openai.api_key = os.environ["OPENROUTER_API_KEY"]\nopenai.base_url = "{V1_URL}"\n'
        "openai.models.list()\n"
    )
    secret = [f for f in res.findings if f.code == "OR107"]
    assert len(secret) == 1 and secret[0].fixable and secret[0].line == 4
    for f in res.findings:
        assert key not in f.message and key[8:20] not in f.message
    assert "sk-...C3d4" in secret[0].message


def test_already_on_openrouter_is_a_no_op() -> None:
    src = f"""
        import os
        import openai

        openai.base_url = "{V1_URL}"
        openai.api_key = os.environ["OPENROUTER_API_KEY"]
        openai.chat.completions.create(model="openai/gpt-4o", messages=[])
    """
    res = run(src)
    assert res.findings == [] and res.new_source is None


def test_already_on_openrouter_still_maps_bare_ids() -> None:
    src = f"""
        import openai
        openai.base_url = "{V1_URL}"
        openai.chat.completions.create(model="gpt-4o", messages=[])
    """
    assert codes(src) == ["OR201"]
    assert 'model="openai/gpt-4o"' in out(src)


def test_openai_base_url_is_replaced_and_the_key_inserted_after_it() -> None:
    src = """
        import openai
        openai.base_url = "https://api.openai.com/v1/"
        openai.chat.completions.create(model="gpt-4o", messages=[])
    """
    assert out(src) == dedent(
        f"""
        import os
        import openai
        openai.base_url = "{V1_URL}"
        openai.api_key = os.environ["OPENROUTER_API_KEY"]
        openai.chat.completions.create(model="openai/gpt-4o", messages=[])
        """
    )
    assert_idempotent(src)


def test_project_is_removed_only_with_strip_project() -> None:
    src = """
        import os
        import openai
        openai.api_key = os.environ["OPENAI_API_KEY"]
        openai.project = "proj_1"
        openai.models.list()
    """
    assert "openai.project" not in out(src)
    kept = out(src, Settings(strip_project=False))
    assert 'openai.project = "proj_1"' in kept and f'openai.base_url = "{V1_URL}"' in kept


def test_comments_are_preserved() -> None:
    src = """
        import os
        import openai

        # OpenAI configuration
        openai.organization = "org-x"  # billing org
        openai.api_key = os.environ["OPENAI_API_KEY"]  # from .env
        # retries
        openai.max_retries = 3

        openai.chat.completions.create(model="gpt-4o", messages=[])
    """
    assert out(src) == dedent(
        f"""
        import os
        import openai

        # OpenAI configuration
        openai.api_key = os.environ["OPENROUTER_API_KEY"]  # from .env
        openai.base_url = "{V1_URL}"
        # retries
        openai.max_retries = 3

        openai.chat.completions.create(model="openai/gpt-4o", messages=[])
        """
    )
    assert_idempotent(src)


def test_removed_last_statement_keeps_its_comment_lines() -> None:
    src = """
        import os
        import openai
        openai.api_key = os.environ["OPENAI_API_KEY"]
        openai.models.list()

        # who pays
        openai.organization = "org-x"
    """
    assert out(src) == dedent(
        f"""
        import os
        import openai
        openai.api_key = os.environ["OPENROUTER_API_KEY"]
        openai.base_url = "{V1_URL}"
        openai.models.list()

        # who pays
        """
    )


def test_crlf_file_stays_crlf() -> None:
    src = (
        b'import os\r\nimport openai\r\nopenai.api_key = os.getenv("OPENAI_API_KEY")\r\n'
        b"openai.models.list()\r\n"
    )
    res = process_source("m.py", src, EngineConfig())
    assert res.new_source is not None
    assert res.new_source == (
        b'import os\r\nimport openai\r\nopenai.api_key = os.getenv("OPENROUTER_API_KEY")\r\n'
        b'openai.base_url = "https://openrouter.ai/api/v1/"\r\nopenai.models.list()\r\n'
    )


# ---- headers -----------------------------------------------------------------

APP = Settings(app_url="https://example.com", app_title="Bot")
KEYED = 'import os\nimport openai\nopenai.api_key = os.getenv("OPENAI_API_KEY")\n'


def test_headers_are_inserted_for_the_v1_module_client() -> None:
    src = KEYED + "openai.models.list()\n"
    assert out(src, APP) == (
        'import os\nimport openai\nopenai.api_key = os.getenv("OPENROUTER_API_KEY")\n'
        f'openai.base_url = "{V1_URL}"\n'
        'openai.default_headers = {"HTTP-Referer": "https://example.com", "X-Title": "Bot"}\n'
        "openai.models.list()\n"
    )
    assert_idempotent(src, APP)


def test_headers_are_merged_into_an_existing_dict() -> None:
    src = """
        import os
        import openai
        openai.api_key = os.getenv("OPENAI_API_KEY")
        openai.default_headers = {"X-Team": "a"}
        openai.models.list()
    """
    text = out(src, APP)
    assert (
        'openai.default_headers = {"X-Team": "a", "HTTP-Referer": "https://example.com", '
        '"X-Title": "Bot"}' in text
    )


def test_headers_from_an_expression_are_reported() -> None:
    src = """
        import os
        import openai
        openai.api_key = os.getenv("OPENAI_API_KEY")
        openai.default_headers = build_headers()
        openai.models.list()
    """
    assert "OR106" in codes(src, APP)
    assert "openai.default_headers = build_headers()" in out(src, APP)


def test_legacy_module_client_gets_no_headers() -> None:
    src = KEYED + "openai.Model.list()\n"
    assert "default_headers" not in out(src, APP)


# ---- issue 11 item 7: what the SDKs do with these values at run time ---------------
# (tests/test_e2e_apps.py runs the result with the real SDKs)


def test_v1_module_base_url_is_written_with_the_trailing_slash() -> None:
    src = KEYED + "openai.chat.completions.create(model='gpt-4o', messages=[])\n"
    for settings in (Settings(), Settings(base_url=URL + "/")):
        assert f'openai.base_url = "{V1_URL}"\n' in out(src, settings)
    assert 'openai.base_url = "http://127.0.0.1:8/api/v1/"' in out(
        src, Settings(base_url="http://127.0.0.1:8/api/v1")
    )
    # clients add the slash themselves: their base_url is written as given
    client = "from openai import OpenAI\nclient = OpenAI()\nclient.models.list()\n"
    assert f'OpenAI(base_url="{URL}"' in out(client)


def test_legacy_api_base_is_written_without_a_trailing_slash() -> None:
    src = KEYED + "openai.ChatCompletion.create(model='gpt-4o', messages=[])\n"
    for settings in (Settings(), Settings(base_url=URL + "/")):
        assert f'openai.api_base = "{URL}"\n' in out(src, settings)


@pytest.mark.parametrize(
    ("setting", "call", "before", "after"),
    [
        ("base_url", "openai.models.list()", URL, V1_URL),
        ("base_url", "openai.models.list()", URL + "//", V1_URL),
        ("api_base", "openai.Model.list()", V1_URL, URL),
    ],
)
def test_base_url_already_on_openrouter_gets_the_slash_its_sdk_needs(
    setting: str, call: str, before: str, after: str
) -> None:
    src = f'import openai\nopenai.{setting} = "{before}"  # keep\n{call}\n'
    res = run(src)
    (fix,) = [f for f in res.findings if f.code != "OR114"]  # OR114: the openai<1 API
    assert fix.code == "OR110" and fix.fixable and fix.line == 2
    assert out(src) == f'import openai\nopenai.{setting} = "{after}"  # keep\n{call}\n'
    assert_idempotent(src)


LEGACY_CALLS = """
    import asyncio
    import openai
    openai.api_key = os.environ["OPENAI_API_KEY"]
    a = openai.ChatCompletion.create(model="gpt-4o", messages=[])
    b = openai.Completion.create(
        model="gpt-3.5-turbo-instruct",
        prompt="x",
    )
    c = openai.Embedding.create(model="text-embedding-3-small", input=["x"], headers={"X-Team": "a"})
    d = asyncio.run(openai.ChatCompletion.acreate(model="gpt-4o", messages=[]))
    e = openai.Model.list()
"""


def test_legacy_calls_get_the_attribution_headers() -> None:
    src = "import os\n" + dedent(LEGACY_CALLS)
    res = run(src, APP)
    (config,) = [f for f in res.findings if f.code == "OR110"]
    assert "add attribution headers to 4 openai<1 calls" in config.message
    h = '{"HTTP-Referer": "https://example.com", "X-Title": "Bot"}'
    assert out(src, APP) == "import os\n" + dedent(
        f"""
        import asyncio
        import openai
        openai.api_key = os.environ["OPENROUTER_API_KEY"]
        openai.api_base = "{URL}"
        a = openai.ChatCompletion.create(model="openai/gpt-4o", messages=[], headers={h})
        b = openai.Completion.create(
            model="openai/gpt-3.5-turbo-instruct",
            prompt="x",
            headers={h},
        )
        c = openai.Embedding.create(model="openai/text-embedding-3-small", input=["x"], headers={{"X-Team": "a", "HTTP-Referer": "https://example.com", "X-Title": "Bot"}})
        d = asyncio.run(openai.ChatCompletion.acreate(model="openai/gpt-4o", messages=[], headers={h}))
        e = openai.Model.list()
        """
    )
    assert_idempotent(src, APP)


def test_legacy_headers_only_with_app_settings_and_title_header_honoured() -> None:
    src = "import os\n" + dedent(LEGACY_CALLS)
    assert "HTTP-Referer" not in out(src)
    text = out(src, Settings(app_title="Bot", title_header="X-OpenRouter-Title"))
    assert 'headers={"X-OpenRouter-Title": "Bot"})' in text
    assert "HTTP-Referer" not in text


def test_legacy_headers_that_cannot_be_added_are_reported() -> None:
    src = dedent(
        """
        import os
        import openai
        openai.api_key = os.environ["OPENAI_API_KEY"]
        a = openai.ChatCompletion.create(model="gpt-4o", messages=[], headers=make_headers())
        b = openai.ChatCompletion.create(model="gpt-4o", **params)
        c = openai.ChatCompletion.create(model="gpt-4o", messages=[])
        """
    )
    # (``create(**params)`` alone would hold the client: its model is not seen)
    res = run(src, APP)
    reported = [(f.code, f.line) for f in res.findings if f.code == "OR106"]
    assert reported == [("OR106", 4), ("OR106", 5)]
    text = out(src, APP)
    assert "headers=make_headers())" in text and "**params)" in text
    assert text.count("HTTP-Referer") == 1  # on the third call only
    assert_idempotent(src, APP)


def test_legacy_headers_go_with_the_configuration_when_it_is_suppressed() -> None:
    src = "import os\n" + dedent(LEGACY_CALLS).replace(
        'os.environ["OPENAI_API_KEY"]', 'os.environ["OPENAI_API_KEY"]  # noqa: OR110'
    )
    text = out(src, APP)
    assert "HTTP-Referer" not in text and "api_base" not in text


# ---- no configuration at all ---------------------------------------------------


def test_unconfigured_module_client_gets_configured_after_the_imports() -> None:
    src = '''
        """Ask."""
        from __future__ import annotations

        import sys

        import openai


        def ask(q):
            return openai.chat.completions.create(model="gpt-4o-mini", messages=[])
    '''
    res = run(src)
    assert [f.code for f in res.findings] == ["OR111", "OR201"]
    assert res.findings[0].line == 10 and res.findings[0].fixable
    assert out(src) == dedent(
        f'''
        """Ask."""
        from __future__ import annotations

        import os
        import sys

        import openai

        openai.base_url = "{V1_URL}"
        openai.api_key = os.environ["OPENROUTER_API_KEY"]


        def ask(q):
            return openai.chat.completions.create(model="openai/gpt-4o-mini", messages=[])
        '''
    )
    assert_idempotent(src)


def test_unconfigured_goes_after_load_dotenv() -> None:
    src = """
        import os

        import openai
        from dotenv import load_dotenv

        load_dotenv()

        print(openai.models.list())
    """
    assert out(src) == dedent(
        f"""
        import os

        import openai
        from dotenv import load_dotenv

        load_dotenv()

        openai.base_url = "{V1_URL}"
        openai.api_key = os.environ["OPENROUTER_API_KEY"]

        print(openai.models.list())
        """
    )


def test_unconfigured_without_module_level_import_is_reported() -> None:
    src = """
        def ask(q):
            import openai
            return openai.chat.completions.create(model="gpt-4o", messages=[])
    """
    res = run(src)
    assert [f.code for f in res.findings] == ["OR117"]
    assert "'openai/gpt-4o'" in res.findings[0].message and not res.findings[0].fixable
    assert res.new_source is None


def test_from_openai_import_resource_is_reported_not_configured() -> None:
    src = """
        from openai import chat
        chat.completions.create(model="gpt-4o", messages=[])
    """
    assert codes(src) == ["OR117"]
    assert run(src).new_source is None


def test_noqa_on_the_unconfigured_call_means_configured_elsewhere() -> None:
    src = """
        import openai
        openai.chat.completions.create(model="gpt-4o", messages=[])  # noqa: OR111
    """
    assert out(src) == dedent(
        """
        import openai
        openai.chat.completions.create(model="openai/gpt-4o", messages=[])  # noqa: OR111
        """
    )


def test_noqa_on_the_config_keeps_all_of_it() -> None:
    src = """
        import os
        import openai
        openai.api_key = os.environ["OPENAI_API_KEY"]  # noqa: OR110
        openai.organization = "org-x"
        openai.models.list()
    """
    text = out(src)
    assert 'openai.api_key = os.environ["OPENAI_API_KEY"]  # noqa: OR110' in text
    assert 'openai.organization = "org-x"' in text and "base_url" not in text


def test_os_shadowed_blocks_the_insertion() -> None:
    src = """
        import openai
        os = "linux"
        openai.chat.completions.create(model="gpt-4o", messages=[])
    """
    assert codes(src) == ["OR117"]
    assert run(src).new_source is None


# ---- report, never half-migrate -------------------------------------------------

BLOCKED = {
    "if": """
        import os
        import openai
        if os.getenv("PROD"):
            openai.api_key = os.environ["OPENAI_API_KEY"]
        openai.organization = "org-x"
        openai.chat.completions.create(model="gpt-4o", messages=[])
    """,
    "function": """
        import os
        import openai

        def setup():
            openai.api_key = os.environ["OPENAI_API_KEY"]

        def ask():
            return openai.chat.completions.create(model="gpt-4o", messages=[])
    """,
    "twice": """
        import os
        import openai
        openai.api_key = os.environ["OPENAI_API_KEY"]
        openai.api_key = os.environ["OTHER_KEY"]
        openai.chat.completions.create(model="gpt-4o", messages=[])
    """,
    "one line": """
        import os
        import openai
        openai.api_key = os.environ["OPENAI_API_KEY"]; openai.organization = "o"
        openai.chat.completions.create(model="gpt-4o", messages=[])
    """,
    "both generations": """
        import os
        import openai
        openai.api_key = os.environ["OPENAI_API_KEY"]
        openai.chat.completions.create(model="gpt-4o", messages=[])
        openai.ChatCompletion.create(model="gpt-4o", messages=[])
    """,
    "chained target": """
        import os
        import openai
        openai.api_key = key = os.environ["OPENAI_API_KEY"]
        openai.chat.completions.create(model="gpt-4o", messages=[])
    """,
}


@pytest.mark.parametrize("name", sorted(BLOCKED))
def test_unsafe_configuration_is_reported_whole_and_left_alone(name: str) -> None:
    src = BLOCKED[name]
    res = run(src)
    assert res.new_source is None
    found = [f.code for f in res.findings]
    assert "OR112" in found and "OR117" in found
    assert "OR201" not in found and "OR110" not in found
    assert not any(f.fixable for f in res.findings)
    config_lines = [
        i
        for i, line in enumerate(dedent(src).splitlines(), start=1)
        if line.lstrip().startswith("openai.api_key") or line.lstrip().startswith("openai.org")
    ]
    assert {f.line for f in res.findings if f.code == "OR112"} == set(config_lines)


def test_config_only_file_of_unknown_generation_is_reported() -> None:
    src = """
        import os
        import openai
        openai.api_key = os.environ["OPENAI_API_KEY"]
    """
    res = run(src)
    assert [f.code for f in res.findings] == ["OR112"]
    assert "openai>=1" in res.findings[0].message and res.new_source is None


def test_config_only_file_of_known_generation_is_migrated() -> None:
    src = """
        import os
        import openai
        from openai import OpenAIError

        openai.api_key = os.environ["OPENAI_API_KEY"]
        openai.api_base = "https://api.openai.com/v1"
    """
    assert codes(src) == ["OR110"] and f'openai.api_base = "{URL}"' in out(src)


def test_proxy_base_url_is_left_alone_and_holds_the_ids() -> None:
    src = """
        import openai
        openai.base_url = "http://localhost:4000/v1"
        openai.chat.completions.create(model="gpt-4o", messages=[])
    """
    res = run(src)
    assert [f.code for f in res.findings] == ["OR113"]
    assert "localhost:4000" in res.findings[0].message and res.new_source is None


def test_constant_shared_by_a_held_call_and_a_client_call_is_not_rewritten() -> None:
    src = """
        from openai import OpenAI
        import openai

        MODEL = "gpt-4o"
        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=key)
        openai.base_url = "http://proxy:8080/v1"

        client.chat.completions.create(model=MODEL, messages=[])
        openai.chat.completions.create(model=MODEL, messages=[])
    """
    found = codes(src)
    assert "OR206" in found and "OR201" not in found
    assert 'MODEL = "gpt-4o"' in out(src)


# ---- openai<1 -------------------------------------------------------------------

LEGACY = """
    import os
    import openai

    openai.api_key = os.getenv("OPENAI_API_KEY")
    MODEL = "gpt-4"


    def ask(q):
        return openai.ChatCompletion.create(model=MODEL, messages=[])
"""


def test_legacy_file_gets_api_base_and_mapped_ids() -> None:
    assert out(LEGACY) == dedent(
        f"""
        import os
        import openai

        openai.api_key = os.getenv("OPENROUTER_API_KEY")
        openai.api_base = "{URL}"
        MODEL = "openai/gpt-4"


        def ask(q):
            return openai.ChatCompletion.create(model=MODEL, messages=[])
        """
    )
    res = run(LEGACY)
    (legacy,) = [f for f in res.findings if f.code == "OR114"]
    assert legacy.severity.value == "warning" and "openai migrate" in legacy.message
    assert_idempotent(LEGACY)


@pytest.mark.parametrize(
    "call",
    [
        'openai.ChatCompletion.acreate(model="gpt-4o", messages=[])',
        'openai.Completion.create(model="gpt-3.5-turbo-instruct", prompt="x")',
        'openai.Embedding.acreate(model="text-embedding-3-small", input="x")',
        'ChatCompletion.create(model="gpt-4o", messages=[])',
    ],
)
def test_legacy_calls_are_sdk_calls(call: str) -> None:
    src = f"import openai\nfrom openai import ChatCompletion\nopenai.api_base = '{URL}'\n"
    src += f"x = {call}\n"
    res = run(src)
    assert "OR201" in [f.code for f in res.findings]
    assert "openai/" in out(src).splitlines()[-1]


def test_legacy_without_config_gets_api_base_and_key() -> None:
    src = """
        import openai

        r = openai.Completion.create(model="gpt-3.5-turbo-instruct", prompt="x")
    """
    assert out(src) == dedent(
        f"""
        import os
        import openai

        openai.api_base = "{URL}"
        openai.api_key = os.environ["OPENROUTER_API_KEY"]

        r = openai.Completion.create(model="openai/gpt-3.5-turbo-instruct", prompt="x")
        """
    )


def test_legacy_engine_is_reported_with_the_mapped_id() -> None:
    src = f"""
        import openai
        openai.api_base = "{URL}"
        openai.ChatCompletion.create(engine="gpt-3.5-turbo", messages=[])
    """
    res = run(src)
    (engine,) = [f for f in res.findings if f.code == "OR116"]
    assert "model='openai/gpt-3.5-turbo'" in engine.message
    assert res.new_source is None


AZURE = """
    import os
    import openai

    openai.api_type = "azure"
    openai.api_base = "https://acme.openai.azure.com/"
    openai.api_version = "2023-05-15"
    openai.api_key = os.getenv("OPENAI_API_KEY")

    openai.ChatCompletion.create(engine="gpt-35-turbo", messages=[])
    openai.ChatCompletion.create(model="gpt-4o", messages=[])
    openai.Embedding.create(deployment_id="gpt-4o", input="x")
"""


def test_legacy_azure_is_untouched_and_reported_once() -> None:
    res = run(AZURE)
    assert res.new_source is None
    assert [(f.code, f.line) for f in res.findings] == [("OR115", 4)]


@pytest.mark.parametrize(
    "setting",
    [
        'openai.api_version = "2024-02-01"',
        'openai.azure_endpoint = "https://x"',
        "openai.api_type = kind",
    ],
)
def test_any_azure_setting_blocks_the_file(setting: str) -> None:
    src = f'import openai\n{setting}\nopenai.chat.completions.create(model="gpt-4o", messages=[])\n'
    assert codes(src) == ["OR115"]
    assert run(src).new_source is None


def test_deployment_id_without_api_type_is_azure() -> None:
    src = 'import openai\nopenai.ChatCompletion.create(deployment_id="chat", messages=[])\n'
    assert codes(src) == ["OR115"]


def test_api_type_open_ai_is_not_azure() -> None:
    src = (
        'import os\nimport openai\nopenai.api_type = "open_ai"\n'
        'openai.api_key = os.environ["OPENAI_API_KEY"]\n'
        'openai.ChatCompletion.create(model="gpt-4o", messages=[])\n'
    )
    assert f'openai.api_base = "{URL}"' in out(src)


# ---- the model rule's view -------------------------------------------------------


def test_sdk_calls_sees_legacy_methods_and_held_calls() -> None:
    import libcst as cst

    from codemods.core.engine import _table
    from codemods.python.analysis import collect

    src = dedent(
        """
        import openai
        if x:
            openai.api_key = k
        openai.ChatCompletion.acreate(model="gpt-4o", messages=[])
        """
    )
    module = cst.parse_module(src)
    ctx = RuleContext(module=module, facts=collect(module), settings=Settings(), table=_table(()))
    (sc,) = sdk_calls(ctx)
    assert sc.method == ("chat", "completions", "create")
    assert sc.receiver == "openai" and sc.held


@pytest.mark.parametrize(
    "write",
    [
        'openai.api_key: str = os.environ["OPENAI_API_KEY"]',
        'openai.api_key += ""',
        'setattr(openai, "api_key", os.environ["OPENAI_API_KEY"])',
    ],
)
def test_writes_the_tool_does_not_rewrite_block_the_file(write: str) -> None:
    src = f'import os\nimport openai\n{write}\nopenai.chat.completions.create(model="gpt-4o")\n'
    res = run(src)
    assert res.new_source is None
    assert [(f.code, f.line) for f in res.findings] == [("OR112", 3), ("OR117", 4)]


def test_secret_with_an_openai_base_url_is_reported_as_fixed() -> None:
    key = "sk-" + "x9" * 20
    src = (
        f'import openai\nopenai.base_url = "https://api.openai.com/v1"\nopenai.api_key = "{key}"\n'
        "openai.models.list()\n"
    )
    res = run(src)
    (secret,) = [f for f in res.findings if f.code == "OR107"]
    assert secret.fixable
    assert 'openai.api_key = os.environ["OPENROUTER_API_KEY"]' in out(src)


@pytest.mark.parametrize(
    "src",
    [
        "import openai\nopenai.max_retries = 3\n",
        "import openai\nopenai.timeout = 5\nprint(openai.api_key)\n",
        f"import openai\nfrom openai import OpenAI\nclient = OpenAI(base_url='{URL}', api_key=k)\n",
    ],
)
def test_neutral_settings_alone_are_not_findings(src: str) -> None:
    res = run(src)
    assert res.findings == [] and res.new_source is None and not res.errors


def test_base_url_from_an_expression_is_left_alone() -> None:
    src = (
        'import os\nimport openai\nopenai.base_url = os.environ["LLM_URL"]\nopenai.models.list()\n'
    )
    res = run(src)
    assert [f.code for f in res.findings] == ["OR113"]
    assert 'comes from `os.environ["LLM_URL"]`' in res.findings[0].message


def test_inserted_url_copies_the_quotes_of_the_key_lookup() -> None:
    src = "import os\nimport openai\nopenai.api_key = os.getenv('OPENAI_API_KEY')\n"
    src += "openai.models.list()\n"
    assert "openai.base_url = 'https://openrouter.ai/api/v1/'\n" in out(src)


def test_openai_rebound_after_a_failed_import_is_held_and_reported() -> None:
    src = """
        try:
            import openai
        except ImportError:
            openai = None


        def ask(q):
            return openai.chat.completions.create(model="gpt-4o", messages=[])
    """
    res = run(src)
    assert [f.code for f in res.findings] == ["OR117"]
    assert "also bound to something else" in res.findings[0].message
    assert res.new_source is None


# ---- generated files: never half-migrated, always idempotent ---------------------

_POOL = [
    'openai.api_key = os.environ["OPENAI_API_KEY"]',
    "openai.api_key = os.getenv('OPENAI_API_KEY')  # env",
    'openai.api_key = "sk-abcdefghijklmnopqrstuvwxyz0123"',
    "openai.api_key = settings.KEY",
    'openai.organization = "org-1"',
    '# a comment\nopenai.organization = "org-1"  # trailing',
    'openai.project = "p"',
    'openai.base_url = "https://api.openai.com/v1"',
    'openai.api_base = "https://api.openai.com/v1"',
    "openai.max_retries = 2",
    "load_dotenv()",
    "",
    'x = openai.chat.completions.create(model="gpt-4o", messages=[])',
    'y = openai.ChatCompletion.create(model="gpt-4o", messages=[])',
    'def f():\n    return openai.embeddings.create(model="text-embedding-3-small", input="a")',
    'if x:\n    openai.api_key = "k"',
    'MODEL = "gpt-4o-mini"',
    "z = openai.chat.completions.create(model=MODEL, messages=[])",
]
_HEADS = [
    "import os\nimport openai\nfrom dotenv import load_dotenv\n",
    '"""doc"""\nfrom __future__ import annotations\nimport openai\n',
    "#!/usr/bin/env python\nimport openai\n",
]


def _generated(n: int, seed: int) -> list[str]:
    import random

    rng = random.Random(seed)
    out = []
    while len(out) < n:
        src = rng.choice(_HEADS) + "\n".join(rng.choice(_POOL) for _ in range(rng.randint(1, 7)))
        src += "\n"
        try:
            compile(src, "generated", "exec")
        except SyntaxError:
            continue
        out.append(src)
    return out


def _on_openrouter(text: str) -> bool:
    return any(
        line.startswith((f"openai.base_url = {q}{URL}", f"openai.api_base = {q}{URL}"))
        for line in text.splitlines()
        for q in "\"'"
    )


@pytest.mark.parametrize("src", _generated(150, seed=3))
def test_generated_files_are_never_half_migrated(src: str) -> None:
    res = process_source("g.py", src.encode(), EngineConfig(), prefilter=False)
    assert not res.errors
    text = (res.new_source or src.encode()).decode()
    lines = text.splitlines()
    module_call_prefixed = any(
        "openai/" in line and ("openai.chat" in line or "ChatCompletion" in line) for line in lines
    ) or ('MODEL = "openai/' in text and "model=MODEL" in text)
    key_moved = any(line.startswith("openai.api_key") and "OPENROUTER" in line for line in lines)
    if module_call_prefixed or key_moved:
        assert _on_openrouter(text), text
    if res.new_source is not None:
        again = process_source("g.py", res.new_source, EngineConfig(), prefilter=False)
        assert again.new_source is None
        assert not any(f.fixable for f in again.findings)


def test_getenv_default_key_of_the_module_client_is_removed() -> None:
    # issue 12 item 3: renaming the variable alone kept the OpenAI key as default
    key = "sk-proj-" + "Q7w8E9r0" * 5
    src = f"""
        import os
        import openai

        openai.api_key = os.getenv("OPENAI_API_KEY", "{key}")
        openai.chat.completions.create(model="gpt-4o", messages=[])
    """
    res = run(src)
    assert res.new_source is not None and key.encode() not in res.new_source
    assert b'openai.api_key = os.environ["OPENROUTER_API_KEY"]' in res.new_source
    sec = [f for f in res.findings if f.code == "OR107"]
    assert len(sec) == 1 and key[8:-4] not in sec[0].message


def test_concatenated_key_of_the_module_client_is_removed() -> None:
    key = "sk-proj-" + "Z1x2C3v4" * 5
    src = f'import os\nimport openai\nopenai.api_key = "{key[:14]}" "{key[14:]}"\nopenai.models.list()\n'
    res = run(src)
    assert res.new_source is not None and key[14:].encode() not in res.new_source
    assert [f.code for f in res.findings].count("OR107") == 1


def test_configuration_goes_after_the_top_import_block_not_after_late_imports() -> None:
    # issue 11 item 6: a late import may use the module client as it is imported
    src = dedent(
        """
        import openai

        DEBUG = True

        import requests

        openai.chat.completions.create(model="gpt-4o", messages=[])
        """
    )
    text = out(src)
    assert text.index("openai.base_url =") < text.index("DEBUG = True")
    # ``import openai`` itself after the block: the configuration follows it
    late = dedent(
        """
        import sys

        sys.path.insert(0, "vendor")
        import openai

        openai.chat.completions.create(model="gpt-4o", messages=[])
        """
    )
    text = out(late)
    assert text.index("import openai") < text.index("openai.base_url =")


# --- the configuration kept on OpenAI keeps its models and guards there -------

_KEPT = """
    import openai

    openai.api_key = os.environ["OPENAI_API_KEY"]{noqa}

    resp = openai.ChatCompletion.create(model="gpt-4o", messages=[], stream=True)
    for chunk in resp:
        print(chunk["choices"][0]["delta"])
    done = openai.chat.completions.create(model="gpt-4o-mini", messages=[])
"""


@pytest.mark.parametrize("api", ["legacy", "v1"])
def test_a_configuration_kept_by_noqa_keeps_its_models_and_guards(api: str) -> None:
    # a noqa comment for OR110 on the configuration: the module-level client stays on
    # OpenAI, so `openai/gpt-4o` (which OpenAI refuses) must not be written
    src = "import os\n" + dedent(_KEPT.format(noqa="  # noqa: OR110"))
    if api == "v1":
        src = src.replace(
            'resp = openai.ChatCompletion.create(model="gpt-4o", messages=[], stream=True)\n'
            "for chunk in resp:\n"
            '    print(chunk["choices"][0]["delta"])\n',
            "",
        )
    else:
        src = src.replace(
            'done = openai.chat.completions.create(model="gpt-4o-mini", messages=[])\n', ""
        )
    result = run(src)
    assert result.new_source is None, result.new_source
    assert not {"OR201", "OR401"} & {f.code for f in result.findings}
    # without the comment, all of it moves
    moved = out(src.replace("  # noqa: OR110", ""))
    assert "openai/gpt-4o" in moved and 'os.environ["OPENROUTER_API_KEY"]' in moved


def test_a_configuration_rule_not_selected_keeps_its_models_and_guards() -> None:
    src = "import os\n" + dedent(_KEPT.format(noqa="")).replace(
        'done = openai.chat.completions.create(model="gpt-4o-mini", messages=[])\n', ""
    )
    result = run(src, Settings(ignore=("OR110",)))
    assert result.new_source is None
    held = {f.code: f for f in result.findings}
    assert held["OR201"].applicability is None and "OR110 is not selected" in held["OR201"].message
    assert held["OR401"].applicability is None


def test_noqa_or111_still_lets_the_models_move() -> None:
    # OR111: nothing here configures the client, and the comment says another
    # module does: the model IDs sent through it move
    src = """
        import openai

        r = openai.chat.completions.create(model="gpt-4o", messages=[])  # noqa: OR111
    """
    assert 'model="openai/gpt-4o"' in out(src)


# --- a hard-coded key of a configuration kept on OpenAI is not "replaced" ------

_KEY = "sk-proj-" + "A1b2C3d4" * 5


@pytest.mark.parametrize(
    ("value", "line"),
    [
        (f'"{_KEY}"', 3),
        # the key as the default of the lookup (the whole lookup is the value)
        (f'os.getenv("OPENAI_API_KEY", "{_KEY}")', 4),
    ],
    ids=["literal", "lookup-default"],
)
@pytest.mark.parametrize("how", ["noqa", "ignore"])
def test_a_key_of_a_configuration_kept_on_openai_is_reported_not_replaced(
    how: str, value: str, line: int
) -> None:
    src = (
        ("import os\n" if "os." in value else "")
        + "import openai\n\n"
        + f"openai.api_key = {value}"
        + ("  # noqa: OR110" if how == "noqa" else "")
        + '\nresp = openai.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    result = run(src, Settings(ignore=("OR110",)) if how == "ignore" else None)
    assert result.new_source is None, result.new_source
    (secret,) = [f for f in result.findings if f.code == "OR107"]
    assert secret.line == line, secret
    why = "its OR110 finding is suppressed" if how == "noqa" else "OR110 is not selected"
    assert (
        "hard-coded API key 'sk-...C3d4' is the key of the module-level client `openai`, "
        f"which stays where it points ({why}): not replaced; move the key to an environment "
        "variable and rotate it" in secret.message
    ), secret.message
    assert "replaced by" not in secret.message
    assert not secret.fixable and secret.applicability is None
    assert _KEY not in secret.message
    # with the configuration moving, the key is replaced (and says so)
    moved = run(src.replace("  # noqa: OR110", ""))
    (secret,) = [f for f in moved.findings if f.code == "OR107"]
    assert "replaced by os.environ" in secret.message and secret.fixable
