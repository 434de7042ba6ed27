"""A cluster that is gone, in the small: the bulk writer gives up after its
connection-error budget (by count and by time) and reads no further, against a real
port where nothing listens; the driver's watch decides "gone" from its probes and
cancels once; the transport's warnings stay off the terminal."""

from __future__ import annotations

import socket
import time

import pytest

import settings as settings_module
from index import bulk, watch
from index.client import ClusterUnavailable, connect


@pytest.fixture()
def dead_es():
    """A real client for a loopback port where nothing listens: every request is
    refused at once, as after the node was killed."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    es = connect(settings_module.load(environ={}, home="/nonexistent", es_port=port),
                 timeout=5, retries=0)
    yield es
    es.close()


def _docs(n: int, pulled: list[int]):
    for i in range(n):
        pulled[0] += 1
        yield {"_op_type": "index", "_index": "gone", "_id": f"doc-{i}",
               "_source": {"title": f"record {i}"}}


def test_the_writer_stops_after_its_connection_retries(dead_es):
    pulled, pauses = [0], []
    with pytest.raises(ClusterUnavailable,
                       match=r"^ConnectionError during the bulk request, 4 retries in "
                             r"\d+ s$"):
        bulk.write(dead_es, _docs(5000, pulled), chunk_size=500, initial_backoff=0.01,
                   sleep=pauses.append)
    assert pauses == [0.01, 0.02, 0.04, 0.08]          # CONNECTION_RETRIES, then it stops
    # Not on to the next chunk: the first chunk and the one built meanwhile were read
    # (501 + 500 actions), none of the other 3,999.
    assert pulled[0] <= 1001


def test_the_writer_stops_when_its_connection_budget_is_spent(dead_es):
    pulled, pauses = [0], []
    started = time.monotonic()
    with pytest.raises(ClusterUnavailable, match=", 2 retries in "):
        bulk.write(dead_es, _docs(10, pulled), initial_backoff=0.2, connection_retries=50,
                   connection_budget=1.0, sleep=lambda s: (pauses.append(s), time.sleep(s)))
    # 0.2 + 0.4 fit in a second from the first failure; 0.8 more would not.
    assert pauses == [0.2, 0.4]
    assert time.monotonic() - started < 5


def test_backpressure_keeps_the_patient_retries_and_the_budget_restarts_on_an_answer():
    """The interface bulk.write uses, answering as a cluster that restarts and then is
    busy: two refused connections, a 503 for the whole request, three more refused
    connections, then success. Every retry is allowed: the outage ended with the 503."""
    from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
    from elasticsearch import ApiError
    from elasticsearch import ConnectionError as ESConnectionError

    class Restarting:
        calls = 0

        def bulk(self, operations, **params):
            Restarting.calls += 1
            if Restarting.calls in (1, 2, 4, 5, 6):
                raise ESConnectionError("connection refused")
            if Restarting.calls == 3:
                meta = ApiResponseMeta(status=503, http_version="1.1", headers=HttpHeaders(),
                                       duration=0.0, node=NodeConfig("http", "127.0.0.1", 9))
                raise ApiError("unavailable", meta=meta, body={})
            lines = operations.splitlines()
            return {"items": [{"index": {"status": 201}} for _ in lines[::2]]}

    pauses = []
    done = bulk.write(Restarting(), _docs(3, [0]), connection_retries=3, initial_backoff=1,
                      max_backoff=4, sleep=pauses.append)
    assert (done["ok"], done["failed"], done["retries"]) == (3, 0, 6)
    assert pauses == [1, 2, 4, 4, 4, 4]


# --- the driver's watch ----------------------------------------------------------------

def test_an_outage_is_two_failed_probes_spanning_the_grace_period():
    outage = watch.Outage()
    outage.failed(100.0, "ConnectionError")
    assert not outage.gone(130.0, grace=20)            # one lost probe is not an outage
    outage.failed(125.0, "ConnectionError")
    assert outage.down_for(125.0) == 25.0 and outage.gone(125.0, grace=20)
    outage.answered()
    assert not outage.gone(200.0, grace=20) and outage.down_for(200.0) == 0.0
    outage.failed(200.0, "ConnectionTimeout")
    outage.failed(210.0, "ConnectionTimeout")
    assert not outage.gone(210.0, grace=20) and outage.gone(220.0, grace=20)


def test_the_watch_cancels_once_when_the_cluster_stops_answering(dead_es):
    cancelled = []
    started = time.monotonic()
    with watch.Watch(dead_es, "gone", lambda: cancelled.append(time.monotonic()),
                     interval=0.1, grace=0.5) as watching:
        while not cancelled and time.monotonic() - started < 10:
            time.sleep(0.05)
        time.sleep(0.5)
    assert len(cancelled) == 1
    assert 0.5 <= cancelled[0] - started < 5
    assert watching.gone.startswith("no answer for ") and "ConnectionError" in watching.gone
    assert watching.written == 0


def test_the_watch_reads_how_many_documents_the_index_took(es):
    name = "shelfmap-watch-count"
    es.indices.create(index=name, settings={"number_of_shards": 1, "number_of_replicas": 0,
                                            "refresh_interval": "-1"})
    try:
        bulk.write(es, ({**d, "_index": name} for d in _docs(20, [0])))
        watching = watch.Watch(es, name, lambda: None)
        assert watching.probe() is True and watching.written == 0   # counted from here
        bulk.write(es, ({**d, "_index": name} for d in _docs(120, [0])), chunk_size=50)
        es.delete(index=name, id="doc-3")
        assert watching.probe() is True
        # Nothing is searchable yet (no refresh), but the index took 120 + 1 delete.
        assert es.count(index=name)["count"] == 0 and watching.written == 121
        assert watching.gone is None
    finally:
        es.indices.delete(index=name)


def test_the_transports_warnings_reach_the_terminal_only_with_verbose(tmp_path):
    """The client's transport warns about every failed request; people see one line from
    whoever gives up, and the warnings with `shelfmap -v`."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SHELFMAP_HOME": str(tmp_path),
           "SHELFMAP_ES_PORT": str(port)}
    cli = Path(sys.executable).with_name("shelfmap")
    quiet = subprocess.run([str(cli), "status"], env=env, capture_output=True, text=True,
                           timeout=60)
    loud = subprocess.run([str(cli), "-v", "status"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert quiet.returncode == loud.returncode == 1
    assert "degraded" in quiet.stdout and quiet.stderr == ""
    assert "elastic_transport.node_pool: Node <Urllib3HttpNode" in loud.stderr
