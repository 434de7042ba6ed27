"""The topic page's pure parts on the tiny hand-made graph of tests/test_graph_store.py:
hrefs, the neighbourhood's text twin, narrower headings, year bars, path steps."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from index.facets import BY_NAME
from ingest import graph_job
from viz.components.links import (TOPIC_FACETS, search_href, shared_records_href,
                                  topic_filter, topic_href, topic_params,
                                  topic_records_href)
from viz.components.neighbourhood_list import neighbourhood_tree
from viz.components.topic_path import path_steps
from viz.components.year_bars import MAX_FILLED_ROWS, year_bars
from viz.graph.store import GraphStore

from .test_graph_store import (A_KN, DS, KIM, KN, KN_POLITICS, KOREA, LITERATURE, NODES,
                               NONPROLIFERATION, NUCLEAR, PL, POETICS, POETRY, SIJO, YI,
                               write_tiny)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> GraphStore:
    root = tmp_path_factory.mktemp("graph")
    write_tiny(root)
    return GraphStore.load(root)


def _args(href: str) -> list[tuple[str, str]]:
    parts = urlsplit(href)
    assert parts.path == "/"
    return parse_qsl(parts.query)


# -- hrefs -----------------------------------------------------------------------------

def test_topic_href_quotes_the_id_into_one_path_segment():
    assert topic_href(KN) == "/topic/subject:Korea%20%28North%29"
    assert topic_href("subject:Korea -- History -- 1945/1948") == \
        "/topic/subject:Korea%20--%20History%20--%201945%2F1948"
    assert topic_href(YI, to="Korean poetry") == \
        "/topic/author:Yi%2C%20Hwang%2C%201501-1570?to=Korean+poetry"
    assert topic_href(KN, to="", depth=None) == topic_href(KN)
    # Hangul and McCune-Reischauer diacritics are UTF-8, percent-quoted.
    assert topic_href("subject:단군") == "/topic/subject:%EB%8B%A8%EA%B5%B0"


def test_each_kind_of_node_filters_on_the_facet_whose_field_the_graph_counts():
    # The graph job counts nodes in these catalogue columns; the facets filter on the
    # same columns (subject_terms.raw is subject_terms as a keyword). If either moves,
    # a link's count would stop being the number of records it opens.
    columns = {"subject": "subject_terms", "author": "authors", "class": "lcc_class",
               "kdc": "kdc_division"}
    assert set(graph_job.COLUMNS) - {"id"} == set(columns.values())
    for kind, facet in TOPIC_FACETS.items():
        assert BY_NAME[facet].field.split(".")[0] == columns[kind]
    assert topic_filter(KN) == ("subject", "Korea (North)")
    assert topic_filter(DS) == ("class", "DS")
    assert topic_filter("kdc:910") == ("kdc", "910")
    assert topic_filter("author:Kim, Il-sŏng, 1912-1994") == ("author", "Kim, Il-sŏng, 1912-1994")
    for bad in ("community:3", "subject:", "Korea"):
        with pytest.raises(ValueError):
            topic_filter(bad)


def test_shared_records_href_filters_on_both_ends_whatever_their_kinds():
    assert _args(topic_records_href(KN)) == [("subject", "Korea (North)")]
    assert _args(shared_records_href(KN, NUCLEAR)) == [("subject", "Korea (North)"),
                                                       ("subject", "Nuclear weapons")]
    assert _args(shared_records_href(DS, KOREA)) == [("class", "DS"), ("subject", "Korea")]
    assert _args(shared_records_href(A_KN, KN_POLITICS)) == [
        ("author", "Korea (North)"), ("subject", "Korea (North) -- Politics and government")]
    # Made directly for speed, the address is exactly the search's own permalink.
    for a, b in ((KN, NUCLEAR), (DS, KOREA), (A_KN, KN_POLITICS), ("subject:a&b=c", KN),
                 (KN, KN)):
        assert shared_records_href(a, b) == search_href(topic_params(a, b))


# -- the neighbourhood's twin ------------------------------------------------------------

def _flat(tree) -> list[tuple]:
    return [(b.via, b.node["id"], b.weight, b.records, [c.node["id"] for c in b.children])
            for b in tree]


def test_the_twin_of_one_hop_lists_the_topics_links_strongest_first(store):
    tree = neighbourhood_tree(KN, store.neighbourhood(KN, 1, 50))
    assert [(via, node, w, r) for via, node, w, r, _ in _flat(tree)] == [
        (KN, NUCLEAR, 0.60, 8), (KN, A_KN, 0.50, 4), (KN, KOREA, 0.40, 40),
        (KN, DS, 0.40, 30), (KN, NONPROLIFERATION, 0.40, 30), (KN, POETRY, 0.05, 3)]
    assert all(not b.children for b in tree)


def test_the_twin_of_two_hops_hangs_each_far_node_under_its_strongest_link(store):
    tree = neighbourhood_tree(KN, store.neighbourhood(KN, 1, 50),
                              store.neighbourhood(KN, 2, 50))
    children = {b.node["id"]: [(c.via, c.node["id"], c.weight, c.records)
                               for c in b.children] for b in tree}
    # Korea (North) -- Politics and government is linked to Nuclear weapons (0.70) and
    # to the author Korea (North) (0.65): it hangs under the stronger.
    assert children[NUCLEAR] == [(NUCLEAR, KN_POLITICS, 0.70, 6)]
    assert children[A_KN] == []
    assert children[POETRY] == [(POETRY, LITERATURE, 0.875, 20), (POETRY, POETICS, 0.50, 4),
                                (POETRY, PL, 0.45, 55), (POETRY, SIJO, 0.30, 3)]
    # Every node of the map is in the twin once, and only those.
    wide = store.neighbourhood(KN, 2, 50)
    listed = [b.node["id"] for b in tree] + [c.node["id"] for b in tree for c in b.children]
    assert sorted(listed) == sorted(n["id"] for n in wide["nodes"] if n["id"] != KN)


def test_the_twin_keeps_to_the_maps_limit(store):
    near, wide = store.neighbourhood(KN, 1, 4), store.neighbourhood(KN, 2, 4)
    tree = neighbourhood_tree(KN, near, wide)
    assert [b.node["id"] for b in tree] == [NUCLEAR, A_KN, KOREA]
    assert sum(1 + len(b.children) for b in tree) == len(wide["nodes"]) - 1 == 3


def test_a_leaf_has_its_one_link_and_the_hop_beyond(store):
    tree = neighbourhood_tree(YI, store.neighbourhood(YI, 1, 50), store.neighbourhood(YI, 2, 50))
    assert _flat(tree) == [(YI, SIJO, 0.90, 3, [POETRY])]


# -- narrower headings -------------------------------------------------------------------

def test_narrower_headings_are_the_graphs_headings_under_a_subject(store):
    assert [n["id"] for n in store.narrower(KN)] == [KN_POLITICS]
    assert store.narrower(KN_POLITICS) == []
    # "Korea" is not broader than "Korea (North)": only " -- " subdivides.
    assert store.narrower(KOREA) == []
    assert store.narrower(DS) == [] and store.narrower(KIM) == []
    with pytest.raises(ValueError):
        store.narrower(KN, 0)


def test_narrower_headings_most_records_first(tmp_path):
    from .test_graph_store import tiny_tables
    import pyarrow as pa

    from viz.graph import artifacts as graph_artifacts

    tables = tiny_tables()
    nodes = tables["nodes"].to_pylist()
    edges = tables["edges"].to_pylist()
    extra = [("subject:Korea (North) -- Economic conditions", 25),
             ("subject:Korea (North) -- Politics and government -- 1994-", 20),
             ("subject:Korea (North) -- Foreign relations", 25)]
    for node, records in extra:
        nodes.append(dict(nodes[0], id=node, label=node.split(":", 1)[1], records=records))
        edges.append({"source": KOREA, "target": node, "kind": "subject-subject",
                      "weight": 0.1, "records": 3})
    root = tmp_path / "graph"
    write_tiny(root, regeometry=True,
               nodes=pa.Table.from_pylist(nodes, schema=graph_artifacts.TABLES["nodes"]),
               edges=pa.Table.from_pylist(edges, schema=graph_artifacts.TABLES["edges"]))
    bigger = GraphStore.load(root)
    assert [n["id"] for n in bigger.narrower(KN)] == [
        "subject:Korea (North) -- Economic conditions",
        "subject:Korea (North) -- Foreign relations",
        KN_POLITICS, "subject:Korea (North) -- Politics and government -- 1994-"]
    assert [n["id"] for n in bigger.narrower(KN, 2)] == [
        "subject:Korea (North) -- Economic conditions",
        "subject:Korea (North) -- Foreign relations"]
    assert [n["id"] for n in bigger.narrower(KN_POLITICS)] == [
        "subject:Korea (North) -- Politics and government -- 1994-"]


# -- year bars ---------------------------------------------------------------------------

def test_year_bars_are_oldest_first_with_empty_decades_between():
    bars = year_bars([{"value": 2000, "count": 10}, {"value": 1970, "count": 3},
                      {"value": 2010, "count": 7}], 10)
    assert [(b.start, b.end, b.count, b.percent) for b in bars] == [
        (1970, 1979, 3, 30), (1980, 1989, 0, 0), (1990, 1999, 0, 0),
        (2000, 2009, 10, 100), (2010, 2019, 7, 70)]


def test_a_tiny_decade_still_shows_a_bar_and_far_outliers_do_not_fill_centuries():
    assert [b.percent for b in year_bars([{"value": 1990, "count": 1000},
                                          {"value": 2000, "count": 1}], 10)] == [100, 1]
    bars = year_bars([{"value": 1200, "count": 1}, {"value": 2000, "count": 5}], 10)
    assert [b.start for b in bars] == [1200, 2000]
    assert len(year_bars([{"value": 1600, "count": 1},
                          {"value": 1600 + 10 * (MAX_FILLED_ROWS - 1), "count": 1}], 10)) \
        == MAX_FILLED_ROWS
    assert year_bars([], 10) == [] and year_bars([{"value": 1990, "count": 0}], 10) == []


# -- path steps --------------------------------------------------------------------------

def test_path_steps_pair_each_topic_with_the_link_to_the_next(store):
    path = store.path(KIM, SIJO)
    steps = path_steps(path)
    assert [s["node"]["id"] for s in steps] == [n["id"] for n in path["nodes"]]
    assert steps[-1]["link"] is None
    for step, following in zip(steps, steps[1:]):
        assert {step["link"]["source"], step["link"]["target"]} == \
            {step["node"]["id"], following["node"]["id"]}
    assert path_steps(store.path(KN, KN)) == [{"node": store.node(store.find(KN)),
                                                "link": None}]


def test_every_tiny_node_has_a_topic_href_that_names_it_back(store):
    from urllib.parse import unquote

    for node in NODES:
        assert store.find(unquote(topic_href(node).removeprefix("/topic/"))) == store.index[node]


def test_the_docstring_examples_hold():
    import doctest

    from viz.components import topic_lookup, topic_path, year_bars as year_bars_module

    for module in (topic_lookup, topic_path, year_bars_module):
        result = doctest.testmod(module)
        assert result.attempted and not result.failed, module.__name__


# -- original-script headings ------------------------------------------------------------

def test_original_script_text_is_told_from_romanised():
    from viz.components.topic_lookup import is_original_script

    assert is_original_script("단군") and is_original_script("百濟 (Kingdom)")
    assert is_original_script("История")
    for latin in ("Korea (North)", "Kim, Il-sŏng, 1912-1994", "Tanʼgun", "DS", "1950-1953"):
        assert not is_original_script(latin), latin
