"""The bulk writer's pure parts: how a full build's row groups are dealt to the tasks."""

from __future__ import annotations

from index.bulk import balanced


def test_row_groups_are_dealt_into_lists_of_nearly_equal_records():
    # A catalogue as the ingest writes it: files of 5,000-record row groups and a short
    # last one (the row counts of the LoC 250k catalogue's first files).
    groups = [(f"part-{f}.parquet", g, 5000 if g < 6 else last)
              for f, last in enumerate([1238, 1435, 774, 406, 2333]) for g in range(7)]
    parts = balanced(groups, 2)
    rows = {(path, gid): n for path, gid, n in groups}
    loads = [sum(rows[t] for t in part) for part in parts]
    assert sum(loads) == sum(n for *_, n in groups)
    assert max(loads) - min(loads) <= 5000          # at most one row group apart
    assert sorted(t for part in parts for t in part) == sorted(rows)   # each exactly once
    assert all(part == sorted(part) for part in parts)                  # in file order


def test_fewer_row_groups_than_tasks_and_none():
    groups = [("a.parquet", 0, 10), ("a.parquet", 1, 3)]
    assert balanced(groups, 8) == [[("a.parquet", 0)], [("a.parquet", 1)]]
    assert balanced([], 4) == []
