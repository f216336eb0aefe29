"""Clients the resolver cannot follow to their uses: openai imported at run
time, the attribute holding a client reached by reflection, a factory
replaced by a decorator (issue 11, attack 3).

A client and everything sent through it move together or not at all. Each
shape below let a client move as a safe fix while the model IDs sent
through it stayed bare (or the reverse: a model prefixed for a client that
may be another one, an Azure client returned by a decorator's wrapper).
"""

from __future__ import annotations

import textwrap

import pytest

from codemods.core.findings import FileResult, Finding
from tests.helpers import cli_runner, run


def _by_code(r: FileResult, code: str) -> list[Finding]:
    return [f for f in r.findings if f.code == code]


def _migrated_both_ways(src: str) -> tuple[str, str]:
    """(the source after ``migrate``, after ``migrate --unsafe-fixes``)."""
    safe = run(src)
    unsafe = run(src, unsafe_fixes=True)
    text = textwrap.dedent(src)
    return (
        text if safe.new_source is None else safe.new_source.decode(),
        text if unsafe.new_source is None else unsafe.new_source.decode(),
    )


def _half_migrated(text: str, model: str) -> bool:
    """A client moved while ``model`` stays bare, or the reverse."""
    moved = "openrouter.ai" in text
    prefixed = f'"openai/{model}"' in text
    return moved != prefixed


# ---- 1: openai imported at run time -----------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        'openai_mod = importlib.import_module("openai")\nclient = openai_mod.OpenAI()',
        'client = importlib.import_module("openai").OpenAI()',
        'oa = __import__("openai")\nclient = oa.AsyncOpenAI()',
        'client = getattr(importlib.import_module("openai"), "OpenAI")()',
        'client = sys.modules["openai"].OpenAI()',
    ],
)
def test_a_client_of_openai_imported_at_run_time_is_reported_and_its_models_kept(
    build: str,
) -> None:
    src = (
        "import importlib\nimport sys\n"
        + build
        + '\nclient.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    for unsafe in (False, True):
        r = run(src, dedent=False, unsafe_fixes=unsafe)
        assert r.new_source is None, r.new_source
        (found,) = _by_code(r, "OR120")
        assert "imported at run time" in found.message
        assert found.line == build.count("\n") + 3
        # the client stays on OpenAI: its model gets no finding at all
        assert not _by_code(r, "OR201")


def test_the_module_client_of_openai_imported_at_run_time_is_reported() -> None:
    src = """\
        import importlib
        openai = importlib.import_module("openai")
        openai.chat.completions.create(model="gpt-4o", messages=[])
    """
    r = run(src, unsafe_fixes=True)
    assert r.new_source is None
    (found,) = _by_code(r, "OR120")
    assert found.line == 3 and "module-level client" in found.message
    assert not _by_code(r, "OR201")


def test_a_run_time_import_beside_a_named_one_leaves_only_its_own_client() -> None:
    r = run(
        """\
        import importlib
        from openai import OpenAI
        dyn = importlib.import_module("openai").OpenAI()
        dyn.chat.completions.create(model="gpt-4o", messages=[])
        good = OpenAI()
        good.chat.completions.create(model="gpt-4o-mini", messages=[])
        """
    )
    assert [f.line for f in _by_code(r, "OR120")] == [3]
    assert [(f.line, f.applicability) for f in _by_code(r, "OR201")] == [(6, "safe")]
    out = r.new_source.decode()
    assert 'model="gpt-4o"' in out and 'model="openai/gpt-4o-mini"' in out


# ---- 2: the attribute holding a client, reached by reflection ---------------

_HOLDER = """\
from openai import OpenAI


class Holder:
    def __init__(self):
        self.client = OpenAI()

    def ask(self):
        return self.client.chat.completions.create(model="gpt-4o-mini", messages=[])
"""


@pytest.mark.parametrize(
    ("access", "line"),
    [
        (
            'def read(h):\n    return getattr(h, "client").chat.completions.create(model="gpt-4o", messages=[])\n',
            14,
        ),
        (
            'def read(h):\n    return vars(h)["client"].chat.completions.create(model="gpt-4o", messages=[])\n',
            14,
        ),
        (
            'def read(h):\n    return h.__dict__.get("client").chat.completions.create(model="gpt-4o", messages=[])\n',
            14,
        ),
        ('def swap(h):\n    h.__dict__["client"] = make_other()\n', 14),
        ('def swap(h):\n    setattr(h, "client", make_other())\n', 14),
        ("def swap(h):\n    delattr(h, 'client')\n", 14),
        ("def reader():\n    return operator.attrgetter('client')\n", 14),
    ],
)
def test_reflective_access_to_the_client_attribute_makes_its_move_unsafe(
    access: str, line: int
) -> None:
    src = "import operator\n" + _HOLDER + "\n\n" + access
    r = run(src, dedent=False)
    (client,) = _by_code(r, "OR101")
    assert client.applicability == "unsafe", client.message
    assert "reflection" in client.message and f"(line {line})" in client.message
    # the model sent through `self.client` moves only with the client
    assert all(f.applicability == "unsafe" for f in _by_code(r, "OR201"))
    safe, unsafe = _migrated_both_ways(src)
    assert safe == src
    assert "openrouter.ai" in unsafe and '"openai/gpt-4o-mini"' in unsafe


def test_reflective_writes_through_self_with_a_name_the_tool_cannot_read() -> None:
    for write in (
        "def load(self, **kw):\n        for k, v in kw.items():\n            setattr(self, k, v)\n",
        "def load(self, **kw):\n        self.__dict__.update(kw)\n",
        "def load(self, k, v):\n        self.__dict__[k] = v\n",
    ):
        src = _HOLDER + "\n    " + write
        r = run(src, dedent=False)
        (client,) = _by_code(r, "OR101")
        assert client.applicability == "unsafe", (write, client.message)
        safe, _ = _migrated_both_ways(src)
        assert not _half_migrated(safe, "gpt-4o-mini")


def test_reflection_on_other_names_leaves_the_client_safe() -> None:
    src = (
        _HOLDER
        + '\n\ndef read(h, name):\n    return getattr(h, "timeout"), getattr(h, name), vars(h)["x"]\n'
    )
    r = run(src, dedent=False)
    (client,) = _by_code(r, "OR101")
    assert client.applicability == "safe", client.message


@pytest.mark.parametrize(
    "read",
    [
        'getattr(self, "client", None)',
        'getattr(self, "client")',
        "getattr(self, 'client', self.client)",
    ],
)
def test_getattr_of_self_with_a_constant_name_in_the_class_is_a_plain_read(read: str) -> None:
    # ``self.client`` written another way, in the class that binds it: the
    # resolver follows it (the model moves with the client, both safe)
    src = (
        _HOLDER
        + f"""
    def ask_again(self):
        client = {read}
        if client is None:
            return None
        return client.chat.completions.create(model="gpt-4o", messages=[])
"""
    )
    r = run(src, dedent=False)
    (client,) = _by_code(r, "OR101")
    assert client.applicability == "safe", client.message
    assert [f.applicability for f in _by_code(r, "OR201")] == ["safe", "safe"]
    safe, _ = _migrated_both_ways(src)
    assert '"openai/gpt-4o"' in safe and "openrouter.ai" in safe


@pytest.mark.parametrize(
    "access",
    [
        # another receiver
        '\n\ndef read(h):\n    return getattr(h, "client").chat.completions.create(model="gpt-4o", messages=[])\n',
        # a class that does not bind the attribute
        '\n\nclass Other:\n    def read(self):\n        return getattr(self, "client").chat.completions.create(model="gpt-4o", messages=[])\n',
        # a write
        '\n    def swap(self):\n        setattr(self, "client", make_other())\n',
    ],
)
def test_other_reflective_accesses_still_hold_the_client_or_its_models(access: str) -> None:
    src = _HOLDER + access
    r = run(src, dedent=False)
    fixes = [f.applicability for f in r.findings if f.code in ("OR101", "OR201")]
    assert "unsafe" in fixes, [f.message for f in r.findings]
    safe, _ = _migrated_both_ways(src)
    assert not _half_migrated(safe, "gpt-4o") and not _half_migrated(safe, "gpt-4o-mini")


# ---- 3: a factory replaced by a decorator -----------------------------------


def test_a_decorator_the_tool_does_not_read_makes_the_factory_an_escape() -> None:
    src = """\
        from openai import OpenAI, AzureOpenAI


        def swap(fn):
            def inner():
                return AzureOpenAI(azure_endpoint="https://x.openai.azure.com", api_version="2024-02-01")

            return inner


        @swap
        def get_client():
            return OpenAI()


        def ask():
            return get_client().chat.completions.create(model="gpt-4o", messages=[])
    """
    r = run(src)
    (client,) = _by_code(r, "OR101")
    assert client.applicability == "unsafe"
    assert "`@swap` wraps (line 11)" in client.message
    (model,) = _by_code(r, "OR201")
    assert model.applicability == "unsafe"
    # `get_client()` returns the Azure client: its model is never prefixed by `migrate`
    safe, _ = _migrated_both_ways(src)
    assert 'model="gpt-4o"' in safe and "openrouter.ai" not in safe


def test_a_method_wrapped_by_an_unknown_decorator_is_not_followed() -> None:
    src = """\
        from openai import OpenAI
        from somelib import retrying


        class Svc:
            @retrying(3)
            def make(self):
                return OpenAI()

            def ask(self):
                return self.make().chat.completions.create(model="gpt-4o-mini", messages=[])
    """
    r = run(src)
    (client,) = _by_code(r, "OR101")
    assert client.applicability == "unsafe" and "`@retrying(3)` wraps" in client.message
    assert [f.applicability for f in _by_code(r, "OR201")] == ["unsafe"]


@pytest.mark.parametrize(
    "decorators",
    [
        "@functools.lru_cache(maxsize=None)",
        "@functools.cache",
        "@lru_cache",
        "@cache",
        "@lru_cache(1)\n@staticmethod",
        "@typing.override\n@staticmethod",
    ],
)
def test_the_stdlib_caches_stay_transparent(decorators: str) -> None:
    body = "\n    ".join(decorators.split("\n"))
    src = (
        "import functools\nimport typing\nfrom functools import cache, lru_cache\n"
        "from openai import OpenAI\n\n"
        f"class Svc:\n    {body}\n    def get_client():\n        return OpenAI()\n\n"
        "    def ask(self):\n"
        '        return self.get_client().chat.completions.create(model="gpt-4o", messages=[])\n'
        if "staticmethod" in decorators
        else "import functools\nfrom functools import cache, lru_cache\nfrom openai import OpenAI\n\n"
        f"{decorators}\ndef get_client():\n    return OpenAI()\n\n\n"
        'get_client().chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    r = run(src, dedent=False)
    assert [f.applicability for f in _by_code(r, "OR101")] == ["safe"], r.findings
    assert [f.applicability for f in _by_code(r, "OR201")] == ["safe"]


def test_a_decorated_factory_of_another_module_is_not_followed(tmp_path, monkeypatch) -> None:
    from codemods.cli import main

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "clients.py").write_text(
        "from openai import OpenAI\nfrom tenacity import retry\n\n\n"
        "@retry\ndef get_client():\n    return OpenAI()\n"
    )
    (tmp_path / "app.py").write_text(
        "from clients import get_client\n\n"
        'get_client().chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    monkeypatch.chdir(tmp_path)
    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", "."])
    assert r.exit_code == 0, r.output
    assert "openrouter.ai" not in (tmp_path / "clients.py").read_text()
    assert 'model="gpt-4o"' in (tmp_path / "app.py").read_text()
    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", "--unsafe-fixes", "."])
    assert r.exit_code == 0, r.output
    assert "openrouter.ai" in (tmp_path / "clients.py").read_text()
    assert 'model="openai/gpt-4o"' in (tmp_path / "app.py").read_text()


def test_the_reflective_access_is_named_without_the_value_it_stores() -> None:
    key = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd"
    src = (
        _HOLDER
        + f'\n\ndef swap(h):\n    setattr(h, "client", OpenAI(api_key="{key}"))\n\n\n'
        + f'@retrying(token="{key}")\ndef make():\n    return OpenAI()\n'
    )
    r = run(src, dedent=False)
    messages = " ".join(f.message for f in r.findings)
    assert '(`setattr(h, "client", ...)`) (line 13)' in messages
    assert "`@retrying(" in messages
    assert key[3:12] not in messages and key[-12:-4] not in messages


# ---- the attribute read off an instance another module imports -------------

_BOT = _HOLDER + "\n\nbot = Holder()\n"


def _tree(root, files: dict[str, str]):
    (root / "pyproject.toml").write_text("")
    for name, text in files.items():
        (root / name).write_text(text)
    return root


@pytest.mark.parametrize(
    "reader",
    [
        'from holder import bot\n\nbot.client.chat.completions.create(model="gpt-4o", messages=[])\n',
        'import holder\n\ngetattr(holder.bot, "client").chat.completions.create(model="gpt-4o", messages=[])\n',
    ],
)
def test_a_client_read_off_an_instance_another_module_imports_moves_with_it(
    tmp_path, monkeypatch, reader: str
) -> None:
    """``bot = Holder()`` in holder.py, ``bot.client.chat...(model="gpt-4o")``
    in app.py: the resolver does not follow ``bot.client`` across modules, so
    `migrate` moved the client (safe) and left app.py's model bare, sent to
    OpenRouter. The client now moves only with it (``--unsafe-fixes``); the
    file named alone says the same (pre-commit)."""
    from codemods.cli import main

    _tree(tmp_path, {"holder.py": _BOT, "app.py": reader})
    monkeypatch.chdir(tmp_path)
    for named in (["."], ["holder.py"]):
        r = cli_runner().invoke(main, ["check", "--no-cache", "--jobs", "1", *named])
        line = next(x for x in r.stdout.splitlines() if " OR101 " in x)
        assert "[*]" not in line and "held by `bot.client`" in line, r.stdout
    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", "."])
    assert r.exit_code == 0, r.output
    assert "openrouter.ai" not in (tmp_path / "holder.py").read_text()
    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", "--unsafe-fixes", "."])
    assert "openrouter.ai" in (tmp_path / "holder.py").read_text()
    assert '"openai/gpt-4o"' in (tmp_path / "app.py").read_text()


def test_an_instance_no_other_module_imports_keeps_its_client_safe(tmp_path, monkeypatch) -> None:
    from codemods.cli import main

    _tree(
        tmp_path,
        {
            "holder.py": _BOT,
            "app.py": "from holder import Holder\n\nHolder().ask()\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    r = cli_runner().invoke(main, ["check", "--no-cache", "--jobs", "1", "."])
    assert "OR101 [*]" in r.stdout, r.stdout


@pytest.mark.parametrize(
    "reader",
    [
        'from holder import Holder\n\nh = Holder()\nh.client.chat.completions.create(model="gpt-4o", messages=[])\n',
        'from holder import Holder\n\nHolder().client.chat.completions.create(model="gpt-4o", messages=[])\n',
        'import holder\n\nholder.Holder().client.embeddings.create(model="text-embedding-3-small", input="x")\n',
    ],
)
def test_a_client_read_off_an_instance_of_an_imported_class_moves_with_it(
    tmp_path, monkeypatch, reader: str
) -> None:
    """``class Holder`` building ``self.client = OpenAI()`` in holder.py,
    ``Holder().client.chat...(model="gpt-4o")`` in app.py: the client moved
    (safe) while app.py's model stayed bare (its receiver is not resolved)."""
    from codemods.cli import main

    _tree(tmp_path, {"holder.py": _HOLDER, "app.py": reader})
    monkeypatch.chdir(tmp_path)
    for named in (["."], ["holder.py"]):
        r = cli_runner().invoke(main, ["check", "--no-cache", "--jobs", "1", *named])
        line = next(x for x in r.stdout.splitlines() if " OR101 " in x)
        assert "[*]" not in line and "held by `Holder.client`" in line, r.stdout
    r = cli_runner().invoke(main, ["migrate", "--no-cache", "--jobs", "1", "."])
    assert r.exit_code == 0, r.output
    assert "openrouter.ai" not in (tmp_path / "holder.py").read_text()
    assert "openai/" not in (tmp_path / "app.py").read_text()


def test_an_importer_that_only_calls_the_class_methods_keeps_its_client_safe(
    tmp_path, monkeypatch
) -> None:
    # main.py names no SDK resource (the prefilter skips it: no summary)
    from codemods.cli import main

    _tree(
        tmp_path,
        {"holder.py": _HOLDER, "main.py": "from holder import Holder\n\nprint(Holder().ask())\n"},
    )
    monkeypatch.chdir(tmp_path)
    r = cli_runner().invoke(main, ["check", "--no-cache", "--jobs", "1", "."])
    assert "OR101 [*]" in r.stdout, r.stdout


def test_an_importer_without_a_summary_reading_a_resource_off_the_attribute_holds_it(
    tmp_path, monkeypatch
) -> None:
    # no `model` in it: the prefilter skips it, the text scan sees `files`
    from codemods.cli import main

    _tree(
        tmp_path,
        {
            "holder.py": _HOLDER,
            "upload.py": "from holder import Holder\n\nHolder().client.files.create(file=b'x', purpose='batch')\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    r = cli_runner().invoke(main, ["check", "--no-cache", "--jobs", "1", "."])
    line = next(x for x in r.stdout.splitlines() if " OR101 " in x)
    assert "[*]" not in line and "held by `Holder.client`" in line, r.stdout
