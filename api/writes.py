"""Turning the API's rows into the data tasks.services.save_draft takes, as the form does.

The form always sends every field of every row; an API client may send only what it changes, so a row
is completed with the stored values first. The rules then see the row as it will be after the save.
"""

from __future__ import annotations

from tasks.models import QuarterlyReport
from tasks.services import INDICATOR_FIELDS, TASK_FIELDS


def report_rows(report: QuarterlyReport, tasks: list[dict], indicators: list[dict]) -> tuple[dict, dict]:
    stored_tasks = {u.task_id: u for u in report.task_updates.all()}
    stored_values = {v.indicator_id: v for v in report.indicator_values.current()}
    task_data = {row["task"]: _merged(stored_tasks.get(row["task"]), row, TASK_FIELDS) for row in tasks}
    indicator_data = {
        row["indicator"]: _merged(stored_values.get(row["indicator"]), row, INDICATOR_FIELDS) for row in indicators
    }
    return task_data, indicator_data


def _merged(stored, given: dict, fields) -> dict:
    base = {name: getattr(stored, name) for name in fields} if stored is not None else {}
    return {**base, **{name: given[name] for name in fields if name in given}}
