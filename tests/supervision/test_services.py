"""The notice's life: numbering, who may take each step, every transition, read-only once closed, history."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from supervision import services
from supervision.models import Level, Notice, NoticeStep, Status, SubjectKind
from supervision.selectors import free_subject, major_problem_subject, missing_report_subject, task_subject
from tests.files import one_page_pdf

pytestmark = pytest.mark.django_db


def pdf(name="整改材料.pdf"):
    return SimpleUploadedFile(name, one_page_pdf(), content_type="application/pdf")


def answer(notice, user, **kwargs):
    defaults = {"measures": "已组织专项整改。", "planned_completion": dt.date(2027, 3, 31)}
    return services.answer_notice(notice=notice, by=user, **{**defaults, **kwargs})


def test_opening_numbers_per_year_and_names_the_lead_and_copies_the_co_units(notice, forest_task, office_user, today):
    assert notice.display_number == f"宁碳督〔{today.year}〕1号"
    assert notice.responsible.name == "七里海管委会"
    assert {d.name for d in notice.copied.all()} == {"区林业局", "市规划资源局宁河分局", "区城市管理委", "区水务局"}
    assert notice.status == Status.OPEN and notice.level == Level.SUPERVISE
    assert notice.subject_kind == SubjectKind.TASK and notice.task == forest_task
    second = services.open_notice(
        subject=free_subject(notice.plan),
        by=office_user,
        title="专项督查",
        responsible=notice.responsible,
        requirement="说明情况。",
        deadline=today,
        today=today,
    )
    assert second.number == 2 and second.year == today.year


def test_numbering_starts_again_each_year(notice, office_user, today):
    nxt = dt.date(today.year + 1, 1, 5)
    later = services.open_notice(
        subject=free_subject(notice.plan),
        by=office_user,
        title="新年第一件",
        responsible=notice.responsible,
        requirement="说明情况。",
        deadline=nxt,
        today=nxt,
    )
    assert later.display_number == f"宁碳督〔{today.year + 1}〕1号"


def test_only_the_office_opens(plan, forest_task, period, dept_a_user, viewer_user, today):
    for user in (dept_a_user, viewer_user):
        with pytest.raises(PermissionDenied):
            services.open_notice(
                subject=task_subject(forest_task, period),
                by=user,
                requirement="x",
                deadline=today,
                today=today,
            )
    assert not Notice.objects.exists()


def test_opening_refuses_a_past_deadline_and_an_empty_requirement(plan, forest_task, period, office_user, today):
    subject = task_subject(forest_task, period)
    with pytest.raises(ValidationError):
        services.open_notice(
            subject=subject, by=office_user, requirement="x", deadline=today - dt.timedelta(days=1), today=today
        )
    with pytest.raises(ValidationError):
        services.open_notice(subject=subject, by=office_user, requirement="  ", deadline=today, today=today)
    assert not Notice.objects.exists()


def test_the_loop_answer_return_answer_close_keeps_every_step(notice, dept_a_user, office_user):
    answer(notice, dept_a_user, files=[pdf()])
    notice.refresh_from_db()
    assert notice.status == Status.ANSWERED and notice.measures == "已组织专项整改。"
    services.return_notice(notice=notice, by=office_user, text="措施不具体。", today=dt.date(2026, 12, 3))
    notice.refresh_from_db()
    assert notice.status == Status.RETURNED
    answer(notice, dept_a_user, measures="已落实三项具体措施。")
    services.close_notice(notice=notice, by=office_user)
    notice.refresh_from_db()
    assert notice.status == Status.CLOSED and notice.closed_at
    steps = list(notice.steps.all())
    assert [s.action for s in steps] == ["open", "answer", "return", "answer", "close"]
    assert [(s.status_before, s.status_after) for s in steps] == [
        ("", "open"),
        ("open", "answered"),
        ("answered", "returned"),
        ("returned", "answered"),
        ("answered", "closed"),
    ]
    assert [s.actor for s in steps] == [office_user, dept_a_user, office_user, dept_a_user, office_user]
    assert steps[1].evidence.get().original_name == "整改材料.pdf"
    assert steps[2].text == "措施不具体。"


def test_a_closed_notice_is_read_only(notice, dept_a_user, office_user):
    services.close_notice(notice=notice, by=office_user, text="已通过其他渠道解决。")
    attempts = [
        lambda: answer(notice, dept_a_user),
        lambda: services.request_extension(notice=notice, by=dept_a_user, deadline=dt.date(2027, 6, 1), reason="r"),
        lambda: services.close_notice(notice=notice, by=office_user, text="again"),
        lambda: services.raise_level(notice=notice, by=office_user),
        lambda: services.return_notice(notice=notice, by=office_user, text="x", today=dt.date(2026, 12, 3)),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="closed"):
            attempt()
    assert notice.steps.count() == 2


def test_closing_without_an_answer_needs_a_reason(notice, office_user):
    with pytest.raises(ValidationError):
        services.close_notice(notice=notice, by=office_user)
    notice.refresh_from_db()
    assert notice.status == Status.OPEN


def test_copied_units_others_and_the_viewer_cannot_answer(
    notice, dept_b_user, viewer_user, office_user, django_user_model
):
    from departments.models import Department, Membership

    copied = django_user_model.objects.create_user("forestry")
    Membership.objects.create(user=copied, department=Department.objects.get(name="区林业局"))
    for user in (copied, dept_b_user, viewer_user, office_user):
        with pytest.raises(PermissionDenied):
            answer(notice, user)
    notice.refresh_from_db()
    assert notice.status == Status.OPEN and notice.steps.count() == 1


def test_units_cannot_return_close_grant_or_raise(notice, dept_a_user):
    answer(notice, dept_a_user)
    for attempt in (
        lambda: services.return_notice(notice=notice, by=dept_a_user, text="x", today=dt.date(2026, 12, 3)),
        lambda: services.close_notice(notice=notice, by=dept_a_user, text="x"),
        lambda: services.raise_level(notice=notice, by=dept_a_user),
    ):
        with pytest.raises(PermissionDenied):
            attempt()


def test_an_answer_needs_measures_and_a_date_and_refuses_a_bad_file(notice, dept_a_user):
    with pytest.raises(ValidationError):
        answer(notice, dept_a_user, measures="")
    with pytest.raises(ValidationError):
        answer(notice, dept_a_user, planned_completion=None)
    fake = SimpleUploadedFile("fake.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(ValidationError, match="fake.pdf"):
        answer(notice, dept_a_user, files=[fake])
    notice.refresh_from_db()
    assert notice.status == Status.OPEN and notice.measures == "" and notice.steps.count() == 1


def test_extension_granted_moves_the_deadline_and_resumes(notice, dept_a_user, office_user):
    old = notice.deadline
    with pytest.raises(ValidationError):
        services.request_extension(notice=notice, by=dept_a_user, deadline=old, reason="需要更多时间")
    services.request_extension(notice=notice, by=dept_a_user, deadline=old + dt.timedelta(days=30), reason="需协调")
    notice.refresh_from_db()
    assert notice.status == Status.EXTENSION_REQUESTED and notice.requested_deadline == old + dt.timedelta(days=30)
    services.grant_extension(notice=notice, by=office_user)
    notice.refresh_from_db()
    assert notice.status == Status.OPEN and notice.deadline == old + dt.timedelta(days=30)
    step = notice.steps.last()
    assert step.action == NoticeStep.Action.GRANT_EXTENSION
    assert step.changes["deadline"] == [old.isoformat(), (old + dt.timedelta(days=30)).isoformat()]


def test_extension_declined_keeps_the_deadline_and_returns_to_the_state_asked_from(notice, dept_a_user, office_user):
    answer(notice, dept_a_user)
    services.return_notice(notice=notice, by=office_user, text="补充材料", today=dt.date(2026, 12, 3))
    services.request_extension(
        notice=notice, by=dept_a_user, deadline=notice.deadline + dt.timedelta(days=9), reason="r"
    )
    with pytest.raises(PermissionDenied):
        services.grant_extension(notice=notice, by=dept_a_user)
    services.decline_extension(notice=notice, by=office_user, text="期限不变")
    notice.refresh_from_db()
    assert notice.status == Status.RETURNED and notice.requested_deadline is None


def test_level_only_rises(notice, office_user):
    services.raise_level(notice=notice, by=office_user, text="多次催办未果")
    notice.refresh_from_db()
    assert notice.level == Level.LISTED
    with pytest.raises(PermissionDenied):
        services.raise_level(notice=notice, by=office_user)
    reminder = services.open_notice(
        subject=free_subject(notice.plan),
        by=office_user,
        title="t",
        responsible=notice.responsible,
        requirement="r",
        deadline=notice.deadline,
        today=dt.date(2026, 12, 3),
        level=Level.REMIND,
    )
    with pytest.raises(ValidationError):
        services.raise_level(notice=reminder, by=office_user, level=Level.REMIND)
    assert notice.steps.last().changes == {"level": ["supervise", "listed"]}


def test_overdue_is_derived_from_the_deadline_and_stops_with_the_answer(notice, dept_a_user):
    after = notice.deadline + dt.timedelta(days=1)
    assert not notice.is_overdue(notice.deadline)
    assert notice.is_overdue(after)
    assert list(Notice.objects.overdue(after)) == [notice]
    answer(notice, dept_a_user)
    notice.refresh_from_db()
    assert not notice.is_overdue(after) and not Notice.objects.overdue(after).exists()


def test_overdue_is_recorded_once_per_deadline(notice, office_user, dept_a_user):
    after = notice.deadline + dt.timedelta(days=1)
    assert services.record_overdue(notice=notice, today=notice.deadline) is False
    assert services.record_overdue(notice=notice, today=after) is True
    assert services.record_overdue(notice=notice, today=after) is False
    assert notice.steps.filter(action="overdue").count() == 1


def test_subjects_keep_their_link_and_figures(plan, period, report_a, office_user, today):
    from tasks.models import TaskUpdate

    update = report_a.task_updates.first()
    TaskUpdate.objects.filter(pk=update.pk).update(major_problem=True, problems="资金缺口较大")
    update.refresh_from_db()
    problem = services.open_notice(
        subject=major_problem_subject(update), by=office_user, requirement="r", deadline=today, today=today
    )
    assert problem.subject_kind == SubjectKind.MAJOR_PROBLEM and problem.task_update == update
    assert problem.figures["problems"] == "资金缺口较大" and problem.period == period
    missing = services.open_notice(
        subject=missing_report_subject(plan, report_a.department, period),
        by=office_user,
        requirement="r",
        deadline=today,
        today=today,
    )
    assert missing.responsible == report_a.department and missing.figures["due_on"] == period.due_on.isoformat()
