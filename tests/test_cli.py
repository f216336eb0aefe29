"""The command line: exit codes, severities, --fail-on/--exit-zero/--quiet,
the summary on stderr, colors, progress, and real subprocesses."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from codemods import __version__
from codemods.cli import _Progress, main
from codemods.core.report import color_diff, use_color
from tests.conftest import ROOT
from tests.helpers import cli_runner

UNMIGRATED = """\
import os
from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
r = client.chat.completions.create(model="gpt-4o", messages=[])
"""
WARNING_ONLY = """\
from openai import AzureOpenAI
client = AzureOpenAI(azure_endpoint="https://x.openai.azure.com", api_version="2024-06-01")
"""
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "app.py").write_text(UNMIGRATED)
    (tmp_path / "azure.py").write_text(WARNING_ONLY)
    (tmp_path / "clean.py").write_text("print('hi')\n")
    (tmp_path / "broken.py").write_text("from openai import OpenAI\nx = (\n")
    monkeypatch.chdir(tmp_path)
    for var in ("NO_COLOR", "FORCE_COLOR", "CI"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def invoke(*args: str, env: dict[str, str] | None = None):
    return cli_runner().invoke(main, list(args), catch_exceptions=False, env=env)


# --- exit codes and severities --------------------------------------------------


def test_exit_codes(proj: Path) -> None:
    assert invoke("check", "clean.py").exit_code == 0
    assert invoke("check", "app.py").exit_code == 1
    assert invoke("check", "azure.py").exit_code == 1  # any finding fails by default
    assert invoke("check", "broken.py").exit_code == 2
    assert invoke("check", "app.py", "broken.py").exit_code == 2  # errors win
    assert invoke("check", "missing.py").exit_code == 2
    assert invoke("check", "--format", "xml", ".").exit_code == 2  # usage error


def test_fail_on(proj: Path) -> None:
    r = invoke("check", "--fail-on", "error", "azure.py")
    assert r.exit_code == 0
    assert "OR102" in r.stdout  # still reported
    assert "warnings and above fail" not in r.stderr
    assert "only errors fail the run (--fail-on error)" in r.stderr
    assert invoke("check", "--fail-on", "error", "app.py").exit_code == 1
    assert invoke("check", "--fail-on", "warning", "azure.py").exit_code == 1


def test_exit_zero(proj: Path) -> None:
    r = invoke("check", "--exit-zero", "app.py", "azure.py")
    assert r.exit_code == 0 and "OR101" in r.stdout and "OR102" in r.stdout
    # a file that could not be checked is still an error
    assert invoke("check", "--exit-zero", "broken.py").exit_code == 2


def test_summary_on_stderr_and_quiet(proj: Path) -> None:
    r = invoke("check", "app.py", "azure.py")
    assert r.stderr.strip() == (
        "Found 3 findings in 2 files; 2 fixable with `openrouter-migrate migrate`."
    )
    assert "Found" not in r.stdout
    q = invoke("check", "-q", "app.py", "azure.py")
    assert q.stdout == r.stdout and q.stderr == ""
    q = invoke("check", "--quiet", "broken.py")
    assert q.stderr.startswith("error: broken.py:") and "Found" not in q.stderr
    r = invoke("check", "clean.py")
    assert r.stdout == "" and r.stderr == "No unmigrated OpenAI usage found.\n"


def test_severity_shows_in_every_machine_format(proj: Path) -> None:
    doc = json.loads(invoke("check", "--format", "json", "app.py", "azure.py").stdout)
    assert {(f["code"], f["severity"]) for f in doc["findings"]} == {
        ("OR101", "error"),
        ("OR201", "error"),
        ("OR102", "warning"),
    }


# --- color --------------------------------------------------------------------------


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_use_color_rules() -> None:
    tty, pipe = FakeTTY(), io.StringIO()
    assert use_color(tty, {}) is True
    assert use_color(pipe, {}) is False
    assert use_color(tty, {"NO_COLOR": "1"}) is False
    assert use_color(tty, {"NO_COLOR": ""}) is True  # empty means unset
    assert use_color(pipe, {"FORCE_COLOR": "1"}) is True
    assert use_color(tty, {"FORCE_COLOR": "1", "NO_COLOR": "1"}) is False  # NO_COLOR wins
    assert use_color(tty, {"TERM": "dumb"}) is False
    assert use_color(None, {}) is False


def test_check_colors_only_when_asked(proj: Path) -> None:
    plain = invoke("check", "app.py").stdout
    assert "\x1b[" not in plain
    forced = invoke("check", "app.py", env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" in forced and ANSI.sub("", forced) == plain
    assert invoke("check", "app.py", env={"FORCE_COLOR": "1", "NO_COLOR": "1"}).stdout == plain
    # machine formats never carry color
    out = invoke("check", "--format", "json", "app.py", env={"FORCE_COLOR": "1"}).stdout
    assert "\x1b[" not in out


def test_migrate_diff_colors(proj: Path) -> None:
    plain = invoke("migrate", "--diff", "app.py").stdout
    assert plain.startswith("--- a/app.py\n+++ b/app.py\n@@")
    assert "\x1b[" not in plain
    colored = invoke("migrate", "--diff", "app.py", env={"FORCE_COLOR": "1"}).stdout
    assert ANSI.sub("", colored) == plain
    lines = colored.splitlines()
    assert any(line.startswith("\x1b[31m-client") for line in lines)  # red removals
    assert any(line.startswith("\x1b[32m+client") for line in lines)  # green additions
    assert color_diff(" context\n") == " context\n"


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_real_terminal_gets_color(proj: Path) -> None:
    """stdout on a pseudo-terminal: color without FORCE_COLOR."""
    master, slave = os.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(ROOT)
    env["TERM"] = "xterm"
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "codemods", "check", "app.py"],
            stdout=slave,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
        )
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(master)
    out = b"".join(chunks).decode()
    assert proc.returncode == 1
    assert "\x1b[" in out and "OR101" in ANSI.sub("", out)
    assert b"\x1b[" not in proc.stderr  # stderr is a pipe: no progress, no color


# --- progress ------------------------------------------------------------------------


def test_progress_only_on_a_terminal_and_never_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    p = _Progress("Checked", quiet=False, delay=0)
    assert p.enabled
    p.tick()
    assert "Checked 1 file..." in tty.getvalue()
    p.clear()
    assert tty.getvalue().endswith("\r\x1b[K")

    assert not _Progress("Checked", quiet=True).enabled
    monkeypatch.setenv("CI", "true")
    assert not _Progress("Checked", quiet=False).enabled
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a pipe
    p = _Progress("Checked", quiet=False, delay=0)
    p.tick()
    assert not p.enabled and sys.stderr.getvalue() == ""


def test_progress_waits_before_showing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    tty = FakeTTY()
    monkeypatch.setattr(sys, "stderr", tty)
    p = _Progress("Checked", quiet=False, delay=60)
    for _ in range(100):
        p.tick()
    p.clear()
    assert tty.getvalue() == ""  # a short run shows nothing


# --- real processes ---------------------------------------------------------------------


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_module_entry_point_as_a_subprocess(proj: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "codemods", "check", "--format", "json", "."],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
    )
    assert proc.returncode == 2, proc.stderr  # broken.py
    doc = json.loads(proc.stdout)
    assert {f["path"] for f in doc["findings"]} == {"app.py", "azure.py"}
    assert [e["path"] for e in doc["errors"]] == ["broken.py"]
    assert "Found 3 findings in 2 files" in proc.stderr
    proc = subprocess.run(
        [sys.executable, "-m", "codemods", "check", "clean.py"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
    )
    assert proc.returncode == 0 and proc.stdout == ""


def test_installed_console_script_runs() -> None:
    bindir = Path(sys.executable).parent
    script = bindir / ("openrouter-migrate.exe" if os.name == "nt" else "openrouter-migrate")
    if not script.exists():
        pytest.skip(f"no console script next to {sys.executable} (package not installed)")
    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert re.fullmatch(r"openrouter-migrate, version \d+\.\d+\.\d+\S*\n", proc.stdout)
    assert __version__.count(".") == 2


def _many_files(tmp_path: Path, n: int = 800) -> Path:
    root = tmp_path / "many"
    root.mkdir()
    for i in range(n):
        (root / f"m{i:03}.py").write_text(
            "from openai import OpenAI\n\n"
            "client = OpenAI()\n"
            f"r = client.chat.completions.create(model='gpt-4o', messages=[], n={i})\n"
        )
    return root


@pytest.mark.parametrize("command", ["check", "migrate", "diff"])
def test_a_reader_that_goes_away_ends_nothing_badly(tmp_path: Path, command: str) -> None:
    """``check . | head -1``: no internal error, no traceback; ``migrate``
    still migrates every file, ``check`` still exits 1 (findings),
    ``migrate --diff`` (a patch written as bytes) still ends with its summary."""
    root = _many_files(tmp_path)
    extra = {"migrate": ["--allow-dirty"], "diff": ["--diff"]}.get(command, [])
    if command == "diff":
        command = "migrate"
    proc = subprocess.Popen(
        [sys.executable, "-m", "codemods", command, "--no-cache", "--jobs", "1", *extra, "."],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # the reader goes away after one line
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert first
    assert "internal error" not in err and "Traceback" not in err
    assert "Exception ignored" not in err
    if command == "check":
        assert code == 1
    elif "--diff" in extra:
        assert code == 0, err
        assert "Would migrate" in err
    else:
        assert code == 0, err
        assert all("openai/gpt-4o" in p.read_text() for p in root.glob("*.py"))
