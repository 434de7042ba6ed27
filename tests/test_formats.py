"""Format detection and the one ``read`` every format goes through, on the real files in
tests/data."""

import collections
import logging
import os
from pathlib import Path

import pytest

from ingest import formats
from ingest.formats import Deletion, UnknownFormat
from ingest.quarantine import RecordError

DATA = Path(__file__).resolve().parent / "data"
ODD = DATA / "odd-marc"
GUTENBERG = DATA / "gutenberg-catalog" / "pg_catalog.first7702.csv"
TRAJECT = ODD / "traject"

# Every file under tests/data/odd-marc: its format (None: UnknownFormat) and how many
# outcomes reading it gives (records, deletions and quarantined together). A new file
# fails test_every_odd_file_is_listed until it is added here.
EXPECTED = {
    "marc4j/008008027.mrc": ("marc", 19),
    "marc4j/065001035.mrc": ("marc", 40),
    "marc4j/1474920681_KOHA_LFL_5.xml": ("marcxml", 1),
    "marc4j/1474920681_KOHA_LFL_6_with_comment.xml": ("marcxml", 1),
    "marc4j/185258.mrc": ("marc", 1),
    "marc4j/54-56-008008027.mrc": ("marc", 5),
    "marc4j/OCLC_814388508.xml": ("marcxml", 1),
    "marc4j/PROVENANCE.md": (None, 0),
    "marc4j/azdoud.xml": ("marcxml", 1),
    "marc4j/bad-characters-in-various-fields.mrc": ("marc", 1),
    "marc4j/bad_hathi_records.mrc": ("marc", 5),
    "marc4j/bad_leaders_10_11.mrc": ("marc", 1),
    "marc4j/bad_oversize_field_bad_directory.mrc": ("marc", 5),
    "marc4j/bad_too_long_plus_2.mrc": ("marc", 3),
    "marc4j/brkrtest.mrc": ("marc", 8),
    "marc4j/brkrtest.mrk": (None, 0),          # MARCMaker mnemonic text
    "marc4j/brkrtest_UTF8.mrc": ("marc", 8),
    "marc4j/chabon-bad-subfields-element.xml": ("marcxml", 1),
    "marc4j/chabon-loc.mrc": ("marc", 2),
    "marc4j/chabon-missing-controlfield-tag.xml": ("marcxml", 1),
    "marc4j/chabon-missing-datafield-tag.xml": ("marcxml", 1),
    "marc4j/chabon-missing-subfield-code.xml": ("marcxml", 1),
    "marc4j/chabon-record-type-bad.xml": ("marcxml", 2),
    "marc4j/chabon-record-type.xml": ("marcxml", 2),
    "marc4j/chabon.mrc": ("marc", 2),
    "marc4j/chabon.xml": ("marcxml", 2),
    "marc4j/chinese_mangled_multibyte.mrc": ("marc", 4),
    "marc4j/cruel-cruel-indicatorless-summerland.xml": ("marcxml", 1),
    "marc4j/cyrillic_capital_e.mrc": ("marc", 2),
    "marc4j/datos-20161010-slice.mrc": ("marc", 1),
    "marc4j/dp_004015001.mrc": ("marc", 3),
    "marc4j/field700_4_test.mrc": ("marc", 2),
    "marc4j/getty_test_1.mrc": ("marc", 1),
    "marc4j/getty_test_output.mrc": ("marc", 1),
    "marc4j/greekmissingcharsetchange.mrc": ("marc", 3),
    "marc4j/incomplete_esc_seq.mrc": ("marc", 1),
    "marc4j/kan1222221.mrc": ("marc", 1),
    "marc4j/loongboonmee.mrc": ("marc", 2),
    "marc4j/not_unimarc_errors_3.mrc": ("marc", 3),
    "marc4j/oclc_63111280_export_as_UTF8_from_connexion.mrc": ("marc", 1),
    "marc4j/pride-and-prejudice-fixed.mrc": ("marc", 383),
    "marc4j/pride-and-prejudice-with-many-errors.mrc": ("marc", 383),
    "marc4j/rec1.mrc": ("marc", 1),
    "marc4j/rec2.mrc": ("marc", 1),
    "marc4j/rec3.mrc": ("marc", 1),
    "marc4j/sample1.mrc": ("marc", 8),
    "marc4j/sample1a.xml": ("marcxml", 9),
    "marc4j/selectedRecs.mrc": ("marc", 11),
    "marc4j/summerland-record-with-type.xml": ("marcxml", 1),
    "marc4j/summerland-record.xml": ("marcxml", 1),
    "marc4j/summerland.mrc": ("marc", 1),
    "marc4j/summerland.xml": ("marcxml", 1),
    "marc4j/summerlandwith710.xml": ("marcxml", 1),
    "marc4j/u17_utf8.mrc": ("marc", 1),
    "marc4j/u335.mrc": ("marc", 1),
    "marc4j/unordered-directory-entries.mrc": ("marc", 1),
    "pymarc/1251.dat": ("marc", 6),
    "pymarc/PROVENANCE.md": (None, 0),
    "pymarc/alphatag.dat": ("marc", 1),
    "pymarc/bad_eacc_encoding.dat": ("marc", 1),
    "pymarc/bad_indicator.dat": ("marc", 1),
    "pymarc/bad_marc8_escape.dat": ("marc", 1),
    "pymarc/bad_subfield_code.dat": ("marc", 1),
    "pymarc/bad_tag.xml": ("marcxml", 1),
    "pymarc/batch.json": ("marcjson", 2),
    "pymarc/batch.xml": ("marcxml", 2),
    "pymarc/diacritic.dat": ("marc", 1),
    "pymarc/marc.dat": ("marc", 20),
    "pymarc/marc8-to-unicode.dat": ("marc", 1),
    "pymarc/marc8.dat": ("marc", 1),
    "pymarc/multi_isbn.dat": ("marc", 1),
    "pymarc/one.dat": ("marc", 1),
    "pymarc/one.json": ("marcjson", 1),
    "pymarc/regression45.dat": ("marc", 12),
    "pymarc/test.dat": ("marc", 10),
    "pymarc/test.json": ("marcjson", 1),
    "pymarc/test_marc8.txt": (None, 0),         # plain lines of text, one per heading
    "pymarc/test_utf8.txt": (None, 0),
    "pymarc/testunimarc.dat": ("marc", 1),
    "pymarc/utf8.xml": ("marcxml", 1),
    "pymarc/utf8_errors.dat": ("marc", 1),
    "pymarc/utf8_with_leader_flag.dat": ("marc", 1),
    "pymarc/utf8_without_leader_flag.dat": ("marc", 1),
    "traject/245_no_ab.marc": ("marc", 1),
    "traject/880_with_no_6.utf8.marc": ("marc", 1),
    "traject/PROVENANCE.md": (None, 0),
    "traject/bad_subfield_code.marc": ("marc", 1),
    "traject/bad_utf_byte.utf8.marc": ("marc", 1),
    "traject/date_resort_to_260.marc": ("marc", 1),
    "traject/date_resort_to_264.marc": ("marc", 1),
    "traject/date_type_r_missing_date2.marc": ("marc", 1),
    "traject/date_with_u.marc": ("marc", 1),
    "traject/emptyish_record.marc": ("marc", 1),
    "traject/escaped_character_reference.marc8.marc": ("marc", 1),
    "traject/george_eliot.marc": ("marc", 1),
    "traject/hebrew880s.marc": ("marc", 1),
    "traject/iso639-3_lang.marc": ("marc", 1),
    "traject/louis_armstrong.marc": ("marc", 1),
    "traject/manufacturing_consent.marc": ("marc", 1),
    "traject/manuscript_online_thesis.marc": ("marc", 1),
    "traject/microform_online_conference.marc": ("marc", 1),
    "traject/missing-second-date.marc": ("marc", 1),
    "traject/multi_era.marc": ("marc", 1),
    "traject/multi_geo.marc": ("marc", 1),
    "traject/musical_cage.marc": ("marc", 1),
    "traject/namespace-test.xml": (None, 0),    # XML, but <top>: neither MARC nor OAI
    "traject/nature.marc": ("marc", 1),
    "traject/oai-pmh-one-record-2.xml": ("marcxml", 1),
    "traject/oai-pmh-one-record-first.xml": ("marcxml", 1),
    "traject/one-marc8.mrc": ("marc", 1),
    "traject/online_only.marc": ("marc", 1),
    "traject/packed_041a_lang.marc": ("marc", 1),
    "traject/sample-oai-no-namespace.xml": ("marcxml", 10),
    "traject/sample-oai-pmh.xml": ("marcxml", 10),
    "traject/test_data.utf8.json": ("marcjson", 30),
    "traject/test_data.utf8.marc.xml": ("marcxml", 30),
    "traject/test_data.utf8.mrc": ("marc", 30),
    "traject/test_data.utf8.mrc.gz": (None, 0),  # compressed: decompress first
    "traject/the_business_ren.marc": ("marc", 1),
}


@pytest.fixture(autouse=True)
def _quiet_pymarc():
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


def read_all(path: Path, fmt: str, **kwargs) -> list:
    return list(formats.read(str(path), fmt, 0, os.path.getsize(path), **kwargs))


def odd_files() -> list[str]:
    return sorted(str(p.relative_to(ODD)) for p in ODD.rglob("*") if p.is_file())


def test_every_odd_file_is_listed():
    assert odd_files() == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_detect(name):
    fmt, _ = EXPECTED[name]
    if fmt is None:
        with pytest.raises(UnknownFormat) as info:
            formats.detect(str(ODD / name))
        assert "--format" in str(info.value) and "marcxml" in str(info.value)
    else:
        assert formats.detect(str(ODD / name)) == fmt


def test_detect_gutenberg_csv_and_gzip_message():
    assert formats.detect(str(GUTENBERG)) == "csv"
    with pytest.raises(UnknownFormat, match="gzip"):
        formats.detect(str(TRAJECT / "test_data.utf8.mrc.gz"))


def test_detect_reads_content_not_name(tmp_path):
    # A binary MARC file named .xml is still binary MARC, and MARCXML named .mrc is XML.
    disguised = tmp_path / "records.xml"
    disguised.write_bytes((ODD / "marc4j" / "chabon.mrc").read_bytes())
    assert formats.detect(str(disguised)) == "marc"
    xml = tmp_path / "records.mrc"
    xml.write_bytes((ODD / "marc4j" / "chabon.xml").read_bytes())
    assert formats.detect(str(xml)) == "marcxml"


def test_every_odd_file_reads_without_an_exception_escaping(capsys):
    """detect() + read() over every file: outcomes only, each raw chunk from the file."""
    report = {}
    for name in odd_files():
        fmt, seen = EXPECTED[name]
        if fmt is None:
            continue
        path = ODD / name
        data = path.read_bytes()
        counts = collections.Counter()
        outcomes = read_all(path, formats.detect(str(path)))
        for offset, raw, outcome in outcomes:
            assert data[offset:offset + len(raw)] == raw, (name, offset)
            if isinstance(outcome, dict):
                counts["records"] += 1
            elif isinstance(outcome, Deletion):
                counts["deleted"] += 1
            else:
                assert isinstance(outcome, RecordError), (name, outcome)
                counts[outcome.reason] += 1
        assert len(outcomes) == seen, (name, dict(counts))
        report[name] = dict(counts)
    with capsys.disabled():
        print("\nodd-marc outcomes per file:")
        for name, counts in report.items():
            print(f"  {name}: {counts}")
    totals = collections.Counter()
    for counts in report.values():
        totals.update(counts)
    assert sum(totals.values()) == sum(seen for _, seen in EXPECTED.values())
    assert totals["records"] > 800


def test_traject_three_serialisations_give_identical_records():
    """traject's test_data.utf8 as binary MARC, MARCXML and MARC-in-JSON."""
    def outcomes(name, fmt):
        return [o for _, _, o in read_all(TRAJECT / name, fmt)]

    binary = outcomes("test_data.utf8.mrc", "marc")
    xml = outcomes("test_data.utf8.marc.xml", "marcxml")
    json_ = outcomes("test_data.utf8.json", "marcjson")
    assert len(binary) == 30
    assert xml == binary
    assert json_ == binary
    records = [o for o in binary if isinstance(o, dict)]
    assert len(records) == 29
    assert len({r["content_hash"] for r in records}) == 29
    # The one record with leader/05 "d" comes out as a deletion of its id in all three.
    assert [o for o in binary if isinstance(o, Deletion)] == [Deletion("DLC:00314247")]


def test_same_records_as_marc_xml_and_json_elsewhere():
    pairs = [("marc4j/chabon.mrc", "marc4j/chabon.xml"),
             ("marc4j/summerland.mrc", "marc4j/summerland.xml"),
             ("pymarc/one.dat", "pymarc/one.json"),
             ("pymarc/batch.xml", "pymarc/batch.json")]
    for left, right in pairs:
        a = [o for _, _, o in read_all(ODD / left, formats.detect(str(ODD / left)))]
        b = [o for _, _, o in read_all(ODD / right, formats.detect(str(ODD / right)))]
        assert a == b and all(isinstance(o, dict) for o in a), (left, right)


def test_splittable():
    assert [f for f in formats.FORMATS if formats.splittable(f)] == ["marc", "jsonl"]
    with pytest.raises(UnknownFormat, match="--format"):
        formats.splittable("mods")


def test_marc_splits_read_each_record_once():
    path = ODD / "marc4j" / "pride-and-prejudice-with-many-errors.mrc"
    whole = read_all(path, "marc")
    size = os.path.getsize(path)
    pieces = []
    for start in range(0, size, 4096):
        pieces += formats.read(str(path), "marc", start, min(start + 4096, size))
    assert [(o, r) for o, r, _ in pieces] == [(o, r) for o, r, _ in whole]


def test_a_file_that_cannot_be_split_is_read_by_its_first_split_only():
    path = TRAJECT / "test_data.utf8.marc.xml"
    assert len(list(formats.read(str(path), "marcxml", 0, 100))) == 30
    assert list(formats.read(str(path), "marcxml", 100, 200)) == []


def test_unknown_format_name():
    with pytest.raises(UnknownFormat):
        list(formats.read(str(GUTENBERG), "mods", 0, 10))
