"""Korean analysis on the local node: the shelfmap-korean plugin, built from index/plugin
by the launcher, read through ``_analyze`` on an index made with the chosen settings.

The words are those of real LC titles in tests/data (mixed-10000 holds every Korean
record of korean-all.mrc): "국방　정책　연구　의　발자취" (DLC:00415004), "韓國　經濟史"
(DLC:00505420), "중국　연변　조선족　력사　화책" (DLC:00292052), "조선　로동당" in names
and subjects (DLC:00422165, DLC:00505524), "北韓　의　法　과　法　理論" (DLC:00692943).
"""

from __future__ import annotations

import shutil
import time
import uuid

import pytest

from index import analysis, es_plugin, mapping
from index.es_dist import ensure_distribution, find_java

pytestmark = pytest.mark.es


@pytest.fixture(scope="module")
def korean_index(es):
    chosen = analysis.for_cluster(es)
    assert "shelfmap-korean" in chosen["variants"]
    body = mapping.index_body(analysis_settings=chosen["analysis"])
    name = f"shelfmap-korean-{uuid.uuid4().hex[:8]}"
    es.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
    yield name
    es.indices.delete(index=name)


@pytest.fixture(scope="module")
def tokens(es, korean_index):
    def run(text: str, analyzer: str = "shelfmap_korean_search") -> list[str]:
        found = es.indices.analyze(index=korean_index, analyzer=analyzer, text=text)
        return [t["token"] for t in found["tokens"]]
    return run


def test_the_node_lists_the_plugin(es):
    nodes = es.nodes.info(metric="plugins")["nodes"]
    names = {p["name"] for node in nodes.values() for p in node["plugins"]}
    assert es_plugin.NAME in names


# --- particles and compounds -----------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("한국의", ["한국"]),             # alone, nori reads 한 + 국의 without the context noun
    ("세계의", ["세계"]),
    ("연구의", ["연구"]),
    ("북한의", ["북한"]),
    ("한국에서", ["한국"]),
    ("국방정책", ["국방", "정책"]),
    ("한국경제", ["한국", "경제"]),
    # LC's spacing; the query takes a compound's parts (발자취: 발, 자취)
    ("국방　정책　연구　의　발자취", ["국방", "정책", "연구", "발", "자취"]),
    ("민주주의", ["민주", "주의"]),    # parts only at query time
])
def test_queries_lose_particles_and_split_compounds(tokens, text, expected):
    assert tokens(text) == expected


def test_the_index_keeps_a_compound_and_its_parts(tokens):
    assert tokens("민주주의", "shelfmap_korean") == ["민주주의", "민주", "주의"]
    # A title ending in a particle reads as a query does.
    assert tokens("한국의", "shelfmap_korean") == ["한국"]


def test_the_context_noun_never_reaches_the_tokens(tokens):
    assert tokens("책") == ["책"]
    assert tokens("책의") == ["책"]
    assert tokens("") == []
    assert tokens("   ") == []
    # Latin words are left to the fields every language shares (a parallel English
    # title must not count twice); numbers stay.
    assert tokens("Korean history 1998") == ["1998"]
    assert tokens("TV 뉴스　의　이론") == ["뉴스", "이론"]


# --- Hanja -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("韓國", ["한국"]),
    ("韓國　經濟史", ["한국", "경제", "사"]),
    ("北韓", ["북한"]),
    ("歷史", ["역사"]),      # the dictionary reads 력사: the initial-sound rule gives 역사
    ("理論", ["이론"]),      # not in the dictionary as a word: read character by character
    ("朝鮮勞動黨", ["조선", "노동", "당"]),  # each word of a run starts a word
    ("韓國 의 歷史", ["한국", "역사"]),
])
def test_hanja_are_read_as_hangul(tokens, text, expected):
    assert tokens(text) == expected


def test_hanja_keep_their_offsets(es, korean_index):
    text = "韓國　經濟　의　分析"
    found = es.indices.analyze(index=korean_index, analyzer="shelfmap_korean", text=text)
    spans = {t["token"]: text[t["start_offset"]:t["end_offset"]] for t in found["tokens"]}
    assert spans == {"한국": "韓國", "경제": "經濟", "분석": "分析"}


# --- North and South Korean spelling --------------------------------------------------------

@pytest.mark.parametrize("north, south", [
    ("력사", "역사"), ("로동", "노동"), ("리론", "이론"), ("녀성", "여성"),
    ("력사의", "역사"), ("로동자", "노동자"),
])
def test_north_korean_spellings_meet_the_souths(tokens, north, south):
    assert tokens(north) == tokens(south)
    assert tokens(north, "shelfmap_korean") == tokens(south, "shelfmap_korean")
    assert south in tokens(north, "shelfmap_korean")


def test_compound_internal_north_spelling_is_caught_after_tokenizing(tokens):
    # nori reads 로동 inside 조선로동당 as the particle 로 + 동당 unless it starts a word;
    # written with LC's spacing (조선　로동당) the word starts after the space.
    assert tokens("조선　로동당") == tokens("조선　노동당")


@pytest.mark.parametrize("word", ["라디오", "뉴스", "러시아", "리듬", "니트"])
def test_words_that_merely_start_with_r_or_n_are_left_alone(tokens, word):
    assert tokens(word) == [word]


# --- the plugin's build ------------------------------------------------------------------

def test_the_build_is_cached_by_a_hash_of_the_sources(tmp_path):
    source = tmp_path / "plugin"
    shutil.copytree(es_plugin.SOURCE, source, ignore=shutil.ignore_patterns("target"))
    first = es_plugin.source_hash("9.2.4", source)
    assert es_plugin.source_hash("9.2.4", source) == first
    assert es_plugin.source_hash("9.2.5", source) != first
    (source / "target").mkdir()
    (source / "target" / "classes.txt").write_text("build output is not source")
    assert es_plugin.source_hash("9.2.4", source) == first
    java = next(source.rglob("Hangul.java"))
    java.write_text(java.read_text() + "\n")
    assert es_plugin.source_hash("9.2.4", source) != first


def test_a_second_start_uses_the_installed_copy_without_maven(es_settings, monkeypatch):
    java = find_java(es_settings)
    base = ensure_distribution(es_settings)
    home = es_plugin.with_plugin(es_settings, base, java)
    assert es_plugin.installed(home) and not es_plugin.installed(base)
    monkeypatch.setattr(shutil, "which", lambda name: None)  # no Maven to be found
    started = time.monotonic()
    assert es_plugin.with_plugin(es_settings, base, java) == home
    assert time.monotonic() - started < 5


def test_a_source_that_does_not_compile_is_a_clear_error(es_settings, tmp_path):
    source = tmp_path / "plugin"
    shutil.copytree(es_plugin.SOURCE, source, ignore=shutil.ignore_patterns("target"))
    java = next(source.rglob("Hangul.java"))
    java.write_text(java.read_text().replace("final class Hangul {", "final class Hangul {{"))
    settings = es_settings.replace(cache=str(tmp_path / "cache"))
    with pytest.raises(es_plugin.PluginError, match=r"(?s)could not build.*Hangul\.java"):
        es_plugin.build(settings, find_java(settings), source=source)
    assert not list((tmp_path / "cache").rglob("*.zip"))
