"""Next on the shelf: the records before and after one in call-number order.

Every document carries its shelf key (``shelf_key``, made by
:func:`ingest.callnumbers.shelf_key` and declared in ``index.documents.DERIVED``).
:func:`shelf_bodies` (pure) builds the two searches: the ``k`` keys below the record's,
nearest first, and the ``k`` above it, each a ``search_after`` from the record's own
(key, id) on a sort by key then id. The id breaks ties, so records with the same call
number (copies, volumes catalogued alike) still stand in one fixed order, and the
record itself is never its own neighbour. Both stay on the record's scheme's shelf
(a prefix filter on "lcc ", "kdc " or "ddc "). :func:`neighbours` sends them in one
``msearch`` and shapes the answer the API and the record page share.
"""

from __future__ import annotations

from elasticsearch import ApiError, Elasticsearch, TransportError

from index.search import SearchUnavailable
from ingest.callnumbers import record_shelf_key, scheme

FIELD = "shelf_key"
DEFAULT_SIZE = 3
MAX_SIZE = 10
SOURCE_FIELDS: tuple[str, ...] = ("id", "title", "title_original", "year", "lcc", "ddc",
                                  "kdc", "call_number")


def _body(key: str, record_id: str, k: int, order: str) -> dict:
    return {
        "query": {"bool": {"filter": [{"prefix": {FIELD: scheme(key) + " "}}]}},
        # unmapped_type: an index built before the field existed answers with no
        # neighbours instead of failing the record page (`shelfmap index` rebuilds it).
        "sort": [{FIELD: {"order": order, "unmapped_type": "keyword"}},
                 {"id": {"order": order}}],
        "search_after": [key, record_id],
        "size": max(1, min(int(k), MAX_SIZE)),
        "_source": list(SOURCE_FIELDS),
        "track_total_hits": False,
    }


def shelf_bodies(key: str, record_id: str, k: int = DEFAULT_SIZE) -> tuple[dict, dict]:
    """The searches for the ``k`` records before and the ``k`` after (key, id):
    before in descending order (nearest first), after in ascending order."""
    return _body(key, record_id, k, "desc"), _body(key, record_id, k, "asc")


def call_number(source: dict, key_scheme: str) -> str | None:
    """The call number a shelf key was made from, as catalogued (a KDC shelf's is the
    library's own call number when it has one, else the bare KDC number)."""
    if key_scheme == "kdc":
        local = source.get("call_number")
        kdc = source.get("kdc")
        return local if local and kdc and local.startswith(kdc[:3]) else kdc
    return source.get("lcc") if key_scheme == "lcc" else source.get("ddc")


def _item(hit: dict, key_scheme: str) -> dict:
    src = hit.get("_source") or {}
    return {"id": hit["_id"], "title": src.get("title"),
            "title_original": src.get("title_original"), "year": src.get("year"),
            "call_number": call_number(src, key_scheme)}


def empty() -> dict:
    """The answer for a record with no shelf key (no LC call number, KDC or Dewey)."""
    return {"call_number": None, "scheme": None, "before": [], "after": []}


def neighbours(es: Elasticsearch, alias: str, record: dict, k: int = DEFAULT_SIZE) -> dict:
    """``{"call_number", "scheme", "before": [...], "after": [...]}`` for a canonical
    record, each list of ``{"id", "title", "title_original", "year", "call_number"}``
    in shelf order (so
    the last of ``before`` and the first of ``after`` stand next to the record).
    Raises :class:`SearchUnavailable` when the cluster fails."""
    key = record_shelf_key(record)
    if key is None:
        return empty()
    key_scheme = scheme(key)
    answer = {"call_number": call_number(record, key_scheme), "scheme": key_scheme,
              "before": [], "after": []}
    if k < 1:
        return answer
    before, after = shelf_bodies(key, record["id"], k)
    try:
        resp = es.msearch(index=alias, searches=[{}, before, {}, after])
    except (ApiError, TransportError) as exc:
        raise SearchUnavailable(f"shelf on {alias!r} failed: {type(exc).__name__}") from exc
    answers = resp["responses"]
    for one in answers:
        if "error" in one:
            raise SearchUnavailable(f"shelf on {alias!r} failed: "
                                    f"{(one['error'] or {}).get('type', 'error')}")
    below = [_item(h, key_scheme) for h in answers[0]["hits"]["hits"]]
    above = [_item(h, key_scheme) for h in answers[1]["hits"]["hits"]]
    return {**answer, "before": below[::-1], "after": above}
