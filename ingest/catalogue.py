"""Versioned folders on disk with a CURRENT pointer: the catalogue's, and the graph's.

A version is complete or absent. A load writes its version aside (in its staging
folder), checks it, marks it complete with a manifest (``_manifest.json``: the leading
underscore makes Spark and pyarrow skip it), moves it into ``catalogue/`` with one
rename, and only then replaces ``CURRENT`` with one atomic rename. Readers (the index
build, the graph build, export) therefore always see a whole catalogue, and what a
killed run left is recognisable: a folder without a manifest, or a version newer than
CURRENT. Version names sort after every existing one (:func:`next_version`), so
"newer than CURRENT" means "never published".

Graph builds (``viz.graph.artifacts``) use the same names, pointer and pruning with
their own test of completeness.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path

from ingest import crashpoint

POINTER = "CURRENT"
MANIFEST = "_manifest.json"
# Hidden names in a versioned folder: a pointer being written, a folder set aside to be
# deleted. Anything hidden is invisible to versions, publishing and pruning.
POINTER_TMP = f".{POINTER}."
REMOVING = ".removing-"

_STAMP = "%Y%m%dT%H%M%S"
_VERSION = re.compile(r"\d{8}T\d{6}-[0-9a-f]{6}")


class NoCatalogue(FileNotFoundError):
    """Nothing has been ingested yet under this SHELFMAP_HOME."""


class IncompleteVersion(RuntimeError):
    """A version was about to be published without being marked complete (a bug)."""


def is_version(name: str) -> bool:
    """Whether ``name`` is a version name (``20261129T010930-3ab276``). Folders with
    other names are never counted, published, pruned or removed."""
    return _VERSION.fullmatch(name) is not None


def next_version(existing: Iterable[str], now: dt.datetime | None = None) -> str:
    """A new version name, UTC time to the second, that sorts after every version
    in ``existing``: one second after the newest when the clock has not passed it (two
    runs within a second, or a clock set back), so no name ever sorts before an older
    one.

    >>> next_version(["20260101T000000-aaaaaa"], dt.datetime(2025, 1, 1))[:15]
    '20260101T000001'
    """
    stamp = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0, tzinfo=None)
    newest = max((n for n in existing if is_version(n)), default=None)
    if newest is not None:
        stamp = max(stamp, dt.datetime.strptime(newest[:15], _STAMP) + dt.timedelta(seconds=1))
    return f"{stamp.strftime(_STAMP)}-{uuid.uuid4().hex[:6]}"


def version_names(root: Path) -> list[str]:
    """The version folders under ``root``, oldest first (complete or not)."""
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and is_version(p.name))


def read_manifest(folder: Path, version: str | None = None) -> dict | None:
    """The manifest of a version folder, or None when the version is not complete (no
    manifest, an unreadable one, or one naming another version). ``version``: the
    version the folder holds when it is not (yet) named after it, as in staging."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("version") != (version or folder.name):
        return None
    return manifest


def is_complete(folder: Path) -> bool:
    return read_manifest(folder) is not None


def write_manifest(folder: Path, manifest: dict) -> None:
    """Mark ``folder`` complete. The manifest must name the folder's final version."""
    write_durably(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


def write_durably(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` in one rename, synced to disk first: a reader (or a
    restart after a crash) sees the old file or the new one, never a part."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make renames within ``folder`` durable (the folder's entries are synced)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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


def set_current(root: Path, version: str, *, steps: str | None = None) -> None:
    """Point ``CURRENT`` at ``version`` with one atomic rename. ``steps`` names the
    crash points around it (``<steps>:pointer``; see ingest.crashpoint)."""
    tmp = root / f"{POINTER_TMP}{uuid.uuid4().hex}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(version + "\n")
        f.flush()
        os.fsync(f.fileno())
    if steps:
        crashpoint.reached(f"{steps}:pointer")
    os.replace(tmp, root / POINTER)
    sync_folder(root)


def prune_plan(versions: Sequence[str], complete: Collection[str], current: str | None,
               keep: int) -> list[str]:
    """The versions pruning deletes: complete published ones (at or before
    ``current``) beyond the newest ``keep``, but never ``current`` nor the newest
    complete version before it (what a rollback returns to).

    Incomplete versions, and versions newer than ``current`` (never published), are
    neither counted nor deleted here: they are a killed run's leftovers, which
    recovery removes under the load's lock (ingest.recovery). So an incomplete folder
    can never take a complete version's place among those kept.

    >>> prune_plan(["a", "b", "c", "d"], {"a", "b", "d"}, "d", keep=2)
    ['a']
    """
    if keep < 1:
        raise ValueError(f"keep must be at least 1, not {keep}")
    if current is None:
        return []
    published = [v for v in sorted(versions) if v in complete and v <= current]
    kept = set(published[-keep:]) | {current}
    before = [v for v in published if v < current]
    if before:
        kept.add(before[-1])
    return [v for v in published if v not in kept]


def remove(path: Path) -> None:
    """Delete a folder so that no part of it is ever seen: it is first renamed to a
    hidden name (one step), then deleted; a run killed half-way leaves only the hidden
    folder, which the next start removes."""
    if not path.exists():
        return
    aside = path.with_name(f"{REMOVING}{path.name}-{uuid.uuid4().hex[:8]}")
    os.rename(path, aside)
    shutil.rmtree(aside)


def prune(root: Path, keep: int, complete: Callable[[Path], bool] = is_complete) -> list[str]:
    """Delete what :func:`prune_plan` says; returns the deleted versions."""
    names = version_names(root)
    done = {n for n in names if complete(root / n)}
    doomed = prune_plan(names, done, current_version(root), keep)
    for name in doomed:
        remove(root / name)
    return doomed


def publish(root: Path, version: str, keep: int = 2,
            complete: Callable[[Path], bool] = is_complete, *,
            steps: str | None = None) -> list[str]:
    """Make the complete ``version`` (already in place under ``root``) current, then
    prune; returns the pruned versions. ``steps`` names the crash points
    (``<steps>:pointer``, ``<steps>:current``, ``<steps>:prune``)."""
    if not complete(root / version):
        raise IncompleteVersion(f"{root / version} is not marked complete; not published")
    set_current(root, version, steps=steps)
    if steps:
        crashpoint.reached(f"{steps}:current")
    pruned = prune(root, keep, complete)
    if steps:
        crashpoint.reached(f"{steps}:prune")
    return pruned
