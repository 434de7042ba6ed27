"""The JSON API over HTTP: a real server, a real node, LoC mixed-10000 indexed by the
real pipeline (the ``indexed_settings`` fixture)."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
import requests

from index.facets import FACETS
from ingest.schema import FIELDS

pytestmark = [pytest.mark.es, pytest.mark.spark]

RECORDS = 10_000  # every record of mixed-10000 reads cleanly


def test_health(api, indexed_settings):
    r = api("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["records"] == RECORDS
    # The concrete, versioned index behind the alias, not the alias itself.
    assert body["index"].startswith(indexed_settings.index + "-")
    assert set(body) == {"status", "index", "records", "korean", "graph_version"}
    # The local node has the plugin its launcher builds, and the index was built with it.
    assert body["korean"].startswith("shelfmap-korean")


def test_search_shape(api):
    body = api("/api/search", q="history").json()
    assert set(body) == {"total", "hits", "facets"}
    assert body["total"] > 20 and len(body["hits"]) == 20
    for hit in body["hits"]:
        assert set(hit) == {"id", "title", "authors", "year", "subjects", "language", "highlight"}
    assert set(body["facets"]) == {f.name for f in FACETS}
    for values in body["facets"].values():
        assert all(set(v) == {"value", "count"} for v in values)


def test_empty_query_is_everything_newest_first(api):
    body = api("/api/search", size="50").json()
    assert body["total"] == RECORDS
    years = [h["year"] for h in body["hits"] if h["year"] is not None]
    assert years == sorted(years, reverse=True)


def test_hangul_word_finds_korean_records_through_the_original_title(api):
    # LC separates Korean words with U+3000 in 880 fields: "한국　문학　과　여성".
    body = api("/api/search", q="한국", size="100").json()
    assert body["total"] > 100
    assert all(h["language"] == "kor" for h in body["hits"][:20])
    assert all("<mark>한국</mark>" in h["highlight"].get("title_original", "")
               for h in body["hits"][:20])
    assert body["facets"]["language"][0]["value"] == "kor"


def test_answers_are_utf8_json_with_hangul_unescaped(api):
    resp = api("/api/search", q="한국", size="5")
    assert resp.headers["content-type"] == "application/json"
    raw = resp.content.decode("utf-8")
    assert "한국" in raw and "\\u" not in raw     # a third of the bytes of \uD55C\uAD6D
    assert raw.endswith("\n")


def test_romanised_and_folded_forms_find_the_same_korean_records(api):
    # 245 romanises 한국 as "Hanʼguk" (U+02BC); visitors type "hanguk".
    modifier = api("/api/search", q="Hanʼguk munhak").json()
    folded = api("/api/search", q="hanguk munhak").json()
    assert folded["total"] > 10
    top = {h["id"] for h in folded["hits"][:10]}
    assert top & {h["id"] for h in modifier["hits"]}
    assert all(h["language"] == "kor" for h in folded["hits"][:10])


@pytest.mark.parametrize("title, record_id", [
    ("The essentials of language and grammar", "DLC:00000226"),
    ("The little heroes of Matanzas", "DLC:00000570"),
    ("Botanical materia medica and pharmacology", "DLC:00000002"),
])
def test_english_full_title_finds_its_record_first(api, title, record_id):
    body = api("/api/search", q=title).json()
    assert body["hits"][0]["id"] == record_id
    assert body["hits"][0]["title"].startswith(title)


def test_filters_narrow_and_facets_follow(api):
    korean = api("/api/search", language="kor").json()
    assert 0 < korean["total"] < RECORDS
    assert korean["facets"]["language"] == [{"value": "kor", "count": korean["total"]}]
    subject = korean["facets"]["subject"][0]
    both = api("/api/search", language="kor", subject=subject["value"]).json()
    assert both["total"] == subject["count"]
    # The subject facet counts broader headings too: a hit holds the value or a heading
    # under it ("Korea (North)" matches "Korea (North) -- Politics and government").
    value = subject["value"]
    assert all(any(s == value or s.startswith(value + " -- ") for s in h["subjects"])
               for h in both["hits"])
    decade = api("/api/search", year_from="1990", year_to="1999", size="100").json()
    assert all(1990 <= h["year"] <= 1999 for h in decade["hits"])


def test_record_and_missing_record(api):
    hit = api("/api/search", q="한국", size="1").json()["hits"][0]
    r = api("/api/records/" + quote(hit["id"], safe=":"))
    assert r.status_code == 200
    record = r.json()
    assert set(record) == set(FIELDS)
    assert record["id"] == hit["id"] and record["title"] == hit["title"]
    assert record["title_original"] and record["content_hash"]
    missing = api("/api/records/DLC:no-such-record")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/json")
    assert "DLC:no-such-record" in missing.json()["error"]


@pytest.mark.parametrize("params, name", [
    ({"page": "0"}, "page"), ({"page": "x"}, "page"), ({"page": "100000"}, "page"),
    ({"size": "1000"}, "size"), ({"year_from": "abc"}, "year_from"),
])
def test_bad_parameters_are_400_naming_them(api, params, name):
    r = api("/api/search", **params)
    assert r.status_code == 400
    assert r.json()["parameter"] == name
    assert name in r.json()["error"]


@pytest.mark.parametrize("q", [
    '"', '"unbalanced', "-", "OR", "AND NOT", "*", "(((", ")]}", "[1 TO", "a~2", "title:x",
    "\\", "\x00\x01", "<script>alert(1)</script>", "　한국　", "a" * 10_000, "a-" * 5_000,
    "(" * 5_000, "한" * 3_000,
], ids=lambda q: repr(q[:10]) + f"/{len(q)}")
def test_hostile_queries_are_answered(api, q):
    r = api("/api/search", q=q, subject=q[:1000])
    assert r.status_code == 200, r.text[:300]
    assert set(r.json()) == {"total", "hits", "facets"}


def test_unknown_api_path_is_a_json_404(api):
    r = api("/api/nothing/here")
    assert r.status_code == 404
    assert "/api/nothing/here" in r.json()["error"]


def test_pages_set_no_cookies_and_load_nothing_from_elsewhere(api):
    for path in ("/", "/?q=korea", "/api/search?q=korea", "/api/health"):
        r = api(path)
        assert r.status_code == 200
        assert "set-cookie" not in {k.lower() for k in r.headers}
    html = api("/").text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, "the page loads its scripts and styles from somewhere"
    assert [u for u in urls if re.match(r"(https?:)?//", u)] == []


def test_hostile_record_ids_are_not_found(api):
    for rid in ["..", "%00", "a" * 3000, "DLC:1/../2", "*"]:
        r = api("/api/records/" + quote(rid, safe=""))
        assert r.status_code == 404, (rid, r.status_code)


def test_suggest_route_hangul_and_latin(api):
    hangul = api("/api/suggest", q="한국")
    assert hangul.status_code == 200
    texts = [s["text"] for s in hangul.json()["suggestions"]]
    assert texts and all("한국" in t for t in texts), texts
    latin = api("/api/suggest", q="Korea", size=5).json()["suggestions"]
    assert 0 < len(latin) <= 5
    assert {s["kind"] for s in latin} <= {"title", "subject", "author"}
    assert all(s["text"].lower().startswith("korea") or "korea" in s["text"].lower()
               for s in latin), latin


def test_suggest_route_bad_size_and_empty_query(api):
    bad = api("/api/suggest", q="kor", size="0")
    assert bad.status_code == 400 and bad.json()["parameter"] == "size"
    assert api("/api/suggest", q="").json() == {"suggestions": []}
