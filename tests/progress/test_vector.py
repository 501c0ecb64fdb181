"""The vectorised maths agrees with the scalar maths (progress.maths.evaluate_each) on any input of the grid."""

import datetime as dt
import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from progress.maths import Point, Rules, TargetSpec, evaluate_each
from progress.vector import STATUSES, evaluate_grid

ENDS = [dt.date(year, month, day) for year in range(2021, 2027) for month, day in ((3, 31), (6, 30), (9, 30), (12, 31))]
COMPARATORS = ["gte", "gt", "lte", "lt", "eq", "approx", "increase", "decrease", "milestone", "city_assigned"]
# Reported figures: a handful of significant digits, as the forms take them; small integers hit ties and equalities.
figures = st.one_of(
    st.sampled_from([0.0, 1.0, 2.0, 10.0, 12.5, 100.0]),
    st.integers(min_value=-5, max_value=120).map(float),
    st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False).map(float),
)
dates = st.one_of(st.none(), st.sampled_from([dt.date(y, 12, 31) for y in range(2019, 2032)]))


@st.composite
def specs(draw):
    return TargetSpec(
        comparator=draw(st.sampled_from(COMPARATORS)),
        target_date=draw(dates),
        value=draw(st.one_of(st.none(), figures)),
        direction=draw(st.sampled_from(["up", "down"])),
        relative=draw(st.booleans()),
        baseline=draw(st.one_of(st.none(), figures)),
        baseline_date=draw(dates),
    )


series = st.lists(st.one_of(st.none(), figures), min_size=len(ENDS), max_size=len(ENDS))
rules = st.builds(
    Rules,
    on_track_margin=st.sampled_from([0.0, 5.0, 10.0]),
    at_risk_margin=st.sampled_from([10.0, 25.0]),
    approx_tolerance=st.sampled_from([0.0, 0.05]),
    min_forecast_points=st.integers(min_value=0, max_value=4),
)


def _scalar(spec, values, chosen_rules):
    points = [Point(end, v) for end, v in zip(ENDS, values, strict=True) if v is not None]
    try:
        return evaluate_each(spec, points, ENDS, chosen_rules)
    except TypeError:  # a spec the engine never builds (e.g. a number compared with no target value)
        return None


def _same(vector: float, scalar) -> bool:
    """The same bits: the pages, exports and PDF print the engine's floats, and a layout or engine change must not
    move them (tests/results/test_rendered_figures.py)."""
    if scalar is None:
        return math.isnan(vector)
    return not math.isnan(vector) and vector == scalar


@settings(max_examples=400, deadline=None)
@given(targets=st.lists(st.tuples(specs(), series), min_size=1, max_size=6), chosen_rules=rules)
def test_the_vectorised_evaluation_agrees_with_the_scalar_one(targets, chosen_rules):
    expected = [_scalar(spec, values, chosen_rules) for spec, values in targets]
    assume(all(e is not None for e in expected))
    grid = evaluate_grid(
        [spec for spec, _ in targets],
        np.array([[np.nan if v is None else v for v in values] for _, values in targets]),
        ENDS,
        chosen_rules,
    )
    for i, evaluations in enumerate(expected):
        for a, scalar in enumerate(evaluations):
            where = f"target {i} as of {ENDS[a]}: {scalar}"
            assert STATUSES[grid.status[i, a]] == scalar.status, where
            for field in ("target_value", "latest", "progress", "expected", "forecast", "judged", "baseline"):
                assert _same(getattr(grid, field)[i, a], getattr(scalar, field)), f"{field} of {where}"
            day = grid.baseline_date[i, a]
            assert (None if math.isnan(day) else dt.date.fromordinal(int(day))) == scalar.baseline_date, where
            meets = grid.forecast_meets[i, a]
            assert (None if meets < 0 else bool(meets)) == scalar.forecast_meets, where


def test_one_worked_case_matches_the_scalar_figures():
    spec = TargetSpec("gte", dt.date(2025, 12, 31), value=30.0, baseline=10.0, baseline_date=dt.date(2020, 12, 31))
    values = [np.nan] * len(ENDS)
    values[3], values[7], values[11] = 12.0, 15.0, 19.0  # 2021, 2022 and 2023 year ends
    grid = evaluate_grid([spec], np.array([values]), ENDS, Rules())
    scalar = evaluate_each(spec, [Point(ENDS[j], values[j]) for j in (3, 7, 11)], ENDS, Rules())
    assert [STATUSES[c] for c in grid.status[0]] == [e.status for e in scalar]
    assert grid.forecast[0, 11] == scalar[11].forecast  # the same bits, not merely close
