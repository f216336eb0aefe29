"""API keys that cross modules (``from .settings import OPENAI_API_KEY``):
the key plan of the project pass (codemods/python/project.py ``plan_keys``). The key
is rewritten where it is defined only when every read of it in the run is the
``api_key=`` of a client that is migrated with it; otherwise nothing changes
and the clients stay reported (OR103)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_project_dataflow import changed, check, write

SETTINGS = """
    import os

    OPENAI_API_KEY = os.environ["OPENAI_API_KEY"]
    CHAT_MODEL = "gpt-4o-mini"
"""
SERVICE = """
    from openai import OpenAI

    from .settings import CHAT_MODEL, OPENAI_API_KEY

    client = OpenAI(api_key=OPENAI_API_KEY)

    def ask(prompt):
        return client.chat.completions.create(model=CHAT_MODEL, messages=[])
"""
URL = 'base_url="https://openrouter.ai/api/v1"'


def _tree(tmp_path: Path, extra: dict[str, str] | None = None) -> None:
    files = {"app/__init__.py": "", "app/settings.py": SETTINGS, "app/service.py": SERVICE}
    write(tmp_path, files | (extra or {}))


def test_imported_key_read_only_by_clients_is_renamed_where_it_is_defined(
    tmp_path: Path,
) -> None:
    _tree(tmp_path)
    out = check(tmp_path)
    settings = changed(out, "app/settings.py")
    service = changed(out, "app/service.py")
    assert settings is not None and service is not None
    assert 'OPENAI_API_KEY = os.environ["OPENROUTER_API_KEY"]' in settings
    assert 'CHAT_MODEL = "openai/gpt-4o-mini"' in settings  # the client moved: its models too
    assert f"OpenAI({URL}, api_key=OPENAI_API_KEY)" in service
    assert not any(code == "OR103" for _, code, _ in out.get("app/service.py", []))


def test_two_importers_both_migrate(tmp_path: Path) -> None:
    other = SERVICE.replace("client =", "other =").replace("client.", "other.")
    _tree(tmp_path, {"app/worker.py": other})
    out = check(tmp_path)
    assert 'os.environ["OPENROUTER_API_KEY"]' in (changed(out, "app/settings.py") or "")
    assert URL in (changed(out, "app/service.py") or "")
    assert URL in (changed(out, "app/worker.py") or "")


def _left_alone(out: dict) -> None:
    assert changed(out, "app/settings.py") is None
    assert changed(out, "app/service.py") is None
    found = out.get("app/service.py", [])
    assert any(code == "OR103" and "OPENAI_API_KEY" in msg for _, code, msg in found)


def test_a_read_for_something_else_in_another_module_blocks_it(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {"app/health.py": "from .settings import OPENAI_API_KEY\nOK = bool(OPENAI_API_KEY)\n"},
    )
    _left_alone(check(tmp_path))


def test_a_client_left_alone_elsewhere_blocks_it(tmp_path: Path) -> None:
    proxied = (
        "from openai import OpenAI\nfrom .settings import OPENAI_API_KEY\n"
        'gw = OpenAI(api_key=OPENAI_API_KEY, base_url="http://localhost:8000/v1")\n'
    )
    _tree(tmp_path, {"app/proxy.py": proxied})
    _left_alone(check(tmp_path))


def test_a_read_in_the_defining_module_blocks_it(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {"app/settings.py": SETTINGS + "\nHAS_KEY = bool(OPENAI_API_KEY)\n"},
    )
    _left_alone(check(tmp_path))


@pytest.mark.parametrize(
    "cli",
    [
        # parsed (it uses openai): its reads through `settings.` cannot be counted
        "import openai\nfrom app import settings\nprint(settings.CHAT_MODEL)\n",
        # not parsed (nothing for the tool): read as text, it names the key
        "from app import settings\nprint(settings.OPENAI_API_KEY[:4])\n",
    ],
)
def test_a_module_imported_whole_blocks_it(tmp_path: Path, cli: str) -> None:
    _tree(tmp_path, {"app/cli.py": cli})
    _left_alone(check(tmp_path))


def test_a_definition_the_tool_cannot_follow_is_not_guessed(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {"app/settings.py": "from .config import cfg\nOPENAI_API_KEY = cfg.openai_key\n"},
    )
    _left_alone(check(tmp_path))


def test_one_file_checked_alone_keeps_its_report(tmp_path: Path) -> None:
    _tree(tmp_path)
    out = check(tmp_path, "app/service.py")
    assert changed(out, "app/service.py") is None
    assert any(code == "OR103" for _, code, _ in out.get("app/service.py", []))
