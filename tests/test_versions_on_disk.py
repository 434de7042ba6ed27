"""Versioned folders on disk (ingest.catalogue): names that sort after every existing
one, completeness by manifest, and pruning that counts complete versions only.

The folders are real folders with real Parquet in them; the kill tests
(test_killed_loads.py) show the same rules on what a killed `shelfmap ingest` leaves.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest import catalogue
from viz.graph import artifacts as graph_artifacts

from .test_graph_store import write_tiny


def _version(root, name: str, *, complete: bool, records: int = 3) -> str:
    """A catalogue version folder holding ``records`` rows; marked complete or not."""
    folder = root / name
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"id": [f"DLC:{i}" for i in range(records)]}),
                   folder / "part-00000.parquet")
    if complete:
        catalogue.write_manifest(folder, {"version": name, "base": None, "records": records})
    return name


def _names(n: int) -> list[str]:
    names: list[str] = []
    for _ in range(n):
        names.append(catalogue.next_version(names, dt.datetime(2026, 1, 1, 12, 0, 0)))
    return names


def test_next_version_sorts_after_every_existing_one():
    # The same second, and a clock set back by a day: still after the newest.
    names = _names(3)
    assert names == sorted(names) and len(set(names)) == 3
    assert [n[:15] for n in names] == ["20260101T120000", "20260101T120001", "20260101T120002"]
    earlier = catalogue.next_version(names, dt.datetime(2025, 12, 31, 12, 0, 0))
    assert earlier > names[-1]
    # Folders that are not versions do not count.
    later = catalogue.next_version(["zzz", ".20990101T000000-abcdef"],
                                   dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    assert later.startswith("20260101T000000-")


def test_a_folder_is_complete_only_with_a_manifest_naming_it(tmp_path):
    a = _version(tmp_path, "20260101T000000-aaaaaa", complete=True)
    b = _version(tmp_path, "20260101T000001-bbbbbb", complete=False)
    assert catalogue.is_complete(tmp_path / a) and not catalogue.is_complete(tmp_path / b)
    # A manifest copied from another version does not make a folder complete.
    (tmp_path / b / catalogue.MANIFEST).write_bytes((tmp_path / a / catalogue.MANIFEST).read_bytes())
    assert not catalogue.is_complete(tmp_path / b)
    (tmp_path / b / catalogue.MANIFEST).write_text("{not json", encoding="utf-8")
    assert not catalogue.is_complete(tmp_path / b)
    # Readers of the catalogue never see the manifest: pyarrow skips "_" files.
    assert pq.read_table(tmp_path / a).num_rows == 3


def test_an_incomplete_newest_folder_never_displaces_a_complete_version(tmp_path):
    """The issue's case: v2 current, a load killed while merging left v3, and the next
    good load publishes v4. Pruning to 2 keeps v4 and v2, not v3 and v4."""
    v1, v2, v3, v4 = _names(4)
    for v in (v1, v2, v4):
        _version(tmp_path, v, complete=True)
    _version(tmp_path, v3, complete=False)
    catalogue.set_current(tmp_path, v2)

    pruned = catalogue.publish(tmp_path, v4, keep=2)

    assert pruned == [v1]
    assert catalogue.current_version(tmp_path) == v4
    assert catalogue.version_names(tmp_path) == [v2, v3, v4]   # v3 is recovery's to remove
    assert [v for v in catalogue.version_names(tmp_path)
            if catalogue.is_complete(tmp_path / v)] == [v2, v4]


def test_pruning_keeps_current_and_the_version_before_it(tmp_path):
    v1, v2, v3, v4, v5 = _names(5)
    for v in (v1, v2, v3, v4, v5):
        _version(tmp_path, v, complete=True)
    catalogue.set_current(tmp_path, v3)
    # keep=1 still keeps the version before CURRENT; versions after CURRENT were never
    # published and are not pruning's to delete.
    assert catalogue.prune(tmp_path, keep=1) == [v1]
    assert catalogue.version_names(tmp_path) == [v2, v3, v4, v5]
    assert catalogue.prune_plan([v2, v3, v4, v5], {v2, v3, v4, v5}, None, keep=1) == []
    with pytest.raises(ValueError, match="at least 1"):
        catalogue.prune_plan([v2], {v2}, v2, keep=0)


def test_publishing_refuses_an_incomplete_version(tmp_path):
    v1, v2 = _names(2)
    _version(tmp_path, v1, complete=True)
    catalogue.set_current(tmp_path, v1)
    _version(tmp_path, v2, complete=False)
    with pytest.raises(catalogue.IncompleteVersion, match="not marked complete"):
        catalogue.publish(tmp_path, v2)
    assert catalogue.current_version(tmp_path) == v1


def test_graph_pruning_counts_complete_builds_only(tmp_path):
    """A graph folder that lacks a table (a build killed while writing, from code that
    wrote in place) is neither counted as a build nor kept in place of one."""
    first = write_tiny(tmp_path)
    second = write_tiny(tmp_path)
    broken = catalogue.next_version(catalogue.version_names(tmp_path))
    (tmp_path / broken).mkdir()
    (tmp_path / broken / "nodes.parquet").write_bytes(
        (tmp_path / second / "nodes.parquet").read_bytes())
    assert not graph_artifacts.is_complete(tmp_path / broken)
    third = write_tiny(tmp_path)
    assert third > broken > second > first
    names = catalogue.version_names(tmp_path)
    assert names == [second, broken, third]
