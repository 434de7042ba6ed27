"""Permalinks: every view's state lives in its URL."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlencode

from index.queries import SearchParams
from ingest.graph import split_id


def search_href(params: SearchParams) -> str:
    query = params.query_string()
    return f"/?{query}" if query else "/"


def filter_href(name: str, value) -> str:
    """A fresh search filtered on one facet value (links from a record page)."""
    return search_href(SearchParams().with_filter(name, str(value)))


def record_href(record_id: str) -> str:
    return "/record/" + quote(record_id, safe=":")


def with_query(search: str | None, q: str | None) -> str:
    """The current URL's search (``?q=...&subject=...``) with a new query: filters
    stay, the page goes back to 1."""
    args = [(k, v) for k, v in parse_qsl((search or "").lstrip("?"), keep_blank_values=False)
            if k not in ("q", "page")]
    q = (q or "").strip()
    if q:
        args.insert(0, ("q", q))
    query = urlencode(args)
    return f"/?{query}" if query else "/"


# The search filter that holds each kind of topic node (index/facets.py): a node's value
# (ingest.graph.split_id) is exactly the value the facet's field holds, so a search
# filtered by both ends of a link finds exactly the records the link counted.
FILTER_OF_KIND = {"subject": "subject", "author": "author", "class": "class"}


def topic_href(node_id: str) -> str:
    return "/topic/" + quote(node_id, safe=":")


def region_href(region: str | None = None) -> str:
    return "/map?" + urlencode({"region": region}) if region else "/map"


def shared_records_href(a: str, b: str) -> str:
    """The records two topic nodes share: the search filtered by both (filters AND)."""
    (ka, va), (kb, vb) = split_id(a), split_id(b)
    # Built directly rather than by two with_filter steps: a map view makes hundreds.
    return search_href(SearchParams(filters=((FILTER_OF_KIND[ka], va),
                                             (FILTER_OF_KIND[kb], vb))))
