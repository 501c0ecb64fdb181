"""The demo data the README's run command loads: every role, every state, and all of it marked as demo."""

import datetime as dt
import random
import re
from collections import Counter
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from indicators.models import Indicator
from results.selectors import latest_computed_period
from results.services import recompute_plan
from tasks import demo
from tasks.models import IndicatorValue, QuarterlyReport, ReportEvent, ReportingPeriod, ReportStatus, quarter_end
from tasks.selectors import reporting_departments

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_every_state_marks_it_demo_and_prints_the_log_ins(plan):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert "不是官方统计" in printed
    for username in ("demo-office", "demo-viewer", "demo-admin", "dept01", "dept16-head"):
        assert username in printed

    year, quarter = demo.current_quarter(timezone.localdate())
    current = QuarterlyReport.objects.filter(period__year=year, period__quarter=quarter)
    states = set(current.values_list("status", flat=True))
    assert states == {s.value for s in ReportStatus}
    assert not QuarterlyReport.objects.filter(is_demo=False).exists()
    assert not IndicatorValue.objects.exclude(note__contains="演示").exists()

    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert QuarterlyReport.objects.count() == QuarterlyReport.objects.filter(is_demo=True).count()


LOAD_DAYS = ["2026-12-03", "2027-01-05", "2027-04-20", "2027-07-01"]


@pytest.mark.parametrize("day", LOAD_DAYS)
def test_loaded_on_any_day_the_demo_reports_the_last_quarter_that_has_ended_in_a_mix_of_states(
    plan, office_client, office_user, day
):
    """Nothing reported for a quarter not yet ended; the quarter being reported is the last one ended, in several
    states (a report sent late only after the due date), and the office's pages open on it."""
    today = dt.date.fromisoformat(day)
    with time_machine.travel(dt.datetime.combine(today, dt.time(9), tzinfo=dt.UTC), tick=False):
        demo._demo_password_hash.cache_clear()
        seeded = demo.seed(plan, today=today)
        recompute_plan(plan)
        office_client.force_login(office_user)
        home = office_client.get(reverse("tasks:home")).context["period"]
        overview = office_client.get(reverse("dashboard:overview", args=[plan.code])).content.decode()
        api = office_client.get("/api/v1/results/rollups/").json()
    reported = seeded.quarter
    assert reported.ends_on < today <= reported.ends_on + dt.timedelta(days=92)  # the last quarter that has ended
    assert not QuarterlyReport.objects.filter(
        period__in=[p for p in ReportingPeriod.objects.all() if p.ends_on >= today]
    ).exists()
    assert home == reported == latest_computed_period(plan, today=today)
    assert re.search(rf'<option value="{reported.pk}" selected>', overview)
    assert api["results"][0]["as_of"] == f"{reported.year}Q{reported.quarter}"

    current = QuarterlyReport.objects.filter(period=reported)
    states = Counter(current.values_list("status", flat=True))
    assert len(states) >= 4 and min(states.values()) >= 1, states
    assert sum(seeded.current.values()) == len(reporting_departments(plan))
    assert not current.filter(submitted_at__date__gt=today).exists()
    assert not ReportEvent.objects.filter(at__date__gt=today).exists()
    assert not current.filter(approved_at__lt=F("submitted_at")).exists()
    late = current.filter(is_late=True)
    if today <= reported.due_on:
        assert not late.exists() and seeded.current["not_started"] + seeded.current["draft"] >= 5
    else:
        assert late.exists() and not late.filter(submitted_at__date__lte=reported.due_on).exists()
    if (today - reported.due_on).days > 21:
        assert states[ReportStatus.APPROVED] >= 0.7 * sum(seeded.current.values())  # long past due: mostly approved
    history = QuarterlyReport.objects.exclude(period=reported)
    assert history.exists() and not history.exclude(status=ReportStatus.APPROVED).exists()
    assert not history.filter(submitted_at__date__gt=today).exists()


@pytest.mark.parametrize("day", ["2026-03-31", "2026-04-01", "2026-04-10", "2026-04-11", "2026-12-03", "2026-12-31"])
def test_the_quarter_being_reported_is_the_last_that_has_ended(day):
    today = dt.date.fromisoformat(day)
    year, quarter = demo.current_quarter(today)
    assert quarter_end(year, quarter) < today
    assert quarter_end(*demo.demo_quarters(today)[-1]) >= today  # the next one is under way


def test_demo_values_keep_to_each_indicators_kind(plan):
    """Counts whole and never falling, shares within 0–100 moving a little, reduction rates modest."""
    indicators = Indicator.objects.filter(plan=plan).prefetch_related("targets")
    rng = random.Random(7)
    for indicator in indicators:
        values = [v for v in demo.demo_series(indicator, demo.HISTORY_LENGTH + 1, rng) if v is not None]
        if indicator.unit in demo.WHOLE_UNITS:
            assert all(v == int(v) for v in values), indicator.name
            assert values == sorted(values), indicator.name
        if indicator.unit == "%":
            assert all(0 <= v <= 100 for v in values), indicator.name
            assert max(abs(b - a) for a, b in zip(values, values[1:], strict=False)) <= 10, indicator.name
            assert len(set(values)) > 1, indicator.name  # not flat
        if "降低率" in indicator.name or "下降率" in indicator.name:
            assert all(0 < v < 10 for v in values), indicator.name
    village = indicators.get(name="绿色低碳示范村")
    assert set(demo.demo_series(village, demo.HISTORY_LENGTH + 1, rng)) <= {0, 1}
