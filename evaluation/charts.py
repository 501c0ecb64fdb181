"""The dashboard's charts redrawn as static SVG for the PDF (plotly.js needs a browser; the report must not).

Same colours (Okabe–Ito) and the same rule as the dashboard: the count is printed on every segment, so colour is
never the only carrier of meaning. Output is deterministic (fixed hash salt, no date), so a final report
regenerates byte for byte. Text stays text (svg.fonttype "none"), set by WeasyPrint in the document's Noto Sans
CJK: drawing every glyph as an outline cost a second per report, and the words of the charts were not searchable.
"""

from __future__ import annotations

import base64
import io
import subprocess
from functools import cache

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

STATUS_COLOURS = {
    "achieved": "#009E73",
    "completed": "#009E73",
    "on_track": "#0072B2",
    "in_progress": "#0072B2",
    "on_time": "#009E73",
    "at_risk": "#E69F00",
    "late": "#E69F00",
    "behind": "#D55E00",
    "off_track": "#D55E00",
    "missing": "#D55E00",
    "not_started": "#CC79A7",
    "awaiting_city": "#CC79A7",
    "no_data": "#999999",
    "no_update": "#999999",
    "baseline_missing": "#BBBBBB",
    "pending": "#DDDDDD",
}
CJK_FAMILY = "Noto Sans CJK SC"


@cache
def _font_family() -> str:
    """Register the CJK font fontconfig knows (Debian's fonts-noto-cjk); fall back to matplotlib's default."""
    try:
        path = subprocess.run(
            ["fc-match", "-f", "%{file}", f"{CJK_FAMILY}:lang=zh-cn"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "DejaVu Sans"
    if "CJK" not in path:
        return "DejaVu Sans"
    font_manager.fontManager.addfont(path)
    return CJK_FAMILY


def stacked_bars(
    rows: list[tuple[str, dict[str, int]]], order: list[str], labels: dict[str, str], *, title: str
) -> str:
    """Horizontal stacked bars, one per row (an area, a quarter), one segment per status with its count printed."""
    with plt.rc_context(_style()):
        height = 0.9 + 0.38 * max(1, len(rows))
        fig, ax = plt.subplots(figsize=(7.2, height))
        names = [name for name, _ in rows][::-1]
        lefts = [0] * len(rows)
        for status in order:
            counts = [counts.get(status, 0) for _, counts in rows][::-1]
            if not any(counts):
                continue
            bars = ax.barh(
                names,
                counts,
                left=lefts,
                color=STATUS_COLOURS.get(status, "#777"),
                label=labels.get(status, status),
                edgecolor="white",
                linewidth=0.8,
            )
            for bar, count in zip(bars, counts, strict=True):
                if count:
                    ax.text(
                        bar.get_x() + bar.get_width() / 2,
                        bar.get_y() + bar.get_height() / 2,
                        str(count),
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if status not in ("pending",) else "#333",
                    )
            lefts = [a + b for a, b in zip(lefts, counts, strict=True)]
        ax.set_title(title, fontsize=10, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(axis="y", labelsize=7.5)
        ax.tick_params(axis="x", labelsize=7)
        ax.legend(
            ncols=4,
            fontsize=7,
            frameon=False,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12 if len(rows) > 3 else -0.3),
        )
        return _svg(fig)


def score_bars(rows: list[tuple[str, float | None]], *, title: str, bands: list[tuple[float, str]]) -> str:
    """One bar per unit's total score, with the band edges drawn as dashed lines and the score printed."""
    with plt.rc_context(_style()):
        fig, ax = plt.subplots(figsize=(7.2, 0.8 + 0.22 * max(1, len(rows))))
        names = [name for name, _ in rows][::-1]
        values = [value or 0 for _, value in rows][::-1]
        ax.barh(names, values, color="#0072B2")
        for y, value in enumerate(values):
            ax.text(value + 0.8, y, f"{value:.1f}", va="center", fontsize=6.5)
        for edge, label in bands:
            ax.axvline(edge, color="#555", linestyle="--", linewidth=0.7)
            ax.text(edge, len(values) - 0.4, label, fontsize=6.5, ha="center", color="#555")
        ax.set_xlim(0, 105)
        ax.set_title(title, fontsize=10, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(axis="y", labelsize=6.5)
        ax.tick_params(axis="x", labelsize=7)
        return _svg(fig)


def as_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _style() -> dict:
    return {
        "font.family": _font_family(),
        "svg.fonttype": "none",
        "svg.hashsalt": "ninghe-carbon",
        "axes.unicode_minus": False,
    }


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.tight_layout()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return buffer.getvalue()
