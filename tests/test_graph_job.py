"""Counting and pruning the topic graph (docs/graph.md, step 1) with real Spark.

Exact answers on a hand-made catalogue of twelve records (tests/data/graph-tiny), and
invariants on LoC mixed-10000 checked against counts made here in plain Python from
the catalogue's Parquet files.
"""

from __future__ import annotations

import doctest
import itertools
import math
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from ingest import catalogue, catalogue_job, graph, graph_job

from .conftest import DATA, LOC_10000

TINY = DATA / "graph-tiny" / "catalogue.jsonl"
ln = math.log


def test_graph_helpers_examples():
    assert doctest.testmod(graph).failed == 0


def test_npmi_bounds():
    assert graph.npmi(7, 7, 7, 7) == 1.0          # both in every record
    assert graph.npmi(2, 4, 6, 12) == 0.0         # exactly as often as chance
    assert graph.npmi(1, 10, 10, 20) < 0
    # Nodes only ever seen together: the division gives 1.0000000000000002 for these
    # counts (the 100k LoC prefix has such a pair); the weight is exactly 1.
    for co, n in ((10, 100_000), (25, 250_000), (12, 25_000)):
        assert graph.npmi(co, co, co, n) == 1.0
    with pytest.raises(ValueError):
        graph.npmi(0, 1, 1, 10)
    with pytest.raises(ValueError):
        graph.npmi(3, 2, 5, 10)                   # more together than alone


def test_spark_npmi_is_capped_at_one_like_the_reference(spark):
    from pyspark.sql import functions as F

    rows = [(10, 10, 10, 100_000), (3, 4, 10, 100_000), (7, 9, 8, 100_000)]
    frame = spark.createDataFrame(rows, "co long, nx long, ny long, n long")
    got = frame.select(graph_job.npmi(F.col("co"), F.col("nx"), F.col("ny"), 100_000)
                       .alias("w")).collect()
    assert [r["w"] for r in got] == pytest.approx(
        [graph.npmi(co, x, y, n) for co, x, y, n in rows], abs=1e-15)
    assert got[0]["w"] == 1.0


def _read(path: Path) -> list[dict]:
    return ds.dataset(path, format="parquet").to_table().to_pylist()


def _build(settings, spark, out_dir: Path, **overrides) -> tuple[dict, list, list]:
    summary = graph_job.count(settings, out_dir, spark=spark, **overrides)
    return summary, _read(out_dir / "nodes.parquet"), _read(out_dir / "edges.parquet")


# --- the hand-made catalogue ------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_settings(base_settings, spark, tmp_path_factory):
    settings = base_settings.replace(home=str(tmp_path_factory.mktemp("graph-tiny-home")))
    report = catalogue_job.run(settings, [str(TINY)], spark=spark)
    assert report["written"] == 12
    return settings


KIM = "author:Kim, Il-sŏng, 1912-1994"
KOREA = "subject:Korea (North)"
POLITICS = "subject:Korea (North) -- Politics and government"
ECONOMY = "subject:Korea (North) -- Economic conditions"

# (records holding both, records of source, records of target): the npmi of each is
# written out below from these numbers over N = 12.
TINY_EDGES_2_2 = {
    ("author:Dickinson, Emily, 1830-1886", "subject:Poetry"): 2,
    ("author:Euclid", "subject:Geometry"): 2,
    ("author:Euclid", "subject:Mathematics"): 2,
    ("author:Euclid", "subject:Textbooks"): 2,
    (KIM, "subject:Juche"): 2,
    (KIM, KOREA): 3,
    (KIM, POLITICS): 3,
    ("author:Noether, Emmy, 1882-1935", "subject:Algebra"): 2,
    ("author:Noether, Emmy, 1882-1935", "subject:Mathematics"): 2,
    ("class:DS", KOREA): 3,
    ("class:DS", POLITICS): 3,
    ("class:HC", KOREA): 2,
    ("class:HC", ECONOMY): 2,
    ("class:HC", "subject:Textbooks"): 2,
    ("class:PS", "subject:Poetry"): 2,
    ("class:QA", "subject:Algebra"): 2,
    ("class:QA", "subject:Geometry"): 2,
    ("class:QA", "subject:Mathematics"): 4,
    ("subject:Juche", KOREA): 3,
    (ECONOMY, "subject:Textbooks"): 2,
}
TINY_WEIGHTS = {
    # A pair only ever seen together: ln(12 * 2 / (2 * 2)) / ln(12 / 2) = 1.
    ("author:Dickinson, Emily, 1830-1886", "subject:Poetry"): 1.0,
    ("author:Euclid", "subject:Geometry"): 1.0,
    ("author:Euclid", "subject:Mathematics"): ln(12 * 2 / (2 * 5)) / ln(12 / 2),
    ("author:Euclid", "subject:Textbooks"): ln(12 * 2 / (2 * 6)) / ln(12 / 2),
    (KIM, "subject:Juche"): ln(12 * 2 / (3 * 3)) / ln(12 / 2),
    (KIM, KOREA): ln(12 * 3 / (3 * 5)) / ln(12 / 3),
    (KIM, POLITICS): 1.0,
    ("author:Noether, Emmy, 1882-1935", "subject:Algebra"): 1.0,
    ("author:Noether, Emmy, 1882-1935", "subject:Mathematics"):
        ln(12 * 2 / (2 * 5)) / ln(12 / 2),
    ("class:DS", KOREA): ln(12 * 3 / (3 * 5)) / ln(12 / 3),
    ("class:DS", POLITICS): 1.0,
    ("class:HC", KOREA): ln(12 * 2 / (2 * 5)) / ln(12 / 2),
    ("class:HC", ECONOMY): 1.0,
    ("class:HC", "subject:Textbooks"): ln(12 * 2 / (2 * 6)) / ln(12 / 2),
    ("class:PS", "subject:Poetry"): 1.0,
    ("class:QA", "subject:Algebra"): ln(12 * 2 / (4 * 2)) / ln(12 / 2),
    ("class:QA", "subject:Geometry"): ln(12 * 2 / (4 * 2)) / ln(12 / 2),
    ("class:QA", "subject:Mathematics"): ln(12 * 4 / (4 * 5)) / ln(12 / 4),
    ("subject:Juche", KOREA): ln(12 * 3 / (3 * 5)) / ln(12 / 3),
    (ECONOMY, "subject:Textbooks"): ln(12 * 2 / (2 * 6)) / ln(12 / 2),
}
# id: (label, kind, records, degree)
TINY_NODES_2_2 = {
    "author:Dickinson, Emily, 1830-1886": ("Dickinson, Emily, 1830-1886", "author", 2, 1),
    "author:Euclid": ("Euclid", "author", 2, 3),
    KIM: ("Kim, Il-sŏng, 1912-1994", "author", 3, 3),
    "author:Noether, Emmy, 1882-1935": ("Noether, Emmy, 1882-1935", "author", 2, 2),
    "class:DS": ("DS History of Asia", "class", 3, 2),
    "class:HC": ("HC Economic history and conditions", "class", 2, 3),
    "class:PS": ("PS American literature; Canadian literature", "class", 2, 1),
    "class:QA": ("QA Mathematics", "class", 4, 3),
    "subject:Algebra": ("Algebra", "subject", 2, 2),
    "subject:Geometry": ("Geometry", "subject", 2, 2),
    "subject:Juche": ("Juche", "subject", 3, 2),
    KOREA: ("Korea (North)", "subject", 5, 4),
    ECONOMY: ("Korea (North) -- Economic conditions", "subject", 2, 2),
    POLITICS: ("Korea (North) -- Politics and government", "subject", 3, 2),
    "subject:Mathematics": ("Mathematics", "subject", 5, 3),
    "subject:Poetry": ("Poetry", "subject", 2, 2),
    "subject:Textbooks": ("Textbooks", "subject", 6, 3),
}


@pytest.mark.spark
def test_tiny_catalogue_exact_graph(tiny_settings, spark, tmp_path):
    summary, nodes, edges = _build(tiny_settings, spark, tmp_path, min_support=2, top_k=2)

    assert summary["records"] == 12                  # tiny:12 reaches no node, still counts
    assert summary["nodes"] == {"subject": 9, "author": 4, "class": 4, "kdc": 0}
    assert summary["edges"] == len(TINY_EDGES_2_2)
    assert summary["catalogue_version"] == catalogue.current_version(
        tiny_settings.catalogue_dir)
    assert set(summary["timings"]) == {"counting", "pruning"}

    assert {n["id"]: (n["label"], n["kind"], n["records"], n["degree"]) for n in nodes} \
        == TINY_NODES_2_2
    assert len(nodes) == len(TINY_NODES_2_2)
    got = {(e["source"], e["target"]): e for e in edges}
    assert len(got) == len(edges)
    assert {pair: e["records"] for pair, e in got.items()} == TINY_EDGES_2_2
    for pair, e in got.items():
        assert e["weight"] == pytest.approx(TINY_WEIGHTS[pair], rel=1e-12), pair
        assert e["kind"] == graph.link_kind(*pair)
    assert {e["kind"] for e in edges} == {"subject-subject", "author-subject", "class-subject"}

    # A heading and its broader heading share every record of the narrower one, and
    # are not linked; nor are an author and a class, though Kim and DS share 3 records.
    for pair in [(KOREA, POLITICS), (KOREA, ECONOMY), (KIM, "class:DS")]:
        assert tuple(sorted(pair)) not in got
    # Held by one record: no node, no link.
    assert "subject:Mathematics -- Poetry" not in {n["id"] for n in nodes}
    assert ("subject:Mathematics", "subject:Poetry") not in got
    # Anonymous (4 records) and Textbooks (6) share 2 of 12, exactly as often as
    # chance: npmi 0, so Anonymous's only pair shared twice is no link, and Anonymous
    # is no node. Mathematics and Textbooks meet less than chance (npmi < 0).
    assert "author:Anonymous" not in {n["id"] for n in nodes}
    assert ("class:QA", "subject:Textbooks") not in got
    assert ("subject:Mathematics", "subject:Textbooks") not in got

    # Ties broken by the other end's id. Textbooks' four links tie at ln 2 / ln 6 with
    # 2 records: it keeps author:Euclid and class:HC; Geometry ranks the link third, so
    # Geometry -- Textbooks goes (Korea (North) -- Economic conditions keeps its own).
    assert ("subject:Geometry", "subject:Textbooks") not in got
    # Juche's second place ties between Kim, DS and the Politics heading: Kim stays;
    # DS ranks Juche third.
    assert ("class:DS", "subject:Juche") not in got
    assert ("subject:Juche", POLITICS) not in got
    # Mathematics ranks Algebra and Geometry fourth and fifth, and they rank it third.
    assert ("subject:Algebra", "subject:Mathematics") not in got
    assert ("subject:Geometry", "subject:Mathematics") not in got


@pytest.mark.spark
def test_tiny_catalogue_min_support_and_one_sided_links(tiny_settings, spark, tmp_path):
    summary, nodes, edges = _build(tiny_settings, spark, tmp_path, min_support=3, top_k=2)

    assert {(e["source"], e["target"]): e["records"] for e in edges} == {
        (KIM, KOREA): 3, (KIM, POLITICS): 3, ("class:DS", KOREA): 3,
        ("class:DS", POLITICS): 3, ("class:QA", "subject:Mathematics"): 4,
        ("subject:Juche", KOREA): 3, (KOREA, "subject:Textbooks"): 3,
    }
    textbooks = next(e for e in edges if e["target"] == "subject:Textbooks")
    assert textbooks["weight"] == pytest.approx(ln(12 * 3 / (5 * 6)) / ln(12 / 3),
                                                rel=1e-12)
    # Korea (North) keeps all four links with k = 2: the one to Textbooks is among
    # Textbooks' strongest (its only one), not among Korea (North)'s.
    degrees = {n["id"]: n["degree"] for n in nodes}
    assert degrees == {KIM: 2, "class:DS": 2, "class:QA": 1, "subject:Juche": 1,
                       KOREA: 4, POLITICS: 2, "subject:Mathematics": 1,
                       "subject:Textbooks": 1}
    assert summary["nodes"] == {"subject": 5, "author": 1, "class": 2, "kdc": 0}


@pytest.mark.spark
def test_tiny_catalogue_distinct_holders_of_groups(tiny_settings, spark):
    """Records holding at least one node of each group, each record once, worked out
    from the twelve records by hand."""
    import pyarrow as pa

    groups = {
        # Korea (North) is the broader heading of both others: tiny:01-05.
        "korea": [KOREA, POLITICS, ECONOMY],
        # Kim's three records are the Politics heading's three.
        "kim-politics": [KIM, POLITICS],
        # Anonymous: tiny:01, 06, 11, 12; Poetry: tiny:10, 11 (tiny:11 holds both).
        "anonymous-poetry": ["author:Anonymous", "subject:Poetry"],
        # Mathematics: tiny:06-10 (tiny:10 through Mathematics -- Poetry); QA 06-09.
        "mathematics": ["subject:Mathematics", "class:QA"],
        "nobody": ["subject:No such heading"],
    }
    chains = pa.table({"topic": [x for nodes in groups.values() for x in nodes],
                       "group": [g for g, nodes in groups.items() for _ in nodes]})
    source = catalogue.current_path(tiny_settings.catalogue_dir)
    counted = graph_job.count_holders(spark, source, chains, node="topic", group="group")
    assert counted.schema.names == ["group", "records"]
    assert dict(zip(*counted.to_pydict().values())) == {
        "korea": 5, "kim-politics": 3, "anonymous-poetry": 5, "mathematics": 5}


# --- LoC mixed-10000: invariants against plain Python --------------------------------

@pytest.fixture(scope="module")
def loc(base_settings, spark, tmp_path_factory):
    """mixed-10000 ingested and counted with the default settings; the outputs, and
    the catalogue's node sets per record read with pyarrow."""
    settings = base_settings.replace(home=str(tmp_path_factory.mktemp("graph-loc-home")))
    catalogue_job.run(settings, [str(LOC_10000)], spark=spark)
    out = tmp_path_factory.mktemp("graph-loc")
    summary, nodes, edges = _build(settings, spark, out)
    table = ds.dataset(catalogue.current_path(settings.catalogue_dir),
                       format="parquet").to_table(columns=list(graph_job.COLUMNS))
    held = []
    for row in table.to_pylist():
        ids = {"subject:" + s for s in row["subject_terms"] or []}
        ids |= {"author:" + a for a in row["authors"] or []}
        if row["lcc_class"]:
            ids.add("class:" + row["lcc_class"])
        held.append(ids)
    return {"settings": settings, "summary": summary, "nodes": nodes, "edges": edges,
            "held": held}


def _plain_npmi(co: int, nx: int, ny: int, n: int) -> float:
    return 1.0 if co == n else ln(co * n / (nx * ny)) / -ln(co / n)


@pytest.fixture(scope="module")
def loc_candidates(loc):
    """Candidate links of mixed-10000 counted here over every pair of each record."""
    settings, held = loc["settings"], loc["held"]
    n = len(held)
    records = Counter(x for ids in held for x in ids)
    together = Counter()
    for ids in held:
        for x, y in itertools.combinations(sorted(ids), 2):
            if not y.startswith("subject:"):
                continue                                 # author-author, author-class
            if x.startswith("subject:") and (y.startswith(x + " -- ")
                                             or x.startswith(y + " -- ")):
                continue
            together[x, y] += 1
    links = {}
    for (x, y), co in together.items():
        if co >= settings.graph_min_support:
            weight = _plain_npmi(co, records[x], records[y], n)
            if weight > 0:
                links[x, y] = (weight, co)
    return {"n": n, "records": records, "links": links}


@pytest.mark.spark
def test_loc_edges_are_well_formed(loc):
    edges = loc["edges"]
    assert loc["summary"]["records"] == len(loc["held"]) == 10000
    assert edges and loc["summary"]["edges"] == len(edges)
    pairs = [(e["source"], e["target"]) for e in edges]
    assert len(set(pairs)) == len(pairs)                 # one undirected edge per pair
    for e in edges:
        assert e["source"] < e["target"]
        assert 0 < e["weight"] <= 1
        assert e["records"] >= loc["settings"].graph_min_support
        assert e["kind"] == graph.link_kind(e["source"], e["target"])
        if e["kind"] == "subject-subject":
            assert not graph.is_broader(graph.split_id(e["source"])[1],
                                        graph.split_id(e["target"])[1])


@pytest.mark.spark
def test_loc_counts_and_weights_match_plain_python(loc, loc_candidates):
    links, records = loc_candidates["links"], loc_candidates["records"]
    for e in loc["edges"]:
        weight, co = links[e["source"], e["target"]]
        assert e["records"] == co
        assert e["weight"] == pytest.approx(weight, rel=1e-12, abs=1e-15)

    degree = Counter(x for e in loc["edges"] for x in (e["source"], e["target"]))
    assert {n["id"] for n in loc["nodes"]} == set(degree)
    by_kind = Counter(n["kind"] for n in loc["nodes"])
    assert loc["summary"]["nodes"] == {k: by_kind[k] for k in graph.KINDS}
    for n in loc["nodes"]:
        assert n["records"] == records[n["id"]]
        assert n["degree"] == degree[n["id"]]
        assert n["kind"] == graph.split_id(n["id"])[0]
        if n["kind"] == "class":
            assert n["label"] == graph.class_label(graph.split_id(n["id"])[1])
        else:
            assert n["label"] == graph.split_id(n["id"])[1]


@pytest.mark.spark
def test_loc_every_node_keeps_its_strongest_k(loc, loc_candidates):
    k = loc["settings"].graph_top_k
    ranked = defaultdict(list)
    for (x, y), (weight, co) in loc_candidates["links"].items():
        ranked[x].append((-weight, -co, y))
        ranked[y].append((-weight, -co, x))
    strongest = {x: {other for *_, other in sorted(links)[:k]}
                 for x, links in ranked.items()}

    kept = defaultdict(set)
    for e in loc["edges"]:
        kept[e["source"]].add(e["target"])
        kept[e["target"]].add(e["source"])
        # Every kept link is among the strongest k of at least one end.
        assert (e["target"] in strongest[e["source"]]
                or e["source"] in strongest[e["target"]]), e
    # Every node with a candidate link keeps exactly its min(k, candidates) strongest.
    for x, top in strongest.items():
        assert len(top) == min(k, len(ranked[x]))
        assert top <= kept[x], x
    assert set(kept) == set(strongest)


@pytest.mark.spark
def test_loc_neighbours_of_common_headings(loc):
    """The three most frequent headings: each neighbour's evidence is the number of
    records holding both, counted here record by record; the strongest neighbours are
    the ones kept."""
    settings, held, n = loc["settings"], loc["held"], len(loc["held"])
    records = Counter(x for ids in held for x in ids)
    headings = [x for x, _ in Counter(
        {x: c for x, c in records.items() if x.startswith("subject:")}).most_common(3)]
    for heading in headings:
        value = graph.split_id(heading)[1]
        with_heading = [ids for ids in held if heading in ids]
        assert len(with_heading) == records[heading]
        co = Counter(other for ids in with_heading for other in ids if other != heading)
        expected = {}
        for other, both in co.items():
            kind, other_value = graph.split_id(other)
            if both < settings.graph_min_support:
                continue
            if kind == "subject" and (other_value.startswith(value + " -- ")
                                      or value.startswith(other_value + " -- ")):
                continue
            weight = _plain_npmi(both, records[heading], records[other], n)
            if weight > 0:
                expected[other] = (weight, both)

        neighbours = {}
        for e in loc["edges"]:
            if heading in (e["source"], e["target"]):
                other = e["target"] if e["source"] == heading else e["source"]
                neighbours[other] = e
        assert neighbours, heading
        for other, e in neighbours.items():
            assert e["records"] == co[other], (heading, other)
            assert e["weight"] == pytest.approx(expected[other][0], rel=1e-12)
        top = sorted(expected, key=lambda o: (-expected[o][0], -expected[o][1], o))
        assert set(top[:settings.graph_top_k]) <= set(neighbours), heading
