"""Recomputing results from approved data: idempotent, incremental, 'as of' a quarter, and overdue reminders."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from indicators.models import Indicator
from results import overdue, services
from results.models import PendingRecompute, Rollup, TargetResult, TaskResult
from tasks import services as reporting
from tasks.models import Notice, QuarterlyReport, ReportingPeriod
from tests.tasks.test_smoke import complete_data

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def quarter(year, q, *, due_in_days=10):
    from tasks.models import quarter_end

    end = quarter_end(year, q)
    return ReportingPeriod.objects.create(
        year=year, quarter=q, opens_on=end.replace(day=1), due_on=end + dt.timedelta(days=due_in_days)
    )


def approved_quarter(plan, department, period, reporter, office, *, coverage):
    report = reporting.start_report(plan=plan, department=department, period=period, by=reporter)
    report = QuarterlyReport.objects.get(pk=report.pk)
    tasks, indicators = complete_data(report)
    coverage_id = Indicator.objects.get(plan=plan, code="forest-coverage").pk
    indicators[coverage_id]["value"] = coverage
    indicators[coverage_id]["change_explanation"] = "按林业年报更新。"
    reporting.save_draft(report=report, by=reporter, version=report.version, task_data=tasks, indicator_data=indicators)
    reporting.submit_report(report=QuarterlyReport.objects.get(pk=report.pk), by=reporter)
    return reporting.approve_report(report=QuarterlyReport.objects.get(pk=report.pk), by=office)


@pytest.fixture
def history(plan, dept_a_user, office_user, django_capture_on_commit_callbacks):
    """七里海管委会 reports forest coverage for three quarters of 2024, each approved."""
    department = dept_a_user.membership.department
    periods = [quarter(2024, q) for q in (1, 2, 3)]
    with django_capture_on_commit_callbacks(execute=True):
        for period, value in zip(periods, (7.0, 7.4, 7.8), strict=True):
            approved_quarter(plan, department, period, dept_a_user, office_user, coverage=value)
    return periods


def coverage_result(plan, period):
    return TargetResult.objects.get(
        target__indicator__plan=plan, target__indicator__code="forest-coverage", target__period="2025", period=period
    )


def test_approval_recomputes_its_targets_through_the_pending_queue(plan, history):
    result = coverage_result(plan, history[-1])
    assert result.latest_value == 7.8
    assert result.target_value == pytest.approx(8.01)
    assert result.forecast is not None  # three approved points: a trend to 2025
    assert not PendingRecompute.objects.filter(processed_at__isnull=True).exists()


def test_state_as_of_an_earlier_quarter_ignores_later_values(plan, history):
    assert coverage_result(plan, history[0]).latest_value == 7.0
    assert coverage_result(plan, history[1]).latest_value == 7.4


def test_incremental_recompute_touches_only_the_reports_targets_and_tasks(plan, history):
    touched = set(TargetResult.objects.values_list("target__indicator__reporting_department__name", flat=True))
    assert touched == {"七里海管委会"}
    task_codes = {r.task.code for r in TaskResult.objects.select_related("task__area")}
    assert "6.2" in task_codes and "1.1" not in task_codes


def test_full_recompute_twice_writes_nothing_the_second_time(plan, history):
    first = services.recompute_plan(plan)
    snapshot = sorted(TargetResult.objects.values_list("target_id", "period_id", "status", "latest_value", "forecast"))
    assert first > 0
    assert services.recompute_plan(plan) == 0
    assert (
        sorted(TargetResult.objects.values_list("target_id", "period_id", "status", "latest_value", "forecast"))
        == snapshot
    )


def test_only_approved_values_count(plan, history, dept_a_user):
    later = quarter(2024, 4)
    report = reporting.start_report(
        plan=plan, department=dept_a_user.membership.department, period=later, by=dept_a_user
    )
    report = QuarterlyReport.objects.get(pk=report.pk)
    tasks, indicators = complete_data(report)
    coverage_id = Indicator.objects.get(plan=plan, code="forest-coverage").pk
    indicators[coverage_id].update(value=9, change_explanation="测试。")
    reporting.save_draft(
        report=report, by=dept_a_user, version=report.version, task_data=tasks, indicator_data=indicators
    )
    reporting.submit_report(report=QuarterlyReport.objects.get(pk=report.pk), by=dept_a_user)
    services.recompute_plan(plan)
    assert coverage_result(plan, later).latest_value == 7.8  # the submitted 9 is not approved yet
    assert coverage_result(plan, later).status != "achieved"


def test_rollups_count_the_target_statuses(plan, history):
    services.recompute_plan(plan)
    period = history[-1]
    statuses = list(
        TargetResult.objects.filter(target__indicator__plan=plan, period=period).values_list("status", flat=True)
    )
    whole = Rollup.objects.get(plan=plan, period=period, scope="plan")
    assert sum(v["count"] for v in whole.targets.values()) == len(statuses) == 65
    department = Rollup.objects.get(plan=plan, period=period, scope="department", department__name="七里海管委会")
    # the 2024 quarters were submitted today, long after their due dates
    assert department.timeliness == {"on_time": 0, "late": 3, "missing": 0}
    statistics = Rollup.objects.get(plan=plan, period=period, scope="department", department__name="区统计局")
    assert statistics.timeliness == {"on_time": 0, "late": 0, "missing": 3}


def test_reopening_an_approved_report_takes_its_values_out(
    plan, history, office_user, django_capture_on_commit_callbacks
):
    last = QuarterlyReport.objects.get(period=history[-1])
    with django_capture_on_commit_callbacks(execute=True):
        reporting.reopen_report(report=last, by=office_user, reason="数据有误。")
    assert coverage_result(plan, history[-1]).latest_value == 7.4


def test_recompute_command_prints_a_summary(plan, history):
    out, err = StringIO(), StringIO()
    call_command("recompute_progress", stdout=out, stderr=err)
    assert "完成：1 个方案" in out.getvalue()
    assert "重算进度" in err.getvalue()


def test_overdue_reports_get_one_notice_and_one_mail_then_clear_on_submission(plan, dept_a_user, office_user):
    dept_a_user.email = "qlh@example.invalid"
    dept_a_user.save()
    late = quarter(TODAY.year - 1, 4, due_in_days=10)
    assert overdue.detect_overdue(today=TODAY) >= 1
    notice = Notice.objects.get(department=dept_a_user.membership.department, period=late)
    assert "尚未报送" in notice.message or "has not reached" in notice.message
    sent = [m for m in mail.outbox if "qlh@example.invalid" in m.to]
    assert len(sent) == 1
    assert overdue.detect_overdue(today=TODAY) == 0
    assert len([m for m in mail.outbox if "qlh@example.invalid" in m.to]) == 1

    report = reporting.start_report(
        plan=plan, department=dept_a_user.membership.department, period=late, by=dept_a_user
    )
    report = QuarterlyReport.objects.get(pk=report.pk)
    tasks, indicators = complete_data(report)
    reporting.save_draft(
        report=report, by=dept_a_user, version=report.version, task_data=tasks, indicator_data=indicators
    )
    reporting.submit_report(report=QuarterlyReport.objects.get(pk=report.pk), by=dept_a_user)
    notice.refresh_from_db()
    assert notice.resolved_at is not None


def test_statuses_show_to_signed_in_users_only(plan, history, client, viewer_client):
    from django.urls import reverse

    url = reverse("dashboard:target-list", args=[plan.code])
    assert "tstatus" in viewer_client.get(url).content.decode()
    assert "tstatus" not in client.get(url).content.decode()
