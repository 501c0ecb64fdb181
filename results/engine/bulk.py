"""A full run of many plans at once, set-based: every input read in a few bulk queries, every target of every plan
evaluated on one grid, tasks, timeliness and rollups counted with numpy, and every series written in one merge.

A full run recomputes whole plans (every opened quarter), so nothing stored needs reading to compute: the series
are built whole and handed to `write.replace_changed`, which keeps a stored series that says the same and replaces
one that does not, in the database. The per-plan engine (`run.fill`) stays for the recomputes one approval or one
release starts, which cover a few targets and tasks from a quarter on; both call the same maths (progress.vector,
progress.maths.rollup, progress.timeliness), and tests/results/test_bulk.py checks that they write the same series.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db.models.functions import TruncDate
from django.utils import timezone

from departments.models import Department, DepartmentKind
from indicators.models import Indicator, Target
from progress.maths import rollup
from progress.timeliness import DUE, Timeliness
from targets.models import Plan, Responsibility, Task
from tasks.models import QuarterlyReport, ReportingPeriod

from ..series import quarter_index
from . import inputs, write
from .compute import NO_UPDATE
from .grid import Counted, read_figures, target_series
from .inputs import UPDATE_FIELDS, opened, raw_rows, target_rows

# --- the structure of every plan -----------------------------------------------------------------------------


@dataclass
class Structure:
    """Every recomputed plan's targets, tasks, leads and the units that owe it reports."""

    targets: list[dict]
    tasks: list[tuple[int, int, int]]  # (task, plan, area), in the order of their keys
    lead: dict[int, int]  # task -> leading unit
    owing: dict[int, list[int]]  # plan -> units that owe it reports
    plan_of_target: dict[int, int] = field(default_factory=dict)


def read_structure(plans: list[Plan]) -> Structure:
    ids = [p.pk for p in plans]
    targets = target_rows(Target.objects.filter(indicator__plan_id__in=ids).order_by("pk"), "indicator__plan_id")
    tasks, lead, named = {}, {}, defaultdict(set)
    for task_id, plan_id, area_id, department_id, role in raw_rows(
        Task.objects.filter(area__plan_id__in=ids)
        .order_by("pk")
        .values_list("pk", "area__plan_id", "area_id", "responsibilities__department_id", "responsibilities__role")
    ):
        tasks[task_id] = (task_id, plan_id, area_id)
        if department_id is None:
            continue
        named[plan_id].add(department_id)
        if role == Responsibility.Role.LEAD:
            lead[task_id] = department_id
    for plan_id, department_id in raw_rows(
        Indicator.objects.filter(plan_id__in=ids, reporting_department__isnull=False)
        .order_by()
        .values_list("plan_id", "reporting_department_id")
    ):
        named[plan_id].add(department_id)
    # tasks.selectors.reporting_departments for every plan at once: units of the plan's jurisdiction, collective
    # entries aside, named on one of its tasks or reporting one of its indicators
    units = raw_rows(
        Department.objects.filter(jurisdiction_id__in={p.jurisdiction_id for p in plans})
        .exclude(kind=DepartmentKind.COLLECTIVE)
        .order_by("name")
        .values_list("pk", "jurisdiction_id")
    )
    by_jurisdiction = defaultdict(list)
    for pk, jurisdiction_id in units:
        by_jurisdiction[jurisdiction_id].append(pk)
    owing = {p.pk: [pk for pk in by_jurisdiction[p.jurisdiction_id] if pk in named[p.pk]] for p in plans}
    structure = Structure(targets, list(tasks.values()), lead, owing)
    structure.plan_of_target = {t["pk"]: t["indicator__plan_id"] for t in targets}
    return structure


# --- tasks ---------------------------------------------------------------------------------------------------


def task_series(structure: Structure, plans: list[Plan], quarters: list[ReportingPeriod], wanted, today):
    """Every task's series (TaskRow's columns): the lead's latest status and percent carried forward with numpy,
    overdue where a due quarter had no timely update of the lead's (results.engine.compute.task_rows for a whole
    plan), and their statuses for the rollups."""
    tasks = structure.tasks
    if not tasks:
        return [], Counted(np.zeros((0, len(wanted)), dtype=int), [NO_UPDATE], np.zeros((0, len(wanted)), dtype=bool))
    row = {pk: i for i, (pk, _plan, _area) in enumerate(tasks)}
    column = {q.pk: j for j, q in enumerate(quarters)}
    n, q = len(tasks), len(quarters)
    statuses: dict[str, int] = {NO_UPDATE: 0}
    here = np.zeros((n, q), dtype=bool)
    status = np.zeros((n, q), dtype=np.int64)
    percent = np.full((n, q), -1, dtype=np.int64)
    late = np.zeros((n, q), dtype=bool)
    ti, tj, ts, tp, tl = [], [], [], [], []
    lead = structure.lead
    for task_id, unit, period_id, is_late, said, done in raw_rows(
        inputs.lead_updates(plans).values_list(*UPDATE_FIELDS)
    ):
        i = row.get(task_id)
        if i is not None and unit == lead.get(task_id):  # a task named with two leads counts one (as plan_shape)
            ti.append(i)
            tj.append(column[period_id])
            ts.append(statuses.setdefault(said or NO_UPDATE, len(statuses)))
            tp.append(-1 if done is None else done)
            tl.append(bool(is_late))
    here[ti, tj] = True
    status[ti, tj] = ts
    percent[ti, tj] = tp
    late[ti, tj] = tl
    last = np.maximum.accumulate(np.where(here, np.arange(q), -1), axis=1)
    at = np.maximum(last, 0)
    seen = last >= 0
    w = np.array(wanted)
    names = list(statuses)
    codes = np.where(seen, np.take_along_axis(status, at, axis=1), 0)[:, w]
    percent_now = np.where(seen, np.take_along_axis(percent, at, axis=1), -1)[:, w]
    percent_out = [[None if p < 0 else p for p in r] for r in percent_now.tolist()]
    due = np.array([quarter.is_overdue(today) for quarter in quarters])
    at_this = last == np.arange(q)
    overdue = (due[None, :] & (~at_this | np.take_along_axis(late, at, axis=1)))[:, w]
    status_out = np.array(names, dtype=object)[codes].tolist()
    columns = (status_out, percent_out, overdue.tolist())
    rows = [(pk, *cells) for (pk, _plan, _area), *cells in zip(tasks, *columns, strict=True)]
    return rows, Counted(codes, names, overdue)


# --- timeliness and rollups ----------------------------------------------------------------------------------


def timeliness_series(structure: Structure, plans: list[Plan], quarters, wanted, today) -> dict[int, dict[int, str]]:
    """Per plan and owing unit, as of each wanted quarter: how many due quarters so far it reported on time, late,
    or not at all (results.engine.compute.timeliness_by_department; progress.timeliness's rule, as numbers), as
    the JSON the series stores."""
    column = {q.pk: j for j, q in enumerate(quarters)}
    pairs = [(p.pk, d) for p in plans for d in structure.owing[p.pk]]
    if not pairs:
        return {}
    row = {pair: i for i, pair in enumerate(pairs)}
    sent = np.full((len(pairs), len(quarters)), np.nan)
    for plan_id, department_id, period_id, sent_on in raw_rows(
        QuarterlyReport.objects.filter(plan__in=plans, submitted_at__isnull=False)
        .annotate(sent_on=TruncDate("submitted_at"))  # the day in the current time zone, as timezone.localdate
        .order_by()
        .values_list("plan_id", "department_id", "period_id", "sent_on")
    ):
        i = row.get((plan_id, department_id))
        if i is not None:
            day = dt.date.fromisoformat(sent_on) if isinstance(sent_on, str) else sent_on  # SQLite: text
            sent[i, column[period_id]] = day.toordinal()
    due_on = np.array([float(q.due_on.toordinal()) for q in quarters])
    due = np.array([q.is_overdue(today) for q in quarters])
    arrived = sent <= today.toordinal()  # NaN compares False: not sent
    states = {
        Timeliness.ON_TIME: arrived & (sent <= due_on),
        Timeliness.LATE: arrived & (sent > due_on),
        Timeliness.MISSING: ~arrived,  # a due quarter not sent by today (today is past its due date)
    }
    w = np.array(wanted)
    counts = np.stack([np.cumsum(states[s] & due, axis=1)[:, w] for s in DUE], axis=2).tolist()
    names = [str(s) for s in DUE]
    encoded: dict[tuple, str] = {}
    out: dict[int, dict[int, write.Encoded]] = defaultdict(dict)
    for (plan_id, department_id), i in row.items():
        elements = []
        for quarter in counts[i]:
            key = tuple(quarter)
            if key not in encoded:
                encoded[key] = write.encode(dict(zip(names, quarter, strict=True)))
            elements.append(encoded[key])
        out[plan_id][department_id] = _joined(elements)
    return out


def rollup_series(structure: Structure, targets: Counted, tasks: Counted, on_time, width: int) -> list:
    """Every group's series (plan, area, unit; RollupRow's columns): counts by status as of each quarter, by
    np.add.at over the targets' and tasks' status codes (results.engine.compute.rollup_rows for a whole plan), made
    into progress.maths.rollup's counts and shares once per distinct set of counts."""
    groups: dict[tuple, int] = {}

    def group(*key) -> int:
        return groups.setdefault(key, len(groups))

    target_members, task_members = [], []
    for i, t in enumerate(structure.targets):
        plan_id = t["indicator__plan_id"]
        target_members.append((i, group(plan_id, "plan", None, None)))
        if t["task__area_id"] is not None:
            target_members.append((i, group(plan_id, "area", t["task__area_id"], None)))
        if t["indicator__reporting_department_id"] is not None:
            target_members.append((i, group(plan_id, "department", None, t["indicator__reporting_department_id"])))
    for i, (task_id, plan_id, area_id) in enumerate(structure.tasks):
        task_members += [(i, group(plan_id, "plan", None, None)), (i, group(plan_id, "area", area_id, None))]
        if (lead := structure.lead.get(task_id)) is not None:
            task_members.append((i, group(plan_id, "department", None, lead)))
    timeliness = {
        group(plan_id, "department", None, unit): series
        for plan_id, by_unit in on_time.items()
        for unit, series in by_unit.items()
    }
    by_target = _counts(len(groups), width, targets, target_members)
    by_task = _counts(len(groups), width, tasks, task_members)
    overdue = np.zeros((len(groups), width), dtype=np.int64)
    if task_members:
        owner, member = np.array(task_members).T
        np.add.at(overdue, member, tasks.overdue[owner].astype(np.int64))
    target_counts = _CountsAndShares(targets.names)
    task_counts = _CountsAndShares(tasks.names, overdue=True)
    no_timeliness = write.Encoded(write.encode([{}] * width))
    rows = []
    for (plan_id, scope, area_id, department_id), g in groups.items():
        by_status = by_target[g].tolist()
        task_status, late = by_task[g].tolist(), overdue[g].tolist()
        rows.append(
            (
                plan_id,
                scope,
                area_id,
                department_id,
                _joined([target_counts(counts) for counts in by_status]),
                _joined([task_counts(c, n) for c, n in zip(task_status, late, strict=True)]),
                timeliness.get(g, no_timeliness),
            )
        )
    return rows


def _joined(elements: list[str]) -> write.Encoded:
    """A JSON array of elements each already encoded."""
    return write.Encoded("[" + ",".join(elements) + "]")


def _counts(groups: int, width: int, counted: Counted, members: list[tuple[int, int]]) -> np.ndarray:
    """groups × quarters × codes: how many of each group's members had each status as of each quarter."""
    counts = np.zeros((groups, width, len(counted.names)), dtype=np.int64)
    if members:
        owner, member = np.array(members).T
        np.add.at(counts, (member[:, None], np.arange(width)[None, :], counted.codes[owner]), 1)
    return counts


class _CountsAndShares:
    """progress.maths.rollup of a quarter's counts by code ({status: {count, share}}, sorted by status, the absent
    left out), and for tasks the overdue ones; made once per distinct counts (a plan's quarters repeat them)."""

    def __init__(self, names: list[str], *, overdue: bool = False):
        self.names, self.overdue, self.made = names, overdue, {}
        self.order = sorted(range(len(names)), key=names.__getitem__)

    def __call__(self, counts: list[int], late: int = 0) -> str:
        """The counts and shares, encoded as JSON."""
        key = (*counts, late)
        made = self.made.get(key)
        if made is None:
            made = self.made[key] = write.encode(self._make(counts, late))
        return made

    def _make(self, counts: list[int], late: int) -> dict:
        made = rollup(s for k in self.order for s in [self.names[k]] * counts[k])
        if self.overdue and sum(counts):
            made["overdue"] = {"count": late, "share": late / sum(counts)}
        return made


# --- the whole fill ------------------------------------------------------------------------------------------


def fill_plans(plans: list[Plan], quarters: list[ReportingPeriod], today: dt.date) -> dict[int, int]:
    """Every target, task and rollup series of `plans`, as of every opened quarter, written where it changed.
    Returns the series written, by plan. The caller holds the plans' locks, in a transaction."""
    periods = opened(quarters, today)
    written = dict.fromkeys((p.pk for p in plans), 0)
    if not periods or not plans:
        return written
    column = {q.pk: j for j, q in enumerate(quarters)}
    wanted = [column[p.pk] for p in periods]
    first = quarter_index(periods[0].year, periods[0].quarter)
    now = timezone.now()
    structure = read_structure(plans)
    figures = read_figures(plans, structure.targets, column)
    targets, target_codes = target_series(structure.targets, figures, quarters, wanted)
    tasks, task_codes = task_series(structure, plans, quarters, wanted, today)
    on_time = timeliness_series(structure, plans, quarters, wanted, today)
    rollups = rollup_series(structure, target_codes, task_codes, on_time, len(wanted))
    positions = [quarter_index(p.year, p.quarter) - first for p in periods]
    plan_of_task = {pk: plan_id for pk, plan_id, _area in structure.tasks}
    for layout, owner, rows, plan_of in (
        (write.TARGETS, write.TARGETS.owner, targets, lambda o: structure.plan_of_target[o[0]]),
        (write.TASKS, write.TASKS.owner, tasks, lambda o: plan_of_task[o[0]]),
        (write.ROLLUPS, ("plan_id", *write.ROLLUPS.owner), rollups, lambda o: o[0]),
    ):
        rows = _spread(rows, len(owner), positions)
        for o in write.replace_changed(layout, owner, rows, first, now):
            written[plan_of(o)] += 1
    return written


def _spread(rows: list[tuple], width: int, positions: list[int]) -> list[tuple]:
    """Each series' elements (one per opened quarter) at their quarters' positions from the first, None where the
    quarters have a gap (no reporting period for a quarter): results.engine.write.fold's layout."""
    if positions[-1] == len(positions) - 1:  # no gap: the elements are the positions
        return rows
    length = positions[-1] + 1

    def spread(elements):
        if isinstance(elements, write.Encoded):  # the rollups' JSON, encoded once per count: rare enough to decode
            return write.Encoded(write.encode(spread(json.loads(elements))))
        out = [None] * length
        for position, element in zip(positions, elements, strict=True):
            out[position] = element
        return out

    return [(*row[:width], *(spread(column) for column in row[width:])) for row in rows]
