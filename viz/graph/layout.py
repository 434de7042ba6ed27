"""Positions for the topic graph in two levels: communities as discs, then each
community's nodes inside its disc (docs/graph.md, "The layout").

1. **Communities.** A community of ``n`` nodes is a disc of radius ``sqrt(n)`` (area
   proportional to size). Each connected component of the community graph (links:
   the summed npmi between communities) is laid out by Fruchterman-Reingold, scaled
   until its discs would cover half the area around them, and :func:`remove_overlaps`
   pushes overlapping discs apart; then a few rounds of shrinking towards the middle
   and removing overlaps again pack it tight. The components are packed by
   :func:`pack_rings`, largest first, in rings around the largest: communities without
   links to the rest have no place of their own, and ring packing costs one step per
   component (there may be thousands of tiny ones).
2. **Nodes.** Each community's nodes are laid out by Fruchterman-Reingold over the
   links inside it, then scaled into its disc. Communities of one to three nodes get
   fixed shapes (a point, a segment, a triangle) without running a layout.

Finally one translation and one scale bring every disc, hence every node, into
[-1, 1] x [-1, 1].

Why igraph and not networkx for Fruchterman-Reingold: measured on the graph of the
250,000-record LoC benchmark catalogue (51,871 nodes, 124,173 links, 181 Louvain
communities, the largest of 3,216 nodes) on a 2-core machine, networkx's
``spring_layout`` takes 23 s for that largest community alone (1.6 s for 500 nodes),
``spring_layout(method="energy")`` 33 s and ``forceatlas2_layout`` 74 s (these two
with the machine busy). igraph's C
implementation takes 0.19 s for it with its grid (500 iterations; 5.6 s without),
and 3.5 s for the nodes of all 181 communities. networkx still computes the
communities and the community graph (``viz.graph.communities``).

Determinism: igraph's Fruchterman-Reingold draws from Python's ``random`` module even
when given a start layout (two runs from the same start differ unless the generator
is reseeded), so :func:`seeded_igraph` installs a
``random.Random(seed)`` as igraph's generator for the duration of a layout, and
start positions come from ``numpy.random.default_rng(seed)``. The same graph, built in
the same order, and seed give byte-identical coordinates.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import NamedTuple

import igraph as ig
import networkx as nx
import numpy as np
from scipy.spatial import cKDTree

from viz.graph.communities import community_graph, membership

__all__ = ["CommunityLayout", "community_layout", "disc_radii", "force_layout",
           "remove_overlaps", "pack_rings", "seeded_igraph"]

GAP = 0.5     # between discs, in units of the radius of a one-node disc
FILL = 0.9    # nodes stay within this fraction of their disc's radius
DENSITY = 0.5   # of a component's area its discs cover before overlap removal
COMPACTION, COMPACTION_ROUNDS = 0.9, 20   # shrink factor and rounds of compaction
GRID_FROM = 1000   # communities in a component from which its layout uses the grid
_GOLDEN = math.pi * (3 - math.sqrt(5))   # spreads fixed directions around the circle


class CommunityLayout(NamedTuple):
    """Where :func:`community_layout` put things, all within [-1, 1].

    ``pos`` maps every node to its ``(x, y)``; ``centres[i]`` and ``radii[i]`` are the
    disc of community ``i``.
    """

    pos: dict
    centres: np.ndarray
    radii: np.ndarray


def disc_radii(sizes: Sequence[int]) -> np.ndarray:
    """Radii of discs whose areas are proportional to ``sizes`` (one node: radius 1).

    Examples
    --------
    >>> disc_radii([1, 4, 9]).tolist()
    [1.0, 2.0, 3.0]
    """
    sizes = np.asarray(sizes, dtype=np.float64)
    if (sizes < 1).any():
        raise ValueError("disc sizes must be at least 1")
    return np.sqrt(sizes)


@contextmanager
def seeded_igraph(seed: int) -> Iterator[None]:
    """igraph draws from ``random.Random(seed)`` inside the block, then from the
    ``random`` module again (its default)."""
    ig.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        ig.set_random_number_generator(random)


def force_layout(n: int, edges: Sequence[tuple[int, int]], weights: Sequence[float],
                 rng: np.random.Generator, *, grid: bool = True) -> np.ndarray:
    """Fruchterman-Reingold positions, shape ``(n, 2)``, of vertices ``0..n-1``.

    Starts from uniform positions drawn from ``rng`` in a square of side ``sqrt(n)``,
    the scale igraph's grid is made for (a smaller start puts every vertex in one grid
    cell and costs 25 times as much). ``grid``: igraph's grid variant, which only
    repels vertices that are close; linear instead of quadratic per iteration. Call
    inside :func:`seeded_igraph` for repeatable results.
    """
    if len(edges) != len(weights):
        raise ValueError(f"{len(edges)} edges but {len(weights)} weights")
    half = math.sqrt(n) / 2
    start = rng.uniform(-half, half, size=(n, 2))
    if n < 2:
        return start
    graph = ig.Graph(n=n, edges=list(edges))
    found = graph.layout_fruchterman_reingold(weights=list(weights) if edges else None,
                                              seed=start.tolist(),
                                              grid="grid" if grid else "nogrid")
    return np.array(found.coords, dtype=np.float64)


def remove_overlaps(centres: np.ndarray, radii: np.ndarray, *, gap: float = GAP,
                    sweeps: int = 200) -> np.ndarray:
    """Centres moved so that no two discs overlap.

    Each sweep moves every pair of discs closer than ``gap`` apart along the line
    through their centres until ``gap`` would separate them, the smaller disc taking
    the larger share (in proportion to the other's area), so big communities stay
    where their links put them. Centres that coincide part in a fixed direction.
    Sweeps stop as soon as no two discs overlap: the gap is a margin aimed for, and
    stopping there saves the many sweeps a jammed packing needs to open every gap. If
    overlaps remain after ``sweeps`` sweeps, the layout is scaled about the origin just
    enough to remove them. Deterministic.

    Examples
    --------
    >>> remove_overlaps(np.array([[0.0, 0.0], [1.0, 0.0]]), np.array([1.0, 1.0]),
    ...                 gap=0.5).tolist()
    [[-0.75, 0.0], [1.75, 0.0]]
    """
    p = np.array(centres, dtype=np.float64)
    r = np.asarray(radii, dtype=np.float64)
    if p.shape != (len(r), 2):
        raise ValueError(f"centres must have shape ({len(r)}, 2), not {p.shape}")
    if len(r) < 2:
        return p
    area = r * r
    reach = 2 * r.max() + gap
    # Discs count as apart only with a sliver of the gap between them, far above
    # rounding error, so that they stay apart once scaled into [-1, 1].
    apart = 1e-6 * gap
    for _ in range(sweeps):
        i, j, d = _close_pairs(p, reach)
        if (d >= r[i] + r[j] + apart).all():
            return p
        overlap = r[i] + r[j] + gap - d
        hit = overlap > 0
        i, j, d, overlap = i[hit], j[hit], d[hit], overlap[hit]
        u = (p[j] - p[i]) / np.where(d > 0, d, 1.0)[:, None]
        angle = _GOLDEN * (i + j)
        u[d == 0] = np.column_stack([np.cos(angle), np.sin(angle)])[d == 0]
        share_i = area[j] / (area[i] + area[j])
        move = np.zeros_like(p)
        np.add.at(move, i, -u * (overlap * share_i)[:, None])
        np.add.at(move, j, u * (overlap * (1 - share_i))[:, None])
        p += move
    i, j, d = _close_pairs(p, reach)
    close = d < r[i] + r[j] + apart
    factor = ((r[i] + r[j] + gap)[close] / np.maximum(d[close], 1e-9)).max(initial=1.0)
    return p * factor


def _close_pairs(p: np.ndarray, reach: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Index pairs ``i < j`` of centres at most ``reach`` apart, in a fixed order, and
    their distances."""
    pairs = cKDTree(p).query_pairs(reach, output_type="ndarray")
    if len(pairs) == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty, np.zeros(0)
    pairs = np.sort(pairs, axis=1)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]   # accumulation order
    i, j = pairs[:, 0], pairs[:, 1]
    return i, j, np.hypot(*(p[j] - p[i]).T)


def pack_rings(radii: Sequence[float], *, gap: float = GAP) -> np.ndarray:
    """Centres for discs placed in rings around the first one, in the given order.

    The first disc is at the origin. Each ring's centre line lies one radius of its
    first disc outside the previous ring, so that no disc of the ring reaches into the
    previous one or (radii being in descending order) the next. Along a ring each disc
    takes the angle it subtends; a disc that does not fit starts the next ring, and
    the angle left over is shared out evenly, so a last ring of a few discs is spread
    around the whole circle. Discs do not overlap and keep ``gap`` between them.

    Examples
    --------
    >>> pack_rings([2.0, 1.0, 1.0], gap=0.0).round(9).tolist()
    [[0.0, 0.0], [3.0, 0.0], [-3.0, 0.0]]
    """
    r = np.asarray(radii, dtype=np.float64)
    out = np.zeros((len(r), 2))
    outer = r[0] if len(r) else 0.0   # how far the discs placed so far reach
    rings: list[tuple[float, list[int], list[float]]] = []
    for k in range(1, len(r)):
        if rings:
            ring, members, halves = rings[-1]
            half = math.asin(min(1.0, (r[k] + gap / 2) / ring))
            if sum(halves) + half <= math.pi and r[k] <= r[members[0]]:
                members.append(k)
                halves.append(half)
                continue
        ring = outer + gap + r[k]
        outer = ring + r[k]
        rings.append((ring, [k], [math.asin((r[k] + gap / 2) / ring)]))
    for ring, members, halves in rings:
        # Two discs whose sectors do not overlap do not overlap either: the chord
        # between centres, 2 R sin((a + b) / 2), is at least R (sin a + sin b).
        spare = (math.pi - sum(halves)) / len(members)
        theta = 0.0
        for i, (k, half) in enumerate(zip(members, halves)):
            if i:
                theta += halves[i - 1] + 2 * spare + half
            out[k] = ring * math.cos(theta), ring * math.sin(theta)
    return out


def community_layout(G: nx.Graph, communities: Sequence[Collection[Hashable]], *,
                     seed: int, weight: str = "weight",
                     C: nx.Graph | None = None) -> CommunityLayout:
    """Positions of the nodes of ``G`` in two levels: communities, then their nodes.

    Parameters
    ----------
    G : networkx.Graph
        Edge weights must be positive. Nodes and edges are visited in ``G``'s order, so
        build ``G`` in a canonical order for repeatable results.
    communities : sequence of collections of nodes
        A partition of ``G``'s nodes; element ``i`` is community ``i``.
    seed : int
        Seed of every random choice: the same ``G`` and seed give the same layout.
    weight : str
        Edge attribute holding the weight.
    C : networkx.Graph, optional
        :func:`viz.graph.communities.community_graph` of ``G`` and ``communities``, when the
        caller already has it.

    Returns
    -------
    CommunityLayout
        Node positions and community discs, all within [-1, 1]. Discs do not overlap,
        their areas are proportional to community sizes and each node lies in its
        community's disc.

    Examples
    --------
    >>> G = nx.Graph([(0, 1), (1, 2), (0, 2), (3, 4)])
    >>> found = community_layout(G, [{0, 1, 2}, {3, 4}], seed=1)
    >>> bool(np.abs(np.array(list(found.pos.values()))).max() <= 1)
    True
    """
    number = membership(G, communities)
    if C is None:
        C = community_graph(G, communities, weight=weight)
    if len(G) == 0:
        return CommunityLayout({}, np.zeros((0, 2)), np.zeros(0))
    sizes = np.array([len(c) for c in communities])
    radii = disc_radii(sizes)
    rng = np.random.default_rng(seed)
    with seeded_igraph(seed):
        centres = _place_communities(C, sizes, radii, rng)
        xy = _place_nodes(G, number, sizes, radii, centres, weight, rng)
    lo = (centres - radii[:, None]).min(axis=0)
    hi = (centres + radii[:, None]).max(axis=0)
    middle, scale = (lo + hi) / 2, 2 / (hi - lo).max()
    centres = (centres - middle) * scale
    xy = (xy - middle) * scale
    pos = dict(zip(G, xy))
    return CommunityLayout(pos, centres, radii * scale)


def _place_communities(C: nx.Graph, sizes: np.ndarray, radii: np.ndarray,
                       rng: np.random.Generator) -> np.ndarray:
    """Disc centres: each component of the community graph by force layout and overlap
    removal, then the components packed in rings, largest first."""
    components = sorted((sorted(c) for c in nx.connected_components(C)),
                        key=lambda c: (-int(sizes[c].sum()), c[0]))
    local = np.zeros((len(sizes), 2))
    blobs = np.empty(len(components))
    for b, members in enumerate(components):
        if len(members) == 1:
            blobs[b] = radii[members[0]]
            continue
        index = {c: i for i, c in enumerate(members)}
        links = sorted((index[u], index[v], w) if index[u] < index[v] else
                       (index[v], index[u], w)
                       for u, v, w in C.subgraph(members).edges(data="weight"))
        # Exact repulsion while it is affordable: the grid variant leaves a small
        # community graph loosely knit.
        p = force_layout(len(members), [(u, v) for u, v, _ in links],
                         [w for *_, w in links], rng, grid=len(members) >= GRID_FROM)
        r = radii[members]
        # Scale the force layout until its discs would cover DENSITY of the disc
        # around it, then let overlap removal push them apart.
        p -= p.mean(axis=0)
        spread = np.hypot(*p.T).max()
        wanted = math.sqrt((r * r).sum() / DENSITY)
        p = remove_overlaps(p * (wanted / spread if spread > 0 else 1.0), r)
        # A few strongly linked pairs set the force layout's scale and leave the rest
        # scattered: shrink towards the middle and repair, a few times over.
        for _ in range(COMPACTION_ROUNDS):
            middle = p.mean(axis=0)
            p = remove_overlaps(middle + (p - middle) * COMPACTION, r)
        p -= ((p - r[:, None]).min(axis=0) + (p + r[:, None]).max(axis=0)) / 2
        local[members] = p
        blobs[b] = (np.hypot(*p.T) + r).max()
    offsets = pack_rings(blobs)
    centres = np.empty_like(local)
    for b, members in enumerate(components):
        centres[members] = local[members] + offsets[b]
    return centres


def _place_nodes(G: nx.Graph, number: dict, sizes: np.ndarray, radii: np.ndarray,
                 centres: np.ndarray, weight: str, rng: np.random.Generator) -> np.ndarray:
    """Node positions, in ``G``'s node order: each community's force layout scaled into
    its disc."""
    n = len(G)
    index = {node: i for i, node in enumerate(G)}
    member = np.fromiter((number[node] for node in G), dtype=np.int64, count=n)
    # Members grouped by community, in G's order inside each; ``local`` numbers them
    # 0.. within their community.
    order = np.argsort(member, kind="stable")
    starts = np.concatenate([[0], np.cumsum(sizes)])
    local = np.empty(n, dtype=np.int64)
    local[order] = np.arange(n) - starts[member[order]]

    ends = [(index[u], index[v], w) for u, v, w in G.edges(data=weight, default=1.0)]
    if ends:
        eu, ev, ew = (np.array(col) for col in zip(*ends))
    else:
        eu = ev = np.zeros(0, dtype=np.int64)
        ew = np.zeros(0)
    inside = member[eu] == member[ev]
    eu, ev, ew = eu[inside], ev[inside], ew[inside]
    by_community = np.argsort(member[eu], kind="stable")
    eu, ev, ew = eu[by_community], ev[by_community], ew[by_community]
    edge_starts = np.searchsorted(member[eu], np.arange(len(sizes) + 1))

    xy = np.empty((n, 2))
    for c, size in enumerate(sizes):
        nodes = order[starts[c]:starts[c + 1]]
        if size <= 3:
            shape = _TINY[size] * radii[c]
        else:
            lo, hi = edge_starts[c], edge_starts[c + 1]
            edges = list(zip(local[eu[lo:hi]].tolist(), local[ev[lo:hi]].tolist()))
            p = force_layout(int(size), edges, ew[lo:hi].tolist(), rng)
            p -= (p.min(axis=0) + p.max(axis=0)) / 2
            extent = np.hypot(*p.T).max()
            shape = p * (FILL * radii[c] / extent) if extent > 0 else p * 0
        xy[nodes] = centres[c] + shape
    return xy


def _polygon(k: int) -> np.ndarray:
    """``k`` points evenly on a circle of radius 1/2, the first straight up."""
    angles = math.pi / 2 + 2 * math.pi * np.arange(k) / k
    return 0.5 * np.column_stack([np.cos(angles), np.sin(angles)])


# Shapes of communities too small to need a layout, in units of the disc's radius.
_TINY = {1: np.zeros((1, 2)), 2: _polygon(2), 3: _polygon(3)}
