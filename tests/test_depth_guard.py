"""The cheap pre-check that decides whether the AST depth walk is needed
must be exact in the safe direction: whenever it says "cannot nest deeply",
the walk would have found nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codemods.python.engine import MAX_EXPRESSION_DEPTH, _expression_depth_error, _may_nest_deeply

SHAPES = {
    "unary": lambda n: "x = " + "-" * n + "a",
    "chain": lambda n: "x = " + "+".join(["a"] * n),
    "parenthesised chain": lambda n: "x = (a\n" + " + a\n" * n + ")",
    "attributes": lambda n: "x = a" + ".b" * n,
    "calls": lambda n: "x = f" + "()" * n,
    "backslashes": lambda n: "x = a" + " + \\\n a" * n,
    "not": lambda n: "x = " + "not " * n + "a",
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_deep_shapes_are_always_measured(shape: str) -> None:
    src = SHAPES[shape](MAX_EXPRESSION_DEPTH + 50).encode()
    assert _may_nest_deeply(src)
    assert _expression_depth_error("t.py", src) is not None


@given(
    shape=st.sampled_from(sorted(SHAPES)),
    n=st.integers(min_value=1, max_value=1200),
    padding=st.integers(min_value=0, max_value=40),
)
def test_skipping_the_walk_never_hides_a_deep_expression(shape: str, n: int, padding: int) -> None:
    body = "\n".join(f"y{i} = {i}" for i in range(padding))
    src = (body + "\n" + SHAPES[shape](n) + "\n").encode()
    if not _may_nest_deeply(src):
        assert _expression_depth_error("t.py", src) is None


def test_ordinary_files_skip_the_walk() -> None:
    src = b"".join(
        f"def f{i}(x):\n    return client.chat.completions.create(model=x, messages=[{{'role': 'user'}}])\n".encode()
        for i in range(200)
    )
    assert not _may_nest_deeply(src)


def _reference_may_nest_deeply(data: bytes) -> bool:
    """The plain loop the fast path replaced (kept as the specification)."""
    import re

    if len(data) < 800:
        return False
    if data.count(b"\\\n") + data.count(b"\\\r") > 20:
        return True
    if max(map(len, data.splitlines())) >= 800:
        return True
    depth = start = 0
    for m in re.finditer(rb"[\[\](){}]", data):
        if m.group() in b"([{":
            if depth == 0:
                start = m.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0 and m.end() - start >= 800:
                return True
    return depth > 0


def test_fast_bracket_scan_equals_the_reference_loop() -> None:
    import random

    rng = random.Random(7)

    def balanced(depth: int = 0) -> bytes:
        out = []
        for _ in range(rng.randrange(1, 6)):
            c = rng.random()
            if c < 0.4 and depth < 6:
                o, cl = rng.choice([(b"(", b")"), (b"[", b"]"), (b"{", b"}")])
                out += [o, balanced(depth + 1), cl]
            elif c < 0.55:
                out.append(b"\n")
            else:
                out.append(b"y" * rng.randrange(1, 90))
        return b"".join(out)

    answers = []
    for i in range(1500):
        data = b"\n".join(balanced() for _ in range(rng.randrange(1, 12)))
        if i % 3 == 0:  # a stray bracket, as in a string or a comment
            k = rng.randrange(len(data) + 1)
            data = data[:k] + rng.choice([b")", b"(", b"]", b"{"]) + data[k:]
        answers.append(_may_nest_deeply(data))
        assert answers[-1] == _reference_may_nest_deeply(data), data
    assert 150 < sum(answers) < 1350  # both answers are exercised


@pytest.mark.parametrize("span", [798, 799, 800, 801])
def test_bracket_group_span_boundary(span: int) -> None:
    # a group of exactly ``span`` bytes, "(" to ")", over short lines
    inner = span - 2
    body = (b"y" * 69 + b"\n") * (inner // 70) + b"y" * (inner % 70)
    data = b"x = 1\n" * 20 + b"f(" + body + b")\n"
    assert len(b"(" + body + b")") == span
    assert _may_nest_deeply(data) == _reference_may_nest_deeply(data) == (span >= 800)
