"""Who sees a meeting: the office and viewers all; a unit those it attended or was given a decision of (the minutes
name it and assign it work; other meetings discuss other units' shortfalls); only the office records them."""

from django.db.models import Q, QuerySet

from departments.roles import department_of, is_office, is_viewer

from .models import Meeting


def visible_meetings(user, meetings: QuerySet[Meeting] | None = None) -> QuerySet[Meeting]:
    meetings = meetings if meetings is not None else Meeting.objects.all()
    if is_office(user) or is_viewer(user):
        return meetings
    department = department_of(user)
    if department is None:
        return meetings.none()
    return meetings.filter(Q(attendees=department) | Q(decisions__notice__responsible=department)).distinct()


def can_record(user) -> bool:
    return is_office(user)
