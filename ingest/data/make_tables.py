"""Regenerate the bundled tables from their sources (run by hand, never at import).

    python ingest/data/make_tables.py OUTLINE_RESULTS_JSON ISO_639_2_JSON

OUTLINE_RESULTS_JSON is results.json of thisismattmiller/lcc-pdf-to-json; ISO_639_2_JSON
is iso_639-2.json of Debian's iso-codes (/usr/share/iso-codes/json/). PROVENANCE.md says
which versions were used and what the conversion changes.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The outline's broken ranges (stop < start). Four abbreviate the stop's integer part
# ("JC328.6-.65"), which we restore; two are misprints with no knowable stop, dropped.
_ABBREVIATED_STOP = re.compile(r"^[A-Z]+(\d+)\.\d+-(\.\d+)$")

# Codes the MARC Code List for Languages still uses on old records but that ISO 639-2
# no longer has (the list marks them obsolete with a hyphen). Names as in that list.
MARC_OBSOLETE = {
    "ajm": "Aljamía", "cam": "Khmer", "esk": "Eskimo languages", "esp": "Esperanto",
    "eth": "Ethiopic", "far": "Faroese", "fri": "Frisian", "gae": "Scottish Gaelic",
    "gag": "Galician", "gua": "Guarani", "int": "Interlingua", "iri": "Irish",
    "kus": "Kusaie", "lan": "Occitan (post 1500)", "lap": "Sami", "max": "Manx",
    "mla": "Malagasy", "mol": "Moldavian", "sao": "Samoan", "scc": "Serbian",
    "scr": "Croatian", "sho": "Shona", "snh": "Sinhalese", "sso": "Sotho", "swz": "Swazi",
    "tag": "Tagalog", "taj": "Tajik", "tar": "Tatar", "tru": "Truk", "tsw": "Tswana",
}


def outline(source: Path) -> tuple[dict, list[str]]:
    data = json.loads(source.read_text(encoding="utf-8"))
    out: dict[str, list] = {}
    notes: list[str] = []
    for prefix in sorted(data):
        rows = []
        for r in data[prefix]:
            start, stop = r["start"], r["stop"]
            if stop < start:
                m = _ABBREVIATED_STOP.match(r["id"])
                if not m:
                    notes.append(f"dropped {r['id']} (stop {stop} < start {start})")
                    continue
                stop = float(m.group(1) + m.group(2))
                notes.append(f"{r['id']}: stop {r['stop']} -> {stop}")
            caption = re.sub(r"\s+", " ", r["subject"]).strip()
            rows.append([r["id"], _num(start), _num(stop), caption, r["parents"]])
        out[prefix] = rows
    return out, notes


def _num(x: float):
    return int(x) if float(x).is_integer() else x


def languages(source: Path) -> dict:
    rows = json.loads(source.read_text(encoding="utf-8"))["639-2"]
    names, alpha2, terminology = {}, {}, {}
    for r in rows:
        code = r.get("bibliographic", r["alpha_3"])
        # "Spanish; Castilian" -> "Spanish": the first name is the one the MARC list uses.
        names[code] = r["name"].split("; ")[0]
        if "alpha_2" in r:
            alpha2[r["alpha_2"]] = code
        if code != r["alpha_3"]:
            terminology[r["alpha_3"]] = code
    for code, name in MARC_OBSOLETE.items():
        names.setdefault(code, name)
    return {"names": dict(sorted(names.items())), "alpha2": dict(sorted(alpha2.items())),
            "terminology": dict(sorted(terminology.items()))}


def main(outline_src: str, iso_src: str) -> None:
    table, notes = outline(Path(outline_src))
    (HERE / "lcc_outline.json").write_text(
        json.dumps(table, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    (HERE / "languages.json").write_text(
        json.dumps(languages(Path(iso_src)), ensure_ascii=False, indent=0) + "\n",
        encoding="utf-8")
    print("\n".join(notes))


if __name__ == "__main__":
    main(*sys.argv[1:])
