"""Publishing a checked load: from its staging folder into the catalogue, step by step.

A load leaves everything in ``$SHELFMAP_HOME/staging/<version>/``: ``catalogue/`` (the
new version, marked complete by its manifest once checked), ``errors/`` (its
quarantine) and ``changes/`` (its change set, with its ``_shelfmap.json``). Publishing
moves each into place with one rename, the catalogue version last, and then replaces
``CURRENT``. Until that replace nothing a reader uses has changed; after it the load
is done, and what remains (pruning, the reports) is redone or written from the
manifest by the next start if the process dies (ingest.recovery).

Each step is followed by a crash point named ``publish:<step>`` (ingest.crashpoint),
in the order of :data:`STEPS`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ingest import catalogue, crashpoint, report

log = logging.getLogger("shelfmap.ingest")

# The steps, each "done" when its crash point is reached. ``pointer``: the new CURRENT
# is written beside the old one, not yet in its place.
STEPS = ("manifest", "quarantine", "changes", "catalogue", "pointer", "current", "prune",
         "reports")

# Complete catalogue versions kept: the current one and the one before it, which an
# index still built from it (or a librarian comparing two loads) reads.
KEEP = 2


def staging_root(settings) -> Path:
    """Where loads write aside: one folder per load, named by its version."""
    return settings.home_path / "staging"


def staged_version(staging_dir: Path) -> Path:
    return staging_dir / "catalogue"


def _move(source: Path, target: Path) -> None:
    """One rename, made durable; the target must not exist (a version is never
    published twice)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        raise FileExistsError(f"{target} already exists; not replaced")
    os.rename(source, target)
    catalogue.sync_folder(target.parent)


def publish_load(settings, staging_dir: Path) -> dict:
    """Publish the checked load staged in ``staging_dir`` (named by its version) and
    write its reports; returns the report (with the versions pruned)."""
    version = staging_dir.name
    staged = staged_version(staging_dir)
    manifest = catalogue.read_manifest(staged, version)
    if manifest is None:
        raise catalogue.IncompleteVersion(f"{staged} is not marked complete; not published")
    _move(staging_dir / "errors", settings.quarantine_dir / version)
    crashpoint.reached("publish:quarantine")
    _move(staging_dir / "changes", settings.changes_dir / version)
    crashpoint.reached("publish:changes")
    _move(staged, settings.catalogue_dir / version)
    crashpoint.reached("publish:catalogue")
    pruned = catalogue.publish(settings.catalogue_dir, version, keep=KEEP, steps="publish")
    log.info("catalogue version %s is current (%d records)%s", version, manifest["records"],
             f"; pruned {', '.join(pruned)}" if pruned else "")
    result = dict(manifest["report"])
    if pruned:
        result["pruned"] = pruned
    report.save(result, settings.reports_dir)
    crashpoint.reached("publish:reports")
    return result
