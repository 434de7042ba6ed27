"""The local Python worker daemon (ingest/spark_daemon.py): a worker whose socket Spark
closed (its job cancelled) ends as PySpark's own does, exit status 1, but without the
``BrokenPipeError`` traceback that PySpark's daemon printed on the driver's terminal
after a build had already reported the lost cluster in one line (issue 10)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

# A worker forked as the daemon forks it, handed a socket whose peer (the JVM) is gone.
_WORKER = textwrap.dedent("""
    import os, socket, sys, traceback
    os.environ["PYTHON_DAEMON_KILL_WORKER_ON_FLUSH_FAILURE"] = "true"   # Spark's default
    ours, jvm = socket.socketpair()
    jvm.close()
    pid = os.fork()
    if pid == 0:
        # (argv[1] names the daemon; PySpark's reads one beginning "pyspark" as a module.)
        if sys.argv[1] == "ours":
            from ingest.spark_daemon import _quiet_on_closed_socket as worker
        else:
            from pyspark.daemon import worker
        try:
            worker(ours, True)
        except BaseException:          # what PySpark's manager does with it
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status))
""")


def _closed_socket_worker(daemon: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _WORKER, daemon], capture_output=True,
                          text=True, timeout=60)


def test_pyspark_daemon_prints_the_broken_pipe_and_ours_does_not():
    theirs = _closed_socket_worker("theirs")
    assert theirs.stdout.strip() == "1"
    assert "BrokenPipeError" in theirs.stderr and "Traceback" in theirs.stderr
    ours = _closed_socket_worker("ours")
    assert ours.stdout.strip() == "1"
    assert ours.stderr == ""


@pytest.mark.spark
def test_local_sessions_run_their_python_workers_under_it(spark):
    assert spark.conf.get("spark.python.daemon.module") == "ingest.spark_daemon"
    words = spark.sparkContext.parallelize(["서가", "shelf"], 2).map(str.upper).collect()
    assert words == ["서가", "SHELF"]
