"""The one place a SparkSession is built (only job entry points call it).

``local[*]`` by default; any other master (``spark://``, ``yarn``, ``k8s://``) gets the
project's packages shipped to the executors as a zip, so the same job runs on a cluster
with or without ``spark-submit``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import zipfile
from pathlib import Path

_PACKAGES = ("ingest", "index", "viz")
_MODULES = ("settings.py",)


def _project_zip() -> str:
    """A zip of the project's Python packages, for executors on other machines."""
    root = Path(__file__).resolve().parent.parent
    fd, path = tempfile.mkstemp(prefix="shelfmap-", suffix=".zip")
    os.close(fd)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for package in _PACKAGES:
            for file in (root / package).rglob("*"):
                if file.is_file() and "__pycache__" not in file.parts:
                    zf.write(file, file.relative_to(root))
        for module in _MODULES:
            zf.write(root / module, module)
    return path


def session(settings, app_name: str):
    """A SparkSession for ``settings.spark_master`` (reuses a running one)."""
    from pyspark.sql import SparkSession

    # Executors in local mode must run this very interpreter, with its packages.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    local = settings.spark_master.startswith("local")
    if local:
        # Local executors talk to the driver on loopback, whatever the host name says.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    log_config = Path(__file__).with_name("log4j2.properties")
    builder = (
        SparkSession.builder.master(settings.spark_master)
        .appName(app_name)
        .config("spark.driver.memory", settings.spark_driver_memory)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.showConsoleProgress", "false")
        # Python workers are reused so pymarc and the mapping tables load once per worker.
        .config("spark.python.worker.reuse", "true")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{log_config}")
    )
    if local:
        builder = (builder.config("spark.ui.enabled", "false")
                   .config("spark.python.daemon.module", "ingest.spark_daemon")
                   .config("spark.sql.shuffle.partitions", str(max(4, (os.cpu_count() or 2) * 2)))
                   .config("spark.driver.bindAddress", "127.0.0.1")
                   .config("spark.driver.host", "127.0.0.1"))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    if not local:
        spark.sparkContext.addPyFile(_project_zip())
    return spark
