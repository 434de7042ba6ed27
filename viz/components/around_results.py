"""The search page's "Around the results": where the results sit on the whole
catalogue's map (the regions holding their topics lit, the others dimmed) and the map
of their topics, each a link that adds it to the search as a filter; a list of the
same topics is the maps' text twin.

The results' topics are the search's own facet counts (subjects, authors and classes
over the whole result set, not one page of it) that are topics of the map: no further
request is made.
"""

from __future__ import annotations

from dash import dcc, html

from index.queries import SearchParams
from ingest.graph import node_id
from viz import svg
from viz.components import map_view
from viz.components.links import TOPIC_FACETS, search_href, topic_href, topic_filter
from viz.components.topic_links import kind_word, shared_link
from viz.graph import views
from viz import i18n
from viz.i18n import N_, _, ngettext

RESULT_TOPICS = 40     # on the map of the results' topics, most held first
TWIN_LINKS = 2         # a topic's strongest links to the others, in the list
EXPLAIN_WHERE = N_("Where these results are on the whole catalogue's map: the regions "
                    "holding their topics are lit, the others dimmed.")
EXPLAIN_TOPICS = N_("Their topics, larger for more records; the ringed ones are the "
                     "search's filters. A topic adds itself to the search; a line opens the "
                     "records its two topics share.")


def result_topics(store, facets: dict) -> list[tuple[int, int]]:
    """``(node index, results holding it)`` for the facets' subjects, authors and
    classes that are topics of the map, most results first (ties: the more central,
    then the smaller index); at most :data:`RESULT_TOPICS`."""
    held: dict[int, int] = {}
    for kind, facet in TOPIC_FACETS.items():
        for bucket in facets.get(facet) or []:
            i = store.index.get(node_id(kind, str(bucket["value"])))
            if i is not None:
                held[i] = max(held.get(i, 0), int(bucket["count"]))
    ranked = sorted(held.items(), key=lambda kv: (-kv[1], -store.centrality[kv[0]], kv[0]))
    return ranked[:RESULT_TOPICS]


def _results(n: int) -> str:
    return ngettext("{n} of these results", "{n} of these results", n)


def _filtered(params: SearchParams, node: str) -> SearchParams:
    return params.with_filter(*topic_filter(node))


def topics_view(store, params: SearchParams, ranked: list[tuple[int, int]]) -> dict:
    """The map of the results' topics: each dot adds its topic to the search; the
    search's own filters are ringed."""
    active = {node_id(kind, v) for kind, f in TOPIC_FACETS.items() for v in params.values(f)}
    chosen = [i for i, _ in ranked]
    view = views.local(store, chosen, marked=[i for i in chosen if store.ids[i] in active])
    held = dict(ranked)
    for item in view["topics"]:
        item["href"] = search_href(_filtered(params, item["id"]))
        item["note"] = "; " + _results(held[store.index[item["id"]]])
    return view


def _twin(store, params: SearchParams, view: dict, ranked) -> html.Details:
    held = dict(ranked)
    labels = {t["id"]: t["label"] for t in view["topics"]}
    links: dict[str, list[dict]] = {}
    for link in view["links"]:   # strongest first; each under both its ends
        for end, other in ((link["source"], link["target"]), (link["target"], link["source"])):
            if len(links.setdefault(end, [])) < TWIN_LINKS:
                links[end].append({"other": other, "records": link["records"]})
    items = []
    for t in view["topics"]:
        word = kind_word(t["id"])
        sub = [html.Li([labels[e["other"]], " · ", shared_link(t["id"], e["other"], e["records"])])
               for e in links.get(t["id"], [])]
        items.append(html.Li([
            dcc.Link(t["label"], href=t["href"], title=_("Add to the search")),
            html.Span(f" {word} · " if word else " · ", className="sm-meta"),
            html.Span(_results(held[store.index[t["id"]]]), className="sm-count"), " · ",
            dcc.Link(_("topic page"), href=topic_href(t["id"]), className="sm-meta"),
            html.Ul(sub, className="sm-twin-hop") if sub else None]))
    # Folded: open, it is as long as the results; the maps above say the same.
    return html.Details([html.Summary(ngettext("The results' {n} topic as a list",
                                               "The results' {n} topics as a list",
                                               len(items))),
                         html.Ul(items, className="sm-twin", id="results-topics-list",
                                 **{"aria-label": _("The results' topics")})],
                        className="sm-twin-fold", id="results-topics-twin")


def around_results(store, params: SearchParams, facets: dict) -> html.Section | None:
    """The section, or None without a graph or when no result holds a topic of it."""
    if store is None:
        return None
    ranked = result_topics(store, facets)
    if not ranked:
        return None
    key = tuple(ranked)

    def where():
        view = views.lit_catalogue(store, dict(ranked))
        lit = sum(1 for r in view["regions"] if r["lit"])
        title = ngettext("Where these results are: {n} of the catalogue's {regions} regions "
                         "holds their topics",
                         "Where these results are: {n} of the catalogue's {regions} regions "
                         "hold their topics", lit, regions=i18n.number(len(view["regions"])))
        return view, svg.map_svg(view, title=title)

    where_markup = store.drawn(("results-where", key, i18n.current().key), where)[1]
    view, markup = map_view.drawn_local(
        store, ("results-topics", key, params.query_string()),
        lambda: topics_view(store, params, ranked),
        ngettext("Map of the results' {n} topic", "Map of the results' {n} topics", len(ranked)))
    return html.Section([
        html.H2(_("Around the results"), className="sm-h2", id="results-around-title"),
        html.Div([html.P(_(EXPLAIN_WHERE), className="sm-explain"),
                  map_view.map_box("results-where-map", where_markup)],
                 className="sm-mapview sm-local"),
        map_view.local_map(view, markup, id="results-topics-map", explain=EXPLAIN_TOPICS),
        _twin(store, params, view, ranked)],
        className="sm-around", id="results-around",
        **{"aria-labelledby": "results-around-title"})
