"""The rules never print the whole module again (issue 13, dense trees).

``module.code`` and ``module.bytes`` generate the text of every node: on
the dense benchmark tree two such generations per analysis (a text test of
OR123 and the positions of escape notes) were 40% of the rules' time. The
rules read the bytes the engine parsed (``RuleContext.data``/``mentions``);
positions come from one statement at a time. Counted, not timed."""

from __future__ import annotations

import libcst
import pytest

import codemods.python.engine as engine
from codemods.core.engine import EngineConfig

SOURCE = b"""\
import os

from openai import OpenAI

from helpers import summarize

if not os.environ.get("OPENAI_API_KEY"):
    raise SystemExit("set OPENAI_API_KEY")

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
registry = {"main": client}


def ask(question):
    return client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": question}]
    )


def run():
    print(summarize(client, "text"))
    for chunk in client.chat.completions.create(model="gpt-4o-mini", messages=[], stream=True):
        print(chunk.choices[0].delta.content)
"""


SAFE = SOURCE.replace(b'registry = {"main": client}\n', b"").replace(
    b'    print(summarize(client, "text"))\n', b""
)


@pytest.mark.parametrize("escapes", [True, False])
def test_no_whole_module_generation(monkeypatch: pytest.MonkeyPatch, escapes: bool) -> None:
    generated = []
    real = libcst.Module._codegen_impl

    def counting(self, state, *args, **kwargs):  # type: ignore[no-untyped-def]
        generated.append(self)
        return real(self, state, *args, **kwargs)

    monkeypatch.setattr(libcst.Module, "_codegen_impl", counting)
    config = EngineConfig()
    source = SOURCE if escapes else SAFE
    result, _, _ = engine.analyze_ahead("app.py", source, config, "/nowhere/app.py")
    codes = {f.code for f in result.findings}
    # the file exercises what used to print the module: OR123 (the key gate),
    # escape notes (a client passed to another module, put in a container)
    assert "OR123" in codes and "OR101" in codes, codes
    if escapes:
        assert any("container" in f.message for f in result.findings if f.code == "OR101")
    else:
        assert result.new_source is not None  # fixes applied (by splicing statements)
    assert generated == []
