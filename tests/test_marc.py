"""MARC21 -> canonical record, on real records from the files bundled in the repository."""

import collections
import logging
from pathlib import Path

import pytest

from ingest import schema
from ingest.marc import decode, is_deleted, map_raw, record_id, to_canonical
from ingest.quarantine import InvalidRecord, RecordError, UnreadableRecord

ROOT = Path(__file__).resolve().parents[1]
MIXED_1000 = ROOT / "tests" / "data" / "loc-books-2016" / "mixed-1000.mrc"
MIXED_10000 = ROOT / "tests" / "data" / "loc-books-2016" / "mixed-10000.mrc"
ODD = ROOT / "tests" / "data" / "odd-marc"


@pytest.fixture(autouse=True)
def _quiet_pymarc():
    # pymarc logs every odd indicator; the sweeps below would print thousands of lines.
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


def records(path: Path) -> list[bytes]:
    """Raw records split on the terminator (kept); a trailing fragment is kept too."""
    chunks = path.read_bytes().split(b"\x1d")
    out = [chunk + b"\x1d" for chunk in chunks[:-1]]
    if chunks[-1]:
        out.append(chunks[-1])
    return out


def odd(name: str, index: int = 0) -> bytes:
    return records(ODD / name)[index]


def by_control_number(path: Path, number: str) -> bytes:
    for raw in records(path):
        rec = decode(raw)
        if rec["001"].data.strip() == number:
            return raw
    raise LookupError(number)


def without_hash(record: dict) -> dict:
    assert len(record["content_hash"]) == 64
    assert record["content_hash"] == schema.content_hash(record)
    return {k: v for k, v in record.items() if k != "content_hash"}


# --- exact records ----------------------------------------------------------------------

def test_english_lc_record():
    record = map_raw(by_control_number(MIXED_1000, "00000002"))
    assert without_hash(record) == {
        "id": "DLC:00000002",
        "source": "DLC",
        "title": "Botanical materia medica and pharmacology; drugs considered from a "
                 "botanical, pharmaceutical, physiological, therapeutical and "
                 "toxicological standpoint",
        "title_original": None,
        "authors": ["Aurand, Samuel Herbert, 1854-"],
        "authors_original": [],
        "subjects": ["Botany, Medical", "Homeopathy -- Materia medica and therapeutics"],
        "subjects_original": [],
        "subject_terms": ["Botany, Medical", "Homeopathy",
                          "Homeopathy -- Materia medica and therapeutics"],
        "lcc": "RX671 .A92",
        "lcc_class": "RX",
        "lcc_outline": ["RX1-681", "RX601-675"],
        "lcc_label": "Materia medica and therapeutics",
        "ddc": None,
        "kdc": None,
        "kdc_division": None,
        "call_number": None,
        "year": 1899,
        "year_end": 1899,
        "language": "eng",
        "language_name": "English",
        "publisher": "P. H. Mallen Company",
        "publisher_original": None,
        "place": "Chicago",
        "place_original": None,
        "isbn": [],
        "summary": None,
        "folded": "botanical materia medica and pharmacology; drugs considered from a "
                  "botanical, pharmaceutical, physiological, therapeutical and "
                  "toxicological standpoint | aurand, samuel herbert, 1854- | "
                  "botany, medical | homeopathy -- materia medica and therapeutics",
    }
    assert list(record) == list(schema.FIELDS)


def test_korean_record_with_hangul_880s():
    """LC 00272142: romanised 245/260/710 linked to Hangul 880s with U+3000 spacing.

    The title keeps the " : " between title proper ($a) and remainder ($b), as LC
    displays it; only the " /" before the dropped $c and the end are trimmed.
    """
    record = map_raw(by_control_number(MIXED_1000, "00272142"))
    assert without_hash(record) == {
        "id": "DLC:00272142",
        "source": "DLC",
        "title": "Chisik kyŏngyŏng kwa Hanʼguk ŭi mirae : Chisik Kyn̆gyŏng Simpʻojiŏm "
                 "palpʻyojip",
        "title_original": "지식\u3000경영\u3000과\u3000한국\u3000의\u3000미래 : "
                          "지식\u3000경영\u3000심포지엄\u3000발표집",
        "authors": ["Samsŏng Kyŏngje Yŏnʼguso"],
        "authors_original": ["삼성\u3000경제\u3000연구소"],
        "subjects": ["Creative ability in business", "Knowledge management",
                     "Technological innovations -- Management", "Organizational learning"],
        "subjects_original": [],
        "subject_terms": ["Creative ability in business", "Knowledge management",
                          "Technological innovations",
                          "Technological innovations -- Management",
                          "Organizational learning"],
        "lcc": "HD53 .C483 1999",
        "lcc_class": "HD",
        "lcc_outline": ["HD28-9999", "HD28-70"],
        "lcc_label": "Management. Industrial management",
        "ddc": None,
        "kdc": None,
        "kdc_division": None,
        "call_number": None,
        "year": 1999,
        "year_end": 1999,
        "language": "kor",
        "language_name": "Korean",
        "publisher": "Samsŏng Kyŏngje Yŏnʼguso",
        "publisher_original": "삼성\u3000경제\u3000연구소",
        "place": "Sŏul-si",
        "place_original": "서울시",
        "isbn": ["8976330714"],
        "summary": None,
        "folded": "chisik kyongyong kwa hanguk ui mirae : chisik kyngyong simpojiom "
                  "palpyojip | samsong kyongje yonguso | creative ability in business | "
                  "knowledge management | technological innovations -- management | "
                  "organizational learning",
    }
    # LC stores the diacritics decomposed; the record is NFC ("ŏ" is one code point).
    assert "\u014f" in record["title"] and "o\u0306" not in record["title"]
    assert "지식　경영　과　한국　의　미래" in record["title_original"]


def test_chinese_record_with_hanzi_880s():
    """LC 00272431: the statement of responsibility hides in 245 $p after " / "."""
    record = map_raw(by_control_number(MIXED_1000, "00272431"))
    assert record["id"] == "DLC:00272431"
    assert record["title"] == (
        "Zhongguo ren wen she hui ke xue bo shi shuo shi wen ku. Li shi xue juan = "
        "A Chinese library of works by doctors and masters on humanities and social "
        "sciences. History")
    assert record["title_original"] == (
        "中国人文社会科学博士硕士文库. 歷史学卷 = A Chinese library of works by doctors "
        "and masters on humanities and social sciences. History")
    assert record["publisher"] == "Zhejiang jiao yu chu ban she"
    assert record["publisher_original"] == "浙江教育出版社"
    assert record["place"] == "Hangzhou Shi"
    assert record["place_original"] == "杭州市"
    assert record["language"] == "chi"
    assert record["year"] == 1998
    assert record["isbn"] == ["7533832248"]
    assert record["subjects"] == ["World history", "World politics",
                                  "Dissertations, Academic -- China", "China -- History",
                                  "China -- Politics and government"]


# --- encodings --------------------------------------------------------------------------

def test_marc8_diacritics_become_unicode():
    record = map_raw(odd("traject/one-marc8.mrc"))
    assert record["title"] == ("Por uma outra globalização : do pensamemto único à "
                               "consciência universal")
    assert record["authors"] == ["Santos, Mílton"]
    assert record["place"] == "Rio de Janeiro"
    assert record["year"] == 2000
    assert record["language"] == "por"
    assert record["folded"].startswith("por uma outra globalizacao : do pensamemto unico")


def test_marc8_record_decodes_to_unicode_record():
    rec = decode(odd("pymarc/marc8.dat"))
    assert rec["240"]["a"] == "De la solitude à la communauté."
    assert rec.leader[9] == "a"


def test_utf8_bytes_under_a_marc8_leader_are_read_as_utf8():
    raw = odd("pymarc/utf8_without_leader_flag.dat")
    assert raw[9:10] == b" "
    rec = decode(raw)
    assert rec["240"]["a"] == "De la solitude à la communauté."
    assert rec["500"]["a"] == "Translation of De la solitude à la communauté."


def test_same_record_in_marc8_and_utf8_maps_the_same():
    marc8 = without_hash(map_raw(odd("pymarc/marc8.dat")))
    utf8 = without_hash(map_raw(odd("pymarc/utf8_without_leader_flag.dat")))
    flagged = without_hash(map_raw(odd("pymarc/utf8_with_leader_flag.dat")))
    assert marc8 == utf8 == flagged
    assert marc8["title"] == "Escape from loneliness"
    assert marc8["authors"] == ["Tournier, Paul"]
    assert marc8["subjects"] == ["Loneliness", "Self", "Social psychology", "Social Isolation"]
    assert marc8["lcc"] == "BF697 .T623"


def test_marc8_numeric_character_references_become_characters():
    """marc4j greekmissingcharsetchange.mrc: record 1 (MARC-8) carries its Greek as
    "&#x0397;" escapes, record 2 is the same title in UTF-8."""
    expected = ("Η αγορά στη Μεσόγειο : από τους Ομηρικούς έως τους Ρωμαϊκούς χρόνους : "
                "Διεθνές επιστημονικό συνέδριο, Κως, 14-17 Απριλίου 2011 = The agora in the "
                "Mediterranean : from Homeric to Roman times : International conference, "
                "Kos, 14-17 April 2011")
    assert map_raw(odd("marc4j/greekmissingcharsetchange.mrc", 1))["title_original"] == expected
    assert map_raw(odd("marc4j/greekmissingcharsetchange.mrc", 2))["title_original"] == expected


def test_marc8_cyrillic_with_spaces():
    """pymarc's Cyrillic table lacks the space; it complains but decodes correctly."""
    record = map_raw(odd("marc4j/cyrillic_capital_e.mrc"))
    assert record["title"] == "Vor, shpion i ubiĭt︠s︡a"
    assert record["title_original"] == "Вор, шпион и убийца"
    assert record["authors"] == ["Buĭda, I︠U︡riĭ"]


# --- dates, links, titles ---------------------------------------------------------------

@pytest.mark.parametrize("name, years", [
    ("traject/date_resort_to_260.marc", (1980, 1980)),  # 008 "19uu", 260 $c "1980-"
    ("traject/date_resort_to_264.marc", (2015, 2015)),  # 008 "20uu", 264 _1 2015 beats 260 2014
    ("traject/date_with_u.marc", (1840, 1849)),         # 008 "184u", 260 without $c
    ("traject/245_no_ab.marc", (1917, 1917)),           # 008 type m, date 1 1917
])
def test_year(name, years):
    record = map_raw(odd(name))
    assert (record["year"], record["year_end"]) == years


@pytest.mark.parametrize("number, years", [
    ("00365682", (1990, 1999)),   # 008 "199u", 260 $c "[199-?]"
    ("00305627", (1990, 1999)),   # 008 "uuuu", 260 $c "[199?]"
    ("00528836", (1990, 1999)),   # 008 "19uu", 260 $c "[199-]": the narrower wins
    ("00470594", (1700, 1799)),   # 008 "17uu", 260 $c "[17--?]"
    ("00303128", (1999, 1999)),   # 008 "uuuu", 260 $c "<1999-   >"
    ("00319189", (None, None)),   # 008 blank, 260 without $c
])
def test_uncertain_dates_become_ranges(number, years):
    record = map_raw(by_control_number(MIXED_10000, number))
    assert (record["year"], record["year_end"]) == years


def test_880_without_subfield_6_is_ignored():
    """traject 880_with_no_6: the 880 for 110 has $7 instead of $6 and links nowhere."""
    record = map_raw(odd("traject/880_with_no_6.utf8.marc"))
    assert record["title"] == ("Lichnye arkhivnye fondy v gosudarstvennykh khranilishchakh "
                               "SSSR; ukazatelʹ")
    assert record["title_original"] == ("Личные архивные фонды в государственных "
                                        "хранилищах СССР; указатель")
    assert record["authors"] == ["Soviet Union. Glavnoe arkhivnoe upravlenie",
                                 "Gerasimova, I͡U. I. (I͡Ulii͡a Ivanovna)",
                                 "Kolosova, E. V.", "Volkova, N. B."]
    assert record["authors_original"] == ["Колосова, Э. В."]
    assert record["place"] == "Moska"
    assert record["place_original"] == "Моска"
    assert record["publisher"] is None
    assert record["year"] == 1963
    assert record["language"] == "rus"


def test_title_from_245_k_when_there_is_no_a():
    """traject 245_no_ab.marc: an archival record whose 245 is only "$kPapers."."""
    record = map_raw(odd("traject/245_no_ab.marc"))
    assert record["title"] == "Papers"
    assert record["subjects"] == ["Longcope, Warfield T. (Warfield Theobald), 1877-1953"]


def test_imprint_prefers_264_publication_and_cleans_isbns():
    record = map_raw(odd("traject/date_resort_to_264.marc"))
    assert record["publisher"] == "Hurst & Company"
    assert record["place"] == "London"
    assert record["isbn"] == ["9781849043427", "1849043426"]
    assert record["ddc"] == "954.6"
    assert record["lcc"] == "DS485.K25 S64 2015"
    assert record["subjects"][0] == "Jammu and Kashmir (India) -- History"


def test_source_and_id_from_003_and_001():
    lc = map_raw(odd("pymarc/utf8_errors.dat"))
    assert (lc["id"], lc["source"]) == ("DLC:2001700030", "DLC")
    local = map_raw(odd("traject/one-marc8.mrc"), default_source="JHU")
    assert (local["id"], local["source"]) == ("JHU:2196384", "JHU")


def test_to_canonical_takes_a_decoded_record():
    rec = decode(odd("pymarc/utf8_errors.dat"))
    record = to_canonical(rec)
    assert record["title"] == "[Imperial military middle school, Ṣanʻāʾ]"
    assert record["subjects"] == ["Military education -- Yemen -- Ṣanʻāʾ -- 1880-1900",
                                  "Schools -- Yemen -- Ṣanʻāʾ -- 1880-1900",
                                  "Albumen prints -- 1880-1900"]
    assert record["language"] == "ota"
    assert record["year"] == 1880


def test_leader_without_positions_10_and_11_is_still_read():
    """marc4j bad_leaders_10_11.mrc: leader/05-11 blank and an 81-character 008 that
    swallowed a leader. Everything this schema reads is intact, so it maps; the 008's
    language position is blank and the year comes from 260 $c "c2005"."""
    record = map_raw(odd("marc4j/bad_leaders_10_11.mrc"))
    assert record["title"] == ("Sammlung : Kunst der Gegenwart in K21 Kunstsammlung "
                               "Nordrhein-Westfalen, Düsseldorf")
    assert record["place"] == "Düsseldorf"
    assert record["year"] == 2005
    assert record["language"] is None
    assert record["isbn"] == ["3926154780", "3832175679"]


# --- bad records ------------------------------------------------------------------------

@pytest.mark.parametrize("name, index, error, reason", [
    ("pymarc/bad_eacc_encoding.dat", 0, UnreadableRecord, "bad_encoding"),
    ("pymarc/bad_marc8_escape.dat", 0, UnreadableRecord, "bad_encoding"),
    # UTF-8 "á" counted as one byte in the directory: every later field is shifted
    ("pymarc/bad_subfield_code.dat", 0, UnreadableRecord, "bad_directory"),
    ("pymarc/1251.dat", 0, UnreadableRecord, "bad_encoding"),          # Windows-1251
    ("traject/bad_utf_byte.utf8.marc", 0, UnreadableRecord, "bad_encoding"),
    ("marc4j/incomplete_esc_seq.mrc", 0, UnreadableRecord, "bad_encoding"),
    ("marc4j/bad_hathi_records.mrc", 3, UnreadableRecord, "bad_leader"),  # base 99999
    ("marc4j/bad_oversize_field_bad_directory.mrc", 1, UnreadableRecord, "bad_directory"),
    ("marc4j/008008027.mrc", 18, UnreadableRecord, "truncated"),       # file cut at 64 KiB
    ("pymarc/bad_indicator.dat", 1, UnreadableRecord, "truncated"),    # space padding
    ("marc4j/pride-and-prejudice-fixed.mrc", 14, InvalidRecord, "missing_id"),
    ("marc4j/pride-and-prejudice-fixed.mrc", 132, InvalidRecord, "missing_title"),  # UNIMARC
    ("traject/escaped_character_reference.marc8.marc", 0, InvalidRecord, "missing_title"),
])
def test_bad_records_raise_with_a_reason(name, index, error, reason):
    with pytest.raises(error) as caught:
        map_raw(odd(name, index))
    assert caught.value.reason == reason
    assert str(caught.value)


def test_the_readable_record_in_a_bad_file_still_maps():
    record = map_raw(odd("pymarc/bad_indicator.dat", 0))
    assert record["title"] == "Aristocrats of color : the Black elite, 1880-1920"
    assert record["authors"] == ["Gatewood, Willard B."]
    assert record["isbn"] == ["0253325528"]


@pytest.mark.parametrize("raw, reason", [
    (b"", "truncated"),
    (b"\x1d", "truncated"),
    (b"not a marc record at all, but long enough\x1d", "bad_leader"),
])
def test_garbage_is_unreadable(raw, reason):
    with pytest.raises(UnreadableRecord) as caught:
        decode(raw)
    assert caught.value.reason == reason


def test_a_cut_record_is_truncated():
    raw = by_control_number(MIXED_1000, "00272142")
    with pytest.raises(UnreadableRecord) as caught:
        decode(raw[:-200] + b"\x1d")
    assert caught.value.reason == "truncated"


def test_every_odd_record_maps_or_raises_a_record_error():
    outcomes = collections.Counter()
    for path in sorted(ODD.glob("*/*")):
        if path.suffix not in {".mrc", ".dat", ".marc"}:
            continue
        for raw in records(path):
            try:
                map_raw(raw)
                outcomes["mapped"] += 1
            except RecordError as exc:
                outcomes[exc.reason] += 1
    assert outcomes["mapped"] > 800
    assert set(outcomes) <= {"mapped", "truncated", "bad_leader", "bad_directory",
                             "no_fields", "bad_encoding", "unparseable", "missing_id",
                             "missing_title"}


def test_mixed_10000_all_map():
    outcomes = collections.Counter()
    ids = set()
    for raw in records(MIXED_10000):
        try:
            record = map_raw(raw)
        except RecordError as exc:
            outcomes[exc.reason] += 1
            continue
        outcomes["mapped"] += 1
        ids.add(record["id"])
        assert record["title"] and record["id"].startswith("DLC:")
    # LC's own 2016 distribution: every record is readable and complete enough.
    assert outcomes == {"mapped": 10000}
    assert len(ids) == 10000


# --- deleted records --------------------------------------------------------------------

def test_a_deleted_record_is_recognised_and_keeps_its_id():
    """traject test_data.utf8.mrc record 3: leader/05 "d", 001 " 00314247 ", 003 DLC."""
    rec = decode(odd("traject/test_data.utf8.mrc", 3))
    assert rec.leader[5] == "d"
    assert is_deleted(rec)
    assert record_id(rec, "local") == "DLC:00314247"
    assert not is_deleted(decode(odd("traject/test_data.utf8.mrc", 2)))


def test_record_id_needs_an_001():
    rec = decode(odd("marc4j/pride-and-prejudice-fixed.mrc", 14))
    with pytest.raises(InvalidRecord) as caught:
        record_id(rec)
    assert caught.value.reason == "missing_id"
