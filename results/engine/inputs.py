"""What a recompute reads, in bulk and once: its scope, the plan's structure, the figures, the task updates and the
reports sent. Approved data only; every read is a constant number of queries whatever the plan's size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, FilteredRelation, Q, QuerySet, Value
from django.utils import timezone

from indicators.models import PERIOD_END_YEAR, Period, Target
from progress.maths import Rules
from targets.models import Plan, Responsibility, Task
from tasks.models import IndicatorValue, QuarterlyReport, ReportingPeriod, ReportStatus, TaskUpdate


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


def report_contents(report: QuarterlyReport) -> tuple[set[int], set[int]]:
    """The indicators and the tasks the report has rows for, in one round trip."""
    values = IndicatorValue.objects.filter(report=report).annotate(of=Value("i")).values_list("of", "indicator_id")
    updates = TaskUpdate.objects.filter(report=report).annotate(of=Value("t")).values_list("of", "task_id")
    ids: dict[str, set[int]] = {"i": set(), "t": set()}
    for of, pk in values.order_by().union(updates.order_by(), all=True):
        ids[of].add(pk)
    return ids["i"], ids["t"]


# --- the plan's structure ------------------------------------------------------------------------------------


@dataclass
class Shape:
    """The plan's targets, tasks and who leads them, read once per recompute."""

    targets: list[dict]  # values() rows: what target_spec() reads, and the target's area and department
    task_area: dict[int, int]
    task_lead: dict[int, int]


# What target_spec() reads of a target, and the target's area and reporting unit (its rollup groups).
TARGET_FIELDS = (
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


def target_rows(targets, *extra: str) -> list[dict]:
    """`targets` (a queryset) as values() rows of TARGET_FIELDS (and `extra`), each with its target year."""
    rows = list(targets.values(*TARGET_FIELDS, *extra))
    for row in rows:
        row["target_year"] = PERIOD_END_YEAR[Period(row["period"])]
    return rows


def plan_shape(plan: Plan) -> Shape:
    targets = target_rows(Target.objects.filter(indicator__plan=plan).order_by())
    task_area, task_lead = {}, {}
    # Tasks with their responsibilities in one query: a task no unit is named on comes once, with NULLs.
    for task_id, area_id, department_id, role in (
        Task.objects.filter(area__plan=plan)
        .order_by()
        .values_list("pk", "area_id", "responsibilities__department_id", "responsibilities__role")
    ):
        task_area[task_id] = area_id
        if department_id is not None and role == Responsibility.Role.LEAD:
            task_lead[task_id] = department_id
    return Shape(targets, task_area, task_lead)


def targets_in(scope: Scope, shape: Shape) -> list[dict]:
    return [t for t in shape.targets if scope.indicator_ids is None or t["indicator_id"] in scope.indicator_ids]


def tasks_in(scope: Scope, shape: Shape) -> list[int]:
    return [pk for pk in shape.task_area if scope.task_ids is None or pk in scope.task_ids]


# --- figures -------------------------------------------------------------------------------------------------


# --- task updates --------------------------------------------------------------------------------------------


# An approved task update, with what the task's results need of its report: a plain tuple as the database sends it,
# unpacked into names where it is read. A NamedTuple made for each (thousands per plan, every recompute) cost an
# approval's recompute a few milliseconds more, where unpacking costs nothing.
UpdateRow = tuple[int, int, int, bool, str, int | None]  # task, department, period, is_late, status, percent
UPDATE_FIELDS = (
    "task_id",
    "report__department_id",
    "report__period_id",
    "report__is_late",
    "status",
    "percent_complete",
)


def lead_updates(plans) -> QuerySet[TaskUpdate]:
    """The approved task updates of the plans' leads: the engine reads no other (the co-departments' updates the
    view results_taskresult reads itself)."""
    return TaskUpdate.objects.filter(
        report__plan__in=plans,
        report__status=ReportStatus.APPROVED,
        task__responsibilities__role=Responsibility.Role.LEAD,
        task__responsibilities__department_id=F("report__department_id"),
    ).order_by()


def approved_updates(scope: Scope, shape: Shape, task_ids: list[int]) -> dict[int, dict[int, list[UpdateRow]]]:
    """The plan's approved updates of the tasks' leads (of `task_ids` when the scope names tasks), by task and
    quarter. The plan's shape names the leads: the query asks for their units' updates (a short list, where a join
    through the responsibilities cost an approval 20 ms at N = 300) and each is matched with its task's lead here."""
    leads = {pk: shape.task_lead[pk] for pk in task_ids if pk in shape.task_lead}
    updates = TaskUpdate.objects.filter(
        report__plan=scope.plan, report__status=ReportStatus.APPROVED, report__department_id__in=set(leads.values())
    ).order_by()
    if scope.task_ids is not None:
        updates = updates.filter(task_id__in=task_ids)
    by_task: dict[int, dict[int, list[UpdateRow]]] = defaultdict(lambda: defaultdict(list))
    for update in raw_rows(updates.values_list(*UPDATE_FIELDS)):
        task_id, department_id, period_id, _is_late, _status, _percent = update
        if leads.get(task_id) == department_id:
            by_task[task_id][period_id].append(update)
    return by_task


def raw_rows(queryset) -> list[tuple]:
    """A values_list queryset's rows as the database driver returns them: no per-row work in the ORM (the task
    updates of every plan are hundreds of thousands of rows)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter on an empty list: no query to send
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- reports sent --------------------------------------------------------------------------------------------


def reports_sent(plan: Plan, departments: set[int] | None) -> tuple[list[int], dict[tuple[int, int], dt.date]]:
    """The units that owe the plan reports (those of `departments` only, when given), and the day each sent its
    report of a quarter, by (unit, quarter)."""
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
    return list(owing_ids), sent
