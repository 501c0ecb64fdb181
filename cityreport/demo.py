"""A demo 需市级协调 mark, so that a new user sees section 三 of the report to the city filled in.

Made through the service, as the office would, on the first major problem of the quarter being reported (after
`seed_demo`, `recompute_progress` and `seed_demo_notices`); its reason says 演示, like everything the demo makes.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from results.selectors import latest_computed_period
from targets.models import Plan
from tasks.models import ReportingPeriod, TaskUpdate

from . import services
from .models import Escalation

DEMO_REASON = "（演示）涉及跨区域项目审批和电网接入，需市级部门协调解决。"


def seed_escalations(plan: Plan, *, today: dt.date) -> int:
    """Idempotent: nothing is made when the demo's problems carry a mark already. Returns how many were made."""
    problems = TaskUpdate.objects.filter(report__plan=plan, report__is_demo=True, major_problem=True)
    if Escalation.objects.filter(task_update__in=problems).exists():
        return 0
    office = get_user_model().objects.filter(username="demo-office").first()
    period = latest_computed_period(plan, today=today)
    if office is None or period is None:
        return 0
    # The quarter being reported when it has an approved problem, else the newest quarter before it that has one.
    problem = (
        problems.filter(report__status="approved", report__period__in=ReportingPeriod.objects.up_to(period))
        .order_by("-report__period__year", "-report__period__quarter", "report__pk", "pk")
        .first()
    )
    if problem is None:
        return 0
    services.mark_escalation(problem, by=office, reason=DEMO_REASON)
    return 1
