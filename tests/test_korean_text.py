"""Which text of a record is Korean, and Hangul as letters and initials (pure)."""

from __future__ import annotations

from index import korean
from index.documents import suggest_inputs, to_document


def test_a_korean_records_hangul_and_hanja_go_to_its_korean_fields():
    # DLC:00505399: "韓國　經濟　의　分析　과　展望", romanised "Hanʼguk kyŏngje ŭi punsŏk kwa chŏnmang".
    record = {"language": "kor", "title": "Hanʼguk kyŏngje ŭi punsŏk kwa chŏnmang",
              "title_original": "韓國　經濟　의　分析　과　展望",
              "subjects": ["Korea (South) -- Economic conditions"],
              "subjects_original": [], "authors": ["Kim, Chŏng-sik"],
              "authors_original": ["김　정식"], "publisher_original": "博英社"}
    fields = korean.korean_fields(record)
    assert fields == {"title_ko": "韓國　經濟　의　分析　과　展望", "subjects_ko": [],
                      "authors_ko": ["김　정식"], "publisher_ko": ["博英社"]}


def test_a_korean_librarys_hangul_title_is_korean_text():
    record = {"language": "kor", "title": "한국 경제사", "title_original": None}
    assert korean.korean_fields(record)["title_ko"] == "한국 경제사"


def test_chinese_and_japanese_records_keep_their_hanzi_and_kanji_out():
    # 中國 read as Korean would be 중국, and so would 重國: only Korean text is read so.
    record = {"language": "chi", "title_original": "中國 短篇 小說",
              "subjects_original": ["中國 -- 歷史"], "authors_original": ["한 설야"]}
    fields = korean.korean_fields(record)
    assert fields["title_ko"] is None and fields["subjects_ko"] == []
    assert fields["authors_ko"] == ["한 설야"]  # Hangul is Korean in any record


def test_the_document_carries_the_korean_fields():
    doc = to_document({"id": "x", "language": "kor", "title_original": "북한　의　경제"})
    assert doc["title_ko"] == "북한　의　경제"


def test_letters_are_the_keystrokes_of_the_text():
    assert korean.letters("한국　경제") == "ㅎㅏㄴㄱㅜㄱㄱㅕㅇㅈㅔ"
    assert korean.letters("한ㄱ") == "ㅎㅏㄴㄱ"
    assert korean.letters("과") == "ㄱㅗㅏ"          # a compound vowel is two keys
    assert korean.letters("닭") == "ㄷㅏㄹㄱ"        # a compound final too
    assert korean.letters("까") == "ㄲㅏ"            # a doubled consonant is one (shift)
    assert korean.letters("ㄳ") == "ㄱㅅ"
    assert korean.letters("TV 뉴스") == "TVㄴㅠㅅㅡ"


def test_initials_are_every_syllables_first_consonant():
    assert korean.initials("한국　경제　반세기") == "ㅎㄱㄱㅈㅂㅅㄱ"
    assert korean.initials("21세기 한국") == "ㅅㄱㅎㄱ"
    assert korean.initials("Korea") == ""


def test_korean_values_suggest_by_letters_and_initials():
    inputs = suggest_inputs({"title": "Hanʼguk kyŏngje", "title_original": "한국　경제"})
    assert inputs["title"] == ["Hanʼguk kyŏngje", "hanguk kyongje", "한국　경제",
                               "ㅎㅏㄴㄱㅜㄱㄱㅕㅇㅈㅔ", "ㅎㄱㄱㅈ"]


# --- romanisations and the read-back --------------------------------------------------------

def _record(**fields) -> dict:
    return {"language": "kor", "title_original": None, "authors_original": [],
            "subjects_original": [], "authors": [], "subjects": [], **fields}


def test_a_korean_title_gets_every_romanisation():
    # DLC:00272147 "영욕　의　한국　경제", LC: "Yŏngyok ŭi Hanʼguk kyŏngje".
    record = _record(title="Yŏngyok ŭi Hanʼguk kyŏngje", title_original="영욕　의　한국　경제")
    forms = korean.romanized(record).split(" | ")
    assert "yongyok ui hanguk kyongje" in forms    # McCune-Reischauer, folded
    assert "yeongyok ui hanguk gyeongje" in forms  # Revised Romanization


def test_the_dprks_romanisation_writes_aspirates_with_h():
    # DLC:00422153 "평양　에서　강화　까지", LC: "Pʻyŏngyang esŏ Kanghwa kkaji".
    record = _record(title="Pʻyŏngyang esŏ Kanghwa kkaji", title_original="평양　에서　강화　까지")
    assert "phyongyang eso kanghwa kkaji" in korean.romanized(record).split(" | ")


def test_a_hanja_title_is_romanised_from_lcs_reading():
    # DLC:00438007: the 880 is all Hanja but for its particles; LC's 245 gives the reading.
    record = _record(title="Hanʼguk sijang kyŏngje wa minjujuŭi ŭi yŏksajŏk tʻŭkchil",
                     title_original="韓國　市場　經済　와　民主主義　의　歷史的　特質")
    assert "hanguk sijang gyeongje wa minjujuui ui yeoksajeok teukjil" in \
        korean.romanized(record).split(" | ")


def test_a_romanised_only_title_is_read_back_to_hangul():
    # DLC:00272147 without its 880, as a record with only LC's romanisation.
    record = _record(title="Yŏngyok ŭi Hanʼguk kyŏngje")
    assert korean.korean_fields(record)["title_ko"] == "영욕 의 한국 경제"
    # English is not read back, and other languages never are.
    assert korean.read_back(_record(title="Korean art book")) is None
    assert korean.read_back({"language": "eng", "title": "Hanʼguk kyŏngje"}) is None


def test_records_of_other_languages_get_no_romanisations():
    assert to_document({"id": "x", "language": "chi", "title": "Zhongguo",
                        "title_original": "中國"})["romanized"] is None
