#!/usr/bin/env bash
# Brings the full Library of Congress "Books All" 2016 part 01 file: 250,000 real MARC21
# records (UTF-8, 242 MB). It ships inside the pymarc 5.4.0 source distribution on PyPI,
# so pip is the only network access needed. Usage: fetch-full.sh [DEST_DIR]
# Prints the path of the .mrc file. Re-running with the file in place does nothing.
# (Copied from the shared data set's loc-books-2016/fetch-full.sh; the records are LC open data.)
set -euo pipefail
dest=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/shelfmap/loc-books-2016}
file=$dest/BooksAll.2016.part01.utf8.mrc
want=dfdcdad30e0e0a82b0aec831c1a08b61c6199eb8ee0d71ff7953213f20eb0e47
if [[ -f $file ]] && echo "$want  $file" | sha256sum -c --quiet - 2>/dev/null; then
  echo "$file"; exit 0
fi
mkdir -p "$dest"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --no-binary :all: pymarc==5.4.0 -d "$tmp" >&2
tar -xzf "$tmp"/pymarc-5.4.0.tar.gz -C "$tmp" pymarc-5.4.0/BooksAll.2016.part01.utf8
echo "$want  $tmp/pymarc-5.4.0/BooksAll.2016.part01.utf8" | sha256sum -c --quiet -
mv "$tmp"/pymarc-5.4.0/BooksAll.2016.part01.utf8 "$file"
echo "$file"
