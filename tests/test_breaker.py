"""The circuit breaker, the bulkhead and the health snapshot of the app's Elasticsearch
clients (index/breaker.py, index/health.py), over real connections: a port nobody
listens on, and the session's node."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from index.breaker import CircuitBreaker, CircuitOpen, Overloaded
from index.client import connect_interactive, interactive_slots
from index.health import HealthCache
from index.search import SearchUnavailable, search
from index.queries import SearchParams


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_opens_after_failures_in_a_row_and_a_success_resets_the_count():
    breaker = CircuitBreaker(failures=3, clock=Clock())
    breaker.failure("no connection")
    breaker.failure("no connection")
    breaker.success()
    breaker.failure("no connection")
    breaker.failure("no connection")
    assert not breaker.is_open
    breaker.failure("no answer in time")
    assert breaker.is_open
    assert breaker.state()["last_error"] == "no answer in time"
    breaker.success()
    assert not breaker.is_open and breaker.state() == {
        "state": "closed", "open_seconds": None, "last_error": "no answer in time"}


def test_the_probe_closes_it_by_itself():
    answers = iter([False, False, True])
    calls = []

    def probe():
        calls.append(time.monotonic())
        return next(answers)

    breaker = CircuitBreaker(failures=1, probe_interval=0.05, probe=probe)
    breaker.failure("no connection")
    deadline = time.monotonic() + 5
    while breaker.is_open:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert len(calls) == 3
    # A second opening starts a new prober (the first one ended when it closed).
    answers = iter([True])
    breaker.failure("no connection")
    deadline = time.monotonic() + 5
    while breaker.is_open:
        assert time.monotonic() < deadline
        time.sleep(0.01)


def test_a_raising_probe_counts_as_a_failed_probe():
    def probe():
        raise OSError("unreachable")

    breaker = CircuitBreaker(failures=1, probe_interval=0.02, probe=probe)
    breaker.failure("no connection")
    time.sleep(0.2)
    assert breaker.is_open and breaker.last_error == "probe: OSError"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_cluster_that_is_gone_opens_the_circuit_and_searches_fail_at_once(
        base_settings):
    settings = base_settings.replace(es_port=_closed_port(), search_timeout=1.0)
    es, health_es = connect_interactive(settings, threads=8)
    breaker = es.transport.breaker
    assert health_es.transport.breaker is breaker
    for _ in range(3):   # each: a refused connection, retried once, then given up
        with pytest.raises(SearchUnavailable):
            search(es, "shelfmap", SearchParams(q="Korea"))
    assert breaker.is_open
    started = time.monotonic()
    with pytest.raises(CircuitOpen):
        es.count(index="shelfmap")
    assert time.monotonic() - started < 0.05     # not sent at all
    with pytest.raises(SearchUnavailable):          # what the app answers 503 for
        search(es, "shelfmap", SearchParams(q="Korea"))
    answer = HealthCache(health_es, "shelfmap", breaker=breaker).answer("g1")
    assert answer["status"] == "degraded" and "failing" in answer["reason"]
    assert answer["graph_version"] == "g1"


def test_a_live_cluster_closes_it_again(es_settings):
    es, health_es = connect_interactive(es_settings, threads=8)
    breaker = es.transport.breaker
    for _ in range(3):
        breaker.failure("no answer in time")
    assert breaker.is_open
    deadline = time.monotonic() + 10   # the probe pings every 2 s
    while breaker.is_open:
        assert time.monotonic() < deadline, "the probe never closed the circuit"
        time.sleep(0.1)
    assert es.cluster.health()["status"]


def test_the_bulkhead_refuses_one_request_too_many(es_settings):
    es, _ = connect_interactive(es_settings, threads=8)
    slots = es.transport.slots
    assert interactive_slots(8) == 6 and interactive_slots(32) == 28
    held = [slots.acquire(blocking=False) for _ in range(6)]
    try:
        assert all(held)
        started = time.monotonic()
        with pytest.raises(Overloaded):
            es.cluster.health()
        waited = time.monotonic() - started   # it waited its turn, then gave up
        assert es.transport.slot_wait <= waited < es.transport.slot_wait + 0.5
        assert not es.transport.breaker.is_open   # being busy is not a failing cluster
    finally:
        for _ in held:
            slots.release()
    assert es.cluster.health()["status"]


def test_health_answers_from_its_snapshot_and_refreshes_in_the_background(indexed_settings):
    _, health_es = connect_interactive(indexed_settings, threads=4)
    clock = Clock()
    cache = HealthCache(health_es, indexed_settings.index, refresh=1.0, max_age=5.0,
                        clock=clock)
    first = cache.answer()
    assert first["status"] == "ok" and first["records"] == 10_000
    clock.now += 3          # stale for a refresh, fresh enough to answer from
    assert cache.answer()["status"] == "ok"
    deadline = time.monotonic() + 10
    while cache._taken != clock.now:   # the background refresh has run
        assert time.monotonic() < deadline
        time.sleep(0.05)
    clock.now += 6          # a quiet spell longer than max_age: this probe asks itself
    taken = cache._taken
    assert cache.answer()["status"] == "ok" and cache._taken == clock.now != taken
    # A refresh still waiting on the cluster: probes answer from the last snapshot.
    clock.now += 2
    cache._refreshing = True
    assert cache.answer()["status"] == "ok" and cache._taken == clock.now - 2


def test_the_breaker_is_thread_safe():
    breaker = CircuitBreaker(failures=1000)

    def hammer():
        for _ in range(500):
            breaker.failure("no connection")

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert breaker.is_open and breaker._in_a_row == 2000
