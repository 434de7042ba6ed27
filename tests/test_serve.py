"""`shelfmap serve` as an operator runs it: several worker processes answering the API,
no access log unless asked for, and gone on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from .test_demo import _free_port

pytestmark = [pytest.mark.es, pytest.mark.spark]


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _serve(settings, tmp_path, **env_extra):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHELFMAP_")}
    env.update(SHELFMAP_HOME=settings.home, SHELFMAP_ES_PORT=str(settings.es_port),
               SHELFMAP_INDEX=settings.index, SHELFMAP_PORT=str(port), **env_extra)
    if settings.es_url:
        env["SHELFMAP_ES_URL"] = settings.es_url
    log = open(tmp_path / "serve.log", "w+b")
    shelfmap = str(Path(sys.executable).with_name("shelfmap"))
    # Its own process group, as a terminal gives a command (Ctrl-C signals the group).
    server = subprocess.Popen([shelfmap, "serve"], env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/api/health", timeout=2).ok:
                return server, url, log
        except requests.ConnectionError:
            time.sleep(0.3)
    server.kill()
    log.seek(0)
    raise AssertionError(f"shelfmap serve did not answer: {log.read().decode()[-2000:]}")


def test_serve_runs_worker_processes_without_an_access_log(indexed_settings, tmp_path):
    server, url, log = _serve(indexed_settings, tmp_path, SHELFMAP_WORKERS="2")
    try:
        assert len(_children(server.pid)) == 2
        for q in ("Korea", "한국", "poetry"):
            r = requests.get(f"{url}/api/search", params={"q": q}, timeout=30)
            assert r.status_code == 200 and r.json()["total"] > 0, q
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    assert _children(server.pid) == []
    log.seek(0)
    text = log.read().decode(errors="replace")
    assert "poetry" not in text and "GET" not in text, text


def test_ctrl_c_stops_the_server_and_every_worker(indexed_settings, tmp_path):
    server, url, log = _serve(indexed_settings, tmp_path, SHELFMAP_WORKERS="2")
    workers = _children(server.pid)
    assert len(workers) == 2
    assert requests.get(f"{url}/", timeout=30).ok            # a page, then the API
    assert requests.get(f"{url}/api/search", params={"q": "Korea"}, timeout=30).ok
    os.killpg(server.pid, signal.SIGINT)                      # what Ctrl-C does
    assert server.wait(timeout=30) == 0
    assert [pid for pid in workers if Path(f"/proc/{pid}").exists()] == []
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/api/health", timeout=5)


def test_workers_follow_a_killed_server(indexed_settings, tmp_path):
    server, url, log = _serve(indexed_settings, tmp_path, SHELFMAP_WORKERS="2")
    workers = _children(server.pid)
    assert len(workers) == 2
    server.kill()                                             # SIGKILL: no shutdown at all
    server.wait(timeout=10)
    deadline = time.monotonic() + 20
    while [pid for pid in workers if Path(f"/proc/{pid}").exists()]:
        assert time.monotonic() < deadline, "workers outlived the server"
        time.sleep(0.2)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/api/health", timeout=5)


def test_serve_logs_requests_when_the_operator_asks(indexed_settings, tmp_path):
    server, url, log = _serve(indexed_settings, tmp_path, SHELFMAP_WORKERS="1",
                              SHELFMAP_LOG_QUERIES="true")
    try:
        assert requests.get(f"{url}/api/search", params={"q": "poetry"}, timeout=30).ok
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    log.seek(0)
    assert "q=poetry" in log.read().decode(errors="replace")


def test_a_second_server_on_a_busy_port_is_refused(tmp_path):
    # Granian's workers share their port: without the check, a second `shelfmap serve`
    # would start silently and answer every other request with another version's code.
    import socket

    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHELFMAP_")}
        env.update(SHELFMAP_HOME=str(tmp_path / "home"), SHELFMAP_PORT=str(port))
        shelfmap = str(Path(sys.executable).with_name("shelfmap"))
        done = subprocess.run([shelfmap, "serve"], env=env, capture_output=True, text=True,
                              timeout=60)
    assert done.returncode != 0
    assert f"127.0.0.1:{port} is in use" in done.stderr and "another shelfmap serve" in done.stderr
    assert "shelfmap at" not in done.stdout
