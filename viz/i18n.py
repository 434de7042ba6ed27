"""The interface's languages: English, the source, and Korean, from one gettext
catalogue (viz/locales/<lang>/LC_MESSAGES/shelfmap.po, whose msgids are the English
strings), with numbers and language names from Babel's CLDR data.

A request's language is chosen once, before its view runs (:func:`install`): the
``lang`` argument of the page's own URL when the visitor chose one (``?lang=ko``; then
every link and form of the page carries it), else the browser's ``Accept-Language``
(then links carry none, and the answer says ``Vary: Accept-Language``). The page's
URL is the request's own for a first paint, the ``page`` argument of Dash's layout
request, and for a callback the ``search`` of Dash's location that the callback
reads, so Dash's own drawing in the browser speaks the language of the first paint.

Code says ``_("English text", name=value)`` and ``ngettext(singular, plural, n)``
(``{n}`` is the count, written for the language); texts made at import time are marked
``N_("...")`` and translated where shown. ``make messages`` extracts them all into the
template and the Korean catalogue; tests/test_i18n.py fails when one is missing or
untranslated.

The catalogue is compiled from its ``.po`` in memory when a process first needs it
(``babel.messages.pofile`` -> ``mofile``): a fresh checkout works with no build step,
and no compiled file can fall behind its source.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from babel import Locale
from babel.core import get_global
from babel.messages import mofile, pofile
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

LANGUAGES = ("en", "ko")
SOURCE = "en"
DEFAULT = "en"
DOMAIN = "shelfmap"
LOCALES = Path(__file__).resolve().parent / "locales"
PARAMETER = "lang"
# The functions whose first arguments are messages (pybabel extract -k, and the
# catalogue's test).
KEYWORDS = {"_": None, "N_": None, "pieces": None, "ngettext": (1, 2)}
# Each language's name in itself, for the switch (not translated: a visitor looks for
# their own language's name).
NATIVE_NAMES = {"ko": "한국어", "en": "English"}


@dataclasses.dataclass(frozen=True)
class Choice:
    """A request's interface language, and whether the visitor chose it in the URL
    (then the page's links carry it: ``url_lang``)."""

    lang: str = DEFAULT
    chosen: bool = False

    @property
    def url_lang(self) -> str | None:
        return self.lang if self.chosen else None

    @property
    def key(self) -> tuple[str, str | None]:
        """What a drawing that holds text and links depends on."""
        return self.lang, self.url_lang


_choice: contextvars.ContextVar[Choice] = contextvars.ContextVar("shelfmap_lang",
                                                                 default=Choice())
_page: contextvars.ContextVar[tuple[str, str]] = contextvars.ContextVar(
    "shelfmap_page", default=("/", ""))


def N_(message: str) -> str:
    """Marks a text made at import time for the catalogue; translate it where shown."""
    return message


@functools.lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    """The catalogue of ``lang``, compiled from its .po (English: the msgids)."""
    if lang == SOURCE:
        return NullTranslations()
    path = LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as source:
        catalog = pofile.read_po(source, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    mofile.write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def current() -> Choice:
    return _choice.get()


@contextlib.contextmanager
def using(choice: Choice | str) -> Iterator[Choice]:
    """Run the block in ``choice`` (a language code: not chosen in the URL)."""
    choice = Choice(choice) if isinstance(choice, str) else choice
    token = _choice.set(choice)
    try:
        yield choice
    finally:
        _choice.reset(token)


def _(message: str, **values) -> str:
    """``message`` in the current language, its ``{name}`` placeholders filled."""
    text = translations(current().lang).gettext(message)
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, n: int, **values) -> str:
    """The plural form for ``n`` in the current language; ``{n}`` is ``n`` written as
    the language writes numbers."""
    text = translations(current().lang).ngettext(singular, plural, n)
    return text.format(n=number(n), **values)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def pieces(message: str, **values) -> list:
    """``message`` in the current language as a list of its text and ``values`` (Dash
    components or text), each placeholder replaced where the translation puts it:
    ``pieces("{heading} in original script", heading=html.Span(...))``."""
    text = translations(current().lang).gettext(message)
    out: list = []
    for i, part in enumerate(_PLACEHOLDER.split(text)):
        if i % 2:
            out.append(values[part])
        elif part:
            out.append(part)
    return out


def number(n: int | float, lang: str | None = None) -> str:
    """A number as ``lang`` (default: the current language) writes it (1,234)."""
    return format_decimal(n, locale=lang or current().lang)


def negotiate(accept_language: str | None) -> str:
    """The interface language for an ``Accept-Language`` header: Korean when the
    browser prefers it to English, else English.

    >>> negotiate("ko-KR,ko;q=0.9,en-US;q=0.8"), negotiate("en-GB,ko;q=0.5")
    ('ko', 'en')
    >>> negotiate("fr, ko;q=0.3"), negotiate(None), negotiate("de")
    ('ko', 'en', 'en')
    """
    best: dict[str, tuple[float, int]] = {}
    for order, part in enumerate((accept_language or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        primary = tag.strip().split("-")[0].lower()
        if primary not in LANGUAGES:
            continue
        quality = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                continue
        if quality > 0 and (primary not in best or best[primary][0] < quality):
            best[primary] = (quality, -order)
    if not best:
        return DEFAULT
    return max(best, key=lambda lang: best[lang])


def choose(asked, accept_language: str | None) -> Choice:
    """The choice for a page whose URL says ``lang=asked`` (None, or a list when given
    twice: the first) and a browser that sends ``accept_language``. A ``lang`` that is
    not one of :data:`LANGUAGES` counts as not given."""
    if isinstance(asked, (list, tuple)):
        asked = asked[0] if asked else None
    if isinstance(asked, str) and asked.strip().lower() in LANGUAGES:
        return Choice(asked.strip().lower(), True)
    return Choice(negotiate(accept_language), False)


def with_lang(href: str, lang: str | None = None) -> str:
    """``href`` (a path of this site, with or without a query) carrying ``lang`` (the
    current choice's URL language by default; nothing when there is none)."""
    lang = lang if lang is not None else current().url_lang
    if not lang:
        return href
    return href + ("&" if "?" in href else "?") + urlencode([(PARAMETER, lang)])


def switch_href(path: str, query: str, lang: str) -> str:
    """The address of the page ``path`` + ``query`` in ``lang``: the same view, its
    ``lang`` argument replaced."""
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != PARAMETER]
    return path + "?" + urlencode(kept + [(PARAMETER, lang)])


def page_url() -> tuple[str, str]:
    """(path, query) of the page the current request draws."""
    return _page.get()


@contextlib.contextmanager
def drawing(path: str, query: str, choice: Choice) -> Iterator[Choice]:
    """Draw the page at ``path`` + ``query`` in ``choice``."""
    page_token = _page.set((path, query))
    try:
        with using(choice):
            yield choice
    finally:
        _page.reset(page_token)


# Language codes: records carry MARC's ISO 639-2/B codes ("kor", "chi"); Babel and the
# HTML lang attribute use ISO 639-1 where there is one ("ko", "zh").
@functools.lru_cache(maxsize=1)
def _alpha2() -> dict[str, str]:
    from ingest.languages import code

    out = {}
    for two in Locale("en").languages:
        if len(two) == 2 and two.isalpha():
            three = code(two)
            if three and three != two:
                out.setdefault(three, two)
    return out


NO_LANGUAGE = frozenset({"und", "mul", "zxx", "mis"})


def bcp47(code: str | None) -> str | None:
    """The language tag of a record's language code ("kor" -> "ko"); None when the
    record says no language (or several)."""
    if not code:
        return None
    code = code.strip().lower()
    if code in NO_LANGUAGE or not code.isalpha():
        return None
    return _alpha2().get(code, code)


def language_name(code: str | None, lang: str | None = None) -> str | None:
    """A record's language (its ISO 639 code) named in ``lang`` (default: the current
    language): "kor" -> "Korean" or "한국어"; the English name, else the code itself,
    when CLDR has none."""
    if not code:
        return None
    tag = bcp47(code) or code
    name = Locale.parse(lang or current().lang).languages.get(tag)
    if name:
        return name
    from ingest.languages import name as english_name

    return english_name(code) or code


def kdc_label(division: str | None, lang: str | None = None) -> str | None:
    """A KDC division with its caption in ``lang`` (default: the current language):
    "910 아시아" or "910 Asia"; the number alone when the table has no caption."""
    if not division:
        return None
    from ingest import kdc

    caption = kdc.caption(division, lang or current().lang)
    return f"{division} {caption}" if caption else division


def _script(tag: str) -> str | None:
    """The script CLDR says ``tag`` is most likely written in ("ko" -> "Kore")."""
    likely = get_global("likely_subtags").get(tag) or ""
    return next((part for part in likely.split("_")[1:] if len(part) == 4), None)


def _is_latin(text: str) -> bool:
    # Modifier letters (Lm) are the romanisation's own: Tanʼgun, Pʻyŏngyang.
    return not any(ch.isalpha() and unicodedata.category(ch) != "Lm"
                   and not unicodedata.name(ch, "").startswith("LATIN") for ch in text)


@functools.lru_cache(maxsize=512)
def _text_lang(tag: str, latin: bool) -> str:
    return f"{tag}-Latn" if latin and _script(tag) not in (None, "Latn") else tag


def text_lang(code: str | None, text: str | None) -> str | None:
    """The language tag of a record's text (a title) in the record's language ``code``:
    "ko" for Hangul or Hanja, "ko-Latn" for a romanised Korean title, "zh", "ja",
    "ru" likewise; None when the record says no language.

    >>> text_lang("kor", "한국 경제"), text_lang("kor", "Hanʼguk kyŏngje"), text_lang("eng", "War")
    ('ko', 'ko-Latn', 'en')
    """
    tag = bcp47(code)
    if tag is None or not text:
        return None
    return _text_lang(tag, _is_latin(text))


def lang_attr(code: str | None, text: str | None) -> dict:
    """``{"lang": tag}`` for record text whose language is not the interface's."""
    tag = text_lang(code, text)
    return {"lang": tag} if tag and tag != current().lang else {}
