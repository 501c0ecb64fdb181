"""Figures as people type them: parsed on the server, never trusted to the browser's number input.

A browser's `<input type="number">` sends nothing for what it cannot read, so a clerk's `约7.4` used to
erase the stored 7.39 without a word. Figure fields are text; this module reads what was typed. It accepts
what means one number without doubt (full-width digits, thousands separators, surrounding spaces) and
refuses, quoting the input and saying what to write, everything that would need a guess: a range, words or
units, a comma that is not a thousands separator, several decimal points.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－＋％", "0123456789.,-+%")
MINUS_SIGNS = str.maketrans({"−": "-", "—": "-", "–": "-"})
SPACES = " \t\u00a0\u3000"
THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
PLAIN = re.compile(r"^\d+(\.\d+)?$|^\.\d+$")
RANGE = re.compile(r"\d\s*(-|~|～|〜|至|到)\s*[-+]?\d")
WORDS = re.compile(r"[^\d.,+\-\s%]")
MAX_WHOLE_DIGITS = 10
MAX_DECIMAL_PLACES = 4


def plain(number: Decimal | int | None) -> str:
    """7.3900 as 7.39 and 10.0000 as 10 (Decimal.normalize alone would print 1E+1)."""
    if number is None:
        return ""
    text = format(Decimal(number), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def parse_figure(raw: str | None, *, whole: bool = False) -> Decimal | int | None:
    """The number typed, None for an empty field, or ValidationError with a message that quotes the input.

    `whole`: a whole number such as a percentage (a trailing % is accepted there).
    """
    text = (raw or "").strip(SPACES)
    if not text:
        return None
    shown = text
    text = text.translate(FULL_WIDTH).translate(MINUS_SIGNS)
    sign = ""
    if text[0] in "+-":
        sign, text = text[0].replace("+", ""), text[1:].lstrip(SPACES)
    if whole and text.endswith("%"):
        text = text[:-1].rstrip(SPACES)
    example = "40" if whole else "12.5"
    if RANGE.search(text):
        raise _refuse(
            _("“%(input)s” is a range; enter one number, such as %(example)s. Explain the range in the note."),
            shown,
            example,
        )
    if WORDS.search(text) or "%" in text or not text:
        raise _refuse(
            _(
                "“%(input)s” contains words or a unit; enter the number only, such as %(example)s (the unit is "
                "shown beside the field). Put any explanation in the note."
            ),
            shown,
            example,
        )
    if text.count(".") > 1:
        raise _refuse(_("“%(input)s” has more than one decimal point; keep one, such as %(example)s."), shown, example)
    if "," in text:
        if not THOUSANDS.match(text):
            raise _refuse(
                _(
                    "“%(input)s”: a comma may only separate thousands (12,500). For decimals use a point, such "
                    "as %(example)s."
                ),
                shown,
                example,
            )
        text = text.replace(",", "")
    if not PLAIN.match(text):
        raise _refuse(
            _("“%(input)s” is not a number; use digits and one decimal point, such as %(example)s."), shown, example
        )
    number = Decimal(sign + text)
    whole_part, _dot, decimals = text.partition(".")
    if whole:
        if number != number.to_integral_value():
            raise _refuse(_("“%(input)s”: enter a whole number, such as %(example)s."), shown, example)
        return int(number)
    if len(decimals) > MAX_DECIMAL_PLACES:
        raise _refuse(
            _("“%(input)s” has more than 4 decimal places; round it to at most 4, such as 7.3912."), shown, example
        )
    if len(whole_part.lstrip("0")) > MAX_WHOLE_DIGITS:
        raise _refuse(
            _("“%(input)s” is too large (more than 10 digits before the point); check the unit beside the field."),
            shown,
            example,
        )
    return number


def _refuse(message: str, shown: str, example: str) -> ValidationError:
    return ValidationError(message % {"input": shown, "example": example}, code="figure")
