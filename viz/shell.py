"""The HTML document around a server-drawn page, and the small scripts it carries.

Pure: the page's own HTML (``viz.render``) goes in where Dash's client renders
(``#react-entry-point``), the stylesheets by their fingerprinted URLs, and the inline
loader that decides when Dash comes (viz/static/loader.js; docs/pages.md). No Dash
script, no Dash config: a page is read and used without them.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import re
from collections.abc import Iterable
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"


def fingerprint(data: bytes) -> str:
    """A short content hash: a URL holding it can be cached for a year, because new
    content gets a new URL."""
    return hashlib.sha256(data).hexdigest()[:12]


def minify_js(source: str) -> str:
    """Our hand-written scripts without their comments and indentation. Line breaks
    stay, so no statement is joined to the next one by accident."""
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    lines = (re.sub(r"(^|\s+)//.*$", "", line.strip()) for line in source.splitlines())
    return "\n".join(line for line in lines if line)


def loader_script(takeover_url: str) -> str:
    """The inline loader, pointing at takeover.js by its fingerprinted URL."""
    source = minify_js((STATIC / "loader.js").read_text(encoding="utf-8"))
    return source.replace('"TAKEOVER"', '"' + takeover_url + '"')


def page_html(*, title: str, body: str, stylesheets: Iterable[str], loader: str,
              lang: str = "en") -> str:
    """A complete page: ``body`` is already HTML (escaped by the renderer)."""
    links = "".join(f'<link rel="stylesheet" href="{htmllib.escape(href)}">'
                    for href in stylesheets)
    return ("<!DOCTYPE html>\n"
            f'<html lang="{htmllib.escape(lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{htmllib.escape(title, quote=False)}</title>"
            # No favicon request: on a slow link every request costs a round trip.
            '<link rel="icon" href="data:,">'
            f"{links}</head><body>"
            f'<div id="react-entry-point">{body}</div>'
            f"<script>{loader}</script></body></html>")
