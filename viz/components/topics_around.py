"""The record page's "Topics around this record": the record's subjects, authors and
class that are topics of the map, each with its strongest neighbours and why (the
records they share, a link opening exactly those)."""

from __future__ import annotations

from dash import html

from ingest.graph import node_id
from viz.components import map_view
from viz.components.topic_links import link_line, records_text, topic_link
from viz.graph import views
from viz.i18n import N_, _, ngettext

MAX_TOPICS = 8       # a phone screen's worth
NEIGHBOURS = 3       # per topic: the strongest few
EXPLAIN = N_("The ringed dots are this record's topics, with their strongest neighbours; "
              "topics of other regions sit around the edge, towards where they are on the "
              "map. A line opens the records its two topics share.")


def record_topics(store, record: dict) -> list[int]:
    """The graph's nodes the record holds: its subject headings (each heading and its
    broader headings, as the graph counts them), then its authors, then its classes (LC, KDC);
    at most :data:`MAX_TOPICS`, in that order."""
    ids = [node_id("subject", t) for t in record.get("subject_terms") or []]
    ids += [node_id("author", a) for a in record.get("authors") or []]
    if record.get("lcc_class"):
        ids.append(node_id("class", record["lcc_class"]))
    if record.get("kdc_division"):
        ids.append(node_id("kdc", record["kdc_division"]))
    found = [store.index[i] for i in dict.fromkeys(ids) if i in store.index]
    return found[:MAX_TOPICS]


def topic_neighbours(store, i: int, skip: set[int], limit: int = NEIGHBOURS) -> list[tuple]:
    """Node ``i``'s strongest links to nodes not in ``skip`` (the record's own topics,
    which the record already shows): ``[(node index, npmi, records shared)]``."""
    out = []
    nbrs, weights, evidence = store.links(i)
    for v, w, r in zip(nbrs.tolist(), weights.tolist(), evidence.tolist()):
        if v in skip:
            continue
        out.append((v, w, r))
        if len(out) == limit:
            break
    return out


def topics_around(store, record: dict) -> html.Section | None:
    """The section, or None when the graph is not built or holds none of the record's
    topics."""
    if store is None:
        return None
    mine = record_topics(store, record)
    if not mine:
        return None
    own = set(mine)
    items = []
    for i in mine:
        node = store.node(i)
        near = [html.Li(link_line(node["id"], store.node(v), r, w))
                for v, w, r in topic_neighbours(store, i, own)]
        items.append(html.Li([
            topic_link(node), html.Span(f" {records_text(node['records'])}",
                                        className="sm-count"),
            html.Ul(near, className="sm-twin-hop") if near else None,
        ]))
    view, markup = map_view.drawn_local(
        store, ("record", tuple(mine)), lambda: record_map(store, mine),
        ngettext("Map of this record's {n} topic and its neighbours",
                 "Map of this record's {n} topics and their neighbours", len(mine)))
    drawn = map_view.local_map(view, markup, id="record-map", explain=EXPLAIN)
    return html.Section([html.H2(_("Topics around this record"), className="sm-h2"), drawn,
                         html.Ul(items, className="sm-twin", id="record-topics-list")],
                        id="record-topics")


def record_map(store, mine: list[int]) -> dict:
    """The record's topics (ringed) and each one's strongest neighbours, on one map:
    the same topics the list beside it shows."""
    own = set(mine)
    near = [v for i in mine for v, _, _ in topic_neighbours(store, i, own)]
    return views.local(store, mine + near, marked=mine)
