"""The assessment's arithmetic on cases worked out by hand (no database)."""

import pytest

from evaluation.scoring import Scheme, UnitInputs, band_of, score_unit, target_score, task_score, timeliness_score

DEFAULT = Scheme()


def test_a_unit_with_every_part_scores_the_weighted_mean_then_the_adjustment():
    inputs = UnitInputs(
        quarters=("on_time", "on_time", "late", "missing"),  # (100 + 100 + 60 + 0) / 4 = 65
        tasks=(("completed", False), ("behind", True)),  # (100 + (40 − 10)) / 2 = 65
        targets=("achieved", "at_risk", "awaiting_city"),  # (100 + 60) / 2 = 80; awaiting the city is not scored
    )
    score = score_unit(inputs, DEFAULT)
    assert (score.timeliness, score.tasks, score.targets) == (65.0, 65.0, 80.0)
    assert score.weighted == pytest.approx((65 * 30 + 65 * 40 + 80 * 30) / 100)  # 69.5
    assert score.total == pytest.approx(69.5) and score.band == "pass"

    adjusted = score_unit(inputs, DEFAULT, adjustment=12)
    assert adjusted.total == pytest.approx(81.5) and adjusted.band == "good"


def test_a_unit_without_targets_is_scored_on_the_parts_that_apply_reweighted():
    inputs = UnitInputs(quarters=("on_time", "on_time"), tasks=(("in_progress", False),))
    score = score_unit(inputs, DEFAULT)
    assert score.targets is None
    assert score.weighted == pytest.approx((100 * 30 + 80 * 40) / 70)  # 88.571…
    assert score.total == 88.6  # printed with one decimal
    assert score.band == "good"
    assert score_unit(inputs, Scheme(band_excellent=85)).band == "excellent"


def test_the_office_weights_decide_the_total():
    inputs = UnitInputs(quarters=("missing",), tasks=(("completed", False),), targets=("off_track",))
    only_tasks = Scheme(weight_timeliness=0, weight_tasks=100, weight_targets=0)
    assert score_unit(inputs, only_tasks).total == 100.0
    equal = Scheme(weight_timeliness=1, weight_tasks=1, weight_targets=1)
    assert score_unit(inputs, equal).total == pytest.approx((0 + 100 + 20) / 3)


def test_late_credit_is_configurable_and_totals_stay_within_0_and_100():
    assert timeliness_score(["late", "late"], Scheme(late_credit=50)) == 50.0
    best = UnitInputs(quarters=("on_time",), tasks=(("completed", False),), targets=("achieved",))
    assert score_unit(best, DEFAULT, adjustment=20).total == 100.0
    worst = UnitInputs(quarters=("missing",), tasks=(("no_update", True),), targets=("no_data",))
    assert score_unit(worst, DEFAULT, adjustment=-20).total == 0.0


def test_nothing_to_score_gives_no_total_and_no_band():
    score = score_unit(UnitInputs(quarters=("pending",), targets=("baseline_missing",)), DEFAULT)
    assert score.total is None and score.band == "not_scored"


def test_parts_and_bands_by_hand():
    assert task_score([("not_started", True)]) == 10.0
    assert task_score([]) is None
    assert target_score(["on_track", "off_track"]) == 55.0
    assert [band_of(v, DEFAULT) for v in (90, 89.9, 80, 60, 59.9)] == ["excellent", "good", "good", "pass", "fail"]


def test_the_band_is_read_from_the_total_as_printed():
    """89.967 prints as 90.0, so it must rate 优秀, not 良好 (the reviewer's case)."""
    inputs = UnitInputs(
        quarters=("on_time",) * 4,
        tasks=(("completed", False), ("in_progress", False), ("in_progress", False)),
        targets=("achieved", "achieved", "at_risk"),
    )
    score = score_unit(inputs, DEFAULT, adjustment=-0.7)
    assert score.weighted == pytest.approx((100 * 30 + 260 / 3 * 40 + 260 / 3 * 30) / 100)  # 90.666…
    assert score.total == 90.0 and score.band == "excellent"
