"""The result cache: reused when nothing changed, never trusted otherwise."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from codemods import runner
from codemods.cache import CACHE_DIR_NAME, FORMAT, Cache, config_fingerprint, find_project_root
from codemods.engine import EngineConfig
from codemods.findings import FileResult, Settings
from codemods.runner import RunInput, run

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
    import codemods.cache as cache_mod

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
    # no marker up to / (tmp dirs have none): the working directory
    assert find_project_root(tmp_path / "loose", cwd=tmp_path) in (tmp_path, *tmp_path.parents)


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
