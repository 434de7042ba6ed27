"""``MapSvg``: a map view's SVG markup (viz/svg.py) as a Dash component.

Dash's own SVG components have no ``<a>`` or ``<title>``, and the markup is drawn once
on the server anyway, so this component only carries it: three props, ``id``,
``className`` and ``markup``. In the browser, viz/assets/map_svg.js registers
``window.shelfmap.MapSvg`` (Dash's renderer looks a component up as
``window[namespace][type]``), a React component that renders
``<div id className>markup</div>``; the server-drawn first paint renders the same div.
"""

from __future__ import annotations

from dash.development.base_component import Component

NAMESPACE = "shelfmap"


class MapSvg(Component):
    """A ``<div>`` holding SVG markup that was escaped when it was made (viz/svg.py)."""

    _children_props: list = []
    _base_nodes: list = []
    _namespace = NAMESPACE
    _type = "MapSvg"

    def __init__(self, id=None, className=None, markup=None, **kwargs):
        if kwargs:
            raise TypeError(f"MapSvg takes id, className and markup, not "
                            f"{', '.join(sorted(kwargs))}")
        self._prop_names = ["id", "className", "markup"]
        self._valid_wildcard_attributes: list = []
        self.available_properties = ["id", "className", "markup"]
        self.available_wildcard_properties: list = []
        args = {k: v for k, v in (("id", id), ("className", className), ("markup", markup))
                if v is not None}
        super().__init__(**args)
