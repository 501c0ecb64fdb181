"""Generated official figures for the demo: what the district's statistics bureau would publish for the plan's
headline indicators, so a new user sees a target judged on a 统计初步 or 统计核实 figure and the figures of the
other kinds beside it.

Invented, like everything in the demo: each figure's document title and issuer say 演示 and its note says
演示数据. For each year of the demo whose fourth quarter has ended, a provisional figure (统计快报, late January);
for the years before the last one also the final figure (统计公报, September). They are recorded through the
real service (tasks.official), then dated on their publication day as the reports are (tasks.demo._backdate).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from indicators.models import Indicator
from progress.authority import FigureKind

from .models import IndicatorValue, ReportingPeriod, quarter_end
from .official import OfficialEntry, record_official_figures

# The headline figures a district statistics bureau publishes every year (codes of fixtures/ninghe-targets.yaml).
HEADLINE_CODES = (
    "energy-intensity",
    "non-fossil-energy-share",
    "renewable-power-capacity",
    "industry-value-added-share",
    "above-scale-industry-energy-intensity",
    "forest-coverage",
)
ISSUER = "宁河区统计局（演示）"
PROVISIONAL_DAY = (1, 25)  # 统计快报 of the year before
FINAL_DAY = (9, 20)  # 统计公报 with the verified figures


@dataclass(frozen=True)
class Release:
    kind: FigureKind
    title: str
    day: tuple[int, int]


RELEASES = {
    FigureKind.PROVISIONAL: Release(
        FigureKind.PROVISIONAL, "演示数据：{year}年宁河区统计快报（演示）", PROVISIONAL_DAY
    ),
    FigureKind.FINAL: Release(
        FigureKind.FINAL, "演示数据：{year}年宁河区国民经济和社会发展统计公报（核实数，演示）", FINAL_DAY
    ),
}


def published_on(release: Release, year: int, today: dt.date) -> dt.date:
    """The day the bureau published the year's figure; never today or later (the demo only shows the past)."""
    return min(dt.date(year + 1, *release.day), today - dt.timedelta(days=1))


def years_released(periods: dict[tuple[int, int], ReportingPeriod], today: dt.date) -> list[tuple[int, FigureKind]]:
    """(year, kind) for each demo year whose last quarter has ended: provisional for every one, final for all but
    the last (its verified figures come the September after)."""
    years = sorted(y for (y, q) in periods if q == 4 and quarter_end(y, 4) < today)
    return [(y, FigureKind.PROVISIONAL) for y in years] + [(y, FigureKind.FINAL) for y in years[:-1]]


def _revised(indicator: Indicator, value: Decimal, rng: random.Random) -> Decimal:
    """The bureau's figure: often the department's own, else a little off (a few tenths of a point for a share or
    a rate, 1–3 % for an amount), within the plausible range."""
    if rng.random() < 0.4:
        return value
    sign = rng.choice((-1, 1))
    if indicator.unit == "%":
        moved = float(value) + sign * rng.uniform(0.1, 0.4)
    else:
        moved = float(value) * (1 + sign * rng.uniform(0.01, 0.03))
    if indicator.max_value is not None:
        moved = min(moved, float(indicator.max_value))
    if indicator.min_value is not None:
        moved = max(moved, float(indicator.min_value))
    return Decimal(str(round(moved, 2)))


def official_entries(
    plan, periods: dict[tuple[int, int], ReportingPeriod], series: dict[int, list], today: dt.date
) -> list[tuple[OfficialEntry, dt.date]]:
    """Every demo official figure with its publication day, the same on every call for the same day. `series`:
    each indicator's reported demo values, one per quarter of `periods` from the first."""
    rng = random.Random(2025)
    order = list(periods)
    indicators = Indicator.objects.filter(plan=plan, code__in=HEADLINE_CODES).prefetch_related("targets")
    entries = []
    for indicator in indicators.order_by("order"):
        provisional: dict[int, Decimal] = {}
        for year, kind in years_released(periods, today):
            reported = series[indicator.pk][order.index((year, 4))]
            if reported is None:
                continue
            base = reported if kind == FigureKind.PROVISIONAL else provisional[year]
            value = _revised(indicator, base, rng)
            provisional.setdefault(year, value)
            release = RELEASES[kind]
            day = published_on(release, year, today)
            entry = OfficialEntry(
                indicator=indicator,
                period=periods[(year, 4)],
                kind=kind,
                value=value,
                source_issuer=ISSUER,
                source_title=release.title.format(year=year),
                source_date=day,
                note="演示数据，非官方统计",
            )
            entries.append((entry, day))
    return entries


@transaction.atomic
def create_official_figures(plan, periods, series, office, *, today: dt.date) -> int:
    """Record the demo's official figures not yet recorded (seeding again adds none), dated on their publication
    day. One transaction, so the recompute the service queues runs once, on the backdated figures."""
    recorded = set(IndicatorValue.objects.official().current().values_list("indicator_id", "period_id", "kind"))
    fresh = [
        (entry, day)
        for entry, day in official_entries(plan, periods, series, today)
        if (entry.indicator.pk, entry.period.pk, entry.kind.value) not in recorded
    ]
    if not fresh:
        return 0
    written = record_official_figures(
        entries=[entry for entry, _day in fresh], by=office, reason="演示数据：生成的演示统计数据"
    )
    days = {(e.indicator.pk, e.period.pk, e.kind.value): day for e, day in fresh}
    for row in written:
        at = timezone.make_aware(dt.datetime.combine(days[(row.indicator_id, row.period_id, row.kind)], dt.time(10)))
        IndicatorValue.objects.filter(pk=row.pk).update(valid_from=at, recorded_at=at)
    return len(written)
