"""The demo's sample and the full LoC file it comes from."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from ingest import loc_books

ROOT = Path(__file__).resolve().parents[1]
LOC = ROOT / "tests" / "data" / "loc-books-2016"


def _sums() -> dict[str, str]:
    lines = (LOC / "SHA256SUMS").read_text().split("\n")
    return {name: digest for digest, name in (line.split() for line in lines if line)}


def test_the_demo_sample_is_the_10000_record_selection_byte_for_byte():
    sample = ROOT / "data" / "mixed-10000.mrc"
    assert hashlib.sha256(sample.read_bytes()).hexdigest() == _sums()["mixed-10000.mrc"]
    assert sample.read_bytes().count(b"\x1d") == 10_000
    # The demo ingests the whole folder: nothing else in it may look like a catalogue.
    assert sorted(p.name for p in (ROOT / "data").iterdir()) == ["PROVENANCE.md",
                                                                  "mixed-10000.mrc"]


def test_the_provenance_names_the_checksums():
    text = (ROOT / "data" / "PROVENANCE.md").read_text()
    for digest in (_sums()["mixed-10000.mrc"], loc_books.FILE_SHA256, loc_books.SDIST_SHA256):
        assert digest in text


def test_a_wrong_file_is_not_taken_for_the_fetched_one(tmp_path):
    assert not loc_books.fetched(tmp_path)
    loc_books.target(tmp_path).write_bytes(b"not the LoC file")
    assert not loc_books.fetched(tmp_path)


@pytest.mark.skipif(not os.environ.get("SHELFMAP_TEST_FETCH_DIR"),
                    reason="fetches 76 MB: set SHELFMAP_TEST_FETCH_DIR to a folder to run it")
def test_fetch_brings_the_250000_records():
    folder = Path(os.environ["SHELFMAP_TEST_FETCH_DIR"])
    path = loc_books.fetch(folder)
    assert path == loc_books.target(folder) and loc_books.fetched(folder)
    with open(path, "rb") as f:
        records = sum(block.count(b"\x1d") for block in iter(lambda: f.read(1 << 20), b""))
    assert records == loc_books.RECORDS
    assert [p.name for p in folder.iterdir()] == [loc_books.FILE_NAME]  # nothing left over
