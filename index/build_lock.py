"""One index build at a time per ``SHELFMAP_HOME``: the lock file a build holds.

A build starts by deleting what killed or failed builds left on the cluster (index
versions never marked complete). Two builds from one home at once would delete each
other's index half-way, so the second one fails at once, with one line naming the first.

The lock is ``ingest.lock``'s (``flock`` on ``$SHELFMAP_HOME/index-build.lock``,
released by the kernel however its holder exits, so a killed build never leaves a
stale lock); the file says who holds it (host, pid, since when, which index), for the
refusal and for ``shelfmap status``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from ingest import lock

FILE_NAME = "index-build.lock"


class BuildRunning(RuntimeError):
    """Another index build from this SHELFMAP_HOME holds the lock."""


def path_for(home: Path) -> Path:
    return Path(home) / FILE_NAME


def whoami() -> dict:
    """Who is building: recorded in the lock file and in the new index's ``_meta``."""
    return lock.whoami()


def describe(info: dict | None) -> str:
    """``pid 123 on host, since 2026-01-01T00:00:00+00:00, building shelfmap-...``."""
    if not info:
        return "holder unknown"
    text = f"pid {info.get('pid')} on {info.get('host')}, since {info.get('since')}"
    return text + (f", building {info['index']}" if info.get("index") else "")


def _refuse(path: Path, found: dict | None) -> BuildRunning:
    return BuildRunning(f"another `shelfmap index` is running from {path.parent} "
                        f"({describe(found)}); wait for it to finish")


@contextlib.contextmanager
def held(path: Path, info: dict) -> Iterator[dict]:
    """Hold the build lock at ``path`` while the block runs; :class:`BuildRunning` at
    once (no waiting) when another process holds it. ``info`` (see :func:`whoami`, plus
    the index being built) is recorded in the file."""
    with lock.hold(path, "shelfmap index", refuse=_refuse, **info):
        yield info


def holder(path: Path) -> dict | None:
    """Who holds the lock now, as recorded, when that process is still alive on this
    host; else None. Never takes the lock itself (a ``shelfmap status`` must not make a
    build that starts at the same moment fail)."""
    return lock.running(path)
