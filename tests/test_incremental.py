"""Re-ingest as librarians do it: edits, deletions, full reloads, duplicate ids, other
formats and the JSON Lines round trip, all on real LoC and Gutenberg records."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pymarc
import pytest

from ingest import catalogue, catalogue_job, export, splits

from .conftest import DATA, LOC_10000, ODD

pytestmark = pytest.mark.spark

GUTENBERG = DATA / "gutenberg-catalog" / "pg_catalog.first7702.csv"


@pytest.fixture()
def home(base_settings, tmp_path):
    return base_settings.replace(home=str(tmp_path / "home"))


def _catalogue(settings) -> dict[str, dict]:
    table = pq.read_table(catalogue.current_path(settings.catalogue_dir))
    return {row["id"]: row for row in table.to_pylist()}


def _first_records(n: int) -> list[bytes]:
    out = []
    for _, raw in splits.read_file(str(LOC_10000)):
        out.append(raw)
        if len(out) == n:
            return out
    return out


def test_deleted_leader_removes_the_record(spark, home, tmp_path):
    records = _first_records(50)
    source = tmp_path / "fifty.mrc"
    source.write_bytes(b"".join(records))
    catalogue_job.run(home, [str(source)], spark=spark)
    before = _catalogue(home)
    assert len(before) == 50

    # The same real record, as the library's system exports it once deleted:
    # leader/05 'd' (a one-byte change; the directory stays valid).
    victim = bytearray(records[7])
    victim[5:6] = b"d"
    notice = tmp_path / "deletions.mrc"
    notice.write_bytes(bytes(victim))
    report = catalogue_job.run(home, [str(notice)], spark=spark)

    assert (report["seen"], report["written"], report["deleted"], report["new"]) == (1, 1, 1, 0)
    after = _catalogue(home)
    # The id, read with pymarc rather than our mapping: 003 + ":" + 001.
    rec = pymarc.Record(data=records[7], force_utf8=True)
    expected = f"{rec['003'].data.strip()}:{rec['001'].data.strip()}"
    assert set(before) - set(after) == {expected}


def test_edited_record_is_changed_and_replaced(spark, home, tmp_path):
    source = tmp_path / "fifty.mrc"
    source.write_bytes(b"".join(_first_records(50)))
    catalogue_job.run(home, [str(source)], spark=spark)
    exported = tmp_path / "catalogue.jsonl"
    export.export(catalogue.current_path(home.catalogue_dir), "jsonl", exported)
    lines = exported.read_text(encoding="utf-8").splitlines()
    edited = json.loads(lines[3])
    edited["title"] = edited["title"] + " (revised edition)"
    (tmp_path / "edit.jsonl").write_text(json.dumps(edited, ensure_ascii=False) + "\n",
                                         encoding="utf-8")

    report = catalogue_job.run(home, [str(tmp_path / "edit.jsonl")], spark=spark)

    assert (report["changed"], report["new"], report["unchanged"]) == (1, 0, 0)
    after = _catalogue(home)
    assert len(after) == 50
    assert after[edited["id"]]["title"].endswith("(revised edition)")


def test_full_reload_deletes_what_the_source_no_longer_has(spark, home, tmp_path):
    source = tmp_path / "fifty.mrc"
    records = _first_records(50)
    source.write_bytes(b"".join(records))
    catalogue_job.run(home, [str(source)], spark=spark)
    catalogue_job.run(home, [str(GUTENBERG)], spark=spark)       # another source
    total = len(_catalogue(home))

    smaller = tmp_path / "thirty.mrc"
    smaller.write_bytes(b"".join(records[:30]))
    report = catalogue_job.run(home, [str(smaller)], full=True, spark=spark)

    assert (report["unchanged"], report["deleted"], report["deleted_absent"]) == (30, 20, 20)
    after = _catalogue(home)
    assert len(after) == total - 20
    # The Gutenberg records are another source: a DLC full reload leaves them alone.
    assert sum(1 for k in after if k.startswith("gutenberg:")) == 7659


def test_duplicate_ids_in_one_load_keep_the_last(spark, home, tmp_path):
    records = _first_records(20)
    first, second = tmp_path / "a.mrc", tmp_path / "b.mrc"
    first.write_bytes(b"".join(records))
    second.write_bytes(b"".join(records[:5]))
    report = catalogue_job.run(home, [str(first), str(second)], spark=spark)

    assert (report["seen"], report["written"], report["duplicates"], report["new"]) == (
        25, 25, 5, 20)
    assert report["by_file"][str(first)]["duplicates"] == 5       # superseded by b.mrc
    assert len(_catalogue(home)) == 20


def test_gutenberg_csv_with_cut_last_row(spark, home):
    report = catalogue_job.run(home, [str(GUTENBERG)], spark=spark)
    entry = report["by_file"][str(GUTENBERG)]
    assert entry["format"] == "csv"
    assert (entry["seen"], entry["written"], entry["quarantine_reasons"]) == (
        7660, 7659, {"truncated_row": 1})
    books = _catalogue(home)
    assert books["gutenberg:1"]["title"].startswith("The Declaration of Independence")
    assert books["gutenberg:1"]["language"] == "eng"


def test_the_same_records_in_three_serialisations(spark, home):
    """traject's test records as binary MARC, MARCXML and MARC-in-JSON: one load of all
    three gives each id once, and the later files' copies are exact duplicates."""
    folder = ODD / "traject"
    names = ["test_data.utf8.mrc", "test_data.utf8.marc.xml", "test_data.utf8.json"]
    report = catalogue_job.run(home, [str(folder / n) for n in names], spark=spark)
    formats = {Path(f).name: e["format"] for f, e in report["by_file"].items()}
    assert formats == {"test_data.utf8.mrc": "marc", "test_data.utf8.marc.xml": "marcxml",
                       "test_data.utf8.json": "marcjson"}
    assert report["seen"] == 90 and report["quarantined"] == 0
    assert report["duplicates"] == 60            # 30 ids (29 records, 1 deletion) x 2
    assert len(_catalogue(home)) == 29

    again = catalogue_job.run(home, [str(folder / "test_data.utf8.json")], spark=spark)
    assert (again["unchanged"], again["changed"], again["new"]) == (29, 0, 0)


def test_jsonl_export_ingests_back_to_identical_records(spark, home, tmp_path):
    catalogue_job.run(home, [str(LOC_10000)], spark=spark)
    out = tmp_path / "catalogue.jsonl"
    cli = Path(sys.executable).with_name("shelfmap")
    env = {"SHELFMAP_HOME": home.home, "PATH": "/usr/bin:/bin"}
    subprocess.run([str(cli), "export", "--format", "jsonl", "--out", str(out)],
                   check=True, env=env, capture_output=True)
    assert sum(1 for _ in out.open(encoding="utf-8")) == 10000

    other = home.replace(home=str(tmp_path / "other"))
    report = catalogue_job.run(other, [str(out)], spark=spark)
    assert report["by_file"][str(out)]["format"] == "jsonl"
    assert (report["written"], report["quarantined"]) == (10000, 0)
    original, copy = _catalogue(home), _catalogue(other)
    assert copy == original
