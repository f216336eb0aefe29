"""The pre-commit hooks, for real: a temporary git repository uses a
committed copy of this repository as its hook repository, and ``git commit``
runs the hooks.

pre-commit installs the hook repository (``language: python``) into its own
virtual environment with pip, which needs the package index the first time;
PRE_COMMIT_HOME is shared by the tests of one session so that happens once.
Skipped when ``pre-commit`` is not installed (it is in the ``test`` extras, so
CI runs it), or when pip cannot reach the index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

pytestmark = pytest.mark.precommit

UNMIGRATED = """\
import os

from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
r = client.chat.completions.create(model="gpt-4o", messages=[])
"""
MIGRATED = """\
import os

from openai import OpenAI

client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=os.environ["OPENROUTER_API_KEY"])
r = client.chat.completions.create(model="openai/gpt-4o", messages=[])
"""
CLEAN = "def add(a, b):\n    return a + b\n"
NETWORK_TROUBLE = (
    "Could not find a version that satisfies",
    "NewConnectionError",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "No matching distribution found",
)


def _pre_commit() -> str | None:
    beside = Path(sys.executable).parent / "pre-commit"
    if beside.exists():
        return str(beside)
    return shutil.which("pre-commit")


PRE_COMMIT = _pre_commit()
if PRE_COMMIT is None:
    pytest.skip("pre-commit is not installed", allow_module_level=True)
if shutil.which("git") is None:
    pytest.skip("git is not installed", allow_module_level=True)


def git_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        PRE_COMMIT_HOME=str(home),
        PRE_COMMIT_COLOR="never",
    )
    for var in ("NO_COLOR", "FORCE_COLOR", "PYTHONPATH"):
        env.pop(var, None)
    return env


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    proc = run(["git", *args], cwd, env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """A committed copy of this repository's package (the working tree, so
    uncommitted changes are tested too); returns (path, commit, PRE_COMMIT_HOME)."""
    base = tmp_path_factory.mktemp("precommit")
    repo = base / "hook-repo"
    repo.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("codemods", "mappings"):
        shutil.copytree(ROOT / name, repo / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, repo / name)
    home = base / "pre-commit-home"
    env = git_env(home)
    git(repo, env, "init", "-q")
    git(repo, env, "add", "-A")
    git(repo, env, "commit", "-q", "-m", "hook repo")
    rev = git(repo, env, "rev-parse", "HEAD").strip()
    return repo, rev, home


def make_project(tmp_path: Path, hook_repo: tuple[Path, str, Path], hooks: list[str]):
    repo_path, rev, home = hook_repo
    proj = tmp_path / "proj"
    proj.mkdir()
    env = git_env(home)
    git(proj, env, "init", "-q")
    hook_lines = "".join(f"      - id: {h}\n" for h in hooks)
    (proj / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {repo_path}\n    rev: {rev}\n    hooks:\n{hook_lines}"
    )
    git(proj, env, "add", ".pre-commit-config.yaml")
    git(proj, env, "commit", "-q", "--no-verify", "-m", "config")
    install = run([PRE_COMMIT, "install"], proj, env)
    assert install.returncode == 0, install.stdout + install.stderr
    return proj, env


def commit(proj: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    proc = run(["git", "commit", "-m", message], proj, env)
    out = proc.stdout + proc.stderr
    if proc.returncode != 0 and any(s in out for s in NETWORK_TROUBLE):
        pytest.skip("pre-commit could not install the hook environment (no package index)")
    assert "An unexpected error has occurred" not in out, out
    return proc


def test_migrate_hook_fixes_then_passes(tmp_path: Path, hook_repo) -> None:
    proj, env = make_project(tmp_path, hook_repo, ["openrouter-migrate"])
    (proj / "app.py").write_text(UNMIGRATED)
    notebook = FIXTURES / "notebooks" / "ticket_summariser.ipynb"
    shutil.copy2(notebook, proj / "nb.ipynb")
    git(proj, env, "add", "app.py", "nb.ipynb")

    first = commit(proj, env, "add app")
    out = first.stdout + first.stderr
    assert first.returncode != 0, out  # the commit is refused...
    assert "files were modified by this hook" in out
    assert (proj / "app.py").read_text() == MIGRATED  # ...and the files are fixed
    nb = (proj / "nb.ipynb").read_text(encoding="utf-8")
    assert "openai/gpt-4o" in nb and nb != notebook.read_text(encoding="utf-8")
    assert git(proj, env, "log", "--oneline").count("\n") == 1  # nothing committed

    git(proj, env, "add", "app.py", "nb.ipynb")
    second = commit(proj, env, "add app")
    assert second.returncode == 0, second.stdout + second.stderr
    assert git(proj, env, "show", "HEAD:app.py") == MIGRATED

    # a clean file passes at once
    (proj / "util.py").write_text(CLEAN)
    git(proj, env, "add", "util.py")
    third = commit(proj, env, "add util")
    assert third.returncode == 0, third.stdout + third.stderr
    assert (proj / "util.py").read_text() == CLEAN


def test_check_hook_fails_without_writing_and_honours_config(tmp_path: Path, hook_repo) -> None:
    proj, env = make_project(tmp_path, hook_repo, ["openrouter-check"])
    (proj / "pyproject.toml").write_text('[tool.openrouter-migrate]\nexclude = ["legacy"]\n')
    (proj / "legacy").mkdir()
    (proj / "legacy" / "old.py").write_text(UNMIGRATED)  # excluded by the config
    (proj / "util.py").write_text(CLEAN)
    git(proj, env, "add", "-A")
    ok = commit(proj, env, "legacy and util")
    assert ok.returncode == 0, ok.stdout + ok.stderr  # --force-exclude: legacy/ skipped

    (proj / "app.py").write_text(UNMIGRATED)
    git(proj, env, "add", "app.py")
    bad = commit(proj, env, "app")
    out = bad.stdout + bad.stderr
    assert bad.returncode != 0
    assert "app.py:5:10: OR101 [*]" in out and "OR201" in out
    assert (proj / "app.py").read_text() == UNMIGRATED  # check never writes

    (proj / "app.py").write_text(MIGRATED)
    git(proj, env, "add", "app.py")
    good = commit(proj, env, "app migrated")
    assert good.returncode == 0, good.stdout + good.stderr


def test_hook_manifest_is_valid() -> None:
    """pre-commit's own validator accepts .pre-commit-hooks.yaml."""
    proc = subprocess.run(
        [PRE_COMMIT, "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"openrouter-migrate", "openrouter-check"}
    for h in hooks.values():
        assert h["language"] == "python"
        assert {"python", "jupyter"} <= set(h["types_or"])
        assert h["require_serial"] is False
        assert "--force-exclude" in h["entry"]
    assert "--allow-dirty" in hooks["openrouter-migrate"]["entry"]


APP_WITH_CONSTANT = """\
from openai import OpenAI

from settings import CHAT_MODEL

client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key="k")
r = client.chat.completions.create(model=CHAT_MODEL, messages=[])
"""


def test_staged_file_sees_the_constant_in_an_unstaged_module(tmp_path: Path, hook_repo) -> None:
    """pre-commit passes only the staged app.py; the model constant it sends
    lives in settings.py, which is not staged. The hook still sees it (the
    whole project is the context): no "defined in another module" finding,
    exactly as a run over the whole tree."""
    proj, env = make_project(tmp_path, hook_repo, ["openrouter-check"])
    (proj / "settings.py").write_text('CHAT_MODEL = "openai/gpt-4o-mini"\n')  # untracked
    (proj / "app.py").write_text(APP_WITH_CONSTANT)
    git(proj, env, "add", "app.py")
    proc = commit(proj, env, "app")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "OR205" not in out

    # the same constant unmigrated: the finding is settings.py's, reported
    # when settings.py is committed
    (proj / "settings.py").write_text('CHAT_MODEL = "gpt-4o-mini"\n')
    git(proj, env, "add", "settings.py")
    bad = commit(proj, env, "settings")
    out = bad.stdout + bad.stderr
    assert bad.returncode != 0
    assert "settings.py:1:14: OR201" in out, out


# -- the README's example, as printed ---------------------------------------------

README = ROOT / "README.md"
REPO_LINE = re.compile(r"^(\s*-\s*repo:\s*)(\S+)", re.M)


def readme_precommit_block() -> str:
    """The YAML block of the README's pre-commit section."""
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    m = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert m, "the README's pre-commit section lost its YAML block"
    return m.group(1)


def pyproject_version() -> str:
    m = re.search(r'(?m)^version\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text())
    assert m
    return m.group(1)


def test_readme_pins_the_release_tag_of_this_version() -> None:
    """The README's rev and pip pins are the tag of the version pyproject declares
    (the tag ``v<version>`` is created on main when a version is released)."""
    import yaml

    from codemods import __version__

    tag = f"v{pyproject_version()}"
    assert __version__ == pyproject_version()
    config = yaml.safe_load(readme_precommit_block())
    (repo,) = config["repos"]
    assert repo["rev"] == tag
    assert [h["id"] for h in repo["hooks"]] == ["openrouter-migrate", "openrouter-check"]
    text = README.read_text(encoding="utf-8")
    assert "OWNER" not in text
    code = "".join(re.findall(r"```\w*\n(.*?)```", text, re.S))  # what people copy
    # the distribution is not on a package index: no `pip install openrouter-migrate`
    assert not re.search(r"pip install\s+[\"']?openrouter-migrate\b", code)
    pins = re.findall(r"git\+\S*?@(v[\d.]+)", code)
    assert len(pins) == 3 and set(pins) == {tag}  # Install and both CI jobs


def test_readme_precommit_example_works_as_printed(tmp_path: Path, hook_repo) -> None:
    """The README's YAML, with only the repository location replaced by a clone of
    this checkout that has the release tag: ``pre-commit run --all-files`` fixes
    the files (failing, as pre-commit does when a hook changed files), then passes."""
    import yaml

    repo_path, _, home = hook_repo
    env = git_env(home)
    block = readme_precommit_block()
    rev = yaml.safe_load(block)["repos"][0]["rev"]
    clone = tmp_path / "openrouter-migrate"
    git(tmp_path, env, "clone", "-q", str(repo_path), str(clone))
    git(clone, env, "tag", "-a", rev, "-m", f"release {rev}")
    config, n = REPO_LINE.subn(lambda m: m.group(1) + str(clone), block)
    assert n == 1

    proj = tmp_path / "proj"
    proj.mkdir()
    git(proj, env, "init", "-q")
    (proj / ".pre-commit-config.yaml").write_text(config)
    (proj / "app.py").write_text(UNMIGRATED)
    (proj / "util.py").write_text(CLEAN)
    git(proj, env, "add", "-A")

    first = run([PRE_COMMIT, "run", "--all-files"], proj, env)
    out = first.stdout + first.stderr
    if first.returncode != 0 and any(s in out for s in NETWORK_TROUBLE):
        pytest.skip("pre-commit could not install the hook environment (no package index)")
    assert "An unexpected error has occurred" not in out, out
    assert first.returncode == 1, out
    assert "files were modified by this hook" in out
    assert (proj / "app.py").read_text() == MIGRATED
    assert (proj / "util.py").read_text() == CLEAN

    second = run([PRE_COMMIT, "run", "--all-files"], proj, env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "openrouter-check" in second.stdout and "Passed" in second.stdout
