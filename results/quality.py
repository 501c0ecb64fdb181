"""Quality flags of a submitted report: the office's hints for its review, computed when the report arrives.

They live here, above tasks, because one of them reads the engine's results (a task reported 已完成 or 推进中
while its targets lag), which tasks may not import; the rows are tasks.models.QualityFlag, so the review
page, the office's home and the API read them like the rest of the report. The rules themselves are pure
(progress.quality). A flag never blocks anything: the submission is saved whatever happens here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from progress.maths import Status
from progress.quality import FlagRules, far_from_official, off_trend, percent_went_down, repeats
from tasks.models import (
    FieldChange,
    IndicatorValue,
    QualityFlag,
    QuarterlyReport,
    ReportingPeriod,
    TaskStatus,
    quarter_order,
)
from tasks.selectors import approved_series, last_approved_updates

from .models import TargetResult

log = logging.getLogger(__name__)

RULES = FlagRules()
# What contradicts each status a unit may report: a task 已完成 while a target of it is 滞后 or 到期未达标; a task
# 推进中 (not 滞后) while a target of it is 滞后 now. A 2025 target missed at its date does not contradict work
# still in progress towards 2030: the office knows that verdict already.
LAGGING = {
    TaskStatus.COMPLETED: (Status.OFF_TRACK, Status.MISSED_BY_DATE),
    TaskStatus.IN_PROGRESS: (Status.OFF_TRACK,),
}

Kind = QualityFlag.Kind


@dataclass(frozen=True)
class Finding:
    kind: str
    detail: dict
    task_id: int | None = None
    indicator_id: int | None = None

    @property
    def key(self) -> tuple:
        return (self.kind, self.task_id, self.indicator_id)


@dataclass(frozen=True)
class OfficialFigure:
    value: Decimal
    source: str


def flags_on_submit(sender, report: QuarterlyReport, **kwargs) -> None:
    """Receiver of tasks.signals.report_submitted: a failure here is logged, never undoes the submission."""
    try:
        with transaction.atomic():
            compute_flags(report=report)
    except Exception:
        log.exception("Quality flags of report %s could not be computed; the submission stands.", report.pk)


@transaction.atomic
def compute_flags(*, report: QuarterlyReport) -> list[QualityFlag]:
    """(Re)compute a report's flags. A flag found again with the same detail keeps its dismissal; one whose
    detail changed (the unit corrected and resubmitted) is open again; one no longer found goes (its dismissal,
    if any, stays in the report's history)."""
    findings = {f.key: f for f in find(report)}
    stored = {(f.kind, f.task_id, f.indicator_id): f for f in report.quality_flags.all()}
    now = timezone.now()
    QualityFlag.objects.filter(pk__in=[f.pk for key, f in stored.items() if key not in findings]).delete()
    kept = []
    for key, finding in findings.items():
        flag = stored.get(key)
        if flag is None:
            flag = QualityFlag(
                report=report, kind=finding.kind, task_id=finding.task_id, indicator_id=finding.indicator_id
            )
        elif flag.detail != finding.detail:
            flag.dismissed_at, flag.dismissed_by, flag.dismissal_reason = None, None, ""
        flag.detail, flag.computed_at = finding.detail, now
        flag.save()
        kept.append(flag)
    return kept


def find(report: QuarterlyReport) -> list[Finding]:
    updates = list(report.task_updates.select_related("task"))
    values = [v for v in report.indicator_values.current().select_related("indicator") if v.value is not None]
    previous = last_approved_updates(report)
    return [
        *targets_lag(report, updates),
        *percent_down(updates, previous),
        *repeated_text(report, updates, previous),
        *off_trend_values(values, approved_series(report)),
        *far_from_official_values(values, latest_official_figures(report)),
    ]


def _quarter(period: ReportingPeriod) -> dict:
    return {"year": period.year, "quarter": period.quarter}


def _number(value) -> str:
    return format(Decimal(str(value)).normalize(), "f") if value is not None else ""


def _rounded(value: float) -> str:
    return _number(round(value, 4))


def targets_lag(report: QuarterlyReport, updates) -> list[Finding]:
    """已完成 or 推进中 while the engine's latest result (up to this quarter) has a target of the task lagging (see
    LAGGING): the unit's account and the figures disagree."""
    on_course = {u.task_id: u for u in updates if u.status in LAGGING}
    if not on_course:
        return []
    newest = (
        ReportingPeriod.objects.up_to(report.period)
        .filter(target_results__target__task_id__in=on_course)
        .chronological(newest_first=True)
        .first()
    )  # the engine writes every target for each quarter it computes: the newest such quarter is the latest word
    if newest is None:
        return []
    latest = TargetResult.objects.filter(target__task_id__in=on_course, period=newest).select_related(
        "target__indicator"
    )
    lagging: dict[int, list[TargetResult]] = {}
    for result in latest:
        if result.status in LAGGING[on_course[result.target.task_id].status]:
            lagging.setdefault(result.target.task_id, []).append(result)
    findings = []
    for task_id, rows in lagging.items():
        rows.sort(key=lambda r: (r.target.indicator.order, r.target.order))
        detail = {
            "status": on_course[task_id].status,
            "targets": "、".join(f"“{r.target.indicator.name}（{r.target.get_period_display()}）”" for r in rows),
            "final": all(r.status == Status.MISSED_BY_DATE for r in rows),
            **_quarter(newest),
        }
        findings.append(Finding(Kind.TARGETS_LAG, detail, task_id=task_id))
    return findings


def percent_down(updates, previous) -> list[Finding]:
    findings = []
    for update in updates:
        last = previous.get(update.task_id)
        if last is not None and percent_went_down(update.percent_complete, last.percent_complete):
            detail = {"before": last.percent_complete, "after": update.percent_complete, **_quarter(last.report.period)}
            findings.append(Finding(Kind.PERCENT_DOWN, detail, task_id=update.task_id))
    return findings


def repeated_text(report: QuarterlyReport, updates, previous) -> list[Finding]:
    """Work done (nearly) as last quarter's. A text the unit kept on purpose (ticked 已核对 on a carried-over
    task without changing it) is still flagged, as two quarters with the same work are worth a look, but the
    sentence says it was confirmed."""
    changes = FieldChange.objects.filter(event__report=report, field__in=("carried_over", "work_done"))
    touched: dict[int, set[str]] = {}
    for task_id, name in changes.values_list("task_id", "field"):
        touched.setdefault(task_id, set()).add(name)
    findings = []
    for update in updates:
        last = previous.get(update.task_id)
        if last is None or (ratio := repeats(update.work_done, last.work_done, RULES)) is None:
            continue
        fields = touched.get(update.task_id, set())
        detail = {
            "share": int(ratio * 100),
            "confirmed": "carried_over" in fields and "work_done" not in fields,
            **_quarter(last.report.period),
        }
        findings.append(Finding(Kind.REPEATED_TEXT, detail, task_id=update.task_id))
    return findings


def off_trend_values(values: list[IndicatorValue], series: dict[int, list[IndicatorValue]]) -> list[Finding]:
    findings = []
    for row in values:
        history = [float(v.value) for v in series.get(row.indicator_id, [])]
        if (predicted := off_trend(history, float(row.value), RULES)) is None:
            continue
        detail = {
            "value": _number(row.value),
            "unit": row.indicator.unit,
            "n": RULES.trend_window,
            "expected": _rounded(predicted.expected),
            "band": _rounded(predicted.band),
        }
        findings.append(Finding(Kind.OFF_TREND, detail, indicator_id=row.indicator_id))
    return findings


def latest_official_figures(report: QuarterlyReport) -> dict[int, OfficialFigure]:
    """The newest official (statistical) figure known now of each of the report's indicators, up to its quarter:
    the latest quarter's, and of that quarter the final (核实) figure before the provisional (初步) one ("final" sorts first)."""
    rows = (
        IndicatorValue.objects.official()
        .known()
        .filter(
            indicator__reporting_department=report.department,
            period__in=ReportingPeriod.objects.up_to(report.period),
            value__isnull=False,
        )
        .select_related("period")
        .order_by(*quarter_order("period", newest_first=True), "kind", "-valid_from")
    )
    figures: dict[int, OfficialFigure] = {}
    for row in rows:
        if row.indicator_id not in figures:
            source = " ".join(
                filter(None, [row.get_kind_display(), str(row.period), row.source_issuer, row.source_title])
            )
            figures[row.indicator_id] = OfficialFigure(value=row.value, source=source)
    return figures


def far_from_official_values(values: list[IndicatorValue], official: dict[int, OfficialFigure]) -> list[Finding]:
    findings = []
    for row in values:
        figure = official.get(row.indicator_id)
        if figure is None or (gap := far_from_official(float(row.value), float(figure.value), RULES)) is None:
            continue
        detail = {
            "value": _number(row.value),
            "unit": row.indicator.unit,
            "official": _number(figure.value),
            "source": figure.source,
            "gap": _number(round(gap * 100, 1)),
        }
        findings.append(Finding(Kind.FAR_FROM_OFFICIAL, detail, indicator_id=row.indicator_id))
    return findings
