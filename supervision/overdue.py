"""A notice past its deadline without an answer: the unit and the office are told once per deadline.

In the application the notice turns red at once wherever it shows (that is derived from the day); this job adds
the e-mail and a step in the notice's history, once for each deadline (a granted extension gives a new deadline,
whose passing is announced again). The mail is sent inside the transaction that records it, so a mail server
that fails leaves nothing recorded and the next run tries again.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from notifications.services import notify
from results.models import ComputationRun
from tasks.notifications import office_addresses

from . import services
from .models import Notice


def announce_overdue(*, today: dt.date) -> int:
    run = ComputationRun.objects.create(
        kind=ComputationRun.Kind.OVERDUE, covered={"today": today.isoformat(), "what": "supervision notices"}
    )
    sent = 0
    pending = Notice.objects.overdue(today).exclude(overdue_notified_for=F("deadline"))
    for notice in pending.select_related("responsible").prefetch_related("responsible__members__user"):
        with transaction.atomic():
            if services.record_overdue(notice=notice, today=today):
                _mail(notice)
                sent += 1
    run.rows_written = sent
    run.finished_at = timezone.now()
    run.save(update_fields=["rows_written", "finished_at"])
    return sent


def _mail(notice: Notice) -> None:
    """One message, by e-mail to the unit's members and the office, and to the unit's and the office's group robots
    if they have one (queued after the commit, never waited for)."""
    with override(settings.LANGUAGE_CODE):
        subject = _("[Overdue] %(number)s %(title)s") % {"number": notice.display_number, "title": notice.title}
        body = _(
            "The supervision notice %(number)s to %(unit)s was due on %(deadline)s and has not been answered.\n"
            "%(requirement)s\n%(url)s"
        ) % {
            "number": notice.display_number,
            "unit": notice.responsible.name,
            "deadline": notice.deadline.isoformat(),
            "requirement": notice.requirement,
            "url": notice.get_absolute_url(),
        }
    for department in (notice.responsible, None):
        notify(department=department, event="notice_overdue", title=subject, text=body)
    unit = [m.user.email for m in notice.responsible.members.all() if m.user.email and m.user.is_active]
    recipients = sorted({*unit, *office_addresses()})
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
