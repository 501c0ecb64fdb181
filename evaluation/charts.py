"""The dashboard's charts redrawn as static SVG for the PDF (plotly.js needs a browser; the report must not).

Same colours (Okabe–Ito) and the same rule as the dashboard: the count is printed on every segment, so colour is
never the only carrier of meaning. The SVG is written here directly, a rectangle per bar and a `<text>` per word:
WeasyPrint draws SVG itself, in Python, one element at a time, and matplotlib's SVG of the same charts held four
times the elements (a group, a clip path and a path per bar, every tick a `<use>` of a `<defs>` path) and took 1.2 s
to draw before WeasyPrint spent another second on it. Output is deterministic (no date, no random ids), so a final
report regenerates byte for byte. Text stays text, set by WeasyPrint in the document's Noto Sans CJK, so the words
of the charts are searchable in the PDF.
"""

from __future__ import annotations

import base64
import math
from xml.sax.saxutils import escape

STATUS_COLOURS = {
    "achieved": "#009E73",
    "met_by_date": "#00603F",
    "completed": "#009E73",
    "on_track": "#0072B2",
    "in_progress": "#0072B2",
    "on_time": "#009E73",
    "at_risk": "#E69F00",
    "late": "#E69F00",
    "behind": "#D55E00",
    "off_track": "#D55E00",
    "missed_by_date": "#8F1D1D",
    "missing": "#D55E00",
    "not_started": "#CC79A7",
    "awaiting_city": "#CC79A7",
    "no_data": "#999999",
    "no_update": "#999999",
    "baseline_missing": "#BBBBBB",
    "pending": "#DDDDDD",
}
CJK_FAMILY = "Noto Sans CJK SC"
WIDTH = 518.4  # points: 7.2 in, scaled by the page to the text's width
ROW = 27.36  # one stacked bar's row (0.38 in); the bar fills 80 % of it
SCORE_ROW = 15.84  # one unit's row in the scores chart (0.22 in)
AXIS = "#333"


def stacked_bars(
    rows: list[tuple[str, dict[str, int]]], order: list[str], labels: dict[str, str], *, title: str
) -> str:
    """Horizontal stacked bars, one per row (an area, a quarter), one segment per status with its count printed."""
    shown = [s for s in order if any(counts.get(s, 0) for _, counts in rows)]
    left = 8 + max((_text_width(name, 7.5) for name, _ in rows), default=0) + 6
    right = WIDTH - 11
    top = 26
    plot = ROW * max(1, len(rows))
    longest = max((sum(c.get(s, 0) for s in order) for _, c in rows), default=0) or 1
    ticks = _ticks(longest * 1.05)
    scale = (right - left) / (longest * 1.05)
    legend_rows = math.ceil(len(shown) / 4)
    height = top + plot + 44 + 13 * legend_rows
    out = _open(height, title)
    for i, (_, counts) in enumerate(rows):
        y = top + i * ROW + ROW * 0.1
        x = left
        for status in shown:
            count = counts.get(status, 0)
            if not count:
                continue
            w = count * scale
            colour = STATUS_COLOURS.get(status, "#777")
            out.append(
                f'<rect x="{x:.2f}" y="{y:.2f}" width="{w:.2f}" height="{ROW * 0.8:.2f}" fill="{colour}" '
                f'stroke="#fff" stroke-width="0.8"/>'
            )
            ink = "#333" if status == "pending" else "#fff"
            out.append(_text(x + w / 2, y + ROW * 0.4 + 2.5, str(count), 7, anchor="middle", fill=ink))
            x += w
    out += _y_axis(rows, left, top, ROW, 7.5)
    out += _x_axis(ticks, left, top + plot, scale)
    # The legend below the axis, four to a line in columns of equal width, centred under the bars.
    cell = 19 + max((_text_width(labels.get(s, s), 7) for s in shown), default=0) + 14
    start = (left + right) / 2 - cell * min(4, len(shown)) / 2
    for n, status in enumerate(shown):
        lx = start + (n % 4) * cell
        ly = top + plot + 34 + 13 * (n // 4)
        colour = STATUS_COLOURS.get(status, "#777")
        out.append(f'<rect x="{lx:.2f}" y="{ly - 6:.2f}" width="14" height="7" fill="{colour}"/>')
        out.append(_text(lx + 19, ly, labels.get(status, status), 7))
    return _close(out)


def score_bars(rows: list[tuple[str, float | None]], *, title: str, bands: list[tuple[float, str]]) -> str:
    """One bar per unit's total score, with the band edges drawn as dashed lines and the score printed."""
    left = 8 + max((_text_width(name, 6.5) for name, _ in rows), default=0) + 6
    right = WIDTH - 11
    top = 40
    plot = SCORE_ROW * max(1, len(rows)) + 8
    scale = (right - left) / 105
    height = top + plot + 28
    out = _open(height, title)
    for i, (_, value) in enumerate(rows):
        value = value or 0
        y = top + 4 + i * SCORE_ROW
        out.append(
            f'<rect x="{left:.2f}" y="{y + SCORE_ROW * 0.1:.2f}" width="{value * scale:.2f}" '
            f'height="{SCORE_ROW * 0.8:.2f}" fill="#0072B2"/>'
        )
        out.append(_text(left + value * scale + 3, y + SCORE_ROW / 2 + 2.3, f"{value:.1f}", 6.5))
    for edge, label in bands:
        x = left + edge * scale
        out.append(
            f'<line x1="{x:.2f}" y1="{top - 4}" x2="{x:.2f}" y2="{top + plot:.2f}" stroke="#555" '
            f'stroke-width="0.7" stroke-dasharray="2.6 1.1"/>'
        )
        out.append(_text(x, top - 7, label, 6.5, anchor="middle", fill="#555"))
    out += _y_axis(rows, left, top + 4, SCORE_ROW, 6.5)
    out += _x_axis([0, 20, 40, 60, 80, 100], left, top + plot, scale)
    return _close(out)


def as_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _open(height: float, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}pt" height="{height:.2f}pt" '
        f'viewBox="0 0 {WIDTH} {height:.2f}" font-family="{CJK_FAMILY}">',
        _text(8, 16, title, 10),
    ]


def _close(out: list[str]) -> str:
    out.append("</svg>")
    return "\n".join(out)


def _y_axis(rows: list, left: float, top: float, row: float, size: float) -> list[str]:
    """Each row's name right-aligned against the axis line, with its tick."""
    out = [
        f'<line x1="{left:.2f}" y1="{top:.2f}" x2="{left:.2f}" y2="{top + row * len(rows):.2f}" stroke="{AXIS}" '
        f'stroke-width="0.8"/>'
    ]
    for i, (name, _) in enumerate(rows):
        y = top + i * row + row / 2
        out.append(
            f'<line x1="{left - 3.5:.2f}" y1="{y:.2f}" x2="{left:.2f}" y2="{y:.2f}" stroke="{AXIS}" '
            f'stroke-width="0.8"/>'
        )
        out.append(_text(left - 6, y + size * 0.35, name, size, anchor="end"))
    return out


def _x_axis(ticks: list[float], left: float, y: float, scale: float) -> list[str]:
    out = [
        f'<line x1="{left:.2f}" y1="{y:.2f}" x2="{WIDTH - 11:.2f}" y2="{y:.2f}" stroke="{AXIS}" stroke-width="0.8"/>'
    ]
    for tick in ticks:
        x = left + tick * scale
        out.append(
            f'<line x1="{x:.2f}" y1="{y:.2f}" x2="{x:.2f}" y2="{y + 3.5:.2f}" stroke="{AXIS}" stroke-width="0.8"/>'
        )
        out.append(_text(x, y + 12, f"{tick:g}", 7, anchor="middle"))
    return out


def _ticks(end: float) -> list[float]:
    """Whole round steps (1, 2, 2.5 or 5 times a power of ten) from 0 up to `end`, at most eight of them."""
    step = 1.0
    for power in range(max(0, int(math.floor(math.log10(end))) - 1), 12):
        step = next((b * 10**power for b in (1, 2, 2.5, 5) if b * 10**power >= 1 and end / (b * 10**power) <= 8), 0)
        if step:
            break
    return [round(step * i, 6) for i in range(int(end / step + 1e-9) + 1)]


def _text(x: float, y: float, words: str, size: float, *, anchor: str = "start", fill: str = "#000") -> str:
    anchor_attr = "" if anchor == "start" else f' text-anchor="{anchor}"'
    fill_attr = "" if fill == "#000" else f' fill="{fill}"'
    return f'<text x="{x:.2f}" y="{y:.2f}" font-size="{size}"{anchor_attr}{fill_attr}>{escape(words)}</text>'


def _text_width(words: str, size: float) -> float:
    """The width a label takes in Noto Sans CJK, near enough to place the axis: full-width for CJK, about half else."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.56 for ch in words)
