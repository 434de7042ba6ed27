"""Korean romanisation (index/romanize.py), pure: the three systems on published examples,
and McCune-Reischauer both ways against LC's own records (korean-all.mrc: the Hangul of
each title's 880 beside the romanised words of its 245).

``python -m tests.test_romanize`` prints the measured agreement.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import pytest
from pymarc import MARCReader

from index.romanize import dprk, folded, hangul_from_mr, mr, rr, variants
from ingest.normalize import fold

KOREAN = Path(__file__).parent / "data" / "loc-books-2016" / "korean-all.mrc"
_HANGUL_WORD = re.compile("^[\uac00-\ud7a3]+$")
_SEPARATORS = re.compile("[ \u3000]+")
_PUNCTUATION = " :;/,.=[]()\"'!?·・，"
_TITLE = "abnp"      # 245 $a $b $n $p: the title, without the statement of responsibility


@lru_cache(maxsize=1)
def _linked_titles() -> tuple[tuple[tuple, tuple], ...]:
    """(245's subfields, its 880's subfields) of every record with both, NFC."""
    out = []
    with KOREAN.open("rb") as f:
        for record in MARCReader(f, to_unicode=True, force_utf8=True):
            titles = record.get_fields("245")
            originals = [f for f in record.get_fields("880")
                         if (f["6"] or "").startswith("245-")]
            if titles and originals:
                out.append(tuple(tuple((code, unicodedata.normalize("NFC", value))
                                       for code, value in field.subfields if code != "6")
                                 for field in (titles[0], originals[0])))
    return tuple(out)


def _text(subfields, codes: str | None = None) -> str:
    return " ".join(value for code, value in subfields if codes is None or code in codes)


def _words(text: str) -> list[str]:
    return [w for w in (w.strip(_PUNCTUATION) for w in _SEPARATORS.split(text)) if w]


@lru_cache(maxsize=1)
def word_pairs() -> list[tuple[str, str]]:
    """(Hangul word, LC's MR word) of the titles whose 245 and 880 have as many words,
    by position, where the Hangul word is all Hangul syllables."""
    pairs = []
    for title, original in _linked_titles():
        lc, hangul = _words(_text(title, _TITLE)), _words(_text(original, _TITLE))
        if len(lc) == len(hangul):
            pairs += [(h, m) for h, m in zip(hangul, lc) if _HANGUL_WORD.match(h)]
    return pairs


@lru_cache(maxsize=1)
def words_in_context() -> list[tuple[str, str, str]]:
    """(Hangul word, its MR as :func:`mr` writes the whole 245, LC's word): every
    subfield, so the statement of responsibility's names count, aligned as above."""
    out = []
    for title, original in _linked_titles():
        text = _text(original)
        tokens = [t for t in _SEPARATORS.split(text) if t]
        romanised = mr(text).split(" ")
        assert len(romanised) == len(tokens)
        ours = [(t.strip(_PUNCTUATION), r.strip(_PUNCTUATION))
                for t, r in zip(tokens, romanised) if t.strip(_PUNCTUATION)]
        lc = _words(_text(title))
        if len(lc) == len(ours):
            out += [(h, r, m) for (h, r), m in zip(ours, lc) if _HANGUL_WORD.match(h)]
    return out


def mr_agreement() -> float:
    pairs = word_pairs()
    return sum(fold(mr(h)) == fold(m) for h, m in pairs) / len(pairs)


def mr_agreement_in_context() -> float:
    words = words_in_context()
    return sum(fold(r) == fold(m) for _, r, m in words) / len(words)


def read_back_agreement() -> float:
    pairs = word_pairs()
    return sum(hangul_from_mr(m) == h for h, m in pairs) / len(pairs)


# --- MR against LC -------------------------------------------------------------------

def test_the_records_give_enough_word_pairs():
    assert len(word_pairs()) > 7000
    assert len(words_in_context()) > 10000


def test_mr_agrees_with_lc_word_by_word():
    rate = mr_agreement()
    print(f"mr agrees with LC on {rate:.2%} of {len(word_pairs())} title words")
    assert rate >= 0.955


def test_mr_agrees_with_lc_on_whole_titles():
    """Romanised as a whole 245 (names hyphenated, numbers joined, 이 read Yi)."""
    rate = mr_agreement_in_context()
    print(f"mr of whole fields agrees with LC on {rate:.2%} of "
          f"{len(words_in_context())} words")
    assert rate >= 0.985


# Word pairs of the data, each showing a rule (LC's control number of one record).
CHECKED = [
    ("한국", "hanʼguk"),             # 00272142  n-g: the apostrophe
    ("경제", "kyŏngje"),             # 00272144  voicing between voiced sounds
    ("연구", "yŏnʼgu"),              # 00272180
    ("민주주의", "minjujuŭi"),       # 00322114  ㅢ
    ("법령집", "pŏmnyŏngjip"),       # 00692936  ㅂ+ㄹ: both nasals
    ("협력", "hyŏmnyŏk"),            # 00272215
    ("독립", "tongnip"),             # 00314054
    ("법률", "pŏmnyul"),             # 00322135
    ("교육론", "kyoyungnon"),        # 00272161
    ("박물관", "pangmulgwan"),       # 00272206  nasal assimilation
    ("방법론", "pangbŏmnon"),        # 00314304
    ("평론집", "pʻyŏngnonjip"),      # 00314329  ㅇ+ㄹ
    ("신라", "silla"),               # 00322159  ㄴ+ㄹ -> ll
    ("권력", "kwŏllyŏk"),            # 00272219
    ("전략", "chŏllyak"),            # 00272185
    ("근로자", "kŭlloja"),           # 00322149
    ("예찬론", "yechʻannon"),        # 00422111  but ㄴㄴ before the suffix 론
    ("길라잡이", "killajabi"),       # 00272165
    ("필연", "pʻiryŏn"),             # 00272171  ㄹ moves on to the vowel: r
    ("한의학", "hanŭihak"),          # 00272168  n before a vowel: no apostrophe
    ("옷", "ot"),                    # 00292040  final ㅅ said t
    ("좋다", "chotʻa"),              # 00385388  ㅎ aspirates
    ("잡히는", "chapʻinŭn"),         # 00422121  and fuses with a passive 히
    ("잊혀진", "ichʻyŏjin"),         # 00272227
    ("맺힌", "maechʻin"),            # 00505577
    ("북한", "pukhan"),              # 00272161  but before other ㅎ both are written
    ("국회", "kukhoe"),              # 00292263
    ("협회", "hyŏphoe"),             # 00314251
    ("산업화", "sanŏphwa"),          # 00322116
    ("비슷한", "pisŭthan"),          # 00422049
    ("철학", "chʻŏrhak"),            # 00314324  ㄹ before ㅎ: r
    ("시", "si"),                    # 00272149  ㅅ before ㅣ stays s...
    ("쉬운", "shwiun"),              # 00322193  ...before ㅟ it is sh
    ("결정", "kyŏlchŏng"),           # 00272217  ㄹ then Sino-Korean ㅈ, ㄷ: tense
    ("철도", "chʻŏlto"),             # 00314257
    ("인물들", "inmultŭl"),          # 00314031
    ("소설집", "sosŏlchip"),         # 00292247
    ("들다", "tŭlda"),               # 00422255  but not a verb's ending
    ("경제권", "kyŏngjekwŏn"),       # 00272159  tense Sino-Korean syllables
    ("인권", "inkwŏn"),              # 00272227
    ("헌법", "hŏnpŏp"),              # 00322138
    ("방법", "pangbŏp"),             # 00314346  (not this one)
    ("쟁점", "chaengchŏm"),          # 00272169
    ("사건", "sakŏn"),               # 00292262
    ("읽기", "ilki"),                # 00272188  ㄺ before ㄱ
    ("읽는", "ingnŭn"),              # 00292646
    ("있는", "innŭn"),               # 00272219
    ("없는", "ŏmnŭn"),               # 00292039
    ("못다한", "mottahan"),          # 00292273
    ("낮추려는", "nachʻuryŏnŭn"),    # 00321976  ㅈ before ㅊ
    ("꽃잎", "kkonnip"),             # 00438040  ㄴ inserted before 잎
    ("찾아서", "chʻajasŏ"),          # 00292673
    ("대학교", "taehakkyo"),         # 00272240
    ("아름다운", "arŭmdaun"),        # 00292698
]


def test_checked_pairs_are_in_the_data():
    pairs = {(h, unicodedata.normalize("NFC", m).lower()) for h, m in word_pairs()}
    assert [pair for pair in CHECKED if pair not in pairs] == []


@pytest.mark.parametrize("hangul, lc", CHECKED)
def test_mr_writes_checked_pairs_exactly(hangul, lc):
    assert mr(hangul) == lc


@pytest.mark.parametrize("hangul, lc", [
    # 00272161: a person as the 880 writes one, the given name hyphenated
    ("김　정일　시대　의　북한　정치　경제", "kim chŏng-il sidae ŭi pukhan chŏngchʻi kyŏngje"),
    # 00422286 and others: 李 is Yi, and a statement of responsibility is all names
    ("이　광수　와　그　의　시대 / [김　윤식　지음].",
     "yi kwang-su wa kŭ ŭi sidae / [kim yun-sik chiŭm]."),
    ("강  경애  전집 / 이  상경  편.", "kang kyŏng-ae chŏnjip / yi sang-gyŏng pʻyŏn."),
    # a consonant moved on to the given name's vowel stays before the hyphen
    ("임　철우", "im chʻŏr-u"),
    # numbers joined to Hangul, abbreviated countries, provinces
    ("대　중화　경제권　과　21세기　아태　경제",
     "tae chunghwa kyŏngjekwŏn kwa 21-segi a-tʻae kyŏngje"),
    ("정부　와　제3　섹터", "chŏngbu wa che-3 sektʻŏ"),
    ("신　국제　질서　와　남북한", "sin kukche chilsŏ wa nam-pukhan"),
    ("경기도", "kyŏnggi-do"),
    # the particle 이 after a consonant is no surname
    ("외딴　마을　의　빈집　이　되고　싶다", "oettan maŭl ŭi pinjip i toego sipta"),
    # non-Hangul passes through
    ("DJ 노믹스　의　이론적", "DJ nomiksŭ ŭi ironjŏk"),
])
def test_mr_of_whole_titles(hangul, lc):
    assert mr(hangul) == lc


def test_mr_examples():
    assert mr("한국 경제") == "hanʼguk kyŏngje"
    assert mr("국민") == "kungmin"
    assert mr("합리") == "hamni"
    assert mr("십만") == "simman"
    assert mr("전라") == "chŏlla"
    assert mr("천년") == "chʻŏnnyŏn"
    assert mr("평양") == "pʻyŏngyang"
    assert mr("조선") == "chosŏn"


# --- reading MR back -----------------------------------------------------------------

def test_hangul_from_mr_reads_lc_back():
    rate = read_back_agreement()
    print(f"hangul_from_mr gives the 880's word for {rate:.2%} of "
          f"{len(word_pairs())} words")
    assert rate >= 0.935


# The checked pairs that the reading gets wrong, and why: a syllable commoner than the
# right one wins where nothing else tells them apart (a word list would).
MISREAD = {
    "독립": "동립",          # 동 is commoner than 독; both give tongnip
    "박물관": "방물관",      # likewise 방 and 박
    "예찬론": "예찾론",      # the stem 찾 is commoner than 찬
    "길라잡이": "길나자비",  # ㄹ+ㄴ is said ll too, and 나, 자, 비 are commoner
    "필연": "피련",          # ㄹ read as the next initial, as it mostly is
    "잡히는": "자피는",      # 피 is commoner than 잡 + the passive 히
    "잊혀진": "이쳐진",
    "맺힌": "매친",
    "없는": "업는",          # 업 is commoner than 없
    "낮추려는": "나추려는",
    "꽃잎": "꽃립",          # 립 is commoner than 잎
    "찾아서": "차자서",      # 차 and 자 are commoner than 찾 and 아
}


@pytest.mark.parametrize("hangul, lc", CHECKED)
def test_hangul_from_mr_reads_checked_pairs(hangul, lc):
    assert hangul_from_mr(lc) == MISREAD.get(hangul, hangul)


def test_hangul_from_mr_examples():
    assert hangul_from_mr("Hanʼguk kyŏngje") == "한국 경제"
    assert hangul_from_mr("kungmin") == "국민"
    assert hangul_from_mr("hamni") == "합리"
    # ASCII apostrophes, as some records type them
    assert hangul_from_mr("Han'guk kyŏngje ŭi ch'ŏnnyŏn") == "한국 경제 의 천년"
    # hyphenated words, part by part
    assert hangul_from_mr("Nam-Pukhan") == "남북한"
    assert hangul_from_mr("21-segi") == "21세기"
    assert hangul_from_mr("Che-3") == "제3"
    assert hangul_from_mr("Kim Chŏng-il sidae") == "김 정일 시대"
    assert hangul_from_mr("Tar-yŏng") == "달영"
    assert hangul_from_mr("Yi Kwang-su") == "이 광수"
    # punctuation stays where it was
    assert hangul_from_mr("Chisik kyŏngyŏng kwa Hanʼguk ŭi mirae :") == \
        "지식 경영 과 한국 의 미래 :"


def test_hangul_from_mr_gives_none_for_what_is_not_mr():
    assert hangul_from_mr("Sexual harassment policy") is None
    assert hangul_from_mr("IMF sidae") is None


# --- RR and the DPRK -----------------------------------------------------------------

RR = [
    # the examples the Revised Romanization publishes for its sound changes
    ("한국", "hanguk"), ("경제", "gyeongje"), ("신라", "silla"), ("국민", "gungmin"),
    ("조선", "joseon"), ("평양", "pyeongyang"), ("독립", "dongnip"), ("종로", "jongno"),
    ("왕십리", "wangsimni"), ("별래", "byeollae"), ("학여울", "hangnyeoul"),
    ("알약", "allyak"), ("해돋이", "haedoji"), ("같이", "gachi"), ("좋고", "joko"),
    ("놓다", "nota"), ("잡혀", "japyeo"), ("낙동강", "nakdonggang"),
    ("집현전", "jiphyeonjeon"), ("샛별", "saetbyeol"), ("울산", "ulsan"),
    ("대관령", "daegwallyeong"), ("백마", "baengma"), ("신문로", "sinmunno"),
    ("중앙", "jungang"),
    # words of the data
    ("역사", "yeoksa"), ("문화", "munhwa"), ("사회", "sahoe"), ("연구", "yeongu"),
    ("정치", "jeongchi"), ("문학", "munhak"), ("교육", "gyoyuk"), ("북한", "bukhan"),
    ("통일", "tongil"), ("민족", "minjok"), ("전통", "jeontong"), ("현대", "hyeondae"),
    ("소설", "soseol"), ("철학", "cheolhak"), ("대학교", "daehakgyo"),
    ("박물관", "bangmulgwan"), ("관리", "gwalli"), ("법률", "beomnyul"),
    ("학교", "hakgyo"), ("이야기", "iyagi"), ("여성", "yeoseong"), ("세계", "segye"),
    ("한국인", "hangugin"), ("경영", "gyeongyeong"), ("민주주의", "minjujuui"),
    ("전쟁", "jeonjaeng"), ("평화", "pyeonghwa"), ("기업", "gieop"), ("산업", "saneop"),
    ("읽기", "ilgi"), ("없다", "eopda"), ("있는", "inneun"), ("백제", "baekje"),
    ("고구려", "goguryeo"), ("서울", "seoul"), ("제주", "jeju"), ("독도", "dokdo"),
    ("국제", "gukje"), ("협력", "hyeomnyeok"), ("정책", "jeongchaek"),
    ("철도", "cheoldo"), ("국회", "gukhoe"), ("입문", "immun"), ("언론", "eollon"),
    ("권력", "gwollyeok"), ("필연", "piryeon"), ("한반도", "hanbando"),
]


@pytest.mark.parametrize("hangul, expected", RR)
def test_rr(hangul, expected):
    assert rr(hangul) == expected


def test_rr_words_and_text():
    assert rr("한국　경제 더 물러 설 수 없다") == "hanguk gyeongje deo mulleo seol su eopda"
    assert rr("21세기") == "21segi"


DPRK = [
    ("조선", "choson"), ("평양", "phyongyang"), ("로동", "rodong"),
    # the surname a word of its own, as LC's 880 and the DPRK write it
    ("김 일성", "kim ilsong"),
    ("김 정일", "kim chongil"), ("청진", "chhongjin"), ("개성", "kaesong"),
    ("함흥", "hamhung"), ("통일", "thongil"), ("천리마", "chhollima"),
    ("조선 로동당", "choson rodongdang"), ("쉬운", "swiun"), ("한국", "hanguk"),
]


@pytest.mark.parametrize("hangul, expected", DPRK)
def test_dprk(hangul, expected):
    assert dprk(hangul) == expected


# --- the forms compared --------------------------------------------------------------

def test_variants_are_the_distinct_folded_forms_in_order():
    assert variants("한국") == ["hanguk"]
    assert variants("조선") == ["choson", "joseon"]
    assert variants("평양") == ["pyongyang", "pyeongyang", "phyongyang"]
    assert variants("한국 경제") == ["hanguk kyongje", "hanguk gyeongje"]


def test_folded_is_the_folding_of_the_folded_fields():
    assert folded("Hanʼguk kyŏngje ŭi chʻŏnnyŏn") == "hanguk kyongje ui chonnyon"
    assert folded(mr("천년")) == fold("chʻŏnnyŏn")


if __name__ == "__main__":
    print(f"{len(word_pairs())} title words (245 $a $b $n $p against their 880):")
    print(f"  fold(mr(word)) == fold(LC's word): {mr_agreement():.2%}")
    print(f"  hangul_from_mr(LC's word) == the 880's word: {read_back_agreement():.2%}")
    print(f"{len(words_in_context())} words of whole 245 fields, romanised as a whole:")
    print(f"  fold(mr) == fold(LC): {mr_agreement_in_context():.2%}")
