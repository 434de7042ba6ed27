"""The language switch at the top of every page: 한국어 | English, plain links to the
same view in the other language (a page load, so the document's own ``lang`` follows;
they work without scripts). Each language is named in itself."""

from __future__ import annotations

from dash import html

from viz import i18n


def language_switch() -> html.Nav:
    path, query = i18n.page_url()
    here = i18n.current().lang
    items: list = []
    for n, lang in enumerate(i18n.LANGUAGES[::-1]):   # 한국어 first: the library's own
        if n:
            items.append(html.Span(" | ", **{"aria-hidden": "true"}))
        name = i18n.NATIVE_NAMES[lang]
        if lang == here:
            items.append(html.Strong(name, lang=lang, **{"aria-current": "true"}))
        else:
            items.append(html.A(name, href=i18n.switch_href(path, query, lang), lang=lang,
                                hrefLang=lang, id=f"lang-{lang}"))
    return html.Nav(items, className="sm-langs", id="lang-switch",
                    **{"aria-label": i18n._("Language")})
