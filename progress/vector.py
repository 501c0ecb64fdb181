"""progress.maths.evaluate_each for many targets at once, on a grid of quarters, with numpy.

The scalar maths stays the single source of truth: this is the same rules, written over arrays of targets ×
quarters so that a whole plan (or every plan) is evaluated in a few dozen array operations instead of a Python
call per target and quarter. Every sum is taken point by point in date order, as the scalar `sum()` takes it,
so the figures agree to the last bit (tests/progress/test_vector.py checks it with hypothesis).

The grid: each target's values are the quarters' values (at most one per quarter, dated the quarter's end), and
it is evaluated as of each quarter's end, which is what the engine does.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .maths import Point, Rules, Status, TargetSpec, is_final, verdict

STATUSES = list(Status)  # the codes: index in this list
CODE = {s: i for i, s in enumerate(STATUSES)}
NUMERIC = ("gte", "gt", "lte", "lt", "eq", "approx")


@dataclass
class Grid:
    """Results of n targets as of Q quarters: status codes (index in STATUSES), floats with NaN for None,
    forecast_meets as -1 (None), 0 or 1, and the baseline's date as a proleptic ordinal (NaN for None)."""

    status: np.ndarray
    target_value: np.ndarray
    latest: np.ndarray
    progress: np.ndarray
    expected: np.ndarray
    forecast: np.ndarray
    forecast_meets: np.ndarray
    judged: np.ndarray
    baseline: np.ndarray
    baseline_date: np.ndarray


class _Sum:
    """sum() of floats as Python (3.12 and later) takes it, element-wise: Neumaier's compensated summation, the
    compensation added at the end when it is finite and not zero. The same steps in the same order give the same
    bits as the scalar maths' sum()."""

    def __init__(self, shape):
        self.sum = np.zeros(shape)
        self.compensation = np.zeros(shape)

    def add(self, x: np.ndarray, where: np.ndarray) -> None:
        with np.errstate(invalid="ignore", over="ignore"):
            t = self.sum + x
            c = np.where(np.abs(self.sum) >= np.abs(x), (self.sum - t) + x, (x - t) + self.sum)
        self.compensation = np.where(where, self.compensation + c, self.compensation)
        self.sum = np.where(where, t, self.sum)

    def total(self) -> np.ndarray:
        c = self.compensation
        with np.errstate(invalid="ignore", over="ignore"):
            return np.where((c != 0) & np.isfinite(c), self.sum + c, self.sum)


def _ordinal(day: dt.date | None) -> float:
    return float(day.toordinal()) if day is not None else np.nan


def _holds(comparator: np.ndarray, value: np.ndarray, target: np.ndarray, tolerance: float) -> np.ndarray:
    """comparator_holds, element-wise; comparator holds indexes into NUMERIC."""
    with np.errstate(invalid="ignore"):
        tests = [
            value >= target,
            value > target,
            value <= target,
            value < target,
            value == target,
            np.abs(value - target) <= np.abs(target) * tolerance,
        ]
    return np.choose(comparator, tests)


def _band(share: np.ndarray, expected: np.ndarray, rules: Rules) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        gap = (expected - share) * 100
        banded = np.where(
            gap <= rules.on_track_margin,
            CODE[Status.ON_TRACK],
            np.where(gap <= rules.at_risk_margin, CODE[Status.AT_RISK], CODE[Status.OFF_TRACK]),
        )
        loose = np.where(np.isnan(share) | (share >= 0), CODE[Status.ON_TRACK], CODE[Status.OFF_TRACK])
    return np.where(np.isnan(share) | np.isnan(expected), loose, banded)


def _expected(as_of: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.minimum(1.0, np.maximum(0.0, (as_of - start) / (end - start)))
    return np.where(end <= start, 1.0, share)


def evaluate_grid(specs: Sequence[TargetSpec], values: np.ndarray, ends: Sequence[dt.date], rules: Rules) -> Grid:
    """`values`: n × Q, the value of target i's indicator in quarter j, NaN where none was approved; `ends`: the
    quarters' last days, ascending. Result [i, a]: target i as of ends[a], from the values of quarters ≤ a."""
    n, q = values.shape
    shape = (n, q)
    day = np.array([float(e.toordinal()) for e in ends])
    as_of = np.broadcast_to(day, shape)
    has = ~np.isnan(values)
    upto = np.tril(np.ones((q, q), dtype=bool))  # upto[a, j]: quarter j counts as of quarter a

    # per target: the spec's fields as columns
    comparator = np.array([s.comparator for s in specs], dtype=object).reshape(n, 1)
    value = np.array([np.nan if s.value is None else s.value for s in specs]).reshape(n, 1)
    value_given = np.array([s.value is not None for s in specs]).reshape(n, 1)
    relative = np.array([s.relative for s in specs]).reshape(n, 1)
    down = np.array([s.direction == "down" for s in specs]).reshape(n, 1)
    spec_base = np.array([np.nan if s.baseline is None else s.baseline for s in specs]).reshape(n, 1)
    spec_base_given = np.array([s.baseline is not None for s in specs]).reshape(n, 1)
    spec_base_day = np.array([_ordinal(s.baseline_date) for s in specs]).reshape(n, 1)
    target_day = np.array([_ordinal(s.target_date) for s in specs]).reshape(n, 1)

    # the points as of each quarter: how many, the latest, and the first (the same in every prefix that has one)
    count = np.cumsum(has, axis=1)
    filled = np.where(has, values, np.nan)
    last_index = np.maximum.accumulate(np.where(has, np.arange(q), -1), axis=1)
    latest = np.where(last_index >= 0, np.take_along_axis(filled, np.maximum(last_index, 0), axis=1), np.nan)
    first_index = np.where(has.any(axis=1), has.argmax(axis=1), 0).reshape(n, 1)
    first_value = np.take_along_axis(filled, first_index, axis=1)
    first_day = day[first_index]

    # the trend of each prefix: sums point by point, in date order, as linear_trend's sum() takes them
    xs = day.reshape(1, q) - first_day  # days since the first point
    inside = has[:, None, :] & upto[None, :, :]  # [i, a, j]
    npts = count.astype(float)
    sum_x = np.zeros(shape)  # whole days: exact in any order, as sum() of ints is
    sum_y = _Sum(shape)
    for j in range(q):
        sum_x = sum_x + np.where(inside[:, :, j], xs[:, j : j + 1], 0.0)
        sum_y.add(filled[:, j : j + 1], inside[:, :, j])
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_x, mean_y = sum_x / npts, sum_y.total() / npts
        sum_xx, sum_xy = _Sum(shape), _Sum(shape)
        for j in range(q):
            dx = xs[:, j : j + 1] - mean_x
            sum_xx.add(dx * dx, inside[:, :, j])
            sum_xy.add(dx * (filled[:, j : j + 1] - mean_y), inside[:, :, j])
        sxx, sxy = sum_xx.total(), sum_xy.total()
        slope = sxy / sxx
        intercept = mean_y - slope * mean_x
        forecast = intercept + slope * (target_day - first_day)
    trend = (count >= max(rules.min_forecast_points, 2)) & (sxx != 0) & ~np.isnan(target_day)
    forecast = np.where(trend, forecast, np.nan)

    # baselines: the spec's, else (not relative) the first point's
    own_base = ~spec_base_given & ~relative
    base = np.where(own_base, first_value, spec_base)
    base_day = np.where(own_base, first_day, spec_base_day)

    # numeric targets (and city-assigned ones with a value), relative or not
    sign = np.where(down, -1.0, 1.0)
    target = np.where(relative, base * (1 + sign * value / 100), value)
    holds_code = np.full((n, 1), 0)
    for code, name in enumerate(NUMERIC):
        holds_code = np.where(comparator == name, code, holds_code)
    holds_code = np.where(relative, np.where(down, 2, 0), holds_code)
    holds_code = np.where(relative & (comparator == "approx"), 5, holds_code)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(target == base, np.nan, (latest - base) / (target - base))
    expected = np.where(np.isnan(base_day) | np.isnan(target_day), np.nan, _expected(as_of, base_day, target_day))
    target_b = np.broadcast_to(target, shape)
    holds_code_b = np.broadcast_to(holds_code, shape)
    meets = np.where(
        np.isnan(forecast), -1, _holds(holds_code_b, forecast, target_b, rules.approx_tolerance).astype(int)
    )
    achieved = _holds(holds_code_b, latest, target_b, rules.approx_tolerance)
    numeric_status = np.where(achieved, CODE[Status.ACHIEVED], _band(share, expected, rules))

    # increase / decrease: which way the latest value moved from the baseline
    moved = latest - base
    up = comparator == "increase"
    directional_status = np.where(
        moved == 0,
        np.where((count == 1) & ~spec_base_given, CODE[Status.NO_DATA], CODE[Status.AT_RISK]),
        np.where(np.where(up, moved > 0, moved < 0), CODE[Status.ON_TRACK], CODE[Status.OFF_TRACK]),
    )

    # milestones: reached (1) or not (0), or a count towards `value`
    goal = np.where(value_given, value, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        goal_share = np.where(goal != 0, latest / goal, np.nan)
    late = ~np.isnan(target_day) & (as_of > target_day)
    counted = value_given & ~np.isnan(target_day) & ~np.isnan(spec_base_day)
    milestone_band = _band(goal_share, _expected(as_of, spec_base_day, target_day), rules)
    milestone_status = np.where(
        latest >= goal,
        CODE[Status.ACHIEVED],
        np.where(late, CODE[Status.OFF_TRACK], np.where(counted, milestone_band, CODE[Status.ON_TRACK])),
    )

    # which rule applies, in _evaluate's order
    awaiting = (comparator == "city_assigned") & ~value_given
    milestone = comparator == "milestone"
    none = count == 0
    directional = (comparator == "increase") | (comparator == "decrease")
    missing = relative & np.isnan(base)
    kind = np.select(
        [awaiting, milestone & none, milestone, none, directional, missing],
        [0, 1, 2, 1, 3, 4],
        default=5,
    )
    nan = np.full(shape, np.nan)
    status = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3, kind == 4],
        [
            CODE[Status.AWAITING_CITY],
            CODE[Status.NO_DATA],
            milestone_status,
            directional_status,
            CODE[Status.BASELINE_MISSING],
        ],
        default=numeric_status,
    )
    numeric = kind == 5
    grid = Grid(
        status=status.astype(np.int8),
        target_value=np.select([kind == 2, numeric], [np.broadcast_to(goal, shape), target_b], default=nan),
        latest=np.where((kind >= 2), latest, np.nan),
        progress=np.select(
            [(kind == 2) & (latest >= goal), kind == 2, numeric], [np.ones(shape), goal_share, share], default=nan
        ),
        expected=np.where(numeric, expected, np.nan),
        forecast=np.where(numeric, forecast, np.nan),
        forecast_meets=np.where(numeric, meets, -1).astype(np.int8),
        judged=nan.copy(),
        baseline=np.where((kind == 3) | numeric, np.broadcast_to(base, shape), np.nan),
        baseline_date=np.where((kind == 3) | numeric, np.broadcast_to(base_day, shape), np.nan),
    )
    _final_verdicts(grid, specs, values, ends, rules, latest)
    return grid


def _final_verdicts(grid: Grid, specs, values: np.ndarray, ends, rules: Rules, newest: np.ndarray) -> None:
    """As of a quarter where a target is judged for good (progress.maths.is_final: its date's quarter once that
    quarter's value is in, and every later one), its final verdict (progress.maths.verdict), with the newest value as
    of that quarter beside it (`newest`: the latest value up to each quarter).

    A verdict is the target's evaluation as of its date, which is a quarter's end: the grid's column of that quarter,
    before any verdict is laid over it. Only a target whose date is no quarter's end of the grid (before the first,
    after the last) is judged by the scalar maths."""
    column = {end: j for j, end in enumerate(ends)}
    on_grid = [(i, column[s.target_date]) for i, s in enumerate(specs) if s.target_date in column]
    off_grid = [i for i, s in enumerate(specs) if s.target_date is not None and s.target_date not in column]
    if on_grid:
        _verdicts_on_grid(grid, specs, values, newest, on_grid)
    for i in off_grid:
        _scalar_verdicts(grid, i, specs[i], values[i], ends, rules)


NOTHING_TO_JUDGE = [CODE[s] for s in (Status.NO_DATA, Status.BASELINE_MISSING, Status.AWAITING_CITY)]
KEPT = ("target_value", "progress", "expected", "baseline", "baseline_date")  # a verdict keeps them from its date


def _verdicts_on_grid(grid: Grid, specs, values: np.ndarray, newest: np.ndarray, on_grid) -> None:
    rows = np.array([i for i, _ in on_grid])
    dated = np.array([j for _, j in on_grid])
    quarters = np.arange(values.shape[1])
    has_at_date = ~np.isnan(values[rows, dated])
    final = (quarters[None, :] > dated[:, None]) | ((quarters[None, :] == dated[:, None]) & has_at_date[:, None])
    at = {name: getattr(grid, name)[rows, dated].copy() for name in (*KEPT, "status", "forecast", "forecast_meets")}
    nothing = np.isin(at["status"], NOTHING_TO_JUDGE)
    directional = np.array([specs[i].comparator in ("increase", "decrease") for i in rows])
    met = (at["status"] == CODE[Status.ACHIEVED]) | (directional & (at["status"] == CODE[Status.ON_TRACK]))
    judged_status = np.where(
        nothing, at["status"], np.where(met, CODE[Status.MET_BY_DATE], CODE[Status.MISSED_BY_DATE])
    )
    awaiting = at["status"] == CODE[Status.AWAITING_CITY]
    sub = np.ix_(rows, quarters)
    f = final

    def lay(name: str, verdict: np.ndarray) -> None:
        """Over the final quarters of the dated targets: `verdict` (per target, or per target and quarter)."""
        block = getattr(grid, name)[sub]
        verdict = np.broadcast_to(verdict if verdict.ndim == 2 else verdict[:, None], block.shape)
        getattr(grid, name)[sub] = np.where(f, verdict, block)

    lay("status", judged_status.astype(grid.status.dtype))
    for name in KEPT:
        lay(name, at[name])
    lay("forecast", np.where(nothing, at["forecast"], np.nan))
    lay("forecast_meets", np.where(nothing, at["forecast_meets"], -1).astype(grid.forecast_meets.dtype))
    lay("judged", np.where(nothing, np.nan, newest[rows, dated]))
    lay("latest", np.where(awaiting[:, None], np.nan, newest[rows]))


def _scalar_verdicts(grid: Grid, i: int, spec: TargetSpec, values: np.ndarray, ends, rules: Rules) -> None:
    points = [Point(end, float(v)) for end, v in zip(ends, values, strict=True) if not np.isnan(v)]
    for a in range(bisect_left(ends, spec.target_date), len(ends)):  # before its date nothing is final
        end = ends[a]
        upto = [p for p in points if p.when <= end]
        if not is_final(spec, upto, end):
            continue
        final = verdict(spec, upto, rules)
        grid.status[i, a] = CODE[final.status]
        for name in ("target_value", "latest", "progress", "expected", "forecast", "judged", "baseline"):
            number = getattr(final, name)
            getattr(grid, name)[i, a] = np.nan if number is None else number
        grid.baseline_date[i, a] = _ordinal(final.baseline_date)
        grid.forecast_meets[i, a] = -1 if final.forecast_meets is None else int(final.forecast_meets)
