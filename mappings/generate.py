"""Generate ``models.yaml`` (and the trimmed catalog) from an OpenRouter /models response.

Usage (from a source checkout)::

    curl -s https://openrouter.ai/api/v1/models > models.json
    python mappings/generate.py models.json --date 2026-06-30 --out-dir mappings

or, after ``pip install``: ``python -m codemods.mappings.generate ...``.

It writes ``models.yaml`` and ``catalog-<date>.json`` into ``--out-dir``
(default: the directory this script lives in). The output depends only on the
input catalog, the date and the constants below: running it twice gives the same
bytes, and ``tests/test_mapping.py`` checks that the committed files are exactly
what this script produces.

The input may be a raw ``GET /api/v1/models`` response (``{"data": [...]}``) or
a catalog this script trimmed earlier (``{"snapshot_date": ..., "models": [...]}``).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

# The "Model ID Mapping" table of the reference doc
# (openrouter-openai-compatibility), row by row. A row whose target the catalog
# snapshot does not list (o1-mini in 2026-05-22) is retired on OpenRouter: it goes
# to no_equivalent, never to models (rewriting to it gives requests that fail).
# Successors of retired IDs are data: mappings/successors.yaml.
REFERENCE_TABLE: dict[str, str] = {
    "gpt-4o": "openai/gpt-4o",
    "gpt-4o-mini": "openai/gpt-4o-mini",
    "gpt-4-turbo": "openai/gpt-4-turbo",
    "o1": "openai/o1",
    "o1-mini": "openai/o1-mini",
}

# Embedding models OpenRouter serves on /embeddings (OpenRouter's docs of the
# same period; the /models catalog lists chat models only).
EMBEDDINGS_TABLE: dict[str, str] = {
    "text-embedding-3-small": "openai/text-embedding-3-small",
    "text-embedding-3-large": "openai/text-embedding-3-large",
}

# OpenAI IDs known to have no OpenRouter equivalent. An entry is dropped (and
# mapped instead) as soon as a catalog passed to this script has ``openai/<id>``.
NO_EQUIVALENT: dict[str, str] = {
    "o1-preview": "retired preview model, not on OpenRouter",
    "gpt-4-32k": "32k-context GPT-4 is not on OpenRouter",
    "gpt-4-0613": "this dated GPT-4 snapshot is not on OpenRouter",
    "gpt-4.5-preview": "retired preview model, not on OpenRouter",
    "dall-e-2": "image model not on OpenRouter (OpenRouter images use /images, "
    "not /images/generations)",
    "dall-e-3": "image model not on OpenRouter (OpenRouter images use /images, "
    "not /images/generations)",
    "tts-1": "text-to-speech model, not on OpenRouter",
    "tts-1-hd": "text-to-speech model, not on OpenRouter",
    "whisper-1": "speech-to-text model, not on OpenRouter",
    "text-davinci-003": "legacy completions model, not on OpenRouter",
    "davinci-002": "legacy completions model, not on OpenRouter",
    "babbage-002": "legacy completions model, not on OpenRouter",
    "text-moderation-latest": "moderation model; OpenRouter has no /moderations endpoint",
    "text-moderation-stable": "moderation model; OpenRouter has no /moderations endpoint",
    "omni-moderation-latest": "moderation model; OpenRouter has no /moderations endpoint",
    "text-embedding-ada-002": "embedding model not on OpenRouter "
    "(its embeddings are not interchangeable with text-embedding-3-*)",
}

CATALOG_FIELDS = (
    "id",
    "canonical_slug",
    "name",
    "created",
    "context_length",
    "input_modalities",
    "output_modalities",
    "supported_parameters",
    "expiration_date",
)

DEFAULT_SOURCE = "OpenRouter GET https://openrouter.ai/api/v1/models"

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PLAIN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/~-]*")


class GenerateError(Exception):
    """The input catalog is not usable."""


def load_catalog_json(path: str | Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)  # type: ignore[no-any-return]
    except (OSError, ValueError) as exc:
        raise GenerateError(f"{path}: cannot read catalog: {exc}") from exc


def trimmed_models(catalog: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The catalog's models reduced to CATALOG_FIELDS, sorted by id.

    Accepts a raw /models response or an already trimmed catalog.
    """
    if isinstance(catalog.get("data"), list):
        raw = catalog["data"]
    elif isinstance(catalog.get("models"), list):
        raw = catalog["models"]
    else:
        raise GenerateError("catalog has neither a 'data' nor a 'models' list")
    out: dict[str, dict[str, Any]] = {}
    for i, m in enumerate(raw):
        if not isinstance(m, dict) or not isinstance(m.get("id"), str):
            raise GenerateError(f"catalog model #{i} has no string 'id'")
        arch = m.get("architecture") or {}
        row = {
            "id": m["id"],
            "canonical_slug": m.get("canonical_slug") or m["id"],
            "name": m.get("name") or "",
            "created": m.get("created"),
            "context_length": m.get("context_length"),
            "input_modalities": list(m.get("input_modalities", arch.get("input_modalities")) or []),
            "output_modalities": list(
                m.get("output_modalities", arch.get("output_modalities")) or []
            ),
            "supported_parameters": sorted(set(m.get("supported_parameters") or [])),
            "expiration_date": m.get("expiration_date"),
        }
        if row["id"] in out:
            raise GenerateError(f"catalog lists {row['id']!r} twice")
        out[row["id"]] = row
    return [out[k] for k in sorted(out)]


def build_tables(
    models: Iterable[Mapping[str, Any]],
) -> tuple[dict[str, str], dict[str, str], set[str]]:
    """(models, no_equivalent, keys_not_in_catalog) from trimmed catalog rows."""
    ids = {}
    slugs = {}
    for m in models:
        mid = m["id"]
        if not mid.startswith("openai/"):
            continue
        bare = mid[len("openai/") :]
        if ":" in bare:  # `:free`, `:extended`...: an OpenRouter-only variant
            continue
        ids[bare] = mid
        slug = m.get("canonical_slug") or mid
        if slug != mid and slug.startswith("openai/"):
            slugs.setdefault(slug[len("openai/") :], set()).add(mid)

    table: dict[str, str] = dict(REFERENCE_TABLE)
    table.update(EMBEDDINGS_TABLE)
    table.update(ids)  # the catalog says X -> openai/X, same as the reference rows
    for key in sorted(slugs):
        if key in table:  # an exact id (or reference row) beats a dated alias
            continue
        table[key] = sorted(slugs[key])[0]

    catalog_targets = {m["id"] for m in models}
    retired = {
        k: v for k, v in REFERENCE_TABLE.items() if table.get(k) == v and v not in catalog_targets
    }
    for key in retired:
        del table[key]
    no_eq = {k: v for k, v in NO_EQUIVALENT.items() if k not in table}
    for key, target in retired.items():
        no_eq.setdefault(
            key,
            f"retired: the reference table maps it to {target}, which the catalog does not list",
        )
    missing = {k for k, v in table.items() if v not in catalog_targets}
    return table, no_eq, missing


def _scalar(s: str) -> str:
    if _PLAIN_RE.fullmatch(s):
        if yaml.safe_load(f"k: {s}") == {"k": s}:
            return s
    return json.dumps(s)


def render_models_yaml(models: Sequence[Mapping[str, Any]], date: str) -> str:
    table, no_eq, missing = build_tables(models)
    lines = [
        "# OpenAI model ID -> OpenRouter model ID, used by openrouter-migrate to rewrite",
        '# `model="gpt-4o"` into `model="openai/gpt-4o"`.',
        "#",
        f"# GENERATED by mappings/generate.py from the OpenRouter model catalog snapshot of {date}",
        "# (GET https://openrouter.ai/api/v1/models) plus the reference doc's Model ID Mapping",
        "# table. Do not edit by hand: models appear and retire, so regenerate from a fresh",
        "# catalog instead:",
        "#     curl -s https://openrouter.ai/api/v1/models > models.json",
        "#     python mappings/generate.py models.json --date YYYY-MM-DD",
        "# To override or extend entries without regenerating, write a YAML file with the",
        "# same keys (models: / no_equivalent:) and give it to openrouter-migrate as an",
        "# extra mapping file: its entries win over this one, may point at any provider,",
        "# and may move an ID between models and no_equivalent.",
        "#",
        "# models: bare OpenAI ID -> OpenRouter ID. Holds every openai/* model of the",
        "# catalog (X -> openai/X; `:variant` IDs are OpenRouter-only and not keys), its",
        "# dated canonical_slug form when that differs, the reference table rows, and",
        "# the embedding models OpenRouter serves on /embeddings.",
        "# no_equivalent: OpenAI ID -> why there is no OpenRouter model to move to (a",
        "# reference table row whose target the catalog does not list lands here too).",
        "# The successor to suggest for such an ID is in successors.yaml (edited by hand).",
        "",
        f'catalog_date: "{date}"',
        "",
        "models:",
    ]
    for key in sorted(table):
        line = f"  {_scalar(key)}: {_scalar(table[key])}"
        if key in EMBEDDINGS_TABLE:
            line += "  # embeddings endpoint; the catalog lists chat models only"
        elif key in missing:
            line += f"  # reference table; not in the {date} catalog"
        lines.append(line)
    lines += ["", "no_equivalent:"]
    for key in sorted(no_eq):
        lines.append(f"  {_scalar(key)}: {json.dumps(no_eq[key])}")
    return "\n".join(lines) + "\n"


def render_catalog_json(models: Sequence[Mapping[str, Any]], date: str, source: str) -> str:
    head = json.dumps({"snapshot_date": date, "source": source}, ensure_ascii=False)
    rows = [
        json.dumps({f: m[f] for f in CATALOG_FIELDS}, ensure_ascii=False, separators=(",", ":"))
        for m in models
    ]
    return head[:-1] + ',\n"models":[\n' + ",\n".join(rows) + "\n]}\n"


def _guess_date(path: str | Path, catalog: Mapping[str, Any]) -> str | None:
    snap = catalog.get("snapshot_date")
    if isinstance(snap, str) and _DATE_RE.fullmatch(snap):
        return snap
    found = _DATE_RE.findall(Path(path).name)
    return found[-1] if found else None


def _write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("catalog", help="a saved GET /api/v1/models response (JSON)")
    ap.add_argument("--date", help="snapshot date YYYY-MM-DD (default: from the file name)")
    ap.add_argument(
        "--out-dir", default=str(Path(__file__).resolve().parent), help="where to write"
    )
    ap.add_argument("--source", help="provenance note stored in the catalog JSON")
    args = ap.parse_args(argv)

    try:
        catalog = load_catalog_json(args.catalog)
        models = trimmed_models(catalog)
    except GenerateError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    date = args.date or _guess_date(args.catalog, catalog)
    if not date or not _DATE_RE.fullmatch(date):
        sys.stderr.write("error: give the snapshot date with --date YYYY-MM-DD\n")
        return 2
    source = args.source or catalog.get("source") or DEFAULT_SOURCE

    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _write(out / "models.yaml", render_models_yaml(models, date))
    _write(out / f"catalog-{date}.json", render_catalog_json(models, date, source))
    sys.stderr.write(f"wrote {out / 'models.yaml'} and {out / f'catalog-{date}.json'}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
