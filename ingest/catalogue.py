"""The catalogue on disk: versioned Parquet folders and a CURRENT pointer.

Each ingest writes a complete new version and then replaces ``CURRENT`` with one atomic
rename, so readers (the index build, the graph build, export) always see a whole
catalogue, never one being written.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from pathlib import Path

POINTER = "CURRENT"


class NoCatalogue(FileNotFoundError):
    """Nothing has been ingested yet under this SHELFMAP_HOME."""


def new_version() -> str:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{uuid.uuid4().hex[:6]}"


def current_version(root: Path) -> str | None:
    try:
        version = (root / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return version if version and (root / version).is_dir() else None


def current_path(root: Path) -> Path:
    """The folder of the current catalogue; NoCatalogue with a hint when there is none."""
    version = current_version(root)
    if version is None:
        raise NoCatalogue(f"no catalogue in {root}: run `shelfmap ingest PATH...` first")
    return root / version


def publish(root: Path, version: str, keep: int = 2) -> None:
    """Make ``version`` current (atomically) and prune all but the newest ``keep``."""
    if not (root / version).is_dir():
        raise FileNotFoundError(root / version)
    tmp = root / f".{POINTER}.{uuid.uuid4().hex}"
    tmp.write_text(version + "\n", encoding="utf-8")
    os.replace(tmp, root / POINTER)
    versions = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in versions[:-keep] if keep > 0 else []:
        if old != version:
            shutil.rmtree(root / old, ignore_errors=True)
