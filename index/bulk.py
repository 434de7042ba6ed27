"""The bulk writer that Spark executors call, one partition at a time.

Each executor opens its own client from the settings it was sent and sends its
partition's documents in chunks; only small per-partition counts and the first few
per-document errors travel back to the driver.

Backpressure: a cluster that is busy says so with 429 (write queue full) or 503 (shard
not available yet, node restarting, a proxy shedding load), for a whole request or for
single documents in it. ``elasticsearch.helpers.streaming_bulk`` retries only
per-document 429s, so the chunk loop here is our own: the documents that got a retryable
answer (or the whole chunk, when the request itself got one) are sent again after an
exponentially growing pause, a bounded number of times. Every document ends up counted
as written, not found (a delete of an absent id) or failed with its status and reason;
nothing is dropped silently.

A cluster that does not answer at all (connection refused or reset, no answer in time)
gets a short budget instead: a few retries within :data:`CONNECTION_BUDGET` seconds, then
:class:`index.client.ClusterUnavailable` stops the whole partition. A node restarting
answers again within that time; one that is gone does not, and going on to the next
chunk would only spend the same budget again: issue 10's build against a killed node
ran all 8 backoffs (up to 30 s each) for every 500-document chunk, 22 minutes in all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

import orjson

MAX_ERRORS_KEPT = 100      # per partition; the rest are counted in "failed"
RETRY_STATUSES = frozenset({429, 503})
MAX_CHUNK_BYTES = 20 * 1024 * 1024
# Retries of a chunk after connection errors, and the seconds from its first one after
# which no retry starts: with the default backoff (1, 2, 4, 8 s) a partition gives up
# about 15 s after the cluster stopped answering.
CONNECTION_RETRIES = 4
CONNECTION_BUDGET = 20.0
# What the writer reads of a bulk response: per item only its status and any error
# (the ids come from the actions, in order), a tenth of the full answer's bytes for
# the node to write and the writer to parse.
RESPONSE_PATHS = "items.*.status,items.*.error"


def actions(records: Iterable[dict], index_name: str) -> Iterator[dict]:
    """Index actions for canonical records."""
    from index.documents import document_id, to_document

    for record in records:
        yield {"_op_type": "index", "_index": index_name, "_id": document_id(record),
               "_source": to_document(record)}


def delete_actions(ids: Iterable[str], index_name: str) -> Iterator[dict]:
    for doc_id in ids:
        yield {"_op_type": "delete", "_index": index_name, "_id": doc_id}


def _ndjson(action: dict) -> bytes:
    """The action's bulk lines, serialised once (orjson: the executors share their cores
    with the node when both run on one machine): they size the chunks and are sent as
    they are, also when a chunk is retried."""
    head = {action["_op_type"]: {"_index": action["_index"], "_id": action["_id"]}}
    if action["_op_type"] == "delete":
        return orjson.dumps(head)
    return orjson.dumps(head) + b"\n" + orjson.dumps(action["_source"])


def _chunks(items: Iterable[dict], size: int, max_bytes: int) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    used = 0
    for action in items:
        action["_ndjson"] = _ndjson(action)
        cost = len(action["_ndjson"]) + 2
        if chunk and (len(chunk) >= size or used + cost > max_bytes):
            yield chunk
            chunk, used = [], 0
        chunk.append(action)
        used += cost
    if chunk:
        yield chunk


class Stats:
    """What happened to the documents of one writer."""

    def __init__(self) -> None:
        self.ok = self.failed = self.not_found = self.retries = 0
        self.errors: list[dict] = []

    def fail(self, action: dict, status: int | None, error: object) -> None:
        self.failed += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            if isinstance(error, dict):
                error = f"{error.get('type')}: {error.get('reason')}"
            self.errors.append({"id": action["_id"], "op": action["_op_type"],
                                "status": status, "error": str(error)[:500]})

    def as_dict(self) -> dict:
        return {"ok": self.ok, "failed": self.failed, "not_found": self.not_found,
                "retries": self.retries, "errors": self.errors}


PUSHBACK, LOST, FATAL = "pushback", "lost", "fatal"


def _request_failure(exc: BaseException) -> tuple[int | None, str, str]:
    """(status, reason, kind) of a bulk request that raised: the cluster pushed back
    (429/503), did not answer at all, or refused it for good."""
    from elasticsearch import ApiError
    from elasticsearch import ConnectionError as ESConnectionError
    from elasticsearch import ConnectionTimeout

    if isinstance(exc, ApiError):
        status = exc.meta.status
        return status, f"bulk request answered {status}", (
            PUSHBACK if status in RETRY_STATUSES else FATAL)
    if isinstance(exc, (ESConnectionError, ConnectionTimeout)):
        # The message names the node URL only (credentials travel in headers).
        return None, f"{type(exc).__name__} during the bulk request", LOST
    raise exc


class _Outage:
    """The connection errors since the cluster last answered: how many retries, since
    when (see CONNECTION_*). Chunks go one at a time, so this is the current chunk's."""

    def __init__(self, retries: int, budget: float, clock: Callable[[], float]):
        self.retries, self.budget, self.clock = retries, budget, clock
        self.since: float | None = None
        self.used = 0

    def answered(self) -> None:
        self.since, self.used = None, 0

    def retry(self, pause: float, reason: str) -> None:
        """Account for one more retry after ``pause``; ClusterUnavailable when it is
        over the budget."""
        from index.client import ClusterUnavailable

        now = self.clock()
        if self.since is None:
            self.since = now
        waited = now - self.since
        if self.used >= self.retries or waited + pause > self.budget:
            raise ClusterUnavailable(f"{reason}, {self.used} retries in {waited:.0f} s")
        self.used += 1


def _send(es, chunk: list[dict], stats: Stats, *, max_retries: int, initial_backoff: float,
          max_backoff: float, timeout: str | None, sleep: Callable[[float], None],
          on_retry: Callable[[int, int, str], None] | None, outage: _Outage) -> None:
    from elasticsearch import ApiError, TransportError

    pending = chunk
    pushbacks = 0   # retries after 429/503; the pause grows with every retry of any kind
    attempt = 0
    while True:
        last = pushbacks == max_retries
        pause = min(max_backoff, initial_backoff * 2 ** attempt)
        try:
            params = {"timeout": timeout} if timeout else {}
            body = b"\n".join(a["_ndjson"] for a in pending) + b"\n"
            resp = es.bulk(operations=body, filter_path=RESPONSE_PATHS, **params)
        except (ApiError, TransportError) as exc:
            status, reason, kind = _request_failure(exc)
            if kind == LOST:
                outage.retry(pause, reason)
            elif kind == FATAL or last:
                for action in pending:
                    stats.fail(action, status, reason + (f" (after {attempt} retries)"
                                                         if attempt else ""))
                return
            else:
                outage.answered()  # a 503 from a starting node or a proxy is an answer
                pushbacks += 1
        else:
            outage.answered()
            items = resp.get("items") or []
            if len(items) != len(pending):  # never seen; but no document goes uncounted
                for action in pending:
                    stats.fail(action, None, f"the bulk answer listed {len(items)} items "
                                             f"for {len(pending)} documents")
                return
            again: list[dict] = []
            reason = ""
            for action, item in zip(pending, items):
                detail = next(iter(item.values()))
                status = detail.get("status", 500)
                if 200 <= status < 300:
                    stats.ok += 1
                elif action["_op_type"] == "delete" and status == 404:
                    stats.not_found += 1
                elif status in RETRY_STATUSES and not last:
                    again.append(action)
                    reason = f"{status} {(detail.get('error') or {}).get('type', '')}".strip()
                else:
                    stats.fail(action, status, detail.get("error"))
            if not again:
                return
            pending = again
            pushbacks += 1
        stats.retries += 1
        attempt += 1
        if on_retry is not None:
            on_retry(attempt, len(pending), reason)
        sleep(pause)


def write(es, items: Iterable[dict], *, chunk_size: int = 500,
          max_chunk_bytes: int = MAX_CHUNK_BYTES, max_retries: int = 8,
          initial_backoff: float = 1.0, max_backoff: float = 30.0,
          timeout: str | None = None, sleep: Callable[[float], None] = time.sleep,
          on_retry: Callable[[int, int, str], None] | None = None,
          connection_retries: int = CONNECTION_RETRIES,
          connection_budget: float = CONNECTION_BUDGET,
          clock: Callable[[], float] = time.monotonic) -> dict:
    """Send ``items`` (bulk actions) in chunks with backoff; returns the counts
    ``{"ok", "failed", "not_found", "retries", "errors": [...]}``.

    ``timeout`` is the bulk request's own wait for unavailable shards (Elasticsearch's
    default is 1m); ``on_retry(attempt, documents, reason)`` is told before each pause.
    Raises :class:`index.client.ClusterUnavailable`, and reads no further ``items``,
    once a chunk has had no answer for ``connection_retries`` retries or
    ``connection_budget`` seconds.

    One request at a time, but the next chunk is built while the node works on the
    previous one: a sending thread waits for the answers (and sleeps the pauses).
    """
    stats = Stats()
    outage = _Outage(connection_retries, connection_budget, clock)

    def send(chunk: list[dict]) -> None:
        _send(es, chunk, stats, max_retries=max_retries, initial_backoff=initial_backoff,
              max_backoff=max_backoff, timeout=timeout, sleep=sleep, on_retry=on_retry,
              outage=outage)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="shelfmap-bulk") as sender:
        in_flight = None
        for chunk in _chunks(items, chunk_size, max_chunk_bytes):
            if in_flight is not None:
                in_flight.result()
            in_flight = sender.submit(send, chunk)
        if in_flight is not None:
            in_flight.result()
    return stats.as_dict()


def _write_from_executor(settings: dict, items: Iterable[dict]) -> dict:
    """:func:`write` with a client of the executor's own, from the settings it was sent
    (plus ``log_debug``: the driver runs with ``shelfmap -v``)."""
    from index.client import connect, transport_warnings_as_debug

    transport_warnings_as_debug(show=bool(settings.get("log_debug")))

    # The client itself does not retry: the pauses and their bound are ours (above).
    es = connect(settings, timeout=120, retries=0)
    try:
        return write(es, items, chunk_size=settings.get("bulk_chunk", 500),
                     max_retries=settings.get("bulk_retries", 8))
    finally:
        es.close()


def executor_options(settings) -> dict:
    """What the driver sends its executors: every setting (secrets included: executors
    connect themselves) and whether the driver logs at DEBUG (``shelfmap -v``)."""
    import logging

    return {**settings.as_dict(),
            "log_debug": logging.getLogger("shelfmap").isEnabledFor(logging.DEBUG)}


SUMMARY_SCHEMA = "ok long, failed long, not_found long, retries long, errors string"


def write_batches(batches: Iterable, settings: dict, index_name: str,
                  op: str = "index") -> Iterator:
    """Executor side (``DataFrame.mapInArrow``): index (or, with ``op="delete"``, delete
    by ``id``) one partition's Arrow record batches; yields one summary row.

    Arrow batches, not Spark rows: a batch becomes Python dicts in C (``to_pylist``),
    where a Row is unpickled and converted field by field; on a machine whose cores the
    executors share with the node, that CPU is taken from indexing.
    """
    import pyarrow as pa

    def records():
        for batch in batches:
            yield from batch.to_pylist()

    if op == "delete":
        items = delete_actions((r["id"] for r in records()), index_name)
    else:
        items = actions(records(), index_name)
    stats = _write_from_executor(settings, items)
    yield pa.RecordBatch.from_pylist([{
        "ok": stats["ok"], "failed": stats["failed"], "not_found": stats["not_found"],
        "retries": stats["retries"], "errors": orjson.dumps(stats["errors"]).decode()}])


def row_groups(source) -> list[tuple[str, int]]:
    """(file, row group) of every row group of a Parquet folder, in order: the units in
    which executors read a catalogue for a full build."""
    import pyarrow.dataset as ds

    return [(fragment.path, group.id)
            for fragment in ds.dataset(str(source), format="parquet").get_fragments()
            for group in fragment.row_groups]


def count_rows(source) -> int:
    """Records in a Parquet folder, from its metadata (nothing is read)."""
    import pyarrow.dataset as ds

    return ds.dataset(str(source), format="parquet").count_rows()


def write_row_groups(tasks: Iterable[tuple[str, int]], settings: dict,
                     index_name: str) -> Iterator[dict]:
    """Executor side of a full build: read the given Parquet row groups with pyarrow
    and index their records; yields one summary (see :func:`write`).

    The executors read the catalogue themselves, as the ingest job's executors wrote it:
    a Spark DataFrame would decode the Parquet into JVM rows and encode them again for
    Python, CPU that a node sharing the machine would otherwise index with.
    """
    import pyarrow.parquet as pq

    from ingest.schema import FIELDS

    def records():
        for path, group in tasks:
            with pq.ParquetFile(path) as parquet:
                # A catalogue written before a field existed (kdc) lacks its column:
                # its records read it as missing, which documents fill as empty.
                present = set(parquet.schema_arrow.names)
                columns = [name for name in FIELDS if name in present]
                for batch in parquet.iter_batches(row_groups=[group], columns=columns):
                    yield from batch.to_pylist()

    started = time.monotonic()
    summary = _write_from_executor(settings, actions(records(), index_name))
    summary["seconds"] = round(time.monotonic() - started, 1)
    yield summary


def write_catalogue(spark, source, settings: dict, index_name: str) -> dict:
    """Index every record of the catalogue folder ``source`` from the executors, one
    task per row group; the combined counts (see :func:`combine`).

    Small tasks, handed out as executors free up: a fixed share per executor left one
    of two executors sending alone for the last quarter of a build (the same number of
    records took one 26 s and the other 35 s), while the node had a core to spare.
    """
    groups = row_groups(source)
    if not groups:
        return combine([])
    return combine(spark.sparkContext.parallelize(groups, len(groups)).mapPartitions(
        lambda tasks: write_row_groups(tasks, settings, index_name)).collect())


def write_frame(frame, settings: dict, index_name: str, op: str = "index") -> dict:
    """Send a DataFrame's rows (canonical records, or ``id`` for deletes) from the
    executors; the combined counts (see :func:`combine`)."""
    def run(batches):
        return write_batches(batches, settings, index_name, op)

    summaries = frame.mapInArrow(run, SUMMARY_SCHEMA).collect()
    return combine({**row.asDict(), "errors": orjson.loads(row["errors"])}
                   for row in summaries)


def combine(summaries: Iterable[dict], keep: int = 1000) -> dict:
    """The partitions' summaries added up; at most ``keep`` error details listed and
    the number not listed given, so a report says how many it leaves out."""
    total = {"ok": 0, "failed": 0, "not_found": 0, "retries": 0, "errors": []}
    task_seconds = []
    for s in summaries:
        for key in ("ok", "failed", "not_found", "retries"):
            total[key] += s[key]
        total["errors"].extend(s["errors"])
        if "seconds" in s:
            task_seconds.append(s["seconds"])
    if task_seconds:  # a full build's tasks: how evenly the executors shared the work
        total["task_seconds"] = task_seconds
    listed = total["errors"][:keep]
    total["errors_not_listed"] = total["failed"] - len(listed)
    total["errors"] = listed
    return total
