"""Has a plan's input changed since its last full recompute, and if only its reports did, from which quarter?

A plan's results as of a quarter depend on its definitions (targets, indicators, tasks, units), the rules, the
engine's code, which quarters are open and due, and its reports of that quarter and earlier, never later ones.
So when only reports changed, the nightly run recomputes the plan from the earliest quarter a changed report
belongs to; anything else, or a change it cannot place (a deleted report), recomputes every quarter.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count, Max, Q

from departments.models import Department
from indicators.models import Indicator, Target
from progress import maths
from targets.models import Plan, Responsibility, Task
from tasks.models import QuarterlyReport, ReportingPeriod, ReportStatus

from . import specs
from .models import ComputationRun

HALF = 32  # hex digits of each half of ComputationRun.inputs: the definitions', then the reports'
CLOCK_MARGIN = dt.timedelta(minutes=10)  # app servers stamp updated_at with their own clocks


@dataclass(frozen=True)
class Inputs:
    """What a plan's results are computed from, summed up when its full recompute starts."""

    definitions: str  # digest of everything but the reports
    reports: str  # digest of the reports' summary
    count: int  # the plan's reports
    top: int  # their highest id (0: none)
    read_at: dt.datetime  # reports changed after this may not be in the summary

    @property
    def digest(self) -> str:
        return self.definitions[:HALF] + self.reports[:HALF]

    def recorded(self) -> dict:
        """For ComputationRun.covered: what the next run needs to find the reports changed since."""
        return {"reports": {"count": self.count, "top": self.top, "read_at": self.read_at.isoformat()}}


def input_fingerprints(
    plans: list[Plan], quarters: list[ReportingPeriod], today: dt.date, rules, *, now: dt.datetime
) -> dict[int, Inputs]:
    """A digest, per plan, of everything its results are computed from.

    Reports are summed up (count, newest change, highest id, how many approved and sent): a report's values
    and task updates only change through tasks.services, which saves the report and so moves its updated_at
    (an approved report is locked until reopened). The plan's definitions are small and read whole: targets,
    indicators (baselines), tasks, responsibilities with the units' names, and the units that owe reports.
    Common to all plans: the quarters, which are open and due by `today`, the rules and the engine's own code.
    `now` is taken before anything is read.
    """
    ids = [p.pk for p in plans]
    common = (
        _engine_digest(),
        rules,
        [(q.pk, q.year, q.quarter, q.opens_on, q.due_on, q.opens_on <= today, q.due_on < today) for q in quarters],
    )
    summary = {pk: (0, None, 0, 0, 0) for pk in ids}
    for plan_id, *row in (
        QuarterlyReport.objects.filter(plan_id__in=ids)
        .order_by()
        .values("plan_id")
        .annotate(
            n=Count("pk"),
            last=Max("updated_at"),
            top=Max("pk"),
            approved=Count("pk", filter=Q(status=ReportStatus.APPROVED)),
            sent=Count("pk", filter=Q(submitted_at__isnull=False)),
        )
        .values_list("plan_id", "n", "last", "top", "approved", "sent")
    ):
        summary[plan_id] = tuple(row)
    parts = _definitions(plans)
    return {
        pk: Inputs(
            definitions=_sha(common, parts[pk]),
            reports=_sha(summary[pk]),
            count=summary[pk][0],
            top=summary[pk][2] or 0,
            read_at=now,
        )
        for pk in ids
    }


def _definitions(plans: list[Plan]) -> dict[int, list]:
    ids = [p.pk for p in plans]
    parts: dict[int, list] = {pk: [] for pk in ids}
    definitions = (
        Indicator.objects.filter(plan_id__in=ids).values_list(
            "plan_id", "pk", "direction", "baseline_value", "baseline_year", "reporting_department_id"
        ),
        Target.objects.filter(indicator__plan_id__in=ids).values_list(
            "indicator__plan_id", "pk", "indicator_id", "comparator", "value", "baseline_year", "period", "task_id"
        ),
        Task.objects.filter(area__plan_id__in=ids).values_list("area__plan_id", "pk", "area_id"),
        Responsibility.objects.filter(task__area__plan_id__in=ids).values_list(
            "task__area__plan_id", "task_id", "department_id", "role", "department__name"
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


@functools.cache
def _engine_digest() -> str:
    """The source of the maths and of the engine: a new release recomputes every plan once."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for path in (Path(maths.__file__), Path(specs.__file__), here / "services.py", Path(__file__)):
        digest.update(path.read_bytes())
    return digest.hexdigest()


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


def changed_from(plan: Plan, last: ComputationRun, now: Inputs) -> tuple[int, int] | None:
    """(year, quarter) of the earliest report changed since `last` read its inputs, when nothing but reports
    changed; None when every quarter must be recomputed."""
    seen = last.covered.get("reports")
    if seen is None or last.inputs[:HALF] != now.digest[:HALF]:
        return None
    since = dt.datetime.fromisoformat(seen["read_at"]) - CLOCK_MARGIN
    rows = list(
        QuarterlyReport.objects.filter(plan=plan)
        .filter(Q(updated_at__gte=since) | Q(pk__gt=seen["top"]))
        .values_list("pk", "period__year", "period__quarter")
    )
    created = sum(pk > seen["top"] for pk, _, _ in rows)
    if not rows or now.count != seen["count"] + created:  # nothing to place the change on, or a report deleted
        return None
    return min((year, quarter) for _, year, quarter in rows)
