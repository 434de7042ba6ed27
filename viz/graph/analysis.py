"""Step 2 of the topic graph build: communities, centrality and layout (docs/graph.md).

:func:`analyse` takes the pruned graph as the counting step writes it (the ``nodes``
and ``edges`` tables) and returns the columns and tables the app reads: each node's
community, centrality and position, the communities with their discs and labels, and
the strongest links between communities.

Spark writes rows in no particular order, so the graph is built in id order before
anything random runs: the same graph and seed then give byte-identical results
whatever the order of the input rows.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping

import networkx as nx
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.graph import prune
from viz.graph import communities as cm
from viz.graph.artifacts import COMMUNITIES, COMMUNITY_EDGES, EDGES, NODES
from viz.graph.layout import community_layout

__all__ = ["Analysis", "GraphInputError", "analyse", "NODE_COLUMNS", "EDGE_COLUMNS",
           "TOP_MEMBERS"]

# The columns this step adds to the nodes; the rest of the artifacts' node columns are
# its input, the counted graph (docs/graph.md).
ADDED_NODE_COLUMNS = ("community", "centrality", "x", "y")
NODE_COLUMNS = {f.name: f.type for f in NODES if f.name not in ADDED_NODE_COLUMNS}
EDGE_COLUMNS = {f.name: f.type for f in EDGES}
TOP_MEMBERS = 5   # ids in a community's ``top`` list


class GraphInputError(ValueError):
    """The nodes and edges tables are not a pruned graph as docs/graph.md describes;
    the message says which table and rows, and what is wrong with them."""


@dataclasses.dataclass(frozen=True)
class Analysis:
    """What :func:`analyse` found.

    ``nodes``: the input node columns, in the input's row order, then ``community``
    (int32), ``centrality`` (float64) and ``x``, ``y`` (float64, in [-1, 1]).
    ``communities``: ``community``, ``label``, ``size``, ``x``, ``y``, ``radius``,
    ``top``, one row per community by number. ``community_edges``: ``source``,
    ``target`` (``source < target``), ``weight``, ``links``, sorted.
    ``timings``: seconds spent on ``communities`` (checking the input, building the
    graph, Louvain, centrality and the community links) and ``layout`` (positions and
    the output tables); together, the whole of :func:`analyse`.
    """

    nodes: pa.Table
    communities: pa.Table
    community_edges: pa.Table
    timings: Mapping[str, float]


def analyse(nodes: pa.Table, edges: pa.Table, *, seed: int, top_k: int,
            progress: Callable[[str], None] | None = None) -> Analysis:
    """Communities, centrality and layout of the pruned topic graph.

    Parameters
    ----------
    nodes : pyarrow.Table
        At least ``id``, ``label``, ``kind``, ``records``, ``degree`` (docs/graph.md);
        ids unique. Other columns are carried through.
    edges : pyarrow.Table
        At least ``source``, ``target``, ``kind``, ``weight``, ``records``, each link
        once with ``source < target``, both ends in ``nodes``, ``weight`` in (0, 1].
    seed : int
        Seed of Louvain and of the layout (``SHELFMAP_GRAPH_SEED``).
    top_k : int
        Links kept per community (``SHELFMAP_GRAPH_TOP_K``): a link between two
        communities is kept when it is among the first ``top_k`` of either end, ranked
        by weight, then links, then the other community's number.
    progress : callable, optional
        Told ``"communities"`` and ``"layout"`` as each step starts (the build's
        progress and the benchmark's per-step memory).

    Returns
    -------
    Analysis

    Raises
    ------
    GraphInputError
        When a column is missing or of the wrong type, or the rows break the rules
        above.

    Examples
    --------
    Two triangles joined by a weak link:

    >>> nodes = pa.table({"id": [f"subject:{c}" for c in "abcdef"],
    ...                   "label": list("abcdef"), "kind": ["subject"] * 6,
    ...                   "records": pa.array([3] * 6, pa.int64()),
    ...                   "degree": pa.array([2, 2, 3, 3, 2, 2], pa.int32())})
    >>> pairs = ["ab", "ac", "bc", "de", "df", "ef", "cd"]
    >>> edges = pa.table({"source": [f"subject:{p[0]}" for p in pairs],
    ...                   "target": [f"subject:{p[1]}" for p in pairs],
    ...                   "kind": ["subject-subject"] * 7,
    ...                   "weight": [0.9] * 6 + [0.1],
    ...                   "records": pa.array([3] * 7, pa.int64())})
    >>> found = analyse(nodes, edges, seed=42, top_k=10)
    >>> found.nodes.column("community").to_pylist()
    [0, 0, 0, 1, 1, 1]
    >>> found.communities.column("label").to_pylist()
    ['c', 'd']
    >>> found.community_edges.to_pylist()
    [{'source': 0, 'target': 1, 'weight': 0.1, 'links': 1}]
    """
    if progress is not None:
        progress("communities")
    started = time.perf_counter()
    _check(nodes, edges, seed, top_k)
    ids = nodes.column("id")
    node_order = pc.sort_indices(nodes, sort_keys=[("id", "ascending")])
    edge_order = pc.sort_indices(edges, sort_keys=[("source", "ascending"),
                                                   ("target", "ascending")])
    G = nx.Graph()
    G.add_nodes_from(ids.take(node_order).to_pylist())
    sorted_edges = edges.take(edge_order)
    G.add_weighted_edges_from(zip(sorted_edges.column("source").to_pylist(),
                                  sorted_edges.column("target").to_pylist(),
                                  sorted_edges.column("weight").to_pylist()))

    parts = cm.louvain(G, seed=seed)
    rank = cm.centrality(G)
    C = cm.community_graph(G, parts)
    # The rule that prunes the links between nodes, applied to communities.
    kept = prune([(min(u, v), max(u, v), d["weight"], d["links"])
                  for u, v, d in C.edges(data=True)], top_k)
    found_communities = time.perf_counter() - started

    if progress is not None:
        progress("layout")
    started = time.perf_counter()
    placed = community_layout(G, parts, seed=seed, C=C)

    number = cm.membership(G, parts)
    order = ids.to_pylist()
    xy = np.array([placed.pos[node] for node in order]).reshape(len(order), 2)
    out_nodes = (nodes
                 .append_column("community", pa.array([number[v] for v in order], pa.int32()))
                 .append_column("centrality", pa.array([rank[v] for v in order], pa.float64()))
                 .append_column("x", pa.array(xy[:, 0], pa.float64()))
                 .append_column("y", pa.array(xy[:, 1], pa.float64())))

    labels = dict(zip(order, nodes.column("label").to_pylist()))
    tops = [cm.most_central(c, rank, TOP_MEMBERS) for c in parts]
    communities = pa.table({
        "community": pa.array(range(len(parts)), pa.int32()),
        "label": pa.array([labels[top[0]] for top in tops], pa.string()),
        "size": pa.array([len(c) for c in parts], pa.int64()),
        "x": pa.array(placed.centres[:, 0], pa.float64()),
        "y": pa.array(placed.centres[:, 1], pa.float64()),
        "radius": pa.array(placed.radii, pa.float64()),
        "top": pa.array(tops, pa.list_(pa.string())),
    }, schema=COMMUNITIES)

    links = sorted(kept)
    community_edges = pa.table({
        "source": pa.array([u for u, _ in links], pa.int32()),
        "target": pa.array([v for _, v in links], pa.int32()),
        "weight": pa.array([C.edges[e]["weight"] for e in links], pa.float64()),
        "links": pa.array([C.edges[e]["links"] for e in links], pa.int64()),
    }, schema=COMMUNITY_EDGES)
    laid_out = time.perf_counter() - started
    return Analysis(out_nodes, communities, community_edges,
                    {"communities": found_communities, "layout": laid_out})


def _check(nodes: pa.Table, edges: pa.Table, seed: int, top_k: int) -> None:
    """GraphInputError (or TypeError, ValueError for the parameters) naming the first
    thing that breaks docs/graph.md."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int, not {type(seed).__name__}")
    if not isinstance(top_k, int) or isinstance(top_k, bool):
        raise TypeError(f"top_k must be an int, not {type(top_k).__name__}")
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, not {top_k}")
    for name, table, columns in (("nodes", nodes, NODE_COLUMNS),
                                 ("edges", edges, EDGE_COLUMNS)):
        if not isinstance(table, pa.Table):
            raise TypeError(f"{name} must be a pyarrow Table, not {type(table).__name__}")
        missing = [c for c in columns if c not in table.column_names]
        if missing:
            raise GraphInputError(f"{name} lacks column(s) {', '.join(missing)} "
                                  f"(docs/graph.md: {', '.join(columns)})")
        for column, type_ in columns.items():
            if table.schema.field(column).type != type_:
                raise GraphInputError(f"{name}.{column} is "
                                      f"{table.schema.field(column).type}, not {type_}")
    for name, table, columns in (("nodes", nodes, ("id",)),
                                 ("edges", edges, ("source", "target", "weight"))):
        for column in columns:
            if table.column(column).null_count:
                raise GraphInputError(f"{name}.{column} has {table.column(column).null_count}"
                                      " null value(s)")

    ids = nodes.column("id")
    if pc.count_distinct(ids).as_py() != len(ids):
        dup = pc.filter(pc.value_counts(ids).field("values"),
                        pc.greater(pc.value_counts(ids).field("counts"), 1))
        raise GraphInputError(f"nodes.id: {len(dup)} id(s) occur more than once, e.g. "
                              f"{dup[0].as_py()!r}")
    source, target = edges.column("source"), edges.column("target")
    for end, column in (("source", source), ("target", target)):
        unknown = pc.filter(column, pc.invert(pc.is_in(column, value_set=ids)))
        if len(unknown):
            raise GraphInputError(
                f"edges.{end}: {len(unknown)} link(s) reference node ids not in nodes, "
                f"e.g. {unknown[0].as_py()!r}; nodes and edges must come from the same "
                "build")
    unordered = pc.filter(source, pc.greater_equal(source, target))
    if len(unordered):
        raise GraphInputError(f"edges: {len(unordered)} link(s) without source < target, "
                              f"e.g. source {unordered[0].as_py()!r}; write each link once, "
                              "ends in id order")
    distinct = edges.select(["source", "target"]).group_by(["source", "target"]).aggregate([])
    if distinct.num_rows != edges.num_rows:
        raise GraphInputError(f"edges: {edges.num_rows - distinct.num_rows} link(s) occur "
                              "more than once")
    weight = edges.column("weight")
    bad = pc.filter(weight, pc.invert(pc.and_(pc.greater(weight, 0.0),
                                              pc.less_equal(weight, 1.0))))
    if len(bad):
        raise GraphInputError(f"edges.weight: {len(bad)} weight(s) outside (0, 1], e.g. "
                              f"{bad[0].as_py()!r}; weights are the npmi of kept links")
