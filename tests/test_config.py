"""``[tool.openrouter-migrate]``: discovery, validation, precedence, and its
effect on real runs (CLI in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codemods.cli import main
from codemods.core.config import FileConfig, anchor_glob, find_config, group_paths, load_config
from tests.conftest import tree_bytes
from tests.helpers import cli_runner

APP = """\
import os
from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"], project="p-1")
r = client.chat.completions.create(model="gpt-4o", messages=[])
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def pyproject(root: Path, body: str) -> Path:
    return write(root / "pyproject.toml", "[tool.openrouter-migrate]\n" + body)


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    write(root / "app.py", APP)
    monkeypatch.chdir(root)
    return root


def invoke(*args: str):
    return cli_runner().invoke(main, list(args), catch_exceptions=False)


def diff(*args: str) -> str:
    r = invoke("migrate", "--diff", *args)
    assert r.exit_code == 0, r.stderr
    return r.stdout


# --- discovery -------------------------------------------------------------------


def test_nearest_pyproject_with_the_table_wins(tmp_path: Path) -> None:
    pyproject(tmp_path, 'base-url = "https://outer.example/v1"\n')
    write(tmp_path / "a" / "pyproject.toml", "[project]\nname = 'a'\n")  # no table: passed over
    inner = pyproject(tmp_path / "a" / "b", 'base-url = "https://inner.example/v1"\n')
    write(tmp_path / "a" / "b" / "c" / "x.py", APP)
    assert find_config([str(tmp_path / "a" / "b" / "c" / "x.py")]) == str(inner)
    assert find_config([str(tmp_path / "a")]) == str(tmp_path / "pyproject.toml")


def test_each_path_gets_its_own_config(tmp_path: Path, monkeypatch) -> None:
    """pre-commit passes the staged files of every project of a monorepo at once."""
    pyproject(tmp_path / "one", 'base-url = "https://one.example/v1"\nfail-on = "error"\n')
    pyproject(tmp_path / "two", 'base-url = "https://two.example/v1"\n')
    for d in ("one", "two", "three"):
        write(tmp_path / d / "app.py", APP)
    write(tmp_path / "one" / "azure.py", "from openai import AzureOpenAI\nc = AzureOpenAI()\n")
    monkeypatch.chdir(tmp_path)
    groups = group_paths(["one/app.py", "two/app.py", "one/azure.py", "three"])
    assert groups == [
        (str(tmp_path / "one" / "pyproject.toml"), ["one/app.py", "one/azure.py"]),
        (str(tmp_path / "two" / "pyproject.toml"), ["two/app.py"]),
        (None, ["three"]),
    ]
    out = diff("one/app.py", "two/app.py", "three")
    chunks = out.split("--- a/")[1:]
    assert [c.split("\n")[0] for c in chunks] == ["one/app.py", "two/app.py", "three/app.py"]
    assert 'base_url="https://one.example/v1"' in chunks[0]
    assert 'base_url="https://two.example/v1"' in chunks[1]
    assert 'base_url="https://openrouter.ai/api/v1"' in chunks[2]
    # fail-on is per project too: one/'s warning does not fail, two/'s would
    assert invoke("check", "one/azure.py").exit_code == 0
    write(tmp_path / "two" / "azure.py", "from openai import AzureOpenAI\nc = AzureOpenAI()\n")
    assert invoke("check", "one/azure.py", "two/azure.py").exit_code == 1
    # a broken config anywhere stops the whole run before anything is written
    write(tmp_path / "two" / "pyproject.toml", "[tool.openrouter-migrate]\nbad = 1\n")
    r = invoke("migrate", "one/app.py", "two/app.py")
    assert r.exit_code == 2 and "'tool.openrouter-migrate.bad'" in r.stderr
    assert (tmp_path / "one" / "app.py").read_text() == APP


def test_config_applies_from_the_paths(proj: Path, tmp_path: Path, monkeypatch) -> None:
    pyproject(proj, 'base-url = "https://cfg.example/v1"\napi-key-env = "CFG_KEY"\n')
    monkeypatch.chdir(tmp_path)  # found from the path, not from the cwd
    out = diff("proj/app.py")
    assert 'base_url="https://cfg.example/v1"' in out
    assert 'os.environ["CFG_KEY"]' in out


# --- precedence --------------------------------------------------------------------


def test_precedence_cli_over_config_over_default(proj: Path) -> None:
    assert 'base_url="https://openrouter.ai/api/v1"' in diff(".")  # default
    pyproject(proj, 'base-url = "https://cfg.example/v1"\napp-title = "Cfg App"\n')
    out = diff(".")
    assert 'base_url="https://cfg.example/v1"' in out  # config over default
    assert '"X-Title": "Cfg App"' in out
    out = diff("--base-url", "https://cli.example/v1", ".")
    assert 'base_url="https://cli.example/v1"' in out  # CLI over config
    assert '"X-Title": "Cfg App"' in out  # the rest of the config still applies
    assert "cfg.example" not in out
    assert 'base_url="https://openrouter.ai/api/v1"' in diff("--isolated", ".")


def test_strip_project_and_title_header(proj: Path) -> None:
    assert 'project="p-1"' not in diff(".").split("+client")[1]
    pyproject(proj, 'strip-project = false\ntitle-header = "X-OpenRouter-Title"\napp-title = "T"\n')
    out = diff(".")
    plus = [line for line in out.splitlines() if line.startswith("+client")]
    assert 'project="p-1"' in plus[0]
    assert '"X-OpenRouter-Title": "T"' in plus[0]
    plus = [
        line for line in diff("--strip-project", ".").splitlines() if line.startswith("+client")
    ]
    assert 'project="p-1"' not in plus[0]


def test_select_ignore_from_config_and_cli(proj: Path) -> None:
    pyproject(proj, 'ignore = ["OR2"]\n')
    r = invoke("check", ".")
    assert [line.split()[1] for line in r.stdout.splitlines()] == ["OR101"]
    # its model ID is not rewritten in this run: the client stays with it
    assert "OR101 [*]" not in r.stdout and "(OR201 not selected)" in r.stdout
    r = invoke("check", "--ignore", "OR1", ".")  # replaces the config's list
    found = [line.split()[1] for line in r.stdout.splitlines()]
    assert "OR101" not in found and "OR201" in found
    # the client is not migrated in this run: its model ID is reported, not fixed
    assert "OR201 [*]" not in r.stdout and "OR101 is not selected" in r.stdout
    pyproject(proj, 'select = ["OR201"]\n')
    r = invoke("check", ".")
    assert [line.split()[1] for line in r.stdout.splitlines()] == ["OR201"]


def test_fail_on_from_config(proj: Path) -> None:
    write(proj / "app.py", "from openai import AzureOpenAI\nc = AzureOpenAI(api_version='1')\n")
    assert invoke("check", ".").exit_code == 1  # a warning fails by default
    pyproject(proj, 'fail-on = "error"\n')
    r = invoke("check", ".")
    assert r.exit_code == 0 and "OR102" in r.stdout
    assert invoke("check", "--fail-on", "warning", ".").exit_code == 1


def test_mappings_are_relative_to_the_config_and_stack(proj: Path, tmp_path: Path) -> None:
    # (targets the catalog lists: one it does not list is OR307, which keeps
    # the client that sends it from moving, see test_unmovable_models.py)
    write(proj / "conf" / "models.yaml", "models:\n  gpt-4o: anthropic/claude-haiku-4.5\n")
    pyproject(proj, 'mappings = ["conf/models.yaml"]\n')
    assert 'model="anthropic/claude-haiku-4.5"' in diff(".")
    cli_map = write(tmp_path / "cli.yaml", "models:\n  gpt-4o: anthropic/claude-opus-4.1\n")
    assert 'model="anthropic/claude-opus-4.1"' in diff("--mapping", str(cli_map), ".")


def test_exclude_and_include_globs(proj: Path) -> None:
    write(proj / "legacy" / "old.py", APP)
    write(proj / "src" / "pkg" / "mod.py", APP)
    write(proj / "scripts" / "run.py", APP)

    def checked(*args: str) -> set[str]:
        r = invoke("check", "--format", "json", *args)
        return {f["path"] for f in json.loads(r.stdout)["findings"]}

    assert checked(".") == {"app.py", "legacy/old.py", "src/pkg/mod.py", "scripts/run.py"}
    pyproject(proj, 'exclude = ["legacy", "scripts/*.py"]\n')
    assert checked(".") == {"app.py", "src/pkg/mod.py"}
    # globs with "/" are relative to the config file, not to the cwd
    assert checked("scripts") == set()
    pyproject(proj, 'include = ["src/*.py"]\n')
    assert checked(".") == {"src/pkg/mod.py"}
    # files named on the command line are always taken
    assert checked("app.py", "src") == {"app.py", "src/pkg/mod.py"}
    # --exclude on the command line replaces the config's
    pyproject(proj, 'exclude = ["legacy"]\n')
    assert "legacy/old.py" in checked("--exclude", "scripts", ".")


def test_force_exclude_for_explicit_files(proj: Path) -> None:
    write(proj / "legacy" / "old.py", APP)
    pyproject(proj, 'exclude = ["legacy"]\n')
    r = invoke("check", "legacy/old.py")
    assert r.exit_code == 1 and "legacy/old.py" in r.stdout  # named: checked
    r = invoke("check", "--force-exclude", "legacy/old.py")
    assert r.exit_code == 0 and r.stdout == ""
    pyproject(proj, 'exclude = ["legacy"]\nforce-exclude = true\n')
    assert invoke("check", "legacy/old.py").exit_code == 0
    assert invoke("check", "--no-force-exclude", "legacy/old.py").exit_code == 1


def test_explicit_config_file(proj: Path, tmp_path: Path) -> None:
    standalone = write(tmp_path / "or.toml", 'base-url = "https://standalone.example/v1"\n')
    assert 'base_url="https://standalone.example/v1"' in diff("--config", str(standalone), ".")
    other = pyproject(tmp_path / "other", 'base-url = "https://other.example/v1"\n')
    assert 'base_url="https://other.example/v1"' in diff("--config", str(other), ".")
    write(tmp_path / "empty" / "pyproject.toml", "[project]\nname='x'\n")
    r = invoke("check", "--config", str(tmp_path / "empty" / "pyproject.toml"), ".")
    assert r.exit_code == 2 and "has no [tool.openrouter-migrate] table" in r.stderr
    r = invoke("check", "--config", str(tmp_path / "missing.toml"), ".")
    assert r.exit_code == 2


# --- errors: named, exit 2, nothing written ----------------------------------------


@pytest.mark.parametrize(
    "body, key, words",
    [
        ('exclud = ["x"]\n', "tool.openrouter-migrate.exclud", "did you mean 'exclude'"),
        ("base-url = 3\n", "tool.openrouter-migrate.base-url", "must be a string, not an integer"),
        ('strip-project = "no"\n', "tool.openrouter-migrate.strip-project", "true or false"),
        ("unsafe-fixes = 1\n", "tool.openrouter-migrate.unsafe-fixes", "true or false"),
        ('exclude = "legacy"\n', "tool.openrouter-migrate.exclude", "array of strings"),
        ("select = [1]\n", "tool.openrouter-migrate.select", "an array with an integer"),
        ('select = ["XY9"]\n', "tool.openrouter-migrate.select", "'XY9' is not a rule code"),
        ('title-header = "X-Foo"\n', "tool.openrouter-migrate.title-header", "one of"),
        ('fail-on = "info"\n', "tool.openrouter-migrate.fail-on", "one of"),
        ('mappings = ["nope.yaml"]\n', "tool.openrouter-migrate.mappings", "does not exist"),
        ('base-url = ""\n', "tool.openrouter-migrate.base-url", "must not be empty"),
        ('base-url = "openrouter.ai/api/v1"\n', "tool.openrouter-migrate.base-url", "http(s) URL"),
        ('max-file-kib = "2MB"\n', "tool.openrouter-migrate.max-file-kib", "must be an integer"),
        ("max-file-kib = true\n", "tool.openrouter-migrate.max-file-kib", "must be an integer"),
        ("max-file-kib = 0\n", "tool.openrouter-migrate.max-file-kib", "from 1 to 65536"),
    ],
)
def test_bad_config_names_file_and_key_and_writes_nothing(
    proj: Path, body: str, key: str, words: str
) -> None:
    cfg = pyproject(proj, body)
    before = tree_bytes(proj)
    for command in ("migrate", "check"):
        r = invoke(command, ".")
        assert r.exit_code == 2, r.stderr
        assert str(cfg) in r.stderr and repr(key) in r.stderr and words in r.stderr, r.stderr
        assert r.stdout == ""
    assert tree_bytes(proj) == before


def test_invalid_toml_is_named(proj: Path) -> None:
    cfg = write(proj / "pyproject.toml", "[tool.openrouter-migrate\nbase-url = 1\n")
    r = invoke("migrate", ".")
    assert r.exit_code == 2 and str(cfg) in r.stderr and "invalid TOML" in r.stderr


def test_table_must_be_a_table(proj: Path) -> None:
    write(proj / "pyproject.toml", '[tool]\nopenrouter-migrate = "yes"\n')
    r = invoke("check", ".")
    assert r.exit_code == 2 and "must be a table" in r.stderr


def test_bad_cli_values_are_errors(proj: Path) -> None:
    r = invoke("check", "--select", "OR8", ".")
    assert r.exit_code == 2 and "--select OR8" in r.stderr
    r = invoke("migrate", "--base-url", "ftp://x", ".")
    assert r.exit_code == 2 and "not an http(s) URL" in r.stderr
    assert (proj / "app.py").read_text() == APP


def test_load_config_values(tmp_path: Path) -> None:
    write(tmp_path / "m.yaml", "models: {}\n")
    cfg = pyproject(
        tmp_path,
        'mappings = ["m.yaml"]\nselect = ["or2"]\nexclude = ["a/*.py", "b", "./c/d"]\n',
    )
    fc = load_config(cfg)
    assert fc == FileConfig(
        path=str(cfg),
        mappings=(str(tmp_path / "m.yaml"),),
        select=("OR2",),
        exclude=(f"{tmp_path.as_posix()}/a/*.py", "b", f"{tmp_path.as_posix()}/c/d"),
    )


def test_anchor_glob_escapes_the_directory() -> None:
    assert anchor_glob("x/*.py", "/r/[a]") == "/r/[[]a]/x/*.py"
    assert anchor_glob("*.py", "/r") == "*.py"
    assert anchor_glob("build/", "/r") == "build/"


def test_max_file_kib_raises_or_lowers_the_size_limit(proj: Path) -> None:
    """A file over the limit is an error (exit 2) naming the limit and the
    key; the same file under a raised limit is analysed."""
    big = APP + "\n".join(f"# padding line {i:05} " + "x" * 60 for i in range(40)) + "\n"
    write(proj / "app.py", big)
    size_kib = len(big.encode()) // 1024
    pyproject(proj, f"max-file-kib = {size_kib - 1}\n")
    r = invoke("check", ".")
    assert r.exit_code == 2
    assert f"over the {size_kib - 1} KiB limit: not analysed" in r.stderr
    assert "max-file-kib" in r.stderr
    pyproject(proj, f"max-file-kib = {size_kib + 1}\n")
    r = invoke("check", ".")
    assert r.exit_code == 1 and "OR201" in r.stdout, r.stderr
