"""The set-based fill of a full run (results.engine.bulk) and the per-plan engine (results.engine.run.fill, which an
approval's recompute uses) write the same series: each, run over what the other wrote, finds nothing to change, and
from nothing they write identical rows."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model

from progress.authority import FigureKind
from results.engine import bulk, run
from results.engine.inputs import Scope, all_quarters, opened, raw_rows
from results.models import RollupSeries, TargetSeries, TaskResult, TaskSeries
from results.services import recompute_plan
from tasks.models import IndicatorValue
from tasks.official import OfficialEntry, record_official_figures
from tests.dashboard.test_verdicts import forest  # noqa: F401 (a fixture: quarters with gaps)
from tests.evaluation.conftest import DEMO_LOADED

TABLES = {
    TargetSeries: ("target_id",),
    TaskSeries: ("task_id",),
    RollupSeries: ("plan_id", "scope", "area_id", "department_id"),
}
FIELDS = {
    model: [f.name for f in model._meta.concrete_fields if f.name not in ("id", "computed_at")] for model in TABLES
}


@pytest.fixture
def demo(demo_plan):
    """The demo, with the statistics bureau's (invented) figures beside three reported ones: a final one, a
    provisional one, and both."""
    office = get_user_model().objects.get(username="demo-office")
    reported = (
        IndicatorValue.objects.reported()
        .known()
        .filter(report__plan=demo_plan, value__isnull=False, indicator__targets__value__isnull=False)
        .select_related("indicator", "period")
        .order_by("-period__year", "-period__quarter", "indicator_id")
        .distinct()
    )
    picked, seen = [], set()
    for row in reported:
        if row.indicator_id not in seen:
            picked.append(row)
            seen.add(row.indicator_id)
        if len(picked) == 3:
            break
    kinds = [(FigureKind.FINAL,), (FigureKind.PROVISIONAL,), (FigureKind.PROVISIONAL, FigureKind.FINAL)]
    with time_machine.travel(DEMO_LOADED, tick=False):
        for row, recorded in zip(picked, kinds, strict=True):
            entries = [
                OfficialEntry(row.indicator, row.period, kind, row.value * Decimal("1.01"), "测试·区统计局", "测试数据")
                for kind in recorded
            ]
            record_official_figures(entries=entries, by=office, reason="测试")
        recompute_plan(demo_plan)  # a full run: the set-based fill
    return demo_plan


def series_of(plan) -> dict:
    rows = {
        TargetSeries: TargetSeries.objects.filter(target__indicator__plan=plan),
        TaskSeries: TaskSeries.objects.filter(task__area__plan=plan),
        RollupSeries: RollupSeries.objects.filter(plan=plan),
    }
    return {model: sorted(qs.values_list(*FIELDS[model]), key=repr) for model, qs in rows.items()}


def clear(plan) -> None:
    TargetSeries.objects.filter(target__indicator__plan=plan).delete()
    TaskSeries.objects.filter(task__area__plan=plan).delete()
    RollupSeries.objects.filter(plan=plan).delete()


def per_plan_fill(plan, today) -> int:
    quarters = all_quarters()
    return run.fill(Scope(plan=plan, quarters=quarters, periods=opened(quarters, today)), today=today)


def test_the_demo_exercises_every_column(demo):
    """What the comparisons below cover: figures of more than one kind, co-departments, every timeliness state."""
    beside = TargetSeries.objects.filter(target__indicator__plan=demo).values_list("latest_figures", flat=True)
    assert any(len(q) > 1 for s in beside for q in s)
    kinds = {k for s in TargetSeries.objects.values_list("latest_kind", flat=True) for k in s}
    assert {"reported", "final"} <= kinds
    assert TaskResult.objects.exclude(co_departments=[]).exists()
    late = [q for s in RollupSeries.objects.filter(scope="department").values_list("timeliness", flat=True) for q in s]
    assert any(q.get("late") for q in late) and any(q.get("missing") for q in late)


def test_each_engine_finds_nothing_to_change_in_what_the_other_wrote(demo):
    today = DEMO_LOADED.date()
    with time_machine.travel(DEMO_LOADED, tick=False):
        assert per_plan_fill(demo, today) == 0  # over the set-based fill's series (the fixture's full run)
        clear(demo)
        assert per_plan_fill(demo, today) > 0
        assert bulk.fill_plans([demo], all_quarters(), today) == {demo.pk: 0}


def test_from_nothing_both_write_the_same_series(demo):
    today = DEMO_LOADED.date()
    with time_machine.travel(DEMO_LOADED, tick=False):
        clear(demo)
        written = bulk.fill_plans([demo], all_quarters(), today)[demo.pk]
        by_bulk = series_of(demo)
        clear(demo)
        assert per_plan_fill(demo, today) == written
    assert series_of(demo) == by_bulk
    assert sum(len(rows) for rows in by_bulk.values()) == written


@pytest.mark.usefixtures("forest")
def test_with_quarters_missing_between_others_both_write_the_same_series(plan):
    """Quarters with no reporting period between two that have one (2025 Q3, Q4, 2026 Q2, Q4): a series holds a
    NULL for each, in both engines."""
    today = dt.date(2027, 1, 20)
    with time_machine.travel(dt.datetime(2027, 1, 20, 2, tzinfo=dt.UTC), tick=False):
        by_bulk = series_of(plan)
        assert per_plan_fill(plan, today) == 0
        clear(plan)
        assert per_plan_fill(plan, today) > 0
        assert bulk.fill_plans([plan], all_quarters(), today) == {plan.pk: 0}
    assert series_of(plan) == by_bulk
    assert any(None in status for status in TaskSeries.objects.values_list("status", flat=True))


def test_a_raw_read_filtered_on_an_empty_list_reads_nothing(db):
    """An approval whose tasks have no lead asks for the updates of no unit: no query, no error."""
    assert raw_rows(TaskSeries.objects.filter(task_id__in=[]).values_list("pk")) == []
