"""ComputationRun pruning: a year row by row, older runs summed up by month; what the engine needs is kept."""

import datetime as dt

import pytest
from django.utils import timezone

from results import jobs, runs, services
from results.models import ComputationRun, RunSummary

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 3, 4, 0, tzinfo=dt.UTC)


def _run(plan, *, started, kind=ComputationRun.Kind.FULL, seconds=2.0, error="", finished=True, rows=10):
    return ComputationRun.objects.create(
        kind=kind,
        plan=plan,
        started_at=started,
        finished_at=started + dt.timedelta(seconds=seconds) if finished else None,
        error=error,
        rows_written=rows,
    )


def test_runs_older_than_a_year_are_summed_up_by_month_and_deleted(plan):
    old = dt.datetime(2025, 3, 10, 2, 0, tzinfo=dt.UTC)
    _run(plan, started=old, rows=5)
    _run(plan, started=old + dt.timedelta(days=1), rows=7, seconds=3.0)
    _run(plan, started=old + dt.timedelta(days=2), error="RuntimeError()", finished=False)
    _run(plan, started=old, kind=ComputationRun.Kind.INCREMENTAL, finished=False)
    latest = _run(plan, started=NOW - dt.timedelta(days=2), rows=1)
    recent_failure = _run(plan, started=NOW - dt.timedelta(days=1), error="boom", finished=False)

    assert runs.prune_runs(now=NOW) == 4

    assert set(ComputationRun.objects.values_list("pk", flat=True)) == {latest.pk, recent_failure.pk}
    full = RunSummary.objects.get(kind="full", plan=plan)
    assert (full.month, full.runs, full.failed, full.unfinished, full.rows_written) == (
        dt.date(2025, 3, 1),
        3,
        1,
        0,
        22,
    )
    assert full.seconds == pytest.approx(5.0)
    incremental = RunSummary.objects.get(kind="incremental", plan=plan)
    assert (incremental.runs, incremental.unfinished) == (1, 1)


def test_pruning_keeps_each_plans_latest_trusted_full_run_whatever_its_age(plan, period):
    services.recompute_plan(plan)
    ComputationRun.objects.update(started_at=NOW - dt.timedelta(days=800), finished_at=NOW - dt.timedelta(days=800))
    _run(plan, started=NOW - dt.timedelta(days=700), error="crashed", finished=False)  # newer, but not trusted

    assert runs.prune_runs(now=NOW) == 1

    assert services.recompute_plans([plan]).skipped == 1  # the kept run still tells the nightly run nothing changed


def test_pruning_twice_adds_to_the_months_summary(plan):
    march = dt.datetime(2025, 3, 10, 2, 0, tzinfo=dt.UTC)
    _run(plan, started=march, kind=ComputationRun.Kind.OVERDUE)
    runs.prune_runs(now=NOW)
    _run(plan, started=march + dt.timedelta(days=5), kind=ComputationRun.Kind.OVERDUE)  # e.g. restored late

    assert runs.prune_runs(now=NOW) == 1
    assert RunSummary.objects.get().runs == 2
    assert runs.prune_runs(now=NOW) == 0


def test_the_daily_job_prunes(plan):
    _run(plan, started=timezone.now() - dt.timedelta(days=400), kind=ComputationRun.Kind.INCREMENTAL)
    assert jobs.prune_computation_runs() == 1


def test_runs_of_no_plan_are_summed_up_apart(plan):
    """The overdue detection's runs belong to no plan: they get their own summary rows."""
    old = dt.datetime(2025, 6, 30, 23, 0, tzinfo=dt.UTC)
    ComputationRun.objects.create(kind=ComputationRun.Kind.OVERDUE, started_at=old, finished_at=old)
    ComputationRun.objects.create(kind=ComputationRun.Kind.OVERDUE, started_at=old, finished_at=old)
    _run(plan, started=old, kind=ComputationRun.Kind.OVERDUE)

    assert runs.prune_runs(now=NOW) == 3

    summaries = {s.plan_id: s.runs for s in RunSummary.objects.filter(kind="overdue")}
    assert summaries == {None: 2, plan.pk: 1}
    assert not ComputationRun.objects.exists()


def test_the_daily_pruning_is_scheduled_after_the_nightly_and_weekly_recomputes(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    prune = schedule["prune-computation-runs"]
    assert prune["task"] == jobs.prune_computation_runs.name
    for name in ("nightly-full-recompute", "weekly-forced-recompute"):
        assert min(schedule[name]["schedule"].hour) < min(prune["schedule"].hour)


def test_the_migration_indexes_what_the_run_lookups_filter_on():
    from django.db import connection

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, ComputationRun._meta.db_table)
    assert constraints["run_plan_finished"]["columns"] == ["plan_id", "finished_at"]
    assert constraints["run_plan_full_done"]["columns"] == ["plan_id", "id"]
    assert constraints["run_started"]["columns"] == ["started_at"]


def test_a_plans_newest_run_is_read_through_its_index(plan):
    """results.selectors.last_recompute, the overview's cache key, walks run_plan_finished (with the table scan
    ruled out, so that the few rows of a test do not make the planner prefer it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from results.selectors import last_recompute

    for day in range(5):
        _run(plan, started=NOW - dt.timedelta(days=day))
    with CaptureQueriesContext(connection) as captured:
        assert last_recompute(plan) == NOW + dt.timedelta(seconds=2)
    (query,) = captured.captured_queries
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + query["sql"])
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
        plan_text = " ".join(str(cell) for row in cursor.fetchall() for cell in row)
    assert "run_plan_finished" in plan_text
    # the index gives the order, one step down it: no sort (PostgreSQL) nor temporary b-tree (SQLite)
    assert "sort" not in plan_text.lower() and "temp b-tree" not in plan_text.lower()
