"""What visitors meet when things go wrong, shown on the real server (`shelfmap serve`,
granian) in front of the real node: the node stopped mid-search
(SIGSTOP), the first hundred requests after a start, and requests no page would send.

The node is the session's own: stopped here for a few seconds and always resumed.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from index import local_node

from .test_graph_store import KN, write_tiny
from .test_serve import _serve

pytestmark = [pytest.mark.es, pytest.mark.spark]

SEARCH_TIMEOUT = 5.0   # the default of SHELFMAP_SEARCH_TIMEOUT
# The budget of a search against a node that answers nothing: its timeout, plus the
# server's own time on a loaded 2-core machine.
BUDGET = SEARCH_TIMEOUT + 2.5
QUERIES = ["Korea", "history", "poetry", "economics", "한국", "China", "music", "law",
           "art", "war", "church", "science", "Japan", "women", "education", "language",
           "politics", "religion", "film", "trade"]


@pytest.fixture(scope="module")
def home(indexed_settings, tmp_path_factory):
    """A home with the tiny topic graph beside the session's indexed catalogue (the
    session's own home stays without a graph for the graph-build tests)."""
    settings = indexed_settings.replace(home=str(tmp_path_factory.mktemp("faults-home")))
    write_tiny(settings.graph_dir)
    return settings


@pytest.fixture()
def server(home, tmp_path):
    # One worker: one breaker, so which worker a request lands on does not matter, and
    # 20 stuck searches take 20 of its 32 threads (the test of threads kept free).
    proc, url, log = _serve(home, tmp_path, SHELFMAP_WORKERS="1")
    yield url, log, proc.pid
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)


def _log_text(log) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode(errors="replace")


def _node_group(settings) -> int:
    pid = local_node.LocalNode(settings)._recorded_pid()
    assert pid, "the session's node is not running"
    return os.getpgid(pid)


def _timed_get(url: str, timeout: float = 30, **params) -> tuple[int, float]:
    started = time.monotonic()
    try:
        status = requests.get(url, params=params or None, timeout=timeout).status_code
    except requests.RequestException as exc:
        status = type(exc).__name__
    return status, time.monotonic() - started


@pytest.mark.skipif(bool(os.environ.get("SHELFMAP_ES_URL")),
                    reason="stops the local node's process")
def test_a_hung_node_costs_each_search_its_budget_and_never_the_server(indexed_settings,
                                                                       server):
    url, log, _ = server
    assert requests.get(f"{url}/api/health", timeout=10).status_code == 200
    group = _node_group(indexed_settings)
    os.killpg(group, signal.SIGSTOP)
    try:
        with ThreadPoolExecutor(max_workers=24) as pool:
            searches = [pool.submit(_timed_get, f"{url}/api/search", q=q) for q in QUERIES]
            time.sleep(0.5)   # the searches are waiting on the node now
            health = pool.submit(_timed_get, f"{url}/api/health")
            overview = pool.submit(_timed_get, f"{url}/api/graph/topics")
            around = pool.submit(_timed_get, f"{url}/api/graph/topics", around=KN)
            answers = [f.result() for f in searches]
            health, overview, around = health.result(), overview.result(), around.result()
        # Every waiting search: a 503 within its budget, none left hanging.
        assert {status for status, _ in answers} == {503}, answers
        assert max(seconds for _, seconds in answers) < BUDGET, answers
        # Health and the in-memory map did not queue behind them.
        assert health[0] in (200, 503) and health[1] < 1.0, health
        assert overview == (200, overview[1]) and overview[1] < 2.0, overview
        assert around[0] == 200 and around[1] < 2.0, around
        # The breaker is open: a new search is refused at once, not after its timeout.
        status, seconds = _timed_get(f"{url}/api/search", q="Korea")
        assert status == 503 and seconds < 1.0, (status, seconds)
        # Health now says so, at once (a load balancer takes the worker out).
        for _ in range(3):
            r = requests.get(f"{url}/api/health", timeout=10)
            assert r.status_code == 503 and r.elapsed.total_seconds() < 1.0, r.text
            assert r.json()["status"] == "degraded" and r.json()["reason"], r.text
    finally:
        os.killpg(group, signal.SIGCONT)
    # The breaker closes by itself once the node answers: no visitor has to wait it out.
    deadline = time.monotonic() + 20
    while (status := _timed_get(f"{url}/api/search", q="Korea")[0]) != 200:
        assert time.monotonic() < deadline, f"searches still answer {status}"
        time.sleep(0.5)
    # Health follows within a probe or two (each answers from the last snapshot and
    # refreshes it in the background).
    deadline = time.monotonic() + 10
    while requests.get(f"{url}/api/health", timeout=10).status_code != 200:
        assert time.monotonic() < deadline, "health stayed degraded"
        time.sleep(0.5)
    text = _log_text(log)
    assert "Traceback" not in text and " 500 " not in text, text[-3000:]


def _cold_requests(url: str) -> list[tuple[str, str, dict | None]]:
    """A hundred requests of every kind a first visitor or a probe sends."""
    page = _page("/", "?q=Korea")
    kinds = [("GET", "/", None), ("GET", "/?q=한국", None), ("GET", "/_dash-layout", None),
             ("GET", "/_dash-dependencies", None), ("GET", "/api/health", None),
             ("GET", "/api/search?q=Korea", None), ("GET", "/api/graph/topics", None),
             ("GET", f"/api/graph/topics?around={KN}", None),
             ("GET", "/api/suggest?q=kor", None), ("POST", "/_dash-update-component", page)]
    return [kinds[i % len(kinds)] for i in range(100)]


def _wait_for_port(url: str, deadline: float) -> None:
    host, port = url.rsplit("/", 1)[1].split(":")
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex((host, int(port))) == 0:
                return
        time.sleep(0.02)
    raise AssertionError("the server never listened")


def test_the_first_hundred_requests_after_a_start_are_all_answered(home, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from .test_demo import _free_port

    for round_ in range(3):
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHELFMAP_")}
        # A generous search budget: what is tested here is that a fresh worker is
        # ready, not how long a cold index on a busy machine takes to answer.
        env.update(SHELFMAP_HOME=home.home, SHELFMAP_ES_PORT=str(home.es_port),
                   SHELFMAP_INDEX=home.index, SHELFMAP_PORT=str(port), SHELFMAP_WORKERS="2",
                   SHELFMAP_SEARCH_TIMEOUT="30")
        if home.es_url:
            env["SHELFMAP_ES_URL"] = home.es_url
        log = open(tmp_path / f"serve-{round_}.log", "w+b")
        proc = subprocess.Popen([str(Path(sys.executable).with_name("shelfmap")), "serve"],
                                env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            # The moment the port accepts, as a load balancer's first probes would.
            _wait_for_port(url, time.monotonic() + 90)
            start = threading.Barrier(100)

            def send(kind):
                method, path, body = kind
                start.wait()
                try:
                    r = requests.request(method, url + path, json=body, timeout=60)
                    return r.status_code if r.status_code < 500 else (r.status_code, r.text[:200])
                except requests.RequestException as exc:
                    return type(exc).__name__

            with ThreadPoolExecutor(max_workers=100) as pool:
                statuses = list(pool.map(send, _cold_requests(url)))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        failed = [(kind, s) for kind, s in zip(_cold_requests(url), statuses)
                  if not isinstance(s, int)]
        assert not failed, (round_, failed[:10])
        text = _log_text(log)
        assert "Traceback" not in text, text[-3000:]


# -- requests no page sends --------------------------------------------------------------

def test_unknown_asset_paths_are_404(api):
    for path in ("/_dash-component-suites/no_such_package/x.js",
                 "/_dash-component-suites/dash/no/such/file.js",
                 "/assets/no-such-file.css"):
        r = api(path)
        assert r.status_code == 404, (path, r.status_code, r.text[:200])
        assert len(r.content) < 2000


def _callback(app_url, body=None, **kwargs) -> requests.Response:
    return requests.post(f"{app_url}/_dash-update-component", json=body, timeout=30,
                         **kwargs)


SUGGEST = {"output": "search-suggest.children",
           "outputs": {"id": "search-suggest", "property": "children"},
           "inputs": [{"id": "search-q", "property": "value", "value": "kor"}],
           "changedPropIds": ["search-q.value"],
           # The page's location: its search holds the interface language.
           "state": [{"id": "_pages_location", "property": "search", "value": ""}]}


@pytest.mark.parametrize("body", [
    None, [], "text", 42, {}, {"output": 7}, {"output": "no-such.children"},
    {"output": "_pages_dummy.children", "inputs": [{"id": "_pages_store",   # clientside
                                                    "property": "data", "value": {}}]},
    {**SUGGEST, "inputs": []},
    {**SUGGEST, "inputs": "search-q"},
    {**SUGGEST, "inputs": [{"id": "other", "property": "value", "value": "x"}]},
    {**SUGGEST, "inputs": [{"id": "search-q", "property": "value", "value": {"a": 1}}]},
    {**SUGGEST, "inputs": [{"id": "search-q", "property": "value", "value": [[1]]}]},
    {**SUGGEST, "outputs": [1, 2]},
    {**SUGGEST, "changedPropIds": "search-q.value"},
    {**SUGGEST, "state": [{"id": "x", "property": "y"}]},
], ids=repr)
def test_malformed_callbacks_are_400(app_url, body, caplog):
    r = _callback(app_url, body)
    assert r.status_code == 400, (r.status_code, r.text[:300])
    assert r.json()["error"]
    assert not [rec for rec in caplog.records if rec.levelname == "ERROR"]


def test_a_body_that_is_not_json_is_400(app_url):
    r = requests.post(f"{app_url}/_dash-update-component", data=b"\xff{not json",
                      headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 400


def test_a_well_formed_callback_still_runs(app_url):
    r = _callback(app_url, SUGGEST)
    assert r.status_code == 200, r.text[:300]
    # A number where the box sends text is read as text, not a crash.
    number = {**SUGGEST, "inputs": [{"id": "search-q", "property": "value", "value": 1950}]}
    assert _callback(app_url, number).status_code in (200, 204)


def test_oversized_bodies_are_413_before_they_are_read(app_url):
    big = {**SUGGEST, "inputs": [{"id": "search-q", "property": "value",
                                  "value": "x" * (2 * 1024 * 1024)}]}
    r = _callback(app_url, big)
    assert r.status_code == 413 and len(r.content) < 2000


def _rss_kb(pids) -> int:
    total = 0
    for pid in pids:
        try:
            status = open(f"/proc/{pid}/status").read()
        except OSError:
            continue
        total += int(status.split("VmRSS:")[1].split()[0])
    return total


def _post_huge(url: str, megabytes: int) -> bytes:
    """Announce a body of ``megabytes`` and send as much of it as the server takes."""
    host, port = url.rsplit("/", 1)[1].split(":")
    size = megabytes * 1024 * 1024
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(f"POST /_dash-update-component HTTP/1.1\r\nHost: {host}\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {size}\r\n"
                  "Connection: close\r\n\r\n".encode())
        chunk = b"[" + b"0," * 32767
        try:
            for _ in range(size // len(chunk)):
                s.sendall(chunk)
        except OSError:
            pass  # the server answered and closed: what it should do
        try:
            return s.recv(200)
        except OSError:
            return b""


def test_eight_huge_bodies_at_once_cost_the_server_nothing(server):
    from .test_serve import _children

    url, log, main_pid = server
    pids = [main_pid, *_children(main_pid)]
    before = _rss_kb(pids)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: _post_huge(url, 50), range(8)))
    after = _rss_kb(pids)
    assert all(a.startswith(b"HTTP/1.1 413") or a == b"" for a in answers), answers
    assert any(a.startswith(b"HTTP/1.1 413") for a in answers), answers
    assert after - before < 40 * 1024, (before, after)
    assert requests.get(f"{url}/api/health", timeout=10).status_code == 200
    assert "Traceback" not in _log_text(log)


def _page(pathname: str, search: str) -> dict:
    return {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


@pytest.mark.parametrize("pathname,search", [
    ("/", "?page=99999999999999999999"), ("/", "?page=-1&size=0"),
    ("/", "?year_from=abc&year_to=%ZZ"), ("/", "?q=" + "한" * 5000),
    ("/", "?q=%00%ff&subject=&author=%"), ("/", "?sort=drop+table"),
    ("/record/" + "x" * 5000, ""), ("/record/%ZZ", ""), ("/record/", "?size=abc"),
    ("/no/such/page", ""), ("/", None), ("/record/x", None),
], ids=repr)
def test_hostile_addresses_through_the_page_router_are_never_500(app_url, pathname,
                                                                 search, caplog):
    r = _callback(app_url, _page(pathname, search))
    assert r.status_code < 500, (r.status_code, r.text[:300])
    assert not [rec for rec in caplog.records if rec.levelname == "ERROR"]
