"""The text twin of a topic's neighbourhood map: a nested list, for keyboards, screen
readers and pages without scripts.

The map draws ``GraphStore.neighbourhood(topic, depth, limit)``; the twin lists the
same nodes as a tree: the first hop (the topic's own links, strongest first), and under
each of them the second-hop nodes it leads to. Each item links to the neighbour's topic
page and to the records its link stands for.
"""

from __future__ import annotations

import dataclasses

from dash import html

from viz.components.topic_links import link_line


@dataclasses.dataclass(frozen=True)
class Branch:
    """A node of the twin: ``node`` (the store's node dict), reached from ``via`` (a node
    id) by a link of npmi ``weight`` that ``records`` records stand for."""

    node: dict
    via: str
    weight: float
    records: int
    children: tuple[Branch, ...] = ()


def _link_key(edge: dict) -> tuple:
    # The store's ranking of links: npmi, then evidence, descending; then ids.
    return -edge["weight"], -edge["records"], edge["source"], edge["target"]


def neighbourhood_tree(centre: str, near: dict, wide: dict | None = None) -> list[Branch]:
    """The twin of the map around ``centre`` (a node id).

    ``near`` is ``neighbourhood(centre, 1, limit)`` and ``wide`` (or None for one hop)
    ``neighbourhood(centre, 2, limit)`` with the same ``limit``: their first hops are
    the same nodes, so what ``wide`` holds beyond ``near`` is the second hop. A
    second-hop node hangs under the first-hop node of its strongest link (the store
    reached it from there, or through a link as strong).
    """
    first = [n for n in near["nodes"] if n["id"] != centre]
    first_ids = {n["id"] for n in first}
    to_centre = {}
    for edge in near["edges"]:
        ends = {edge["source"], edge["target"]}
        if centre in ends:
            (other,) = ends - {centre}
            to_centre[other] = edge
    children: dict[str, list[tuple[tuple, Branch]]] = {n: [] for n in first_ids}
    if wide is not None:
        edges = sorted(wide["edges"], key=_link_key)
        for node in wide["nodes"]:
            if node["id"] == centre or node["id"] in first_ids:
                continue
            best = next((e for e in edges if node["id"] in (e["source"], e["target"])
                         and ({e["source"], e["target"]} - {node["id"]}) & first_ids), None)
            if best is None:
                continue  # cannot happen for a store's answer: hop 2 is reached from hop 1
            via = best["target"] if best["source"] == node["id"] else best["source"]
            children[via].append((_link_key(best), Branch(node, via, best["weight"],
                                                          best["records"])))
    out = []
    for n in first:
        edge = to_centre[n["id"]]
        kids = tuple(branch for _, branch in sorted(children[n["id"]], key=lambda c: c[0]))
        out.append(Branch(n, centre, edge["weight"], edge["records"], kids))
    return out


def _items(branches: tuple[Branch, ...] | list[Branch]) -> list[html.Li]:
    items = []
    for b in branches:
        body = link_line(b.via, b.node, b.records, b.weight)
        if b.children:
            body.append(html.Ul(_items(b.children), className="sm-twin-hop"))
        items.append(html.Li(body))
    return items


def neighbourhood_list(tree: list[Branch], label: str, id: str = "topic-twin") -> html.Ul:
    """The twin as nested lists (one level per hop); ``label`` names it for screen
    readers ("Topics linked to Korea (North)")."""
    return html.Ul(_items(tree), className="sm-twin", id=id, **{"aria-label": label})
