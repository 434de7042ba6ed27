"""PySpark's worker daemon for local runs, quiet when a cancelled task's socket closes.

When a job is cancelled (a build stopping because the cluster is gone, say), Spark
closes the sockets of the job's other Python workers. PySpark's own daemon then fails to
flush to the closed socket and prints the ``BrokenPipeError`` with its traceback on the
driver's terminal, after the command has already said in one line what happened. This
daemon ends such a worker exactly as PySpark's does (exit status 1, the task retried or
dropped by Spark as before) without printing it; every other failure is PySpark's to
report.

Spark starts it as ``python -m ingest.spark_daemon`` (``spark.python.daemon.module``,
set by ``ingest.spark`` for local masters only: on a cluster the executors' output goes
to their logs, not to anyone's terminal).
"""

from __future__ import annotations

import os

from pyspark import daemon

_worker = daemon.worker


def _quiet_on_closed_socket(sock, authenticated):
    try:
        return _worker(sock, authenticated)
    except (BrokenPipeError, ConnectionResetError):
        os._exit(1)


if __name__ == "__main__":
    daemon.worker = _quiet_on_closed_socket
    daemon.manager()
