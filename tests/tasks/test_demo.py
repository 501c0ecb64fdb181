"""The demo data the README's run command loads: every role, every state, and all of it marked as demo."""

from io import StringIO

import pytest
from django.core.management import call_command

from tasks.models import IndicatorValue, QuarterlyReport, ReportStatus

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_every_state_marks_it_demo_and_prints_the_log_ins(plan):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert "不是官方统计" in printed
    for username in ("demo-office", "demo-viewer", "demo-admin", "dept01", "dept16-head"):
        assert username in printed

    current = QuarterlyReport.objects.filter(period__year=2026, period__quarter=3)
    states = set(current.values_list("status", flat=True))
    assert states == {s.value for s in ReportStatus}
    assert not QuarterlyReport.objects.filter(is_demo=False).exists()
    assert not IndicatorValue.objects.exclude(note__contains="演示").exists()

    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert QuarterlyReport.objects.count() == QuarterlyReport.objects.filter(is_demo=True).count()
