"""Cutting binary MARC files into record-aligned splits that Spark tasks read in parallel.

A split is a byte range ``[start, end)`` of one file. A task owns exactly the records
whose first byte lies in its range: it skips forward from ``start`` to the first byte
after a record terminator (0x1D) and reads whole records, the last of which may run past
``end``. Every record therefore belongs to exactly one split, whatever the split size,
and no task needs another's bytes. The driver only looks at file sizes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple

TERMINATOR = 0x1D
_CHUNK = 1 << 20
# Bytes some exports put between records (line breaks, padding); never a record's start.
_FILLER = b"\r\n\t \x00\x1a"


class Split(NamedTuple):
    path: str
    start: int
    end: int
    file_index: int


def plan(paths: list[str], split_size: int) -> list[Split]:
    """Splits of at most ``split_size`` bytes covering every byte of every file."""
    if split_size < 1:
        raise ValueError("split_size must be positive")
    splits = []
    for index, path in enumerate(paths):
        size = os.path.getsize(path)
        if size == 0:
            # An empty file still gets a split, so the report lists it with 0 records.
            splits.append(Split(path, 0, 0, index))
            continue
        for start in range(0, size, split_size):
            splits.append(Split(path, start, min(start + split_size, size), index))
    return splits


def _first_record_start(f: BinaryIO, start: int) -> int | None:
    """Offset of the first record starting at or after ``start`` (None: none does)."""
    if start == 0:
        return 0
    # The record owning byte ``start`` began after the last terminator before it, so
    # look from start - 1: if that byte is a terminator, a record starts exactly here.
    f.seek(start - 1)
    position = start - 1
    while True:
        block = f.read(_CHUNK)
        if not block:
            return None
        hit = block.find(TERMINATOR)
        if hit >= 0:
            return position + hit + 1
        position += len(block)


def read_split(f: BinaryIO, start: int, end: int) -> Iterator[tuple[int, bytes]]:
    """Yield ``(offset, raw record)`` for the records that start in ``[start, end)``.

    A record is the bytes after one terminator up to and including the next. Filler
    before a record is skipped (the offset points at the record's first real byte), and
    trailing bytes without a terminator at the end of the file come out as a last,
    probably broken, record, so the quarantine sees them rather than losing them.
    """
    segment_start = _first_record_start(f, start)
    if segment_start is None:
        return
    f.seek(segment_start)
    buffer, pos, eof = b"", 0, False
    while segment_start < end:
        cut = buffer.find(b"\x1d", pos)
        if cut < 0 and not eof:
            block = f.read(_CHUNK)
            buffer, pos = buffer[pos:] + block, 0
            eof = not block
            continue
        stop = len(buffer) if cut < 0 else cut + 1
        raw = buffer[pos:stop]
        if not raw:
            return
        pos = stop
        body = raw.lstrip(_FILLER)
        if body.rstrip(b"\x1d" + _FILLER):  # a lone terminator or filler is not a record
            yield segment_start + len(raw) - len(body), body
        segment_start += len(raw)


def read_file(path: str) -> Iterator[tuple[int, bytes]]:
    """Every record of a whole file (one split)."""
    with open(path, "rb") as f:
        yield from read_split(f, 0, os.path.getsize(path) or 1)
