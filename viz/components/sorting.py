"""The result-order control: plain links, so the order lives in the URL and costs no
JavaScript (expo visitors are on 1 Mbit/s phones)."""

from __future__ import annotations

from dash import dcc, html

from index.queries import SORTS, SearchParams
from viz.components.links import search_href
from viz.i18n import _


def sort_links(params: SearchParams) -> html.Nav:
    items: list = [html.Span(_("Sort:"), className="sm-count")]
    for value, name in SORTS.items():
        label = _(name)
        if value == params.sort:
            items.append(html.Strong(label, **{"aria-current": "true"},
                                     id=f"search-sort-{value}"))
        else:
            items.append(dcc.Link(label, href=search_href(params.replace(sort=value, page=1)),
                                  id=f"search-sort-{value}"))
    return html.Nav(items, className="sm-chips", id="search-sort",
                    **{"aria-label": _("Sort results")})
