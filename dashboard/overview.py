"""The office's overview: where the plan stands and who is behind, as of a chosen quarter, in one screen."""

from __future__ import annotations

import hashlib

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from departments.roles import is_office, is_viewer
from progress.timeliness import count
from results.models import TargetStatus
from results.selectors import (
    computed_periods,
    last_recompute,
    overdue_tasks,
    rollups_by_scope,
    target_results_with_targets,
)
from supervision.permissions import can_open
from targets.selectors import get_plan
from tasks.models import TIMELINESS_LABELS, QuarterlyReport, ReportStatus
from tasks.selectors import report_timeliness, reporting_departments

from . import figures

KEY_YEARS = {2025: ("2025", "十四五"), 2030: ("2030", "十五五", "2030年前")}
HEATMAP_QUARTERS = 8
CACHE_SECONDS = 600


class OverviewFilter(forms.Form):
    period = forms.TypedChoiceField(label=gettext_lazy("As of"), coerce=int, required=False)
    area = forms.TypedChoiceField(label=gettext_lazy("Area"), coerce=int, required=False, empty_value=None)
    department = forms.TypedChoiceField(label=gettext_lazy("Department"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)

    def __init__(self, data, *, plan, periods):
        super().__init__(data)
        self.fields["period"].choices = [(p.pk, str(p)) for p in periods]
        self.fields["area"].choices = [("", _("All"))] + [(a.pk, a.title) for a in plan.areas.order_by("order")]
        self.fields["department"].choices = [("", _("All"))] + [(d.pk, d.name) for d in reporting_departments(plan)]
        self.fields["status"].choices = [("", _("All"))] + list(TargetStatus.choices)


@login_required
def overview(request, code):
    if not (is_office(request.user) or is_viewer(request.user)):
        raise PermissionDenied(_("The overview is for the leading-group office and district leaders."))
    plan = get_plan(code)
    key = _cache_key(request, plan)
    content = cache.get(key)
    if content is None:
        content = _render_content(request, plan)
        cache.set(key, content, CACHE_SECONDS)
    # rendered by our own templates, which escaped everything; the filter form has no CSRF token (GET)
    return render(request, "dashboard/overview.html", {"plan": plan, "content": mark_safe(content)})


def _render_content(request, plan) -> str:
    periods = computed_periods(plan)
    form = OverviewFilter(request.GET or None, plan=plan, periods=periods)
    choice = form.cleaned_data if form.is_bound and form.is_valid() else {}
    period = next((p for p in periods if p.pk == choice.get("period")), periods[0] if periods else None)
    context = {"plan": plan, "form": form, "period": period, "may_open": can_open(request.user)}
    if period is not None:
        context.update(_body_context(plan, period, periods, choice))
    return render_to_string("dashboard/_overview_content.html", context, request)


def _cache_key(request, plan) -> str:
    """The page changes only when the plan's results are recomputed or a report of the plan changes; both are in
    the key (another plan's recompute leaves this plan's cached page alone)."""
    last_run = last_recompute(plan)
    last_report = QuarterlyReport.objects.filter(plan=plan).aggregate(stamp=Max("updated_at"))["stamp"]
    raw = f"{plan.pk}|{last_run}|{last_report}|{request.GET.urlencode()}|{get_language()}|{can_open(request.user)}"
    return "overview:" + hashlib.sha256(raw.encode()).hexdigest()


def _body_context(plan, period, periods, choice) -> dict:
    context = {"plan": plan, "period": period}
    area, department, status = choice.get("area"), choice.get("department"), choice.get("status")
    statuses = [status] if status else None
    rollups = rollups_by_scope(plan, period)
    labels = {code: str(label) for code, label in TargetStatus.choices}
    area_rows = [(r.area.title, r.targets) for r in rollups["area"] if not area or r.area_id == area]
    area_json, area_table = figures.status_bars(area_rows, labels, title=_("Targets by action area"))
    results = list(target_results_with_targets(plan, period, area=area, department=department, statuses=statuses))
    shown = [p for p in reversed(periods) if p.key <= period.key][-HEATMAP_QUARTERS:]
    departments = list(reporting_departments(plan))
    states = report_timeliness(plan, shown, timezone.localdate(), departments=departments)
    headline = count(states[d.pk][period.pk] for d in departments)
    if department:
        departments = [d for d in departments if d.pk == department]
    timeliness_labels = {str(code): str(label) for code, label in TIMELINESS_LABELS.items()}
    cells = [[str(states[d.pk][p.pk]) for p in shown] for d in departments]
    this_quarter = QuarterlyReport.objects.filter(plan=plan, period=period)
    context.update(
        {
            "whole": rollups["plan"][0] if rollups["plan"] else None,
            "status_labels": labels,
            "area_json": area_json,
            "area_table": area_table,
            "area_links": [(r.area.title, r.area.order) for r in rollups["area"] if not area or r.area_id == area],
            "status_order": [labels[s] for s in figures.STATUS_ORDER],
            "key_targets": [
                (year, [r for r in results if r.target.period in names]) for year, names in KEY_YEARS.items()
            ],
            "risks": [r for r in results if r.status in ("missed_by_date", "off_track", "at_risk")],
            "overdue": overdue_tasks(plan, period, area=area, department=department),
            "heatmap_json": figures.timeliness_heatmap(
                [d.name for d in departments], [str(p) for p in shown], cells, timeliness_labels
            ),
            "heatmap_table": list(zip([d.name for d in departments], cells, strict=True)),
            "heatmap_quarters": [str(p) for p in shown],
            "timeliness_labels": timeliness_labels,
            "reports": {
                **headline,
                "submitted": headline["on_time"] + headline["late"],
                "approved": this_quarter.filter(status=ReportStatus.APPROVED).count(),
            },
        }
    )
    return context
