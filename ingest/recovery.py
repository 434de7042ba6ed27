"""What a killed or failed run left, found at the next start and cleaned up.

``shelfmap ingest`` (for the catalogue) and ``shelfmap graph`` (for the graph) call
:func:`recover` first, under their lock (ingest.lock), so nothing found can be a live
run's work. ``shelfmap status`` lists the same findings (:func:`describe`) and changes
nothing.

A catalogue version newer than CURRENT was never published (names sort after every
existing one: ingest.catalogue.next_version), so it goes, with the quarantine and the
change set of its load. The quarantine of a version that was published stays: it is
the librarians' record of the records that load rejected, also after the version
itself is pruned.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from ingest import catalogue, checks, publish, report

log = logging.getLogger("shelfmap.recovery")

REMOVE, WRITE_REPORTS, MARK_COMPLETE = "remove", "write reports", "mark complete"
RECORDS = {"catalogue": "last-recovery.json", "graph": "last-graph-recovery.json"}
COMMANDS = {"catalogue": "shelfmap ingest", "graph": "shelfmap graph"}

# Hidden names a killed run leaves in a folder of versions, and what each is.
HIDDEN = (
    (re.escape(catalogue.POINTER_TMP), "a new CURRENT pointer that was never put in place"),
    (re.escape(catalogue.REMOVING), "a folder set aside for deletion, not yet deleted"),
)


@dataclasses.dataclass(frozen=True)
class Finding:
    """One leftover: where it is, what it is, and what recovery does about it."""

    path: Path
    what: str
    action: str = REMOVE

    def as_dict(self, home: Path) -> dict:
        return {"path": _relative(self.path, home), "what": self.what, "action": self.action}


def _relative(path: Path, home: Path) -> str:
    try:
        return str(path.relative_to(home))
    except ValueError:
        return str(path)


def versioned(root: Path, complete: Callable[[Path], bool],
              hidden: Iterable[tuple[str, str]] = HIDDEN) -> list[Finding]:
    """The leftovers in a folder of versions: hidden names a run leaves (``hidden``:
    pattern at the start of the name, description), incomplete versions, and complete
    versions newer than CURRENT. CURRENT itself is never one."""
    if not root.is_dir():
        return []
    current = catalogue.current_version(root)
    out = []
    for path in sorted(root.iterdir()):
        name = path.name
        what = next((w for pattern, w in hidden if re.match(pattern, name)), None)
        if what:
            out.append(Finding(path, what))
        elif path.is_dir() and catalogue.is_version(name) and name != current:
            if not complete(path):
                out.append(Finding(path, "an incomplete version: its run was killed or "
                                   "failed before marking it complete"))
            elif current is None or name > current:
                out.append(Finding(path, "a complete version that was never published: its "
                                   "run was killed before CURRENT was replaced"))
    return out


def _reported(settings, version: str) -> bool:
    """Whether the load of ``version`` wrote its report, which a load does only after
    publishing its version (also before versions had manifests)."""
    return (settings.reports_dir / f"ingest-{version}.json").is_file()


def catalogue_findings(settings) -> list[Finding]:
    """Everything a killed or failed load left under the home (nothing is changed)."""
    root = settings.catalogue_dir
    current = catalogue.current_version(root)
    out: list[Finding] = []
    staging = publish.staging_root(settings)
    if staging.is_dir():
        out += [Finding(p, "the staging folder of a load that is not running")
                for p in sorted(staging.iterdir())]

    legacy = [v for v in catalogue.version_names(root) if not catalogue.is_complete(root / v)
              and (v == current or _reported(settings, v))]
    out += [Finding(root / v, "a version published before versions had manifests",
                    MARK_COMPLETE) for v in legacy]
    found = versioned(root, lambda p: catalogue.is_complete(p) or p.name in legacy)
    out += found

    # The quarantine and change set of every load that did not publish its version.
    dead = {f.path.name for f in found if catalogue.is_version(f.path.name)}
    for folder, kind in ((settings.quarantine_dir, "quarantine"),
                         (settings.changes_dir, "change set")):
        for v in catalogue.version_names(folder):
            unpublished = ((current is None or v > current)
                           and not _reported(settings, v))
            if v in dead or unpublished:
                out.append(Finding(folder / v, f"the {kind} of version {v}, which was never "
                                   "published"))

    if current and (manifest := catalogue.read_manifest(root / current)) and \
            manifest.get("report") and not _reported(settings, current):
        out.append(Finding(settings.reports_dir / f"ingest-{current}.json",
                           f"the report of version {current}, published by a load that was "
                           "killed before writing it", WRITE_REPORTS))
    return out


def _mark_complete(folder: Path, settings) -> None:
    """A manifest for a version published before manifests: its count as it is now,
    and its report when there is one."""
    path = settings.reports_dir / f"ingest-{folder.name}.json"
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        saved = None
    catalogue.write_manifest(folder, {
        "version": folder.name, "base": None, "records": checks.parquet_rows(folder),
        "marked_complete_by_recovery": _now(), **({"report": saved} if saved else {})})


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _apply(finding: Finding, settings) -> None:
    if finding.action == REMOVE:
        if finding.path.is_dir():
            catalogue.remove(finding.path)
        else:
            finding.path.unlink(missing_ok=True)
    elif finding.action == MARK_COMPLETE:
        _mark_complete(finding.path, settings)
    elif finding.action == WRITE_REPORTS:
        version = finding.path.name.removeprefix("ingest-").removesuffix(".json")
        manifest = catalogue.read_manifest(settings.catalogue_dir / version)
        saved = dict(manifest["report"], written_by_recovery=_now())
        report.save(saved, settings.reports_dir)


def recover(settings, area: str, findings: list[Finding]) -> dict | None:
    """Act on ``findings`` (from :func:`catalogue_findings` or
    ``viz.graph.artifacts.leftovers``), log each at INFO and record them in
    ``reports/last-recovery.json`` (``last-graph-recovery.json`` for the graph).
    Returns the record, or None when there was nothing to do. Call it holding the
    area's lock."""
    if not findings:
        return None
    home = settings.home_path
    for finding in findings:
        _apply(finding, settings)
        log.info("recovery: %s %s (%s)", finding.action, _relative(finding.path, home),
                 finding.what)
    record = {"at": _now(), "area": area, "by": COMMANDS[area],
              "done": [f.as_dict(home) for f in findings]}
    report.write(record, settings.reports_dir / RECORDS[area])
    return record


def last_record(settings, area: str) -> dict | None:
    try:
        return json.loads((settings.reports_dir / RECORDS[area]).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def summary(record: dict) -> str:
    """One line: when, and what was done to what."""
    done = record.get("done", [])
    by_action: dict[str, list[str]] = {}
    for item in done:
        by_action.setdefault(item["action"], []).append(item["path"])
    parts = [f"{action} {', '.join(paths)}" for action, paths in by_action.items()]
    return f"{record.get('at')} by `{record.get('by')}`: " + "; ".join(parts)


def describe(settings, area: str, findings: list[Finding], running: dict | None) -> list[str]:
    """``shelfmap status`` lines: the leftovers present now and what the next run
    will do about them, and what the last recovery did. ``running``: the lock's
    holder when a run is in progress (its folders are then work, not leftovers)."""
    label = _label("leftovers:" if area == "catalogue" else "graph leftovers:")
    home = settings.home_path
    lines = []
    if running:
        lines.append(f"{label}`{running.get('command')}` is running (pid "
                     f"{running.get('pid')}, since {running.get('since')}); what it is "
                     "writing is not a leftover")
    elif findings:
        lines.append(f"{label}{len(findings)} from an interrupted run; the next "
                     f"`{COMMANDS[area]}` will:")
        lines += [f"{'':<15}  {f.action} {_relative(f.path, home)}: {f.what}" for f in findings]
    else:
        lines.append(f"{label}none")
    last = last_record(settings, area)
    label = _label("last recovery:" if area == "catalogue" else "graph recovery:")
    lines.append(f"{label}{summary(last) if last else 'none'}")
    return lines


def _label(text: str) -> str:
    """Status labels fill 15 columns, as the other lines of `shelfmap status` do."""
    return f"{text:<15}" if len(text) < 15 else text + " "
