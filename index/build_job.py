"""Spark entry point: the catalogue -> a new versioned index -> the alias, atomically.

Executors send the bulk requests (``index.bulk``); the driver creates the index (marked
as being built, see ``index.versions``), checks the document count against the
catalogue's (from the Parquet metadata), merges the index down to
``index_merge_segments`` segments, applies its final settings, counts again, marks it
complete with that count and only then moves the alias. A build that fails leaves the
alias (and therefore search) exactly as it was and deletes its own incomplete index;
when it cannot (the cluster went away), the next build does, first thing. While the
index fills it has no replicas and no refresh (nothing searches it yet, and both would
only slow the writes); both are set to their final values (``index_replicas``, the
mapping's refresh interval) after the merge, so replicas copy the merged segments
instead of merging again.

Why merge: a bulk load leaves a dozen segments; searching one segment skips the
per-segment work, and a facet over a single segment needs no mapping of its terms
to global ordinals. On the 250k LoC records it takes the 8-client p95 of distinct
searches from 42 to 32 ms (docs/benchmarks.md).

Every build, good or failed, leaves ``$SHELFMAP_HOME/reports/index-<name>.json``:
counts, retries, the seconds of each phase, and the per-document errors.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
import warnings
from pathlib import Path

from index import versions

log = logging.getLogger("shelfmap.index")


class IndexBuildError(RuntimeError):
    """The new index is incomplete; the alias was left unchanged, and the index deleted
    (or, when the cluster went away, marked so that the next build deletes it)."""


def report_path(settings, name: str) -> Path:
    """Where the report of the build (or update) ``name`` goes."""
    return settings.reports_dir / f"index-{name}.json"


def write_report(settings, name: str, report: dict) -> Path:
    path = report_path(settings, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def merge(es, name: str, segments: int, *, poll: float = 1.0) -> None:
    """Merge the index ``name`` down to at most ``segments`` segments. The merge runs as
    a task of the cluster, polled until done: on a large index it outlasts any sensible
    request timeout."""
    from elasticsearch.exceptions import GeneralAvailabilityWarning

    task = es.indices.forcemerge(index=name, max_num_segments=segments,
                                 wait_for_completion=False)["task"]
    with warnings.catch_warnings():
        # The client marks the task API "technical preview"; it has been stable since 5.x.
        warnings.simplefilter("ignore", GeneralAvailabilityWarning)
        while not (status := es.tasks.get(task_id=task)).get("completed"):
            time.sleep(poll)
    error = status.get("error")
    if error:
        raise IndexBuildError(f"{name}: merging to {segments} segment(s) failed: "
                              f"{error.get('type')}: {error.get('reason')}")


def build(settings, *, spark=None) -> dict:
    """Build a new version from the current catalogue and move the alias to it; returns
    what the command prints (see below). Holds the home's build lock throughout: first
    it removes what killed or failed builds left (``versions.tidy``), which must never
    meet another build's index being written."""
    from index import build_lock

    name = versions.new_name(settings.index)
    builder = build_lock.whoami()
    with build_lock.held(build_lock.path_for(settings.home_path), {**builder, "index": name}):
        return _build(settings, spark, name, builder)


def _build(settings, spark, name: str, builder: dict) -> dict:
    from index import analysis, bulk, mapping, watch
    from index.client import connect
    from ingest import catalogue
    from ingest.spark import session

    started = time.monotonic()
    timings: dict[str, float] = {}
    lap_started = started

    def lap(phase: str) -> None:
        nonlocal lap_started
        now = time.monotonic()
        timings[phase] = round(now - lap_started, 1)
        lap_started = now

    source = catalogue.current_path(settings.catalogue_dir)
    es = connect(settings)
    alias = settings.index
    tidied = versions.tidy(es, alias)
    for gone in tidied["removed"]:
        log.info("removed %s (%s documents), an incomplete version left by an earlier build",
                 gone["index"], gone["documents"])
    live = versions.current(es, alias)
    # The richest analysis the cluster can run (plugins), else the bare-server one.
    chosen = analysis.for_cluster(es)
    analysis_description = chosen["description"]
    body = mapping.index_body(replicas=0, analysis_settings=chosen["analysis"])
    index_settings = body["settings"].setdefault("index", {})
    final_settings = {"refresh_interval": index_settings.get("refresh_interval", "1s"),
                      "number_of_replicas": settings.index_replicas}
    index_settings["refresh_interval"] = "-1"
    body["mappings"]["_meta"] = versions.building_meta(
        source.name, {**builder, "home": str(settings.home)},
        analysis=chosen["variants"], korean=chosen["korean"])
    es.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
    log.info("building %s from %s", name, source)
    report = {"kind": "build", "alias": alias, "index": name,
              "catalogue_version": source.name, "analysis": analysis_description,
              "started": _now(), "status": "failed", "seconds_by_phase": timings,
              "removed_incomplete": tidied["removed"], "adopted": tidied["adopted"]}
    phase, watcher, expected, stats = "prepare", None, None, None
    try:
        expected = bulk.count_rows(source)
        spark = spark or session(settings, "shelfmap index")
        lap("prepare")
        phase = "write"
        with watch.watching(spark, es, name) as watcher:
            options = bulk.executor_options(settings)
            stats = bulk.write_catalogue(spark, source, options, name)
        lap("write")
        report.update(expected=expected, **stats)
        phase = "verify"
        es.indices.refresh(index=name)
        indexed = es.count(index=name)["count"]
        report["indexed"] = indexed
        lap("verify")
        if stats["failed"] or indexed != expected:
            first = "; ".join(f"{e['id']}: {e['status']} {e['error']}"
                              for e in stats["errors"][:3])
            raise IndexBuildError(
                f"{name}: {indexed} documents indexed, {expected} in the catalogue, "
                f"{stats['failed']} rejected (first: {first or 'none'}); the alias "
                f"{alias!r} was left as it was; see {report_path(settings, name)}")
        if settings.index_merge_segments:
            phase = "merge"
            log.info("merging %s to %d segment(s)", name, settings.index_merge_segments)
            merge(es, name, settings.index_merge_segments)
            lap("merge")
        phase = "finish"
        es.indices.put_settings(index=name, settings={"index": final_settings})
        es.indices.refresh(index=name)
        # Counted again as it will be served (merged, final settings): the count it is
        # marked complete with is the one a rollback to it checks.
        indexed = es.count(index=name)["count"]
        if indexed != expected:
            raise IndexBuildError(f"{name}: {indexed} documents after the merge, {expected} "
                                  f"in the catalogue; the alias {alias!r} was left as it was")
        versions.mark_complete(es, name, indexed)
    except BaseException as exc:
        deleted = _delete_incomplete(settings, name)
        failure = _explain(settings, exc, watch.gone_reason(exc, watcher), phase=phase,
                           name=name, alias=alias, live=live,
                           written=_written(stats, watcher, expected), deleted=deleted,
                           report=report_path(settings, name))
        report.update(error=(failure or str(exc))[:2000], failed_in=phase, deleted=deleted)
        write_report(settings, name, report)
        if failure is None:
            raise
        log.debug("the build of %s failed while %s it", name, DOING[phase], exc_info=True)
        raise IndexBuildError(failure) from None
    previous = versions.swap(es, alias, name)
    pruned = versions.prune(es, alias, keep=settings.index_keep)
    lap("live")
    seconds = round(time.monotonic() - started, 1)
    report.update(status="ok", previous=previous, pruned=pruned, seconds=seconds)
    path = write_report(settings, name, report)
    result = {"alias": alias, "index": name, "previous": previous, "documents": indexed,
              "catalogue": str(source), "catalogue_version": source.name,
              "pruned": pruned, "removed_incomplete": tidied["removed"],
              "adopted": tidied["adopted"], "retries": stats["retries"], "report": str(path),
              "seconds": seconds, "seconds_by_phase": timings}
    log.info("alias %s -> %s (%d documents)", alias, name, indexed)
    return result


# What the driver was doing in each phase, for the one line a failure becomes.
DOING = {"prepare": "preparing", "write": "writing", "verify": "verifying",
         "merge": "merging", "finish": "finishing"}


def _delete_incomplete(settings, name: str) -> bool:
    """Delete the failed build's own index if the cluster answers at once; True when it
    did. Otherwise the next build removes it (its ``_meta`` says it never completed)."""
    from elasticsearch import ApiError, TransportError

    from index.client import connect

    es = connect(settings, timeout=5, retries=0)
    try:
        es.indices.delete(index=name)
        return True
    except (ApiError, TransportError):  # the original error matters more
        log.debug("could not delete the incomplete index %s", name, exc_info=True)
        return False
    finally:
        es.close()


def _written(stats: dict | None, watcher, expected: int | None) -> str:
    """How many documents the failed build wrote: the executors' own count once they
    had all finished, else what the index had taken when the watch last had an answer
    (at most a second before the cluster went away; it may include part of a chunk the
    node never acknowledged)."""
    of = f" of {expected:,}" if expected is not None else ""
    if stats is not None:
        return f"{stats['ok']:,}{of} documents had been written"
    return (f"the index had taken {getattr(watcher, 'written', 0):,}{of} documents when "
            "it last answered")


def _explain(settings, exc: BaseException, gone: str | None, *, phase: str, name: str,
             alias: str, live: str | None, written: str, deleted: bool,
             report: Path) -> str | None:
    """The one line a failed build ends with, or None to let ``exc`` speak for itself
    (an IndexBuildError of the checks, an interrupt, a bug)."""
    from elasticsearch import ApiError

    from index import watch
    from index.client import describe_error, endpoint

    if isinstance(exc, (IndexBuildError, KeyboardInterrupt, SystemExit)):
        return None
    if gone is not None:
        what = (f"Elasticsearch at {endpoint(settings)} stopped answering while "
                f"{DOING[phase]} {name} ({gone})")
    elif isinstance(exc, ApiError):
        what = f"{describe_error(settings, exc)} while {DOING[phase]} {name}"
    elif (task := watch.task_failure(exc)) is not None:
        what = f"the Spark job writing {name} failed: {task[0]}: {task[1]}"
    else:
        return None
    left = f"left on {live}" if live else "not created (this was the first build)"
    after = ("the incomplete index was deleted" if deleted else
             f"{name} is incomplete and the next `shelfmap index` removes it")
    return f"{what}; {written}; the alias {alias!r} was {left}; {after}; see {report}"


def rollback(settings) -> tuple[str, str]:
    from index.client import connect

    return versions.rollback(connect(settings), settings.index)
