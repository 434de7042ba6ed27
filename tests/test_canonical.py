"""canonical.build: the normalisation every reader shares, on values as sources give them."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from ingest import canonical, classification, languages, schema, subjects
from ingest.marc import map_raw

ROOT = Path(__file__).resolve().parents[1]

# A row of a loc.gov CSV export, values as found there.
JEFFERSON = {
    "id": "DLC:2005568187",
    "source": "DLC",
    "title": "Notes on the state of Virginia.",
    "authors": ["Jefferson, Thomas, 1743-1826.", "Jefferson, Thomas, 1743-1826"],
    "subjects": ["United States -- History -- Revolution, 1775-1783 -- Sources",
                 "Virginia -- Description and travel.",
                 "United States -- History -- Revolution, 1775-1783 -- Sources"],
    "lcc": "F230 .J5 1787",
    "year": "1787.",
    "language": "en",
    "publisher": "[Printed by Prichard and Hall],",
    "place": "Philadelphia :",
    "isbn": ["0-8108-3416-0", "0810834160", "not an isbn"],
}


def test_source_values_are_trimmed_deduplicated_and_derived():
    record = canonical.build(JEFFERSON)
    assert record["title"] == "Notes on the state of Virginia"
    assert record["authors"] == ["Jefferson, Thomas, 1743-1826"]
    assert record["subjects"] == ["United States -- History -- Revolution, 1775-1783 -- Sources",
                                  "Virginia -- Description and travel"]
    assert record["subject_terms"] == [
        "United States", "United States -- History",
        "United States -- History -- Revolution, 1775-1783",
        "United States -- History -- Revolution, 1775-1783 -- Sources",
        "Virginia", "Virginia -- Description and travel"]
    assert (record["lcc_class"], record["lcc_outline"], record["lcc_label"]) == (
        "F", ["F1-975", "F221-235"], "Virginia")
    assert (record["year"], record["year_end"]) == (1787, 1787)
    assert (record["language"], record["language_name"]) == ("eng", "English")
    assert record["publisher"] == "Printed by Prichard and Hall"
    assert record["place"] == "Philadelphia"
    assert record["isbn"] == ["0810834160"]
    assert record["folded"].startswith("notes on the state of virginia | jefferson, thomas")
    assert list(record) == list(schema.FIELDS)
    assert record["content_hash"] == schema.content_hash(record)


def test_missing_fields_become_empty_and_unknown_fields_are_dropped():
    record = canonical.build({"id": "x:1", "source": "x", "title": "T", "shelf": "B12"})
    assert "shelf" not in record
    assert record["authors"] == [] and record["subject_terms"] == [] and record["isbn"] == []
    assert record["year"] is record["year_end"] is record["language_name"] is None
    assert record["lcc_outline"] == [] and record["lcc_class"] is None
    assert record["folded"] == "t"


def test_a_single_string_where_a_list_belongs_is_one_value():
    record = canonical.build({"id": "x:1", "source": "x", "title": "T", "authors": "Poe, Edgar Allan,"})
    assert record["authors"] == ["Poe, Edgar Allan"]


@pytest.fixture(scope="module")
def mixed_1000() -> list[dict]:
    logging.disable(logging.WARNING)
    try:
        chunks = (ROOT / "tests" / "data" / "loc-books-2016" / "mixed-1000.mrc").read_bytes().split(b"\x1d")[:-1]
        return [map_raw(c + b"\x1d") for c in chunks]
    finally:
        logging.disable(logging.NOTSET)


def test_build_is_idempotent_on_mapped_marc_records(mixed_1000):
    """Already trimmed MARC values do not change when built again."""
    changed = [r["id"] for r in mixed_1000 if canonical.build(r) != r]
    assert changed == []


def test_every_mapped_record_has_consistent_derived_fields(mixed_1000):
    for r in mixed_1000:
        assert set(r["subjects"]) <= set(r["subject_terms"])
        assert (r["year"] is None) == (r["year_end"] is None)
        assert r["year"] is None or r["year"] <= r["year_end"]
        assert not r["lcc_outline"] or r["lcc_class"] is not None
        assert (r["lcc_label"] is None) == (not r["lcc_outline"])


# --- years ------------------------------------------------------------------------------

@pytest.mark.parametrize("year, expected", [
    (1999, (1999, 1999)),
    (1999.0, (1999, 1999)),          # a JSON number
    ("1999", (1999, 1999)),
    ("c1999.", (1999, 1999)),
    ("[1999?]", (1999, 1999)),
    ("199u", (1990, 1999)),
    ("19uu", (1900, 1999)),
    ("uuuu", (None, None)),
    ("    ", (None, None)),
    ("", (None, None)),
    (None, (None, None)),
    (0, (None, None)),
    (99999, (None, None)),
])
def test_years(year, expected):
    record = canonical.build({"id": "x:1", "source": "x", "title": "T", "year": year})
    assert (record["year"], record["year_end"]) == expected


def test_a_stated_year_end_is_kept():
    record = canonical.build({"id": "x:1", "source": "x", "title": "T", "year": 1998,
                              "year_end": 2003})
    assert (record["year"], record["year_end"]) == (1998, 2003)


# --- subjects ---------------------------------------------------------------------------

def test_broader_headings_by_dropping_trailing_subdivisions():
    assert subjects.terms(["Korea (North) -- Politics and government -- 1994-",
                           "Korea (North) -- Foreign relations"]) == [
        "Korea (North)", "Korea (North) -- Politics and government",
        "Korea (North) -- Politics and government -- 1994-",
        "Korea (North) -- Foreign relations"]


def test_unspaced_double_hyphen_is_part_of_the_name():
    # 651 $a of mixed-10000 LC 00421231: one place name, not a subdivided heading.
    heading = "Saguenay--Lac-Saint-Jean--Chibougamau (Québec) -- History -- 19th century"
    assert subjects.broader(heading)[0] == "Saguenay--Lac-Saint-Jean--Chibougamau (Québec)"


def test_heading_parts_are_trimmed():
    assert subjects.clean("Virginia  --  Description and travel.") == (
        "Virginia -- Description and travel")
    assert subjects.clean(" -- ") is None


# --- classification ---------------------------------------------------------------------

@pytest.mark.parametrize("lcc, cls, outline, label", [
    ("HD53 .C483 1999", "HD", ["HD28-9999", "HD28-70"], "Management. Industrial management"),
    # decimals count: QA76.73 lies in QA75.5-76.95
    ("QA76.73.J38 S26 2002", "QA", ["QA1-939", "QA71-90", "QA75-76.95", "QA75.5-76.95"],
     "Electronic computers. Computer science"),
    ("Z 699 .A1", "Z", ["Z662-1000.5", "Z665-718.8", "Z687-718.85", "Z699-699.5"],
     "Machine methods of information and retrieval."),
    # upstream "JC328.6-.65" repaired at copy time (ingest/data/PROVENANCE.md)
    ("JC328.62 .V5", "JC", ["JC11-605", "JC328.6-.65"], "Violence. Political violence"),
    ("KKB1419 .E54 1997", "KKB", [], None),            # a real class the outline lacks
    ("MLCS 92/08321", None, [], None),                 # LC's minimal-level shelf number
    ("MLCM 92/01234 (P)", None, [], None),
    ("MLC 2001/1", None, [], None),
    ("CPB Box no. 1955 vol. 12", None, [], None),      # mixed-10000 LC 00111222
    ("UNCLASSIFIED 1706 (C)", None, [], None),         # mixed-10000 LC 00378574
    ("973.0496073", None, [], None),                   # a Dewey number
    (None, None, [], None),
])
def test_lc_classification(lcc, cls, outline, label):
    assert classification.classify(lcc) == {"lcc_class": cls, "lcc_outline": outline,
                                            "lcc_label": label}
    assert classification.lcc_class(lcc) == cls


def test_outline_and_languages_load_lazily():
    code = ("import ingest.canonical, ingest.marc, index.documents\n"
            "from ingest import classification, languages\n"
            "assert classification._outline.cache_info().currsize == 0\n"
            "assert languages._table.cache_info().currsize == 0\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# --- languages --------------------------------------------------------------------------

@pytest.mark.parametrize("given, code, name", [
    ("kor", "kor", "Korean"),
    ("KOR", "kor", "Korean"),
    ("en", "eng", "English"),           # CSV: ISO 639-1
    ("zho", "chi", "Chinese"),          # ISO 639-2/T -> /B
    ("chi", "chi", "Chinese"),
    ("spa", "spa", "Spanish"),          # "Spanish; Castilian": the first name
    ("scr", "scr", "Croatian"),         # obsolete MARC code, still on old records
    ("ser", "ser", None),               # unknown: kept, unnamed (mixed-10000 has one)
    ("|||", None, None),
    ("   ", None, None),
    (None, None, None),
])
def test_languages(given, code, name):
    assert languages.code(given) == code
    assert languages.name(given) == name
    record = canonical.build({"id": "x:1", "source": "x", "title": "T", "language": given})
    assert (record["language"], record["language_name"]) == (code, name)
