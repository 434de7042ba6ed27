"""Canonical record -> Elasticsearch document (pure).

A document is the canonical record (every field of :data:`ingest.schema.RECORD`)
plus a few fields derived from it for search. The derived fields and their mappings are
declared once, in :data:`DERIVED`; ``index.mapping`` adds them to the mapping and
:func:`to_document` fills them, and ``tests/test_mapping.py`` checks the two agree.
"""

from __future__ import annotations

import re

from ingest.schema import FIELDS, LIST_FIELDS

# Derived document fields: name -> Elasticsearch mapping. The single place they are listed.
DERIVED: dict[str, dict] = {
    # The alphabetic LC class ("HD53 .C483 1999" -> "HD"): the "class" facet.
    "lcc_class": {"type": "keyword"},
    # Search-as-you-type over titles, subjects and names. `simple` lowercases and splits
    # on non-letters, and exists on a bare server.
    "suggest": {"type": "completion", "analyzer": "simple", "search_analyzer": "simple",
                "max_input_length": 60},
}

# An LC class is one to three capital letters (I, O, W, X and Y are not used as the
# first letter) followed by the class number: "HD53", "KFN5225", "PL 991.25".
_LCC_CLASS = re.compile(r"\s*([A-HJ-NP-VZ][A-Z]{0,2})\s?\d")

_SUGGEST_INPUTS = 12  # per document: the FST grows with every input


def lcc_class(lcc: str | None) -> str | None:
    """The alphabetic class of an LC call number, or None when it is not one.

    >>> lcc_class("HD53 .C483 1999")
    'HD'
    >>> lcc_class("MLCS 2001/00123 (H)") is None   # LC's shelf number for minimal records
    True
    """
    if not lcc:
        return None
    # "MLC", "MLCS", "MLCM" are LC's internal shelving numbers for minimal-level
    # records (050 $a "MLCS 92/08321"), not classification: leave them out of the facet.
    if lcc.lstrip().startswith("MLC"):
        return None
    match = _LCC_CLASS.match(lcc)
    return match.group(1) if match else None


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
    doc["lcc_class"] = lcc_class(record.get("lcc"))
    inputs = suggest_inputs(record)
    doc["suggest"] = {"input": inputs} if inputs else None
    return doc
