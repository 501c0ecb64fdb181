"""The office uploads the statistics bureau's table: a bad cell is named in Chinese and nothing is recorded; the
corrected table is previewed, recorded on confirmation, and the target's status on the indicator page follows the
official figure, marked 统计核实 beside the department's own."""

import re
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import Workbook

from indicators.models import Indicator, Target
from results.models import TargetResult
from results.selectors import latest_computed_period
from tasks.models import IndicatorValue, ReportingPeriod
from tasks.official_table import HEADERS
from tests.browser.test_dashboard import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def table(tmp_path, name, value) -> str:
    book = Workbook()
    book.active.append(list(HEADERS))
    book.active.append(["forest-coverage", "2025", value, "核实", "区统计局", "宁河统字〔2026〕5号", "2026-03-20"])
    out = BytesIO()
    book.save(out)
    path = tmp_path / name
    path.write_bytes(out.getvalue())
    return str(path)


def test_office_uploads_a_bad_table_then_a_clean_one_that_flips_a_status(
    live_server, page, demo_plan, screenshot, tmp_path
):
    base = live_server.url
    indicator = Indicator.objects.get(plan=demo_plan, code="forest-coverage")
    target = Target.objects.get(indicator=indicator, period="2025", is_aspirational=False)
    period = latest_computed_period(demo_plan, today=timezone.localdate())
    before = TargetResult.objects.get(target=target, period=period).status
    # a figure for 2025 that makes the verdict at the target's date the other one
    value, after_word = (0.5, "到期未达标") if before == "met_by_date" else (12.5, "到期达标")
    log_in(page, base, "demo-office")

    page.click("#official-figures-link")
    page.wait_for_url(f"{base}/reports/official/")
    page.set_input_files("#official-table", table(tmp_path, "bad.xlsx", "约" + str(value)))
    page.click("#upload-table button[type=submit]")
    errors = page.locator("#upload-errors")
    errors.wait_for()
    assert "未记录任何数据" in errors.inner_text()
    assert f"“约{value}”含有文字或单位" in errors.inner_text()
    assert not IndicatorValue.objects.official().exists()
    screenshot("official-upload-bad-cell")

    page.set_input_files("#official-table", table(tmp_path, "good.xlsx", value))
    page.click("#upload-table button[type=submit]")
    page.locator("#upload-preview").wait_for()
    assert "宁河统字〔2026〕5号" in page.locator("#upload-preview").inner_text()
    assert not IndicatorValue.objects.official().exists()  # a preview records nothing
    page.click("#confirm-upload")
    page.wait_for_url(f"{base}/reports/official/")
    assert "已录入 1 条统计数据" in page.locator("main").inner_text()
    assert IndicatorValue.objects.official().get().period == ReportingPeriod.objects.get(year=2025, quarter=4)

    page.goto(f"{base}/plans/{demo_plan.code}/indicators/{indicator.pk}/?period={period.pk}")
    row = page.locator(f"#target-{target.pk}")
    assert after_word in row.inner_text()
    assert "统计核实" in row.inner_text()
    assert re.search(r"统计核实", page.locator("#official-values").inner_text())
    screenshot("official-indicator-page")
