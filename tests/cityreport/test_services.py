"""What a report to the city says for a quarter and for a year, read from the engine's stored results, and the
office's 需市级协调 mark with its history."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cityreport import services
from cityreport.content import build_content
from cityreport.models import CityReportFile, EscalationStep
from results.models import Rollup, TargetResult
from tasks.models import QuarterlyReport, ReportStatus, TaskUpdate

pytestmark = pytest.mark.django_db


def _content(plan, year, quarter=None):
    return build_content(services.report_for(plan, year, quarter), today=timezone.localdate())


def test_a_quarter_report_states_the_engine_s_counts_and_only_that_quarter_s_problems(plan, period, city):
    content = _content(plan, 2026, 1)

    rollup = Rollup.objects.get(plan=plan, period=period, scope=Rollup.Scope.PLAN)
    assert content["as_of"] == {"year": 2026, "quarter": 1}
    assert content["state"]["targets"] == {s: v["count"] for s, v in rollup.targets.items()}  # the engine's
    assert content["state"]["tasks"] == {s: v["count"] for s, v in rollup.tasks.items() if s != "overdue"}
    assert content["state"]["targets_total"] == TargetResult.objects.filter(period=period).count()
    lagging = TargetResult.objects.filter(
        target__indicator__plan=plan, period=period, status__in=["at_risk", "off_track", "missed_by_date"]
    )
    assert sorted(t["status"] for t in content["state"]["lagging"]) == sorted(r.status for r in lagging)
    assert [p["id"] for p in content["problems"]] == [city["q1_problem"].pk]
    assert content["problems"][0]["problems"] == "造林用地指标不足，需市级统筹。"
    notice = next(n for n in content["notices"] if n["id"] == city["notice"].pk)
    assert notice["answers"][0]["text"] == "已向区规划资源局申请调整用地。"
    assert notice["task_update_id"] == city["q1_problem"].pk
    (meeting,) = content["meetings"]  # held on 2026-02-10, inside the quarter
    assert meeting["decisions"][0]["number"] == city["decision"].notice.display_number


def test_a_year_report_covers_every_quarter_of_the_year_as_of_its_latest(plan, q2, city):
    content = _content(plan, 2026)

    assert content["as_of"] == {"year": 2026, "quarter": 2}
    assert {p["id"] for p in content["problems"]} == {city["q1_problem"].pk, city["q2_problem"].pk}
    assert (content["from"], content["to"]) == ("2026-01-01", "2026-12-31")
    assert _content(plan, 2026, 2)["meetings"] == []  # the February meeting is the first quarter's


def test_a_draft_s_major_problem_waits_until_it_reaches_the_office_and_cannot_be_marked_before(plan, city, office_user):
    """A draft's words are still the unit's own: neither listed, nor markable, so a leader's document never holds
    them (the review found a marked draft problem in the document leaders read)."""
    problem = city["q1_problem"]
    QuarterlyReport.objects.filter(pk=problem.report_id).update(status=ReportStatus.DRAFT)
    assert _content(plan, 2026, 1)["problems"] == []
    with pytest.raises(ValidationError):
        services.mark_escalation(problem, by=office_user, reason="涉及市级用地指标")
    assert _content(plan, 2026, 1)["escalated"] == []

    QuarterlyReport.objects.filter(pk=problem.report_id).update(status=ReportStatus.SUBMITTED)
    services.mark_escalation(problem, by=office_user, reason="涉及市级用地指标")
    assert [p["id"] for p in _content(plan, 2026, 1)["escalated"]] == [problem.pk]


def test_the_city_level_mark_needs_a_reason_and_keeps_its_history(plan, city, office_user, dept_a_user):
    problem = city["q1_problem"]
    with pytest.raises(ValidationError):
        services.mark_escalation(problem, by=office_user, reason="  ")
    with pytest.raises(PermissionDenied):
        services.mark_escalation(problem, by=dept_a_user, reason="我们需要市里协调")

    services.mark_escalation(problem, by=office_user, reason="涉及市级用地指标")
    escalated = _content(plan, 2026, 1)["escalated"]
    assert [(p["id"], p["escalation"]["reason"]) for p in escalated] == [(problem.pk, "涉及市级用地指标")]
    with pytest.raises(ValidationError):
        services.mark_escalation(problem, by=office_user, reason="再次标记")

    services.unmark_escalation(problem, by=office_user, reason="区内已协调解决")
    assert _content(plan, 2026, 1)["escalated"] == []
    services.mark_escalation(problem, by=office_user, reason="问题再次出现")

    steps = list(EscalationStep.objects.filter(escalation__task_update=problem).order_by("at", "pk"))
    assert [(s.action, s.reason, s.by) for s in steps] == [
        ("mark", "涉及市级用地指标", office_user),
        ("unmark", "区内已协调解决", office_user),
        ("mark", "问题再次出现", office_user),
    ]


def test_only_a_major_problem_can_be_marked(plan, city, office_user):
    other = TaskUpdate.objects.exclude(pk=city["q1_problem"].pk).filter(major_problem=False).first()
    with pytest.raises(ValidationError):
        services.mark_escalation(other, by=office_user, reason="不是重大问题")


def test_the_office_s_texts_keep_history_and_a_final_report_keeps_its_data(plan, city, office_user):
    report = services.report_for(plan, 2026, 1)
    report = services.update_texts(
        report, by=office_user, version=report.version, introduction="现将一季度情况报告如下。"
    )
    with pytest.raises(services.StaleReport):
        services.update_texts(report, by=office_user, version=report.version - 1, closing="下一步")
    assert [(c.field, c.before, c.after) for c in report.changes.all()] == [
        ("introduction", "", "现将一季度情况报告如下。")
    ]

    report = services.finalize(report, by=office_user, today=timezone.localdate(), version=report.version)
    services.mark_escalation(city["q1_problem"], by=office_user, reason="定稿后才标记")
    frozen = services.current_content(report, today=timezone.localdate())
    assert frozen["escalated"] == [] and frozen["introduction"] == "现将一季度情况报告如下。"
    with pytest.raises(ValidationError):
        services.update_texts(report, by=office_user, version=report.version, closing="改不了")
    with pytest.raises(ValidationError):
        services.reopen(report, by=office_user, reason="")
    report = services.reopen(report, by=office_user, reason="补充市级协调事项")
    assert len(services.current_content(report, today=timezone.localdate())["escalated"]) == 1


def test_a_file_asked_for_from_final_data_fails_when_the_report_was_reopened_before_the_job(
    plan, city, office_user, media, settings
):
    settings.LANGUAGE_CODE = "zh-hans"
    report = services.report_for(plan, 2026, 1)
    report = services.finalize(report, by=office_user, today=timezone.localdate(), version=report.version)
    file = services.request_pdf(report, by=office_user)  # queued after the commit: not run inside this test
    services.reopen(report, by=office_user, reason="补充材料")

    file = services.generate_pdf(file.pk)

    assert file.state == CityReportFile.State.FAILED and "撤销定稿" in file.error
    assert not file.file


def test_a_silent_job_s_row_is_failed_with_the_reason(plan, city, office_user):
    file = services.request_pdf(services.report_for(plan, 2026, 1), by=office_user)
    CityReportFile.objects.filter(pk=file.pk).update(state="running", heartbeat_at=timezone.now())
    assert services.expire_stale_files() == 0  # still alive

    assert services.expire_stale_files(now=timezone.now() + dt.timedelta(minutes=4)) == 1
    file.refresh_from_db()
    assert file.state == CityReportFile.State.FAILED and file.error


def test_a_year_under_way_is_stated_as_of_its_quarter_being_reported_not_the_one_under_way(plan, q2, city):
    from results.services import recompute_plan
    from tasks.models import ReportingPeriod

    today = timezone.localdate()  # 2026-12-03: 2026 Q4 is under way
    ReportingPeriod.objects.create(year=2026, quarter=4, opens_on=today, due_on=today + dt.timedelta(days=40))
    recompute_plan(plan)
    assert Rollup.objects.filter(plan=plan, period__year=2026, period__quarter=4).exists()

    assert _content(plan, 2026)["as_of"] == {"year": 2026, "quarter": 2}
    assert _content(plan, 2026, 4)["as_of"] == {"year": 2026, "quarter": 4}  # asked for, it is stated


def test_a_queued_job_may_wait_behind_others_and_a_running_one_may_not_fall_silent(plan, city, office_user):
    """Queued: no heartbeat yet, and it may wait behind a nightly recompute or another PDF; not "interrupted"."""
    file = services.request_pdf(services.report_for(plan, 2026, 1), by=office_user)
    assert services.expire_stale_files(now=timezone.now() + dt.timedelta(minutes=4)) == 0
    assert services.expire_stale_files(now=timezone.now() + dt.timedelta(minutes=31)) == 1
    file.refresh_from_db()
    assert file.state == CityReportFile.State.FAILED


def test_a_file_that_keeps_killing_its_worker_is_given_up(plan, city, office_user):
    """Acks late: a job that kills its worker is delivered again; after three tries the row ends failed, not a loop."""
    file = services.request_pdf(services.report_for(plan, 2026, 1), by=office_user)
    CityReportFile.objects.filter(pk=file.pk).update(state="running", attempts=3)
    file = services.generate_pdf(file.pk)
    assert file.state == CityReportFile.State.FAILED and "3" in file.error and file.attempts == 4
    assert not file.file
