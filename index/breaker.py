"""Interactive requests to Elasticsearch within a time budget, behind a circuit breaker.

A visitor's search must answer in seconds, also when the cluster does not: a node
stopped mid-request (SIGSTOP, a long GC pause, a partitioned network) keeps TCP
connections open and answers nothing, and each waiting search holds a server thread.
So the app's client (:func:`index.client.connect_interactive`) has a short timeout and
never retries a timeout, and its transport is a :class:`GuardedTransport`:

- **Breaker.** After ``failures`` requests in a row that the cluster failed (no
  connection, no answer in time, 502/503/504), the breaker opens: every request fails
  at once with :class:`CircuitOpen` (the app answers 503) instead of waiting out its
  timeout. While open, one background thread pings the cluster every
  ``probe_interval`` seconds; the first answer closes the breaker by itself, without a
  visitor's request having to be the one that waits.
- **Bulkhead.** At most ``slots`` requests of one process wait on the cluster at
  once; one more waits up to ``slot_wait`` seconds for a slot (a burst of visitors
  is served in turn: healthy searches take tens of milliseconds) and then fails with
  :class:`Overloaded`. The server's threads are a few more than the slots, so a
  health check or a map drawn from memory finds a thread within ``slot_wait``,
  however many searches are stuck.

- **Shared answers.** Identical read requests in flight at once are sent once and
  share the answer (index/coalesce.py): a crowd on one page costs one search and one
  slot.

Both errors are ``elastic_transport.TransportError`` subclasses, so every caller that
already handles a failed cluster (``index.search`` turns them into SearchUnavailable)
handles them too.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from elastic_transport import ConnectionError as TransportConnectionError
from elastic_transport import ConnectionTimeout, Transport, TransportError

from index.coalesce import InFlight, request_key, shareable

log = logging.getLogger("shelfmap.breaker")

FAILURE_STATUSES = frozenset({502, 503, 504})


class CircuitOpen(TransportError):
    """The cluster has been failing; the request was not sent."""


class Overloaded(TransportError):
    """Too many requests of this process are already waiting on the cluster."""


class CircuitBreaker:
    """Closed (requests go through) or open (they fail at once) after ``failures``
    cluster failures in a row; ``probe()`` (returning True when the cluster answers)
    runs every ``probe_interval`` seconds in one background thread while open.

    Thread-safe; one per process, shared by every thread.
    """

    def __init__(self, *, failures: int = 3, probe_interval: float = 2.0,
                 probe: Callable[[], bool] | None = None,
                 clock: Callable[[], float] = time.monotonic):
        if failures < 1:
            raise ValueError(f"failures must be at least 1, not {failures}")
        self.failures = failures
        self.probe_interval = probe_interval
        self.probe = probe
        self._clock = clock
        self._lock = threading.Lock()
        self._in_a_row = 0
        self._opened_at: float | None = None
        self._prober: threading.Thread | None = None
        self.last_error: str | None = None

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def state(self) -> dict:
        """``{"state": "closed"|"open", "open_seconds", "last_error"}`` for health."""
        opened = self._opened_at
        return {"state": "open" if opened is not None else "closed",
                "open_seconds": None if opened is None else round(self._clock() - opened, 1),
                "last_error": self.last_error}

    def success(self) -> None:
        with self._lock:
            self._in_a_row = 0
            if self._opened_at is not None:
                log.warning("Elasticsearch answers again after %.1f s: circuit closed",
                            self._clock() - self._opened_at)
                self._opened_at = None

    def failure(self, reason: str) -> None:
        with self._lock:
            self._in_a_row += 1
            self.last_error = reason
            if self._opened_at is not None or self._in_a_row < self.failures:
                return
            self._opened_at = self._clock()
            log.warning("Elasticsearch failed %d times in a row (%s): circuit open, "
                        "searches answer 503 until it answers again", self._in_a_row, reason)
            if self.probe is not None and (self._prober is None
                                           or not self._prober.is_alive()):
                self._prober = threading.Thread(target=self._probe_until_closed,
                                                name="shelfmap-breaker-probe", daemon=True)
                self._prober.start()

    def _probe_until_closed(self) -> None:
        while self.is_open:
            time.sleep(self.probe_interval)
            try:
                answered = self.probe()
            except Exception as exc:  # a probe that raises is a failed probe
                self.last_error = f"probe: {type(exc).__name__}"
                answered = False
            if answered:
                self.success()


def _failure_reason(exc: BaseException) -> str | None:
    """Why ``exc`` counts against the cluster, or None when it does not."""
    if isinstance(exc, ConnectionTimeout):
        return "no answer in time"
    if isinstance(exc, TransportConnectionError):
        return "no connection"
    return None


class GuardedTransport(Transport):
    """An elastic_transport ``Transport`` whose requests pass the breaker and the
    bulkhead, identical reads in flight sharing one. Set ``breaker``, ``slots`` and
    ``in_flight`` after construction (the client builds the transport itself); unset,
    it behaves as a plain transport."""

    breaker: CircuitBreaker | None = None
    slots: threading.BoundedSemaphore | None = None
    slot_wait: float = 1.0
    in_flight: InFlight | None = None

    def perform_request(self, method, target, **kwargs):
        in_flight = self.in_flight
        if in_flight is None or not shareable(method, target):
            return self._guarded(method, target, **kwargs)
        key = request_key(method, target, kwargs.get("body"), kwargs.get("headers"))
        return in_flight.run(key, lambda: self._guarded(method, target, **kwargs))

    def _guarded(self, method, target, **kwargs):
        breaker, slots = self.breaker, self.slots
        if breaker is not None and breaker.is_open:
            raise CircuitOpen(f"circuit open: {breaker.last_error}")
        if slots is not None and not slots.acquire(timeout=self.slot_wait):
            raise Overloaded("too many requests waiting on Elasticsearch")
        try:
            response = super().perform_request(method, target, **kwargs)
        except TransportError as exc:
            reason = _failure_reason(exc)
            if breaker is not None and reason:
                breaker.failure(reason)
            raise
        finally:
            if slots is not None:
                slots.release()
        if breaker is not None:
            if response.meta.status in FAILURE_STATUSES:
                breaker.failure(f"answered {response.meta.status}")
            else:
                breaker.success()
        return response

    def ping(self, timeout: float) -> bool:
        """Whether the cluster answers, asked past the breaker and the bulkhead.

        Cluster health, not ``GET /``: the server-core distribution has no handler for
        ``/``. Any answer below 500 (a red cluster answers 200) means it is there.
        """
        try:
            response = super().perform_request(
                "GET", "/_cluster/health", headers={"accept": "application/json"},
                request_timeout=timeout, max_retries=0)
        except TransportError:
            return False
        return response.meta.status < 500
