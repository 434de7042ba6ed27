"""Korean romanisation, both ways (pure).

Three systems write Korean in Latin letters, and a reader may type any of them:

- McCune-Reischauer as the Library of Congress applies it (ALA-LC Romanization Tables:
  Korean, 2009): ``Hanʼguk kyŏngje``, with breves, ʻ (U+02BB) after aspirates and ʼ
  (U+02BC) between n and g; LC's records write it in 245 and the Hangul in 880;
- the Revised Romanization of Korean (Ministry of Culture and Tourism, 2000), which most
  Korean readers type: ``hanguk gyeongje``;
- the DPRK's romanisation of 1992, typed without its breves: ``choson``, ``phyongyang``.

All three write pronunciation, not spelling, so each applies the sound changes between
the syllables of a word (:func:`_pronounce`, shared): a final consonant moves on to a
following vowel, ㅎ aspirates its neighbour, obstruents become nasals before nasals, ㄹ
and ㄴ become ㄹㄹ, and so on. Words are those of the input (ASCII space or U+3000, as in
LC's 880 fields): the sound changes stop at a space.

:func:`hangul_from_mr` reads LC's romanisation back to Hangul: it searches the Hangul
spellings whose :func:`mr` is the word and keeps the likeliest (see its docstring).

Measured against LC's own romanisation in ``tests/data/loc-books-2016/korean-all.mrc``
(1,904 Korean records): of the 7,789 title words whose 245 and 880 align (same number of
words, the Hangul word all syllables), ``fold(mr(word))`` equals LC's folded word for
95.7%, and :func:`hangul_from_mr` gives back the 880's word for 94.0%. Five in six of the
words that ``mr`` misses alone are people: a given name, which LC hyphenates (Chŏng-il),
and the surname 이, which it writes Yi; romanising whole 245 fields, where the words
around a name show it, 98.7% of 10,405 words agree. ``python -m tests.test_romanize``
(from the checkout) measures all three. What is left is mostly LC's own slips
(kyongjehak, sosol, Chungkuk), loanwords that LC writes with l and voiced initials
(laipʻŭ, desŭkʻŭ), tense syllables that no rule here predicts, and, reading back,
syllables that a commoner one spells the same (동립 for 독립).
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

from ingest.normalize import fold

_BASE = 0xAC00
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_FINALS = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ",
           "ㄿ", "ㅀ", "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")
_WORDS = re.compile("[ \u3000]+")
_SYLLABLES = re.compile("[\uac00-\ud7a3]+")


def _is_syllable(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def _split(syllable: str) -> tuple[str, str, str]:
    """(initial, vowel, final) jamo of one Hangul syllable; the final may be ""."""
    code = ord(syllable) - _BASE
    return _INITIALS[code // 588], _VOWELS[code % 588 // 28], _FINALS[code % 28]


def _join(initial: str, vowel: str, final: str) -> str:
    return chr(_BASE + (_INITIALS.index(initial) * 21 + _VOWELS.index(vowel)) * 28
               + _FINALS.index(final))


# --- pronunciation -------------------------------------------------------------------

# A final before a consonant is said as one of seven: ㄱ ㄴ ㄷ ㄹ ㅁ ㅂ ㅇ.
_NEUTRAL = {
    "ㄱ": "ㄱ", "ㄲ": "ㄱ", "ㅋ": "ㄱ", "ㄳ": "ㄱ", "ㄺ": "ㄱ",
    "ㄴ": "ㄴ", "ㄵ": "ㄴ", "ㄶ": "ㄴ",
    "ㄷ": "ㄷ", "ㅅ": "ㄷ", "ㅆ": "ㄷ", "ㅈ": "ㄷ", "ㅊ": "ㄷ", "ㅌ": "ㄷ", "ㅎ": "ㄷ",
    "ㄹ": "ㄹ", "ㄼ": "ㄹ", "ㄽ": "ㄹ", "ㄾ": "ㄹ", "ㅀ": "ㄹ",
    "ㅁ": "ㅁ", "ㄻ": "ㅁ", "ㅂ": "ㅂ", "ㅍ": "ㅂ", "ㅄ": "ㅂ", "ㄿ": "ㅂ", "ㅇ": "ㅇ", "": "",
}
# Before a vowel a double final keeps its first consonant and lends the second.
_CLUSTERS = {"ㄳ": ("ㄱ", "ㅅ"), "ㄵ": ("ㄴ", "ㅈ"), "ㄺ": ("ㄹ", "ㄱ"), "ㄻ": ("ㄹ", "ㅁ"),
             "ㄼ": ("ㄹ", "ㅂ"), "ㄽ": ("ㄹ", "ㅅ"), "ㄾ": ("ㄹ", "ㅌ"), "ㄿ": ("ㄹ", "ㅍ"),
             "ㅄ": ("ㅂ", "ㅅ"), "ㄶ": ("", "ㄴ"), "ㅀ": ("", "ㄹ")}
_ASPIRATE = {"ㄱ": "ㅋ", "ㄷ": "ㅌ", "ㅂ": "ㅍ", "ㅈ": "ㅊ"}
_NASAL = {"ㄱ": "ㅇ", "ㄷ": "ㄴ", "ㅂ": "ㅁ"}
_SONORANT = frozenset(("", "ㄴ", "ㄹ", "ㅁ", "ㅇ"))
_LAX = frozenset("ㄱㄷㅂㅈ")

# An obstruent before the passive and causative 히/혀 (잡히다, 잊혀진, 맺힌) fuses with
# ㅎ into an aspirate; before any other ㅎ LC writes both (북한 Pukhan, 국회 kukhoe,
# 협회 hyŏphoe), and so does the Revised Romanization in nouns (집현전 jiphyeonjeon).
_FUSING_H = frozenset("히힌혀혔")

# ㄴ+ㄹ is said ㄹㄹ (신라 Silla, 권력 kwŏllyŏk) except where ㄹ begins a suffix after a
# word of two or more syllables (예찬론 yechʻannon, 신문로 sinmunno).
_NN_SUFFIXES = frozenset("론로량력료란")

# Sino-Korean syllables said tense after a vowel or a sonorant, which MR then writes
# voiceless: 경제권 kyŏngjekwŏn, 인권 inkwŏn, 노동법 nodongpŏp, 헌법 hŏnpŏp, 쟁점
# chaengchŏm, 사건 sakŏn (and not in 방법 pangbŏp).
_TENSE_SYLLABLES = frozenset("권법점건")
_LAX_WORDS = frozenset(("방법", "채권", "중건", "재건"))
# Words whose second syllable is said tense; the rule is lexical (성격 [성껵], 평가
# [평까]), so these are the common ones of catalogue titles.
_TENSE_WORDS = frozenset(("성격", "인격", "성과", "평가", "물가", "주가", "유가",
                          "인기", "광기", "숨결", "물결", "빵집", "봄비", "문법", "문자",
                          "한자", "여권", "내과", "외과", "치과", "문과", "이과", "등불",
                          "산길", "물고기", "손가락", "발바닥"))
# After ㄹ, Sino-Korean ㄷ and ㅈ are tense (결정 kyŏlchŏng, 철도 chʻŏlto, 인물들
# inmultŭl), and so is 것 after the future ㄹ (할것 halkŏt); a verb's endings after a
# stem in ㄹ are not (들다 tŭlda, 시들지 sidŭlji).
_LAX_AFTER_L = frozenset("다지던든더데")

# ㄴ is inserted before 이/야/여/요/유 where a compound's second part begins with one
# (학여울 hangnyeoul, 알약 allyak); the rule is lexical, so it is a list of compounds
# with the index of the syllable that gains ㄴ, and the noun 잎 (꽃잎 kkonnip).
_N_INSERTION = {"학여울": 1, "알약": 1, "물약": 1, "한여름": 1, "늦여름": 1, "솜이불": 1,
                "색연필": 1, "식용유": 2, "맨입": 1, "콩엿": 1, "담요": 1, "눈요기": 1,
                "서울역": 2, "영업용": 2}
_N_INSERTION_SYLLABLES = frozenset("잎")


# Surnames LC writes before a hyphenated given name; those that are also common words
# in titles (한 one, 신 new, 전 before, 도 also, 은 the particle) are left out. LC reads
# 李 as Yi, whether written 이 or, in the North, 리.
_SURNAMES = frozenset("김이리박정조최윤황손염오유류주차홍현권노문민방송양엄임장채원안서소"
                      "강허심곽변함탁맹")
# In a statement of responsibility (after " / ") nearly every such pair is a person, so
# there the surnames that are also words count too.
_MORE_SURNAMES = frozenset("한신전길백배성왕하도나남구우진지기명여마위표반금옥육인제모국어은"
                           "편용예경봉사부석선설연추공천태피")
# Words of a statement of responsibility that follow a name but are none (정 민 지음).
_NOT_NAMES = frozenset(("지음", "엮음", "옮김", "편저", "편역", "역주", "역해", "해설", "감수",
                        "그림", "사진", "공저", "공편", "편집", "엮은", "글씨", "소설", "시집"))
_SURNAME_READINGS = {"이": "yi", "리": "yi", "류": "yu"}

# Compounds of abbreviated country names that LC hyphenates, each part romanised on its
# own (남북한 Nam-Pukhan, 한일 Han-Il, 아태 A-Tʻae).
_COMPOUNDS = {word.replace("-", ""): tuple(word.split("-")) for word in (
    "남-북한", "북-미", "북-일", "북-중", "한-일", "한-미", "한-중", "한-중-일", "한-러", "한-소",
    "미-일", "중-일", "미-중", "조-일", "조-중", "조-미", "아-태")}
# Provinces and cities, whose unit LC hyphenates keeping the sounds of one word
# (경기도 Kyŏnggi-do): the index of the unit's syllable.
_UNITS = {word.replace("-", ""): word.index("-") for word in (
    "경기-도", "강원-도", "충청-도", "충청-남도", "충청-북도", "전라-도", "전라-남도",
    "전라-북도", "경상-도", "경상-남도", "경상-북도", "제주-도", "황해-도", "평안-도",
    "평안-남도", "평안-북도", "함경-도", "함경-남도", "함경-북도", "서울-시", "부산-시")}


class _Sound:
    """One syllable as said: initial and final after the sound changes, its vowel, and
    whether a lax initial after a vowel or sonorant is said tense (MR writes it
    voiceless)."""

    __slots__ = ("initial", "vowel", "final", "tense")

    def __init__(self, initial: str, vowel: str, final: str):
        self.initial, self.vowel, self.final, self.tense = initial, vowel, final, False


def _marked(word: str, lexicon) -> set[int]:
    """Indices of the syllables of ``word`` that a listed compound marks (the second
    syllable of each listed compound found in it, or the one the listing names)."""
    marked: set[int] = set()
    for key in lexicon:
        at = word.find(key)
        while at >= 0:
            marked.add(at + (lexicon[key] if isinstance(lexicon, dict) else 1))
            at = word.find(key, at + 1)
    return marked


@lru_cache(maxsize=65536)
def _pronounce(word: str, lexical: bool = True) -> tuple[_Sound, ...]:
    """The syllables of ``word`` (all Hangul) as said, one junction at a time.
    ``lexical``: apply the listed compounds' tense syllables and inserted ㄴ (not to a
    given name, whose syllables are no compound: 중권 Chung-gwŏn)."""
    sounds = [_Sound(*_split(ch)) for ch in word]
    inserted = _marked(word, _N_INSERTION) if lexical else set()
    tense = _marked(word, _TENSE_WORDS) if lexical else set()
    for k in range(1, len(sounds)):
        prev, cur = sounds[k - 1], sounds[k]
        final, initial = prev.final, cur.initial
        if initial == "ㅇ" and final and (k in inserted
                                          or word[k] in _N_INSERTION_SYLLABLES):
            initial = "ㄴ"
        if initial == "ㅇ":
            _liaison(prev, cur)
            continue
        if initial == "ㅎ":
            _before_h(prev, cur, word[k] in _FUSING_H)
            continue
        if final in ("ㅎ", "ㄶ", "ㅀ"):
            rest = {"ㅎ": "", "ㄶ": "ㄴ", "ㅀ": "ㄹ"}[final]
            if initial in _ASPIRATE:                               # 좋다 chotʻa
                prev.final, cur.initial = rest, _ASPIRATE[initial]
                continue
            if initial == "ㅅ":                                    # 좋소 chossŏ
                prev.final, cur.initial = rest, "ㅆ"
                continue
            final = rest or ("ㄴ" if initial == "ㄴ" else "ㄷ")    # 놓는 nonnŭn
        if final == "ㄺ" and initial == "ㄱ":                      # 읽기 ilki
            prev.final, cur.initial, cur.tense = "ㄹ", "ㄱ", True
            continue
        final = _NEUTRAL[final]
        if initial == "ㄹ":
            if final == "ㄴ" and k >= 2 and word[k] in _NN_SUFFIXES:
                initial = "ㄴ"
            elif final in ("ㄴ", "ㄹ"):
                final = "ㄹ"
            elif final:
                initial = "ㄴ"
        if initial in ("ㄴ", "ㅁ"):
            if final in _NASAL:
                final = _NASAL[final]
            elif final == "ㄹ" and initial == "ㄴ":
                initial = "ㄹ"
        if final == "ㄷ" and initial == "ㅊ":                      # 낮추 nachʻu
            final = ""
        prev.final, cur.initial = final, initial
        if initial in _LAX and final in _SONORANT:
            cur.tense = k in tense or _tense_syllable(word, k, final, lexical)
    sounds[-1].final = _NEUTRAL[sounds[-1].final]
    return tuple(sounds)


def _liaison(prev: _Sound, cur: _Sound) -> None:
    """A final before a vowel opens the next syllable (국어 kugŏ, 같이 kachʻi)."""
    final = prev.final
    if final in _CLUSTERS:
        prev.final, cur.initial = _CLUSTERS[final]
    elif final == "ㅎ":
        prev.final = ""
    elif final and final != "ㅇ":
        prev.final, cur.initial = "", final
        if cur.vowel == "ㅣ" and final in ("ㄷ", "ㅌ"):            # 해돋이, 같이
            cur.initial = "ㅈ" if final == "ㄷ" else "ㅊ"


def _before_h(prev: _Sound, cur: _Sound, fusing: bool) -> None:
    """A final before ㅎ: fused into an aspirate before the passive 히/혀, else kept."""
    final = prev.final
    neutral = _NEUTRAL[final]
    if fusing and neutral in ("ㄱ", "ㄷ", "ㅂ"):
        prev.final = "ㄹ" if final in ("ㄺ", "ㄼ") else ""
        cur.initial = "ㅊ" if neutral == "ㄷ" else _ASPIRATE[neutral]     # 잊혀 ichʻyŏ
    else:
        prev.final = {"ㅎ": "", "ㄶ": "ㄴ", "ㅀ": "ㄹ"}.get(final, neutral)


def _tense_syllable(word: str, k: int, final: str, lexical: bool) -> bool:
    if lexical and word[k] in _TENSE_SYLLABLES and word[k - 1:k + 1] not in _LAX_WORDS:
        return True
    return final == "ㄹ" and (word[k] == "것" or _split(word[k])[0] in ("ㄷ", "ㅈ")
                               and word[k] not in _LAX_AFTER_L)


# --- the three systems ---------------------------------------------------------------

_MR_VOWELS = dict(zip(_VOWELS, ("a ae ya yae ŏ e yŏ ye o wa wae oe yo u wŏ we wi yu ŭ ŭi "
                                "i").split()))
_RR_VOWELS = dict(zip(_VOWELS, ("a ae ya yae eo e yeo ye o wa wae oe yo u wo we wi yu eu "
                                "ui i").split()))
# (ㅇ, silent at the start of a syllable, is written as nothing.)
_MR_INITIALS = dict(zip(_INITIALS, ["k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s",
                                    "ss", "", "ch", "tch", "chʻ", "kʻ", "tʻ", "pʻ", "h"]))
_RR_INITIALS = dict(zip(_INITIALS, ["g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s",
                                    "ss", "", "j", "jj", "ch", "k", "t", "p", "h"]))
_DPRK_INITIALS = {**_MR_INITIALS, "ㅊ": "chh", "ㅋ": "kh", "ㅌ": "th", "ㅍ": "ph", "ㅉ": "jj"}
_VOICED = {"ㄱ": "g", "ㄷ": "d", "ㅂ": "b", "ㅈ": "j"}
_FINAL_LETTERS = {"": "", "ㄱ": "k", "ㄴ": "n", "ㄷ": "t", "ㄹ": "l", "ㅁ": "m", "ㅂ": "p",
                  "ㅇ": "ng"}


def _mr_parts(word: str, dprk: bool = False, lexical: bool = True) -> list[list[str]]:
    """MR of an all-Hangul word as [initial, vowel, final] letters per syllable;
    ``dprk``: the DPRK's letters for the same sounds."""
    initials = _DPRK_INITIALS if dprk else _MR_INITIALS
    out: list[list[str]] = []
    prev = None
    for s in _pronounce(word, lexical):
        initial = initials[s.initial]
        if prev is not None:
            if s.initial in _VOICED and prev.final in _SONORANT and not s.tense:
                initial = _VOICED[s.initial]
            elif s.initial == "ㄹ" and prev.final == "ㄹ":
                initial = "l"
            elif s.initial == "ㅎ" and prev.final == "ㄹ":          # 철학 chʻŏrhak
                out[-1][2] = "r"
            if prev.final == "ㄴ" and initial.startswith("g") and not dprk:
                initial = "ʼ" + initial                             # 한국 hanʼguk
        if s.initial == "ㅅ" and s.vowel == "ㅟ" and not dprk:
            initial = "sh"                                          # 쉬운 shwiun
        out.append([initial, _MR_VOWELS[s.vowel], _FINAL_LETTERS[s.final]])
        prev = s
    return out


def _joined(parts: list[list[str]]) -> str:
    return "".join("".join(p) for p in parts)


def _mr_word(word: str) -> str:
    if word in _COMPOUNDS:
        return "-".join(_mr_word(part) for part in _COMPOUNDS[word])
    if word in _UNITS:
        return _hyphenated(word, _UNITS[word])
    return _joined(_mr_parts(word))


def _hyphenated(word: str, at: int, lexical: bool = True) -> str:
    """MR of ``word`` with a hyphen before syllable ``at``, keeping the sounds of one
    word; a consonant moved on to a vowel stays before the hyphen, and n-g needs no
    apostrophe there (given names: 달영 tar-yŏng, 덕무 tŏng-mu, 인규 in-gyu)."""
    parts = _mr_parts(word, lexical=lexical)
    head, (initial, vowel, final), tail = parts[:at], parts[at], parts[at + 1:]
    if _split(word[at])[0] == "ㅇ":
        return _joined(head) + initial + "-" + vowel + final + _joined(tail)
    return _joined(head) + "-" + initial.lstrip("ʼ") + vowel + final + _joined(tail)


def _dprk_word(word: str) -> str:
    return _fold_breves(_joined(_mr_parts(word, dprk=True)))


def _rr_word(word: str) -> str:
    out: list[str] = []
    prev = None
    for s in _pronounce(word):
        initial = _RR_INITIALS[s.initial]
        if s.initial == "ㄹ" and prev is not None and prev.final == "ㄹ":
            initial = "l"
        out.append(initial + _RR_VOWELS[s.vowel] + _FINAL_LETTERS[s.final])
        prev = s
    return "".join(out)


def _fold_breves(text: str) -> str:
    return text.replace("ŏ", "o").replace("ŭ", "u")


def _words(text: str) -> list[str]:
    return [w for w in _WORDS.split(text) if w]


def _by_word(text: str, romanize_word) -> str:
    """Apply ``romanize_word`` to each run of Hangul syllables of each word of ``text``;
    other characters pass through, and words are joined by single spaces."""
    return " ".join(_SYLLABLES.sub(lambda m: romanize_word(m.group()), word)
                    for word in _words(text))


_PUNCTUATED = re.compile(r"^(\W*)(.*?)(\W*)$")


def _core(word: str) -> str:
    """``word`` without the punctuation around it ("[이", "청준]," -> 이, 청준)."""
    return _PUNCTUATED.match(word).group(2)


def _is_surname(words: list[str], i: int, responsibility: bool = False) -> bool:
    """Whether ``words[i]`` is a surname that the next word's given name follows.

    LC's 880 fields write a person as surname and given name apart (김　정일), and its
    245 hyphenates the given name (Kim Chŏng-il). A listed surname counts when the next
    word is two Hangul syllables. In a title 이 counts only at the start or after a
    word ending in a vowel: after a consonant it is the subject particle (학문 이 없다);
    in a statement of responsibility (``responsibility``) it always counts, and so do
    the surnames that are also common words."""
    if i + 1 >= len(words) or words[i].endswith((",", ".", ":", ";", "/")):
        return False
    surname, given = _core(words[i]), _core(words[i + 1])
    if surname not in _SURNAMES and not (responsibility and surname in _MORE_SURNAMES):
        return False
    if not (len(given) == 2 and all(map(_is_syllable, given))) or given in _NOT_NAMES \
            or words[i + 1].startswith(("(", "[")):
        return False
    if surname in ("이", "리") and i > 0 and not responsibility:
        before = words[i - 1][-1]
        return not _is_syllable(before) or _split(before)[2] == ""
    return True


def _given_name(word: str) -> str:
    before, core, after = _PUNCTUATED.match(word).groups()
    return before + _hyphenated(core, 1, lexical=False) + after


def _surname(word: str) -> str:
    before, core, after = _PUNCTUATED.match(word).groups()
    return before + (_SURNAME_READINGS.get(core) or _mr_word(core)) + after


def _mr_numbered(word: str) -> str:
    """LC joins a number and the Hangul next to it with a hyphen (21세기 21-segi,
    제3 che-3, 100인 100-in)."""
    def romanized(m: re.Match) -> str:
        before = m.string[m.start() - 1] if m.start() else ""
        after = m.string[m.end()] if m.end() < len(m.string) else ""
        return ("-" if before.isdigit() else "") + _mr_word(m.group()) \
            + ("-" if after.isdigit() else "")
    return _SYLLABLES.sub(romanized, word)


def mr(hangul: str) -> str:
    """McCune-Reischauer as LC writes it, lower case, word by word. As in LC's 245: a
    given name after a surname is hyphenated (:func:`_is_surname`), 李 is Yi, a number
    is joined to the Hangul beside it by a hyphen, and so are abbreviated countries
    and provinces' units (:data:`_COMPOUNDS`, :data:`_UNITS`).

    >>> mr("한국 경제")
    'hanʼguk kyŏngje'
    >>> mr("김 정일 의 21세기")
    'kim chŏng-il ŭi 21-segi'
    """
    words = _words(hangul)
    out: list[str] = []
    responsibility = False
    given = False
    for i, word in enumerate(words):
        if given:
            out.append(_given_name(word))
            given = False
        elif _is_surname(words, i, responsibility):
            out.append(_surname(word))
            given = True
        else:
            out.append(_mr_numbered(word))
        if "/" in word:
            responsibility = True
        elif "=" in word:
            responsibility = False
    return " ".join(out)


def rr(hangul: str) -> str:
    """The Revised Romanization, lower case, no hyphens: MR's sound changes in fixed
    letters (g, d, b, j before a vowel, k, t, p before a consonant), tense consonants
    unmarked (학교 hakgyo, 낙동강 nakdonggang).

    >>> rr("한국 경제")
    'hanguk gyeongje'
    """
    return _by_word(hangul, _rr_word)


def dprk(hangul: str) -> str:
    """The DPRK's romanisation as typed: MR's sounds and voicing, with the aspirates kh,
    th, ph and chh, ㅉ jj, no apostrophes and no breves. Its own lexical rules (tense
    consonants of compounds, ㄹ kept after a consonant in place names) are not applied.

    >>> dprk("조선 평양")
    'choson phyongyang'
    """
    return _by_word(hangul, _dprk_word)


def variants(hangul: str) -> list[str]:
    """The distinct folded forms of ``hangul`` in MR, RR and the DPRK's system, in that
    order: what a reader may type for it, as the folded fields hold it."""
    out: list[str] = []
    for form in (mr(hangul), rr(hangul), dprk(hangul)):
        form = folded(form)
        if form not in out:
            out.append(form)
    return out


def folded(text: str) -> str:
    """``text`` as the three systems are compared: ASCII, lower case, no diacritics,
    no ʼ or ʻ (``ingest.normalize.fold``)."""
    return fold(text)


# --- reading LC's MR back ------------------------------------------------------------

# Each syllable costs something, so that "ae" reads ㅐ before ㅏ+ㅔ.
_SYLLABLE = 1.0
# A consonant between vowels begins the second syllable four times as often as it ends
# the first (사람, not 살암): reading it as a final moved on costs this much, unless
# what follows is an ending that begins with a vowel (찾아서, 받은, 읽어야, 국어).
_LIAISON = 1.0
_VOWEL_ENDINGS = frozenset("아어은을았었으")
# The ending 는 follows a verb's stem (있는 innŭn, 짓는 chinnŭn, 읽는 ingnŭn), and a noun
# in a consonant takes 은, so before 는 a final said as a nasal was an obstruent.
_STEM_BEFORE_NUN = 1.0
# Where a junction's letters could come from a sound change, the spelling before the
# change is the base morpheme's: ㄱ or ㅂ before a nasal or ㄹ (국민 kungmin, not
# 궁민; 합리 hamni) wins a tie with ㅇ or ㅁ, and ㄹ after ㅁ or ㅇ one with ㄴ (평론
# pʻyŏngnon, not 평논). Only a tie: 정말 and 생명 are as common as their assimilations.
_UNDONE = 0.05

# A reading whose MR differs from the word in voicing alone (LC said a consonant tense
# that no rule here makes so, or the other way round) costs this much more.
_UNVOICED = 2.0


# How likely a syllable is in a title, as a cost. First the commonest syllables of
# Korean text and titles, roughly most frequent first (Sino-Korean morphemes, particles,
# endings and the commonest native stems); then other Sino-Korean and common syllables;
# then other common ones; then the rest of the 2,350 of KS X 1001 (the set Korean text
# mostly keeps to); then any other.
_RANKED = (
    "이의다는에하고을가한지기서사로대리자도수정인일국시어아나들전제상적주해보부있것게"
    "라소우세장성문연원동를구만그신경마내여면오화방학과모무치미공관조비생회요개유위스중"
    "실발식거물간계교선분통진명행영후체본당재민결안산업르트현단말작심입강드금양출외월역"
    "천차근권법건야초북남군활표육설음파매변호운력반질집병노토청태번종직철론용극견례환확"
    "독박십향품약배창색더두니터각감속편증합형특판급처최없않었였았했같많좋은으며려람름른럼늘삼"
    "삶몸읽찾받살알죽잃엇굿앙습씨까때또따떠왔님못")
_RANK = {syllable: n for n, syllable in enumerate(_RANKED)}
_COMMON = frozenset(
    "가각간감강개거건게격결경계고공과관광교구국군권귀규그극근글금기김나난남내년노논농는"
    "니다단달담당대더도독동두들등디라란람래략량려력련령례로록론료루류륙률르를리린림립마만"
    "말망매면명모목몽무문물미민바박반발방배백번벌범법변별병보복본봉부북분불비사산살삼상"
    "새색생서석선설섬성세소속손송수숙순술스승시식신실심십아악안알암압애야약양어억언업에"
    "여역연열염영예오옥온와완왕외요욕용우운웅원월위유육윤율은을음응의이익인일임입있자작"
    "잡장재쟁저적전절점접정제조족존종좌죄주죽준중즉증지직진질집징차착찬찰참창채책처천철"
    "청체초촉총최추축춘출충취측치친칠침타탁탄탈탐태택토통퇴투특파판팔패편평폐포폭표품풍"
    "프피필하학한할함합항해핵행향허헌험혁현혈협형혜호혹혼홍화확환활황회획효후훈휴흥희")
_FAIRLY_COMMON = frozenset(
    "갈갑객갱걸검겁겨견겸곡곤골곰곳괴굉굴궁궐균긍길껏깨꼬꽃꾸꿈끝낙낭냉녀녁념녕녹뇌누"
    "눈뉴느늘님닥닭답덕던덤돈돌되된될둔뒤드득든듯따때떤또뜻락랑랭렬렴렵뢰룡름릉막맑맘맛"
    "맞맥맹머먹멀멸몇몰묘묵밀및밑밝밥뱀벽볼봄붉브빛빠뿌삭삶샘섯셈셔솔솜쇄쇠숨쉬슬습싸쌍써"
    "쓰씨앉않앞액앵얼엄없엉엽였옆옛옷왜욱움웃윗융으읍읽잃잊잎잔잠젊젖졸좀좁좋줄즐짐짓"
    "짜째쪽찍찾척첨첩쳐층칭칼커컴케코콘쾌크큰키탑탕터털테텔톤트틀티팀퍼페펴펼푸풀퓨플픽"
    "핀햇혀홀홈훨휘흐흑흔흘흙흠흡힘떻렇냐")


@lru_cache(maxsize=None)
def _cost(syllable: str) -> float:
    if syllable in _RANK:
        return _SYLLABLE + 0.4 * math.log1p(_RANK[syllable] / 10)
    if syllable in _COMMON:
        return _SYLLABLE + 1.4
    if syllable in _FAIRLY_COMMON:
        return _SYLLABLE + 2.0
    return _SYLLABLE + (3.0 if len(syllable.encode("euc_kr")) == 2 else 6.0)


def _junction_cost(final: str, second: str) -> float:
    """The cost of reading a junction as ``final`` and the initial of ``second``."""
    initial = _split(second)[0]
    if initial == "ㅇ":
        if final in ("", "ㅇ", "ㅎ"):
            return 0.0
        return 0.0 if second in _VOWEL_ENDINGS else _LIAISON
    if second == "는" and _NEUTRAL[final] in ("ㄱ", "ㄷ", "ㅂ"):
        return -_STEM_BEFORE_NUN
    undone = 0
    if initial in ("ㄴ", "ㅁ", "ㄹ") and final in ("ㄱ", "ㅂ"):
        undone += 1                              # 국민, 십만; with ㄹ: 독립, 합리
    if initial == "ㄹ" and final in ("ㄱ", "ㅂ", "ㅁ", "ㅇ"):
        undone += 1                              # 평론, 심리
    return -_UNDONE * undone


_VOWEL_LETTERS = frozenset("aeiouŏŭwy")
_MR_VOWEL_OF = {letters: jamo for jamo, letters in _MR_VOWELS.items()}
_LOOSE = str.maketrans({"g": "k", "d": "t", "b": "p", "j": "c", "ʼ": None})


def _loose(letters: str) -> str:
    """Letters with voicing and n-g's apostrophe dropped: one key finds a junction
    whether a listed word made its consonant tense or not (each reading is checked)."""
    return letters.replace("ch", "c").translate(_LOOSE)


@lru_cache(maxsize=1)
def _junctions() -> tuple[dict, dict, dict]:
    """The MR letters of each sound turned round: a word's first initial by (letters,
    vowel); a final and the next initial by (letters between two vowels, the second
    vowel); a word's last final by its letters. Made by romanising every pattern of
    two syllables (and three, for the rules that need a longer word), so it follows
    the rules above; listed words' exceptions are left to the check of each reading."""
    first: dict = {}
    between: dict = {}
    last: dict = {}
    seconds = [_join(i, v, "") for i in _INITIALS for v in _VOWELS]
    seconds += sorted(_FUSING_H | _NN_SUFFIXES | _N_INSERTION_SYLLABLES)
    for second in seconds:
        initial, vowel, _ = _split(second)
        (i, _, _), = _mr_parts(second)
        first.setdefault((_loose(i), vowel), set()).add(initial)
    for final in _FINALS:
        head = _join("ㅇ", "ㅏ", final)
        (_, _, f), = _mr_parts(head)
        last.setdefault(f, set()).add(final)
        for second in seconds:
            initial, vowel, _ = _split(second)
            said = [second]
            if initial == "ㅇ" and final:           # ㄴ inserted (학여울 hangnyŏul)
                said.append(_join("ㄴ", vowel, ""))
            for word in ("", "아"):
                for s in said:
                    parts = _mr_parts(word + head + s)
                    key = (_loose(parts[-2][2] + parts[-1][0]), vowel)
                    between.setdefault(key, set()).add((final, initial))
    return first, between, last


def _vowel_splits(run: str) -> list[list[str]]:
    """Ways to read a run of vowel letters as MR vowels, one per syllable."""
    if not run:
        return [[]]
    out = []
    for n in (3, 2, 1):
        head = run[:n]
        if len(head) == n and head in _MR_VOWEL_OF:
            out += [[head] + rest for rest in _vowel_splits(run[n:])]
    return out


_RUNS = re.compile(r"[aeiouŏŭwy]+|[^aeiouŏŭwy]+")
_BEAM = 64


def _readings(letters: str) -> list[tuple[float, str]]:
    """Hangul spellings whose letters could be ``letters`` (one MR word, lower case),
    likeliest first, each with its cost."""
    runs = _RUNS.findall(letters)
    if not any(run[0] in _VOWEL_LETTERS for run in runs):
        return []
    if runs[0][0] in _VOWEL_LETTERS:
        runs.insert(0, "")
    if runs[-1][0] in _VOWEL_LETTERS:
        runs.append("")
    consonants, vowel_runs = runs[0::2], runs[1::2]
    first, between, last = _junctions()
    found: list[tuple[float, str]] = []
    for split in _splits(vowel_runs):
        # split: the vowels in order; gaps: the letters before each vowel and at the end
        vowels = [v for run in split for v in run]
        gaps = []
        for n, run in enumerate(split):
            gaps += [consonants[n]] + [""] * (len(run) - 1)
        gaps.append(consonants[-1])
        jamo = [_MR_VOWEL_OF[v] for v in vowels]
        states = [(0.0, "", initial)
                  for initial in first.get((_loose(gaps[0]), jamo[0]), ())]
        for k in range(1, len(jamo) + 1):
            ends = [(f, None) for f in last.get(gaps[k], ())] if k == len(jamo) else \
                between.get((_loose(gaps[k]), jamo[k]), ())
            grown = []
            for cost, prefix, initial in states:
                for final, nxt in ends:
                    syllable = _join(initial, jamo[k - 1], final)
                    cost_now = cost + _cost(syllable)
                    if prefix:
                        cost_now += _junction_cost(_split(prefix[-1])[2], syllable)
                    grown.append((cost_now, prefix + syllable, nxt))
            states = sorted(grown)[:_BEAM]
        found += [(cost, prefix) for cost, prefix, _ in states]
    return sorted(found)


def _splits(vowel_runs: list[str]) -> list[list[list[str]]]:
    out: list[list[list[str]]] = [[]]
    for run in vowel_runs:
        out = [done + [split] for done in out for split in _vowel_splits(run)]
    return out


# LC's records sometimes type ' or ’ for ʻ and ʼ: after n before g it is the break.
_APOSTROPHES = re.compile(r"['’‘`]")


def _normalized(word: str) -> str:
    word = unicodedata.normalize("NFC", word).lower().replace("nʻg", "nʼg")
    return _APOSTROPHES.sub(lambda m: "ʼ" if m.string[m.start() - 1:m.start()] == "n"
                            and m.string[m.end():m.end() + 1] == "g" else "ʻ", word)


# A letter that MR writes only between voiced sounds, left before a hyphen by a given
# name's consonant moved on to the vowel after it (Tar-yŏng 달영, Sŏg-yŏng 석영).
_MOVED = {"r": "l", "g": "k", "d": "t", "b": "p", "j": "t"}


def _read_part(letters: str) -> str | None:
    """One MR word without hyphens, lower case, as Hangul; None if it reads as none."""
    if letters == "yi":
        return "이"
    loose = _loose(letters)
    best: tuple[float, str] | None = None
    for cost, hangul in _readings(letters):
        written = _mr_word(hangul)
        if written != letters:
            if _loose(written) != loose:
                continue
            cost += _UNVOICED
        if best is None or cost < best[0]:
            best = (cost, hangul)
    return best[1] if best else None


_LETTERS = re.compile(r"[a-zŏŭ]")


def _read_word(word: str) -> str | None:
    """One word of MR (punctuation around it kept) as Hangul; None if a part of it
    with letters does not read as MR."""
    before, core, after = _PUNCTUATED.match(word).groups()
    parts = _normalized(core).split("-")
    out: list[str] = []
    for n, part in enumerate(parts):
        if not _LETTERS.search(part):            # a number, or nothing (Che-3, 21-segi)
            out.append(part)
            continue
        if n + 1 < len(parts) and part[-1] in _MOVED and not part.endswith("ng") \
                and parts[n + 1][:1] in _VOWEL_LETTERS:
            part = part[:-1] + _MOVED[part[-1]]
        hangul = _read_part(part)
        if hangul is None:
            return None
        out.append(hangul)
    return before + "".join(out) + after


def hangul_from_mr(text: str) -> str | None:
    """LC's McCune-Reischauer read back to Hangul, word by word; None when a word does
    not read as MR (English, or a misspelling no rule explains).

    A word's readings are the Hangul spellings whose own :func:`mr` gives its letters
    (or gives them but for voicing, at a cost: LC hears some tense consonants that no
    rule here predicts); the likeliest wins. Its cost is the sum over its syllables of
    how rare each is (common Sino-Korean and grammatical syllables cheapest, then other
    common ones, then KS X 1001's, then the rest) and of what each junction implies: a
    consonant between vowels read as a final moved on costs more than one read as the
    next initial, unless a vowel ending follows; before the ending 는 a nasal was an
    obstruent (innŭn 있는); and of two spellings equally likely, the one a sound change
    explains is the base morpheme's (kungmin 국민, not 궁민; pʻyŏngnon 평론, not 평논).
    A hyphenated word (Nam-Pukhan, 21-segi, Che-3) is read part by part and written
    as one; a given name's consonant left before the hyphen belongs to the first
    syllable (Tar-yŏng 달영).

    >>> hangul_from_mr("Hanʼguk kyŏngje")
    '한국 경제'
    """
    words = [w for w in re.split(r"\s+", text) if w]
    out: list[str] = []
    for word in words:
        hangul = _read_word(word)
        if hangul is None:
            return None
        out.append(hangul)
    return " ".join(out)
