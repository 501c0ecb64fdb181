from django.db.models import Prefetch, QuerySet

from .models import Decision, Meeting, Topic


def meeting_list(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return meetings.select_related("plan").prefetch_related("attendees", "decisions")


def meeting_with_minutes(pk: int, meetings: QuerySet[Meeting]) -> Meeting:
    """One meeting with its topics (and the items discussed) and decisions (with their notices)."""
    return meetings.prefetch_related(
        "attendees",
        Prefetch("topics", Topic.objects.prefetch_related("targets__indicator", "tasks__area", "notices")),
        Prefetch("decisions", Decision.objects.select_related("topic", "notice__responsible")),
    ).get(pk=pk)
