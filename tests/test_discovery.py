from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from codemods.core import discovery
from codemods.core.discovery import Discovered, DiscoveryError, _compile_gitignore_line, discover


def touch(root: Path, *names: str) -> None:
    for name in names:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x = 1\n")


def found(paths, **kw) -> list[str]:
    files, errors = discover(paths, **kw)
    assert errors == []
    return [f.path.as_posix() for f in files]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_walks_directories_sorted_and_filters_extensions(tree: Path) -> None:
    touch(tree, "b.py", "a.py", "sub/c.pyi", "sub/d.ipynb", "sub/e.txt", "sub/z/f.py", "g.pyc")
    assert found(["."]) == ["a.py", "b.py", "sub/c.pyi", "sub/d.ipynb", "sub/z/f.py"]
    assert found(["."], include_notebooks=False) == ["a.py", "b.py", "sub/c.pyi", "sub/z/f.py"]
    assert found(["sub"]) == ["sub/c.pyi", "sub/d.ipynb", "sub/z/f.py"]
    files, _ = discover([str(tree / "sub")])
    assert files[0].path == tree / "sub" / "c.pyi"  # given absolute: shown absolute
    assert files[0].real == (tree / "sub" / "c.pyi").resolve()


def test_result_is_deterministic(tree: Path) -> None:
    for i in range(30):
        touch(tree, f"d{i % 7}/m{(i * 13) % 30}.py")
    first = found(["."])
    assert first == sorted(first, key=lambda p: p.split("/"))
    assert found(["."]) == first


def test_skips_tool_and_virtualenv_dirs_but_not_build(tree: Path) -> None:
    touch(
        tree,
        ".git/hooks/x.py",
        ".venv/lib/x.py",
        "venv/x.py",
        "node_modules/pkg/x.py",
        "__pycache__/x.py",
        ".tox/x.py",
        ".mypy_cache/x.py",
        ".openrouter-migrate-cache/x.py",
        "lib/site-packages/x.py",
        "myenv/pyvenv.cfg",
        "myenv/bin/x.py",
        "build/keep.py",
        "src/keep.py",
    )
    assert found(["."]) == ["build/keep.py", "src/keep.py"]
    # named explicitly: walked anyway (like ruff without --force-exclude)
    assert found(["venv"]) == ["venv/x.py"]
    assert found(["venv"], force_exclude=True) == []


def test_missing_path_is_an_error_and_others_go_on(tree: Path) -> None:
    touch(tree, "a.py")
    files, errors = discover(["nope.py", "a.py"])
    assert [f.path for f in files] == [Path("a.py")]
    assert errors == [DiscoveryError("nope.py", "no such file or directory")]
    assert str(errors[0]) == "nope.py: no such file or directory"


def test_directory_named_like_a_python_file_is_walked(tree: Path) -> None:
    touch(tree, "x.py/inner.py", "x.py/notes.txt")
    assert found(["."]) == ["x.py/inner.py"]
    assert found(["x.py"]) == ["x.py/inner.py"]


def test_explicit_files_taken_whatever_the_extension(tree: Path) -> None:
    touch(tree, "script", "setup.cfg", ".venv/tool.py")
    assert found(["script", "setup.cfg", ".venv/tool.py"]) == [
        "script",
        "setup.cfg",
        ".venv/tool.py",
    ]


def test_dedupe_repeated_arguments(tree: Path) -> None:
    touch(tree, "pkg/a.py", "pkg/b.py")
    assert found(["pkg/a.py", "pkg", "./pkg/a.py", str(tree / "pkg")]) == [
        "pkg/a.py",
        "pkg/b.py",
    ]


# -- gitignore ------------------------------------------------------------


def test_gitignore_nested_with_negation(tree: Path) -> None:
    touch(
        tree,
        "keep.py",
        "gen_a.py",
        "pkg/gen_b.py",
        "pkg/gen_keep.py",
        "pkg/sub/gen_c.py",
        "pkg/sub/gen_keep.py",
        "data/x.py",
        "pkg/data/y.py",
        "other/gen_keep.py",
    )
    (tree / ".gitignore").write_text("# generated files\ngen_*.py\n/data/\n")
    (tree / "pkg" / ".gitignore").write_text("!gen_keep.py\n")
    (tree / "pkg" / "sub" / ".gitignore").write_text("gen_keep.py\n")
    assert found(["."]) == ["keep.py", "pkg/data/y.py", "pkg/gen_keep.py"]


def test_gitignore_applies_when_walking_a_subdirectory(tree: Path) -> None:
    (tree / ".git").mkdir()
    touch(tree, "src/pkg/a.py", "src/pkg/a_pb2.py")
    (tree / ".gitignore").write_text("*_pb2.py\n")
    assert found(["src/pkg"]) == ["src/pkg/a.py"]


def test_a_directory_named_below_an_ignored_one_is_walked(tree: Path) -> None:
    # found by the benchmark: its trees live under the repository's ignored
    # benchmarks/.work/, and `check .` there found nothing at all
    (tree / ".git").mkdir()
    (tree / ".gitignore").write_text("work/\nbuild\n*.log\n")
    touch(tree, "work/proj/pkg/a.py", "work/proj/pkg/b.py", "build/gen/c.py", "work/proj/x.log")
    assert found(["work/proj"]) == ["work/proj/pkg/a.py", "work/proj/pkg/b.py"]
    assert found(["build/gen"]) == ["build/gen/c.py"]
    assert found(["."]) == []  # walked from the top, the ignored directories are skipped
    # with --force-exclude the ignored ancestors still count (pre-commit)
    assert found(["work/proj"], force_exclude=True) == []


def test_git_info_exclude(tree: Path) -> None:
    (tree / ".git" / "info").mkdir(parents=True)
    (tree / ".git" / "info" / "exclude").write_text("scratch/\n")
    (tree / ".gitignore").write_text("!local.py\n")
    touch(tree, "scratch/s.py", "a.py", "local.py")
    assert found(["."]) == ["a.py", "local.py"]
    # a root .gitignore overrides info/exclude
    (tree / ".git" / "info" / "exclude").write_text("scratch/\nlocal.py\n")
    assert found(["."]) == ["a.py", "local.py"]


def test_git_worktree_info_exclude(tree: Path) -> None:
    common = tree / "main.git"
    (common / "info").mkdir(parents=True)
    (common / "info" / "exclude").write_text("*.pyi\n")
    gitdir = common / "worktrees" / "wt"
    gitdir.mkdir(parents=True)
    (gitdir / "commondir").write_text("../..\n")
    wt = tree / "wt"
    wt.mkdir()
    (wt / ".git").write_text(f"gitdir: {gitdir}\n")
    touch(wt, "a.py", "a.pyi")
    assert found(["wt"]) == ["wt/a.py"]


def test_gitignore_dir_only_and_anchoring(tree: Path) -> None:
    touch(tree, "out/a.py", "x/out/b.py", "y/logs.py", "logs/c.py", "docs/out.py")
    (tree / ".gitignore").write_text("/out\nlogs/\n")
    # "/out" anchored: x/out is kept; "logs/" only dirs: y/logs.py kept
    assert found(["."]) == ["docs/out.py", "x/out/b.py", "y/logs.py"]


def test_gitignore_double_star(tree: Path) -> None:
    touch(
        tree,
        "a/b.py",
        "a/x/b.py",
        "a/x/y/b.py",
        "c/deep/gen/z.py",
        "gen/top.py",
        "keep/inside/k.py",
        "keep/k.py",
    )
    (tree / ".gitignore").write_text("a/**/b.py\n**/gen/\nkeep/**\n")
    assert found(["."]) == []
    (tree / ".gitignore").write_text("a/**/b.py\n**/gen/\n")
    assert found(["."]) == ["keep/inside/k.py", "keep/k.py"]


@pytest.mark.parametrize(
    ("pattern", "path", "is_dir", "expected"),
    [
        ("*.py", "a.py", False, True),
        ("*.py", "d/a.py", False, True),
        ("a?.py", "ab.py", False, True),
        ("a?.py", "a/.py", False, False),
        ("[ab].py", "b.py", False, True),
        ("[!ab].py", "b.py", False, False),
        ("[!ab].py", "c.py", False, True),
        ("[a-c]x.py", "bx.py", False, True),
        ("[a-c]x.py", "dx.py", False, False),
        ("[[:digit:]].py", "7.py", False, True),
        ("\\#notes.py", "#notes.py", False, True),
        ("#notes.py", "#notes.py", False, False),  # a comment
        ("\\!bang.py", "!bang.py", False, True),
        ("trailing.py   ", "trailing.py", False, True),
        ("space\\ ", "space ", False, True),
        ("doc/*.py", "doc/a.py", False, True),
        ("doc/*.py", "doc/x/a.py", False, False),
        ("doc/*.py", "x/doc/a.py", False, False),  # inner slash anchors
        ("**/foo", "a/b/foo", False, True),
        ("**/foo", "foo", False, True),
        ("foo/**", "foo", True, False),
        ("foo/**", "foo/a/b", False, True),
        ("a/**/b", "a/b", False, True),
        ("a/**/b", "a/x/y/b", False, True),
        ("a**b", "a/b", False, False),  # not a "**" segment: plain star
        ("build/", "build", False, False),
        ("build/", "build", True, True),
        # git never matches a pattern with an unclosed "[" (git 2.39: `git check-ignore`
        # says no); the hand-written matcher took it literally
        ("[unclosed", "[unclosed", False, False),
    ],
)
def test_gitignore_pattern(pattern: str, path: str, is_dir: bool, expected: bool) -> None:
    rule = _compile_gitignore_line(pattern)
    if rule is None:
        assert expected is False
        return
    matched = bool(rule.regex.fullmatch(path)) and (is_dir or not rule.dir_only)
    assert matched is expected


def test_comment_and_blank_lines_are_not_rules() -> None:
    assert _compile_gitignore_line("# c") is None
    assert _compile_gitignore_line("   ") is None
    assert _compile_gitignore_line("") is None
    assert _compile_gitignore_line("!") is None


def test_gitignored_parent_dir_cannot_be_reincluded(tree: Path) -> None:
    touch(tree, "vendor/lib.py")
    (tree / ".gitignore").write_text("vendor/\n!vendor/lib.py\n")
    assert found(["."]) == []


def test_gitignore_with_crlf_and_bom(tree: Path) -> None:
    touch(tree, "a.py", "b.py")
    (tree / ".gitignore").write_bytes(b"\xef\xbb\xbfa.py\r\n")
    assert found(["."]) == ["b.py"]


# -- exclude / force_exclude -----------------------------------------------


def test_exclude_globs_apply_to_walked_files(tree: Path) -> None:
    touch(tree, "src/a.py", "src/a_test.py", "tests/fixtures/f.py", "tests/t.py", "migrations/m.py")
    assert found(["."], exclude=["*_test.py", "migrations", "tests/fixtures"]) == [
        "src/a.py",
        "tests/t.py",
    ]
    assert found(["."], exclude=["tests/*"]) == ["migrations/m.py", "src/a.py", "src/a_test.py"]
    assert found(["."], exclude=[str(tree / "src") + "/"]) == [
        "migrations/m.py",
        "tests/fixtures/f.py",
        "tests/t.py",
    ]


def test_explicit_files_and_force_exclude(tree: Path) -> None:
    touch(tree, "gen/out.py", "a_test.py", "ok.py", "notignored/x.py")
    (tree / ".gitignore").write_text("gen/\n")
    args = ["gen/out.py", "a_test.py", "ok.py", "notignored/x.py"]
    kw = {"exclude": ["*_test.py", "notignored"]}
    assert found(args, **kw) == args
    assert found(args, force_exclude=True, **kw) == ["ok.py"]
    assert found(["gen"], force_exclude=True) == []
    assert found(["gen"]) == ["gen/out.py"]


# -- symlinks ----------------------------------------------------------------


def test_symlink_out_of_tree_not_followed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    outside = tmp_path / "outside"
    touch(outside, "secret.py", "pkg/s.py")
    proj = tmp_path / "proj"
    touch(proj, "a.py")
    (proj / "link.py").symlink_to(outside / "secret.py")
    (proj / "linkdir").symlink_to(outside / "pkg")
    monkeypatch.chdir(proj)
    assert found(["."]) == ["a.py"]
    # ...but followed when the target is inside another given root
    # ...but followed when the target is inside another given root; then the
    # file is listed once, under its non-symlink path.
    files, errors = discover([".", str(outside)])
    assert errors == []
    assert [f.real for f in files] == [
        (proj / "a.py").resolve(),
        (outside / "secret.py").resolve(),
        (outside / "pkg" / "s.py").resolve(),
    ]
    assert files[1].path == outside / "secret.py"
    assert found([".", str(outside / "pkg")]) == ["a.py", "linkdir/s.py"][:1] + [
        (outside / "pkg" / "s.py").as_posix()
    ]


def test_symlink_inside_tree_followed_once(tree: Path) -> None:
    touch(tree, "real/a.py", "real/b.py")
    (tree / "alias").symlink_to(tree / "real", target_is_directory=True)
    (tree / "c.py").symlink_to(tree / "real" / "a.py")
    files, errors = discover(["."])
    assert errors == []
    # each real file once; the non-symlink path is preferred for display
    assert sorted(f.path.as_posix() for f in files) == ["real/a.py", "real/b.py"]
    assert len({f.real for f in files}) == 2


def test_symlink_only_path_is_kept(tree: Path) -> None:
    touch(tree, "pkg/a.py")
    (tree / "docs").mkdir()
    (tree / "docs" / "example.py").symlink_to(tree / "pkg" / "a.py")
    assert found(["docs", "pkg"]) == ["pkg/a.py"]
    assert found(["docs"]) == []  # target outside the given root


def test_broken_symlink_and_loop_reported(tree: Path) -> None:
    touch(tree, "a.py", "sub/b.py")
    (tree / "broken.py").symlink_to(tree / "missing.py")
    (tree / "selfloop").symlink_to(tree / "selfloop")
    (tree / "sub" / "up").symlink_to(tree, target_is_directory=True)
    (tree / "README.md").symlink_to(tree / "gone.md")  # never read: not reported
    files, errors = discover(["."])
    assert [f.path.as_posix() for f in files] == ["a.py", "sub/b.py"]
    by_path = {e.path: e.message for e in errors}
    assert set(by_path) == {"broken.py", "selfloop", os.path.join("sub", "up")}
    assert by_path["broken.py"].startswith("broken symlink")
    assert by_path["selfloop"] == "symlink loop"
    assert by_path[os.path.join("sub", "up")] == "symlink loop"


def test_broken_symlink_given_explicitly(tree: Path) -> None:
    (tree / "dangling.py").symlink_to(tree / "nowhere.py")
    files, errors = discover(["dangling.py"])
    assert files == []
    assert len(errors) == 1 and errors[0].path == "dangling.py"
    assert "broken symlink" in errors[0].message


def test_ignored_broken_symlink_not_reported(tree: Path) -> None:
    (tree / "dangling.py").symlink_to(tree / "nowhere.py")
    (tree / ".gitignore").write_text("dangling.py\n")
    assert found(["."]) == []


# -- unreadable directories ----------------------------------------------------


def test_unreadable_directory_reported_walk_continues(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touch(tree, "a/x.py", "locked/y.py", "z/w.py")
    real_scandir = os.scandir

    def fake_scandir(path):  # type: ignore[no-untyped-def]
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", fake_scandir)
    files, errors = discover(["."])
    assert [f.path.as_posix() for f in files] == ["a/x.py", "z/w.py"]
    assert errors == [DiscoveryError("locked", "cannot read directory: Permission denied")]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any directory"
)
def test_unreadable_directory_real_permissions(tree: Path) -> None:
    touch(tree, "locked/y.py", "b.py")
    (tree / "locked").chmod(0)
    try:
        files, errors = discover(["."])
    finally:
        (tree / "locked").chmod(0o755)
    assert [f.path.as_posix() for f in files] == ["b.py"]
    assert [e.path for e in errors] == ["locked"]


def test_discovered_is_frozen() -> None:
    d = Discovered(Path("a.py"), Path("/x/a.py"))
    with pytest.raises(AttributeError):
        d.path = Path("b.py")  # type: ignore[misc]


# -- agreement with git itself ---------------------------------------------------

GITIGNORE_BATTERY = """\
# differential test against git's own matcher
*.gen.py
!keep.gen.py
/top_only.py
docs/*.py
!docs/conf.py
**/cache/
logs/**/old_*.py
[ab]_bracket.py
[!c-e]x.py
q?.py
\\#hash.py
dironly/
a**b.py
trailing_space.py\x20\x20\x20
"""

GITIGNORE_FILES = [
    "x.gen.py",
    "keep.gen.py",
    "sub/y.gen.py",
    "sub/keep.gen.py",
    "top_only.py",
    "sub/top_only.py",
    "docs/a.py",
    "docs/conf.py",
    "docs/deep/b.py",
    "cache/c.py",
    "pkg/cache/c.py",
    "pkg/cache.py",
    "logs/old_1.py",
    "logs/x/y/old_2.py",
    "logs/new.py",
    "a_bracket.py",
    "c_bracket.py",
    "bx.py",
    "dx.py",
    "q1.py",
    "q12.py",
    "#hash.py",
    "dironly/f.py",
    "sub/dironly/g.py",
    "dironly.py",
    "ab.py",
    "a_zzz_b.py",
    "trailing_space.py",
    "nested/inner.py",
    "nested/drop_me.py",
    "nested/deeper/drop_me.py",
    "nested/deeper/revive.py",
    "plain.py",
]


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_gitignore_agrees_with_git(tree: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True, env=env)
    (tree / ".gitignore").write_text(GITIGNORE_BATTERY)
    touch(tree, *GITIGNORE_FILES)
    (tree / "nested" / ".gitignore").write_text("drop_me.py\nrevive.py\n")
    (tree / "nested" / "deeper" / ".gitignore").write_text("!revive.py\n")
    out = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard", "-z"],
        cwd=tree,
        check=True,
        capture_output=True,
        env=env,
    ).stdout.decode()
    expected = sorted(p for p in out.split("\0") if p.endswith(".py"))
    assert sorted(found(["."])) == expected
    assert 10 < len(expected) < len(GITIGNORE_FILES)  # the battery does filter


def test_gitignore_of_repo_applies_through_symlinked_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".gitignore").write_text("*_pb2.py\n")
    touch(repo, "src/a.py", "src/a_pb2.py")
    work = tmp_path / "work"
    work.mkdir()
    (work / "src").symlink_to(repo / "src", target_is_directory=True)
    monkeypatch.chdir(work)
    assert found(["src"]) == ["src/a.py"]
    assert found(["src/a_pb2.py"], force_exclude=True) == []
    assert found(["src/a_pb2.py"]) == ["src/a_pb2.py"]


# --- plain gitignore lines are compiled without pathspec, to its regex ------

_PLAIN_LINES = [
    ".venv/",
    "__pycache__/",
    "*.pyc",
    "*.egg-info/",
    "build/",
    "/dist",
    "/dist/",
    "!keep.py",
    "!/keep/",
    "docs/_build/",
    "benchmarks/.work/",
    "a/b/c",
    "/a/*.log",
    "*.",
    ".env",
    "node_modules",
    "Foo-Bar_9.txt",
]


def _same_rule(line: str) -> None:
    plain = discovery._plain_rule(line)
    assert plain is not None, line
    reference = discovery._pathspec_rule(line)
    assert reference is not None, line
    assert (plain.pattern.pattern, plain.pattern.flags, plain.negate, plain.dir_only) == (
        reference.pattern.pattern,
        reference.pattern.flags,
        reference.negate,
        reference.dir_only,
    ), line


@pytest.mark.parametrize("line", _PLAIN_LINES)
def test_a_plain_gitignore_line_compiles_as_pathspec_does(line: str) -> None:
    _same_rule(line)


def test_plain_gitignore_lines_compile_as_pathspec_does_generated() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    name = st.text("ab.-_Z09", min_size=1, max_size=6).filter(lambda s: s.strip("."))
    segment = st.builds(lambda star, n: ("*" if star else "") + n, st.booleans(), name)
    line = st.builds(
        lambda neg, lead, segs, trail: (
            ("!" if neg else "") + ("/" if lead else "") + "/".join(segs) + ("/" if trail else "")
        ),
        st.booleans(),
        st.booleans(),
        st.lists(segment, min_size=1, max_size=3),
        st.booleans(),
    )

    @settings(max_examples=300, deadline=None)
    @given(line)
    def check(text: str) -> None:
        _same_rule(text)

    check()


@pytest.mark.parametrize(
    "line", ["**/x", "a?b", "x[0-9]", "a*b", "*", "\\#x", "x ", "a//b", "./x", "..", "é.txt"]
)
def test_other_gitignore_lines_go_through_pathspec(line: str) -> None:
    assert discovery._plain_rule(line) is None
