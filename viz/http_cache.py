"""How long a browser may keep each answer, and how it asks again (docs/pages.md).

- Fingerprinted files (Dash's component suites, whose names carry their package's
  version and file time; our /assets files by ``?v=<content hash>``; takeover.js by
  the hash in its name) are kept for a year, ``immutable``: new content, new URL.
  An asset asked for with a stale or no fingerprint is revalidated instead.
- Pages and data (HTML, /api JSON, Dash's layout and dependencies) carry an ETag and
  ``no-cache``: the browser keeps them but asks each time, and an unchanged answer
  costs a 304 without a body.
- What says ``no-store`` (/api/health, Dash's boot) is left alone.

Compression is Flask-Compress's (enabled by ``dash.Dash(compress=True)``), which runs
after this and turns a strong ETag into its per-encoding variant.
"""

from __future__ import annotations

import flask

from viz import first_paint

YEAR = 31_536_000
IMMUTABLE = f"public, max-age={YEAR}, immutable"
REVALIDATE = "no-cache"
SUITES = "/_dash-component-suites/"


def _headers(response: flask.Response) -> flask.Response:
    request = flask.request
    path = request.path
    if request.method not in ("GET", "HEAD"):
        return response
    if path.startswith(SUITES):
        # Dash gives a fingerprinted suite a year already; immutable spares the
        # revalidation a reload would otherwise make.
        if response.status_code == 200 and response.cache_control.max_age == YEAR:
            response.headers["Cache-Control"] = IMMUTABLE
        return response
    if path.startswith(("/assets/", first_paint.STATIC_PREFIX)):
        if response.status_code in (200, 304):
            paint = first_paint.current()
            fresh = paint.fingerprinted(path, request.args.get("v"))
            response.headers["Cache-Control"] = IMMUTABLE if fresh else REVALIDATE
        return response
    cache_control = response.headers.get("Cache-Control", "")
    if response.status_code != 200 or "no-store" in cache_control or response.is_streamed:
        return response
    if response.get_etag()[0] is None:
        response.add_etag()
    response.headers["Cache-Control"] = REVALIDATE
    return response.make_conditional(request)


def install(server: flask.Flask) -> None:
    server.after_request(_headers)
