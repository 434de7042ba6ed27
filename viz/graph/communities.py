"""Communities of the topic graph, and the centrality that names them (docs/graph.md).

Communities are networkx's Louvain communities over the kept links weighted by npmi,
numbered 0, 1, ... by size descending, ties by the smallest member id, so that the
numbering depends on the partition alone and not on the order Louvain found it in.
Each community is labelled by its most central node: PageRank over the same weighted
links, which favours headings many strong links lead to over merely frequent ones.

Louvain visits nodes and neighbours in the graph's insertion order, so the same seed
gives the same partition only for the same insertion order: callers build ``G`` in a
canonical order (``viz.graph.analysis`` sorts nodes and links by id).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable

import networkx as nx
from networkx.utils import not_implemented_for

__all__ = ["by_size", "louvain", "membership", "centrality", "most_central",
           "community_graph"]


def by_size(communities: Iterable[Collection[Hashable]]) -> list[frozenset]:
    """The communities ordered by size descending, ties by their smallest member.

    The position of a community in the result is its number.

    Examples
    --------
    >>> by_size([{3}, {4, 2}, {1}])
    [frozenset({2, 4}), frozenset({1}), frozenset({3})]
    """
    sets = [frozenset(c) for c in communities]
    if any(not c for c in sets):
        raise ValueError("communities must not be empty")
    return sorted(sets, key=lambda c: (-len(c), min(c)))


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def louvain(G: nx.Graph, *, seed: int, weight: str = "weight",
            resolution: float = 1.0) -> list[frozenset]:
    """Louvain communities of ``G``, numbered by :func:`by_size`.

    Parameters
    ----------
    G : networkx.Graph
        Undirected; edge weights must be positive.
    seed : int
        Seed of Louvain's node order. The same graph (built in the same order) and
        seed give the same communities.
    weight : str
        Edge attribute holding the weight.
    resolution : float
        Louvain's resolution; above 1 favours smaller communities.

    Returns
    -------
    list of frozenset
        A partition of the nodes of ``G``; element ``i`` is community ``i``.

    Examples
    --------
    Two triangles joined by one weak link:

    >>> G = nx.Graph()
    >>> G.add_weighted_edges_from([(1, 2, 1), (2, 3, 1), (1, 3, 1),
    ...                            (4, 5, 1), (5, 6, 1), (4, 6, 1), (3, 4, 0.1)])
    >>> louvain(G, seed=42)
    [frozenset({1, 2, 3}), frozenset({4, 5, 6})]
    """
    if len(G) == 0:
        return []
    found = nx.community.louvain_communities(G, weight=weight, resolution=resolution,
                                             seed=seed)
    return by_size(found)


def membership(G: nx.Graph, communities: Iterable[Collection[Hashable]]) -> dict:
    """``{node: community number}``, checking that ``communities`` partition ``G``.

    Raises
    ------
    networkx.NetworkXError
        When a node of ``G`` is in no community or in two, or a community holds a node
        that is not in ``G``.

    Examples
    --------
    >>> membership(nx.path_graph(3), [{0, 1}, {2}])
    {0: 0, 1: 0, 2: 1}
    """
    number: dict = {}
    for i, community in enumerate(communities):
        for node in community:
            if node in number:
                raise nx.NetworkXError(f"node {node!r} is in communities {number[node]} "
                                       f"and {i}: communities must partition the graph")
            if node not in G:
                raise nx.NetworkXError(f"community {i} holds {node!r}, which is not in "
                                       "the graph")
            number[node] = i
    if len(number) != len(G):
        missing = next(node for node in G if node not in number)
        raise nx.NetworkXError(f"node {missing!r} is in no community: communities must "
                               "partition the graph")
    return number


def centrality(G: nx.Graph, *, weight: str = "weight") -> dict:
    """PageRank of every node of ``G`` over its weighted edges; the values sum to 1.

    Examples
    --------
    The centre of a star is the most central node:

    >>> pr = centrality(nx.star_graph(4))
    >>> max(pr, key=pr.get), round(sum(pr.values()), 9)
    (0, 1.0)
    """
    if len(G) == 0:
        return {}
    return nx.pagerank(G, weight=weight)


def most_central(community: Collection, rank: dict, k: int) -> list:
    """The ``k`` members of ``community`` with the highest ``rank``, ties by member.

    Examples
    --------
    >>> most_central({"a", "b", "c"}, {"a": 0.2, "b": 0.5, "c": 0.2}, 2)
    ['b', 'a']
    """
    if k < 0:
        raise ValueError(f"k must be at least 0, not {k}")
    return sorted(community, key=lambda node: (-rank[node], node))[:k]


def community_graph(G: nx.Graph, communities: Iterable[Collection[Hashable]], *,
                    weight: str = "weight") -> nx.Graph:
    """The graph of the communities: one node per community, linked when their members
    are.

    Node ``i`` is community ``i`` and has a ``size`` attribute (its members). An edge
    ``(i, j)`` has ``weight``, the sum of the weights of the edges of ``G`` between
    the two communities, and ``links``, their number. Edges inside a community are not
    counted.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_weighted_edges_from([("a", "b", 0.5), ("b", "c", 0.25), ("a", "c", 0.5)])
    >>> C = community_graph(G, [{"a", "b"}, {"c"}])
    >>> C.nodes(data=True)[0], C.edges[0, 1]
    ({'size': 2}, {'weight': 0.75, 'links': 2})
    """
    communities = list(communities)
    number = membership(G, communities)
    totals: dict[tuple[int, int], list] = {}
    for u, v, w in G.edges(data=weight, default=1.0):
        a, b = number[u], number[v]
        if a == b:
            continue
        key = (a, b) if a < b else (b, a)
        total = totals.setdefault(key, [0.0, 0])
        total[0] += w
        total[1] += 1
    C = nx.Graph()
    C.add_nodes_from((i, {"size": len(c)}) for i, c in enumerate(communities))
    C.add_edges_from((a, b, {"weight": w, "links": n})
                     for (a, b), (w, n) in sorted(totals.items()))
    return C
