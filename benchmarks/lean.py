"""Prototype of issue 18's set-based engine, timed on benchmarks/progress.py's database, writing the real layout.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/ninghe_bench300 \\
        .venv/bin/python benchmarks/lean.py --plans 300

Not the engine: a measurement of what one would cost. Every plan at once: (1) the inputs read by COPY (approved
values and the leads' task updates) and the structure in two queries; (2) every target evaluated as of every
quarter by progress.vector.evaluate_grid, every task's lead status carried forward with numpy; (3) the rollups'
counts (plan, area, department × quarter × status) by np.add.at, made into the JSON the engine stores (counts and
shares by status); (4) every series row written by COPY, in one transaction, into scratch copies of the real
series tables (results.series; CREATE TABLE … (LIKE results_targetseries INCLUDING ALL) and the foreign keys,
deferred): the same columns and types (text[], float8[], smallint[], boolean[], jsonb), keys and indexes.

What it does not compute (judged values, baselines, the kinds of the figures and the figures beside, the
co-departments' updates, the units' timeliness; official figures are not read) it copies from the stored series,
read once untimed, so that the rows it writes are the real rows, whole: the write is the real write's cost, the
computing is the part stated. It then checks every target's status, latest value and progress and every task's
status and overdue flag against the per-quarter views (results_targetresult, results_taskresult), and compares
every series it wrote, column by computed column, with the one the engine stored (run benchmarks/progress.py
first), and prints the median of --repeat runs (at least three) with its range and its ratio to the COPY read of
all inputs.
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

    from indicators.models import Target
    from results.engine.inputs import target_rows
    from targets.models import Responsibility, Task
    from tasks.models import ReportingPeriod

    quarters = [q for q in ReportingPeriod.objects.chronological() if q.opens_on <= today]
    targets = target_rows(Target.objects.order_by("pk"), "indicator__plan_id")
    tasks = list(Task.objects.order_by("pk").values_list("pk", "area__plan_id", "area_id"))
    leads = dict(Responsibility.objects.filter(role=Responsibility.Role.LEAD).values_list("task_id", "department_id"))
    with connection.cursor() as cursor:
        values = copy_frame(cursor, VALUES_COPY, ["indicator", "period", "value", "reached"])
        updates = copy_frame(cursor, LEAD_UPDATES_COPY, ["task", "period", "late", "status", "percent"])
    return quarters, targets, tasks, leads, values, updates


def compute(quarters, targets, tasks, leads, values, updates, today):
    import numpy as np

    from progress.vector import STATUSES, evaluate_grid
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
    nt = len(STATUSES)
    width = nt + len(status_names) + 1  # target statuses, task statuses, overdue
    counts = np.zeros((len(groups), q, width), dtype=np.int32)
    quarter_index = np.arange(q)
    for members, statuses in ((target_groups, result.status), (task_groups, nt + task_status)):
        gi = np.array([g for m in members for g in m])
        owner = np.array([i for i, m in enumerate(members) for _ in m])
        np.add.at(counts, (gi[:, None], quarter_index[None, :], statuses[owner]), 1)
    gi = np.array([g for m in task_groups for g in m])
    owner = np.array([i for i, m in enumerate(task_groups) for _ in m])
    np.add.at(counts, (gi[:, None], quarter_index[None, :], width - 1), overdue[owner].astype(np.int32))
    return result, (task_ids, task_status, task_percent, overdue, status_names), (groups, counts)


def _arrays(matrix, kind: str, names=None) -> list[str]:
    """Each row of `matrix` as a PostgreSQL array literal for COPY's text format, the numbers formatted by numpy
    (shortest round-trip text, as repr) rather than one Python call per element: "float" (NaN is NULL), "bool"
    (-1 is NULL), "int" (negative is NULL) or "text" (the codes' `names`, none needing quotes)."""
    import numpy as np

    matrix = np.asarray(matrix)
    if kind == "float":
        text = np.where(np.isnan(matrix), "NULL", matrix.astype(str))
    elif kind == "bool":
        text = np.where(matrix < 0, "NULL", np.where(matrix > 0, "t", "f"))
    elif kind == "text":
        text = np.asarray(names, dtype=object)[matrix]
    else:
        text = np.where(matrix < 0, "NULL", matrix.astype(np.int64).astype(str))
    return ["{" + ",".join(row) + "}" for row in text.tolist()]


# The real series tables (results.series) and their scratch copies, which the prototype writes: the same columns,
# types, keys, indexes and (deferred) foreign keys.
SCRATCH = {
    "results_targetseries": "scratch_targetseries",
    "results_taskseries": "scratch_taskseries",
    "results_rollupseries": "scratch_rollupseries",
}
# What the prototype computes, by table, and the columns it leaves out (copied from the stored series, untimed).
COMPUTED = {
    "results_targetseries": "target_id, first_quarter, computed_at, status, target_value, latest_value, progress, "
    "expected, forecast, forecast_meets",
    "results_taskseries": "task_id, first_quarter, computed_at, status, percent_complete, overdue",
    "results_rollupseries": "plan_id, scope, area_id, department_id, first_quarter, computed_at, targets, tasks",
}
COPIED = {
    "results_targetseries": (
        ("target_id",),
        "judged_value, baseline_value, baseline_on, latest_kind, latest_figures, judged_kind",
    ),
    "results_taskseries": (("task_id",), "co_departments"),
    "results_rollupseries": (("scope", "coalesce(area_id, department_id, plan_id)"), "timeliness"),
}


def scratch_tables(*, create: bool) -> None:
    """Empty copies of the real series tables (LIKE … INCLUDING ALL, then the foreign keys, which LIKE leaves
    out), or none: what the prototype writes into."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table, scratch in SCRATCH.items():
            cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
            if not create:
                continue
            cursor.execute(f"CREATE TABLE {scratch} (LIKE {table} INCLUDING ALL)")
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            for (definition,) in cursor.fetchall():
                cursor.execute(f"ALTER TABLE {scratch} ADD {definition}")


def truncate_scratch() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(SCRATCH.values()))


def stored_cells() -> dict[str, dict[tuple, str]]:
    """The columns the prototype does not compute, from the stored series, in COPY's text format by owner (read
    once, untimed): written beside the computed ones, so that the rows written are the real rows, whole."""
    from django.db import connection

    cells: dict[str, dict[tuple, str]] = {}
    with connection.cursor() as cursor:
        for table, (owner, columns) in COPIED.items():
            buffer = io.StringIO()
            cursor.cursor.copy_expert(f"COPY (SELECT {', '.join(owner)}, {columns} FROM {table}) TO STDOUT", buffer)
            width = len(owner)
            by_owner = {}
            for line in buffer.getvalue().splitlines():
                fields = line.split("\t", width)
                by_owner[tuple(fields[:width])] = fields[width]
            cells[table] = by_owner
    return cells


def _rollup_json(counts, names: list[str], overdue=None) -> str:
    """One group's counts by quarter and status as the JSON array the engine stores (progress.maths.rollup:
    {status: {count, share}} for the statuses present, sorted by name; the tasks' with their overdue count)."""
    import json

    order = sorted(range(len(names)), key=names.__getitem__)
    quarters = []
    for j, row in enumerate(counts):
        total = sum(row)
        counted = {names[k]: {"count": row[k], "share": row[k] / total} for k in order if row[k]}
        if overdue is not None and total:
            counted["overdue"] = {"count": overdue[j], "share": overdue[j] / total}
        quarters.append(counted)
    return json.dumps(quarters, separators=(",", ":"))


def write(quarters, targets, result, tasks_out, rollups, stored, now) -> int:
    """Every series written by COPY into the scratch copies of the real tables, in one transaction (foreign keys
    checked at COMMIT): the computed columns formatted here, the others as stored."""
    from django.db import connection, transaction

    from progress.vector import STATUSES
    from results.series import quarter_index

    task_ids, task_status, task_percent, overdue, status_names = tasks_out
    groups, counts = rollups
    first = str(quarter_index(quarters[0].year, quarters[0].quarter))
    stamp = now.isoformat()
    target_names = [str(s) for s in STATUSES]
    columns_of_targets = [
        _arrays(result.status, "text", target_names),
        *(
            _arrays(getattr(result, name), "float")
            for name in ("target_value", "latest", "progress", "expected", "forecast")
        ),
        _arrays(result.forecast_meets, "bool"),
    ]
    kept = stored["results_targetseries"]
    target_lines = [
        "\t".join((str(t["pk"]), first, stamp, *cells, kept[(str(t["pk"]),)]))
        for t, *cells in zip(targets, *columns_of_targets, strict=True)
    ]
    kept = stored["results_taskseries"]
    task_columns = [
        _arrays(task_status, "text", status_names),
        _arrays(task_percent, "int"),
        _arrays(overdue.astype(int), "bool"),
    ]
    task_lines = [
        "\t".join((str(pk), first, stamp, *cells, kept[(str(pk),)]))
        for pk, *cells in zip(task_ids, *task_columns, strict=True)
    ]
    plan_of_area, plan_of_department = _owners()
    nt = len(target_names)
    empty = _rollup_json([[0]] * len(quarters), ["-"])
    rollup_lines = []
    kept = stored["results_rollupseries"]
    every_group = {**{(s, int(pk)): None for s, pk in kept}, **groups}
    for (scope, pk), g in every_group.items():
        plan = pk if scope == "plan" else plan_of_area[pk] if scope == "area" else plan_of_department[pk]
        area = str(pk) if scope == "area" else "\\N"
        department = str(pk) if scope == "department" else "\\N"
        if g is None:  # a group the prototype does not count (a unit with only its timeliness)
            by_targets = by_tasks = empty
        else:
            rows = counts[g].tolist()
            by_targets = _rollup_json([r[:nt] for r in rows], target_names)
            by_tasks = _rollup_json([r[nt:-1] for r in rows], status_names, [r[-1] for r in rows])
        cells = (str(plan), scope, area, department, first, stamp, by_targets, by_tasks, kept[(scope, str(pk))])
        rollup_lines.append("\t".join(cells))
    with transaction.atomic(), connection.cursor() as cursor:
        for table, lines in zip(SCRATCH, (target_lines, task_lines, rollup_lines), strict=True):
            data = io.StringIO("\n".join(lines) + "\n")
            columns = f"{COMPUTED[table]}, {COPIED[table][1]}"
            cursor.cursor.copy_expert(f"COPY {SCRATCH[table]} ({columns}) FROM STDIN", data)
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


# Each table's owner, for joining a scratch series with the stored one.
OWNER = {
    "results_targetseries": ("target_id",),
    "results_taskseries": ("task_id",),
    "results_rollupseries": ("plan_id", "scope", "area_id", "department_id"),
}


FLOAT_SERIES = {"target_value", "latest_value", "progress", "expected", "forecast"}


def _differ(column: str) -> str:
    """Whether a written series differs from the stored one: exactly, but for floats beyond their last bits (as
    results.engine.rows.same has it; evaluate_grid and the engine's maths may round the last bit differently)."""
    if column not in FLOAT_SERIES:
        return f"a.{column} IS DISTINCT FROM b.{column}"
    return (
        f"cardinality(a.{column}) <> cardinality(b.{column}) OR EXISTS (SELECT 1 FROM unnest(a.{column}, "
        f"b.{column}) AS u(x, y) WHERE (x IS NULL) <> (y IS NULL) OR abs(x - y) > 1e-9 * greatest(abs(x), abs(y)) "
        "+ 1e-12)"
    )


def compare_with_stored() -> dict[str, int]:
    """The series written against the ones the engine stored, column by computed column, in PostgreSQL: the rows
    of each table without a stored twin, and per column the series that differ."""
    from django.db import connection

    differ = {}
    with connection.cursor() as cursor:
        for table, scratch in SCRATCH.items():
            owner = OWNER[table]
            on = " AND ".join(  # hashable conditions: a FULL JOIN takes no others
                f"coalesce(a.{k}, 0) = coalesce(b.{k}, 0)" if k.endswith("_id") else f"a.{k} = b.{k}" for k in owner
            )
            computed = [c.strip() for c in COMPUTED[table].split(",")]
            columns = [c for c in computed if c not in owner and c not in ("first_quarter", "computed_at")]
            name = table.removeprefix("results_")
            cursor.execute(
                "SELECT count(*) FILTER (WHERE b.id IS NULL), count(*) FILTER (WHERE a.id IS NULL), "
                + ", ".join(f"count(*) FILTER (WHERE {_differ(c)})" for c in columns)
                + f" FROM {scratch} a FULL JOIN {table} b ON {on}"
            )
            extra, missing, *counts = cursor.fetchone()
            differ[f"{name} not stored"] = extra
            differ[f"{name} not written"] = missing
            differ.update({f"{name}.{c}": n for c, n in zip(columns, counts, strict=True)})
    return differ


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, required=True, help="the number of plans the database holds")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    bench = load_progress_benchmark()
    if args.repeat < bench.MIN_RUNS:
        parser.error(f"--repeat must be at least {bench.MIN_RUNS}: a figure is a median")
    url = os.environ.get("BENCH_DATABASE_URL", bench.DEFAULT_URL)
    if bench.prepare_database(url, reuse=True):
        sys.exit("the database was missing: run benchmarks/progress.py first (this prototype reads its results)")
    bench.configure_django(url)
    from django.utils import timezone

    from targets.models import Plan

    assert Plan.objects.count() == args.plans, "the database holds another number of plans"
    today = bench.AS_OF
    scratch_tables(create=True)
    stored = stored_cells()  # untimed: the columns the prototype does not compute
    bench.plain_read_copy()
    copy_s, _ = bench.repeat(bench.plain_read_copy, times=args.repeat)
    stages = {"read": [], "compute": [], "write": [], "total": []}
    for _ in range(args.repeat):
        truncate_scratch()
        t0 = time.perf_counter()
        inputs = read_inputs(today)
        t1 = time.perf_counter()
        result, tasks_out, rollups = compute(*inputs, today)
        t2 = time.perf_counter()
        written = write(inputs[0], inputs[1], result, tasks_out, rollups, stored, timezone.now())
        t3 = time.perf_counter()
        for name, took in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t3 - t0), strict=True):
            stages[name].append(took)
    wrong = check(inputs[0], inputs[1], result, tasks_out)
    differ = compare_with_stored()
    scratch_tables(create=False)
    copy = statistics.median(copy_s)
    print()
    print(
        f"N = {args.plans} plans, set-based prototype (benchmarks/lean.py), {written:,} series rows written into "
        "copies of the real series tables"
    )
    print(f"  load average (1, 5, 15 min): {bench.fmt_load(os.getloadavg())}")
    print(f"  {'stage':<44} {'median (range, n)':>40}  {'/ (a*)':>18}")
    rows = [("(a*) every input by COPY", copy_s)] + [(f"prototype {name}", seconds) for name, seconds in stages.items()]
    for label, seconds in rows:
        print(f"  {label:<44} {bench.summary(seconds):>40}  {bench.ratio(seconds, copy):>18}")
    print("  agreement with the stored results (views): " + ", ".join(f"{k} {v:,}" for k, v in wrong.items()))
    print("  series differing from the stored ones: " + ", ".join(f"{k} {v:,}" for k, v in differ.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
