"""Citations (BibTeX, RIS, CSL-JSON) of real LoC records, pure and over HTTP."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from index import citations
from index.citations import bibtex, bibtex_escape, bibtex_key, csl_item, csl_json, parse_name, ris
from tests.conftest import loc_records

# Records of mixed-10000, each for its quirk.
KOREAN = "DLC:00272142"      # Hangul 880 title, corporate author, ISBN, place Sŏul-si
PERSONAL = "DLC:00001771"    # "Brannt, William T. (William Theodore), 1844-"; "H.C. Baird & co."
CORPORATE_AND_PERSON = "DLC:00032794"  # "American Psychiatric Association. Committee ..."
                                       # then "Weiner, Richard D., 1945-"
SUBJECTS = "DLC:00008052"    # eight subject headings, "Williams, Mary E., 1960-"


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    return loc_records({KOREAN, PERSONAL, CORPORATE_AND_PERSON, SUBJECTS})


# --- a small BibTeX reader: what a BibTeX parser needs of an entry ----------------------

def parse_bibtex(text: str) -> tuple[str, str, dict[str, str]]:
    """(entry type, key, fields) of one entry; fails on unbalanced braces."""
    m = re.match(r"\s*@(\w+)\{([^,\s{}]+),\n", text)
    assert m, text[:80]
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0, "a closing brace before its opening one"
    assert depth == 0, "unbalanced braces"
    fields: dict[str, str] = {}
    pos = m.end()
    while True:
        fm = re.compile(r"\s*(\w+) = \{").match(text, pos)
        if not fm:
            break
        depth, i = 1, fm.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        fields[fm.group(1)] = text[fm.end():i - 1]
        pos = i + 1 if text[i:i + 1] == "," else i
    assert text[pos:].strip() == "}", f"junk after the fields: {text[pos:]!r}"
    return m.group(1), m.group(2), fields


def test_bibtex_of_a_korean_record_with_a_corporate_author(records):
    kind, key, fields = parse_bibtex(bibtex(records[KOREAN]))
    assert kind == "book" and key == "samsong1999chisik"
    # Braced twice: BibTeX must not read "Yŏnʼguso" as a family name.
    assert fields["author"] == "{Samsŏng Kyŏngje Yŏnʼguso}"
    assert fields["title"].startswith("Chisik kyŏngyŏng kwa Hanʼguk ŭi mirae")
    assert fields["year"] == "1999" and fields["isbn"] == "8976330714"
    assert fields["publisher"] == "Samsŏng Kyŏngje Yŏnʼguso"
    assert fields["address"] == "Sŏul-si"
    # The Hangul title, with LC's U+3000 word separators as plain spaces.
    assert fields["note"] == "Original title: 지식 경영 과 한국 의 미래 : 지식 경영 심포지엄 발표집"


def test_bibtex_authors_are_and_joined_and_specials_escaped(records):
    _, key, fields = parse_bibtex(bibtex(records[CORPORATE_AND_PERSON]))
    assert fields["author"] == ("{American Psychiatric Association. Committee on "
                                "Electroconvulsive Therapy} and Weiner, Richard D.")
    assert key == "american2001practice"
    _, _, fields = parse_bibtex(bibtex(records[PERSONAL]))
    assert fields["author"] == "Brannt, William T."
    assert fields["publisher"] == r"H.C. Baird \& co.; [etc., etc.]"


def test_bibtex_escape_keeps_braces_balanced():
    text = bibtex_escape("50% of {a} & b_c #1 $2 ~x ^y \\z")
    assert text == (r"50\% of \textbraceleft{}a\textbraceright{} \& b\_c \#1 \$2 "
                    r"\textasciitilde{}x \textasciicircum{}y \textbackslash{}z")
    record = {"id": "x:1", "title": "}{ unbalanced {", "authors": ["Odd}, Name{"], "year": 1}
    parse_bibtex(bibtex(record))


def test_bibtex_key_is_stable_and_falls_back_to_the_id():
    record = {"id": "KR:1/2", "title": "한국 문학", "authors": ["김, 철수"], "year": None}
    assert bibtex_key(record) == bibtex_key(dict(record)) == "KR12"
    assert bibtex_key({"id": "x:9", "title": "The Utah batteries", "authors": [],
                       "year": 1900}) == "1900utah"


@pytest.mark.parametrize("name, parsed", [
    ("Brannt, William T. (William Theodore), 1844-", {"family": "Brannt", "given": "William T."}),
    ("Williams, Mary E., 1960-", {"family": "Williams", "given": "Mary E."}),
    ("King, Martin Luther, Jr., 1929-1968",
     {"family": "King", "given": "Martin Luther", "suffix": "Jr."}),
    ("Tolstoy, Leo, graf, 1828-1910", {"family": "Tolstoy", "given": "Leo"}),
    ("Samsŏng Kyŏngje Yŏnʼguso", {"literal": "Samsŏng Kyŏngje Yŏnʼguso"}),
    ("Renne", {"literal": "Renne"}),
    # Corporate and meeting names of mixed-10000 that hold commas.
    ("Water, Engineering, and Development Center",
     {"literal": "Water, Engineering, and Development Center"}),
    ("International Conference on Korean Studies (10th : 1998 : Sŏngnam-si, Korea)",
     {"literal": "International Conference on Korean Studies (10th : 1998 : Sŏngnam-si, Korea)"}),
    ("United States. Congress. Senate. Committee on Commerce, Science, and Transportation",
     {"literal": "United States. Congress. Senate. Committee on Commerce, Science, "
                 "and Transportation"}),
])
def test_parse_name(name, parsed):
    assert parse_name(name) == parsed


def test_ris_lines_are_well_formed_and_end_with_er(records):
    text = ris(records[SUBJECTS])
    lines = text.split("\r\n")
    assert lines[-1] == "" and lines[-2] == "ER  - "
    assert lines[0] == "TY  - BOOK"
    for line in lines[:-1]:
        assert re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line), line
    tags = [line[:2] for line in lines[:-1]]
    assert tags.count("TY") == tags.count("ER") == 1
    values = [(line[:2], line[6:]) for line in lines[:-2]]
    assert ("AU", "Williams, Mary E.") in values
    assert ("TI", "Issues in racism") in values and ("PY", "2000") in values
    assert ("PB", "Lucent Books") in values and ("CY", "San Diego") in values
    assert ("SN", "1560064781") in values
    assert [v for t, v in values if t == "KW"] == records[SUBJECTS]["subjects"]


def test_ris_korean_record(records):
    text = ris(records[KOREAN])
    assert "AU  - Samsŏng Kyŏngje Yŏnʼguso\r\n" in text
    assert "N1  - Original title: 지식 경영 과 한국 의 미래" in text
    assert "\n\n" not in text and "\u3000" not in text


def test_csl_json_loads_with_the_required_keys(records):
    for record in records.values():
        items = json.loads(csl_json(record))
        assert isinstance(items, list) and len(items) == 1
        item = items[0]
        assert {"id", "type", "title", "author", "issued"} <= set(item)
        assert item["id"] == record["id"] and item["type"] == "book"
        assert item["issued"] == {"date-parts": [[record["year"]]]}
        for name in item["author"]:
            assert set(name) in ({"literal"}, {"family", "given"}, {"family", "given", "suffix"})


def test_csl_item_of_a_korean_record(records):
    item = csl_item(records[KOREAN])
    assert item["author"] == [{"literal": "Samsŏng Kyŏngje Yŏnʼguso"}]
    assert item["publisher"] == "Samsŏng Kyŏngje Yŏnʼguso"
    assert item["publisher-place"] == "Sŏul-si"
    assert item["ISBN"] == "8976330714"
    assert item["language"] == "ko"  # BCP 47, from MARC's "kor"
    item = csl_item(records[CORPORATE_AND_PERSON])
    assert item["author"][1] == {"family": "Weiner", "given": "Richard D."}
    assert item["language"] == "en"


# --- over HTTP -------------------------------------------------------------------------



@pytest.mark.es
@pytest.mark.spark
@pytest.mark.parametrize("fmt", list(citations.FORMATS))
def test_cite_route_serves_each_format_as_a_download(api, records, fmt):
    r = api(f"/api/records/{quote(KOREAN, safe=':')}/cite", format=fmt)
    assert r.status_code == 200
    media_type, ext = citations.FORMATS[fmt]
    assert r.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert r.headers["content-disposition"] == f'attachment; filename="samsong1999chisik.{ext}"'
    r.encoding = "utf-8"
    # The indexed record cites exactly as the record mapped here does.
    assert r.text == citations.RENDER[fmt](records[KOREAN])


@pytest.mark.es
@pytest.mark.spark
def test_cite_route_errors(api):
    r = api(f"/api/records/{KOREAN}/cite", format="mla")
    assert r.status_code == 400 and r.json()["parameter"] == "format"
    assert "format" in r.json()["error"]
    r = api("/api/records/DLC:no-such-record/cite", format="ris")
    assert r.status_code == 404 and "DLC:no-such-record" in r.json()["error"]
    assert r.headers["content-type"].startswith("application/json")
    # Without a format: BibTeX.
    assert api(f"/api/records/{KOREAN}/cite").text.startswith("@book{samsong1999chisik,")
