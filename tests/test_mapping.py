"""The mapping derives from the schema, the derived fields and the facet registry."""

from __future__ import annotations

import json

import pytest

from index import documents, mapping
from index.facets import FACETS
from ingest.schema import FIELDS, RECORD, empty_record, search_kind

BODY = mapping.index_body()
PROPS = BODY["mappings"]["properties"]


def _resolve(path: str) -> dict | None:
    """The mapping of a dotted field path (``subjects.raw``), or None."""
    head, _, sub = path.partition(".")
    field = PROPS.get(head)
    if field is None or not sub:
        return field
    return field.get("fields", {}).get(sub)


def test_dynamic_mapping_is_strict():
    assert BODY["mappings"]["dynamic"] == "strict"


def test_every_schema_field_is_mapped():
    assert [name for name in FIELDS if name not in PROPS] == []


def test_every_derived_field_is_mapped_and_filled():
    assert set(documents.DERIVED) <= set(PROPS)
    doc = documents.to_document({**empty_record(), "id": "DLC:1", "title": "A title",
                                 "lcc": "HD53 .C483 1999"})
    # The document holds exactly the schema's fields plus the derived ones: anything
    # else would be refused by the strict mapping at index time.
    assert set(doc) == set(FIELDS) | set(documents.DERIVED)
    assert set(doc) == set(PROPS)


@pytest.mark.parametrize("facet", FACETS, ids=lambda f: f.name)
def test_every_facet_field_exists_and_aggregates(facet):
    field = _resolve(facet.field)
    assert field is not None, f"facet {facet.name} reads {facet.field}, which is not mapped"
    if facet.kind == "terms":
        assert field["type"] == "keyword"
    else:
        assert field["type"] in {"integer", "long", "short"}


@pytest.mark.parametrize("name", FIELDS)
def test_search_kind_decides_the_field_type(name):
    kind, field = search_kind(name), PROPS[name]
    expected = {"text": "text", "heading": "text", "keyword": "keyword", "original": "text",
                "folded": "text", "number": "integer", "stored": "keyword"}[kind]
    assert field["type"] == expected
    if kind == "heading":
        assert field["fields"]["raw"]["type"] == "keyword"
    if kind == "stored":
        assert field["index"] is False


def test_analyzers_and_normalizers_used_are_defined():
    analysis = BODY["settings"]["analysis"]
    text = json.dumps(PROPS)
    for name in ("shelfmap_text", "shelfmap_original", "shelfmap_folded"):
        assert f'"{name}"' in text and name in analysis["analyzer"]
    assert "folding" in analysis["normalizer"]


def test_only_bare_server_analysis():
    # The local node has no analysis-common, ICU or nori: none of their names may appear.
    text = json.dumps(BODY["settings"]["analysis"])
    for missing in ("asciifolding", "icu_", "nori", "cjk", "english", "search_as_you_type"):
        assert missing not in text


def test_shards_and_replicas():
    settings = mapping.index_body(shards=3, replicas=1)["settings"]
    assert (settings["number_of_shards"], settings["number_of_replicas"]) == (3, 1)


def test_unknown_search_kind_is_named(monkeypatch):
    monkeypatch.setattr(mapping, "search_kind", lambda name: "telepathy")
    with pytest.raises(mapping.UnknownSearchKind, match="telepathy"):
        mapping.field_mapping("title")


@pytest.mark.parametrize("lcc, expected", [
    ("HD53 .C483 1999", "HD"),
    ("PL991.25.C4 C45 1998", "PL"),
    ("KFN5225 .Z9 S55 2000", "KFN"),
    ("PZ7.A2 2001", "PZ"),
    ("Z 699 .A1", "Z"),
    ("DS917.27", "DS"),
    ("MLCS 2001/00123 (H)", None),   # LC's shelf number for minimal-level records
    ("MLCM 92/01234 (P)", None),
    ("CPB Box no. 1234 vol. 5", None),  # a box number, not a class
    ("", None),
    (None, None),
])
def test_lcc_class(lcc, expected):
    assert documents.lcc_class(lcc) == expected


def test_suggest_inputs_are_deduplicated_bounded_and_folded():
    record = {**empty_record(), "title": "Hanʼguk munhak", "title_original": "한국\u3000문학",
              "subjects": ["Korea -- History", "korea", "Korean literature -- History"],
              "authors": [f"Name {i}" for i in range(40)] + ["Chʻoe, Nam-sŏn"]}
    inputs = documents.suggest_inputs(record)
    assert set(inputs) == set(documents.SUGGEST_FIELDS)
    # Each value as written, then folded when folding does more than lowercase.
    # Korean values by their letters and initials as well (index.korean).
    assert inputs["title"] == ["Hanʼguk munhak", "hanguk munhak", "한국\u3000문학",
                               "ㅎㅏㄴㄱㅜㄱㅁㅜㄴㅎㅏㄱ", "ㅎㄱㅁㅎ"]
    # Main headings only, once each whatever the case.
    assert inputs["subject"] == ["Korea", "Korean literature"]
    assert len(inputs["author"]) <= 8


def test_suggest_fields_are_completion_fields_on_bare_analyzers():
    for kind, field in documents.SUGGEST_FIELDS.items():
        assert PROPS[field]["type"] == "completion"
        assert PROPS[field]["analyzer"] in {"standard", "simple"}
    doc = documents.to_document({**empty_record(), "id": "DLC:1", "title": "Korea"})
    assert doc["suggest_title"] == {"input": ["Korea"]}
    assert doc["suggest_subject"] is None and doc["suggest_author"] is None


def test_document_id_is_the_record_id():
    assert documents.document_id({"id": "DLC:00272142"}) == "DLC:00272142"


def test_schema_and_document_fields_do_not_clash():
    assert not set(RECORD.names) & set(documents.DERIVED)
