"""The rows of a scope from its inputs, by the pure maths of progress/: targets, tasks, timeliness and rollups.

Nothing here writes; the targets' evaluation also serves the "as known on" selector, which stores nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from progress.maths import rollup
from progress.timeliness import DUE, timeliness
from tasks.models import ReportingPeriod

from .grid import read_figures, target_series
from .inputs import Scope, Shape, UpdateRow, targets_in, tasks_in
from .rows import RollupRow, TargetRow, TaskRow

NO_UPDATE = "no_update"

TargetKey = tuple[int, int]  # (target id, period id)
TaskKey = tuple[int, int]  # (task id, period id)
Group = tuple[str, int | None, int | None]  # (scope, area id, department id)
RollupKey = tuple[str, int | None, int | None, int]  # a group and a period id


# --- targets -------------------------------------------------------------------------------------------------


def evaluate_targets(scope: Scope, shape: Shape, *, at=None) -> dict[TargetKey, TargetRow]:
    """Every target of the scope as of each of its quarters, on the figures known at `at` (now when None): all of
    them at once, on the grid of quarters (engine.grid, as a full run evaluates every plan's)."""
    targets = targets_in(scope, shape)
    if not targets or not scope.periods:
        return {}
    column = {q.pk: j for j, q in enumerate(scope.quarters)}
    figures = read_figures([scope.plan], targets, column, indicator_ids=scope.indicator_ids, at=at)
    rows, _statuses = target_series(targets, figures, scope.quarters, [column[p.pk] for p in scope.periods])
    return {
        (target_id, period.pk): TargetRow._make(values)
        for target_id, *series in rows
        for period, values in zip(scope.periods, zip(*series, strict=True), strict=True)
    }


# --- tasks ---------------------------------------------------------------------------------------------------


def task_rows(
    scope: Scope, shape: Shape, updates: dict[int, dict[int, list[UpdateRow]]], today: dt.date
) -> dict[TaskKey, TaskRow]:
    """The lead's latest status as of each quarter, in one pass per task over its updates bucketed by quarter (no
    sorting). The co-departments' updates are not computed: the view results_taskresult reads them."""
    in_scope = {p.pk: p for p in scope.periods}
    fresh = {}
    for task_id in tasks_in(scope, shape):
        buckets, lead = updates.get(task_id, {}), shape.task_lead.get(task_id)
        lead_update: UpdateRow | None = None
        for quarter in scope.quarters:  # quarters outside the scope are folded in too: they come before its end
            pk = quarter.pk
            for update in buckets.get(pk, ()):
                if update[1] == lead:
                    lead_update = update
            period = in_scope.get(pk)
            if period is None:
                continue
            status, percent, overdue = NO_UPDATE, None, period.is_overdue(today)
            if lead_update is not None:
                _task_id, _lead, lead_period_id, is_late, lead_status, percent = lead_update
                status = lead_status or NO_UPDATE
                overdue = overdue and (lead_period_id != pk or is_late)
            fresh[(task_id, pk)] = TaskRow(status=status, percent_complete=percent, overdue=overdue)
    return fresh


# --- timeliness ----------------------------------------------------------------------------------------------


def timeliness_by_department(
    owing: list[int],
    sent: dict[tuple[int, int], dt.date],
    periods: list[ReportingPeriod],
    quarters: list[ReportingPeriod],
    today: dt.date,
) -> dict[int, dict[int, dict]]:
    """Per owing unit, as of each quarter of `periods`: how many quarters so far it reported on time, late, or not
    at all (`sent`: the day it sent its report of a quarter, by (unit, quarter))."""
    all_before = [p for p in quarters if p.is_overdue(today)]
    result: dict[int, dict[int, dict]] = {}
    wanted = sorted(periods, key=lambda p: p.key)
    for dept_id in owing:
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


# --- rollups -------------------------------------------------------------------------------------------------


def groups_of(area_id: int | None, department_id: int | None) -> list[Group]:
    groups: list[Group] = [("plan", None, None)]
    if area_id is not None:
        groups.append(("area", area_id, None))
    if department_id is not None:
        groups.append(("department", None, department_id))
    return groups


class Groups:
    """The groups each target and task counts in, and those a scope recomputes: for a whole plan every group
    (`wanted` is None), after an approval only the groups its targets and tasks belong to."""

    def __init__(self, scope: Scope, shape: Shape):
        self.of_target = {
            t["pk"]: groups_of(t["task__area_id"], t["indicator__reporting_department_id"]) for t in shape.targets
        }
        self.of_task = {pk: groups_of(area, shape.task_lead.get(pk)) for pk, area in shape.task_area.items()}
        self.wanted: set[Group] | None = None
        if not scope.whole:
            self.wanted = {("plan", None, None)}
            self.wanted.update(g for t in targets_in(scope, shape) for g in self.of_target[t["pk"]])
            self.wanted.update(g for pk in tasks_in(scope, shape) for g in self.of_task[pk])

    @property
    def departments(self) -> set[int] | None:
        return None if self.wanted is None else {g[2] for g in self.wanted if g[0] == "department"}

    @property
    def areas(self) -> list[int]:
        return [] if self.wanted is None else [g[1] for g in self.wanted if g[0] == "area"]


def rollup_rows(
    scope: Scope,
    groups: Groups,
    targets: dict[TargetKey, str],
    tasks: dict[TaskKey, tuple[str, bool]],
    on_time: dict[int, dict[int, dict]],
) -> dict[RollupKey, RollupRow]:
    """Counts by status for the plan, each area and each department, from every target's status and every task's
    (status, overdue) as of the scope's quarters, with each department's timeliness."""
    data: dict[RollupKey, dict] = defaultdict(lambda: {"targets": [], "tasks": [], "overdue": 0, "timeliness": {}})
    for (target_id, period_id), status in targets.items():
        for group in groups.of_target.get(target_id, ()):
            data[(*group, period_id)]["targets"].append(status)
    for (task_id, period_id), (status, overdue) in tasks.items():
        for group in groups.of_task.get(task_id, ()):
            counted = data[(*group, period_id)]
            counted["tasks"].append(status)
            counted["overdue"] += overdue
    for dept_id, per_period in on_time.items():
        for period in scope.periods:
            data[("department", None, dept_id, period.pk)]["timeliness"] = per_period.get(period.pk, {})

    fresh = {}
    for key, counted in data.items():
        if groups.wanted is not None and key[:3] not in groups.wanted:
            continue
        task_counts = rollup(counted["tasks"])
        if counted["tasks"]:
            task_counts["overdue"] = {"count": counted["overdue"], "share": counted["overdue"] / len(counted["tasks"])}
        fresh[key] = RollupRow(targets=rollup(counted["targets"]), tasks=task_counts, timeliness=counted["timeliness"])
    return fresh
