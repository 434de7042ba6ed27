"""Analysis chosen from what the cluster offers: pure choices, then the bare local node."""

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
    return {tokenizer, *a.get("filter", [])}


def test_bare_cluster_gets_standard_analysis():
    chosen = choose(Available())
    assert chosen["variants"] == []
    assert chosen["analysis"] == mapping.analysis()
    for role in analysis.ROLES:
        assert _analyzer(chosen["analysis"], role) == {"type": "standard"}
    assert chosen["analysis"]["normalizer"]["folding"]["filter"] == ["lowercase"]
    assert "bare server" in chosen["description"]


def test_nori_analyses_original_script():
    chosen = choose(Available(nori=True))
    assert chosen["variants"] == ["analysis-nori"]
    assert "nori_tokenizer" in _uses(chosen["analysis"], "shelfmap_original")
    # Latin text keeps the bare definitions: nori says nothing about it.
    assert _analyzer(chosen["analysis"], "shelfmap_text") == {"type": "standard"}
    assert "nori_tokenizer" in chosen["description"]


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
    assert chosen["variants"] == ["analysis-common", "analysis-icu", "analysis-nori",
                                  "analysis-nori+analysis-icu"]
    assert {"nori_tokenizer", "icu_normalizer"} <= _uses(settings, "shelfmap_original")
    # A whole definition replaces another: no cjk_bigram left over from analysis-common.
    assert "cjk_bigram" not in _uses(settings, "shelfmap_original")
    assert "icu_folding" in _uses(settings, "shelfmap_text")


@pytest.mark.parametrize("available", [
    Available(), Available(common=True), Available(icu=True), Available(nori=True),
    Available(common=True, nori=True), Available(icu=True, nori=True),
    Available(common=True, icu=True, nori=True),
], ids=lambda a: "+".join(sorted(a.names)) or "bare")
def test_every_choice_defines_what_the_mapping_uses_and_nothing_it_lacks(available):
    settings = choose(available)["analysis"]
    props = json.dumps(mapping.index_body(analysis_settings=settings)["mappings"])
    for name in (*analysis.ROLES, "folding"):
        assert f'"{name}"' in props
    assert set(analysis.ROLES) <= set(settings["analyzer"])
    text = json.dumps(settings)
    needs = {"analysis-nori": ("nori",), "analysis-icu": ("icu_",),
             "analysis-common": ("asciifolding", "cjk_")}
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


# --- the bare local node ---------------------------------------------------------------

@pytest.mark.es
def test_local_node_offers_none_of_the_plugins(es):
    assert analysis.detect(es) == Available()


@pytest.mark.es
def test_chosen_settings_create_an_index_on_the_local_node(es, caplog):
    with caplog.at_level(logging.INFO, logger="shelfmap.index"):
        settings, description = analysis.for_cluster(es)
    assert "bare server" in description
    assert any("analysis" in r.getMessage() and "shelfmap_original=standard" in r.getMessage()
               for r in caplog.records)
    body = mapping.index_body(analysis_settings=settings)
    name = f"shelfmap-scratch-{uuid.uuid4().hex[:8]}"
    es.indices.create(index=name, settings=body["settings"], mappings=body["mappings"])
    try:
        tokens = es.indices.analyze(index=name, analyzer="shelfmap_original",
                                    text="한국\u3000문학 中國")["tokens"]
        # Hangul words whole, split on U+3000; ideographs one by one.
        assert [t["token"] for t in tokens] == ["한국", "문학", "中", "國"]
        folded = es.indices.analyze(index=name, analyzer="shelfmap_folded",
                                    text="Hanguk Munhak")["tokens"]
        assert [t["token"] for t in folded] == ["hanguk", "munhak"]
    finally:
        es.indices.delete(index=name)
