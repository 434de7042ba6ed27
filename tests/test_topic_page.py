"""The topic page and the record page's topics through HTTP, on the real index and the
real topic graph of LoC mixed-10000: every count a link shows is the number of records
it opens, in English and in Korean."""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest
import requests

from viz.components.links import shared_records_href, topic_href, topic_records_href
from viz.graph import build as graph_build
from viz.graph import store as graph_store
from viz.graph.store import GraphStore

pytestmark = [pytest.mark.es, pytest.mark.spark]

KN = "subject:Korea (North)"


@pytest.fixture(scope="module")
def store(indexed_settings, spark) -> GraphStore:
    """The graph of the session's catalogue: the session's build when one is current,
    else one built here by the real build."""
    root = indexed_settings.graph_dir
    current = graph_store.current(root, max_age=0)
    if current is None:
        graph_build.build(indexed_settings, spark=spark)
        current = graph_store.current(root, max_age=0)
    return current


def _route(app_url: str, pathname: str, search: str | None) -> requests.Response:
    """The page router's callback for ``pathname`` + ``search``, as Dash's client asks."""
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    return requests.post(f"{app_url}/_dash-update-component", json=body, timeout=60)


def page(app_url: str, pathname: str, search: str = "") -> dict:
    """The layout the app's page router answers for ``pathname`` + ``search``, as the
    component tree Dash sends the browser."""
    r = _route(app_url, pathname, search)
    assert r.status_code == 200, (r.status_code, r.text[:300])
    return r.json()["response"]["_pages_content"]["children"]


def _children(node) -> list:
    if isinstance(node, list):
        return node
    if isinstance(node, dict):
        kids = node.get("props", {}).get("children")
        return kids if isinstance(kids, list) else [] if kids is None else [kids]
    return []


def walk(node):
    """Every component of a tree, depth first."""
    if isinstance(node, dict):
        yield node
    for child in _children(node):
        yield from walk(child)


def text(node) -> str:
    if isinstance(node, (str, int, float)):
        return str(node)
    return "".join(text(c) for c in _children(node))


def by_id(tree, id: str) -> dict | None:
    return next((c for c in walk(tree) if c.get("props", {}).get("id") == id), None)


def links(tree) -> list[tuple[str, str]]:
    """(text, href) of every link, in order."""
    return [(text(c), c["props"]["href"]) for c in walk(tree)
            if c.get("type") == "Link" and c["props"].get("href")]


def topic_path(node_id: str) -> str:
    return topic_href(node_id).split("?")[0]


def total(app_url: str, href: str) -> int:
    """The number of records a search link opens, asked of the JSON API."""
    assert href.startswith("/?")
    r = requests.get(f"{app_url}/api/search{href[1:]}&size=1", timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["total"]


def _edges_of_each_kind(store: GraphStore, per_kind: int = 4) -> list[tuple]:
    """Links of each kind (and between a heading and headings of its subdivisions'
    neighbours), strongest and weakest, as (a, b, records)."""
    picked: dict[str, list] = {}
    for i in range(len(store)):
        nbrs, _, evidence = store.links(i)
        for v, r in zip(nbrs.tolist(), evidence.tolist()):
            a, b = sorted((store.ids[i], store.ids[v]))
            kind = a.split(":")[0] + "-" + b.split(":")[0]
            picked.setdefault(kind, [])
            if len(picked[kind]) < per_kind and (a, b, r) not in picked[kind]:
                picked[kind].append((a, b, r))
    return [e for kind in sorted(picked) for e in picked[kind]]


# -- counts ------------------------------------------------------------------------------

def test_every_kind_of_link_opens_exactly_the_records_it_counts(app_url, store):
    edges = _edges_of_each_kind(store)
    assert {a.split(":")[0] + "-" + b.split(":")[0] for a, b, _ in edges} == \
        {"subject-subject", "author-subject", "class-subject"}
    for a, b, records in edges:
        assert total(app_url, shared_records_href(a, b)) == records, (a, b)
    # Nodes too, a broader heading among them: it counts the records under its
    # narrower headings, as the subject facet does.
    broad = next(store.ids[i] for i in range(len(store))
                 if store.ids[i].startswith("subject:") and store.narrower(i))
    for node in (broad, KN, store.ids[store.find("class:DS")]):
        assert total(app_url, topic_records_href(node)) == store.records[store.index[node]]


# -- the topic page ----------------------------------------------------------------------

def _top_counts_open_their_records(app_url: str, top: dict) -> None:
    """Each value of a "Top ..." list: its name a link, its count a link to the records
    holding it and the topic, as many as it says."""
    rows = _children(top)
    assert rows
    for row in rows[:3]:
        (_, name_href), (count, count_href) = links(row)
        assert name_href.startswith(("/topic/", "/?"))
        assert total(app_url, count_href) == int(count.replace(",", ""))


def test_the_topic_page_of_a_heading(app_url, store):
    node = store.node(store.find(KN))
    tree = page(app_url, topic_path(KN))
    assert text(by_id(tree, "topic-title")) == "Korea (North)"
    assert text(by_id(tree, "topic-kind")) == "Subject heading"
    assert by_id(tree, "search-q") is not None  # the search box at the top
    all_records = by_id(tree, "topic-all-records")
    assert all_records["props"]["href"] == topic_records_href(KN)
    assert text(all_records) == f"All {node['records']:,} records ›"
    hits = by_id(tree, "search-hits")
    assert len(_children(hits)) == 10

    # The twin: the map's nodes, each link's count the records it opens.
    twin = by_id(tree, "topic-twin")
    wide = store.neighbourhood(KN, 2, 30)
    twin_topics = {unquote(h.removeprefix("/topic/")) for _, h in links(twin)
                   if h.startswith("/topic/")}
    assert twin_topics == {n["id"] for n in wide["nodes"]} - {KN}
    first = _children(twin)[0]
    strongest = store.neighbourhood(KN, 1, 2)["edges"][0]
    (label, href), (shared, shared_href) = links(first)[:2]
    assert href == topic_path(({strongest["source"], strongest["target"]} - {KN}).pop())
    assert shared == f"{strongest['records']} records shared"
    assert total(app_url, shared_href) == strongest["records"]

    # Narrower headings from the graph; years; top authors and classes.
    narrower = links(by_id(tree, "topic-narrower"))
    assert narrower and all(unquote(h).startswith("/topic/subject:Korea (North) -- ")
                            or "Korea+%28North%29+--+" in h for _, h in narrower)
    years = by_id(tree, "topic-years")
    year_links = links(years)
    assert year_links
    dated = total(app_url, topic_records_href(KN) + "&year_from=-9999")
    assert sum(int(text(_children(row)[-1]).replace(",", "")) for row in _children(years)) \
        == dated
    label, href = year_links[-1]
    start, end = label.split("–")
    assert href == topic_records_href(KN) + f"&year_from={start}&year_to={end}"
    for facet in ("author", "class"):
        _top_counts_open_their_records(app_url, by_id(tree, f"topic-top-{facet}"))


def test_a_subdivided_heading_lists_its_broader_headings(app_url, store):
    node = "subject:Korea (North) -- Politics and government"
    tree = page(app_url, topic_path(node))
    broader = by_id(tree, "topic-broader")
    assert links(broader) == [("Korea (North)", topic_path(KN))]
    assert text(broader) == f"Korea (North) {store.records[store.index[KN]]:,}"
    assert total(app_url, topic_records_href(node)) == store.records[store.index[node]]


def test_a_label_finds_the_topic_and_a_class_lists_its_subjects(app_url, store):
    tree = page(app_url, "/topic/" + quote("korea (north)"))
    assert text(by_id(tree, "topic-title")) == "Korea (North)"
    ds = store.node(store.find("class:DS"))
    tree = page(app_url, topic_path("class:DS"))
    assert text(by_id(tree, "topic-title")) == ds["label"]
    assert text(by_id(tree, "topic-kind")) == "LC class"
    assert by_id(tree, "topic-broader") is None
    _top_counts_open_their_records(app_url, by_id(tree, "topic-top-subject"))


def test_a_korean_topic_page_with_hangul_titles(app_url, store):
    # Korean literature's records are the Korean ones: their titles in Hangul.
    node = store.ids[store.find("Korean poetry")]
    tree = page(app_url, topic_path(node))
    hits = text(by_id(tree, "search-hits"))
    assert any("\uac00" <= ch <= "\ud7a3" for ch in hits)
    assert total(app_url, topic_records_href(node)) == store.records[store.index[node]]


@pytest.mark.parametrize("hangul,romanised", [
    # 880 $6 650-xx of the Korean records: the heading in Hangul (or Hanja) beside LC's.
    ("百濟 (Kingdom)", "subject:Paekche (Kingdom)"),
    ("고구려 (Kingdom) -- Civilization", "subject:Koguryŏ (Kingdom) -- Civilization"),
    # Three records hold both this and "Regional planning -- Korea (South) --
    # Kangwŏn-do", as many: the shape (two parts, "Economic conditions") tells them apart.
    ("강원도 (Korea) -- Economic conditions", "subject:Kangwŏn-do (Korea) -- Economic conditions"),
])
def test_a_heading_in_original_script_finds_its_romanised_topic(app_url, store, hangul,
                                                                romanised):
    assert romanised in store.index
    tree = page(app_url, "/topic/" + quote(hangul))
    assert text(by_id(tree, "topic-title")) == romanised.split(":", 1)[1]
    assert text(by_id(tree, "topic-original")) == f"{hangul} in original script"
    # And as the other end of a connection.
    tree = page(app_url, topic_path(KN), "?to=" + quote(hangul))
    steps = _children(by_id(tree, "topic-path"))
    if steps:
        assert unquote(links(steps[-1])[0][1].removeprefix("/topic/")) == romanised
    else:
        assert store.path(KN, romanised, max_hops=6) is None
        assert "No connection" in text(by_id(tree, "topic-path-summary"))


def test_hangul_that_names_no_topic_is_a_404_with_a_search_for_it(app_url, store):
    tree = page(app_url, "/topic/" + quote("없는 주제"))
    assert tree["props"]["data-status"] == "404"
    assert ("Search the catalogue for it", "/?q=" + quote("없는 주제").replace("%20", "+")) \
        in links(tree)


def test_how_is_this_connected_to(app_url, store):
    far = store.ids[store.find("Korean poetry")]
    expected = store.path(KN, far, max_hops=6)
    assert expected and len(expected["nodes"]) > 2
    tree = page(app_url, topic_path(KN), "?to=" + quote("korean poetry"))
    form = by_id(tree, "topic-path-form")
    assert form["props"]["method"] == "get" and form["props"]["action"] == topic_path(KN)
    assert by_id(tree, "topic-to")["props"]["value"] == "korean poetry"
    steps = _children(by_id(tree, "topic-path"))
    assert [unquote(links(s)[0][1].removeprefix("/topic/")) for s in steps] == \
        [n["id"] for n in expected["nodes"]]
    for step, edge in zip(steps, expected["edges"]):
        shared, href = links(step)[1]
        assert shared == f"{edge['records']} records shared"
        assert total(app_url, href) == edge["records"]
    assert len(links(steps[-1])) == 1
    # No such topic to connect to: said on the same page.
    tree = page(app_url, topic_path(KN), "?to=no+such+topic+at+all")
    assert "No topic is called “no such topic at all”" in text(by_id(tree, "topic-path-summary"))


def test_no_such_topic_and_bad_parameters(app_url, store):
    tree = page(app_url, "/topic/" + quote("subject:No such heading"))
    assert tree["props"]["data-status"] == "404"
    assert by_id(tree, "topic-missing") is not None
    tree = page(app_url, topic_path(KN), "?depth=7")
    assert tree["props"]["data-status"] == "400"
    assert "bad depth" in text(tree)
    tree = page(app_url, topic_path(KN), "?depth=1")
    assert "data-status" not in tree["props"]
    assert all(not by_id(item, "x") and not [c for c in _children(item) if
                                             c.get("type") == "Ul"]
               for item in _children(by_id(tree, "topic-twin")) if isinstance(item, dict))


@pytest.mark.parametrize("pathname,search", [
    ("/topic/%ZZ", ""), ("/topic/" + "x" * 5000, ""), ("/topic/", ""),
    ("/topic/" + quote(KN), "?depth=1&depth=2"), ("/topic/" + quote(KN), "?depth=%00"),
    ("/topic/" + quote(KN), "?to=" + "한" * 5000), ("/topic/" + quote(KN), "?to=&to=x"),
    ("/topic/community:0", ""), ("/topic/subject:", ""), ("/topic/" + quote(KN), None),
], ids=repr)
def test_hostile_topic_addresses_are_never_500(app_url, store, pathname, search):
    r = _route(app_url, pathname, search)
    assert r.status_code < 500, (r.status_code, r.text[:300])


# -- the record page ---------------------------------------------------------------------

def test_the_record_page_lists_its_topics_with_their_neighbours(app_url, store):
    # DLC:00272183 (Korea (North) -- Politics and government, Kim Chŏng-il).
    record = requests.get(f"{app_url}/api/records/DLC:00272183", timeout=30).json()
    tree = page(app_url, "/record/DLC:00272183")
    section = by_id(tree, "record-topics-list")
    assert section is not None
    topics = [links(item)[0] for item in _children(section)]
    held = [f"subject:{t}" for t in record["subject_terms"]] + \
        [f"author:{a}" for a in record["authors"]] + [f"class:{record['lcc_class']}"]
    expected = [n for n in dict.fromkeys(held) if n in store.index][:8]
    assert [unquote(h.removeprefix("/topic/")) for _, h in topics] == expected
    for item in _children(section):
        for shared, href in links(item)[1:]:
            if href.startswith("/?"):
                assert total(app_url, href) == int(shared.split()[0].replace(",", ""))


def test_before_the_first_graph_build_the_topic_page_says_so(indexed_settings, tmp_path):
    from app import create_app

    app = create_app(indexed_settings.replace(home=str(tmp_path)))
    body = {"output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"},
                        {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname",
                        "value": topic_path(KN)},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []}
    r = app.server.test_client().post("/_dash-update-component", json=body)
    assert r.status_code == 200
    tree = r.get_json()["response"]["_pages_content"]["children"]
    assert tree["props"]["data-status"] == "503"
    assert "has not been built yet" in text(by_id(tree, "topic-no-graph"))
    # The record page leaves its topics out rather than failing.
    body["inputs"][0]["value"] = "/record/DLC:00272183"
    r = app.server.test_client().post("/_dash-update-component", json=body)
    tree = r.get_json()["response"]["_pages_content"]["children"]
    assert by_id(tree, "record-title") is not None and by_id(tree, "record-topics") is None
