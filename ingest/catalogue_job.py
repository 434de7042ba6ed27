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
from ingest.errors import IngestError

log = logging.getLogger("shelfmap.ingest")


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


# Executors write three Parquet outputs per task: the canonical records (already in the
# catalogue's schema, so a load's records are moved into the new catalogue version, not
# rewritten), the quarantine entries, and one narrow outcome row per record read (what
# the driver-side decisions need: ids, positions, hashes). Nothing travels through the
# JVM or the driver row by row.
OUTCOME = pa.schema([
    pa.field("file_index", pa.int32(), nullable=False),
    pa.field("source_file", pa.string(), nullable=False),
    pa.field("offset", pa.int64(), nullable=False),
    pa.field("kind", pa.string(), nullable=False),          # record, deleted, error
    pa.field("key", pa.string(), nullable=True),            # the record id
    pa.field("source", pa.string(), nullable=True),
    pa.field("content_hash", pa.string(), nullable=True),
    pa.field("reason", pa.string(), nullable=True),
])
_OUTPUTS = {"records": schema.RECORD, "errors": quarantine.QUARANTINE, "outcomes": OUTCOME}
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


class _TaskOutput:
    """The three staging files of one task, written in bounded batches under hidden
    names and renamed when complete, so a failed and retried task leaves nothing that
    would be read twice."""

    def __init__(self, staging_dir: str, task: Task):
        import uuid

        import pyarrow.parquet as pq

        name = f"part-{task.file_index:05d}-{task.start:015d}-{uuid.uuid4().hex[:8]}.parquet"
        self.paths = {kind: (f"{staging_dir}/{kind}/.{name}", f"{staging_dir}/{kind}/{name}")
                      for kind in _OUTPUTS}
        self.writers = {kind: pq.ParquetWriter(self.paths[kind][0], _OUTPUTS[kind])
                        for kind in _OUTPUTS}
        self.batches: dict[str, list[dict]] = {kind: [] for kind in _OUTPUTS}
        self.rows = 0

    def add(self, kind: str, row: dict) -> None:
        batch = self.batches[kind]
        batch.append(row)
        if len(batch) >= _BATCH_ROWS:
            self._flush(kind)

    def _flush(self, kind: str) -> None:
        self.writers[kind].write_table(pa.Table.from_pylist(self.batches[kind],
                                                            schema=_OUTPUTS[kind]))
        self.batches[kind] = []

    def close(self) -> None:
        for kind, writer in self.writers.items():
            self._flush(kind)
            writer.close()
        for partial, final in self.paths.values():
            os.replace(partial, final)


def stage_tasks(tasks: Iterable[Task], staging_dir: str, default_source: str, options: dict,
                records_done=None, tasks_done=None) -> Iterator[int]:
    """Executor side: read the tasks' records and stage them; yields rows per task."""
    from ingest import formats

    for task in tasks:
        out = _TaskOutput(staging_dir, task)
        n = 0
        for offset, raw, outcome in _outcomes(task, default_source, options):
            row = {"file_index": task.file_index, "source_file": task.path,
                   "offset": offset, "kind": "record", "key": None, "source": None,
                   "content_hash": None, "reason": None}
            if isinstance(outcome, formats.Deletion):
                row.update(kind="deleted", key=outcome.id)
            elif isinstance(outcome, quarantine.RecordError):
                out.add("errors", quarantine.entry(task.path, offset, raw, outcome))
                row.update(kind="error", reason=outcome.reason)
            else:
                out.add("records", outcome)
                row.update(key=outcome["id"], source=outcome["source"],
                           content_hash=outcome["content_hash"])
            out.add("outcomes", row)
            n += 1
        out.close()
        if records_done is not None:
            records_done.add(n)
            tasks_done.add(1)
        yield n


def _merge(spark, settings, staging_dir: Path, version: str, full: bool):
    """Decide every record's outcome from the narrow staging table and write the new
    catalogue version: the previous one minus what this load touched, plus the load's
    records, and the load's change set (``staging_dir/changes``: id, op). Returns
    (per-file outcome counts, records absent from a full reload, catalogue size)."""
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    quarantine_dir = settings.quarantine_dir / version
    quarantine_dir.mkdir(parents=True)
    for part in (staging_dir / "errors").iterdir():
        shutil.move(str(part), quarantine_dir / part.name)

    outcomes = spark.read.parquet(str(staging_dir / "outcomes"))
    good = outcomes.where(F.col("kind") != "error")
    # The same id twice in one load (records or deletions): the last occurrence (file
    # order, then byte offset) wins, deterministically; the others are duplicates.
    latest = Window.partitionBy("key").orderBy(F.desc("file_index"), F.desc("offset"))
    ranked = good.withColumn("_rank", F.row_number().over(latest))

    previous_version = catalogue.current_version(settings.catalogue_dir)
    if previous_version:
        previous = spark.read.parquet(str(settings.catalogue_dir / previous_version))
    else:
        previous = spark.createDataFrame([], schema.spark_schema())
    known = previous.select(F.col("id").alias("key"),
                            F.col("content_hash").alias("_previous_hash"))
    outcome = (
        F.when(F.col("_rank") > 1, F.lit("duplicate"))
        .when(F.col("kind") == "deleted", F.lit("deleted"))
        .when(F.col("_previous_hash").isNull(), F.lit("new"))
        .when(F.col("_previous_hash") == F.col("content_hash"), F.lit("unchanged"))
        .otherwise(F.lit("changed"))
    )
    classified = ranked.join(known, "key", "left").withColumn(
        "_outcome", outcome).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        counts = [
            (r["source_file"], r["_outcome"], None, r["n"])
            for r in classified.groupBy("source_file", "_outcome").agg(
                F.count("*").alias("n")).collect()
        ] + [
            (r["source_file"], "quarantined", r["reason"], r["n"])
            for r in outcomes.where(F.col("kind") == "error").groupBy(
                "source_file", "reason").agg(F.count("*").alias("n")).collect()
        ]
        duplicates = sum(n for _, o, _, n in counts if o == "duplicate")

        touched = classified.where(F.col("_rank") == 1).select(F.col("key").alias("id"))
        kept = previous.join(touched, "id", "left_anti")
        # The change set: what the live index must do to follow this load (index/updates.py).
        firsts = classified.where(F.col("_rank") == 1)
        changes = firsts.where(F.col("_outcome").isin("new", "changed")).select(
            F.col("key").alias("id"), F.lit("upsert").alias("op")).unionByName(
            firsts.where(F.col("_outcome") == "deleted").select(
                F.col("key").alias("id"), F.lit("delete").alias("op")))
        absent = 0
        if full:
            # A full reload speaks for the sources it contains, not for other sources.
            sources = classified.where(F.col("source").isNotNull()).select("source").distinct()
            gone = kept.join(sources, "source", "left_semi")
            absent = gone.count()
            changes = changes.unionByName(gone.select("id", F.lit("delete").alias("op")))
            kept = kept.join(sources, "source", "left_anti")
        changes.write.parquet(str(staging_dir / "changes"))

        target = settings.catalogue_dir / version
        kept.select(*schema.FIELDS).write.parquet(str(target))
        records_dir = staging_dir / "records"
        if duplicates:
            # Rare: keep only the winning occurrence of each id (identical copies of a
            # record collapse to one).
            winners = classified.where((F.col("_rank") == 1) & (F.col("kind") == "record"))
            loaded = (spark.read.parquet(str(records_dir))
                      .join(winners.select(F.col("key").alias("id"), "content_hash"),
                            ["id", "content_hash"], "left_semi")
                      .dropDuplicates(["id"]))
            loaded.select(*schema.FIELDS).write.mode("append").parquet(str(target))
        else:
            # The load's records are already catalogue files: moved, not rewritten.
            for part in records_dir.iterdir():
                shutil.move(str(part), target / f"load-{part.name}")
        total = spark.read.parquet(str(target)).count()
    finally:
        classified.unpersist()
    return counts, absent, total


# --- the change set ---------------------------------------------------------------
# Each load leaves $SHELFMAP_HOME/changes/<catalogue version>/: Parquet rows (id, op)
# with op "upsert" (new or changed: the record is read back from that catalogue version
# by id) or "delete" (a deletion notice, or absent from a full reload), plus
# CHANGES_META naming the catalogue version it starts from. Spark skips files whose
# names start with "_", so the folder still reads as plain Parquet.
CHANGES_META = "_shelfmap.json"
CHANGES_KEPT = 20  # change sets are ids only; an index further behind is rebuilt


def publish_changes(settings, staged: Path, version: str, base: str | None, *,
                    upserts: int, deletes: int, catalogue_records: int) -> Path:
    import json

    target = settings.changes_dir / version
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(staged), target)
    meta = {"version": version, "base": base, "upserts": upserts, "deletes": deletes,
            "catalogue_records": catalogue_records}
    (target / CHANGES_META).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return target


def read_changes_meta(folder: Path) -> dict | None:
    import json

    try:
        return json.loads((folder / CHANGES_META).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def prune_changes(root: Path, keep: int = CHANGES_KEPT) -> None:
    if not root.is_dir():
        return
    names = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in names[:-keep]:
        catalogue.remove(root / old)


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
    from ingest.progress import Progress
    from ingest.spark import session

    started = time.monotonic()
    files = expand_paths(paths)
    spark = spark or session(settings, "shelfmap ingest")
    options = dict(options or {})
    tasks, chosen = plan_tasks(files, fmt, _split_size(spark, files, settings.split_size),
                               options)
    version = catalogue.next_version([
        *catalogue.version_names(settings.catalogue_dir),
        catalogue.current_version(settings.catalogue_dir) or ""])
    staging_dir = settings.home_path / "staging" / version
    log.info("ingest %d file(s) (%s) in %d task(s) as catalogue version %s", len(files),
             ", ".join(f"{n} {f}" for f, n in sorted(Counter(chosen.values()).items())),
             len(tasks), version)

    tracker = Progress(spark, len(tasks)) if progress else None
    records_done = tracker.records if tracker else None
    tasks_done = tracker.splits if tracker else None
    for kind in _OUTPUTS:
        (staging_dir / kind).mkdir(parents=True)
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
        base = catalogue.current_version(settings.catalogue_dir)
        counts, absent, total = _merge(spark, settings, staging_dir, version, full)
        log.info("merged into %d catalogue record(s) in %.1f s", total,
                 time.monotonic() - started)
        upserts = sum(n for _, o, _, n in counts if o in ("new", "changed"))
        deletes = sum(n for _, o, _, n in counts if o == "deleted") + absent
        changes = publish_changes(settings, staging_dir / "changes", version, base,
                                  upserts=upserts, deletes=deletes, catalogue_records=total)
        catalogue.write_manifest(settings.catalogue_dir / version, {
            "version": version, "base": base, "records": total})
        catalogue.publish(settings.catalogue_dir, version)
    finally:
        shutil.rmtree(staging_dir, ignore_errors=True)
    prune_changes(settings.changes_dir)

    result = report.build(files, counts, version=version, catalogue_records=total,
                          deleted_absent=absent, formats=chosen)
    result["changes"] = str(changes)
    report.write(result, settings.reports_dir / f"ingest-{version}.json")
    report.write(result, settings.reports_dir / "last-ingest.json")
    return result

