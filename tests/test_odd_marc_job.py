"""Every file of the odd-marc collection (pymarc's, marc4j's and traject's test files:
real records, many deliberately broken) through the real Spark job in one load: no
crash, the detected format, and exactly what was written and quarantined, per file."""

from __future__ import annotations

import pytest
from pathlib import Path

from ingest import catalogue_job

from .conftest import ODD

pytestmark = pytest.mark.spark

# file: (format, written records, deletion notices, {quarantine reason: n}).
# Reviewed against the raw files: e.g. marc4j's pride-and-prejudice-with-many-errors
# has 51 records without an 001 and 16 with a broken directory; traject's OAI-PMH
# samples carry Dublin Core, not MARC; test_data.utf8.* has one deleted record
# (leader/05 d); brkrtest.mrk is MARCMaker text and the .gz is compressed.
EXPECTED = {
    "marc4j/008008027.mrc": ("marc", 18, 0, {"truncated": 1}),
    "marc4j/065001035.mrc": ("marc", 40, 0, {}),
    "marc4j/1474920681_KOHA_LFL_5.xml": ("marcxml", 1, 0, {}),
    "marc4j/1474920681_KOHA_LFL_6_with_comment.xml": ("marcxml", 1, 0, {}),
    "marc4j/185258.mrc": ("marc", 0, 0, {"bad_encoding": 1}),
    "marc4j/54-56-008008027.mrc": ("marc", 5, 0, {}),
    "marc4j/OCLC_814388508.xml": ("marcxml", 1, 0, {}),
    "marc4j/azdoud.xml": ("marcxml", 1, 0, {}),
    "marc4j/bad-characters-in-various-fields.mrc": ("marc", 1, 0, {}),
    "marc4j/bad_hathi_records.mrc": ("marc", 4, 0, {"bad_leader": 1}),
    "marc4j/bad_leaders_10_11.mrc": ("marc", 1, 0, {}),
    "marc4j/bad_oversize_field_bad_directory.mrc": ("marc", 4, 0, {"bad_directory": 1}),
    "marc4j/bad_too_long_plus_2.mrc": ("marc", 2, 0, {"bad_directory": 1}),
    "marc4j/brkrtest.mrc": ("marc", 8, 0, {}),
    "marc4j/brkrtest.mrk": ("unknown", 0, 0, {"unknown_format": 1}),
    "marc4j/brkrtest_UTF8.mrc": ("marc", 8, 0, {}),
    "marc4j/chabon-bad-subfields-element.xml": ("marcxml", 0, 0, {"bad_subfield": 1}),
    "marc4j/chabon-loc.mrc": ("marc", 2, 0, {}),
    "marc4j/chabon-missing-controlfield-tag.xml": ("marcxml", 0, 0, {"bad_tag": 1}),
    "marc4j/chabon-missing-datafield-tag.xml": ("marcxml", 0, 0, {"bad_subfield": 1}),
    "marc4j/chabon-missing-subfield-code.xml": ("marcxml", 0, 0, {"bad_subfield": 1}),
    "marc4j/chabon-record-type-bad.xml": ("marcxml", 2, 0, {}),
    "marc4j/chabon-record-type.xml": ("marcxml", 2, 0, {}),
    "marc4j/chabon.mrc": ("marc", 2, 0, {}),
    "marc4j/chabon.xml": ("marcxml", 2, 0, {}),
    "marc4j/chinese_mangled_multibyte.mrc": ("marc", 3, 0, {"bad_encoding": 1}),
    "marc4j/cruel-cruel-indicatorless-summerland.xml": ("marcxml", 1, 0, {}),
    "marc4j/cyrillic_capital_e.mrc": ("marc", 2, 0, {}),
    "marc4j/datos-20161010-slice.mrc": ("marc", 0, 0, {"bad_leader": 1}),
    "marc4j/dp_004015001.mrc": ("marc", 3, 0, {}),
    "marc4j/field700_4_test.mrc": ("marc", 2, 0, {}),
    "marc4j/getty_test_1.mrc": ("marc", 1, 0, {}),
    "marc4j/getty_test_output.mrc": ("marc", 1, 0, {}),
    "marc4j/greekmissingcharsetchange.mrc": ("marc", 2, 0, {"bad_encoding": 1}),
    "marc4j/incomplete_esc_seq.mrc": ("marc", 0, 0, {"bad_encoding": 1}),
    "marc4j/kan1222221.mrc": ("marc", 1, 0, {}),
    "marc4j/loongboonmee.mrc": ("marc", 2, 0, {}),
    "marc4j/not_unimarc_errors_3.mrc": ("marc", 0, 0, {"bad_encoding": 3}),
    "marc4j/oclc_63111280_export_as_UTF8_from_connexion.mrc": ("marc", 1, 0, {}),
    "marc4j/pride-and-prejudice-fixed.mrc": ("marc", 315, 0, {"missing_id": 51, "missing_title": 17}),
    "marc4j/pride-and-prejudice-with-many-errors.mrc": ("marc", 297, 0, {"bad_directory": 16, "bad_encoding": 2, "missing_id": 51, "missing_title": 17}),
    "marc4j/rec1.mrc": ("marc", 1, 0, {}),
    "marc4j/rec2.mrc": ("marc", 1, 0, {}),
    "marc4j/rec3.mrc": ("marc", 1, 0, {}),
    "marc4j/sample1.mrc": ("marc", 3, 0, {"bad_encoding": 1, "missing_title": 4}),
    "marc4j/sample1a.xml": ("marcxml", 4, 0, {"missing_title": 5}),
    "marc4j/selectedRecs.mrc": ("marc", 11, 0, {}),
    "marc4j/summerland-record-with-type.xml": ("marcxml", 1, 0, {}),
    "marc4j/summerland-record.xml": ("marcxml", 1, 0, {}),
    "marc4j/summerland.mrc": ("marc", 1, 0, {}),
    "marc4j/summerland.xml": ("marcxml", 1, 0, {}),
    "marc4j/summerlandwith710.xml": ("marcxml", 1, 0, {}),
    "marc4j/u17_utf8.mrc": ("marc", 1, 0, {}),
    "marc4j/u335.mrc": ("marc", 1, 0, {}),
    "marc4j/unordered-directory-entries.mrc": ("marc", 1, 0, {}),
    "pymarc/1251.dat": ("marc", 0, 0, {"bad_encoding": 6}),
    "pymarc/alphatag.dat": ("marc", 1, 0, {}),
    "pymarc/bad_eacc_encoding.dat": ("marc", 0, 0, {"bad_encoding": 1}),
    "pymarc/bad_indicator.dat": ("marc", 1, 0, {}),
    "pymarc/bad_marc8_escape.dat": ("marc", 0, 0, {"bad_encoding": 1}),
    "pymarc/bad_subfield_code.dat": ("marc", 0, 0, {"bad_directory": 1}),
    "pymarc/bad_tag.xml": ("marcxml", 0, 0, {"bad_tag": 1}),
    "pymarc/batch.json": ("marcjson", 2, 0, {}),
    "pymarc/batch.xml": ("marcxml", 2, 0, {}),
    "pymarc/diacritic.dat": ("marc", 1, 0, {}),
    "pymarc/marc.dat": ("marc", 20, 0, {}),
    "pymarc/marc8-to-unicode.dat": ("marc", 1, 0, {}),
    "pymarc/marc8.dat": ("marc", 1, 0, {}),
    "pymarc/multi_isbn.dat": ("marc", 1, 0, {}),
    "pymarc/one.dat": ("marc", 1, 0, {}),
    "pymarc/one.json": ("marcjson", 1, 0, {}),
    "pymarc/regression45.dat": ("marc", 12, 0, {}),
    "pymarc/test.dat": ("marc", 10, 0, {}),
    "pymarc/test.json": ("marcjson", 1, 0, {}),
    "pymarc/test_marc8.txt": ("unknown", 0, 0, {"unknown_format": 1}),
    "pymarc/test_utf8.txt": ("unknown", 0, 0, {"unknown_format": 1}),
    "pymarc/testunimarc.dat": ("marc", 0, 0, {"missing_title": 1}),
    "pymarc/utf8.xml": ("marcxml", 1, 0, {}),
    "pymarc/utf8_errors.dat": ("marc", 1, 0, {}),
    "pymarc/utf8_with_leader_flag.dat": ("marc", 1, 0, {}),
    "pymarc/utf8_without_leader_flag.dat": ("marc", 1, 0, {}),
    "traject/245_no_ab.marc": ("marc", 1, 0, {}),
    "traject/880_with_no_6.utf8.marc": ("marc", 1, 0, {}),
    "traject/bad_subfield_code.marc": ("marc", 1, 0, {}),
    "traject/bad_utf_byte.utf8.marc": ("marc", 0, 0, {"bad_encoding": 1}),
    "traject/date_resort_to_260.marc": ("marc", 1, 0, {}),
    "traject/date_resort_to_264.marc": ("marc", 1, 0, {}),
    "traject/date_type_r_missing_date2.marc": ("marc", 1, 0, {}),
    "traject/date_with_u.marc": ("marc", 1, 0, {}),
    "traject/emptyish_record.marc": ("marc", 1, 0, {}),
    "traject/escaped_character_reference.marc8.marc": ("marc", 0, 0, {"missing_title": 1}),
    "traject/george_eliot.marc": ("marc", 1, 0, {}),
    "traject/hebrew880s.marc": ("marc", 1, 0, {}),
    "traject/iso639-3_lang.marc": ("marc", 1, 0, {}),
    "traject/louis_armstrong.marc": ("marc", 1, 0, {}),
    "traject/manufacturing_consent.marc": ("marc", 1, 0, {}),
    "traject/manuscript_online_thesis.marc": ("marc", 1, 0, {}),
    "traject/microform_online_conference.marc": ("marc", 1, 0, {}),
    "traject/missing-second-date.marc": ("marc", 1, 0, {}),
    "traject/multi_era.marc": ("marc", 1, 0, {}),
    "traject/multi_geo.marc": ("marc", 1, 0, {}),
    "traject/musical_cage.marc": ("marc", 1, 0, {}),
    "traject/namespace-test.xml": ("unknown", 0, 0, {"unknown_format": 1}),
    "traject/nature.marc": ("marc", 1, 0, {}),
    "traject/oai-pmh-one-record-2.xml": ("marcxml", 0, 0, {"not_marc": 1}),
    "traject/oai-pmh-one-record-first.xml": ("marcxml", 0, 0, {"not_marc": 1}),
    "traject/one-marc8.mrc": ("marc", 1, 0, {}),
    "traject/online_only.marc": ("marc", 1, 0, {}),
    "traject/packed_041a_lang.marc": ("marc", 1, 0, {}),
    "traject/sample-oai-no-namespace.xml": ("marcxml", 0, 0, {"not_marc": 10}),
    "traject/sample-oai-pmh.xml": ("marcxml", 0, 0, {"not_marc": 10}),
    "traject/test_data.utf8.json": ("marcjson", 29, 1, {}),
    "traject/test_data.utf8.marc.xml": ("marcxml", 29, 1, {}),
    "traject/test_data.utf8.mrc": ("marc", 29, 1, {}),
    "traject/test_data.utf8.mrc.gz": ("unknown", 0, 0, {"unknown_format": 1}),
    "traject/the_business_ren.marc": ("marc", 1, 0, {}),
}


def test_every_odd_file_through_the_job(spark, base_settings, tmp_path):
    settings = base_settings.replace(home=str(tmp_path))
    report = catalogue_job.run(settings, [str(ODD)], spark=spark)

    by_name = {str(Path(f).relative_to(ODD.resolve())): e
               for f, e in report["by_file"].items()}
    assert set(by_name) == set(EXPECTED)
    for name, (fmt, written, deletions, reasons) in EXPECTED.items():
        entry = by_name[name]
        assert entry["format"] == fmt, name
        assert entry["written"] == written + deletions, name
        assert entry["quarantine_reasons"] == reasons, name
        assert entry["seen"] == entry["written"] + entry["quarantined"], name
    assert report["seen"] == report["written"] + report["quarantined"]
    # traject's test_data.utf8 comes as .json, .marc.xml and .mrc: the .mrc is read last
    # (file order), so its copy of the deleted record is the one that counts.
    assert report["deleted"] == 1
    assert by_name["traject/test_data.utf8.mrc"]["deleted"] == 1
    assert by_name["traject/test_data.utf8.json"]["duplicates"] == 30
