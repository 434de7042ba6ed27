"""One record at "/record/<record_id>": every field, original script beside romanised."""

from __future__ import annotations

from urllib.parse import unquote

import dash
from dash import dcc, html

from index.documents import lcc_class
from index.queries import SearchParams
from index.related import related
from index.search import SearchUnavailable, get_record
from viz.components import services
from viz.components.links import filter_href, home_href, search_href
from viz.components.related_list import cite_links, related_section
from viz.components.page_frame import page
from viz.components.shelf import shelf_section
from viz.components.topics_around import topics_around
from viz.i18n import _, kdc_label, lang_attr, language_name

dash.register_page(__name__, path_template="/record/<record_id>",
                   title=lambda **_args: _("shelfmap — record"), name="Record")


def _pair(romanised, original, code: str | None) -> list:
    """A romanised value with its original-script twin beside it, each marked with its
    language (``code``: the record's)."""
    out = [html.Span(romanised, **lang_attr(code, romanised))] if romanised else []
    if original and original != romanised:
        out.append(html.Span(original, className="sm-original", **lang_attr(code, original)))
    return out


def _links(values: list[str], facet: str, originals: list[str] | None = None,
           code: str | None = None) -> html.Ul:
    items = [html.Li(dcc.Link(v, href=filter_href(facet, v))) for v in values]
    items += [html.Li(v, className="sm-original", **lang_attr(code, v)) for v in originals or []]
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
    if record.get("kdc"):
        # The KDC number, its division's caption in the interface language, and the
        # division's records one click away (as LC's class).
        division = record.get("kdc_division")
        parts.append(html.Span(["KDC ", dcc.Link(record["kdc"], href=filter_href("kdc", division),
                                                 title=kdc_label(division))
                                if division else record["kdc"]]))
    if record.get("ddc"):
        parts.append(html.Span(f"DDC {record['ddc']}"))
    if record.get("call_number") and record.get("call_number") != record.get("lcc"):
        parts.append(html.Span(record["call_number"], className="sm-call-number"))
    return parts


def record_view(record: dict) -> html.Article:
    r = record
    code = r.get("language")
    rows = (
        _row(_("Authors"), _links(r["authors"], "author", r["authors_original"], code)
             if r["authors"] or r["authors_original"] else None)
        + _row(_("Subjects"), _links(r["subjects"], "subject", r["subjects_original"], code)
               if r["subjects"] or r["subjects_original"] else None)
        + _row(_("Classification"), _classification(r))
        + _row(_("Year"), dcc.Link(str(r["year"]), href=search_href(
            SearchParams(year_from=r["year"], year_to=r["year"])))
               if r["year"] is not None else None)
        + _row(_("Language"), dcc.Link(language_name(r["language"]),
                                       href=filter_href("language", r["language"]))
               if r["language"] else None)
        + _row(_("Publisher"), _pair(r["publisher"], r["publisher_original"], code))
        + _row(_("Place"), _pair(r["place"], r["place_original"], code))
        + _row(_("ISBN"), ", ".join(r["isbn"] or []))
        + _row(_("Summary"), html.Span(r["summary"], **lang_attr(code, r["summary"]))
               if r["summary"] else None)
        + _row(_("Record"), html.Code(r["id"]))
    )
    title = r["title"] or r["title_original"]
    head = [html.H1(title or _("[untitled]"), id="record-title", **lang_attr(code, title))]
    if r["title"] and r["title_original"]:
        head.append(html.P(r["title_original"], className="sm-original sm-big",
                           id="record-title-original", **lang_attr(code, r["title_original"])))
    return html.Article(head + [html.Dl(rows, className="sm-fields")], className="sm-record")


def layout(record_id: str | None = None, **_args):
    # "‹ Search" goes back to the start.
    back = html.P(dcc.Link(_("‹ Search"), href=home_href()), className="sm-back")
    if not record_id:
        return page([back, html.P(_("No record named."), className="sm-message")], status=404)
    ctx = services.current()
    try:
        record = get_record(ctx.es, ctx.alias, unquote(record_id))
    except SearchUnavailable:
        return page([back, html.P(_("The catalogue is unavailable right now."),
                                  className="sm-message sm-error")], status=503)
    if record is None:
        return page([back, html.P(_("No record {id} in the catalogue.", id=unquote(record_id)),
                                  className="sm-message sm-error", id="record-missing")],
                    status=404)
    try:
        found = related(ctx.es, ctx.alias, record["id"])
        items = found["related"] if found else []
    except SearchUnavailable:
        items = None  # the record is still worth showing without its neighbours
    return page([back, record_view(record), cite_links(record["id"]),
                 topics_around(ctx.graph(), record),
                 related_section(record, items), shelf_section(record)])
