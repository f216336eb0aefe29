"""Migration units: a file refused (or failing) leaves no file that depends
on it half migrated (issue #11 item 4; codemods/core/units.py).

``b.py`` sends ``model="gpt-4o"`` through the client ``a.py`` builds: its
model ID is rewritten only because ``a.py``'s client moves. Either both are
written or neither is; files outside the unit are written as usual.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_cli

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

CLIENT = "from openai import OpenAI\n\nclient = OpenAI()\n"
USER = 'from a import client\n\nclient.chat.completions.create(model="gpt-4o", messages=[])\n'
ALONE = (
    "from openai import OpenAI\n\n"
    "other = OpenAI()\n"
    'other.chat.completions.create(model="gpt-4o-mini", messages=[])\n'
)
# a model constant rewritten only because app.py's client moves
SETTINGS = 'CHAT_MODEL = "gpt-4o"\n'
APP = (
    "from openai import OpenAI\n\n"
    "from settings import CHAT_MODEL\n\n"
    "client = OpenAI()\n"
    "client.chat.completions.create(model=CHAT_MODEL, messages=[])\n"
)


def _git(repo: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(repo),
    )
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    for name, text in files.items():
        (repo / name).write_text(text)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "init")
    return repo


def _tree(files: dict[str, str], root: Path) -> Path:
    root.mkdir(exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


@needs_git
@pytest.mark.parametrize("dirty", ["a.py", "b.py"])
def test_a_dirty_member_keeps_its_whole_unit_unwritten(tmp_path: Path, dirty: str) -> None:
    repo = _repo(tmp_path, {"a.py": CLIENT, "b.py": USER, "c.py": ALONE})
    (repo / dirty).write_text((repo / dirty).read_text() + "# being edited\n")
    before = {n: (repo / n).read_text() for n in ("a.py", "b.py")}
    code, _, err = run_cli(["migrate", "--no-cache", "."], cwd=repo)
    assert code == 2
    assert f"{dirty}: has uncommitted changes: not written" in err
    other = "b.py" if dirty == "a.py" else "a.py"
    assert f"{other}: not written: its fixes were decided together with {dirty}" in err
    for name, text in before.items():
        assert (repo / name).read_text() == text
    # an independent file is still written
    assert "openrouter.ai" in (repo / "c.py").read_text()
    assert '"openai/gpt-4o-mini"' in (repo / "c.py").read_text()
    # once the file is committed, the unit moves whole
    _git(repo, "commit", "-q", "-am", "edit")
    code, _, err = run_cli(["migrate", "--no-cache", "."], cwd=repo)
    assert code == 0, err
    assert "openrouter.ai" in (repo / "a.py").read_text()
    assert '"openai/gpt-4o"' in (repo / "b.py").read_text()


@needs_git
@pytest.mark.parametrize("dirty", ["settings.py", "app.py"])
def test_a_model_constant_and_the_client_it_is_sent_through_move_together(
    tmp_path: Path, dirty: str
) -> None:
    repo = _repo(tmp_path, {"settings.py": SETTINGS, "app.py": APP, "c.py": ALONE})
    (repo / dirty).write_text((repo / dirty).read_text() + "# being edited\n")
    before = {n: (repo / n).read_text() for n in ("settings.py", "app.py")}
    code, _, err = run_cli(["migrate", "--no-cache", "."], cwd=repo)
    assert code == 2
    other = "app.py" if dirty == "settings.py" else "settings.py"
    assert f"{other}: not written: its fixes were decided together with {dirty}" in err
    for name, text in before.items():
        assert (repo / name).read_text() == text
    assert "openrouter.ai" in (repo / "c.py").read_text()
    # --allow-dirty: the whole unit is written
    code, _, err = run_cli(["migrate", "--no-cache", "--allow-dirty", "."], cwd=repo)
    assert code == 0, err
    assert '"openai/gpt-4o"' in (repo / "settings.py").read_text()
    assert "openrouter.ai" in (repo / "app.py").read_text()


def _fail_on(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The analysis of ``name`` raises once it gets another file's facts."""
    from codemods.python import engine

    real = engine.analyze_source

    def analyze(path, data, config, **kw):  # type: ignore[no-untyped-def]
        if path.endswith(name) and kw.get("project") is not None:
            raise RuntimeError("boom")
        return real(path, data, config, **kw)

    monkeypatch.setattr(engine, "analyze_source", analyze)


def test_a_member_whose_analysis_failed_keeps_its_unit_unwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree({"a.py": CLIENT, "b.py": USER, "c.py": ALONE}, tmp_path / "t")
    _fail_on(monkeypatch, "b.py")
    code, _, err = run_cli(["migrate", "--no-cache", "--jobs", "1", str(root)])
    assert code == 2
    assert "b.py: internal error: RuntimeError: boom" in err
    assert "a.py: not written: its fixes were decided together with" in err
    assert (root / "a.py").read_text() == CLIENT
    assert "openrouter.ai" in (root / "c.py").read_text()


def test_diff_leaves_out_a_unit_with_a_failing_member(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree({"settings.py": SETTINGS, "app.py": APP, "c.py": ALONE}, tmp_path / "t")
    _fail_on(monkeypatch, "settings.py")
    code, out, err = run_cli(["migrate", "--no-cache", "--jobs", "1", "--diff", "t"], cwd=tmp_path)
    assert code == 2
    assert "t/app.py: not in the patch: its fixes were decided together with" in err
    assert "app.py" not in out
    assert "+++ b/t/c.py" in out


def test_a_member_that_cannot_be_written_keeps_its_unit_unwritten(tmp_path: Path) -> None:
    root = _tree({"a.py": CLIENT, "b.py": USER, "c.py": ALONE}, tmp_path / "t")
    os.link(root / "a.py", tmp_path / "a-link.py")  # a hard link: refused
    code, _, err = run_cli(["migrate", "--no-cache", str(root)])
    assert code == 2
    assert "a.py: has 2 hard links; not written" in err
    assert "b.py: not written: its fixes were decided together with" in err
    assert (root / "b.py").read_text() == USER
    assert "openrouter.ai" in (root / "c.py").read_text()


def test_a_write_that_fails_midway_puts_the_written_members_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree({"a.py": CLIENT, "b.py": USER, "c.py": ALONE}, tmp_path / "t")
    from codemods.core import writer

    real = writer.write_atomic

    def write(path, new, *, expected_old):  # type: ignore[no-untyped-def]
        if str(path).endswith("b.py"):
            raise writer.WriteError(path, "cannot write: disk full")
        real(path, new, expected_old=expected_old)

    monkeypatch.setattr(writer, "write_atomic", write)
    code, _, err = run_cli(["migrate", "--no-cache", str(root)])
    assert code == 2
    assert "b.py: cannot write: disk full" in err
    assert "a.py: not written: its fixes were decided together with" in err
    assert (root / "a.py").read_text() == CLIENT  # written, then put back
    assert (root / "b.py").read_text() == USER
    assert "openrouter.ai" in (root / "c.py").read_text()


@needs_git
def test_a_file_named_alone_gets_what_the_tree_run_gives_it(tmp_path: Path) -> None:
    """Named alone (pre-commit), b.py is written as the run of the tree would
    write it (issue #11 item 10), with a note that a.py must move too; and
    refused, like in the tree run, when a.py is dirty."""
    repo = _repo(tmp_path, {"a.py": CLIENT, "b.py": USER})
    code, _, err = run_cli(["migrate", "--no-cache", "b.py"], cwd=repo)
    assert code == 0, err
    assert "note: b.py: its fixes were decided together with a.py, which this run" in err
    assert '"openai/gpt-4o"' in (repo / "b.py").read_text()
    assert (repo / "a.py").read_text() == CLIENT
    _git(repo, "checkout", "b.py")
    (repo / "a.py").write_text(CLIENT + "# being edited\n")
    code, _, err = run_cli(["migrate", "--no-cache", "b.py"], cwd=repo)
    assert code == 2
    assert "b.py: not written: its fixes were decided together with a.py, which has " in err
    assert (repo / "b.py").read_text() == USER


@needs_git
def test_the_module_client_configuration_and_its_callers_are_one_unit(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        {
            "config.py": 'import os\n\nimport openai\n\nopenai.api_key = os.environ["OPENAI_API_KEY"]\n',
            "main.py": "import openai\n\nimport config\n\n"
            'openai.chat.completions.create(model="gpt-4o", messages=[])\n',
        },
    )
    (repo / "config.py").write_text((repo / "config.py").read_text() + "# being edited\n")
    code, _, err = run_cli(["migrate", "--no-cache", "."], cwd=repo)
    assert code == 2
    assert "main.py: not written: its fixes were decided together with config.py" in err
    assert '"gpt-4o"' in (repo / "main.py").read_text()


@needs_git
def test_a_function_and_the_callers_that_pass_it_a_client_are_one_unit(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        {
            "helpers.py": "def ask(client, text):\n"
            '    return client.chat.completions.create(model="gpt-4o", messages=[])\n',
            "run.py": "from openai import OpenAI\n\nfrom helpers import ask\n\n"
            'ask(OpenAI(), "hi")\n',
        },
    )
    (repo / "run.py").write_text((repo / "run.py").read_text() + "# being edited\n")
    code, _, err = run_cli(["migrate", "--no-cache", "."], cwd=repo)
    assert code == 2
    assert "helpers.py: not written: its fixes were decided together with run.py" in err
    assert '"gpt-4o"' in (repo / "helpers.py").read_text()


@needs_git
@pytest.mark.parametrize(
    ("files", "dirty", "user"),
    [
        # a module imported whole: ``clients.client``
        (
            {
                "clients.py": CLIENT,
                "user.py": USER.replace("from a import client", "import clients").replace(
                    "client.chat", "clients.client.chat"
                ),
            },
            "clients.py",
            "user.py",
        ),
        # a submodule of a package imported whole: ``sub.clients.client``
        (
            {
                "pkg/__init__.py": "",
                "pkg/sub/__init__.py": "",
                "pkg/sub/clients.py": CLIENT,
                "user.py": "from pkg import sub\n\n"
                'sub.clients.client.chat.completions.create(model="gpt-4o", messages=[])\n',
            },
            "pkg/sub/clients.py",
            "user.py",
        ),
        # a pytest fixture of a conftest.py
        (
            {
                "tests/conftest.py": "import pytest\nfrom openai import OpenAI\n\n\n"
                "@pytest.fixture\ndef client():\n    return OpenAI()\n",
                "tests/test_chat.py": "def test_chat(client):\n"
                '    client.chat.completions.create(model="gpt-4o", messages=[])\n',
            },
            "tests/conftest.py",
            "tests/test_chat.py",
        ),
    ],
    ids=["module", "package", "fixture"],
)
def test_a_client_read_off_a_module_or_a_fixture_and_its_users_are_one_unit(
    tmp_path: Path, files: dict[str, str], dirty: str, user: str
) -> None:
    repo = tmp_path / "repo"
    for name in files:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
    _git(repo, "init", "-q")
    for name, text in files.items():
        (repo / name).write_text(text)
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "init")
    (repo / dirty).write_text((repo / dirty).read_text() + "# being edited\n")
    code, _, err = run_cli(["migrate", "--no-cache", "."], cwd=repo)
    assert code == 2
    assert f"{user}: not written: its fixes were decided together with {dirty}" in err
    assert (repo / user).read_text() == files[user]


@needs_git
@pytest.mark.parametrize("dirty", ["llms.py", "app.py"])
def test_a_langchain_model_and_a_model_bound_to_it_elsewhere_are_one_unit(
    tmp_path: Path, dirty: str
) -> None:
    # issue #11: ``fast = llm.bind(model=...)`` in app.py is rewritten only
    # because llms.py's ChatOpenAI moves
    files = {
        "llms.py": 'from langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI(model="gpt-4o")\n',
        "app.py": 'from llms import llm\n\nfast = llm.bind(model="gpt-4o-mini")\n',
    }
    repo = _repo(tmp_path, files)
    (repo / dirty).write_text((repo / dirty).read_text() + "# being edited\n")
    code, _, err = run_cli(["migrate", "--no-cache", "."], cwd=repo)
    assert code == 2
    other = "app.py" if dirty == "llms.py" else "llms.py"
    assert f"{other}: not written: its fixes were decided together with {dirty}" in err
    code, _, err = run_cli(["migrate", "--no-cache", "--allow-dirty", "."], cwd=repo)
    assert code == 0, err
    assert "openrouter.ai" in (repo / "llms.py").read_text()
    assert 'llm.bind(model="openai/gpt-4o-mini")' in (repo / "app.py").read_text()


@needs_git
@pytest.mark.parametrize("dirty", ["clients.py", "app.py"])
def test_a_reexported_client_and_the_models_sent_through_it_are_one_unit(
    tmp_path: Path, dirty: str
) -> None:
    # app.py reads pkg/clients.py's client through pkg/__init__.py (issue #11)
    repo = tmp_path / "repo"
    (repo / "pkg").mkdir(parents=True)
    files = {
        "pkg/__init__.py": "from .clients import client\n",
        "pkg/clients.py": CLIENT,
        "app.py": USER.replace("from a import", "from pkg import"),
    }
    for name, text in files.items():
        (repo / name).write_text(text)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "init")
    path = "pkg/clients.py" if dirty == "clients.py" else dirty
    (repo / path).write_text((repo / path).read_text() + "# being edited\n")
    code, _, err = run_cli(["migrate", "--no-cache", "."], cwd=repo)
    assert code == 2
    other = "app.py" if dirty == "clients.py" else "pkg/clients.py"
    assert f"{other}: not written: its fixes were decided together with {path}" in err
    assert "openrouter.ai" not in (repo / "pkg/clients.py").read_text()
    assert '"gpt-4o"' in (repo / "app.py").read_text()
    _git(repo, "commit", "-q", "-am", "edit")
    code, _, err = run_cli(["migrate", "--no-cache", "."], cwd=repo)
    assert code == 0, err
    assert "openrouter.ai" in (repo / "pkg/clients.py").read_text()
    assert '"openai/gpt-4o"' in (repo / "app.py").read_text()
