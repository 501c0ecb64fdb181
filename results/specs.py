"""Turning model rows into the plain values the progress maths takes (and nothing else)."""

from __future__ import annotations

import datetime as dt

from progress.maths import TargetSpec


def year_end(year: int | None) -> dt.date | None:
    return dt.date(year, 12, 31) if year else None


def target_spec(target: dict) -> TargetSpec:
    """`target` is a values() row: comparator, value, baseline_year, period end year and the indicator's fields."""
    relative = target["baseline_year"] is not None
    baseline, baseline_date = None, None
    if target["indicator__baseline_value"] is not None:
        same_year = target["indicator__baseline_year"] == target["baseline_year"]
        if not relative or same_year:
            baseline = float(target["indicator__baseline_value"])
            baseline_date = year_end(target["indicator__baseline_year"])
    return TargetSpec(
        comparator=target["comparator"],
        target_date=year_end(target["target_year"]),
        value=float(target["value"]) if target["value"] is not None else None,
        direction=target["indicator__direction"],
        relative=relative,
        baseline=baseline,
        baseline_date=baseline_date,
    )
