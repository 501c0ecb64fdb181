"""Figures as people type them: what is read as one number, and what is refused with words that say why."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from tasks.figures import SPACES, parse_figure, plain


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.mark.parametrize(
    "typed, number",
    [
        ("7.39", Decimal("7.39")),
        (" 7.39 ", Decimal("7.39")),
        ("\u30007.39\u3000", Decimal("7.39")),
        ("７．３９", Decimal("7.39")),
        ("１２，５００", Decimal("12500")),
        ("12,500", Decimal("12500")),
        ("1,234,567.5", Decimal("1234567.5")),
        ("-3.5", Decimal("-3.5")),
        ("－3", Decimal("-3")),
        (".5", Decimal(".5")),
        ("0", Decimal("0")),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_what_means_one_number_is_read(typed, number):
    assert parse_figure(typed) == number


@pytest.mark.parametrize(
    "typed, words",
    [
        ("7-8", "是一个范围"),
        ("7～8", "是一个范围"),
        ("7至8", "是一个范围"),
        ("约7.4", "含有文字或单位"),
        ("7.5万", "含有文字或单位"),
        ("7.4%", "含有文字或单位"),
        ("1e5", "含有文字或单位"),
        ("7.5.1", "有多个小数点"),
        ("7,5", "逗号只能用作千位分隔"),
        ("12,50", "逗号只能用作千位分隔"),
        ("7.12345", "小数超过 4 位"),
        ("12345678901", "整数部分超过 10 位"),
        ("3-", "不是数字"),
    ],
)
def test_what_needs_a_guess_is_refused_quoting_the_input(typed, words):
    with pytest.raises(ValidationError) as refused:
        parse_figure(typed)
    message = refused.value.messages[0]
    assert f"“{typed}”" in message
    assert words in message
    assert "请" in message  # and says what to do


@pytest.mark.parametrize("typed, number", [("40", 40), ("４０", 40), ("40%", 40), (" 100 ", 100), ("-5", -5)])
def test_a_percentage_is_a_whole_number(typed, number):
    assert parse_figure(typed, whole=True) == number


@pytest.mark.parametrize("typed", ["40.5", "四十", "40-50"])
def test_a_percentage_refuses_fractions_and_words(typed):
    with pytest.raises(ValidationError) as refused:
        parse_figure(typed, whole=True)
    assert f"“{typed}”" in refused.value.messages[0]


@pytest.mark.parametrize(
    "number, shown",
    [
        (Decimal("7.3900"), "7.39"),
        (Decimal("10.0000"), "10"),
        (Decimal("0.0000"), "0"),
        (Decimal("-0.5"), "-0.5"),
        (12, "12"),
        (None, ""),
    ],
)
def test_numbers_are_shown_without_trailing_zeros(number, shown):
    assert plain(number) == shown


@given(st.text(min_size=1).filter(lambda typed: typed.strip(SPACES)))
def test_whatever_is_typed_is_read_as_a_number_or_refused_never_dropped(typed):
    try:
        number = parse_figure(typed)
    except ValidationError as refused:
        assert f"“{typed.strip(SPACES)}”" in refused.messages[0]
    else:
        assert number is not None


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False))
def test_a_number_shown_plainly_reads_back_as_itself(number):
    assert parse_figure(plain(number)) == number
