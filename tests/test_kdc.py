"""KORMARC's Korean Decimal Classification and call numbers: read, captioned, faceted,
shelved, and the Hangul titles Korean libraries write in 245 found by Korean queries.

The records are tests/data/kormarc/lc-korean-with-kdc.mrc: real LC Korean records with
the 056 and 090 a Korean library would give them, ten of them catalogued in Hangul as a
Korean library does (synthetic fields: see that folder's PROVENANCE.md).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from index import documents
from ingest import kdc
from ingest.callnumbers import kdc_key, record_shelf_key, shelf_key
from ingest.marc import map_raw

KORMARC = Path(__file__).parent / "data" / "kormarc" / "lc-korean-with-kdc.mrc"


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    logging.disable(logging.WARNING)
    try:
        mapped = [map_raw(c + b"\x1d") for c in KORMARC.read_bytes().split(b"\x1d")[:-1]]
    finally:
        logging.disable(logging.NOTSET)
    return {r["id"]: r for r in mapped}


# --- reading and captions ----------------------------------------------------------------

def test_056_and_090_become_canonical_fields(records):
    assert len(records) == 35
    r = records["KORSYN:00314049"]  # 왜곡　과　진실　의　역사, catalogued in Hangul
    assert (r["kdc"], r["kdc_division"], r["call_number"]) == ("911.007", "910", "911.007 왜15")
    assert r["title"] == "왜곡　과　진실　의　역사" and r["title_original"] is None
    assert r["lcc"] is None
    assert all(r["kdc"] and r["kdc_division"] for r in records.values())


@pytest.mark.parametrize("raw, number, division", [
    ("911.05", "911.05", "910"), ("813.6", "813.6", "810"), ("070.92", "070.92", "070"),
    ("911.05'2", "911.052", "910"), ("320/.911", "320.911", "320"), ("9110", None, None),
    ("KDC", None, None), ("", None, None),
])
def test_kdc_numbers_are_cleaned_and_divided(raw, number, division):
    assert kdc.clean(raw) == number
    assert kdc.division(raw) == division


def test_every_division_has_captions_in_both_languages():
    for main in range(10):
        for div in range(10):
            code = f"{main}{div}0"
            assert kdc.caption(code, "ko") and kdc.caption(code, "en")
    assert kdc.caption("910", "ko") == "아시아" and kdc.caption("810", "en") == "Korean literature"
    # 260 and 610 have no caption of their own in the bundled table: their main class's.
    assert kdc.caption("610", "ko") == "예술" and kdc.caption("260", "en") == "Religion"
    assert kdc.caption("910", "fr") is None and kdc.caption(None) is None


# --- shelf order ------------------------------------------------------------------------------

def test_records_without_an_lc_class_shelve_by_their_kdc_call_number(records):
    r = records["KORSYN:00292247"]  # 바위　눈물, 090 "813.6 정64ㅂ"
    assert record_shelf_key(r) == "kdc 813.6 정 000064 ㅂ"
    # With an LC call number the LC shelf wins; a KDC-less record falls back to Dewey.
    assert record_shelf_key(records["KORSYN:00292251"]).startswith("lcc PL ")
    assert shelf_key(None, "951.9/04", None, None) == "ddc 951.904"
    # A call number that is not the record's KDC (a local LC-type one) is not used.
    assert shelf_key(None, None, "911.05", "DS911 .K5") == "kdc 911.05"


def test_kdc_keys_sort_as_the_books_stand():
    shelf = ["813.5 춘96", "813.6 신14ㄸ", "813.6 정64ㅂ", "813.6 최66ㅇ", "813.61 가12",
             "813.7 가12", "911 한17ㅇ", "911.007 왜15", "911.02 고18"]
    assert sorted(shelf, key=kdc_key) == shelf


def test_documents_carry_the_kdc_shelf_and_hangul_titles_in_the_korean_field(records):
    doc = documents.to_document(records["KORSYN:00314049"])
    assert doc["shelf_key"] == "kdc 911.007 왜 000015"
    assert doc["title_ko"] == "왜곡　과　진실　의　역사"


# --- in the index ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kdc_settings(es_settings, spark, tmp_path_factory):
    from index import build_job
    from ingest import catalogue_job

    settings = es_settings.replace(home=str(tmp_path_factory.mktemp("kdc-home")),
                                   index="shelfmap-kdc-test")
    catalogue_job.run(settings, [str(KORMARC)], spark=spark)
    build_job.build(settings, spark=spark)
    return settings


@pytest.fixture(scope="module")
def find(es, kdc_settings):
    from index.queries import parse_search_params
    from index.search import search

    return lambda **args: search(es, kdc_settings.index, parse_search_params(args))


@pytest.mark.es
@pytest.mark.spark
def test_the_kdc_facet_counts_divisions(find, records):
    facets = {v["value"]: v["count"] for v in find()["facets"]["kdc"]}
    expected: dict[str, int] = {}
    for r in records.values():
        expected[r["kdc_division"]] = expected.get(r["kdc_division"], 0) + 1
    assert facets == expected
    found = find(kdc="910")
    assert found["total"] == expected["910"]


@pytest.mark.es
@pytest.mark.spark
@pytest.mark.parametrize("q, record_id", [
    ("역사의 왜곡과 진실", "KORSYN:00314049"),   # Hangul 245, particles attached
    ("바위눈물", "KORSYN:00292247"),
    ("춘향전", "KORSYN:00505263"),             # 春香 傳 in its 880, read as Hangul
])
def test_korean_titles_of_korean_libraries_are_found(find, q, record_id):
    assert record_id in {h["id"] for h in find(q=q)["hits"]}


@pytest.mark.es
@pytest.mark.spark
def test_next_on_the_kdc_shelf(es, kdc_settings, records):
    from index.shelf import neighbours

    around = neighbours(es, kdc_settings.index, records["KORSYN:00292247"], k=3)
    keys = [record_shelf_key(records[h["id"]]) for h in around["before"] + around["after"]]
    assert keys and all(k.startswith("kdc ") for k in keys)
    before = [record_shelf_key(records[h["id"]]) for h in around["before"]]
    assert all(k < "kdc 813.6 정 000064 ㅂ" for k in before)


# --- in the topic graph -------------------------------------------------------------------------

@pytest.mark.spark
def test_kdc_divisions_are_graph_nodes_linked_to_subjects(base_settings, spark, tmp_path):
    import pyarrow.dataset as ds

    from ingest import catalogue_job, graph_job

    settings = base_settings.replace(home=str(tmp_path / "home"))
    catalogue_job.run(settings, [str(KORMARC)], spark=spark)
    graph_job.count(settings, tmp_path / "graph", spark=spark, min_support=2, top_k=5)
    nodes = ds.dataset(tmp_path / "graph" / "nodes.parquet").to_table().to_pylist()
    edges = ds.dataset(tmp_path / "graph" / "edges.parquet").to_table().to_pylist()
    kdc_nodes = {n["id"]: n for n in nodes if n["kind"] == "kdc"}
    # 910 (6 records: Korean history) and 810 (12: Korean literature), labelled in both
    # interface languages.
    assert kdc_nodes["kdc:910"]["label"] == "910 아시아 · Asia"
    assert kdc_nodes["kdc:810"]["records"] == sum(
        1 for r in map_raw_all() if r["kdc_division"] == "810")
    linked = {e["source"] for e in edges if e["source"].startswith("kdc:")}
    assert linked and all(e["target"].startswith("subject:") for e in edges
                          if e["source"].startswith("kdc:"))


def map_raw_all() -> list[dict]:
    logging.disable(logging.WARNING)
    try:
        return [map_raw(c + b"\x1d") for c in KORMARC.read_bytes().split(b"\x1d")[:-1]]
    finally:
        logging.disable(logging.NOTSET)


# --- a catalogue written before the KDC fields existed -------------------------------------------

@pytest.mark.es
@pytest.mark.spark
def test_a_catalogue_from_before_the_kdc_fields_is_indexed_and_reloaded(es_settings, spark,
                                                                         tmp_path):
    """An upgrade meets catalogue versions whose Parquet has no kdc, kdc_division or
    call_number column: the index is built from them, and a reload of the same records
    finds every one unchanged (their hashes leave the empty new fields out)."""
    import pyarrow.parquet as pq

    from index import build_job
    from ingest import catalogue, catalogue_job

    sample = Path(__file__).parent / "data" / "loc-books-2016" / "mixed-1000.mrc"
    settings = es_settings.replace(home=str(tmp_path / "home"), index="shelfmap-old-catalogue")
    catalogue_job.run(settings, [str(sample)], spark=spark)
    current = catalogue.current_path(settings.catalogue_dir)
    for part in current.glob("*.parquet"):
        table = pq.read_table(part)
        pq.write_table(table.drop_columns(["kdc", "kdc_division", "call_number"]), part)
        (part.parent / f".{part.name}.crc").unlink(missing_ok=True)  # Spark's checksum
    assert "kdc" not in pq.read_schema(next(current.glob("*.parquet"))).names
    from ingest import export

    exported = list(export.records(current))
    assert len(exported) == 1000 and all(r["kdc"] is None for r in exported)

    built = build_job.build(settings, spark=spark)
    assert built["documents"] == 1000
    again = catalogue_job.run(settings, [str(sample)], spark=spark)
    assert (again["unchanged"], again["changed"], again["new"]) == (1000, 0, 0)
