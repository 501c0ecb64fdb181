"""Series written the engine's way (COPY on PostgreSQL, INSERT elsewhere) read back as they were: text that COPY or
an array literal would misread (quotes, backslashes, tabs, new lines, NULL spelled out), floats to the last bit,
dates, booleans and JSON."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from indicators.models import Target
from results.engine import write
from results.engine.rows import TargetRow
from results.models import TargetResult, TargetSeries
from results.series import quarter_index
from tasks.models import ReportingPeriod

pytestmark = pytest.mark.django_db

AWKWARD = ['a "quoted" word', "back\\slash", "tab\there", "new\nline", "NULL", "", "{brace,comma}", "碳达峰 \\N"]


def test_awkward_values_survive_the_write(plan):
    target = Target.objects.filter(indicator__plan=plan).first()
    fields = [
        TargetSeries._meta.get_field(c) for c in ("computed_at", "target_id", "first_quarter", *TargetRow._fields)
    ]
    n = len(AWKWARD)
    series = {
        "status": AWKWARD,
        "target_value": [0.1 + 0.2, None, 1e-300, -0.0, 12345678.123456789, 2.5, 1 / 3, None],
        "latest_value": [None] * n,
        "progress": [None] * n,
        "expected": [None] * n,
        "forecast": [None] * n,
        "forecast_meets": [True, False, None, True, False, None, True, False],
        "judged_value": [None] * n,
        "baseline_value": [None] * n,
        "baseline_on": [dt.date(2020, 12, 31), None, *[dt.date(2021, 3, 31)] * (n - 2)],
        "latest_kind": list(reversed(AWKWARD)),
        "latest_figures": [{"reported": 1.5, "说明": s} for s in AWKWARD],
        "judged_kind": [None] * n,
    }
    prepare = [write._preparer(f) for f in fields[3:]]
    row = (
        connection.ops.adapt_datetimefield_value(timezone.now()),
        target.pk,
        quarter_index(2021, 1),
        *(p(series[name]) for p, name in zip(prepare, TargetRow._fields, strict=True)),
    )
    write._insert(connection.ops.quote_name(TargetSeries._meta.db_table), fields, [row])

    stored = TargetSeries.objects.get(target=target)
    for name, values in series.items():
        assert getattr(stored, name) == values, name
    # and through the per-quarter view: the first quarter's row is the series' first element
    first = ReportingPeriod.objects.create(
        year=2021, quarter=1, opens_on=dt.date(2021, 4, 1), due_on=dt.date(2021, 4, 15)
    )
    result = TargetResult.objects.get(target=target, period=first)
    assert (result.status, result.target_value, result.latest_figures) == (
        AWKWARD[0],
        0.1 + 0.2,
        {"reported": 1.5, "说明": AWKWARD[0]},
    )


def test_a_quarter_before_every_series_first_has_no_row_and_breaks_no_read(plan):
    """The views read a series' element at each quarter's offset from its first: a quarter that lies before it
    (added later, or a target first computed from a later quarter) has no row, and reading all rows still works on
    both databases (an offset of -1 is never handed to json_extract nor to jsonb's ->, which counts from the end)."""
    from results import services
    from results.selectors import computed_periods

    for quarter in (1, 2):
        ReportingPeriod.objects.create(
            year=2024,
            quarter=quarter,
            opens_on=dt.date(2024, 3 * quarter + 1, 1),
            due_on=dt.date(2024, 3 * quarter + 1, 15),
        )
    services.recompute_plan(plan, today=dt.date(2024, 8, 1))
    earlier = ReportingPeriod.objects.create(
        year=2023, quarter=4, opens_on=dt.date(2024, 1, 1), due_on=dt.date(2024, 1, 15)
    )

    assert TargetResult.objects.count() == 2 * Target.objects.filter(indicator__plan=plan).count()
    assert not TargetResult.objects.filter(period=earlier).exists()
    assert earlier not in computed_periods(plan)
    assert [(p.year, p.quarter) for p in computed_periods(plan)] == [(2024, 2), (2024, 1)]
