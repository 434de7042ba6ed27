"""Pure search-request builders.

The search state is an immutable :class:`SearchParams`, parsed from request arguments
(the URL) by :func:`parse_search_params`. :func:`search_body` turns it into an
Elasticsearch request body through small steps, Blacklight style: ``add_query``,
``add_filters``, ``add_facets``, ``add_sort``, ``add_paging``, ``add_highlight``. Each
step takes a body and the params and returns a new body; none raises on user text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from urllib.parse import urlencode

from index import analysis
from index.facets import FACETS, FILTERS, N_

MAX_RESULT_WINDOW = 10_000  # Elasticsearch's index.max_result_window
MAX_SIZE = 100
DEFAULT_SIZE = 20
MAX_Q_CHARS = 500
# Every term of the query becomes one clause per searched field; Elasticsearch refuses
# a query of more than 1024 clauses on a small heap. 40 terms x 13 fields stays below.
MAX_Q_TERMS = 40
MAX_FILTER_CHARS = 1024  # the keyword fields' ignore_above: longer values never match

# Weighted fields of the free-text query. Original-script twins weigh as much as the
# romanised fields: a Korean visitor types 한국, not Hanʼguk.
QUERY_FIELDS: tuple[str, ...] = (
    "title^4", "title_original^4", "title_ko^4",
    "subjects^2", "subjects_original^2", "subjects_ko^2",
    "authors^1.5", "authors_original", "authors_ko^1.5",
    "publisher", "publisher_original", "publisher_ko", "summary", "folded",
)
FOLDED_FIELD = "folded"
ROMANIZED_FIELD = "romanized"  # index.korean.ROMANIZED_FIELD
# title_ko is the original title of a Korean record (or its Hangul title): the page
# marks whichever of the two it holds (viz.components.hits).
HIGHLIGHT_FIELDS: tuple[str, ...] = ("title", "title_original", "title_ko")
# simple_query_string operators we allow: no fuzzy (~N) or slop, which cost a lot and
# which nobody types on purpose.
QUERY_FLAGS = "AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|WHITESPACE|ESCAPE"

# Source fields a hit needs (the API's hit shape, plus what pages may ask for).
HIT_FIELDS: tuple[str, ...] = ("id", "title", "authors", "year", "subjects", "language")

# Result orders as they appear in the URL (``sort=``): the default, relevance, is left
# out of permalinks. Records without a year come last either way.
# The labels are marked for the interface's message catalogue (viz/locales).
SORTS: dict[str, str] = {"relevance": N_("Relevance"), "-year": N_("Newest first"),
                         "year": N_("Oldest first")}
DEFAULT_SORT = "relevance"


class BadParameter(ValueError):
    """A request parameter has a value shelfmap cannot use."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@dataclasses.dataclass(frozen=True)
class SearchParams:
    """One search, as it lives in the URL."""

    q: str = ""
    page: int = 1
    size: int = DEFAULT_SIZE
    # (facet name, value) pairs, in the order given; several values of one facet AND.
    filters: tuple[tuple[str, str], ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    sort: str = DEFAULT_SORT

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    def values(self, name: str) -> tuple[str, ...]:
        return tuple(v for n, v in self.filters if n == name)

    def with_filter(self, name: str, value: str) -> SearchParams:
        if (name, value) in self.filters:
            return dataclasses.replace(self, page=1)
        return dataclasses.replace(self, filters=self.filters + ((name, value),), page=1)

    def without_filter(self, name: str, value: str) -> SearchParams:
        rest = tuple(f for f in self.filters if f != (name, value))
        return dataclasses.replace(self, filters=rest, page=1)

    def replace(self, **changes) -> SearchParams:
        return dataclasses.replace(self, **changes)

    def to_args(self) -> list[tuple[str, str]]:
        """The params as URL arguments (defaults left out), for permalinks."""
        args: list[tuple[str, str]] = []
        if self.q:
            args.append(("q", self.q))
        args.extend(self.filters)
        if self.year_from is not None:
            args.append(("year_from", str(self.year_from)))
        if self.year_to is not None:
            args.append(("year_to", str(self.year_to)))
        if self.sort != DEFAULT_SORT:
            args.append(("sort", self.sort))
        if self.size != DEFAULT_SIZE:
            args.append(("size", str(self.size)))
        if self.page != 1:
            args.append(("page", str(self.page)))
        return args

    def query_string(self) -> str:
        return urlencode(self.to_args())


# --- parsing -------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# An approximation of the standard tokenizer's terms: a run of word characters, or one
# CJK ideograph (which it emits one by one).
_TERM = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def clean_text(text: str) -> str:
    """Drop control characters and lone surrogates; collapse whitespace."""
    return " ".join(_CONTROL.sub(" ", text).split())


def clip_query(q: str) -> str:
    """At most MAX_Q_CHARS characters and MAX_Q_TERMS terms, cut at a term's end."""
    q = q[:MAX_Q_CHARS]
    for n, match in enumerate(_TERM.finditer(q), start=1):
        if n == MAX_Q_TERMS:
            return q[:match.end()]
    return q


def _all(args: Mapping, name: str) -> list[str]:
    """Every value of ``name``: a werkzeug MultiDict's list, a list value (Dash), or one."""
    if hasattr(args, "getlist"):
        values = args.getlist(name)
    else:
        value = args.get(name)
        values = [] if value is None else list(value) if isinstance(value, (list, tuple)) else [value]
    return [v for v in (clean_text(str(v)) for v in values) if v]


def _one(args: Mapping, name: str) -> str | None:
    values = _all(args, name)
    return values[0] if values else None


def _int(args: Mapping, name: str, low: int, high: int, what: str) -> int | None:
    text = _one(args, name)
    if text is None:
        return None
    try:
        value = int(text, 10)
    except ValueError:
        raise BadParameter(name, f"must be {what}, not {text[:40]!r}") from None
    if not low <= value <= high:
        raise BadParameter(name, f"must be {what}, not {value}")
    return value


def parse_search_params(args: Mapping[str, str]) -> SearchParams:
    """The search named by request arguments; :class:`BadParameter` for a bad value.

    Unknown arguments are ignored. Free text is never rejected: it is cleaned and clipped.
    """
    q = clip_query(" ".join(_all(args, "q")))
    size = _int(args, "size", 1, MAX_SIZE, f"a whole number from 1 to {MAX_SIZE}") or DEFAULT_SIZE
    max_page = MAX_RESULT_WINDOW // size
    page = _int(args, "page", 1, 10**9, "a positive whole number") or 1
    if page > max_page:
        raise BadParameter("page", f"must be at most {max_page} with size {size} "
                                   f"(results stop at {MAX_RESULT_WINDOW})")
    year_from = _int(args, "year_from", -9999, 9999, "a year")
    year_to = _int(args, "year_to", -9999, 9999, "a year")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise BadParameter("year_from", f"must not be after year_to ({year_from} > {year_to})")
    sort = _one(args, "sort") or DEFAULT_SORT
    if sort not in SORTS:
        raise BadParameter("sort", f"must be one of {', '.join(SORTS)}, not {sort[:40]!r}")
    filters: list[tuple[str, str]] = []
    for name in FILTERS:
        for value in _all(args, name):
            if len(value) > MAX_FILTER_CHARS:
                raise BadParameter(name, f"must be at most {MAX_FILTER_CHARS} characters")
            if (name, value) not in filters:
                filters.append((name, value))
    return SearchParams(q=q, page=page, size=size, filters=tuple(filters),
                        year_from=year_from, year_to=year_to, sort=sort)


# --- building ------------------------------------------------------------------------

def _fold(text: str) -> str | None:
    # Imported here: ingest.normalize is shared with the Spark jobs and may be absent
    # in a partial install; without it the romanised fields still match.
    try:
        from ingest.normalize import fold
    except ImportError:
        return None
    return fold(text)


# Han ideographs, kana and their compatibility forms: scripts the standard tokenizer
# splits into one token per character.
_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_CJK_RUN = re.compile(f"[{_CJK_CHARS}]{{2,}}")
_ASCII_WORD = re.compile(r"[a-z0-9]")


def quote_cjk(q: str) -> str:
    """Each run of two or more ideographs or kana, as a quoted phrase.

    The standard tokenizer cuts 中國 into 中 and 國; unquoted, "中國" would match every
    title with the two characters anywhere in it. Quoted, they must be adjacent (and
    with cjk_bigram or icu_tokenizer on a richer cluster the phrase still matches).
    A query already holding quotes is left as the visitor wrote it.
    """
    if '"' in q:
        return q
    return _CJK_RUN.sub(lambda m: f'"{m.group(0)}"', q)


def _folded_match(text: str) -> dict | None:
    """The folded query against the folded romanised text and the romanisations
    generated for Korean records (index.korean.romanized: "hanguk gyeongje" meets LC's
    "Hanʼguk kyŏngje"), every word in one or the other."""
    if not text or not _ASCII_WORD.search(text):
        return None  # nothing Latin to meet the folded field with
    return {"multi_match": {"query": text, "fields": [FOLDED_FIELD, ROMANIZED_FIELD],
                            "type": "cross_fields", "operator": "and"}}


def add_query(body: dict, params: SearchParams) -> dict:
    q = clip_query(clean_text(params.q))
    if not q:
        return {**body, "query": {"match_all": {}}}
    should: list[dict] = [{
        "simple_query_string": {
            "query": quote_cjk(q),
            "fields": list(QUERY_FIELDS),
            "default_operator": "and",
            "flags": QUERY_FLAGS,
            "lenient": True,
        }
    }]
    folded = _fold(q)
    # "Hanʼguk" (with U+02BC) is one token that never meets the indexed "hanguk";
    # the folded query does.
    clauses = [_folded_match(folded)] if folded else []
    if analysis.has_cyrillic(q):
        # LC's Russian records have only the ALA-LC romanised title: история must meet
        # "Istorii︠a︡", folded to "istoriia".
        clauses.append(_folded_match(analysis.romanize_cyrillic(folded or q)))
    for clause in clauses:
        if clause is not None and clause not in should:
            should.append(clause)
    return {**body, "query": {"bool": {"should": should, "minimum_should_match": 1}}}


def filter_clauses(params: SearchParams) -> list[dict]:
    fields = {f.name: f.field for f in FACETS}
    clauses: list[dict] = [{"term": {fields[name]: value}} for name, value in params.filters]
    year: dict[str, int] = {}
    if params.year_from is not None:
        year["gte"] = params.year_from
    if params.year_to is not None:
        year["lte"] = params.year_to
    if year:
        clauses.append({"range": {"year": year}})
    return clauses


def add_filters(body: dict, params: SearchParams) -> dict:
    clauses = filter_clauses(params)
    if not clauses:
        return body
    query = body.get("query", {"match_all": {}})
    return {**body, "query": {"bool": {"must": [query], "filter": clauses}}}


def facet_aggregations() -> dict:
    aggs: dict[str, dict] = {}
    for facet in FACETS:
        if facet.kind == "terms":
            aggs[facet.name] = {"terms": {"field": facet.field, "size": facet.size}}
        elif facet.kind == "histogram":
            aggs[facet.name] = {"histogram": {"field": facet.field,
                                              "interval": facet.interval,
                                              "min_doc_count": 1}}
        else:
            raise ValueError(f"facet {facet.name!r} has unknown kind {facet.kind!r}")
    return aggs


def add_facets(body: dict, params: SearchParams) -> dict:
    return {**body, "aggs": facet_aggregations()}


def add_sort(body: dict, params: SearchParams) -> dict:
    if params.sort == "year" or params.sort == "-year":
        order = "asc" if params.sort == "year" else "desc"
        # Within a year, the best match first.
        return {**body, "sort": [{"year": {"order": order, "missing": "_last"}}, "_score"],
                "track_scores": True}
    # Relevance first; among equals (and for an empty query) the newest first.
    return {**body, "sort": ["_score", {"year": {"order": "desc", "missing": "_last"}}]}


def add_paging(body: dict, params: SearchParams) -> dict:
    size = max(1, min(params.size, MAX_SIZE))
    offset = max(0, min(params.offset, MAX_RESULT_WINDOW - size))
    return {**body, "from": offset, "size": size, "track_total_hits": True}


def add_highlight(body: dict, params: SearchParams) -> dict:
    if not params.q:
        return body
    return {**body, "highlight": {
        "fields": {name: {"number_of_fragments": 0} for name in HIGHLIGHT_FIELDS},
        "pre_tags": ["<mark>"], "post_tags": ["</mark>"],
        "encoder": "html",  # highlighted text is escaped: safe to render as HTML
    }}


def add_source(body: dict, params: SearchParams, extra: tuple[str, ...] = ()) -> dict:
    return {**body, "_source": list(dict.fromkeys(HIT_FIELDS + tuple(extra)))}


STEPS = (add_query, add_filters, add_facets, add_sort, add_paging, add_highlight)


def search_body(params: SearchParams, extra_fields: tuple[str, ...] = ()) -> dict:
    """The Elasticsearch search request for ``params``."""
    body: dict = {}
    for step in STEPS:
        body = step(body, params)
    return add_source(body, params, extra_fields)
