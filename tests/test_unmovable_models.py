"""A client whose model IDs cannot move has an unsafe fix (ruff's model).

Moving ``client = OpenAI()`` to OpenRouter while ``model="o1-mini"`` (no
OpenRouter equivalent, OR204), an unknown ID (OR202), a fine-tune (OR203)
or an ID the catalog does not list (OR307) is sent through it makes every
such call fail. So the client's fix is unsafe (applied only with
``--unsafe-fixes``), or display-only (never applied) when the ID is known
to fail there (OR203, OR204, OR307, not OR202: unknown to the tool); its
message names the model and its line, and the model IDs sent through it
move only with it. Suppressing the model's
finding accepts the ID: the client's fix is safe again. Dynamic models
(OR205) do not block (README: "Safe and unsafe fixes"); shared constants
(OR206) and class fields do: tests/test_escapes.py.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from codemods.core.engine import EngineConfig
from codemods.core.findings import FileResult, Finding, Settings
from codemods.core.formats import render_json, render_sarif
from codemods.python.engine import process_source
from tests.conftest import run_cli
from tests.helpers import run


def _by_code(r: FileResult, code: str) -> list[Finding]:
    return [f for f in r.findings if f.code == code]


BLOCKED = """\
from openai import OpenAI

client = OpenAI()
client.chat.completions.create(model={model}, messages=[])
client.chat.completions.create(model="gpt-4o", messages=[])
other = OpenAI()
other.chat.completions.create(model="gpt-4o-mini", messages=[])
"""


@pytest.mark.parametrize(
    ("model", "code", "kind"),
    [
        # known to fail on OpenRouter: the client's fix is display-only
        ('"o1-mini"', "OR204", "display-only"),
        ('"ft:gpt-4o-mini:acme::abc123"', "OR203", "display-only"),
        # unknown to the tool (not known to fail): unsafe
        ('"my-own-model"', "OR202", "unsafe"),
    ],
)
def test_a_client_sending_a_model_that_cannot_move_has_an_unsafe_fix(
    model: str, code: str, kind: str
) -> None:
    src = BLOCKED.format(model=model)
    r = run(src)
    assert _by_code(r, code), r.findings
    client, other = _by_code(r, "OR101")
    assert client.line == 3 and client.applicability == kind and not client.fixable
    assert client.hidden_fix == (kind == "unsafe")
    assert f"{kind} fix: " in client.message
    assert f"({code}) at t.py:4 is sent through it" in client.message
    # the other model sent through it moves only with it
    (gpt4o, mini) = _by_code(r, "OR201")
    assert gpt4o.line == 5 and gpt4o.applicability == kind and not gpt4o.fixable
    assert "moves with its client" in gpt4o.message
    # an independent client is migrated as before
    assert other.applicability == "safe" and other.fixable
    assert mini.applicability == "safe" and mini.fixable
    assert r.new_source is not None
    new = r.new_source.decode()
    assert "client = OpenAI()\n" in new and 'model="gpt-4o",' in new
    assert 'other = OpenAI(base_url="https://openrouter.ai/api/v1"' in new
    r = run(src, unsafe_fixes=True)
    assert r.new_source is not None
    new = r.new_source.decode()
    assert f"model={model}," in new  # the ID that cannot move stays as written
    if kind == "unsafe":
        # --unsafe-fixes moves the client and its model IDs together
        assert "client = OpenAI()\n" not in new and 'model="openai/gpt-4o",' in new
    else:
        # a display-only fix is never applied: the client and its models stay
        assert "client = OpenAI()\n" in new and 'model="gpt-4o",' in new
        assert [f.applicability for f in _by_code(r, "OR101")] == [kind, "safe"]


def test_an_id_the_catalog_does_not_list_blocks_the_client(tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("models:\n  house-model: acme/retired-model\n")
    config = EngineConfig(mapping_files=(str(mapping),))
    src = BLOCKED.format(model='"house-model"')
    r = process_source("t.py", src.encode(), config)
    assert _by_code(r, "OR307")
    client = _by_code(r, "OR101")[0]
    assert client.applicability == "display-only" and "(OR307) at t.py:4" in client.message


def test_suppressing_the_model_finding_keeps_the_client_fix_safe() -> None:
    src = BLOCKED.format(model='"o1-mini"').replace(
        "messages=[])\nclient.chat", "messages=[])  # noqa: OR204\nclient.chat", 1
    )
    r = run(src)
    assert not _by_code(r, "OR204")
    for f in _by_code(r, "OR101") + _by_code(r, "OR201"):
        assert f.applicability == "safe" and f.fixable, f
    assert r.new_source is not None and b"client = OpenAI()\n" not in r.new_source


def test_a_constant_that_cannot_move_blocks_the_client_it_is_sent_through() -> None:
    src = textwrap.dedent(
        """\
        from openai import OpenAI

        MODEL = "o1-mini"
        client = OpenAI()

        def ask():
            return client.chat.completions.create(model=MODEL, messages=[])
        """
    )
    r = run(src)
    (client,) = _by_code(r, "OR101")
    assert client.applicability == "display-only"
    assert "'o1-mini' (OR204) at t.py:3" in client.message
    assert r.new_source is None
    assert run(src, unsafe_fixes=True).new_source is None


@pytest.mark.parametrize(
    "src",
    [
        # OR205: the model comes from where the tool cannot follow
        "from openai import OpenAI\nimport os\nclient = OpenAI()\n"
        'client.chat.completions.create(model=os.environ["MODEL"], messages=[])\n',
        # an endpoint OpenRouter does not serve: OR301 reports the call itself
        "from openai import OpenAI\nclient = OpenAI()\n"
        'client.chat.completions.create(model="gpt-4o", messages=[])\n'
        'client.audio.speech.create(model="tts-1", voice="alloy", input="hi")\n',
    ],
)
def test_what_does_not_block_the_client(src: str) -> None:
    r = run(src)
    (client,) = _by_code(r, "OR101")
    assert client.applicability == "safe" and client.fixable
    assert r.new_source is not None


@pytest.mark.parametrize(("model", "kind"), [('"o1-mini"', "display-only"), ('"xyz"', "unsafe")])
def test_reports_show_the_client_fix_as_unsafe(model: str, kind: str) -> None:
    r = run(BLOCKED.format(model=model))
    doc = json.loads(render_json(r.findings, []))
    client = next(f for f in doc["findings"] if f["code"] == "OR101" and f["line"] == 3)
    assert client["applicability"] == kind and client["fix"]["applicability"] == kind
    sarif = json.loads(render_sarif(r.findings, []))
    result = next(
        x
        for x in sarif["runs"][0]["results"]
        if x["ruleId"] == "OR101"
        and x["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    )
    assert result["properties"]["applicability"] == kind
    assert result["fixes"][0]["properties"]["applicability"] == kind


def test_across_modules_what_goes_through_the_client_moves_only_with_it(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "a.py").write_text(
        "from openai import OpenAI\n\nclient = OpenAI()\n"
        'client.chat.completions.create(model="my-own-model", messages=[])\n'
    )
    user = 'from a import client\n\nclient.chat.completions.create(model="gpt-4o", messages=[])\n'
    (root / "b.py").write_text(user)
    code, out, err = run_cli(["check", "--no-cache", "--output-format", "json", "."], cwd=root)
    found = {(f["path"], f["code"]): f for f in json.loads(out)["findings"]}
    assert found[("a.py", "OR101")]["applicability"] == "unsafe"
    assert found[("b.py", "OR201")]["applicability"] == "unsafe"
    code, _, err = run_cli(["migrate", "--no-cache", "."], cwd=root)
    assert code == 0, err
    assert (root / "b.py").read_text() == user
    assert "openrouter.ai" not in (root / "a.py").read_text()
    code, _, err = run_cli(["migrate", "--no-cache", "--unsafe-fixes", "."], cwd=root)
    assert code == 0, err
    assert '"openai/gpt-4o"' in (root / "b.py").read_text()
    assert "openrouter.ai" in (root / "a.py").read_text()


def test_across_modules_a_display_only_client_keeps_what_others_send(tmp_path: Path) -> None:
    """a.py sends o1-mini (OR204) through its client: its move is
    display-only, so b.py's model sent through it stays too, even with
    ``--unsafe-fixes`` (b.py is told the client stays where it points)."""
    root = tmp_path / "p"
    root.mkdir()
    a = (
        "from openai import OpenAI\n\nclient = OpenAI()\n"
        'client.chat.completions.create(model="o1-mini", messages=[])\n'
    )
    (root / "a.py").write_text(a)
    user = 'from a import client\n\nclient.chat.completions.create(model="gpt-4o", messages=[])\n'
    (root / "b.py").write_text(user)
    code, out, err = run_cli(["check", "--no-cache", "--output-format", "json", "."], cwd=root)
    found = {(f["path"], f["code"]): f for f in json.loads(out)["findings"]}
    assert found[("a.py", "OR101")]["applicability"] == "display-only"
    assert not any(f["fixable"] for f in json.loads(out)["findings"] if f["path"] == "b.py")
    code, _, err = run_cli(["migrate", "--no-cache", "--unsafe-fixes", "."], cwd=root)
    assert code == 0, err
    assert (root / "b.py").read_text() == user
    assert (root / "a.py").read_text() == a


def test_settings_unchanged_for_the_rest() -> None:
    """A file without a blocking model runs the rules once, as before."""
    src = BLOCKED.format(model='"gpt-4o-mini"')
    r = process_source("t.py", src.encode(), EngineConfig(settings=Settings()))
    assert all(f.applicability == "safe" for f in r.findings if f.applicability is not None)


def test_a_client_whose_key_moves_in_another_module_moves_with_it(tmp_path: Path) -> None:
    """settings.py's key is renamed because app.py's client moves: leaving
    the client on OpenAI would send it OpenRouter's key. The client moves
    with its key (OR204 still reports the model)."""
    root = tmp_path / "p"
    root.mkdir()
    (root / "settings.py").write_text('import os\n\nAPI_KEY = os.environ["OPENAI_API_KEY"]\n')
    (root / "app.py").write_text(
        "from openai import OpenAI\n\nfrom settings import API_KEY\n\n"
        "client = OpenAI(api_key=API_KEY)\n"
        'client.chat.completions.create(model="o1-mini", messages=[])\n'
    )
    code, out, err = run_cli(["migrate", "--no-cache", "."], cwd=root)
    assert code == 0, err
    assert "app.py:6:38: OR204" in out  # reported
    assert "OPENROUTER_API_KEY" in (root / "settings.py").read_text()
    assert "openrouter.ai" in (root / "app.py").read_text()


# ---- a model whose own fix is unsafe holds the client it may go through ----


def test_a_client_reached_by_an_unsafe_model_fix_moves_only_with_it(tmp_path: Path) -> None:
    # `client = client or default`: the call goes through `default` (moves)
    # or the caller's client (here an Azure one: unresolved); moving
    # `default` alone would send the bare ID to OpenRouter
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "lib.py").write_text(
        textwrap.dedent(
            """\
            from typing import Optional
            from openai import OpenAI
            default = OpenAI()
            def ask(client: Optional["OpenAI"] = None):
                client = client or default
                return client.chat.completions.create(model="gpt-4o-mini", messages=[])
            """
        )
    )
    # (a caller the tool cannot resolve: an Azure client passed through
    # ``lib.ask`` is now seen, and leaves `default` too: OR122 below)
    (tmp_path / "main.py").write_text(
        "import lib\nfrom vendor import get_client\nlib.ask(get_client())\n"
    )
    before = (tmp_path / "lib.py").read_text()
    code, out, err = run_cli(["migrate", "--no-cache", str(tmp_path)])
    assert (tmp_path / "lib.py").read_text() == before, out + err
    assert "this client with it" in out
    code, out, err = run_cli(["migrate", "--no-cache", "--unsafe-fixes", str(tmp_path)])
    text = (tmp_path / "lib.py").read_text()
    assert "openrouter.ai" in text and '"openai/gpt-4o-mini"' in text
    # an Azure client passed from main.py: the model goes to Azure too, so
    # `default` stays with it, even with --unsafe-fixes
    (tmp_path / "lib.py").write_text(before)
    (tmp_path / "main.py").write_text(
        "import lib\nfrom openai import AzureOpenAI\n"
        'az = AzureOpenAI(api_version="2024-02-01", azure_endpoint="https://x.openai.azure.com")\n'
        "lib.ask(az)\n"
    )
    code, out, err = run_cli(["migrate", "--no-cache", "--unsafe-fixes", str(tmp_path)])
    assert (tmp_path / "lib.py").read_text() == before, out + err
    assert "OR122" in out


@pytest.mark.parametrize(
    "kept",
    [
        'kept = OpenAI()  # noqa: OR101\nkept.chat.completions.create(model="gpt-4o", messages=[])\n',
        # its fix is unsafe (o1-mini cannot move): plain migrate leaves it
        'kept = OpenAI()\nkept.chat.completions.create(model="o1-mini", messages=[])\n',
    ],
)
def test_an_annotated_parameter_is_unsafe_while_a_client_of_the_run_stays(
    tmp_path: Path, kept: str
) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "a.py").write_text("from openai import OpenAI\n" + kept)
    (tmp_path / "b.py").write_text(
        "from openai import OpenAI\nmoved = OpenAI()\n"
        "def ask(client: OpenAI):\n"
        '    return client.chat.completions.create(model="gpt-4o-mini", messages=[])\n'
    )
    _, out, _ = run_cli(["check", "--no-cache", str(tmp_path)])
    line = next(x for x in out.splitlines() if "b.py:4:" in x)
    assert "OR201 model" in line and "unsafe fix" in line, out
    _, out, _ = run_cli(["check", "--no-cache", "--unsafe-fixes", str(tmp_path)])
    line = next(x for x in out.splitlines() if "b.py:4:" in x)
    assert "OR201 [*]" in line, out
