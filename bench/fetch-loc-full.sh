#!/usr/bin/env bash
# The full Library of Congress "Books All" 2016 part 01 file (250,000 records, 242 MB)
# for the benchmarks: `shelfmap fetch-loc` (ingest/loc_books.py: pip brings the pymarc
# 5.4.0 source distribution that carries it; both are sha256-checked) into a cache
# folder kept across checkouts and homes. Usage: fetch-loc-full.sh [DEST_DIR]
# Prints the path of the .mrc file. Re-running with the file in place only checks it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exec "$root/.venv/bin/shelfmap" fetch-loc "${1:-${XDG_CACHE_HOME:-$HOME/.cache}/shelfmap/loc-books-2016}"
