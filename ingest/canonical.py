"""Canonical records from extracted fields: the normalisation every format shares.

Readers (binary MARC, MARCXML, CSV, JSON Lines) extract fields under canonical names,
with values as found in the source ("Jefferson, Thomas, 1743-1826."; "United States --
History -- Revolution, 1775-1783 -- Sources"; a year as 1999, "c1999." or MARC's
"199u"); :func:`build` cleans them and derives the rest (broader subject headings, LC
class and outline, the KDC division, year ranges, language names, the ASCII folding),
then finishes the record with its content hash. Each rule is written once for all formats, and every step
is idempotent: MARC values that ``ingest.marc`` has already trimmed do not change.
"""

from __future__ import annotations

from ingest import classification, kdc, languages, subjects
from ingest import normalize as n
from ingest.schema import LIST_FIELDS, finish

# Fields whose values are titles or names: trailing ISBD punctuation is trimmed.
_TRIMMED = ("title", "title_original")
_NAME_LISTS = ("authors", "authors_original")
_HEADING_LISTS = ("subjects", "subjects_original")
# Imprint values: ISBD and the cataloguer's brackets go, "[s.n.]" means nothing.
_IMPRINT = ("publisher", "publisher_original", "place", "place_original")
_BIDI_MARKS = n.BIDI_MARKS


def _text(value) -> str | None:
    if value is None:
        return None
    text = value if type(value) is str else str(value)
    # n.strip(n.nfc(text)) with their common cases written out: this runs for every value.
    if not text.isascii():
        text = n.nfc(text)
    text = text.strip()
    if text and (text[0] in _BIDI_MARKS or text[-1] in _BIDI_MARKS):
        text = n.strip(text)
    return text or None


def _texts(values) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [t for t in (_text(v) for v in values) if t]


def build(fields: dict) -> dict:
    """Extracted fields (canonical names) -> a finished canonical record.

    Missing fields are None or empty lists; fields the schema does not know are dropped
    by :func:`ingest.schema.finish`.
    """
    record = dict(fields)
    for name in LIST_FIELDS:
        record[name] = _texts(record.get(name))
    for name in ("id", "source", "lcc", "summary", "call_number"):
        record[name] = _text(record.get(name))

    for name in _TRIMMED:
        record[name] = n.trim_isbd(_text(record.get(name)))
    for name in _NAME_LISTS:
        record[name] = n.dedupe(n.trim_isbd(v) for v in record[name])
    for name in _HEADING_LISTS:
        record[name] = n.dedupe(subjects.clean(v) for v in record[name])
    for name in _IMPRINT:
        record[name] = n.trim_brackets(_text(record.get(name)))
    record["isbn"] = n.dedupe(n.clean_isbn(v) for v in record["isbn"])
    record["ddc"] = n.clean_ddc(_text(record.get("ddc")))
    record["kdc"] = kdc.clean(_text(record.get("kdc")))
    record["kdc_division"] = kdc.division(record["kdc"])

    record["subject_terms"] = subjects.terms(record["subjects"])
    record.update(classification.classify(record["lcc"]))
    _years(record)
    record["language"] = languages.code(_text(record.get("language")))
    record["language_name"] = languages.name(record["language"])
    record["folded"] = " | ".join(
        n.fold(t) for t in [record["title"], *record["authors"], *record["subjects"]] if t)
    return finish(record)


def _years(record: dict) -> None:
    """year (an int, or text: "1999", "c1999.", "199u") -> year and year_end."""
    year = record.get("year")
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    first, last = n.year_range(year if isinstance(year, int) else _text(year))
    given_end = record.get("year_end")
    if first is not None and isinstance(given_end, int) and given_end >= first:
        last = given_end            # a source that states its range keeps it
    record["year"], record["year_end"] = first, last
