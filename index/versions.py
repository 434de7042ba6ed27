"""Versioned indices behind one alias: name, mark complete, swap atomically, roll back,
prune, and clean up what failed builds left.

Every build writes ``<alias>-<UTC timestamp>``; searches always go through the alias,
which moves in a single ``_aliases`` call, so there is no moment without an index.

Complete or absent. A build creates its index marked ``"state": "building"`` in the
mapping's ``_meta`` (with who builds it and since when), and marks it ``"complete"``,
with its document count, only once its checks passed (index.build_job). Only complete
versions are published (:func:`swap` refuses any other), returned to by a rollback, or
kept by pruning. An index a killed build left stays "building": issue 10 found one with
2,237 of 10,000 documents that pruning by name kept while it deleted the previous
complete version, and that a rollback then published. Such leftovers are deleted at
the start of the next build (:func:`tidy`), under the home's build lock
(index.build_lock), and ``shelfmap status`` lists them meanwhile.

Versions without the marker were built before it existed. The alias's own index was
published only after its count check, so :func:`tidy` adopts it as complete, with the
count it holds; any other one may be a killed build's partial index and is treated as
incomplete: deleted by the next build, never rolled back to.

Each index also records the catalogue version it reflects (written by the build, moved
forward by each incremental update), so ``shelfmap status`` and ``shelfmap index
--update`` know where an index stands, also after a rollback.

Which version rollback returns to, which ones pruning deletes and which ones are
leftovers are pure functions of the versions found (:func:`rollback_target`,
:func:`prunable`, :func:`leftovers`), tested as data.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence

META_KEY = "shelfmap"
BUILDING, COMPLETE = "building", "complete"


class NoPreviousVersion(RuntimeError):
    """A rollback was asked for but no older complete index version exists."""


class IncompleteVersion(RuntimeError):
    """The alias was asked to move to a version that is not marked complete."""


class RollbackRefused(RuntimeError):
    """The rollback target no longer holds the documents it was completed with."""


@dataclasses.dataclass(frozen=True)
class Version:
    """One index version as found on the cluster: its name and its shelfmap ``_meta``."""

    name: str
    meta: dict = dataclasses.field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return self.meta.get("state") == COMPLETE

    @property
    def documents(self) -> int | None:
        """The count it was marked complete with (None unless complete)."""
        return self.meta.get("documents") if self.complete else None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def new_name(alias: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.timezone.utc)
    return f"{alias}-{now.strftime('%Y%m%d%H%M%S%f')}"


def building_meta(catalogue_version: str, builder: dict, **values) -> dict:
    """The ``_meta`` a build creates its index with: not complete, who builds it, and
    ``values`` (the analysis variants it was built with, what Korean text gets)."""
    return {META_KEY: {"state": BUILDING, "catalogue_version": catalogue_version,
                       "built": _now(), "builder": builder, **values}}


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
    """The version a rollback from ``live`` returns to: the newest complete one older
    than it (the newest complete one when there is no alias)."""
    older = [v for v in found if v.complete and (live is None or v.name < live)]
    return older[-1] if older else None


def prunable(found: Sequence[Version], live: str | None, keep: int) -> list[str]:
    """What pruning deletes: complete versions beyond the newest ``keep``, but never
    ``live`` nor its rollback target (after a rollback both may be older ones, kept in
    addition). Incomplete versions neither count towards ``keep`` nor are deleted here:
    they are :func:`leftovers`."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1, not {keep}")
    complete = [v for v in found if v.complete]
    target = rollback_target(found, live)
    spared = {v.name for v in complete[-keep:]} | {live} | {target.name if target else None}
    return [v.name for v in complete if v.name not in spared]


def leftovers(found: Sequence[Version], live: str | None) -> list[Version]:
    """Versions never marked complete that the alias does not point at: what killed or
    failed builds left (or a build running right now; see index.build_lock)."""
    return [v for v in found if not v.complete and v.name != live]


# --- moving the alias -------------------------------------------------------------------

def swap(es, alias: str, target: str) -> str | None:
    """Point ``alias`` at ``target`` (only) in one atomic call; returns the previous
    index. :class:`IncompleteVersion` unless ``target`` is marked complete."""
    state = meta(es, target).get("state")
    if state != COMPLETE:
        raise IncompleteVersion(f"{target} is not a complete index version (state: "
                                f"{state or 'not recorded'}); the alias {alias!r} was left "
                                "as it was")
    previous = current(es, alias)
    holders = sorted(es.indices.get_alias(name=alias)) if previous else []
    actions = [{"remove": {"index": name, "alias": alias}} for name in holders]
    actions.append({"add": {"index": target, "alias": alias, "is_write_index": True}})
    es.indices.update_aliases(actions=actions)
    return previous


def rollback(es, alias: str) -> tuple[str, str]:
    """Point the alias at the newest complete version before the current one, once it
    is seen to still hold the documents it was completed with; returns (from, to)."""
    now = current(es, alias)
    target = rollback_target(inventory(es, alias), now)
    if target is None:
        raise NoPreviousVersion(f"no complete index version of {alias!r} older than {now} "
                                "to roll back to")
    es.indices.refresh(index=target.name)
    held = es.count(index=target.name)["count"]
    if held != target.documents:
        raise RollbackRefused(f"{target.name} holds {held:,} documents but was completed "
                              f"with {target.documents:,}; the alias {alias!r} stays on "
                              f"{now} (run `shelfmap index` to build a new version)")
    swap(es, alias, target.name)
    return now, target.name


def prune(es, alias: str, keep: int = 2) -> list[str]:
    """Delete the complete versions :func:`prunable` names; returns them."""
    doomed = prunable(inventory(es, alias), current(es, alias), keep)
    for name in doomed:
        es.indices.delete(index=name)
    return doomed


def tidy(es, alias: str) -> dict:
    """What a build does first, holding the build lock: adopt the alias's own index if it
    predates the completeness marker, and delete the :func:`leftovers`.

    Returns ``{"adopted": name or None, "removed": [{"index", "documents", "state",
    "built", "builder"}]}`` for the build's report.
    """
    live = current(es, alias)
    found = inventory(es, alias)
    adopted = None
    for version in found:
        if version.name == live and "state" not in version.meta:
            es.indices.refresh(index=live)
            mark_complete(es, live, es.count(index=live)["count"], adopted=True)
            adopted = live
    removed = []
    for version in leftovers(found, live):
        es.indices.refresh(index=version.name)  # a killed build never refreshed it
        documents = es.count(index=version.name)["count"]
        removed.append({"index": version.name, "documents": documents,
                        "state": version.meta.get("state"), "built": version.meta.get("built"),
                        "builder": version.meta.get("builder")})
        es.indices.delete(index=version.name)
    return {"adopted": adopted, "removed": removed}


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


def mark_complete(es, index: str, documents: int, **values) -> dict:
    """Record that ``index`` is complete with ``documents`` documents: from now on it may
    be published, kept and rolled back to."""
    return set_meta(es, index, state=COMPLETE, documents=documents, completed=_now(),
                    **values)
