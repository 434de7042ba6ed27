"""CSV and JSON Lines -> outcomes (canonical record or RecordError), with byte offsets.

Both readers extract fields under canonical names and hand them to
:func:`ingest.canonical.build`, the normalisation every format shares.

CSV columns are mapped by a *mapping* ``{header: field}`` or ``{header: {"field": f,
"split": "; ", "first": True, "prefix": "x:", "lines": " : ", "drop": regex}}``
(``split``: a list separator; ``first``: keep only the first item; ``prefix``: put
before the value; ``lines``: join a value's line breaks with this; ``drop``: a regular
expression removed from each item). Chosen by options
``{"csv_mapping": {...}}`` or ``{"csv_preset": "gutenberg"}``; without options a header
of canonical field names (``shelfmap export --format csv``) or exactly a preset's header
is recognised. ``csv_delimiter`` (default: sniffed from the header, "," or tab) and
``csv_source`` (the source of records without one) are further options.

Rows are found in the bytes, so every outcome carries the byte offset of its row:
a row ends at a line break outside quotes (an even number of quote characters so far;
0x22 never occurs inside a UTF-8 multibyte character). Reasons: ``truncated_row`` (the
file ends inside a row: inside quotes, or without the line break that ends every row a
CSV writer writes — the Gutenberg extract in tests/data is cut like this), ``bad_row``
(wrong number of columns), ``bad_encoding`` (not UTF-8), ``missing_id``,
``missing_title``, ``bad_value``.

JSON Lines: one object per line with canonical field names, as ``shelfmap export
--format jsonl`` writes; reasons ``bad_json``, ``unknown_field``, ``bad_value``,
``missing_id``, ``missing_title``. Splittable on line breaks.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator, Mapping
from typing import BinaryIO

import pyarrow as pa

from ingest import canonical, schema
from ingest.quarantine import InvalidRecord, RecordError, UnreadableRecord


class FormatOptionsError(ValueError):
    """The options cannot read this file (unknown preset, unmappable CSV header)."""


LIST_SEPARATOR = "; "   # what export.write_csv and Gutenberg's catalogue use
_INT_FIELDS = frozenset(f.name for f in schema.RECORD if pa.types.is_integer(f.type))
_DERIVED = {"content_hash"}   # recomputed by canonical.build, never read
_BOM = b"\xef\xbb\xbf"

PRESETS: dict[str, dict] = {
    # Project Gutenberg's pg_catalog.csv (https://www.gutenberg.org/cache/epub/feeds/).
    "gutenberg": {
        "source": "gutenberg",
        "columns": {
            "Text#": {"field": "id", "prefix": "gutenberg:"},
            # "The United States Bill of Rights\nThe Ten Original Amendments...": PG
            # puts the remainder of title (MARC 245 $b) on a second line; " : " gives
            # the ISBD form marc.read_title keeps, so PG and MARC titles read alike.
            "Title": {"field": "title", "lines": " : "},
            "Language": {"field": "language", "split": LIST_SEPARATOR, "first": True},
            # "Bell, Clara, 1834-1927 [Translator]": the role goes, as MARC's relator
            # terms ($e) stay out of marc.read_names, so both give the same heading.
            "Authors": {"field": "authors", "split": LIST_SEPARATOR,
                        "drop": r"\s*\[[^\]]*\]$"},
            "Subjects": {"field": "subjects", "split": LIST_SEPARATOR},
            # "E201; JK": the first class is the one the book shelves under.
            "LoCC": {"field": "lcc", "split": LIST_SEPARATOR, "first": True},
            # Issued is the e-text's release date at PG ("1971-12-01" for the
            # Declaration of Independence), not the year of publication: year stays None.
            "Issued": None,
            # Type (Text, Sound...) and Bookshelves (PG's own browsing categories)
            # have no canonical field.
            "Type": None,
            "Bookshelves": None,
        },
    },
}


# --- CSV ------------------------------------------------------------------------------

def _spec(header: str, value) -> dict | None:
    if value is None:
        return None
    spec = {"field": value} if isinstance(value, str) else dict(value)
    field = spec.get("field")
    if field not in schema.FIELDS or field in _DERIVED:
        raise FormatOptionsError(
            f"CSV column {header!r} maps to {field!r}, which is not a canonical field; "
            f"use one of {', '.join(f for f in schema.FIELDS if f not in _DERIVED)}")
    unknown = set(spec) - {"field", "split", "first", "prefix", "lines", "drop"}
    if unknown:
        raise FormatOptionsError(f"CSV column {header!r}: unknown keys {sorted(unknown)}")
    if field in schema.LIST_FIELDS and not spec.get("first"):
        spec.setdefault("split", LIST_SEPARATOR)
    return spec


def column_mapping(header: list[str], options: Mapping) -> tuple[list[dict | None], str | None]:
    """Per column of ``header``: its field spec (None: not read), and the preset source."""
    source = options.get("csv_source")
    if "csv_mapping" in options:
        mapping = dict(options["csv_mapping"])
    elif "csv_preset" in options:
        name = options["csv_preset"]
        if name not in PRESETS:
            raise FormatOptionsError(f"unknown CSV preset {name!r}; presets: "
                                     f"{', '.join(PRESETS)}")
        mapping, source = PRESETS[name]["columns"], source or PRESETS[name]["source"]
    elif "id" in header and set(header) <= set(schema.FIELDS):
        mapping = {h: h for h in header if h not in _DERIVED}
    else:
        for preset in PRESETS.values():
            if set(header) == set(preset["columns"]):
                mapping, source = preset["columns"], source or preset["source"]
                break
        else:
            raise FormatOptionsError(
                f"CSV header {header} is neither canonical field names nor a preset's "
                f"({', '.join(PRESETS)}); pass options csv_preset or csv_mapping")
    missing = [h for h, v in mapping.items() if v is not None and h not in header]
    if missing:
        raise FormatOptionsError(f"CSV header {header} lacks mapped columns {missing}")
    specs = [_spec(h, mapping.get(h)) for h in header]
    if not any(s and s["field"] == "id" for s in specs):
        raise FormatOptionsError("the CSV mapping maps no column to 'id'")
    return specs, source


def _value(spec: dict, text: str):
    if spec.get("lines"):
        text = spec["lines"].join(p.strip() for p in text.splitlines() if p.strip())
    text = text.strip()
    if spec.get("split"):
        items = [p.strip() for p in text.split(spec["split"]) if p.strip()]
        if spec.get("drop"):
            items = [q for q in (re.sub(spec["drop"], "", p).strip() for p in items) if q]
        if spec.get("first"):
            text = items[0] if items else ""
        elif spec["field"] in schema.LIST_FIELDS:
            return [spec.get("prefix", "") + p for p in items]
    if not text:
        return None
    text = spec.get("prefix", "") + text
    if spec["field"] in schema.LIST_FIELDS:
        return [text]
    if spec["field"] in _INT_FIELDS:
        try:
            return int(text)
        except ValueError:
            raise InvalidRecord(f"{spec['field']} {text!r} is not a whole number",
                                reason="bad_value") from None
    return text


def _rows(f: BinaryIO, start: int = 0) -> Iterator[tuple[int, bytes, bool]]:
    """``(offset, raw row, ended)``: rows as byte ranges; ``ended`` is False for a last
    row the file cuts off (open quotes, or no line break)."""
    offset, row_start, pending, quotes = start, start, [], 0
    for line in f:
        if not pending:
            row_start = offset
        pending.append(line)
        quotes += line.count(b'"')
        offset += len(line)
        if quotes % 2 == 0 and line.endswith(b"\n"):
            yield row_start, b"".join(pending), True
            pending, quotes = [], 0
    if pending:
        yield row_start, b"".join(pending), False


def _cells(raw: bytes, delimiter: str) -> list[str]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableRecord(f"row is not UTF-8: {exc}", reason="bad_encoding") from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:    # e.g. a field over csv.field_size_limit()
        raise UnreadableRecord(f"CSV row cannot be parsed: {exc}", reason="bad_row") from None
    if len(rows) != 1:
        raise UnreadableRecord(f"{len(rows)} CSV rows where one was expected",
                               reason="bad_row")
    return rows[0]


def sniff_delimiter(header_line: str) -> str:
    return "\t" if header_line.count("\t") > header_line.count(",") else ","


def _row_outcome(cells, specs, source, default_source):
    if len(cells) != len(specs):
        raise UnreadableRecord(f"{len(cells)} columns where the header has {len(specs)}",
                               reason="bad_row")
    fields: dict = {}
    for spec, text in zip(specs, cells):
        if spec is not None:
            value = _value(spec, text)
            if value is not None:
                fields[spec["field"]] = value
    if not fields.get("id"):
        raise InvalidRecord("row has no id", reason="missing_id")
    fields.setdefault("source", source or default_source)
    if not fields.get("title"):
        raise InvalidRecord(f"{fields['id']}: row has no title", reason="missing_title")
    return canonical.build(fields)


def read_csv(path: str, *, default_source: str = "local",
             options: Mapping | None = None) -> Iterator[tuple[int, bytes, object]]:
    """``(byte offset, raw row, outcome)`` for every data row of a CSV file."""
    options = options or {}
    with open(path, "rb") as f:
        rows = _rows(f)
        first = next(rows, None)
        if first is None:
            return
        offset, raw, ended = first
        raw = raw[len(_BOM):] if raw.startswith(_BOM) else raw
        text = raw.decode("utf-8", errors="replace")
        delimiter = options.get("csv_delimiter") or sniff_delimiter(text)
        header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
        specs, source = column_mapping([h.strip() for h in header], options)
        for offset, raw, ended in rows:
            if not raw.strip():
                continue                              # blank line: not a row
            try:
                if not ended:
                    raise UnreadableRecord(
                        "the file ends inside this row (open quotes or no line break)",
                        reason="truncated_row")
                outcome = _row_outcome(_cells(raw, delimiter), specs, source,
                                       default_source)
            except RecordError as exc:
                outcome = exc
            yield offset, raw, outcome


# --- JSON Lines -----------------------------------------------------------------------

def _lines(f: BinaryIO, start: int, end: int) -> Iterator[tuple[int, bytes]]:
    """Lines whose first byte lies in ``[start, end)`` (a line owning byte ``start - 1``
    belongs to the split before)."""
    if start > 0:
        f.seek(start - 1)
        if f.read(1) != b"\n":
            start += len(f.readline())
    f.seek(start)
    offset = start
    while offset < end:
        line = f.readline()
        if not line:
            return
        yield offset, line
        offset += len(line)


def _check_types(obj: dict) -> None:
    for name, value in obj.items():
        if value is None:
            continue
        if name in schema.LIST_FIELDS:
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        elif name in _INT_FIELDS:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, str)
        if not ok:
            raise InvalidRecord(f"{name} has the wrong type: {value!r}", reason="bad_value")


def jsonl_outcome(line: bytes, default_source: str = "local"):
    """One JSON Lines line -> canonical record (or raises RecordError)."""
    try:
        obj = json.loads(line)
    except ValueError as exc:   # JSONDecodeError and UnicodeDecodeError
        raise UnreadableRecord(f"bad JSON: {exc}", reason="bad_json") from None
    if not isinstance(obj, dict):
        raise UnreadableRecord(f"a JSON {type(obj).__name__}, not an object",
                               reason="bad_json")
    unknown = sorted(set(obj) - set(schema.FIELDS))
    if unknown:
        raise InvalidRecord(f"unknown fields {unknown}; canonical fields are "
                            f"{', '.join(schema.FIELDS)}", reason="unknown_field")
    _check_types(obj)
    if not obj.get("id"):
        raise InvalidRecord("record has no id", reason="missing_id")
    if not obj.get("title"):
        raise InvalidRecord(f"{obj['id']}: record has no title", reason="missing_title")
    fields = {k: v for k, v in obj.items() if k not in _DERIVED and v is not None}
    fields.setdefault("source", default_source)
    return canonical.build(fields)


def read_jsonl(path: str, start: int = 0, end: int | None = None, *,
               default_source: str = "local") -> Iterator[tuple[int, bytes, object]]:
    with open(path, "rb") as f:
        end = os.fstat(f.fileno()).st_size if end is None else end
        for offset, line in _lines(f, start, end):
            if offset == 0 and line.startswith(_BOM):
                line, offset = line[len(_BOM):], len(_BOM)
            if not line.strip():
                continue
            try:
                outcome = jsonl_outcome(line, default_source)
            except RecordError as exc:
                outcome = exc
            yield offset, line, outcome
