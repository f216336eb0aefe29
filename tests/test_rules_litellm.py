"""OR441-OR445 (LiteLLM, DSPy) and OR451-OR453 (LlamaIndex)."""

from __future__ import annotations

import pytest

from tests.helpers import codes, migrated, run

LITELLM = "import litellm\n"


@pytest.mark.parametrize(
    "call",
    [
        "litellm.completion(model='gpt-4o', messages=m)",
        "litellm.acompletion(model='gpt-4o', messages=m)",
        "litellm.completion('gpt-4o', m)",
        "litellm.embedding(model='gpt-4o', input=['x'])",
        "litellm.aembedding(model='gpt-4o', input=['x'])",
        "litellm.text_completion('hi', 'gpt-4o')",
        "litellm.atext_completion(prompt='hi', model='gpt-4o')",
        "litellm.responses(input='hi', model='gpt-4o')",
        "litellm.aresponses('hi', 'gpt-4o')",
        "litellm.completion(model='openai/gpt-4o', messages=m)",
    ],
)
def test_litellm_calls_move_to_openrouter(call: str) -> None:
    out = migrated(LITELLM + call + "\n")
    assert "'openrouter/openai/gpt-4o'" in out
    assert codes(LITELLM + call + "\n") == ["OR441"]


def test_from_import_and_dspy() -> None:
    src = "from litellm import completion\nimport dspy\ncompletion(model='gpt-4o-mini', messages=m)\nlm = dspy.LM('openai/gpt-4o')\nlm2 = dspy.LM(model='gpt-4.1')\n"
    out = migrated(src)
    assert "completion(model='openrouter/openai/gpt-4o-mini'" in out
    assert "dspy.LM('openrouter/openai/gpt-4o')" in out
    assert "dspy.LM(model='openrouter/openai/gpt-4.1')" in out


@pytest.mark.parametrize(
    "model",
    [
        "openrouter/openai/gpt-4o",  # already there: OR207 must not fire either
        "openrouter/auto",
        "anthropic/claude-3-5-sonnet-20240620",
        "azure/my-deployment",
        "claude-3-5-sonnet-20240620",  # a bare ID LiteLLM sends to Anthropic
        "ollama/llama3",
    ],
)
def test_other_providers_left_alone(model: str) -> None:
    r = run(LITELLM + f"litellm.completion(model={model!r}, messages=m)\n")
    assert r.findings == [] and r.new_source is None


def test_or207_never_fires_on_litellm_or_dspy() -> None:
    src = "import litellm, dspy\nfrom openai import OpenAI\nM = 'openrouter/openai/gpt-4o'\nlitellm.completion(model=M, messages=m)\ndspy.LM('openrouter/openai/gpt-4o')\n"
    assert "OR207" not in codes(src)


def test_constants_parameters_and_class_attributes_followed() -> None:
    src = """
        import litellm

        CHAT = "gpt-4o"

        class Bot:
            MODEL = "gpt-4o-mini"

            def ask(self, q):
                return litellm.completion(model=self.MODEL, messages=q)

        def ask(q, model="gpt-4.1"):
            return litellm.completion(model=model, messages=q)

        litellm.completion(model=CHAT, messages=m)
    """
    out = migrated(src)
    assert 'CHAT = "openrouter/openai/gpt-4o"' in out
    assert 'MODEL = "openrouter/openai/gpt-4o-mini"' in out
    assert 'model="openrouter/openai/gpt-4.1"' in out


def test_constant_shared_with_the_sdk_is_reported_on_both_sides() -> None:
    src = """
        import litellm
        from openai import OpenAI

        client = OpenAI(base_url="https://openrouter.ai/api/v1", api_key=k)
        MODEL = "gpt-4o"
        litellm.completion(model=MODEL, messages=m)
        client.chat.completions.create(model=MODEL, messages=m)
    """
    r = run(src)
    assert sorted(f.code for f in r.findings) == ["OR206", "OR442"]
    assert r.new_source is None


def test_constant_read_elsewhere_is_reported() -> None:
    src = LITELLM + "M = 'gpt-4o'\nlitellm.completion(model=M, messages=m)\nprint(M)\n"
    r = run(src)
    assert [f.code for f in r.findings] == ["OR442"]
    assert "also used 1 other time" in r.findings[0].message
    assert r.new_source is None


def test_dynamic_model_reported() -> None:
    r = run(LITELLM + "litellm.completion(model=settings.model, messages=m)\n")
    assert [f.code for f in r.findings] == ["OR442"]
    assert "settings.model" in r.findings[0].message


def test_imported_constant_not_taken_as_followed() -> None:
    r = run(LITELLM + "from .config import MODEL\nlitellm.completion(model=MODEL, messages=m)\n")
    assert [f.code for f in r.findings] == ["OR442"]


def test_env_default_is_mapped_and_the_variable_reported() -> None:
    src = "import os\nimport litellm\nlitellm.completion(model=os.getenv('LLM', 'gpt-4o'), messages=m)\n"
    r = run(src)
    assert sorted(f.code for f in r.findings) == ["OR441", "OR442"]
    assert "os.getenv('LLM', 'openrouter/openai/gpt-4o')" in migrated(src)


@pytest.mark.parametrize(
    "model, why",
    [
        ("o1-mini", "no OpenRouter equivalent"),
        ("ft:gpt-4o-mini:acme::x", "fine-tunes"),
        ("openai/gpt-foo-9", "no OpenRouter ID known"),
    ],
)
def test_unmovable_ids_reported(model: str, why: str) -> None:
    r = run(LITELLM + f"litellm.completion(model={model!r}, messages=m)\n")
    assert [f.code for f in r.findings] == ["OR442"]
    assert why in r.findings[0].message
    assert r.new_source is None


def test_bare_unknown_id_left_alone() -> None:
    # LiteLLM may route a bare name anywhere: not the tool's to guess
    assert codes(LITELLM + "litellm.completion(model='llama3', messages=m)\n") == []


@pytest.mark.parametrize(
    "extra",
    [
        "api_key=os.environ['OPENAI_API_KEY']",
        "api_base='https://proxy.example/v1'",
        "base_url='https://proxy.example/v1'",
        "custom_llm_provider='openai'",
        "**kwargs",
    ],
)
def test_call_with_own_endpoint_reported(extra: str) -> None:
    src = f"import os\nimport litellm\nlitellm.completion(model='gpt-4o', messages=m, {extra})\n"
    r = run(src)
    assert [f.code for f in r.findings] == ["OR443"]
    assert r.new_source is None


def test_dspy_lm_with_api_key_reported() -> None:
    src = "import dspy\nlm = dspy.LM('openai/gpt-4o', api_key=key)\n"
    assert codes(src) == ["OR443"]


def test_global_credentials_hold_the_file() -> None:
    src = LITELLM + "litellm.api_key = key\nlitellm.completion(model='gpt-4o', messages=m)\n"
    r = run(src)
    assert sorted(f.code for f in r.findings) == ["OR442", "OR444"]
    assert r.new_source is None


def test_router_model_list() -> None:
    src = """
        from litellm import Router

        model_list = [
            {"model_name": "gpt-4o", "litellm_params": {"model": "gpt-4o"}},
            {"model_name": "azure", "litellm_params": {"model": "azure/gpt-4o", "api_key": k}},
            {"model_name": "key", "litellm_params": {"model": "openai/gpt-4o", "api_key": k}},
        ]
        router = Router(model_list=model_list)
        router.completion(model="gpt-4o", messages=m)
    """
    r = run(src)
    assert sorted(f.code for f in r.findings) == ["OR441", "OR443"]
    out = migrated(src)
    assert '"model_name": "gpt-4o", "litellm_params": {"model": "openrouter/openai/gpt-4o"}' in out
    assert 'router.completion(model="gpt-4o"' in out  # the alias stays
    assert '"model": "openai/gpt-4o", "api_key": k' in out


def test_dspy_legacy_client_reported() -> None:
    assert codes("import dspy\nlm = dspy.OpenAI(model='gpt-3.5-turbo')\n") == ["OR445"]


def test_not_litellm_left_alone() -> None:
    # a function called completion that is not LiteLLM's
    src = "import dspy\ndef completion(model): ...\ncompletion(model='gpt-4o')\n"
    assert codes(src) == []


# -- LlamaIndex ----------------------------------------------------------------------

LLAMA = "from llama_index.llms.openai import OpenAI\n"


def test_llamaindex_llm_is_an_unsafe_fix() -> None:
    src = LLAMA + "llm = OpenAI(model='gpt-4o')\n"
    r = run(src)
    assert [(f.code, f.applicability) for f in r.findings] == [("OR451", "unsafe")]
    assert r.new_source is None  # not without --unsafe-fixes
    out = migrated(src, unsafe_fixes=True)
    assert out == (
        "import os\n"
        "from llama_index.llms.openai import OpenAI\n"
        "from llama_index.llms.openrouter import OpenRouter\n"
        "llm = OpenRouter(model='openai/gpt-4o', api_key=os.environ[\"OPENROUTER_API_KEY\"], "
        "max_tokens=None, context_window=128000, is_function_calling_model=True)\n"
    )


def test_llamaindex_constant_key_replaced_and_settings_kept() -> None:
    src = """
        import os

        from llama_index.core import Settings
        from llama_index.llms.openai import OpenAI

        MODEL = "gpt-4o-mini"
        Settings.llm = OpenAI(
            model=MODEL,
            api_key=os.environ["OPENAI_API_KEY"],
            max_tokens=512,
        )
        Settings.llm2 = OpenAI(model=MODEL)
    """
    out = migrated(src, unsafe_fixes=True)
    assert 'MODEL = "openai/gpt-4o-mini"' in out
    assert "OPENAI_API_KEY" not in out
    assert "max_tokens=512," in out and "max_tokens=None" in out  # the second one
    assert out.count("from llama_index.llms.openrouter import OpenRouter") == 1
    assert "    is_function_calling_model=True,\n)" in out


def test_llamaindex_already_prefixed_id_moves_the_class() -> None:
    out = migrated(LLAMA + "llm = OpenAI(model='openai/gpt-4o')\n", unsafe_fixes=True)
    assert "OpenRouter(model='openai/gpt-4o'" in out


@pytest.mark.parametrize(
    "args, why",
    [
        ("", "no `model=`"),
        ("model='gpt-4o', api_base='http://proxy'", "api_base"),
        ("model='gpt-4o', api_version='2024'", "api_version"),
        ("model='gpt-4o', **kw", "`**`"),
        ("'gpt-4o', 0.2", "positional"),
        ("model=settings.model", "settings.model"),
        ("model='gpt-foo-9'", "no OpenRouter ID known"),
        ("model='gpt-4o' if c else 'gpt-4o-mini'", "several IDs"),
    ],
)
def test_llamaindex_reported_not_rewritten(args: str, why: str) -> None:
    r = run(LLAMA + f"llm = OpenAI({args})\n", unsafe_fixes=True)
    assert [f.code for f in r.findings] == ["OR451"]
    assert why in r.findings[0].message
    assert r.new_source is None


def test_llamaindex_openrouter_name_taken() -> None:
    src = LLAMA + "OpenRouter = 1\nllm = OpenAI(model='gpt-4o')\n"
    r = run(src, unsafe_fixes=True)
    assert r.new_source is None and "bound to something else" in r.findings[0].message


def test_llamaindex_embedding_and_responses_reported() -> None:
    src = (
        "from llama_index.embeddings.openai import OpenAIEmbedding\n"
        "from llama_index.llms.openai import OpenAIResponses\n"
        "e = OpenAIEmbedding(model='text-embedding-3-small')\n"
        "r = OpenAIResponses(model='gpt-4o')\n"
    )
    assert codes(src) == ["OR452", "OR453"]


@pytest.mark.parametrize(
    "head",
    [
        # LlamaIndex before 0.10 re-exported it; llama-index-legacy copies that
        "from llama_index.embeddings import OpenAIEmbedding\n",
        "from llama_index import OpenAIEmbedding\n",
        "from llama_index.legacy.embeddings import OpenAIEmbedding\n",
        "from llama_index.legacy.embeddings.openai import OpenAIEmbedding\n",
        "from llama_index.embeddings.openai import OpenAIEmbedding\n",
    ],
)
def test_llamaindex_embedding_old_and_new_paths_reported(head: str) -> None:
    src = head + "e = OpenAIEmbedding(model='text-embedding-ada-002')\n"
    r = run(src)
    assert [(f.code, f.line) for f in r.findings] == [("OR452", 2)]
    assert "model_name='openai/<model>'" in r.findings[0].message
    assert r.new_source is None


def test_openai_sdk_class_not_taken_for_llamaindex() -> None:
    # the SDK's OpenAI is the client rules' business, not OR451's
    src = "from openai import OpenAI\nimport llama_index\nclient = OpenAI()\n"
    assert "OR451" not in codes(src)


def test_llamaindex_constant_shared_with_a_reported_construction() -> None:
    # rewriting MODEL for the first would leave 'openai/gpt-4o' on the second
    src = LLAMA + "MODEL = 'gpt-4o'\na = OpenAI(model=MODEL)\nb = OpenAI(model=MODEL, api_base=u)\n"
    r = run(src, unsafe_fixes=True)
    assert [f.code for f in r.findings] == ["OR451", "OR451"]
    assert "also reaches an OpenAI LLM that is not rewritten" in r.findings[0].message
    assert r.new_source is None


def test_llamaindex_constructions_sharing_a_constant_move_together() -> None:
    src = (
        LLAMA
        + "MODEL = 'gpt-4o'\na = OpenAI(model=MODEL)\nb = OpenAI(model=MODEL)  # noqa: OR451\n"
    )
    r = run(src, unsafe_fixes=True)
    assert r.new_source is None  # the second is suppressed: the first stays too


def test_prefilter_wakes_on_litellm_and_dspy() -> None:
    from codemods.core.prefilter import may_need_work

    assert may_need_work(b"import litellm\nlitellm.completion(model='gpt-4o')\n")
    assert may_need_work(b"import dspy\nlm = dspy.LM('gpt-4o')\n")


@pytest.mark.parametrize(
    ("head", "cls"),
    [
        ("from llama_index.llms import OpenAI\n", "OpenAI"),  # llama-index before 0.10
        ("from llama_index.legacy.llms import OpenAI\n", "OpenAI"),  # llama-index-legacy
        ("from llama_index.legacy.llms.openai import OpenAI\n", "OpenAI"),
        ("import llama_index.llms as L\n", "L.OpenAI"),
    ],
)
def test_legacy_llamaindex_openai_is_reported_never_rewritten(head: str, cls: str) -> None:
    # audit S4 (run-llama/rags core/builder_config.py:14)
    src = head + f"BUILDER_LLM = {cls}(model='gpt-4-1106-preview')\n"
    r = run(src, unsafe_fixes=True)
    assert [(f.code, f.fixable) for f in r.findings] == [("OR451", False)]
    assert "before 0.10" in r.findings[0].message
    assert "OpenRouter" in r.findings[0].message
    assert r.new_source is None


def test_legacy_llamaindex_file_without_openai_in_lowercase_is_read() -> None:
    # `from llama_index.llms import OpenAI` never spells "openai" in lower case
    from codemods.core.prefilter import may_need_work

    assert may_need_work(b"from llama_index.llms import OpenAI\nllm = OpenAI(model='gpt-4')\n")


@pytest.mark.parametrize(
    ("call", "shown"),
    [
        ("litellm.completion(cache=cache, **kwargs)", "**kwargs"),  # storm lm.py:122
        ("litellm.acompletion(**params)", "**params"),
        ("litellm.embedding(*args)", "*args"),
        ("dspy.LM(**config)", "**config"),
    ],
)
def test_litellm_call_whose_model_is_not_visible_is_reported(call: str, shown: str) -> None:
    # audit S5 (storm knowledge_storm/lm.py:122, open-interpreter llm.py:443)
    src = (
        "import json\nimport dspy\nimport litellm\n\ndef f(request):\n    kwargs = json.loads(request)\n    return "
        + call
        + "\n"
    )
    r = run(src)
    assert [(f.code, f.line) for f in r.findings] == [("OR442", 7)]
    assert shown in r.findings[0].message and "'openrouter/openai/<model>'" in r.findings[0].message
    assert r.new_source is None


def test_litellm_call_with_a_visible_model_and_kwargs_is_not_reported_twice() -> None:
    r = run(LITELLM + "litellm.completion(model='gpt-4o', **kwargs)\n")
    assert [f.code for f in r.findings] == ["OR443"]


@pytest.mark.parametrize(
    "head",
    [
        "import dspy\n",
        "from dspy import OpenAI as DspyOpenAI\n",
    ],
)
def test_subclass_of_dspy_openai_is_reported(head: str) -> None:
    # audit S6 (storm knowledge_storm/lm.py:276)
    base = "dspy.OpenAI" if head == "import dspy\n" else "DspyOpenAI"
    src = (
        head + f"class OpenAIModel({base}):\n"
        "    def __init__(self, model='gpt-4o-mini', **kwargs):\n"
        "        super().__init__(model=model, **kwargs)\n"
    )
    r = run(src)
    assert [(f.code, f.line) for f in r.findings] == [("OR445", 2)]
    assert "class `OpenAIModel`" in r.findings[0].message


def test_subclass_of_dspy_openai_for_another_server_is_not_reported() -> None:
    # storm's GroqModel(dspy.OpenAI): super().__init__(..., api_base=api_base)
    src = (
        "import dspy\n"
        "class GroqModel(dspy.OpenAI):\n"
        "    def __init__(self, model, api_base='https://api.groq.com/openai/v1', **kwargs):\n"
        "        super().__init__(model=model, api_base={}, **kwargs)\n"
    )
    assert codes(src.format("api_base")) == []
    assert codes(src.format("'https://api.openai.com/v1'")) == ["OR445"]


def test_dspy_multiopenai_is_a_legacy_client() -> None:
    assert codes("import dspy\nlm = dspy.MultiOpenAI(model='gpt-4o')\n") == ["OR445"]


PLACEHOLDER = """\
try:
    import litellm
except ImportError:
    class LitellmPlaceholder:
        def __getattr__(self, _):
            raise ImportError("pip install litellm")
    litellm = LitellmPlaceholder()
"""


@pytest.mark.parametrize(
    "head",
    [
        PLACEHOLDER,
        "try:\n    import litellm\nexcept ImportError:\n    litellm = None\n",
        "try:\n    import litellm\nexcept (ImportError, OSError):\n    litellm: object = None\n",
    ],
)
def test_litellm_rebound_only_by_an_import_fallback_is_still_litellm(head: str) -> None:
    # audit S7 (storm knowledge_storm/encoder.py:8-33)
    src = (
        head
        + "def ask(messages):\n    return litellm.completion(model='gpt-4o', messages=messages)\n"
    )
    assert codes(src) == ["OR441"]
    assert "model='openrouter/openai/gpt-4o'" in migrated(src)


def test_litellm_rebound_for_real_is_reported_not_moved() -> None:
    src = (
        "import litellm\n"
        "def use_proxy():\n"
        "    global litellm\n"
        "    litellm = make_proxy_client()\n"
        "litellm.completion(model='gpt-4o', messages=m)\n"
    )
    r = run(src)
    assert [(f.code, f.line) for f in r.findings] == [("OR442", 5)]
    assert "bound to something else" in r.findings[0].message
    assert r.new_source is None


def test_llamaindex_takes_the_runs_base_url_and_headers() -> None:
    src = (
        LLAMA
        + "a = OpenAI(model='gpt-4o')\nb = OpenAI(model='gpt-4o', default_headers={'X-A': '1'})\n"
    )
    out = migrated(
        src,
        unsafe_fixes=True,
        base_url="http://127.0.0.1:1/api/v1",
        app_url="https://example.test",
        app_title="App",
    )
    assert out.count('api_base="http://127.0.0.1:1/api/v1"') == 2
    assert 'default_headers={"HTTP-Referer": "https://example.test", "X-Title": "App"}' in out
    assert "default_headers={'X-A': '1', \"HTTP-Referer\"" in out


def test_llamaindex_key_variable_shared_with_an_sdk_client_is_left_whole() -> None:
    # replacing the LLM's `api_key=KEY` would leave KEY read only by the SDK
    # client, which the next run would then migrate: not idempotent
    src = """
        import os
        from llama_index.llms.openai import OpenAI
        import openai
        KEY = os.environ["OPENAI_API_KEY"]
        llm = OpenAI(model="gpt-4o-mini", api_key=KEY, temperature=0)
        raw = openai.OpenAI(api_key=KEY)
        raw.chat.completions.create(model="gpt-4o", messages=[])
        """
    assert migrated(src, unsafe_fixes=True) == __import__("textwrap").dedent(src)
    found = run(src, unsafe_fixes=True).findings
    assert [f.code for f in found] == ["OR451", "OR103"]
    assert "`KEY` is also read elsewhere" in found[0].message


def test_litellm_settings_set_in_another_module_hold_the_calls(tmp_path) -> None:
    # litellm.api_key is one per process: set in settings.py, it beats
    # OPENROUTER_API_KEY for app.py's calls too (checked alone, as
    # pre-commit does, app.py gets the same finding)
    from tests.conftest import run_cli

    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "settings.py").write_text(
        'import os, litellm\nlitellm.api_key = os.environ["OPENAI_API_KEY"]\n'
    )
    app = (
        "import litellm\nimport settings  # noqa: F401\n"
        'MODEL = "gpt-4o"\n'
        'def ask(q): return litellm.completion(model=MODEL, messages=[{"role": "user", "content": q}])\n'
    )
    (tmp_path / "app.py").write_text(app)
    for target in (tmp_path, tmp_path / "app.py"):
        code, out, _ = run_cli(["check", "--no-cache", str(target)])
        assert "app.py:3:9: OR442" in out and "(settings.py)" in out, out
    run_cli(["migrate", "--no-cache", str(tmp_path)])
    assert (tmp_path / "app.py").read_text() == app


# ---- model constants of another module (issue 14: followed as for the SDK)


def _lite_tree(tmp_path, files: dict[str, str]):
    (tmp_path / "pyproject.toml").write_text("")
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_a_constant_of_another_module_read_only_by_litellm_and_dspy_is_rewritten(
    tmp_path,
) -> None:
    from tests.conftest import run_cli

    root = _lite_tree(
        tmp_path,
        {
            "settings.py": 'MODEL = "gpt-4o"\nSMALL = "openai/gpt-4o-mini"\nTITLE = "x"\n',
            "app.py": (
                "import dspy\nimport litellm\n\nfrom settings import MODEL, SMALL\n\n"
                "def ask(q):\n"
                '    return litellm.completion(model=MODEL, messages=[{"role": "user", "content": q}])\n\n'
                "lm = dspy.LM(SMALL)\n"
            ),
        },
    )
    code, out, _ = run_cli(["check", "--no-cache", str(root)])
    lines = [x.removeprefix(str(root) + "/") for x in out.splitlines() if ": OR4" in x]
    assert [x.split(" ")[0:2] for x in lines] == [
        ["settings.py:1:9:", "OR441"],
        ["settings.py:2:9:", "OR441"],
    ], out
    run_cli(["migrate", "--no-cache", str(root)])
    assert (root / "settings.py").read_text() == (
        'MODEL = "openrouter/openai/gpt-4o"\nSMALL = "openrouter/openai/gpt-4o-mini"\nTITLE = "x"\n'
    )
    code, out, _ = run_cli(["check", "--no-cache", str(root)])
    assert ": OR4" not in out, out


def test_a_constant_of_another_module_shared_with_an_sdk_call_is_reported(tmp_path) -> None:
    from tests.conftest import run_cli

    files = {
        "settings.py": 'MODEL = "gpt-4o"\n',
        "app.py": (
            "import litellm\n\nfrom settings import MODEL\n\n"
            'r = litellm.completion(model=MODEL, messages=[{"role": "user", "content": "q"}])\n'
        ),
        "sdk.py": (
            "from openai import OpenAI\n\nfrom settings import MODEL\n\nclient = OpenAI()\n"
            'client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "q"}])\n'
        ),
    }
    root = _lite_tree(tmp_path, files)
    code, out, _ = run_cli(["check", "--no-cache", str(root)])
    app = next(x for x in out.splitlines() if "app.py:5" in x)
    assert "OR442" in app and "also sent to the OpenAI SDK (sdk.py)" in app, out
    assert "settings.py:1:9: OR206" in out, out
    run_cli(["migrate", "--no-cache", str(root)])
    assert (root / "settings.py").read_text() == files["settings.py"]


def test_a_constant_of_another_module_read_for_something_else_stays(tmp_path) -> None:
    from tests.conftest import run_cli

    files = {
        "settings.py": 'MODEL = "gpt-4o"\n',
        "app.py": (
            "import litellm\n\nfrom settings import MODEL\n\nprint(MODEL)\n"
            'r = litellm.completion(model=MODEL, messages=[{"role": "user", "content": "q"}])\n'
        ),
    }
    root = _lite_tree(tmp_path, files)
    code, out, _ = run_cli(["check", "--no-cache", str(root)])
    assert "app.py:6:30: OR442" in out and "settings.py" not in out, out
    run_cli(["migrate", "--no-cache", str(root)])
    assert (root / "settings.py").read_text() == files["settings.py"]


# ---------------------------------------------------------------- audit M6: scopes


CALL = "    return litellm.completion(model='gpt-4o', messages=m)\n"


@pytest.mark.parametrize(
    ("src", "line", "what"),
    [
        # a parameter that shadows the module's import
        ("import litellm\ndef ask(litellm, m):\n" + CALL, 3, "a parameter of `ask`"),
        # a local variable of the function
        (
            "import litellm\ndef ask(m):\n    litellm = make_proxy()\n" + CALL,
            4,
            "a local variable of `ask`",
        ),
        # imported only inside another function: not bound where it is read
        (
            "def setup():\n    import litellm\n    litellm.drop_params = True\n"
            "def ask(m):\n" + CALL,
            5,
            "not bound here (it is imported only inside `setup`)",
        ),
    ],
)
def test_litellm_that_is_something_else_where_it_is_read_is_reported_with_its_scope(
    src: str, line: int, what: str
) -> None:
    r = run(src, dedent=False)
    assert [(f.code, f.line) for f in r.findings] == [("OR442", line)], r.findings
    message = r.findings[0].message
    assert f"where `litellm.completion(...)` reads it, it is {what}:" in message, message
    assert "in this file too" not in message
    assert r.new_source is None


@pytest.mark.parametrize(
    "src",
    [
        # imported in the function that calls it (a module-level placeholder elsewhere)
        "litellm = None\ndef ask(m):\n    import litellm\n" + CALL,
        # the module's import, rebound only inside another function
        "import litellm\ndef ask(m):\n" + CALL + "def other(xs):\n    for litellm in xs:\n"
        "        print(litellm)\n",
    ],
)
def test_litellm_read_through_its_import_in_scope_is_moved(src: str) -> None:
    r = run(src, dedent=False)
    assert [f.code for f in r.findings] == ["OR441"], r.findings
    assert "'openrouter/openai/gpt-4o'" in migrated(src)


def test_an_unknown_model_sent_with_the_calls_own_key_is_or443() -> None:
    # audit 13 (SWE-agent): the call passes its own api_key and **kwargs, so
    # "set OPENROUTER_API_KEY" (OR442) would not move it
    r = run(
        """\
        import litellm

        class Model:
            def __init__(self, config):
                self.config = config

            def query(self, messages, **extra):
                return litellm.completion(
                    model=self.config.name, messages=messages, api_key=self.config.api_key, **extra
                )
        """
    )
    (f,) = r.findings
    assert f.code == "OR443", f.message
    assert "`self.config.name`" in f.message and "api_key=" in f.message
    assert f.line == 8  # the call, where the key is passed
