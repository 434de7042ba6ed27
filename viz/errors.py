"""Every kind of error a request can meet, answered in one place.

Routes raise; the handlers registered here turn each kind of exception into its answer:
a short JSON body for the API (``{"error": ..., "parameter"/"hint"/...}``), never a
traceback. A client's mistake is a 4xx; a cluster that does not answer is a 503.
"""

from __future__ import annotations

import flask

from index.queries import BadParameter
from index.search import SearchUnavailable

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
    return response


def _bad_parameter(exc: BadParameter):
    return error(400, str(exc), parameter=exc.name)


def _not_found(exc: NotFound):
    return error(404, exc.message, **exc.extra)


def _unavailable(exc: Unavailable):
    return error(503, exc.message, **({"hint": exc.hint} if exc.hint else {}))


def _search_unavailable(exc: SearchUnavailable):
    return error(503, "the catalogue is unavailable; try again soon")


def install(server: flask.Flask) -> None:
    """Register one handler per kind of error on ``server``."""
    server.register_error_handler(BadParameter, _bad_parameter)
    server.register_error_handler(NotFound, _not_found)
    server.register_error_handler(Unavailable, _unavailable)
    server.register_error_handler(SearchUnavailable, _search_unavailable)
