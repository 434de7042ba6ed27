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
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa

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


# The staging table: one row per record read, holding the canonical record, a deletion
# or the quarantine entry. Executors write it as Parquet themselves (no rows travel
# through the JVM or the driver); Spark reads it back for the merge.
STAGING = pa.schema([
    pa.field("file_index", pa.int32(), nullable=False),
    pa.field("source_file", pa.string(), nullable=False),
    pa.field("offset", pa.int64(), nullable=False),
    pa.field("record", pa.struct(list(schema.RECORD)), nullable=True),
    pa.field("deleted_id", pa.string(), nullable=True),
    pa.field("error", pa.struct(list(quarantine.QUARANTINE)), nullable=True),
])
_BATCH_ROWS = 5000


class Task(NamedTuple):
    """One Spark task's share of the input: a byte range of one file in one format."""

    path: str
    fmt: str
    start: int
    end: int
    file_index: int


# What an unreadable file keeps of its bytes in the quarantine (the file stays where it is).
_UNKNOWN_FILE_KEPT = 1 << 20


def plan_tasks(files: list[str], fmt: str, split_size: int,
               options: dict | None = None) -> tuple[list[Task], dict[str, str]]:
    """Detect each file's format (unless forced), check that it can be read with the
    given options (before anything changes), and cut splittable files into splits."""
    from ingest import formats

    tasks: list[Task] = []
    chosen: dict[str, str] = {}
    for index, path in enumerate(files):
        if fmt == "auto":
            try:
                file_fmt = formats.detect(path)
            except formats.UnknownFormat as exc:
                log.warning("%s", exc)
                file_fmt = "unknown"
        else:
            file_fmt = fmt
        chosen[path] = file_fmt
        if file_fmt != "unknown":
            try:
                formats.check(path, file_fmt, options)
            except ValueError as exc:
                raise IngestError(f"{path}: {exc}") from exc
        size = os.path.getsize(path)
        if file_fmt != "unknown" and formats.splittable(file_fmt):
            tasks.extend(Task(path, file_fmt, s.start, s.end, index)
                         for s in splits.plan([path], split_size))
        else:
            tasks.append(Task(path, file_fmt, 0, size, index))
    return tasks, chosen


def _row(task: Task, offset: int, raw: bytes, outcome) -> dict:
    from ingest import formats

    row = {"file_index": task.file_index, "source_file": task.path, "offset": offset,
           "record": None, "deleted_id": None, "error": None}
    if isinstance(outcome, formats.Deletion):
        row["deleted_id"] = outcome.id
    elif isinstance(outcome, quarantine.RecordError):
        row["error"] = quarantine.entry(task.path, offset, raw, outcome)
    else:
        row["record"] = outcome
    return row


def _outcomes(task: Task, default_source: str, options: dict) -> Iterator[tuple[int, bytes, object]]:
    from ingest import formats

    if task.fmt == "unknown":
        with open(task.path, "rb") as f:
            raw = f.read(_UNKNOWN_FILE_KEPT)
        yield 0, raw, quarantine.UnreadableRecord(
            f"{task.path}: not a format shelfmap reads ({', '.join(formats.FORMATS)}); "
            "name one with --format if detection is wrong", reason="unknown_format")
        return
    yield from formats.read(task.path, task.fmt, task.start, task.end,
                            default_source=default_source, options=options)


def stage_tasks(tasks: Iterable[Task], staging_dir: str, default_source: str, options: dict,
                records_done=None, tasks_done=None) -> Iterator[int]:
    """Executor side: read the tasks' records and write them to one staging Parquet
    file per task, in bounded batches; yields the number of rows written per task."""
    import uuid

    import pyarrow.parquet as pq

    for task in tasks:
        name = f"part-{task.file_index:05d}-{task.start:015d}-{uuid.uuid4().hex[:8]}.parquet"
        # Written under a hidden name and renamed when complete, so a task that fails
        # and is retried leaves nothing that Spark would read twice.
        partial = f"{staging_dir}/.{name}"
        n = 0
        with pq.ParquetWriter(partial, STAGING) as writer:
            batch: list[dict] = []
            for offset, raw, outcome in _outcomes(task, default_source, options):
                batch.append(_row(task, offset, raw, outcome))
                if len(batch) >= _BATCH_ROWS:
                    writer.write_table(pa.Table.from_pylist(batch, schema=STAGING))
                    n += len(batch)
                    batch = []
            writer.write_table(pa.Table.from_pylist(batch, schema=STAGING))
            n += len(batch)
        os.replace(partial, f"{staging_dir}/{name}")
        if records_done is not None:
            records_done.add(n)
            tasks_done.add(1)
        yield n


def _split_size(spark, files: list[str], ceiling: int) -> int:
    """Splits small enough that every core gets several (a slow last split otherwise
    leaves cores idle), but never above the configured size."""
    total = sum(os.path.getsize(f) for f in files)
    slots = spark.sparkContext.defaultParallelism
    return max(1 << 20, min(ceiling, total // max(1, slots * 4) + 1))


def run(settings, paths: Iterable[str], *, fmt: str = "auto", default_source: str = "local",
        full: bool = False, options: dict | None = None, spark=None,
        progress: bool = False) -> dict:
    """Ingest ``paths`` into the catalogue under ``settings.home``; returns the report.

    ``full``: the load is a complete export of its sources, so records of those sources
    that it does not contain are deleted.
    """
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from ingest.progress import Progress
    from ingest.spark import session

    started = time.monotonic()
    files = expand_paths(paths)
    spark = spark or session(settings, "shelfmap ingest")
    options = dict(options or {})
    tasks, chosen = plan_tasks(files, fmt, _split_size(spark, files, settings.split_size),
                               options)
    version = catalogue.new_version()
    staging_dir = settings.home_path / "staging" / version
    log.info("ingest %d file(s) (%s) in %d task(s) as catalogue version %s", len(files),
             ", ".join(f"{n} {f}" for f, n in sorted(Counter(chosen.values()).items())),
             len(tasks), version)

    tracker = Progress(spark, len(tasks)) if progress else None
    records_done = tracker.records if tracker else None
    tasks_done = tracker.splits if tracker else None
    staging_dir.mkdir(parents=True)
    stage = spark.sparkContext.parallelize(tasks, max(1, len(tasks))).mapPartitions(
        lambda part: stage_tasks(part, str(staging_dir), default_source, options,
                                 records_done, tasks_done))
    try:
        if tracker:
            with tracker:
                stage_counts = stage.collect()
        else:
            stage_counts = stage.collect()
        log.info("read %d record(s) in %.1f s", sum(stage_counts), time.monotonic() - started)
        staged = spark.read.parquet(str(staging_dir))
        bad = staged.where(F.col("error").isNotNull())
        bad.select("error.*").write.parquet(str(settings.quarantine_dir / version))

        good = staged.where(F.col("error").isNull()).withColumn(
            "_key", F.coalesce(F.col("record.id"), F.col("deleted_id")))
        # Decisions are taken on a narrow frame (keys, positions, hashes); full records
        # are only read once more, to be written.
        narrow = good.select("_key", "file_index", "offset", "source_file", "deleted_id",
                             F.col("record.source").alias("source"),
                             F.col("record.content_hash").alias("content_hash"))
        # The same id twice in one load (records or deletions): the last occurrence
        # (file order, then byte offset) wins, deterministically; the others are
        # counted as duplicates.
        latest = Window.partitionBy("_key").orderBy(F.desc("file_index"), F.desc("offset"))
        ranked = narrow.withColumn("_rank", F.row_number().over(latest))

        previous_version = catalogue.current_version(settings.catalogue_dir)
        if previous_version:
            previous = spark.read.parquet(str(settings.catalogue_dir / previous_version))
        else:
            previous = spark.createDataFrame([], schema.spark_schema())
        known = previous.select(F.col("id").alias("_key"),
                                F.col("content_hash").alias("_previous_hash"))
        outcome = (
            F.when(F.col("_rank") > 1, F.lit("duplicate"))
            .when(F.col("deleted_id").isNotNull(), F.lit("deleted"))
            .when(F.col("_previous_hash").isNull(), F.lit("new"))
            .when(F.col("_previous_hash") == F.col("content_hash"), F.lit("unchanged"))
            .otherwise(F.lit("changed"))
        )
        classified = ranked.join(known, "_key", "left").withColumn(
            "_outcome", outcome).persist(StorageLevel.MEMORY_AND_DISK)
        counts = [
            (r["source_file"], r["_outcome"], None, r["n"])
            for r in classified.groupBy("source_file", "_outcome").agg(F.count("*").alias("n")).collect()
        ] + [
            (r["source_file"], "quarantined", r["reason"], r["n"])
            for r in bad.groupBy("source_file", "error.reason").agg(F.count("*").alias("n")).collect()
        ]

        # Superseded occurrences are few (usually none): dropped by position.
        losers = classified.where(F.col("_rank") > 1).select("file_index", "offset")
        loaded = (good.where(F.col("deleted_id").isNull())
                  .join(F.broadcast(losers), ["file_index", "offset"], "left_anti")
                  .select("record.*"))
        touched = classified.where(F.col("_rank") == 1).select(F.col("_key").alias("id"))
        kept = previous.join(touched, "id", "left_anti")
        absent = 0
        if full:
            # A full reload speaks for the sources it contains, not for other sources.
            sources = classified.where(F.col("source").isNotNull()).select("source").distinct()
            absent = kept.join(sources, "source", "left_semi").count()
            kept = kept.join(sources, "source", "left_anti")
        merged = kept.select(*schema.FIELDS).unionByName(loaded)
        target = settings.catalogue_dir / version
        merged.write.parquet(str(target))
        total = spark.read.parquet(str(target)).count()
        log.info("merged into %d catalogue record(s) in %.1f s", total, time.monotonic() - started)
        catalogue.publish(settings.catalogue_dir, version)
        classified.unpersist()
    finally:
        shutil.rmtree(staging_dir, ignore_errors=True)

    result = report.build(files, counts, version=version, catalogue_records=total,
                          deleted_absent=absent, formats=chosen)
    report.write(result, settings.reports_dir / f"ingest-{version}.json")
    report.write(result, settings.reports_dir / "last-ingest.json")
    return result

