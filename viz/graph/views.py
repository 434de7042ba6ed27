"""The map's views (docs/graph.md, "Regions and views"), read from a loaded graph:
pure functions of a :class:`~viz.graph.store.GraphStore` and the view asked for, each
returning a dict that ``viz.svg`` draws. Every place and label band was computed by the
build; a view only picks and shapes.
"""

from __future__ import annotations

import math

import numpy as np

from ingest.graph import KINDS, link_kind
from viz.graph import hierarchy
from viz.graph import labels as lb
from viz.graph.labels import VIEW

# Links drawn in one view, strongest first: a view of MAX_VIEW topics with their k
# strongest links each could hold thousands. Compressed, a topic costs a view about
# 42 bytes and a link about 33 (its line, its pointer area, its records' address and
# its reason): MAX_VIEW topics and these links stay within a later visit's 25 KB.
VIEW_LINKS = 200
# Links drawn between regions: each costs about 90 bytes (its reason names two regions
# and the two topics of their strongest link).
REGION_LINKS = 150
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
    return {"regions": items, "links": links[:REGION_LINKS]}


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


# -- local views: a few topics of the map, drawn on their own -----------------------------

def local(g, chosen: list[int], *, marked=(), home: int | None = None) -> dict:
    """A map of just the topics ``chosen`` (node indices, most important first; at most
    a view's worth) and the links among them: a topic's neighbourhood, a record's
    topics, the topics of a set of results.

    Nothing is laid out here. The topics of one community (``home``, by default the
    first topic's) keep their places from the build's layout, fitted to the middle of
    the view as a region's view is (to most of them: its farthest few join the ring);
    every other topic sits on the ring around them in the direction of its place on
    the map, as a region's ways out do, moved along the ring only as far as it takes
    for two dots not to cover each other. Labels show by
    importance with the same zoom bands as every view (``viz.graph.labels``), so no two
    overlap at any zoom. ``marked`` topics are drawn as the view's subject.
    """
    chosen = list(dict.fromkeys(int(i) for i in chosen))[:hierarchy.MAX_VIEW]
    view = {"level": "local", "region": None, "path": [], "regions": [], "exits": [],
            "topics": [], "links": []}
    if not chosen:
        return view
    if home is None:
        home = int(g.communities[chosen[0]])
    inner = [i for i in chosen if g.communities[i] == home]
    outer = [i for i in chosen if g.communities[i] != home]
    px, py = g.x[inner], g.y[inner]
    cx, cy = float(np.median(px)), float(np.median(py))
    far = np.hypot(px - cx, py - cy)
    # A few far-flung topics of the home community would shrink the rest to a knot in
    # the middle: the fit is to most of them, and those beyond go to the ring too.
    reach = float(far.max()) if len(inner) < FIT_FROM else \
        float(np.quantile(far, FIT_SHARE)) * FIT_SLACK
    if reach:
        away = far > reach + 1e-12
        outer = [i for i, out in zip(inner, away.tolist()) if out] + outer
        inner = [i for i, out in zip(inner, away.tolist()) if not out]
        px, py = g.x[inner], g.y[inner]
    fr = hierarchy.frame(float(cx), float(cy), reach or 1e-3)
    middle, ring = VIEW / 2, hierarchy.EXIT_RING * VIEW
    xs, ys = hierarchy.to_view(fr, px, py)
    at = {i: (float(x), float(y)) for i, x, y in zip(inner, xs.tolist(), ys.tolist())}
    for i, angle in zip(outer, _ring(np.arctan2(g.y[outer] - cy, g.x[outer] - cx))):
        at[i] = (middle + ring * math.cos(angle),
                 min(middle - ring * math.sin(angle), LOCAL_BOTTOM))
    texts = [lb.short(g.labels[i]) for i in chosen]
    bands = lb.bands(texts, [at[i][0] for i in chosen], [at[i][1] for i in chosen],
                               ["topic"] * len(chosen))
    steps = np.searchsorted(DOT_STEPS, g.records[chosen], side="right").tolist()
    marked = {int(m) for m in marked}
    view["topics"] = [{"id": g.ids[i], "label": g.labels[i], "kind": KINDS[g.kinds[i]],
                       "x": at[i][0], "y": at[i][1], "size": int(s), "band": int(b),
                       "colour": int(g.communities[i]), "records": int(g.records[i]),
                       "marked": i in marked}
                      for i, s, b in zip(chosen, steps, bands)]
    links = g.edges_among(chosen)[:VIEW_LINKS]
    for link in links:
        link["kind"] = link_kind(link["source"], link["target"])
    view["links"] = links
    return view


# The home community's fit: with FIT_FROM topics or more, to FIT_SHARE of them (by
# distance from their median), with a little slack.
FIT_FROM, FIT_SHARE, FIT_SLACK = 8, 0.8, 1.15
# The lowest a topic on the ring sits, so that its label (under its dot) stays inside.
LOCAL_BOTTOM = VIEW - 45.0
# Ring places closer than this (radians, about two of the largest dots on the ring) are
# moved apart.
RING_GAP = 0.075
# From this many topics on the ring, neighbours keep at least this share of an even
# spacing between them.
RING_MANY, RING_SHARE = 8, 0.6


def _ring(angles: np.ndarray) -> list[float]:
    """``angles`` (radians, in the order given) moved along the ring, in their circular
    order, until neighbours are at least a gap apart: :data:`RING_GAP`, or, for many,
    :data:`RING_SHARE` of an even share of the ring (else topics that all lie one way
    would make a long chain on one side); spread evenly where there is no room."""
    n = len(angles)
    if n == 0:
        return []
    gap = max(RING_GAP, RING_SHARE * 2 * math.pi / n) if n >= RING_MANY else RING_GAP
    order = np.argsort(angles, kind="stable")
    out = np.empty(n)
    if n * gap >= 2 * math.pi:
        start = float(angles[order[0]])
        out[order] = start + np.arange(n) * (2 * math.pi / n)
        return out.tolist()
    placed = np.asarray(angles, float)[order].copy()
    for k in range(1, n):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    # What ran past the first place (all the way round) is pulled back evenly.
    over = placed[-1] - (placed[0] + 2 * math.pi - gap)
    if over > 0:
        placed -= np.linspace(0, over, n) if n > 1 else 0
        for k in range(1, n):
            placed[k] = max(placed[k], placed[k - 1] + gap)
    out[order] = placed
    return out.tolist()


def lit_catalogue(g, held: dict[int, int]) -> dict:
    """The whole catalogue's view with the regions that hold any of the topics ``held``
    (node index -> how many of a set of results hold it) lit: each such region gets
    ``lit`` (how many of the topics it holds) and ``hits`` (the most results one of
    them holds); the other regions get ``lit`` 0."""
    view = catalogue(g)
    count: dict[str, int] = {}
    most: dict[str, int] = {}
    for i, n in held.items():
        top = top_region(g, g.region_of[i])
        if top is None:
            continue
        count[top] = count.get(top, 0) + 1
        most[top] = max(most.get(top, 0), int(n))
    for item in view["regions"]:
        item["lit"] = count.get(item["id"], 0)
        item["hits"] = most.get(item["id"], 0)
    return view


def top_region(g, region_id: str) -> str | None:
    """The region of the catalogue's view that ``region_id`` lies in (itself, or the
    ancestor whose parent is the whole catalogue); None for no region."""
    row = g.region_rows.get(region_id)
    while row is not None and row["parent"] != hierarchy.CATALOGUE:
        row = g.region_rows.get(row["parent"])
    return row["region"] if row is not None else None
