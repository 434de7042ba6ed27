"""The map's views (docs/graph.md, "Regions and views"), read from a loaded graph:
pure functions of a :class:`~viz.graph.store.GraphStore` and the view asked for, each
returning a dict that ``viz.svg`` draws. Every place and label band was computed by the
build; a view only picks and shapes.
"""

from __future__ import annotations

import numpy as np

from ingest.graph import KINDS, link_kind
from viz.graph import hierarchy

# Links drawn in one region's view, strongest first: a view of MAX_VIEW topics with
# their k strongest links each could hold thousands; these are the ones worth a line.
VIEW_LINKS = 600
# Dot sizes by records held, in four steps (the SVG's classes s0..s3).
DOT_STEPS = (10, 100, 1000)


class UnknownRegion(LookupError):
    """No region of the map has this id."""

    def __init__(self, region):
        super().__init__(f"no region {region!r} on the map")
        self.region = region


def catalogue(g) -> dict:
    """The whole catalogue: the top regions at their places, with labels' bands, and
    the links between them; at most ``MAX_VIEW`` regions."""
    return {"level": "catalogue", "region": None, "path": [], "topics": [], "exits": [],
            **_regions_in(g, hierarchy.CATALOGUE_FRAME, hierarchy.CATALOGUE)}


def region(g, region_id: str) -> dict:
    """One region: its topics (or, for a region of regions, its regions) at their
    places in its view, the links among them, and its ways out (the regions its topics
    link into, with how many links lead to each). Raises :class:`UnknownRegion`."""
    row = g.region_rows.get(region_id) if isinstance(region_id, str) else None
    if row is None:
        raise UnknownRegion(region_id)
    fr = frame_of(row)
    path = []
    up = row
    while up is not None:
        path.append({"id": up["region"], "label": up["label"]})
        up = g.region_rows.get(up["parent"])
    view = {"level": "region", "region": _region_item(row, fr),
            "path": path[::-1], "regions": [], "topics": [], "links": []}
    if region_id in g.placed:
        view |= _topics_in(g, fr, g.placed[region_id])
    else:
        view |= _regions_in(g, fr, region_id)
    view["exits"] = [_exit(g, link) for link in g.region_links.get(region_id, [])]
    return view


def frame_of(row: dict) -> tuple[float, float, float]:
    """The frame of a region's own view (centre and half side, layout units)."""
    return (row["view_x"], row["view_y"], row["view_half"])


def _region_item(row: dict, fr) -> dict:
    """A region as its parent's view draws it: its disc (area proportional to its
    records, at the view's one scale) at its place."""
    x, y = hierarchy.to_view(fr, row["x"], row["y"])
    return {"id": row["region"], "label": row["label"], "kind": row["kind"],
            "x": float(x), "y": float(y),
            "r": row["disc"] * hierarchy.lb.VIEW / (2 * fr[2]),
            "band": int(row["band"]), "colour": int(row["community"]),
            "topics": int(row["size"]), "records": int(row["records"])}


def _regions_in(g, fr, parent: str) -> dict:
    children = g.region_children.get(parent, [])
    shown = set(children)
    items = [_region_item(g.region_rows[c], fr) for c in children]
    links, seen = [], set()
    for c in children:
        for link in g.region_links.get(c, []):
            pair = tuple(sorted((link["source"], link["target"])))
            if link["target"] in shown and pair not in seen:
                seen.add(pair)
                links.append(_region_link(g, link, *pair))
    links.sort(key=lambda e: (-e["links"], -e["weight"], e["source"], e["target"]))
    return {"regions": items, "links": links}


def _shared(g, link: dict) -> dict:
    a, b = link["top_source"], link["top_target"]
    return {"source": a, "target": b, "source_label": g.labels[g.index[a]],
            "target_label": g.labels[g.index[b]],
            "weight": float(link["top_weight"]), "records": int(link["top_records"]),
            "kind": link_kind(a, b)}


def _region_link(g, link: dict, source: str, target: str) -> dict:
    return {"source": source, "target": target, "kind": "region",
            "links": int(link["links"]), "weight": float(link["weight"]),
            "strongest": _shared(g, link)}


def _exit(g, link: dict) -> dict:
    target = g.region_rows[link["target"]]
    return {"region": target["region"], "label": target["label"],
            "links": int(link["links"]), "x": float(link["x"]), "y": float(link["y"]),
            "band": int(link["band"]), "colour": int(target["community"]),
            "strongest": _shared(g, link)}


def _topics_in(g, fr, placed: np.ndarray) -> dict:
    xs, ys = hierarchy.to_view(fr, g.x[placed], g.y[placed])
    steps = np.searchsorted(DOT_STEPS, g.records[placed], side="right")
    topics = [{"id": g.ids[i], "label": g.labels[i], "kind": KINDS[g.kinds[i]],
               "x": float(x), "y": float(y), "size": int(s), "band": int(g.band[i]),
               "colour": int(g.communities[i]), "records": int(g.records[i])}
              for i, x, y, s in zip(placed.tolist(), xs.tolist(), ys.tolist(),
                                    steps.tolist())]
    links = g.edges_among(placed.tolist())[:VIEW_LINKS]
    for link in links:
        link["kind"] = link_kind(link["source"], link["target"])
    return {"topics": topics, "links": links}
