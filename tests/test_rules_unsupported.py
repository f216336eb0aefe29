"""OR3xx (what OpenRouter does not support) and OR900 (unused suppressions)."""

from __future__ import annotations

import textwrap

import pytest

from codemods.cli import main
from codemods.core.engine import EngineConfig
from codemods.core.findings import Finding, Settings
from codemods.core.mapping import MappingError, load_catalog
from codemods.python.engine import process_source
from codemods.python.rules.unsupported import load_unsupported, parse_unsupported
from tests.helpers import cli_runner

HEADER = "from openai import OpenAI\nclient = OpenAI()\n"
# a use OpenRouter serves, after the source: the client is migrated, and
# each unsupported call is reported (a client used only for unsupported
# endpoints is left on OpenAI: OR119, tested in test_rules_clients_whole)
FOOTER = 'client.chat.completions.create(model="openai/gpt-4o", messages=[])\n'
CC = "client.chat.completions.create"


def run(source: str, settings: Settings | None = None, header: bool = True) -> list[Finding]:
    text = (HEADER if header else "") + textwrap.dedent(source) + (FOOTER if header else "")
    result = process_source(
        "t.py", text.encode(), EngineConfig(settings=settings or Settings()), prefilter=False
    )
    assert not result.errors, result.errors
    return result.findings


def codes(source: str, prefix: str = "OR3", **kw) -> list[tuple[str, int]]:
    """(code, line) of the findings starting with ``prefix`` (lines of ``source``)."""
    offset = 2 if kw.get("header", True) else 0
    return [(f.code, f.line - offset) for f in run(source, **kw) if f.code.startswith(prefix)]


# ---------------------------------------------------------------- the table


def test_shipped_table_loads_and_matches_catalog_date() -> None:
    table = load_unsupported()
    assert table.catalog_date == load_catalog().snapshot_date
    resources = {".".join(e.resource) for e in table.endpoints}
    for r in (
        "assistants",
        "threads",
        "vector_stores",
        "fine_tuning",
        "files",
        "uploads",
        "batches",
        "moderations",
        "realtime",
        "evals",
        "containers",
        "images",
    ):
        assert r in resources
    assert "openai/text-embedding-3-small" in table.embedding_models
    # the vocabulary is the catalog's
    known = {p for m in load_catalog().models.values() for p in m.supported_parameters}
    for names in table.parameters.values():
        assert set(names) & known, names


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (
            "catalog_date: '2026-05-22'\nendpoints: []\nembedding_models: []\n",
            "parameters: missing",
        ),
        (
            "catalog_date: '2026-05-22'\nendpoints:\n  - resource: files\n    title: F\n"
            "    kind: gone\n    message: m\nembedding_models: []\nparameters: {}\n",
            "endpoints[0] (files): kind must be one of missing, different",
        ),
        (
            "catalog_date: '2026-05-22'\nendpoints:\n  - resource: beta.files\n    title: F\n"
            "    kind: missing\n    message: m\nembedding_models: []\nparameters: {}\n",
            "leave out beta",
        ),
        (
            "catalog_date: '2026-05-22'\nendpoints: []\nembedding_models: []\n"
            "parameters:\n  temperature: temperature\n",
            "parameters['temperature']: must be a non-empty list",
        ),
        ("catalog_date: '2026-05-22'\nextra: 1\n", "unknown key 'extra'"),
        ("a: [\n", "not valid YAML"),
        ("catalog_date: x\ncatalog_date: y\n", "duplicate key"),
    ],
)
def test_table_errors_name_file_and_entry(text: str, needle: str) -> None:
    with pytest.raises(MappingError) as e:
        parse_unsupported(text, "my.yaml")
    assert str(e.value).startswith("my.yaml")
    assert needle in str(e.value)


def test_table_refuses_yaml_tags() -> None:
    with pytest.raises(MappingError, match="tag"):
        parse_unsupported("catalog_date: !!python/object:os.system x\n", "t.yaml")


# ---------------------------------------------------------------- OR301


@pytest.mark.parametrize(
    "call",
    [
        'client.beta.assistants.create(model="gpt-4o", name="x")',
        "client.beta.threads.create()",
        'client.beta.threads.messages.create(thread_id="t", role="user", content="hi")',
        'client.beta.threads.runs.create_and_poll(thread_id="t", assistant_id="a")',
        'client.vector_stores.create(name="kb")',
        'client.beta.vector_stores.files.list("vs")',
        'client.fine_tuning.jobs.create(training_file="f", model="gpt-4o-mini")',
        'client.files.create(file=fh, purpose="batch")',
        'client.uploads.create(bytes=1, filename="a", mime_type="x", purpose="batch")',
        'client.batches.create(input_file_id="f", endpoint="/v1/chat/completions")',
        'client.moderations.create(input="text")',
        'client.beta.realtime.connect(model="gpt-4o-realtime-preview")',
        "client.evals.list()",
        "client.containers.create(name='c')",
        "client.conversations.create()",
        'client.responses.retrieve("resp_1")',
        'client.responses.input_items.list("resp_1")',
        'client.chat.completions.retrieve("cmpl_1")',
        'client.with_raw_response.files.create(file=fh, purpose="batch")',
        'client.responses.stream(response_id="resp_1", starting_after=3)',
    ],
)
def test_unsupported_endpoints(call: str) -> None:
    assert ("OR301", 1) in codes(call + "\n")


def test_streaming_a_stored_response_again_is_a_stored_responses_call() -> None:
    # ``responses.stream(response_id=...)`` replays a stored response, as
    # ``retrieve`` reads it (hand audit Q3: before, no finding, and a client
    # used only for it moved)
    stream = 'with client.responses.stream(response_id="resp_1") as s:\n    pass\n'
    mixed = run(stream)
    assert [f.code for f in mixed if f.code == "OR301"] == ["OR301"]
    assert "(stored responses)" in next(f for f in mixed if f.code == "OR301").message
    alone = run("from openai import OpenAI\nclient = OpenAI()\n" + stream, header=False)
    assert [f.code for f in alone] == ["OR119"]
    # a new stream is not
    assert codes('client.responses.stream(model="openai/gpt-4o", input="x")\n') == []


def test_endpoint_model_is_not_rewritten() -> None:
    src = HEADER + 'a = client.beta.assistants.create(model="gpt-4o")\n' + FOOTER
    r = process_source("t.py", src.encode(), EngineConfig(), prefilter=False)
    assert r.new_source is not None  # the client is migrated...
    assert b'model="gpt-4o"' in r.new_source  # ...the assistants model is not


def test_module_level_client_and_async_receivers() -> None:
    src = """\
    import openai
    from openai import AsyncOpenAI
    aclient = AsyncOpenAI()
    openai.files.create(file=fh, purpose="batch")
    async def f():
        await aclient.batches.create(input_file_id="x", endpoint="e", completion_window="24h")
        await aclient.chat.completions.create(model="openai/gpt-4o", messages=[])
        return await make_client().fine_tuning.jobs.list()
    """
    assert codes(src, header=False) == [("OR301", 4), ("OR301", 6), ("OR301", 8)]


@pytest.mark.parametrize(
    "src",
    [
        # another SDK's client
        "from anthropic import Anthropic\nclient = Anthropic()\nclient.files.create(file=fh)\n",
        # no openai import at all: an unknown object
        "client.files.create(file=fh)\nclient.beta.assistants.create(name='x')\n",
        # a local class in an openai file
        "import openai\nclass Store: ...\nstore = Store()\nstore.files.create(file=fh)\n",
        # a method that is not the SDK's (methods restrict generic names)
        "import openai\nstorage.files.upload(fh)\nqueue.batches.submit(job)\n",
        "import openai\nforum.threads.get(1)\ndb.conversations.find()\nx.evals.score()\n",
        # the SDK resource named but not called through
        "import openai\nx = client.files\nopenai.files\n",
        # Azure clients are not migrated, so not judged
        "from openai import AzureOpenAI\nc = AzureOpenAI()\nc.files.create(file=fh)\n",
    ],
)
def test_endpoints_must_not_fire(src: str) -> None:
    assert codes(src, header=False) == []


# ---------------------------------------------------------------- OR302


def test_stateful_responses() -> None:
    src = """\
    client.responses.create(model="openai/gpt-4o", input="x", store=True)
    client.responses.create(model="openai/gpt-4o", input="x", previous_response_id=rid)
    client.responses.create(model="openai/gpt-4o", input="x", conversation="conv_1")
    client.responses.stream(model="openai/gpt-4o", input="x", store=True)
    """
    assert codes(src) == [("OR302", 1), ("OR302", 2), ("OR302", 3), ("OR302", 4)]


def test_stateless_responses_are_fine() -> None:
    src = """\
    client.responses.create(model="openai/gpt-4o", input="x", store=False)
    client.responses.create(model="openai/gpt-4o", input="x", previous_response_id=None)
    """
    assert codes(src) == []


# ---------------------------------------------------------------- OR309


def test_stored_chat_completion_is_reported_and_the_client_still_moves() -> None:
    # OpenRouter serves the request but keeps nothing (no 400, unlike the
    # Responses API's store=True): reported, the client and model move
    src = """    client.chat.completions.create(model="gpt-4o", messages=m, store=True, metadata={"p": "d"})
    client.beta.chat.completions.parse(model="gpt-4o", messages=m, store=True)
    client.chat.completions.create(model="gpt-4o", messages=m, store=False, metadata=None)
    client.chat.completions.create(model="gpt-4o", messages=m)
    """
    found = run(src)
    stored = [(f.line - 2, f.message) for f in found if f.code == "OR309"]
    assert [line for line, _ in stored] == [1, 2]
    assert "metadata=" in stored[0][1] and "metadata=" not in stored[1][1]
    fixed = {(f.code, f.applicability) for f in found if f.code in ("OR101", "OR201")}
    assert fixed == {("OR101", "safe"), ("OR201", "safe")}, found


# ---------------------------------------------------------------- OR303/OR304


def test_images() -> None:
    src = """\
    client.images.generate(model="gpt-image-1", prompt="p")
    client.images.edit(image=fh, prompt="p")
    client.images.create_variation(image=fh)
    """
    assert codes(src) == [("OR303", 1), ("OR303", 2), ("OR303", 3)]


def test_embeddings() -> None:
    src = """\
    client.embeddings.create(model="text-embedding-3-small", input="x")
    client.embeddings.create(model="openai/text-embedding-3-large", input="x")
    client.embeddings.create(model="gpt-4o", input="x")
    client.embeddings.create(model="openai/gpt-4o-mini", input="x")
    client.embeddings.create(model="text-embedding-ada-002", input="x")
    """
    found = codes(src, prefix="OR")
    assert ("OR304", 3) in found and ("OR304", 4) in found
    assert not any(c == "OR304" and line in (1, 2, 5) for c, line in found)
    assert ("OR204", 5) in found  # ada-002: no equivalent at all, said once


# ---------------------------------------------------------------- OR305


def test_n_greater_than_one() -> None:
    src = """\
    client.chat.completions.create(model="gpt-4o-mini", messages=m, n=3)
    client.chat.completions.create(model="gpt-4o-mini", messages=m, n=1)
    client.chat.completions.create(model=model, messages=m, n=2)
    client.chat.completions.create(model="gpt-4o-mini", messages=m, n=count)
    client.images.generate(model="x", prompt="p", n=4)
    """
    found = [c for c in codes(src) if c[0] == "OR305"]
    assert found == [("OR305", 1), ("OR305", 3)]
    msg = next(f.message for f in run(src) if f.code == "OR305")
    assert "2026-05-22" in msg and "3 requests" in msg


# ---------------------------------------------------------------- OR306


def test_parameters_the_model_does_not_support() -> None:
    src = """\
    client.chat.completions.create(
        model="o1",
        messages=m,
        logprobs=True,
        top_logprobs=5,
        temperature=0.2,
        seed=7,
    )
    """
    found = codes(src)
    assert found == [("OR306", 4), ("OR306", 5), ("OR306", 6)]  # seed is listed for o1
    msg = next(f.message for f in run(src) if f.code == "OR306")
    assert "openai/o1" in msg and "2026-05-22" in msg and "require_parameters" in msg


def test_parameters_through_a_constant_and_other_providers() -> None:
    src = """\
    MODEL = "gpt-5-chat"
    client.chat.completions.create(model=MODEL, messages=m, tools=tools, temperature=0)
    client.chat.completions.create(model="openai/gpt-4o-search-preview", messages=m, seed=1)
    """
    assert codes(src) == [("OR306", 2), ("OR306", 2), ("OR306", 3)]


@pytest.mark.parametrize(
    "src",
    [
        # models that list the parameter
        CC + '(model="gpt-4o", messages=m, logprobs=True, top_logprobs=3, temperature=0, tools=t)',
        CC + '(model="o3", messages=m, max_completion_tokens=100, reasoning_effort="high")',
        # switched off / not given
        CC + '(model="o1", messages=m, logprobs=False, temperature=None)',
        # the caller asked OpenRouter to fail instead of dropping
        CC + '(model="o1", messages=m, logprobs=True, '
        'extra_body={"provider": {"require_parameters": True}})',
        # unknown or dynamic model: nothing to judge
        CC + "(model=cfg.model, messages=m, logprobs=True)",
        CC + '(model="acme/unknown-1", messages=m, logprobs=True)',
        # keywords that are not in the vocabulary
        CC + '(model="o1", messages=m, user="u", stream=True, metadata={})',
    ],
)
def test_parameters_must_not_fire(src: str) -> None:
    assert codes(src + "\n") == []


def test_parameters_on_non_openai_receivers_are_not_judged() -> None:
    src = """\
    from groq import Groq
    g = Groq()
    g.chat.completions.create(model="o1", messages=m, logprobs=True)
    """
    assert codes(src, header=False) == []
    no_import = 'client.chat.completions.create(model="o1", messages=m, logprobs=True)\n'
    assert codes(no_import, header=False) == []


# ---------------------------------------------------------------- OR307


def test_mapped_model_missing_from_catalog() -> None:
    src = """\
    client.chat.completions.create(model="o1-mini", messages=m)
    client.chat.completions.create(model="gpt-4o", messages=m)
    client.embeddings.create(model="text-embedding-3-small", input="x")
    client.chat.completions.create(model="openai/o1-mini", messages=m)
    client.chat.completions.create(model="acme/brand-new-model", messages=m)
    """
    found = run(src)
    # o1-mini is not mapped (issue 11 item 8: OR204, never rewritten to a retired
    # openai/o1-mini); an openai/ ID the catalog lacks is reported; an ID the table
    # never produces may be newer than the snapshot: not judged
    assert [(f.code, f.line - 2) for f in found if f.code.startswith("OR3")] == [("OR307", 4)]
    assert any(f.code == "OR204" and f.line - 2 == 1 for f in found)
    assert "2026-05-22" in next(f.message for f in found if f.code == "OR307")
    assert not any(f.code == "OR201" and f.line == 3 for f in found)  # not mapped any more
    assert any(f.code == "OR201" and f.line == 4 for f in found)  # gpt-4o is


# ---------------------------------------------------------------- OR308


def test_organization_from_environment() -> None:
    src = """\
    import os
    from openai import OpenAI
    ORG = os.environ["OPENAI_ORG_ID"]
    PROJECT = os.getenv("OPENAI_PROJECT_ID", "")
    client = OpenAI(organization=ORG)
    other = OpenAI(organization=os.environ["OPENAI_ORG_ID"], project=os.getenv("OPENAI_PROJECT_ID"))
    """
    assert codes(src, header=False) == [("OR308", 3), ("OR308", 4)]
    kept = codes(src, header=False, settings=Settings(strip_project=False))
    assert kept == [("OR308", 3)]


def test_organization_env_must_not_fire() -> None:
    # no openai import: a settings module
    src = 'import os\nORG = os.environ["OPENAI_ORG_ID"]\n'
    assert codes(src, header=False) == []
    # module-level configuration that the migration handles itself
    src2 = 'import os\nimport openai\nopenai.organization = os.environ["OPENAI_ORG_ID"]\n'
    assert codes(src2, header=False) == []


# ---------------------------------------------------------------- suppression


def test_noqa_silences_or3xx() -> None:
    src = """\
    client.files.create(file=fh, purpose="batch")  # noqa: OR301
    client.chat.completions.create(  # openrouter-migrate: ignore[OR306]
        model="o1", messages=m, logprobs=True)
    """
    # a suppression works on the first or the last line of the span: OR306
    # sits on the argument (line 3), not on the call's first line
    assert codes(src) == [("OR306", 3)]


# ---------------------------------------------------------------- OR900


NOQA_SRC = """\
import openai
from openai import OpenAI
client = OpenAI()  # noqa: OR101
r = client.chat.completions.create(model="openai/gpt-4o", messages=m)  # noqa: OR201, E501
s = "# noqa: OR201"
t = 1  # openrouter-migrate: ignore
u = 2  # noqa
w = 3  # noqa: F401
v = client.chat.completions.create(model="gpt-4o", messages=m)  # noqa: OR201,OR999
x = client.chat.completions.create(model="gpt-4o", messages=m)  # openrouter-migrate: ignore
"""


def _unused(src: str, **kw) -> list[tuple[int, str]]:
    settings = Settings(report_unused_noqa=True, **kw)
    findings = run(src, settings=settings, header=False)
    return [(f.line, f.message) for f in findings if f.code == "OR900"]


def test_unused_noqa_reported_on_request_only() -> None:
    found = _unused(NOQA_SRC)
    assert [line for line, _ in found] == [4, 6, 9]
    assert "OR201 is not reported" in found[0][1]
    assert "nothing is reported" in found[1][1]
    assert "OR999 is not an openrouter-migrate rule" in found[2][1]
    assert [f for f in run(NOQA_SRC, header=False) if f.code == "OR900"] == []


def test_unused_noqa_position_is_the_comment() -> None:
    settings = Settings(report_unused_noqa=True)
    f = next(f for f in run(NOQA_SRC, settings=settings, header=False) if f.code == "OR900")
    line = NOQA_SRC.splitlines()[f.line - 1]
    assert line[f.col - 1 :].startswith("# noqa: OR201")


def test_unused_noqa_skips_rules_that_did_not_run() -> None:
    # with --select OR3, OR101/OR201 suppressions and bare ignores cannot be
    # judged; an unknown code can
    assert [line for line, _ in _unused(NOQA_SRC, select=("OR3", "OR9"))] == [9]
    assert _unused(NOQA_SRC, select=("OR3",)) == []  # OR900 itself not selected
    assert _unused(NOQA_SRC, ignore=("OR900",)) == []


def test_unused_noqa_in_a_file_without_openai() -> None:
    # the prefilter would skip this file; with the flag it is read
    src = "x = 1  # noqa: OR201\n"
    assert [line for line, _ in _unused(src)] == [1]
    r = process_source(
        "t.py", src.encode(), EngineConfig(settings=Settings(report_unused_noqa=True))
    )
    assert [f.code for f in r.findings] == ["OR900"]


def test_cli_show_unused_noqa(tmp_path) -> None:
    (tmp_path / "a.py").write_text(NOQA_SRC)
    runner = cli_runner()
    plain = runner.invoke(main, ["check", str(tmp_path)])
    assert "OR900" not in plain.output
    shown = runner.invoke(main, ["check", "--show-unused-noqa", str(tmp_path)])
    assert shown.exit_code == 1
    assert shown.output.count("OR900") == 3


# ---- a client left on OpenAI (OR119) gets no OR301: its calls keep working


def test_function_scoped_client_left_on_openai_gets_no_or301() -> None:
    # the receiver is resolved in the call's own scope (an `async with`
    # target inside a function): it is the client OR119 leaves on OpenAI
    src = """
        from openai import AsyncOpenAI

        async def main():
            async with AsyncOpenAI() as client:
                await client.files.create(file=b"x", purpose="assistants")
                await client.vector_stores.create(name="x")
        """
    assert codes(src, prefix="OR", header=False) == [("OR119", 5)]


def test_function_scoped_mixed_client_reports_each_unsupported_call() -> None:
    src = """
        from openai import OpenAI

        def main():
            client = OpenAI()
            client.files.create(file=b"x", purpose="assistants")
            client.chat.completions.create(model="gpt-4o", messages=[])
        """
    found = codes(src, prefix="OR", header=False)
    assert ("OR301", 6) in found and ("OR101", 5) in found and ("OR119", 5) not in found


def test_nested_resource_is_resolved_through_the_client_before_it() -> None:
    # openai 1.x's client.beta.assistants.files: the receiver is `client`
    # (left on OpenAI by OR119), not `client.beta.assistants`
    src = """
        from openai import OpenAI

        client = OpenAI()
        client.beta.assistants.create(model="gpt-4o")
        client.beta.assistants.files.list(assistant_id="a")
        """
    assert codes(src, prefix="OR", header=False) == [("OR119", 4)]


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        ("store=True, previous_response_id=prev", "`responses.create` with store=True"),
        ("previous_response_id=prev", "`responses.create` with previous_response_id"),
        ('tools=[{"type": "file_search"}]', "`responses.create` with tool 'file_search'"),
    ],
)
def test_or119_says_why_a_responses_call_is_openais_alone(args: str, shown: str) -> None:
    # OpenRouter serves the Responses API, so "`responses.create`" alone
    # read as a false claim: the finding names what keeps the call on OpenAI
    src = textwrap.dedent(
        f"""\
        from openai import OpenAI
        client = OpenAI()
        def ask(prev):
            return client.responses.create(model="gpt-4o", input="hi", {args})
        """
    )
    found = [f for f in run(src, header=False) if f.code == "OR119"]
    assert len(found) == 1, found
    assert f"({shown})" in found[0].message, found[0].message
