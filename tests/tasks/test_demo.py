"""The demo data the README's run command loads: every role, every state, and all of it marked as demo."""

import datetime as dt
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from indicators.models import Indicator
from tasks import demo
from tasks.models import IndicatorValue, QuarterlyReport, ReportStatus, default_window

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


def test_the_demo_reports_the_quarter_whose_window_is_open_on_the_day_it_is_loaded(plan):
    """Loaded on any day, the quarter being reported is open and not long past due, and is the office's default."""
    from tasks.selectors import current_periods

    today = timezone.localdate()
    call_command("seed_demo", stdout=StringIO())
    year, quarter = demo.current_quarter(today)
    current = current_periods(today).first()
    assert (current.year, current.quarter) == (year, quarter)
    assert current.opens_on <= today and today - current.due_on < dt.timedelta(days=92)
    history = QuarterlyReport.objects.exclude(period=current)
    assert history.exists() and not history.exclude(status=ReportStatus.APPROVED).exists()
    assert not history.filter(submitted_at__date__gt=today).exists()


@pytest.mark.parametrize("day", ["2026-03-31", "2026-04-10", "2026-04-11", "2026-06-01", "2026-12-03", "2027-01-05"])
def test_the_quarter_being_reported_is_the_newest_whose_window_has_opened(day):
    today = dt.date.fromisoformat(day)
    year, quarter = demo.current_quarter(today)
    opens, due = default_window(year, quarter)
    assert opens <= today
    assert default_window(*demo.demo_quarters(today)[-1])[0] > today  # the next one has not opened


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
