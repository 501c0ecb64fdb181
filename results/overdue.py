"""At each due date: find the units whose report has not reached the office, tell them once per quarter."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from notifications.services import notify
from targets.models import Plan
from tasks.models import Notice, QuarterlyReport, ReportingPeriod, ReportStatus
from tasks.selectors import reporting_departments

from .models import ComputationRun

SENT = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


def detect_overdue(*, today: dt.date) -> int:
    """Create a notice (and send one e-mail) per unit and overdue quarter; running twice sends nothing more."""
    run = ComputationRun.objects.create(kind=ComputationRun.Kind.OVERDUE, covered={"today": today.isoformat()})
    created = 0
    for plan in Plan.objects.all():
        for period in ReportingPeriod.objects.filter(is_open=True, due_on__lt=today):
            sent = set(
                QuarterlyReport.objects.filter(plan=plan, period=period, status__in=SENT).values_list(
                    "department_id", flat=True
                )
            )
            for department in reporting_departments(plan).exclude(pk__in=sent).prefetch_related("members__user"):
                created += _notify(department, period)
    run.rows_written = created
    run.finished_at = timezone.now()
    run.save(update_fields=["rows_written", "finished_at"])
    return created


def _notify(department, period) -> int:
    with override(settings.LANGUAGE_CODE):
        message = _("The report for %(period)s was due on %(due)s and has not reached the office yet.") % {
            "period": period,
            "due": period.due_on.strftime("%Y-%m-%d"),
        }
        notice, created = Notice.objects.get_or_create(
            department=department, period=period, kind="overdue", defaults={"message": message}
        )
        if not created:
            return 0
        notify(
            department=department,
            event="overdue",
            title=_("[Overdue] %(period)s quarterly report") % {"period": period},
            text=message,
        )
        recipients = [m.user.email for m in department.members.all() if m.user.email and m.user.is_active]
        if recipients:
            send_mail(
                _("[Overdue] %(period)s quarterly report") % {"period": period},
                message,
                settings.DEFAULT_FROM_EMAIL,
                recipients,
            )
    return 1
