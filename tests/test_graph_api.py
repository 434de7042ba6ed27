"""/api/graph/topics over HTTP: the tiny hand-made build of tests/test_graph_store.py
served by an app whose Elasticsearch holds LoC mixed-10000 (``indexed_settings``), so
the records mode reads real records' subject_terms.

The build is written under a home of its own (the index and cluster are the session's),
so the session's home stays without a graph for the tests of the graph build.
"""

from __future__ import annotations

import contextlib
import threading

import pytest
import requests

import cli
from tests.test_graph_store import (A_KN, DS, KN, KN_POLITICS, KN_RECORDS, KOREA, LITERATURE,
                                    NODES, NUCLEAR, STEEL, write_tiny)

pytestmark = [pytest.mark.es, pytest.mark.spark]

NODE_KEYS = {"id", "label", "kind", "community", "x", "y", "weight", "records", "centrality"}
EDGE_KEYS = {"source", "target", "weight", "records"}


@contextlib.contextmanager
def serving(settings):
    """The app on ``settings`` over real HTTP (a werkzeug server in a thread)."""
    from werkzeug.serving import make_server

    from app import create_app

    server = make_server("127.0.0.1", 0, create_app(settings).server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield lambda path, **params: requests.get(url + path, params=params or None,
                                                  timeout=30)
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def graph_settings(indexed_settings, tmp_path_factory):
    return indexed_settings.replace(home=str(tmp_path_factory.mktemp("graph-home")))


@pytest.fixture(scope="module")
def graph_version(graph_settings):
    return write_tiny(graph_settings.graph_dir)


@pytest.fixture(scope="module")
def get(graph_settings, graph_version):
    with serving(graph_settings) as get:
        yield get


@pytest.fixture(scope="module")
def get_without_graph(indexed_settings, tmp_path_factory):
    with serving(indexed_settings.replace(home=str(tmp_path_factory.mktemp("no-graph")))) \
            as get:
        yield get


def topics(get, **params) -> dict:
    r = get("/api/graph/topics", **params)
    assert r.status_code == 200, r.text
    body = r.json()
    for node in body["nodes"]:
        assert NODE_KEYS <= set(node), node
    for edge in body["edges"]:
        assert set(edge) == EDGE_KEYS, edge
    return body


def ids(body: dict) -> list[str]:
    return [node["id"] for node in body["nodes"]]


def test_health_reports_the_graph_version(get, graph_version):
    body = get("/api/health").json()
    assert body["status"] == "ok" and body["graph_version"] == graph_version


def test_overview(get, graph_version):
    body = get("/api/graph/topics").json()
    assert body["graph_version"] == graph_version
    assert ids(body) == ["community:0", "community:1", "community:2", "community:3"]
    assert body["nodes"][0] == {
        "id": "community:0", "label": "Korea (North)", "kind": "community", "community": 0,
        "x": -0.5, "y": 0.3, "weight": 7, "size": 7, "radius": 0.4,
        "top": [KN, NUCLEAR, KOREA, KN_POLITICS, DS]}
    two = get("/api/graph/topics", limit="2").json()
    assert ids(two) == ["community:0", "community:1"]
    assert two["edges"] == [{"source": "community:0", "target": "community:1",
                             "weight": 0.05, "links": 1}]


def test_around_a_label_or_an_id(get):
    by_label = topics(get, around="Korea (North)")
    assert ids(by_label)[:3] == [KN, NUCLEAR, A_KN]
    assert by_label["nodes"][0] == {
        "id": KN, "label": "Korea (North)", "kind": "subject", "community": 0, "x": -0.5,
        "y": 0.3, "weight": 58, "records": 58, "centrality": 0.16}
    assert by_label["edges"][0] == {"source": KN, "target": NUCLEAR, "weight": 0.6,
                                    "records": 8}
    assert topics(get, around=KN)["nodes"] == by_label["nodes"]
    # The default depth is 1: nothing two links away.
    assert KN_POLITICS not in ids(by_label)


def test_around_depth_and_limit(get):
    assert ids(topics(get, around=KN, depth="2", limit="8"))[-1] == LITERATURE
    assert len(topics(get, around=KN, depth="3", limit="500")["nodes"]) == 15
    capped = topics(get, around=KN, depth="3", limit="3")
    assert ids(capped) == [KN, NUCLEAR, A_KN] and len(capped["edges"]) == 2


def test_path(get):
    body = topics(get, **{"from": "Korea (North)", "to": "author:Yi, Hwang, 1501-1570"})
    assert ids(body) == [KN, "subject:Korean poetry", "subject:Sijo",
                         "author:Yi, Hwang, 1501-1570"]
    assert len(body["edges"]) == 3
    stronger = topics(get, **{"from": A_KN, "to": "nuclear weapons"})
    assert ids(stronger) == [A_KN, KN_POLITICS, NUCLEAR]


def test_map_around_records_reads_their_subjects_from_the_index(get, es, indexed_settings):
    from index.search import subject_terms

    # The records really hold these headings (and the test graph's nodes are named
    # after them).
    assert subject_terms(es, indexed_settings.index, list(KN_RECORDS)) == KN_RECORDS
    body = topics(get, records=",".join(KN_RECORDS))
    assert ids(body) == [KN, NUCLEAR, KN_POLITICS]
    assert [n["hits"] for n in body["nodes"]] == [3, 2, 2]
    assert [(e["source"], e["target"]) for e in body["edges"]] == [(KN_POLITICS, NUCLEAR),
                                                                   (KN, NUCLEAR)]
    assert body["missing"] == []
    some = topics(get, records=" DLC:00272177 , DLC:99999999,DLC:00272177", limit="1")
    assert ids(some) == [KN] and some["missing"] == ["DLC:99999999"]


@pytest.mark.parametrize("params, parameter", [
    ({"around": "Korea (South)"}, "around"),
    ({"from": "Korea (South)", "to": KN}, "from"),
    ({"from": KN, "to": "subject:nowhere"}, "to"),
    ({"records": "DLC:99999999,DLC:99999998"}, "records"),
])
def test_unknown_nodes_and_records_are_404(get, params, parameter):
    r = get("/api/graph/topics", **params)
    assert r.status_code == 404
    assert r.json()["parameter"] == parameter


def test_no_path_is_404(get):
    r = get("/api/graph/topics", **{"from": KN, "to": STEEL})
    assert r.status_code == 404
    assert r.json()["error"].startswith("no path of at most 6 links")


@pytest.mark.parametrize("params, parameter", [
    ({"around": KN, "depth": "0"}, "depth"),
    ({"around": KN, "depth": "4"}, "depth"),
    ({"around": KN, "depth": "two"}, "depth"),
    ({"around": KN, "limit": "0"}, "limit"),
    ({"limit": "501"}, "limit"),
    ({"around": KN, "records": "DLC:00272177"}, "records"),
    ({"around": KN, "from": KN}, "from"),
    ({"from": KN}, "to"),
    ({"to": KN}, "from"),
    ({"records": " , ,"}, "records"),
    ({"records": ",".join(f"DLC:{n:08d}" for n in range(101))}, "records"),
])
def test_bad_parameters_are_400_naming_the_parameter(get, params, parameter):
    r = get("/api/graph/topics", **params)
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["parameter"] == parameter and body["error"].startswith(parameter + ":")


def test_before_any_graph_is_built(get_without_graph):
    r = get_without_graph("/api/graph/topics", around=KN)
    assert r.status_code == 503
    assert r.json()["hint"] == "run `shelfmap graph`"
    assert get_without_graph("/api/graph/topics", depth="9").status_code == 400
    assert get_without_graph("/api/health").json()["graph_version"] is None


def test_status_prints_the_graph_version_and_size(graph_settings, graph_version, tmp_path,
                                                  monkeypatch, capsys):
    monkeypatch.setenv("SHELFMAP_ES_PORT", str(graph_settings.es_port))
    monkeypatch.setenv("SHELFMAP_INDEX", graph_settings.index)
    assert cli.main(["--home", graph_settings.home, "status"]) == 0
    out = capsys.readouterr().out
    assert (f"graph:         {graph_version} ({len(NODES)} nodes: 11 subject, 4 author, "
            "2 class; 19 edges)") in out
    assert cli.main(["--home", str(tmp_path), "status"]) == 0
    assert "graph:         none (run `shelfmap graph`)" in capsys.readouterr().out
