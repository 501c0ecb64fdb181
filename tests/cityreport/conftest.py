"""A plan with two computed quarters of 2026, each with a unit's major problem that reached the office; a notice
on the first problem with the unit's answer; a dispatch meeting in the first quarter with one decision."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from departments.models import Department
from meetings.services import add_decision, record_meeting
from results.services import recompute_plan
from supervision import services as supervision
from supervision.selectors import major_problem_subject
from tasks.models import QuarterlyReport, ReportingPeriod, ReportStatus, TaskUpdate
from tasks.services import start_report
from tests.evaluation.conftest import demo_office, demo_plan, media  # noqa: F401  (fixtures)

# These tests tell a story of 2026 (problems in its first two quarters, a February meeting, its fourth quarter under
# way): they run on its day whatever NINGHE_TEST_TODAY says, so the suite passes on any date.
SCENARIO_DAY = dt.datetime(2026, 12, 3, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def scenario_day():
    with time_machine.travel(SCENARIO_DAY, tick=True):
        yield


def _major_problem(report, text: str, *, status=ReportStatus.SUBMITTED) -> TaskUpdate:
    update = report.task_updates.order_by("task__area__order", "task__number").first()
    TaskUpdate.objects.filter(pk=update.pk).update(major_problem=True, problems=text)
    QuarterlyReport.objects.filter(pk=report.pk).update(status=status)
    update.refresh_from_db()
    return update


@pytest.fixture
def q2(db):
    today = timezone.localdate()
    return ReportingPeriod.objects.create(
        year=2026, quarter=2, opens_on=today - dt.timedelta(days=5), due_on=today + dt.timedelta(days=10)
    )


@pytest.fixture
def city(plan, period, q2, report_a, dept_a_user, dept_b_user, office_user):
    """Problems: 七里海管委会 in 2026 Q1 (with a notice answered), the B unit in 2026 Q2."""
    assert (period.year, period.quarter) == (2026, 1)
    today = timezone.localdate()
    q1_problem = _major_problem(report_a, "造林用地指标不足，需市级统筹。")
    report_b = start_report(plan=plan, department=dept_b_user.membership.department, period=q2, by=dept_b_user)
    q2_problem = _major_problem(report_b, "光伏项目并网容量受限。")
    notice = supervision.open_notice(
        subject=major_problem_subject(q1_problem),
        by=office_user,
        requirement="请提出解决方案。",
        deadline=today + dt.timedelta(days=14),
        today=today,
    )
    supervision.answer_notice(
        notice=notice,
        by=dept_a_user,
        measures="已向区规划资源局申请调整用地。",
        planned_completion=today + dt.timedelta(days=60),
    )
    unit = Department.objects.get(name="七里海管委会")
    meeting = record_meeting(
        plan=plan, held_on=dt.date(2026, 2, 10), title="一季度碳达峰调度会", attendees=[unit], by=office_user
    )
    decision = add_decision(
        meeting=meeting,
        text="区规划资源局牵头研究造林用地",
        responsible=unit,
        deadline=today + dt.timedelta(days=20),
        by=office_user,
        today=today,
    )
    recompute_plan(plan)
    return {
        "q1_problem": q1_problem,
        "q2_problem": q2_problem,
        "notice": notice,
        "meeting": meeting,
        "decision": decision,
    }
