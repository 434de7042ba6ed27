"""CSV (Project Gutenberg's catalogue, shelfmap's own export) and JSON Lines."""

import collections
import csv
import io
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest import export, formats, schema, tabular
from ingest.quarantine import InvalidRecord, RecordError, UnreadableRecord
from ingest.tabular import FormatOptionsError

DATA = Path(__file__).resolve().parent / "data"
GUTENBERG = DATA / "gutenberg-catalog" / "pg_catalog.first7702.csv"
LOC = DATA / "loc-books-2016" / "mixed-10000.mrc"


def read(path: Path, fmt: str, **kwargs) -> list:
    return list(formats.read(str(path), fmt, 0, os.path.getsize(path), **kwargs))


@pytest.fixture(scope="module")
def gutenberg():
    return read(GUTENBERG, "csv")


def by_id(outcomes) -> dict:
    return {o["id"]: o for _, _, o in outcomes if isinstance(o, dict)}


# --- Gutenberg ------------------------------------------------------------------------

def test_gutenberg_counts(gutenberg):
    """7,660 rows (Text# 1..7702 with gaps); the last is cut mid-field by the extract."""
    counts = collections.Counter(
        "record" if isinstance(o, dict) else o.reason for _, _, o in gutenberg)
    assert counts == {"record": 7659, "truncated_row": 1}
    # The same count as Python's csv module, which does not notice the cut.
    with open(GUTENBERG, newline="", encoding="utf-8") as f:
        assert sum(1 for _ in csv.reader(f)) - 1 == len(gutenberg)


def test_gutenberg_truncated_last_row_keeps_its_bytes(gutenberg):
    data = GUTENBERG.read_bytes()
    offset, raw, error = gutenberg[-1]
    assert isinstance(error, UnreadableRecord) and error.reason == "truncated_row"
    assert raw.startswith(b"7702,Text,2005-03-01,") and data[offset:] == raw


def test_gutenberg_offsets_are_row_starts(gutenberg):
    data = GUTENBERG.read_bytes()
    assert gutenberg[0][0] == data.index(b"\n") + 1
    for offset, raw, _ in gutenberg:
        assert data[offset:offset + len(raw)] == raw
        assert data[offset - 1:offset] == b"\n"


def test_gutenberg_mapping(gutenberg):
    records = by_id(gutenberg)
    first = records["gutenberg:1"]
    assert first["source"] == "gutenberg"
    assert first["title"] == "The Declaration of Independence of the United States of America"
    assert first["authors"] == ["Jefferson, Thomas, 1743-1826"]
    assert first["subjects"] == ["United States -- History -- Revolution, 1775-1783 -- Sources",
                                 "United States. Declaration of Independence"]
    assert first["lcc"] == "E201"                  # of "E201; JK"
    assert first["language"] == "eng"              # canonical.build maps ISO 639-1 "en"
    assert first["year"] is None                   # Issued 1971-12-01 is the e-text's date
    assert first["content_hash"] == schema.content_hash(first)


def test_gutenberg_multi_line_title(gutenberg):
    """Text# 2's title is two lines in a quoted field: title and remainder."""
    record = by_id(gutenberg)["gutenberg:2"]
    assert record["title"] == ("The United States Bill of Rights : The Ten Original "
                               "Amendments to the Constitution of the United States")
    assert record["lcc"] == "JK"
    raw = next(r for _, r, o in gutenberg if isinstance(o, dict) and o["id"] == "gutenberg:2")
    assert raw.count(b"\n") == 2                   # the row spans two lines of the file


def test_gutenberg_roles_leave_the_author_heading(gutenberg):
    names = {a for r in by_id(gutenberg).values() for a in r["authors"]}
    assert "Bell, Clara, 1834-1927" in names
    assert not any(a.endswith("]") for a in names)


def test_custom_mapping_on_gutenberg():
    options = {"csv_mapping": {"Text#": {"field": "id", "prefix": "pg:"}, "Title": "title",
                               "Bookshelves": "subjects"},
               "csv_source": "pg"}
    outcomes = read(GUTENBERG, "csv", options=options)
    record = outcomes[0][2]
    assert record["id"] == "pg:1" and record["source"] == "pg"
    assert "Browsing: Politics" in record["subjects"] and record["authors"] == []


def test_bad_options_are_raised_not_quarantined():
    with pytest.raises(FormatOptionsError, match="presets: gutenberg"):
        formats.check(str(GUTENBERG), "csv", {"csv_preset": "hathitrust"})
    with pytest.raises(FormatOptionsError, match="not a canonical field"):
        formats.check(str(GUTENBERG), "csv", {"csv_mapping": {"Text#": "identifier"}})
    with pytest.raises(FormatOptionsError, match="lacks mapped columns"):
        formats.check(str(GUTENBERG), "csv", {"csv_mapping": {"ISBN": "isbn", "Text#": "id"}})
    formats.check(str(GUTENBERG), "csv")           # the header names the preset


def gutenberg_rows(n: int) -> list[bytes]:
    """The header and the first ``n`` rows of the real file, as bytes."""
    out, rows = [], tabular._rows(io.BytesIO(GUTENBERG.read_bytes()))
    for _ in range(n + 1):
        out.append(next(rows)[1])
    return out


def test_bad_rows_are_quarantined(tmp_path):
    header, one, two, three, four = gutenberg_rows(4)
    path = tmp_path / "pg.csv"
    path.write_bytes(header + one.replace(b",en,", b",en,extra,", 1)
                     + two.replace(b"2,Text", b",Text", 1)
                     + b"\xff" + three + four)
    reasons = [o.reason if isinstance(o, RecordError) else o["id"]
               for _, _, o in read(path, "csv")]
    assert reasons == ["bad_row", "missing_id", "bad_encoding", "gutenberg:4"]


def test_open_quote_at_the_end_is_a_truncated_row(tmp_path):
    header, one, two = gutenberg_rows(2)
    path = tmp_path / "pg.csv"
    path.write_bytes(header + one + two[:two.index(b"\n")])   # inside the quoted title
    outcomes = read(path, "csv")
    assert outcomes[0][2]["id"] == "gutenberg:1"
    assert outcomes[1][2].reason == "truncated_row"


def test_shelfmap_csv_export_reads_back(tmp_path, loc_catalogue):
    out = tmp_path / "export.csv"
    with open(out, "w", encoding="utf-8", newline="") as f:
        n = export.write_csv(loc_catalogue, f)
    assert formats.detect(str(out)) == "csv"
    records = [o for _, _, o in read(out, "csv")]
    assert len(records) == n
    assert records == export_records(loc_catalogue)


# --- JSON Lines -----------------------------------------------------------------------

def export_records(catalogue: Path) -> list[dict]:
    return list(export.records(catalogue))


@pytest.fixture(scope="module")
def loc_catalogue(tmp_path_factory):
    """A Parquet catalogue of canonical records mapped from real LC MARC."""
    outcomes = list(formats.read(str(LOC), "marc", 0, 1_500_000))
    records = [o for _, _, o in outcomes if isinstance(o, dict)]
    assert len(records) > 500
    path = tmp_path_factory.mktemp("catalogue") / "part-0.parquet"
    pq.write_table(pa.Table.from_pylist(records, schema=schema.RECORD), path)
    return path


@pytest.fixture(scope="module")
def jsonl_file(loc_catalogue, tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "catalogue.jsonl"
    with open(path, "w", encoding="utf-8", newline="") as f:
        export.write_jsonl(loc_catalogue, f)
    return path


def test_jsonl_round_trip_is_identical(loc_catalogue, jsonl_file):
    assert formats.detect(str(jsonl_file)) == "jsonl"
    back = [o for _, _, o in read(jsonl_file, "jsonl")]
    assert back == export_records(loc_catalogue)
    assert any(r["title_original"] for r in back)        # Hangul survives the trip


def test_jsonl_splits_read_each_line_once(jsonl_file):
    size = os.path.getsize(jsonl_file)
    whole = read(jsonl_file, "jsonl")
    pieces = []
    for start in range(0, size, 50_000):
        pieces += formats.read(str(jsonl_file), "jsonl", start, min(start + 50_000, size))
    assert pieces == whole
    data = jsonl_file.read_bytes()
    assert all(data[o:o + len(r)] == r for o, r, _ in whole)


def test_jsonl_bad_lines(tmp_path, jsonl_file):
    lines = jsonl_file.read_bytes().splitlines(keepends=True)[:6]
    one = json.loads(lines[1])
    unknown = json.dumps({**one, "shelf": "A1"}).encode() + b"\n"
    wrong_type = json.dumps({**one, "year": "1999"}).encode() + b"\n"
    no_id = json.dumps({**one, "id": None}).encode() + b"\n"
    path = tmp_path / "bad.jsonl"
    path.write_bytes(lines[0] + lines[1][:40] + b"\n" + unknown + wrong_type + no_id
                     + b"[1, 2]\n" + b"\n" + lines[2])
    outcomes = [o for _, _, o in read(path, "jsonl")]
    assert [o.reason if isinstance(o, RecordError) else "record" for o in outcomes] == [
        "record", "bad_json", "unknown_field", "bad_value", "missing_id", "bad_json",
        "record"]
    assert "shelf" in str(outcomes[2]) and isinstance(outcomes[2], InvalidRecord)
