"""The prefilter is exact in the safe direction: it never skips a file that
has a finding, a change or an error (see the invariant in codemods/core/prefilter.py).

This is the guard for rules added later: a rule that can fire on a file the
prefilter skips makes ``test_prefiltered_run_equals_unfiltered_run`` fail on
the fixture that shows it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from codemods.core.discovery import discover
from codemods.core.engine import EngineConfig
from codemods.core.prefilter import RESOURCE_NAMES, may_need_work
from codemods.python.engine import process_source
from codemods.typescript import is_typescript_path
from codemods.typescript.engine import process_typescript
from tests.conftest import FIXTURES

FIXTURE_REPOS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def _files(repo: Path) -> list[Path]:
    found, _ = discover([str(repo)], include_notebooks=False)
    return [d.real for d in found]


@pytest.mark.parametrize("name", FIXTURE_REPOS)
def test_prefiltered_run_equals_unfiltered_run(name: str) -> None:
    config = EngineConfig()
    files = _files(FIXTURES / name)
    assert files or name == "notebooks"
    for path in files:
        data = path.read_bytes()
        # each file through its own front-end (as the runner dispatches)
        process = process_typescript if is_typescript_path(str(path)) else process_source
        filtered = process(str(path), data, config)
        unfiltered = process(str(path), data, config, prefilter=False)
        assert filtered.findings == unfiltered.findings, path
        assert filtered.new_source == unfiltered.new_source, path
        assert filtered.errors == unfiltered.errors, path
        assert filtered.skipped == (not may_need_work(data))


def test_every_fixture_repo_has_a_file_the_prefilter_lets_through() -> None:
    # the comparison above is only worth something on files that are parsed
    for name in FIXTURE_REPOS:
        if name == "notebooks":
            continue
        assert any(may_need_work(p.read_bytes()) for p in _files(FIXTURES / name)), name


def test_every_sdk_method_chain_of_the_model_rules_has_a_resource_name() -> None:
    # OR2xx rules fire on chains whose receiver is unknown, in files that do not
    # import openai: the chain alone must make the file a candidate
    from codemods.python.rules.models import SDK_METHODS

    for chain in SDK_METHODS:
        assert set(chain) & set(RESOURCE_NAMES), chain
        source = "client." + ".".join(chain) + '(model="gpt-4o")\n'
        assert may_need_work(source.encode())


def test_files_skipped_by_the_prefilter_give_nothing_without_it() -> None:
    config = EngineConfig()
    samples = [
        b"import os\nprint(os.environ)\n",
        b"class Images:\n    images_dir = 'x'\n    def completions_for(self): ...\n",
        b"# -*- coding: latin-1 -*-\nname = '\xe9'\n",
        b"",
    ]
    for data in samples:
        assert not may_need_work(data), data
        assert process_source("x.py", data, config).skipped
        full = process_source("x.py", data, config, prefilter=False)
        assert not full.findings and full.new_source is None and not full.errors


@pytest.mark.parametrize(
    "source",
    [
        b"import openai\n",
        b"from openai import OpenAI\n",
        b"x = get()\nx.chat.completions.create(model='gpt-4o')\n",
        b"c.embeddings.create(model='text-embedding-3-small', input='a')\n",
        b"(client.  # comment\n  responses.create(model='gpt-4o'))\n",
        b"c.images.generate(prompt='x', model=M)\n",
        b"c.audio.speech.create(model='tts-1')\n",
        b"\xc3\xa9.moderations.create(model=m)\n",  # non-ASCII before the name: still a candidate
    ],
)
def test_candidates(source: bytes) -> None:
    assert may_need_work(source)


@pytest.mark.parametrize(
    "source",
    [
        b"completionsX = 1\n",
        b"my_images = []\n",
        b"audiofile = None\n",
        b"OPENAI_LIKE = 0\n",  # upper case: not an import of openai
        b"c.chat.completions.create(messages=[])\n",  # no model=: nothing to check
    ],
)
def test_not_candidates(source: bytes) -> None:
    assert not may_need_work(source)


@pytest.mark.parametrize("codec", ["utf-7", "utf-16", "cp037", "iso2022_jp"])
def test_source_in_an_encoding_that_hides_ascii_is_always_a_candidate(codec: str) -> None:
    assert may_need_work(f"# -*- coding: {codec} -*-\nx = 1\n".encode("ascii"))


@pytest.mark.parametrize("codec", ["utf-8", "latin-1", "cp1252", "shift_jis", "no-such-codec"])
def test_ascii_compatible_cookie_does_not_make_a_candidate(codec: str) -> None:
    assert not may_need_work(f"# -*- coding: {codec} -*-\nx = 1\n".encode("ascii"))
