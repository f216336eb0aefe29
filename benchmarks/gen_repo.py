"""Deterministic synthetic repositories for the speed benchmarks.

Two trees model the two shapes the tool must be fast on:

* ``sparse``: a monorepo (default 10,000 files) where 2% of the files use the
  OpenAI SDK and a further 0.5% only *mention* "openai" (a comment or a string)
  without importing it, so a byte prefilter has realistic false positives.
* ``dense``: a service (default 1,000 files) where every file uses the SDK.

Files are realistic-looking Python (module docstrings, stdlib imports,
dataclasses, classes, type hints, comprehensions, try/except, async code),
mostly 4-8 KB with ~3% between 20 and 60 KB. Everything comes from seeded
``random.Random`` instances keyed by (seed, tree, file index), so the same spec
gives byte-identical trees on every machine and Python version >= 3.9.

Trees are written under ``benchmarks/.work/<name>-<files>`` (gitignored) with
a manifest ``benchmarks/.work/<name>-<files>.manifest.json``. ``ensure_tree`` reuses an
existing tree when its manifest hash matches the spec (and the generator's own
source), and regenerates it otherwise.

Command line::

    python benchmarks/gen_repo.py [--sparse-files N] [--dense-files N] [--seed S]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

GENERATOR_VERSION = 1
DEFAULT_SEED = 20260522
DEFAULT_WORK_DIR = Path(__file__).resolve().parent / ".work"
SPARSE_FILES = 10_000
DENSE_FILES = 1_000
SPARSE_SDK_RATIO = 0.02
SPARSE_MENTION_RATIO = 0.005


@dataclass(frozen=True)
class TreeSpec:
    """What to generate. Everything that changes the bytes is in here."""

    name: str
    files: int
    sdk_ratio: float
    mention_ratio: float = 0.0
    seed: int = DEFAULT_SEED
    files_per_dir: int = 40
    #: "classic" (sparse/dense: independent files) or "project" (a package
    #: tree with cross-module flow: helpers, settings, factories, callers,
    #: notebooks; see ``project_spec``)
    shape: str = "classic"

    @property
    def sdk_count(self) -> int:
        return min(self.files, round(self.files * self.sdk_ratio))

    @property
    def mention_count(self) -> int:
        return min(self.files - self.sdk_count, round(self.files * self.mention_ratio))


def sparse_spec(files: int = SPARSE_FILES, seed: int = DEFAULT_SEED) -> TreeSpec:
    return TreeSpec("sparse", files, SPARSE_SDK_RATIO, SPARSE_MENTION_RATIO, seed)


def dense_spec(files: int = DENSE_FILES, seed: int = DEFAULT_SEED) -> TreeSpec:
    return TreeSpec("dense", files, 1.0, 0.0, seed)


# --------------------------------------------------------------------------
# Vocabulary


_NOUNS = (
    "account", "order", "invoice", "user", "session", "record", "payload", "report",
    "metric", "event", "batch", "job", "task", "queue", "cache", "token", "ledger",
    "profile", "document", "chunk", "index", "shard", "tenant", "policy", "schema",
    "message", "prompt", "summary", "result", "config", "request", "response",
    "customer", "product", "region", "window", "bucket", "segment", "feature", "label",
)  # fmt: skip
_VERBS = (
    "load", "build", "parse", "render", "merge", "split", "collect", "resolve", "fetch",
    "compute", "validate", "normalize", "serialize", "dispatch", "refresh", "prune",
    "score", "rank", "filter", "group", "encode", "decode", "sync", "flush", "apply",
)  # fmt: skip
_ADJECTIVES = (
    "active", "pending", "stale", "remote", "local", "default", "primary", "shared",
    "partial", "raw", "cached", "sorted", "unique", "latest", "expired", "valid",
)  # fmt: skip
_WORDS = _NOUNS + _VERBS + _ADJECTIVES + (
    "the", "a", "of", "for", "with", "when", "and", "or", "is", "are", "be", "returns",
    "given", "each", "every", "only", "if", "this", "that", "into", "from", "to",
)  # fmt: skip
_TYPES = (
    "int",
    "str",
    "float",
    "bool",
    "bytes",
    "list[str]",
    "dict[str, int]",
    "Optional[str]",
    "tuple[int, ...]",
    "Sequence[float]",
    "Mapping[str, Any]",
)
_STDLIB_IMPORTS = (
    "import os", "import re", "import sys", "import json", "import time", "import math",
    "import logging", "import itertools", "import functools", "import hashlib",
    "import asyncio", "import uuid", "import datetime as dt", "import statistics",
    "from pathlib import Path", "from collections import Counter, defaultdict",
    "from contextlib import contextmanager", "from enum import Enum",
    "from functools import lru_cache", "from itertools import chain, islice",
)  # fmt: skip
_MODELS = (
    "gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4-turbo", "gpt-3.5-turbo",
    "o1-mini", "o3-mini", "gpt-4o-2024-08-06",
)  # fmt: skip
_EMBED_MODELS = ("text-embedding-3-small", "text-embedding-3-large", "text-embedding-ada-002")


def _ident(rng: random.Random, parts: int = 2) -> str:
    pool = (_VERBS, _ADJECTIVES, _NOUNS)
    return "_".join(rng.choice(pool[min(i, 2)] if parts > 1 else _NOUNS) for i in range(parts))


def _camel(rng: random.Random) -> str:
    return (
        rng.choice(_ADJECTIVES).title()
        + rng.choice(_NOUNS).title()
        + rng.choice(
            ("Manager", "Service", "Store", "Builder", "Handler", "Client", "Record", "Config")
        )
    )


def _sentence(rng: random.Random, lo: int = 6, hi: int = 14) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(lo, hi))]
    return (" ".join(words)).capitalize() + "."


def _docstring(rng: random.Random, indent: str, paragraphs: int = 1) -> str:
    lines = [f'{indent}"""{_sentence(rng, 4, 9)}']
    for _ in range(paragraphs):
        lines.append("")
        text = " ".join(_sentence(rng) for _ in range(rng.randint(1, 3)))
        while text:
            cut = text.rfind(" ", 0, 72) if len(text) > 72 else len(text)
            cut = cut if cut > 0 else len(text)
            lines.append(f"{indent}{text[:cut].strip()}")
            text = text[cut:].strip()
    lines.append(f'{indent}"""')
    return "\n".join(line.rstrip() if line.strip() else "" for line in lines)


# --------------------------------------------------------------------------
# Ordinary code blocks


def _function(rng: random.Random, indent: str = "", method: bool = False) -> str:
    name = _ident(rng, rng.choice((2, 3)))
    params = ["self"] if method else []
    for _ in range(rng.randint(1, 4)):
        params.append(f"{rng.choice(_NOUNS)}_{len(params)}: {rng.choice(_TYPES)}")
    if rng.random() < 0.4:
        params.append(f"limit: int = {rng.randint(1, 500)}")
    ret = rng.choice(("int", "str", "list[str]", "dict[str, Any]", "Optional[float]", "None"))
    arg = params[-1].split(":")[0] if len(params) > (1 if method else 0) else "None"
    i2, i3 = indent + "    ", indent + "        "
    body: list[str] = []
    choices = rng.sample(range(9), k=rng.randint(3, 6))
    for c in choices:
        var = f"{rng.choice(_NOUNS)}_{rng.choice(_ADJECTIVES)}"
        if c == 0:
            body.append(f"{i2}{var} = [str(x).strip() for x in {arg} or () if x]")
        elif c == 1:
            body.append(
                f"{i2}{var} = {{k: v for k, v in enumerate(range({rng.randint(2, 64)}))"
                f" if v % {rng.randint(2, 7)}}}"
            )
        elif c == 2:
            body.append(f"{i2}for index, item in enumerate(sorted(str(v) for v in {arg} or ())):")
            body.append(f"{i3}if index > {rng.randint(3, 50)}:")
            body.append(f"{i3}    break")
            body.append(f'{i3}logger.debug("{rng.choice(_VERBS)} %s", item)')
        elif c == 3:
            body.append(f"{i2}try:")
            body.append(f'{i3}{var} = json.loads({arg!s} if isinstance({arg}, str) else "{{}}")')
            body.append(f"{i2}except (ValueError, TypeError) as exc:")
            body.append(f'{i3}logger.warning("could not {rng.choice(_VERBS)}: %s", exc)')
            body.append(f"{i3}{var} = {{}}")
        elif c == 4:
            body.append(f"{i2}{var} = sum(len(str(part)) for part in ({arg}, {rng.randint(0, 9)}))")
        elif c == 5:
            body.append(f'{i2}with open(os.devnull, "w", encoding="utf-8") as handle:')
            body.append(f'{i3}handle.write(f"{{{arg}!r}} -> {rng.choice(_NOUNS)}\\n")')
        elif c == 6:
            body.append(f"{i2}{var}: dict[str, list[int]] = defaultdict(list)")
            body.append(f'{i2}for key, value in zip("{rng.choice(_NOUNS)}", range(10)):')
            body.append(f"{i3}{var}[key].append(value * {rng.randint(2, 9)})")
        elif c == 7:
            body.append(
                f"{i2}{var} = {{x for x in map(str, range({rng.randint(3, 40)}))"
                f' if not x.startswith("{rng.randint(0, 9)}")}}'
            )
        else:
            body.append(f"{i2}{var} = lambda value: (value or 0) * {rng.uniform(0.1, 9.9):.3f}")
    ret_expr = {
        "int": "0",
        "str": '""',
        "list[str]": "[]",
        "dict[str, Any]": "{}",
        "Optional[float]": "None",
        "None": "None",
    }[ret]
    body.append(f"{i2}return {ret_expr}")
    deco = (
        f"{indent}@lru_cache(maxsize={rng.choice((32, 128, 1024))})\n"
        if (not method and rng.random() < 0.15)
        else ""
    )
    if deco:
        params = [p.split(":")[0] + ": str" if ":" in p else p for p in params]
    head = f"{deco}{indent}def {name}({', '.join(params)}) -> {ret}:"
    return "\n".join([head, _docstring(rng, i2, rng.randint(0, 2)), *body])


def _dataclass(rng: random.Random) -> str:
    name = _camel(rng)
    lines = [
        "@dataclass(frozen=True)" if rng.random() < 0.5 else "@dataclass",
        f"class {name}:",
        _docstring(rng, "    "),
    ]
    for i in range(rng.randint(3, 8)):
        typ = rng.choice(_TYPES)
        default = rng.choice(("", " = None", " = 0", ' = ""', " = field(default_factory=list)"))
        if default == " = None":
            typ = f"Optional[{typ}]"
        lines.append(f"    {rng.choice(_NOUNS)}_{i}: {typ}{default}")
    lines.sort(
        key=lambda line: (
            (" = " in line)
            if line.startswith("    ") and ":" in line and not line.strip().startswith('"')
            else False
        )
    )
    lines.append("")
    lines.append(_function(rng, "    ", method=True))
    return "\n".join(lines)


def _class(rng: random.Random) -> str:
    name = _camel(rng)
    base = rng.choice(("", "(object)", "(Exception)", "(dict)"))
    lines = [f"class {name}{base}:", _docstring(rng, "    ", 1), ""]
    lines.append("    def __init__(self, name: str, size: int = 0) -> None:")
    lines.append("        self.name = name")
    lines.append("        self.size = size")
    lines.append(f"        self._items: list[str] = [name] * {rng.randint(1, 4)}")
    lines.append("")
    if rng.random() < 0.5:
        lines.append("    @property")
        lines.append(f"    def {rng.choice(_NOUNS)}_count(self) -> int:")
        lines.append("        return len(self._items) + self.size")
        lines.append("")
    for _ in range(rng.randint(1, 3)):
        lines.append(_function(rng, "    ", method=True))
        lines.append("")
    return "\n".join(lines).rstrip()


def _constants(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(2, 5)):
        name = f"{rng.choice(_ADJECTIVES)}_{rng.choice(_NOUNS)}".upper()
        pair = f"({rng.randint(1, 9)}, {rng.randint(1, 9)})"
        value = rng.choice(
            (
                str(rng.randint(0, 10_000)),
                f'"{rng.choice(_NOUNS)}"',
                f"{rng.uniform(0, 1):.4f}",
                pair,
            )
        )
        lines.append(f"{name} = {value}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# OpenAI SDK usage


def _sdk_header(rng: random.Random) -> tuple[list[str], str, bool, list[str]]:
    """Pick an import style. Returns (import lines, constructor expr, is_async, consts)."""
    style = rng.randrange(7)
    key = rng.choice(('os.environ["OPENAI_API_KEY"]', 'os.getenv("OPENAI_API_KEY")', ""))
    kwargs = f"api_key={key}" if key else ""
    if rng.random() < 0.2:
        kwargs += (", " if kwargs else "") + 'base_url="https://api.openai.com/v1"'
    if rng.random() < 0.1:
        org = f'organization="org-{rng.randint(1000, 9999)}"'
        kwargs += (", " if kwargs else "") + org
    if style == 0:
        return ["from openai import OpenAI"], f"OpenAI({kwargs})", False, []
    if style == 1:
        return ["import openai"], f"openai.OpenAI({kwargs})", False, []
    if style == 2:
        return ["from openai import OpenAI as LLMClient"], f"LLMClient({kwargs})", False, []
    if style == 3:
        return ["import openai as oai"], f"oai.OpenAI({kwargs})", False, []
    if style == 4:
        return ["from openai import AsyncOpenAI"], f"AsyncOpenAI({kwargs})", True, []
    if style == 5:
        return (
            ["import openai"],
            f"openai.Client({kwargs})",
            False,
            [f'DEFAULT_MODEL = "{rng.choice(_MODELS)}"'],
        )
    return (
        ["from openai import OpenAI, APIError"],
        f"OpenAI({kwargs})",
        False,
        [f'CHAT_MODEL = "{rng.choice(_MODELS)}"', f'EMBED_MODEL = "{rng.choice(_EMBED_MODELS)}"'],
    )


def _sdk_call(rng: random.Random, consts: list[str], is_async: bool, n: int) -> str:
    name = f"{rng.choice(_VERBS)}_{rng.choice(_NOUNS)}_{n}"
    model = (
        consts[0].split(" = ")[0] if consts and rng.random() < 0.7 else (f'"{rng.choice(_MODELS)}"')
    )
    extra = []
    if rng.random() < 0.4:
        extra.append(f"temperature={rng.choice((0, 0.2, 0.7, 1.0))}")
    if rng.random() < 0.2:
        extra.append('response_format={"type": "json_object"}')
    if rng.random() < 0.15:
        extra.append(f"max_tokens={rng.choice((256, 512, 1024))}")
    extra_s = "".join(f"\n        {e}," for e in extra)
    aw = "await " if is_async else ""
    kind = rng.randrange(4)
    if kind == 3:
        emb = consts[1].split(" = ")[0] if len(consts) > 1 else f'"{rng.choice(_EMBED_MODELS)}"'
        adef = "async def" if is_async else "def"
        return (
            f"{adef} {name}(texts: list[str]) -> list[list[float]]:\n"
            f'    """Embed texts for the {rng.choice(_NOUNS)} index."""\n'
            f"    result = {aw}client.embeddings.create(model={emb}, input=texts)\n"
            "    return [item.embedding for item in result.data]"
        )
    stream = kind == 2 and not is_async
    adef = "async def" if is_async else "def"
    body = (
        f'{adef} {name}(question: str, context: str = "") -> str:\n'
        f'    """Ask the model about a {rng.choice(_NOUNS)}."""\n'
        "    messages = [\n"
        f'        {{"role": "system", "content": "{_sentence(rng, 4, 8)}"}},\n'
        '        {"role": "user", "content": f"{context}\\n\\n{question}"},\n'
        "    ]\n"
        f"    response = {aw}client.chat.completions.create(\n"
        f"        model={model},\n"
        f"        messages=messages,{extra_s}\n"
    )
    if stream:
        return body + (
            "        stream=True,\n    )\n"
            '    return "".join(chunk.choices[0].delta.content or ""'
            " for chunk in response)"
        )
    return body + '    )\n    return response.choices[0].message.content or ""'


# --------------------------------------------------------------------------
# Files


def _target_size(rng: random.Random) -> int:
    if rng.random() < 0.03:
        return rng.randint(20_000, 60_000)
    return rng.randint(4_000, 8_000)


def render_source(
    spec: TreeSpec,
    index: int,
    kind: str,
    extra_imports: Sequence[str] = (),
    extra_setup: Sequence[str] = (),
    extra_blocks: Sequence[str] = (),
) -> str:
    """The source of file ``index``; ``kind`` is "plain", "sdk" or "mention".
    ``extra_*``: lines added to the imports and the module set-up, and
    blocks spread through the body (the project shape's cross-module code)."""
    rng = random.Random(f"{spec.seed}:{spec.name}:{index}:{GENERATOR_VERSION}")
    target = _target_size(rng)
    imports = ["from __future__ import annotations", ""]
    std = sorted(rng.sample(_STDLIB_IMPORTS, k=rng.randint(2, 6)))
    std += [
        "import json",
        "import logging",
        "import os",
        "from collections import defaultdict",
        "from functools import lru_cache",
    ]
    imports += sorted(set(std), key=lambda s: (s.startswith("from"), s))
    imports.append("from dataclasses import dataclass, field")
    imports.append("from typing import Any, Mapping, Optional, Sequence")
    consts: list[str] = []
    sdk_blocks: list[str] = []
    setup: list[str] = []
    if kind == "sdk":
        sdk_imports, ctor, is_async, consts = _sdk_header(rng)
        imports.append("")
        imports += sdk_imports
        setup.append(f"client = {ctor}")
        for n in range(rng.randint(1, 4)):
            sdk_blocks.append(_sdk_call(rng, consts, is_async, n))
    if extra_imports:
        imports.append("")
        imports += extra_imports
    setup += extra_setup
    sdk_blocks += extra_blocks
    head = [_docstring(rng, "", rng.randint(1, 2))]
    if kind == "mention":
        head.append(
            f"# NOTE: keep in sync with the openai {rng.choice(_NOUNS)} client, "
            "which lives in another service."
        )
    parts = [
        "\n".join(head),
        "\n".join(imports),
        "logger = logging.getLogger(__name__)\n"
        + _constants(rng)
        + ("\n" + "\n".join(consts) if consts else "")
        + ("\n" + "\n".join(setup) if setup else ""),
    ]
    size = sum(len(p) for p in parts)
    body: list[str] = []
    while size < target:
        r = rng.random()
        block = _function(rng) if r < 0.55 else _dataclass(rng) if r < 0.75 else _class(rng)
        body.append(block)
        size += len(block) + 3
    for block in sdk_blocks:  # spread the SDK calls through the file
        body.insert(rng.randint(0, len(body)), block)
    if rng.random() < 0.2:
        body.append(
            f'if __name__ == "__main__":\n    logging.basicConfig()\n'
            f"    logger.info({rng.choice(_NOUNS)!r})"
        )
    return "\n\n\n".join(parts + body) + "\n"


def file_kinds(spec: TreeSpec) -> list[str]:
    """Which files use the SDK ("sdk"), merely mention it ("mention") or neither."""
    rng = random.Random(f"{spec.seed}:{spec.name}:select:{GENERATOR_VERSION}")
    chosen = rng.sample(range(spec.files), spec.sdk_count + spec.mention_count)
    kinds = ["plain"] * spec.files
    for i in chosen[: spec.sdk_count]:
        kinds[i] = "sdk"
    for i in chosen[spec.sdk_count :]:
        kinds[i] = "mention"
    return kinds


def relative_path(spec: TreeSpec, index: int, suffix: str = ".py") -> str:
    d = index // spec.files_per_dir
    return f"pkg_{d // 25:03d}/mod_{d % 25:02d}/file_{index:05d}{suffix}"


# --------------------------------------------------------------------------
# The project shape: a package tree whose SDK code crosses modules

#: share of the files of each kind (at least one of each); the rest is plain
PROJECT_SHARES: tuple[tuple[str, float], ...] = (
    ("helper", 0.02),  # SDK helpers: ``def summarize_17(text, model="gpt-4o")``
    ("sdk", 0.005),  # SDK use in one file, as in the sparse tree
    ("settings", 0.002),  # ``CHAT_MODEL = "gpt-4o-mini"`` (no "openai"), imported by helpers
    ("factory", 0.002),  # ``def get_client(): return OpenAI(...)``, used by helpers
    ("caller", 0.005),  # imports a helper and calls it (no "openai")
    ("notebook", 0.002),  # a notebook that uses the SDK
    ("mention", 0.005),  # says "openai" in a comment only
)


def project_spec(files: int, seed: int = DEFAULT_SEED) -> TreeSpec:
    return TreeSpec("project", files, 0.0, 0.0, seed, shape="project")


def project_kinds(spec: TreeSpec) -> list[str]:
    """The kind of every file index of a project-shape tree."""
    rng = random.Random(f"{spec.seed}:{spec.name}:select:{GENERATOR_VERSION}")
    counts = [(k, max(1, round(spec.files * share))) for k, share in PROJECT_SHARES]
    chosen = rng.sample(range(spec.files), min(spec.files, sum(n for _, n in counts)))
    kinds = ["plain"] * spec.files
    at = 0
    for kind, n in counts:
        for i in chosen[at : at + n]:
            kinds[i] = kind
        at += n
    return kinds


def _module(spec: TreeSpec, index: int) -> str:
    return relative_path(spec, index)[: -len(".py")].replace("/", ".")


def _helper_blocks(index: int, rng: random.Random, model_default: str) -> list[str]:
    blocks = []
    for k in range(rng.randint(1, 2)):
        name = f"summarize_{index}" if k == 0 else f"classify_{index}"
        blocks.append(
            f"def {name}(text: str, model: str = {model_default}) -> str:\n"
            f'    """{_sentence(rng, 4, 8)}"""\n'
            "    response = client.chat.completions.create(\n"
            "        model=model,\n"
            f'        messages=[{{"role": "user", "content": text}}],\n'
            "    )\n"
            '    return response.choices[0].message.content or ""'
        )
    return blocks


def _by_kind(kinds: Sequence[str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, k in enumerate(kinds):
        out.setdefault(k, []).append(i)
    return out


def render_project_file(spec: TreeSpec, index: int, kind: str, of: dict[str, list[int]]) -> bytes:
    """The bytes of file ``index`` of a project-shape tree (``of``: the
    indexes of each kind, from ``_by_kind``)."""
    rng = random.Random(f"{spec.seed}:{spec.name}:{index}:x:{GENERATOR_VERSION}")
    if kind == "notebook":
        return _notebook(rng, index)
    if kind in ("plain", "sdk", "mention"):
        return render_source(spec, index, kind).encode("utf-8")
    if kind == "settings":
        consts = [f'CHAT_MODEL = "{rng.choice(_MODELS)}"',
                  f'EMBED_MODEL = "{rng.choice(_EMBED_MODELS)}"']  # fmt: skip
        return render_source(spec, index, "plain", extra_setup=consts).encode("utf-8")
    if kind == "factory":
        block = (
            "def get_client() -> OpenAI:\n"
            '    """The one client of this service."""\n'
            '    return OpenAI(api_key=os.environ["OPENAI_API_KEY"], max_retries=3)'
        )
        return render_source(
            spec, index, "plain", extra_imports=["from openai import OpenAI"], extra_blocks=[block]
        ).encode("utf-8")
    if kind == "helper":
        imports: list[str] = []
        if rng.random() < 0.5:
            imports.append("from openai import OpenAI")
            setup = ["client = OpenAI()"]
        else:
            factory = of["factory"][index % len(of["factory"])]
            imports.append(f"from {_module(spec, factory)} import get_client")
            setup = ["client = get_client()"]
        default = f'"{rng.choice(_MODELS)}"'
        if rng.random() < 0.3:
            settings = of["settings"][index % len(of["settings"])]
            imports.append(f"from {_module(spec, settings)} import CHAT_MODEL")
            default = "CHAT_MODEL"
        return render_source(
            spec, index, "plain", imports, setup, _helper_blocks(index, rng, default)
        ).encode("utf-8")
    if kind == "caller":
        helper = of["helper"][index % len(of["helper"])]
        name = f"summarize_{helper}"
        call = f'"{rng.choice(_MODELS)}"' if rng.random() < 0.5 else None
        block = (
            f"def digest_{index}(texts: list[str]) -> list[str]:\n"
            '    """One summary per text."""\n'
            f"    return [{name}(t{', model=' + call if call else ''}) for t in texts]"
        )
        return render_source(
            spec, index, "plain", [f"from {_module(spec, helper)} import {name}"], (), [block]
        ).encode("utf-8")
    raise ValueError(kind)


def _notebook(rng: random.Random, index: int) -> bytes:
    cells = [
        ("markdown", f"# {_sentence(rng, 3, 6)}"),
        ("code", "%pip install openai"),
        ("code", "import os\nfrom openai import OpenAI\n\nclient = OpenAI()"),
        ("code", f"ticket = {_sentence(rng)!r}\n"
                 "response = client.chat.completions.create(\n"
                 f'    model="{rng.choice(_MODELS)}",\n'
                 '    messages=[{"role": "user", "content": ticket}],\n'
                 ")\nprint(response.choices[0].message.content)"),
    ]  # fmt: skip
    nb = {
        "cells": [
            {"cell_type": t, "metadata": {}, "source": src.splitlines(keepends=True),
             **({"execution_count": None, "outputs": []} if t == "code" else {})}
            for t, src in cells
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }  # fmt: skip
    return (json.dumps(nb, indent=1) + "\n").encode("utf-8")


def _generate_project(spec: TreeSpec, dest: Path) -> dict[str, object]:
    kinds = project_kinds(spec)
    of = _by_kind(kinds)
    total = files = 0
    packages: set[str] = set()
    parse: list[str] = []  # files a correct tool must parse (see run.py's (b))
    for index, kind in enumerate(kinds):
        rel = relative_path(spec, index, ".ipynb" if kind == "notebook" else ".py")
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        parts = rel.split("/")
        for depth in (1, 2):
            packages.add("/".join(parts[:depth]))
        data = render_project_file(spec, index, kind, of)
        path.write_bytes(data)
        total += len(data)
        files += 1
        if kind in ("caller", "settings"):
            parse.append(rel)  # no "openai" in them, but they cross modules
    for pkg in sorted(packages):
        init = dest / pkg / "__init__.py"
        init.write_bytes(b"")
        files += 1
    # the project root (where the cache goes, and what a single-file run
    # takes as the project around the file)
    (dest / "pyproject.toml").write_text('[project]\nname = "bench-project"\n')
    return {
        "hash": manifest_hash(spec),
        "spec": asdict(spec),
        "files": files,
        "sdk_files": sum(1 for k in kinds if k in ("helper", "sdk", "factory", "notebook")),
        "mention_files": kinds.count("mention"),
        "kinds": {k: kinds.count(k) for k in sorted(set(kinds))},
        "parse_too": parse,
        "bytes": total,
    }


def manifest_hash(spec: TreeSpec) -> str:
    """Identity of a tree: the spec plus the generator's own source."""
    h = hashlib.sha256(json.dumps(asdict(spec), sort_keys=True).encode())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


def generate_tree(spec: TreeSpec, dest: Path) -> dict[str, object]:
    """Write the tree into ``dest`` (created; must not hold other files).

    Returns the manifest (also what ``ensure_tree`` stores next to the tree).
    """
    if spec.shape == "project":
        return _generate_project(spec, dest)
    kinds = file_kinds(spec)
    total = 0
    for index, kind in enumerate(kinds):
        path = dest / relative_path(spec, index)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = render_source(spec, index, kind).encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return {
        "hash": manifest_hash(spec),
        "spec": asdict(spec),
        "files": spec.files,
        "sdk_files": kinds.count("sdk"),
        "mention_files": kinds.count("mention"),
        "bytes": total,
    }


def tree_dir(spec: TreeSpec, work_dir: Path = DEFAULT_WORK_DIR) -> Path:
    """Where the tree lives; the size is in the name so --quick trees don't evict full ones."""
    return work_dir / f"{spec.name}-{spec.files}"


def manifest_path(spec: TreeSpec, work_dir: Path = DEFAULT_WORK_DIR) -> Path:
    return work_dir / f"{spec.name}-{spec.files}.manifest.json"


def ensure_tree(spec: TreeSpec, work_dir: Path = DEFAULT_WORK_DIR) -> tuple[Path, dict]:
    """Return (root, manifest), regenerating the tree unless an identical one exists."""
    root = tree_dir(spec, work_dir)
    mpath = manifest_path(spec, work_dir)
    expected = manifest_hash(spec)
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        if manifest.get("hash") == expected and root.is_dir():
            return root, manifest
    except (OSError, ValueError):
        pass
    work_dir.mkdir(parents=True, exist_ok=True)
    tmp = work_dir / f".{root.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    manifest = generate_tree(spec, tmp)
    if mpath.exists():
        mpath.unlink()
    shutil.rmtree(root, ignore_errors=True)
    tmp.rename(root)
    mpath.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return root, manifest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sparse-files", type=int, default=SPARSE_FILES)
    parser.add_argument("--dense-files", type=int, default=DENSE_FILES)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR)
    args = parser.parse_args(argv)
    specs = (sparse_spec(args.sparse_files, args.seed), dense_spec(args.dense_files, args.seed))
    for spec in specs:
        root, manifest = ensure_tree(spec, args.work_dir)
        sys.stdout.write(
            f"{spec.name}: {manifest['files']} files ({manifest['sdk_files']} use openai, "
            f"{manifest['mention_files']} only mention it), "
            f"{int(manifest['bytes']) / 1e6:.1f} MB in {root}\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
