"""The Korean Decimal Classification (KDC), as Korean libraries write it in KORMARC.

A Korean library puts its KDC number in 056 ($a "911.05", $2 the edition: "6") and its
call number in 090 ($a the class number, $b the book number, $c a volume or copy:
"911.05 이63ㅎ"). A KDC number is three digits, then decimals: the first digit is the
main class (9: 역사, History), the first two the division (91-: 아시아, Asia). The
captions are bundled in ``ingest/data/kdc.json`` (see ``ingest/data/PROVENANCE.md``),
in Korean and English, read once per process on first use.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from ingest.callnumbers import clean_marks, decimal_class  # Dewey's shape

LANGUAGES = ("ko", "en")


@lru_cache(maxsize=1)
def _captions() -> dict[str, dict[str, str]]:
    text = resources.files("ingest").joinpath("data", "kdc.json").read_text(encoding="utf-8")
    return json.loads(text)["captions"]


def clean(value: str | None) -> str | None:
    """A KDC number as a shelf reads it: "911.05'2" -> "911.052"; None when it is not one.

    >>> clean("911.05")
    '911.05'
    >>> clean("9110") is None
    True
    """
    if not value:
        return None
    found = decimal_class(clean_marks(value))
    return found[0] if found else None


def division(kdc: str | None) -> str | None:
    """The division (강목) a KDC number stands in: "911.05" -> "910"."""
    number = clean(kdc)
    return number[:2] + "0" if number else None


def caption(code: str | None, language: str = "en") -> str | None:
    """The caption of a division (or of its main class when the division has none).

    >>> caption("910", "ko")
    '아시아'
    >>> caption("320")
    'Economics'
    """
    if not code or language not in LANGUAGES:
        return None
    captions = _captions()
    for key in (code, code[:1] + "00"):
        if key in captions:
            return captions[key][language]
    return None


def main_class(code: str | None) -> str | None:
    """The main class (주류) of a division or number: "910" -> "900"."""
    number = clean(code)
    return number[:1] + "00" if number else None
