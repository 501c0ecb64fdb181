"""Which figure of a quarter judges a target, and what was known on a given day.

A quarter of an indicator may have up to three figures: the department's own report (部门报送), the statistics
bureau's provisional release (初步) and its final, verified figure (核实). Each is a chain of versions: a reopened
report, a revised release writes a new version and the old one is superseded, never changed. A version is known
from `valid_from` (the approval of its report, the recording of a release) until `superseded_at`; a draft (no
`valid_from`) is known to nobody. So "what did we know on D" is a filter over the versions, and which figure counted
is the indicator's authority rule applied to what was known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum


class FigureKind(StrEnum):
    REPORTED = "reported"  # 部门报送: the department's quarterly report
    PROVISIONAL = "provisional"  # 初步: a provisional statistical release (快报, 初步核算)
    FINAL = "final"  # 核实: the final official figure (年报, 最终核实)


OFFICIAL = frozenset({FigureKind.PROVISIONAL, FigureKind.FINAL})


class Authority(StrEnum):
    OFFICIAL_FIRST = "official_first"  # 核实, else 初步, else 部门报送 (the default)
    OFFICIAL_ONLY = "official_only"  # 核实, else 初步: a department's own estimate never judges the target
    REPORTED_ONLY = "reported_only"  # the department's report alone (no statistics are published for it)


PRECEDENCE: dict[Authority, tuple[FigureKind, ...]] = {
    Authority.OFFICIAL_FIRST: (FigureKind.FINAL, FigureKind.PROVISIONAL, FigureKind.REPORTED),
    Authority.OFFICIAL_ONLY: (FigureKind.FINAL, FigureKind.PROVISIONAL),
    Authority.REPORTED_ONLY: (FigureKind.REPORTED,),
}


@dataclass(frozen=True)
class Figure:
    """One version of one figure. `period` is any key of the quarter ((year, quarter), a period id)."""

    period: Hashable
    kind: FigureKind
    value: float | None
    valid_from: dt.datetime | None  # None: a draft, not yet known
    superseded_at: dt.datetime | None = None
    ref: object = None  # the caller's row, returned untouched


def is_known(figure: Figure, at: dt.datetime) -> bool:
    if figure.valid_from is None or figure.valid_from > at:
        return False
    return figure.superseded_at is None or at < figure.superseded_at


def known_at(figures: Iterable[Figure], at: dt.datetime) -> list[Figure]:
    """The versions known at `at`: at most one per period and kind, when the versions were written by `record`."""
    return [f for f in figures if is_known(f, at)]


def current(figures: Iterable[Figure]) -> list[Figure]:
    """The versions known now: approved or recorded, and not superseded."""
    return [f for f in figures if f.valid_from is not None and f.superseded_at is None]


@dataclass(frozen=True)
class Choice:
    """The figure that judges a quarter, with the quarter's figures of the other kinds."""

    figure: Figure
    others: tuple[Figure, ...]

    @property
    def differing(self) -> tuple[Figure, ...]:
        """The other kinds' figures that say something else (shown beside the one that counts)."""
        return tuple(f for f in self.others if f.value != self.figure.value)


def authoritative(figures: Iterable[Figure], authority: Authority | str = Authority.OFFICIAL_FIRST) -> dict:
    """{period: Choice} over figures known at one moment (see `known_at`, `current`); a quarter with no figure of a
    kind the rule accepts has no entry. A figure without a value (nothing was reported) is passed over."""
    order = PRECEDENCE[Authority(authority)]
    by_period: dict[Hashable, dict[FigureKind, Figure]] = {}
    for figure in figures:
        if figure.value is not None:
            by_period.setdefault(figure.period, {})[FigureKind(figure.kind)] = figure
    chosen = {}
    for period, kinds in by_period.items():
        best = next((kinds[k] for k in order if k in kinds), None)
        if best is not None:
            others = tuple(kinds[k] for k in FigureKind if k in kinds and k != best.kind)
            chosen[period] = Choice(best, others)
    return chosen


def record(figures: list[Figure], new: Figure) -> list[Figure]:
    """Add a version that is known from `new.valid_from`: the current one of its period and kind is superseded then."""
    return [*withdraw(figures, new.period, new.kind, at=new.valid_from), new]


def withdraw(figures: list[Figure], period: Hashable, kind: FigureKind, *, at: dt.datetime) -> list[Figure]:
    """The current version of a period and kind stops being known at `at` (a report reopened for correction)."""
    return [
        replace(f, superseded_at=at)
        if f.period == period and f.kind == kind and f.valid_from is not None and f.superseded_at is None
        else f
        for f in figures
    ]
