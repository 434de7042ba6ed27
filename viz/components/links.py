"""Permalinks: every view's state lives in its URL."""

from __future__ import annotations

import functools
from urllib.parse import quote, urlencode

from index.queries import SearchParams
from ingest.graph import split_id
from viz.i18n import with_lang

# Every address a page makes carries the interface language the visitor chose
# (``?lang=ko``: viz/i18n.py), and none when the browser's own preference chose it.


def home_href() -> str:
    return with_lang("/")


def search_href(params: SearchParams) -> str:
    query = params.query_string()
    return with_lang(f"/?{query}" if query else "/")


def filter_href(name: str, value) -> str:
    """A fresh search filtered on one facet value (links from a record page)."""
    return search_href(SearchParams().with_filter(name, str(value)))


def record_href(record_id: str) -> str:
    return with_lang("/record/" + quote(record_id, safe=":"))


def kept_args(params: SearchParams) -> list[tuple[str, str]]:
    """What a new query from the search box keeps of the current search: its filters,
    year range, order and page size (the query itself and the page go)."""
    return [(k, v) for k, v in params.to_args() if k not in ("q", "page")]


# The facet that filters on each kind of graph node: the graph counts a record under a
# node exactly when this facet's field holds the node's value (subject_terms, authors,
# lcc_class, kdc_division; tests/test_topic_links.py checks they stay the same fields).
TOPIC_FACETS: dict[str, str] = {"subject": "subject", "author": "author", "class": "class",
                                "kdc": "kdc"}


def topic_filter(node_id: str) -> tuple[str, str]:
    """``(facet, value)`` that selects the records holding graph node ``node_id``."""
    kind, value = split_id(node_id)
    if kind not in TOPIC_FACETS or not value:
        raise ValueError(f"not a topic node id: {node_id!r}")
    return TOPIC_FACETS[kind], value


def topic_href(node_id: str, **args) -> str:
    """The topic page of a graph node; ``args`` (``to=...``) go into its query string.

    "/" inside a heading or name is quoted, as in record links, so the id stays one
    path segment.
    """
    query = urlencode([(k, v) for k, v in args.items() if v not in (None, "")])
    return with_lang(_topic_path(node_id) + (f"?{query}" if query else ""))


@functools.lru_cache(maxsize=65536)
def _topic_path(node_id: str) -> str:
    return "/topic/" + quote(node_id, safe=":")


def topic_params(*node_ids: str) -> SearchParams:
    """The search for the records that hold every one of ``node_ids`` (filters AND)."""
    params = SearchParams()
    for node in node_ids:
        params = params.with_filter(*topic_filter(node))
    return params


def topic_records_href(node_id: str) -> str:
    """The search for every record under a topic."""
    return search_href(topic_params(node_id))


def shared_records_href(a: str, b: str) -> str:
    """The search for exactly the records that hold both ends of a link, whatever their
    kinds: the records the link's count is the number of.

    The same address as ``search_href(topic_params(a, b))``, made directly: a map draws
    one for each of its links."""
    if a == b:
        return search_href(topic_params(a))
    return with_lang(f"/?{_filter_arg(a)}&{_filter_arg(b)}")


@functools.lru_cache(maxsize=65536)
def _filter_arg(node_id: str) -> str:
    """``facet=value`` of a node's filter, URL-encoded as ``urlencode`` does."""
    return urlencode([topic_filter(node_id)])


def region_href(region: str | None = None, *, as_list: bool = False) -> str:
    """The map of one region, or of the whole catalogue; ``as_list``: the same map as a
    nested list (its text twin)."""
    args = ([("region", region)] if region else []) + ([("view", "list")] if as_list else [])
    return with_lang("/map?" + urlencode(args) if args else "/map")
