"""A map view on a page: the one-line explanation, the SVG with its zoom buttons and
the ways out of a region; or the same view as its text twin (the same regions, topics
and links as a nested list of links, for keyboards and screen readers), a page of its
own. Ids are prefixed "map-".
"""

from __future__ import annotations

import logging
import threading
import time
import weakref

from dash import dcc, html

from viz import svg
from viz.components.links import region_href, shared_records_href, topic_href
from viz.components.map_svg import MapSvg
from viz.graph import hierarchy
from viz.graph import store as graph_store
from viz import i18n
from viz.i18n import N_, _, ngettext

log = logging.getLogger("shelfmap.graph")

EXPLAIN_CATALOGUE = N_("The whole catalogue as a map: each disc is a region of related "
                        "topics, sized by its records (the records under any of its "
                        "topics); a line joins regions whose topics share records. Open a "
                        "region to see its topics.")
EXPLAIN_REGIONS = N_("A region too large for one view, in smaller regions: open one to see "
                      "its topics.")
EXPLAIN_TOPICS = N_("Each dot is a topic (a subject, an author or a class), larger for more "
                     "records; a line joins two topics that share records and opens them. "
                     "The coloured names at the edge lead to neighbouring regions.")
# Also what a build written by an older shelfmap gets (the store refuses it and logs
# why): either way `shelfmap graph` is the cure.
NO_GRAPH = N_("There is no map yet: the topic graph has not been built, or was built by an "
               "older shelfmap (`shelfmap graph` builds it).")
TWIN_LINKS = 3   # a topic's or region's strongest links listed under it in the twin


def store() -> graph_store.GraphStore | None:
    """The current topic graph of this app (None before the first build)."""
    from viz.components import services

    return services.current().graph()


def _zoom() -> html.Div:
    # Shown only where map.js runs (it marks the page sm-js): without scripts they
    # would do nothing.
    return html.Div([
        html.Button("+", type="button", **{"data-zoom": "in", "aria-label": _("Zoom in")}),
        html.Button("−", type="button", **{"data-zoom": "out", "aria-label": _("Zoom out")}),
        html.Button("⟲", type="button", **{"data-zoom": "reset",
                                           "aria-label": _("Whole view")}),
    ], className="sm-zoom")


def _crumbs(view: dict) -> html.Nav | None:
    if view["level"] == "catalogue":
        return None
    items = [html.Li(dcc.Link(_("Whole catalogue"), href=region_href()))]
    for step in view["path"][:-1]:
        items.append(html.Li(dcc.Link(step["label"], href=region_href(step["id"]))))
    items.append(html.Li(view["path"][-1]["label"], **{"aria-current": "page"}))
    return html.Nav(html.Ol(items, className="sm-crumbs"), **{"aria-label": _("Where you are")})


def _link_item(link: dict) -> html.Li:
    return html.Li(dcc.Link(svg.link_reason(link),
                            href=shared_records_href(link["source"], link["target"])))


def _twin(view: dict) -> html.Section:
    """Regions -> (their links), or topics -> their strongest links, as links."""
    entries = []
    if view["topics"]:
        labels = {t["id"]: t["label"] for t in view["topics"]}
        listed: dict[str, list[dict]] = {}
        for link in view["links"]:  # strongest first; each link once, under its first end
            for end in (link["source"], link["target"]):
                if len(listed.setdefault(end, [])) < TWIN_LINKS:
                    listed[end].append(link | {"source_label": labels[link["source"]],
                                               "target_label": labels[link["target"]]})
                    break
        for t in view["topics"]:
            head = dcc.Link(ngettext("{label} ({kind}, {n} record)",
                                     "{label} ({kind}, {n} records)", t["records"],
                                     label=t["label"], kind=svg.kind_text(t["kind"])),
                            href=topic_href(t["id"]))
            sub = [_link_item(link) for link in listed.get(t["id"], [])]
            entries.append(html.Li([head, html.Ul(sub)] if sub else [head]))
    else:
        labels = {r["id"]: r["label"] for r in view["regions"]}
        under: dict[str, list[dict]] = {}
        for link in view["links"]:
            under.setdefault(link["source"], []).append(link)
        for r in view["regions"]:
            head = dcc.Link(svg.region_name(r), href=region_href(r["id"]))
            sub = [html.Li([_("Linked to {region}:", region=labels[link["target"]]), " ",
                            dcc.Link(svg.region_link_reason(link, labels),
                                     href=shared_records_href(link["strongest"]["source"],
                                                              link["strongest"]["target"]))])
                   for link in under.get(r["id"], [])[:TWIN_LINKS]]
            entries.append(html.Li([head, html.Ul(sub)] if sub else [head]))
    return html.Section([html.H2(_("The map as a list"), id="map-twin-title"),
                         html.Ul(entries, id="map-twin")],
                        className="sm-twin", **{"aria-labelledby": "map-twin-title"})


def _exits(view: dict) -> html.Section | None:
    if not view.get("exits"):
        return None
    items = [html.Li(dcc.Link(ngettext("{label} ({n} link)", "{label} ({n} links)",
                                       e["links"], label=e["label"]),
                              href=region_href(e["region"]))) for e in view["exits"]]
    return html.Section([html.H2(_("Ways out"), id="map-exits-title"),
                         html.Ul(items, className="sm-exits", id="map-exits")],
                        **{"aria-labelledby": "map-exits-title"})


def map_title(view: dict) -> str:
    if view["level"] == "catalogue":
        return ngettext("Map of the catalogue: {n} region", "Map of the catalogue: {n} regions",
                        len(view["regions"]))
    label = view["region"]["label"]
    if view["topics"]:
        return ngettext("Map of the region {region}: {n} topic",
                        "Map of the region {region}: {n} topics", len(view["topics"]),
                        region=label)
    return ngettext("Map of the region {region}: {n} region",
                    "Map of the region {region}: {n} regions", len(view["regions"]),
                    region=label)


def explanation(view: dict) -> str:
    if view["level"] == "catalogue":
        return _(EXPLAIN_CATALOGUE)
    return _(EXPLAIN_TOPICS) if view["topics"] else _(EXPLAIN_REGIONS)


def regions_by_level(graph: graph_store.GraphStore) -> list[str]:
    """Every region of the map, from the catalogue down, level by level (as visitors
    reach them), each level in its parent's order."""
    out, level = [], [hierarchy.CATALOGUE]
    while level:
        level = [c for parent in level for c in graph.region_children.get(parent, [])]
        out.extend(level)
    return out


# Per loaded build (the store), the thread drawing its views; gone with the store.
_warming: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_warming_lock = threading.Lock()


def warm(graph: graph_store.GraphStore) -> threading.Thread:
    """Draw the map's views of a newly loaded build in the background, once per build
    and process (the catalogue first, then level by level, as many as the store keeps:
    ``graph_store.DRAWN``), so that visitors meet views already drawn; the thread that
    does it (started by the first call)."""
    with _warming_lock:
        thread = _warming.get(graph)
        if thread is None:
            thread = threading.Thread(target=_draw_all, args=(graph,), daemon=True,
                                      name=f"draw map views of {graph.version}")
            _warming[graph] = thread
            thread.start()
    return thread


def _draw_all(graph: graph_store.GraphStore) -> None:
    # In each language, as visitors' browsers ask for them (no lang in the URL).
    regions = [None, *regions_by_level(graph)][:graph_store.DRAWN["map"] // len(i18n.LANGUAGES)]
    started = time.monotonic()
    for region in regions:
        try:
            for lang in i18n.LANGUAGES:
                with i18n.using(lang):
                    view_of(graph, region)
        except Exception:  # a view that cannot be drawn is drawn (and fails) on request
            log.exception("map view %s of graph %s could not be drawn", region,
                          graph.version)
    log.info("topic graph %s: %d map views drawn in %.1f s", graph.version, len(regions),
             time.monotonic() - started)


def view_of(graph: graph_store.GraphStore, region: str | None) -> tuple[dict, str]:
    """A view and its SVG markup, drawn once per build, region and language (with the
    language in its links or not: ``GraphStore.drawn``). Raises ``UnknownRegion``."""
    def make():
        view = graph.catalogue_view() if region is None else graph.region_view(region)
        return view, svg.map_svg(view, title=map_title(view))
    return graph.drawn(view_key(region), make)


def view_key(region: str | None) -> tuple:
    """What a drawn map view is kept under: its region, in the current language (its
    text) and with the language in its links or not."""
    return "map", region, i18n.current().key


def _region_id(view: dict) -> str | None:
    return view["region"]["id"] if view["region"] else None


def map_section(view: dict, markup: str) -> html.Section:
    """The drawn map, and first of all a link to the same map as a list: the list is a
    page of its own (``/map?view=list``), so that a view's SVG alone makes the page
    and a later visit stays within its bytes."""
    title = map_title(view)
    parts = [_crumbs(view),
             html.P([explanation(view), " ",
                     dcc.Link(_("The same map as a list"), id="map-as-list",
                              href=region_href(_region_id(view), as_list=True))],
                    className="sm-explain", id="map-explain"),
             map_box("map-svg", markup),
             _exits(view)]
    return html.Section([p for p in parts if p is not None], className="sm-mapview",
                        **{"aria-label": title})


def list_section(view: dict) -> html.Section:
    """A map as its text twin: the same regions, or topics, and their strongest links
    as a nested list, with a link back to the drawn map."""
    parts = [_crumbs(view),
             html.P([_("{title}, as a list.", title=map_title(view)), " ",
                     dcc.Link(_("The drawn map"), id="map-as-drawing",
                              href=region_href(_region_id(view)))],
                    className="sm-explain", id="map-explain"),
             _twin(view), _exits(view)]
    return html.Section([p for p in parts if p is not None], className="sm-mapview",
                        **{"aria-label": _("{title}, as a list", title=map_title(view))})


def no_graph() -> html.P:
    return html.P(_(NO_GRAPH), className="sm-message", id="map-none")




def drawn_local(graph: graph_store.GraphStore, key, make_view, title: str) -> tuple[dict, str]:
    """A view of a few topics on their own (``views.local``: a topic's neighbourhood, a
    record's topics, the topics of some results) and its SVG, made once per build and
    ``key`` and language (``GraphStore.drawn``); ``make_view()`` makes the view."""
    def make():
        view = make_view()
        return view, (svg.map_svg(view, title=title) if view["topics"] else "")
    return graph.drawn((*key, i18n.current().key), make)


def local_map(view: dict, markup: str, *, id: str, explain: str) -> html.Div | None:
    """A local view on a page: its one-line explanation, then the SVG with its zoom
    buttons (``explain``: a message of the catalogue, shown translated); the list the
    page shows beside it is its text twin. None when the view holds no topic."""
    if not view["topics"]:
        return None
    return html.Div([html.P(_(explain), className="sm-explain"), map_box(id, markup)],
                    className="sm-mapview sm-local")

def map_box(id: str, markup: str) -> html.Div:
    """The SVG of a view with its zoom buttons."""
    return html.Div([_zoom(), MapSvg(id=id, className="sm-mapsvg", markup=markup)],
                    className="sm-mapbox")
