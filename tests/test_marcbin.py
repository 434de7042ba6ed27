"""ingest.marcbin, the one-pass parser, against pymarc on every binary MARC record bundled.

``ingest.marc.decode`` takes marcbin's record when it gives one and pymarc's path
(``decode_with_pymarc``) otherwise, so the two must agree record for record: the same
canonical record, or the same error with the same reason and message.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pymarc import Field

from ingest import formats, marcbin, splits
from ingest.marc import decode, decode_with_pymarc, to_canonical
from ingest.quarantine import RecordError

ROOT = Path(__file__).resolve().parents[1]
LOC = sorted((ROOT / "tests" / "data" / "loc-books-2016").glob("*.mrc"))
MIXED_1000 = ROOT / "tests" / "data" / "loc-books-2016" / "mixed-1000.mrc"
ODD = ROOT / "tests" / "data" / "odd-marc"


def _is_binary_marc(path: Path) -> bool:
    try:
        return formats.detect(str(path)) == "marc"
    except formats.UnknownFormat:
        return False


ODD_MARC = sorted(p for p in ODD.rglob("*") if p.is_file() and _is_binary_marc(p))
ALL_MARC = [*LOC, *ODD_MARC]


@pytest.fixture(autouse=True)
def _quiet_pymarc():
    # pymarc logs every odd indicator; the sweeps below would print thousands of lines.
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


def _outcome(read):
    """The canonical record, or (error class, reason, message)."""
    try:
        return to_canonical(read())
    except RecordError as exc:
        return type(exc), exc.reason, str(exc)


def _field_state(field: Field) -> tuple:
    return (type(field), field.tag, field.control_field, field.data, field.indicators,
            field.subfields, [type(sf) for sf in field.subfields])


def test_the_sweep_covers_the_odd_files():
    names = {p.relative_to(ODD).as_posix() for p in ODD_MARC}
    # UTF-8, MARC-8 and broken files of all three test suites are in the sweep.
    assert {"pymarc/utf8_with_leader_flag.dat", "pymarc/marc8.dat",
            "pymarc/bad_subfield_code.dat", "traject/bad_utf_byte.utf8.marc",
            "marc4j/pride-and-prejudice-with-many-errors.mrc"} <= names
    assert len(ODD_MARC) > 40


@pytest.mark.parametrize("path", ALL_MARC, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_fast_and_pymarc_paths_give_the_same_outcome(path):
    fast = 0
    for _offset, raw in splits.read_file(str(path)):
        expected = _outcome(lambda: decode_with_pymarc(raw))
        assert _outcome(lambda: decode(raw)) == expected, raw[:60]
        fast += marcbin.parse(raw) is not None
    if path in LOC:
        assert fast > 900                # LC's UTF-8 records all take the fast path


@pytest.mark.parametrize("path", LOC, ids=lambda p: p.name)
def test_marcbin_record_equals_pymarc_record_field_by_field(path):
    count = 0
    for _offset, raw in splits.read_file(str(path)):
        fast = marcbin.parse(raw)
        assert fast is not None, raw[:60]
        slow = decode_with_pymarc(raw)
        assert str(fast.leader) == str(slow.leader)
        assert fast.leader[9] == "a"
        assert (fast.pos, fast.force_utf8, fast.to_unicode) == (
            slow.pos, slow.force_utf8, slow.to_unicode)
        assert [_field_state(f) for f in fast.fields] == [_field_state(f) for f in slow.fields]
        count += 1
    assert count >= 1000


def test_marcbin_fields_behave_as_pymarc_fields():
    raw = next(raw for _o, raw in splits.read_file(str(MIXED_1000)))
    rec = marcbin.parse(raw)
    assert rec["001"].is_control_field() and rec["001"].value() == rec["001"].data
    title = rec["245"]
    assert not title.is_control_field()
    assert title["a"] == title.get_subfields("a")[0]
    assert [sf.code for sf in title] == [sf.code for sf in title.subfields]
    assert title.as_marc("utf-8") == decode_with_pymarc(raw)["245"].as_marc("utf-8")


def test_decomposed_text_is_composed():
    """LC 00272142 stores "ŏ" as "o" + U+0306; both paths give NFC."""
    for _offset, raw in splits.read_file(str(MIXED_1000)):
        if b"   00272142 " in raw:
            break
    assert "o\u0306".encode() in raw
    title = marcbin.parse(raw)["245"]["a"]
    assert "\u014f" in title and "o\u0306" not in title


@pytest.mark.parametrize("name, index", [
    ("pymarc/marc8.dat", 0),                        # MARC-8: pymarc's decoder
    ("pymarc/bad_subfield_code.dat", 0),            # directory points mid-character
    ("traject/bad_utf_byte.utf8.marc", 0),          # leader says UTF-8, bytes are not
    ("pymarc/bad_indicator.dat", 1),                # truncated, space padding
    ("marc4j/bad_hathi_records.mrc", 3),            # base address 99999
])
def test_unusual_records_are_handed_back(name, index):
    # Split as test_marc does: read_file would drop bad_indicator.dat's space padding.
    raw = (ODD / name).read_bytes().split(b"\x1d")[index] + b"\x1d"
    assert marcbin.parse(raw) is None


@pytest.mark.parametrize("cut", [
    lambda raw: raw[:-1],                                         # no terminator
    lambda raw: b"9" * 5 + raw[5:],                                # longer than it is
    lambda raw: raw[:12] + b"00020" + raw[17:],                    # base inside leader
    lambda raw: raw[:24] + b"X" + raw[25:],                        # tag not numeric: no indicators
    lambda raw: raw[:27] + b"x" + raw[28:],                        # length not digits
    lambda raw: raw[:27] + b"9999" + raw[31:],                     # field past the end
    lambda raw: raw[:9] + b" " + raw[10:],                         # MARC-8 flag on UTF-8
])
def test_edited_records_agree_with_pymarc(cut):
    raw = next(raw for _o, raw in splits.read_file(str(MIXED_1000)))
    edited = cut(raw)
    assert _outcome(lambda: decode(edited)) == _outcome(lambda: decode_with_pymarc(edited))
