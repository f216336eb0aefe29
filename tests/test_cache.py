"""The result cache: reused when nothing changed, never trusted otherwise."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from codemods.core import runner
from codemods.core.cache import CACHE_DIR_NAME, FORMAT, Cache, config_fingerprint, find_project_root
from codemods.core.engine import EngineConfig
from codemods.core.findings import FileResult, Settings
from codemods.core.runner import RunInput, run

pytestmark = pytest.mark.uses_cache

USES = (
    b"from openai import OpenAI\nclient = OpenAI()\n"
    b'client.chat.completions.create(model="gpt-4o", messages=[])\n'
)


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    (root / "pkg").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (root / "pkg" / "uses.py").write_bytes(USES)
    (root / "pkg" / "plain.py").write_bytes(b"import os\n")
    (root / "pkg" / "broken.py").write_bytes(b"import openai\ndef f(:\n")
    return root


def _results(root: Path, *, cache: bool = True, config: EngineConfig | None = None) -> list:
    inp = RunInput(paths=[str(root / "pkg")], cache=cache, jobs=1, config=config or EngineConfig())
    results, errors = run(inp)
    out = [(p.result.to_dict(), p.original) for p in results]
    assert not errors
    return out


def _forbid_parsing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    parsed: list[str] = []

    def fake(path: str, data: bytes, config: EngineConfig) -> FileResult:
        parsed.append(path)
        raise AssertionError(f"parsed {path}")

    monkeypatch.setattr(runner, "_process_bytes", fake)
    return parsed


def test_second_run_reads_but_does_not_parse(tmp_path: Path, monkeypatch) -> None:
    root = _project(tmp_path)
    first = _results(root)
    assert any(r["findings"] for r, _ in first)
    _forbid_parsing(monkeypatch)
    assert _results(root) == first


def test_cache_lives_at_the_project_root_with_a_gitignore(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _results(root)
    cache = root / CACHE_DIR_NAME
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert not (root / "pkg" / CACHE_DIR_NAME).exists()
    entries = [p for p in cache.rglob("*.json")]
    # only files the prefilter lets through get entries (uses.py, broken.py)
    assert len(entries) == 2
    assert not [p for p in cache.rglob(".tmp-*")]


def test_no_cache_neither_reads_nor_writes(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _results(root, cache=False)
    assert not (root / CACHE_DIR_NAME).exists()


def test_changed_file_is_parsed_again(tmp_path: Path, monkeypatch) -> None:
    root = _project(tmp_path)
    _results(root)
    (root / "pkg" / "uses.py").write_bytes(USES.replace(b"gpt-4o", b"gpt-4o-mini"))
    parsed = []
    real = runner._process_bytes

    def counting(path: str, data: bytes, config: EngineConfig) -> FileResult:
        parsed.append(Path(path).name)
        return real(path, data, config)

    monkeypatch.setattr(runner, "_process_bytes", counting)
    out = _results(root)
    assert parsed == ["uses.py"]
    assert any("gpt-4o-mini" in json.dumps(r) for r, _ in out)


def test_other_settings_are_other_entries(tmp_path: Path, monkeypatch) -> None:
    root = _project(tmp_path)
    _results(root)
    other = EngineConfig(settings=Settings(base_url="https://example.invalid/v1"))
    assert config_fingerprint(other) != config_fingerprint(EngineConfig())
    out = _results(root, config=other)
    assert any("example.invalid" in json.dumps(r) for r, _ in out)


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"{not json"),
        lambda p: p.write_bytes(b""),
        lambda p: p.write_text(json.dumps({**json.loads(p.read_text()), "format": 999})),
        lambda p: p.write_text(json.dumps({**json.loads(p.read_text()), "key": "0" * 64})),
        lambda p: p.write_text(json.dumps({**json.loads(p.read_text()), "result": {"x": 1}})),
        lambda p: p.write_text(json.dumps([1, 2, 3])),
    ],
)
def test_corrupt_entries_are_ignored_and_replaced(tmp_path: Path, damage) -> None:
    root = _project(tmp_path)
    first = _results(root)
    entries = list((root / CACHE_DIR_NAME).rglob("*.json"))
    for entry in entries:
        damage(entry)
    assert _results(root) == first
    # rewritten whole
    for entry in entries:
        assert json.loads(entry.read_text())["format"] == FORMAT


def test_entry_for_another_path_is_not_trusted(tmp_path: Path) -> None:
    cache = Cache(tmp_path, "cfg")
    key = cache.key("a.py", b"x")
    cache.put(key, FileResult("b.py"))
    assert cache.get(key, "a.py") is None


def test_entries_of_another_version_are_not_read(tmp_path: Path, monkeypatch) -> None:
    root = _project(tmp_path)
    _results(root)
    import codemods.core.cache as cache_mod

    monkeypatch.setattr(cache_mod, "__version__", "999.0")
    cache_mod.code_fingerprint.cache_clear()
    try:
        parsed = []
        real = runner._process_bytes

        def counting(path: str, data: bytes, config: EngineConfig) -> FileResult:
            parsed.append(path)
            return real(path, data, config)

        monkeypatch.setattr(runner, "_process_bytes", counting)
        _results(root)
        assert len(parsed) == 2
    finally:
        cache_mod.code_fingerprint.cache_clear()


def test_concurrent_writers_leave_whole_entries(tmp_path: Path) -> None:
    cache = Cache(tmp_path, "cfg")
    result = FileResult("a.py", new_source=b"x" * 100_000)
    key = cache.key("a.py", b"data")
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for _ in range(20):
                cache.put(key, result)
                got = cache.get(key, "a.py")
                assert got is None or got.new_source == result.new_source
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert cache.get(key, "a.py") == result
    assert not list(tmp_path.rglob(".tmp-*"))


def test_unwritable_cache_is_silently_skipped(tmp_path: Path) -> None:
    blocker = tmp_path / "root"
    blocker.mkdir()
    (blocker / CACHE_DIR_NAME).write_text("a file where the directory should be")
    cache = Cache(blocker, "cfg")
    cache.put(cache.key("a.py", b""), FileResult("a.py"))
    assert cache.get(cache.key("a.py", b""), "a.py") is None


def test_project_root(tmp_path: Path) -> None:
    (tmp_path / "repo" / "a" / "b").mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    assert find_project_root(tmp_path / "repo" / "a" / "b") == tmp_path / "repo"
    (tmp_path / "repo" / "a" / "pyproject.toml").write_text("")
    assert find_project_root(tmp_path / "repo" / "a" / "b" / "x.py") == tmp_path / "repo" / "a"
    (tmp_path / "loose").mkdir()
    # no marker up to / (tmp dirs have none): none (never the working directory)
    assert find_project_root(tmp_path / "loose") is None


def test_a_run_that_writes_drops_other_versions_entries(tmp_path: Path) -> None:
    root = _project(tmp_path)
    cache_dir = root / CACHE_DIR_NAME
    old = cache_dir / "v0.0.1-f1" / "ab"
    old.mkdir(parents=True)
    (old / "cdef.json").write_text("{}")
    keep = cache_dir / "notes"  # not a version directory: not ours to judge
    keep.mkdir()
    _results(root)
    assert not (cache_dir / "v0.0.1-f1").exists()
    assert keep.is_dir()
    assert any((cache_dir / f"v{__import__('codemods').__version__}-f{FORMAT}").rglob("*.json"))


def test_clean_command_removes_the_cache_and_only_ours(tmp_path: Path, monkeypatch) -> None:
    from codemods.cli import main
    from tests.helpers import cli_runner

    root = _project(tmp_path)
    _results(root)
    monkeypatch.chdir(root / "pkg")  # the project root is found upwards
    out = cli_runner().invoke(main, ["clean"])
    assert out.exit_code == 0, out.output
    assert not (root / CACHE_DIR_NAME).exists()
    out = cli_runner().invoke(main, ["clean"])
    assert out.exit_code == 0 and "no cache" in out.stderr
    # a directory of that name that we did not create is left alone
    (root / CACHE_DIR_NAME).mkdir()
    (root / CACHE_DIR_NAME / "precious.txt").write_text("mine")
    out = cli_runner().invoke(main, ["clean"])
    assert out.exit_code == 2 and "does not look like" in out.stderr
    assert (root / CACHE_DIR_NAME / "precious.txt").exists()


# -- where the cache goes: the checked files' project, never the working directory --


def _loose_tree(tmp_path: Path, name: str = "loose") -> Path:
    """A tree with no pyproject.toml or .git at or above it (tmp dirs have none)."""
    tree = tmp_path / name
    (tree / "pkg").mkdir(parents=True)
    (tree / "pkg" / "uses.py").write_bytes(USES)
    assert find_project_root(tree) is None
    return tree


def _cli(args: list[str], cwd: Path) -> tuple[int, str]:
    from tests.conftest import run_cli

    code, _, err = run_cli(args, cwd=cwd)
    assert "Traceback" not in err, err
    return code, err


def _user_cache(xdg: Path) -> list[Path]:
    base = xdg / "openrouter-migrate"
    return sorted(p for p in base.iterdir()) if base.is_dir() else []


def test_check_from_an_unrelated_directory_creates_nothing_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = _project(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code, err = _cli(["check", str(root / "pkg")], cwd=elsewhere)
    assert code == 2, err  # broken.py
    assert list(elsewhere.iterdir()) == []
    assert any((root / CACHE_DIR_NAME).rglob("*.json"))  # at the files' project root
    assert _user_cache(tmp_path / "xdg") == []


def test_a_tree_without_a_project_root_uses_the_user_cache_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    one, two = _loose_tree(tmp_path, "one"), _loose_tree(tmp_path, "two")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert _cli(["check", str(one)], cwd=elsewhere)[0] == 1
    assert list(elsewhere.iterdir()) == []
    assert not (one / CACHE_DIR_NAME).exists() and not (one / "pkg" / CACHE_DIR_NAME).exists()
    dirs = _user_cache(xdg)
    assert len(dirs) == 1 and dirs[0].name.startswith("one-"), dirs
    assert (dirs[0] / ".gitignore").read_text().splitlines()[-1] == "*"
    assert any(dirs[0].rglob("*.json"))
    # another tree: another directory (keyed by the tree), no collision
    assert _cli(["check", str(two)], cwd=elsewhere)[0] == 1
    assert [d.name.split("-")[0] for d in _user_cache(xdg)] == ["one", "two"]
    # the second run of a tree reads its cache
    monkeypatch.setattr(runner, "_process_bytes", lambda *a: pytest.fail("parsed again"))
    assert _cli(["check", str(one)], cwd=elsewhere)[0] == 1
    # `clean` finds the same place
    code, err = _cli(["clean", str(one)], cwd=elsewhere)
    assert code == 0 and "removed" in err, err
    assert [d.name.split("-")[0] for d in _user_cache(xdg)] == ["two"]


def test_files_of_several_projects_each_get_their_project_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    a, b = _project(tmp_path / "a"), _project(tmp_path / "b")
    code, err = _cli(["check", str(a / "pkg" / "uses.py"), str(b / "pkg" / "uses.py")], tmp_path)
    assert code == 1, err
    for root in (a, b):
        # the named file and, seen with its project (the files of the
        # project pass), that project's other candidate: each in its own cache
        entries = list((root / CACHE_DIR_NAME).rglob("*.json"))
        paths = sorted(Path(json.loads(e.read_bytes())["result"]["path"]).name for e in entries)
        assert paths == ["broken.py", "uses.py"], root
        mine = str(root.relative_to(tmp_path))  # paths are shown relative to the cwd
        assert all(mine in json.loads(e.read_bytes())["result"]["path"] for e in entries), root
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]  # no user cache either


@pytest.mark.parametrize("how", ["flag", "env"])
def test_no_cache_writes_nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    xdg = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    root, loose = _project(tmp_path), _loose_tree(tmp_path)
    args = ["check", str(root / "pkg"), str(loose)]
    if how == "flag":
        args.insert(1, "--no-cache")
    else:
        monkeypatch.setenv("OPENROUTER_MIGRATE_NO_CACHE", "1")
    assert _cli(args, cwd=tmp_path)[0] == 2
    assert not (root / CACHE_DIR_NAME).exists()
    assert not xdg.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loose", "proj"]


def test_user_cache_directory_per_platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from codemods.core import cache as cache_mod

    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(cache_mod.sys, "platform", "linux")
    assert cache_mod.user_cache_dir() == tmp_path / "xdg" / "openrouter-migrate"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the spec: absolute only
    assert cache_mod.user_cache_dir() == tmp_path / "home" / ".cache" / "openrouter-migrate"
    monkeypatch.setattr(cache_mod.sys, "platform", "darwin")
    assert cache_mod.user_cache_dir() == (
        tmp_path / "home" / "Library" / "Caches" / "openrouter-migrate"
    )
    monkeypatch.setattr(cache_mod.sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert cache_mod.user_cache_dir() == tmp_path / "local" / "openrouter-migrate" / "Cache"


def test_clean_removes_the_caches_of_nested_projects_a_run_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check repo` puts the files of a nested project in that project's
    cache: `clean repo` finds it too (as `ruff clean` does)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "a.py").write_bytes(USES)
    sub = repo / "libs" / "sub"
    sub.mkdir(parents=True)
    (sub / "pyproject.toml").write_text("[project]\nname = 'sub'\n")
    (sub / "b.py").write_bytes(USES)
    assert _cli(["check", str(repo)], cwd=tmp_path)[0] == 1
    assert (repo / CACHE_DIR_NAME).is_dir() and (sub / CACHE_DIR_NAME).is_dir()
    code, err = _cli(["clean", str(repo)], cwd=tmp_path)
    assert code == 0, err
    assert err.count("removed") == 2, err
    assert not (repo / CACHE_DIR_NAME).exists() and not (sub / CACHE_DIR_NAME).exists()
