"""Figures as versions: a reopening writes a new version and never changes the approved one, official figures
supersede without erasing, the engine judges on the authoritative figure, and the old data keep their history."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from indicators.models import Indicator
from progress.authority import Authority, FigureKind
from tasks import services
from tasks.models import ApprovedValueChanged, IndicatorValue, QuarterlyReport, ReportEvent
from tasks.official import OfficialEntry, record_official_figures
from tests.results import test_services as recompute

pytestmark = pytest.mark.django_db

history = recompute.history  # three approved quarters of forest coverage, 2024 Q1-Q3


def coverage(plan):
    return Indicator.objects.get(plan=plan, code="forest-coverage")


def official(plan, period, value, kind=FigureKind.FINAL, title="宁河区2024年林业统计年报"):
    return OfficialEntry(
        indicator=coverage(plan),
        period=period,
        kind=kind,
        value=Decimal(value),
        source_issuer="区统计局",
        source_title=title,
        source_date=dt.date(2025, 3, 20),
    )


def versions(plan, period, kind=FigureKind.REPORTED):
    return list(IndicatorValue.objects.filter(indicator=coverage(plan), period=period, kind=kind).order_by("version"))


def correct_last_quarter(plan, history, dept_a_user, office_user, capture, value="7.6"):
    last = QuarterlyReport.objects.get(period=history[-1])
    with capture(execute=True):
        services.reopen_report(report=last, by=office_user, reason="林业年报更正。")
    report = QuarterlyReport.objects.get(pk=last.pk)
    row = report.indicator_values.current().get(indicator=coverage(plan))
    data = {"value": Decimal(value), "data_source": row.data_source, "change_explanation": "更正。"}
    services.save_draft(
        report=report, by=dept_a_user, version=report.version, task_data={}, indicator_data={row.indicator_id: data}
    )
    services.submit_report(report=QuarterlyReport.objects.get(pk=report.pk), by=dept_a_user)
    with capture(execute=True):
        services.approve_report(report=QuarterlyReport.objects.get(pk=report.pk), by=office_user)


def test_a_reopening_writes_a_new_version_and_the_approved_one_stays_as_it_was(
    plan,
    history,
    dept_a_user,
    office_user,
    django_capture_on_commit_callbacks,
):
    before = versions(plan, history[-1])[0]
    approved_on = before.valid_from
    correct_last_quarter(plan, history, dept_a_user, office_user, django_capture_on_commit_callbacks)
    old, new = versions(plan, history[-1])
    assert old.pk == before.pk and old.value == Decimal("7.8") and old.valid_from == approved_on
    assert old.superseded_by == new and old.superseded_at is not None
    assert (new.version, new.value, new.reason, new.recorded_by) == (2, Decimal("7.6"), "林业年报更正。", office_user)
    assert new.valid_from > old.superseded_at  # withdrawn at the reopening, the correction known at its approval
    in_between = old.superseded_at + (new.valid_from - old.superseded_at) / 2
    known = IndicatorValue.objects.filter(indicator=coverage(plan), period=history[-1])
    assert list(known.known(approved_on).values_list("value", flat=True)) == [Decimal("7.8")]
    assert not known.known(in_between).exists()
    assert list(known.known().values_list("value", flat=True)) == [Decimal("7.6")]
    assert recompute.coverage_result(plan, history[-1]).latest_value == 7.6


def test_saving_a_known_version_is_refused(plan, history):
    row = versions(plan, history[0])[0]
    row.value = Decimal("9")
    with pytest.raises(ApprovedValueChanged):
        row.save()
    with pytest.raises(ApprovedValueChanged):
        row.save(update_fields=["value"])


def test_an_official_figure_supersedes_never_erases_and_judges_the_target(
    plan,
    history,
    office_user,
    django_capture_on_commit_callbacks,
):
    assert recompute.coverage_result(plan, history[-1]).status == "on_track"
    with django_capture_on_commit_callbacks(execute=True):
        record_official_figures(entries=[official(plan, history[-1], "8.1")], by=office_user)
    result = recompute.coverage_result(plan, history[-1])
    assert (result.status, result.latest_value, result.latest_kind) == ("achieved", 8.1, FigureKind.FINAL)
    assert result.latest_figures == {"final": 8.1, "reported": 7.8}
    first = versions(plan, history[-1], FigureKind.FINAL)[0]

    with django_capture_on_commit_callbacks(execute=True):
        record_official_figures(entries=[official(plan, history[-1], "7.9", title="更正公告")], by=office_user)
    old, new = versions(plan, history[-1], FigureKind.FINAL)
    assert old.pk == first.pk and old.value == Decimal("8.1") and old.superseded_by == new
    assert recompute.coverage_result(plan, history[-1]).status == "on_track"
    assert versions(plan, history[-1])[0].value == Decimal("7.8")  # the department's figure is still there

    record_official_figures(entries=[official(plan, history[-1], "7.9", title="更正公告")], by=office_user)
    assert len(versions(plan, history[-1], FigureKind.FINAL)) == 2  # the same figure again writes nothing


def test_the_indicators_rule_can_keep_to_the_departments_report(
    plan,
    history,
    office_user,
    django_capture_on_commit_callbacks,
):
    Indicator.objects.filter(pk=coverage(plan).pk).update(authority=Authority.REPORTED_ONLY)
    with django_capture_on_commit_callbacks(execute=True):
        record_official_figures(entries=[official(plan, history[-1], "8.1")], by=office_user)
    result = recompute.coverage_result(plan, history[-1])
    assert (result.latest_value, result.latest_kind) == (7.8, FigureKind.REPORTED)


def test_only_the_office_or_the_providing_unit_records_official_figures(plan, history, dept_a_user, office_user):
    with pytest.raises(PermissionDenied):
        record_official_figures(entries=[official(plan, history[-1], "8.1")], by=dept_a_user)
    Indicator.objects.filter(pk=coverage(plan).pk).update(official_source=dept_a_user.membership.department)
    assert record_official_figures(entries=[official(plan, history[-1], "8.1")], by=dept_a_user)


def test_an_official_figure_needs_its_document_and_a_plausible_value(plan, history, office_user):
    entry = official(plan, history[-1], "8.1", title=" ")
    with pytest.raises(ValidationError):
        record_official_figures(entries=[entry], by=office_user)
    with pytest.raises(ValidationError):
        record_official_figures(entries=[official(plan, history[-1], "180")], by=office_user)
    assert not IndicatorValue.objects.official().exists()


def test_results_as_known_on_a_day_before_the_release(
    plan,
    history,
    office_user,
    django_capture_on_commit_callbacks,
):
    from results.selectors import target_results_known_on

    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        record_official_figures(entries=[official(plan, history[-1], "8.1")], by=office_user)
    target = recompute.coverage_result(plan, history[-1]).target
    then = target_results_known_on(plan, history[-1], at=before)[target.pk]
    now = target_results_known_on(plan, history[-1], at=timezone.now())[target.pk]
    assert (then.status, then.latest_value, then.latest_kind) == ("on_track", 7.8, FigureKind.REPORTED)
    assert (now.status, now.latest_value, now.latest_kind) == ("achieved", 8.1, FigureKind.FINAL)


# --- the data migration ------------------------------------------------------------------------------------------


def test_the_migration_rebuilds_earlier_approved_values_from_the_history(plan, report_a, dept_a_user, office_user):
    """A report of before: approved with 6.8, reopened, corrected in place to 6.5 and approved again; its one row
    holds 6.5 and the change log the 6.8. The migration turns it into two versions, each known when it was."""
    indicator = coverage(plan)
    row = report_a.indicator_values.get(indicator=indicator)
    t = timezone.now() - dt.timedelta(days=30)

    def event(action, days, changes=()):
        e = ReportEvent.objects.create(
            report=report_a,
            action=action,
            actor=office_user,
            status_after="approved",
            version=1,
            comment="数据有误。" if action == "reopen" else "",
        )
        ReportEvent.objects.filter(pk=e.pk).update(at=t + dt.timedelta(days=days))
        for before, after in changes:
            e.changes.create(indicator=indicator, field="value", before=before, after=after)

    event("save", 1, [("", "6.8")])
    event("approve", 2)
    event("reopen", 3)
    event("save", 4, [("6.8", "6.5")])
    event("approve", 5)
    IndicatorValue.objects.filter(pk=row.pk).update(value=Decimal("6.5"))
    QuarterlyReport.objects.filter(pk=report_a.pk).update(status="approved", approved_at=t + dt.timedelta(days=5))

    migration = importlib.import_module("tasks.migrations.0006_figure_versions_rebuilt")
    migration.rebuild_versions(apps, None)

    old, new = IndicatorValue.objects.filter(report=report_a, indicator=indicator).order_by("version")
    assert (old.version, old.value, old.valid_from, old.superseded_at) == (
        1,
        Decimal("6.8"),
        t + dt.timedelta(days=2),
        t + dt.timedelta(days=3),
    )
    assert old.superseded_by == new and new.pk == row.pk
    assert (new.version, new.value, new.valid_from, new.superseded_at) == (
        2,
        Decimal("6.5"),
        t + dt.timedelta(days=5),
        None,
    )
    assert new.reason == "数据有误。"
    # every figure of the report was approved twice, as a reopening now writes a version of each
    others = IndicatorValue.objects.filter(report=report_a).exclude(indicator=indicator).order_by("version")
    assert others.exists() and all(r.valid_from for r in others)
    assert {(r.version, r.superseded_at) for r in others} == {(1, t + dt.timedelta(days=3)), (2, None)}


@pytest.mark.django_db(transaction=True)
def test_the_figure_migrations_run_back_and_forth_on_a_database_that_holds_figures(report_a):
    """On PostgreSQL a data step's foreign keys are checked at its commit, and a table with pending checks cannot be
    altered in the same transaction: with one figure stored, the single migration that rebuilt the versions and
    then made the quarter required failed ("pending trigger events"). Run on the suite's own database engine."""
    rows = IndicatorValue.objects.filter(report=report_a).count()
    assert rows
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("tasks", "0004_quality_flags")])
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert IndicatorValue.objects.filter(report=report_a, period=report_a.period).count() == rows
