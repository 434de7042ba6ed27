"""A canonical record as a citation: BibTeX, RIS, CSL-JSON (pure functions).

Names come as the catalogue writes them (MARC 100/700 $a$b$c$q$d, trimmed):
"Mabey, Charles Rendell, 1877-", "Brannt, William T. (William Theodore), 1844-",
"King, Martin Luther, Jr., 1929-1968". A name with no comma is a corporate or
meeting name ("Samsŏng Kyŏngje Yŏnʼguso", DLC:00272142; "American Psychiatric
Association. Committee on Electroconvulsive Therapy", DLC:00032794) or a single
name ("Renne", DLC:00033834); those are kept whole, never split into given/family.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from ingest.normalize import fold

FORMATS: dict[str, tuple[str, str]] = {
    # format -> (media type, file extension)
    "bibtex": ("application/x-bibtex", "bib"),
    "ris": ("application/x-research-info-systems", "ris"),
    "csl-json": ("application/vnd.citationstyles.csl+json", "json"),
}

_DATES = re.compile(r"\d")  # "1877-", "1929-1968", "b. 1950", "fl. 1890"
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v"}
# Corporate and meeting names that hold commas: "Water, Engineering, and Development
# Center", "Coasts, Oceans, Ports and Rivers Institute (American Society of Civil
# Engineers)", "Conferencia Sobre el Futuro de la Psicología en Puerto Rico (1st : 1988 :
# Río Piedras, San Juan, P.R.)" (all authors in LoC mixed-10000).
_CORPORATE = re.compile(r",.*\b(?:and|&)\s|\(.* : .*\)")
_CORPORATE_HEAD = re.compile(r"\. |\(|&|\band\b")
_FULLER = re.compile(r"\s*\([^)]*\)")  # "William T. (William Theodore)" -> "William T."


def clean(text: str | None) -> str:
    """One line: LC separates Korean words with U+3000 (``지식　경영``); citations want
    ordinary spaces, and no field of a citation may span lines."""
    return " ".join((text or "").replace("\u3000", " ").split())


def parse_name(name: str) -> dict:
    """A heading's name as CSL: ``{"family", "given"[, "suffix"]}`` or ``{"literal"}``.

    >>> parse_name("Brannt, William T. (William Theodore), 1844-")
    {'family': 'Brannt', 'given': 'William T.'}
    >>> parse_name("Samsŏng Kyŏngje Yŏnʼguso")
    {'literal': 'Samsŏng Kyŏngje Yŏnʼguso'}
    """
    name = clean(name)
    parts = [p.strip() for p in name.split(",")]
    # "Harvard University. Library" has no comma; "Korea (South). Kukhoe" neither. A
    # family part with ". " inside is a corporate hierarchy even when a comma follows;
    # one with "and" or "(" is a corporate name ("Bikol Agency for Nationalist and Human
    # Initiatives, Inc.", "Institute for Interconnecting and Packaging Electronic
    # Circuits (Northbrook, Ill.)", both mixed-10000).
    if (len(parts) < 2 or not parts[0] or not parts[1] or _CORPORATE.search(name)
            or _CORPORATE_HEAD.search(parts[0])):
        return {"literal": name}
    if _DATES.search(parts[1]):
        # A forename-only name with dates: "Imbert de Saint-Amand, 1834-1900" (mixed-10000).
        return {"literal": parts[0]}
    out = {"family": parts[0], "given": _FULLER.sub("", parts[1]).strip() or parts[1]}
    for extra in parts[2:]:
        if extra.rstrip(".").lower() in _SUFFIXES:
            out["suffix"] = extra
        # Else dates ("1828-1910") and titles ("graf", "Sir", "Dr.", "RN" in
        # "Tolstoy, Leo, graf, 1828-1910"): citations carry neither.
    return out


@cache
def _alpha2() -> dict[str, str]:
    """ISO 639-2/B -> ISO 639-1 (CSL wants a BCP 47 tag: "ko", not "kor")."""
    text = resources.files("ingest").joinpath("data", "languages.json").read_text(
        encoding="utf-8")
    return {bib: two for two, bib in json.loads(text)["alpha2"].items()}


def language_tag(code: str | None) -> str | None:
    return _alpha2().get(code, code) if code else None


def _names(record: dict) -> list[dict]:
    return [parse_name(a) for a in record.get("authors") or [] if clean(a)]


# --- BibTeX ----------------------------------------------------------------------------

_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_BIBTEX_RE = re.compile("|".join(re.escape(c) for c in _BIBTEX_SPECIAL))


def bibtex_escape(text: str | None) -> str:
    """Special characters escaped; braces become commands so every brace BibTeX sees
    is one we wrote (BibTeX counts ``\\{`` as an opening brace)."""
    return _BIBTEX_RE.sub(lambda m: _BIBTEX_SPECIAL[m.group()], clean(text))


def _key_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text).lower())


def bibtex_key(record: dict) -> str:
    """A stable key from the record alone: family name, year, first title word
    ("mabey1900utah"); the record id when those give nothing ASCII."""
    names = _names(record)
    who = ""
    if names:
        first = names[0]
        who = _key_word(first.get("family") or first.get("literal", "").split(" ")[0])
    words = [w for w in (_key_word(w) for w in clean(record.get("title")).split())
             if w and w not in {"a", "an", "the"}]
    key = f"{who}{record.get('year') or ''}{words[0] if words else ''}"
    if not re.search(r"[a-z]", key):
        key = re.sub(r"[^A-Za-z0-9]", "", record["id"]) or "record"
    return key[:60]


def _bibtex_name(name: dict) -> str:
    if "literal" in name:
        return "{" + bibtex_escape(name["literal"]) + "}"  # braces: never split a corporate name
    # Braces keep a compound family name whole ("García de Castro Valdés, César"):
    # BibTeX would otherwise take "de" for a von part and split the name there.
    family = bibtex_escape(name["family"])
    parts = ["{" + family + "}" if " " in family else family]
    if name.get("suffix"):
        parts.append(bibtex_escape(name["suffix"]))
    parts.append(bibtex_escape(name["given"]))
    return ", ".join(parts)


def bibtex(record: dict) -> str:
    """An ``@book`` entry."""
    fields: list[tuple[str, str]] = []
    names = _names(record)
    if names:
        fields.append(("author", " and ".join(_bibtex_name(n) for n in names)))
    fields.append(("title", bibtex_escape(record.get("title") or record.get("title_original")
                                          or "[untitled]")))
    for name, value in (("year", record.get("year")), ("publisher", record.get("publisher")),
                        ("address", record.get("place")),
                        ("isbn", ", ".join(record.get("isbn") or [])),
                        ("language", record.get("language_name"))):
        if value not in (None, ""):
            fields.append((name, bibtex_escape(str(value))))
    if record.get("title_original") and record.get("title"):
        fields.append(("note", "Original title: " + bibtex_escape(record["title_original"])))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@book{{{bibtex_key(record)},\n{body}\n}}\n"


# --- RIS -------------------------------------------------------------------------------

def _ris_name(name: dict) -> str:
    if "literal" in name:
        return name["literal"]
    return ", ".join(p for p in (name["family"], name["given"], name.get("suffix")) if p)


def ris(record: dict) -> str:
    """A ``TY  - BOOK`` record, CRLF line ends as the RIS specification writes them."""
    lines: list[tuple[str, str]] = [("TY", "BOOK")]
    lines += [("AU", _ris_name(n)) for n in _names(record)]
    lines.append(("TI", record.get("title") or record.get("title_original") or "[untitled]"))
    if record.get("title_original") and record.get("title"):
        lines.append(("N1", "Original title: " + record["title_original"]))
    if record.get("year") is not None:
        lines.append(("PY", str(record["year"])))
    lines += [(tag, record[field]) for tag, field in
              (("PB", "publisher"), ("CY", "place"), ("LA", "language_name"), ("CN", "lcc"))
              if record.get(field)]
    lines += [("SN", isbn) for isbn in record.get("isbn") or []]
    lines += [("KW", s) for s in record.get("subjects") or []]
    lines.append(("AN", record["id"]))
    lines = [(tag, clean(value)) for tag, value in lines]
    return "".join(f"{tag}  - {value}\r\n" for tag, value in lines if value) + "ER  - \r\n"


# --- CSL-JSON --------------------------------------------------------------------------

def csl_item(record: dict) -> dict:
    """One CSL-JSON item (``type`` "book")."""
    item: dict = {"id": record["id"], "type": "book",
                  "title": clean(record.get("title") or record.get("title_original"))
                  or "[untitled]"}
    names = _names(record)
    if names:
        item["author"] = names
    if record.get("year") is not None:
        item["issued"] = {"date-parts": [[int(record["year"])]]}
    for key, field in (("publisher", "publisher"), ("publisher-place", "place"),
                       ("call-number", "lcc")):
        if record.get(field):
            item[key] = clean(record[field])
    if record.get("isbn"):
        item["ISBN"] = " ".join(record["isbn"])
    if record.get("language"):
        item["language"] = language_tag(record["language"])
    if record.get("subjects"):
        item["keyword"] = ", ".join(clean(s) for s in record["subjects"])
    if record.get("title_original") and record.get("title"):
        item["note"] = "Original title: " + clean(record["title_original"])
    return item


def csl_json(record: dict) -> str:
    """A CSL-JSON document: an array of one item, as citeproc and Zotero read it."""
    return json.dumps([csl_item(record)], ensure_ascii=False, indent=2) + "\n"


RENDER = {"bibtex": bibtex, "ris": ris, "csl-json": csl_json}


def cite(record: dict, format: str) -> tuple[str, str, str]:
    """``(text, media type, file name)`` of the record in ``format`` (a key of FORMATS)."""
    media_type, ext = FORMATS[format]
    return RENDER[format](record), media_type, f"{bibtex_key(record)}.{ext}"
