"""The app's answer to "can searches be answered?", without making the asker wait.

A load balancer probes every worker every few seconds; a probe that waits on a slow or
hung cluster holds a server thread and tells the balancer nothing it can act on in
time. So a worker answers health from what it last learned: the circuit breaker that
every search passes (open: degraded, at once) and a snapshot of the alias and its
document count, refreshed in the background by one thread when a probe finds it older
than ``refresh`` seconds (a refresh the cluster does not answer ends at the client's
timeout with a degraded snapshot, and counts against the breaker). Only a worker's
first probe, or the first after ``max_age`` seconds without one, waits for its
snapshot, bounded by the client's timeout.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from index.search import health


class HealthCache:
    """``answer(graph_version)`` -> the /api/health body (see index.search.health)."""

    def __init__(self, es, alias: str, *, breaker=None, refresh: float = 1.0,
                 max_age: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self.es = es
        self.alias = alias
        self.breaker = breaker
        self.refresh = refresh
        self.max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._refreshing = False
        self._snapshot: dict | None = None
        self._taken = 0.0

    def _take(self) -> None:
        try:
            snapshot = health(self.es, self.alias)
        finally:
            with self._lock:
                self._refreshing = False
        with self._lock:
            self._snapshot, self._taken = snapshot, self._clock()

    def _refresh_in_background(self) -> None:
        with self._lock:
            if self._refreshing:
                return
            self._refreshing = True
        threading.Thread(target=self._take, name="shelfmap-health", daemon=True).start()

    def answer(self, graph_version: str | None = None) -> dict:
        age = self._clock() - self._taken
        if self._snapshot is None or (age > self.max_age and not self._refreshing):
            # The first probe of this worker, or the first after a long quiet spell:
            # nothing recent to answer from, so this one waits (bounded by the
            # client's timeout).
            with self._lock:
                self._refreshing = True
            self._take()
        elif age > self.refresh:
            self._refresh_in_background()
        if self._snapshot is None:
            return {"status": "degraded", "index": None, "records": None, "korean": None,
                    "graph_version": graph_version, "reason": "health check failed"}
        out = {**self._snapshot, "graph_version": graph_version}
        if self.breaker is not None and self.breaker.is_open:
            state = self.breaker.state()
            out.update(status="degraded", reason=f"Elasticsearch has been failing for "
                       f"{state['open_seconds']} s ({state['last_error']}); searches "
                       "are answered 503 until it answers again")
        return out
