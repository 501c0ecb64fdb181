"""Server-rendered pages of the plan: thin callers of the apps' selectors."""

from django.conf import settings
from django.shortcuts import get_object_or_404, redirect, render

from departments.models import Department
from indicators.filters import TargetFilter
from indicators.selectors import department_targets, plan_targets, task_targets
from results.selectors import latest_computed_period, target_results, task_results
from targets.models import Plan
from targets.selectors import department_responsibilities, departments_with_counts, get_plan, get_task, plan_areas
from tasks.permissions import visible_reports
from tasks.selectors import changes_for, group_by_period, indicator_values, task_updates_for_task


def home(request):
    plan = Plan.objects.filter(code=settings.DEFAULT_PLAN_CODE).first() or Plan.objects.first()
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
    plan = get_plan(code)
    indicator = get_object_or_404(
        plan.indicators.select_related("reporting_department").prefetch_related("targets__task__area"), pk=pk
    )
    reports = visible_reports(request.user, plan.reports.all())
    context = {
        **_results_context(request, plan),
        "plan": plan,
        "indicator": indicator,
        "values": indicator_values(indicator, reports),
        "changes": changes_for(reports, indicator=indicator)[:100],
    }
    return render(request, "dashboard/indicator_detail.html", context)


def target_list(request, code):
    plan = get_plan(code)
    target_filter = TargetFilter(request.GET, queryset=plan_targets(plan), plan=plan)
    return render(
        request,
        "dashboard/target_list.html",
        {"plan": plan, "filter": target_filter, **_results_context(request, plan)},
    )


def _results_context(request, plan) -> dict:
    """Status columns read precomputed rows as of the newest computed quarter; no maths here.

    Statuses come from unpublished figures, so only signed-in users see them.
    """
    if not request.user.is_authenticated:
        return {}
    period = latest_computed_period(plan)
    return {"as_of": period, "results": target_results(plan, period), "task_results": task_results(plan, period)}


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
        "plan": plan,
        "department": department,
        "leads": [r for r in responsibilities if r.role == "lead"],
        "co_owns": [r for r in responsibilities if r.role == "co"],
        "targets": department_targets(department).filter(indicator__plan=plan),
    }
    return render(request, "dashboard/department_detail.html", context)
