"""The search box at the top of every page, with its suggestions: a query typed and
submitted goes to the search page ("/?q=..."), keeping the filters of the page's own
address; a pause in typing asks for a few suggestions (ids prefixed "search-")."""

from __future__ import annotations

from dash import Input, Output, State, callback, dcc, html

from index.search import SearchUnavailable
from index.suggest import suggest
from viz.components import services
from viz.components.links import with_query
from viz.components.suggestions import suggestion_list

SUGGESTIONS = 8
# Seconds of quiet typing before suggestions are asked for: one small request per pause,
# not one per key, on a slow phone link.
SUGGEST_DEBOUNCE = 0.35


def search_box(q: str = "") -> html.Div:
    return html.Div([
        html.Label("Search the catalogue", htmlFor="search-q", className="sm-hidden"),
        dcc.Input(id="search-q", type="search", value=q, autoComplete="off",
                  placeholder="Titles, subjects, names — 한국, Hanʼguk, economics…",
                  className="sm-input", debounce=SUGGEST_DEBOUNCE),
        html.Button("Search", id="search-go", className="sm-button", n_clicks=0),
        # Navigates without reloading the page (Dash Pages re-renders from the new URL).
        dcc.Location(id="search-nav", refresh="callback-nav"),
    ], className="sm-searchbox", role="search")


def suggest_box() -> html.Div:
    return html.Div(id="search-suggest", **{"aria-live": "polite"})


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
