"""How far a target has come, how far it should have come, where it is heading, and what that means.

Every rule with a number in it takes that number from `Rules`, so the office can tune the bands without a
code change. Values are floats: the inputs are reported figures with a handful of significant digits.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum


class Status(StrEnum):
    ACHIEVED = "achieved"  # 已达标
    ON_TRACK = "on_track"  # 正常
    AT_RISK = "at_risk"  # 预警
    OFF_TRACK = "off_track"  # 滞后
    NO_DATA = "no_data"  # 无数据
    BASELINE_MISSING = "baseline_missing"  # 待录入基数
    AWAITING_CITY = "awaiting_city"  # 待下达
    MET_BY_DATE = "met_by_date"  # 到期达标: the value of the target's date met it (see is_final)
    MISSED_BY_DATE = "missed_by_date"  # 到期未达标: the value of the target's date missed it


FINAL = frozenset({Status.MET_BY_DATE, Status.MISSED_BY_DATE})


NUMERIC = frozenset({"gte", "gt", "lte", "lt", "eq", "approx"})


@dataclass(frozen=True)
class Rules:
    on_track_margin: float = 10.0  # percentage points below the expected progress still counted on track
    at_risk_margin: float = 25.0  # below this many points under expected progress: off track
    approx_tolerance: float = 0.05  # "about" (≈) holds within ±5 % of the target value
    min_forecast_points: int = 3


@dataclass(frozen=True)
class Point:
    when: dt.date
    value: float


@dataclass(frozen=True)
class TargetSpec:
    """A target reduced to what the maths needs.

    comparator: gte/gt/lte/lt/eq/approx, increase/decrease, milestone, city_assigned.
    value: the target value; for a relative target the percentage change (5 for 比2020年下降5%).
    relative: value is a change from the baseline, in percent, in `direction`.
    """

    comparator: str
    target_date: dt.date | None
    value: float | None = None
    direction: str = "up"
    relative: bool = False
    baseline: float | None = None
    baseline_date: dt.date | None = None


@dataclass(frozen=True)
class Evaluation:
    status: Status
    target_value: float | None = None
    latest: float | None = None
    progress: float | None = None  # share of the way from baseline to target, 0..1 (may exceed 1 or go below 0)
    expected: float | None = None  # share of the time from baseline to target date that has passed, 0..1
    forecast: float | None = None
    forecast_meets: bool | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    judged: float | None = None  # a final verdict's value: the value of the target's date, else the latest before it
    baseline: float | None = None  # where the expected path starts: the office's baseline, else the first value
    baseline_date: dt.date | None = None


def comparator_holds(comparator: str, value: float, target: float, *, tolerance: float = 0.05) -> bool:
    if comparator == "gte":
        return value >= target
    if comparator == "gt":
        return value > target
    if comparator == "lte":
        return value <= target
    if comparator == "lt":
        return value < target
    if comparator == "eq":
        return value == target
    if comparator == "approx":
        return abs(value - target) <= abs(target) * tolerance
    raise ValueError(f"not a numeric comparator: {comparator}")


def progress_share(value: float, baseline: float, target: float) -> float | None:
    """(v − b) / (t − b): the same formula serves targets that go down, because both differences change sign."""
    if target == baseline:
        return None
    return (value - baseline) / (target - baseline)


def expected_share(as_of: dt.date, start: dt.date, end: dt.date) -> float:
    """The elapsed share of the time from the baseline date to the target date, clamped to 0..1."""
    if end <= start:
        return 1.0
    return min(1.0, max(0.0, (as_of - start).days / (end - start).days))


def relative_target(baseline: float, change_percent: float, direction: str) -> float:
    """比2020年下降5%: the baseline year's value moved by the percentage, in the target's direction."""
    sign = -1 if direction == "down" else 1
    return baseline * (1 + sign * change_percent / 100)


def linear_trend(points: Sequence[Point]) -> tuple[float, float] | None:
    """Least-squares slope and intercept over days since the first point; None if the dates do not vary.

    Squares are products: x ** 2 is pow(), which the C library may round an ulp away from x * x, and the
    vectorised form (progress.vector) must give the same bits on any machine."""
    if len(points) < 2:
        return None
    origin = points[0].when
    xs = [(p.when - origin).days for p in points]
    ys = [p.value for p in points]
    n = len(points)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) * (x - mean_x) for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return slope, mean_y - slope * mean_x


def forecast_at(points: Sequence[Point], when: dt.date, *, min_points: int = 3) -> float | None:
    return _forecast(sorted(points, key=lambda p: p.when), when, min_points)


def _forecast(ordered: Sequence[Point], when: dt.date, min_points: int) -> float | None:
    if len(ordered) < min_points:
        return None
    trend = linear_trend(ordered)
    if trend is None:
        return None
    slope, intercept = trend
    return intercept + slope * (when - ordered[0].when).days


def evaluate(spec: TargetSpec, series: Iterable[Point], as_of: dt.date, rules: Rules = Rules()) -> Evaluation:
    """The status of one target as of a date, from the approved values up to that date."""
    return _evaluate(spec, sorted((p for p in series if p.when <= as_of), key=lambda p: p.when), as_of, rules)


def evaluate_each(
    spec: TargetSpec, series: Iterable[Point], dates: Iterable[dt.date], rules: Rules = Rules()
) -> list[Evaluation]:
    """`evaluate` as of each date, sorting the series once: each date sees the prefix of values up to it."""
    ordered = sorted(series, key=lambda p: p.when)
    whens = [p.when for p in ordered]
    return [_evaluate(spec, ordered[: bisect_right(whens, as_of)], as_of, rules) for as_of in dates]


def _evaluate(spec: TargetSpec, points: Sequence[Point], as_of: dt.date, rules: Rules) -> Evaluation:
    """`points`: the values up to `as_of`, oldest first."""
    if is_final(spec, points, as_of):
        return verdict(spec, points, rules)
    return _current(spec, points, as_of, rules)


def is_final(spec: TargetSpec, points: Sequence[Point], as_of: dt.date) -> bool:
    """Whether the target is judged for good as of `as_of`: on its date once the value of its date is in (a "by 2025"
    target on 2025 Q4's value, dated the year's end, from the 2025 Q4 results on, so the 2025 evaluation says
    到期达标/到期未达标), and after its date whatever came.

    Until the value of its date is in, a target on its date keeps its progress status: that is what the values so
    far say, and it becomes the verdict the day the value is approved. `points`: the values up to `as_of`.
    """
    if spec.target_date is None or as_of < spec.target_date:
        return False
    return as_of > spec.target_date or (bool(points) and points[-1].when == spec.target_date)


def verdict(spec: TargetSpec, points: Sequence[Point], rules: Rules = Rules()) -> Evaluation:
    """A target is judged once, on the value of its date (else, past its date, the latest value before it), and keeps
    that verdict whatever comes later; `latest` still carries the newest value, shown beside the verdict.

    `points`: oldest first. Without a value by the date there is nothing to judge (no data, baseline missing,
    awaiting the city's value), and that is said instead.
    """
    by_date = points[: bisect_right([p.when for p in points], spec.target_date)]
    at_date = _current(spec, by_date, spec.target_date, rules)
    newest = points[-1].value if points else None
    if at_date.status in (Status.NO_DATA, Status.BASELINE_MISSING, Status.AWAITING_CITY):
        return replace(at_date, latest=newest if at_date.status != Status.AWAITING_CITY else None)
    met = at_date.status == Status.ACHIEVED or (
        spec.comparator in ("increase", "decrease") and at_date.status == Status.ON_TRACK
    )
    return replace(
        at_date,
        status=Status.MET_BY_DATE if met else Status.MISSED_BY_DATE,
        judged=by_date[-1].value,
        latest=newest,
        forecast=None,
        forecast_meets=None,
    )


def _current(spec: TargetSpec, points: Sequence[Point], as_of: dt.date, rules: Rules) -> Evaluation:
    if spec.comparator == "city_assigned" and spec.value is None:
        return Evaluation(Status.AWAITING_CITY)
    if spec.comparator == "milestone":
        return _milestone(spec, points, as_of, rules)
    if not points:
        return Evaluation(Status.NO_DATA)
    latest = points[-1].value
    baseline, baseline_date = spec.baseline, spec.baseline_date
    if baseline is None and not spec.relative:
        baseline, baseline_date = points[0].value, points[0].when
    if spec.comparator in ("increase", "decrease"):
        return replace(_directional(spec, points, baseline), baseline=baseline, baseline_date=baseline_date)
    if spec.relative and baseline is None:
        return Evaluation(Status.BASELINE_MISSING, latest=latest)

    comparator = "gte" if spec.comparator == "city_assigned" else spec.comparator
    target = relative_target(baseline, spec.value, spec.direction) if spec.relative else spec.value
    if spec.relative:
        comparator = "lte" if spec.direction == "down" else "gte"
        if spec.comparator == "approx":
            comparator = "approx"
    share = progress_share(latest, baseline, target)
    expected = expected_share(as_of, baseline_date, spec.target_date) if baseline_date and spec.target_date else None
    forecast = _forecast(points, spec.target_date, rules.min_forecast_points) if spec.target_date else None
    meets = (
        comparator_holds(comparator, forecast, target, tolerance=rules.approx_tolerance)
        if forecast is not None
        else None
    )
    base = dict(
        target_value=target,
        latest=latest,
        progress=share,
        expected=expected,
        forecast=forecast,
        forecast_meets=meets,
        baseline=baseline,
        baseline_date=baseline_date,
    )
    if comparator_holds(comparator, latest, target, tolerance=rules.approx_tolerance):
        return Evaluation(Status.ACHIEVED, **base)
    return Evaluation(band(share, expected, rules), **base)


def band(share: float | None, expected: float | None, rules: Rules) -> Status:
    """On track within `on_track_margin` points of the expected progress, at risk within `at_risk_margin`."""
    if share is None or expected is None:
        return Status.ON_TRACK if share is None or share >= 0 else Status.OFF_TRACK
    gap = (expected - share) * 100
    if gap <= rules.on_track_margin:
        return Status.ON_TRACK
    if gap <= rules.at_risk_margin:
        return Status.AT_RISK
    return Status.OFF_TRACK


def _directional(spec: TargetSpec, points: Sequence[Point], baseline: float) -> Evaluation:
    latest = points[-1].value
    moved = latest - baseline
    wanted_up = spec.comparator == "increase"
    right_way = moved > 0 if wanted_up else moved < 0
    if moved == 0:
        status = Status.NO_DATA if len(points) == 1 and spec.baseline is None else Status.AT_RISK
    else:
        status = Status.ON_TRACK if right_way else Status.OFF_TRACK
    return Evaluation(status, latest=latest)


def _milestone(spec: TargetSpec, points: Sequence[Point], as_of: dt.date, rules: Rules) -> Evaluation:
    """Reached (1) or not (0); with a count (打造1个示范村) progress is the count reached so far.

    Before the target date a count is banded like a number, and a yes/no milestone is on track (nothing says
    how far along an unreached yes/no is); after it, `verdict` judges it.
    """
    if not points:
        return Evaluation(Status.NO_DATA)
    latest = points[-1].value
    goal = spec.value if spec.value is not None else 1.0
    if latest >= goal:
        return Evaluation(Status.ACHIEVED, target_value=goal, latest=latest, progress=1.0)
    share = latest / goal if goal else None
    if spec.value is not None and spec.target_date and spec.baseline_date:
        status = band(share, expected_share(as_of, spec.baseline_date, spec.target_date), rules)
    else:
        status = Status.ON_TRACK
    return Evaluation(status, target_value=goal, latest=latest, progress=share)


def rollup(statuses: Iterable[str]) -> dict[str, dict[str, float]]:
    """Counts and shares by status, for an area, a department or the whole plan."""
    counts = Counter(statuses)
    total = sum(counts.values())
    return {s: {"count": c, "share": c / total if total else 0.0} for s, c in sorted(counts.items())}
