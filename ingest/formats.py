"""Catalogue file formats: detection from content, and one ``read`` for all of them.

:func:`read` is what Spark executors call: for every record whose first byte lies in
``[start, end)`` it yields ``(offset, raw bytes, outcome)`` where the outcome is a
finished canonical record (a dict), a :class:`Deletion`, or the
:class:`~ingest.quarantine.RecordError` saying why the record cannot be used. Record
errors are returned, never raised, so the caller quarantines ``raw`` with ``offset`` and
``reason`` and goes on. Only a configuration error (an unknown format, CSV options that
cannot map the file's header: :class:`~ingest.tabular.FormatOptionsError`) is raised;
:func:`check` raises it on the driver before any work starts.

Offsets are byte offsets into the file for every format (expat's byte index for XML).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from ingest import marc, marcxml, splits, tabular
from ingest.quarantine import RecordError, UnreadableRecord
from ingest.tabular import FormatOptionsError

FORMATS = ("marc", "marcxml", "marcjson", "csv", "jsonl")
_SPLITTABLE = frozenset({"marc", "jsonl"})
_HEAD = 8192

__all__ = ["FORMATS", "Deletion", "FormatOptionsError", "UnknownFormat", "check",
           "detect", "read", "splittable"]


class UnknownFormat(ValueError):
    """A file is none of the formats shelfmap reads, or a format name is unknown."""

    def __init__(self, what: str):
        super().__init__(f"{what}; shelfmap reads {', '.join(FORMATS)}: if the file is one "
                         "of them, force it with --format FORMAT")


@dataclass(frozen=True)
class Deletion:
    """A record its source says is deleted (MARC leader/05 "d", OAI status="deleted")."""

    id: str


def splittable(fmt: str) -> bool:
    """Whether a file of ``fmt`` can be cut into byte ranges read independently: binary
    MARC (0x1D ends each record) and JSON Lines (a line break ends each) can; a quoted
    CSV field may hold line breaks and XML/JSON nest, so those files are read whole."""
    if fmt not in FORMATS:
        raise UnknownFormat(f"unknown format {fmt!r}")
    return fmt in _SPLITTABLE


# --- detection ------------------------------------------------------------------------

_XML_PROLOG = re.compile(rb"\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*", re.S)
_XML_ROOT = re.compile(rb"<(?:[\w.-]+:)?([\w.-]+)")
_XML_ROOTS = {b"collection", b"record", b"OAI-PMH"}
_MARC_JSON = re.compile(rb'"leader"\s*:\s*"')
_CSV_EXTENSIONS = {".csv", ".tsv"}


def _looks_like_marc(head: bytes) -> bool:
    body = head.lstrip(b"\r\n\t \x00")
    # leader/00-04 record length, then a field terminator after the directory; marc4j
    # bad_leaders_10_11.mrc has garbage at leader/10-11, so those are not checked. A
    # directory longer than the head (marc4j bad_too_long_plus_2.mrc, datos-20161010-
    # slice.mrc) shows as the base address and a first 12-byte entry of digits.
    if len(body) < 24 or not body[:5].isdigit():
        return False
    return b"\x1e" in body or (body[12:17].isdigit() and body[27:36].isdigit())


def _looks_like_csv(head: bytes) -> bool:
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
    if any(c in text for c in "\x00\x1d\x1e\x1f"):
        return False
    lines = text.splitlines()
    if len(lines) < 2 or not lines[0].strip():
        return False
    delimiter = tabular.sniff_delimiter(lines[0])
    # Cut at the last complete line: the head may end inside a row.
    complete = text
    try:
        rows = [r for r in csv.reader(io.StringIO(complete, newline=""), delimiter=delimiter)
                if r]
    except csv.Error:
        return False
    if len(rows) < 2:
        return False
    header = [h.strip() for h in rows[0]]
    if len(header) < 2 or not all(header) or len(set(header)) != len(header) \
            or any(len(h) > 64 for h in header):
        return False
    # Every row has the header's width; only a last row the 8 KB head cut may be short.
    cut = len(head) == _HEAD and text[-1:] != "\n"
    body = rows[1:-1] if cut and len(rows) > 2 else rows[1:]
    return all(len(r) == len(header) for r in body) and len(rows[-1]) <= len(header)


def _detect_json(head: bytes) -> str | None:
    if _MARC_JSON.search(head) and b'"fields"' in head:
        return "marcjson"
    first = next((line for line in head.splitlines() if line.strip()), b"")
    try:
        return "jsonl" if isinstance(json.loads(first), dict) else None
    except ValueError:
        return None


def detect(path: str) -> str:
    """The format of the file at ``path``, from its first bytes (the name only breaks
    ties); raises :class:`UnknownFormat` for anything else."""
    with open(path, "rb") as f:
        head = f.read(_HEAD)
    name = Path(path).name
    if not head.strip():
        raise UnknownFormat(f"{name} is empty")
    if head[:2] == b"\x1f\x8b":
        raise UnknownFormat(f"{name} is gzip-compressed: decompress it first")
    if _looks_like_marc(head):
        return "marc"
    text = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    stripped = text.lstrip()
    if stripped.startswith(b"<"):
        root = _XML_ROOT.match(text, _XML_PROLOG.match(text).end())
        if (root and root.group(1) in _XML_ROOTS) or marcxml.MARC_NS.encode() in head:
            return "marcxml"
        raise UnknownFormat(f"{name} is XML but not MARCXML or an OAI-PMH response")
    if stripped[:1] in (b"{", b"["):
        fmt = _detect_json(text)
        if fmt:
            return fmt
        raise UnknownFormat(f"{name} is JSON but neither MARC-in-JSON nor JSON Lines")
    if _looks_like_csv(head):
        return "csv"
    if Path(path).suffix.lower() in _CSV_EXTENSIONS and b"\x00" not in head:
        return "csv"        # the tie-break: a one-column CSV has no delimiter to see
    raise UnknownFormat(f"{name} is not binary MARC, MARCXML, MARC-in-JSON, JSON Lines "
                        "or CSV with a header row")


# --- reading --------------------------------------------------------------------------

def check(path: str, fmt: str, options: Mapping | None = None) -> None:
    """Raise, on the driver, what :func:`read` would raise for ``path``: an unknown
    format or CSV options that cannot map its header."""
    splittable(fmt)
    if fmt == "csv":
        with open(path, "rb") as f:
            line = f.readline().lstrip(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
        options = options or {}
        delimiter = options.get("csv_delimiter") or tabular.sniff_delimiter(line)
        header = next(csv.reader(io.StringIO(line, newline=""), delimiter=delimiter), [])
        tabular.column_mapping([h.strip() for h in header], options)


def _read_marc(path: str, start: int, end: int, default_source: str):
    with open(path, "rb") as f:
        for offset, raw in splits.read_split(f, start, end):
            try:
                rec = marc.decode(raw)
                outcome = marcxml.record_outcome(rec, default_source)
            except RecordError as exc:
                outcome = exc
            yield offset, raw, outcome


def read(path: str, fmt: str, start: int, end: int, *, default_source: str = "local",
         options: Mapping | None = None
         ) -> Iterator[tuple[int, bytes, dict | Deletion | RecordError]]:
    """``(byte offset, raw bytes, outcome)`` for each record starting in ``[start, end)``.

    Files of a format that is not :func:`splittable` are read whole by the split that
    starts at 0; other splits of them yield nothing.
    """
    if not splittable(fmt) and start > 0:
        return
    if fmt == "marc":
        yield from _read_marc(path, start, end, default_source)
    elif fmt == "marcxml":
        yield from marcxml.read(path, default_source=default_source)
    elif fmt == "marcjson":
        yield from marcxml.read_json(path, default_source=default_source)
    elif fmt == "csv":
        yield from tabular.read_csv(path, default_source=default_source, options=options)
    else:
        yield from tabular.read_jsonl(path, start, end, default_source=default_source)
