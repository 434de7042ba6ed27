"""What pages need from the app (the Elasticsearch client, the alias), per app.

``create_app`` installs one :class:`Services` on its Flask server; page layouts and
callbacks run inside a request of that server and read it back with :func:`current`.
No module-level state: two apps in one process each see their own.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import flask
from elasticsearch import Elasticsearch

from viz.graph import store as graph_store

EXTENSION = "shelfmap"
query_log = logging.getLogger("shelfmap.queries")


@dataclasses.dataclass(frozen=True)
class Services:
    es: Elasticsearch
    alias: str
    log_queries: bool = False
    # Answers /api/health without waiting on the cluster (index.health.HealthCache).
    health: object | None = None
    # Where the topic graph's builds live (settings.graph_dir); None: no graph pages.
    graph_dir: Path | None = None

    def graph(self) -> graph_store.GraphStore | None:
        """The current topic graph, or None before the
        first build (or without a graph folder)."""
        if self.graph_dir is None:
            return None
        store = graph_store.current(self.graph_dir)
        if store is not None:
            from viz.components import map_view

            map_view.warm(store)   # once per build: its views drawn in the background
        return store

    def log_query(self, where: str, args) -> None:
        """Log a visitor's query only when the operator turned that on."""
        if self.log_queries:
            query_log.info("%s %s", where, dict(args))


def install(server: flask.Flask, services: Services) -> None:
    server.extensions[EXTENSION] = services


def current() -> Services:
    return flask.current_app.extensions[EXTENSION]
