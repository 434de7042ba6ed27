"""The driver's watch on the cluster while Spark executors write to it.

Executors stop by themselves once a chunk has used its connection-error budget
(``index.bulk``), and in local mode the first failed task ends the job. That is not
enough on its own: on a cluster Spark retries a failed task (``spark.task.maxFailures``,
4 by default), each retry spending the budget again, and an executor whose requests hang
(a host gone from the network, packets dropped) first waits out its request timeout.
So while the executors write, the driver asks the cluster every second (``interval``) how
many documents the new index has taken and, once it has not answered for ``grace``
seconds, cancels the job by its tag: the build stops within a minute of the cluster
going away, whatever the executors are waiting for.

The count comes from the index's indexing statistics (index and delete operations of
the primaries, since the watch began): nothing is searchable before the build's
refresh, so ``_count`` says 0 throughout.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator

log = logging.getLogger("shelfmap.index")

# The last line of a Python traceback: "package.module.ExceptionType: message".
_EXCEPTION_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*): (?P<message>.*)$")

INTERVAL = 1.0   # seconds between probes (each a cheap stats request)
GRACE = 20.0     # seconds without an answer before the cluster counts as gone
PROBE_TIMEOUT = 5.0


@dataclasses.dataclass
class Outage:
    """How long the cluster has not answered, from a sequence of probe outcomes (pure)."""

    since: float | None = None   # when the first failed probe of the current outage began
    failures: int = 0
    reason: str = ""

    def answered(self) -> None:
        self.since, self.failures, self.reason = None, 0, ""

    def failed(self, started: float, reason: str) -> None:
        if self.since is None:
            self.since = started
        self.failures += 1
        self.reason = reason

    def down_for(self, now: float) -> float:
        return 0.0 if self.since is None else now - self.since

    def gone(self, now: float, grace: float) -> bool:
        # Two failures at least: one lost probe (a dropped connection the client did not
        # retry) is not an outage, however long it took to time out.
        return self.failures >= 2 and self.down_for(now) >= grace


class Watch:
    """``with Watch(es, index, cancel) as watch: <run the Spark job>``.

    ``cancel()`` is called (once, from the watching thread) when the cluster has not
    answered for ``grace`` seconds; then ``watch.gone`` holds the reason. ``written``
    is the last count seen of the documents the index took (indexed or deleted) since
    the watch began.
    """

    def __init__(self, es, index: str, cancel: Callable[[], None], *,
                 interval: float = INTERVAL, grace: float = GRACE,
                 clock: Callable[[], float] = time.monotonic):
        from elasticsearch import ApiError, TransportError

        self._errors = (ApiError, TransportError)
        self._es = es.options(request_timeout=PROBE_TIMEOUT, max_retries=0)
        self.index = index
        self._cancel = cancel
        self.interval, self.grace, self._clock = interval, grace, clock
        self.outage = Outage()
        self._baseline: int | None = None
        self.written = 0
        self.gone: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="shelfmap-watch", daemon=True)

    def __enter__(self) -> Watch:
        self.probe()  # the baseline, before anything is written
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=PROBE_TIMEOUT + self.interval)

    def probe(self) -> bool:
        """One look at the cluster; True when it answered (any answer: a cluster that says
        no is there)."""
        from elasticsearch import ApiError

        started = self._clock()
        try:
            stats = self._es.indices.stats(
                index=self.index, metric="indexing",
                filter_path="_all.primaries.indexing.index_total,"
                            "_all.primaries.indexing.delete_total")
        except ApiError:
            self.outage.answered()
            return True
        except self._errors as exc:
            self.outage.failed(started, type(exc).__name__)
            log.debug("watch: no answer from the cluster (%s) for %.0f s", exc,
                      self.outage.down_for(self._clock()))
            return False
        self.outage.answered()
        indexing = stats.get("_all", {}).get("primaries", {}).get("indexing", {})
        total = int(indexing.get("index_total", 0)) + int(indexing.get("delete_total", 0))
        if self._baseline is None:
            self._baseline = total
        self.written = max(self.written, total - self._baseline)
        return True

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if not self.probe() and self.outage.gone(self._clock(), self.grace):
                self.gone = (f"no answer for {self.outage.down_for(self._clock()):.0f} s: "
                             f"{self.outage.reason}")
                log.debug("watch: cluster gone (%s); cancelling the job", self.gone)
                self._cancel()
                return


@contextlib.contextmanager
def watching(spark, es, index: str, **options) -> Iterator[Watch]:
    """Tag the Spark jobs this thread starts in the block and :class:`Watch` the cluster
    meanwhile; when it is gone, those jobs are cancelled (their tasks interrupted, the
    Python workers killed) and the block's action raises."""
    sc = spark.sparkContext
    tag = f"shelfmap-write-{index}"
    sc.setInterruptOnCancel(True)
    sc.addJobTag(tag)
    try:
        with Watch(es, index, lambda: sc.cancelJobsWithTag(tag), **options) as watch:
            yield watch
    finally:
        sc.removeJobTag(tag)
        sc.setInterruptOnCancel(False)


def task_failure(exc: BaseException) -> tuple[str, str] | None:
    """The exception a failed Spark task raised in its Python worker, as (qualified type
    name, message), read from the exception the driver got (whose text carries the
    worker's traceback); None when it carries none (e.g. the job was cancelled)."""
    text = str(exc)
    if "Traceback (most recent call last)" not in text:
        return None
    tail = text.rsplit("Traceback (most recent call last)", 1)[1]
    found = None
    for line in tail.splitlines():
        match = _EXCEPTION_LINE.match(line)
        if match and not line.startswith(" "):
            found = (match["type"], match["message"].strip())
            break
    return found


def gone_reason(exc: BaseException, watch: Watch | None) -> str | None:
    """Why the cluster counts as gone, when that is what ``exc`` (raised while the
    executors or the driver talked to it) comes down to; else None. Gone: the watch
    decided so, an executor's writer used its connection-error budget
    (``ClusterUnavailable``), or a call of the driver's own found no one answering."""
    from elasticsearch import ConnectionError as ESConnectionError
    from elasticsearch import ConnectionTimeout

    if watch is not None and watch.gone:
        return watch.gone
    if isinstance(exc, (ESConnectionError, ConnectionTimeout)):
        return type(exc).__name__
    failure = task_failure(exc)
    if failure and failure[0].rsplit(".", 1)[-1] == "ClusterUnavailable":
        return failure[1]
    return None
