"""Pages on a slow phone: the budgets of issue 11, measured in real Chromium.

Real Chromium (Debian's, through Playwright: tests/browser.py), DevTools' network
emulation at 1 Mbit/s down, 300 ms round trip (``SLOW_PHONE``), each measurement in
a fresh browser context (empty cache) unless it is a repeat visit, counting the
encoded (on the wire) bytes of every response until the network has been idle for
8 s. The script makes its own SHELFMAP_HOME and local Elasticsearch node (port 9284),
loads tests/data/loc-books-2016/mixed-10000.mrc with the real commands (as
bench/load_bench.py does), and serves it with `shelfmap serve` (port 18110).

Measured, for `/`, `/map`, `/?q=korea`, a record page and a topic page:

- first visit at 360 x 740: bytes, "usable" (the search input present, visible and
  enabled; time from the navigation's start), "map drawn" (an ``svg`` in the page's
  content; "no map" while a page has none), and whether any Dash bundle
  (``/_dash-component-suites/``) was asked for;
- a later navigation: a click on the page's first link to another page, bytes until
  idle;
- a repeat visit: the same page opened again in the same context (its cache warm);
- first visit at 1280 x 900: usable, bytes (Dash loads there after the first paint).

Side by side, in the same run, the baseline: a default Dash page holding one input
(``dash.Dash()``, ``serve_locally``, ``compress=True``), built and served by this
script. A page that does not exist on this branch is reported as missing, never faked.

    .venv/bin/python bench/page_bench.py [--home DIR] [--only /map ...]

Prints a table and writes bench/results/pages.json (docs/benchmarks.md, "Pages on a
slow phone").
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import urllib3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import settings as settings_module  # noqa: E402
from ingest_bench import WORK  # noqa: E402
from served_catalogue import CLI, bench_env, bench_home, commit, port_open, prepare  # noqa: E402
from tests.browser import PHONE, SLOW_PHONE, WIDE, launched  # noqa: E402

IDLE_S = 8.0
MAX_S = 120.0
BUDGET = {"first_kb": 100, "usable_s": 2.0, "map_s": 3.0, "later_kb": 25, "repeat_kb": 20,
          "wide_usable_s": 3.0}
# "Usable": the search input is there, shown and enabled; the value is the time since
# the navigation started (performance.now() counts from it).
USABLE_JS = """() => {
  const e = document.querySelector('#search-q');
  if (!e || e.disabled) return false;
  const r = e.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden'
    ? performance.now() : false;
}"""
MAP_JS = """() => document.querySelector('#_pages_content svg, #react-entry-point svg')
  ? performance.now() : false"""
# The first link to another page: a record, a topic or a region before anything else
# (a map's list twin is not a region).
LINK_JS = """() => {
  const here = location.pathname + location.search;
  const links = [...document.querySelectorAll('#react-entry-point a[href^="/"]')]
    .filter(a => !a.hasAttribute('download') && !a.getAttribute('href').startsWith('/api/')
                 && a.getAttribute('href') !== here && a.offsetParent !== null);
  const best = links.find(a => /^\\/(record|topic|map)/.test(a.getAttribute('href'))
                              && !/view=list/.test(a.getAttribute('href')));
  const a = best || links[0];
  if (!a) return null;
  a.setAttribute('data-bench', '1');
  return a.getAttribute('href');
}"""
BASELINE_APP = textwrap.dedent("""
    import sys
    import dash
    from dash import dcc, html
    app = dash.Dash(__name__, serve_locally=True, compress=True)
    app.layout = html.Div([dcc.Input(id="search-q", type="search")])
    app.run(host="127.0.0.1", port=int(sys.argv[1]), debug=False)
""")


class Traffic:
    """Every response's encoded bytes, from DevTools' Network events."""

    def __init__(self, cdp):
        self.inflight: dict[str, str] = {}
        self.bytes = 0
        self.urls: list[str] = []
        self.last = time.monotonic()
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)

    def _sent(self, event):
        if event.get("request", {}).get("url", "").startswith("data:"):
            return
        self.inflight[event["requestId"]] = event["request"]["url"]
        self.urls.append(event["request"]["url"])
        self.last = time.monotonic()

    def _finished(self, event):
        self.bytes += int(event.get("encodedDataLength") or 0)
        self.inflight.pop(event["requestId"], None)
        self.last = time.monotonic()

    def _failed(self, event):
        self.inflight.pop(event["requestId"], None)
        self.last = time.monotonic()

    def reset(self) -> None:
        self.bytes, self.urls, self.last = 0, [], time.monotonic()

    def wait_idle(self, page) -> float:
        """Wait until nothing has moved for IDLE_S; the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < MAX_S:
            page.wait_for_timeout(200)
            if not self.inflight and time.monotonic() - self.last >= IDLE_S:
                break
        return time.monotonic() - started

    def dash_requests(self) -> int:
        return sum("/_dash-component-suites/" in url for url in self.urls)


def _ms_when(page, script: str, timeout_s: float) -> float | None:
    try:
        handle = page.wait_for_function(script, timeout=timeout_s * 1000, polling=50)
        return round(float(handle.json_value()) / 1000, 2)
    except Exception:  # noqa: BLE001  (a timeout: never true)
        return None


def _context(browser, viewport: dict):
    context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="en-GB")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_PHONE)
    return context, page, Traffic(cdp)


def first_visit(browser, url: str, viewport: dict) -> dict:
    """A first visit in a fresh context; the context stays open for the later
    navigation and the repeat visit (returned under "_context")."""
    context, page, traffic = _context(browser, viewport)
    response = page.goto(url, wait_until="commit")
    status = response.status if response else None
    usable = _ms_when(page, USABLE_JS, 30)
    drawn = _ms_when(page, MAP_JS, 10)
    traffic.wait_idle(page)
    missing = status == 404 and page.query_selector("#notfound-message") is not None
    return {"status": status, "missing": missing, "kb": round(traffic.bytes / 1024, 1),
            "usable_s": usable, "map_s": drawn, "requests": len(traffic.urls),
            "dash_requests": traffic.dash_requests(),
            "_context": (context, page, traffic)}


def later_navigation(page, traffic: Traffic) -> dict:
    href = page.evaluate(LINK_JS)
    if not href:
        return {"href": None, "kb": None}
    traffic.reset()
    page.click('a[data-bench="1"]')
    traffic.wait_idle(page)
    return {"href": href, "kb": round(traffic.bytes / 1024, 1),
            "dash_requests": traffic.dash_requests()}


def repeat_visit(context, url: str) -> dict:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_PHONE)
    traffic = Traffic(cdp)
    page.goto(url, wait_until="commit")
    usable = _ms_when(page, USABLE_JS, 30)
    traffic.wait_idle(page)
    return {"kb": round(traffic.bytes / 1024, 1), "usable_s": usable}


def measure(browser, base: str, name: str, path: str | None) -> dict:
    if path is None:
        return {"page": name, "missing": True}
    url = base + path
    phone = first_visit(browser, url, PHONE)
    context, page, traffic = phone.pop("_context")
    try:
        if phone["missing"]:
            return {"page": name, "path": path, "missing": True}
        phone["later"] = later_navigation(page, traffic)
        phone["repeat"] = repeat_visit(context, url)
    finally:
        context.close()
    wide = first_visit(browser, url, WIDE)
    wide.pop("_context")[0].close()
    return {"page": name, "path": path, "missing": False, "phone": phone, "wide": wide}


def pages_to_measure(http, base: str, only: list[str] | None) -> list[tuple[str, str | None]]:
    """The five pages; the record and the topic are picked from the running app."""
    from ingest.graph import node_id

    record = topic = None
    hits = json.loads(http.request("GET", base + "/api/search?q=korea&size=1").data)["hits"]
    if hits:
        record = "/record/" + quote(hits[0]["id"], safe=":")
        # The record's first subject heading that the graph holds, itself or one of its
        # broader forms (the graph counts "A -- B" also under "A"): a topic page.
        for subject in hits[0].get("subjects") or ():
            parts = subject.split(" -- ")
            forms = [" -- ".join(parts[:k]) for k in range(len(parts), 0, -1)]
            found = next((form for form in forms if http.request(
                "GET", base + "/api/graph/topics?" + urlencode(
                    {"around": node_id("subject", form), "depth": 1, "limit": 1})
            ).status == 200), None)
            if found:
                topic = "/topic/" + quote(node_id("subject", found), safe=":")
                break
    pages = [("home", "/"), ("map", "/map"), ("search korea", "/?q=korea"),
             ("record", record), ("topic", topic)]
    return [p for p in pages if not only or p[1] in only or p[0] in only]


def baseline(browser, port: int) -> dict:
    script = WORK / "baseline_dash_app.py"
    script.write_text(BASELINE_APP)
    server = subprocess.Popen([sys.executable, str(script), str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not port_open(port):
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the baseline Dash app did not start")
            time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/"
        phone = first_visit(browser, url, PHONE)
        phone.pop("_context")[0].close()
        wide = first_visit(browser, url, WIDE)
        wide.pop("_context")[0].close()
        return {"page": "default Dash page, one input", "path": "/", "phone": phone,
                "wide": wide}
    finally:
        server.terminate()
        server.wait(timeout=30)


def _s(value) -> str:
    return "—" if value is None else f"{value:.2f}"


def table(rows: list[dict]) -> str:
    head = (f"{'page':<30}{'first KB':>9}{'usable s':>10}{'map s':>8}{'dash':>6}"
            f"{'later KB':>10}{'repeat KB':>11}{'wide s':>8}{'wide KB':>9}")
    lines = [head, "-" * len(head)]
    total = 0.0
    for row in rows:
        if row.get("missing"):
            lines.append(f"{row['page']:<30}{'missing on this branch':>30}")
            continue
        p, w = row["phone"], row["wide"]
        later = p.get("later", {}).get("kb")
        repeat = p.get("repeat", {}).get("kb")
        if "later" in p:
            total += p["kb"]
        lines.append(
            f"{row['page']:<30}{p['kb']:>9.1f}{_s(p['usable_s']):>10}"
            f"{(_s(p['map_s']) if p['map_s'] is not None else 'no map'):>8}"
            f"{('yes' if p['dash_requests'] else 'no'):>6}"
            f"{(f'{later:.1f}' if later is not None else '—'):>10}"
            f"{(f'{repeat:.1f}' if repeat is not None else '—'):>11}"
            f"{_s(w['usable_s']):>8}{w['kb']:>9.1f}")
    lines.append(f"shelfmap first visits at 360 px, all pages measured: {total:.1f} KB "
                 f"(budget {BUDGET['first_kb']} KB)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--es-port", type=int, default=9284)
    parser.add_argument("--port", type=int, default=18110)
    parser.add_argument("--baseline-port", type=int, default=18111)
    parser.add_argument("--home", type=Path,
                        help="keep this home and reuse what it holds (default: a fresh "
                        "one, removed at the end)")
    parser.add_argument("--only", nargs="*", help="measure only these pages (paths or names)")
    parser.add_argument("--url", help="measure the app already served here instead (no "
                        "home, node or server of the bench's own: for trying the bench)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "pages.json")
    args = parser.parse_args()

    from index import local_node

    home = bench_home(args.home, "page-home-", WORK)
    settings = settings_module.load(environ={}, home=str(home), es_port=args.es_port)
    env = bench_env(home, args.es_port, args.port, workers="2")
    result: dict = {"commit": commit(), "when": time.strftime("%Y-%m-%d %H:%M"),
                    "machine": f"{os.cpu_count()} cores (shared)",
                    "network": SLOW_PHONE, "idle_s": IDLE_S, "budget": BUDGET}
    node = None if args.url else local_node.LocalNode(settings)
    server = None
    try:
        if node is not None:
            node.start(timeout=600)  # a busy shared machine can take minutes
            result["setup_s"] = prepare(settings, env)
            server = subprocess.Popen([str(CLI), "serve", "--port", str(args.port)], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = args.url or f"http://127.0.0.1:{args.port}"
        http = urllib3.PoolManager()
        deadline = time.monotonic() + 120
        while True:
            try:
                if http.request("GET", base + "/api/health", timeout=2, retries=False).status == 200:
                    break
            except urllib3.exceptions.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("shelfmap serve did not become healthy within 120 s")
            time.sleep(0.5)
        rows = []
        with launched() as browser:
            for name, path in pages_to_measure(http, base, args.only):
                print(f"  measuring {name} ({path})", flush=True)
                rows.append(measure(browser, base, name, path))
            print("  measuring the baseline", flush=True)
            result["baseline"] = baseline(browser, args.baseline_port)
        result["pages"] = rows
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if node is None:
            pass
        elif args.home:
            node.stop()
        else:
            node.wipe()
        if not args.home:
            shutil.rmtree(home, ignore_errors=True)
    print(table(result["pages"] + [result["baseline"]]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
