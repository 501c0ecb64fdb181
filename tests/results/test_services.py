"""Recomputing results from approved data: idempotent, incremental, 'as of' a quarter, and overdue reminders."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from indicators.models import Indicator
from results import fingerprints, overdue, services
from results.engine import run as engine_run
from results.engine import write
from results.engine.rows import ROLLUP_FIELDS, TARGET_FIELDS, TASK_FIELDS
from results.models import (
    ComputationRun,
    PendingRecompute,
    Rollup,
    RollupSeries,
    TargetResult,
    TargetSeries,
    TaskResult,
    TaskSeries,
)
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


# --- full recomputes pass over unchanged plans; approvals rewrite only what they touch ------------------------


def full_runs() -> int:
    return ComputationRun.objects.filter(kind=ComputationRun.Kind.FULL, finished_at__isnull=False).count()


def result_rows() -> dict:
    """Every result row, by quarter, with what it says, and every stored series with its id and when it was written:
    what a recompute left (the rows are views of the series, results.series)."""
    rows = {
        (model.__name__, *key): tuple(values)
        for model, fields, values in (
            (TargetResult, ("target_id", "period_id"), TARGET_FIELDS),
            (TaskResult, ("task_id", "period_id"), TASK_FIELDS),
            (Rollup, ("scope", "area_id", "department_id", "period_id"), ROLLUP_FIELDS),
        )
        for *key, values in _keyed(model.objects.values_list(*fields, *values), len(fields))
    }
    series = {
        (model.__name__, *key): (pk, computed_at)
        for model, fields in (
            (TargetSeries, ("target_id",)),
            (TaskSeries, ("task_id",)),
            (RollupSeries, ("scope", "area_id", "department_id")),
        )
        for pk, computed_at, *key in model.objects.values_list("pk", "computed_at", *fields)
    }
    return {"rows": rows, "series": series}


def _keyed(rows, width):
    return ((*row[:width], row[width:]) for row in rows)


def test_a_full_recompute_passes_over_a_plan_whose_inputs_have_not_changed(plan, history):
    assert services.recompute_plans([plan]).recomputed == 1
    runs, rows = full_runs(), result_rows()

    again = services.recompute_plans([plan])

    assert (again.recomputed, again.skipped, again.written) == (0, 1, 0)
    assert full_runs() == runs
    assert result_rows() == rows
    forced = services.recompute_plans([plan], force=True)
    assert (forced.recomputed, forced.skipped, forced.written) == (1, 0, 0)
    assert result_rows() == rows  # idempotent: a forced run over unchanged inputs rewrites nothing


def test_a_crashed_full_recompute_is_not_taken_as_done(plan, history, monkeypatch):
    services.recompute_plan(plan)
    Indicator.objects.filter(plan=plan, code="forest-coverage").update(baseline_value=6.5, baseline_year=2020)

    def crash(plans, quarters, today):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(engine_run.bulk, "fill_plans", crash)
    with pytest.raises(RuntimeError):
        services.recompute_plan(plan)  # its run records the new inputs, then fails
    monkeypatch.undo()

    crashed = ComputationRun.objects.filter(kind=ComputationRun.Kind.FULL).order_by("-pk").first()
    assert crashed.error and crashed.finished_at is None
    assert services.recompute_plans([plan]).recomputed == 1


def _approve_q4(plan, dept_a_user, office_user, history):
    """An approval whose recompute has not run (the worker is behind: its on-commit nudge never fires here)."""
    approved_quarter(plan, dept_a_user.membership.department, history[3], dept_a_user, office_user, coverage=8.3)


def _reopen_q3(plan, dept_a_user, office_user, history):
    reporting.reopen_report(report=QuarterlyReport.objects.get(period=history[2]), by=office_user, reason="有误。")


def _edit_baseline(plan, dept_a_user, office_user, history):
    Indicator.objects.filter(plan=plan, code="forest-coverage").update(baseline_value=6.5, baseline_year=2020)


def _edit_target_value(plan, dept_a_user, office_user, history):
    from indicators.models import Target

    Target.objects.filter(indicator__plan=plan, indicator__code="forest-coverage", period="2025").update(value=7.5)


def _assign_city_value(plan, dept_a_user, office_user, history):
    from indicators.models import Target

    Target.objects.filter(indicator__plan=plan, indicator__code="co2-intensity", period="2025").update(
        value=18, assigned_document="津碳达峰〔2024〕1号"
    )


def _rename_unit(plan, dept_a_user, office_user, history):
    from departments.models import Department

    Department.objects.filter(name="七里海管委会").update(name="七里海湿地管委会")


CHANGES = {
    "approval": _approve_q4,
    "reopening": _reopen_q3,
    "baseline edit": _edit_baseline,
    "target value edit": _edit_target_value,
    "city-assigned value": _assign_city_value,
}


@pytest.fixture
def four_quarters(history):
    """The three approved quarters of `history` and an empty fourth, due in the past."""
    return [*history, quarter(2024, 4)]


# From which of the four quarters a change makes the nightly run recompute: only a report's own quarter and the
# later ones can change with it; a definition change reaches every quarter.
RECOMPUTED_FROM = {
    "approval": 3,
    "reopening": 2,
    "baseline edit": 0,
    "target value edit": 0,
    "city-assigned value": 0,
}


def last_full_run_periods() -> list[str]:
    return ComputationRun.objects.filter(kind=ComputationRun.Kind.FULL).latest("pk").covered["periods"]


@pytest.mark.parametrize("change", CHANGES)
def test_a_full_recompute_recomputes_a_plan_whose_inputs_changed(change, plan, four_quarters, dept_a_user, office_user):
    services.recompute_plan(plan)
    assert services.recompute_plans([plan]).skipped == 1

    CHANGES[change](plan, dept_a_user, office_user, four_quarters)
    outcome = services.recompute_plans([plan])

    assert (outcome.recomputed, outcome.skipped) == (1, 0)
    assert outcome.written > 0
    start = RECOMPUTED_FROM[change]
    assert outcome.from_later_quarter == (start > 0)
    assert last_full_run_periods() == [str(p) for p in four_quarters[start:]]
    assert services.recompute_plan(plan, force=True) == 0  # what it wrote is what a forced recompute computes


def test_a_renamed_unit_shows_in_the_co_departments_updates_at_once_with_nothing_to_recompute(
    plan, four_quarters, dept_a_user, office_user
):
    """The view results_taskresult reads the co-departments' updates, with their units' names, from the updates."""
    services.recompute_plan(plan)
    _rename_unit(plan, dept_a_user, office_user, four_quarters)

    result = TaskResult.objects.get(
        task__area__plan=plan, task__area__number=6, task__number=1, period=four_quarters[2]
    )
    assert "七里海湿地管委会" in [c["department"] for c in result.co_departments]
    assert services.recompute_plans([plan]).skipped == 1


def test_a_new_report_for_an_earlier_quarter_recomputes_from_that_quarter(plan, four_quarters, dept_b_user):
    """A unit that had not reported sends its 2024 Q2 report late: its timeliness changes from Q2 on."""
    services.recompute_plan(plan)
    report = reporting.start_report(
        plan=plan, department=dept_b_user.membership.department, period=four_quarters[1], by=dept_b_user
    )
    tasks, indicators = complete_data(QuarterlyReport.objects.get(pk=report.pk))
    reporting.save_draft(
        report=QuarterlyReport.objects.get(pk=report.pk),
        by=dept_b_user,
        version=report.version,
        task_data=tasks,
        indicator_data=indicators,
    )
    reporting.submit_report(report=QuarterlyReport.objects.get(pk=report.pk), by=dept_b_user)

    outcome = services.recompute_plans([plan])

    assert (outcome.recomputed, outcome.from_later_quarter) == (1, 1)
    assert last_full_run_periods() == [str(p) for p in four_quarters[1:]]
    assert services.recompute_plan(plan, force=True) == 0


def test_a_correction_stamped_by_a_slow_clock_is_still_found(plan, four_quarters, dept_a_user, office_user):
    """The web server's clock behind the worker's: 2024 Q1, corrected, keeps the time it had; Q4 is approved the
    same night. No clock says Q1 changed, its reports' versions do: the run starts at Q1."""
    services.recompute_plan(plan)
    first = QuarterlyReport.objects.get(period=four_quarters[0])
    reporting.reopen_report(report=first, by=office_user, reason="更正。")
    department = dept_a_user.membership.department
    approved_quarter(plan, department, four_quarters[0], dept_a_user, office_user, coverage=7.1)
    QuarterlyReport.objects.filter(pk=first.pk).update(updated_at=first.updated_at)
    _approve_q4(plan, dept_a_user, office_user, four_quarters)

    outcome = services.recompute_plans([plan])

    assert (outcome.recomputed, outcome.from_later_quarter) == (1, 0)
    assert last_full_run_periods() == [str(p) for p in four_quarters]
    assert coverage_result(plan, four_quarters[0]).latest_value == 7.1
    assert services.recompute_plan(plan, force=True) == 0


def test_a_run_that_recorded_no_quarters_is_followed_by_every_quarter(plan, four_quarters, dept_a_user, office_user):
    """The first nightly run after this release finds runs that kept one digest for all reports."""
    services.recompute_plan(plan)
    run = ComputationRun.objects.filter(kind=ComputationRun.Kind.FULL).latest("pk")
    del run.covered["quarters"]
    run.save()
    _approve_q4(plan, dept_a_user, office_user, four_quarters)

    outcome = services.recompute_plans([plan])

    assert (outcome.recomputed, outcome.from_later_quarter) == (1, 0)
    assert last_full_run_periods() == [str(p) for p in four_quarters]


def test_a_deleted_report_recomputes_from_its_quarter(plan, four_quarters):
    """A report deleted (from a shell: the application never deletes one) changes its quarter's summary."""
    services.recompute_plan(plan)
    QuarterlyReport.objects.get(period=four_quarters[1]).delete()

    outcome = services.recompute_plans([plan])

    assert (outcome.recomputed, outcome.from_later_quarter) == (1, 1)
    assert last_full_run_periods() == [str(p) for p in four_quarters[1:]]
    assert coverage_result(plan, four_quarters[1]).latest_value == 7.0  # Q2's 7.4 is gone from the history
    assert services.recompute_plan(plan, force=True) == 0


def test_a_changed_rule_recomputes_every_plan(plan, history, settings):
    services.recompute_plan(plan)
    settings.PROGRESS_RULES = {**settings.PROGRESS_RULES, "min_forecast_points": 4}
    outcome = services.recompute_plans([plan])
    assert outcome.recomputed == 1 and outcome.written > 0
    assert coverage_result(plan, history[-1]).forecast is None  # three points are no longer enough


def test_a_new_engine_version_recomputes_every_plan_every_quarter(plan, history, monkeypatch):
    services.recompute_plan(plan)
    assert services.recompute_plans([plan]).skipped == 1

    monkeypatch.setattr(fingerprints, "ENGINE_VERSION", fingerprints.ENGINE_VERSION + 1)
    outcome = services.recompute_plans([plan])

    assert (outcome.recomputed, outcome.from_later_quarter) == (1, 0)
    assert services.recompute_plans([plan]).skipped == 1  # once


def test_a_due_date_passing_recomputes_the_plan(plan, history):
    late = quarter(2024, 4)
    before, after = late.due_on - dt.timedelta(days=1), late.due_on + dt.timedelta(days=1)
    services.recompute_plan(plan, today=before)
    assert services.recompute_plans([plan], today=before).skipped == 1

    outcome = services.recompute_plans([plan], today=after)

    assert outcome.recomputed == 1
    assert TaskResult.objects.filter(period=late, overdue=True).exists()


def test_an_approval_rewrites_only_its_targets_tasks_and_their_rollups(
    plan, four_quarters, dept_a_user, office_user, django_capture_on_commit_callbacks
):
    services.recompute_plan(plan)
    before = result_rows()
    department = dept_a_user.membership.department

    with django_capture_on_commit_callbacks(execute=True):
        _approve_q4(plan, dept_a_user, office_user, four_quarters)

    after = result_rows()
    assert set(after["rows"]) == set(before["rows"])
    assert set(after["series"]) == set(before["series"])
    changed = {key for key in after["rows"] if after["rows"][key] != before["rows"][key]}
    rewritten = {key for key in after["series"] if after["series"][key] != before["series"][key]}
    report = QuarterlyReport.objects.get(period=four_quarters[3])
    indicator_ids = set(report.indicator_values.values_list("indicator_id", flat=True))
    task_ids = set(report.task_updates.values_list("task_id", flat=True))
    from indicators.models import Target
    from targets.models import Responsibility, Task

    targets = Target.objects.filter(indicator_id__in=indicator_ids)
    areas = set(Task.objects.filter(pk__in=task_ids).values_list("area_id", flat=True))
    areas |= set(targets.exclude(task=None).values_list("task__area_id", flat=True))
    leads = set(
        Responsibility.objects.filter(task_id__in=task_ids, role="lead").values_list("department_id", flat=True)
    )
    owners = {("TargetSeries", pk) for pk in targets.values_list("pk", flat=True)}
    owners |= {("TaskSeries", pk) for pk in task_ids}
    owners |= {("RollupSeries", "plan", None, None)}
    owners |= {("RollupSeries", "area", pk, None) for pk in areas}
    owners |= {("RollupSeries", "department", None, pk) for pk in leads | {department.pk}}
    view_of = {"TargetSeries": "TargetResult", "TaskSeries": "TaskResult", "RollupSeries": "Rollup"}
    allowed = {(view_of[name], *key, four_quarters[3].pk) for name, *key in owners}
    assert changed
    assert changed <= allowed  # what the pages read: only the approved quarter of its targets, tasks and groups
    assert rewritten <= owners  # what was written: only their series
    assert ("TargetResult", coverage_result(plan, four_quarters[3]).target_id, four_quarters[3].pk) in changed
    assert services.recompute_plan(plan, force=True) == 0  # the approval left what a full recompute computes


def test_reopening_an_earlier_quarter_leaves_what_a_full_recompute_computes(
    plan, history, office_user, django_capture_on_commit_callbacks
):
    services.recompute_plan(plan)
    middle = QuarterlyReport.objects.get(period=history[1])
    with django_capture_on_commit_callbacks(execute=True):
        reporting.reopen_report(report=middle, by=office_user, reason="数据有误。")

    assert coverage_result(plan, history[1]).latest_value == 7.0  # the first quarter's value carries forward
    assert coverage_result(plan, history[2]).latest_value == 7.8

    def co_update(period):  # 七里海管委会 co-owns task 6.1
        result = TaskResult.objects.get(task__area__plan=plan, task__area__number=6, task__number=1, period=period)
        return next(c["period"] for c in result.co_departments if c["department"] == "七里海管委会")

    assert [co_update(p) for p in history] == ["2024Q1", "2024Q1", "2024Q3"]
    assert services.recompute_plan(plan, force=True) == 0


def test_recompute_command_passes_over_unchanged_plans_unless_forced(plan, history):
    call_command("recompute_progress", stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("recompute_progress", stdout=out, stderr=StringIO())
    assert "重算 0 个，输入未变跳过 1 个" in out.getvalue()
    out = StringIO()
    call_command("recompute_progress", "--force", stdout=out, stderr=StringIO())
    assert "重算 1 个，输入未变跳过 0 个" in out.getvalue()


def test_a_full_run_that_wrote_many_rows_refreshes_the_planner_statistics(plan, history, monkeypatch):
    from django.db import connection

    analyzed = []
    analyze = write.analyze_results
    monkeypatch.setattr(write, "ANALYZE_AFTER", 100)
    monkeypatch.setattr(write, "analyze_results", lambda: analyzed.append(analyze()))

    services.recompute_plan(plan)  # every target, task and rollup of the plan: hundreds of rows
    services.recompute_plan(plan, force=True)  # nothing written

    assert len(analyzed) == (1 if connection.vendor == "postgresql" else 0)


def test_a_task_no_unit_is_named_on_still_gets_its_results(plan, history):
    from targets.models import Task

    area = Task.objects.filter(area__plan=plan).first().area
    unnamed = Task.objects.create(area=area, number=99, title="无责任单位的任务", body="", responsibility_text="")
    services.recompute_plan(plan)

    results = TaskResult.objects.filter(task=unnamed)
    assert {r.period_id for r in results} == {p.pk for p in history}
    assert all((r.status, r.percent_complete, r.co_departments) == (services.NO_UPDATE, None, []) for r in results)


def test_an_incremental_recompute_is_recorded_once_it_ends_and_a_failed_one_with_its_error(plan, history, monkeypatch):
    report = QuarterlyReport.objects.get(period=history[2])
    ComputationRun.objects.all().delete()
    services.recompute_for_report(report)
    run = ComputationRun.objects.get()
    assert run.kind == ComputationRun.Kind.INCREMENTAL and run.covered["report"] == report.pk
    assert run.started_at <= run.finished_at and not run.error

    def crash(scope, *, today):
        raise RuntimeError("worker lost")

    monkeypatch.setattr(engine_run, "fill", crash)
    with pytest.raises(RuntimeError):
        services.recompute_for_report(report)
    failed = ComputationRun.objects.latest("pk")
    assert failed.pk != run.pk and failed.finished_at is None and "worker lost" in failed.error
