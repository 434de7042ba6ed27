"""The ``shelfmap`` console script: parse arguments, load settings, call the jobs.

Errors a user can fix come out as one line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import settings as settings_module

SAMPLE = Path(__file__).resolve().parent / "data"
EXIT_USER_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shelfmap",
        description="Load a library catalogue into Elasticsearch and explore it as a map.")
    parser.add_argument("--home", help="folder for the catalogue, reports and the local "
                        "node (SHELFMAP_HOME)")
    parser.add_argument("--config", help="a TOML settings file (SHELFMAP_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser("demo", help="start everything on the bundled sample and serve the app")
    demo.add_argument("--port", type=int, help="port of the app (default 8050)")
    demo.add_argument("--full", action="store_true",
                      help="the full 250,000 LoC records instead of the bundled 10,000 "
                      "(fetched first, as `shelfmap fetch-loc` does, when not there yet)")

    fetch = sub.add_parser("fetch-loc", help="fetch the full 250,000 Library of Congress "
                           "records the sample comes from (242 MB, checked) and print the "
                           "file's path")
    fetch.add_argument("folder", nargs="?", type=Path,
                       help="where to put the file (default: HOME/samples/loc-books-2016)")

    es = sub.add_parser("es", help="the local Elasticsearch node")
    es.add_argument("action", choices=["start", "stop", "status"])

    ingest = sub.add_parser("ingest", help="read catalogue files into the catalogue")
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    ingest.add_argument("--format", choices=["auto", "marc", "marcxml", "marcjson", "csv",
                                             "jsonl"], default="auto",
                        help="input format; auto detects it from each file's content")
    ingest.add_argument("--full", action="store_true",
                        help="the input is a complete export of its sources: records of "
                        "those sources that it lacks are deleted")
    ingest.add_argument("--csv-preset", choices=["gutenberg"],
                        help="column mapping of a known CSV export (Project Gutenberg's "
                        "pg_catalog.csv)")
    ingest.add_argument("--csv-mapping", type=Path, metavar="FILE",
                        help='JSON column mapping, e.g. {"Title": "title", "Authors": '
                        '{"field": "authors", "split": "; "}}')
    ingest.add_argument("--source", default="local",
                        help="source code for records without an 003 (default: local)")
    ingest.add_argument("--report", type=Path, help="also write the JSON report here")
    ingest.add_argument("--no-index-update", action="store_true",
                        help="leave the search index alone (by default a small load is "
                        "applied to the live index at once; see `shelfmap index --update`)")
    ingest.add_argument("--spark-master", help="Spark master URL (SHELFMAP_SPARK_MASTER)")

    export = sub.add_parser("export", help="write the canonical catalogue out")
    export.add_argument("--format", choices=["jsonl", "csv", "parquet"], default="jsonl",
                        help="JSON Lines (default; exact, re-ingestable), Parquet (exact, "
                        "the catalogue's schema) or CSV (for spreadsheets: cells that would "
                        "run as formulas are neutralised)")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    export.add_argument("--raw", action="store_true",
                        help="CSV only: write cells exactly as catalogued. By default a "
                        "cell beginning with =, +, -, @, a tab or a carriage return gets a "
                        "leading apostrophe, because a spreadsheet opening the file would "
                        "run it as a formula; a raw export risks exactly that (a formula "
                        "can fetch URLs or run commands), so open it only with programs "
                        "that read CSV as data")

    index = sub.add_parser("index", help="build a new index version and swap the alias")
    how = index.add_mutually_exclusive_group()
    how.add_argument("--rollback", action="store_true",
                     help="point the alias back at the previous version instead")
    how.add_argument("--update", action="store_true",
                     help="apply the catalogue's change sets to the live index in place "
                     "(no new version) instead of building one")
    index.add_argument("--to", metavar="VERSION",
                       help="with --update: apply only the change set of this catalogue "
                       "version (refused unless the index reflects its base version)")
    index.add_argument("--spark-master", help="Spark master URL (SHELFMAP_SPARK_MASTER)")

    graph = sub.add_parser("graph", help="build the topic graph from the catalogue")
    graph.add_argument("--spark-master", help="Spark master URL (SHELFMAP_SPARK_MASTER)")

    serve = sub.add_parser("serve", help="serve the app")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8050)")

    sub.add_parser("status", help="Elasticsearch, the index and the last ingest")
    return parser


def _settings(args) -> settings_module.Settings:
    overrides = {"home": args.home, "config": args.config}
    for name in ("spark_master", "host", "port"):
        if getattr(args, name, None) is not None:
            overrides[name] = getattr(args, name)
    return settings_module.load(**overrides)


def cmd_es(settings, args) -> int:
    from index import local_node

    return local_node.cli(settings, args.action)


def _loc_folder(settings) -> Path:
    return settings.home_path / "samples" / "loc-books-2016"


def cmd_fetch_loc(settings, args) -> int:
    from ingest import loc_books

    folder = args.folder or _loc_folder(settings)
    if not loc_books.fetched(folder):
        print(f"fetching {loc_books.RECORDS:,} LoC records ({loc_books.REQUIREMENT}'s source "
              f"distribution, 76 MB) into {folder} ...", file=sys.stderr, flush=True)
    path = loc_books.fetch(folder)
    print(f"{path}: {loc_books.RECORDS:,} records, sha256 checked; load them with "
          f"`shelfmap ingest {path}`, then `shelfmap graph` and `shelfmap index`",
          file=sys.stderr)
    print(path)
    return 0


def cmd_ingest(settings, args) -> int:
    from ingest import catalogue_job, report

    options = {}
    if args.csv_preset:
        options["csv_preset"] = args.csv_preset
    if args.csv_mapping:
        try:
            options["csv_mapping"] = json.loads(args.csv_mapping.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise catalogue_job.IngestError(f"--csv-mapping {args.csv_mapping}: {exc}") from None
    result = catalogue_job.run(settings, args.paths, fmt=args.format,
                               default_source=args.source, full=args.full,
                               options=options, progress=True)
    print(report.summary(result))
    if not args.no_index_update:
        from index import updates

        update = updates.after_ingest(settings)
        result["index_update"] = {k: update[k] for k in
                                  ("action", "message", "index", "from", "to", "report")
                                  if k in update}
        print(f"search: {update['message']}")
        report.save(result, settings.reports_dir)
    if args.report:
        report.write(result, args.report)
    return 0


def cmd_export(settings, args) -> int:
    from ingest import catalogue, export

    if args.raw and args.format == "csv":
        print("warning: --raw: cells beginning with =, +, -, @, tab or carriage return are "
              "written as they are; a spreadsheet opening this file runs them as formulas",
              file=sys.stderr)
    n = export.export(catalogue.current_path(settings.catalogue_dir), args.format, args.out,
                      raw=args.raw)
    if args.out:
        print(f"wrote {n:,} records to {args.out}", file=sys.stderr)
    return 0


def cmd_index(settings, args) -> int:
    from index import build_job

    if args.to and not args.update:
        raise ValueError("--to VERSION goes with --update")
    if args.rollback:
        before, after = build_job.rollback(settings)
        print(f"alias {settings.index}: {before} -> {after}")
        return 0
    if args.update:
        from index import updates

        done = updates.apply(settings, version=args.to)
        if done["status"] == "up to date":
            print(f"{done['index']} already reflects catalogue version {done['to']}")
        else:
            print(f"{done['index']} updated in place from catalogue {done['from']} to "
                  f"{done['to']}: {done['ok']:,} written, {done['not_found']:,} deletes of "
                  f"absent ids, {done['indexed']:,} documents in {done['seconds']} s")
        return 0
    result = build_job.build(settings)
    phases = ", ".join(f"{k} {v}" for k, v in result["seconds_by_phase"].items())
    print(f"alias {result['alias']} -> {result['index']}: {result['documents']:,} documents "
          f"in {result['seconds']} s ({phases}; previous: {result['previous'] or 'none'}"
          f"{', deleted: ' + ', '.join(result['pruned']) if result['pruned'] else ''})")
    if result["adopted"]:
        print(f"{result['adopted']} predates completeness markers; as the live index it "
              "was marked complete with the documents it holds")
    if result["removed_incomplete"]:
        left = ", ".join(f"{gone['index']} ({gone['documents']:,} documents)"
                         for gone in result["removed_incomplete"])
        print(f"removed incomplete versions left by failed or killed builds: {left}")
    return 0


def cmd_graph(settings, args) -> int:
    from viz.graph import build as graph_build

    def step(name: str) -> None:
        print(f"graph: {name}...", flush=True)

    built = graph_build.build(settings, progress=step)
    counts, timings = built["counts"], built["timings"]
    kinds = ", ".join(f"{n:,} {kind}" for kind, n in counts["nodes"].items())
    print(f"graph {built['version']} from catalogue {built['catalogue_version']}: "
          f"{sum(counts['nodes'].values()):,} nodes ({kinds}), {counts['edges']:,} links, "
          f"{counts['communities']:,} communities from {counts['records']:,} records in "
          f"{timings['total']:.1f} s (counting {timings['counting']:.1f}, pruning "
          f"{timings['pruning']:.1f}, communities {timings['communities']:.1f}, layout "
          f"{timings['layout']:.1f}, regions {timings['regions']:.1f}, records "
          f"{timings['records']:.1f})")
    return 0


def cmd_serve(settings, args) -> int:
    import app

    app.check_port(settings.host, settings.port)   # before saying where it serves
    print(f"shelfmap at http://{settings.host}:{settings.port}  (Ctrl-C stops)")
    app.serve(settings, settings.host, settings.port)
    return 0


def cmd_status(settings, args) -> int:
    from index.client import endpoint
    from index.client import connect
    from index.search import health

    print(f"home:          {settings.home}")
    print(f"elasticsearch: {endpoint(settings)}")
    es = connect(settings, timeout=5, retries=0)
    state = health(es, settings.index)
    print(f"alias:         {settings.index} -> {state.get('index') or 'none'} "
          f"({state.get('records') or 0:,} records, {state['status']})")
    if state["status"] == "ok":
        from index import versions
        from ingest import catalogue

        live = versions.meta(es, state["index"])
        indexed = live.get("catalogue_version") or "unknown"
        latest = catalogue.current_version(settings.catalogue_dir) or "none"
        behind = "" if indexed == latest else "  (behind: run `shelfmap index --update`)"
        print(f"index reflects catalogue {indexed}; catalogue is at {latest}{behind}")
        print(_korean_line(es, live))
    for line in _index_versions(settings, es):
        print(line)
    from ingest import catalogue, lock, recovery
    from viz.graph import artifacts as graph_artifacts

    # Versions on disk and what interrupted runs left (found, never touched, here).
    current = catalogue.current_version(settings.catalogue_dir)
    if current is None:
        print("catalogue:     none (run `shelfmap ingest PATH...`)")
    else:
        manifest = catalogue.read_manifest(settings.catalogue_dir / current) or {}
        complete = [v for v in catalogue.version_names(settings.catalogue_dir)
                    if catalogue.is_complete(settings.catalogue_dir / v)]
        records = (f"{manifest['records']:,} records" if "records" in manifest
                   else "not marked complete")
        print(f"catalogue:     {current} ({records}; complete versions: "
              f"{', '.join(complete) or 'none'})")
    for line in recovery.describe(settings, "catalogue", recovery.catalogue_findings(settings),
                                  lock.running(settings.home_path / lock.INGEST)):
        print(line)

    # From graph.json alone: status never reads the graph's tables.
    graph = graph_artifacts.current_version(settings.graph_dir)
    if graph is None:
        print("graph:         none (run `shelfmap graph`)")
    else:
        try:
            counts = graph_artifacts.read_manifest(settings.graph_dir, graph)["counts"]
            nodes = counts["nodes"]
            kinds = ", ".join(f"{n:,} {kind}" for kind, n in nodes.items() if n)
            print(f"graph:         {graph} ({sum(nodes.values()):,} nodes: {kinds}; "
                  f"{counts['edges']:,} edges)")
        except (OSError, ValueError, KeyError) as exc:
            print(f"graph:         {graph} (graph.json unreadable: {exc!r})")
    for line in recovery.describe(settings, "graph", graph_artifacts.leftovers(settings.graph_dir),
                                  lock.running(settings.home_path / lock.GRAPH)):
        print(line)
    last = settings.reports_dir / "last-ingest.json"
    if last.exists():
        from ingest import report

        print("last ingest:\n" + report.summary(json.loads(last.read_text(encoding="utf-8"))))
    else:
        print("last ingest:   none")
    return 0 if state["status"] == "ok" else 1


def _korean_line(es, live: dict) -> str:
    """What Korean text gets from the live index, and whether the cluster offers more."""
    from index import analysis

    built = live.get("korean") or "not recorded (built before shelfmap recorded it)"
    line = f"korean:        {built}"
    offered = analysis.choose(analysis.detect(es))["korean"]
    if offered != live.get("korean"):
        line += f"\n               the cluster now offers {offered}: run `shelfmap index` to use it"
    return line


def _index_versions(settings, es) -> list[str]:
    """``shelfmap status``'s lines on the alias's versions: where a rollback would go,
    and each incomplete version (a build running now, or what a killed or failed one
    left, which the next `shelfmap index` removes). None when the cluster is away."""
    from elasticsearch import ApiError, TransportError

    from index import build_lock, versions

    try:
        live = versions.current(es, settings.index)
        found = versions.inventory(es, settings.index)
    except (ApiError, TransportError):
        return []
    lines = []
    if live is not None:
        if not any(v.complete for v in found if v.name == live):
            lines.append(f"               {live} predates completeness markers; the next "
                         "`shelfmap index` marks it complete with the documents it holds")
        target = versions.rollback_target(found, live)
        lines.append(f"rollback to:   {target.name} ({target.documents:,} documents)"
                     if target else
                     "rollback to:   none (no complete version older than the live one)")
    running = build_lock.holder(build_lock.path_for(settings.home_path)) or {}
    for version in versions.leftovers(found, live):
        if version.name == running.get("index"):
            written = es.indices.stats(index=version.name, metric="indexing")[
                "_all"]["primaries"]["indexing"]["index_total"]
            lines.append(f"being built:   {version.name} ({written:,} documents written so "
                         f"far; {build_lock.describe(running)})")
            continue
        documents = es.count(index=version.name)["count"]
        why = ("left by a failed build" if version.meta.get("state")
               else "predates completeness markers")
        lines.append(f"incomplete:    {version.name} ({documents:,} documents; {why}; the "
                     "next `shelfmap index` removes it)")
    return lines


def cmd_demo(settings, args) -> int:
    import app
    from index import build_job, local_node
    from ingest import catalogue_job, report
    from viz.graph import build as graph_build

    if args.full:
        from ingest import loc_books

        print(f"the full LoC file in {_loc_folder(settings)} (fetched when missing)",
              flush=True)
        source = loc_books.fetch(_loc_folder(settings))
    elif not SAMPLE.is_dir():
        raise FileNotFoundError(f"the bundled sample folder {SAMPLE} is missing")
    else:
        source = SAMPLE
    with local_node.running(settings) as url:
        print(f"Elasticsearch at {url}")
        from ingest.spark import session

        spark = session(settings, "shelfmap demo")
        try:
            result = catalogue_job.run(settings, [str(source)], spark=spark,
                                       progress=args.full)
            print(report.summary(result))
            built = build_job.build(settings, spark=spark)
            print(f"indexed {built['documents']:,} records into {built['index']}")
            graph = graph_build.build(settings, spark=spark)
            print(f"topic graph {graph['version']}: {sum(graph['counts']['nodes'].values()):,} "
                  f"nodes, {graph['counts']['edges']:,} links")
        finally:
            spark.stop()
        print(f"shelfmap demo at http://{settings.host}:{settings.port}  (Ctrl-C stops "
              "everything)")
        app.serve(settings, settings.host, settings.port)
    return 0


COMMANDS = {"demo": cmd_demo, "es": cmd_es, "fetch-loc": cmd_fetch_loc,
            "ingest": cmd_ingest, "export": cmd_export,
            "index": cmd_index, "graph": cmd_graph,
            "serve": cmd_serve, "status": cmd_status}


def _user_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "fix your input or setup", shown as one line."""
    from elasticsearch import ConnectionError as ESConnectionError

    from index.build_job import IndexBuildError
    from index.build_lock import BuildRunning
    from index.local_node import LocalNodeError
    from index.updates import UpdateError
    from index.versions import IncompleteVersion, NoPreviousVersion, RollbackRefused
    from ingest.catalogue import NoCatalogue
    from ingest.catalogue_job import IngestError
    from ingest.loc_books import FetchError

    return (settings_module.SettingsError, IngestError, NoCatalogue, LocalNodeError,
            IndexBuildError, BuildRunning, NoPreviousVersion, RollbackRefused,
            IncompleteVersion, UpdateError, ESConnectionError, FetchError,
            FileNotFoundError, ValueError)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(name)s: %(message)s",
                        datefmt="%H:%M:%S")
    # The handler filters by level too: the client transport's warnings, lowered to DEBUG
    # after their logger let them through, are shown only with -v.
    for handler in logging.getLogger().handlers:
        handler.setLevel(level)
    for noisy in ("py4j", "elastic_transport", "werkzeug", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    from elasticsearch import ApiError, TransportError

    from index.client import transport_warnings_as_debug

    transport_warnings_as_debug()

    settings = None
    try:
        settings = _settings(args)
        return COMMANDS[args.command](settings, args)
    except (ApiError, TransportError) as exc:
        # Said by index.client, which names the URL and the failure, never credentials
        # (the client's own messages can carry request details).
        from index.client import describe_error

        if args.verbose:
            logging.exception("failed")
        print(f"error: {describe_error(settings, exc)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output (e.g. `| head`) went away: not an error of ours.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except _user_errors() as exc:
        if args.verbose:
            logging.exception("failed")
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR


if __name__ == "__main__":
    sys.exit(main())
