"""The topic graph's model as pure functions: node ids, links, weights, ranking.

The Spark job (``ingest.graph_job``) applies the same rules to whole catalogues with
Spark SQL expressions; these functions state them once in plain Python, for step 2 of
the build, the app and the tests (see ``docs/graph.md``).
"""

from __future__ import annotations

import math
from functools import lru_cache

from ingest import classification, kdc
from ingest.subjects import SEPARATOR

# "class" is an LC class (its letters), "kdc" a division of the Korean Decimal
# Classification (its three digits), as a Korean library classes its books.
KINDS = ("subject", "author", "class", "kdc")
# The kinds of pairs that are counted, named "<kind>-<kind>" in id order: every
# "author:...", "class:..." and "kdc:..." id sorts before every "subject:..." id.
LINK_KINDS = ("subject-subject", "author-subject", "class-subject", "kdc-subject")
ID_SEPARATOR = ":"


def node_id(kind: str, value: str) -> str:
    """The id of the node of ``kind`` for ``value``.

    Examples
    --------
    >>> node_id("subject", "Korea (North)")
    'subject:Korea (North)'
    >>> node_id("class", "QA")
    'class:QA'
    """
    if kind not in KINDS:
        raise ValueError(f"unknown node kind {kind!r}; kinds are {', '.join(KINDS)}")
    return f"{kind}{ID_SEPARATOR}{value}"


def split_id(node: str) -> tuple[str, str]:
    """``(kind, value)`` of a node id; the value may itself hold the separator.

    Examples
    --------
    >>> split_id("author:Kim, Il-sŏng, 1912-1994")
    ('author', 'Kim, Il-sŏng, 1912-1994')
    """
    kind, _, value = node.partition(ID_SEPARATOR)
    return kind, value


def link_kind(a: str, b: str) -> str | None:
    """The kind of a link between node ids ``a`` and ``b``, or None when pairs of their
    kinds are not counted (author-author, author-class).

    Examples
    --------
    >>> link_kind("subject:Korea (North)", "author:Kim, Il-sŏng, 1912-1994")
    'author-subject'
    >>> link_kind("author:Kim, Il-sŏng, 1912-1994", "class:DS") is None
    True
    """
    kind = "-".join(sorted((split_id(a)[0], split_id(b)[0])))
    return kind if kind in LINK_KINDS else None


def is_broader(a: str, b: str) -> bool:
    """True when one heading is a broader heading of the other.

    Such pairs are never linked: every record holding the narrower heading holds the
    broader one by construction (``ingest.subjects.terms``).

    Examples
    --------
    >>> is_broader("Korea (North)", "Korea (North) -- Politics and government")
    True
    >>> is_broader("Korea (North) -- Politics and government", "Korea (North)")
    True
    >>> is_broader("Korea", "Korea (North)")
    False
    """
    return b.startswith(a + SEPARATOR) or a.startswith(b + SEPARATOR)


def npmi(co: int, nx: int, ny: int, n: int) -> float:
    """Normalised pointwise mutual information of two nodes over ``n`` records.

    ``co`` records hold both nodes, ``nx`` and ``ny`` hold each. In (-1, 1]: 1 when the
    two only ever occur together, 0 when they are independent.

    Examples
    --------
    Two nodes in exactly the same 5 of 100 records:

    >>> npmi(5, 5, 5, 100)
    1.0

    Independent nodes (each in half the records, together in a quarter):

    >>> npmi(25, 50, 50, 100)
    0.0

    3 of 20 records hold both, 4 and 10 hold each: ln(1.5) / ln(20 / 3).

    >>> round(npmi(3, 4, 10, 20), 6)
    0.213727
    """
    if not 0 < co <= min(nx, ny) or max(nx, ny) > n:
        raise ValueError(f"npmi needs 0 < co <= nx, ny <= n, not co={co}, nx={nx}, "
                         f"ny={ny}, n={n}")
    if co == n:
        return 1.0       # -ln(co / n) is 0: both nodes are in every record
    # Nodes that only occur together score exactly 1, not 1 plus a rounding error.
    return min(1.0, math.log(co * n / (nx * ny)) / -math.log(co / n))


def rank_key(weight: float, records: int, other: str) -> tuple[float, int, str]:
    """Sort key of a node's candidate links: npmi descending, then evidence (records
    holding both) descending, then the other end's id ascending.

    Examples
    --------
    >>> links = [(0.5, 3, "subject:B"), (0.5, 3, "subject:A"), (0.5, 4, "subject:C"),
    ...          (0.9, 3, "subject:D")]
    >>> [other for *_, other in sorted(links, key=lambda link: rank_key(*link))]
    ['subject:D', 'subject:C', 'subject:A', 'subject:B']
    """
    return -weight, -records, other


def prune(links, k: int) -> set[tuple[str, str]]:
    """The links kept by top-k pruning: those among the first ``k`` of either end.

    ``links`` are ``(source, target, weight, records)`` candidate links; the result
    holds their ``(source, target)``.

    Examples
    --------
    A star: the hub keeps its strongest link, each leaf keeps its only one.

    >>> star = [("h", "a", 0.9, 3), ("h", "b", 0.8, 3), ("h", "c", 0.7, 3)]
    >>> sorted(prune(star, 1))
    [('h', 'a'), ('h', 'b'), ('h', 'c')]
    >>> chain = [("a", "b", 0.9, 3), ("b", "c", 0.8, 3), ("c", "d", 0.9, 3)]
    >>> sorted(prune(chain, 1))
    [('a', 'b'), ('c', 'd')]
    """
    by_node: dict[str, list[tuple]] = {}
    for source, target, weight, records in links:
        by_node.setdefault(source, []).append((rank_key(weight, records, target),
                                               (source, target)))
        by_node.setdefault(target, []).append((rank_key(weight, records, source),
                                               (source, target)))
    return {link for ranked in by_node.values() for _, link in sorted(ranked)[:k]}


@lru_cache(maxsize=1024)
def class_caption(letters: str) -> str | None:
    """The LC outline's caption of a class, or None when the outline lacks the class.

    The caption of the range that spans the class ("QA1-939 Mathematics"). Where the
    outline starts the class with several ranges side by side ("PQ1-3999 French
    literature", "PQ4001-5999 Italian literature", ...), their captions in class-number
    order, at most three, then "...".

    Examples
    --------
    >>> class_caption("QA")
    'Mathematics'
    >>> class_caption("PQ")
    'French literature; Italian literature; Spanish literature; ...'
    >>> class_caption("XX") is None
    True
    """
    ranges = classification._outline().get(letters)
    if not ranges:
        return None
    # The ranges no other range of the class contains, found numerically: upstream
    # parent lists are imperfect (ingest/data/PROVENANCE.md). Among ranges with the
    # same bounds, the one with the fewest ancestors.
    top: list[str] = []
    reach = -math.inf
    for r in sorted(ranges, key=lambda r: (r.start, -r.stop, len(r.parents))):
        if r.stop > reach:
            reach = r.stop
            if r.caption not in top:
                top.append(r.caption)
    return "; ".join(top[:3] + (["..."] if len(top) > 3 else []))


def class_label(letters: str) -> str:
    """The label of a class node: its letters and the outline's caption.

    Examples
    --------
    >>> class_label("QA")
    'QA Mathematics'
    >>> class_label("XX")
    'XX'
    """
    caption = class_caption(letters)
    return f"{letters} {caption}" if caption else letters


def kdc_label(division: str) -> str:
    """The label of a KDC division's node: its number and caption in Korean, then in
    English (the graph is built once for both interface languages).

    >>> kdc_label("910")
    '910 아시아 · Asia'
    """
    ko, en = kdc.caption(division, "ko"), kdc.caption(division, "en")
    return f"{division} {ko} · {en}" if ko and en else division


def kdc_labels() -> dict[str, str]:
    """The label of every KDC division, by its number."""
    return {f"{main}{div}0": kdc_label(f"{main}{div}0") for main in range(10) for div in range(10)}


def class_labels() -> dict[str, str]:
    """The label of every class the outline knows, by its letters."""
    return {letters: class_label(letters) for letters in classification._outline()}
