"""Each request's interface language, chosen before its view runs (viz/i18n.py says how).

What page a request draws, and so which ``lang`` argument counts: a page's first paint
is its own URL; Dash's layout request (``/_dash-layout?page=<url>``, takeover.js) names
the page; a callback reads Dash's location (``_pages_location``: the router's inputs,
and the state of callbacks that draw text), whose ``search`` holds the visitor's
``lang``. Without one, the browser's ``Accept-Language`` decides, and the answer says
``Vary: Accept-Language`` so that no cache hands a Korean page to an English browser.
"""

from __future__ import annotations

from urllib.parse import parse_qs, quote

import flask

from viz import i18n

LOCATION = "_pages_location"  # Dash Pages' dcc.Location (first_paint.LOCATION)
LAYOUT_PATH = "/_dash-layout"
CALLBACK_PATH = "/_dash-update-component"
# Answers that hold no interface text: the language cannot change them.
NO_TEXT = ("/api/", "/assets/", "/_dash-component-suites/", "/_shelfmap/", "/_dash-boot",
           "/_dash-dependencies", "/_reload-hash", "/_favicon")
TOKENS = "shelfmap_lang_tokens"


def _location(body) -> tuple[str, str] | None:
    """(pathname, search) of Dash's location in a callback request's inputs and state;
    None when the callback reads neither."""
    if not isinstance(body, dict):
        return None
    found: dict[str, str] = {}
    for key in ("inputs", "state"):
        items = body.get(key)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and item.get("id") == LOCATION and \
                    item.get("property") in ("pathname", "search") and \
                    isinstance(item.get("value"), str):
                found[item["property"]] = item["value"]
    if not found:
        return None
    return found.get("pathname", "/"), found.get("search", "").lstrip("?")


def page_of_request(request: flask.Request) -> tuple[str, str]:
    """(path, query) of the page ``request`` draws."""
    if request.path == LAYOUT_PATH:
        page = request.args.get("page", "")
        if page.startswith("/"):
            path, _mark, query = page.partition("?")
            return path, query
    if request.method == "POST" and request.path == CALLBACK_PATH:
        found = _location(request.get_json(silent=True))
        if found is not None:
            return found
    # As the browser's location holds it (percent-encoded), so that the switch's
    # address is the page's own.
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    path = raw.split("?", 1)[0] if raw and raw.startswith("/") else \
        quote(request.path, safe="/:@!$&'()*+,;=~")
    return path, request.query_string.decode("latin-1")


def _before() -> None:
    request = flask.request
    if request.path.startswith(NO_TEXT):
        return
    path, query = page_of_request(request)
    asked = parse_qs(query).get(i18n.PARAMETER)
    choice = i18n.choose(asked, request.headers.get("Accept-Language"))
    context = i18n.drawing(path, query, choice)
    context.__enter__()
    flask.g.setdefault(TOKENS, []).append(context)


def _after(response: flask.Response) -> flask.Response:
    contexts = flask.g.get(TOKENS)
    if contexts and not i18n.current().chosen:
        response.vary.add("Accept-Language")
    return response


def _teardown(_exc=None) -> None:
    for context in reversed(flask.g.pop(TOKENS, [])):
        context.__exit__(None, None, None)


def install(server: flask.Flask) -> None:
    server.before_request(_before)
    server.after_request(_after)
    server.teardown_request(_teardown)
