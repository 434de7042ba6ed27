"""`shelfmap graph` end to end on LoC mixed-10000: Spark counting, the analysis, the
artifacts, and the app serving them; the same catalogue and seed give the same map."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from viz.graph import build as graph_build
from viz.graph import artifacts as graph_artifacts
from viz.graph import store as graph_store

pytestmark = [pytest.mark.es, pytest.mark.spark]


@pytest.fixture(scope="module")
def built(indexed_settings, spark):
    steps: list[str] = []
    manifest = graph_build.build(indexed_settings, spark=spark, progress=steps.append)
    return manifest, steps


def _table(settings, version: str, name: str):
    return pq.read_table(settings.graph_dir / version / f"{name}.parquet")


def test_build_publishes_a_complete_version(indexed_settings, built):
    manifest, steps = built
    assert steps == ["counting", "pruning", "communities", "layout", "records", "writing"]
    root = indexed_settings.graph_dir
    assert graph_artifacts.current_version(root) == manifest["version"]
    assert not [p.name for p in root.iterdir() if p.name.startswith(".counting")]
    nodes = _table(indexed_settings, manifest["version"], "nodes")
    edges = _table(indexed_settings, manifest["version"], "edges")
    communities = _table(indexed_settings, manifest["version"], "communities")
    catalogue_rows = ds.dataset(str(indexed_settings.catalogue_dir / manifest["catalogue_version"]),
                                format="parquet").count_rows()
    assert manifest["counts"]["records"] == catalogue_rows == 10_000
    assert sum(manifest["counts"]["nodes"].values()) == nodes.num_rows > 1000
    assert manifest["counts"]["edges"] == edges.num_rows
    assert manifest["counts"]["communities"] == communities.num_rows
    assert manifest["parameters"] == {"min_support": indexed_settings.graph_min_support,
                                      "top_k": indexed_settings.graph_top_k,
                                      "seed": indexed_settings.graph_seed}
    assert set(manifest["timings"]) == {"counting", "pruning", "communities", "layout",
                                        "regions", "records", "total"}
    assert manifest["timings"]["total"] >= sum(
        manifest["timings"][k] for k in ("counting", "pruning", "communities", "layout",
                                         "regions", "records"))
    # Every linked node is in the table, every node has a place and a community.
    ids = set(nodes.column("id").to_pylist())
    assert set(edges.column("source").to_pylist()) | set(edges.column("target").to_pylist()) == ids
    assert set(nodes.column("community").to_pylist()) == set(range(communities.num_rows))
    for axis in ("x", "y"):
        values = nodes.column(axis).to_pylist()
        assert min(values) >= -1 and max(values) <= 1


def test_regions_hold_their_records_once(indexed_settings, built):
    """Every region's records against a count made here from the catalogue's 10,000
    records; the catalogue's discs by them."""
    from .test_graph_records import held, plain_counts
    from .test_map_svg import assert_discs_by_records

    manifest = built[0]
    folder = indexed_settings.graph_dir / manifest["version"]
    regions = _table(indexed_settings, manifest["version"], "regions").to_pylist()
    assert {r["region"]: r["records"] for r in regions} == plain_counts(
        folder, held(indexed_settings))
    nodes = _table(indexed_settings, manifest["version"], "nodes").to_pylist()
    summed = Counter()
    for n in nodes:
        summed[str(n["community"])] += n["records"]
    # Records under several topics of a region: most regions hold fewer records than
    # their topics' records added up.
    assert sum(r["records"] < summed[r["region"]] for r in regions) > len(regions) / 2
    store = graph_store.GraphStore.load(indexed_settings.graph_dir, manifest["version"])
    assert_discs_by_records(store, store.catalogue_view())


def test_the_cli_rebuild_gives_the_same_map(indexed_settings, built):
    """A second build from the command line, in its own Spark: the same catalogue and
    seed give byte-identical nodes (positions and communities) and links."""
    first = built[0]["version"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHELFMAP_")}
    env.update(SHELFMAP_HOME=indexed_settings.home, SHELFMAP_SPARK_DRIVER_MEMORY="1g")
    shelfmap = str(Path(sys.executable).with_name("shelfmap"))
    done = subprocess.run([shelfmap, "graph"], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    second = graph_artifacts.current_version(indexed_settings.graph_dir)
    assert second != first
    assert f"graph {second} from catalogue" in done.stdout
    for name in ("nodes", "edges", "communities", "community_edges", "regions"):
        assert _table(indexed_settings, second, name).equals(
            _table(indexed_settings, first, name)), name
    status = subprocess.run([shelfmap, "status"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert f"graph:         {second} (" in status.stdout


def test_the_app_serves_the_built_graph(indexed_settings, built, api):
    manifest = json.loads((indexed_settings.graph_dir / graph_artifacts.current_version(
        indexed_settings.graph_dir) / "graph.json").read_text())
    store = graph_store.current(indexed_settings.graph_dir, max_age=0)
    assert store.version == manifest["version"]
    health = api("/api/health").json()
    assert health["graph_version"] == manifest["version"]

    # The most frequent heading: its neighbourhood is its kept links, strongest first.
    nodes = _table(indexed_settings, manifest["version"], "nodes").to_pylist()
    edges = _table(indexed_settings, manifest["version"], "edges").to_pylist()
    top = max((n for n in nodes if n["kind"] == "subject"), key=lambda n: (n["records"], n["id"]))
    r = api("/api/graph/topics", around=top["label"], limit=500)
    assert r.status_code == 200, r.text
    body = r.json()
    links = sorted((e for e in edges if top["id"] in (e["source"], e["target"])),
                   key=lambda e: (-e["weight"], -e["records"]))
    neighbours = {e["target"] if e["source"] == top["id"] else e["source"] for e in links}
    assert {n["id"] for n in body["nodes"]} == neighbours | {top["id"]}
    centre = next(n for n in body["nodes"] if n["id"] == top["id"])
    assert (centre["x"], centre["y"], centre["community"]) == (top["x"], top["y"],
                                                                top["community"])
    overview = api("/api/graph/topics").json()
    assert len(overview["nodes"]) == min(100, manifest["counts"]["communities"])
    assert all(n["kind"] == "community" for n in overview["nodes"])
