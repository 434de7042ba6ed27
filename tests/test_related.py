"""Related records and their reasons: the pure builder on real LoC records, then the
route over HTTP against the real index of LoC mixed-10000, checking that every stated
reason is true of both records."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
from urllib.parse import quote

import pytest

from index.related import (BROADER_SUBJECT_BOOST, MAIN_TERM_BOOST, MAX_SIZE, SUBJECT_BOOST,
                           reasons, related_body, subject_boosts)
from tests.conftest import loc_records
from viz.components.related_list import reason_text

KOREAN = "DLC:00272142"   # Samsŏng Kyŏngje Yŏnʼguso; "Knowledge management"; HD28-70
ENGLISH = "DLC:00008052"  # "Issues in racism": eight headings, broader forms among them
UTAH = "DLC:00001466"     # "Philippines -- History -- Philippine American War, 1899-1902 -- ..."


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    return loc_records({KOREAN, ENGLISH, UTAH})


def _clauses(body: dict) -> list[dict]:
    return body["query"]["bool"]["should"]


def _named(body: dict) -> dict[str, dict]:
    """Clause name -> (field, value, boost) for the term clauses."""
    out = {}
    for clause in _clauses(body):
        if "term" in clause:
            (field, spec), = clause["term"].items()
            out[spec["_name"]] = (field, spec["value"], spec["boost"])
    return out


# --- the pure builder ------------------------------------------------------------------

def test_body_names_every_clause_and_excludes_the_record(records):
    record = records[KOREAN]
    body = related_body(record, 7)
    assert body["size"] == 7
    assert body["query"]["bool"]["must_not"] == [{"ids": {"values": [KOREAN]}}]
    assert body["query"]["bool"]["minimum_should_match"] == 1
    mlt = _clauses(body)[0]["more_like_this"]
    assert mlt["like"] == [{"_id": KOREAN}] and mlt["_name"].startswith("text:")
    assert mlt["min_term_freq"] == 1 and mlt["min_doc_freq"] >= 2
    assert {"title", "summary", "subjects"} <= set(mlt["fields"])
    named = _named(body)
    assert named["author:Samsŏng Kyŏngje Yŏnʼguso"][:2] == ("authors.raw",
                                                             "Samsŏng Kyŏngje Yŏnʼguso")
    assert named["subject:Knowledge management"][:2] == ("subject_terms.raw",
                                                          "Knowledge management")
    # "Technological innovations -- Management" and its broader "Technological innovations".
    assert named["subject:Technological innovations -- Management"][2] == SUBJECT_BOOST
    assert named["subject:Technological innovations"][2] == MAIN_TERM_BOOST
    # Class: the narrowest outline range, and the class letters lower.
    assert named["class:HD28-70"][:2] == ("lcc_outline", "HD28-70")
    assert named["class:HD"][:2] == ("lcc_class", "HD")
    assert named["class:HD"][2] < named["class:HD28-70"][2]
    # Every clause is named, so matched_queries can explain every hit.
    assert len(named) + 1 == len(_clauses(body))


def test_broader_headings_weigh_less_than_the_record_s_own(records):
    boosts = subject_boosts(records[UTAH])
    full = "Philippines -- History -- Philippine American War, 1899-1902 -- Regimental histories"
    assert boosts[full] == SUBJECT_BOOST
    assert boosts["Philippines -- History"] == BROADER_SUBJECT_BOOST
    assert boosts["Philippines"] == MAIN_TERM_BOOST
    # A heading the record holds whole keeps full weight even when it is also the broader
    # form of another ("Racism" and "Racism -- United States -- Juvenile literature").
    boosts = subject_boosts(records[ENGLISH])
    assert boosts["Racism"] == SUBJECT_BOOST
    assert boosts["Racism -- United States"] == BROADER_SUBJECT_BOOST
    assert boosts["United States"] == MAIN_TERM_BOOST
    assert set(boosts) <= set(records[ENGLISH]["subject_terms"])


def test_a_record_with_nothing_to_share_still_builds(records):
    bare = {"id": "x:1", "title": "T", "subjects": [], "subject_terms": [], "authors": [],
            "lcc_outline": [], "lcc_class": None}
    body = related_body(bare, 500)
    assert body["size"] == MAX_SIZE
    assert [next(iter(c)) for c in _clauses(body)] == ["more_like_this"]


def test_reasons_come_from_names_and_drop_implied_ones():
    matched = {"text:title, summary, subjects": 3.0, "class:HD": 1.1, "class:HD28-70": 7.9,
               "subject:Korea": 1.0, "subject:Korea -- History": 6.0, "subject:Knowledge": 9.0,
               "author:Kim, Il-sŏng, 1912-1994": 12.0, "something else": 1.0}
    assert reasons(matched) == [
        {"kind": "author", "value": "Kim, Il-sŏng, 1912-1994"},
        {"kind": "subject", "value": "Knowledge"},
        {"kind": "subject", "value": "Korea -- History"},
        {"kind": "class", "value": "HD28-70"},
        {"kind": "text", "value": "title, summary, subjects"},
    ]
    # A plain list of names (no scores) works too; "HDA" is not inside "HD".
    assert reasons(["class:HD", "class:HDA1-9"]) == [{"kind": "class", "value": "HD"},
                                                    {"kind": "class", "value": "HDA1-9"}]


def test_reasons_in_plain_words(records):
    record = records[KOREAN]
    assert reason_text({"kind": "subject", "value": "Korea -- History"}) == \
        "shares subject: Korea -- History"
    assert reason_text({"kind": "author", "value": "Yi, Sŏng"}) == "same author: Yi, Sŏng"
    assert reason_text({"kind": "class", "value": "HD28-70"}, record) == \
        "same class: HD28-70 (Management. Industrial management)"
    assert reason_text({"kind": "class", "value": "HD"}, record) == "same class: HD"
    assert reason_text({"kind": "text", "value": "title, summary, subjects"}) == "similar text"


# --- over HTTP -------------------------------------------------------------------------

def _serve(settings):
    from werkzeug.serving import make_server

    from app import create_app

    server = make_server("127.0.0.1", 0, create_app(settings).server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{server.server_port}"


@pytest.fixture(scope="module")
def base_url(app_url):
    return app_url


def _path(record_id: str, suffix: str = "") -> str:
    return "/api/records/" + quote(record_id, safe=":") + suffix


def _check_reasons(api, source: dict, item: dict) -> None:
    other = api(_path(item["id"])).json()
    assert item["reasons"], item
    for reason in item["reasons"]:
        kind, value = reason["kind"], reason["value"]
        if kind == "subject":
            assert value in source["subject_terms"] and value in other["subject_terms"], \
                (item["id"], value)
        elif kind == "author":
            assert value in source["authors"] and value in other["authors"], (item["id"], value)
        elif kind == "class":
            assert ((value in source["lcc_outline"] and value in other["lcc_outline"])
                    or value == source["lcc_class"] == other["lcc_class"]), (item["id"], value)
        else:
            assert kind == "text", reason
    assert item["title"] == other["title"]


@pytest.mark.es
@pytest.mark.spark
@pytest.mark.parametrize("record_id", [ENGLISH, KOREAN, UTAH])
def test_every_stated_reason_is_true(api, record_id):
    source = api(_path(record_id)).json()
    r = api(_path(record_id, "/related"), size="20")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"related", "shelf"}
    items = body["related"]
    assert len(items) == 20
    assert record_id not in {i["id"] for i in items}
    assert len({i["id"] for i in items}) == len(items)
    for item in items:
        assert set(item) == {"id", "title", "score", "reasons"}
        _check_reasons(api, source, item)
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)
    kinds = {reason["kind"] for item in items for reason in item["reasons"]}
    assert {"subject", "class"} <= kinds


@pytest.mark.es
@pytest.mark.spark
def test_korean_record_finds_its_corporate_author_and_its_subjects(api):
    items = api(_path(KOREAN, "/related"), size="50").json()["related"]
    reasons_seen = {(r["kind"], r["value"]) for i in items for r in i["reasons"]}
    assert ("author", "Samsŏng Kyŏngje Yŏnʼguso") in reasons_seen
    assert ("subject", "Knowledge management") in reasons_seen
    # The top hits share something specific, not only the broad class letters.
    for item in items[:5]:
        assert any(r["kind"] != "class" or r["value"] != "HD" for r in item["reasons"])


@pytest.mark.es
@pytest.mark.spark
def test_size_default_and_bounds(api):
    assert len(api(_path(ENGLISH, "/related")).json()["related"]) == 10
    assert len(api(_path(ENGLISH, "/related"), size="3").json()["related"]) == 3
    assert len(api(_path(ENGLISH, "/related"), size=str(MAX_SIZE)).json()["related"]) == MAX_SIZE
    for bad in ("0", "51", "x", "-1", "1.5"):
        r = api(_path(ENGLISH, "/related"), size=bad)
        assert r.status_code == 400, bad
        assert r.json()["parameter"] == "size" and "size" in r.json()["error"]


@pytest.mark.es
@pytest.mark.spark
def test_missing_record_is_a_json_404(api):
    r = api(_path("DLC:no-such-record", "/related"))
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    assert "DLC:no-such-record" in r.json()["error"]


@pytest.mark.es
@pytest.mark.spark
def test_ids_with_slashes_route_to_related_cite_and_record(es, indexed_settings):
    """Record ids may hold "/" (a CSV preset's "KR:2001/17"): the greedy <path:>
    converter must still send /related and /cite to their routes."""
    import requests

    from index.documents import to_document
    from index.mapping import index_body
    from ingest.schema import finish

    name = indexed_settings.index + "-slash-ids"
    es.options(ignore_status=404).indices.delete(index=name)
    es.indices.create(index=name, **index_body())
    docs = [finish({"id": f"KR:2001/{n}", "source": "KR", "title": f"Hanʼguk yŏksa {n}",
                    "subjects": ["Korea -- History"],
                    "subject_terms": ["Korea", "Korea -- History"]}) for n in (17, 18)]
    try:
        for doc in docs:
            es.index(index=name, id=doc["id"], document=to_document(doc))
        es.indices.refresh(index=name)
        server, thread, base = _serve(indexed_settings.replace(index=name))
        try:
            record = requests.get(base + "/api/records/KR:2001/17", timeout=30)
            assert record.status_code == 200 and record.json()["id"] == "KR:2001/17"
            related = requests.get(base + "/api/records/KR:2001/17/related", timeout=30)
            assert related.status_code == 200
            assert [(i["id"], i["reasons"][0]) for i in related.json()["related"]] == [
                ("KR:2001/18", {"kind": "subject", "value": "Korea -- History"})]
            # Quoted or not, the same record.
            quoted = requests.get(base + _path("KR:2001/17", "/cite"), timeout=30,
                                  params={"format": "ris"})
            assert quoted.status_code == 200 and "AN  - KR:2001/17\r\n" in quoted.text
        finally:
            server.shutdown()
            thread.join(timeout=10)
    finally:
        es.indices.delete(index=name)


@pytest.mark.es
@pytest.mark.spark
@pytest.mark.browser
def test_record_page_lists_related_records_with_reasons_and_cite_links(api, base_url,
                                                                       tmp_path):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("headless chromium is missing: apt-get install -y chromium")
    done = subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path}", "--virtual-time-budget=8000", "--window-size=412,900",
         "--dump-dom", f"{base_url}/record/{quote(ENGLISH, safe=':')}"],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    expected = api(_path(ENGLISH, "/related")).json()["related"]
    section = dom[dom.index('id="record-related"'):]
    section = section[:section.index("</section>")]  # other sections follow it
    hrefs = re.findall(r'<a [^>]*href="(/record/[^"]+)"', section)
    assert hrefs == ["/record/" + quote(i["id"], safe=":") for i in expected]
    assert "shares subject: " in section
    for fmt in ("bibtex", "ris", "csl-json"):
        assert f'href="/api/records/{ENGLISH}/cite?format={fmt}"' in dom
