"""What an address that names no page shows (Dash Pages uses the page of this module's
name for every unknown path; the first paint answers it with a 404)."""

from __future__ import annotations

import dash
from dash import dcc, html

from viz.components.search_box import search_box, suggest_box

dash.register_page(__name__, path="/404", title="shelfmap — no such page", name="Not found")


def layout(**_args):
    return html.Main([search_box(), suggest_box(),
                      html.H1("No such page", className="sm-h1"),
                      html.P(["Nothing lives at this address. ",
                              dcc.Link("Search the catalogue", href="/"), " instead."],
                             className="sm-message", id="notfound-message")],
                     className="sm-page", **{"data-status": "404"})
