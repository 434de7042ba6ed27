"""Korean search measured on real LC titles: recall and precision of each analysis.

The titles are the 880 (original-script) titles of the Korean records in
tests/data/loc-books-2016/korean-all.mrc. LC writes them with a space (U+3000) between
every word and particle ("국방　정책　연구　의　발자취") and romanises them word for word in
245, which gives right answers that owe nothing to any analyser: a title is *relevant*
to a Korean word when the word is part of one of LC's words in it, or of that word's
reading where LC's word is in Hanja (read back from LC's romanisation of it: "經濟",
"kyŏngje", 경제). Words of two syllables or more; "경제" is in "경제사".

Each case is a small collection indexed on the running node, one field per analysis,
and a set of queries (a `match` query, all terms required, as the app's search asks):

- particles: titles written as Korean is written, particles attached to their noun
  ("국방 정책 연구의 발자취"), queried with the bare noun ("연구"); and LC's titles queried
  with the noun and its particle ("연구의");
- compounds: titles with one pair of adjacent nouns written as one word ("국방정책"),
  queried with the second ("정책"); and LC's titles queried with the pair as one word (a
  noun: a word that some title follows with a particle);
- Hanja: LC's titles queried with the Hangul reading of each of their Hanja words;
- North Korean spelling: North and South spellings of twenty common Sino-Korean words,
  listed by hand from the two orthographies (력사/역사, 로동/노동, ...), not from the
  analyser's lexicon: LC's titles queried in the North's spelling, and titles respelled in
  the North's queried in the South's;
- words that merely start like a North spelling: every LC title word that starts with a
  syllable the initial-sound rule changes (라디오, 러시아, 뉴스, 리더십...; the listed
  North spellings aside), queried as written: any hit without the word is a false match
  made by the North/South rule;
- the Revised Romanization: every noun queried in RR (gyeongje) against LC's romanised
  titles (kyŏngje), and for shelfmap-korean against those with the romanisations the
  index generates from the Hangul (index.korean.romanized).

Precision counts as false every hit that holds none of the query's words as LC wrote
them: a hit through a stem (여성들 finding 여성) or a homonym is false, so the figures
are a lower bound on what a reader would call relevant.

Analyses: ``standard`` (the bare server's, what Korean had before), ``nori`` (the
plugin's tokenizer with its part-of-speech filter: about what Elasticsearch's official
analysis-nori gives) and ``shelfmap-korean`` (the Korean fields' analysis: the Hanja,
North/South and context filters as well). Recall and precision are micro-averaged over
(query, relevant title) pairs.

    .venv/bin/python bench/korean_bench.py [--home DIR] [--marc FILE]

The node is the home's local node (started if needed, with the plugin); results go to
bench/results/korean.json and a Markdown table to stdout.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import re
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MARC = ROOT / "tests" / "data" / "loc-books-2016" / "korean-all.mrc"

# Korean particles (case markers, postpositions and their combinations) as LC writes
# them: words of their own after a noun.
PARTICLES = frozenset(
    "의 은 는 이 가 을 를 에 에서 에게 께 와 과 로 으로 도 만 부터 까지 보다 처럼 에의 과의 "
    "와의 에서의 로서 으로서 로의 으로의 이란 란 에서는 에는 와는 과는 으로는 로는 에게서 "
    "한테 이나 나 이며 며 이여 조차 마저 밖에 뿐".split())

# North Korean spelling -> South Korean spelling of common Sino-Korean words, from the
# two orthographies' initial-sound rule (조선말규범집; 한글 맞춤법 제10-12항).
NORTH_SOUTH = {
    "력사": "역사", "로동": "노동", "리론": "이론", "녀성": "여성", "련합": "연합",
    "량심": "양심", "력량": "역량", "리해": "이해", "로인": "노인", "류학": "유학",
    "륙지": "육지", "리용": "이용", "래일": "내일", "론문": "논문", "락원": "낙원",
    "령도": "영도", "료리": "요리", "례술": "예술", "런합": "연합", "리익": "이익",
}

ANALYSES = {
    "standard": {"analyzer": "standard"},
    "nori": {"analyzer": "bench_nori"},
    "shelfmap-korean": {"analyzer": "shelfmap_korean", "search_analyzer": "shelfmap_korean_search"},
}
_SYLLABLES = re.compile("^[\uac00-\ud7a3]+$")
_HANJA = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclasses.dataclass
class Case:
    name: str
    docs: dict[str, str]                       # id -> title as indexed
    queries: list[tuple[str, frozenset[str]]]  # query, relevant ids
    # What shelfmap-korean indexes instead of ``docs`` (the romanisations case: the
    # generated romanisations beside LC's).
    korean_docs: dict[str, str] | None = None


@dataclasses.dataclass
class Title:
    words: list[str]     # LC's words of the 880 title ("韓國", "經濟", "의", "分析")
    readings: list[str]  # the same words as a reader types them: Hangul, a Hanja word
                         # read from LC's romanisation of it ("한국", "경제", "의", "분석")
    romanized: str       # LC's 245, folded ("hanguk kyongje ui punsok")
    language: str | None


def read_titles(path: Path) -> dict[str, Title]:
    """Record id -> its Hangul title (records whose 880 title holds Hangul)."""
    from index import romanize
    from ingest.marc import map_raw
    from ingest.normalize import fold

    titles: dict[str, Title] = {}
    logging.disable(logging.WARNING)
    try:
        for chunk in path.read_bytes().split(b"\x1d")[:-1]:
            record = map_raw(chunk + b"\x1d")
            title = record.get("title_original") or ""
            if not re.search("[\uac00-\ud7a3]", title):
                continue
            words = [w for w in re.split(r"[\s\u3000]+", title) if w]
            lc = (record.get("title") or "").split()
            readings = list(words)
            if len(lc) == len(words):
                for k, word in enumerate(words):
                    if _HANJA.search(word):
                        readings[k] = romanize.hangul_from_mr(lc[k]) or word
            titles[record["id"]] = Title(words, readings, fold(record.get("title") or ""),
                                         record.get("language"))
    finally:
        logging.disable(logging.NOTSET)
    return titles


def _noun(word: str) -> bool:
    return len(word) >= 2 and bool(_SYLLABLES.match(word)) and word not in PARTICLES


def relevant(titles: dict[str, Title], word: str, *, start: bool = False) -> frozenset[str]:
    """Titles holding ``word`` in one of LC's words or its reading (at a word's start
    if ``start``): "경제" is in "경제사", and in "經濟" read from LC's "kyŏngje"."""
    return frozenset(i for i, t in titles.items()
                     if any((w.startswith(word) if start else word in w)
                            for w in (*t.words, *t.readings)))


def _attach_particles(words: list[str]) -> str:
    out: list[str] = []
    for word in words:
        if out and word in PARTICLES and _SYLLABLES.match(out[-1]):
            out[-1] += word
        else:
            out.append(word)
    return " ".join(out)


def _queries(titles, words, **kw) -> list[tuple[str, frozenset[str]]]:
    return [(w, relevant(titles, w, **kw)) for w in sorted(words)]


def cases(titles: dict[str, Title]) -> list[Case]:
    from index import korean, romanize

    words_of = {i: t.words for i, t in titles.items()}
    lc = {i: " ".join(words) for i, words in words_of.items()}
    attached_nouns = {words[k - 1] for words in words_of.values()
                      for k in range(1, len(words)) if words[k] in PARTICLES and _noun(words[k - 1])}
    with_particle = {}
    for words in words_of.values():
        for k in range(1, len(words)):
            if words[k] in PARTICLES and _noun(words[k - 1]):
                with_particle.setdefault(words[k - 1] + words[k], words[k - 1])
    # A noun, for the compounds: a word some title follows with a particle (LC's words
    # are otherwise nouns, verbs, adjectives and adverbs alike).
    nouns = attached_nouns
    joined, second_parts, pairs = {}, set(), {}
    for i, words in words_of.items():
        for k in range(1, len(words)):
            if words[k - 1] in nouns and words[k] in nouns:
                joined[i] = " ".join([*words[:k - 1], words[k - 1] + words[k], *words[k + 1:]])
                second_parts.add(words[k])
                pairs[words[k - 1] + words[k]] = (words[k - 1], words[k])
                break
        else:
            joined[i] = lc[i]
    north_written = {}
    for i, words in words_of.items():
        respelled = []
        for w in words:
            for north, south in NORTH_SOUTH.items():
                if w.startswith(south):
                    w = north + w[len(south):]
                    break
            respelled.append(w)
        north_written[i] = " ".join(respelled)
    changed_by_rule = {w for words in words_of.values() for w in words
                       if _noun(w) and _initial_sound_applies(w[0]) and w not in NORTH_SOUTH}
    # Hanja words of two characters or more, queried by their reading (from LC's
    # romanisation of the word, read back: not from the analyser's dictionary).
    hanja_readings = {r for t in titles.values() for w, r in zip(t.words, t.readings)
                      if _HANJA.search(w) and r != w and _noun(r)}
    # Every noun of the titles, queried in the Revised Romanization; shelfmap-korean
    # indexes LC's romanisation with the generated ones (index.korean.romanized).
    rr_queries = [(romanize.rr(w), relevant(titles, w)) for w in sorted(nouns)]
    with_generated = {}
    for i, t in titles.items():
        record = {"language": "kor", "title": t.romanized, "authors": [], "subjects": [],
                  "title_original": " ".join(t.words), "authors_original": [],
                  "subjects_original": []}
        with_generated[i] = " | ".join(x for x in (t.romanized, korean.romanized(record)) if x)
    return [
        Case("particles: title with particles attached, bare noun queried",
             {i: _attach_particles(words) for i, words in words_of.items()},
             _queries(titles, attached_nouns)),
        Case("particles: LC's title, noun with its particle queried", lc,
             [(q, relevant(titles, noun)) for q, noun in sorted(with_particle.items())]),
        Case("compounds: two nouns written as one word, the second queried", joined,
             _queries(titles, second_parts)),
        Case("compounds: LC's title, two nouns queried as one word", lc,
             [(q, relevant(titles, a) & relevant(titles, b)) for q, (a, b) in sorted(pairs.items())]),
        Case("Hanja: LC's title, a Hanja word queried in Hangul", lc,
             _queries(titles, hanja_readings)),
        Case("North spelling queried, LC's (South) titles", lc,
             [(n, relevant(titles, s, start=True)) for n, s in sorted(NORTH_SOUTH.items())]),
        Case("South spelling queried, titles respelled in the North's", north_written,
             [(s, relevant(titles, s, start=True)) for s in sorted(set(NORTH_SOUTH.values()))]),
        Case("words starting like a North spelling (라디오, 뉴스...), queried as written", lc,
             _queries(titles, changed_by_rule)),
        Case("Revised Romanization queried, LC's romanised title (and, for shelfmap-korean, "
             "the romanisations generated from the Hangul)",
             {i: t.romanized for i, t in titles.items()}, rr_queries, korean_docs=with_generated),
    ]


def _initial_sound_applies(syllable: str) -> bool:
    """The syllable is one the South's initial-sound rule would change (ㄹ, or ㄴ before
    ㅕ ㅖ ㅛ ㅠ ㅣ), as index/plugin's InitialSound decides."""
    code = ord(syllable) - 0xAC00
    if not 0 <= code < 11172:
        return False
    initial, vowel = code // 588, (code // 28) % 21
    return initial == 5 or (initial == 2 and vowel in (6, 7, 12, 17, 20))


def _index(es, case: Case, chosen: dict) -> str:
    from index import mapping

    settings = mapping.index_body(analysis_settings=chosen)["settings"]
    settings["analysis"]["analyzer"]["bench_nori"] = {
        "type": "custom", "tokenizer": "bench_nori",
        "filter": ["shelfmap_korean_pos", "lowercase"]}
    settings["analysis"].setdefault("tokenizer", {})["bench_nori"] = {
        "type": "shelfmap_korean_tokenizer", "decompound_mode": "mixed"}
    name = f"shelfmap-korean-bench-{uuid.uuid4().hex[:8]}"
    props = {field: {"type": "text", **spec} for field, spec in
             ((f"t_{k.replace('-', '_')}", v) for k, v in ANALYSES.items())}
    if case.korean_docs is not None:
        # Romanised text: every column reads it as the folded field does (standard);
        # only what shelfmap-korean indexes differs.
        props = {field: {"type": "text", "analyzer": "standard"} for field in props}
    es.indices.create(index=name, settings=settings, mappings={"properties": props})
    lines = []
    for i, text in case.docs.items():
        lines.append({"index": {"_index": name, "_id": i}})
        doc = {field: text for field in props}
        if case.korean_docs is not None:
            doc["t_shelfmap_korean"] = case.korean_docs[i]
        lines.append(doc)
    es.bulk(operations=lines, refresh=True)
    return name


def measure(es, case: Case, chosen: dict) -> dict:
    name = _index(es, case, chosen)
    try:
        out = {}
        for analysis_name in ANALYSES:
            field = f"t_{analysis_name.replace('-', '_')}"
            tp = fp = fn = 0
            for q, wanted in case.queries:
                resp = es.search(index=name, size=10_000, _source=False,
                                 query={"match": {field: {"query": q, "operator": "and"}}})
                found = {h["_id"] for h in resp["hits"]["hits"]}
                tp += len(found & wanted)
                fp += len(found - wanted)
                fn += len(wanted - found)
            out[analysis_name] = {
                "recall": round(tp / (tp + fn), 3) if tp + fn else None,
                "precision": round(tp / (tp + fp), 3) if tp + fp else None,
                "found": tp, "false": fp, "missed": fn}
        return {"case": case.name, "titles": len(case.docs), "queries": len(case.queries),
                "relevant": sum(len(w) for _, w in case.queries), "by_analysis": out}
    finally:
        es.indices.delete(index=name)


def table(results: list[dict]) -> str:
    head = "| case | queries | relevant | " + " | ".join(
        f"{a} recall | {a} precision" for a in ANALYSES) + " |"
    rule = "|" + "---|" * (3 + 2 * len(ANALYSES))
    rows = [head, rule]
    for r in results:
        cells = [r["case"], str(r["queries"]), str(r["relevant"])]
        for a in ANALYSES:
            m = r["by_analysis"][a]
            cells += [_pct(m["recall"]), _pct(m["precision"])]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _pct(x) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def main() -> None:
    import settings as shelfmap_settings
    from index import analysis, local_node
    from index.client import connect

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", help="the shelfmap home whose node to use (default: settings)")
    parser.add_argument("--marc", type=Path, default=MARC)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "korean.json")
    args = parser.parse_args()
    settings = shelfmap_settings.load(home=args.home)  # the environment's settings too
    titles = read_titles(args.marc)
    started = time.monotonic()
    with local_node.running(settings):
        es = connect(settings)
        chosen = analysis.for_cluster(es)
        if "shelfmap-korean" not in chosen["variants"]:
            raise SystemExit("the node has no shelfmap-korean plugin: nothing to measure")
        results = [measure(es, case, chosen["analysis"]) for case in cases(titles)]
    report = {"when": time.strftime("%Y-%m-%d"), "titles": len(titles), "source": str(args.marc),
              "seconds": round(time.monotonic() - started, 1), "cases": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"{len(titles):,} Hangul titles from {args.marc.name}\n")
    print(table(results))


if __name__ == "__main__":
    main()
