"""Reading reports with the joins their pages need."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from departments.models import Department
from indicators.models import Indicator
from targets.models import Plan, Responsibility, Task

from .models import (
    FieldChange,
    IndicatorValue,
    QuarterlyReport,
    ReportEvent,
    ReportingPeriod,
    ReportStatus,
    TaskUpdate,
)


def department_tasks(plan: Plan, department: Department) -> QuerySet[Task]:
    """The tasks a unit leads or co-owns, in the plan's order."""
    return (
        Task.objects.filter(area__plan=plan, responsibilities__department=department)
        .select_related("area")
        .order_by("area__order", "number")
    )


def department_indicators(plan: Plan, department: Department) -> QuerySet[Indicator]:
    return Indicator.objects.filter(plan=plan, reporting_department=department).prefetch_related("targets")


def role_in_task(task: Task, department: Department) -> str:
    for responsibility in task.responsibilities.all():
        if responsibility.department_id == department.pk:
            return responsibility.role
    return ""


def report_with_content(pk: int, reports: QuerySet[QuarterlyReport]) -> QuarterlyReport:
    """One report with its updates, values, evidence and history, in a fixed number of queries."""
    updates = TaskUpdate.objects.select_related("task__area").prefetch_related(
        "evidence",
        Prefetch("task__responsibilities", queryset=Responsibility.objects.select_related("department")),
    )
    values = IndicatorValue.objects.select_related("indicator").prefetch_related("indicator__targets")
    events = ReportEvent.objects.select_related("actor").prefetch_related(
        Prefetch("changes", queryset=FieldChange.objects.select_related("task__area", "indicator"))
    )
    return (
        reports.select_related("department", "period", "plan", "updated_by")
        .prefetch_related(
            Prefetch("task_updates", queryset=updates),
            Prefetch("indicator_values", queryset=values),
            Prefetch("events", queryset=events),
        )
        .get(pk=pk)
    )


def previous_values(report: QuarterlyReport) -> dict[int, Decimal]:
    """The last approved value of each indicator before this report's quarter, for the change check."""
    earlier = (
        IndicatorValue.objects.filter(
            report__plan=report.plan,
            report__status=ReportStatus.APPROVED,
            indicator__reporting_department=report.department,
            value__isnull=False,
        )
        .exclude(report=report)
        .filter(
            report__period__year__lte=report.period.year,
        )
        .select_related("report__period")
        .order_by("report__period__year", "report__period__quarter")
    )
    latest: dict[int, Decimal] = {}
    here = (report.period.year, report.period.quarter)
    for row in earlier:
        if (row.report.period.year, row.report.period.quarter) < here:
            latest[row.indicator_id] = row.value
    return latest


def current_periods(today: dt.date) -> QuerySet[ReportingPeriod]:
    """Quarters whose reporting window has opened and which the office has not closed."""
    return ReportingPeriod.objects.filter(is_open=True, opens_on__lte=today).order_by("-year", "-quarter")
