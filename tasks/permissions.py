"""Who may see and do what with a quarterly report: one matrix, used by views, services and (later) the API.

- office staff and administrators: see every report, approve, return, reopen, manage periods;
- a unit's reporter: sees and edits its own unit's reports only, submits them;
- a unit's head: as a reporter, and signs off when the unit requires it;
- viewers (district leaders): read approved reports only;
- anyone else: nothing.

Separation of duties: whoever wrote a report (saved, imported, attached, submitted) or signed it off never
approves it, whatever roles they hold, since an office member can be given a unit membership in the admin.
"""

from __future__ import annotations

from django.db.models import QuerySet

from departments.roles import department_of, is_head_of, is_office, is_viewer

from .models import QuarterlyReport, ReportEvent, ReportStatus

AUTHOR_ACTIONS = (
    ReportEvent.Action.SAVE,
    ReportEvent.Action.IMPORT,
    ReportEvent.Action.UPLOAD,
    ReportEvent.Action.SUBMIT,
    ReportEvent.Action.SIGN_OFF,
)


def visible_reports(user, queryset: QuerySet[QuarterlyReport] | None = None) -> QuerySet[QuarterlyReport]:
    """Reports this person may open; everything else answers 404, so ids reveal nothing."""
    reports = queryset if queryset is not None else QuarterlyReport.objects.all()
    if is_office(user):
        return reports
    department = department_of(user)
    if department is not None:
        return reports.filter(department=department)
    if is_viewer(user):
        return reports.filter(status=ReportStatus.APPROVED)
    return reports.none()


def is_member(user, report: QuarterlyReport) -> bool:
    department = department_of(user)
    return department is not None and department.pk == report.department_id


def can_edit(user, report: QuarterlyReport) -> bool:
    """Drafts while the quarter is open; a returned report always, since the office asked for the correction."""
    open_for_it = report.period.is_open or report.status == ReportStatus.RETURNED
    return is_member(user, report) and report.is_editable and open_for_it


def can_submit(user, report: QuarterlyReport) -> bool:
    return can_edit(user, report)


def is_head_of_unit(user, report: QuarterlyReport) -> bool:
    return is_head_of(user, report.department)


def can_sign_off(user, report: QuarterlyReport) -> bool:
    return report.status == ReportStatus.AWAITING_SIGNOFF and is_head_of(user, report.department)


def can_review(user, report: QuarterlyReport) -> bool:
    return report.status == ReportStatus.SUBMITTED and is_office(user)


def has_written_or_signed(user, report: QuarterlyReport) -> bool:
    return report.events.filter(actor_id=user.pk, action__in=AUTHOR_ACTIONS).exists()


def can_approve(user, report: QuarterlyReport) -> bool:
    return can_review(user, report) and not has_written_or_signed(user, report)


def can_reopen(user, report: QuarterlyReport) -> bool:
    return report.status == ReportStatus.APPROVED and is_office(user)


def can_see_flags(user) -> bool:
    """Quality flags are the office's review aids; units and viewers do not see them."""
    return is_office(user)


def can_dismiss_flag(user, report: QuarterlyReport) -> bool:
    return is_office(user) and report.status != ReportStatus.DRAFT


def can_start_report(user, department, period) -> bool:
    """Only a unit's own members start its report, and only while the quarter is open."""
    own = department_of(user)
    return own is not None and own.pk == department.pk and period.is_open
