"""Regions of the map and their views, computed once per graph build (docs/graph.md,
"Regions and views").

Every view of the map holds at most :data:`MAX_VIEW` things, whatever the catalogue's
size:

- a community of at most :data:`MAX_VIEW` topics is one region (id: its number, "3");
- a larger one is cut into parts ("3.0", "3.1", ...) by halving it at the median of
  its wider axis until every part holds at most :data:`MAX_VIEW` topics (the cuts
  follow the layout, so a part is a piece of the community's disc; no randomness, so
  the same layout always gives the same parts);
- where more regions than :data:`MAX_VIEW` share a parent (the catalogue's
  communities, or a huge community's parts) they are grouped the same way, by their
  centres, into regions of regions ("g0", "3.g0", ...), as many levels as it takes.

A region's records are the catalogue records holding at least one of its topics, each
counted once: the catalogue is not here, so :func:`geometry` hands the caller each
topic's chain of regions (:func:`chains`) and the caller counts (the build does it in
Spark). In each view a region's disc has an area proportional to its records, at one
scale per view that keeps every disc inside its layout disc and clear of the others
(:func:`disc_scale`); the discs stay where the layout put them.

For each view the labels' bands are decided here (``viz.graph.labels``), and so are
the region links: for each region, the links from its topics to topics outside it,
counted by the region they lead into (the one just below the two ends' common
ancestor): among siblings they are the links drawn between regions, and for a view
they are its ways out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa

from viz.graph import labels as lb
from viz.graph.artifacts import PLACEMENTS, REGION_LINKS, REGIONS

# At most this many regions or topics in one view: what a phone's later visit can take
# within its 25 KB (viz/graph/views.py, VIEW_LINKS), well under the 500 or so that
# stay legible in one drawing.
MAX_VIEW = 300
MAX_EXITS = 12       # region links kept per region (its strongest by links)
MARGIN = 1.08        # the catalogue's view: the layout's [-1, 1] square and a margin
CATALOGUE = ""       # the parent of the top regions: the whole catalogue's view
# A region's view is fitted to what it holds, which then fills the middle of it out to
# FILLED of its side; its ways out sit on a ring at EXIT_RING, in the margin around.
FILLED, EXIT_RING = 0.39, 0.45


def halve(points: np.ndarray, cap: int) -> list[np.ndarray]:
    """Indices of ``points`` cut into parts of at most ``cap``: each part holding more
    is halved at the median of its wider axis (ties by index), in order.

    >>> [p.tolist() for p in halve(np.array([[0, 0], [3, 0], [1, 0], [2, 0]]), 2)]
    [[0, 2], [3, 1]]
    """
    out: list[np.ndarray] = []
    stack = [np.arange(len(points))]
    while stack:
        idx = stack.pop()
        if len(idx) <= cap:
            out.append(idx)
            continue
        p = points[idx]
        axis = 0 if np.ptp(p[:, 0]) >= np.ptp(p[:, 1]) else 1
        order = idx[np.lexsort((idx, p[:, axis]))]
        half = len(order) // 2
        stack.extend([order[half:], order[:half]])  # the lower half comes out first
    return out


def frame(x: float, y: float, radius: float) -> tuple[float, float, float]:
    """The square a view shows, centre and half side in layout units, for contents
    within ``radius`` of ``(x, y)``."""
    return (x, y, max(radius, 1e-9) * 0.5 / FILLED)


def fitted(region: "_Region", x, y) -> tuple[float, float, float]:
    """The frame of ``region``'s own view: around its topics' places, or its
    children's discs."""
    if region.topics is not None:
        px, py = x[region.topics], y[region.topics]
        cx, cy = (px.min() + px.max()) / 2, (py.min() + py.max()) / 2
        reach = float(np.hypot(px - cx, py - cy).max())
    else:
        kids = region.children
        xs = np.array([k.x for k in kids])
        ys = np.array([k.y for k in kids])
        r = np.array([k.radius for k in kids])
        cx, cy = ((xs - r).min() + (xs + r).max()) / 2, ((ys - r).min() + (ys + r).max()) / 2
        reach = float((np.hypot(xs - cx, ys - cy) + r).max())
    return frame(float(cx), float(cy), reach or region.radius or 1e-3)


CATALOGUE_FRAME = (0.0, 0.0, 1.0 * MARGIN)


def to_view(fr: tuple[float, float, float], x, y):
    """Layout coordinates -> the view's 0..1000 box (y grows downwards, north up)."""
    cx, cy, h = fr
    scale = lb.VIEW / (2 * h)
    return (np.asarray(x) - (cx - h)) * scale, ((cy + h) - np.asarray(y)) * scale


def exit_point(fr, x: float, y: float) -> tuple[float, float]:
    """Where a way out towards ``(x, y)`` sits in a view: on a ring around the middle,
    in the direction of the region it leads to."""
    dx, dy = x - fr[0], y - fr[1]
    norm = math.hypot(dx, dy) or 1.0
    r = EXIT_RING * lb.VIEW
    return (lb.VIEW / 2 + r * dx / norm, lb.VIEW / 2 - r * dy / norm)


class _Region:
    __slots__ = ("id", "parent", "kind", "community", "label", "size", "records", "x",
                 "y", "radius", "disc", "children", "topics", "band", "rank", "view")

    def __init__(self, id, kind, community, label, size, x, y, radius):
        self.id, self.kind, self.community, self.label = id, kind, community, label
        self.size, self.x, self.y, self.radius = size, x, y, radius
        # Counted once the regions are decided (geometry), then its disc in its
        # parent's view.
        self.records, self.disc = 0, radius
        self.parent = CATALOGUE
        self.children: list[_Region] = []
        self.topics: np.ndarray | None = None
        self.band, self.rank = lb.HIDDEN, 0
        self.view = (x, y, radius)


def _group(regions: list[_Region], prefix: str, cap: int) -> list[_Region]:
    """``regions`` grouped into regions of regions until at most ``cap`` remain."""
    level = 0
    while len(regions) > cap:
        centres = np.array([[r.x, r.y] for r in regions])
        groups = []
        for k, part in enumerate(halve(centres, cap)):
            members = [regions[i] for i in part]
            groups.append(_enclosing(f"{prefix}g{level}.{k}" if level else f"{prefix}g{k}",
                                     "group", members))
        regions, level = groups, level + 1
    return regions


def _enclosing(rid: str, kind: str, members: list[_Region]) -> _Region:
    size = sum(m.size for m in members)
    w = np.array([m.size for m in members], dtype=float)
    cx = float(np.dot(w, [m.x for m in members]) / w.sum())
    cy = float(np.dot(w, [m.y for m in members]) / w.sum())
    radius = max(math.hypot(m.x - cx, m.y - cy) + m.radius for m in members)
    biggest = min(members, key=lambda m: (-m.size, m.id))
    label = biggest.label if len(members) == 1 else f"{biggest.label} +{len(members) - 1}"
    group = _Region(rid, kind, biggest.community, label, size, cx, cy, radius)
    group.children = members
    for m in members:
        m.parent = rid
    return group


def topic_order(centrality, records, ids_rank) -> np.ndarray:
    """Topics by importance: centrality, then records, then id."""
    return np.lexsort((ids_rank, -np.asarray(records), -np.asarray(centrality)))


def build_regions(*, community, x, y, records, centrality, labels: Sequence[str],
                  communities: pa.Table, cap: int = MAX_VIEW) -> list[_Region]:
    """The top regions (the catalogue's children), each with its subtree.

    Node arrays are in id order (index = rank of the id); ``communities`` is the
    analysis' table (``community``, ``label``, ``size``, ``x``, ``y``, ``radius``).
    """
    community = np.asarray(community)
    x, y, records = np.asarray(x, float), np.asarray(y, float), np.asarray(records)
    centrality = np.asarray(centrality, float)
    rank = np.arange(len(community))
    order = np.argsort(community, kind="stable")
    bounds = np.searchsorted(community[order], np.arange(communities.num_rows + 1))
    rows = communities.sort_by("community").to_pylist()
    top: list[_Region] = []
    for c, row in enumerate(rows):
        members = order[bounds[c]:bounds[c + 1]]
        region = _Region(str(c), "community", c, row["label"], len(members),
                         row["x"], row["y"], row["radius"])
        if len(members) <= cap:
            region.topics = members
        else:
            parts = []
            for k, part in enumerate(halve(np.column_stack([x[members], y[members]]), cap)):
                m = members[part]
                px, py = float(x[m].mean()), float(y[m].mean())
                radius = float(np.hypot(x[m] - px, y[m] - py).max()) or row["radius"] / 10
                best = m[topic_order(centrality[m], records[m], rank[m])[0]]
                piece = _Region(f"{c}.{k}", "part", c, labels[best], len(m),
                                px, py, radius * 1.05)
                piece.topics = m
                parts.append(piece)
            region.children = _group(parts, f"{c}.", cap)
            for child in region.children:
                child.parent = region.id
        top.append(region)
    return _group(top, "", cap)


def _count(top: list[_Region], counted: pa.Table) -> None:
    """Each region's records from the caller's count (``region``, ``records``)."""
    found = dict(zip(counted.column("region").to_pylist(),
                     counted.column("records").to_pylist()))
    every = list(walk(top))
    missing = [r.id for r in every if not found.get(r.id)]
    if missing:
        raise ValueError(f"no records counted for region(s) {', '.join(missing[:5])}"
                         f"{' ...' if len(missing) > 5 else ''}: every topic is held by "
                         "some record, so the count is wrong")
    for r in every:
        r.records = int(found[r.id])


def walk(top: list[_Region]):
    """Every region, parents before children."""
    stack = list(reversed(top))
    while stack:
        r = stack.pop()
        yield r
        stack.extend(reversed(r.children))


def chains(top: list[_Region], ids: Sequence[str]) -> pa.Table:
    """``node``, ``region``: each topic with every region on its chain (the community
    or part it is drawn in, then each region above it up to the catalogue's), one row
    per pair: what a count of each region's records needs to know of the regions."""
    every = {r.id: r for r in walk(top)}
    nodes, regions = [], []
    for r in every.values():
        if r.topics is None:
            continue
        path = [r.id]
        while every[path[-1]].parent != CATALOGUE:
            path.append(every[path[-1]].parent)
        for i in r.topics.tolist():
            nodes += [ids[i]] * len(path)
            regions += path
    return pa.table({"node": pa.array(nodes, pa.string()),
                     "region": pa.array(regions, pa.string())})


def disc_scale(x, y, radius, records) -> float:
    """The one scale ``s`` of a view whose discs, of radius ``s * sqrt(records)`` at
    ``(x, y)``, each fit in its layout disc of ``radius`` and overlap no other.

    Areas are then proportional to records. Community discs never overlap in the
    layout, so for them the first bound decides; parts and regions of regions are
    drawn round their members and can, so the second one keeps their discs apart.

    >>> disc_scale([0, 10], [0, 0], [2, 4], [1, 4])   # 2 / 1 and 4 / 2: both fit at 2
    2.0
    >>> disc_scale([0, 3], [0, 0], [2, 4], [1, 4])    # 3 apart: 1 + 2, at most
    1.0
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    root = np.sqrt(np.asarray(records, float))
    if (root <= 0).any():
        raise ValueError("every region holds at least one record")
    scale = float((np.asarray(radius, float) / root).min())
    if len(x) > 1:
        i, j = np.triu_indices(len(x), 1)
        apart = np.hypot(x[i] - x[j], y[i] - y[j]) / (root[i] + root[j])
        scale = min(scale, float(apart.min()))
    return scale


def _discs(shown: list[_Region]) -> None:
    """The drawn discs of the regions one view shows, at the view's one scale."""
    if not shown:
        return
    scale = disc_scale([r.x for r in shown], [r.y for r in shown],
                       [r.radius for r in shown], [r.records for r in shown])
    for r in shown:
        r.disc = scale * math.sqrt(r.records)


def region_links(top: list[_Region], n_nodes: int, sources, targets, weights,
                 evidence, ids: Sequence[str], *, keep: int = MAX_EXITS) -> list[dict]:
    """For each region, the links from its topics to topics outside it, by the region
    they lead into, with the strongest of them; at most ``keep`` per region (the most
    links, then the greatest summed npmi, then the target's id)."""
    leaf = np.full(n_nodes, -1, dtype=np.int64)
    regions = list(walk(top))
    number = {r.id: i for i, r in enumerate(regions)}
    parent = np.array([number.get(r.parent, -1) for r in regions])
    for i, r in enumerate(regions):
        if r.topics is not None:
            leaf[r.topics] = i

    def chain(i: int) -> list[int]:
        out = [i]
        while parent[out[-1]] != -1:
            out.append(int(parent[out[-1]]))
        return out

    steps: dict[tuple[int, int], tuple[list, list]] = {}
    totals: dict[tuple[int, int], list] = {}
    for u, v, w, r in zip(np.asarray(sources).tolist(), np.asarray(targets).tolist(),
                          np.asarray(weights).tolist(), np.asarray(evidence).tolist()):
        a, b = int(leaf[u]), int(leaf[v])
        if a == b:
            continue
        sides = steps.get((a, b))
        if sides is None:
            ca, cb = chain(a), chain(b)
            common = set(ca) & set(cb)
            ia = next((k for k, g in enumerate(ca) if g in common), len(ca))
            ib = next((k for k, g in enumerate(cb) if g in common), len(cb))
            # From each region on a's side up to the common ancestor, the links lead
            # into the region just below that ancestor on b's side, and back.
            sides = ([(g, cb[ib - 1]) for g in ca[:ia]], [(g, ca[ia - 1]) for g in cb[:ib]])
            steps[(a, b)] = sides
        for keys, near, far in ((sides[0], u, v), (sides[1], v, u)):
            for key in keys:
                entry = totals.get(key)
                if entry is None:
                    totals[key] = [1, w, (w, r, near, far)]
                else:
                    entry[0] += 1
                    entry[1] += w
                    if (w, r) > entry[2][:2]:
                        entry[2] = (w, r, near, far)
    by_source: dict[int, list] = {}
    for (s, t), (n, w, best) in totals.items():
        by_source.setdefault(s, []).append((n, w, t, best))
    out = []
    for s, rows in by_source.items():
        rows.sort(key=lambda row: (-row[0], -row[1], regions[row[2]].id))
        for n, w, t, (bw, br, near, far) in rows[:keep]:
            out.append({"source": regions[s].id, "target": regions[t].id, "links": n,
                        "weight": w, "top_source": ids[near], "top_target": ids[far],
                        "top_weight": bw, "top_records": br})
    return out


def _view_bands(fr, items) -> list[int]:
    """Bands of ``items`` (``(text, x, y, what)`` in priority order) in the view of
    frame ``fr``."""
    if not items:
        return []
    texts = [lb.short(t) for t, *_ in items]
    vx, vy = to_view(fr, [i[1] for i in items], [i[2] for i in items])
    whats = [i[3] for i in items]
    # Ways out are placed in view units already.
    vx = [i[1] if i[3] == "exit" else float(v) for i, v in zip(items, vx)]
    vy = [i[2] if i[3] == "exit" else float(v) for i, v in zip(items, vy)]
    return lb.bands(texts, vx, vy, whats)


def geometry(nodes: pa.Table, edges: pa.Table, communities: pa.Table, *,
             records: Callable[[pa.Table], pa.Table],
             cap: int = MAX_VIEW) -> dict[str, pa.Table]:
    """The ``regions``, ``region_links`` and ``placements`` tables of a build
    (docs/graph.md) from its nodes (with community, centrality, x, y), edges and
    communities.

    ``records(chains)`` counts the regions' records once they are decided: given the
    table of :func:`chains` (``node``, ``region``), it returns ``region``, ``records``:
    for each region, the catalogue records holding at least one node of it, each
    once. A region it leaves out is an error (every topic has records).
    """
    nodes = nodes.sort_by("id")
    ids = nodes.column("id").to_pylist()
    labels = nodes.column("label").to_pylist()
    x = nodes.column("x").to_numpy()
    y = nodes.column("y").to_numpy()
    topic_records = nodes.column("records").to_numpy()
    centrality = nodes.column("centrality").to_numpy()
    top = build_regions(community=nodes.column("community").to_numpy(), x=x, y=y,
                        records=topic_records, centrality=centrality, labels=labels,
                        communities=communities, cap=cap)
    _count(top, records(chains(top, ids)))
    index = {node: i for i, node in enumerate(ids)}
    src = np.array([index[s] for s in edges.column("source").to_pylist()], dtype=np.int64)
    dst = np.array([index[t] for t in edges.column("target").to_pylist()], dtype=np.int64)
    links = region_links(top, len(ids), src, dst, edges.column("weight").to_numpy(),
                         edges.column("records").to_numpy(), ids)
    regions = {r.id: r for r in walk(top)}
    exits: dict[str, list[dict]] = {}
    for row in links:
        exits.setdefault(row["source"], []).append(row)

    def by_size(members):
        return sorted(members, key=lambda r: (-r.size, -r.records, r.id))

    # The catalogue's view, then each region's.
    views = [(CATALOGUE_FRAME, None, by_size(top))]
    for r in regions.values():
        r.view = fitted(r, x, y)
    views += [(r.view, r, by_size(r.children)) for r in regions.values()]
    place_rows = []
    for fr, region, children in views:
        out = exits.get(region.id, []) if region is not None else []
        for row in out:
            target = regions[row["target"]]
            ex, ey = exit_point(fr, target.x, target.y)
            # The whole label inside the view: slid along the edge, not cut off.
            x0, _, x1, _ = lb.box(lb.short(target.label), ex, ey, "exit", 0)
            half = (x1 - x0) / 2
            row["x"] = min(max(ex, half + 2), lb.VIEW - half - 2) if half < lb.VIEW / 2 \
                else lb.VIEW / 2
            row["y"] = min(max(ey, 40.0), lb.VIEW - 20.0)
        items = [(regions[row["target"]].label, row["x"], row["y"], "exit") for row in out]
        if region is not None and region.topics is not None:
            held = region.topics
            t = held[topic_order(centrality[held], topic_records[held], held)]
            items += [(labels[i], x[i], y[i], "topic") for i in t]
        else:
            t = np.empty(0, dtype=np.int64)
            items += [(c.label, c.x, c.y, "region") for c in children]
            _discs(children)
        found = _view_bands(fr, items)
        for row, band in zip(out, found):
            row["band"] = band
        rest = found[len(out):]
        if len(t):
            place_rows += [{"id": ids[i], "region": region.id, "band": band, "rank": k}
                           for k, (i, band) in enumerate(zip(t.tolist(), rest))]
        else:
            for k, (child, band) in enumerate(zip(children, rest)):
                child.band, child.rank = band, k
    region_rows = [{"region": r.id, "parent": r.parent, "kind": r.kind,
                    "community": r.community, "label": r.label, "size": r.size,
                    "records": r.records, "x": r.x, "y": r.y, "radius": r.radius,
                    "disc": r.disc, "band": r.band, "rank": r.rank, "view_x": r.view[0],
                    "view_y": r.view[1], "view_half": r.view[2]} for r in regions.values()]
    return {"regions": pa.Table.from_pylist(region_rows, schema=REGIONS),
            "region_links": pa.Table.from_pylist(links, schema=REGION_LINKS),
            "placements": pa.Table.from_pylist(place_rows, schema=PLACEMENTS)}
