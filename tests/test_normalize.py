"""The small text helpers, on strings taken from the real records they were written for."""

import pytest

from ingest import normalize as n


@pytest.mark.parametrize("text, expected", [
    # 245 $a and $b of LC 00272142 (tests/data/loc-books-2016/mixed-1000.mrc)
    ("Chisik kyŏngyŏng kwa Hanʼguk ŭi mirae :", "Chisik kyŏngyŏng kwa Hanʼguk ŭi mirae"),
    ("Chisik Kyn̆gyŏng Simpʻojiŏm palpʻyojip /", "Chisik Kyn̆gyŏng Simpʻojiŏm palpʻyojip"),
    ("Samsŏng Kyŏngje Yŏnʼguso.", "Samsŏng Kyŏngje Yŏnʼguso"),
    ("Sŏul-si :", "Sŏul-si"),
    ("Samsŏng Kyŏngje Yŏnʼguso,", "Samsŏng Kyŏngje Yŏnʼguso"),
    ("Lichnye arkhivnye fondy v gosudarstvennykh khranilishchakh SSSR;",
     "Lichnye arkhivnye fondy v gosudarstvennykh khranilishchakh SSSR"),
    ("Bruce, Blanche Kelso, 1841-1898.", "Bruce, Blanche Kelso, 1841-1898"),
    ("Korea (North)", "Korea (North)"),
    ("1994-", "1994-"),
    ("Title =", "Title"),
    # periods that belong to the last word
    ("Gatewood, Willard B.", "Gatewood, Willard B."),
    ("IMS America Ltd.", "IMS America Ltd."),
    ("Globe Bible publishing co.", "Globe Bible publishing co."),
    ("Washington, D.C. :", "Washington, D.C."),
    ("Philadelphia, Pa.,", "Philadelphia, Pa."),
    ("Mathematics Problems, exercises, etc.", "Mathematics Problems, exercises, etc."),
    ("in search of sport and gems and gold...", "in search of sport and gems and gold..."),
    ("What hatches?", "What hatches?"),
    # doubled periods (mixed-10000 LC 00272185; marc4j pride-and-prejudice-fixed.mrc)
    ("China..", "China"),
    ("Marsak, I..", "Marsak, I."),
    # right-to-left 880s: RLM around each subfield, Arabic comma (mixed-10000 LC 00282975,
    # 00282809)
    ("\u200fالقصص القرآني /\u200f", "القصص القرآني"),
    ("\u200fفدراسيون آزاد ملى،\u200f", "فدراسيون آزاد ملى"),
    ("Heads up!", "Heads up!"),
    ("  ", None),
    (" :", None),
    (None, None),
])
def test_trim_isbd(text, expected):
    assert n.trim_isbd(text) == expected
    assert n.trim_isbd(expected) == expected      # idempotent: build trims again


@pytest.mark.parametrize("text, expected", [
    ("[Sŏul] :", "Sŏul"),
    ("[Washington, D.C.] :", "Washington, D.C."),
    ("Cambridge [Eng.]", "Cambridge [Eng.]"),
    ("[S.l. :", None),
    ("[s.n.],", None),
    ("[publisher not identified]", None),
    ("Hurst & Company,", "Hurst & Company"),
])
def test_trim_brackets(text, expected):
    assert n.trim_brackets(text) == expected


@pytest.mark.parametrize("field_008, expected", [
    ("000114s1999    ko a     b    000 0 kor  ", "1999"),  # LC 00272142
    ("880525d184u18uuenkmr p       0   a0eng d", "184u"),  # traject date_with_u
    ("      m19171950xx                  eng d", "1917"),  # traject 245_no_ab
    ("short", None),
    (None, None),
])
def test_date1_008_is_positions_07_to_10_as_written(field_008, expected):
    assert n.date1_008(field_008) == expected


@pytest.mark.parametrize("value, expected", [
    ("1999", (1999, 1999)),
    (1999, (1999, 1999)),
    ("199u", (1990, 1999)),          # a decade: never 199
    ("184u", (1840, 1849)),          # traject date_with_u
    ("20uu", (2000, 2024 + 5)),      # traject date_resort_to_264: capped at now + 5
    ("19uu", (1900, 1999)),          # traject date_resort_to_260
    ("uuuu", (None, None)),
    ("1uuu", (None, None)),          # a millennium says nothing
    ("    ", (None, None)),
    ("||||", (None, None)),
    ("0000", (None, None)),
    ("9999", (None, None)),
    (0, (None, None)),
    (2099, (None, None)),
    ("c1999.", (1999, 1999)),
    ("[1999?]", (1999, 1999)),
    ("[199-?]", (1990, 1999)),
    ("[19--?]", (1900, 1999)),
    ("[199?]", (1990, 1999)),
    ("1962 [i.e. 1963]-<80 >", (1962, 1962)),   # traject 880_with_no_6
    ("", (None, None)),
    (None, (None, None)),
    (True, (None, None)),
])
def test_year_range(value, expected):
    assert n.year_range(value, now_year=2024) == expected


@pytest.mark.parametrize("text, expected", [
    ("1999.", 1999),
    ("c2005.", 2005),
    ("©2015", 2015),
    ("1962 [i.e. 1963]-<80 >", 1962),       # traject 880_with_no_6
    ("[between 1880 and 1893]", 1880),      # pymarc utf8_errors.dat
    ("[199-?]", None),
    ("12345", None),
    ("", None),
    (None, None),
])
def test_year_from_text(text, expected):
    assert n.year_from_text(text, now_year=2024) == expected


def test_year_from_text_rejects_the_far_future():
    assert n.year_from_text("2099", now_year=2024) is None
    assert n.year_from_text("2029", now_year=2024) == 2029


@pytest.mark.parametrize("text, expected", [
    ("8976330714", "8976330714"),                                    # LC 00272142
    ("0471383147 (paper/cd-rom : alk. paper)", "0471383147"),        # pymarc bad_subfield_code
    ("9781849043427 (pbk.)", "9781849043427"),                      # traject date_resort_to_264
    ("7533832248 (set)", "7533832248"),                              # LC 00272431
    ("0-8108-3416-0", "0810834160"),
    ("080442957x", "080442957X"),
    ("(v. 2)", None),
    ("12345", None),
    (None, None),
])
def test_clean_isbn(text, expected):
    assert n.clean_isbn(text) == expected


def test_clean_ddc_drops_segmentation_marks():
    assert n.clean_ddc("973/.0496073") == "973.0496073"     # pymarc bad_indicator.dat
    assert n.clean_ddc("352.2/932/0973") == "352.29320973"  # traject date_resort_to_260


@pytest.mark.parametrize("text, expected", [
    ("Chisik kyŏngyŏng kwa Hanʼguk ŭi mirae", "chisik kyongyong kwa hanguk ui mirae"),
    ("Chisik Kyn̆gyŏng Simpʻojiŏm palpʻyojip", "chisik kyngyong simpojiom palpyojip"),
    ("[Imperial military middle school, Ṣanʻāʾ]", "[imperial military middle school, sana]"),
    ("ukazatelʹ", "ukazatel"),
    ("Gerasimova, I͡U. I.", "gerasimova, iu. i."),
    ("Łódź Øresund Æsir Straße Đurđević Istanbul ılık", "lodz oresund aesir strasse durdevic istanbul ilik"),
    ("Bartholomæus", "bartholomaeus"),
    # other scripts are left as they are, marks and case included
    ("Личные архивные фонды", "Личные архивные фонды"),
    ("Ёлка й", "Ёлка й"),
    ("지식\u3000경영", "지식\u3000경영"),
    ("中国人文社会科学", "中国人文社会科学"),
    ("", ""),
    (None, ""),
])
def test_fold(text, expected):
    assert n.fold(text) == expected


def test_fold_result_of_romanised_text_is_ascii():
    assert n.fold("Hē agora stē Mesogeio : apo tous Homērikous").isascii()


def test_nfc_composes_lc_decomposed_diacritics():
    decomposed = "kyo\u0306ngyo\u0306ng"
    assert n.nfc(decomposed) == "ky\u014fngy\u014fng"
    assert n.nfc("ky\u014fngy\u014fng") == "ky\u014fngy\u014fng"
    assert n.nfc("plain") == "plain"
    assert n.nfc(None) is None


@pytest.mark.parametrize("text", [
    # a combining mark NFC cannot compose, after Latin (dropped) and after Cyrillic (kept)
    "Chisik Kyn\u0306gyo\u0306ng", "I\u0361U. I.", "\u0416\u0306", "\u0306 lone mark first",
    "Tab\tand  spaces ", "O'Brien, Flann", "ǅemal Ǳ", "ﬁne ﬂour", "Ｆｕｌｌｗｉｄｔｈ",
])
def test_fold_fast_paths_agree_with_the_letter_by_letter_rule(text):
    assert n.fold(text) == _fold_slowly(text)


def _fold_slowly(text):
    """The rule as first written: one character at a time."""
    import re
    import unicodedata
    out, latin_base = [], False
    for ch in unicodedata.normalize("NFC", text):
        if ch in n._DROPPED:
            continue
        if unicodedata.combining(ch):
            if not latin_base:
                out.append(ch)
            continue
        latin_base = n._is_latin(ch)
        if not latin_base:
            out.append(ch)
        elif ch in n._LATIN_SPECIAL:
            out.append(n._LATIN_SPECIAL[ch])
        else:
            out.append("".join(c for c in unicodedata.normalize("NFKD", ch)
                               if not unicodedata.combining(c)).lower())
    return re.sub(r"[ \t]+", " ", "".join(out)).strip()


def test_dedupe_keeps_first_order_and_drops_empties():
    assert n.dedupe(["Loneliness", "Self", None, "", "Loneliness", "Social Isolation"]) == [
        "Loneliness", "Self", "Social Isolation"]
