"""Recomputing the result tables from approved data only: a whole plan, or what one approval touches.

Re-running is safe: rows are compared with what is stored and only changes are written, so two runs
leave the same rows and a crashed run is simply run again.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from indicators.models import PERIOD_END_YEAR, Period, Target
from progress.maths import Rules, evaluate, rollup
from targets.models import Plan, Responsibility, Task
from tasks.models import IndicatorValue, QuarterlyReport, ReportingPeriod, ReportStatus, TaskUpdate, quarter_end

from .models import ComputationRun, Rollup, TargetResult, TaskResult
from .specs import target_spec, value_point

NO_UPDATE = "no_update"
TARGET_FIELDS = ("status", "target_value", "latest_value", "progress", "expected", "forecast", "forecast_meets")
TASK_FIELDS = ("status", "percent_complete", "overdue", "co_departments")


@dataclass
class Scope:
    """What to recompute: all of a plan, or the targets and tasks one report touched, from a quarter on."""

    plan: Plan
    periods: list[ReportingPeriod]
    indicator_ids: set[int] | None = None  # None: every indicator of the plan
    task_ids: set[int] | None = None


def rules_from_settings() -> Rules:
    from django.conf import settings

    return Rules(**getattr(settings, "PROGRESS_RULES", {}))


def all_periods(today: dt.date | None = None) -> list[ReportingPeriod]:
    """Quarters whose reporting has opened: a quarter still in the future has nothing to be 'as of'."""
    today = today or timezone.localdate()
    return list(ReportingPeriod.objects.filter(opens_on__lte=today).order_by("year", "quarter"))


def recompute_plan(plan: Plan, *, today: dt.date | None = None, progress: Callable[[int], None] | None = None) -> int:
    scope = Scope(plan=plan, periods=all_periods(today))
    return _run(ComputationRun.Kind.FULL, scope, today=today, progress=progress)


def recompute_for_report(report: QuarterlyReport, *, today: dt.date | None = None) -> int:
    """An approval changes that quarter and every later one, for its indicators and tasks only."""
    start = (report.period.year, report.period.quarter)
    periods = [p for p in all_periods(today) if (p.year, p.quarter) >= start]
    scope = Scope(
        plan=report.plan,
        periods=periods,
        indicator_ids=set(report.indicator_values.values_list("indicator_id", flat=True)),
        task_ids=set(report.task_updates.values_list("task_id", flat=True)),
    )
    return _run(ComputationRun.Kind.INCREMENTAL, scope, today=today, covered={"report": report.pk})


def _run(kind, scope: Scope, *, today=None, progress=None, covered=None) -> int:
    run = ComputationRun.objects.create(
        kind=kind,
        covered={"plan": scope.plan.code, "periods": [str(p) for p in scope.periods], **(covered or {})},
    )
    try:
        with transaction.atomic():
            written = compute(scope, today=today or timezone.localdate(), progress=progress)
    except Exception as exc:
        run.error = repr(exc)
        run.save(update_fields=["error"])
        raise
    run.rows_written = written
    run.finished_at = timezone.now()
    run.save(update_fields=["rows_written", "finished_at"])
    return written


def compute(scope: Scope, *, today: dt.date, progress=None) -> int:
    if not scope.periods:
        return 0
    now = timezone.now()
    written = _target_results(scope, now)
    if progress:
        progress(1)
    written += _task_results(scope, now, today)
    if progress:
        progress(2)
    written += _rollups(scope, now, today)
    if progress:
        progress(3)
    return written


# --- targets -------------------------------------------------------------------------------------------------


def _target_rows(scope: Scope) -> list[dict]:
    targets = Target.objects.filter(indicator__plan=scope.plan)
    if scope.indicator_ids is not None:
        targets = targets.filter(indicator_id__in=scope.indicator_ids)
    rows = list(
        targets.values(
            "pk",
            "indicator_id",
            "comparator",
            "value",
            "baseline_year",
            "period",
            "indicator__direction",
            "indicator__baseline_value",
            "indicator__baseline_year",
        )
    )
    for row in rows:
        row["target_year"] = PERIOD_END_YEAR[Period(row["period"])]
    return rows


def approved_series(plan: Plan, indicator_ids: Iterable[int] | None) -> dict[int, list]:
    values = IndicatorValue.objects.filter(report__plan=plan, report__status=ReportStatus.APPROVED)
    if indicator_ids is not None:
        values = values.filter(indicator_id__in=indicator_ids)
    series: dict[int, list] = defaultdict(list)
    rows = values.values_list(
        "indicator_id", "report__period__year", "report__period__quarter", "value", "reached"
    ).order_by("report__period__year", "report__period__quarter")
    for indicator_id, year, quarter, value, reached in rows:
        point = value_point(year, quarter, value, reached)
        if point is not None:
            series[indicator_id].append(point)
    return series


def _target_results(scope: Scope, now) -> int:
    rules = rules_from_settings()
    targets = _target_rows(scope)
    series = approved_series(scope.plan, scope.indicator_ids)
    fresh = {}
    for target in targets:
        spec = target_spec(target)
        points = series.get(target["indicator_id"], [])
        for period in scope.periods:
            result = evaluate(spec, points, quarter_end(period.year, period.quarter), rules)
            fresh[(target["pk"], period.pk)] = (
                str(result.status),
                result.target_value,
                result.latest,
                result.progress,
                result.expected,
                result.forecast,
                result.forecast_meets,
            )
    existing = TargetResult.objects.filter(
        target_id__in=[t["pk"] for t in targets], period__in=scope.periods
    ).values_list("pk", "target_id", "period_id", *TARGET_FIELDS)
    return _write(TargetResult, "target_id", fresh, existing, TARGET_FIELDS, now)


# --- tasks ---------------------------------------------------------------------------------------------------


def _task_results(scope: Scope, now, today: dt.date) -> int:
    tasks = Task.objects.filter(area__plan=scope.plan)
    if scope.task_ids is not None:
        tasks = tasks.filter(pk__in=scope.task_ids)
    task_ids = list(tasks.values_list("pk", flat=True))
    leads = dict(
        Responsibility.objects.filter(task_id__in=task_ids, role=Responsibility.Role.LEAD).values_list(
            "task_id", "department_id"
        )
    )
    names = dict(Responsibility.objects.filter(task_id__in=task_ids).values_list("department_id", "department__name"))
    updates = (
        TaskUpdate.objects.filter(task_id__in=task_ids, report__plan=scope.plan, report__status=ReportStatus.APPROVED)
        .values_list(
            "task_id",
            "report__department_id",
            "report__period_id",
            "report__period__year",
            "report__period__quarter",
            "report__is_late",
            "status",
            "percent_complete",
        )
        .order_by("report__period__year", "report__period__quarter")
    )
    by_task: dict[int, list] = defaultdict(list)
    for row in updates:
        by_task[row[0]].append(row)
    fresh = {}
    for task_id in task_ids:
        rows = by_task.get(task_id, [])
        lead = leads.get(task_id)
        for period in scope.periods:
            upto = [r for r in rows if (r[3], r[4]) <= (period.year, period.quarter)]
            latest: dict[int, tuple] = {}
            for r in upto:
                latest[r[1]] = r
            lead_row = latest.get(lead)
            this_quarter = next((r for r in upto if r[1] == lead and r[2] == period.pk), None)
            overdue = period.due_on < today and (this_quarter is None or this_quarter[5])
            co = [
                {"department": names.get(dept, ""), "status": r[6], "percent": r[7], "period": f"{r[3]}Q{r[4]}"}
                for dept, r in sorted(latest.items(), key=lambda item: names.get(item[0], ""))
                if dept != lead
            ]
            fresh[(task_id, period.pk)] = (
                lead_row[6] if lead_row and lead_row[6] else NO_UPDATE,
                lead_row[7] if lead_row else None,
                overdue,
                co,
            )
    existing = TaskResult.objects.filter(task_id__in=task_ids, period__in=scope.periods).values_list(
        "pk", "task_id", "period_id", *TASK_FIELDS
    )
    return _write(TaskResult, "task_id", fresh, existing, TASK_FIELDS, now)


# --- rollups -------------------------------------------------------------------------------------------------


def _rollups(scope: Scope, now, today: dt.date) -> int:
    plan = scope.plan
    period_ids = [p.pk for p in scope.periods]
    target_meta = {
        pk: (area_id, dept_id)
        for pk, area_id, dept_id in Target.objects.filter(indicator__plan=plan).values_list(
            "pk", "task__area_id", "indicator__reporting_department_id"
        )
    }
    task_meta = dict(Task.objects.filter(area__plan=plan).values_list("pk", "area_id"))
    task_lead = dict(
        Responsibility.objects.filter(task__area__plan=plan, role=Responsibility.Role.LEAD).values_list(
            "task_id", "department_id"
        )
    )
    target_status = defaultdict(list)
    for target_id, period_id, status in TargetResult.objects.filter(
        target__indicator__plan=plan, period_id__in=period_ids
    ).values_list("target_id", "period_id", "status"):
        target_status[period_id].append((target_id, status))
    task_status = defaultdict(list)
    for task_id, period_id, status, overdue in TaskResult.objects.filter(
        task__area__plan=plan, period_id__in=period_ids
    ).values_list("task_id", "period_id", "status", "overdue"):
        task_status[period_id].append((task_id, status, overdue))
    timeliness = _timeliness(plan, scope.periods, today)

    fresh = {}
    for period in scope.periods:
        groups: dict[tuple, dict] = defaultdict(lambda: {"targets": [], "tasks": []})
        for target_id, status in target_status[period.pk]:
            area_id, dept_id = target_meta.get(target_id, (None, None))
            for key in (("plan", None, None), ("area", area_id, None), ("department", None, dept_id)):
                if key[1] is None and key[2] is None and key[0] != "plan":
                    continue
                groups[key]["targets"].append(status)
        for task_id, status, overdue in task_status[period.pk]:
            for key in (
                ("plan", None, None),
                ("area", task_meta.get(task_id), None),
                ("department", None, task_lead.get(task_id)),
            ):
                if key[0] != "plan" and key[1] is None and key[2] is None:
                    continue
                groups[key]["tasks"].append(status)
                groups[key]["overdue"] = groups[key].get("overdue", 0) + overdue
        for dept_id, per_period in timeliness.items():
            groups[("department", None, dept_id)]["timeliness"] = per_period.get(period.pk, {})
        for (scope_name, area_id, dept_id), data in groups.items():
            tasks = rollup(data["tasks"])
            if data["tasks"]:
                tasks["overdue"] = {
                    "count": data.get("overdue", 0),
                    "share": data.get("overdue", 0) / len(data["tasks"]),
                }
            fresh[(scope_name, area_id, dept_id, period.pk)] = (
                rollup(data["targets"]),
                tasks,
                data.get("timeliness", {}),
            )
    existing = {
        (r.scope, r.area_id, r.department_id, r.period_id): r
        for r in Rollup.objects.filter(plan=plan, period_id__in=period_ids)
    }
    create, update = [], []
    for key, (targets, tasks, timely) in fresh.items():
        row = existing.get(key)
        if row is None:
            create.append(
                Rollup(
                    plan=plan,
                    scope=key[0],
                    area_id=key[1],
                    department_id=key[2],
                    period_id=key[3],
                    targets=targets,
                    tasks=tasks,
                    timeliness=timely,
                    computed_at=now,
                )
            )
        elif (row.targets, row.tasks, row.timeliness) != (targets, tasks, timely):
            row.targets, row.tasks, row.timeliness, row.computed_at = targets, tasks, timely, now
            update.append(row)
    Rollup.objects.bulk_create(create)
    Rollup.objects.bulk_update(update, ["targets", "tasks", "timeliness", "computed_at"])
    return len(create) + len(update)


def _timeliness(plan: Plan, periods: list[ReportingPeriod], today: dt.date) -> dict[int, dict[int, dict]]:
    """Per department, as of each quarter: how many quarters so far it reported on time, late, or not at all."""
    from tasks.selectors import reporting_departments

    all_before = list(ReportingPeriod.objects.filter(due_on__lt=today).order_by("year", "quarter"))
    sent = {
        (dept, period): late
        for dept, period, late in QuarterlyReport.objects.filter(plan=plan, submitted_at__isnull=False)
        .order_by()
        .values_list("department_id", "period_id", "is_late")
    }
    result: dict[int, dict[int, dict]] = {}
    wanted = sorted(periods, key=lambda p: (p.year, p.quarter))
    for dept_id in reporting_departments(plan).values_list("pk", flat=True):
        counts = {"on_time": 0, "late": 0, "missing": 0}
        per_period, due = {}, iter(all_before)
        pending = next(due, None)
        for period in wanted:  # one pass: counts accumulate quarter by quarter
            while pending is not None and (pending.year, pending.quarter) <= (period.year, period.quarter):
                late = sent.get((dept_id, pending.pk))
                counts["missing" if late is None else "late" if late else "on_time"] += 1
                pending = next(due, None)
            per_period[period.pk] = dict(counts)
        result[dept_id] = per_period
    return result


# --- writing only what changed --------------------------------------------------------------------------------


def _write(model, owner_field: str, fresh: dict, existing, fields: tuple[str, ...], now) -> int:
    stored = {(row[1], row[2]): (row[0], tuple(row[3:])) for row in existing}
    create, update = [], []
    for (owner, period_id), values in fresh.items():
        current = stored.get((owner, period_id))
        if current is None:
            create.append(
                model(
                    **{owner_field: owner, "period_id": period_id, "computed_at": now},
                    **dict(zip(fields, values, strict=True)),
                )
            )
        elif not _same(current[1], values):
            update.append(model(pk=current[0], computed_at=now, **dict(zip(fields, values, strict=True))))
    model.objects.bulk_create(create, batch_size=2000)
    model.objects.bulk_update(update, [*fields, "computed_at"], batch_size=2000)
    return len(create) + len(update)


def _same(stored: tuple, fresh: tuple) -> bool:
    """Floats read back from the database may differ in the last bits; that is not a change."""
    return all(_close(a, b) for a, b in zip(stored, fresh, strict=True))


def _close(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b
