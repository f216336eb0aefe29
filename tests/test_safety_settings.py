"""Settings that cannot work are bad input: exit 2 naming the option (or the
file and the key), before any file is read, never an internal error and
never a silently ignored setting (issue 12, items 7 and 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from codemods.cli import main
from tests.conftest import tree_bytes
from tests.helpers import cli_runner

APP = """\
import os
from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
r = client.chat.completions.create(model="gpt-4o", messages=[])
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    write(root / "app.py", APP)
    monkeypatch.chdir(root)
    return root


def invoke(*args: str):
    return cli_runner().invoke(main, list(args), catch_exceptions=False)


def assert_refused(proj: Path, args: list[str], *words: str) -> None:
    before = tree_bytes(proj)
    for command in (["migrate"], ["migrate", "--diff"], ["check"]):
        r = invoke(*command, *args, ".")
        assert r.exit_code == 2, (command, r.stdout, r.stderr)
        assert "internal error" not in r.stderr
        for w in words:
            assert w in r.stderr, (w, r.stderr)
        assert r.stdout == ""
    assert tree_bytes(proj) == before


# --- item 7: header values ------------------------------------------------------

BAD_HEADER_VALUES = [
    ("a\nb", "control character"),
    ("a\rb", "control character"),
    ("a\tb", "control character"),
    ("a\x00b", "control character"),
    ("a\x7fb", "control character"),
    ("a\x1bb", "control character"),
    ("a\u2028b", "control character"),
    ("a\u0085b", "control character"),
    ("Café", "non-ASCII"),
    (" padded", "whitespace"),
]


@pytest.mark.parametrize("value, words", BAD_HEADER_VALUES)
def test_app_title_that_cannot_be_a_header_is_refused(proj: Path, value: str, words: str) -> None:
    assert_refused(proj, ["--app-title", value], "--app-title", words)


@pytest.mark.parametrize(
    "value, words",
    [
        ("https://example.com/a\nb", "control character"),
        ("https://example.com/\x7f", "control character"),
        ("https://café.example", "non-ASCII"),
        ("https://example.com/a b", "whitespace"),
        ("example.com", "no scheme"),
        ("not a url", "whitespace"),
        ("mailto:me@example.com", "http(s) URL"),
        ("https://", "no host"),
    ],
)
def test_app_url_that_is_not_a_url_or_not_a_header_is_refused(
    proj: Path, value: str, words: str
) -> None:
    assert_refused(proj, ["--app-url", value], "--app-url", words)


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("app-title", "a\\nb", "control character"),
        ("app-title", "a\\u0000b", "control character"),
        ("app-title", "Café", "non-ASCII"),
        ("app-url", "https://example.com/\\tx", "control character"),
        ("app-url", "example.com", "no scheme"),
        ("app-url", "my app", "whitespace"),
    ],
)
def test_header_values_in_config_are_checked_too(
    proj: Path, key: str, value: str, words: str
) -> None:
    cfg = write(proj / "pyproject.toml", f'[tool.openrouter-migrate]\n{key} = "{value}"\n')
    assert_refused(proj, [], str(cfg), repr(f"tool.openrouter-migrate.{key}"), words)


def test_good_header_values_still_work(proj: Path) -> None:
    r = invoke(
        "migrate",
        "--diff",
        "--app-title",
        "My App: v2 (beta)",
        "--app-url",
        "https://ex.com/a?b=c",
        ".",
    )
    assert r.exit_code == 0, r.stderr
    assert '"X-Title": "My App: v2 (beta)"' in r.stdout
    assert '"HTTP-Referer": "https://ex.com/a?b=c"' in r.stdout


# --- item 8: base-url -------------------------------------------------------------


@pytest.mark.parametrize(
    "value, words",
    [
        ("https://open router.ai/api/v1", "whitespace"),
        ("https://openrouter.ai/api/v1 ", "whitespace"),
        ("openrouter.ai/api/v1", "no scheme"),
        ("https://openrouter.ai/api/\nv1", "control character"),
    ],
)
def test_base_url_with_spaces_or_without_scheme_is_refused(
    proj: Path, value: str, words: str
) -> None:
    assert_refused(proj, ["--base-url", value], "--base-url", words)
    cfg = write(
        proj / "pyproject.toml",
        "[tool.openrouter-migrate]\nbase-url = " + repr(value).replace("'", '"') + "\n",
    )
    assert_refused(proj, [], str(cfg), "'tool.openrouter-migrate.base-url'", words)


# --- item 8: the config file ----------------------------------------------------------


@pytest.mark.parametrize(
    "table",
    [
        "tool.openrouter_migrate",
        "tool.openrouter-migrat",
        "tool.OpenRouter-Migrate",
        "openrouter-migrate",
        "tool.openrouter.migrate",
    ],
)
def test_misspelt_table_is_an_error_with_did_you_mean(proj: Path, table: str) -> None:
    cfg = write(proj / "pyproject.toml", f'[{table}]\nbase-url = "https://x.example/v1"\n')
    assert_refused(proj, [], str(cfg), "did you mean [tool.openrouter-migrate]")
    r = invoke("check", "--config", str(cfg), ".")
    assert r.exit_code == 2 and "did you mean [tool.openrouter-migrate]" in r.stderr


def test_unrelated_tables_are_not_taken_for_misspellings(proj: Path) -> None:
    write(proj / "pyproject.toml", "[tool.openrouter]\nx = 1\n[tool.ruff]\nline-length = 100\n")
    r = invoke("check", ".")
    assert r.exit_code == 1, r.stderr


def test_config_dev_null_is_an_empty_config(proj: Path) -> None:
    r = invoke("check", "--config", "/dev/null", ".")
    assert r.exit_code == 1, r.stderr
    assert "does not exist" not in r.stderr and "OR101" in r.stdout


def test_config_that_does_not_exist_or_is_a_directory(proj: Path) -> None:
    r = invoke("check", "--config", "nope.toml", ".")
    assert r.exit_code == 2 and "nope.toml" in r.stderr and "does not exist" in r.stderr


def test_other_toml_file_with_the_tool_table_is_read(proj: Path) -> None:
    cfg = write(proj / "x.toml", '[tool.openrouter-migrate]\nbase-url = "https://gw.example/v1"\n')
    r = invoke("migrate", "--diff", "--config", str(cfg), ".")
    assert r.exit_code == 0, r.stderr
    assert 'base_url="https://gw.example/v1"' in r.stdout
    # its keys are named with the table's prefix
    write(cfg, '[tool.openrouter-migrate]\nexclud = ["x"]\n')
    r = invoke("check", "--config", str(cfg), ".")
    assert r.exit_code == 2 and "'tool.openrouter-migrate.exclud'" in r.stderr


def test_other_toml_file_with_another_tool_table_gets_a_hint(proj: Path) -> None:
    cfg = write(proj / "x.toml", "[tool.ruff]\nline-length = 100\n")
    r = invoke("check", "--config", str(cfg), ".")
    assert r.exit_code == 2
    assert "top level" in r.stderr and "[tool.openrouter-migrate]" in r.stderr, r.stderr
    both = write(proj / "y.toml", 'base-url = "https://a.example/v1"\n[tool.openrouter-migrate]\n')
    r = invoke("check", "--config", str(both), ".")
    assert r.exit_code == 2 and "keep one" in r.stderr, r.stderr


# --- item 8: mapping files --------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "{}\n", "---\n"])
def test_empty_mapping_file_is_refused(proj: Path, text: str) -> None:
    m = write(proj / "m.yaml", text)
    assert_refused(proj, ["--mapping", str(m)], str(m), "empty")


def test_mapping_with_sections_commented_out_is_still_fine(proj: Path) -> None:
    m = write(proj / "m.yaml", "models:\n  # gpt-4o: openai/gpt-4o\n")
    r = invoke("check", "--mapping", str(m), ".")
    assert r.exit_code == 1, r.stderr


@pytest.mark.parametrize("section", ["models", "no_equivalent"])
def test_upper_case_mapping_key_is_refused(proj: Path, section: str) -> None:
    value = "openai/gpt-4o" if section == "models" else "gone"
    m = write(proj / "m.yaml", f"{section}:\n  GPT-4o: {value}\n")
    assert_refused(proj, ["--mapping", str(m)], str(m), "GPT-4o", "lower-case", "'gpt-4o'")
