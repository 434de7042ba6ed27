"""A one-pass parser for well-formed UTF-8 binary MARC21 records.

:func:`parse` gives the ``pymarc.Record`` that :func:`ingest.marc.decode` gives through
pymarc (same leader with leader/09 "a", same fields in directory order, subfields in
NFC), in 40% of the time, or ``None`` for anything it does not handle itself:
a structure ``ingest.marc`` would reject, MARC-8 or ASCII under a blank leader/09,
text that is not UTF-8, indicators that are not exactly two ASCII characters, a subfield
code that is not ASCII. ``decode`` then takes the pymarc path, which keeps the reasons
and repairs for those records exactly as they were. ``tests/test_marcbin.py`` checks
that both paths agree on every record of every binary MARC file in the repository.
"""

from __future__ import annotations

import functools
import re

import pymarc
from pymarc import Field, Indicators, Leader, Subfield

from ingest.normalize import nfc

# Directory entries: an ASCII tag, then four digits of length and five of offset.
# (Checked before ``int()``, which would also take b" 12", b"+12" or b"1_2".)
_DIRECTORY = re.compile(rb"(?:[\x00-\x7f]{3}[0-9]{9})+")
_LEADER_NUMBERS = re.compile(rb"[0-9]{5}.{7}[0-9]{5}", re.S)

# pymarc's Field.__init__ is much of the cost of building a record: it re-checks the
# tag and rebuilds the indicators. Filling the slots directly gives an equal Field, and
# tuple.__new__ is what a namedtuple's own constructor calls. Should a pymarc release
# change Field's slots, every record takes the pymarc path instead.
_SLOTS_KNOWN = getattr(Field, "__slots__", None) == (
    "tag", "data", "_indicators", "subfields", "__pos", "control_field")
_new_field = Field.__new__
_subfield = functools.partial(tuple.__new__, Subfield)      # Subfield(code, value)
_indicators = functools.partial(tuple.__new__, Indicators)  # Indicators(*"10")


def parse(raw: bytes) -> pymarc.Record | None:
    """A raw UTF-8 MARC21 record (ending 0x1D) -> ``pymarc.Record``, or ``None`` when
    the record needs ``ingest.marc``'s checks or pymarc's repairs."""
    size = len(raw)
    # The checks of ingest.marc._structure, as conditions for taking this path.
    if size <= 24 or raw[-1] != 0x1D or not _LEADER_NUMBERS.match(raw):
        return None
    if int(raw[:5]) > size or not raw[:24].isascii() or not _SLOTS_KNOWN:
        return None
    base = int(raw[12:17])
    if not 24 < base < size or raw[base - 1] != 0x1E:
        return None
    directory = raw[24:base - 1]
    if not directory or _DIRECTORY.fullmatch(directory) is None:
        return None
    # The encoding test of ingest.marc._is_utf8_text: leader/09 "a", or blank with
    # non-ASCII bytes that are UTF-8 and no MARC-8 escape.
    data = raw[base:]
    if raw[9] != 0x61 and (data.isascii() or b"\x1b" in data):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None

    directory = directory.decode("ascii")
    fields = []
    append = fields.append
    limit = size - 1
    try:
        for i in range(0, len(directory), 12):
            length = int(directory[i + 3:i + 7])
            start = base + int(directory[i + 7:i + 12])
            end = start + length - 1
            # pride-and-prejudice-with-many-errors.mrc (marc4j): entries past the end.
            if length < 1 or end >= limit or raw[end] != 0x1E:
                return None
            tag = directory[i:i + 3]
            # A directory may point into the middle of a character (pymarc
            # bad_subfield_code.dat): decoding fails and pymarc's path says why.
            text = raw[start:end].decode("utf-8")
            field = _new_field(Field)
            field.tag = tag
            # pymarc's rule: control fields are the numeric tags below 010.
            if tag < "010" and tag.isdigit():
                field.data = text
                field._indicators = None
                field.subfields = []
                field.control_field = True
                append(field)
                continue
            parts = text.split("\x1f")
            head = parts[0]
            if len(head) != 2 or not head.isascii():
                return None           # pymarc repairs missing or extra indicators
            if text.isascii():
                # pymarc skips empty subfields; ASCII is NFC and its codes are ASCII.
                subfields = [_subfield((p[0], p[1:])) for p in parts[1:] if p]
            else:
                subfields = []
                for part in parts[1:]:
                    if not part:
                        continue
                    code = part[0]
                    if not code.isascii():
                        return None   # pymarc repairs non-ASCII codes
                    value = part[1:]
                    subfields.append(_subfield((code, value if value.isascii()
                                                 else nfc(value))))
            field.data = None
            field._indicators = _indicators(head)
            field.subfields = subfields
            field.control_field = False
            append(field)
    except UnicodeDecodeError:
        return None

    rec = pymarc.Record(fields=fields, force_utf8=True)
    leader = raw[:24].decode("ascii")
    rec.leader = Leader(leader[:9] + "a" + leader[10:])
    return rec
