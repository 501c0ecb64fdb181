"""Compare fresh rows with the stored ones and write only the changes: two runs over the same inputs leave the same
rows, and the second writes nothing."""

from __future__ import annotations

import json
from typing import NamedTuple

from django.db import connection
from django.db.models import JSONField, Q

from ..models import Rollup, TargetResult, TaskResult
from .compute import Groups, RollupKey, TargetKey, TaskKey
from .inputs import Scope, Shape
from .rows import ROLLUP_FIELDS, TARGET_FIELDS, TASK_FIELDS, RollupRow, TargetRow, TaskRow, same

ROLLUP_KEY = ("scope", "area_id", "department_id", "period_id")
BATCH = 2000


def store_targets(scope: Scope, shape: Shape, fresh: dict[TargetKey, TargetRow], now) -> tuple[dict, int]:
    """Write the scope's target rows. Returns the stored rows of the scope's quarters that were not recomputed
    (other indicators' targets, for the rollups), and the rows written."""
    stored = TargetResult.objects.filter(target_id__in=[t["pk"] for t in shape.targets], period__in=scope.periods)
    rows = stored.order_by().values_list("pk", "target_id", "period_id", *TARGET_FIELDS)
    existing, others = _split(rows, fresh, TargetRow)
    written = _write(TargetResult, ("target_id", "period_id"), fresh, existing, TargetRow, now, upsert=True)
    return others, written


def store_tasks(scope: Scope, shape: Shape, fresh: dict[TaskKey, TaskRow], now) -> tuple[dict, int]:
    """As store_targets, for the scope's task rows."""
    stored = TaskResult.objects.filter(task_id__in=list(shape.task_area), period__in=scope.periods)
    rows = stored.order_by().values_list("pk", "task_id", "period_id", *TASK_FIELDS)
    existing, others = _split(rows, fresh, TaskRow)
    written = _write(TaskResult, ("task_id", "period_id"), fresh, existing, TaskRow, now, upsert=True)
    return others, written


def store_rollups(scope: Scope, groups: Groups, fresh: dict[RollupKey, RollupRow], now) -> int:
    """Write the rollups of the groups the scope recomputes; returns the rows written."""
    plan, period_ids = scope.plan, [p.pk for p in scope.periods]
    existing = Rollup.objects.filter(plan=plan, period_id__in=period_ids).order_by()
    if groups.wanted is not None:
        existing = existing.filter(
            Q(scope=Rollup.Scope.PLAN)
            | Q(scope=Rollup.Scope.AREA, area_id__in=groups.areas)
            | Q(scope=Rollup.Scope.DEPARTMENT, department_id__in=groups.departments)
        )
    rows = existing.values_list("pk", *ROLLUP_KEY, *ROLLUP_FIELDS)
    return _write(Rollup, ROLLUP_KEY, fresh, rows, RollupRow, now, plan_id=plan.pk)


def _split(rows, fresh: dict, row_type: type[NamedTuple]) -> tuple[list, dict]:
    """Stored (pk, owner, period, *fields) rows: those to compare with fresh ones, and the others' rows by key."""
    existing, others = [], {}
    make = row_type._make
    for row in rows:
        key = (row[1], row[2])
        if key in fresh:
            existing.append(row)
        else:
            others[key] = make(row[3:])
    return existing, others


def _write(
    model, key: tuple[str, ...], fresh: dict, existing, row_type: type[NamedTuple], now, *, upsert=False, **common
) -> int:
    """Insert missing rows and replace changed ones; `existing` rows are (pk, *key, *fields).

    The stored fields are read in the order of the row's, so a stored row equal to the fresh one as a tuple is the
    same row (most rows, on most runs); any other is named and compared field by field (rows.same).

    With `upsert` (the key is a unique constraint: target and task results) a changed row is replaced in the
    same INSERT, ON CONFLICT (only then: a plain INSERT of new rows, a first full run's 1.2 M at N = 300, avoids
    PostgreSQL's speculative insertion); otherwise (rollups, unique by three partial constraints) it is deleted
    and inserted again. Either way, not Django's bulk_update, whose CASE per field and row is slow in Python and
    in the database when a rule change touches every row. The plan is locked (see engine.run), so no other
    recompute of it sees the gap.
    """
    fields = row_type._fields
    width = len(key)
    stored = {row[1 : 1 + width]: (row[0], row[1 + width :]) for row in existing}
    make = row_type._make
    encode = [isinstance(model._meta.get_field(f), JSONField) for f in fields]
    stamp = (connection.ops.adapt_datetimefield_value(now), *common.values())
    rows, stale = [], []
    for ident, values in fresh.items():
        current = stored.get(ident)
        if current is not None:
            if current[1] == values or same(make(current[1]), values):
                continue
            stale.append(current[0])
        rows.append((*stamp, *ident, *(json.dumps(v) if e else v for v, e in zip(values, encode, strict=True))))
    if not upsert:
        for i in range(0, len(stale), BATCH):
            model.objects.filter(pk__in=stale[i : i + BATCH]).delete()
    _insert(model, ("computed_at", *common, *key, *fields), rows, conflict=key if upsert and stale else ())
    return len(rows)


def _insert(model, columns: tuple[str, ...], rows: list[tuple], *, conflict: tuple[str, ...] = ()) -> None:
    """bulk_create without model instances, whose construction and per-field preparation were most of a first
    full recompute: the values are already what the columns hold (JSON encoded, the timestamp adapted).
    `conflict`: the columns of a unique constraint; a row that would break it updates the stored one instead."""
    if not rows:
        return
    fields = [model._meta.get_field(c) for c in columns]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    tail = ""
    if conflict:
        target = [model._meta.get_field(c).column for c in conflict]
        changed = ", ".join(f"{quote(f.column)} = EXCLUDED.{quote(f.column)}" for f in fields if f.column not in target)
        tail = f" ON CONFLICT ({', '.join(quote(c) for c in target)}) DO UPDATE SET {changed}"
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = min(BATCH, connection.ops.bulk_batch_size(fields, rows))
    with connection.cursor() as cursor:
        for i in range(0, len(rows), size):
            batch = rows[i : i + size]
            cursor.execute(head + ", ".join([placeholders] * len(batch)) + tail, [v for row in batch for v in row])


ANALYZE_AFTER = 10_000  # rows written by one full run


def analyze_if_filled(written: int) -> None:
    """Fresh planner statistics after a run that filled the result tables (a first run, a rule change): with
    the statistics of near-empty tables the next reads of them were planned as scans, three times slower."""
    if written >= ANALYZE_AFTER and connection.vendor == "postgresql":
        analyze_results()


def analyze_results() -> None:
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (TargetResult, TaskResult, Rollup))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
