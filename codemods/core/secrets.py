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


def looks_random(value: str) -> bool:
    """An ``sk-...`` key, or a token with a long run of letters and digits
    mixed (``AbCd...9f3e``): a key, not a placeholder such as
    ``your_openai_api_key_here``, a model ID or a URL."""
    return _looks_random(value)


def _looks_random(value: str) -> bool:
    if _KEY.match(value.strip()):
        return True
    if not looks_like_secret(value):
        return False
    if _base64_key(value.strip()):
        return True
    return any(
        re.search(r"[0-9]", run) and re.search(r"[A-Za-z]", run) for run in _RUN.findall(value)
    )


# a base64 token of 30+ characters mixing upper case, lower case and digits:
# an AWS secret access key (``wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY``), whose
# letter runs may hold no digit. Paths, URLs and model IDs carry ``.``, ``-``
# or ``_`` and are never pure base64 (none of 10,133 such strings in the
# audit corpus matches).
_B64 = re.compile(r"[A-Za-z0-9+/]{30,}={0,2}")
# the same token standing free (a comment, an unquoted ``.env`` line): only
# with a ``/`` or ``+`` in it, so a long CamelCase identifier is not one
_B64_FREE = re.compile(r"(?<![A-Za-z0-9+/_.\-])[A-Za-z0-9+/]{30,}={0,2}(?![A-Za-z0-9+/=_.\-])")


def _base64_key(value: str) -> bool:
    return bool(
        _B64.fullmatch(value)
        and re.search(r"[A-Z]", value)
        and re.search(r"[a-z]", value)
        and re.search(r"[0-9]", value)
    )


def _free_key(m: re.Match[str]) -> bool:
    token = m.group()
    return ("/" in token or "+" in token) and _base64_key(token)


_QUOTED = re.compile(r"""(['"])(.*?)(?<!\\)\1""")

# ``scheme://user:password@host``: the user-info, always hidden
_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://)([^/?#@]+)@")
# ``?name=value`` / ``&name=value`` in a URL
_QUERY = re.compile(r"([?&;])([A-Za-z0-9_.\-]+)=([^&#;]*)")
# query parameters that carry a credential whatever its value looks like
_CREDENTIAL_PARAMS = frozenset(
    {
        "key",
        "api_key",
        "apikey",
        "api-key",
        "token",
        "access_token",
        "auth",
        "auth_token",
        "password",
        "passwd",
        "secret",
        "client_secret",
        "sig",
        "signature",
        "code",
    }
)


_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_URL_TAIL = re.compile(r"://[^\s'\"`<>]+")


def _url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every URL in ``text`` (a scheme, ``://``, up to the next
    space or quote), found from each ``://`` outwards: a regex scan of the
    whole text is several times slower."""
    out: list[tuple[int, int]] = []
    i = text.find("://")
    while i != -1:
        j = i
        while j > 0 and text[j - 1] in _SCHEME_CHARS:
            j -= 1
        while j < i and not ("a" <= text[j] <= "z" or "A" <= text[j] <= "Z"):
            j += 1  # a scheme starts with a letter
        m = _URL_TAIL.match(text, i)
        end = m.end() if m is not None else i + 3
        if j < i and m is not None:
            out.append((j, end))
        i = text.find("://", end)
    return out


def _redact_url_text(url: str) -> str:
    text = _USERINFO.sub(lambda m: m.group(1) + "***@", url)

    def query(m: re.Match[str]) -> str:
        value = m.group(3)
        if not value or value == "***":
            return m.group()
        if m.group(2).lower() in _CREDENTIAL_PARAMS or _looks_random(value):
            return f"{m.group(1)}{m.group(2)}=***"
        return m.group()

    if "=" in text:
        text = _QUERY.sub(query, text)
    return text


def _redact_urls(text: str) -> str:
    spans = _url_spans(text)
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for start, end in spans:
        parts.append(text[last:start])
        parts.append(_redact_url_text(text[start:end]))
        last = end
    parts.append(text[last:])
    return "".join(parts)


def url_credentials(url: str) -> str | None:
    """What in ``url`` is a credential ("user-info", "the query parameter 'key'"),
    or None. Such a URL is never written into a migrated file."""
    url = url.strip()
    if _USERINFO.search(url):
        return "user-info (user:password@)"
    for m in _QUERY.finditer(url):
        value = m.group(3)
        if value and (m.group(2).lower() in _CREDENTIAL_PARAMS or _looks_random(value)):
            return f"the query parameter {m.group(2)!r}"
    if _SK_KEY.search(url):
        return "an API key"
    return None


def redact_text(text: str) -> str:
    """``text`` (source code, a diff, a message) with every ``sk-...`` token,
    every quoted string that looks like a key, and every credential in a URL
    (user-info; query values named like a credential or shaped like a key)
    replaced by its redacted form."""

    def quoted(m: re.Match[str]) -> str:
        body = m.group(2)
        if _looks_random(body):
            return m.group(1) + redact(body)[1:-1] + m.group(1)
        return m.group()

    if "://" in text:
        text = _redact_urls(text)
    text = _QUOTED.sub(quoted, text)
    text = _SK_KEY.sub(lambda m: redact(m.group())[1:-1], text)
    if "/" in text or "+" in text:
        text = _B64_FREE.sub(lambda m: redact(m.group())[1:-1] if _free_key(m) else m.group(), text)
    return text


_QUOTED_TOKEN = re.compile(r"""(['"])\s*([A-Za-z0-9_\-.:+/=]{20,})\s*(?=\1)""")


def holds_secret(text: str, free: bool = True) -> bool:
    """True when ``text`` holds anything :func:`redact_text` would hide
    (the same tests, without building the redacted text). ``free=False``
    leaves out the scan for a base64 key standing outside quotes (a comment):
    it reads every character again, and only a store of the whole text needs
    it."""
    if "sk-" in text and _SK_KEY.search(text):
        return True
    if "://" in text and any(_redact_url_text(text[a:b]) != text[a:b] for a, b in _url_spans(text)):
        return True
    # a quoted string shaped like a token (what _looks_random accepts); the
    # closing quote is not consumed, so a wrong pairing cannot hide the next
    if any(_looks_random(m.group(2)) for m in _QUOTED_TOKEN.finditer(text)):
        return True
    return (
        free
        and ("/" in text or "+" in text)
        and any(_free_key(m) for m in _B64_FREE.finditer(text))
    )


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def env_name_problem(value: str) -> str | None:
    """Why ``value`` cannot be the name of the environment variable that holds
    the key, or None. The message never quotes a key-shaped value."""
    if _looks_random(value) or _SK_KEY.search(value):
        return (
            "looks like an API key, not the name of an environment variable "
            "(value not shown); pass the variable's name, such as OPENROUTER_API_KEY, "
            "and rotate the key if it was shared"
        )
    if not _ENV_NAME.fullmatch(value):
        return (
            f"{redact_text(repr(value))} is not an environment variable name "
            "(letters, digits and _, not starting with a digit), such as OPENROUTER_API_KEY"
        )
    return None


def source_holds_secret(data: bytes, free: bool = True) -> bool:
    """True when a file's bytes hold a key or URL credentials. Such files are
    never cached: a cache entry holds the migrated source and messages that
    quote the file, and must never hold a key (``.openrouter-migrate-cache``
    is not where anyone looks for leaked keys). ``free=False`` is enough
    where only what the code's strings say is stored (the project index's
    summaries), never its comments."""
    text = data.decode("utf-8", "replace")
    if holds_secret(text, free):
        return True
    # a notebook's JSON escapes the quotes of its cells' string literals
    return '\\"' in text and holds_secret(text.replace('\\"', '"'), free)
