"""Versioned indices behind one alias: name, swap atomically, roll back, prune.

Every build writes ``<alias>-<UTC timestamp>``; searches always go through the alias,
which moves in a single ``_aliases`` call, so there is no moment without an index.

Each index records in its mapping's ``_meta`` the catalogue version it reflects
(written by the build, moved forward by each incremental update), so ``shelfmap
status`` and ``shelfmap index --update`` know where an index stands, also after a
rollback.
"""

from __future__ import annotations

import datetime as dt
import re


class NoPreviousVersion(RuntimeError):
    """A rollback was asked for but no older index version exists."""


def new_name(alias: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.timezone.utc)
    return f"{alias}-{now.strftime('%Y%m%d%H%M%S%f')}"


def _pattern(alias: str) -> re.Pattern:
    return re.compile(re.escape(alias) + r"-\d{20}$")


def versions(es, alias: str) -> list[str]:
    """The alias's index versions, oldest first."""
    found = es.indices.get(index=f"{alias}-*", allow_no_indices=True, expand_wildcards="open")
    return sorted(name for name in found if _pattern(alias).match(name))


def current(es, alias: str) -> str | None:
    """The index the alias points at, or None when there is no alias yet."""
    if not es.indices.exists_alias(name=alias):
        return None
    names = sorted(es.indices.get_alias(name=alias))
    return names[-1] if names else None


def swap(es, alias: str, target: str) -> str | None:
    """Point ``alias`` at ``target`` (only) in one atomic call; returns the previous index."""
    previous = current(es, alias)
    holders = sorted(es.indices.get_alias(name=alias)) if previous else []
    actions = [{"remove": {"index": name, "alias": alias}} for name in holders]
    actions.append({"add": {"index": target, "alias": alias, "is_write_index": True}})
    es.indices.update_aliases(actions=actions)
    return previous


def rollback(es, alias: str) -> tuple[str, str]:
    """Point the alias at the version before the current one; returns (from, to)."""
    now = current(es, alias)
    older = [name for name in versions(es, alias) if now is None or name < now]
    if not older:
        raise NoPreviousVersion(f"no index version of {alias!r} older than {now} to roll back to")
    swap(es, alias, older[-1])
    return now, older[-1]


def prune(es, alias: str, keep: int = 2) -> list[str]:
    """Delete all but the newest ``keep`` versions; never the one the alias points at
    (after a rollback that is an older one, kept in addition)."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1, not {keep}")
    live = current(es, alias)
    names = versions(es, alias)
    doomed = [name for name in names[: max(0, len(names) - keep)] if name != live]
    for name in doomed:
        es.indices.delete(index=name)
    return doomed


META_KEY = "shelfmap"


def meta(es, index: str) -> dict:
    """What shelfmap recorded in ``index``'s ``_meta`` (``{}`` when nothing)."""
    found = es.indices.get_mapping(index=index)
    mappings = next(iter(found.values()))["mappings"]
    return dict((mappings.get("_meta") or {}).get(META_KEY) or {})


def set_meta(es, index: str, **values) -> dict:
    """Merge ``values`` into ``index``'s shelfmap ``_meta`` (a mapping update, which a
    bare server supports); returns the new meta."""
    updated = {**meta(es, index), **values}
    es.indices.put_mapping(index=index, meta={META_KEY: updated})
    return updated
