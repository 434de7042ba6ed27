"""The Dash pages in a real browser (Debian's headless chromium) on a phone-width window,
against a real server and the real index of LoC mixed-10000."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import requests


pytestmark = [pytest.mark.browser, pytest.mark.es, pytest.mark.spark]

SHOTS = Path("/tmp/shelfmap-browser")
PHONE = (412, 900)


@pytest.fixture(scope="module")
def base_url(app_url):
    return app_url


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("headless chromium is missing: apt-get install -y chromium")
    profile = tmp_path_factory.mktemp("chromium-profile")
    SHOTS.mkdir(exist_ok=True)

    def run(url: str, *, screenshot: Path | None = None) -> str:
        args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--virtual-time-budget=8000",
                f"--window-size={PHONE[0]},{PHONE[1]}"]
        args += [f"--screenshot={screenshot}"] if screenshot else ["--dump-dom"]
        done = subprocess.run(args + [url], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    return run


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _api(base_url: str, path: str, **params) -> dict:
    return requests.get(base_url + path, params=params, timeout=30).json()


def test_search_page_renders_results_for_the_query_in_the_url(base_url, chromium):
    expected = _api(base_url, "/api/search", q="한국")
    dom = chromium(f"{base_url}/?{urlencode({'q': '한국'})}")
    assert f"{expected['total']:,} records for “한국”" in dom
    first = expected["hits"][0]
    assert re.search(r'<a [^>]*href="/record/' + re.escape(quote(first["id"], safe=":")), dom)
    # The original-script title is shown, with the query word marked.
    assert "<mark>한국</mark>" in dom
    # Facet values are links that add the filter to the URL.
    assert 'href="/?q=%ED%95%9C%EA%B5%AD&amp;subject=' in dom
    assert 'href="/?q=%ED%95%9C%EA%B5%AD&amp;language=kor"' in dom


def test_filters_in_the_url_are_applied_and_shown(base_url, chromium):
    expected = _api(base_url, "/api/search", q="history", language="eng")
    dom = chromium(f"{base_url}/?q=history&language=eng")
    assert f"{expected['total']:,} records for “history”" in dom
    assert "× Language: English" in dom


def test_bad_page_in_the_url_is_a_message_not_a_crash(base_url, chromium):
    dom = chromium(f"{base_url}/?q=korea&page=banana")
    assert "bad page" in dom


def test_record_page_shows_the_record(base_url, chromium):
    hit = _api(base_url, "/api/search", q="한국", size=1)["hits"][0]
    record = _api(base_url, "/api/records/" + quote(hit["id"], safe=":"))
    dom = chromium(f"{base_url}/record/{quote(hit['id'], safe=':')}")
    title = re.search(r'<h1 id="record-title"[^>]*>(.*?)</h1>', dom)
    assert title and title.group(1) == record["title"].replace("&", "&amp;")
    assert record["title_original"] in dom
    for subject in record["subjects"][:2]:
        assert f'href="/?{urlencode({"subject": subject})}"' in dom


def test_missing_record_page_says_so(base_url, chromium):
    dom = chromium(f"{base_url}/record/DLC:no-such-record")
    assert 'id="record-missing"' in dom


def test_phone_screenshots(base_url, chromium):
    """Screenshots at phone width, kept under /tmp/shelfmap-browser for a person to look at."""
    search_png = SHOTS / "search-phone.png"
    record_png = SHOTS / "record-phone.png"
    for path in (search_png, record_png):
        path.unlink(missing_ok=True)
    chromium(f"{base_url}/?{urlencode({'q': '한국'})}", screenshot=search_png)
    hit = _api(base_url, "/api/search", q="한국", size=1)["hits"][0]
    chromium(f"{base_url}/record/{quote(hit['id'], safe=':')}", screenshot=record_png)
    for path in (search_png, record_png):
        assert _png_size(path) == PHONE
        # A blank page compresses to a few kilobytes; a rendered one does not.
        assert path.stat().st_size > 20_000


def test_a_korean_search_on_a_phone_and_a_wide_screen_with_hangul_drawn(base_url, browser):
    """Playwright on the system's chromium: the search page for a Hangul query at 360 and
    1280 px, with and without scripts; the screenshots are kept to be looked at."""
    from .browser import PHONE, WIDE, open_page, screenshot

    for viewport, name in ((PHONE, "360"), (WIDE, "1280")):
        with open_page(browser, viewport=viewport) as page:
            page.goto(f"{base_url}/?{urlencode({'q': '한국'})}")
            page.wait_for_selector("#search-message")
            message = page.inner_text("#search-message")
            assert re.match(r"[\d,]+ records? for “한국”", message), message
            assert page.input_value("#search-q") == "한국"
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{width} px wide at {viewport['width']}"
            shot = screenshot(page, f"search-korean-{name}")
            assert _png_size(shot)[0] == viewport["width"]
