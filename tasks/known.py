"""Reading "as known on a day": the day a person names, as the moment the figure versions are filtered at.

One rule for the API (`?known_on=`), the dashboard's pages and the annual report: a day means what was known by the
end of that day in Beijing time (versions approved or recorded that day count), and a day after today is refused,
since nothing is known of it yet.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of `day` in the site's time zone."""
    start_of_next = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    return start_of_next - dt.timedelta(microseconds=1)


def known_on_day(raw: str | None, *, today: dt.date) -> dt.date | None:
    """2026-01-31 as a date; None when not given. Anything else than a day up to `today` is refused in words."""
    if not raw or not raw.strip():
        return None
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ValidationError(_("Give the day as YYYY-MM-DD, such as 2026-01-31.")) from None
    if day > today:
        raise ValidationError(
            _("%(day)s is after today: nothing is known of it yet. Give today or an earlier day.")
            % {"day": day.isoformat()}
        )
    return day
