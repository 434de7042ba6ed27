"""Graph requests parsed into a frozen GraphQuery (viz/graph/requests.py), as dicts in
and values out; the HTTP answers to the same requests are in tests/test_graph_api.py."""

from __future__ import annotations

import dataclasses

import pytest

from index.queries import BadParameter
from viz.graph.requests import GraphQuery, parse_graph_query


def test_no_arguments_ask_for_the_overview():
    assert parse_graph_query({}) == GraphQuery(mode="overview", depth=1, limit=100)


def test_each_mode_and_its_parameters():
    assert parse_graph_query({"around": "subject:Korea", "depth": "2"}) == GraphQuery(
        mode="around", depth=2, limit=50, around="subject:Korea")
    assert parse_graph_query({"from": "한국", "to": "subject:Poetry"}) == GraphQuery(
        mode="path", limit=50, source="한국", target="subject:Poetry")
    query = parse_graph_query({"records": " loc-1, loc-2,,loc-1 ", "limit": "500"})
    assert (query.mode, query.records, query.limit) == ("records", ("loc-1", "loc-2"), 500)


@pytest.mark.parametrize(("args", "parameter"), [
    ({"around": "a", "records": "loc-1"}, "records"),
    ({"from": "a"}, "to"),
    ({"to": "a"}, "from"),
    ({"records": " , "}, "records"),
    ({"records": ",".join(f"loc-{i}" for i in range(101))}, "records"),
    ({"records": "x" * 513}, "records"),
    ({"limit": "0"}, "limit"),
    ({"limit": "501"}, "limit"),
    ({"depth": "4"}, "depth"),
    ({"depth": "two"}, "depth"),
])
def test_bad_arguments_name_their_parameter(args, parameter):
    with pytest.raises(BadParameter) as bad:
        parse_graph_query(args)
    assert bad.value.name == parameter


def test_queries_are_values_and_name_the_parameter_behind_each_node():
    query = parse_graph_query({"from": "subject:Korea", "to": "subject:Korea"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        query.limit = 3
    assert query.names() == {"subject:Korea": "from"}
    assert parse_graph_query({"around": "한국"}).names() == {"한국": "around"}
