"""LC call numbers placed in the LC Classification outline.

``HD53 .C483 1999`` (050 of LC 00272142) is class ``HD``, inside the outline ranges
``HD28-9999`` "Industries. Land use. Labor" and ``HD28-70`` "Management. Industrial
management". The outline is bundled as ``ingest/data/lcc_outline.json`` (see
``ingest/data/PROVENANCE.md``) and read once per process, on first use.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

# An LC class is one to three capital letters (I, O, W, X and Y are not used as the
# first letter) followed by the class number: "HD53", "KFN5225", "Z 699". LC's box
# numbers ("CPB Box no. 1955 vol. 12", mixed-10000 LC 00111222), "UNCLASSIFIED 1706 (C)"
# and "CLC Ser DS894.39..." fail it, as they should.
_LCC = re.compile(r"\s*([A-HJ-NP-VZ][A-Z]{0,2}) ?(\d+(?:\.\d+)?)")


class Range(NamedTuple):
    id: str
    start: float
    stop: float
    caption: str
    parents: tuple[str, ...]

    def holds(self, number: float) -> bool:
        return self.start <= number <= self.stop


@lru_cache(maxsize=1)
def _outline() -> dict[str, tuple[Range, ...]]:
    text = resources.files("ingest").joinpath("data", "lcc_outline.json").read_text(
        encoding="utf-8")
    return {prefix: tuple(Range(i, float(a), float(b), c, tuple(p)) for i, a, b, c, p in rows)
            for prefix, rows in json.loads(text).items()}


def _parse(lcc: str | None) -> tuple[str, float] | None:
    if not lcc:
        return None
    # "MLC", "MLCS", "MLCM" are LC's internal shelving numbers for minimal-level records
    # (050 $a "MLCS 92/08321"; 17k records of LC's 2016 Books All), not classification.
    if lcc.lstrip().startswith("MLC"):
        return None
    match = _LCC.match(lcc)
    if not match:
        return None
    return match.group(1), float(match.group(2))


def lcc_class(lcc: str | None) -> str | None:
    """The class letters of an LC call number, or None when it is not one.

    >>> lcc_class("HD53 .C483 1999")
    'HD'
    >>> lcc_class("MLCS 2001/00123 (H)") is None
    True
    """
    parsed = _parse(lcc)
    return parsed[0] if parsed else None


@lru_cache(maxsize=4096)
def _place(prefix: str, number: float) -> tuple[tuple[str, ...], str | None]:
    ranges = _outline().get(prefix, ())
    holding = [r for r in ranges if r.holds(number)]
    if not holding:
        return (), None
    # The narrowest range; among equals the deepest (most ancestors).
    narrowest = min(holding, key=lambda r: (r.stop - r.start, -len(r.parents)))
    by_id = {r.id: r for r in holding}
    # Upstream parent lists are imperfect (see PROVENANCE.md): keep only ancestors that
    # hold the number, broadest first.
    chain = [by_id[p] for p in narrowest.parents if p in by_id]
    chain.sort(key=lambda r: (-(r.stop - r.start), len(r.parents)))
    return tuple(r.id for r in [*chain, narrowest]), narrowest.caption


def outline(lcc: str | None) -> list[str]:
    """The outline range ids holding the call number, broadest first.

    >>> outline("QA76.73.J38 S26 2002")
    ['QA1-939', 'QA71-90', 'QA75-76.95', 'QA75.5-76.95']
    """
    parsed = _parse(lcc)
    return list(_place(*parsed)[0]) if parsed else []


def label(lcc: str | None) -> str | None:
    """The caption of the narrowest outline range holding the call number."""
    parsed = _parse(lcc)
    return _place(*parsed)[1] if parsed else None


def classify(lcc: str | None) -> dict:
    """``lcc_class``, ``lcc_outline`` and ``lcc_label`` of a call number."""
    parsed = _parse(lcc)
    if not parsed:
        return {"lcc_class": None, "lcc_outline": [], "lcc_label": None}
    ids, caption = _place(*parsed)
    return {"lcc_class": parsed[0], "lcc_outline": list(ids), "lcc_label": caption}
