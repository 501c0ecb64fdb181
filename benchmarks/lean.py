"""Prototype of issue 18's set-based engine in the lean layout, timed on benchmarks/progress.py's database.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/nc_engine_bench \\
        .venv/bin/python benchmarks/lean.py --plans 300

Not the engine: a measurement of what one would cost. Every plan at once: (1) the inputs read by COPY (approved
values and the leads' task updates) and the structure in two queries; (2) every target evaluated as of every
quarter by progress.vector.evaluate_grid, every task's lead status carried forward with numpy; (3) the rollups'
counts (plan, area, department × quarter × status) by np.add.at; (4) the rows written by COPY into the lean
tables of benchmarks/progress.py (one row per target, task or rollup group, the per-quarter series as arrays).
Timeliness and the co-departments' updates are left out (the layout reads them from reports when a page needs
them). It then checks that every target's status, latest value and progress and every task's status agree with
the result rows results.services stored (run benchmarks/progress.py first), and prints the median of --repeat
runs with its range and its ratio to the COPY read of all inputs.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
sys.path.insert(0, str(ROOT))


def load_progress_benchmark():
    spec = importlib.util.spec_from_file_location("bench_progress", ROOT / "benchmarks" / "progress.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


VALUES_COPY = (
    "COPY (SELECT v.indicator_id, r.period_id, v.value, v.reached FROM tasks_indicatorvalue v "
    "JOIN tasks_quarterlyreport r ON r.id = v.report_id WHERE r.status = 'approved') TO STDOUT"
)
LEAD_UPDATES_COPY = (
    "COPY (SELECT u.task_id, r.period_id, r.is_late, u.status, u.percent_complete FROM tasks_taskupdate u "
    "JOIN tasks_quarterlyreport r ON r.id = u.report_id "
    "JOIN targets_responsibility l ON l.task_id = u.task_id AND l.department_id = r.department_id AND l.role = 'lead' "
    "WHERE r.status = 'approved') TO STDOUT"
)


def copy_frame(cursor, statement: str, names: list[str]):
    import pandas as pd

    buffer = io.BytesIO()
    cursor.cursor.copy_expert(statement, buffer)
    buffer.seek(0)
    return pd.read_csv(buffer, sep="\t", header=None, names=names, na_values=["\\N"], keep_default_na=False)


def read_inputs(today):
    """The structure (targets with their specs, tasks with their leads) and the approved inputs, every plan."""
    from django.db import connection

    from indicators.models import PERIOD_END_YEAR, Period, Target
    from targets.models import Responsibility, Task
    from tasks.models import ReportingPeriod

    quarters = [q for q in ReportingPeriod.objects.chronological() if q.opens_on <= today]
    targets = list(
        Target.objects.order_by("pk").values(
            "pk",
            "indicator_id",
            "indicator__plan_id",
            "comparator",
            "value",
            "baseline_year",
            "period",
            "indicator__direction",
            "indicator__baseline_value",
            "indicator__baseline_year",
            "task__area_id",
            "indicator__reporting_department_id",
        )
    )
    for row in targets:
        row["target_year"] = PERIOD_END_YEAR[Period(row["period"])]
    tasks = list(Task.objects.order_by("pk").values_list("pk", "area__plan_id", "area_id"))
    leads = dict(Responsibility.objects.filter(role=Responsibility.Role.LEAD).values_list("task_id", "department_id"))
    with connection.cursor() as cursor:
        values = copy_frame(cursor, VALUES_COPY, ["indicator", "period", "value", "reached"])
        updates = copy_frame(cursor, LEAD_UPDATES_COPY, ["task", "period", "late", "status", "percent"])
    return quarters, targets, tasks, leads, values, updates


def compute(quarters, targets, tasks, leads, values, updates, today):
    import numpy as np

    from progress.vector import evaluate_grid
    from results.engine.inputs import rules_from_settings
    from results.specs import target_spec

    q = len(quarters)
    column = {p.pk: j for j, p in enumerate(quarters)}
    # targets: their indicators' values on the grid of quarters
    indicator_ids = sorted({t["indicator_id"] for t in targets})
    row_of = {pk: i for i, pk in enumerate(indicator_ids)}
    grid = np.full((len(indicator_ids), q), np.nan)
    values = values[values["period"].isin(column.keys())]
    point = values["value"].where(values["value"].notna(), values["reached"].map({"t": 1.0, "f": 0.0}))
    grid[values["indicator"].map(row_of).to_numpy(), values["period"].map(column).to_numpy()] = point.to_numpy()
    rows = np.array([row_of[t["indicator_id"]] for t in targets], dtype=int)
    specs = [target_spec(t) for t in targets]
    result = evaluate_grid(specs, grid[rows], [p.ends_on for p in quarters], rules_from_settings())

    # tasks: the lead's latest status and percent as of each quarter; overdue when due and not sent on time
    task_ids = [pk for pk, _, _ in tasks]
    task_row = {pk: i for i, pk in enumerate(task_ids)}
    status_names = sorted(set(updates["status"].dropna()) | {"no_update"})
    status_code = {s: i for i, s in enumerate(status_names)}
    n = len(task_ids)
    here = np.zeros((n, q), dtype=bool)
    code = np.full((n, q), status_code["no_update"], dtype=np.int16)
    percent = np.full((n, q), -1, dtype=np.int16)
    late = np.zeros((n, q), dtype=bool)
    updates = updates[updates["period"].isin(column.keys())]
    ti, qj = updates["task"].map(task_row).to_numpy(), updates["period"].map(column).to_numpy()
    here[ti, qj] = True
    code[ti, qj] = updates["status"].replace("", "no_update").fillna("no_update").map(status_code).to_numpy()
    percent[ti, qj] = updates["percent"].fillna(-1).to_numpy()
    late[ti, qj] = updates["late"].eq("t").to_numpy()
    last = np.maximum.accumulate(np.where(here, np.arange(q), -1), axis=1)
    seen = last >= 0
    task_status = np.where(seen, np.take_along_axis(code, np.maximum(last, 0), axis=1), status_code["no_update"])
    task_percent = np.where(seen, np.take_along_axis(percent, np.maximum(last, 0), axis=1), -1)
    due = np.array([p.due_on < today for p in quarters])
    overdue = due & (~here | late)

    # rollups: counts by (group, quarter, status); groups are plans, areas and departments
    groups: dict[tuple, int] = {}

    def group(*key) -> int:
        return groups.setdefault(key, len(groups))

    target_groups = [
        [group("plan", t["indicator__plan_id"])]
        + ([group("area", t["task__area_id"])] if t["task__area_id"] else [])
        + (
            [group("department", t["indicator__reporting_department_id"])]
            if t["indicator__reporting_department_id"]
            else []
        )
        for t in targets
    ]
    task_groups = [
        [group("plan", plan), group("area", area)] + ([group("department", leads[pk])] if pk in leads else [])
        for pk, plan, area in tasks
    ]
    width = 7 + len(status_names) + 1  # target statuses, task statuses, overdue
    counts = np.zeros((len(groups), q, width), dtype=np.int32)
    quarter_index = np.arange(q)
    for members, statuses in ((target_groups, result.status), (task_groups, 7 + task_status)):
        gi = np.array([g for m in members for g in m])
        owner = np.array([i for i, m in enumerate(members) for _ in m])
        np.add.at(counts, (gi[:, None], quarter_index[None, :], statuses[owner]), 1)
    gi = np.array([g for m in task_groups for g in m])
    owner = np.array([i for i, m in enumerate(task_groups) for _ in m])
    np.add.at(counts, (gi[:, None], quarter_index[None, :], width - 1), overdue[owner].astype(np.int32))
    return result, (task_ids, task_status, task_percent, overdue, status_names), (groups, counts)


def _arrays(matrix, kind: str) -> list[str]:
    """Each row of `matrix` as a PostgreSQL array literal for COPY's text format, the numbers formatted by numpy
    (shortest round-trip text, as repr) rather than one Python call per element."""
    import numpy as np

    matrix = np.asarray(matrix)
    if kind == "float":
        text = np.where(np.isnan(matrix), "NULL", matrix.astype(str))
    elif kind == "bool":
        text = np.where(matrix < 0, "NULL", np.where(matrix > 0, "t", "f"))
    else:
        text = matrix.astype(np.int64).astype(str)
    return ["{" + ",".join(row) + "}" for row in text.tolist()]


def write(targets, result, tasks_out, rollups, first_period, now) -> int:
    from django.db import connection, transaction

    task_ids, task_status, task_percent, overdue, _ = tasks_out
    groups, counts = rollups
    stamp = now.isoformat()
    head = [f"{t['pk']}\t{first_period}" for t in targets]
    columns_of_targets = [
        _arrays(result.status, "int"),
        *(
            _arrays(getattr(result, name), "float")
            for name in ("target_value", "latest", "progress", "expected", "forecast")
        ),
        _arrays(result.forecast_meets, "bool"),
    ]
    target_lines = ["\t".join((*cells, stamp)) for cells in zip(head, *columns_of_targets, strict=True)]
    task_head = [f"{pk}\t{first_period}" for pk in task_ids]
    task_columns = [_arrays(task_status, "int"), _arrays(task_percent, "int"), _arrays(overdue.astype(int), "bool")]
    task_lines = ["\t".join((*cells, stamp)) for cells in zip(task_head, *task_columns, strict=True)]
    scope_code = {"plan": 1, "area": 2, "department": 3}
    plan_of_area, plan_of_department = _owners()
    rollup_lines = []
    flat = _arrays(counts.reshape(len(groups), -1), "int")
    for (scope, pk), g in groups.items():
        plan = pk if scope == "plan" else plan_of_area[pk] if scope == "area" else plan_of_department[pk]
        area = str(pk) if scope == "area" else "\\N"
        department = str(pk) if scope == "department" else "\\N"
        row = (str(plan), str(scope_code[scope]), area, department, str(first_period))
        rollup_lines.append("\t".join((*row, flat[g], stamp)))
    columns = {
        "floor_lean_target": "(target_id, first_period_id, status, target_value, latest_value, progress, expected, "
        "forecast, forecast_meets, computed_at)",
        "floor_lean_task": "(task_id, first_period_id, status, percent_complete, overdue, computed_at)",
        "floor_lean_rollup": "(plan_id, scope, area_id, department_id, first_period_id, counts, computed_at)",
    }
    with transaction.atomic(), connection.cursor() as cursor:
        for table, lines in zip(columns, (target_lines, task_lines, rollup_lines), strict=True):
            data = io.StringIO("\n".join(lines) + "\n")
            cursor.cursor.copy_expert(f"COPY {table} {columns[table]} FROM STDIN", data)
    return len(target_lines) + len(task_lines) + len(rollup_lines)


_OWNERS: dict = {}


def _owners():
    """Which plan each area and department belongs to (read once, with the structure; cached across runs)."""
    if not _OWNERS:
        from departments.models import Department
        from targets.models import Area, Plan

        _OWNERS["area"] = dict(Area.objects.values_list("pk", "plan_id"))
        plan_of = dict(Plan.objects.values_list("jurisdiction_id", "pk"))
        _OWNERS["department"] = {pk: plan_of.get(j) for pk, j in Department.objects.values_list("pk", "jurisdiction")}
    return _OWNERS["area"], _OWNERS["department"]


def check(quarters, targets, result, tasks_out) -> dict[str, int]:
    """Every target's status, latest value and progress and every task's status against the stored result rows."""
    import numpy as np
    from django.db import connection

    from progress.vector import STATUSES

    column = {p.pk: j for j, p in enumerate(quarters)}
    target_row = {t["pk"]: i for i, t in enumerate(targets)}
    task_ids, task_status, _, overdue, status_names = tasks_out
    task_row = {pk: i for i, pk in enumerate(task_ids)}
    wrong = {"target status": 0, "target latest": 0, "target progress": 0, "task status": 0, "task overdue": 0}
    with connection.cursor() as cursor:
        cursor.execute("SELECT target_id, period_id, status, latest_value, progress FROM results_targetresult")
        stored = cursor.fetchall()
        for target_id, period_id, status, latest, progress in stored:
            i, j = target_row[target_id], column[period_id]
            wrong["target status"] += str(STATUSES[result.status[i, j]]) != status
            for name, mine, theirs in (
                ("latest", result.latest[i, j], latest),
                ("progress", result.progress[i, j], progress),
            ):
                same = np.isnan(mine) if theirs is None else np.isclose(mine, theirs, rtol=1e-9, atol=1e-12)
                wrong[f"target {name}"] += not same
        cursor.execute("SELECT task_id, period_id, status, overdue FROM results_taskresult")
        tasks_stored = cursor.fetchall()
        for task_id, period_id, status, late in tasks_stored:
            i, j = task_row[task_id], column[period_id]
            wrong["task status"] += status_names[task_status[i, j]] != status
            wrong["task overdue"] += bool(overdue[i, j]) != late
    wrong["checked"] = len(stored) + len(tasks_stored)
    return wrong


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, required=True, help="the number of plans the database holds")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    bench = load_progress_benchmark()
    url = os.environ.get("BENCH_DATABASE_URL", bench.DEFAULT_URL)
    if bench.prepare_database(url, reuse=True):
        sys.exit("the database was missing: run benchmarks/progress.py first (this prototype reads its results)")
    bench.configure_django(url)
    from django.utils import timezone

    from targets.models import Plan

    assert Plan.objects.count() == args.plans, "the database holds another number of plans"
    today = bench.AS_OF
    bench.lean_tables(create=True)  # the lean tables, empty (and src_ copies of the stored results, unused here)
    bench.plain_read_copy()
    copy_s, _ = bench.repeat(bench.plain_read_copy, times=args.repeat)
    stages = {"read": [], "compute": [], "write": [], "total": []}
    for _ in range(args.repeat):
        bench.truncate_lean()
        t0 = time.perf_counter()
        inputs = read_inputs(today)
        t1 = time.perf_counter()
        result, tasks_out, rollups = compute(*inputs, today)
        t2 = time.perf_counter()
        written = write(inputs[1], result, tasks_out, rollups, inputs[0][0].pk, timezone.now())
        t3 = time.perf_counter()
        for name, took in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t3 - t0), strict=True):
            stages[name].append(took)
    wrong = check(inputs[0], inputs[1], result, tasks_out)
    bench.lean_tables(create=False)
    copy = statistics.median(copy_s)
    print()
    print(f"N = {args.plans} plans, lean-layout prototype (benchmarks/lean.py), {written:,} rows written")
    print(f"  load average (1, 5, 15 min): {bench.fmt_load(os.getloadavg())}")
    print(f"  {'stage':<44} {'median (range, n)':>40}  {'/ (a*)':>18}")
    rows = [("(a*) every input by COPY", copy_s)] + [(f"lean {name}", seconds) for name, seconds in stages.items()]
    for label, seconds in rows:
        print(f"  {label:<44} {bench.summary(seconds):>40}  {bench.ratio(seconds, copy):>18}")
    print("  agreement with the stored results: " + ", ".join(f"{k} {v:,}" for k, v in wrong.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
