"""The map's views and their SVG: exact answers on the tiny hand-made build
(tests/test_graph_store.py), labels that never overlap in any zoom band, the cap on a
view's size on a synthetic large graph, escaping, colours with enough contrast."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from viz import svg
from viz.graph import artifacts as graph_artifacts
from viz.graph import hierarchy
from viz.graph import labels as lb
from viz.graph import views
from viz.graph.store import GraphStore
from viz.graph.views import UnknownRegion

from .test_graph_store import (A_KN, DS, KIM, KN, KN_POLITICS, KOREA, LITERATURE, LOVE,
                               NONPROLIFERATION, NUCLEAR, PL, POETICS, POETRY,
                               POETRY_VARIANT, REGION_RECORDS, SIJO, STEEL, YI,
                               counted_runs, geometry, tiny_tables, write_tiny)

SVG = "{http://www.w3.org/2000/svg}"
CSS = Path(__file__).resolve().parent.parent / "viz" / "assets" / "map.css"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> GraphStore:
    root = tmp_path_factory.mktemp("graph")
    write_tiny(root)
    return GraphStore.load(root)


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def anchors(root: ET.Element, group: str) -> list[ET.Element]:
    g = next(e for e in root.iter(f"{SVG}g") if e.get("class") == group)
    return list(g.iter(f"{SVG}a"))


# -- the tiny build, exactly ------------------------------------------------------------

def test_catalogue_view_of_the_tiny_build(store):
    view = store.catalogue_view()
    assert [(r["id"], r["label"], r["topics"]) for r in view["regions"]] == [
        ("0", "Korea (North)", 7), ("1", "Korean poetry", 6), ("2", "Love stories", 2),
        ("3", "Sijo", 2)]
    # Records each once (Korea (North)'s topics' records add up to 758), and discs by
    # them: Korean poetry's 1,000 records fill its layout disc (radius 0.35 of the
    # catalogue's half side 1.08, 0.35 * 500 / 1.08 view units); the others' areas
    # are to its as their records are to 1,000.
    assert {r["id"]: r["records"] for r in view["regions"]} == REGION_RECORDS
    full = 0.35 * 500 / 1.08
    assert [r["r"] for r in view["regions"]] == pytest.approx(
        [full * (REGION_RECORDS[c] / 1000) ** 0.5 for c in "0123"], rel=1e-12)
    # Korea (North)-Korean poetry is the only link between communities 0 and 1, and
    # Korean poetry-Sijo the only one between 1 and 3; Love stories links to nothing.
    assert [(e["source"], e["target"], e["links"], e["strongest"]["source"],
             e["strongest"]["target"], e["strongest"]["records"]) for e in view["links"]] == [
        ("1", "3", 1, POETRY, SIJO, 3), ("0", "1", 1, KN, POETRY, 3)]


def test_region_view_of_the_tiny_build(store):
    view = store.region_view("0")
    # By importance: centrality, then records.
    assert [t["id"] for t in view["topics"]] == [KN, NUCLEAR, KOREA, KN_POLITICS, DS, A_KN,
                                                 NONPROLIFERATION]
    assert [(e["source"], e["target"], e["records"]) for e in view["links"]] == [
        (KN_POLITICS, NUCLEAR, 6), (A_KN, KN_POLITICS, 3), (KN, NUCLEAR, 8), (DS, KOREA, 100),
        (A_KN, KN, 4), (KOREA, KN, 40), (DS, KN, 30), (KN, NONPROLIFERATION, 30),
        (NONPROLIFERATION, NUCLEAR, 5)]
    assert [(e["region"], e["links"], e["strongest"]["source"], e["strongest"]["target"])
            for e in view["exits"]] == [("1", 1, KN, POETRY)]
    assert view["path"] == [{"id": "0", "label": "Korea (North)"}]
    poetry = store.region_view("1")
    assert {t["id"] for t in poetry["topics"]} == {POETRY, LITERATURE, PL, POETICS, KIM,
                                                   POETRY_VARIANT}
    assert [(e["region"], e["links"]) for e in poetry["exits"]] == [("3", 1), ("0", 1)]
    assert {t["id"] for t in store.region_view("2")["topics"]} == {LOVE, STEEL}
    assert store.region_view("2")["exits"] == []
    assert {t["id"] for t in store.region_view("3")["topics"]} == {SIJO, YI}


@pytest.mark.parametrize("region", ["9", "0.1", "", "g0", "<b>"])
def test_an_unknown_region_is_named(store, region):
    with pytest.raises(UnknownRegion, match="no region"):
        store.region_view(region)


def test_catalogue_svg_of_the_tiny_build(store):
    root = parse(svg.map_svg(store.catalogue_view(), title="The catalogue"))
    assert root.get("viewBox") == "0 0 1000 1000"
    assert "sm-z0" in root.get("class")
    regions = anchors(root, "n")
    assert [a.get("href") for a in regions] == [f"/map?region={c}" for c in "0123"]
    assert [a.get("aria-label") for a in regions] == [
        "Korea (North): 400 records, 7 topics", "Korean poetry: 1,000 records, 6 topics",
        "Love stories: 46 records, 2 topics", "Sijo: 5 records, 2 topics"]
    assert [float(a.find(f"{SVG}circle").get("r")) for a in regions] == pytest.approx(
        [r["r"] for r in store.catalogue_view()["regions"]], abs=0.05)
    assert [a.find(f"{SVG}text").text for a in regions] == [
        "Korea (North)", "Korean poetry", "Love stories", "Sijo"]
    links = anchors(root, "h")
    assert [a.get("href") for a in links] == [
        "/?subject=Korean+poetry&subject=Sijo",
        "/?subject=Korea+%28North%29&subject=Korean+poetry"]
    # A link is named by its <title> (and shows it on hover).
    assert links[1].get("aria-label") is None
    assert links[1].find(f"{SVG}title").text == (
        "Korea (North) and Korean poetry: 1 link between their topics; the strongest: "
        "3 records share Korea (North) and Korean poetry (association 0.05)")


def test_region_svg_of_the_tiny_build(store):
    root = parse(svg.map_svg(store.region_view("0"), title="Korea (North)"))
    topics = anchors(root, "n")
    assert [a.get("href") for a in topics] == [
        "/topic/subject:Korea%20%28North%29", "/topic/subject:Nuclear%20weapons",
        "/topic/subject:Korea",
        "/topic/subject:Korea%20%28North%29%20--%20Politics%20and%20government",
        "/topic/class:DS", "/topic/author:Korea%20%28North%29",
        "/topic/subject:Nuclear%20nonproliferation"]
    assert [a.find(f"{SVG}text").text for a in topics] == [
        "Korea (North)", "Nuclear weapons", "Korea", "Korea (North) -- Politics and…",
        "DS History of Asia", "Korea (North)", "Nuclear nonproliferation"]
    links = {a.get("href"): a.find(f"{SVG}title").text for a in anchors(root, "h")}
    assert len(links) == 9
    assert links["/?subject=Korea+%28North%29&subject=Nuclear+weapons"] == (
        "8 records share Korea (North) and Nuclear weapons (association 0.60)")
    assert links["/?class=DS&subject=Korea"] == (
        "100 records share DS History of Asia (class) and Korea (association 0.55)")
    # The government as an author and the country as a subject: the kind tells them apart.
    assert links["/?author=Korea+%28North%29&subject=Korea+%28North%29"] == (
        "4 records share Korea (North) (author) and Korea (North) (association 0.50)")
    exits = anchors(root, "o")
    assert [(a.get("href"), a.get("aria-label")) for a in exits] == [
        ("/map?region=1", "Way out to Korean poetry: 1 link")]


def test_hostile_labels_are_escaped(tmp_path):
    hostile = '<script>alert("x")</script> & <a href="javascript:1">'
    tables = tiny_tables()
    nodes = tables["nodes"]
    labels = [hostile if i == KN else label for i, label in
              zip(nodes.column("id").to_pylist(), nodes.column("label").to_pylist())]
    nodes = nodes.set_column(nodes.schema.get_field_index("label"), "label",
                             pa.array(labels, pa.string()))
    communities = tables["communities"]
    communities = communities.set_column(
        communities.schema.get_field_index("label"), "label",
        pa.array([hostile] + communities.column("label").to_pylist()[1:], pa.string()))
    tables |= {"nodes": nodes, "communities": communities}
    tables |= geometry(tables)
    graph_artifacts.write_version(tmp_path, manifest=_manifest(), keep=2, **tables)
    store = GraphStore.load(tmp_path)
    for view in (store.catalogue_view(), store.region_view("0")):
        markup = svg.map_svg(view, title=hostile)
        assert "<script" not in markup and 'href="javascript' not in markup
        root = parse(markup)  # well-formed: nothing broke out of its text or attribute
        assert root.get("aria-label") == hostile
        texts = [t.text for t in root.iter(f"{SVG}text")]
        assert lb.short(hostile) in texts


def _manifest() -> dict:
    from .test_graph_store import MANIFEST
    return MANIFEST


def test_a_build_without_the_map_tables_is_refused(tmp_path):
    version = write_tiny(tmp_path)
    (tmp_path / version / "regions.parquet").unlink()
    assert graph_artifacts.is_complete(tmp_path / version)  # not debris to remove
    with pytest.raises(graph_artifacts.OutdatedGraph, match="run `shelfmap graph`"):
        GraphStore.load(tmp_path)


def test_a_build_before_regions_counted_records_is_refused(tmp_path):
    """A build of the first format: regions with ``holdings`` (a sum of their
    topics' records), no ``records`` nor ``disc``, and no format in graph.json."""
    import json

    import pyarrow.parquet as pq

    version = write_tiny(tmp_path)
    folder = tmp_path / version
    regions = pq.read_table(folder / "regions.parquet")
    old = regions.drop_columns(["records", "disc"]).append_column(
        "holdings", pa.array([0] * regions.num_rows, pa.int64()))
    pq.write_table(old, folder / "regions.parquet")
    manifest = json.loads((folder / "graph.json").read_text())
    del manifest["format"]
    (folder / "graph.json").write_text(json.dumps(manifest))
    assert graph_artifacts.is_complete(folder)  # not debris to remove
    with pytest.raises(graph_artifacts.OutdatedGraph,
                       match=r"older shelfmap \(format 1; this one reads 2.*run `shelfmap "
                             "graph`"):
        GraphStore.load(tmp_path)
    # Only the format decides: the same tables marked with the current one are read
    # as far as their schema, which then says what differs.
    manifest["format"] = graph_artifacts.FORMAT
    (folder / "graph.json").write_text(json.dumps(manifest))
    with pytest.raises(graph_artifacts.GraphArtifactError, match="regions: columns differ"):
        GraphStore.load(tmp_path)


# -- labels never overlap; views never grow -----------------------------------------------

def svg_label_boxes(markup: str) -> list[tuple[int, tuple]]:
    """(band, box) of every label in the SVG, from its text, place and class alone."""
    kinds = {"l": "region", "t": "topic", "x": "exit"}
    out = []
    for text in parse(markup).iter(f"{SVG}text"):
        cls, band = text.get("class").split()
        out.append((int(band[1:]), (text.text, float(text.get("x")), float(text.get("y")),
                                     kinds[cls])))
    return out


def assert_no_overlap(markup: str) -> int:
    """No two labels shown in the same zoom band overlap; returns the labels drawn."""
    found = svg_label_boxes(markup)
    for zoom in range(lb.BANDS):
        boxes = [lb.box(*label, zoom) for band, label in found if band <= zoom]
        for a, b in combinations(boxes, 2):
            assert not lb.overlaps(a, b), (zoom, a, b)
    return len(found)


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> GraphStore:
    """A synthetic graph (made up here, not a catalogue's): 1,100 small communities and
    one of 1,800 topics, so the catalogue needs regions of regions and the big
    community needs parts; labels mixing Hangul and Latin."""
    rng = np.random.default_rng(7)
    sizes = [1800] + [3] * 1100
    ids, labels, community, xs, ys = [], [], [], [], []
    centres = rng.uniform(-0.9, 0.9, size=(len(sizes), 2))
    centres[0] = (0, 0)
    for c, n in enumerate(sizes):
        radius = 0.3 if c == 0 else 0.02
        angle = rng.uniform(0, 2 * np.pi, n)
        dist = radius * np.sqrt(rng.uniform(0, 1, n))
        for k in range(n):
            ids.append(f"subject:t{c:04d}-{k:04d}")
            labels.append(f"{'조선 ' if k % 3 == 0 else ''}Topic {c}-{k} history")
            community.append(c)
            xs.append(centres[c, 0] + dist[k] * np.cos(angle[k]))
            ys.append(centres[c, 1] + dist[k] * np.sin(angle[k]))
    n = len(ids)
    pairs = set()
    by_c = np.cumsum([0] + sizes)
    for c, size in enumerate(sizes):
        lo = by_c[c]
        for k in range(size):
            for j in rng.choice(size, size=min(3, size - 1), replace=False):
                if j != k:
                    pairs.add(tuple(sorted((ids[lo + k], ids[lo + j]))))
    for a, b in rng.integers(0, n, size=(3000, 2)):
        if a != b:
            pairs.add(tuple(sorted((ids[a], ids[b]))))
    pairs = sorted(pairs)
    degree = {i: 0 for i in ids}
    for a, b in pairs:
        degree[a] += 1
        degree[b] += 1
    nodes = pa.table({"id": ids, "label": labels, "kind": ["subject"] * n,
                      "records": pa.array(rng.integers(3, 2000, n), pa.int64()),
                      "degree": pa.array([degree[i] for i in ids], pa.int32()),
                      "community": pa.array(community, pa.int32()),
                      "centrality": pa.array(rng.uniform(0, 1, n) / n, pa.float64()),
                      "x": pa.array(xs, pa.float64()), "y": pa.array(ys, pa.float64())},
                     schema=graph_artifacts.NODES)
    edges = pa.table({"source": [a for a, _ in pairs], "target": [b for _, b in pairs],
                      "kind": ["subject-subject"] * len(pairs),
                      "weight": pa.array(rng.uniform(0.05, 1, len(pairs)), pa.float64()),
                      "records": pa.array(rng.integers(3, 50, len(pairs)), pa.int64())},
                     schema=graph_artifacts.EDGES)
    communities = pa.table({
        "community": pa.array(range(len(sizes)), pa.int32()),
        "label": [labels[by_c[c]] for c in range(len(sizes))],
        "size": pa.array(sizes, pa.int64()),
        "x": pa.array(centres[:, 0], pa.float64()), "y": pa.array(centres[:, 1], pa.float64()),
        "radius": pa.array([0.3] + [0.02] * 1100, pa.float64()),
        "top": [[ids[by_c[c]]] for c in range(len(sizes))]}, schema=graph_artifacts.COMMUNITIES)
    community_edges = pa.table({"source": pa.array([], pa.int32()),
                                "target": pa.array([], pa.int32()),
                                "weight": pa.array([], pa.float64()),
                                "links": pa.array([], pa.int64())},
                               schema=graph_artifacts.COMMUNITY_EDGES)
    # Each topic's records a run of record numbers starting anywhere in 100,000, so
    # that runs overlap within and across regions.
    starts = dict(zip(ids, np.random.default_rng(8).integers(0, 100_000, n).tolist()))
    root = tmp_path_factory.mktemp("large")
    graph_artifacts.write_version(
        root, nodes, edges, communities, community_edges,
        **hierarchy.geometry(nodes, edges, communities, records=counted_runs(nodes, starts)),
        manifest=_manifest(), keep=2)
    return GraphStore.load(root)


def all_views(store: GraphStore):
    """Every view of the map, from the catalogue down."""
    todo = [store.catalogue_view()]
    while todo:
        view = todo.pop()
        yield view
        todo.extend(store.region_view(r["id"]) for r in view["regions"])


def test_no_view_holds_more_than_max_view_on_a_large_graph(large):
    seen_topics = []
    kinds = set()
    depth = 0
    for view in all_views(large):
        assert len(view["regions"]) + len(view["topics"]) <= hierarchy.MAX_VIEW
        assert not (view["regions"] and view["topics"])
        seen_topics += [t["id"] for t in view["topics"]]
        kinds.update(r["kind"] for r in view["regions"])
        depth = max(depth, len(view["path"]))
    # Every topic is in exactly one view; 1,101 communities need regions of regions,
    # and the 1,800-topic community is cut into parts of at most MAX_VIEW (300): halved
    # three times, eight parts of 225.
    assert sorted(seen_topics) == sorted(large.ids)
    assert kinds == {"group", "community", "part"}
    assert len(large.catalogue_view()["regions"]) <= hierarchy.MAX_VIEW
    assert [len(large.region_view(f"0.{k}")["topics"]) for k in range(8)] == [225] * 8
    assert depth >= 2


def test_no_two_labels_overlap_in_any_band(large, store):
    drawn = 0
    bands = set()
    for view in [*all_views(store), *all_views(large)]:
        markup = svg.map_svg(view, title="view")
        drawn += assert_no_overlap(markup)
        bands.update(int(b) for b in re.findall(r'class="[ltx] b(\d)"', markup))
    # The crowded views need every band: the test is not passing on empty maps.
    assert bands == {0, 1, 2, 3} and drawn > 1000


def assert_discs_by_records(store: GraphStore, view: dict) -> set[str]:
    """In one view: every disc inside its layout disc, no two overlapping, areas in
    proportion to records, at the largest scale that allows it; returns the kinds of
    regions drawn."""
    regions = view["regions"]
    fr = (hierarchy.CATALOGUE_FRAME if view["region"] is None
          else views.frame_of(store.region_rows[view["region"]["id"]]))
    to_view = lb.VIEW / (2 * fr[2])
    room = []
    for r in regions:
        layout = store.region_rows[r["id"]]["radius"] * to_view
        assert r["r"] <= layout * (1 + 1e-9), r["id"]
        room.append(r["r"] / layout)
        assert r["r"] ** 2 / r["records"] == pytest.approx(
            regions[0]["r"] ** 2 / regions[0]["records"], rel=1e-9)
    for a, b in combinations(regions, 2):
        gap = np.hypot(a["x"] - b["x"], a["y"] - b["y"]) - a["r"] - b["r"]
        assert gap >= -1e-9 * lb.VIEW, (a["id"], b["id"])
        room.append(1 - gap / (np.hypot(a["x"] - b["x"], a["y"] - b["y"]) or 1))
    # Tight: some disc fills its layout disc, or two discs touch.
    assert max(room) == pytest.approx(1, rel=1e-9)
    return {r["kind"] for r in regions}


def test_discs_are_sized_by_records_and_never_overlap(store, large):
    kinds, checked = set(), 0
    for graph in (store, large):
        for view in all_views(graph):
            if view["regions"]:
                kinds |= assert_discs_by_records(graph, view)
                checked += 1
    assert kinds == {"community", "part", "group"} and checked > 5
    # The drawn radius is what a link's pointer area stops short of (above, in
    # test_a_link_takes_no_click_meant_for_its_ends): the disc, not the layout's.
    row = store.region_rows["3"]
    assert row["disc"] < row["radius"] / 4


def test_the_hierarchy_examples_hold():
    import doctest

    result = doctest.testmod(hierarchy)
    assert result.attempted >= 3 and not result.failed


def test_label_bands_are_exact_on_a_small_case():
    # Two labels at the same height 40 units apart: the second fits from band 2
    # (its box then clears the first's); one on top of the first never fits.
    assert lb.bands(["Korea", "Korea", "Sijo", "Korea"], [500, 540, 900, 501],
                    [500, 500, 100, 500], ["topic"] * 4) == [0, 2, 0, lb.HIDDEN]
    # Hangul takes a full em: the same number of characters needs more room.
    assert lb.text_width("조선로동당") > lb.text_width("Korea") * 1.5


# -- colours and the stylesheet ---------------------------------------------------------

def luminance(colour: str) -> float:
    rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb_ = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb_ + 0.05)


def test_colours_have_enough_contrast():
    for colour in svg.PALETTE + (svg.LINK,):
        assert contrast(colour, svg.BACKGROUND) >= 3, colour
    assert contrast(svg.INK, svg.HALO) >= 4.5
    # Ways out are written in the accent blue on the halo.
    assert contrast("#0b5cad", svg.HALO) >= 4.5


def test_the_stylesheet_agrees_with_the_geometry():
    css = CSS.read_text()
    for k, colour in enumerate(svg.PALETTE):
        assert f".c{k} {{ fill: {colour}; stroke: {colour}; }}" in css
    for cls, what in svg.WHAT.items():
        assert f".sm-map .{cls} {{ font-size: {lb.FONT[what]:g}px" in css
        for band in (1, 2, 3):
            assert f".sm-z{band} .{cls} {{ font-size: {lb.font_size(what, band):g}px; }}" in css
    for size, r in enumerate(svg.DOT):
        for band in (1, 2, 3):
            found = re.search(rf"\.sm-z{band} \.s{size} {{ r: ([\d.]+)px; }}", css)
            assert found and abs(float(found.group(1)) - r / 2 ** band) < 0.06, (band, size)
    for colour in (svg.INK, svg.HALO, svg.BACKGROUND, svg.LINK):
        assert colour in css


def test_a_link_takes_no_click_meant_for_a_disc_or_a_dot(store, large):
    """Links are above the discs: their pointer areas keep clear of every disc and dot
    of the view (their own ends and any they pass over), so a tap on a region or a
    topic opens it, not the records of a link that happens to cross it."""
    import itertools
    import math
    import re

    from viz.graph import views as graph_views

    views = [store.catalogue_view(), store.region_view("0"),
             *itertools.islice(all_views(large), 20)]
    views.append(graph_views.local(store, list(range(len(store)))))
    checked = crossing = 0
    for view in views:
        items = view["regions"] + view["topics"]
        markup = svg.map_svg(view, title="a view")
        root = parse(markup)
        # The labels shown at zoom 1, as boxes: no pointer area may cross one.
        names = [lb.box(text, x, y, what, 0)
                 for band, (text, x, y, what) in svg_label_boxes(markup) if band == 0]
        drawn = [a.find(f"{SVG}path").get("d") for a in anchors(root, "h")]
        assert len(drawn) == len(view["links"])
        for d in drawn:
            pieces = re.findall(r"M([^ML]+)L([^ML]+)", d)
            if not pieces:   # nothing left between its discs: no pointer area at all
                continue
            crossing += len(pieces) > 1
            for p0, p1 in pieces:
                (x0, y0), (x1, y1) = (tuple(map(float, p.split())) for p in (p0, p1))
                for item in items:
                    r = item["r"] if "r" in item else svg.DOT[item["size"]]
                    # The distance from the disc's centre to the piece.
                    dx, dy = x1 - x0, y1 - y0
                    t = max(0.0, min(1.0, ((item["x"] - x0) * dx + (item["y"] - y0) * dy)
                                     / ((dx * dx + dy * dy) or 1.0)))
                    gap = math.hypot(x0 + t * dx - item["x"], y0 + t * dy - item["y"])
                    assert gap >= r + svg.HIT_CLEAR - 0.2, (d, item["id"])
                steps = max(2, int(math.hypot(x1 - x0, y1 - y0)))
                for k in range(steps + 1):
                    px, py = x0 + (x1 - x0) * k / steps, y0 + (y1 - y0) * k / steps
                    for b in names:
                        assert not (b[0] < px < b[2] and b[1] < py < b[3]), (d, b)
            checked += 1
    # Real crossings were met and cut around, not only ends.
    assert checked > 100 and crossing > 10


def test_a_pointer_area_is_cut_around_a_dot_it_passes_over():
    # A link from (0, 0) to (100, 0) over a dot of radius 5 at (50, 1).
    (d,) = svg.hit_paths(np.array([[0.0, 0.0, 100.0, 0.0]]),
                         np.array([[0.0, 0.0, 5.0], [100.0, 0.0, 5.0], [50.0, 1.0, 5.0]]))
    clear = 5 + svg.HIT_CLEAR
    half = (clear ** 2 - 1) ** 0.5
    assert d == (f"M{clear:g} 0L{svg._n(50 - half)} 0M{svg._n(50 + half)} 0"
                 f"L{100 - clear:g} 0")
    # Discs that touch leave no area; a dot beside the line cuts nothing.
    assert svg.hit_paths(np.array([[0.0, 0.0, 20.0, 0.0]]),
                         np.array([[0.0, 0.0, 5.0], [20.0, 0.0, 5.0]])) == ["M0 0"]
    # A label's box across the line cuts it too.
    (boxed,) = svg.hit_paths(np.array([[0.0, 0.0, 100.0, 0.0]]),
                             np.array([[0.0, 0.0, 5.0], [100.0, 0.0, 5.0]]),
                             np.array([[40.0, -3.0, 60.0, 3.0]]))
    assert boxed == (f"M{clear:g} 0L{40 - svg.HIT_CLEAR:g} 0M{60 + svg.HIT_CLEAR:g} 0"
                     f"L{100 - clear:g} 0")
    (free,) = svg.hit_paths(np.array([[0.0, 0.0, 100.0, 0.0]]),
                            np.array([[0.0, 0.0, 5.0], [100.0, 0.0, 5.0], [50.0, 30.0, 5.0]]))
    assert free == f"M{clear:g} 0L{100 - clear:g} 0"
