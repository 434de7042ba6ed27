"""The ingest job on a real Spark standalone cluster (a master and a worker, separate
JVMs on loopback), started with --spark-master as a librarian would on a cluster:
the same catalogue as a local run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import pyspark
from ingest import catalogue

from .conftest import DATA

pytestmark = pytest.mark.spark

SPARK_HOME = Path(pyspark.__file__).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(path: Path, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return
        time.sleep(0.5)
    raise AssertionError(f"{text!r} never appeared in {path}:\n{path.read_text()[-2000:]}")


@pytest.fixture(scope="module")
def standalone(tmp_path_factory):
    logs = tmp_path_factory.mktemp("spark-cluster")
    port = _free_port()
    env = dict(os.environ, SPARK_HOME=str(SPARK_HOME), SPARK_LOCAL_IP="127.0.0.1",
               SPARK_WORKER_DIR=str(logs / "work"))
    spark_class = str(SPARK_HOME / "bin" / "spark-class")
    started = []
    try:
        master_log = logs / "master.log"
        started.append(subprocess.Popen(
            [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
             "--port", str(port), "--webui-port", str(_free_port())],
            env=env, stdout=master_log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True))
        _wait_for(master_log, "I have been elected leader")
        worker_log = logs / "worker.log"
        started.append(subprocess.Popen(
            [spark_class, "org.apache.spark.deploy.worker.Worker", f"spark://127.0.0.1:{port}",
             "--host", "127.0.0.1", "--cores", "2", "--memory", "2g",
             "--webui-port", str(_free_port())],
            env=env, stdout=worker_log.open("w"), stderr=subprocess.STDOUT,
            start_new_session=True))
        _wait_for(worker_log, "Successfully registered with master")
        yield f"spark://127.0.0.1:{port}", worker_log
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _ingest(home: Path, *extra: str) -> Path:
    cli = Path(sys.executable).with_name("shelfmap")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHELFMAP_")}
    env.update(SHELFMAP_HOME=str(home), SHELFMAP_SPARK_DRIVER_MEMORY="1g")
    done = subprocess.run([str(cli), "ingest", str(DATA / "loc-books-2016" / "mixed-1000.mrc"), *extra],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "seen 1,000  written 1,000  quarantined 0" in done.stdout
    return catalogue.current_path(home / "catalogue")


def test_cluster_run_equals_local_run(standalone, tmp_path):
    master, worker_log = standalone
    on_cluster = _ingest(tmp_path / "cluster", "--spark-master", master)
    # The work really ran in an executor the worker launched, not in a local driver.
    assert "Asked to launch executor" in worker_log.read_text()
    local = _ingest(tmp_path / "local")
    hashes = [sorted(pq.read_table(p, columns=["content_hash"]).column(0).to_pylist())
              for p in (on_cluster, local)]
    assert len(hashes[0]) == 1000
    assert hashes[0] == hashes[1]
