"""Benchmark of the progress recompute on PostgreSQL, with synthetic plans (a script that prints figures).

    .venv/bin/python benchmarks/progress.py --plans 16     # the districts of Tianjin
    .venv/bin/python benchmarks/progress.py --plans 300    # a province or a country

It builds its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ninghe_bench; dropped
and created again unless --reuse finds it already holding N plans), loads the official plan, clones it into N plans
(each with its own jurisdiction and units, as 16 districts would have), and writes 24 quarters (2021Q1..2026Q4) of
approved reports: a task update per task a unit leads or co-owns and a value for every indicator every quarter.
All generated rows are marked is_demo; nothing here is an official figure.

It then times, in one run: (a) a plain SELECT of the approved values the recompute reads (the queryset of
results.services.approved_series, without the maths), (a*) the cheapest read of every input of every plan, the
approved values and task updates, by COPY in two statements (the baseline of the goals), (b) the first full
recompute of every plan (result tables empty), (c) a second one forced over unchanged inputs (every plan read,
computed and compared), (d) the incremental recompute after one approval, through tasks.services.approve_report
with the job run in-process, and after an official release (one official figure recorded through
tasks.official.record_official_figures, synthetic like the reports: issued by 基准测试·区统计局), and (e) the nightly
run, which passes over plans whose inputs have not changed: with nothing changed, and after a value was corrected
in some plans without their incremental recompute (the worker down), so it has work to do (in the latest quarter:
that quarter is recomputed; in the first: every quarter is). Last, the floors of (b) and (c): the stored series
rows (results.series: one row per target, task or rollup group, its per-quarter values as arrays; the per-quarter
tables results_targetresult, results_taskresult and results_rollup are views over them) inserted into the real
series tables (keys, indexes and foreign keys), and compared with stored ones, by PostgreSQL alone, with no
computing at all. Every figure is a median of at least three runs, printed with its range.

BENCH_DATABASE_URL names the database; it is dropped and created again, so its name must contain "bench" (the
application's `ninghe_carbon` and the tests' `test_ninghe_carbon` never can be).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/ninghe_bench"
FIRST_YEAR, LAST_YEAR = 2021, 2026
# The benchmark is "as of" a day after the last quarter's due date, so all 24 quarters are evaluated
# (results.services only evaluates quarters whose reporting has opened by `today`).
AS_OF = dt.date(2027, 1, 20)
GOAL_RATIO = 2.0
GOAL_INCREMENTAL_MS = 25.0  # issue 18: the largest unit, median of 15
BENCH_PREFIX = "bench-"
SYNTHETIC_NOTE = "基准测试合成数据，非官方统计"


# --- the database ---------------------------------------------------------------------------------------------


def prepare_database(url: str, *, reuse: bool) -> bool:
    """Create the benchmark database; True if it was (re)created, False if --reuse found it."""
    import psycopg2
    from psycopg2 import sql

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:  # it is dropped and created again: never the application's or the tests' database
        sys.exit(f"refusing to use database {name!r} for the benchmark: its name must contain 'bench'")
    admin = psycopg2.connect(
        dbname="postgres",
        user=parts.username or "postgres",
        password=parts.password,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            exists = cur.fetchone() is not None
            if exists and reuse:
                return False
            if exists:
                cur.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        admin.close()


def configure_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "ninghe_carbon.settings"
    os.environ.pop("CELERY_BROKER_URL", None)  # jobs run in-process: the approval path includes its recompute
    os.environ["DEBUG"] = "false"  # no query log
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
    os.environ["DB_CONN_MAX_AGE"] = "0"

    import django

    django.setup()


# --- generating N plans ---------------------------------------------------------------------------------------


def quiet():
    return open(os.devnull, "w")  # noqa: SIM115 - handed to call_command and closed by the caller


def migrate() -> None:
    """A new database, or a reused one that may predate a migration."""
    from django.core.management import call_command

    with quiet() as out:
        call_command("migrate", verbosity=0, stdout=out)


def load_official_plan():
    from django.core.management import call_command

    from targets.models import Plan

    migrate()
    with quiet() as out:
        call_command("load_ninghe_plan", stdout=out)
    return Plan.objects.get(code="ninghe-2023")


def create_periods() -> list:
    from tasks.models import ReportingPeriod, default_window

    periods = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for quarter in range(1, 5):
            opens, due = default_window(year, quarter)
            period, _ = ReportingPeriod.objects.update_or_create(
                year=year,
                quarter=quarter,
                defaults={"opens_on": opens, "due_on": due, "is_open": (year, quarter) == (LAST_YEAR, 4)},
            )
            periods.append(period)
    return periods


def clone_plans(base, n: int) -> list:
    """N−1 copies of the official plan's structure, each with its own jurisdiction and units (bulk inserts)."""
    from departments.models import Department, Jurisdiction
    from indicators.models import Indicator, Target
    from targets.models import Area, Plan, Responsibility, Task

    departments = list(Department.objects.filter(jurisdiction=base.jurisdiction))
    areas = list(Area.objects.filter(plan=base))
    tasks = list(Task.objects.filter(area__plan=base))
    responsibilities = list(Responsibility.objects.filter(task__area__plan=base))
    indicators = list(Indicator.objects.filter(plan=base))
    targets = list(Target.objects.filter(indicator__plan=base))
    copies = range(2, n + 1)

    jurisdictions = Jurisdiction.objects.bulk_create(
        Jurisdiction(name=f"合成辖区{i:03d}", short_name=f"合成{i:03d}") for i in copies
    )
    plans = Plan.objects.bulk_create(
        Plan(
            code=f"{BENCH_PREFIX}{i:03d}",
            title=f"{base.title}（合成{i:03d}）",
            jurisdiction=j,
            issuer=base.issuer,
            issued_on=base.issued_on,
            status=base.status,
            source_text=SYNTHETIC_NOTE,
        )
        for i, j in zip(copies, jurisdictions, strict=True)
    )

    def clone(model, rows, remap):
        """Copy rows once per plan; remap(k, row) sets the foreign keys of copy k. Returns {(k, old pk): new pk}."""
        fresh, keys = [], []
        for k in range(len(plans)):
            for row in rows:
                copy = model(**{f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields})
                copy.pk = None
                remap(k, copy)
                fresh.append(copy)
                keys.append((k, row.pk))
        model.objects.bulk_create(fresh, batch_size=5000)
        return {key: obj.pk for key, obj in zip(keys, fresh, strict=True)}

    dept = clone(Department, departments, lambda k, c: setattr(c, "jurisdiction_id", jurisdictions[k].pk))
    area = clone(Area, areas, lambda k, c: setattr(c, "plan_id", plans[k].pk))
    task = clone(Task, tasks, lambda k, c: setattr(c, "area_id", area[k, c.area_id]))

    def responsibility(k, c):
        c.task_id, c.department_id = task[k, c.task_id], dept[k, c.department_id]

    def indicator_row(k, c):
        c.plan_id, c.reporting_department_id = plans[k].pk, dept[k, c.reporting_department_id]

    clone(Responsibility, responsibilities, responsibility)
    ind = clone(Indicator, indicators, indicator_row)

    def target(k, c):
        c.indicator_id = ind[k, c.indicator_id]
        c.task_id = task[k, c.task_id] if c.task_id else None

    clone(Target, targets, target)
    return plans


def generate_reports(plans, periods, *, seed: int, held_back) -> dict[str, int]:
    """24 approved quarters per (plan, reporting unit): task updates and a value for every indicator.

    Reports and values are bulk_create()d plan by plan; the task updates (the most rows: one per task a unit
    leads or co-owns, per quarter) are generated inside PostgreSQL by one INSERT ... SELECT.
    `held_back` (plan pk, department pk, period pk) stays submitted, for the approval timed later.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from indicators.models import Indicator
    from tasks.models import IndicatorValue, QuarterlyReport, ReportStatus
    from tasks.selectors import reporting_departments

    rng = random.Random(seed)
    steps = len(periods)
    step_of = {p.pk: i for i, p in enumerate(periods)}
    counts = defaultdict(int)
    for plan in plans:
        indicators = list(Indicator.objects.filter(plan=plan).prefetch_related("targets").order_by("order"))
        series = {i.pk: synthetic_series(i, steps, rng) for i in indicators}
        by_department = defaultdict(list)
        for i in indicators:
            by_department[i.reporting_department_id].append((i, i.is_milestone))
        departments = list(reporting_departments(plan).values_list("pk", flat=True))
        factor = rng.uniform(0.85, 1.15)  # each plan its own level, so the copies are not identical

        reports = []
        for dept_id in departments:
            for period in periods:
                submitted = timezone.make_aware(
                    dt.datetime.combine(period.due_on, dt.time(10)) - dt.timedelta(days=rng.randint(-2, 6))
                )
                held = (plan.pk, dept_id, period.pk) == held_back
                reports.append(
                    QuarterlyReport(
                        plan=plan,
                        department_id=dept_id,
                        period=period,
                        status=ReportStatus.SUBMITTED if held else ReportStatus.APPROVED,
                        submitted_at=submitted,
                        is_late=submitted.date() > period.due_on,
                        approved_at=None if held else submitted + dt.timedelta(days=3),
                        is_demo=True,
                    )
                )
        with transaction.atomic():
            QuarterlyReport.objects.bulk_create(reports, batch_size=5000)
            values = [
                IndicatorValue(
                    report=report,
                    period_id=report.period_id,
                    indicator=indicator,
                    valid_from=report.approved_at,
                    value=None
                    if milestone
                    else scaled(indicator, series[indicator.pk], step_of[report.period_id], factor),
                    reached=(step_of[report.period_id] >= steps - 6) if milestone else None,
                    data_source="合成数据",
                )
                for report in reports
                for indicator, milestone in by_department.get(report.department_id, ())
            ]
            IndicatorValue.objects.bulk_create(values, batch_size=5000)
        counts["reports"] += len(reports)
        counts["indicator values"] += len(values)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        cursor.execute(TASK_UPDATES_SQL, {"steps": steps, "first_year": FIRST_YEAR})
        counts["task updates"] = cursor.rowcount
    return counts


def synthetic_series(indicator, steps: int, rng: random.Random) -> tuple[list[Decimal], bool]:
    """Values for `steps` quarters, and whether a plan may scale them: the demo's path towards the target, or
    for a counted milestone (打造1个示范村) a count that reaches the goal six quarters before the end."""
    from indicators.models import NUMERIC_COMPARATORS
    from tasks.demo import demo_series

    targets = list(indicator.targets.all())
    counted = [t for t in targets if t.comparator == "milestone" and t.value is not None]
    if counted and not any(t.comparator in NUMERIC_COMPARATORS for t in targets):
        goal = float(counted[0].value)
        return [Decimal(min(goal, int(goal * (i + 1) / (steps - 6)))) for i in range(steps)], False
    return demo_series(indicator, steps, rng), True


def scaled(indicator, series: tuple[list[Decimal], bool], step: int, factor: float) -> Decimal:
    from tasks.demo import within_range

    values, scalable = series
    return within_range(indicator, float(values[step]) * factor) if scalable else values[step]


# One update per (report, task the report's unit leads or co-owns): status, and a share of the way through the plan.
TASK_UPDATES_SQL = """
INSERT INTO tasks_taskupdate
    (report_id, task_id, status, percent_complete, work_done, problems, next_steps, major_problem, carried_over)
SELECT r.id,
       resp.task_id,
       CASE WHEN random() < 0.1 THEN 'behind' ELSE 'in_progress' END,
       LEAST(100, GREATEST(0,
           (100 * ((p.year - %(first_year)s) * 4 + p.quarter) / %(steps)s) + floor(random() * 11)::int - 5)),
       '', '', '', false, false
FROM tasks_quarterlyreport r
JOIN tasks_reportingperiod p ON p.id = r.period_id
JOIN targets_responsibility resp ON resp.department_id = r.department_id
JOIN targets_task t ON t.id = resp.task_id
JOIN targets_area a ON a.id = t.area_id AND a.plan_id = r.plan_id
ORDER BY r.id, resp.task_id
"""


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def generate(n: int, seed: int) -> None:
    from tasks.models import QuarterlyReport

    t0 = time.perf_counter()
    base = load_official_plan()
    periods = create_periods()
    plans = [base, *clone_plans(base, n)]
    t1 = time.perf_counter()
    department = units(base)[0]
    held = (base.pk, department.pk, periods[-1].pk)
    counts = generate_reports(plans, periods, seed=seed, held_back=held)
    t2 = time.perf_counter()
    vacuum_analyze()
    t3 = time.perf_counter()
    assert QuarterlyReport.objects.filter(plan=base, department=department, period=periods[-1]).exists()
    print(
        f"generated {n} plans in {t3 - t0:.1f} s (structure {t1 - t0:.1f} s, reports {t2 - t1:.1f} s, "
        f"VACUUM ANALYZE {t3 - t2:.1f} s): " + ", ".join(f"{v:,} {k}" for k, v in counts.items())
    )


def units(plan):
    """The unit reporting on most (indicators + tasks), and a typical one: the median of the units reporting an
    indicator whose target has a value (so that changing it changes results).

    In the Ninghe plan: 区发展改革委 (22 indicators, 40 tasks) and a unit with a handful of each.
    """
    from django.db.models import Count, Q

    from tasks.selectors import reporting_departments

    with_values = Q(reported_indicators__targets__value__isnull=False)
    ranked = sorted(
        (
            d
            for d in reporting_departments(plan).annotate(
                ni=Count("reported_indicators", distinct=True),
                nt=Count("responsibilities", distinct=True),
                nv=Count("reported_indicators", filter=with_values, distinct=True),
            )
            if d.nv
        ),
        key=lambda d: (d.ni + d.nt, d.name),
    )
    return ranked[-1], ranked[len(ranked) // 2]


# --- measuring ------------------------------------------------------------------------------------------------


def plain_read(plans) -> int:
    """The rows results.services.approved_series reads, per plan, without maths.

    Kept as first measured, joined to the quarter and sorted by it, so that the ratios stay comparable with the
    earlier figures: approved_series itself now reads the period id and leaves the sorting to the maths.
    """
    from tasks.models import IndicatorValue, ReportStatus, quarter_order

    rows = 0
    for plan in plans:
        rows += len(
            list(
                IndicatorValue.objects.filter(report__plan=plan, report__status=ReportStatus.APPROVED)
                .values_list("indicator_id", "report__period__year", "report__period__quarter", "value", "reached")
                .order_by(*quarter_order("report__period"))
            )
        )
    return rows


def plain_read_updates(plans) -> int:
    """The approved task updates the recompute also reads (results.engine.inputs.approved_updates), without maths."""
    from results.engine.inputs import UPDATE_FIELDS
    from tasks.models import ReportStatus, TaskUpdate

    rows = 0
    for plan in plans:
        rows += len(
            list(
                TaskUpdate.objects.filter(report__plan=plan, report__status=ReportStatus.APPROVED)
                .order_by()
                .values_list(*UPDATE_FIELDS)
            )
        )
    return rows


COPY_INPUTS = (
    "COPY (SELECT v.indicator_id, r.period_id, v.value, v.reached FROM tasks_indicatorvalue v "
    "JOIN tasks_quarterlyreport r ON r.id = v.report_id WHERE r.status = 'approved') TO STDOUT",
    "COPY (SELECT u.task_id, r.department_id, r.period_id, r.is_late, u.status, u.percent_complete "
    "FROM tasks_taskupdate u JOIN tasks_quarterlyreport r ON r.id = u.report_id WHERE r.status = 'approved') "
    "TO STDOUT",
)


class Sink:
    """Where COPY writes: counts the bytes and keeps none (the cheapest reader there is)."""

    def __init__(self):
        self.size = 0

    def write(self, data) -> int:
        self.size += len(data)
        return len(data)


def plain_read_copy() -> int:
    """Every input of every plan's recompute, approved values and task updates, sent by COPY in two statements:
    the cheapest read of all inputs, the issue's baseline for the full recomputes' goals. Returns the bytes read."""
    from django.db import connection

    sink = Sink()
    with connection.cursor() as cursor:
        for statement in COPY_INPUTS:
            cursor.cursor.copy_expert(statement, sink)
    return sink.size


def clear_results() -> None:
    """Every result emptied: the series tables the engine writes (the per-quarter tables are views over them),
    the plans' fill states and runs, and the pending recomputes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE " + ", ".join(SERIES_KEYS) + ", results_fillstate, results_computationrun, "
            "results_pendingrecompute"
        )
    analyze_results()


def analyze_results(prefix: str = "") -> None:
    """Fresh planner statistics for the series tables (or their copies, `prefix` "floor_")."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(prefix + table for table in SERIES_KEYS))


# --- floors: what the result tables cost PostgreSQL whatever computes their rows --------------------------------

# The tables the engine writes (results.series: one row per target, task or rollup group, the per-quarter values
# as arrays), each with the columns naming a series' owner; results_targetresult, results_taskresult and
# results_rollup are views over them.
SERIES_KEYS = {
    "results_targetseries": ("target_id",),
    "results_taskseries": ("task_id",),
    "results_rollupseries": ("plan_id", "scope", "area_id", "department_id"),
}


MIN_RUNS = 3  # every figure printed is the median of at least this many runs, with their range
FLOOR_REPEAT = MIN_RUNS


def floor_tables(*, create: bool) -> None:
    """Plain copies of the stored series rows (no index, no key), created and analyzed, or dropped: the source of
    the floors, which write into and compare with the real series tables."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in SERIES_KEYS:
            cursor.execute(f"DROP TABLE IF EXISTS floor_{table}")
            if create:
                cursor.execute(f"CREATE TABLE floor_{table} AS SELECT * FROM {table}")
                cursor.execute(f"ANALYZE floor_{table}")


def truncate_results() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(SERIES_KEYS))


def floor_insert() -> None:
    """Every series row inserted into the real (emptied) series tables from the copies, inside PostgreSQL, with
    their primary and unique keys, indexes and foreign keys (deferred, checked at the COMMIT, which is timed): no
    computing, no sending, no comparing. A first full recompute, however its rows are computed, cannot take less.
    The last run leaves the tables holding the stored rows again."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table in SERIES_KEYS:
            cursor.execute(f"INSERT INTO {table} SELECT * FROM floor_{table}")


def floor_compare() -> None:
    """Every stored series row compared with a copy of itself, inside PostgreSQL (a hash join on its owner): a
    forced recompute, even one whose fresh rows cost nothing, must at least compare them with the stored ones."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table, key in SERIES_KEYS.items():
            _compare(cursor, table, f"floor_{table}", key)


def _compare(cursor, table: str, copy: str, key: tuple[str, ...]) -> None:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND column_name NOT IN ('id', 'computed_at')",
        [table],
    )
    columns = [c for (c,) in cursor.fetchall()]
    assert columns, f"{table}: no columns (is it a table of this database?)"
    on = " AND ".join(
        f"coalesce(a.{k}, 0) = coalesce(b.{k}, 0)" if k.endswith("_id") else f"a.{k} = b.{k}" for k in key
    )
    fields = ", ".join(f"{{0}}.{c}" for c in columns)
    cursor.execute(
        f"SELECT count(*) FROM {table} a JOIN {copy} b ON {on} "
        f"WHERE ({fields.format('a')}) IS DISTINCT FROM ({fields.format('b')})"
    )
    (different,) = cursor.fetchone()
    assert different == 0, f"{table}: {different} rows differ from their copies"


def floor_read_back() -> None:
    """Every stored series row sent to Python through the driver (arrays decoded into lists, JSON left as text):
    what comparing them in Python costs before any comparing."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in SERIES_KEYS:
            cursor.execute(f"SELECT * FROM {table}")
            cursor.fetchall()


def full_recompute(plans, force: bool = True) -> int:
    """Every plan, as the nightly job runs it; forced: whether or not its inputs changed since its last run."""
    from results.services import recompute_plans

    return recompute_plans(plans, today=AS_OF, force=force).written


AGREEMENT_PLANS = 16


def per_plan_agreement(plans) -> dict[str, int]:
    """The per-plan engine (an approval's recompute, whole plans) run over what the set-based full run wrote, in a
    transaction rolled back: the series it would change (0 when both engines compute the same)."""
    from django.db import transaction

    from results.engine.inputs import Scope, all_quarters, opened
    from results.engine.run import fill

    quarters = all_quarters()
    written = 0
    with transaction.atomic():
        for plan in plans:
            written += fill(Scope(plan=plan, quarters=quarters, periods=opened(quarters, AS_OF)), today=AS_OF)
        transaction.set_rollback(True)
    return {"plans": len(plans), "written": written}


def nightly(plans) -> int:
    return full_recompute(plans, force=False)


def change_plans(plans, count: int, seed: int, *, earliest: bool = False) -> list:
    """Correct one approved value in each of `count` plans, as a reopening and a new approval would, but without
    the incremental recompute (the worker down): the nightly run must find these plans and rewrite their rows.

    The value is the latest quarter's (the usual correction: the nightly run recomputes that quarter), or with
    `earliest` the first quarter's (the worst case: every quarter changes with it)."""
    from django.db.models import F
    from django.utils import timezone

    from tasks.models import IndicatorValue, QuarterlyReport, ReportStatus, quarter_order

    rng = random.Random(seed)
    changed = rng.sample(plans, count)
    for plan in changed:
        value = (
            IndicatorValue.objects.filter(
                report__plan=plan,
                report__status=ReportStatus.APPROVED,
                value__isnull=False,
                indicator__targets__value__isnull=False,
            )
            .select_related("indicator")
            .order_by(*quarter_order("report__period", newest_first=not earliest), "pk")
            .first()
        )
        IndicatorValue.objects.filter(pk=value.pk).update(value=within(value.indicator, value.value * Decimal("1.01")))
        QuarterlyReport.objects.filter(pk=value.report_id).update(updated_at=timezone.now(), version=F("version") + 1)
    return changed


def timed(fn, *args):
    t0 = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t0, out


def repeat(fn, *args, times: int, before=None) -> tuple[list[float], object]:
    seconds, out = [], None
    for _ in range(times):
        if before:
            before()
        took, out = timed(fn, *args)
        seconds.append(took)
    return seconds, out


def result_counts() -> tuple[dict[str, int], dict[str, int]]:
    """The series rows the engine wrote, and the per-quarter rows the views over them show."""
    from results.models import Rollup, RollupSeries, TargetResult, TargetSeries, TaskResult, TaskSeries

    series = {
        "target series": TargetSeries.objects.count(),
        "task series": TaskSeries.objects.count(),
        "rollup series": RollupSeries.objects.count(),
    }
    by_quarter = {
        "target results": TargetResult.objects.count(),
        "task results": TaskResult.objects.count(),
        "rollups": Rollup.objects.count(),
    }
    return series, by_quarter


def office_user():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from departments.roles import OFFICE_GROUP
    from tasks.roles import ensure_role_groups

    ensure_role_groups()
    user, _ = get_user_model().objects.get_or_create(
        username="bench-office", defaults={"is_staff": True, "first_name": "基准测试·区碳达峰办"}
    )
    user.groups.add(Group.objects.get(name=OFFICE_GROUP))
    return user


def incremental(base, department, times: int, seed: int) -> dict:
    """Approve the unit's last report `times` times (set back to submitted, one value changed, approved again).

    The approval runs through tasks.services.approve_report; with no broker the job runs in-process on commit,
    so the wrapped results.services.recompute_for_report is timed inside the real approval path.
    """
    from results import services
    from results.models import PendingRecompute
    from tasks.models import QuarterlyReport, ReportingPeriod
    from tasks.services import approve_report

    rng = random.Random(seed)
    last = ReportingPeriod.objects.chronological(newest_first=True).first()
    report = QuarterlyReport.objects.get(plan=base, department=department, period=last)
    office = office_user()
    inner: list[tuple[float, int]] = []
    original = services.recompute_for_report

    def recorded(report, **kwargs):
        kwargs.setdefault("today", AS_OF)
        took, written = timed(lambda: original(report, **kwargs))
        inner.append((took, written))
        return written

    numeric = numeric_value(report)
    end_to_end = []
    services.recompute_for_report = recorded
    try:
        for _ in range(times):
            fresh = resubmit(report, numeric, rng)
            took, _ = timed(lambda r=fresh: approve_report(report=r, by=office, comment="基准测试"))
            end_to_end.append(took)
        sql = logged_recompute(resubmit(report, numeric, rng), original, office)
    finally:
        services.recompute_for_report = original
    pending = PendingRecompute.objects.filter(report=report, processed_at__isnull=True).count()
    return {
        "report": f"{department.name} {last}",
        "indicators": report.indicator_values.count(),
        "tasks": report.task_updates.count(),
        "recompute": [t for t, _ in inner],
        "written": [w for _, w in inner],
        "end_to_end": end_to_end,
        "unprocessed": pending,
        "queries": len(sql),
        "sql": sql,
    }


def resubmit(report, numeric, rng):
    """The report set back to submitted with one value changed, ready to be approved again."""
    from tasks.models import IndicatorValue, QuarterlyReport, ReportStatus

    QuarterlyReport.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED, approved_at=None)
    if numeric is not None:
        value = within(numeric.indicator, numeric.value * Decimal(str(round(rng.uniform(0.97, 1.03), 3))))
        IndicatorValue.objects.filter(pk=numeric.pk).update(value=value)
    return QuarterlyReport.objects.get(pk=report.pk)


def logged_recompute(report, recompute, office) -> list[dict]:
    """One more approval, untimed, with the query log on (it slows every query): the queries of its recompute."""
    from results import services
    from tasks.services import approve_report

    services.recompute_for_report = logged = queries_of(recompute)
    try:
        approve_report(report=report, by=office, comment="基准测试")
    finally:
        services.recompute_for_report = recompute
    return logged.captured


def correction(base, department, times: int, seed: int, year: int, quarter: int) -> dict:
    """recompute_for_report after one approved value of an early quarter changed: every later quarter follows."""
    from results.services import recompute_for_report
    from tasks.models import IndicatorValue, QuarterlyReport

    rng = random.Random(seed)
    report = QuarterlyReport.objects.select_related("plan", "period").get(
        plan=base, department=department, period__year=year, period__quarter=quarter
    )
    numeric = numeric_value(report)
    seconds, written = [], []
    for _ in range(times):
        value = within(numeric.indicator, numeric.value * Decimal(str(round(rng.uniform(0.97, 1.03), 3))))
        IndicatorValue.objects.filter(pk=numeric.pk).update(value=value)
        t0 = time.perf_counter()
        rows = recompute_for_report(report, today=AS_OF)
        took = time.perf_counter() - t0
        seconds.append(took)
        written.append(rows)
    return {"report": f"{department.name} {report.period}", "recompute": seconds, "written": written}


def official_release(base, times: int, seed: int) -> dict:
    """Record the statistics bureau's final figure (统计核实) of last year's fourth quarter for one indicator, `times`
    times, each a revised version superseding the last, through tasks.official.record_official_figures.

    As with (d), no broker: the job runs in-process on commit, so the wrapped results.services.recompute_for_figures
    is timed inside the real path. It recomputes that indicator's targets from that quarter on (five quarters here).
    """
    from progress.authority import FigureKind
    from results import services
    from tasks.models import IndicatorValue, ReportingPeriod
    from tasks.official import OfficialEntry, record_official_figures

    rng = random.Random(seed)
    period = ReportingPeriod.objects.get(year=LAST_YEAR - 1, quarter=4)
    reported = (
        IndicatorValue.objects.reported()
        .known()
        .filter(report__plan=base, period=period, value__isnull=False, indicator__targets__value__isnull=False)
        .select_related("indicator")
        .order_by("indicator__order", "pk")
        .first()
    )
    indicator, office = reported.indicator, office_user()
    inner: list[tuple[float, int]] = []
    original = services.recompute_for_figures

    def recorded(plan, indicator_ids, period, **kwargs):
        kwargs.setdefault("today", AS_OF)
        took, written = timed(lambda: original(plan, indicator_ids, period, **kwargs))
        inner.append((took, written))
        return written

    def release(i: int, value: Decimal) -> None:
        entry = OfficialEntry(
            indicator, period, FigureKind.FINAL, value, "基准测试·区统计局", f"基准测试合成数据（第{i + 1}版）"
        )
        record_official_figures(entries=[entry], by=office, reason="基准测试")

    def revised(previous: Decimal | None) -> Decimal:
        value = previous
        while value == previous:  # the same figure again would write nothing (tasks.official._same)
            value = within(indicator, reported.value * Decimal(str(round(rng.uniform(0.97, 1.03), 3))))
        return value

    end_to_end, value = [], None
    services.recompute_for_figures = recorded
    try:
        for i in range(times):
            value = revised(value)
            took, _ = timed(release, i, value)
            end_to_end.append(took)
        services.recompute_for_figures = logged = queries_of(original)
        release(times, revised(value))  # one more, untimed, with the query log on
    finally:
        services.recompute_for_figures = original
    return {
        "release": f"{indicator.name} {period}",
        "targets": indicator.targets.count(),
        "recompute": [t for t, _ in inner],
        "written": [w for _, w in inner],
        "end_to_end": end_to_end,
        "queries": len(logged.captured),
    }


def queries_of(recompute):
    """`recompute` wrapped to run "as of" AS_OF with the query log on; its queries are kept in `.captured`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def logged(*args, **kwargs):
        kwargs.setdefault("today", AS_OF)
        with CaptureQueriesContext(connection) as queries:
            written = recompute(*args, **kwargs)
        logged.captured.extend(queries.captured_queries)
        return written

    logged.captured = []
    return logged


def numeric_value(report):
    """A value of the report whose indicator has a target with a value, so changing it changes results."""
    from tasks.models import IndicatorValue

    return (
        IndicatorValue.objects.filter(report=report, value__isnull=False, indicator__targets__value__isnull=False)
        .select_related("indicator")
        .order_by("pk")
        .first()
    )


def within(indicator, value: Decimal) -> Decimal:
    from tasks.demo import within_range

    return within_range(indicator, float(value))


# --- printing -------------------------------------------------------------------------------------------------


ENGINE_PATHS = ("results/services.py", "results/engine")


def revision() -> str:
    """The commit the engine (results/services.py and results/engine/) was measured at, and whether it had
    uncommitted changes."""
    import subprocess

    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return ""

    commit = git("log", "-1", "--format=%h", "--", *ENGINE_PATHS) or "?"
    dirty = git("status", "--porcelain", "--", *ENGINE_PATHS)
    return f"@ {commit}" + (" + uncommitted changes" if dirty else "")


def stage(name: str) -> None:
    """Where a long run stands, on stderr (the figures go to stdout): the stage starting, the time, the load."""
    now = dt.datetime.now(dt.UTC).strftime("%H:%M:%S UTC")
    print(f"[{now}] {name}, load average {fmt_load(os.getloadavg())}", file=sys.stderr, flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def fmt_load(load: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.2f}" for x in load)


def summary(seconds: list[float]) -> str:
    """The median with the range and the number of runs (at least three: main refuses fewer)."""
    return f"{ms(statistics.median(seconds))} (range {ms(min(seconds))}–{ms(max(seconds))}, n={len(seconds)})"


def ratio(seconds: list[float], base: float) -> str:
    """The median's ratio to a baseline (a median of the same run), with the range of the runs' ratios."""
    return f"{statistics.median(seconds) / base:.2f} ({min(seconds) / base:.2f}–{max(seconds) / base:.2f})"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, default=16, help="number of plans (default 16)")
    parser.add_argument("--reuse", action="store_true", help="reuse the database if it already holds N plans")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of the reads and idle nightly runs")
    parser.add_argument("--inc-repeat", type=int, default=15, help="approvals timed per unit in (d) (default 15)")
    parser.add_argument("--full-repeat", type=int, help="repetitions of each full recompute (default 3)")
    parser.add_argument(
        "--changed", type=int, help="plans changed before the second nightly run (default a tenth, at least 1)"
    )
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the first full recompute into FILE")
    parser.add_argument(
        "--only",
        choices=["incremental"],
        help="measure only (d), the incremental recompute, on a --reuse'd database (about a minute at N = 300)",
    )
    parser.add_argument(
        "--queries", action="store_true", help="with --only incremental: print each query of one recompute and its time"
    )
    args = parser.parse_args(argv)
    if args.plans < 1:
        parser.error("--plans must be at least 1")
    if args.full_repeat is None:
        args.full_repeat = 3
    if min(args.repeat, args.full_repeat, args.inc_repeat) < MIN_RUNS:
        parser.error(f"--repeat, --full-repeat and --inc-repeat must be at least {MIN_RUNS}: a figure is a median")
    if args.changed is None:
        args.changed = max(1, args.plans // 10)
    args.changed = min(args.changed, args.plans)

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    created = prepare_database(url, reuse=args.reuse)
    configure_django(url)

    from targets.models import Plan
    from tasks.models import IndicatorValue, ReportStatus

    if not created and Plan.objects.filter(code__startswith=BENCH_PREFIX).count() != args.plans - 1:
        print("the reused database holds another number of plans: building it again")
        from django.db import connections

        connections.close_all()
        prepare_database(url, reuse=False)
        created = True
    if created:
        stage(f"generating {args.plans} plans")
        generate(args.plans, args.seed)
    else:
        migrate()
        print(f"reusing {urlparse(url).path.lstrip('/')} with {args.plans} plans")

    plans = list(Plan.objects.order_by("pk"))
    base = Plan.objects.get(code="ninghe-2023")
    if args.only == "incremental":
        return only_incremental(base, args)
    load_before = os.getloadavg()
    stage("(a) reads")
    approved_values = IndicatorValue.objects.filter(report__status=ReportStatus.APPROVED).count()

    # (a) the plain reads, each warmed once, then --repeat runs: through the ORM plan by plan as first measured,
    # and (a*) every input of every plan (values and task updates) by COPY, the goals' baseline
    plain_read(plans)
    read_s, read_rows = repeat(plain_read, plans, times=args.repeat)
    plain_read_updates(plans)
    upd_s, upd_rows = repeat(plain_read_updates, plans, times=args.repeat)
    plain_read_copy()
    copy_s, copy_bytes = repeat(plain_read_copy, times=args.repeat)

    # (b) first full recompute (empty result tables) and (c) a second one forced (results present, nothing changed)
    stage("(b) first full recomputes")
    clear_results()
    full_recompute(plans[:1])  # warm imports and the ORM's caches on one plan, then start from empty again
    if args.profile:
        import cProfile

        clear_results()
        cProfile.runctx("full_recompute(plans)", globals(), {"plans": plans}, args.profile)
        print(f"profile of the first full recompute written to {args.profile}")
    first_s, first_written = repeat(full_recompute, plans, times=args.full_repeat, before=clear_results)
    series_counts, quarter_counts = result_counts()
    analyze_results()  # autovacuum may be off (it is here): the second run is measured with fresh statistics
    stage("(c) forced full recomputes")
    second_s, second_written = repeat(full_recompute, plans, times=args.full_repeat)
    agreement = per_plan_agreement(plans[:AGREEMENT_PLANS])

    # (e) the nightly run with nothing changed since the forced one, then with `--changed` plans changed
    stage("(e) nightly runs")
    idle_s, idle_written = repeat(nightly, plans, times=args.repeat)
    changed_s, changed_written, early_s, early_written = [], [], [], []
    for i in range(args.full_repeat):
        for earliest, times, written in ((False, changed_s, changed_written), (True, early_s, early_written)):
            change_plans(plans, args.changed, args.seed + 2 * i + earliest, earliest=earliest)
            took, rows = timed(nightly, plans)
            times.append(took)
            written.append(rows)

    stage("(d) incremental recomputes")
    inc_typical, inc_large, early, release = measure_incremental(base, args)

    # the floors, into and against the real series tables (which hold the same rows again afterwards)
    stage("floors")
    floor_tables(create=True)
    insert_s, _ = repeat(floor_insert, times=FLOOR_REPEAT, before=truncate_results)
    analyze_results()
    compare_s, _ = repeat(floor_compare, times=FLOOR_REPEAT)
    read_back_s, _ = repeat(floor_read_back, times=FLOOR_REPEAT)
    floor_tables(create=False)

    read, copy = statistics.median(read_s), statistics.median(copy_s)
    print()
    print(f"N = {args.plans} plans on PostgreSQL ({urlparse(url).path.lstrip('/')}), engine {revision()}")
    print(
        f"  load average (1, 5, 15 min) on {os.cpu_count()} CPUs: {fmt_load(load_before)} before the measurements, "
        f"{fmt_load(os.getloadavg())} after"
    )
    print(f"  approved indicator values read: {read_rows:,} (of {approved_values:,} approved in the database)")
    print(f"  approved task updates read:     {upd_rows:,}; by COPY, both: {copy_bytes / 1e6:,.1f} MB")
    print("  series rows stored: " + ", ".join(f"{v:,} {k}" for k, v in series_counts.items()))
    print("  per-quarter rows the views show: " + ", ".join(f"{v:,} {k}" for k, v in quarter_counts.items()))
    print(
        f"  series rows written: first full {first_written:,}, second full (forced) {second_written:,}, "
        f"nightly {idle_written:,} with nothing changed, {changed_written} with {args.changed} plans changed in "
        f"their latest quarter and {early_written} in their first"
    )
    print(
        f"  the per-plan engine (an approval's, results.engine.run.fill) over the set-based fill's series of "
        f"{agreement['plans']} plans: {agreement['written']:,} series it would change"
    )
    print()
    rows = [
        ("(a) plain SELECT of the approved values (ORM)", read_s),
        ("    (a) + the approved task updates (ORM)", [a + b for a, b in zip(read_s, upd_s, strict=True)]),
        ("(a*) every input by COPY (values, task updates)", copy_s),
        ("(b) first full recompute (results empty)", first_s),
        ("(c) second full recompute, forced (nothing changed)", second_s),
        ("(e) nightly full recompute, nothing changed", idle_s),
        (f"    nightly, {args.changed} of {args.plans} plans changed, latest quarter", changed_s),
        (f"    nightly, {args.changed} of {args.plans} plans changed, first quarter", early_s),
        ("floor of (b): series rows inserted into the real tables", insert_s),
        ("floor of (c): series rows compared in PostgreSQL", compare_s),
        ("    or sent to Python to be compared there", read_back_s),
    ]
    width = 52
    print(f"  {'measurement':<{width}} {'median (range, n)':>40}  {'/ (a)':>18}  {'/ (a*)':>18}")
    for label, seconds in rows:
        print(f"  {label:<{width}} {summary(seconds):>40}  {ratio(seconds, read):>18}  {ratio(seconds, copy):>18}")
    print()
    print_incremental(inc_typical, inc_large, early, release)
    print()
    print(
        f"  The floors are what the {sum(series_counts.values()):,} series rows (every target, task and rollup group, "
        f"its per-quarter values as arrays; {sum(quarter_counts.values()):,} rows in the views) cost PostgreSQL "
        "without any computing: no engine writing these tables can be faster."
    )
    print()
    goals = [
        *(
            (
                f"{label} within {GOAL_RATIO:g}x the COPY read of all inputs",
                statistics.median(seconds) / copy <= GOAL_RATIO,
            )
            for label, seconds in (
                ("first full recompute", first_s),
                ("forced full recompute", second_s),
                ("nightly, nothing changed,", idle_s),
                (f"nightly, {args.changed} plans changed in their latest quarter,", changed_s),
                (f"nightly, {args.changed} plans changed in their first quarter,", early_s),
            )
        ),
        *incremental_goals(inc_typical, inc_large, release),
    ]
    for text, met in goals:
        print(f"  goal: {text}: {'met' if met else 'NOT met'}")
    return 0


def measure_incremental(base, args) -> tuple[dict, dict, dict, dict]:
    """(d): one approval of the last quarter (the largest unit's and a typical unit's report), a correction of
    the first quarter (every later quarter follows), and one official figure recorded (an official release)."""
    largest, typical = units(base)
    inc_large = incremental(base, largest, args.inc_repeat, args.seed)
    inc_typical = incremental(base, typical, args.inc_repeat, args.seed)
    early = correction(base, largest, args.inc_repeat, args.seed, FIRST_YEAR, 1)
    release = official_release(base, args.inc_repeat, args.seed)
    return inc_typical, inc_large, early, release


def print_incremental(inc_typical: dict, inc_large: dict, early: dict, release: dict) -> None:
    for inc in (inc_typical, inc_large):
        print(
            f"  (d) {inc['report']} ({inc['indicators']} indicators, {inc['tasks']} tasks): "
            f"{summary(inc['recompute'])}, "
            f"{inc['queries']} queries, rows written {inc['written']}, pending left {inc['unprocessed']}"
        )
    print(
        f"  (d) after an official release, {release['release']} ({release['targets']} targets): "
        f"{summary(release['recompute'])}, {release['queries']} queries, rows written {release['written']}; "
        f"recording it with its recompute {summary(release['end_to_end'])}"
    )
    print(f"  correction {early['report']}: {summary(early['recompute'])}, rows written {early['written']}")


def incremental_goals(inc_typical: dict, inc_large: dict, release: dict) -> list[tuple[str, bool]]:
    return [
        (
            f"incremental recompute under {GOAL_INCREMENTAL_MS:g} ms, {label}",
            statistics.median(inc["recompute"]) * 1000 < GOAL_INCREMENTAL_MS,
        )
        for label, inc in (("typical unit", inc_typical), ("largest unit", inc_large), ("official release", release))
    ]


def only_incremental(base, args) -> int:
    """--only incremental: (d) alone, on the official plan, whose results a forced full recompute brings up to
    date first (the other plans' results are as the last full run left them: a nightly run here would recompute
    every plan after a raise of results.fingerprints.ENGINE_VERSION)."""
    full_recompute([base])
    load_before = os.getloadavg()
    inc_typical, inc_large, early, release = measure_incremental(base, args)
    print()
    print(f"N = {args.plans} plans, incremental recompute only, engine {revision()}")
    print(
        f"  load average (1, 5, 15 min) on {os.cpu_count()} CPUs: {fmt_load(load_before)} before the measurements, "
        f"{fmt_load(os.getloadavg())} after"
    )
    print_incremental(inc_typical, inc_large, early, release)
    if args.queries:
        for label, inc in (("typical", inc_typical), ("largest", inc_large)):
            print(f"\n  queries of one recompute, {label} unit:")
            for query in inc["sql"]:
                print(f"    {float(query['time']) * 1000:7.2f} ms  {query['sql'][:300]}")
    for text, met in incremental_goals(inc_typical, inc_large, release):
        print(f"  goal: {text}: {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
