"""Reading precomputed results for pages: one query per table, whatever the plan's size."""

from __future__ import annotations

from tasks.models import ReportingPeriod

from .models import Rollup, TargetResult, TaskResult


def latest_computed_period(plan) -> ReportingPeriod | None:
    """The newest quarter that has results: the default 'as of' of every page."""
    period_id = (
        TargetResult.objects.filter(target__indicator__plan=plan)
        .order_by("-period__year", "-period__quarter")
        .values_list("period_id", flat=True)
        .first()
    )
    return ReportingPeriod.objects.filter(pk=period_id).first() if period_id else None


def target_results(plan, period) -> dict[int, TargetResult]:
    if period is None:
        return {}
    return {r.target_id: r for r in TargetResult.objects.filter(target__indicator__plan=plan, period=period)}


def task_results(plan, period) -> dict[int, TaskResult]:
    if period is None:
        return {}
    return {r.task_id: r for r in TaskResult.objects.filter(task__area__plan=plan, period=period)}


def plan_rollup(plan, period) -> Rollup | None:
    return Rollup.objects.filter(plan=plan, period=period, scope=Rollup.Scope.PLAN).first() if period else None


def target_history(target_ids) -> list[TargetResult]:
    return list(
        TargetResult.objects.filter(target_id__in=target_ids)
        .select_related("period")
        .order_by("target_id", "period__year", "period__quarter")
    )
