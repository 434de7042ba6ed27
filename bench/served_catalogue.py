"""What the benchmarks that serve the app share: a home of their own, the environment
of the `shelfmap` commands they run, and the catalogue, index and graph of LoC
mixed-10000 made by those commands (bench/load_bench.py, bench/page_bench.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "tests" / "data" / "loc-books-2016" / "mixed-10000.mrc"
CLI = Path(sys.executable).with_name("shelfmap")


def bench_home(given: Path | None, prefix: str, work: Path) -> Path:
    """``given`` (a kept home), or a fresh one under ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    return given or Path(tempfile.mkdtemp(prefix=prefix, dir=work))


def bench_env(home: Path, es_port: int, port: int, **settings: str) -> dict:
    """The environment of the bench's `shelfmap` commands: this one's without any
    SHELFMAP_ setting of the developer's, plus the bench's own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHELFMAP_")}
    env.update(SHELFMAP_HOME=str(home), SHELFMAP_ES_PORT=str(es_port),
               SHELFMAP_PORT=str(port), SHELFMAP_SPARK_DRIVER_MEMORY="1g",
               **{f"SHELFMAP_{k.upper()}": v for k, v in settings.items()})
    return env


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _shelfmap(env: dict, *args: str) -> float:
    started = time.monotonic()
    done = subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"shelfmap {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    print(f"  shelfmap {args[0]}: {time.monotonic() - started:.1f} s", flush=True)
    return round(time.monotonic() - started, 1)


def prepare(settings, env: dict) -> dict:
    """The catalogue, the index and the graph, each by its command (skipped when a
    kept home already holds it)."""
    from index.client import connect
    from ingest import catalogue
    from viz.graph import artifacts as graph_artifacts

    seconds = {}
    if catalogue.current_version(settings.catalogue_dir) is None:
        seconds["ingest"] = _shelfmap(env, "ingest", str(CATALOGUE), "--no-index-update")
    es = connect(settings, timeout=30)
    try:
        alias_exists = bool(es.indices.exists_alias(name=settings.index))
    finally:
        es.close()
    if not alias_exists:
        seconds["index"] = _shelfmap(env, "index")
    if graph_artifacts.current_version(settings.graph_dir) is None:
        seconds["graph"] = _shelfmap(env, "graph")
    return seconds


def commit() -> str:
    done = subprocess.run(["git", "-C", str(ROOT), "describe", "--always", "--dirty",
                           "--abbrev=12"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"
