"""Step 2 of the topic graph: communities, centrality and layout (docs/graph.md).

Exact answers on tiny hand-made graphs, then the invariants on a real graph: the
pruned graph of the Gutenberg catalogue extract, built here in plain Python by the
rules of docs/graph.md (the Spark job that builds it for real is tested elsewhere).
"""

from __future__ import annotations

import collections
import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ingest import graph as rules
from viz.graph import artifacts as graph_artifacts
from viz.graph.analysis import GraphInputError, analyse
from viz.graph.communities import by_size, community_graph, louvain, membership
from viz.graph.layout import community_layout, pack_rings, remove_overlaps

GUTENBERG = Path(__file__).parent / "data" / "gutenberg-catalog" / "pg_catalog.first7702.csv"
MIN_SUPPORT, TOP_K, SEED = 3, 10, 42
# The counting step's tables (docs/graph.md, "Artifacts"), before analysis.
INPUT_NODES = pa.schema([("id", pa.string()), ("label", pa.string()), ("kind", pa.string()),
                         ("records", pa.int64()), ("degree", pa.int32())])
INPUT_EDGES = pa.schema([("source", pa.string()), ("target", pa.string()),
                         ("kind", pa.string()), ("weight", pa.float64()),
                         ("records", pa.int64())])


def tables(links, lonely=()) -> tuple[pa.Table, pa.Table]:
    """Node and edge tables of subject nodes ``a``, ``b``, ... linked by ``(a, b,
    weight)``, plus unlinked nodes ``lonely``."""
    links = [(min(a, b), max(a, b), w) for a, b, w in links]
    degree = collections.Counter(end for a, b, _ in links for end in (a, b))
    names = sorted(set(degree) | set(lonely))
    nodes = pa.table({
        "id": [f"subject:{n}" for n in names], "label": [n.upper() for n in names],
        "kind": ["subject"] * len(names), "records": [3] * len(names),
        "degree": [degree[n] for n in names],
    }, schema=INPUT_NODES)
    edges = pa.table({
        "source": [f"subject:{a}" for a, _, _ in links],
        "target": [f"subject:{b}" for _, b, _ in links],
        "kind": ["subject-subject"] * len(links), "weight": [w for *_, w in links],
        "records": [3] * len(links),
    }, schema=INPUT_EDGES)
    return nodes, edges


def members(found) -> list[set[str]]:
    """The members of each community, by number, as values (ids without "subject:")."""
    out = [set() for _ in range(found.communities.num_rows)]
    for node, c in zip(found.nodes.column("id").to_pylist(),
                       found.nodes.column("community").to_pylist()):
        out[c].add(node.split(":", 1)[1])
    return out


# --- exact answers on tiny graphs -----------------------------------------------------

def clique(names: str, weight: float = 0.9) -> list[tuple[str, str, float]]:
    return [(a, b, weight) for a, b in itertools.combinations(names, 2)]


def test_two_cliques_joined_by_a_weak_link_are_two_communities():
    found = analyse(*tables(clique("abcde") + clique("fghij") + [("e", "f", 0.05)]),
                    seed=SEED, top_k=TOP_K)
    # Equal sizes: the community holding the smallest id ("subject:a") is number 0.
    assert members(found) == [set("abcde"), set("fghij")]
    assert found.community_edges.to_pylist() == [
        {"source": 0, "target": 1, "weight": 0.05, "links": 1}]
    # The ends of the bridge are the most central node of their community.
    assert found.communities.column("label").to_pylist() == ["E", "F"]
    assert found.communities.column("top").to_pylist()[0][0] == "subject:e"
    assert found.communities.column("size").to_pylist() == [5, 5]
    # Linked communities are packed close: their discs about touch.
    one, two = found.communities.to_pylist()
    distance = np.hypot(one["x"] - two["x"], one["y"] - two["y"])
    assert one["radius"] + two["radius"] <= distance <= 1.2 * (one["radius"] + two["radius"])


def test_star_centre_is_the_most_central():
    found = analyse(*tables([("m", leaf, 0.5) for leaf in "abcdefgh"]), seed=SEED,
                    top_k=TOP_K)
    rank = dict(zip(found.nodes.column("id").to_pylist(),
                    found.nodes.column("centrality").to_pylist()))
    assert max(rank, key=rank.get) == "subject:m"
    assert found.communities.column("top").to_pylist()[0][0] == "subject:m"
    assert found.communities.column("label").to_pylist()[0] == "M"
    assert sum(rank.values()) == pytest.approx(1.0, abs=1e-12)


def test_numbering_by_size_then_smallest_member():
    # Three unlinked cliques of 3, 5 and 3 nodes, the last-numbered one first.
    found = analyse(*tables(clique("xyz") + clique("abcde") + clique("mno")), seed=SEED,
                    top_k=TOP_K)
    assert members(found) == [set("abcde"), set("mno"), set("xyz")]
    assert found.community_edges.num_rows == 0


def test_unlinked_node_is_a_community_of_its_own_at_its_centre():
    found = analyse(*tables(clique("abcd"), lonely=["q"]), seed=SEED, top_k=TOP_K)
    assert members(found) == [set("abcd"), {"q"}]
    q = found.nodes.filter(pc.equal(found.nodes.column("id"), "subject:q"))
    disc = found.communities.to_pylist()[1]
    assert (q.column("x")[0].as_py(), q.column("y")[0].as_py()) == (disc["x"], disc["y"])


def test_thousands_of_tiny_communities():
    pairs = [(f"p{i:04d}", f"q{i:04d}", 1.0) for i in range(1500)]
    found = analyse(*tables(clique("abcdefgh") + pairs, lonely=["z"]), seed=SEED,
                    top_k=TOP_K)
    sizes = found.communities.column("size").to_pylist()
    assert sizes == [8] + [2] * 1500 + [1]
    discs = found.communities
    centres = np.column_stack([discs.column("x").to_numpy(), discs.column("y").to_numpy()])
    assert_no_overlap(centres, discs.column("radius").to_numpy())
    assert np.abs(centres).max() < 1


def test_empty_graph():
    found = analyse(*tables([]), seed=SEED, top_k=TOP_K)
    assert found.nodes.num_rows == found.communities.num_rows == 0
    assert found.community_edges.num_rows == 0


def test_by_size_and_membership():
    assert by_size([{3}, {4, 2}, {1}]) == [{2, 4}, {1}, {3}]
    G = nx.path_graph(4)
    assert membership(G, [{0, 1}, {2, 3}]) == {0: 0, 1: 0, 2: 1, 3: 1}
    with pytest.raises(nx.NetworkXError, match="in no community"):
        membership(G, [{0, 1}, {2}])
    with pytest.raises(nx.NetworkXError, match="communities 0 and 1"):
        membership(G, [{0, 1, 2}, {2, 3}])
    with pytest.raises(nx.NetworkXError, match="not in the graph"):
        membership(G, [{0, 1, 2, 3, 9}])
    with pytest.raises(nx.NetworkXNotImplemented):
        louvain(nx.DiGraph([(0, 1)]), seed=1)


def test_community_graph_sums_weights_between_communities():
    G = nx.Graph()
    G.add_weighted_edges_from([("a", "b", 0.5), ("a", "c", 0.25), ("b", "c", 0.5),
                               ("c", "d", 1.0)])
    C = community_graph(G, [{"a", "b"}, {"c", "d"}])
    assert dict(C.nodes(data="size")) == {0: 2, 1: 2}
    assert list(C.edges(data=True)) == [(0, 1, {"weight": 0.75, "links": 2})]


def test_remove_overlaps_parts_coincident_discs():
    centres = np.zeros((6, 2))
    radii = np.array([3.0, 1.0, 1.0, 2.0, 1.0, 0.5])
    assert_no_overlap(remove_overlaps(centres, radii, gap=0.1), radii)


def test_pack_rings_keeps_discs_apart():
    radii = np.sort(np.random.default_rng(3).uniform(0.5, 4.0, 300))[::-1]
    radii = np.concatenate([[30.0], radii])
    assert_no_overlap(pack_rings(radii, gap=0.5), radii, gap=0.5)


def test_layout_of_graph_without_links_between_communities():
    G = nx.Graph([(0, 1), (1, 2), (2, 0), (3, 4), (5, 6), (5, 7), (6, 7), (7, 8)])
    parts = [{5, 6, 7, 8}, {0, 1, 2}, {3, 4}]
    placed = community_layout(G, parts, seed=SEED)
    xy = np.array([placed.pos[v] for v in G])
    assert np.abs(xy).max() <= 1
    assert_no_overlap(placed.centres, placed.radii)
    for c, nodes in enumerate(parts):
        for v in nodes:
            assert np.hypot(*(placed.pos[v] - placed.centres[c])) <= placed.radii[c]


# --- argument checks ------------------------------------------------------------------

def test_edges_naming_unknown_nodes_are_refused():
    nodes, edges = tables(clique("abc"))
    nodes = nodes.filter(pc.not_equal(nodes.column("id"), "subject:c"))
    with pytest.raises(GraphInputError, match="not in nodes, e.g. 'subject:c'"):
        analyse(nodes, edges, seed=SEED, top_k=TOP_K)


@pytest.mark.parametrize("change, message", [
    (lambda n, e: (n.drop_columns(["degree"]), e), "nodes lacks column"),
    (lambda n, e: (n, e.set_column(3, "weight", pa.array([1, 1, 1], pa.int64()))),
     "edges.weight is int64"),
    (lambda n, e: (pa.concat_tables([n, n.slice(0, 1)]), e), "occur more than once"),
    (lambda n, e: (n, e.set_column(0, "source", e.column("target"))
                   .set_column(1, "target", e.column("source"))), "source < target"),
    (lambda n, e: (n, pa.concat_tables([e, e.slice(0, 1)])), "link.s. occur more"),
    (lambda n, e: (n, e.set_column(3, "weight", pa.array([0.5, 0.0, 0.5]))),
     r"outside \(0, 1\]"),
    (lambda n, e: (n, e.set_column(0, "source", pa.array(["subject:a", None, "subject:b"]))),
     "null"),
])
def test_malformed_tables_are_refused(change, message):
    nodes, edges = change(*tables(clique("abc")))
    with pytest.raises(GraphInputError, match=message):
        analyse(nodes, edges, seed=SEED, top_k=TOP_K)


def test_parameters_are_checked():
    nodes, edges = tables(clique("abc"))
    with pytest.raises(ValueError, match="top_k"):
        analyse(nodes, edges, seed=SEED, top_k=0)
    with pytest.raises(TypeError, match="seed"):
        analyse(nodes, edges, seed=None, top_k=TOP_K)


# --- a real graph ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def gutenberg_graph() -> tuple[pa.Table, pa.Table]:
    """The pruned graph of the Gutenberg extract, by the rules of docs/graph.md."""
    from ingest.tabular import read_csv

    records = [o for _, _, o in read_csv(str(GUTENBERG), options={"csv_preset": "gutenberg"})
               if isinstance(o, dict)]
    holding = []
    for r in records:
        ids = [rules.node_id("subject", s) for s in r["subject_terms"] or []]
        ids += [rules.node_id("author", a) for a in r["authors"] or []]
        if r["lcc_class"]:
            ids.append(rules.node_id("class", r["lcc_class"]))
        holding.append(sorted(set(ids)))
    count = collections.Counter(node for ids in holding for node in ids)
    together = collections.Counter()
    for ids in holding:
        for a, b in itertools.combinations([i for i in ids if count[i] >= MIN_SUPPORT], 2):
            if rules.link_kind(a, b) and not rules.is_broader(rules.split_id(a)[1],
                                                              rules.split_id(b)[1]):
                together[a, b] += 1
    n = len(records)
    candidates = [(a, b, rules.npmi(c, count[a], count[b], n), c)
                  for (a, b), c in together.items() if c >= MIN_SUPPORT]
    candidates = [link for link in candidates if link[2] > 0]
    kept = rules.prune(candidates, TOP_K)
    links = sorted(link for link in candidates if link[:2] in kept)
    degree = collections.Counter(end for a, b, *_ in links for end in (a, b))
    ids = sorted(degree)
    label = {i: rules.class_label(rules.split_id(i)[1]) if i.startswith("class:")
             else rules.split_id(i)[1] for i in ids}
    nodes = pa.table({
        "id": ids, "label": [label[i] for i in ids],
        "kind": [rules.split_id(i)[0] for i in ids], "records": [count[i] for i in ids],
        "degree": [degree[i] for i in ids],
    }, schema=INPUT_NODES)
    edges = pa.table({
        "source": [a for a, *_ in links], "target": [b for _, b, *_ in links],
        "kind": [rules.link_kind(a, b) for a, b, *_ in links],
        "weight": [w for _, _, w, _ in links], "records": [c for *_, c in links],
    }, schema=INPUT_EDGES)
    return nodes, edges


@pytest.fixture(scope="module")
def gutenberg(gutenberg_graph):
    return analyse(*gutenberg_graph, seed=SEED, top_k=TOP_K)


def test_real_graph_is_not_trivial(gutenberg_graph, gutenberg):
    nodes, edges = gutenberg_graph
    assert nodes.num_rows > 1000 and edges.num_rows > 2000
    assert set(nodes.column("kind").to_pylist()) == {"subject", "author", "class"}
    assert gutenberg.communities.num_rows > 20
    assert set(gutenberg.timings) == {"communities", "layout"}


def test_tables_match_the_artifact_schemas(gutenberg):
    for table, schema in ((gutenberg.nodes, graph_artifacts.NODES),
                          (gutenberg.communities, graph_artifacts.COMMUNITIES),
                          (gutenberg.community_edges, graph_artifacts.COMMUNITY_EDGES)):
        assert table.schema.names == schema.names
        assert table.schema.types == schema.types
        assert all(table.column(name).null_count == 0 for name in table.column_names)


def test_communities_partition_the_nodes(gutenberg_graph, gutenberg):
    nodes = gutenberg.nodes
    assert nodes.select(["id", "label", "kind", "records", "degree"]) == gutenberg_graph[0]
    k = gutenberg.communities.num_rows
    assert gutenberg.communities.column("community").to_pylist() == list(range(k))
    found = collections.Counter(nodes.column("community").to_pylist())
    assert sorted(found) == list(range(k))
    assert [found[c] for c in range(k)] == gutenberg.communities.column("size").to_pylist()


def test_communities_are_numbered_by_size_then_smallest_member(gutenberg):
    by_community = collections.defaultdict(list)
    for node, c in zip(gutenberg.nodes.column("id").to_pylist(),
                       gutenberg.nodes.column("community").to_pylist()):
        by_community[c].append(node)
    keys = [(-len(by_community[c]), min(by_community[c])) for c in sorted(by_community)]
    assert keys == sorted(keys)


def test_centrality_is_pagerank_summing_to_one(gutenberg_graph, gutenberg):
    centrality = gutenberg.nodes.column("centrality").to_numpy()
    assert centrality.sum() == pytest.approx(1.0, abs=1e-9)
    assert (centrality > 0).all()
    nodes, edges = gutenberg_graph
    G = nx.Graph()
    G.add_nodes_from(nodes.column("id").to_pylist())
    G.add_weighted_edges_from(zip(*(edges.column(c).to_pylist()
                                    for c in ("source", "target", "weight"))))
    expected = nx.pagerank(G, weight="weight")
    found = dict(zip(nodes.column("id").to_pylist(), centrality))
    assert found == pytest.approx(expected, abs=1e-6)


def test_labels_and_top_are_the_most_central_members(gutenberg):
    rows = gutenberg.nodes.to_pylist()
    by_community = collections.defaultdict(list)
    for row in rows:
        by_community[row["community"]].append(row)
    for community in gutenberg.communities.to_pylist():
        ranked = sorted(by_community[community["community"]],
                        key=lambda r: (-r["centrality"], r["id"]))
        assert community["top"] == [r["id"] for r in ranked[:5]]
        assert community["label"] == ranked[0]["label"]


def test_layout_invariants(gutenberg):
    x, y = (gutenberg.nodes.column(c).to_numpy() for c in ("x", "y"))
    assert np.isfinite(x).all() and np.isfinite(y).all()
    assert np.abs(x).max() <= 1 and np.abs(y).max() <= 1
    discs = gutenberg.communities
    cx, cy, radius = (discs.column(c).to_numpy() for c in ("x", "y", "radius"))
    # Discs are in [-1, 1] too, and the layout uses the whole square in one direction.
    reach = np.concatenate([np.abs(cx) + radius, np.abs(cy) + radius])
    assert reach.max() == pytest.approx(1.0)
    # Area proportional to size.
    sizes = discs.column("size").to_numpy()
    assert radius ** 2 / sizes == pytest.approx(np.full(len(sizes), radius[0] ** 2 / sizes[0]))
    # Each node in its community's disc.
    c = gutenberg.nodes.column("community").to_numpy()
    assert (np.hypot(x - cx[c], y - cy[c]) <= radius[c]).all()
    assert_no_overlap(np.column_stack([cx, cy]), radius)


def test_community_edges_keep_each_communitys_strongest_links(gutenberg_graph, gutenberg):
    number = dict(zip(gutenberg.nodes.column("id").to_pylist(),
                      gutenberg.nodes.column("community").to_pylist()))
    _, edges = gutenberg_graph
    weight, links = collections.defaultdict(float), collections.Counter()
    for a, b, w in zip(*(edges.column(c).to_pylist() for c in ("source", "target", "weight"))):
        ca, cb = sorted((number[a], number[b]))
        if ca != cb:
            weight[ca, cb] += w
            links[ca, cb] += 1
    ranked = collections.defaultdict(list)
    for (ca, cb), w in weight.items():
        ranked[ca].append((-w, -links[ca, cb], cb, (ca, cb)))
        ranked[cb].append((-w, -links[ca, cb], ca, (ca, cb)))
    strongest = {c: {pair for *_, pair in sorted(r)[:TOP_K]} for c, r in ranked.items()}
    expected = set().union(*strongest.values())
    assert any(len(r) > TOP_K for r in ranked.values())   # pruning had work to do

    found = gutenberg.community_edges.to_pylist()
    pairs = [(row["source"], row["target"]) for row in found]
    assert pairs == sorted(expected)
    for row in found:
        pair = (row["source"], row["target"])
        assert row["links"] == links[pair]
        assert row["weight"] == pytest.approx(weight[pair], rel=1e-12)


def test_same_seed_same_layout_whatever_the_row_order(gutenberg_graph, gutenberg):
    nodes, edges = gutenberg_graph
    shuffle = np.random.default_rng(7)
    again = analyse(nodes.take(shuffle.permutation(nodes.num_rows)),
                    edges.take(shuffle.permutation(edges.num_rows)), seed=SEED, top_k=TOP_K)
    order = pc.sort_indices(again.nodes, sort_keys=[("id", "ascending")])
    again_nodes = again.nodes.take(order)
    for column in ("community", "centrality", "x", "y"):
        assert again_nodes.column(column).to_numpy().tobytes() == \
            gutenberg.nodes.column(column).to_numpy().tobytes(), column
    assert again.communities == gutenberg.communities
    assert again.community_edges == gutenberg.community_edges


def test_other_seed_other_layout(gutenberg_graph, gutenberg):
    other = analyse(*gutenberg_graph, seed=SEED + 1, top_k=TOP_K)
    assert not np.array_equal(other.nodes.column("x").to_numpy(),
                              gutenberg.nodes.column("x").to_numpy())


def assert_no_overlap(centres: np.ndarray, radii: np.ndarray, gap: float = 0.0) -> None:
    i, j = np.triu_indices(len(radii), k=1)
    distance = np.hypot(*(centres[i] - centres[j]).T)
    assert (distance >= radii[i] + radii[j] + gap * (1 - 1e-9)).all()
