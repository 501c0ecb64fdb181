"""The demo's official figures: invented like the rest, said to be so in their document, and judging targets."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from results.models import TargetResult
from results.services import recompute_plan
from tasks import demo, demo_official
from tasks.models import IndicatorValue, quarter_end

pytestmark = pytest.mark.django_db


def test_seeding_records_demo_official_figures_that_judge_targets_once(plan):
    call_command("seed_demo", stdout=StringIO())
    official = IndicatorValue.objects.official()
    today = timezone.localdate()
    assert official.filter(kind="provisional").exists() and official.filter(kind="final").exists()
    assert not official.exclude(source_title__contains="演示").exists()
    assert not official.exclude(note__contains="演示").exists()
    assert not official.filter(valid_from__date__gte=today).exists()  # published before the demo was loaded
    assert not official.exclude(valid_from__lt=timezone.now()).exists()
    assert all(v.valid_from.date() > quarter_end(v.period.year, 4) for v in official.select_related("period"))
    last_year = max(official.values_list("period__year", flat=True))
    assert not official.filter(kind="final", period__year=last_year).exists()  # its verified figures come later
    assert set(official.values_list("period__quarter", flat=True)) == {4}

    reported = {
        (v.indicator_id, v.period_id): v.value
        for v in IndicatorValue.objects.reported().known().filter(indicator__in=official.values("indicator"))
    }
    differs = [v for v in official.filter(kind="provisional") if reported[(v.indicator_id, v.period_id)] != v.value]
    same = [v for v in official.filter(kind="provisional") if reported[(v.indicator_id, v.period_id)] == v.value]
    assert differs and same  # some a little off the departments' figures, some the same

    recompute_plan(plan)
    judged = TargetResult.objects.filter(judged_kind__in=["provisional", "final"])
    assert judged.exists()
    latest = TargetResult.objects.filter(latest_kind__in=["provisional", "final"]).exclude(latest_figures={})
    assert latest.exists()

    count = official.count()
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert IndicatorValue.objects.official().count() == count
    assert "演示统计数据" in out.getvalue() and "0 条" in out.getvalue()
    assert not IndicatorValue.objects.official().exclude(superseded_at__isnull=True).exists()


@pytest.mark.parametrize("day", ["2026-01-05", "2026-04-10", "2026-12-03"])
def test_every_year_ended_has_a_provisional_figure_and_the_earlier_ones_a_final(day):
    """The last year whose fourth quarter is in the demo and has ended gets 统计初步 only; never a day ahead."""
    today = dt.date.fromisoformat(day)
    periods = {key: None for key in demo.demo_quarters(today)}
    released = demo_official.years_released(periods, today)
    years = sorted({y for y, _kind in released})
    assert years and all(quarter_end(y, 4) < today for y in years)
    assert (years[-1], "final") not in released and all((y, "provisional") in released for y in years)
    assert all((y, "final") in released for y in years[:-1])
    for year, kind in released:
        assert demo_official.published_on(demo_official.RELEASES[kind], year, today) < today
