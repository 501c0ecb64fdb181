"""Recomputing the result tables from approved data only: a whole plan, or what one approval touches.

Re-running is safe: rows are compared with what is stored and only changes are written, so two runs
leave the same rows and a crashed run is simply run again. A full recompute passes over a plan whose inputs
have not changed since its last full recompute, and recomputes one whose reports alone changed from the earliest
changed quarter on (see results.fingerprints); `force` recomputes every plan, every quarter.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import FilteredRelation, JSONField, Q, Value
from django.utils import timezone

from indicators.models import PERIOD_END_YEAR, Period, Target
from progress.authority import authoritative
from progress.maths import Point, Rules, evaluate_each, rollup
from progress.timeliness import DUE, timeliness
from targets.models import Plan, Responsibility, Task
from tasks.models import IndicatorValue, QuarterlyReport, ReportingPeriod, ReportStatus, TaskUpdate

from . import fingerprints
from .models import ComputationRun, Rollup, TargetResult, TaskResult
from .specs import target_spec

NO_UPDATE = "no_update"
TARGET_FIELDS = (
    "status",
    "target_value",
    "latest_value",
    "progress",
    "expected",
    "forecast",
    "forecast_meets",
    "judged_value",
    "baseline_value",
    "baseline_on",
    "latest_kind",
    "latest_figures",
    "judged_kind",
)
TASK_FIELDS = ("status", "percent_complete", "overdue", "co_departments")


@dataclass
class Scope:
    """What to recompute: all of a plan, or the targets and tasks one report touched, from a quarter on."""

    plan: Plan
    quarters: list[ReportingPeriod]  # every quarter, oldest first
    periods: list[ReportingPeriod]  # those to compute: opened by today (and from the approved report's on)
    indicator_ids: set[int] | None = None  # None: every indicator of the plan
    task_ids: set[int] | None = None

    @property
    def whole(self) -> bool:
        return self.indicator_ids is None and self.task_ids is None


def rules_from_settings() -> Rules:
    from django.conf import settings

    return Rules(**getattr(settings, "PROGRESS_RULES", {}))


def all_quarters() -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.chronological())


def opened(quarters: list[ReportingPeriod], today: dt.date) -> list[ReportingPeriod]:
    """Quarters whose reporting has opened: a quarter still in the future has nothing to be 'as of'."""
    return [q for q in quarters if q.opens_on <= today]


@dataclass
class FullRun:
    written: int = 0
    recomputed: int = 0
    skipped: int = 0  # plans whose inputs had not changed since their last full recompute
    from_later_quarter: int = 0  # of those recomputed: only reports had changed, so from the earliest changed quarter


def recompute_plan(plan: Plan, *, today: dt.date | None = None, force: bool = False) -> int:
    return recompute_plans([plan], today=today, force=force).written


def recompute_plans(
    plans: Iterable[Plan],
    *,
    today: dt.date | None = None,
    force: bool = False,
    progress: Callable[[Plan], None] | None = None,
) -> FullRun:
    """Every target, task and rollup of each plan, as of every quarter: the nightly safety net.

    A plan whose inputs are those its last finished full recompute read is passed over, and one of which only
    reports changed is recomputed from the earliest changed report's quarter on (see results.fingerprints);
    `force` recomputes every plan as of every quarter.
    """
    today = today or timezone.localdate()
    plans = list(plans)
    quarters = all_quarters()
    current = fingerprints.input_fingerprints(plans, quarters, today, rules_from_settings())
    previous = {} if force else fingerprints.last_full_runs(plans)
    outcome = FullRun()
    for plan in plans:
        inputs, last = current[plan.pk], previous.get(plan.pk)
        if last is not None and last.inputs == inputs.digest:
            outcome.skipped += 1
        else:
            periods = every = opened(quarters, today)
            start = fingerprints.changed_from(last, inputs, quarters) if last is not None else None
            if start is not None:
                periods = [q for q in every if q.key >= start]
                outcome.from_later_quarter += len(periods) < len(every)
            scope = Scope(plan=plan, quarters=quarters, periods=periods)
            outcome.written += _run(
                ComputationRun.Kind.FULL, scope, today=today, inputs=inputs.digest, covered=inputs.recorded()
            )
            outcome.recomputed += 1
        if progress:
            progress(plan)
    if outcome.written >= ANALYZE_AFTER and connection.vendor == "postgresql":
        _analyze_results()
    return outcome


ANALYZE_AFTER = 10_000  # rows written by one full run


def _analyze_results() -> None:
    """Fresh planner statistics after a run that filled the result tables (a first run, a rule change): with
    the statistics of near-empty tables the next reads of them were planned as scans, three times slower."""
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (TargetResult, TaskResult, Rollup))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


def recompute_for_report(report: QuarterlyReport, *, today: dt.date | None = None) -> int:
    """An approval changes that quarter and every later one, for its indicators and tasks only."""
    today = today or timezone.localdate()
    start = report.period.key
    quarters = all_quarters()
    indicator_ids, task_ids = _contents(report)
    scope = Scope(
        plan=report.plan,
        quarters=quarters,
        periods=[q for q in opened(quarters, today) if q.key >= start],
        indicator_ids=indicator_ids,
        task_ids=task_ids,
    )
    return _run(ComputationRun.Kind.INCREMENTAL, scope, today=today, covered={"report": report.pk})


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
    return _run(ComputationRun.Kind.INCREMENTAL, scope, today=today, covered=covered)


def _contents(report: QuarterlyReport) -> tuple[set[int], set[int]]:
    """The indicators and the tasks the report has rows for, in one round trip."""
    values = IndicatorValue.objects.filter(report=report).annotate(of=Value("i")).values_list("of", "indicator_id")
    updates = TaskUpdate.objects.filter(report=report).annotate(of=Value("t")).values_list("of", "task_id")
    ids: dict[str, set[int]] = {"i": set(), "t": set()}
    for of, pk in values.order_by().union(updates.order_by(), all=True):
        ids[of].add(pk)
    return ids["i"], ids["t"]


def _run(kind, scope: Scope, *, today: dt.date, inputs: str = "", covered=None) -> int:
    """Compute with the plan locked, and record the run.

    A full run is recorded before it starts: it runs outside any transaction (the nightly job), so a crash
    leaves a visible run with no end. An incremental run is recorded once, when it ends: it runs inside the
    approval job's transaction, where a row written first could not outlive a crash either, and one write is
    a round trip less on the approval's path.
    """
    run = ComputationRun(
        kind=kind,
        plan=scope.plan,
        inputs=inputs,
        covered={"plan": scope.plan.code, "periods": [str(p) for p in scope.periods], **(covered or {})},
    )
    if kind == ComputationRun.Kind.FULL:
        run.save()
    try:
        with transaction.atomic():
            # One recompute of a plan at a time (a worker's approval and the nightly run, say). NO KEY: reports
            # and other rows referring to the plan can still be written meanwhile.
            list(Plan.objects.select_for_update(no_key=True).filter(pk=scope.plan.pk).values_list("pk"))
            written = compute(scope, today=today)
    except Exception as exc:
        run.error = repr(exc)
        run.save()
        raise
    run.rows_written = written
    run.finished_at = timezone.now()
    run.save()
    return written


def compute(scope: Scope, *, today: dt.date) -> int:
    if not scope.periods:
        return 0
    now = timezone.now()
    shape = plan_shape(scope.plan)
    targets, written = _target_results(scope, shape, now)
    tasks, task_written = _task_results(scope, shape, now, today)
    return written + task_written + _rollups(scope, shape, targets, tasks, now, today)


@dataclass
class Shape:
    """The plan's targets, tasks and who leads them, read once per recompute."""

    targets: list[dict]  # values() rows: what target_spec() reads, and the target's area and department
    task_area: dict[int, int]
    task_lead: dict[int, int]
    names: dict[int, str]  # department names, for the co-departments' updates


def plan_shape(plan: Plan) -> Shape:
    targets = list(
        Target.objects.filter(indicator__plan=plan)
        .order_by()
        .values(
            "pk",
            "indicator_id",
            "comparator",
            "value",
            "baseline_year",
            "period",
            "indicator__direction",
            "indicator__baseline_value",
            "indicator__baseline_year",
            "indicator__authority",
            "task__area_id",
            "indicator__reporting_department_id",
        )
    )
    for row in targets:
        row["target_year"] = PERIOD_END_YEAR[Period(row["period"])]
    task_area, task_lead, names = {}, {}, {}
    # Tasks with their responsibilities in one query: a task no unit is named on comes once, with NULLs.
    for task_id, area_id, department_id, role, name in (
        Task.objects.filter(area__plan=plan)
        .order_by()
        .values_list(
            "pk",
            "area_id",
            "responsibilities__department_id",
            "responsibilities__role",
            "responsibilities__department__name",
        )
    ):
        task_area[task_id] = area_id
        if department_id is None:
            continue
        names[department_id] = name
        if role == Responsibility.Role.LEAD:
            task_lead[task_id] = department_id
    return Shape(targets, task_area, task_lead, names)


def _targets_in(scope: Scope, shape: Shape) -> list[dict]:
    return [t for t in shape.targets if scope.indicator_ids is None or t["indicator_id"] in scope.indicator_ids]


def _tasks_in(scope: Scope, shape: Shape) -> list[int]:
    return [pk for pk in shape.task_area if scope.task_ids is None or pk in scope.task_ids]


# --- targets -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """Which kind of figure judged a quarter, and every kind known for it (shown beside it when they differ)."""

    kind: str
    figures: dict[str, float]


def authoritative_series(
    plan: Plan,
    indicator_ids: Iterable[int] | None,
    quarters: list[ReportingPeriod],
    authority: dict[int, str],
    *,
    at=None,
) -> tuple[dict[int, list[Point]], dict[int, dict[dt.date, Counted]]]:
    """Each indicator's authoritative figure of each quarter as points (in no particular order: the maths sorts
    them), from the figures known at `at` (now when None) under the indicator's authority rule; and, by quarter end,
    which kind it was. The dates come from `quarters` (every quarter) rather than a join."""
    from tasks.selectors import known_figures

    ends = {q.pk: q.ends_on for q in quarters}
    series: dict[int, list[Point]] = defaultdict(list)
    counted: dict[int, dict[dt.date, Counted]] = defaultdict(dict)
    for indicator_id, figures in known_figures(plan, indicator_ids, at=at).items():
        for period_id, choice in authoritative(figures, authority[indicator_id]).items():
            when = ends[period_id]
            series[indicator_id].append(Point(when, choice.figure.value))
            every = {str(f.kind): f.value for f in (choice.figure, *choice.others)}
            counted[indicator_id][when] = Counted(str(choice.figure.kind), every if len(every) > 1 else {})
    return series, counted


def _counted_by(counted: dict[dt.date, Counted], dates: list[dt.date], on: dt.date | None) -> Counted | None:
    """The kind that judged the newest quarter up to `on` (`dates`: the quarters with a figure, sorted)."""
    if on is None:
        return None
    i = bisect_right(dates, on)
    return counted[dates[i - 1]] if i else None


def evaluate_targets(scope: Scope, shape: Shape, *, at=None) -> dict[tuple[int, int], tuple]:
    """Every target of the scope as of each of its quarters, on the figures known at `at` (now when None): the
    fields of TARGET_FIELDS by (target id, period id). Writes nothing (the "as known on" selector reads it too)."""
    rules = rules_from_settings()
    targets = _targets_in(scope, shape)
    authority = {t["indicator_id"]: t["indicator__authority"] for t in targets}
    series, counted = authoritative_series(scope.plan, scope.indicator_ids, scope.quarters, authority, at=at)
    dates = [p.ends_on for p in scope.periods]
    fresh = {}
    for target in targets:
        spec = target_spec(target)
        by_date = counted.get(target["indicator_id"], {})
        sorted_dates = sorted(by_date)
        results = evaluate_each(spec, series.get(target["indicator_id"], ()), dates, rules)
        for period, result in zip(scope.periods, results, strict=True):
            latest = _counted_by(by_date, sorted_dates, period.ends_on) if result.latest is not None else None
            judged_on = min(period.ends_on, spec.target_date) if spec.target_date else None
            judged = _counted_by(by_date, sorted_dates, judged_on) if result.judged is not None else None
            fresh[(target["pk"], period.pk)] = (
                str(result.status),
                result.target_value,
                result.latest,
                result.progress,
                result.expected,
                result.forecast,
                result.forecast_meets,
                result.judged,
                result.baseline,
                result.baseline_date,
                latest.kind if latest else "",
                latest.figures if latest else {},
                judged.kind if judged else "",
            )
    return fresh


def _target_results(scope: Scope, shape: Shape, now) -> tuple[dict, int]:
    """Evaluate the scope's targets as of each quarter. Returns every target's status as of the scope's
    quarters (the others' as stored), for the rollups, and the rows written."""
    fresh = evaluate_targets(scope, shape)
    stored = TargetResult.objects.filter(target_id__in=[t["pk"] for t in shape.targets], period__in=scope.periods)
    existing, others = _split(stored.order_by().values_list("pk", "target_id", "period_id", *TARGET_FIELDS), fresh)
    written = _write(TargetResult, ("target_id", "period_id"), fresh, existing, TARGET_FIELDS, now, upsert=True)
    statuses = {key: values[0] for source in (others, fresh) for key, values in source.items()}
    return statuses, written


# --- tasks ---------------------------------------------------------------------------------------------------

UPDATE_FIELDS = (
    "task_id",
    "report__department_id",
    "report__period_id",
    "report__is_late",
    "status",
    "percent_complete",
)


def _task_results(scope: Scope, shape: Shape, now, today: dt.date) -> tuple[dict, int]:
    """The lead's latest status and each co-department's latest update, as of each quarter, in one pass per task
    over its updates bucketed by quarter (no sorting)."""
    task_ids = _tasks_in(scope, shape)
    updates = TaskUpdate.objects.filter(report__plan=scope.plan, report__status=ReportStatus.APPROVED).order_by()
    if scope.task_ids is not None:
        updates = updates.filter(task_id__in=task_ids)
    by_task: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for row in updates.values_list(*UPDATE_FIELDS):
        by_task[row[0]][row[2]].append(row)
    label = {q.pk: f"{q.year}Q{q.quarter}" for q in scope.quarters}
    in_scope = {p.pk: p for p in scope.periods}
    fresh = {}
    for task_id in task_ids:
        buckets, lead, names = by_task.get(task_id, {}), shape.task_lead.get(task_id), shape.names
        latest: dict[int, tuple] = {}
        co, co_stale = [], True
        for quarter in scope.quarters:  # quarters outside the scope are folded in too: they come before its end
            pk = quarter.pk
            for row in buckets.get(pk, ()):
                latest[row[1]] = row
                co_stale = co_stale or row[1] != lead
            period = in_scope.get(pk)
            if period is None:
                continue
            lead_row = latest.get(lead)
            this_quarter = lead_row if lead_row is not None and lead_row[2] == pk else None
            overdue = period.is_overdue(today) and (this_quarter is None or this_quarter[3])
            if co_stale:
                co = [
                    {"department": names.get(dept, ""), "status": r[4], "percent": r[5], "period": label[r[2]]}
                    for dept, r in sorted(latest.items(), key=lambda item: names.get(item[0], ""))
                    if dept != lead
                ]
                co_stale = False
            status = lead_row[4] if lead_row and lead_row[4] else NO_UPDATE
            fresh[(task_id, pk)] = (status, lead_row[5] if lead_row else None, overdue, co)
    stored = TaskResult.objects.filter(task_id__in=list(shape.task_area), period__in=scope.periods)
    existing, others = _split(stored.order_by().values_list("pk", "task_id", "period_id", *TASK_FIELDS), fresh)
    written = _write(TaskResult, ("task_id", "period_id"), fresh, existing, TASK_FIELDS, now, upsert=True)
    statuses = {key: (values[0], values[2]) for source in (others, fresh) for key, values in source.items()}
    return statuses, written


def _split(rows, fresh: dict) -> tuple[list, dict]:
    """Stored (pk, owner, period, *fields) rows: those to compare with fresh ones, and the others' fields by key."""
    existing, others = [], {}
    for row in rows:
        key = (row[1], row[2])
        if key in fresh:
            existing.append(row)
        else:
            others[key] = row[3:]
    return existing, others


# --- rollups -------------------------------------------------------------------------------------------------


def _rollups(scope: Scope, shape: Shape, targets: dict, tasks: dict, now, today: dt.date) -> int:
    """Counts by status for the plan, each area and each department, from every target's and task's status:
    for a whole plan every group, after an approval only the groups its targets and tasks belong to."""
    plan, period_ids = scope.plan, [p.pk for p in scope.periods]
    target_groups = {
        t["pk"]: _groups(t["task__area_id"], t["indicator__reporting_department_id"]) for t in shape.targets
    }
    task_groups = {pk: _groups(area, shape.task_lead.get(pk)) for pk, area in shape.task_area.items()}
    if scope.whole:
        wanted = None
    else:
        wanted = {("plan", None, None)}
        wanted.update(g for t in _targets_in(scope, shape) for g in target_groups[t["pk"]])
        wanted.update(g for pk in _tasks_in(scope, shape) for g in task_groups[pk])

    groups: dict[tuple, dict] = defaultdict(lambda: {"targets": [], "tasks": [], "overdue": 0, "timeliness": {}})
    for (target_id, period_id), status in targets.items():
        for group in target_groups.get(target_id, ()):
            groups[(*group, period_id)]["targets"].append(status)
    for (task_id, period_id), (status, overdue) in tasks.items():
        for group in task_groups.get(task_id, ()):
            data = groups[(*group, period_id)]
            data["tasks"].append(status)
            data["overdue"] += overdue
    departments = None if wanted is None else {g[2] for g in wanted if g[0] == "department"}
    for dept_id, per_period in _timeliness(plan, scope.periods, scope.quarters, today, departments).items():
        for period_id in period_ids:
            groups[("department", None, dept_id, period_id)]["timeliness"] = per_period.get(period_id, {})

    fresh = {}
    for key, data in groups.items():
        if wanted is not None and key[:3] not in wanted:
            continue
        task_counts = rollup(data["tasks"])
        if data["tasks"]:
            task_counts["overdue"] = {"count": data["overdue"], "share": data["overdue"] / len(data["tasks"])}
        fresh[key] = (rollup(data["targets"]), task_counts, data["timeliness"])
    existing = Rollup.objects.filter(plan=plan, period_id__in=period_ids).order_by()
    if wanted is not None:
        existing = existing.filter(
            Q(scope=Rollup.Scope.PLAN)
            | Q(scope=Rollup.Scope.AREA, area_id__in=[g[1] for g in wanted if g[0] == "area"])
            | Q(scope=Rollup.Scope.DEPARTMENT, department_id__in=departments)
        )
    rows = existing.values_list("pk", "scope", "area_id", "department_id", "period_id", *ROLLUP_FIELDS)
    return _write(Rollup, ROLLUP_KEY, fresh, rows, ROLLUP_FIELDS, now, plan_id=plan.pk)


ROLLUP_KEY = ("scope", "area_id", "department_id", "period_id")
ROLLUP_FIELDS = ("targets", "tasks", "timeliness")


def _groups(area_id: int | None, department_id: int | None) -> list[tuple]:
    groups = [("plan", None, None)]
    if area_id is not None:
        groups.append(("area", area_id, None))
    if department_id is not None:
        groups.append(("department", None, department_id))
    return groups


def _timeliness(
    plan: Plan,
    periods: list[ReportingPeriod],
    quarters: list[ReportingPeriod],
    today: dt.date,
    departments: set[int] | None = None,
) -> dict[int, dict[int, dict]]:
    """Per reporting department (or those of `departments`, which are departments of the plan's targets and
    tasks), as of each quarter: how many quarters so far it reported on time, late, or not at all."""
    from tasks.selectors import reporting_departments

    owing = reporting_departments(plan, named=departments)
    # Each owing unit with its sent reports, in one query: a unit that sent none comes once, with NULLs.
    sent_reports = FilteredRelation("reports", condition=Q(reports__plan=plan, reports__submitted_at__isnull=False))
    rows = owing.annotate(sent=sent_reports).order_by().values_list("pk", "sent__period_id", "sent__submitted_at")
    sent, owing_ids = {}, {}
    for dept_id, period_id, submitted_at in rows:
        owing_ids[dept_id] = None
        if period_id is not None:
            sent[(dept_id, period_id)] = timezone.localdate(submitted_at)
    all_before = [p for p in quarters if p.is_overdue(today)]
    result: dict[int, dict[int, dict]] = {}
    wanted = sorted(periods, key=lambda p: p.key)
    for dept_id in owing_ids:
        counts = dict.fromkeys(DUE, 0)
        per_period, due = {}, iter(all_before)
        pending = next(due, None)
        for period in wanted:  # one pass: counts accumulate quarter by quarter
            while pending is not None and pending.key <= period.key:
                counts[timeliness(due_on=pending.due_on, sent_on=sent.get((dept_id, pending.pk)), today=today)] += 1
                pending = next(due, None)
            per_period[period.pk] = {str(state): n for state, n in counts.items()}
        result[dept_id] = per_period
    return result


# --- writing only what changed --------------------------------------------------------------------------------


def _write(
    model, key: tuple[str, ...], fresh: dict, existing, fields: tuple[str, ...], now, *, upsert: bool = False, **common
) -> int:
    """Insert missing rows and replace changed ones; `existing` rows are (pk, *key, *fields).

    With `upsert` (the key is a unique constraint: target and task results) a changed row is replaced in the
    same INSERT, ON CONFLICT (only then: a plain INSERT of new rows, a first full run's 1.2 M at N = 300, avoids
    PostgreSQL's speculative insertion); otherwise (rollups, unique by three partial constraints) it is deleted
    and inserted again. Either way, not Django's bulk_update, whose CASE per field and row is slow in Python and
    in the database when a rule change touches every row. The plan is locked (see _run), so no other recompute
    of it sees the gap.
    """
    width = len(key)
    stored = {row[1 : 1 + width]: (row[0], row[1 + width :]) for row in existing}
    encode = [isinstance(model._meta.get_field(f), JSONField) for f in fields]
    stamp = (connection.ops.adapt_datetimefield_value(now), *common.values())
    rows, stale = [], []
    for ident, values in fresh.items():
        current = stored.get(ident)
        if current is not None:
            if _same(current[1], values):
                continue
            stale.append(current[0])
        rows.append((*stamp, *ident, *(json.dumps(v) if e else v for v, e in zip(values, encode, strict=True))))
    if not upsert:
        for i in range(0, len(stale), BATCH):
            model.objects.filter(pk__in=stale[i : i + BATCH]).delete()
    _insert(model, ("computed_at", *common, *key, *fields), rows, conflict=key if upsert and stale else ())
    return len(rows)


BATCH = 2000


def _insert(model, columns: tuple[str, ...], rows: list[tuple], *, conflict: tuple[str, ...] = ()) -> None:
    """bulk_create without model instances, whose construction and per-field preparation were most of a first
    full recompute: the values are already what the columns hold (JSON encoded, the timestamp adapted).
    `conflict`: the columns of a unique constraint; a row that would break it updates the stored one instead."""
    if not rows:
        return
    fields = [model._meta.get_field(c) for c in columns]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    tail = ""
    if conflict:
        target = [model._meta.get_field(c).column for c in conflict]
        changed = ", ".join(f"{quote(f.column)} = EXCLUDED.{quote(f.column)}" for f in fields if f.column not in target)
        tail = f" ON CONFLICT ({', '.join(quote(c) for c in target)}) DO UPDATE SET {changed}"
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = min(BATCH, connection.ops.bulk_batch_size(fields, rows))
    with connection.cursor() as cursor:
        for i in range(0, len(rows), size):
            batch = rows[i : i + size]
            cursor.execute(head + ", ".join([placeholders] * len(batch)) + tail, [v for row in batch for v in row])


def _same(stored: tuple, fresh: tuple) -> bool:
    """Floats read back from the database may differ in the last bits; that is not a change."""
    return stored == fresh or all(_close(a, b) for a, b in zip(stored, fresh, strict=True))


def _close(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b
