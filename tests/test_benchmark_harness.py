"""The benchmark harness builds what it claims to build (not a timed test)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import libcst
import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _load(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


gen_repo = _load("gen_repo")
run = _load("run")

IMPORTS_OPENAI = re.compile(rb"^(import openai\b|from openai import )", re.MULTILINE)


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}  # fmt: skip


@pytest.fixture(scope="module")
def sparse_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("sparse")
    manifest = gen_repo.generate_tree(gen_repo.sparse_spec(files=250, seed=7), root)
    return root, manifest


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    spec = gen_repo.dense_spec(files=12, seed=3)
    gen_repo.generate_tree(spec, tmp_path / "one")
    gen_repo.generate_tree(spec, tmp_path / "two")
    one, two = _tree_bytes(tmp_path / "one"), _tree_bytes(tmp_path / "two")
    assert len(one) == 12
    assert one == two
    gen_repo.generate_tree(gen_repo.dense_spec(files=12, seed=4), tmp_path / "other")
    assert _tree_bytes(tmp_path / "other") != one


def test_sparse_tree_has_two_percent_sdk_files(sparse_tree: tuple[Path, dict]) -> None:
    root, manifest = sparse_tree
    files = _tree_bytes(root)
    assert len(files) == manifest["files"] == 250
    users = [p for p, data in files.items() if IMPORTS_OPENAI.search(data)]
    mentions = [p for p, data in files.items() if b"openai" in data]
    assert len(users) == manifest["sdk_files"] == 5  # 2% of 250
    # a few more files say "openai" without importing it: prefilter false positives
    assert len(mentions) == len(users) + manifest["mention_files"]
    assert manifest["mention_files"] == 1


def test_full_size_sparse_selection_is_two_percent() -> None:
    kinds = gen_repo.file_kinds(gen_repo.sparse_spec())
    assert len(kinds) == 10_000
    assert kinds.count("sdk") == 200
    assert kinds.count("mention") == 50


def test_files_are_realistic_size(sparse_tree: tuple[Path, dict]) -> None:
    sizes = sorted(len(data) for data in _tree_bytes(sparse_tree[0]).values())
    median = sizes[len(sizes) // 2]
    assert 4_000 <= median <= 8_500
    assert sizes[-1] > 20_000  # a few large files


def test_generated_files_parse_with_libcst(sparse_tree: tuple[Path, dict], tmp_path: Path) -> None:
    files = _tree_bytes(sparse_tree[0])
    sample = [data for i, (_, data) in enumerate(files.items()) if i % 10 == 0 or b"openai" in data]
    gen_repo.generate_tree(gen_repo.dense_spec(files=10, seed=7), tmp_path)
    dense = list(_tree_bytes(tmp_path).values())
    for data in sample + dense:
        module = libcst.parse_module(data)
        assert module.code.encode("utf-8") == data
    for data in dense:  # every dense file uses the SDK for real
        assert IMPORTS_OPENAI.search(data)
        assert b".create(" in data


def test_ensure_tree_reuses_matching_tree_and_regenerates_otherwise(tmp_path: Path) -> None:
    spec = gen_repo.dense_spec(files=3, seed=1)
    root, manifest = gen_repo.ensure_tree(spec, tmp_path)
    marker = root / "marker.txt"
    marker.write_text("kept", encoding="utf-8")
    root2, manifest2 = gen_repo.ensure_tree(spec, tmp_path)
    assert root2 == root and manifest2 == manifest and marker.exists()
    root3, manifest3 = gen_repo.ensure_tree(gen_repo.dense_spec(files=3, seed=2), tmp_path)
    assert root3 == root and not marker.exists()  # same place, other seed: rebuilt
    assert manifest3["hash"] != manifest["hash"]
    assert len(list(root.rglob("*.py"))) == 3
    root4, _ = gen_repo.ensure_tree(gen_repo.dense_spec(files=4, seed=2), tmp_path)
    assert root4 != root and root.is_dir()  # other size: lives beside it


def test_measure_reports_exit_code_time_and_memory(tmp_path: Path) -> None:
    ok = run.measure([sys.executable, "-c", "print(3)"], tmp_path, {})
    assert ok.exit_code == 0 and ok.wall_s > 0 and ok.peak_mb > 1
    assert ok.stdout_tail.strip() == "3" and not ok.traceback
    crash = run.measure([sys.executable, "-c", "raise ValueError('x')"], tmp_path, {})
    assert crash.exit_code == 1 and crash.traceback and run._crashed(crash)
    missing = run.measure([str(tmp_path / "nope")], tmp_path, {})
    assert missing.exit_code == 127


def _row(key: str, seconds: float, files: int = 100, status: str = "ok") -> object:
    return run.Row(key, key.split("/")[0], key, files,
                   runs=[run.Run(seconds, 0, 50.0, 60.0)], status=status)  # fmt: skip


def test_targets_pass_fail_skip_and_error() -> None:
    rows = {r.key: r for r in [
        _row("sparse/io-floor", 1.0), _row("sparse/necessary", 2.0),
        _row("sparse/tool-cold", 2.4), _row("sparse/tool-warm", 3.5),
        _row("dense/parse-only", 10.0), _row("dense/tool-jobs1", 12.0),
        _row("dense/tool-jobs2", 8.0, status="error"),
        run.Row("sparse/libcst-codemod", "sparse", "d", 100, status="skipped"),
    ]}  # fmt: skip
    by_name = {t.name.split("[")[0].strip(): t for t in run.compute_targets(rows)}
    assert by_name["sparse cold check / (b) necessary"].status == "PASS"  # 1.2 <= 1.25
    assert by_name["sparse warm check / (a) io floor"].status == "FAIL"  # 3.5 > 3
    assert by_name["dense --jobs 1 / (c) parse-only"].status == "PASS"  # 10/12 >= 0.75
    assert by_name["dense --jobs 2 / --jobs 1"].status == "ERROR"
    # (d) skipped on the whole tree, and no sample row: an error, not a pass
    assert by_name["sparse cold check / (d) on a sample"].status == "ERROR"
    assert by_name["tool peak memory"].status == "PASS"
    assert by_name["tool peak memory"].value == pytest.approx(60.0)


def test_a_dense_only_run_has_no_sparse_targets() -> None:
    """``--no-sparse --scale none``: the sparse targets are not errors."""
    rows = {r.key: r for r in [
        _row("dense/parse-only", 10.0), _row("dense/tool-jobs1", 12.0),
        _row("dense/tool-jobs2", 7.0),
    ]}  # fmt: skip
    by_name = {t.name.split("[")[0].strip(): t for t in run.compute_targets(rows)}
    assert not [n for n in by_name if n.startswith("sparse")]
    assert by_name["dense --jobs 2 / --jobs 1"].status == "PASS"


def test_libcst_target_uses_the_whole_tree_when_measured_else_the_sample() -> None:
    base = [_row("sparse/tool-cold", 2.0, files=10_000)]
    sample = _row("sparse/libcst-sample", 20.0, files=400)  # 20 files/s vs 5,000
    rows = {r.key: r for r in [*base, sample]}
    by_name = {t.name: t for t in run.compute_targets(rows)}
    t = by_name["sparse cold check / (d) on a sample  [files/s]"]
    assert t.status == "PASS" and t.value == pytest.approx(250.0)
    slow_tool = {r.key: r for r in [_row("sparse/tool-cold", 100.0, files=10_000), sample]}
    by_name = {t.name: t for t in run.compute_targets(slow_tool)}
    assert by_name["sparse cold check / (d) on a sample  [files/s]"].status == "FAIL"  # 5x
    full = _row("sparse/libcst-codemod", 300.0, files=10_000)
    rows = {r.key: r for r in [*base, sample, full]}
    by_name = {t.name: t for t in run.compute_targets(rows)}
    t = by_name["(d) libcst codemod / sparse cold check  [wall]"]
    assert t.status == "PASS" and t.value == pytest.approx(150.0)


def test_project_tree_has_the_shapes_it_claims(tmp_path: Path) -> None:
    """The scaling series' tree: helpers with model defaults, settings
    constants imported across modules, client factories, callers,
    notebooks; packages and a project root; every file parses."""
    spec = gen_repo.project_spec(files=500, seed=5)
    manifest = gen_repo.generate_tree(spec, tmp_path)
    files = _tree_bytes(tmp_path)
    assert (tmp_path / "pyproject.toml").is_file()
    kinds = manifest["kinds"]
    assert kinds["helper"] == 10 and kinds["notebook"] == 1  # 2%, 0.2% (at least one)
    py = {p: d for p, d in files.items() if p.endswith(".py")}
    assert manifest["files"] == len(py) + kinds["notebook"]
    helpers = [d for d in py.values() if re.search(rb"def summarize_\d+\(text: str, model", d)]
    assert len(helpers) == kinds["helper"]
    assert any(b"import CHAT_MODEL" in d for d in helpers)  # constants across modules
    assert any(b"import get_client" in d for d in helpers)  # factories
    callers = [p for p in manifest["parse_too"] if b"import summarize_" in py[p]]
    assert callers and all(b"openai" not in py[p] for p in callers)
    assert all(d == b"" for p, d in py.items() if p.endswith("__init__.py"))
    for data in py.values():
        libcst.parse_module(data)
    again = tmp_path / "again"
    gen_repo.generate_tree(spec, again)
    assert _tree_bytes(again) == files
