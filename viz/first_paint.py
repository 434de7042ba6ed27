"""Every page drawn on the server first, from the page's own Dash layout.

A GET of a page path answers complete HTML: the page registered with
``dash.register_page`` is found as Dash's own router finds it, its ``layout(**path
variables, **query arguments)`` is called as the router calls it, and the tree is
rendered by ``viz.render`` where Dash's client renders (``#react-entry-point`` >
``#_pages_content``). The status follows the page (``data-status`` on its root: a
missing record is a 404 with its page). No Dash script or config is in that answer.

When Dash comes (viz/static/takeover.js decides; docs/pages.md), it asks for
``/_dash-boot`` (Dash's config and scripts, as Dash's own index would list them) and
then for ``/_dash-layout?page=<the page's URL>``, which is answered with the page
already inside Dash's page container and its location set to that URL, so the router
has nothing to fetch again and the takeover shows the same content.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import quote

import dash
import flask
from dash import _pages, dcc, html

from viz import i18n, render, shell

BOOT_PATH = "/_dash-boot"
STATIC_PREFIX = "/_shelfmap/"
EXTENSION = "shelfmap.first_paint"
# What /_dash-boot holds: Dash's own index with nothing but the renderer's needs
# (index() checks that the entry point, config and scripts are all there).
BOOT_INDEX = "{%app_entry%}\n{%config%}\n{%scripts%}\n{%renderer%}"
# Bundles Dash lists for every app but no page of ours uses (render.py refuses any
# component it does not know, so a page using one could not be drawn anyway).
UNUSED_BUNDLES = re.compile(r'<script src="[^"]*/_dash-component-suites/dash/dash_table/'
                            r'[^"]*"></script>\n?')
_ASSET_URL = re.compile(r'(/assets/([^"?]+))\?m=[0-9.]+')
# Dash Pages' ids (dash.page_container), as its router reads and writes them.
LOCATION, CONTENT, STORE, DUMMY = "_pages_location", "_pages_content", "_pages_store", \
    "_pages_dummy"


class FirstPaint:
    """What one app's first paint needs, computed once when the app is made: the
    fingerprints of its assets and of takeover.js, and the inline loader."""

    def __init__(self, dash_app: dash.Dash):
        self.app = dash_app
        self.assets_folder = Path(dash_app.config.assets_folder)
        self.assets = {path.relative_to(self.assets_folder).as_posix(): shell.fingerprint(path.read_bytes())
                       for path in sorted(self.assets_folder.rglob("*")) if path.is_file()}
        takeover = shell.minify_js((shell.STATIC / "takeover.js").read_text(encoding="utf-8"))
        self.takeover = takeover.encode()
        self.takeover_name = f"takeover.{shell.fingerprint(self.takeover)}.js"
        self.loader = shell.loader_script(STATIC_PREFIX + self.takeover_name)

    def asset_url(self, name: str) -> str:
        return f"/assets/{name}?v={self.assets[name]}"

    def stylesheets(self) -> list[str]:
        return [self.asset_url(name) for name in self.assets if name.endswith(".css")]

    def fingerprinted(self, path: str, version: str | None) -> bool:
        """Whether ``path`` (a URL path) with ``?v=version`` names the current content."""
        if path.startswith("/assets/"):
            return version is not None and self.assets.get(path[len("/assets/"):]) == version
        return path == STATIC_PREFIX + self.takeover_name


def current() -> FirstPaint:
    return flask.current_app.extensions[EXTENSION]


def resolve(dash_app: dash.Dash, pathname: str, search: str):
    """The page for a URL and the arguments its layout gets, as Dash's router does it
    (its own functions, so server and client never disagree): (page, kwargs); the
    registry's "not_found_404" page for an unknown path. (page, path variables,
    query arguments)."""
    page, variables = _pages._path_to_page(dash_app.strip_relative_path(pathname) or "")
    if not page:
        page = next((p for module, p in dash.page_registry.items()
                     if module.split(".")[-1] == "not_found_404"), {})
        variables = {}
    return page, variables or {}, _pages._parse_query_string(search)


def page_layout(dash_app: dash.Dash, pathname: str, search: str):
    """(layout, title) of the page at ``pathname`` + ``search``."""
    page, variables, query = resolve(dash_app, pathname, search)
    if not page:
        return html.Main(html.H1(i18n._("No such page")), **{"data-status": "404"}), \
            dash_app.title
    layout = page.get("layout", "")
    if callable(layout):
        layout = layout(**{**variables, **query})
    title = page.get("title", dash_app.title)
    if callable(title):
        title = title(**variables)
    return layout, str(title)


def _browser_path() -> str:
    """The request's path as the browser's ``location.pathname`` holds it
    (percent-encoded), which is what Dash's router parses on the client."""
    raw = flask.request.environ.get("RAW_URI") or flask.request.environ.get("REQUEST_URI")
    if raw and raw.startswith("/"):
        return raw.split("?", 1)[0]
    return quote(flask.request.path, safe="/:@!$&'()*+,;=~")


def _search() -> str:
    query = flask.request.query_string.decode("latin-1")
    return f"?{query}" if query else ""


def page_view(dash_app: dash.Dash, path: str = ""):
    """A page's first response: its layout as HTML, with its status."""
    layout, title = page_layout(dash_app, _browser_path(), _search())
    body = render.render(html.Div([html.Div(layout, id=CONTENT), html.Div(id=DUMMY)]))
    paint = current()
    document = shell.page_html(title=title, body=body, stylesheets=paint.stylesheets(),
                               loader=paint.loader, lang=i18n.current().lang)
    response = flask.Response(document, status=render.page_status(layout),
                              mimetype="text/html")
    return response


def dash_layout(dash_app: dash.Dash):
    """Dash's layout: the page container, with the page of ``?page=`` in place when
    takeover.js names it (only on /_dash-layout itself)."""
    request = flask.request if flask.has_request_context() else None
    url = request.args.get("page", "") if request is not None and \
        request.path.endswith("/_dash-layout") else ""
    if not url.startswith("/"):
        return dash.page_container
    pathname, mark, query = url.partition("?")
    search = f"?{query}" if query else ""
    layout, title = page_layout(dash_app, pathname, search)
    return html.Div([
        # Set to the browser's own location, so that on mounting it changes nothing
        # and the router (an input of pathname and search) is not called.
        dcc.Location(id=LOCATION, refresh="callback-nav", pathname=pathname, search=search),
        html.Div(layout, id=CONTENT, disable_n_clicks=True),
        dcc.Store(id=STORE, data={"title": title}),
        html.Div(id=DUMMY, disable_n_clicks=True),
    ])


def boot_view(dash_app: dash.Dash):
    """Dash's config and scripts for takeover.js; never cached (Dash signs a token per
    page load into its config)."""
    paint = current()
    text = UNUSED_BUNDLES.sub("", dash_app.index())
    text = _ASSET_URL.sub(lambda m: paint.asset_url(m.group(2)) if m.group(2) in paint.assets
                          else m.group(0), text)
    response = flask.Response(text, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


def static_view(name: str):
    paint = current()
    if name != paint.takeover_name:
        flask.abort(404)
    return flask.Response(paint.takeover, mimetype="text/javascript")


def install(dash_app: dash.Dash) -> None:
    """Serve every page path with its first paint, and Dash's layout and boot as
    takeover.js asks for them."""
    server = dash_app.server
    server.extensions[EXTENSION] = FirstPaint(dash_app)
    dash_app.index_string = BOOT_INDEX
    dash_app.layout = functools.partial(dash_layout, dash_app)
    view = functools.partial(page_view, dash_app)
    prefix = dash_app.config.routes_pathname_prefix
    # Dash's index ("/") and its catch-all ("/<path:path>") answer every page path.
    server.view_functions[prefix] = view
    server.view_functions[prefix + "<path:path>"] = view
    server.add_url_rule(BOOT_PATH, "shelfmap_boot", functools.partial(boot_view, dash_app))
    server.add_url_rule(STATIC_PREFIX + "<name>", "shelfmap_static", static_view)
