"""Spark entry point: MARC sources -> canonical records -> the Parquet catalogue.

The driver plans record-aligned splits from file sizes; executors read and map the
records (``ingest.marc``) and write one staging table holding, per record, either the
canonical record or its quarantine entry. Everything after that (quarantine, duplicate
ids, new/changed/unchanged against the previous catalogue, the merged new catalogue,
the report's counts) is computed by Spark from the staging table; only the small
per-file counts reach the driver.

All of it is written aside, in ``$SHELFMAP_HOME/staging/<version>/``: the new version
is checked there (ingest.checks), marked complete, and only then published
(ingest.publish). A load that fails or is killed has changed nothing a reader sees.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa

from ingest import (catalogue, checks, crashpoint, lock, publish, quarantine, recovery,
                    report, schema, splits)
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


class Merged(NamedTuple):
    """What the merge decided and wrote."""

    counts: list[tuple[str, str, str | None, int]]   # (file, outcome, reason, n)
    absent: int              # records a full reload no longer has (deleted)
    deleted_existing: int    # deletion notices for ids the previous version held
    found: checks.Census     # what the new version holds



def _conformed(frame):
    """A catalogue version as the current schema reads it: a field added since it was
    written (kdc, kdc_division, call_number) is there, empty, so the version's records
    carry on into the next one unchanged (their content hashes leave such empty fields
    out: ingest.schema.content_hash)."""
    from pyspark.sql import functions as F

    for field in schema.spark_schema().fields:
        if field.name not in frame.columns:
            frame = frame.withColumn(field.name, F.lit(None).cast(field.dataType))
    return frame


def _merge(spark, staging_dir: Path, previous_path: Path | None, full: bool) -> Merged:
    """Decide every record's outcome from the narrow staging table and write, in
    ``staging_dir``, the new catalogue version (``catalogue/``: the previous one minus
    what this load touched, plus the load's records) and the load's change set
    (``changes/``: id, op)."""
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    outcomes = spark.read.parquet(str(staging_dir / "outcomes"))
    good = outcomes.where(F.col("kind") != "error")
    # The same id twice in one load (records or deletions): the last occurrence (file
    # order, then byte offset) wins, deterministically; the others are duplicates.
    latest = Window.partitionBy("key").orderBy(F.desc("file_index"), F.desc("offset"))
    ranked = good.withColumn("_rank", F.row_number().over(latest))

    if previous_path is not None:
        previous = _conformed(spark.read.parquet(str(previous_path)))
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
        # "existed": rows whose id the previous version holds (count skips nulls);
        # for deletion notices, the records this load removes.
        by_outcome = classified.groupBy("source_file", "_outcome").agg(
            F.count("*").alias("n"), F.count("_previous_hash").alias("existed")).collect()
        deleted_existing = sum(r["existed"] for r in by_outcome if r["_outcome"] == "deleted")
        counts = [
            (r["source_file"], r["_outcome"], None, r["n"]) for r in by_outcome
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

        target = publish.staged_version(staging_dir)
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
            # Hidden files are what failed task attempts left: renamed, they would
            # be read as records (a retried task wrote its own, complete file).
            for part in records_dir.iterdir():
                if not part.name.startswith("."):
                    os.rename(part, target / f"load-{part.name}")
        found = checks.census(spark.read.parquet(str(target)))
    finally:
        classified.unpersist()
    return Merged(counts, absent, deleted_existing, found)


# --- the change set ---------------------------------------------------------------
# Each load leaves $SHELFMAP_HOME/changes/<catalogue version>/: Parquet rows (id, op)
# with op "upsert" (new or changed: the record is read back from that catalogue version
# by id) or "delete" (a deletion notice, or absent from a full reload), plus
# CHANGES_META naming the catalogue version it starts from. Spark skips files whose
# names start with "_", so the folder still reads as plain Parquet.
CHANGES_META = "_shelfmap.json"
CHANGES_KEPT = 20  # change sets are ids only; an index further behind is rebuilt


def write_changes_meta(folder: Path, version: str, base: str | None, *,
                       upserts: int, deletes: int, catalogue_records: int) -> None:
    """Name the change set staged in ``folder``; it is then published whole, with one
    rename (ingest.publish)."""
    import json

    meta = {"version": version, "base": base, "upserts": upserts, "deletes": deletes,
            "catalogue_records": catalogue_records}
    catalogue.write_durably(folder / CHANGES_META, json.dumps(meta, indent=2) + "\n")


def read_changes_meta(folder: Path) -> dict | None:
    import json

    try:
        return json.loads((folder / CHANGES_META).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def prune_changes(root: Path, keep: int = CHANGES_KEPT) -> None:
    for old in catalogue.version_names(root)[:-keep]:
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

    One load at a time per home: a second one raises ``lock.Busy`` at once. What a
    killed or failed load left is cleaned up first (ingest.recovery); the report says
    so under ``recovery``.
    """
    started = time.monotonic()
    files = expand_paths(paths)
    with lock.hold(settings.home_path / lock.INGEST, "shelfmap ingest"):
        recovered = recovery.recover(settings, "catalogue", recovery.catalogue_findings(settings))
        return _load(settings, files, fmt=fmt, default_source=default_source, full=full,
                     options=options, spark=spark, progress=progress, recovered=recovered,
                     started=started)


def _load(settings, files: list[str], *, fmt: str, default_source: str, full: bool,
          options: dict | None, spark, progress: bool, recovered: dict | None,
          started: float) -> dict:
    from ingest.progress import Progress
    from ingest.spark import session

    spark = spark or session(settings, "shelfmap ingest")
    options = dict(options or {})
    tasks, chosen = plan_tasks(files, fmt, _split_size(spark, files, settings.split_size),
                               options)
    version = catalogue.next_version(_versions_seen(settings))
    staging_dir = publish.staging_root(settings) / version
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
        read = sum(stage_counts)
        log.info("read %d record(s) in %.1f s", read, time.monotonic() - started)
        base = catalogue.current_version(settings.catalogue_dir)
        base_path = settings.catalogue_dir / base if base else None
        merged = _merge(spark, staging_dir, base_path, full)
        log.info("merged into %d catalogue record(s) in %.1f s", merged.found.records,
                 time.monotonic() - started)
        result = report.build(files, merged.counts, version=version,
                              catalogue_records=merged.found.records,
                              deleted_absent=merged.absent, formats=chosen)
        result["changes"] = str(settings.changes_dir / version)
        if recovered:
            result["recovery"] = recovered
        _check_and_mark_complete(staging_dir, result, merged, read=read, base=base,
                                 previous=_records_in(base_path) if base_path else 0)
        crashpoint.reached("publish:manifest")
        result = publish.publish_load(settings, staging_dir)
    finally:
        shutil.rmtree(staging_dir, ignore_errors=True)
    prune_changes(settings.changes_dir)
    return result


def _versions_seen(settings) -> list[str]:
    """Every version name in use under the home, so that a new one sorts after all."""
    roots = (settings.catalogue_dir, publish.staging_root(settings), settings.quarantine_dir,
             settings.changes_dir)
    return [*(n for root in roots for n in catalogue.version_names(root)),
            catalogue.current_version(settings.catalogue_dir) or ""]


def _records_in(version_path: Path) -> int:
    """Records of a published version: its manifest says (it was checked); a version
    published before manifests existed is counted from its Parquet footers."""
    manifest = catalogue.read_manifest(version_path)
    return int(manifest["records"]) if manifest else checks.parquet_rows(version_path)


def _check_and_mark_complete(staging_dir: Path, result: dict, merged: Merged, *,
                             read: int, base: str | None, previous: int) -> None:
    """Run the checks on the staged version; mark it and its change set complete, or
    raise IngestError saying what failed (nothing is published then)."""
    version = staging_dir.name
    quarantine_rows = checks.parquet_rows(staging_dir / "errors")
    found = merged.found
    failed = checks.problems(read=read, written=result["written"],
                             quarantined=result["quarantined"],
                             quarantine_rows=quarantine_rows, previous=previous,
                             new=result["new"], deleted_existing=merged.deleted_existing,
                             absent=merged.absent, found=found)
    if failed:
        raise IngestError(f"catalogue version {version} failed its checks and was not "
                          f"published ({base or 'no catalogue'} stays current): "
                          + "; ".join(failed))
    write_changes_meta(staging_dir / "changes", version, base,
                       upserts=result["new"] + result["changed"], deletes=result["deleted"],
                       catalogue_records=found.records)
    catalogue.write_manifest(publish.staged_version(staging_dir), {
        "version": version, "base": base, "records": found.records,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "checks": {"read": read, "quarantine_rows": quarantine_rows, "previous": previous,
                   "deleted_existing": merged.deleted_existing, "ids": found.ids},
        "report": result,
    })

