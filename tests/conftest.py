from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@pytest.fixture
def fixture_copy(tmp_path: Path):
    """Copy a fixture repository into a temporary directory (keeping modes)."""

    def make(name: str) -> Path:
        dest = tmp_path / name
        shutil.copytree(FIXTURES / name, dest, symlinks=True)
        return dest

    return make


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` (relative POSIX path -> bytes)."""
    out: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.is_symlink():
                continue
            out[p.relative_to(root).as_posix()] = p.read_bytes()
    return out


# The snapshot trees hold the sample apps' own test files: not ours to run.
collect_ignore_glob = ["snapshots/*"]


# --- hypothesis profiles -------------------------------------------------------
# CI runs a bounded number of examples ("ci", the default). Fuzz for longer with
# `pytest --hypothesis-profile=fuzz tests/test_fuzz.py` or HYPOTHESIS_PROFILE=fuzz.

from hypothesis import HealthCheck, settings  # noqa: E402

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=_SLOW_OK, derandomize=False
)
settings.register_profile("fuzz", max_examples=3000, deadline=None, suppress_health_check=_SLOW_OK)
settings.register_profile("quick", max_examples=10, deadline=None, suppress_health_check=_SLOW_OK)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def run_cli(args: list[str], cwd: Path | None = None) -> tuple[int, str, str]:
    """Run the CLI in-process (this worktree's code): (exit code, stdout, stderr).
    Exceptions are caught, as in production: a traceback shows in stderr."""
    from codemods.cli import main
    from tests.helpers import cli_runner

    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = cli_runner().invoke(main, args)
    finally:
        os.chdir(old)
    err = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        err += "".join(traceback.format_exception(*result.exc_info))  # type: ignore[misc]
    return result.exit_code, result.stdout, err


def tree_state(root: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every entry below ``root``: bytes (files), mtime_ns and mode; symlinks by target."""
    out: dict[str, tuple[bytes, int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames]):
            p = Path(dirpath) / name
            st = p.lstat()
            if p.is_symlink():
                data = os.readlink(p).encode()
            elif p.is_file():
                data = p.read_bytes()
            else:
                data = b"<dir>"
            out[p.relative_to(root).as_posix()] = (data, st.st_mtime_ns, st.st_mode)
    return out


def pytest_configure(config: pytest.Config) -> None:
    # The engine's deep-stack worker raises the (process-wide) recursion limit
    # when it starts; start it now, so hypothesis does not see the limit change
    # during a test (and warn).
    from codemods.python.engine import _run_deep

    _run_deep(lambda: None)


@pytest.fixture(autouse=True)
def _no_result_cache(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests look at exactly the files a run leaves behind: runs do not write
    the result cache unless the test is about the cache (``uses_cache``)."""
    if request.node.get_closest_marker("uses_cache") is None:
        monkeypatch.setenv("OPENROUTER_MIGRATE_NO_CACHE", "1")
    else:
        monkeypatch.delenv("OPENROUTER_MIGRATE_NO_CACHE", raising=False)
