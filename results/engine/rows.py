"""The rows the engine computes and stores, named by their columns.

A computed row and a stored one are the same NamedTuple, so they are compared field by field and written column by
column by name; NamedTuples cost what plain tuples cost, with no dict per row.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple


class TargetRow(NamedTuple):
    """A target as of a quarter: the columns of TargetResult the engine fills."""

    status: str
    target_value: float | None
    latest_value: float | None
    progress: float | None
    expected: float | None
    forecast: float | None
    forecast_meets: bool | None
    judged_value: float | None
    baseline_value: float | None
    baseline_on: dt.date | None
    latest_kind: str
    latest_figures: dict
    judged_kind: str


class TaskRow(NamedTuple):
    """A task as of a quarter: the columns of TaskResult the engine fills (its co-departments' updates the view
    reads from the task updates themselves)."""

    status: str
    percent_complete: int | None
    overdue: bool


class RollupRow(NamedTuple):
    """Counts by status of a group (plan, area or department) as of a quarter: the columns of Rollup."""

    targets: dict
    tasks: dict
    timeliness: dict


TARGET_FIELDS = TargetRow._fields
TASK_FIELDS = TaskRow._fields
ROLLUP_FIELDS = RollupRow._fields


def same(stored: NamedTuple, fresh: NamedTuple) -> bool:
    """Whether a stored row says what a fresh one says, field by field: floats read back from the database may
    differ in the last bits, and that is not a change."""
    if type(stored) is not type(fresh):
        raise TypeError(f"{type(stored).__name__} compared with {type(fresh).__name__}")
    return stored == fresh or not changed_fields(stored, fresh)


def changed_fields(stored: NamedTuple, fresh: NamedTuple) -> list[str]:
    """The names of the fields whose values differ beyond a float's last bits."""
    return [name for name, a, b in zip(fresh._fields, stored, fresh, strict=True) if not _close(a, b)]


def _close(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b
