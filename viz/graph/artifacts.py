"""The topic graph on disk: one folder per build, a CURRENT pointer (docs/graph.md).

The tables' schemas are declared here, once; :func:`write_version` refuses a table
that does not match them, so the app never meets a build it cannot read. Versions are
the catalogue's kind of versioned folders (``ingest.catalogue``): a build is written
under a hidden name (``.<version>.<hex>``), renamed into place whole, and only then
made current. A version is complete when its graph.json names it and its four core tables
are there (:func:`is_complete`); pruning counts complete versions only, and what a
killed build left is found by :func:`leftovers` (removed at the next build's start).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingest import catalogue, crashpoint, recovery
from ingest.graph import KINDS, LINK_KINDS

MANIFEST = "graph.json"
# What a build's tables mean, written into its graph.json and raised whenever a table
# changes meaning; a build of an older format is refused (OutdatedGraph). 2: regions
# carry their records (each once) and drawn discs; builds before it had no format.
FORMAT = 2


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    # No column may be null: every row of every table is a whole node, link or community.
    return pa.schema([pa.field(name, type_, nullable=False) for name, type_ in fields])


NODES = _schema(("id", pa.string()), ("label", pa.string()), ("kind", pa.string()),
                ("records", pa.int64()), ("degree", pa.int32()), ("community", pa.int32()),
                ("centrality", pa.float64()), ("x", pa.float64()), ("y", pa.float64()))
EDGES = _schema(("source", pa.string()), ("target", pa.string()), ("kind", pa.string()),
                ("weight", pa.float64()), ("records", pa.int64()))
COMMUNITIES = _schema(("community", pa.int32()), ("label", pa.string()), ("size", pa.int64()),
                      ("x", pa.float64()), ("y", pa.float64()), ("radius", pa.float64()),
                      ("top", pa.list_(pa.string())))
COMMUNITY_EDGES = _schema(("source", pa.int32()), ("target", pa.int32()),
                          ("weight", pa.float64()), ("links", pa.int64()))

# The map's regions and views (viz.graph.hierarchy): every region with its place in
# its parent's view, its records (held by any of its topics, each once), its disc
# there (``disc``, area proportional to records, inside the layout's ``radius``) and
# the band its label shows from; each region's links to the
# regions its topics link into (its ways out; between siblings, the links drawn
# between them), with the strongest topic link behind each and where its way out sits
# in the region's view; each topic's region, band and rank in its region's view.
REGIONS = _schema(("region", pa.string()), ("parent", pa.string()), ("kind", pa.string()),
                  ("community", pa.int32()), ("label", pa.string()), ("size", pa.int64()),
                  ("records", pa.int64()), ("x", pa.float64()), ("y", pa.float64()),
                  ("radius", pa.float64()), ("disc", pa.float64()), ("band", pa.int8()),
                  ("rank", pa.int32()),
                  ("view_x", pa.float64()), ("view_y", pa.float64()),
                  ("view_half", pa.float64()))
REGION_LINKS = _schema(("source", pa.string()), ("target", pa.string()),
                       ("links", pa.int64()), ("weight", pa.float64()),
                       ("top_source", pa.string()), ("top_target", pa.string()),
                       ("top_weight", pa.float64()), ("top_records", pa.int64()),
                       ("x", pa.float64()), ("y", pa.float64()), ("band", pa.int8()))
PLACEMENTS = _schema(("id", pa.string()), ("region", pa.string()), ("band", pa.int8()),
                     ("rank", pa.int32()))

TABLES: dict[str, pa.Schema] = {
    "nodes": NODES, "edges": EDGES, "communities": COMMUNITIES,
    "community_edges": COMMUNITY_EDGES, "regions": REGIONS, "region_links": REGION_LINKS,
    "placements": PLACEMENTS,
}
# What every build since the first has written: a folder holding these and its
# graph.json is a whole build (is_complete), even one written before the map's tables
# existed; such a build is refused when read (OutdatedGraph), never taken for debris.
CORE_TABLES = ("nodes", "edges", "communities", "community_edges")
MAP_TABLES = ("regions", "region_links", "placements")
MANIFEST_KEYS = ("version", "catalogue_version", "built_at", "parameters", "counts", "timings")
PARAMETERS = ("min_support", "top_k", "seed")
TIMINGS = ("counting", "pruning", "communities", "layout", "regions", "records", "total")


class GraphArtifactError(ValueError):
    """A graph table or manifest does not match docs/graph.md; the message says where."""


class OutdatedGraph(GraphArtifactError):
    """A build of an older format (:data:`FORMAT`): written before the map's regions
    existed (no regions.parquet; its views would need a layout at request time), or
    before regions counted their records. It is not read; a new build with
    `shelfmap graph` replaces it."""


class NoGraph(FileNotFoundError):
    """No topic graph has been built under this SHELFMAP_HOME."""


@dataclasses.dataclass(frozen=True)
class GraphVersion:
    """One build as read from disk: its tables and its manifest."""

    version: str
    path: Path
    nodes: pa.Table
    edges: pa.Table
    communities: pa.Table
    community_edges: pa.Table
    regions: pa.Table
    region_links: pa.Table
    placements: pa.Table
    manifest: dict


def current_version(root: Path) -> str | None:
    """The version CURRENT names, or None before the first build."""
    return catalogue.current_version(Path(root))


def is_complete(folder: Path) -> bool:
    """Whether ``folder`` holds a whole build: its graph.json names it and the four
    tables are there (graph.json is written last, before the folder is renamed into
    place)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(manifest, dict) and manifest.get("version") == folder.name
            and all((folder / f"{name}.parquet").is_file() for name in CORE_TABLES))


# What a killed `shelfmap graph` leaves under hidden names (viz.graph.build counts
# into ``.counting-<hex>``; :func:`write_version` writes ``.<version>.<hex>``).
LEFTOVER_NAMES = (
    *recovery.HIDDEN,
    (r"\.counting-", "the counted tables of a build that did not finish"),
    (r"\.\d{8}T\d{6}-[0-9a-f]{6}\.", "a build written under its hidden name, never "
     "renamed into place"),
)


def leftovers(root: Path) -> list[recovery.Finding]:
    """What killed or failed builds left under ``root`` (nothing is changed): hidden
    folders, incomplete builds, builds newer than CURRENT (never published)."""
    return recovery.versioned(Path(root), is_complete, LEFTOVER_NAMES)


def read_manifest(root: Path, version: str | None = None) -> dict:
    """The graph.json of ``version`` (default: the current one); cheap, no tables read."""
    path = _version_path(Path(root), version)
    return json.loads((path / MANIFEST).read_text(encoding="utf-8"))


def read_version(root: Path, version: str | None = None) -> GraphVersion:
    """The tables and manifest of ``version`` (default: the current one), checked
    against the schemas."""
    path = _version_path(Path(root), version)
    missing = [n for n in MAP_TABLES if not (path / f"{n}.parquet").is_file()]
    if missing and (path / "nodes.parquet").is_file():
        raise OutdatedGraph(f"graph version {path.name} was built by an older shelfmap, "
                            f"without the map's regions ({', '.join(missing)}.parquet): "
                            "run `shelfmap graph` to build it again")
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    written = manifest.get("format", 1)   # the builds before formats were numbered
    if written < FORMAT:
        raise OutdatedGraph(f"graph version {path.name} was built by an older shelfmap "
                            f"(format {written}; this one reads {FORMAT}, whose regions "
                            "count their records): run `shelfmap graph` to build it again")
    if written > FORMAT:
        raise GraphArtifactError(f"graph version {path.name} is of format {written}, "
                                 f"newer than this shelfmap reads ({FORMAT})")
    tables = {}
    for name, schema in TABLES.items():
        try:
            table = pq.read_table(path / f"{name}.parquet")
        except FileNotFoundError:
            raise GraphArtifactError(f"{path.name}/{name}.parquet is missing: the build "
                                     "is incomplete; run `shelfmap graph` again") from None
        tables[name] = _conform(name, table, schema)
    return GraphVersion(version=path.name, path=path, manifest=manifest, **tables)


def write_version(root: Path, nodes, edges, communities, community_edges, regions,
                  region_links, placements, manifest: Mapping, keep: int) -> str:
    """Write a new version of the graph, make it current, prune to ``keep`` versions.

    Each table is a ``pyarrow.Table``, a mapping of column name to values, or a
    sequence of row mappings, with exactly the columns of docs/graph.md. A Table's
    types must match the schema exactly; columns given as Python values are converted
    to the schema's types. ``manifest`` holds ``catalogue_version``, ``parameters``,
    ``counts.records`` and ``timings``; the version, ``built_at`` (when absent) and the
    other counts are filled in here from the tables. Returns the new version.

    Raises :class:`GraphArtifactError`, naming the table and column, when a table does
    not match; nothing is written then.
    """
    root = Path(root)
    if keep < 1:
        raise ValueError(f"keep must be at least 1, not {keep}")
    tables = {name: _table(name, value, TABLES[name]) for name, value in
              (("nodes", nodes), ("edges", edges), ("communities", communities),
               ("community_edges", community_edges), ("regions", regions),
               ("region_links", region_links), ("placements", placements))}
    _check_contents(tables)
    root.mkdir(parents=True, exist_ok=True)
    version = _next_version(root)
    body = _manifest(manifest, version, tables)

    tmp = root / f".{version}.{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir()
        for name, table in tables.items():
            pq.write_table(table, tmp / f"{name}.parquet")
        crashpoint.reached("graph:tables")
        catalogue.write_durably(tmp / MANIFEST,
                                json.dumps(body, ensure_ascii=False, indent=2) + "\n")
        tmp.rename(root / version)
        crashpoint.reached("graph:rename")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    catalogue.publish(root, version, keep=keep, complete=is_complete, steps="graph")
    return version


def _version_path(root: Path, version: str | None) -> Path:
    version = version or current_version(root)
    if version is None:
        raise NoGraph(f"no topic graph in {root}: run `shelfmap graph`")
    path = root / version
    if not path.is_dir():
        raise NoGraph(f"no graph version {version!r} in {root}")
    return path


def _next_version(root: Path) -> str:
    """A new version name that sorts after every existing one, so that a version newer
    than CURRENT is one that was never published."""
    return catalogue.next_version([*catalogue.version_names(root),
                                   catalogue.current_version(root) or ""])


def _table(name: str, value, schema: pa.Schema) -> pa.Table:
    """``value`` as a table of ``schema``, or GraphArtifactError saying what differs."""
    if isinstance(value, pa.Table):
        return _conform(name, value, schema)
    if isinstance(value, Mapping):
        columns = value
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        keys = [set(row) for row in value]
        names = set(schema.names)
        for i, row_keys in enumerate(keys):
            if row_keys != names:
                _columns_differ(name, row_keys, schema, where=f" (row {i})")
        columns = {col: [row[col] for row in value] for col in schema.names}
    else:
        raise GraphArtifactError(f"{name}: expected a pyarrow Table, a mapping of columns "
                                 f"or a list of rows, not {type(value).__name__}")
    if set(columns) != set(schema.names):
        _columns_differ(name, set(columns), schema)
    arrays = []
    for field in schema:
        try:
            arrays.append(pa.array(columns[field.name], type=field.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as exc:
            raise GraphArtifactError(f"{name}.{field.name}: values are not {field.type}: "
                                     f"{exc}") from None
    return _conform(name, pa.Table.from_arrays(arrays, names=schema.names), schema)


def _columns_differ(name: str, have: set, schema: pa.Schema, where: str = ""):
    missing = [c for c in schema.names if c not in have]
    extra = sorted(str(c) for c in have - set(schema.names))
    parts = ([f"missing {', '.join(missing)}"] if missing else []) + \
            ([f"unexpected {', '.join(extra)}"] if extra else [])
    raise GraphArtifactError(f"{name}{where}: columns differ from docs/graph.md: "
                             f"{'; '.join(parts)} (expected {', '.join(schema.names)})")


def _conform(name: str, table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with ``schema`` (column order, non-null fields) after checking that
    its columns, types and nulls match."""
    if set(table.column_names) != set(schema.names) or \
            len(table.column_names) != len(schema.names):
        _columns_differ(name, set(table.column_names), schema)
    for field in schema:
        column = table.column(field.name)
        if column.type != field.type:
            raise GraphArtifactError(f"{name}.{field.name} is {column.type}; docs/graph.md "
                                     f"says {field.type}")
        if column.null_count:
            raise GraphArtifactError(f"{name}.{field.name} has {column.null_count} null "
                                     "value(s); every value is required")
    return pa.Table.from_arrays([table.column(n) for n in schema.names], schema=schema)


def _check_contents(tables: dict[str, pa.Table]) -> None:
    """The invariants the reader relies on: unique node ids, known kinds, links between
    known nodes written once with ``source < target``, communities that exist."""
    nodes, edges = tables["nodes"], tables["edges"]
    ids = nodes.column("id")
    if pc.count_distinct(ids).as_py() != len(ids):
        raise GraphArtifactError("nodes.id: ids are not unique")
    _check_values("nodes.kind", nodes.column("kind"), KINDS)
    _check_values("edges.kind", edges.column("kind"), LINK_KINDS)
    for table, what in ((edges, "edges"), (tables["community_edges"], "community_edges")):
        bad = pc.sum(pc.invert(pc.less(table.column("source"), table.column("target"))))
        if (bad.as_py() or 0) > 0:
            raise GraphArtifactError(f"{what}: {bad.as_py()} row(s) without source < target")
    for end in ("source", "target"):
        unknown = pc.sum(pc.invert(pc.is_in(edges.column(end), value_set=ids))).as_py() or 0
        if unknown:
            raise GraphArtifactError(f"edges.{end}: {unknown} id(s) not in nodes")
    placed = tables["placements"].column("id")
    if len(placed) != len(ids) or not pc.all(pc.is_in(placed, value_set=ids)).as_py():
        raise GraphArtifactError("placements.id: every node is placed exactly once")
    region_ids = tables["regions"].column("region")
    for what, column in (("placements", "region"), ("region_links", "source"),
                         ("region_links", "target")):
        unknown = pc.sum(pc.invert(pc.is_in(tables[what].column(column),
                                            value_set=region_ids))).as_py() or 0
        if unknown:
            raise GraphArtifactError(f"{what}.{column}: {unknown} row(s) name no region")
    known = tables["communities"].column("community")
    if pc.count_distinct(known).as_py() != len(known):
        raise GraphArtifactError("communities.community: numbers are not unique")
    for what, column in (("nodes", "community"), ("community_edges", "source"),
                         ("community_edges", "target")):
        values = tables[what].column(column)
        unknown = pc.sum(pc.invert(pc.is_in(values, value_set=known))).as_py()
        if unknown:
            raise GraphArtifactError(f"{what}.{column}: {unknown} row(s) name no community "
                                     "of communities")


def _check_values(what: str, column: pa.ChunkedArray, allowed: tuple[str, ...]) -> None:
    unknown = set(pc.unique(column).to_pylist()) - set(allowed)
    if unknown:
        raise GraphArtifactError(f"{what}: unknown value(s) {', '.join(sorted(unknown))} "
                                 f"(allowed: {', '.join(allowed)})")


def _manifest(given: Mapping, version: str, tables: dict[str, pa.Table]) -> dict:
    """graph.json: the caller's facts about the build plus what the tables say."""
    unknown = sorted(set(given) - set(MANIFEST_KEYS))
    if unknown:
        raise GraphArtifactError(f"graph.json: unknown key(s) {', '.join(unknown)} "
                                 f"(keys: {', '.join(MANIFEST_KEYS)})")
    if not given.get("catalogue_version"):
        raise GraphArtifactError("graph.json: catalogue_version is required")
    for key, names in (("parameters", PARAMETERS), ("timings", TIMINGS)):
        missing = [n for n in names if n not in (given.get(key) or {})]
        if missing:
            raise GraphArtifactError(f"graph.json: {key} lacks {', '.join(missing)}")
    counts = dict(given.get("counts") or {})
    if "records" not in counts:
        raise GraphArtifactError("graph.json: counts.records (records in the catalogue) "
                                 "is required")
    kinds = pc.value_counts(tables["nodes"].column("kind")).to_pylist()
    derived = {"nodes": {kind: 0 for kind in KINDS} | {v["values"]: v["counts"] for v in kinds},
               "edges": tables["edges"].num_rows,
               "communities": tables["communities"].num_rows}
    for key, value in derived.items():
        if key in counts and counts[key] != value:
            raise GraphArtifactError(f"graph.json: counts.{key} is {counts[key]!r} but the "
                                     f"tables hold {value!r}")
    built_at = given.get("built_at") or dt.datetime.now(dt.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    return {"version": version, "format": FORMAT,
            "catalogue_version": given["catalogue_version"],
            "built_at": built_at, "parameters": dict(given["parameters"]),
            "counts": {"records": counts["records"], **derived},
            "timings": dict(given["timings"])}
