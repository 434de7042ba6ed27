"""Zero-downtime reindex on the real node: search traffic never sees an empty or partial
index while a build runs and the alias moves; rollback; pruning; a failed build leaves
search alone; the bulk writer's backpressure against real 503s."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from elasticsearch import ApiError, ConnectionError as ESConnectionError
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig

from index import build_job, bulk, versions
from index.client import connect
from index.queries import SearchParams
from index.search import search
from ingest import catalogue_job, splits

from .conftest import LOC_10000, TEST_ES_PORT

pytestmark = [pytest.mark.es, pytest.mark.spark]

CLI = Path(sys.executable).with_name("shelfmap")
QUERY = SearchParams(q="history")
RAW_QUERY = {"match": {"title": "history"}}


def _small_catalogue(settings, spark, tmp_path, n: int) -> None:
    records = []
    for _, raw in splits.read_file(str(LOC_10000)):
        records.append(raw)
        if len(records) == n:
            break
    source = tmp_path / f"first-{n}.mrc"
    source.write_bytes(b"".join(records))
    catalogue_job.run(settings, [str(source)], spark=spark)


def _drop(es, alias: str) -> None:
    for name in versions.versions(es, alias):
        es.indices.delete(index=name)


def _cli(settings, *argv: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SHELFMAP_HOME": settings.home,
           "SHELFMAP_ES_PORT": str(TEST_ES_PORT), "SHELFMAP_INDEX": settings.index}
    env.update({k: v for k, v in os.environ.items()
                if k in ("SHELFMAP_ES_URL", "SHELFMAP_ES_API_KEY", "SHELFMAP_ES_USER",
                         "SHELFMAP_ES_PASSWORD", "SHELFMAP_ES_CA")})
    return subprocess.run([str(CLI), *argv], env=env, capture_output=True, text=True,
                          timeout=300)


class Traffic(threading.Thread):
    """Searches the alias without pause, as the app would, and keeps every answer."""

    def __init__(self, settings):
        super().__init__(daemon=True)
        self.es = connect(settings, retries=0)
        self.alias = settings.index
        self.stop = threading.Event()
        self.answers: list[tuple[str, int, str | None]] = []   # (kind, total, index)
        self.errors: list[str] = []
        self.rounds: list[float] = []   # when each round of three queries finished

    def run(self):
        while not self.stop.is_set():
            try:
                # The app's own search (facets and all) ...
                self.answers.append(("app", search(self.es, self.alias, QUERY)["total"], None))
                # ... and a raw one that also says which concrete index answered.
                resp = self.es.search(index=self.alias, query=RAW_QUERY, size=1,
                                      track_total_hits=True)
                hits = resp["hits"]["hits"]
                self.answers.append(("raw", resp["hits"]["total"]["value"],
                                     hits[0]["_index"] if hits else None))
                self.answers.append(("count", self.es.count(index=self.alias)["count"], None))
                self.rounds.append(time.monotonic())
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                self.errors.append(repr(exc))


def test_reindex_under_continuous_search_traffic(indexed_settings, es, spark):
    settings = indexed_settings
    alias = settings.index
    before = versions.current(es, alias)
    expected = search(es, alias, QUERY)["total"]
    expected_raw = es.search(index=alias, query=RAW_QUERY, size=0,
                             track_total_hits=True)["hits"]["total"]["value"]
    assert expected > expected_raw > 0

    traffic = Traffic(settings)
    traffic.start()
    time.sleep(1.0)
    started = time.monotonic()
    built = build_job.build(settings, spark=spark)
    finished = time.monotonic()
    time.sleep(1.0)
    traffic.stop.set()
    traffic.join(timeout=30)

    kinds = {kind: [t for k, t, _ in traffic.answers if k == kind]
             for kind in ("app", "raw", "count")}
    served_by = {i for k, _, i in traffic.answers if k == "raw"}
    during = [t for t in traffic.rounds if started <= t <= finished]
    gap = max(b - a for a, b in zip(traffic.rounds, traffic.rounds[1:]))
    print(f"\nreindex under traffic: {len(traffic.answers)} queries "
          f"({', '.join(f'{k} {len(v)}' for k, v in kinds.items())}), "
          f"{len(during)} rounds during the {finished - started:.1f} s build, longest "
          f"pause {gap:.2f} s, {len(traffic.errors)} errors, served by {served_by}")
    assert traffic.errors == []
    assert len(during) >= 20 and gap < 5.0     # the traffic did not stall meanwhile
    assert set(kinds["app"]) == {expected} and set(kinds["raw"]) == {expected_raw}
    assert set(kinds["count"]) == {10000}
    # The traffic saw the old index and then the new one: it spanned the swap.
    assert served_by == {before, built["index"]}

    assert versions.current(es, alias) == built["index"] and built["previous"] == before
    assert built["documents"] == 10000
    report = json.loads(Path(built["report"]).read_text(encoding="utf-8"))
    assert (report["status"], report["ok"], report["failed"], report["indexed"]) == (
        "ok", 10000, 0, 10000)
    # Relaxed while writing, restored after: replicas as configured, refresh back on.
    index_settings = es.indices.get_settings(index=built["index"])[built["index"]]["settings"]
    assert index_settings["index"]["number_of_replicas"] == str(settings.index_replicas)
    assert index_settings["index"].get("refresh_interval", "1s") != "-1"
    meta = versions.meta(es, built["index"])
    assert meta["catalogue_version"] == built["catalogue_version"]
    # Marked complete, with the count it is served with, only after all the checks.
    assert (meta["state"], meta["documents"]) == ("complete", 10000)
    # Merged to index_merge_segments (1) before the alias moved; each phase timed.
    segments = es.indices.segments(index=built["index"])["indices"][built["index"]]["shards"]
    assert [len(copy["segments"]) for copy in segments["0"]] == [settings.index_merge_segments]
    assert list(report["seconds_by_phase"]) == ["prepare", "write", "verify", "merge", "live"]
    assert report["seconds_by_phase"] == built["seconds_by_phase"]

    # Rollback through the command librarians use: the alias returns to the old index.
    done = _cli(settings, "index", "--rollback")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"alias {alias}: {built['index']} -> {before}"
    assert versions.current(es, alias) == before
    assert es.count(index=alias)["count"] == 10000
    # Nothing older than the oldest version: rollback says so in one line.
    again = _cli(settings, "index", "--rollback")
    assert again.returncode == 2
    assert again.stderr.strip().startswith(
        f"error: no complete index version of '{alias}' older than")


def test_pruning_keeps_index_keep_versions_and_never_the_live_one(es_settings, es, spark,
                                                                  tmp_path):
    settings = es_settings.replace(home=str(tmp_path / "home"), index="shelfmap-prune")
    _small_catalogue(settings, spark, tmp_path, 200)
    try:
        names = [build_job.build(settings, spark=spark)["index"] for _ in range(3)]
        assert versions.versions(es, settings.index) == names[1:]        # index_keep = 2
        assert versions.current(es, settings.index) == names[2]

        wider = settings.replace(index_keep=3, index_merge_segments=0)
        built = build_job.build(wider, spark=spark)
        assert "merge" not in built["seconds_by_phase"]        # 0: left as written
        names.append(built["index"])
        assert versions.versions(es, settings.index) == names[1:]

        # Rolled back to the oldest kept version: pruning spares it, whatever its age.
        versions.swap(es, settings.index, names[1])
        assert versions.prune(es, settings.index, keep=2) == []
        assert versions.prune(es, settings.index, keep=1) == [names[2]]
        assert versions.versions(es, settings.index) == [names[1], names[3]]
        assert es.count(index=settings.index)["count"] == 200
        with pytest.raises(versions.NoPreviousVersion, match="older than"):
            versions.rollback(es, settings.index)
    finally:
        _drop(es, settings.index)


def test_a_failed_build_leaves_the_alias_and_deletes_its_index(es_settings, es, spark,
                                                               tmp_path):
    """The cause is real and deterministic: an index template on the cluster (an
    operator's maintenance template, say) puts a write block on every new index matching
    ``<alias>-*``. Elasticsearch then rejects each bulk item with a 403
    cluster_block_exception: the build counts 0 documents of 120, reports the rejections
    per document, deletes the empty index and leaves search on the previous one."""
    settings = es_settings.replace(home=str(tmp_path / "home"), index="shelfmap-fail")
    _small_catalogue(settings, spark, tmp_path, 120)
    template = "shelfmap-fail-write-block"
    try:
        good = build_job.build(settings, spark=spark)["index"]
        es.indices.put_index_template(name=template, index_patterns=["shelfmap-fail-*"],
                                      priority=500,
                                      template={"settings": {"index.blocks.write": True}})
        with pytest.raises(build_job.IndexBuildError) as caught:
            build_job.build(settings, spark=spark)
        assert "0 documents indexed, 120 in the catalogue, 120 rejected" in str(caught.value)
        assert versions.current(es, settings.index) == good
        assert versions.versions(es, settings.index) == [good]
        assert es.count(index=settings.index)["count"] == 120

        (path,) = [p for p in Path(settings.reports_dir).glob("index-shelfmap-fail-*.json")
                   if json.loads(p.read_text())["status"] == "failed"]
        report = json.loads(path.read_text(encoding="utf-8"))
        assert (report["failed"], report["ok"], report["deleted"]) == (120, 0, True)
        # Kept per document up to bulk.MAX_ERRORS_KEPT per partition; the rest counted.
        assert len(report["errors"]) + report["errors_not_listed"] == 120
        assert len(report["errors"]) >= min(120, bulk.MAX_ERRORS_KEPT)
        assert {e["status"] for e in report["errors"]} == {403}
        assert all("cluster_block_exception" in e["error"] for e in report["errors"])
    finally:
        es.options(ignore_status=404).indices.delete_index_template(name=template)
        _drop(es, settings.index)


def test_a_failed_merge_names_the_index_and_the_reason(es):
    # Asked of a missing index, the cluster runs the merge task and fails it.
    with pytest.raises(build_job.IndexBuildError,
                       match=r"shelfmap-no-such-index: merging to 1 segment\(s\) failed: "
                             r"index_not_found_exception"):
        build_job.merge(es, "shelfmap-no-such-index", 1, poll=0.1)


# --- backpressure ----------------------------------------------------------------------

def _docs(name: str, n: int) -> list[dict]:
    return [{"_op_type": "index", "_index": name, "_id": f"doc-{i}",
             "_source": {"title": f"record {i}"}} for i in range(n)]


def test_bulk_retries_real_503s_until_the_shard_is_there(es):
    """A new index whose only shard may not be allocated (an allocation filter naming no
    node) answers each bulk item with 503 unavailable_shards_exception once the request's
    timeout passes; the writer pauses and retries. Lifting the filter at the first retry
    lets the second attempt through."""
    name = "shelfmap-backpressure-retry"
    es.indices.create(index=name, wait_for_active_shards="0", settings={
        "number_of_shards": 1, "number_of_replicas": 0,
        "index.routing.allocation.include._name": "no-such-node"})
    seen: list[tuple[int, int, str]] = []

    def lift(attempt, documents, reason):
        seen.append((attempt, documents, reason))
        if attempt == 1:
            es.indices.put_settings(index=name, settings={
                "index.routing.allocation.include._name": None})
            es.cluster.health(index=name, wait_for_status="green", timeout="30s")

    try:
        done = bulk.write(es, _docs(name, 30), chunk_size=10, timeout="1s",
                          initial_backoff=0.1, on_retry=lift)
        es.indices.refresh(index=name)
        assert (done["ok"], done["failed"], done["retries"]) == (30, 0, 1)
        assert seen == [(1, 10, "503 unavailable_shards_exception")]
        assert es.count(index=name)["count"] == 30
    finally:
        es.indices.delete(index=name)


def test_bulk_gives_up_after_its_retries_and_reports_every_document(es):
    name = "shelfmap-backpressure-give-up"
    es.indices.create(index=name, wait_for_active_shards="0", settings={
        "number_of_shards": 1, "number_of_replicas": 0,
        "index.routing.allocation.include._name": "no-such-node"})
    pauses: list[float] = []
    try:
        done = bulk.write(es, _docs(name, 4), timeout="200ms", max_retries=2,
                          initial_backoff=0.05, sleep=lambda s: (pauses.append(s), time.sleep(s)))
        assert (done["ok"], done["failed"], done["retries"]) == (0, 4, 2)
        assert pauses == [0.05, 0.1]
        assert [e["id"] for e in done["errors"]] == [f"doc-{i}" for i in range(4)]
        assert {e["status"] for e in done["errors"]} == {503}
        assert all(e["error"].startswith("unavailable_shards_exception") for e in done["errors"])
    finally:
        es.indices.delete(index=name)


class _Busy:
    """The client interface bulk.write uses (``bulk(operations=...)``), answering with the
    pushbacks a loaded cluster or its proxy gives: a dropped connection, a whole-request
    503, then a 429 for one document. (A real node cannot be made to do these on cue.)"""

    def __init__(self):
        self.calls: list[int] = []

    def bulk(self, operations, **params):
        # bulk.write sends the NDJSON body it serialised once: one line per element.
        operations = [json.loads(line) for line in operations.splitlines() if line]
        self.calls.append(len(operations))
        node = NodeConfig("http", "127.0.0.1", 9)
        if len(self.calls) == 1:
            raise ESConnectionError("connection reset by peer")
        if len(self.calls) == 2:
            meta = ApiResponseMeta(status=503, http_version="1.1", headers=HttpHeaders(),
                                   duration=0.0, node=node)
            raise ApiError("service unavailable", meta=meta, body={})
        heads = operations[::2]
        items = []
        for i, head in enumerate(heads):
            status = 429 if len(self.calls) == 3 and i == 0 else 201
            items.append({"index": {"_id": head["index"]["_id"], "status": status,
                                    **({"error": {"type": "es_rejected_execution_exception",
                                                  "reason": "queue full"}}
                                       if status == 429 else {})}})
        return {"errors": any(it["index"]["status"] != 201 for it in items), "items": items}


def test_bulk_backs_off_on_connection_loss_503_and_429():
    busy, pauses = _Busy(), []
    done = bulk.write(busy, _docs("x", 3), initial_backoff=1, max_backoff=3,
                      sleep=pauses.append)
    assert (done["ok"], done["failed"], done["retries"]) == (3, 0, 3)
    assert pauses == [1, 2, 3]                       # doubled, capped at max_backoff
    assert busy.calls == [6, 6, 6, 2]                # the last retry resends only doc-0
