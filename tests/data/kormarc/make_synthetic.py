"""Write lc-korean-with-kdc.mrc: real LC Korean records given the KDC a Korean library
would assign them, some also catalogued as a Korean library would (see PROVENANCE.md).

    .venv/bin/python tests/data/kormarc/make_synthetic.py

Reads tests/data/loc-books-2016/korean-all.mrc (LC's records, unchanged there) and
writes the file beside this script; rerunning gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import pymarc

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parent / "loc-books-2016" / "korean-all.mrc"
OUT = HERE / "lc-korean-with-kdc.mrc"
SOURCE_CODE = "KORSYN"  # 003: not LC's records any more, and not a real library's

# LC control number -> (KDC number, author mark for 090 $b), assigned by hand from each
# record's title, subjects and LC class as a Korean library classes with KDC 6.
KDC = {
    "00272145": ("320.9", "지64"), "00272167": ("334.22", "성94"),
    "00272183": ("340.911", "김74"), "00292247": ("813.6", "정64ㅂ"),
    "00292251": ("813.6", "중17"), "00292280": ("325.04", "강92"),
    "00292659": ("909.82", "그22"), "00292667": ("813.6", "최66ㅇ"),
    "00314025": ("811.609", "최32ㅅ"), "00314043": ("812.609", "한17"),
    "00314049": ("911.007", "왜15"), "00314267": ("070.92", "한17"),
    "00314347": ("331.2", "사94"), "00321437": ("366.304", "노22"),
    "00321973": ("911.034", "발92"), "00385225": ("340.911", "현22"),
    "00385230": ("340.911", "한17ㅎ"), "00385252": ("911.0723", "미18"),
    "00385390": ("813.6", "이96ㅌ"), "00385405": ("365.42", "부25"),
    "00422047": ("813.6", "신14ㄸ"), "00422149": ("911.02", "고18"),
    "00422192": ("810.906", "대67"), "00422238": ("331.47", "농64"),
    "00422555": ("320.911", "새83"), "00422576": ("911", "한17ㅇ"),
    "00438007": ("320.911", "한17ㅅ"), "00438067": ("365.1", "민44"),
    "00505169": ("811.6", "작15"), "00505207": ("981.1", "반25"),
    "00505251": ("811.08", "역23"), "00505263": ("813.5", "춘96"),
    "00505629": ("813.8", "책68"), "00692774": ("340.911", "남47"),
    "00692994": ("911.032", "고18ㅅ"),
}
# These are also catalogued as a Korean library catalogues: the title and names in
# Hangul in 245 and 1XX/7XX themselves (the 880s moved in), no LC call number (050).
KORMARC_STYLE = {"00272145", "00292247", "00292280", "00314049", "00385230",
                 "00422149", "00422555", "00438067", "00505263", "00692774"}


def _linked(record: pymarc.Record, tag: str) -> pymarc.Field | None:
    for field in record.get_fields("880"):
        if (field.get_subfields("6") or [""])[0].startswith(tag + "-"):
            return field
    return None


def _as_kormarc(record: pymarc.Record) -> None:
    for field in list(record.fields):
        if field.tag in ("245", "100", "110", "260", "264", "700", "710"):
            original = _linked(record, field.tag)
            if original is not None:
                subfields = [s for s in original.subfields if s.code != "6"]
                record.remove_field(field)
                record.add_ordered_field(pymarc.Field(tag=field.tag,
                                                      indicators=list(original.indicators),
                                                      subfields=subfields))
    for field in record.get_fields("880", "050", "066"):
        record.remove_field(field)


def main() -> None:
    written = 0
    with open(SOURCE, "rb") as f, open(OUT, "wb") as out:
        for record in pymarc.MARCReader(f, to_unicode=True, force_utf8=True):
            number = record["001"].data.strip()
            if number not in KDC:
                continue
            kdc, mark = KDC[number]
            record["003"].data = SOURCE_CODE
            if number in KORMARC_STYLE:
                _as_kormarc(record)
            record.add_ordered_field(pymarc.Field(
                tag="056", indicators=[" ", " "],
                subfields=[pymarc.Subfield("a", kdc), pymarc.Subfield("2", "6")]))
            record.add_ordered_field(pymarc.Field(
                tag="090", indicators=[" ", " "],
                subfields=[pymarc.Subfield("a", kdc), pymarc.Subfield("b", mark)]))
            out.write(record.as_marc())
            written += 1
    assert written == len(KDC), f"{written} of {len(KDC)} records found"
    print(f"{OUT}: {written} records")


if __name__ == "__main__":
    main()
