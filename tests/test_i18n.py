"""The message catalogue (viz/locales) and the pure functions of viz/i18n.py: every
message the code uses is in the Korean catalogue and translated, with its placeholders
and one plural form; no page or component writes visible text outside the catalogue;
languages, numbers and record text languages as Babel's CLDR data gives them."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages import pofile
from babel.messages.extract import extract_from_dir

from viz import i18n

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "viz" / "locales" / "ko" / "LC_MESSAGES" / "shelfmap.po"
POT = ROOT / "viz" / "locales" / "shelfmap.pot"
PLACEHOLDER = re.compile(r"\{(\w+)\}")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Translations that are only placeholders and signs (a chip, a kind after a label) or a
# standard's own name.
NO_WORDS = {"× {facet}: {value}", "{label} ({kind})", "ISBN"}
# An English technical detail (a BadParameter's message) a translation may leave out.
MAY_DROP = {"detail"}


def _code_messages() -> set:
    """Every message of viz/ and of the facet and sort labels, as pybabel extracts them
    (`make messages`)."""
    found = set()
    for folder, only in ((ROOT / "viz", None), (ROOT / "index", {"facets.py", "queries.py"})):
        for filename, _lineno, message, _comments, _context in extract_from_dir(
                folder, keywords=i18n.KEYWORDS, comment_tags=()):
            if only is None or Path(filename).name in only:
                found.add(message)
    return found


def _catalogue(path: Path):
    with path.open("rb") as f:
        return pofile.read_po(f)


@pytest.fixture(scope="module")
def ko():
    return _catalogue(PO)


def test_every_message_of_the_code_is_in_the_korean_catalogue_and_translated(ko):
    code = _code_messages()
    assert code, "no messages extracted"
    in_po = {m.id for m in ko if m.id}
    assert not code - in_po, f"run `make messages` and translate: {sorted(code - in_po, key=str)}"
    assert not in_po - code, f"messages no code uses: {sorted(in_po - code, key=str)}"
    untranslated = [m.id for m in ko if m.id and not all(
        (m.string if isinstance(m.string, tuple) else (m.string,)))]
    assert not untranslated
    assert not [m.id for m in ko if m.id and m.fuzzy]


def test_the_template_is_the_code_s(ko):
    assert {m.id for m in _catalogue(POT) if m.id} == _code_messages()


def test_korean_has_one_plural_form_and_its_translations_are_korean(ko):
    assert ko.plural_forms == "nplurals=1; plural=0;"
    for m in ko:
        if not m.id:
            continue
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        assert len(strings) == 1, m.id
        if strings[0] not in NO_WORDS:
            assert HANGUL.search(strings[0]), (m.id, strings[0])


def test_placeholders_are_kept(ko):
    for m in ko:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        # Every form of an English plural names the same values.
        assert all(set(PLACEHOLDER.findall(i)) == wanted for i in ids), m.id
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for s in strings:
            got = set(PLACEHOLDER.findall(s))
            assert got <= wanted, (m.id, s)
            assert wanted - got <= MAY_DROP, (m.id, s)


def test_messages_in_each_language():
    assert i18n._("Search") == "Search"
    with i18n.using("ko"):
        assert i18n._("Search") == "검색"
        assert i18n.ngettext("{n} record", "{n} records", 1) == "자료 1건"
        assert i18n.ngettext("{n} record", "{n} records", 12345) == "자료 12,345건"
        assert i18n.ngettext("{n} record for “{query}”", "{n} records for “{query}”", 3,
                             query="한국") == "“한국” 검색 결과 3건"
        assert i18n.pieces("{heading} in original script", heading=0) == ["원문 표기: ", 0]
        # The catalogue is Korean only inside the block.
    assert i18n.ngettext("{n} record", "{n} records", 1) == "1 record"
    assert i18n.ngettext("{n} record", "{n} records", 2) == "2 records"
    assert i18n.pieces("{heading} in original script", heading=0) == [0, " in original script"]
    # A message the catalogue lacks stays English.
    with i18n.using("ko"):
        assert i18n._("not a message of shelfmap") == "not a message of shelfmap"


def test_numbers_and_language_names():
    assert i18n.number(1234567, "en") == "1,234,567"
    assert i18n.number(1234567, "ko") == "1,234,567"
    assert i18n.language_name("kor", "ko") == "한국어"
    assert i18n.language_name("chi", "ko") == "중국어"
    assert i18n.language_name("rus", "ko") == "러시아어"
    assert i18n.language_name("kor", "en") == "Korean"
    assert i18n.language_name("jpn", "en") == "Japanese"
    # Not a language CLDR names: the code stays.
    assert i18n.language_name("qqq", "ko") == "qqq"


@pytest.mark.parametrize("code, text, tag", [
    ("kor", "조선 로동당 력사", "ko"), ("kor", "Chosŏn Rodongdang yŏksa", "ko-Latn"),
    ("chi", "中國", "zh"), ("chi", "Zhongguo", "zh-Latn"), ("jpn", "日本", "ja"),
    ("rus", "Война", "ru"), ("rus", "Voĭna", "ru-Latn"), ("eng", "War", "en"),
    ("und", "x", None), (None, "x", None)])
def test_the_language_of_record_text(code, text, tag):
    assert i18n.text_lang(code, text) == tag


def test_lang_attributes_only_where_the_text_differs_from_the_interface():
    assert i18n.lang_attr("kor", "한국") == {"lang": "ko"}
    assert i18n.lang_attr("eng", "War") == {}
    with i18n.using("ko"):
        assert i18n.lang_attr("kor", "한국") == {}
        assert i18n.lang_attr("kor", "Hanʼguk") == {"lang": "ko-Latn"}
        assert i18n.lang_attr("eng", "War") == {"lang": "en"}


@pytest.mark.parametrize("header, lang", [
    ("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", "ko"), ("en-GB,en;q=0.9,ko;q=0.8", "en"),
    ("ko", "ko"), ("fr-FR,ko;q=0.5", "ko"), ("de", "en"), ("", "en"), (None, "en"),
    ("en;q=0.5,ko;q=0.6", "ko"), ("ko;q=0,en", "en"), ("ko, en", "ko"), ("en, ko", "en")])
def test_accept_language(header, lang):
    assert i18n.negotiate(header) == lang


def test_a_choice_in_the_url_wins_and_is_carried_by_links():
    assert i18n.choose("ko", "en") == i18n.Choice("ko", True)
    assert i18n.choose(["en", "ko"], "ko") == i18n.Choice("en", True)
    assert i18n.choose("xx", "ko") == i18n.Choice("ko", False)
    assert i18n.choose(None, "ko") == i18n.Choice("ko", False)
    assert i18n.with_lang("/map") == "/map"
    with i18n.using(i18n.Choice("ko", True)):
        assert i18n.with_lang("/map") == "/map?lang=ko"
        assert i18n.with_lang("/?q=x") == "/?q=x&lang=ko"
    with i18n.using(i18n.Choice("ko", False)):
        assert i18n.with_lang("/map") == "/map"
    assert i18n.switch_href("/", "q=%ED%95%9C&lang=ko&page=2", "en") == \
        "/?q=%ED%95%9C&page=2&lang=en"


# Visible text a page or component may write as it is: codes and signs.
CODES = {"LCC ", "KDC ", "DDC {}"}


def _inline_texts(node: ast.AST):
    """String constants of an expression given as a component's text, outside any call
    (a call's answer, _() or a helper, is checked where it is made)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        yield "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for item in node.elts:
            yield from _inline_texts(item)
    elif isinstance(node, ast.BinOp):
        yield from _inline_texts(node.left)
        yield from _inline_texts(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _inline_texts(node.body)
        yield from _inline_texts(node.orelse)


TEXT_PROPS = {"children", "title", "placeholder", "aria-label", "label", "alt"}


def test_no_page_or_component_writes_text_outside_the_catalogue():
    found = []
    for path in sorted((ROOT / "viz").glob("pages/*.py")) + \
            sorted((ROOT / "viz").glob("components/*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in ("html", "dcc")):
                continue
            values = list(node.args[:1])
            for kw in node.keywords:
                if kw.arg in TEXT_PROPS:
                    values.append(kw.value)
                elif kw.arg is None and isinstance(kw.value, ast.Dict):
                    values += [v for k, v in zip(kw.value.keys, kw.value.values)
                               if isinstance(k, ast.Constant) and k.value in TEXT_PROPS]
            for value in values:
                for text in _inline_texts(value):
                    if re.search(r"[A-Za-z]{2}", text) and text not in CODES:
                        found.append(f"{path.name}:{node.lineno}: {text!r}")
    assert not found, found


def test_no_module_that_translates_hides_the_translation_function():
    """``x, _ = ...`` in a function that writes ``_("...")`` makes ``_`` a local: the
    page fails with "'dict' object is not callable"."""
    found = []
    for path in sorted((ROOT / "viz").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not any(isinstance(n, ast.ImportFrom) and n.module == "viz.i18n"
                   and any(a.name == "_" for a in n.names) for n in ast.walk(tree)):
            continue
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, (ast.For, ast.AugAssign, ast.AnnAssign)) else []
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name) and name.id == "_":
                        found.append(f"{path.name}:{node.lineno}")
    assert not found, found
