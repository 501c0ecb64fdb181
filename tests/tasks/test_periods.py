"""Quarter order lives on the period model: the database's order, Python's `key` and the ordinals agree."""

import pytest

from tasks.models import ReportingPeriod, default_window, quarter_from_ordinal, quarter_ordinal

pytestmark = pytest.mark.django_db

QUARTERS = [(2030, 1), (2026, 4), (2029, 4), (2027, 1), (2026, 3), (2030, 2)]


@pytest.fixture
def periods():
    ReportingPeriod.objects.all().delete()
    for year, quarter in QUARTERS:
        opens, due = default_window(year, quarter)
        ReportingPeriod.objects.create(year=year, quarter=quarter, opens_on=opens, due_on=due)
    return {p.key: p for p in ReportingPeriod.objects.all()}


def test_chronological_orders_by_year_then_quarter_whichever_way(periods):
    oldest_first = [p.key for p in ReportingPeriod.objects.chronological()]
    assert oldest_first == sorted(QUARTERS) == sorted(QUARTERS, key=lambda k: quarter_ordinal(*k))
    assert [p.key for p in ReportingPeriod.objects.chronological(newest_first=True)] == oldest_first[::-1]
    assert [p.key for p in ReportingPeriod.objects.all()] == oldest_first[::-1]  # the model's default order


def test_up_to_keeps_the_quarter_and_every_earlier_one_across_years(periods):
    up_to = ReportingPeriod.objects.up_to(periods[(2029, 4)]).chronological()
    assert [p.key for p in up_to] == [(2026, 3), (2026, 4), (2027, 1), (2029, 4)]


@pytest.mark.parametrize(("year", "quarter"), [(2026, 4), (2027, 1), (2030, 3)])
def test_ordinals_count_quarters_one_by_one_across_a_year_end(year, quarter):
    ordinal = quarter_ordinal(year, quarter)
    assert quarter_from_ordinal(ordinal) == (year, quarter)
    following = quarter_from_ordinal(ordinal + 1)
    assert following == ((year, quarter + 1) if quarter < 4 else (year + 1, 1))
