"""The report workflow through tasks.services: every transition, the refused ones, lateness and history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from tasks import services
from tasks.models import FieldChange, QualityFlag, QuarterlyReport, ReportEvent, ReportStatus
from tests.factories import percent_down_flag
from tests.tasks.test_smoke import complete_data

pytestmark = pytest.mark.django_db

Action = ReportEvent.Action


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def fresh(report) -> QuarterlyReport:
    return QuarterlyReport.objects.get(pk=report.pk)


def fill(report, by, **task_overrides):
    """Save complete data (every task and indicator filled) as a draft; return the fresh report."""
    report = fresh(report)
    tasks, indicators = complete_data(report)
    for data in tasks.values():
        data.update(task_overrides)
    services.save_draft(report=report, by=by, version=report.version, task_data=tasks, indicator_data=indicators)
    return fresh(report)


def submitted(report, by):
    return services.submit_report(report=fill(report, by), by=by)


def approved(report, by, office):
    services.submit_report(report=fill(report, by), by=by)
    return services.approve_report(report=fresh(report), by=office)


def last_event(report) -> ReportEvent:
    return ReportEvent.objects.filter(report=report).order_by("-pk").first()


@pytest.fixture
def needs_signoff(report_a):
    department = report_a.department
    department.requires_head_signoff = True
    department.save()
    return report_a


# --- transitions -------------------------------------------------------------------------------------------


def test_report_without_signoff_goes_straight_to_the_office(report_a, dept_a_user):
    report = services.submit_report(report=fill(report_a, dept_a_user), by=dept_a_user)

    report = fresh(report)
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_at is not None
    assert not report.is_editable
    event = last_event(report)
    assert (event.action, event.actor, event.status_before, event.status_after) == (
        Action.SUBMIT,
        dept_a_user,
        ReportStatus.DRAFT,
        ReportStatus.SUBMITTED,
    )


def test_report_needing_signoff_waits_for_the_head_then_reaches_the_office(needs_signoff, dept_a_user, dept_a_head):
    services.submit_report(report=fill(needs_signoff, dept_a_user), by=dept_a_user)
    report = fresh(needs_signoff)
    assert report.status == ReportStatus.AWAITING_SIGNOFF
    assert report.submitted_at is None
    assert not report.is_editable

    services.sign_off_report(report=report, by=dept_a_head, approve=True, comment="同意报送。")

    report = fresh(report)
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_at is not None
    event = last_event(report)
    assert (event.action, event.actor, event.status_before, event.status_after, event.comment) == (
        Action.SIGN_OFF,
        dept_a_head,
        ReportStatus.AWAITING_SIGNOFF,
        ReportStatus.SUBMITTED,
        "同意报送。",
    )


def test_head_submitting_own_units_report_needs_no_separate_signoff(needs_signoff, dept_a_user, dept_a_head):
    report = fill(needs_signoff, dept_a_user)
    services.submit_report(report=report, by=dept_a_head)
    assert fresh(report).status == ReportStatus.SUBMITTED


def test_head_returns_report_to_reporters_with_comment(needs_signoff, dept_a_user, dept_a_head):
    services.submit_report(report=fill(needs_signoff, dept_a_user), by=dept_a_user)

    services.sign_off_report(
        report=fresh(needs_signoff), by=dept_a_head, approve=False, comment="补充森林面积数据来源。"
    )

    report = fresh(needs_signoff)
    assert report.status == ReportStatus.RETURNED
    assert report.is_editable
    event = last_event(report)
    assert (event.action, event.actor, event.status_before, event.status_after, event.comment) == (
        Action.RETURN,
        dept_a_head,
        ReportStatus.AWAITING_SIGNOFF,
        ReportStatus.RETURNED,
        "补充森林面积数据来源。",
    )


def test_head_cannot_return_without_saying_what_to_change(needs_signoff, dept_a_user, dept_a_head):
    services.submit_report(report=fill(needs_signoff, dept_a_user), by=dept_a_user)

    with pytest.raises(ValidationError) as refused:
        services.sign_off_report(report=fresh(needs_signoff), by=dept_a_head, approve=False, comment="  ")

    assert refused.value.messages == ["请说明需要修改的内容。"]
    assert fresh(needs_signoff).status == ReportStatus.AWAITING_SIGNOFF


def test_office_approves_submitted_report(report_a, dept_a_user, office_user):
    submitted(report_a, dept_a_user)

    services.approve_report(report=fresh(report_a), by=office_user, comment="数据完整。")

    report = fresh(report_a)
    assert report.status == ReportStatus.APPROVED
    assert report.approved_at is not None
    assert not report.is_editable
    event = last_event(report)
    assert (event.action, event.actor, event.status_before, event.status_after) == (
        Action.APPROVE,
        office_user,
        ReportStatus.SUBMITTED,
        ReportStatus.APPROVED,
    )


def test_office_returns_submitted_report_with_comment(report_a, dept_a_user, office_user):
    submitted(report_a, dept_a_user)

    services.return_report(report=fresh(report_a), by=office_user, comment="请补充6.2任务的进展。")

    report = fresh(report_a)
    assert report.status == ReportStatus.RETURNED
    assert report.office_comment == "请补充6.2任务的进展。"
    assert report.is_editable
    event = last_event(report)
    assert (event.action, event.actor, event.status_before, event.status_after, event.comment) == (
        Action.RETURN,
        office_user,
        ReportStatus.SUBMITTED,
        ReportStatus.RETURNED,
        "请补充6.2任务的进展。",
    )


@pytest.mark.parametrize("comment", ["", "   \n"])
def test_office_cannot_return_without_a_comment(report_a, dept_a_user, office_user, comment):
    submitted(report_a, dept_a_user)
    events_before = report_a.events.count()

    with pytest.raises(ValidationError) as refused:
        services.return_report(report=fresh(report_a), by=office_user, comment=comment)

    assert refused.value.messages == ["请说明需要修改的内容。"]
    assert fresh(report_a).status == ReportStatus.SUBMITTED
    assert report_a.events.count() == events_before


def test_returned_report_can_be_corrected_and_resubmitted(report_a, dept_a_user, office_user):
    submitted(report_a, dept_a_user)
    services.return_report(report=fresh(report_a), by=office_user, comment="请补充。")

    report = fill(report_a, dept_a_user, work_done="补充后的进展说明。")
    services.submit_report(report=report, by=dept_a_user)

    report = fresh(report)
    assert report.status == ReportStatus.SUBMITTED
    assert set(report.task_updates.values_list("work_done", flat=True)) == {"补充后的进展说明。"}
    event = last_event(report)
    assert (event.action, event.status_before, event.status_after) == (
        Action.SUBMIT,
        ReportStatus.RETURNED,
        ReportStatus.SUBMITTED,
    )


def test_reopened_approved_report_is_editable_again(report_a, dept_a_user, office_user):
    approved(report_a, dept_a_user, office_user)

    services.reopen_report(report=fresh(report_a), by=office_user, reason="统计局更正了森林面积。")

    report = fresh(report_a)
    assert report.status == ReportStatus.RETURNED
    assert report.approved_at is None
    assert report.is_editable
    event = last_event(report)
    assert (event.action, event.actor, event.status_before, event.status_after, event.comment) == (
        Action.REOPEN,
        office_user,
        ReportStatus.APPROVED,
        ReportStatus.RETURNED,
        "统计局更正了森林面积。",
    )
    # and the department can correct it
    tasks, indicators = complete_data(report)
    for data in tasks.values():
        data["work_done"] = "更正后的说明。"
    assert services.save_draft(
        report=report, by=dept_a_user, version=report.version, task_data=tasks, indicator_data=indicators
    )


@pytest.mark.parametrize("reason", ["", "  "])
def test_reopening_needs_a_reason(report_a, dept_a_user, office_user, reason):
    approved(report_a, dept_a_user, office_user)

    with pytest.raises(ValidationError) as refused:
        services.reopen_report(report=fresh(report_a), by=office_user, reason=reason)

    assert refused.value.messages == ["请填写重新打开的理由。"]
    assert fresh(report_a).status == ReportStatus.APPROVED


# --- refused transitions -----------------------------------------------------------------------------------


def test_incomplete_report_cannot_be_submitted_and_errors_name_the_missing_fields(report_a, dept_a_user):
    report = fresh(report_a)
    tasks, indicators = complete_data(report)
    first_task = next(iter(tasks))
    tasks[first_task].update(status="", percent_complete=None, work_done="")
    first_indicator = next(iter(indicators))
    indicators[first_indicator].update(value=None, data_source="")
    services.save_draft(
        report=report, by=dept_a_user, version=report.version, task_data=tasks, indicator_data=indicators
    )

    with pytest.raises(services.ReportErrors) as refused:
        services.submit_report(report=fresh(report), by=dept_a_user)

    errors = refused.value
    assert set(errors.tasks) == {first_task}
    assert errors.tasks[first_task] == {
        "status": "提交报告前必须填写。",
        "percent_complete": "提交报告前必须填写。",
        "work_done": "提交报告前必须填写。",
    }
    assert errors.indicators == {first_indicator: {"value": "提交报告前必须填写。", "data_source": "请填写数据来源。"}}
    assert fresh(report).status == ReportStatus.DRAFT


def test_empty_new_report_cannot_be_submitted(report_a, dept_a_user):
    with pytest.raises(services.ReportErrors) as refused:
        services.submit_report(report=fresh(report_a), by=dept_a_user)
    assert set(refused.value.tasks) == set(report_a.task_updates.values_list("task_id", flat=True))
    assert fresh(report_a).status == ReportStatus.DRAFT


def test_office_cannot_approve_a_draft(report_a, office_user):
    with pytest.raises(PermissionDenied):
        services.approve_report(report=fresh(report_a), by=office_user)
    assert fresh(report_a).status == ReportStatus.DRAFT


def test_office_cannot_return_a_draft(report_a, office_user):
    with pytest.raises(PermissionDenied):
        services.return_report(report=fresh(report_a), by=office_user, comment="请补充。")
    assert fresh(report_a).status == ReportStatus.DRAFT


def test_reporter_cannot_sign_off(needs_signoff, dept_a_user, dept_a_colleague):
    services.submit_report(report=fill(needs_signoff, dept_a_user), by=dept_a_user)
    for reporter in (dept_a_user, dept_a_colleague):
        with pytest.raises(PermissionDenied):
            services.sign_off_report(report=fresh(needs_signoff), by=reporter, approve=True)
    assert fresh(needs_signoff).status == ReportStatus.AWAITING_SIGNOFF


def test_office_cannot_sign_off_for_the_head(needs_signoff, dept_a_user, office_user):
    services.submit_report(report=fill(needs_signoff, dept_a_user), by=dept_a_user)
    with pytest.raises(PermissionDenied):
        services.sign_off_report(report=fresh(needs_signoff), by=office_user, approve=True)


def test_head_of_another_unit_cannot_sign_off(needs_signoff, dept_a_user, django_user_model):
    from departments.models import Department, Membership

    other_head = django_user_model.objects.create_user("b-head", password="pw-b-head")
    Membership.objects.create(user=other_head, department=Department.objects.get(name="区统计局"), role="head")
    services.submit_report(report=fill(needs_signoff, dept_a_user), by=dept_a_user)

    with pytest.raises(PermissionDenied):
        services.sign_off_report(report=fresh(needs_signoff), by=other_head, approve=True)


def test_head_cannot_sign_off_a_draft(needs_signoff, dept_a_head):
    with pytest.raises(PermissionDenied):
        services.sign_off_report(report=fresh(needs_signoff), by=dept_a_head, approve=True)
    assert fresh(needs_signoff).status == ReportStatus.DRAFT


@pytest.mark.parametrize("member", ["dept_a_user", "dept_a_head"])
def test_department_cannot_approve_or_return_its_own_report(report_a, dept_a_user, member, request):
    submitted(report_a, dept_a_user)
    user = request.getfixturevalue(member)

    with pytest.raises(PermissionDenied):
        services.approve_report(report=fresh(report_a), by=user)
    with pytest.raises(PermissionDenied):
        services.return_report(report=fresh(report_a), by=user, comment="自己退回。")
    assert fresh(report_a).status == ReportStatus.SUBMITTED


def test_department_cannot_reopen_its_approved_report(report_a, dept_a_user, office_user):
    approved(report_a, dept_a_user, office_user)
    with pytest.raises(PermissionDenied):
        services.reopen_report(report=fresh(report_a), by=dept_a_user, reason="想改。")


def test_approved_report_cannot_be_edited(report_a, dept_a_user, office_user):
    report = approved(report_a, dept_a_user, office_user)
    report = fresh(report)
    tasks, indicators = complete_data(report)
    for data in tasks.values():
        data["work_done"] = "偷偷修改。"

    with pytest.raises(PermissionDenied):
        services.save_draft(
            report=report, by=dept_a_user, version=report.version, task_data=tasks, indicator_data=indicators
        )
    assert "偷偷修改。" not in set(report.task_updates.values_list("work_done", flat=True))


def test_submitted_report_cannot_be_edited_or_submitted_again(report_a, dept_a_user):
    report = fresh(submitted(report_a, dept_a_user))
    tasks, indicators = complete_data(report)
    with pytest.raises(PermissionDenied):
        services.save_draft(
            report=report, by=dept_a_user, version=report.version, task_data=tasks, indicator_data=indicators
        )
    with pytest.raises(PermissionDenied):
        services.submit_report(report=report, by=dept_a_user)


def test_report_cannot_be_edited_or_submitted_when_the_period_is_closed(report_a, dept_a_user, period):
    report = fill(report_a, dept_a_user)
    period.is_open = False
    period.save()
    report = fresh(report)
    tasks, indicators = complete_data(report)
    for data in tasks.values():
        data["work_done"] = "截止后修改。"

    with pytest.raises(PermissionDenied):
        services.save_draft(
            report=report, by=dept_a_user, version=report.version, task_data=tasks, indicator_data=indicators
        )
    with pytest.raises(PermissionDenied):
        services.submit_report(report=report, by=dept_a_user)
    assert fresh(report).status == ReportStatus.DRAFT


def test_report_cannot_be_started_when_the_period_is_closed(plan, period, dept_a_user):
    period.is_open = False
    period.save()
    with pytest.raises(PermissionDenied):
        services.start_report(plan=plan, department=dept_a_user.membership.department, period=period, by=dept_a_user)


def test_office_cannot_edit_a_departments_draft(report_a, office_user):
    report = fresh(report_a)
    tasks, indicators = complete_data(report)
    with pytest.raises(PermissionDenied):
        services.save_draft(
            report=report, by=office_user, version=report.version, task_data=tasks, indicator_data=indicators
        )
    assert not report.events.filter(action=Action.SAVE).exists()


def test_department_cannot_edit_submit_or_start_another_departments_report(plan, period, report_a, dept_b_user):
    report = fresh(report_a)
    tasks, indicators = complete_data(report)
    with pytest.raises(PermissionDenied):
        services.save_draft(
            report=report, by=dept_b_user, version=report.version, task_data=tasks, indicator_data=indicators
        )
    with pytest.raises(PermissionDenied):
        services.submit_report(report=report, by=dept_b_user)
    with pytest.raises(PermissionDenied):
        services.start_report(plan=plan, department=report.department, period=period, by=dept_b_user)


def test_starting_a_report_twice_returns_the_same_report(plan, period, report_a, dept_a_colleague):
    again = services.start_report(
        plan=plan, department=dept_a_colleague.membership.department, period=period, by=dept_a_colleague
    )
    assert again.pk == report_a.pk
    assert report_a.events.filter(action=Action.CREATE).count() == 1


def test_stale_version_is_refused_and_the_newer_save_is_kept(report_a, dept_a_user, dept_a_colleague):
    opened = fresh(report_a).version
    tasks, indicators = complete_data(report_a)
    task_id = next(iter(tasks))
    tasks[task_id]["work_done"] = "同事的内容。"
    services.save_draft(
        report=report_a, by=dept_a_colleague, version=opened, task_data=tasks, indicator_data=indicators
    )

    mine = {task_id: dict(tasks[task_id], work_done="我的内容。")}
    with pytest.raises(services.VersionConflict) as conflict:
        services.save_draft(report=report_a, by=dept_a_user, version=opened, task_data=mine, indicator_data={})

    assert conflict.value.latest.actor == dept_a_colleague
    assert report_a.task_updates.get(task_id=task_id).work_done == "同事的内容。"
    assert fresh(report_a).version == opened + 1


# --- lateness ----------------------------------------------------------------------------------------------


def _due(period, days_from_today):
    today = timezone.localdate()  # the date the service compares with, in the project's time zone
    period.opens_on = today - dt.timedelta(days=30)
    period.due_on = today + dt.timedelta(days=days_from_today)
    period.save()


def test_report_submitted_after_the_due_date_is_late(report_a, dept_a_user, period):
    _due(period, -1)
    submitted(report_a, dept_a_user)
    report = fresh(report_a)
    assert report.status == ReportStatus.SUBMITTED
    assert report.is_late is True


def test_report_submitted_before_the_due_date_is_on_time(report_a, dept_a_user, period):
    submitted(report_a, dept_a_user)
    assert fresh(report_a).is_late is False


def test_report_submitted_on_the_due_date_is_on_time(report_a, dept_a_user, period):
    _due(period, 0)
    submitted(report_a, dept_a_user)
    assert fresh(report_a).is_late is False


def test_resubmission_after_return_keeps_first_submission_on_time(report_a, dept_a_user, office_user, period):
    submitted(report_a, dept_a_user)
    first_submitted_at = fresh(report_a).submitted_at
    services.return_report(report=fresh(report_a), by=office_user, comment="请补充。")
    _due(period, -3)  # the deadline passes while the department corrects the report

    services.submit_report(report=fill(report_a, dept_a_user, work_done="已补充。"), by=dept_a_user)

    report = fresh(report_a)
    assert report.status == ReportStatus.SUBMITTED
    assert report.is_late is False
    assert report.submitted_at == first_submitted_at


def test_resubmission_after_return_keeps_first_submission_late(report_a, dept_a_user, office_user, period):
    _due(period, -1)
    submitted(report_a, dept_a_user)
    services.return_report(report=fresh(report_a), by=office_user, comment="请补充。")
    _due(period, 10)

    services.submit_report(report=fill(report_a, dept_a_user, work_done="已补充。"), by=dept_a_user)

    assert fresh(report_a).is_late is True


# --- history -----------------------------------------------------------------------------------------------


def test_save_records_each_changed_field_with_before_and_after(report_a, dept_a_user):
    report = fresh(report_a)
    update = report.task_updates.select_related("task").get(task__area__number=6, task__number=2)
    indicator_value = report.indicator_values.get(indicator__code="forest-coverage")

    event = services.save_draft(
        report=report,
        by=dept_a_user,
        version=report.version,
        task_data={update.task_id: {"status": "in_progress", "percent_complete": 40, "work_done": "新造林500亩。"}},
        indicator_data={indicator_value.indicator_id: {"value": Decimal("12.5"), "data_source": "林业统计年报"}},
    )

    assert event is not None
    assert (event.action, event.actor, event.status_before, event.status_after) == (
        Action.SAVE,
        dept_a_user,
        ReportStatus.DRAFT,
        ReportStatus.DRAFT,
    )
    assert event.version == fresh(report).version == report.version + 1
    changes = {(c.task_id, c.indicator_id, c.field, c.before, c.after) for c in event.changes.all()}
    assert changes == {
        (update.task_id, None, "status", "", "in_progress"),
        (update.task_id, None, "percent_complete", "", "40"),
        (update.task_id, None, "work_done", "", "新造林500亩。"),
        (None, indicator_value.indicator_id, "value", "", "12.5"),
        (None, indicator_value.indicator_id, "data_source", "", "林业统计年报"),
    }


def test_second_save_records_the_previous_value_as_before(report_a, dept_a_user):
    report = fresh(report_a)
    task_id = report.task_updates.first().task_id
    services.save_draft(
        report=report,
        by=dept_a_user,
        version=report.version,
        task_data={task_id: {"percent_complete": 40}},
        indicator_data={},
    )
    report = fresh(report)
    event = services.save_draft(
        report=report,
        by=dept_a_user,
        version=report.version,
        task_data={task_id: {"percent_complete": 60}},
        indicator_data={},
    )
    assert [(c.field, c.before, c.after) for c in event.changes.all()] == [("percent_complete", "40", "60")]


def test_save_without_any_change_creates_no_event(report_a, dept_a_user):
    report = fill(report_a, dept_a_user)
    events_before, changes_before = report.events.count(), FieldChange.objects.filter(event__report=report).count()
    tasks, indicators = complete_data(report)

    result = services.save_draft(
        report=report, by=dept_a_user, version=report.version, task_data=tasks, indicator_data=indicators
    )

    assert result is None
    assert report.events.count() == events_before
    assert FieldChange.objects.filter(event__report=report).count() == changes_before
    assert fresh(report).version == report.version


def test_whole_workflow_leaves_one_event_per_step_with_actor_and_statuses(
    needs_signoff, dept_a_user, dept_a_head, office_user
):
    report = fill(needs_signoff, dept_a_user)
    services.submit_report(report=report, by=dept_a_user)
    services.sign_off_report(report=fresh(report), by=dept_a_head, approve=False, comment="数据来源写全。")
    report = fill(report, dept_a_user, work_done="改好了。")
    services.submit_report(report=report, by=dept_a_user)
    services.sign_off_report(report=fresh(report), by=dept_a_head, approve=True)
    services.return_report(report=fresh(report), by=office_user, comment="补充佐证。")
    report = fill(report, dept_a_user, work_done="再次修改。")
    services.submit_report(report=report, by=dept_a_user)
    services.sign_off_report(report=fresh(report), by=dept_a_head, approve=True)
    services.approve_report(report=fresh(report), by=office_user)
    services.reopen_report(report=fresh(report), by=office_user, reason="更正数据。")

    steps = [
        (e.action, e.actor.username, e.status_before, e.status_after)
        for e in ReportEvent.objects.filter(report=report).select_related("actor").order_by("pk")
    ]
    D, W, S, R, A = (
        ReportStatus.DRAFT,
        ReportStatus.AWAITING_SIGNOFF,
        ReportStatus.SUBMITTED,
        ReportStatus.RETURNED,
        ReportStatus.APPROVED,
    )
    assert steps == [
        (Action.CREATE, "dept-a", "", D),
        (Action.SAVE, "dept-a", D, D),
        (Action.SUBMIT, "dept-a", D, W),
        (Action.RETURN, "dept-a-head", W, R),
        (Action.SAVE, "dept-a", R, R),
        (Action.SUBMIT, "dept-a", R, W),
        (Action.SIGN_OFF, "dept-a-head", W, S),
        (Action.RETURN, "office", S, R),
        (Action.SAVE, "dept-a", R, R),
        (Action.SUBMIT, "dept-a", R, W),
        (Action.SIGN_OFF, "dept-a-head", W, S),
        (Action.APPROVE, "office", S, A),
        (Action.REOPEN, "office", A, R),
    ]
    saves = ReportEvent.objects.filter(report=report, action=Action.SAVE)
    assert all(e.changes.exists() for e in saves)
    assert not ReportEvent.objects.filter(report=report).exclude(action=Action.SAVE).filter(changes__isnull=False)


def test_a_report_reopened_after_its_quarter_closed_can_still_be_corrected(report_a, dept_a_user, office_user, period):
    services.approve_report(report=submitted(report_a, dept_a_user), by=office_user)
    period.is_open = False
    period.save()
    services.reopen_report(report=fresh(report_a), by=office_user, reason="数据口径有误，请更正。")
    corrected = fill(report_a, dept_a_user, work_done="更正后的进展。")
    assert corrected.task_updates.first().work_done == "更正后的进展。"
    assert services.submit_report(report=corrected, by=dept_a_user).status == ReportStatus.SUBMITTED


def test_a_milestone_is_refused_a_number_by_the_shared_rules(plan):
    from indicators.models import Indicator
    from tasks.validation import check_indicator_value

    milestone = next(i for i in Indicator.objects.filter(plan=plan).prefetch_related("targets") if i.is_milestone)
    assert set(check_indicator_value(milestone, {"value": 3}, previous=None, complete=False)) == {"value"}
    assert check_indicator_value(milestone, {"reached": True}, previous=None, complete=False) == {}


# --- quality flags: the office dismisses one with a reason ---------------------------------------------------


def test_office_dismisses_a_flag_with_its_reason_kept_in_the_history(report_a, dept_a_user, office_user):
    report = submitted(report_a, dept_a_user)
    flag = percent_down_flag(report)

    services.dismiss_flag(flag=flag, by=office_user, reason="  年度口径调整，已核实。 ")

    flag.refresh_from_db()
    assert not flag.is_open and flag.dismissed_by == office_user and flag.dismissal_reason == "年度口径调整，已核实。"
    event = last_event(report)
    assert (event.action, event.actor, event.comment) == (Action.DISMISS_FLAG, office_user, "年度口径调整，已核实。")
    [change] = event.changes.all()
    assert change.task == flag.task and change.before == "完成百分比由2025年第4季度的60%降至40%。"
    assert change.field_label == "待核查提示"
    assert fresh(report).version == report.version  # reported data did not change
    assert fresh(report).status == ReportStatus.SUBMITTED


def test_dismissing_needs_a_reason_and_happens_once(report_a, dept_a_user, office_user):
    flag = percent_down_flag(submitted(report_a, dept_a_user))
    with pytest.raises(ValidationError, match="请填写忽略这条待核查提示的理由"):
        services.dismiss_flag(flag=flag, by=office_user, reason="  ")
    assert QualityFlag.objects.get(pk=flag.pk).is_open

    services.dismiss_flag(flag=flag, by=office_user, reason="已核实。")
    with pytest.raises(ValidationError, match="已被忽略"):
        services.dismiss_flag(flag=flag, by=office_user, reason="再次。")
    assert ReportEvent.objects.filter(report=flag.report, action=Action.DISMISS_FLAG).count() == 1


def test_only_the_office_dismisses_percent_down_flag(report_a, dept_a_user, dept_a_head, viewer_user):
    flag = percent_down_flag(submitted(report_a, dept_a_user))
    for user in (dept_a_user, dept_a_head, viewer_user):
        with pytest.raises(PermissionDenied):
            services.dismiss_flag(flag=flag, by=user, reason="自己说没问题。")
    assert QualityFlag.objects.get(pk=flag.pk).is_open


def test_dismissing_does_not_count_as_writing_the_report(report_a, dept_a_user, office_user):
    """Separation of duties: the office member who dismissed a flag may still approve."""
    report = submitted(report_a, dept_a_user)
    services.dismiss_flag(flag=percent_down_flag(report), by=office_user, reason="已核实。")
    assert services.approve_report(report=fresh(report), by=office_user).status == ReportStatus.APPROVED
