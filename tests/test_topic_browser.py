"""The topic page in a real browser (Playwright on Debian's chromium), against the real
server, index and topic graph of LoC mixed-10000: from a record to its topics, a link's
records, "how is this connected to", back and forward; screenshots at 360 and 1280 px."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urlsplit

import pytest
import requests

from viz.components.links import topic_href

from .test_topic_page import KN, store  # noqa: F401  (the graph fixture)

pytestmark = [pytest.mark.browser, pytest.mark.es, pytest.mark.spark]

RECORD = "DLC:00272183"  # Korea (North) -- Politics and government; Kim Chŏng-il


def _fits(page, viewport: dict) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{width} px wide at {viewport['width']}"


def _count(text: str) -> int:
    return int(re.match(r"([\d,]+) records?", text).group(1).replace(",", ""))


def test_from_a_record_to_a_topic_to_a_links_records_and_back(app_url, browser, store):  # noqa: F811
    from .browser import PHONE, open_page

    with open_page(browser, viewport=PHONE) as page:
        page.goto(f"{app_url}/record/{RECORD}")
        page.wait_for_selector("#record-topics-list")
        first = page.locator("#record-topics-list > li > a").first
        label = first.inner_text()
        first.click()
        page.wait_for_selector("#topic-title")
        assert page.inner_text("#topic-title") == label
        topic_url = page.url
        assert store.find(unquote(urlsplit(topic_url).path.removeprefix("/topic/"))) \
            is not None

        shared = page.locator("#topic-twin .sm-shared").first
        expected = _count(shared.inner_text())
        shared.click()
        page.wait_for_selector("#search-message")
        assert _count(page.inner_text("#search-message")) == expected
        search_url = page.url

        page.go_back()
        page.wait_for_selector("#topic-title")
        assert page.url == topic_url and page.inner_text("#topic-title") == label
        page.go_forward()
        page.wait_for_selector("#search-message")
        assert page.url == search_url
        assert _count(page.inner_text("#search-message")) == expected


def _connect(page, app_url: str, to: str) -> None:
    page.goto(app_url + topic_href(KN))
    page.wait_for_selector("#topic-title")
    page.fill("#topic-to", to)
    with page.expect_navigation():
        page.click("#topic-connect")
    page.wait_for_selector("#topic-path")


def _steps(page) -> list[str]:
    return [unquote(urlsplit(h).path.removeprefix("/topic/")) for h in
            page.eval_on_selector_all("#topic-path > li > a:first-child",
                                      "els => els.map(e => e.getAttribute('href'))")]


def test_how_is_this_connected_to_is_a_url_with_back_and_forward(app_url, browser, store):  # noqa: F811
    from .browser import PHONE, open_page

    expected = [n["id"] for n in store.path(KN, "Korean poetry", max_hops=6)["nodes"]]
    with open_page(browser, viewport=PHONE) as page:
        _connect(page, app_url, "Korean poetry")
        assert urlsplit(page.url).query == "to=Korean+poetry"
        assert _steps(page) == expected
        page.reload()
        page.wait_for_selector("#topic-path")
        assert _steps(page) == expected
        page.go_back()
        page.wait_for_selector("#topic-title")
        assert page.locator("#topic-path").count() == 0
        page.go_forward()
        page.wait_for_selector("#topic-path")
        assert _steps(page) == expected


def test_how_is_this_connected_to_without_scripts(app_url, browser, store):  # noqa: F811
    from .browser import PHONE, open_page

    first_paint = requests.get(app_url + topic_href(KN), timeout=60).text
    if 'id="topic-title"' not in first_paint:
        pytest.skip("the server does not draw pages yet: without scripts a page is empty "
                    "until viz/render.py draws the first paint")
    expected = [n["id"] for n in store.path(KN, "Korean poetry", max_hops=6)["nodes"]]
    with open_page(browser, viewport=PHONE, javascript=False) as page:
        _connect(page, app_url, "Korean poetry")
        assert _steps(page) == expected


@pytest.mark.parametrize("width", ["360", "1280"])
def test_screenshots_of_the_topic_and_record_pages(app_url, browser, store, width):  # noqa: F811
    from .browser import PHONE, WIDE, open_page, screenshot

    viewport = PHONE if width == "360" else WIDE
    with open_page(browser, viewport=viewport) as page:
        page.goto(app_url + topic_href(KN, to="Korean poetry"))
        page.wait_for_selector("#topic-path")
        page.wait_for_selector("#topic-years")
        _fits(page, viewport)
        screenshot(page, f"topic-{width}")

        korean = store.ids[store.find("Korean poetry")]
        page.goto(app_url + topic_href(korean))
        page.wait_for_selector("#topic-twin")
        _fits(page, viewport)
        screenshot(page, f"topic-korean-{width}")

        page.goto(f"{app_url}/record/{quote(RECORD, safe=':')}")
        page.wait_for_selector("#record-topics-list")
        _fits(page, viewport)
        screenshot(page, f"record-topics-{width}")
