"""What the rules compute from the facts alone is computed once per file
(issue 13, dense trees).

The rules run on one file's tree and facts up to four times: the engine's
second pass (a model ID that cannot move blocks a client: ``_process``), and
round 1's analysis ahead with what the second round tells a file no other
module calls (``engine.analyze_ahead``), which may take a second pass too.
What only the tree, its text and its facts decide is kept in
``ModuleFacts.node_memo`` for the next analysis: the calls the escape, use
and model scans look at, the SDK uses, the environment reads, and the text
and positions of each statement the position finder generates (with the
same edited nodes inside). Counted, not timed: each fails when every
analysis computes them again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import libcst
import pytest

import codemods.python.engine as engine
import codemods.python.rules.models as models
import codemods.python.rules.unsupported as unsupported
from codemods.core.engine import EngineConfig
from codemods.core.findings import Settings
from codemods.python.rules import CHECKERS

# OR204 ('o1-mini' cannot move) blocks the client: a second pass; ``ask``
# is public and takes a client: an analysis ahead (with its second pass)
SOURCE = b"""\
import os

from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
MODEL = "gpt-4o"
ORG = os.getenv("OPENAI_ORG_ID")


def ask(llm, question):
    return llm.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": question}]
    )


def main():
    print(ask(client, "hi"))
    old = client.chat.completions.create(model="o1-mini", messages=[])
    print(len(old.choices), os.environ.get("HOME"))
    for chunk in client.chat.completions.create(model="gpt-4o-mini", messages=[], stream=True):
        print(chunk.choices[0].delta.content)
"""


@pytest.fixture
def runs() -> Iterator[list[object]]:
    """Counts the rule runs (one per analysis and per engine pass)."""
    out: list[object] = []
    first = CHECKERS[0]

    def counting(ctx):  # type: ignore[no-untyped-def]
        out.append(ctx)
        return first(ctx)

    CHECKERS[0] = counting
    try:
        yield out
    finally:
        CHECKERS[0] = first


def _run() -> engine.FileResult:
    # with --unsafe-fixes: the blocked client's fix is applied too (spliced)
    config = EngineConfig(settings=Settings(unsafe_fixes=True))
    result, _, ahead = engine.analyze_ahead("app.py", SOURCE, config, "/nowhere/app.py")
    assert ahead is not None  # analysed ahead, on the same tree and facts
    codes = {f.code for f in ahead.result.findings}
    assert {"OR101", "OR204", "OR308"} <= codes, codes
    client = next(f for f in ahead.result.findings if f.code == "OR101")
    assert "'o1-mini' (OR204)" in client.message  # blocked: the engine's second pass
    return result


def test_the_calls_are_scanned_once_per_file(
    monkeypatch: pytest.MonkeyPatch, runs: list[object]
) -> None:
    methods: Counter[int] = Counter()
    real_method = models.sdk_method

    def counting_method(call):  # type: ignore[no-untyped-def]
        methods[id(call)] += 1
        return real_method(call)

    monkeypatch.setattr(models, "sdk_method", counting_method)
    monkeypatch.setattr(unsupported, "sdk_method", counting_method)
    lookups: Counter[int] = Counter()
    real_lookup = unsupported.env_lookup_name

    def counting_lookup(ctx, node):  # type: ignore[no-untyped-def]
        lookups[id(node)] += 1
        return real_lookup(ctx, node)

    monkeypatch.setattr(unsupported, "env_lookup_name", counting_lookup)
    uses: Counter[int] = Counter()
    real_use = unsupported.classify_use

    def counting_use(ctx, call):  # type: ignore[no-untyped-def]
        uses[id(call)] += 1
        return real_use(ctx, call)

    monkeypatch.setattr(unsupported, "classify_use", counting_use)
    _run()
    assert len(runs) >= 3  # two analyses, and a second pass
    # once by the model rules' scan, once by ``classify_use`` (remembered)
    assert methods and max(methods.values()) <= 2, methods
    # the escape scan, the scan for clients of other modules, the SDK uses
    assert uses and max(uses.values()) <= 3, uses
    # OR308's scan of the environment reads
    assert lookups and max(lookups.values()) == 1, lookups


def _inside(node: libcst.CSTNode) -> set[int]:
    out = {id(node)}
    for child in node.children:
        out |= _inside(child)
    return out


def test_each_statement_is_generated_once_per_edit(
    monkeypatch: pytest.MonkeyPatch, runs: list[object]
) -> None:
    """The position finder generates a statement's text once for all the
    analyses of the file, unless the nodes the fixes edit inside it differ."""
    generated: list[tuple[int, frozenset[int]]] = []
    real = libcst.CSTNode._codegen

    def counting(self, state, *args, **kwargs):  # type: ignore[no-untyped-def]
        if hasattr(state, "edit_ids") and not state.stack and not isinstance(self, libcst.Module):
            # a statement generated alone by _Positions._by_statement
            generated.append((id(self), frozenset(state.edit_ids & _inside(self))))
        return real(self, state, *args, **kwargs)

    monkeypatch.setattr(libcst.CSTNode, "_codegen", counting)
    result = _run()
    assert result.new_source is not None  # fixes spliced in
    assert len(runs) >= 3
    assert generated
    again = [g for g, n in Counter(generated).items() if n > 1]
    assert again == [], f"{len(again)} statements generated again with the same edits"
