"""The table of what OpenRouter does not serve, ``mappings/unsupported.yaml``:
endpoints with no OpenRouter equivalent, the embedding models served, the
SDK-keyword -> catalog-parameter vocabulary. Shared by the front-ends: the
Python rules (``codemods/python/rules/unsupported.py``) read it with the
Python SDK's names, the TypeScript rules (``codemods/typescript/rules.py``)
with the Node SDK's camelCase names.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codemods.core.mapping import MappingError, _load_yaml, _read, _shipped_dir

UNSUPPORTED_FILE = "unsupported.yaml"
#: names in a resource path that do not name a resource (left out when
#: matching: ``client.beta.assistants`` is ``assistants``)
TRANSPARENT = frozenset({"with_raw_response", "with_streaming_response", "beta"})


@dataclass(frozen=True)
class Endpoint:
    resource: tuple[str, ...]
    methods: frozenset[str] | None
    title: str
    kind: str  # "missing" | "different"
    message: str


@dataclass(frozen=True)
class UnsupportedTable:
    catalog_date: str
    endpoints: tuple[Endpoint, ...]
    embedding_models: frozenset[str]
    parameters: Mapping[str, tuple[str, ...]]
    source: str = ""


_TOP_KEYS = ("catalog_date", "endpoints", "embedding_models", "parameters")
_ENDPOINT_KEYS = ("resource", "methods", "title", "kind", "message")
_KINDS = ("missing", "different")


def _identifier_list(name: str, entry: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise MappingError(name, "must be a non-empty list of names", entry)
    for v in value:
        if not isinstance(v, str) or not v.isidentifier():
            raise MappingError(name, f"{v!r} is not a name", entry)
    return tuple(value)


def parse_unsupported(text: str, name: str) -> UnsupportedTable:
    """Parse and validate the text of an unsupported.yaml file.

    Raises :class:`MappingError` naming the file and the entry.
    """
    data, lines = _load_yaml(text, name)
    if not isinstance(data, dict):
        raise MappingError(name, "top level must be a mapping", "top level", 1)
    for key in data:
        if key not in _TOP_KEYS:
            raise MappingError(
                name,
                f"unknown key {key!r} (allowed: {', '.join(_TOP_KEYS)})",
                "top level",
                lines.get((key,)),
            )
    for key in _TOP_KEYS:
        if key not in data:
            raise MappingError(name, "missing", key)
    date = data["catalog_date"]
    if not isinstance(date, str) or len(date) != 10:
        raise MappingError(name, f"must be a date string YYYY-MM-DD, got {date!r}", "catalog_date")

    raw_endpoints = data["endpoints"]
    if not isinstance(raw_endpoints, list):
        raise MappingError(name, "must be a list", "endpoints", lines.get(("endpoints",)))
    endpoints: list[Endpoint] = []
    seen: set[tuple[tuple[str, ...], frozenset[str] | None]] = set()
    for i, raw in enumerate(raw_endpoints):
        entry = f"endpoints[{i}]"
        if not isinstance(raw, dict):
            raise MappingError(name, "must be a mapping (resource, title, kind, message)", entry)
        if isinstance(raw.get("resource"), str):
            entry += f" ({raw['resource']})"
        for key in raw:
            if key not in _ENDPOINT_KEYS:
                raise MappingError(
                    name, f"unknown key {key!r} (allowed: {', '.join(_ENDPOINT_KEYS)})", entry
                )
        for key in ("resource", "title", "kind", "message"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise MappingError(name, f"{key!r} must be a non-empty string", entry)
        resource = tuple(raw["resource"].split("."))
        if not all(p.isidentifier() for p in resource):
            raise MappingError(name, f"resource {raw['resource']!r} is not a dotted name", entry)
        if any(p in TRANSPARENT for p in resource):
            raise MappingError(
                name, f"resource {raw['resource']!r}: leave out beta/with_raw_response", entry
            )
        if raw["kind"] not in _KINDS:
            raise MappingError(
                name, f"kind must be one of {', '.join(_KINDS)}, got {raw['kind']!r}", entry
            )
        methods = None
        if "methods" in raw:
            methods = frozenset(_identifier_list(name, entry + ": methods", raw["methods"]))
        if (resource, methods) in seen:
            raise MappingError(name, "listed twice", entry)
        seen.add((resource, methods))
        endpoints.append(
            Endpoint(
                resource,
                methods,
                raw["title"].strip(),
                raw["kind"],
                " ".join(raw["message"].split()),
            )
        )

    raw_embed = data["embedding_models"]
    if not isinstance(raw_embed, list) or not all(
        isinstance(m, str) and "/" in m for m in raw_embed
    ):
        raise MappingError(
            name, "must be a list of OpenRouter model IDs (provider/model)", "embedding_models"
        )

    raw_params = data["parameters"]
    if not isinstance(raw_params, dict):
        raise MappingError(name, "must be a mapping of SDK keyword to catalog names", "parameters")
    params: dict[str, tuple[str, ...]] = {}
    for key, value in raw_params.items():
        entry = f"parameters[{key!r}]"
        if not isinstance(key, str) or not key.isidentifier():
            raise MappingError(name, "key must be a keyword argument name", entry)
        params[key] = _identifier_list(name, entry, value)
    return UnsupportedTable(
        catalog_date=date,
        endpoints=tuple(endpoints),
        embedding_models=frozenset(raw_embed),
        parameters=params,
        source=name,
    )


@functools.lru_cache(maxsize=4)
def load_unsupported(path: str | None = None) -> UnsupportedTable:
    """The shipped ``mappings/unsupported.yaml`` (or ``path``). Cached.

    The shipped file is looked up like ``models.yaml`` (the installed
    ``codemods.mappings`` package), then in the source checkout.
    """
    if path is not None:
        resource: Any = Path(path)
    else:
        resource = _shipped_dir().joinpath(UNSUPPORTED_FILE)
        checkout = Path(__file__).resolve().parents[2] / "mappings" / UNSUPPORTED_FILE
        if not resource.is_file() and checkout.is_file():
            resource = checkout
    name = str(resource)
    return parse_unsupported(_read(resource, name), name)
