"""Generated demo data: accounts for every role and several quarters of reports in every state.

Anchored to the day it is loaded: the quarter being reported is the last one that has ended, its reports in the mix
of states a real office sees at that distance from the due date; the quarter under way has nothing reported.
Nothing here is an official figure: the statistics bureau's figures it adds (tasks.demo_official) are invented too,
each from a document whose title says 演示. Every report is flagged is_demo (shown as 演示 wherever it appears), every
note says 演示数据, and account display names start with 演示.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments.models import Membership
from departments.roles import OFFICE_GROUP, VIEWER_GROUP
from indicators.models import Indicator
from targets.models import Plan

from . import services
from .demo_official import create_official_figures
from .models import (
    IndicatorValue,
    QuarterlyReport,
    ReportEvent,
    ReportingPeriod,
    ReportStatus,
    TaskStatus,
    TaskUpdate,
    default_window,
    last_ended_quarter,
    quarter_from_ordinal,
    quarter_ordinal,
)
from .roles import ensure_role_groups
from .selectors import reporting_departments

DEMO_PASSWORD = "ninghe-demo-2023"
DEMO_NOTE = "演示数据，非官方统计"
HISTORY_LENGTH = 10  # approved quarters before the one being reported
SIGNOFF_DEPARTMENT = "区工业和信息化局"
WHOLE_UNITS = ("个", "家", "座", "处", "项")  # counted things: whole numbers only


@dataclass
class DemoAccount:
    username: str
    display: str
    role: str


@dataclass
class Seeded:
    accounts: list[DemoAccount]
    history: int
    quarter: ReportingPeriod  # the one being reported
    current: dict[str, int]
    official: int  # the statistics bureau's (invented) figures recorded


def seed(plan: Plan, *, today: dt.date, history: bool = True) -> Seeded:
    """Everything `manage.py seed_demo` creates (idempotent), anchored to `today`: the quarter being reported is the
    last that has ended; without history, only that quarter's reports (and no official figures)."""
    accounts = create_accounts(plan)
    periods = create_periods(today)
    office = get_user_model().objects.get(username="demo-office")
    approved = create_history(plan, periods, office) if history else 0
    quarter = periods[current_quarter(today)]
    current = create_current_quarter(plan, quarter, office, today=today)
    series = _series(plan, next(iter(periods)))[1]
    official = create_official_figures(plan, periods, series, office, today=today) if history else 0
    return Seeded(accounts, approved, quarter, current, official)


@dataclass(frozen=True)
class WelcomeRole:
    """A demo account offered to a visitor, with what that role lets them try."""

    role: str
    username: str
    display: str
    try_this: str


def welcome_roles() -> list[WelcomeRole]:
    """One demo account per role, in the order a visitor meets the quarterly loop.

    The demo log-in page and the summary `scripts/run` prints both list these, and the log-in-as button accepts no
    other account. The reporter is one whose report for the demo's current quarter was returned, so there is a
    comment to answer; only accounts that exist are listed.
    """
    returned = QuarterlyReport.objects.filter(status=ReportStatus.RETURNED, is_demo=True).values("department")
    reporter = (
        Membership.objects.filter(role="reporter", user__username__regex=r"^dept\d+$", department__in=returned)
        .order_by("user__username")
        .values_list("user__username", flat=True)
        .first()
    )
    head = (
        Membership.objects.filter(role="head", user__username__regex=r"^dept\d+-head$")
        .order_by("user__username")
        .values_list("user__username", flat=True)
        .first()
    )
    offered = [
        (_("Carbon-peak office"), "demo-office", _("Review this quarter's reports: approve one or return it with a comment; read the overview and generate the annual evaluation report.")),
        (_("Unit reporter"), reporter, _("Your unit's report for this quarter was returned: read the office's comment, correct the report and submit it again (or fill in the Excel file).")),
        (_("Head of a unit"), head, _("Sign off your unit's report that awaits you, or return it to the reporter.")),
        (_("District leader (read-only)"), "demo-viewer", _("Read the overview, the approved reports and the annual evaluation; nothing can be changed.")),
        (_("Administrator"), "demo-admin", _("Everything, including the administration: reporting quarters and due dates, indicator baselines, units and their people.")),
    ]  # fmt: skip
    names = dict(
        get_user_model()
        .objects.filter(username__in=[u for _r, u, _t in offered if u])
        .values_list("username", "first_name")
    )
    return [WelcomeRole(str(role), user, names[user], str(text)) for role, user, text in offered if user in names]


@cache
def _demo_password_hash() -> str:
    """Hashing is deliberately slow; every demo account shares one password, so hash it once."""
    return make_password(DEMO_PASSWORD)


def _user(username: str, display: str, *, staff=False, superuser=False, group: str | None = None):
    users = get_user_model()
    user, _ = users.objects.get_or_create(username=username)
    user.first_name = display
    user.is_staff = staff or superuser
    user.is_superuser = superuser
    user.email = f"{username}@demo.invalid"
    user.password = _demo_password_hash()
    user.save()
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def create_accounts(plan: Plan) -> list[DemoAccount]:
    ensure_role_groups()
    accounts = [
        DemoAccount("demo-admin", "演示·系统管理员", "administrator"),
        DemoAccount("demo-office", "演示·区碳达峰办", "office"),
        DemoAccount("demo-viewer", "演示·区领导（只读）", "viewer"),
    ]
    _user("demo-admin", accounts[0].display, superuser=True)
    _user("demo-office", accounts[1].display, staff=True, group=OFFICE_GROUP)
    _user("demo-viewer", accounts[2].display, group=VIEWER_GROUP)
    for n, department in enumerate(reporting_departments(plan), start=1):
        username = f"dept{n:02d}"
        user = _user(username, f"演示·{department.name}填报人")
        Membership.objects.update_or_create(user=user, defaults={"department": department, "role": "reporter"})
        accounts.append(DemoAccount(username, f"{department.name} 填报人", "reporter"))
        if department.name == SIGNOFF_DEPARTMENT:
            department.requires_head_signoff = True
            department.save(update_fields=["requires_head_signoff"])
            head = _user(f"{username}-head", f"演示·{department.name}负责人")
            Membership.objects.update_or_create(user=head, defaults={"department": department, "role": "head"})
            accounts.append(DemoAccount(f"{username}-head", f"{department.name} 负责人（审签）", "head"))
    return accounts


def current_quarter(today: dt.date) -> tuple[int, int]:
    """The quarter being reported on `today`: the last that has ended (its due date at most ten days ahead, or
    passed); the one under way, whose window may have opened in its last month, has nothing to report yet."""
    return last_ended_quarter(today)


def _shift(year: int, quarter: int, by: int) -> tuple[int, int]:
    return quarter_from_ordinal(quarter_ordinal(year, quarter) + by)


def demo_quarters(today: dt.date) -> list[tuple[int, int]]:
    """HISTORY_LENGTH approved quarters, the one being reported, and the one under way: all relative to `today`."""
    current = current_quarter(today)
    return [_shift(*current, by) for by in range(-HISTORY_LENGTH, 2)]


def create_periods(today: dt.date) -> dict[tuple[int, int], ReportingPeriod]:
    """The demo's quarters, oldest first; the last two (being reported, under way) stay open."""
    periods = {}
    keys = demo_quarters(today)
    for year, quarter in keys:
        opens, due = default_window(year, quarter)
        period, _ = ReportingPeriod.objects.update_or_create(
            year=year,
            quarter=quarter,
            defaults={"opens_on": opens, "due_on": due, "is_open": (year, quarter) in keys[-2:]},
        )
        periods[(year, quarter)] = period
    return periods


def within_range(indicator: Indicator, value: float) -> Decimal:
    """Demo figures stay inside the plausible range the real form enforces."""
    if indicator.max_value is not None:
        value = min(value, float(indicator.max_value))
    if indicator.min_value is not None:
        value = max(value, float(indicator.min_value))
    return Decimal(str(round(value, 2)))


def _goal(indicator: Indicator) -> tuple[float | None, int | None]:
    """The first target stated as a number (a count of 示范村 included) and its year; None for 'increase' and
    city targets."""
    for target in indicator.targets.all():
        if target.value is not None and not target.is_relative and target.comparator != "city_assigned":
            return float(target.value), target.target_year
    return None, next((t.target_year for t in indicator.targets.all() if t.target_year), None)


def demo_series(indicator: Indicator, steps: int, rng: random.Random, *, first=(2024, 1)) -> list[Decimal | None]:
    """A plausible invented path, never official, that keeps to the indicator's kind.

    `first`: the (year, quarter) of the first value. Each indicator heads for its target, due at the end of the
    target's year, at a pace of its own (0.5–1.25 of what the target needs), so some meet it by then and some
    fall short. Counts (个, 家) are whole and never fall; shares (%) stay within 0–100 and move a little each
    quarter; reduction rates (…降低率, …下降率) are modest yearly reductions.
    """
    (goal, year), pace = _goal(indicator), rng.uniform(0.5, 1.25)
    due = quarter_ordinal(year, 4) - quarter_ordinal(*first) if year else steps - 1  # the target's year-end quarter
    share = [min(1.25, pace * (i + 1) / (max(due, 1) + 1)) for i in range(steps)]  # of the way from start to goal
    falling = indicator.direction == "down"
    if indicator.unit in WHOLE_UNITS and goal:
        start = 0.0 if goal <= 2 else goal * rng.uniform(0.2, 0.4)
        values, reached = [], 0.0
        for part in share:
            reached = max(reached, float(round(start + (goal - start) * min(part, 1.2))))
            values.append(Decimal(int(reached)))
        return values
    if "降低率" in indicator.name or "下降率" in indicator.name:
        level = rng.uniform(2.0, 4.0)
        return [within_range(indicator, level + rng.uniform(-0.4, 0.4)) for _ in range(steps)]
    if goal is None:
        start = rng.uniform(8.0, 30.0) if indicator.unit == "%" else rng.uniform(50.0, 150.0)
        goal = start if indicator.direction == "none" else start * (0.85 if falling else 1.2)
    elif indicator.unit == "%":
        start = max(0.0, goal * rng.uniform(0.6, 0.8)) if not falling else goal * 1.3
    else:
        start = goal + abs(goal) * (0.3 if falling else -0.4) if goal else -20.0
    return [
        within_range(indicator, (start + (goal - start) * part) * (1 + rng.uniform(-0.003, 0.003))) for part in share
    ]


def _series(plan: Plan, first: tuple[int, int]) -> tuple[dict[int, Indicator], dict[int, list]]:
    """Every indicator's values from the quarter `first` through the one being reported, the same on every call."""
    rng = random.Random(2023)
    indicators = {i.pk: i for i in Indicator.objects.filter(plan=plan).prefetch_related("targets").order_by("pk")}
    return indicators, {pk: demo_series(i, HISTORY_LENGTH + 1, rng, first=first) for pk, i in indicators.items()}


@transaction.atomic
def create_history(plan: Plan, periods, office) -> int:
    """Approved reports for the past quarters, written directly (with their history) for speed."""
    indicators, series = _series(plan, next(iter(periods)))
    count, rng = 0, random.Random(2024)
    for department in reporting_departments(plan):
        reporter = department.members.first().user
        for step, key in enumerate(list(periods)[:HISTORY_LENGTH]):
            period = periods[key]
            if QuarterlyReport.objects.filter(plan=plan, department=department, period=period).exists():
                continue
            submitted = timezone.make_aware(
                dt.datetime.combine(period.due_on, dt.time(10)) - dt.timedelta(days=rng.randint(-2, 6))
            )
            report = QuarterlyReport.objects.create(
                plan=plan,
                department=department,
                period=period,
                status=ReportStatus.APPROVED,
                submitted_at=submitted,
                is_late=period.is_overdue(submitted.date()),
                approved_at=submitted + dt.timedelta(days=3),
                is_demo=True,
                updated_by=office,
            )
            _fill(report, department, plan, step, series, indicators, rng)
            for action, actor, before, after in [
                (ReportEvent.Action.SUBMIT, reporter, ReportStatus.DRAFT, ReportStatus.SUBMITTED),
                (ReportEvent.Action.APPROVE, office, ReportStatus.SUBMITTED, ReportStatus.APPROVED),
            ]:
                event = ReportEvent.objects.create(
                    report=report, action=action, actor=actor, status_before=before, status_after=after, version=1
                )
                ReportEvent.objects.filter(pk=event.pk).update(
                    at=submitted if action == "submit" else report.approved_at
                )
            count += 1
    return count


def _fill(report, department, plan, step, series, indicators, rng, *, complete=True):
    from .selectors import department_indicators, department_tasks

    TaskUpdate.objects.bulk_create(
        TaskUpdate(
            report=report,
            task=task,
            status=TaskStatus.BEHIND if rng.random() < 0.1 else TaskStatus.IN_PROGRESS,
            percent_complete=_percent(step, rng),
            work_done=f"（{DEMO_NOTE}）{report.period}：推进“{task.title}”相关工作。" if complete else "",
            next_steps="（演示）继续推进。",
        )
        for task in department_tasks(plan, department)
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            report=report,
            period=report.period,
            indicator=indicator,
            valid_from=report.approved_at,
            recorded_at=report.approved_at or timezone.now(),
            value=None if indicator.is_milestone else series[indicator.pk][step],
            reached=_reached(step) if indicator.is_milestone else None,
            data_source="演示数据",
            note=DEMO_NOTE,
        )
        for indicator in department_indicators(plan, department)
        if indicator.pk in indicators
    )


@dataclass(frozen=True)
class Mix:
    """The states of the quarter being reported, up to `until` days past its due date (None: any later)."""

    until: int | None
    shares: dict[str, float]  # of the units, by state; approved takes what the others leave
    late: float  # of the units that sent their report, the share that sent it after the due date


# Before the due date many have not sent yet; in the fortnight or so after it most have, a few late, some still
# missing; long after it nearly all are approved, a few were late, returned or are still missing.
MIXES = (
    Mix(0, {"submitted": 0.2, "returned": 0.1, "draft": 0.25, "not_started": 0.25}, late=0.0),
    Mix(21, {"submitted": 0.2, "returned": 0.1, "draft": 0.1, "not_started": 0.15}, late=0.2),
    Mix(None, {"submitted": 0.05, "returned": 0.05, "draft": 0.05, "not_started": 0.05}, late=0.1),
)
REVIEW_DAYS = 5  # the office reviews a report within this many days of receiving it


def mix_for(period: ReportingPeriod, today: dt.date) -> Mix:
    past_due = (today - period.due_on).days
    return next(m for m in MIXES if m.until is None or past_due <= m.until)


def state_mix(period: ReportingPeriod, today: dt.date, units: int, rng: random.Random) -> list[str]:
    """The state of each of `units` reports: at least one of each (every role has something to do), two submitted
    (two units' reports to compare in review), the rest approved, in an order of `rng`'s."""
    counts = {state: max(1, round(share * units)) for state, share in mix_for(period, today).shares.items()}
    counts["submitted"] = max(2, counts["submitted"])
    states = [state for state, n in counts.items() for _ in range(n)]
    states += ["approved"] * (units - len(states))
    rng.shuffle(states)
    return states


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _timeline(state: str, period: ReportingPeriod, today: dt.date, rng: random.Random) -> dict[str, dt.date]:
    """The days the unit started, sent (as the office received it) and the office reviewed: none after `today`,
    none late before the due date has passed; a report awaiting review was sent in the last few days."""
    past_due = (today - period.due_on).days
    waiting = state in ("submitted", "awaiting_signoff")
    late = past_due > 0 and (rng.random() < mix_for(period, today).late or waiting and past_due > REVIEW_DAYS)
    if late:
        first, last = period.due_on + dt.timedelta(days=1), today
    else:
        first, last = max(period.opens_on, period.due_on - dt.timedelta(days=12)), min(period.due_on, today)
    if waiting:
        first = min(last, max(first, today - dt.timedelta(days=REVIEW_DAYS)))
    sent = _day(rng, first, last)
    reviewed = min(today, sent + dt.timedelta(days=rng.randint(1, REVIEW_DAYS)))
    return {"started": _day(rng, period.opens_on, sent), "sent": sent, "reviewed": reviewed}


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _backdate(report: QuarterlyReport, when: dict[str, dt.date]) -> None:
    """The services stamp the moment they run (the day the demo is loaded); the demo's reports were written, sent
    and reviewed on the days of their timeline."""
    sent = report.submitted_at is not None
    QuarterlyReport.objects.filter(pk=report.pk).update(
        submitted_at=_at(when["sent"], 10) if sent else None,
        is_late=sent and report.period.is_overdue(when["sent"]),
        approved_at=_at(when["reviewed"], 16) if report.approved_at else None,
    )
    if report.approved_at:  # its figures were known from that day, as "known on a date" reads them
        report.indicator_values.current().filter(valid_from__isnull=False).update(valid_from=_at(when["reviewed"], 16))
    stamps = {
        ReportEvent.Action.CREATE: _at(when["started"], 9),
        ReportEvent.Action.SAVE: _at(when["started"], 11),
        ReportEvent.Action.SUBMIT: _at(when["sent"], 10),
        ReportEvent.Action.APPROVE: _at(when["reviewed"], 16),
        ReportEvent.Action.RETURN: _at(when["reviewed"], 16),
    }
    for event in report.events.all():
        ReportEvent.objects.filter(pk=event.pk).update(at=stamps.get(event.action, event.at))


def _percent(step: int, rng: random.Random) -> int:
    """How far a task has come by the quarter `step` (0: the oldest), give or take a few points."""
    return min(100, int(100 * (step + 1) / (HISTORY_LENGTH + 3)) + rng.randint(-5, 5))


def _reached(step: int) -> bool:
    """A yes/no milestone is reached two quarters before the one being reported, and stays reached."""
    return step >= HISTORY_LENGTH - 2


def _next_percent(last: int | None, rng: random.Random, *, dip: bool) -> int:
    """Work moves on from last quarter's percent (carried into the new report); a few units' first task slips
    back, so the office's check prompts have something to show."""
    if last is None:
        return 60 + rng.randint(0, 20)
    return max(0, last - 5) if dip else min(100, last + rng.randint(0, 8))


def create_current_quarter(plan: Plan, period: ReportingPeriod, office, *, today: dt.date) -> dict[str, int]:
    """The quarter being reported in the mix of states of `today` (see `state_mix`), driven through the real services
    so its history is genuine, then dated as it happened (see `_timeline`)."""
    rng = random.Random(2026)
    departments = list(reporting_departments(plan))
    signoff = [d for d in departments if d.requires_head_signoff]
    mix = iter(state_mix(period, today, len(departments) - len(signoff), rng))
    tally = dict.fromkeys(["approved", "submitted", "returned", "draft", "not_started", "awaiting_signoff"], 0)
    _, series = _series(plan, _shift(period.year, period.quarter, -HISTORY_LENGTH))
    for i, department in enumerate(departments):
        member = department.members.filter(role="reporter").first().user
        state = "awaiting_signoff" if department.requires_head_signoff else next(mix)
        if (
            state == "not_started"
            or QuarterlyReport.objects.filter(plan=plan, department=department, period=period).exists()
        ):
            tally[state] += state == "not_started"
            continue
        report = services.start_report(plan=plan, department=department, period=period, by=member, is_demo=True)
        report = QuarterlyReport.objects.get(pk=report.pk)
        task_data = {
            u.task_id: {
                "status": TaskStatus.IN_PROGRESS,
                "percent_complete": _next_percent(u.percent_complete, rng, dip=i % 9 == 1 and n == 0),
                "work_done": f"（{DEMO_NOTE}）本季度推进“{u.task.title}”。",
                "problems": "（演示）项目资金到位较慢，影响进度。" if i % 7 == 0 and n == 0 else "",
                "next_steps": "（演示）继续推进。",
                "major_problem": i % 7 == 0 and n == 0,
            }
            for n, u in enumerate(report.task_updates.select_related("task"))
        }
        indicator_data = {
            v.indicator_id: (
                {"reached": _reached(HISTORY_LENGTH), "data_source": "演示数据", "note": DEMO_NOTE}
                if v.indicator.is_milestone
                else {
                    "value": series[v.indicator_id][HISTORY_LENGTH],
                    "data_source": "演示数据",
                    "note": DEMO_NOTE,
                }
            )
            for v in report.indicator_values.current()
            .select_related("indicator")
            .prefetch_related("indicator__targets")
        }
        services.save_draft(
            report=report, by=member, version=report.version, task_data=task_data, indicator_data=indicator_data
        )
        if state != "draft":
            services.submit_report(report=report, by=member)
        if state == "approved":
            services.approve_report(report=report, by=office, comment="（演示）同意。")
        if state == "returned":
            services.return_report(report=report, by=office, comment="（演示）请补充本季度工作的量化进展和佐证材料。")
        _backdate(
            QuarterlyReport.objects.select_related("period").get(pk=report.pk), _timeline(state, period, today, rng)
        )
        tally[state] += 1
    return tally
