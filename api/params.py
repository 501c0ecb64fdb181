"""The query parameters every results endpoint shares: which plan, and as of which quarter."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import NotFound, ValidationError

from results.selectors import latest_computed_period
from targets.models import Plan
from tasks.known import end_of_day, known_on_day
from tasks.models import ReportingPeriod

QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")

PLAN_PARAMETER = OpenApiParameter(
    "plan", OpenApiTypes.STR, description="Plan code; the default plan (ninghe-2023) when omitted."
)
AS_OF_PARAMETER = OpenApiParameter(
    "as_of",
    OpenApiTypes.STR,
    description="Quarter as YYYYQn, e.g. 2025Q4; when omitted, the newest computed quarter that has ended.",
)


KNOWN_ON_PARAMETER = OpenApiParameter(
    "known_on",
    OpenApiTypes.DATE,
    description="Read the figures as they were known at the end of that day (YYYY-MM-DD): the versions approved or "
    "recorded by then and not yet superseded. Today's knowledge when omitted.",
)


def known_on_from(request) -> dt.datetime | None:
    """?known_on=2026-01-31: the last moment of that day, Beijing time; None without the parameter (tasks.known)."""
    try:
        day = known_on_day(request.query_params.get("known_on"), today=timezone.localdate())
    except DjangoValidationError as error:
        raise ValidationError({"known_on": error.messages}) from None
    return end_of_day(day) if day is not None else None


def plan_from(request) -> Plan:
    """The named plan; a code that cannot be a plan's (not a slug) is as unknown as a missing one."""
    code = request.query_params.get("plan") or settings.DEFAULT_PLAN_CODE
    if not SLUG.match(code):
        raise NotFound
    return get_object_or_404(Plan.objects.select_related("jurisdiction"), code=code)


def quarter_label(period: ReportingPeriod) -> str:
    return f"{period.year}Q{period.quarter}"


def as_of_from(request, plan: Plan) -> ReportingPeriod | None:
    """?as_of=2025Q4 names a quarter; without it, the quarter being reported: the newest with results that has ended,
    else the newest with results (None when nothing is computed)."""
    raw = request.query_params.get("as_of")
    if not raw:
        return latest_computed_period(plan, today=timezone.localdate())
    match = QUARTER.match(raw.strip())
    if not match:
        raise ValidationError({"as_of": [_("Give the quarter as YYYYQn, such as 2025Q4.")]})
    period = ReportingPeriod.objects.filter(year=int(match[1]), quarter=int(match[2])).first()
    if period is None:
        raise ValidationError({"as_of": [_("There is no reporting period %(quarter)s.") % {"quarter": raw}]})
    return period
