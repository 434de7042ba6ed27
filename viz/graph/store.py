"""The topic graph in memory, read once per process, and the questions the map asks of it.

A :class:`GraphStore` holds one build (docs/graph.md) as flat numpy arrays: nodes in id
order and a CSR adjacency whose rows list each node's links strongest first (npmi
descending, evidence descending, the other end's id ascending: the order the build
ranks links in). No graph object is kept, and a query touches only the rows it walks,
so a request costs what its answer holds (bounded by its ``limit``), not what the
catalogue holds.

Answers are ``{"nodes": [...], "edges": [...]}`` dicts, shaped here once for the JSON
API and the pages.
"""

from __future__ import annotations

import bisect
import dataclasses
import logging
import threading
import time
from collections import Counter, OrderedDict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingest.graph import KINDS, node_id
from ingest.subjects import SEPARATOR
from viz.graph import artifacts as graph_artifacts
from viz.graph import hierarchy, views
from viz.graph.artifacts import GraphArtifactError, GraphVersion, NoGraph

log = logging.getLogger("shelfmap.graph")

# A label shared by nodes of several kinds names the subject first: the map is a map of
# topics, and an author or class of the same name is reachable by its id.
FIND_PREFERENCE = ("subject", "class", "kdc", "author")
COMMUNITY_PREFIX = "community:"
CHECK_SECONDS = 5.0


class UnknownNode(LookupError):
    """No node has this id or label."""

    def __init__(self, node):
        super().__init__(f"no topic with id or label {node!r}")
        self.node = node


# Drawn views kept per store (GraphStore.drawn): a view never changes within a build.
# The map's own views (keys starting "map") on one shelf, big enough to hold every view
# of a 250,000-record graph (418 views, about 25 MB of markup); the maps of a few topics
# (a topic's, a record's, a search's) on another, so that their many keys never push
# the map's views out.
DRAWN = {"map": 512, "local": 256}


class GraphStore:
    """One version of the topic graph, queried from memory.

    Build it with :meth:`load` (a folder under ``SHELFMAP_HOME/graph``) or from a
    :class:`~viz.graph.artifacts.GraphVersion`; in the app, get it through
    :func:`current`.
    """

    def __init__(self, graph: GraphVersion):
        self.version = graph.version
        self.manifest = graph.manifest
        nodes = graph.nodes.sort_by("id")
        self._init_nodes(nodes)
        self._init_links(graph.edges, nodes.column("id"))
        self._init_communities(graph.communities, graph.community_edges)
        self._init_map(graph.regions, graph.region_links, graph.placements)
        self._drawn: dict[str, OrderedDict] = {shelf: OrderedDict() for shelf in DRAWN}
        self._drawn_lock = threading.Lock()

    @classmethod
    def load(cls, root: Path, version: str | None = None) -> GraphStore:
        """The store of ``version`` (default: the current one) under ``root``."""
        return cls(graph_artifacts.read_version(root, version))

    def _init_nodes(self, nodes: pa.Table) -> None:
        # Rows in id order: the index of a node is its rank by id, so "id ascending"
        # tie-breaks are comparisons of small integers.
        self.ids: list[str] = nodes.column("id").to_pylist()
        self.index: dict[str, int] = {node: i for i, node in enumerate(self.ids)}
        self.labels: list[str] = nodes.column("label").to_pylist()
        kinds = pc.index_in(nodes.column("kind"), value_set=pa.array(KINDS))
        if kinds.null_count:
            raise GraphArtifactError(f"{self.version}: nodes.kind holds a kind other than "
                                     f"{', '.join(KINDS)}")
        self.kinds = kinds.to_numpy(zero_copy_only=False).astype(np.int8)
        self.records = nodes.column("records").to_numpy()
        self.communities = nodes.column("community").to_numpy()
        self.centrality = nodes.column("centrality").to_numpy()
        self.x = nodes.column("x").to_numpy()
        self.y = nodes.column("y").to_numpy()

        preference = np.array([FIND_PREFERENCE.index(k) for k in KINDS])[self.kinds]
        order = np.lexsort((np.arange(len(self.ids)), -self.records, preference))
        self._by_label: dict[str, int] = {}
        for i in order.tolist():
            self._by_label.setdefault(self.labels[i].casefold(), i)

    def _init_links(self, edges: pa.Table, ids: pa.ChunkedArray) -> None:
        value_set = ids.combine_chunks()
        ends = []
        for column in ("source", "target"):
            found = pc.index_in(edges.column(column), value_set=value_set)
            if found.null_count:
                raise GraphArtifactError(f"{self.version}: edges.{column} names ids that "
                                         "are not in nodes")
            ends.append(found.to_numpy(zero_copy_only=False).astype(np.int64))
        weight = edges.column("weight").to_numpy()
        evidence = edges.column("records").to_numpy()
        # Each link appears in the rows of both its ends.
        owner = np.concatenate([ends[0], ends[1]])
        other = np.concatenate([ends[1], ends[0]])
        weight = np.concatenate([weight, weight])
        evidence = np.concatenate([evidence, evidence])
        order = np.lexsort((other, -evidence, -weight, owner))
        n = len(self.ids)
        self.indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(owner, minlength=n), out=self.indptr[1:])
        self.neighbours = other[order].astype(np.int32)
        self.link_weight = weight[order]
        self.link_records = evidence[order]

    def _init_communities(self, communities: pa.Table, community_edges: pa.Table) -> None:
        size = communities.column("size").to_numpy()
        number = communities.column("community").to_numpy()
        order = np.lexsort((number, -size))  # largest first; the build numbers them so
        self._community_rows = communities.take(pa.array(order)).to_pylist()
        self._community_edges = {name: community_edges.column(name).to_numpy()
                                 for name in ("source", "target", "weight", "links")}

    def _init_map(self, regions: pa.Table, region_links: pa.Table,
                  placements: pa.Table) -> None:
        rows = regions.to_pylist()
        self.region_rows = {row["region"]: row for row in rows}
        self.region_children: dict[str, list[str]] = {}
        for row in sorted(rows, key=lambda r: (r["parent"], r["rank"])):
            self.region_children.setdefault(row["parent"], []).append(row["region"])
        self.region_links: dict[str, list[dict]] = {}
        for row in region_links.to_pylist():
            self.region_links.setdefault(row["source"], []).append(row)
        order = placements.sort_by([("region", "ascending"), ("rank", "ascending")])
        at = pc.index_in(order.column("id"), value_set=pa.array(self.ids)).to_numpy(
            zero_copy_only=False).astype(np.int64)
        self.band = np.full(len(self.ids), hierarchy.lb.HIDDEN, dtype=np.int8)
        self.band[at] = order.column("band").to_numpy()
        self.region_of: list[str] = [""] * len(self.ids)
        placed_regions = order.column("region").to_pylist()
        self.placed: dict[str, np.ndarray] = {}
        start = 0
        for k in range(1, len(placed_regions) + 1):
            if k == len(placed_regions) or placed_regions[k] != placed_regions[start]:
                self.placed[placed_regions[start]] = at[start:k]
                for i in at[start:k].tolist():
                    self.region_of[i] = placed_regions[start]
                start = k

    # -- lookups -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def edge_count(self) -> int:
        return len(self.neighbours) // 2

    def find(self, id_or_label: str) -> int | None:
        """The node with this id; else the node with this label, case-insensitively,
        preferring a subject, then a class, then an author, then the most records.

        ``find("korea (north)")`` is the subject ``Korea (North)`` even where the
        government's author node ``Korea (North)`` holds more records (DLC:00272183
        has both); ids are exact, labels are not.
        """
        text = id_or_label.strip()
        found = self.index.get(text)
        return found if found is not None else self._by_label.get(text.casefold())

    def node(self, i: int) -> dict:
        """The JSON of node ``i``: the map sizes nodes by ``weight`` (= records)."""
        records = int(self.records[i])
        return {"id": self.ids[i], "label": self.labels[i], "kind": KINDS[self.kinds[i]],
                "community": int(self.communities[i]), "x": float(self.x[i]),
                "y": float(self.y[i]), "weight": records, "records": records,
                "centrality": float(self.centrality[i])}

    def links(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Node ``i``'s neighbours, npmi and evidence, strongest first (views, not copies)."""
        lo, hi = self.indptr[i], self.indptr[i + 1]
        return self.neighbours[lo:hi], self.link_weight[lo:hi], self.link_records[lo:hi]

    # -- queries -------------------------------------------------------------------

    def overview(self, limit: int = 100) -> dict:
        """The largest ``limit`` communities as nodes (``weight`` = nodes in it) and
        the community links among them, strongest first."""
        _check_limit(limit)
        rows = self._community_rows[:limit]
        nodes = [{"id": f"{COMMUNITY_PREFIX}{row['community']}", "label": row["label"],
                  "kind": "community", "community": row["community"], "x": row["x"],
                  "y": row["y"], "weight": row["size"], "size": row["size"],
                  "radius": row["radius"], "top": row["top"]} for row in rows]
        shown = np.array([row["community"] for row in rows], dtype=np.int64)
        ce = self._community_edges
        keep = np.flatnonzero(np.isin(ce["source"], shown) & np.isin(ce["target"], shown))
        keep = keep[np.lexsort((ce["target"][keep], ce["source"][keep], -ce["weight"][keep]))]
        edges = [{"source": f"{COMMUNITY_PREFIX}{ce['source'][j]}",
                  "target": f"{COMMUNITY_PREFIX}{ce['target'][j]}",
                  "weight": float(ce["weight"][j]), "links": int(ce["links"][j])}
                 for j in keep.tolist()]
        return {"nodes": nodes, "edges": edges}

    # -- map views (viz.graph.views; docs/graph.md, "Regions and views") ---------------

    def catalogue_view(self) -> dict:
        """The whole catalogue's view (:func:`viz.graph.views.catalogue`)."""
        return views.catalogue(self)

    def region_view(self, region: str) -> dict:
        """One region's view (:func:`viz.graph.views.region`); raises
        :class:`~viz.graph.views.UnknownRegion`."""
        return views.region(self, region)

    def drawn(self, key: tuple, make):
        """``make()``, kept for the next request with the same ``key`` (a tuple whose
        first item names what it is: ``"map"`` for the map's views): what a page draws
        from one of this build's views, at most :data:`DRAWN` of each kind kept, the
        least recently used dropped first. Dies with the store when a new build
        arrives."""
        shelf = self._drawn["map" if key[0] == "map" else "local"]
        with self._drawn_lock:
            if key in shelf:
                shelf.move_to_end(key)
                return shelf[key]
        value = make()
        with self._drawn_lock:
            shelf[key] = value
            limit = DRAWN["map" if key[0] == "map" else "local"]
            while len(shelf) > limit:
                shelf.popitem(last=False)
        return value

    def neighbourhood(self, node: int | str, depth: int = 1, limit: int = 50) -> dict:
        """The nodes within ``depth`` links of ``node``, at most ``limit`` of them (the
        node first), and the links among them.

        Hop by hop, the new nodes are taken strongest link first over the whole hop
        (a node's best link from any node of the previous hop), so a strong link of the
        last node found outranks a weak link of the first.
        """
        start = self._resolve(node)
        if depth < 0:
            raise ValueError(f"depth must be 0 or more, not {depth}")
        _check_limit(limit)
        found = [start]
        seen = {start}
        frontier = [start]
        for _ in range(depth):
            room = limit - len(found)
            if room <= 0 or not frontier:
                break
            best: dict[int, tuple] = {}
            for u in frontier:
                # Only a row's first `room` unseen neighbours can be among the hop's
                # `room` strongest, and at most len(seen) entries before them are seen:
                # a hub's long row is never read further than that.
                lo = int(self.indptr[u])
                hi = min(int(self.indptr[u + 1]), lo + len(seen) + room)
                taken = 0
                for v, w, r in zip(self.neighbours[lo:hi].tolist(),
                                   self.link_weight[lo:hi].tolist(),
                                   self.link_records[lo:hi].tolist()):
                    if v in seen:
                        continue
                    key = (-w, -r, v)
                    if v not in best or key < best[v]:
                        best[v] = key
                    taken += 1
                    if taken == room:
                        break
            frontier = sorted(best, key=best.__getitem__)[:room]
            found.extend(frontier)
            seen.update(frontier)
        return {"nodes": [self.node(i) for i in found], "edges": self.edges_among(found)}

    def path(self, a: int | str, b: int | str, max_hops: int = 6) -> dict | None:
        """The path of fewest links from ``a`` to ``b`` (at most ``max_hops``), its nodes
        in order from ``a``; among paths of equally few links, the one whose npmi sum is
        greatest (exact ties: the smaller node ids). None when there is none.

        A search from both ends, each growing by whole hops (the end whose next hop
        reads fewer links first), that stops where they meet: each end goes about half
        the distance, and the nodes within d hops grow roughly as (links per node)^d.
        """
        source, target = self._resolve(a), self._resolve(b)
        if max_hops < 0:
            raise ValueError(f"max_hops must be 0 or more, not {max_hops}")
        if source == target:
            return {"nodes": [self.node(source)], "edges": []}
        sides = [_Side(source), _Side(target)]
        while sides[0].depth + sides[1].depth < max_hops:
            here = 0 if self._row_total(sides[0].frontier) <= \
                self._row_total(sides[1].frontier) else 1
            grown = self._grow(sides[here])
            if grown.size == 0:
                return None
            there = sides[1 - here]
            meet = grown[np.isin(grown, there.seen())]
            if meet.size:
                totals = [(-(sides[0].best[m] + sides[1].best[m]), m) for m in meet.tolist()]
                middle = min(totals)[1]
                order = sides[0].trail(middle)[::-1] + sides[1].trail(middle)[1:]
                return {"nodes": [self.node(i) for i in order],
                        "edges": [self._edge(u, v) for u, v in zip(order, order[1:])]}
        return None

    def around_subjects(self, terms: list[list[str]], limit: int = 50) -> dict:
        """The map around a set of records, given each record's ``subject_terms``: the
        graph's subject nodes held by the most of them (ties: the more central), with
        ``hits`` (how many hold it), and the links among them."""
        _check_limit(limit)
        held: Counter[int] = Counter()
        for record_terms in terms:
            for term in set(record_terms or ()):
                i = self.index.get(node_id("subject", term))
                if i is not None:
                    held[i] += 1
        ranked = sorted(held, key=lambda i: (-held[i], -self.centrality[i], i))[:limit]
        return {"nodes": [self.node(i) | {"hits": held[i]} for i in ranked],
                "edges": self.edges_among(ranked)}

    def narrower(self, node: int | str, limit: int = 20) -> list[dict]:
        """The subject headings in the graph under subject ``node`` (its subdivisions,
        at any depth: ``Korea (North) -- Politics and government`` and ``... -- 1994-``
        under ``Korea (North)``), most records first (ties: id), at most ``limit``.

        Ids are sorted, so a heading's narrower headings are one contiguous run of
        rows, found by two binary searches; only the run's record counts are read.
        """
        i = self._resolve(node)
        _check_limit(limit)
        if KINDS[self.kinds[i]] != "subject":
            return []
        prefix = self.ids[i] + SEPARATOR
        lo = bisect.bisect_left(self.ids, prefix)
        # Every id starting with the prefix sorts below the prefix followed by the
        # highest code point.
        hi = bisect.bisect_left(self.ids, prefix + "\U0010ffff", lo)
        rows = np.arange(lo, hi)
        order = rows[np.lexsort((rows, -self.records[lo:hi]))][:limit]
        return [self.node(j) for j in order.tolist()]

    # -- helpers -------------------------------------------------------------------

    def _resolve(self, node: int | str) -> int:
        if isinstance(node, (int, np.integer)):
            if not 0 <= node < len(self.ids):
                raise UnknownNode(node)
            return int(node)
        found = self.find(node)
        if found is None:
            raise UnknownNode(node)
        return found

    def _rows(self, frontier: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For every adjacency entry of the ``frontier`` nodes: the index into
        ``frontier`` of the node whose row it is in, and its position in the arrays."""
        starts = self.indptr[frontier]
        lengths = self.indptr[frontier + 1] - starts
        row = np.repeat(np.arange(frontier.size), lengths)
        offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return row, np.repeat(starts, lengths) + offsets

    def _row_total(self, frontier: np.ndarray) -> int:
        return int((self.indptr[frontier + 1] - self.indptr[frontier]).sum())

    def _grow(self, side: _Side) -> np.ndarray:
        """Take ``side`` one hop further; returns the new nodes (its new frontier).

        Each new node keeps the predecessor through which its npmi sum from the side's
        start is greatest (ties: the smaller predecessor)."""
        row, pos = self._rows(side.frontier)
        owner = side.frontier[row]
        sums = side.frontier_best[row] + self.link_weight[pos]
        other = self.neighbours[pos].astype(np.int64)
        new = ~np.isin(other, side.seen())
        owner, other, sums = owner[new], other[new], sums[new]
        order = np.lexsort((owner, -sums, other))
        first = np.ones(order.size, dtype=bool)
        first[1:] = other[order][1:] != other[order][:-1]
        pick = order[first]
        side.add(other[pick], sums[pick], owner[pick])
        return other[pick]

    def _edge(self, u: int, v: int) -> dict:
        nbrs, weights, evidence = self.links(u)
        j = int(np.flatnonzero(nbrs == v)[0])
        s, t = (u, v) if u < v else (v, u)
        return {"source": self.ids[s], "target": self.ids[t],
                "weight": float(weights[j]), "records": int(evidence[j])}

    def edges_among(self, nodes: list[int]) -> list[dict]:
        """The links between any two of ``nodes``, strongest first."""
        if not nodes:
            return []
        chosen = np.asarray(nodes, dtype=np.int64)
        row, pos = self._rows(chosen)
        owner = chosen[row]
        other = self.neighbours[pos]
        # Each link once, from its end with the smaller id (so source < target).
        keep = np.flatnonzero((other > owner) & np.isin(other, chosen))
        owner, other, pos = owner[keep], other[keep], pos[keep]
        order = np.lexsort((other, owner, -self.link_records[pos], -self.link_weight[pos]))
        return [{"source": self.ids[owner[j]], "target": self.ids[other[j]],
                 "weight": float(self.link_weight[pos[j]]),
                 "records": int(self.link_records[pos[j]])} for j in order.tolist()]


class _Side:
    """One end of the two-ended path search: what it reached, with each node's best
    npmi sum from the start and the predecessor that gave it."""

    def __init__(self, start: int):
        self.depth = 0
        self.frontier = np.array([start], dtype=np.int64)
        self.frontier_best = np.zeros(1)
        self.best = {start: 0.0}
        self.parent = {start: -1}
        self._seen = [self.frontier]

    def seen(self) -> np.ndarray:
        if len(self._seen) > 1:
            self._seen = [np.concatenate(self._seen)]
        return self._seen[0]

    def add(self, nodes: np.ndarray, sums: np.ndarray, parents: np.ndarray) -> None:
        self.depth += 1
        self.frontier, self.frontier_best = nodes, sums
        self.best.update(zip(nodes.tolist(), sums.tolist()))
        self.parent.update(zip(nodes.tolist(), parents.tolist()))
        self._seen.append(nodes)

    def trail(self, node: int) -> list[int]:
        """From ``node`` back to the start."""
        out = [node]
        while self.parent[out[-1]] != -1:
            out.append(self.parent[out[-1]])
        return out


def _check_limit(limit: int) -> None:
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")


# -- the process-wide store ------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Cached:
    version: str | None      # what CURRENT named when last looked at
    store: GraphStore | None  # what is served (the previous build if that one was broken)
    checked: float


_cache: dict[Path, _Cached] = {}
_cache_lock = threading.Lock()
_load_locks: dict[Path, threading.Lock] = {}


def current(graph_dir: Path, *, max_age: float = CHECK_SECONDS) -> GraphStore | None:
    """The current build under ``graph_dir``, loaded once per process; None before the
    first build.

    CURRENT is looked at again at most every ``max_age`` seconds; a new version is
    loaded by one thread while the others go on answering from the previous one. A
    version that cannot be read is logged and not retried until CURRENT moves on.
    """
    root = Path(graph_dir).absolute()
    with _cache_lock:
        cached = _cache.get(root)
        if cached is not None and time.monotonic() - cached.checked < max_age:
            return cached.store
        load_lock = _load_locks.setdefault(root, threading.Lock())
    version = graph_artifacts.current_version(root)
    if cached is not None and version == cached.version:
        _remember(root, _Cached(version, cached.store, time.monotonic()))
        return cached.store
    if version is None:
        _remember(root, _Cached(None, None, time.monotonic()))
        return None
    serving = cached.store if cached is not None else None
    if not load_lock.acquire(blocking=serving is None):
        return serving
    try:
        with _cache_lock:
            latest = _cache.get(root)
        if latest is not None and latest.version == version:
            return latest.store  # another thread loaded it while this one waited
        try:
            store = GraphStore.load(root, version)
            log.info("topic graph %s loaded: %d nodes, %d links", version, len(store),
                     store.edge_count)
        except (GraphArtifactError, NoGraph, OSError, ValueError):
            log.exception("topic graph %s could not be read; still serving %s", version,
                          serving.version if serving else "none")
            store = serving
        _remember(root, _Cached(version, store, time.monotonic()))
        return store
    finally:
        load_lock.release()


def _remember(root: Path, entry: _Cached) -> None:
    with _cache_lock:
        _cache[root] = entry
