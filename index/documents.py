"""Canonical record -> Elasticsearch document (pure).

A document is the canonical record (every field of :data:`ingest.schema.RECORD`)
plus a few fields derived from it for search. The derived fields and their mappings are
declared once, in :data:`DERIVED`; ``index.mapping`` adds them to the mapping and
:func:`to_document` fills them, and ``tests/test_mapping.py`` checks the two agree.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from index import korean
from ingest.callnumbers import record_shelf_key
from ingest.classification import lcc_class  # noqa: F401 - viz.pages.record imports it here
from ingest.normalize import fold  # the same folding as the `folded` field
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
# The call number as a shelf sorts it (ingest.callnumbers), for "next on the shelf"
# (index.shelf): a plain keyword, sorted and range-searched in byte order.
DERIVED["shelf_key"] = {"type": "keyword", "ignore_above": 1024}
# The Korean text of the record, analysed as Korean, and its romanisations (index.korean).
DERIVED.update({field: dict(korean.MAPPING) for field in korean.FIELDS})
DERIVED[korean.ROMANIZED_FIELD] = dict(korean.ROMANIZED_MAPPING)

# Values per kind and document (each may add its folded twin): the FST grows with
# every input.
_SUGGEST_VALUES = {"title": 2, "subject": 6, "author": 4}


def _main_headings(subjects) -> Iterator[str]:
    for heading in subjects or ():
        if heading:
            yield heading.split(" -- ", 1)[0]


def _suggest_sources(record: dict) -> dict[str, Iterable]:
    """Each kind's candidate values, in order of preference (titles romanised and in the
    original script, main subject headings before the first ' -- ', names)."""
    return {
        "title": (record.get("title"), record.get("title_original")),
        "subject": itertools.chain(_main_headings(record.get("subjects")),
                                   record.get("subjects_original") or ()),
        "author": itertools.chain(record.get("authors") or (),
                                  record.get("authors_original") or ()),
    }


def _inputs(values: Iterable, limit: int) -> list[str]:
    """The first ``limit`` values (stripped, without empties or case-insensitive
    repeats), each followed by its folded form when folding does more than lowercase
    (which the completion analyzer does anyway), and a Korean value by its letters and
    its initial consonants (:mod:`index.korean`)."""
    inputs: list[str] = []
    seen: set[str] = set()
    for value in values:
        if not value:
            continue
        value = value.strip()
        key = value.lower()
        if not value or key in seen:
            continue
        seen.add(key)
        if value not in inputs:
            inputs.append(value)
        folded = fold(value)
        if folded and folded != key and folded not in inputs:
            inputs.append(folded)
        if korean.has_syllables(value):
            # Korean search boxes suggest while a syllable is being typed (한ㄱ -> 한국...)
            # and from initial consonants (ㅎㄱㄱㅈ -> 한국 경제...).
            for form in (korean.letters(value), korean.initials(value)):
                if len(form) > 1 and form not in inputs:
                    inputs.append(form)
        if len(seen) == limit:
            break
    return inputs


def suggest_inputs(record: dict) -> dict[str, list[str]]:
    """Completion inputs by kind (see :func:`_suggest_sources` and :func:`_inputs`).

    Runs for every document of every build, on the executors: one pass per kind.
    """
    return {kind: _inputs(values, _SUGGEST_VALUES[kind])
            for kind, values in _suggest_sources(record).items()}


def document_id(record: dict) -> str:
    """The Elasticsearch _id of a record: its canonical id."""
    return record["id"]


def to_document(record: dict) -> dict:
    """The document indexed for ``record``: its canonical fields plus :data:`DERIVED`."""
    doc = {name: record.get(name, [] if name in LIST_FIELDS else None) for name in FIELDS}
    for kind, inputs in suggest_inputs(record).items():
        doc[SUGGEST_FIELDS[kind]] = {"input": inputs} if inputs else None
    doc["shelf_key"] = record_shelf_key(record)
    doc.update(korean.korean_fields(record))
    doc[korean.ROMANIZED_FIELD] = korean.romanized(record) if korean.is_korean(record) else None
    return doc
