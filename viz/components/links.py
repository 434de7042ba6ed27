"""Permalinks: every view's state lives in its URL."""

from __future__ import annotations

from urllib.parse import quote

from index.queries import SearchParams


def search_href(params: SearchParams) -> str:
    query = params.query_string()
    return f"/?{query}" if query else "/"


def filter_href(name: str, value) -> str:
    """A fresh search filtered on one facet value (links from a record page)."""
    return search_href(SearchParams().with_filter(name, str(value)))


def record_href(record_id: str) -> str:
    return "/record/" + quote(record_id, safe=":")


def kept_args(params: SearchParams) -> list[tuple[str, str]]:
    """What a new query from the search box keeps of the current search: its filters,
    year range, order and page size (the query itself and the page go)."""
    return [(k, v) for k, v in params.to_args() if k not in ("q", "page")]
