"""MARCXML, OAI-PMH and MARC-in-JSON -> outcomes: the textual serialisations of MARC.

Each reader builds a ``pymarc.Record`` per record and hands it to
:func:`ingest.marc.to_canonical`, so binary MARC, MARCXML and MARC-in-JSON of the same
record give the same canonical record (traject's ``test_data.utf8.{mrc,marc.xml,json}``).

MARCXML is streamed with expat: only the record being read is held in memory, and the
parser's byte index gives each record's exact byte offset and raw bytes (``offset`` is a
real byte offset into the file, as for binary MARC). Accepted shapes: a ``<collection>``,
a single ``<record>``, an OAI-PMH ``ListRecords``/``GetRecord`` response (records inside
``<metadata>``), each with the MARC namespace, another prefix for it, or none.

Outcomes of one record element (see :func:`ingest.formats.read`):

* a finished canonical record;
* :class:`~ingest.formats.Deletion` for leader/05 ``d`` or an OAI header with
  ``status="deleted"``;
* :class:`~ingest.quarantine.UnreadableRecord` for a malformed element, reasons
  ``bad_leader`` (not 24 characters), ``bad_tag`` (missing or not 3 letters/digits:
  marc4j chabon-missing-datafield-tag.xml, pymarc bad_tag.xml), ``bad_subfield``
  (subfield without code, or an unknown element inside a datafield: marc4j
  chabon-missing-subfield-code.xml, chabon-bad-subfields-element.xml);
* :class:`~ingest.quarantine.InvalidRecord` ``not_marc`` for an OAI record carrying
  other metadata (traject sample-oai-pmh.xml has Dublin Core), or what marc.py raises;
* ``bad_xml``: an XML syntax error ends the file; the records before it are kept and the
  bytes from the start of the broken record (or the end of the last good one) to the end
  of the file are one quarantined outcome, so nothing is silently lost.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from xml.etree import ElementTree as ET
from xml.parsers import expat

import pymarc
from pymarc import Field, Indicators, Subfield

from ingest import marc
from ingest import normalize as n
from ingest.quarantine import InvalidRecord, RecordError, UnreadableRecord

MARC_NS = "http://www.loc.gov/MARC21/slim"
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_CHUNK = 1 << 16
_TAG = re.compile(r"[0-9A-Za-z]{3}\Z")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(elem: ET.Element, name: str) -> ET.Element | None:
    for child in elem:
        if _local(child.tag) == name:
            return child
    return None


# --- one record -----------------------------------------------------------------------

def build_record(leader: str | None, fields: list[Field]) -> pymarc.Record:
    """A Unicode ``pymarc.Record`` as :func:`ingest.marc.decode` would return it: NFC
    subfields, leader/09 "a"."""
    if leader is None:
        leader = " " * 24
    if len(leader) != 24:
        raise UnreadableRecord(f"leader {leader!r} is not 24 characters", reason="bad_leader")
    rec = pymarc.Record(leader=leader)
    rec.leader = pymarc.Leader(leader[:9] + "a" + leader[10:])
    for field in fields:
        if not field.is_control_field():
            field.subfields = [sf._replace(value=n.nfc(sf.value)) for sf in field.subfields]
        rec.add_field(field)
    return rec


def _tag(value: str | None, where: str) -> str:
    if value is None or not _TAG.match(value):
        raise UnreadableRecord(f"{where} with tag {value!r} (needs 3 letters or digits)",
                               reason="bad_tag")
    return value


def _indicator(value: str | None) -> str:
    # marc4j cruel-cruel-indicatorless-summerland.xml: datafields without ind1/ind2.
    return value if value is not None and len(value) == 1 else " "


def element_to_record(elem: ET.Element) -> pymarc.Record:
    """A MARCXML ``<record>`` element (any namespace) -> ``pymarc.Record``."""
    leader, fields = None, []
    for child in elem:
        name = _local(child.tag)
        if name == "leader":
            leader = child.text or ""
        elif name == "controlfield":
            tag = _tag(child.get("tag"), "controlfield")
            if not (tag.isdigit() and tag < "010"):
                raise UnreadableRecord(f"controlfield with data field tag {tag}",
                                       reason="bad_tag")
            fields.append(Field(tag=tag, data=child.text or ""))
        elif name == "datafield":
            tag = _tag(child.get("tag"), "datafield")
            subfields = []
            for sub in child:
                if _local(sub.tag) != "subfield" or sub.get("code") is None:
                    raise UnreadableRecord(
                        f"datafield {tag}: <{_local(sub.tag)}> with attributes "
                        f"{dict(sub.attrib)} is not a <subfield code=...>",
                        reason="bad_subfield")
                subfields.append(Subfield(code=sub.get("code"), value=sub.text or ""))
            fields.append(Field(tag=tag, indicators=Indicators(
                _indicator(child.get("ind1")), _indicator(child.get("ind2"))),
                subfields=subfields))
        # Other elements are not MARC: marc4j 1474920681_KOHA_LFL_6_with_comment.xml
        # has OAI <identifier> and <datestamp> inside its <record>.
    return build_record(leader, fields)


def record_outcome(rec: pymarc.Record, default_source: str):
    """A decoded record -> canonical record or Deletion (leader/05 "d")."""
    from ingest.formats import Deletion

    if marc.is_deleted(rec):
        return Deletion(marc.record_id(rec, default_source))
    return marc.to_canonical(rec, default_source)


def oai_local_id(identifier: str) -> str:
    """"oai:sciencehistoryorg:mk61rg92z" -> "mk61rg92z" (OAI identifier syntax:
    oai:<repository>:<local id>, the local id may hold colons)."""
    parts = identifier.split(":", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "oai" else identifier


def element_outcome(elem: ET.Element, default_source: str):
    """One outermost ``<record>`` element -> canonical record, Deletion or RecordError."""
    from ingest.formats import Deletion

    try:
        header = _child(elem, "header")
        if header is None:
            if not any(_local(c.tag) in ("leader", "controlfield", "datafield") for c in elem):
                raise InvalidRecord(f"<{_local(elem.tag)}> holds no MARC fields",
                                    reason="not_marc")
            return record_outcome(element_to_record(elem), default_source)
        # OAI-PMH: <record><header status=...><identifier/></header><metadata>...
        ident = _child(header, "identifier")
        identifier = (ident.text or "").strip() if ident is not None else ""
        if header.get("status") == "deleted":
            if not identifier:
                raise InvalidRecord("deleted OAI record without identifier",
                                    reason="missing_id")
            # The deleted record has no metadata to read 003/001 from, so its id is the
            # OAI local identifier under the default source.
            return Deletion(f"{default_source}:{oai_local_id(identifier)}")
        metadata = _child(elem, "metadata")
        inner = next(iter(metadata), None) if metadata is not None else None
        if inner is None or _local(inner.tag) != "record":
            kind = _local(inner.tag) if inner is not None else "no"
            raise InvalidRecord(f"OAI record {identifier or '?'} carries {kind} metadata, "
                                "not MARCXML (harvest with metadataPrefix=marc21)",
                                reason="not_marc")
        return record_outcome(element_to_record(inner), default_source)
    except RecordError as exc:
        return exc


# --- streaming MARCXML ----------------------------------------------------------------

class _Stream:
    """expat handlers building one outermost ``<record>`` at a time."""

    def __init__(self, parser):
        self.parser = parser
        self.builder: ET.TreeBuilder | None = None
        self.depth = 0
        self.record_start = -1
        self.done: list[tuple[int, int, ET.Element]] = []  # (start, end index, element)

    def start(self, name: str, attrs: dict) -> None:
        tag = "{" + name if "}" in name else name
        if self.builder is None:
            if _local(tag) != "record":
                return
            self.builder, self.depth = ET.TreeBuilder(), 0
            self.record_start = self.parser.CurrentByteIndex
        self.depth += 1
        self.builder.start(tag, {("{" + k if "}" in k else k): v for k, v in attrs.items()})

    def end(self, name: str) -> None:
        if self.builder is None:
            return
        self.builder.end("{" + name if "}" in name else name)
        self.depth -= 1
        if self.depth == 0:
            # CurrentByteIndex is where </record> (or <record/>) begins.
            self.done.append((self.record_start, self.parser.CurrentByteIndex,
                              self.builder.close()))
            self.builder = None

    def data(self, text: str) -> None:
        if self.builder is not None:
            self.builder.data(text)


def _pread(fd: int, start: int, length: int) -> bytes:
    return os.pread(fd, length, start)


def _tag_end(fd: int, index: int) -> int:
    """Offset just after the '>' closing the tag that begins at ``index``."""
    pos = index
    while True:
        block = os.pread(fd, 4096, pos)
        if not block:
            return pos
        hit = block.find(b">")
        if hit >= 0:
            return pos + hit + 1
        pos += len(block)


def read(path: str, *, default_source: str = "local") -> Iterator[tuple[int, bytes, object]]:
    """``(byte offset, raw bytes, outcome)`` for every record element of a MARCXML file."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    stream = _Stream(parser)
    parser.StartElementHandler = stream.start
    parser.EndElementHandler = stream.end
    parser.CharacterDataHandler = stream.data
    with open(path, "rb") as f:
        fd = f.fileno()
        error, last_end = None, None
        while error is None:
            chunk = f.read(_CHUNK)
            try:
                parser.Parse(chunk, not chunk)
            except expat.ExpatError as exc:
                error = exc
            for start, end_index, elem in stream.done:
                last_end = _tag_end(fd, end_index)
                yield start, _pread(fd, start, last_end - start), element_outcome(
                    elem, default_source)
            stream.done.clear()
            if not chunk:
                break
        if error is not None:
            # From the broken record's start, else from the end of the last good one
            # (the token holding the error begins before expat's error index).
            if stream.builder is not None:
                at = stream.record_start
            else:
                at = last_end if last_end is not None else parser.ErrorByteIndex
            at = max(0, min(at, os.fstat(fd).st_size))
            f.seek(at)
            rest = f.read()
            yield at, rest, UnreadableRecord(
                f"XML syntax error at line {error.lineno}, column {error.offset}: "
                f"{expat.errors.messages[error.code]}; {len(rest)} bytes from offset {at} "
                "not read", reason="bad_xml")


# --- MARC-in-JSON (pymarc, traject, marc4j: {"leader": ..., "fields": [...]}) --------

def json_to_record(obj) -> pymarc.Record:
    """One MARC-in-JSON object -> ``pymarc.Record``."""
    if not isinstance(obj, dict) or not isinstance(obj.get("fields"), list):
        raise UnreadableRecord("not a MARC-in-JSON object (needs \"leader\" and \"fields\")",
                               reason="bad_marcjson")
    leader = obj.get("leader")
    if leader is not None and not isinstance(leader, str):
        raise UnreadableRecord(f"leader {leader!r} is not a string", reason="bad_leader")
    fields = []
    for entry in obj["fields"]:
        if not isinstance(entry, dict) or len(entry) != 1:
            raise UnreadableRecord(f"field {entry!r} is not one {{tag: value}}",
                                   reason="bad_marcjson")
        (tag, value), = entry.items()
        _tag(tag, "field")
        if isinstance(value, str):
            fields.append(Field(tag=tag, data=value))
            continue
        if not isinstance(value, dict) or not isinstance(value.get("subfields"), list):
            raise UnreadableRecord(f"field {tag} has no subfields list", reason="bad_marcjson")
        subfields = []
        for sub in value["subfields"]:
            if not isinstance(sub, dict) or len(sub) != 1:
                raise UnreadableRecord(f"field {tag}: subfield {sub!r} is not one "
                                       "{code: value}", reason="bad_subfield")
            (code, text), = sub.items()
            subfields.append(Subfield(code=code, value=str(text)))
        fields.append(Field(tag=tag, indicators=Indicators(
            _indicator(value.get("ind1")), _indicator(value.get("ind2"))),
            subfields=subfields))
    return build_record(leader, fields)


def _json_outcome(obj, default_source: str):
    try:
        return record_outcome(json_to_record(obj), default_source)
    except RecordError as exc:
        return exc


_SPACE = re.compile(r"[\s,]*")


def read_json(path: str, *, default_source: str = "local") -> Iterator[tuple[int, bytes, object]]:
    """Records of a MARC-in-JSON file: one object, an array of them, or one per line
    (traject test_data.utf8.json). The file is read whole; offsets are byte offsets."""
    with open(path, "rb") as f:
        data = f.read()
    text = data.decode("utf-8-sig", errors="surrogateescape")
    bom = len(data) - len(text.encode("utf-8", errors="surrogateescape"))
    decoder = json.JSONDecoder(strict=False)
    pos, byte_pos = 0, bom

    def advance(to: int) -> None:
        nonlocal pos, byte_pos
        byte_pos += len(text[pos:to].encode("utf-8", errors="surrogateescape"))
        pos = to

    advance(_SPACE.match(text, pos).end())
    in_array = text.startswith("[", pos)
    if in_array:
        advance(_SPACE.match(text, pos + 1).end())
    while pos < len(text) and not (in_array and text.startswith("]", pos)):
        try:
            obj, stop = decoder.raw_decode(text, pos)
        except ValueError as exc:
            yield byte_pos, data[byte_pos:], UnreadableRecord(
                f"bad JSON: {exc}; the rest of the file is not read", reason="bad_json")
            return
        start_byte = byte_pos
        advance(stop)
        yield start_byte, data[start_byte:byte_pos], _json_outcome(obj, default_source)
        advance(_SPACE.match(text, pos).end())
