"""Identical reads in flight share one request (index/coalesce.py), in the threads of one
serving process and against the session's node: a crowd on one page costs one search."""

from __future__ import annotations

import threading
import time

import pytest

from index.client import connect_interactive
from index.coalesce import InFlight, request_key, shareable
from index.queries import SearchParams
from index.search import search


@pytest.mark.parametrize(("method", "target", "shared"), [
    ("POST", "/shelfmap/_search?typed_keys=true", True),
    ("POST", "/shelfmap/_count", True),
    ("POST", "/_mget", True),
    ("GET", "/shelfmap/_doc/loc-123", True),
    ("HEAD", "/shelfmap", True),
    ("POST", "/_bulk", False),
    ("POST", "/shelfmap/_update/loc-123", False),
    ("PUT", "/shelfmap-2/_doc/loc-123", False),
    ("DELETE", "/shelfmap-1", False),
    ("POST", "/_aliases", False),
    ("POST", "/shelfmap/_search_ish", False),
])
def test_only_requests_that_change_nothing_are_shared(method, target, shared):
    assert shareable(method, target) is shared


def test_the_key_is_the_request_whatever_the_order_of_its_body():
    a = request_key("POST", "/s/_search", {"query": {"match": {"title": "서울"}}, "size": 3})
    b = request_key("POST", "/s/_search", {"size": 3, "query": {"match": {"title": "서울"}}})
    assert a == b
    assert a != request_key("POST", "/s/_search", {"size": 4, "query": {"match": {"title": "서울"}}})
    assert a != request_key("POST", "/t/_search", {"size": 3, "query": {"match": {"title": "서울"}}})


def _crowd(n, work):
    """``n`` threads calling ``work()`` together; their answers or exceptions."""
    start = threading.Barrier(n)
    answers: list = [None] * n

    def visitor(i):
        start.wait()
        try:
            answers[i] = work()
        except Exception as exc:   # each visitor's outcome is the test's to read
            answers[i] = exc

    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def test_a_crowd_sends_one_request_and_each_visitor_gets_its_own_answer():
    in_flight = InFlight()
    calls = []
    everyone_waits = threading.Event()

    def search_once():
        calls.append(1)
        everyone_waits.wait(timeout=10)
        return {"hits": [{"id": "loc-1"}]}

    def work():
        return in_flight.run("the home page", search_once)

    def release_when_all_joined():
        while in_flight.shared < 19:
            time.sleep(0.01)
        everyone_waits.set()

    threading.Thread(target=release_when_all_joined, daemon=True).start()
    answers = _crowd(20, work)
    assert len(calls) == 1 and in_flight.shared == 19
    assert all(answer == {"hits": [{"id": "loc-1"}]} for answer in answers)
    assert len({id(answer) for answer in answers}) == 20   # no two share one object
    answers[0]["hits"].clear()
    assert answers[1]["hits"] == [{"id": "loc-1"}]
    # Nothing is kept: the next request after the answer is sent again.
    assert in_flight.run("the home page", lambda: {"hits": []}) == {"hits": []}


def test_a_failed_request_fails_everyone_who_shared_it():
    in_flight = InFlight()

    def failing():
        while in_flight.shared < 4:
            time.sleep(0.01)
        raise TimeoutError("no answer in time")

    answers = _crowd(5, lambda: in_flight.run("k", failing))
    assert all(isinstance(answer, TimeoutError) for answer in answers)
    assert in_flight.run("k", lambda: "again") == "again"


def _searches_run(es, index: str) -> int:
    stats = es.indices.stats(index=index, metric="search")
    return stats["_all"]["primaries"]["search"]["query_total"]


def test_a_crowd_on_the_home_page_costs_the_cluster_one_search(indexed_settings):
    es, _ = connect_interactive(indexed_settings, threads=8)
    alias = indexed_settings.index
    home = SearchParams()
    search(es, alias, home)
    before = _searches_run(es, alias)
    search(es, alias, home)
    one = _searches_run(es, alias) - before   # one search, on each of the shards

    # Every slot but none is taken, so the crowd's first search waits for one: the
    # rest of the crowd joins it meanwhile.
    slots = es.transport.slots
    held = [slots.acquire(blocking=False) for _ in range(6)]
    assert all(held)
    threading.Timer(0.5, slots.release).start()
    try:
        before = _searches_run(es, alias)
        answers = _crowd(30, lambda: search(es, alias, home))
    finally:
        for _ in held[1:]:
            slots.release()
    assert not [a for a in answers if isinstance(a, Exception)], answers
    assert _searches_run(es, alias) - before == one
    assert es.transport.in_flight.shared == 29
    totals = {answer["total"] for answer in answers}
    assert len(totals) == 1 and totals.pop() > 1000
    es.close()
