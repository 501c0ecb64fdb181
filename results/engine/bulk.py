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
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models.functions import TruncDate
from django.utils import timezone

from departments.models import Department, DepartmentKind
from indicators.models import Indicator, Target
from progress.authority import PRECEDENCE, Authority, FigureKind
from progress.maths import rollup
from progress.timeliness import DUE, Timeliness
from progress.vector import STATUSES, evaluate_grid
from targets.models import Plan, Responsibility, Task
from tasks.models import IndicatorValue, QuarterlyReport, ReportingPeriod

from ..series import quarter_index
from ..specs import target_spec
from . import inputs, write
from .compute import NO_UPDATE, _nullable
from .inputs import UPDATE_FIELDS, opened, rules_from_settings, target_rows

KINDS = list(FigureKind)  # a figure's kind as a code: its index here


def _rows(queryset) -> list[tuple]:
    """A values_list queryset's rows as the database driver returns them: no per-row work in the ORM (the task
    updates of every plan are hundreds of thousands of rows)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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
    for task_id, plan_id, area_id, department_id, role in _rows(
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
    for plan_id, department_id in _rows(
        Indicator.objects.filter(plan_id__in=ids, reporting_department__isnull=False)
        .order_by()
        .values_list("plan_id", "reporting_department_id")
    ):
        named[plan_id].add(department_id)
    # tasks.selectors.reporting_departments for every plan at once: units of the plan's jurisdiction, collective
    # entries aside, named on one of its tasks or reporting one of its indicators
    units = _rows(
        Department.objects.filter(jurisdiction_id__in={p.jurisdiction_id for p in plans})
        .exclude(kind=DepartmentKind.COLLECTIVE)
        .order_by("name")
        .values_list("pk", "jurisdiction_id")
    )
    owing = {p.pk: [pk for pk, j in units if j == p.jurisdiction_id and pk in named[p.pk]] for p in plans}
    structure = Structure(targets, list(tasks.values()), lead, owing)
    structure.plan_of_target = {t["pk"]: t["indicator__plan_id"] for t in targets}
    return structure


# --- targets -------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Each indicator's authoritative figure of each quarter (NaN: none), the kind that judged it (-1: none) and,
    where a quarter had figures of more than one kind, all of them (progress.authority: shown beside)."""

    row: dict[int, int]  # indicator -> row
    value: np.ndarray
    kind: np.ndarray
    beside: dict[tuple[int, int], dict[str, float]]


def read_figures(plans: list[Plan], targets: list[dict], column: dict[int, int]) -> Figures:
    """The figures known now (tasks.selectors.known_figures) of every plan's indicators, with the authority rule
    applied to every quarter at once (progress.authority.authoritative)."""
    authority = {t["indicator_id"]: t["indicator__authority"] for t in targets}
    row = {pk: i for i, pk in enumerate(authority)}
    q = len(column)
    present = np.full((len(KINDS), len(row), q), np.nan)
    code = {str(k): c for c, k in enumerate(KINDS)}
    rows = _rows(
        IndicatorValue.objects.filter(indicator__plan__in=plans)
        .known(None)
        .order_by()
        .values_list("indicator_id", "period_id", "kind", "value", "reached")
    )
    for indicator_id, period_id, kind, value, reached in rows:
        i = row.get(indicator_id)
        number = float(value) if value is not None else (None if reached is None else float(reached))
        if i is not None and number is not None:
            present[code[kind], i, column[period_id]] = number
    has = ~np.isnan(present)
    chosen = np.full((len(row), q), -1)
    for rule, order in PRECEDENCE.items():
        mine = np.array([Authority(a) == rule for a in authority.values()], dtype=bool)
        pick = np.full((len(row), q), -1)
        for kind in reversed(order):  # the first in precedence, where present, wins
            pick = np.where(has[code[str(kind)]], code[str(kind)], pick)
        chosen = np.where(mine[:, None], pick, chosen)
    value = np.where(chosen >= 0, np.take_along_axis(present, np.maximum(chosen, 0)[None], axis=0)[0], np.nan)
    beside = {}
    indicators = list(row)
    for i, j in zip(*np.nonzero((chosen >= 0) & (has.sum(axis=0) > 1)), strict=True):
        first = KINDS[chosen[i, j]]
        every = {str(first): float(present[chosen[i, j], i, j])}
        every.update({str(k): float(present[c, i, j]) for c, k in enumerate(KINDS) if k != first and has[c, i, j]})
        beside[(indicators[i], j)] = every
    return Figures(row, value, chosen, beside)


@dataclass
class Counted:
    """What the rollups count of a kind of series: each owner's status as a code (owner × wanted quarter) with the
    codes' names, and for tasks whether each was overdue."""

    codes: np.ndarray
    names: list[str]
    overdue: np.ndarray | None = None


def target_series(targets: list[dict], figures: Figures, quarters: list[ReportingPeriod], wanted: list[int]):
    """Every target's series, in TargetRow's columns, as of the `wanted` columns of `quarters` (all plans at once:
    results.engine.compute.evaluate_targets for a whole plan), and their statuses for the rollups."""
    if not targets:
        return [], Counted(np.zeros((0, len(wanted)), dtype=int), [str(s) for s in STATUSES])
    ends = [q.ends_on for q in quarters]
    rows = np.array([figures.row[t["indicator_id"]] for t in targets])
    values = figures.value[rows]
    specs = [target_spec(t) for t in targets]
    grid = evaluate_grid(specs, values, ends, rules_from_settings())
    w = np.array(wanted)
    # the newest quarter with a figure up to each quarter, and up to the target's date: whose kind judged them
    newest = np.maximum.accumulate(np.where(~np.isnan(values), np.arange(len(ends)), -1), axis=1)[:, w]
    judged_column = np.array(
        [np.searchsorted(ends, s.target_date, side="right") - 1 if s.target_date else -1 for s in specs]
    )
    judged_newest = np.maximum.accumulate(np.where(~np.isnan(values), np.arange(len(ends)), -1), axis=1)
    judged_at = np.take_along_axis(judged_newest, np.minimum(w[None, :], np.maximum(judged_column, 0)[:, None]), 1)
    kind_codes = figures.kind[rows]
    latest_kind = np.where(newest >= 0, np.take_along_axis(kind_codes, np.maximum(newest, 0), axis=1), -1)
    latest_kind = np.where(np.isnan(grid.latest[:, w]), -1, latest_kind)
    judged_kind = np.where(judged_at >= 0, np.take_along_axis(kind_codes, np.maximum(judged_at, 0), axis=1), -1)
    judged_kind = np.where(np.isnan(grid.judged[:, w]) | (judged_column < 0)[:, None], -1, judged_kind)
    kind_names = np.array([*(str(k) for k in KINDS), ""], dtype=object)  # -1: the last, ""

    status_names = np.array([str(s) for s in STATUSES], dtype=object)
    columns = [
        status_names[grid.status[:, w]].tolist(),
        *(_nullable(getattr(grid, n)[:, w]) for n in ("target_value", "latest", "progress", "expected", "forecast")),
        [[None if m < 0 else bool(m) for m in r] for r in grid.forecast_meets[:, w].tolist()],
        _nullable(grid.judged[:, w]),
        _nullable(grid.baseline[:, w]),
        [[None if d != d else dt.date.fromordinal(int(d)) for d in r] for r in grid.baseline_date[:, w].tolist()],
        kind_names[latest_kind].tolist(),
        _figures_beside(targets, figures, newest, latest_kind),
        kind_names[judged_kind].tolist(),
    ]
    rows = [(t["pk"], *cells) for t, *cells in zip(targets, *columns, strict=True)]
    return rows, Counted(grid.status[:, w], [str(s) for s in STATUSES])


def _figures_beside(targets, figures: Figures, newest: np.ndarray, latest_kind: np.ndarray) -> list[list[dict]]:
    """Each target's figures beside its latest value, as of each quarter: {} but where the quarter of its latest
    value had figures of more than one kind (few: the official ones)."""
    empty = [{}] * newest.shape[1]
    series = [empty] * len(targets)
    beside = {indicator for indicator, _column in figures.beside}
    for i, t in enumerate(targets):
        indicator = t["indicator_id"]
        if indicator in beside:
            series[i] = [
                figures.beside.get((indicator, j), {}) if k >= 0 else {}
                for j, k in zip(newest[i].tolist(), latest_kind[i].tolist(), strict=True)
            ]
    return series


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
    for task_id, unit, period_id, is_late, said, done in _rows(inputs.lead_updates(plans).values_list(*UPDATE_FIELDS)):
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
    for plan_id, department_id, period_id, sent_on in _rows(
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

    def spread(elements: list) -> list:
        out = [None] * length
        for position, element in zip(positions, elements, strict=True):
            out[position] = element
        return out

    return [(*row[:width], *(spread(column) for column in row[width:])) for row in rows]
