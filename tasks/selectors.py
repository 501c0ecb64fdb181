"""Reading reports with the joins their pages need."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from departments.models import Department, DepartmentKind
from indicators.models import Indicator, Target
from progress.authority import Figure, FigureKind
from progress.timeliness import Timeliness, count, timeliness
from targets.models import Plan, Responsibility, Task

from .models import (
    FieldChange,
    IndicatorValue,
    QualityFlag,
    QuarterlyReport,
    ReportEvent,
    ReportingPeriod,
    ReportStatus,
    TaskUpdate,
    last_ended_quarter,
    quarter_order,
)
from .validation import needs_change_explanation


def department_tasks(plan: Plan, department: Department) -> QuerySet[Task]:
    """The tasks a unit leads or co-owns, in the plan's order."""
    return (
        Task.objects.filter(area__plan=plan, responsibilities__department=department)
        .select_related("area")
        .order_by("area__order", "number")
    )


def department_indicators(plan: Plan, department: Department) -> QuerySet[Indicator]:
    return Indicator.objects.filter(plan=plan, reporting_department=department).prefetch_related("targets")


def role_in_task(task: Task, department: Department) -> str:
    for responsibility in task.responsibilities.all():
        if responsibility.department_id == department.pk:
            return responsibility.role
    return ""


def report_with_content(pk: int, reports: QuerySet[QuarterlyReport]) -> QuarterlyReport:
    """One report with its updates, values, evidence and history, in a fixed number of queries."""
    updates = TaskUpdate.objects.select_related("task__area").prefetch_related(
        "evidence",
        Prefetch("task__targets", queryset=Target.objects.select_related("indicator")),
        Prefetch("task__responsibilities", queryset=Responsibility.objects.select_related("department")),
    )
    values = IndicatorValue.objects.current().select_related("indicator").prefetch_related("indicator__targets")
    events = ReportEvent.objects.select_related("actor").prefetch_related(
        Prefetch("changes", queryset=FieldChange.objects.select_related("task__area", "indicator"))
    )
    return (
        reports.select_related("department", "period", "plan", "updated_by")
        .prefetch_related(
            Prefetch("task_updates", queryset=updates),
            Prefetch("indicator_values", queryset=values),
            Prefetch("events", queryset=events),
        )
        .get(pk=pk)
    )


def report_flags(report: QuarterlyReport) -> QuerySet[QualityFlag]:
    """A report's quality flags, open ones first, with what each sentence and its dismissal need."""
    return report.quality_flags.select_related("task__area", "indicator", "dismissed_by").order_by("dismissed_at", "pk")


def open_flag_counts(plan: Plan, period: ReportingPeriod) -> dict[int, int]:
    """Open quality flags of the quarter's reports awaiting review, by report id (the office's home)."""
    flags = QualityFlag.objects.filter(
        report__plan=plan, report__period=period, report__status=ReportStatus.SUBMITTED, dismissed_at__isnull=True
    )
    return dict(flags.order_by().values("report_id").annotate(n=Count("pk")).values_list("report_id", "n"))


def previous_values(report: QuarterlyReport) -> dict[int, Decimal]:
    """The last approved value of each indicator before this report's quarter, for the change check."""
    return {pk: row.value for pk, row in last_approved_values(report).items()}


def _earlier_approved(model, report: QuarterlyReport, **unit):
    """Rows of approved reports of quarters before this report's, oldest first."""
    earlier = ReportingPeriod.objects.up_to(report.period).exclude(pk=report.period_id)
    return (
        model.objects.filter(
            report__period__in=earlier, report__plan=report.plan, report__status=ReportStatus.APPROVED, **unit
        )
        .select_related("report__period")
        .order_by(*quarter_order("report__period"))
    )


def last_approved_values(report: QuarterlyReport) -> dict[int, IndicatorValue]:
    """Each indicator's last approved figure before this quarter, with its quarter (row.report.period)."""
    return {pk: rows[-1] for pk, rows in approved_series(report).items()}


def approved_series(report: QuarterlyReport) -> dict[int, list[IndicatorValue]]:
    """Each of the unit's indicators' approved figures before this quarter, oldest first (the trend check)."""
    earlier = _earlier_approved(IndicatorValue, report, indicator__reporting_department=report.department)
    series: dict[int, list[IndicatorValue]] = {}
    for row in earlier.filter(value__isnull=False, superseded_by__isnull=True):
        series.setdefault(row.indicator_id, []).append(row)
    return series


def last_approved_updates(report: QuarterlyReport) -> dict[int, TaskUpdate]:
    """Each task's part as the unit last reported it in an approved quarter: what a new quarter starts from."""
    return {row.task_id: row for row in _earlier_approved(TaskUpdate, report, report__department=report.department)}


@dataclass(frozen=True)
class FigureInReview:
    """A submitted figure beside what a reviewer compares it with."""

    row: IndicatorValue
    last: IndicatorValue | None

    @property
    def change(self) -> Decimal | None:
        if self.last is None or self.row.value is None:
            return None
        return self.row.value - self.last.value

    @property
    def change_share(self) -> Decimal | None:
        if self.change is None or not self.last.value:
            return None
        return self.change / abs(self.last.value)

    @property
    def needed_explanation(self) -> bool:
        value, last = self.row.value, self.last.value if self.last is not None else None
        return value is not None and needs_change_explanation(self.row.indicator, value, last)


def figures_in_review(report: QuarterlyReport) -> list[FigureInReview]:
    """Each indicator of the report with its last approved figure before the quarter (rows come prefetched)."""
    last = last_approved_values(report)
    return [FigureInReview(row, last.get(row.indicator_id)) for row in report.indicator_values.all()]


def current_periods(today: dt.date) -> QuerySet[ReportingPeriod]:
    """Quarters whose reporting window has opened and which the office has not closed."""
    return ReportingPeriod.objects.filter(is_open=True, opens_on__lte=today).chronological(newest_first=True)


def default_period(periods: Iterable[ReportingPeriod], today: dt.date) -> ReportingPeriod | None:
    """Of `periods` (newest first), the one a page shows unless asked: the newest that has ended by `today`, the
    quarter being reported, else the newest. A quarter still under way (its window opens in its last month) has
    nothing reported yet, so it is not the default."""
    periods = list(periods)
    ended = last_ended_quarter(today)
    return next((p for p in periods if p.key <= ended), periods[0] if periods else None)


def reporting_departments(plan: Plan, *, named: Iterable[int] | None = None) -> QuerySet[Department]:
    """Units that owe a quarterly report: named on a task or reporting an indicator, collective entries aside.

    `named`: only these units, which the caller knows to be named on a task or reporting an indicator of the
    plan (the recompute after an approval, from the plan it has read): the plan's tasks and indicators are then
    not searched again, which was most of the cost of the query.
    """
    units = Department.objects.filter(jurisdiction_id=plan.jurisdiction_id).exclude(kind=DepartmentKind.COLLECTIVE)
    if named is not None:
        return units.filter(pk__in=named).order_by("name")
    on_a_task = Responsibility.objects.filter(department=OuterRef("pk"), task__area__plan=plan)
    reporting = Indicator.objects.filter(reporting_department=OuterRef("pk"), plan=plan)
    return units.filter(Exists(on_a_task) | Exists(reporting)).order_by("name")


NOT_STARTED = "not_started"
OVERDUE = "overdue"
UNSENT = (ReportStatus.DRAFT, ReportStatus.RETURNED, ReportStatus.AWAITING_SIGNOFF)


def report_state(report: QuarterlyReport | None) -> str:
    return report.status if report is not None else NOT_STARTED


def is_overdue(report: QuarterlyReport | None, period: ReportingPeriod, today: dt.date) -> bool:
    """Past the due date and not yet with the office: the office chases these."""
    return period.is_overdue(today) and (report is None or report.status in UNSENT)


def row_state(report: QuarterlyReport | None, period: ReportingPeriod, today: dt.date) -> str:
    """One word for a report's row: its stage, or, past the due date and not with the office, that it is overdue
    (said with the stage where that is the next step's owner: returned, awaiting the head)."""
    state = report_state(report)
    if not is_overdue(report, period, today):
        return state
    return f"{state}_{OVERDUE}" if state in (ReportStatus.RETURNED, ReportStatus.AWAITING_SIGNOFF) else OVERDUE


# What needs the office first: its own review, then units to chase, then work under way, then what is done.
QUEUE_ORDER = [
    ReportStatus.SUBMITTED,
    OVERDUE,
    f"{ReportStatus.RETURNED}_{OVERDUE}",
    f"{ReportStatus.AWAITING_SIGNOFF}_{OVERDUE}",
    ReportStatus.RETURNED,
    ReportStatus.AWAITING_SIGNOFF,
    ReportStatus.DRAFT,
    NOT_STARTED,
    ReportStatus.APPROVED,
]


def office_queue(plan: Plan, period: ReportingPeriod, today: dt.date) -> tuple[list[dict], dict[str, int]]:
    """The quarter's rows, what needs action first, and the counts the office's home page leads with.

    On time, late, missing and not yet due are counted by the one rule every page uses (progress.timeliness).
    """
    rows = office_overview(plan, period, today)
    for row in rows:
        row["row_state"] = row_state(row["report"], period, today)
    rows.sort(key=lambda row: QUEUE_ORDER.index(row["row_state"]))
    counts = {
        "submitted": sum(row["state"] == ReportStatus.SUBMITTED for row in rows),
        "returned": sum(row["state"] == ReportStatus.RETURNED for row in rows),
        **count(row["timeliness"] for row in rows),
    }
    return rows, counts


def office_overview(plan: Plan, period: ReportingPeriod, today: dt.date) -> list[dict]:
    reports = {
        r.department_id: r
        for r in QuarterlyReport.objects.filter(plan=plan, period=period).select_related("department")
    }
    departments = list(reporting_departments(plan))
    states = report_timeliness(plan, [period], today, departments=departments)
    rows = []
    for department in departments:
        report = reports.get(department.pk)
        rows.append(
            {
                "department": department,
                "report": report,
                "state": report_state(report),
                "timeliness": states[department.pk][period.pk],
                "overdue": is_overdue(report, period, today),
            }
        )
    return rows


def major_problems(plan: Plan, reports: QuerySet[QuarterlyReport]) -> QuerySet[TaskUpdate]:
    return (
        TaskUpdate.objects.filter(report__in=reports, report__plan=plan, major_problem=True)
        .select_related("task__area", "report__department", "report__period")
        .order_by(*quarter_order("report__period", newest_first=True), "report__department__name")
    )


def department_reports(plan: Plan, department: Department) -> QuerySet[QuarterlyReport]:
    return QuarterlyReport.objects.filter(plan=plan, department=department).select_related("period", "department")


def task_updates_for_task(task: Task, reports: QuerySet[QuarterlyReport]) -> QuerySet[TaskUpdate]:
    """Every unit's part of a task, newest quarter first; the caller passes the reports the viewer may see."""
    return (
        TaskUpdate.objects.filter(task=task, report__in=reports)
        .select_related("report__department", "report__period")
        .prefetch_related("evidence")
        .order_by(*quarter_order("report__period", newest_first=True), "report__department__name")
    )


def changes_for(reports: QuarterlyReport | QuerySet, *, task: Task | None = None, indicator: Indicator | None = None):
    changes = FieldChange.objects.filter(event__report__in=reports).select_related(
        "event__actor", "event__report__department", "event__report__period"
    )
    if task is not None:
        changes = changes.filter(task=task)
    if indicator is not None:
        changes = changes.filter(indicator=indicator)
    return changes.order_by("-event__at", "-pk")


def group_by_period(updates) -> list[tuple[ReportingPeriod, list[TaskUpdate]]]:
    """Updates of several units for one task, grouped by quarter so lead and co-owners read side by side."""
    groups: dict[int, tuple[ReportingPeriod, list[TaskUpdate]]] = {}
    for update in updates:
        period = update.report.period
        groups.setdefault(period.pk, (period, []))[1].append(update)
    return list(groups.values())


def indicator_values(indicator: Indicator, reports, *, at=None) -> QuerySet[IndicatorValue]:
    """The units' figures of an indicator, newest quarter first: each report's current version (a draft too, which
    the page marks by its report's state); with `at`, the versions known then (approved by then, not yet replaced)."""
    rows = IndicatorValue.objects.filter(indicator=indicator, report__in=reports)
    return (
        (rows.known(at) if at is not None else rows.current())
        .select_related("report__period", "report__department")
        .order_by(*quarter_order("report__period", newest_first=True))
    )


def sent_on(plan: Plan, periods: Iterable[ReportingPeriod]) -> dict[tuple[int, int], dt.date]:
    """The day each unit's report of each quarter first reached the office, by (department id, period id)."""
    sent = QuarterlyReport.objects.filter(plan=plan, period__in=periods, submitted_at__isnull=False).order_by()
    return {
        (d, p): timezone.localdate(at) for d, p, at in sent.values_list("department_id", "period_id", "submitted_at")
    }


def report_timeliness(
    plan: Plan, periods: Iterable[ReportingPeriod], today: dt.date, *, departments: Iterable[Department] | None = None
) -> dict[int, dict[int, Timeliness]]:
    """{department id: {period id: state}} for each owing unit (or those given) and each quarter, as of `today`."""
    periods = list(periods)
    sent = sent_on(plan, periods)
    units = reporting_departments(plan) if departments is None else departments
    return {
        d.pk: {p.pk: timeliness(due_on=p.due_on, sent_on=sent.get((d.pk, p.pk)), today=today) for p in periods}
        for d in units
    }


def quarter_timeliness(plan: Plan, period: ReportingPeriod, today: dt.date) -> dict[str, int]:
    """A quarter's headline: how many owing units sent on time, late, not at all, or are not yet due."""
    return count(states[period.pk] for states in report_timeliness(plan, [period], today).values())


def department_timeliness(plan: Plan, department: Department, up_to: ReportingPeriod, today: dt.date) -> list[tuple]:
    """Each quarter up to `up_to`, newest first: (period, state, report or None)."""
    reports = {r.period_id: r for r in department_reports(plan, department)}
    periods = list(ReportingPeriod.objects.up_to(up_to).chronological(newest_first=True))
    states = report_timeliness(plan, periods, today, departments=[department])[department.pk]
    return [(p, states[p.pk], reports.get(p.pk)) for p in periods]


def approved_values(
    plan: Plan, reports: QuerySet[QuarterlyReport], *, up_to: ReportingPeriod | None, at=None
) -> QuerySet[IndicatorValue]:
    """The figures known at `at` (now when None) up to a quarter, newest first: the approved values of the given
    reports and the official figures, one version of each quarter and kind."""
    values = (
        IndicatorValue.objects.filter(indicator__plan=plan)
        .known(at)
        .filter(Q(report__in=reports) | Q(report__isnull=True))
    )
    if up_to is not None:
        values = values.filter(period__in=ReportingPeriod.objects.up_to(up_to))
    return values.select_related("indicator", "period", "report__department").order_by(
        *quarter_order("period", newest_first=True), "indicator__order", "kind", "pk"
    )


def holds_demo_data(plan: Plan, *, up_to: ReportingPeriod | None) -> bool:
    """Whether any approved demo report (up to the quarter) feeds the plan's results."""
    reports = QuarterlyReport.objects.filter(plan=plan, status=ReportStatus.APPROVED, is_demo=True)
    if up_to is not None:
        reports = reports.filter(period__in=ReportingPeriod.objects.up_to(up_to))
    return reports.exists()


def known_figures(plan: Plan, indicator_ids: Iterable[int] | None = None, *, at=None) -> dict[int, list[Figure]]:
    """Each indicator's figures known at `at` (now when None): the approved reports' and the official ones, one
    version of each quarter and kind, as progress.authority figures keyed by period id. A milestone is 1 or 0."""
    rows = IndicatorValue.objects.filter(indicator__plan=plan).known(at)
    if indicator_ids is not None:
        rows = rows.filter(indicator_id__in=indicator_ids)
    figures: dict[int, list[Figure]] = defaultdict(list)
    fields = ("indicator_id", "period_id", "kind", "value", "reached", "valid_from", "superseded_at")
    for indicator_id, period_id, kind, value, reached, valid_from, superseded_at in rows.order_by().values_list(
        *fields
    ):
        number = float(value) if value is not None else (None if reached is None else float(reached))
        figures[indicator_id].append(Figure(period_id, FigureKind(kind), number, valid_from, superseded_at))
    return figures


def official_figures(plan: Plan, *, at=None) -> QuerySet[IndicatorValue]:
    """Every version of every official figure of the plan, newest recorded first, with what superseded it; with
    `at`, only the versions known then."""
    rows = IndicatorValue.objects.official()
    return (
        (rows.known(at) if at is not None else rows)
        .filter(indicator__plan=plan)
        .select_related("indicator", "period", "recorded_by", "superseded_by")
        .order_by("-recorded_at", "-pk")
    )


def figures_by_quarter(rows: Iterable[IndicatorValue], *, at=None) -> dict[int, dict[str, float]]:
    """{period id: {kind: value}} over the versions among `rows` known at `at` (now when None), one indicator's
    reported and official figures as fetched for its page: what is written side by side when the kinds disagree.
    No query."""
    by_quarter: dict[int, dict[str, float]] = defaultdict(dict)
    for row in rows:
        if row.value is not None and row.is_current(at):
            by_quarter[row.period_id][row.kind] = float(row.value)
    return by_quarter
