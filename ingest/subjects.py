"""Subject headings: subdivisions and broader headings.

A heading is its main term and subdivisions joined by " -- " (LCSH display form; MARC
6XX $a then $v $x $y $z). "Korea (North) -- Politics and government -- 1994-" sits
under "Korea (North) -- Politics and government", which sits under "Korea (North)";
facets and the topic graph count all three.
"""

from __future__ import annotations

import re

from ingest import normalize as n

SEPARATOR = " -- "
# CSV exports of loc.gov write "United States -- History -- Revolution, 1775-1783 --
# Sources". Only the spaced form separates: "--" without spaces belongs to the name in
# "Saguenay--Lac-Saint-Jean--Chibougamau (Québec)" (651 $a of mixed-10000 LC 00421231).
_SPLIT = re.compile(r"\s+--\s+")


def parts(heading: str | None) -> list[str]:
    """Main term then subdivisions, each with its ISBD end trimmed.

    >>> parts("United States -- History -- Revolution, 1775-1783 -- Sources.")
    ['United States', 'History', 'Revolution, 1775-1783', 'Sources']
    """
    if not heading:
        return []
    if " --" not in heading:
        one = n.trim_isbd(heading)
        return [one] if one else []
    return [p for p in (n.trim_isbd(p) for p in _SPLIT.split(heading)) if p]


def clean(heading: str | None) -> str | None:
    """The heading in display form, or None when nothing is left."""
    return SEPARATOR.join(parts(heading)) or None


def broader(heading: str) -> list[str]:
    """The heading and each broader heading, broadest first.

    >>> broader("Korea (North) -- Politics and government -- 1994-")
    ['Korea (North)', 'Korea (North) -- Politics and government', \
'Korea (North) -- Politics and government -- 1994-']
    """
    terms = parts(heading)
    return [SEPARATOR.join(terms[:i]) for i in range(1, len(terms) + 1)]


def terms(headings) -> list[str]:
    """Every heading and its broader headings, deduplicated, in order of first use."""
    return n.dedupe(term for heading in headings if heading for term in broader(heading))
