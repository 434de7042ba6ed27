""""How is this connected to …": a GET form on the topic page asking for another topic
(``?to=<label or id>``), and the answer, the graph's path between the two, as steps.

A plain form with a plain submit button: it works before (or without) any script, and
its answer is a URL, so it can be shared, reloaded, and gone back to.
"""

from __future__ import annotations

from dash import dcc, html

from viz.components.links import topic_href
from viz.components.topic_links import association, kind_word, shared_link, topic_link
from viz import i18n
from viz.i18n import _, ngettext

# As the API's path queries (viz/api.py): beyond six links a connection says little.
MAX_HOPS = 6


def path_form(node_id: str, to: str = "", depth: int | None = None) -> html.Form:
    """The form; it submits to the topic's own page, keeping ``depth`` when given."""
    fields = [
        html.Label(_("How is this connected to …"), htmlFor="topic-to", className="sm-label"),
        html.Div([
            dcc.Input(id="topic-to", name="to", type="text", value=to, autoComplete="off",
                      placeholder=_("another subject, author or class"),
                      className="sm-input"),
            html.Button(_("Connect"), type="submit", className="sm-button", id="topic-connect"),
        ], className="sm-searchbox"),
    ]
    if depth is not None:
        fields.append(dcc.Input(name="depth", type="hidden", value=str(depth)))
    if i18n.current().url_lang:
        fields.append(dcc.Input(name=i18n.PARAMETER, type="hidden", value=i18n.current().url_lang))
    # The action is the page's path without its query: the browser adds the fields.
    return html.Form(fields, action=topic_href(node_id).split("?")[0], method="get",
                     id="topic-path-form")


def path_steps(path: dict) -> list[dict]:
    """The path as steps: each node with the link that leads to the next one (None for
    the last): ``[{"node", "link": {"source", "target", "weight", "records"} | None}]``.

    >>> steps = path_steps({"nodes": [{"id": "a"}, {"id": "b"}],
    ...                     "edges": [{"source": "a", "target": "b", "weight": .5,
    ...                                "records": 3}]})
    >>> [(s["node"]["id"], s["link"] and s["link"]["records"]) for s in steps]
    [('a', 3), ('b', None)]
    """
    nodes, edges = path["nodes"], path["edges"]
    return [{"node": node, "link": edges[i] if i < len(edges) else None}
            for i, node in enumerate(nodes)]


def path_answer(path: dict) -> html.Ol:
    """The steps as an ordered list: each topic, then the reason it leads to the next
    (the records both hold, a link to exactly those)."""
    items = []
    steps = path_steps(path)
    for step, following in zip(steps, steps[1:] + [None]):
        node = step["node"]
        body: list = [topic_link(node)]
        if kind_word(node["id"]):
            body.append(html.Span(f" {kind_word(node['id'])}", className="sm-meta"))
        if step["link"] is not None:
            link = step["link"]
            body += [html.Br(), html.Span("↓ ", **{"aria-hidden": "true"}),
                     shared_link(node["id"], following["node"]["id"], link["records"]),
                     html.Span(" " + _("with {topic}", topic=following["node"]["label"]),
                               className="sm-meta"),
                     association(link["weight"])]
        items.append(html.Li(body))
    return html.Ol(items, className="sm-path", id="topic-path")


def path_section(node_id: str, to: str, depth: int | None, answer) -> html.Section:
    """The form and, when ``to`` was asked, ``answer``: a path dict, or a message."""
    body: list = [path_form(node_id, to, depth)]
    if isinstance(answer, dict):
        hops = len(answer["edges"])
        body.append(html.P(ngettext("{n} link apart:", "{n} links apart:", hops) if hops else
                           _("That is this topic."), className="sm-message",
                           id="topic-path-summary"))
        body.append(path_answer(answer))
    elif answer:
        body.append(html.P(answer, className="sm-message sm-error", id="topic-path-summary"))
    return html.Section([html.H2(_("Connections"), className="sm-h2"), *body],
                        id="topic-connections")
