"""The map at "/map": the whole catalogue as regions, and "/map?region=<id>" one region's
topics (or, for a region of regions, its regions), drawn on the server as SVG from the
graph build's geometry (docs/graph.md, "Regions and views")."""

from __future__ import annotations

import dash
from dash import html

from viz.components import map_view
from viz.components.search_box import search_box, suggest_box
from viz.graph.views import UnknownRegion

dash.register_page(__name__, path="/map", title="shelfmap — map", name="Map")


def layout(region: str | None = None, **_args):
    top = [search_box(), suggest_box()]
    graph = map_view.store()
    if graph is None:
        return html.Main(top + [map_view.no_graph()], className="sm-page",
                         **{"data-status": "503"})
    if isinstance(region, list):  # ?region=a&region=b: the first one names the view
        region = region[0] if region else None
    try:
        view, markup = map_view.view_of(graph, None if region in (None, "") else str(region))
    except UnknownRegion:
        return html.Main(top + [html.P(
            f"There is no region {region!s} on the map of this build.",
            className="sm-message sm-error", id="map-missing"),
            html.P(dash.dcc.Link("The whole catalogue", href="/map"))],
            className="sm-page", **{"data-status": "404"})
    return html.Main(top + [map_view.map_section(view, markup)],
                     className="sm-page sm-mappage")
