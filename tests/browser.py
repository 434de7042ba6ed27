"""Real headless Chromium for the page tests, as a visitor meets the pages.

Playwright's Python package drives Debian's ``chromium`` launched by its path (its own
browser download is never used). :func:`open_page` gives a page in a fresh context: a
phone (360 x 740) or a wide screen (1280 x 900), scripts on or off, and optionally the
network of a slow phone, emulated through DevTools (the figures the budgets of issue 11
are measured under: 1 Mbit/s down, 300 ms round trip). Screenshots go to
``SHOTS`` (``SHELFMAP_SCREENSHOTS``, default /tmp/shelfmap-browser), to be looked at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PHONE = {"width": 360, "height": 740}
WIDE = {"width": 1280, "height": 900}
# DevTools' units: bytes per second and milliseconds.
SLOW_PHONE = {"offline": False, "latency": 300, "downloadThroughput": 1_000_000 / 8,
              "uploadThroughput": 500_000 / 8}
SHOTS = Path(os.environ.get("SHELFMAP_SCREENSHOTS", "/tmp/shelfmap-browser"))
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def launched() -> Iterator[object]:
    """A Playwright ``Browser`` on the system's chromium, closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def open_page(browser, *, viewport: dict = PHONE, javascript: bool = True,
              network: dict | None = None, locale: str = "en-GB") -> Iterator[object]:
    """A page in a context of its own (empty cache, no cookies), closed at the end.

    ``network``, e.g. :data:`SLOW_PHONE`, is applied through a DevTools session before
    the first navigation; the session is the page's ``cdp`` attribute.
    """
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript,
                                  locale=locale, device_scale_factor=1)
    try:
        page = context.new_page()
        if network is not None:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
            cdp.send("Network.emulateNetworkConditions", network)
            page.cdp = cdp
        yield page
    finally:
        context.close()


def screenshot(page, name: str) -> Path:
    """The whole page as ``SHOTS/<name>.png``; its path."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
