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
from django.utils import timezone

from departments.models import Department, DepartmentKind
from indicators.models import Indicator, Target
from progress.authority import PRECEDENCE, Authority, FigureKind
from progress.maths import rollup
from progress.timeliness import DUE, Timeliness
from progress.vector import STATUSES, evaluate_grid
from targets.models import Plan, Responsibility, Task
from tasks.models import IndicatorValue, QuarterlyReport, ReportingPeriod, ReportStatus, TaskUpdate

from ..series import quarter_index
from ..specs import target_spec
from . import write
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
    tasks: list[tuple[int, int, int]]  # (task, plan, area)
    lead: dict[int, int]  # task -> leading unit
    names: dict[int, str]  # unit -> name, for the co-departments' updates
    owing: dict[int, list[int]]  # plan -> units that owe it reports
    plan_of_target: dict[int, int] = field(default_factory=dict)


def read_structure(plans: list[Plan]) -> Structure:
    ids = [p.pk for p in plans]
    targets = target_rows(Target.objects.filter(indicator__plan_id__in=ids).order_by("pk"), "indicator__plan_id")
    tasks, lead, names, named = {}, {}, {}, defaultdict(set)
    for task_id, plan_id, area_id, department_id, role, name in _rows(
        Task.objects.filter(area__plan_id__in=ids)
        .order_by("pk")
        .values_list(
            "pk",
            "area__plan_id",
            "area_id",
            "responsibilities__department_id",
            "responsibilities__role",
            "responsibilities__department__name",
        )
    ):
        tasks[task_id] = (task_id, plan_id, area_id)
        if department_id is None:
            continue
        names[department_id] = name
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
    structure = Structure(targets, list(tasks.values()), lead, names, owing)
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


def target_series(targets: list[dict], figures: Figures, quarters: list[ReportingPeriod], wanted: list[int]) -> list:
    """Every target's series, in TargetRow's columns, as of the `wanted` columns of `quarters` (all plans at once:
    results.engine.compute.evaluate_targets for a whole plan)."""
    if not targets:
        return []
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
    return [(t["pk"], *cells) for t, *cells in zip(targets, *columns, strict=True)]


def _figures_beside(targets, figures: Figures, newest: np.ndarray, latest_kind: np.ndarray) -> list[list[dict]]:
    if not figures.beside:
        return [[{} for _ in range(newest.shape[1])] for _ in targets]
    series = []
    for i, t in enumerate(targets):
        indicator = t["indicator_id"]
        series.append(
            [
                figures.beside.get((indicator, j), {}) if k >= 0 else {}
                for j, k in zip(newest[i].tolist(), latest_kind[i].tolist(), strict=True)
            ]
        )
    return series


# --- tasks ---------------------------------------------------------------------------------------------------


def task_series(structure: Structure, plans: list[Plan], quarters: list[ReportingPeriod], wanted, today) -> list:
    """Every task's series (TaskRow's columns): the lead's latest status and percent carried forward with numpy,
    overdue where a due quarter had no timely update of the lead's, and the co-departments' latest updates, built
    again only in the quarters where one of them reported (results.engine.compute.task_rows for a whole plan)."""
    tasks = structure.tasks
    if not tasks:
        return []
    row = {pk: i for i, (pk, _plan, _area) in enumerate(tasks)}
    column = {q.pk: j for j, q in enumerate(quarters)}
    label = [f"{q.year}Q{q.quarter}" for q in quarters]
    n, q = len(tasks), len(quarters)
    statuses: dict[str, int] = {NO_UPDATE: 0}
    here = np.zeros((n, q), dtype=bool)
    status = np.zeros((n, q), dtype=np.int64)
    percent = np.full((n, q), -1, dtype=np.int64)
    late = np.zeros((n, q), dtype=bool)
    co: dict[int, list] = defaultdict(list)  # task -> (column, unit, status, percent) of the co-departments
    lead = structure.lead
    updates = TaskUpdate.objects.filter(report__plan__in=plans, report__status=ReportStatus.APPROVED).order_by()
    ti, tj, ts, tp, tl = [], [], [], [], []
    for task_id, department_id, period_id, is_late, said, done in _rows(updates.values_list(*UPDATE_FIELDS)):
        i = row.get(task_id)
        if i is None:
            continue
        if department_id == lead.get(task_id):
            ti.append(i)
            tj.append(column[period_id])
            ts.append(statuses.setdefault(said or NO_UPDATE, len(statuses)))
            tp.append(-1 if done is None else done)
            tl.append(bool(is_late))
        else:
            co[task_id].append((column[period_id], department_id, said, done))
    here[ti, tj] = True
    status[ti, tj] = ts
    percent[ti, tj] = tp
    late[ti, tj] = tl
    last = np.maximum.accumulate(np.where(here, np.arange(q), -1), axis=1)
    at = np.maximum(last, 0)
    seen = last >= 0
    w = np.array(wanted)
    names = np.array(list(statuses), dtype=object)
    status_out = names[np.where(seen, np.take_along_axis(status, at, axis=1), 0)[:, w]].tolist()
    percent_now = np.where(seen, np.take_along_axis(percent, at, axis=1), -1)[:, w]
    percent_out = [[None if p < 0 else p for p in r] for r in percent_now.tolist()]
    due = np.array([quarter.is_overdue(today) for quarter in quarters])
    at_this = last == np.arange(q)
    overdue = (due[None, :] & (~at_this | np.take_along_axis(late, at, axis=1)))[:, w].tolist()
    names_of = structure.names
    co_out = [_co_departments(co.get(pk, ()), wanted, names_of, label) for pk, _plan, _area in tasks]
    return [
        (pk, *cells) for (pk, _plan, _area), *cells in zip(tasks, status_out, percent_out, overdue, co_out, strict=True)
    ]


def _co_departments(updates, wanted: list[int], names: dict[int, str], label: list[str]) -> list[list[dict]]:
    """As of each wanted column, each co-department's latest update (sorted by the unit's name): one list, shared
    by the quarters until another co-department's update comes."""
    by_column = defaultdict(list)
    for update in updates:
        by_column[update[0]].append(update)
    latest: dict[int, tuple] = {}
    series, current, stale, start = [], [], True, 0
    for j in wanted:
        for c in range(start, j + 1):
            for update in by_column.get(c, ()):
                latest[update[1]] = update
                stale = True
        start = j + 1
        if stale:
            current = [
                {"department": names.get(dept, ""), "status": said, "percent": done, "period": label[c]}
                for dept, (c, _dept, said, done) in sorted(latest.items(), key=lambda item: names.get(item[0], ""))
            ]
            stale = False
        series.append(current)
    return series


# --- timeliness and rollups ----------------------------------------------------------------------------------


def timeliness_series(structure: Structure, plans: list[Plan], quarters, wanted, today) -> dict[int, dict[int, list]]:
    """Per plan and owing unit, as of each wanted quarter: how many due quarters so far it reported on time, late,
    or not at all (results.engine.compute.timeliness_by_department; progress.timeliness's rule, as numbers)."""
    column = {q.pk: j for j, q in enumerate(quarters)}
    pairs = [(p.pk, d) for p in plans for d in structure.owing[p.pk]]
    if not pairs:
        return {}
    row = {pair: i for i, pair in enumerate(pairs)}
    sent = np.full((len(pairs), len(quarters)), np.nan)
    for plan_id, department_id, period_id, submitted_at in _rows(
        QuarterlyReport.objects.filter(plan__in=plans, submitted_at__isnull=False)
        .order_by()
        .values_list("plan_id", "department_id", "period_id", "submitted_at")
    ):
        i = row.get((plan_id, department_id))
        if i is not None:
            sent[i, column[period_id]] = timezone.localdate(_aware(submitted_at)).toordinal()
    due_on = np.array([float(q.due_on.toordinal()) for q in quarters])
    due = np.array([q.is_overdue(today) for q in quarters])
    arrived = sent <= today.toordinal()  # NaN compares False: not sent
    states = {
        Timeliness.ON_TIME: arrived & (sent <= due_on),
        Timeliness.LATE: arrived & (sent > due_on),
        Timeliness.MISSING: ~arrived,  # a due quarter not sent by today (today is past its due date)
    }
    w = np.array(wanted)
    counts = {str(s): np.cumsum(states[s] & due, axis=1)[:, w].tolist() for s in DUE}
    out: dict[int, dict[int, list]] = defaultdict(dict)
    for (plan_id, department_id), i in row.items():
        out[plan_id][department_id] = [{s: counts[s][i][k] for s in counts} for k in range(len(wanted))]
    return out


def _aware(value):
    """A timestamp from a raw query: SQLite returns text, PostgreSQL an aware datetime."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def rollup_series(structure: Structure, plans, targets: list, tasks: list, on_time, width: int) -> list:
    """Every group's series (plan, area, unit; RollupRow's columns): counts by status as of each quarter, from the
    targets' and tasks' series (results.engine.compute.rollup_rows for a whole plan)."""
    groups: dict[tuple, dict] = {}

    def group(plan_id, scope, area_id, department_id) -> dict:
        key = (plan_id, scope, area_id, department_id)
        if key not in groups:
            groups[key] = {
                "targets": [[] for _ in range(width)],
                "tasks": [[] for _ in range(width)],
                "overdue": [0] * width,
                "timeliness": [{}] * width,
            }
        return groups[key]

    meta = {t["pk"]: t for t in structure.targets}
    for target_id, status, *_ in targets:
        t = meta[target_id]
        plan_id = t["indicator__plan_id"]
        members = [group(plan_id, "plan", None, None)]
        if t["task__area_id"] is not None:
            members.append(group(plan_id, "area", t["task__area_id"], None))
        if t["indicator__reporting_department_id"] is not None:
            members.append(group(plan_id, "department", None, t["indicator__reporting_department_id"]))
        for g in members:
            for k, s in enumerate(status):
                g["targets"][k].append(s)
    plan_area = {pk: (plan_id, area_id) for pk, plan_id, area_id in structure.tasks}
    for task_id, status, _percent, overdue, _co in tasks:
        plan_id, area_id = plan_area[task_id]
        members = [group(plan_id, "plan", None, None), group(plan_id, "area", area_id, None)]
        if (lead := structure.lead.get(task_id)) is not None:
            members.append(group(plan_id, "department", None, lead))
        for g in members:
            for k, s in enumerate(status):
                g["tasks"][k].append(s)
                g["overdue"][k] += overdue[k]
    for plan_id, by_unit in on_time.items():
        for department_id, series in by_unit.items():
            group(plan_id, "department", None, department_id)["timeliness"] = series
    rows = []
    for (plan_id, scope, area_id, department_id), g in groups.items():
        target_counts = [rollup(s) for s in g["targets"]]
        task_counts = []
        for s, late in zip(g["tasks"], g["overdue"], strict=True):
            counted = rollup(s)
            if s:
                counted["overdue"] = {"count": late, "share": late / len(s)}
            task_counts.append(counted)
        rows.append((plan_id, scope, area_id, department_id, target_counts, task_counts, g["timeliness"]))
    return rows


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
    targets = target_series(structure.targets, figures, quarters, wanted)
    tasks = task_series(structure, plans, quarters, wanted, today)
    on_time = timeliness_series(structure, plans, quarters, wanted, today)
    rollups = rollup_series(structure, plans, targets, tasks, on_time, len(wanted))
    plan_of_task = {pk: plan_id for pk, plan_id, _area in structure.tasks}
    for layout, owner, rows, plan_of in (
        (write.TARGETS, write.TARGETS.owner, targets, lambda o: structure.plan_of_target[o[0]]),
        (write.TASKS, write.TASKS.owner, tasks, lambda o: plan_of_task[o[0]]),
        (write.ROLLUPS, ("plan_id", *write.ROLLUPS.owner), rollups, lambda o: o[0]),
    ):
        for o in write.replace_changed(layout, owner, rows, first, now):
            written[plan_of(o)] += 1
    return written
