"""The indicator page draws every kind of figure: the department's approved line and the statistics bureau's
provisional and final figures as marks of their own, each with its source on hover; the tables under it write the
kinds side by side where they differ."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from indicators.models import Indicator
from progress.authority import FigureKind
from results.services import recompute_plan
from tasks.models import IndicatorValue, QuarterlyReport, ReportingPeriod, ReportStatus, default_window
from tasks.official import OfficialEntry, record_official_figures

pytestmark = pytest.mark.django_db

REPORTED = {(2024, 4): "6.8", (2025, 1): "7.0"}


@pytest.fixture
def forest(plan, office_user):
    indicator = Indicator.objects.get(plan=plan, name="全区森林覆盖率")
    periods = {}
    for (year, quarter), value in REPORTED.items():
        opens, due = default_window(year, quarter)
        periods[(year, quarter)] = period = ReportingPeriod.objects.create(
            year=year, quarter=quarter, opens_on=opens, due_on=due
        )
        report = QuarterlyReport.objects.create(
            plan=plan,
            department=indicator.reporting_department,
            period=period,
            status=ReportStatus.APPROVED,
            submitted_at=timezone.make_aware(dt.datetime.combine(due, dt.time(9))),
        )
        IndicatorValue.objects.create(report=report, indicator=indicator, value=value, data_source="区林业局台账")
    record_official_figures(
        entries=[
            OfficialEntry(indicator, periods[(2024, 4)], kind, Decimal(value), "区统计局", title, dt.date(2025, 3, 1))
            for kind, value, title in [
                (FigureKind.PROVISIONAL, "6.8", "2024年统计快报"),
                (FigureKind.FINAL, "6.5", "2024年统计公报"),
            ]
        ],
        by=office_user,
    )
    recompute_plan(plan)
    return indicator


def _page(client, plan, indicator) -> str:
    period = ReportingPeriod.objects.get(year=2025, quarter=1)
    url = reverse("dashboard:indicator-detail", args=[plan.code, indicator.pk])
    return client.get(url, {"period": period.pk}).content.decode()


def test_the_chart_plots_reported_provisional_and_final_figures_as_separate_traces(forest, plan, office_client):
    html = _page(office_client, plan, forest)
    figure = json.loads(json.loads(re.search(r'id="indicator-figure"[^>]*>(.*?)</script>', html, re.S)[1]))
    traces = {t["name"]: t for t in figure["data"]}
    reported, provisional, final = traces["部门报送（审核通过）"], traces["统计初步"], traces["统计核实"]
    assert reported["x"] == ["2024Q4", "2025Q1"] and reported["y"] == [6.8, 7.0]
    assert provisional["x"] == ["2024Q4"] and provisional["y"] == [6.8]
    assert final["x"] == ["2024Q4"] and final["y"] == [6.5]
    assert len({reported["marker"]["symbol"], provisional["marker"]["symbol"], final["marker"]["symbol"]}) == 3
    assert final["customdata"] == [["6.5", "区统计局 2024年统计公报 2025-03-01"]]
    assert reported["customdata"][0][1] == "区林业局台账"
    assert final["hovertemplate"].startswith("统计核实") and "来源" in final["hovertemplate"]
    assert provisional["text"] == [""] and final["text"] == ["6.5"]  # the same number as the department's: once


def test_the_tables_write_the_kinds_side_by_side_where_they_differ(forest, plan, office_client):
    html = _page(office_client, plan, forest)
    beside = "部门报送 6.8 %，统计初步 6.8 %，统计核实 6.5 %"
    values = re.search(r'id="values">(.*?)</section>', html, re.S)[1]
    official = re.search(r'id="official-values">(.*?)</section>', html, re.S)[1]
    assert values.count(beside) == 1  # 2024 Q4's row; 2025 Q1 has the department's figure only
    assert official.count(beside) == 2 and "统计核实" in official and "统计初步" in official


def test_a_revised_release_replaces_the_plotted_figure_and_the_old_version_stays_listed(
    forest, plan, office_client, office_user
):
    period = ReportingPeriod.objects.get(year=2024, quarter=4)
    entry = OfficialEntry(forest, period, FigureKind.FINAL, Decimal("6.6"), "区统计局", "2024年统计公报（修订）")
    record_official_figures(entries=[entry], by=office_user, reason="修订")
    html = _page(office_client, plan, forest)
    figure = json.loads(json.loads(re.search(r'id="indicator-figure"[^>]*>(.*?)</script>', html, re.S)[1]))
    final = next(t for t in figure["data"] if t["name"] == "统计核实")
    assert final["y"] == [6.6]
    official = re.search(r'id="official-values">(.*?)</section>', html, re.S)[1]
    assert "6.5 %" in official and "6.6 %" in official  # the superseded version is still shown, marked so
