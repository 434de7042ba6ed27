"""Suggestions as you type, against LoC mixed-10000 on the real local node."""

from __future__ import annotations

import pytest

from index import korean
from index import suggest as suggest_module
from index.suggest import prefixes, suggest, suggest_body
from ingest.normalize import fold

pytestmark = [pytest.mark.es, pytest.mark.spark]


@pytest.fixture(scope="module")
def ask(es, indexed_settings):
    def run(q: str, size: int = 8) -> list[dict]:
        result = suggest(es, indexed_settings.index, q, size)
        assert set(result) == {"suggestions"}
        for item in result["suggestions"]:
            assert set(item) == {"text", "kind", "id"}
            assert item["kind"] in {"title", "subject", "author"}
            assert (item["id"] is not None) == (item["kind"] == "title")
        texts = [i["text"].casefold() for i in result["suggestions"]]
        assert len(texts) == len(set(texts)) <= size  # deduplicated, capped
        return result["suggestions"]
    return run


def _kinds(items: list[dict]) -> set[str]:
    return {i["kind"] for i in items}


def test_hangul_word_prefix(ask):
    items = ask("한국")
    assert len(items) == 8
    assert {"title", "author"} <= _kinds(items)
    assert all(i["text"].startswith("한국") for i in items)


def test_one_hangul_syllable(ask):
    items = ask("한")
    assert len(items) == 8
    assert all(i["text"].startswith("한") for i in items)
    assert len(_kinds(items)) == 3


def test_hangul_two_words(ask):
    # "한국　문학　과　여성": the 880 separates words with U+3000, typed as a space.
    items = ask("한국 문")
    assert items and all(i["text"].replace("\u3000", " ").startswith("한국 문") for i in items)


@pytest.mark.parametrize("typed", [
    "한ㄱ",   # 한 typed, then the ㄱ of the next syllable, not yet joined to a vowel
    "한구",   # 국 not finished: the ㄱ that ends it is still to come
    "하나",   # 한 typed as 하 + 나 before the keyboard moves ㄴ back: 한국 is ㅎㅏㄴㄱ...
])
def test_a_syllable_still_being_typed_finds_what_it_will_become(ask, typed):
    items = ask(typed)
    assert items
    for item in items:
        assert korean.letters(item["text"]).startswith(korean.letters(typed))
    if typed != "하나":
        assert any(i["text"].startswith("한국") for i in items)


@pytest.mark.parametrize("typed", ["ㅎㄱㄱㅈ", "ㅎㄱ ㄱㅈ", "ㅂㅎ"])
def test_initial_consonants_find_the_words_they_begin(ask, typed):
    items = ask(typed)
    assert items
    wanted = typed.replace(" ", "")
    for item in items:
        # Shown as the record writes it: 한국　경제　반세기... for ㅎㄱㄱㅈ.
        assert korean.has_syllables(item["text"])
        assert korean.initials(item["text"]).startswith(wanted)
    if wanted == "ㅎㄱㄱㅈ":
        assert any(i["text"].replace("\u3000", " ").startswith("한국 경제") for i in items)


def test_korean_prefixes_are_asked_in_letters_too():
    assert prefixes("한ㄱ") == ["한ㄱ", "ㅎㅏㄴㄱ"]
    assert prefixes("ㅎㄱ ㄱㅈ") == ["ㅎㄱ ㄱㅈ", "ㅎㄱㄱㅈ"]
    assert prefixes("ㄳ") == ["ㄳ", "ㄱㅅ"]  # two keys the keyboard shows as one letter
    assert prefixes("the story") == ["the story"]


@pytest.mark.parametrize("typed", ["hangu", "HANGU", "Hanʼgu"])
def test_latin_prefix_is_case_and_diacritic_insensitive(ask, typed):
    items = ask(typed)
    assert len(_kinds(items)) == 3
    # Shown as written ("Hanʼguk ..."), found through the folded form.
    assert all(i["text"].startswith("Hanʼgu") for i in items)


def test_latin_prefix_of_each_kind(ask):
    items = ask("korea", size=12)
    assert _kinds(items) == {"title", "subject", "author"}
    assert any(i["text"] == "Korea" and i["kind"] == "subject" for i in items)
    assert all(fold(i["text"]).startswith("korea") for i in items)


def test_title_suggestion_names_its_record(ask, es, indexed_settings):
    items = [i for i in ask("essays of an ex") if i["kind"] == "title"]
    assert items and items[0]["text"] == "Essays of an ex-librarian"
    doc = es.get(index=indexed_settings.index, id=items[0]["id"])["_source"]
    assert doc["title"] == "Essays of an ex-librarian"


def test_cyrillic_prefix_suggests_romanised_russian_titles(ask):
    items = ask("истор")
    assert items
    assert all(fold(i["text"]).startswith("istor") for i in items)


def test_long_titles_are_shown_whole_or_clipped_at_a_word(ask):
    for item in ask("istoriia", size=20):
        assert len(item["text"]) <= suggest_module.MAX_TEXT_CHARS + 1


@pytest.mark.parametrize("q", ["", "   ", "\x00", '"', "*", "a" * 5000, "\ud800", "(((", "한" * 500])
def test_hostile_prefixes_are_answered(ask, q):
    ask(q)


def test_size_is_capped():
    assert suggest_body("korea", 1000)["suggest"]["title-0"]["completion"]["size"] <= 40
    assert suggest_body("", 8) is None


def test_prefix_forms():
    assert prefixes("Hanʼgu") == ["Hanʼgu", "hangu"]
    assert prefixes("한국") == ["한국", "ㅎㅏㄴㄱㅜㄱ"]  # and in letters (index.korean)
    assert prefixes("История") == ["История", "istoriia"]
