"""Secrets: a hard-coded key is replaced by the environment lookup, reported as
leaked (OR107), and never appears in anything the tool prints: text reports,
``migrate`` output, ``--diff``, error messages, and every ``--output-format``
the CLI offers. Mapping files are data: YAML tags that would run code are refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest

from codemods.cli import main
from codemods.core.engine import EngineConfig
from codemods.core.secrets import redact, redact_text
from codemods.python.engine import process_source
from tests.conftest import run_cli

KEY = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx9f3e"
TAIL = KEY[-4:]
HIDDEN = {KEY, KEY[3:], KEY[8:-4], KEY[-20:]}  # no long piece of the key either

SOURCES = {
    "constructor": f'from openai import OpenAI\nclient = OpenAI(api_key="{KEY}")\n',
    "constructor_multiline": (
        "from openai import OpenAI\nclient = OpenAI(\n"
        f"    api_key='{KEY}',  # TODO move to env\n"
        '    organization="org-1",\n)\n'
    ),
    "expression": f'from openai import OpenAI\nc = OpenAI(api_key="{KEY}" if DEBUG else None)\n',
    "concatenated": (f'from openai import OpenAI\nc = OpenAI(api_key="{KEY[:8]}" "{KEY[8:]}")\n'),
    "fstring": f'from openai import OpenAI\nc = OpenAI(api_key=f"{KEY}")\n',
    "module_level": (
        f'import openai\nopenai.api_key = "{KEY}"\nopenai.ChatCompletion.create(model="gpt-4")\n'
    ),
    "syntax_error_near_key": f'from openai import OpenAI\nclient = OpenAI(api_key="{KEY}"\nx = (\n',
    "syntax_error_on_key_line": (
        f'from openai import OpenAI\nclient = OpenAI(api_key="{KEY}")) = 1\n'
    ),
    "unterminated_key": f'from openai import OpenAI\nclient = OpenAI(api_key="{KEY})\n',
    "py2_print_key": f'import openai\nprint "{KEY}"\n',
}


def _output_formats() -> list[str]:
    """The formats the CLI offers at this commit (json/sarif/github may be added)."""
    check = main.commands["check"]  # type: ignore[attr-defined]
    for p in check.params:
        if p.name in ("output_format", "format") and isinstance(p.type, click.Choice):
            return list(p.type.choices)
    return []


def _assert_no_key(text: str) -> None:
    for piece in HIDDEN:
        assert piece not in text, f"key leaked: {text!r}"


def _tree(tmp_path: Path, name: str) -> Path:
    root = tmp_path / "t"
    root.mkdir()
    (root / "app.py").write_text(SOURCES[name])
    return root


def test_redact_keeps_only_a_hint() -> None:
    assert redact(KEY) == f"'sk-...{TAIL}'"
    assert redact("sk-short") == "'***'"
    assert redact_text(f'x = "{KEY}"  # and {KEY}') == f'x = "sk-...{TAIL}"  # and sk-...{TAIL}'
    assert (
        redact_text('model="openai/gpt-4o-mini-2024-07-18"')
        == 'model="openai/gpt-4o-mini-2024-07-18"'
    )


def test_hard_coded_key_is_replaced_and_reported_as_leaked(tmp_path: Path) -> None:
    root = _tree(tmp_path, "constructor")
    code, out, err = run_cli(["check", "."], cwd=root)
    assert code == 1
    assert f"OR107 [*] hard-coded API key 'sk-...{TAIL}'" in out
    assert "rotate this key" in out
    _assert_no_key(out + err)
    code, out, err = run_cli(["migrate", "."], cwd=root)
    assert code == 0, err
    _assert_no_key(out + err)
    new = (root / "app.py").read_text()
    assert KEY not in new
    assert 'api_key=os.environ["OPENROUTER_API_KEY"]' in new and "import os" in new


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_no_output_ever_contains_the_key(tmp_path: Path, name: str) -> None:
    root = _tree(tmp_path, name)
    outputs = []
    for args in (["check", "."], ["migrate", "--diff", "."], ["--verbose", "check", "."]):
        code, out, err = run_cli(args, cwd=root)
        assert code in (0, 1, 2)
        outputs.append(out + err)
    for fmt in _output_formats():
        code, out, err = run_cli(["check", "--output-format", fmt, "."], cwd=root)
        outputs.append(out + err)
    code, out, err = run_cli(["migrate", "."], cwd=root)
    outputs.append(out + err)
    for text in outputs:
        _assert_no_key(text)


@pytest.mark.parametrize(
    "name",
    ["syntax_error_near_key", "syntax_error_on_key_line", "unterminated_key", "py2_print_key"],
)
def test_syntax_errors_near_a_key_name_the_place_not_the_key(tmp_path: Path, name: str) -> None:
    root = _tree(tmp_path, name)
    code, out, err = run_cli(["check", "."], cwd=root)
    assert code == 2
    assert "error: app.py:" in err
    _assert_no_key(out + err)


def test_diff_shows_the_removed_key_line_redacted(tmp_path: Path) -> None:
    root = _tree(tmp_path, "constructor_multiline")
    code, out, err = run_cli(["migrate", "--diff", "."], cwd=root)
    assert code == 0, err
    # a redacted diff would not apply: not on stdout (the patch), shown on stderr
    assert out == ""
    assert f"-    api_key='sk-...{TAIL}',  # TODO move to env" in err
    assert "note: app.py: not in the patch on stdout" in err
    assert "migrating removes them from the file" in err
    _assert_no_key(out + err)
    assert (root / "app.py").read_text() == SOURCES["constructor_multiline"]  # --diff wrote nothing


def test_findings_data_carries_no_key() -> None:
    """Every field of every finding (what JSON/SARIF reports are built from)."""
    for name, src in SOURCES.items():
        r = process_source(f"{name}.py", src.encode(), EngineConfig())
        blob = json.dumps(r.to_dict() | {"new_source": None})
        _assert_no_key(blob)
        for e in r.errors:
            _assert_no_key(str(e))


@pytest.mark.parametrize("fmt", _output_formats() or ["text"])
def test_every_output_format_redacts(tmp_path: Path, fmt: str) -> None:
    root = _tree(tmp_path, "constructor")
    args = ["check", "."] if fmt == "text" else ["check", "--output-format", fmt, "."]
    code, out, err = run_cli(args, cwd=root)
    assert code == 1
    assert TAIL in out  # the redacted hint is shown
    _assert_no_key(out + err)


# -- mapping files are data ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "models: !!python/object/apply:os.system ['touch {marker}']\n",
        "models:\n  gpt-4o: !!python/object/apply:os.system ['touch {marker}']\n",
        "!!python/object/new:os.system ['touch {marker}']\n",
        "models:\n  gpt-4o: !!python/name:os.system\n",
    ],
)
def test_mapping_yaml_tags_that_run_code_are_refused(tmp_path: Path, text: str) -> None:
    marker = tmp_path / "pwned"
    mapping = tmp_path / "m.yaml"
    mapping.write_text(text.format(marker=marker))
    root = _tree(tmp_path, "constructor")
    code, out, err = run_cli(["check", "--mapping", str(mapping), "."], cwd=root)
    assert code == 2
    assert f"error: {mapping}" in err
    assert not marker.exists()
    assert "Traceback" not in err


def test_mapping_loader_is_safe_by_construction() -> None:
    import yaml

    from codemods.core import mapping

    assert issubclass(mapping._StrictLoader, yaml.SafeLoader)
    source = Path(mapping.__file__).read_text()
    assert "yaml.load(" not in source.replace("yaml.load(text, Loader=_StrictLoader", "")
    assert "unsafe_load" not in source and "FullLoader" not in source


# -- issue 12 item 1: --api-key-env / api-key-env is a variable name ---------------------

OR_KEY = "sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab"


@pytest.mark.parametrize(
    "value",
    ["", " ", "MY KEY", "1KEY", "OPENROUTER-KEY", "KEY\n", OR_KEY, "a1b2c3d4e5f6g7h8i9j0k1"],
)
def test_api_key_env_option_must_be_a_variable_name(tmp_path: Path, value: str) -> None:
    root = _tree(tmp_path, "constructor")
    before = (root / "app.py").read_bytes()
    for cmd in (["migrate"], ["migrate", "--diff"], ["check"]):
        code, out, err = run_cli([*cmd, "--api-key-env", value, "."], cwd=root)
        assert code == 2, (cmd, out, err)
        assert "--api-key-env" in err and "environment variable" in err
        assert OR_KEY[12:-4] not in out + err
        if len(value) > 16:  # key-shaped: never echoed
            assert value[4:-4] not in out + err
        assert "Traceback" not in err
    assert (root / "app.py").read_bytes() == before


@pytest.mark.parametrize("value", ["MY_OPENROUTER_KEY", "_K", "OR_KEY_2"])
def test_api_key_env_option_accepts_variable_names(tmp_path: Path, value: str) -> None:
    root = _tree(tmp_path, "constructor")
    code, out, err = run_cli(["migrate", "--api-key-env", value, "."], cwd=root)
    assert code == 0, err
    assert f'os.environ["{value}"]' in (root / "app.py").read_text()


@pytest.mark.parametrize("value", ["", "MY KEY", "9X", OR_KEY])
def test_api_key_env_in_the_config_must_be_a_variable_name(tmp_path: Path, value: str) -> None:
    root = _tree(tmp_path, "constructor")
    (root / "pyproject.toml").write_text(f'[tool.openrouter-migrate]\napi-key-env = "{value}"\n')
    before = (root / "app.py").read_bytes()
    code, out, err = run_cli(["migrate", "."], cwd=root)
    assert code == 2, err
    assert "pyproject.toml" in err and "api-key-env'" in err
    assert OR_KEY[12:-4] not in out + err
    assert (root / "app.py").read_bytes() == before


# -- issue 12 item 2: credentials inside URLs ------------------------------------------

URL_SECRETS = {
    "userinfo_key": (f"https://user:{KEY}@proxy.example.com/v1", [KEY[8:-4]]),
    "userinfo_password": ("https://bob:hunter2hunter2@proxy.example.com/v1", ["hunter2"]),
    "query_key": (f"https://gw.example.com/v1?key={OR_KEY}", [OR_KEY[12:-4]]),
    "query_api_key": ("https://gw.example.com/v1?api_key=Zx81kQ0pL2mN7vB4cX9zA3", ["Zx81kQ0pL2mN"]),
    "query_token": ("https://gw.example.com/v1?region=eu&token=tok_88aa77bb66cc55dd", ["88aa77bb"]),
}


@pytest.mark.parametrize("name", sorted(URL_SECRETS))
def test_redact_text_hides_url_credentials(name: str) -> None:
    url, pieces = URL_SECRETS[name]
    shown = redact_text(f"base_url set to `{url}`, not OpenAI")
    for piece in pieces:
        assert piece not in shown, shown
    assert "example.com/v1" in shown  # where it points is still said


def test_redact_text_keeps_ordinary_urls() -> None:
    for text in (
        "https://openrouter.ai/api/v1",
        "http://localhost:8000/v1?stream=true&n=2",
        "https://gw.example.com/v1?model=gpt-4o-mini-2024-07-18",
    ):
        assert redact_text(text) == text


def _url_tree(tmp_path: Path, url: str) -> Path:
    root = tmp_path / "t"
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (root / "app.py").write_text(
        "from openai import OpenAI\n"
        f'client = OpenAI(base_url="{url}")\n'
        'client.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    (root / "other.py").write_text(
        "import openai\n"
        f'openai.api_base = "{url}"\n'
        'openai.ChatCompletion.create(model="gpt-4", messages=[])\n'
    )
    return root


@pytest.mark.uses_cache
@pytest.mark.parametrize("name", sorted(URL_SECRETS))
def test_url_credentials_never_reach_any_output_or_the_cache(tmp_path: Path, name: str) -> None:
    url, pieces = URL_SECRETS[name]
    root = _url_tree(tmp_path, url)
    outputs = []
    for args in (["check", "."], ["migrate", "--diff", "."], ["--verbose", "check", "."]):
        code, out, err = run_cli(args, cwd=root)
        assert code in (0, 1), err
        outputs.append(out + err)
    for fmt in _output_formats():
        code, out, err = run_cli(["check", "--output-format", fmt, "."], cwd=root)
        outputs.append(out + err)
    code, out, err = run_cli(["migrate", "."], cwd=root)
    outputs.append(out + err)
    assert any("example.com" in o for o in outputs)  # the findings do name the URL
    for text in outputs:
        for piece in pieces:
            assert piece not in text, text
    cache = root / ".openrouter-migrate-cache"
    for p in cache.rglob("*") if cache.exists() else ():
        if p.is_file():
            data = p.read_bytes()
            for piece in pieces:
                assert piece.encode() not in data and piece.encode().hex().encode() not in data


@pytest.mark.uses_cache
def test_the_cache_never_holds_a_hard_coded_key(tmp_path: Path) -> None:
    root = _tree(tmp_path, "constructor_multiline")
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (root / "plain.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    # the key stays in this file (report only): the migrated source would carry it
    (root / "kept.py").write_text(
        f'import os\nfrom openai import OpenAI\nos.environ["X_KEY"] = "{KEY}"\nc = OpenAI()\n'
    )
    for args in (
        ["check", "."],
        ["migrate", "--diff", "."],
        ["check", "--output-format", "json", "."],
    ):
        run_cli(args, cwd=root)
    cache = root / ".openrouter-migrate-cache"
    files = [p for p in cache.rglob("*.json")]
    assert files  # plain.py is cached
    for p in files:
        data = p.read_bytes()
        for piece in HIDDEN:
            assert piece.encode() not in data
            assert piece.encode().hex().encode() not in data


@pytest.mark.parametrize(
    "url",
    [f"https://user:{KEY}@proxy.example.com/v1", f"https://gw.example.com/v1?key={OR_KEY}"],
)
def test_base_url_option_with_credentials_is_refused(tmp_path: Path, url: str) -> None:
    root = _tree(tmp_path, "constructor")
    before = (root / "app.py").read_bytes()
    code, out, err = run_cli(["migrate", "--base-url", url, "."], cwd=root)
    assert code == 2
    assert "--base-url" in err and "credentials" in err
    for piece in (KEY[8:-4], OR_KEY[12:-4]):
        assert piece not in out + err
    (root / "pyproject.toml").write_text(f'[tool.openrouter-migrate]\nbase-url = "{url}"\n')
    code, out, err = run_cli(["migrate", "."], cwd=root)
    assert code == 2 and "base-url'" in err
    for piece in (KEY[8:-4], OR_KEY[12:-4]):
        assert piece not in out + err
    assert (root / "app.py").read_bytes() == before


# -- issue 12 item 3: the --diff note says what happened ---------------------------------


def test_diff_note_does_not_claim_a_kept_key_is_removed(tmp_path: Path) -> None:
    root = tmp_path / "t"
    root.mkdir()
    (root / "app.py").write_text(
        "import os\nfrom openai import OpenAI\n"
        f'os.environ["OPENAI_API_KEY"] = "{KEY}"\n'
        "client = OpenAI()\n"
    )
    code, out, err = run_cli(["migrate", "--diff", "."], cwd=root)
    assert code == 0, err
    _assert_no_key(out + err)
    assert "removed from the file" not in err
    assert "still" in err and "OR107" in err


@pytest.mark.uses_cache
def test_keys_fixture_repo_never_shows_a_key(fixture_copy) -> None:
    """fixtures/keys holds every shape of key and credential: no output format,
    the --diff, --verbose logs, migrate, a second check, nor the cache shows one."""
    root = fixture_copy("keys")
    (root / "pyproject.toml").write_text("[project]\nname = 'keybot'\n")
    pieces = ["FAKEfakeFAKE", "fake1111fake", "svc-bot"]
    outputs = []
    for args in (["check", "."], ["migrate", "--diff", "."], ["--verbose", "check", "."]):
        outputs.append("".join(run_cli(args, cwd=root)[1:]))
    for fmt in _output_formats():
        outputs.append("".join(run_cli(["check", "--output-format", fmt, "."], cwd=root)[1:]))
    outputs.append("".join(run_cli(["migrate", "."], cwd=root)[1:]))
    outputs.append("".join(run_cli(["check", "."], cwd=root)[1:]))
    assert "OR107" in outputs[-1] and "OR103" in outputs[-1]  # still reported
    for text in outputs:
        for piece in pieces:
            assert piece not in text, text
    cache = root / ".openrouter-migrate-cache"
    entries = [p for p in cache.rglob("*.json")]
    assert entries  # the files without keys are cached
    for p in entries:
        data = p.read_bytes()
        for piece in pieces:
            assert piece.encode() not in data and piece.encode().hex().encode() not in data


@pytest.mark.parametrize("option", ["--title-header", "--jobs", "--fail-on"])
def test_click_usage_errors_never_echo_a_key(tmp_path: Path, option: str) -> None:
    root = _tree(tmp_path, "constructor")
    cmd = ["check"] if option == "--fail-on" else ["migrate"]
    code, out, err = run_cli([*cmd, option, OR_KEY, "."], cwd=root)
    assert code == 2
    assert option in err
    assert OR_KEY[12:-4] not in out + err


# AWS's documented example secret access key: base64, 40 characters, and no
# run of 16 letters and digits that holds a digit (the sk-/token shape misses it)
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
AWS_PIECES = {AWS_SECRET, AWS_SECRET[3:], AWS_SECRET[:-4], "bPxRfiCYEXAMPLE"}


def test_base64_secrets_are_redacted_quoted_or_not() -> None:
    for text in (
        f'aws_secret = "{AWS_SECRET}"',
        f"# the AWS key is {AWS_SECRET}",
        f"AWS_SECRET_ACCESS_KEY={AWS_SECRET}",
        f"secret: {AWS_SECRET}==",
    ):
        out = redact_text(text)
        assert "wJa..." in out, out
        for piece in AWS_PIECES:
            assert piece not in out


@pytest.mark.parametrize(
    "text",
    [
        "x = ChatCompletionMessageToolCallParam2024 / 2",  # an identifier: no / or + in it
        '"lmstudio-community/Meta-Llama-3.1-8B-Instruct-GGUF/Meta-Llama-3.1-8B"',
        "see https://www.amazon.com/New-Astronomy-Guide-Stargazing/dp/B00C2ILU2U",
        '"HuggingFaceTB/SmolLM2-1.7B-Instruct"',
        "src/components/chat/MessageList/MessageListItem.tsx",
        '"openai/gpt-4o-mini-2024-07-18"',
        "path = a/b/abcdefghijklmnopqrstuvwxyz/ABCDEFGHIJK",  # no digit
    ],
)
def test_paths_ids_and_identifiers_are_not_taken_for_base64_keys(text: str) -> None:
    assert redact_text(text) == text


@pytest.mark.uses_cache
@pytest.mark.parametrize("where", ["quoted", "comment"])
def test_an_aws_secret_near_a_migrated_line_never_shows(tmp_path: Path, where: str) -> None:
    """The diff's context lines would print a secret kept in the file, and the
    cache would keep the migrated source holding it."""
    root = tmp_path / "t"
    root.mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    line = f'AWS_SECRET = "{AWS_SECRET}"\n' if where == "quoted" else f"# AWS: {AWS_SECRET}\n"
    source = f"from openai import OpenAI\n{line}client = OpenAI()\nclient.models.list()\n"
    (root / "app.py").write_text(source)
    (root / "plain.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    outputs = []
    for args in (["check", "."], ["migrate", "--diff", "."], ["--verbose", "check", "."]):
        code, out, err = run_cli(args, cwd=root)
        assert code in (0, 1), err
        outputs.append(out + err)
    code, out, err = run_cli(["migrate", "--diff", "."], cwd=root)
    # the diff of app.py is shown for review on stderr, redacted, not as a patch
    assert "note: app.py: not in the patch on stdout" in err
    assert "wJa...EKEY" in err
    assert "plain.py" in out  # the other file's patch is unaffected
    code, out, err = run_cli(["migrate", "."], cwd=root)
    assert code == 0, err
    outputs.append(out + err)
    for text in outputs:
        for piece in AWS_PIECES:
            assert piece not in text, text
    assert AWS_SECRET in (root / "app.py").read_text()  # the file keeps its own line
    files = list((root / ".openrouter-migrate-cache").rglob("*.json"))
    assert files
    for p in files:
        data = p.read_bytes()
        for piece in AWS_PIECES:
            assert piece.encode() not in data and piece.encode().hex().encode() not in data
