"""The graph store on a tiny hand-made build: exact answers to each query, the
artifacts' schemas, versions and the per-process loader.

The build is small enough to check by eye. Headings, authors and classes are real ones
from LoC mixed-10000 (the Korea (North) records DLC:00272177, DLC:00292776 and
DLC:00272183 among them); the counts and weights are chosen so that every tie-break
rule decides something.
"""

from __future__ import annotations

import json
from collections import defaultdict

import pyarrow as pa
import pytest

from viz.graph import artifacts as graph_artifacts
from viz.graph import hierarchy
from viz.graph import store as graph_store
from viz.graph.artifacts import GraphArtifactError
from viz.graph.store import GraphStore, UnknownNode

KN = "subject:Korea (North)"
KN_POLITICS = "subject:Korea (North) -- Politics and government"
NUCLEAR = "subject:Nuclear weapons"
NONPROLIFERATION = "subject:Nuclear nonproliferation"
KOREA = "subject:Korea"
A_KN = "author:Korea (North)"
DS = "class:DS"
POETRY = "subject:Korean poetry"
POETRY_VARIANT = "subject:Korean Poetry"  # a case variant, as dirty catalogues have
LITERATURE = "subject:Korean literature"
POETICS = "subject:Poetics"
PL = "class:PL"
KIM = "author:Kim, Kwang-nim, 1929-"
LOVE = "subject:Love stories"
STEEL = "author:Steel, Danielle"
SIJO = "subject:Sijo"
YI = "author:Yi, Hwang, 1501-1570"

# id: (label, records, community, centrality, x, y)
NODES = {
    KN: ("Korea (North)", 58, 0, 0.16, -0.50, 0.30),
    NUCLEAR: ("Nuclear weapons", 12, 0, 0.10, -0.70, 0.40),
    KN_POLITICS: ("Korea (North) -- Politics and government", 20, 0, 0.08, -0.60, 0.10),
    # The government as an author: more records than the subject, found second.
    A_KN: ("Korea (North)", 64, 0, 0.04, -0.40, 0.05),
    DS: ("DS History of Asia", 300, 0, 0.07, -0.30, 0.50),
    KOREA: ("Korea", 298, 0, 0.09, -0.20, 0.35),
    NONPROLIFERATION: ("Nuclear nonproliferation", 6, 0, 0.03, -0.80, 0.20),
    POETRY: ("Korean poetry", 60, 1, 0.12, 0.50, 0.20),
    LITERATURE: ("Korean literature", 76, 1, 0.07, 0.60, 0.30),
    POETICS: ("Poetics", 5, 1, 0.04, 0.40, 0.00),
    PL: ("PL Languages of Eastern Asia, Africa, Oceania", 900, 1, 0.06, 0.70, 0.10),
    KIM: ("Kim, Kwang-nim, 1929-", 3, 1, 0.02, 0.30, -0.10),
    POETRY_VARIANT: ("Korean Poetry", 3, 1, 0.01, 0.80, 0.00),
    LOVE: ("Love stories", 46, 2, 0.02, 0.00, -0.70),
    STEEL: ("Steel, Danielle", 5, 2, 0.02, 0.10, -0.80),
    SIJO: ("Sijo", 4, 3, 0.04, 0.90, -0.50),
    YI: ("Yi, Hwang, 1501-1570", 3, 3, 0.03, 0.95, -0.60),
}
# (one end, other end, npmi, records holding both)
LINKS = [
    (KN, NUCLEAR, 0.60, 8),
    (KN, A_KN, 0.50, 4),
    (KN, KOREA, 0.40, 40),
    (KN, DS, 0.40, 30),             # ties with the next on npmi and records: id decides
    (KN, NONPROLIFERATION, 0.40, 30),
    (KN, POETRY, 0.05, 3),          # the only link between the two big communities
    (NUCLEAR, KN_POLITICS, 0.70, 6),
    (A_KN, KN_POLITICS, 0.65, 3),
    (DS, KOREA, 0.55, 100),
    (NONPROLIFERATION, NUCLEAR, 0.35, 5),
    (POETRY, LITERATURE, 0.875, 20),
    (POETRY, PL, 0.45, 55),
    (POETRY, POETICS, 0.50, 4),
    (POETRY, SIJO, 0.30, 3),
    # Kim -> Korean poetry: 0.5 + 0.5 through Poetics, 0.125 + 0.875 through Korean
    # literature; exactly equal sums, so the smaller id decides.
    (KIM, POETICS, 0.50, 3),
    (KIM, LITERATURE, 0.125, 3),
    (POETRY_VARIANT, PL, 0.20, 3),
    (SIJO, YI, 0.90, 3),
    (LOVE, STEEL, 0.85, 5),         # a component of its own: no path to it
]
# community: (label, size, x, y, radius, top)
COMMUNITIES = {
    0: ("Korea (North)", 7, -0.5, 0.3, 0.4, [KN, NUCLEAR, KOREA, KN_POLITICS, DS]),
    1: ("Korean poetry", 6, 0.5, 0.1, 0.35, [POETRY, LITERATURE, PL, POETICS, KIM]),
    2: ("Love stories", 2, 0.05, -0.75, 0.1, [LOVE, STEEL]),
    3: ("Sijo", 2, 0.9, -0.55, 0.1, [SIJO, YI]),
}
COMMUNITY_LINKS = [(0, 1, 0.05, 1), (1, 3, 0.30, 1)]

# The records behind the counts, made up like them: each topic is held by a run of
# record numbers, [start, start + its records); the starts are chosen so that runs
# overlap (a record under two topics of a region is one of its records, once).
# Community 0 holds records 0-399 (its topics' records add up to 758), community 1
# 1000-1999 (1,047), 2 3000-3045 (51) and 3 4000-4004 (7).
RUNS = {KN: 0, NUCLEAR: 50, KN_POLITICS: 30, A_KN: 0, DS: 100, KOREA: 40,
        NONPROLIFERATION: 56, POETRY: 1000, LITERATURE: 1040, POETICS: 1000, PL: 1100,
        KIM: 1041, POETRY_VARIANT: 1990, LOVE: 3000, STEEL: 3040, SIJO: 4000, YI: 4002}
REGION_RECORDS = {"0": 400, "1": 1000, "2": 46, "3": 5}


def counted_runs(nodes: pa.Table, starts=RUNS):
    """The count ``hierarchy.geometry`` asks for, over made-up holdings: topic x holds
    the records [starts[x], starts[x] + records(x)) (a topic without a start gets a
    run of its own after every other); a region's records are the length of the
    union of its topics' runs."""
    records = dict(zip(nodes.column("id").to_pylist(), nodes.column("records").to_pylist()))
    starts = dict(starts)
    end = max((starts[x] + n for x, n in records.items() if x in starts), default=0)
    for x in sorted(records):
        if x not in starts:
            starts[x], end = end, end + records[x]

    def count(chains: pa.Table) -> pa.Table:
        runs = defaultdict(list)
        for node, region in zip(chains.column("node").to_pylist(),
                                chains.column("region").to_pylist()):
            runs[region].append((starts[node], starts[node] + records[node]))
        held = {}
        for region, spans in runs.items():
            total, reach = 0, None
            for lo, hi in sorted(spans):
                if reach is None or lo > reach:
                    total, reach = total + hi - lo, hi
                elif hi > reach:
                    total, reach = total + hi - reach, hi
            held[region] = total
        return pa.table({"region": list(held), "records": pa.array(list(held.values()),
                                                                    pa.int64())})
    return count


def geometry(tables: dict, starts=RUNS) -> dict[str, pa.Table]:
    """The map's tables as a build computes them, the regions' records from ``starts``."""
    return hierarchy.geometry(tables["nodes"], tables["edges"], tables["communities"],
                              records=counted_runs(tables["nodes"], starts))


# subject_terms of the three Korea (North) records named above.
KN_RECORDS = {
    "DLC:00272177": ["Nuclear weapons", "Nuclear weapons -- Korea (North)", "Korea (North)",
                     "Korea (North) -- Military policy"],
    "DLC:00292776": ["Korea (North)", "Korea (North) -- Politics and government",
                     "Nuclear weapons", "Nuclear weapons -- Korea (North)"],
    "DLC:00272183": ["Korea (North)", "Korea (North) -- Politics and government",
                     "Korea (North) -- Economic conditions", "Kim, Chŏng-il, 1942-2011"],
}


def tiny_tables() -> dict[str, pa.Table]:
    """The hand-made build as the tables of docs/graph.md."""
    degree = {node: 0 for node in NODES}
    edges = []
    for a, b, weight, records in LINKS:
        source, target = sorted((a, b))
        degree[a] += 1
        degree[b] += 1
        kind = "-".join(sorted(node.split(":")[0] for node in (a, b)))
        edges.append({"source": source, "target": target, "kind": kind, "weight": weight,
                      "records": records})
    nodes = [{"id": node, "label": label, "kind": node.split(":")[0], "records": records,
              "degree": degree[node], "community": community, "centrality": centrality,
              "x": x, "y": y}
             for node, (label, records, community, centrality, x, y) in NODES.items()]
    communities = [{"community": c, "label": label, "size": size, "x": x, "y": y,
                    "radius": radius, "top": top}
                   for c, (label, size, x, y, radius, top) in COMMUNITIES.items()]
    community_edges = [{"source": s, "target": t, "weight": w, "links": n}
                       for s, t, w, n in COMMUNITY_LINKS]
    tables = {name: pa.Table.from_pylist(rows, schema=graph_artifacts.TABLES[name])
              for name, rows in (("nodes", nodes), ("edges", edges),
                                 ("communities", communities),
                                 ("community_edges", community_edges))}
    # The map's tables as a build computes them from the four above.
    return tables | geometry(tables)


MANIFEST = {
    "catalogue_version": "20260101T000000-abcdef",
    "parameters": {"min_support": 3, "top_k": 10, "seed": 42},
    "counts": {"records": 10_000},
    "timings": {"counting": 1.0, "pruning": 0.5, "communities": 0.2, "layout": 0.3,
                "regions": 0.1, "records": 0.4, "total": 2.5},
}


def write_tiny(root, keep: int = 2, *, regeometry: bool = False, **replace) -> str:
    """Write the tiny build under ``root`` (tables in ``replace`` swapped in; with
    ``regeometry`` the map's geometry is made again from them, as a build makes it)."""
    tables = tiny_tables() | replace
    if regeometry:
        tables |= geometry(tables)
    return graph_artifacts.write_version(root, manifest=MANIFEST, keep=keep, **tables)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> GraphStore:
    root = tmp_path_factory.mktemp("graph")
    write_tiny(root)
    return GraphStore.load(root)


def ids(answer: dict) -> list[str]:
    return [node["id"] for node in answer["nodes"]]


def links(answer: dict) -> list[tuple]:
    return [(e["source"], e["target"], e["weight"], e["records"]) for e in answer["edges"]]


# -- the store ---------------------------------------------------------------------------

def test_adjacency_rows_are_strongest_first(store):
    neighbours, weights, evidence = store.links(store.index[KN])
    assert [store.ids[i] for i in neighbours] == [NUCLEAR, A_KN, KOREA, DS, NONPROLIFERATION,
                                                  POETRY]
    assert weights.tolist() == [0.60, 0.50, 0.40, 0.40, 0.40, 0.05]
    assert evidence.tolist() == [8, 4, 40, 30, 30, 3]
    assert len(store) == len(NODES) and store.edge_count == len(LINKS)


def test_find_by_id_then_label_preferring_subjects(store):
    assert store.ids[store.find(A_KN)] == A_KN
    # The author Korea (North) holds more records; the subject is still the answer.
    assert store.ids[store.find("korea (north)")] == KN
    assert store.ids[store.find("KOREA (NORTH)")] == KN
    # Two subjects differing only in case: the one more records hold.
    assert store.ids[store.find("korean poetry")] == POETRY
    assert store.ids[store.find("ds history of asia")] == DS
    assert store.ids[store.find("  Sijo ")] == SIJO
    assert store.find("Korea (South)") is None
    assert store.find("subject:korea (north)") is None  # ids are exact
    assert store.find("subject:nothing") is None


def test_node_json(store):
    assert store.node(store.index[KN]) == {
        "id": KN, "label": "Korea (North)", "kind": "subject", "community": 0,
        "x": -0.5, "y": 0.3, "weight": 58, "records": 58, "centrality": 0.16}


def test_overview_largest_communities_and_their_links(store):
    full = store.overview()
    assert ids(full) == ["community:0", "community:1", "community:2", "community:3"]
    assert full["nodes"][1] == {
        "id": "community:1", "label": "Korean poetry", "kind": "community", "community": 1,
        "x": 0.5, "y": 0.1, "weight": 6, "size": 6, "radius": 0.35,
        "top": [POETRY, LITERATURE, PL, POETICS, KIM]}
    assert full["edges"] == [
        {"source": "community:1", "target": "community:3", "weight": 0.30, "links": 1},
        {"source": "community:0", "target": "community:1", "weight": 0.05, "links": 1}]
    # Community 3 is not shown, so neither is its link.
    top3 = store.overview(limit=3)
    assert ids(top3) == ["community:0", "community:1", "community:2"]
    assert [(e["source"], e["target"]) for e in top3["edges"]] == [("community:0",
                                                                    "community:1")]


def test_neighbourhood_one_hop_strongest_first_and_capped(store):
    one = store.neighbourhood(KN)
    assert ids(one) == [KN, NUCLEAR, A_KN, KOREA, DS, NONPROLIFERATION, POETRY]
    capped = store.neighbourhood("Korea (North)", depth=1, limit=4)
    assert ids(capped) == [KN, NUCLEAR, A_KN, KOREA]
    assert links(capped) == [(KN, NUCLEAR, 0.60, 8), (A_KN, KN, 0.50, 4),
                             (KOREA, KN, 0.40, 40)]
    # Equal npmi and evidence: class:DS before subject:Nuclear nonproliferation.
    assert ids(store.neighbourhood(KN, limit=5))[-1] == DS


def test_neighbourhood_edges_are_all_kept_links_among_the_nodes(store):
    one = store.neighbourhood(KN)
    assert links(one) == [(KN, NUCLEAR, 0.60, 8), (DS, KOREA, 0.55, 100),
                          (A_KN, KN, 0.50, 4), (KOREA, KN, 0.40, 40), (DS, KN, 0.40, 30),
                          (KN, NONPROLIFERATION, 0.40, 30),
                          (NONPROLIFERATION, NUCLEAR, 0.35, 5), (KN, POETRY, 0.05, 3)]


def test_neighbourhood_takes_each_hop_strongest_link_first(store):
    # Korean poetry was found last in hop 1, but its link to Korean literature (0.875)
    # is the strongest of hop 2.
    assert ids(store.neighbourhood(KN, depth=2, limit=8))[-1] == LITERATURE
    two = store.neighbourhood(KN, depth=2, limit=50)
    assert ids(two)[7:] == [LITERATURE, KN_POLITICS, POETICS, PL, SIJO]
    three = store.neighbourhood(KN, depth=3, limit=50)
    assert ids(three)[12:] == [YI, KIM, POETRY_VARIANT]
    assert ids(store.neighbourhood(KN, depth=0)) == [KN]
    assert ids(store.neighbourhood(LOVE, depth=3)) == [LOVE, STEEL]


def test_path_fewest_hops_then_strongest(store):
    # Two 2-link paths: through Nuclear weapons (0.65 + 0.70) and through Korea (North)
    # (0.50 + 0.60); the stronger wins.
    path = store.path(A_KN, NUCLEAR)
    assert ids(path) == [A_KN, KN_POLITICS, NUCLEAR]
    assert links(path) == [(A_KN, KN_POLITICS, 0.65, 3), (KN_POLITICS, NUCLEAR, 0.70, 6)]
    # Four links across the two communities; a longer but stronger path never wins.
    assert ids(store.path(A_KN, YI)) == [A_KN, KN, POETRY, SIJO, YI]
    assert ids(store.path("korea (north)", "Korea (North)")) == [KN]


def test_path_exact_tie_goes_to_the_smaller_ids(store):
    assert ids(store.path(KIM, POETRY)) == [KIM, LITERATURE, POETRY]
    assert ids(store.path(POETRY, KIM)) == [POETRY, LITERATURE, KIM]


def test_no_path(store):
    assert store.path(KN, STEEL) is None
    assert store.path(A_KN, YI, max_hops=3) is None
    assert store.path(A_KN, YI, max_hops=4) is not None


def test_unknown_nodes(store):
    with pytest.raises(UnknownNode, match="Korea \\(South\\)"):
        store.neighbourhood("Korea (South)")
    with pytest.raises(UnknownNode):
        store.path(KN, "subject:nowhere")


def test_around_subjects_most_held_then_most_central(store):
    answer = store.around_subjects(list(KN_RECORDS.values()), limit=50)
    # Korea (North): 3 records; Nuclear weapons and its Politics and government: 2 each,
    # Nuclear weapons the more central. Terms that are not nodes are ignored.
    assert ids(answer) == [KN, NUCLEAR, KN_POLITICS]
    assert [n["hits"] for n in answer["nodes"]] == [3, 2, 2]
    assert links(answer) == [(KN_POLITICS, NUCLEAR, 0.70, 6), (KN, NUCLEAR, 0.60, 8)]
    assert ids(store.around_subjects(list(KN_RECORDS.values()), limit=2)) == [KN, NUCLEAR]
    # A term listed twice by one record counts once; authors are not subjects.
    twice = store.around_subjects([["Sijo", "Sijo"], ["Poetics", "Steel, Danielle"],
                                   ["Poetics"]], limit=5)
    assert [(n["id"], n["hits"]) for n in twice["nodes"]] == [(POETICS, 2), (SIJO, 1)]
    assert store.around_subjects([], limit=5) == {"nodes": [], "edges": []}


# -- the artifacts -----------------------------------------------------------------------

def test_written_version_follows_the_spec(tmp_path):
    version = write_tiny(tmp_path)
    assert (tmp_path / "CURRENT").read_text().strip() == version
    assert graph_artifacts.current_version(tmp_path) == version
    folder = tmp_path / version
    assert sorted(p.name for p in folder.iterdir()) == [
        "communities.parquet", "community_edges.parquet", "edges.parquet", "graph.json",
        "nodes.parquet", "placements.parquet", "region_links.parquet", "regions.parquet"]
    manifest = json.loads((folder / "graph.json").read_text())
    assert set(manifest) == {"version", "format", "catalogue_version", "built_at",
                             "parameters", "counts", "timings"}
    assert manifest["version"] == version
    assert manifest["format"] == graph_artifacts.FORMAT
    assert manifest["counts"] == {"records": 10_000,
                                  "nodes": {"subject": 11, "author": 4, "class": 2, "kdc": 0},
                                  "edges": len(LINKS), "communities": 4}
    read = graph_artifacts.read_version(tmp_path)
    assert read.version == version and read.manifest == manifest
    for name, schema in graph_artifacts.TABLES.items():
        assert getattr(read, name).schema.equals(schema), name


def test_write_accepts_columns_as_python_values(tmp_path):
    nodes = tiny_tables()["nodes"].to_pydict()  # ints become int32/int64 per the schema
    version = write_tiny(tmp_path, nodes=nodes)
    assert graph_artifacts.read_version(tmp_path, version).nodes.num_rows == len(NODES)


@pytest.mark.parametrize("change, message", [
    (lambda t: t.set_column(t.schema.get_field_index("records"), "records",
                            t.column("records").cast(pa.int32())),
     "nodes.records is int32; docs/graph.md says int64"),
    (lambda t: t.drop_columns(["centrality"]), "nodes: columns differ from docs/graph.md: "
                                               "missing centrality"),
    (lambda t: t.append_column("pagerank", t.column("centrality")),
     "unexpected pagerank"),
])
def test_write_rejects_a_table_that_differs_from_the_spec(tmp_path, change, message):
    first = write_tiny(tmp_path)
    with pytest.raises(GraphArtifactError, match=message.replace("(", "\\(")):
        write_tiny(tmp_path, nodes=change(tiny_tables()["nodes"]))
    # Nothing was written, and the current version is untouched.
    assert graph_artifacts.current_version(tmp_path) == first
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == [first]


def test_write_rejects_links_to_unknown_nodes_and_unordered_ends(tmp_path):
    edges = tiny_tables()["edges"].to_pylist()
    with pytest.raises(GraphArtifactError, match="edges.target: 1 id"):
        write_tiny(tmp_path, edges=edges + [dict(edges[0], target="subject:Zzz")])
    swapped = dict(edges[0], source=edges[0]["target"], target=edges[0]["source"])
    with pytest.raises(GraphArtifactError, match="source < target"):
        write_tiny(tmp_path, edges=[swapped] + edges[1:])
    with pytest.raises(GraphArtifactError, match="row 1"):
        write_tiny(tmp_path, edges=[edges[0], {k: v for k, v in edges[1].items()
                                               if k != "kind"}])
    assert graph_artifacts.current_version(tmp_path) is None


def test_write_rejects_counts_that_contradict_the_tables(tmp_path):
    wrong = dict(MANIFEST, counts={"records": 10_000, "edges": 3})
    with pytest.raises(GraphArtifactError, match="counts.edges"):
        graph_artifacts.write_version(tmp_path, manifest=wrong, keep=2, **tiny_tables())


def test_pruning_keeps_the_newest_versions(tmp_path):
    written = [write_tiny(tmp_path, keep=2) for _ in range(4)]
    assert written == sorted(written)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == written[-2:]
    assert graph_artifacts.current_version(tmp_path) == written[-1]


def test_no_graph(tmp_path):
    assert graph_artifacts.current_version(tmp_path) is None
    with pytest.raises(graph_artifacts.NoGraph, match="run `shelfmap graph`"):
        graph_artifacts.read_version(tmp_path)
    assert graph_store.current(tmp_path) is None


# -- the per-process loader --------------------------------------------------------------

def test_current_reloads_only_when_current_moves(tmp_path):
    first = write_tiny(tmp_path)
    store = graph_store.current(tmp_path, max_age=0)
    assert store.version == first
    assert graph_store.current(tmp_path, max_age=0) is store  # same version: not reloaded
    second = write_tiny(tmp_path)
    # Looked at less than max_age ago: the pointer is not read again yet.
    assert graph_store.current(tmp_path, max_age=3600) is store
    reloaded = graph_store.current(tmp_path, max_age=0)
    assert reloaded is not store and reloaded.version == second
    assert graph_store.current(tmp_path, max_age=0) is reloaded


def test_current_keeps_serving_when_a_new_version_is_unreadable(tmp_path):
    first = write_tiny(tmp_path)
    store = graph_store.current(tmp_path, max_age=0)
    second = write_tiny(tmp_path)
    (tmp_path / second / "edges.parquet").write_bytes(b"not parquet")
    assert graph_store.current(tmp_path, max_age=0) is store
    assert store.version == first
