"""Progress on the terminal while Spark works: splits and records done, and the rate.

Executors add to a Spark accumulator as each split finishes; a daemon thread on the
driver reads it (and Spark's status tracker) and redraws one line on a terminal, or
writes a line every few seconds into a log.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


class Progress:
    def __init__(self, spark, splits_total: int, what: str = "records",
                 out: TextIO | None = None, every: float | None = None):
        self._sc = spark.sparkContext
        self.records = self._sc.accumulator(0)
        self.splits = self._sc.accumulator(0)
        self._total = splits_total
        self._what = what
        self._out = out or sys.stderr
        self._tty = self._out.isatty()
        self._every = every or (0.5 if self._tty else 10.0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="shelfmap-progress", daemon=True)
        self._started = 0.0

    def line(self) -> str:
        elapsed = max(time.monotonic() - self._started, 1e-9)
        done = self.records.value
        return (f"{self.splits.value}/{self._total} splits, {done:,} {self._what}, "
                f"{done / elapsed:,.0f}/s, {elapsed:,.0f} s")

    def _draw(self, final: bool = False) -> None:
        text = self.line()
        if self._tty:
            self._out.write("\r" + text + ("\n" if final else ""))
        else:
            self._out.write(text + "\n")
        self._out.flush()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self._draw()

    def __enter__(self) -> Progress:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        if exc[0] is None:
            self._draw(final=True)
