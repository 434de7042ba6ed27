"""``shelfmap graph``: the topic graph built from the current catalogue (docs/graph.md).

Step 1, the counting and pruning, is a Spark job (``ingest.graph_job``); step 2, the
analysis (communities, centrality, layout), runs here over its two small tables, and
so do the map's regions, whose records one more Spark pass counts (each region's
distinct records, from the catalogue, in the same session); the result is written as
a new graph version (``viz.graph.artifacts``) and made current. The build lives in
``viz`` because it needs both: ``ingest`` never imports ``viz``, and gets the regions
as a plain Arrow table of (node, region).
"""

from __future__ import annotations

import logging
import shutil
import time
import uuid
from pathlib import Path

import pyarrow.dataset as ds

from ingest import graph_job, lock, recovery
from ingest.spark import session
from viz.graph import analysis, hierarchy
from viz.graph import artifacts as graph_artifacts

log = logging.getLogger("shelfmap.graph")


def build(settings, spark=None, *, progress=None, cap: int = hierarchy.MAX_VIEW) -> dict:
    """``shelfmap graph``: count and prune (Spark), analyse (networkx), decide the
    map's regions and count their records (Spark), write a new graph version and make
    it current. Returns its graph.json.

    ``progress(step)`` is told when each step starts: ``counting``, ``pruning``,
    ``communities``, ``layout``, ``records``, ``writing``. ``spark``: the session to
    run in (one is started otherwise, once for both passes). ``cap``: things per view
    (:data:`~viz.graph.hierarchy.MAX_VIEW`; smaller makes parts and regions of regions
    of a small catalogue).
    A build that fails leaves the current graph as it was. One build at a time per
    home (``lock.Busy`` otherwise); what a killed build left is removed first, and the
    returned dict says so under ``recovery``.
    """
    started = time.monotonic()
    root = Path(settings.graph_dir)
    root.mkdir(parents=True, exist_ok=True)
    with lock.hold(settings.home_path / lock.GRAPH, "shelfmap graph"):
        recovered = recovery.recover(settings, "graph", graph_artifacts.leftovers(root))
        manifest = _build(settings, root, spark, progress, started, cap)
    return {**manifest, "recovery": recovered} if recovered else manifest


def _build(settings, root: Path, spark, progress, started: float, cap: int) -> dict:
    def step(name: str) -> None:
        if progress is not None:
            progress(name)

    # Spark writes the counted tables beside the versions, in a hidden folder that
    # publishing and pruning never see; they are read back once and removed.
    staging = root / f".counting-{uuid.uuid4().hex[:8]}"
    spark = spark or session(settings, "shelfmap graph")
    try:
        summary = graph_job.count(settings, staging, spark, progress=progress)
        nodes = ds.dataset(str(staging / "nodes.parquet"), format="parquet").to_table()
        edges = ds.dataset(str(staging / "edges.parquet"), format="parquet").to_table()
        result = analysis.analyse(nodes, edges, seed=settings.graph_seed,
                                  top_k=settings.graph_top_k, progress=progress)
        # The map's regions, links between them, discs and label bands: the last of
        # the geometry (docs/graph.md, "Regions and views"). Its regions' records are
        # counted in the catalogue the graph was counted from, timed on their own.
        source = Path(settings.catalogue_dir) / summary["catalogue_version"]
        counting = []

        def count_records(chains):
            step("records")
            began = time.perf_counter()
            counted = graph_job.count_holders(spark, source, chains)
            counting.append(time.perf_counter() - began)
            log.info("records of %d region(s) counted in %.1f s", counted.num_rows,
                     counting[-1])
            return counted

        placed = time.perf_counter()
        geometry = hierarchy.geometry(result.nodes, edges, result.communities,
                                      records=count_records, cap=cap)
        regions_seconds = time.perf_counter() - placed - sum(counting)
        step("writing")
        timings = {**summary["timings"], **{k: round(v, 3) for k, v in result.timings.items()}}
        timings["regions"] = round(regions_seconds, 3)
        timings["records"] = round(sum(counting), 3)
        timings["total"] = round(time.monotonic() - started, 3)
        version = graph_artifacts.write_version(
            root, result.nodes, edges, result.communities, result.community_edges,
            **geometry,
            manifest={"catalogue_version": summary["catalogue_version"],
                      "parameters": {"min_support": settings.graph_min_support,
                                     "top_k": settings.graph_top_k,
                                     "seed": settings.graph_seed},
                      "counts": {"records": summary["records"]},
                      "timings": timings},
            keep=settings.graph_keep)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    manifest = graph_artifacts.read_manifest(root, version)
    log.info("graph %s: %s node(s), %d link(s), %d communities in %.1f s", version,
             sum(manifest["counts"]["nodes"].values()), manifest["counts"]["edges"],
             manifest["counts"]["communities"], timings["total"])
    return manifest
