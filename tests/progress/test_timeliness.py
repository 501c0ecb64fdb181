"""The one timeliness rule, on hand-worked cases and, with hypothesis, on its laws. No database."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from progress.timeliness import DUE, Timeliness, count, timeliness

DUE_ON = dt.date(2026, 4, 10)
days = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2027, 12, 31))


def test_the_due_date_is_the_last_day_on_time():
    assert timeliness(due_on=DUE_ON, sent_on=DUE_ON, today=DUE_ON) == Timeliness.ON_TIME
    assert timeliness(due_on=DUE_ON, sent_on=DUE_ON + dt.timedelta(days=1), today=dt.date(2026, 5, 1)) == "late"


def test_an_unsent_report_is_not_yet_due_until_the_due_date_has_passed():
    assert timeliness(due_on=DUE_ON, sent_on=None, today=DUE_ON) == Timeliness.NOT_YET_DUE
    assert timeliness(due_on=DUE_ON, sent_on=None, today=DUE_ON + dt.timedelta(days=1)) == Timeliness.MISSING


def test_a_report_sent_after_the_day_asked_about_had_not_come_yet():
    later = DUE_ON + dt.timedelta(days=3)
    assert timeliness(due_on=DUE_ON, sent_on=later, today=DUE_ON) == Timeliness.NOT_YET_DUE
    assert timeliness(due_on=DUE_ON, sent_on=later, today=later + dt.timedelta(days=1)) == Timeliness.LATE


@given(due=days, sent=st.none() | days, today=days)
def test_only_a_quarter_past_its_due_date_is_ever_missing_or_late(due, sent, today):
    state = timeliness(due_on=due, sent_on=sent, today=today)
    if state in (Timeliness.MISSING, Timeliness.LATE):
        assert today > due
    if state == Timeliness.NOT_YET_DUE:
        assert today <= due and (sent is None or sent > today)
    if today > due:
        assert state in DUE


@given(due=days, sent=days, first=days, second=days)
def test_once_sent_the_state_never_changes_with_the_day_asked_about(due, sent, first, second):
    """A sent report stays on time or late whatever happens to it later (a return for changes included)."""
    if first >= sent and second >= sent:
        assert timeliness(due_on=due, sent_on=sent, today=first) == timeliness(due_on=due, sent_on=sent, today=second)


@given(st.lists(st.sampled_from(list(Timeliness))))
def test_counts_add_up_and_name_every_state(states):
    counts = count(states)
    assert list(counts) == ["on_time", "late", "missing", "pending"]
    assert sum(counts.values()) == len(states)
