"""The notebook bridge: cells -> one virtual module -> changed cells -> same JSON layout."""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codemods.python.notebook import (
    NotebookError,
    build_virtual_module,
    load_cells,
    map_position,
    replace_cell_sources,
    split_virtual_module,
)

# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


def code(source: Any, count: int | None = None, outputs: list[Any] | None = None) -> dict:
    if isinstance(source, str):
        source = source.splitlines(True)
    return {
        "cell_type": "code",
        "execution_count": count,
        "metadata": {},
        "outputs": outputs or [],
        "source": source,
    }


def markdown(text: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": text.splitlines(True)}


def notebook(*cells: dict, language: str = "python") -> dict:
    return {
        "cells": list(cells),
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": language, "name": "python3"},
            "language_info": {"name": language, "version": "3.11.7"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def jupyter_bytes(nb: dict, ensure_ascii: bool = False) -> bytes:
    """Exactly what Jupyter (nbformat.write) puts on disk."""
    return (json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=ensure_ascii) + "\n").encode()


def with_sources(nb: dict, new: dict[int, str]) -> dict:
    nb = copy.deepcopy(nb)
    for i, src in new.items():
        cell = nb["cells"][i]
        cell["source"] = src if isinstance(cell["source"], str) else src.splitlines(True)
    return nb


def fake_engine(text: str) -> str:
    """What the real engine may do: add an import at the top, rewrite a model ID."""
    return "import os\n" + text.replace('"gpt-4o"', '"openai/gpt-4o"')


def migrate(data: bytes, engine=fake_engine) -> bytes:
    vm = build_virtual_module(load_cells(data))
    new = split_virtual_module(vm, engine(vm.text))
    assert new is not None
    return replace_cell_sources(data, new)


def changed_region(a: bytes, b: bytes) -> tuple[bytes, bytes, int]:
    """The differing middle parts of a and b, and where they start."""
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    s = 0
    while s < min(len(a), len(b)) - p and a[len(a) - 1 - s] == b[len(b) - 1 - s]:
        s += 1
    return a[p : len(a) - s], b[p : len(b) - s], p


PLOT_OUTPUT = {
    "data": {"image/png": "iVBORw0KGgo=\n", "text/plain": ["<Figure size 640x480 with 1 Axes>"]},
    "metadata": {},
    "output_type": "display_data",
}

NB = notebook(
    markdown("# Demo\nCalls a model."),
    code("%pip install openai\nfrom openai import OpenAI\nclient = OpenAI()", 1),
    code('r = client.chat.completions.create(model="gpt-4o", messages=[])\nr', 2, [PLOT_OUTPUT]),
    markdown("done"),
    code("print(r.choices[0].message.content)", 3),
)


# --------------------------------------------------------------------------
# load_cells
# --------------------------------------------------------------------------


def test_load_cells_code_only_numbered_among_all_cells() -> None:
    cells = load_cells(jupyter_bytes(NB))
    assert [(c.index, c.number) for c in cells] == [(1, 2), (2, 3), (4, 5)]
    assert cells[0].source == "%pip install openai\nfrom openai import OpenAI\nclient = OpenAI()"
    assert all(c.parsable for c in cells)


def test_string_source_is_read_as_is() -> None:
    nb = notebook(code("x = 1\n"))
    nb["cells"][0]["source"] = "x = 1\ny = 2"
    assert load_cells(json.dumps(nb).encode())[0].source == "x = 1\ny = 2"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"cells": [\n  {"cell_type": }', "not valid JSON: line 2 col"),
        (b"[1, 2]", "not a notebook"),
        (b'{"metadata": {}, "nbformat": 4}', "not a notebook: missing 'cells'"),
        (b'{"worksheets": [], "nbformat": 3}', "nbformat 3 is not supported"),
        (b'{"worksheets": []}', "nbformat 3 is not supported"),
        (b'{"cells": {}, "nbformat": 4}', "'cells' is not a list"),
        (b'{"cells": [{"cell_type": "code", "source": 3}]}', "cell 1: 'source'"),
        (b'{"cells": [], "nbformat": 4, "x": "\xff"}', "not UTF-8"),
    ],
)
def test_bad_files_get_a_clear_error(data: bytes, message: str) -> None:
    with pytest.raises(NotebookError, match=message.replace("(", r"\(")):
        load_cells(data)
    with pytest.raises(NotebookError):
        replace_cell_sources(data, {0: "x"})


def test_non_python_kernel_is_not_analysed() -> None:
    cells = load_cells(jupyter_bytes(notebook(code("x <- 1"), language="R")))
    assert not cells[0].parsable
    assert cells[0].error is None
    assert "R" in (cells[0].skip_reason or "")


# --------------------------------------------------------------------------
# identity when nothing changes
# --------------------------------------------------------------------------


def test_nothing_changed_means_no_cell_and_identical_bytes() -> None:
    data = jupyter_bytes(NB)
    vm = build_virtual_module(load_cells(data))
    assert split_virtual_module(vm, vm.text) == {}
    assert replace_cell_sources(data, {}) == data


@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_rewriting_a_source_to_itself_keeps_every_byte(ensure_ascii: bool) -> None:
    nb = notebook(code("s = 'héllo ✓ 🎉'\nt = \"\\t\"\n"), code(""), code("x"))
    data = jupyter_bytes(nb, ensure_ascii)
    cells = load_cells(data)
    same = {c.index: c.source for c in cells}
    assert replace_cell_sources(data, same) == data


# --------------------------------------------------------------------------
# a change touches only that cell's source
# --------------------------------------------------------------------------


def test_changed_cell_is_written_exactly_as_jupyter_would() -> None:
    data = jupyter_bytes(NB)
    out = migrate(data)
    expected_nb = with_sources(
        NB,
        {
            1: "import os\n%pip install openai\nfrom openai import OpenAI\nclient = OpenAI()",
            2: 'r = client.chat.completions.create(model="openai/gpt-4o", messages=[])\nr',
        },
    )
    assert out == jupyter_bytes(expected_nb)


def test_only_the_source_bytes_differ() -> None:
    data = jupyter_bytes(NB)
    out = replace_cell_sources(data, {2: 'r = create(model="openai/gpt-4o")\nr'})
    old, new, at = changed_region(data, out)
    assert b"gpt-4o" in old and b"openai/gpt-4o" in new
    # The change starts inside the source list of cell 3 and stays there.
    text = data.decode()
    source_key = text.index('"source"', text.index("chat.completions") - 200)
    list_end = text.index("\n   ]", source_key)
    assert source_key < at and at + len(old) <= list_end
    assert b"\n" not in old and b"\n" not in new
    assert json.loads(out)["cells"][2]["outputs"] == [PLOT_OUTPUT]


def test_hand_formatted_notebook_with_string_sources() -> None:
    nb = {
        "nbformat": 4,
        "nbformat_minor": 4,
        "metadata": {},
        "cells": [
            {"cell_type": "code", "source": 'm = "gpt-4o"', "metadata": {}, "outputs": []},
            {"cell_type": "code", "source": "keep = 1\n", "metadata": {}, "outputs": []},
        ],
    }
    # indent=2, keys in the author's order, no final newline
    data = json.dumps(nb, indent=2).encode()
    out = migrate(data)
    expected = copy.deepcopy(nb)
    expected["cells"][0]["source"] = 'import os\nm = "openai/gpt-4o"'
    assert out == json.dumps(expected, indent=2).encode()


def test_compact_notebook_and_empty_source_list() -> None:
    nb = notebook(code([]), code("x = 1"))
    data = json.dumps(nb, separators=(",", ":")).encode()
    out = replace_cell_sources(data, {0: "a = 1\nb = 2"})
    expected = with_sources(nb, {0: "a = 1\nb = 2"})
    assert out == json.dumps(expected, separators=(",", ":")).encode()


def test_empty_source_list_gets_jupyter_layout() -> None:
    nb = notebook(code([]), code("x = 1"))
    data = jupyter_bytes(nb)
    out = replace_cell_sources(data, {0: "a = 1\nb = 2"})
    assert out == jupyter_bytes(with_sources(nb, {0: "a = 1\nb = 2"}))
    # and back to empty
    assert replace_cell_sources(out, {0: ""}) == data


def test_crlf_layout_is_kept() -> None:
    nb = notebook(code('m = "gpt-4o"\nprint(m)'), code([]))
    data = jupyter_bytes(nb).replace(b"\n", b"\r\n")
    out = replace_cell_sources(data, {0: 'm = "openai/gpt-4o"\nprint(m)', 1: "y = 2\nz = 3"})
    expected = jupyter_bytes(
        with_sources(nb, {0: 'm = "openai/gpt-4o"\nprint(m)', 1: "y = 2\nz = 3"})
    )
    assert out == expected.replace(b"\n", b"\r\n")


def test_bom_is_kept() -> None:
    data = b"\xef\xbb\xbf" + jupyter_bytes(notebook(code('m = "gpt-4o"')))
    out = migrate(data)
    assert out.startswith(b"\xef\xbb\xbf{")
    assert json.loads(out[3:])["cells"][0]["source"] == ["import os\n", 'm = "openai/gpt-4o"']


# --------------------------------------------------------------------------
# non-ASCII text
# --------------------------------------------------------------------------


@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_non_ascii_text_keeps_the_files_escaping_style(ensure_ascii: bool) -> None:
    nb = notebook(markdown("Données ✓"), code('# réponse 🎉\nm = "gpt-4o"\nprompt = "naïve"'))
    data = jupyter_bytes(nb, ensure_ascii)
    out = migrate(data)
    new_src = 'import os\n# réponse 🎉\nm = "openai/gpt-4o"\nprompt = "naïve"'
    assert out == jupyter_bytes(with_sources(nb, {1: new_src}), ensure_ascii)
    assert out.isascii() == ensure_ascii


def test_positions_are_code_points_after_non_ascii() -> None:
    data = jupyter_bytes(notebook(code('x = "é"; m = "gpt-4o"')))
    vm = build_virtual_module(load_cells(data))
    line_no, line = next((i, ln) for i, ln in enumerate(vm.text.splitlines(), 1) if "gpt" in ln)
    col = line.index('"gpt-4o"') + 1
    assert map_position(vm, line_no, col) == (1, 1, 14)


# --------------------------------------------------------------------------
# IPython syntax
# --------------------------------------------------------------------------

MAGIC_SOURCE = """%pip install openai
%time x = f()
!pip install -q tiktoken
files = !ls
a, b = %sx echo 1
client.chat.completions.create?
?client
openai.OpenAI??
for f in files:
    !echo $f
    %time g(f)
!long command \\
    continued here
text = '''
!not a shell line inside a string
'''
y = (1 +
  2)
r = client.chat.completions.create(model="gpt-4o", messages=[])  # why?"""


def test_magics_are_masked_line_for_line_and_restored() -> None:
    data = jupyter_bytes(
        notebook(code("from openai import OpenAI\nclient = OpenAI()"), code(MAGIC_SOURCE))
    )
    cells = load_cells(data)
    assert all(c.parsable for c in cells)
    vm = build_virtual_module(cells)
    cst.parse_module(vm.text)  # the engine can parse it
    lines = vm.text.splitlines()
    body = lines[lines.index("# %% openrouter-migrate cell 2") + 1 :]
    original = MAGIC_SOURCE.splitlines()
    assert len(body) == len(original)
    masked = [o for o, v in zip(original, body) if o != v]
    assert masked == [
        "%pip install openai",
        "%time x = f()",
        "!pip install -q tiktoken",
        "files = !ls",
        "a, b = %sx echo 1",
        "client.chat.completions.create?",
        "?client",
        "openai.OpenAI??",
        "    !echo $f",
        "    %time g(f)",
        "!long command \\",
        "    continued here",
    ]
    for o, v in zip(original, body):
        if o != v:
            indent = o[: len(o) - len(o.lstrip())] if not o.startswith("    continued") else ""
            assert v.startswith(indent + "pass  # openrouter-migrate magic ")
    # Not masked: the line inside a string, the continuation of a bracket,
    # and a comment ending with a question mark.
    assert "!not a shell line inside a string" in body
    assert "  2)" in body

    new = split_virtual_module(vm, fake_engine(vm.text))
    assert new == {
        0: "import os\nfrom openai import OpenAI\nclient = OpenAI()",
        1: MAGIC_SOURCE.replace('"gpt-4o"', '"openai/gpt-4o"'),
    }


def test_foreign_cell_magic_is_left_out_and_untouched() -> None:
    nb = notebook(code("%%bash\necho gpt-4o\nls"), code('m = "gpt-4o"'))
    data = jupyter_bytes(nb)
    cells = load_cells(data)
    assert not cells[0].parsable and cells[0].cell_magic == "bash"
    assert cells[0].error is None and "%%bash" in (cells[0].skip_reason or "")
    vm = build_virtual_module(cells)
    assert "echo" not in vm.text and vm.excluded == [cells[0]]
    out = migrate(data)
    assert json.loads(out)["cells"][0] == nb["cells"][0]
    assert json.loads(out)["cells"][1]["source"] == ["import os\n", 'm = "openai/gpt-4o"']


def test_time_cell_magic_body_is_python_and_the_magic_stays_first() -> None:
    src = '\n%%time\nr = create(model="gpt-4o")\n'
    data = jupyter_bytes(notebook(code(src), code("x = r")))
    cells = load_cells(data)
    assert cells[0].parsable and cells[0].cell_magic == "time"
    vm = build_virtual_module(cells)
    assert "%%time" not in vm.text
    new = split_virtual_module(vm, fake_engine(vm.text))
    # import os lands in cell 1 but after the %%time line, which must stay first
    assert new == {0: '\n%%time\nimport os\nr = create(model="openai/gpt-4o")\n'}


# --------------------------------------------------------------------------
# syntax errors
# --------------------------------------------------------------------------


@pytest.mark.skipif(
    sys.version_info < (3, 10), reason="syntax error wording differs before Python 3.10"
)
def test_syntax_error_cell_is_excluded_and_left_as_is() -> None:
    bad = 'print "hello"\nm = "gpt-4o"'
    nb = notebook(code('from openai import OpenAI\nm = "gpt-4o"'), code(bad), code('n = "gpt-4o"'))
    data = jupyter_bytes(nb)
    cells = load_cells(data)
    assert [c.parsable for c in cells] == [True, False, True]
    assert cells[1].error and "print" in cells[1].error  # Python's own message
    assert (cells[1].error_line, cells[1].error_col) == (1, 1)
    vm = build_virtual_module(cells)
    assert "hello" not in vm.text and vm.excluded == [cells[1]]
    out = json.loads(migrate(data))
    assert "".join(out["cells"][1]["source"]) == bad
    assert "".join(out["cells"][2]["source"]) == 'n = "openai/gpt-4o"'


# --------------------------------------------------------------------------
# positions and boundaries
# --------------------------------------------------------------------------


def test_cross_cell_positions_map_to_the_right_cell() -> None:
    data = jupyter_bytes(NB)
    cells = load_cells(data)
    vm = build_virtual_module(cells)
    by_number = {c.number: c for c in cells}
    for needle in ("client = OpenAI()", '"gpt-4o"', "message.content", "%pip"):
        text_lines = vm.text.splitlines()
        vline = next(
            i
            for i, ln in enumerate(text_lines, 1)
            if needle in ln or (needle == "%pip" and "magic 1" in ln)
        )
        vcol = text_lines[vline - 1].find(needle) + 1 if needle != "%pip" else 1
        number, line, col = map_position(vm, vline, vcol)
        cell_line = by_number[number].source.splitlines()[line - 1]
        if needle == "%pip":
            assert (number, cell_line) == (2, "%pip install openai")
        else:
            assert cell_line[col - 1 :].startswith(needle)
    # the clean statement in cell 3 sits on its own line 1, col 1
    assert map_position(
        vm,
        vm.text.splitlines().index(
            'r = client.chat.completions.create(model="gpt-4o", messages=[])'
        )
        + 1,
        1,
    ) == (3, 1, 1)


def test_end_position_on_a_marker_maps_past_the_previous_cell() -> None:
    vm = build_virtual_module(load_cells(jupyter_bytes(notebook(code("a = 1\nb = 2"), code("c")))))
    second_marker = vm.text.splitlines().index("# %% openrouter-migrate cell 2") + 1
    assert map_position(vm, second_marker, 1) == (1, 3, 1)
    assert map_position(vm, 1, 1) == (1, 1, 1)


def test_lines_inserted_and_calls_split_over_lines_stay_in_their_cell() -> None:
    data = jupyter_bytes(NB)
    vm = build_virtual_module(load_cells(data))

    def engine(text: str) -> str:
        text = text.replace("client = OpenAI()", 'client = OpenAI(\n    base_url="https://x",\n)')
        return text.replace("from openai import OpenAI\n", "from openai import OpenAI\nimport os\n")

    new = split_virtual_module(vm, engine(vm.text))
    assert new == {
        1: "%pip install openai\nfrom openai import OpenAI\nimport os\n"
        'client = OpenAI(\n    base_url="https://x",\n)'
    }


def test_lost_markers_or_masked_lines_mean_no_split() -> None:
    vm = build_virtual_module(load_cells(jupyter_bytes(NB)))
    assert split_virtual_module(vm, vm.text.replace("# %% openrouter-migrate cell 3\n", "")) is None
    swapped = (
        vm.text.replace("cell 3", "cell X").replace("cell 5", "cell 3").replace("cell X", "cell 5")
    )
    assert split_virtual_module(vm, swapped) is None
    assert (
        split_virtual_module(vm, vm.text.replace("pass  # openrouter-migrate magic 1", "pass"))
        is None
    )


def test_user_text_containing_the_marker_does_not_confuse_the_split() -> None:
    src = "# %% openrouter-migrate cell 1\nx = 'openrouter-migrate magic 1'\n!ls"
    data = jupyter_bytes(notebook(code(src), code('m = "gpt-4o"')))
    vm = build_virtual_module(load_cells(data))
    new = split_virtual_module(vm, fake_engine(vm.text))
    assert new == {0: "import os\n" + src, 1: 'm = "openai/gpt-4o"'}


def test_final_newline_state_is_kept_per_cell() -> None:
    nb = notebook(code('a = "gpt-4o"\n'), code('b = "gpt-4o"'), code(""))
    data = jupyter_bytes(nb)
    vm = build_virtual_module(load_cells(data))
    new = split_virtual_module(vm, vm.text.replace('"gpt-4o"', '"openai/gpt-4o"'))
    assert new == {0: 'a = "openai/gpt-4o"\n', 1: 'b = "openai/gpt-4o"'}


def test_no_code_cells() -> None:
    data = jupyter_bytes(notebook(markdown("only text")))
    vm = build_virtual_module(load_cells(data))
    assert vm.text == "" and split_virtual_module(vm, "") == {}


def test_bad_cell_index_is_an_error() -> None:
    with pytest.raises(NotebookError, match="no cell at index 9"):
        replace_cell_sources(jupyter_bytes(NB), {9: "x"})


# --------------------------------------------------------------------------
# property: any new sources, the same notebook otherwise, Jupyter's exact bytes
# --------------------------------------------------------------------------

_source = st.one_of(st.text(max_size=40), st.lists(st.text(max_size=10), max_size=4).map("\n".join))


@settings(max_examples=200, deadline=None)
@given(
    old=st.lists(_source, min_size=1, max_size=4),
    new=st.dictionaries(st.integers(0, 3), _source, max_size=4),
    ensure_ascii=st.booleans(),
)
def test_replace_is_what_jupyter_would_write(
    old: list[str], new: dict[int, str], ensure_ascii: bool
) -> None:
    nb = notebook(*(code(s, i, [PLOT_OUTPUT]) for i, s in enumerate(old)))
    new = {i: s for i, s in new.items() if i < len(old)}
    data = jupyter_bytes(nb, ensure_ascii)
    out = replace_cell_sources(data, new)
    expected = with_sources(nb, new)
    if ensure_ascii and not any(ord(ch) > 127 for ch in "".join(old)):
        # No escaped non-ASCII text in the file: its style cannot be told, the
        # new text is written raw (Jupyter's default). Same notebook, though.
        assert json.loads(out) == expected
    else:
        assert out == jupyter_bytes(expected, ensure_ascii)


def test_a_literal_backslash_u_in_code_is_not_taken_for_an_escape() -> None:
    # The source holds the six characters \u00e9 (a Python escape), not é.
    nb = notebook(code('s = "\\u00e9"\nm = 1'))
    data = jupyter_bytes(nb)
    assert b"\\\\u00e9" in data
    out = replace_cell_sources(data, {0: 's = "\\u00e9"\nm = "é"'})
    assert out == jupyter_bytes(with_sources(nb, {0: 's = "\\u00e9"\nm = "é"'}))


# --------------------------------------------------------------------------
# with a real LibCST transformer, as the engine will be
# --------------------------------------------------------------------------


def test_libcst_transform_and_add_import_split_back() -> None:
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    class Rewrite(cst.CSTTransformer):
        def leave_SimpleString(
            self, original_node: cst.SimpleString, updated_node: cst.SimpleString
        ) -> cst.SimpleString:
            if updated_node.value == '"gpt-4o"':
                return updated_node.with_changes(value='"openai/gpt-4o"')
            return updated_node

        def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
            if isinstance(updated_node.func, cst.Name) and updated_node.func.value == "OpenAI":
                key = cst.parse_expression('os.environ["OPENROUTER_API_KEY"]')
                return updated_node.with_changes(args=[cst.Arg(key, keyword=cst.Name("api_key"))])
            return updated_node

    nb = notebook(
        markdown("# Demo"),
        code('"""Setup."""\n%pip install openai\nfrom openai import OpenAI\nclient = OpenAI()'),
        code('def ask():\n    return client.chat.completions.create(model="gpt-4o")\n    # end'),
        code("r = ask()"),
    )
    data = jupyter_bytes(nb)
    vm = build_virtual_module(load_cells(data))
    module = cst.parse_module(vm.text).visit(Rewrite())
    context = CodemodContext()
    AddImportsVisitor.add_needed_import(context, "os")
    module = AddImportsVisitor(context).transform_module(module)

    new = split_virtual_module(vm, module.code)
    assert new == {
        1: '"""Setup."""\nimport os\n\n%pip install openai\nfrom openai import OpenAI\n'
        'client = OpenAI(api_key = os.environ["OPENROUTER_API_KEY"])',
        2: "def ask():\n"
        '    return client.chat.completions.create(model="openai/gpt-4o")\n    # end',
    }
    out = replace_cell_sources(data, new)
    assert out == jupyter_bytes(with_sources(nb, new))


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles odd code
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(hypothesmith.from_grammar(), min_size=1, max_size=3))
def test_any_python_cells_join_into_a_parsable_module(sources: list[str]) -> None:
    data = jupyter_bytes(notebook(*(code(s) for s in sources)))
    cells = load_cells(data)
    vm = build_virtual_module(cells)
    cst.parse_module(vm.text)
    assert split_virtual_module(vm, vm.text) == {}
    assert replace_cell_sources(data, {c.index: c.source for c in cells}) == data


# --------------------------------------------------------------------------
# SourceLocator: cell positions -> positions in the .ipynb text
# --------------------------------------------------------------------------

_LOCATOR_SOURCES = [
    'import openai\nclient = openai.OpenAI()\nMODEL = "gpt-4o"  # caf\u00e9 \U0001f600\n',
    "x = '\\t\\\\'\tdone\r\ny = 2\r\n",
    "",
    "only_line = 1",
]


def _layouts() -> dict[str, bytes]:
    cells = [markdown("# title\n")] + [code(s) for s in _LOCATOR_SOURCES]
    nb = notebook(*cells)
    as_string = copy.deepcopy(nb)
    for c in as_string["cells"]:
        c["source"] = "".join(c["source"])
    jupyter = jupyter_bytes(nb).decode()
    return {
        "jupyter": jupyter.encode(),
        "ascii-escapes": jupyter_bytes(nb, ensure_ascii=True),
        "compact-one-line": json.dumps(nb, separators=(",", ":")).encode(),
        "string-sources": jupyter_bytes(as_string),
        "crlf-json": jupyter.replace("\n", "\r\n").encode(),
        "bom": b"\xef\xbb\xbf" + jupyter.encode(),
    }


def _char_at(text: str, line: int, col: int) -> str:
    """The character the JSON text encodes at (line, col): an escape decoded."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    i = starts[line - 1] + col - 1
    if text[i] != "\\":
        return text[i]
    if text[i + 1] != "u":
        return json.loads('"' + text[i : i + 2] + '"')
    one = text[i : i + 6]
    pair = text[i : i + 12]
    try:
        value = json.loads('"' + pair + '"')
        if len(value) == 1:
            return value
    except ValueError:
        pass
    return json.loads('"' + one + '"')


@pytest.mark.parametrize("layout", list(_layouts()))
def test_source_locator_finds_every_character_of_every_cell(layout: str) -> None:
    from codemods.python.notebook import SourceLocator, _lines

    data = _layouts()[layout]
    text = data.decode("utf-8-sig")
    loc = SourceLocator(data)
    for number, source in enumerate(_LOCATOR_SOURCES, 2):  # cell 1 is markdown
        for line_no, line in enumerate(_lines(source), 1):
            for col, ch in enumerate(line, 1):
                pos = loc.position(number, line_no, col)
                assert pos is not None
                assert _char_at(text, *pos) == ch, (layout, number, line_no, col)
        if source:
            # an exclusive end just past the cell's last character: right after it
            lines = _lines(source)
            end = loc.position(number, len(lines), len(lines[-1]) + 1, end=True)
            last = loc.position(number, len(lines), len(lines[-1]))
            assert end is not None and last is not None and end > last
    # a span inside one line: the JSON text between start and end decodes to it
    region = loc.region(2, 3, 1, 3, 17)
    assert region is not None
    (l1, c1, l2, c2) = region
    assert l1 == l2
    raw = text.split("\n")[l1 - 1][c1 - 1 : c2 - 1]
    assert json.loads('"' + raw + '"') == 'MODEL = "gpt-4o"'


def test_source_locator_has_no_answer_for_what_is_not_a_code_source() -> None:
    from codemods.python.notebook import SourceLocator

    loc = SourceLocator(_layouts()["jupyter"])
    assert loc.position(99, 1, 1) is None
    assert loc.region(99, 1, 1, 1, 2) is None


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    sources=st.lists(st.text(max_size=40), min_size=1, max_size=3),
    as_list=st.booleans(),
    ensure_ascii=st.booleans(),
    indent=st.sampled_from([None, 1, 2]),
)
def test_source_locator_on_any_text_and_layout(
    sources: list[str], as_list: bool, ensure_ascii: bool, indent: int | None
) -> None:
    from codemods.python.notebook import SourceLocator, _lines

    cells = [code(s) if as_list else {**code(""), "source": s} for s in sources]
    data = json.dumps(notebook(*cells), indent=indent, ensure_ascii=ensure_ascii).encode()
    text = data.decode()
    loc = SourceLocator(data)
    for number, source in enumerate(sources, 1):
        for line_no, line in enumerate(_lines(source), 1):
            for col, ch in enumerate(line, 1):
                pos = loc.position(number, line_no, col)
                assert pos is not None
                assert _char_at(text, *pos) == ch
