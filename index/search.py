"""Searching the alias: the API's shapes over an Elasticsearch client.

Each function takes the client and the alias name first; none keeps state. Responses
are shaped here, once, for both the JSON API and the pages.
"""

from __future__ import annotations

import logging

from elasticsearch import ApiError, Elasticsearch, TransportError

from index.facets import FACETS
from index.queries import SearchParams, search_body
from ingest.schema import FIELDS, LIST_FIELDS


# The parts of a search response the API reads: Elasticsearch leaves the rest (shard
# counts, index names, scores, bucket metadata) out of the body it serialises.
RESPONSE_PATHS = ["hits.total", "hits.hits._id", "hits.hits._source", "hits.hits.highlight",
                  "aggregations.*.buckets.key", "aggregations.*.buckets.doc_count"]

log = logging.getLogger("shelfmap.search")

MAX_ID_BYTES = 512  # Elasticsearch's limit on an _id


def possible_id(record_id: str) -> bool:
    """Whether ``record_id`` could name a document (not empty, within the _id limit)."""
    return bool(record_id) and len(record_id.encode("utf-8")) <= MAX_ID_BYTES


class SearchUnavailable(RuntimeError):
    """The cluster did not answer the search (down, alias missing, red index)."""


def _hit(hit: dict, extra_fields: tuple[str, ...]) -> dict:
    src = hit.get("_source") or {}
    out = {
        "id": hit["_id"],
        "title": src.get("title"),
        "authors": src.get("authors") or [],
        "year": src.get("year"),
        "subjects": src.get("subjects") or [],
        "language": src.get("language"),
        "highlight": {name: " ".join(parts) for name, parts in (hit.get("highlight") or {}).items()},
    }
    for name in extra_fields:
        out[name] = src.get(name)
    return out


def _facets(aggs: dict) -> dict:
    out: dict[str, list] = {}
    for facet in FACETS:
        buckets = (aggs.get(facet.name) or {}).get("buckets", [])
        out[facet.name] = [{"value": int(b["key"]) if facet.kind == "histogram" else b["key"],
                            "count": b["doc_count"]} for b in buckets]
    return out


def search(es: Elasticsearch, alias: str, params: SearchParams,
           extra_fields: tuple[str, ...] = ()) -> dict:
    """``{"total", "hits": [...], "facets": {...}}`` exactly as the JSON API returns it.

    ``extra_fields`` adds record fields to each hit (the pages show title_original);
    the API asks for none. Raises :class:`SearchUnavailable` when the cluster fails.
    """
    body = search_body(params, extra_fields)
    try:
        # The shard request cache answers a repeated search (the same body) until the
        # index next refreshes with changes; an alias swap starts a fresh cache.
        resp = es.search(index=alias, request_cache=True, filter_path=RESPONSE_PATHS, **body)
    except (ApiError, TransportError) as exc:
        raise _unavailable("search", alias, exc) from exc
    total = resp["hits"]["total"]
    return {
        "total": total["value"] if isinstance(total, dict) else total,
        "hits": [_hit(h, extra_fields) for h in resp["hits"].get("hits", [])],
        "facets": _facets(resp.get("aggregations") or {}),
    }


def get_record(es: Elasticsearch, alias: str, record_id: str) -> dict | None:
    """The canonical record (the schema's fields, nothing derived), or None if absent."""
    if not possible_id(record_id):
        return None
    try:
        resp = es.get(index=alias, id=record_id, source_includes=list(FIELDS))
    except ApiError as exc:
        if exc.meta.status in (400, 404):
            return None
        raise _unavailable("get", alias, exc) from exc
    except TransportError as exc:
        raise _unavailable("get", alias, exc) from exc
    src = resp.get("_source") or {}
    return {name: src.get(name, [] if name in LIST_FIELDS else None) for name in FIELDS}


def subject_terms(es: Elasticsearch, alias: str, ids: list[str]) -> dict[str, list[str]]:
    """Each found record's ``subject_terms``, by id, in one request; absent ids are left
    out. Raises :class:`SearchUnavailable` when the cluster fails."""
    ids = [i for i in dict.fromkeys(ids) if possible_id(i)]
    if not ids:
        return {}
    try:
        resp = es.mget(index=alias, ids=ids, source_includes=["subject_terms"])
    except (ApiError, TransportError) as exc:
        raise _unavailable("mget", alias, exc) from exc
    return {doc["_id"]: (doc.get("_source") or {}).get("subject_terms") or []
            for doc in resp["docs"] if doc.get("found")}


# What the romanised twin of an original-script heading is looked for in: the field that
# holds it in original script, and the romanised field the graph counts.
ORIGINAL_TWINS = {"subject": ("subjects_original", "subject_terms.raw"),
                  "author": ("authors_original", "authors.raw")}


def original_script_twins(es: Elasticsearch, alias: str, text: str, size: int = 30) -> dict:
    """For a heading or name written in original script (단군, 김 일성): by kind, how
    many records hold it (as a phrase) in original script, and the romanised values
    of that kind those records hold with their counts among them:
    ``{"subject": {"records": n, "values": [{"value", "count"}]}, "author": {...}}``.

    LC's records pair each 880 with its romanised field, but the canonical record keeps
    the two lists apart; the romanised value held by every one of the records is the
    candidate twin (:func:`viz.components.topic_lookup.romanised_twin` picks). One
    request, aggregations only. Raises :class:`SearchUnavailable` when the cluster fails.
    """
    aggs = {kind: {"filter": {"match_phrase": {original: text}},
                   "aggs": {"values": {"terms": {"field": romanised, "size": size}}}}
            for kind, (original, romanised) in ORIGINAL_TWINS.items()}
    query = {"bool": {"should": [{"match_phrase": {original: text}}
                                 for original, _ in ORIGINAL_TWINS.values()],
                      "minimum_should_match": 1}}
    try:
        resp = es.search(index=alias, query=query, aggs=aggs, size=0, request_cache=True)
    except (ApiError, TransportError) as exc:
        raise _unavailable("search", alias, exc) from exc
    found = resp.get("aggregations") or {}
    return {kind: {"records": (found.get(kind) or {}).get("doc_count", 0),
                   "values": [{"value": b["key"], "count": b["doc_count"]} for b in
                              ((found.get(kind) or {}).get("values") or {}).get("buckets", [])]}
            for kind in ORIGINAL_TWINS}


def _unavailable(what: str, alias: str, exc: Exception) -> SearchUnavailable:
    """The error a page or the API turns into "unavailable right now", logged with its
    reason (never the query) so an operator can tell which guard answered; an open
    circuit is not logged again for each request (the breaker logged it opening)."""
    from index.breaker import CircuitOpen

    if isinstance(exc, ApiError):
        detail = str(exc.meta.status)
        reason = f"Elasticsearch answered {exc.meta.status}"
    else:
        detail, reason = type(exc).__name__, unavailable_reason(exc)
    if not isinstance(exc, CircuitOpen):
        log.warning("%s on %r failed: %s", what, alias, reason)
    return SearchUnavailable(f"{what} on {alias!r} failed: {detail}")


def health(es: Elasticsearch, alias: str, graph_version: str | None = None) -> dict:
    """``{"status", "index", "records", "korean", "graph_version"}``, plus ``"reason"``
    when degraded; "degraded", never an exception, when the cluster or the alias is
    missing. ``korean`` says what Korean text gets from the live index's analysis (as
    its build recorded it; ``None`` for an index built before that was recorded).

    The client's own timeout bounds the wait (the app's health client has a short one
    and shares the searches' circuit breaker: while that is open, this answers at once).
    """
    out = {"status": "degraded", "index": None, "records": None, "korean": None,
           "graph_version": graph_version}
    try:
        indices = sorted(es.indices.get_alias(name=alias))
        out["index"] = ",".join(indices) or None
        out["records"] = es.count(index=alias)["count"]
        if len(indices) == 1:
            mappings = es.indices.get_mapping(index=indices[0],
                                              filter_path=["*.mappings._meta.shelfmap.korean"])
            meta = next(iter(dict(mappings).values()), {}).get("mappings", {}).get("_meta", {})
            out["korean"] = meta.get("shelfmap", {}).get("korean")
    except ApiError as exc:
        out["reason"] = (f"no alias {alias!r}" if exc.meta.status == 404
                         else f"Elasticsearch answered {exc.meta.status}")
        return out
    except TransportError as exc:
        out["reason"] = unavailable_reason(exc)
        return out
    if len(indices) != 1:
        out["reason"] = f"the alias {alias!r} points at {len(indices)} indices"
        return out
    out["status"] = "ok"
    return out


def unavailable_reason(exc: TransportError) -> str:
    """A short, credential-free line for why the cluster did not answer."""
    from elastic_transport import ConnectionError as NoConnection
    from elastic_transport import ConnectionTimeout

    from index.breaker import CircuitOpen, Overloaded

    if isinstance(exc, CircuitOpen):
        return f"Elasticsearch has been failing ({exc.message.split(': ', 1)[-1]})"
    if isinstance(exc, Overloaded):
        return "too many requests waiting on Elasticsearch"
    if isinstance(exc, ConnectionTimeout):
        return "Elasticsearch did not answer in time"
    if isinstance(exc, NoConnection):
        return "cannot connect to Elasticsearch"
    return f"Elasticsearch failed: {type(exc).__name__}"
