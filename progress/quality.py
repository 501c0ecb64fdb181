"""Checks that make the office look twice at a submitted report: none of them is an error, all are hints.

Pure functions on plain values; the thresholds live in `FlagRules`, so the office's tolerance is one place.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median


@dataclass(frozen=True)
class FlagRules:
    trend_window: int = 4  # approved values the trend is read from (fewer: no verdict)
    trend_k: float = 3.0  # how many typical changes a value may stray from the predicted one
    trend_floor_share: float = 0.01  # a flat series still allows 1 % of its level per typical change
    text_ratio: float = 0.9  # difflib ratio from which two texts count as (nearly) the same
    official_share: float = 0.10  # a department's figure this far (relative) from the official one is flagged


@dataclass(frozen=True)
class Trend:
    """What the last approved values predict for the next one, and how far from it a value may lie."""

    expected: float
    band: float

    def strays(self, value: float) -> bool:
        return abs(value - self.expected) > self.band


def trend(history: Sequence[float], rules: FlagRules = FlagRules()) -> Trend | None:
    """The next value of a series, read from its last `trend_window` values, or None with fewer.

    The series is expected to go on by its median step; a value may stray from that by `trend_k` typical
    changes (the median size of a step), and never less than `trend_k` × 1 % of the series' level, so a
    series that stood still does not flag a rounding.
    """
    if len(history) < rules.trend_window or rules.trend_window < 2:
        return None
    recent = list(history[-rules.trend_window :])
    steps = [b - a for a, b in zip(recent, recent[1:], strict=False)]
    typical = median(abs(s) for s in steps)
    floor = rules.trend_floor_share * max(abs(v) for v in recent)
    return Trend(expected=recent[-1] + median(steps), band=rules.trend_k * max(typical, floor))


def off_trend(history: Sequence[float], value: float, rules: FlagRules = FlagRules()) -> Trend | None:
    """The trend `value` strays from, or None when it keeps to it (or the history is too short to tell)."""
    predicted = trend(history, rules)
    return predicted if predicted is not None and predicted.strays(value) else None


def text_similarity(text: str, previous: str) -> float:
    """How alike two texts are (0–1), ignoring surrounding and repeated whitespace."""
    a, b = " ".join(text.split()), " ".join(previous.split())
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def repeats(text: str, previous: str, rules: FlagRules = FlagRules()) -> float | None:
    """The similarity when `text` (nearly) repeats `previous`, else None."""
    ratio = text_similarity(text, previous)
    return ratio if ratio >= rules.text_ratio else None


def percent_went_down(percent: int | None, previous: int | None) -> bool:
    return percent is not None and previous is not None and percent < previous


def far_from_official(value: float, official: float, rules: FlagRules = FlagRules()) -> float | None:
    """The relative gap between a department's figure and the official one when it exceeds the tolerance
    (an official zero has no relative gap: not judged)."""
    if official == 0:
        return None
    gap = abs(value - official) / abs(official)
    return gap if gap > rules.official_share else None
