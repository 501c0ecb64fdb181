"""The data of one year's evaluation, read from the result tables and the approved reports into plain JSON.

A draft report is built from a fresh snapshot each time; a final one from the snapshot frozen when the office
made it final, so regenerating it later gives the same document whatever has been approved since. Everything
here is read-only: the progress maths ran in the Celery jobs that wrote the result tables.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.utils import timezone

from progress.timeliness import count
from results.models import Rollup, TaskResult
from supervision.models import Notice
from targets.models import Responsibility
from targets.selectors import plan_areas
from tasks.models import QuarterlyReport, ReportingPeriod, ReportStatus, TaskUpdate, quarter_order
from tasks.selectors import report_timeliness, reporting_departments

from . import restatements, scoring
from .models import SCHEME_FIELDS, AnnualEvaluation
from .target_rows import target_rows

SNAPSHOT_VERSION = 2  # 2: known_at and the previous year's restatements
CONDENSED_CHARS = 160


def as_of_period(plan, year: int) -> ReportingPeriod | None:
    """The year's Q4 when it has results, else the year's latest quarter that has."""
    return (
        ReportingPeriod.objects.filter(year=year, rollups__plan=plan, rollups__scope=Rollup.Scope.PLAN)
        .chronological(newest_first=True)
        .first()
    )


def build_snapshot(evaluation: AnnualEvaluation, *, today: dt.date, at: dt.datetime | None = None) -> dict:
    """Everything the document shows, as JSON; `today` dates it and decides which quarters are past due.

    With `at`, the figures and the targets are read as they were known at that moment (the versions approved or
    recorded by then and not yet superseded), so a report rebuilt "as known at" its finalisation gives the targets
    its frozen snapshot gave, whatever was corrected since. The previous year's restatements are those known by `at`
    (now without it).
    """
    plan, year = evaluation.plan, evaluation.year
    as_of = as_of_period(plan, year)
    periods = ReportingPeriod.objects.filter(year=year).chronological()
    periods = list(periods.up_to(as_of) if as_of is not None else periods)
    task_rows = _task_rows(plan, as_of)
    updates = _year_updates(plan, periods)
    targets = target_rows(plan, as_of, at=at)
    timeliness = _timeliness(plan, periods, today)
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "plan": {
            "code": plan.code,
            "title": plan.title,
            "issuer": plan.issuer,
            "issued_on": plan.issued_on.isoformat() if plan.issued_on else "",
            "district": plan.jurisdiction.name,
        },
        "year": year,
        "dated": today.isoformat(),
        "known_at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at else None,
        "as_of": {"year": as_of.year, "quarter": as_of.quarter} if as_of else None,
        "quarters": [p.quarter for p in periods],
        "is_demo": settings.DEMO_MODE or QuarterlyReport.objects.filter(plan=plan, is_demo=True).exists(),
        "introduction": evaluation.introduction,
        "conclusions": evaluation.conclusions,
        "scheme": {name: float(getattr(evaluation, name)) for name in SCHEME_FIELDS},
        "areas": _areas(plan, task_rows, targets, updates),
        "targets": targets,
        "timeliness": timeliness,
        "problems": _problems(updates),
        "restatements": restatements.section(plan, year, at=at or timezone.now()),
    }
    snapshot["summary"] = _summary(snapshot)
    snapshot["assessment"] = _assessment(evaluation, snapshot)
    return snapshot


def _task_rows(plan, as_of) -> dict[int, dict]:
    if as_of is None:
        return {}
    return {
        task_id: {"status": status, "percent": percent, "overdue": overdue, "co": co}
        for task_id, status, percent, overdue, co in TaskResult.objects.filter(
            task__area__plan=plan, period=as_of
        ).values_list("task_id", "status", "percent_complete", "overdue", "co_departments")
    }


def _year_updates(plan, periods) -> dict[int, list[dict]]:
    """Approved updates of the year's quarters, per task, oldest first."""
    rows = (
        TaskUpdate.objects.filter(report__plan=plan, report__period__in=periods, report__status=ReportStatus.APPROVED)
        .select_related("report__department", "report__period")
        .order_by(*quarter_order("report__period"), "report__department__name", "task__area__order", "task__number")
    )
    by_task: dict[int, list[dict]] = defaultdict(list)
    for u in rows:
        by_task[u.task_id].append(
            {
                "quarter": u.report.period.quarter,
                "department": u.report.department.name,
                "department_id": u.report.department_id,
                "status": u.status,
                "percent": u.percent_complete,
                "work_done": u.work_done,
                "problems": u.problems,
                "next_steps": u.next_steps,
                "major": u.major_problem,
            }
        )
    return by_task


def _areas(plan, task_rows, targets, updates) -> list[dict]:
    targets_by_area: dict[int, list[str]] = defaultdict(list)
    for row in targets:
        targets_by_area[row["area_id"]].append(row["status"])
    areas = []
    for area in plan_areas(plan):
        tasks = []
        for task in area.tasks.all():
            lead = task.lead
            result = task_rows.get(task.pk, {})
            own = [u for u in updates.get(task.pk, []) if lead and u["department_id"] == lead.department_id]
            tasks.append(
                {
                    "id": task.pk,
                    "code": task.code,
                    "title": task.title,
                    "lead": lead.department.name if lead else "",
                    "co": [r.department.name for r in task.co_responsibilities],
                    "status": result.get("status", "no_update"),
                    "percent": result.get("percent"),
                    "overdue": result.get("overdue", False),
                    "co_status": result.get("co", []),
                    "path": [{"quarter": u["quarter"], "percent": u["percent"]} for u in own],
                    "condensed": _condense(own[-1]["work_done"]) if own else "",
                    "updates_in_year": len(updates.get(task.pk, [])),
                }
            )
        areas.append(
            {
                "id": area.pk,
                "order": area.order,
                "number": area.number,
                "kind": area.kind,
                "title": area.title,
                "tasks": tasks,
                "target_statuses": _count(targets_by_area.get(area.pk, [])),
                "task_statuses": _count(t["status"] for t in tasks),
            }
        )
    return areas


def _timeliness(plan, periods, today) -> list[dict]:
    """Per unit and quarter of the year: on time, late, missing, or not yet due (progress.timeliness)."""
    departments = list(reporting_departments(plan))
    by_unit, rows = report_timeliness(plan, periods, today, departments=departments), []
    for dept in departments:
        cells = [str(by_unit[dept.pk][p.pk]) for p in periods]
        rows.append({"department": dept.name, "department_id": dept.pk, "quarters": cells, **count(cells)})
    return rows


def _problems(updates) -> list[dict]:
    """Problems met during the year and the units' plans for what comes next, task by task."""
    rows = []
    for task_id, task_updates in updates.items():
        for u in task_updates:
            if u["problems"].strip() or u["major"]:
                rows.append(
                    {
                        "kind": "problem",
                        "task_id": task_id,
                        **{k: u[k] for k in ("quarter", "department", "problems", "major")},
                    }
                )
    latest_plans = {}
    for task_id, task_updates in updates.items():
        for u in task_updates:
            if u["next_steps"].strip():
                latest_plans[(task_id, u["department"])] = {"task_id": task_id, **u}
    return rows + [
        {"kind": "plan", **{k: p[k] for k in ("task_id", "quarter", "department", "next_steps")}}
        for p in latest_plans.values()
    ]


def _summary(snapshot: dict) -> dict:
    targets = [t["status"] for t in snapshot["targets"]]
    tasks = [t for area in snapshot["areas"] for t in area["tasks"]]
    problems = [p for p in snapshot["problems"] if p["kind"] == "problem"]
    return {
        "target_statuses": _count(targets),
        "task_statuses": _count(t["status"] for t in tasks),
        "targets_total": len(targets),
        "tasks_total": len(tasks),
        "overdue_tasks": sum(1 for t in tasks if t["overdue"]),
        "achieved": [t for t in snapshot["targets"] if t["status"] in ("achieved", "met_by_date")],
        "completed_tasks": [{"code": t["code"], "title": t["title"]} for t in tasks if t["status"] == "completed"],
        "at_risk": [t for t in snapshot["targets"] if t["status"] in ("at_risk", "off_track", "missed_by_date")],
        "forecast_misses": [t for t in snapshot["targets"] if t["forecast_meets"] is False],
        "problems_count": len(problems),
        "major_problems": sum(1 for p in problems if p["major"]),
        "reports": count(c for row in snapshot["timeliness"] for c in row["quarters"]),
    }


def _assessment(evaluation: AnnualEvaluation, snapshot: dict) -> list[dict]:
    leads: dict[int, list] = defaultdict(list)
    lead_ids = _lead_departments(evaluation.plan)
    for area in snapshot["areas"]:
        for task in area["tasks"]:
            if task["id"] in lead_ids:
                leads[lead_ids[task["id"]]].append((task["status"], task["overdue"]))
    reported: dict[int, list] = defaultdict(list)
    for t in snapshot["targets"]:
        if t["department_id"]:
            reported[t["department_id"]].append(t["status"])
    adjustments = {a.department_id: a for a in evaluation.adjustments.all()}
    notices = notice_outcomes(evaluation.plan, evaluation.year, dt.date.fromisoformat(snapshot["dated"]))
    scheme = scoring.Scheme(**snapshot["scheme"])
    rows = []
    for unit in snapshot["timeliness"]:
        dept_id = unit["department_id"]
        inputs = scoring.UnitInputs(
            quarters=tuple(unit["quarters"]),
            tasks=tuple(leads.get(dept_id, [])),
            targets=tuple(reported.get(dept_id, [])),
            notices=tuple(notices[dept_id]["outcomes"]),
        )
        adjustment = adjustments.get(dept_id)
        score = scoring.score_unit(inputs, scheme, float(adjustment.points) if adjustment else 0.0)
        rows.append(
            {
                "department": unit["department"],
                "department_id": dept_id,
                "timeliness": _round(score.timeliness),
                "tasks": _round(score.tasks),
                "targets": _round(score.targets),
                "responsiveness": _round(score.parts["responsiveness"]["score"]),
                "notices": {k: v for k, v in notices[dept_id].items() if k != "outcomes"},
                "weighted": _round(score.weighted),
                "adjustment": score.adjustment,
                "reason": adjustment.reason if adjustment else "",
                "total": _round(score.total),
                "band": score.band,
                "led_tasks": len(inputs.tasks),
                "reported_targets": len(inputs.targets),
            }
        )
    rows.sort(key=lambda r: (r["total"] is None, -(r["total"] or 0), r["department"]))
    return rows


def notice_outcomes(plan, year: int, today: dt.date) -> dict[int, dict]:
    """Per unit, the supervision notices of the year addressed to it: counts (opened, answered on time, overdue at
    some point, closed) and each one's outcome for scoring (see scoring.NOTICE_POINTS)."""
    units: dict[int, dict] = defaultdict(
        lambda: {"opened": 0, "answered_on_time": 0, "overdue": 0, "closed": 0, "outcomes": []}
    )
    for notice in Notice.objects.filter(plan=plan, year=year).prefetch_related("steps"):
        row = units[notice.responsible_id]
        answers = [timezone.localdate(s.at) for s in notice.steps.all() if s.action == "answer"]
        was_overdue = notice.is_overdue(today) or any(s.action == "overdue" for s in notice.steps.all())
        if answers and min(answers) <= notice.deadline:
            outcome = "answered_on_time"
        elif answers:
            outcome = "answered_late"
        elif notice.deadline < today:
            outcome = "overdue"
        else:
            outcome = "pending"
        row["opened"] += 1
        row["answered_on_time"] += outcome == "answered_on_time"
        row["overdue"] += was_overdue
        row["closed"] += notice.status == "closed"
        row["outcomes"].append(outcome)
    return units


def _lead_departments(plan) -> dict[int, int]:
    return dict(
        Responsibility.objects.filter(task__area__plan=plan, role=Responsibility.Role.LEAD).values_list(
            "task_id", "department_id"
        )
    )


def _count(statuses) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts


def _condense(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= CONDENSED_CHARS else text[: CONDENSED_CHARS - 1] + "…"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
