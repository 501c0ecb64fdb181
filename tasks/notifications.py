"""Telling people what needs them: major problems to the office at once, by e-mail, its group robot and its home page."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django.utils.translation import gettext as _

from departments.roles import OFFICE_GROUP
from notifications.services import notify


def office_addresses() -> list[str]:
    users = get_user_model().objects.filter(Q(groups__name=OFFICE_GROUP) | Q(is_superuser=True), is_active=True)
    return sorted({u.email for u in users if u.email})


def notify_office_of_major_problems(report, updates) -> int:
    """The plan asks for major problems to be reported up without delay; the office is told on save."""
    lines = [f"{u.task.code} {u.task.title}：{u.problems}" for u in updates]
    subject = _("[Major problem] %(department)s, %(period)s") % {
        "department": report.department,
        "period": report.period,
    }
    notify(department=None, event="major_problem", title=subject, text="\n".join(lines))
    recipients = office_addresses()
    if not recipients:
        return 0
    return send_mail(subject, "\n".join(lines), settings.DEFAULT_FROM_EMAIL, recipients)
