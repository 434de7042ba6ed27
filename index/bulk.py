"""The bulk writer that Spark executors call, one partition at a time.

Each executor opens its own client from the settings it was sent and streams its
partition's documents to Elasticsearch; only small per-partition counts and the first
few per-document errors travel back to the driver.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

MAX_ERRORS_KEPT = 20


def actions(records: Iterable[dict], index_name: str) -> Iterator[dict]:
    from index.documents import document_id, to_document

    for record in records:
        yield {"_op_type": "index", "_index": index_name, "_id": document_id(record),
               "_source": to_document(record)}


def write_partition(rows: Iterable, settings: dict, index_name: str) -> Iterator[dict]:
    """Index one partition's rows; yields one ``{"ok", "failed", "errors"}`` summary."""
    from elasticsearch.helpers import streaming_bulk

    from index.client import connect

    es = connect(settings, timeout=120)
    ok = failed = 0
    errors: list[dict] = []
    records = (row.asDict(recursive=True) for row in rows)
    try:
        for success, item in streaming_bulk(
            es, actions(records, index_name),
            chunk_size=settings.get("bulk_chunk", 500),
            max_chunk_bytes=20 * 1024 * 1024,
            # 429 (the node's write queue is full) is retried with exponential backoff.
            max_retries=8, initial_backoff=1, max_backoff=30,
            raise_on_error=False, raise_on_exception=False,
        ):
            if success:
                ok += 1
                continue
            failed += 1
            if len(errors) < MAX_ERRORS_KEPT:
                detail = next(iter(item.values()), {})
                errors.append({"id": detail.get("_id"), "status": detail.get("status"),
                               "error": str(detail.get("error"))[:500]})
    finally:
        es.close()
    yield {"ok": ok, "failed": failed, "errors": errors}
