"""One recompute of one plan: its lock, its record (ComputationRun) and, for a full one, its fill state."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from targets.models import Plan

from ..fingerprints import ENGINE_VERSION
from ..models import ComputationRun, FillState
from . import bulk, compute, inputs, write
from .inputs import Scope
from .schedule import Planned


def run_scope(scope: Scope, *, today: dt.date, covered=None) -> int:
    """An approval's or a release's recompute: computed with the plan locked, and recorded once, when it ends.

    It leaves the fill state alone: it runs inside the approval job's transaction, where a row written first could
    not outlive a crash either, and one write is a round trip less on the approval's path (a full run, which runs
    outside any transaction, records itself before it starts: run_plans).
    """
    run = ComputationRun(
        kind=ComputationRun.Kind.INCREMENTAL,
        plan=scope.plan,
        covered={"plan": scope.plan.code, "periods": [str(p) for p in scope.periods], **(covered or {})},
    )
    try:
        with transaction.atomic():
            # One recompute of a plan at a time (a worker's approval and the nightly run, say). NO KEY: reports
            # and other rows referring to the plan can still be written meanwhile.
            list(Plan.objects.select_for_update(no_key=True).filter(pk=scope.plan.pk).values_list("pk"))
            written = fill(scope, today=today)
    except Exception as exc:
        run.error = repr(exc)
        run.save()
        raise
    run.rows_written = written
    run.finished_at = timezone.now()
    run.save()
    return written


def run_plans(planned: list[Planned], *, today: dt.date) -> dict[int, int]:
    """A full run's plans, all at once (engine.bulk): each recorded before it starts and marked STARTED, committed
    on their own, then locked together (in the order of their keys, as any two runs take them) and recomputed
    whole, their series written and their fill states marked DONE in one transaction. Returns the series written
    by plan.

    A full run is recorded before it starts, and marks its plans STARTED, committed on their own: it runs outside
    any transaction (the nightly job), so a crash leaves visible runs with no end and plans the next full run
    recomputes in full (results.models.FillState). The plans are marked DONE in the transaction of their writes, so
    they are DONE exactly when those are committed.

    A plan the schedule recomputes from a later quarter (only its reports changed) is recomputed whole too, which
    costs the set-based fill nothing: its earlier quarters come out as stored, since their inputs did not change,
    and only the series that changed are written. Its record keeps the quarters the schedule found changed.
    """
    if not planned:
        return {}
    runs = [
        ComputationRun(
            kind=ComputationRun.Kind.FULL,
            plan=entry.plan,
            inputs=entry.inputs.digest,
            covered={
                "plan": entry.plan.code,
                "periods": [str(p) for p in entry.scope.periods],
                **entry.inputs.recorded(),
            },
        )
        for entry in planned
    ]
    ComputationRun.objects.bulk_create(runs)
    set_fill_states(runs, FillState.State.STARTED)
    plans = [entry.plan for entry in planned]
    try:
        with transaction.atomic():
            pks = sorted(p.pk for p in plans)
            list(Plan.objects.select_for_update(no_key=True).filter(pk__in=pks).order_by("pk").values_list("pk"))
            written = bulk.fill_plans(plans, planned[0].scope.quarters, today)
            set_fill_states(runs, FillState.State.DONE)
    except Exception as exc:
        for run in runs:
            run.error = repr(exc)
        ComputationRun.objects.bulk_update(runs, ["error"])
        raise
    finished = timezone.now()
    for run in runs:
        run.rows_written, run.finished_at = written[run.plan_id], finished
    ComputationRun.objects.bulk_update(runs, ["rows_written", "finished_at"])
    return written


def fill(scope: Scope, *, today: dt.date) -> int:
    """Read, compute and write the scope's targets, tasks and rollups; returns the rows written."""
    if not scope.periods:
        return 0
    now = timezone.now()
    shape = inputs.plan_shape(scope.plan)
    targets = compute.evaluate_targets(scope, shape)
    kept_targets, written = write.store_targets(scope, shape, targets, now)
    updates = inputs.approved_updates(scope, shape, inputs.tasks_in(scope, shape))
    tasks = compute.task_rows(scope, shape, updates, today)
    kept_tasks, task_written = write.store_tasks(scope, shape, tasks, now)
    groups = compute.Groups(scope, shape)
    owing, sent = inputs.reports_sent(scope.plan, groups.departments)
    on_time = compute.timeliness_by_department(owing, sent, scope.periods, scope.quarters, today)
    target_statuses = {**kept_targets, **{key: row.status for key, row in targets.items()}}
    task_statuses = {**kept_tasks, **{key: (row.status, row.overdue) for key, row in tasks.items()}}
    rollups = compute.rollup_rows(scope, groups, target_statuses, task_statuses, on_time)
    return written + task_written + write.store_rollups(scope, groups, rollups, now)


def set_fill_states(runs: list[ComputationRun], state: str) -> None:
    """One statement, an upsert: a plan's first run creates its row, and two first runs cannot both insert one."""
    now = timezone.now()
    rows = [
        FillState(plan_id=r.plan_id, state=state, run=r, engine_version=ENGINE_VERSION, changed_at=now) for r in runs
    ]
    FillState.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["plan"],
        update_fields=["state", "run", "engine_version", "changed_at"],
    )
