"""Quarterly reporting pages: thin callers of tasks.services, tasks.selectors and tasks.permissions."""

from __future__ import annotations

from io import BytesIO

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from departments.roles import department_of, is_office, is_viewer, membership_of
from targets.selectors import default_plan_or_404

from . import official, official_table, permissions, selectors, services, spreadsheet
from .forms import CommentForm, EvidenceForm, OfficialFigureForm, ReportForm, review_comment
from .models import Evidence, QualityFlag, QuarterlyReport, ReportingPeriod, TaskUpdate


@login_required
def home(request):
    plan, today = default_plan_or_404(), timezone.localdate()
    periods = list(selectors.current_periods(today))
    department = department_of(request.user)
    if department is not None:
        reports = {r.period_id: r for r in selectors.department_reports(plan, department)}
        context = {
            "plan": plan,
            "department": department,
            "membership": membership_of(request.user),
            "notices": department.notices.filter(resolved_at__isnull=True).select_related("period"),
            "current": [
                {
                    "period": p,
                    "report": reports.get(p.pk),
                    "state": selectors.row_state(reports.get(p.pk), p, today),
                    "unsent": reports.get(p.pk) is None or reports[p.pk].status in selectors.UNSENT,
                }
                for p in periods
            ],
            "returned": [r for r in reports.values() if r.status == "returned"],
            "to_sign": [r for r in reports.values() if permissions.can_sign_off(request.user, r)],
            "past": sorted(reports.values(), key=lambda r: r.period.key, reverse=True),
            "today": today,
        }
        return render(request, "tasks/home_department.html", context)
    if is_office(request.user) or is_viewer(request.user):
        period = _chosen_period(request, periods)
        visible = permissions.visible_reports(request.user, QuarterlyReport.objects.filter(plan=plan))
        rows, counts = selectors.office_queue(plan, period, today) if period else ([], {})
        if period and permissions.can_see_flags(request.user):
            flagged = selectors.open_flag_counts(plan, period)
            for row in rows:
                row["open_flags"] = flagged.get(row["report"].pk, 0) if row["report"] else 0
            counts["flagged"] = len(flagged)
        context = {
            "plan": plan,
            "period": period,
            "periods": ReportingPeriod.objects.all(),
            "rows": rows,
            "counts": counts,
            "major_problems": selectors.major_problems(plan, visible)[:50],
            "is_office": is_office(request.user),
            "sees_flags": permissions.can_see_flags(request.user),
        }
        return render(request, "tasks/home_office.html", context)
    raise PermissionDenied(_("Your account has no role yet; ask the office to assign one."))


def _chosen_period(request, periods):
    wanted = request.GET.get("period")
    if wanted:
        return get_object_or_404(ReportingPeriod, pk=wanted)
    return selectors.default_period(periods, timezone.localdate()) or ReportingPeriod.objects.first()


@login_required
@require_POST
def report_start(request, period_pk):
    period = get_object_or_404(ReportingPeriod, pk=period_pk)
    department = department_of(request.user)
    if department is None:
        raise PermissionDenied
    report = services.start_report(plan=default_plan_or_404(), department=department, period=period, by=request.user)
    return redirect(report)


def _visible_report(request, pk) -> QuarterlyReport:
    try:
        return selectors.report_with_content(pk, permissions.visible_reports(request.user))
    except QuarterlyReport.DoesNotExist:
        raise Http404 from None


@login_required
def report_detail(request, pk):
    report = _visible_report(request, pk)
    editable = permissions.can_edit(request.user, report)
    conflict = None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = ReportForm(report, data=request.POST, files=request.FILES)
        saved, conflict = _save(request, report, form)
        if request.POST.get("action") == "autosave":
            return _autosave_answer(report, form, saved, conflict)
        if saved:
            return _after_save(request, report)
        if not conflict:
            messages.error(
                request, _("Nothing was saved: please correct the %(n)s marked fields.") % {"n": form.error_count or 1}
            )
    else:
        form = ReportForm(report) if editable else None
    context = _detail_context(request, report, form, conflict)
    context["entries_unsaved"] = request.method == "POST"  # shown again after a refused save
    return render(request, "tasks/report_detail.html", context)


def _save(request, report, form) -> tuple[bool, services.VersionConflict | None]:
    """Values and files in one save; a refusal leaves the form bound to what was typed."""
    if not form.is_valid():
        return False, None
    try:
        services.save_report_form(
            report=report,
            by=request.user,
            version=form.version,
            task_data=form.task_data,
            indicator_data=form.indicator_data,
            uploads=form.uploads,
        )
    except services.VersionConflict as exc:
        return False, exc
    except services.ReportErrors as errors:
        form.add_errors(errors)
        return False, None
    return True, None


def _autosave_answer(report, form, saved: bool, conflict) -> JsonResponse:
    """The page's periodic save: the new version to send next time, or why nothing was saved."""
    version = QuarterlyReport.objects.values_list("version", flat=True).get(pk=report.pk)
    if conflict is not None:
        message = _(
            "Someone else saved this report after you opened it; autosave has stopped. Press Save draft to see their changes; your entries stay on the page."
        )
        return JsonResponse({"saved": False, "conflict": message}, status=409)
    return JsonResponse(
        {
            "saved": saved,
            "version": version if saved else form.version,
            "at": timezone.localtime().strftime("%H:%M"),
            "errors": {} if saved else form.field_errors(),
        }
    )


def _after_save(request, report):
    fresh = QuarterlyReport.objects.get(pk=report.pk)
    if request.POST.get("action") == "submit":
        try:
            services.submit_report(report=fresh, by=request.user, carried_must_be_confirmed=True)
        except services.ReportErrors as errors:
            saved = selectors.report_with_content(report.pk, QuarterlyReport.objects.all())
            form = ReportForm(saved, data=request.POST)
            form.is_valid()
            form.version = saved.version
            form.add_errors(errors)
            messages.error(request, _("Saved as a draft, but not submitted: please complete the marked fields."))
            return render(request, "tasks/report_detail.html", _detail_context(request, saved, form, None))
        messages.success(request, _("Report submitted."))
    else:
        messages.success(request, _("Draft saved."))
    return redirect(fresh)


def _detail_context(request, report, form, conflict):
    user = request.user
    can_review = permissions.can_review(user, report)
    can_sign_off = permissions.can_sign_off(user, report)
    return {
        "plan": report.plan,
        "report": report,
        "form": form,
        "conflict": conflict,
        "comment_form": CommentForm(),
        "can_edit": form is not None,
        "can_sign_off": can_sign_off,
        "can_review": can_review,
        "can_approve": permissions.can_approve(user, report),
        "reviewing": can_review or can_sign_off,
        "figures": selectors.figures_in_review(report) if form is None else [],
        "can_reopen": permissions.can_reopen(user, report),
        "flags": selectors.report_flags(report) if permissions.can_see_flags(user) else [],
        "can_dismiss_flags": permissions.can_dismiss_flag(user, report),
        "events": report.events.all(),
        "evidence_max_bytes": settings.EVIDENCE_MAX_BYTES,
    }


ACTIONS = {
    "sign-off": lambda report, user, comment: services.sign_off_report(
        report=report, by=user, approve=True, comment=comment
    ),
    "head-return": lambda report, user, comment: services.sign_off_report(
        report=report, by=user, approve=False, comment=comment
    ),
    "approve": lambda report, user, comment: services.approve_report(report=report, by=user, comment=comment),
    "return": lambda report, user, comment: services.return_report(report=report, by=user, comment=comment),
    "reopen": lambda report, user, comment: services.reopen_report(report=report, by=user, reason=comment),
}
ACTION_MESSAGES = {
    "sign-off": _("Signed off and sent to the office."),
    "head-return": _("Returned to the reporters."),
    "approve": _("Report approved and locked."),
    "return": _("Report returned to the department with your comment."),
    "reopen": _("Report reopened for correction."),
}


@login_required
@require_POST
def report_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    report = get_object_or_404(permissions.visible_reports(request.user), pk=pk)
    try:
        ACTIONS[action](report, request.user, review_comment(report, request.POST))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, ACTION_MESSAGES[action])
    return redirect(report)


@login_required
@require_POST
def flag_dismiss(request, pk, flag_pk):
    report = get_object_or_404(permissions.visible_reports(request.user), pk=pk)
    flag = get_object_or_404(QualityFlag, report=report, pk=flag_pk)
    try:
        services.dismiss_flag(flag=flag, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Check prompt dismissed; the reason is kept in the history."))
    return redirect(f"{report.get_absolute_url()}#quality-flags")


@login_required
@require_POST
def evidence_upload(request, pk, task_pk):
    """One file for one task, for scripts and old bookmarks; the report page uploads within its own save."""
    report = get_object_or_404(permissions.visible_reports(request.user), pk=pk)
    update = get_object_or_404(TaskUpdate, report=report, task_id=task_pk)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect(report)
    try:
        services.add_evidence(task_update=update, by=request.user, upload=form.cleaned_data["file"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("File attached."))
    return redirect(f"{report.get_absolute_url()}#task-{task_pk}")


@login_required
def evidence_download(request, pk):
    evidence = get_object_or_404(
        Evidence.objects.select_related("task_update__report"),
        pk=pk,
        task_update__report__in=permissions.visible_reports(request.user),
    )
    return attachment(evidence)


def attachment(evidence) -> FileResponse:
    """An uploaded file (anything with file, original_name, content_type), only ever as a download."""
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"  # also set by SecurityMiddleware; this file must never be sniffed
    return response


@login_required
def report_workbook(request, pk):
    """Whoever may read the report may take it offline; editing rights are checked on upload."""
    report = get_object_or_404(permissions.visible_reports(request.user).select_related("department", "period"), pk=pk)
    try:
        content = spreadsheet.build_workbook(report)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(report)
    return FileResponse(
        BytesIO(content),
        as_attachment=True,
        filename=spreadsheet.workbook_filename(report),
        content_type=spreadsheet.XLSX_CONTENT_TYPE,
    )


@login_required
@require_POST
def report_workbook_upload(request, pk):
    report = get_object_or_404(permissions.visible_reports(request.user), pk=pk)
    upload = request.FILES.get("workbook")
    if upload is None:
        messages.error(request, _("Choose a file to upload."))
        return redirect(report)
    try:
        outcome = spreadsheet.import_workbook(report=report, file=upload, by=request.user)
    except services.VersionConflict as conflict:
        messages.error(
            request, _("%(problem)s Download the workbook again and enter your changes in it.") % {"problem": conflict}
        )
        return redirect(report)
    if outcome.errors:
        context = {"plan": report.plan, "report": report, "errors": outcome.errors}
        return render(request, "tasks/workbook_errors.html", context)
    if outcome.event is None:
        messages.info(request, _("The workbook holds no changes; nothing was saved."))
    else:
        messages.success(
            request,
            ngettext(
                "Imported %(n)s change from the workbook.", "Imported %(n)s changes from the workbook.", outcome.changed
            )
            % {"n": outcome.changed},
        )
    return redirect(report)


# --- official figures ----------------------------------------------------------------------------------------

UPLOAD_SESSION_KEY = "official_upload"


def _official_context(request, plan, **extra) -> dict:
    indicators = official.indicators_for(request.user, plan)
    if not indicators.exists():
        raise PermissionDenied
    context = {
        "plan": plan,
        "form": OfficialFigureForm(
            indicators=indicators, periods=ReportingPeriod.objects.chronological(newest_first=True)
        ),
        "recent": selectors.official_figures(plan)[:100],
    }
    return {**context, **extra}


@login_required
def official_figures(request):
    """Record one official figure, or upload the bureau's table; every version recorded so far below."""
    plan = default_plan_or_404()
    context = _official_context(request, plan)
    if request.method == "POST":
        form = OfficialFigureForm(
            request.POST,
            indicators=context["form"].fields["indicator"].queryset,
            periods=context["form"].fields["period"].queryset,
        )
        if form.is_valid():
            try:
                official.record_official_figures(
                    entries=[form.entry()], by=request.user, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                messages.success(request, _("Official figure recorded."))
                return redirect("tasks:official-figures")
        context["form"] = form
    return render(request, "tasks/official_figures.html", context)


@login_required
@require_POST
def official_upload(request):
    """Check the uploaded table cell by cell and show what would be recorded; nothing is saved yet."""
    plan = default_plan_or_404()
    context = _official_context(request, plan)
    upload = request.FILES.get("table")
    if upload is None:
        messages.error(request, _("Choose a file to upload."))
        return redirect("tasks:official-figures")
    parsed = official_table.read_table(plan, upload.name, upload.read(official_table.MAX_UPLOAD_BYTES + 1))
    allowed = set(context["form"].fields["indicator"].queryset.values_list("pk", flat=True))
    for entry, row in zip(parsed.entries, parsed.rows, strict=True):
        if entry.indicator.pk not in allowed:
            parsed.add(row, 0, _("You may not record official figures of this indicator."))
    if parsed.errors:
        context.update(upload_errors=parsed.errors, upload_name=upload.name)
        return render(request, "tasks/official_figures.html", context)
    request.session[UPLOAD_SESSION_KEY] = {
        "name": upload.name,
        "entries": [official_table.serialize(entry) for entry in parsed.entries],
    }
    context.update(
        preview=parsed.entries, preview_rows=zip(parsed.rows, parsed.entries, strict=True), upload_name=upload.name
    )
    return render(request, "tasks/official_figures.html", context)


@login_required
@require_POST
def official_confirm(request):
    """Record the previewed table, all of it or nothing."""
    pending = request.session.pop(UPLOAD_SESSION_KEY, None)
    if pending is None:
        messages.error(request, _("Nothing to record: upload the table again."))
        return redirect("tasks:official-figures")
    entries = [official_table.deserialize(row) for row in pending["entries"]]
    reason = _("Uploaded table %(name)s") % {"name": pending["name"]}
    try:
        written = official.record_official_figures(entries=entries, by=request.user, reason=reason)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("tasks:official-figures")
    messages.success(
        request,
        ngettext("Recorded %(n)s official figure.", "Recorded %(n)s official figures.", len(written))
        % {"n": len(written)},
    )
    return redirect("tasks:official-figures")


@login_required
def official_template(request):
    plan = default_plan_or_404()
    _official_context(request, plan)
    data = official_table.template_workbook(plan)
    return FileResponse(
        BytesIO(data),
        as_attachment=True,
        filename="统计数据导入模板.xlsx",
        content_type=official_table.XLSX_CONTENT_TYPE,
    )
