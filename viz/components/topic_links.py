"""How a topic and its links are written on a page: the kind in words, a link's reason
("12 records shared", a link opening exactly those records) and its strength."""

from __future__ import annotations

from dash import dcc, html

from ingest.graph import split_id
from viz.components.links import shared_records_href, topic_href
from viz.i18n import N_, _, ngettext

KIND_NAMES = {"subject": N_("Subject heading"), "author": N_("Author"), "class": N_("LC class"),
              "kdc": N_("KDC class")}
# The same within a line ("Minjok Tʻongil Yŏnʼguwŏn (Korea) author · 4 records shared");
# most topics are headings, which go unsaid (their links' titles say it).
KIND_WORDS = {"subject": "", "author": N_("author"), "class": N_("LC class"),
              "kdc": N_("KDC class")}


def kind_name(node_id: str) -> str:
    return _(KIND_NAMES.get(split_id(node_id)[0], N_("Topic")))


def kind_word(node_id: str) -> str:
    word = KIND_WORDS.get(split_id(node_id)[0], N_("topic"))
    return _(word) if word else ""


def records_text(n: int) -> str:
    return ngettext("{n} record", "{n} records", n)


def strength(weight: float) -> str:
    """npmi in words: 1 means the two only ever occur together, 0 no more than chance
    (docs/graph.md); the graph keeps only links above 0."""
    if weight >= 0.6:
        return _("strong")
    if weight >= 0.3:
        return _("moderate")
    return _("weak")


def association(weight: float) -> html.Span:
    """A link's strength in a word, its npmi in the title."""
    return html.Span(f" · {strength(weight)}",
                     title=_("association (npmi) {weight}", weight=format(weight, ".2f")),
                     className="sm-meta sm-strength")


def topic_link(node: dict, **args) -> dcc.Link:
    """A link to a node's topic page, titled with its kind."""
    return dcc.Link(node["label"], href=topic_href(node["id"], **args),
                    title=kind_name(node["id"]), className="sm-topic-link")


def shared_link(a: str, b: str, records: int) -> dcc.Link:
    """The reason a link exists, as a link to exactly the records holding both ends."""
    return dcc.Link(ngettext("{n} record shared", "{n} records shared", records),
                    href=shared_records_href(a, b),
                    className="sm-shared")


def link_line(a: str, node: dict, records: int, weight: float) -> list:
    """``<topic> · <n records shared> · <strength>``: a neighbour of ``a`` and why."""
    word = kind_word(node["id"])
    return [topic_link(node), html.Span(f" {word} · " if word else " · ", className="sm-meta"),
            shared_link(a, node["id"], records), association(weight)]
