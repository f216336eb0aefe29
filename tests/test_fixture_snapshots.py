"""Whole-repository snapshots: each fixture repo is checked, migrated in a
temporary copy, and checked again; the migrated tree and both reports are
compared with ``tests/snapshots``. Update with ``pytest --snapshot-update``
and review the diff like code.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from codemods.cli import main
from tests.conftest import FIXTURES, tree_bytes
from tests.helpers import cli_runner

REPOS = [
    "quickstart",
    "aliased_app",
    "untouchable",
    "realworld",
    "legacy",
    "encodings",
    "broken",
    "notebooks",
    "unsupported",
    "dataflow",
    "clients",
    "module_client",
    "keys",
    "unsafe_receivers",
    "langchain_app",
    "litellm_app",
    "llamaindex_app",
    "instructor_app",
    "agents_app",
    "whole_program",
    "annotated_params",
    "streams",
    "escapes",
    "attack",
    "audit12",  # wrong safe rewrites of the real-code audit (issue 11, Python)
    "typescript",  # the TypeScript/JavaScript front-end
    "ts_modules",  # TypeScript across modules: held clients, default exports
    "ts_kept",  # TypeScript: model constants kept where defined hold their clients
    "ts_audit",  # TypeScript: unread requests, written requests, import("openai")
]


def _run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    runner = cli_runner()
    old = os.getcwd()
    os.chdir(cwd)
    # no cache directory in the compared tree (tests/test_cache.py covers the cache)
    args = [args[0], "--no-cache", *args[1:]]
    try:
        result = runner.invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def nested(flat: dict[str, bytes]) -> dict:
    """{"a/b.py": data} -> {"a": {"b.py": data}} (pytest-snapshot's directory form)."""
    out: dict = {}
    for key, value in flat.items():
        *dirs, name = key.split("/")
        node = out
        for d in dirs:
            node = node.setdefault(d, {})
        node[name] = value
    return out


@pytest.mark.parametrize("name", REPOS)
def test_fixture_repo(name: str, fixture_copy, snapshot) -> None:
    if name == "broken" and sys.version_info < (3, 10):
        # syntax-error messages come from this Python's parser: the snapshot
        # holds 3.10+'s ("expected ':'"); older ones say "invalid syntax"
        pytest.skip("syntax error wording differs before Python 3.10")
    repo = fixture_copy(name)
    before = tree_bytes(repo)

    code_check, out_check, err_check = _run(["check", "."], repo)
    code_diff, out_diff, _ = _run(["migrate", "--diff", "."], repo)
    assert tree_bytes(repo) == before, "--diff must not write"
    code_mig, out_mig, err_mig = _run(["migrate", "."], repo)
    after = tree_bytes(repo)
    code_check2, out_check2, err_check2 = _run(["check", "."], repo)
    code_mig2, out_mig2, err_mig2 = _run(["migrate", "."], repo)

    # a second run changes nothing
    assert tree_bytes(repo) == after
    assert "Migrated 0 files" in err_mig2
    # nothing fixable is left after migrating
    assert "[*]" not in out_check2

    # the reviewers' checklist is not part of the migrated result
    snap: dict = {"tree": nested({k: v for k, v in after.items() if k != "EXPECTED.md"})}
    snap["check-before.txt"] = f"exit {code_check}\n{out_check}{err_check}".encode()
    snap["migrate.txt"] = f"exit {code_mig}\n{out_mig}{err_mig}".encode()
    snap["check-after.txt"] = f"exit {code_check2}\n{out_check2}{err_check2}".encode()
    snapshot.snapshot_dir = Path(__file__).parent / "snapshots" / "fixtures"
    snapshot.assert_match_dir(snap, name)


def test_unsafe_fixes_fixture(fixture_copy, snapshot, tmp_path: Path) -> None:
    """``migrate --unsafe-fixes`` on the fixture whose model IDs go through
    receivers the tool cannot resolve: the unsafe fixes are applied too,
    ``check --unsafe-fixes`` after it finds nothing fixable, a second run
    changes nothing; and ``check`` without the option after a safe
    ``migrate`` still shows every unsafe fix, as not applied. (The safe
    run's snapshot is ``test_fixture_repo[unsafe_receivers]``.)"""
    repo = fixture_copy("unsafe_receivers")
    code_mig, out_mig, err_mig = _run(["migrate", "--unsafe-fixes", "."], repo)
    after = tree_bytes(repo)
    code_check, out_check, err_check = _run(["check", "--unsafe-fixes", "."], repo)
    _, _, err_mig2 = _run(["migrate", "--unsafe-fixes", "."], repo)
    assert tree_bytes(repo) == after
    assert "Migrated 0 files" in err_mig2
    assert "[*]" not in out_check
    assert "hidden fix" not in err_check

    safe = tmp_path / "safe"
    shutil.copytree(FIXTURES / "unsafe_receivers", safe)
    _run(["migrate", "."], safe)
    _, out_safe, err_safe = _run(["check", "."], safe)
    # every unsafe fix is still reported after a safe migrate, not as fixable
    unsafe_lines = [line for line in out_safe.splitlines() if "unsafe fix" in line]
    assert unsafe_lines and not [line for line in unsafe_lines if "[*]" in line]
    assert f"{len(unsafe_lines)} hidden fixes can be enabled" in err_safe
    # and --unsafe-fixes on the safely migrated tree gives the same result
    _run(["migrate", "--unsafe-fixes", "."], safe)
    assert tree_bytes(safe) == after

    snap: dict = {"tree": nested({k: v for k, v in after.items() if k != "EXPECTED.md"})}
    snap["migrate.txt"] = f"exit {code_mig}\n{out_mig}{err_mig}".encode()
    snap["check-after.txt"] = f"exit {code_check}\n{out_check}{err_check}".encode()
    snapshot.snapshot_dir = Path(__file__).parent / "snapshots" / "fixtures"
    snapshot.assert_match_dir(snap, "unsafe_receivers--unsafe-fixes")


def test_llamaindex_unsafe_fixes(fixture_copy, snapshot) -> None:
    """``migrate --unsafe-fixes`` on the LlamaIndex fixture: its OR451
    rewrites (OpenAI -> OpenRouter) are unsafe fixes, applied only here; a
    second run changes nothing and nothing fixable is left."""
    repo = fixture_copy("llamaindex_app")
    code_mig, out_mig, err_mig = _run(["migrate", "--unsafe-fixes", "."], repo)
    after = tree_bytes(repo)
    code_check, out_check, err_check = _run(["check", "--unsafe-fixes", "."], repo)
    _, _, err_mig2 = _run(["migrate", "--unsafe-fixes", "."], repo)
    assert tree_bytes(repo) == after
    assert "Migrated 0 files" in err_mig2
    assert "[*]" not in out_check
    snap: dict = {"tree": nested({k: v for k, v in after.items() if k != "EXPECTED.md"})}
    snap["migrate.txt"] = f"exit {code_mig}\n{out_mig}{err_mig}".encode()
    snap["check-after.txt"] = f"exit {code_check}\n{out_check}{err_check}".encode()
    snapshot.snapshot_dir = Path(__file__).parent / "snapshots" / "fixtures"
    snapshot.assert_match_dir(snap, "llamaindex_app--unsafe-fixes")


def test_untouchable_repo_is_byte_identical(fixture_copy) -> None:
    repo = fixture_copy("untouchable")
    before = tree_bytes(repo)
    mtimes = {p: p.stat().st_mtime_ns for p in repo.rglob("*") if p.is_file()}
    code, _, err = _run(["migrate", "."], repo)
    assert code == 0
    assert "Migrated 0 files" in err
    assert tree_bytes(repo) == before
    assert {p: p.stat().st_mtime_ns for p in repo.rglob("*") if p.is_file()} == mtimes


def test_quickstart_matches_reference_document(fixture_copy) -> None:
    """The reference document's before/after example, line for line."""
    repo = fixture_copy("quickstart")
    _run(["migrate", "."], repo)
    text = (repo / "app.py").read_text()
    assert 'base_url="https://openrouter.ai/api/v1"' in text
    assert 'api_key=os.environ["OPENROUTER_API_KEY"]' in text
    assert 'model="openai/gpt-4o"' in text
    assert "OPENAI_API_KEY" not in text


def test_fixture_list_is_complete() -> None:
    have = {p.name for p in FIXTURES.iterdir() if p.is_dir()}
    assert set(REPOS) <= have


@pytest.mark.parametrize("name", ["instructor_app", "agents_app"])
def test_framework_fixtures_with_unsafe_fixes(name: str, fixture_copy, snapshot) -> None:
    """instructor's ``from_provider`` (OR421) and the Agents SDK's default
    client (OR431-OR433) move only with ``--unsafe-fixes``: the whole run,
    then ``check --unsafe-fixes`` finds nothing fixable and a second run
    changes nothing. (The safe runs' snapshots are ``test_fixture_repo``.)"""
    repo = fixture_copy(name)
    code_mig, out_mig, err_mig = _run(["migrate", "--unsafe-fixes", "."], repo)
    after = tree_bytes(repo)
    code_check, out_check, err_check = _run(["check", "--unsafe-fixes", "."], repo)
    _, _, err_mig2 = _run(["migrate", "--unsafe-fixes", "."], repo)
    assert tree_bytes(repo) == after
    assert "Migrated 0 files" in err_mig2
    assert "[*]" not in out_check
    snap: dict = {"tree": nested({k: v for k, v in after.items() if k != "EXPECTED.md"})}
    snap["migrate.txt"] = f"exit {code_mig}\n{out_mig}{err_mig}".encode()
    snap["check-after.txt"] = f"exit {code_check}\n{out_check}{err_check}".encode()
    snapshot.snapshot_dir = Path(__file__).parent / "snapshots" / "fixtures"
    snapshot.assert_match_dir(snap, f"{name}--unsafe-fixes")
