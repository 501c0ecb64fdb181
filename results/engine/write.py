"""Fold fresh rows into the stored series and write the series that changed: two runs over the same inputs leave the
same series, and the second writes nothing.

A scope recomputes some quarters of some owners (targets, tasks, groups). Each owner's stored series is unfolded to
its rows by quarter, the fresh rows are laid over it, and the whole series is written again when any quarter
differs (results.series: one row per owner). The stored rows of the scope's quarters that were not recomputed are
handed back, for the rollups.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection
from django.db.models import Q

from ..models import RollupSeries, TargetSeries, TaskSeries
from ..series import Series, quarter_index
from .compute import Groups, RollupKey, TargetKey, TaskKey
from .inputs import Scope, Shape
from .rows import RollupRow, TargetRow, TaskRow, same

BATCH = 2000


@dataclass(frozen=True)
class Layout:
    """How one kind of result is stored: its series model, the columns naming a series' owner, its row."""

    model: type
    owner: tuple[str, ...]
    row: type[NamedTuple]


TARGETS = Layout(TargetSeries, ("target_id",), TargetRow)
TASKS = Layout(TaskSeries, ("task_id",), TaskRow)
ROLLUPS = Layout(RollupSeries, ("scope", "area_id", "department_id"), RollupRow)


def store_targets(scope: Scope, shape: Shape, fresh: dict[TargetKey, TargetRow], now) -> tuple[dict, int]:
    """Write the scope's targets' series. Returns the status of the targets not recomputed as of the scope's
    quarters (other indicators' targets, for the rollups), by (target, period), and the series written."""
    stored = TargetSeries.objects.filter(target_id__in=[t["pk"] for t in shape.targets])
    return _store(TARGETS, scope, stored, fresh, now, {}, kept=("status",))


def store_tasks(scope: Scope, shape: Shape, fresh: dict[TaskKey, TaskRow], now) -> tuple[dict, int]:
    """As store_targets, for the scope's tasks: (status, overdue) of those not recomputed."""
    stored = TaskSeries.objects.filter(task_id__in=list(shape.task_area))
    return _store(TASKS, scope, stored, fresh, now, {}, kept=("status", "overdue"))


def store_rollups(scope: Scope, groups: Groups, fresh: dict[RollupKey, RollupRow], now) -> int:
    """Write the series of the groups the scope recomputes; returns the series written."""
    stored = RollupSeries.objects.filter(plan=scope.plan)
    if groups.wanted is not None:
        stored = stored.filter(
            Q(scope="plan")
            | Q(scope="area", area_id__in=groups.areas)
            | Q(scope="department", department_id__in=groups.departments)
        )
    _kept, written = _store(ROLLUPS, scope, stored, fresh, now, {"plan_id": scope.plan.pk})
    return written


def _store(layout: Layout, scope: Scope, stored_rows, fresh: dict, now, common: dict, kept=()) -> tuple[dict, int]:
    """Merge and write; with `kept` (fields), also read those fields of the owners not recomputed, as of the scope's
    quarters. Only the recomputed owners' series are read whole (an approval's: the targets and tasks of its
    report); of the others, only the `kept` columns (a task's co-departments, say, are never decoded for them)."""
    fields = layout.row._fields
    position = {q.pk: quarter_index(q.year, q.quarter) for q in scope.quarters}
    width = len(layout.owner)
    by_owner: dict[tuple, dict[int, NamedTuple]] = defaultdict(dict)
    for key, row in fresh.items():
        by_owner[key[:width]][position[key[width]]] = row

    recomputed_rows, other_rows = stored_rows, stored_rows.none()
    if kept and not scope.whole:  # owners are one column (targets, tasks); a whole plan has no others
        owners = {f"{layout.owner[0]}__in": [owner[0] for owner in by_owner]}
        recomputed_rows, other_rows = stored_rows.filter(**owners), stored_rows.exclude(**owners)

    make = layout.row._make
    stored = {}
    for pk, *owner_and_series in recomputed_rows.order_by().values_list("pk", *layout.owner, "first_quarter", *fields):
        owner, first, columns = tuple(owner_and_series[:width]), owner_and_series[width], owner_and_series[width + 1 :]
        stored[owner] = (pk, unfold(first, columns, make))

    others = {}
    in_scope = [(position[p.pk], p.pk) for p in scope.periods]
    for row in other_rows.order_by().values_list(*layout.owner, "first_quarter", *kept):
        owner, first, columns = row[:width], row[width], row[width + 1 :]
        length = len(columns[0])
        for p, period_id in in_scope:
            if 0 <= p - first < length and columns[0][p - first] is not None:
                values = tuple(column[p - first] for column in columns)
                others[(*owner, period_id)] = values[0] if len(values) == 1 else values

    changed = {}
    for owner, recomputed in by_owner.items():
        pk, rows = stored.get(owner, (None, {}))
        merged = {**rows, **recomputed}
        if len(merged) == len(rows) and all(same(rows[p], row) for p, row in recomputed.items()):
            continue
        changed[owner] = (pk, merged)
    _write(layout, changed, now, common)
    return others, len(changed)


def _write(layout: Layout, changed: dict[tuple, tuple[int | None, dict]], now, common: dict) -> None:
    """Replace the changed series: delete the stored ones, insert them whole. The plan is locked (see engine.run),
    so no other recompute of it sees the gap."""
    if not changed:
        return
    stale = [pk for pk, _rows in changed.values() if pk is not None]
    for i in range(0, len(stale), BATCH):
        layout.model.objects.filter(pk__in=stale[i : i + BATCH]).delete()
    fields = layout.row._fields
    columns = ("computed_at", *common, *layout.owner, "first_quarter", *fields)
    model_fields = [layout.model._meta.get_field(c) for c in columns]
    prepare = [_preparer(f) for f in model_fields[len(columns) - len(fields) :]]
    stamp = (connection.ops.adapt_datetimefield_value(now), *common.values())
    rows = []
    for owner, (_pk, by_position) in changed.items():
        first, series = fold(by_position, len(fields))
        rows.append((*stamp, *owner, first, *(p(s) for p, s in zip(prepare, series, strict=True))))
    _insert(connection.ops.quote_name(layout.model._meta.db_table), model_fields, rows)


def replace_changed(layout: Layout, owner: tuple[str, ...], rows: list[tuple], first: int, now) -> list[tuple]:
    """Whole series, compared with the stored ones: a stored series that says the same is kept, one that does not
    is replaced, a new one inserted (engine.bulk: a full run builds every series whole, so it reads none back to
    compute). Each row is the owner's values (the `owner` columns) then the series' columns, every series starting
    at the quarter position `first`. Returns the owners whose series were written.

    PostgreSQL compares in the database (arrays and jsonb, by value). SQLite holds JSON text, which the same values
    may spell differently (Django's encoder, the engine's): the demo's few series are compared in Python there."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _replace_in_database(layout, owner, rows, first, now)
    width = len(owner)
    fresh = {row[:width]: tuple(json.loads(v) if isinstance(v, Encoded) else v for v in row[width:]) for row in rows}
    stored_rows = layout.model.objects.filter(**{f"{owner[0]}__in": {o[0] for o in fresh}}).order_by()
    stale, changed = [], []
    for pk, *values in stored_rows.values_list("pk", *owner, "first_quarter", *layout.row._fields):
        key, stored_first, series = tuple(values[:width]), values[width], tuple(values[width + 1 :])
        if key in fresh and (stored_first, series) != (first, fresh[key]):
            stale.append(pk)
            changed.append(key)
        elif key in fresh:
            del fresh[key]
    layout.model.objects.filter(pk__in=stale).delete()
    model_fields, staged_rows = _staged(layout, owner, [(*key, *series) for key, series in fresh.items()], first, now)
    _insert(connection.ops.quote_name(layout.model._meta.db_table), model_fields, staged_rows)
    return list(fresh)


def _staged(layout: Layout, owner: tuple[str, ...], rows: list[tuple], first: int, now) -> tuple[list, list]:
    """The model fields written and the rows as the columns hold them (see _write)."""
    fields = layout.row._fields
    columns = ("computed_at", *owner, "first_quarter", *fields)
    model_fields = [layout.model._meta.get_field(c) for c in columns]
    prepare = [_preparer(f) for f in model_fields[len(columns) - len(fields) :]]
    stamp, width = connection.ops.adapt_datetimefield_value(now), len(owner)
    staged = [(stamp, *row[:width], first, *(p(s) for p, s in zip(prepare, row[width:], strict=True))) for row in rows]
    return model_fields, staged


def _replace_in_database(layout: Layout, owner: tuple[str, ...], rows: list[tuple], first: int, now) -> list[tuple]:
    """COPY the series into a temporary table, delete the stored ones that differ, insert those not stored; or,
    when none of these owners has a series stored (a first run), COPY them into the table itself."""
    model = layout.model
    model_fields, staged_rows = _staged(layout, owner, rows, first, now)
    quote = connection.ops.quote_name
    table, staged = quote(model._meta.db_table), quote(f"fresh_{model._meta.db_table}")
    key = model_fields[1]  # the owner's first column: a target, a task, a plan
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {quote(key.column)} = ANY(%s))",
            [sorted({row[1] for row in staged_rows})],
        )
        if not cursor.fetchone()[0]:
            _insert(table, model_fields, staged_rows)
            return [row[1 : 1 + len(owner)] for row in staged_rows]
    names = [quote(f.column) for f in model_fields]
    listed = ", ".join(names)
    data = [quote(model._meta.get_field(c).column) for c in ("first_quarter", *layout.row._fields)]
    # Plain equality where the owner's column is never NULL (an index, a hash join); a rollup's area and unit are.
    match = " AND ".join(
        f"coalesce(s.{quote(f.column)}, 0) = coalesce(f.{quote(f.column)}, 0)"
        if f.null
        else f"s.{quote(f.column)} = f.{quote(f.column)}"
        for f in model_fields[1 : 1 + len(owner)]
    )
    same = f"({', '.join('s.' + c for c in data)}) IS NOT DISTINCT FROM ({', '.join('f.' + c for c in data)})"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{staged}")
        cursor.execute(f"CREATE TEMP TABLE {staged} ON COMMIT DROP AS SELECT {listed} FROM {table} WITH NO DATA")
        _insert(f"pg_temp.{staged}", model_fields, staged_rows)
        # Hash joins, whatever the statistics say (a temporary table is unanalysed, a series table may just have been
        # emptied): a nested loop scans a table once per series. And no statement reads the table it writes: an
        # INSERT … WHERE NOT EXISTS on its own table scanned, per row, every page it had just filled (17 s at N = 300).
        cursor.execute(f"ANALYZE pg_temp.{staged} ({', '.join(names[1 : 1 + len(owner)])})")
        cursor.execute("SET LOCAL enable_nestloop = off")
        # The fresh series that say what the stored ones say are left out,
        cursor.execute(f"DELETE FROM pg_temp.{staged} f USING {table} s WHERE {match} AND {same}")
        # the stored ones the others replace are deleted,
        cursor.execute(f"DELETE FROM {table} s USING pg_temp.{staged} f WHERE {match}")
        # and the others inserted.
        cursor.execute(
            f"INSERT INTO {table} ({listed}) SELECT {listed} FROM pg_temp.{staged} "
            f"RETURNING {', '.join(names[1 : 1 + len(owner)])}"
        )
        written = cursor.fetchall()
        cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
        cursor.execute(f"DROP TABLE pg_temp.{staged}")
    return written


def fold(rows: dict[int, tuple], width: int) -> tuple[int, list[list]]:
    """Rows by quarter position into `width` columns from the first position to the last, None where a quarter
    has no row."""
    first, last = min(rows), max(rows)
    columns = [[None] * (last - first + 1) for _ in range(width)]
    for position, row in rows.items():
        for column, value in zip(columns, row, strict=True):
            column[position - first] = value
    return first, columns


def unfold(first: int, columns, make) -> dict[int, tuple]:
    """fold's inverse: a stored series' columns into rows by quarter position (`make` builds a row), the quarters
    without a result (a NULL first column) left out."""
    return {first + i: make(values) for i, values in enumerate(zip(*columns, strict=True)) if values[0] is not None}


class Encoded(str):
    """A JSON column's value already encoded (engine.bulk encodes each distinct count of a rollup once)."""


def encode(values) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _preparer(field):
    if isinstance(field, Series):
        if connection.vendor == "postgresql":  # a list, as the field prepares it: formatted by _array_formatter
            return lambda values: values
        return lambda values: field.get_db_prep_value(values, connection)
    return lambda values: values if isinstance(values, Encoded) else encode(values)


def _insert(table: str, fields: list, rows: list[tuple]) -> None:
    """The rows into `table` (quoted, or schema.quoted): by COPY on PostgreSQL, multi-row INSERTs elsewhere. The values are already
    what the columns hold (JSON encoded, the timestamp adapted, a series a list on PostgreSQL)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy(table, fields, rows)
        return
    quote = connection.ops.quote_name
    head = f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = min(BATCH, connection.ops.bulk_batch_size(fields, rows))
    with connection.cursor() as cursor:
        for i in range(0, len(rows), size):
            batch = rows[i : i + size]
            cursor.execute(head + ", ".join([placeholders] * len(batch)), [v for row in batch for v in row])


def _copy(table: str, fields: list, rows: list[tuple]) -> None:
    """COPY … FROM STDIN in its text format: a series as an array literal, every cell escaped as COPY reads it."""
    cells = [_array_formatter(f.of) if isinstance(f, Series) else _scalar for f in fields]
    lines = ["\t".join([cell(v) for cell, v in zip(cells, row, strict=True)]) for row in rows]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO("\n".join(lines) + "\n"))


def _escaped(text: str) -> str:
    """A cell's text as COPY reads it back (str.replace: a scan in C, where str.translate looks up every character)."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def _scalar(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return _escaped(str(value))


def _array_formatter(of: str):
    """An array literal of a series of `of`, as COPY's text format reads it. Numbers and booleans are written by
    the list's own repr, in C ("[1.5, None, 2.0]" is "{1.5, NULL, 2.0}": repr gives the shortest text that reads back
    as the same float, and an array literal allows the spaces); a series is hundreds of thousands of elements in a
    full run."""
    if of == "text":

        @functools.lru_cache(maxsize=4096)  # a few statuses and kinds, hundreds of thousands of times
        def quoted(v: str) -> str:
            if '"' in v or "\\" in v:
                v = v.replace("\\", "\\\\").replace('"', '\\"')
            return '"' + v + '"'

        def literal(values) -> str:
            return _escaped("{" + ",".join(["NULL" if v is None else quoted(v) for v in values]) + "}")

    elif of == "date":
        iso = functools.lru_cache(maxsize=4096)(dt.date.isoformat)  # a few baselines' dates

        def literal(values) -> str:
            return "{" + ",".join(["NULL" if v is None else iso(v) for v in values]) + "}"

    else:  # float8, smallint, boolean (True and False, as PostgreSQL reads them)

        def literal(values) -> str:
            return "{" + repr(list(values))[1:-1].replace("None", "NULL") + "}"

    def cell(values) -> str:
        return "\\N" if values is None else literal(values)

    return cell


ANALYZE_AFTER = 1_000  # series written by one full run


def analyze_if_filled(written: int) -> None:
    """Fresh planner statistics after a run that filled the result tables (a first run, a rule change): with
    the statistics of near-empty tables the next reads of them were planned as scans, three times slower."""
    if written >= ANALYZE_AFTER and connection.vendor == "postgresql":
        analyze_results()


# The columns the readers and the engine look series up by: analysing the arrays too cost seconds at N = 300 (every
# sampled series detoasted) and tells the planner nothing it uses.
LOOKED_UP_BY = {
    TargetSeries: ("target_id", "first_quarter"),
    TaskSeries: ("task_id", "first_quarter"),
    RollupSeries: ("plan_id", "scope", "area_id", "department_id", "first_quarter"),
}


def analyze_results() -> None:
    quote = connection.ops.quote_name
    tables = ", ".join(
        f"{quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)})"
        for model, columns in LOOKED_UP_BY.items()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
