"""A year histogram in plain HTML: one row per decade, its bar a CSS width, each row a
link to the search narrowed to that decade. No charting library: a few hundred bytes,
readable without scripts and by a screen reader (each link says the years and count)."""

from __future__ import annotations

import dataclasses

from dash import dcc, html

from index.facets import BY_NAME
from index.queries import SearchParams
from viz.components.links import search_href
from viz.i18n import ngettext, number

# Decades between the first and the last are shown even when empty (a gap in a
# histogram is information), unless that would make more rows than a phone shows.
MAX_FILLED_ROWS = 40


@dataclasses.dataclass(frozen=True)
class YearBar:
    start: int
    end: int      # inclusive
    count: int
    percent: int  # of the fullest bar, rounded; at least 1 for a non-empty bar


def year_bars(buckets: list[dict], interval: int | None = None) -> list[YearBar]:
    """Bars, oldest first, from the year facet's ``[{"value": start, "count": n}]``.

    >>> [(b.start, b.count, b.percent) for b in year_bars(
    ...     [{"value": 1990, "count": 4}, {"value": 1970, "count": 1}], 10)]
    [(1970, 1, 25), (1980, 0, 0), (1990, 4, 100)]
    """
    interval = interval or BY_NAME["year"].interval
    counts = {int(b["value"]): int(b["count"]) for b in buckets if b["count"] > 0}
    if not counts:
        return []
    top = max(counts.values())
    starts = sorted(counts)
    filled = range(starts[0], starts[-1] + interval, interval)
    if len(filled) <= MAX_FILLED_ROWS:
        starts = list(filled)
    bars = []
    for start in starts:
        n = counts.get(start, 0)
        percent = max(1, round(100 * n / top)) if n else 0
        bars.append(YearBar(start, start + interval - 1, n, percent))
    return bars


def year_histogram(params: SearchParams, buckets: list[dict], id: str) -> html.Ol | None:
    """The histogram of ``buckets``; each decade links to ``params`` within its years."""
    bars = year_bars(buckets)
    if not bars:
        return None
    rows = []
    for bar in bars:
        label = f"{bar.start}–{bar.end}"
        bar_span = html.Span(html.Span(className="sm-bar-fill", style={"width": f"{bar.percent}%"}),
                             className="sm-bar")
        count = html.Span(number(bar.count), className="sm-count")
        if bar.count:
            href = search_href(params.replace(year_from=bar.start, year_to=bar.end, page=1))
            head = dcc.Link(label, href=href, title=ngettext("{n} record from {years}",
                                                             "{n} records from {years}",
                                                             bar.count, years=label))
        else:
            head = html.Span(label, className="sm-meta")
        rows.append(html.Li([head, bar_span, count], className="sm-bar-row"))
    return html.Ol(rows, className="sm-bars", id=id)
