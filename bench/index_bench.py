"""Elasticsearch benchmarks on the full 250,000-record LoC catalogue, each against its
own baseline measured in the same run:

(a) indexing: `shelfmap index` (Spark executors streaming bulk requests) against the
    node's own limit: the same documents pre-serialised as NDJSON and sent by a plain
    parallel `_bulk` loader with the same number of connections, into an index with the
    same mapping and build settings;
(b) search latency: `/api/search` with 1, 8 and 32 concurrent clients against the same
    queries (the same request bodies) sent straight to Elasticsearch.

    bench/fetch-loc-full.sh                                  # once
    .venv/bin/python bench/index_bench.py [--records 250000] [--seconds 20] [--rounds 3]

Uses its own SHELFMAP_HOME and local node (port 9290) under the bench folder; prints
a table and writes bench/results/index.json.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import requests
import urllib3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import settings as settings_module  # noqa: E402
from ingest_bench import WORK, full_file, prefix  # noqa: E402

QUERIES = [
    "korea", "한국", "history", "hanguk", "economic policy", "China", "中國", "Россия",
    "poetry", "united states politics", "music", "children", "war", "religion", "law",
    "art exhibitions", "japan", "architecture", "women", "education", "경제", "문학",
    "language and grammar", "philosophy", "biography", "science", "catalogs",
]


def bench_settings(records: int):
    home = WORK / f"index-home-{records}"
    return settings_module.load(environ={}, home=str(home), es_port=9290, es_heap="1g",
                                index="bench")


def ensure_catalogue(settings, records: int, spark) -> int:
    from ingest import catalogue, catalogue_job

    if catalogue.current_version(settings.catalogue_dir) is None:
        source = prefix(full_file(), records) if records < 250_000 else full_file()
        catalogue_job.run(settings, [str(source)], spark=spark)
    import pyarrow.parquet as pq

    return pq.ParquetDataset(str(catalogue.current_path(settings.catalogue_dir))).read(
        columns=["id"]).num_rows


# --- (a) indexing ----------------------------------------------------------------------

def ndjson_chunks(settings, index_name: str, chunk: int) -> list[bytes]:
    """The catalogue's documents as ready-made bulk bodies (built before timing)."""
    import pyarrow.dataset as ds

    from index.documents import document_id, to_document
    from ingest import catalogue, schema

    bodies, lines = [], []
    dataset = ds.dataset(str(catalogue.current_path(settings.catalogue_dir)), format="parquet",
                         schema=schema.RECORD)
    for batch in dataset.to_batches(columns=list(schema.FIELDS), batch_size=4096):
        for record in batch.to_pylist():
            lines.append(json.dumps({"index": {"_index": index_name,
                                               "_id": document_id(record)}}))
            lines.append(json.dumps(to_document(record), ensure_ascii=False))
            if len(lines) >= 2 * chunk:
                bodies.append(("\n".join(lines) + "\n").encode())
                lines = []
    if lines:
        bodies.append(("\n".join(lines) + "\n").encode())
    return bodies


def plain_bulk_load(settings, bodies: list[bytes], index_name: str, connections: int) -> float:
    from index import mapping

    url = settings.es_endpoint
    body = mapping.index_body()
    body["settings"].setdefault("index", {}).update(refresh_interval="-1", number_of_replicas=0)
    requests.put(f"{url}/{index_name}", json=body, timeout=60).raise_for_status()
    work: queue.Queue = queue.Queue()
    for b in bodies:
        work.put(b)
    errors = []

    def worker():
        with requests.Session() as http:
            while True:
                try:
                    b = work.get_nowait()
                except queue.Empty:
                    return
                while True:
                    r = http.post(f"{url}/_bulk", data=b, timeout=300,
                                  headers={"content-type": "application/x-ndjson"})
                    if r.status_code == 429:
                        time.sleep(1)
                        continue
                    if r.json().get("errors"):
                        errors.append(r.text[:300])
                    break

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    requests.put(f"{url}/{index_name}/_settings",
                 json={"index": {"refresh_interval": "1s"}}, timeout=60).raise_for_status()
    requests.post(f"{url}/{index_name}/_refresh", timeout=300).raise_for_status()
    seconds = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"plain loader: {len(errors)} failed chunks: {errors[0]}")
    return seconds


# --- (b) latency -----------------------------------------------------------------------

HEADERS = {"accept-encoding": "gzip"}

def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def at(p):
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 1)

    return {"n": len(ordered), "p50_ms": at(0.50), "p95_ms": at(0.95), "p99_ms": at(0.99),
            "max_ms": round(ordered[-1] * 1000, 1),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 1)}


def load(send, clients: int, seconds: float, queries: list[str], url: str) -> dict:
    """``clients`` threads sending ``queries`` in turn (each query once, cycling only when
    the list runs out) for ``seconds``; the latency percentiles of the answers.

    Each client keeps one connection (urllib3, without requests' layers on top: the
    load generator shares the machine, so the less CPU it takes, the less it disturbs
    what it measures) and accepts gzip, as a browser does; answers are decoded.
    """
    samples: list[float] = []
    failures = [0]
    lock = threading.Lock()
    upcoming = iter(range(10**9))
    stop = time.monotonic() + seconds

    def client():
        with urllib3.connection_from_url(url, maxsize=1, headers=HEADERS) as http:
            while time.monotonic() < stop:
                with lock:
                    q = queries[next(upcoming) % len(queries)]
                t = time.perf_counter()
                ok = send(http, q)
                elapsed = time.perf_counter() - t
                with lock:
                    if ok:
                        samples.append(elapsed)
                    else:
                        failures[0] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out = _percentiles(samples)
    out["failures"] = failures[0]
    out["per_s"] = round(len(samples) / seconds)
    return out


def distinct_queries(settings, n: int = 20_000) -> list[str]:
    """Queries a catalogue's readers type, none repeated: the main heading of each
    distinct subject heading (``Korea (North)``, ``World War, 1939-1945``), shuffled."""
    import random

    import pyarrow.dataset as ds

    from ingest import catalogue

    dataset = ds.dataset(str(catalogue.current_path(settings.catalogue_dir)), format="parquet")
    seen: dict[str, None] = {}
    for batch in dataset.to_batches(columns=["subjects"], batch_size=8192):
        for headings in batch.column(0).to_pylist():
            for heading in headings or ():
                seen.setdefault(heading.split(" -- ")[0].strip().lower(), None)
    queries = [q for q in seen if q]
    random.Random(7).shuffle(queries)
    return queries[:n]


def tree_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) used so far by a process and all its descendants."""
    if pid is None:
        return 0.0
    ticks, stack = 0, [pid]
    while stack:
        proc = Path(f"/proc/{stack.pop()}")
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
            for task in (proc / "task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


def node_pid(settings) -> int | None:
    try:
        return int((settings.es_dir / "node.pid").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def latency(settings, app_url: str, seconds: float, server_pid: int | None = None) -> list[dict]:
    """Two mixes, each side by side: "repeated" cycles through the popular queries in
    QUERIES (a visitor's query is often someone else's too), "distinct" never repeats a
    query, so every search is computed afresh. Both sides send what the API sends (the
    same bodies, the request cache on). Before each side the cache is cleared and, for
    the repeated mix, warmed with one pass over its queries.

    Each side also records the CPU each answer cost, in milliseconds: the node's, the
    API server's (all its processes) and the load generator's (this process). When the
    clients keep the cores busy, the API's share is what its overhead is made of."""
    from index.queries import parse_search_params, search_body

    es = settings.es_endpoint
    es_path = f"/{settings.index}/_search?request_cache=true"
    mixes = {"repeated": QUERIES, "distinct": distinct_queries(settings)}
    bodies = {q: json.dumps(search_body(parse_search_params({"q": q}))).encode()
              for queries in mixes.values() for q in queries}
    paths = {q: "/api/search?" + urlencode({"q": q})
             for queries in mixes.values() for q in queries}

    def via_api(http, q):
        return http.request("GET", paths[q], timeout=30).status == 200

    def direct(http, q):
        return http.request("POST", es_path, body=bodies[q], timeout=30,
                            headers={**HEADERS, "content-type": "application/json"}
                            ).status == 200

    def clear_cache():
        requests.post(f"{es}/{settings.index}/_cache/clear?request=true", timeout=60)

    node = node_pid(settings)
    rows = []
    for mix, queries in mixes.items():
        for clients in (1, 8, 32):
            stats = {}
            for side, send, url in (("direct", direct, es), ("api", via_api, app_url)):
                clear_cache()
                if mix == "repeated":
                    with urllib3.connection_from_url(url, headers=HEADERS) as http:
                        for q in queries:
                            send(http, q)
                before = (tree_cpu(node), tree_cpu(server_pid), time.process_time())
                stats[side] = load(send, clients, seconds, queries, url)
                used = (tree_cpu(node) - before[0],
                        tree_cpu(server_pid) - before[1], time.process_time() - before[2])
                stats[side]["cpu_ms_per_answer"] = {
                    name: round(1000 * value / max(1, stats[side]["n"]), 2)
                    for name, value in zip(("elasticsearch", "api", "load_generator"), used)}
            direct_stats, api_stats = stats["direct"], stats["api"]
            rows.append({"mix": mix, "clients": clients, "elasticsearch": direct_stats,
                         "api": api_stats,
                         "overhead_p95_ms": round(api_stats["p95_ms"] - direct_stats["p95_ms"], 1)})
            print(f"{mix:>8} {clients:>3} clients  ES p50/p95/p99 {direct_stats['p50_ms']}/"
                  f"{direct_stats['p95_ms']}/{direct_stats['p99_ms']} ms  API "
                  f"{api_stats['p50_ms']}/{api_stats['p95_ms']}/{api_stats['p99_ms']} ms  "
                  f"overhead p95 {rows[-1]['overhead_p95_ms']} ms; CPU per answer (ES, API, "
                  f"generator) direct {tuple(direct_stats['cpu_ms_per_answer'].values())}, "
                  f"API {tuple(api_stats['cpu_ms_per_answer'].values())} ms", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=250_000)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--latency-only", action="store_true",
                        help="skip (a); measure latency on the index already built")
    parser.add_argument("--indexing-only", action="store_true", help="skip (b)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="indexing rounds (shelfmap, then plain) whose median is taken")
    args = parser.parse_args()

    from index import local_node
    from ingest.spark import session

    settings = bench_settings(args.records)
    spark = session(settings, "shelfmap index bench")
    n = ensure_catalogue(settings, args.records, spark)
    result: dict = {"records": n, "machine": f"{os.cpu_count()} cores"}
    with local_node.running(settings):
        if args.latency_only:
            spark.stop()
        else:
            result["indexing"] = indexing(settings, spark, n, args.rounds)
            spark.stop()
        if not args.indexing_only:
            result["latency"] = serve_and_measure(settings, args.seconds)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    result["when"] = time.strftime("%Y-%m-%d")
    name = "latency.json" if args.latency_only else "index.json"
    (out / name).write_text(json.dumps(result, indent=2) + "\n")


def indexing(settings, spark, n: int, rounds: int) -> dict:
    """``rounds`` rounds, each a shelfmap build and then the plain load, after a warm-up
    build; the ratio of each round and their median (the machine is shared: a single
    pair has swung from 0.72 to 0.81 between consecutive runs)."""
    from index import build_job

    connections = spark.sparkContext.defaultParallelism
    build_job.build(settings, spark=spark)      # warm-up build: JIT, caches
    bodies = ndjson_chunks(settings, "bench-plain", settings.bulk_chunk)
    runs = []
    for r in range(rounds):
        started = time.perf_counter()
        built = build_job.build(settings, spark=spark)
        whole = time.perf_counter() - started
        # Indexing ends with the documents written, refreshed and counted; the merge to
        # one segment that follows (for faster searches; the plain loader does none) is
        # timed on its own.
        merge = built["seconds_by_phase"].get("merge", 0.0)
        ours = whole - merge
        plain = plain_bulk_load(settings, bodies, "bench-plain", connections)
        count = requests.get(f"{settings.es_endpoint}/bench-plain/_count",
                             timeout=30).json()["count"]
        requests.delete(f"{settings.es_endpoint}/bench-plain", timeout=60)
        run = {"shelfmap_seconds": round(ours, 1), "shelfmap_docs_per_s": round(n / ours),
               "shelfmap_phases": built["seconds_by_phase"],
               "with_merge_seconds": round(whole, 1), "plain_bulk_seconds": round(plain, 1),
               "plain_bulk_docs_per_s": round(count / plain),
               "ratio": round((n / ours) / (count / plain), 2)}
        runs.append(run)
        print(f"indexing {n:,} docs, {connections} connections, round {r + 1}: shelfmap "
              f"{run['shelfmap_docs_per_s']:,}/s, plain _bulk {run['plain_bulk_docs_per_s']:,}/s,"
              f" ratio {run['ratio']}; then merged to one segment in {merge} s "
              f"(phases {built['seconds_by_phase']})", flush=True)
    median = statistics.median(run["ratio"] for run in runs)
    print(f"indexing: median ratio of {rounds} rounds {median}", flush=True)
    return {"connections": connections, "documents": built["documents"], "rounds": runs,
            "median_ratio": median}


def serve_and_measure(settings, seconds: float) -> list[dict]:
    port = 8790
    env = dict(os.environ, SHELFMAP_HOME=settings.home, SHELFMAP_ES_PORT="9290",
               SHELFMAP_INDEX=settings.index, SHELFMAP_PORT=str(port))
    server = subprocess.Popen([str(Path(sys.executable).with_name("shelfmap")), "serve"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        app_url = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                if requests.get(f"{app_url}/api/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.5)
        return latency(settings, app_url, seconds, server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
