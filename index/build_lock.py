"""One index build at a time per ``SHELFMAP_HOME``: a lock file the build holds.

A build starts by deleting what killed or failed builds left on the cluster (index
versions never marked complete). Two builds from one home at once would delete each
other's index half-way, so the second one fails at once, with one line naming the first.

The lock is ``flock`` on ``$SHELFMAP_HOME/index-build.lock``: the kernel releases it when
its holder exits, however it exits (SIGKILL included), so a killed build never leaves a
stale lock behind. The file also says who holds it (host, pid, since when, which index),
for the refusal and for ``shelfmap status``; it is emptied on release.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

FILE_NAME = "index-build.lock"


class BuildRunning(RuntimeError):
    """Another index build from this SHELFMAP_HOME holds the lock."""


def path_for(home: Path) -> Path:
    return Path(home) / FILE_NAME


def whoami() -> dict:
    """Who is building: recorded in the lock file and in the new index's ``_meta``."""
    return {"host": socket.gethostname(), "pid": os.getpid(),
            "since": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}


def describe(info: dict) -> str:
    """``pid 123 on host, since 2026-01-01T00:00:00+00:00, building shelfmap-...``."""
    if not info:
        return "holder unknown"
    text = f"pid {info.get('pid')} on {info.get('host')}, since {info.get('since')}"
    return text + (f", building {info['index']}" if info.get("index") else "")


@contextlib.contextmanager
def held(path: Path, info: dict) -> Iterator[dict]:
    """Hold the build lock at ``path`` while the block runs; :class:`BuildRunning` at
    once (no waiting) when another process holds it. ``info`` (see :func:`whoami`, plus
    the index being built) is written into the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise BuildRunning(f"another `shelfmap index` is running from {path.parent} "
                           f"({describe(_read(path))}); wait for it to finish") from None
    try:
        data = json.dumps(info).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
        yield info
    finally:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # releases the lock


def holder(path: Path) -> dict | None:
    """Who holds the lock now, as recorded, when that process is still alive on this
    host; else None. Never takes the lock itself (a ``shelfmap status`` must not make a
    build that starts at the same moment fail)."""
    info = _read(path)
    if not info or info.get("host") != socket.gethostname():
        return None
    try:
        os.kill(int(info["pid"]), 0)
    except (KeyError, ValueError, ProcessLookupError):
        return None
    except PermissionError:  # alive, another user's
        pass
    return info
