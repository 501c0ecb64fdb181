"""Recording a dispatch meeting; each decision is opened as a supervision notice through supervision.services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from departments.models import Department
from supervision.selectors import free_subject
from supervision.services import open_notice
from targets.models import Plan

from .models import Decision, Meeting, Topic
from .permissions import can_record


def _check(by) -> None:
    if not can_record(by):
        raise PermissionDenied(_("Only the office records dispatch meetings."))


@transaction.atomic
def record_meeting(
    *,
    plan: Plan,
    held_on: dt.date,
    title: str,
    attendees: Iterable[Department],
    by,
    place: str = "",
    chair: str = "",
    summary: str = "",
) -> Meeting:
    _check(by)
    if not title.strip():
        raise ValidationError(_("Give the meeting a title."))
    meeting = Meeting.objects.create(
        plan=plan, held_on=held_on, title=title.strip(), place=place, chair=chair, summary=summary, created_by=by
    )
    meeting.attendees.set(attendees)
    return meeting


@transaction.atomic
def add_topic(*, meeting: Meeting, title: str, by, discussion: str = "", targets=(), tasks=(), notices=()) -> Topic:
    _check(by)
    if not title.strip():
        raise ValidationError(_("Name the topic."))
    topic = Topic.objects.create(meeting=meeting, title=title.strip(), discussion=discussion)
    topic.targets.set(targets)
    topic.tasks.set(tasks)
    topic.notices.set(notices)
    return topic


@transaction.atomic
def add_decision(
    *,
    meeting: Meeting,
    text: str,
    responsible: Department,
    deadline: dt.date,
    by,
    today: dt.date,
    topic: Topic | None = None,
    level: str = "supervise",
) -> Decision:
    """The decision and its notice in one transaction: a refused notice (a past deadline …) leaves no decision."""
    _check(by)
    if topic is not None and topic.meeting_id != meeting.pk:
        raise ValidationError(_("The topic belongs to another meeting."))
    notice = open_notice(
        subject=free_subject(meeting.plan),
        by=by,
        requirement=text,
        deadline=deadline,
        today=today,
        level=level,
        title=_("%(meeting)s decision: %(text)s") % {"meeting": meeting.title, "text": text.strip()[:60]},
        responsible=responsible,
        copied=[],
    )
    return Decision.objects.create(meeting=meeting, topic=topic, text=text.strip(), notice=notice)
