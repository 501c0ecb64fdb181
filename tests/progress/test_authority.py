"""Which figure counts, and what was known on a day: hand-worked cases and, with hypothesis, the law that reading
the versions as of D gives what was authoritative on D, for any sequence of reports, corrections and releases."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from progress.authority import (
    PRECEDENCE,
    Authority,
    Figure,
    FigureKind,
    authoritative,
    current,
    known_at,
    record,
    withdraw,
)

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
R, P, F = FigureKind.REPORTED, FigureKind.PROVISIONAL, FigureKind.FINAL


def at(day: int) -> dt.datetime:
    return T0 + dt.timedelta(days=day)


def fig(kind, value, day, period=(2025, 4)):
    return Figure(period=period, kind=kind, value=value, valid_from=at(day))


def values(chosen: dict) -> dict:
    return {period: (c.figure.kind, c.figure.value) for period, c in chosen.items()}


def test_official_figure_counts_when_present_and_the_others_are_shown_beside_it():
    figures = record(record(record([], fig(R, 6.8, 1)), fig(P, 6.6, 30)), fig(F, 6.5, 90))
    choice = authoritative(current(figures))[(2025, 4)]
    assert (choice.figure.kind, choice.figure.value) == (F, 6.5)
    assert [(f.kind, f.value) for f in choice.differing] == [(R, 6.8), (P, 6.6)]


def test_before_the_release_the_departments_figure_counted():
    figures = record(record([], fig(R, 6.8, 1)), fig(F, 6.5, 90))
    assert values(authoritative(known_at(figures, at(50)))) == {(2025, 4): (R, 6.8)}
    assert values(authoritative(known_at(figures, at(90)))) == {(2025, 4): (F, 6.5)}
    assert authoritative(known_at(figures, at(0))) == {}


def test_a_revised_release_supersedes_the_earlier_one_which_stays_readable_as_of_its_days():
    figures = record(record([], fig(F, 6.5, 90)), fig(F, 6.4, 200))
    assert len(figures) == 2
    assert values(authoritative(known_at(figures, at(100)))) == {(2025, 4): (F, 6.5)}
    assert values(authoritative(current(figures))) == {(2025, 4): (F, 6.4)}


def test_a_reopened_report_is_withdrawn_until_its_correction_is_approved():
    figures = withdraw(record([], fig(R, 6.8, 1)), (2025, 4), R, at=at(10))
    assert authoritative(known_at(figures, at(11))) == {}
    figures = record(figures, fig(R, 6.7, 20))
    assert values(authoritative(known_at(figures, at(5)))) == {(2025, 4): (R, 6.8)}
    assert values(authoritative(known_at(figures, at(25)))) == {(2025, 4): (R, 6.7)}


def test_a_draft_is_known_to_nobody():
    draft = Figure(period=(2025, 4), kind=R, value=7.0, valid_from=None)
    assert known_at([draft], at(1000)) == [] and current([draft]) == []


@pytest.mark.parametrize(
    ("authority", "expected"),
    [(Authority.OFFICIAL_FIRST, (P, 6.6)), (Authority.OFFICIAL_ONLY, (P, 6.6)), (Authority.REPORTED_ONLY, (R, 6.8))],
)
def test_the_indicators_rule_chooses_among_the_kinds(authority, expected):
    figures = [fig(R, 6.8, 1), fig(P, 6.6, 2)]
    assert values(authoritative(figures, authority)) == {(2025, 4): expected}


def test_official_only_ignores_a_department_figure():
    assert authoritative([fig(R, 6.8, 1)], Authority.OFFICIAL_ONLY) == {}


def test_a_figure_without_a_value_is_passed_over():
    figures = [fig(F, None, 1), fig(R, 6.8, 1)]
    assert values(authoritative(figures)) == {(2025, 4): (R, 6.8)}


# --- the law ---------------------------------------------------------------------------------------------------

PERIODS = [(2025, 3), (2025, 4)]
event = st.tuples(
    st.integers(min_value=0, max_value=5),  # days after the previous event (0: the same moment)
    st.sampled_from(["figure", "figure", "withdraw"]),  # a report approved, a release recorded / a report reopened
    st.sampled_from(PERIODS),
    st.sampled_from(list(FigureKind)),
    st.integers(min_value=0, max_value=9).map(float),
)


@given(st.lists(event, max_size=25), st.sampled_from(list(Authority)))
def test_reading_as_of_any_day_gives_what_was_authoritative_that_day(events, authority):
    """An oracle keeps, event by event, what is known of each (quarter, kind); the versions are written by record()
    and withdraw() only. At every moment, the versions read as of that moment choose what the oracle chose."""
    figures: list[Figure] = []
    known: dict[tuple, float] = {}
    timeline = []  # (moment, what the oracle says counts from that moment)
    moment = T0
    for gap, action, period, kind, value in events:
        moment += dt.timedelta(days=gap)
        if action == "figure":
            figures = record(figures, Figure(period=period, kind=kind, value=value, valid_from=moment))
            known[(period, kind)] = value
        else:
            figures = withdraw(figures, period, kind, at=moment)
            known.pop((period, kind), None)
        timeline.append((moment, _oracle(known, authority)))
    for i, (moment, expected) in enumerate(timeline):
        settled = i + 1 == len(timeline) or timeline[i + 1][0] > moment  # the last event of that moment
        if settled:
            assert values(authoritative(known_at(figures, moment), authority)) == expected
            just_after = moment + dt.timedelta(hours=12)
            assert values(authoritative(known_at(figures, just_after), authority)) == expected
    assert values(authoritative(known_at(figures, T0 - dt.timedelta(days=1)), authority)) == {}
    final = timeline[-1][1] if timeline else {}
    assert values(authoritative(current(figures), authority)) == final
    for period in PERIODS:  # at most one version of a quarter and kind is known at any moment
        for kind in FigureKind:
            for moment, _ in timeline:
                assert sum(f.period == period and f.kind == kind for f in known_at(figures, moment)) <= 1


def _oracle(known: dict, authority: Authority) -> dict:
    chosen = {}
    for period in PERIODS:
        for kind in PRECEDENCE[authority]:
            if (period, kind) in known:
                chosen[period] = (kind, known[(period, kind)])
                break
    return chosen
