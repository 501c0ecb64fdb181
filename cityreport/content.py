"""What a report to the city says, read into plain JSON: the plan's state in the engine's stored words, the major
problems units reported and those the office marked 需市级协调, and what was done about them (supervision notices
with the units' answers, dispatch meetings and their decisions).

Nothing here computes a status: the counts are the engine's plan rollup, the lagging targets its target results
(read by the rows the annual evaluation prints, `evaluation.snapshot.target_rows`), the overdue tasks its task
results. A final report keeps this JSON, so its PDF is the same whatever is approved later.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation

from evaluation.document import DOCUMENT_LANGUAGE
from evaluation.snapshot import target_rows
from meetings.models import Meeting
from results.models import Rollup
from results.selectors import overdue_tasks, rollups_by_scope
from supervision.models import Notice, NoticeStep
from tasks.models import QuarterlyReport, ReportingPeriod, quarter_order
from tasks.selectors import default_period

from .models import CityReport, Escalation
from .selectors import reported_problems

CONTENT_VERSION = 1
LAGGING = ("missed_by_date", "off_track", "at_risk")  # the overview's risk list, worst first


def scope_periods(report: CityReport) -> list[ReportingPeriod]:
    periods = ReportingPeriod.objects.filter(year=report.year)
    if report.quarter:
        periods = periods.filter(quarter=report.quarter)
    return list(periods.chronological())


def as_of(report: CityReport, *, today: dt.date) -> ReportingPeriod | None:
    """The quarter whose results the report states: the quarter itself; for a year, its quarter being reported on
    `today` (the newest ended one with results, as every results page opens on), else its newest with results."""
    periods = ReportingPeriod.objects.filter(
        year=report.year, rollups__plan=report.plan, rollups__scope=Rollup.Scope.PLAN
    ).chronological(newest_first=True)
    if report.quarter:
        return periods.filter(quarter=report.quarter).first()
    return default_period(periods, today)


def window(report: CityReport) -> tuple[dt.date, dt.date]:
    """The calendar days the report covers: the quarter's or the year's."""
    if report.quarter:
        first = dt.date(report.year, 3 * report.quarter - 2, 1)
        last = dt.date(report.year + (report.quarter == 4), (3 * report.quarter) % 12 + 1, 1) - dt.timedelta(days=1)
        return first, last
    return dt.date(report.year, 1, 1), dt.date(report.year, 12, 31)


def build_content(report: CityReport, *, today: dt.date) -> dict:
    """Everything the document shows; the words stored in it (levels, notice states) are the document's Chinese."""
    with translation.override(DOCUMENT_LANGUAGE):
        return _content(report, today)


def _content(report: CityReport, today: dt.date) -> dict:
    plan = report.plan
    period = as_of(report, today=today)
    periods = scope_periods(report)
    first, last = window(report)
    problems = _problems(plan, periods)
    escalated = [p for p in problems if p["escalation"]]
    notices = _notices(plan, periods, first, last, [p["id"] for p in problems], today)
    return {
        "version": CONTENT_VERSION,
        "plan": {"code": plan.code, "title": plan.title, "issuer": plan.issuer, "district": plan.jurisdiction.name},
        "year": report.year,
        "quarter": report.quarter,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "dated": today.isoformat(),
        "as_of": {"year": period.year, "quarter": period.quarter} if period else None,
        "is_demo": settings.DEMO_MODE or QuarterlyReport.objects.filter(plan=plan, is_demo=True).exists(),
        "introduction": report.introduction,
        "closing": report.closing,
        "state": _state(plan, period),
        "problems": problems,
        "escalated": escalated,
        "notices": notices,
        "meetings": _meetings(plan, first, last, {n["id"] for n in notices}),
    }


def _state(plan, period) -> dict:
    """Headline counts and what lags, as the engine stored them for the as-of quarter."""
    if period is None:
        return {"targets": {}, "tasks": {}, "targets_total": 0, "tasks_total": 0, "lagging": [], "overdue": []}
    whole = rollups_by_scope(plan, period)["plan"]
    targets = _counts(whole[0].targets) if whole else {}
    tasks = _counts(whole[0].tasks) if whole else {}
    rows = target_rows(plan, period)
    lagging = sorted((r for r in rows if r["status"] in LAGGING), key=lambda r: LAGGING.index(r["status"]))
    return {
        "targets": targets,
        "tasks": tasks,
        "targets_total": sum(targets.values()),
        "tasks_total": sum(tasks.values()),
        "lagging": [
            {
                k: r[k]
                for k in (
                    "indicator",
                    "distinction",
                    "period",
                    "unit",
                    "comparator_label",
                    "target",
                    "status",
                    "latest",
                    "judged",
                    "progress",
                    "expected",
                    "department",
                )
            }
            for r in lagging
        ],
        "overdue": [{"code": r.task.code, "title": r.task.title} for r in overdue_tasks(plan, period)],
    }


def _counts(rollup: dict) -> dict[str, int]:
    """The rollup's {status: {count, share}} as counts; the tasks' "overdue" entry is listed apart, by task."""
    return {status: value["count"] for status, value in rollup.items() if status != "overdue"}


def _problems(plan, periods) -> list[dict]:
    """Major problems of the scope's reports that reached the office (the only ones the office can mark 需市级协调)."""
    updates = (
        reported_problems()
        .filter(report__plan=plan, report__period__in=periods)
        .select_related("task__area", "report__department", "report__period", "escalation__marked_by")
        .order_by(*quarter_order("report__period"), "report__department__name", "task__area__order", "task__number")
    )
    rows = []
    for u in updates:
        escalation = getattr(u, "escalation", None)
        rows.append(
            {
                "id": u.pk,
                "quarter": u.report.period.quarter,
                "department": u.report.department.name,
                "task": f"{u.task.code} {u.task.title}",
                "problems": u.problems,
                "next_steps": u.next_steps,
                "report_status": u.report.status,
                "escalation": _escalation(escalation) if escalation and escalation.is_active else None,
            }
        )
    return rows


def _escalation(escalation: Escalation) -> dict:
    by = escalation.marked_by
    return {
        "reason": escalation.reason,
        "marked_on": timezone.localdate(escalation.marked_at).isoformat(),
        "marked_by": by.get_full_name() or by.get_username(),
    }


def _notices(plan, periods, first, last, problem_ids, today) -> list[dict]:
    """Notices opened in the covered days, on the scope's quarters' figures, or on one of its problems."""
    notices = (
        Notice.objects.filter(plan=plan)
        .filter(Q(opened_at__date__range=(first, last)) | Q(period__in=periods) | Q(task_update_id__in=problem_ids))
        .select_related("responsible")
        .prefetch_related("steps")
        .order_by("year", "number")
    )
    rows = []
    for n in notices:
        answers = [s for s in n.steps.all() if s.action == NoticeStep.Action.ANSWER]
        rows.append(
            {
                "id": n.pk,
                "number": n.display_number,
                "title": n.title,
                "subject_kind": n.subject_kind,
                "task_update_id": n.task_update_id,
                "responsible": n.responsible.name,
                "level": n.get_level_display(),
                "opened_on": timezone.localdate(n.opened_at).isoformat(),
                "deadline": n.deadline.isoformat(),
                "status": n.status,
                "status_label": n.get_status_display(),
                "overdue": n.is_overdue(today),
                "requirement": n.requirement,
                "answers": [
                    {"on": timezone.localdate(s.at).isoformat(), "text": s.text or n.measures} for s in answers
                ],
                "planned_completion": n.planned_completion.isoformat() if n.planned_completion else None,
            }
        )
    return rows


def _meetings(plan, first, last, notice_ids) -> list[dict]:
    """Dispatch meetings held in the covered days, or whose decisions are among the report's notices."""
    meetings = (
        Meeting.objects.filter(plan=plan)
        .filter(Q(held_on__range=(first, last)) | Q(decisions__notice_id__in=notice_ids))
        .distinct()
        .prefetch_related("attendees", "decisions__notice__responsible")
        .order_by("held_on", "pk")
    )
    return [
        {
            "held_on": m.held_on.isoformat(),
            "title": m.title,
            "chair": m.chair,
            "attendees": [d.name for d in m.attendees.all()],
            "summary": m.summary,
            "decisions": [
                {
                    "text": d.text,
                    "responsible": d.notice.responsible.name,
                    "deadline": d.notice.deadline.isoformat(),
                    "number": d.notice.display_number,
                    "status_label": d.notice.get_status_display(),
                }
                for d in m.decisions.all()
            ],
        }
        for m in meetings
    ]
