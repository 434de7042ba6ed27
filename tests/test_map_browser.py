"""The map pages in real Chromium (tests/browser.py) against the app on LoC mixed-10000
with its topic graph built by the real pipeline: /map, a region, a link's records,
the keyboard, pan and zoom, the home page, scripts off; screenshots at 360 and 1280 px."""

from __future__ import annotations

import importlib.util
import re
import time

import pytest
import requests

from viz.graph import artifacts as graph_artifacts

from .browser import PHONE, SHOTS, WIDE, open_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.es, pytest.mark.spark]


@pytest.fixture(scope="module")
def map_url(indexed_settings, spark, app_url):
    """``app_url`` once the session's catalogue has a current graph build with the
    map's tables (built here when it has none), and the app serves it."""
    from viz.graph import build as graph_build

    root = indexed_settings.graph_dir
    try:
        graph_artifacts.read_manifest(root)
        graph_artifacts.read_version(root)
    except (graph_artifacts.NoGraph, graph_artifacts.GraphArtifactError, OSError):
        graph_build.build(indexed_settings, spark=spark)
    deadline = time.monotonic() + 30
    while requests.get(app_url + "/api/graph/topics", params={"limit": 1},
                       timeout=30).status_code != 200:
        assert time.monotonic() < deadline, "the app never served the graph"
        time.sleep(0.5)
    return app_url


def _shots(page, name: str) -> None:
    """The whole page, and the map alone (to look at its labels)."""
    screenshot(page, name)
    page.locator(".sm-mapbox").screenshot(path=str(SHOTS / f"{name}-map.png"))


def _goto(page, url: str) -> None:
    page.goto(url, wait_until="networkidle")
    page.wait_for_selector("svg.sm-map", timeout=30_000)


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["360", "1280"])
def test_the_catalogue_map(map_url, browser, viewport):
    with open_page(browser, viewport=viewport) as page:
        _goto(page, map_url + "/map")
        regions = page.locator("svg.sm-map .n a")
        assert 3 <= regions.count() <= 500
        assert "each disc is a region" in page.inner_text("#map-explain")
        count = regions.count()
        # The same map as a list: a page of its own, first in the explanation.
        _follow_list = page.locator("#map-as-list")
        assert _follow_list.get_attribute("href") == "/map?view=list"
        _follow_list.click()
        page.wait_for_selector("#map-twin")
        assert page.locator("#map-twin > li").count() == count
        assert page.locator("svg.sm-map").count() == 0
        page.locator("#map-as-drawing").click()
        page.wait_for_selector("svg.sm-map")
        assert page.url.endswith("/map")
        assert page.locator("#search-q").is_visible()
        # Labels of band 0 show; of higher bands, none until the map is zoomed.
        assert page.locator("svg.sm-map text.b0").first.is_visible()
        _shots(page, f"map-catalogue-{viewport['width']}")


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["360", "1280"])
def test_a_region_and_the_records_of_a_link(map_url, browser, viewport):
    with open_page(browser, viewport=viewport) as page:
        _goto(page, map_url + "/map")
        first = page.locator("svg.sm-map .n a").first
        href = first.get_attribute("href")
        first.dispatch_event("click")  # the disc's middle may be under its label
        page.wait_for_url(re.compile(re.escape(href.replace("?", "?")) + "$"))
        page.wait_for_selector("svg.sm-map .n a[href^='/topic/']")
        topics = page.locator("svg.sm-map .n a")
        assert 1 <= topics.count() <= 500
        assert page.locator("#map-exits li").count() >= 1
        _shots(page, f"map-region-{viewport['width']}")
        if viewport is WIDE:
            return
        link = page.locator("svg.sm-map .h a").first
        reason = link.locator("title").text_content()
        shared = int(re.match(r"([\d,]+) records? share ", reason).group(1).replace(",", ""))
        page.goto(map_url + link.get_attribute("href"), wait_until="networkidle")
        page.wait_for_selector("#search-message")
        # Exactly the records the link counted: the search filtered by both ends.
        summary = page.inner_text("#search-message")
        assert summary.startswith(f"{shared:,} record"), (reason, summary)


def test_the_keyboard_reaches_the_map_and_links_say_why(map_url, browser):
    with open_page(browser, viewport=WIDE) as page:
        _goto(page, map_url + "/map?region=0")
        for _ in range(12):
            page.keyboard.press("Tab")
            inside = page.evaluate("!!document.activeElement.closest('svg.sm-map')")
            if inside:
                break
        assert inside, "Tab never reached the map"
        focused = page.evaluate("""() => {
            const a = document.activeElement, c = a.querySelector('circle');
            return {label: a.getAttribute('aria-label'), href: a.getAttribute('href'),
                    stroke: getComputedStyle(c).strokeWidth};}""")
        assert focused["href"].startswith("/topic/") and focused["label"]
        assert focused["stroke"] == "4px"  # the focus ring of map items (map.css)
        link = page.locator("svg.sm-map .h a").first
        link.focus()
        state = page.evaluate("""() => {
            const a = document.activeElement;
            return {title: a.querySelector('title').textContent,
                    stroke: getComputedStyle(a.querySelector('path')).stroke};}""")
        assert re.match(r"[\d,]+ records? share .+ and .+ \(association \d\.\d\d\)$",
                        state["title"])
        # What a screen reader announces: Chromium's own accessible name of the
        # focused link is its <title>.
        cdp = page.context.new_cdp_session(page)
        tree = cdp.send("Accessibility.getFullAXTree")["nodes"]
        focused_links = [n for n in tree if n.get("role", {}).get("value") == "link"
                         and any(p["name"] == "focused" and p["value"]["value"]
                                 for p in n.get("properties", []))]
        assert [n["name"]["value"] for n in focused_links] == [state["title"]]
        assert state["stroke"] != "rgba(0, 0, 0, 0)"  # the focused link shows itself
        screenshot(page, "map-region-keyboard-1280")


def test_zoom_buttons_change_the_band(map_url, browser):
    with open_page(browser, viewport=WIDE) as page:
        _goto(page, map_url + "/map?region=0")
        svg = page.locator("svg.sm-map")
        assert "sm-z0" in svg.get_attribute("class")
        hidden = page.locator("svg.sm-map text.b1, svg.sm-map text.b2")
        page.click("[data-zoom=in]")
        page.click("[data-zoom=in]")
        assert "sm-z1" in svg.get_attribute("class")
        assert svg.get_attribute("viewBox").split()[2] == "390.63"
        if hidden.count():
            assert page.locator("svg.sm-map text.b1").count() == 0 or \
                page.locator("svg.sm-map text.b1").first.is_visible()
        page.click("[data-zoom=reset]")
        assert svg.get_attribute("viewBox") == "0.00 0.00 1000.00 1000.00"


def test_the_wheel_zooms_and_a_drag_pans(map_url, browser):
    with open_page(browser, viewport=WIDE) as page:
        _goto(page, map_url + "/map?region=0")
        svg = page.locator("svg.sm-map")
        box = svg.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        for _ in range(4):  # 1.25 per notch: 2.44 in all, zoom band 1
            page.mouse.wheel(0, -100)
            page.wait_for_timeout(50)
        assert "sm-z1" in svg.get_attribute("class")
        x, y, w, _ = map(float, svg.get_attribute("viewBox").split())
        assert w == pytest.approx(1000 / 1.25 ** 4, abs=0.05)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] / 2 + 100, box["y"] + box["height"] / 2,
                        steps=5)
        page.mouse.up()
        x2, y2, w2, _ = map(float, svg.get_attribute("viewBox").split())
        assert x2 < x and y2 == pytest.approx(y) and w2 == w  # dragged right: view left
        assert "/map?region=0" in page.url  # a drag that ends on a link follows nothing


def test_a_zoom_made_before_dash_takes_over_is_kept(map_url, browser):
    # On a wide screen Dash's scripts (map.js among them) arrive after the load event,
    # and Dash redraws the page once its layout has come: a visitor who zoomed the
    # server's map in between must not see it jump back.
    with open_page(browser, viewport=WIDE) as page:
        held = []
        page.route(re.compile(r".*/_dash-layout.*"), lambda route: held.append(route))
        page.goto(map_url + "/map?region=0", wait_until="load")
        page.wait_for_selector("html.sm-js svg.sm-map")   # map.js runs
        for _ in range(100):
            if held:
                break
            page.wait_for_timeout(100)
        assert held, "Dash never asked for its layout"
        page.click("[data-zoom=in]")
        page.click("[data-zoom=in]")
        svg = page.locator("svg.sm-map")
        zoomed = svg.get_attribute("viewBox")
        assert "sm-z1" in svg.get_attribute("class")
        assert page.get_attribute("html", "data-dash") is None
        held[0].continue_()
        page.wait_for_selector("html[data-dash]", timeout=30_000)
        assert page.locator("#sm-first").count() == 0    # Dash's drawing now
        assert svg.get_attribute("viewBox") == zoomed
        assert "sm-z1" in svg.get_attribute("class")


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["360", "1280"])
def test_the_home_page_opens_on_the_map(map_url, browser, viewport):
    with open_page(browser, viewport=viewport) as page:
        _goto(page, map_url + "/")
        assert "each disc is a region" in page.inner_text("#map-explain")
        assert page.locator("svg.sm-map .n a").count() >= 3
        _shots(page, f"map-home-{viewport['width']}")
        page.goto(map_url + "/?q=korea", wait_until="networkidle")
        page.wait_for_selector("#search-message")
        # A search shows its results, and the maps around them instead of the home map.
        assert page.locator("#map-explain").count() == 0
        assert page.locator("#results-around svg.sm-map").count() == 2


def test_an_unknown_region_says_so(map_url, browser):
    with open_page(browser, viewport=PHONE) as page:
        page.goto(map_url + "/map?region=no-such-region", wait_until="networkidle")
        page.wait_for_selector("#map-missing")
        assert "no region no-such-region" in page.inner_text("#map-missing")


@pytest.mark.skipif(importlib.util.find_spec("viz.render") is None,
                    reason="the server-drawn first paint (viz/render.py) is not here yet")
def test_without_scripts_the_map_and_its_twin_are_there(map_url, browser):
    with open_page(browser, viewport=PHONE, javascript=False) as page:
        page.goto(map_url + "/map", wait_until="load")
        assert page.locator("svg.sm-map .n a").count() >= 3
        with page.expect_navigation():
            page.locator("#map-as-list").click()
        assert page.locator("#map-twin > li").count() >= 3
        assert not page.locator(".sm-zoom").is_visible()  # nothing that needs a script
        screenshot(page, "map-catalogue-noscript-360")
