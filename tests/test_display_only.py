"""Display-only fixes (ruff's third applicability): a fix the tool knows
would break the program is shown in every format and never applied, not
even with ``--unsafe-fixes``.

The case: a client through which a model ID known to fail on OpenRouter is
sent (a fine-tune OR203, an ID without equivalent or retired OR204, one the
catalog does not list OR307). Moved, the client would send that ID to
OpenRouter, which rejects it. Its fix, and the fixes that move only with
it (the other model IDs sent through it), are display-only. An ID the
tool merely does not know (OR202) keeps the fix unsafe. Same rule in the
Python and TypeScript front-ends (README: "Safe and unsafe fixes").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

PY = """\
from openai import OpenAI

client = OpenAI()
client.chat.completions.create(model="o1-mini", messages=[])
client.chat.completions.create(model="gpt-4o", messages=[])
"""

TS = """\
import OpenAI from "openai";

const client = new OpenAI();
await client.chat.completions.create({ model: "o1-mini", messages: [] });
await client.chat.completions.create({ model: "gpt-4o", messages: [] });
"""


def _tree(tmp_path: Path, name: str, src: str) -> Path:
    root = tmp_path / "p"
    root.mkdir()
    (root / name).write_text(src)
    return root


@pytest.mark.parametrize(("name", "src"), [("app.py", PY), ("app.ts", TS)])
def test_display_only_fixes_are_never_applied(tmp_path: Path, name: str, src: str) -> None:
    root = _tree(tmp_path, name, src)
    code, out, err = run_cli(["check", "--no-cache", "--output-format", "json", "."], cwd=root)
    doc = json.loads(out)
    by_code = {f["code"]: f for f in doc["findings"]}
    for c in ("OR101", "OR201"):
        f = by_code[c]
        assert f["applicability"] == "display-only" and not f["fixable"], f
        assert f["fix"]["applicability"] == "display-only" and f["fix"]["replacement"]
    assert "openrouter.ai" in by_code["OR101"]["fix"]["replacement"]
    assert by_code["OR204"]["fix"] is None
    assert doc["summary"]["display_only_fixes"] == 2 and doc["summary"]["hidden_fixes"] == 0
    for options in ([], ["--unsafe-fixes"]):
        code, out, err = run_cli(["migrate", "--no-cache", *options, "."], cwd=root)
        assert code == 0, err
        assert (root / name).read_text() == src
        assert "2 fixes shown only: they would break the code" in err
        code, out, err = run_cli(["migrate", "--diff", "--no-cache", *options, "."], cwd=root)
        assert code == 0 and out == "", (out, err)


@pytest.mark.parametrize(("name", "src"), [("app.py", PY), ("app.ts", TS)])
def test_an_unknown_id_keeps_the_fix_unsafe(tmp_path: Path, name: str, src: str) -> None:
    root = _tree(tmp_path, name, src.replace("o1-mini", "house-model"))
    code, out, err = run_cli(["check", "--no-cache", "--output-format", "json", "."], cwd=root)
    found = {f["code"]: f for f in json.loads(out)["findings"]}
    assert found["OR202"]
    assert found["OR101"]["applicability"] == "unsafe"
    code, out, err = run_cli(["migrate", "--no-cache", "--unsafe-fixes", "."], cwd=root)
    assert code == 0, err
    assert "openrouter.ai" in (root / name).read_text()


def test_every_format_shows_a_display_only_fix(tmp_path: Path) -> None:
    root = _tree(tmp_path, "app.py", PY)
    code, out, err = run_cli(["check", "--no-cache", "."], cwd=root)
    lines = out.splitlines()
    client = next(x for x in lines if ": OR101 " in x)
    assert client.startswith("app.py:3:10: OR101 [display-only] ")
    assert "display-only fix: 'o1-mini' (OR204) at app.py:4" in client
    assert "[*]" not in out
    assert err.splitlines()[-1] == (
        "Found 3 findings in 1 file; 2 fixes shown only: they would break the code, "
        "see the findings marked [display-only]."
    )
    # --unsafe-fixes changes nothing about them
    code, out2, _ = run_cli(["check", "--no-cache", "--unsafe-fixes", "."], cwd=root)
    assert out2 == out
    code, out, _ = run_cli(["check", "--no-cache", "--output-format", "sarif", "."], cwd=root)
    results = json.loads(out)["runs"][0]["results"]
    r101 = next(r for r in results if r["ruleId"] == "OR101")
    assert r101["properties"]["applicability"] == "display-only"
    (fix,) = r101["fixes"]
    assert fix["properties"]["applicability"] == "display-only"
    assert "never applies" in fix["description"]["text"]
    code, out, _ = run_cli(["check", "--no-cache", "--output-format", "github", "."], cwd=root)
    line = next(x for x in out.splitlines() if "title=OR101" in x)
    assert "OR101 [display-only]" in line and "never applied: it would break the code" in line
    code, out, _ = run_cli(["check", "--no-cache", "--statistics", "."], cwd=root)
    assert any("OR101  [-]" in x and "(1 display-only fix)" in x for x in out.splitlines())
    code, out, _ = run_cli(
        ["check", "--no-cache", "--statistics", "--output-format", "json", "."], cwd=root
    )
    rows = {r["code"]: r for r in json.loads(out)}
    assert rows["OR201"]["display_only_fixes"] == 1 and rows["OR201"]["fixable"] == 0


def test_migrate_lists_them_and_counts_them_apart(tmp_path: Path) -> None:
    src = PY + 'other = OpenAI()\nother.chat.completions.create(model="gpt-4o-mini", messages=[])\n'
    root = _tree(tmp_path, "app.py", src)
    code, out, err = run_cli(["migrate", "--no-cache", "--unsafe-fixes", "."], cwd=root)
    assert code == 0, err
    new = (root / "app.py").read_text()
    assert "client = OpenAI()\n" in new and 'model="gpt-4o",' in new
    assert 'model="openai/gpt-4o-mini"' in new  # the other client moves
    assert "app.py:3:10: OR101 [display-only]" in out
    assert err.splitlines()[-1] == (
        "Migrated 1 file (2 fixes); 1 finding needs a human (listed above); 2 fixes shown "
        "only: they would break the code, see the findings marked [display-only]."
    )


def test_noqa_on_the_model_makes_the_client_safe_again(tmp_path: Path) -> None:
    src = PY.replace('"o1-mini", messages=[])', '"o1-mini", messages=[])  # noqa: OR204')
    root = _tree(tmp_path, "app.py", src)
    code, out, err = run_cli(["migrate", "--no-cache", "."], cwd=root)
    assert code == 0, err
    assert "openrouter.ai" in (root / "app.py").read_text()
    assert "display-only" not in out + err


def test_a_model_reaching_a_display_only_client_is_display_only_too(tmp_path: Path) -> None:
    """'gpt-4o-mini' reaches the held client through a parameter whose other
    callers the tool cannot see (an unsafe fix of its own): prefixed while
    the client stays on OpenAI, it would fail there, so it is shown only."""
    src = (
        "from openai import OpenAI\n\nclient = OpenAI()\n\n\n"
        "def ask(model):\n"
        "    return client.chat.completions.create(model=model, messages=[])\n\n\n"
        'client.chat.completions.create(model="o1-mini", messages=[])\n'
        'ask("gpt-4o-mini")\n'
        "__all__ = ['ask']\n"
    )
    root = _tree(tmp_path, "app.py", src)
    code, out, err = run_cli(
        ["check", "--no-cache", "--isolated", "--output-format", "json", "app.py"], cwd=root
    )
    found = {f["code"]: f for f in json.loads(out)["findings"]}
    assert found["OR101"]["applicability"] == "display-only"
    assert found["OR201"]["applicability"] == "display-only", found["OR201"]
    assert "a call it reaches goes through a client whose move" in found["OR201"]["message"]
    code, out, err = run_cli(["migrate", "--no-cache", "--unsafe-fixes", "app.py"], cwd=root)
    assert code == 0, err
    assert (root / "app.py").read_text() == src


@pytest.mark.parametrize(
    ("a", "b", "ext"),
    [
        (
            "from openai import OpenAI\n\nclient = OpenAI()\n"
            'client.chat.completions.create(model="o1-mini", messages=[])\n',
            'from a import client\n\nclient.chat.completions.create(model="gpt-4o", messages=[])\n',
            "py",
        ),
        (
            'import OpenAI from "openai";\n\nexport const client = new OpenAI();\n'
            'await client.chat.completions.create({ model: "o1-mini", messages: [] });\n',
            'import { client } from "./a";\n\n'
            'await client.chat.completions.create({ model: "gpt-4o", messages: [] });\n',
            "ts",
        ),
    ],
    ids=["python", "typescript"],
)
def test_what_other_modules_send_through_it_stays_too(
    tmp_path: Path, a: str, b: str, ext: str
) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / f"a.{ext}").write_text(a)
    (root / f"b.{ext}").write_text(b)
    code, out, err = run_cli(["migrate", "--diff", "--no-cache", "--unsafe-fixes", "."], cwd=root)
    assert code == 0 and out == "", (out, err)
    assert "1 fix shown only" in err


def test_the_stream_guard_of_its_stream_is_display_only_too(tmp_path: Path) -> None:
    src = (
        "from openai import OpenAI\n\nclient = OpenAI()\n"
        'client.chat.completions.create(model="o1-mini", messages=[])\n'
        'for chunk in client.chat.completions.create(model="gpt-4o", messages=[], stream=True):\n'
        "    print(chunk.choices[0].delta.content)\n"
    )
    root = _tree(tmp_path, "app.py", src)
    code, out, err = run_cli(["check", "--no-cache", "--output-format", "json", "."], cwd=root)
    found = {f["code"]: f["applicability"] for f in json.loads(out)["findings"]}
    assert found == {
        "OR101": "display-only",
        "OR204": None,
        "OR401": "display-only",
        "OR201": "display-only",
    }
    code, out, err = run_cli(["migrate", "--no-cache", "--unsafe-fixes", "."], cwd=root)
    assert code == 0, err
    assert (root / "app.py").read_text() == src
