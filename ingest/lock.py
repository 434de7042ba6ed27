"""One writer at a time per SHELFMAP_HOME: an exclusive lock per area.

``shelfmap ingest`` holds ``$SHELFMAP_HOME/ingest.lock`` from before it cleans up
after a killed load until its version is published; ``shelfmap graph`` holds
``graph.lock`` likewise, and ``shelfmap index`` ``index-build.lock``
(``index.build_lock``). A second run fails at once, naming the holder, rather than
waiting or writing over the first one's work. The lock is ``flock`` on an open file:
the kernel releases it when the holder exits in any way, SIGKILL included, so a dead
load never leaves a stale lock. The file's content (pid, start, command) only names
the holder for the message and for ``shelfmap status``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

from ingest.errors import IngestError

INGEST = "ingest.lock"
GRAPH = "graph.lock"


class Busy(IngestError):
    """Another process holds the lock; nothing was changed."""


def _describe(holder: dict | None) -> str:
    if not holder:
        return "another process"
    return f"pid {holder.get('pid')}, running `{holder.get('command')}` since {holder.get('since')}"


def _busy(path: Path, found: dict | None) -> Exception:
    return Busy(f"{path.parent} is busy: {_describe(found)} holds {path.name}; "
                "wait for it to finish (nothing was changed)")


def whoami(**details) -> dict:
    """What a holder records: host, pid, since when, and ``details``."""
    return {"host": socket.gethostname(), "pid": os.getpid(),
            "since": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            **details}


@contextlib.contextmanager
def hold(path: Path, command: str, *,
         refuse: Callable[[Path, dict | None], Exception] = _busy,
         **details) -> Iterator[dict]:
    """Hold the lock at ``path`` for the block (yielding what it records, see
    :func:`whoami`), or raise ``refuse(path, holder)`` (default :class:`Busy`) at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # os.open's descriptors are not inherited, so Spark's JVM (started from here) does
    # not hold the lock after this process dies.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise refuse(path, holder(path)) from None
        me = whoami(command=command, **details)
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(me) + "\n").encode(), 0)
        try:
            yield me
        finally:
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock


def holder(path: Path) -> dict | None:
    """Who last took the lock at ``path`` and still names it (None once released)."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    try:
        found = json.loads(text) if text else None
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def running(path: Path) -> dict | None:
    """The holder of the lock at ``path`` when its process is alive: a run in progress
    (or, rarely, a new process that reuses a killed holder's pid). Takes no lock, so
    ``shelfmap status`` never makes a starting run fail."""
    found = holder(path)
    pid = found.get("pid") if found else None
    if not isinstance(pid, int):
        return None
    if found.get("host", socket.gethostname()) != socket.gethostname():
        return None  # a home shared with another machine: its pids mean nothing here
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's
    return found
