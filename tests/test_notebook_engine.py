"""Notebooks through the engine and the CLI: findings per cell, only changed sources out."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import codemods.python.notebook_engine as nbe
from codemods.cli import main
from codemods.core.engine import EngineConfig
from codemods.core.findings import FileResult, Finding, Severity
from codemods.core.runner import RunInput, collect_jobs
from codemods.python.notebook import load_cells
from codemods.python.notebook_engine import CANNOT_SPLIT, notebook_diff, process_notebook
from tests.conftest import FIXTURES
from tests.helpers import cli_runner

CONFIG = EngineConfig()


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def code(source: str, count: int | None = None, outputs: list[Any] | None = None, **meta) -> dict:
    return {
        "cell_type": "code",
        "execution_count": count,
        "id": f"c{abs(hash(source)) % 10**8:08d}",
        "metadata": meta,
        "outputs": outputs or [],
        "source": source.splitlines(True),
    }


def markdown(text: str) -> dict:
    return {"cell_type": "markdown", "id": "m0", "metadata": {}, "source": text.splitlines(True)}


def nb_bytes(*cells: dict) -> bytes:
    """What Jupyter writes: indent=1, sorted keys, non-ASCII as is, final newline."""
    nb = {
        "cells": list(cells),
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.11.6"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def sources(data: bytes) -> dict[int, str]:
    """Cell number -> source of every code cell."""
    return {c.number: c.source for c in load_cells(data)}


_SOURCE_ARRAY = re.compile(rb'\n   "source": (?:\[\]|\[\n.*?\n   \])', re.DOTALL)


def outside_sources(data: bytes) -> list[bytes]:
    """The notebook's bytes with every cell's source array cut out."""
    return _SOURCE_ARRAY.split(data)


def source_arrays(data: bytes) -> list[bytes]:
    return _SOURCE_ARRAY.findall(data)


def run_cli(args: list[str], cwd: Path) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        r = cli_runner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)
    return r.exit_code, r.stdout, r.stderr


PLOT = {
    "data": {"image/png": "iVBORw0KGgo=\n", "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
    "metadata": {"needs_background": "light"},
    "output_type": "display_data",
}

CROSS = nb_bytes(
    code("import openai\n%matplotlib inline", 1),  # cell 1
    code("client = openai.OpenAI()", 2),  # cell 2
    code('MODEL = "gpt-4o"  # the model', 3, tags=["parameters"]),  # cell 3
    markdown("## Ask → answer"),  # cell 4
    code("r = client.chat.completions.create(model=MODEL, messages=[])\nr", 7, [PLOT]),  # 5
    code("print(r.choices[0].message.content)", 8),  # cell 6
)


# --------------------------------------------------------------------------
# names flow across cells; findings name the cell
# --------------------------------------------------------------------------


def test_names_and_imports_flow_across_cells() -> None:
    res = process_notebook("nb.ipynb", CROSS, CONFIG)
    assert res.errors == []
    got = {(f.cell, f.line, f.col, f.code) for f in res.findings}
    # `import openai` of cell 1 makes cell 2's constructor openai's; MODEL of
    # cell 3 reaches the call in cell 5.
    assert got == {(2, 1, 10, "OR101"), (3, 1, 9, "OR201")}
    assert all(f.fixable for f in res.findings)
    assert res.new_source is not None
    new = sources(res.new_source)
    assert new[3] == 'MODEL = "openai/gpt-4o"  # the model'
    assert new[1] == "import os\nimport openai\n%matplotlib inline"  # the top import block
    assert new[2].startswith('client = openai.OpenAI(base_url="https://openrouter.ai/')
    assert new[5] == sources(CROSS)[5]  # the use site needs no change


def test_cells_alone_would_not_be_found() -> None:
    """The control for the test above: cell 3 by itself says nothing."""
    lone = nb_bytes(code('MODEL = "gpt-4o"  # the model'))
    assert process_notebook("nb.ipynb", lone, CONFIG).findings == []


def test_where_a_client_escapes_is_named_by_its_cell() -> None:
    # the place named in the message was a line of the cells joined
    # ("line 6"), which no cell has
    data = nb_bytes(
        code("import openai\nclient = openai.OpenAI()", 1),
        markdown("## pool"),
        code("x = 1\npool = [client]\nfor c in (client,):\n    print(c)", 2),
    )
    res = process_notebook("nb.ipynb", data, CONFIG)
    (f,) = [f for f in res.findings if f.code == "OR101"]
    assert "(`pool`) (cell 3:2)" in f.message and "in a container (cell 3:3)" in f.message, (
        f.message
    )
    assert "(line " not in f.message


def test_text_location_names_the_cell(tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_bytes(CROSS)
    code_, out, _ = run_cli(["check", "."], tmp_path)
    assert code_ == 1
    assert "nb.ipynb:cell 2:1:10: OR101 [*]" in out
    assert "nb.ipynb:cell 3:1:9: OR201 [*]" in out


def test_end_positions_are_in_the_cell_too() -> None:
    res = process_notebook("nb.ipynb", CROSS, CONFIG)
    f = next(f for f in res.findings if f.code == "OR201")
    assert (f.line, f.col, f.end_line, f.end_col) == (1, 9, 1, 17)  # "gpt-4o" with quotes


# --------------------------------------------------------------------------
# what must not change
# --------------------------------------------------------------------------


def test_only_changed_cells_source_bytes_change() -> None:
    res = process_notebook("nb.ipynb", CROSS, CONFIG)
    assert res.new_source is not None
    # outside the source arrays (outputs, counts, ids, metadata, markdown,
    # indentation, the final newline) not one byte differs
    assert outside_sources(res.new_source) == outside_sources(CROSS)
    old_arrays, new_arrays = source_arrays(CROSS), source_arrays(res.new_source)
    assert len(old_arrays) == len(new_arrays) == 6
    changed = [k for k, (a, b) in enumerate(zip(old_arrays, new_arrays)) if a != b]
    assert changed == [0, 1, 2]  # cells 1 (import os), 2 and 3; not 4 (markdown), 5, 6
    # a changed array is still a list of lines, one per line, last without "\n"
    model_line = b'    "MODEL = \\"openai/gpt-4o\\"  # the model"'
    assert new_arrays[2] == b'\n   "source": [\n' + model_line + b"\n   ]"
    assert "→".encode() in res.new_source and b"\\u2192" not in res.new_source
    assert res.new_source.endswith(b"}\n")


def test_outputs_counts_and_metadata_survive_as_json() -> None:
    res = process_notebook("nb.ipynb", CROSS, CONFIG)
    assert res.new_source is not None
    old, new = json.loads(CROSS), json.loads(res.new_source)
    for a, b in zip(old["cells"], new["cells"]):
        a.pop("source"), b.pop("source")
    assert old == new


def test_notebook_without_openai_code_is_skipped_and_untouched() -> None:
    data = nb_bytes(markdown("uses openai? no"), code("import numpy as np\n%timeit np.ones(3)"))
    res = process_notebook("nb.ipynb", data, CONFIG)
    assert res.skipped and not res.changed and res.findings == [] and res.errors == []


def test_second_run_is_a_no_op() -> None:
    first = process_notebook("nb.ipynb", CROSS, CONFIG)
    assert first.new_source is not None
    second = process_notebook("nb.ipynb", first.new_source, CONFIG)
    assert second.new_source is None
    assert second.errors == []
    assert [f for f in second.findings if f.fixable] == []


# --------------------------------------------------------------------------
# IPython syntax and cells that are not Python
# --------------------------------------------------------------------------


def test_magics_are_untouched_and_their_cells_migrate() -> None:
    cell2 = (
        "%pip install -q openai\n"
        "!ls data/\n"
        "files = !ls\n"
        "from openai import OpenAI\n"
        "OpenAI?\n"
        "client = OpenAI()"
    )
    timed = '%%time\nr = client.chat.completions.create(model="gpt-4o", messages=[])\n%env X=1'
    bash = '%%bash\necho "$OPENAI_API_KEY"\nopenai api chat.completions.create -m gpt-4o'
    data = nb_bytes(markdown("# t"), code(cell2), code(timed), code(bash))
    res = process_notebook("nb.ipynb", data, CONFIG)
    assert res.errors == []
    assert {(f.cell, f.code) for f in res.findings} == {(2, "OR101"), (3, "OR201")}
    assert res.new_source is not None
    new = sources(res.new_source)
    # the magics stay first (they install what the imports need): issue 11 item 6
    assert new[2].splitlines()[:4] == [
        "%pip install -q openai",
        "!ls data/",
        "files = !ls",
        "import os",
    ]
    assert "import os\nfrom openai import OpenAI\nOpenAI?\n" in new[2]
    assert new[3] == timed.replace('"gpt-4o"', '"openai/gpt-4o"')
    assert new[4] == bash  # a %%bash cell is not Python: never analysed or changed


def test_findings_on_masked_lines_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    data = nb_bytes(code("%pip install openai\nfrom openai import OpenAI\nOpenAI()"))

    def fake(path: str, vm: bytes, config: EngineConfig, **_: Any) -> tuple[FileResult, None]:
        # line 2 of the virtual module is the masked `%pip` line
        def at(line: int) -> Finding:
            return Finding(path, line, 1, line, 5, "OR999", "x", Severity.WARNING)

        return FileResult(path, findings=[at(2), at(4)]), None

    monkeypatch.setattr(nbe, "analyze_source", fake)
    res = process_notebook("nb.ipynb", data, CONFIG)
    assert [(f.cell, f.line) for f in res.findings] == [(1, 3)]


# --------------------------------------------------------------------------
# cells with syntax errors
# --------------------------------------------------------------------------


@pytest.mark.skipif(
    sys.version_info < (3, 10), reason="syntax error wording differs before Python 3.10"
)
def test_syntax_error_cell_is_untouched_while_others_migrate() -> None:
    broken = 'for m in ["gpt-4o"]\n    client.chat.completions.create(model=m)'
    data = nb_bytes(
        code("from openai import OpenAI\nclient = OpenAI()"),
        code(broken),
        code('client.chat.completions.create(model="gpt-4o", messages=[])'),
    )
    res = process_notebook("nb.ipynb", data, CONFIG)
    assert res.new_source is not None
    new = sources(res.new_source)
    assert new[2] == broken
    assert '"openai/gpt-4o"' in new[3] and "base_url=" in new[1]
    assert source_arrays(res.new_source)[1] == source_arrays(data)[1]
    # it may hold OpenAI code that was not checked: an error names the cell
    assert [str(e) for e in res.errors] == [
        "nb.ipynb: cell 2:1:20: syntax error: expected ':' "
        "(this cell is not analysed; the other cells are)"
    ]


def test_scratch_cell_with_syntax_error_is_skipped_silently() -> None:
    data = nb_bytes(
        code("from openai import OpenAI\nclient = OpenAI()"),
        code("for t in tickets\n    print(t)"),
    )
    res = process_notebook("nb.ipynb", data, CONFIG)
    assert res.errors == []
    assert res.new_source is not None
    assert sources(res.new_source)[2] == "for t in tickets\n    print(t)"


def test_only_cell_with_openai_code_broken_is_an_error_not_a_skip() -> None:
    data = nb_bytes(code("from openai import OpenAI\nOpenAI("))
    res = process_notebook("nb.ipynb", data, CONFIG)
    assert not res.skipped and not res.changed
    assert len(res.errors) == 1 and "cell 1" in res.errors[0].message


# --------------------------------------------------------------------------
# import insertion, failure to split
# --------------------------------------------------------------------------


def test_import_os_lands_in_the_first_code_cell() -> None:
    data = nb_bytes(
        markdown("# Setup"),
        code("%%bash\npip install openai"),  # not Python: skipped
        code("%pip install openai\nfrom openai import OpenAI"),
        code("client = OpenAI()"),
    )
    res = process_notebook("nb.ipynb", data, CONFIG)
    assert res.new_source is not None
    new = sources(res.new_source)
    assert new[2] == "%%bash\npip install openai"
    assert new[3] == "%pip install openai\nimport os\nfrom openai import OpenAI"
    assert new[4] == (
        'client = OpenAI(base_url="https://openrouter.ai/api/v1", '
        'api_key=os.environ["OPENROUTER_API_KEY"])'
    )


def test_lines_added_to_a_crlf_cell_end_in_crlf() -> None:
    src = "from openai import OpenAI\r\nc = OpenAI(\r\n    organization='x',\r\n    timeout=3,\r\n)"
    res = process_notebook("nb.ipynb", nb_bytes(code(src)), CONFIG)
    assert res.new_source is not None
    new = sources(res.new_source)[1]
    assert new.startswith("import os\r\nfrom openai import OpenAI\r\n")
    assert '    base_url="https://openrouter.ai/api/v1",\r\n' in new
    assert new.count("\n") == new.count("\r\n")


def test_unsplittable_rewrite_is_an_error_and_findings_become_report_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(nbe, "split_virtual_module", lambda vm, text: None)
    res = process_notebook("nb.ipynb", CROSS, CONFIG)
    assert res.new_source is None
    assert [e.message for e in res.errors] == [CANNOT_SPLIT]
    assert res.findings and not any(f.fixable or f.replacement for f in res.findings)


def test_engine_errors_are_placed_in_their_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    from codemods.core.findings import FileError

    def fake(path: str, vm: bytes, config: EngineConfig, **_: Any) -> tuple[FileResult, None]:
        return FileResult(path, errors=[FileError(path, "boom", 5, 3)]), None

    monkeypatch.setattr(nbe, "analyze_source", fake)
    data = nb_bytes(code("import openai\nx = 1"), markdown("m"), code("y = 2\nz = 3"))
    res = process_notebook("nb.ipynb", data, CONFIG)
    # virtual lines: 1 marker, 2-3 cell 1, 4 marker, 5 = cell 3 line 1
    assert [str(e) for e in res.errors] == ["nb.ipynb: cell 3:1:3: boom"]


def test_noqa_in_a_cell_is_honoured() -> None:
    data = nb_bytes(code("from openai import OpenAI\nclient = OpenAI()  # noqa: OR101"))
    assert process_notebook("nb.ipynb", data, CONFIG).findings == []


# --------------------------------------------------------------------------
# bad files; discovery; the CLI
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"cells": [\n  {"cell_type": }', "not valid JSON: line 2"),
        (b'{"openai": 1}', "not a notebook: missing 'cells'"),
        (b"import openai\n", "not valid JSON"),
    ],
)
def test_not_a_notebook_is_a_file_error(data: bytes, message: str) -> None:
    res = process_notebook("bad.ipynb", data, CONFIG)
    assert len(res.errors) == 1 and message in res.errors[0].message
    assert res.errors[0].path == "bad.ipynb" and not res.changed


def test_bad_notebooks_exit_2_and_other_files_are_still_processed(tmp_path: Path) -> None:
    (tmp_path / "a_bad.ipynb").write_bytes(b'{"cells": [ oops')
    (tmp_path / "b_list.ipynb").write_bytes(b"[1, 2]\n")
    (tmp_path / "c_good.ipynb").write_bytes(CROSS)
    (tmp_path / "d.py").write_bytes(b"from openai import OpenAI\nclient = OpenAI()\n")
    code_, out, err = run_cli(["check", "."], tmp_path)
    assert code_ == 2
    assert "error: a_bad.ipynb: not valid JSON" in err
    assert "error: b_list.ipynb: not a notebook" in err
    assert "c_good.ipynb:cell 2:1:10: OR101" in out and "d.py:2:10: OR101" in out
    code_, _, err = run_cli(["migrate", "."], tmp_path)
    assert code_ == 2
    assert "fixed c_good.ipynb (2 fixes)" in err and "fixed d.py" in err
    assert (tmp_path / "a_bad.ipynb").read_bytes() == b'{"cells": [ oops'


def test_notebooks_are_discovered_by_default_and_explicitly(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "nb.ipynb").write_bytes(CROSS)
    (tmp_path / "x.py").write_bytes(b"")
    jobs, errors = collect_jobs(RunInput(paths=[str(tmp_path)]))
    assert errors == []
    assert sorted(Path(j.path).name for j in jobs) == ["nb.ipynb", "x.py"]
    jobs, _ = collect_jobs(RunInput(paths=[str(tmp_path / "sub" / "nb.ipynb")]))
    assert [Path(j.path).name for j in jobs] == ["nb.ipynb"]


def test_migrate_cell_diff_is_per_cell_not_json(tmp_path: Path) -> None:
    """``--diff --cell-diff``: the readable view (``--diff`` alone is a patch of
    the JSON, tests/test_diff_patch.py)."""
    (tmp_path / "nb.ipynb").write_bytes(CROSS)
    code_, out, _ = run_cli(["migrate", "--diff", "--cell-diff", "nb.ipynb"], tmp_path)
    assert code_ == 0
    assert (tmp_path / "nb.ipynb").read_bytes() == CROSS
    assert out == (
        "--- a/nb.ipynb:cell 1\n"
        "+++ b/nb.ipynb:cell 1\n"
        "@@ -1,2 +1,3 @@\n"
        "+import os\n"
        " import openai\n"
        " %matplotlib inline\n"
        "--- a/nb.ipynb:cell 2\n"
        "+++ b/nb.ipynb:cell 2\n"
        "@@ -1 +1 @@\n"
        "-client = openai.OpenAI()\n"
        '+client = openai.OpenAI(base_url="https://openrouter.ai/api/v1", '
        'api_key=os.environ["OPENROUTER_API_KEY"])\n'
        "--- a/nb.ipynb:cell 3\n"
        "+++ b/nb.ipynb:cell 3\n"
        "@@ -1 +1 @@\n"
        '-MODEL = "gpt-4o"  # the model\n'
        '+MODEL = "openai/gpt-4o"  # the model\n'
    )


def test_diff_marks_a_changed_final_newline() -> None:
    old = nb_bytes(code("x = 1\n"))
    new = nb_bytes(code("x = 2"))
    assert notebook_diff("n.ipynb", old, new).endswith(
        "-x = 1\n+x = 2\n\\ No newline at end of cell\n"
    )


# --------------------------------------------------------------------------
# the fixture notebooks
# --------------------------------------------------------------------------


def test_fixture_ticket_summariser() -> None:
    data = (FIXTURES / "notebooks" / "ticket_summariser.ipynb").read_bytes()
    res = process_notebook("t.ipynb", data, CONFIG)
    assert [(f.cell, f.line, f.code) for f in res.findings] == [
        (2, 6, "OR101"),
        (5, 3, "OR201"),
        (8, 1, "OR201"),
        (9, 2, "OR201"),
    ]
    assert res.errors == []  # cell 7's syntax error cannot hide OpenAI code
    assert res.new_source is not None
    old, new = sources(data), sources(res.new_source)
    assert [n for n in old if old[n] != new[n]] == [2, 5, 8, 9]
    assert new[2].count("import os") == 1
    assert "organization" not in new[2] and "# team billing" not in new[2]


def test_fixture_legacy_notebook_is_never_translated_to_v1() -> None:
    """Report-only (or whole-notebook) migration; never 0.x calls turned into v1."""
    data = (FIXTURES / "notebooks" / "legacy_chat.ipynb").read_bytes()
    res = process_notebook("l.ipynb", data, CONFIG)
    assert res.errors == []
    out = res.new_source or data
    new = sources(out)
    assert new[2] == "!pip install openai==0.28.1"
    assert "openai.ChatCompletion.create(" in new[4]
    assert "openai.Embedding.create(" in new[5]
    assert "OpenAI(" not in "".join(new.values())
    assert outside_sources(out) == outside_sources(data)


def test_findings_carry_their_place_in_the_json_through_the_cache_format() -> None:
    """``file_region`` (where the cell's text is in the .ipynb) survives the
    JSON the result cache stores, as a tuple (findings stay hashable)."""
    data = (FIXTURES / "notebooks" / "ticket_summariser.ipynb").read_bytes()
    res = process_notebook("t.ipynb", data, CONFIG)
    assert res.findings and all(f.file_region is not None for f in res.findings)
    back = FileResult.from_dict(json.loads(json.dumps(res.to_dict())))
    assert back.findings == res.findings
    assert len({*back.findings}) == len(back.findings)
    lines = data.decode("utf-8").split("\n")
    for f in res.findings:
        line, col, _, _ = f.file_region
        assert lines[line - 1].lstrip().startswith('"')  # inside a source string


def test_automagic_lines_are_masked_like_magics_not_syntax_errors() -> None:
    # IPython runs `pip install openai` as %pip (automagic); `ls -la` is Python too
    nb = nb_bytes(
        code("pip install openai\ncd data\nimport openai\n"),
        code(
            "client = openai.OpenAI()\nclient.chat.completions.create(model='gpt-4o', messages=[])\n"
        ),
    )
    res = process_notebook("nb.ipynb", nb, CONFIG)
    assert not res.errors
    assert [f.code for f in res.findings] == ["OR101", "OR201"]
    cells = load_cells(res.new_source)
    assert cells[0].source == "pip install openai\ncd data\nimport os\nimport openai\n"


def test_function_redefined_in_a_later_cell_is_the_one_a_later_call_runs() -> None:
    """audit 13 (llm-zoomcamp 01-agentic-rag): cell 2 defines ``llm`` without
    a model, cell 3 redefines it with one; ``rag`` of cell 4 passes its
    default to it: run top to bottom, that default reaches the SDK call."""
    data = nb_bytes(
        code("from openai import OpenAI\nclient = OpenAI()"),
        code(
            "def llm(prompt):\n"
            '    return client.chat.completions.create(model="gpt-4o-mini", messages=[])'
        ),
        code(
            "def llm(instructions, user_prompt, model='gpt-4o-mini'):\n"
            "    return client.responses.create(model=model, input=user_prompt)"
        ),
        code("def rag(query, model='gpt-4o-mini'):\n    return llm('i', query, model=model)"),
        code("rag('how do I join?')"),
    )
    res = process_notebook("nb.ipynb", data, CONFIG)
    assert res.errors == []
    got = {(f.cell, f.line, f.code) for f in res.findings}
    assert (4, 1, "OR201") in got
    assert all(f.applicability == "safe" for f in res.findings)
    assert res.new_source is not None
    assert sources(res.new_source)[4].startswith("def rag(query, model='openai/gpt-4o-mini')")


# --------------------------------------------------------------------------
# a notebook in the project pass: a caller and importer of the run's modules
# --------------------------------------------------------------------------

UTILS = (
    'def llm_structured(client, prompt, model="gpt-4o-mini"):\n'
    "    return client.responses.parse(model=model, input=prompt)\n"
)


def test_notebook_calling_a_module_function_is_its_caller(tmp_path: Path) -> None:
    """audit 13 (llm-zoomcamp 04-llm-judge.ipynb): the notebook passes its
    client and its own default to ``utils.llm_structured``: checked with
    the module, as a .py file would be, both defaults move with the client
    (no default left bare, no unsafe fix in utils.py while the client moves)."""
    (tmp_path / "utils.py").write_text(UTILS)
    (tmp_path / "judge.ipynb").write_bytes(
        nb_bytes(
            code("from openai import OpenAI\nfrom utils import llm_structured\nclient = OpenAI()"),
            markdown("## judge"),
            code(
                "def judge(q, model='gpt-4o-mini'):\n"
                "    return llm_structured(client, q, model=model)"
            ),
            code("judge('is this good?')"),
        )
    )
    code_, out, _ = run_cli(["check", "--no-cache", "--isolated", "."], tmp_path)
    assert code_ == 1
    assert "judge.ipynb:cell 1:3:10: OR101 [*]" in out, out
    assert "judge.ipynb:cell 3:1:20: OR201 [*]" in out, out
    assert "utils.py:1:42: OR201 [*]" in out, out
    assert "hidden fix" not in out
    code_, _, _ = run_cli(["migrate", "--no-cache", "--isolated", "."], tmp_path)
    assert "model='openai/gpt-4o-mini'" in sources((tmp_path / "judge.ipynb").read_bytes())[3]
    assert 'model="openai/gpt-4o-mini"' in (tmp_path / "utils.py").read_text()


def test_model_a_notebook_sends_through_a_module_client_holds_it(tmp_path: Path) -> None:
    """A retired ID the notebook sends through ``utils.client`` holds that
    client (it was moved as a safe fix, and 'o1-mini' sent to OpenRouter);
    the client's finding names the notebook's cell and line."""
    (tmp_path / "utils.py").write_text("from openai import OpenAI\n\nclient = OpenAI()\n")
    (tmp_path / "nb.ipynb").write_bytes(
        nb_bytes(
            code("from utils import client"),
            code("# ask\nr = client.chat.completions.create(model='o1-mini', messages=[])"),
        )
    )
    code_, out, _ = run_cli(["check", "--no-cache", "--isolated", "."], tmp_path)
    assert "utils.py:3:10: OR101 `OpenAI(...)`" in out, out  # no [*]: unsafe
    assert "'o1-mini' (OR204) at nb.ipynb:cell 2:2 is sent through it" in out, out
