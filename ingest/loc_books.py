"""The full Library of Congress "Books All" 2016 part 01: 250,000 real MARC21 records.

The demo's sample (data/mixed-10000.mrc) is a selection of this file. The file itself
(242 MB, UTF-8) ships inside the pymarc 5.4.0 source distribution, so the one network
access needed is the Python package installer the user already has: ``pip download``
of that exact version, as source (``--no-binary :all:``; the wheel does not carry the
file). Both the distribution and the file are checked against their SHA-256 before the
file is put in place, and it is put in place with one rename, so a file of that name is
always the whole, checked file. ``shelfmap fetch-loc`` calls :func:`fetch`.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REQUIREMENT = "pymarc==5.4.0"
SDIST = "pymarc-5.4.0.tar.gz"
SDIST_SHA256 = "b2016b1674d1956636c99b9bf95b31840c5cb8f22645672a660e66326371b2f3"
MEMBER = "pymarc-5.4.0/BooksAll.2016.part01.utf8"
FILE_NAME = "BooksAll.2016.part01.utf8.mrc"
FILE_SHA256 = "dfdcdad30e0e0a82b0aec831c1a08b61c6199eb8ee0d71ff7953213f20eb0e47"
RECORDS = 250_000
_CHUNK = 1 << 20


class FetchError(RuntimeError):
    """The records could not be fetched or did not check out; nothing was put in place."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def target(folder: Path) -> Path:
    """Where :func:`fetch` puts the file in ``folder``."""
    return Path(folder) / FILE_NAME


def fetched(folder: Path) -> bool:
    """Whether ``folder`` already holds the whole, checked file."""
    path = target(folder)
    return path.is_file() and sha256(path) == FILE_SHA256


def _download(into: Path, python: str) -> Path:
    # pip's own progress goes to stderr; stdout stays for the path the command prints.
    done = subprocess.run([python, "-m", "pip", "download", "--no-deps", "--no-binary",
                           ":all:", "--progress-bar", "on", REQUIREMENT, "-d", str(into)],
                          stdout=sys.stderr, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise FetchError(f"pip download {REQUIREMENT} failed ({last}); check the network "
                         "or pip's index settings, then run the command again")
    sdist = into / SDIST
    if not sdist.is_file():
        raise FetchError(f"pip download {REQUIREMENT} did not leave {SDIST} in {into}")
    return sdist


def _extract(sdist: Path, out: Path) -> str:
    """Copy the file out of the distribution, hashing as it goes; its SHA-256."""
    digest = hashlib.sha256()
    with tarfile.open(sdist, "r:gz") as tar:
        try:
            src = tar.extractfile(MEMBER)
        except KeyError:
            src = None
        if src is None:
            raise FetchError(f"{SDIST} holds no {MEMBER}")
        with src, open(out, "wb") as dst:
            for block in iter(lambda: src.read(_CHUNK), b""):
                digest.update(block)
                dst.write(block)
    return digest.hexdigest()


def fetch(folder: Path, python: str = sys.executable) -> Path:
    """The path of the checked file in ``folder``, fetched first when it is not there."""
    folder = Path(folder)
    path = target(folder)
    if fetched(folder):
        return path
    folder.mkdir(parents=True, exist_ok=True)
    # Worked on beside the target, so the final rename stays on one file system.
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=folder) as tmp:
        sdist = _download(Path(tmp), python)
        if (got := sha256(sdist)) != SDIST_SHA256:
            raise FetchError(f"{SDIST} has sha256 {got}, not {SDIST_SHA256}: not the "
                             "published distribution; nothing was kept")
        part = Path(tmp) / (FILE_NAME + ".part")
        if (got := _extract(sdist, part)) != FILE_SHA256:
            raise FetchError(f"{MEMBER} has sha256 {got}, not {FILE_SHA256}; nothing was "
                             "kept")
        os.replace(part, path)
    return path
