"""Changing reports to the city: the office's texts (each change in the history), making one final (freezing its
data) or a draft again, generating its PDF on a job, and marking a reported major problem 需市级协调."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from departments.roles import is_office
from evaluation import files
from evaluation.changes import record_draft, record_final
from tasks.models import TaskUpdate

from . import document
from .content import build_content
from .models import CityReport, CityReportChange, CityReportFile, Escalation, EscalationStep
from .selectors import reported_problems

TEXT_FIELDS = ("introduction", "closing")


class StaleReport(Exception):
    """Another member of the office saved the report after this form was opened."""


def report_for(plan, year: int, quarter: int | None) -> CityReport:
    report, _created = CityReport.objects.get_or_create(plan=plan, year=year, quarter=quarter)
    return report


def current_content(report: CityReport, *, today: dt.date) -> dict:
    """The frozen data of a final report, or today's data for a draft."""
    if report.is_final and report.snapshot is not None:
        return report.snapshot
    return build_content(report, today=today)


@transaction.atomic
def update_texts(report: CityReport, *, by, version: int, **values) -> CityReport:
    """Save the office's introduction and closing; each changed field goes into the history."""
    report = _editable(report, by=by)
    if report.version != version:
        raise StaleReport()
    if set(values) - set(TEXT_FIELDS):
        raise ValueError(f"not editable: {sorted(set(values) - set(TEXT_FIELDS))}")
    changes = []
    for name, value in values.items():
        before = getattr(report, name)
        if (before or "") != (value or ""):
            changes.append(CityReportChange(report=report, field=name, before=before, after=value, changed_by=by))
            setattr(report, name, value)
    if changes:
        report.version += 1
        report.save()
        CityReportChange.objects.bulk_create(changes)
    return report


@transaction.atomic
def finalize(report: CityReport, *, by, today: dt.date, version: int) -> CityReport:
    """Freeze the data: every later PDF of this report is built from this snapshot, whatever is approved since."""
    report = _editable(report, by=by)
    if report.version != version:
        raise StaleReport()
    record_final(report, build_content(report, today=today), changes=CityReportChange, by=by, at=timezone.now())
    return report


@transaction.atomic
def reopen(report: CityReport, *, by, reason: str) -> CityReport:
    _require_office(by)
    if not (reason or "").strip():
        raise ValidationError(_("Write why the final report is being reopened."))
    report = CityReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_final:
        raise ValidationError(_("This report is already a draft."))
    record_draft(report, changes=CityReportChange, by=by, reason=reason)
    return report


def request_pdf(report: CityReport, *, by) -> CityReportFile:
    """Queue a PDF; the page polls the row's progress. The job runs after this transaction commits."""
    from .jobs import generate_city_report_pdf

    _require_office(by)
    return files.request(CityReportFile, generate_city_report_pdf, report, by=by)


def generate_pdf(file_id: int, *, today: dt.date | None = None) -> CityReportFile:
    """Render the PDF of one requested file, reporting progress on the row; a failure is recorded, not raised."""
    file = CityReportFile.objects.select_related("report__plan__jurisdiction").get(pk=file_id)
    report = file.report
    return files.generate(
        file,
        reading=gettext_noop("Reading the period's data"),
        reopened=_("The report was reopened as a draft before this file was made; generate again."),
        build=lambda: build_content(report, today=today or timezone.localdate()),
        render=document.render_pdf,
        name=lambda f: f"{report.plan.code}-city-{report.scope_slug}-{f.kind}-{f.pk}.pdf",
    )


def expire_stale_files(*, now=None) -> int:
    """With a worker (beat, every minute): a running row whose heartbeat has been silent for minutes lost its worker,
    a queued row may wait behind other jobs for `files.QUEUED_AFTER`; either then fails with the reason."""
    return files.expire_stale(CityReportFile, now=now)


def fail_orphaned_files(*, now=None) -> int:
    """Without a broker: fail the rows a restart of the web process left behind (see evaluation.files)."""
    from .jobs import generate_city_report_pdf

    return files.fail_orphaned(CityReportFile, generate_city_report_pdf, now=now)


@transaction.atomic
def mark_escalation(task_update: TaskUpdate, *, by, reason: str) -> Escalation:
    """Mark a reported major problem 需市级协调; the reason is required and kept in the mark's history."""
    _require_office(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Write why this problem needs the city's coordination."))
    # The problem's row is locked, so two first marks of the same problem wait for each other instead of the second
    # failing on the one-mark-per-problem constraint. A draft's problem is still the unit's own: not markable.
    if reported_problems().select_for_update(of=("self",)).filter(pk=task_update.pk).first() is None:
        raise ValidationError(_("Only a reported major problem can be marked as needing city-level coordination."))
    now = timezone.now()
    escalation = Escalation.objects.select_for_update().filter(task_update=task_update).first()
    if escalation is not None and escalation.is_active:
        raise ValidationError(_("This problem is already marked as needing city-level coordination."))
    if escalation is None:
        escalation = Escalation(task_update=task_update)
    escalation.is_active, escalation.reason, escalation.marked_by, escalation.marked_at = True, reason, by, now
    escalation.save()
    EscalationStep.objects.create(
        escalation=escalation, action=EscalationStep.Action.MARK, reason=reason, by=by, at=now
    )
    return escalation


@transaction.atomic
def unmark_escalation(task_update: TaskUpdate, *, by, reason: str) -> Escalation:
    """Withdraw the mark (the city need not coordinate after all); the reason is kept, the row stays."""
    _require_office(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Write why the mark is withdrawn."))
    escalation = Escalation.objects.select_for_update().filter(task_update=task_update, is_active=True).first()
    if escalation is None:
        raise ValidationError(_("This problem is not marked as needing city-level coordination."))
    escalation.is_active = False
    escalation.save(update_fields=["is_active"])
    EscalationStep.objects.create(
        escalation=escalation, action=EscalationStep.Action.UNMARK, reason=reason, by=by, at=timezone.now()
    )
    return escalation


def _editable(report: CityReport, *, by) -> CityReport:
    _require_office(by)
    report = CityReport.objects.select_for_update().get(pk=report.pk)
    if report.is_final:
        raise ValidationError(_("This report is final and cannot be changed; reopen it as a draft first."))
    return report


def _require_office(user) -> None:
    if not is_office(user):
        raise PermissionDenied(_("Only the leading-group office may change reports to the city."))
