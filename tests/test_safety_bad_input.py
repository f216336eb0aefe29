"""Bad input: each case gives a clear message naming the file (and line where
there is one), the other files are still processed, the exit code is 2, no
file changes that should not, and no Python traceback is ever shown.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli, tree_bytes

GOOD = 'from openai import OpenAI\n\nclient = OpenAI(organization="org-1")\n'
HEADER = "from openai import OpenAI\n\nclient = OpenAI()\n"


# Python's own parser words syntax errors (and places some) differently
# before 3.10; these expectations are 3.10+'s.
OLD_PARSER = pytest.mark.skipif(
    sys.version_info < (3, 10), reason="syntax error wording differs before Python 3.10"
)


def _tree(tmp_path: Path, name: str, data: bytes) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "a_good.py").write_text(GOOD)
    (root / name).write_bytes(data)
    (root / "z_good.py").write_text(GOOD)
    return root


def _assert_others_processed(root: Path, command: str, out: str) -> None:
    for name in ("a_good.py", "z_good.py"):
        if command == "migrate":
            assert "openrouter.ai" in (root / name).read_text(), name
        else:
            assert f"{name}:3:10: OR101" in out


def _no_traceback(text: str) -> None:
    assert "Traceback" not in text and "Fatal Python error" not in text, text


# name, content, expected message regex (file and line where there is one)
BAD_FILES = [
    (
        "syntax.py",
        HEADER.encode() + b"def f(:\n    pass\n",
        r"syntax\.py:4:7: syntax error: invalid syntax",
    ),
    (
        "py2.py",
        HEADER.encode() + b'print "hello"\n',
        r"py2\.py:4:1: syntax error: Missing parentheses in call to 'print'",
    ),
    (
        "latin.py",
        HEADER.encode() + b'x = "caf\xe9"\n',
        r"latin\.py:4: cannot decode as utf-8",
    ),
    (
        "cookie.py",
        b"# -*- coding: ascii -*-\n" + HEADER.encode() + b'x = "\xc3\xa9"\n',
        r"cookie\.py:5: cannot decode as ascii",
    ),
    (
        "unknown_cookie.py",
        b"# -*- coding: klingon -*-\n" + HEADER.encode(),
        r"unknown_cookie\.py: cannot read source: .*klingon",
    ),
    (
        "nul.py",
        HEADER.encode() + b'x = "a\x00b"\n',
        r"nul\.py:4:7: source contains a NUL byte",
    ),
    (
        "nul_outside_string.py",
        HEADER.encode() + b"x = 1\x00\n",
        r"nul_outside_string\.py:4:6: source contains a NUL byte",
    ),
]


@pytest.mark.parametrize("command", ["migrate", "check"])
@pytest.mark.parametrize("name, data, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file(tmp_path: Path, name: str, data: bytes, message: str, command: str) -> None:
    if name == "py2.py" and sys.version_info < (3, 10):
        pytest.skip("Python's wording and column for print statements differ before 3.10")
    root = _tree(tmp_path, name, data)
    code, out, err = run_cli([command, "."], cwd=root)
    assert code == 2, err
    assert re.search(r"^error: " + message, err, re.M), err
    _no_traceback(err + out)
    assert (root / name).read_bytes() == data
    _assert_others_processed(root, command, out)
    assert sorted(p.name for p in root.iterdir()) == ["a_good.py", name, "z_good.py"]


def test_empty_file_is_fine_and_unchanged(tmp_path: Path) -> None:
    root = _tree(tmp_path, "empty.py", b"")
    code, out, err = run_cli(["migrate", "."], cwd=root)
    assert code == 0, err
    assert (root / "empty.py").read_bytes() == b""
    _assert_others_processed(root, "migrate", out)


@OLD_PARSER
def test_broken_fixture_repo(fixture_copy) -> None:
    repo = fixture_copy("broken")
    before = tree_bytes(repo)
    code, out, err = run_cli(["migrate", "."], cwd=repo)
    assert code == 2
    _no_traceback(err)
    after = tree_bytes(repo)
    assert [n for n in before if before[n] != after[n]] == ["good.py"]
    for name in (
        "bad_encoding.py:9",
        "nul_byte.py:8:17",
        "py2_script.py:16:12",
        "syntax_error.py:15",
    ):
        assert f"error: {name}" in err


# -- size and nesting: run as a real process, so a crash would show ------------------


def _cli_process(args: list[str], cwd: Path, timeout: float = 300) -> tuple[int, str, str, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "codemods", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=timeout,
    )
    return proc.returncode, proc.stdout.decode(), proc.stderr.decode(), time.monotonic() - start


def _big_source(size: int) -> str:
    parts = [HEADER]
    i = 0
    while sum(map(len, parts)) < size:
        parts.append(
            f"\n\ndef ask_{i}(q):\n"
            f"    r = client.chat.completions.create(\n"
            f'        model="gpt-4o",  # comment {i}\n'
            f'        messages=[{{"role": "user", "content": q}}],\n'
            f"    )\n"
            f"    return r.choices[0].message.content\n"
        )
        i += 1
    return "".join(parts)


def test_very_large_file_is_refused_quickly_with_a_clear_message(tmp_path: Path) -> None:
    data = _big_source(4 * 1024 * 1024).encode()
    root = _tree(tmp_path, "huge.py", data)
    code, out, err, seconds = _cli_process(["migrate", "."], root)
    assert code == 2, err
    assert (
        "error: huge.py: file is 4.0 MiB, over the 1 MiB limit: not analysed "
        "(exclude it, or raise max-file-kib in the configuration)"
    ) in err
    _no_traceback(err)
    assert seconds < 30, seconds  # processing it would take minutes
    assert (root / "huge.py").read_bytes() == data
    _assert_others_processed(root, "migrate", out)


def test_large_file_under_the_limit_is_processed(tmp_path: Path) -> None:
    from codemods.core.engine import EngineConfig
    from codemods.python.engine import process_source

    data = _big_source(200 * 1024).encode()
    start = time.monotonic()
    result = process_source("big.py", data, EngineConfig())
    seconds = time.monotonic() - start
    assert not result.errors and result.new_source is not None
    assert result.new_source.count(b'"openai/gpt-4o"') == data.count(b'"gpt-4o"')
    print(f"200 KiB file: {seconds:.1f}s")


DEEP = {
    "brackets_1000": HEADER + "x = " + "(" * 1000 + "1" + ")" * 1000 + "\n",
    "chain_20000": HEADER + "x = " + " + ".join(["a"] * 20000) + "\n",
    "attributes_5000": HEADER + "x = a" + ".b" * 5000 + "\n",
    "calls_3000": HEADER + "x = a" + "()" * 3000 + "\n",
    "unary_20000": HEADER + "x = " + "-" * 20000 + "a\n",
    "not_20000": HEADER + "x = " + "not " * 20000 + "a\n",
    "lambda_5000": HEADER + "x = " + "lambda: " * 5000 + "1\n",
    "ternary_3000": HEADER + "x = " + "a if b else " * 3000 + "c\n",
    "strings_3000": HEADER + "x = (\n" + "".join(f'    "s{i}"\n' for i in range(3000)) + ")\n",
    "strings_3000_one_line": HEADER + "x = " + " ".join(f'"s{i}"' for i in range(3000)) + "\n",
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deeply_nested_input_never_crashes(tmp_path: Path, name: str) -> None:
    data = DEEP[name].encode()
    root = _tree(tmp_path, f"{name}.py", data)
    code, out, err, seconds = _cli_process(["migrate", "."], root)
    _no_traceback(err)
    assert code in (0, 2), (code, err)  # never a signal (negative) or 1
    if code == 2:
        assert re.search(rf"^error: {name}\.py(:\d+)?: ", err, re.M), err
        assert (root / f"{name}.py").read_bytes() == data
    else:
        assert "openrouter.ai" in (root / f"{name}.py").read_text()
    _assert_others_processed(root, "migrate", out)
    assert seconds < 60, seconds
    print(f"{name}: exit {code} in {seconds:.1f}s")


# -- paths ------------------------------------------------------------------------


def test_broken_symlink_and_symlink_loop(tmp_path: Path) -> None:
    root = _tree(tmp_path, "b_good.py", GOOD.encode())
    (root / "broken.py").symlink_to(root / "nowhere.py")
    (root / "loop.py").symlink_to(root / "loop.py")
    (root / "loopdir").symlink_to(root / "loopdir")
    code, out, err = run_cli(["migrate", "."], cwd=root)
    assert code == 2
    assert re.search(r"^error: broken\.py: .*(broken|dangling|does not exist)", err, re.M), err
    assert re.search(r"^error: loop\.py: .*", err, re.M), err
    _no_traceback(err)
    _assert_others_processed(root, "migrate", out)
    assert (root / "broken.py").is_symlink() and (root / "loop.py").is_symlink()


def test_directory_named_like_a_python_file(tmp_path: Path) -> None:
    root = _tree(tmp_path, "b_good.py", GOOD.encode())
    (root / "x.py").mkdir()
    (root / "x.py" / "inner.py").write_text(GOOD)
    code, out, err = run_cli(["migrate", "."], cwd=root)
    assert code == 0, err
    assert "openrouter.ai" in (root / "x.py" / "inner.py").read_text()
    # named explicitly, it is walked too
    (root / "x.py" / "inner.py").write_text(GOOD)
    code, out, err = run_cli(["migrate", "x.py"], cwd=root)
    assert code == 0, err
    assert "openrouter.ai" in (root / "x.py" / "inner.py").read_text()


def test_path_that_does_not_exist(tmp_path: Path) -> None:
    root = _tree(tmp_path, "b_good.py", GOOD.encode())
    code, out, err = run_cli(["migrate", "missing.py", "a_good.py", "z_good.py"], cwd=root)
    assert code == 2
    assert re.search(r"^error: missing\.py: .*(no such file|does not exist)", err, re.M), err
    _no_traceback(err)
    _assert_others_processed(root, "migrate", out)


# -- mapping files and options ------------------------------------------------------

MAPPINGS = [
    ("malformed", "models:\n  gpt-4o: [unclosed\n", r"bad\.yaml:\d+: not valid YAML"),
    ("wrong type", "models:\n  gpt-4o: 42\n", r"bad\.yaml:2: .*string"),
    ("not a mapping", "- just\n- a list\n", r"bad\.yaml"),
    (
        "duplicate key",
        "models:\n  gpt-4o: openai/a\n  gpt-4o: openai/b\n",
        r"bad\.yaml:3: .*duplicate",
    ),
    ("python tag", "models: !!python/object/apply:os.system ['touch pwned']\n", r"bad\.yaml:1"),
    ("python name tag", "models:\n  gpt-4o: !!python/name:os.system\n", r"bad\.yaml:2"),
]


@pytest.mark.parametrize("text, message", [m[1:] for m in MAPPINGS], ids=[m[0] for m in MAPPINGS])
@pytest.mark.parametrize("command", ["migrate", "check"])
def test_bad_mapping_file(tmp_path: Path, text: str, message: str, command: str) -> None:
    root = _tree(tmp_path, "b_good.py", GOOD.encode())
    (tmp_path / "bad.yaml").write_text(text)
    before = tree_bytes(root)
    code, out, err = run_cli([command, "--mapping", str(tmp_path / "bad.yaml"), "."], cwd=root)
    assert code == 2
    assert re.search(r"^error: .*" + message, err, re.M | re.I), err
    _no_traceback(err)
    assert tree_bytes(root) == before  # a bad mapping stops the run before any write
    assert not (root / "pwned").exists() and not (tmp_path / "pwned").exists()


def test_missing_mapping_file(tmp_path: Path) -> None:
    root = _tree(tmp_path, "b_good.py", GOOD.encode())
    code, out, err = run_cli(["check", "--mapping", "nope.yaml", "."], cwd=root)
    assert code == 2
    assert "nope.yaml" in err
    _no_traceback(err)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--title-header", "X-Bogus"], "--title-header"),
        (["--no-such-option"], "No such option"),
    ],
)
def test_bad_option_value(tmp_path: Path, args: list[str], message: str) -> None:
    root = _tree(tmp_path, "b_good.py", GOOD.encode())
    before = tree_bytes(root)
    code, out, err = run_cli(["migrate", *args, "."], cwd=root)
    assert code == 2
    assert message in err
    _no_traceback(err)
    assert tree_bytes(root) == before


# -- the top-level guard ------------------------------------------------------------


def test_unexpected_exception_is_an_internal_error_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codemods.core import runner

    def boom(inp):  # type: ignore[no-untyped-def]
        raise RuntimeError("sk-proj-SECRETSECRETSECRET1234 in a message")

    monkeypatch.setattr(runner, "run", boom)
    root = _tree(tmp_path, "b_good.py", GOOD.encode())
    code, out, err = run_cli(["check", "."], cwd=root)
    assert code == 2
    assert err.strip().endswith(
        "error: internal error (RuntimeError): please report it (--verbose shows the traceback)"
    )
    _no_traceback(err)
    assert "SECRET" not in err + out
    code, out, err = run_cli(["--verbose", "check", "."], cwd=root)
    assert code == 2
    assert "Traceback" in err and "RuntimeError" in err
    assert "SECRET" not in err  # --verbose redacts keys in tracebacks too


def test_a_rule_crashing_on_one_file_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from codemods.python.rules import client

    real = client.migrate_constructor

    def crash_on_b(ctx, call, cls_name):  # type: ignore[no-untyped-def]
        if "org-b" in ctx.module.code:
            raise ValueError("boom")
        return real(ctx, call, cls_name)

    monkeypatch.setattr(client, "migrate_constructor", crash_on_b)
    root = _tree(tmp_path, "b.py", GOOD.replace("org-1", "org-b").encode())
    code, out, err = run_cli(["migrate", "."], cwd=root)
    assert code == 2
    assert "error: b.py: internal error (ValueError) while analysing this file; please" in err
    _no_traceback(err)
    assert "org-b" in (root / "b.py").read_text()
    _assert_others_processed(root, "migrate", out)
    code, out, err = run_cli(["--verbose", "check", "b.py"], cwd=root)
    assert code == 2
    assert "Traceback" in err and "ValueError: boom" in err


def test_python_warnings_about_user_code_are_not_printed(tmp_path: Path) -> None:
    """The parse/compile checks must not leak SyntaxWarnings (``x is 1``) to stderr."""
    src = HEADER + 'x = 1\nif x is 1:\n    print("\\d")\n'
    root = _tree(tmp_path, "warn.py", src.encode())
    env_args = ["-W", "default"]  # show every warning, as a developer's Python would
    proc = subprocess.run(
        [sys.executable, *env_args, "-m", "codemods", "migrate", "."],
        cwd=root,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        timeout=120,
    )
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert "Warning" not in err, err
    assert "openrouter.ai" in (root / "warn.py").read_text()
