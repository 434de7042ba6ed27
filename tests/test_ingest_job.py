"""The Spark ingest job on real files: counts that add up, quarantine, re-ingest."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

import settings as settings_module
from ingest import catalogue, catalogue_job, schema

from .conftest import LOC_10000, ODD

pytestmark = pytest.mark.spark

# Per file of pymarc's test folder: (detected format, records written, {quarantine
# reason: n}). test_marc8.txt and test_utf8.txt are pymarc's expected-output dumps, not
# records; 1251.dat is cp1251 Cyrillic declared as MARC-8. The folder's PROVENANCE.md
# is documentation and is skipped.
PYMARC_EXPECTED = {
    "1251.dat": ("marc", 0, {"bad_encoding": 6}),
    "alphatag.dat": ("marc", 1, {}),
    "bad_eacc_encoding.dat": ("marc", 0, {"bad_encoding": 1}),
    "bad_indicator.dat": ("marc", 1, {}),         # repaired by pymarc; padding after it
    "bad_marc8_escape.dat": ("marc", 0, {"bad_encoding": 1}),
    "bad_subfield_code.dat": ("marc", 0, {"bad_directory": 1}),
    "bad_tag.xml": ("marcxml", 0, {"bad_tag": 1}),
    "batch.json": ("marcjson", 2, {}),
    "batch.xml": ("marcxml", 2, {}),
    "diacritic.dat": ("marc", 1, {}),
    "marc.dat": ("marc", 20, {}),
    "marc8-to-unicode.dat": ("marc", 1, {}),
    "marc8.dat": ("marc", 1, {}),
    "multi_isbn.dat": ("marc", 1, {}),
    "one.dat": ("marc", 1, {}),
    "one.json": ("marcjson", 1, {}),
    "regression45.dat": ("marc", 12, {}),
    "test.dat": ("marc", 10, {}),
    "test.json": ("marcjson", 1, {}),
    "test_marc8.txt": ("unknown", 0, {"unknown_format": 1}),
    "test_utf8.txt": ("unknown", 0, {"unknown_format": 1}),
    "testunimarc.dat": ("marc", 0, {"missing_title": 1}),
    "utf8.xml": ("marcxml", 1, {}),
    "utf8_errors.dat": ("marc", 1, {}),
    "utf8_with_leader_flag.dat": ("marc", 1, {}),
    "utf8_without_leader_flag.dat": ("marc", 1, {}),
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
    for name, (fmt, written, reasons) in PYMARC_EXPECTED.items():
        entry = by_name[name]
        if fmt == "marc":
            assert entry["seen"] == _terminated_records(folder / name), name
        assert entry["seen"] == entry["written"] + entry["quarantined"], name
        assert (entry["format"], entry["written"], entry["quarantine_reasons"]) == (
            fmt, written, reasons), name

    # Every quarantined record is kept with its bytes, file and offset.
    rows = pq.read_table(home_settings.quarantine_dir / report["catalogue_version"]).to_pylist()
    assert len(rows) == report["quarantined"]
    for row in rows:
        data = open(row["source_file"], "rb").read()
        if row["reason"] != "unknown_format":       # those keep the file's first MB
            assert data[row["offset"]: row["offset"] + row["length"]] == row["raw"]
        assert row["reason"] and row["message"]

    saved = json.loads((home_settings.reports_dir / "last-ingest.json").read_text())
    assert saved["seen"] == report["seen"] == sum(
        w + sum(r.values()) for _, w, r in PYMARC_EXPECTED.values())


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
