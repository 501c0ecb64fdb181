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
from results.services import recompute_for_report, recompute_plan
from tasks import services
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
    """Judged as of its date's own quarter (2025 Q4, whose value is in), and the same verdict ever after."""
    target = forest.targets.get(value=8.01)
    by_quarter = {r.period.key: r for r in TargetResult.objects.filter(target=target).select_related("period")}
    assert by_quarter[(2025, 3)].status in ("at_risk", "off_track") and by_quarter[(2025, 3)].judged_value is None
    for key in [(2025, 4), (2026, 2), (2026, 4)]:
        result = by_quarter[key]
        assert result.status == "missed_by_date"
        assert result.judged_value == pytest.approx(6.71)
    assert by_quarter[(2025, 4)].latest_value == pytest.approx(6.71)
    assert by_quarter[(2026, 4)].latest_value == pytest.approx(7.5)


def test_until_its_dates_value_is_approved_a_target_on_its_date_keeps_its_progress_status(forest, plan, office_user):
    """2025 Q4's report reopened: as of 2025 Q4 the target shows what 2025 Q3 said; approved again, the verdict."""
    target = forest.targets.get(value=8.01)
    report = QuarterlyReport.objects.get(plan=plan, period__year=2025, period__quarter=4)
    with time_machine.travel(dt.datetime(2026, 1, 5, 2, tzinfo=dt.UTC), tick=False):
        report = services.reopen_report(report=report, by=office_user, reason="核对林地面积")
        recompute_for_report(report)
        waiting = TargetResult.objects.get(target=target, period=report.period)
        assert waiting.status in ("at_risk", "off_track") and waiting.judged_value is None
        assert waiting.latest_value == pytest.approx(6.5)
        QuarterlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)  # the unit sent it again
        services.approve_report(report=QuarterlyReport.objects.get(pk=report.pk), by=office_user)
        recompute_for_report(report)
    judged = TargetResult.objects.get(target=target, period=report.period)
    assert judged.status == "missed_by_date" and judged.judged_value == pytest.approx(6.71)


def test_the_evaluation_of_the_targets_year_gives_its_final_verdict(forest, plan, office_client):
    """The 2025 evaluation (as of 2025 Q4) says 到期未达标 for a target due in 2025, on 2025 Q4's value."""
    snapshot = build_snapshot(AnnualEvaluation.objects.create(plan=plan, year=2025), today=dt.date(2026, 1, 20))
    row = next(t for t in snapshot["targets"] if t["indicator"] == "全区森林覆盖率" and t["period"] == "到2025年")
    assert row["status"] == "missed_by_date" and row["judged"] == pytest.approx(6.71)
    assert row in snapshot["summary"]["at_risk"]
    period = ReportingPeriod.objects.get(year=2025, quarter=4)
    overview = office_client.get(reverse("dashboard:overview", args=[plan.code]), {"period": period.pk})
    risks = re.search(r'id="risks">(.*?)</section>', overview.content.decode(), re.S)[1]
    assert "全区森林覆盖率" in risks and "到期未达标" in risks and "到期值 6.71" in risks


def test_the_pages_and_the_pdf_say_the_verdict_with_both_values(forest, plan, office_client):
    period = ReportingPeriod.objects.get(year=2026, quarter=4)
    html = office_client.get(
        reverse("dashboard:indicator-detail", args=[plan.code, forest.pk]), {"period": period.pk}
    ).content.decode()
    assert "到期未达标" in html and "到期值 6.71" in html and "最新 7.5" in html
    overview = office_client.get(reverse("dashboard:overview", args=[plan.code]), {"period": period.pk})
    risks = re.search(r'id="risks">(.*?)</section>', overview.content.decode(), re.S)[1]
    assert "全区森林覆盖率" in risks and "到期未达标" in risks
    # The risk list says which kind of figure each value is, as the targets table does.
    assert "到期值 6.71 %（部门报送）" in risks and "最新 7.5" in risks and "kind-reported" in risks
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
