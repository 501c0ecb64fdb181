"""Every change to a supervision notice goes through these functions: keyword-only, one transaction each,
permission checks and validation inside, and the step (who, when, status before and after) written inside.

PermissionDenied when the person may not take the step now (a closed notice refuses every change, to everyone);
ValidationError (in the user's language) for bad input.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from departments.models import Department
from notifications.services import notify
from tasks.evidence import check_evidence_file, display_name
from tasks.limits import text_problem

from . import permissions
from .models import LEVEL_ORDER, Level, Notice, NoticeCounter, NoticeEvidence, NoticeStep, Status
from .selectors import Subject

log = logging.getLogger("ninghe.supervision")

MAX_TEXT = 20_000
MAX_FILES = 10


def next_number(year: int) -> int:
    """The next number of the year. The UPDATE locks the counter row until the transaction ends, so two
    offices opening at once get consecutive numbers (PostgreSQL row lock; SQLite locks the whole database)."""
    for _attempt in range(2):
        if NoticeCounter.objects.filter(year=year).update(last_number=F("last_number") + 1):
            return NoticeCounter.objects.get(year=year).last_number
        try:
            with transaction.atomic():
                NoticeCounter.objects.create(year=year, last_number=1)
            return 1
        except IntegrityError:  # another transaction created the year's row first: increment it
            continue
    raise RuntimeError("notice counter")  # pragma: no cover


def _text(value: str, *, required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(required)
    if len(value) > MAX_TEXT:
        raise ValidationError(
            _("At most %(limit)s characters (this text has %(length)s).") % {"limit": MAX_TEXT, "length": len(value)}
        )
    if problem := text_problem("comment", value):
        raise ValidationError(problem)
    return value


def _locked(notice: Notice) -> Notice:
    notice = Notice.objects.select_for_update(of=("self",)).get(pk=notice.pk)
    if notice.is_closed:
        raise PermissionDenied(_("This notice is closed and can no longer be changed."))
    return notice


def _step(notice: Notice, *, action: str, by, before: str, text: str = "", changes: dict | None = None) -> NoticeStep:
    step = NoticeStep.objects.create(
        notice=notice,
        action=action,
        actor=by,
        at=timezone.now(),
        text=text,
        status_before=before,
        status_after=notice.status,
        changes=changes or {},
    )
    log.info(
        "notice.%s",
        action,
        extra={
            "notice": notice.pk,
            "number": notice.display_number,
            "user": by.get_username() if by else "",
            "status_before": before,
            "status_after": notice.status,
        },
    )
    return step


def _attach(step: NoticeStep, files: Iterable) -> list[NoticeEvidence]:
    files = [f for f in files if f]
    if len(files) > MAX_FILES:
        raise ValidationError(_("At most %(count)s files at a time.") % {"count": MAX_FILES})
    checked = [(upload, check_evidence_file(upload)) for upload in files]  # every file checked before any is stored
    return [
        NoticeEvidence.objects.create(
            step=step, file=upload, original_name=display_name(upload.name), content_type=content_type, size=upload.size
        )
        for upload, content_type in checked
    ]


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


@transaction.atomic
def open_notice(
    *,
    subject: Subject,
    by,
    requirement: str,
    deadline: dt.date,
    today: dt.date,
    level: str = Level.SUPERVISE,
    title: str = "",
    responsible: Department | None = None,
    copied: Iterable[Department] | None = None,
    is_demo: bool = False,
) -> Notice:
    """Open a notice on a subject (see selectors: target_subject, task_subject …). The responsible unit defaults
    to the subject's lead, the copied units to its co-units; the subject's figures are kept as they are now."""
    if not permissions.can_open(by):
        raise PermissionDenied(_("Only the office opens supervision notices."))
    responsible = responsible or subject.responsible
    if responsible is None:
        raise ValidationError(_("Choose the unit responsible for the answer."))
    requirement = _text(requirement, required=_("Say what the unit is required to do."))
    title = _text(title or subject.title, required=_("Give the notice a title."))[:200]
    if deadline is None or deadline < today:
        raise ValidationError(_("The deadline cannot be before today."))
    if level not in Level.values:
        raise ValidationError(_("Choose a level: reminder, supervision or listed supervision."))
    year = today.year
    notice = Notice.objects.create(
        plan=subject.plan,
        year=year,
        number=next_number(year),
        subject_kind=subject.kind,
        target=subject.target,
        task=subject.task,
        task_update=subject.task_update,
        period=subject.period,
        figures=subject.figures,
        title=title,
        responsible=responsible,
        requirement=requirement,
        deadline=deadline,
        level=level,
        opened_by=by,
        opened_at=timezone.now(),
        is_demo=is_demo,
    )
    copied = [d for d in (subject.copied if copied is None else copied) if d.pk != responsible.pk]
    notice.copied.set(copied)
    _step(
        notice,
        action=NoticeStep.Action.OPEN,
        by=by,
        before="",
        text=requirement,
        changes={"deadline": [None, _iso(deadline)], "level": [None, level]},
    )
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            department=notice.responsible,
            event="notice_opened",
            title=_("[%(level)s] %(number)s %(title)s")
            % {"level": notice.get_level_display(), "number": notice.display_number, "title": notice.title},
            text=_("%(requirement)s\nDeadline: %(deadline)s\n%(url)s")
            % {"requirement": requirement, "deadline": _iso(deadline), "url": notice.get_absolute_url()},
        )
    return notice


@transaction.atomic
def answer_notice(
    *, notice: Notice, by, measures: str, planned_completion: dt.date | None, files: Iterable = ()
) -> Notice:
    """The responsible unit's answer: the measures taken (整改措施), when it expects to finish, evidence files."""
    notice = _locked(notice)
    if not permissions.can_answer(by, notice):
        raise PermissionDenied(_("Only the responsible unit answers this notice, while an answer is awaited."))
    measures = _text(measures, required=_("Describe the measures taken."))
    if planned_completion is None:
        raise ValidationError(_("Give the planned completion date."))
    before = notice.status
    changes = {"planned_completion": [_iso(notice.planned_completion), _iso(planned_completion)]}
    notice.status = Status.ANSWERED
    notice.measures = measures
    notice.planned_completion = planned_completion
    notice.requested_deadline = None
    notice.answered_at = timezone.now()
    notice.save(update_fields=["status", "measures", "planned_completion", "requested_deadline", "answered_at"])
    step = _step(notice, action=NoticeStep.Action.ANSWER, by=by, before=before, text=measures, changes=changes)
    _attach(step, files)
    return notice


@transaction.atomic
def request_extension(*, notice: Notice, by, deadline: dt.date, reason: str) -> Notice:
    notice = _locked(notice)
    if not permissions.can_request_extension(by, notice):
        raise PermissionDenied(_("Only the responsible unit asks for an extension, while an answer is awaited."))
    reason = _text(reason, required=_("Give the reason for the extension."))
    if deadline is None or deadline <= notice.deadline:
        raise ValidationError(
            _("The new deadline must be after the present one (%(deadline)s).")
            % {"deadline": notice.deadline.isoformat()}
        )
    before = notice.status
    notice.status = Status.EXTENSION_REQUESTED
    notice.requested_deadline = deadline
    notice.save(update_fields=["status", "requested_deadline"])
    _step(
        notice,
        action=NoticeStep.Action.REQUEST_EXTENSION,
        by=by,
        before=before,
        text=reason,
        changes={"requested_deadline": [None, _iso(deadline)], "status_to_resume": before},
    )
    return notice


def _status_before_request(notice: Notice) -> str:
    """Where a decided extension request leaves the notice: the state the unit asked from."""
    step = notice.steps.filter(action=NoticeStep.Action.REQUEST_EXTENSION).order_by("-at", "-pk").first()
    return step.status_before if step and step.status_before else Status.OPEN


@transaction.atomic
def grant_extension(*, notice: Notice, by, deadline: dt.date | None = None, text: str = "") -> Notice:
    """The office moves the deadline: to the date asked for unless it gives another."""
    notice = _locked(notice)
    if not permissions.can_decide_extension(by, notice):
        raise PermissionDenied(_("Only the office decides on an extension that was asked for."))
    text = _text(text)
    deadline = deadline or notice.requested_deadline
    if deadline is None or deadline <= notice.deadline:
        raise ValidationError(
            _("The new deadline must be after the present one (%(deadline)s).")
            % {"deadline": notice.deadline.isoformat()}
        )
    before = notice.status
    changes = {"deadline": [_iso(notice.deadline), _iso(deadline)]}
    notice.status = _status_before_request(notice)
    notice.deadline = deadline
    notice.requested_deadline = None
    notice.save(update_fields=["status", "deadline", "requested_deadline"])
    _step(notice, action=NoticeStep.Action.GRANT_EXTENSION, by=by, before=before, text=text, changes=changes)
    return notice


@transaction.atomic
def decline_extension(*, notice: Notice, by, text: str) -> Notice:
    notice = _locked(notice)
    if not permissions.can_decide_extension(by, notice):
        raise PermissionDenied(_("Only the office decides on an extension that was asked for."))
    text = _text(text, required=_("Say why the extension is declined."))
    before = notice.status
    notice.status = _status_before_request(notice)
    notice.requested_deadline = None
    notice.save(update_fields=["status", "requested_deadline"])
    _step(notice, action=NoticeStep.Action.DECLINE_EXTENSION, by=by, before=before, text=text)
    return notice


@transaction.atomic
def return_notice(*, notice: Notice, by, text: str, deadline: dt.date | None = None, today: dt.date) -> Notice:
    """Send an answer back: the unit answers again, by the same deadline or a new one the office gives."""
    notice = _locked(notice)
    if not permissions.can_return(by, notice):
        raise PermissionDenied(_("Only the office sends back an answer it has received."))
    text = _text(text, required=_("Say what is missing from the answer."))
    if deadline is not None and deadline < today:
        raise ValidationError(_("The deadline cannot be before today."))
    before = notice.status
    changes = {}
    if deadline is not None and deadline != notice.deadline:
        changes["deadline"] = [_iso(notice.deadline), _iso(deadline)]
        notice.deadline = deadline
    notice.status = Status.RETURNED
    notice.save(update_fields=["status", "deadline"])
    _step(notice, action=NoticeStep.Action.RETURN, by=by, before=before, text=text, changes=changes)
    return notice


@transaction.atomic
def close_notice(*, notice: Notice, by, text: str = "") -> Notice:
    """办结. Normally after an answer; closing one still awaiting its answer needs the reason. Read-only after."""
    notice = _locked(notice)
    if not permissions.can_close(by, notice):
        raise PermissionDenied(_("Only the office closes a notice."))
    required = None if notice.status == Status.ANSWERED else _("Say why the notice is closed without an answer.")
    text = _text(text, required=required)
    before = notice.status
    notice.status = Status.CLOSED
    notice.closed_at = timezone.now()
    notice.requested_deadline = None
    notice.save(update_fields=["status", "closed_at", "requested_deadline"])
    _step(notice, action=NoticeStep.Action.CLOSE, by=by, before=before, text=text)
    return notice


@transaction.atomic
def raise_level(*, notice: Notice, by, level: str | None = None, text: str = "") -> Notice:
    """Raise the level (提醒 → 督办 → 挂牌督办): to the next one, or to a given higher one. Never lowered."""
    notice = _locked(notice)
    if not permissions.can_raise_level(by, notice):
        raise PermissionDenied(_("Only the office raises the level of an open notice, up to listed supervision."))
    text = _text(text)
    current = LEVEL_ORDER.index(Level(notice.level))
    level = level or LEVEL_ORDER[current + 1]
    if level not in Level.values or LEVEL_ORDER.index(Level(level)) <= current:
        raise ValidationError(_("The new level must be higher than the present one."))
    changes = {"level": [notice.level, level]}
    notice.level = level
    notice.save(update_fields=["level"])
    _step(notice, action=NoticeStep.Action.RAISE_LEVEL, by=by, before=notice.status, text=text, changes=changes)
    return notice


@transaction.atomic
def record_overdue(*, notice: Notice, today: dt.date) -> bool:
    """Mark that this deadline's passing was announced (by the job); True the first time only."""
    notice = Notice.objects.select_for_update(of=("self",)).get(pk=notice.pk)
    if not notice.is_overdue(today) or notice.overdue_notified_for == notice.deadline:
        return False
    notice.overdue_notified_for = notice.deadline
    notice.save(update_fields=["overdue_notified_for"])
    _step(
        notice,
        action=NoticeStep.Action.OVERDUE,
        by=None,
        before=notice.status,
        text=_("The deadline %(deadline)s has passed without an answer.") % {"deadline": notice.deadline.isoformat()},
    )
    return True
