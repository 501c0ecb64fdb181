"""A report as known at a moment, and 上期数据修订: figures restated after a year's report was made final are listed
in the next year's report, against what the final report said (its frozen snapshot)."""

import datetime as dt
import json
import re
import subprocess
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from evaluation import services
from evaluation.models import ReportFile
from evaluation.restatements import differs, restatements_since
from evaluation.snapshot import build_snapshot
from indicators.models import Indicator, Target
from tasks import services as reporting
from tasks.models import QuarterlyReport, ReportingPeriod
from tasks.official import OfficialEntry, record_official_figures

pytestmark = pytest.mark.django_db

LATER = dt.timedelta(days=40)  # the bureau's 年报 comes out weeks after the report was made final


def json_copy(value):
    return json.loads(json.dumps(value))


def forest_coverage(plan):
    return Indicator.objects.get(plan=plan, code="forest-coverage")


def coverage_by_2025(snapshot):
    """The target 'forest coverage 8.01 % by 2025' (missed on the department's 7.59 in the demo)."""
    target = Target.objects.get(indicator__code="forest-coverage", comparator="gte")
    return next(t for t in snapshot["targets"] if t["id"] == target.pk)


def release_final_coverage(plan, office, value="8.1", year=2025):
    entry = OfficialEntry(
        forest_coverage(plan),
        ReportingPeriod.objects.get(year=year, quarter=4),
        "final",
        Decimal(value),
        "区统计局",
        f"宁河区{year}年林业统计年报",
        dt.date(year + 1, 3, 20),
    )
    record_official_figures(entries=[entry], by=office)


@pytest.fixture
def final_2025(demo_plan, demo_office):
    evaluation = services.evaluation_for(demo_plan, 2025)
    return services.finalize(evaluation, by=demo_office, today=dt.date(2026, 1, 20))


def test_a_report_built_as_known_at_its_finalisation_gives_the_frozen_targets_whatever_was_corrected_since(
    demo_plan, demo_office, django_capture_on_commit_callbacks
):
    evaluation = services.evaluation_for(demo_plan, 2025)
    from_stored_results = build_snapshot(evaluation, today=dt.date(2026, 1, 20))["targets"]
    evaluation = services.finalize(evaluation, by=demo_office, today=dt.date(2026, 1, 20))
    evaluation.refresh_from_db()
    frozen = evaluation.snapshot["targets"]
    assert frozen == json_copy(from_stored_results)  # the rows themselves give what the engine stored
    assert coverage_by_2025(evaluation.snapshot)["status"] == "missed_by_date"

    with time_machine.travel(timezone.now() + LATER), django_capture_on_commit_callbacks(execute=True):
        release_final_coverage(demo_plan, demo_office)  # 统计核实 8.1 ≥ 8.01: the target was met after all

    then = build_snapshot(evaluation, today=dt.date(2026, 1, 20), at=evaluation.finalized_at)
    now = build_snapshot(evaluation, today=dt.date(2026, 1, 20), at=timezone.now() + LATER * 2)
    assert json_copy(then["targets"]) == frozen
    assert json_copy(now["targets"]) != frozen
    assert (coverage_by_2025(now)["status"], coverage_by_2025(now)["latest"]) == ("met_by_date", 8.1)
    assert then["known_at"] == timezone.localtime(evaluation.finalized_at).strftime("%Y-%m-%d %H:%M")


def test_a_release_that_changes_a_final_reports_target_is_listed_in_the_next_years_report(
    demo_plan, demo_office, final_2025, django_capture_on_commit_callbacks
):
    with time_machine.travel(timezone.now() + LATER), django_capture_on_commit_callbacks(execute=True):
        release_final_coverage(demo_plan, demo_office)
        release_final_coverage(demo_plan, demo_office, value="9.0", year=2026)  # a 2026 figure restates nothing of 2025
        moment = timezone.now()

    rows = restatements_since(final_2025, at=moment)
    by_2025 = coverage_by_2025(final_2025.snapshot)
    row = next(r for r in rows if r["target_id"] == by_2025["id"])
    assert row["then"] == {
        "status": "missed_by_date",
        "latest": 7.59,
        "latest_kind": "部门报送",
        "judged": 7.59,
        "beside": "",
    }
    assert (row["now"]["status"], row["now"]["latest"], row["now"]["latest_kind"]) == ("met_by_date", 8.1, "统计核实")
    [change] = row["changes"]
    assert (change["quarter"], change["kind"], change["value"], change["withdrawn"]) == (
        "2025Q4",
        "统计核实",
        8.1,
        False,
    )
    assert "宁河区2025年林业统计年报" in change["source"] and change["by"]
    # forest coverage alone was restated (its other target, up by 2030, now reads 8.1 too); nothing of 2026 counts
    assert {r["indicator"] for r in rows} == {forest_coverage(demo_plan).name} and len(rows) == 2

    snapshot_2026 = build_snapshot(services.evaluation_for(demo_plan, 2026), today=dt.date(2026, 12, 3), at=moment)
    assert snapshot_2026["restatements"]["previous_year"] == 2025
    assert [r["target_id"] for r in snapshot_2026["restatements"]["rows"]] == [r["target_id"] for r in rows]
    assert restatements_since(final_2025, at=final_2025.finalized_at) == []


def test_a_figure_withdrawn_for_correction_after_the_final_report_is_listed_as_withdrawn(
    demo_plan, demo_office, final_2025, django_capture_on_commit_callbacks
):
    q4 = ReportingPeriod.objects.get(year=2025, quarter=4)
    report = QuarterlyReport.objects.get(period=q4, department=forest_coverage(demo_plan).reporting_department)
    with time_machine.travel(timezone.now() + LATER), django_capture_on_commit_callbacks(execute=True):
        reporting.reopen_report(report=report, by=demo_office, reason="林业数据口径更正。")
        moment = timezone.now()
    row = next(
        r
        for r in restatements_since(final_2025, at=moment)
        if r["target_id"] == coverage_by_2025(final_2025.snapshot)["id"]
    )
    change = next(c for c in row["changes"] if c["kind"] == "部门报送")
    assert change["withdrawn"] and change["quarter"] == "2025Q4" and change["reason"] == "林业数据口径更正。"
    assert row["now"]["latest"] != 7.59  # the 2025 Q4 figure is no longer known: the report is back with the unit


def test_without_a_final_report_of_the_year_before_the_section_says_so(demo_plan):
    section = build_snapshot(services.evaluation_for(demo_plan, 2026), today=dt.date(2026, 12, 3))["restatements"]
    assert section == {"previous_year": 2025, "finalized_at": None, "rows": []}


def test_differs_reads_status_and_values_not_float_noise():
    row = {"status": "on_track", "latest": 7.8, "judged": None, "latest_kind": "部门报送"}
    assert not differs(row, {**row, "latest": 7.8 + 1e-12, "latest_kind": "统计核实"})
    assert differs(row, {**row, "status": "achieved"})
    assert differs(row, {**row, "latest": 7.9})
    assert differs(row, {**row, "judged": 7.8})


def test_the_next_years_preview_shows_the_restatement(
    demo_plan, demo_office, final_2025, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        release_final_coverage(demo_plan, demo_office)
    client.force_login(demo_office)
    page = client.get(reverse("evaluation:preview", args=[demo_plan.code, 2026])).content.decode()
    section = page[page.index('id="restatements"') :]
    assert "上期数据修订" in page and forest_coverage(demo_plan).name in section
    assert "到期未达标" in section and "到期达标" in section and "统计核实" in section
    assert "宁河区2025年林业统计年报" in section


def test_the_next_years_pdf_holds_the_restatement_section(
    demo_plan, demo_office, final_2025, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        release_final_coverage(demo_plan, demo_office)
    with django_capture_on_commit_callbacks(execute=True):
        file = services.request_pdf(services.evaluation_for(demo_plan, 2026), by=demo_office)
    file.refresh_from_db()
    assert file.state == ReportFile.State.DONE, file.error
    text = re.sub(
        r"\s+",
        "",
        subprocess.run(["pdftotext", file.file.path, "-"], capture_output=True, text=True, check=True).stdout,
    )
    section = text[text.rindex("七、上期数据修订") :]
    assert "当时报告" in section and "现在已知" in section
    assert forest_coverage(demo_plan).name in section and "宁河区2025年林业统计年报" in section
    assert "到期未达标" in section and "到期达标" in section
