"""Spark entry point: the catalogue -> a new versioned index -> the alias, atomically.

Executors send the bulk requests (``index.bulk``); the driver creates the index, checks
the document count against the catalogue and only then moves the alias. A build that
fails leaves the alias (and therefore search) exactly as it was.
"""

from __future__ import annotations

import logging
import time

from index import versions

log = logging.getLogger("shelfmap.index")

KEEP_VERSIONS = 2


class IndexBuildError(RuntimeError):
    """The new index is incomplete; it was deleted and the alias left unchanged."""


def build(settings, *, spark=None) -> dict:
    from elasticsearch import ApiError, TransportError

    from index import bulk, mapping
    from index.client import connect
    from ingest import catalogue
    from ingest.spark import session

    started = time.monotonic()
    source = catalogue.current_path(settings.catalogue_dir)
    es = connect(settings)
    alias = settings.index
    name = versions.new_name(alias)
    body = mapping.index_body()
    final_settings = {"refresh_interval": body["settings"].get("index", {}).get("refresh_interval", "1s")}
    # Refresh is switched off while the build fills the index and restored afterwards.
    body["settings"].setdefault("index", {})["refresh_interval"] = "-1"
    es.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
    log.info("building %s from %s", name, source)
    try:
        spark = spark or session(settings, "shelfmap index")
        frame = spark.read.parquet(str(source))
        expected = frame.count()
        options = settings.as_dict()
        stats = frame.rdd.mapPartitions(
            lambda rows: bulk.write_partition(rows, options, name)).collect()
        es.indices.put_settings(index=name, settings={"index": final_settings})
        es.indices.refresh(index=name)
        indexed = es.count(index=name)["count"]
        failed = sum(s["failed"] for s in stats)
        errors = [e for s in stats for e in s["errors"]][: bulk.MAX_ERRORS_KEPT]
        if failed or indexed != expected:
            raise IndexBuildError(
                f"{name}: {indexed} documents indexed, {expected} in the catalogue, "
                f"{failed} rejected; first errors: {errors[:3]}")
    except BaseException:
        try:
            es.indices.delete(index=name)
        except (ApiError, TransportError):  # the original error matters more
            log.warning("could not delete the incomplete index %s", name)
        raise
    previous = versions.swap(es, alias, name)
    pruned = versions.prune(es, alias, keep=KEEP_VERSIONS)
    result = {"alias": alias, "index": name, "previous": previous, "documents": indexed,
              "catalogue": str(source), "pruned": pruned,
              "seconds": round(time.monotonic() - started, 1)}
    log.info("alias %s -> %s (%d documents)", alias, name, indexed)
    return result


def rollback(settings) -> tuple[str, str]:
    from index.client import connect

    return versions.rollback(connect(settings), settings.index)
