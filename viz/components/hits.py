"""The result list: plain HTML, a few hundred bytes per hit."""

from __future__ import annotations

import html as htmllib
import re

from dash import dcc, html

from viz.components.facet_list import value_label
from viz.components.links import record_href
from viz.i18n import _, lang_attr

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
MAX_NAMES = 3
MAX_SUBJECTS = 3


def marked(text: str | None) -> list:
    """Elasticsearch's html-encoded highlight as Dash children: text and html.Mark.

    Never rendered as raw HTML: the pieces are unescaped and handed to Dash as text.
    """
    if not text:
        return []
    out: list = []
    pos = 0
    for match in _MARK.finditer(text):
        if match.start() > pos:
            out.append(htmllib.unescape(text[pos:match.start()]))
        out.append(html.Mark(htmllib.unescape(match.group(1))))
        pos = match.end()
    if pos < len(text):
        out.append(htmllib.unescape(text[pos:]))
    return out


def _more(values: list, limit: int) -> str:
    shown = "; ".join(values[:limit])
    return shown + (f" (+{len(values) - limit})" if len(values) > limit else "")


def hit_item(hit: dict) -> html.Li:
    highlight = dict(hit.get("highlight") or {})
    if "title_ko" in highlight:
        # The Korean field holds the original title, or a Korean library's Hangul title.
        home = "title_original" if hit.get("title_original") else "title"
        highlight.setdefault(home, highlight["title_ko"])
    code = hit.get("language")
    title = marked(highlight.get("title")) or hit.get("title") or _("[untitled]")
    original = marked(highlight.get("title_original")) or hit.get("title_original")
    meta = [part for part in (
        _more(hit.get("authors") or [], MAX_NAMES),
        str(hit["year"]) if hit.get("year") else None,
        value_label("language", code) if code else None,
    ) if part]
    # dcc.Link takes no lang: the title inside it carries its own.
    shown = html.Span(title, **lang_attr(code, hit.get("title"))) \
        if lang_attr(code, hit.get("title")) else title
    children = [html.H3(dcc.Link(shown, href=record_href(hit["id"])), className="sm-hit-title")]
    if original:
        children.append(html.P(original, className="sm-original",
                               **lang_attr(code, hit.get("title_original"))))
    if meta:
        children.append(html.P(" · ".join(meta), className="sm-meta"))
    if hit.get("subjects"):
        children.append(html.P(_more(hit["subjects"], MAX_SUBJECTS), className="sm-subjects"))
    return html.Li(children, className="sm-hit")


def hit_list(hits: list[dict]) -> html.Ol:
    return html.Ol([hit_item(h) for h in hits], className="sm-hits", id="search-hits")
