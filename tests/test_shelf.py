"""Next on the shelf: the query builder as dicts, then the neighbours of real LoC
records (Korean ones among them) on the real node, checked against an order worked out
here from the filing rules, with numbers compared as numbers (not with the shelf keys
the index holds); then the API and the record page over HTTP."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from urllib.parse import quote

import pytest

from index.shelf import MAX_SIZE, neighbours, shelf_bodies
from ingest.callnumbers import shelf_key
from ingest.schema import FIELDS

KOREAN = "DLC:00314286"        # DS916.593 .H348 1998, Korean, between two of its kind
KOREAN_SPACED = "DLC:00692971"  # "DS916 . Y51828 2000": a space after the cutter's period
ENGLISH = "DLC:00029315"       # QA76.73.J38 C37 2001
DEWEY_ONLY = "DLC:00265552"    # no 050, 082 572.8/028: on the Dewey shelf


# --- the builder, as dicts -------------------------------------------------------------

def test_bodies_search_after_the_record_on_its_own_shelf():
    key = shelf_key("DS916.593 .H348 1998", None)
    before, after = shelf_bodies(key, KOREAN, 4)
    for body, order in ((before, "desc"), (after, "asc")):
        assert body["sort"] == [{"shelf_key": {"order": order, "unmapped_type": "keyword"}},
                                {"id": {"order": order}}]
        assert body["search_after"] == [key, KOREAN]
        assert body["query"] == {"bool": {"filter": [{"prefix": {"shelf_key": "lcc "}}]}}
        assert body["size"] == 4
        assert {"id", "title", "lcc", "ddc"} <= set(body["_source"])
    assert shelf_bodies("ddc 572.8028", DEWEY_ONLY)[1]["query"]["bool"]["filter"] == [
        {"prefix": {"shelf_key": "ddc "}}]
    assert shelf_bodies(key, KOREAN, 500)[0]["size"] == MAX_SIZE


# --- the filing rules, written again for the test --------------------------------------

def _rest(text: str) -> list[tuple]:
    """Cutters as (letter, fraction), numbers as whole numbers, before any word."""
    out = []
    for cutter, digits, number, word in re.findall(r"([A-Z])(\d+)|(\d+)|([^\W\d_]+)", text):
        if cutter:
            out.append((1, cutter, Decimal("0." + digits)))
        elif number:
            out.append((0, "", Decimal(number)))
        else:
            out.append((1, word.upper(), Decimal(-1)))  # a bare word before its cutters
    return out


def filing_order(lcc: str | None, ddc: str | None) -> tuple | None:
    """(shelf, class letters, class number, rest) or None, from the rules in
    ingest/callnumbers.py's docstring, comparing numbers as Decimals."""
    text = (lcc or "").strip()
    m = re.match(r"([A-Z]{1,3}) ?(\d{1,4}(?:\.\d+)?)(?!\d)", text)
    if m and not text.startswith("MLC") and text[0] not in "IOWXY":
        return ("lcc", m.group(1), Decimal(m.group(2)), _rest(text[m.end():]))
    text = (ddc or "").replace("/", "").replace("'", "").strip()
    m = re.match(r"(\d{3}(?:\.\d+)?)(?!\d)", text)
    if m:
        return ("ddc", "", Decimal(m.group(1)), _rest(text[m.end():]))
    return None


@pytest.fixture(scope="module")
def catalogue(es, indexed_settings) -> list[dict]:
    resp = es.search(index=indexed_settings.index, size=10_000, query={"match_all": {}},
                     source=["id", "title", "lcc", "ddc"])
    docs = [h["_source"] for h in resp["hits"]["hits"]]
    assert len(docs) == 10_000
    return docs


@pytest.fixture(scope="module")
def shelves(catalogue) -> dict[str, list[dict]]:
    """Each shelf's records in filing order, ties by id."""
    placed = [(filing_order(d["lcc"], d["ddc"]), d) for d in catalogue]
    out: dict[str, list[dict]] = {}
    for order, doc in sorted((p for p in placed if p[0]), key=lambda p: (p[0], p[1]["id"])):
        out.setdefault(order[0], []).append(doc)
    return out


def _expected(shelves, catalogue, record_id: str, k: int) -> tuple[list[str], list[str]]:
    doc = next(d for d in catalogue if d["id"] == record_id)
    shelf = shelves[filing_order(doc["lcc"], doc["ddc"])[0]]
    at = [d["id"] for d in shelf].index(record_id)
    return ([d["id"] for d in shelf[max(0, at - k):at]],
            [d["id"] for d in shelf[at + 1:at + 1 + k]])


@pytest.mark.es
@pytest.mark.spark
def test_shelves_hold_what_the_rules_say(shelves, catalogue):
    # The sample's figures: most records on the LC shelf, a few Dewey-only ones.
    assert len(shelves["lcc"]) > 9_000
    assert 1 <= len(shelves["ddc"]) < 20
    korean = [d for d in shelves["lcc"] if d["id"] == KOREAN]
    assert korean


@pytest.mark.es
@pytest.mark.spark
def test_neighbours_of_real_records_match_the_filing_rules(es, indexed_settings, shelves,
                                                           catalogue):
    by_id = {d["id"]: d for d in catalogue}
    lcc = shelves["lcc"]
    chosen = [KOREAN, KOREAN_SPACED, ENGLISH, DEWEY_ONLY, lcc[0]["id"], lcc[1]["id"],
              lcc[-1]["id"]]
    # Records that share their call number with another: the id must break the tie.
    keys: dict[tuple, list[str]] = {}
    for d in lcc:
        keys.setdefault((d["lcc"],), []).append(d["id"])
    chosen += [ids[0] for ids in keys.values() if len(ids) > 1][:3]
    chosen += random.Random(5).sample([d["id"] for d in lcc], 25)
    for record_id in dict.fromkeys(chosen):
        record = {name: by_id[record_id].get(name) for name in FIELDS}
        got = neighbours(es, indexed_settings.index, record, 3)
        before, after = _expected(shelves, catalogue, record_id, 3)
        assert [i["id"] for i in got["before"]] == before, record_id
        assert [i["id"] for i in got["after"]] == after, record_id
        doc = by_id[record_id]
        assert got["call_number"] == (doc["lcc"] if got["scheme"] == "lcc" else doc["ddc"])
        for item in got["before"] + got["after"]:
            other = by_id[item["id"]]
            assert item["call_number"] == other[got["scheme"]]
    assert neighbours(es, indexed_settings.index, {"id": lcc[0]["id"], **{
        k: by_id[lcc[0]["id"]][k] for k in ("lcc", "ddc")}})["before"] == []


@pytest.mark.es
@pytest.mark.spark
def test_a_record_without_a_call_number_has_no_shelf(es, indexed_settings, catalogue):
    unplaced = [d for d in catalogue if filing_order(d["lcc"], d["ddc"]) is None]
    assert unplaced  # the sample holds MLC-only and unclassed records
    got = neighbours(es, indexed_settings.index, unplaced[0])
    assert got == {"call_number": None, "scheme": None, "before": [], "after": []}


def _path(record_id: str) -> str:
    return f"/api/records/{quote(record_id, safe=':')}/related"


@pytest.mark.es
@pytest.mark.spark
def test_related_api_has_the_shelf(api, shelves, catalogue):
    body = api(_path(KOREAN)).json()
    before, after = _expected(shelves, catalogue, KOREAN, 3)
    assert body["shelf"]["scheme"] == "lcc"
    assert body["shelf"]["call_number"] == "DS916.593 .H348 1998"
    assert [i["id"] for i in body["shelf"]["before"]] == before
    assert [i["id"] for i in body["shelf"]["after"]] == after
    assert all(set(i) == {"id", "title", "title_original", "year", "call_number"}
               for i in body["shelf"]["before"] + body["shelf"]["after"])
    five = api(_path(KOREAN), shelf="5").json()["shelf"]
    assert [i["id"] for i in five["after"]] == _expected(shelves, catalogue, KOREAN, 5)[1]
    none = api(_path(KOREAN), shelf="0").json()["shelf"]
    assert none == {"call_number": "DS916.593 .H348 1998", "scheme": "lcc",
                    "before": [], "after": []}
    for bad in ("-1", str(MAX_SIZE + 1), "x", "1.5"):
        r = api(_path(KOREAN), shelf=bad)
        assert r.status_code == 400, bad
        assert r.json()["parameter"] == "shelf"


@pytest.mark.es
@pytest.mark.spark
@pytest.mark.browser
def test_record_page_draws_the_shelf_in_order(browser, app_url, shelves, catalogue):
    from .browser import open_page

    with open_page(browser) as page:
        page.goto(f"{app_url}/record/{KOREAN}")
        page.wait_for_selector("#record-shelf")
        html = page.content()
        page.goto(f"{app_url}/record/{DEWEY_ONLY}")
        page.wait_for_selector("#record-shelf")
        dewey = page.content()
    section = html[html.index('id="record-shelf"'):]
    section = section[:section.index("</section>")]
    before, after = _expected(shelves, catalogue, KOREAN, 3)
    hrefs = re.findall(r'href="(/record/[^"]+)"', section)
    assert hrefs == ["/record/" + quote(i, safe=":") for i in before + after]
    # This record stands between them, marked, with its call number.
    assert section.index('href="/record/' + quote(before[-1], safe=":")) < section.index(
        "DS916.593 .H348 1998") < section.index('href="/record/' + quote(after[0], safe=":"))
    assert 'aria-current="true"' in section
    assert "In DDC call-number order" in dewey


@pytest.mark.es
def test_an_update_refuses_an_index_built_before_the_shelf_key(es, es_settings):
    """A strict mapping without shelf_key would refuse every upsert: the update says to
    rebuild instead of failing record by record."""
    from index import updates
    from index.mapping import index_body

    name, alias = es_settings.index + "-before-shelf-1", es_settings.index + "-before-shelf"
    body = index_body()
    del body["mappings"]["properties"]["shelf_key"]
    es.options(ignore_status=404).indices.delete(index=name)
    es.indices.create(index=name, settings=body["settings"], mappings=body["mappings"],
                      aliases={alias: {}})
    try:
        assert updates.missing_fields(es, name) == ["shelf_key"]
        with pytest.raises(updates.ChangeSetMismatch, match="shelf_key.*`shelfmap index`"):
            updates.plan(es_settings.replace(index=alias), es)
        es.indices.put_mapping(index=name, properties={"shelf_key": {"type": "keyword"}})
        assert updates.missing_fields(es, name) == []
    finally:
        es.indices.delete(index=name)


@pytest.mark.es
@pytest.mark.spark
@pytest.mark.browser
@pytest.mark.parametrize("javascript", [True], ids=["scripts"])
def test_walking_along_the_shelf_in_a_browser(browser, app_url, shelves, catalogue,
                                              javascript):
    """On a phone: the next record on the shelf is one tap away, and from there this
    record is the one before it. (Without scripts once the pages are drawn on the
    server first: the section is plain links, nothing of its own needs a script.)"""
    from .browser import PHONE, WIDE, open_page, screenshot

    before, after = _expected(shelves, catalogue, KOREAN, 3)
    with open_page(browser, viewport=PHONE, javascript=javascript) as page:
        page.goto(f"{app_url}/record/{KOREAN}")
        page.wait_for_selector("#record-shelf-list")
        items = page.locator("#record-shelf-list li")
        assert items.count() == len(before) + 1 + len(after)
        assert "this record" in items.nth(len(before)).inner_text()
        screenshot(page, f"record-shelf-phone-{'js' if javascript else 'nojs'}")
        page.locator("#record-shelf-list a").nth(len(before)).click()
        page.wait_for_url(f"**/record/{after[0]}")
        # Dash swaps the page in place: wait for the new record's own place on the shelf.
        next_lcc = next(d for d in catalogue if d["id"] == after[0])["lcc"]
        page.locator(".sm-shelf-here", has_text=next_lcc).wait_for()
        links = page.locator("#record-shelf-list a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        # This record is now the nearest one before it.
        assert hrefs[2] == f"/record/{KOREAN}"
    with open_page(browser, viewport=WIDE, javascript=javascript) as page:
        page.goto(f"{app_url}/record/{KOREAN}")
        page.wait_for_selector("#record-shelf-list")
        assert page.locator("#record-shelf-list li").count() == len(before) + 1 + len(after)
        screenshot(page, f"record-shelf-wide-{'js' if javascript else 'nojs'}")
