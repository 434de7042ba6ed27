"""The map at "/map": the whole catalogue as regions, and "/map?region=<id>" one region's
topics (or, for a region of regions, its regions), drawn on the server as SVG from the
graph build's geometry (docs/graph.md, "Regions and views"); "&view=list" shows the same
view as its text twin, a nested list."""

from __future__ import annotations

import dash
from dash import html

from viz.components import map_view
from viz.components.links import region_href
from viz.components.page_frame import page
from viz.graph.views import UnknownRegion
from viz.i18n import _

dash.register_page(__name__, path="/map", title=lambda **_args: _("shelfmap — map"), name="Map")


def _one(value) -> str | None:
    """A query parameter given once or more (``?region=a&region=b``): the first."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def layout(region: str | None = None, view: str | None = None, **_args):
    graph = map_view.store()
    if graph is None:
        return page([map_view.no_graph()], status=503)
    region, as_list = _one(region), _one(view) == "list"
    try:
        shown, markup = map_view.view_of(graph, None if region in (None, "") else str(region))
    except UnknownRegion:
        return page([html.P(
            _("There is no region {region} on the map of this build.", region=str(region)),
            className="sm-message sm-error", id="map-missing"),
            html.P(dash.dcc.Link(_("The whole catalogue"), href=region_href()))], status=404)
    section = map_view.list_section(shown) if as_list else map_view.map_section(shown, markup)
    return page([section], className="sm-mappage")
