"""The search box at the top of every page, with its suggestions (ids prefixed
"search-").

The box is a plain GET form (action "/", the query in ``q``, the page's own filters in
hidden inputs), so it searches with or without scripts: without Dash the browser loads
"/?q=..." like any link. Once Dash has taken over, the page's loader turns the submit
into Dash's in-page navigation instead (docs/pages.md), so a search is one request,
never a page load and a callback both. Typing asks, after a pause, for a few
suggestions: the one thing here that needs Dash."""

from __future__ import annotations

from collections.abc import Iterable

from dash import Input, Output, State, callback, dcc, html

from index.search import SearchUnavailable
from index.suggest import suggest
from viz.components import services
from viz import i18n
from viz.components.suggestions import suggestion_list
from viz.i18n import _

SUGGESTIONS = 8
# Seconds of quiet typing before suggestions are asked for: one small request per pause,
# not one per key, on a slow phone link.
SUGGEST_DEBOUNCE = 0.35


def search_box(q: str = "", keep: Iterable[tuple[str, str]] = ()) -> html.Form:
    """The form; ``keep`` holds the (name, value) arguments a new query keeps (a
    search page's filters, year range and order: see ``links.kept_args``)."""
    lang = i18n.current().url_lang
    keep = [*keep, *([(i18n.PARAMETER, lang)] if lang else [])]
    hidden = [dcc.Input(type="hidden", name=name, value=value) for name, value in keep]
    return html.Form([
        html.Label(_("Search the catalogue"), htmlFor="search-q", className="sm-hidden"),
        dcc.Input(id="search-q", name="q", type="search", value=q, autoComplete="off",
                  placeholder=_("Titles, subjects, names — 한국, Hanʼguk, economics…"),
                  className="sm-input", debounce=SUGGEST_DEBOUNCE),
        *hidden,
        html.Button(_("Search"), id="search-go", type="submit", className="sm-button"),
    ], action="/", method="get", role="search", className="sm-searchbox", id="search-form")


def suggest_box() -> html.Div:
    return html.Div(id="search-suggest", **{"aria-live": "polite"})


def _text(value) -> str:
    """A search box's value as text: the box sends a string, but a callback request
    can carry any plain JSON value (numbers say what they are; lists and null say
    nothing)."""
    if isinstance(value, str):
        return value
    return "" if value is None or isinstance(value, (list, bool)) else str(value)


# The location's search carries the page's lang: viz/request_language.py reads it.
@callback(Output("search-suggest", "children"), Input("search-q", "value"),
          State("_pages_location", "search"), prevent_initial_call=True)
def suggestions(q, _search=None):
    q = _text(q).strip()
    # One Latin letter suggests too much to be useful; one Hangul syllable (한) does not.
    if not q or (len(q) < 2 and q.isascii()):
        return []
    ctx = services.current()
    try:
        return suggestion_list(suggest(ctx.es, ctx.alias, q, SUGGESTIONS)["suggestions"])
    except SearchUnavailable:
        return []
