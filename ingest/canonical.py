"""Canonical records from extracted fields: the normalisation every format shares.

Readers (binary MARC, MARCXML, CSV, JSON Lines) extract fields under canonical names;
:func:`build` derives the rest (broader subject headings, named LC classes, year
ranges, language names, the ASCII folding) and finishes the record with its content
hash, so each rule is written once for all formats.
"""

from __future__ import annotations

from ingest import normalize as n
from ingest.schema import finish


def build(fields: dict) -> dict:
    """Extracted fields (canonical names) -> a finished canonical record."""
    record = dict(fields)
    record["folded"] = " | ".join(
        n.fold(t) for t in [record.get("title"), *record.get("authors", []),
                            *record.get("subjects", [])] if t)
    return finish(record)
