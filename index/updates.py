"""Incremental index updates: the catalogue's change sets applied to the live index.

Every ingest leaves a change set (``$SHELFMAP_HOME/changes/<catalogue version>/``: ids
with ``upsert`` or ``delete``, and the catalogue version it starts from; see
``ingest.catalogue_job``). The live index records in its ``_meta`` the catalogue
version it reflects (``index.versions.meta``). An update walks the change sets from
that version to the target (the current catalogue, by default), takes each id's last
operation, and from Spark executors indexes the upserted records (read from the target
catalogue version by id) and deletes the rest, in the alias's current concrete index:
no new index version, the alias does not move. Then it refreshes, checks that the
index holds exactly as many documents as the target catalogue, and only then records
the target version in ``_meta``.

Upserts and deletes are idempotent, so an update that fails half-way (the ``_meta``
still names the old version) is simply applied again. An index whose version is not
the start of the change sets (built from another catalogue, rolled back past the
change sets kept, or built before change sets existed) is refused with a clear error:
``shelfmap index`` rebuilds it.

``shelfmap ingest`` calls :func:`after_ingest`: when the alias exists and the changes
touch at most ``index_update_max_fraction`` of the index, they are applied at once
(librarians expect search to show their load); otherwise it says to run ``shelfmap
index`` (a large load is faster and cleaner as a fresh version, which also leaves a
rollback point).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

from index import versions

log = logging.getLogger("shelfmap.index")


class UpdateError(RuntimeError):
    """The change sets could not be applied; the index's recorded version is unchanged."""


class NoLiveIndex(UpdateError):
    """The alias does not exist yet: there is nothing to update."""


class ChangeSetMismatch(UpdateError):
    """The change sets do not start from the catalogue version the live index reflects."""


def _change_sets(changes_dir: Path) -> dict[str, dict]:
    from ingest.catalogue_job import read_changes_meta

    found = {}
    if changes_dir.is_dir():
        for folder in changes_dir.iterdir():
            meta = read_changes_meta(folder) if folder.is_dir() else None
            if meta:
                found[meta["version"]] = meta
    return found


def chain(changes_dir: Path, start: str, target: str) -> list[dict]:
    """The change sets leading from catalogue version ``start`` to ``target``, oldest
    first; :class:`ChangeSetMismatch` when they do not connect."""
    found = _change_sets(changes_dir)
    steps: list[dict] = []
    version = target
    while version != start:
        meta = found.get(version)
        if meta is None:
            known = ", ".join(f"{m['base']} -> {v}" for v, m in sorted(found.items())) or "none"
            raise ChangeSetMismatch(
                f"the live index reflects catalogue version {start}, but no chain of change "
                f"sets leads from there to {target} (missing: the change set of {version}; "
                f"kept: {known}); run `shelfmap index` to build a new version instead")
        steps.append(meta)
        version = meta["base"]
        if version is None:  # the first load ever: its base is an empty catalogue
            raise ChangeSetMismatch(
                f"the live index reflects catalogue version {start}, which is not in the "
                f"history of {target}; run `shelfmap index` to build a new version instead")
    return steps[::-1]


def missing_fields(es, index: str) -> list[str]:
    """Fields of the current mapping (index.mapping) that ``index`` does not map."""
    from index.mapping import properties

    found = es.indices.get_mapping(index=index)
    mapped = next(iter(found.values()))["mappings"].get("properties") or {}
    return sorted(set(properties()) - set(mapped))


def plan(settings, es, version: str | None = None) -> dict:
    """Where the live index stands and what an update would do (no writes)."""
    from ingest import catalogue

    alias = settings.index
    live = versions.current(es, alias)
    if live is None:
        raise NoLiveIndex(f"the alias {alias!r} does not exist yet: run `shelfmap index` "
                          "to build the first index")
    missing = missing_fields(es, live)
    if missing:
        raise ChangeSetMismatch(
            f"the live index {live} was built before the mapping gained "
            f"{', '.join(missing)}; its strict mapping would refuse every upserted record. "
            "Run `shelfmap index` to build a new version with the current mapping")
    indexed = versions.meta(es, live).get("catalogue_version")
    if indexed is None:
        raise ChangeSetMismatch(f"the live index {live} does not record which catalogue "
                                "version it reflects (built before incremental updates); "
                                "run `shelfmap index` to build a new version")
    if version is None:
        target = catalogue.current_version(settings.catalogue_dir)
        if target is None:
            raise catalogue.NoCatalogue(f"no catalogue in {settings.catalogue_dir}")
        steps = [] if target == indexed else chain(settings.changes_dir, indexed, target)
    else:
        meta = _change_sets(settings.changes_dir).get(version)
        if meta is None:
            raise ChangeSetMismatch(f"no change set for catalogue version {version} in "
                                    f"{settings.changes_dir}")
        if meta["base"] != indexed:
            raise ChangeSetMismatch(
                f"the change set of catalogue version {version} starts from version "
                f"{meta['base']}, but the live index {live} reflects version {indexed}; "
                f"applying it would leave the index out of step with the catalogue. Run "
                f"`shelfmap index --update` (without a version) to apply the whole chain, "
                f"or `shelfmap index` to rebuild")
        target, steps = version, [meta]
    if steps and not (settings.catalogue_dir / target).is_dir():
        raise ChangeSetMismatch(f"catalogue version {target} is no longer kept; run "
                                "`shelfmap index` to build from the current catalogue")
    return {"alias": alias, "index": live, "from": indexed, "to": target,
            "steps": [m["version"] for m in steps],
            "changes": sum(m["upserts"] + m["deletes"] for m in steps),
            "documents": es.count(index=live)["count"]}


def apply(settings, *, spark=None, version: str | None = None) -> dict:
    """Bring the live index to catalogue ``version`` (default: the current catalogue).

    Returns the report (also written to ``reports/index-<index>-update-<version>.json``);
    raises :class:`UpdateError` subclasses when the index cannot follow.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from index import build_job, bulk, watch
    from index.build_job import write_report
    from index.client import connect
    from ingest.spark import session

    started = time.monotonic()
    es = connect(settings)
    step = plan(settings, es, version)
    live, target = step["index"], step["to"]
    report = {"kind": "update", **step, "status": "up to date"}
    if not step["steps"]:
        return report
    log.info("updating %s from catalogue %s to %s (%d change set(s))", live, step["from"],
             target, len(step["steps"]))
    spark = spark or session(settings, "shelfmap index update")
    frames = [spark.read.parquet(str(settings.changes_dir / v)).withColumn("_step", F.lit(i))
              for i, v in enumerate(step["steps"])]
    changes = frames[0]
    for frame in frames[1:]:
        changes = changes.unionByName(frame)
    last = Window.partitionBy("id").orderBy(F.desc("_step"))
    latest = (changes.withColumn("_rank", F.row_number().over(last))
              .where(F.col("_rank") == 1).select("id", "op"))
    records = spark.read.parquet(str(settings.catalogue_dir / target))
    upserts = records.join(latest.where(F.col("op") == "upsert").select("id"), "id",
                           "left_semi")
    deletes = latest.where(F.col("op") == "delete").select("id")
    options = bulk.executor_options(settings)
    name = f"{live}-update-{target}"
    watcher = None
    try:
        # Watched as a build is: a cluster that goes away stops the update within a
        # minute (index.watch), and the update is simply run again.
        with watch.watching(spark, es, live) as watcher:
            deleted = bulk.write_frame(deletes, options, live, op="delete")
            upserted = bulk.write_frame(upserts, options, live)
        stats = bulk.combine([deleted, upserted])
        es.indices.refresh(index=live)
        expected = records.count()
        indexed = es.count(index=live)["count"]
    except Exception as exc:
        failure = _explain(settings, exc, watcher, live, step["from"],
                           build_job.report_path(settings, name))
        if failure is None:
            raise
        report.update(status="failed", error=failure,
                      seconds=round(time.monotonic() - started, 1))
        write_report(settings, name, report)
        log.debug("the update of %s failed", live, exc_info=True)
        raise UpdateError(failure) from None
    report.update(stats, expected=expected, indexed=indexed, status="failed",
                  seconds=round(time.monotonic() - started, 1))
    if stats["failed"] or indexed != expected:
        report["error"] = (f"{live}: {indexed} documents after the update, {expected} in "
                           f"catalogue version {target}, {stats['failed']} rejected")
        path = write_report(settings, name, report)
        raise UpdateError(report["error"] + f"; the index still records version "
                          f"{step['from']} (run the update again, or `shelfmap index`); "
                          f"see {path}")
    previous = versions.meta(es, live)
    # The new count too: a rollback to this index later checks it still holds it.
    versions.set_meta(es, live, catalogue_version=target, documents=indexed,
                      updated=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                      updates=int(previous.get("updates", 0)) + 1)
    report["status"] = "updated"
    report["report"] = str(write_report(settings, name, report))
    log.info("%s now reflects catalogue %s (%d documents)", live, target, indexed)
    return report


def _explain(settings, exc: BaseException, watcher, live: str, recorded: str,
             report: Path) -> str | None:
    """The one line a failed update ends with when the cluster went away or a Spark task
    failed; None to let ``exc`` speak for itself."""
    from index import watch
    from index.client import endpoint

    gone = watch.gone_reason(exc, watcher)
    if gone is not None:
        what = (f"Elasticsearch at {endpoint(settings)} stopped answering while updating "
                f"{live} ({gone})")
        again = "once the cluster answers, run `shelfmap index --update` again"
    elif (task := watch.task_failure(exc)) is not None:
        what = f"the Spark job updating {live} failed: {task[0]}: {task[1]}"
        again = "an update is safe to run again"
    else:
        return None
    written = getattr(watcher, "written", 0)
    return (f"{what}; the index had taken {written:,} writes and deletes when it last "
            f"answered; it still records catalogue version {recorded} ({again}); see "
            f"{report}")


def after_ingest(settings, *, spark=None) -> dict:
    """What ``shelfmap ingest`` does for search after a load: apply the changes when the
    alias exists and they are small, else say why not. Never raises for a missing or
    unreachable index (the load itself succeeded); returns ``{"action", "message", ...}``."""
    from elasticsearch import ApiError, TransportError

    from index.client import connect, describe_error

    es = connect(settings, timeout=10, retries=0)
    try:
        step = plan(settings, es)
    except NoLiveIndex:
        return {"action": "none", "message": f"no index yet: run `shelfmap index` to make "
                f"the catalogue searchable under {settings.index!r}"}
    except ChangeSetMismatch as exc:
        return {"action": "rebuild", "message": str(exc)}
    except (ApiError, TransportError) as exc:
        return {"action": "none", "message": describe_error(settings, exc)
                + "; search not updated: once it answers, run `shelfmap index --update` "
                "(or `shelfmap index` if there is no index yet)"}
    finally:
        es.close()
    if not step["steps"]:
        return {"action": "none", "message": f"{step['index']} is up to date"}
    limit = settings.index_update_max_fraction * max(step["documents"], 1)
    if step["changes"] > limit:
        return {"action": "rebuild", **step,
                "message": f"{step['changes']:,} changes against {step['documents']:,} "
                f"indexed documents (more than index_update_max_fraction="
                f"{settings.index_update_max_fraction}): run `shelfmap index` to build a "
                f"new version (or `shelfmap index --update` to apply them in place)"}
    done = apply(settings, spark=spark)
    return {"action": "updated", **done,
            "message": f"{done['index']} updated in place to catalogue {done['to']}: "
            f"{done['ok']:,} written, {done['not_found']:,} deletes of absent ids, "
            f"{done['indexed']:,} documents"}
