"""Demo supervision notices, marked 演示 wherever they show: one in each state the loop passes through.

Made through the services, as the office and the units would (after `seed_demo` and `recompute_progress`, so the
notices keep the figures of the demo's results); the notice that is overdue was opened three weeks earlier.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from results.models import TargetResult, TaskResult
from results.selectors import latest_computed_period
from targets.models import Plan

from . import services
from .models import Level, Notice
from .selectors import target_subject, task_subject


def _member(department):
    membership = department.members.select_related("user").order_by("pk").first()
    return membership.user if membership else None


def seed_notices(plan: Plan, *, today: dt.date) -> int:
    """Idempotent: nothing is made when demo notices exist already. Returns how many were made."""
    if Notice.objects.filter(plan=plan, is_demo=True).exists():
        return 0
    office = get_user_model().objects.filter(username="demo-office").first()
    period = latest_computed_period(plan, today=today)
    if office is None or period is None:
        return 0
    lagging = TargetResult.objects.filter(
        target__indicator__plan=plan, period=period, status__in=["off_track", "missed_by_date", "at_risk"]
    ).select_related("target__indicator__reporting_department", "target__task")
    subjects = [target_subject(r.target, period) for r in lagging[:3]]
    tasks = TaskResult.objects.filter(task__area__plan=plan, period=period).select_related("task__area")
    subjects += [task_subject(r.task, period) for r in tasks.exclude(status="completed")[:1]]
    subjects = [s for s in subjects if s.responsible is not None and _member(s.responsible) is not None]
    made = []
    for i, subject in enumerate(subjects):
        opened_on = today - dt.timedelta(days=21) if i == 0 else today
        made.append(
            services.open_notice(
                subject=subject,
                by=office,
                requirement="请针对进度滞后情况，报送整改措施、完成时限及佐证材料。（演示）",
                deadline=opened_on + dt.timedelta(days=14),
                today=opened_on,
                level=Level.LISTED if i == 0 else Level.SUPERVISE,
                is_demo=True,
            )
        )
    if made:  # the first was opened three weeks ago and is past its deadline
        earlier = timezone.now() - dt.timedelta(days=21)
        Notice.objects.filter(pk=made[0].pk).update(opened_at=earlier)
        made[0].steps.update(at=earlier)
    if len(made) > 1:  # answered, awaiting the office
        _answer(made[1], "已制定专项推进方案，正在组织实施。（演示）", today)
    if len(made) > 2:  # answered, sent back, answered again and closed
        _answer(made[2], "已完成第一阶段工作。（演示）", today)
        services.return_notice(notice=made[2], by=office, text="请补充具体时间表。（演示）", today=today)
        _answer(made[2], "已补充时间表，计划下季度完成。（演示）", today)
        services.close_notice(notice=made[2], by=office)
    return len(made)


def _answer(notice: Notice, measures: str, today: dt.date) -> None:
    services.answer_notice(
        notice=notice,
        by=_member(notice.responsible),
        measures=measures,
        planned_completion=today + dt.timedelta(days=60),
    )
