"""Every change to a quarterly report goes through these functions: one transaction each, permission
checks and validation inside, and a history entry (who, when, what before and after) written inside.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Department
from targets.models import Plan

from . import permissions
from .evidence import check_evidence_file, display_name
from .limits import text_problem
from .models import (
    EVIDENCE_FIELD,
    QUALITY_FLAG_FIELD,
    Evidence,
    FieldChange,
    IndicatorValue,
    Notice,
    QualityFlag,
    QuarterlyReport,
    ReportEvent,
    ReportingPeriod,
    ReportStatus,
    TaskUpdate,
)
from .notifications import notify_office_of_major_problems
from .selectors import department_indicators, department_tasks, last_approved_updates, previous_values
from .signals import approved_data_changed, report_submitted
from .validation import check_indicator_value, check_task_update

workflow_log = logging.getLogger("ninghe.workflow")

TASK_FIELDS = ("status", "percent_complete", "work_done", "problems", "next_steps", "major_problem")
CARRIED_FIELDS = ("status", "percent_complete", "work_done", "problems", "next_steps")
CONFIRM_CARRIED = "confirm_carried"
INDICATOR_FIELDS = ("value", "reached", "data_source", "note", "change_explanation")


class VersionConflict(Exception):
    """Someone saved the report after this form was opened; the newer save wins and nothing is lost.

    `since` holds every event after the form's version, oldest first, so the user sees all they missed.
    """

    def __init__(self, report: QuarterlyReport, since: list[ReportEvent]):
        self.report = report
        self.since = since
        self.latest = since[-1] if since else None
        super().__init__(_("This report was changed by someone else after you opened it."))

    @property
    def changes(self) -> list[FieldChange]:
        return [change for event in self.since for change in event.changes.all()]


@dataclass
class ReportErrors(Exception):
    """Field errors keyed by row: {"task", task_id} or {"indicator", indicator_id} -> {field: message}."""

    tasks: dict[int, dict[str, str]] = field(default_factory=dict)
    indicators: dict[int, dict[str, str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.tasks or self.indicators or self.general)


def _locked(report: QuarterlyReport) -> QuarterlyReport:
    """Lock the report's row only: FOR UPDATE over the join would also lock the shared plan and period rows, and
    fifty units saving at once then deadlock on them (benchmarks/load.py found it)."""
    reports = QuarterlyReport.objects.select_for_update(of=("self",)).select_related("period", "department", "plan")
    return reports.get(pk=report.pk)


def _record(report, *, action, by, before_status, comment="", changes=()) -> ReportEvent:
    event = ReportEvent.objects.create(
        report=report,
        action=action,
        actor=by,
        comment=comment,
        status_before=before_status,
        status_after=report.status,
        version=report.version,
    )
    FieldChange.objects.bulk_create(FieldChange(event=event, **change) for change in changes)
    workflow_log.info(
        "report.%s",
        action,
        extra={
            "action": action,
            "report": report.pk,
            "department": report.department_id,
            "period": report.period_id,
            "user": by.get_username(),
            "status_before": before_status,
            "status_after": report.status,
            "version": report.version,
            "changed_fields": len(changes),
        },
    )
    return event


def _refused(exc: Exception, *, report, by, action: str) -> Exception:
    """Log a change the rules turned away (invalid values, a stale version); nothing was saved."""
    if isinstance(exc, ReportErrors):
        reason, fields = "invalid", sum(map(len, (*exc.tasks.values(), *exc.indicators.values()))) + len(exc.general)
    elif isinstance(exc, ValidationError):
        reason, fields = "invalid", len(exc.messages)
    else:
        reason, fields = "version_conflict", 0
    log_refusal(report=report, by=by, action=action, reason=reason, errors=fields)
    return exc


def log_refusal(*, report, by, action: str, reason: str, errors: int) -> None:
    """One log line for a change turned away before anything was saved (also used by the spreadsheet import)."""
    workflow_log.warning(
        "report.refused",
        extra={"action": action, "report": report.pk, "user": by.get_username(), "reason": reason, "errors": errors},
    )


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


@transaction.atomic
def start_report(*, plan: Plan, department: Department, period: ReportingPeriod, by, is_demo=False) -> QuarterlyReport:
    """Open (or return) the unit's report for the quarter, with a row for every task and indicator it owns."""
    if not permissions.can_start_report(by, department, period):
        raise PermissionDenied(_("Only the department's own members can start its report while the quarter is open."))
    if department.jurisdiction_id != plan.jurisdiction_id:
        raise PermissionDenied(_("This department does not report on this plan."))
    report, created = QuarterlyReport.objects.get_or_create(
        plan=plan, department=department, period=period, defaults={"updated_by": by, "is_demo": is_demo}
    )
    if created:
        last = last_approved_updates(report)
        TaskUpdate.objects.bulk_create(
            _carried(report, task, last.get(task.pk)) for task in department_tasks(plan, department)
        )
        IndicatorValue.objects.bulk_create(
            IndicatorValue(report=report, period=period, indicator=i, recorded_by=by)
            for i in department_indicators(plan, department)
        )
        _record(report, action=ReportEvent.Action.CREATE, by=by, before_status="")
    return report


def _carried(report: QuarterlyReport, task, last: TaskUpdate | None) -> TaskUpdate:
    """A new quarter starts from the last approved one: where the task stood and what was written, to be
    confirmed or changed. Figures are never carried over; the form shows last quarter's beside the field."""
    if last is None:
        return TaskUpdate(report=report, task=task)
    return TaskUpdate(report=report, task=task, carried_over=True, **{f: getattr(last, f) for f in CARRIED_FIELDS})


def validate_report_data(report, task_data, indicator_data, *, complete: bool) -> ReportErrors:
    errors = ReportErrors()
    previous = previous_values(report)
    for task_id, data in task_data.items():
        if problems := check_task_update(data, complete=complete):
            errors.tasks[task_id] = problems
    values = {v.indicator_id: v for v in report.indicator_values.current().select_related("indicator")}
    for indicator_id, data in indicator_data.items():
        row = values.get(indicator_id)
        if row is None:
            errors.general.append(_("Indicator %(id)s is not part of this report.") % {"id": indicator_id})
            continue
        problems = check_indicator_value(row.indicator, data, previous=previous.get(indicator_id), complete=complete)
        if problems:
            errors.indicators[indicator_id] = problems
    return errors


@transaction.atomic
def save_draft(
    *, report: QuarterlyReport, by, version: int, task_data: dict, indicator_data: dict, action=ReportEvent.Action.SAVE
) -> ReportEvent | None:
    """Store the form's values if nobody saved in between; record each changed field. No change, no event."""
    report = _locked(report)
    if not permissions.can_edit(by, report):
        raise PermissionDenied(_("This report cannot be edited now."))
    indicator_data = {pk: _decimal_value(data) for pk, data in indicator_data.items()}
    if version != report.version:
        since = report.events.filter(version__gt=version).select_related("actor").prefetch_related("changes__task")
        raise _refused(VersionConflict(report, list(since.order_by("at", "pk"))), report=report, by=by, action=action)
    errors = validate_report_data(report, task_data, indicator_data, complete=False)
    if errors:
        raise _refused(errors, report=report, by=by, action=action)

    changes = []
    updates = {u.task_id: u for u in report.task_updates.select_related("task")}
    unknown = set(task_data) - set(updates)
    if unknown:
        raise ReportErrors(general=[_("Some tasks are not part of this report.")])
    newly_major = []
    for task_id, data in task_data.items():
        update = updates[task_id]
        changed = _apply(update, data, TASK_FIELDS, changes, task=update.task)
        if update.carried_over and (changed or data.get(CONFIRM_CARRIED)):
            changed += _apply(update, {"carried_over": False}, ("carried_over",), changes, task=update.task)
        if "major_problem" in changed and update.major_problem:
            newly_major.append(update)
        if changed:
            update.save(update_fields=changed)
    values = {v.indicator_id: v for v in report.indicator_values.current().select_related("indicator")}
    for indicator_id, data in indicator_data.items():
        row = values[indicator_id]
        changed = _apply(row, data, INDICATOR_FIELDS, changes, indicator=row.indicator)
        if changed:
            row.save(update_fields=changed)
    if not changes:
        return None
    report.version += 1
    report.updated_by = by
    report.save(update_fields=["version", "updated_by", "updated_at"])
    event = _record(report, action=action, by=by, before_status=report.status, changes=changes)
    if newly_major:
        transaction.on_commit(lambda: notify_office_of_major_problems(report, newly_major))
    return event


@transaction.atomic
def save_report_form(
    *, report: QuarterlyReport, by, version: int, task_data: dict, indicator_data: dict, uploads: dict
):
    """The form's save: typed values and chosen files together, or nothing at all.

    A refused file refuses the whole save (ReportErrors on the task's `evidence` field), so the page can show
    every typed value again and nothing stored has changed; before, a separate upload form reloaded the page
    and lost what had been typed since the last save.
    """
    save_draft(report=report, by=by, version=version, task_data=task_data, indicator_data=indicator_data)
    updates = {u.task_id: u for u in report.task_updates.filter(task_id__in=uploads)}
    for task_id, upload in uploads.items():
        try:
            add_evidence(task_update=updates[task_id], by=by, upload=upload)
        except ValidationError as exc:
            raise ReportErrors(tasks={task_id: {EVIDENCE_FIELD: " ".join(exc.messages)}}) from None


def _decimal_value(data: dict) -> dict:
    """Callers other than the form (spreadsheet, API, scripts) may pass ints or floats; store exact decimals."""
    value = data.get("value")
    if value is None or isinstance(value, Decimal):
        return data
    return {**data, "value": Decimal(str(value))}


def _apply(row, data: dict, fields, changes: list, **where) -> list[str]:
    changed = []
    for name in fields:
        if name not in data:
            continue
        before, after = getattr(row, name), data[name]
        if isinstance(after, str):
            after = after.strip()
        if _text(before) != _text(after):
            setattr(row, name, after)
            changed.append(name)
            changes.append({"field": name, "before": _text(before), "after": _text(after), **where})
    return changed


def _report_data(report: QuarterlyReport) -> tuple[dict, dict]:
    tasks = {u.task_id: {f: getattr(u, f) for f in TASK_FIELDS} for u in report.task_updates.all()}
    indicators = {
        v.indicator_id: {f: getattr(v, f) for f in INDICATOR_FIELDS} for v in report.indicator_values.current()
    }
    return tasks, indicators


@transaction.atomic
def submit_report(*, report: QuarterlyReport, by, carried_must_be_confirmed: bool = False) -> QuarterlyReport:
    """Send the report on: to the head when the unit requires sign-off, otherwise to the office.

    `carried_must_be_confirmed`: the form, which shows what was carried over from last quarter, asks for each such
    task to be confirmed or changed. A workbook or an API client writes whole rows and has stated them.
    """
    report = _locked(report)
    if not permissions.can_submit(by, report):
        raise PermissionDenied(_("This report cannot be submitted now."))
    errors = validate_report_data(report, *_report_data(report), complete=True)
    for update in report.task_updates.filter(carried_over=True) if carried_must_be_confirmed else ():
        errors.tasks.setdefault(update.task_id, {})[CONFIRM_CARRIED] = _(
            "Carried over from last quarter: check it, then tick the box to keep it, or change it."
        )
    if errors:
        raise _refused(errors, report=report, by=by, action=ReportEvent.Action.SUBMIT)
    before = report.status
    if report.department.requires_head_signoff and not permissions.is_head_of_unit(by, report):
        report.status = ReportStatus.AWAITING_SIGNOFF
    else:
        _mark_submitted(report)
    return _finish(report, by=by, before=before, action=ReportEvent.Action.SUBMIT)


def _mark_submitted(report: QuarterlyReport) -> None:
    """The report has reached the office: reminders about it are settled."""
    now = timezone.now()
    Notice.objects.filter(department=report.department, period=report.period, resolved_at__isnull=True).update(
        resolved_at=now
    )
    report.status = ReportStatus.SUBMITTED
    if report.submitted_at is None:
        report.submitted_at = now
        report.is_late = report.period.is_overdue(timezone.localdate(now))


@transaction.atomic
def sign_off_report(*, report: QuarterlyReport, by, approve: bool, comment: str = "") -> QuarterlyReport:
    """The head sends the report to the office, or back to the reporters with a comment."""
    report = _locked(report)
    if not permissions.can_sign_off(by, report):
        raise PermissionDenied(_("Only the department head can sign off this report now."))
    before = report.status
    if approve:
        _mark_submitted(report)
        action = ReportEvent.Action.SIGN_OFF
    else:
        _require(comment, _("Say what must be changed."))
        report.status = ReportStatus.RETURNED
        report.office_comment = comment
        action = ReportEvent.Action.RETURN
    return _finish(report, by=by, before=before, action=action, comment=comment)


@transaction.atomic
def approve_report(*, report: QuarterlyReport, by, comment: str = "") -> QuarterlyReport:
    report = _locked(report)
    if not permissions.can_review(by, report):
        raise PermissionDenied(_("Only the office can approve a submitted report."))
    if not permissions.can_approve(by, report):
        raise PermissionDenied(_("You wrote or signed this report, so another member of the office must approve it."))
    before = report.status
    report.status = ReportStatus.APPROVED
    report.approved_at = timezone.now()
    report.office_comment = comment
    # The report's figures become known now: its drafts (a new version after a reopening) are drafts no more.
    report.indicator_values.current().filter(valid_from__isnull=True).update(valid_from=report.approved_at)
    approved_data_changed.send(sender=QuarterlyReport, report=report)
    return _finish(report, by=by, before=before, action=ReportEvent.Action.APPROVE, comment=comment)


@transaction.atomic
def return_report(*, report: QuarterlyReport, by, comment: str) -> QuarterlyReport:
    report = _locked(report)
    if not permissions.can_review(by, report):
        raise PermissionDenied(_("Only the office can return a submitted report."))
    _require(comment, _("Say what must be changed."))
    before = report.status
    report.status = ReportStatus.RETURNED
    report.office_comment = comment
    return _finish(report, by=by, before=before, action=ReportEvent.Action.RETURN, comment=comment)


@transaction.atomic
def reopen_report(*, report: QuarterlyReport, by, reason: str) -> QuarterlyReport:
    """Unlock an approved report for correction; the reason stays in its history."""
    report = _locked(report)
    if not permissions.can_reopen(by, report):
        raise PermissionDenied(_("Only the office can reopen an approved report."))
    _require(reason, _("Give the reason for reopening."))
    before = report.status
    report.status = ReportStatus.RETURNED
    report.approved_at = None
    report.office_comment = reason
    new_versions(report, by=by, reason=reason)
    approved_data_changed.send(sender=QuarterlyReport, report=report)
    return _finish(report, by=by, before=before, action=ReportEvent.Action.REOPEN, comment=reason)


def new_versions(report: QuarterlyReport, *, by, reason: str) -> list[IndicatorValue]:
    """A reopened report's figures are corrected in new versions: each known one is withdrawn now (its report is
    no longer approved) and replaced by a draft copy, which its report edits and its next approval makes known.
    The approved version itself is never changed, so "what was known on D" stays readable."""
    now = timezone.now()
    known = list(report.indicator_values.current().filter(valid_from__isnull=False).order_by("pk"))
    drafts = IndicatorValue.objects.bulk_create(
        IndicatorValue(
            report=report,
            period_id=row.period_id,
            indicator_id=row.indicator_id,
            kind=row.kind,
            version=row.version + 1,
            recorded_at=now,
            recorded_by=by,
            reason=reason,
            **{f: getattr(row, f) for f in INDICATOR_FIELDS},
        )
        for row in known
    )
    for row, draft in zip(known, drafts, strict=True):
        IndicatorValue.objects.filter(pk=row.pk).update(superseded_at=now, superseded_by=draft)
    return drafts


def _finish(report: QuarterlyReport, *, by, before: str, action: str, comment: str = "") -> QuarterlyReport:
    """Every workflow step ends the same way: check the comment, stamp, save, and write the history entry."""
    _check_comment(comment)
    report.updated_by = by
    report.save()
    _record(report, action=action, by=by, before_status=before, comment=comment)
    if report.status == ReportStatus.SUBMITTED != before:
        report_submitted.send(sender=QuarterlyReport, report=report)
    return report


def _require(text: str, message: str) -> None:
    if not (text or "").strip():
        raise ValidationError(message)


def _check_comment(text: str) -> None:
    if problem := text_problem("comment", text):
        raise ValidationError(problem)


@transaction.atomic
def dismiss_flag(*, flag: QualityFlag, by, reason: str) -> QualityFlag:
    """The office has looked and found nothing wrong: the flag stays, marked dismissed with who, when and why,
    and the report's history says so. Reported data and the report's version do not change."""
    report = _locked(flag.report)
    if not permissions.can_dismiss_flag(by, report):
        raise PermissionDenied(_("Only the office can dismiss a check prompt."))
    flag = QualityFlag.objects.select_for_update().get(pk=flag.pk)
    if not flag.is_open:
        raise ValidationError(_("This check prompt was already dismissed."))
    _require(reason, _("Give the reason for dismissing this check prompt."))
    _check_comment(reason)
    flag.dismissed_at, flag.dismissed_by, flag.dismissal_reason = timezone.now(), by, reason.strip()
    flag.save(update_fields=["dismissed_at", "dismissed_by", "dismissal_reason"])
    change = {
        "field": QUALITY_FLAG_FIELD,
        "before": flag.sentence,
        "after": "",
        "task": flag.task,
        "indicator": flag.indicator,
    }
    _record(
        report,
        action=ReportEvent.Action.DISMISS_FLAG,
        by=by,
        before_status=report.status,
        comment=flag.dismissal_reason,
        changes=[change],
    )
    return flag


@transaction.atomic
def add_evidence(*, task_update: TaskUpdate, by, upload) -> Evidence:
    """Attach a checked file to a task update; the attachment is part of the report's history."""
    report = _locked(task_update.report)
    if not permissions.can_edit(by, report):
        raise PermissionDenied(_("This report cannot be edited now."))
    try:
        content_type = check_evidence_file(upload)
    except ValidationError as exc:
        raise _refused(exc, report=report, by=by, action=ReportEvent.Action.UPLOAD) from None
    evidence = Evidence.objects.create(
        task_update=task_update,
        file=upload,
        original_name=display_name(upload.name),
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    report.version += 1
    report.updated_by = by
    report.save(update_fields=["version", "updated_by", "updated_at"])
    _record(
        report,
        action=ReportEvent.Action.UPLOAD,
        by=by,
        before_status=report.status,
        changes=[{"field": EVIDENCE_FIELD, "before": "", "after": evidence.original_name, "task": task_update.task}],
    )
    return evidence
