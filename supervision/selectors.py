"""Reading notices: the subject a notice is opened on (its defaults and figures), lists with what they show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from departments.models import Department
from indicators.models import Target
from results.models import TargetResult, TaskResult
from results.selectors import latest_computed_period
from targets.models import Plan, Responsibility, Task
from tasks.models import QuarterlyReport, ReportingPeriod, TaskUpdate

from .models import Notice, NoticeStep, SubjectKind


@dataclass
class Subject:
    """What a new notice is about, with the defaults the office may change: the title, who answers, who is
    copied, and the figures of the quarter as the office sees them now (kept on the notice as a snapshot)."""

    kind: str
    plan: Plan
    title: str
    responsible: Department | None
    copied: list[Department] = field(default_factory=list)
    period: ReportingPeriod | None = None
    figures: dict = field(default_factory=dict)
    target: Target | None = None
    task: Task | None = None
    task_update: TaskUpdate | None = None


def _units_of(task: Task | None) -> tuple[Department | None, list[Department]]:
    if task is None:
        return None, []
    responsibilities = list(task.responsibilities.select_related("department").order_by("order"))
    lead = next((r.department for r in responsibilities if r.role == Responsibility.Role.LEAD), None)
    return lead, [r.department for r in responsibilities if r.role == Responsibility.Role.CO]


def _number(value) -> float | None:
    return None if value is None else float(value)


def target_subject(target: Target, period: ReportingPeriod | None) -> Subject:
    indicator = target.indicator
    lead, co = _units_of(target.task)
    responsible = lead or indicator.reporting_department
    copied = [d for d in [*co, indicator.reporting_department] if d is not None and d != responsible]
    figures: dict = {"indicator": indicator.name, "unit": indicator.unit, "target": str(target)}
    result = TargetResult.objects.filter(target=target, period=period).first() if period else None
    if result is not None:
        figures.update(
            status=result.status,
            status_label=str(result.get_status_display()),
            latest_value=result.latest_value,
            judged_value=result.judged_value,
            target_value=result.target_value,
            progress=result.progress,
            expected=result.expected,
            forecast=result.forecast,
        )
    return Subject(
        kind=SubjectKind.TARGET,
        plan=indicator.plan,
        title=f"{indicator.name}（{target.get_period_display()}）",
        responsible=responsible,
        copied=list(dict.fromkeys(copied)),
        period=period,
        figures=figures,
        target=target,
    )


def task_subject(task: Task, period: ReportingPeriod | None) -> Subject:
    lead, co = _units_of(task)
    figures: dict = {"task": f"{task.code} {task.title}"}
    result = TaskResult.objects.filter(task=task, period=period).first() if period else None
    if result is not None:
        figures.update(status=result.status, percent_complete=result.percent_complete, overdue=result.overdue)
    return Subject(
        kind=SubjectKind.TASK,
        plan=task.area.plan,
        title=f"{task.code} {task.title}",
        responsible=lead,
        copied=co,
        period=period,
        figures=figures,
        task=task,
    )


def missing_report_subject(plan: Plan, department: Department, period: ReportingPeriod) -> Subject:
    report = QuarterlyReport.objects.filter(plan=plan, department=department, period=period).first()
    return Subject(
        kind=SubjectKind.MISSING_REPORT,
        plan=plan,
        title=f"{period} {department.name}",
        responsible=department,
        period=period,
        figures={
            "due_on": period.due_on.isoformat(),
            "report_status": report.status if report else "",
            "report_status_label": str(report.get_status_display()) if report else "",
        },
    )


def major_problem_subject(task_update: TaskUpdate) -> Subject:
    report = task_update.report
    task = task_update.task
    _lead, co = _units_of(task)
    return Subject(
        kind=SubjectKind.MAJOR_PROBLEM,
        plan=report.plan,
        title=f"{task.code} {task.title}",
        responsible=report.department,
        copied=[d for d in co if d != report.department],
        period=report.period,
        figures={
            "task": f"{task.code} {task.title}",
            "department": report.department.name,
            "problems": task_update.problems,
            "status": task_update.status,
            "percent_complete": task_update.percent_complete,
        },
        task=task,
        task_update=task_update,
    )


def free_subject(plan: Plan) -> Subject:
    return Subject(kind=SubjectKind.NONE, plan=plan, title="", responsible=None)


def subject_for(
    *,
    plan: Plan,
    target: Target | None = None,
    task: Task | None = None,
    task_update: TaskUpdate | None = None,
    department: Department | None = None,
    period: ReportingPeriod | None = None,
) -> Subject:
    """The subject named by the page's link or the API's body; figures of a target or task default to the latest
    computed quarter."""
    if target is not None:
        return target_subject(
            target, period or latest_computed_period(target.indicator.plan, today=timezone.localdate())
        )
    if task is not None:
        return task_subject(task, period or latest_computed_period(task.area.plan, today=timezone.localdate()))
    if task_update is not None:
        return major_problem_subject(task_update)
    if department is not None and period is not None:
        return missing_report_subject(plan, department, period)
    return free_subject(plan)


def notice_list(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    return notices.select_related("responsible", "period", "plan").prefetch_related("copied")


def notice_with_history(pk: int, notices: QuerySet[Notice]) -> Notice:
    """One notice with everything its page shows; raises Notice.DoesNotExist outside `notices`."""
    steps = NoticeStep.objects.select_related("actor").prefetch_related("evidence")
    return (
        notices.select_related(
            "responsible", "period", "plan", "opened_by", "target__indicator", "task__area", "task_update__report"
        )
        .prefetch_related("copied", Prefetch("steps", queryset=steps))
        .get(pk=pk)
    )


def open_notices_of(department: Department) -> QuerySet[Notice]:
    """What the unit's home page lists first: addressed or copied to it and not closed, oldest deadline first."""
    return notice_list(Notice.objects.for_department(department).active()).order_by("deadline", "number")


def overdue_notices(plan: Plan, today: dt.date) -> QuerySet[Notice]:
    return notice_list(Notice.objects.filter(plan=plan).overdue(today)).order_by("deadline", "number")


def notices_of_period(plan: Plan, period: ReportingPeriod, department: Department | None = None) -> QuerySet[Notice]:
    notices = Notice.objects.filter(plan=plan, period=period)
    if department is not None:
        notices = notices.for_department(department)
    return notice_list(notices).order_by("year", "number")
