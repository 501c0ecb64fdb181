"""The year's targets, approved values and approved task updates as Excel (one sheet each) or CSV.

Chinese column headers, numbers as numbers and times as times, so the office can filter and sum in Excel.
The same filters as the dashboard's overview (area, unit, status) narrow the rows.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
from django.utils import timezone
from django.utils.translation import gettext as _

from results.models import TargetStatus
from results.templatetags.progress_tags import TASK_LABELS
from tasks import cells
from tasks.models import IndicatorValue, ReportingPeriod, ReportStatus, TaskUpdate, quarter_order

from .snapshot import as_of_period
from .target_rows import target_rows

TABLES = ("targets", "values", "updates")


@dataclass(frozen=True)
class Filters:
    area: int | None = None
    department: int | None = None
    status: str | None = None
    period: int | None = None  # the overview's "as of" quarter; the year's latest by default


def frames(plan, year: int, filters: Filters) -> dict[str, pd.DataFrame]:
    return {
        "targets": _targets(plan, year, filters),
        "values": _values(plan, year, filters),
        "updates": _updates(plan, year, filters),
    }


def _chosen(year: int, filters: Filters):
    """The overview's quarter when it lies in the year: rows after it are not what the overview showed."""
    return ReportingPeriod.objects.filter(pk=filters.period, year=year).first() if filters.period else None


def sheet_names() -> dict[str, str]:
    return {"targets": _("Targets"), "values": _("Approved values"), "updates": _("Task updates")}


def defused(frame: pd.DataFrame) -> pd.DataFrame:
    """Text typed by units must stay text: tasks.cells' one rule, applied to every text column."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_object_dtype(frame[column]) or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(cells.defused)
    return frame


def to_excel(tables: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    names = sheet_names()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for key, frame in tables.items():
            frame = defused(frame)
            frame.to_excel(writer, sheet_name=names[key], index=False, freeze_panes=(1, 0))
            sheet = writer.sheets[names[key]]
            for column, title in zip(sheet.columns, frame.columns, strict=True):
                sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, 2 * len(str(title)) + 2))
        cells.text_only(writer.book)
    return buffer.getvalue()


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark, so Excel on Windows opens the Chinese text correctly."""
    return defused(frame).to_csv(index=False).encode("utf-8-sig")


def _targets(plan, year, filters) -> pd.DataFrame:
    labels = dict(TargetStatus.choices)
    rows = target_rows(plan, _chosen(year, filters) or as_of_period(plan, year))
    if filters.area:
        rows = [r for r in rows if r["area_id"] == filters.area]
    if filters.department:
        rows = [r for r in rows if r["department_id"] == filters.department]
    if filters.status:
        rows = [r for r in rows if r["status"] == filters.status]
    columns = {
        _("Indicator"): [r["indicator"] for r in rows],
        _("Which target"): [r.get("distinction", "") for r in rows],
        _("Period"): [r["period"] for r in rows],
        _("Comparator"): [r["comparator_label"] for r in rows],
        _("Target value"): [_float(r["target"]) for r in rows],
        _("Unit"): [r["unit"] for r in rows],
        _("Baseline"): [r["baseline"] for r in rows],
        _("Value at its date"): [r["judged"] for r in rows],  # a final verdict's value, beside the latest
        _("Latest approved value"): [r["latest"] for r in rows],
        _("Progress (%)"): [_pct(r["progress"]) for r in rows],
        _("Expected progress (%)"): [_pct(r["expected"]) for r in rows],
        _("Status"): [str(labels.get(r["status"], r["status"])) for r in rows],
        _("Forecast at the target date"): [r["forecast"] for r in rows],
        _("Forecast meets the target"): [r["forecast_meets"] for r in rows],
        _("Reported by"): [r["department"] for r in rows],
        _("Task"): [r["task"] for r in rows],
        _("Quote from the plan"): [r["quote"] for r in rows],
    }
    return pd.DataFrame(columns)


def _values(plan, year, filters) -> pd.DataFrame:
    rows = (
        IndicatorValue.objects.current()
        .filter(report__plan=plan, report__period__year=year, report__status=ReportStatus.APPROVED)
        .select_related("indicator", "report__department", "report__period")
    )
    if filters.area:
        rows = rows.filter(indicator__targets__task__area_id=filters.area).distinct()
    if filters.department:
        rows = rows.filter(report__department_id=filters.department)
    if chosen := _chosen(year, filters):
        rows = rows.filter(report__period__in=ReportingPeriod.objects.up_to(chosen))
    rows = list(rows.order_by("indicator__order", *quarter_order("report__period")))
    return pd.DataFrame(
        {
            _("Indicator"): [v.indicator.name for v in rows],
            _("Unit"): [v.indicator.unit for v in rows],
            _("Year"): [v.report.period.year for v in rows],
            _("Quarter"): [v.report.period.quarter for v in rows],
            _("Value"): [_float(v.value) for v in rows],
            _("Milestone reached"): [v.reached for v in rows],
            _("Data source"): [v.data_source for v in rows],
            _("Reported by"): [v.report.department.name for v in rows],
            _("Approved at"): [_naive(v.report.approved_at) for v in rows],
            _("Demo data"): [v.report.is_demo for v in rows],
        }
    )


def _updates(plan, year, filters) -> pd.DataFrame:
    rows = TaskUpdate.objects.filter(
        report__plan=plan, report__period__year=year, report__status=ReportStatus.APPROVED
    ).select_related("task__area", "report__department", "report__period")
    if filters.area:
        rows = rows.filter(task__area_id=filters.area)
    if filters.department:
        rows = rows.filter(report__department_id=filters.department)
    rows = list(
        rows.order_by("task__area__order", "task__number", *quarter_order("report__period"), "report__department__name")
    )
    return pd.DataFrame(
        {
            _("Task"): [u.task.code for u in rows],
            _("Task title"): [u.task.title for u in rows],
            _("Unit"): [u.report.department.name for u in rows],
            _("Quarter"): [u.report.period.quarter for u in rows],
            _("Status"): [str(TASK_LABELS.get(u.status, u.status)) for u in rows],
            _("Percent complete"): pd.array([u.percent_complete for u in rows], dtype="Int64"),
            _("Work done this quarter"): [u.work_done for u in rows],
            _("Problems met"): [u.problems for u in rows],
            _("Plan for next quarter"): [u.next_steps for u in rows],
            _("Major problem"): [u.major_problem for u in rows],
            _("Approved at"): [_naive(u.report.approved_at) for u in rows],
            _("Demo data"): [u.report.is_demo for u in rows],
        }
    )


def _float(value):
    return None if value in (None, "") else float(value)


def _pct(share):
    return None if share is None else round(share * 100, 1)


def _naive(moment):
    """Excel has no time zones: local time without the zone."""
    return None if moment is None else timezone.localtime(moment).replace(tzinfo=None)
