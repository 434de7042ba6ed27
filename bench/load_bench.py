"""A bounded load test: visitors browsing `shelfmap serve` on loopback, cold start included.

100 visitors (threads) for 2 minutes against the 10,000 real LoC records of
tests/data/loc-books-2016/mixed-10000.mrc. The script makes its own SHELFMAP_HOME and
local Elasticsearch node (port 9282), loads the catalogue with the real commands
(`shelfmap ingest`, `shelfmap index`, `shelfmap graph`), then starts `shelfmap serve`
(port 18100) and lets every visitor in the moment its port accepts connections, not
after a health check: the server's start is part of what is measured.

A visitor asks what a browser asks. It arrives on the home page or on a bookmarked
search or record (now and then after a request of the topic map or a health check),
loading the page as a wide screen's browser does (the server-drawn page and its
stylesheet, then Dash's takeover: its scripts once, its boot, the layout with the page
in place, the callbacks); then it searches two or three times with real queries drawn
from the catalogue (words of English and Korean titles, English and Hangul subject
headings): typing (the search box's suggestions, sometimes `/api/suggest`), submitting
(the form's GET, which Dash turns into its router's callback), and following what the
pages offer: a facet value, the next page, a record, another
record or a subject from there. Some ask the JSON API as a script or the topic map's
client would: searches with facets and pages, records, related material, citations,
the topic graph (`/api/graph/topics`, with and without `around=`), `/api/health`.
Between actions it thinks for a seeded random time. Each visitor keeps one keep-alive
connection (urllib3, no retries) and accepts gzip; the load generator's CPU is
measured, since it shares the cores with the server.

Recorded per kind of request: count, requests/s, p50/p95/p99, and every answer that
is not a 2xx by status (a 5xx, a connection error or a timeout is an error); the same
for the first --cold-seconds after the port opened; the RSS of the serve process and
all its workers (summed) and of the node, every second.

    .venv/bin/python bench/load_bench.py [--seconds 120] [--visitors 100] [--seed 1]

Prints a table and writes bench/results/load.json. --home DIR keeps the home (and
reuses what it already holds: for short runs while developing).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from html import unescape
from pathlib import Path
from urllib.parse import quote, urlencode

import urllib3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import settings as settings_module  # noqa: E402
from index_bench import tree_cpu  # noqa: E402
from ingest_bench import WORK  # noqa: E402
from served_catalogue import (CLI, bench_env, bench_home, commit, port_open,  # noqa: E402
                              prepare)

HEADERS = {"accept-encoding": "gzip", "user-agent": "shelfmap-load-bench"}

KINDS = ("page shell", "static asset", "dash layout", "dash dependencies", "home", "search",
         "search filtered", "search next page", "record", "suggest box",
         "api search", "api suggest", "api record", "related", "cite", "graph overview",
         "graph around", "health")


# --- the catalogue, as visitors know it ---------------------------------------------

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_STOP = {"the", "and", "for", "from", "with", "its", "into", "der", "die", "des", "les",
         "del", "los", "una", "von", "und"}


class Site:
    """What visitors may ask for: queries drawn from the records, record ids, topic
    labels and ids of the graph."""

    def __init__(self, settings, rng: random.Random, per_pool: int = 600):
        import pyarrow.dataset as ds
        import pyarrow.parquet as pq

        from ingest import catalogue
        from viz.graph import artifacts as graph_artifacts

        dataset = ds.dataset(str(catalogue.current_path(settings.catalogue_dir)),
                             format="parquet")
        table = dataset.to_table(columns=["id", "title", "title_original", "subjects",
                                          "subjects_original", "language"])
        pools: dict[str, list[str]] = {"english title": [], "english subject": [],
                                       "korean title": [], "korean subject": []}
        self.ids: list[str] = table.column("id").to_pylist()
        for row in table.to_pylist():
            if row["language"] == "eng" and row["title"]:
                words = [w for w in _WORD.findall(row["title"]) if w.lower() not in _STOP]
                if words:
                    pools["english title"].append(" ".join(words[:rng.randint(1, 3)]).lower())
            if row["language"] == "eng" and row["subjects"]:
                pools["english subject"].append(row["subjects"][0].split(" -- ")[0])
            original = row["title_original"] or ""
            if _HANGUL.search(original):
                words = [w.strip(".,:;()[]") for w in original.split()]
                words = [w for w in words if _HANGUL.search(w)]
                if words:
                    pools["korean title"].append(" ".join(words[:rng.randint(1, 2)]))
            for heading in row["subjects_original"] or ():
                if _HANGUL.search(heading):
                    pools["korean subject"].append(heading.split(" -- ")[0])
                    break
        self.pools = {}
        for name, values in pools.items():
            values = sorted(set(values))
            rng.shuffle(values)
            self.pools[name] = values[:per_pool]
        version = graph_artifacts.current_version(settings.graph_dir)
        nodes = pq.read_table(settings.graph_dir / version / "nodes.parquet",
                              columns=["id", "label", "kind"]).to_pylist()
        self.topics = [n["id"] for n in nodes]
        self.subject_labels = {n["label"] for n in nodes if n["kind"] == "subject"}

    def query(self, rng: random.Random) -> str:
        return rng.choice(self.pools[rng.choice([p for p in self.pools if self.pools[p]])])

    @staticmethod
    def prefixes(q: str, rng: random.Random) -> list[str]:
        """What the suggestion box sees while the query is typed: one or two prefixes."""
        step = 3 if q.isascii() else 1
        lengths = sorted({min(len(q), step), min(len(q), step + rng.randint(1, 4))})
        return [q[:n] for n in lengths[:rng.randint(1, 2)]]


# --- visitors ------------------------------------------------------------------------

# Pages are drawn on the server first (docs/pages.md): the first answer is the page
# itself as HTML; a wide screen's browser then brings Dash (takeover.js, /_dash-boot
# and the scripts it lists, cached after the first time), asks for the layout with the
# page already in place (/_dash-layout?page=...) and the callbacks. A link on the page
# (dcc.Link) or a search submitted asks the page router's callback. Visitors ask what
# the browser asks, in that order.
_ROUTER = {"output": ".._pages_content.children..._pages_store.data..",
           "outputs": [{"id": "_pages_content", "property": "children"},
                       {"id": "_pages_store", "property": "data"}],
           "changedPropIds": ["_pages_location.pathname", "_pages_location.search"],
           "state": []}
_CALLBACK_HEADERS = {**HEADERS, "content-type": "application/json"}
_ASSET = re.compile(r'<(?:script src|link rel="stylesheet" href)="(/[^"]+)"')
_TAKEOVER = re.compile(r'"(/_shelfmap/takeover\.[0-9a-f]+\.js)"')
_RECORD_LINK = re.compile(r'"href":"(/record/[^"]+)"')
_FACET_LINK = re.compile(r'"href":"(/\?[^"]*\b(?:subject|author|language|class)=[^"]*)"')
_NEXT_LINK = re.compile(r'"href":"([^"]+)"(?:,"\w+":"[^"]*")*,"id":"search-next"')


def _router_body(href: str) -> bytes:
    pathname, _, search = href.partition("?")
    return json.dumps({**_ROUTER, "inputs": [
        {"id": "_pages_location", "property": "pathname", "value": pathname},
        {"id": "_pages_location", "property": "search", "value": "?" + search if search else ""},
    ]}).encode()


def _suggest_body(text: str) -> bytes:
    return json.dumps({"output": "search-suggest.children",
                       "outputs": {"id": "search-suggest", "property": "children"},
                       "inputs": [{"id": "search-q", "property": "value", "value": text}],
                       "changedPropIds": ["search-q.value"], "state": []},
                      ensure_ascii=False).encode()


def _submitted(q: str, href: str) -> str:
    """Where the search box's form goes from the page at ``href``: the query, then the
    filters the form keeps (every argument of a search page but q and page)."""
    from urllib.parse import parse_qsl

    kept = [(k, v) for k, v in parse_qsl(href.partition("?")[2])
            if k not in ("q", "page")] if href.startswith("/?") else []
    return "/?" + urlencode([("q", q), *kept])


class Page:
    """The links a page offers, read from its component tree."""

    def __init__(self, href: str, body: bytes):
        text = body.decode("utf-8", "replace").replace("\\u002f", "/")
        self.href = href
        self.records = _RECORD_LINK.findall(text)
        self.facets = _FACET_LINK.findall(text)
        self.next = _NEXT_LINK.findall(text)[:1]
        self.is_search = href.startswith("/?") or href == "/"


class Finished(Exception):
    """The run's time is up."""


class Visitor:
    """One person with a browser: a seeded random walk through the site on one
    keep-alive connection, the browser's cache kept across the person's visits."""

    def __init__(self, number: int, url: str, site: Site, log: list, *, seed: int,
                 started: float, deadline: float, think: tuple[float, float],
                 timeout: float):
        self.rng = random.Random(f"{seed}-{number}")
        self.http = urllib3.connection_from_url(
            url, maxsize=1, block=True, headers=HEADERS, retries=False,
            timeout=urllib3.Timeout(connect=timeout, read=timeout))
        self.site, self.log = site, log
        self.started, self.deadline, self.think_range = started, deadline, think
        self.cached: set[str] = set()
        self.page = Page("/", b"")

    # -- one request, recorded ---------------------------------------------------------
    def request(self, kind: str, path: str, body: bytes | None = None
                ) -> tuple[int | None, bytes]:
        if time.monotonic() >= self.deadline:
            raise Finished
        t = time.monotonic()
        status, data = None, b""
        try:
            if body is None:
                answer = self.http.request("GET", path)
            else:
                answer = self.http.request("POST", path, body=body, headers=_CALLBACK_HEADERS)
            status, data, outcome = answer.status, answer.data, answer.status
            if status == 200 and body is not None and _UNAVAILABLE in data:
                # A page drawn around "unavailable right now": a 200 that failed.
                outcome = "page unavailable"
            elif status == 503:
                try:  # the API says why (viz/errors.py): timeout, breaker or bulkhead
                    outcome = f"503 {json.loads(data).get('reason', '')}".strip()
                except ValueError:
                    pass
        except urllib3.exceptions.TimeoutError:
            outcome = "timeout"
        except (urllib3.exceptions.HTTPError, OSError):
            outcome = "connection error"
        except Exception as exc:  # noqa: BLE001 - a visitor never stops the run
            outcome = f"client {type(exc).__name__}"
        self.log.append((kind, t - self.started, time.monotonic() - t, outcome))
        return status, data

    def api(self, kind: str, path: str):
        """A GET of the JSON API; its answer decoded (None unless a 200)."""
        status, data = self.request(kind, path)
        if status != 200:
            return None
        try:
            return json.loads(data)
        except ValueError:
            return None

    def think(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Finished
        time.sleep(min(self.rng.uniform(*self.think_range), left))

    # -- what the browser does ----------------------------------------------------------
    def open(self, href: str, kind: str) -> None:
        """A page typed in or bookmarked: the page, what it loads, then Dash's
        takeover (the layout holds the page, so the router is not asked)."""
        status, page = self.request("page shell", href)
        text = page.decode("utf-8", "replace") if status == 200 else ""
        assets = _ASSET.findall(text) + _TAKEOVER.findall(text)
        if assets:
            status, boot = self.request("static asset", "/_dash-boot")
            if status == 200:
                assets += _ASSET.findall(boot.decode("utf-8", "replace"))
        for asset in assets:
            if asset not in self.cached:
                if self.request("static asset", unescape(asset))[0] == 200:
                    self.cached.add(asset)
        status, data = self.request(kind, "/_dash-layout?" + urlencode({"page": href}))
        if status == 200:
            self.page = Page(href, data)
        self.request("dash dependencies", "/_dash-dependencies")

    def navigate(self, href: str, kind: str) -> None:
        """A link on the page followed: the page router's callback renders it."""
        status, data = self.request(kind, "/_dash-update-component", _router_body(href))
        if status == 200:
            self.page = Page(href, data)

    # -- a visit --------------------------------------------------------------------
    def run(self) -> None:
        try:
            while True:
                self.visit()
        except Finished:
            pass
        finally:
            self.http.close()

    def visit(self) -> None:
        """Arrive (on the home page half the time, else on a bookmarked search or
        record, or through the topic map's or a monitor's request), then search two or
        three times."""
        rng, site = self.rng, self.site
        entry = rng.random()
        if entry < 0.15:
            href = f"/record/{quote(rng.choice(site.ids), safe=':')}"
            self.open(href, "record")
            self.think()
            self.record(href, opened=True)
        else:
            if entry < 0.35:
                self.open("/?" + urlencode({"q": site.query(rng)}), "search")
            else:
                if entry >= 0.95:
                    self.api("health", "/api/health")
                elif entry >= 0.85:
                    self.api("graph overview", "/api/graph/topics")
                self.open("/", "home")
            self.think()
        for _ in range(rng.randint(2, 3)):
            self.search()

    def search(self) -> None:
        rng, site = self.rng, self.site
        if not self.page.is_search:
            self.navigate("/", "home")           # the record page's "‹ Search" link
            self.think()
        q = site.query(rng)
        prefixes = site.prefixes(q, rng)
        for prefix in prefixes:                  # typing, with a pause per prefix
            self.request("suggest box", "/_dash-update-component", _suggest_body(prefix))
            time.sleep(rng.uniform(0.35, 1.0))
        if rng.random() < 0.3:
            self.api("api suggest", "/api/suggest?" + urlencode({"q": prefixes[-1]}))
        self.navigate(_submitted(q, self.page.href), "search")
        self.think()
        if self.page.facets and rng.random() < 0.4:
            self.navigate(rng.choice(self.page.facets[:40]), "search filtered")
            self.think()
        if self.page.next and rng.random() < 0.3:
            self.navigate(self.page.next[0], "search next page")
            self.think()
        if rng.random() < 0.3:
            self.api_search(q)
        records = self.page.records or [f"/record/{quote(rng.choice(site.ids), safe=':')}"]
        for href in rng.sample(records, min(len(records), rng.choice((1, 1, 2)))):
            self.record(href)

    def api_search(self, q: str) -> None:
        """The JSON API as a script or the map's client asks it: a query, perhaps a
        facet value from the first answer, perhaps a later page."""
        args = {"q": q}
        answer = self.api("api search", "/api/search?" + urlencode(args))
        self.think()
        if not answer:
            return
        facet = self.rng.choice(["subject", "author", "language", "class"])
        values = [b["value"] for b in (answer.get("facets") or {}).get(facet) or ()]
        if values and self.rng.random() < 0.5:
            args[facet] = self.rng.choice(values)
        if answer.get("total", 0) > 20:
            args["page"] = self.rng.randint(2, min(5, 1 + answer["total"] // 20))
        if len(args) > 1:
            self.api("api search", "/api/search?" + urlencode(args))
            self.think()

    def record(self, href: str, opened: bool = False) -> None:
        """A record page (``opened``: already shown), and what a reader does there."""
        rng, site = self.rng, self.site
        if not opened:
            self.navigate(href, "record")
            self.think()
        page = self.page
        api = "/api/records/" + href[len("/record/"):]
        if rng.random() < 0.5:
            self.api("related", api + "/related")
            self.think()
        if rng.random() < 0.3:
            self.request("cite", api + "/cite?format=" + rng.choice(("bibtex", "ris",
                                                                      "csl-json")))
            self.think()
        if rng.random() < 0.4:
            record = self.api("api record", api) or {}
            self.think()
            labels = [t for t in record.get("subject_terms") or () if t in site.subject_labels]
            around = rng.choice(labels) if labels else rng.choice(site.topics)
            self.api("graph around", "/api/graph/topics?" + urlencode(
                {"around": around, "depth": rng.choice((1, 2))}))
            self.think()
        if rng.random() < 0.1:
            self.api("graph overview", "/api/graph/topics")
            self.think()
        if rng.random() < 0.1:
            self.api("health", "/api/health")
            self.think()
        others = [r for r in page.records if r != href]
        if others and rng.random() < 0.3:       # a related record, one step further
            self.navigate(rng.choice(others), "record")
            self.think()
        elif page.facets and rng.random() < 0.3:  # a subject, a name, a class
            self.navigate(rng.choice(page.facets), "search filtered")
            self.think()


# --- processes and their memory --------------------------------------------------------

def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out.extend(int(c) for c in (task / "children").read_text().split())
    except OSError:
        pass
    return out


def tree(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        p = stack.pop()
        if Path(f"/proc/{p}").exists():
            found.append(p)
            stack.extend(_children(p))
    return found


def rss_mb(pids: list[int]) -> float:
    kb = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    kb += int(line.split()[1])
                    break
        except OSError:
            continue
    return round(kb / 1024, 1)


class MemorySampler(threading.Thread):
    """Every second: the summed RSS of the serve process tree and of the node, and the
    machine's load average (the cores are shared)."""

    def __init__(self, serve_pid: int, node_pid: int | None, started: float):
        super().__init__(daemon=True)
        self.serve_pid, self.node_pid, self.started = serve_pid, node_pid, started
        self.samples: list[dict] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            serve = tree(self.serve_pid)
            self.samples.append({
                "t": round(time.monotonic() - self.started, 1),
                "serve_mb": rss_mb(serve), "serve_processes": len(serve),
                "node_mb": rss_mb(tree(self.node_pid)) if self.node_pid else None,
                "load_average": os.getloadavg()[0]})
            self.stop.wait(1.0)


# The last line of a traceback: "AttributeError: partially initialized module ...".
_RAISED = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception): .*$", re.MULTILINE)


# --- the figures ----------------------------------------------------------------------

def _ms(values: list[float], p: float) -> float:
    return round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 1)


def summarise(log: list, seconds: float) -> dict:
    by_kind: dict[str, dict] = {}
    for kind in KINDS:
        rows = [r for r in log if r[0] == kind]
        if not rows:
            continue
        latencies = sorted(r[2] for r in rows)
        other: dict[str, int] = {}
        for r in rows:
            if not (isinstance(r[3], int) and 200 <= r[3] < 300):
                other[str(r[3])] = other.get(str(r[3]), 0) + 1
        by_kind[kind] = {
            "count": len(rows), "per_s": round(len(rows) / seconds, 1),
            "p50_ms": _ms(latencies, 0.50), "p95_ms": _ms(latencies, 0.95),
            "p99_ms": _ms(latencies, 0.99), "max_ms": round(latencies[-1] * 1000, 1),
            "not_2xx": other, "errors": sum(n for s, n in other.items() if _is_error(s))}
    latencies = sorted(r[2] for r in log)
    total = {"count": len(log), "per_s": round(len(log) / seconds, 1),
             "p50_ms": _ms(latencies, 0.5) if log else None,
             "p95_ms": _ms(latencies, 0.95) if log else None,
             "p99_ms": _ms(latencies, 0.99) if log else None,
             "errors": sum(k["errors"] for k in by_kind.values())}
    return {"total": total, "kinds": by_kind}


# What the pages say instead of their content when Elasticsearch did not answer
# (viz/pages/search.py, record.py, components/related_list.py).
_UNAVAILABLE = b"unavailable right now"


def _is_error(outcome: str) -> bool:
    """5xx, a connection error, a timeout or a failure in the client itself."""
    return not outcome.isdigit() or int(outcome) >= 500


def table(summary: dict, title: str) -> str:
    lines = [title, f"{'kind':<18}{'count':>7}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}"
             f"{'p99 ms':>9}{'max ms':>9}  errors / other answers"]
    for kind, k in summary["kinds"].items():
        other = ", ".join(f"{s}: {n}" for s, n in sorted(k["not_2xx"].items())) or "-"
        lines.append(f"{kind:<18}{k['count']:>7}{k['per_s']:>8}{k['p50_ms']:>9}"
                     f"{k['p95_ms']:>9}{k['p99_ms']:>9}{k['max_ms']:>9}  "
                     f"{k['errors']} / {other}")
    t = summary["total"]
    lines.append(f"{'all':<18}{t['count']:>7}{t['per_s']:>8}{t['p50_ms']:>9}"
                 f"{t['p95_ms']:>9}{t['p99_ms']:>9}{'':>9}  {t['errors']}")
    return "\n".join(lines)


# --- the run ---------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="duration (120)")
    parser.add_argument("--visitors", type=int, default=100, help="concurrent visitors (100)")
    parser.add_argument("--seed", type=int, default=1, help="seed of queries and walks (1)")
    parser.add_argument("--think", type=float, nargs=2, default=(0.5, 2.5),
                        metavar=("MIN", "MAX"),
                        help="a visitor's pause between actions, uniform in seconds "
                        "(0.5 2.5)")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="seconds a visitor waits for an answer (10): longer is an "
                        "error")
    parser.add_argument("--cold-seconds", type=float, default=10.0,
                        help="the first seconds after the port opens, reported apart (10)")
    parser.add_argument("--es-port", type=int, default=9282)
    parser.add_argument("--port", type=int, default=18100)
    parser.add_argument("--home", type=Path,
                        help="keep this home and reuse what it holds (default: a fresh "
                        "one, removed at the end)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "load.json")
    args = parser.parse_args()

    from index import local_node

    home = bench_home(args.home, "load-home-", WORK)
    settings = settings_module.load(environ={}, home=str(home), es_port=args.es_port)
    env = bench_env(home, args.es_port, args.port)
    result: dict = {"commit": commit(), "when": time.strftime("%Y-%m-%d %H:%M"),
                    "machine": f"{os.cpu_count()} cores (shared)",
                    "load_average_before": os.getloadavg()[0],
                    "options": {k: (str(v) if isinstance(v, Path) else v)
                                for k, v in vars(args).items()}}
    node = local_node.LocalNode(settings)
    try:
        started = time.monotonic()
        node.start()
        result["node_start_s"] = round(time.monotonic() - started, 1)
        print(f"Elasticsearch on port {args.es_port} in {result['node_start_s']} s; "
              "loading the catalogue", flush=True)
        result["setup_s"] = prepare(settings, env)
        site = Site(settings, random.Random(args.seed))
        result["queries"] = {name: len(pool) for name, pool in site.pools.items()}
        result.update(report(args, run(args, env, site, node)))
    finally:
        if args.home:
            node.stop()
        else:
            node.wipe()
            shutil.rmtree(home, ignore_errors=True)
    result["load_average_after"] = os.getloadavg()[0]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")


def run(args, env: dict, site: Site, node) -> dict:
    """Start `shelfmap serve`, let the visitors in as soon as its port accepts
    connections, stop it when they are done; what happened, unsummarised."""
    log: list = []
    server_log = open(Path(env["SHELFMAP_HOME"]) / "serve.log", "w+b")
    launched = time.monotonic()
    server = subprocess.Popen([str(CLI), "serve", "--port", str(args.port)], env=env,
                              stdout=server_log, stderr=subprocess.STDOUT)
    node_pid = node.status()["pid"]
    sampler = MemorySampler(server.pid, node_pid, launched)
    sampler.start()
    try:
        while not port_open(args.port):
            if server.poll() is not None:
                server_log.seek(0)
                raise SystemExit(f"shelfmap serve exited ({server.returncode}):\n"
                                 f"{server_log.read().decode(errors='replace')[-3000:]}")
            if time.monotonic() - launched > 120:
                raise SystemExit("shelfmap serve did not open its port within 120 s")
            time.sleep(0.01)
        opened = time.monotonic()
        url = f"http://127.0.0.1:{args.port}"
        visitors = [Visitor(n, url, site, log, seed=args.seed, started=opened,
                            deadline=opened + args.seconds, think=tuple(args.think),
                            timeout=args.timeout)
                    for n in range(args.visitors)]
        threads = [threading.Thread(target=v.run, daemon=True) for v in visitors]
        cpu_before = (tree_cpu(server.pid), tree_cpu(node_pid), time.process_time())
        for t in threads:
            t.start()
        print(f"port open {opened - launched:.2f} s after launch; {args.visitors} visitors "
              f"for {args.seconds:.0f} s", flush=True)
        for t in threads:
            t.join(timeout=args.seconds + 2 * args.timeout + 30)
        elapsed = time.monotonic() - opened
        cpu = (tree_cpu(server.pid) - cpu_before[0], tree_cpu(node_pid) - cpu_before[1],
               time.process_time() - cpu_before[2])
    finally:
        sampler.stop.set()
        sampler.join(timeout=5)
        exited = server.poll()              # None: still serving, as it should be
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server_log.seek(0)
        logged = server_log.read().decode("utf-8", "replace")
        server_log.close()
    return {"log": sorted(log, key=lambda r: r[1]), "samples": sampler.samples,
            "port_open_s": round(opened - launched, 2), "elapsed": elapsed,
            "cpu_cores": {name: round(value / elapsed, 2) for name, value in
                          zip(("serve", "elasticsearch", "load_generator"), cpu)},
            "exited": exited, "server_log": logged}


def report(args, ran: dict) -> dict:
    """The figures of a run: printed as tables, returned for the JSON result."""
    log, port_open_s = ran["log"], ran["port_open_s"]
    summary = summarise(log, args.seconds)
    cold = summarise([r for r in log if r[1] < args.cold_seconds], args.cold_seconds)
    warm = summarise([r for r in log if r[1] >= args.cold_seconds],
                     args.seconds - args.cold_seconds)
    cold["port_open_s"] = port_open_s
    first = {"any request": next((r[1] + r[2] for r in log if r[3] == 200), None),
             "/api/health": next((r[1] + r[2] for r in log
                             if r[0] == "health" and r[3] == 200), None)}
    cold["first_200_s_after_port_open"] = {k: v if v is None else round(v, 2)
                                           for k, v in first.items()}
    samples = [s for s in ran["samples"] if s["t"] >= port_open_s] or ran["samples"]
    memory = {name: {"start": samples[0][name], "end": samples[-1][name],
                     "max": max(s[name] or 0 for s in samples)}
              for name in ("serve_mb", "node_mb")}
    memory["serve_processes"] = max(s["serve_processes"] for s in samples)
    memory["every_10_s"] = [{k: s[k] for k in ("t", "serve_mb", "node_mb")}
                            for s in _every(samples, 10.0)]
    memory["samples"] = ran["samples"]
    loads = [s["load_average"] for s in samples]
    load = {"min": min(loads), "mean": round(sum(loads) / len(loads), 2), "max": max(loads)}
    logged = ran["server_log"]
    raised: dict[str, int] = {}
    for line in _RAISED.findall(logged):
        raised[line[:200]] = raised.get(line[:200], 0) + 1
    server_log = {"tracebacks": logged.count("Traceback (most recent call last)"),
                  "exceptions": raised}

    print()
    print(table(summary, f"{args.visitors} visitors for {args.seconds:.0f} s (port open "
                         f"{port_open_s} s after launch)"))
    print()
    firsts = ", ".join(f"first 200 of {k} after {v} s" for k, v in
                       cold["first_200_s_after_port_open"].items() if v is not None)
    print(table(cold, f"cold start: the first {args.cold_seconds:.0f} s after the port "
                      f"opened ({firsts or 'no 200 at all'})"))
    print()
    print(table(warm, f"after the cold start: from {args.cold_seconds:.0f} s to the end"))
    print()
    print(f"serve RSS (summed over its {memory['serve_processes']} processes): start "
          f"{memory['serve_mb']['start']} MB, end {memory['serve_mb']['end']} MB, max "
          f"{memory['serve_mb']['max']} MB; node: start {memory['node_mb']['start']} MB, "
          f"end {memory['node_mb']['end']} MB, max {memory['node_mb']['max']} MB")
    print("serve RSS every 10 s: " + ", ".join(
        f"{s['t'] - port_open_s:.0f} s {s['serve_mb']:.0f} MB" for s in memory["every_10_s"]))
    print(f"the machine's load average (1 min) during the run: {load}")
    print(f"CPU (cores busy on average): {ran['cpu_cores']}; server log: "
          f"{server_log['tracebacks']} tracebacks {raised or ''}")
    return {"seconds": round(ran["elapsed"], 1), "visitors": args.visitors, "all": summary,
            "cold_start": cold, "after_cold_start": warm, "memory": memory,
            "load_average": load, "cpu_cores": ran["cpu_cores"],
            "server_exited_during_run": ran["exited"], "server_log": server_log}


def _every(samples: list[dict], step: float) -> list[dict]:
    """The first sample of each ``step`` seconds, and the last."""
    out, due = [], samples[0]["t"]
    for s in samples:
        if s["t"] >= due:
            out.append(s)
            due += step
    if out[-1] is not samples[-1]:
        out.append(samples[-1])
    return out


if __name__ == "__main__":
    main()
