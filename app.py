"""The Dash app factory: pages from viz/pages, the JSON API, one Elasticsearch client."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import dash
import flask
from werkzeug.serving import WSGIRequestHandler, run_simple

from index.client import connect
from index.queries import BadParameter, parse_search_params
from index.search import SearchUnavailable, get_record, health, search
from viz.components import services

VIZ = Path(__file__).resolve().parent / "viz"


def create_app(settings) -> dash.Dash:
    """The app for ``settings``: pages, assets and the /api routes of DESIGN.md."""
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(VIZ / "pages"),
        assets_folder=str(VIZ / "assets"),
        title="shelfmap",
        update_title=None,
        serve_locally=True,  # no third-party requests: every byte comes from this server
        suppress_callback_exceptions=True,  # page ids exist only on their page
        compress=importlib.util.find_spec("flask_compress") is not None,
    )
    services.install(app.server, services.Services(
        es=connect(settings), alias=settings.index, log_queries=settings.log_queries))
    _add_api(app.server)
    return app


def _error(status: int, message: str, **extra):
    return flask.jsonify({"error": message, **extra}), status


def _add_api(server: flask.Flask) -> None:
    server.json.ensure_ascii = False  # Hangul as UTF-8, a third of the \\uXXXX bytes

    @server.get("/api/health")
    def api_health():
        ctx = services.current()
        return flask.jsonify(health(ctx.es, ctx.alias))

    @server.get("/api/search")
    def api_search():
        ctx = services.current()
        try:
            params = parse_search_params(flask.request.args)
        except BadParameter as exc:
            return _error(400, str(exc), parameter=exc.name)
        ctx.log_query("api", flask.request.args)
        try:
            return flask.jsonify(search(ctx.es, ctx.alias, params))
        except SearchUnavailable:
            return _error(503, "search is unavailable; try again soon")

    @server.get("/api/records/<path:record_id>")
    def api_record(record_id: str):
        ctx = services.current()
        try:
            record = get_record(ctx.es, ctx.alias, record_id)
        except SearchUnavailable:
            return _error(503, "the catalogue is unavailable; try again soon")
        if record is None:
            return _error(404, f"no record with id {record_id!r}", id=record_id)
        return flask.jsonify(record)

    # Without this, Dash's catch-all would answer unknown API paths with the app's page.
    @server.get("/api/", defaults={"rest": ""})
    @server.get("/api/<path:rest>")
    def api_unknown(rest: str):
        return _error(404, f"no API route /api/{rest}")


class QuietRequestHandler(WSGIRequestHandler):
    """Writes no access log: request lines carry visitors' addresses and queries."""

    def log_request(self, code="-", size="-"):
        pass


def serve(settings, host: str | None = None, port: int | None = None) -> None:
    """Serve the app (no debug mode, no reloader) until interrupted."""
    app = create_app(settings)
    handler = WSGIRequestHandler if settings.log_queries else QuietRequestHandler
    run_simple(host or settings.host, port or settings.port, app.server,
               threaded=True, use_reloader=False, use_debugger=False,
               request_handler=handler)
