"""Recomputing the result tables from approved data only: a whole plan, or what one approval touches.

These are the entry points; the engine behind them is results.engine (read, compute, write, schedule, run).
Re-running is safe: series are compared with what is stored and only changes are written, so two runs leave the
same rows. A full recompute passes over a plan whose inputs have not changed since its last full recompute, and
recomputes the others all at once, set-based (results.engine.bulk), every quarter: one whose reports alone changed
is recorded as changed from the earliest changed quarter on (see results.fingerprints), and its earlier quarters
come out as stored; a plan a crashed run left STARTED is recomputed whatever its fingerprints say
(results.models.FillState); `force` recomputes every plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone

from targets.models import Plan
from tasks.models import QuarterlyReport, ReportingPeriod

from .engine import schedule, write
from .engine.compute import NO_UPDATE
from .engine.inputs import Scope, all_quarters, opened, report_contents
from .engine.rows import TASK_FIELDS
from .engine.run import run_plans, run_scope

# The entry points; NO_UPDATE and TASK_FIELDS are the engine's, named here for the callers that compare with them.
__all__ = [
    "NO_UPDATE",
    "TASK_FIELDS",
    "FullRun",
    "recompute_for_figures",
    "recompute_for_report",
    "recompute_plan",
    "recompute_plans",
]


@dataclass
class FullRun:
    written: int = 0
    recomputed: int = 0
    skipped: int = 0  # plans whose inputs had not changed since their last full recompute
    from_later_quarter: int = 0  # of those recomputed: only reports had changed, so from the earliest changed quarter
    resumed: int = 0  # of those recomputed: a crashed run had left them STARTED, so in full


def recompute_plan(plan: Plan, *, today: dt.date | None = None, force: bool = False) -> int:
    return recompute_plans([plan], today=today, force=force).written


def recompute_plans(
    plans: Iterable[Plan],
    *,
    today: dt.date | None = None,
    force: bool = False,
    progress: Callable[[Plan], None] | None = None,
) -> FullRun:
    """Every target, task and rollup of each plan, as of every quarter: the nightly safety net (which plans:
    results.engine.schedule). `progress` is called for each plan once the run has ended."""
    today = today or timezone.localdate()
    outcome = FullRun()
    planned = schedule.full_run(list(plans), all_quarters(), today, force=force)
    recomputed = [entry for entry in planned if entry.scope is not None]
    written = run_plans(recomputed, today=today)
    for entry in planned:
        if entry.scope is None:
            outcome.skipped += 1
        else:
            outcome.written += written[entry.plan.pk]
            outcome.recomputed += 1
            outcome.from_later_quarter += entry.from_later_quarter
            outcome.resumed += entry.resumed
        if progress:
            progress(entry.plan)
    write.analyze_if_filled(outcome.written)
    return outcome


def recompute_for_report(report: QuarterlyReport, *, today: dt.date | None = None) -> int:
    """An approval changes that quarter and every later one, for its indicators and tasks only."""
    today = today or timezone.localdate()
    start = report.period.key
    quarters = all_quarters()
    indicator_ids, task_ids = report_contents(report)
    scope = Scope(
        plan=report.plan,
        quarters=quarters,
        periods=[q for q in opened(quarters, today) if q.key >= start],
        indicator_ids=indicator_ids,
        task_ids=task_ids,
    )
    return run_scope(scope, today=today, covered={"report": report.pk})


def recompute_for_figures(plan: Plan, indicator_ids: set[int], period: ReportingPeriod, *, today=None) -> int:
    """Official figures recorded for a quarter change that quarter and every later one, for their indicators."""
    today = today or timezone.localdate()
    quarters = all_quarters()
    scope = Scope(
        plan=plan,
        quarters=quarters,
        periods=[q for q in opened(quarters, today) if q.key >= period.key],
        indicator_ids=set(indicator_ids),
        task_ids=set(),
    )
    covered = {"official": sorted(indicator_ids)}
    return run_scope(scope, today=today, covered=covered)
