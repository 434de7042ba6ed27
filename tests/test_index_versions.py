"""Index versions are complete or absent: which version rollback returns to, which ones
pruning deletes and which ones a build cleans up, as data; then the same rules on tiny
real indices (swap refuses an incomplete version, rollback checks the count, the next
build's tidy-up removes leftovers and adopts a live index from before the marker)."""

from __future__ import annotations

import pytest

from index import versions
from index.versions import Version

ALIAS = "shelfmap-versions"


def _v(stamp: str, state: str | None = versions.COMPLETE, documents: int = 10) -> Version:
    meta = {} if state is None else {"state": state}
    if state == versions.COMPLETE:
        meta["documents"] = documents
    return Version(f"{ALIAS}-{stamp:0<20}", meta)


A, B, C, D = (_v(s) for s in ("2026010101", "2026010102", "2026010103", "2026010104"))
PARTIAL = _v("2026010105", versions.BUILDING)       # a killed build's 2,237 of 10,000
LEGACY = _v("2026010100", None)                      # built before the marker existed


def _names(found):
    return [v.name for v in found]


# --- the rules, as data ----------------------------------------------------------------

def test_rollback_goes_to_the_newest_complete_version_older_than_the_live_one():
    assert versions.rollback_target([A, B, C], C.name) == B
    # Issue 10: the failed build's partial index sat between them and was chosen.
    assert versions.rollback_target([A, B, PARTIAL, C], C.name) == B
    assert versions.rollback_target([A, PARTIAL, C], C.name) == A
    assert versions.rollback_target([LEGACY, PARTIAL, C], C.name) is None
    assert versions.rollback_target([A, B, C], A.name) is None
    # After a rollback to B, the next one goes further back, never forward.
    assert versions.rollback_target([A, B, C], B.name) == A
    # No alias yet: the newest complete version.
    assert versions.rollback_target([A, B, PARTIAL], None) == B


def test_pruning_keeps_complete_versions_and_never_counts_or_deletes_incomplete_ones():
    # Issue 10: by name, keep 2 of [A, B, PARTIAL, C] kept PARTIAL and deleted B.
    assert versions.prunable([A, B, PARTIAL, C], C.name, keep=2) == [A.name]
    assert versions.prunable([A, B, C, D], D.name, keep=2) == [A.name, B.name]
    assert versions.prunable([A, B, C, D], D.name, keep=3) == [A.name]
    # Incomplete versions are never pruning's to delete (they are leftovers).
    assert versions.prunable([LEGACY, PARTIAL, C], C.name, keep=1) == []


def test_pruning_spares_the_live_version_and_its_rollback_target():
    # Rolled back to B: B is in use and A is where the next rollback goes.
    assert versions.prunable([A, B, C, D], B.name, keep=2) == []
    assert versions.prunable([A, B, C, D], B.name, keep=1) == [C.name]
    # keep=1 on the newest: its rollback target still stays.
    assert versions.prunable([A, B, C], C.name, keep=1) == [A.name]
    with pytest.raises(ValueError, match="at least 1"):
        versions.prunable([A], A.name, keep=0)


def test_leftovers_are_the_incomplete_versions_the_alias_does_not_point_at():
    assert _names(versions.leftovers([LEGACY, A, PARTIAL, C], C.name)) == [LEGACY.name,
                                                                            PARTIAL.name]
    # The alias's own index is never a leftover, marked or not.
    assert versions.leftovers([LEGACY, A], LEGACY.name) == []
    assert versions.leftovers([A, B], B.name) == []


def test_only_a_complete_version_reports_a_document_count():
    assert (A.complete, A.documents) == (True, 10)
    assert (PARTIAL.complete, PARTIAL.documents) == (False, None)
    assert (LEGACY.complete, LEGACY.documents) == (False, None)


# --- the same rules on tiny real indices ---------------------------------------------

def _index(es, stamp: str, docs: int, meta: dict | None) -> str:
    name = f"{ALIAS}-{stamp:0<20}"
    mappings = {"properties": {"title": {"type": "text"}}}
    if meta is not None:
        mappings["_meta"] = {versions.META_KEY: meta}
    es.indices.create(index=name, mappings=mappings,
                      settings={"number_of_shards": 1, "number_of_replicas": 0})
    for i in range(docs):
        es.index(index=name, id=str(i), document={"title": f"record {i}"})
    es.indices.refresh(index=name)
    return name


@pytest.fixture()
def tiny(es):
    _drop(es)
    yield es
    _drop(es)


def _drop(es):
    for name in es.indices.get(index=f"{ALIAS}-*", allow_no_indices=True):
        es.indices.delete(index=name)


def test_swap_refuses_an_incomplete_version(tiny):
    es = tiny
    good = _index(es, "2026010101", 3, None)
    versions.mark_complete(es, good, 3)
    partial = _index(es, "2026010102", 1, {"state": versions.BUILDING})
    versions.swap(es, ALIAS, good)
    with pytest.raises(versions.IncompleteVersion, match=f"{partial} is not a complete "
                       "index version .state: building.; the alias"):
        versions.swap(es, ALIAS, partial)
    assert versions.current(es, ALIAS) == good


def test_rollback_skips_incomplete_versions_and_checks_the_recorded_count(tiny):
    es = tiny
    older = _index(es, "2026010101", 4, None)
    versions.mark_complete(es, older, 4)
    partial = _index(es, "2026010102", 2, {"state": versions.BUILDING})
    newer = _index(es, "2026010103", 5, None)
    versions.mark_complete(es, newer, 5)
    versions.swap(es, ALIAS, newer)

    # The target lost a document since it was completed: refused, the alias stays.
    es.delete(index=older, id="0", refresh=True)
    with pytest.raises(versions.RollbackRefused,
                       match=f"{older} holds 3 documents but was completed with 4; the "
                             f"alias '{ALIAS}' stays on {newer}"):
        versions.rollback(es, ALIAS)
    assert versions.current(es, ALIAS) == newer

    es.index(index=older, id="0", document={"title": "record 0"}, refresh=True)
    assert versions.rollback(es, ALIAS) == (newer, older)
    assert es.count(index=ALIAS)["count"] == 4
    with pytest.raises(versions.NoPreviousVersion, match="no complete index version"):
        versions.rollback(es, ALIAS)
    assert versions.current(es, ALIAS) == older
    assert partial in versions.versions(es, ALIAS)


def test_tidy_removes_leftovers_and_adopts_a_live_index_from_before_the_marker(tiny):
    es = tiny
    legacy_old = _index(es, "2026010101", 2, {"catalogue_version": "v1"})
    legacy_live = _index(es, "2026010102", 3, {"catalogue_version": "v2"})
    partial = _index(es, "2026010103", 1, {"state": versions.BUILDING, "built": "then",
                                           "builder": {"host": "h", "pid": 1}})
    # An alias from before the marker: swap() would refuse it now, so set it directly.
    es.indices.update_aliases(actions=[{"add": {"index": legacy_live, "alias": ALIAS}}])

    done = versions.tidy(es, ALIAS)
    assert done["adopted"] == legacy_live
    assert done["removed"] == [
        {"index": legacy_old, "documents": 2, "state": None, "built": None, "builder": None},
        {"index": partial, "documents": 1, "state": "building", "built": "then",
         "builder": {"host": "h", "pid": 1}}]
    assert versions.versions(es, ALIAS) == [legacy_live]
    adopted = versions.meta(es, legacy_live)
    assert (adopted["state"], adopted["documents"], adopted["adopted"],
            adopted["catalogue_version"]) == ("complete", 3, True, "v2")
    # Nothing left to do the second time.
    assert versions.tidy(es, ALIAS) == {"adopted": None, "removed": []}
