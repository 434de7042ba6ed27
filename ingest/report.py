"""The ingest report: what happened to every record, as JSON and as a terminal summary.

Shape (DESIGN.md): ``{"seen", "written", "new", "changed", "unchanged", "deleted",
"quarantined", "quarantine_reasons": {reason: n}, "by_file": {path: {...}}}`` with
``seen == written + quarantined`` for the whole load and for every file.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

COUNTS = ("seen", "written", "new", "changed", "unchanged", "deleted", "duplicates",
          "quarantined")


class ReportInvariantError(AssertionError):
    """The counts do not add up: a record was lost or counted twice (a bug)."""


def _empty() -> dict:
    out = {name: 0 for name in COUNTS}
    out["quarantine_reasons"] = {}
    return out


def build(files: list[str], outcomes: list[tuple[str, str, str | None, int]],
          version: str | None = None, catalogue_records: int | None = None,
          deleted_absent: int = 0, formats: dict | None = None) -> dict:
    """A report from per-file outcome counts.

    ``outcomes`` rows are ``(file, outcome, reason, n)`` where outcome is one of
    ``new``, ``changed``, ``unchanged``, ``deleted`` (the source marks the record
    deleted), ``duplicate`` (superseded by a later occurrence of the same id in this
    load) or ``quarantined`` (with its reason). ``deleted_absent`` counts records a
    full reload no longer contains: deleted too, but seen in no file.
    """
    by_file = {f: _empty() for f in files}
    for file, outcome, reason, n in outcomes:
        entry = by_file.setdefault(file, _empty())
        entry["seen"] += n
        if outcome == "quarantined":
            entry["quarantined"] += n
            reasons = entry["quarantine_reasons"]
            reasons[reason or "unknown"] = reasons.get(reason or "unknown", 0) + n
        else:
            entry["written"] += n
            key = "duplicates" if outcome == "duplicate" else outcome
            if key not in entry:
                raise ValueError(f"unknown outcome {outcome!r}")
            entry[key] += n
    report = _empty()
    reasons: Counter = Counter()
    for entry in by_file.values():
        for name in COUNTS:
            report[name] += entry[name]
        reasons.update(entry["quarantine_reasons"])
    report["quarantine_reasons"] = dict(sorted(reasons.items()))
    report["deleted_absent"] = deleted_absent
    report["deleted"] += deleted_absent
    report["by_file"] = by_file
    for file, fmt in (formats or {}).items():
        by_file.setdefault(file, _empty())["format"] = fmt
    if version:
        report["catalogue_version"] = version
    if catalogue_records is not None:
        report["catalogue_records"] = catalogue_records
    check(report)
    return report


def check(report: dict) -> None:
    for where, entry in [("load", report), *report["by_file"].items()]:
        if entry["seen"] != entry["written"] + entry["quarantined"]:
            raise ReportInvariantError(
                f"{where}: seen {entry['seen']} != written {entry['written']} + "
                f"quarantined {entry['quarantined']}")
        notices = entry["deleted"] - entry.get("deleted_absent", 0)
        if entry["written"] != (entry["new"] + entry["changed"] + entry["unchanged"]
                                + entry["duplicates"] + notices):
            raise ReportInvariantError(f"{where}: written records are not all classified")


def write(report: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def save(report: dict, reports_dir: Path) -> None:
    """Write a load's report as ``ingest-<version>.json`` and ``last-ingest.json``."""
    write(report, reports_dir / f"ingest-{report['catalogue_version']}.json")
    write(report, reports_dir / "last-ingest.json")


def summary(report: dict) -> str:
    """A few lines for the terminal."""
    lines = [
        f"seen {report['seen']:,}  written {report['written']:,}  "
        f"quarantined {report['quarantined']:,}",
        f"new {report['new']:,}  changed {report['changed']:,}  "
        f"unchanged {report['unchanged']:,}  deleted {report['deleted']:,}"
        + (f" ({report['deleted_absent']:,} absent from the full reload)"
           if report.get("deleted_absent") else "") + "  "
        f"duplicate ids {report['duplicates']:,}",
    ]
    for reason, n in report["quarantine_reasons"].items():
        lines.append(f"  quarantined as {reason}: {n:,}")
    if len(report["by_file"]) > 1:
        for file, entry in report["by_file"].items():
            fmt = f" [{entry['format']}]" if entry.get("format") else ""
            lines.append(f"  {file}{fmt}: seen {entry['seen']:,}, written "
                         f"{entry['written']:,}, quarantined {entry['quarantined']:,}")
    if "catalogue_records" in report:
        lines.append(f"catalogue now holds {report['catalogue_records']:,} records "
                     f"(version {report.get('catalogue_version')})")
    if report.get("recovery"):
        done = report["recovery"]["done"]
        lines.append(f"first cleaned up after an interrupted load: {len(done)} leftover(s) "
                     "(reports/last-recovery.json): "
                     + ", ".join(f"{d['action']} {d['path']}" for d in done))
    return "\n".join(lines)
