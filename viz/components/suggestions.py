"""Suggestions under the search box: a short list of links, filled by a debounced
callback. A title goes to its record; a subject or a name searches for that phrase."""

from __future__ import annotations

from dash import dcc, html

from index.queries import SearchParams
from viz.components.links import record_href, search_href
from viz.i18n import N_, _

KIND_LABELS = {"title": N_("Title"), "subject": N_("Subject"), "author": N_("Name")}


def suggestion_href(item: dict) -> str:
    if item["kind"] == "title" and item.get("id"):
        return record_href(item["id"])
    text = item["text"].rstrip("…").replace('"', " ").strip()
    return search_href(SearchParams(q=f'"{text}"'))


def suggestion_list(items: list[dict]) -> list:
    """Children of the suggestion box: [] when there is nothing to suggest."""
    if not items:
        return []
    return [html.Ul([
        html.Li([dcc.Link(item["text"], href=suggestion_href(item)),
                 html.Span(" " + (_(KIND_LABELS[item["kind"]]) if item["kind"] in KIND_LABELS
                                  else item["kind"]),
                           className="sm-count")])
        for item in items
    ], className="sm-facet-values")]
