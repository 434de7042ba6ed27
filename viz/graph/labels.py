"""Which labels a map view shows at which zoom, decided once per graph build.

A view is drawn in a 1000 x 1000 box (:data:`VIEW`). Zooming in by 2, 4 or 8 is band
1, 2 or 3; a label keeps its size on screen, so in the view's own units its font is
:data:`FONT` divided by the zoom (``font_size``). A label's box is estimated from its
text (:func:`text_width`: Hangul and other East Asian wide characters take a full em,
Latin letters less) and, given in priority order, each label gets the lowest band in
which its box overlaps none of the labels before it that show in that band
(:func:`bands`) and in every band above it, where labels before it may show that did
not fit lower down: no two labels overlap at any zoom.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence

import numpy as np

VIEW = 1000.0       # a view's box: 0..VIEW on both axes (the SVG's viewBox)
BANDS = 4           # zoom 1, 2, 4, 8
HIDDEN = BANDS      # the band of a label with no room at any zoom
# Font sizes at zoom 1, in view units, by what is labelled (viz/assets/map.css holds
# the same figures; tests/test_map_svg.py checks that they agree).
FONT = {"region": 30.0, "topic": 24.0, "exit": 22.0}
# Where the text sits, in ems of its own font: under a topic's dot, across the middle
# of a region's disc, beside a way out. An offset in ems scales with the font, so
# boxes stay in proportion as the band changes.
DY = {"region": 0.35, "topic": 1.45, "exit": 0.35}
# Region labels are semi-bold (map.css), a little wider than the estimate for regular.
WIDER = {"region": 1.1, "topic": 1.0, "exit": 1.0}
ASCENT, DESCENT = 0.8, 0.25   # of the em, above and below the baseline
HALO = 0.15                   # the white outline around letters, in ems, each side
MAX_CHARS = 32                # longer labels are cut (the whole label is in the title)
# Room left between two boxes, in view units: the SVG rounds places to a tenth, which
# must not turn two boxes that touch into two that overlap.
GAP = 0.2


def short(label: str, limit: int = MAX_CHARS) -> str:
    """The label as drawn: cut at a word where it is longer than ``limit``.

    >>> short("PL Languages of Eastern Asia, Africa, Oceania")
    'PL Languages of Eastern Asia,…'
    >>> short("조선")
    '조선'
    """
    label = " ".join(label.split())
    if len(label) <= limit:
        return label
    cut = label[:limit]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip() + "…"


@functools.lru_cache(maxsize=None)   # a catalogue's scripts hold a few thousand characters
def char_width(ch: str) -> float:
    """The width of one character in ems, a little generous, for the system sans fonts."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    if ch.isspace() or ch in ".,;:'’|!()[]-–":
        return 0.34
    if ch.isupper() or ch in "mwMW@%&":
        return 0.72
    return 0.58


@functools.lru_cache(maxsize=65536)
def text_width(text: str) -> float:
    """The width of ``text`` in ems (remembered: a view's labels are measured again
    each time a view is drawn).

    >>> text_width("한국") > text_width("ab")
    True
    """
    return sum(map(char_width, text))


def font_size(what: str, band: int) -> float:
    return FONT[what] / 2 ** band


def anchor(text: str, x: float, what: str) -> str:
    """Where the text hangs from its point: its middle, or, where the middle would push
    it out of the view at zoom 1, its start (near the left edge) or end (the right)."""
    half = (text_width(text) * WIDER[what] / 2 + HALO) * FONT[what]
    if x - half < 0 and x + 2 * half <= VIEW:
        return "start"
    if x + half > VIEW and x - 2 * half >= 0:
        return "end"
    return "middle"


def box(text: str, x: float, y: float, what: str, band: int) -> tuple[float, float, float, float]:
    """``(x0, y0, x1, y1)`` of the label ``text`` at the point ``(x, y)``, hung from it
    as :func:`anchor` says, halo included."""
    fs = font_size(what, band)
    width = (text_width(text) * WIDER[what] + 2 * HALO) * fs
    how = anchor(text, x, what)
    x0 = x - width / 2 if how == "middle" else x - HALO * fs if how == "start" \
        else x - width + HALO * fs
    baseline = y + DY[what] * fs
    return (x0, baseline - (ASCENT + HALO) * fs, x0 + width,
            baseline + (DESCENT + HALO) * fs)


def overlaps(a: Sequence[float], b: Sequence[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _fits(b: tuple[float, float, float, float], shown: np.ndarray) -> bool:
    x0, y0, x1, y1 = b[0] - GAP, b[1] - GAP, b[2] + GAP, b[3] + GAP
    return not np.any((shown[:, 0] < x1) & (x0 < shown[:, 2]) & (shown[:, 1] < y1)
                      & (y0 < shown[:, 3]))


def bands(texts: Sequence[str], xs: Sequence[float], ys: Sequence[float],
          whats: Sequence[str]) -> list[int]:
    """The band from which each label shows, given in priority order (the first is the
    most important); :data:`HIDDEN` where no band has room for it.

    >>> bands(["Korea", "Korea", "Sijo", "Korea"], [500, 530, 900, 501],
    ...       [500, 500, 100, 500], ["topic"] * 4)
    [0, 2, 0, 4]
    """
    n = len(texts)
    out = [HIDDEN] * n
    # Per band, the boxes of the labels shown so far, as growing arrays.
    shown = [np.empty((n, 4)) for _ in range(BANDS)]
    count = [0] * BANDS
    for i in range(n):
        for b in range(BANDS):
            # Shown from band b, the label must clear, in every band from b up, the
            # labels before it shown there (one shown only from a higher band too).
            if all(_fits(box(texts[i], xs[i], ys[i], whats[i], z), shown[z][:count[z]])
                   for z in range(b, BANDS)):
                out[i] = b
                break
        if out[i] != HIDDEN:
            # It takes its room in its band and every one above.
            for b in range(out[i], BANDS):
                shown[b][count[b]] = box(texts[i], xs[i], ys[i], whats[i], b)
                count[b] += 1
    return out
