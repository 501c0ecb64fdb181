"""The progress rules, checked on hand-worked cases and, with hypothesis, on their laws. No database."""

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from progress.maths import (
    FINAL,
    Point,
    Rules,
    Status,
    TargetSpec,
    comparator_holds,
    evaluate,
    evaluate_each,
    expected_share,
    forecast_at,
    progress_share,
    relative_target,
    rollup,
)

START = dt.date(2020, 12, 31)
END = dt.date(2025, 12, 31)
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


def spec(comparator="gte", value=100.0, **kw):
    return TargetSpec(comparator=comparator, value=value, target_date=END, baseline=0.0, baseline_date=START, **kw)


def test_progress_is_the_share_of_the_way_from_baseline_to_target():
    assert progress_share(50, 0, 100) == 0.5
    assert progress_share(1.4, 1.6, 1.3) == pytest.approx(2 / 3)  # a falling target (PUE 1.6 → 1.3)


def test_expected_progress_is_elapsed_time():
    assert expected_share(START, START, END) == 0
    assert expected_share(END, START, END) == 1
    assert expected_share(dt.date(2030, 1, 1), START, END) == 1
    assert expected_share(dt.date(2023, 7, 2), START, END) == pytest.approx(0.5, abs=0.01)


def test_status_bands_relative_to_the_expected_path():
    mid = dt.date(2023, 7, 2)  # half the time gone: expected 50 %
    assert evaluate(spec(), [Point(mid, 45)], mid).status == Status.ON_TRACK  # 5 points behind
    assert evaluate(spec(), [Point(mid, 30)], mid).status == Status.AT_RISK  # 20 behind
    assert evaluate(spec(), [Point(mid, 20)], mid).status == Status.OFF_TRACK  # 30 behind
    assert evaluate(spec(), [Point(mid, 100)], mid).status == Status.ACHIEVED
    assert evaluate(spec(), [], mid).status == Status.NO_DATA


def test_bands_follow_configured_margins():
    mid = dt.date(2023, 7, 2)
    strict = Rules(on_track_margin=2, at_risk_margin=4)
    assert evaluate(spec(), [Point(mid, 45)], mid, strict).status == Status.OFF_TRACK


def test_about_is_achieved_within_five_percent():
    assert comparator_holds("approx", 24, 25)
    assert not comparator_holds("approx", 23.7, 25)
    assert evaluate(spec("approx", 25.0), [Point(END, 26.2)], END).status == Status.MET_BY_DATE


def test_relative_target_needs_the_baseline_year_value():
    relative = TargetSpec(comparator="gte", value=5, target_date=END, direction="down", relative=True)
    assert evaluate(relative, [Point(END, 90)], END).status == Status.BASELINE_MISSING
    with_base = TargetSpec(
        comparator="gte", value=5, target_date=END, direction="down", relative=True, baseline=100, baseline_date=START
    )
    assert relative_target(100, 5, "down") == 95
    assert evaluate(with_base, [Point(END, 94)], END).status == Status.MET_BY_DATE
    assert evaluate(with_base, [Point(END, 99)], END).status == Status.MISSED_BY_DATE


def test_directional_targets_follow_the_movement():
    up = TargetSpec(comparator="increase", target_date=END, baseline=10, baseline_date=START)
    assert evaluate(up, [Point(END, 12)], END).status == Status.MET_BY_DATE
    assert evaluate(up, [Point(END, 8)], END).status == Status.MISSED_BY_DATE
    down = TargetSpec(comparator="decrease", target_date=END)
    assert evaluate(down, [Point(START, 10), Point(END, 8)], END).status == Status.MET_BY_DATE


def test_city_assigned_waits_for_the_value():
    assert evaluate(TargetSpec("city_assigned", END), [Point(END, 3)], END).status == Status.AWAITING_CITY
    assigned = TargetSpec("city_assigned", END, value=14.5, baseline=0, baseline_date=START)
    assert evaluate(assigned, [Point(END, 15)], END).status == Status.MET_BY_DATE


def test_milestones():
    village = TargetSpec("milestone", END, value=1)
    assert evaluate(village, [Point(START, 0), Point(END, 1)], END).status == Status.MET_BY_DATE
    missed = evaluate(village, [Point(START, 0)], dt.date(2026, 3, 31))
    assert missed.status == Status.MISSED_BY_DATE and missed.judged == 0
    assert evaluate(TargetSpec("milestone", END), [], END).status == Status.NO_DATA


FOREST = TargetSpec("gte", END, value=8.01, baseline=5.0, baseline_date=START)  # 全区森林覆盖率 ≥ 8.01 % by 2025
LATER = dt.date(2026, 12, 31)


def test_a_target_past_its_date_is_judged_on_the_value_of_its_date_and_shows_the_newer_one():
    """2025 Q4's 6.71 missed 8.01; 2026's 7.5 does not turn the 2025 target back into 'at risk'."""
    series = [Point(dt.date(2025, 9, 30), 6.5), Point(END, 6.71), Point(dt.date(2026, 9, 30), 7.5)]
    result = evaluate(FOREST, series, LATER)
    assert result.status == Status.MISSED_BY_DATE
    assert result.judged == 6.71 and result.latest == 7.5
    assert result.forecast is None and result.expected == 1.0
    met = evaluate(FOREST, [Point(END, 8.2), Point(dt.date(2026, 9, 30), 7.9)], LATER)
    assert met.status == Status.MET_BY_DATE and met.judged == 8.2 and met.latest == 7.9


def test_a_target_is_judged_in_its_dates_own_quarter_once_that_value_is_in():
    """As of 2025 Q4 (the 2025 evaluation), a "by 2025" target is judged on 2025 Q4's value, dated its date."""
    q3 = Point(dt.date(2025, 9, 30), 6.5)
    result = evaluate(FOREST, [q3, Point(END, 6.71)], END)
    assert result.status == Status.MISSED_BY_DATE and result.judged == 6.71 and result.latest == 6.71
    met = evaluate(FOREST, [q3, Point(END, 8.3)], END)
    assert met.status == Status.MET_BY_DATE and met.judged == 8.3 and met.forecast is None


def test_until_the_value_of_its_date_is_in_a_target_on_its_date_keeps_its_progress_status():
    """2025 Q4 not yet approved: as of 2025 Q4 what the values so far say; after the quarter, judged on Q3's."""
    q3 = Point(dt.date(2025, 9, 30), 6.5)
    waiting = evaluate(FOREST, [q3], END)
    assert waiting.status not in FINAL and waiting.judged is None and waiting.latest == 6.5
    after = evaluate(FOREST, [q3], dt.date(2026, 3, 31))
    assert after.status == Status.MISSED_BY_DATE and after.judged == 6.5


def test_without_a_value_by_its_date_a_past_target_has_nothing_to_judge():
    result = evaluate(FOREST, [Point(dt.date(2026, 3, 31), 9.0)], LATER)
    assert result.status == Status.NO_DATA and result.latest == 9.0 and result.judged is None


values = st.lists(
    st.tuples(st.dates(dt.date(2021, 1, 1), dt.date(2029, 12, 31)), st.floats(0, 100, allow_nan=False)), max_size=12
)


@given(values, st.dates(dt.date(2026, 1, 1), dt.date(2035, 12, 31)), st.floats(0, 100, allow_nan=False))
def test_a_final_verdict_never_changes_with_what_comes_after_the_date(rows, as_of, later):
    """Judged as of any date after the target's, with any values added after it: the same verdict and value."""
    series = [Point(when, value) for when, value in rows]
    first = evaluate(FOREST, series, as_of)
    second = evaluate(FOREST, [*series, Point(max(as_of, END + dt.timedelta(days=1)), later)], as_of)
    assert first.status == second.status and first.judged == second.judged
    if first.status in FINAL:
        at_date = evaluate(FOREST, series, END)
        if at_date.status in FINAL:  # the value of its date was in: judged then, once
            assert (at_date.status, at_date.judged) == (first.status, first.judged)
        else:  # judged after its date on the latest value before it
            assert (first.status == Status.MET_BY_DATE) == (at_date.status == Status.ACHIEVED)


quarter_values = st.lists(st.tuples(st.integers(0, 14), st.floats(0, 100, allow_nan=False)), max_size=12)


@given(quarter_values, st.floats(0, 100, allow_nan=False), st.integers(1, 12), st.floats(0, 100, allow_nan=False))
def test_once_the_value_of_its_date_is_in_the_verdict_of_its_date_stands(rows, at_date, later_quarters, later):
    """Values at quarter ends, the target's date among them: as of the date and any quarter after it, one verdict,
    on the date's value, whatever comes after; the newest value shows beside it."""
    ends = [dt.date(year, month, day) for year in range(2021, 2026) for month, day in ((3, 31), (6, 30), (9, 30))]
    series = [Point(ends[q], v) for q, v in rows] + [Point(END, at_date)]
    judged = evaluate(FOREST, series, END)
    assert judged.status in FINAL and judged.judged == at_date
    as_of = END + dt.timedelta(days=91 * later_quarters)
    afterwards = evaluate(FOREST, [*series, Point(as_of, later)], as_of)
    assert (afterwards.status, afterwards.judged) == (judged.status, judged.judged)
    assert afterwards.latest == later
    assert (judged.status == Status.MET_BY_DATE) == (at_date >= FOREST.value)


def test_forecast_needs_three_points():
    points = [Point(dt.date(2024, 3, 31), 1), Point(dt.date(2024, 6, 30), 2)]
    assert forecast_at(points, END) is None


def test_rollup_counts_and_shares():
    assert rollup(["on_track", "on_track", "off_track", "achieved"]) == {
        "achieved": {"count": 1, "share": 0.25},
        "off_track": {"count": 1, "share": 0.25},
        "on_track": {"count": 2, "share": 0.5},
    }


@given(baseline=finite, target=finite, v1=finite, v2=finite)
def test_progress_never_falls_when_the_value_rises_on_an_increasing_target(baseline, target, v1, v2):
    assume(target > baseline + 1e-6)
    low, high = sorted((v1, v2))
    assert progress_share(low, baseline, target) <= progress_share(high, baseline, target)


@given(
    comparator=st.sampled_from(["gte", "gt", "lte", "lt", "approx"]),
    target=st.floats(min_value=-1e4, max_value=1e4, allow_nan=False).filter(lambda x: abs(x) > 1e-3),
    values=st.lists(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False), min_size=1, max_size=8),
)
def test_achieved_exactly_when_the_comparator_holds(comparator, target, values):
    points = [Point(START + dt.timedelta(days=91 * i + 1), v) for i, v in enumerate(values)]
    target_spec = TargetSpec(comparator, END, value=target, baseline=-2e4, baseline_date=START)
    result = evaluate(target_spec, points, END)
    assert (result.status == Status.ACHIEVED) == comparator_holds(comparator, values[-1], target)


@given(
    slope=st.floats(min_value=-100, max_value=100, allow_nan=False),
    intercept=st.floats(min_value=-1e4, max_value=1e4, allow_nan=False),
    n=st.integers(min_value=3, max_value=24),
)
def test_forecast_of_points_on_a_line_is_that_line(slope, intercept, n):
    first = dt.date(2024, 3, 31)
    points = [Point(first + dt.timedelta(days=91 * i), intercept + slope * 91 * i) for i in range(n)]
    when = dt.date(2030, 12, 31)
    expected = intercept + slope * (when - first).days
    assert forecast_at(points, when) == pytest.approx(expected, rel=1e-6, abs=1e-6)


specs = st.builds(
    TargetSpec,
    comparator=st.sampled_from(
        ["gte", "gt", "lte", "lt", "eq", "approx", "increase", "decrease", "milestone", "city_assigned"]
    ),
    target_date=st.sampled_from([END, None]),
    value=st.one_of(st.none(), st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)),
    direction=st.sampled_from(["up", "down"]),
    relative=st.booleans(),
    baseline=st.one_of(st.none(), st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)),
    baseline_date=st.sampled_from([START, None]),
)


@given(
    spec=specs,
    values=st.lists(
        st.tuples(st.integers(min_value=0, max_value=30), st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)),
        max_size=12,
    ),
    offsets=st.lists(st.integers(min_value=-200, max_value=3000), min_size=1, max_size=8),
)
def test_evaluate_each_is_evaluate_as_of_each_date(spec, values, offsets):
    """Quarters in any order, several values on one date: each date sees exactly the values up to it."""
    points = [Point(START + dt.timedelta(days=91 * q), v) for q, v in values]
    dates = [START + dt.timedelta(days=o) for o in offsets]
    assume(spec.value is not None or spec.comparator in ("increase", "decrease", "milestone", "city_assigned"))
    try:
        expected = [evaluate(spec, points, d) for d in dates]
    except (ValueError, TypeError, ZeroDivisionError):  # a spec the plan never produces: both must refuse it
        with pytest.raises((ValueError, TypeError, ZeroDivisionError)):
            evaluate_each(spec, points, dates)
        return
    assert evaluate_each(spec, points, dates) == expected
