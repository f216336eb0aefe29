"""Property tests: the engine on generated programs and generated SDK code.

CI runs the "ci" hypothesis profile (tests/conftest.py: a bounded number of
examples); fuzz longer with ``pytest --hypothesis-profile=fuzz tests/test_fuzz.py``
(or HYPOTHESIS_PROFILE=fuzz). Invariants:

- the engine never crashes (no internal error) and its output always parses
  (LibCST and ``compile``);
- a second run is a no-op, and checking the output finds nothing safe-fixable
  (default options) and nothing fixable at all with ``--unsafe-fixes``;
- a file without OpenAI usage comes back byte-identical (prefilter on and off);
- every comment of the input is still in the output, except those on removed
  ``organization=`` / ``project=`` arguments.
"""

from __future__ import annotations

import dataclasses
import io
import re
import tokenize
from dataclasses import dataclass, field

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from codemods.core.engine import EngineConfig
from codemods.core.findings import FileResult, Settings
from codemods.python.engine import process_source

# generated programs are odd on purpose (``1()``): Python's warnings about them are noise
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

CONFIG = EngineConfig()
TABLE_IDS = sorted(CONFIG.table().models)[:400]


def _comments(source: str) -> list[str]:
    out = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            out.append(tok.string)
    return out


def _assert_sound(path: str, data: bytes, config: EngineConfig = CONFIG) -> FileResult:
    """Run the engine and check the invariants that hold for every input,
    with the given options and, when there are unsafe fixes, with
    ``--unsafe-fixes`` too."""
    result = _sound_with(path, data, config)
    if any(f.applicability == "unsafe" for f in result.findings):
        unsafe = dataclasses.replace(
            config, settings=dataclasses.replace(config.settings, unsafe_fixes=True)
        )
        _sound_with(path, data, unsafe)
    return result


def _sound_with(path: str, data: bytes, config: EngineConfig) -> FileResult:
    result = process_source(path, data, config, prefilter=False)
    for e in result.errors:
        assert "internal error" not in e.message, (e, data)
    if result.new_source is not None:
        new = result.new_source
        cst.parse_module(new)
        compile(new, "<migrated>", "exec", dont_inherit=True)
        again = process_source(path, new, config, prefilter=False)
        assert again.new_source is None, ("second run is not a no-op", data, new)
        assert not again.errors, again.errors
        # nothing safe-fixable is left; with --unsafe-fixes, nothing fixable
        left = [f for f in again.findings if f.fixable or f.applicability == "safe"]
        if config.settings.unsafe_fixes:
            left = [f for f in again.findings if f.applicability is not None]
        assert not left, again.findings
    return result


# -- generated Python programs ----------------------------------------------------


def _check_untouched(source: str) -> None:
    data = source.encode("utf-8")
    for prefilter in (False, True):
        r = process_source("gen.py", data, CONFIG, prefilter=prefilter)
        assert r.new_source is None
        for e in r.errors:
            assert "internal error" not in e.message, e


@settings(suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar())
def test_generated_programs_without_openai_are_untouched(source: str) -> None:
    assume("openai" not in source)
    _check_untouched(source)


@settings(suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_node())
def test_generated_cst_programs_without_openai_are_untouched(source: str) -> None:
    assume("openai" not in source)
    _check_untouched(source)


@settings(suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_grammar(), st.sampled_from(["prefix", "suffix"]))
def test_generated_programs_with_a_client_stay_sound(source: str, where: str) -> None:
    snippet = (
        "from openai import OpenAI\n"
        'client = OpenAI(organization="org-1")\n'
        'client.chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    if not source.endswith("\n"):
        source += "\n"
    text = snippet + source if where == "prefix" else source + snippet
    try:
        compile(text, "<gen>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        assume(False)
    r = _assert_sound("gen.py", text.encode())
    if not r.errors:
        assert r.new_source is not None
        assert b"openrouter.ai" in r.new_source


# -- generated OpenAI SDK snippets ---------------------------------------------------


@dataclass
class Arg:
    name: str
    value: str
    removed: bool = False


@dataclass
class Snippet:
    source: str
    keep_comments: list[str] = field(default_factory=list)
    imports_openai: bool = True


KEYS = [
    'os.environ["OPENAI_API_KEY"]',
    'os.getenv("OPENAI_API_KEY")',
    'os.environ.get("OPENAI_API_KEY", "")',
    '"sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234"',
    "settings.openai_key",
    '"short"',
    'os.environ["OPENROUTER_API_KEY"]',
]
BASE_URLS = [
    '"https://api.openai.com/v1"',
    "'https://api.openai.com/v1/'",
    '"https://openrouter.ai/api/v1"',
    '"http://localhost:8000/v1"',
    "BASE_URL",
]
HEADERS = ['{"X-App": "demo"}', "{}", "build_headers()", '{\n        "X-App": "demo",\n    }']
MODELS = st.one_of(
    st.sampled_from(TABLE_IDS),
    st.sampled_from(["openai/gpt-4o", "my-finetune", "ft:gpt-4o:org::abc", "o1"]),
)


@st.composite
def snippets(draw: st.DrawFn) -> Snippet:
    counter = iter(range(10_000))
    imports = draw(
        st.sampled_from(
            [
                ("from openai import OpenAI", "OpenAI"),
                ("from openai import OpenAI as Client", "Client"),
                ("from openai import AsyncOpenAI", "AsyncOpenAI"),
                ("import openai", "openai.OpenAI"),
                ("import openai as oa", "oa.OpenAI"),
                ("from openai import Client", "Client"),
                ("from mylib import OpenAI", "OpenAI"),  # not openai's: untouched
            ]
        )
    )
    import_line, ctor = imports
    args: list[Arg] = []
    if draw(st.booleans()):
        args.append(Arg("api_key", draw(st.sampled_from(KEYS))))
    if draw(st.booleans()):
        args.append(Arg("base_url", draw(st.sampled_from(BASE_URLS))))
    if draw(st.booleans()):
        args.append(Arg("organization", '"org-abc"', removed=True))
    if draw(st.booleans()):
        args.append(Arg("project", '"proj_abc"', removed=True))
    if draw(st.booleans()):
        args.append(Arg("timeout", str(draw(st.integers(1, 99)))))
    if draw(st.booleans()):
        args.append(Arg("max_retries", "2"))
    if draw(st.booleans()):
        args.append(Arg("default_headers", draw(st.sampled_from(HEADERS))))
    if draw(st.integers(0, 4)) == 0:  # a client nested in an argument of a client
        inner = draw(st.sampled_from(['organization="org-in"', "", "timeout=1"]))
        args.append(Arg("http_client", f"wrap({ctor}({inner}))"))
    args = draw(st.permutations(args))
    star = draw(st.sampled_from(["", "", "", "**kwargs", "*rest"]))

    layout = draw(st.sampled_from(["inline", "multiline", "hanging"]))
    trailing = draw(st.booleans())
    keep: list[str] = []

    def comment(removed: bool) -> str:
        text = f"# {'drop' if removed else 'keep'}-{next(counter)}"
        if not removed:
            keep.append(text)
        return text

    parts = [f"{a.name}={a.value}" for a in args] + ([star] if star else [])
    fates = [a.removed for a in args] + ([False] if star else [])
    if layout == "inline" or not parts:
        call = f"{ctor}({', '.join(parts)})"
    elif layout == "multiline":
        lines = []
        for i, (p, removed) in enumerate(zip(parts, fates)):
            if draw(st.booleans()):
                lines.append(f"    {comment(removed)}\n")
            last = i == len(parts) - 1
            sep = "," if (not last or trailing) and not p.startswith("*") or not last else ""
            tail = f"  {comment(removed)}" if draw(st.booleans()) else ""
            lines.append(f"    {p}{sep}{tail}\n")
        call = f"{ctor}(\n{''.join(lines)})"
    else:
        pad = " " * (len("client = ") + len(ctor) + 1)
        lines = []
        for i, (p, removed) in enumerate(zip(parts, fates)):
            last = i == len(parts) - 1
            sep = "" if last else ","
            tail = f"  {comment(removed)}" if draw(st.booleans()) and not last else ""
            lines.append((pad if i else "") + p + sep + tail)
        call = f"{ctor}(" + "\n".join(lines) + ")"

    model = draw(MODELS)
    shape = draw(st.integers(0, 5))
    if shape == 0:
        usage = f"client = {call}\nclient.chat.completions.create(model={model!r}, messages=[])\n"
    elif shape == 1:
        usage = (
            f"resp = {call}.chat.completions.create(\n    model={model!r},\n    messages=[],\n)\n"
        )
    elif shape == 2:
        usage = f"print(wrap({call}).embeddings.create(model={model!r}, input='x'))\n"
    elif shape == 3:
        usage = f"def make():\n    return {call}\n"
    elif shape == 4:
        usage = f"class Holder:\n    client = {call}  {comment(False)}\n"
    else:  # a receiver the tool cannot resolve: the model's fix is unsafe
        usage = (
            f"def ask(client, model={model!r}):\n"
            "    return client.chat.completions.create(model=model, messages=[])\n\n"
            f"ask({call})\n"
        )
    head = ""
    if draw(st.booleans()):
        head += f'"""Docstring."""  {comment(False)}\n'
    if draw(st.booleans()):
        head += "from __future__ import annotations\n"
    if draw(st.booleans()):
        head += "import os\n"
    source = f"{head}{import_line}\n\n{usage}"
    return Snippet(source, keep, imports_openai="openai" in import_line)


SETTINGS = st.builds(
    Settings,
    app_url=st.sampled_from([None, "https://example.com"]),
    app_title=st.sampled_from([None, "Demo"]),
    strip_project=st.booleans(),
)


@given(snippets(), SETTINGS)
@example(
    Snippet(
        "from openai import OpenAI\n\nclient = OpenAI(\n"
        '    organization="org-abc",  # drop-0\n'
        "    # keep-1\n"
        "    timeout=3,\n"
        ")\n",
        ["# keep-1"],
    ),
    Settings(),
)
def test_generated_sdk_snippets(snippet: Snippet, s: Settings) -> None:
    data = snippet.source.encode()
    compile(data, "<snippet>", "exec", dont_inherit=True)  # the generator's own check
    config = EngineConfig(settings=s)
    result = _assert_sound("snippet.py", data, config)
    assert not result.errors, result.errors
    if not snippet.imports_openai:
        # another library's OpenAI class: the constructor is never touched
        # (model IDs in SDK-shaped method chains are still mapped)
        assert not [f for f in result.findings if f.code.startswith("OR1")]
        if result.new_source is not None:
            assert result.new_source.count(b"openrouter.ai") == data.count(b"openrouter.ai")
        return
    out = (result.new_source or data).decode()
    out_comments = _comments(out)
    for c in snippet.keep_comments:
        assert c in out_comments, (c, snippet.source, out)
    # nothing invented: every comment in the output was in the input
    assert set(out_comments) <= set(_comments(snippet.source))
    if any(f.code == "OR101" and f.fixable for f in result.findings):
        assert "openrouter.ai" in out
    if not s.strip_project and "project=" in snippet.source and result.new_source is not None:
        assert "project=" in out


@given(snippets())
def test_prefilter_never_hides_work(snippet: Snippet) -> None:
    """With or without the prefilter, the result is the same."""
    data = snippet.source.encode()
    with_pf = process_source("p.py", data, CONFIG, prefilter=True)
    without = process_source("p.py", data, CONFIG, prefilter=False)
    assert with_pf.new_source == without.new_source
    assert with_pf.findings == without.findings


@pytest.mark.parametrize("n", [1, 3])
def test_secrets_in_generated_snippets_never_reach_messages(n: int) -> None:
    key = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx1234"
    src = "from openai import OpenAI\n" + "".join(
        f'c{i} = OpenAI(api_key="{key}")\n' for i in range(n)
    )
    r = _assert_sound("k.py", src.encode())
    assert r.new_source is not None and key.encode() not in r.new_source
    for f in r.findings:
        assert key not in f.message and key not in (f.replacement or "")
    assert sum(1 for f in r.findings if f.code == "OR107") == n


def test_comment_regex_sanity() -> None:
    assert _comments("x = 1  # a\n# b\n") == ["# a", "# b"]
    assert re.match(r"# keep-\d+", "# keep-12")


# -- regressions found by the fuzzer --------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        # a fresh argument (base_url) now precedes the commented one
        '    organization="org-abc",  # drop\n    # keep: above timeout\n    timeout=3,\n',
        # nothing precedes it any more: the comment moves after the "("
        '    organization="org-abc",\n    # keep: above base_url\n'
        '    base_url="https://api.openai.com/v1",\n    api_key=os.environ["OPENAI_API_KEY"],\n',
        # two removed in a row
        '    organization="o",\n    project="p",\n    # keep: above timeout\n    timeout=3,\n',
    ],
)
def test_comment_above_an_argument_survives_removing_the_one_before(args: str) -> None:
    src = f"import os\nfrom openai import OpenAI\n\nclient = OpenAI(\n{args})\n"
    r = _assert_sound("c.py", src.encode())
    assert r.new_source is not None
    out = r.new_source.decode()
    assert "organization" not in out
    keep = [c for c in _comments(src) if c.startswith("# keep")]
    assert keep and all(c in _comments(out) for c in keep), out
