"""What an address that names no page shows (Dash Pages uses the page of this module's
name for every unknown path; the first paint answers it with a 404)."""

from __future__ import annotations

import dash
from dash import dcc, html

from viz.components.links import home_href
from viz.components.page_frame import page
from viz.i18n import _

dash.register_page(__name__, path="/404", title=lambda **_args: _("shelfmap — no such page"),
                   name="Not found")


def layout(**_args):
    return page([html.H1(_("No such page"), className="sm-h1"),
                      html.P([_("Nothing lives at this address."), " ",
                              dcc.Link(_("Search the catalogue"), href=home_href())],
                        className="sm-message", id="notfound-message")], status=404)
