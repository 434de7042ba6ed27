"""Server time of the map's views on a built topic graph, against the budget of issue 11
(p95 under 30 ms on the 250,000-record graph).

Every view of the graph (the whole catalogue, every region; at most --views of them,
a fixed sample beyond that) is asked for through the app's own WSGI server code, in
process (Flask's test client: routing, the page's layout, the server-drawn HTML,
compression; no network):

- the first paint, ``GET /map?region=<id>`` with ``Accept-Encoding: gzip``: drawn on
  request (the view selected and its SVG drawn: what a view costs when nothing drew it
  before), then a repeat (the drawn view kept for the build: ``GraphStore.drawn``);
- the later visit, Dash's page callback for the same URL (the JSON a phone gets when it
  navigates with Dash loaded), a repeat;
- then as a server meets a new build: the build loaded afresh, its views drawn in the
  background (``viz.components.map_view.warm``; timed), and each view's first request.

Reported per kind: p50, p95, p99 and the largest, in milliseconds of wall time, and the
largest compressed answer in KB. The graph is the current one of --home (its catalogue
need not be indexed: the map's pages do not search).

    .venv/bin/python bench/map_bench.py --home /tmp/shelfmap-bench/home-250000 [--views 2000]

Results go to bench/results/map.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET_MS = 30.0
CALLBACK = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}


def _quantiles(times: list[float]) -> dict:
    ordered = sorted(times)
    cut = statistics.quantiles(ordered, n=100, method="inclusive") if len(ordered) > 1 \
        else [ordered[0]] * 99
    return {"n": len(ordered), "p50_ms": round(cut[49] * 1000, 2),
            "p95_ms": round(cut[94] * 1000, 2), "p99_ms": round(cut[98] * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2)}


def _views(store, limit: int, seed: int) -> list[str | None]:
    regions = sorted(store.region_rows)
    if len(regions) > limit - 1:
        regions = sorted(random.Random(seed).sample(regions, limit - 1))
    return [None, *regions]


def _path(region: str | None) -> tuple[str, str]:
    from urllib.parse import urlencode

    return "/map", ("?" + urlencode({"region": region})) if region else ""


def _timed(client, method: str, url: str, **kwargs) -> tuple[float, int]:
    started = time.perf_counter()
    r = getattr(client, method)(url, **kwargs)
    elapsed = time.perf_counter() - started
    assert r.status_code == 200, (url, r.status_code)
    return elapsed, len(r.data)


def measure(settings, limit: int, seed: int) -> dict:
    from app import create_app
    from viz.components import map_view
    from viz.graph import store as graph_store

    gzip = {"Accept-Encoding": "gzip"}
    times: dict[str, list[float]] = {}
    largest = {"first paint": 0, "later visit (Dash)": 0}

    def timed(kind: str, method: str, url: str, **kwargs) -> None:
        elapsed, size = _timed(client, method, url, headers=gzip, **kwargs)
        times.setdefault(kind, []).append(elapsed)
        page = "later visit (Dash)" if method == "post" else "first paint"
        largest[page] = max(largest[page], size)

    # Pass 1: every view drawn on request (the background drawing of a new build's
    # views held back), then asked again.
    warm = map_view.warm
    map_view.warm = lambda graph: None
    try:
        store = graph_store.current(settings.graph_dir, max_age=0)
        if store is None:
            raise SystemExit(f"no topic graph under {settings.graph_dir}: run `shelfmap graph`")
        client = create_app(settings).server.test_client()
        views = _views(store, limit, seed)
        client.get("/map?view=list", headers=gzip)  # the app's own first request
        for region in views:
            path, search = _path(region)
            timed("first paint, drawn on request", "get", path + search)
            timed("first paint, repeat", "get", path + search)
            body = CALLBACK | {"inputs": [
                {"id": "_pages_location", "property": "pathname", "value": path},
                {"id": "_pages_location", "property": "search", "value": search}]}
            timed("later visit (Dash), repeat", "post", "/_dash-update-component", json=body)
    finally:
        map_view.warm = warm
    # Pass 2: the build loaded afresh, as a server meets a new build: its views drawn
    # in the background; each view's first request once that is done.
    graph_store._cache.clear()
    client = create_app(settings).server.test_client()
    started = time.perf_counter()
    client.get("/map?view=list", headers=gzip)
    store = graph_store.current(settings.graph_dir)
    map_view.warm(store).join()
    drawing_s = time.perf_counter() - started
    for region in views:
        path, search = _path(region)
        timed("first paint, drawn in the background", "get", path + search)
    return {"graph": {"version": store.version, "nodes": len(store), "links": store.edge_count,
                      "regions": len(store.region_rows),
                      "records": store.manifest.get("counts", {}).get("records")},
            "views": len(views), "seed": seed, "budget_p95_ms": BUDGET_MS,
            "background_drawing_s": round(drawing_s, 1),
            "times": {k: _quantiles(v) for k, v in times.items()},
            "largest_kb": {k: round(v / 1024, 1) for k, v in largest.items()}}


def main() -> None:
    import settings as shelfmap_settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", type=Path, required=True,
                        help="a shelfmap home with a current topic graph")
    parser.add_argument("--views", type=int, default=2000, help="views asked for at most")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "map.json")
    args = parser.parse_args()
    settings = shelfmap_settings.load({"SHELFMAP_HOME": str(args.home)})
    result = measure(settings, args.views, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    g = result["graph"]
    print(f"graph {g['version']}: {g['records']:,} records, {g['nodes']:,} topics, "
          f"{g['links']:,} links, {g['regions']:,} regions; {result['views']:,} views")
    for kind, t in result["times"].items():
        mark = "" if t["p95_ms"] <= BUDGET_MS else "  over the budget"
        print(f"  {kind:<28} p50 {t['p50_ms']:6.2f}  p95 {t['p95_ms']:6.2f}  "
              f"p99 {t['p99_ms']:6.2f}  max {t['max_ms']:7.2f} ms{mark}")
    print(f"  a new build's views drawn in the background in {result['background_drawing_s']} s")
    for kind, kb in result["largest_kb"].items():
        print(f"  largest {kind}: {kb} KB compressed")


if __name__ == "__main__":
    main()
