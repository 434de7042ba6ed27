"""Call numbers as shelf keys: strings that sort as the books stand on the shelf.

A shelf key is built from the record's LC call number, else its Korean Decimal
Classification (as a Korean library's call number writes it), else its Dewey number,
and compares with plain string (byte) order, which is how Elasticsearch sorts a keyword:

``lcc QA 0076.73 P98 B43 002010``   from "QA76.73.P98 B43 2010"
``kdc 911.05 이 000063 ㅎ``          from KORMARC 090 "911.05 이63ㅎ"
``ddc 891.73``                        from Dewey "891.7/3"

The rules, as a shelf files them:

* one shelf per scheme: the key starts with "lcc", "kdc" or "ddc", so they never mix
  and a record's neighbours are always of its own scheme;
* LC class letters alphabetically, a shorter run first ("Q" before "QA");
* the class number numerically: its whole part zero-padded, its decimals as a
  decimal fraction ("DS935" < "DS935.05" < "DS935.5" < "DS936");
* then each cutter as a decimal fraction after its letter (".P899" before ".P9",
  because .899 < .9), then the rest (years, volume numbers, work letters) part by
  part, numbers as whole numbers and before words;
* nothing before something: "DS935.5" stands before "DS935.5 .K56".

Every part is separated by a space, which sorts below every digit and letter, and the
decimal part of a class number is joined with ".", which sorts below the digits but
above the space: so string order is exactly the part-by-part order above.
Records with neither an LC call number nor a Dewey number have no key; so have LC's
shelving numbers that are not classification ("MLCS 92/08321", "CPB Box no. 1955 vol.
12", "Microfiche 2002/63817 (R)", "CLC Ser DS894.39.Y34f nos. 1-2": a separate
collection's shelf, not the classified one) and Dewey's "[E]" and "[Fic]".
"""

from __future__ import annotations

import re

# Class letters (I, O, W, X, Y do not begin an LC class) then 1-4 digits of class
# number (the schedules run to 9999) and its decimals. "LAW" (LC 01024935) has no
# number and fails, as do "UNCLASSIFIED 1706 (C)" and "Collection Level Cataloging".
_LCC = re.compile(r"([A-HJ-NP-VZ][A-Z]{0,2}) ?(\d{1,4})(?:\.(\d+))?(?![\d])")
# Dewey: three digits and decimals, "/" segmentation marks already dropped by
# ingest.normalize.clean_ddc ("891.7/3" -> "891.73"). LC adds " s" for a series'
# number ("510 s", "553.7/0973 s"): kept as the rest.
_DDC = re.compile(r"(\d{3})(?:\.(\d+))?(?![\d])")
# The parts after the class number: a cutter (one capital and digits: "P98", ".K56",
# "B43"), a number, a word. Work letters after a cutter stay a word of their own
# ("Y34f" -> "Y34", "F"), so that .Y34f stands after .Y34 and before .Y345.
_PART = re.compile(r"([A-Z])(\d+)|(\d+)|([^\W\d_]+)")
# Numbers in the rest (years, "no. 698", "v. 12") are compared as whole numbers.
_NUMBER_WIDTH = 6


def _rest(text: str) -> list[str]:
    parts: list[str] = []
    for letter, digits, number, word in _PART.findall(text):
        if letter:
            parts.append(letter + digits)
        elif number:
            parts.append(number.zfill(_NUMBER_WIDTH))
        else:
            parts.append(word.upper())
    return parts


def lcc_key(lcc: str | None) -> str | None:
    """The shelf key of an LC call number, or None when it is not one.

    >>> lcc_key("QA76.73.P98 B43 2010")
    'lcc QA 0076.73 P98 B43 002010'
    >>> lcc_key("PZ7. M335855 2001")
    'lcc PZ 0007 M335855 002001'
    >>> lcc_key("MLCS 92/08321") is None
    True
    """
    if not lcc:
        return None
    text = lcc.strip()
    # LC's MLC numbers shelve minimal-level records by accession, not by subject
    # (050 $a "MLCS 92/08321", "MLCM 2004/01234 (P)"); "MLC" would parse as a class.
    if text.startswith("MLC"):
        return None
    match = _LCC.match(text)
    if not match:
        return None
    letters, whole, decimals = match.groups()
    number = whole.zfill(4) + (f".{decimals}" if decimals else "")
    return " ".join(["lcc", letters, number, *_rest(text[match.end():])])


def decimal_class(text: str) -> tuple[str, int] | None:
    """A decimal class number (Dewey's or KDC's) at the start of ``text``: its three
    digits and decimals, primes and slashes (segmentation marks) dropped, and where in
    ``text`` (so cleaned) the rest begins; None when ``text`` does not start with one."""
    match = _DDC.match(text)
    if not match:
        return None
    whole, decimals = match.groups()
    return whole + (f".{decimals}" if decimals else ""), match.end()


def clean_marks(text: str) -> str:
    """A class number without its segmentation marks (slashes, primes)."""
    return text.replace("/", "").replace("'", "").strip()


def _decimal_key(scheme: str, value: str | None) -> str | None:
    """The shelf key on ``scheme``'s shelf of a decimal class number and its rest."""
    if not value:
        return None
    text = clean_marks(value)
    found = decimal_class(text)
    if found is None:
        return None
    number, end = found
    return " ".join([scheme, number, *_rest(text[end:])])


def ddc_key(ddc: str | None) -> str | None:
    """The shelf key of a Dewey number, or None when it is not one.

    >>> ddc_key("951.9/04")
    'ddc 951.904'
    >>> ddc_key("[Fic]") is None
    True
    """
    return _decimal_key("ddc", ddc)


def kdc_key(number: str | None) -> str | None:
    """The shelf key of a KDC call number (or bare KDC number), or None.

    The book number after the class is a Korean author mark: a Hangul syllable, digits,
    a letter of the title ("이63ㅎ"); its parts sort as the rest of an LC call number's,
    Hangul in 가나다 order (their code points).

    >>> kdc_key("911.05 이63ㅎ")
    'kdc 911.05 이 000063 ㅎ'
    >>> kdc_key("LAW") is None
    True
    """
    return _decimal_key("kdc", number)  # the same shape as Dewey's


def shelf_key(lcc: str | None, ddc: str | None, kdc: str | None = None,
              call_number: str | None = None) -> str | None:
    """The record's shelf key: from its LC call number; else from its KDC number, as
    its library's call number writes it when that is a KDC one (090, "911.05 이63ㅎ");
    else from its Dewey number."""
    key = lcc_key(lcc)
    if key is None and kdc:
        local = kdc_key(call_number)
        key = local if local and local.split(" ")[1][:3] == kdc[:3] else kdc_key(kdc)
    return key or ddc_key(ddc)


def record_shelf_key(record: dict) -> str | None:
    """:func:`shelf_key` of a canonical record."""
    return shelf_key(record.get("lcc"), record.get("ddc"), record.get("kdc"),
                     record.get("call_number"))


def scheme(key: str) -> str:
    """The shelf a key stands on ("lcc", "kdc" or "ddc")."""
    return key.split(" ", 1)[0]
