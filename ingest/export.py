"""Writing the canonical catalogue out: JSON Lines, CSV or one Parquet file.

The catalogue is streamed batch by batch, so memory stays flat at any size. JSON Lines
uses the canonical field names, one record per line, and ingests back to identical
records (``--format jsonl``).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ingest import schema

FORMATS = ("jsonl", "csv", "parquet")
LIST_SEPARATOR = "; "
_BATCH = 4096


def _batches(catalogue_path: Path):
    dataset = ds.dataset(str(catalogue_path), format="parquet")
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


def write_csv(catalogue_path: Path, out: TextIO) -> int:
    """CSV with a header of canonical names; lists joined by '; ' (as Gutenberg does)."""
    writer = csv.writer(out)
    writer.writerow(schema.FIELDS)
    n = 0
    for record in records(catalogue_path):
        writer.writerow([
            LIST_SEPARATOR.join(v) if name in schema.LIST_FIELDS else ("" if v is None else v)
            for name, v in ((name, record[name]) for name in schema.FIELDS)])
        n += 1
    return n


def write_parquet(catalogue_path: Path, out_path: Path) -> int:
    n = 0
    with pq.ParquetWriter(str(out_path), schema.RECORD) as writer:
        for batch in _batches(catalogue_path):
            writer.write_batch(batch.cast(schema.RECORD) if batch.schema != schema.RECORD else batch)
            n += batch.num_rows
    return n


def export(catalogue_path: Path, fmt: str, out: Path | None) -> int:
    """Write the catalogue at ``catalogue_path`` as ``fmt`` to ``out`` (None: stdout)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        if out is None:
            raise ValueError("parquet export needs --out FILE (it is not written to a terminal)")
        return write_parquet(catalogue_path, out)
    writer = write_jsonl if fmt == "jsonl" else write_csv
    if out is None:
        return writer(catalogue_path, sys.stdout)
    tmp = out.with_name(out.name + ".partial")
    with io.open(tmp, "w", encoding="utf-8", newline="") as handle:
        n = writer(catalogue_path, handle)
    tmp.replace(out)
    return n
