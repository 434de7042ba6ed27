"""The Dash app factory: pages from viz/pages, the JSON API, one Elasticsearch client."""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from pathlib import Path

import dash
import flask
import orjson
from flask.json.provider import DefaultJSONProvider

from index.client import connect
from index import citations, related, suggest
from index.queries import BadParameter, parse_search_params
from index.search import (MAX_ID_BYTES, SearchUnavailable, get_record, health, possible_id,
                          search, subject_terms)
from viz import graph_store
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
        es=connect(settings, connections=settings.threads), alias=settings.index,
        log_queries=settings.log_queries))
    _add_api(app.server, settings.graph_dir)
    return app


def _error(status: int, message: str, **extra):
    return flask.jsonify({"error": message, **extra}), status


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON through orjson: every API answer is serialised here, several times
    faster than the standard library. Non-ASCII stays UTF-8 (Hangul in a third of the
    bytes of its \\uXXXX escapes); keys sorted as Flask sorts them; what orjson does not
    know goes to Flask's own fallback (dates, decimals, ...)."""

    _OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY

    def dumps(self, obj, **kwargs) -> str:
        return orjson.dumps(obj, default=self.default, option=self._OPTIONS).decode()

    def loads(self, s, **kwargs):
        return orjson.loads(s)


def _add_api(server: flask.Flask, graph_dir: Path) -> None:
    server.json = JSONProvider(server)

    @server.get("/api/health")
    def api_health():
        ctx = services.current()
        store = graph_store.current(graph_dir)
        return flask.jsonify(health(ctx.es, ctx.alias, store.version if store else None))

    @server.get("/api/graph/topics")
    def api_graph_topics():
        try:
            query = _graph_query(flask.request.args)
        except BadParameter as exc:
            return _error(400, str(exc), parameter=exc.name)
        store = graph_store.current(graph_dir)
        if store is None:
            return _error(503, "no topic graph has been built yet", hint=GRAPH_HINT)
        return _graph_answer(store, query)

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

    @server.get("/api/suggest")
    def api_suggest():
        ctx = services.current()
        try:
            size = _bounded_int(flask.request.args, "size", 8, 1, 20)
        except BadParameter as exc:
            return _error(400, str(exc), parameter=exc.name)
        q = flask.request.args.get("q", "")
        try:
            return flask.jsonify(suggest.suggest(ctx.es, ctx.alias, q, size))
        except SearchUnavailable:
            return _error(503, "suggestions are unavailable; try again soon")

    # Record ids hold ":" and may hold "/" (hence <path:>, which is greedy). The rules
    # with a static suffix are registered first; werkzeug prefers the rule with more
    # static parts anyway, and tests/test_api.py checks /related and /cite route here.
    @server.get("/api/records/<path:record_id>/related")
    def api_related(record_id: str):
        ctx = services.current()
        try:
            size = _size(flask.request.args)
        except BadParameter as exc:
            return _error(400, str(exc), parameter=exc.name)
        try:
            found = related.related(ctx.es, ctx.alias, record_id, size)
        except SearchUnavailable:
            return _error(503, "the catalogue is unavailable; try again soon")
        if found is None:
            return _error(404, f"no record with id {record_id!r}", id=record_id)
        return flask.jsonify(found)

    @server.get("/api/records/<path:record_id>/cite")
    def api_cite(record_id: str):
        ctx = services.current()
        fmt = flask.request.args.get("format", "bibtex")
        if fmt not in citations.FORMATS:
            return _error(400, f"format: must be one of {', '.join(citations.FORMATS)}, "
                               f"not {fmt[:40]!r}", parameter="format")
        record, error = _record_or_error(ctx, record_id)
        if error:
            return error
        text, media_type, filename = citations.cite(record, fmt)
        return flask.Response(text, content_type=f"{media_type}; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{filename}"'})

    @server.get("/api/records/<path:record_id>")
    def api_record(record_id: str):
        record, error = _record_or_error(services.current(), record_id)
        return error or flask.jsonify(record)

    # Without this, Dash's catch-all would answer unknown API paths with the app's page.
    @server.get("/api/", defaults={"rest": ""})
    @server.get("/api/<path:rest>")
    def api_unknown(rest: str):
        return _error(404, f"no API route /api/{rest}")


GRAPH_HINT = "run `shelfmap graph`"
PATH_MAX_HOPS = 6
MAX_GRAPH_RECORDS = 100
MAX_GRAPH_LIMIT = 500


def _graph_query(args) -> dict:
    """The mode and parameters of a /api/graph/topics request; BadParameter naming
    the parameter when they do not make one request.

    Modes: ``around`` (a neighbourhood), ``from`` + ``to`` (a path), ``records`` (the
    map around those records), or none of them (the overview).
    """
    given = [name for name in ("around", "from", "to", "records") if args.get(name)]
    modes = {"path" if name in ("from", "to") else name for name in given}
    if len(modes) > 1:
        raise BadParameter(given[-1], "give one of around, from and to, or records")
    mode = modes.pop() if modes else "overview"
    query = {"mode": mode, "depth": _bounded_int(args, "depth", 1, 1, 3),
             "limit": _bounded_int(args, "limit", 100 if mode == "overview" else 50, 1,
                                   MAX_GRAPH_LIMIT)}
    if mode == "path":
        for name, other in (("from", "to"), ("to", "from")):
            if not args.get(name):
                raise BadParameter(name, f"a path needs both from and to; {other} is "
                                         "given")
    for name in ("around", "from", "to"):
        if args.get(name):
            query[name] = args[name]
    if mode == "records":
        ids = list(dict.fromkeys(i.strip() for i in args["records"].split(",") if i.strip()))
        if not ids:
            raise BadParameter("records", "must list record ids, separated by commas")
        if len(ids) > MAX_GRAPH_RECORDS:
            raise BadParameter("records", f"at most {MAX_GRAPH_RECORDS} ids, not {len(ids)}")
        if not all(map(possible_id, ids)):
            raise BadParameter("records", f"a record id is at most {MAX_ID_BYTES} bytes")
        query["records"] = ids
    return query


def _graph_answer(store: graph_store.GraphStore, query: dict):
    """The JSON answer to a parsed /api/graph/topics request, or the 404/503 to give."""
    mode = query["mode"]
    extra = {}
    try:
        if mode == "around":
            answer = store.neighbourhood(query["around"], query["depth"], query["limit"])
        elif mode == "path":
            answer = store.path(query["from"], query["to"], max_hops=PATH_MAX_HOPS)
            if answer is None:
                return _error(404, f"no path of at most {PATH_MAX_HOPS} links between "
                                   f"{query['from'][:80]!r} and {query['to'][:80]!r}")
        elif mode == "records":
            ctx = services.current()
            try:
                terms = subject_terms(ctx.es, ctx.alias, query["records"])
            except SearchUnavailable:
                return _error(503, "the catalogue is unavailable; try again soon")
            if not terms:
                return _error(404, "none of the records exists", parameter="records")
            answer = store.around_subjects(list(terms.values()), query["limit"])
            extra["missing"] = [i for i in query["records"] if i not in terms]
        else:
            answer = store.overview(query["limit"])
    except graph_store.UnknownNode as exc:
        name = next(n for n in ("around", "from", "to") if query.get(n) == exc.node)
        return _error(404, f"no topic with id or label {exc.node[:80]!r}", parameter=name)
    return flask.jsonify({**answer, **extra, "graph_version": store.version})


def _record_or_error(ctx, record_id: str):
    """(record, None), or (None, the 503 or 404 response to give instead)."""
    try:
        record = get_record(ctx.es, ctx.alias, record_id)
    except SearchUnavailable:
        return None, _error(503, "the catalogue is unavailable; try again soon")
    if record is None:
        return None, _error(404, f"no record with id {record_id!r}", id=record_id)
    return record, None


def _size(args) -> int:
    """The ``size`` of a related-records request: 1..related.MAX_SIZE, default 10."""
    return _bounded_int(args, "size", related.DEFAULT_SIZE, 1, related.MAX_SIZE)


def _bounded_int(args, name: str, default: int, low: int, high: int) -> int:
    text = args.get(name)
    if text is None or text == "":
        return default
    what = f"a whole number from {low} to {high}"
    try:
        value = int(text.strip(), 10)
    except ValueError:
        raise BadParameter(name, f"must be {what}, not {text[:40]!r}") from None
    if not low <= value <= high:
        raise BadParameter(name, f"must be {what}, not {value}")
    return value


def worker_count(settings) -> int:
    """Processes serving the app: the setting, or one per core (at most 8)."""
    return settings.workers or max(1, min(8, os.cpu_count() or 1))


def _wsgi(settings) -> flask.Flask:
    """A worker's app: each worker process builds its own (and its own Elasticsearch
    connections).

    The worker first leaves the terminal's process group: Ctrl-C then reaches only the
    main process, which stops the workers once, in order. (Signalled by both at the
    same moment, a worker could miss its cue and wait to be killed.) On Linux it also
    asks for SIGTERM should the main process die, so a killed server never leaves
    workers holding the port.
    """
    os.setpgid(0, 0)
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    return create_app(settings).server


def serve(settings, host: str | None = None, port: int | None = None) -> None:
    """Serve the app until SIGINT or SIGTERM: granian (an HTTP server in Rust) with one
    worker process per core, each running the app in ``settings.threads`` threads, so
    one slow search or a busy interpreter does not hold up the other visitors. Against
    gunicorn's threaded workers it spends a fifth of the CPU per request on the HTTP
    side (docs/benchmarks.md), CPU a single machine's Elasticsearch needs.

    Without log_queries there is no access log: request lines carry visitors'
    addresses and queries.
    """
    import functools

    from granian import Granian
    from granian.constants import Interfaces

    threads = settings.threads
    server = Granian(
        "shelfmap", address=host or settings.host, port=port or settings.port,
        interface=Interfaces.WSGI, workers=worker_count(settings),
        blocking_threads=threads,
        log_level="warning", log_access=settings.log_queries,
        log_access_format=('[%(time)s] %(addr)s - "%(method)s %(path)s?%(query_string)s '
                           '%(protocol)s" %(status)d %(dt_ms).3f'),
        respawn_failed_workers=True,
        # Ctrl-C signals every process of the group at once; a worker that misses its
        # cue to stop is killed rather than left holding the port.
        workers_kill_timeout=5)
    # Granian warns when threads outnumber the cores, advice for handlers that compute;
    # these mostly wait on Elasticsearch, and SHELFMAP_THREADS says how many may.
    logging.getLogger("_granian").addFilter(
        lambda record: not record.getMessage().startswith("Configuration allows spawning"))
    server.serve(target_loader=functools.partial(_wsgi, settings), wrap_loader=False)
