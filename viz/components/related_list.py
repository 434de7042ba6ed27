"""The record page's "Related" list and "Cite" links: plain HTML, no scripts of its own."""

from __future__ import annotations

from urllib.parse import quote

from dash import dcc, html

from index.citations import FORMATS
from viz.components.links import record_href
from viz.i18n import _

CITE_LABELS = {"bibtex": "BibTeX", "ris": "RIS", "csl-json": "CSL-JSON"}
_H2 = {"fontSize": "1.15rem", "margin": "1rem 0 0"}
MAX_REASONS = 4  # per item: a phone screen shows the strongest few


def reason_text(reason: dict, record: dict | None = None) -> str:
    """A reason in plain words ("shares subject: Korea -- History").

    A class reason names the outline caption when it is the source record's narrowest
    range ("same class: HD28-70 (Management. Industrial management)").
    """
    kind, value = reason["kind"], reason.get("value")
    if kind == "subject":
        return _("shares subject: {value}", value=value)
    if kind == "author":
        return _("same author: {value}", value=value)
    if kind == "class":
        outline = (record or {}).get("lcc_outline") or []
        label = (record or {}).get("lcc_label")
        if label and outline and value == outline[-1]:
            return _("same class: {value} ({caption})", value=value, caption=label)
        return _("same class: {value}", value=value)
    return _("similar text")


def related_section(record: dict, related: list[dict] | None) -> html.Section:
    """The related items, each a link with why it is related; a line when there are none."""
    if related is None:
        body = html.P(_("Related records are unavailable right now."), className="sm-message")
    elif not related:
        body = html.P(_("No related records found."), className="sm-message")
    else:
        items = []
        for item in related:
            reasons = [reason_text(r, record) for r in item["reasons"][:MAX_REASONS]]
            more = len(item["reasons"]) - MAX_REASONS
            if more > 0:
                reasons.append(_("+{count} more", count=more))
            items.append(html.Li([
                dcc.Link(item["title"] or _("[untitled]"), href=record_href(item["id"]),
                         className="sm-hit-title"),
                html.P("; ".join(reasons), className="sm-meta sm-reasons"),
            ], className="sm-hit"))
        body = html.Ol(items, className="sm-hits", id="record-related-list")
    return html.Section([html.H2(_("Related"), className="sm-h2", style=_H2), body],
                        id="record-related")


def cite_href(record_id: str, fmt: str) -> str:
    return f"/api/records/{quote(record_id, safe=':')}/cite?format={fmt}"


def cite_links(record_id: str) -> html.P:
    """Download links to the citation routes (plain anchors: a file, not a page)."""
    links: list = [_("Cite:"), " "]
    for n, fmt in enumerate(FORMATS):
        if n:
            links.append(" · ")
        links.append(html.A(CITE_LABELS[fmt], href=cite_href(record_id, fmt),
                            download="", rel="nofollow", id=f"record-cite-{fmt}"))
    return html.P(links, className="sm-cite", id="record-cite")
