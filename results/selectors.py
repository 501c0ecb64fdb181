"""Reading precomputed results for pages: one query per table, whatever the plan's size."""

from __future__ import annotations

from tasks.models import ReportingPeriod
from tasks.selectors import default_period

from .engine.compute import evaluate_targets
from .engine.inputs import Scope, all_quarters, plan_shape
from .models import ComputationRun, Rollup, TargetResult, TaskResult


def latest_computed_period(plan, *, today) -> ReportingPeriod | None:
    """The default 'as of' of every page: the newest quarter with results that has ended by `today` (the one being
    reported; see tasks.selectors.default_period), else the newest with results."""
    return default_period(computed_periods(plan), today)


def last_recompute(plan):
    """When the plan's newest finished recompute ended: one step down an index (plan, finished_at), whatever
    other plans' runs and however many runs are kept."""
    return (
        ComputationRun.objects.filter(plan=plan, finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )


def target_results(plan, period, *, indicator=None) -> dict[int, TargetResult]:
    """Results of a plan's targets (or of one indicator's) as of a quarter, by target id."""
    if period is None:
        return {}
    rows = TargetResult.objects.filter(target__indicator__plan=plan, period=period)
    if indicator is not None:
        rows = rows.filter(target__indicator=indicator)
    return {r.target_id: r for r in rows}


def task_results(plan, period) -> dict[int, TaskResult]:
    if period is None:
        return {}
    return {r.task_id: r for r in TaskResult.objects.filter(task__area__plan=plan, period=period)}


def computed_periods(plan) -> list[ReportingPeriod]:
    """Quarters that have results, newest first: the choices of the 'as of' filter."""
    ids = Rollup.objects.filter(plan=plan, scope=Rollup.Scope.PLAN).values_list("period_id", flat=True)
    return list(ReportingPeriod.objects.filter(pk__in=ids).chronological(newest_first=True))


def rollups_by_scope(plan, period) -> dict[str, list[Rollup]]:
    rows = Rollup.objects.filter(plan=plan, period=period).select_related("area", "department")
    grouped: dict[str, list[Rollup]] = {"plan": [], "area": [], "department": []}
    for row in rows:
        grouped[row.scope].append(row)
    grouped["area"].sort(key=lambda r: r.area.order)
    grouped["department"].sort(key=lambda r: r.department.name)
    return grouped


def target_results_with_targets(plan, period, *, area=None, department=None, statuses=None):
    rows = TargetResult.objects.filter(target__indicator__plan=plan, period=period).select_related(
        "target__indicator__reporting_department", "target__task__area", "period"
    )
    if area:
        rows = rows.filter(target__task__area_id=area)
    if department:
        rows = rows.filter(target__indicator__reporting_department_id=department)
    if statuses:
        rows = rows.filter(status__in=statuses)
    return rows.order_by("target__indicator__order", "target__order")


def overdue_tasks(plan, period, *, area=None, department=None):
    rows = TaskResult.objects.filter(task__area__plan=plan, period=period, overdue=True).select_related("task__area")
    if area:
        rows = rows.filter(task__area_id=area)
    if department:
        rows = rows.filter(task__responsibilities__department_id=department, task__responsibilities__role="lead")
    return rows.order_by("task__area__order", "task__number")


def area_rollup(plan, period, area) -> Rollup | None:
    return Rollup.objects.filter(plan=plan, period=period, scope=Rollup.Scope.AREA, area=area).first()


def task_results_with_tasks(plan, period):
    """Task results as a queryset, for paged lists (the API)."""
    return (
        TaskResult.objects.filter(task__area__plan=plan, period=period)
        .select_related("task__area", "period")
        .order_by("task__area__order", "task__number")
    )


def rollups(plan, period):
    return (
        Rollup.objects.filter(plan=plan, period=period)
        .select_related("area", "department", "period")
        .order_by("scope", "area__order", "department__name")
    )


def target_results_known_on(plan, period, *, at, indicator=None) -> dict[int, TargetResult]:
    """Results of a plan's targets (or of one indicator's) as of a quarter, computed from the figures known at `at`
    (a datetime): what the pages said then, from the versions themselves. Unsaved rows, computed on request (the
    stored ones are now's)."""
    if period is None:
        return {}
    only = {indicator.pk} if indicator is not None else None
    scope = Scope(plan=plan, quarters=all_quarters(), periods=[period], indicator_ids=only)
    fresh = evaluate_targets(scope, plan_shape(plan), at=at)
    return {
        target_id: TargetResult(target_id=target_id, period=period, **row._asdict())
        for (target_id, _period_id), row in fresh.items()
    }
