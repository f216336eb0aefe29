"""The layout: a shared core and two language front-ends beside it
(``codemods/core/``, ``codemods/python/``, ``codemods/typescript/``), which
the core knows only through its table (``codemods/core/frontends.py``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from codemods.core.discovery import DEFAULT_EXTENSIONS
from codemods.core.frontends import FRONTENDS, TYPESCRIPT, front_end_for, resolve
from codemods.core.rules import all_rules
from codemods.typescript import GRAMMARS

PACKAGE = Path(__file__).resolve().parent.parent / "codemods"
NODE = b"#!/usr/bin/env node\nconsole.log(1)\n"


def _imports(directory: Path) -> dict[str, set[str]]:
    """file -> the codemods modules it imports (anywhere in the file)."""
    out: dict[str, set[str]] = {}
    for path in sorted(directory.rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        out[str(path.relative_to(PACKAGE))] = {n for n in names if n.startswith("codemods")}
    return out


@pytest.mark.parametrize(("mine", "other"), [("python", "typescript"), ("typescript", "python")])
def test_neither_front_end_imports_the_other(mine: str, other: str) -> None:
    wrong = {
        f: sorted(n for n in names if n.startswith(f"codemods.{other}"))
        for f, names in _imports(PACKAGE / mine).items()
    }
    assert {f: n for f, n in wrong.items() if n} == {}


def test_the_core_reaches_the_front_ends_through_its_table() -> None:
    # but for the cross-module pass, which is Python's: the runner runs it
    # (its second round is the Python engine given the other files' facts),
    # the cache keeps its summaries, migration units come from its plans
    allowed = {"codemods.python.project", "codemods.python.engine"}
    wrong = {
        f: sorted(n for n in names if n.startswith(("codemods.python", "codemods.typescript")))
        for f, names in _imports(PACKAGE / "core").items()
    }
    assert {f: sorted(set(n) - allowed) for f, n in wrong.items() if set(n) - allowed} == {}


def test_every_front_end_entry_names_what_exists() -> None:
    for front_end in FRONTENDS:
        assert callable(resolve(front_end.engine))
        for spec in (front_end.claims, front_end.versions):
            assert spec is None or callable(resolve(spec))


def test_the_typescript_entry_lists_every_grammar_extension() -> None:
    assert set(TYPESCRIPT.extensions) == set(GRAMMARS)
    assert set(DEFAULT_EXTENSIONS) == {e for f in FRONTENDS for e in f.extensions}


@pytest.mark.parametrize(
    ("path", "data", "engine"),
    [
        ("app.py", b"", "codemods.python.engine"),
        ("stubs.pyi", b"", "codemods.python.engine"),
        ("bin/run", b"#!/usr/bin/env python\n", "codemods.python.engine"),
        ("a.txt", NODE, "codemods.python.engine"),  # has an extension: typed by it
        ("nb.ipynb", b"{}", "codemods.python.notebook_engine"),
        ("page.TSX", b"", "codemods.typescript.engine"),
        ("lib/x.cjs", b"", "codemods.typescript.engine"),
        ("bin/cli", NODE, "codemods.typescript.engine"),
    ],
)
def test_a_file_goes_to_its_front_end(path: str, data: bytes, engine: str) -> None:
    assert front_end_for(path, data).engine.partition(":")[0] == engine


def test_every_rule_says_which_front_ends_report_it() -> None:
    names = {f.name for f in FRONTENDS}
    for info in all_rules().values():
        languages = [lang for lang, _, _ in info.examples]
        assert languages and set(languages) <= names, info.code
