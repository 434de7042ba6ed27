"""Shared fixtures: real Spark, a real local Elasticsearch node, a real index.

The node runs for the whole test session on its own port and home (or the cluster at
SHELFMAP_ES_URL when that is set) and is stopped, with its data removed, at the end.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import settings as settings_module

DATA = Path(__file__).parent / "data"
LOC_10000 = DATA / "loc-books-2016" / "mixed-10000.mrc"
ODD = DATA / "odd-marc"
SAMPLE = Path(__file__).resolve().parent.parent / "data"
TEST_ES_PORT = int(os.environ.get("SHELFMAP_TEST_ES_PORT", "9251"))


@pytest.fixture(scope="session")
def base_settings(tmp_path_factory) -> settings_module.Settings:
    """Settings for the session: a fresh home, the test node's port, nothing else
    from the developer's environment but an external cluster URL if one is given."""
    environ = {k: v for k, v in os.environ.items()
               if k in {"SHELFMAP_ES_URL", "SHELFMAP_ES_API_KEY", "SHELFMAP_ES_USER",
                        "SHELFMAP_ES_PASSWORD", "SHELFMAP_ES_CA", "SHELFMAP_CACHE"}}
    home = tmp_path_factory.mktemp("home")
    # A generous search budget for the in-process apps: the first searches of a fresh
    # index on a busy 2-core machine can outlast the 5 s default. The budget itself is
    # tested at its default on the real server (tests/test_app_faults.py).
    return settings_module.load(environ=environ, home=str(home), es_port=TEST_ES_PORT,
                                index="shelfmap-test", spark_driver_memory="1g",
                                search_timeout=20)


@pytest.fixture(scope="session")
def spark(base_settings):
    from ingest.spark import session

    spark = session(base_settings, "shelfmap tests")
    yield spark
    spark.stop()


@pytest.fixture(scope="session")
def es_settings(base_settings):
    """``base_settings`` with a running Elasticsearch behind them."""
    from index import local_node

    with local_node.running(base_settings):
        yield base_settings
    if base_settings.local_es:
        local_node.LocalNode(base_settings).wipe()


@pytest.fixture(scope="session")
def es(es_settings):
    from index.client import connect

    client = connect(es_settings)
    yield client
    client.close()


@pytest.fixture(scope="session")
def indexed_settings(es_settings, spark):
    """The session's settings once LoC mixed-10000 is ingested and indexed behind the
    alias ``es_settings.index`` by the real pipeline."""
    from index import build_job
    from ingest import catalogue_job

    catalogue_job.run(es_settings, [str(LOC_10000)], spark=spark)
    build_job.build(es_settings, spark=spark)
    return es_settings


@pytest.fixture(scope="session")
def app_url(indexed_settings):
    """The app over real HTTP (a werkzeug server in a thread) on ``indexed_settings``."""
    import threading

    from werkzeug.serving import make_server

    from app import create_app

    server = make_server("127.0.0.1", 0, create_app(indexed_settings).server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def api(app_url):
    """``api(path, **params)``: a GET against the running app."""
    import requests

    return lambda path, **params: requests.get(app_url + path, params=params or None,
                                               timeout=30)


def loc_records(wanted: set[str]) -> dict[str, dict]:
    """The canonical records of the given ids from LoC mixed-10000, mapped by the real
    MARC mapping (only records holding a wanted control number are mapped)."""
    import logging

    from ingest.marc import map_raw

    out: dict[str, dict] = {}
    logging.disable(logging.WARNING)
    try:
        for chunk in LOC_10000.read_bytes().split(b"\x1d")[:-1]:
            if any(w.split(":")[1].encode() in chunk for w in wanted):
                record = map_raw(chunk + b"\x1d")
                if record["id"] in wanted:
                    out[record["id"]] = record
    finally:
        logging.disable(logging.NOTSET)
    assert set(out) == wanted
    return out


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's, through Playwright) for the whole session."""
    from .browser import chromium_path, launched

    if not chromium_path():
        pytest.skip("headless chromium is missing: apt-get install -y chromium")
    with launched() as browser:
        yield browser
