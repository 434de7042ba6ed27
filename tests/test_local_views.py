"""Maps of a few topics on their own (viz.graph.views.local): a topic's neighbourhood,
a record's topics and the topics of a set of results, on the tiny hand-made build
(tests/test_graph_store.py) and the large synthetic one (tests/test_map_svg.py); and
the whole catalogue's map with the results' regions lit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from index.queries import SearchParams
from viz import svg
from viz.components import around_results
from viz.graph import hierarchy, views
from viz.graph.labels import VIEW
from viz.graph.store import GraphStore

from .test_graph_store import A_KN, DS, KN, KN_POLITICS, KOREA, NUCLEAR, POETRY, SIJO, write_tiny
from .test_map_svg import SVG, anchors, assert_no_overlap, large, parse  # noqa: F401  (large: a fixture)

RING = hierarchy.EXIT_RING * VIEW


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> GraphStore:
    root = tmp_path_factory.mktemp("graph")
    write_tiny(root)
    return GraphStore.load(root)


def idx(store, *ids) -> list[int]:
    return [store.index[i] for i in ids]


def test_a_neighbourhood_keeps_its_communitys_places_and_rings_the_rest(store):
    hood = store.neighbourhood(KN, 2, 30)
    chosen = idx(store, *[n["id"] for n in hood["nodes"]])
    view = views.local(store, chosen, marked=[store.index[KN]])
    at = {t["id"]: t for t in view["topics"]}
    assert list(at) == [n["id"] for n in hood["nodes"]]   # in importance order
    assert [t["id"] for t in view["topics"] if t["marked"]] == [KN]
    home = [i for i in at if store.communities[store.index[i]] == 0
            and math.hypot(at[i]["x"] - VIEW / 2, at[i]["y"] - VIEW / 2) < RING - 1]
    away = [i for i in at if i not in home]
    # Community 0's seven topics (fewer than FIT_FROM) all keep their places.
    assert len(home) == 7 and KN in home
    assert {store.communities[store.index[i]] for i in away} == {1, 3}
    # Community 0's topics keep the layout's shape: the same affine map for all
    # (one scale, y flipped), fitted inside the middle of the view.
    a, b = store.index[KN], store.index[NUCLEAR]
    scale = (at[NUCLEAR]["x"] - at[KN]["x"]) / (store.x[b] - store.x[a])
    for i in home:
        j = store.index[i]
        assert at[i]["x"] == pytest.approx(at[KN]["x"] + scale * (store.x[j] - store.x[a]))
        assert at[i]["y"] == pytest.approx(at[KN]["y"] - scale * (store.y[j] - store.y[a]))
        assert math.hypot(at[i]["x"] - VIEW / 2, at[i]["y"] - VIEW / 2) <= \
            hierarchy.FILLED * VIEW + 1e-6
    # The others on the ring (or lifted off the bottom edge), on the side they lie.
    for i in away:
        r = math.hypot(at[i]["x"] - VIEW / 2, at[i]["y"] - VIEW / 2)
        assert r == pytest.approx(RING) or at[i]["y"] == views.LOCAL_BOTTOM
        if store.communities[store.index[i]] == 1:
            assert at[i]["x"] > VIEW / 2    # community 1 lies east of community 0
    # The links are exactly those among the chosen topics, each with its kind.
    assert {(e["source"], e["target"]) for e in view["links"]} == \
        {(e["source"], e["target"]) for e in store.edges_among(chosen)}
    assert all(e["kind"] for e in view["links"])


def test_the_svg_of_a_local_view_rings_its_subject_and_names_every_topic(store):
    chosen = idx(store, KN, NUCLEAR, KOREA, POETRY)
    view = views.local(store, chosen, marked=[store.index[KN]])
    root = parse(svg.map_svg(view, title="Around Korea (North)"))
    dots = anchors(root, "n")
    assert [a.get("href") for a in dots] == ["/topic/subject:Korea%20%28North%29",
                                             "/topic/subject:Nuclear%20weapons",
                                             "/topic/subject:Korea",
                                             "/topic/subject:Korean%20poetry"]
    marked = [a.get("aria-label") for a in dots
              if " m" in a.find(f"{SVG}circle").get("class")]
    assert marked == ["Korea (North) (subject): 58 records"]
    # KN-Nuclear, KN-Korea, KN-Korean poetry: each a link that says why it exists.
    reasons = sorted(a.find(f"{SVG}title").text for a in anchors(root, "h"))
    assert reasons[0].startswith("3 records share Korea (North) and Korean poetry")
    assert len(reasons) == 3


def test_one_topic_alone_sits_in_the_middle(store):
    view = views.local(store, idx(store, SIJO))
    (only,) = view["topics"]
    assert (only["x"], only["y"]) == pytest.approx((VIEW / 2, VIEW / 2))
    assert view["links"] == []
    assert views.local(store, [])["topics"] == []


def test_places_on_the_ring_are_moved_apart_only_as_far_as_needed():
    gap = views.RING_GAP
    assert views._ring(np.array([0.0, 1.0, 2.0])) == [0.0, 1.0, 2.0]
    close = views._ring(np.array([0.5, 0.5, 0.51]))
    assert close == pytest.approx([0.5, 0.5 + gap, 0.5 + 2 * gap])
    # Order given is kept in the answer; circular order decides who moves.
    assert views._ring(np.array([0.51, 0.5])) == pytest.approx([0.5 + gap, 0.5])
    crowded = views._ring(np.linspace(0, 0.01, 200))
    steps = np.diff(sorted(crowded))
    assert steps == pytest.approx(np.full(199, 2 * math.pi / 200))
    # Many that lie one way keep a share of an even spacing: no long chain on one side,
    # and never round onto the first.
    many = views._ring(np.full(20, 3.0))
    ordered = np.sort(np.asarray(many))
    share = views.RING_SHARE * 2 * math.pi / 20
    assert np.diff(ordered) == pytest.approx(np.full(19, share))
    assert ordered[0] == pytest.approx(3.0)
    wide = views._ring(np.linspace(0, 2 * math.pi, 12, endpoint=False))
    assert wide == pytest.approx(np.linspace(0, 2 * math.pi, 12, endpoint=False))


def test_local_views_never_overlap_labels_and_stay_small_on_a_large_graph(large):
    # Neighbourhoods of hubs on the synthetic 3,600-topic graph: as many topics as the
    # topic page asks for, labels apart at every zoom band.
    order = np.argsort(-large.centrality)[:20]
    drawn = 0
    for i in order.tolist():
        hood = large.neighbourhood(i, 2, 30)
        view = views.local(large, idx(large, *[n["id"] for n in hood["nodes"]]), marked=[i])
        assert len(view["topics"]) == len(hood["nodes"]) <= 30
        drawn += assert_no_overlap(svg.map_svg(view, title="around"))
        # Of the hub's own community, only its farthest fifth or so may join the ring.
        own = [t for t in view["topics"] if t["colour"] == large.communities[i]]
        ringed = [t for t in own if math.hypot(t["x"] - VIEW / 2, t["y"] - VIEW / 2) > RING - 1]
        if len(own) >= views.FIT_FROM:
            assert len(ringed) <= math.ceil((1 - views.FIT_SHARE) * len(own))
        for t in view["topics"]:
            assert 0 <= t["x"] <= VIEW and 0 <= t["y"] <= VIEW
    assert drawn > 100


def test_the_catalogue_lights_the_regions_of_the_results_topics(store):
    held = dict(zip(idx(store, KN, NUCLEAR, POETRY), (40, 12, 3)))
    view = views.lit_catalogue(store, held)
    lit = {r["id"]: (r["lit"], r["hits"]) for r in view["regions"]}
    assert lit == {"0": (2, 40), "1": (1, 3), "2": (0, 0), "3": (0, 0)}
    root = parse(svg.map_svg(view, title="Where"))
    classes = {a.get("href"): a.find(f"{SVG}circle").get("class") for a in anchors(root, "n")}
    assert classes["/map?region=0"].endswith(" lit") and classes["/map?region=2"].endswith(" dim")
    names = [a.get("aria-label") for a in anchors(root, "n")]
    assert "2 of these results' topics, the most held by 40 results" in names[0]
    assert names[2].endswith("none of these results' topics")


FACETS = {  # as index.search returns them: counts over the whole result set
    "subject": [{"value": "Korea (North)", "count": 40},
                {"value": "Nuclear weapons", "count": 12},
                {"value": "Not a topic of the map", "count": 30},
                {"value": "Korea (North) -- Politics and government", "count": 12}],
    "author": [{"value": "Korea (North)", "count": 7}],
    "class": [{"value": "DS", "count": 12}],
    "language": [{"value": "kor", "count": 50}],
}


def test_the_results_topics_are_the_facets_topics_most_held_first(store):
    ranked = around_results.result_topics(store, FACETS)
    # Ties on 12 results: the more central first (Nuclear 0.10, Politics 0.08, DS 0.07).
    assert [store.ids[i] for i, _ in ranked] == [KN, NUCLEAR, KN_POLITICS, DS, A_KN]
    assert [n for _, n in ranked] == [40, 12, 12, 12, 7]
    assert around_results.result_topics(store, {"language": FACETS["language"]}) == []


def test_a_topic_on_the_results_map_adds_itself_to_the_search(store):
    params = SearchParams(q="nuclear", filters=(("subject", "Korea (North)"),))
    ranked = around_results.result_topics(store, FACETS)
    view = around_results.topics_view(store, params, ranked)
    at = {t["id"]: t for t in view["topics"]}
    assert at[NUCLEAR]["href"] == \
        "/?q=nuclear&subject=Korea+%28North%29&subject=Nuclear+weapons"
    assert at[DS]["href"] == "/?q=nuclear&subject=Korea+%28North%29&class=DS"
    # The search's own filter is the ringed topic; its link leaves the search as it is.
    assert [t["id"] for t in view["topics"] if t["marked"]] == [KN]
    assert at[KN]["href"] == "/?q=nuclear&subject=Korea+%28North%29"
    root = parse(svg.map_svg(view, title="Their topics"))
    names = {a.get("href"): a.get("aria-label") for a in anchors(root, "n")}
    assert names[at[NUCLEAR]["href"]] == "Nuclear weapons (subject): 12 records; 12 of these results"


def test_the_maps_of_a_few_topics_never_push_the_maps_views_out(tmp_path, monkeypatch):
    from viz.graph import store as graph_store

    monkeypatch.setattr(graph_store, "DRAWN", {"map": 3, "local": 2})
    write_tiny(tmp_path)
    g = GraphStore.load(tmp_path)
    made = []

    def make(key):
        made.append(key)
        return key

    for region in ("0", "1", "2"):
        g.drawn(("map", region), lambda r=region: make(("map", r)))
    for n in range(10):   # a crowd of searches and topic pages
        g.drawn(("topic", n), lambda n=n: make(("topic", n)))
    for region in ("0", "1", "2"):
        assert g.drawn(("map", region), lambda: make("again")) == ("map", region)
    assert "again" not in made
    g.drawn(("map", "3"), lambda: make(("map", "3")))       # the least recent goes
    g.drawn(("map", "0"), lambda: make("again"))
    assert made.count("again") == 1
    assert g.drawn(("topic", 9), lambda: make("again")) == ("topic", 9)
    g.drawn(("topic", 0), lambda: make("again"))
    assert made.count("again") == 2
