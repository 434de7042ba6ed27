"""The Spark ingest job on real files: counts that add up, quarantine, re-ingest."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

import settings as settings_module
from ingest import catalogue, catalogue_job, schema

from .conftest import LOC_10000, ODD

pytestmark = pytest.mark.spark

# Per file of pymarc's test folder: (records written, {quarantine reason: n}). Only
# binary MARC is read by this job, so pymarc's XML, JSON and text files are each one
# unreadable "record" here; 1251.dat is cp1251 Cyrillic declared as MARC-8. The
# folder's PROVENANCE.md is documentation and is skipped.
PYMARC_EXPECTED = {
    "1251.dat": (0, {"bad_encoding": 6}),
    "alphatag.dat": (1, {}),
    "bad_eacc_encoding.dat": (0, {"bad_encoding": 1}),
    "bad_indicator.dat": (1, {}),          # repaired by pymarc, then trailing padding
    "bad_marc8_escape.dat": (0, {"bad_encoding": 1}),
    "bad_subfield_code.dat": (0, {"bad_directory": 1}),
    "bad_tag.xml": (0, {"truncated": 1}),
    "batch.json": (0, {"truncated": 1}),
    "batch.xml": (0, {"truncated": 1}),
    "diacritic.dat": (1, {}),
    "marc.dat": (20, {}),
    "marc8-to-unicode.dat": (1, {}),
    "marc8.dat": (1, {}),
    "multi_isbn.dat": (1, {}),
    "one.dat": (1, {}),
    "one.json": (0, {"truncated": 1}),
    "regression45.dat": (12, {}),
    "test.dat": (10, {}),
    "test.json": (0, {"truncated": 1}),
    "test_marc8.txt": (0, {"truncated": 1}),
    "test_utf8.txt": (0, {"truncated": 1}),
    "testunimarc.dat": (0, {"missing_title": 1}),
    "utf8.xml": (0, {"truncated": 1}),
    "utf8_errors.dat": (1, {}),
    "utf8_with_leader_flag.dat": (1, {}),
    "utf8_without_leader_flag.dat": (1, {}),
}


def _terminated_records(path) -> int:
    """Records in a file counted independently of the job: non-blank pieces between
    record terminators."""
    pieces = path.read_bytes().split(b"\x1d")
    return sum(1 for piece in pieces if piece.strip(b"\r\n\t \x00\x1a"))


@pytest.fixture()
def home_settings(base_settings, tmp_path):
    return base_settings.replace(home=str(tmp_path))


def test_pymarc_files_counts_add_up(spark, home_settings):
    folder = ODD / "pymarc"
    report = catalogue_job.run(home_settings, [str(folder)], spark=spark)

    assert report["seen"] == report["written"] + report["quarantined"]
    by_name = {name.rsplit("/", 1)[-1]: entry for name, entry in report["by_file"].items()}
    assert set(by_name) == set(PYMARC_EXPECTED)
    for name, (written, reasons) in PYMARC_EXPECTED.items():
        entry = by_name[name]
        assert entry["seen"] == _terminated_records(folder / name), name
        assert entry["seen"] == entry["written"] + entry["quarantined"], name
        assert (entry["written"], entry["quarantine_reasons"]) == (written, reasons), name

    # Every quarantined record is kept with its bytes, file and offset.
    rows = pq.read_table(home_settings.quarantine_dir / report["catalogue_version"]).to_pylist()
    assert len(rows) == report["quarantined"]
    for row in rows:
        data = open(row["source_file"], "rb").read()
        assert data[row["offset"]: row["offset"] + row["length"]] == row["raw"]
        assert row["reason"] and row["message"]

    saved = json.loads((home_settings.reports_dir / "last-ingest.json").read_text())
    assert saved["seen"] == report["seen"] == sum(_terminated_records(folder / n)
                                                  for n in PYMARC_EXPECTED)


def test_loc_sample_then_reingest_is_unchanged(spark, home_settings):
    first = catalogue_job.run(home_settings, [str(LOC_10000)], spark=spark)
    assert (first["seen"], first["written"], first["new"], first["quarantined"]) == (
        10000, 10000, 10000, 0)
    table = pq.read_table(catalogue.current_path(home_settings.catalogue_dir))
    assert table.num_rows == 10000
    assert table.schema.names == list(schema.FIELDS)
    assert len(set(table.column("id").to_pylist())) == 10000

    again = catalogue_job.run(home_settings, [str(LOC_10000)], spark=spark)
    assert (again["new"], again["changed"], again["unchanged"]) == (0, 0, 10000)
    assert again["catalogue_records"] == 10000


def test_small_splits_read_the_same_records(spark, home_settings):
    """Splits far smaller than the file (cutting through records) lose and repeat
    nothing: the catalogue equals a one-split read."""
    whole = catalogue_job.run(home_settings, [str(LOC_10000)], spark=spark)
    first = pq.read_table(catalogue.current_path(home_settings.catalogue_dir))
    small = home_settings.replace(home=home_settings.home + "-small", split_size=65536)
    cut = catalogue_job.run(small, [str(LOC_10000)], spark=spark)
    second = pq.read_table(catalogue.current_path(small.catalogue_dir))
    assert cut["seen"] == whole["seen"] == 10000
    assert (sorted(second.column("content_hash").to_pylist())
            == sorted(first.column("content_hash").to_pylist()))


def test_missing_input_is_one_clear_error(home_settings, spark, tmp_path):
    with pytest.raises(catalogue_job.IngestError, match="no such file"):
        catalogue_job.run(home_settings, [str(tmp_path / "nope.mrc")], spark=spark)
    assert catalogue.current_version(home_settings.catalogue_dir) is None


def test_settings_defaults_match_the_table():
    import dataclasses

    fields = {f.name: f for f in dataclasses.fields(settings_module.Settings)}
    assert set(fields) == {s.name for s in settings_module.SETTINGS}
    for s in settings_module.SETTINGS:
        if s.name not in {"home", "cache"}:
            assert fields[s.name].default == s.default, s.name
