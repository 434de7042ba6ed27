"""Every kind of error a request can meet, answered in one place.

Routes raise; the handlers registered here turn each kind of exception into its answer:
a short JSON body for the API (``{"error": ..., "parameter"/"hint"/...}``), never a
traceback. A visitor's or a client's mistake is a 4xx; a cluster that does not answer
is a 503 with ``Retry-After``; only a fault of shelfmap's own is a 500 (and logged).
"""

from __future__ import annotations

import flask
from dash.exceptions import DependencyException
from elastic_transport import TransportError
from werkzeug.exceptions import HTTPException

from index.queries import BadParameter
from index.search import SearchUnavailable, unavailable_reason
from viz import callback_requests

# The largest request body read: a callback request of the app's own pages is a few
# kilobytes; anything bigger is refused (413) before it is read into memory.
MAX_BODY_BYTES = 1024 * 1024
CALLBACK_PATH = "/_dash-update-component"

# Seconds a client is asked to wait after a 503: about the circuit breaker's probe
# interval, after which a recovered cluster is answering again.
RETRY_AFTER = 2


class NotFound(LookupError):
    """What the request names does not exist (a record, a topic, a path between two)."""

    def __init__(self, message: str, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra


class Unavailable(RuntimeError):
    """Something the request needs is not there yet (no topic graph built, say)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


def error(status: int, message: str, **extra) -> flask.Response:
    response = flask.jsonify({"error": message, **extra})
    response.status_code = status
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def _bad_parameter(exc: BadParameter):
    return error(400, str(exc), parameter=exc.name)


def _not_found(exc: NotFound):
    return error(404, exc.message, **exc.extra)


def _unavailable(exc: Unavailable):
    return error(503, exc.message, **({"hint": exc.hint} if exc.hint else {}))


def _search_unavailable(exc: SearchUnavailable):
    cause = exc.__cause__
    extra = {"reason": unavailable_reason(cause)} if isinstance(cause, TransportError) else {}
    return error(503, "the catalogue is unavailable; try again soon", **extra)


def _unknown_asset(exc: DependencyException):
    # Dash raises this for a path under /_dash-component-suites/ that no component
    # registered: a visitor's typo or a scanner, not a fault of ours.
    return error(404, "no such file")


def _bad_callback(exc: callback_requests.BadCallback):
    return error(400, f"not a callback request of this app: {exc}")


def _http_error(exc: HTTPException):
    """werkzeug's own 4xx (404, 405, 413, a body that is not JSON): the API and Dash's
    routes answer JSON, pages keep Flask's short HTML answer."""
    path = flask.request.path
    if path.startswith(("/api/", "/_dash")) or exc.code == 413:
        return error(exc.code or 400, exc.description or exc.name)
    return exc


def _check_callback_request() -> None:
    """Before Dash runs a callback: refuse a body that is not one of ours (400)."""
    if flask.request.method == "POST" and flask.request.path == CALLBACK_PATH:
        body = flask.request.get_json(silent=True)  # too large: 413 from werkzeug
        dash_app = flask.current_app.extensions["shelfmap.dash"]
        callback_requests.check(body, dash_app.callback_map)


def install(server: flask.Flask, dash_app=None) -> None:
    """Register one handler per kind of error on ``server``, the body limit, and (with
    ``dash_app``) the check of callback requests."""
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    if dash_app is not None:
        server.extensions["shelfmap.dash"] = dash_app
        server.before_request(_check_callback_request)
    server.register_error_handler(HTTPException, _http_error)
    server.register_error_handler(DependencyException, _unknown_asset)
    server.register_error_handler(callback_requests.BadCallback, _bad_callback)
    server.register_error_handler(BadParameter, _bad_parameter)
    server.register_error_handler(NotFound, _not_found)
    server.register_error_handler(Unavailable, _unavailable)
    server.register_error_handler(SearchUnavailable, _search_unavailable)
