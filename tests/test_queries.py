"""The query builders, as dicts: real cases, then hostile input."""

from __future__ import annotations

import json

import pytest
from werkzeug.datastructures import MultiDict

from index import queries
from index.facets import FACETS
from index.queries import BadParameter, SearchParams, parse_search_params, search_body


def _sqs(body: dict) -> dict:
    """The simple_query_string clause of a body, wherever the steps put it."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "simple_query_string" in node:
                found.append(node["simple_query_string"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(body["query"])
    assert len(found) == 1
    return found[0]


def test_empty_query_is_match_all_by_relevance_then_year():
    body = search_body(parse_search_params({}))
    assert body["query"] == {"match_all": {}}
    assert body["sort"] == ["_score", {"year": {"order": "desc", "missing": "_last"}}]
    assert (body["from"], body["size"]) == (0, 20)
    assert body["track_total_hits"] is True
    assert "highlight" not in body


def test_text_query_weights_titles_subjects_and_names():
    body = search_body(parse_search_params({"q": "economic history"}))
    sqs = _sqs(body)
    assert sqs["query"] == "economic history"
    assert sqs["default_operator"] == "and"
    assert {"title^4", "title_original^4", "subjects^2", "subjects_original^2",
            "authors^1.5", "authors_original", "folded", "publisher", "summary"} <= set(sqs["fields"])
    assert set(body["highlight"]["fields"]) == {"title", "title_original", "title_ko"}
    assert {"title_ko^4", "subjects_ko^2", "authors_ko^1.5", "publisher_ko"} <= set(sqs["fields"])


def test_romanised_query_is_folded_against_the_folded_field():
    # LC romanises 한국 as "Hanʼguk" with U+02BC; the folded field holds "hanguk".
    pytest.importorskip("ingest.normalize")
    body = search_body(parse_search_params({"q": "Hanʼguk"}))
    should = body["query"]["bool"]["should"]
    # The folded text and the romanisations generated for Korean records alike.
    assert {"multi_match": {"query": "hanguk", "fields": ["folded", "romanized"],
                            "type": "cross_fields", "operator": "and"}} in should
    assert body["query"]["bool"]["minimum_should_match"] == 1


def test_hangul_query_goes_to_the_original_script_fields():
    sqs = _sqs(search_body(parse_search_params({"q": "한국"})))
    assert sqs["query"] == "한국"
    assert "title_original^4" in sqs["fields"]


def test_filters_from_the_facet_registry():
    args = MultiDict([("q", "korea"), ("subject", "Korea -- History"),
                      ("subject", "Korean poetry"), ("language", "kor"), ("class", "DS"),
                      ("author", "Kim, Pu-sik, 1075-1151"),
                      ("year_from", "1990"), ("year_to", "1999")])
    params = parse_search_params(args)
    body = search_body(params)
    filters = body["query"]["bool"]["filter"]
    assert {"term": {"subject_terms.raw": "Korea -- History"}} in filters
    assert {"term": {"subject_terms.raw": "Korean poetry"}} in filters
    assert {"term": {"language": "kor"}} in filters
    assert {"term": {"lcc_class": "DS"}} in filters
    assert {"term": {"authors.raw": "Kim, Pu-sik, 1075-1151"}} in filters
    assert {"range": {"year": {"gte": 1990, "lte": 1999}}} in filters
    assert len(filters) == 6


def test_facet_aggregations_come_from_the_registry():
    aggs = search_body(SearchParams())["aggs"]
    assert list(aggs) == [f.name for f in FACETS]
    assert aggs["subject"] == {"terms": {"field": "subject_terms.raw", "size": 20}}
    assert aggs["year"]["histogram"]["field"] == "year"


def test_paging():
    body = search_body(parse_search_params({"page": "3", "size": "50"}))
    assert (body["from"], body["size"]) == (100, 50)


def test_paging_is_capped_at_the_result_window():
    body = search_body(SearchParams(page=10**6, size=100))
    assert body["from"] + body["size"] <= queries.MAX_RESULT_WINDOW
    assert parse_search_params({"page": "100", "size": "100"}).page == 100
    with pytest.raises(BadParameter) as err:
        parse_search_params({"page": "101", "size": "100"})
    assert err.value.name == "page"


def test_params_round_trip_through_the_url():
    args = MultiDict([("q", "한국 문학"), ("subject", "Korean literature"), ("class", "PL"),
                      ("year_from", "1950"), ("page", "2"), ("size", "10")])
    params = parse_search_params(args)
    again = parse_search_params(MultiDict(params.to_args()))
    assert again == params
    assert params.with_filter("language", "kor").page == 1
    assert params.with_filter("class", "PL") .filters == params.filters
    assert ("class", "PL") not in params.without_filter("class", "PL").filters


def test_dash_style_list_values_are_read():
    # Dash Pages passes a repeated URL argument as a list.
    params = parse_search_params({"subject": ["A", "B"], "q": "x"})
    assert params.values("subject") == ("A", "B")


def test_unknown_arguments_are_ignored():
    assert parse_search_params({"utm_source": "x", "foo": "bar"}) == SearchParams()


HOSTILE = [
    '"', '""', '"unbalanced', "'", "-", "--", "- -", "OR", "AND", "NOT", "OR OR",
    "*", "**", "?", "a*", "(", ")", "(((", ")))", "[", "]", "{", "}", "[1 TO", "~", "a~2",
    "+", "|", "\\", "\\\\", "/", "title:foo", "_id:1", "^2", "a^", "\x00", "\x00\x01\x1f",
    "\u0085\u2028", "\ud800", "\ufeff", "\u3000", "　한국　", " ", "\t\n", "&", "<script>",
    "a" * 10_000, "한" * 10_000, "中" * 10_000, "a-" * 5_000, "a " * 5_000, "(" * 10_000,
    '"' * 10_001,
]


@pytest.mark.parametrize("q", HOSTILE, ids=lambda q: repr(q[:12]) + f"/{len(q)}")
def test_hostile_text_never_breaks_the_builders(q):
    params = parse_search_params({"q": q})
    body = search_body(params)
    text = json.dumps(body, ensure_ascii=False)  # serialisable: no lone surrogates
    text.encode("utf-8")
    assert len(params.q) <= queries.MAX_Q_CHARS
    assert "\x00" not in text
    # Few enough terms to stay under Elasticsearch's clause limit on a small heap.
    assert len(queries._TERM.findall(params.q)) <= queries.MAX_Q_TERMS


@pytest.mark.parametrize("q", HOSTILE[:20], ids=repr)
def test_hostile_text_in_filters_is_a_plain_term(q):
    params = parse_search_params({"subject": q, "author": q, "language": q, "class": q})
    json.dumps(search_body(params))


@pytest.mark.parametrize("args, name", [
    ({"page": "0"}, "page"),
    ({"page": "-1"}, "page"),
    ({"page": "x"}, "page"),
    ({"page": "1.5"}, "page"),
    ({"page": "1e3"}, "page"),
    ({"page": "9" * 400}, "page"),
    ({"page": "10001"}, "page"),
    ({"size": "0"}, "size"),
    ({"size": "101"}, "size"),
    ({"size": "ten"}, "size"),
    ({"year_from": "abc"}, "year_from"),
    ({"year_to": "19th century"}, "year_to"),
    ({"year_from": "99999"}, "year_from"),
    ({"year_from": "2000", "year_to": "1990"}, "year_from"),
    ({"subject": "x" * 2000}, "subject"),
])
def test_bad_parameters_are_named(args, name):
    with pytest.raises(BadParameter) as err:
        parse_search_params(args)
    assert err.value.name == name
    assert name in str(err.value)


def test_blank_parameters_are_defaults():
    assert parse_search_params({"q": "", "page": "", "size": " ", "year_from": ""}) == SearchParams()


def test_search_box_keeps_filters_and_restarts_paging():
    from viz.components.links import kept_args, record_href

    params = SearchParams(q="old", page=3, filters=(("subject", "Korea -- History"),),
                          year_to=1950, sort="year")
    assert kept_args(params) == [("subject", "Korea -- History"), ("year_to", "1950"),
                                 ("sort", "year")]
    assert kept_args(SearchParams(q="x")) == []
    assert record_href("DLC:00272142") == "/record/DLC:00272142"
    assert record_href("a/b c") == "/record/a%2Fb%20c"


# --- sort --------------------------------------------------------------------------------

@pytest.mark.parametrize("value, first", [
    ("year", {"year": {"order": "asc", "missing": "_last"}}),
    ("-year", {"year": {"order": "desc", "missing": "_last"}}),
])
def test_sort_by_year(value, first):
    params = parse_search_params({"q": "korea", "sort": value})
    assert params.sort == value
    body = search_body(params)
    assert body["sort"] == [first, "_score"]
    assert parse_search_params(MultiDict(params.to_args())) == params
    assert ("sort", value) in params.to_args()


def test_relevance_is_the_default_sort_and_stays_out_of_the_url():
    params = parse_search_params({"sort": "relevance"})
    assert params == SearchParams()
    assert params.to_args() == []
    assert search_body(params)["sort"][0] == "_score"


@pytest.mark.parametrize("value", ["title", "YEAR", "-relevance", "year desc", "_score",
                                   "x" * 5000, "\x00"])
def test_bad_sort_is_named(value):
    if not queries.clean_text(value):
        assert parse_search_params({"sort": value}).sort == "relevance"
        return
    with pytest.raises(BadParameter) as err:
        parse_search_params({"sort": value})
    assert err.value.name == "sort"


# --- scripts -----------------------------------------------------------------------------

def _should(q: str) -> list[dict]:
    query = search_body(parse_search_params({"q": q}))["query"]
    return query["bool"]["should"]


@pytest.mark.parametrize("q, quoted", [
    ("中国", '"中国"'),
    ("中国 历史", '"中国" "历史"'),
    ("中國古動物", '"中國古動物"'),
    ("-中国 Zhongguo", '-"中国" Zhongguo'),
    ("東京大学の歴史", '"東京大学の歴史"'),
    ("中", "中"),                         # one ideograph: nothing to keep together
    ("한국 문학", "한국 문학"),            # Hangul words are whole tokens already
    ('"中国 历史', '"中国 历史'),          # the visitor's own quotes are left alone
])
def test_ideographs_are_matched_as_phrases(q, quoted):
    # The standard tokenizer cuts 中国 into 中 and 国: without a phrase, any title with
    # both characters anywhere would match.
    assert _sqs(search_body(parse_search_params({"q": q})))["query"] == quoted


def test_cyrillic_query_also_meets_the_romanised_folded_titles():
    # LC's Russian records carry only "Istorii︠a︡ Rossii ..." (folded: "istoriia rossii").
    should = _should("История России")
    # The folded text and the romanisations generated for Korean records alike.
    assert {"multi_match": {"query": "istoriia rossii", "fields": ["folded", "romanized"],
                            "type": "cross_fields", "operator": "and"}} in should
    assert _sqs({"query": {"bool": {"should": should}}})["query"] == "История России"


def test_latin_query_has_no_cyrillic_clause_and_hangul_no_folded_clause():
    assert len(_should("hanguk munhak")) == 2
    assert len(_should("한국")) == 1
