"""Topic graph build on 25k, 100k and 250k LoC records, against networkx alone.

For each size, in one run:

- shelfmap: `shelfmap graph` (Spark counting and pruning, networkx communities and
  centrality, the two-level layout), wall time and peak memory per step: the driver's
  peak RSS, and for the Spark steps also the local JVM's (driver and executors);
- the baseline, networkx alone on the same catalogue: the co-occurrence graph built in
  plain Python (the same nodes, weights, support and pruning), then networkx's
  `louvain_communities` and `spring_layout` over the whole graph, in a child process
  given --baseline-minutes (default 30) in all; steps it does not reach in that time are
  reported as not finished.

Then the neighbourhood query on the largest graph: in the store
(`GraphStore.neighbourhood`, depth 1 and 2, over a sample of nodes), and through
`shelfmap serve` (`/api/graph/topics?around=`, depth 2, 1 and 8 concurrent clients):
p50/p95/p99.

    bench/fetch-loc-full.sh                                  # once
    .venv/bin/python bench/graph_bench.py [--sizes 25000 100000 250000] [--baseline-minutes 30]

Catalogues are ingested once into homes under the bench folder (SHELFMAP_BENCH_DIR,
default /tmp/shelfmap-bench); results go to bench/results/graph.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import settings as settings_module  # noqa: E402
from ingest_bench import WORK, full_file, prefix  # noqa: E402


def bench_settings(records: int):
    return settings_module.load(environ={}, home=str(WORK / f"graph-home-{records}"))


def ensure_catalogue(settings, records: int, spark) -> Path:
    from ingest import catalogue, catalogue_job

    if catalogue.current_version(settings.catalogue_dir) is None:
        source = prefix(full_file(), records) if records < 250_000 else full_file()
        catalogue_job.run(settings, [str(source)], spark=spark)
    return catalogue.current_path(settings.catalogue_dir)


# --- memory ----------------------------------------------------------------------------

def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _reset_peak(pid: int) -> None:
    # Writing 5 to clear_refs resets the peak RSS (VmHWM) of a process (Linux >= 4.0).
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        pass


def _jvm_pids() -> list[int]:
    """The local Spark JVM(s): java children of this process."""
    me = os.getpid()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == me and b"java" in cmd:
            pids.append(int(entry.name))
    return pids


class StepMeter:
    """Wall time and peak RSS (driver; the Spark JVM too) of each named step, fed by the
    build's progress callback."""

    def __init__(self):
        self.steps: dict[str, dict] = {}
        self._current: str | None = None
        self._started = 0.0

    def __call__(self, step: str) -> None:
        self._close()
        self._current, self._started = step, time.perf_counter()
        for pid in [os.getpid(), *_jvm_pids()]:
            _reset_peak(pid)

    def _close(self) -> None:
        if self._current is None:
            return
        jvm = sum(_status_kb(p, "VmHWM") for p in _jvm_pids())
        self.steps[self._current] = {
            "seconds": round(time.perf_counter() - self._started, 1),
            "driver_peak_mb": round(_status_kb(os.getpid(), "VmHWM") / 1024),
            "jvm_peak_mb": round(jvm / 1024) if jvm else None}
        self._current = None

    def finish(self) -> dict:
        self._close()
        return self.steps


# --- the baseline: networkx alone ------------------------------------------------------

def _baseline(catalogue_dir: str, min_support: int, top_k: int, seed: int, out: str) -> None:
    """Runs in a child process; writes its progress after every step, so what it reached
    survives being stopped at the time limit."""
    import networkx as nx
    import pyarrow.dataset as ds

    from ingest import graph

    result: dict = {"steps": {}}

    def done(step, started, **extra):
        result["steps"][step] = {"seconds": round(time.perf_counter() - started, 1),
                                 "peak_mb": round(_status_kb(os.getpid(), "VmHWM") / 1024),
                                 **extra}
        Path(out).write_text(json.dumps(result))

    started = time.perf_counter()
    table = ds.dataset(catalogue_dir, format="parquet").to_table(
        columns=["subject_terms", "authors", "lcc_class"])
    n = table.num_rows
    nodes: Counter = Counter()
    pairs: Counter = Counter()
    for subjects, authors, lcc in zip(*(table.column(c).to_pylist() for c in table.column_names)):
        s = sorted({graph.node_id("subject", t) for t in subjects or ()})
        a = sorted({graph.node_id("author", t) for t in authors or ()})
        c = [graph.node_id("class", lcc)] if lcc else []
        nodes.update(s + a + c)
        for i, x in enumerate(s):
            for y in s[i + 1:]:
                if not graph.is_broader(graph.split_id(x)[1], graph.split_id(y)[1]):
                    pairs[(x, y)] += 1
        for other in a + c:
            for x in s:
                pairs[(min(x, other), max(x, other))] += 1
    links = {}
    for (x, y), co in pairs.items():
        if co >= min_support and nodes[x] >= min_support and nodes[y] >= min_support:
            w = graph.npmi(co, nodes[x], nodes[y], n)
            if w > 0:
                links[(x, y)] = (w, co)
    G = nx.Graph()
    for x, y in graph.prune(((x, y, w, co) for (x, y), (w, co) in links.items()), top_k):
        w, co = links[(x, y)]
        G.add_edge(x, y, weight=w, records=co)
    done("counting", started, nodes=G.number_of_nodes(), edges=G.number_of_edges())

    started = time.perf_counter()
    communities = nx.community.louvain_communities(G, weight="weight", seed=seed)
    done("communities", started, communities=len(communities))

    started = time.perf_counter()
    nx.spring_layout(G, weight="weight", seed=seed)
    done("layout", started)


def baseline(settings, catalogue_dir: Path, minutes: float) -> dict:
    out = WORK / f"baseline-{os.getpid()}.json"
    out.unlink(missing_ok=True)
    ctx = multiprocessing.get_context("spawn")
    child = ctx.Process(target=_baseline, args=(str(catalogue_dir), settings.graph_min_support,
                                                settings.graph_top_k, settings.graph_seed, str(out)))
    started = time.perf_counter()
    child.start()
    child.join(timeout=minutes * 60)
    finished = not child.is_alive()
    if not finished:
        child.kill()
        child.join()
    result = json.loads(out.read_text()) if out.exists() else {"steps": {}}
    out.unlink(missing_ok=True)
    result["finished"] = finished and "layout" in result["steps"]
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["limit_minutes"] = minutes
    return result


# --- the store's neighbourhood query ---------------------------------------------------

def neighbourhood_latency(settings, samples: int = 2000) -> dict:
    from viz.graph import store as graph_store

    store = graph_store.current(settings.graph_dir)
    rng = random.Random(7)
    ids = store.ids
    out = {}
    for depth in (1, 2):
        times = []
        for node in rng.sample(ids, min(samples, len(ids))):
            t = time.perf_counter()
            store.neighbourhood(node, depth=depth, limit=50)
            times.append(time.perf_counter() - t)
        times.sort()

        def at(p):
            return round(times[min(len(times) - 1, int(p * len(times)))] * 1000, 2)

        out[f"depth_{depth}"] = {"n": len(times), "p50_ms": at(0.5), "p95_ms": at(0.95),
                                 "p99_ms": at(0.99),
                                 "mean_ms": round(statistics.fmean(times) * 1000, 2)}
    return out


def api_neighbourhood_latency(settings, seconds: float = 10.0) -> list[dict]:
    """``/api/graph/topics?around=`` through `shelfmap serve` (HTTP, JSON), 1 and 8
    concurrent clients, each asking for the neighbourhood of a random node."""
    import subprocess

    import requests

    from index_bench import load
    from viz.graph import store as graph_store

    store = graph_store.current(settings.graph_dir)
    rng = random.Random(11)
    labels = [store.ids[i] for i in rng.sample(range(len(store.ids)), min(5000, len(store.ids)))]
    port = 8791
    env = dict(os.environ, SHELFMAP_HOME=settings.home, SHELFMAP_PORT=str(port))
    server = subprocess.Popen([str(Path(sys.executable).with_name("shelfmap")), "serve"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api/graph/topics"
    try:
        for _ in range(240):
            try:
                if requests.get(url, timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)

        def send(http, node):
            return http.get(url, params={"around": node, "depth": 2, "limit": 50},
                            timeout=30).status_code == 200

        rows = []
        for clients in (1, 8):
            stats = load(send, clients, seconds, labels)
            rows.append({"clients": clients, **stats})
            print(f"/api/graph/topics?around=..&depth=2, {clients} client(s): p50/p95/p99 "
                  f"{stats['p50_ms']}/{stats['p95_ms']}/{stats['p99_ms']} ms", flush=True)
        return rows
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25_000, 100_000, 250_000])
    parser.add_argument("--baseline-minutes", type=float, default=30.0)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()

    from viz.graph import build as graph_build
    from ingest.spark import session

    results: dict = {"machine": f"{os.cpu_count()} cores", "sizes": []}
    spark = None
    for records in args.sizes:
        settings = bench_settings(records)
        spark = spark or session(settings, "shelfmap graph bench")
        catalogue_dir = ensure_catalogue(settings, records, spark)
        graph_build.build(settings, spark=spark)  # warm-up: JIT, Python workers
        meter = StepMeter()
        started = time.perf_counter()
        manifest = graph_build.build(settings, spark=spark, progress=meter)
        total = time.perf_counter() - started
        row = {"records": records, "shelfmap": {"seconds": round(total, 1),
                                                "steps": meter.finish(),
                                                "counts": manifest["counts"]}}
        print(f"{records:>7,} records  shelfmap {total:6.1f} s  " + "  ".join(
            f"{k} {v['seconds']} s/{v['driver_peak_mb']} MB" for k, v in row["shelfmap"]["steps"].items())
            + f"  ({manifest['counts']['edges']:,} links)", flush=True)
        results["sizes"].append(row)
        results["neighbourhood"] = {"records": records, **neighbourhood_latency(settings)}
    if spark is not None:
        spark.stop()
    print(f"neighbourhood on {results['neighbourhood']['records']:,} records: "
          f"depth 1 p95 {results['neighbourhood']['depth_1']['p95_ms']} ms, "
          f"depth 2 p95 {results['neighbourhood']['depth_2']['p95_ms']} ms", flush=True)
    largest = bench_settings(results["neighbourhood"]["records"])
    results["neighbourhood"]["api"] = api_neighbourhood_latency(largest)
    if not args.no_baseline:
        for row in results["sizes"]:
            settings = bench_settings(row["records"])
            from ingest import catalogue

            row["networkx"] = baseline(settings, catalogue.current_path(settings.catalogue_dir),
                                       args.baseline_minutes)
            steps = row["networkx"]["steps"]
            print(f"{row['records']:>7,} records  networkx alone: " + "  ".join(
                f"{k} {v['seconds']} s/{v['peak_mb']} MB" for k, v in steps.items())
                + ("" if row["networkx"]["finished"] else
                   f"  (not finished in {args.baseline_minutes:g} min)"), flush=True)
            if row["networkx"]["finished"]:
                row["ratio"] = round(row["networkx"]["seconds"] / row["shelfmap"]["seconds"], 1)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    results["when"] = time.strftime("%Y-%m-%d")
    (out / "graph.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
