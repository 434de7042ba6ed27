"""Loads and graph builds killed with SIGKILL, and what a librarian sees afterwards
(issue 10: versions are complete or absent; what a killed run left is cleaned at the
next start, and `shelfmap status` says what it found).

Each load scenario starts from a home holding one good load of 120 real LoC records
(loaded once, then copied), runs a second load (a --full reload in nine files: new,
unchanged, changed and deleted records and one truncated record) as `shelfmap ingest`
in its own process group, and kills the whole group (the CLI, Spark's JVM, its Python
workers):

- while reading: once the first of its nine tasks has written its output to the
  staging folder;
- while merging: once the merge's output appears;
- at every step of publishing (ingest.publish.STEPS): that window is milliseconds, so
  the process kills itself there (SHELFMAP_CRASHPOINT, ingest.crashpoint). A real
  `shelfmap ingest` dies after marking its version complete; the later steps are then
  run from the staged load it left by the same publishing code in a process without
  Spark (one JVM start per step would cost more than the rest of this file).

The three `shelfmap ingest` runs start side by side (fixture ``killed``): their JVMs'
start-up is the costliest part of this file.

After each kill: CURRENT still names the previous complete version and exporting it
gives exactly its records (or, once CURRENT was replaced, the new one is whole);
`shelfmap status` lists the leftovers; a rerun of the same load succeeds with the
counts of an uninterrupted run of it (a reference home), the previous complete
version survives the rerun's pruning, staging is empty, and the dead load's
quarantine and change set are gone.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cli
from ingest import (catalogue, catalogue_job, crashpoint, export, lock, publish, report,
                    splits)
from ingest.marc import map_raw
from viz.graph import artifacts as graph_artifacts
from viz.graph import build as graph_build
from viz.graph import store as graph_store

from .conftest import DATA, LOC_10000
from .test_graph_store import write_tiny

pytestmark = pytest.mark.spark

CLI = Path(sys.executable).with_name("shelfmap")
ROOT = Path(__file__).resolve().parent.parent
TINY = DATA / "graph-tiny" / "catalogue.jsonl"
# The figures an uninterrupted run and a rerun after a kill must share.
COMPARED = (*report.COUNTS, "deleted_absent", "quarantine_reasons", "by_file",
            "catalogue_records")


# --- the loads ------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Scenario:
    """A home after a first good load, and a second load with its uninterrupted result."""

    home: Path                 # after the first load; copied, never changed
    version: str               # the first load's version
    records: set               # (id, content_hash) of the first load's catalogue
    files: list[str]           # the second load (run with --full)
    reference: dict            # the report of an uninterrupted second load
    reference_records: set     # (id, content_hash) after it


def _loc(n: int) -> list[bytes]:
    out = []
    for _, raw in splits.read_file(str(LOC_10000)):
        out.append(raw)
        if len(out) == n:
            break
    return out


def _deletion_notice(raw: bytes) -> bytes:
    """The record as the library's system exports it once deleted: leader/05 'd'."""
    notice = bytearray(raw)
    notice[5:6] = b"d"
    return bytes(notice)


def _edited(raw: bytes) -> str:
    """The record, retitled, as one canonical JSON line (a changed record)."""
    record = map_raw(raw)
    record["title"] += " (revised edition)"
    return json.dumps(record, ensure_ascii=False) + "\n"


def _exported(home: Path, tmp: Path) -> set:
    """(id, content_hash) of every record `shelfmap export` gives for CURRENT."""
    out = tmp / f"export-{time.monotonic_ns()}.jsonl"
    export.export(catalogue.current_path(home / "catalogue"), "jsonl", out)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    found = {(r["id"], r["content_hash"]) for r in rows}
    assert len(found) == len(rows)
    return found


def _scenario(spark, base_settings, folder: Path, records: list[bytes], *, first: slice,
              second: slice, edited: int, deleted: int, truncated: int,
              parts: int) -> Scenario:
    """The second load is ``records[second]`` in ``parts`` MARC files (one Spark task
    each), the first opening with a deletion notice for ``records[deleted]`` and the
    last ending in a truncated record, and ``records[edited]`` retitled in JSON Lines."""
    (folder / "first.mrc").write_bytes(b"".join(records[first]))
    chunk = -(-(second.stop - second.start) // parts)
    files = []
    for i in range(parts):
        start = second.start + i * chunk
        body = b"".join(records[start:min(start + chunk, second.stop)])
        if i == 0:
            body = _deletion_notice(records[deleted]) + body
        if i == parts - 1:
            body += records[truncated][:200]
        files.append(folder / f"second-{i + 1}.mrc")
        files[-1].write_bytes(body)
    (folder / "edit.jsonl").write_text(_edited(records[edited]), encoding="utf-8")
    files = [str(f) for f in files] + [str(folder / "edit.jsonl")]

    home = folder / "home"
    settings = base_settings.replace(home=str(home))
    first_report = catalogue_job.run(settings, [str(folder / "first.mrc")], spark=spark)
    before = _exported(home, folder)
    reference_home = folder / "reference"
    shutil.copytree(home, reference_home)
    reference = catalogue_job.run(base_settings.replace(home=str(reference_home)), files,
                                  full=True, spark=spark)
    assert (reference["new"], reference["changed"], reference["quarantined"]) == (
        second.stop - first.stop, 1, 1)
    assert reference["deleted"] == reference["deleted_absent"] + 1
    return Scenario(home, first_report["catalogue_version"], before, files, reference,
                    _exported(reference_home, folder))


TASKS = 9   # of the second load: eight MARC files and one JSON Lines file


@pytest.fixture(scope="module")
def loads(spark, base_settings, tmp_path_factory):
    """120 records, then a full reload of records 60-299 (180 new, 60 unchanged), one
    changed, one deleted by notice, 58 absent, one truncated."""
    return _scenario(spark, base_settings, tmp_path_factory.mktemp("loads"), _loc(301),
                     first=slice(0, 120), second=slice(60, 300), edited=10, deleted=5,
                     truncated=300, parts=TASKS - 1)


# --- processes --------------------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(home: Path, step: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHELFMAP_")}
    env.update(SHELFMAP_HOME=str(home), SHELFMAP_SPARK_DRIVER_MEMORY="1g",
               SHELFMAP_ES_PORT=str(_closed_port()))
    if step:
        env[crashpoint.ENV] = step
    return env


def _start_ingest(home: Path, files: list[str], step: str | None = None) -> subprocess.Popen:
    """`shelfmap ingest --full` in a process group of its own, output to a log file."""
    log = open(home.parent / f"{home.name}-ingest.log", "w")
    return subprocess.Popen([str(CLI), "ingest", "--full", "--no-index-update", *files],
                            env=_env(home, step), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _log(home: Path) -> str:
    return (home.parent / f"{home.name}-ingest.log").read_text(errors="replace")[-3000:]


def _group_alive(pgid: int) -> list[int]:
    """Processes of group ``pgid`` that still run (zombies, dead but not yet reaped by
    whoever inherited them, do not count)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def _wait_group_gone(pgid: int) -> None:
    deadline = time.monotonic() + 30
    while _group_alive(pgid):
        if time.monotonic() > deadline:
            pytest.fail(f"processes {_group_alive(pgid)} of group {pgid} outlived SIGKILL")
        time.sleep(0.05)


def _kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the whole group and wait until no process of it runs any more."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    _wait_group_gone(proc.pid)


def _status(home: Path, monkeypatch, capsys) -> str:
    """`shelfmap status` for ``home`` (Elasticsearch deliberately unreachable)."""
    monkeypatch.setenv("SHELFMAP_ES_PORT", str(_closed_port()))
    monkeypatch.delenv("SHELFMAP_ES_URL", raising=False)
    capsys.readouterr()
    cli.main(["--home", str(home), "status"])
    return capsys.readouterr().out


def _copy(scenario_home: Path, tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(scenario_home, home)
    return home


# --- what a librarian sees ---------------------------------------------------------------

def _assert_previous_served(home: Path, scenario: Scenario, tmp_path: Path) -> None:
    cat = home / "catalogue"
    assert catalogue.current_version(cat) == scenario.version
    assert catalogue.is_complete(cat / scenario.version)
    assert _exported(home, tmp_path) == scenario.records


def _counts(result: dict) -> dict:
    return {k: result[k] for k in COMPARED}


def _rerun(spark, base_settings, home: Path, scenario: Scenario) -> dict:
    return catalogue_job.run(base_settings.replace(home=str(home)), scenario.files,
                             full=True, spark=spark)


def _assert_rerun_exact(spark, base_settings, home: Path, scenario: Scenario, dead: str,
                        tmp_path: Path) -> dict:
    """The rerun after a kill before publishing: the uninterrupted run's counts and
    records, the previous version kept, the dead load's folders gone."""
    rerun = _rerun(spark, base_settings, home, scenario)
    assert _counts(rerun) == _counts(scenario.reference)
    assert _exported(home, tmp_path) == scenario.reference_records
    new = rerun["catalogue_version"]
    assert new > dead > scenario.version
    assert catalogue.version_names(home / "catalogue") == [scenario.version, new]
    assert all(catalogue.is_complete(home / "catalogue" / v) for v in (scenario.version, new))
    assert list((home / "staging").iterdir()) == []
    assert sorted(p.name for p in (home / "quarantine").iterdir()) == [scenario.version, new]
    assert sorted(p.name for p in (home / "changes").iterdir()) == [scenario.version, new]
    cleaned = {d["path"] for d in rerun["recovery"]["done"]}
    assert f"staging/{dead}" in cleaned
    saved = json.loads((home / "reports" / "last-recovery.json").read_text())
    assert saved == rerun["recovery"]
    assert json.loads((home / "reports" / "last-ingest.json").read_text())["recovery"] == \
        rerun["recovery"]
    return rerun


# What each killed run waits for before it is killed: the first task's finished output
# (while reading), the merge's output folder (while merging); the third kills itself
# right after marking its version complete (publish:manifest).
WATCHED = {"reading": "staging/*/records/part-*.parquet", "merging": "staging/*/catalogue",
           "staged": None}


@pytest.fixture(scope="module")
def killed(loads, tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """Three `shelfmap ingest` runs of the second load, started at once so that their
    JVMs start side by side, each killed at its point: ``{name: (home, what was
    seen)}`` (for ``staged``, its staging folder)."""
    homes, procs, seen = {}, {}, {}
    for name, pattern in WATCHED.items():
        homes[name] = tmp_path_factory.mktemp(name) / "home"
        shutil.copytree(loads.home, homes[name])
        procs[name] = _start_ingest(homes[name], loads.files,
                                    step=None if pattern else "publish:manifest")
    deadline = time.monotonic() + 900
    try:
        while len(seen) < len(WATCHED):
            assert time.monotonic() < deadline, {n: _log(h) for n, h in homes.items()}
            for name, pattern in WATCHED.items():
                if name in seen:
                    continue
                hit = next(homes[name].glob(pattern), None) if pattern else None
                if hit is not None:
                    _kill_group(procs[name])
                    seen[name] = hit
                elif procs[name].poll() is not None:
                    assert pattern is None and procs[name].returncode == -signal.SIGKILL, (
                        f"{name}: the load ended ({procs[name].returncode}) before it was "
                        "killed:\n" + _log(homes[name]))
                    _wait_group_gone(procs[name].pid)   # its JVM and workers died with it
                    (seen[name],) = (homes[name] / "staging").iterdir()
            time.sleep(0.02)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                _kill_group(proc)
    return {name: (homes[name], seen[name]) for name in WATCHED}


def test_killed_while_reading(spark, base_settings, loads, killed, tmp_path, monkeypatch,
                              capsys):
    home = _copy(killed["reading"][0], tmp_path)
    dead = killed["reading"][1].parents[1].name
    # Killed with tasks still reading: not all of them had finished their output.
    assert 1 <= len(list((home / "staging" / dead / "records").glob("part-*.parquet"))) < TASKS
    assert not (home / "staging" / dead / "changes").exists()

    _assert_previous_served(home, loads, tmp_path)
    status = _status(home, monkeypatch, capsys)
    assert f"remove staging/{dead}: the staging folder of a load that is not running" in status
    assert "the next `shelfmap ingest` will:" in status
    assert (home / "staging" / dead).is_dir()                     # status deleted nothing

    _assert_rerun_exact(spark, base_settings, home, loads, dead, tmp_path)
    after = _status(home, monkeypatch, capsys).splitlines()
    assert "leftovers:     none" in after
    (last,) = [line for line in after if line.startswith("last recovery: ")]
    assert f"by `shelfmap ingest`: remove staging/{dead}" in last


def test_killed_while_merging(spark, base_settings, loads, killed, tmp_path, monkeypatch,
                              capsys):
    home = _copy(killed["merging"][0], tmp_path)
    dead = killed["merging"][1].parent.name
    assert (home / "staging" / dead / "changes" / "_SUCCESS").is_file()  # merging had begun
    assert not (home / "catalogue" / dead).exists()
    assert not (home / "quarantine" / dead).exists()

    _assert_previous_served(home, loads, tmp_path)
    status = _status(home, monkeypatch, capsys)
    assert f"remove staging/{dead}" in status
    assert "leftovers:     1 from an interrupted run" in status

    _assert_rerun_exact(spark, base_settings, home, loads, dead, tmp_path)


@pytest.fixture(scope="module")
def staged(loads, killed):
    """A home where `shelfmap ingest` died right after marking its version complete:
    the whole checked load is in staging, nothing is published."""
    home, folder = killed["staged"]
    assert catalogue.read_manifest(folder / "catalogue", folder.name)["records"] == \
        loads.reference["catalogue_records"]
    return home, folder.name


# What each step leaves besides the staging folder, for `shelfmap status` to list.
LEFT = {
    "manifest": [],
    "quarantine": ["quarantine/{v}"],
    "changes": ["quarantine/{v}", "changes/{v}"],
    "catalogue": ["catalogue/{v}", "quarantine/{v}", "changes/{v}"],
    "pointer": ["catalogue/.CURRENT.", "catalogue/{v}", "quarantine/{v}", "changes/{v}"],
    "current": ["reports/ingest-{v}.json"],
    "prune": ["reports/ingest-{v}.json"],
    "reports": [],
}
PUBLISH = ("import sys; from pathlib import Path; import settings; from ingest import publish; "
           "publish.publish_load(settings.load(), Path(sys.argv[1]))")


def test_the_crash_points_are_the_steps_of_publishing():
    assert list(LEFT) == list(publish.STEPS)


@pytest.mark.parametrize("step", publish.STEPS)
def test_killed_while_publishing(step, spark, base_settings, loads, staged, tmp_path,
                                 monkeypatch, capsys):
    home = _copy(staged[0], tmp_path)
    dead = staged[1]
    if step != "manifest":
        done = subprocess.run([sys.executable, "-c", PUBLISH, str(home / "staging" / dead)],
                              env=_env(home, f"publish:{step}"), capture_output=True,
                              text=True, timeout=300, start_new_session=True)
        assert done.returncode == -signal.SIGKILL, done.stderr[-3000:]
    published = publish.STEPS.index(step) >= publish.STEPS.index("current")
    cat = home / "catalogue"

    if published:
        # CURRENT was replaced: the new version is whole and served.
        assert catalogue.current_version(cat) == dead
        assert _exported(home, tmp_path) == loads.reference_records
    else:
        _assert_previous_served(home, loads, tmp_path)
    status = _status(home, monkeypatch, capsys)
    for left in ["staging/{v}", *LEFT[step]]:
        assert left.format(v=dead) in status, (left, status)
    assert (home / "staging" / dead).is_dir()

    if not published:
        _assert_rerun_exact(spark, base_settings, home, loads, dead, tmp_path)
        return
    # The load took effect; the next start writes the reports it did not write, from
    # the manifest: the uninterrupted run's counts. Rerunning the same load changes
    # nothing, and its pruning keeps the version before it.
    rerun = _rerun(spark, base_settings, home, loads)
    recovered = json.loads((home / "reports" / f"ingest-{dead}.json").read_text())
    assert _counts(recovered) == _counts(loads.reference)
    assert (rerun["new"], rerun["changed"], rerun["deleted_absent"]) == (0, 0, 0)
    assert rerun["catalogue_records"] == loads.reference["catalogue_records"]
    assert _exported(home, tmp_path) == loads.reference_records
    assert catalogue.version_names(cat) == [dead, rerun["catalogue_version"]]
    assert list((home / "staging").iterdir()) == []
    # The first load's quarantine stays: it was published (and pruned only now).
    assert (home / "quarantine" / loads.version).is_dir()


def test_a_second_load_is_refused_at_once(spark, base_settings, loads, tmp_path):
    home = _copy(loads.home, tmp_path)
    proc = _start_ingest(home, loads.files)
    lock_file = home / lock.INGEST
    deadline = time.monotonic() + 300
    while (lock.holder(lock_file) or {}).get("pid") != proc.pid:
        assert proc.poll() is None and time.monotonic() < deadline, _log(home)
        time.sleep(0.02)
    try:
        started = time.monotonic()
        with pytest.raises(lock.Busy, match=f"pid {proc.pid}, running `shelfmap ingest`"):
            catalogue_job.run(base_settings.replace(home=str(home)), loads.files, spark=spark)
        assert time.monotonic() - started < 1.0
        second = subprocess.run([str(CLI), "ingest", *loads.files], env=_env(home),
                                capture_output=True, text=True, timeout=120)
        assert second.returncode == 2
        assert second.stderr.count("\n") == 1 and f"pid {proc.pid}" in second.stderr
    finally:
        _kill_group(proc)
    assert lock.running(lock_file) is None
    assert catalogue.current_version(home / "catalogue") == loads.version


def test_a_failed_check_publishes_nothing(spark, base_settings, loads, tmp_path):
    """A previous version holding a Parquet file twice (a botched copy): the new
    version would hold ids twice and more records than the counts allow."""
    home = _copy(loads.home, tmp_path)
    current = catalogue.current_path(home / "catalogue")
    part = next(current.glob("load-*.parquet"))      # the first load's records
    shutil.copy(part, current / f"copy-{part.name}")
    settings = base_settings.replace(home=str(home))

    with pytest.raises(catalogue_job.IngestError,
                       match=rf"failed its checks and was not published \({loads.version} "
                             r"stays current\).*held more than once"):
        catalogue_job.run(settings, loads.files[-1:], spark=spark)

    assert catalogue.current_version(home / "catalogue") == loads.version
    assert catalogue.version_names(home / "catalogue") == [loads.version]
    assert list((home / "staging").iterdir()) == []
    assert [p.name for p in (home / "quarantine").iterdir()] == [loads.version]
    assert [p.name for p in (home / "changes").iterdir()] == [loads.version]
    assert json.loads((home / "reports" / "last-ingest.json").read_text())[
        "catalogue_version"] == loads.version


# --- graph builds -------------------------------------------------------------------------

KILLED_BUILD = ("import sys; from pathlib import Path; from tests.test_graph_store import "
                "write_tiny; write_tiny(Path(sys.argv[1]))")


def _killed_build(root: Path, step: str) -> None:
    done = subprocess.run([sys.executable, "-c", KILLED_BUILD, str(root)], cwd=ROOT,
                          env=_env(root.parent, step), capture_output=True, text=True,
                          timeout=300, start_new_session=True)
    assert done.returncode == -signal.SIGKILL, done.stderr[-3000:]


def test_killed_graph_builds_are_cleaned_at_the_next_build(spark, base_settings, tmp_path,
                                                           monkeypatch, capsys):
    settings = base_settings.replace(home=str(tmp_path / "home"), graph_min_support=2,
                                     graph_top_k=2)
    catalogue_job.run(settings, [str(TINY)], spark=spark)
    root = settings.graph_dir
    first = write_tiny(root)
    for step in ("graph:tables", "graph:rename", "graph:pointer"):
        _killed_build(root, step)
    # graph:tables left a hidden build without graph.json; graph:rename and
    # graph:pointer each a complete build never made current, the last one also the
    # new pointer beside CURRENT.
    (tmp_build,) = [p for p in root.iterdir() if p.is_dir() and p.name.startswith(".")]
    (pointer,) = root.glob(".CURRENT.*")
    assert (tmp_build / "nodes.parquet").is_file()
    assert not (tmp_build / graph_artifacts.MANIFEST).exists()
    hidden = [tmp_build.name, pointer.name]
    unpublished = [v for v in catalogue.version_names(root) if v != first]
    assert len(unpublished) == 2 and all(v > first for v in unpublished)
    assert all(graph_artifacts.is_complete(root / v) for v in unpublished)
    # Served meanwhile: the first build.
    assert graph_artifacts.current_version(root) == first
    assert graph_store.current(root, max_age=0).version == first
    status = _status(settings.home_path, monkeypatch, capsys)
    assert "graph leftovers: 4 from an interrupted run; the next `shelfmap graph` will:" in status
    for name in [*hidden, *unpublished]:
        assert f"remove graph/{name}" in status

    built = graph_build.build(settings, spark=spark)
    assert sorted(d["path"] for d in built["recovery"]["done"]) == sorted(
        f"graph/{n}" for n in [*hidden, *unpublished])
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == []
    assert catalogue.version_names(root) == [first, built["version"]]
    assert graph_artifacts.current_version(root) == built["version"]
    saved = json.loads((settings.reports_dir / "last-graph-recovery.json").read_text())
    assert saved == built["recovery"]
    assert "graph leftovers: none" in _status(settings.home_path, monkeypatch, capsys)
