"""Related records, each with the reasons it is related.

:func:`related_body` (pure) builds one ``bool`` query whose ``should`` clauses are the
possible reasons: similar text, each shared subject heading, each shared author, the
same place in the LC classification. Every clause is named (``_name``), so a hit's
``matched_queries`` says which clauses matched it, and :func:`related` turns exactly
those names into reasons: a reason is stated only when its clause really matched.
"""

from __future__ import annotations

import re

from elasticsearch import ApiError, Elasticsearch, TransportError

from index.search import SearchUnavailable, get_record
from ingest.subjects import broader

DEFAULT_SIZE = 10
MAX_SIZE = 50
KINDS = ("author", "subject", "class", "text")

# Fields more_like_this compares. title_original carries the Hangul words of Korean
# records (LC romanises the title but keeps the 880 twin), which match each other far
# more reliably than the romanisation does.
TEXT_FIELDS: tuple[str, ...] = ("title", "title_original", "summary", "subjects")
TEXT_VALUE = "title, summary, subjects"

# Caps: a record with 60 subject headings must not make a 200-clause query.
MAX_SUBJECT_CLAUSES = 40
MAX_AUTHOR_CLAUSES = 10

# Boosts. The term clauses score with BM25: on a keyword field (no norms, one term)
# the score is idf x boost, and idf = ln(1 + (N - df + 0.5) / (df + 0.5)). So a shared
# subject heading that few records carry ("Knowledge management", idf ~7) weighs far
# more than one that thousands carry ("United States", idf ~2), without any table of
# "broad" headings. On top of that, a broader form of the record's heading ("Korea"
# from "Korea (South) -- Politics and government") is boosted less than the full
# heading: sharing only the main term says less than sharing the whole heading.
AUTHOR_BOOST = 1.5
SUBJECT_BOOST = 1.0
BROADER_SUBJECT_BOOST = 0.5  # a broader form with at least one subdivision left
MAIN_TERM_BOOST = 0.25       # the bare main term of a subdivided heading
OUTLINE_BOOST = 1.0          # same narrowest LC outline range ("HD28-70")
LCC_CLASS_BOOST = 0.3        # only the same class letters ("HD"): a neighbouring range
# more_like_this sums many term scores; without damping it outweighs every heading.
TEXT_BOOST = 0.3


def _name(kind: str, value: str) -> str:
    return f"{kind}:{value}"


def parse_name(name: str) -> dict | None:
    """A clause name back into a reason; None for a name this module did not make."""
    kind, sep, value = name.partition(":")
    if not sep or kind not in KINDS:
        return None
    return {"kind": kind, "value": value}


def subject_boosts(record: dict) -> dict[str, float]:
    """Each subject heading the query looks for, with its boost.

    The record's own headings at full weight, then their broader forms lower (the
    broadest lowest); a heading that is both (``"Racism"`` and ``"Racism -- United
    States"`` in DLC:00008052) keeps the higher boost.
    """
    boosts: dict[str, float] = {}
    for heading in record.get("subjects") or []:
        forms = broader(heading)
        for depth, form in enumerate(forms, start=1):
            if depth == len(forms):
                boost = SUBJECT_BOOST
            elif depth == 1:
                boost = MAIN_TERM_BOOST
            else:
                boost = BROADER_SUBJECT_BOOST
            boosts[form] = max(boost, boosts.get(form, 0.0))
    # Only values the index holds: subject_terms is what the field was built from.
    terms = set(record.get("subject_terms") or []) or set(boosts)
    kept = [(h, b) for h, b in boosts.items() if h in terms]
    kept.sort(key=lambda hb: -hb[1])  # stable: full headings first, in record order
    return dict(kept[:MAX_SUBJECT_CLAUSES])


def _term(field: str, value: str, boost: float, name: str) -> dict:
    return {"term": {field: {"value": value, "boost": boost, "_name": name}}}


def related_body(record: dict, size: int = DEFAULT_SIZE) -> dict:
    """The search request for records related to ``record`` (a canonical record)."""
    should: list[dict] = [{
        "more_like_this": {
            "fields": list(TEXT_FIELDS),
            "like": [{"_id": record["id"]}],
            "min_term_freq": 1,   # titles say each word once
            "min_doc_freq": 2,    # a word no other record has cannot relate anything
            "max_query_terms": 25,
            "minimum_should_match": "30%",
            "boost": TEXT_BOOST,
            "_name": _name("text", TEXT_VALUE),
        }
    }]
    for heading, boost in subject_boosts(record).items():
        should.append(_term("subject_terms.raw", heading, boost, _name("subject", heading)))
    for author in list(dict.fromkeys(record.get("authors") or []))[:MAX_AUTHOR_CLAUSES]:
        should.append(_term("authors.raw", author, AUTHOR_BOOST, _name("author", author)))
    outline = record.get("lcc_outline") or []
    if outline:
        should.append(_term("lcc_outline", outline[-1], OUTLINE_BOOST,
                            _name("class", outline[-1])))
    if record.get("lcc_class"):
        should.append(_term("lcc_class", record["lcc_class"], LCC_CLASS_BOOST,
                            _name("class", record["lcc_class"])))
    return {
        "query": {"bool": {
            "should": should,
            "minimum_should_match": 1,
            "must_not": [{"ids": {"values": [record["id"]]}}],
        }},
        "size": max(1, min(int(size), MAX_SIZE)),
        "_source": ["id", "title"],
        "include_named_queries_score": True,
        "track_total_hits": False,
    }


def _order(kind: str) -> int:
    return KINDS.index(kind)


def reasons(matched) -> list[dict]:
    """``matched_queries`` of a hit (names, or names -> scores) -> reasons.

    Strongest first within the fixed order author, subject, class, text. A subject
    heading is dropped when a narrower matched heading contains it ("Korea" beside
    "Korea -- History"): the narrower one says more and implies the broader.
    """
    scores = matched if isinstance(matched, dict) else {name: 0.0 for name in matched or []}
    out = [(r, scores[name]) for name in scores if (r := parse_name(name))]
    subjects = {r["value"] for r, _ in out if r["kind"] == "subject"}
    out = [(r, s) for r, s in out if not (
        r["kind"] == "subject"
        and any(o != r["value"] and o.startswith(r["value"] + " -- ") for o in subjects))]
    # Likewise the class letters ("HD") beside the outline range that holds them ("HD28-70").
    classes = {r["value"] for r, _ in out if r["kind"] == "class"}
    out = [(r, s) for r, s in out if not (
        r["kind"] == "class"
        and any(o != r["value"] and re.match(re.escape(r["value"]) + r"(?![A-Z])", o)
                for o in classes))]
    out.sort(key=lambda rs: (_order(rs[0]["kind"]), -rs[1]))
    return [r for r, _ in out]


def related(es: Elasticsearch, alias: str, record_id: str,
            size: int = DEFAULT_SIZE) -> dict | None:
    """``{"related": [{"id", "title", "score", "reasons"}]}``, or None when no record
    has ``record_id``. Raises :class:`SearchUnavailable` when the cluster fails."""
    record = get_record(es, alias, record_id)
    if record is None:
        return None
    return related_to(es, alias, record, size)


def related_to(es: Elasticsearch, alias: str, record: dict, size: int = DEFAULT_SIZE) -> dict:
    """:func:`related` for a canonical record already fetched."""
    try:
        resp = es.search(index=alias, **related_body(record, size))
    except (ApiError, TransportError) as exc:
        raise SearchUnavailable(f"related on {alias!r} failed: {type(exc).__name__}") from exc
    items = []
    for hit in resp["hits"]["hits"]:
        src = hit.get("_source") or {}
        items.append({
            "id": hit["_id"],
            "title": src.get("title"),
            "score": round(hit.get("_score") or 0.0, 4),
            "reasons": reasons(hit.get("matched_queries")),
        })
    return {"related": items}
