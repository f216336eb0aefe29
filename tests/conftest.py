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
