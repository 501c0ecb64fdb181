"""The office reads an indicator and the targets page as known on an earlier day: it picks the day in the small form,
the banner says 按 … 已知数据 with the status of that day, and the link back shows today's figures."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from indicators.models import Indicator, Target
from results.models import TargetResult
from results.selectors import latest_computed_period
from tasks.models import ReportingPeriod
from tasks.official import OfficialEntry, record_official_figures

from .test_dashboard import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_reads_an_indicator_as_known_yesterday_and_goes_back_to_today(live_server, page, demo_plan, screenshot):
    base = live_server.url
    indicator = Indicator.objects.get(plan=demo_plan, code="forest-coverage")
    target = Target.objects.get(indicator=indicator, period="2025", is_aspirational=False)
    period = latest_computed_period(demo_plan, today=timezone.localdate())
    before = TargetResult.objects.get(target=target, period=period).status
    value, before_word, after_word = (
        (0.5, "到期达标", "到期未达标") if before == "met_by_date" else (12.5, "到期未达标", "到期达标")
    )
    office = get_user_model().objects.get(username="demo-office")
    entry = OfficialEntry(
        indicator,
        ReportingPeriod.objects.get(year=2025, quarter=4),
        "final",
        Decimal(value),
        "区统计局",
        "宁河统字〔2026〕5号",
    )
    record_official_figures(entries=[entry], by=office)  # today: yesterday's pages did not know it
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()

    log_in(page, base, "demo-office")
    page.goto(f"{base}/plans/{demo_plan.code}/indicators/{indicator.pk}/")
    status = page.locator(f"#target-{target.pk} .tstatus")
    assert status.inner_text() == after_word
    page.fill(".known-on-form input[name=known_on]", yesterday)
    page.click(".known-on-form button[type=submit]")
    page.wait_for_selector(".known-on-banner")
    assert f"按 {yesterday} 已知数据" in page.inner_text(".known-on-banner")
    assert status.inner_text() == before_word
    assert page.locator("#official-values").count() == 0 or "宁河统字" not in page.inner_text("#official-values")
    screenshot("indicator-known-on")

    page.click(".crumbs a")  # the targets page, on the same day
    page.wait_for_selector(".known-on-banner")
    assert page.locator(f"#target-{target.pk} .tstatus").inner_text() == before_word
    screenshot("targets-known-on")

    page.get_by_role("link", name="返回当前数据").click()
    page.wait_for_selector("table.targets")
    assert page.locator(".known-on-banner").count() == 0
    assert page.locator(f"#target-{target.pk} .tstatus").inner_text() == after_word
