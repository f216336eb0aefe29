"""OR1xx: client constructors, one behaviour per test."""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import codes, migrated, run

URL = 'base_url="https://openrouter.ai/api/v1"'
KEY = 'api_key=os.environ["OPENROUTER_API_KEY"]'


def d(s: str) -> str:
    return textwrap.dedent(s)


@pytest.mark.parametrize(
    "imports, call",
    [
        ("from openai import OpenAI", "OpenAI"),
        ("from openai import AsyncOpenAI", "AsyncOpenAI"),
        ("from openai import OpenAI as Client", "Client"),
        ("from openai import Client", "Client"),
        ("from openai import AsyncClient as AC", "AC"),
        ("import openai", "openai.OpenAI"),
        ("import openai", "openai.AsyncClient"),
        ("import openai as oa", "oa.AsyncOpenAI"),
        ("import openai.types", "openai.OpenAI"),
    ],
)
def test_every_import_form_is_resolved(imports: str, call: str) -> None:
    out = migrated(f"import os\n{imports}\nc = {call}()\n")
    assert out == f"import os\n{imports}\nc = {call}({URL}, {KEY})\n"


def test_import_os_added_after_docstring_and_future_before_imports() -> None:
    src = '''\
    #!/usr/bin/env python
    # -*- coding: utf-8 -*-
    """Doc."""
    from __future__ import annotations

    # third-party
    from openai import OpenAI

    client = OpenAI()
    '''
    assert migrated(src) == d(
        f'''\
    #!/usr/bin/env python
    # -*- coding: utf-8 -*-
    """Doc."""
    from __future__ import annotations

    # third-party
    import os
    from openai import OpenAI

    client = OpenAI({URL}, {KEY})
    '''
    )


def test_import_os_added_once_for_two_clients() -> None:
    out = migrated("from openai import OpenAI\na = OpenAI()\nb = OpenAI()\n")
    assert out.count("import os") == 1


def test_env_lookups_keep_their_form() -> None:
    src = """\
    import os
    from openai import OpenAI
    a = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
    b = OpenAI(api_key=os.getenv("OPENAI_API_KEY"))
    c = OpenAI(api_key=os.environ.get('OPENAI_API_KEY', ""))
    """
    out = migrated(src)
    assert 'os.environ["OPENROUTER_API_KEY"]' in out
    assert 'os.getenv("OPENROUTER_API_KEY")' in out
    assert "os.environ.get('OPENROUTER_API_KEY', \"\")" in out  # quote style kept
    assert "OPENAI_API_KEY" not in out


def test_env_lookup_through_from_os_import() -> None:
    out = migrated(
        'from os import getenv\nfrom openai import OpenAI\nc = OpenAI(api_key=getenv("OPENAI_API_KEY"))\n'
    )
    assert 'getenv("OPENROUTER_API_KEY")' in out


def test_other_key_expression_leaves_the_client_whole() -> None:
    # issue 11 item 5: migrating only the constructor would send this key to
    # OpenRouter and make the report vanish (tests/test_rules_keys.py)
    src = "from openai import OpenAI\nc = OpenAI(api_key=settings.key)\n"
    r = run(src)
    assert [f.code for f in r.findings] == ["OR103"]
    assert r.new_source is None


def test_other_env_var_name_is_reported_not_renamed() -> None:
    src = 'import os\nfrom openai import OpenAI\nc = OpenAI(api_key=os.environ["MY_KEY"])\n'
    r = run(src)
    assert [f.code for f in r.findings] == ["OR103"]
    assert "$MY_KEY" in r.findings[0].message
    assert r.new_source is None


def test_organization_and_project_removed_multiline_with_comments() -> None:
    src = """\
    import os
    from openai import OpenAI
    client = OpenAI(
        api_key=os.environ["OPENAI_API_KEY"],  # the key
        # billing goes to the research org
        organization="org-123",
        # slow networks
        timeout=30,
        project="proj_1",  # dashboard
    )
    """
    assert migrated(src) == d(
        f"""\
    import os
    from openai import OpenAI
    client = OpenAI(
        {URL},
        api_key=os.environ["OPENROUTER_API_KEY"],  # the key
        # slow networks
        timeout=30,
    )
    """
    )


def test_keep_project_setting() -> None:
    out = migrated(
        "import os\nfrom openai import OpenAI\nc = OpenAI(project='p')\n", strip_project=False
    )
    assert "project='p'" in out


def test_hanging_indent_is_kept() -> None:
    src = "import os\nfrom openai import OpenAI\nc = OpenAI(timeout=1,\n           max_retries=2)\n"
    assert migrated(src) == (
        "import os\nfrom openai import OpenAI\n"
        f"c = OpenAI({URL},\n           {KEY},\n           timeout=1,\n           max_retries=2)\n"
    )


def test_no_trailing_comma_multiline() -> None:
    src = "import os\nfrom openai import OpenAI\nc = OpenAI(\n    timeout=1\n)\n"
    assert migrated(src) == (
        f"import os\nfrom openai import OpenAI\nc = OpenAI(\n    {URL},\n    {KEY},\n    timeout=1\n)\n"
    )


def test_openai_base_url_is_replaced_openrouter_left_alone() -> None:
    out = migrated(
        "import os\nfrom openai import OpenAI\nc = OpenAI(base_url='https://api.openai.com/v1')\n"
    )
    assert "base_url='https://openrouter.ai/api/v1'" in out
    src = f"from openai import OpenAI\nc = OpenAI({URL}, api_key=k, organization='x')\n"
    r = run(src)
    assert r.findings == [] and r.new_source is None


@pytest.mark.parametrize(
    "base", ['"http://localhost:8000/v1"', "settings.base_url", 'os.getenv("OPENAI_BASE_URL")']
)
def test_other_base_url_left_alone_and_reported(base: str) -> None:
    r = run(f"import os\nfrom openai import OpenAI\nc = OpenAI(base_url={base})\n")
    assert [f.code for f in r.findings] == ["OR104"]
    assert r.new_source is None


@pytest.mark.parametrize("args", ["**kw", "*a", "**kw, timeout=3", "cfg"])
def test_unpacking_or_positional_reported_not_rewritten(args: str) -> None:
    r = run(f"from openai import OpenAI\nc = OpenAI({args})\n")
    assert [f.code for f in r.findings] == ["OR105"]
    assert r.new_source is None


def test_headers_added_and_merged() -> None:
    s = {"app_url": "https://app.example", "app_title": "App"}
    out = migrated("import os\nfrom openai import OpenAI\nc = OpenAI()\n", **s)
    assert 'default_headers={"HTTP-Referer": "https://app.example", "X-Title": "App"}' in out
    out = migrated(
        'import os\nfrom openai import OpenAI\nc = OpenAI(default_headers={"X-Trace": "1"})\n',
        app_url="https://app.example",
        title_header="X-OpenRouter-Title",
        app_title="App",
    )
    assert (
        'default_headers={"X-Trace": "1", "HTTP-Referer": "https://app.example", '
        '"X-OpenRouter-Title": "App"}' in out
    )


def test_existing_header_value_wins() -> None:
    out = migrated(
        'import os\nfrom openai import OpenAI\nc = OpenAI(default_headers={"http-referer": "x"})\n',
        app_url="https://app.example",
    )
    assert '{"http-referer": "x"}' in out


def test_non_literal_headers_reported() -> None:
    r = run("from openai import OpenAI\nc = OpenAI(default_headers=h)\n", app_url="https://a")
    assert "OR106" in [f.code for f in r.findings]
    assert b"default_headers=h" in (r.new_source or b"")


def test_no_headers_without_configuration() -> None:
    assert "default_headers" not in migrated("import os\nfrom openai import OpenAI\nc = OpenAI()\n")


def test_hard_coded_key_replaced_and_redacted() -> None:
    key = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234"
    r = run(f'from openai import OpenAI\nc = OpenAI(api_key="{key}")\n')
    assert sorted(f.code for f in r.findings) == ["OR101", "OR107"]
    assert r.new_source is not None and key.encode() not in r.new_source
    assert b'api_key=os.environ["OPENROUTER_API_KEY"]' in r.new_source
    for f in r.findings:
        assert key not in f.message and key not in (f.replacement or "")
        assert key[:8] not in f.message
    assert "'sk-...1234'" in next(f.message for f in r.findings if f.code == "OR107")


def test_os_shadowed_reported() -> None:
    r = run('from openai import OpenAI\nos = "linux"\nc = OpenAI()\n')
    assert [f.code for f in r.findings] == ["OR108"]
    assert r.new_source is None


def test_azure_reported_never_rewritten() -> None:
    src = "from openai import AzureOpenAI, AsyncAzureOpenAI\na = AzureOpenAI(api_version='x')\nb = AsyncAzureOpenAI()\n"
    r = run(src)
    assert [f.code for f in r.findings] == ["OR102", "OR102"]
    assert r.new_source is None


@pytest.mark.parametrize(
    "src",
    [
        "from llama_index.llms.openai import OpenAI\nc = OpenAI(model='gpt-4o')\n",
        "class OpenAI:\n    pass\nc = OpenAI()\n",
        "from openai import OpenAI\nclass OpenAI:\n    pass\nc = OpenAI()\n",
        "from openai import OpenAI\nOpenAI = make_client\nc = OpenAI()\n",
        "from guidance.models import OpenAI\nc = OpenAI('gpt-4o')\n",
    ],
)
def test_other_openai_classes_are_never_touched(src: str) -> None:
    r = run(src)
    assert r.new_source is None
    assert not any(f.code.startswith("OR1") for f in r.findings)


def test_subclass_reported() -> None:
    assert codes("from openai import OpenAI\nclass C(OpenAI):\n    pass\n") == ["OR109"]


def test_noqa_suppresses_finding_and_its_fix() -> None:
    r = run("from openai import OpenAI\nc = OpenAI()  # noqa: OR101\n")
    assert r.findings == [] and r.new_source is None
    r = run("from openai import OpenAI\nc = OpenAI()  # noqa: E501\n")
    assert [f.code for f in r.findings] == ["OR101"]


def test_ignore_setting_disables_rule_and_fix() -> None:
    r = run("from openai import OpenAI\nc = OpenAI()\n", ignore=("OR101",))
    assert r.findings == [] and r.new_source is None


def test_custom_base_url_and_key_env() -> None:
    out = migrated(
        "import os\nfrom openai import OpenAI\nc = OpenAI()\n",
        base_url="https://gw.example/api/v1",
        api_key_env="OR_KEY",
    )
    assert 'OpenAI(base_url="https://gw.example/api/v1", api_key=os.environ["OR_KEY"])' in out


def test_client_inside_function_and_await_and_chained_call() -> None:
    src = """\
    import os
    import openai

    async def main():
        async with openai.AsyncOpenAI() as client:
            await client.chat.completions.create(model="gpt-4o", messages=[])
        return openai.OpenAI().models.list()
    """
    out = migrated(src)
    assert out.count(URL) == 2
    # ``async with ... as client`` is resolved to the client it enters: safe
    assert 'model="openai/gpt-4o"' in out
    out = migrated(src, unsafe_fixes=True)
    assert out.count(URL) == 2
    assert 'model="openai/gpt-4o"' in out


def test_file_without_openai_is_not_touched() -> None:
    r = run("def OpenAI():\n    return 1\nx = OpenAI()\n")
    assert r.findings == [] and r.new_source is None


def test_positions_are_one_based() -> None:
    r = run("from openai import OpenAI\nclient = OpenAI()\n")
    (f,) = r.findings
    assert (f.line, f.col, f.end_line, f.end_col) == (2, 10, 2, 18)
    assert f.replacement == f"OpenAI({URL}, {KEY})"


def test_hard_coded_key_in_migrated_client_is_replaced_too() -> None:
    key = "sk-or-v1-0123456789abcdef0123456789abcdef"
    src = f'from openai import OpenAI\nc = OpenAI(base_url="https://openrouter.ai/api/v1", api_key="{key}")\n'
    r = run(src)
    assert [f.code for f in r.findings] == ["OR107"]
    assert r.findings[0].fixable
    assert r.new_source is not None and key.encode() not in r.new_source
    assert r.new_source.decode() == (
        "import os\nfrom openai import OpenAI\n"
        f'c = OpenAI(base_url="https://openrouter.ai/api/v1", {KEY})\n'
    )
    assert key not in r.findings[0].message


def test_os_read_but_never_imported_is_not_imported_behind_the_files_back() -> None:
    # found by test_fuzz: adding `import os` for the inner client turned the outer
    # client's unbound `os.environ[...]` into a real lookup, so a second run
    # migrated it (not idempotent)
    src = (
        "from openai import OpenAI\n"
        'client = OpenAI(api_key=os.environ["OPENAI_API_KEY"], http_client=wrap(OpenAI()))\n'
    )
    r = run(src, dedent=False)
    assert r.new_source is None
    # the outer client passes an http_client the tool cannot see into: OR118
    assert sorted(f.code for f in r.findings) == ["OR108", "OR118"]
