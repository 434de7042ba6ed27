"""Spark entry point: the current catalogue -> the topic graph's nodes and kept links.

Step 1 of ``docs/graph.md``. Everything per record runs as Spark SQL: each record's
node ids exploded into rows, counted, cut to the frequent nodes, paired by a self-join
on the record, the pairs counted and weighted, and each node's strongest links picked
by a window. The rules are those of :mod:`ingest.graph`. Only counts and the small
table of class labels pass through the driver.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from ingest import catalogue, graph
from ingest.subjects import SEPARATOR

log = logging.getLogger("shelfmap.graph")

COLUMNS = ("id", "subject_terms", "authors", "lcc_class", "kdc_division")
# Rows per written Parquet file: the analysis step reads whole tables with pyarrow, so
# a few large files serve it better than one per Spark partition.
_ROWS_PER_FILE = 2_000_000


def read_records(spark, source: Path):
    """The catalogue's columns the graph reads; a catalogue written before a column
    existed (kdc_division) reads it as empty."""
    from pyspark.sql import functions as F

    frame = spark.read.parquet(str(source))
    return frame.select(*(c if c in frame.columns else F.lit(None).cast("string").alias(c)
                          for c in COLUMNS))


def _prefix(kind: str) -> str:
    return graph.node_id(kind, "")


def occurrences(records):
    """One row per record and node it holds: ``record`` (its id), ``node`` (a node id).

    A list holding a value twice still counts the record once.
    """
    from pyspark.sql import functions as F

    def held(kind, values):
        # Exploded first and named after: plain column expressions run compiled, where
        # a lambda over the array (transform) would be interpreted value by value.
        exploded = records.select(F.col("id").alias("record"),
                                  F.explode(values).alias("_value"))
        return exploded.where(F.col("_value").isNotNull()).select(
            "record", F.concat(F.lit(_prefix(kind)), "_value").alias("node"))

    return (held("subject", F.array_distinct("subject_terms"))
            .unionByName(held("author", F.array_distinct("authors")))
            .unionByName(held("class", F.array("lcc_class")))
            .unionByName(held("kdc", F.array("kdc_division"))))


def node_counts(held, min_support: int):
    """``id``, ``records``: the nodes at least ``min_support`` records hold."""
    from pyspark.sql import functions as F

    return (held.groupBy(F.col("node").alias("id"))
            .agg(F.count(F.lit(1)).alias("records"))
            .where(F.col("records") >= min_support))


def _counted(x, y):
    """Whether the pair of node ids ``x < y`` is a candidate link: ``y`` is a subject
    (ids sort author < class < subject, so this admits exactly the three kinds of
    links) and, for two subjects, neither is a broader heading of the other.

    Spark compares strings by their UTF-8 bytes, which orders them by code point, as
    Python does: ``source < target`` means the same on both sides.
    """
    from pyspark.sql import functions as F

    subject = _prefix("subject")
    broader = (y.startswith(F.concat(x, F.lit(SEPARATOR)))
               | x.startswith(F.concat(y, F.lit(SEPARATOR))))
    return (x < y) & y.startswith(subject) & ~(x.startswith(subject) & broader)


def _kind(column):
    from pyspark.sql import functions as F

    return F.substring_index(column, graph.ID_SEPARATOR, 1)


def npmi(co, nx, ny, n: int):
    """:func:`ingest.graph.npmi` as a Spark expression over count columns."""
    from pyspark.sql import functions as F

    n_ = F.lit(n).cast("long")
    # When both nodes are in every record, -ln(co / n) is 0; the spec gives 1. Two nodes
    # that only occur together score 1 too, which the division can miss by a rounding
    # error (1.0000000000000002): the value is capped at 1.
    return F.when(co == n_, F.lit(1.0)).otherwise(
        F.least(F.lit(1.0), F.log(co * n_ / (nx * ny)) / -F.log(co / n_)))


def candidate_links(held, counts, n: int, min_support: int):
    """The candidate links with their evidence and weight: ``source``, ``target``,
    ``kind``, ``weight`` (npmi), ``records``; only those with ``records >= min_support``
    and ``weight > 0``.

    ``held`` is :func:`occurrences`, ``counts`` :func:`node_counts` of the ``n`` records.
    """
    from pyspark.sql import functions as F

    # Each record's nodes cut to the counted ones first: a pair is no more frequent
    # than either of its ends, and most headings occur once or twice. Pairs are then
    # made by joining a record's nodes with themselves on the record id, which is
    # unique in a catalogue (catalogue_job keeps one record per id).
    frequent = held.join(counts.withColumnRenamed("id", "node"), "node")
    ends = [frequent.select("record", F.col("node").alias(end), F.col("records").alias(size))
            for end, size in (("source", "_nx"), ("target", "_ny"))]
    pairs = ends[0].join(ends[1], "record").where(_counted(F.col("source"), F.col("target")))
    co = (pairs.groupBy("source", "target", "_nx", "_ny")
          .agg(F.count(F.lit(1)).alias("records"))
          .where(F.col("records") >= min_support))
    weight = npmi(F.col("records"), F.col("_nx"), F.col("_ny"), n)
    return (co.select(
        "source", "target",
        F.concat(_kind(F.col("source")), F.lit("-"), _kind(F.col("target"))).alias("kind"),
        weight.alias("weight"), "records")
        .where(F.col("weight") > 0))


def top_links(links, k: int):
    """The links among the first ``k`` of either end, each end ranking its links by
    npmi descending, evidence descending, the other end's id ascending."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    cols = ["source", "target", "kind", "weight", "records"]
    ends = links.select(F.col("source").alias("_node"), F.col("target").alias("_other"),
                        *cols).unionByName(
        links.select(F.col("target").alias("_node"), F.col("source").alias("_other"),
                     *cols))
    order = Window.partitionBy("_node").orderBy(F.desc("weight"), F.desc("records"),
                                                F.asc("_other"))
    ranked = ends.withColumn("_rank", F.row_number().over(order))
    return ranked.where(F.col("_rank") <= k).select(*cols).dropDuplicates(
        ["source", "target"])


def graph_nodes(spark, counts, edges):
    """The nodes with at least one kept link: ``id``, ``label``, ``kind``, ``records``,
    ``degree``."""
    from pyspark.sql import functions as F

    degrees = (edges.select(F.explode(F.array("source", "target")).alias("id"))
               .groupBy("id").agg(F.count(F.lit(1)).cast("int").alias("degree")))
    labels = [(f"class:{k}", v) for k, v in graph.class_labels().items()]
    labels += [(f"kdc:{k}", v) for k, v in graph.kdc_labels().items()]
    classes = spark.createDataFrame(sorted(labels), "_letters string, _class_label string")
    nodes = counts.join(degrees, "id").select(
        "id", _kind(F.col("id")).alias("kind"),
        F.expr(f"substr(id, instr(id, '{graph.ID_SEPARATOR}') + 1)").alias("_value"),
        "records", "degree")
    is_class = F.col("kind").isin("class", "kdc")
    nodes = nodes.join(F.broadcast(classes),
                       is_class & (F.col("id") == F.col("_letters")), "left")
    label = F.when(is_class, F.coalesce("_class_label", "_value")).otherwise(F.col("_value"))
    return nodes.select("id", label.alias("label"), "kind",
                        F.col("records").cast("long"), "degree")


def distinct_holders(held, chains, *, node: str = "node", group: str = "region"):
    """``group``, ``records``: for each group of nodes, the number of distinct records
    holding at least one of its nodes (a record holding two of them counts once).

    ``held`` is :func:`occurrences`; ``chains`` names each group's nodes, one row per
    node and group (column ``node`` and ``group``), a node in as many groups as it is in.
    It is small (the graph's nodes times the groups each is in) and is broadcast.
    """
    from pyspark.sql import functions as F

    members = chains.select(F.col(node).alias("node"), F.col(group).alias("_group"))
    return (held.join(F.broadcast(members), "node")
            .groupBy(F.col("_group").alias(group))
            .agg(F.countDistinct("record").alias("records")))


def count_holders(spark, source: Path, chains, *, node: str = "node",
                  group: str = "region"):
    """:func:`distinct_holders` over the catalogue folder ``source``, for the groups of
    the Arrow table ``chains`` (columns ``node`` and ``group``). Returns an Arrow table
    (``group``, ``records``), one row per group that a record holds; only these counts
    reach the driver.
    """
    import pyarrow as pa

    records = read_records(spark, source)
    rows = distinct_holders(occurrences(records),
                            spark.createDataFrame(chains.select([node, group])),
                            node=node, group=group).collect()
    return pa.table({group: pa.array([r[group] for r in rows], pa.string()),
                     "records": pa.array([r["records"] for r in rows], pa.int64())})


def _write(frame, rows: int, path: Path) -> None:
    files = max(1, -(-rows // _ROWS_PER_FILE))
    frame.coalesce(files).write.mode("overwrite").parquet(str(path))


def count(settings, out_dir: Path, spark=None, *, min_support: int | None = None,
          top_k: int | None = None, progress=None) -> dict:
    """Count and prune the current catalogue's topic graph into ``out_dir``.

    Writes ``out_dir/nodes.parquet`` (id, label, kind, records, degree) and
    ``out_dir/edges.parquet`` (source, target, kind, weight, records) and returns the
    summary: records, nodes by kind, edges, catalogue_version, timings (seconds:
    ``counting`` from reading the catalogue to the weighted candidate links,
    ``pruning`` from there to both tables written). ``min_support`` and ``top_k``
    default to the settings; ``progress(step)`` is told ``"counting"`` and ``"pruning"``
    as each starts.
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from ingest.spark import session

    min_support = settings.graph_min_support if min_support is None else min_support
    top_k = settings.graph_top_k if top_k is None else top_k
    if min_support < 1:
        raise ValueError(f"min_support must be at least 1, not {min_support}")
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, not {top_k}")
    source = catalogue.current_path(settings.catalogue_dir)
    out_dir = Path(out_dir)
    spark = spark or session(settings, "shelfmap graph")
    cached = []

    def keep(frame):
        frame = frame.persist(StorageLevel.MEMORY_AND_DISK)
        cached.append(frame)
        return frame

    def step(name: str) -> None:
        if progress is not None:
            progress(name)

    try:
        step("counting")
        started = time.monotonic()
        records = read_records(spark, source)
        n = records.count()
        held = occurrences(records)
        counts = keep(node_counts(held, min_support))
        frequent = counts.count()
        links = keep(candidate_links(held, counts, n, min_support))
        candidates = links.count()
        counted = time.monotonic()
        log.info("%d record(s): %d node(s) with support >= %d, %d candidate link(s) "
                 "in %.1f s", n, frequent, min_support, candidates, counted - started)

        step("pruning")
        edges = keep(top_links(links, top_k))
        kept = edges.count()
        nodes = keep(graph_nodes(spark, counts, edges))
        by_kind = {r["kind"]: r["n"] for r in
                   nodes.groupBy("kind").agg(F.count(F.lit(1)).alias("n")).collect()}
        _write(nodes, sum(by_kind.values()), out_dir / "nodes.parquet")
        _write(edges, kept, out_dir / "edges.parquet")
        pruned = time.monotonic()
        log.info("kept %d link(s) (top %d per node) between %d node(s) in %.1f s", kept,
                 top_k, sum(by_kind.values()), pruned - counted)
    finally:
        for frame in cached:
            frame.unpersist()
    return {
        "records": n,
        "nodes": {kind: by_kind.get(kind, 0) for kind in graph.KINDS},
        "edges": kept,
        "catalogue_version": source.name,
        "timings": {"counting": round(counted - started, 3),
                    "pruning": round(pruned - counted, 3)},
    }
