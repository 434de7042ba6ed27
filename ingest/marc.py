"""MARC21 (binary) -> canonical record: pure functions over pymarc records.

:func:`decode` turns one raw record (ending 0x1D) into a Unicode ``pymarc.Record`` or
raises :class:`~ingest.quarantine.UnreadableRecord` with one of these reasons:

``truncated``      shorter than its leader says, or no record terminator
``bad_leader``     leader not ASCII, or its length / base address not numbers
``bad_directory``  directory entries that are not numbers or point outside the record
``no_fields``      a directory with no entries
``bad_encoding``   text that is neither valid UTF-8 nor clean MARC-8
``unparseable``    anything else pymarc refuses

The returned record holds NFC text and says so in leader/09 ("a"), whatever the bytes were.
Well-formed UTF-8 records are parsed by :mod:`ingest.marcbin`; MARC-8 and broken records
go through pymarc (:func:`decode_with_pymarc`), with the same result either way.

:func:`to_canonical` reads the fields with small ``read_*`` functions, hands them to
:func:`ingest.canonical.build` (the normalisation all formats share) and raises
:class:`~ingest.quarantine.InvalidRecord` (``missing_id``, ``missing_title``).
:func:`is_deleted` and :func:`record_id` let a reader route deleted records (leader/05
"d") to removal instead of mapping them.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings

import pymarc

from ingest import canonical, marcbin
from ingest import normalize as n
from ingest.quarantine import InvalidRecord, UnreadableRecord

_LEADER_LEN = 24
_ENTRY_LEN = 12
_FIELD_END = 0x1E
_RECORD_END = b"\x1d"


# --- decoding -------------------------------------------------------------------------

def _structure(raw: bytes) -> None:
    """Check leader and directory ourselves, so pymarc never slices past the record."""
    if len(raw) <= _LEADER_LEN or not raw.endswith(_RECORD_END):
        raise UnreadableRecord(f"{len(raw)} bytes without a record terminator",
                               reason="truncated")
    try:
        leader = raw[:_LEADER_LEN].decode("ascii")
    except UnicodeDecodeError:
        raise UnreadableRecord("leader is not ASCII", reason="bad_leader") from None
    if not (leader[:5].isdigit() and leader[12:17].isdigit()):
        raise UnreadableRecord(f"leader {leader!r}: length or base address not numeric",
                               reason="bad_leader")
    if int(leader[:5]) > len(raw):
        raise UnreadableRecord(f"leader says {int(leader[:5])} bytes, record has {len(raw)}",
                               reason="truncated")
    base = int(leader[12:17])
    if not _LEADER_LEN < base < len(raw) or raw[base - 1] != _FIELD_END:
        raise UnreadableRecord(f"base address {base} does not end the directory",
                               reason="bad_leader")
    directory = raw[_LEADER_LEN:base - 1]
    if len(directory) % _ENTRY_LEN:
        raise UnreadableRecord(f"directory of {len(directory)} bytes is not whole entries",
                               reason="bad_directory")
    if not directory:
        raise UnreadableRecord("directory has no entries", reason="no_fields")
    for i in range(0, len(directory), _ENTRY_LEN):
        entry = directory[i:i + _ENTRY_LEN]
        if not entry[3:].isdigit() or not entry[:3].isascii():
            raise UnreadableRecord(f"directory entry {entry!r} is not numeric",
                                   reason="bad_directory")
        length, start = int(entry[3:7]), base + int(entry[7:12])
        # pride-and-prejudice-with-many-errors.mrc (marc4j): entries pointing past the end
        if length < 1 or start + length > len(raw) - 1 or raw[start + length - 1] != _FIELD_END:
            raise UnreadableRecord(f"directory entry {entry!r} does not frame a field",
                                   reason="bad_directory")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# A UTF-8 multibyte character; MARC-8 (ANSEL) text practically never contains one.
_UTF8_CHAR = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
# An ANSEL combining mark (0xE0-0xFE) must precede what it combines with: a letter,
# digit, another mark or an ANSEL letter (0xA1-0xC8). Latin-1 "é " (0xE9 0x20) fails.
_LONE_MARK = re.compile(rb"[\xe0-\xfe](?![A-Za-z0-9\xa1-\xc8\xe0-\xfe])")
# Valid MARC-8 escape sequences; pymarc bad_marc8_escape.dat has "Soci\x1bt\xe2e" where
# a letter was lost to a bare ESC, which pymarc would silently drop.
_MARC8_ESCAPE = re.compile(rb"\x1b(?:[gbps]|\$[,)\-]?[\x21-\x7e]|[(,)\-]!?[\x21-\x7e])")


def _looks_like_marc8(data: bytes) -> bool:
    return not _UTF8_CHAR.search(data) and not _LONE_MARK.search(data)


def _is_utf8_text(raw: bytes, base: int) -> bool:
    """Whether the field data is UTF-8, whatever leader/09 claims."""
    data = raw[base:]
    if raw[9:10] == b"a":
        if _is_utf8(data):
            return True
        if _looks_like_marc8(data):
            return False               # says UTF-8, is MARC-8
        raise UnreadableRecord("leader says UTF-8 but the text is neither UTF-8 nor MARC-8",
                               reason="bad_encoding")
    # pymarc utf8_without_leader_flag.dat: leader/09 blank, text UTF-8 ("à la communauté")
    return not data.isascii() and b"\x1b" not in data and _is_utf8(data)


# pymarc's Cyrillic and Greek tables lack the space every MARC-8 G0 set shares; it
# complains and then writes the space it should (marc4j cyrillic_capital_e.mrc).
_SPACE = re.compile(r"Unable to parse character 0x20 in ")
_MARC8_COMPLAINTS = ("Unable to parse character", "Multi-byte position")


def _parse(raw: bytes, utf8: bool) -> pymarc.Record:
    stderr = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stderr(stderr):
        # pymarc warns about non-ASCII subfield codes (pymarc bad_subfield_code.dat) and
        # repairs them; it reports MARC-8 it cannot map only on stderr, so we listen there.
        warnings.simplefilter("ignore")
        if utf8:
            rec = pymarc.Record(data=raw, to_unicode=True, force_utf8=True)
        else:
            rec = pymarc.Record(data=raw[:9] + b" " + raw[10:], to_unicode=True)
    # Only pymarc's MARC-8 decoder speaks of characters there; other lines (pymarc's
    # logging falls back to stderr where no handler is set, as in Spark workers) are
    # repairs such as "missing indicators" (pymarc bad_indicator.dat), not lost text.
    problems = [line for line in stderr.getvalue().splitlines()
                if line.startswith(_MARC8_COMPLAINTS) and not _SPACE.match(line)]
    if problems:
        raise UnreadableRecord(f"MARC-8 text pymarc cannot map: {problems[0]}",
                               reason="bad_encoding")
    _normalise_text(rec, marc8=not utf8)
    rec.leader[9] = "a"                # the record now holds Unicode
    return rec


# MARC-8 has no code for most of Unicode; the LC "lossless" convention writes such
# characters as "&#x0397;". marc4j greekmissingcharsetchange.mrc has them with the
# (preceding, MARC-8 style) combining mark landing after the "&": "&\u0301#x03B1;".
_NCR = re.compile(r"&([\u0300-\u036f]*)#x([0-9A-Fa-f]{4,6});")


def _ncr(match: re.Match) -> str:
    code = int(match.group(2), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return match.group(0)
    return chr(code) + match.group(1)


def _normalise_text(rec: pymarc.Record, marc8: bool) -> None:
    """NFC every subfield (pymarc composes MARC-8 but LC's UTF-8 is decomposed), and
    resolve MARC-8 character references. Subfields already in NFC are left as they are
    (most of them: the check is much cheaper than rebuilding each one)."""
    nfc = n.nfc
    for field in rec.fields:
        if field.is_control_field():
            continue
        subfields = field.subfields
        for i, sf in enumerate(subfields):
            value = sf.value
            new = nfc(_NCR.sub(_ncr, value) if marc8 and "&" in value else value)
            if new is not value:
                subfields[i] = sf._replace(value=new)


def decode(raw: bytes) -> pymarc.Record:
    """One raw MARC21 record (ending 0x1D) -> a ``pymarc.Record`` with Unicode text."""
    raw = bytes(raw)
    # Well-formed UTF-8 records (all of LC's) take the one-pass parser, 2.5 times as
    # fast; it hands back anything unusual to the checks and pymarc below.
    rec = marcbin.parse(raw)
    if rec is not None:
        return rec
    return decode_with_pymarc(raw)


def decode_with_pymarc(raw: bytes) -> pymarc.Record:
    """:func:`decode` through pymarc alone: the reference ``ingest.marcbin`` must match,
    and the path for MARC-8 and broken records."""
    raw = bytes(raw)
    _structure(raw)
    base = int(raw[12:17])
    utf8 = _is_utf8_text(raw, base)
    if not utf8 and len(_MARC8_ESCAPE.findall(raw, base)) != raw.count(b"\x1b", base):
        raise UnreadableRecord("MARC-8 escape sequence that selects no character set",
                               reason="bad_encoding")
    try:
        return _parse(raw, utf8)
    except UnreadableRecord:
        raise
    except UnicodeError as exc:
        raise UnreadableRecord(f"undecodable text: {exc}", reason="bad_encoding") from exc
    except (ValueError, pymarc.exceptions.RecordDirectoryInvalid) as exc:
        raise UnreadableRecord(f"bad directory: {exc}", reason="bad_directory") from exc
    except Exception as exc:  # noqa: BLE001 - bad bytes must become a quarantine reason
        raise UnreadableRecord(f"{type(exc).__name__}: {exc}", reason="unparseable") from exc


# --- reading fields -------------------------------------------------------------------

_BIDI_MARKS = n.BIDI_MARKS


def _values(field, codes: str) -> list[str]:
    """The non-empty values of ``field``'s subfields in ``codes``, NFC, in record order.

    (``n.strip`` then ``n.nfc``, written out: this runs for every subfield read.)
    """
    out = []
    for code, value in field.subfields:
        if code in codes and value:
            value = value.strip()
            if value and (value[0] in _BIDI_MARKS or value[-1] in _BIDI_MARKS):
                value = n.strip(value)
            if value:
                out.append(value if value.isascii() else n.nfc(value))
    return out


def _joined(field, codes: str) -> str | None:
    return n.trim_isbd(" ".join(_values(field, codes)))


_FALLBACK_TITLE_TAGS = ("240", "130", "246", "740")
_IMPRINT_TAGS = ("260", "264")
_NAME_CODES = {"00": "abcdq", "10": "ab", "11": "acdn"}
NAME_TAGS = ("100", "110", "111", "700", "710", "711")
_HEADING_CODES = {"600": "abcdqt", "610": "abt", "611": "acdnt", "630": "anp",
                  "648": "a", "650": "ab", "651": "a", "655": "a"}
SUBJECT_TAGS = tuple(_HEADING_CODES)

# The field groups to_canonical reads, by tag: one pass over the record fills them all.
_GROUP = {"245": "245", "050": "050", "082": "082", "056": "056", "090": "090",
          "020": "020", "520": "520",
          **dict.fromkeys(_FALLBACK_TITLE_TAGS, "title"),
          **dict.fromkeys(_IMPRINT_TAGS, "imprint"),
          **dict.fromkeys(NAME_TAGS, "names"),
          **dict.fromkeys(SUBJECT_TAGS, "subjects")}
# 880s are grouped by the tag their $6 links to, under "880 " + that tag's group.
_LINKED_GROUP = {tag: "880 " + group for tag, group in _GROUP.items()}


def _groups(rec: pymarc.Record) -> dict[str, list[tuple[str, object]]]:
    """(tag, field) pairs in record order, by group: "names" holds 100/110/111/700/710/
    711, "880 names" the 880s whose $6 ("100-01/$1") links to one of them.

    traject 880_with_no_6.utf8.marc has an 880 with $7 instead of $6: it links nowhere.
    """
    groups: dict[str, list] = {}
    for field in rec.fields:
        tag = field.tag
        if tag == "880":
            links = field.get_subfields("6")
            tag = links[0][:3] if links else ""
            group = _LINKED_GROUP.get(tag)
        else:
            group = _GROUP.get(tag)
        if group is not None:
            if group in groups:
                groups[group].append((tag, field))
            else:
                groups[group] = [(tag, field)]
    return groups


_SLASH_END = re.compile(r"\s*/$")


def read_title(fields) -> str | None:
    """245 $a $b $n $p as catalogued (inner ISBD kept: "X : Y"), the end trimmed.

    The "/" before the dropped $c goes; traject 245_no_ab.marc has only "$kPapers.".
    """
    for _tag, field in fields:
        parts = _values(field, "abnp") or _values(field, "k")
        parts = [_SLASH_END.sub("", p) for p in parts[:-1]] + parts[-1:]
        title = " ".join(p for p in parts if p)
        # " / " opens the statement of responsibility even when it is not in a $c:
        # LC 00272431 has "...History / [ben shu bian wei hui bian]." inside its $p.
        title = n.trim_isbd(title.split(" / ")[0])
        if title:
            return title
    return None


def read_names(fields) -> list[str]:
    return n.dedupe(_joined(f, _NAME_CODES[tag[1:]]) for tag, f in fields)


def read_subjects(fields) -> list[str]:
    """LCSH strings: "Korea (North) -- Politics and government -- 1994-"."""
    out = []
    for tag, field in fields:
        main = _joined(field, _HEADING_CODES[tag])
        subdivisions = [n.trim_isbd(v) for v in _values(field, "vxyz")]
        parts = [p for p in [main, *subdivisions] if p]
        out.append(" -- ".join(parts))
    return n.dedupe(out)


def _imprints(fields) -> list:
    """260/264 in the order to trust them: 264 publication (2nd ind. 1), 260, other 264."""
    first = [f for tag, f in fields if tag == "264" and f.indicator2 == "1"]
    then = [f for tag, f in fields if tag == "260"]
    rest = [f for tag, f in fields if tag == "264" and f.indicator2 != "1"]
    return first + then + rest


def read_imprint(imprints: list, code: str) -> str | None:
    """First usable $a (place) or $b (publisher) of ``imprints`` (see :func:`_imprints`),
    brackets and ISBD trimmed."""
    for field in imprints:
        for value in _values(field, code):
            value = n.trim_brackets(value)
            if value:
                return value
    return None


def read_year(rec: pymarc.Record, imprints: list) -> str | None:
    """The publication date as written, for ``canonical.build`` to read.

    The first exact year of 008/07-10 then each $c of ``imprints`` (traject
    date_resort_to_260.marc: 008 "19uu", 260 $c "1980-"); failing that, the narrowest
    uncertain one: mixed-10000 LC 00528836 has 008 "19uu" and 260 $c "[199-]".
    """
    control = rec.get("008")
    candidates = [n.date1_008(control.data if control else None),
                  *(v for f in imprints for v in _values(f, "c"))]
    best, best_span = None, None
    for value in candidates:
        first, last = n.year_range(value)
        if first is None:
            continue
        if first == last:
            return value
        if best_span is None or last - first < best_span:
            best, best_span = value, last - first
    return best


def read_language(rec: pymarc.Record) -> str | None:
    """008/35-37 as written ("kor"); ``canonical.build`` checks and names it."""
    control = rec.get("008")
    data = control.data if control is not None else None
    return data[35:38] if data and len(data) >= 38 else None


def read_lcc(fields) -> str | None:
    """First 050: its first $a and first $b ("HD53" + ".C483 1999")."""
    for _tag, field in fields:
        parts = (_values(field, "a")[:1]) + (_values(field, "b")[:1])
        if parts:
            return " ".join(parts)
    return None


def read_ddc(fields) -> str | None:
    for _tag, field in fields:
        for value in _values(field, "a"):
            return n.clean_ddc(value)
    return None


def read_kdc(fields) -> str | None:
    """First 056 $a (KORMARC's Korean Decimal Classification; $2 is its edition)."""
    for _tag, field in fields:
        for value in _values(field, "a"):
            return value
    return None


def read_call_number(fields) -> str | None:
    """First 090, the local call number: $a class, $b book number (and, in KORMARC, $c
    volume or copy). KORMARC libraries write a KDC number there, MARC21 ones an LC-type
    one ("BF575.L7" + "T68 1962")."""
    for _tag, field in fields:
        parts = _values(field, "abc")
        if parts:
            return " ".join(parts)
    return None


def read_isbns(fields) -> list[str]:
    return n.dedupe(n.clean_isbn(v) for _tag, f in fields for v in _values(f, "a"))


def read_summary(fields) -> str | None:
    for _tag, field in fields:
        text = " ".join(_values(field, "ab"))
        if text:
            return text
    return None


def read_id(rec: pymarc.Record, default_source: str) -> tuple[str, str]:
    """(id, source). LC writes its 001 padded: "   00272142 " -> "DLC:00272142"."""
    control = rec.get("001")
    number = control.data.strip() if control is not None and control.data else ""
    if not number:
        raise InvalidRecord("no usable 001 control number", reason="missing_id")
    source_field = rec.get("003")
    source = (source_field.data.strip() if source_field is not None and source_field.data
              else "") or default_source
    return f"{source}:{number}", source


def record_id(rec: pymarc.Record, default_source: str = "local") -> str:
    """The canonical id ("DLC:00272142") of any record with an 001, deleted or not.

    A deleted record (:func:`is_deleted`) is never mapped, but its id says which
    catalogue record to remove. Raises ``InvalidRecord`` (``missing_id``) without 001.
    """
    return read_id(rec, default_source)[0]


def is_deleted(rec: pymarc.Record) -> bool:
    """Leader/05 record status "d": the source deleted this record."""
    return str(rec.leader)[5:6] == "d"


def to_canonical(rec: pymarc.Record, default_source: str = "local") -> dict:
    """A decoded MARC record -> a finished canonical record (see ``ingest.schema``).

    Only extraction happens here; ``ingest.canonical.build`` normalises and derives.
    """
    record_id_, source = read_id(rec, default_source)
    groups = _groups(rec)
    none = ()
    title = read_title(groups.get("245", none)) or read_title(groups.get("title", none))
    if not title:
        raise InvalidRecord(f"{record_id_}: no title in 245, 240, 130, 246 or 740",
                            reason="missing_title")
    imprints = _imprints(groups.get("imprint", none))
    imprints_original = _imprints(groups.get("880 imprint", none))
    return canonical.build({
        "id": record_id_,
        "source": source,
        "title": title,
        "title_original": read_title(groups.get("880 245", none)),
        "authors": read_names(groups.get("names", none)),
        "authors_original": read_names(groups.get("880 names", none)),
        "subjects": read_subjects(groups.get("subjects", none)),
        "subjects_original": read_subjects(groups.get("880 subjects", none)),
        "lcc": read_lcc(groups.get("050", none)),
        "ddc": read_ddc(groups.get("082", none)),
        "kdc": read_kdc(groups.get("056", none)),
        "call_number": read_call_number(groups.get("090", none)),
        "year": read_year(rec, imprints),
        "language": read_language(rec),
        "publisher": read_imprint(imprints, "b"),
        "publisher_original": read_imprint(imprints_original, "b"),
        "place": read_imprint(imprints, "a"),
        "place_original": read_imprint(imprints_original, "a"),
        "isbn": read_isbns(groups.get("020", none)),
        "summary": read_summary(groups.get("520", none)),
    })


def map_raw(raw: bytes, default_source: str = "local") -> dict:
    """Raw MARC21 bytes -> canonical record (``decode`` then ``to_canonical``)."""
    return to_canonical(decode(raw), default_source)
