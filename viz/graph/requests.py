"""The parsing of graph requests: a request's arguments -> a frozen :class:`GraphQuery`,
or :class:`~index.queries.BadParameter` naming the parameter (the JSON API's
``/api/graph/topics`` and the map pages ask the store through it)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from index.queries import BadParameter
from index.search import MAX_ID_BYTES, possible_id

MODES = ("overview", "around", "path", "records")
MAX_LIMIT = 500
MAX_RECORDS = 100
MAX_DEPTH = 3


@dataclasses.dataclass(frozen=True)
class GraphQuery:
    """One question to the graph store.

    ``around`` a neighbourhood (``depth`` links out), ``path`` the shortest path
    ``source`` -> ``target``, ``records`` the map around those records' subjects,
    ``overview`` the whole catalogue; at most ``limit`` nodes in the answer.
    """

    mode: str = "overview"
    depth: int = 1
    limit: int = 100
    around: str | None = None
    source: str | None = None
    target: str | None = None
    records: tuple[str, ...] = ()

    def names(self) -> dict[str, str]:
        """The request parameter that named each node the query asks about."""
        names: dict[str, str] = {}
        for name, value in (("around", self.around), ("from", self.source),
                            ("to", self.target)):
            if value:
                names.setdefault(value, name)
        return names


def bounded_int(args: Mapping[str, str], name: str, default: int, low: int,
                high: int) -> int:
    """``args[name]`` as a whole number in [low, high], ``default`` when absent or
    empty; BadParameter naming ``name`` otherwise."""
    text = args.get(name)
    if text is None or text == "":
        return default
    what = f"a whole number from {low} to {high}"
    try:
        value = int(text.strip(), 10)
    except ValueError:
        raise BadParameter(name, f"must be {what}, not {text[:40]!r}") from None
    if not low <= value <= high:
        raise BadParameter(name, f"must be {what}, not {value}")
    return value


def parse_graph_query(args: Mapping[str, str]) -> GraphQuery:
    """The query of a /api/graph/topics request; BadParameter naming the parameter when
    its arguments do not make one query.

    Modes: ``around`` (a neighbourhood), ``from`` + ``to`` (a path), ``records`` (the
    map around those records), or none of them (the overview).
    """
    given = [name for name in ("around", "from", "to", "records") if args.get(name)]
    modes = {"path" if name in ("from", "to") else name for name in given}
    if len(modes) > 1:
        raise BadParameter(given[-1], "give one of around, from and to, or records")
    mode = modes.pop() if modes else "overview"
    depth = bounded_int(args, "depth", 1, 1, MAX_DEPTH)
    limit = bounded_int(args, "limit", 100 if mode == "overview" else 50, 1, MAX_LIMIT)
    if mode == "path":
        for name, other in (("from", "to"), ("to", "from")):
            if not args.get(name):
                raise BadParameter(name, f"a path needs both from and to; {other} is "
                                         "given")
    records: tuple[str, ...] = ()
    if mode == "records":
        records = tuple(dict.fromkeys(i.strip() for i in args["records"].split(",")
                                      if i.strip()))
        if not records:
            raise BadParameter("records", "must list record ids, separated by commas")
        if len(records) > MAX_RECORDS:
            raise BadParameter("records", f"at most {MAX_RECORDS} ids, not {len(records)}")
        if not all(map(possible_id, records)):
            raise BadParameter("records", f"a record id is at most {MAX_ID_BYTES} bytes")
    return GraphQuery(mode=mode, depth=depth, limit=limit, around=args.get("around") or None,
                      source=args.get("from") or None, target=args.get("to") or None,
                      records=records)
