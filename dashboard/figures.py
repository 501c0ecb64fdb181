"""Plotly figures built on the server from result rows: Chinese labels, colour-blind-safe colours, and the
status word printed on every mark so colour is never the only carrier of meaning.

Figures are plain plotly.js dicts (the schema plotly.py documents) serialised once; skipping plotly.py's
object validation keeps a page render cheap. Each builder also returns the rows of its data table
(shown under the chart as 查看数据), so the numbers are readable without the chart too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.utils.translation import gettext as _

from indicators.models import FIGURE_KIND_LABELS
from progress.authority import FigureKind

# Okabe–Ito palette: distinguishable with the common colour-vision deficiencies.
STATUS_COLOURS = {
    "achieved": "#009E73",
    "on_track": "#0072B2",
    "at_risk": "#E69F00",
    "off_track": "#D55E00",
    "no_data": "#999999",
    "baseline_missing": "#BBBBBB",
    "awaiting_city": "#CC79A7",
    "met_by_date": "#00603F",
    "missed_by_date": "#8F1D1D",
}
STATUS_ORDER = list(STATUS_COLOURS)
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"


def _layout(**extra) -> dict:
    """Readable at 1366 px and on a projector: the margins start small and grow to fit the labels (automargin)."""
    return {
        "font": {"family": FONT, "size": 14},
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10, "pad": 4},
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "separators": ".,",
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},  # above the plot, clear of the ticks
        **extra,
    }


def _value_axis(title: str = "", **extra) -> dict:
    """A number axis written the Chinese way: 12,000 rather than 12k, the title set off from the tick labels."""
    axis = {"automargin": True, "exponentformat": "none", "separatethousands": True, "zeroline": False, **extra}
    if title:
        axis["title"] = {"text": title, "standoff": 14}
    return axis


def number(value: float) -> str:
    """A value as printed on a chart: thousands separated, at most two decimals, no trailing zeros (1,234.5)."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def as_json(data: list[dict], layout: dict) -> str:
    return json.dumps({"data": data, "layout": layout}, ensure_ascii=False)


def status_bars(rows: list[tuple[str, dict]], labels: dict[str, str], *, title: str) -> tuple[str, list[list]]:
    """Stacked horizontal bars: one bar per row (an area, a department), one segment per status, counts printed."""
    names = [name for name, _ in rows]
    traces = []
    for status in STATUS_ORDER:
        counts = [(counts.get(status) or {}).get("count", 0) for _, counts in rows]
        if not any(counts):
            continue
        label = labels.get(status, status)
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": names,
                "x": counts,
                "name": label,
                "marker": {"color": STATUS_COLOURS[status], "line": {"color": "#fff", "width": 1}},
                "text": [f"{label} {c}" if c else "" for c in counts],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "hovertemplate": "%{y}<br>" + label + "：%{x}<extra></extra>",
            }
        )
    layout = _layout(
        barmode="stack",
        title={"text": title, "x": 0, "font": {"size": 15}},
        height=max(280, 34 * len(rows) + 130),
        legend={"orientation": "v", "x": 1.01, "y": 1, "yanchor": "top"},  # beside the bars: the title is on top
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis=_value_axis(_("Number of targets"), tickformat=",d", rangemode="tozero"),
    )
    table = [[name, *[(counts.get(s) or {}).get("count", 0) for s in STATUS_ORDER]] for name, counts in rows]
    return as_json(traces, layout), table


TIMELINESS_COLOURS = {"on_time": "#009E73", "late": "#E69F00", "missing": "#D55E00", "pending": "#DDDDDD"}


def timeliness_heatmap(
    departments: list[str], quarters: list[str], cells: list[list[str]], labels: dict[str, str]
) -> str:
    """Department × quarter: on time / late / missing, as colour and as the printed word."""
    codes = list(TIMELINESS_COLOURS)
    scale = []
    for i, code in enumerate(codes):
        scale += [[i / len(codes), TIMELINESS_COLOURS[code]], [(i + 1) / len(codes), TIMELINESS_COLOURS[code]]]
    trace = {
        "type": "heatmap",
        "z": [[codes.index(c) for c in row] for row in cells],
        "x": quarters,
        "y": departments,
        "zmin": 0,
        "zmax": len(codes),
        "colorscale": scale,
        "showscale": False,
        "text": [[labels[c] for c in row] for row in cells],
        "texttemplate": "%{text}",
        "hovertemplate": "%{y} %{x}：%{text}<extra></extra>",
        "xgap": 2,
        "ygap": 2,
    }
    layout = _layout(
        height=max(300, 24 * len(departments) + 80),
        yaxis={"autorange": "reversed", "automargin": True},
        xaxis={"side": "top", "automargin": True},
    )
    return as_json([trace], layout)


# The statistics bureau's figures as marks of their own beside the departments' line: hollow while provisional,
# filled once final, so the shape says the kind without the colour.
OFFICIAL_MARKERS = {
    FigureKind.PROVISIONAL: {"symbol": "diamond-open", "size": 13, "color": "#CC79A7", "line": {"width": 2.5}},
    FigureKind.FINAL: {"symbol": "square", "size": 11, "color": "#882255", "line": {"width": 1, "color": "#fff"}},
}

# The departments' numbers sit to the upper left of their points, the bureau's to the right, clear of each other,
# in colours that keep 4.5:1 against white (the provisional marks' pink does not).
OFFICIAL_TEXT = {FigureKind.PROVISIONAL: ("bottom right", "#9B4A7D"), FigureKind.FINAL: ("top right", "#882255")}


@dataclass(frozen=True)
class KindPoint:
    """One figure of one quarter, with the document it is from (shown on hover)."""

    quarter: str
    value: float
    source: str = ""


def _kind_trace(name: str, points: list[KindPoint], unit: str) -> dict:
    """Hover says the kind, the quarter, the figure and its source document."""
    source = _("Source")
    return {
        "type": "scatter",
        "x": [p.quarter for p in points],
        "y": [p.value for p in points],
        "name": name,
        "customdata": [[number(p.value), p.source or "–"] for p in points],
        "hovertemplate": f"{name}<br>%{{x}}：%{{customdata[0]}} {unit}<br>{source}：%{{customdata[1]}}<extra></extra>",
    }


def indicator_chart(
    *,
    unit: str,
    reported: list[KindPoint],
    expected: list[tuple[str, float]] | None,
    target: tuple[str, float] | None,
    forecast: list[tuple[str, float]] | None,
    official: dict[FigureKind, list[KindPoint]] | None = None,
) -> str:
    """The departments' approved figures and the statistics bureau's provisional and final ones, against the expected
    path, the target line and the forecast to the target year."""
    traces = []
    if reported:
        traces.append(
            {
                **_kind_trace(_("Reported by the department (approved)"), reported, unit),
                "mode": "lines+markers+text",
                "line": {"color": "#0072B2", "width": 3},
                "marker": {"symbol": "circle", "size": 8},
                "text": [number(p.value) for p in reported],
                "textposition": "top left" if official else "top center",
            }
        )
    said = {p.quarter: p.value for p in reported}
    for kind, points in (official or {}).items():
        if points:
            traces.append(
                {
                    **_kind_trace(str(FIGURE_KIND_LABELS[kind]), points, unit),
                    "mode": "markers+text",
                    "marker": OFFICIAL_MARKERS[kind],
                    # printed where it says something else than the department (the same number twice is clutter)
                    "text": [number(p.value) if said.get(p.quarter) != p.value else "" for p in points],
                    "textposition": OFFICIAL_TEXT[kind][0],
                    "textfont": {"color": OFFICIAL_TEXT[kind][1]},
                }
            )
    if expected:
        traces.append(
            {
                "type": "scatter",
                "x": [q for q, _ in expected],
                "y": [v for _, v in expected],
                "mode": "lines",
                "name": _("Expected path"),
                "line": {"color": "#009E73", "dash": "dot"},
            }
        )
    if forecast:
        traces.append(
            {
                "type": "scatter",
                "x": [q for q, _ in forecast],
                "y": [v for _, v in forecast],
                "mode": "lines",
                "name": _("Forecast"),
                "line": {"color": "#D55E00", "dash": "dash"},
            }
        )
    if target:
        traces.append(
            {
                "type": "scatter",
                "x": [target[0]],
                "y": [target[1]],
                "mode": "markers+text",
                "name": _("Target"),
                "text": [_("Target") + " " + number(target[1])],
                "textposition": "bottom left",
                "marker": {"symbol": "star", "size": 16, "color": "#000"},
            }
        )
    layout = _layout(
        height=420,
        yaxis=_value_axis(unit),
        # "2020Q4" < "2024Q1": category order is time order, so the expected path from the baseline comes first
        xaxis={"type": "category", "automargin": True, "categoryorder": "category ascending"},
    )
    return as_json(traces, layout)
