"""Decide from raw bytes, without parsing, whether a file can need work.

The invariant (keep it true when you add a rule)
------------------------------------------------
Every rule reports only on code that contains, as source bytes, either

* ``openai``: every rule that needs an OpenAI import, a name resolved to
  ``openai.*`` (``openai.ChatCompletion``, ``openai.api_key = ...``), or a
  receiver classified as an OpenAI client (which is resolved through an
  import of ``openai``), or
* ``langchain``: the LangChain rules (OR411-OR414) act only on names
  imported from ``langchain``, ``langchain_community`` or
  ``langchain_openai`` (``from langchain.chat_models import ChatOpenAI``
  has no ``openai`` in it), or
* ``model`` and one of :data:`RESOURCE_NAMES` as a whole identifier: the
  OR2xx model rules also look at SDK method chains
  (``x.chat.completions.create(model=...)``) whose receiver is unknown in a
  file that does not import openai, and report only on their ``model=``
  keyword argument.

* ``litellm`` or ``dspy``: the LiteLLM and DSPy rules (OR441-OR445) need
  an import of one of them.

* ``crewai``: the crewAI rule (OR446) needs an import of crewai.

* ``llama_index`` and ``OpenAI``: legacy LlamaIndex's OpenAI LLM (OR451,
  ``from llama_index.llms import OpenAI``) has no ``openai`` in it.

* ``OpenAI`` and ``import *``: ``from helpers import *`` of a module of
  the run that imports ``OpenAI``, ``ChatOpenAI``... (the project pass
  binds them in the importer: ``star_names``) has no ``openai`` in it.

* ``OPENAI_API_KEY``: a start-up gate or an assignment of the key in a
  file that names nothing else of the SDK (OR123).
* ``agents`` and one of ``Agent``, ``Runner``, ``Provider``, ``Model``: the
  Agents SDK rule OR434 reports code that runs agents without giving the
  SDK a client (``from agents import Agent, Runner`` has no ``openai`` in it).

A rule that can fire on a file containing none of these must add its trigger here
(a new SDK resource name to :data:`RESOURCE_NAMES`, or a new needle).
``tests/test_prefilter.py`` is the guard: on every fixture repository it
compares a prefiltered run with an unfiltered one (findings, new sources,
errors) and checks that every resource chain of the model rules is listed.

Exact in the safe direction: a file for which :func:`may_need_work` is False
gives no finding, no change and no error in an unfiltered run. The converse
is not promised: ``openai`` in a comment makes a file a candidate.

Errors (syntax errors, bad encodings) in a file that cannot need work are
not reported: the tool is not a syntax checker, and finding them would mean
parsing every file.

Identifiers are compared as written: Python folds ``ｏpenai`` (NFKC) to
``openai``, LibCST and the rules do not, so such a file gives no finding
with or without the prefilter. Source in an encoding where ASCII text is not
stored as its ASCII bytes (UTF-16, EBCDIC, stateful codecs such as UTF-7)
is always a candidate.

Speed: ``bytes in bytes`` is a fast substring search (about 0.6 GB/s here);
a regular expression with alternatives is 20x slower. Most files cost two
searches (``openai``, ``model``); the resource names are searched one by
one only in files that have ``model``, and the word-boundary regex runs
only on files that contain one of them.
"""

from __future__ import annotations

import codecs
import functools
import re

#: SDK resource names that start a method chain the model rules match
#: (``codemods.python.rules.models.SDK_METHODS``): each chain contains one of them.
RESOURCE_NAMES: tuple[str, ...] = (
    "completions",
    "responses",
    "embeddings",
    "images",
    "audio",
    "moderations",
)

_WORDS = tuple(w.encode() for w in RESOURCE_NAMES)
_AGENT_WORDS = (b"Agent", b"Runner", b"Provider", b"Model")
_WORD_RE = re.compile(rb"(?<![A-Za-z0-9_])(?:" + b"|".join(_WORDS) + rb")(?![A-Za-z0-9_])")
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)


def may_need_work(data: bytes) -> bool:
    """False only if no rule can report anything on a file with these bytes."""
    if b"openai" in data or b"langchain" in data:
        return True
    if b"OPENAI_API_KEY" in data:
        # a start-up gate or an assignment of the key (OR123), in a file
        # that names nothing else of the SDK (codemods/python/rules/client.py)
        return True
    if b"litellm" in data or b"dspy" in data:
        # LiteLLM and DSPy model strings (codemods/python/rules/litellm_dspy.py)
        return True
    if b"OpenAI" in data and b"import *" in data:
        # ``from helpers import *`` of a module of the run that imports
        # ``OpenAI`` / ``ChatOpenAI`` (the project pass: star_names)
        return True
    if b"crewai" in data or (b"llama_index" in data and b"OpenAI" in data):
        # crewAI (codemods/python/rules/crewai.py), legacy LlamaIndex (llamaindex.py)
        return True
    if b"agents" in data and any(w in data for w in _AGENT_WORDS):
        # the Agents SDK's own default client (codemods/python/rules/agents.py: OR434)
        return True
    if b"model" in data and any(w in data for w in _WORDS) and _WORD_RE.search(data):
        return True
    # the coding cookie lives on line 1 or 2
    end = data.find(b"\n", data.find(b"\n") + 1)
    head = data if end < 0 else data[:end]
    if b"coding" in head and not _ascii_transparent(head):
        return True
    return False


def _ascii_transparent(head: bytes) -> bool:
    """Is every ASCII character of this source stored as its own byte?"""
    for line in head.split(b"\n")[:2]:
        m = _COOKIE.match(line)
        if m is not None:
            return _codec_is_transparent(m.group(1).decode("ascii", "replace"))
    return True


@functools.lru_cache(maxsize=64)
def _codec_is_transparent(name: str) -> bool:
    try:
        info = codecs.lookup(name)
    except LookupError:
        return True  # unknown codec: the file cannot be decoded at all
    if info.name in ("utf-7", "hz") or info.name.startswith("iso2022"):
        return False  # stateful: letters may hide in shifted sequences
    try:
        for i in range(32, 127):
            if chr(i).encode(info.name) != bytes([i]):
                return False
    except (UnicodeError, LookupError):
        return False
    return True
