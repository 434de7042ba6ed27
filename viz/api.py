"""The JSON API of DESIGN.md, served by the app's own server under /api.

Routes parse their parameters, ask the index layer or the graph store, and return
what those answer. They raise instead of shaping errors: ``viz.errors`` answers each
kind (400 for a bad parameter, 404 for what does not exist, 503 for what is not
available) in one place.
"""

from __future__ import annotations

from pathlib import Path

import flask
import orjson
from flask.json.provider import DefaultJSONProvider

from index import citations, related, shelf, suggest
from index.queries import BadParameter, parse_search_params
from index.search import get_record, health, search, subject_terms
from viz.graph import store as graph_store
from viz.graph.requests import GraphQuery, bounded_int, parse_graph_query
from viz.components import services
from viz.errors import NotFound, Unavailable

GRAPH_HINT = "run `shelfmap graph`"
PATH_MAX_HOPS = 6


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


def install(server: flask.Flask, graph_dir: Path) -> None:
    """Add the /api routes to ``server``; the graph is read from ``graph_dir``."""
    server.json = JSONProvider(server)
    api = flask.Blueprint("api", __name__, url_prefix="/api")

    def graph() -> graph_store.GraphStore:
        store = graph_store.current(graph_dir)
        if store is None:
            raise Unavailable("no topic graph has been built yet", hint=GRAPH_HINT)
        return store

    # A load balancer reads the status code: 200 only when searches can be answered.
    @api.get("/health")
    def api_health():
        ctx = services.current()
        store = graph_store.current(graph_dir)
        version = store.version if store else None
        answer = (ctx.health.answer(version) if ctx.health is not None
                  else health(ctx.es, ctx.alias, version))
        response = flask.jsonify(answer)
        if answer["status"] != "ok":
            response.status_code = 503
        response.headers["Cache-Control"] = "no-store"
        return response

    @api.get("/graph/topics")
    def api_graph_topics():
        query = parse_graph_query(flask.request.args)
        return flask.jsonify(_graph_answer(graph(), query))

    @api.get("/search")
    def api_search():
        ctx = services.current()
        params = parse_search_params(flask.request.args)
        ctx.log_query("api", flask.request.args)
        return flask.jsonify(search(ctx.es, ctx.alias, params))

    @api.get("/suggest")
    def api_suggest():
        ctx = services.current()
        size = bounded_int(flask.request.args, "size", 8, 1, 20)
        return flask.jsonify(suggest.suggest(ctx.es, ctx.alias,
                                             flask.request.args.get("q", ""), size))

    # Record ids hold ":" and may hold "/" (hence <path:>, which is greedy). The rules
    # with a static suffix are registered first; werkzeug prefers the rule with more
    # static parts anyway, and tests/test_api.py checks /related and /cite route here.
    @api.get("/records/<path:record_id>/related")
    def api_related(record_id: str):
        ctx = services.current()
        size = bounded_int(flask.request.args, "size", related.DEFAULT_SIZE, 1,
                            related.MAX_SIZE)
        k = bounded_int(flask.request.args, "shelf", shelf.DEFAULT_SIZE, 0, shelf.MAX_SIZE)
        record = _record(record_id)
        found = related.related_to(ctx.es, ctx.alias, record, size)
        # Next on the shelf, a kind of its own: neighbours by call number, not by score.
        found["shelf"] = shelf.neighbours(ctx.es, ctx.alias, record, k)
        return flask.jsonify(found)

    @api.get("/records/<path:record_id>/cite")
    def api_cite(record_id: str):
        fmt = flask.request.args.get("format", "bibtex")
        if fmt not in citations.FORMATS:
            raise BadParameter("format", f"must be one of {', '.join(citations.FORMATS)}, "
                                         f"not {fmt[:40]!r}")
        text, media_type, filename = citations.cite(_record(record_id), fmt)
        return flask.Response(text, content_type=f"{media_type}; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="{filename}"'})

    @api.get("/records/<path:record_id>")
    def api_record(record_id: str):
        return flask.jsonify(_record(record_id))

    # Without this, Dash's catch-all would answer unknown API paths with the app's page.
    @api.get("/", defaults={"rest": ""})
    @api.get("/<path:rest>")
    def api_unknown(rest: str):
        raise NotFound(f"no API route /api/{rest}")

    server.register_blueprint(api)


def _no_record(record_id: str) -> NotFound:
    return NotFound(f"no record with id {record_id!r}", id=record_id)


def _record(record_id: str) -> dict:
    ctx = services.current()
    record = get_record(ctx.es, ctx.alias, record_id)
    if record is None:
        raise _no_record(record_id)
    return record


def _graph_answer(store: graph_store.GraphStore, query: GraphQuery) -> dict:
    """The answer to a parsed /api/graph/topics request; NotFound when what it names
    does not exist."""
    extra = {}
    try:
        if query.mode == "around":
            answer = store.neighbourhood(query.around, query.depth, query.limit)
        elif query.mode == "path":
            answer = store.path(query.source, query.target, max_hops=PATH_MAX_HOPS)
            if answer is None:
                raise NotFound(f"no path of at most {PATH_MAX_HOPS} links between "
                               f"{query.source[:80]!r} and {query.target[:80]!r}")
        elif query.mode == "records":
            ctx = services.current()
            terms = subject_terms(ctx.es, ctx.alias, list(query.records))
            if not terms:
                raise NotFound("none of the records exists", parameter="records")
            answer = store.around_subjects(list(terms.values()), query.limit)
            extra["missing"] = [i for i in query.records if i not in terms]
        else:
            answer = store.overview(query.limit)
    except graph_store.UnknownNode as exc:
        name = query.names()[exc.node]
        raise NotFound(f"no topic with id or label {exc.node[:80]!r}",
                       parameter=name) from None
    return {**answer, **extra, "graph_version": store.version}
