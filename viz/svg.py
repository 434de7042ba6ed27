"""Map views as SVG markup: pure functions from a view (``viz.graph.views``: the
catalogue, a region, a few topics on their own) to a string. Nothing is laid out here:
every place comes from the graph build, every label band from ``viz.graph.labels``.

The markup is compact (a 0..1000 box, coordinates to a tenth, short class names; the
CSS is viz/assets/map.css) and readable without scripts: labels of band 0 show, every
region, topic, way out and link is a link with an accessible name, and the keyboard
meets them in order of importance: regions or topics first, then the ways out, then
the links. Every text is escaped.
"""

from __future__ import annotations

from html import escape

import numpy as np

from ingest.graph import split_id
from viz.components.links import region_href, shared_records_href, topic_href
from viz.graph.labels import DY, VIEW, anchor, box, short
from viz.i18n import N_, _, ngettext

# Region colours (classes c0..c7, by community number): each at least 3:1 against the
# page's background, so a disc's outline and a topic's dot are seen by everyone
# (WCAG 1.4.11); labels are ink on a white halo. map.css holds the same colours;
# tests/test_map_svg.py checks both.
PALETTE = ("#0b5cad", "#b3261e", "#1b7f3b", "#8a4f00", "#6a3fb5", "#00737f", "#b0175a",
           "#56650c")
BACKGROUND = "#fbfcfd"
INK = "#1d232a"
HALO = "#ffffff"
LINK = "#6b7884"
DOT = (5.0, 7.0, 9.5, 12.0)   # a topic's dot at zoom 1, by its size step (s0..s3)
WEIGHT_STEPS = (0.3, 0.6)     # npmi from which a link is drawn thicker (w1, w2)
WHAT = {"l": "region", "t": "topic", "x": "exit"}   # label classes -> labels.FONT keys


def _n(value: float) -> str:
    """A coordinate to a tenth, without a trailing .0."""
    text = "%.1f" % value
    return text[:-2] if text.endswith(".0") else text


def _a(text) -> str:
    return escape(str(text), quote=True)


def colour(community: int) -> str:
    return f"c{community % len(PALETTE)}"


def _weight_class(weight: float) -> str:
    return f"w{sum(weight >= s for s in WEIGHT_STEPS)}"


# A topic's kind as a view names it (its node id's prefix), in words.
KINDS = {"subject": N_("subject"), "author": N_("author"), "class": N_("class"),
         "kdc": N_("class")}


def kind_text(kind: str) -> str:
    return _(KINDS[kind]) if kind in KINDS else kind


def _named(label: str, node: str) -> str:
    """A topic's label, with its kind when it is not a subject: the government of Korea
    (North) as an author and the subject Korea (North) share a label."""
    kind = split_id(node)[0]
    return label if kind == "subject" else _("{label} ({kind})", label=label,
                                             kind=kind_text(kind))


def link_reason(link: dict) -> str:
    """What a topic link says: "12 records share A and B (association 0.60)"."""
    return ngettext("{n} record shares {a} and {b} (association {weight})",
                    "{n} records share {a} and {b} (association {weight})", link["records"],
                    a=_named(link["source_label"], link["source"]),
                    b=_named(link["target_label"], link["target"]),
                    weight=format(link["weight"], ".2f"))


def region_link_reason(link: dict, labels: dict) -> str:
    return ngettext("{a} and {b}: {n} link between their topics; the strongest: {reason}",
                    "{a} and {b}: {n} links between their topics; the strongest: {reason}",
                    link["links"], a=labels[link["source"]], b=labels[link["target"]],
                    reason=link_reason(link["strongest"]))




def _label(text: str, x: float, y: float, cls: str, band: int) -> str:
    if band >= 4:  # no room at any zoom: the item keeps its name for screen readers
        return ""
    text = short(text)
    how = anchor(text, x, WHAT[cls])
    hang = "" if how == "middle" else f' text-anchor="{how}"'
    return (f'<text x="{_n(x)}" y="{_n(y)}" dy="{DY[WHAT[cls]]:g}em"{hang} '
            f'class="{cls} b{band}">{escape(text, quote=False)}</text>')


def _lit(item: dict) -> tuple[str, str]:
    """A region of a results map (``views.lit_catalogue``): what its name adds, and its
    class (lit where the results' topics are, dimmed elsewhere)."""
    if "lit" not in item:
        return "", ""
    if not item["lit"]:
        return _("; none of these results' topics"), " dim"
    held = ngettext("the most held by {n} result", "the most held by {n} results",
                    item["hits"])
    return ngettext("; {n} of these results' topic, {held}",
                    "; {n} of these results' topics, {held}", item["lit"], held=held), " lit"


def region_name(item: dict) -> str:
    """What a region holds: "Korea (North): 1,234 records, 56 topics" (its disc's
    area follows the records)."""
    records = ngettext("{n} record", "{n} records", item["records"])
    return ngettext("{label}: {records}, {n} topic", "{label}: {records}, {n} topics",
                    item["topics"], label=item["label"], records=records)


def _region(item: dict) -> str:
    note, lit = _lit(item)
    name = region_name(item)
    return (f'<a href="{_a(region_href(item["id"]))}" aria-label="{_a(name + note)}">'
            f'<circle cx="{_n(item["x"])}" cy="{_n(item["y"])}" r="{_n(item["r"])}" '
            f'class="{colour(item["colour"])}{lit}"/>'
            f'{_label(item["label"], item["x"], item["y"], "l", item["band"])}</a>')


def _topic(item: dict) -> str:
    """A topic's dot: it opens the topic's page, or ``href`` where the view says
    (a results map's dot adds the topic to the search); ``note`` ends its name;
    a ``marked`` topic is the view's subject (a ring around its dot)."""
    name = ngettext("{label} ({kind}): {n} record", "{label} ({kind}): {n} records",
                    item["records"], label=item["label"],
                    kind=kind_text(item["kind"])) + item.get("note", "")
    href = item.get("href") or topic_href(item["id"])
    mark = " m" if item.get("marked") else ""
    return (f'<a href="{_a(href)}" aria-label="{_a(name)}">'
            f'<circle cx="{_n(item["x"])}" cy="{_n(item["y"])}" r="{_n(DOT[item["size"]])}" '
            f'class="{colour(item["colour"])} s{item["size"]}{mark}"/>'
            f'{_label(item["label"], item["x"], item["y"], "t", item["band"])}</a>')


def _exit(item: dict) -> str:
    name = ngettext("Way out to {label}: {n} link", "Way out to {label}: {n} links",
                    item["links"], label=item["label"])
    label = _label(item["label"], item["x"], item["y"], "x", item["band"])
    # A way out whose name has no room shows as a dot of its region's colour.
    mark = label or (f'<circle cx="{_n(item["x"])}" cy="{_n(item["y"])}" r="8" '
                     f'class="{colour(item["colour"])}"/>')
    return f'<a href="{_a(region_href(item["region"]))}" aria-label="{_a(name)}">{mark}</a>'


def _radius(item: dict) -> float:
    return item["r"] if "r" in item else DOT[item["size"]]


# A link's pointer area is a 12-unit stroke at zoom 1 (map.css): its middle line keeps
# this far beyond the edge of every disc and dot (half the stroke, and a little room).
HIT_CLEAR = 8.0
# Pieces of a pointer area shorter than this (view units) are left out.
HIT_PIECE = 2.0


def _box_cuts(ax, ay, ux, uy, length, boxes: np.ndarray):
    """For every link and box (rows of x0, y0, x1, y1, grown by HIT_CLEAR) the link's
    segment crosses: the link's row, and where along it the crossing starts and ends
    (the slab method, all pairs at once)."""
    if not len(boxes):
        return np.empty(0, int), np.empty(0), np.empty(0)
    x0, y0 = boxes[:, 0][None, :] - HIT_CLEAR, boxes[:, 1][None, :] - HIT_CLEAR
    x1, y1 = boxes[:, 2][None, :] + HIT_CLEAR, boxes[:, 3][None, :] + HIT_CLEAR
    with np.errstate(divide="ignore", invalid="ignore"):
        tx0, tx1 = (x0 - ax) / ux, (x1 - ax) / ux
        ty0, ty1 = (y0 - ay) / uy, (y1 - ay) / uy
    # A segment parallel to an axis crosses the slab everywhere or nowhere.
    inside_x = (ax > x0) & (ax < x1)
    inside_y = (ay > y0) & (ay < y1)
    lo_x = np.where(ux == 0, np.where(inside_x, -np.inf, np.inf), np.minimum(tx0, tx1))
    hi_x = np.where(ux == 0, np.where(inside_x, np.inf, -np.inf), np.maximum(tx0, tx1))
    lo_y = np.where(uy == 0, np.where(inside_y, -np.inf, np.inf), np.minimum(ty0, ty1))
    hi_y = np.where(uy == 0, np.where(inside_y, np.inf, -np.inf), np.maximum(ty0, ty1))
    lo, hi = np.maximum(lo_x, lo_y), np.minimum(hi_x, hi_y)
    rows, cols = np.nonzero((lo < hi) & (hi > 0) & (lo < length))
    return rows, lo[rows, cols], hi[rows, cols]


def hit_paths(segments: np.ndarray, discs: np.ndarray,
              boxes: np.ndarray | None = None) -> list[str]:
    """Each link's pointer area: its segment (``segments``: rows of x0, y0, x1, y1) with
    the stretches that pass over any disc or dot (``discs``: rows of x, y, radius), its
    own two ends' included, or over any label shown at zoom 1 (``boxes``: rows of x0,
    y0, x1, y1) cut out. The links are drawn above the discs and labels (their ``<a>``
    come after the regions' and topics' in the tab order), so a stretch over one would
    take the click or tap meant for the region or topic. A link with nothing
    left between its discs gets an empty area (it stays reachable by keyboard and in
    the text twin). All links at once, as arrays: a view holds hundreds of each."""
    if not len(segments):
        return []
    ax, ay, bx, by = (segments[:, k][:, None] for k in range(4))
    length = np.hypot(bx - ax, by - ay)
    safe = np.where(length > 0, length, 1.0)
    ux, uy = (bx - ax) / safe, (by - ay) / safe
    ox, oy = discs[:, 0][None, :] - ax, discs[:, 1][None, :] - ay
    along = ox * ux + oy * uy
    across = np.abs(ox * uy - oy * ux)
    clear = discs[:, 2][None, :] + HIT_CLEAR
    over = (across < clear) & (along + clear > 0) & (along - clear < length)
    rows, cols = np.nonzero(over)
    half = np.sqrt(np.maximum(clear[0, cols] ** 2 - across[rows, cols] ** 2, 0.0))
    lo, hi = along[rows, cols] - half, along[rows, cols] + half
    if boxes is not None and len(boxes):
        b_rows, b_lo, b_hi = _box_cuts(ax, ay, ux, uy, length, boxes)
        rows = np.concatenate([rows, b_rows])
        lo, hi = np.concatenate([lo, b_lo]), np.concatenate([hi, b_hi])
    order = np.lexsort((lo, rows))
    cuts: list[list[tuple[float, float]]] = [[] for _ in range(len(segments))]
    for k in order.tolist():
        cuts[rows[k]].append((lo[k], hi[k]))
    out = []
    for i, (x0, y0, x1, y1) in enumerate(segments.tolist()):
        total = float(length[i, 0])
        dx, dy = (x1 - x0) / (total or 1.0), (y1 - y0) / (total or 1.0)
        pieces, start = [], 0.0
        for c0, c1 in cuts[i]:
            if c0 - start >= HIT_PIECE:
                pieces.append((start, c0))
            start = max(start, c1)
        if total - start >= HIT_PIECE:
            pieces.append((start, total))
        out.append("".join(f"M{_n(x0 + dx * p0)} {_n(y0 + dy * p0)}"
                           f"L{_n(x0 + dx * p1)} {_n(y0 + dy * p1)}" for p0, p1 in pieces)
                   or f"M{_n(x0)} {_n(y0)}")
    return out


def map_svg(view: dict, *, title: str) -> str:
    """The SVG of a map view; ``title`` names it for screen readers."""
    at = {item["id"]: item for item in view["regions"] + view["topics"]}
    labels = {i: item["label"] for i, item in at.items()}
    ends = {i: f'{_n(item["x"])} {_n(item["y"])}' for i, item in at.items()}
    lines: dict[str, list[str]] = {}
    hits, segments = [], []
    for link in view["links"]:
        a, b = link["source"], link["target"]
        if link["kind"] == "region":
            reason = region_link_reason(link, labels)
            strongest = link["strongest"]
            href = shared_records_href(strongest["source"], strongest["target"])
            weight = strongest["weight"]
        else:
            reason = link_reason(link | {"source_label": labels[a], "target_label": labels[b]})
            href = shared_records_href(a, b)
            weight = link["weight"]
        line = f"M{ends[a]}L{ends[b]}"
        lines.setdefault(_weight_class(weight), []).append(line)
        hits.append((_a(href), _a(reason)))
        segments.append((at[a]["x"], at[a]["y"], at[b]["x"], at[b]["y"]))
    discs = np.array([(item["x"], item["y"], _radius(item)) for item in at.values()],
                     dtype=float).reshape(-1, 3)
    # The labels a phone shows before any zoom; zoomed in they are smaller, and the
    # areas cut for them only a little larger than needed.
    boxes = np.array([box(short(item["label"]), item["x"], item["y"],
                          "region" if "r" in item else "topic", 0)
                      for item in at.values() if item.get("band") == 0] +
                     [box(short(e["label"]), e["x"], e["y"], "exit", 0)
                      for e in view.get("exits") or [] if e.get("band") == 0],
                     dtype=float).reshape(-1, 4)
    areas = hit_paths(np.array(segments, dtype=float).reshape(-1, 4), discs, boxes)
    # A link's <title> names it (the accessible name of an SVG element without
    # aria-label) and shows on hover.
    hits = [f'<a href="{href}"><title>{reason}</title><path d="{d}"/></a>'
            for (href, reason), d in zip(hits, areas)]
    drawn = "".join(f'<path d="{"".join(d)}" class="{w}"/>' for w, d in sorted(lines.items()))
    items = "".join(_region(r) for r in view["regions"]) + \
        "".join(_topic(t) for t in view["topics"])
    exits = "".join(_exit(e) for e in view.get("exits") or [])
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {VIEW:g} {VIEW:g}" '
            f'class="sm-map sm-z0" role="group" aria-label="{_a(title)}">'
            f'<g class="e" aria-hidden="true">{drawn}</g><g class="n">{items}</g>'
            f'<g class="o">{exits}</g><g class="h">{"".join(hits)}</g></svg>')
