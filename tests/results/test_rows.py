"""The engine's rows are named by their columns, compared field by field and written by name."""

import datetime as dt

import pytest

from results.engine.rows import ROLLUP_FIELDS, TARGET_FIELDS, TASK_FIELDS, TargetRow, TaskRow, changed_fields, same
from results.models import Rollup, TargetResult, TaskResult


def target_row(**changes) -> TargetRow:
    row = TargetRow(
        status="on_track",
        target_value=21.5,
        latest_value=20.1,
        progress=0.7,
        expected=0.6,
        forecast=21.9,
        forecast_meets=True,
        judged_value=None,
        baseline_value=18.0,
        baseline_on=dt.date(2020, 12, 31),
        latest_kind="reported",
        latest_figures={},
        judged_kind="",
    )
    return row._replace(**changes)


def test_rows_compare_field_by_field_and_name_what_changed():
    stored = target_row(progress=0.7 + 1e-15)  # read back from the database, last bits apart

    assert same(stored, target_row())
    assert changed_fields(target_row(latest_kind="final"), target_row()) == ["latest_kind"]
    assert changed_fields(target_row(forecast_meets=False, latest_value=19.0), target_row()) == [
        "latest_value",
        "forecast_meets",
    ]
    assert not same(target_row(status="at_risk"), target_row())


def test_a_row_is_never_compared_with_a_row_of_another_table():
    task = TaskRow(status="on_track", percent_complete=50, overdue=False)
    with pytest.raises(TypeError):
        same(task, target_row())


@pytest.mark.parametrize(
    ("model", "fields", "not_filled"),
    [
        (TargetResult, TARGET_FIELDS, {"id", "target", "period", "computed_at"}),
        (TaskResult, TASK_FIELDS, {"id", "task", "period", "computed_at", "co_departments"}),  # read by the view
        (Rollup, ROLLUP_FIELDS, {"id", "plan", "period", "scope", "area", "department", "computed_at"}),
    ],
)
def test_each_row_names_every_column_the_engine_fills(model, fields, not_filled):
    columns = {f.name for f in model._meta.concrete_fields} - not_filled
    assert set(fields) == columns and len(fields) == len(columns)
