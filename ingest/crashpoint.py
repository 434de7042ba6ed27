"""A testing aid: die at a named step of publishing, exactly as a killed process would.

Publishing a version takes milliseconds, too short a window to hit with a signal sent
from outside, so the kill tests (tests/test_killed_loads.py) name a step instead:
with ``SHELFMAP_CRASHPOINT=publish:catalogue`` the process sends SIGKILL to its own
process group (itself, Spark's JVM and its Python workers) right after that step, and
nothing of shelfmap runs after it: no ``finally``, no clean-up. The steps are listed in
docs/ingest.md and docs/graph.md.

The variable is read at each step rather than declared as a setting: it is not
something anyone sets to run shelfmap, and the settings table is for those.
"""

from __future__ import annotations

import os
import signal

ENV = "SHELFMAP_CRASHPOINT"


def reached(step: str) -> None:
    """SIGKILL this process group when ``SHELFMAP_CRASHPOINT`` names ``step``."""
    if os.environ.get(ENV) == step:
        os.killpg(os.getpgrp(), signal.SIGKILL)
