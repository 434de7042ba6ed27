"""Record-aligned splits: every record read exactly once, whatever the split size."""

from __future__ import annotations

import io

from hypothesis import given, settings, strategies as st

from ingest import splits

from .conftest import LOC_10000, ODD

# A real file with a broken tail and padding (pymarc bad_indicator.dat) after real LoC
# records, so splits meet filler and an unterminated last record too.
_DATA = LOC_10000.read_bytes()[:300_000] + (ODD / "pymarc" / "bad_indicator.dat").read_bytes() + b"01234broken"


def _whole() -> list[tuple[int, bytes]]:
    return list(splits.read_split(io.BytesIO(_DATA), 0, len(_DATA)))


WHOLE = _whole()


def test_whole_file_records_match_terminators():
    pieces = [p for p in _DATA.split(b"\x1d")]
    expected = [p.lstrip(b"\r\n\t \x00\x1a") for p in pieces[:-1]]
    expected = [p + b"\x1d" for p in expected if p.strip(b"\r\n\t \x00\x1a")]
    assert [raw for _, raw in WHOLE[:-1]] == expected
    assert WHOLE[-1][1] == b"01234broken"          # kept for the quarantine, not lost
    for offset, raw in WHOLE:
        assert _DATA[offset: offset + len(raw)] == raw


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=50, max_value=200_000))
def test_any_split_size_reads_each_record_once(size):
    got = []
    for start, end in _plan(size):
        got.extend(splits.read_split(io.BytesIO(_DATA), start, end))
    assert got == WHOLE


def _plan(size):
    return [(start, min(start + size, len(_DATA))) for start in range(0, len(_DATA), size)]


def test_plan_covers_every_byte(tmp_path):
    path = tmp_path / "f.mrc"
    path.write_bytes(_DATA)
    empty = tmp_path / "empty.mrc"
    empty.write_bytes(b"")
    plan = splits.plan([str(path), str(empty)], 100_000)
    ranges = [(s.start, s.end) for s in plan if s.path == str(path)]
    assert ranges[0][0] == 0 and ranges[-1][1] == len(_DATA)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    assert [s for s in plan if s.path == str(empty)] == [splits.Split(str(empty), 0, 0, 1)]
