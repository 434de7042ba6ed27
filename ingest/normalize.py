"""Small pure helpers that clean MARC text: ISBD punctuation, years, ISBNs, folding.

Each rule cites the real record it was written for (files under tests/data/).
"""

from __future__ import annotations

import datetime
import re
import unicodedata

# ISBD punctuation that ends a subfield because the *next* element starts there:
# "Chisik kyŏngyŏng kwa Hanʼguk ŭi mirae :" (245 $a of LC 00272142), "... palpʻyojip /"
# (245 $b, before $c), "Moska," (260 $a of traject 880_with_no_6), "SSSR;" (its 245 $a).
_TRAILING_ISBD = re.compile(r"[\s]*[/:;=,]+$")

# Words whose final period belongs to them: "Kolosova, E. V." keeps "V." (an initial),
# "IMS America Ltd." (traject date_resort_to_260, 710) keeps "Ltd.".
_ABBREVIATIONS = frozenset("""
    inc ltd co corp bros jr sr dept univ assn assoc acad inst govt natl intl
    st ste mt ft esq dr mr mrs ms prof rev hon gen col capt lt sgt ed eds comp
    etc al ca fl cent pt pts vol vols ser div bur
    ariz ark calif colo conn fla ga kan ky md mass mich minn mont neb nev okla pa
    tenn tex va vt wis wyo
""".split())
# ("Philadelphia, Pa.," in 260 $a of LC 00001391; US state abbreviations that are not
# also common English words.)


def nfc(text: str | None) -> str | None:
    """Unicode NFC. LC writes diacritics decomposed ("o" + U+0306 in "kyŏngyŏng")."""
    return unicodedata.normalize("NFC", text) if text is not None else None


def _keeps_period(text: str) -> bool:
    """Whether a final "." is part of the last word (initial, abbreviation, ellipsis)."""
    if text.endswith(".."):
        # "...in search of sport and gems and gold..." (mixed-1000, LC 00001391)
        return True
    word = re.split(r"[\s(\[]", text[:-1])[-1]
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True                      # an initial: "Gatewood, Willard B."
    if "." in word and word.replace(".", "").isalpha():
        return True                      # "U.S.", "D.C.", "Ph.D."
    return word.lower() in _ABBREVIATIONS


def trim_isbd(text: str | None) -> str | None:
    """Trim the ISBD punctuation that ends a MARC subfield; ``None`` if nothing is left.

    >>> trim_isbd("Knowledge management.")
    'Knowledge management'
    >>> trim_isbd("Gatewood, Willard B.")
    'Gatewood, Willard B.'
    """
    if text is None:
        return None
    out = text.strip()
    while True:
        before = out
        out = _TRAILING_ISBD.sub("", out).rstrip()
        if out.endswith(".") and not _keeps_period(out):
            out = out[:-1].rstrip()
        if out == before:
            break
    return out or None


# Placeholders for "unknown": "[S.l.]" (sine loco), "[s.n.]" (sine nomine), RDA's
# "[publisher not identified]".
_UNKNOWN = frozenset({"s.l", "s.l.", "s.n", "s.n.", "sl", "sn", "publisher not identified",
                      "place of publication not identified", "n.p", "n.p."})


def trim_brackets(text: str | None) -> str | None:
    """Trim ISBD punctuation and cataloguer's brackets: "[Sŏul] :" -> "Sŏul".

    Brackets mark a supplied value; the value is still the place or publisher.
    """
    text = trim_isbd(text)
    if text is None:
        return None
    if text.startswith("[") and text.endswith("]") and text.count("[") == 1:
        text = text[1:-1]
    elif text.startswith("[") and "]" not in text:
        text = text[1:]                  # "[Washington, D.C." split by a subfield
    elif text.endswith("]") and "[" not in text:
        text = text[:-1]
    text = trim_isbd(text)
    if text is None or text.lower() in _UNKNOWN:
        return None
    return text


def plausible_year(year: int, now_year: int | None = None) -> bool:
    now_year = now_year or datetime.date.today().year
    return 0 < year <= now_year + 5


def parse_year_008(field_008: str | None, now_year: int | None = None) -> int | None:
    """Date 1 of the 008 (positions 07-10) when it is four digits and plausible.

    traject date_with_u.marc has "184u" and date_resort_to_264.marc "20uu": those are
    decades or centuries, not years, so they give ``None`` (never 184 or 20).
    """
    if not field_008 or len(field_008) < 11:
        return None
    text = field_008[7:11]
    if not (text.isascii() and text.isdigit()):
        return None
    year = int(text)
    return year if plausible_year(year, now_year) else None


_YEAR_IN_TEXT = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def year_from_text(text: str | None, now_year: int | None = None) -> int | None:
    """The first plausible four-digit year in a 260/264 $c: "c2005." -> 2005.

    "1962 [i.e. 1963]-<80 >" (traject 880_with_no_6) -> 1962; "[199-?]" -> None.
    """
    for match in _YEAR_IN_TEXT.finditer(text or ""):
        year = int(match.group(1))
        if plausible_year(year, now_year):
            return year
    return None


def parse_language_008(field_008: str | None) -> str | None:
    """Language code at 008/35-37, lowercased; ``None`` for blanks and "|||"."""
    if not field_008 or len(field_008) < 38:
        return None
    code = field_008[35:38]
    if code.isascii() and code.isalpha():
        return code.lower()
    return None


def clean_isbn(text: str | None) -> str | None:
    """The ISBN alone, digits and X: "0471383147 (paper/cd-rom : alk. paper)" -> "0471383147".

    Only the first token counts, so a qualifier's digits ("(v. 2)") never join the ISBN.
    Hyphenated forms ("0-8108-3416-0") are accepted. Anything not 10 or 13 long is None.
    """
    if not text:
        return None
    token = re.split(r"[\s(:;]", text.strip(), maxsplit=1)[0]
    isbn = "".join(ch for ch in token.upper() if ch.isdigit() or ch == "X")
    if len(isbn) not in (10, 13) or "X" in isbn[:-1]:
        return None
    return isbn


def clean_ddc(text: str | None) -> str | None:
    """Dewey number without "/" segmentation marks: "973/.0496073" -> "973.0496073"."""
    if not text:
        return None
    return text.replace("/", "").replace("'", "").strip() or None


# Letters NFKD does not decompose into a base plus combining marks.
_LATIN_SPECIAL = {
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
    "ß": "ss", "ẞ": "ss", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th",
    "ı": "i", "ħ": "h", "Ħ": "h", "ŀ": "l", "Ŀ": "l", "ŋ": "n", "Ŋ": "n",
}

# Romanisation apostrophes and half rings, dropped: "Hanʼguk" (U+02BC, McCune-Reischauer
# in LC 00272142), "palpʻyojip" (U+02BB), "ukazatelʹ" (U+02B9, ALA-LC Russian soft sign),
# "Ṣanʻāʾ" (U+02BE, pymarc utf8_errors.dat).
_DROPPED = frozenset("\u02b9\u02ba\u02bb\u02bc\u02bd\u02be\u02bf\u2018\u2019'")


def _is_latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")


def fold(text: str | None) -> str:
    """Plain-ASCII folding of romanised (Latin) text; other scripts are left as they are.

    >>> fold("Chisik kyŏngyŏng kwa Hanʼguk ŭi mirae")
    'chisik kyongyong kwa hanguk ui mirae'

    Combining marks are dropped only after a Latin letter ("Kyn̆gyŏng" has a lone
    U+0306 after "n"), so Cyrillic "й" and Hangul syllables survive untouched.
    """
    out: list[str] = []
    latin_base = False
    for ch in unicodedata.normalize("NFC", text or ""):
        if ch in _DROPPED:
            continue
        if unicodedata.combining(ch):
            if not latin_base:
                out.append(ch)
            continue
        latin_base = _is_latin(ch)
        if not latin_base:
            out.append(ch)
        elif ch in _LATIN_SPECIAL:
            out.append(_LATIN_SPECIAL[ch])
        else:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch)
                           if not unicodedata.combining(c))
            out.append(base.lower())
    return re.sub(r"[ \t]+", " ", "".join(out)).strip()


def dedupe(values) -> list[str]:
    """Drop empty values and repeats, keeping the first occurrence's order."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.add(value)
            out.append(value)
    return out
