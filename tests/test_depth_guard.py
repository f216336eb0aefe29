"""The cheap pre-check that decides whether the AST depth walk is needed
must be exact in the safe direction: whenever it says "cannot nest deeply",
the walk would have found nothing."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codemods.engine import MAX_EXPRESSION_DEPTH, _expression_depth_error, _may_nest_deeply

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
