"""One record at "/record/<record_id>": every field, original script beside romanised."""

from __future__ import annotations

from urllib.parse import unquote

import dash
from dash import dcc, html

from index.documents import lcc_class
from index.related import related
from index.search import SearchUnavailable, get_record
from viz.components import services
from viz.components.links import filter_href
from viz.components.related_list import cite_links, related_section
from viz.components.search_box import search_box, suggest_box
from viz.components.shelf import shelf_section
from viz.components.topics_around import topics_around

dash.register_page(__name__, path_template="/record/<record_id>", title="shelfmap — record",
                   name="Record")


def _pair(romanised, original) -> list:
    """A romanised value with its original-script twin beside it."""
    out = [html.Span(romanised)] if romanised else []
    if original and original != romanised:
        out.append(html.Span(original, className="sm-original"))
    return out


def _links(values: list[str], facet: str, originals: list[str] | None = None) -> html.Ul:
    items = [html.Li(dcc.Link(v, href=filter_href(facet, v))) for v in values]
    items += [html.Li(v, className="sm-original") for v in originals or []]
    return html.Ul(items, className="sm-list")


def _row(label: str, value) -> list:
    if value in (None, "", [], ()):
        return []
    return [html.Dt(label), html.Dd(value)]


def _classification(record: dict) -> list:
    parts: list = []
    if record.get("lcc"):
        cls = lcc_class(record["lcc"])
        parts.append(html.Span(["LCC ", dcc.Link(record["lcc"], href=filter_href("class", cls))
                                if cls else record["lcc"]]))
    if record.get("ddc"):
        parts.append(html.Span(f"DDC {record['ddc']}"))
    return parts


def record_view(record: dict) -> html.Article:
    r = record
    rows = (
        _row("Authors", _links(r["authors"], "author", r["authors_original"])
             if r["authors"] or r["authors_original"] else None)
        + _row("Subjects", _links(r["subjects"], "subject", r["subjects_original"])
               if r["subjects"] or r["subjects_original"] else None)
        + _row("Classification", _classification(r))
        + _row("Year", dcc.Link(str(r["year"]), href=f"/?year_from={r['year']}&year_to={r['year']}")
               if r["year"] is not None else None)
        + _row("Language", dcc.Link(r["language"], href=filter_href("language", r["language"]))
               if r["language"] else None)
        + _row("Publisher", _pair(r["publisher"], r["publisher_original"]))
        + _row("Place", _pair(r["place"], r["place_original"]))
        + _row("ISBN", ", ".join(r["isbn"] or []))
        + _row("Summary", r["summary"])
        + _row("Record", html.Code(r["id"]))
    )
    head = [html.H1(r["title"] or r["title_original"] or "[untitled]", id="record-title")]
    if r["title"] and r["title_original"]:
        head.append(html.P(r["title_original"], className="sm-original sm-big",
                           id="record-title-original"))
    return html.Article(head + [html.Dl(rows, className="sm-fields")], className="sm-record")


def layout(record_id: str | None = None, **_args):
    # Every page has the search box at its top; "‹ Search" goes back to the start.
    back = html.Div([search_box(), suggest_box(),
                     html.P(dcc.Link("‹ Search", href="/"), className="sm-back")])
    if not record_id:
        return html.Main([back, html.P("No record named.", className="sm-message")],
                         className="sm-page", **{"data-status": "404"})
    ctx = services.current()
    try:
        record = get_record(ctx.es, ctx.alias, unquote(record_id))
    except SearchUnavailable:
        return html.Main([back, html.P("The catalogue is unavailable right now.",
                                       className="sm-message sm-error")], className="sm-page",
                         **{"data-status": "503"})
    if record is None:
        return html.Main([back, html.P(f"No record {unquote(record_id)!s} in the catalogue.",
                                       className="sm-message sm-error", id="record-missing")],
                         className="sm-page", **{"data-status": "404"})
    try:
        found = related(ctx.es, ctx.alias, record["id"])
        items = found["related"] if found else []
    except SearchUnavailable:
        items = None  # the record is still worth showing without its neighbours
    return html.Main([back, record_view(record), cite_links(record["id"]),
                      topics_around(ctx.graph(), record),
                      related_section(record, items), shelf_section(record)],
                     className="sm-page")
