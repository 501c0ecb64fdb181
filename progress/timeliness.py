"""Whether a quarter's report reached the office on time: one rule for the engine, every page, the API and the PDF.

Two pages once disagreed because one called a quarter not yet due "missing" and another "not yet due"; every
caller now asks `timeliness` and counts with `count`, so they cannot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum


class Timeliness(StrEnum):
    ON_TIME = "on_time"  # 按时
    LATE = "late"  # 迟报
    MISSING = "missing"  # 未报: past the due date and not sent
    NOT_YET_DUE = "pending"  # 未到期: not sent, and the due date has not passed


DUE = (Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING)  # the states of a quarter whose report is owed


def timeliness(*, due_on: dt.date, sent_on: dt.date | None, today: dt.date) -> Timeliness:
    """The state of one unit's report for one quarter, as of `today`.

    `sent_on`: the day the report first reached the office. A report returned for changes still came then, so
    it stays on time or late; one sent after `today` had not come yet as of `today`. The due date is the last
    day on time.
    """
    if sent_on is not None and sent_on <= today:
        return Timeliness.LATE if sent_on > due_on else Timeliness.ON_TIME
    return Timeliness.MISSING if today > due_on else Timeliness.NOT_YET_DUE


def count(states: Iterable[str]) -> dict[str, int]:
    """How many of each state, every state present (zero included), in the order of `Timeliness`."""
    counts = dict.fromkeys(Timeliness, 0)
    for state in states:
        counts[Timeliness(state)] += 1
    return {str(state): n for state, n in counts.items()}
