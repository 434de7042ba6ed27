"""Versioned indices behind one alias: name, swap atomically, roll back, prune.

Every build writes ``<alias>-<UTC timestamp>``; searches always go through the alias,
which moves in a single ``_aliases`` call, so there is no moment without an index.

Each index records in its mapping's ``_meta`` the catalogue version it reflects
(written by the build, moved forward by each incremental update), so ``shelfmap
status`` and ``shelfmap index --update`` know where an index stands, also after a
rollback.

Which version rollback returns to and which ones pruning deletes are pure functions of
the versions found (:func:`rollback_target`, :func:`prunable`), tested as data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence

META_KEY = "shelfmap"


class NoPreviousVersion(RuntimeError):
    """A rollback was asked for but no older index version exists."""


@dataclasses.dataclass(frozen=True)
class Version:
    """One index version as found on the cluster: its name and its shelfmap ``_meta``."""

    name: str
    meta: dict = dataclasses.field(default_factory=dict)


def new_name(alias: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.timezone.utc)
    return f"{alias}-{now.strftime('%Y%m%d%H%M%S%f')}"


def _pattern(alias: str) -> re.Pattern:
    return re.compile(re.escape(alias) + r"-\d{20}$")


def _shelfmap_meta(mappings: dict) -> dict:
    return dict((mappings.get("_meta") or {}).get(META_KEY) or {})


def inventory(es, alias: str) -> list[Version]:
    """The alias's index versions with their ``_meta``, oldest first (one request)."""
    found = es.indices.get(index=f"{alias}-*", allow_no_indices=True, expand_wildcards="open",
                           features="mappings")
    pattern = _pattern(alias)
    return [Version(name, _shelfmap_meta(found[name].get("mappings") or {}))
            for name in sorted(found) if pattern.match(name)]


def versions(es, alias: str) -> list[str]:
    """The alias's index versions, oldest first."""
    return [v.name for v in inventory(es, alias)]


def current(es, alias: str) -> str | None:
    """The index the alias points at, or None when there is no alias yet."""
    if not es.indices.exists_alias(name=alias):
        return None
    names = sorted(es.indices.get_alias(name=alias))
    return names[-1] if names else None


# --- which versions (pure) --------------------------------------------------------------

def rollback_target(found: Sequence[Version], live: str | None) -> Version | None:
    """The version a rollback from ``live`` returns to: the newest one older than it
    (the newest of all when there is no alias)."""
    older = [v for v in found if live is None or v.name < live]
    return older[-1] if older else None


def prunable(found: Sequence[Version], live: str | None, keep: int) -> list[str]:
    """What pruning deletes: all but the newest ``keep`` versions, never ``live``."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1, not {keep}")
    names = [v.name for v in found]
    return [name for name in names[: max(0, len(names) - keep)] if name != live]


# --- moving the alias -------------------------------------------------------------------

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
    target = rollback_target(inventory(es, alias), now)
    if target is None:
        raise NoPreviousVersion(f"no index version of {alias!r} older than {now} to roll back to")
    swap(es, alias, target.name)
    return now, target.name


def prune(es, alias: str, keep: int = 2) -> list[str]:
    """Delete all but the newest ``keep`` versions; never the one the alias points at
    (after a rollback that is an older one, kept in addition)."""
    doomed = prunable(inventory(es, alias), current(es, alias), keep)
    for name in doomed:
        es.indices.delete(index=name)
    return doomed


# --- what shelfmap records in an index ------------------------------------------------

def meta(es, index: str) -> dict:
    """What shelfmap recorded in ``index``'s ``_meta`` (``{}`` when nothing)."""
    found = es.indices.get_mapping(index=index)
    return _shelfmap_meta(next(iter(found.values()))["mappings"])


def set_meta(es, index: str, **values) -> dict:
    """Merge ``values`` into ``index``'s shelfmap ``_meta`` (a mapping update, which a
    bare server supports); returns the new meta."""
    updated = {**meta(es, index), **values}
    es.indices.put_mapping(index=index, meta={META_KEY: updated})
    return updated
