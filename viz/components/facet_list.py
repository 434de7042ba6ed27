"""Facet lists and the active-filter chips, read from the facet registry."""

from __future__ import annotations

from dash import dcc, html

from index.facets import FACETS
from index.queries import SearchParams
from viz.components.links import search_href
from viz.i18n import _, kdc_label, language_name, number


def _year_params(params: SearchParams, start: int, interval: int) -> SearchParams:
    return params.replace(year_from=start, year_to=start + interval - 1, page=1)


def value_label(facet: str, value: str) -> str:
    """A facet value as shown: a language by its name and a KDC division with its
    caption, both in the interface language (the filter keeps the code); any other
    value as it is."""
    if facet == "language":
        return language_name(value) or value
    if facet == "kdc":
        return kdc_label(value) or value
    return value


def facet_lists(params: SearchParams, facets: dict) -> html.Div:
    sections = []
    for facet in FACETS:
        buckets = facets.get(facet.name) or []
        if not buckets:
            continue
        items = []
        if facet.kind == "histogram":
            # Newest decades first, like the results.
            for b in sorted(buckets, key=lambda b: b["value"], reverse=True):
                label = f"{b['value']}–{b['value'] + facet.interval - 1}"
                href = search_href(_year_params(params, b["value"], facet.interval))
                items.append(html.Li([dcc.Link(label, href=href),
                                      html.Span(f" {number(b['count'])}", className="sm-count")]))
        else:
            active = set(params.values(facet.name))
            for b in buckets:
                value = str(b["value"])
                if value in active:
                    continue
                href = search_href(params.with_filter(facet.name, value))
                items.append(html.Li([dcc.Link(value_label(facet.name, value), href=href),
                                      html.Span(f" {number(b['count'])}", className="sm-count")]))
        if items:
            sections.append(html.Details(
                [html.Summary(_(facet.label)), html.Ul(items, className="sm-facet-values")],
                open=facet.name in ("subject", "language"), className="sm-facet",
                id=f"search-facet-{facet.name}"))
    return html.Div(sections, className="sm-facets")


def active_filters(params: SearchParams) -> html.Div | None:
    labels = {f.name: _(f.label) for f in FACETS}
    chips = [dcc.Link(_("× {facet}: {value}", facet=labels[name],
                        value=value_label(name, value)), className="sm-chip",
                      href=search_href(params.without_filter(name, value)))
             for name, value in params.filters]
    if params.year_from is not None or params.year_to is not None:
        span = f"{params.year_from if params.year_from is not None else '…'}–" \
               f"{params.year_to if params.year_to is not None else '…'}"
        chips.append(dcc.Link(_("× {facet}: {value}", facet=labels["year"], value=span),
                              className="sm-chip",
                              href=search_href(params.replace(year_from=None, year_to=None, page=1))))
    return html.Div(chips, className="sm-chips") if chips else None
