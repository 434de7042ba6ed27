"""The canonical record: one Arrow schema, the single source of truth.

The Spark schema (:func:`spark_schema`), the Elasticsearch mapping
(``index.mapping``) and the API's record JSON are all derived from :data:`RECORD`.
Each field carries, in its metadata, how it is searched:

``search``
    ``text``      analysed full text (title, summary)
    ``heading``   analysed text plus an exact keyword (authors, subjects: facetable)
    ``keyword``   exact value (ids, codes, ISBNs)
    ``original``  original-script text (MARC 880), analysed for Hangul, Hanja, Chinese...
    ``folded``    plain-ASCII folding of romanised text, analysed
    ``number``    numeric (year)
    ``stored``    kept in the record but not searched (the content hash)
"""

from __future__ import annotations

import hashlib
import json

import pyarrow as pa


def _f(name: str, type_: pa.DataType, search: str, doc: str, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable,
                    metadata={"search": search, "doc": doc})


_STR = pa.string()
_LIST = pa.list_(pa.string())

RECORD = pa.schema([
    _f("id", _STR, "keyword", "Source-qualified identifier, e.g. DLC:00272142 (003 + 001).",
       nullable=False),
    _f("source", _STR, "keyword", "Who made the record (MARC 003, or the CSV preset).",
       nullable=False),
    _f("title", _STR, "text", "Title proper with remainder (245 $a$b$n$p), ISBD "
       "punctuation trimmed."),
    _f("title_original", _STR, "original", "The title in its original script (880 linked "
       "to 245)."),
    _f("authors", _LIST, "heading", "Personal, corporate and meeting names (100/110/111/"
       "700/710/711)."),
    _f("authors_original", _LIST, "original", "Names in original script (880 linked to "
       "1XX/7XX)."),
    _f("subjects", _LIST, "heading", "Subject headings with subdivisions joined by ' -- ' "
       "(600/610/611/630/648/650/651/655)."),
    _f("subjects_original", _LIST, "original", "Subject headings in original script."),
    _f("subject_terms", _LIST, "heading", "Every subject heading and each broader heading "
       "made by dropping trailing subdivisions ('Korea (North) -- Politics and government' "
       "also yields 'Korea (North)'): what facets and the topic graph count."),
    _f("lcc", _STR, "keyword", "Library of Congress classification (050 $a$b)."),
    _f("lcc_class", _STR, "keyword", "The LC class letters of lcc ('HD'); None for LC's "
       "internal MLC numbers."),
    _f("lcc_outline", _LIST, "keyword", "The LC Classification outline ranges holding lcc, "
       "broadest first ('HD28-9999', 'HD28-70')."),
    _f("lcc_label", _STR, "text", "The caption of the narrowest outline range ('Management. "
       "Industrial management')."),
    _f("ddc", _STR, "keyword", "Dewey Decimal classification (082 $a)."),
    _f("kdc", _STR, "keyword", "Korean Decimal Classification (KORMARC 056 $a, primes and "
       "slashes dropped: '911.05')."),
    _f("kdc_division", _STR, "keyword", "The KDC division (강목) of kdc ('910'); captions in "
       "ingest/data/kdc.json."),
    _f("call_number", _STR, "keyword", "The holding library's own call number (090 $a $b "
       "$c): a KORMARC library's KDC call number ('911.05 이63ㅎ'), a MARC21 library's "
       "local LC-type one ('BF575.L7 T68 1962')."),
    _f("year", pa.int32(), "number", "Year of publication, or the first year of an "
       "uncertain range (008/07-10 '199u' -> 1990; else 260/264 $c)."),
    _f("year_end", pa.int32(), "number", "Last year of an uncertain range ('199u' -> 1999); "
       "equals year when the year is exact."),
    _f("language", _STR, "keyword", "Language code, ISO 639-2 (008/35-37)."),
    _f("language_name", _STR, "keyword", "English name of the language ('Korean')."),
    _f("publisher", _STR, "heading", "Publisher (260/264 $b)."),
    _f("publisher_original", _STR, "original", "Publisher in original script."),
    _f("place", _STR, "heading", "Place of publication (260/264 $a)."),
    _f("place_original", _STR, "original", "Place in original script."),
    _f("isbn", _LIST, "keyword", "ISBNs (020 $a), digits and X only."),
    _f("summary", _STR, "text", "Summary (520 $a)."),
    _f("folded", _STR, "folded", "Plain-ASCII folding of the romanised title, authors and "
       "subjects (Hanʼguk -> hanguk), so search does not depend on a server plugin."),
    _f("content_hash", _STR, "stored", "SHA-256 of the record's canonical content; "
       "re-ingest compares it.", nullable=False),
])

FIELDS: tuple[str, ...] = tuple(RECORD.names)
LIST_FIELDS = frozenset(f.name for f in RECORD if pa.types.is_list(f.type))
# Fields that describe the record rather than its content, left out of the hash.
_NOT_HASHED = {"content_hash"}
# The hashed fields in sorted order, so one reusable encoder gives the bytes that
# json.dumps(..., sort_keys=True) gives, without sorting each record's keys again.
_HASHED = tuple(sorted(k for k in FIELDS if k not in _NOT_HASHED))
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def search_kind(name: str) -> str:
    return RECORD.field(name).metadata[b"search"].decode()


def empty_record() -> dict:
    """A record with every field present: lists empty, scalars None."""
    return {name: ([] if name in LIST_FIELDS else None) for name in FIELDS}


# Fields added after catalogues were first written: hashed only when they hold a
# value, so that a record without one keeps the hash it had before they existed (an
# upgrade must not report every record of a catalogue as changed).
_HASHED_WHEN_SET = frozenset({"kdc", "kdc_division", "call_number"})


def content_hash(record: dict) -> str:
    """SHA-256 over the canonical content, stable across runs and key order."""
    data = _ENCODER.encode({k: record.get(k) for k in _HASHED
                            if k not in _HASHED_WHEN_SET or record.get(k)})
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def finish(record: dict) -> dict:
    """Complete a mapped record: fill missing fields, compute the content hash."""
    out = empty_record()
    out.update({k: v for k, v in record.items() if k in out})
    out["content_hash"] = content_hash(out)
    return out


def spark_schema():
    """The record schema as a Spark StructType (imports pyspark lazily)."""
    from pyspark.sql import types as T

    def convert(t: pa.DataType):
        if pa.types.is_string(t):
            return T.StringType()
        if pa.types.is_int32(t):
            return T.IntegerType()
        if pa.types.is_int64(t):
            return T.LongType()
        if pa.types.is_binary(t):
            return T.BinaryType()
        if pa.types.is_list(t):
            return T.ArrayType(convert(t.value_type), containsNull=False)
        raise TypeError(f"no Spark type for Arrow type {t}")

    return T.StructType([T.StructField(f.name, convert(f.type), f.nullable) for f in RECORD])
