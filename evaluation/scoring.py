"""Departmental assessment (综合考核评价): a unit's annual score from its reporting, its tasks and its targets.

Pure functions on plain values, so the office's rules can be checked by hand on paper and in unit tests.
Each part is scored 0–100; the total is the weighted mean of the parts that apply to the unit (a unit that
reports no target is scored on timeliness and tasks, with those weights scaled up to 100 %). The office's
adjustment, always with a written reason, is added last and the result kept within 0–100.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Points per quarter's report, per task status and per target status. Statuses the unit cannot influence
# (the city has not assigned the value, the baseline year's value is not entered) are left out, not scored zero.
TIMELINESS_POINTS = {"on_time": 100.0, "missing": 0.0}
TASK_POINTS = {"completed": 100.0, "in_progress": 80.0, "behind": 40.0, "not_started": 20.0, "no_update": 0.0}
TARGET_POINTS = {
    "achieved": 100.0,
    "met_by_date": 100.0,
    "on_track": 90.0,
    "at_risk": 60.0,
    "off_track": 20.0,
    "missed_by_date": 0.0,
    "no_data": 0.0,
}
OVERDUE_TASK_PENALTY = 10.0
# Supervision notices addressed to the unit: answered by the deadline, answered after it, or past it unanswered.
# A notice not yet due and unanswered is not scored.
NOTICE_POINTS = {"answered_on_time": 100.0, "answered_late": 50.0, "overdue": 0.0}


@dataclass(frozen=True)
class Scheme:
    """What the office configures: weights in percent (they need not sum to 100) and the lower edge of each band."""

    weight_timeliness: float = 30.0
    weight_tasks: float = 40.0
    weight_targets: float = 30.0
    weight_responsiveness: float = 0.0  # zero until the office decides, so scores do not move
    late_credit: float = 60.0  # points for a report that came in after the due date
    band_excellent: float = 90.0
    band_good: float = 80.0
    band_pass: float = 60.0


@dataclass(frozen=True)
class UnitInputs:
    """One unit's year: each due quarter's state, each led task's (status, overdue), each reported target's status."""

    quarters: tuple[str, ...] = ()
    tasks: tuple[tuple[str, bool], ...] = ()
    targets: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Score:
    timeliness: float | None
    tasks: float | None
    targets: float | None
    weighted: float | None
    adjustment: float
    total: float | None
    band: str
    parts: dict = field(default_factory=dict)


def timeliness_score(quarters: Iterable[str], scheme: Scheme) -> float | None:
    points = {**TIMELINESS_POINTS, "late": scheme.late_credit}
    scored = [points[q] for q in quarters if q in points]
    return _mean(scored)


def task_score(tasks: Iterable[tuple[str, bool]]) -> float | None:
    """Mean points of the led tasks' statuses; a task whose last update was missing or late loses a penalty."""
    scored = [
        max(0.0, TASK_POINTS.get(status, 0.0) - (OVERDUE_TASK_PENALTY if overdue else 0.0)) for status, overdue in tasks
    ]
    return _mean(scored)


def target_score(statuses: Iterable[str]) -> float | None:
    scored = [TARGET_POINTS[s] for s in statuses if s in TARGET_POINTS]
    return _mean(scored)


def responsiveness_score(outcomes: Iterable[str]) -> float | None:
    scored = [NOTICE_POINTS[o] for o in outcomes if o in NOTICE_POINTS]
    return _mean(scored)


def band_of(total: float | None, scheme: Scheme) -> str:
    if total is None:
        return "not_scored"
    if total >= scheme.band_excellent:
        return "excellent"
    if total >= scheme.band_good:
        return "good"
    if total >= scheme.band_pass:
        return "pass"
    return "fail"


def score_unit(inputs: UnitInputs, scheme: Scheme, adjustment: float = 0.0) -> Score:
    parts = {
        "timeliness": (timeliness_score(inputs.quarters, scheme), scheme.weight_timeliness),
        "tasks": (task_score(inputs.tasks), scheme.weight_tasks),
        "targets": (target_score(inputs.targets), scheme.weight_targets),
        "responsiveness": (responsiveness_score(inputs.notices), scheme.weight_responsiveness),
    }
    applying = [(value, weight) for value, weight in parts.values() if value is not None and weight > 0]
    total_weight = sum(weight for _, weight in applying)
    weighted = sum(value * weight for value, weight in applying) / total_weight if total_weight else None
    # Rounded as printed (one decimal) before the band is read, so the shown score and its band always agree.
    total = None if weighted is None else round(min(100.0, max(0.0, weighted + adjustment)), 1)
    return Score(
        timeliness=parts["timeliness"][0],
        tasks=parts["tasks"][0],
        targets=parts["targets"][0],
        weighted=weighted,
        adjustment=adjustment,
        total=total,
        band=band_of(total, scheme),
        parts={name: {"score": v, "weight": w} for name, (v, w) in parts.items()},
    )


def score_all(inputs: Mapping[int, UnitInputs], scheme: Scheme, adjustments: Mapping[int, float]) -> dict[int, Score]:
    return {unit: score_unit(data, scheme, adjustments.get(unit, 0.0)) for unit, data in inputs.items()}


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None
