"""The model-ID table, its generator, the bundled catalog and their loader."""

from __future__ import annotations

import importlib.util
import json
import pickle
import re
import textwrap
from pathlib import Path

import pytest

from codemods.core import mapping
from codemods.core.mapping import (
    Catalog,
    Lookup,
    LookupKind,
    MappingError,
    ModelTable,
    load_catalog,
    load_model_table,
)

ROOT = Path(__file__).resolve().parent.parent
MAPPINGS = ROOT / "mappings"
SNAPSHOT = MAPPINGS / "catalog-2026-05-22.json"
RAW_CATALOG = Path("/work/shared/data/openrouter-models-2026-05-22.json")

# The reference doc's "Model ID Mapping" table, row by row, minus o1-mini: its
# target is not in the catalog snapshot (issue 11 item 8, see below).
REFERENCE_ROWS = {
    "gpt-4o": "openai/gpt-4o",
    "gpt-4o-mini": "openai/gpt-4o-mini",
    "gpt-4-turbo": "openai/gpt-4-turbo",
    "o1": "openai/o1",
}
NO_EQUIVALENT_IDS = [
    "o1-mini",
    "o1-preview",
    "gpt-4-32k",
    "gpt-4-0613",
    "gpt-4.5-preview",
    "dall-e-2",
    "dall-e-3",
    "tts-1",
    "tts-1-hd",
    "whisper-1",
    "text-davinci-003",
    "davinci-002",
    "babbage-002",
    "text-moderation-latest",
    "text-moderation-stable",
    "omni-moderation-latest",
    "text-embedding-ada-002",
]


def _generate_module():
    spec = importlib.util.spec_from_file_location("_mappings_generate", MAPPINGS / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def table() -> ModelTable:
    return load_model_table()


@pytest.fixture(scope="module")
def snapshot_rows() -> list[dict]:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))["models"]


def _write(tmp_path: Path, text: str, name: str = "mine.yaml") -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


# ------------------------------------------------------------------ shipped table


@pytest.mark.parametrize("bare,target", sorted(REFERENCE_ROWS.items()))
def test_reference_table_rows(table: ModelTable, bare: str, target: str) -> None:
    assert table.models[bare] == target
    assert table.lookup(bare) == Lookup(LookupKind.MAPPED, target=target)


def test_every_catalog_openai_id_maps(table: ModelTable, snapshot_rows: list[dict]) -> None:
    openai_ids = [r["id"] for r in snapshot_rows if r["id"].startswith("openai/")]
    assert len(openai_ids) == 65  # data README: 65 openai/* models in this snapshot
    checked = 0
    for oid in openai_ids:
        bare = oid[len("openai/") :]
        if ":" in bare:
            continue
        assert table.lookup(bare) == Lookup(LookupKind.MAPPED, target=oid), bare
        checked += 1
    assert checked == 63


def test_canonical_slug_forms(table: ModelTable, snapshot_rows: list[dict]) -> None:
    assert table.models["gpt-4.1-2025-04-14"] == "openai/gpt-4.1"
    assert table.models["o1-2024-12-17"] == "openai/o1"
    for r in snapshot_rows:
        if r["id"].startswith("openai/") and ":" not in r["id"] and r["canonical_slug"] != r["id"]:
            assert table.models[r["canonical_slug"][len("openai/") :]] == r["id"]


def test_no_invented_date_formats(table: ModelTable) -> None:
    # the slug says gpt-5.1-20251113; OpenAI's own spelling is not made up
    assert "gpt-5.1-20251113" in table.models
    assert "gpt-5.1-2025-11-13" not in table.models


def test_variants_are_not_keys(table: ModelTable) -> None:
    assert not any(":" in k for k in table.models)
    assert "gpt-oss-20b:free" not in table.mentions()
    assert table.models["gpt-oss-20b"] == "openai/gpt-oss-20b"


def test_all_shipped_targets_exist_in_catalog_except_embeddings(table: ModelTable) -> None:
    catalog = load_catalog()
    missing = {k for k, v in table.models.items() if catalog.get(v) is None}
    # embeddings: served on /embeddings, which the chat-model catalog does not list
    assert missing == {"text-embedding-3-small", "text-embedding-3-large"}


def test_reference_row_missing_from_catalog_is_not_mapped_and_names_its_successor(
    table: ModelTable,
) -> None:
    """issue 11 item 8: o1-mini is in the reference table as openai/o1-mini, which
    the catalog does not list: never rewritten there; reported with a successor."""
    assert "o1-mini" not in table.models
    found = table.lookup("o1-mini")
    assert found.kind is LookupKind.NO_EQUIVALENT and found.target is None
    assert found.reason and "openai/o1-mini" in found.reason and "catalog" in found.reason
    assert found.successor == "openai/o4-mini"


def test_shipped_successors_are_served_and_belong_to_ids_without_equivalent(
    table: ModelTable,
) -> None:
    catalog = load_catalog()
    assert table.successors  # mappings/successors.yaml is read
    for bare, target in table.successors.items():
        assert bare in table.no_equivalent, bare  # a mapped ID needs no successor
        assert catalog.get(target) is not None, target
    assert table.lookup("o1-preview").successor == "openai/o3"
    assert table.lookup("tts-1").successor is None


def test_user_successors_merge_and_are_checked(tmp_path: Path, table: ModelTable) -> None:
    p = _write(tmp_path, "successors:\n  tts-1: acme/voice-2\n  o1-mini: openai/o3-mini\n")
    t = load_model_table([p])
    assert t.lookup("tts-1").successor == "acme/voice-2"
    assert t.lookup("o1-mini").successor == "openai/o3-mini"
    assert t.fingerprint != table.fingerprint
    assert pickle.loads(pickle.dumps(t)).successors == t.successors
    bad = _write(tmp_path, "successors:\n  tts-1: voice\n", "bad.yaml")
    with pytest.raises(MappingError, match=r"bad\.yaml:2: successors\['tts-1'\]: value 'voice'"):
        load_model_table([bad])
    for text in ("successors: [a]\n", "successors:\n  openai/x: openai/y\n"):
        with pytest.raises(MappingError, match="successors"):
            load_model_table([_write(tmp_path, text, "worse.yaml")])


@pytest.mark.parametrize("bare", NO_EQUIVALENT_IDS)
def test_no_equivalent_ids(table: ModelTable, bare: str) -> None:
    result = table.lookup(bare)
    assert result.kind is LookupKind.NO_EQUIVALENT
    assert result.target is None and result.reason
    assert load_catalog().get(f"openai/{bare}") is None  # checked against the catalog


def test_embeddings_3_mapped(table: ModelTable) -> None:
    # OpenRouter serves them on /embeddings (its docs); the /models catalog
    # lists chat models only, so they come from the generator's own table.
    for bare in ("text-embedding-3-small", "text-embedding-3-large"):
        assert table.lookup(bare).target == f"openai/{bare}"
    assert table.lookup("text-embedding-ada-002").kind is LookupKind.NO_EQUIVALENT


def test_shipped_table_metadata(table: ModelTable) -> None:
    assert table.catalog_date == "2026-05-22" == load_catalog().snapshot_date
    assert table.sources == (str(MAPPINGS / "models.yaml"),)
    assert re.fullmatch(r"[0-9a-f]{64}", table.fingerprint)
    assert table.mentions() == frozenset(table.models) | frozenset(table.no_equivalent)
    assert list(table.models) == sorted(table.models)


def test_models_yaml_keys_sorted_one_per_line() -> None:
    text = (MAPPINGS / "models.yaml").read_text(encoding="utf-8")
    assert 'catalog_date: "2026-05-22"' in text and "2026-05-22" in text.split("\n\n")[0]
    for section in text.split("\n\n")[2:]:
        keys = [ln.split(":")[0].strip() for ln in section.splitlines()[1:]]
        assert keys == sorted(keys) and keys


# ------------------------------------------------------------------ generator


def test_models_yaml_is_what_generate_produces() -> None:
    gen = _generate_module()
    rows = gen.trimmed_models(gen.load_catalog_json(SNAPSHOT))
    assert gen.render_models_yaml(rows, "2026-05-22") == (MAPPINGS / "models.yaml").read_text(
        encoding="utf-8"
    )


def test_catalog_snapshot_regenerates_itself() -> None:
    gen = _generate_module()
    catalog = gen.load_catalog_json(SNAPSHOT)
    text = gen.render_catalog_json(gen.trimmed_models(catalog), "2026-05-22", catalog["source"])
    assert text == SNAPSHOT.read_text(encoding="utf-8")


@pytest.mark.skipif(not RAW_CATALOG.exists(), reason="raw /models response not available")
def test_generate_from_raw_catalog_matches_committed_files(tmp_path: Path) -> None:
    gen = _generate_module()
    source = json.loads(SNAPSHOT.read_text(encoding="utf-8"))["source"]
    assert gen.main([str(RAW_CATALOG), "--out-dir", str(tmp_path), "--source", source]) == 0
    assert (tmp_path / "models.yaml").read_bytes() == (MAPPINGS / "models.yaml").read_bytes()
    assert (tmp_path / SNAPSHOT.name).read_bytes() == SNAPSHOT.read_bytes()


def test_generate_moves_no_equivalent_when_catalog_gains_model() -> None:
    gen = _generate_module()
    rows = [
        {"id": "openai/gpt-4-32k", "canonical_slug": "openai/gpt-4-32k"},
        {"id": "openai/gpt-x", "canonical_slug": "openai/gpt-x-2030-01-01"},
        {"id": "openai/gpt-x:free", "canonical_slug": "openai/gpt-x-free-2030"},
        {"id": "acme/gpt-y", "canonical_slug": "acme/gpt-y"},
    ]
    models, no_eq, missing = gen.build_tables(rows)
    assert models["gpt-4-32k"] == "openai/gpt-4-32k" and "gpt-4-32k" not in no_eq
    assert models["gpt-x-2030-01-01"] == "openai/gpt-x"
    assert "gpt-x-free-2030" not in models and "gpt-x:free" not in models
    assert "gpt-y" not in models
    # reference rows whose targets this catalog lacks are not mapped (issue 11 item 8)
    for bare in ("gpt-4o", "gpt-4o-mini", "gpt-4-turbo", "o1", "o1-mini"):
        assert bare not in models and f"openai/{bare}" in no_eq[bare]
    assert missing == {"text-embedding-3-small", "text-embedding-3-large"}


def test_generate_output_loads_cleanly(tmp_path: Path) -> None:
    gen = _generate_module()
    assert gen.main([str(SNAPSHOT), "--out-dir", str(tmp_path), "--date", "2030-01-02"]) == 0
    t = load_model_table([tmp_path / "models.yaml"])
    assert t.catalog_date == "2030-01-02"
    assert load_catalog(tmp_path / "catalog-2030-01-02.json").snapshot_date == "2030-01-02"


# ------------------------------------------------------------------ lookups


@pytest.mark.parametrize(
    "model_id",
    [
        "openai/gpt-4o",
        "anthropic/claude-3.5-sonnet",
        "~openai/gpt-latest",
        "openai/gpt-oss-20b:free",
        "openai/gpt-4o:nitro",
        "openrouter/auto",
        "openrouter/free",
    ],
)
def test_lookup_already_openrouter(table: ModelTable, model_id: str) -> None:
    assert table.lookup(model_id) == Lookup(LookupKind.ALREADY_OPENROUTER, target=model_id)


@pytest.mark.parametrize(
    "model_id,target",
    [
        ("openrouter/openai/gpt-4o", "openai/gpt-4o"),
        ("openrouter/anthropic/claude-3.5-sonnet", "anthropic/claude-3.5-sonnet"),
        ("openrouter/gpt-4o", "openai/gpt-4o"),
        ("openrouter/gpt-4.1-2025-04-14", "openai/gpt-4.1"),
        ("openrouter/openai/gpt 4o", None),
        ("openrouter/dall-e-3", None),
        ("openrouter/ft:gpt-4o:acme::x1", None),
    ],
)
def test_lookup_bad_prefix(table: ModelTable, model_id: str, target: str | None) -> None:
    result = table.lookup(model_id)
    assert result.kind is LookupKind.BAD_PREFIX
    assert result.target == target
    assert "openrouter/" in (result.reason or "") and "rejected" in (result.reason or "")


def test_lookup_fine_tune_unknown_empty(table: ModelTable) -> None:
    ft = table.lookup("ft:gpt-4o-mini-2024-07-18:acme:custom:abc123")
    assert ft.kind is LookupKind.FINE_TUNE and ft.target is None and "fine-tune" in ft.reason
    unknown = table.lookup("gpt-7-ultra")
    assert unknown.kind is LookupKind.UNKNOWN and "2026-05-22" in unknown.reason
    assert table.lookup("").kind is LookupKind.UNKNOWN
    assert table.lookup("GPT-4O").kind is LookupKind.UNKNOWN  # IDs are taken literally
    assert table.lookup(" gpt-4o").kind is LookupKind.UNKNOWN
    assert table.lookup("o1-preview").reason == "retired preview model, not on OpenRouter"


def test_lookup_kind_values() -> None:
    assert [k.value for k in LookupKind] == [
        "mapped",
        "already",
        "unknown",
        "no-equivalent",
        "fine-tune",
        "bad-prefix",
    ]
    assert LookupKind("no-equivalent") == "no-equivalent"


# ------------------------------------------------------------------ user overrides


def test_user_override_merge(tmp_path: Path, table: ModelTable) -> None:
    first = _write(
        tmp_path,
        """\
        models:
          gpt-4o: anthropic/claude-3.5-sonnet   # a user may leave OpenAI entirely
          dall-e-3: openai/gpt-5-image           # no_equivalent -> models
          my-alias: openai/gpt-4.1
          "ft:gpt-4o-mini:acme::x1": openai/gpt-4o-mini
        no_equivalent:
          gpt-3.5-turbo: we retired it           # models -> no_equivalent
        """,
        "first.yaml",
    )
    second = _write(tmp_path, "models:\n  my-alias: openai/gpt-5\n", "second.yaml")
    t = load_model_table([first, str(second)])
    assert t.lookup("gpt-4o") == Lookup(LookupKind.MAPPED, target="anthropic/claude-3.5-sonnet")
    assert t.lookup("dall-e-3") == Lookup(LookupKind.MAPPED, target="openai/gpt-5-image")
    assert "dall-e-3" not in t.no_equivalent
    assert t.lookup("gpt-3.5-turbo") == Lookup(LookupKind.NO_EQUIVALENT, reason="we retired it")
    assert "gpt-3.5-turbo" not in t.models
    assert t.lookup("my-alias").target == "openai/gpt-5"  # later file wins
    assert t.lookup("ft:gpt-4o-mini:acme::x1").kind is LookupKind.MAPPED  # exact entry wins
    assert t.lookup("gpt-4o-mini").target == "openai/gpt-4o-mini"  # untouched entries stay
    assert t.sources == (table.sources[0], str(first), str(second))
    assert t.catalog_date == "2026-05-22"
    assert t.fingerprint != table.fingerprint
    assert "my-alias" in t.mentions() and "gpt-3.5-turbo" in t.mentions()
    # the shipped table is not mutated by merging
    assert load_model_table().fingerprint == table.fingerprint


def test_fingerprint_is_content_not_file_name(tmp_path: Path, table: ModelTable) -> None:
    a = _write(tmp_path, "models:\n  gpt-4o: openai/gpt-4o\n", "a.yaml")  # no-op override
    b = _write(tmp_path, "models:\n  # nothing yet\n", "b.yaml")  # (an empty file is an error)
    assert load_model_table([a]).fingerprint == table.fingerprint
    assert load_model_table([b]).fingerprint == table.fingerprint
    c = _write(tmp_path, "models:\n  gpt-4o: openai/gpt-4o-2024-11-20\n", "c.yaml")
    assert load_model_table([c]).fingerprint != table.fingerprint


def test_empty_sections_and_date_override(tmp_path: Path) -> None:
    p = _write(tmp_path, "catalog_date: 2030-01-02\nmodels:\nno_equivalent:\n")
    t = load_model_table([p])
    assert t.catalog_date == "2030-01-02"  # unquoted YAML date accepted


def test_table_is_read_only_and_picklable(table: ModelTable) -> None:
    with pytest.raises(TypeError):
        table.models["gpt-4o"] = "x/y"  # type: ignore[index]
    with pytest.raises(AttributeError):
        table.catalog_date = "2000-01-01"  # type: ignore[misc]
    clone = pickle.loads(pickle.dumps(table))
    assert clone.fingerprint == table.fingerprint
    assert clone.lookup("gpt-4o") == table.lookup("gpt-4o")
    assert clone.sources == table.sources


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize(
    "text,line,entry,message",
    [
        ("models:\n  gpt-4o: 4\n", 2, "models['gpt-4o']", "value must be a string, got int"),
        ("models:\n  gpt-4o:\n", 2, "models['gpt-4o']", "value must be a string, got null"),
        ("models:\n  7: openai/gpt-4o\n", 2, "models[7]", "key must be a string, got int"),
        ("models:\n  '': openai/gpt-4o\n", 2, "models['']", "key is empty"),
        ("models:\n  gpt-4o: ''\n", 2, "models['gpt-4o']", "value is empty"),
        ("models:\n  gpt-4o: gpt-4o\n", 2, "models['gpt-4o']", "is not an OpenRouter model ID"),
        ("models:\n  gpt-4o: openai/gpt 4o\n", 2, "models['gpt-4o']", "is not an OpenRouter"),
        ("models:\n  gpt-4o: openai/\n", 2, "models['gpt-4o']", "is not an OpenRouter"),
        ("models:\n  gpt-4o: /gpt-4o\n", 2, "models['gpt-4o']", "is not an OpenRouter"),
        ("models:\n  gpt-4o: openrouter/openai/gpt-4o\n", 2, "models['gpt-4o']", "LiteLLM"),
        ("models:\n  'gpt 4o': openai/gpt-4o\n", 2, "models['gpt 4o']", "whitespace"),
        ("models:\n  openai/gpt-4o: openai/gpt-4o\n", 2, "models['openai/gpt-4o']", "bare"),
        ("models:\n  - gpt-4o\n", 1, "models", "must be a mapping"),
        ("models: openai/gpt-4o\n", 1, "models", "must be a mapping"),
        ("no_equivalent:\n  tts-1: 3\n", 2, "no_equivalent['tts-1']", "must be a string"),
        ("no_equivalent:\n  tts-1: ' '\n", 2, "no_equivalent['tts-1']", "value is empty"),
        ("no_equivalent: [tts-1]\n", 1, "no_equivalent", "must be a mapping"),
        ("modles:\n  gpt-4o: openai/gpt-4o\n", 1, "top level", "unknown key 'modles'"),
        ("- gpt-4o\n", 1, "top level", "top level must be a mapping, got list"),
        ("just text\n", 1, "top level", "must be a mapping, got str"),
        ("catalog_date: May 2026\n", 1, "catalog_date", "YYYY-MM-DD"),
        (
            "models:\n  gpt-4o: openai/gpt-4o\nno_equivalent:\n  gpt-4o: gone\n",
            4,
            "no_equivalent['gpt-4o']",
            "also listed under models",
        ),
    ],
)
def test_validation_errors(tmp_path: Path, text: str, line: int, entry: str, message: str) -> None:
    p = _write(tmp_path, text)
    with pytest.raises(MappingError) as info:
        load_model_table([p])
    err = info.value
    assert err.path == str(p)
    assert err.entry == entry and err.line == line
    assert str(err).startswith(f"{p}:{line}: {entry}: ")
    assert message in str(err)


def test_error_message_format() -> None:
    err = MappingError("mappings.yaml", "value must be a string, got int", "models['gpt-4o']")
    assert str(err) == "mappings.yaml: models['gpt-4o']: value must be a string, got int"
    assert err.path == "mappings.yaml"
    assert isinstance(err, Exception)


def test_duplicate_keys(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        """\
        models:
          gpt-4o: openai/gpt-4o
          o1: openai/o1
          gpt-4o: anthropic/claude-3.5-sonnet
        """,
    )
    with pytest.raises(MappingError) as info:
        load_model_table([p])
    msg = str(info.value)
    assert msg.startswith(f"{p}:4: models: duplicate key 'gpt-4o' (first at line 2)")


def test_duplicate_keys_top_level_and_flow(tmp_path: Path) -> None:
    p = _write(tmp_path, "models: {}\nmodels:\n  o1: openai/o1\n")
    with pytest.raises(MappingError, match=r":2: top level: duplicate key 'models'"):
        load_model_table([p])
    q = _write(tmp_path, "no_equivalent: {tts-1: a, tts-1: b}\n", "q.yaml")
    with pytest.raises(MappingError, match=r"q\.yaml:1: no_equivalent: duplicate key 'tts-1'"):
        load_model_table([q])


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    p = _write(tmp_path, "models:\n  gpt-4o: openai/gpt-4o\n  o1: [unclosed\n")
    with pytest.raises(MappingError) as info:
        load_model_table([p])
    assert info.value.path == str(p)
    assert info.value.line is not None and info.value.line >= 3
    assert "not valid YAML" in str(info.value)
    q = _write(tmp_path, "models:\n\tgpt-4o: openai/gpt-4o\n", "tab.yaml")
    with pytest.raises(MappingError, match=r"tab\.yaml:2: not valid YAML"):
        load_model_table([q])


def test_yaml_tags_refused_and_not_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    p = _write(
        tmp_path,
        f"""\
        models:
          gpt-4o: !!python/object/apply:os.system ["touch {marker}"]
        """,
    )
    with pytest.raises(MappingError) as info:
        load_model_table([p])
    assert not marker.exists()
    msg = str(info.value)
    assert msg.startswith(f"{p}:2: models['gpt-4o']: YAML tag not allowed")
    assert "python/object/apply" in msg


def test_multiple_documents_refused(tmp_path: Path) -> None:
    p = _write(tmp_path, "models: {}\n---\nmodels: {}\n")
    with pytest.raises(MappingError, match="not valid YAML"):
        load_model_table([p])


def test_missing_unreadable_and_binary_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(MappingError) as info:
        load_model_table([missing])
    assert str(info.value) == f"{missing}: file not found"
    with pytest.raises(MappingError, match="is a directory"):
        load_model_table([tmp_path])
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"models:\n  gpt-4o: \xff\xfe\n")
    with pytest.raises(MappingError, match=r"bin\.yaml: cannot read file: not UTF-8"):
        load_model_table([binary])


def test_shipped_file_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mapping, "_shipped_dir", lambda: tmp_path)
    mapping._shipped_layer.cache_clear()
    try:
        with pytest.raises(MappingError, match="models.yaml: file not found"):
            load_model_table()
        (tmp_path / "models.yaml").write_text("models:\n  gpt-4o: openai/gpt-4o\n")
        with pytest.raises(MappingError, match="catalog_date: missing"):
            load_model_table()
        (tmp_path / "models.yaml").write_text('catalog_date: "2031-01-01"\nmodels: {o1: x/y}\n')
        t = load_model_table()
        assert t.catalog_date == "2031-01-01" and t.lookup("o1").target == "x/y"
        assert t.sources == (str(tmp_path / "models.yaml"),)
    finally:
        mapping._shipped_layer.cache_clear()


def test_loader_falls_back_to_source_checkout() -> None:
    # running from a checkout: codemods.mappings is not importable, mappings/ is beside
    found = Path(str(mapping._shipped_dir()))
    assert (found / "models.yaml").is_file()
    assert found.resolve() == MAPPINGS.resolve()


# ------------------------------------------------------------------ catalog


def test_catalog_loads(snapshot_rows: list[dict]) -> None:
    cat = load_catalog()
    assert isinstance(cat, Catalog)
    assert cat.snapshot_date == "2026-05-22"
    assert len(cat.models) == len(snapshot_rows) == 356
    assert list(cat.models) == sorted(cat.models)
    assert load_catalog() is cat  # cached
    m = cat.get("openai/gpt-4.1")
    assert m is not None
    assert m.canonical_slug == "openai/gpt-4.1-2025-04-14"
    assert "text" in m.input_modalities and m.output_modalities == ("text",)
    assert isinstance(m.supported_parameters, frozenset)
    assert m.context_length and m.context_length > 100_000


def test_catalog_supports() -> None:
    cat = load_catalog()
    assert cat.supports("openai/gpt-4o", "logprobs") is True
    assert cat.supports("openai/o1", "temperature") is False
    assert cat.supports("openai/o1-mini", "temperature") is None  # not in the snapshot
    assert cat.get("nobody/nothing") is None
    # an unlisted routing variant falls back to its base model; a listed one is exact
    assert cat.get("openai/gpt-4o:nitro") is cat.get("openai/gpt-4o")
    free = cat.get("openai/gpt-oss-20b:free")
    assert free is not None and free.id == "openai/gpt-oss-20b:free"
    assert cat.get("~openai/gpt-latest") is not None
    assert cat.get("openai/o3").expiration_date is None  # type: ignore[union-attr]
    assert any(m.expiration_date for m in cat.models.values())


def test_catalog_pickles() -> None:
    cat = load_catalog()
    clone = pickle.loads(pickle.dumps(cat))
    assert clone.snapshot_date == cat.snapshot_date and clone.models == cat.models


def test_catalog_file_header_and_layout() -> None:
    lines = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[0] + '"models":[]}')
    assert head["snapshot_date"] == "2026-05-22" and "openrouter.ai/api/v1/models" in head["source"]
    assert len(lines) == 356 + 3  # header, "models":[, one line per model, ]}


@pytest.mark.parametrize(
    "text,message",
    [
        ("{not json", "not valid JSON"),
        ('{"snapshot_date": "2026-05-22"}', "top level: expected an object with a 'models' list"),
        ('{"snapshot_date": "May", "models": []}', "snapshot_date: must be a date"),
        ('{"snapshot_date": "2026-05-22", "models": [{"name": "x"}]}', "models[0]: model has no"),
    ],
)
def test_catalog_errors(tmp_path: Path, text: str, message: str) -> None:
    p = tmp_path / "cat.json"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as info:
        load_catalog(p)
    assert info.value.path == str(p) and message in str(info.value)


@pytest.mark.skipif(mapping._FastStrictLoader is None, reason="PyYAML without libyaml")
@pytest.mark.parametrize("name", ["models.yaml", "unsupported.yaml"])
def test_libyaml_loader_reads_the_shipped_tables_as_the_pure_one(name: str, monkeypatch) -> None:
    text = (Path(__file__).parent.parent / "mappings" / name).read_text(encoding="utf-8")
    fast = mapping._load_yaml(text, name)
    monkeypatch.setattr(mapping, "_FastStrictLoader", None)
    assert fast == mapping._load_yaml(text, name)


def test_yaml_errors_keep_the_pure_loaders_wording() -> None:
    with pytest.raises(mapping.MappingError) as fast:
        mapping._load_yaml("a: 1\nb: [\n", "m.yaml")
    with pytest.raises(mapping.MappingError) as dup:
        mapping._load_yaml("a: 1\na: 2\n", "m.yaml")
    assert "not valid YAML" in str(fast.value)
    assert "duplicate key 'a' (first at line 1)" in str(dup.value)
