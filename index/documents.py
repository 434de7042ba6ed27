"""Canonical record -> Elasticsearch document (pure).

A document is the canonical record (every field of :data:`ingest.schema.RECORD`)
plus a few fields derived from it for search. The derived fields and their mappings are
declared once, in :data:`DERIVED`; ``index.mapping`` adds them to the mapping and
:func:`to_document` fills them, and ``tests/test_mapping.py`` checks the two agree.
"""

from __future__ import annotations

from ingest.classification import lcc_class  # noqa: F401 - viz.pages.record imports it here
from ingest.schema import FIELDS, LIST_FIELDS

# Derived document fields: name -> Elasticsearch mapping. The single place they are listed.
# (The LC class, once derived here, is now the canonical field lcc_class.)
DERIVED: dict[str, dict] = {
    # Search-as-you-type over titles, subjects and names. `simple` lowercases and splits
    # on non-letters, and exists on a bare server.
    "suggest": {"type": "completion", "analyzer": "simple", "search_analyzer": "simple",
                "max_input_length": 60},
}

_SUGGEST_INPUTS = 12  # per document: the FST grows with every input


def suggest_inputs(record: dict) -> list[str]:
    """Completion inputs: titles, then subject headings (and their main heading), then names."""
    candidates: list[str | None] = [record.get("title"), record.get("title_original")]
    for subject in record.get("subjects") or []:
        candidates.append(subject.split(" -- ")[0])
    candidates.extend(record.get("subjects_original") or [])
    candidates.extend(record.get("authors") or [])
    candidates.extend(record.get("authors_original") or [])
    out: list[str] = []
    seen: set[str] = set()
    for value in candidates:
        value = (value or "").strip()
        if value and value.lower() not in seen:
            seen.add(value.lower())
            out.append(value)
    return out[:_SUGGEST_INPUTS]


def document_id(record: dict) -> str:
    """The Elasticsearch _id of a record: its canonical id."""
    return record["id"]


def to_document(record: dict) -> dict:
    """The document indexed for ``record``: its canonical fields plus :data:`DERIVED`."""
    doc = {name: record.get(name, [] if name in LIST_FIELDS else None) for name in FIELDS}
    inputs = suggest_inputs(record)
    doc["suggest"] = {"input": inputs} if inputs else None
    return doc
