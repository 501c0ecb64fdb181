"""Pages of the reports to the city: thin callers of cityreport.services, selectors and document."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from departments.roles import is_office, is_viewer
from evaluation import file_views
from evaluation.edit_views import keep_text_after_stale_save, posted_version
from evaluation.views import PREVIEW_CSP
from targets.selectors import get_plan
from tasks.models import TaskUpdate
from tasks.permissions import visible_reports

from . import content, document, selectors, services
from .forms import ReasonForm, TextsForm
from .models import CityReportFile, scope_label, scope_slug

SCOPE = re.compile(r"^(\d{4})(?:-q([1-4]))?$")


def _reader(request) -> None:
    """The office and district leaders read reports to the city; units do not (they speak of other units)."""
    if not (is_office(request.user) or is_viewer(request.user)):
        raise PermissionDenied(_("Reports to the city are for the leading-group office and district leaders."))


def _office(request) -> None:
    if not is_office(request.user):
        raise PermissionDenied(_("Only the leading-group office may change reports to the city."))


def _report(code: str, scope: str):
    plan = get_plan(code)
    match = SCOPE.match(scope)
    if not match:
        raise Http404
    year, quarter = int(match[1]), int(match[2]) if match[2] else None
    if (year, quarter) not in selectors.scopes(plan):
        raise Http404(_("No quarter of this period has computed results."))
    return plan, services.report_for(plan, year, quarter)


def _detail_url(report) -> str:
    return reverse("cityreport:detail", args=[report.plan.code, report.scope_slug])


@login_required
def home(request, code):
    _reader(request)
    plan = get_plan(code)
    scope = selectors.default_scope(plan, today=timezone.localdate())
    if scope is None:
        return render(request, "evaluation/no_data.html", {"plan": plan})
    return redirect("cityreport:detail", code=code, scope=scope_slug(*scope))


@login_required
def detail(request, code, scope, form=None, reason_form=None, status=200):
    _reader(request)
    plan, report = _report(code, scope)
    services.fail_orphaned_files()
    periods = content.scope_periods(report)
    context = {
        "plan": plan,
        "report": report,
        "scopes": [(scope_label(y, q), scope_slug(y, q)) for y, q in selectors.scopes(plan)],
        "can_edit": is_office(request.user),
        "form": form
        or TextsForm(
            initial={"introduction": report.introduction, "closing": report.closing, "version": report.version}
        ),
        "reason_form": reason_form or ReasonForm(),
        "files": selectors.files(report),
        "history": selectors.history(report),
        "problems": selectors.major_problems(plan, periods).filter(report__in=visible_reports(request.user)),
    }
    return render(request, "cityreport/detail.html", context, status=status)


@login_required
@require_POST
def save(request, code, scope):
    _office(request)
    _plan, report = _report(code, scope)
    form = TextsForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.update_texts(report, by=request.user, version=version, **data)
        except services.StaleReport:
            keep_text_after_stale_save(
                form,
                current_version=report.version,
                message=_(
                    "A colleague saved this report after you opened it. Your text is kept below; "
                    "compare it with the history and save again."
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(_detail_url(report))
    return detail(request, code, scope, form=form, status=400)


@login_required
@require_POST
def finalize(request, code, scope):
    _office(request)
    _plan, report = _report(code, scope)
    try:
        services.finalize(report, by=request.user, today=timezone.localdate(), version=posted_version(request))
    except services.StaleReport:
        messages.error(request, _("A colleague changed this report after you opened it; read the history first."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The report is final: its data are frozen for every later PDF."))
    return redirect(_detail_url(report))


@login_required
@require_POST
def reopen(request, code, scope):
    _office(request)
    _plan, report = _report(code, scope)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.reopen(report, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The report is a draft again."))
            return redirect(_detail_url(report))
    return detail(request, code, scope, reason_form=form, status=400)


@login_required
@require_POST
def generate(request, code, scope):
    _office(request)
    _plan, report = _report(code, scope)
    file = services.request_pdf(report, by=request.user)
    messages.info(request, _("The report to the city is being generated; this page shows its progress."))
    return redirect(_detail_url(report) + f"#file-{file.pk}")


@csp_override(PREVIEW_CSP)
@login_required
def preview(request, code, scope):
    _reader(request)
    _plan, report = _report(code, scope)
    data = services.current_content(report, today=timezone.localdate())
    return HttpResponse(document.render_html(data, final=report.is_final, back_url=_detail_url(report)))


@login_required
def file_status(request, pk):
    _reader(request)
    services.fail_orphaned_files()
    return file_views.status(CityReportFile, pk)


@login_required
def file_download(request, pk):
    _reader(request)
    return file_views.download(CityReportFile, pk)


def _problem(request, pk) -> TaskUpdate:
    """A major problem in a report the person may open (a leader reads approved reports only); else 404."""
    return get_object_or_404(
        selectors.reported_problems().select_related(
            "task__area", "report__department", "report__period", "report__plan"
        ),
        pk=pk,
        report__in=visible_reports(request.user),
    )


@login_required
def escalation(request, pk, form=None, status=200):
    """A reported major problem, its 需市级协调 mark with the history, and (for the office) marking or withdrawing."""
    _reader(request)
    problem = _problem(request, pk)
    context = {
        "plan": problem.report.plan,
        "problem": problem,
        "mark": selectors.escalations([problem.pk]).get(problem.pk),
        "history": selectors.escalation_history(problem),
        "can_edit": is_office(request.user),
        "form": form or ReasonForm(),
    }
    return render(request, "cityreport/escalation.html", context, status=status)


@login_required
@require_POST
def escalation_change(request, pk):
    _office(request)
    problem = _problem(request, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        change = services.unmark_escalation if request.POST.get("action") == "unmark" else services.mark_escalation
        try:
            change(problem, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("cityreport:escalation", pk=problem.pk)
    return escalation(request, pk, form=form, status=400)
