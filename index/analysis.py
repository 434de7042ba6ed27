"""Which analyzers the cluster offers, and the richest analysis it can run.

The role-named analyzers of the mapping (``shelfmap_text``, ``shelfmap_original``,
``shelfmap_folded``, ``shelfmap_korean`` with its query-time twin
``shelfmap_korean_search``, and the ``folding`` normalizer) are defined in ``index/mappings/analysis.json``: a bare-server
definition, then variants keyed by the plugin or module they need (``analysis-common``,
``analysis-icu``, ``analysis-nori``, and ``shelfmap-korean``, the plugin built from
``index/plugin``). :func:`detect` asks the cluster what every node has, :func:`choose`
(pure) applies each variant the cluster can run, and :func:`for_cluster` does both for an
index build.

The local node (the integ-test-zip) is server core plus the shelfmap-korean plugin the
launcher installs, so Korean text gets Korean analysis and everything else the bare
``standard`` + ``lowercase``; folding of romanised text is then done at ingest
(``ingest.normalize.fold`` fills the ``folded`` field) and at query time.
"""

from __future__ import annotations

import copy
import dataclasses
import logging

from index import mapping

log = logging.getLogger("shelfmap.index")

COMMON = "analysis-common"
ICU = "analysis-icu"
NORI = "analysis-nori"
KOREAN = "shelfmap-korean"
KNOWN = (COMMON, ICU, NORI, KOREAN)
ROLES = ("shelfmap_text", "shelfmap_original", "shelfmap_folded", "shelfmap_korean",
         "shelfmap_korean_search")

# What a Korean reader gets, by the variant that analyses original script.
KOREAN_ANALYSIS = {
    KOREAN: "shelfmap-korean (nori, Hanja, North and South spellings)",
    NORI: "analysis-nori (nori only: no Hanja readings, no North and South spellings)",
    None: "none: the standard tokenizer keeps particles and compounds attached, so "
          "Korean words are found only as LC spaces them",
}


@dataclasses.dataclass(frozen=True)
class Available:
    """The analysis modules and plugins every node of the cluster has."""

    common: bool = False
    icu: bool = False
    nori: bool = False
    korean: bool = False

    @classmethod
    def from_names(cls, names) -> Available:
        names = set(names)
        return cls(common=COMMON in names, icu=ICU in names, nori=NORI in names,
                   korean=KOREAN in names)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(name for name, has in
                         ((COMMON, self.common), (ICU, self.icu), (NORI, self.nori),
                          (KOREAN, self.korean)) if has)


def _node_names(node: dict) -> set[str]:
    return {item.get("name") for key in ("modules", "plugins")
            for item in node.get(key) or [] if item.get("name")}


def detect(es) -> Available:
    """What every node offers (a plugin on only some nodes cannot back an index).

    Reads ``GET _nodes/plugins`` (modules and plugins), which the bare server answers;
    ``GET /`` is not used because some proxies and the integ-test node refuse it.
    """
    resp = es.nodes.info(metric="plugins",
                         filter_path=["nodes.*.modules.name", "nodes.*.plugins.name"])
    nodes = (resp.body if hasattr(resp, "body") else resp).get("nodes") or {}
    if not nodes:
        return Available()
    common = set.intersection(*(_node_names(n) for n in nodes.values()))
    return Available.from_names(common & set(KNOWN))


def _replace_entries(base: dict, extra: dict) -> dict:
    """Per section (analyzer, tokenizer, filter, normalizer), whole definitions replace
    the definitions of the same name: a filter list is never merged element-wise."""
    out = copy.deepcopy(base)
    for section, entries in extra.items():
        out.setdefault(section, {}).update(copy.deepcopy(entries))
    return out


def _describe(settings: dict) -> str:
    parts = []
    for name in ROLES:
        a = settings["analyzer"][name]
        if a.get("type") != "custom":
            parts.append(f"{name}={a['type']}")
            continue
        tokenizer = a["tokenizer"]
        tokenizer = settings.get("tokenizer", {}).get(tokenizer, {}).get("type", tokenizer)
        chain = [*a.get("char_filter", []), tokenizer, *a.get("filter", [])]
        parts.append(f"{name}={'+'.join(chain)}")
    parts.append(f"folding={'+'.join(settings['normalizer']['folding']['filter'])}")
    return ", ".join(parts)


def choose(available: Available) -> dict:
    """The analysis settings for a cluster offering ``available`` (pure).

    Returns ``{"analysis": <index.analysis settings>, "variants": [names applied],
    "description": "shelfmap_text=standard+..., ...", "korean": <what Korean gets>}``.
    """
    data = mapping._load("analysis.json")
    settings = copy.deepcopy(data["analysis"])
    applied = []
    for variant in data.get("variants", []):
        if set(variant["requires"]) <= available.names:
            settings = _replace_entries(settings, variant["analysis"])
            applied.append(variant["name"])
    description = _describe(settings)
    if not applied:
        description = "bare server (standard + lowercase): " + description
    return {"analysis": settings, "variants": applied, "description": description,
            "korean": korean(applied)}


def korean(variants) -> str:
    """What Korean text gets from an index built with ``variants`` (pure)."""
    for name in (KOREAN, NORI):
        if any(name in variant.split("+") for variant in variants):
            return KOREAN_ANALYSIS[name]
    return KOREAN_ANALYSIS[None]


def for_cluster(es) -> dict:
    """:func:`choose` for the cluster of ``es`` (a new index's analysis); logs the
    choice on the ``shelfmap.index`` logger."""
    available = detect(es)
    chosen = choose(available)
    log.info("analysis: cluster offers %s; %s; Korean: %s",
             ", ".join(sorted(available.names)) or "no analysis plugins",
             chosen["description"], chosen["korean"])
    return chosen


# --- query-time romanisation ---------------------------------------------------------

# Cyrillic -> ALA-LC romanisation as ingest.normalize.fold leaves it. LC's Russian
# records carry only the romanised title (no 880): "Istorii︠a︡ Rossii" (ligature halves
# U+FE20/U+FE21 around "ia"), "ukazatelʹ" (soft sign as U+02B9 prime). fold drops the
# combining halves and the primes, so я -> "ia", ц -> "ts", ь -> "" on both sides.
# Ukrainian and Belarusian letters follow ALA-LC's tables for those languages.
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu",
    "я": "ia", "і": "i", "ї": "i", "є": "ie", "ґ": "g", "ў": "u", "ѣ": "e", "ѳ": "f",
    "ѵ": "y",
}
_CYRILLIC_TABLE = str.maketrans(_CYRILLIC)


def has_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def romanize_cyrillic(text: str) -> str:
    """Cyrillic letters as folded ALA-LC romanisation; everything else unchanged.

    >>> romanize_cyrillic("История России")
    'istoriia rossii'
    """
    return text.lower().translate(_CYRILLIC_TABLE)
