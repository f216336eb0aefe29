"""API keys on their way to a client (issue 11 item 5, issue 12 item 3).

A client is migrated only when the key it is given will be OpenRouter's after
the migration: absent, an environment lookup of the OpenAI or OpenRouter
variable (followed through variables, constants, attributes and parameters
the way model IDs are followed, and rewritten at the definition only when
nothing else reads it), or a hard-coded key (removed, OR107). Anything else:
the constructor is left whole and reported whole, and the report survives
``migrate``.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import migrated, run

KEY = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx9f3e"
TAIL = KEY[-4:]
URL = 'base_url="https://openrouter.ai/api/v1"'
ENV = 'os.environ["OPENROUTER_API_KEY"]'


def d(s: str) -> str:
    return textwrap.dedent(s)


def _codes(r) -> list[str]:
    return sorted(f.code for f in r.findings)


def _no_key(r) -> None:
    for f in r.findings:
        assert KEY[8:-4] not in f.message and KEY[8:-4] not in (f.replacement or "")
    if r.new_source is not None:
        assert KEY[8:-4].encode() not in r.new_source


def _still_reported(out: str, code: str) -> None:
    """A finding never vanishes because the tool did half of the job."""
    again = run(out, dedent=False)
    assert code in [f.code for f in again.findings], again.findings


# -- D: the key followed from where it is read -------------------------------------


def test_module_variable_read_only_by_the_client_is_rewritten_at_the_definition() -> None:
    src = """\
    import os
    from openai import OpenAI

    api_key = os.getenv("OPENAI_API_KEY")
    client = OpenAI(api_key=api_key)
    """
    out = migrated(src)
    assert out == d(
        f"""\
    import os
    from openai import OpenAI

    api_key = os.getenv("OPENROUTER_API_KEY")
    client = OpenAI({URL}, api_key=api_key)
    """
    )
    r = run(src)
    assert _codes(r) == ["OR101"]
    msg = r.findings[0].message
    assert "`api_key`" in msg and "OPENROUTER_API_KEY" in msg


def test_local_variable_in_a_function_is_rewritten() -> None:
    src = """\
    import os
    from openai import OpenAI

    def make():
        key = os.environ["OPENAI_API_KEY"]
        return OpenAI(api_key=key)
    """
    out = migrated(src)
    assert 'key = os.environ["OPENROUTER_API_KEY"]' in out
    assert f"OpenAI({URL}, api_key=key)" in out


def test_key_constant_shared_by_two_migrated_clients_is_rewritten_once() -> None:
    src = """\
    import os
    from openai import AsyncOpenAI, OpenAI

    OPENAI_KEY = os.environ.get("OPENAI_API_KEY")
    client = OpenAI(api_key=OPENAI_KEY)
    aclient = AsyncOpenAI(api_key=OPENAI_KEY)
    """
    out = migrated(src)
    assert 'OPENAI_KEY = os.environ.get("OPENROUTER_API_KEY")' in out
    assert out.count(URL) == 2


def test_attribute_set_in_init_is_followed() -> None:
    src = """\
    import os
    from openai import OpenAI

    class Bot:
        def __init__(self):
            self.api_key = os.getenv("OPENAI_API_KEY")
            self.client = OpenAI(api_key=self.api_key)
    """
    out = migrated(src)
    assert 'self.api_key = os.getenv("OPENROUTER_API_KEY")' in out
    assert f"OpenAI({URL}, api_key=self.api_key)" in out


def test_private_function_parameter_followed_to_its_in_file_callers() -> None:
    src = """\
    import os
    from openai import OpenAI

    def _make(key):
        return OpenAI(api_key=key)

    client = _make(os.getenv("OPENAI_API_KEY"))
    """
    out = migrated(src)
    assert '_make(os.getenv("OPENROUTER_API_KEY"))' in out
    assert f"OpenAI({URL}, api_key=key)" in out


def test_public_function_parameter_may_come_from_other_modules() -> None:
    src = """\
    import os
    from openai import OpenAI

    def make(key):
        return OpenAI(api_key=key)

    client = make(os.getenv("OPENAI_API_KEY"))
    """
    r = run(src)
    assert r.new_source is None
    assert _codes(r) == ["OR103"]
    assert "other modules" in r.findings[0].message


def test_variable_already_reading_the_openrouter_key_needs_nothing() -> None:
    src = """\
    import os
    from openai import OpenAI

    key = os.environ["OPENROUTER_API_KEY"]
    client = OpenAI(api_key=key)
    """
    out = migrated(src)
    assert 'key = os.environ["OPENROUTER_API_KEY"]' in out
    assert f"OpenAI({URL}, api_key=key)" in out


@pytest.mark.parametrize(
    "extra",
    [
        "if not OPENAI_KEY:\n    raise SystemExit('set OPENAI_API_KEY')\n",
        # (a LangChain ChatOpenAI reading it moves with the client: test_rules_langchain)
        "import httpx\nhttpx.get('https://api.openai.com/v1/models', headers={'Authorization': f'Bearer {OPENAI_KEY}'})\n",
        "def debug():\n    print(len(OPENAI_KEY))\n",
    ],
)
def test_key_constant_also_read_elsewhere_leaves_the_client_whole(extra: str) -> None:
    src = (
        "import os\nfrom openai import OpenAI\n\n"
        'OPENAI_KEY = os.environ["OPENAI_API_KEY"]\n'
        "client = OpenAI(api_key=OPENAI_KEY)\n"
        'client.chat.completions.create(model="gpt-4o", messages=[])\n' + extra
    )
    r = run(src, dedent=False)
    assert r.new_source is None, r.new_source.decode()  # not half-migrated
    assert _codes(r) == ["OR103"]
    msg = r.findings[0].message
    assert "`OPENAI_KEY`" in msg and "OPENAI_API_KEY" in msg and "left alone" in msg
    _still_reported(src, "OR103")


def test_key_constant_shared_with_a_client_left_alone_blocks_both() -> None:
    src = """\
    import os
    from openai import OpenAI

    KEY = os.environ["OPENAI_API_KEY"]
    direct = OpenAI(api_key=KEY)
    proxied = OpenAI(api_key=KEY, base_url="http://localhost:8000/v1")
    """
    r = run(src)
    assert r.new_source is None
    assert _codes(r) == ["OR103", "OR104"]


def test_settings_attribute_leaves_the_client_whole_and_stays_reported() -> None:
    src = """\
    from openai import OpenAI
    from app.config import settings

    client = OpenAI(api_key=settings.openai_api_key)
    client.chat.completions.create(model="gpt-4o", messages=[])
    """
    r = run(src)
    assert r.new_source is None  # neither base_url nor the model ID changes
    assert _codes(r) == ["OR103"]
    msg = r.findings[0].message
    assert "settings.openai_api_key" in msg and "left alone" in msg
    assert r.findings[0].severity.value == "error"  # not migrated: fails CI


def test_imported_key_constant_is_not_guessed() -> None:
    src = """\
    from openai import OpenAI
    from .config import OPENAI_KEY

    client = OpenAI(api_key=OPENAI_KEY)
    """
    r = run(src)
    assert r.new_source is None
    assert _codes(r) == ["OR103"]
    assert "OPENAI_KEY" in r.findings[0].message


@pytest.mark.parametrize(
    "value",
    ['os.environ["MY_KEY"]', "get_secret('openai')", "token", "settings.key"],
)
def test_any_other_key_expression_leaves_the_client_whole(value: str) -> None:
    src = f"import os\nfrom openai import OpenAI\nc = OpenAI(api_key={value})\n"
    r = run(src, dedent=False)
    assert r.new_source is None
    assert _codes(r) == ["OR103"]
    _still_reported(src, "OR103")


# -- C: hard-coded keys --------------------------------------------------------------


def test_getenv_default_key_is_removed() -> None:
    src = f"""\
    import os
    from openai import OpenAI

    client = OpenAI(api_key=os.getenv("OPENAI_API_KEY", "{KEY}"))
    """
    r = run(src)
    _no_key(r)
    assert _codes(r) == ["OR101", "OR107"]
    out = migrated(src)
    assert f"OpenAI({URL}, api_key={ENV})" in out


def test_getenv_default_key_in_a_variable_is_removed() -> None:
    src = f"""\
    import os
    from openai import OpenAI

    api_key = os.getenv("OPENAI_API_KEY", "{KEY}")
    client = OpenAI(api_key=api_key)
    """
    r = run(src)
    _no_key(r)
    assert "OR107" in _codes(r)
    out = migrated(src)
    assert f"api_key = {ENV}" in out


def test_key_constant_read_only_by_the_client_is_replaced() -> None:
    src = f"""\
    from openai import OpenAI

    OPENAI_API_KEY = "{KEY}"
    client = OpenAI(api_key=OPENAI_API_KEY)
    """
    r = run(src)
    _no_key(r)
    assert _codes(r) == ["OR101", "OR107"]
    sec = next(f for f in r.findings if f.code == "OR107")
    assert sec.fixable and sec.line == 3
    out = migrated(src)
    assert f"OPENAI_API_KEY = {ENV}" in out and "import os" in out


def test_key_constant_read_elsewhere_is_reported_and_the_client_left_alone() -> None:
    src = f"""\
    from openai import OpenAI

    OPENAI_API_KEY = "{KEY}"
    client = OpenAI(api_key=OPENAI_API_KEY)
    print(OPENAI_API_KEY[:4])
    """
    r = run(src)
    _no_key(r)
    assert r.new_source is None
    assert "OR107" in _codes(r)
    assert not next(f for f in r.findings if f.code == "OR107").fixable


def test_implicitly_concatenated_key_is_removed() -> None:
    src = f'from openai import OpenAI\nc = OpenAI(api_key="{KEY[:12]}" "{KEY[12:]}")\n'
    r = run(src, dedent=False)
    _no_key(r)
    assert _codes(r) == ["OR101", "OR107"]
    assert f"api_key={ENV}".encode() in (r.new_source or b"")


@pytest.mark.parametrize(
    "headers",
    [
        f'{{"Authorization": "Bearer {KEY}"}}',
        '{"authorization": f"Bearer {token}"}',
        '{"Authorization": "Bearer " + os.environ["OPENAI_API_KEY"]}',
    ],
)
def test_authorization_header_overrides_the_key_client_left_alone(headers: str) -> None:
    src = f"import os\nfrom openai import OpenAI\nc = OpenAI(default_headers={headers})\n"
    r = run(src, dedent=False, app_url="https://app.example")
    _no_key(r)
    assert r.new_source is None
    assert "OR101" not in _codes(r)
    assert any("Authorization" in f.message for f in r.findings)
    if KEY in headers:
        assert "OR107" in _codes(r)


@pytest.mark.parametrize(
    "stmt",
    [
        f'os.environ["OPENAI_API_KEY"] = "{KEY}"',
        f'os.environ.setdefault("OPENAI_API_KEY", "{KEY}")',
        f'os.environ["OPENROUTER_API_KEY"] = "{KEY}"',
    ],
)
def test_key_assigned_to_the_environment_is_reported(stmt: str) -> None:
    src = f"import os\nfrom openai import OpenAI\n{stmt}\nclient = OpenAI()\n"
    r = run(src, dedent=False)
    for f in r.findings:  # report only: the statement stays, the messages hide the key
        assert KEY[8:-4] not in f.message
    sec = [f for f in r.findings if f.code == "OR107"]
    assert len(sec) == 1 and sec[0].line == 3 and not sec[0].fixable
    assert "rotate" in sec[0].message
    out = migrated(src)
    _still_reported(out, "OR107")


@pytest.mark.parametrize(
    "stmt",
    [
        # crewAI reads its model from OPENAI_MODEL_NAME: a model, not a key
        'os.environ["OPENAI_MODEL_NAME"] = "openrouter/anthropic/claude-3.5-sonnet"',
        'os.environ.setdefault("OPENAI_MODEL_NAME", "openrouter/openai/gpt-4o-mini")',
        'os.environ["OPENAI_MODEL"] = "anthropic/claude-3.5-sonnet-20240620"',
        'os.environ["OPENAI_API_BASE"] = "https://openrouter.ai/api/v1"',
        'os.putenv("OPENAI_BASE_URL", "https://openrouter.ai/api/v1")',
        # an organization ID is long and token-shaped, and no key
        'os.environ["OPENAI_ORGANIZATION"] = "org-AbCdEfGhIjKlMnOpQrStUvWx"',
        # a key variable given a URL or a model on OpenRouter holds no key
        'os.environ["OPENROUTER_API_KEY_URL"] = "https://openrouter.ai/api/v1/keys"',
        # nor given a placeholder (OR123 reports it as set)
        'os.environ["OPENAI_API_KEY"] = "your_openai_api_key_here"',
        'os.environ.setdefault("OPENROUTER_API_KEY", "<your-openrouter-api-key>")',
    ],
)
def test_what_is_not_a_key_assigned_to_the_environment_is_not_or107(stmt: str) -> None:
    src = f"import os\nfrom openai import OpenAI\n{stmt}\nclient = OpenAI()\n"
    assert "OR107" not in _codes(run(src, dedent=False))


@pytest.mark.parametrize(
    "stmt",
    [
        # a key variable by its name, with a key-shaped value
        'os.environ["OPENAI_KEY"] = "AbCdEfGhIjKlMnOpQrStUvWx9f3e1234"',
        'os.environ["AZURE_OPENAI_API_KEY"] = "AbCdEfGhIjKlMnOpQrStUvWx9f3e1234"',
        # an ``sk-`` key, whatever the variable is called
        f'os.environ["OPENAI_MODEL_NAME"] = "{KEY}"  # pasted into the wrong variable',
        f'os.environ["OPENAI_CREDENTIAL"] = "{KEY}"',
    ],
)
def test_a_key_in_a_key_variable_or_an_sk_key_anywhere_is_or107(stmt: str) -> None:
    src = f"import os\nfrom openai import OpenAI\n{stmt}\nclient = OpenAI()\n"
    assert [f.line for f in run(src, dedent=False).findings if f.code == "OR107"] == [3]


def test_the_openai_key_set_to_what_is_not_a_key_is_or123_not_or107() -> None:
    # the statement is reported by one rule or the other, never by neither
    src = (
        "import os\nfrom openai import OpenAI\n"
        'os.environ["OPENAI_API_KEY"] = "https://openrouter.ai/api/v1/not-a-key"\n'
        "client = OpenAI()\nclient.chat.completions.create(model='gpt-4o', messages=[])\n"
    )
    found = [(f.code, f.line) for f in run(src, dedent=False).findings]
    assert ("OR123", 3) in found and ("OR107", 3) not in found, found


@pytest.mark.parametrize("extra", ["", "print(KEY[:4])\n"])
def test_a_key_shared_by_two_clients_is_reported_once(extra: str) -> None:
    src = (
        f'from openai import AsyncOpenAI, OpenAI\nKEY = "{KEY}"\n'
        f"a = OpenAI(api_key=KEY)\nb = AsyncOpenAI(api_key=KEY)\n{extra}"
    )
    r = run(src, dedent=False)
    _no_key(r)
    assert _codes(r).count("OR107") == 1
    if not extra:
        assert _codes(r) == ["OR101", "OR101", "OR107"]
        assert migrated(src).count('os.environ["OPENROUTER_API_KEY"]') == 1


def test_both_branches_of_a_conditional_key_are_migrated() -> None:
    src = f"""\
    import os
    from openai import OpenAI

    client = OpenAI(api_key=os.getenv("OPENAI_API_KEY") if PROD else "{KEY}")
    """
    r = run(src)
    _no_key(r)
    assert _codes(r) == ["OR101", "OR107"]
    out = migrated(src)
    assert f'api_key=os.getenv("OPENROUTER_API_KEY") if PROD else {ENV})' in out


def test_key_or_fallback_both_read_the_openrouter_variable() -> None:
    src = """\
    import os
    from openai import OpenAI

    KEY = os.getenv("OPENROUTER_API_KEY") or os.getenv("OPENAI_API_KEY")
    client = OpenAI(api_key=KEY)
    """
    out = migrated(src)
    assert 'KEY = os.getenv("OPENROUTER_API_KEY") or os.getenv("OPENROUTER_API_KEY")' in out


def test_a_variable_assigned_twice_is_not_followed() -> None:
    src = """\
    import os
    from openai import OpenAI

    api_key = os.getenv("OPENAI_API_KEY")

    def reset():
        global api_key
        api_key = None

    client = OpenAI(api_key=api_key)
    """
    r = run(src)
    assert r.new_source is None and _codes(r) == ["OR103"]


@pytest.mark.parametrize("how", ["noqa", "ignore"])
def test_a_suppressed_client_leaves_its_key_variable_alone(how: str) -> None:
    src = (
        "import os\nfrom openai import OpenAI\n\n"
        'api_key = os.getenv("OPENAI_API_KEY")\n'
        "client = OpenAI(api_key=api_key)" + ("  # noqa: OR101\n" if how == "noqa" else "\n")
    )
    r = run(src, dedent=False, **({"ignore": ("OR101",)} if how == "ignore" else {}))
    assert r.new_source is None


@pytest.mark.parametrize("order", ["held first", "held last"])
def test_a_key_variable_shared_with_a_suppressed_client_is_not_renamed(order: str) -> None:
    # the noqa'd client stays on OpenAI: renaming the variable would send it
    # OpenRouter's key; the other client is left whole, as for any variable
    # also read elsewhere (issue 11 item 4)
    held = "a = OpenAI(api_key=api_key)  # noqa: OR101\n"
    moving = "b = OpenAI(api_key=api_key)\n"
    src = (
        "import os\nfrom openai import OpenAI\n\n"
        'api_key = os.getenv("OPENAI_API_KEY")\n'
        + (held + moving if order == "held first" else moving + held)
        + 'a.chat.completions.create(model="gpt-4o", messages=[])\n'
        'b.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    r = run(src, dedent=False)
    assert r.new_source is None, r.new_source.decode()
    assert _codes(r) == ["OR103"]
    assert (
        "takes its API key from variable `api_key` (set from $OPENAI_API_KEY): it is also read "
        "by `a = OpenAI(api_key=api_key)`"
    ) in r.findings[0].message
    unsafe = run(src, dedent=False, unsafe_fixes=True)
    assert unsafe.new_source is None
    _still_reported(src, "OR103")


def test_a_hard_coded_key_of_a_suppressed_client_is_still_a_secret() -> None:
    src = f'from openai import OpenAI\nKEY = "{KEY}"\nclient = OpenAI(api_key=KEY)  # noqa: OR101\n'
    r = run(src, dedent=False)
    assert r.new_source is None
    assert [(f.line, f.code) for f in r.findings] == [(2, "OR107")]
    assert "stays where it points" in r.findings[0].message
    _no_key(r)


def test_a_key_variable_shared_with_a_client_of_an_ignored_rule_is_not_renamed() -> None:
    # ``--ignore OR101`` leaves the SDK client; the LangChain model reading the
    # same variable must not take it to OpenRouter either
    src = """\
    import os
    from openai import OpenAI
    from langchain_openai import ChatOpenAI

    api_key = os.getenv("OPENAI_API_KEY")
    client = OpenAI(api_key=api_key)
    llm = ChatOpenAI(model="gpt-4o", api_key=api_key)
    """
    r = run(src, ignore=("OR101",))
    assert r.new_source is None, r.new_source.decode()
    assert _codes(r) == ["OR103"]


def test_an_unfollowable_key_in_a_method_leaves_the_client_whole() -> None:
    src = """\
    from openai import OpenAI

    class Service:
        def __init__(self, api_key: str) -> None:
            self.client = OpenAI(api_key=api_key)
    """
    r = run(src)
    assert r.new_source is None and _codes(r) == ["OR103"]
    assert "parameter `api_key`" in r.findings[0].message


# ---------------------------------------------------------------- OR103 wording (audit)


@pytest.mark.parametrize(
    ("src", "expected"),
    [
        (
            "import os\nfrom openai import OpenAI\nkey = os.getenv('OPENAI_API_KEY')\n"
            "if not key:\n    raise SystemExit('no key')\nclient = OpenAI(api_key=key)\n",
            "`OpenAI(...)` takes its API key from variable `key` (set from $OPENAI_API_KEY): "
            "it is also tested by `if not key`; left alone",
        ),
        (
            "from openai import OpenAI\nclass Llm:\n    def __init__(self, api_key):\n"
            "        self.client = OpenAI(api_key=api_key)\n",
            "`OpenAI(...)` takes its API key from parameter `api_key` of method `__init__`: "
            "the tool does not follow its callers; left alone",
        ),
        (
            "from openai import OpenAI\ndef make(api_key):\n    return OpenAI(api_key=api_key)\n",
            "`OpenAI(...)` takes its API key from parameter `api_key` of `make`: callers in "
            "other modules may pass another key; left alone",
        ),
    ],
)
def test_the_api_key_expression_message_names_where_the_key_comes_from_once(
    src: str, expected: str
) -> None:
    r = run(src, dedent=False)
    (finding,) = [f for f in r.findings if f.code == "OR103"]
    assert finding.message.startswith(expected), finding.message
