"""`shelfmap demo` as a user runs it: up, searchable (Hangul too), and gone on Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from .conftest import TEST_ES_PORT

pytestmark = [pytest.mark.es, pytest.mark.spark]

DEMO_ES_PORT = TEST_ES_PORT + 1


def _free_port() -> int:
    """A free port below Linux's ephemeral range (32768+), so that no outgoing connection
    or port-0 listener can take it in the minute before the demo binds it."""
    for port in range(28050, 28250):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 28050-28249")


def _node_processes(data_marker: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if "org.elasticsearch" in cmdline and data_marker in cmdline:
                pids.append(int(entry.name))
    return pids


@pytest.mark.skipif(os.environ.get("SHELFMAP_ES_URL") is not None,
                    reason="the demo starts its own node only when no URL is configured")
def test_demo_serves_the_sample_and_stops_cleanly(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHELFMAP_")}
    env.update(SHELFMAP_HOME=str(tmp_path / "home"), SHELFMAP_ES_PORT=str(DEMO_ES_PORT),
               SHELFMAP_PORT=str(port), SHELFMAP_SPARK_DRIVER_MEMORY="1g")
    log = open(tmp_path / "demo.log", "w")
    shelfmap = str(Path(sys.executable).with_name("shelfmap"))
    # Its own process group, as a terminal gives a command: Ctrl-C signals all of it.
    demo = subprocess.Popen([shelfmap, "demo"], env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        # Ingest, index and graph of 10,000 records on two shared cores: a few minutes.
        deadline = time.monotonic() + 900
        while True:
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()[-3000:]
            try:
                if requests.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "demo.log").read_text()[-3000:]
            time.sleep(1)

        health = requests.get(f"{base}/api/health", timeout=10).json()
        assert health["status"] == "ok" and health["records"] == 10_000
        assert health["graph_version"], "the demo builds the topic graph"
        overview = requests.get(f"{base}/api/graph/topics", timeout=10).json()
        assert overview["graph_version"] == health["graph_version"]
        assert overview["nodes"] and all(n["kind"] == "community" for n in overview["nodes"])
        found = requests.get(f"{base}/api/search", params={"q": "한국"}, timeout=10).json()
        assert found["total"] > 0
        assert all(hit["language"] == "kor" for hit in found["hits"])
        page = requests.get(f"{base}/", timeout=10)
        assert page.status_code == 200 and "shelfmap" in page.text.lower()
        node_data = tmp_path / "home" / "elasticsearch" / "data"
        marker = str(node_data.resolve())
        assert _node_processes(marker), "the demo's Elasticsearch should be running"
    finally:
        os.killpg(demo.pid, signal.SIGINT)     # what Ctrl-C does
        try:
            demo.wait(timeout=60)
        except subprocess.TimeoutExpired:
            demo.kill()
            raise
        log.close()
    assert _node_processes(marker) == [], "Ctrl-C must stop the node the demo started"
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/api/health", timeout=2)
