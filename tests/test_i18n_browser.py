"""A Korean visitor in real Chromium (tests/browser.py), scripts on and off, on a phone
and a wide screen: opens /?lang=ko, searches 한국, opens a record, goes back to the
map, a region and a topic; every page stays Korean (the document's lang, the switch,
the URL's lang, no interface text in English, and axe-core finds no missing or invalid
lang), whether the server drew it or Dash did. Screenshots go to /tmp/i18n-shots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .browser import PHONE, WIDE, open_page
from .test_map_browser import map_url  # noqa: F401  (the app with its graph built)

pytestmark = [pytest.mark.browser, pytest.mark.es, pytest.mark.spark]

SHOTS = Path("/tmp/i18n-shots")
# Interface text that must not be seen in the Korean interface.
ENGLISH = ("Search the catalogue", "records", "Sort:", "Relevance", "Related", "Next on the shelf",
           "Around this topic", "Around the results", "The map as a list", "Whole catalogue",
           "Connections", "Subjects", "Authors", "Language", "Topics around this record",
           "No such page")


# axe-core's rules on languages: the page has one, it is valid, and so is every lang
# attribute inside it (Korean titles, romanised ones, Chinese, Japanese...).
LANG_RULES = ["html-has-lang", "html-lang-valid", "valid-lang"]


def _axe_lang(page, where: str, scripts: bool) -> None:
    """axe-core's language rules on ``page``. axe-core waits on timers, and where a
    page's scripts are off none ever fires (the run would wait for ever): such a page's
    document is checked as it stands, in a page of its own with scripts on and every
    request refused (so nothing of the app's loads or runs there)."""
    from axe_playwright_python.sync_playwright import Axe

    if not scripts:
        document = re.sub(r"<script\b.*?</script>", "", page.content(), flags=re.S | re.I)
        context = page.context.browser.new_context(viewport=page.viewport_size)
        try:
            twin = context.new_page()
            twin.route("**/*", lambda route: route.abort())
            twin.set_content(document)
            return _axe_lang(twin, where, scripts=True)
        finally:
            context.close()
    results = Axe().run(page, options={"runOnly": {"type": "rule", "values": LANG_RULES}})
    violations = results.response["violations"]
    assert not violations, (where, [(v["id"], [n["html"][:80] for n in v["nodes"][:3]])
                                    for v in violations])
    passed = {r["id"] for r in results.response["passes"]}
    assert {"html-has-lang", "html-lang-valid"} <= passed, (where, passed)


def _korean(page, where: str, scripts: bool) -> None:
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == "ko", where
    _axe_lang(page, where, scripts)
    assert "lang=ko" in page.url, (where, page.url)
    assert page.inner_text("#lang-switch strong") == "한국어", where
    assert page.inner_text("#search-go") == "검색", where
    text = page.inner_text("#_pages_content")
    left = [w for w in ENGLISH if re.search(r"(?<![A-Za-z])" + re.escape(w) + r"(?![A-Za-z])",
                                            _interface_text(page))]
    assert not left, (where, left)
    assert re.search(r"[\uac00-\ud7a3]", text), where


def _interface_text(page) -> str:
    """The page's text without record data (titles, names, headings, map labels), which
    stays as the catalogue has it."""
    return page.evaluate("""() => {
        const root = document.querySelector('#_pages_content').cloneNode(true);
        root.querySelectorAll('#search-hits h3, #search-hits p, .sm-fields dd, #record-title, '
            + '#record-title-original, svg text, .sm-facet-values a, .sm-twin a, '
            + '.sm-crumbs a, .sm-crumbs li, .sm-topic-link, #topic-title, #record-related-list a, '
            + '.sm-shelf-title, .sm-shelf-number, .sm-original, .sm-chip, #results-topics-list a, '
            + '#map-exits a, .sm-reasons, #lang-switch a, input')
            .forEach(e => e.remove());
        return root.innerText;
    }""")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _go(page, locator, scripts: bool) -> None:
    href = locator.get_attribute("href")
    if scripts:
        locator.dispatch_event("click")
    else:
        with page.expect_navigation():
            locator.dispatch_event("click")
    page.wait_for_url(re.compile(re.escape(href) + "$"))


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "wide"])
@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_a_korean_visit_stays_korean(map_url, browser, scripts, viewport):  # noqa: F811
    name = f"{'js' if scripts else 'nojs'}-{viewport['width']}"
    with open_page(browser, viewport=viewport, javascript=scripts, locale="ko-KR") as page:
        page.goto(map_url + "/?lang=ko", wait_until="networkidle")
        _korean(page, "home", scripts)
        _shot(page, f"{name}-1-home")
        page.fill("#search-q", "한국")
        page.wait_for_timeout(500)
        if scripts:
            page.click("#search-go")
            page.wait_for_url(re.compile(r"q=%ED%95%9C%EA%B5%AD"))
        else:
            with page.expect_navigation():
                page.click("#search-go")
        page.wait_for_selector("#search-hits")
        _korean(page, "search", scripts)
        assert re.match(r"“한국” 검색 결과 [\d,]+건", page.inner_text("#search-message"))
        assert page.inner_text("#search-sort").startswith("정렬:")
        _shot(page, f"{name}-2-search")
        _go(page, page.locator("#search-hits a").first, scripts)
        page.wait_for_selector("#record-title")
        _korean(page, "record", scripts)
        assert "관련 자료" in page.inner_text("#record-related")
        assert "서가에서 다음" in page.inner_text("#record-shelf")
        _shot(page, f"{name}-3-record")
        _go(page, page.locator(".sm-back a"), scripts)
        page.wait_for_selector("#map-svg svg.sm-map")
        _go(page, page.locator("#map-svg svg.sm-map .n a").first, scripts)
        page.wait_for_selector("#map-svg svg.sm-map .n a[href^='/topic/']")
        _korean(page, "region", scripts)
        assert "영역 지도" in page.locator("#map-svg svg").get_attribute("aria-label")
        _shot(page, f"{name}-4-map")
        _go(page, page.locator("#map-svg svg.sm-map .n a[href^='/topic/']").first, scripts)
        page.wait_for_selector("#topic-title")
        _korean(page, "topic", scripts)
        assert "이 주제 주변" in page.inner_text("#topic-around")
        _shot(page, f"{name}-5-topic")
        # The switch: the same view in English, a page of its own language.
        with page.expect_navigation():
            page.click("#lang-en")
        page.wait_for_selector("#topic-title")
        assert page.evaluate("document.documentElement.lang") == "en"
        assert "lang=en" in page.url and page.inner_text("#search-go") == "Search"
        assert "Around this topic" in page.inner_text("#topic-around")
        _shot(page, f"{name}-6-topic-en")

