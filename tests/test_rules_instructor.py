"""instructor (issue 14 item 2): every way a model reaches OpenAI through
instructor is mapped with its client, the modes instructor refuses on
OpenRouter leave the client (OR121), and ``from_provider`` is reported with
the OpenRouter provider (OR421).

Facts from instructor's source (checked on the wheels of 1.3.0 to 1.17.0):
``from_openai`` of 1.7.4 to 1.15.1 asserts ``mode in {TOOLS,
OPENROUTER_STRUCTURED_OUTPUTS, JSON}`` for a base URL containing
"openrouter", 1.15.3+ does not; ``patch``/``apatch`` never check; TOOLS is
the default everywhere; ``from_provider("openrouter/...")`` exists since
1.11.0 and reads ``OPENROUTER_API_KEY``.
"""

from __future__ import annotations

import textwrap

import pytest

from tests.helpers import codes, migrated, run

OPENAI = 'OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])'


@pytest.mark.parametrize(
    "method",
    [
        "create",
        "create_partial",
        "create_iterable",
        "create_with_completion",
        "messages.create",
        "chat.create",
        "chat.completions.create",
        "chat.completions.create_partial",
        "chat.completions.create_iterable",
        "chat.completions.create_with_completion",
    ],
)
def test_every_method_of_a_wrapped_client_maps_its_model(method: str) -> None:
    src = f"""\
    import instructor
    from openai import OpenAI
    client = instructor.from_openai(OpenAI())
    client.{method}(model="gpt-4o", response_model=int, messages=[])
    """
    out = migrated(src)
    assert f'client.{method}(model="openai/gpt-4o"' in out
    assert OPENAI in out


@pytest.mark.parametrize("wrapper", ["patch", "apatch"])
def test_patch_and_apatch_move_with_their_client(wrapper: str) -> None:
    cls = "AsyncOpenAI" if wrapper == "apatch" else "OpenAI"
    src = f"""\
    import instructor
    from openai import {cls}
    client = instructor.{wrapper}({cls}(), mode=instructor.Mode.MD_JSON)
    client.chat.completions.create(model="gpt-4o", response_model=int, messages=[])
    """
    # patch/apatch never read the base URL: any mode works on OpenRouter
    assert codes(src) == ["OR101", "OR201"]
    assert 'model="openai/gpt-4o"' in migrated(src)


def test_a_default_model_given_to_from_openai_is_mapped_with_the_client() -> None:
    src = """\
    import instructor
    from openai import OpenAI
    client = instructor.from_openai(OpenAI(), model="gpt-4o-mini")
    client.create(response_model=int, messages=[])
    """
    out = migrated(src)
    assert f'instructor.from_openai({OPENAI}, model="openai/gpt-4o-mini")' in out


def test_a_default_model_of_a_client_left_on_openai_stays() -> None:
    src = """\
    import instructor
    from openai import OpenAI
    client = instructor.from_openai(OpenAI(base_url="http://localhost:8000/v1"), model="gpt-4o-mini")
    """
    assert migrated(src) == textwrap.dedent(src)
    assert "OR201" not in codes(src)


@pytest.mark.parametrize(
    "mode",
    [
        "instructor.Mode.MD_JSON",
        "instructor.Mode.PARALLEL_TOOLS",
        "instructor.Mode.JSON_SCHEMA",
        "instructor.Mode.TOOLS_STRICT",
        "instructor.Mode.RESPONSES_TOOLS",
        "Mode.FUNCTIONS",
    ],
)
@pytest.mark.parametrize("form", ["keyword", "positional"])
def test_modes_refused_on_openrouter_leave_the_client_and_its_models(mode: str, form: str) -> None:
    arg = f"mode={mode}" if form == "keyword" else mode
    src = f"""\
    import instructor
    from instructor import Mode
    from openai import OpenAI
    client = instructor.from_openai(OpenAI(), {arg})
    client.create(model="gpt-4o", response_model=int, messages=[])
    """
    assert codes(src) == ["OR121"]
    assert migrated(src) == textwrap.dedent(src)


@pytest.mark.parametrize(
    "mode", ["instructor.Mode.TOOLS", "instructor.Mode.JSON", "Mode.OPENROUTER_STRUCTURED_OUTPUTS"]
)
def test_modes_accepted_on_openrouter_move_the_client(mode: str) -> None:
    src = f"""\
    import instructor
    from instructor import Mode
    from openai import OpenAI
    client = instructor.from_openai(OpenAI(), {mode})
    client.create(model="gpt-4o", response_model=int, messages=[])
    """
    assert codes(src) == ["OR101", "OR201"]


def test_a_mode_constant_is_followed_and_an_unreadable_mode_leaves_the_client() -> None:
    src = """\
    import instructor
    from openai import OpenAI
    MODE = instructor.Mode.JSON
    STRICT = instructor.Mode.TOOLS_STRICT
    ok = instructor.from_openai(OpenAI(), mode=MODE)
    strict = instructor.from_openai(OpenAI(), mode=STRICT)
    unknown = instructor.from_openai(OpenAI(), mode=settings.mode)
    options = instructor.from_openai(OpenAI(), **settings.options)
    """
    found = run(src).findings
    assert [(f.code, f.line) for f in found] == [
        ("OR101", 5),
        ("OR121", 6),
        ("OR121", 7),
        ("OR121", 8),
    ]
    assert "`**settings.options`" in found[-1].message
    assert "1.7.4 to 1.15.1" in found[1].message


def test_an_instructor_typed_parameter_is_a_wrapped_client() -> None:
    src = """\
    import instructor
    from openai import OpenAI

    def _extract(client: instructor.Instructor, text):
        return client.create(model="gpt-4o", response_model=int, messages=[])

    def extract_for(client: "instructor.AsyncInstructor", text):
        return client.create(model="gpt-4o", response_model=int, messages=[])

    _extract(instructor.from_openai(OpenAI()), "x")
    """
    found = {f.line: f for f in run(src).findings if f.code == "OR201"}
    # the private helper's only caller passes a migrated client: safe
    assert found[5].applicability == "safe"
    # the public one's callers are not known: unsafe, not applied
    assert found[8].applicability == "unsafe"
    out = migrated(src)
    assert out.count('model="openai/gpt-4o"') == 1


# ---------------------------------------------------------------- from_provider


def test_from_provider_is_an_unsafe_fix_to_the_openrouter_provider() -> None:
    src = """\
    import instructor
    client = instructor.from_provider("openai/gpt-4o", async_client=True)
    """
    (f,) = run(src).findings
    assert f.code == "OR421" and f.applicability == "unsafe"
    assert 'from_provider("openrouter/openai/gpt-4o")' in f.message
    assert migrated(src) == textwrap.dedent(src)  # not without --unsafe-fixes
    out = migrated(src, unsafe_fixes=True)
    assert 'instructor.from_provider("openrouter/openai/gpt-4o", async_client=True)' in out


def test_from_provider_fix_carries_the_options_of_the_run() -> None:
    src = """\
    import instructor
    client = instructor.from_provider("openai/gpt-4o-mini")
    """
    out = migrated(
        src,
        unsafe_fixes=True,
        base_url="https://gw.example/api/v1",
        api_key_env="MY_OR_KEY",
        app_url="https://app.example",
        app_title="App",
    )
    assert out == (
        "import os\n"
        "import instructor\n"
        'client = instructor.from_provider("openrouter/openai/gpt-4o-mini", '
        'base_url="https://gw.example/api/v1", api_key=os.environ["MY_OR_KEY"], '
        'extra_headers={"HTTP-Referer": "https://app.example", "X-Title": "App"})\n'
    )


@pytest.mark.parametrize(
    ("args", "why"),
    [
        ('"openai/gpt-4o", api_key=key', "`api_key=`"),
        ('"openai/gpt-4o", organization="org-1"', "`organization=`"),
        ('"openai/gpt-4o", max_retries=3', "`max_retries=`"),
        ('"openai/gpt-4o", **options', "`**options`"),
        ('"openai/gpt-4o", mode=instructor.Mode.MD_JSON', "`mode=instructor.Mode.MD_JSON`"),
        ('"openai/o1-mini"', "no OpenRouter equivalent"),
        ('"openai/my-own-model"', "not in the model table"),
    ],
)
def test_from_provider_that_cannot_be_rewritten_is_reported_only(args: str, why: str) -> None:
    src = f"""\
    import instructor
    client = instructor.from_provider({args})
    """
    (f,) = run(src, unsafe_fixes=True).findings
    assert f.code == "OR421" and f.applicability is None
    assert why in f.message
    assert migrated(src, unsafe_fixes=True) == textwrap.dedent(src)


@pytest.mark.parametrize(
    "model", ["anthropic/claude-3-5-sonnet-latest", "openrouter/openai/gpt-4o", "gpt-4o"]
)
def test_from_provider_of_another_provider_is_left_alone(model: str) -> None:
    src = f"""\
    import instructor
    client = instructor.from_provider("{model}")
    """
    assert codes(src) == []


def test_a_local_from_provider_is_not_instructors() -> None:
    src = """\
    from openai import OpenAI
    def from_provider(name): ...
    client = from_provider("openai/gpt-4o")
    """
    assert codes(src) == []


def test_from_provider_through_a_constant_is_reported_without_a_fix() -> None:
    src = """\
    import instructor
    MODEL = "openai/gpt-4o"
    client = instructor.from_provider(MODEL)
    """
    (f,) = run(src, unsafe_fixes=True).findings
    assert f.code == "OR421" and f.applicability is None
    assert "the model comes from `MODEL`" in f.message
