"""The Dash app factory and the server: pages from viz/pages, each drawn on the server
first (viz/first_paint.py), the JSON API (viz/api.py), one Elasticsearch client per
process."""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
from pathlib import Path

import dash
import flask

from index.client import connect_interactive
from index.health import HealthCache
from viz import api, errors, first_paint, http_cache, request_language
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
    es, health_es = connect_interactive(settings, settings.threads)
    checks = HealthCache(health_es, settings.index, breaker=es.transport.breaker,
                         max_age=settings.search_timeout + 2)
    services.install(app.server, services.Services(
        es=es, alias=settings.index, log_queries=settings.log_queries, health=checks,
        graph_dir=settings.graph_dir))
    request_language.install(app.server)
    errors.install(app.server, app)
    api.install(app.server, settings.graph_dir)
    first_paint.install(app)
    http_cache.install(app.server)
    return app


def worker_count(settings) -> int:
    """Processes serving the app: the setting, or one per core (at most 8)."""
    return settings.workers or max(1, min(8, os.cpu_count() or 1))


def _wsgi(settings) -> flask.Flask:
    """A worker's app: each worker process builds its own (and its own Elasticsearch
    connections).

    The worker first leaves the terminal's process group: Ctrl-C then reaches only the
    main process, which stops the workers once, in order. (Signalled by both at the
    same moment, a worker could miss its cue and wait to be killed.) On Linux it also
    asks to be killed (SIGKILL) should the main process die, so a killed server never
    leaves workers holding the port.
    """
    os.setpgid(0, 0)
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        # SIGKILL, not SIGTERM: with its main process gone there is no orderly stop to
        # wait for, and a worker told SIGTERM then could hang in granian's shutdown
        # (seen: a worker alive minutes after its main process was SIGKILLed).
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    # The transport's warnings (a node marked dead, a retry, each with a traceback) would
    # repeat for every request while the cluster fails; the breaker says it once.
    logging.getLogger("elastic_transport").setLevel(logging.ERROR)
    app = create_app(settings)
    warm_up(app, settings)
    return app.server


# Routes whose first answer sets up or imports what later answers share: Dash sets
# itself up on its first request (not thread-safe: a second request racing it found
# no callbacks), the graph store loads the graph, the JSON encoders import lazily.
WARM_UP_PATHS = ("/", "/_dash-boot", "/_dash-layout", "/_dash-layout?page=/",
                 "/_dash-dependencies", "/api/graph/topics?limit=1", "/api/health")
log = logging.getLogger("shelfmap.serve")


def warm_up(app: dash.Dash, settings) -> float:
    """Make a new worker ready before it takes its first request; returns the seconds.

    Granian calls the loader (``_wsgi``) before the worker accepts connections, so
    requests that arrive meanwhile wait in the listen queue instead of meeting a
    half-made worker. Done here: the modules answers import lazily, imported whole by
    one thread (plotly's JSON encoder uses pandas when it is in ``sys.modules``, and
    met it half-imported by a concurrent request: ``AttributeError: partially
    initialized module 'pandas'``); the topic graph loaded; and one request to each
    route in :data:`WARM_UP_PATHS` through the app itself, and the home page rendered
    once. A cluster that is down makes those answer 503 (within the search budget),
    which is fine: the worker is ready, and health says so.
    """
    import time

    started = time.monotonic()
    import pandas  # noqa: F401  (see above)
    import plotly.io.json  # noqa: F401

    from viz.graph import store as graph_store

    graph_store.current(settings.graph_dir)
    client = app.server.test_client()
    for path in WARM_UP_PATHS:
        client.get(path)
    # The home page once, as a visitor gets it: its search (everything, with every
    # facet) is then in the cluster's request cache, so a crowd arriving at a fresh
    # server (the load bench's first seconds) is not the one that computes it.
    with app.server.test_request_context("/"):
        for page in dash.page_registry.values():
            if page.get("path") == "/" and callable(page.get("layout")):
                page["layout"]()
    seconds = time.monotonic() - started
    log.info("worker %d ready in %.1f s", os.getpid(), seconds)
    return seconds


class PortInUse(ValueError):
    """Something already listens on the address ``shelfmap serve`` was given."""


def check_port(host: str, port: int) -> None:
    """Refuse an address something already listens on. Granian's workers share their
    port (SO_REUSEPORT), so a second `shelfmap serve` on a busy port would otherwise
    start without a word and answer every other request with whatever code the first
    one runs."""
    import socket

    try:
        socket.create_server((host, port)).close()
    except OSError as exc:
        raise PortInUse(f"{host}:{port} is in use ({exc.strerror}): another shelfmap "
                        "serve? Stop it first, or give another --port") from None


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

    check_port(host or settings.host, port or settings.port)
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
