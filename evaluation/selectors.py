"""Reading evaluations for pages: which years can be evaluated, the data shown, files and history."""

from __future__ import annotations

from django.utils import timezone

from results.models import Rollup
from tasks.models import ReportingPeriod

from . import files as generated_files
from .models import AnnualEvaluation, EvaluationChange, ReportFile
from .snapshot import build_snapshot


def evaluation_years(plan) -> list[int]:
    """Years with at least one quarter of computed results, newest first."""
    years = (
        ReportingPeriod.objects.filter(rollups__plan=plan, rollups__scope=Rollup.Scope.PLAN)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return list(years)


def default_year(plan, *, today) -> int | None:
    """The last year whose fourth quarter's due date has passed and which has results, else the newest year.

    A year still being reported (its Q4 open, not yet due) is not what the city asks about, so it is not
    the default even when the open quarter already has results.
    """
    complete = (
        ReportingPeriod.objects.filter(
            quarter=4, due_on__lt=today, rollups__plan=plan, rollups__scope=Rollup.Scope.PLAN
        )
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    years = evaluation_years(plan)
    return complete or (years[0] if years else None)


def current_snapshot(evaluation: AnnualEvaluation) -> dict:
    """The frozen data of a final evaluation, or today's data for a draft."""
    if evaluation.is_final and evaluation.snapshot is not None:
        return evaluation.snapshot
    return build_snapshot(evaluation, today=timezone.localdate())


def files(evaluation: AnnualEvaluation):
    return generated_files.recent(ReportFile, evaluation)


def history(evaluation: AnnualEvaluation):
    return EvaluationChange.objects.filter(evaluation=evaluation).select_related("changed_by", "department")[:50]
