"""Spark entry point: MARC sources -> canonical records -> the Parquet catalogue.

The driver plans record-aligned splits from file sizes; executors read and map the
records (``ingest.marc``) and write one staging table holding, per record, either the
canonical record or its quarantine entry. Everything after that (quarantine, duplicate
ids, new/changed/unchanged against the previous catalogue, the merged new catalogue,
the report's counts) is computed by Spark from the staging table; only the small
per-file counts reach the driver.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

from ingest import catalogue, quarantine, report, schema, splits

log = logging.getLogger("shelfmap.ingest")


class IngestError(RuntimeError):
    """The ingest cannot start (missing or unreadable input); nothing was changed."""


# Documentation that travels with catalogue exports (data/PROVENANCE.md, README,
# checksums); skipped when a folder is read, read like any file when named directly.
_NOT_CATALOGUE_SUFFIXES = {".md", ".rst", ".html", ".pdf", ".sha256"}
_NOT_CATALOGUE_NAMES = {"readme", "license", "licence", "sha256sums", "md5sums"}


def _is_documentation(path: Path) -> bool:
    return (path.suffix.lower() in _NOT_CATALOGUE_SUFFIXES
            or path.stem.lower() in _NOT_CATALOGUE_NAMES)


def expand_paths(paths: Iterable[str]) -> list[str]:
    """Files named directly, and the files under named folders, in a stable order."""
    out: list[str] = []
    for given in paths:
        path = Path(given).expanduser()
        if path.is_dir():
            for p in sorted(path.rglob("*")):
                if not p.is_file() or p.name.startswith("."):
                    continue
                if _is_documentation(p):
                    log.info("skipping %s (documentation, not a catalogue file)", p)
                    continue
                out.append(str(p.resolve()))
        elif path.is_file():
            if not os.access(path, os.R_OK):
                raise IngestError(f"cannot read {path}: permission denied")
            out.append(str(path.resolve()))
        else:
            raise IngestError(f"{given}: no such file or folder")
    if not out:
        raise IngestError("no input files found in " + ", ".join(map(str, paths)))
    return list(dict.fromkeys(out))


def _staging_schema():
    from pyspark.sql import types as T

    return T.StructType([
        T.StructField("file_index", T.IntegerType(), False),
        T.StructField("source_file", T.StringType(), False),
        T.StructField("offset", T.LongType(), False),
        T.StructField("record", schema.spark_schema(), True),
        T.StructField("error", quarantine.spark_schema(), True),
    ])


def read_splits(split_rows: Iterable[splits.Split], default_source: str) -> Iterator[tuple]:
    """Executor side: every record of the given splits, mapped or quarantined."""
    from ingest import marc  # imported on the executor

    for split in split_rows:
        with open(split.path, "rb") as f:
            for offset, raw in splits.read_split(f, split.start, split.end):
                try:
                    record = marc.map_raw(raw, default_source=default_source)
                except quarantine.RecordError as exc:
                    entry = quarantine.entry(split.path, offset, raw, exc)
                    yield (split.file_index, split.path, offset, None,
                           tuple(entry[f] for f in quarantine.QUARANTINE.names))
                else:
                    yield (split.file_index, split.path, offset,
                           tuple(record[f] for f in schema.FIELDS), None)


def run(settings, paths: Iterable[str], *, default_source: str = "local", spark=None) -> dict:
    """Ingest ``paths`` into the catalogue under ``settings.home``; returns the report."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from ingest.spark import session

    files = expand_paths(paths)
    plan = splits.plan(files, settings.split_size)
    spark = spark or session(settings, "shelfmap ingest")
    version = catalogue.new_version()
    home = settings.home_path
    staging_dir = home / "staging" / version
    log.info("ingest %d file(s) in %d split(s) as catalogue version %s",
             len(files), len(plan), version)

    rows = spark.sparkContext.parallelize(plan, max(1, len(plan))).mapPartitions(
        lambda part: read_splits(part, default_source))
    spark.createDataFrame(rows, _staging_schema()).write.parquet(str(staging_dir))
    try:
        staged = spark.read.parquet(str(staging_dir))
        bad = staged.where(F.col("error").isNotNull())
        bad.select("error.*").write.parquet(str(settings.quarantine_dir / version))

        good = staged.where(F.col("record").isNotNull()).select(
            "file_index", "source_file", "offset", "record.*")
        # Duplicate ids within one load: the last occurrence (file order, then byte
        # offset) wins, deterministically; the others are counted as duplicates.
        latest = Window.partitionBy("id").orderBy(F.desc("file_index"), F.desc("offset"))
        ranked = good.withColumn("_rank", F.row_number().over(latest))

        previous_version = catalogue.current_version(settings.catalogue_dir)
        if previous_version:
            previous = spark.read.parquet(str(settings.catalogue_dir / previous_version))
        else:
            previous = spark.createDataFrame([], schema.spark_schema())
        known = previous.select("id", F.col("content_hash").alias("_previous_hash"))
        outcome = (
            F.when(F.col("_rank") > 1, F.lit("duplicate"))
            .when(F.col("_previous_hash").isNull(), F.lit("new"))
            .when(F.col("_previous_hash") == F.col("content_hash"), F.lit("unchanged"))
            .otherwise(F.lit("changed"))
        )
        classified = ranked.join(known, "id", "left").withColumn("_outcome", outcome)
        counts = [
            (r["source_file"], r["_outcome"], None, r["n"])
            for r in classified.groupBy("source_file", "_outcome").agg(F.count("*").alias("n")).collect()
        ] + [
            (r["source_file"], "quarantined", r["reason"], r["n"])
            for r in bad.groupBy("source_file", "error.reason").agg(F.count("*").alias("n")).collect()
        ]

        loaded = ranked.where(F.col("_rank") == 1).select(*schema.FIELDS)
        merged = previous.join(loaded.select("id"), "id", "left_anti").select(
            *schema.FIELDS).unionByName(loaded)
        target = settings.catalogue_dir / version
        merged.write.parquet(str(target))
        total = spark.read.parquet(str(target)).count()
        catalogue.publish(settings.catalogue_dir, version)
    finally:
        shutil.rmtree(staging_dir, ignore_errors=True)

    result = report.build(files, counts, version=version, catalogue_records=total)
    report.write(result, settings.reports_dir / f"ingest-{version}.json")
    report.write(result, settings.reports_dir / "last-ingest.json")
    return result
