"""Recognising and redacting API keys. No report ever contains a whole key."""

from __future__ import annotations

import re

# OpenAI keys: sk-..., sk-proj-..., sk-svcacct-...; OpenRouter keys: sk-or-v1-...
_KEY = re.compile(r"^sk-[A-Za-z0-9_\-]{8,}$")
# any other long token without spaces passed as a key is treated as one too
_TOKEN = re.compile(r"^[A-Za-z0-9_\-.:+/=]{20,}$")


def looks_like_secret(value: str) -> bool:
    """True for string literals that look like an API key (``sk-...`` or a long token)."""
    v = value.strip()
    return bool(_KEY.match(v) or _TOKEN.match(v))


def redact(value: str) -> str:
    """``sk-proj-abc...wxyz`` -> ``sk-...wxyz``; short values are hidden whole."""
    v = value.strip()
    if len(v) < 12:
        return "'***'"
    return f"'{v[:3]}...{v[-4:]}'"


_SK_KEY = re.compile(r"sk-[A-Za-z0-9_\-]{8,}")
# 16+ letters and digits in a row, both present: a key, not a model ID
# ("gpt-4o-mini-2024-07-18"), URL or UUID
_RUN = re.compile(r"[A-Za-z0-9]{16,}")


def _looks_random(value: str) -> bool:
    if _KEY.match(value.strip()):
        return True
    if not looks_like_secret(value):
        return False
    return any(
        re.search(r"[0-9]", run) and re.search(r"[A-Za-z]", run) for run in _RUN.findall(value)
    )


_QUOTED = re.compile(r"""(['"])(.*?)(?<!\\)\1""")


def redact_text(text: str) -> str:
    """``text`` (source code, a diff, a message) with every ``sk-...`` token
    and every quoted string that looks like a key replaced by its redacted form."""

    def quoted(m: re.Match[str]) -> str:
        body = m.group(2)
        if _looks_random(body):
            return m.group(1) + redact(body)[1:-1] + m.group(1)
        return m.group()

    text = _QUOTED.sub(quoted, text)
    return _SK_KEY.sub(lambda m: redact(m.group())[1:-1], text)
