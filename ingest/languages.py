"""Language codes as MARC writes them (ISO 639-2/B) and their English names.

MARC 008/35-37 holds a bibliographic ISO 639-2 code ("kor", "chi"); CSV exports give
ISO 639-1 ("en"); other sources may give the terminology form ("zho", "deu"). All become
the bibliographic code. The table is ``ingest/data/languages.json`` (see
``ingest/data/PROVENANCE.md``), read once per process on first use.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, str]]:
    text = resources.files("ingest").joinpath("data", "languages.json").read_text(
        encoding="utf-8")
    return json.loads(text)


def code(value: str | None) -> str | None:
    """The ISO 639-2/B code, lowercased; unknown codes are kept as they are.

    >>> code("en"), code("KOR"), code("zho"), code("|||")
    ('eng', 'kor', 'chi', None)

    Blanks and MARC fill characters ("|||") are None.
    """
    if not value:
        return None
    value = value.strip().lower()
    if not (value.isascii() and value.isalpha() and len(value) in (2, 3)):
        return None
    table = _table()
    if len(value) == 2:
        return table["alpha2"].get(value, value)
    return table["terminology"].get(value, value)


def name(value: str | None) -> str | None:
    """The English name of a language code ("kor" -> "Korean"), None when unknown."""
    normalised = code(value)
    return _table()["names"].get(normalised) if normalised else None
