"""Canonical record -> Elasticsearch document (pure).

A document is the canonical record (every field of :data:`ingest.schema.RECORD`)
plus a few fields derived from it for search. The derived fields and their mappings are
declared once, in :data:`DERIVED`; ``index.mapping`` adds them to the mapping and
:func:`to_document` fills them, and ``tests/test_mapping.py`` checks the two agree.
"""

from __future__ import annotations

import itertools

from ingest.classification import lcc_class  # noqa: F401 - viz.pages.record imports it here
from ingest.schema import FIELDS, LIST_FIELDS

# Derived document fields: name -> Elasticsearch mapping. The single place they are listed.
# (The LC class, once derived here, is now the canonical field lcc_class.)
#
# Search-as-you-type: one completion field per kind of suggestion, so a suggestion knows
# whether it is a title, a subject or a name (index.suggest). `standard` lowercases,
# keeps digits and Hangul words, splits on U+3000, and exists on a bare server. Each
# value is indexed as written and, when different, folded to plain ASCII (Hanʼguk ->
# hanguk), because the bare server has no asciifolding: "hangu" finds "Hanʼguk ...".
_COMPLETION = {"type": "completion", "analyzer": "standard", "search_analyzer": "standard",
               "max_input_length": 60}
SUGGEST_FIELDS: dict[str, str] = {"title": "suggest_title", "subject": "suggest_subject",
                                  "author": "suggest_author"}
DERIVED: dict[str, dict] = {field: dict(_COMPLETION) for field in SUGGEST_FIELDS.values()}

# Values per kind and document (each may add its folded twin): the FST grows with
# every input.
_SUGGEST_VALUES = {"title": 2, "subject": 6, "author": 4}


def _fold(text: str) -> str:
    from ingest.normalize import fold  # the same folding as the `folded` field

    return fold(text)


def _distinct(values, limit: int) -> list[str]:
    """The first ``limit`` values, stripped, without empties or case-insensitive repeats."""
    kept: list[str] = []
    seen: set[str] = set()
    for value in values:
        if value:
            value = value.strip()
            key = value.lower()
            if value and key not in seen:
                seen.add(key)
                kept.append(value)
                if len(kept) == limit:
                    break
    return kept


def suggest_values(record: dict) -> dict[str, list[str]]:
    """The values offered as suggestions, by kind, as they are shown: titles (romanised
    and original script), main subject headings (before the first ' -- '), names."""
    subjects = record.get("subjects") or ()
    return {
        "title": _distinct((record.get("title"), record.get("title_original")),
                           _SUGGEST_VALUES["title"]),
        "subject": _distinct(itertools.chain((s.split(" -- ", 1)[0] for s in subjects if s),
                                             record.get("subjects_original") or ()),
                             _SUGGEST_VALUES["subject"]),
        "author": _distinct(itertools.chain(record.get("authors") or (),
                                            record.get("authors_original") or ()),
                            _SUGGEST_VALUES["author"]),
    }


def suggest_inputs(record: dict) -> dict[str, list[str]]:
    """Completion inputs by kind: each value, then its folded form when folding does more
    than lowercase (which the completion analyzer does anyway).

    Runs for every document of every build, on the executors: kept cheap (values are
    already distinct ignoring case, so only a folded form can repeat one).
    """
    out: dict[str, list[str]] = {}
    for kind, values in suggest_values(record).items():
        inputs: list[str] = []
        for value in values:
            if value not in inputs:
                inputs.append(value)
            folded = _fold(value)
            if folded and folded != value.lower() and folded not in inputs:
                inputs.append(folded)
        out[kind] = inputs
    return out


def document_id(record: dict) -> str:
    """The Elasticsearch _id of a record: its canonical id."""
    return record["id"]


def to_document(record: dict) -> dict:
    """The document indexed for ``record``: its canonical fields plus :data:`DERIVED`."""
    doc = {name: record.get(name, [] if name in LIST_FIELDS else None) for name in FIELDS}
    for kind, inputs in suggest_inputs(record).items():
        doc[SUGGEST_FIELDS[kind]] = {"input": inputs} if inputs else None
    return doc
