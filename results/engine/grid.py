"""Every target of a scope (one plan's, or every plan's) on the grid of quarters: the figures that judge each
quarter, chosen by the indicators' authority rules for every quarter at once, and the targets evaluated together
by progress.vector. The full run (engine.bulk), an approval's recompute (engine.compute) and the "as known on"
selector all evaluate targets here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from progress.authority import PRECEDENCE, Authority, FigureKind
from progress.vector import STATUSES, evaluate_grid
from tasks.models import IndicatorValue, ReportingPeriod

from ..specs import target_spec
from .inputs import raw_rows, rules_from_settings

KINDS = list(FigureKind)  # a figure's kind as a code: its index here


def nullable(matrix: np.ndarray) -> list[list[float | None]]:
    """Rows of floats as lists, None for NaN (a NULL in the database)."""
    return [[None if v != v else v for v in row] for row in matrix.tolist()]


# --- targets -------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Each indicator's authoritative figure of each quarter (NaN: none), the kind that judged it (-1: none) and,
    where a quarter had figures of more than one kind, all of them (progress.authority: shown beside)."""

    row: dict[int, int]  # indicator -> row
    value: np.ndarray
    kind: np.ndarray
    beside: dict[tuple[int, int], dict[str, float]]


def read_figures(
    plans, targets: list[dict], column: dict[int, int], *, indicator_ids: Iterable[int] | None = None, at=None
) -> Figures:
    """The figures known at `at` (now when None; tasks.selectors.known_figures) of the plans' indicators (those of
    `indicator_ids` when given), with the authority rule applied to every quarter at once
    (progress.authority.authoritative)."""
    authority = {t["indicator_id"]: t["indicator__authority"] for t in targets}
    row = {pk: i for i, pk in enumerate(authority)}
    q = len(column)
    present = np.full((len(KINDS), len(row), q), np.nan)
    code = {str(k): c for c, k in enumerate(KINDS)}
    known = IndicatorValue.objects.filter(indicator__plan__in=plans).known(at).order_by()
    if indicator_ids is not None:
        known = known.filter(indicator_id__in=indicator_ids)
    rows = raw_rows(known.values_list("indicator_id", "period_id", "kind", "value", "reached"))
    for indicator_id, period_id, kind, value, reached in rows:
        i = row.get(indicator_id)
        number = float(value) if value is not None else (None if reached is None else float(reached))
        if i is not None and number is not None:
            present[code[kind], i, column[period_id]] = number
    has = ~np.isnan(present)
    chosen = np.full((len(row), q), -1)
    for rule, order in PRECEDENCE.items():
        mine = np.array([Authority(a) == rule for a in authority.values()], dtype=bool)
        pick = np.full((len(row), q), -1)
        for kind in reversed(order):  # the first in precedence, where present, wins
            pick = np.where(has[code[str(kind)]], code[str(kind)], pick)
        chosen = np.where(mine[:, None], pick, chosen)
    value = np.where(chosen >= 0, np.take_along_axis(present, np.maximum(chosen, 0)[None], axis=0)[0], np.nan)
    beside = {}
    indicators = list(row)
    for i, j in zip(*np.nonzero((chosen >= 0) & (has.sum(axis=0) > 1)), strict=True):
        first = KINDS[chosen[i, j]]
        every = {str(first): float(present[chosen[i, j], i, j])}
        every.update({str(k): float(present[c, i, j]) for c, k in enumerate(KINDS) if k != first and has[c, i, j]})
        beside[(indicators[i], j)] = every
    return Figures(row, value, chosen, beside)


@dataclass
class Counted:
    """What the rollups count of a kind of series: each owner's status as a code (owner × wanted quarter) with the
    codes' names, and for tasks whether each was overdue."""

    codes: np.ndarray
    names: list[str]
    overdue: np.ndarray | None = None


def target_series(targets: list[dict], figures: Figures, quarters: list[ReportingPeriod], wanted: list[int]):
    """Every target's series, in TargetRow's columns, as of the `wanted` columns of `quarters` (all plans at once:
    results.engine.compute.evaluate_targets for a whole plan), and their statuses for the rollups."""
    if not targets:
        return [], Counted(np.zeros((0, len(wanted)), dtype=int), [str(s) for s in STATUSES])
    ends = [q.ends_on for q in quarters]
    rows = np.array([figures.row[t["indicator_id"]] for t in targets])
    values = figures.value[rows]
    specs = [target_spec(t) for t in targets]
    grid = evaluate_grid(specs, values, ends, rules_from_settings())
    w = np.array(wanted)
    # the newest quarter with a figure up to each quarter, and up to the target's date: whose kind judged them
    newest = np.maximum.accumulate(np.where(~np.isnan(values), np.arange(len(ends)), -1), axis=1)[:, w]
    judged_column = np.array(
        [np.searchsorted(ends, s.target_date, side="right") - 1 if s.target_date else -1 for s in specs]
    )
    judged_newest = np.maximum.accumulate(np.where(~np.isnan(values), np.arange(len(ends)), -1), axis=1)
    judged_at = np.take_along_axis(judged_newest, np.minimum(w[None, :], np.maximum(judged_column, 0)[:, None]), 1)
    kind_codes = figures.kind[rows]
    latest_kind = np.where(newest >= 0, np.take_along_axis(kind_codes, np.maximum(newest, 0), axis=1), -1)
    latest_kind = np.where(np.isnan(grid.latest[:, w]), -1, latest_kind)
    judged_kind = np.where(judged_at >= 0, np.take_along_axis(kind_codes, np.maximum(judged_at, 0), axis=1), -1)
    judged_kind = np.where(np.isnan(grid.judged[:, w]) | (judged_column < 0)[:, None], -1, judged_kind)
    kind_names = np.array([*(str(k) for k in KINDS), ""], dtype=object)  # -1: the last, ""

    status_names = np.array([str(s) for s in STATUSES], dtype=object)
    columns = [
        status_names[grid.status[:, w]].tolist(),
        *(nullable(getattr(grid, n)[:, w]) for n in ("target_value", "latest", "progress", "expected", "forecast")),
        [[None if m < 0 else bool(m) for m in r] for r in grid.forecast_meets[:, w].tolist()],
        nullable(grid.judged[:, w]),
        nullable(grid.baseline[:, w]),
        [[None if d != d else dt.date.fromordinal(int(d)) for d in r] for r in grid.baseline_date[:, w].tolist()],
        kind_names[latest_kind].tolist(),
        _figures_beside(targets, figures, newest, latest_kind),
        kind_names[judged_kind].tolist(),
    ]
    rows = [(t["pk"], *cells) for t, *cells in zip(targets, *columns, strict=True)]
    return rows, Counted(grid.status[:, w], [str(s) for s in STATUSES])


def _figures_beside(targets, figures: Figures, newest: np.ndarray, latest_kind: np.ndarray) -> list[list[dict]]:
    """Each target's figures beside its latest value, as of each quarter: {} but where the quarter of its latest
    value had figures of more than one kind (few: the official ones)."""
    empty = [{}] * newest.shape[1]
    series = [empty] * len(targets)
    beside = {indicator for indicator, _column in figures.beside}
    for i, t in enumerate(targets):
        indicator = t["indicator_id"]
        if indicator in beside:
            series[i] = [
                figures.beside.get((indicator, j), {}) if k >= 0 else {}
                for j, k in zip(newest[i].tolist(), latest_kind[i].tolist(), strict=True)
            ]
    return series
