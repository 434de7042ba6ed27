"""The search page at "/": the query and filters live in the URL (/?q=...&subject=...),
so every view is a permalink."""

from __future__ import annotations

import dash
from dash import dcc, html

from index.queries import BadParameter, SearchParams, parse_search_params
from index.search import SearchUnavailable, search
from viz.components import services
from viz.components.around_results import around_results
from viz.components.facet_list import active_filters, facet_lists
from viz.components.hits import hit_list
from viz.components import map_view
from viz.components.links import kept_args, search_href
from viz.components.page_frame import page
from viz.components.sorting import sort_links
from viz.i18n import _, ngettext

dash.register_page(__name__, path="/", title=lambda **_args: _("shelfmap — search"),
                   name="Search")

PAGE_FIELDS = ("title_original",)  # shown beside the romanised title


def _pager(params: SearchParams, total: int) -> html.Nav | None:
    last = max(1, min(-(-total // params.size), 10_000 // params.size))
    if last == 1:
        return None
    links = []
    if params.page > 1:
        links.append(dcc.Link(_("‹ Previous"), href=search_href(params.replace(page=params.page - 1)),
                              className="sm-button"))
    links.append(html.Span(_("Page {page} of {last}", page=params.page, last=last), className="sm-count"))
    if params.page < last:
        links.append(dcc.Link(_("Next ›"), href=search_href(params.replace(page=params.page + 1)),
                              className="sm-button", id="search-next"))
    return html.Nav(links, className="sm-pager")


def _message(text: str, kind: str = "note") -> html.P:
    return html.P(text, className=f"sm-message sm-{kind}", id="search-message")


def layout(**args):
    try:
        params = parse_search_params(args)
    except BadParameter as exc:
        q = args.get("q")
        return page([_message(_("The address has a bad {name}: {detail}.", name=exc.name,
                                detail=exc.message), "error")],
                    status=400, q=q if isinstance(q, str) else "")
    ctx = services.current()
    ctx.log_query("page", args)
    try:
        result = search(ctx.es, ctx.alias, params, PAGE_FIELDS)
    except SearchUnavailable:
        return page([_message(_("Search is unavailable right now. Please try again soon."),
                              "error")], status=503, q=params.q, keep=kept_args(params))
    total = result["total"]
    summary = ngettext("{n} record for “{query}”", "{n} records for “{query}”", total,
                       query=params.q) if params.q else \
        ngettext("{n} record", "{n} records", total)
    body = [html.Section([_message(summary) if total else
                          _message(_("Nothing found. Try fewer words or remove a filter.")),
                          sort_links(params) if total > 1 else None,
                          hit_list(result["hits"]), _pager(params, total)],
                         className="sm-results"),
            # After the results on a phone; above them, across the page, on a wide
            # screen (shelfmap.css).
            around_results(map_view.store(), params, result["facets"])
            if params.query_string() and total else None,
            html.Aside(facet_lists(params, result["facets"]), className="sm-side")]
    return page([active_filters(params), _home_map(params), html.Div(body, className="sm-body")],
                q=params.q, keep=kept_args(params))


def _home_map(params: SearchParams):
    """The home page ("/" with no query and no filter) opens on the whole catalogue's
    map; a search shows its results instead."""
    if params.query_string():
        return None
    graph = map_view.store()
    if graph is None:
        return map_view.no_graph()
    return map_view.map_section(*map_view.view_of(graph, None))
