"""Analysis chosen from what the cluster offers: pure choices, then the local node (server
core and the shelfmap-korean plugin its launcher installs)."""

from __future__ import annotations

import json
import logging
import uuid

import pytest

from index import analysis, mapping
from index.analysis import Available, choose


def _analyzer(settings: dict, name: str) -> dict:
    return settings["analyzer"][name]


def _uses(settings: dict, name: str) -> set[str]:
    """Tokenizer type and filters of one analyzer, resolving custom tokenizers."""
    a = _analyzer(settings, name)
    if a.get("type") != "custom":
        return {a["type"]}
    tokenizer = settings.get("tokenizer", {}).get(a["tokenizer"], {}).get("type", a["tokenizer"])
    return {tokenizer, *a.get("char_filter", []), *a.get("filter", [])}


def test_bare_cluster_gets_standard_analysis():
    chosen = choose(Available())
    assert chosen["variants"] == []
    assert chosen["analysis"] == mapping.analysis()
    for role in analysis.ROLES:
        assert _analyzer(chosen["analysis"], role) == {"type": "standard"}
    assert chosen["analysis"]["normalizer"]["folding"]["filter"] == ["lowercase"]
    assert "bare server" in chosen["description"]


def test_nori_analyses_korean_and_nothing_else():
    chosen = choose(Available(nori=True))
    assert chosen["variants"] == ["analysis-nori"]
    for role in ("shelfmap_korean", "shelfmap_korean_search"):
        assert {"nori_tokenizer", "nori_part_of_speech"} <= _uses(chosen["analysis"], role)
    # Latin text and Chinese or Japanese original script keep the bare definitions.
    for role in ("shelfmap_text", "shelfmap_original"):
        assert _analyzer(chosen["analysis"], role) == {"type": "standard"}
    assert "nori_tokenizer" in chosen["description"]
    assert chosen["korean"].startswith("analysis-nori")


def test_shelfmap_korean_wins_over_the_official_nori():
    chosen = choose(Available(icu=True, nori=True, korean=True))
    assert chosen["variants"][-1] == "shelfmap-korean"
    settings = chosen["analysis"]
    for role in ("shelfmap_korean", "shelfmap_korean_search"):
        assert {"shelfmap_korean_tokenizer", "shelfmap_korean_hangul", "shelfmap_korean_pos",
                "shelfmap_korean_southern"} <= _uses(settings, role)
        assert "nori_tokenizer" not in _uses(settings, role)
    assert "icu_tokenizer" in _uses(settings, "shelfmap_original")
    # Compounds and their parts in the index, parts only in queries.
    modes = {settings["tokenizer"][settings["analyzer"][role]["tokenizer"]]["decompound_mode"]
             for role in ("shelfmap_korean", "shelfmap_korean_search")}
    assert modes == {"mixed", "discard"}
    assert chosen["korean"].startswith("shelfmap-korean")
    assert choose(Available())["korean"].startswith("none")


def test_icu_folds_latin_and_segments_cjk():
    settings = choose(Available(icu=True))["analysis"]
    assert "icu_folding" in _uses(settings, "shelfmap_text")
    assert "icu_folding" in _uses(settings, "shelfmap_folded")
    assert "icu_tokenizer" in _uses(settings, "shelfmap_original")
    assert settings["normalizer"]["folding"]["filter"] == ["icu_folding"]


def test_analysis_common_gives_asciifolding_and_cjk_bigrams():
    settings = choose(Available(common=True))["analysis"]
    assert "asciifolding" in _uses(settings, "shelfmap_text")
    assert "asciifolding" in _uses(settings, "shelfmap_folded")
    assert {"cjk_width", "cjk_bigram"} <= _uses(settings, "shelfmap_original")
    assert "asciifolding" in settings["normalizer"]["folding"]["filter"]


def test_everything_prefers_nori_for_korean_and_icu_for_latin():
    chosen = choose(Available(common=True, icu=True, nori=True))
    settings = chosen["analysis"]
    assert chosen["variants"] == ["analysis-common", "analysis-icu", "analysis-nori"]
    assert "nori_tokenizer" in _uses(settings, "shelfmap_korean")
    assert {"icu_tokenizer", "icu_normalizer"} <= _uses(settings, "shelfmap_original")
    # A whole definition replaces another: no cjk_bigram left over from analysis-common.
    assert "cjk_bigram" not in _uses(settings, "shelfmap_original")
    assert "icu_folding" in _uses(settings, "shelfmap_text")


@pytest.mark.parametrize("available", [
    Available(), Available(common=True), Available(icu=True), Available(nori=True),
    Available(common=True, nori=True), Available(icu=True, nori=True),
    Available(common=True, icu=True, nori=True), Available(korean=True),
    Available(common=True, icu=True, nori=True, korean=True),
], ids=lambda a: "+".join(sorted(a.names)) or "bare")
def test_every_choice_defines_what_the_mapping_uses_and_nothing_it_lacks(available):
    settings = choose(available)["analysis"]
    props = json.dumps(mapping.index_body(analysis_settings=settings)["mappings"])
    for name in (*analysis.ROLES, "folding"):
        assert f'"{name}"' in props
    assert set(analysis.ROLES) <= set(settings["analyzer"])
    text = json.dumps(settings)
    needs = {"analysis-nori": ("nori",), "analysis-icu": ("icu_",),
             "analysis-common": ("asciifolding", "cjk_"), "shelfmap-korean": ("shelfmap_korean_tokenizer", "shelfmap_korean_hangul")}
    for plugin, markers in needs.items():
        if plugin not in available.names:
            assert not any(m in text for m in markers), (plugin, text)
    # Every custom analyzer's tokenizer is built in or defined alongside it.
    for a in settings["analyzer"].values():
        if a.get("type") == "custom":
            tok = a["tokenizer"]
            assert tok in {"standard", "icu_tokenizer"} or tok in settings.get("tokenizer", {})


def test_available_reads_module_and_plugin_names():
    assert Available.from_names(["analysis-common", "apm", "analysis-nori"]) == \
        Available(common=True, nori=True)
    assert Available(icu=True).names == {"analysis-icu"}
    assert Available.from_names(["shelfmap-korean"]) == Available(korean=True)


def test_cyrillic_romanised_as_lc_records_fold():
    # "Istorii︠a︡ Rossii v rasskazakh dli︠a︡ deteĭ" (mixed-10000 LC 00353129) folds to
    # "istoriia rossii v rasskazakh dlia detei".
    assert analysis.romanize_cyrillic("История России в рассказах для детей") == \
        "istoriia rossii v rasskazakh dlia detei"
    # "Sot︠s︡ialʹnoe gosudarstvo" (LC 00277645): ц -> ts, ь dropped as its prime is.
    assert analysis.romanize_cyrillic("Социальное государство") == "sotsialnoe gosudarstvo"
    # "Obnaruzhenie, izʺi︠a︡tie" (LC 00277189): ъ dropped, я -> ia.
    assert analysis.romanize_cyrillic("изъятие") == "iziatie"
    assert analysis.romanize_cyrillic("жхцчшщюяыэй") == "zhkhtschshshchiuiayei"
    assert analysis.romanize_cyrillic("Korea 한국") == "korea 한국"


# --- the local node ----------------------------------------------------------------------

@pytest.mark.es
def test_local_node_offers_the_korean_plugin_and_nothing_else(es):
    assert analysis.detect(es) == Available(korean=True)


@pytest.mark.es
def test_chosen_settings_create_an_index_on_the_local_node(es, caplog):
    with caplog.at_level(logging.INFO, logger="shelfmap.index"):
        chosen = analysis.for_cluster(es)
    assert chosen["variants"] == ["shelfmap-korean"]
    assert any("Korean: shelfmap-korean" in r.getMessage() for r in caplog.records)
    body = mapping.index_body(analysis_settings=chosen["analysis"])
    name = f"shelfmap-scratch-{uuid.uuid4().hex[:8]}"
    es.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
    try:
        tokens = es.indices.analyze(index=name, analyzer="shelfmap_korean",
                                    text="한국\u3000의\u3000미래 中國")["tokens"]
        # LC's spacing, a particle dropped, Hanja read as Hangul.
        assert [t["token"] for t in tokens] == ["한국", "미래", "중국"]
        # Original script in general keeps the standard tokenizer: Hangul words whole,
        # split on U+3000; ideographs one by one.
        tokens = es.indices.analyze(index=name, analyzer="shelfmap_original",
                                    text="한국\u3000문학 中國")["tokens"]
        assert [t["token"] for t in tokens] == ["한국", "문학", "中", "國"]
        folded = es.indices.analyze(index=name, analyzer="shelfmap_folded",
                                    text="Hanguk Munhak")["tokens"]
        assert [t["token"] for t in folded] == ["hanguk", "munhak"]
    finally:
        es.indices.delete(index=name)
