"""The facet registry: the one list of facets, read by the queries, the API and the pages.

Like Blacklight's ``add_facet_field``: each facet is data. ``name`` is both the request
parameter that filters on it (terms facets) and the key of the API's ``facets`` object.
"""

from __future__ import annotations

import dataclasses


def N_(label: str) -> str:
    """Marks a label for the interface's message catalogue (viz/locales): the pages
    show it translated (viz.i18n), the API by its name."""
    return label


@dataclasses.dataclass(frozen=True)
class Facet:
    name: str
    field: str
    label: str
    kind: str = "terms"  # "terms" or "histogram"
    size: int = 20  # terms: the number of values returned
    interval: int = 10  # histogram: the bucket width

    @property
    def filterable(self) -> bool:
        """Terms facets filter through a parameter of their name; the year histogram
        filters through year_from / year_to."""
        return self.kind == "terms"


FACETS: tuple[Facet, ...] = (
    # subject_terms holds each heading and its broader headings, so "Korea (North)"
    # counts every record under "Korea (North) -- Politics and government -- 1994-".
    Facet("subject", "subject_terms.raw", N_("Subject"), size=20),
    Facet("author", "authors.raw", N_("Author"), size=20),
    Facet("language", "language", N_("Language"), size=20),
    Facet("class", "lcc_class", N_("Class (LC)"), size=30),
    # The Korean Decimal Classification's divisions (910: 아시아), as Korean libraries
    # class their books; captions in ingest/data/kdc.json.
    Facet("kdc", "kdc_division", N_("Class (KDC)"), size=30),
    Facet("year", "year", N_("Year"), kind="histogram", interval=10),
)

BY_NAME: dict[str, Facet] = {f.name: f for f in FACETS}
FILTERS: tuple[str, ...] = tuple(f.name for f in FACETS if f.filterable)
