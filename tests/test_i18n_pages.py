"""Every page in Korean and in English, as the app's own server answers it (over HTTP,
on the real index and topic graph of LoC mixed-10000): the document's language, no
interface text left in English in Korean, the visitor's choice kept on every link and
form, the browser's Accept-Language as the default (with ``Vary``), and Dash's own
drawing (layout, router, callbacks) in the language of the first paint."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from babel.messages import pofile

from tests.test_i18n import PLACEHOLDER, PO
from viz.graph import build as graph_build
from viz.graph import store as graph_store

pytestmark = [pytest.mark.es, pytest.mark.spark]

KOREAN = {"Accept-Encoding": "identity", "Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Encoding": "identity", "Accept-Language": "en-GB,en;q=0.9"}
TOPIC = "subject:Korea (North)"
# Attributes whose values a visitor reads or hears.
SPOKEN = ("title", "aria-label", "placeholder", "alt")
# Paths whose links need no language: files and data, not pages.
NOT_PAGES = ("/api/", "/assets/", "/_shelfmap/", "/_dash")


@pytest.fixture(scope="module")
def graph(indexed_settings, spark):
    root = indexed_settings.graph_dir
    if graph_store.current(root, max_age=0) is None:
        graph_build.build(indexed_settings, spark=spark)
    return graph_store.current(root, max_age=0)


@pytest.fixture(scope="module")
def pages(app_url, api, graph) -> list[str]:
    """A path of every page: home, searches (one with a filter, one finding nothing),
    a record, the map (catalogue, a region, a list twin), a topic (with a path asked),
    a missing record, an unknown address."""
    hit = api("/api/search", q="한국", size=1).json()["hits"][0]
    region = graph.region_children[next(iter(graph.region_children))][0]
    return ["/", "/?q=%ED%95%9C%EA%B5%AD", "/?q=history&language=eng&page=2",
            "/?q=zzzqqqxxyy", "/record/" + quote(hit["id"], safe=":"), "/map",
            f"/map?region={quote(region)}", "/map?view=list",
            "/topic/" + quote(TOPIC, safe=":"), "/topic/" + quote(TOPIC, safe=":") + "?to=Korea",
            "/record/DLC:no-such-record", "/no/such/page"]


class Page(HTMLParser):
    """The parts of a page these tests read: text, spoken attributes, links, forms."""

    def __init__(self, body: str):
        super().__init__(convert_charrefs=True)
        self.html_lang = None
        self.texts: list[str] = []
        self.hrefs: list[str] = []
        self.forms: list[dict] = []
        self.langs: list[tuple[str, str]] = []
        self._skip = 0
        self.feed(body)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag in ("script", "style"):
            self._skip += 1
        for name in SPOKEN:
            if a.get(name):
                self.texts.append(a[name])
        if a.get("href") is not None and tag in ("a",):
            self.hrefs.append(a["href"])
        if tag == "form":
            self.forms.append({"action": a.get("action"), "method": a.get("method"),
                               "fields": {}})
        if tag == "input" and self.forms and a.get("type") == "hidden":
            self.forms[-1]["fields"][a.get("name")] = a.get("value")
        if a.get("lang"):
            self.langs.append((tag, a["lang"]))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def _english_pieces() -> tuple[set[str], set[str]]:
    """The English interface, cut at its placeholders: (whole words or phrases a text
    must not be, phrases of several words a text must not hold)."""
    with PO.open("rb") as f:
        catalog = pofile.read_po(f)
    whole, phrases = set(), set()
    for m in catalog:
        if not m.id:
            continue
        korean = " ".join(m.string if isinstance(m.string, tuple) else (m.string,))
        for msgid in (m.id if isinstance(m.id, tuple) else (m.id,)):
            for piece in PLACEHOLDER.split(msgid)[::2]:
                piece = piece.strip(" .:;,·›‹×()“”—…").strip()
                if not re.search(r"[A-Za-z]{2}", piece) or piece in korean:
                    continue
                whole.add(piece)
                if len(piece.split()) >= 3:
                    phrases.add(piece)
    return whole, phrases


ENGLISH_WHOLE, ENGLISH_PHRASES = _english_pieces()


def _get(app_url, path, headers=ENGLISH):
    r = requests.get(app_url + path, headers=headers, timeout=60)
    assert r.status_code in (200, 400, 404), (path, r.status_code)
    return r


def _with_lang(path: str, lang: str) -> str:
    return path + ("&" if "?" in path else "?") + "lang=" + lang


def _untranslated(page: Page) -> list[str]:
    return [t for t in page.texts if t.strip(" .:;,·›‹×()“”—…") in ENGLISH_WHOLE
            or any(p in t for p in ENGLISH_PHRASES)]


def _page_links(page: Page) -> list[str]:
    return [h for h in page.hrefs if h.startswith("/") and not h.startswith(NOT_PAGES)]


def test_every_page_in_korean_when_the_visitor_chooses_it(app_url, pages):
    for path in pages:
        r = _get(app_url, _with_lang(path, "ko"))
        page = Page(r.text)
        assert page.html_lang == "ko", path
        assert not _untranslated(page), (path, _untranslated(page)[:10])
        # Korean text is there: the search box's label at least.
        assert "자료 검색" in page.texts, path
        # Every link to a page keeps the choice; the switch leads to the same view in
        # English.
        links = _page_links(page)
        assert links, path
        for href in links:
            lang = parse_qs(urlsplit(href).query).get("lang")
            assert lang in (["ko"], ["en"]), (path, href)
        switch = [h for h in links if parse_qs(urlsplit(h).query).get("lang") == ["en"]]
        assert len(switch) == 1, (path, switch)
        assert parse_qs(urlsplit(switch[0]).query) == \
            {**parse_qs(urlsplit(path).query), "lang": ["en"]}
        assert urlsplit(switch[0]).path == urlsplit(path).path
        # Every GET form sends it too.
        for form in page.forms:
            assert form["fields"].get("lang") == "ko", (path, form)
        # The answer is the URL's alone.
        assert "accept-language" not in r.headers.get("Vary", "").lower(), path


def test_every_page_in_english_when_the_visitor_chooses_it(app_url, pages):
    for path in pages:
        page = Page(_get(app_url, _with_lang(path, "en"), KOREAN).text)
        assert page.html_lang == "en", path
        assert "Search the catalogue" in page.texts, path
        assert not any(re.search(r"[\uac00-\ud7a3]", t) and t in
                       {"자료 검색", "검색", "정렬:", "관련 자료", "서가에서 다음"}
                       for t in page.texts), path
        for href in _page_links(page):
            assert parse_qs(urlsplit(href).query).get("lang") in (["en"], ["ko"]), (path, href)


def test_without_a_choice_the_browser_s_language_decides_and_links_carry_none(app_url, pages):
    for path in pages:
        for headers, lang, word in ((KOREAN, "ko", "자료 검색"),
                                    (ENGLISH, "en", "Search the catalogue")):
            r = _get(app_url, path, headers)
            page = Page(r.text)
            assert page.html_lang == lang, (path, lang)
            assert word in page.texts, (path, lang)
            assert "accept-language" in r.headers.get("Vary", "").lower(), (path, lang)
            # Only the switch names a language: the other one.
            named = [parse_qs(urlsplit(h).query).get("lang") for h in _page_links(page)]
            assert [n for n in named if n is not None] == [["en" if lang == "ko" else "ko"]], \
                (path, lang)
    # ETags differ by language: a cache revalidating one does not get the other.
    ko, en = _get(app_url, "/", KOREAN), _get(app_url, "/", ENGLISH)
    assert ko.headers["ETag"] != en.headers["ETag"]


def test_a_conditional_request_in_the_other_language_is_not_a_304(app_url):
    en = _get(app_url, "/map", ENGLISH)
    r = requests.get(app_url + "/map", headers={**KOREAN, "If-None-Match": en.headers["ETag"]},
                     timeout=60)
    assert r.status_code == 200 and '<html lang="ko">' in r.text


def test_numbers_and_language_names_in_korean(app_url, api):
    total = api("/api/search").json()["total"]
    body = _get(app_url, "/?lang=ko").text
    assert f"자료 {total:,}건" in body
    body = _get(app_url, "/?q=%ED%95%9C%EA%B5%AD&lang=ko").text
    # The language facet: names in Korean, filters by code.
    assert re.search(r'<a href="/\?q=%ED%95%9C%EA%B5%AD&amp;language=kor&amp;lang=ko">한국어</a>',
                     body), "the language facet names Korean in Korean"
    chip = _get(app_url, "/?language=kor&lang=ko").text
    assert "× 언어: 한국어" in chip
    english = _get(app_url, "/?q=%ED%95%9C%EA%B5%AD&lang=en").text
    assert ">Korean</a>" in english


def test_record_text_carries_its_language(app_url, api):
    hit = api("/api/search", q="한국", size=1).json()["hits"][0]
    record = api("/api/records/" + quote(hit["id"], safe=":")).json()
    assert record["language"] == "kor" and record["title_original"]
    path = "/record/" + quote(hit["id"], safe=":")
    en = _get(app_url, path + "?lang=en").text
    assert re.search(r'<h1 id="record-title" lang="ko-Latn">', en)
    assert re.search(r'<p id="record-title-original" class="sm-original sm-big" lang="ko">', en)
    ko = _get(app_url, path + "?lang=ko").text
    # In a Korean interface the Hangul title is the page's own language; the romanised
    # one is not.
    assert re.search(r'<h1 id="record-title" lang="ko-Latn">', ko)
    assert re.search(r'<p id="record-title-original" class="sm-original sm-big">', ko)
    assert ">한국어</a>" in ko and ">Korean</a>" in en


def _route(app_url, pathname, search, headers=ENGLISH):
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    r = requests.post(f"{app_url}/_dash-update-component", json=body, headers=headers,
                      timeout=60)
    assert r.status_code == 200, r.text[:300]
    return r.json()["response"]


def test_dash_draws_in_the_language_of_the_first_paint(app_url):
    # The router: what Dash's client asks when the visitor follows a link.
    answer = _route(app_url, "/map", "?lang=ko")
    assert answer["_pages_store"]["data"]["title"] == "shelfmap — 지도"
    assert "자료 검색" in str(answer["_pages_content"]) and "Search the catalogue" not in \
        str(answer["_pages_content"])
    assert "lang=ko" in str(answer["_pages_content"])
    # Without a choice, the browser's language, as for the first paint.
    answer = _route(app_url, "/", "", KOREAN)
    assert "자료 검색" in str(answer["_pages_content"])
    assert "lang=ko" not in str(answer["_pages_content"])
    assert _route(app_url, "/", "")["_pages_store"]["data"]["title"] == "shelfmap — search"
    # The layout takeover.js asks for names the page, with its lang.
    r = requests.get(app_url + "/_dash-layout", params={"page": "/map?lang=ko"},
                     headers=ENGLISH, timeout=60)
    assert "자료 검색" in r.text and "Search the catalogue" not in r.text
    # Suggestions read the location's search.
    body = {"output": "search-suggest.children",
            "outputs": {"id": "search-suggest", "property": "children"},
            "inputs": [{"id": "search-q", "property": "value", "value": "korea"}],
            "changedPropIds": ["search-q.value"],
            "state": [{"id": "_pages_location", "property": "search", "value": "?lang=ko"}]}
    r = requests.post(f"{app_url}/_dash-update-component", json=body, headers=ENGLISH,
                      timeout=60)
    assert r.status_code == 200
    kinds = re.findall(r'"children":" ([^"]+)","className":"sm-count"', r.text)
    assert kinds and set(kinds) <= {"서명", "주제", "이름"}, r.text[:500]
