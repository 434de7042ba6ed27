"""Ingest benchmark: shelfmap's Spark job against a plain single-process pymarc loop.

Two baselines and shelfmap, side by side in one run: a plain pymarc loop that keeps a
dozen fields (what a librarian would write first), the same loop producing shelfmap's
canonical records with shelfmap's mapping functions, and the Spark job; at 25k, 100k and 250k records (prefixes of the real LoC "Books All" 2016
part 01 file) and at 1M (that file four times over, with the 003 of each copy changed
so the ids are distinct: replicated data, not real records). Each measurement runs in
its own process so peak memory is its own.

    bench/fetch-loc-full.sh                   # once: the 250,000-record file (242 MB)
    .venv/bin/python bench/ingest_bench.py [--sizes 25000,100000,250000,1000000]

Prints a table and writes bench/results/ingest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORK = Path(os.environ.get("SHELFMAP_BENCH_DIR", Path(tempfile.gettempdir()) / "shelfmap-bench"))


def full_file() -> Path:
    out = subprocess.run([str(ROOT / "bench" / "fetch-loc-full.sh")], check=True,
                         capture_output=True, text=True)
    return Path(out.stdout.strip().splitlines()[-1])


def prefix(source: Path, n: int) -> Path:
    """The first n records of ``source`` (byte-exact), cached."""
    target = WORK / f"loc-{n}.mrc"
    if target.exists():
        return target
    WORK.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(source, "rb") as f:
        data = f.read()
    position = 0
    while count < n:
        position = data.index(b"\x1d", position) + 1
        count += 1
    target.write_bytes(data[:position])
    return target


def replicated(source: Path, copies: int) -> Path:
    """``source`` repeated; copy k gets 003 'DL<k>' (same length, so the directory is
    unchanged) so every id is distinct. Synthetic in size only: the records are real."""
    target = WORK / f"loc-x{copies}.mrc"
    if target.exists():
        return target
    data = source.read_bytes()
    with open(target, "wb") as out:
        out.write(data)
        for k in range(1, copies):
            out.write(_retag_003(data, f"DL{k}".encode()))
    return target


def _retag_003(data: bytes, value: bytes) -> bytes:
    out = bytearray(data)
    position = 0
    while position < len(data):
        end = data.index(b"\x1d", position) + 1
        rec = data[position:end]
        try:
            base = int(rec[12:17])
            directory = rec[24:base - 1]
            for i in range(0, len(directory), 12):
                if directory[i:i + 3] == b"003":
                    length = int(directory[i + 3:i + 7])
                    start = int(directory[i + 7:i + 12])
                    if length - 1 == len(value):
                        at = position + base + start
                        out[at:at + len(value)] = value
                    break
        except ValueError:
            pass
        position = end
    return bytes(out)


# --- the baseline: what a librarian would write ------------------------------------------

def baseline(path: Path, out: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq
    import pymarc

    rows = []
    with open(path, "rb") as f:
        for rec in pymarc.MARCReader(f, to_unicode=True, force_utf8=True, permissive=True):
            if rec is None:
                continue
            f008 = rec.get("008").data if rec.get("008") else ""
            year = f008[7:11]
            rows.append({
                "id": ((rec.get("003").data if rec.get("003") else "") + ":" +
                       (rec.get("001").data.strip() if rec.get("001") else "")),
                "title": " ".join(rec.get("245").get_subfields("a", "b")) if rec.get("245") else None,
                "authors": [f.format_field() for f in rec.get_fields("100", "110", "700", "710")],
                "subjects": [" -- ".join(f.get_subfields("a", "x", "y", "z", "v"))
                             for f in rec.get_fields("600", "610", "650", "651")],
                "lcc": " ".join(rec.get("050").get_subfields("a", "b")) if rec.get("050") else None,
                "ddc": (rec.get("082").get_subfields("a") or [None])[0] if rec.get("082") else None,
                "year": int(year) if year.isdigit() else None,
                "language": f008[35:38] or None,
                "publisher": (rec.get("260").get_subfields("b") or [None])[0] if rec.get("260") else None,
                "place": (rec.get("260").get_subfields("a") or [None])[0] if rec.get("260") else None,
                "isbn": rec.get("020").get_subfields("a") if rec.get("020") else [],
                "summary": (rec.get("520").get_subfields("a") or [None])[0] if rec.get("520") else None,
            })
    pq.write_table(pa.Table.from_pylist(rows), out)
    return len(rows)


def baseline_same_records(path: Path, out: Path) -> int:
    """The same canonical records as shelfmap writes (its mapping functions), made by a
    single-process pymarc loop and written with pyarrow, holding every row."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    import pymarc

    from ingest import marc, quarantine, schema

    rows = []
    with open(path, "rb") as f:
        for rec in pymarc.MARCReader(f, to_unicode=True, force_utf8=True, permissive=True):
            if rec is None:
                continue
            try:
                rows.append(marc.to_canonical(rec))
            except quarantine.RecordError:
                continue
    pq.write_table(pa.Table.from_pylist(rows, schema=schema.RECORD), out)
    return len(rows)


def shelfmap(path: Path, home: Path) -> int:
    import settings as settings_module
    from ingest import catalogue_job

    settings = settings_module.load(environ={}, home=str(home))
    report = catalogue_job.run(settings, [str(path)])
    return report["written"]


# --- measuring -------------------------------------------------------------------------

def _java_children_peak_kb() -> int:
    """Peak resident memory (VmHWM) of this process's JVM children (the Spark driver)."""
    peak = 0
    me = str(os.getpid())
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == me and "java" in fields.get("Name", ""):
            peak = max(peak, int(fields.get("VmHWM", "0 kB").split()[0]))
    return peak


def _own_peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def measure(kind: str, path: str, out: str) -> dict:
    jvm_peak = [0]
    stop = threading.Event()

    def watch():
        while not stop.wait(0.5):
            jvm_peak[0] = max(jvm_peak[0], _java_children_peak_kb())

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.perf_counter()
    run = {"baseline": baseline, "baseline-same": baseline_same_records,
           "shelfmap": shelfmap}[kind]
    n = run(Path(path), Path(out))
    seconds = time.perf_counter() - started
    stop.set()
    watcher.join()
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the parent process.
    python_peak = _own_peak_kb()
    return {"kind": kind, "records": n, "seconds": round(seconds, 2),
            "records_per_s": round(n / seconds), "python_peak_mb": round(python_peak / 1024),
            "jvm_driver_peak_mb": round(jvm_peak[0] / 1024)}


def run_in_child(kind: str, path: Path, out: Path) -> dict:
    result = subprocess.run([sys.executable, __file__, "--child", kind, str(path), str(out)],
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="25000,100000,250000,1000000")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child)))
        return
    source = full_file()
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        path = (prefix(source, size) if size <= 250_000
                else replicated(source, size // 250_000))
        out_dir = Path(tempfile.mkdtemp(prefix="shelfmap-bench-", dir=WORK))
        base = run_in_child("baseline", path, out_dir / "baseline.parquet")
        same = run_in_child("baseline-same", path, out_dir / "same.parquet")
        ours = run_in_child("shelfmap", path, out_dir / "home")
        subprocess.run(["rm", "-rf", str(out_dir)], check=False)
        row = {"size": size, "baseline": base, "baseline_same_records": same, "shelfmap": ours,
               "ratio": round(ours["records_per_s"] / base["records_per_s"], 2),
               "ratio_same_records": round(ours["records_per_s"] / same["records_per_s"], 2)}
        rows.append(row)
        print(f"{size:>9,}  plain loop {base['records_per_s']:>6,}/s ({base['python_peak_mb']} MB)"
              f"  same-records loop {same['records_per_s']:>6,}/s ({same['python_peak_mb']} MB)"
              f"  shelfmap {ours['records_per_s']:>6,}/s (driver: python "
              f"{ours['python_peak_mb']} MB, JVM {ours['jvm_driver_peak_mb']} MB)"
              f"  ratios {row['ratio']} / {row['ratio_same_records']}", flush=True)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "ingest.json").write_text(json.dumps(
        {"machine": f"{os.cpu_count()} cores", "when": time.strftime("%Y-%m-%d"),
         "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
