"""Each region's records on real builds (Spark local, the twelve records of
tests/data/graph-tiny): the distinct catalogue records holding at least one of its
topics, checked against a count made here in plain Python from the catalogue's
Parquet files; with a view cap of 2 the same catalogue gets parts of communities and
regions of regions, whose records are counted the same way."""

from __future__ import annotations

from collections import Counter

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from ingest import catalogue, catalogue_job, graph_job
from viz.graph import build as graph_build
from viz.graph import hierarchy
from viz.graph.store import GraphStore

from .conftest import DATA
from .test_map_svg import all_views, assert_discs_by_records

pytestmark = pytest.mark.spark
TINY = DATA / "graph-tiny" / "catalogue.jsonl"


@pytest.fixture(scope="module")
def tiny(base_settings, spark, tmp_path_factory):
    settings = base_settings.replace(home=str(tmp_path_factory.mktemp("records-home")),
                                     graph_min_support=2, graph_top_k=2)
    assert catalogue_job.run(settings, [str(TINY)], spark=spark)["written"] == 12
    return settings


def held(settings) -> dict[str, set[str]]:
    """Each record's node ids, from the current catalogue's Parquet files."""
    table = ds.dataset(catalogue.current_path(settings.catalogue_dir),
                       format="parquet").to_table(columns=list(graph_job.COLUMNS))
    out = {}
    for row in table.to_pylist():
        ids = {"subject:" + s for s in row["subject_terms"] or []}
        ids |= {"author:" + a for a in row["authors"] or []}
        if row["lcc_class"]:
            ids.add("class:" + row["lcc_class"])
        out[row["id"]] = ids
    return out


def plain_counts(folder, records: dict[str, set[str]]) -> Counter:
    """Per region, the records holding one of its topics: each record's topics lead
    to the regions they are drawn in and every region above those, counted once per
    record."""
    regions = pq.read_table(folder / "regions.parquet").to_pylist()
    parent = {r["region"]: r["parent"] for r in regions}
    drawn_in = dict(zip(*pq.read_table(folder / "placements.parquet",
                                       columns=["id", "region"]).to_pydict().values()))
    counts = Counter()
    for ids in records.values():
        under = set()
        for node in ids & drawn_in.keys():
            region = drawn_in[node]
            while region != hierarchy.CATALOGUE:
                under.add(region)
                region = parent[region]
        counts.update(under)
    return counts


@pytest.mark.parametrize("cap", [hierarchy.MAX_VIEW, 2])
def test_regions_count_each_record_once(tiny, spark, cap):
    steps = []
    manifest = graph_build.build(tiny, spark=spark, progress=steps.append, cap=cap)
    assert steps == ["counting", "pruning", "communities", "layout", "records", "writing"]
    assert manifest["timings"]["records"] > 0
    folder = tiny.graph_dir / manifest["version"]
    regions = pq.read_table(folder / "regions.parquet").to_pylist()
    records = held(tiny)
    assert {r["region"]: r["records"] for r in regions} == plain_counts(folder, records)

    # A record under two topics of a region is one record: the records of the
    # community of Korea (North) are fewer than its topics' records added up (tiny:01
    # alone holds Kim, DS, Korea (North) -- Politics and government and Korea (North)).
    nodes = {n["id"]: n for n in pq.read_table(folder / "nodes.parquet").to_pylist()}
    korea = nodes["subject:Korea (North)"]["community"]
    community = next(r for r in regions if r["region"] == str(korea))
    topics = [n for n in nodes.values() if n["community"] == korea]
    assert community["records"] == len({rec for rec, ids in records.items()
                                        if ids & {t["id"] for t in topics}})
    assert community["records"] < sum(t["records"] for t in topics)
    # A region of regions counts a record under two of them once too.
    kinds = {r["kind"] for r in regions}
    if cap == 2:
        assert kinds == {"community", "part", "group"}
        for r in regions:
            below = [c for c in regions if c["parent"] == r["region"]]
            if below:
                assert max(c["records"] for c in below) <= r["records"] <= sum(
                    c["records"] for c in below)
        assert any(r["records"] < sum(c["records"] for c in regions
                                      if c["parent"] == r["region"])
                   for r in regions if r["kind"] == "group")
    else:
        assert kinds == {"community"}
    assert max(r["records"] for r in regions) <= manifest["counts"]["records"]

    store = GraphStore.load(tiny.graph_dir, manifest["version"])
    shown = 0
    for view in all_views(store):
        if view["regions"]:
            assert_discs_by_records(store, view)
            shown += 1
    assert shown >= (3 if cap == 2 else 1)
