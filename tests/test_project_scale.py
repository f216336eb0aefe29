"""The project pass is linear in the size of the tree (issue 13): counted in
operations, not time. Each file without a summary is split into words once,
whatever the number of exported names; the planner never compares every
name with every file."""

from __future__ import annotations

import collections
import re
import textwrap
from pathlib import Path

import pytest

import codemods.python.project as project
from codemods.core.engine import EngineConfig
from codemods.core.runner import RunInput, run
from codemods.python.project import ModuleSummary, modules_of, plan, plan_calls


def _tree(tmp_path: Path, files: int) -> list[project.FileInfo]:
    """``files`` modules in packages of 40; 2% define a helper whose
    ``model`` parameter reaches ``model=`` (they have a summary, as the
    engine gives it); 1 in 200 of the others call one of them."""
    infos: list[project.FileInfo] = []
    helpers = [i for i in range(files) if i % 50 == 7]
    for i in range(files):
        d = tmp_path / f"pkg_{i // 1000}" / f"mod_{i // 40 % 25}"
        d.mkdir(parents=True, exist_ok=True)
        for init in (d / "__init__.py", d.parent / "__init__.py"):
            if not init.exists():
                init.write_text("")
        real = d / f"file_{i:05d}.py"
        if i in helpers:
            real.write_text("")
            summary = ModuleSummary(sink_params={f"summarize_{i}": {"model": 1}})
            infos.append((str(real), real, summary, b""))
        else:
            body = "def plain(x):\n    return [y * 2 for y in x]\n" * 20
            if i % 200 == 3:
                h = helpers[(i // 200) % len(helpers)]
                body = (
                    f"from pkg_{h // 1000}.mod_{h // 40 % 25}.file_{h:05d} import summarize_{h}\n"
                )
                body += f"summarize_{h}('t', 'gpt-4o')\n"
            real.write_text(body)
            infos.append((str(real), real, None, real.read_bytes()))
    return infos


def _count(tmp_path: Path, files: int) -> tuple[int, int, int, int]:
    from codemods.python.project import Mentions

    infos = _tree(tmp_path, files)
    mentions = Mentions()
    for path, _, summary, data in infos:
        if summary is None:
            mentions.add(path, data)
    modules = modules_of(infos)
    calls = plan_calls(infos, modules, mentions)
    plan(infos, modules, mentions)
    unread = sum(1 for _, _, s, _ in infos if s is None)
    assert len(calls) == sum(1 for i in range(files) if i % 200 == 3)  # every caller found
    return mentions.scans, mentions.questions, unread, len(calls)


@pytest.mark.parametrize("files", [1000, 4000])
def test_each_file_is_scanned_once_whatever_the_number_of_names(tmp_path: Path, files: int) -> None:
    scans, questions, unread, _ = _count(tmp_path, files)
    # 2% helper files: 20 names at 1k, 80 at 4k; one scan per file either way
    assert scans == unread
    assert questions <= 2 * unread  # one question per file per planner step


def test_scan_count_grows_4x_with_4x_files(tmp_path: Path) -> None:
    small = _count(tmp_path / "s", 1000)
    large = _count(tmp_path / "l", 4000)
    assert large[0] == 4 * small[0] - (4 * small[2] - large[2])  # = the unread files
    assert large[0] / small[0] == pytest.approx(4, rel=0.01)


def _counted(fn, calls: list[int]):
    def counted(data: bytes):
        calls.append(1)
        return fn(data)

    return counted


class _CountingRe:
    """``re`` as the project module sees it, counting every pass it makes."""

    def __init__(self, real) -> None:
        self.real = real
        self.passes = 0

    def __getattr__(self, name: str):
        attr = getattr(self.real, name)
        if name in ("search", "match", "fullmatch", "findall", "finditer", "sub"):

            def counted(*args, **kwargs):
                self.passes += 1
                return attr(*args, **kwargs)

            return counted
        return attr


def test_planner_passes_over_the_text_do_not_grow_with_the_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every pass over a file's text the planner makes (a word split, or any
    regular expression run through ``re``), counted for 1k and 4k files with
    2% helper files: at most one per file (the old planner made one per name
    per file: 20,000 at 1k files, 320,000 at 4k)."""
    for files in (1000, 4000):
        counting = _CountingRe(re)
        monkeypatch.setattr(project, "re", counting, raising=False)
        splits: list[int] = []
        real_words = getattr(project, "words", None)
        if real_words is not None:
            monkeypatch.setattr(project, "words", _counted(real_words, splits))
        infos = _tree(tmp_path / str(files), files)
        unread = sum(1 for _, _, s, _ in infos if s is None)
        calls = plan_calls(infos)
        plan(infos)
        assert len(calls) == sum(1 for i in range(files) if i % 200 == 3)
        assert counting.passes + len(splits) <= 2 * unread, files
        monkeypatch.undo()


def test_no_regex_per_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The planner splits a file into words once; a name never costs a pass
    over a file (the regex per name per file was the quadratic part)."""
    calls = []
    real_words = project.words
    monkeypatch.setattr(project, "words", lambda data: calls.append(1) or real_words(data))
    infos = _tree(tmp_path, 500)
    unread = sum(1 for _, _, s, _ in infos if s is None)
    plan_calls(infos)  # builds its own scan from the bytes
    assert len(calls) == unread


def test_a_question_about_new_names_scans_again_only_once(tmp_path: Path) -> None:
    from codemods.python.project import Mentions

    m = Mentions()
    m.add("a.py", b"x = alpha + beta\n")
    m.add("b.py", b"gamma()\n")
    known = (frozenset({"delta", "alpha", "gamma"}), frozenset({"delta"}))
    m.add("c.py", lambda: b"delta\n", known=known)
    m.prepare({"alpha", "gamma"})
    assert m.scans == 2  # c.py was scanned for both already (from the cache)
    assert m.find({"alpha"}) == {"a.py": frozenset({"alpha"})}
    assert m.find({"gamma", "delta"}) == {
        "b.py": frozenset({"gamma"}),
        "c.py": frozenset({"delta"}),
    }
    assert m.scans == 4  # a.py and b.py again, for "delta"
    assert m.find({"alpha", "delta", "gamma"}) == {
        "a.py": frozenset({"alpha"}),
        "b.py": frozenset({"gamma"}),
        "c.py": frozenset({"delta"}),
    }
    assert m.scans == 4  # every file was scanned for these three names


def test_words_match_like_a_word_boundary_regex() -> None:
    text = "summarize_17(x) # summarize_170 xsummarize_17 é_summarize_17 modèle\n".encode()
    for name in ("summarize_17", "summarize_170", "modèle", "x", "summarize"):
        pattern = rb"(?<![A-Za-z0-9_\x80-\xff])" + re.escape(name.encode())
        pattern += rb"(?![A-Za-z0-9_\x80-\xff])"
        assert (name.encode() in project.words(text)) == bool(re.search(pattern, text)), name


def test_runner_reads_each_unsummarised_file_once_for_the_planner(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Whole pipeline: plan_calls and plan together split each file without
    a summary into words once."""
    files = {
        "app/__init__.py": "",
        "app/settings.py": 'CHAT_MODEL = "gpt-4o-mini"\n',
        "app/service.py": """
            from openai import OpenAI
            from .settings import CHAT_MODEL

            client = OpenAI()

            def ask(prompt, model=CHAT_MODEL):
                return client.chat.completions.create(model=model, messages=[])
        """,
        "app/cli.py": "from .service import ask\nask('hi', 'gpt-4o')\n",
    }
    for i in range(30):
        files[f"app/plain_{i}.py"] = f"def f{i}(x):\n    return x\n"
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    calls = []
    real_words = project.words
    monkeypatch.setattr(project, "words", lambda data: calls.append(1) or real_words(data))
    results, errors = run(RunInput(paths=[str(tmp_path)], config=EngineConfig()))
    out = {Path(p.result.path).name: p.result for p in results}
    assert not errors
    assert b"openai/gpt-4o" in (out["cli.py"].new_source or b"")  # found by the text scan
    unsummarised = len(files) - 1  # all but service.py
    assert len(calls) == unsummarised


def test_client_and_key_phases_ask_the_same_scan(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The phases of the key flow and of clients across modules (plan_keys,
    plan_private, plan_param_clients) ask the shared text scan too: with
    modules that want their importers and functions taking a client, each
    file without a summary is still split into words once (they used a
    regex or a findall per file per phase before)."""
    from codemods.python.project import (
        Mentions,
        plan_keys,
        plan_param_clients,
        plan_private,
        watched_names,
    )

    splits: list[int] = []
    real_words = project.words
    monkeypatch.setattr(project, "words", lambda data: splits.append(1) or real_words(data))
    counting = _CountingRe(re)
    monkeypatch.setattr(project, "re", counting, raising=False)
    infos = []
    for n, (path, real, summary, data) in enumerate(_tree(tmp_path, 1000)):
        if summary is not None and n % 100 == 7:
            summary.client_params = {"run_with": {"client": 0}}
            summary.wants_importers = True
            summary.key_uses = {"API_KEY": 1}
        infos.append((path, real, summary, data))
    unread = sum(1 for _, _, s, _ in infos if s is None)
    mentions = Mentions()
    for path, _, summary, data in infos:
        if summary is None:
            mentions.add(path, data)
    modules = modules_of(infos)
    mentions.prepare(watched_names(infos, modules))
    assert mentions.scans == unread
    plan_keys(infos, modules, mentions)
    private = plan_private(infos, modules, mentions)
    params = plan_param_clients(infos, modules, mentions)
    plan_calls(infos, modules, mentions)
    plan(infos, modules, mentions)
    assert private and params  # the phases ran on the modules that want them
    assert mentions.scans == unread  # nothing scanned again for their names
    assert len(splits) == unread and counting.passes == 0


def test_a_text_file_naming_a_module_or_a_client_function_still_counts(tmp_path: Path) -> None:
    """Through the shared scan, a file the planner reads as text that names
    the module (it may import it whole) or one of its client functions makes
    the answer unknown, as the per-file regex did."""
    from codemods.python.project import plan_param_clients, plan_private

    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    helpers, script, other = pkg / "helpers.py", tmp_path / "script.py", tmp_path / "other.py"
    for p in (helpers, script, other):
        p.write_text("")
    summary = ModuleSummary(client_params={"run_with": {"client": 0}}, wants_importers=True)
    infos = [
        (str(helpers), helpers, summary, b""),
        (str(script), script, None, b"import pkg.helpers\npkg.helpers.run_with(c)\n"),
        (str(other), other, None, b"x = 1\n"),
    ]
    (known,) = plan_private(infos).values()
    assert known.imported_whole
    (params,) = plan_param_clients(infos).values()
    assert params == ((("run_with", "client"), "unknown"),)
    quiet = [infos[0], infos[2]]
    (known,) = plan_private(quiet).values()
    assert not known.imported_whole
    (params,) = plan_param_clients(quiet).values()
    assert params == ((("run_with", "client"), "none"),)


def test_a_rescan_for_few_new_names_splits_only_files_holding_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A file scanned again for a name found late (a function whose
    parameter a later analysis finds to be a client) is searched for that
    name as a substring first: only a file holding it is split into words
    again, and the answer stays the word's (``deltas`` is not ``delta``)."""
    from codemods.python.project import Mentions

    splits: list[int] = []
    real_words = project.words
    monkeypatch.setattr(project, "words", lambda data: splits.append(1) or real_words(data))
    m = Mentions()
    m.add("a.py", b"x = alpha + beta\n")
    m.add("b.py", b"deltas = alpha\n")
    m.add("c.py", lambda: b"delta(alpha)\n")
    m.prepare({"alpha"})
    assert len(splits) == 3 and m.scans == 3
    assert m.find({"alpha", "delta"}) == {
        "a.py": frozenset({"alpha"}),
        "b.py": frozenset({"alpha"}),
        "c.py": frozenset({"alpha", "delta"}),
    }
    assert m.scans == 6  # each file looked at again, for "delta" only
    assert len(splits) == 5  # a.py does not hold "delta" at all: not split
    assert m.state("a.py") == (frozenset({"alpha", "delta"}), frozenset({"alpha"}))


def test_questions_about_new_names_go_to_the_parallel_scan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the runner's parallel scan (workers running: a cold run), a
    planner's question about names the first scan did not cover sends the
    files read from disk to it in one batch, for the new names only,
    instead of reading and splitting each one in the planning process."""
    from codemods.python.project import Mentions

    texts = {f"f{i}.py": f"x{i} = alpha\nbeta_{i % 3}()\n".encode() for i in range(30)}
    batches: list[tuple[int, frozenset[str], bool]] = []
    words = project.words  # (the workers' own)

    def scan_many(paths: list[str], names: frozenset[str], again: bool = False):
        batches.append((len(paths), names, again))
        out = {}
        for p in paths:
            hits = words(texts[p]).intersection(n.encode() for n in names)
            out[p] = frozenset(h.decode() for h in hits)
        return out

    m = Mentions()
    for path, text in texts.items():
        m.add(path, lambda text=text: text)
    m.prepare({"alpha"}, scan_many)
    assert batches == [(30, frozenset({"alpha"}), False)]
    splits: list[int] = []
    real_words = project.words
    monkeypatch.setattr(project, "words", lambda data: splits.append(1) or real_words(data))
    found = m.find({"alpha", "beta_1"}, only=[f"f{i}.py" for i in range(20)])
    assert batches[1:] == [(20, frozenset({"beta_1"}), True)]
    assert not splits  # nothing split in this process
    assert found == {
        f"f{i}.py": frozenset({"alpha", "beta_1"} if i % 3 == 1 else {"alpha"}) for i in range(20)
    }
    assert m.find({"alpha", "beta_1"}, only=["f1.py", "f2.py"]) == {
        "f1.py": frozenset({"alpha", "beta_1"}),
        "f2.py": frozenset({"alpha"}),
    }
    assert len(batches) == 2  # already answered: no scan


def _gen_repo():
    import importlib.util
    import sys

    name = "gen_repo"
    if name not in sys.modules:
        where = Path(__file__).resolve().parent.parent / "benchmarks" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, where)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _parses_and_analyses(
    root: Path, monkeypatch: pytest.MonkeyPatch, jobs: int = 1
) -> tuple[collections.Counter[str], collections.Counter[str], list]:
    """Run the project pass on ``root`` (``check --no-cache .``); count, per
    file, the parses of its bytes as read (not a fix's output, parsed to
    verify it) and the analyses."""
    import libcst

    import codemods.python.engine as engine

    by_bytes = {p.read_bytes(): p.relative_to(root).as_posix() for p in root.rglob("*.py")}
    parses: collections.Counter[str] = collections.Counter()
    analyses: collections.Counter[str] = collections.Counter()
    real_parse, real_analyze = libcst.parse_module, engine.analyze_source

    def parse(source, *a, **k):
        name = by_bytes.get(source) if isinstance(source, bytes) else None
        if name is not None:
            parses[name] += 1
        return real_parse(source, *a, **k)

    def analyze(path, *a, **k):
        if path.endswith(".py"):  # (a notebook's parse is of its cells)
            analyses[Path(path).as_posix().removeprefix("./")] += 1
        return real_analyze(path, *a, **k)

    monkeypatch.setattr(libcst, "parse_module", parse)
    monkeypatch.setattr(engine, "analyze_source", analyze)
    monkeypatch.chdir(root)
    results, errors = run(RunInput(["."], EngineConfig(), jobs=jobs))
    out = [(p.result.path, [(f.code, f.line) for f in p.result.findings]) for p in results]
    assert not errors
    monkeypatch.undo()
    return parses, analyses, out


def test_a_project_tree_parses_each_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The benchmark's project-shaped tree (``benchmarks/gen_repo.py``), 500
    files: the second round analyses files again (a helper learns how its
    factory's client moves, who calls its functions, which of its model
    constants are followed), each time on the tree its first analysis
    parsed (``engine._Trees``, ``engine._may_run_again``): every file's
    bytes are parsed once. Before, the trees of client factories, of
    modules whose functions take a client and of settings modules were not
    kept: 1 in 4 of the second round's analyses parsed again."""
    gen_repo = _gen_repo()
    root = tmp_path / "project"
    gen_repo.generate_tree(gen_repo.project_spec(files=500, seed=11), root)
    parses, analyses, _ = _parses_and_analyses(root, monkeypatch)
    again = sum(analyses.values()) - len(analyses)
    assert again >= len(analyses) // 2, analyses  # the second round does run
    once = collections.Counter(dict.fromkeys(analyses, 1))
    assert parses == once, parses - once
