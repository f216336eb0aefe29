"""Model IDs that cross modules (``from .settings import CHAT_MODEL``): the
project pass of the runner (codemods/python/project.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from codemods.core.engine import EngineConfig
from codemods.core.runner import RunInput, run
from codemods.python.project import (
    ROOT_MARK,
    ModuleSummary,
    ProjectInput,
    display_module,
    module_name,
    modules_of,
    plan,
    resolve,
)

SERVICE = """
    from openai import OpenAI
    from .settings import CHAT_MODEL

    client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key="k")

    def ask(prompt):
        return client.chat.completions.create(model=CHAT_MODEL, messages=[])
"""


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))


def check(root: Path, *paths: str, context: bool = False) -> dict[str, list[tuple[int, str, str]]]:
    targets = [str(root / p) for p in paths] if paths else [str(root)]
    results, errors = run(RunInput(paths=targets, config=EngineConfig(), project_context=context))
    assert not errors
    out: dict[str, list[tuple[int, str, str]]] = {}
    for processed in results:
        rel = Path(processed.result.path).resolve().relative_to(root.resolve()).as_posix()
        found = [(f.line, f.code, f.message) for f in processed.result.findings]
        if found:
            out[rel] = found
        if processed.result.new_source is not None:
            out.setdefault("changed", []).append((0, rel, processed.result.new_source.decode()))
    return out


def changed(out: dict, rel: str) -> str | None:
    for _, path, text in out.get("changed", []):
        if path == rel:
            return text
    return None


def test_imported_constant_is_mapped_where_it_is_defined(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/settings.py": 'CHAT_MODEL = "gpt-4o-mini"\n',
            "app/service.py": SERVICE,
        },
    )
    out = check(tmp_path)
    assert [c for _, c, _ in out["app/settings.py"]] == ["OR201"]
    assert "passed to model= in" in out["app/settings.py"][0][2]
    assert "app/service.py" not in out  # followed: no OR205 at the use
    assert changed(out, "app/settings.py") == 'CHAT_MODEL = "openai/gpt-4o-mini"\n'
    assert changed(out, "app/service.py") is None


def test_absolute_import_and_function_parameter_in_between(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/settings.py": 'REASONING = "o1"\n',
            "app/service.py": """
                from openai import OpenAI
                from app.settings import REASONING

                client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key="k")

                def ask(prompt, model="gpt-4o"):
                    return client.chat.completions.create(model=model, messages=[])

                def think(prompt):
                    return ask(prompt, model=REASONING)
            """,
        },
    )
    out = check(tmp_path)
    assert changed(out, "app/settings.py") == 'REASONING = "openai/o1"\n'
    assert [c for _, c, _ in out["app/service.py"]] == ["OR201"]


def test_a_read_elsewhere_keeps_the_constant_untouched(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/settings.py": 'CHAT_MODEL = "gpt-4o-mini"\n',
            "app/service.py": SERVICE,
            # no "openai" in it: skipped by the prefilter, scanned as text
            "app/tokens.py": """
                import tiktoken
                from .settings import CHAT_MODEL

                ENC = tiktoken.encoding_for_model(CHAT_MODEL)
            """,
        },
    )
    out = check(tmp_path)
    (finding,) = out["app/settings.py"]
    assert finding[1] == "OR206"
    assert "app/tokens.py): not rewritten" in finding[2], finding[2]
    assert changed(out, "app/settings.py") is None


def test_a_read_in_an_analysed_file_keeps_it_untouched(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/settings.py": 'CHAT_MODEL = "gpt-4o-mini"\n',
            "app/service.py": textwrap.dedent(SERVICE) + "\nprint(CHAT_MODEL)\n",
        },
    )
    out = check(tmp_path)
    assert [c for _, c, _ in out["app/settings.py"]] == ["OR206"]
    assert changed(out, "app/settings.py") is None


def test_a_shared_parameter_in_the_importer_blocks_the_export(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/settings.py": 'CHAT_MODEL = "gpt-4o-mini"\n',
            "app/service.py": """
                import tiktoken
                from openai import OpenAI
                from .settings import CHAT_MODEL

                client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key="k")

                def ask(prompt, model=CHAT_MODEL):
                    tiktoken.encoding_for_model(model)
                    return client.chat.completions.create(model=model, messages=[])
            """,
        },
    )
    out = check(tmp_path)
    assert "app/settings.py" not in out
    assert changed(out, "app/settings.py") is None
    assert [c for _, c, _ in out["app/service.py"]] == ["OR205"]


def test_module_imported_whole_is_not_followed(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/settings.py": 'CHAT_MODEL = "gpt-4o-mini"\n',
            "app/service.py": SERVICE,
            # analysed (mentions openai): its attribute reads cannot be counted
            "app/other.py": "import openai\nfrom app import settings\nx = settings.CHAT_MODEL\n",
        },
    )
    out = check(tmp_path)
    assert "app/settings.py" not in out
    (finding,) = out["app/service.py"]
    assert finding[1] == "OR205" and "defined in another module (`.settings`" in finding[2]


def test_module_imported_whole_in_a_skipped_file_is_counted_as_text(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/settings.py": 'CHAT_MODEL = "gpt-4o-mini"\n',
            "app/service.py": SERVICE,
            "app/other.py": "from app import settings\nx = settings.CHAT_MODEL\n",
        },
    )
    out = check(tmp_path)
    assert [c for _, c, _ in out["app/settings.py"]] == ["OR206"]
    assert changed(out, "app/settings.py") is None


def test_a_plain_reexport_is_followed_to_the_definer(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/settings.py": "from .base import CHAT_MODEL\n",
            "app/base.py": 'CHAT_MODEL = "gpt-4o-mini"\n',
            "app/service.py": SERVICE,
        },
    )
    # a re-export is followed to the module that defines the name
    out = check(tmp_path)
    assert "app/service.py" not in out
    assert changed(out, "app/base.py") == 'CHAT_MODEL = "openai/gpt-4o-mini"\n'
    assert changed(out, "app/settings.py") is None


def test_single_file_run_reports_defined_elsewhere(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/settings.py": 'CHAT_MODEL = "gpt-4o-mini"\n',
            "app/service.py": SERVICE,
        },
    )
    out = check(tmp_path, "app/service.py")
    (finding,) = out["app/service.py"]
    assert finding[1] == "OR205"


def test_environment_default_in_settings(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/settings.py": 'import os\nCHAT_MODEL = os.getenv("CHAT_MODEL", "gpt-4o")\n',
            "app/service.py": SERVICE,
        },
    )
    out = check(tmp_path)
    codes = sorted(c for _, c, _ in out["app/settings.py"])
    assert codes == ["OR201", "OR205"]
    assert 'os.getenv("CHAT_MODEL", "openai/gpt-4o")' in (changed(out, "app/settings.py") or "")


# ---- units ------------------------------------------------------------------


def test_module_name_walks_packages(tmp_path: Path) -> None:
    write(
        tmp_path, {"src/pkg/__init__.py": "", "src/pkg/sub/__init__.py": "", "src/pkg/sub/m.py": ""}
    )
    assert module_name(tmp_path / "src/pkg/sub/m.py") == ("pkg.sub.m", False)
    assert module_name(tmp_path / "src/pkg/__init__.py") == ("pkg", True)
    write(tmp_path, {"script.py": ""})
    assert module_name(tmp_path / "script.py") == ("script", False)
    assert module_name(tmp_path / "nb.ipynb") is None


def test_resolve_relative_imports() -> None:
    assert resolve(".settings", "pkg.service", False) == "pkg.settings"
    assert resolve("..settings", "pkg.sub.service", False) == "pkg.settings"
    assert resolve(".", "pkg.sub.service", False) == "pkg.sub"
    assert resolve(".settings", "pkg", True) == "pkg.settings"
    assert resolve("...x", "pkg.m", False) is None
    assert resolve("app.settings", "whatever", False) == "app.settings"


def test_plan_ignores_clashing_module_names(tmp_path: Path) -> None:
    """Two roots define ``settings``; a third root's file importing it
    cannot tell which one Python would find: nothing is planned."""
    write(tmp_path, {"a/settings.py": "", "b/settings.py": "", "c/user.py": ""})
    s = ModuleSummary(imports={"M": ("settings", "M")}, sink_uses={"M": 1}, other_uses={"M": 0})
    p = plan(
        [
            ("a/settings.py", tmp_path / "a/settings.py", ModuleSummary(), b""),
            ("b/settings.py", tmp_path / "b/settings.py", ModuleSummary(), b""),
            ("c/user.py", tmp_path / "c/user.py", s, b""),
        ]
    )
    assert p.definers == {} and p.importers == {}


def test_plan_resolves_clashing_module_names_from_the_importers_root(tmp_path: Path) -> None:
    """Two apps of a monorepo, each with its own ``settings.py`` next to the
    script importing it (run from its directory, so ``sys.path[0]`` is
    there): ``from settings import M`` in ``a/user.py`` is ``a/settings.py``."""
    write(tmp_path, {"a/settings.py": "", "b/settings.py": "", "a/user.py": ""})
    s = ModuleSummary(imports={"M": ("settings", "M")}, sink_uses={"M": 1}, other_uses={"M": 0})
    files = [
        ("a/settings.py", tmp_path / "a/settings.py", ModuleSummary(), b""),
        ("b/settings.py", tmp_path / "b/settings.py", ModuleSummary(), b""),
        ("a/user.py", tmp_path / "a/user.py", s, b""),
    ]
    p = plan(files)
    assert set(p.definers) == {"a/settings.py"}
    assert p.importers == {"a/user.py": {"M": ("a/settings.py", "M")}}
    by_module, names = modules_of(files)
    assert names.raw("a/settings.py") == ("settings", False)
    assert names["a/settings.py"][0].startswith(ROOT_MARK)  # an id, never shown
    assert names["a/settings.py"] != names["b/settings.py"]
    assert names["a/user.py"] == ("user", False)  # unique: as written
    assert by_module[names["b/settings.py"][0]] == "b/settings.py"
    assert "settings" not in by_module


def test_resolve_from_a_root_qualified_module(tmp_path: Path) -> None:
    """Relative imports keep the root; a top-level module's ``from . import
    x`` is x as its root sees it."""
    write(tmp_path, {"a/pkg/__init__.py": "", "b/pkg/__init__.py": "", "a/x.py": "", "b/x.py": ""})
    files = [
        (p, tmp_path / p, ModuleSummary(), b"")
        for p in ("a/pkg/__init__.py", "a/pkg/m.py", "b/pkg/__init__.py", "a/x.py", "b/x.py")
    ]
    write(tmp_path, {"a/pkg/m.py": ""})
    _, names = modules_of(files)
    me, is_pkg = names["a/pkg/m.py"]
    assert me.startswith(ROOT_MARK) and me.endswith(".pkg.m")
    local = names.local("a/pkg/m.py")
    assert resolve(".n", me, is_pkg, local) == me[: -len("m")] + "n"
    assert resolve("...n", me, is_pkg, local) is None
    assert resolve("pkg.n", me, is_pkg, local) == me[: -len("m")] + "n"
    assert resolve("x", me, is_pkg, local) == names["a/x.py"][0]
    assert resolve("os.path", me, is_pkg, local) == "os.path"
    assert display_module(me) == "pkg.m"


def test_project_input_truthiness() -> None:
    assert not ProjectInput()
    assert ProjectInput(followed=frozenset({"X"}))


ASK = """
    from openai import OpenAI

    client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key="k")

    def ask(prompt, model="openai/gpt-4o-mini"):
        return client.chat.completions.create(model=model, messages=[])
"""


def test_arguments_to_an_imported_sink_function_are_followed(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/service.py": ASK,
            # no "openai" in it: found by name, then analysed
            "app/cli.py": """
                import click
                from .service import ask

                @click.command()
                @click.option("--model", default="gpt-4o")
                def main(model):
                    click.echo(ask("hi", model=model))

                def quick():
                    return ask("hi", "o1")

                def other(m):
                    return ask("hi", model=m)
            """,
        },
    )
    out = check(tmp_path)
    text = changed(out, "app/cli.py") or ""
    assert 'default="openai/gpt-4o"' in text
    assert 'ask("hi", "openai/o1")' in text
    codes = sorted(c for _, c, _ in out["app/cli.py"])
    assert codes == ["OR201", "OR201", "OR205"]
    (dyn,) = [m for _, c, m in out["app/cli.py"] if c == "OR205"]
    assert "passed to `ask`" in dyn and "app/service.py" in dyn


def test_a_shared_parameter_is_not_offered_to_importers(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/service.py": textwrap.dedent(ASK).replace(
                "    return client", "    print(model)\n    return client"
            ),
            "app/cli.py": "from .service import ask\nask('hi', model='gpt-4o')\n",
        },
    )
    out = check(tmp_path)
    assert "app/cli.py" not in out
    assert changed(out, "app/cli.py") is None


def test_calls_through_the_imported_module_are_followed(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/service.py": ASK,
            "app/a.py": "from app import service\nservice.ask('hi', model='gpt-4o')\n",
            "app/b.py": "import app.service as svc\nsvc.ask('hi', model='o1')\n",
            "app/c.py": "import app.service\napp.service.ask('hi', model='gpt-4.1')\n",
        },
    )
    out = check(tmp_path)
    assert "model='openai/gpt-4o'" in (changed(out, "app/a.py") or "")
    assert "model='openai/o1'" in (changed(out, "app/b.py") or "")
    assert "model='openai/gpt-4.1'" in (changed(out, "app/c.py") or "")


def test_module_index_on_demand_equals_computing_every_file(tmp_path) -> None:
    """The planner's lazy module index answers what computing the module
    name of every file answers (unique names only; packages; clashes)."""
    from codemods.python.project import module_name, modules_of

    for rel in [
        "app/__init__.py",
        "app/settings.py",
        "app/sub/__init__.py",
        "app/sub/settings.py",
        "app/sub/deep/x.py",  # not a package: no __init__.py
        "settings.py",
        "tools/settings.py",  # not a package either: no module
        "other/__init__.py",
        "other/app.py",
        "bad-name/__init__.py",
        "scripts/run.py",
    ]:
        f = tmp_path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("x = 1\n")
    (tmp_path / "clash").mkdir()
    reals = sorted(str(p) for p in tmp_path.rglob("*.py"))
    files = [(r, r, None, None) for r in reals]
    by_module, by_path = modules_of(files)
    expected: dict[str, list[str]] = {}
    for r in reals:
        m = module_name(r)
        assert (r in by_path) == (m is not None)
        if m is not None:
            assert by_path.raw(r) == m
            assert display_module(by_path[r][0]) == m[0] and by_path[r][1] == m[1]
            expected.setdefault(m[0], []).append(r)
    for name, paths in expected.items():
        if len(paths) == 1:
            assert by_module[by_path[paths[0]][0]] == paths[0]
        else:
            assert name not in by_module
    # ids are unique: each names its file (settings.py at the top and in
    # tools/ are two roots' ``settings``)
    ids = {by_path[r][0]: r for r in reals if r in by_path}
    assert len(ids) == len([r for r in reals if r in by_path])
    assert all(by_module[i] == r for i, r in ids.items())
    for missing in ("nope", "app.nope", "deep.x", "sub.settings"):
        assert missing not in by_module


REEXPORTING = """
    from openai import OpenAI
    from app import CHAT_MODEL

    client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key="k")

    def ask(prompt):
        return client.chat.completions.create(model=CHAT_MODEL, messages=[])
"""


def test_a_constant_read_through_a_package_reexport_is_mapped_where_it_is_defined(
    tmp_path: Path,
) -> None:
    # ``from app import CHAT_MODEL`` where app/__init__.py re-exports it from
    # .config (through .defaults, renamed): the definer rewrites it. It
    # stayed bare with an OR205, while the client it is sent through moved
    write(
        tmp_path,
        {
            "app/__init__.py": "from .config import MODEL as CHAT_MODEL\n",
            "app/config.py": "from app.defaults import MODEL\n",
            "app/defaults.py": 'MODEL = "gpt-4o-mini"\n',
            "app/service.py": REEXPORTING,
            "pyproject.toml": "",  # the project root a named file's context comes from
        },
    )
    out = check(tmp_path)
    assert [c for _, c, _ in out["app/defaults.py"]] == ["OR201"]
    assert "app/service.py" not in out
    assert changed(out, "app/defaults.py") == 'MODEL = "openai/gpt-4o-mini"\n'
    assert changed(out, "app/__init__.py") is None and changed(out, "app/config.py") is None
    # named alone (pre-commit), with its project around it: the same
    alone = check(tmp_path, "app/service.py", context=True)
    assert "app/service.py" not in alone
    assert changed(alone, "app/service.py") is None


def test_a_reexport_through_a_module_imported_whole_is_not_followed(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "from .config import MODEL as CHAT_MODEL\n",
            "app/config.py": 'MODEL = "gpt-4o-mini"\n',
            "app/service.py": REEXPORTING,
            # ``app.CHAT_MODEL`` read off the package imported whole: not counted
            "app/other.py": "import openai\nimport app\nx = app.CHAT_MODEL\n",
        },
    )
    out = check(tmp_path)
    assert "app/config.py" not in out
    (finding,) = out["app/service.py"]
    assert finding[1] == "OR205"


HELD_APP = """
    from openai import OpenAI
    from app.settings import CHAT_MODEL, OTHER_MODEL

    client = OpenAI()

    def ask(prompt):
        client.chat.completions.create(model=OTHER_MODEL, messages=[])
        return client.chat.completions.create(model=CHAT_MODEL, messages=[])
"""


@pytest.mark.parametrize(
    ("settings", "code"),
    [
        # no OpenRouter equivalent (OR204), kept as it is where it is defined
        ('CHAT_MODEL = "o1-mini"\nOTHER_MODEL = "gpt-4o"\n', "OR204"),
        # read elsewhere as well (OR206): not rewritten where it is defined
        ('CHAT_MODEL = "gpt-4o-mini"\nOTHER_MODEL = "gpt-4o"\nprint(CHAT_MODEL)\n', "OR206"),
    ],
)
def test_an_imported_model_kept_where_it_is_defined_holds_the_importers_client(
    tmp_path: Path, settings: str, code: str
) -> None:
    # the client moved as a safe fix while the model it sends stayed bare in
    # settings.py (the finding there was all): a half migration
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/__init__.py": "",
            "app/settings.py": settings,
            "app/service.py": HELD_APP,
        },
    )
    for out in (check(tmp_path), check(tmp_path, "app/service.py", context=True)):
        service = {c: m for _, c, m in out["app/service.py"]}
        assert f"(OR{code[2:]}) at settings.py:1" in service["OR205"], service
        assert "unsafe fix" in service["OR101"], service  # held: moves only with --unsafe-fixes
        assert changed(out, "app/service.py") is None
    out = check(tmp_path)
    # the other model sent through the held client moves only with it
    (other,) = [m for line, c, m in out["app/settings.py"] if line == 2]
    assert "unsafe fix" in other
    assert changed(out, "app/settings.py") is None


def test_a_kept_model_accepted_with_noqa_lets_the_client_move(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/settings.py": 'CHAT_MODEL = "o1-mini"  # noqa: OR204\nOTHER_MODEL = "gpt-4o"\n',
            "app/service.py": HELD_APP,
        },
    )
    out = check(tmp_path)
    assert [c for _, c, _ in out["app/service.py"]] == ["OR101"]
    assert changed(out, "app/service.py") is not None


def test_a_kept_model_holds_a_client_built_in_a_third_module(tmp_path: Path) -> None:
    # app/service.py sends settings.py's CHAT_MODEL (kept: OR204) through
    # app/clients.py's client: that client's move is unsafe where it is built
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/__init__.py": "",
            "app/settings.py": 'CHAT_MODEL = "o1-mini"\nOTHER_MODEL = "gpt-4o"\n',
            "app/clients.py": "from openai import OpenAI\nclient = OpenAI()\n",
            "app/service.py": HELD_APP.replace(
                "from openai import OpenAI\n", "from app.clients import client\n"
            ).replace("    client = OpenAI()\n", ""),
        },
    )
    for paths in ((), ("app/clients.py",)):
        out = check(tmp_path, *paths, context=bool(paths))
        (client,) = [m for _, c, m in out["app/clients.py"] if c == "OR101"]
        assert "unsafe fix" in client and "service.py" in client, client
        assert changed(out, "app/clients.py") is None
    out = check(tmp_path)
    (other,) = [m for line, c, m in out["app/settings.py"] if line == 2]
    assert "unsafe fix" in other


MONOREPO = {
    # two apps of an examples monorepo, each run from its own directory, each
    # with its own config.py (so ``from config import`` is the sibling one)
    "app_a/config.py": """
        from openai import OpenAI

        openai_client = OpenAI()
        OPENAI_MODEL = "gpt-4o"
    """,
    "app_a/planning.py": """
        from config import openai_client, OPENAI_MODEL
        from helpers import ask


        def plan(q):
            ask(q, model="gpt-4o-mini")
            return openai_client.chat.completions.create(model=OPENAI_MODEL, messages=[])
    """,
    "app_a/helpers.py": """
        from openai import OpenAI

        client = OpenAI()


        def ask(q, model):
            return client.chat.completions.create(model=model, messages=[])
    """,
    "app_b/config.py": 'DB_URL = "sqlite://"\n',
    "app_b/helpers.py": "def ask(q, model):\n    return q\n",
    "app_b/main.py": "from config import DB_URL\nfrom helpers import ask\n\nask(DB_URL, model='x')\n",
}


def test_same_named_modules_of_two_apps_resolve_to_the_importers_sibling(
    tmp_path: Path,
) -> None:
    """ai-engineering-hub's database-memory-agent: ``config.py`` exports a
    client and the model ``planning.py`` sends through it; another app of
    the tree has its own ``config.py``. On main the import was ambiguous, so
    the client moved while the model stayed bare (a half migration)."""
    write(tmp_path, MONOREPO)
    (tmp_path / ".git").mkdir()
    out = check(tmp_path)
    codes = {rel: [c for _, c, _ in found] for rel, found in out.items() if rel != "changed"}
    assert codes["app_a/config.py"] == ["OR101", "OR201"]
    assert "app_a/planning.py)" in out["app_a/config.py"][1][2]
    assert 'OPENAI_MODEL = "openai/gpt-4o"' in (changed(out, "app_a/config.py") or "")
    # the helper's parameter: the literal app_a passes is followed there
    assert 'model="openai/gpt-4o-mini"' in (changed(out, "app_a/planning.py") or "")
    assert "app_b/main.py" not in codes and changed(out, "app_b/main.py") is None
    # pre-commit: each file named alone gets what the whole tree gets
    for rel in ("app_a/config.py", "app_a/planning.py", "app_a/helpers.py", "app_b/main.py"):
        alone = check(tmp_path, rel, context=True)
        assert [f[:2] for f in alone.get(rel, [])] == [f[:2] for f in out.get(rel, [])]
        assert changed(alone, rel) == changed(out, rel)


SAMPLER = """
    from openai import OpenAI


    class ChatSampler:
        def __init__(self, model: str = "gpt-4o-mini", temperature: float = 0.5):
            self.client = OpenAI()
            self.model = model
            self.temperature = temperature

        def __call__(self, messages):
            return self.client.chat.completions.create(model=self.model, messages=messages)
"""


def test_a_class_built_in_another_module_with_a_model_is_followed_there(tmp_path: Path) -> None:
    """simple-evals (audit 13, W7): ``ChatSampler(model="gpt-4o")`` in
    another module calls ``__init__``, whose ``model`` reaches model=. On
    main the client and the default moved while that literal went bare to
    OpenRouter with no finding; the class's calls are followed like a
    public function's."""
    write(
        tmp_path,
        {
            "sampler.py": SAMPLER,
            "main.py": """
                from sampler import ChatSampler

                SAMPLERS = {"4o": ChatSampler(model="gpt-4o"), "mini": ChatSampler()}
            """,
        },
    )
    out = check(tmp_path)
    assert [c for _, c, _ in out["main.py"]] == ["OR201"]
    assert 'ChatSampler(model="openai/gpt-4o")' in (changed(out, "main.py") or "")
    assert 'model: str = "openai/gpt-4o-mini"' in (changed(out, "sampler.py") or "")
    assert "base_url=" in (changed(out, "sampler.py") or "")


def test_a_class_built_in_its_own_module_with_a_model_is_followed(tmp_path: Path) -> None:
    """The same in the class's own file, positional or keyword (``self`` is
    not passed); a value the tool cannot follow there holds the client; an
    annotation or ``isinstance`` does not build one."""
    write(
        tmp_path,
        {
            "sampler.py": textwrap.dedent(SAMPLER)
            + textwrap.dedent(
                """

                def pick(s: ChatSampler) -> bool:
                    return isinstance(s, ChatSampler)


                A = ChatSampler("gpt-4o")
                B = ChatSampler(model="gpt-4-turbo", temperature=0)
                """
            )
        },
    )
    out = check(tmp_path)
    assert [(line, c) for line, c, _ in out["sampler.py"]] == [
        (6, "OR201"),
        (7, "OR101"),
        (19, "OR201"),
        (20, "OR201"),
    ]
    new = changed(out, "sampler.py") or ""
    assert 'ChatSampler("openai/gpt-4o")' in new
    assert 'ChatSampler(model="openai/gpt-4-turbo", temperature=0)' in new
    write(
        tmp_path,
        {"sampler.py": textwrap.dedent(SAMPLER) + "\n\nclass Sub(ChatSampler):\n    pass\n"},
    )
    out = check(tmp_path)
    (client,) = [m for _, c, m in out["sampler.py"] if c == "OR101"]
    assert "unsafe fix" in client
    assert changed(out, "sampler.py") is None


JUDGE = {
    "judge.py": """
        import os

        from openai import OpenAI

        from utils import llm_structured


        def evaluate(question, client=None):
            if client is None:
                client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
            return llm_structured(client, question, dict)


        if __name__ == "__main__":
            print(evaluate("Can I still join?"))
    """,
    "utils.py": """
        def llm_structured(client, prompt, output_type, model="gpt-4o-mini"):
            r = client.responses.parse(model=model, input=prompt, text_format=output_type)
            return r.output_parsed
    """,
}


def test_a_client_parameter_every_call_leaves_at_none_holds_only_the_client_built_there(
    tmp_path: Path,
) -> None:
    """llm-zoomcamp judge.py (audit 13, W5): ``def evaluate(q, client=None):
    if client is None: client = OpenAI()``, every call of which leaves the
    parameter at None. On main the parameter counted as "callers the tool
    cannot see": the client passed on to ``llm_structured`` (utils.py) was
    not resolved there, so the model default became an unsafe fix while the
    OpenAI() moved safely, and plain ``migrate`` sent the bare ID to
    OpenRouter. None is no client: ``client`` is the OpenAI() only."""
    write(tmp_path, JUDGE)
    out = check(tmp_path)
    assert [(c, "unsafe fix" in m) for _, c, m in out["judge.py"]] == [("OR101", False)]
    assert [(c, "unsafe fix" in m) for _, c, m in out["utils.py"]] == [("OR201", False)]
    assert 'model="openai/gpt-4o-mini"' in (changed(out, "utils.py") or "")
    assert "base_url=" in (changed(out, "judge.py") or "")


def test_a_client_parameter_a_call_fills_is_still_what_that_call_passes(tmp_path: Path) -> None:
    """The same function called with a client (here: one the tool cannot
    follow) is not "None only": the model sent through it stays unsafe."""
    files = dict(JUDGE)
    files["judge.py"] = files["judge.py"].replace(
        'print(evaluate("Can I still join?"))',
        'print(evaluate("Can I still join?", client=make()))',
    )
    write(tmp_path, files)
    out = check(tmp_path)
    (model,) = out["utils.py"]
    assert model[1] == "OR201" and "unsafe fix" in model[2]
    assert changed(out, "utils.py") is None


def test_a_model_that_cannot_move_sent_through_a_client_parameter_holds_the_callers_client(
    tmp_path: Path,
) -> None:
    """The invariant across modules for a client passed to a function of
    another module: 'o1-mini' (OR204, kept as it is) sent through the
    parameter would reach OpenRouter, which rejects it, once the caller's
    client moved (on main it moved safely). A noqa on the ID accepts it."""
    files = dict(JUDGE)
    files["utils.py"] = files["utils.py"].replace("gpt-4o-mini", "o1-mini")
    write(tmp_path, files)
    out = check(tmp_path)
    assert [c for _, c, _ in out["utils.py"]] == ["OR204"]
    (client,) = out["judge.py"]
    assert client[1] == "OR101" and "unsafe fix" in client[2]
    assert "'o1-mini'" not in client[2] and '"o1-mini" (utils.py:2)' in client[2]
    assert changed(out, "judge.py") is None
    files["utils.py"] = files["utils.py"].replace(
        'model="o1-mini"):', 'model="o1-mini"):  # noqa: OR204'
    )
    write(tmp_path, files)
    out = check(tmp_path)
    assert "unsafe fix" not in out["judge.py"][0][2]
    assert "base_url=" in (changed(out, "judge.py") or "")


FORWARDER = {
    "llm.py": """
        import os

        from openai import OpenAI

        client = OpenAI(api_key=os.environ.get("OPENAI_API_KEY"))


        def chat_create(*args, **kwargs):
            return client.chat.completions.create(*args, **kwargs)


        def ping():
            return chat_create(model="gpt-4o-mini", messages=[])
    """,
    "app.py": """
        from llm import chat_create


        def ask(messages):
            return chat_create(model="gpt-4", messages=messages)
    """,
}


def test_the_model_keyword_of_a_kwargs_forwarders_calls_is_followed(tmp_path: Path) -> None:
    """openai/evals make_me_pay (audit 13, W1): the client's only use is a
    ``**kwargs`` forwarder whose callers pass ``model="gpt-4"``. On main the
    client moved safely and the callers' IDs went bare to OpenRouter with no
    finding at them (only OR205 at the forwarder); each is now mapped where
    it is written, in the forwarder's module and in the others."""
    write(tmp_path, FORWARDER)
    out = check(tmp_path)
    assert [c for _, c, _ in out["app.py"]] == ["OR201"]
    assert 'chat_create(model="openai/gpt-4", messages=messages)' in (changed(out, "app.py") or "")
    llm = changed(out, "llm.py") or ""
    assert 'chat_create(model="openai/gpt-4o-mini", messages=[])' in llm
    assert "base_url=" in llm


def test_a_kwargs_forwarder_that_reads_the_mapping_is_not_followed(tmp_path: Path) -> None:
    """``kwargs.setdefault("model", ...)`` (or any other read of it) may put
    a model of its own in the request: the callers' values are not
    followed, the splat keeps its OR205, as on main."""
    files = dict(FORWARDER)
    files["llm.py"] = files["llm.py"].replace(
        "            return client.chat",
        '            kwargs.setdefault("model", "gpt-4")\n            return client.chat',
    )
    write(tmp_path, files)
    out = check(tmp_path)
    assert "app.py" not in out
    assert "OR205" in [c for _, c, _ in out["llm.py"]]


def test_a_class_built_from_inside_its_methods_is_followed(tmp_path: Path) -> None:
    """``cls(model=...)`` in a classmethod and ``type(self)("gpt-4o")``
    call the same ``__init__``: their values are followed like the class's
    other calls (on main: silently bare)."""
    inside = textwrap.dedent(SAMPLER).replace(
        "    def __call__(self, messages):",
        "    @classmethod\n"
        "    def from_config(cls, cfg):\n"
        '        return cls(model="gpt-4-turbo", temperature=cfg["t"])\n\n'
        "    def fast(self):\n"
        '        return type(self)("gpt-4o")\n\n'
        "    def __call__(self, messages):",
    )
    assert inside != textwrap.dedent(SAMPLER)
    write(tmp_path, {"sampler.py": inside, "util.py": "X = 1\n"})
    out = check(tmp_path)
    new = changed(out, "sampler.py") or ""
    assert 'cls(model="openai/gpt-4-turbo", temperature=cfg["t"])' in new
    assert 'type(self)("openai/gpt-4o")' in new
    assert "base_url=" in new


# ---- namespace packages (PEP 420: a directory without __init__.py) ----


def test_namespace_package_import_is_resolved(tmp_path: Path) -> None:
    """audit 13 (sweep): ``from pkg.utils.clients import get_client`` where
    ``pkg/`` has no ``__init__.py``: Python imports it (``pkg`` is a
    namespace package); the factory's clients are all left (OR103, OR102),
    so the model sent through it gets no finding (it was OR201 [unsafe],
    whose fix sent 'openai/text-embedding-3-small' to OpenAI and Azure)."""
    write(
        tmp_path,
        {
            "pkg/utils/__init__.py": "",
            "pkg/utils/clients.py": """
                from openai import AzureOpenAI, OpenAI
                from config import KEY

                def get_client(kind):
                    if kind == "azure":
                        return AzureOpenAI(api_key=KEY, azure_endpoint="https://x.openai.azure.com", api_version="2024-06-01")
                    return OpenAI(api_key=KEY)
            """,
            "pkg/core/__init__.py": "",
            "pkg/core/embed.py": """
                from pkg.utils.clients import get_client

                def embed(texts):
                    return get_client("openai").embeddings.create(input=texts, model="text-embedding-3-small")
            """,
        },
    )
    out = check(tmp_path)
    assert "pkg/core/embed.py" not in out, out["pkg/core/embed.py"]
    assert sorted(c for _, c, _ in out["pkg/utils/clients.py"]) == ["OR102", "OR103"]


def test_namespace_package_resolves_a_moving_client_too(tmp_path: Path) -> None:
    """The same import of a client that moves: the model moves with it as a
    safe fix (it was unsafe: the client was not resolved)."""
    write(
        tmp_path,
        {
            "ns/core/clients.py": "from openai import OpenAI\n\nclient = OpenAI()\n",
            "ns/app/main.py": """
                from ns.core.clients import client

                client.chat.completions.create(model="gpt-4o", messages=[])
            """,
        },
    )
    out = check(tmp_path)
    assert [(c, "[unsafe" in m) for _, c, m in out["ns/app/main.py"]] == [("OR201", False)]
    assert 'model="openai/gpt-4o"' in (changed(out, "ns/app/main.py") or "")


def test_namespace_name_matches_only_directories_without_init() -> None:
    """``a.b.mod`` is ``b/mod.py`` under ``a/`` only when ``a/`` is not a
    package (then ``a.b.mod`` would be its own module id)."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        for rel in (
            "a/b/__init__.py",
            "a/b/mod.py",
            "c/x/__init__.py",
            "c/x/mod.py",
            "c/__init__.py",
        ):
            os.makedirs(os.path.join(d, os.path.dirname(rel)), exist_ok=True)
            open(os.path.join(d, rel), "w").close()
        files = [
            (rel, Path(os.path.join(d, rel)), None, None) for rel in ("a/b/mod.py", "c/x/mod.py")
        ]
        modules, names = modules_of(files)
        assert names["a/b/mod.py"][0] == "b.mod"
        assert names["c/x/mod.py"][0] == "c.x.mod"
        local = names.local("a/b/mod.py")
        assert local is not None
        assert resolve("a.b.mod", "b.mod", False, local) == "b.mod"
        assert resolve("z.b.mod", "b.mod", False, local) == "z.b.mod"  # no directory z


# ---- fields of a class of another module (issue 11, pytrust item 2) --------

CONFIG_CLASS = """
    class Config:
        EMBEDDING_MODEL = "text-embedding-3-small"
        CHAT_MODEL = "gpt-4o"
"""

USES_CONFIG = """
    from openai import OpenAI

    from .config import Config

    client = OpenAI()


    def embed(text):
        return client.embeddings.create(model=Config.EMBEDDING_MODEL, input=text)
"""


def test_a_class_field_of_another_module_is_mapped_where_it_is_defined(tmp_path: Path) -> None:
    # it was an OR205 (not followed) while the client moved: the bare
    # default then reached OpenRouter
    write(
        tmp_path,
        {"app/__init__.py": "", "app/config.py": CONFIG_CLASS, "app/use.py": USES_CONFIG},
    )
    out = check(tmp_path)
    assert [code for _, code, _ in out["app/use.py"]] == ["OR101"], out["app/use.py"]
    ((line, code, message),) = out["app/config.py"]
    assert (line, code) == (3, "OR201") and "`Config.EMBEDDING_MODEL`" in message
    config = changed(out, "app/config.py")
    assert config is not None and 'EMBEDDING_MODEL = "openai/text-embedding-3-small"' in config
    assert 'CHAT_MODEL = "gpt-4o"' in config  # no SDK call reads it: left as it is


@pytest.mark.parametrize(
    "other",
    [
        # read for something else in the importer (an instance's field too)
        "\n\ndef size():\n    return len(Config().EMBEDDING_MODEL)\n",
        # or in the module that defines it
        None,
    ],
)
def test_a_class_field_of_another_module_read_elsewhere_holds_the_client(
    tmp_path: Path, other: str | None
) -> None:
    config = CONFIG_CLASS + ("" if other else "\n    LENGTH = len(Config.EMBEDDING_MODEL)\n")
    use = USES_CONFIG + (textwrap.indent(other, "    ") if other else "")
    write(tmp_path, {"app/__init__.py": "", "app/config.py": config, "app/use.py": use})
    out = check(tmp_path)
    assert changed(out, "app/config.py") is None and changed(out, "app/use.py") is None, out
    codes = {code for _, code, _ in out["app/use.py"]}
    assert "OR205" in codes, out["app/use.py"]
    held = next(m for _, c, m in out["app/use.py"] if c == "OR205")
    assert "moves only as an unsafe fix" in held
    assert [c for _, c, _ in out["app/config.py"]] == ["OR206"]


def test_a_field_of_an_imported_class_read_through_a_typed_attribute_holds_the_client(
    tmp_path: Path,
) -> None:
    # ``self.config.CHAT_MODEL`` with ``config: Config``: the instance may
    # hold the class's bare default
    use = """
        from openai import OpenAI

        from .config import Config

        client = OpenAI()


        class Bot:
            def __init__(self, config: Config):
                self.config = config

            def ask(self):
                return client.chat.completions.create(model=self.config.CHAT_MODEL, messages=[])
    """
    write(tmp_path, {"app/__init__.py": "", "app/config.py": CONFIG_CLASS, "app/use.py": use})
    out = check(tmp_path)
    assert changed(out, "app/use.py") is None, out
    ((_, _, held),) = [f for f in out["app/use.py"] if f[1] == "OR205"]
    assert "`Config.CHAT_MODEL` may hold a default" in held and "unsafe fix" in held


def test_a_class_field_read_through_an_instance_in_a_third_module_is_kept(
    tmp_path: Path,
) -> None:
    # ``cfg.EMBEDDING_MODEL`` in a file that never writes ``Config.EMBEDDING_MODEL``
    third = """
        import tiktoken
        from openai import OpenAI


        def count(cfg, text):
            return len(tiktoken.encoding_for_model(cfg.EMBEDDING_MODEL).encode(text))
    """
    write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/config.py": CONFIG_CLASS,
            "app/use.py": USES_CONFIG,
            "app/tokens.py": third,
        },
    )
    out = check(tmp_path)
    assert changed(out, "app/config.py") is None, out
    assert [c for _, c, _ in out["app/config.py"]] == ["OR206"]
