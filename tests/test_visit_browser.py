"""A visitor's whole visit in real Chromium (tests/browser.py), against the app on LoC
mixed-10000 with its topic graph built by the real pipeline: the home page's map, a
region, a topic, the records behind a link, a record, a related item, the next one on
the shelf, and back through all of it to find each view as it was; the same visit with
scripts off. And the maps of a few topics (a topic's neighbourhood, a record's topics,
the results' topics and where they sit), with their labels measured as the browser
draws them: none overlaps another or leaves its map."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from .browser import PHONE, SHOTS, WIDE, open_page, screenshot
from .test_map_browser import map_url  # noqa: F401  (the app with its graph built)

pytestmark = [pytest.mark.browser, pytest.mark.es, pytest.mark.spark]

RECORD = "DLC:00272183"  # Korea (North) -- Politics and government; Kim Chŏng-il


def _follow(page, locator, *, scripts: bool) -> str:
    """Open what ``locator`` (an <a>) points at, as a visitor does; returns its href.
    An SVG link is clicked by its event (its middle may be under a label); without
    scripts a plain click navigates."""
    href = locator.get_attribute("href")
    if scripts:
        locator.dispatch_event("click")
    else:
        with page.expect_navigation():
            locator.dispatch_event("click")
    page.wait_for_url(re.compile(re.escape(href) + "$"))
    page.wait_for_load_state("networkidle")
    return href


def _state(page) -> dict:
    """What identifies the view on screen."""
    return page.evaluate("""() => ({
        url: location.pathname + location.search,
        h1: (document.querySelector('h1') || {}).textContent || null,
        message: (document.querySelector('#search-message') || {}).textContent || null,
        svg: Array.from(document.querySelectorAll('svg.sm-map'))
                  .map(s => s.querySelectorAll('a').length)})""")


@pytest.mark.parametrize("scripts", [True, False], ids=["scripts", "no-scripts"])
def test_a_whole_visit_and_back(map_url, browser, scripts):  # noqa: F811
    with open_page(browser, viewport=PHONE, javascript=scripts) as page:
        page.goto(map_url + "/", wait_until="networkidle")
        seen = [_state(page)]
        assert seen[0]["svg"] and seen[0]["svg"][0] >= 3    # the catalogue's map
        # The largest region, then its most important topic.
        _follow(page, page.locator("svg.sm-map .n a").first, scripts=scripts)
        page.wait_for_selector("svg.sm-map .n a[href^='/topic/']")
        seen.append(_state(page))
        _follow(page, page.locator("svg.sm-map .n a[href^='/topic/']").first, scripts=scripts)
        page.wait_for_selector("#topic-title")
        assert page.locator("#topic-map svg.sm-map").count() == 1
        seen.append(_state(page))
        # The records behind the topic's strongest link: exactly as many as it says.
        shared = page.locator("#topic-twin .sm-shared").first
        expected = int(re.match(r"([\d,]+)", shared.inner_text()).group(1).replace(",", ""))
        _follow(page, shared, scripts=scripts)
        page.wait_for_selector("#search-message")
        assert page.inner_text("#search-message").startswith(f"{expected:,} record")
        seen.append(_state(page))
        _follow(page, page.locator("#search-hits a").first, scripts=scripts)
        page.wait_for_selector("#record-title")
        seen.append(_state(page))
        _follow(page, page.locator("#record-related-list a").first, scripts=scripts)
        page.wait_for_selector("#record-title")
        seen.append(_state(page))
        shelf = page.locator("#record-shelf-list a.sm-shelf-title")
        assert shelf.count() >= 1, "a related record of LoC's with no shelf neighbours"
        _follow(page, shelf.first, scripts=scripts)
        page.wait_for_selector("#record-shelf-list [aria-current]")
        seen.append(_state(page))
        assert len({s["url"] for s in seen}) == len(seen)
        # Back through every view: each as it was; then forward again.
        for before in reversed(seen[:-1]):
            page.go_back(wait_until="networkidle")
            page.wait_for_function("u => location.pathname + location.search === u",
                                   arg=before["url"])
            page.wait_for_timeout(300)
            assert _state(page) == before
        page.go_forward(wait_until="networkidle")
        page.wait_for_timeout(300)
        assert _state(page) == seen[1]


LABELS = """svg => {
    const box = svg.getBoundingClientRect(), out = [];
    for (const t of svg.querySelectorAll('text')) {
        if (getComputedStyle(t).display === 'none') continue;
        const r = t.getBoundingClientRect();
        out.push({text: t.textContent, x0: r.left - box.left, y0: r.top - box.top,
                  x1: r.right - box.left, y1: r.bottom - box.top});
    }
    return {width: box.width, height: box.height, labels: out};
}"""


def _assert_labels_apart(svg) -> int:
    """The labels the browser shows in ``svg``: inside it, and no two overlapping (the
    glyphs' boxes, a pixel of tolerance: halos may touch)."""
    drawn = svg.evaluate(LABELS)
    labels = drawn["labels"]
    for a in labels:
        assert a["x0"] >= -1 and a["x1"] <= drawn["width"] + 1, f"{a['text']!r} leaves the map"
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            apart = (a["x1"] <= b["x0"] + 1 or b["x1"] <= a["x0"] + 1
                     or a["y1"] <= b["y0"] + 1 or b["y1"] <= a["y0"] + 1)
            assert apart, f"{a['text']!r} overlaps {b['text']!r}"
    return len(labels)


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["360", "1280"])
def test_the_results_maps_light_their_regions_and_a_topic_filters(map_url, browser,  # noqa: F811
                                                                  viewport):
    with open_page(browser, viewport=viewport) as page:
        page.goto(map_url + "/?q=korea", wait_until="networkidle")
        page.wait_for_selector("#results-around")
        before = page.inner_text("#search-message")
        where = page.locator("#results-where-map svg.sm-map")
        lit = where.locator("circle.lit").count()
        assert lit >= 1 and where.locator("circle.dim").count() >= 1
        assert re.search(r"of these results' topics", where.locator(".n a").first
                         .get_attribute("aria-label"))
        topics = page.locator("#results-topics-map svg.sm-map .n a")
        assert 5 <= topics.count() <= 40
        shown = _assert_labels_apart(where) + _assert_labels_apart(
            page.locator("#results-topics-map svg.sm-map"))
        assert shown >= 10
        screenshot(page, f"results-around-{viewport['width']}")
        page.locator("#results-around").screenshot(
            path=str(SHOTS / f"results-around-{viewport['width']}-maps.png"))
        # A topic adds itself to the search: the query stays, one filter more.
        topic = topics.nth(1)
        name = topic.get_attribute("aria-label")
        _follow(page, topic, scripts=True)
        page.wait_for_selector("#search-message")
        args = parse_qsl(urlsplit(page.url).query)
        assert ("q", "korea") in args and len(args) == 2
        held = int(re.search(r"; ([\d,]+) of these results", name).group(1).replace(",", ""))
        assert page.inner_text("#search-message").startswith(f"{held:,} record"), \
            (name, before)
        # The search's filter is now the ringed topic of its map.
        ringed = page.locator("#results-topics-map circle.m")
        assert ringed.count() == 1


def test_the_twin_of_the_results_maps_opens_and_filters(map_url, browser):  # noqa: F811
    with open_page(browser, viewport=PHONE, javascript=False) as page:
        page.goto(map_url + "/?q=korea", wait_until="load")
        assert page.locator("#results-around svg.sm-map").count() == 2   # scripts off
        page.locator("#results-topics-twin > summary").click()
        first = page.locator("#results-topics-list > li > a").first
        assert first.is_visible()
        with page.expect_navigation():
            first.click()
        assert len(parse_qsl(urlsplit(page.url).query)) == 2


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["360", "1280"])
def test_topic_and_record_maps_ring_their_subject_and_keep_labels_apart(  # noqa: F811
        map_url, browser, viewport):
    with open_page(browser, viewport=viewport) as page:
        page.goto(map_url + f"/record/{RECORD}", wait_until="networkidle")
        page.wait_for_selector("#record-map svg.sm-map")
        mine = page.locator("#record-topics-list > li").count()
        record_map = page.locator("#record-map svg.sm-map")
        assert record_map.locator("circle.m").count() == mine
        _assert_labels_apart(record_map)
        page.locator("#record-topics").screenshot(
            path=str(SHOTS / f"record-map-{viewport['width']}.png"))
        topic = page.locator("#record-topics-list > li > a").first
        _follow(page, topic, scripts=True)
        page.wait_for_selector("#topic-map svg.sm-map")
        topic_map = page.locator("#topic-map svg.sm-map")
        ringed = topic_map.locator("a:has(circle.m)")
        assert ringed.count() == 1
        assert ringed.get_attribute("aria-label").startswith(page.inner_text("#topic-title"))
        assert _assert_labels_apart(topic_map) >= 3
        page.locator("#topic-around").screenshot(
            path=str(SHOTS / f"topic-map-{viewport['width']}.png"))
        # Every dot of the neighbourhood opens its topic; every line says why.
        neighbour = topic_map.locator(".n a:not(:has(circle.m))").first
        label = neighbour.get_attribute("aria-label").split(" (")[0]
        _follow(page, neighbour, scripts=True)
        page.wait_for_selector("#topic-title")
        assert page.inner_text("#topic-title") == label


def test_labels_near_an_edge_hang_inside_the_map(map_url, browser):  # noqa: F811
    # A label whose middle would leave the view hangs from its start or end (the
    # markup's text-anchor): the stylesheet must not put it back in the middle.
    with open_page(browser, viewport=WIDE) as page:
        page.goto(map_url + "/map", wait_until="networkidle")
        hanging = page.evaluate("""() => Array.from(document.querySelectorAll(
            'svg.sm-map text[text-anchor]')).map(t => [t.getAttribute('text-anchor'),
            getComputedStyle(t).textAnchor])""")
        for asked, drawn in hanging:
            assert drawn == asked
        _assert_labels_apart(page.locator("svg.sm-map").first)


POINTED = """svg => {
    const out = {dots: 0, taken: [], exits: 0, exitsMissed: []};
    for (const a of svg.querySelectorAll('.n a')) {
        const c = a.querySelector('circle').getBoundingClientRect();
        const hit = document.elementFromPoint(c.left + c.width / 2, c.top + c.height / 2);
        const at = hit && hit.closest('a');
        if (!at || !svg.contains(at)) continue;            // off screen
        out.dots++;
        if (at.closest('.h')) out.taken.push(a.getAttribute('aria-label'));
    }
    out.names = 0; out.namesTaken = [];
    for (const t of svg.querySelectorAll('.n a text')) {
        if (getComputedStyle(t).display === 'none') continue;
        const r = t.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        const at = hit && hit.closest('a');
        if (!at || !svg.contains(at)) continue;
        out.names++;
        if (at.closest('.h')) out.namesTaken.push(t.textContent);
    }
    for (const a of svg.querySelectorAll('.o a')) {
        const t = a.querySelector('text, circle');
        if (!t || getComputedStyle(t).display === 'none') continue;
        const r = t.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        out.exits++;
        if (!hit || hit.closest('a') !== a) out.exitsMissed.push(a.getAttribute('aria-label'));
    }
    return out;
}"""


@pytest.mark.parametrize("path", ["/map?region=0", "/?q=korea", f"/record/{RECORD}"])
def test_a_pointer_on_a_dot_or_a_way_out_opens_it_not_a_link(map_url, browser, path):  # noqa: F811
    # Links are drawn above the dots and names; their pointer areas are cut around every
    # dot and every name shown, so a tap on a dot, a name or a way out is its own.
    with open_page(browser, viewport=WIDE) as page:
        page.goto(map_url + path, wait_until="networkidle")
        page.wait_for_selector("svg.sm-map")
        for svg in page.locator("svg.sm-map").all():
            svg.scroll_into_view_if_needed()
            found = svg.evaluate(POINTED)
            assert found["taken"] == [], found["taken"][:5]
            assert found["namesTaken"] == [], found["namesTaken"][:5]   # a name opens its topic
            assert found["exitsMissed"] == [], found["exitsMissed"][:5]
            assert found["dots"] >= 3
