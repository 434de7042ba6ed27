"""Identical read requests in flight at the same time share one answer.

When a crowd arrives at once (a cold start with a hundred visitors on the home page, a
kiosk fleet reloading together, a link shared on a screen), most of its searches are
the same request. Sent one by one they queue on the cluster and on the serving
process's bulkhead (index/breaker.py), and the last ones run out of time; sent once,
the crowd costs one search. Nothing is cached: a request that arrives after the answer
is sent again, so no answer is older than the request that asked for it.

Only requests that change nothing are shared (:func:`shareable`); each follower gets
its own copy of the body, so a caller that edits its answer cannot change another's.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Hashable
from typing import Any

# Read-only endpoints whose POST carries a query, not a change.
_READ_ENDPOINTS = ("_search", "_count", "_mget", "_msearch", "_termvectors", "_mtermvectors")


def shareable(method: str, target: str) -> bool:
    """Whether ``method target`` only reads: GET and HEAD, or a POST to a search-like
    endpoint (``/shelfmap/_search?...``)."""
    if method in ("GET", "HEAD"):
        return True
    if method != "POST":
        return False
    path = target.split("?", 1)[0].rstrip("/")
    return path.rsplit("/", 1)[-1] in _READ_ENDPOINTS


def request_key(method: str, target: str, body: Any = None,
                headers: Any = None) -> Hashable:
    """The identity of a request: its method, target, headers and body (canonical
    JSON)."""
    if body is None or isinstance(body, (bytes, str)):
        text = body
    else:
        text = json.dumps(body, sort_keys=True, ensure_ascii=False, default=str)
    named = tuple(sorted((str(k).lower(), str(v)) for k, v in dict(headers or {}).items()))
    return (method, target, named, text)


class _Call:
    __slots__ = ("done", "result", "error", "followers")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.followers = 0


class InFlight:
    """Runs one call per key at a time; callers with the same key while it runs wait
    for it and get its answer or its exception. When anyone waited, every caller
    (the leader too) gets its own copy of the answer, made by ``share``.

    The leader's call must be bounded in time (the transport's request timeout is):
    followers wait as long as it takes. Thread-safe.
    """

    def __init__(self, share: Callable[[Any], Any] = copy.deepcopy):
        self._share = share
        self._lock = threading.Lock()
        self._calls: dict[Hashable, _Call] = {}
        self.shared = 0   # answers given to followers, for tests and benchmarks

    def run(self, key: Hashable, call: Callable[[], Any]) -> Any:
        with self._lock:
            running = self._calls.get(key)
            leading = running is None
            if leading:
                running = self._calls[key] = _Call()
            else:
                running.followers += 1
                self.shared += 1
        if leading:
            return self._lead(key, running, call)
        return self._follow(running)

    def _follow(self, running: _Call) -> Any:
        running.done.wait()
        if running.error is not None:
            raise running.error
        return self._share(running.result)

    def _lead(self, key: Hashable, running: _Call, call: Callable[[], Any]) -> Any:
        try:
            result = call()
        except BaseException as exc:
            running.error = exc
            self._finish(key, running)
            raise
        running.result = result
        # No one can join once the key is gone: the count read with it is final.
        if self._finish(key, running):
            return self._share(result)
        return result

    def _finish(self, key: Hashable, running: _Call) -> int:
        with self._lock:
            del self._calls[key]
            followers = running.followers
        running.done.set()
        return followers
