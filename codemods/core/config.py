"""Project configuration: ``[tool.openrouter-migrate]`` in ``pyproject.toml``.

The file is found from the paths being processed (the nearest
``pyproject.toml`` *that has the table*, walking up from each path, as ruff
does; paths under different files form separate groups, each run with its
own settings), or named with ``--config FILE``. A file named ``pyproject.toml`` is
read for its ``[tool.openrouter-migrate]`` table; any other file holds the
keys at its top level.

Precedence is command line > config file > built-in default; the CLI merges
(see :func:`codemods.cli._settings`). This module only reads and validates:
an unknown key, a value of the wrong type or a mapping file that does not
exist raises :class:`ConfigError` naming the file and the key, before
anything is processed.

Paths in the file (``mappings``, ``include``/``exclude`` globs that contain a
``/``) are relative to the directory of the config file.
"""

from __future__ import annotations

import glob
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codemods.core.secrets import env_name_problem, redact_text, url_credentials

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

TABLE = "openrouter-migrate"
TITLE_HEADERS = ("X-Title", "X-OpenRouter-Title")
FAIL_ON = ("error", "warning")


class ConfigError(Exception):
    """The configuration cannot be used. ``str()`` names the file and the key."""

    def __init__(self, path: str, message: str, key: str | None = None) -> None:
        super().__init__(path, message, key)
        self.path = path
        self.key = key
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}: " if self.key is None else f"{self.path}: key {self.key!r}: "
        return where + self.message


@dataclass(frozen=True)
class FileConfig:
    """What a config file says; ``None`` / empty means "not set here"."""

    path: str | None = None  # the file read (None: no config file)
    base_url: str | None = None
    api_key_env: str | None = None
    app_url: str | None = None
    app_title: str | None = None
    title_header: str | None = None
    mappings: tuple[str, ...] = ()  # absolute paths, checked to exist
    include: tuple[str, ...] | None = None  # globs, made absolute when they hold a "/"
    exclude: tuple[str, ...] | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    strip_project: bool | None = None
    force_exclude: bool | None = None
    fail_on: str | None = None
    max_file_kib: int | None = None
    unsafe_fixes: bool | None = None

    @property
    def directory(self) -> str | None:
        return None if self.path is None else os.path.dirname(os.path.abspath(self.path))


# ``max-file-kib`` above this (64 MiB) is a typo, not a file LibCST can
# analyse in reasonable time (about 40 KB of source a second)
MAX_FILE_KIB_CEILING = 64 * 1024

# key -> (attribute, kind)
_KEYS: dict[str, tuple[str, str]] = {
    "base-url": ("base_url", "str"),
    "api-key-env": ("api_key_env", "str"),
    "app-url": ("app_url", "str"),
    "app-title": ("app_title", "str"),
    "title-header": ("title_header", "str"),
    "mappings": ("mappings", "paths"),
    "include": ("include", "globs"),
    "exclude": ("exclude", "globs"),
    "select": ("select", "codes"),
    "ignore": ("ignore", "codes"),
    "strip-project": ("strip_project", "bool"),
    "force-exclude": ("force_exclude", "bool"),
    "fail-on": ("fail_on", "str"),
    "max-file-kib": ("max_file_kib", "kib"),
    "unsafe-fixes": ("unsafe_fixes", "bool"),
}

KNOWN_KEYS: tuple[str, ...] = tuple(_KEYS)


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _suggest(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f" (known keys: {', '.join(KNOWN_KEYS)})"


def check_codes(values: Sequence[str]) -> str | None:
    """The first value that names no rule (as a code or a code prefix), if any."""
    if not values:
        return None  # no need to import the rules (and LibCST) for nothing
    from codemods.core.rules import all_rules

    RULES = all_rules()

    for v in values:
        if not v or not any(code.startswith(v) for code in RULES):
            return v
    return None


def _control_problem(value: str) -> str | None:
    import unicodedata

    for ch in value:
        # Cc: C0, DEL, C1 (NEL); Zl/Zp: U+2028/U+2029, which str.splitlines() breaks on
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            return f"contains a control character ({ch!r})"
    return None


def header_value_problem(value: str) -> str | None:
    """Why ``value`` cannot be an HTTP header value the OpenAI SDK sends, or
    None. httpx (the SDK's transport) encodes header values as ASCII: a
    non-ASCII title makes every request fail with UnicodeEncodeError; h11
    refuses control characters and leading or trailing whitespace."""
    problem = _control_problem(value)
    if problem is not None:
        return problem + ", which an HTTP header value cannot hold"
    if not value.isascii():
        return (
            "contains non-ASCII characters: the OpenAI SDK (httpx) sends header values as "
            "ASCII and every request would fail with UnicodeEncodeError"
        )
    if value != value.strip():
        return "starts or ends with whitespace, which an HTTP header value cannot"
    return None


def url_problem(value: str) -> str | None:
    """Why ``value`` is not a usable http(s) URL, or None."""
    from urllib.parse import urlsplit

    problem = _control_problem(value)
    if problem is not None:
        return f"not an http(s) URL: {problem}"
    if any(ch.isspace() for ch in value):
        return "not an http(s) URL: contains whitespace (percent-encode it as %20)"
    try:
        parts = urlsplit(value)
    except ValueError as e:
        return f"not an http(s) URL: {e}"
    if "://" not in value and parts.scheme.lower() not in ("http", "https"):
        return "not an http(s) URL: it has no scheme (write https://...)"
    if parts.scheme.lower() not in ("http", "https"):
        return f"not an http(s) URL (scheme {parts.scheme!r})"
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError as e:
        return f"not an http(s) URL: {e}"
    if not parts.hostname:
        return "not an http(s) URL: it has no host"
    return None


def is_http_url(value: str) -> bool:
    return url_problem(value) is None


def setting_problem(key: str, value: str) -> str | None:
    """Why a string setting (config key name) cannot be used, or None."""
    if key == "base-url":
        return url_problem(value)
    if key == "app-url":
        return url_problem(value) or header_value_problem(value)
    if key == "app-title":
        return header_value_problem(value)
    return None


def base_url_credentials_message(url: str) -> str:
    """Why a base URL with credentials in it is refused (it would be written
    into every migrated file); the credentials are not shown."""
    return (
        f"{redact_text(url)!r} holds credentials ({url_credentials(url)}): they would be "
        "written into every migrated file; give the URL without them and keep the key "
        "in the environment variable (api-key-env)"
    )


def anchor_glob(pattern: str, directory: str) -> str:
    """A glob with a ``/`` is relative to ``directory``: make it absolute."""
    pat = pattern.replace(os.sep, "/")
    if "/" not in pat.rstrip("/"):
        return pat
    if pat.startswith("/"):
        return pat
    while pat.startswith("./"):
        pat = pat[2:]
    base = glob.escape(directory.replace(os.sep, "/")).rstrip("/")
    return f"{base}/{pat}"


def parse_table(table: Any, path: str, *, prefix: str = "") -> FileConfig:
    """Validate one configuration table read from ``path``."""
    if not isinstance(table, dict):
        raise ConfigError(path, f"[{prefix or TABLE}] must be a table, not {_type_name(table)}")
    directory = os.path.dirname(os.path.abspath(path))
    values: dict[str, Any] = {"path": path}
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if key not in _KEYS:
            raise ConfigError(path, "unknown key" + _suggest(key), full)
        attr, kind = _KEYS[key]
        if kind == "str":
            if not isinstance(value, str):
                raise ConfigError(path, f"must be a string, not {_type_name(value)}", full)
            if not value.strip() and key != "api-key-env":
                raise ConfigError(path, "must not be empty", full)
            if key == "title-header" and value not in TITLE_HEADERS:
                raise ConfigError(path, f"must be one of {', '.join(TITLE_HEADERS)}", full)
            problem = setting_problem(key, value)
            if problem is not None:
                raise ConfigError(path, problem, full)
            if key == "base-url" and url_credentials(value):
                raise ConfigError(path, base_url_credentials_message(value), full)
            if key == "api-key-env":
                problem = env_name_problem(value)
                if problem is not None:
                    raise ConfigError(path, problem, full)
            if key == "fail-on" and value not in FAIL_ON:
                raise ConfigError(path, f"must be one of {', '.join(FAIL_ON)}", full)
            values[attr] = value
        elif kind == "bool":
            if not isinstance(value, bool):
                raise ConfigError(path, f"must be true or false, not {_type_name(value)}", full)
            values[attr] = value
        elif kind == "kib":
            if not isinstance(value, int) or isinstance(value, bool):
                raise ConfigError(path, f"must be an integer, not {_type_name(value)}", full)
            if not 1 <= value <= MAX_FILE_KIB_CEILING:
                raise ConfigError(path, f"must be from 1 to {MAX_FILE_KIB_CEILING}", full)
            values[attr] = value
        else:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                got = _type_name(value)
                if isinstance(value, list):
                    got = "an array with " + ", ".join(
                        sorted({_type_name(v) for v in value if not isinstance(v, str)})
                    )
                raise ConfigError(path, f"must be an array of strings, not {got}", full)
            if kind == "paths":
                resolved = []
                for v in value:
                    p = os.path.normpath(os.path.join(directory, os.path.expanduser(v)))
                    if not os.path.isfile(p):
                        raise ConfigError(path, f"mapping file {v!r} does not exist ({p})", full)
                    resolved.append(p)
                values[attr] = tuple(resolved)
            elif kind == "globs":
                values[attr] = tuple(anchor_glob(v, directory) for v in value if v.strip())
            else:  # codes
                codes = tuple(v.strip().upper() for v in value)
                bad = check_codes(codes)
                if bad is not None:
                    raise ConfigError(
                        path, f"{bad!r} is not a rule code or prefix (see `rules`)", full
                    )
                values[attr] = codes
    return FileConfig(**values)


def _read_toml(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as e:
        raise ConfigError(path, f"cannot read: {e.strerror or e}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(path, f"invalid TOML: {e}") from None
    except UnicodeDecodeError as e:
        raise ConfigError(path, f"invalid TOML: not UTF-8 ({e.reason})") from None


def _table_of(data: dict[str, Any]) -> Any:
    tool = data.get("tool")
    if not isinstance(tool, dict):
        return None
    return tool.get(TABLE)


def _folded(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _near_miss(data: dict[str, Any]) -> str | None:
    """The dotted name of a table that is almost ``[tool.openrouter-migrate]``
    (``[tool.openrouter_migrate]``, ``[tool.openrouter-migrat]``, a top-level
    ``[openrouter-migrate]``, ``[tool.openrouter.migrate]``), or None."""
    import difflib

    want = _folded(TABLE)

    def close(name: str) -> bool:
        f = _folded(name)
        return f == want or difflib.SequenceMatcher(None, f, want).ratio() >= 0.85

    tool = data.get("tool")
    if isinstance(tool, dict):
        for name, value in tool.items():
            if name != TABLE and close(name):
                return f"tool.{name}"
            if isinstance(value, dict) and name.lower() == "openrouter":
                for sub in value:
                    if close(f"{name}-{sub}"):
                        return f"tool.{name}.{sub}"
    for name in data:
        if name != "tool" and close(name):
            return name
    return None


def _misspelt_table_error(path: str, data: dict[str, Any]) -> ConfigError | None:
    miss = _near_miss(data)
    if miss is None:
        return None
    return ConfigError(
        path,
        f"table [{miss}] is not read by openrouter-migrate: did you mean [tool.{TABLE}]?",
        miss,
    )


def load_config(path: str | os.PathLike[str]) -> FileConfig:
    """Read an explicitly named config file (``--config``). Any readable file
    that is not a directory will do: ``/dev/null`` or a shell's ``<(...)`` is
    an empty or generated configuration."""
    p = os.fspath(path)
    if not os.path.exists(p):
        raise ConfigError(p, "config file does not exist")
    if os.path.isdir(p):
        raise ConfigError(p, "is a directory, not a config file")
    data = _read_toml(p)
    if os.path.basename(p) == "pyproject.toml":
        table = _table_of(data)
        if table is None:
            raise _misspelt_table_error(p, data) or ConfigError(p, f"has no [tool.{TABLE}] table")
        return parse_table(table, p, prefix=f"tool.{TABLE}")
    if "tool" in data:
        # a pyproject-style file under another name: read its table
        table = _table_of(data)
        if table is not None and set(data) == {"tool"}:
            return parse_table(table, p, prefix=f"tool.{TABLE}")
        if table is not None:
            raise ConfigError(
                p,
                f"holds settings at its top level and in a [tool.{TABLE}] table: keep one",
                "tool",
            )
        miss = _misspelt_table_error(p, data)
        if miss is not None:
            raise miss
        raise ConfigError(
            p,
            "unknown key: a config file other than pyproject.toml holds the settings at "
            f"its top level (or in a [tool.{TABLE}] table); this file has neither",
            "tool",
        )
    miss = _misspelt_table_error(p, data)
    if miss is not None:
        raise miss
    return parse_table(data, p)


class _Finder:
    """Nearest config lookups, each directory and each pyproject.toml read once."""

    def __init__(self) -> None:
        self.by_dir: dict[str, str | None] = {}
        self.has_table: dict[str, bool] = {}

    def nearest(self, start: str) -> str | None:
        seen: list[str] = []
        d = start
        found: str | None = None
        while True:
            if d in self.by_dir:
                found = self.by_dir[d]
                break
            seen.append(d)
            candidate = os.path.join(d, "pyproject.toml")
            if os.path.isfile(candidate):
                if candidate not in self.has_table:
                    data = _read_toml(candidate)
                    has = _table_of(data) is not None
                    if not has:
                        miss = _misspelt_table_error(candidate, data)
                        if miss is not None:
                            raise miss
                    self.has_table[candidate] = has
                if self.has_table[candidate]:
                    found = candidate
                    break
            parent = os.path.dirname(d)
            if parent == d:
                break
            d = parent
        for s in seen:
            self.by_dir[s] = found
        return found


def _start(path: str) -> str:
    a = os.path.abspath(path)
    return a if os.path.isdir(a) else os.path.dirname(a)


def find_config(paths: Sequence[str]) -> str | None:
    """The nearest ``pyproject.toml`` with a ``[tool.openrouter-migrate]``
    table up from the first path (the current directory when there is none)."""
    return _Finder().nearest(_start((list(paths) or ["."])[0]))


def group_paths(paths: Sequence[str]) -> list[tuple[str | None, list[str]]]:
    """Each path with the config file that governs it (nearest up from it),
    grouped by config in the order the paths come: pre-commit passes the
    staged files of every project of a monorepo in one call."""
    finder = _Finder()
    groups: dict[str | None, list[str]] = {}
    for p in list(paths) or ["."]:
        groups.setdefault(finder.nearest(_start(p)), []).append(p)
    return list(groups.items())


def resolve(
    paths: Sequence[str], config_file: str | None, isolated: bool
) -> list[tuple[FileConfig, list[str]]]:
    """The configuration(s) for a run, with the paths each one governs:
    ``--isolated`` (none) > ``--config FILE`` (for every path) > the nearest
    ``pyproject.toml`` with the table, per path. Every file is validated
    before anything runs."""
    everything = list(paths) or ["."]
    if isolated:
        return [(FileConfig(), everything)]
    if config_file is not None:
        return [(load_config(config_file), everything)]
    out = []
    for found, members in group_paths(everything):
        if found is None:
            out.append((FileConfig(), members))
        else:
            table = _table_of(_read_toml(found))
            out.append((parse_table(table, found, prefix=f"tool.{TABLE}"), members))
    return out


def matches_include(display: str, real: str | Path, include: Sequence[str]) -> bool:
    """Whether a file found in a directory walk matches one of the ``include``
    globs (a glob without ``/`` matches the file name, one with ``/`` the
    absolute path)."""
    from fnmatch import fnmatchcase

    name = os.path.basename(display)
    absolute = os.path.abspath(display).replace(os.sep, "/")
    for pat in include:
        if "/" in pat:
            if fnmatchcase(absolute, pat) or fnmatchcase(Path(real).as_posix(), pat):
                return True
        elif fnmatchcase(name, pat):
            return True
    return False
