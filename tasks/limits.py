"""How long each typed field of a report may be: defined once, applied by the web form, the workbook, the API
and (through tasks.validation) the services that store them.

The limits sit far above any real quarterly report (a long one runs to a few thousand characters) and below
the 32,767 characters an Excel cell keeps, so whatever is stored survives the workbook's round trip.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

LONG_TEXT = 20_000
SHORT_TEXT = 200

FIELD_LIMITS = {
    "work_done": LONG_TEXT,
    "problems": LONG_TEXT,
    "next_steps": LONG_TEXT,
    "data_source": SHORT_TEXT,  # also the model's max_length
    "note": LONG_TEXT,
    "change_explanation": LONG_TEXT,
    "comment": LONG_TEXT,  # the office's review comment and reopening reason
    "source_issuer": 100,  # an official figure's issuer and document, as the model keeps them
    "source_title": SHORT_TEXT,
    "reason": LONG_TEXT,
}

# Control characters no spreadsheet cell (and no sensible report) can hold; tab and line breaks are fine.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def text_problem(name: str, value) -> str | None:
    """The user's message for a text field that breaks the limits, or None."""
    if not isinstance(value, str):
        return None
    limit = FIELD_LIMITS.get(name)
    if limit is not None and len(value) > limit:
        return _("At most %(limit)s characters (this text has %(length)s).") % {"limit": limit, "length": len(value)}
    if CONTROL.search(value):
        return _("The text contains invisible control characters; remove them and try again.")
    return None


def text_problems(data: dict) -> dict[str, str]:
    return {name: message for name, value in data.items() if (message := text_problem(name, value))}
