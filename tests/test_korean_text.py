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
