"""Server-rendered pages of the plan: thin callers of the apps' selectors."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Department
from indicators.filters import TargetFilter
from indicators.models import figures_beside
from indicators.selectors import area_targets, department_targets, plan_targets, task_targets
from progress.authority import FigureKind
from results.models import TargetStatus
from results.selectors import (
    area_rollup,
    latest_computed_period,
    target_results,
    target_results_known_on,
    task_results,
)
from targets.selectors import (
    default_plan,
    department_responsibilities,
    departments_with_counts,
    get_plan,
    get_task,
    plan_areas,
)
from tasks.known import end_of_day, known_on_day
from tasks.models import ReportingPeriod
from tasks.permissions import visible_reports
from tasks.selectors import (
    changes_for,
    department_timeliness,
    figures_by_quarter,
    group_by_period,
    indicator_values,
    official_figures,
    task_updates_for_task,
)

from . import figures


def home(request):
    plan = default_plan()
    if plan is None:
        return render(request, "dashboard/no_plan.html", status=404)
    return redirect(plan)


def plan_detail(request, code):
    plan = get_plan(code)
    areas = list(plan_areas(plan))
    context = {
        **_results_context(request, plan),
        "plan": plan,
        "sections": plan.sections.all(),
        "areas": areas,
        "action_count": sum(1 for a in areas if a.number),
        "closing_count": sum(1 for a in areas if not a.number),
        "task_count": sum(len(a.tasks.all()) for a in areas),
        "target_count": plan_targets(plan).count(),
    }
    return render(request, "dashboard/plan_detail.html", context)


def task_detail(request, code, pk):
    plan = get_plan(code)
    task = get_task(plan, pk)
    reports = visible_reports(request.user, plan.reports.all())
    context = {
        **_results_context(request, plan),
        "plan": plan,
        "task": task,
        "targets": task_targets(task),
        "updates": group_by_period(task_updates_for_task(task, reports)),
        "changes": changes_for(reports, task=task)[:100],
    }
    return render(request, "dashboard/task_detail.html", context)


def indicator_detail(request, code, pk):
    """An indicator's targets, figures and history; with ?known_on= the statuses and figures as known on that day."""
    plan = get_plan(code)
    indicator = get_object_or_404(
        plan.indicators.select_related("reporting_department").prefetch_related("targets__task__area"), pk=pk
    )
    reports = visible_reports(request.user, plan.reports.all())
    results = _results_context(request, plan, indicator=indicator, known_on=True)
    at = results.get("known_at")
    values = list(indicator_values(indicator, reports, at=at))
    official = list(official_figures(plan, at=at).filter(indicator=indicator)) if request.user.is_authenticated else []
    by_quarter = figures_by_quarter([*values, *official], at=at)
    for row in [*values, *official]:
        row.beside = figures_beside(by_quarter.get(row.period_id, {}), indicator.unit) if row.is_current(at) else ""
    context = {
        **results,
        "plan": plan,
        "indicator": indicator,
        "values": values,
        "official": official,
        "changes": changes_for(reports, indicator=indicator)[:100],
    }
    if results.get("as_of") and not indicator.is_milestone:
        # As known on a day, every version shown was approved then; otherwise drafts and reopened reports are not.
        approved = [v for v in values if v.value is not None and (at or v.report.status == "approved")]
        current = [v for v in official if v.value is not None and v.is_current(at)]
        context["chart_json"] = _indicator_chart(indicator, approved, current, results["results"])
    return render(request, "dashboard/indicator_detail.html", context)


def _indicator_chart(indicator, approved, official, results) -> str | None:
    """Approved and official figures (the versions current then), the expected path and target as the engine
    computed them (from the office's baseline, or the first value), and the trend's forecast; no maths here."""
    approved = sorted(approved, key=lambda v: v.report.period.key)
    current = sorted(official, key=lambda v: v.period.key)
    if not approved and not current:
        return None
    reported = [figures.KindPoint(_label(v.report.period.key), float(v.value), v.data_source) for v in approved]
    by_kind = {
        kind: [
            figures.KindPoint(_label(v.period.key), float(v.value), v.source_line) for v in current if v.kind == kind
        ]
        for kind in (FigureKind.PROVISIONAL, FigureKind.FINAL)
    }
    target = next(
        (t for t in indicator.targets.all() if results.get(t.pk) and results[t.pk].target_value is not None), None
    )
    result = results.get(target.pk) if target else None
    goal = ((target.target_year, 4), result.target_value) if target and target.target_year else None
    expected = None
    if goal and result.baseline_value is not None and result.baseline_on is not None:
        start = (result.baseline_on.year, (result.baseline_on.month - 1) // 3 + 1)
        expected = [(_label(start), result.baseline_value), (_label(goal[0]), goal[1])]
    ahead = approved and goal and goal[0] > approved[-1].report.period.key  # a forecast only looks forward
    forecast = (
        [(reported[-1].quarter, reported[-1].value), (_label(goal[0]), result.forecast)]
        if ahead and result.forecast is not None
        else None
    )
    return figures.indicator_chart(
        unit=indicator.unit,
        reported=reported,
        official=by_kind,
        expected=expected,
        target=(_label(goal[0]), goal[1]) if goal else None,
        forecast=forecast,
    )


def _label(key: tuple[int, int]) -> str:
    return f"{key[0]}Q{key[1]}"


def target_list(request, code):
    plan = get_plan(code)
    target_filter = TargetFilter(request.GET, queryset=plan_targets(plan), plan=plan)
    return render(
        request,
        "dashboard/target_list.html",
        {"plan": plan, "filter": target_filter, **_results_context(request, plan, known_on=True)},
    )


def chosen_period(request, plan, *, today: dt.date | None = None):
    """?period= from a shared link, else the quarter being reported on `today` (results.selectors.
    latest_computed_period; the day read as known on, when there is one)."""
    wanted = request.GET.get("period", "")
    if wanted.isdigit():
        found = ReportingPeriod.objects.filter(pk=int(wanted)).first()
        if found:
            return found
    return latest_computed_period(plan, today=today or timezone.localdate())


def _results_context(request, plan, *, indicator=None, known_on=False) -> dict:
    """Status columns read precomputed rows as of the quarter chosen (else the one being reported); no maths here.
    Where `known_on` is offered, ?known_on=YYYY-MM-DD computes them instead from the figures known on that day.

    Statuses come from unpublished figures, so only signed-in users see them. An indicator's page needs only
    its own targets' rows and no task rows.
    """
    if not request.user.is_authenticated:
        return {}
    day, context = None, {}
    if known_on:
        day, context = _known_on(request)
    period = chosen_period(request, plan, today=day)
    if day is None:
        results = target_results(plan, period, indicator=indicator)
    else:
        results = target_results_known_on(plan, period, at=context["known_at"], indicator=indicator)
    context.update({"as_of": period, "results": results})
    if indicator is None:
        context["task_results"] = task_results(plan, period)
    return context


def _known_on(request) -> tuple[dt.date | None, dict]:
    """?known_on= read by tasks.known's rule (the API's): the day, the moment, the link back to today's figures and
    the one carried to an indicator's page; or, for a bad day, the reason in words and today's figures."""
    try:
        day = known_on_day(request.GET.get("known_on"), today=timezone.localdate())
    except ValidationError as error:
        return None, {"known_on_error": " ".join(error.messages)}
    if day is None:
        return None, {}
    rest = request.GET.copy()
    rest.pop("known_on", None)
    carried = {"known_on": day.isoformat(), **({"period": rest["period"]} if rest.get("period", "").isdigit() else {})}
    return day, {
        "known_on": day,
        "known_at": end_of_day(day),
        "current_url": f"{request.path}?{rest.urlencode()}" if rest else request.path,
        "indicator_keep": "?" + "&".join(f"{k}={v}" for k, v in carried.items()),
    }


def department_list(request, code):
    plan = get_plan(code)
    departments = departments_with_counts([plan.jurisdiction_id])
    return render(request, "dashboard/department_list.html", {"plan": plan, "departments": departments})


def department_detail(request, code, pk):
    plan = get_plan(code)
    department = get_object_or_404(
        Department.objects.prefetch_related("aliases"), jurisdiction=plan.jurisdiction_id, pk=pk
    )
    responsibilities = list(department_responsibilities(department).filter(task__area__plan=plan))
    context = {
        **_results_context(request, plan),
        "plan": plan,
        "department": department,
        "leads": [r for r in responsibilities if r.role == "lead"],
        "co_owns": [r for r in responsibilities if r.role == "co"],
        "targets": department_targets(department).filter(indicator__plan=plan),
    }
    if context.get("as_of"):
        context["timeliness"] = department_timeliness(plan, department, context["as_of"], timezone.localdate())
    return render(request, "dashboard/department_detail.html", context)


def area_detail(request, code, order):
    """One action area: its tasks with the lead's status, its targets with theirs, and the status chart."""
    plan = get_plan(code)
    area = get_object_or_404(plan.areas.all(), order=order)
    tasks = [t for a in plan_areas(plan).filter(pk=area.pk) for t in a.tasks.all()]
    results = _results_context(request, plan)
    context = {"plan": plan, "area": area, "tasks": tasks, "targets": area_targets(area), **results}
    if results.get("as_of"):
        rollup = area_rollup(plan, results["as_of"], area)
        labels = {code: str(label) for code, label in TargetStatus.choices}
        if rollup:
            context["chart_json"], context["chart_table"] = figures.status_bars(
                [(area.title, rollup.targets)], labels, title=_("Targets by status")
            )
            context["status_order"] = [labels[s] for s in figures.STATUS_ORDER]
    return render(request, "dashboard/area_detail.html", context)
