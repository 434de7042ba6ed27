"""MARCXML, OAI-PMH and MARC-in-JSON on the real files of marc4j, pymarc and traject."""

import re
from pathlib import Path

import pytest

from ingest import marcxml
from ingest.formats import Deletion
from ingest.quarantine import InvalidRecord, RecordError, UnreadableRecord

ODD = Path(__file__).resolve().parent / "data" / "odd-marc"
MARC4J = ODD / "marc4j"
TRAJECT = ODD / "traject"


def read(path: Path) -> list:
    return list(marcxml.read(str(path)))


def test_offsets_and_raw_bytes_are_the_record_elements():
    path = TRAJECT / "test_data.utf8.marc.xml"
    data = path.read_bytes()
    outcomes = read(path)
    assert len(outcomes) == 30
    for offset, raw, _ in outcomes:
        assert data[offset:offset + len(raw)] == raw
        assert raw.startswith(b"<record") and raw.endswith(b"</record>")
    # Records follow each other: each starts after the one before ends.
    ends = [o + len(r) for o, r, _ in outcomes]
    assert all(ends[i] <= outcomes[i + 1][0] for i in range(len(outcomes) - 1))


@pytest.mark.parametrize("name", [
    "summerland-record.xml",                       # a lone <record xmlns=MARC>
    "summerland-record-with-type.xml",
    "1474920681_KOHA_LFL_6_with_comment.xml",      # no prolog, OAI elements inside
    "cruel-cruel-indicatorless-summerland.xml",    # datafields without ind1/ind2
    "azdoud.xml",                                  # the MARC namespace under a prefix
])
def test_record_shapes(name):
    (offset, raw, record), = read(MARC4J / name)
    assert isinstance(record, dict), record
    assert record["title"]


def test_indicatorless_summerland_is_summerland():
    (_, _, plain), = read(MARC4J / "summerland.xml")
    (_, _, cruel), = read(MARC4J / "cruel-cruel-indicatorless-summerland.xml")
    assert cruel["title"] == plain["title"] == "Summerland"
    assert cruel["authors"] == plain["authors"]


@pytest.mark.parametrize("name, reason, says", [
    ("marc4j/chabon-missing-controlfield-tag.xml", "bad_tag", "controlfield"),
    ("marc4j/chabon-missing-subfield-code.xml", "bad_subfield", "datafield 020"),
    # <subfields code="a"> in 020 (the 655 without a tag comes later in the record)
    ("marc4j/chabon-missing-datafield-tag.xml", "bad_subfield", "<subfields>"),
    ("marc4j/chabon-bad-subfields-element.xml", "bad_subfield", "<subfields>"),
    ("pymarc/bad_tag.xml", "bad_tag", "'42'"),
])
def test_malformed_record_elements_are_quarantined_with_their_bytes(name, reason, says):
    path = ODD / name
    data = path.read_bytes()
    (offset, raw, error), = read(path)
    assert isinstance(error, UnreadableRecord)
    assert error.reason == reason
    assert says in str(error)
    assert data[offset:offset + len(raw)] == raw
    assert re.match(rb"<(ns0:)?record", raw) and raw.rstrip().endswith(b"record>")


def test_a_bad_record_does_not_stop_the_next(tmp_path):
    """chabon.xml with its first record's 020 subfield broken as marc4j's test file has it."""
    data = (MARC4J / "chabon.xml").read_bytes()
    broken = data.replace(b'<subfield code="a">0679450041', b"<subfield>0679450041", 1)
    assert broken != data
    path = tmp_path / "chabon-first-broken.xml"
    path.write_bytes(broken)
    outcomes = [o for _, _, o in read(path)]
    assert [type(o) for o in outcomes] == [UnreadableRecord, dict]
    assert outcomes[1]["id"] == "local:12883376"


def test_oai_pmh_with_dublin_core_is_not_marc():
    """traject's OAI-PMH samples carry oai_dc: each record is quarantined, not lost."""
    for name in ("sample-oai-pmh.xml", "sample-oai-no-namespace.xml"):
        path = TRAJECT / name
        data = path.read_bytes()
        outcomes = read(path)
        assert len(outcomes) == 10
        for offset, raw, error in outcomes:
            assert isinstance(error, InvalidRecord) and error.reason == "not_marc"
            assert "oai:sciencehistoryorg:" in str(error) and "dc metadata" in str(error)
            assert data[offset:offset + len(raw)] == raw and raw.startswith(b"<record>")
        assert "oai:sciencehistoryorg:mk61rg92z" in str(outcomes[0][2])


def oai_response(records: list[bytes]) -> bytes:
    """An OAI-PMH ListRecords response, as traject's sample-oai-pmh.xml is laid out."""
    head = (TRAJECT / "sample-oai-pmh.xml").read_bytes().split(b"<ListRecords>")[0]
    return head + b"<ListRecords>" + b"".join(records) + b"</ListRecords></OAI-PMH>"


def marc_records(path: Path) -> list[bytes]:
    return re.findall(rb"<record>.*?</record>", path.read_bytes(), re.S)


def test_oai_pmh_marc21_records_and_deletions(tmp_path):
    """A ListRecords response with metadataPrefix=marc21: chabon.xml's two records (the
    MARC namespace declared on each) and a deleted record, whose header alone remains."""
    marc = [r.replace(b"<record>", b'<record xmlns="http://www.loc.gov/MARC21/slim">', 1)
            for r in marc_records(MARC4J / "chabon.xml")]
    entries = [
        b"<record><header><identifier>oai:loc.gov:11939876</identifier>"
        b"<datestamp>2004-12-29</datestamp></header><metadata>" + marc[0]
        + b"</metadata></record>",
        b'<record><header status="deleted"><identifier>oai:loc.gov:00314247'
        b"</identifier><datestamp>2018-05-03</datestamp></header></record>",
        b"<record><header><identifier>oai:loc.gov:12883376</identifier></header>"
        b"<metadata>" + marc[1] + b"</metadata></record>",
    ]
    path = tmp_path / "oai-marc21.xml"
    path.write_bytes(oai_response(entries))
    outcomes = read(path)
    direct = [o for _, _, o in read(MARC4J / "chabon.xml")]
    assert [o for _, _, o in outcomes] == [direct[0], Deletion("local:00314247"), direct[1]]
    data = path.read_bytes()
    assert [data[o:o + len(r)] for o, r, _ in outcomes] == entries


def test_oai_local_id():
    assert marcxml.oai_local_id("oai:sciencehistoryorg:mk61rg92z") == "mk61rg92z"
    assert marcxml.oai_local_id("oai:example.org:DLC:123") == "DLC:123"
    assert marcxml.oai_local_id("12883376") == "12883376"


def test_leader_05_d_in_marcxml_is_a_deletion():
    outcomes = [o for _, _, o in read(TRAJECT / "test_data.utf8.marc.xml")]
    assert outcomes.count(Deletion("DLC:00314247")) == 1


def test_xml_syntax_error_keeps_the_records_before_it(tmp_path):
    source = TRAJECT / "test_data.utf8.marc.xml"
    data = source.read_bytes()
    starts = [m.start() for m in re.finditer(rb"<record>", data)]
    # Cut the file in the middle of the 11th record, as an interrupted download does.
    cut = starts[10] + 300
    path = tmp_path / "cut.xml"
    path.write_bytes(data[:cut])
    outcomes = read(path)
    assert len(outcomes) == 11
    assert [o for _, _, o in outcomes[:10]] == [o for _, _, o in read(source)[:10]]
    offset, raw, error = outcomes[10]
    assert isinstance(error, UnreadableRecord) and error.reason == "bad_xml"
    assert offset == starts[10] and raw == data[starts[10]:cut]


def test_xml_syntax_error_between_records(tmp_path):
    data = (MARC4J / "chabon.xml").read_bytes()
    first_end = data.index(b"</record>") + len(b"</record>")
    second = data.index(b"<record>", first_end)
    broken = data[:second] + b"<<oops>" + data[second:]
    path = tmp_path / "garbled.xml"
    path.write_bytes(broken)
    outcomes = read(path)
    assert len(outcomes) == 2 and isinstance(outcomes[0][2], dict)
    offset, raw, error = outcomes[1]
    assert error.reason == "bad_xml" and "line" in str(error)
    assert offset == first_end and raw == broken[first_end:]
    assert raw.lstrip().startswith(b"<<oops>")
    assert b"12883376" in raw          # the second record is in the quarantine, not lost


def test_marc_in_json_layouts(tmp_path):
    """An array (pymarc batch.json), one pretty-printed object (one.json), one per line
    (traject test_data.utf8.json): same records, real byte offsets."""
    batch = list(marcxml.read_json(str(ODD / "pymarc" / "batch.json")))
    assert [o["id"] for _, _, o in batch] == ["DLC:5637241", "local:12149120"]
    data = (ODD / "pymarc" / "batch.json").read_bytes()
    for offset, raw, _ in batch:
        assert data[offset:offset + len(raw)] == raw and raw.startswith(b"{")
    lines = list(marcxml.read_json(str(TRAJECT / "test_data.utf8.json")))
    text = (TRAJECT / "test_data.utf8.json").read_bytes()
    assert [o for o, _, _ in lines] == [m.start() for m in re.finditer(rb"^\{", text, re.M)]


def test_marc_in_json_errors(tmp_path):
    lines = (TRAJECT / "test_data.utf8.json").read_bytes().splitlines(keepends=True)
    path = tmp_path / "broken.json"
    # Line 2 loses its fields, line 3 is cut in half: the file cannot be read further.
    path.write_bytes(lines[0] + lines[1].replace(b'"fields":', b'"fieldz":', 1)
                     + lines[2][:100] + b"\n" + lines[3])
    outcomes = [o for _, _, o in marcxml.read_json(str(path))]
    assert isinstance(outcomes[0], dict)
    assert isinstance(outcomes[1], RecordError) and outcomes[1].reason == "bad_marcjson"
    assert outcomes[2].reason == "bad_json" and len(outcomes) == 3
