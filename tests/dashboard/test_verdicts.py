"""A target past its date shows its final verdict on the value of its date, with the newer value beside it; the
indicator's chart and the PDF start the expected path where the engine did (the office's baseline)."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from evaluation.models import AnnualEvaluation
from evaluation.snapshot import build_snapshot
from indicators.models import Indicator
from results.models import TargetResult
from results.services import recompute_plan
from tasks.models import IndicatorValue, QuarterlyReport, ReportingPeriod, ReportStatus, default_window

pytestmark = pytest.mark.django_db

FOREST_VALUES = {(2025, 3): "6.5", (2025, 4): "6.71", (2026, 2): "7.2", (2026, 4): "7.5"}  # ≥ 8.01 % by 2025


@pytest.fixture
def forest(plan):
    indicator = Indicator.objects.get(plan=plan, name="全区森林覆盖率")
    indicator.baseline_value, indicator.baseline_year = 5, 2020
    indicator.save()
    for (year, quarter), value in FOREST_VALUES.items():
        opens, due = default_window(year, quarter)
        period = ReportingPeriod.objects.create(year=year, quarter=quarter, opens_on=opens, due_on=due)
        report = QuarterlyReport.objects.create(
            plan=plan,
            department=indicator.reporting_department,
            period=period,
            status=ReportStatus.APPROVED,
            submitted_at=timezone.make_aware(dt.datetime.combine(due, dt.time(9))),
        )
        IndicatorValue.objects.create(report=report, indicator=indicator, value=value)
    with time_machine.travel(dt.datetime(2027, 1, 20, 2, tzinfo=dt.UTC), tick=False):
        recompute_plan(plan)
    return indicator


def test_a_target_past_its_date_keeps_the_verdict_of_its_date(forest):
    target = forest.targets.get(value=8.01)
    by_quarter = {r.period.key: r for r in TargetResult.objects.filter(target=target).select_related("period")}
    assert by_quarter[(2025, 4)].status == "at_risk" or by_quarter[(2025, 4)].status == "off_track"
    for key in [(2026, 2), (2026, 4)]:
        result = by_quarter[key]
        assert result.status == "missed_by_date"
        assert result.judged_value == pytest.approx(6.71)
    assert by_quarter[(2026, 4)].latest_value == pytest.approx(7.5)


def test_the_pages_and_the_pdf_say_the_verdict_with_both_values(forest, plan, office_client):
    period = ReportingPeriod.objects.get(year=2026, quarter=4)
    html = office_client.get(
        reverse("dashboard:indicator-detail", args=[plan.code, forest.pk]), {"period": period.pk}
    ).content.decode()
    assert "到期未达标" in html and "到期值 6.71" in html and "最新 7.5" in html
    overview = office_client.get(reverse("dashboard:overview", args=[plan.code]), {"period": period.pk})
    risks = re.search(r'id="risks">(.*?)</section>', overview.content.decode(), re.S)[1]
    assert "全区森林覆盖率" in risks and "到期未达标" in risks
    snapshot = build_snapshot(AnnualEvaluation.objects.create(plan=plan, year=2026), today=dt.date(2027, 1, 20))
    row = next(t for t in snapshot["targets"] if t["indicator"] == "全区森林覆盖率" and t["period"] == "到2025年")
    assert row["status"] == "missed_by_date" and row["judged"] == pytest.approx(6.71)
    assert row["baseline"] == 5 and row["baseline_year"] == 2020


def test_the_chart_starts_the_expected_path_at_the_engines_baseline(forest, plan, office_client):
    period = ReportingPeriod.objects.get(year=2025, quarter=3)
    html = office_client.get(
        reverse("dashboard:indicator-detail", args=[plan.code, forest.pk]), {"period": period.pk}
    ).content.decode()
    figure = json.loads(json.loads(re.search(r'id="indicator-figure"[^>]*>(.*?)</script>', html, re.S)[1]))
    path = next(t for t in figure["data"] if t["name"] == "应达路径")
    assert path["x"] == ["2020Q4", "2025Q4"] and path["y"] == [5, 8.01]  # not from the first value, 6.5
