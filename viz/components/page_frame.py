"""The frame every page is drawn in: the page's top (the search box, its suggestions
and the language switch, a ``header`` landmark) above its own content (``main``).

One function, so every page has the same landmarks in the same order and a change to
the top of the pages is made once.
"""

from __future__ import annotations

from collections.abc import Iterable

from dash import html

from viz.components.language_switch import language_switch
from viz.components.search_box import search_box, suggest_box

MAIN_ID = "main"


def page(children: list, *, status: int = 200, q: str = "",
         keep: Iterable[tuple[str, str]] = (), className: str = "") -> html.Div:
    """A page: ``children`` in its ``main``, under the search box (holding ``q`` and the
    ``keep`` arguments a new query keeps: ``links.kept_args``). A ``status`` other than
    200 marks the root (``render.page_status``)."""
    extra = {"data-status": str(status)} if status != 200 else {}
    return html.Div([
        html.Header([search_box(q, keep), suggest_box(), language_switch()],
                    className="sm-top"),
        html.Main(children, id=MAIN_ID),
    ], className=" ".join(("sm-page", className)).strip(), **extra)
