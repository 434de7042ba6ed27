"""Finding a topic from what a visitor typed: a node id or label (``GraphStore.find``),
or a heading or name in original script, which the graph holds only romanised.

The graph's nodes are LC's romanised headings (``Tan'gun (Legendary king of Korea)``);
a Korean visitor types 단군. The records holding 단군 among their original-script
subjects all hold the romanised heading too: among the romanised values every one of
them holds, the twin is the most specific, the one the fewest records of the whole
catalogue hold (a heading they share with many others, ``Korea -- History``, is not),
and of the same shape: LC's 880 keeps the romanised heading's subdivisions and its
words in Latin letters (``강원도 (Korea) -- Economic conditions`` is ``Kangwŏn-do (Korea)
-- Economic conditions``, not ``Regional planning -- Korea (South) -- Kangwŏn-do``,
which the same three records hold).
"""

from __future__ import annotations

import re
import unicodedata

from index.search import SearchUnavailable, original_script_twins
from ingest.graph import node_id
from ingest.subjects import parts

_ASCII_WORD = re.compile(r"[a-z0-9]+")


def is_original_script(text: str) -> bool:
    """Whether ``text`` holds letters of a script other than Latin (Hangul, Han, kana,
    Cyrillic...): only such text can name an original-script heading."""
    # Modifier letters (Lm) are the romanisation's own: Tanʼgun, Pʻyŏngyang.
    return any(ch.isalpha() and unicodedata.category(ch) != "Lm"
               and not unicodedata.name(ch, "").startswith("LATIN") for ch in text)


def _ascii_words(text: str) -> set[str]:
    return set(_ASCII_WORD.findall(text.casefold()))


def same_shape(original: str, romanised: str) -> bool:
    """Whether ``romanised`` can be the twin of ``original``: as many subdivisions, and
    every word LC left in Latin letters or digits in the original (subdivisions,
    qualifiers, dates) is in it too.

    >>> same_shape("강원도 (Korea) -- Economic conditions",
    ...            "Kangwŏn-do (Korea) -- Economic conditions")
    True
    >>> same_shape("강원도 (Korea) -- Economic conditions",
    ...            "Regional planning -- Korea (South) -- Kangwŏn-do")
    False
    >>> same_shape("김 일성, 1912-1994", "Kim, Il-sŏng, 1912-1994")
    True
    """
    return len(parts(original)) == len(parts(romanised)) and \
        _ascii_words(original) <= _ascii_words(romanised)


def romanised_twin(store, twins: dict, original: str) -> int | None:
    """The node of :func:`index.search.original_script_twins`'s answer for the text
    ``original``: a value of the matched kind held by every matched record, of the same
    shape (:func:`same_shape`), in the graph, held by the fewest records of the
    catalogue (ties: the longer heading, then the id); None when there is none.

    >>> class Tiny:  # the two attributes read, as GraphStore has them
    ...     index = {"subject:Tan'gun (Legendary king of Korea)": 0, "subject:Korea": 1}
    ...     records = [4, 298]
    ...     ids = list(index)
    >>> twins = {"subject": {"records": 4, "values": [
    ...     {"value": "Korea", "count": 4},
    ...     {"value": "Tan'gun (Legendary king of Korea)", "count": 4},
    ...     {"value": "Korea -- History", "count": 2}]}}
    >>> romanised_twin(Tiny(), twins, "단군")
    0
    """
    candidates = []
    for kind, found in twins.items():
        held_by_all = found["records"]
        for b in found["values"] if held_by_all else ():
            i = store.index.get(node_id(kind, b["value"]))
            if b["count"] == held_by_all and i is not None and same_shape(original,
                                                                          b["value"]):
                candidates.append(i)
    return min(candidates, default=None,
               key=lambda i: (store.records[i], -len(store.ids[i]), store.ids[i]))


def find_topic(store, text: str, es=None, alias: str | None = None) -> tuple[int | None, bool]:
    """``(node, through_original)``: the node ``text`` names (an id, a label, or with a
    cluster given, an original-script heading or name), or None; ``through_original``
    says the original-script lookup found it. A cluster that does not answer leaves
    an original-script text unfound, not an error."""
    text = " ".join(text.split())
    if not text:
        return None, False
    found = store.find(text)
    if found is not None or es is None or not is_original_script(text):
        return found, False
    try:
        twin = romanised_twin(store, original_script_twins(es, alias, text), text)
    except SearchUnavailable:
        return None, False
    return twin, twin is not None
