"""The first paint over HTTP: every page answers complete HTML drawn from its own Dash
layout, with no Dash script in it; its status follows the page; the caching and
compression headers of docs/pages.md. Against the real app on the real index of LoC
mixed-10000."""

from __future__ import annotations

import gzip
import json
import re
from types import SimpleNamespace
from urllib.parse import quote

import pytest
import requests

pytestmark = [pytest.mark.es, pytest.mark.spark]

PLAIN = {"Accept-Encoding": "identity"}


def _get(app_url, path, **headers):
    return requests.get(app_url + path, headers={**PLAIN, **headers}, timeout=60)


def _no_dash(body: str) -> None:
    assert "_dash-component-suites" not in body
    assert "_dash-config" not in body
    assert not re.search(r"<script[^>]*\bsrc=", body)


def _a_record(api) -> dict:
    return api("/api/search", q="한국", size=1).json()["hits"][0]


def test_the_home_page_is_complete_html_without_dash(app_url, api):
    r = _get(app_url, "/")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    body = r.text
    total = api("/api/search").json()["total"]
    assert body.startswith("<!DOCTYPE html>") and body.endswith("</html>")
    assert f"{total:,} records" in body
    # The search box is a GET form to "/" with the query in q.
    assert re.search(r'<form id="search-form" action="/"[^>]* method="get"', body)
    assert re.search(r'<input id="search-q"[^>]* name="q"', body)
    _no_dash(body)
    # Drawn where Dash's client draws.
    assert '<div id="react-entry-point"><div><div id="_pages_content"><div class="sm-page"><header' in body


def test_a_search_page_keeps_its_filters_in_the_form(app_url, api):
    expected = api("/api/search", q="history", language="eng").json()
    body = _get(app_url, "/?q=history&language=eng&page=2").text
    assert f"{expected['total']:,} records for “history”" in body
    assert '<input class="dash-input-element" name="language" type="hidden" value="eng">' \
        in body
    assert 'name="page"' not in body  # a new query starts at its first page
    assert re.search(r'<input id="search-q"[^>]* value="history"', body)
    _no_dash(body)


def test_a_record_page_holds_the_record(app_url, api):
    hit = _a_record(api)
    record = api("/api/records/" + quote(hit["id"], safe=":")).json()
    r = _get(app_url, "/record/" + quote(hit["id"], safe=":"))
    assert r.status_code == 200
    # A romanised Korean title, marked as such in an English page.
    assert f'<h1 id="record-title" lang="ko-Latn">{_escaped(record["title"])}</h1>' in r.text
    assert record["title_original"] in r.text
    assert '<input id="search-q"' in r.text
    _no_dash(r.text)


def _escaped(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def test_a_missing_record_is_a_404_with_its_page(app_url):
    r = _get(app_url, "/record/DLC:no-such-record")
    assert r.status_code == 404
    assert 'id="record-missing"' in r.text and "No record DLC:no-such-record" in r.text


def test_an_unknown_path_is_a_404_page_with_the_search_box(app_url):
    r = _get(app_url, "/no/such/page")
    assert r.status_code == 404
    assert 'id="notfound-message"' in r.text and '<input id="search-q"' in r.text


def test_a_bad_parameter_is_a_400_with_its_page(app_url):
    r = _get(app_url, "/?q=korea&page=banana")
    assert r.status_code == 400
    assert "bad page" in r.text


def test_every_registered_page_answers_complete_html(app_url):
    import dash

    paths = []
    for page in dash.page_registry.values():
        template = page.get("path_template") or page["path"]
        paths.append(re.sub(r"<[^>]+>", "x", template))
    assert "/" in paths and "/record/x" in paths
    for path in paths:
        r = _get(app_url, path)
        assert r.status_code in (200, 400, 404, 503), (path, r.status_code)
        assert r.text.startswith("<!DOCTYPE html>") and "<main" in r.text, path
        assert '<input id="search-q"' in r.text, path
        _no_dash(r.text)


def test_pages_revalidate_with_an_etag(app_url):
    first = _get(app_url, "/?q=korea")
    assert first.headers["Cache-Control"] == "no-cache"
    etag = first.headers["ETag"]
    again = _get(app_url, "/?q=korea", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


def test_compression_is_on_for_html_json_js_and_css(app_url):
    page = _get(app_url, "/", **{"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    # The page's language follows the browser's when the URL names none.
    assert {v.strip() for v in page.headers["Vary"].split(",")} == \
        {"Accept-Encoding", "Accept-Language"}
    raw = requests.get(app_url + "/", headers={"Accept-Encoding": "gzip"}, stream=True,
                       timeout=60).raw.read()
    assert len(raw) < len(gzip.decompress(raw)) / 3
    api = _get(app_url, "/api/search?q=korea", **{"Accept-Encoding": "gzip"})
    assert api.headers["Content-Encoding"] == "gzip"
    takeover = re.search(r'"(/_shelfmap/takeover\.[0-9a-f]+\.js)"', page.text).group(1)
    css = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.text).group(1)
    boot = _get(app_url, "/_dash-boot").text
    renderer = re.search(r'src="([^"]*dash_renderer[^"]*)"', boot).group(1)
    for path in (takeover, css, renderer):
        # Files are streamed, and Flask-Compress streams in br, zstd or deflate.
        r = _get(app_url, path, **{"Accept-Encoding": "br"})
        assert r.status_code == 200 and r.headers.get("Content-Encoding") == "br", path


def test_fingerprinted_files_are_kept_for_a_year(app_url):
    page = _get(app_url, "/").text
    takeover = re.search(r'"(/_shelfmap/takeover\.[0-9a-f]+\.js)"', page).group(1)
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    css = next(s for s in sheets if s.startswith("/assets/shelfmap.css"))
    assert all(re.fullmatch(r"/assets/[a-z_]+\.css\?v=[0-9a-f]{12}", s) for s in sheets), sheets
    boot = _get(app_url, "/_dash-boot")
    suites = re.findall(r'src="(/_dash-component-suites/[^"]+)"', boot.text)
    assert suites
    for path in (takeover, css, *suites):
        r = _get(app_url, path)
        assert r.status_code == 200, path
        assert r.headers["Cache-Control"] == "public, max-age=31536000, immutable", path
    # Without its fingerprint, or with a stale one, the file is revalidated instead.
    assert _get(app_url, "/assets/shelfmap.css").headers["Cache-Control"] == "no-cache"
    assert _get(app_url, "/assets/shelfmap.css?v=000000000000").headers["Cache-Control"] \
        == "no-cache"
    assert _get(app_url, "/_shelfmap/takeover.000000000000.js").status_code == 404


def test_the_fingerprint_follows_the_content(tmp_path):
    from viz.first_paint import FirstPaint

    (tmp_path / "a.css").write_text("body { color: red }")
    app = SimpleNamespace(config=SimpleNamespace(assets_folder=str(tmp_path)))
    before = FirstPaint(app).stylesheets()
    (tmp_path / "a.css").write_text("body { color: blue }")
    after = FirstPaint(app).stylesheets()
    assert before != after and all(u.startswith("/assets/a.css?v=") for u in before + after)


def test_data_answers_carry_etags_and_answer_304(app_url, api):
    hit = _a_record(api)
    for path in ("/api/search?q=korea", "/api/records/" + quote(hit["id"], safe=":"),
                 "/_dash-dependencies", "/_dash-layout?page=/"):
        r = _get(app_url, path)
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-cache", path
        again = _get(app_url, path, **{"If-None-Match": r.headers["ETag"]})
        assert again.status_code == 304, path
        # With compression, the ETag is the encoded variant's, and it matches too.
        zipped = _get(app_url, path, **{"Accept-Encoding": "gzip"})
        if zipped.headers.get("Content-Encoding") == "gzip":
            assert _get(app_url, path, **{"Accept-Encoding": "gzip",
                                          "If-None-Match": zipped.headers["ETag"]}
                        ).status_code == 304, path


def test_health_stays_no_store(app_url):
    r = _get(app_url, "/api/health")
    assert r.headers["Cache-Control"] == "no-store" and "ETag" not in r.headers


def test_the_layout_request_holds_the_page_in_place(app_url, api):
    hit = _a_record(api)
    path = "/record/" + quote(hit["id"], safe=":")
    layout = _get(app_url, "/_dash-layout?" + requests.compat.urlencode({"page": path})).json()
    location, content, store, dummy = layout["props"]["children"]
    # The location is the browser's own, so the router is not called on mounting.
    assert location["props"] == {"id": "_pages_location", "refresh": "callback-nav",
                                 "pathname": path, "search": ""}
    assert content["props"]["id"] == "_pages_content"
    assert hit["title"] in json.dumps(content, ensure_ascii=False)
    assert store["props"]["data"] == {"title": "shelfmap — record"}
    # Without a page named, Dash's own page container.
    plain = _get(app_url, "/_dash-layout").json()
    assert [c["props"]["id"] for c in plain["props"]["children"]] == \
        ["_pages_location", "_pages_content", "_pages_store", "_pages_dummy"]
    assert "pathname" not in plain["props"]["children"][0]["props"]


def test_the_boot_lists_dash_and_is_never_cached(app_url):
    r = _get(app_url, "/_dash-boot")
    assert r.headers["Cache-Control"] == "no-store"
    assert 'id="_dash-config"' in r.text and "new DashRenderer" in r.text
    scripts = re.findall(r'<script src="([^"]+)"', r.text)
    assert any("dash_renderer" in src for src in scripts)
    assert not any("dash_table" in src for src in scripts)  # no page uses its bundle


def test_the_inline_loader_is_a_few_hundred_bytes(app_url):
    page = _get(app_url, "/").text
    loader = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(loader) == 1 and len(loader[0].encode()) < 600
    assert len(gzip.compress(loader[0].encode())) < 400
