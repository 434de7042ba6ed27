"""The checks a new catalogue version passes before it is marked complete.

Each compares two counts that are reached independently, so that a lost or doubled
staging file, a wrong merge or a corrupt previous version stops the load before it is
published (issue 10: a version is complete or absent):

- every record the readers read was classified, and the quarantine holds exactly the
  records reported as quarantined: read == written + quarantined;
- the new version holds the previous version's records plus the new ones, minus the
  deleted ones that existed and the ones a full reload no longer has (changed and
  unchanged records replace their old copies one for one);
- no id is held twice, and none is missing.

The record-level figures come from one Spark job over the new version's ids
(:func:`census`); the rest are counts the load has already made, or Parquet footers.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class Census:
    """What a catalogue version holds, from one pass over its ids."""

    records: int
    ids: int            # distinct ids (a missing id counts as one)
    repeated: int       # ids held more than once
    missing_ids: int    # records without an id


def census(frame) -> Census:
    """:class:`Census` of a catalogue DataFrame in one Spark job (only ``id`` is read;
    the driver gets one row)."""
    from pyspark.sql import functions as F

    per_id = frame.groupBy("id").agg(F.count(F.lit(1)).alias("n"))
    row = per_id.agg(
        F.coalesce(F.sum("n"), F.lit(0)).alias("records"),
        F.count(F.lit(1)).alias("ids"),
        F.coalesce(F.sum(F.when(F.col("n") > 1, 1)), F.lit(0)).alias("repeated"),
        F.coalesce(F.sum(F.when(F.col("id").isNull(), F.col("n"))), F.lit(0)).alias("missing"),
    ).first()
    return Census(records=int(row["records"]), ids=int(row["ids"]),
                  repeated=int(row["repeated"]), missing_ids=int(row["missing"]))


def parquet_rows(folder: Path) -> int:
    """Rows of the Parquet files in ``folder``, from their footers (no data read)."""
    import pyarrow.dataset as ds

    return ds.dataset(str(folder), format="parquet").count_rows()


def expected_records(previous: int, new: int, deleted_existing: int, absent: int) -> int:
    """The size of the new version.

    >>> expected_records(previous=3000, new=2000, deleted_existing=1, absent=1999)
    3000
    """
    return previous + new - deleted_existing - absent


def problems(*, read: int, written: int, quarantined: int, quarantine_rows: int,
             previous: int, new: int, deleted_existing: int, absent: int,
             found: Census) -> list[str]:
    """What is wrong with a new version, one sentence each; empty when it may be
    published. ``read``: records the readers read; ``written`` and ``quarantined``: the
    load's classified outcomes; ``quarantine_rows``: rows in its quarantine files."""
    out = []
    if read != written + quarantined:
        out.append(f"the readers read {read:,} records but {written:,} were written and "
                   f"{quarantined:,} quarantined")
    if quarantine_rows != quarantined:
        out.append(f"{quarantined:,} records were quarantined but the quarantine holds "
                   f"{quarantine_rows:,}")
    expected = expected_records(previous, new, deleted_existing, absent)
    if found.records != expected:
        out.append(f"the new version holds {found.records:,} records, not {expected:,} "
                   f"(previous {previous:,} + new {new:,} - deleted {deleted_existing:,} - "
                   f"absent from the full reload {absent:,})")
    if found.repeated:
        out.append(f"{found.repeated:,} id(s) are held more than once "
                   f"({found.records - found.ids:,} extra records)")
    if found.missing_ids:
        out.append(f"{found.missing_ids:,} record(s) have no id")
    return out
