"""One topic at "/topic/<topic_id>": a subject heading, an author or an LC class.

``topic_id`` is the graph node's id, URL-quoted (``/topic/subject:Korea%20(North)``); a
label is accepted too and resolved as the map's own queries resolve it. The page holds
the records under the topic (the search filtered by it), its broader and narrower
headings, its years, its top authors and classes, its neighbourhood (as a nested list,
the map's text twin) and the path to another topic (``?to=<label or id>``). Every
view is its URL: ``depth`` (1 or 2 hops) and ``to`` are query parameters.

A page that cannot be what was asked says so in its root's ``data-status`` (404: no
such topic; 400: a bad parameter; 503: no graph, or the catalogue not answering), so
that the server-drawn first paint can answer with that status.
"""

from __future__ import annotations

from urllib.parse import unquote

import dash
from dash import dcc, html

from index.queries import BadParameter, SearchParams
from index.search import SearchUnavailable, search
from ingest.graph import node_id as make_node_id
from ingest.graph import split_id
from ingest.subjects import broader
from viz.components import map_view, services
from viz.components.hits import hit_list
from viz.components.links import (TOPIC_FACETS, search_href, shared_records_href,
                                  topic_href, topic_params, topic_records_href)
from viz.components.neighbourhood_list import neighbourhood_list, neighbourhood_tree
from viz.components import page_frame
from viz.components.topic_links import kind_name, records_text
from viz.components.topic_lookup import find_topic
from viz.components.topic_path import MAX_HOPS, path_section
from viz.components.year_bars import year_histogram
from viz.graph.requests import bounded_int
from viz.graph import views
from viz.graph.store import UnknownNode
from viz.i18n import N_, _, ngettext, number, pieces

dash.register_page(__name__, path_template="/topic/<topic_id>",
                   title=lambda **_args: _("shelfmap — topic"), name="Topic")

PAGE_FIELDS = ("title_original",)
RECORDS_SHOWN = 10
# The map's neighbourhood view: at most this many nodes (the topic included).
NEIGHBOURHOOD_LIMIT = 30
DEFAULT_DEPTH = 2
NARROWER_SHOWN = 20
TOP_SHOWN = 8
GRAPH_HINT = N_("The topic map has not been built yet (run `shelfmap graph`).")
EXPLAIN_NEIGHBOURHOOD = N_("The ringed dot is this topic. Its own region's topics keep their "
                            "places on the map; topics of other regions sit around the edge, "
                            "towards where they are. A line joins two topics that share "
                            "records and opens them.")


def _text(value) -> str:
    """A query parameter as one string: Dash hands a repeated one over as a list."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return "" if value is None else str(value)


def _page(children: list, status: int = 200, q: str = "") -> html.Div:
    return page_frame.page(children, status=status, q=q, className="sm-topic")


def _message(text: str, id: str, error: bool = True) -> html.P:
    return html.P(text, className="sm-message" + (" sm-error" if error else ""), id=id)


def _h2(text: str) -> html.H2:
    return html.H2(text, className="sm-h2")


def _header(node: dict, total: int | None, original: str | None = None) -> html.Header:
    kind = kind_name(node["id"])
    count = total if total is not None else node["records"]
    return html.Header([
        html.P(kind, className="sm-kicker", id="topic-kind"),
        html.H1(node["label"], id="topic-title"),
        html.P(pieces("{heading} in original script",
                      heading=html.Span(original, className="sm-original")),
               className="sm-meta", id="topic-original")
        if original else None,
        html.P([dcc.Link(_("All {records} ›", records=records_text(count)),
                         href=topic_records_href(node["id"]),
                         id="topic-all-records")], className="sm-meta"),
    ], className="sm-topic-head")


def _records(node: dict, result: dict | None) -> html.Section:
    if result is None:
        body = [_message(_("The catalogue is unavailable right now."), "topic-records-missing")]
    else:
        body = [hit_list(result["hits"])]
        if result["total"] > len(result["hits"]):
            body.append(html.P(dcc.Link(_("All {records} ›",
                                          records=records_text(result["total"])),
                                        href=topic_records_href(node["id"]),
                                        className="sm-button"), className="sm-more"))
    return html.Section([_h2(_("Records")), *body], id="topic-records")


def _heading_links(store, headings: list[dict], id: str) -> html.Ul:
    items = []
    for h in headings:
        # A heading the graph left out (no kept link) still opens its records.
        href = topic_href(h["id"]) if h["id"] in store.index else topic_records_href(h["id"])
        count = html.Span(f" {number(h['records'])}", className="sm-count") \
            if h["records"] is not None else None
        items.append(html.Li([dcc.Link(h["label"], href=href), count]))
    return html.Ul(items, className="sm-facet-values", id=id)


def _hierarchy(store, node: dict, facets: dict | None) -> list:
    """Broader headings (from the heading's subdivisions) and narrower ones (the graph's
    headings under it, and those the records under it hold)."""
    kind, value = split_id(node["id"])
    if kind != "subject":
        return []
    out: list = []
    above = [make_node_id("subject", h) for h in broader(value)[:-1]]
    if above:
        rows = [{"id": h, "label": split_id(h)[1],
                 "records": int(store.records[store.index[h]]) if h in store.index else None}
                for h in above]
        out += [_h2(_("Broader")), _heading_links(store, rows, "topic-broader")]
    below = {n["id"]: n for n in store.narrower(node["id"], NARROWER_SHOWN)}
    # The search's subject facet adds narrower headings the graph left out (a heading
    # without a kept link is not a node), with their counts under this topic.
    for b in (facets or {}).get("subject", []):
        h = make_node_id("subject", b["value"])
        if b["value"].startswith(value + " -- ") and h not in below:
            below[h] = {"id": h, "label": b["value"], "records": b["count"]}
    if below:
        rows = sorted(below.values(), key=lambda n: (-n["records"], n["id"]))[:NARROWER_SHOWN]
        out += [_h2(_("Narrower")), _heading_links(store, rows, "topic-narrower")]
    return out


def _top(store, node: dict, facets: dict, facet: str, title: str) -> list:
    """The facet's values among the topic's records: each a topic link (when the graph
    has it) and a count that opens the records holding both."""
    kind = next(k for k, f in TOPIC_FACETS.items() if f == facet)
    items = []
    for b in facets.get(facet, []):
        other = make_node_id(kind, str(b["value"]))
        if other == node["id"]:
            continue
        found = store.index.get(other)
        label = store.labels[found] if found is not None else str(b["value"])
        # A value the graph left out (too few records) still opens its records.
        name = dcc.Link(label, href=topic_href(other) if found is not None
                        else topic_records_href(other))
        items.append(html.Li([name, " ", dcc.Link(
            number(b["count"]), href=shared_records_href(node["id"], other), className="sm-count",
            title=ngettext("{n} record shared", "{n} records shared", b["count"]))]))
        if len(items) == TOP_SHOWN:
            break
    if not items:
        return []
    return [_h2(_(title)), html.Ul(items, className="sm-facet-values", id=f"topic-top-{facet}")]


def _neighbourhood(store, node: dict, depth: int) -> html.Section:
    near = store.neighbourhood(node["id"], 1, NEIGHBOURHOOD_LIMIT)
    wide = store.neighbourhood(node["id"], 2, NEIGHBOURHOOD_LIMIT) if depth == 2 else None
    tree = neighbourhood_tree(node["id"], near, wide)
    one, two = _("one hop"), _("two hops")
    hops = [dcc.Link(one, href=topic_href(node["id"], depth=1), id="topic-depth-1")
            if depth != 1 else html.Strong(one), " · ",
            dcc.Link(two, href=topic_href(node["id"]), id="topic-depth-2")
            if depth != 2 else html.Strong(two)]
    view, markup = map_view.drawn_local(
        store, ("topic", node["id"], depth),
        lambda: views.local(store, [store.index[n["id"]] for n in (wide or near)["nodes"]],
                            marked=[store.index[node["id"]]]),
        _("Map of the topics around {topic}", topic=node["label"]))
    drawn = map_view.local_map(view, markup, id="topic-map", explain=EXPLAIN_NEIGHBOURHOOD)
    body = [html.P([_("Linked topics, strongest link first:"), " ", *hops], className="sm-meta"),
            drawn, neighbourhood_list(tree, _("Topics linked to {topic}", topic=node["label"]))] \
        if tree else [_message(_("No linked topics."), "topic-twin-empty", error=False)]
    return html.Section([_h2(_("Around this topic")), *body], id="topic-around")


def _path(ctx, store, node: dict, to: str):
    """The path to ``to`` (a dict), or why there is none (a sentence)."""
    target = find_topic(store, to, ctx.es, ctx.alias)[0]
    if target is None:
        return _("No topic is called “{topic}”. Try a subject heading, an author or a class.",
                 topic=to)
    try:
        path = store.path(node["id"], target, max_hops=MAX_HOPS)
    except UnknownNode:
        return _("No topic is called “{topic}”.", topic=to)
    if path is None:
        return ngettext("No connection of at most {n} link to {topic}.",
                        "No connection of at most {n} links to {topic}.", MAX_HOPS,
                        topic=store.labels[target])
    return path


def layout(topic_id: str | None = None, **args):
    ctx = services.current()
    store = ctx.graph()
    if store is None:
        return _page([_message(_(GRAPH_HINT), "topic-no-graph")], 503)
    asked = unquote(_text(topic_id)).strip()
    found, through_original = find_topic(store, asked[:500], ctx.es, ctx.alias)
    if found is None:
        shown = asked[:200]
        return _page([html.H1(_("No such topic"), id="topic-missing"),
                      html.P([_("The topic map has no topic “{topic}”.", topic=shown), " ",
                              dcc.Link(_("Search the catalogue for it"),
                                       href=search_href(SearchParams(q=shown))), "."],
                             className="sm-message")], 404)
    node = store.node(found)
    try:
        depth = bounded_int({"depth": _text(args.get("depth"))}, "depth", DEFAULT_DEPTH, 1, 2)
    except BadParameter as exc:
        return _page([_message(_("The address has a bad {name}: {detail}.", name=exc.name,
                                 detail=exc.message), "topic-bad-parameter")], 400)
    to = " ".join(_text(args.get("to")).split())[:500]
    ctx.log_query("topic", args)
    try:
        result = search(ctx.es, ctx.alias, topic_params(node["id"]).replace(size=RECORDS_SHOWN),
                        PAGE_FIELDS)
    except SearchUnavailable:
        result = None
    facets = result["facets"] if result else {}
    side = _hierarchy(store, node, facets)
    if result is not None:
        histogram = year_histogram(topic_params(node["id"]), facets.get("year", []),
                                   "topic-years")
        if histogram is not None:
            side += [_h2(_("Years")), histogram]
        if split_id(node["id"])[0] != "author":
            side += _top(store, node, facets, "author", N_("Top authors"))
        if split_id(node["id"])[0] != "class":
            side += _top(store, node, facets, "class", N_("Top classes"))
        if split_id(node["id"])[0] != "subject":
            side += _top(store, node, facets, "subject", N_("Top subjects"))
    connections = path_section(node["id"], to, depth if depth != DEFAULT_DEPTH else None,
                               _path(ctx, store, node, to) if to else None)
    main = [_records(node, result), _neighbourhood(store, node, depth)]
    # The answer to a question asked comes first; the question waits at the end.
    main = [connections, *main] if to else [*main, connections]
    return _page([_header(node, result["total"] if result else None,
                          asked if through_original else None),
                  html.Div([html.Div(main, className="sm-results"),
                            html.Aside(side, className="sm-side")], className="sm-body")])
