"""Which text of a record is Korean, for the Korean fields of its document (pure).

Korean gets an analysis of its own (``shelfmap_korean``: morphological analysis, Hanja
read as Hangul, North Korean spellings as the South's; see index/mappings/analysis.json).
Only Korean text may go there: read as Korean, the Chinese 中國 and 重國 would both be
중국. So a record's Korean fields hold

- every value of a Korean-language record (``language`` ``kor``) that is written in
  Hangul or Hanja: its original-script fields (LC's 880 fields), and its main fields
  where a Korean library writes them in Hangul (KORMARC);
- any value of any other record that holds Hangul (a Korean title in a record of
  another language); Hanja alone there are Chinese or Japanese;
- for a Korean record whose title is only romanised (LC's 245 without an 880), the
  title read back to Hangul (:func:`index.romanize.hangul_from_mr`), so that a Hangul
  query finds it.

The original-script value comes first: it is the one a page shows as the original title.

:func:`romanized` gives the other romanisations of a Korean record's title and names
(McCune-Reischauer as LC writes it, the Revised Romanization most Korean readers type,
the DPRK's), generated from the Hangul, for the ``romanized`` field: LC writes only
McCune-Reischauer, and ``hanguk gyeongje`` or ``choson`` must find it too.
"""

from __future__ import annotations

import re
from functools import lru_cache

from index import romanize

KOREAN_LANGUAGE = "kor"
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

# Korean field -> the record fields it draws on, original script first.
FIELDS: dict[str, tuple[str, ...]] = {
    "title_ko": ("title_original", "title"),
    "subjects_ko": ("subjects_original", "subjects"),
    "authors_ko": ("authors_original", "authors"),
    "publisher_ko": ("publisher_original", "publisher"),
}
MAPPING = {"type": "text", "analyzer": "shelfmap_korean",
           "search_analyzer": "shelfmap_korean_search"}
# The generated romanisations (:func:`romanized`), analysed as the ``folded`` field is.
ROMANIZED_FIELD = "romanized"
ROMANIZED_MAPPING = {"type": "text", "analyzer": "shelfmap_folded"}


def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text))


def _values(value) -> list[str]:
    if value is None:
        return []
    return [v for v in (value if isinstance(value, (list, tuple)) else [value]) if v]


def korean_values(record: dict, sources: tuple[str, ...]) -> list[str]:
    """The values of ``sources`` in ``record`` that are Korean, in order, each once."""
    korean_record = record.get("language") == KOREAN_LANGUAGE
    out: list[str] = []
    for name in sources:
        for value in _values(record.get(name)):
            korean = has_hangul(value) or (korean_record and bool(_HAN.search(value)))
            if korean and value not in out:
                out.append(value)
    return out


def is_korean(record: dict) -> bool:
    return record.get("language") == KOREAN_LANGUAGE


def read_back(record: dict) -> str | None:
    """The Hangul of a Korean record's romanised title when it has no Korean title."""
    if not is_korean(record) or not record.get("title"):
        return None
    if korean_values(record, FIELDS["title_ko"]):
        return None
    return romanize.hangul_from_mr(record["title"])


def korean_fields(record: dict) -> dict[str, str | list[str] | None]:
    """The Korean fields of ``record``'s document: a title (one string) and lists."""
    out: dict[str, str | list[str] | None] = {}
    for field, sources in FIELDS.items():
        values = korean_values(record, sources)
        if field == "title_ko":
            out[field] = values[0] if values else read_back(record)
        else:
            out[field] = values
    return out


@lru_cache(maxsize=65536)
def _variants(text: str) -> tuple[str, ...]:
    # Names repeat across records (authors, publishers): each is romanised once.
    return tuple(romanize.variants(text))


def _hangul_reading(record: dict, value: str) -> str | None:
    """``value`` if it is written in Hangul; for a title in Hanja, LC's romanised title
    read back (the Hangul a reader would type); else None."""
    if not _HAN.search(value):
        return value if has_hangul(value) else None
    if value == record.get("title_original") and record.get("title"):
        return romanize.hangul_from_mr(record["title"])
    return None


def romanized(record: dict) -> str | None:
    """Every romanisation of a Korean record's title and names (folded, " | " between
    values), or None for a record with no Korean text."""
    fields = korean_fields(record)
    values = [fields["title_ko"], *fields["authors_ko"]] if fields["title_ko"] else list(
        fields["authors_ko"])
    out: list[str] = []
    for value in values:
        reading = _hangul_reading(record, value) if value else None
        for form in _variants(reading) if reading else ():
            if form not in out:
                out.append(form)
    return " | ".join(out) or None


# --- letters, for suggestions while a syllable is being typed -----------------------------

_SYLLABLE_FIRST, _SYLLABLE_LAST = 0xAC00, 0xD7A3
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
# Vowels and final consonants as the keys that type them: a compound vowel or final is
# two keystrokes (ㅘ = ㅗ ㅏ, ㄳ = ㄱ ㅅ), a doubled consonant one (ㄲ, shift+ㄱ).
_VOWELS = ("ㅏ", "ㅐ", "ㅑ", "ㅒ", "ㅓ", "ㅔ", "ㅕ", "ㅖ", "ㅗ", "ㅗㅏ", "ㅗㅐ", "ㅗㅣ", "ㅛ",
           "ㅜ", "ㅜㅓ", "ㅜㅔ", "ㅜㅣ", "ㅠ", "ㅡ", "ㅡㅣ", "ㅣ")
_FINALS = ("", "ㄱ", "ㄲ", "ㄱㅅ", "ㄴ", "ㄴㅈ", "ㄴㅎ", "ㄷ", "ㄹ", "ㄹㄱ", "ㄹㅁ", "ㄹㅂ",
           "ㄹㅅ", "ㄹㅌ", "ㄹㅍ", "ㄹㅎ", "ㅁ", "ㅂ", "ㅂㅅ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ",
           "ㅌ", "ㅍ", "ㅎ")
# Compatibility letters (what a keyboard shows while a syllable is unfinished) that are
# two keystrokes.
_COMPOUND_LETTERS = {"ㄳ": "ㄱㅅ", "ㄵ": "ㄴㅈ", "ㄶ": "ㄴㅎ", "ㄺ": "ㄹㄱ", "ㄻ": "ㄹㅁ",
                     "ㄼ": "ㄹㅂ", "ㄽ": "ㄹㅅ", "ㄾ": "ㄹㅌ", "ㄿ": "ㄹㅍ", "ㅀ": "ㄹㅎ",
                     "ㅄ": "ㅂㅅ", "ㅘ": "ㅗㅏ", "ㅙ": "ㅗㅐ", "ㅚ": "ㅗㅣ", "ㅝ": "ㅜㅓ",
                     "ㅞ": "ㅜㅔ", "ㅟ": "ㅜㅣ", "ㅢ": "ㅡㅣ"}


def _is_syllable(ch: str) -> bool:
    return _SYLLABLE_FIRST <= ord(ch) <= _SYLLABLE_LAST


def _is_letter(ch: str) -> bool:
    return "\u3131" <= ch <= "\u318e"


def has_syllables(text: str) -> bool:
    return any(_is_syllable(ch) for ch in text)


def letters(text: str) -> str:
    """Hangul as the keystrokes that type it, spaces dropped: 한국 경제 -> ㅎㅏㄴㄱㅜㄱㄱㅕㅇㅈㅔ.

    What a visitor has typed so far (한ㄱ, 한구, 하나ㄱ) is a prefix of the letters of
    what they mean to type; other characters are kept as they are.

    >>> letters("한ㄱ")
    'ㅎㅏㄴㄱ'
    """
    out: list[str] = []
    for ch in text:
        if _is_syllable(ch):
            index = ord(ch) - _SYLLABLE_FIRST
            out.append(_INITIALS[index // 588] + _VOWELS[(index // 28) % 21]
                       + _FINALS[index % 28])
        elif _is_letter(ch):
            out.append(_COMPOUND_LETTERS.get(ch, ch))
        elif not ch.isspace():
            out.append(ch)
    return "".join(out)


def initials(text: str) -> str:
    """The initial consonant of every Hangul syllable, as Korean search boxes match
    them: 한국　경제 -> ㅎㄱㄱㅈ (everything else dropped)."""
    return "".join(_INITIALS[(ord(ch) - _SYLLABLE_FIRST) // 588]
                   for ch in text if _is_syllable(ch))
