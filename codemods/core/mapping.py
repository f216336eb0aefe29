"""The model-ID table (``mappings/models.yaml``) and the bundled model catalog.

``load_model_table()`` reads the shipped table and merges user files over it;
``ModelTable.lookup()`` says what to do with one ``model=`` string.
``load_catalog()`` reads the trimmed OpenRouter catalog snapshot that ships
with the tool (which parameters each model supports, its modalities...).

Only data is read: YAML goes through a ``yaml.SafeLoader`` subclass (no tags,
no objects, duplicate keys refused), JSON through ``json``. Every problem with a
file is a ``MappingError`` whose text names the file, the line when known and
the entry.
"""

from __future__ import annotations

import datetime
import enum
import functools
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, Union

import yaml

__all__ = [
    "Catalog",
    "CatalogModel",
    "Lookup",
    "LookupKind",
    "MappingError",
    "ModelTable",
    "load_catalog",
    "load_model_table",
]

MODELS_FILE = "models.yaml"
SUCCESSORS_FILE = "successors.yaml"  # hand-edited: successors of no_equivalent IDs
CATALOG_GLOB = "catalog-*.json"
_TOP_KEYS = ("catalog_date", "models", "no_equivalent", "successors")
_SECTIONS = ("models", "no_equivalent")

# provider/model, optionally a ~alias; no whitespace, no empty part.
_OPENROUTER_ID = re.compile(r"~?[^\s/~]+/[^\s/]\S*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LITELLM_PREFIX = "openrouter/"


class _Readable(Protocol):  # pathlib.Path or an importlib.resources Traversable
    name: str

    def read_text(self, encoding: str = ...) -> str: ...


_PathLike = Union[str, Path]


class MappingError(Exception):
    """A mapping or catalog file is missing, unreadable or wrong.

    ``str(e)`` reads ``<file>[:<line>]: <entry>: <message>``, e.g.
    ``mappings.yaml:3: models['gpt-4o']: value must be a string, got int``.
    """

    def __init__(
        self,
        path: str,
        message: str,
        entry: str | None = None,
        line: int | None = None,
    ) -> None:
        self.path = str(path)
        self.message = message
        self.entry = entry
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        if self.entry:
            where += f": {self.entry}"
        return f"{where}: {self.message}"


class LookupKind(str, enum.Enum):
    MAPPED = "mapped"  # a bare OpenAI ID with a known OpenRouter ID (target)
    ALREADY_OPENROUTER = "already"  # provider/model, ~alias, :variant: nothing to do
    UNKNOWN = "unknown"  # a bare ID the table does not know
    NO_EQUIVALENT = "no-equivalent"  # known to have no OpenRouter model (reason)
    FINE_TUNE = "fine-tune"  # ft:...: fine-tunes do not exist on OpenRouter
    BAD_PREFIX = "bad-prefix"  # LiteLLM-style openrouter/<...>; target if recoverable


@dataclass(frozen=True)
class Lookup:
    kind: LookupKind
    target: str | None = None
    reason: str | None = None
    # NO_EQUIVALENT: the OpenRouter model to suggest instead (never rewritten to)
    successor: str | None = None


def _entry(section: str | None, key: Any = None) -> str:
    if section is None:
        return "top level" if key is None else f"top level[{key!r}]"
    return section if key is None else f"{section}[{key!r}]"


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def is_openrouter_id(value: str) -> bool:
    """A plausible OpenRouter model ID: ``provider/model`` (or ``~provider/alias``)."""
    return bool(_OPENROUTER_ID.fullmatch(value))


# --------------------------------------------------------------------------- YAML


class _DuplicateKey(Exception):
    def __init__(self, path: tuple[Any, ...], key: Any, line: int, first: int) -> None:
        super().__init__(key)
        self.path, self.key, self.line, self.first = path, key, line, first


class _Strict:
    """SafeLoader that refuses duplicate keys and remembers where each key is.

    ``yaml.safe_load`` silently keeps the last of two equal keys; in a mapping
    table that hides a user's mistake, so this loader raises instead.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.node_paths: dict[int, tuple[Any, ...]] = {}
        self.key_lines: dict[tuple[Any, ...], int] = {}

    def construct_document(self, node: yaml.Node) -> Any:
        self._index(node, ())
        return super().construct_document(node)

    def _index(self, node: yaml.Node, path: tuple[Any, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            self.node_paths[id(node)] = path
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    sub = (*path, key_node.value)
                    self.key_lines.setdefault(sub, key_node.start_mark.line + 1)
                    self._index(value_node, sub)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                self._index(item, path)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                if key in seen:
                    raise _DuplicateKey(self.node_paths.get(id(node), ()), key, line, seen[key])
                seen[key] = line
            except TypeError:  # unhashable key: the base class reports it
                continue
        return super().construct_mapping(node, deep=deep)

    def entry_at_line(self, line: int) -> str | None:
        best: tuple[Any, ...] | None = None
        for path, key_line in self.key_lines.items():
            if key_line == line and (best is None or len(path) > len(best)):
                best = path
        if not best:
            return None
        return _entry(None, best[0]) if len(best) == 1 else _entry(str(best[0]), best[1])


class _StrictLoader(_Strict, yaml.SafeLoader):  # type: ignore[misc]
    pass


# The same loader on libyaml's C parser, when PyYAML has it: the shipped
# table loads in about a third of the time (every run loads it). A file it
# refuses is loaded again by the pure-Python loader, whose error messages
# are the ones users see (libyaml words them differently).
_FastStrictLoader: type | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _FastStrictLoader(_Strict, yaml.CSafeLoader):  # type: ignore[no-redef, misc]
        pass


def _load_yaml(text: str, name: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """(data, line of each key path) of a one-document YAML text."""
    if _FastStrictLoader is not None:
        fast = _FastStrictLoader(text)
        try:
            return fast.get_single_data(), fast.key_lines
        except (yaml.YAMLError, _DuplicateKey):
            pass  # reported by the loader below, with its messages
        finally:
            fast.dispose()
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data(), loader.key_lines
    except _DuplicateKey as exc:
        section = None if not exc.path else str(exc.path[0])
        raise MappingError(
            name,
            f"duplicate key {exc.key!r} (first at line {exc.first}); YAML keeps only one",
            entry=_entry(section) if section else "top level",
            line=exc.line,
        ) from None
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        problem = exc.problem or str(exc)
        if "constructor for the tag" in problem:
            problem = f"YAML tag not allowed (plain data only): {problem}"
        entry = loader.entry_at_line(line) if line else None
        raise MappingError(name, problem, entry=entry, line=line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "syntax error"
        raise MappingError(name, f"not valid YAML: {problem}", line=line) from None
    except yaml.YAMLError as exc:
        raise MappingError(name, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


# ---------------------------------------------------------------- table files


@dataclass(frozen=True)
class _Layer:
    catalog_date: str | None
    models: dict[str, str]
    no_equivalent: dict[str, str]
    successors: dict[str, str] = field(default_factory=dict)


def _read(resource: _Readable, name: str) -> str:
    try:
        return resource.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MappingError(name, "file not found") from None
    except IsADirectoryError:
        raise MappingError(name, "is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise MappingError(name, f"cannot read file: not UTF-8 ({exc.reason})") from None
    except OSError as exc:
        raise MappingError(name, f"cannot read file: {exc.strerror or exc}") from None


def _check_key(name: str, section: str, key: Any, line: int | None) -> str:
    entry = _entry(section, key)
    if not isinstance(key, str):
        raise MappingError(
            name, f"key must be a string, got {_type_name(key)} (quote it)", entry, line
        )
    if not key:
        raise MappingError(name, "key is empty", entry, line)
    if key != key.strip() or any(c.isspace() for c in key):
        raise MappingError(name, "key contains whitespace", entry, line)
    if "/" in key:
        raise MappingError(
            name,
            "key must be a bare OpenAI model ID (no '/'): IDs with a provider prefix "
            "are already OpenRouter IDs",
            entry,
            line,
        )
    if key != key.lower():
        raise MappingError(
            name,
            "key has upper-case letters: model IDs are matched exactly, and OpenAI's are "
            "lower-case (OpenAI rejects 'GPT-4o'), so this key would match no working code; "
            f"write {key.lower()!r}",
            entry,
            line,
        )
    return key


def _check_target(name: str, entry: str, value: Any, line: int | None) -> str:
    if not isinstance(value, str):
        raise MappingError(name, f"value must be a string, got {_type_name(value)}", entry, line)
    if not value:
        raise MappingError(name, "value is empty", entry, line)
    if value.startswith(_LITELLM_PREFIX) and "/" in value[len(_LITELLM_PREFIX) :]:
        raise MappingError(
            name,
            f"value {value!r} has the LiteLLM-style 'openrouter/' prefix, which OpenRouter "
            f"rejects; write {value[len(_LITELLM_PREFIX) :]!r}",
            entry,
            line,
        )
    if not is_openrouter_id(value):
        raise MappingError(
            name,
            f"value {value!r} is not an OpenRouter model ID "
            "(expected 'provider/model' without whitespace, e.g. 'openai/gpt-4o')",
            entry,
            line,
        )
    return value


def _check_reason(name: str, entry: str, value: Any, line: int | None) -> str:
    if not isinstance(value, str):
        raise MappingError(
            name, f"value must be a string (the reason), got {_type_name(value)}", entry, line
        )
    if not value.strip():
        raise MappingError(name, "value is empty (give a short reason)", entry, line)
    return value


def _parse_layer(text: str, name: str, *, require_date: bool) -> _Layer:
    data, loader_lines = _load_yaml(text, name)

    def line_of(*path: Any) -> int | None:
        return loader_lines.get(tuple(str(p) if not isinstance(p, str) else p for p in path))

    if not require_date and (data is None or data == {}):
        raise MappingError(
            name, "the file is empty: expected `models:` and/or `no_equivalent:` entries"
        )
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise MappingError(
            name, f"top level must be a mapping, got {_type_name(data)}", "top level", 1
        )
    for key in data:
        if not isinstance(key, str) or key not in _TOP_KEYS:
            raise MappingError(
                name,
                f"unknown key {key!r} (allowed: {', '.join(_TOP_KEYS)})",
                "top level",
                line_of(key),
            )

    date: str | None = None
    if "catalog_date" in data:
        raw = data["catalog_date"]
        if isinstance(raw, datetime.date):  # unquoted 2026-05-22 is a YAML date
            raw = raw.isoformat()
        if not isinstance(raw, str) or not _DATE.fullmatch(raw):
            raise MappingError(
                name,
                f"must be a date string YYYY-MM-DD, got {raw!r}",
                "catalog_date",
                line_of("catalog_date"),
            )
        date = raw
    elif require_date:
        raise MappingError(name, "missing (the catalog snapshot date)", "catalog_date")

    sections: dict[str, dict[str, str]] = {}
    for section in _SECTIONS:
        raw_section = data.get(section)
        if raw_section is None:  # absent, or `models:` with every entry commented out
            sections[section] = {}
            continue
        if not isinstance(raw_section, dict):
            what = "OpenAI ID to OpenRouter ID" if section == "models" else "OpenAI ID to reason"
            raise MappingError(
                name,
                f"must be a mapping of {what}, got {_type_name(raw_section)}",
                section,
                line_of(section),
            )
        out: dict[str, str] = {}
        for key, value in raw_section.items():
            line = line_of(section, key)
            _check_key(name, section, key, line)
            entry = _entry(section, key)
            if section == "models":
                out[key] = _check_target(name, entry, value, line)
            else:
                out[key] = _check_reason(name, entry, value, line)
        sections[section] = out

    for key in sections["no_equivalent"]:
        if key in sections["models"]:
            raise MappingError(
                name,
                "also listed under models in the same file; keep one",
                _entry("no_equivalent", key),
                line_of("no_equivalent", key),
            )

    successors: dict[str, str] = {}
    raw_successors = data.get("successors")
    if raw_successors is not None:
        if not isinstance(raw_successors, dict):
            raise MappingError(
                name,
                "must be a mapping of OpenAI ID to the OpenRouter ID to suggest, got "
                + _type_name(raw_successors),
                "successors",
                line_of("successors"),
            )
        for key, value in raw_successors.items():
            line = line_of("successors", key)
            _check_key(name, "successors", key, line)
            successors[key] = _check_target(name, _entry("successors", key), value, line)
    return _Layer(date, sections["models"], sections["no_equivalent"], successors)


# ---------------------------------------------------------------- the table


class ModelTable:
    """The effective model-ID table: the shipped file with user files merged over it.

    Read-only. ``fingerprint`` is a sha256 over the effective content (not the
    file names), for cache keys. Picklable (crosses the worker-pool boundary).
    """

    __slots__ = (
        "models",
        "no_equivalent",
        "successors",
        "catalog_date",
        "sources",
        "fingerprint",
        "_mentions",
    )

    models: Mapping[str, str]
    no_equivalent: Mapping[str, str]
    successors: Mapping[str, str]  # no_equivalent ID -> OpenRouter ID to suggest
    catalog_date: str
    sources: tuple[str, ...]
    fingerprint: str

    def __init__(
        self,
        models: Mapping[str, str],
        no_equivalent: Mapping[str, str],
        catalog_date: str,
        sources: Sequence[str] = (),
        successors: Mapping[str, str] | None = None,
    ) -> None:
        m = {k: models[k] for k in sorted(models)}
        n = {k: no_equivalent[k] for k in sorted(no_equivalent)}
        succ = dict(successors or {})
        su = {k: succ[k] for k in sorted(succ)}
        object.__setattr__(self, "models", MappingProxyType(m))
        object.__setattr__(self, "no_equivalent", MappingProxyType(n))
        object.__setattr__(self, "successors", MappingProxyType(su))
        object.__setattr__(self, "catalog_date", catalog_date)
        object.__setattr__(self, "sources", tuple(str(s) for s in sources))
        blob = json.dumps(
            {"catalog_date": catalog_date, "models": m, "no_equivalent": n, "successors": su},
            sort_keys=True,
            separators=(",", ":"),
        )
        object.__setattr__(self, "fingerprint", hashlib.sha256(blob.encode()).hexdigest())
        object.__setattr__(self, "_mentions", frozenset(m) | frozenset(n))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("ModelTable is read-only")

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            ModelTable,
            (
                dict(self.models),
                dict(self.no_equivalent),
                self.catalog_date,
                self.sources,
                dict(self.successors),
            ),
        )

    def __repr__(self) -> str:
        return (
            f"ModelTable({len(self.models)} models, {len(self.no_equivalent)} no_equivalent, "
            f"catalog {self.catalog_date}, fingerprint {self.fingerprint[:12]})"
        )

    def mentions(self) -> frozenset[str]:
        """Every bare ID the table knows (models and no_equivalent keys)."""
        return self._mentions  # type: ignore[no-any-return]

    def lookup(self, model_id: str) -> Lookup:
        """What to do with the model ID string ``model_id`` (taken literally)."""
        if not isinstance(model_id, str) or not model_id:
            return Lookup(LookupKind.UNKNOWN, reason="empty model ID")
        if model_id.startswith(_LITELLM_PREFIX):
            bad = self._lookup_litellm(model_id[len(_LITELLM_PREFIX) :])
            if bad is not None:
                return bad
        if "/" in model_id:
            return Lookup(LookupKind.ALREADY_OPENROUTER, target=model_id)
        if model_id in self.models:
            return Lookup(LookupKind.MAPPED, target=self.models[model_id])
        if model_id in self.no_equivalent:
            return Lookup(
                LookupKind.NO_EQUIVALENT,
                reason=self.no_equivalent[model_id],
                successor=self.successors.get(model_id),
            )
        if model_id.startswith("ft:"):
            return Lookup(LookupKind.FINE_TUNE, reason=_FINE_TUNE_REASON)
        return Lookup(
            LookupKind.UNKNOWN,
            reason=f"not in the model table (catalog snapshot {self.catalog_date}); "
            "map it in a mappings file",
        )

    def _lookup_litellm(self, rest: str) -> Lookup | None:
        """``openrouter/<rest>``: BAD_PREFIX, or None for OpenRouter's own models."""
        why = "the LiteLLM-style 'openrouter/' prefix is rejected by OpenRouter"
        if "/" in rest:  # openrouter/openai/gpt-4o
            target = rest if is_openrouter_id(rest) else None
            if target is not None and target.startswith(_LITELLM_PREFIX):
                target = None  # openrouter/openrouter/openai/x: too odd to guess
            return Lookup(
                LookupKind.BAD_PREFIX,
                target=target,
                reason=f"{why}; use {target!r}" if target else why,
            )
        if rest in self.models:  # openrouter/gpt-4o
            target = self.models[rest]
            return Lookup(LookupKind.BAD_PREFIX, target=target, reason=f"{why}; use {target!r}")
        if rest in self.no_equivalent:
            return Lookup(
                LookupKind.BAD_PREFIX,
                reason=f"{why}, and {rest!r} has no OpenRouter equivalent: "
                f"{self.no_equivalent[rest]}",
            )
        if rest.startswith("ft:"):
            return Lookup(LookupKind.BAD_PREFIX, reason=f"{why}, and {_FINE_TUNE_REASON}")
        # openrouter/auto, openrouter/free...: OpenRouter's own router models.
        return None


_FINE_TUNE_REASON = (
    "fine-tuned OpenAI models (ft:...) cannot be called through OpenRouter; "
    "map this ID in a mappings file if an equivalent model is hosted there"
)


def _shipped_dir() -> Any:
    """The shipped ``mappings`` directory: the installed package, else the checkout."""
    try:
        from importlib.resources import files

        d = files("codemods.mappings")
        if d.joinpath(MODELS_FILE).is_file():
            return d
    except (ImportError, TypeError, ValueError):
        pass
    return Path(__file__).resolve().parent.parent.parent / "mappings"


@functools.lru_cache(maxsize=4)
def _shipped_layer(where: str) -> tuple[_Layer, str]:
    resource = _shipped_dir().joinpath(MODELS_FILE)
    name = str(resource)
    layer = _parse_layer(_read(resource, name), name, require_date=True)
    extra = _shipped_dir().joinpath(SUCCESSORS_FILE)
    if not extra.is_file():  # suggestions only: a table without them still works
        return layer, name
    extra_name = str(extra)
    succ = _parse_layer(_read(extra, extra_name), extra_name, require_date=False)
    if succ.models or succ.no_equivalent or succ.catalog_date:
        raise MappingError(extra_name, "holds only a successors: section", "top level")
    return _Layer(layer.catalog_date, layer.models, layer.no_equivalent, succ.successors), name


def load_model_table(extra_files: Sequence[_PathLike] = ()) -> ModelTable:
    """The shipped table, then each of ``extra_files`` merged over it in order.

    A user entry wins over the shipped one, may point at any provider, and moves
    the ID between ``models`` and ``no_equivalent`` when it sits in the other.
    A user file's ``catalog_date`` (if any) replaces the shipped one.
    """
    base, base_name = _shipped_layer(str(_shipped_dir()))
    models = dict(base.models)
    no_eq = dict(base.no_equivalent)
    successors = dict(base.successors)
    date = base.catalog_date or ""
    sources = [base_name]
    for extra in extra_files:
        path = Path(extra)
        name = str(extra)
        layer = _parse_layer(_read(path, name), name, require_date=False)
        for key, target in layer.models.items():
            models[key] = target
            no_eq.pop(key, None)
        for key, reason in layer.no_equivalent.items():
            no_eq[key] = reason
            models.pop(key, None)
        successors.update(layer.successors)
        if layer.catalog_date:
            date = layer.catalog_date
        sources.append(name)
    return ModelTable(models, no_eq, date, sources, successors)


# ---------------------------------------------------------------- the catalog


@dataclass(frozen=True)
class CatalogModel:
    id: str
    canonical_slug: str
    context_length: int | None
    input_modalities: tuple[str, ...]
    output_modalities: tuple[str, ...]
    supported_parameters: frozenset[str]
    expiration_date: str | None
    name: str = ""
    created: int | None = None


class Catalog:
    """The OpenRouter model catalog snapshot (``GET /api/v1/models``, trimmed)."""

    __slots__ = ("snapshot_date", "source", "models")

    snapshot_date: str
    source: str
    models: Mapping[str, CatalogModel]

    def __init__(self, snapshot_date: str, models: Mapping[str, CatalogModel], source: str = ""):
        self.snapshot_date = snapshot_date
        self.source = source
        self.models = MappingProxyType({k: models[k] for k in sorted(models)})

    def __reduce__(self) -> tuple[Any, ...]:
        return (Catalog, (self.snapshot_date, dict(self.models), self.source))

    def __repr__(self) -> str:
        return f"Catalog({len(self.models)} models, snapshot {self.snapshot_date})"

    def get(self, model_id: str) -> CatalogModel | None:
        """The model, or for an unlisted ``:variant`` (``openai/gpt-4o:nitro``) its base."""
        found = self.models.get(model_id)
        if found is None and ":" in model_id.rpartition("/")[2]:
            found = self.models.get(model_id.rpartition(":")[0])
        return found

    def supports(self, model_id: str, param: str) -> bool | None:
        """Whether the model lists ``param`` in supported_parameters; None if unknown."""
        model = self.get(model_id)
        return None if model is None else param in model.supported_parameters


def _catalog_model(row: Any, name: str, index: int) -> CatalogModel:
    entry = f"models[{index}]"
    if not isinstance(row, dict) or not isinstance(row.get("id"), str):
        raise MappingError(name, "model has no string 'id'", entry)
    entry = f"models[{row['id']!r}]"
    try:
        return CatalogModel(
            id=row["id"],
            canonical_slug=row.get("canonical_slug") or row["id"],
            context_length=row.get("context_length"),
            input_modalities=tuple(row.get("input_modalities") or ()),
            output_modalities=tuple(row.get("output_modalities") or ()),
            supported_parameters=frozenset(row.get("supported_parameters") or ()),
            expiration_date=row.get("expiration_date"),
            name=row.get("name") or "",
            created=row.get("created"),
        )
    except TypeError as exc:
        raise MappingError(name, f"malformed model: {exc}", entry) from None


def _parse_catalog(text: str, name: str) -> Catalog:
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise MappingError(name, f"not valid JSON: {exc}", line=line) from None
    if not isinstance(data, dict) or not isinstance(data.get("models"), list):
        raise MappingError(name, "expected an object with a 'models' list", "top level")
    date = data.get("snapshot_date")
    if not isinstance(date, str) or not _DATE.fullmatch(date):
        raise MappingError(name, f"must be a date YYYY-MM-DD, got {date!r}", "snapshot_date")
    models = {}
    for i, row in enumerate(data["models"]):
        model = _catalog_model(row, name, i)
        models[model.id] = model
    return Catalog(date, models, str(data.get("source") or ""))


@functools.lru_cache(maxsize=8)
def _load_catalog_cached(path: str | None) -> Catalog:
    if path is None:
        shipped = _shipped_dir()
        candidates = sorted(
            (p for p in shipped.iterdir() if re.fullmatch(r"catalog-.*\.json", p.name)),
            key=lambda p: p.name,
        )
        if not candidates:
            raise MappingError(str(shipped), f"no {CATALOG_GLOB} file shipped")
        resource = candidates[-1]  # newest snapshot (dates sort as text)
    else:
        resource = Path(path)
    name = str(resource)
    return _parse_catalog(_read(resource, name), name)


def load_catalog(path: _PathLike | None = None) -> Catalog:
    """The shipped catalog snapshot (newest ``catalog-<date>.json``), or ``path``. Cached."""
    return _load_catalog_cached(None if path is None else str(path))
