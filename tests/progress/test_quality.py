"""The quality-flag rules on hand-worked cases and, with hypothesis, on their laws. No database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from progress.quality import (
    FlagRules,
    far_from_official,
    off_trend,
    percent_went_down,
    repeats,
    text_similarity,
    trend,
)

level = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)
histories = st.lists(level, min_size=4, max_size=8)


def test_a_steady_rise_predicts_its_next_step():
    predicted = trend([10, 11, 12, 13])
    assert predicted.expected == 14
    assert predicted.band == 3  # three typical steps of 1


def test_a_value_far_from_the_trend_is_flagged_and_one_near_it_is_not():
    history = [10, 11, 12, 13]
    assert off_trend(history, 16.5) is None  # 2.5 above the predicted 14: within 3 typical steps
    assert off_trend(history, 17.5) is not None  # 3.5 above it
    assert off_trend(history, 9.9) is not None  # a fall where the series rose


def test_fewer_values_than_the_window_give_no_verdict():
    assert trend([10, 11, 12]) is None
    assert off_trend([10, 11, 12], 1000) is None


def test_only_the_last_values_of_the_window_count():
    assert trend([500, -300, 10, 11, 12, 13]) == trend([10, 11, 12, 13])


def test_a_flat_series_tolerates_rounding_but_not_a_jump():
    history = [35.0, 35.0, 35.0, 35.0]
    assert off_trend(history, 35.5) is None  # within 3 × 1 % of 35
    assert off_trend(history, 37.0) is not None


def test_percent_went_down_only_when_both_are_known_and_it_fell():
    assert percent_went_down(40, 60)
    assert not percent_went_down(60, 60)
    assert not percent_went_down(70, 60)
    assert not percent_went_down(None, 60)
    assert not percent_went_down(40, None)


def test_near_identical_texts_repeat_and_different_ones_do_not():
    last = "完成屋顶分布式光伏项目备案3个，新增装机容量1.2万千瓦，推进公共机构光伏全覆盖。"
    assert repeats(last, last) == 1.0
    assert repeats(last.replace("3个", "4个"), last) >= 0.9
    assert repeats("开展节能宣传周活动，组织重点用能单位培训两次。", last) is None
    assert text_similarity("", last) == 0.0
    assert text_similarity("  同一  段文字 ", "同一 段文字") == 1.0


def test_far_from_official_is_a_relative_gap_beyond_the_tolerance():
    assert far_from_official(6.8, 6.5) is None  # 4.6 %
    assert far_from_official(8.0, 6.5) == pytest.approx(0.2308, abs=1e-4)
    assert far_from_official(5.0, 0) is None  # an official zero has no relative gap


@given(histories)
def test_law_the_predicted_value_itself_is_never_flagged(history):
    predicted = trend(history)
    assert off_trend(history, predicted.expected) is None


@given(histories, st.floats(min_value=0.01, max_value=100), level)
def test_law_scaling_every_figure_keeps_the_verdict(history, factor, value):
    predicted = trend(history)
    distance = abs(value - predicted.expected)
    if abs(distance - predicted.band) <= 1e-6 * max(1.0, predicted.band):
        return  # on the edge: float rounding decides
    scaled = [v * factor for v in history]
    assert (off_trend(scaled, value * factor) is None) == (off_trend(history, value) is None)


@given(histories, st.floats(min_value=0, max_value=1e4), st.floats(min_value=0, max_value=1e4), st.booleans())
def test_law_further_from_the_prediction_is_never_less_suspicious(history, near, extra, upwards):
    predicted = trend(history)
    sign = 1 if upwards else -1
    closer, further = predicted.expected + sign * near, predicted.expected + sign * (near + extra)
    if off_trend(history, closer) is not None:
        assert off_trend(history, further) is not None


@given(st.integers(min_value=4, max_value=8), level, st.floats(min_value=-100, max_value=100))
def test_law_a_series_that_keeps_its_line_is_never_flagged(n, start, step):
    history = [start + i * step for i in range(n)]
    assert off_trend(history, start + n * step, FlagRules()) is None
