"""The record page's "Next on the shelf": the records that stand before and after it in
call-number order (index.shelf), as a browser of the stacks would see them. Plain
HTML links, no scripts of its own."""

from __future__ import annotations

from dash import dcc, html

from index import shelf
from index.search import SearchUnavailable
from viz.components import services
from viz.components.links import record_href
from viz.i18n import _

_H2 = {"fontSize": "1.15rem", "margin": "1rem 0 0"}
SCHEME_LABELS = {"lcc": "LCC", "ddc": "DDC"}


def _item(item: dict, where: str) -> html.Li:
    # The call number carries the year already ("DS916.593 .H3643 2000"); the title in
    # its original script beside the romanised one, as on the record itself.
    title = item["title"] or item.get("title_original") or _("[untitled]")
    parts = [html.Span(item["call_number"] or "", className="sm-shelf-number"),
             dcc.Link(title, href=record_href(item["id"]), className="sm-shelf-title",
                      title=where)]
    if item["title"] and item.get("title_original"):
        parts.append(html.Span(item["title_original"], className="sm-original sm-meta"))
    return html.Li(parts, className="sm-shelf-item")


def shelf_view(record: dict, found: dict | None) -> html.Section:
    """The section for ``found`` (index.shelf.neighbours' answer; None when the cluster
    did not answer): the records before, this one, the records after."""
    if found is None:
        body = [html.P(_("The shelf is unavailable right now."), className="sm-message")]
    elif found["scheme"] is None:
        body = [html.P(_("This record has no call number, so it has no place on the shelf."),
                       className="sm-message")]
    else:
        here = html.Li([
            html.Span(found["call_number"], className="sm-shelf-number"),
            html.Span(_("this record"), className="sm-shelf-title"),
        ], className="sm-shelf-item sm-shelf-here", **{"aria-current": "true"})
        items = ([_item(i, _("before on the shelf")) for i in found["before"]] + [here]
                 + [_item(i, _("after on the shelf")) for i in found["after"]])
        scheme = SCHEME_LABELS[found["scheme"]]
        intro = _("In {scheme} call-number order", scheme=scheme) \
            if found["before"] or found["after"] else \
            _("In {scheme} call-number order: nothing else stands on this shelf.",
              scheme=scheme)
        body = [html.P(intro, className="sm-meta"),
                html.Ol(items, className="sm-shelf", id="record-shelf-list")]
    return html.Section([html.H2(_("Next on the shelf"), className="sm-h2", style=_H2), *body],
                        id="record-shelf")


def shelf_section(record: dict) -> html.Section:
    """:func:`shelf_view` of ``record``'s neighbours, asked of the app's index; the
    record is still worth showing when the shelf cannot be read."""
    ctx = services.current()
    try:
        found = shelf.neighbours(ctx.es, ctx.alias, record)
    except SearchUnavailable:
        found = None
    return shelf_view(record, found)
