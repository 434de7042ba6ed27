"""The server-drawn pages in real Chromium (Playwright on Debian's chromium): with
scripts off, on a phone (no Dash until the search box is used) and on a wide screen
(Dash takes over the same page); against the real index of LoC mixed-10000.
Screenshots go to tests/browser.py's SHOTS, to be looked at."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest

from .browser import PHONE, WIDE, open_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.es, pytest.mark.spark]

SUITES = "/_dash-component-suites/"


class Watched:
    """A page's requests and console errors, from the moment it is opened."""

    def __init__(self, page):
        self.urls: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(f"{e}\n{e.stack or ''}"))

    def count(self, part: str) -> int:
        return sum(part in url for url in self.urls)


def _first_record(api, q="korea") -> dict:
    return api("/api/search", q=q, size=1).json()["hits"][0]


def test_scripts_off_search_open_a_record_and_go_back(app_url, api, browser):
    expected = api("/api/search", q="korea").json()
    with open_page(browser, viewport=PHONE, javascript=False) as page:
        page.goto(app_url + "/")
        page.fill("#search-q", "korea")
        page.press("#search-q", "Enter")  # the form's own GET
        page.wait_for_url(re.compile(r"/\?q=korea$"))
        assert page.inner_text("#search-message") == f"{expected['total']:,} records for “korea”"
        shot = screenshot(page, "firstpaint-noscript-search-360")
        assert shot.stat().st_size > 20_000
        first = expected["hits"][0]
        page.click(f'#search-hits a[href="/record/{quote(first["id"], safe=":")}"]')
        page.wait_for_selector("#record-title")
        assert page.inner_text("#record-title") == first["title"]
        screenshot(page, "firstpaint-noscript-record-360")
        page.go_back()
        page.wait_for_selector("#search-hits")
        assert page.url.endswith("/?q=korea")
        # A filter, then a new query from the box: the filter is kept.
        page.click("#search-facet-language a >> nth=0")
        page.wait_for_url(re.compile(r"language="))
        language = re.search(r"language=([^&]+)", page.url).group(1)
        page.fill("#search-q", "history")
        page.click("#search-go")
        page.wait_for_url(re.compile(r"/\?q=history&language=" + re.escape(language) + "$"))


def test_phone_gets_no_dash_until_the_search_box_is_used(app_url, api, browser):
    with open_page(browser, viewport=PHONE) as page:
        seen = Watched(page)
        page.goto(f"{app_url}/?{urlencode({'q': '한국'})}")
        page.wait_for_load_state("load")
        page.wait_for_timeout(2500)
        assert seen.count(SUITES) == 0 and seen.count("/_dash-boot") == 0
        assert page.get_attribute("html", "data-dash") is None
        shot = screenshot(page, "firstpaint-phone-search-360")
        assert shot.stat().st_size > 20_000
        # A link is a plain page load: still no Dash.
        page.click("#search-hits a >> nth=0")
        page.wait_for_selector("#record-title")
        page.wait_for_timeout(1000)
        assert seen.count(SUITES) == 0
        page.go_back()
        page.wait_for_selector("#search-hits")
        # Typing brings Dash; what was typed survives the takeover and is suggested on.
        page.click("#search-q")
        page.fill("#search-q", "")
        page.type("#search-q", "korea", delay=40)
        page.wait_for_selector("html[data-dash]", timeout=30_000)
        assert seen.count(SUITES) > 0
        assert page.input_value("#search-q") == "korea"
        page.wait_for_selector("#search-suggest li", timeout=15_000)
        assert page.evaluate("document.activeElement.id") == "search-q"
        # The server's copy is gone: one search box, one page.
        assert page.locator("#search-q").count() == 1 and page.locator("#sm-first").count() == 0
        screenshot(page, "firstpaint-phone-suggest-360")
        assert seen.errors == []


def test_wide_screen_dash_takes_over_the_same_page(app_url, api, browser):
    first = _first_record(api)
    with open_page(browser, viewport=WIDE) as page:
        seen = Watched(page)
        page.goto(f"{app_url}/?q=korea")
        server_text = page.inner_text("#search-message")
        page.wait_for_selector("html[data-dash]", timeout=30_000)
        assert page.inner_text("#search-message") == server_text
        assert seen.count("/_dash-layout?page=%2F%3Fq%3Dkorea") == 1
        # The layout held the page: the router was not asked for it again.
        page.wait_for_timeout(1000)
        assert seen.count("/_dash-update-component") == 0
        page.evaluate("window.__kept = 1")  # gone if a page load happens
        screenshot(page, "firstpaint-wide-search-1280")
        # A link is Dash's navigation now: one callback, no page load.
        page.click(f'#search-hits a[href="/record/{quote(first["id"], safe=":")}"]')
        page.wait_for_selector("#record-title")
        assert page.inner_text("#record-title") == first["title"]
        assert page.evaluate("window.__kept") == 1
        assert seen.count("/_dash-update-component") == 1
        screenshot(page, "firstpaint-wide-record-1280")
        page.go_back()
        page.wait_for_selector("#search-hits")
        assert page.url.endswith("/?q=korea") and page.inner_text("#search-message") == server_text
        page.go_forward()
        page.wait_for_selector("#record-title")
        # The search form navigates inside the page too, keeping nothing twice.
        before = seen.count("/_dash-update-component")
        page.fill("#search-q", "poetry")
        page.press("#search-q", "Enter")
        page.wait_for_url(re.compile(r"/\?q=poetry$"))
        page.wait_for_selector("#search-message >> text=for “poetry”")
        assert page.evaluate("window.__kept") == 1
        assert seen.count("/_dash-update-component") - before >= 1
        assert seen.errors == []


def test_wide_screen_suggestions_work(app_url, browser):
    with open_page(browser, viewport=WIDE) as page:
        seen = Watched(page)
        page.goto(app_url + "/")
        page.wait_for_selector("html[data-dash]", timeout=30_000)
        page.type("#search-q", "한국", delay=60)
        page.wait_for_selector("#search-suggest li", timeout=15_000)
        screenshot(page, "firstpaint-wide-suggest-1280")
        page.click("#search-suggest a >> nth=0")
        page.wait_for_function("location.pathname != '/' || location.search != ''")
        assert seen.errors == []


def test_keyboard_only_search(app_url, browser):
    with open_page(browser, viewport=WIDE, javascript=False) as page:
        page.goto(app_url + "/")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "search-q"
        page.keyboard.type("korea")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/\?q=korea$"))
        page.wait_for_selector("#search-hits")


def test_screenshots_at_360_and_1280(app_url, api, browser):
    record = _first_record(api, "한국")
    paths = {"home": "/", "search": f"/?{urlencode({'q': '한국'})}",
             "record": "/record/" + quote(record["id"], safe=":"),
             "missing": "/record/DLC:no-such-record"}
    for viewport, width in ((PHONE, 360), (WIDE, 1280)):
        for name, path in paths.items():
            with open_page(browser, viewport=viewport) as page:
                page.goto(app_url + path)
                page.wait_for_selector("#search-q")
                if width == 1280:
                    page.wait_for_selector("html[data-dash]", timeout=30_000)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, (name, width, scroll)
                shot = screenshot(page, f"firstpaint-{name}-{width}")
                assert shot.stat().st_size > 10_000
