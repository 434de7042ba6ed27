"""The search page at "/": the query and filters live in the URL (/?q=...&subject=...),
so every view is a permalink."""

from __future__ import annotations

import dash
from dash import Input, Output, State, callback, dcc, html

from index.queries import BadParameter, SearchParams, parse_search_params
from index.search import SearchUnavailable, search
from index.suggest import suggest
from viz.components import services
from viz.components.facet_list import active_filters, facet_lists
from viz.components.hits import hit_list
from viz.components.links import search_href, with_query
from viz.components.sorting import sort_links
from viz.components.suggestions import suggestion_list

dash.register_page(__name__, path="/", title="shelfmap — search", name="Search")

PAGE_FIELDS = ("title_original",)  # shown beside the romanised title
SUGGESTIONS = 8
# Seconds of quiet typing before suggestions are asked for: one small request per pause,
# not one per key, on a slow phone link.
SUGGEST_DEBOUNCE = 0.35


def _search_box(q: str) -> html.Div:
    return html.Div([
        html.Label("Search the catalogue", htmlFor="search-q", className="sm-hidden"),
        dcc.Input(id="search-q", type="search", value=q, autoComplete="off",
                  placeholder="Titles, subjects, names — 한국, Hanʼguk, economics…",
                  className="sm-input", debounce=SUGGEST_DEBOUNCE),
        html.Button("Search", id="search-go", className="sm-button", n_clicks=0),
        # Navigates without reloading the page (Dash Pages re-renders from the new URL).
        dcc.Location(id="search-nav", refresh="callback-nav"),
    ], className="sm-searchbox", role="search")


def _suggest_box() -> html.Div:
    return html.Div(id="search-suggest", **{"aria-live": "polite"})


def _pager(params: SearchParams, total: int) -> html.Nav | None:
    last = max(1, min(-(-total // params.size), 10_000 // params.size))
    if last == 1:
        return None
    links = []
    if params.page > 1:
        links.append(dcc.Link("‹ Previous", href=search_href(params.replace(page=params.page - 1)),
                              className="sm-button"))
    links.append(html.Span(f"Page {params.page} of {last}", className="sm-count"))
    if params.page < last:
        links.append(dcc.Link("Next ›", href=search_href(params.replace(page=params.page + 1)),
                              className="sm-button", id="search-next"))
    return html.Nav(links, className="sm-pager")


def _message(text: str, kind: str = "note") -> html.P:
    return html.P(text, className=f"sm-message sm-{kind}", id="search-message")


def layout(**args):
    try:
        params = parse_search_params(args)
    except BadParameter as exc:
        return html.Main([_search_box(str(args.get("q") or "")), _suggest_box(),
                          _message(f"The address has a bad {exc.name}: {exc.message}.", "error")],
                         className="sm-page")
    ctx = services.current()
    ctx.log_query("page", args)
    try:
        result = search(ctx.es, ctx.alias, params, PAGE_FIELDS)
    except SearchUnavailable:
        return html.Main([_search_box(params.q), _suggest_box(),
                          _message("Search is unavailable right now. Please try again soon.",
                                   "error")], className="sm-page")
    total = result["total"]
    summary = f"{total:,} record{'s' if total != 1 else ''}"
    if params.q:
        summary += f" for “{params.q}”"
    body = [html.Section([_message(summary) if total else
                          _message("Nothing found. Try fewer words or remove a filter."),
                          sort_links(params) if total > 1 else None,
                          hit_list(result["hits"]), _pager(params, total)],
                         className="sm-results"),
            html.Aside(facet_lists(params, result["facets"]), className="sm-side")]
    return html.Main([_search_box(params.q), _suggest_box(), active_filters(params),
                      html.Div(body, className="sm-body")], className="sm-page")


def _text(value) -> str:
    """A search box's value as text: the box sends a string, but a callback request
    can carry any plain JSON value (numbers say what they are; lists and null say
    nothing)."""
    if isinstance(value, str):
        return value
    return "" if value is None or isinstance(value, (list, bool)) else str(value)


@callback(Output("search-nav", "href"),
          Input("search-q", "n_submit"), Input("search-go", "n_clicks"),
          State("search-q", "value"), State("search-nav", "search"),
          prevent_initial_call=True)
def submit(_submits, _clicks, q, search_args):
    return with_query(search_args, _text(q))


@callback(Output("search-suggest", "children"), Input("search-q", "value"),
          prevent_initial_call=True)
def suggestions(q):
    q = _text(q).strip()
    # One Latin letter suggests too much to be useful; one Hangul syllable (한) does not.
    if not q or (len(q) < 2 and q.isascii()):
        return []
    ctx = services.current()
    try:
        return suggestion_list(suggest(ctx.es, ctx.alias, q, SUGGESTIONS)["suggestions"])
    except SearchUnavailable:
        return []
