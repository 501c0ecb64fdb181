"""The rules a quarterly report's fields must satisfy; forms, the spreadsheet import and services share them.

Each function returns {field: message}; an empty dict means the data is acceptable.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from indicators.models import Indicator

from .limits import text_problems

TASK_REQUIRED_ON_SUBMIT = ("status", "percent_complete", "work_done")


def check_task_update(data: dict, *, complete: bool) -> dict[str, str]:
    """Drafts may be partial; a submitted report must say where each task stands."""
    errors = text_problems(data)
    percent = data.get("percent_complete")
    if percent is not None and not 0 <= percent <= 100:
        errors["percent_complete"] = _("Percent complete must be between 0 and 100.")
    if data.get("status") == "completed" and percent is not None and percent < 100:
        errors["percent_complete"] = _("A task marked completed must be at 100 percent.")
    if data.get("major_problem") and not (data.get("problems") or "").strip():
        errors["problems"] = _("Describe the major problem so the office can act on it.")
    if complete:
        for field in TASK_REQUIRED_ON_SUBMIT:
            value = data.get(field)
            if value is None or (isinstance(value, str) and not value.strip()):
                errors.setdefault(field, _("Required before the report is submitted."))
    return errors


def check_indicator_value(
    indicator: Indicator, data: dict, *, previous: Decimal | None, complete: bool
) -> dict[str, str]:
    """The right kind of answer (a number, or reached for a milestone), range, plausibility against the last
    quarter, and the source of every number. The form and the workbook offer only the right column; the API
    and scripts rely on this check."""
    errors = text_problems(data)
    value = data.get("value")
    if indicator.is_milestone and value is not None:
        errors["value"] = _("This indicator is a milestone: say whether it is reached, not a number.")
    elif not indicator.is_milestone and data.get("reached") is not None:
        errors["reached"] = _("This indicator takes a number, not reached or not.")
    elif value is not None:
        if indicator.min_value is not None and value < indicator.min_value:
            errors["value"] = _("The value is below the plausible range (%(low)s to %(high)s %(unit)s).") % _range(
                indicator
            )
        elif indicator.max_value is not None and value > indicator.max_value:
            errors["value"] = _("The value is above the plausible range (%(low)s to %(high)s %(unit)s).") % _range(
                indicator
            )
        elif (
            needs_change_explanation(indicator, value, previous) and not (data.get("change_explanation") or "").strip()
        ):
            errors["change_explanation"] = _(
                "The value differs from last quarter's (%(previous)s) by more than %(share)s%%; explain why."
            ) % {"previous": _plain(previous), "share": _plain(indicator.change_warning_share * 100)}
    if complete:
        if indicator.is_milestone:
            if data.get("reached") is None:
                errors.setdefault("reached", _("Say whether the milestone is reached."))
        elif value is None:
            errors.setdefault("value", _("Required before the report is submitted."))
        if not (data.get("data_source") or "").strip():
            errors.setdefault("data_source", _("Name the source of the figure."))
    return errors


def needs_change_explanation(indicator: Indicator, value: Decimal, previous: Decimal | None) -> bool:
    if previous is None or value == previous:
        return False
    if previous == 0:
        return True
    return abs(value - previous) / abs(previous) > indicator.change_warning_share


def _plain(number) -> str:
    if number is None:
        return "–"
    return format(Decimal(number).normalize(), "f")


def _range(indicator: Indicator) -> dict[str, str]:
    return {"low": _plain(indicator.min_value), "high": _plain(indicator.max_value), "unit": indicator.unit}
