"""Reading reports to the city and the 需市级协调 marks for pages, the office's home and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from evaluation import files as generated_files
from results.selectors import computed_periods
from tasks.models import ReportingPeriod, ReportStatus, TaskUpdate, quarter_order
from tasks.selectors import default_period

from .models import CityReport, CityReportChange, CityReportFile, Escalation, EscalationStep


def scopes(plan) -> list[tuple[int, int | None]]:
    """Every (year, quarter) and (year, None) with computed results, newest first: what may be reported."""
    out: list[tuple[int, int | None]] = []
    for period in computed_periods(plan):
        if (period.year, None) not in out:
            out.append((period.year, None))
        out.append((period.year, period.quarter))
    return out


def default_scope(plan, *, today) -> tuple[int, int] | None:
    """The quarter being reported (the newest ended quarter with results), as every results page opens on."""
    period = default_period(computed_periods(plan), today)
    return (period.year, period.quarter) if period else None


def files(report: CityReport):
    return generated_files.recent(CityReportFile, report)


def history(report: CityReport):
    return CityReportChange.objects.filter(report=report).select_related("changed_by")[:50]


# A report's major problem is "reported" once the report has reached the office: in a draft it is still the unit's
# own words, which neither the office's marks nor the leaders' document may take.
REACHED_OFFICE = (ReportStatus.SUBMITTED, ReportStatus.RETURNED, ReportStatus.APPROVED)


def is_reported(problem: TaskUpdate) -> bool:
    """The rule of `reported_problems` on a fetched row (its report loaded): may the office mark it yet?"""
    return problem.major_problem and problem.report.status in REACHED_OFFICE


def reported_problems() -> QuerySet[TaskUpdate]:
    """Every major problem of a report that reached the office: the only ones that can be marked or listed."""
    return TaskUpdate.objects.filter(major_problem=True, report__status__in=REACHED_OFFICE)


def major_problems(plan, periods: list[ReportingPeriod] | None = None) -> QuerySet[TaskUpdate]:
    """Reported major problems with their 需市级协调 mark, newest quarter first."""
    rows = reported_problems().filter(report__plan=plan)
    if periods is not None:
        rows = rows.filter(report__period__in=periods)
    return rows.select_related("task__area", "report__department", "report__period", "escalation").order_by(
        *quarter_order("report__period", newest_first=True), "report__department__name", "task__number"
    )


def escalations(task_update_ids) -> dict[int, Escalation]:
    """The active marks of the given problems, by problem."""
    rows = Escalation.objects.filter(task_update_id__in=list(task_update_ids), is_active=True)
    return {e.task_update_id: e for e in rows}


def escalation_history(task_update: TaskUpdate):
    return EscalationStep.objects.filter(escalation__task_update=task_update).select_related("by")


def escalation_list(plan, reports) -> QuerySet[Escalation]:
    """Every mark of the plan's reported problems in `reports` (those the reader may open), active first, for the
    API."""
    return (
        Escalation.objects.filter(task_update__in=reported_problems(), task_update__report__plan=plan)
        .filter(task_update__report__in=reports)
        .select_related(
            "marked_by",
            "task_update__task__area",
            "task_update__report__department",
            "task_update__report__period",
        )
        .prefetch_related("steps__by")
        .order_by("-is_active", "-marked_at", "-pk")
    )
