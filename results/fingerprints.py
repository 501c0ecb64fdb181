"""Has a plan's input changed since its last full recompute, and if only its reports did, from which quarter?

A plan's results as of a quarter depend on its definitions (targets, indicators, tasks, units), the rules, the
engine's version, which quarters are open and due, and its reports of that quarter and earlier, never later ones.
So when only reports changed, the nightly run recomputes the plan from the earliest quarter whose reports changed;
anything else recomputes every quarter. Reports are summed up quarter by quarter without any clock: how many, the
highest id, the sum of their versions (raised by every save), how many approved, sent and late, and the newest
change.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Q, Sum

from departments.models import Department
from indicators.models import Indicator, Target
from targets.models import Plan, Responsibility, Task
from tasks.models import IndicatorValue, QuarterlyReport, ReportingPeriod, ReportStatus

from .models import ComputationRun

# What the engine computes, as a number: raise it with every change to the results it writes (progress.maths,
# results.specs, results.engine, the rule for who owes reports in tasks.selectors), and the next nightly run
# recomputes every plan once. A number rather than a digest of the source files: a comment or a refactoring
# recomputes nothing, and the same release computes the same on every server.
# 2: final verdicts past a target's date, the baseline stored, timeliness from progress.
# 3: a target is judged in its date's own quarter once that quarter's value is in (progress.maths.is_final).
# 4: official figures and the authority rule, the kind of figure stored.
ENGINE_VERSION = 4

HALF = 32  # hex digits of each half of ComputationRun.inputs: the definitions', then the reports'


@dataclass(frozen=True)
class Inputs:
    """What a plan's results are computed from, summed up when its full recompute starts."""

    definitions: str  # digest of everything but the reports
    quarters: dict[str, str]  # period id (as text: a JSON key) -> digest of that quarter's reports

    @functools.cached_property
    def digest(self) -> str:
        return self.definitions[:HALF] + _sha(sorted(self.quarters.items()))[:HALF]

    def recorded(self) -> dict:
        """For ComputationRun.covered: what the next run compares quarter by quarter."""
        return {"quarters": self.quarters}


def input_fingerprints(plans: list[Plan], quarters: list[ReportingPeriod], today: dt.date, rules) -> dict[int, Inputs]:
    """A digest, per plan, of everything its results are computed from.

    A report's values and task updates only change through tasks.services, which saves the report and so raises
    its version (an approved report is locked until reopened). The plan's definitions are small and read whole:
    targets, indicators (baselines), tasks, responsibilities, and the units that owe reports (not the units' names:
    the view results_taskresult reads them). Common to all plans: the quarters, which are open and due by `today`,
    the rules and the engine's version.
    """
    ids = [p.pk for p in plans]
    common = (
        ENGINE_VERSION,
        rules,
        [(q.pk, q.year, q.quarter, q.opens_on, q.due_on, q.opens_on <= today, q.due_on < today) for q in quarters],
    )
    by_quarter: dict[int, dict[str, str]] = {pk: {} for pk in ids}
    for plan_id, period_id, *summary in (
        QuarterlyReport.objects.filter(plan_id__in=ids)
        .order_by()
        .values("plan_id", "period_id")
        .annotate(
            n=Count("pk"),
            top=Max("pk"),
            versions=Sum("version"),
            approved=Count("pk", filter=Q(status=ReportStatus.APPROVED)),
            sent=Count("pk", filter=Q(submitted_at__isnull=False)),
            late=Count("pk", filter=Q(is_late=True)),
            last=Max("updated_at"),
        )
        .values_list("plan_id", "period_id", "n", "top", "versions", "approved", "sent", "late", "last")
    ):
        by_quarter[plan_id][str(period_id)] = _sha(summary)[:16]
    # Official figures count in their quarter like reports: each one recorded is a new version (a new id).
    for plan_id, period_id, *summary in (
        IndicatorValue.objects.official()
        .filter(indicator__plan_id__in=ids)
        .order_by()
        .values("indicator__plan_id", "period_id")
        .annotate(n=Count("pk"), top=Max("pk"))
        .values_list("indicator__plan_id", "period_id", "n", "top")
    ):
        key = str(period_id)
        by_quarter[plan_id][key] = _sha(by_quarter[plan_id].get(key, ""), summary)[:16]
    parts = _definitions(plans)
    return {pk: Inputs(definitions=_sha(common, parts[pk]), quarters=by_quarter[pk]) for pk in ids}


def _definitions(plans: list[Plan]) -> dict[int, list]:
    ids = [p.pk for p in plans]
    parts: dict[int, list] = {pk: [] for pk in ids}
    definitions = (
        Indicator.objects.filter(plan_id__in=ids).values_list(
            "plan_id", "pk", "direction", "baseline_value", "baseline_year", "reporting_department_id", "authority"
        ),
        Target.objects.filter(indicator__plan_id__in=ids).values_list(
            "indicator__plan_id", "pk", "indicator_id", "comparator", "value", "baseline_year", "period", "task_id"
        ),
        Task.objects.filter(area__plan_id__in=ids).values_list("area__plan_id", "pk", "area_id"),
        Responsibility.objects.filter(task__area__plan_id__in=ids).values_list(
            "task__area__plan_id", "task_id", "department_id", "role"
        ),
    )
    for i, rows in enumerate(d.order_by("pk") for d in definitions):
        for plan_id, *row in rows:
            parts[plan_id].append((i, *row))
    plans_of = defaultdict(list)
    for plan in plans:
        plans_of[plan.jurisdiction_id].append(plan.pk)
    for jurisdiction_id, pk, kind in (
        Department.objects.filter(jurisdiction_id__in=plans_of)
        .order_by("pk")
        .values_list("jurisdiction_id", "pk", "kind")
    ):
        for plan_id in plans_of[jurisdiction_id]:
            parts[plan_id].append((len(definitions), pk, kind))
    return parts


def _sha(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def last_full_runs(plans: list[Plan]) -> dict[int, ComputationRun]:
    """Each plan's latest finished, error-free full recompute: the inputs it read and what it recorded of them."""
    latest = (
        ComputationRun.objects.filter(
            kind=ComputationRun.Kind.FULL, plan__in=plans, finished_at__isnull=False, error=""
        )
        .order_by()
        .values("plan_id")
        .annotate(last=Max("pk"))
        .values("last")
    )
    runs = ComputationRun.objects.filter(pk__in=latest).only("plan_id", "inputs", "covered")
    return {run.plan_id: run for run in runs}


def changed_from(last: ComputationRun, now: Inputs, quarters: list[ReportingPeriod]) -> tuple[int, int] | None:
    """(year, quarter) of the earliest quarter whose reports changed since `last`, when nothing but reports
    changed; None when every quarter must be recomputed."""
    seen = last.covered.get("quarters")
    if seen is None or last.inputs[:HALF] != now.digest[:HALF]:
        return None
    changed = {pk for pk in seen.keys() | now.quarters.keys() if seen.get(pk) != now.quarters.get(pk)}
    order = {str(q.pk): q.key for q in quarters}
    if not changed or not changed <= order.keys():
        return None
    return min(order[pk] for pk in changed)
