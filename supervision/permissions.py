"""Who may see and do what with a supervision notice: one matrix for views, services and the API.

- the office (and administrators): sees every notice; opens, returns, closes, grants or declines extensions,
  raises the level;
- the responsible unit's members: see it, answer it, ask for an extension;
- a copied unit's members: read it;
- viewers (district leaders): read every notice;
- anyone else: nothing (a notice they may not see answers 404, so ids reveal nothing).
"""

from __future__ import annotations

from django.db.models import QuerySet

from departments.roles import department_of, is_office, is_viewer

from .models import Notice, Status


def visible_notices(user, queryset: QuerySet[Notice] | None = None) -> QuerySet[Notice]:
    notices = queryset if queryset is not None else Notice.objects.all()
    if is_office(user) or is_viewer(user):
        return notices
    department = department_of(user)
    if department is not None:
        return notices.for_department(department)
    return notices.none()


def can_open(user) -> bool:
    return is_office(user)


def is_responsible(user, notice: Notice) -> bool:
    department = department_of(user)
    return department is not None and department.pk == notice.responsible_id


def can_answer(user, notice: Notice) -> bool:
    return is_responsible(user, notice) and notice.status in (
        Status.OPEN,
        Status.RETURNED,
        Status.EXTENSION_REQUESTED,
    )


def can_request_extension(user, notice: Notice) -> bool:
    return is_responsible(user, notice) and notice.status in (Status.OPEN, Status.RETURNED)


def can_decide_extension(user, notice: Notice) -> bool:
    return is_office(user) and notice.status == Status.EXTENSION_REQUESTED


def can_return(user, notice: Notice) -> bool:
    return is_office(user) and notice.status == Status.ANSWERED


def can_close(user, notice: Notice) -> bool:
    return is_office(user) and notice.status != Status.CLOSED


def can_raise_level(user, notice: Notice) -> bool:
    return is_office(user) and notice.status != Status.CLOSED and notice.level != "listed"


def allowed_actions(user, notice: Notice) -> dict[str, bool]:
    """What the detail page and the API offer this person on this notice."""
    return {
        "answer": can_answer(user, notice),
        "request_extension": can_request_extension(user, notice),
        "grant_extension": can_decide_extension(user, notice),
        "decline_extension": can_decide_extension(user, notice),
        "return": can_return(user, notice),
        "close": can_close(user, notice),
        "raise_level": can_raise_level(user, notice),
    }
