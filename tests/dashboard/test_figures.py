"""The figure dicts are valid plotly figures: plotly.py's own validator accepts them."""

import json

import plotly.graph_objects as go

from dashboard import figures
from progress.authority import FigureKind

LABELS = {"achieved": "已达标", "on_track": "正常", "off_track": "滞后"}


def test_status_bars_validate_and_print_the_status_word():
    figure_json, table = figures.status_bars(
        [("产业绿色低碳提升行动", {"achieved": {"count": 2}, "off_track": {"count": 1}})], LABELS, title="各行动"
    )
    figure = go.Figure(json.loads(figure_json))  # raises on an invalid property
    assert [trace.name for trace in figure.data] == ["已达标", "滞后"]
    assert figure.data[0].text == ("已达标 2",)
    assert table == [["产业绿色低碳提升行动", 2, 0, 0, 1, 0, 0, 0, 0, 0]]  # final verdicts (到期达标/未达标) last


def test_heatmap_and_indicator_chart_validate():
    heatmap = figures.timeliness_heatmap(
        ["区统计局"],
        ["2026Q1", "2026Q2"],
        [["on_time", "late"]],
        {"on_time": "按时", "late": "逾期", "missing": "未报", "pending": "–"},
    )
    assert [list(row) for row in go.Figure(json.loads(heatmap)).data[0].text] == [["按时", "逾期"]]
    chart = figures.indicator_chart(
        unit="%",
        reported=[figures.KindPoint("2024Q1", 7.0), figures.KindPoint("2024Q2", 7.4)],
        expected=[("2024Q1", 7.0), ("2025Q4", 8.01)],
        target=("2025Q4", 8.01),
        forecast=[("2024Q2", 7.4), ("2025Q4", 8.2)],
    )
    assert len(go.Figure(json.loads(chart)).data) == 4


def test_the_indicator_chart_makes_room_for_its_labels_and_writes_numbers_the_chinese_way():
    """The y axis grows its margin for the ticks and keeps its unit title off them; 12,000 and 8.01, never 12k."""
    chart = figures.indicator_chart(
        unit="万千瓦",
        reported=[figures.KindPoint("2024Q1", 12000.0), figures.KindPoint("2024Q2", 12345.678)],
        expected=None,
        target=None,
        forecast=None,
    )
    layout = go.Figure(json.loads(chart)).layout
    assert layout.yaxis.automargin and layout.xaxis.automargin
    assert layout.yaxis.title.text == "万千瓦" and layout.yaxis.title.standoff > 0
    assert layout.yaxis.exponentformat == "none" and layout.yaxis.separatethousands
    assert json.loads(chart)["data"][0]["text"] == ["12,000", "12,345.68"]


def test_official_figures_are_traces_of_their_own_with_distinct_marks_and_their_source_on_hover():
    chart = figures.indicator_chart(
        unit="%",
        reported=[figures.KindPoint("2024Q4", 6.8, "区林业局台账")],
        official={
            FigureKind.PROVISIONAL: [figures.KindPoint("2024Q4", 6.8, "区统计局 统计快报")],
            FigureKind.FINAL: [figures.KindPoint("2024Q4", 6.5, "区统计局 统计公报")],
        },
        expected=None,
        target=None,
        forecast=None,
    )
    data = go.Figure(json.loads(chart)).data  # valid plotly
    assert [t.name for t in data] == ["部门报送（审核通过）", "统计初步", "统计核实"]
    assert len({t.marker.symbol for t in data}) == 3
    assert [t.customdata[0][1] for t in data] == ["区林业局台账", "区统计局 统计快报", "区统计局 统计公报"]
    assert all(t.hovertemplate.startswith(t.name) and "来源" in t.hovertemplate for t in data)
    assert data[1].text == ("",) and data[2].text == ("6.5",)  # printed only where it differs from the department


def test_numbers_on_charts_keep_at_most_two_decimals_without_trailing_zeros():
    assert [figures.number(v) for v in (100.0, 8.01, 6.5, 0.333, 1234567.0)] == [
        "100",
        "8.01",
        "6.5",
        "0.33",
        "1,234,567",
    ]
