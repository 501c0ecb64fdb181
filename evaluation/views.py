"""Annual evaluation pages: thin callers of evaluation.services, selectors and exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST

from departments.roles import department_of, is_office, is_viewer
from targets.selectors import get_plan
from tasks.selectors import reporting_departments

from . import document, exports, file_views, selectors, services
from .edit_views import keep_text_after_stale_save, posted_version
from .forms import AdjustmentForm, EvaluationForm, ReopenForm
from .models import ReportFile


def _reader(request):
    """The office and district leaders read evaluations; units see only their own assessment."""
    if not (is_office(request.user) or is_viewer(request.user)):
        raise PermissionDenied(_("The annual evaluation is for the leading-group office and district leaders."))


def _office(request):
    """Changing the evaluation is the office's; checked before the form, so nobody else learns what it holds."""
    if not is_office(request.user):
        raise PermissionDenied(_("Only the leading-group office may change the annual evaluation."))


def _evaluation(code: str, year: int):
    plan = get_plan(code)
    if year not in selectors.evaluation_years(plan):
        raise Http404(_("No quarter of this year has computed results."))
    return plan, services.evaluation_for(plan, year)


@login_required
def latest_year(request, code):
    _reader(request)
    plan = get_plan(code)
    year = selectors.default_year(plan, today=timezone.localdate())
    if year is None:
        return render(request, "evaluation/no_data.html", {"plan": plan})
    return redirect("evaluation:detail", code=code, year=year)


@login_required
def latest_assessment(request, code):
    """A unit's way in from its home page: the assessment of the last complete year."""
    year = selectors.default_year(get_plan(code), today=timezone.localdate())
    if year is None:
        raise Http404(_("No quarter of this year has computed results."))
    return redirect("evaluation:assessment", code=code, year=year)


@login_required
def detail(request, code, year, form=None, reopen_form=None):
    _reader(request)
    plan, evaluation = _evaluation(code, year)
    services.fail_orphaned_files()  # rows a restart of this process left running say so, and can be made again
    context = {
        "plan": plan,
        "evaluation": evaluation,
        "years": selectors.evaluation_years(plan),
        "can_edit": is_office(request.user),
        "form": form or EvaluationForm(instance=evaluation, initial={"version": evaluation.version}),
        "reopen_form": reopen_form or ReopenForm(),
        "files": selectors.files(evaluation),
        "history": selectors.history(evaluation),
        "departments": reporting_departments(plan),
    }
    return render(request, "evaluation/detail.html", context)


@login_required
@require_POST
def save(request, code, year):
    _office(request)
    plan, evaluation = _evaluation(code, year)
    if evaluation.is_final:  # the form is not on the page then; say why nothing was saved
        messages.error(request, _("This evaluation is final and cannot be changed; reopen it as a draft first."))
        return redirect("evaluation:detail", code=code, year=year)
    form = EvaluationForm(request.POST, instance=services.evaluation_for(plan, year))  # a copy the form may change
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.update_evaluation(evaluation, by=request.user, version=version, **data)
        except services.StaleEvaluation:
            keep_text_after_stale_save(
                form,
                current_version=evaluation.version,
                message=_(
                    "A colleague saved this evaluation after you opened it. Your text is kept below; "
                    "compare it with the history and save again."
                ),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("evaluation:detail", code=code, year=year)
    return detail(request, code, year, form=form)


@login_required
@require_POST
def finalize(request, code, year):
    _office(request)
    _plan, evaluation = _evaluation(code, year)
    try:
        services.finalize(evaluation, by=request.user, today=timezone.localdate(), version=posted_version(request))
    except services.StaleEvaluation:
        messages.error(
            request, _("A colleague changed this evaluation after you opened it; read the history, then make it final.")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The evaluation is final: its data are frozen for every later PDF."))
    return redirect("evaluation:detail", code=code, year=year)


@login_required
@require_POST
def reopen(request, code, year):
    _office(request)
    _plan, evaluation = _evaluation(code, year)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.reopen(evaluation, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The evaluation is a draft again."))
            return redirect("evaluation:detail", code=code, year=year)
    return detail(request, code, year, reopen_form=form)


@login_required
@require_POST
def generate(request, code, year):
    _office(request)
    _plan, evaluation = _evaluation(code, year)
    file = services.request_pdf(evaluation, by=request.user)
    messages.info(request, _("The annual evaluation report is being generated; this page shows its progress."))
    return redirect(reverse("evaluation:detail", args=[code, year]) + f"#file-{file.pk}")


# The preview is the PDF's own HTML: the document's stylesheet, charts as data: images, no script.
PREVIEW_CSP = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.SELF],
    "img-src": ["data:"],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
    "frame-ancestors": [CSP.SELF],
}


@csp_override(PREVIEW_CSP)
@login_required
def preview(request, code, year):
    _reader(request)
    _plan, evaluation = _evaluation(code, year)
    html = document.render_html(
        selectors.current_snapshot(evaluation),
        final=evaluation.is_final,
        back_url=reverse("evaluation:detail", args=[code, year]),
    )
    return HttpResponse(html)


@login_required
def assessment(request, code, year, form=None):
    plan, evaluation = _evaluation(code, year)
    own = department_of(request.user)
    if not (is_office(request.user) or is_viewer(request.user) or own):
        raise PermissionDenied(_("The assessment is shown to the office, district leaders and each unit for itself."))
    rows = selectors.current_snapshot(evaluation)["assessment"]
    reads_all = is_office(request.user) or is_viewer(request.user)
    if not reads_all:  # a unit sees its own score and its own adjustments, nothing of the others
        rows = [r for r in rows if r["department_id"] == own.pk]
    departments = reporting_departments(plan)
    context = {
        "plan": plan,
        "evaluation": evaluation,
        "rows": rows,
        "can_edit": is_office(request.user) and not evaluation.is_final,
        "form": form or AdjustmentForm(departments=departments),
        "history": [
            c
            for c in selectors.history(evaluation)
            if c.field == "adjustment" and (reads_all or c.department_id == own.pk)
        ],
        "bands": document.labels()["band"],
    }
    return render(request, "evaluation/assessment.html", context)


@login_required
@require_POST
def adjust(request, code, year):
    _office(request)
    plan, evaluation = _evaluation(code, year)
    departments = reporting_departments(plan)
    form = AdjustmentForm(request.POST, departments=departments)
    if form.is_valid():
        department = get_object_or_404(departments, pk=form.cleaned_data["department"])
        try:
            services.set_adjustment(
                evaluation,
                by=request.user,
                department=department,
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Adjustment saved."))
            return redirect("evaluation:assessment", code=code, year=year)
    return assessment(request, code, year, form=form)


def _export_filters(request) -> exports.Filters:
    def as_int(name):
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() else None

    return exports.Filters(
        area=as_int("area"),
        department=as_int("department"),
        status=request.GET.get("status") or None,
        period=as_int("period"),
    )


@login_required
def export_excel(request, code, year):
    _reader(request)
    plan, _evaluation_ = _evaluation(code, year)
    data = exports.to_excel(exports.frames(plan, year, _export_filters(request)))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{plan.code}-{year}.xlsx"'
    return response


@login_required
def export_csv(request, code, year, table):
    _reader(request)
    if table not in exports.TABLES:
        raise Http404(_("No such table."))
    plan, _evaluation_ = _evaluation(code, year)
    frame = exports.frames(plan, year, _export_filters(request))[table]
    response = HttpResponse(exports.to_csv(frame), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{plan.code}-{year}-{table}.csv"'
    return response


@login_required
def file_status(request, pk):
    _reader(request)
    services.fail_orphaned_files()
    return file_views.status(ReportFile, pk)


@login_required
def file_download(request, pk):
    _reader(request)
    return file_views.download(ReportFile, pk)
