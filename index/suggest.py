"""Search-as-you-type: prefix suggestions of titles, subjects and names.

One completion suggester per kind (``index.documents.SUGGEST_FIELDS``), all in one
request. A prefix is tried as typed and folded to plain ASCII ("Hanʼgu" and "hangu" both
meet the folded inputs of "Hanʼguk ..."); a Cyrillic prefix is also tried in ALA-LC
romanisation, because LC's Russian records carry only romanised titles; a Korean prefix
is also tried as the letters that type it, which meets a Korean value's letters while a
syllable is still being composed (한ㄱ -> 한국...) and its initial consonants when only
those are typed (ㅎㄱㄱㅈ -> 한국 경제...). Suggestions are shown as the record writes
them, never in their folded or lettered form.
"""

from __future__ import annotations

from elasticsearch import ApiError, Elasticsearch, TransportError

from index import analysis, korean
from index.documents import SUGGEST_FIELDS
from index.queries import clean_text
from index.search import SearchUnavailable

MAX_SIZE = 20
MAX_TEXT_CHARS = 100
MAX_PREFIX_CHARS = 60  # the completion fields' max_input_length: longer never matches
KINDS: tuple[str, ...] = tuple(SUGGEST_FIELDS)  # the order suggestions alternate in
_SOURCE = ("title", "title_original", "subjects", "subjects_original", "authors",
           "authors_original")


def prefixes(q: str) -> list[str]:
    """The forms of a typed prefix to look up: as typed, folded, romanised."""
    from ingest.normalize import fold

    q = clean_text(q or "")[:MAX_PREFIX_CHARS].strip()
    if not q:
        return []
    forms = [q, fold(q)]
    if analysis.has_cyrillic(q):
        forms.append(analysis.romanize_cyrillic(fold(q)))
    if korean.has_hangul(q):
        forms.append(korean.letters(q))
    out: list[str] = []
    for form in forms:
        if form and form.lower() not in {f.lower() for f in out}:
            out.append(form)
    return out


def suggest_body(q: str, size: int = 8) -> dict | None:
    """The search request asking every kind for ``q``'s completions (None: nothing to ask)."""
    forms = prefixes(q)
    if not forms:
        return None
    # Ask for more than needed: folded twins and other kinds' duplicates are dropped.
    per_kind = min(2 * size, 2 * MAX_SIZE)
    suggesters = {
        f"{kind}-{n}": {"prefix": form,
                        "completion": {"field": field, "size": per_kind,
                                       "skip_duplicates": True}}
        for kind, field in SUGGEST_FIELDS.items()
        for n, form in enumerate(forms)
    }
    return {"suggest": suggesters, "_source": list(_SOURCE), "size": 0}


def _shown(kind: str, text: str, src: dict) -> str:
    """The value as the record writes it, for an option that matched ``text``: perhaps
    a folded input, and cut at the fields' max_input_length (Elasticsearch returns the
    indexed surface form, "Istorii︠a︡ Kryma : khronika vekov, molodinskai︠a︡ bitv")."""
    from ingest.normalize import fold

    if kind == "title":
        values = [src.get("title"), src.get("title_original")]
    elif kind == "subject":
        values = [s.split(" -- ")[0] for s in src.get("subjects") or []]
        values += src.get("subjects_original") or []
    else:
        values = list(src.get("authors") or []) + list(src.get("authors_original") or [])
    values = [v.strip() for v in values if v and v.strip()]
    for same in (lambda v: v == text, lambda v: v.startswith(text),
                 lambda v: fold(v).startswith(text),
                 lambda v: korean.letters(v).startswith(text),
                 lambda v: korean.initials(v).startswith(text)):
        for value in values:
            if same(value):
                return _clip(value)
    return _clip(text)


def _clip(text: str) -> str:
    """At most MAX_TEXT_CHARS, cut at a word: suggestions travel to slow phones."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    cut = text[:MAX_TEXT_CHARS].rsplit(None, 1)[0]
    return cut.rstrip(" :;,/=") + "…"


def suggest(es: Elasticsearch, alias: str, q: str, size: int = 8) -> dict:
    """``{"suggestions": [{"text", "kind": "title"|"subject"|"author", "id"}]}``.

    ``id`` is the record id of a title suggestion, None for subjects and names. At most
    ``size`` (1..20) suggestions, no text twice, kinds alternating (title, subject,
    author) so one kind cannot crowd out the others. Raises
    :class:`index.search.SearchUnavailable` when the cluster fails.
    """
    size = max(1, min(int(size), MAX_SIZE))
    body = suggest_body(q, size)
    if body is None:
        return {"suggestions": []}
    try:
        resp = es.search(index=alias, **body)
    except (ApiError, TransportError) as exc:
        raise SearchUnavailable(f"suggest on {alias!r} failed: {type(exc).__name__}") from exc
    by_kind: dict[str, list[dict]] = {kind: [] for kind in KINDS}
    seen: set[str] = set()
    for name, entries in (resp.get("suggest") or {}).items():
        kind = name.rsplit("-", 1)[0]
        for entry in entries:
            for option in entry.get("options", []):
                text = _shown(kind, option["text"], option.get("_source") or {})
                key = text.casefold()
                if key in seen:
                    continue
                seen.add(key)
                by_kind[kind].append({"text": text, "kind": kind,
                                      "id": option["_id"] if kind == "title" else None})
    out: list[dict] = []
    queues = [list(by_kind[kind]) for kind in KINDS]
    while len(out) < size and any(queues):
        for queue in queues:
            if queue and len(out) < size:
                out.append(queue.pop(0))
    return {"suggestions": out}
