"""Golden files: named real records mapped end to end, compared with checked-in JSON.

Like openlibrary's ``catalog/marc/tests``: each case is one real record with a quirk,
named after it; ``tests/golden/<name>.json`` holds its source (file and 001 or index)
and the canonical record expected, reviewed by eye against the raw record. When an
expectation is missing the test fails and prints the proposed JSON: check it against
the record before saving it (a golden file written from the code's output without
review tests nothing).

    .venv/bin/python -m tests.test_golden NAME...   # write proposals for missing ones
"""

from __future__ import annotations

import json
import logging
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from ingest import schema
from ingest.marc import decode, map_raw

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
MIXED_1000 = "tests/data/loc-books-2016/mixed-1000.mrc"
MIXED_10000 = "tests/data/loc-books-2016/mixed-10000.mrc"
ODD = "tests/data/odd-marc"

# name -> (file relative to the repository, 001 or record index, the quirk)
CASES: dict[str, tuple[str, str | int, str]] = {
    "korean-880-hangul": (
        MIXED_1000, "00272142",
        "romanised 245/260/710 linked to Hangul 880s spaced with U+3000; decomposed "
        "diacritics (o + U+0306) composed to NFC"),
    "chinese-880-hanzi": (
        MIXED_1000, "00272431",
        "statement of responsibility inside 245 $p after ' / '; Hanzi 880s"),
    "marc8-diacritics": (
        f"{ODD}/traject/one-marc8.mrc", 0,
        "MARC-8 (ANSEL) combining marks before their letters"),
    "leader-marc8-bytes-utf8": (
        f"{ODD}/pymarc/utf8_without_leader_flag.dat", 0,
        "leader/09 blank (MARC-8) but the bytes are UTF-8"),
    "marc8-cyrillic-space": (
        f"{ODD}/marc4j/cyrillic_capital_e.mrc", 0,
        "MARC-8 Cyrillic G1 set; pymarc's table lacks the space"),
    "marc8-greek-character-references": (
        f"{ODD}/marc4j/greekmissingcharsetchange.mrc", 1,
        "Greek written as '&#x0397;' references, marks landing after the '&'"),
    "880-without-6": (
        f"{ODD}/traject/880_with_no_6.utf8.marc", 0,
        "an 880 with $7 instead of $6 links nowhere; Cyrillic 880s; 008 date 1 1963 beats $c "
        "'1962 [i.e. 1963]-<80 >'"),
    "title-245-k-only": (
        f"{ODD}/traject/245_no_ab.marc", 0,
        "archival record whose 245 is only $k 'Papers.'"),
    "year-184u-no-260c": (
        f"{ODD}/traject/date_with_u.marc", 0,
        "008 date 1 '184u' and no 260 $c: the decade 1840-1849, never 184"),
    "date-resort-to-260": (
        f"{ODD}/traject/date_resort_to_260.marc", 0,
        "008 '19uu'; 260 $c '1980-' gives the exact year"),
    "date-resort-to-264": (
        f"{ODD}/traject/date_resort_to_264.marc", 0,
        "008 '20uu'; 264 _1 $c 2015 preferred to 260 $c 2014"),
    "year-199u-range": (
        MIXED_10000, "00365682",
        "008 date 1 '199u' and 260 $c '[199-?]': 1990-1999"),
    "year-19uu-narrowed-by-260": (
        MIXED_10000, "00528836",
        "008 '19uu' but 260 $c '[199-]': the narrower decade wins"),
    "subject-with-subdivisions": (
        MIXED_10000, "00272185",
        "subdivided headings give their broader headings; a doubled period "
        "'China..' in a 651 $z"),
    "place-name-with-double-hyphen": (
        MIXED_10000, "00421231",
        "651 'Saguenay--Lac-Saint-Jean--Chibougamau (Québec)': unspaced '--' is part "
        "of the name, not a subdivision"),
    "mlc-class": (
        MIXED_10000, "00091973",
        "050 'MLCS 2005/00987 (B)': LC's minimal-level shelf number, no LC class"),
    "cpb-box-not-a-class": (
        MIXED_10000, "00111222",
        "050 'CPB Box no. 1955 vol. 12': a box number, no LC class"),
    "lcc-decimal-outline": (
        MIXED_10000, "00025838",
        "050 'QA76.73.J38': the decimal class number placed in QA75.5-76.95"),
    "arabic-880-rlm": (
        MIXED_10000, "00282975",
        "right-to-left 880s with U+200F around each subfield hiding the ISBD ' /'"),
    "hebrew-880-rlm": (
        MIXED_10000, "00290036",
        "Hebrew 880 245 $a and $b each wrapped in U+200F"),
    "japanese-880-fullwidth": (
        MIXED_10000, "00271357",
        "Japanese 880 title with a fullwidth solidus, not ISBD"),
}


def _records(path: Path) -> list[bytes]:
    return [c + b"\x1d" for c in path.read_bytes().split(b"\x1d") if c.strip()]


@lru_cache(maxsize=None)
def _by_001(file: str) -> dict[str, bytes]:
    logging.disable(logging.WARNING)
    try:
        out = {}
        for raw in _records(ROOT / file):
            rec = decode(raw)
            out[rec["001"].data.strip()] = raw
        return out
    finally:
        logging.disable(logging.NOTSET)


def raw_record(file: str, which: str | int) -> bytes:
    if isinstance(which, int):
        return _records(ROOT / file)[which]
    return _by_001(file)[which]


def mapped(name: str) -> dict:
    file, which, _quirk = CASES[name]
    record = map_raw(raw_record(file, which))
    assert record["content_hash"] == schema.content_hash(record)
    return {k: v for k, v in record.items() if k != "content_hash"}


def proposal(name: str) -> dict:
    file, which, quirk = CASES[name]
    key = "index" if isinstance(which, int) else "001"
    return {"source": {"file": file, key: which}, "quirk": quirk, "record": mapped(name)}


def _dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name):
    path = GOLDEN / f"{name}.json"
    if not path.exists():
        pytest.fail(f"no expectation {path.relative_to(ROOT)}; proposed (review it against "
                    f"the raw record before saving):\n{_dump(proposal(name))}")
    expected = json.loads(path.read_text(encoding="utf-8"))
    file, which, _quirk = CASES[name]
    key = "index" if isinstance(which, int) else "001"
    assert expected["source"] == {"file": file, key: which}
    assert mapped(name) == expected["record"]


def test_every_golden_file_is_a_case():
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(CASES)


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for arg in sys.argv[1:]:
        target = GOLDEN / f"{arg}.json"
        if target.exists():
            print(f"{target} exists; not overwritten")
            continue
        target.write_text(_dump(proposal(arg)), encoding="utf-8")
        print(f"wrote {target}: review it")
