"""A file named on the command line is seen with its whole project (issue 11
item 10, issue 13 item 2): pre-commit passes only the staged files, so
``check FILE`` / ``migrate FILE`` must find the cross-module facts (a model
constant in ``settings.py`` used by ``app.py``) in the project's other
files, and give the same findings and the same bytes as a run over the
whole tree."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_cli, tree_bytes

# fixture repositories whose files import each other
CROSS_MODULE = ["dataflow", "realworld", "aliased_app", "unsupported", "escapes"]


def _project(tmp_path: Path, name: str) -> Path:
    repo = tmp_path / name
    shutil.copytree(FIXTURES / name, repo, symlinks=True)
    (repo / ".git").mkdir()  # the project root (a bare marker: no git history)
    return repo


def _sources(repo: Path) -> list[str]:
    return sorted(
        p.relative_to(repo).as_posix()
        for p in repo.rglob("*")
        if p.suffix in (".py", ".ipynb") and ".git" not in p.parts
    )


def _findings(repo: Path, *args: str) -> dict[str, list[tuple]]:
    code, out, err = run_cli(["check", "--output-format", "json", *args], cwd=repo)
    assert code in (0, 1), err
    doc = json.loads(out)
    assert not doc["errors"], doc["errors"]
    by_path: dict[str, list[tuple]] = {}
    for f in doc["findings"]:
        key = (f["line"], f["column"], f["code"], f["message"], f.get("fix"))
        by_path.setdefault(f["path"], []).append(key)
    return by_path


@pytest.mark.parametrize("name", CROSS_MODULE)
def test_check_file_alone_equals_check_of_the_tree(tmp_path: Path, name: str) -> None:
    repo = _project(tmp_path, name)
    whole = _findings(repo, ".")
    assert whole, "the fixture has findings"
    for rel in _sources(repo):
        alone = _findings(repo, rel)
        assert set(alone) <= {rel}, (rel, alone)
        assert alone.get(rel, []) == whole.get(rel, []), rel


@pytest.mark.parametrize("name", CROSS_MODULE)
def test_migrate_file_alone_writes_what_migrate_of_the_tree_writes(
    tmp_path: Path, name: str
) -> None:
    whole = _project(tmp_path / "whole", name)
    before = tree_bytes(whole)
    code, _, err = run_cli(["migrate", "--allow-dirty", "."], cwd=whole)
    assert code in (0, 2), err
    after = tree_bytes(whole)
    assert after != before
    for rel in _sources(whole):
        repo = _project(tmp_path / rel.replace("/", "_"), name)
        code, _, err = run_cli(["migrate", "--allow-dirty", rel], cwd=repo)
        assert code in (0, 2), err
        got = tree_bytes(repo)
        assert got[rel] == after[rel], rel  # the same bytes as the whole-tree run
        others = {k: v for k, v in got.items() if k != rel}
        assert others == {k: v for k, v in before.items() if k != rel}, rel  # only it


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))


SETTINGS_AND_APP = {
    "pyproject.toml": "[project]\nname = 'demo'\n",
    "demo/__init__.py": "",
    "demo/settings.py": 'CHAT_MODEL = "gpt-4o-mini"\n',
    "demo/app.py": """
        from openai import OpenAI
        from .settings import CHAT_MODEL

        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key="k")

        def ask(prompt):
            return client.chat.completions.create(model=CHAT_MODEL, messages=[])
    """,
}


def test_a_named_file_sees_the_constant_of_an_unnamed_settings_module(tmp_path: Path) -> None:
    _write(tmp_path, SETTINGS_AND_APP)
    alone = _findings(tmp_path, "demo/app.py")
    assert alone == {}  # followed into settings.py: no OR205 "defined elsewhere"
    settings = _findings(tmp_path, "demo/settings.py")
    assert [k[2] for k in settings["demo/settings.py"]] == ["OR201"]
    code, _, err = run_cli(["migrate", "demo/settings.py"], cwd=tmp_path)
    assert code == 0, err
    assert (tmp_path / "demo/settings.py").read_text() == 'CHAT_MODEL = "openai/gpt-4o-mini"\n'


def test_only_the_named_files_are_reported_and_written(tmp_path: Path) -> None:
    _write(tmp_path, SETTINGS_AND_APP)
    _write(tmp_path, {"demo/other.py": "import openai\nc = openai.OpenAI()\n"})
    before = tree_bytes(tmp_path)
    code, out, err = run_cli(["check", "demo/app.py"], cwd=tmp_path)
    assert code == 0 and "other.py" not in out + err and "settings.py" not in out, out + err
    code, _, err = run_cli(["migrate", "demo/app.py"], cwd=tmp_path)
    assert code == 0, err
    assert tree_bytes(tmp_path) == before  # app.py needs nothing; the others are not named


def test_excluded_and_ignored_files_are_not_context(tmp_path: Path) -> None:
    """The project's files are found as a directory walk finds them: an
    excluded or gitignored module is not part of the project."""
    _write(tmp_path, SETTINGS_AND_APP)
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname = 'demo'\n[tool.openrouter-migrate]\nexclude = ['settings.py']\n"
    )
    alone = _findings(tmp_path, "demo/app.py")
    whole = _findings(tmp_path, ".")
    assert [k[2] for k in alone["demo/app.py"]] == ["OR205"]  # definition not seen
    assert alone == whole


def test_a_file_outside_any_project_has_no_context(tmp_path: Path) -> None:
    files = dict(SETTINGS_AND_APP)
    del files["pyproject.toml"]
    _write(tmp_path, files)
    alone = _findings(tmp_path, "demo/app.py")
    assert [k[2] for k in alone["demo/app.py"]] == ["OR205"]


@pytest.mark.uses_cache
def test_a_warm_single_file_run_reads_only_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the cache warm, a single-file run gets the project's facts
    from the cache: the other files are not parsed again."""
    _write(tmp_path, SETTINGS_AND_APP)
    for i in range(20):
        _write(tmp_path, {f"demo/plain_{i}.py": f"def f(x):\n    return x + {i}\n"})
    import codemods.python.engine as engine

    parsed: list[str] = []
    real = engine.analyze_source

    def counting(path, *a, **k):
        parsed.append(path)
        return real(path, *a, **k)

    monkeypatch.setattr(engine, "analyze_source", counting)
    # in this process, where the count is seen (a worker counts in its copy)
    first = _findings(tmp_path, "--jobs", "1", "demo/app.py")
    assert first == {}  # the constant was followed into settings.py
    assert {Path(p).name for p in parsed} >= {"app.py", "settings.py"}  # the project pass
    parsed.clear()
    again = _findings(tmp_path, "--jobs", "1", "demo/app.py")
    assert again == first
    assert parsed == []  # every result, first and second round, from the cache
